"""From one learner's attempts to a provision and domain profile."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from nasams_course.catalog import Catalog, load_catalog
from nasams_course.content.models import Question
from nasams_course.grading.calibration import (
    EMPTY_CALIBRATION,
    Calibration,
    SelfRating,
    SelfRatingRow,
    calibrate,
    self_rating_rows,
)
from nasams_course.grading.items import ItemResult, score_item
from nasams_course.grading.levels import PASSING, level_for


@dataclass(frozen=True)
class Attempt:
    """One answer to one question. Later `at` wins; on equal `at`, later `seq` wins. `certainty` is what the
    learner stated before submitting (1 low, 2 medium, 3 high; None: not stated): it never changes a score."""

    question: str
    answer: Any
    at: float = 0.0
    seq: int = 0
    certainty: int | None = None


@dataclass(frozen=True)
class Review:
    """A critical error to review: the question, the option chosen, and why it is a violation."""

    question: str
    option: str
    rationale: str


@dataclass(frozen=True)
class ProvisionResult:
    id: str
    score: float | None
    level: str | None
    critical: bool
    answered: int
    review: tuple[Review, ...] = ()
    #: the mean of the first attempts at its questions (None if none answered)
    first_score: float | None = None


@dataclass(frozen=True)
class DomainResult:
    id: str
    score: float | None
    level: str | None


@dataclass(frozen=True)
class Report:
    """One learner's graded result."""

    items: tuple[ItemResult, ...]
    provisions: tuple[ProvisionResult, ...]
    domains: tuple[DomainResult, ...]
    complete: bool
    learner: str = ""
    problems: tuple[str, ...] = field(default=())
    #: the first attempt at each question (the latest attempts are `items`)
    first_items: tuple[ItemResult, ...] = ()
    #: mean of the attempted provisions' scores: latest attempts, and first attempts
    score: float | None = None
    first_score: float | None = None
    #: certainty-based marking over the first attempts with a stated certainty
    calibration: Calibration = EMPTY_CALIBRATION
    #: per provision in scope with a self-rating: the latest before and after, beside the measured level
    self_ratings: tuple[SelfRatingRow, ...] = ()

    def to_json(self) -> dict:
        """The machine-readable form printed by `nasams-course grade --json`."""
        first = {i.question: i for i in self.first_items} or {i.question: i for i in self.items}
        return {
            "learner": self.learner,
            "items": [
                {"question": i.question, "score": i.score, "critical": i.critical, "unanswered": i.unanswered,
                 "breached": list(i.breached), "first_score": first[i.question].score,
                 "first_critical": first[i.question].critical}
                for i in self.items
            ],
            "provisions": [
                {"id": p.id, "score": p.score, "first_score": p.first_score, "level": p.level,
                 "critical": p.critical, "answered": p.answered, "review": [asdict(r) for r in p.review]}
                for p in self.provisions
            ],
            "domains": [asdict(d) for d in self.domains],
            "score": self.score,
            "first_score": self.first_score,
            "complete": self.complete,
            "problems": list(self.problems),
            "calibration": self.calibration.to_json(),
            "self_ratings": [r.to_json() for r in self.self_ratings],
        }


def latest(attempts: list[Attempt]) -> list[Attempt]:
    """The latest attempt of each question, in order of first appearance."""
    best: dict[str, Attempt] = {}
    for a in attempts:
        cur = best.get(a.question)
        if cur is None or (a.at, a.seq) >= (cur.at, cur.seq):
            best[a.question] = a
    return list(best.values())


def first(attempts: list[Attempt]) -> list[Attempt]:
    """The first attempt of each question (earliest `at`; on equal `at`, lowest `seq`), in order of
    first appearance."""
    best: dict[str, Attempt] = {}
    for a in attempts:
        cur = best.get(a.question)
        if cur is None or (a.at, a.seq) < (cur.at, cur.seq):
            best[a.question] = a
    return list(best.values())


def _mean(values: list[float]) -> float:
    total = 0.0
    for v in values:
        total += v
    return total / len(values)


def grade(questions: dict[str, Question], attempts: list[Attempt], catalog: Catalog | None = None,
          learner: str = "", ratings: Iterable[SelfRating] = ()) -> Report:
    """Grade one learner. `questions` is the scope: its provisions and domains are reported.

    Every attempt must name a question in `questions` and have a valid answer shape
    (callers report bad entries first; see `nasams_course.responses`). Certainty is read from each question's
    first attempt (see `grading.calibration`); self-ratings of provisions outside the scope are ignored.
    """
    catalog = catalog or load_catalog()
    items = [score_item(questions[a.question], a.answer) for a in latest(attempts)]
    firsts = first(attempts)
    first_items = [score_item(questions[a.question], a.answer) for a in firsts]
    by_question = {i.question: i for i in items}
    first_by_question = {i.question: i for i in first_items}

    def answered(results: dict[str, ItemResult], pid: str) -> list[ItemResult]:
        return [results[q.id] for q in questions.values()
                if pid in q.provisions and q.id in results and not results[q.id].unanswered]

    scope = [pid for pid in catalog.ids if any(pid in q.provisions for q in questions.values())]
    provisions = []
    for pid in scope:
        results = answered(by_question, pid)
        first_results = answered(first_by_question, pid)
        # a critical error caps only the provisions the chosen violation breaches
        review = tuple(
            Review(r.question, oid, questions[r.question].option(oid).rationale)
            for r in results if pid in r.breached for oid in r.violations
            if pid in questions[r.question].breaches(oid)
        )
        first_score = _mean([r.score for r in first_results]) if first_results else None
        if not results:
            provisions.append(ProvisionResult(pid, None, None, False, 0, first_score=first_score))
            continue
        score = _mean([r.score for r in results])
        critical = bool(review)
        level = "Beginning" if critical else level_for(score)
        provisions.append(ProvisionResult(pid, score, level, critical, len(results), review, first_score))

    domains = []
    for d in catalog.domains:
        mine = [p for p in provisions if catalog.provision(p.id).domain == d.id]
        if not mine:
            continue
        scored = [p.score for p in mine if p.score is not None]
        score = _mean(scored) if scored else None
        domains.append(DomainResult(d.id, score, level_for(score) if score is not None else None))

    complete = (
        bool(provisions)
        and all(p.score is not None for p in provisions)
        and all(d.level in PASSING for d in domains)
        and not any(p.critical for p in provisions)
    )
    scored = [p.score for p in provisions if p.score is not None]
    first_scored = [p.first_score for p in provisions if p.first_score is not None]
    return Report(tuple(items), tuple(provisions), tuple(domains), complete, learner,
                  first_items=tuple(first_items),
                  score=_mean(scored) if scored else None,
                  first_score=_mean(first_scored) if first_scored else None,
                  calibration=calibrate((r.score, a.certainty) for a, r in zip(firsts, first_items, strict=True)),
                  self_ratings=self_rating_rows({p.id: p.level for p in provisions}, ratings))
