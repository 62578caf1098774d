"""Hostile content in the browser: the HTML of tests/test_hostile_rendering.py (every question kind, a case with its
prompts, a chapter) on a page with the course's own CSS and scripts, served from a local folder. Nothing injected runs,
the text reads exactly as written, the critical-error box is visible with the option chosen, and the status lines hold
text only. Shares the suite's Chromium (whose fixture asks for the built book)."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading

import pytest
from test_hostile_rendering import BANK, CATALOG, CHAPTER, QUESTIONS, VIGNETTE, VIOLATIONS, hostile

from nasams_course.rendering.html import chapter_intro, discussion_list, quiz_form, script_json, vignette_card
from nasams_course.sphinx_ext import COURSE_STORE

from .conftest import REPO

pytestmark = pytest.mark.browser
STATIC = REPO / "nasams_course" / "static"
SCRIPTS = ("nasams-grader.js", "nasams-answers.js", "nasams-quiz.js")


def hostile_page() -> str:
    scripts = "".join(f'<script defer src="{name}"></script>' for name in SCRIPTS)
    body = (chapter_intro(CHAPTER, CATALOG, [VIGNETTE]) + vignette_card(VIGNETTE) + discussion_list(VIGNETTE)
            + "".join(quiz_form(q, CATALOG) for q in QUESTIONS.values()))
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Hostile content</title>'
            f'<link rel="stylesheet" href="nasams.css">{scripts}</head><body><main><h1>Hostile content</h1>{body}'
            f"</main>{book_data()}</body></html>")


def book_data() -> str:
    """The data every page of the book carries (sphinx_ext._book_data): this page's questions, the provision ids and
    the course's storage prefix."""
    data = {"chapters": [{"path": "index.html", "questions": list(QUESTIONS)}], "provisions": list(CATALOG.ids),
            "prefix": COURSE_STORE}
    return f'<script type="application/json" id="nasams-book">{script_json(data)}</script>'



class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def page(tmp_path_factory, browser):
    folder = tmp_path_factory.mktemp("hostile")
    for name in (*SCRIPTS, "nasams-files.js", "nasams.css"):
        shutil.copy(STATIC / name, folder / name)
    (folder / "index.html").write_text(hostile_page(), encoding="utf-8")
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    context = browser.new_context()  # the suite's one Chromium (tests/browser/conftest.py)
    pg = context.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.goto(f"http://127.0.0.1:{httpd.server_address[1]}/index.html")
    pg.wait_for_function("document.documentElement.dataset.quizReady !== undefined")
    yield pg
    context.close()
    httpd.shutdown()


def injected(page) -> dict:
    return page.evaluate("""() => ({pwned: window.__pwned === undefined ? null : window.__pwned,
        elements: document.querySelectorAll('main img, main b').length,
        scripts: [...document.querySelectorAll('main script')].filter(s => s.type !== 'application/json').length})""")


def test_the_page_shows_every_text_as_written_and_runs_nothing(page):
    assert injected(page) == {"pwned": None, "elements": 0, "scripts": 0} and page.errors == []
    shown = page.inner_text("main")
    texts = [VIGNETTE.title, hostile("narrative"), *VIGNETTE.discussion, CHAPTER.objectives[0]]
    texts += [t for q in QUESTIONS.values() for t in (q.stem, *(o.text for o in q.options))]
    assert [t for t in texts if t not in shown] == []
    assert not page.locator(".nq-critical").first.is_visible()  # nothing answered: no critical error shown


@pytest.mark.parametrize("kind", VIOLATIONS)
def test_a_violation_shows_the_critical_error_box_with_the_option_chosen_as_text(page, kind):
    q = QUESTIONS[f"q-hostile-{kind}"]
    bad, answer = VIOLATIONS[kind]
    form = page.locator(f"#quiz-{q.id}")
    if kind == "rate":
        for oid, rating in answer.items():
            form.locator(f"[data-option='{oid}'] input[value='{rating}']").check()
    else:
        for oid in [answer] if isinstance(answer, str) else answer:
            form.locator(f".nq-options input[value='{oid}']").check()
    form.locator(".nq-submit").click()
    box = form.locator(".nq-critical")
    assert box.is_visible()
    chosen = box.locator("li:visible")
    assert chosen.count() == 1 and chosen.inner_text().startswith(f"You chose: {q.option(bad).text}\n")
    titles = "; ".join(f"{pid}, {CATALOG.provision(pid).title}" for pid in q.option(bad).violation)
    assert form.locator("[data-role=announce]").inner_text() == f"Score {form.locator('[data-role=score]').inner_text()}" \
        f". Critical error: {titles}."
    assert form.locator("[data-role=level]").inner_text() == "Beginning (critical error)"
    assert page.eval_on_selector_all(f"#quiz-{q.id} [role=status]", "els => els.map(e => e.children.length)") == [0, 0]
    assert injected(page)["pwned"] is None and page.errors == []


def test_status_lines_hold_text_only(page):
    order = page.locator("#quiz-q-hostile-order")
    order.locator(".nq-step").first.locator(".nq-down").click()
    status = order.locator("[data-role=status]")
    assert status.inner_text() == "Moved to step 2 of 4." and status.evaluate("e => e.children.length") == 0
    assert order.locator(".nq-step").nth(1).inner_text().startswith(QUESTIONS["q-hostile-order"].options[0].text)
    multi = page.locator("#quiz-q-hostile-multi")
    multi.evaluate("f => f.reset()")
    multi.locator(".nq-submit").click()
    assert multi.locator("[data-role=status]").inner_text() == "Select at least one option, then press Submit."
    assert injected(page) == {"pwned": None, "elements": 0, "scripts": 0} and page.errors == []
    assert BANK.questions == QUESTIONS
