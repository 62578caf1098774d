"""Browser fixtures: Debian's Chromium driven by Playwright, the built book from disk and from a local server."""

from __future__ import annotations

import functools
import http.server
import itertools
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[2]
# the built book; NASAMS_HTML points the tests at another build (e.g. jupyter-book build . --path-output DIR)
HTML = Path(os.environ.get("NASAMS_HTML", REPO / "_build" / "html"))
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-default-apps"]


def grade_json(path, *options: str, check: bool = False) -> dict:
    """`nasams-course grade PATH --json [OPTIONS]`: the report of the one file, as the command prints it (its
    object's `report` in the list grade prints; `check` asks for exit status 0)."""
    out = subprocess.run([sys.executable, "-m", "nasams_course", "--root", str(REPO), "grade", str(path), "--json",
                          *options], capture_output=True, text=True, check=check, timeout=120)
    [graded] = json.loads(out.stdout)
    assert graded["file"] == str(path), out.stderr
    return graded["report"]


#: waits until the page's CSS transitions and animations that end have ended (not those that repeat for ever): axe-core
#: reads colours as drawn, and a colour or opacity still fading in (the theme's sidebar, 0.25 s) once failed
#: color-contrast on a page that passes when drawn whole (1 run in 7 on 2 December 2026)
SETTLED = """async () => {
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  await Promise.all(document.getAnimations()
    .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
    .map(a => a.finished.catch(() => null)));
}"""


def axe_serious(page) -> list:
    """axe-core's serious and critical violations on the page once drawn (SETTLED): (rule, impact, how many nodes, the
    first node's selector) each."""
    page.add_script_tag(path=str(AXE))
    page.evaluate(SETTLED)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], v["impact"], len(v["nodes"]), v["nodes"][0]["target"]) for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Chromium is not installed: `make browser-deps` (apt-get install chromium) installs it")
    return path


def reload(page) -> None:
    """Reload, then wait until the new document has run its scripts. CI once (2 December) read a reloaded chapter
    whose first saved answer was not yet shown (1 run in 30 reproduced it here): what a reload's test reads
    must be what the page shows once loaded, so this waits for a document without the old one's marker whose
    readyState is complete (the book's scripts are deferred: they run before that)."""
    page.evaluate("window.__nasamsBeforeReload = true")
    page.reload()
    page.wait_for_function("!window.__nasamsBeforeReload && document.readyState === 'complete'")


def seed(page, items: dict[str, str]) -> None:
    """Reload the page with `items` in its localStorage, set by the new document itself before the book's scripts
    run. Items set by the old document reach a reloaded one only a moment later in Chromium, sometimes after its
    scripts have read the store (CI failed on this three times on 1 and 2 December): a test that seeds answers
    to read them back must not depend on that. The seeding runs once per tab (a sessionStorage mark), so the
    page's own later writes survive the test's later reloads."""
    mark = f"nasams-test-seed:{next(_SEEDS)}"
    page.add_init_script(script=f"""(() => {{
      if (sessionStorage.getItem({json.dumps(mark)})) return;
      sessionStorage.setItem({json.dumps(mark)}, "1");
      for (const [k, v] of Object.entries({json.dumps(items)})) localStorage.setItem(k, v);
    }})();""")
    reload(page)


_SEEDS = itertools.count()


@pytest.fixture(scope="session")
def chromium():
    """The suite's one Chromium, for tests that need no built book (a second sync Playwright cannot start while the
    first runs)."""
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def browser(chromium):
    """Chromium, for tests that read the built book."""
    if not (HTML / "index.html").exists():
        pytest.fail("the book is not built: run `make book` first")
    return chromium


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def server():
    handler = functools.partial(_Quiet, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(params=["file", "http"])
def base(request, server) -> str:
    """The book's root URL: straight from disk, or from a local server."""
    return HTML.as_uri() if request.param == "file" else server


@pytest.fixture
def page(browser, base):
    """A fresh browser context (empty storage) recording every request and page error."""
    context = browser.new_context(accept_downloads=True)
    pg = context.new_page()
    pg.requests = []
    pg.errors = []
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("dialog", lambda d: d.accept())
    yield pg
    context.close()
