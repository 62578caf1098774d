"""Certainty-based marking and self-ratings, checked against figures worked out by hand from the spec (not from the
grader), and the words shown beside them."""

from __future__ import annotations

import math
import re
from dataclasses import replace

import pytest

from conftest import golden, golden_questions
from nasams_course.grading import Attempt, SelfRating, grade
from nasams_course.grading.calibration import (
    GAP_FLAGS,
    HIGH_PAYS,
    LOW_PAYS,
    SELF_RATING_LABELS,
    CalibrationLevel,
    R,
    W,
    cbm_mark,
    fit,
    gap,
    latest_ratings,
    level_message,
    percent,
)

QS = golden_questions()
CASES = {c["name"]: c for c in golden("profiles.json")["cases"]}


def graded(name: str):
    case = CASES[name]
    return grade(QS, [Attempt(**a) for a in case["attempts"]],
                 ratings=[SelfRating(**r) for r in case.get("ratings", [])])


def test_the_constants_are_gardner_medwins():
    assert (R, W) == ({1: 1, 2: 2, 3: 3}, {1: 0, 2: -2, 3: -6})
    assert (LOW_PAYS, HIGH_PAYS) == (0.67, 0.8)
    # where certainty c pays more than c - 1: the break-even scores that the thresholds round
    assert math.isclose(2 / 3, (W[1] - W[2]) / ((R[2] - W[2]) - (R[1] - W[1])))  # low -> medium: 0.67
    assert math.isclose(0.8, (W[2] - W[3]) / ((R[3] - W[3]) - (R[2] - W[2])))  # medium -> high: 0.8


def test_first_attempts_only_worked_by_hand():
    """g-multi right at high (mark 3), g-single wrong at high (first attempt c, -6; the later `a` at low is after the
    feedback), g-rate's first attempt states nothing, g-order right at medium (seq 3 before seq 4 at the same time:
    2), g-order3 x,z,y at low (tau 1/3: 1/3 * 1 + 2/3 * 0)."""
    cal = graded("certainty counts on each question's first attempt only").calibration
    assert cal.answers == 4
    assert math.isclose(cal.cbm, (3 - 6 + 2 + 1 / 3) / 4)  # -1/6
    low, medium, high = cal.levels
    assert (low.answers, low.below_half, low.fit) == (1, 1, "ok") and math.isclose(low.mean_score, 1 / 3)
    assert (medium.answers, medium.mean_score, medium.below_half, medium.fit) == (1, 1.0, 0, "under")
    assert (high.answers, high.mean_score, high.below_half, high.fit) == (2, 0.5, 1, "over")


def test_medium_between_the_thresholds_worked_by_hand():
    """g-rate rated 3,1,2,1 against 4,1,3,2 (distance 3 of 12: 0.75) and g-multi a,b (2 of 3 right, none wrong: 2/3)
    at medium; g-single d (credit 0) at low."""
    cal = graded("medium certainty between 67 and 80 percent fits, and low certainty on a wrong answer").calibration
    marks = [0.75 * 2 + 0.25 * -2, 2 / 3 * 2 + 1 / 3 * -2, 0 * 1 + 1 * 0]  # 1, 2/3, 0
    assert math.isclose(cal.cbm, sum(marks) / 3) and math.isclose(cal.cbm, 5 / 9)
    low, medium, high = cal.levels
    assert math.isclose(medium.mean_score, (0.75 + 2 / 3) / 2)  # 0.708: between 0.67 and 0.8
    assert (medium.answers, medium.below_half, medium.fit) == (2, 0, "ok")
    assert (low.answers, low.mean_score, low.below_half, low.fit) == (1, 0.0, 1, "ok")
    assert (high.answers, high.mean_score, high.fit) == (0, None, None)


def test_a_score_of_exactly_half_is_not_below_half():
    cal = graded("high certainty fits, medium is over-confident, low under-confident").calibration
    medium = cal.levels[1]
    assert (medium.mean_score, medium.below_half, medium.fit) == (0.5, 0, "over")
    assert cal.cbm == (0 + 3 + 3 + 1) / 4


@pytest.mark.parametrize(("certainty", "mean", "expected"), [
    (1, 0.0, "ok"), (1, 0.669, "ok"), (1, 0.67, "under"), (1, 1.0, "under"),
    (2, 0.669, "over"), (2, 0.67, "ok"), (2, 0.8, "ok"), (2, 0.801, "under"),
    (3, 0.8, "over"), (3, 0.801, "ok"), (3, 0.0, "over"),
    (1, None, None), (2, None, None), (3, None, None),
])
def test_fit_thresholds(certainty, mean, expected):
    assert fit(certainty, mean) == expected


