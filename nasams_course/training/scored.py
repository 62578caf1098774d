"""A learner's response file graded against a session's scope (its questions and provisions) or the whole bank: what
`nasams-course grade` (with or without --session) and `nasams-course feedback` both do with each file."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from nasams_course.content.models import Bank
from nasams_course.grading import Attempt, Report, grade
from nasams_course.responses import ResponseSet
from nasams_course.training.plan import SessionPlan


@dataclass(frozen=True)
class Scored:
    """A file's report, the attempts it was graded on, what is wrong with the file (its skipped entries, a session
    that is not the one asked for) and notes (answers outside the session, not counted)."""

    report: Report
    attempts: list[Attempt]
    problems: list[str]
    notes: list[str]


def in_session(path: Path, responses: ResponseSet, plan: SessionPlan | None) -> tuple[list, list[str], list[str]]:
    """A file's attempts at the session's questions, and what it says about the rest (problems, then notes)."""
    if plan is None:
        note = (f"{path}: saved from session {responses.session!r}; grade it with --session SYLLABUS.yml to score it "
                "against that session only") if responses.session else ""
        return responses.attempts, [], [note] if note else []
    problems = ([f"{path}: saved from session {responses.session!r}, not {plan.id!r}"]
                if responses.session not in (None, plan.id) else [])
    kept = [a for a in responses.attempts if a.question in set(plan.questions)]
    outside = len({a.question for a in responses.attempts} - set(plan.questions))
    notes = [f"{path}: {outside} question(s) answered outside session {plan.id!r} are not counted"] if outside else []
    return kept, problems, notes


def score_file(path: Path, responses: ResponseSet, bank: Bank, plan: SessionPlan | None) -> Scored:
    """Grade a file's attempts against the session's questions (or, with no plan, the whole bank)."""
    questions = bank.questions if plan is None else {qid: bank.questions[qid] for qid in plan.questions}
    attempts, mismatch, notes = in_session(path, responses, plan)
    problems = [*responses.problems, *mismatch]
    report = replace(grade(questions, attempts, learner=responses.learner, ratings=responses.ratings),
                     problems=tuple(problems))
    return Scored(report, attempts, problems, notes)
