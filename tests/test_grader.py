"""The rubric grader: hand-computed cases for every kind and rule, and properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import examples, golden_questions
from nasams_course.grading import Attempt, grade, level_for, score_item
from nasams_course.grading.profile import first, latest
from nasams_course.trainer import keyed_answer

QS = golden_questions()
SINGLE, MULTI, RATE, ORDER = QS["g-single"], QS["g-multi"], QS["g-rate"], QS["g-order"]


def test_single_scores_the_chosen_options_credit():
    assert [score_item(SINGLE, o).score for o in "abcd"] == [1.0, 0.5, 0.0, 0.0]


def test_multi_is_share_of_right_minus_share_of_wrong_and_never_negative():
    # 3 keyed right (a, b, c), 2 keyed wrong (d, e)
    assert score_item(MULTI, ["a", "b"]).score == pytest.approx(2 / 3)
    assert score_item(MULTI, ["a", "b", "d"]).score == pytest.approx(2 / 3 - 1 / 2)
    assert score_item(MULTI, ["a", "b", "c", "d"]).score == pytest.approx(1 / 2)
    assert score_item(MULTI, ["d", "e"]).score == 0.0


def test_multi_selecting_everything_scores_nothing():
    assert score_item(MULTI, MULTI.option_ids).score == 0.0


def test_rate_counts_distance_and_unrated_options_as_three():
    # key a4 b1 c3 d2; answer a3 b1 c1 (d unrated): 1 + 0 + 2 + 3 = 6 of 12
    assert score_item(RATE, {"a": 3, "b": 1, "c": 1}).score == pytest.approx(0.5)


def test_order_is_kendalls_tau_clipped_at_zero():
    assert score_item(ORDER, ["a", "b", "d", "c"]).score == pytest.approx((5 - 1) / 6)
    assert score_item(ORDER, ["b", "a", "d", "c"]).score == pytest.approx((4 - 2) / 6)
    assert score_item(ORDER, ["b", "d", "a", "c"]).score == 0.0  # 3 of 6 pairs right: tau 0
    assert score_item(ORDER, ["d", "c", "b", "a"]).score == 0.0


def test_order_submitted_as_first_shown_scores_nothing():
    assert score_item(ORDER, ORDER.option_ids).score == 0.0


def test_critical_errors_by_kind():
    assert score_item(SINGLE, "c").critical
    assert score_item(MULTI, ["a", "b", "c", "e"]).critical
    assert score_item(RATE, {"b": 3}).critical and score_item(RATE, {"b": 4}).critical
    assert not score_item(RATE, {"b": 2}).critical
    assert not score_item(ORDER, ["d", "c", "b", "a"]).critical


def test_levels():
    assert [level_for(s) for s in (1, 0.85, 0.8499, 0.7, 0.6999, 0.5, 0.4999, 0)] == [
        "Mastery", "Mastery", "Proficient", "Proficient", "Developing", "Developing", "Beginning", "Beginning"]
    assert level_for(0.85 - 1e-12) == "Mastery"  # float noise at a threshold does not drop a level


@pytest.mark.parametrize("attempts", [
    # the latest time wins over file order and over sequence
    [Attempt("g-single", "b", 9, 0), Attempt("g-single", "c", 2, 5), Attempt("g-single", "a", 5, 1)],
    # on equal time the higher sequence wins, wherever it stands in the file
    [Attempt("g-single", "b", 5, 2), Attempt("g-single", "c", 2, 3), Attempt("g-single", "a", 5, 0)],
], ids=["time-first-in-file", "sequence-breaks-a-tie"])
def test_latest_and_first_attempts_by_time_then_sequence_not_file_order(attempts):
    """Neither winner is the last entry in the file, nor the first."""
    assert [a.answer for a in latest(attempts)] == ["b"]
    assert [a.answer for a in first(attempts)] == ["c"]
    report = grade(QS, attempts)
    assert [(i.question, i.score) for i in report.items] == [("g-single", 0.5)]  # b: partly right
    assert [(i.question, i.critical) for i in report.first_items] == [("g-single", True)]  # c: the violation


def test_on_a_full_tie_of_time_and_sequence_the_latest_is_the_later_in_the_list_and_the_first_the_earlier():
    """A learner's attempts from two files of the gradebook can share both `at` and `seq`; they come in the order
    they were stored, as the cohort's one pass takes them."""
    attempts = [Attempt("g-single", "c", 5, 0), Attempt("g-single", "b", 5, 0), Attempt("g-single", "a", 5, 0)]
    assert [a.answer for a in latest(attempts)] == ["a"]
    assert [a.answer for a in first(attempts)] == ["c"]


