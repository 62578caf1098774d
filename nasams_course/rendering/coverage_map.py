"""The coverage map, the trainer's planning page: every provision with its title, the chapter that teaches it (number,
title, minutes, questions) and the others that exercise it, and the content counts; then the chapters with their time.

The filter by part and by domain is HTML and CSS only (nasams-coverage.css): radio buttons, and `:has()` rules that
hide the rows that do not match (every row carries data-part and data-domain, or data-domains for a chapter). The
counts of what is shown are CSS counters: a hidden row does not count. The filter and the counts are hidden by an
inline style that only that CSS overrides, so without it (Jupyter, a browser without `:has()`) they stay hidden and
the tables show every row."""

from __future__ import annotations

from html import escape

from nasams_course.catalog import PART_TITLES, Catalog
from nasams_course.content.models import Bank

#: the page lives at book/orientation/coverage-map.html: links are relative to it
ROOT = "../../"
#: question kinds as the table abbreviates them (column, letter, what it means)
KINDS = (("single", "S", "single best answer"), ("multi", "M", "multiple response"),
         ("rate", "R", "rate each action"), ("order", "O", "order the steps"))
CHAPTER_PARTS = {**PART_TITLES, "capstone": "Capstone cases"}
STRENGTHS = {"mandatory": "Mandatory", "recommended": "Recommended", "prohibited": "Prohibited"}


def chapter_numbers(bank: Bank) -> dict[str, int]:
    """Chapter id -> its number in the book (the bank is in the order of _toc.yml; orientation pages are unnumbered)."""
    numbered = [cid for cid, ch in bank.chapters.items() if ch.part != "orientation"]
    return {cid: i for i, cid in enumerate(numbered, 1)}


def home_chapters(bank: Bank) -> dict[str, str]:
    """Provision id -> the chapter that teaches it: the first of its part's chapters that lists it (not a capstone)."""
    home: dict[str, str] = {}
    for cid, ch in bank.chapters.items():
        if ch.part in PART_TITLES:
            for pid in ch.provisions:
                home.setdefault(pid, cid)
    return home


def _radios(name: str, legend: str, choices: list[tuple[str, str]]) -> str:
    items = "".join(
        f'<label class="ncov-choice"><input type="radio" name="ncov-{name}" value="{escape(value)}"'
        f'{" checked" if value == "all" else ""}><span>{escape(label)}</span></label>'
        for value, label in [("all", "All"), *choices])
    return f'<fieldset class="ncov-group" data-filter="{name}"><legend>{escape(legend)}</legend>{items}</fieldset>'


