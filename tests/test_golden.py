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
    e = case["expected"]
    assert (r.score, r.critical, r.unanswered, list(r.breached)) == (
        e["score"], e["critical"], e["unanswered"], e["breached"])


@pytest.mark.parametrize("case", golden("profiles.json")["cases"], ids=lambda c: c["name"])
def test_profile(case):
    attempts = [Attempt(**a) for a in case["attempts"]]
    got = grade(QUESTIONS, attempts).to_json()
    expected = case["expected"]
    assert got["items"] == expected["items"]
    assert [{k: p[k] for k in ("id", "score", "first_score", "level", "critical", "answered")}
            for p in got["provisions"]] == expected["provisions"]
    assert got["domains"] == expected["domains"]
    assert (got["score"], got["first_score"]) == (expected["score"], expected["first_score"])
    assert got["complete"] is expected["complete"]


def test_golden_profiles_hold_the_rules_they_are_named_for():
    """The hand-checked facts behind the generated profile fixtures, so a wrong regeneration cannot pass."""
    cases = {c["name"]: c["expected"] for c in golden("profiles.json")["cases"]}
    capped = {p["id"]: p for p in cases["a critical error caps only the provisions its option breaches"]["provisions"]}
    assert (capped["E13"]["level"], capped["E13"]["critical"]) == ("Beginning", True)
    assert (capped["S5"]["level"], capped["S5"]["critical"]) == ("Proficient", False)  # same question, not breached
    first = cases["first attempts are reported beside the latest, which counts"]
    multi = next(i for i in first["items"] if i["question"] == "g-multi")
    assert (multi["score"], multi["first_score"], multi["critical"], multi["first_critical"]) == (1, 0, False, True)
    assert (first["score"], first["first_score"]) == (0.5625, 0.4375)


def test_catalog_fixture_matches_the_catalog():
    catalog = load_catalog()
    fixture = golden("catalog.json")
    assert fixture["provisions"] == [[p.id, p.domain] for p in catalog.provisions]
    assert fixture["domains"] == [d.id for d in catalog.domains]
