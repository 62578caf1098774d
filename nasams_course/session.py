"""A learner's answers in a notebook session, turned into a profile, a progress record or a response file."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from nasams_course.catalog import load_catalog
from nasams_course.content.models import Bank
from nasams_course.grading import Attempt, Report, SelfRating, grade
from nasams_course.grading.calibration import (
    CERTAINTY_LABELS,
    GAP_FLAGS,
    SELF_RATING_LABELS,
    STAGES,
    level_message,
    score_text,
)
from nasams_course.grading.levels import PASSING, level_for
from nasams_course.grading.words import say
from nasams_course.responses import read_responses, to_json

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass
class Session:
    """Attempts and self-ratings made in this notebook session, in the order they were made."""

    learner: str = ""
    attempts: list[Attempt] = field(default_factory=list)
    ratings: list[SelfRating] = field(default_factory=list)

    def record(self, question: str, answer: object, certainty: int | None = None) -> Attempt:
        """Keep one submitted answer, with how sure the learner said they were (1 low, 2 medium, 3 high; None: not
        stated). Every attempt is kept; the latest of a question counts, the first is reported beside it (and its
        certainty is what calibration reads)."""
        if certainty is not None and (isinstance(certainty, bool) or certainty not in CERTAINTY_LABELS):
            raise ValueError(f"certainty must be 1 (low), 2 (medium), 3 (high) or None (not stated), "
                             f"got {certainty!r}")
        attempt = Attempt(question, answer, time.time() * 1000, len(self.attempts),
                          None if certainty is None else int(certainty))
        self.attempts.append(attempt)
        return attempt

    def rate(self, provision: str, stage: str, rating: int) -> SelfRating:
        """Keep a self-rating: how ready you are to apply a provision, `before` or `after` its chapter, from 1 (not
        yet ready) to 4 (could teach it). The latest of each stage counts; it never changes a score."""
        if provision not in load_catalog().ids:
            raise ValueError(f"unknown provision {provision!r}: `nasams-course provisions` lists them (e.g. 'E4a')")
        if stage not in STAGES:
            raise ValueError(f"stage must be 'before' or 'after', got {stage!r}")
        if isinstance(rating, bool) or rating not in SELF_RATING_LABELS:
            scale = ", ".join(f"{r} {label.lower()}" for r, label in SELF_RATING_LABELS.items())
            raise ValueError(f"rating must be 1 to 4 ({scale}), got {rating!r}")
        rated = SelfRating(provision, stage, int(rating), time.time() * 1000, len(self.ratings))
        self.ratings.append(rated)
        return rated

    def report(self, bank: Bank, questions: list[str] | None = None) -> Report:
        """Grade the session against the whole bank, or against the listed questions."""
        scope = bank.questions if questions is None else {q: bank.questions[q] for q in questions}
        attempts = [a for a in self.attempts if a.question in scope]
        return grade(scope, attempts, learner=self.learner, ratings=self.ratings)

    def profile(self, bank: Bank, questions: list[str] | None = None) -> pd.DataFrame:
        """One row per provision in scope: domain, score, level, critical error."""
        return profile_frame(self.report(bank, questions))

    def save(self, path: str | Path, learner: str | None = None) -> Path:
        """Write the session as a `nasams-course/responses@2` file (every attempt). The file says whose answers these
        are: give `learner` here or set `SESSION.learner` first; a file without a name is refused."""
        if learner is not None:
            self.learner = learner.strip()
        if not self.learner.strip():
            raise ValueError("whose answers are these? Save with your name: "
                             "SESSION.save('my-responses.json', learner='Your Name')")
        path = Path(path)
        data = to_json(self.learner, self.attempts, self.ratings)
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return path

    def load(self, path: str | Path, bank: Bank) -> list[str]:
        """Add the attempts and self-ratings of a response file; return a message for every one skipped."""
        loaded = read_responses(Path(path), bank.questions)
        if not self.learner:
            self.learner = loaded.learner
        offset = len(self.attempts)
        self.attempts += [Attempt(a.question, a.answer, a.at, offset + a.seq, a.certainty) for a in loaded.attempts]
        offset = len(self.ratings)
        self.ratings += [SelfRating(r.provision, r.stage, r.rating, r.at, offset + r.seq) for r in loaded.ratings]
        return loaded.problems

    def progress(self, bank: Bank | None = None, questions: list[str] | None = None) -> Progress:
        """Where you stand, with the figures of the book's "Your progress" page: the overall lines, outstanding
        critical errors, the domains, the provisions with one chart of their scores, how your certainty fitted your
        scores, and your self-ratings beside your measured levels. End a notebook cell with `SESSION.progress()` to
        show it (or call `.show()` on the result); its parts are attributes (pandas tables, a matplotlib figure).
        `bank` defaults to the course's; `questions` limits the scope as in `report`."""
        if bank is None:
            from nasams_course.content.loader import course_bank

            bank = course_bank()
        n = len(bank.questions) if questions is None else len(questions)
        return progress_record(self.report(bank, questions), bank, n)


