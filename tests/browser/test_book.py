"""The built book in headless Chromium: keyboard-only quizzes scored exactly as the Python grader, persistence,
download and import, and no requests to other hosts. Every page's load and its accessibility: test_book_pages.py."""

from __future__ import annotations

import json
from urllib.parse import urlparse

import pytest

from nasams_course.content.loader import load_bank_or_raise
from nasams_course.grading import score_item
from nasams_course.grading.levels import level_for
from nasams_course.rendering.html import percent
from nasams_course.trainer import weak_answer

from .conftest import HTML, REPO, grade_json, reload, seed

pytestmark = pytest.mark.browser

EXEMPLAR = "book/standards/victims-and-privilege.html"
BANK = load_bank_or_raise(REPO)
QUESTIONS = BANK.questions_in_chapter("victims-and-privilege")


def planned_answer(q, i):
    """A mix of answers: keyed, partly right, and (where there is one) a violation."""
    if q.kind == "single":
        bad = [o.id for o in q.options if o.violation]
        return bad[0] if bad and i % 2 == 0 else next(o.id for o in q.options if o.credit == 1)
    if q.kind == "multi":
        return [o.id for o in q.options if o.correct][:2] + [o.id for o in q.options if not o.correct][:1]
    if q.kind == "rate":
        return {o.id: (4 if o.violation else o.key) if j % 2 == 0 else max(1, o.key - 1) for j, o in enumerate(q.options)}
    key = list(q.key)
    key[0], key[1] = key[1], key[0]
    return key


PLAN = {q.id: planned_answer(q, i) for i, q in enumerate(QUESTIONS)}


# -- keyboard helpers: every interaction is a key press; evaluate() only reads where the focus is ----------------

def focused(page) -> dict:
    return page.evaluate("""() => { const e = document.activeElement; const f = e && e.closest('form.nasams-quiz');
        return {tag: e.tagName, type: e.type || '', value: e.value || '', cls: e.className || '', name: e.name || '',
                action: e.dataset ? (e.dataset.action || '') : '', id: e.id || '',
                form: f ? f.dataset.question : null,
                option: e.closest('[data-option]') ? e.closest('[data-option]').dataset.option : null}; }""")


def tab_until(page, predicate, limit=400, key="Tab"):
    for _ in range(limit):
        page.keyboard.press(key)
        state = focused(page)
        if predicate(state):
            return state
    raise AssertionError("could not reach the element by keyboard")


def checked(page, qid) -> dict:
    """Read which inputs of a form are checked: {option id: value} (single/multi: value 'on')."""
    return page.eval_on_selector_all(
        f'form[data-question="{qid}"] .nq-options input:checked',
        "els => Object.fromEntries(els.map(e => [e.closest('[data-option]').dataset.option, e.type === 'radio' && "
        "e.closest('fieldset.nq-rate-option') ? +e.value : 'on']))")


