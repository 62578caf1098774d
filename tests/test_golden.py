"""The Python grader against the golden fixtures shared with the JavaScript grader."""

from __future__ import annotations

import pytest

from conftest import golden, golden_questions
from nasams_course.catalog import load_catalog
from nasams_course.grading import AnswerError, Attempt, grade, score_item

QUESTIONS = golden_questions()


@pytest.mark.parametrize("case", golden("items.json")["cases"], ids=lambda c: c["name"])
def test_item(case):
    q = QUESTIONS[case["question"]]
    if case["expected"].get("error"):
        with pytest.raises(AnswerError):
            score_item(q, case["answer"])
        return
    r = score_item(q, case["answer"])
    assert (r.score, r.critical, r.unanswered) == (
        case["expected"]["score"], case["expected"]["critical"], case["expected"]["unanswered"])


@pytest.mark.parametrize("case", golden("profiles.json")["cases"], ids=lambda c: c["name"])
def test_profile(case):
    attempts = [Attempt(**a) for a in case["attempts"]]
    got = grade(QUESTIONS, attempts).to_json()
    expected = case["expected"]
    assert got["items"] == expected["items"]
    assert [{k: p[k] for k in ("id", "score", "level", "critical", "answered")} for p in got["provisions"]] \
        == expected["provisions"]
    assert got["domains"] == expected["domains"]
    assert got["complete"] is expected["complete"]


def test_catalog_fixture_matches_the_catalog():
    catalog = load_catalog()
    fixture = golden("catalog.json")
    assert fixture["provisions"] == [[p.id, p.domain] for p in catalog.provisions]
    assert fixture["domains"] == [d.id for d in catalog.domains]