def test_cbm_marks_at_the_ends():
    assert [cbm_mark(1.0, c) for c in (1, 2, 3)] == [1, 2, 3]
    assert [cbm_mark(0.0, c) for c in (1, 2, 3)] == [0, -2, -6]
    assert cbm_mark(0.5, 3) == -1.5


def test_certainty_never_changes_the_profile():
    case = CASES["certainty counts on each question's first attempt only"]
    stated = grade(QS, [Attempt(**a) for a in case["attempts"]]).to_json()
    unstated = grade(QS, [replace(Attempt(**a), certainty=None) for a in case["attempts"]]).to_json()
    assert stated["calibration"] != unstated["calibration"]
    assert {k: v for k, v in stated.items() if k != "calibration"} == {
        k: v for k, v in unstated.items() if k != "calibration"}


def test_gaps():
    assert [gap(r, "Developing") for r in (1, 2, 3, 4)] == [None, None, None, "over"]
    assert [gap(r, "Mastery") for r in (1, 2, 3, 4)] == ["under", "under", None, None]
    assert [gap(r, "Beginning") for r in (1, 2, 3, 4)] == [None, None, "over", "over"]
    assert gap(4, None) is None and gap(None, "Mastery") is None


def test_the_latest_self_rating_on_a_full_tie_of_time_and_sequence_is_the_later_in_the_list():
    ratings = [SelfRating("S5", "after", 1, 5, 0), SelfRating("S5", "after", 4, 5, 0), SelfRating("S5", "after", 2, 5, 0)]
    assert latest_ratings(ratings)[("S5", "after")].rating == 2


def level(c, label, answers, mean, below, f):
    return CalibrationLevel(c, label, answers, mean, below, f)


def test_the_words():
    assert level_message(level(3, "high", 7, 0.6, 3, "over")) == (
        "You were often wrong when sure: 3 of 7 high-certainty answers were below 50 %.")
    assert level_message(level(2, "medium", 4, 0.604, 2, "over")) == (
        "Medium certainty did not pay: your medium-certainty answers averaged 60 %; below 67 % low certainty scores "
        "better.")
    assert level_message(level(1, "low", 2, 0.725, 0, "under")) == (
        "You knew more than you thought: your low-certainty answers averaged 73 %; a higher certainty would have "
        "scored more.")
    assert level_message(level(2, "medium", 2, 0.9, 0, "under")).startswith(
        "You knew more than you thought: your medium-certainty answers averaged 90 %")
    assert level_message(level(3, "high", 2, 0.925, 0, "ok")) == "Your high-certainty answers averaged 93 %: that fits."
    assert level_message(level(1, "low", 0, None, 0, None)) is None
    # over-confident at high certainty with no answer below half: the message does not claim "often wrong"
    assert level_message(level(3, "high", 4, 0.75, 0, "over")) == (
        "High certainty did not pay: your high-certainty answers averaged 75 %; it pays only above 80 %.")
    assert [percent(s) for s in (0.725, 0.724, 0.005, 1.0, 0.0)] == [73, 72, 1, 100, 0]
    assert SELF_RATING_LABELS == {1: "Not yet ready", 2: "Partly ready", 3: "Ready", 4: "Could teach it"}
    assert GAP_FLAGS == {"over": "You rated yourself above your measured level",
                         "under": "You rated yourself below your measured level"}


def test_the_progress_page_takes_its_words_from_python():
    """The page's messages are data from grading/words.py, not copies in nasams-progress.js (which would drift)."""
    from conftest import REPO
    from nasams_course.catalog import load_catalog
    from nasams_course.content.loader import course_bank
    from nasams_course.grading.words import WORDS
    from nasams_course.rendering.progress import PAGE_WORDS, progress_data

    words = progress_data(course_bank(), load_catalog())["words"]
    assert words == WORDS | PAGE_WORDS and not set(WORDS) & set(PAGE_WORDS)
    js = (REPO / "nasams_course" / "static" / "nasams-progress.js").read_text(encoding="utf-8")
    for key, value in words.items():
        for text in value if isinstance(value, tuple) else (value,):
            for part in re.split(r"\{\w+\}", text):
                assert len(part.strip(" :;.")) <= 12 or part.strip(" :;.") not in js, (key, part)
    # every key the page asks for exists
    assert set(re.findall(r'say\("([a-z-]+[a-z])"', js)) <= set(words)
    assert {f"fit-{f}" for f in ("ok", "over", "under")} | {"gap-over", "gap-under"} <= set(words)


def test_message_key_picks_the_message_for_each_fit():
    from nasams_course.grading.words import message_key

    assert message_key(3, "over", 2) == "often-wrong"
    assert message_key(3, "over", 0) == "high-over"
    assert message_key(2, "over", 3) == "medium-over"
    assert message_key(1, "under", 0) == "under" and message_key(2, "ok", 1) == "ok"