def answer_by_keyboard(page, q, answer, certainty=None):
    """Answer by keyboard from whatever the form shows now (fresh, or a previous answer); with `certainty` (1-3),
    state it before Submit."""
    if focused(page)["form"] == q.id:  # answering again: step back out of the form, then enter it from the top
        tab_until(page, lambda s: s["form"] != q.id, key="Shift+Tab")
    tab_until(page, lambda s: s["form"] == q.id)  # focus enters the form at its first (or checked) control
    state = focused(page)
    if q.kind == "single":
        ids = q.option_ids
        if state["option"] == answer and answer in checked(page, q.id):
            pass
        elif not checked(page, q.id):
            page.keyboard.press("Space")  # selects the focused first option
            for _ in range(ids.index(answer)):
                page.keyboard.press("ArrowDown")
        else:
            for _ in range((ids.index(answer) - ids.index(state["option"])) % len(ids)):
                page.keyboard.press("ArrowDown")
    elif q.kind == "multi":
        for oid in q.option_ids:
            if state["option"] != oid:
                state = tab_until(page, lambda s, oid=oid: s["option"] == oid and s["tag"] == "INPUT")
            if (oid in answer) != (oid in checked(page, q.id)):
                page.keyboard.press("Space")
    elif q.kind == "rate":
        # a radio group per option: focus lands on its checked rating, or on rating 1 when none is checked
        for oid in q.option_ids:
            if state["option"] != oid:
                state = tab_until(page, lambda s, oid=oid: s["option"] == oid and s["tag"] == "INPUT")
            if oid not in answer:
                continue
            current = checked(page, q.id).get(oid)
            if current is None:
                page.keyboard.press("Space")
                current = 1
            for _ in range((answer[oid] - current) % 4):
                page.keyboard.press("ArrowRight")
    else:
        for target, oid in enumerate(answer):
            current = page.eval_on_selector_all(f'form[data-question="{q.id}"] .nq-step', "els => els.map(e => e.dataset.option)")
            steps = current.index(oid) - target
            if steps:
                tab_until_wrap(page, q.id, lambda s, oid=oid: s["option"] == oid and "nq-up" in s["cls"])
                for _ in range(steps):
                    page.keyboard.press("Enter")
    if certainty is not None:  # the certainty group: focus lands on its checked radio ("Not stated" at first)
        state = tab_until(page, lambda s: s["form"] == q.id and s["name"].endswith("--certainty"))
        for _ in range((certainty - int(state["value"] or 0)) % 4):
            page.keyboard.press("ArrowRight")
    tab_until(page, lambda s: s["form"] == q.id and "nq-submit" in s["cls"])
    page.keyboard.press("Enter")


def tab_until_wrap(page, qid, predicate):
    """Tab forward to an element of the same form; if focus leaves the form, Shift+Tab back through it."""
    for key in ("Tab", "Shift+Tab"):
        for _ in range(200):
            page.keyboard.press(key)
            state = focused(page)
            if predicate(state):
                return state
            if key == "Tab" and state["form"] != qid:
                break
    raise AssertionError("could not reach the step button by keyboard")


def shown(page, qid) -> dict:
    form = page.locator(f'form[data-question="{qid}"]')
    return {"score": form.locator("[data-role=score]").inner_text(), "level": form.locator("[data-role=level]").inner_text(),
            "critical": form.locator("[data-role=critical]").count() > 0,
            "visible": form.locator("[data-role=result]").is_visible()}


def expected(qid, answer) -> dict:
    r = score_item(BANK.questions[qid], answer)
    return {"score": percent(r.score), "level": "Beginning (critical error)" if r.critical else level_for(r.score),
            "critical": r.critical, "visible": True}


def grade_with_cli(tmp_path, responses: dict) -> dict:
    path = tmp_path / "cli.json"
    path.write_text(json.dumps({"schema": "nasams-course/responses@2", "learner": "cli",
                                "responses": [{"question": q, "answer": a, "at": "2026-01-01T00:00:00Z"} for q, a in responses.items()]}))
    return {i["question"]: i for i in grade_json(path, check=True)["items"]}


def download_by_keyboard(page, path, learner="Sam Okafor"):
    """Press Download my answers by keyboard (typing the learner's name first if it is empty: the page asks for it)
    and save the file the page gives."""
    if not page.input_value("#nasams-learner"):
        tab_until(page, lambda s: s["id"] == "nasams-learner")
        page.keyboard.type(learner)
    with page.expect_download() as info:
        tab_until(page, lambda s: s["action"] == "download")
        page.keyboard.press("Enter")
    info.value.save_as(path)
    return path


def same_host_only(page, base):
    origin = urlparse(base)
    for url in page.requests:
        u = urlparse(url)
        assert u.scheme in (origin.scheme, "data", "blob"), url
        if u.scheme == origin.scheme and origin.scheme == "http":
            assert u.netloc == origin.netloc, url