def coverage_map(frame, catalog: Catalog, bank: Bank, sealed: bool = False) -> str:
    """The page's HTML from coverage_frame(bank, catalog): the filter, the provisions, the chapters, the counts.
    Sealed (an assessment), without the violation items: which provisions a question's options breach is key data."""
    numbers = chapter_numbers(bank)
    home = home_chapters(bank)
    href = {cid: f"{ROOT}{bank.page_of[cid]}.html" for cid in bank.chapters}
    questions = {cid: len(bank.questions_in_chapter(cid)) for cid in bank.chapters}

    def chapter_link(cid: str) -> str:
        ch = bank.chapters[cid]
        return (f'<a class="ncov-chapter" href="{escape(href[cid])}"><span class="ncov-num">{numbers[cid]}.</span> '
                f"{escape(ch.title)}</a>")

    def also_link(cid: str) -> str:
        name = f"{numbers[cid]}. {bank.chapters[cid].title}"
        return (f'<a href="{escape(href[cid])}" title="{escape(name)}">{numbers[cid]}'
                f'<span class="nq-sr">. {escape(bank.chapters[cid].title)}</span></a>')

    rows = []
    for r in frame.itertuples(index=False):
        p = catalog.provision(r.provision)
        title = f'<strong>{escape(p.id)}</strong> <span class="ncov-title">{escape(p.title)}</span>'
        cid = home.get(p.id)
        if cid:
            head = f'<a href="{escape(href[cid])}#{escape(p.anchor)}">{title}</a>'
            taught = (f'{chapter_link(cid)}<span class="ncov-time">{bank.chapters[cid].minutes} min · '
                      f"{questions[cid]} questions</span>")
        else:
            head, taught = title, ""
        others = sorted((c for c in str(r.chapters).split(", ") if c in numbers and c != cid), key=numbers.get)
        if others:
            taught += f'<span class="ncov-also">Also in {", ".join(also_link(c) for c in others)}</span>'
        counts = [r.vignettes, r.questions, *(getattr(r, k) for k, _, _ in KINDS),
                  *(() if sealed else (r.violation_items,)), r.prompts]
        cells = "".join(f'<td class="ncov-n">{int(n)}</td>' for n in counts)
        rows.append(
            f'<tr data-part="{escape(p.part)}" data-domain="{escape(p.domain)}" data-provision="{escape(p.id)}">'
            f'<th scope="row">{head}</th>'
            f'<td class="ncov-strength">{escape(STRENGTHS.get(p.strength, p.strength))} '
            f'<span class="ncov-domain">{escape(catalog.domain(p.domain).title)}</span></td>'
            f'<td class="ncov-ch">{taught}</td>{cells}</tr>')

    kinds = "".join(f'<th scope="col" class="ncov-n"><span aria-hidden="true">{letter}</span>'
                    f'<span class="nq-sr">{escape(meaning)}</span></th>' for _, letter, meaning in KINDS)
    provisions = (
        '<div class="ncov-wrap" tabindex="0" role="region" aria-labelledby="ncov-provisions-caption">'
        '<table class="ncov-table ncov-provisions">'
        '<caption id="ncov-provisions-caption">Provisions and the content that covers them</caption>'
        f'<colgroup span="4"></colgroup><colgroup span="5"></colgroup><colgroup span="{1 if sealed else 2}">'
        '</colgroup><thead><tr><th scope="col" rowspan="2" class="ncov-w-prov">Provision</th>'
        '<th scope="col" rowspan="2" class="ncov-w-strength">Strength and domain</th>'
        '<th scope="col" rowspan="2" class="ncov-w-ch">Chapters</th>'
        '<th scope="col" rowspan="2" class="ncov-n">Vig&shy;nettes</th>'
        '<th scope="colgroup" colspan="5" class="ncov-qs">Questions</th>'
        + ("" if sealed else '<th scope="col" rowspan="2" class="ncov-n">Vio&shy;lation items</th>')
        + '<th scope="col" rowspan="2" class="ncov-n">Prompts</th></tr>'
        f'<tr><th scope="col" class="ncov-n">All</th>{kinds}</tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table></div>')

    chapter_rows = []
    for cid, ch in bank.chapters.items():
        if cid not in numbers:
            continue
        domains = sorted({catalog.provision(pid).domain for pid in ch.provisions})
        chapter_rows.append(
            f'<tr data-part="{escape(ch.part)}" data-domains="{escape(" ".join(domains))}" '
            f'data-chapter="{escape(cid)}" '
            f'style="counter-increment: ncov-c 1 ncov-min {ch.minutes} ncov-q {questions[cid]}">'
            f'<td class="ncov-n">{numbers[cid]}</td>'
            f'<th scope="row"><a href="{escape(href[cid])}">{escape(ch.title)}</a></th>'
            f'<td>{escape(CHAPTER_PARTS.get(ch.part, ch.part))}</td>'
            f'<td class="ncov-ids">{escape(", ".join(ch.provisions))}</td>'
            f'<td class="ncov-n">{ch.minutes}</td><td class="ncov-n">{questions[cid]}</td></tr>')
    chapters = (
        '<div class="ncov-wrap" tabindex="0" role="region" aria-labelledby="ncov-chapters-caption">'
        '<table class="ncov-table ncov-chapters">'
        '<caption id="ncov-chapters-caption">Chapters that teach the provisions shown, in the book\'s order</caption>'
        '<thead><tr><th scope="col" class="ncov-n">No.</th><th scope="col" class="ncov-w-title">Chapter</th>'
        '<th scope="col">Part</th>'
        '<th scope="col">Provisions it teaches</th><th scope="col" class="ncov-n">Minutes</th>'
        '<th scope="col" class="ncov-n">Questions</th></tr></thead>'
        f'<tbody>{"".join(chapter_rows)}</tbody>'
        '<tfoot class="ncov-total" style="display: none"><tr><th scope="row" colspan="4">Chapters shown: '
        '<span class="ncov-count-c"></span></th><td class="ncov-n ncov-count-min"></td>'
        '<td class="ncov-n ncov-count-q"></td></tr></tfoot></table></div>')

    # the parts and domains of the provisions listed (all of them for the course; a session book's own)
    parts, domains = set(frame["part"]), set(frame["domain"])
    filters = (
        '<div class="ncov-filter" style="display: none">'
        + _radios("part", "Part", [(k, v) for k, v in PART_TITLES.items() if k in parts])
        + _radios("domain", "Domain", [(d.id, d.title) for d in catalog.domains if d.id in domains])
        + "</div>")
    legend = ('<p class="ncov-legend">Questions by kind: <strong>S</strong> single best answer, '
              "<strong>M</strong> multiple response, <strong>R</strong> rate each action, "
              "<strong>O</strong> order the steps. Chapters: the one that teaches the provision, with its time and "
              "questions, then the others whose cases also exercise it, by number (the chapters table below gives each "
              "number's title and time).</p>")
    # the counts come last in the page (a CSS counter counts the rows before it) and are shown under the filter
    status = (f'<p class="ncov-status" style="display: none">Showing <span class="ncov-count-p"></span> of '
              f'{len(frame)} provisions. Chapters that teach them: <span class="ncov-count-c"></span>, '
              '<span class="ncov-count-min"></span> min, <span class="ncov-count-q"></span> questions.</p>')
    return f'<div class="ncov" data-role="coverage">{filters}{legend}{provisions}{chapters}{status}</div>'
