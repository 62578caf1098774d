"""Scoring one answer to one question."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nasams_course.content.models import Question, kendall_tau


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
    #: the provisions those options breach (the only provisions the critical error caps)
    breached: tuple[str, ...] = ()


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


def _breached(q: Question, violations: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for oid in violations:
        out += [pid for pid in q.breaches(oid) if pid not in out]
    return tuple(out)


def score_item(q: Question, answer: Any) -> ItemResult:
    """Score an answer (see normalize_answer for shapes). Raises AnswerError on a bad shape.

    single: the chosen option's credit. multi: max(0, hits/C - false selections/W), C and W the numbers of
    keyed-correct and keyed-incorrect options (selecting all or none scores 0). rate: 1 - total distance /
    (3 x options), an unrated option counting 3. order: max(0, Kendall's tau against the key).
    """
    answer = normalize_answer(q, answer)
    if answer is None:
        return ItemResult(q.id, 0.0, False, True)
    if q.kind == "single":
        chosen = q.option(answer)
        score = float(chosen.credit)
        bad: tuple[str, ...] = (answer,) if chosen.violation else ()
    elif q.kind == "multi":
        keyed = sum(1 for o in q.options if o.correct)
        wrong = len(q.options) - keyed
        hits = sum(1 for o in q.options if o.id in answer and o.correct)
        false = sum(1 for o in q.options if o.id in answer and not o.correct)
        score = max(0.0, (hits / keyed if keyed else 0.0) - (false / wrong if wrong else 0.0))
        bad = tuple(o.id for o in q.options if o.id in answer and o.violation)
    elif q.kind == "rate":
        total = 0
        for o in q.options:
            total += abs(answer[o.id] - o.key) if o.id in answer else 3
        score = 1 - total / (3 * len(q.options))
        bad = tuple(o.id for o in q.options if o.violation and answer.get(o.id, 0) >= 3)
    else:
        score = max(0.0, kendall_tau(answer, q.key))
        bad = ()
    return ItemResult(q.id, score, bool(bad), False, bad, _breached(q, bad))
