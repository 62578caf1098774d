"""Print self-contained HTML pages to PDF with Debian's Chromium, driven by Playwright, offline.

Chosen over WeasyPrint 70.0 after printing the same 32-page facilitator guide (two chapters, 18 questions) with
both: the same pages and page breaks, Liberation Sans embedded by both; WeasyPrint took 4.1-4.3 s for the guide and
3.1-3.3 s for the handout, Chromium 3.3-4.2 s for the guide alone and 3.7-4.3 s for guide and handout together (about
0.5 s a document; the rest is starting Playwright and Chromium once). Chromium also writes a tagged PDF with an
outline, is the engine the browser tests and the book's print stylesheet already rely on, and needs no new dependency.
Every request a page makes is refused and reported: a printed page carries everything it shows."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

#: the flags the browser tests run Chromium with: no sandbox (root in CI), no GPU, and nothing fetched in the background
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-default-apps"]


class PdfError(RuntimeError):
    """A PDF could not be printed (no Chromium, or a page that asks for something from outside)."""


def chromium_executable() -> str:
    """Debian's Chromium (the `chromium` package), wherever PATH finds it."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise PdfError("Chromium is not installed, and PDFs are printed with it: "
                       "install it with `apt-get install chromium` (or `make browser-deps`)")
    return path


def print_pdfs(pages: Iterable[tuple[str, Path]]) -> None:
    """Print each (html, pdf_path) with one Chromium: Letter paper unless the page's CSS says otherwise, backgrounds
    kept, a tagged PDF with an outline from the headings. JavaScript is off and every request is refused.

    Playwright's synchronous API refuses to start inside a running event loop (a Jupyter kernel, or another
    Playwright in this thread): there, the pages are printed from a thread of their own."""
    pages = list(pages)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _print(pages)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_print, pages).result()


def _print(pages: list[tuple[str, Path]]) -> None:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright  # only printing needs it

    executable = chromium_executable()
    try:
        _print_with(sync_playwright, executable, pages)
    except PlaywrightError as exc:  # Chromium would not start, or crashed: one line, not a traceback
        raise PdfError(f"Chromium ({executable}) could not print: {str(exc).strip().splitlines()[0]}") from exc


def _print_with(sync_playwright, executable: str, pages: Iterable[tuple[str, Path]]) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(java_script_enabled=False, offline=True)
            page = context.new_page()
            requested: list[str] = []
            # every request is refused; it is noted when it is made, as the route never sees a file: URL (Chromium
            # refuses those itself, and the PDF would be printed without what they hold)
            page.on("request", lambda request: requested.append(request.url))
            page.route("**/*", lambda route: route.abort())
            for html, pdf_path in pages:
                page.set_content(html, wait_until="load")
                if requested:
                    raise PdfError(f"{pdf_path}: the page asks for {requested[0]}; a printed page must carry "
                                   "everything it shows")
                page.pdf(path=str(pdf_path), format="Letter", prefer_css_page_size=True, print_background=True,
                         tagged=True, outline=True)
        finally:
            browser.close()


def print_pdf(html: str, pdf_path: Path) -> None:
    """Print one self-contained HTML page to a PDF file."""
    print_pdfs([(html, Path(pdf_path))])
