"""Item statistics against values computed by hand on a small fixture (Moodle's definitions).

The fixture: five learners x three items scored 0 or 1 (rows are learners):

    item:   1  2  3   total
    L1      1  1  1   3
    L2      1  1  0   2
    L3      1  0  0   1
    L4      0  1  0   1
    L5      0  0  0   0

Formulas (s = 5 learners, variances and covariances divide by s - 1 = 4; R_i = total - x_i, the rest of the test):

- facility F_i = 100 mean(x_i): item 1: 3/5 = 60 %; item 2: 60 %; item 3: 1/5 = 20 %.
- SD_i = 100 sqrt(sum (x_i - mean)^2 / 4): items 1, 2: sqrt(1.2/4) = sqrt(0.3) = 54.77 %; item 3: sqrt(0.8/4) = 44.72 %.
- discrimination DI_i = 100 Cov(x_i, R_i) / sqrt(Var x_i Var R_i):
  item 1: R = (2,1,0,1,0), Var R = 2.8/4 = 0.7, Cov = 0.6/4 = 0.15, DI = 0.15 / sqrt(0.3 x 0.7) = 32.73 %;
  item 2: R = (2,1,1,0,0), Var R = 0.7, Cov = 0.15, DI = 32.73 %;
  item 3: R = (2,2,1,1,0), Var R = 0.7, Cov = 0.8/4 = 0.2, DI = 0.2 / sqrt(0.2 x 0.7) = 53.45 %.
- discriminative efficiency DE_i = 100 Cov(x_i, R_i) / Cov_max, Cov_max the covariance of x_i and R_i each sorted:
  items 1, 2: sorted x (0,0,1,1,1), sorted R (0,0,1,1,2): Cov_max = 1.6/4 = 0.4, DE = 0.15/0.4 = 37.5 %;
  item 3: sorted x (0,0,0,0,1), sorted R (0,1,1,2,2): Cov_max = 0.8/4 = 0.2, DE = 100 %.
- the test: totals (3,2,1,1,0), mean 1.4 of 3 = 46.67 %, Var X = 5.2/4 = 1.3, SD = sqrt(1.3)/3 = 38.01 % of the
  maximum; sum Var x_i = 0.3 + 0.3 + 0.2 = 0.8;
  Cronbach's alpha = 100 p/(p-1) (1 - sum Var x_i / Var X) = 100 x 3/2 x (1 - 0.8/1.3) = 57.69 % (KR-20 gives the
  same: 3/2 (1 - sum pq / sigma^2) with pq = 0.24 + 0.24 + 0.16 = 0.64 and sigma^2 = 5.2/5 = 1.04);
  error ratio ER = 100 sqrt(1 - 0.5769) = 65.04 %; standard error SE = ER/100 x SD = 0.6504 x 38.01 = 24.72 points.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from nasams_course.training.item_analysis import (
    QuizStatistics,
    item_statistics,
    quiz_statistics,
    review_reasons,
    thirds,
)

FIXTURE = pd.DataFrame([[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 1, 0], [0, 0, 0]], columns=["i1", "i2", "i3"],
                       index=["L1", "L2", "L3", "L4", "L5"], dtype=float)


def test_item_statistics_match_the_hand_computed_values():
    stats = item_statistics(FIXTURE).set_index("question")
    assert stats["facility"].tolist() == pytest.approx([60, 60, 20])
    assert stats["sd"].tolist() == pytest.approx([54.772, 54.772, 44.721], abs=1e-3)
    assert stats["discrimination"].tolist() == pytest.approx([32.733, 32.733, 53.452], abs=1e-3)
    assert stats["efficiency"].tolist() == pytest.approx([37.5, 37.5, 100.0])


def test_quiz_statistics_match_the_hand_computed_values():
    quiz = quiz_statistics(FIXTURE)
    assert (quiz.learners, quiz.items) == (5, 3)
    assert quiz.mean == pytest.approx(46.667, abs=1e-3)
    assert quiz.sd == pytest.approx(38.006, abs=1e-3)
    assert quiz.alpha == pytest.approx(57.692, abs=1e-3)
    assert quiz.error_ratio == pytest.approx(65.044, abs=1e-3)
    assert quiz.standard_error == pytest.approx(24.721, abs=1e-3)


def test_partial_credit_items_use_the_same_formulas():
    """Scores between 0 and 1 (rate, multi and order questions): three learners, an item scored (0.5, 1, 0) beside a
    0/1 item (0, 1, 0). Item a: facility 50 %, SD = 100 sqrt((0 + 0.25 + 0.25)/2) = 50 %; its rest is item b, mean 1/3,
    deviations (-1/3, 2/3, -1/3) against a's (0, 0.5, -0.5): Cov = (0 + 1/3 + 1/6) / 2 = 0.25, Var R = (6/9)/2 = 1/3,
    Var a = 0.25, DI = 0.25 / sqrt(0.25/3) = 86.60 %."""
    stats = item_statistics(pd.DataFrame({"a": [0.5, 1, 0], "b": [0, 1, 0]})).set_index("question")
    assert stats.at["a", "facility"] == pytest.approx(50)
    assert stats.at["a", "sd"] == pytest.approx(50)
    assert stats.at["a", "discrimination"] == pytest.approx(86.603, abs=1e-3)


def test_statistics_that_are_not_defined_are_none_never_nan():
    """An item everyone scores the same on has no spread: no discrimination, no efficiency; a test whose totals do
    not vary has no alpha."""
    stats = item_statistics(pd.DataFrame({"same": [1.0, 1, 1, 1], "varies": [1.0, 0, 1, 0]}))
    same = stats.set_index("question").loc["same"]
    assert same["facility"] == 100 and same["sd"] == 0
    assert same["discrimination"] is None and same["efficiency"] is None
    quiz = quiz_statistics(pd.DataFrame({"a": [1.0, 0], "b": [0.0, 1]}))
    assert quiz.alpha is None and quiz.error_ratio is None and quiz.standard_error is None


def test_item_statistics_of_one_learner_give_facility_and_an_sd_of_0_and_nothing_else():
    """One learner: each item's facility is their score; the SD is 0 (a variance needs two learners: numpy's
    variance with s - 1 = 0 would be NaN), no discrimination or efficiency; and no warning on the way."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stats = item_statistics(pd.DataFrame({"a": [1.0], "b": [0.5]}, index=["L1"]))
    assert stats.to_dict("list") == {"question": ["a", "b"], "facility": [100.0, 50.0], "sd": [0.0, 0.0],
                                     "discrimination": [None, None], "efficiency": [None, None]}