def test_exemplar_quizzes_by_keyboard_score_as_python(page, base, tmp_path):
    page.goto(f"{base}/{EXEMPLAR}")
    cli = grade_with_cli(tmp_path, PLAN)
    for q in QUESTIONS:
        answer_by_keyboard(page, q, PLAN[q.id])
        got = shown(page, q.id)
        assert got == expected(q.id, PLAN[q.id]), q.id
        assert got["score"] == percent(cli[q.id]["score"]) and got["critical"] == cli[q.id]["critical"]
    assert any(shown(page, q.id)["critical"] for q in QUESTIONS), "the plan includes at least one critical error"

    # answers persist across a reload and show as answered
    reload(page)
    for q in QUESTIONS:
        assert shown(page, q.id) == expected(q.id, PLAN[q.id]), q.id

    # download (by keyboard), clear, re-import: the answers return
    saved = download_by_keyboard(page, tmp_path / "saved.json")
    data = json.loads(saved.read_text())
    assert data["schema"] == "nasams-course/responses@2"
    def canonical(qid, answer):  # a multi answer is a set of options
        return sorted(answer) if BANK.questions[qid].kind == "multi" else answer

    assert {e["question"]: canonical(e["question"], e["answer"]) for e in data["responses"]} == \
        {q: canonical(q, a) for q, a in PLAN.items()}
    assert {i["question"]: percent(i["score"]) for i in grade_json(saved, check=True)["items"]} == \
        {q: expected(q, a)["score"] for q, a in PLAN.items()}

    tab_until(page, lambda s: s["action"] == "clear")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('[data-role=panel-status]').textContent.includes('cleared')")
    assert not any(shown(page, q.id)["visible"] for q in QUESTIONS)
    reload(page)
    assert not any(shown(page, q.id)["visible"] for q in QUESTIONS)

    tab_until(page, lambda s: s["id"] == "nasams-import")
    for attempt in range(3):  # Chromium sometimes drops the first key press on a file input right after focus
        try:
            with page.expect_file_chooser(timeout=5_000) as chooser:
                page.keyboard.press("Space")
            break
        except Exception:
            if attempt == 2:
                raise
    chooser.value.set_files(str(saved))
    page.wait_for_function("document.querySelector('[data-role=panel-status]').textContent.startsWith('Ready to import')")
    assert focused(page)["action"] == "apply"  # the preview puts focus on Add to my answers
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('[data-role=panel-status]').textContent.startsWith('Imported')")
    for q in QUESTIONS:
        assert shown(page, q.id) == expected(q.id, PLAN[q.id]), q.id

    # a malformed, a foreign and a newer file are each rejected with a message, and nothing is lost
    bad_files = {"broken.json": "{not json", "foreign.json": json.dumps({"hello": "world"}),
                 "newer.json": json.dumps({"schema": "nasams-course/responses@3", "learner": "", "responses": []})}
    for name, text in bad_files.items():
        path = tmp_path / name
        path.write_text(text)
        page.set_input_files("#nasams-import", str(path))
        page.wait_for_function("document.querySelector('[data-role=panel-status]').textContent.startsWith('Not imported')")
        status = page.inner_text("[data-role=panel-status]")
        assert "unchanged" in status, status
    reload(page)
    for q in QUESTIONS:
        assert shown(page, q.id) == expected(q.id, PLAN[q.id]), q.id

    assert page.errors == []
    same_host_only(page, base)


def first_line(page, qid) -> str | None:
    line = page.locator(f'form[data-question="{qid}"] [data-role=first-line]')
    return line.inner_text() if line.is_visible() else None


