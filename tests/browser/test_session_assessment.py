"""The sealed assessment session in headless Chromium, from disk and from a web server: questions answered by keyboard
are saved with no feedback (Save answer, "Saved. You will get feedback from your trainer."), the list of answered
questions and Continue follow them, the download holds them (with certainty), and `nasams-course feedback` and
`grade --json --session` on the downloaded file agree; no key data is in the built files or in the live pages. The
session keeps its answers apart from the course's: its Clear leaves the course's answers alone. axe-core, light and
dark, on every page of the assessment session and on the feedback pages."""

from __future__ import annotations

import functools
import http.server
import json
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
from key_scan import scan
from test_feedback import agreement

from nasams_course.content.loader import load_bank_or_raise
from nasams_course.training.syllabus import load_syllabus

from .conftest import AXE, REPO, _Quiet, axe_serious, grade_json, reload

pytestmark = pytest.mark.browser

SYLLABUS = REPO / "syllabi" / "part1-assessment.yml"
BANK = load_bank_or_raise(REPO)
PLAN = load_syllabus(SYLLABUS, BANK).plan
CHAPTER = "book/ethics/confidentiality-records-rights.html"
SINGLE, MULTI, ORDER = "q-e3-purge-before-move", "q-e3-storage-practices", "q-e6-interview-sequence"
COURSE_KEY = "nasams-course:nasams-ethics:q:q-e1-sobriety-date"  # an answer the course's book saved
SAVED = "Saved. You will get feedback from your trainer."


@pytest.fixture(scope="module")
def built(session_build) -> Path:
    out, _ = session_build(PLAN.id)  # built once per test run (tests/conftest.py)
    return out


@pytest.fixture(scope="module")
def server(built):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(built / "html")))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(params=["file", "http"])
def base(request, built, server) -> str:
    return (built / "html").as_uri() if request.param == "file" else server


def answer_by_keyboard(page) -> None:
    """A single answer with low certainty, a multi answer and an order, each saved with the keyboard."""
    single = page.locator(f'form[data-question="{SINGLE}"]')
    single.locator("input[type=radio]").first.focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # to "How sure are you?" (Not stated)
    page.keyboard.press("ArrowRight")  # Low
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Save answer"
    page.keyboard.press("Enter")
    multi = page.locator(f'form[data-question="{MULTI}"]')
    multi.locator("input[type=checkbox]").first.focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    multi.locator(".nq-submit").focus()
    page.keyboard.press("Enter")
    order = page.locator(f'form[data-question="{ORDER}"]')
    order.locator(".nq-down").first.focus()
    page.keyboard.press("Enter")
    order.locator(".nq-submit").focus()
    page.keyboard.press("Enter")


def no_feedback_shown(page) -> None:
    for qid in (SINGLE, MULTI, ORDER):
        form = page.locator(f'form[data-question="{qid}"]')
        assert form.locator("[data-role=status]").inner_text() in (SAVED, "Your saved answer is shown.")
        assert form.locator(".nq-result, .nq-feedback, .nq-critical").count() == 0
        text = form.inner_text()
        assert "Score" not in text and "Level" not in text and "Feedback" not in text
    live = page.content()
    assert [o.id for q in PLAN.questions for o in BANK.questions[q].options if o.rationale in live] == []


