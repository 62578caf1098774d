"""Feedback pages to hand back after a session: for each learner's response file, one self-contained HTML page (inline
style, no script, nothing fetched) with their answers, each question's score, their levels by domain and provision,
their critical errors, every option's reason and the provisions' text; and an index of the pages.

The file is graded as `nasams-course grade --session` grades it (training/scored.py), and each question's feedback is
the book's own (rendering/html.py: `feedback`, `critical_box`, `option_reasons`), in the same words. Questions are
numbered as in the facilitator guide and the handout (training/guides.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from importlib import resources
from pathlib import Path

from nasams_course.catalog import Catalog
from nasams_course.content.models import KIND_LABELS, Bank
from nasams_course.grading import Attempt, ItemResult, Report
from nasams_course.grading.calibration import CERTAINTY_LABELS
from nasams_course.grading.levels import level_for
from nasams_course.grading.profile import first, latest
from nasams_course.rendering.html import CRITICAL_LEVEL, SETTING_LABELS, feedback, option_reasons, paragraphs, percent
from nasams_course.session import calibration_summary, overall_lines
from nasams_course.training.guides import STYLE, Numbered, block_groups, session_dates
from nasams_course.training.plan import SessionPlan
from nasams_course.training.scored import Scored

#: marks a folder of feedback pages (an earlier run's may be replaced; anything else is not touched)
GENERATOR = "nasams-course feedback"
EXTRA_STYLE = """
.result-table td, .result-table th { white-space: normal; }
.question { border-top: 1px solid #999; padding-top: .4em; }
.answered-none { font-style: italic; }
.critical-list li { margin: .2em 0; }
.nq-feedback { margin: .3em 0 .8em; }
.nq-option-feedback { padding-left: 1.2em; }
.nq-cited > summary { font-weight: bold; }
a { color: #1f4e79; }
"""


@dataclass(frozen=True)
class LearnerPage:
    """One learner's feedback page: where it goes and what the index says of it."""

    slug: str
    source: Path
    report: Report
    html: str


def slug(name: str, fallback: str, taken: set[str]) -> str:
    """A file name for a learner: lower-case letters, digits and hyphens from the name (else from the response file's
    name), made unique with -2, -3, ...; never 'index'."""
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60].strip("-") or \
        re.sub(r"[^a-z0-9]+", "-", fallback.lower()).strip("-")[:60].strip("-") or "learner"
    if base == "index":
        base = "learner-index"
    out, n = base, 1
    while out in taken:
        n += 1
        out = f"{base}-{n}"
    taken.add(out)
    return out


def page(title: str, body: str) -> str:
    css = resources.files("nasams_course.static").joinpath("nasams.css").read_text("utf-8")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="color-scheme" content="light"><meta name="generator" content="{GENERATOR}">'
            f"<title>{escape(title)}</title><style>{STYLE}{css}{EXTRA_STYLE}</style></head>"
            f'<body class="feedback"><main>{body}</main></body></html>\n')


def _pct(score: float | None) -> str:
    return "–" if score is None else percent(score)


# -- one learner's page -----------------------------------------------------------------------------------------

def result_section(report: Report, plan: SessionPlan, questions: int) -> str:
    lines = "".join(f"<li>{escape(line)}</li>" for line in overall_lines(report, questions))
    return (f'<section aria-labelledby="result-h"><h2 id="result-h">Your result</h2><ul data-role="overall">{lines}'
            f"</ul><p>{escape(calibration_summary(report))}</p><p>Scored by the rules of the session book's page "
            "<em>How you are scored</em>: each question from your latest answer, each provision the mean of its "
            "answered questions, each domain and your overall score the mean of the provisions attempted; a critical "
            "error caps the provisions it breaches at Beginning.</p></section>")


