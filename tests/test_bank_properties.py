"""Properties of the real question bank under the rubric: chance scores nothing, and every violation caps
exactly the provisions it names."""

from __future__ import annotations

import pytest

from nasams_course.catalog import load_catalog
from nasams_course.content.loader import course_bank
from nasams_course.grading import Attempt, grade, score_item
from nasams_course.trainer import keyed_answer

BANK = course_bank()
CATALOG = load_catalog()
MULTI = [q for q in BANK.questions.values() if q.kind == "multi"]
ORDER = [q for q in BANK.questions.values() if q.kind == "order"]
VIOLATIONS = [(q, o) for q in BANK.questions.values() if q.kind != "order" for o in q.options if o.violation]


def test_the_bank_has_every_kind_and_violations_to_test():
    assert len(MULTI) >= 40 and len(ORDER) >= 15 and len(VIOLATIONS) >= 150


@pytest.mark.parametrize("q", MULTI, ids=lambda q: q.id)
def test_multi_selecting_all_or_none_scores_zero(q):
    assert score_item(q, q.option_ids).score == 0.0
    none = score_item(q, [])
    assert none.score == 0.0 and none.unanswered


@pytest.mark.parametrize("q", ORDER, ids=lambda q: q.id)
def test_order_first_shown_scores_zero_and_keyed_scores_one(q):
    assert score_item(q, q.option_ids).score == 0.0
    assert score_item(q, list(q.key)).score == 1.0


def _answer_choosing(q, o):
    """The keyed answer, changed only to choose violation option `o`."""
    if q.kind == "single":
        return o.id
    if q.kind == "multi":
        return [*keyed_answer(q), o.id]
    return {**keyed_answer(q), o.id: 4}


@pytest.mark.parametrize("q,o", VIOLATIONS, ids=lambda x: getattr(x, "id", ""))
def test_choosing_a_violation_caps_exactly_its_breached_provisions(q, o):
    report = grade({q.id: q}, [Attempt(q.id, _answer_choosing(q, o), 1, 0)], CATALOG)
    capped = {p.id for p in report.provisions if p.critical}
    assert capped == set(o.violation)
    for p in report.provisions:
        if p.id in capped:
            assert p.level == "Beginning"
            assert [(r.question, r.option) for r in p.review] == [(q.id, o.id)]
        else:
            assert p.review == ()
    assert all(CATALOG.provision(pid).can_be_violated for pid in capped)
