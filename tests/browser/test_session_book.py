"""A session book in headless Chromium, from disk and from a web server: it opens with no request to another host
and no error, Start leads to its first chapter, a quiz works, the downloaded response file names the session and
holds only the session's answers (and grades complete against it), and every page passes axe-core in light and dark
mode. The two example sessions' guide and handout PDFs (printed by Chromium) hold what they must."""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

from conftest import EXAMPLE_SESSIONS
from nasams_course.content.loader import load_bank_or_raise
from nasams_course.trainer import keyed_answer
from nasams_course.training.guides import key_text, letters
from nasams_course.training.syllabus import load_syllabus

from .conftest import AXE, REPO, _Quiet, axe_serious, grade_json

pytestmark = pytest.mark.browser

SYLLABUS = REPO / "syllabi" / "confidentiality-and-victims.yml"
BANK = load_bank_or_raise(REPO)
PLAN = load_syllabus(SYLLABUS, BANK).plan
PARTIAL = "book/unprofessional/confidentiality-and-boundaries.html"


@pytest.fixture(scope="module")
def html(session_build) -> Path:
    out, _ = session_build(PLAN.id)  # built once per test run (tests/conftest.py)
    return out / "html"


@pytest.fixture(scope="module")
def session_browser(browser):
    """The suite's one Chromium (a second sync Playwright cannot start while the first runs)."""
    return browser


@pytest.fixture(scope="module")
def session_server(html):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(html)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(params=["file", "http"])
def session_base(request, html, session_server) -> str:
    return html.as_uri() if request.param == "file" else session_server


def test_answer_download_and_grade_a_session(session_browser, session_base, tmp_path):
    context = session_browser.new_context(accept_downloads=True)
    page = context.new_page()
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{session_base}/index.html")
    page.wait_for_url("**/book/orientation/session.html")  # the book's root redirects to its home page
    assert page.title().startswith(PLAN.title.split(":")[0])
    start = page.locator(".nasams-start [data-role=start]")
    assert start.get_attribute("href").endswith(f"{BANK.page_of[PLAN.chapters[0]]}.html")
    # an answer the course's book saved in the same browser store: not the session's, so not in its file
    page.evaluate("localStorage.setItem('nasams-course:nasams-ethics:q:q-e1-sobriety-date', JSON.stringify("
                  "{attempts: [{answer: 'x', at: '2026-01-01T00:00:00.000Z'}]}))")
    page.goto(f"{session_base}/{PARTIAL}")
    qid = next(q for q in PLAN.blocks[-1].questions if BANK.questions[q].kind == "single")
    answer = keyed_answer(BANK.questions[qid])
    form = page.locator(f'form[data-question="{qid}"]')
    form.locator(f'input[value="{answer}"]').check()
    form.locator(".nq-submit").click()
    assert form.locator("[data-role=score]").inner_text() == "100%"
    page.fill("#nasams-learner", "Sam Okafor")
    with page.expect_download() as info:
        page.click("[data-action=download]")
    download = info.value
    assert download.suggested_filename == f"nasams-responses-{PLAN.id}-Sam-Okafor.json"
    path = tmp_path / "sam.json"
    download.save_as(path)
    data = json.loads(path.read_text())
    assert data["session"] == PLAN.id and data["learner"] == "Sam Okafor"
    assert [e["question"] for e in data["responses"]] == [qid]  # the session's answers only
    hosts = {urlparse(u).hostname for u in requests if u.startswith("http")}
    assert hosts <= {"127.0.0.1"} and errors == []
    context.close()
    report = grade_json(path, "--session", str(SYLLABUS), check=True)
    assert [i["question"] for i in report["items"]] == [qid] and report["items"][0]["score"] == 1


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_no_serious_accessibility_violations_on_any_session_page(session_browser, session_server, html, mode):
    assert AXE.exists(), "make browser-deps installs axe-core"
    context = session_browser.new_context(color_scheme=mode)
    page = context.new_page()
    found = {}
    for path in sorted(p.relative_to(html).as_posix() for p in (html / "book").rglob("*.html")):
        page.goto(f"{session_server}/{path}")
        assert page.evaluate("document.documentElement.dataset.theme") == mode
        if serious := axe_serious(page):
            found[path] = serious
    context.close()
    assert found == {}


# ---- the guide and handout PDFs of the two example sessions ------------------------------------------------------

def pdf_text(path: Path) -> str:
    """A PDF's text, white space as single spaces, a word hyphenated over two lines ("work- product") joined again."""
    from pypdf import PdfReader

    return re.sub(r"(\w)- (\w)", r"\1-\2", " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split()))


def words(s: str) -> str:
    return " ".join(s.split())


@pytest.fixture(scope="module", params=EXAMPLE_SESSIONS)
def printed(request, session_build):
    out, result = session_build(request.param)
    plan = load_syllabus(REPO / "syllabi" / f"{request.param}.yml", BANK).plan
    assert result["guide_pdf"] == str(out / f"{plan.id}-facilitator-guide.pdf")
    assert result["handout_pdf"] == str(out / f"{plan.id}-handout.pdf")
    return plan, pdf_text(result["guide_pdf"]), pdf_text(result["handout_pdf"])


def test_the_guide_pdf_holds_the_title_every_case_and_every_key(printed):
    plan, guide, _ = printed
    assert words(plan.title) in guide
    assert [v for v in plan.vignettes if f"Case: {words(BANK.vignettes[v].title)}" not in guide] == []
    # every option of every chosen question, with its key beside it (credit, applies, keyed rating, step)
    missing = [(q.id, o.id) for q in map(BANK.questions.get, plan.questions) for o in q.options
               if words(f"{o.text} {key_text(q, o)}") not in guide]
    assert missing == []
    orders = [q for q in map(BANK.questions.get, plan.questions) if q.kind == "order"]
    assert all("Keyed order: " + ", ".join(letters(q)[k] for k in q.key) in guide for q in orders)


def test_the_handout_pdf_holds_the_title_every_case_and_no_key(printed):
    plan, _, handout = printed
    assert words(plan.title) in handout and "Name:" in handout
    assert [v for v in plan.vignettes if f"Case: {words(BANK.vignettes[v].title)}" not in handout] == []
    questions = [BANK.questions[q] for q in plan.questions]
    assert [q.id for q in questions if words(q.stem) not in handout] == []
    assert [o.rationale for q in questions for o in q.options if words(o.rationale) in handout] == []
    assert [k for q in questions for o in q.options for k in [key_text(q, o)] if k in handout] == []
