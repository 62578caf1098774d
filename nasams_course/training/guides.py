"""A session's printed material, from its plan: the facilitator guide (timing plan, objectives, each case with its
discussion prompts, the answer key with the provisions' text, and what to watch for) and the learner handout (the
cases and questions as a worksheet, with no key). Both are self-contained HTML pages (inline CSS, no script, nothing
fetched), printed to PDF by training/pdf.py.

Cases and questions are numbered the same way in both: block by block, each case followed by its questions, then the
block's questions that belong to no case of the block; options are lettered in the order a learner sees them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape
from itertools import accumulate
from pathlib import Path
from string import ascii_uppercase

from nasams_course.catalog import Catalog
from nasams_course.content.models import KIND_LABELS, RATING_LABELS, Bank, Question, Vignette
from nasams_course.rendering.html import (
    SETTING_LABELS,
    discussion_list,
    instead,
    key_label,
    paragraphs,
    provision_card,
)
from nasams_course.training.pdf import print_pdfs
from nasams_course.training.plan import Block, SessionPlan

STYLE = """
@page { size: letter; margin: 1.6cm 1.7cm 1.9cm;
  @bottom-center { content: "Page " counter(page) " of " counter(pages); font: 9pt "Liberation Sans", "DejaVu Sans",
  Arial, sans-serif; color: #333; } }
:root { color-scheme: light; }
html { font: 10.5pt/1.45 "Liberation Sans", "DejaVu Sans", Arial, Helvetica, sans-serif; color: #111;
  background: #fff; }
body { max-width: 50rem; margin: 1.5rem auto; padding: 0 1rem; }
@media print { body { max-width: none; margin: 0; padding: 0; } }
h1 { font-size: 1.7rem; margin: 0 0 .2em; line-height: 1.2; }
h2 { font-size: 1.35rem; margin: 1.4em 0 .4em; padding-bottom: .15em; border-bottom: 2px solid #111; }
h3 { font-size: 1.15rem; margin: 1.1em 0 .3em; }
h4 { font-size: 1rem; margin: 1em 0 .3em; }
h1, h2, h3, h4 { break-after: avoid; line-height: 1.25; }
p { margin: 0 0 .5em; }
p, li { orphans: 3; widows: 3; }
.subtitle { font-size: 1.2rem; margin-bottom: .8em; }
table { border-collapse: collapse; width: 100%; margin: .4em 0 .8em; }
caption { text-align: left; font-weight: bold; padding: .2em 0; }
th, td { border: 1px solid #444; padding: .25em .5em; text-align: left; vertical-align: top; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tfoot td, tfoot th { font-weight: bold; }
.case, .nasams-provision, .watch, .key > li, tr, .handout .question, .nasams-discussion li { break-inside: avoid; }
.question-head { break-inside: avoid; break-after: avoid; }
.stem, .question-meta, .label, .nasams-provision-meta, .nasams-discussion > p { break-after: avoid; }
.case, .question { margin: .8em 0; }
.case-meta, .question-meta { color: #333; font-size: .95em; }
.stem { font-weight: bold; }
blockquote { margin: .3em 0 .3em .5em; padding-left: .8em; border-left: 3px solid #555; }
.nasams-provision { margin: .4em 0 .6em; }
.nasams-provision-meta { margin: 0 0 .2em; font-size: .95em; }
.key { list-style: none; padding: 0; margin: .3em 0 .6em; }
.key > li { margin: 0 0 .5em; padding-left: .6em; border-left: 3px solid #999; }
.key > li.violation { border-left-color: #a00000; }
.key-line { margin: .1em 0; font-weight: bold; }
.violation-tag { font-weight: bold; color: #a00000; }
.rationale { margin: .1em 0 0; }
.option-text { margin: 0; }
.watch { border: 2px solid #a00000; padding: .4em .7em; margin: .5em 0; }
.watch ul { margin: .2em 0; padding-left: 1.2em; }
.letter { font-weight: bold; display: inline-block; min-width: 1.2em; }
.box { display: inline-block; width: .95em; height: .95em; border: 1.5px solid #111; vertical-align: -.15em;
  margin-right: .45em; background: #fff; }
.options { list-style: none; padding: 0; margin: .3em 0 .6em; }
.options > li { margin: .35em 0; display: grid; grid-template-columns: auto auto 1fr; align-items: start; }
.options .box { margin-top: .2em; }
.options.steps > li { grid-template-columns: auto 1fr; }
.ratings th[scope=row] { font-weight: normal; width: 48%; }
.ratings thead th { font-size: .9em; }
.ratings td.choice { text-align: center; white-space: nowrap; }
.ratings .box { margin: 0 .2em 0 0; }
.blanks { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .6em 1.4em; }
.blanks li { white-space: nowrap; }
.blank { display: inline-block; width: 3em; border-bottom: 1.5px solid #111; margin-left: .3em; height: 1.1em; }
.fill { display: flex; gap: .5em 2em; flex-wrap: wrap; font-size: 1.05rem; margin: .6em 0 1em; }
.fill .line { display: inline-block; min-width: 16em; border-bottom: 1.5px solid #111; }
.nasams-discussion ol { margin: .2em 0; }
.handout .nasams-discussion li { padding-bottom: 4em; }
"""

#: how to answer each kind on paper (the book's instructions speak of buttons)
PAPER_INSTRUCTIONS = {
    "single": "Tick the one best answer.",
    "multi": "Tick every option that applies.",
    "rate": "Tick one rating for every action: 1 very inappropriate, 2 somewhat inappropriate, 3 somewhat "
            "appropriate, 4 very appropriate.",
    "order": "Write the letters of the steps in the order you would take them, first step first.",
}


@dataclass(frozen=True)
class Numbered:
    """A question with its number in the session."""

    number: int
    question: Question


@dataclass(frozen=True)
class Group:
    """A case of a block with its questions (case None: the block's questions that belong to no case of it)."""

    vignette: Vignette | None
    questions: tuple[Numbered, ...]


def block_groups(plan: SessionPlan, bank: Bank) -> list[list[Group]]:
    """For each block, its cases in order, each with its questions, then any question of no case of the block;
    questions are numbered through the session in that order."""
    numbers = iter(range(1, len(plan.questions) + 1))
    layout = []
    for block in plan.blocks:
        questions = [bank.questions[qid] for qid in block.questions]
        groups = [Group(bank.vignettes[vid], tuple(Numbered(next(numbers), q) for q in questions if q.vignette == vid))
                  for vid in block.vignettes]
        loose = tuple(Numbered(next(numbers), q) for q in questions if q.vignette not in block.vignettes)
        layout.append(groups + ([Group(None, loose)] if loose else []))
    return layout


def clock(minutes: int) -> str:
    """Minutes from the start as h:mm, e.g. 65 -> '1:05'."""
    return f"{minutes // 60}:{minutes % 60:02d}"


def timing(plan: SessionPlan) -> list[tuple[Block, int, int]]:
    """Each block with its start and end, in minutes from the start of the session."""
    ends = list(accumulate(b.minutes for b in plan.blocks))
    return [(b, end - b.minutes, end) for b, end in zip(plan.blocks, ends, strict=True)]


def long_date(iso: str) -> str:
    """An ISO date in words, e.g. '2026-09-01' -> '1 September 2026' (left as written if it is not a date)."""
    try:
        d = date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{d.day} {d:%B %Y}"


def session_dates(plan: SessionPlan) -> str:
    return ", ".join(long_date(d) for d in plan.dates)


def page(title: str, body: str, kind: str) -> str:
    """A self-contained page: inline style, no script, nothing fetched."""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="color-scheme" content="light"><title>{escape(title)}</title><style>{STYLE}</style></head>'
            f'<body class="{kind}"><main>{body}</main></body></html>\n')


def letter(i: int) -> str:
    return ascii_uppercase[i]


def letters(q: Question) -> dict[str, str]:
    """Option id -> its letter in the order the learner sees the options."""
    return {o.id: letter(i) for i, o in enumerate(q.options)}


# -- the facilitator guide --------------------------------------------------------------------------------------


def details_table(plan: SessionPlan, bank: Bank, catalog: Catalog) -> str:
    provisions = ", ".join(f"{escape(pid)} · {escape(catalog.provision(pid).title)}" for pid in plan.provisions(bank))
    rows = [("Dates", escape(session_dates(plan))), ("Audience", escape(plan.audience)), ("Mode", escape(plan.mode)),
            ("Planned time", f"{plan.minutes} minutes (budget {plan.budget_minutes} minutes)"),
            ("Questions", str(len(plan.questions))), ("Provisions assessed", provisions)]
    body = "".join(f'<tr><th scope="row">{name}</th><td>{value}</td></tr>' for name, value in rows)
    return f"<table><caption>The session</caption><tbody>{body}</tbody></table>"


def timing_table(plan: SessionPlan) -> str:
    rows = "".join(
        f'<tr><td class="number">{i}</td><td>{escape(b.title)}</td><td class="number">{b.minutes}</td>'
        f'<td class="number">{clock(start)}–{clock(end)}</td></tr>'
        for i, (b, start, end) in enumerate(timing(plan), start=1))
    return ('<table class="timing"><caption>Blocks, minutes and clock time</caption><thead><tr>'
            '<th scope="col" class="number">Block</th><th scope="col">Chapter</th>'
            '<th scope="col" class="number">Minutes</th><th scope="col" class="number">Clock</th></tr></thead>'
            f'<tbody>{rows}</tbody><tfoot><tr><th scope="row" colspan="2">Total</th>'
            f'<td class="number">{plan.minutes}</td><td class="number">{clock(0)}–{clock(plan.minutes)}</td></tr>'
            "</tfoot></table>")


def key_text(q: Question, o) -> str:
    """An option's key in words, as the book's feedback says it; a single-answer option's credit as a number too."""
    words = key_label(q, o)
    return f"Credit {o.credit:g}: {words}" if q.kind == "single" else words[0].upper() + words[1:]


def key_list(q: Question) -> str:
    """Every option with its letter, key, violation flag and rationale; an order question's in the keyed order."""
    mark = letters(q)
    options = [q.option(k) for k in q.key] if q.kind == "order" else q.options
    rows = []
    for o in options:
        breached = getattr(o, "violation", None)
        flag = f' · <span class="violation-tag">violation of {escape(", ".join(breached))}</span>' if breached else ""
        rows.append(
            f'<li class="{"violation" if breached else "option"}"><p class="option-text"><span class="letter">'
            f'{mark[o.id]}</span> {escape(o.text)}</p><p class="key-line">{escape(key_text(q, o))}{flag}</p>'
            f'<p class="rationale">{escape(o.rationale)}</p></li>')
    order = (f'<p><strong>Keyed order:</strong> {", ".join(mark[k] for k in q.key)}</p>' if q.kind == "order" else "")
    return f'{order}<ul class="key">{"".join(rows)}</ul>'


def watch_for(q: Question, catalog: Catalog) -> str:
    """The violation options: what each breaches (id and title), and the keyed conduct to steer to instead."""
    bad = [o for o in q.options if getattr(o, "violation", None)]
    if not bad:
        return ""
    mark = letters(q)
    items = "".join(
        f"<li><strong>{mark[o.id]}</strong> {escape(o.text)}<br>Breaches "
        + "; ".join(f"{escape(pid)} · {escape(catalog.provision(pid).title)}" for pid in o.violation) + "</li>"
        for o in bad)
    better = "; ".join(f"{mark[o.id]} {escape(o.text)}" for o in instead(q))
    steer = f"<p><strong>Steer to instead:</strong> {better}</p>" if better else ""
    return (f'<div class="watch"><p><strong>What to watch for</strong>: choosing any of these is a critical error.'
            f"</p><ul>{items}</ul>{steer}</div>")


def question_head(n: Numbered, note: str) -> str:
    """A question's number, kind and stem with a note under it, kept together and with what follows (Chromium
    honours a block kept whole where it does not honour break-after on its own)."""
    return (f'<div class="question-head"><h4>Question {n.number} · {escape(KIND_LABELS[n.question.kind])}</h4>'
            f'<p class="stem">{escape(n.question.stem)}</p><p class="question-meta">{escape(note)}</p></div>')


def key_entry(n: Numbered, catalog: Catalog) -> str:
    q = n.question
    cards = "".join(provision_card(catalog.provision(pid), catalog) for pid in q.provisions)
    head = question_head(n, f"Question id {q.id} · assesses {', '.join(q.provisions)}")
    return (f'<section class="question" id="key-{escape(q.id)}">{head}{key_list(q)}{watch_for(q, catalog)}'
            f'<p class="label"><strong>The provisions it assesses</strong></p>{cards}</section>')


def case_text(v: Vignette) -> str:
    """A case's title, setting and narrative (kept on one page where it fits), then its discussion prompts."""
    return (f'<div class="case"><h3>Case: {escape(v.title)}</h3>'
            f'<p class="case-meta">{escape(SETTING_LABELS[v.setting])}</p>{paragraphs(v.narrative)}</div>'
            f"{discussion_list(v)}")


def guide_group(g: Group, catalog: Catalog) -> str:
    keys = "".join(key_entry(n, catalog) for n in g.questions)
    if g.vignette is None:
        return f'<section class="loose"><h3>Questions on no case</h3>{keys}</section>'
    return f'<section class="case-block">{case_text(g.vignette)}{keys}</section>'


def guide_block(i: int, block: Block, start: int, end: int, groups: list[Group], bank: Bank, catalog: Catalog) -> str:
    objectives = "".join(f"<li>{escape(o)}</li>" for o in bank.chapters[block.chapter].objectives)
    return (f'<section class="block"><h2>Block {i} · {escape(block.title)}</h2>'
            f'<p class="block-time"><strong>{block.minutes} minutes</strong>, {clock(start)}–{clock(end)} · '
            f'provisions taught: {escape(", ".join(block.provisions)) or "none"}</p>'
            f'<p><strong>Objectives</strong>: by the end of this block participants should be able to:</p>'
            f'<ul class="objectives">{objectives}</ul>{"".join(guide_group(g, catalog) for g in groups)}</section>')


def facilitator_guide_html(plan: SessionPlan, bank: Bank, catalog: Catalog) -> str:
    """The facilitator guide: the session, the timing plan, then block by block the objectives, each case with its
    discussion prompts, and the answer key (every option's credit and reason, what to watch for, the provisions)."""
    blocks = "".join(guide_block(i, b, start, end, groups, bank, catalog) for i, ((b, start, end), groups)
                     in enumerate(zip(timing(plan), block_groups(plan, bank), strict=True), start=1))
    body = (f"<h1>{escape(plan.title)}</h1><p class=\"subtitle\">Facilitator guide · {escape(session_dates(plan))}</p>"
            '<p>For the trainer only: this guide holds the answer key. Hand participants the worksheet.</p>'
            f"{details_table(plan, bank, catalog)}<h2>Timing plan</h2>{timing_table(plan)}{blocks}")
    return page(f"{plan.title}: facilitator guide", body, "guide")


# -- the learner handout ----------------------------------------------------------------------------------------

BOX = '<span class="box" aria-hidden="true"></span>'


def answer_space(q: Question) -> str:
    """Where a learner answers on paper: tick boxes (single, multi), a 1-4 row per action (rate), or numbered blanks
    for the letters of the steps (order)."""
    if q.kind in ("single", "multi"):
        return '<ul class="options">' + "".join(
            f'<li>{BOX}<span class="letter">{letter(i)}</span> <span>{escape(o.text)}</span></li>'
            for i, o in enumerate(q.options)) + "</ul>"
    if q.kind == "rate":
        head = "".join(f'<th scope="col">{r} {escape(RATING_LABELS[r])}</th>' for r in (1, 2, 3, 4))
        rows = "".join(f'<tr><th scope="row"><span class="letter">{letter(i)}</span> {escape(o.text)}</th>'
                       + "".join(f'<td class="choice">{BOX}{r}</td>' for r in (1, 2, 3, 4)) + "</tr>"
                       for i, o in enumerate(q.options))
        return (f'<table class="ratings"><caption>Rate each action</caption><thead><tr><th scope="col">Action</th>'
                f"{head}</tr></thead><tbody>{rows}</tbody></table>")
    steps = "".join(f'<li><span class="letter">{letter(i)}</span> <span>{escape(o.text)}</span></li>'
                    for i, o in enumerate(q.options))
    blanks = "".join(f'<li>{i}.<span class="blank"></span></li>' for i in range(1, len(q.options) + 1))
    return (f'<ul class="options steps">{steps}</ul><p>Your order (the letters, first step first):</p>'
            f'<ol class="blanks">{blanks}</ol>')


def worksheet_question(n: Numbered) -> str:
    q = n.question
    return f'<section class="question">{question_head(n, PAPER_INSTRUCTIONS[q.kind])}{answer_space(q)}</section>'


def handout_group(g: Group) -> str:
    questions = "".join(worksheet_question(n) for n in g.questions)
    if g.vignette is None:
        return f"<section><h3>More questions</h3>{questions}</section>"
    return f'<section class="case-block">{case_text(g.vignette)}{questions}</section>'


def learner_handout_html(plan: SessionPlan, bank: Bank, catalog: Catalog) -> str:
    """The learner's worksheet: the cases with their discussion prompts and the questions, with room to answer and
    no key (no credit, correct flag, rationale, keyed order or violation)."""
    blocks = "".join(f"<section><h2>{escape(b.title)}</h2>{''.join(handout_group(g) for g in groups)}</section>"
                     for b, groups in zip(plan.blocks, block_groups(plan, bank), strict=True))
    body = (f'<h1>{escape(plan.title)}</h1><p class="subtitle">Worksheet · {escape(session_dates(plan))}</p>'
            '<p class="fill"><span>Name: <span class="line"></span></span></p>'
            "<p>Read each case, note your thoughts on its discussion prompts, then answer its questions as the "
            "instructions under each one say. Your trainer goes through the answers with you.</p>"
            f"{blocks}")
    return page(f"{plan.title}: worksheet", body, "handout")


def write_guides(plan: SessionPlan, bank: Bank, catalog: Catalog, out: Path, pdf: bool = True) -> list[Path]:
    """Write the facilitator guide (HTML and PDF) and the learner handout (HTML and PDF) into `out`; with pdf=False,
    the HTML only (and any earlier PDF of theirs is removed, not left stale)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    guide, handout = facilitator_guide_html(plan, bank, catalog), learner_handout_html(plan, bank, catalog)
    names = ("facilitator-guide.html", "facilitator-guide.pdf", "handout.html", "handout.pdf")
    paths = {name: out / f"{plan.id}-{name}" for name in names if pdf or name.endswith(".html")}
    paths["facilitator-guide.html"].write_text(guide, encoding="utf-8")
    paths["handout.html"].write_text(handout, encoding="utf-8")
    if pdf:
        print_pdfs([(guide, paths["facilitator-guide.pdf"]), (handout, paths["handout.pdf"])])
    else:  # an earlier build's PDFs would no longer match the HTML
        for name in names[1::2]:
            (out / f"{plan.id}-{name}").unlink(missing_ok=True)
    return list(paths.values())