def test_answer_by_keyboard_see_no_feedback_download_and_grade(chromium, base, built, tmp_path):
    context = chromium.new_context(accept_downloads=True)
    page = context.new_page()
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: d.accept())
    page.goto(f"{base}/{CHAPTER}")
    answer_by_keyboard(page)
    assert page.locator(f'form[data-question="{SINGLE}"] [data-role=status]').inner_text() == SAVED
    no_feedback_shown(page)
    reload(page)  # saved: shown again, still with no feedback
    assert page.locator(f'form[data-question="{SINGLE}"] .nq-certainty input[value="1"]').is_checked()
    no_feedback_shown(page)
    # the list of answered questions, and Continue on the home page
    page.goto(f"{base}/book/orientation/progress.html")
    rows = {r.get_attribute("data-question"): r.locator("[data-role=answered]").inner_text()
            for r in page.locator("tr[data-question]").all()}
    assert rows == {q: "Answered" if q in (SINGLE, MULTI, ORDER) else "Not answered" for q in PLAN.questions}
    assert page.locator(".nasams-answered [data-role=summary]").inner_text() == \
        f"3 of {len(PLAN.questions)} questions answered in this browser."
    page.goto(f"{base}/book/orientation/session.html")
    assert page.locator(".nasams-start [data-role=start]").inner_text() == "Continue where you left off"
    page.fill("#nasams-learner", "Ana Ruiz")
    with page.expect_download() as info:
        page.click("[data-action=download]")
    path = tmp_path / "ana.json"
    info.value.save_as(path)
    data = json.loads(path.read_text())
    assert data["session"] == PLAN.id and sorted(e["question"] for e in data["responses"]) == sorted([SINGLE, MULTI,
                                                                                                     ORDER])
    assert next(e for e in data["responses"] if e["question"] == SINGLE)["certainty"] == 1
    hosts = {urlparse(u).hostname for u in requests if u.startswith("http")}
    assert hosts <= {"127.0.0.1"} and errors == []
    context.close()
    # the trainer's side: feedback and grade agree on the downloaded file
    out = tmp_path / "feedback"
    run = subprocess.run([sys.executable, "-m", "nasams_course", "--root", str(REPO), "feedback", str(path),
                          "--session", str(SYLLABUS), "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    report = grade_json(path, "--session", str(SYLLABUS), check=True)
    assert sorted(i["question"] for i in report["items"]) == sorted([SINGLE, MULTI, ORDER])
    page_html = (out / "ana-ruiz.html").read_text()
    assert agreement(page_html, report) == []
    assert "How sure you said you were: low." in page_html
    # and nothing in the built session gives the key away
    assert not scan(built, PLAN.id, [BANK.questions[q] for q in PLAN.questions])


def test_a_sessions_clear_leaves_the_courses_answers(chromium, base):
    context = chromium.new_context()
    page = context.new_page()
    page.on("dialog", lambda d: d.accept())
    page.goto(f"{base}/{CHAPTER}")
    page.evaluate(f"localStorage.setItem('{COURSE_KEY}', JSON.stringify("
                  "{attempts: [{answer: 'x', at: '2026-01-01T00:00:00.000Z'}]}))")
    answer_by_keyboard(page)
    prefix = f"nasams-course:session:{PLAN.id}:"
    keys = page.evaluate("Object.keys(localStorage)")
    assert sorted(k for k in keys if k.startswith(prefix + "q:")) == sorted(prefix + f"q:{q}" for q in (SINGLE, MULTI,
                                                                                                         ORDER))
    page.goto(f"{base}/book/orientation/session.html")
    # the chapter page's last writes reach the store a moment after it is left (Chromium commits them to the browser
    # process asynchronously); the panel recounts when they land (its "storage" listener)
    page.wait_for_function("document.querySelector('[data-role=count]').textContent.startsWith('3 answers')",
                           timeout=5000)
    assert page.locator("[data-role=count]").inner_text().startswith("3 answers saved")  # not the course's
    page.click("[data-action=clear]")
    page.wait_for_function("document.querySelector('[data-role=count]').textContent.startsWith('0 answers')")
    keys = page.evaluate("Object.keys(localStorage)")
    assert [k for k in keys if k.startswith(prefix + "q:")] == [] and COURSE_KEY in keys
    context.close()


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_no_serious_accessibility_violations_on_the_assessment_or_the_feedback_pages(chromium, server, built, mode,
                                                                                     tmp_path):
    assert AXE.exists(), "make browser-deps installs axe-core"
    data = {"schema": "nasams-course/responses@2", "learner": "Ana Ruiz", "session": PLAN.id, "responses": [
        {"question": q, "answer": BANK.questions[q].options[0].id if BANK.questions[q].kind == "single" else
         [BANK.questions[q].options[0].id] if BANK.questions[q].kind == "multi" else
         {o.id: 4 for o in BANK.questions[q].options} if BANK.questions[q].kind == "rate" else
         [o.id for o in BANK.questions[q].options], "at": "2026-11-09T10:00:00Z", "certainty": 3}
        for q in PLAN.questions[1:]]}  # every kind, critical errors among them, one question unanswered
    (tmp_path / "ana.json").write_text(json.dumps(data))
    run = subprocess.run([sys.executable, "-m", "nasams_course", "--root", str(REPO), "feedback",
                          str(tmp_path / "ana.json"), "--session", str(SYLLABUS), "--out", str(tmp_path / "fb")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    context = chromium.new_context(color_scheme=mode)
    page = context.new_page()
    found = {}
    html = built / "html"
    pages = [f"{server}/{p.relative_to(html).as_posix()}" for p in sorted((html / "book").rglob("*.html"))]
    pages += [(tmp_path / "fb" / name).as_uri() for name in ("index.html", "ana-ruiz.html")]
    for url in pages:
        page.goto(url)
        if serious := axe_serious(page):
            found[url] = serious
    context.close()
    assert found == {}
