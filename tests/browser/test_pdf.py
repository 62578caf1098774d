"""What a reader sees in a PDF printed by nasams_course.training.pdf: the paper, the outline, the tags, the
backgrounds, no script's work, and no page printed that asks for anything from outside."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import shared_scope
from nasams_course.training import pdf

pytestmark = [pytest.mark.browser, pytest.mark.pdf]  # Chromium: `make browser` installs it first

LETTER_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Letter</title>
<style>.band { background: rgb(255, 0, 0); height: 2in; }</style></head>
<body><h1>First heading</h1><div class="band"></div><h2>Second heading</h2><p>Plain text.</p>
<p id="js">No script ran.</p>
<script>document.getElementById("js").textContent = "SCRIPT-WROTE-THIS"; document.body.append("SCRIPT-APPENDED");</script>
</body></html>"""

A4_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>A4</title>
<style>@page { size: A4; }</style></head><body><h1>On A4</h1><p>The page's CSS asks for A4.</p></body></html>"""


@pytest.fixture(scope=shared_scope)  # each test reads it: mutmut must see each reach the printing
def printed(tmp_path_factory) -> tuple[PdfReader, PdfReader]:
    """Both pages printed with one Chromium, from inside a running event loop (as in a Jupyter kernel)."""
    out = tmp_path_factory.mktemp("pdf")

    async def in_a_loop() -> None:
        pdf.print_pdfs([(LETTER_PAGE, out / "letter.pdf"), (A4_PAGE, out / "a4.pdf")])

    # asyncio.run in a thread of its own: this thread may already run a loop (the suite's Playwright browser)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, in_a_loop()).result()
    return PdfReader(out / "letter.pdf"), PdfReader(out / "a4.pdf")


def size(reader: PdfReader) -> tuple[int, int]:
    box = reader.pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


def test_the_paper_is_letter_unless_the_page_css_asks_for_another(printed):
    letter, a4 = printed
    assert size(letter) == (612, 792)
    assert size(a4) == (595, 842)


def test_the_pdf_has_an_outline_from_the_headings_and_is_tagged(printed):
    for reader, titles in zip(printed, (["First heading", "Second heading"], ["On A4"]), strict=True):
        found = []
        stack = list(reader.outline)
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack[:0] = item
            else:
                found.append(item.title)
        assert found == titles
        assert "/StructTreeRoot" in reader.trailer["/Root"]
        assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]


def test_backgrounds_are_printed(printed):
    letter, _ = printed
    content = letter.pages[0].get_contents().get_data().decode("latin-1")
    assert re.search(r"(?<![\d.])1 0 0 (rg|sc|scn)\b", content), "the red band's fill is not in the page"


def test_no_script_runs_when_printing(printed):
    letter, _ = printed
    words = letter.pages[0].extract_text()
    assert "No script ran." in words
    assert "SCRIPT" not in words


@pytest.mark.parametrize("url", ["http://example.invalid/picture.png", "file:///etc/hostname"])
def test_a_page_that_asks_for_anything_outside_is_refused_naming_the_file_and_url(tmp_path, url):
    """A web address, or a file of this machine (which Chromium would leave out of the print unasked)."""
    page = f'<!DOCTYPE html><html lang="en"><title>x</title><p>Text</p><img src="{url}" alt="x"></html>'
    with pytest.raises(pdf.PdfError) as caught:
        pdf.print_pdf(page, tmp_path / "outside.pdf")
    assert str(caught.value) == (f"{tmp_path / 'outside.pdf'}: the page asks for {url}; a printed page must carry "
                                 "everything it shows")
    assert not (tmp_path / "outside.pdf").exists()


def test_a_chromium_that_cannot_start_is_one_line_naming_it(monkeypatch, tmp_path):
    broken = tmp_path / "chromium"
    broken.write_text("#!/bin/sh\necho 'no display here' >&2\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setattr(pdf, "chromium_executable", lambda: str(broken))
    with pytest.raises(pdf.PdfError) as caught:
        pdf.print_pdf("<!DOCTYPE html><title>x</title>", tmp_path / "x.pdf")
    message = str(caught.value)
    assert message.startswith(f"Chromium ({broken}) could not print: BrowserType.launch: ")
    assert "\n" not in message
    assert not Path(tmp_path / "x.pdf").exists()
