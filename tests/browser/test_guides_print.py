"""The session's printed material through Debian's Chromium: write_guides makes the guide and handout PDFs, whose text
(read back with pypdf) holds the session title, every case title and, in the guide only, every option's reason; hostile
text prints as text; nothing is fetched; and the guide and handout pages pass axe-core in light and dark mode.
These need Chromium but not the built book."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader
from test_guides import CATALOG, HOSTILE_TEXTS, PLAN, QUESTIONS, VIGNETTES, hostile_bank

from nasams_course.content.loader import course_bank
from nasams_course.training.guides import facilitator_guide_html, learner_handout_html, write_guides
from nasams_course.training.pdf import PdfError, print_pdf

from .conftest import axe_serious

pytestmark = [pytest.mark.browser, pytest.mark.pdf]


def words(s: str) -> str:
    """White space as single spaces; a hyphenated word broken over two lines ("work- product") joined again."""
    return re.sub(r"(\w)- (\w)", r"\1-\2", " ".join(s.split()))


def pdf_text(path) -> str:
    return words(" ".join(page.extract_text() for page in PdfReader(path).pages))


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("guides") / "sessions" / "conf-victims"  # folders that do not exist yet
    paths = write_guides(PLAN, course_bank(), CATALOG, out)
    return out, paths


def test_write_guides_makes_the_guide_and_the_handout(written):
    out, paths = written
    assert [p.name for p in paths] == ["conf-victims-facilitator-guide.html", "conf-victims-facilitator-guide.pdf",
                                       "conf-victims-handout.html", "conf-victims-handout.pdf"]
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)
    for p in paths:
        assert p.stat().st_size > 1000
        if p.suffix == ".pdf":
            assert p.read_bytes().startswith(b"%PDF-")


def test_the_guide_pdf_holds_the_title_every_case_and_every_reason(written):
    out, _ = written
    reader = PdfReader(out / "conf-victims-facilitator-guide.pdf")
    assert reader.metadata.title == f"{PLAN.title}: facilitator guide"
    page = pdf_text(out / "conf-victims-facilitator-guide.pdf")
    assert PLAN.title in page
    assert [v.title for v in VIGNETTES if f"Case: {words(v.title)}" not in page] == []
    assert [o.rationale for q in QUESTIONS for o in q.options if words(o.rationale) not in page] == []


def test_the_handout_pdf_holds_the_title_every_case_and_no_reason(written):
    out, _ = written
    page = pdf_text(out / "conf-victims-handout.pdf")
    assert PLAN.title in page and "Name:" in page
    assert [v.title for v in VIGNETTES if f"Case: {words(v.title)}" not in page] == []
    assert [q.id for q in QUESTIONS if words(q.stem) not in page] == []
    assert [o.rationale for q in QUESTIONS for o in q.options if words(o.rationale) in page] == []
    assert "Credit" not in page and "Keyed" not in page and "violation" not in page


def test_the_pdfs_are_tagged_have_an_outline_and_are_letter_paper(written):
    """Tagged (a screen reader reads the structure), with an outline from the headings, on US Letter."""
    out, _ = written
    for name in ("conf-victims-facilitator-guide.pdf", "conf-victims-handout.pdf"):
        reader = PdfReader(out / name)
        root = reader.trailer["/Root"]
        assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"], name
        assert [item.title for item in reader.outline if not isinstance(item, list)][:1] == [PLAN.title], name
        assert {(round(float(pg.mediabox.width)), round(float(pg.mediabox.height))) for pg in reader.pages} == {(612, 792)}


def test_a_page_prints_with_javascript_off(tmp_path):
    html = ('<!DOCTYPE html><html lang="en"><head><title>x</title></head><body><p id="p">as written</p>'
            "<script>document.getElementById('p').textContent = 'changed by a script'</script></body></html>")
    print_pdf(html, tmp_path / "x.pdf")
    assert pdf_text(tmp_path / "x.pdf") == "as written"


def test_hostile_text_prints_as_text(tmp_path):
    bank, plan = hostile_bank()
    for name, build in (("guide", facilitator_guide_html), ("handout", learner_handout_html)):
        print_pdf(build(plan, bank, CATALOG), tmp_path / f"{name}.pdf")
        page = pdf_text(tmp_path / f"{name}.pdf")
        assert [t for t in HOSTILE_TEXTS if t not in page] == [], name


@pytest.mark.parametrize("outside", ['<img src="https://example.org/logo.png" alt="logo">',
                                     '<link rel="stylesheet" href="http://127.0.0.1:9/print.css">'])
def test_a_page_that_asks_for_anything_outside_is_refused(tmp_path, outside):
    html = f'<!DOCTYPE html><html lang="en"><head><title>x</title>{outside}</head><body><p>x</p></body></html>'
    with pytest.raises(PdfError, match=r"asks for (https://example\.org/logo\.png|http://127\.0\.0\.1:9/print\.css)"):
        print_pdf(html, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("build", [facilitator_guide_html, learner_handout_html])
def test_the_guide_and_handout_pass_axe(chromium, mode, build):
    context = chromium.new_context(color_scheme=mode)
    page = context.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.set_content(build(PLAN, course_bank(), CATALOG))
    serious = axe_serious(page)
    context.close()
    assert serious == [] and requests == []