def test_a_report_graded_without_a_learners_name_names_no_one():
    assert grade(QS, [Attempt("g-single", "a", 1, 0)]).learner == ""


def test_critical_caps_only_the_breached_provision_and_lists_it_for_review():
    # g-rate assesses S5 and E13; its option b breaches E13 only
    attempts = [Attempt("g-rate", {"a": 4, "b": 4, "c": 3, "d": 2}, 1, 0)]
    report = grade(QS, attempts)
    by_id = {p.id: p for p in report.provisions}
    assert by_id["E13"].score == pytest.approx(0.75) and by_id["E13"].level == "Beginning" and by_id["E13"].critical
    assert [(r.question, r.option) for r in by_id["E13"].review] == [("g-rate", "b")]
    assert by_id["S5"].level == "Proficient" and not by_id["S5"].critical and by_id["S5"].review == ()
    assert report.items[0].breached == ("E13",)
    assert not report.complete


def test_first_attempt_is_reported_and_the_latest_counts():
    attempts = [Attempt("g-single", "c", 1, 0), Attempt("g-single", "b", 2, 1), Attempt("g-single", "a", 3, 2)]
    report = grade(QS, attempts)
    assert report.items[0].score == 1.0 and report.first_items[0].score == 0.0 and report.first_items[0].critical
    by_id = {p.id: p for p in report.provisions}
    assert (by_id["S5"].score, by_id["S5"].first_score, by_id["S5"].critical) == (1.0, 0.0, False)
    assert (report.score, report.first_score) == (1.0, 0.0)


def test_retrying_without_the_violation_clears_the_critical_error():
    attempts = [Attempt("g-single", "c", 1, 0), Attempt("g-single", "a", 2, 1)]
    by_id = {p.id: p for p in grade(QS, attempts).provisions}
    assert by_id["S5"].level == "Mastery" and not by_id["S5"].critical


def test_domain_is_the_mean_of_attempted_provisions():
    attempts = [Attempt("g-multi", ["a", "b", "c"], 1, 0), Attempt("g-order3", ["y", "x", "z"], 2, 1)]
    domains = {d.id: d for d in grade(QS, attempts).domains}
    # confidentiality: S16 and U7 (g-multi, 1.0 each) and E6 (g-order3 with one swap of three: tau 1/3)
    assert domains["confidentiality"].score == pytest.approx((1 + 1 + 1 / 3) / 3)
    assert domains["team"].score is None and domains["team"].level is None


# -- properties ---------------------------------------------------------------------------------------------

def answers_for(q):
    ids = q.option_ids
    if q.kind == "single":
        return st.sampled_from(ids)
    if q.kind == "multi":
        return st.lists(st.sampled_from(ids), unique=True)
    if q.kind == "rate":
        return st.dictionaries(st.sampled_from(ids), st.integers(1, 4))
    return st.permutations(ids)


@pytest.mark.parametrize("qid", sorted(QS))
@settings(max_examples=examples(150), deadline=None)
@given(data=st.data())
def test_scores_are_within_zero_and_one(qid, data):
    q = QS[qid]
    score = score_item(q, data.draw(answers_for(q))).score
    assert 0.0 <= score <= 1.0


@pytest.mark.parametrize("qid", sorted(QS))
def test_the_keyed_answer_scores_one_and_is_not_critical(qid):
    r = score_item(QS[qid], keyed_answer(QS[qid]))
    assert r.score == 1.0 and not r.critical


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.sampled_from(MULTI.option_ids), unique=True), st.data())
def test_adding_a_correct_selection_never_lowers_a_multi_score(selected, data):
    missing = [o.id for o in MULTI.options if o.correct and o.id not in selected]
    if not missing:
        return
    extra = data.draw(st.sampled_from(missing))
    assert score_item(MULTI, [*selected, extra]).score >= score_item(MULTI, selected).score


@settings(max_examples=examples(200), deadline=None)
@given(st.permutations(ORDER.option_ids))
def test_an_order_and_its_reverse_never_both_score(perm):
    forward = score_item(ORDER, list(perm)).score
    backward = score_item(ORDER, list(reversed(perm))).score
    assert forward == 0.0 or backward == 0.0  # tau of the reverse is -tau: at most one is above 0
    assert forward + backward == pytest.approx(abs(forward - backward))