def test_every_attempt_is_kept_and_first_and_latest_scores_match_the_grader(page, base, tmp_path):
    """Answer each question twice by keyboard (a weaker first attempt, then the plan); the page shows the first
    attempt's score beside the latest, the file keeps both, and `nasams-course grade` agrees on both."""
    page.goto(f"{base}/{EXEMPLAR}")

    first = {q.id: weak_answer(q) for q in QUESTIONS}
    for q in QUESTIONS:
        answer_by_keyboard(page, q, first[q.id])
        assert first_line(page, q.id) is None  # one attempt so far: nothing to compare
        answer_by_keyboard(page, q, PLAN[q.id])
        assert shown(page, q.id) == expected(q.id, PLAN[q.id]), q.id
        first_score = percent(score_item(q, first[q.id]).score)
        assert f"first attempt scored {first_score}" in first_line(page, q.id), q.id
    reload(page)
    for q in QUESTIONS:  # after a reload the latest answer shows, with the first attempt's score
        assert shown(page, q.id) == expected(q.id, PLAN[q.id]), q.id
        assert f"first attempt scored {percent(score_item(q, first[q.id]).score)}" in first_line(page, q.id)

    saved = download_by_keyboard(page, tmp_path / "two-attempts.json")
    data = json.loads(saved.read_text())
    assert data["schema"] == "nasams-course/responses@2"
    assert len(data["responses"]) == 2 * len(QUESTIONS)
    graded = {i["question"]: i for i in grade_json(saved, check=True)["items"]}
    for q in QUESTIONS:
        assert percent(graded[q.id]["score"]) == shown(page, q.id)["score"], q.id
        assert percent(graded[q.id]["first_score"]) in first_line(page, q.id), q.id

    # importing the same file again adds nothing; a file with an older attempt merges it in, and the latest counts
    status = import_files(page, tmp_path, {"again.json": saved.read_text()})
    assert status.startswith("Nothing new to import") and page.locator("[data-action=apply]").is_hidden()
    q = QUESTIONS[0]
    status = import_file(page, tmp_path, "older.json", {"schema": "nasams-course/responses@1", "learner": "A colleague",
                         "responses": [{"question": q.id, "answer": first[q.id], "at": "2020-01-01T00:00:00Z"}]})
    assert "0 new, 1 attempt added, 0 conflicts" in status and "Imported 1 new item" in status
    assert shown(page, q.id) == expected(q.id, PLAN[q.id])  # the older attempt does not replace the latest
    kept = page.evaluate(f"JSON.parse(localStorage.getItem('nasams-course:nasams-ethics:q:{q.id}')).attempts.length")
    assert kept == 3
    assert page.errors == []


def test_submitting_nothing_says_what_to_do_and_saves_nothing(page, base):
    page.goto(f"{base}/{EXEMPLAR}")
    q = next(q for q in QUESTIONS if q.kind == "single")
    tab_until(page, lambda s: s["form"] == q.id and "nq-submit" in s["cls"])
    page.keyboard.press("Enter")
    form = page.locator(f'form[data-question="{q.id}"]')
    assert "Choose an answer" in form.locator("[data-role=status]").inner_text()
    assert not form.locator("[data-role=result]").is_visible()
    assert page.evaluate("Object.keys(localStorage).filter(k => k.includes(':q:')).length") == 0


def test_a_corrupted_store_is_set_aside_with_a_notice(page, base):
    page.goto(f"{base}/{EXEMPLAR}")
    qid = QUESTIONS[0].id
    seed(page, {f"nasams-course:nasams-ethics:q:{qid}": "{broken"})
    assert "set aside" in page.inner_text("[data-role=panel-status]")
    kept = page.evaluate("Object.entries(localStorage).filter(([k]) => k.includes('set-aside')).map(([, v]) => v)")
    assert kept == ["{broken"]
    assert page.locator("form.nasams-quiz").count() == len(QUESTIONS)
    assert page.errors == []


def book_pages() -> list[str]:
    import re

    return [f"{p}.html" for p in re.findall(r"file: (book/\S+)", (REPO / "_toc.yml").read_text())]


# -- bad input in the browser: nothing lost, nothing run ------------------------------------------------------------

KEY = "nasams-course:nasams-ethics:q:"


