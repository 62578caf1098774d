"""The coverage map in Chromium: it fits a 1366 px window without sideways scrolling (and scrolls only its table
region at 390 px), its CSS-only filter works by keyboard and counts what it shows, it reads fully without
JavaScript, and axe-core finds no serious or critical violation in light or dark mode."""

from __future__ import annotations

import pytest

from nasams_course.catalog import load_catalog
from nasams_course.content.loader import load_bank_or_raise

from .conftest import HTML, REPO, axe_serious

pytestmark = pytest.mark.browser

PAGE = "book/orientation/coverage-map.html"
BANK = load_bank_or_raise(REPO)
CATALOG = load_catalog()
PROVISIONS = "table.ncov-provisions tbody tr"
CHAPTERS = "table.ncov-chapters tbody tr"


def overflow(page) -> dict:
    """scrollWidth and clientWidth of the document and of each table region."""
    return page.evaluate("""() => {
        const m = e => ({scroll: e.scrollWidth, client: e.clientWidth});
        return {document: m(document.documentElement),
                regions: [...document.querySelectorAll('.ncov-wrap')].map(m)}; }""")


def visible(page, selector: str, attribute: str) -> list[str]:
    rows = page.locator(selector)
    return [rows.nth(i).get_attribute(attribute) for i in range(rows.count()) if rows.nth(i).is_visible()]


def spoken(page, selector: str) -> str:
    """The text Chromium's accessibility tree gives an element, CSS-generated content (the counters) included."""
    cdp = page.context.new_cdp_session(page)
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    backend = cdp.send("DOM.describeNode", {"nodeId": node})["node"]["backendNodeId"]
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    by_id = {n["nodeId"]: n for n in nodes}
    start = next(n for n in nodes if n.get("backendDOMNodeId") == backend)

    def text(n) -> str:
        if n.get("role", {}).get("value") == "StaticText":
            return n.get("name", {}).get("value", "")
        return "".join(text(by_id[c]) for c in n.get("childIds", []) if c in by_id)

    cdp.detach()
    return text(start)


def expected_status(provisions: list[str], chapters: list[str]) -> str:
    minutes = sum(BANK.chapters[c].minutes for c in chapters)
    questions = sum(len(BANK.questions_in_chapter(c)) for c in chapters)
    return (f"Showing {len(provisions)} of 44 provisions. Chapters that teach them: {len(chapters)}, "
            f"{minutes} min, {questions} questions.")


def focused(page) -> dict:
    return page.evaluate("() => ({name: document.activeElement.name || '', value: document.activeElement.value || ''})")


def tab_to(page, name: str, limit: int = 200) -> dict:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page)["name"] == name:
            return focused(page)
    raise AssertionError(f"Tab never reached the {name} radio group")


def test_fits_a_1366_window_without_sideways_scrolling(page, base):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{base}/{PAGE}")
    sizes = overflow(page)
    print("1366x768:", sizes)
    assert sizes["document"]["scroll"] <= sizes["document"]["client"]
    assert len(sizes["regions"]) == 2
    for region in sizes["regions"]:
        assert region["scroll"] <= region["client"], region
    assert page.locator(".ncov-filter").is_visible() and page.locator(".ncov-status").is_visible()


def test_at_390_px_only_the_table_region_scrolls_sideways_and_the_provision_stays_in_view(page, base):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/{PAGE}")
    sizes = overflow(page)
    print("390x844:", sizes)
    assert sizes["document"]["scroll"] <= sizes["document"]["client"]
    wrap = page.locator(".ncov-wrap").first
    assert sizes["regions"][0]["scroll"] > sizes["regions"][0]["client"]  # the table scrolls in its region
    assert wrap.get_attribute("tabindex") == "0" and wrap.get_attribute("role") == "region"
    head = page.locator(f"{PROVISIONS} th").first
    before = head.bounding_box()["x"]
    wrap.evaluate("e => e.scrollLeft = 300")
    assert abs(head.bounding_box()["x"] - before) <= 2  # sticky: the provision column stays put (not 300 px off)


def test_the_filter_works_by_keyboard_and_counts_what_it_shows(page, base):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{base}/{PAGE}")
    everything = [p.id for p in CATALOG.provisions]
    assert visible(page, PROVISIONS, "data-provision") == everything
    assert spoken(page, ".ncov-status") == expected_status(everything, list(BANK.chapters))

    assert tab_to(page, "ncov-part") == {"name": "ncov-part", "value": "all"}
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert focused(page) == {"name": "ncov-part", "value": "standards"}
    standards = [p.id for p in CATALOG.provisions if p.part == "standards"]
    chapters = [c for c, ch in BANK.chapters.items() if ch.part == "standards"]
    assert visible(page, PROVISIONS, "data-provision") == standards and len(standards) == 16
    assert visible(page, CHAPTERS, "data-chapter") == chapters
    assert spoken(page, ".ncov-status") == expected_status(standards, chapters)
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert focused(page)["value"] == "all" and len(visible(page, PROVISIONS, "data-provision")) == 44

    page.keyboard.press("Tab")  # on to the next group, at its checked radio
    assert focused(page) == {"name": "ncov-domain", "value": "all"}
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert focused(page) == {"name": "ncov-domain", "value": "confidentiality"}
    domain = [p.id for p in CATALOG.provisions if p.domain == "confidentiality"]
    chapters = [c for c, ch in BANK.chapters.items()
                if any(CATALOG.provision(p).domain == "confidentiality" for p in ch.provisions)]
    assert visible(page, PROVISIONS, "data-provision") == domain and 0 < len(domain) < 44
    assert visible(page, CHAPTERS, "data-chapter") == chapters
    assert spoken(page, ".ncov-status") == expected_status(domain, chapters)
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    assert focused(page)["value"] == "all"
    assert len(visible(page, PROVISIONS, "data-provision")) == 44 and len(visible(page, CHAPTERS, "data-chapter")) == 16
    assert page.errors == []


def test_the_tables_read_fully_without_javascript(browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(f"{HTML.as_uri()}/{PAGE}")
    rows = page.locator(PROVISIONS)
    assert rows.count() == 44 and len(visible(page, PROVISIONS, "data-provision")) == 44
    assert len(visible(page, CHAPTERS, "data-chapter")) == 16
    for i, p in enumerate(CATALOG.provisions):
        assert rows.nth(i).locator("th").inner_text().split() == [p.id, *p.title.split()]
    s5 = page.locator(f'{PROVISIONS}[data-provision="S5"] .ncov-ch')
    assert s5.locator("a").first.inner_text().startswith("7. Victims")
    assert "40 min · 8 questions" in s5.inner_text()
    page.locator("label.ncov-choice", has_text="Standards of Practice").click()  # the filter needs no script
    assert len(visible(page, PROVISIONS, "data-provision")) == 16
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations(page, base, scheme):
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{base}/{PAGE}")
    assert page.evaluate("document.documentElement.dataset.theme") == scheme
    serious = axe_serious(page)
    assert serious == []