def critical_section(report: Report, numbers: dict[str, int], bank: Bank, catalog: Catalog) -> str:
    """Each critical error: the question (a link to it below), the option chosen, the provision it breaches."""
    breaches: dict[tuple[str, str], list[str]] = {}  # (question, option) -> the provisions it breaches
    for p in report.provisions:
        for r in p.review:
            breaches.setdefault((r.question, r.option), []).append(p.id)
    items = []
    for (qid, oid), pids in sorted(breaches.items(), key=lambda kv: numbers[kv[0][0]]):
        q = bank.questions[qid]
        named = "; ".join(f"{escape(pid)} · {escape(catalog.provision(pid).title)}" for pid in pids)
        items.append(
            f'<li data-question="{escape(qid)}" data-option="{escape(oid)}" data-breached="{escape(" ".join(pids))}">'
            f'<a href="#{escape(qid)}">Question {numbers[qid]}</a>: you chose “{escape(q.option(oid).text)}”, '
            f"which breaches <strong>{named}</strong>.</li>")
    body = (f'<ul class="critical-list" data-role="critical-errors">{"".join(items)}</ul><p>The provision\'s text '
            "and what to do instead are with each question below.</p>" if items else "<p>None.</p>")
    return f'<section aria-labelledby="critical-h"><h2 id="critical-h">Critical errors to review</h2>{body}</section>'


