"""The cohort report: one static page, `index.html` (inline style and SVG charts, no script, nothing fetched: a
Content-Security-Policy forbids both), and a CSV file of each of its tables. Percentages everywhere, never NaN: a
figure that is not defined is shown as "–" (an empty cell in the CSV files)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import numpy as np
import pandas as pd

from nasams_course.content.models import KIND_LABELS
from nasams_course.rendering.html import percent
from nasams_course.training import item_analysis as ia
from nasams_course.training.cohort_tables import (
    LEVEL_ORDER,
    Graded,
    critical_by_learner,
    critical_by_question,
    domain_levels,
    domain_matrix,
    first_attempt_scores,
    first_selections,
    provision_matrix,
    roster,
)
from nasams_course.training.distractors import choice_shares, option_key, position_shares, rating_shares
from nasams_course.training.report_charts import start_charts
from nasams_course.training.spreadsheet import write_frame

#: marks a report's folder: an earlier report may be replaced, nothing else is touched
GENERATOR = "nasams-course report"
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
STYLE = """
:root { color-scheme: light dark; --fg: #1a1a1a; --bg: #ffffff; --muted: #4d4d4d; --link: #1f4e79; --line: #8c8c8c;
  --head: #e9eef4; --flag: #8a1c1c; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #ececec; --bg: #121417; --muted: #c4c4c4; --link: #9cc9ff; --line: #6b6b6b; --head: #1f2933;
    --flag: #ffaaaa; }
}
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg);
  margin: 0 auto; max-width: 90rem; padding: 1rem 1.5rem 3rem; }
