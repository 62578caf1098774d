"""The coverage map's HTML: visible provision titles, chapters by number and title with their time and questions,
rows that carry what the CSS-only filter matches, and the filter's CSS in step with the catalog."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from conftest import REPO, shared_scope
from nasams_course.catalog import PART_TITLES, load_catalog
from nasams_course.content.loader import course_bank
from nasams_course.coverage import coverage_frame
from nasams_course.rendering.coverage_map import coverage_map

CATALOG = load_catalog()
BANK = course_bank()
CSS = (REPO / "nasams_course" / "static" / "nasams-coverage.css").read_text(encoding="utf-8")
VOID = {"input", "br", "col", "img", "hr", "meta", "link", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict, parent: Node | None):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    def text(self, skip_sr: bool = False) -> str:
        """The text as shown (skip_sr: without the screen-reader-only spans)."""
        if skip_sr and "nq-sr" in self.attrs.get("class", "").split():
            return ""
        return "".join(c if isinstance(c, str) else c.text(skip_sr) for c in self.children)

    def all(self, tag: str, cls: str | None = None) -> list[Node]:
        found = []
        for c in self.children:
            if isinstance(c, Node):
                if c.tag == tag and (cls is None or cls in c.attrs.get("class", "").split()):
                    found.append(c)
                found += c.all(tag, cls)
        return found

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class Tree(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.root = self.node = Node("#root", {}, None)
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs}, self.node)
        self.node.children.append(node)
        if tag not in VOID:
            self.node = node

    def handle_endtag(self, tag):
        while self.node.tag != tag and self.node.parent is not None:
            self.node = self.node.parent
        self.node = self.node.parent or self.root

    def handle_data(self, data):
        self.node.children.append(data)


@pytest.fixture(scope=shared_scope)
def page() -> Node:
    return Tree(coverage_map(coverage_frame(BANK, CATALOG), CATALOG, BANK)).root


def provision_rows(page: Node) -> dict[str, Node]:
    table = next(t for t in page.all("table") if "ncov-provisions" in t.attrs["class"])
    return {tr.attrs["data-provision"]: tr for tr in table.all("tbody")[0].all("tr")}


def chapter_rows(page: Node) -> list[Node]:
    table = next(t for t in page.all("table") if "ncov-chapters" in t.attrs["class"])
    return table.all("tbody")[0].all("tr")


def toc_order() -> list[str]:
    """The numbered chapter pages in the order of _toc.yml: the book numbers them 1, 2, ..."""
    pages = re.findall(r"file:\s*(\S+)", (REPO / "_toc.yml").read_text(encoding="utf-8"))
    chapter_pages = set(BANK.page_of.values())
    return [p for p in pages if p in chapter_pages]


def test_all_44_provisions_each_with_its_part_and_domain(page):
    rows = provision_rows(page)
    assert list(rows) == list(CATALOG.ids) and len(rows) == 44
    for pid, tr in rows.items():
        p = CATALOG.provision(pid)
        assert (tr.attrs["data-part"], tr.attrs["data-domain"]) == (p.part, p.domain), pid


def test_provision_titles_are_visible_not_screen_reader_only(page):
    for pid, tr in provision_rows(page).items():
        head = tr.all("th")[0]
        assert head.text(skip_sr=True).split() == [pid, *CATALOG.provision(pid).title.split()]
        assert not head.all("span", "nq-sr")


def test_a_known_chapter_by_number_and_title_with_its_minutes_and_questions(page):
    cid = "victims-and-privilege"
    number = toc_order().index(BANK.page_of[cid]) + 1
    assert number == 7
    minutes, questions = BANK.chapters[cid].minutes, len(BANK.questions_in_chapter(cid))
    href = f"../../{BANK.page_of[cid]}.html"
    for pid in ("S5", "S6", "S16"):  # the provisions chapter 7 teaches
        cell = provision_rows(page)[pid].all("td", "ncov-ch")[0]
        link = cell.all("a")[0]
        assert link.attrs["href"] == href
        assert link.text() == f"{number}. {BANK.chapters[cid].title}"
        assert cell.all("span", "ncov-time")[0].text() == f"{minutes} min · {questions} questions"
        assert "-" not in cell.text(skip_sr=True).replace("non-", ""), "no chapter slug"
    link = provision_rows(page)["S5"].all("th")[0].all("a")[0]
    assert link.attrs["href"] == f"{href}#{CATALOG.provision('S5').anchor}"
    assert (minutes, questions) == (40, 8)


def test_other_chapters_are_numbered_links_in_book_order_named_by_their_title(page):
    numbers = {p: i for i, p in enumerate(toc_order(), 1)}
    frame = coverage_frame(BANK, CATALOG).set_index("provision")
    for pid, tr in provision_rows(page).items():
        links = tr.all("td", "ncov-ch")[0].all("a")
        pages = [a.attrs["href"].removeprefix("../../").removesuffix(".html") for a in links]
        assert sorted(pages[1:], key=numbers.get) == pages[1:]
        assert {BANK.page_of[c] for c in frame.loc[pid, "chapters"].split(", ")} == set(pages), pid
        for a, page_path in zip(links[1:], pages[1:], strict=True):
            cid = next(c for c, p in BANK.page_of.items() if p == page_path)
            assert a.text(skip_sr=True) == str(numbers[page_path])
            assert a.text() == f"{numbers[page_path]}. {BANK.chapters[cid].title}" == a.attrs["title"]
        also = tr.all("span", "ncov-also")
        shown = [also[0].text(skip_sr=True)] if also else []
        assert shown == ([f"Also in {', '.join(str(numbers[p]) for p in pages[1:])}"] if pages[1:] else []), pid
    assert max(len(tr.all("span", "ncov-also")[0].all("a")) for tr in provision_rows(page).values()
               if tr.all("span", "ncov-also")) > 1  # a list of several, as the comma shows


def test_the_chapters_table_gives_each_chapters_time_and_questions_for_the_css_totals(page):
    rows = chapter_rows(page)
    assert len(rows) == len(BANK.chapters) == 16
    for number, tr in enumerate(rows, 1):
        cid = tr.attrs["data-chapter"]
        ch = BANK.chapters[cid]
        q = len(BANK.questions_in_chapter(cid))
        assert BANK.page_of[cid] == toc_order()[number - 1]
        assert tr.attrs["style"] == f"counter-increment: ncov-c 1 ncov-min {ch.minutes} ncov-q {q}"
        assert [c.text() for c in tr.all("td", "ncov-n")] == [str(number), str(ch.minutes), str(q)]
        assert tr.attrs["data-part"] == ch.part
        assert tr.attrs["data-domains"].split() == sorted({CATALOG.provision(p).domain for p in ch.provisions})
    assert sum(BANK.chapters[tr.attrs["data-chapter"]].minutes for tr in rows) == 610


def test_the_filter_offers_every_part_and_domain_and_all_is_checked(page):
    groups = {f.attrs["data-filter"]: f for f in page.all("fieldset")}
    assert set(groups) == {"part", "domain"}
    values = {name: [i.attrs["value"] for i in g.all("input")] for name, g in groups.items()}
    assert values == {"part": ["all", *PART_TITLES], "domain": ["all", *(d.id for d in CATALOG.domains)]}
    for g in groups.values():
        assert [i.attrs["value"] for i in g.all("input") if "checked" in i.attrs] == ["all"]
        assert all(i.parent.tag == "label" for i in g.all("input"))
    # without the course's CSS (Jupyter, no :has()) the filter and the counts stay hidden: the plain table shows
    for cls in ("ncov-filter", "ncov-status"):
        assert [n.attrs.get("style") for n in page.all("div") + page.all("p") if cls in n.attrs.get("class", "")] \
            == ["display: none"]


def test_the_css_has_a_rule_for_every_part_and_domain_and_is_loaded_by_the_book():
    for part in PART_TITLES:
        assert f'[name="ncov-part"][value="{part}"]:checked) tr[data-part]:not([data-part="{part}"])' in CSS
    for d in CATALOG.domains:
        assert (f'[name="ncov-domain"][value="{d.id}"]:checked)\n    :is(tr[data-domain]:not([data-domain="{d.id}"]), '
                f'tr[data-domains]:not([data-domains~="{d.id}"]))') in CSS
    rules = re.findall(r'\[name="ncov-(?:part|domain)"\]\[value="[^"]+"\]:checked\)', CSS)
    assert len(rules) == len(PART_TITLES) + len(CATALOG.domains)
    assert 'app.add_css_file("nasams-coverage.css")' in (REPO / "nasams_course" / "sphinx_ext.py").read_text()


def test_the_notebook_helper_renders_the_map():
    from nasams_course.notebook import coverage_map as helper

    block = helper()
    assert block.body.count('<tr data-part="') == 44 + 16
    assert "E13" in repr(block)


def test_an_orientation_chapter_is_not_numbered_and_not_among_the_chapters_that_teach():
    """Orientation pages (part `orientation`) are unnumbered in the book: the chapters after them are 1, 2, ..."""
    from nasams_course.content.models import Bank, Chapter
    from nasams_course.rendering.coverage_map import chapter_numbers

    chapters = {cid: Chapter(id=cid, title=cid, part=part, provisions=["S5"], minutes=20, objectives=["O"])
                for cid, part in (("welcome", "orientation"), ("ch-a", "standards"), ("cap-b", "capstone"))}
    bank = Bank(chapters=chapters, vignettes={}, questions={}, chapter_of={},
                page_of={cid: f"book/part/{cid}" for cid in chapters})
    assert chapter_numbers(bank) == {"ch-a": 1, "cap-b": 2}
    rows = chapter_rows(Tree(coverage_map(coverage_frame(bank, CATALOG), CATALOG, bank)).root)
    assert [(tr.attrs["data-chapter"], tr.all("td")[0].text()) for tr in rows] == [("ch-a", "1"), ("cap-b", "2")]
