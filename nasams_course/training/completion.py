"""Who completed a session: each learner's graded attempts at the session's questions (from the gradebook, or from
response files) judged by the completion rule, as the `LearnerOutcome` rows that `certify_learners` certifies.

The session's scope is its plan's questions (its chapters, provisions and zones, resolved from the syllabus), and
each learner is graded on them as `nasams-course grade --session` grades a file (`grading.grade`): complete when
every provision of the scope is attempted, every domain is Proficient or above, and no critical error stands.
Attempts at other questions are not counted. Sealed assessment sessions and practice sessions are graded alike."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from nasams_course.content.models import Bank
from nasams_course.grading import Attempt, Report, grade
from nasams_course.grading.levels import PASSING
from nasams_course.responses import ResponseFileError, read_responses
from nasams_course.training.certify import LearnerOutcome
from nasams_course.training.gradebook import attempts_table, sessions
from nasams_course.training.plan import SessionPlan

NOT_ATTEMPTED = "not attempted"


class CompletionError(ValueError):
    """Attempts that cannot be judged (a refused file, a session the gradebook does not hold): one line each."""


def day_of(ms: float) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d")


def outcome(name: str, report: Report, last_ms: float | None, today: str) -> LearnerOutcome:
    """A learner's outcome from their report on the session's scope: the date is that of their last attempt at it
    (today when there is none)."""
    on = day_of(last_ms) if last_ms is not None else today
    if report.complete:
        return LearnerOutcome(name, True, on, provisions=tuple(p.id for p in report.provisions),
                              levels={d.id: d.level for d in report.domains})
    remaining = {
        "provisions_not_attempted": [p.id for p in report.provisions if p.score is None],
        "domains_below_proficient": {d.id: d.level or NOT_ATTEMPTED for d in report.domains
                                     if d.level not in PASSING},
        "critical_errors": [p.id for p in report.provisions if p.critical],
    }
    return LearnerOutcome(name, False, on, remaining=remaining)


def judge(attempts_by_learner: dict[str, list[Attempt]], plan: SessionPlan, bank: Bank) -> list[LearnerOutcome]:
    """Each learner's outcome on the session's questions (attempts at other questions are left out)."""
    questions = {qid: bank.questions[qid] for qid in plan.questions}
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    rows = []
    for name, attempts in attempts_by_learner.items():
        kept = [a for a in attempts if a.question in questions]
        report = grade(questions, kept, learner=name)
        rows.append(outcome(name, report, max((a.at for a in kept), default=None), today))
    return rows


def from_gradebook(db: str | Path, plan: SessionPlan, bank: Bank) -> list[LearnerOutcome]:
    """The outcomes of the learners the gradebook holds for the session `plan.id`, by name."""
    known = set(sessions(db)["session"].dropna())
    if plan.id not in known:
        listed = ", ".join(sorted(known)) or "none"
        raise CompletionError(f"{db} has no attempts for session {plan.id!r} (its sessions: {listed})")
    table = attempts_table(db, plan.id)
    by_learner: dict[str, list[Attempt]] = {}
    for seq, (learner, question, answer, certainty, at_ms) in enumerate(zip(
            table["learner"], table["question"], table["answer"], table["certainty"], table["at_ms"], strict=True)):
        by_learner.setdefault(learner, []).append(Attempt(
            question, json.loads(answer), float(at_ms), seq, None if pd.isna(certainty) else int(certainty)))
    return judge(by_learner, plan, bank)


def from_files(paths: Iterable[Path], plan: SessionPlan, bank: Bank) -> list[LearnerOutcome]:
    """The outcomes of the learners of some response files (two files of one learner are graded together).
    CompletionError, one line per file, when any file is refused (unreadable, a skipped entry, saved from another
    session, no learner name): nothing is judged from a partial cohort."""
    by_learner: dict[str, list[Attempt]] = {}
    problems: list[str] = []
    for path in paths:
        try:
            rs = read_responses(Path(path), bank.questions)
        except ResponseFileError as exc:
            problems.append(str(exc))
            continue
        if rs.problems:
            problems.append(f"{rs.problems[0]}" + (f" (and {len(rs.problems) - 1} more)" if len(rs.problems) > 1
                                                    else ""))
        elif rs.session not in (None, plan.id):
            problems.append(f"{path}: saved from session {rs.session!r}, not {plan.id!r}")
        elif not rs.learner.strip():
            problems.append(f"{path}: 'learner' is empty; a certificate needs the learner's name")
        else:
            seq0 = sum(map(len, by_learner.values()))
            by_learner.setdefault(rs.learner, []).extend(
                Attempt(a.question, a.answer, a.at, seq0 + i, a.certainty) for i, a in enumerate(rs.attempts))
    if problems:
        raise CompletionError("\n".join(problems))
    return judge(by_learner, plan, bank)