def import_files(page, tmp_path, files: dict, apply=True) -> str:
    """Choose several files at once; the page previews them; press Add to my answers (focus is on it) by keyboard.
    Returns the preview's text and, when applied, the result's."""
    paths = []
    for name, data in files.items():
        paths.append(tmp_path / name)
        paths[-1].write_text(data if isinstance(data, str) else json.dumps(data))
    page.evaluate("document.querySelector('[data-role=panel-status]').textContent = ''")
    page.set_input_files("#nasams-import", [str(p) for p in paths])
    page.wait_for_function("document.querySelector('[data-role=panel-status]').textContent !== ''")
    status = page.inner_text("[data-role=panel-status]")
    if apply and page.locator("[data-action=apply]").is_visible():
        assert focused(page)["action"] == "apply"
        page.keyboard.press("Enter")
        page.wait_for_function("document.querySelector('[data-role=panel-status]').textContent.startsWith('Imported')")
        status += "\n" + page.inner_text("[data-role=panel-status]")
    return status


def import_file(page, tmp_path, name, data, apply=True) -> str:
    return import_files(page, tmp_path, {name: data}, apply)


def test_a_null_answer_in_storage_or_in_a_file_cannot_break_the_page(page, base, tmp_path):
    q = next(q for q in QUESTIONS if q.kind == "single")
    page.goto(f"{base}/{EXEMPLAR}")
    seed(page, {KEY + q.id: json.dumps({"answer": None, "at": "2026-01-01T00:00:00Z"})})
    assert page.errors == []
    assert page.locator(".nasams-answers").is_visible()
    assert "set aside" in page.inner_text("[data-role=panel-status]")
    url = page.url
    answer_by_keyboard(page, q, PLAN[q.id])
    assert page.url == url and shown(page, q.id) == expected(q.id, PLAN[q.id])
    status = import_file(page, tmp_path, "null.json", {"schema": "nasams-course/responses@1", "learner": "A", "responses": [
        {"question": q.id, "answer": None, "at": "2026-01-01T00:00:00Z"}]})
    assert "Nothing new to import" in status and "responses[0]: the answer is empty" in status
    reload(page)
    assert shown(page, q.id) == expected(q.id, PLAN[q.id]) and page.errors == []


def test_a_hostile_file_is_shown_as_text_and_runs_nothing(page, base, tmp_path):
    page.goto(f"{base}/{EXEMPLAR}")
    q = QUESTIONS[0]
    status = import_file(page, tmp_path, "hostile.json", {
        "schema": "nasams-course/responses@2", "learner": "<img src=x onerror=\"window.pwned=1\">",
        "responses": [{"question": "<svg onload=window.pwned=2>", "answer": "a", "at": "2026-01-01T00:00:00Z"},
                      {"question": q.id, "answer": "<b>x</b>", "at": "2026-01-01T00:00:00Z"}]})
    assert "<img src=x" in status  # shown as text
    assert page.locator(".nasams-answers img, .nasams-answers svg, .nasams-answers b").count() == 0
    assert page.evaluate("window.pwned") is None and page.errors == []
    assert page.evaluate(f"localStorage.getItem('{KEY}{q.id}')") is None


def test_a_future_dated_or_a_colleagues_file_never_replaces_answers_and_can_be_undone(page, base, tmp_path):
    page.goto(f"{base}/{EXEMPLAR}")
    q = next(q for q in QUESTIONS if q.kind == "single")
    tab_until(page, lambda s: s["id"] == "nasams-learner")
    page.keyboard.type("Ana Ruiz")
    page.keyboard.press("Tab")
    answer_by_keyboard(page, q, PLAN[q.id])
    other = next(o.id for o in q.options if o.id != PLAN[q.id])
    status = import_file(page, tmp_path, "future.json", {"schema": "nasams-course/responses@2", "learner": "Ana Ruiz",
                         "responses": [{"question": q.id, "answer": other, "at": "2999-01-01T00:00:00Z"}]})
    assert "'at' is in the future" in status
    assert shown(page, q.id) == expected(q.id, PLAN[q.id])

    status = import_file(page, tmp_path, "colleague.json", {"schema": "nasams-course/responses@2", "learner": "Dev Patel",
                         "responses": [{"question": q.id, "answer": other, "at": "2026-12-01T00:00:00Z"}]})
    assert "This file is Dev Patel's, not yours (Ana Ruiz)" in status and "nothing was replaced" in status
    assert page.evaluate(f"JSON.parse(localStorage.getItem('{KEY}{q.id}')).attempts.length") == 2
    tab_until(page, lambda s: s["action"] == "undo")
    page.keyboard.press("Enter")
    assert "undone" in page.inner_text("[data-role=panel-status]")
    assert page.evaluate(f"JSON.parse(localStorage.getItem('{KEY}{q.id}')).attempts.length") == 1
    assert shown(page, q.id) == expected(q.id, PLAN[q.id]) and page.errors == []


