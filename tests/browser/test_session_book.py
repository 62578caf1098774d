"""A session book in headless Chromium, from disk and from a web server: it opens with no request to another host
and no error, Start leads to its first chapter, a quiz works, the downloaded response file names the session and
holds only the session's answers (and grades complete against it), and every page passes axe-core in light and dark
mode."""

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
from playwright.sync_api import sync_playwright

from nasams_course.content.loader import load_bank_or_raise
from nasams_course.trainer import keyed_answer
from nasams_course.training.syllabus import load_syllabus

from .conftest import AXE, CHROMIUM_ARGS, REPO, _Quiet, chromium_path, grade_json
from .test_book import axe_serious

pytestmark = pytest.mark.browser

SYLLABUS = REPO / "syllabi" / "confidentiality-and-victims.yml"
BANK = load_bank_or_raise(REPO)
PLAN = load_syllabus(SYLLABUS, BANK).plan
PARTIAL = "book/unprofessional/confidentiality-and-boundaries.html"


@pytest.fixture(scope="module")
def html(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("session")
    run = subprocess.run([sys.executable, "-m", "nasams_course", "--root", str(REPO), "session", "build",
                          str(SYLLABUS), "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    return out / "html"


@pytest.fixture(scope="module")
def session_browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield b
        b.close()


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
