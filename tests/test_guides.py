"""The facilitator guide and the learner handout, as HTML: what the guide must hold (timing plan, objectives, cases
and prompts, every option's key and reason, the provisions' text, what to watch for), what the handout must not hold
(any key), and content that is escaped, never markup. Their PDFs are checked in tests/browser/test_guides_print.py."""

from __future__ import annotations

import dataclasses
import re
from itertools import pairwise

import pytest
from bs4 import BeautifulSoup
from pydantic import TypeAdapter

from conftest import ascii_locale, shared_scope
from nasams_course.catalog import load_catalog
from nasams_course.content.loader import course_bank
from nasams_course.content.models import Question, Vignette
from nasams_course.training import pdf
from nasams_course.training.guides import facilitator_guide_html, learner_handout_html
from nasams_course.training.plan import Block, SessionPlan

BANK = course_bank()
CATALOG = load_catalog()
CHAPTERS = ("confidentiality-records-rights", "victims-and-privilege")
#: words only the guide may carry (the handout is scanned for them)
KEY_WORDS = ("Credit", "Keyed", "Applies", "Does not apply", "Belongs at step", "violation", "What to watch for",
             "Breaches", "Steer to instead")


def chosen(cid: str) -> tuple[str, ...]:
    """The chapter's first question of each kind and its first question on no case, in bank order."""
    questions = BANK.questions_in_chapter(cid)
    firsts = {q.kind: q.id for q in reversed(questions)}
    loose = [q.id for q in questions if q.vignette is None][:1]
    return tuple(q.id for q in questions if q.id in {*firsts.values(), *loose})


def block(cid: str, minutes: int, questions: tuple[str, ...], bank=BANK) -> Block:
    wanted = {bank.questions[q].vignette for q in questions}
    return Block(chapter=cid, title=bank.chapters[cid].title, minutes=minutes,
                 provisions=tuple(bank.chapters[cid].provisions),
                 vignettes=tuple(v.id for v in bank.vignettes_in_chapter(cid) if v.id in wanted), questions=questions)


def make_plan(bank=BANK, extra: tuple[str, ...] = ()) -> SessionPlan:
    """Two blocks, 40 and 35 minutes (the clock passes the hour), every kind of question, violations among them."""
    return SessionPlan(id="conf-victims", title="Confidentiality & victims: a CE seminar", dates=("2026-09-01",),
                       audience="Mitigation specialists and sentencing advocates", mode="practice", budget_minutes=90,
                       blocks=(block(CHAPTERS[0], 40, chosen(CHAPTERS[0]) + extra, bank),
                               block(CHAPTERS[1], 35, chosen(CHAPTERS[1]), bank)))


PLAN = make_plan()
QUESTIONS = [BANK.questions[q] for q in PLAN.questions]
VIGNETTES = [BANK.vignettes[v] for v in PLAN.vignettes]


def text(html_or_tag) -> str:
    """Visible text with every run of white space (and every tag boundary) as one space."""
    tag = BeautifulSoup(html_or_tag, "html.parser") if isinstance(html_or_tag, str) else html_or_tag
    return " ".join(tag.get_text(" ").split())


def words(s: str) -> str:
    return " ".join(s.split())


@pytest.fixture(scope=shared_scope)
def guide() -> BeautifulSoup:
    return BeautifulSoup(facilitator_guide_html(PLAN, BANK, CATALOG), "html.parser")


@pytest.fixture(scope=shared_scope)
def handout() -> str:
    return learner_handout_html(PLAN, BANK, CATALOG)


def test_the_plan_exercises_every_kind_a_violation_and_a_question_on_no_case():
    assert {q.kind for q in QUESTIONS} == {"single", "multi", "rate", "order"}
    assert any(getattr(o, "violation", None) for q in QUESTIONS for o in q.options)
    assert any(q.vignette is None for q in QUESTIONS) and len(PLAN.blocks) == 2 and PLAN.minutes >= 60


def test_the_guide_is_a_page_with_lang_title_and_headings_in_order(guide):
    assert guide.html["lang"] == "en" and "facilitator guide" in guide.title.string
    assert guide.find_all("script") == [] and guide.find_all("link") == [] and guide.find("style")
    levels = [int(h.name[1]) for h in guide.find_all(re.compile(r"^h[1-6]$"))]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in pairwise(levels)), "a heading level is skipped"
    assert all(t.caption and t.caption.get_text(strip=True) for t in guide.find_all("table"))


def test_the_guide_names_the_session(guide):
    page = text(guide)
    for shown in (PLAN.title, "1 September 2026", PLAN.audience, f"{PLAN.minutes} minutes"):
        assert shown in page