def test_item_statistics_of_two_learners_divide_by_s_minus_1():
    """Two learners, three items each scored (1, 0): totals (3, 0). For each item x = (1, 0), mean 1/2: Var x =
    ((1/2)^2 + (1/2)^2) / (s - 1 = 1) = 1/2, SD = 100 sqrt(1/2) = 70.71 %; its rest R = (2, 0), Var R = 2;
    Cov = ((1/2)(1) + (-1/2)(-1)) / 1 = 1, DI = 100 x 1 / sqrt(1/2 x 2) = 100 %; sorted they pair the same way, so
    Cov_max = 1 and DE = 100 %."""
    stats = item_statistics(pd.DataFrame({"a": [1.0, 0], "b": [1.0, 0], "c": [1.0, 0]}, index=["L1", "L2"]))
    assert stats["facility"].tolist() == [50.0, 50.0, 50.0]
    assert stats["sd"].tolist() == pytest.approx([70.711] * 3, abs=1e-3)
    assert stats["discrimination"].tolist() == pytest.approx([100.0] * 3)
    assert stats["efficiency"].tolist() == pytest.approx([100.0] * 3)


def test_item_statistics_warn_of_nothing_when_an_item_or_its_rest_does_not_vary():
    """An item everyone scores the same on divides 0 by 0 for its discrimination and efficiency: the figure is None
    and numpy's RuntimeWarning is not printed (it would reach a trainer's terminal from `report`)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stats = item_statistics(pd.DataFrame({"same": [1.0, 1, 1, 1], "varies": [1.0, 0, 1, 0]}))
    assert stats["discrimination"].tolist() == [None, None]  # "varies"' rest is "same": it does not vary either


@pytest.mark.parametrize(("facility", "discrimination", "words"), [
    (12.0, 35.0, ["very hard"]),
    (97.0, 35.0, ["very easy"]),
    (60.0, 10.0, ["weak discrimination"]),
    (60.0, -15.0, ["negative discrimination"]),
    (100.0, None, ["very easy", "every learner scored the same"]),
    (60.0, 35.0, []),
    (20.0, 20.0, []),
    (95.0, 20.0, []),
])
def test_review_reasons_in_plain_words(facility, discrimination, words):
    reasons = review_reasons(pd.Series({"facility": facility, "discrimination": discrimination}))
    assert len(reasons) == len(words)
    for reason, word in zip(reasons, words, strict=True):
        assert reason.startswith(word)


def test_a_question_few_answered_says_so_first():
    row = pd.Series({"facility": 12.0, "discrimination": 35.0, "answered": 7})
    assert review_reasons(row, 10)[0].startswith("answered by only 7 of 10 learners")
    assert review_reasons(row.replace(7, 8), 10)[0].startswith("very hard")


def test_thirds_split_the_cohort_by_total():
    groups = thirds(pd.Series([5, 1, 3, 2, 6, 4], index=list("abcdef")))
    assert groups.to_dict() == {"a": "upper", "b": "lower", "c": "middle", "d": "lower", "e": "upper", "f": "middle"}


@pytest.mark.parametrize(("scores", "want"), [
    # one learner: only the mean (an SD needs two)
    ({"a": [1.0], "b": [0.5], "c": [0.0]}, QuizStatistics(1, 3, 50.0, None, None, None, None)),
    # no item: nothing at all
    ({}, QuizStatistics(3, 0, None, None, None, None, None)),
    # one item: mean and SD (100 sqrt(Var(1, 0, 1)) = 100 sqrt(1/3)), no alpha (it needs two items)
    ({"a": [1.0, 0, 1]}, QuizStatistics(3, 1, pytest.approx(66.667, abs=1e-3), pytest.approx(57.735, abs=1e-3),
                                        None, None, None)),
    # three items, totals that do not vary (2, 2): mean 100 x 2 / 3, SD 0, no alpha
    ({"a": [1.0, 0], "b": [0.0, 1], "c": [1.0, 1]}, QuizStatistics(2, 3, pytest.approx(66.667, abs=1e-3), 0.0, None,
                                                                   None, None)),
    # two learners, two items, totals (2, 0): Var T = 2, each item's variance 1/2: alpha = 100 x 2/1 x (1 - 1/2) =
    # 100 %, error ratio 100 sqrt(1 - 1) = 0, SD = 100 sqrt(2) / 2
    ({"a": [1.0, 0], "b": [1.0, 0]}, QuizStatistics(2, 2, 50.0, pytest.approx(70.711, abs=1e-3), pytest.approx(100.0),
                                                    pytest.approx(0.0, abs=1e-6), pytest.approx(0.0, abs=1e-6))),
    # totals (1, 1, 2, 0): Var T = 2/3 (below 1, still defined), items' variances 1/3 each: alpha = 2 x (1 - 1) = 0,
    # error ratio 100 %, standard error = SD = 100 sqrt(2/3) / 2
    ({"a": [1.0, 0, 1, 0], "b": [0.0, 1, 1, 0]},
     QuizStatistics(4, 2, 50.0, pytest.approx(40.825, abs=1e-3), pytest.approx(0.0, abs=1e-9), pytest.approx(100.0),
                    pytest.approx(40.825, abs=1e-3))),
])
def test_quiz_statistics_at_the_edges_of_what_is_defined(scores, want):
    """Each figure is given exactly where it is defined and None where not: fewer than two learners, no item, one
    item, two learners, a total variance below 1."""
    learners = want.learners
    frame = pd.DataFrame(scores, index=[f"L{i}" for i in range(learners)], dtype=float)
    assert quiz_statistics(frame) == want


@pytest.mark.parametrize(("row", "learners", "reasons"), [
    ({"facility": 12.0, "discrimination": 35.0, "answered": 7}, 10, [
        "answered by only 7 of 10 learners: the others count 0, so its figures mix not answering with not knowing",
        "very hard: facility 12%, below 20% (check the key and the wording)"]),
    ({"facility": 97.0, "discrimination": -15.0}, None, [
        "very easy: facility 97%, above 95% (it tells learners apart little)",
        "negative discrimination (-15%): learners who do worse on the rest of the test do better on this question "
        "(check the key)"]),
    ({"facility": 100.0, "discrimination": None}, None, [
        "very easy: facility 100%, above 95% (it tells learners apart little)",
        "every learner scored the same on it, so it cannot tell stronger from weaker learners"]),
    ({"facility": 60.0, "discrimination": 0.0}, None, [
        "weak discrimination (0%, below 20%): it tells stronger from weaker learners apart little"]),
    ({"facility": 60.0, "discrimination": 0.5}, None, [
        "weak discrimination (0%, below 20%): it tells stronger from weaker learners apart little"]),
])
def test_review_reasons_are_whole_sentences_and_zero_discrimination_is_weak_not_negative(row, learners, reasons):
    """The words a trainer reads, whole; a discrimination of 0 (or just above) is weak, not negative."""
    assert review_reasons(pd.Series(row), learners) == reasons