def test_full_storage_still_shows_and_downloads_the_saved_answers(page, base, tmp_path):
    page.goto(f"{base}/{EXEMPLAR}")
    first, second = QUESTIONS[0], QUESTIONS[1]
    answer_by_keyboard(page, first, PLAN[first.id])
    # another local page fills the shared storage to the last byte
    page.evaluate("""() => { let chunk = 'x'.repeat(1 << 20), i = 0;
        while (chunk.length) { try { localStorage.setItem('other-page:' + i++, chunk); } catch (e) { chunk = chunk.slice(0, chunk.length >> 1); } } }""")
    reload(page)
    assert "answer" in page.inner_text("[data-role=count]") and page.inner_text("[data-role=count]").startswith("1 answer")
    answer_by_keyboard(page, second, PLAN[second.id])
    form = page.locator(f'form[data-question="{second.id}"]')
    assert "storage for the book is full" in form.locator("[data-role=status]").inner_text()
    assert shown(page, second.id)["visible"]  # the learner still sees the feedback
    saved = download_by_keyboard(page, tmp_path / "full.json")
    assert [e["question"] for e in json.loads(saved.read_text())["responses"]] == [first.id]
    assert page.errors == []


def test_two_tabs_keep_every_answer(browser, base, tmp_path):
    context = browser.new_context(accept_downloads=True)
    a, b = context.new_page(), context.new_page()
    for pg in (a, b):
        pg.goto(f"{base}/{EXEMPLAR}")
    q1, q2 = QUESTIONS[0], QUESTIONS[1]
    answer_by_keyboard(a, q1, PLAN[q1.id])
    answer_by_keyboard(b, q2, PLAN[q2.id])
    answer_by_keyboard(b, q1, PLAN[q1.id])
    a.wait_for_function("document.querySelector('[data-role=count]').textContent.startsWith('2 answers')")
    assert shown(a, q2.id) == expected(q2.id, PLAN[q2.id])  # the other tab's answer shows here too
    a.fill("#nasams-learner", "Sam Okafor")
    with a.expect_download() as info:
        a.click("[data-action=download]")
    saved = tmp_path / "tabs.json"
    info.value.save_as(saved)
    entries = json.loads(saved.read_text())["responses"]
    assert sorted(e["question"] for e in entries) == sorted([q1.id, q1.id, q2.id])
    context.close()


# -- the learner's own record: the progress page -----------------------------------------------------------------------

PROGRESS = "book/orientation/progress.html"