def profile_frame(report: Report) -> pd.DataFrame:
    """A provision profile table from a report."""
    catalog = load_catalog()
    rows = [
        {
            "provision": p.id,
            "title": catalog.provision(p.id).title,
            "domain": catalog.provision(p.id).domain,
            "answered": p.answered,
            "score": None if p.score is None else round(p.score, 3),
            "first_score": None if p.first_score is None else round(p.first_score, 3),
            "level": p.level or "not attempted",
            "critical": p.critical,
        }
        for p in report.provisions
    ]
    return pd.DataFrame(rows, columns=["provision", "title", "domain", "answered", "score", "first_score", "level",
                                       "critical"])


def domain_frame(report: Report) -> pd.DataFrame:
    """A domain profile table from a report."""
    catalog = load_catalog()
    rows = [
        {"domain": d.id, "title": catalog.domain(d.id).title,
         "score": None if d.score is None else round(d.score, 3), "level": d.level or "not attempted"}
        for d in report.domains
    ]
    return pd.DataFrame(rows, columns=["domain", "title", "score", "level"])


def calibration_frame(report: Report) -> pd.DataFrame:
    """How sure the learner said they were, and how often they were right: one row per certainty (low, medium,
    high), counted on each question's first attempt with a stated certainty, with the plain message."""
    rows = [
        {"certainty": lv.label, "answers": lv.answers,
         "average": None if lv.mean_score is None else round(lv.mean_score, 3),
         "below 50 %": lv.below_half, "fit": lv.fit or "", "message": level_message(lv) or ""}
        for lv in report.calibration.levels
    ]
    return pd.DataFrame(rows, columns=["certainty", "answers", "average", "below 50 %", "fit", "message"])


def calibration_summary(report: Report) -> str:
    """One line: how many answers were counted and their mean certainty-based mark."""
    cal = report.calibration
    if not cal.answers:
        return say("cal-none")
    return say("cal-summary", n=cal.answers, cbm=f"{cal.cbm:.2f}")


def self_rating_frame(report: Report) -> pd.DataFrame:
    """The learner's latest self-ratings (1 not yet ready ... 4 could teach it) beside the measured level, with a flag
    for a gap of two steps or more."""
    catalog = load_catalog()
    rows = [
        {"provision": r.provision, "title": catalog.provision(r.provision).title, "before": r.before,
         "after": r.after, "measured": r.level or "not attempted", "flag": GAP_FLAGS.get(r.gap, "") if r.gap else ""}
        for r in report.self_ratings
    ]
    frame = pd.DataFrame(rows, columns=["provision", "title", "before", "after", "measured", "flag"])
    return frame.astype({"before": "Int64", "after": "Int64"})


def overall_lines(report: Report, questions: int) -> list[str]:
    """The progress page's overall lines: provisions attempted, scores and level, complete or not and why."""
    started = [p for p in report.provisions if p.score is not None]
    answered = sum(1 for i in report.items if not i.unanswered)
    level = "Not started" if report.score is None else level_for(report.score)
    lines = [
        say("summary", started=len(started), total=len(report.provisions), answered=answered,
            questions=questions) + ".",
        f"Latest answers: {score_text(report.score)} · Level: {level} · "
        f"First attempts: {score_text(report.first_score)}",
        f"Complete: {'yes' if report.complete else 'no'}.",
    ]
    why = {"missing": len(report.provisions) - len(started),
           "low": sum(1 for d in report.domains if d.level not in PASSING),
           "critical": sum(1 for p in report.provisions if p.critical)}
    return lines + [say(key, n=n) for key, n in why.items() if n]