def domain_table(report: Report, catalog: Catalog) -> str:
    rows = "".join(
        f'<tr data-domain="{escape(d.id)}"><th scope="row">{escape(catalog.domain(d.id).title)}</th>'
        f'<td data-role="score">{_pct(d.score)}</td><td data-role="level">{escape(d.level or "Not started")}</td></tr>'
        for d in report.domains)
    return ('<table class="result-table"><caption>Levels by competency domain</caption><thead><tr>'
            '<th scope="col">Domain</th><th scope="col">Score</th><th scope="col">Level</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>")


def provision_table(report: Report, catalog: Catalog) -> str:
    rows = "".join(
        f'<tr data-provision="{escape(p.id)}"><th scope="row">{escape(p.id)} · {escape(catalog.provision(p.id).title)}'
        f'</th><td class="number">{p.answered}</td><td data-role="score">{_pct(p.score)}</td>'
        f'<td data-role="level">{escape(p.level or "Not started")}</td>'
        f'<td data-role="critical">{"yes" if p.critical else "no"}</td></tr>'
        for p in report.provisions)
    return ('<table class="result-table"><caption>Levels by provision</caption><thead><tr>'
            '<th scope="col">Provision</th><th scope="col">Questions answered</th><th scope="col">Score</th>'
            '<th scope="col">Level</th><th scope="col">Critical error</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>")


def question_entry(n: Numbered, item: ItemResult | None, answer: Attempt | None, first_item: ItemResult | None,
                   attempts: int, catalog: Catalog) -> str:
    """A question: its number, kind and stem, how sure the learner said they were, then the book's feedback on their
    latest answer (or, unanswered, every option's reason and the provisions' text)."""
    q = n.question
    head = (f'<h4 id="{escape(q.id)}">Question {n.number} · {escape(KIND_LABELS[q.kind])}</h4>'
            f'<p class="stem">{escape(q.stem)}</p>')
    if item is None or answer is None:
        return (f'<section class="question" data-question="{escape(q.id)}" data-score="">{head}'
                '<p class="answered-none">You did not answer this question; it is not counted in your scores.</p>'
                f"{option_reasons(q, catalog, cited_open=True)}</section>")
    sure = (f"<p>How sure you said you were: {escape(CERTAINTY_LABELS[answer.certainty])}.</p>"
            if answer.certainty else "")
    again = first_item.score if first_item is not None and attempts > 1 else None
    level = CRITICAL_LEVEL if item.critical else level_for(item.score)
    return (f'<section class="question" data-question="{escape(q.id)}" data-score="{percent(item.score)}" '
            f'data-level="{escape(level)}">{head}{sure}'
            f"{feedback(q, catalog, answer.answer, item.score, item.violations, again, cited_open=True)}</section>")


def questions_section(scored: Scored, plan: SessionPlan, bank: Bank, catalog: Catalog) -> str:
    items = {i.question: i for i in scored.report.items}
    firsts = {i.question: i for i in scored.report.first_items}
    answers = {a.question: a for a in latest(scored.attempts)}
    counts = {a.question: sum(1 for b in scored.attempts if b.question == a.question) for a in first(scored.attempts)}
    parts = []
    for block, groups in zip(plan.blocks, block_groups(plan, bank), strict=True):
        for g in groups:
            if g.vignette is not None:
                v = g.vignette
                parts.append(f'<h3>Case: {escape(v.title)}</h3><p class="case-meta">'
                             f"{escape(SETTING_LABELS[v.setting])} · {escape(block.title)}</p>"
                             f"{paragraphs(v.narrative)}")
            else:
                parts.append(f"<h3>{escape(block.title)}: questions on no case</h3>")
            parts += [question_entry(n, items.get(n.question.id), answers.get(n.question.id),
                                     firsts.get(n.question.id), counts.get(n.question.id, 0), catalog)
                      for n in g.questions]
    return (f'<section aria-labelledby="questions-h"><h2 id="questions-h">Question by question</h2>{"".join(parts)}'
            "</section>")


def learner_page(scored: Scored, source: Path, plan: SessionPlan, bank: Bank, catalog: Catalog) -> str:
    """One learner's feedback page."""
    report = scored.report
    learner = report.learner.strip() or "(no name in the file)"
    numbers = {n.question.id: n.number for groups in block_groups(plan, bank) for g in groups for n in g.questions}
    when = datetime.now(UTC).strftime("%Y-%m-%d")
    body = (f'<h1>Feedback for {escape(learner)}</h1><p class="subtitle">{escape(plan.title)} · '
            f"{escape(session_dates(plan))}</p><p>From the response file <code>{escape(source.name)}</code>, graded on "
            f"{when} against this session's {len(plan.questions)} questions. Your latest answer to each question "
            "counts; your first attempt is shown beside it when you answered more than once.</p>"
            f"{result_section(report, plan, len(plan.questions))}"
            f"{critical_section(report, numbers, bank, catalog)}"
            f'<section aria-labelledby="levels-h"><h2 id="levels-h">Your levels</h2>{domain_table(report, catalog)}'
            f"{provision_table(report, catalog)}</section>"
            f"{questions_section(scored, plan, bank, catalog)}")
    return page(f"Feedback for {learner}: {plan.title}", body)


# -- the index --------------------------------------------------------------------------------------------------

def index_page(pages: list[LearnerPage], plan: SessionPlan) -> str:
    rows = "".join(
        f'<tr><th scope="row"><a href="{escape(p.slug)}.html">{escape(p.report.learner.strip() or "(no name)")}</a>'
        f"</th><td><code>{escape(p.source.name)}</code></td><td>{_pct(p.report.score)}</td>"
        f'<td>{"–" if p.report.score is None else level_for(p.report.score)}</td>'
        f"<td>{sum(1 for i in p.report.items if not i.unanswered)} of {len(plan.questions)}</td>"
        f"<td>{sum(1 for r in p.report.provisions if r.critical)}</td>"
        f'<td>{"yes" if p.report.complete else "no"}</td></tr>'
        for p in pages)
    body = (f'<h1>Feedback pages</h1><p class="subtitle">{escape(plan.title)} · {escape(session_dates(plan))}</p>'
            "<p>One page per learner, to hand back after the session: their answers, scores and levels, critical "
            "errors, and the reasons for every option. Each page holds the session's answer key.</p>"
            '<table class="result-table"><caption>Learners</caption><thead><tr><th scope="col">Learner</th>'
            '<th scope="col">Response file</th><th scope="col">Overall</th><th scope="col">Level</th>'
            '<th scope="col">Questions answered</th><th scope="col">Provisions with a critical error</th>'
            f'<th scope="col">Complete</th></tr></thead><tbody>{rows}</tbody></table>')
    return page(f"Feedback pages: {plan.title}", body)


def ours(path: Path) -> bool:
    """Is this file a page this command wrote?"""
    return path.is_file() and f'<meta name="generator" content="{GENERATOR}">' in path.read_text("utf-8", "replace")


def check_folder(out: Path) -> Path:
    """The folder to write in: new, empty, or an earlier run's (its index names this command); anything else is
    refused (ValueError), so that nothing of someone else's is replaced."""
    out = out.expanduser()
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not ours(out / "index.html"):
        raise ValueError(f"--out {out} is not empty and holds no earlier feedback pages: choose an empty or new folder")
    return out


def write_pages(pages: list[LearnerPage], plan: SessionPlan, out: Path) -> list[Path]:
    """Write each learner's page and the index into `out` (made if need be)."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.html"):  # an earlier run's pages: a learner left out this time is not left behind
        if ours(old):
            old.unlink()
    written = []
    for p in pages:
        path = out / f"{p.slug}.html"
        path.write_text(p.html, encoding="utf-8")
        written.append(path)
    (out / "index.html").write_text(index_page(pages, plan), encoding="utf-8")
    return [*written, out / "index.html"]
