"""Distractor shares on a cohort small enough to count by hand (nasams_course/training/distractors.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import REPO
from nasams_course.content.loader import load_bank_or_raise
from nasams_course.content.models import MultiQuestion, OrderQuestion, RateQuestion, SingleQuestion
from nasams_course.training.distractors import choice_shares, option_key, position_shares, rating_shares

BANK = load_bank_or_raise(REPO)
SINGLE = next(q for q in BANK.questions.values() if q.kind == "single")
MULTI = next(q for q in BANK.questions.values() if q.kind == "multi")
RATE = next(q for q in BANK.questions.values() if q.kind == "rate")
UNANSWERED = next(q for q in BANK.questions.values() if q.kind == "single" and q.id != SINGLE.id)


def first_frame(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    """The first-attempt selections as cohort_tables.first_selections gives them: learner, question and option
    categorical (the options' labels in the questions' order: SINGLE's first option is code 0), value."""
    labels = list(dict.fromkeys([*SINGLE.option_ids, *MULTI.option_ids, *RATE.option_ids]))
    learner, question, option, value = zip(*rows, strict=True)
    return pd.DataFrame({"learner": pd.Categorical(learner, categories=["L1", "L2", "L3"]),
                         "question": pd.Categorical(question, categories=[SINGLE.id, MULTI.id, RATE.id]),
                         "option": pd.Categorical(option, categories=labels), "value": value})


def test_choice_shares_count_each_learner_once_per_question_by_third():
    """Three learners, one a third each. SINGLE: L1 chose its second option, L2 and L3 its first. MULTI: L1 chose its
    first two options, L3 its first; L2 did not answer it. RATE's rating (by L1) is not a choice, and a single question
no one answered has no row. Shares are of the
    learners who answered the question in that third: MULTI's first option, all 2 of 2 (100 %), lower 1 of 1, middle
    not defined (no one answered), upper 1 of 1; its second, 1 of 2 (50 %), lower 100 %, upper 0 %."""
    s, m = SINGLE.option_ids, MULTI.option_ids
    first = first_frame([("L1", SINGLE.id, s[1], 1.0), ("L2", SINGLE.id, s[0], 1.0), ("L3", SINGLE.id, s[0], 1.0),
                         ("L1", MULTI.id, m[0], 1.0), ("L1", MULTI.id, m[1], 1.0), ("L3", MULTI.id, m[0], 1.0),
                         ("L1", RATE.id, RATE.option_ids[0], 3.0)])
    third = pd.Series({"L1": "lower", "L2": "middle", "L3": "upper"})
    # the questions without rows come first and between: they are passed over, not the end of the list
    shares = choice_shares(first, {q.id: q for q in (RATE, SINGLE, UNANSWERED, MULTI)}, third)
    assert shares["question"].tolist() == [SINGLE.id] * len(s) + [MULTI.id] * len(m)  # none for RATE or UNANSWERED
    assert shares["kind"].tolist() == ["single"] * len(s) + ["multi"] * len(m)
    assert shares["option"].tolist() == [*s, *m]
    assert shares["key"].tolist() == [option_key(SINGLE, o) for o in s] + [option_key(MULTI, o) for o in m]
    rows = {(r.question, r.option): tuple(None if pd.isna(v) else v for v in (r.all, r.lower, r.middle, r.upper))
            for r in shares.itertuples()}  # a share not defined (no one in the third answered) is empty
    assert rows[(SINGLE.id, s[0])] == (pytest.approx(200 / 3), 0, 100, 100)
    assert rows[(SINGLE.id, s[1])] == (pytest.approx(100 / 3), 100, 0, 0)
    assert all(rows[(SINGLE.id, o)] == (0, 0, 0, 0) for o in s[2:])
    assert rows[(MULTI.id, m[0])] == (100, 100, None, 100)
    assert rows[(MULTI.id, m[1])] == (50, 100, None, 0)
    assert all(rows[(MULTI.id, o)] == (0, 0, None, 0) for o in m[2:])


def test_choice_shares_of_a_third_are_of_the_learners_who_answered_in_that_third():
    """Two learners in the lower third, one in the upper; SINGLE: L1 chose its first option, L2 its second, L3 its
    first. The lower third's share of each is 1 of its 2 learners (50 %), not 1 of 1; all: 2 of 3 and 1 of 3."""
    s = SINGLE.option_ids
    first = first_frame([("L1", SINGLE.id, s[0], 1.0), ("L2", SINGLE.id, s[1], 1.0), ("L3", SINGLE.id, s[0], 1.0)])
    third = pd.Series({"L1": "lower", "L2": "lower", "L3": "upper"})
    shares = choice_shares(first, {SINGLE.id: SINGLE}, third).set_index("option")
    assert shares.loc[s[0], ["all", "lower", "upper"]].tolist() == [pytest.approx(200 / 3), 50, 100]
    assert shares.loc[s[1], ["all", "lower", "upper"]].tolist() == [pytest.approx(100 / 3), 50, 0]
    assert shares["middle"].isna().all()  # no one of the middle third answered


def test_choice_shares_with_no_single_or_multi_answer_is_an_empty_table_with_its_columns():
    """Only RATE was answered: no row, but every column, which the report reads by name (it rounds the percentages
    of distractors-choice.csv, and the file keeps its header)."""
    first = first_frame([("L1", RATE.id, RATE.option_ids[0], 3.0)])
    shares = choice_shares(first, {q.id: q for q in (SINGLE, MULTI, RATE)}, pd.Series({"L1": "lower"}))
    assert len(shares) == 0
    assert shares.columns.tolist() == ["question", "kind", "option", "key", "all", "lower", "middle", "upper"]


# -- rate and order questions of our own, so that every key below is known by hand --------------------------------

def option(oid: str, **fields) -> dict:
    return {"id": oid, "text": oid, "rationale": oid, **fields}


def rate_question(qid: str, keys: dict[str, int]) -> RateQuestion:
    return RateQuestion(id=qid, kind="rate", stem=qid, provisions=RATE.provisions,
                        options=[option(o, key=k) for o, k in keys.items()])


def order_question(qid: str, shown: list[str], key: list[str]) -> OrderQuestion:
    return OrderQuestion(id=qid, kind="order", stem=qid, provisions=RATE.provisions,
                         options=[option(o) for o in shown], key=key)


R = rate_question("q-r", {"a": 1, "b": 2, "c": 3, "d": 4, "e": 2})
R0 = rate_question("q-r0", {"f": 1, "g": 4})  # no one answers it
P4 = order_question("q-p4", ["w", "x", "y", "z"], ["z", "y", "x", "w"])  # w is step 4, x 3, y 2, z 1
P3 = order_question("q-p3", ["a", "b", "c"], ["c", "b", "a"])  # a is step 3, b 2, c 1
P0 = order_question("q-p0", ["u", "v"], ["v", "u"])  # no one answers it


def selections(questions: list, rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    """First-attempt selections as cohort_tables.first_selections gives them, for five learners L1-L5 and these
    questions (a rate answer has a row per option rated, the value its rating; an order answer a row per step
    placed, the value its position from 0)."""
    learner, question, opt, value = zip(*rows, strict=True)
    labels = list(dict.fromkeys(o for q in questions for o in q.option_ids))
    return pd.DataFrame({"learner": pd.Categorical(learner, categories=["L1", "L2", "L3", "L4", "L5"]),
                         "question": pd.Categorical(question, categories=[q.id for q in questions]),
                         "option": pd.Categorical(opt, categories=labels), "value": value})


def rated(learner: str, q: RateQuestion, ratings: dict[str, int]) -> list[tuple[str, str, str, float]]:
    return [(learner, q.id, o, float(r)) for o, r in ratings.items()]


def placed(learner: str, q: OrderQuestion, steps: list[str]) -> list[tuple[str, str, str, float]]:
    return [(learner, q.id, o, float(k)) for k, o in enumerate(steps)]


def test_rating_shares_count_each_rating_of_each_option_against_its_key():
    """R (keys a 1, b 2, c 3, d 4, e 2) is answered by L1-L4, some rating only some options; L5 answered nothing,
    R0 no one (no row), and P4's placing by L1 is not a rating. Shares are of the 4 learners who answered R, not of
    the 13 ratings:
    a: L1 1, L2 2, L3 4, L4 1 -> rated 1 2/4 = 50 %, 2 25 %, 3 0 %, 4 25 %; distance 0+1+3+0 over 4 ratings = 1
    b: L1 2, L2 2, L3 1, L4 3 -> 25, 50, 25, 0 %; distance 0+0+1+1 over 4 = 0.5
    c: L1 3, L2 4, L3 3       -> 0, 0, 50, 25 %; distance 0+1+0 over 3 = 1/3
    d: L1 4, L2 1             -> 25, 0, 0, 25 %; distance 0+3 over 2 = 1.5
    e: rated by no one        -> 0, 0, 0, 0 %; no mean distance"""
    first = selections([R0, P4, R], [*rated("L1", R, {"a": 1, "b": 2, "c": 3, "d": 4}),
                                     *rated("L2", R, {"a": 2, "b": 2, "c": 4, "d": 1}),
                                     *rated("L3", R, {"a": 4, "b": 1, "c": 3}),
                                     *rated("L4", R, {"a": 1, "b": 3}),
                                     *placed("L1", P4, ["z", "y", "x", "w"])])
    shares = rating_shares(first, {q.id: q for q in (R0, P4, R)})  # the questions passed over come first
    assert shares.columns.tolist() == ["question", "option", "key", "rated 1", "rated 2", "rated 3", "rated 4",
                                       "mean distance"]
    assert shares["question"].tolist() == [R.id] * 5
    assert shares["option"].tolist() == ["a", "b", "c", "d", "e"]
    assert shares["key"].tolist() == ["rated 1", "rated 2", "rated 3", "rated 4", "rated 2"]
    assert shares[["rated 1", "rated 2", "rated 3", "rated 4"]].to_numpy().tolist() == [
        [50, 25, 0, 25], [25, 50, 25, 0], [0, 0, 50, 25], [25, 0, 0, 25], [0, 0, 0, 0]]
    assert shares["mean distance"].tolist()[:4] == [1, 0.5, pytest.approx(1 / 3), 1.5]
    assert pd.isna(shares["mean distance"].iloc[4])  # not defined: the report shows a dash


def test_rating_shares_with_no_rate_answer_is_an_empty_table_with_its_columns():
    """R is in scope but only P4 was answered: no row, but distractors-rate.csv keeps its header."""
    shares = rating_shares(selections([R, P4], placed("L1", P4, ["w"])), {q.id: q for q in (R, P4)})
    assert len(shares) == 0
    assert shares.columns.tolist() == ["question", "option", "key", "rated 1", "rated 2", "rated 3", "rated 4",
                                       "mean distance"]


def test_position_shares_count_where_each_step_was_placed():
    """P4 (4 steps) is answered by L1-L4, L3 placing only two steps; P3 (3 steps) by L1 and L5, L5 placing two; P0
    by no one (no row, though its 2 steps count towards the width); R's ratings are not placings. There is a column
    for each position of the longest order question (4; R's 5 options do not count), and a shorter question has
    none at the positions it does not have. Shares are of the learners who answered the question:
    P4, of 4 (L1 z y x w; L2 w x y z; L3 z w; L4 y z w x):
      w: L2 1st, L3 2nd, L4 3rd, L1 4th -> 25, 25, 25, 25 %   x: L2 2nd, L1 3rd, L4 4th -> 0, 25, 25, 25 %
      y: L4 1st, L1 2nd, L2 3rd -> 25, 25, 25, 0 %             z: L1 and L3 1st, L4 2nd, L2 4th -> 50, 25, 0, 25 %
    P3, of 2 (L1 c a b; L5 a b):
      a: L5 1st, L1 2nd -> 50, 50, 0 %   b: L5 2nd, L1 3rd -> 0, 50, 50 %   c: L1 1st -> 50, 0, 0 %"""
    first = selections([P0, R, P4, P3], [*placed("L1", P4, ["z", "y", "x", "w"]),
                                         *placed("L2", P4, ["w", "x", "y", "z"]),
                                         *placed("L3", P4, ["z", "w"]),
                                         *placed("L4", P4, ["y", "z", "w", "x"]),
                                         *placed("L1", P3, ["c", "a", "b"]),
                                         *placed("L5", P3, ["a", "b"]),
                                         *rated("L2", R, {"a": 1, "b": 2})])
    shares = position_shares(first, {q.id: q for q in (P0, R, P4, P3)})  # the questions passed over come first
    assert shares.columns.tolist() == ["question", "option", "key", "position 1", "position 2", "position 3",
                                       "position 4"]
    assert shares["question"].tolist() == [P4.id] * 4 + [P3.id] * 3
    assert shares["option"].tolist() == ["w", "x", "y", "z", "a", "b", "c"]
    assert shares["key"].tolist() == ["step 4", "step 3", "step 2", "step 1", "step 3", "step 2", "step 1"]
    positions = [[None if pd.isna(v) else v for v in row]
                 for row in shares[["position 1", "position 2", "position 3", "position 4"]].to_numpy().tolist()]
    assert positions == [[25, 25, 25, 25], [0, 25, 25, 25], [25, 25, 25, 0], [50, 25, 0, 25],
                         [50, 50, 0, None], [0, 50, 50, None], [50, 0, 0, None]]


def test_position_shares_with_no_order_answer_is_an_empty_table_with_its_columns():
    """P4 is in scope but only R was answered: no row, but distractors-order.csv keeps its header, a position
    column for each of P4's 4 steps. With no order question in scope at all, there is no position column."""
    first = selections([R, P4], rated("L1", R, {"a": 1}))
    shares = position_shares(first, {q.id: q for q in (R, P4)})
    assert len(shares) == 0
    assert shares.columns.tolist() == ["question", "option", "key", "position 1", "position 2", "position 3",
                                       "position 4"]
    shares = position_shares(first, {R.id: R})
    assert len(shares) == 0 and shares.columns.tolist() == ["question", "option", "key"]


def test_each_option_s_key_in_the_words_the_report_prints():
    """The key column of every distractor table: a single question's credit 1, 0.5 and 0 in words, a multi
    question's correct or not, a rate option's keyed rating, an order step's place in the key; a violation adds the
    provisions it breaches, each named, in the content's order."""
    single = SingleQuestion(id="q-s", kind="single", stem="q-s", provisions=["E1"], options=[
        option("best", credit=1), option("part", credit=0.5), option("none", credit=0),
        option("bad", credit=0, violation=["E6", "U3"])])
    multi = MultiQuestion(id="q-m", kind="multi", stem="q-m", provisions=["E1"], options=[
        option("yes", correct=True), option("no", correct=False), option("harm", correct=False, violation=["S9"])])
    rate = rate_question("q-r", {"a": 4, "b": 1})
    rate = rate.model_copy(update={"options": [rate.options[0], rate.options[1].model_copy(
        update={"violation": ["U1"]})]})
    words = {oid: option_key(q, oid) for q in (single, multi, rate, P4) for oid in q.option_ids}
    assert words == {
        "best": "best answer", "part": "partly right", "none": "not the best answer",
        "bad": "not the best answer; violation of E6, U3",
        "yes": "correct", "no": "incorrect", "harm": "incorrect; violation of S9",
        "a": "rated 4", "b": "rated 1; violation of U1",
        "w": "step 4", "x": "step 3", "y": "step 2", "z": "step 1",
    }
    assert [P4.breaches(oid) for oid in P4.option_ids] == [(), (), (), ()]  # an order step is never a violation