def progress_domain_frame(report: Report) -> pd.DataFrame:
    """The domains as the progress page shows them: score, level, provisions attempted of the domain's."""
    catalog = load_catalog()
    by_id = {p.id: p for p in report.provisions}
    rows = []
    for d in report.domains:
        mine = [p.id for p in catalog.provisions if p.domain == d.id]
        done = sum(1 for pid in mine if pid in by_id and by_id[pid].score is not None)
        rows.append({"domain": d.id, "title": catalog.domain(d.id).title,
                     "score": None if d.score is None else round(d.score, 3), "level": d.level or "Not started",
                     "attempted": f"{done} of {len(mine)}"})
    return pd.DataFrame(rows, columns=["domain", "title", "score", "level", "attempted"])


def critical_frame(report: Report, bank: Bank) -> pd.DataFrame:
    """Outstanding critical errors: each question whose latest answer is one, what it breaches, and its stem."""
    rows = [{"question": i.question, "breaches": ", ".join(i.breached), "stem": bank.questions[i.question].stem}
            for i in report.items if i.critical]
    return pd.DataFrame(rows, columns=["question", "breaches", "stem"])


@dataclass
class Progress:
    """A learner's progress record: the figures of the book's "Your progress" page as text lines, pandas tables and
    one matplotlib figure. In a notebook, end a cell with it (or call `show()`) to display it."""

    report: Report
    overall: list[str]
    domains: pd.DataFrame
    provisions: pd.DataFrame
    critical: pd.DataFrame
    calibration: pd.DataFrame
    calibration_summary: str
    self_ratings: pd.DataFrame
    figure: Figure

    def show(self) -> None:
        """Display every part in the notebook, in the order of the progress page."""
        from html import escape

        from IPython.display import HTML, display

        from nasams_course.charts import chart_alt

        def heading(text: str) -> None:
            display(HTML(f"<h3>{escape(text)}</h3>"))

        heading("Overall")
        display(HTML("".join(f"<p>{escape(line)}</p>" for line in self.overall)))
        heading("Critical errors to review")
        display(self.critical if len(self.critical) else HTML("<p>None outstanding.</p>"))
        heading("The competency domains")
        display(self.domains)
        heading("The provisions")
        display(self.provisions)
        display(HTML(figure_html(self.figure, chart_alt(self.report))))
        heading("How sure you were, and how often you were right")
        display(HTML(f"<p>{escape(self.calibration_summary)}</p>"))
        display(self.calibration)
        messages = [m for m in self.calibration["message"] if m]
        if messages:
            display(HTML("<ul>" + "".join(f"<li>{escape(m)}</li>" for m in messages) + "</ul>"))
        heading("Your self-ratings beside your measured level")
        scale = ", ".join(f"{r} {label.lower()}" for r, label in SELF_RATING_LABELS.items())
        if len(self.self_ratings):
            display(HTML(f"<p>Scale: {escape(scale)}. A gap of two steps or more is flagged.</p>"))
            display(self.self_ratings)
        else:
            display(HTML("<p>No self-ratings yet: SESSION.rate('E4a', 'before', 3) records one.</p>"))

    def _ipython_display_(self) -> None:
        self.show()

    def __repr__(self) -> str:
        return "\n".join([*self.overall, self.calibration_summary])


def figure_html(figure: Figure, alt: str) -> str:
    """The figure as an <img> with a text alternative (shown alike by every notebook front end)."""
    import base64
    import io
    from html import escape

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=96)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{escape(alt, quote=True)}" style="max-width:100%">'


def progress_record(report: Report, bank: Bank, questions: int | None = None) -> Progress:
    """Every part of a progress record from a graded report (`questions`: how many questions the scope has; the
    whole bank by default)."""
    from nasams_course.charts import provision_chart

    return Progress(
        report=report,
        overall=overall_lines(report, len(bank.questions) if questions is None else questions),
        domains=progress_domain_frame(report),
        provisions=profile_frame(report),
        critical=critical_frame(report, bank),
        calibration=calibration_frame(report),
        calibration_summary=calibration_summary(report),
        self_ratings=self_rating_frame(report),
        figure=provision_chart(report, load_catalog()),
    )