def test_the_timing_plan_runs_block_after_block_and_sums_to_the_plan(guide):
    table = guide.find("table", class_="timing")
    rows = [[td.get_text(strip=True) for td in tr.find_all(["td", "th"])] for tr in table.tbody.find_all("tr")]
    assert [r[1] for r in rows] == [b.title for b in PLAN.blocks]
    assert sum(int(r[2]) for r in rows) == PLAN.minutes
    clocks = [r[3].split("–") for r in rows]
    assert clocks[0][0] == "0:00" and clocks[-1][1] == "1:15"  # 40 + 35 minutes
    assert all(prev[1] == nxt[0] for prev, nxt in pairwise(clocks))
    total = [c.get_text(strip=True) for c in table.tfoot.find_all(["td", "th"])]
    assert total == ["Total", str(PLAN.minutes), "0:00–1:15"]


def test_the_timing_plan_rows_are_the_blocks_one_after_the_other(guide):
    assert text(guide.find("table", class_="timing").tbody) == (
        f"1 {PLAN.blocks[0].title} 40 0:00–0:40 2 {PLAN.blocks[1].title} 35 0:40–1:15")


def test_the_guide_and_the_handout_are_their_parts_and_nothing_between(guide, handout):
    """The guide: title, dates, a note, the session, the timing plan, then a numbered section per block; the
    handout: title, dates, a name line, the instructions, then a section per block."""
    assert [c.name for c in guide.main.contents] == ["h1", "p", "p", "table", "h2", "table", "section", "section"]
    assert [text(h) for h in guide.find_all("h2")] == ["Timing plan", f"Block 1 · {PLAN.blocks[0].title}",
                                                       f"Block 2 · {PLAN.blocks[1].title}"]
    soup = BeautifulSoup(handout, "html.parser")
    assert [c.name for c in soup.main.contents] == ["h1", "p", "p", "p", "section", "section"]
    assert [text(h) for h in soup.find_all("h2")] == [b.title for b in PLAN.blocks]


def test_the_guide_holds_objectives_cases_and_discussion_prompts(guide):
    page = text(guide)
    for b in PLAN.blocks:
        for objective in BANK.chapters[b.chapter].objectives:
            assert words(objective) in page
    for v in VIGNETTES:
        assert f"Case: {v.title}" in page
        assert all(words(p) in page for p in v.narrative.split("\n\n")) and all(words(d) in page for d in v.discussion)


def expected_key(q, o) -> str:
    if q.kind == "single":
        return f"Credit {o.credit:g}"
    if q.kind == "multi":
        return "Applies" if o.correct else "Does not apply"
    if q.kind == "rate":
        return f"Keyed {o.key}"
    return f"Belongs at step {q.key.index(o.id) + 1}"


def test_the_answer_key_gives_every_option_its_credit_and_reason(guide):
    for q in QUESTIONS:
        entry = guide.find(id=f"key-{q.id}")
        assert words(q.stem) in text(entry)
        items = [text(li) for li in entry.select(".key > li")]
        shown = [q.option(k) for k in q.key] if q.kind == "order" else q.options
        assert len(items) == len(q.options)
        for item, o in zip(items, shown, strict=True):
            letter = "ABCDEFGH"[q.options.index(o)]
            assert item.startswith(f"{letter} {words(o.text)} {expected_key(q, o)}"), item
            assert item.endswith(words(o.rationale))
            breached = getattr(o, "violation", None)
            assert (f"violation of {', '.join(breached)}" in item) if breached else "violation" not in item
        if q.kind == "order":
            assert f"Keyed order: {', '.join('ABCDEFGH'[q.option_ids.index(k)] for k in q.key)}" in text(entry)


def test_the_answer_key_quotes_every_provision_assessed(guide):
    for q in QUESTIONS:
        entry = text(guide.find(id=f"key-{q.id}"))
        for pid in q.provisions:
            assert words(CATALOG.provision(pid).text) in entry, f"{q.id}: the text of {pid}"


def test_what_to_watch_for_names_each_violation_and_what_it_breaches(guide):
    for q in QUESTIONS:
        bad = [o for o in q.options if getattr(o, "violation", None)]
        box = guide.find(id=f"key-{q.id}").find(class_="watch")
        if not bad:
            assert box is None
            continue
        items = [text(li) for li in box.ul.find_all("li")]
        assert len(items) == len(bad)
        for item, o in zip(items, bad, strict=True):
            assert words(o.text) in item
            for pid in o.violation:
                assert f"{pid} · {CATALOG.provision(pid).title}" in item


def test_what_to_watch_for_lists_every_provision_a_violation_breaches(guide):
    """Each violation's line names every provision it breaches, in the content's order (q-e6-carmen-records: three
    violations of two provisions each)."""
    q = BANK.questions["q-e6-carmen-records"]
    assert [len(o.violation) for o in q.options if o.violation] == [2, 2, 2]
    items = [text(li) for li in guide.find(id=f"key-{q.id}").select(".watch li")]
    assert items == [f"{'ABCDEFGH'[i]} {words(o.text)} Breaches "
                     + "; ".join(f"{pid} · {words(CATALOG.provision(pid).title)}" for pid in o.violation)
                     for i, o in enumerate(q.options) if o.violation]