a { color: var(--link); }
h1 { font-size: 1.6rem; } h2 { font-size: 1.3rem; margin-top: 2.2rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.1rem; margin-top: 1.4rem; }
.muted { color: var(--muted); }
.scroll { overflow: auto; max-height: 36rem; margin: .5rem 0 1rem; }
table { border-collapse: collapse; font-size: .9rem; }
caption { text-align: left; font-weight: bold; padding: .3rem 0; }
th, td { border: 1px solid var(--line); padding: .2rem .5rem; text-align: left; vertical-align: top; }
thead th { background: var(--head); position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.flag { color: var(--flag); }
figure { margin: 1rem 0; }
figure svg { max-width: 100%; height: auto; background: #ffffff; }
dt { font-weight: bold; } dd { margin: 0 0 .5rem 1.5rem; }
.question-text { border-top: 1px solid var(--line); }
"""
NONE = "–"


class ReportError(ValueError):
    """The report cannot be written as asked (the output folder)."""


def check_out(out: Path) -> Path:
    """The folder to write in: new, empty, or an earlier report's (its index names this command)."""
    out = out.expanduser()
    if out.exists() and not out.is_dir():
        raise ReportError(f"--out {out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not ours(out / "index.html"):
        raise ReportError(f"--out {out} is not empty and holds no earlier report: choose an empty or new folder")
    return out


def ours(path: Path) -> bool:
    try:
        return f'<meta name="generator" content="{GENERATOR}">' in path.read_text(encoding="utf-8")[:2000]
    except (OSError, UnicodeDecodeError):
        return False


# -- formatting ---------------------------------------------------------------------------------------------------

def score_text(v) -> str:
    """A score from 0 to 1 as a whole percentage."""
    return NONE if v is None or pd.isna(v) else percent(float(v))


def pct_text(v, digits: int = 1) -> str:
    """A figure already in percent."""
    return NONE if v is None or pd.isna(v) else f"{float(v):.{digits}f}%"


def pct0(v) -> str:
    return pct_text(v, 0)


def text(v) -> str:
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else escape(str(v))


def question_link(qid) -> str:
    return f'<a href="#question-{escape(str(qid))}">{escape(str(qid))}</a>'


#: a cell lists at most this many questions (the CSV file has them all)
LINKS_SHOWN = 5


def question_links(qids: str) -> str:
    listed = [q for q in qids.split(", ") if q]
    more = len(listed) - LINKS_SHOWN
    return ", ".join(question_link(q) for q in listed[:LINKS_SHOWN]) + (f" and {more} more" if more > 0 else "")


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    fmt: Callable = text
    numeric: bool = False


def html_table(frame: pd.DataFrame, caption: str, columns: list[Column], csv: str | None) -> str:
    """A table with a caption, column headers, the first column as row headers, in a scrollable region."""
    link = f' <a href="{csv}">(CSV)</a>' if csv else ""
    head = "".join(f'<th scope="col">{escape(c.label)}</th>' for c in columns)
    cells = []  # column by column: each cell formatted once, no loop over (row, column)
    for j, c in enumerate(columns):
        tag = "th" if j == 0 else "td"
        attrs = ' scope="row"' if j == 0 else (' class="num"' if c.numeric else "")
        start, end = f"<{tag}{attrs}>", f"</{tag}>"
        cells.append([start + c.fmt(v) + end for v in frame[c.name].to_numpy(dtype=object)])
    body = ["<tr>" + "".join(row) + "</tr>" for row in zip(*cells, strict=True)]
    return (f'<div class="scroll" role="region" aria-label="{escape(caption)}" tabindex="0"><table>'
            f"<caption>{escape(caption)}{link}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table></div>")


def for_csv(frame: pd.DataFrame, scores: tuple[str, ...] = (), pcts: tuple[str, ...] = ()) -> pd.DataFrame:
    """A table as its CSV holds it: scores (0-1) as percentages and percentages to two decimals."""
    out = frame.copy()
    for c in scores:
        out[c] = (pd.to_numeric(out[c], errors="coerce") * 100).round(2)
    for c in pcts:
        out[c] = pd.to_numeric(out[c], errors="coerce").round(2)
    return out


# -- sections -----------------------------------------------------------------------------------------------------

@dataclass
class Section:
    """A part of the page, and the CSV files of its tables."""

    html: str
    csv: dict[str, pd.DataFrame]


def roster_section(graded: Graded, frame: pd.DataFrame) -> Section:
    columns = [Column("learner", "Learner"), Column("file", "Source file"),
               Column("answered_text", "Answered"), Column("first_score", "First attempts", score_text, True),
               Column("score", "Final", score_text, True), Column("level", "Level"),
               Column("critical", "Critical errors", text, True), Column("complete_text", "Complete")]
    shown = frame.assign(answered_text=[f"{a} / {t}" for a, t in zip(frame["answered"], frame["total"], strict=True)],
                         complete_text=["yes" if c else f"no: {w}" for c, w in
                                        zip(frame["complete"], frame["why_not"], strict=True)])
    html = ("<h2 id='roster'>Roster</h2><p>One row per learner: the questions answered of those in scope, the score "
            "of the first attempts (what they knew before the feedback) and of the latest (the final score, the mean "
            "of the provision scores, as <code>nasams-course grade</code> reports it), its level, the questions whose "
            "latest answer is a critical error, and whether the learner is complete (every provision attempted, "
            "every domain Proficient or better, no critical error) or why not.</p>"
            + html_table(shown, "Roster", columns, "roster.csv"))
    csv = for_csv(frame.rename(columns={"first_score": "first_attempt_pct", "score": "final_pct"}),
                  scores=("first_attempt_pct", "final_pct"))
    return Section(html, {"roster.csv": csv})


def profile_section(graded: Graded) -> Callable[[], Section]:
    """The provisions and domains: begun now (its charts are drawn meanwhile, see `start_charts`), finished by the
    function returned."""
    names = graded.cohort.learners.set_index("key")["learner"]
    scores = provision_matrix(graded)
    critical = provision_matrix(graded, column="critical")
    levels = domain_levels(graded)
    charts = start_charts(scores, critical.astype(float), names.reindex(scores.index), levels)
    return lambda: _profile_section(graded, names, scores, levels, *charts())


def _profile_section(graded: Graded, names: pd.Series, scores: pd.DataFrame, levels: pd.DataFrame, chart: str,
                     dchart: str) -> Section:
    wide = scores.copy()
    wide.insert(0, "learner", names.reindex(scores.index).to_numpy())
    domains = domain_matrix(graded)
    domains.insert(0, "learner", names.reindex(domains.index).to_numpy())
    total = levels[LEVEL_ORDER].sum(axis=1).replace(0, 1)
    shown = levels.copy()
    for lv in LEVEL_ORDER:
        shown[lv] = [f"{n} ({100 * n / t:.0f}%)" for n, t in zip(levels[lv], total, strict=True)]
    columns = [Column("title", "Domain"), *(Column(lv, lv, text, True) for lv in LEVEL_ORDER)]
    html = ("<h2 id='profiles'>Provisions and domains</h2>"
            f"<figure>{chart}<figcaption>Provision scores of the latest answers per learner "
            "(<a href='provision-scores.csv'>provision-scores.csv</a>; with more than 60 learners, each row is a band "
            "of learners of similar overall score).</figcaption></figure>"
            f"<figure>{dchart}<figcaption>How many learners reach each level in each domain "
            "(<a href='domain-scores.csv'>domain-scores.csv</a> has each learner's scores).</figcaption></figure>"
            + html_table(shown, "Learners at each domain level", columns, "domain-levels.csv"))
    csv = {"provision-scores.csv": for_csv(wide, scores=tuple(scores.columns)),
           "domain-scores.csv": for_csv(domains, scores=tuple(c for c in domains.columns if c != "learner")),
           "domain-levels.csv": levels}
    return Section(html, csv)


def critical_section(graded: Graded) -> Section:
    by_learner = critical_by_learner(graded)
    by_question = critical_by_question(graded)
    html = ("<h2 id='critical'>Critical errors</h2><p>A critical error is an answer that chooses (or rates as "
            "appropriate) an action that breaches a provision: it caps that provision at Beginning. Each question "
            "links to its text below.</p><h3>By learner (latest answers)</h3>")
    html += (html_table(by_learner, "Critical errors by learner", [
        Column("learner", "Learner"), Column("file", "Source file"), Column("critical", "Questions", text, True),
        Column("questions", "Which", question_links), Column("provisions", "Provisions breached")],
        "critical-by-learner.csv") if len(by_learner) else "<p>No learner's latest answer is a critical error.</p>")
    html += "<h3>By question</h3>"
    html += (html_table(by_question, "Critical errors by question", [
        Column("question", "Question", question_link), Column("critical_latest", "Learners (latest)", text, True),
        Column("share_latest", "Of those who answered", pct0, True),
        Column("critical_first", "Learners (first attempts)", text, True),
        Column("provisions", "Provisions breached")], "critical-by-question.csv")
        if len(by_question) else "<p>No critical error on any question, first or latest.</p>")
    return Section(html, {"critical-by-learner.csv": by_learner,
                          "critical-by-question.csv": for_csv(by_question, pcts=("share_latest",))})


def item_tables(graded: Graded, scores: pd.DataFrame) -> tuple[pd.DataFrame, ia.QuizStatistics]:
    """The item statistics over `scores` (first_attempt_scores), with the kind, how many answered, the first-attempt
    critical-error rate and the reasons for review; and the quiz's statistics."""
    stats = ia.item_statistics(scores)
    items = graded.first["items"]
    answered = items[~items["unanswered"]]
    g = answered.groupby("question", observed=True)
    stats["kind"] = [graded.cohort.questions[q].kind for q in stats["question"]]
    stats["answered"] = g.size().reindex(stats["question"]).fillna(0).astype(int).to_numpy()
    stats["critical"] = (100 * g["critical"].mean()).reindex(stats["question"]).to_numpy()
    stats["review"] = ["; ".join(ia.review_reasons(row, len(scores))) for _, row in stats.iterrows()]
    return stats, ia.quiz_statistics(scores)


def item_section(learners: int, tables: tuple[pd.DataFrame, ia.QuizStatistics] | None) -> Section:
    head = "<h2 id='items'>Item analysis (first attempts)</h2>"
    if tables is None:
        return Section(head + f"<p class='flag'>Item statistics need at least {ia.MIN_LEARNERS} learners; this "
                       f"report has {learners}, so they are not shown (with so few, a correlation or a reliability "
                       "means nothing).</p>", {})
    stats, quiz = tables
    definitions = "".join(f"<dt>{escape(k.split(':')[0])}</dt><dd>{escape(k.split(':', 1)[1].strip())}</dd>"
                          for k in ia.DEFINITIONS.values())
    summary = pd.DataFrame([
        ("Learners", f"{quiz.learners}"), ("Questions", f"{quiz.items}"),
        ("Mean total (first attempts)", pct_text(quiz.mean)), ("Standard deviation of totals", pct_text(quiz.sd)),
        ("Cronbach's alpha (KR-20)", pct_text(quiz.alpha)), ("Error ratio", pct_text(quiz.error_ratio)),
        ("Standard error", NONE if quiz.standard_error is None else f"{quiz.standard_error:.1f} percentage points")],
        columns=["figure", "value"])
    flagged = stats[stats["review"] != ""]
    columns = [Column("question", "Question", question_link), Column("kind", "Kind"),
               Column("answered", "Answered", text, True), Column("facility", "Facility", pct_text, True),
               Column("sd", "SD", pct_text, True), Column("discrimination", "Discrimination", pct_text, True),
               Column("efficiency", "Efficiency", pct_text, True), Column("critical", "Critical errors", pct0, True)]
    html = (head + "<p>On each learner's first attempt at each question (what they knew before the feedback), with "
            "Moodle's definitions; a question a learner left unanswered counts 0, as in a submitted quiz. Only "
            "questions someone answered are included.</p>"
            f"<dl>{definitions}</dl>"
            + html_table(summary, "The test as a whole", [Column("figure", "Figure"), Column("value", "Value")],
                         "quiz-statistics.csv")
            + "<h3 id='review'>Questions to review</h3>"
            + (html_table(flagged, "Questions to review", [Column("question", "Question", question_link),
                                                           Column("review", "Why")], "item-statistics.csv")
               if len(flagged) else "<p>No question is flagged for review.</p>")
            + "<h3>Every question</h3>" + html_table(stats, "Item statistics", columns, "item-statistics.csv"))
    csv_stats = for_csv(stats[["question", "kind", "answered", "facility", "sd", "discrimination", "efficiency",
                               "critical", "review"]],
                        pcts=("facility", "sd", "discrimination", "efficiency", "critical"))
    quiz_csv = pd.DataFrame([{k: (round(v, 2) if isinstance(v, float) else v) for k, v in quiz.__dict__.items()}])
    return Section(html, {"item-statistics.csv": csv_stats, "quiz-statistics.csv": quiz_csv})


def distractor_section(graded: Graded, learners: int, scores: pd.DataFrame) -> Section:
    head = "<h2 id='distractors'>Distractor analysis (first attempts)</h2>"
    if learners < ia.MIN_LEARNERS:
        return Section(head + f"<p class='flag'>Distractor analysis by thirds of the cohort needs at least "
                       f"{ia.MIN_LEARNERS} learners; this report has {learners}, so it is not shown.</p>", {})
    first = first_selections(graded)
    third = ia.thirds(scores.sum(axis=1))
    choice = choice_shares(first, graded.cohort.questions, third)
    rate = rating_shares(first, graded.cohort.questions)
    order = position_shares(first, graded.cohort.questions)
    html = (head + "<p>Learners are split into thirds by their first-attempt total. A working distractor draws more "
            "of the lower third than of the upper; a keyed option should do the opposite.</p>"
            "<h3>Single and multi: who chose each option</h3>")
    html += html_table(choice, "Option shares by third of the cohort", [
        Column("question", "Question", question_link), Column("option", "Option"), Column("key", "Key"),
        Column("all", "All", pct0, True), Column("lower", "Lower third", pct0, True),
        Column("middle", "Middle third", pct0, True), Column("upper", "Upper third", pct0, True)],
        "distractors-choice.csv") if len(choice) else "<p>No single or multi question was answered.</p>"
    html += "<h3>Rate: ratings against the key</h3>"
    rate_cols = [c for c in rate.columns if c.startswith("rated ")]
    html += html_table(rate, "Ratings of each action", [
        Column("question", "Question", question_link), Column("option", "Action"), Column("key", "Key"),
        *(Column(c, c.capitalize(), pct0, True) for c in rate_cols),
        Column("mean distance", "Mean distance from the key", lambda v: NONE if v is None or pd.isna(v)
               else f"{v:.2f} points", True)], "distractors-rate.csv") if len(rate) else \
        "<p>No rate question was answered.</p>"
    html += "<h3>Order: where each step was placed</h3>"
    pos_cols = [c for c in order.columns if c.startswith("position ")]
    html += html_table(order, "Position of each step", [
        Column("question", "Question", question_link), Column("option", "Step"), Column("key", "Key"),
        *(Column(c, c.capitalize(), pct0, True) for c in pos_cols)], "distractors-order.csv") if len(order) else \
        "<p>No order question was answered.</p>"
    return Section(html, {"distractors-choice.csv": for_csv(choice, pcts=("all", "lower", "middle", "upper")),
                          "distractors-rate.csv": for_csv(rate, pcts=tuple(rate_cols)).round({"mean distance": 2}),
                          "distractors-order.csv": for_csv(order, pcts=tuple(pos_cols))})


def questions_section(graded: Graded) -> Section:
    parts, rows = ["<h2 id='questions'>The questions</h2>"], []
    for qid, q in graded.cohort.questions.items():
        options = "".join(f"<li><strong>{escape(o.id)}</strong>: {escape(o.text)} <span class='muted'>"
                          f"({escape(option_key(q, o.id))})</span></li>" for o in q.options)
        parts.append(f'<section class="question-text" id="question-{escape(qid)}"><h3>{escape(qid)}</h3>'
                     f"<p class='muted'>{escape(KIND_LABELS[q.kind])} · provisions {escape(', '.join(q.provisions))}"
                     f"</p><p>{escape(q.stem)}</p><ul>{options}</ul></section>")
        rows.append({"question": qid, "kind": q.kind, "provisions": ", ".join(q.provisions), "stem": q.stem})
    return Section("".join(parts), {"questions.csv": pd.DataFrame(rows)})


def first_look(frame: pd.DataFrame, tables: tuple[pd.DataFrame, ia.QuizStatistics] | None,
               problems: list[str]) -> str:
    """What to look at first: completion, critical errors, the questions to review, problems with the input."""
    n = len(frame)
    complete = int(frame["complete"].sum())
    critical = int((frame["critical"] > 0).sum())
    items = [f"{complete} of {n} learners complete ({100 * complete / max(n, 1):.0f}%); "
             "<a href='#roster'>the roster</a> says why the others are not.",
             f"{critical} learner{'s' * (critical != 1)} with a critical error in their latest answers: "
             "<a href='#critical'>critical errors</a>."]
    if tables is not None:
        stats, quiz = tables
        flagged = int((stats["review"] != "").sum())
        items.append(f"{flagged} of {len(stats)} questions flagged for <a href='#review'>review</a>; reliability "
                     f"(Cronbach's alpha) {pct_text(quiz.alpha)}.")
    else:
        items.append(f"Item statistics are hidden: they need at least {ia.MIN_LEARNERS} learners.")
    if problems:
        items.append(f"{len(problems)} problem(s) with the input: <a href='#problems'>see below</a>.")
    return "<h2 id='first'>What to look at first</h2><ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def page(title: str, body: str) -> str:
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="generator" content="{GENERATOR}"><title>{escape(title)}</title>'
            f"<style>{STYLE}</style></head><body><main>{body}</main></body></html>\n")


def write_report(graded: Graded, out: Path) -> list[Path]:
    """Write index.html and the CSV files into `out` (checked with check_out first); returns the files written."""
    cohort = graded.cohort
    frame = roster(graded)
    n = len(frame)
    scores = first_attempt_scores(graded)
    tables = item_tables(graded, scores) if n >= ia.MIN_LEARNERS else None
    profile = profile_section(graded)  # its charts are drawn while the other sections are made
    rest = [critical_section(graded), item_section(n, tables), distractor_section(graded, n, scores),
            questions_section(graded)]
    sections = [roster_section(graded, frame), profile(), *rest]
    title = f"Cohort report: {cohort.title}"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    problems = "".join(f"<li>{escape(p)}</li>" for p in cohort.problems + cohort.notes)
    body = (f"<h1>{escape(title)}</h1><p class='muted'>{n} learner{'s' * (n != 1)}, {len(cohort.questions)} questions "
            f"in scope; from {escape(cohort.source)}; written {when} by <code>nasams-course report</code>. "
            "Every table is also a CSV file in this folder.</p>"
            "<nav aria-label='Contents'><ul><li><a href='#first'>What to look at first</a></li>"
            "<li><a href='#roster'>Roster</a></li><li><a href='#profiles'>Provisions and domains</a></li>"
            "<li><a href='#critical'>Critical errors</a></li><li><a href='#items'>Item analysis</a></li>"
            "<li><a href='#distractors'>Distractor analysis</a></li><li><a href='#questions'>The questions</a></li>"
            "</ul></nav>"
            + first_look(frame, tables, cohort.problems)
            + "".join(s.html for s in sections)
            + (f"<h2 id='problems'>Problems and notes about the input</h2><ul>{problems}</ul>" if problems else ""))
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.csv"):  # an earlier report's tables: one not written this time is not left behind
        old.unlink()
    written = []
    for s in sections:
        for name, table in s.csv.items():
            write_frame(table, out / name)
            written.append(out / name)
    (out / "index.html").write_text(page(title, body), encoding="utf-8")
    return [out / "index.html", *written]
