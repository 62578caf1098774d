"""The cohort report opened from disk in headless Chromium: nothing is requested but the page itself, no console
error, and axe-core finds no serious or critical violation in light or dark mode."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import REPO, axe_serious

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """A report of a 12-learner cohort (every section shown: statistics need 10) with critical errors."""
    out = tmp_path_factory.mktemp("report") / "report"
    files = sorted((REPO / "answers" / "responses").glob("*.json"))
    run = subprocess.run([sys.executable, "-m", "nasams_course", "--root", str(REPO), "report", *map(str, files),
                          "--out", str(out)], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    return out / "index.html"


def test_report_from_disk_requests_nothing_and_logs_no_error(browser, report):
    context = browser.new_context()
    page = context.new_page()
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(report.as_uri())
    page.wait_for_load_state("load")
    assert page.locator("svg[role=img]").count() == 2
    assert page.locator("table caption", has_text="Item statistics").count() == 1
    context.close()
    assert [u for u in requests if u != report.as_uri() and not u.startswith("data:")] == []
    assert errors == []


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_report_has_no_serious_accessibility_violations(browser, report, mode):
    # the page's Content-Security-Policy forbids every script, axe's too: the test context lets axe in
    context = browser.new_context(color_scheme=mode, bypass_csp=True)
    page = context.new_page()
    page.goto(report.as_uri())
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (mode == "dark")
    assert axe_serious(page) == []
    context.close()