def test_guide_and_handout_number_the_questions_alike(guide, handout):
    heads = lambda soup: [h.get_text() for h in soup.find_all("h4")]  # noqa: E731
    numbered = heads(BeautifulSoup(handout, "html.parser"))
    assert numbered == heads(guide) and len(numbered) == len(QUESTIONS)
    assert numbered[0].startswith("Question 1 · ")


def cases_only_plan() -> SessionPlan:
    """An hour's block of one case's questions (none on no case) that teaches no provision, then a 15-minute one."""
    first = dataclasses.replace(block("capital-case", 60, ("q-cap1-grandmother-interview", "q-cap1-records-plan")),
                                provisions=())
    return dataclasses.replace(PLAN, blocks=(first, block(CHAPTERS[1], 15, chosen(CHAPTERS[1]))))


def test_a_block_that_teaches_no_provision_says_so_and_the_clock_passes_the_hour():
    plan = cases_only_plan()
    guide = BeautifulSoup(facilitator_guide_html(plan, BANK, CATALOG), "html.parser")
    assert [words(p.get_text()) for p in guide.select(".block-time")] == [
        "60 minutes, 0:00–1:00 · provisions taught: none", "15 minutes, 1:00–1:15 · provisions taught: S5, S6, S16"]
    assert text(guide.find("table", class_="timing").tbody) == (
        f"1 {plan.blocks[0].title} 60 0:00–1:00 2 {plan.blocks[1].title} 15 1:00–1:15")


def test_a_block_whose_questions_all_belong_to_its_cases_has_no_section_for_questions_on_no_case():
    plan = cases_only_plan()
    case = f"Case: {BANK.vignettes['v-cap1-family-records'].title}"
    guide = BeautifulSoup(facilitator_guide_html(plan, BANK, CATALOG), "html.parser")
    first = guide.find("section", class_="block")
    assert [text(h) for h in first.find_all(["h3", "h4"])] == [
        case, "Question 1 · Single best answer", "Question 2 · Select all that apply"]
    assert [c["class"] for c in first.find_all("section", recursive=False)] == [["case-block"]]
    handout = BeautifulSoup(learner_handout_html(plan, BANK, CATALOG), "html.parser")
    first = handout.main.find("section")
    assert [text(h) for h in first.find_all(["h2", "h3"])] == [plan.blocks[0].title, case]
    assert len(first.find_all("section", recursive=False)) == 1


def test_the_handout_is_a_worksheet(handout):
    soup = BeautifulSoup(handout, "html.parser")
    page = text(soup)
    assert soup.html["lang"] == "en" and "worksheet" in soup.title.string and soup.find_all("script") == []
    assert PLAN.title in page and "1 September 2026" in page and "Name:" in page
    for v in VIGNETTES:
        assert f"Case: {v.title}" in page and all(words(d) in page for d in v.discussion)
    sections = soup.find_all("section", class_="question")
    assert len(sections) == len(QUESTIONS)
    for q in QUESTIONS:
        section = next(s for s in sections if words(q.stem) in text(s))
        if q.kind in ("single", "multi"):
            assert len(section.select(".options .box")) == len(q.options)
        elif q.kind == "rate":
            assert len(section.select(".ratings tbody tr")) == len(q.options)
            assert len(section.select(".ratings .box")) == 4 * len(q.options)
        else:  # the steps as the learner first sees them, and a numbered blank for each
            steps = [text(li)[2:] for li in section.select(".steps > li")]
            assert steps == [words(o.text) for o in q.options] and steps != [words(q.option(k).text) for k in q.key]
            assert len(section.select(".blanks .blank")) == len(q.options)


def test_the_handout_holds_no_key(handout):
    content = " ".join(words(t) for q in QUESTIONS for t in (q.stem, *(o.text for o in q.options)))
    assert not [w for w in KEY_WORDS if w in content], "the scan below would not be meaningful"
    page = text(handout)
    assert [w for w in KEY_WORDS if w in page] == []
    assert [o.rationale for q in QUESTIONS for o in q.options if words(o.rationale) in page] == []
    assert [p for q in QUESTIONS for p in q.provisions if words(CATALOG.provision(p).text) in page] == []


