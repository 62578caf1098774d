"""A session's build printing its guide and handout PDFs with Chromium (tests/test_session_book.py's other build
tests run without it): the PDFs are written and their printing time is counted within the build's."""

from __future__ import annotations

import pytest
from test_session_book import BANK, fake_jupyter_book, tiny_plan  # noqa: F401 (a fixture)

from conftest import REPO
from nasams_course.training.session_book import build

pytestmark = [pytest.mark.browser, pytest.mark.pdf]


def test_a_build_with_the_pdfs_counts_their_printing_time_within_its_own(tmp_path, fake_jupyter_book):  # noqa: F811
    fake_jupyter_book()
    out = tmp_path / "out"
    built = build(tiny_plan(), BANK, REPO, out)
    assert [p.name for p in built.guides] == ["tiny-facilitator-guide.html", "tiny-facilitator-guide.pdf",
                                              "tiny-handout.html", "tiny-handout.pdf"]
    assert all(p.read_bytes().startswith(b"%PDF-") for p in built.guides if p.suffix == ".pdf")
    assert 0 < built.pdf_seconds < built.seconds
