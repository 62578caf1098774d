"""A learner's response file graded against a session's scope (its questions and provisions) or the whole bank: the
rules `nasams-course grade` (with or without --session; training/roster.py grades many files at once by them) and
`nasams-course feedback` both apply to each file: what it is graded against (`scope_questions`), what its session
says (`session_findings`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from nasams_course.content.models import Bank, Question
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


def scope_questions(bank: Bank, plan: SessionPlan | None) -> dict[str, Question]:
    """What a file is graded against: the session's questions, or with no plan the whole bank."""
    return bank.questions if plan is None else {qid: bank.questions[qid] for qid in plan.questions}


def other_session(session: str | None, plan: SessionPlan | None) -> bool:
    """True when a file was saved from a session that is not the one asked for."""
    return plan is not None and session not in (None, plan.id)


def session_findings(path: Path | str, session: str | None, answered: set[str],
                     plan: SessionPlan | None) -> tuple[list[str], list[str]]:
    """What a file's session says, given the questions it answered: problems (saved from another session), then notes
    (a session file graded without --session; answers outside the session, not counted). The one rule of `grade`
    (each file of the roster) and `feedback`."""
    if plan is None:
        return [], ([f"{path}: saved from session {session!r}; grade it with --session SYLLABUS.yml to score it "
                     "against that session only"] if session else [])
    problems = [f"{path}: saved from session {session!r}, not {plan.id!r}"] if other_session(session, plan) else []
    outside = len(answered - set(plan.questions))
    notes = [f"{path}: {outside} question(s) answered outside session {plan.id!r} are not counted"] if outside else []
    return problems, notes


def in_session(path: Path, responses: ResponseSet, plan: SessionPlan | None) -> tuple[list, list[str], list[str]]:
    """A file's attempts at the session's questions, and what it says about the rest (problems, then notes)."""
    problems, notes = session_findings(path, responses.session, {a.question for a in responses.attempts}, plan)
    if plan is None:
        return responses.attempts, problems, notes
    kept = [a for a in responses.attempts if a.question in set(plan.questions)]
    return kept, problems, notes


def score_file(path: Path, responses: ResponseSet, bank: Bank, plan: SessionPlan | None) -> Scored:
    """Grade a file's attempts against the session's questions (or, with no plan, the whole bank)."""
    questions = scope_questions(bank, plan)
    attempts, mismatch, notes = in_session(path, responses, plan)
    problems = [*responses.problems, *mismatch]
    report = replace(grade(questions, attempts, learner=responses.learner, ratings=responses.ratings),
                     problems=tuple(problems))
    return Scored(report, attempts, problems, notes)
