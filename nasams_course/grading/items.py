"""Scoring one answer to one question."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nasams_course.content.models import Question


class AnswerError(ValueError):
    """An answer whose shape does not fit its question."""


@dataclass(frozen=True)
class ItemResult:
    """The score of one question's latest answer."""

    question: str
    score: float
    critical: bool
    unanswered: bool
    #: option ids whose choice made the answer a critical error
    violations: tuple[str, ...] = ()


def normalize_answer(q: Question, answer: Any) -> Any:
    """Check an answer's shape against its question; return it, or None when empty.

    single: an option id; multi: a list of option ids; rate: {option id: 1-4};
    order: a list of option ids, first step first. Raises AnswerError otherwise.
    """
    ids = q.option_ids
    if answer is None:
        return None
    if q.kind == "single":
        if answer == "":
            return None
        if not isinstance(answer, str):
            raise AnswerError(f"a single question takes one option id, got {type(answer).__name__}")
        if answer not in ids:
            raise AnswerError(f"unknown option {answer!r} (options: {', '.join(ids)})")
        return answer
    if q.kind in ("multi", "order"):
        if not isinstance(answer, list) or not all(isinstance(a, str) for a in answer):
            raise AnswerError(f"a {q.kind} question takes a list of option ids")
        for a in answer:
            if a not in ids:
                raise AnswerError(f"unknown option {a!r} (options: {', '.join(ids)})")
        if len(set(answer)) != len(answer):
            raise AnswerError("an option id is listed twice")
        return answer or None
    if not isinstance(answer, dict):
        raise AnswerError("a rate question takes {option id: rating 1-4}")
    for oid, rating in answer.items():
        if oid not in ids:
            raise AnswerError(f"unknown option {oid!r} (options: {', '.join(ids)})")
        if isinstance(rating, bool) or rating not in (1, 2, 3, 4):
            raise AnswerError(f"rating of {oid!r} must be 1, 2, 3 or 4, got {rating!r}")
    return {oid: int(r) for oid, r in answer.items()} or None


def score_item(q: Question, answer: Any) -> ItemResult:
    """Score an answer (see normalize_answer for shapes). Raises AnswerError on a bad shape."""
    answer = normalize_answer(q, answer)
    if answer is None:
        return ItemResult(q.id, 0.0, False, True)
    if q.kind == "single":
        chosen = q.option(answer)
        return ItemResult(q.id, float(chosen.credit), chosen.violation, False,
                          (answer,) if chosen.violation else ())
    if q.kind == "multi":
        keyed = sum(1 for o in q.options if o.correct)
        hits = sum(1 for o in q.options if o.id in answer and o.correct)
        false = sum(1 for o in q.options if o.id in answer and not o.correct)
        bad = tuple(o.id for o in q.options if o.id in answer and o.violation)
        return ItemResult(q.id, max(0.0, (hits - false) / keyed), bool(bad), False, bad)
    if q.kind == "rate":
        total = 0
        for o in q.options:
            total += abs(answer[o.id] - o.key) if o.id in answer else 3
        bad = tuple(o.id for o in q.options if o.violation and answer.get(o.id, 0) >= 3)
        return ItemResult(q.id, 1 - total / (3 * len(q.options)), bool(bad), False, bad)
    position = {oid: i for i, oid in enumerate(answer)}
    n = len(q.key)
    agree = 0
    for i in range(n):
        for j in range(i + 1, n):
            a, b = q.key[i], q.key[j]
            if a in position and b in position and position[a] < position[b]:
                agree += 1
    return ItemResult(q.id, agree / (n * (n - 1) / 2), False, False)
