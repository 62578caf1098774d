"""The Python grader against the golden fixtures shared with the JavaScript grader."""

from __future__ import annotations

import pytest

from conftest import golden, golden_questions
from nasams_course.catalog import load_catalog
from nasams_course.grading import AnswerError, Attempt, SelfRating, grade, score_item

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


#: the answers of tests/js/golden.test.js and edges.test.js that normalize refuses, with the browser's words
WRONG_SHAPES = [
    ("g-single", ["a"], "a single question takes one option id, got list"),
    ("g-single", {}, "a single question takes one option id, got dict"),
    ("g-single", True, "a single question takes one option id, got bool"),
    ("g-single", 2, "a single question takes one option id, got int"),
    ("g-single", 2.5, "a single question takes one option id, got float"),
    ("g-single", "zzz", "unknown option 'zzz' (options: a, b, c, d)"),
    ("g-multi", "a", "a multi question takes a list of option ids"),
    ("g-multi", [1], "a multi question takes a list of option ids"),
    ("g-multi", ["a", "zzz"], "unknown option 'zzz' (options: a, b, c, d, e)"),
    ("g-multi", ["a", "a"], "an option id is listed twice"),
    ("g-order", {"a": 1}, "a order question takes a list of option ids"),
    ("g-rate", ["a"], "a rate question takes {option id: rating 1-4}"),
    ("g-rate", "a", "a rate question takes {option id: rating 1-4}"),
    ("g-rate", 0, "a rate question takes {option id: rating 1-4}"),
    ("g-rate", {"zzz": 1}, "unknown option 'zzz' (options: a, b, c, d)"),
    ("g-rate", {"a": 9}, "rating of 'a' must be 1, 2, 3 or 4, got 9"),
]


@pytest.mark.parametrize(("qid", "answer", "message"), WRONG_SHAPES, ids=lambda v: repr(v)[:30])
def test_an_answer_that_does_not_fit_its_question_is_refused_in_the_browsers_words(qid, answer, message):
    """normalize_answer's messages, word for word those of the browser's `normalize` (its tests hold the same
    cases): a learner or trainer reads the same refusal from either."""
    with pytest.raises(AnswerError) as refused:
        score_item(QUESTIONS[qid], answer)
    assert str(refused.value) == message


@pytest.mark.parametrize("case", golden("profiles.json")["cases"], ids=lambda c: c["name"])
def test_profile(case):
    attempts = [Attempt(**a) for a in case["attempts"]]
    ratings = [SelfRating(**r) for r in case.get("ratings", [])]
    got = grade(QUESTIONS, attempts, ratings=ratings).to_json()
    expected = case["expected"]
    assert got["items"] == expected["items"]
    assert [{k: p[k] for k in ("id", "score", "first_score", "level", "critical", "answered")}
            for p in got["provisions"]] == expected["provisions"]
    assert got["domains"] == expected["domains"]
    assert (got["score"], got["first_score"]) == (expected["score"], expected["first_score"])
    assert got["complete"] is expected["complete"]
    assert got["calibration"] == expected["calibration"]
    assert got["self_ratings"] == expected["self_ratings"]
    assert set(got) - {"learner", "problems"} == set(expected)  # nothing the JavaScript grader is not held to


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

    levels = {name: {lv["label"]: (lv["answers"], lv["fit"]) for lv in e["calibration"]["levels"]}
              for name, e in cases.items()}
    # the first attempt counts (g-single c at high, not its later a at low), one without certainty is left out
    assert levels["certainty counts on each question's first attempt only"] == {
        "low": (1, "ok"), "medium": (1, "under"), "high": (2, "over")}
    assert levels["high certainty fits, medium is over-confident, low under-confident"] == {
        "low": (1, "under"), "medium": (1, "over"), "high": (2, "ok")}
    assert levels["high certainty at exactly 80 percent does not pay"]["high"] == (5, "over")
    assert levels["medium certainty at exactly 80 percent fits"]["medium"] == (5, "ok")
    assert cases["an empty first attempt with a certainty counts as a score of 0"]["calibration"]["cbm"] == 0
    no_certainty = cases["strong learner completes"]["calibration"]
    assert (no_certainty["answers"], no_certainty["cbm"], {lv["fit"] for lv in no_certainty["levels"]}) == (0, None, {None})

    rows = {r["provision"]: (r["before"], r["after"], r["level"], r["gap"]) for r in cases[
        "self-ratings: the latest of each stage beside the measured level, gaps of two levels flagged"]["self_ratings"]}
    assert rows == {
        "E6": (4, None, None, None),  # not attempted: no gap
        "E13": (2, None, "Mastery", "under"),  # the later `at` wins; no after, so before is compared
        "S5": (4, 3, "Beginning", "over"),  # equal `at`: the higher seq wins (3, not 1)
        "S16": (4, 3, "Developing", None),  # after is compared, not before
        "U7": (None, 3, "Mastery", None),  # a later `at` beats a higher seq
    }  # E4a was rated but is out of scope: no row
    assert cases["self-ratings without answers: no measured level, no gap"]["self_ratings"] == [
        {"provision": "S5", "before": 1, "after": 4, "level": None, "gap": None}]


def test_catalog_fixture_matches_the_catalog():
    catalog = load_catalog()
    fixture = golden("catalog.json")
    assert fixture["provisions"] == [[p.id, p.domain] for p in catalog.provisions]
    assert fixture["domains"] == [d.id for d in catalog.domains]