def hostile_bank():
    """The course's bank plus a case and a question whose texts are markup and ampersands."""
    vignette = Vignette(id="v-hostile", title="<em>Smith & Jones</em>", setting="either",
                        narrative="<script>alert('case')</script> & more", provisions=["E6"],
                        discussion=["<b>Why</b> & how?"])
    question = TypeAdapter(Question).validate_python({
        "id": "q-hostile", "vignette": "v-hostile", "kind": "multi", "stem": "<script>alert(1)</script> Tom & Jerry?",
        "provisions": ["E6"],
        "options": [
            {"id": "a", "text": "<img src=x onerror=alert(2)> & co", "correct": True, "rationale": "</script><i>E6</i> & why"},
            {"id": "b", "text": "B & <b>bold</b>", "correct": False, "violation": ["E6"], "rationale": "Breaks E6 <u>&</u>"},
        ]})
    bank = dataclasses.replace(BANK, vignettes={**BANK.vignettes, vignette.id: vignette},
                               questions={**BANK.questions, question.id: question},
                               chapter_of={**BANK.chapter_of, vignette.id: CHAPTERS[0], question.id: CHAPTERS[0]})
    plan = dataclasses.replace(make_plan(bank, extra=("q-hostile",)), title="<script>x()</script> Law & order",
                               audience="<i>Everyone</i> & guests")
    return bank, plan


HOSTILE_TEXTS = ("<script>x()</script> Law & order", "<script>alert(1)</script> Tom & Jerry?", "<img src=x onerror=alert(2)> & co", "<em>Smith & Jones</em>",
                 "<script>alert('case')</script> & more", "<b>Why</b> & how?", "B & <b>bold</b>")


@pytest.mark.parametrize("build", [facilitator_guide_html, learner_handout_html])
def test_content_is_escaped_text_never_markup(build):
    bank, plan = hostile_bank()
    html = build(plan, bank, CATALOG)
    soup = BeautifulSoup(html, "html.parser")
    assert [t.name for t in soup.find_all(["script", "img", "em", "b", "i", "u"])] == []
    page = text(soup)
    assert all(t in page for t in HOSTILE_TEXTS)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Tom &amp; Jerry?" in html
    assert "<title>&lt;script&gt;x()&lt;/script&gt; Law &amp; order:" in html
    if build is facilitator_guide_html:
        assert "&lt;i&gt;Everyone&lt;/i&gt; &amp; guests" in html and "<i>Everyone</i> & guests" in page
        assert "&lt;/script&gt;&lt;i&gt;E6&lt;/i&gt; &amp; why" in html and "</script><i>E6</i> & why" in page


def test_the_guides_are_the_same_every_time():
    assert facilitator_guide_html(PLAN, BANK, CATALOG) == facilitator_guide_html(make_plan(), BANK, CATALOG)
    assert learner_handout_html(PLAN, BANK, CATALOG) == learner_handout_html(make_plan(), BANK, CATALOG)


def test_printing_without_chromium_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    with pytest.raises(pdf.PdfError, match=r"apt-get install chromium"):
        pdf.print_pdf("<!DOCTYPE html><title>x</title>", tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_without_pdfs_write_guides_writes_the_html_and_removes_earlier_pdfs(tmp_path):
    from nasams_course.training.guides import write_guides

    stale = tmp_path / "conf-victims-handout.pdf"
    stale.write_bytes(b"%PDF- an earlier build's")
    paths = write_guides(PLAN, BANK, CATALOG, tmp_path, pdf=False)
    assert [p.name for p in paths] == ["conf-victims-facilitator-guide.html", "conf-victims-handout.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)


def test_the_guide_and_the_handout_are_written_in_utf8_on_a_machine_whose_locale_is_not(tmp_path):
    """The C locale's encoding is ASCII (as a server without a UTF-8 locale has): the guide and the handout (their
    "·", dashes and quotes) are still written, in UTF-8."""
    from nasams_course.training.guides import write_guides

    with ascii_locale():
        guide, handout = write_guides(PLAN, BANK, CATALOG, tmp_path, pdf=False)
    assert guide.read_bytes() == facilitator_guide_html(PLAN, BANK, CATALOG).encode()
    assert handout.read_bytes() == learner_handout_html(PLAN, BANK, CATALOG).encode()
    assert "·" in handout.read_text(encoding="utf-8")


def test_the_message_without_chromium_is_one_plain_line(monkeypatch):
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    with pytest.raises(pdf.PdfError) as caught:
        pdf.chromium_executable()
    assert str(caught.value) == ("Chromium is not installed, and PDFs are printed with it: install it with "
                                 "`apt-get install chromium` (or `make browser-deps`)")


@pytest.mark.parametrize("installed", [{"chromium": "/usr/bin/chromium"},
                                       {"chromium-browser": "/usr/lib/chromium-browser/chromium-browser"},
                                       {"chromium": "/usr/bin/chromium", "chromium-browser": "/opt/other"}])
def test_chromium_is_found_under_either_of_its_names(monkeypatch, installed):
    monkeypatch.setattr(pdf.shutil, "which", installed.get)
    assert pdf.chromium_executable() == installed.get("chromium", installed.get("chromium-browser"))