def test_progress_page_equals_the_grader_on_the_downloaded_file(page, base, tmp_path):
    """A partial run with a critical error and a repeated attempt: every figure on the progress page equals
    `nasams-course grade --json` on the file the Download button saves."""
    page.goto(f"{base}/{EXEMPLAR}")

    for q in QUESTIONS[:5]:
        answer_by_keyboard(page, q, PLAN[q.id])  # the plan includes critical errors
    answer_by_keyboard(page, QUESTIONS[0], weak_answer(QUESTIONS[0]))  # a second attempt
    saved = download_by_keyboard(page, tmp_path / "partial.json")
    report = grade_json(saved)
    assert any(i["critical"] for i in report["items"]), "the run includes a critical error"

    page.goto(f"{base}/{PROGRESS}")
    page.wait_for_function("document.querySelector('.nasams-progress [data-role=summary]').textContent.includes('of 44')")
    started = [p for p in report["provisions"] if p["score"] is not None]
    assert page.inner_text(".nasams-progress [data-role=summary]").startswith(f"{len(started)} of 44 provisions")
    assert page.inner_text(".nasams-progress > section [data-role=score]") == percent(report["score"])
    assert page.inner_text(".nasams-progress [data-role=first-score]") == percent(report["first_score"])
    assert page.inner_text(".nasams-progress > section [data-role=level]") == level_for(report["score"])
    assert page.inner_text(".nasams-progress [data-role=complete]") == "Complete: no."
    for d in report["domains"]:
        row = page.locator(f"tr[data-domain='{d['id']}']")
        assert row.locator("[data-role=score]").inner_text() == ("–" if d["score"] is None else percent(d["score"]))
        assert row.locator("[data-role=level]").inner_text() == (d["level"] or "Not started")
    for p in report["provisions"]:
        cell = page.locator(f".np-cell[data-provision='{p['id']}']")
        shown_level = cell.locator("[data-role=level]").inner_text()
        assert shown_level.startswith(p["level"] or "Not started"), p["id"]
        assert cell.locator("[data-role=critical]").is_visible() == p["critical"], p["id"]
    crit = [i for i in report["items"] if i["critical"]]
    assert page.locator("[data-role=critical-list] li").count() == len(crit)
    first = page.locator("[data-role=critical-list] li").first.inner_text()
    assert f"(breaches {', '.join(crit[0]['breached'])})" in first
    answered = page.locator("tr[data-chapter='victims-and-privilege'] [data-role=answered]").inner_text()
    assert answered == f"5 of {len(QUESTIONS)}"
    assert page.locator("[data-role=next] li").count() == 5
    first_next = page.locator("[data-role=next] li").first.inner_text()
    assert "critical error to review" in first_next  # what to do next starts with the critical errors
    # every link on the page leads to a page of the book
    for href in page.eval_on_selector_all(".nasams-progress a", "els => els.map(a => a.href)"):
        target = href.split("#")[0]
        assert target.startswith(base) and (HTML / target[len(base) + 1:]).exists(), href
    assert page.errors == []
    same_host_only(page, base)


def test_progress_page_leaves_out_an_unreadable_saved_answer_and_says_so(page, base):
    page.goto(f"{base}/{PROGRESS}")
    q = QUESTIONS[0]
    seed(page, {KEY + q.id: json.dumps({"attempts": [{"answer": "no-such-option", "at": "2026-01-01T00:00:00.000Z"}]})})
    page.wait_for_function("document.querySelector('.nasams-progress [data-role=summary]').textContent.includes('of 44')")
    assert "could not be read" in page.inner_text(".nasams-progress [data-role=summary]")
    assert page.errors == []


def test_home_starts_and_then_continues_at_the_first_unanswered_question(page, base):
    from nasams_course.trainer import keyed_answer

    page.goto(f"{base}/book/orientation/intro.html")
    first_chapter = next(iter(BANK.chapters))
    qs = BANK.questions_in_chapter(first_chapter)
    link = page.locator("[data-role=start]")
    assert link.inner_text() == "Start the course"
    assert link.get_attribute("href").endswith(f"{BANK.page_of[first_chapter]}.html")
    seed(page, {KEY + qs[0].id: json.dumps({"attempts": [{"answer": keyed_answer(qs[0]),
                                                          "at": "2026-01-01T00:00:00.000Z"}]})})
    assert link.inner_text() == "Continue where you left off"
    assert link.get_attribute("href").endswith(f"{BANK.page_of[first_chapter]}.html#quiz-{qs[1].id}")
    tab_until(page, lambda s: s["tag"] == "A" and "np-start" in s["cls"])
    page.keyboard.press("Enter")
    page.wait_for_url(f"**#quiz-{qs[1].id}")
    assert page.locator(f"#quiz-{qs[1].id}").is_visible() and page.errors == []
