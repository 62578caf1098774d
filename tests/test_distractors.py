"""Distractor shares on a cohort small enough to count by hand (nasams_course/training/distractors.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import REPO
from nasams_course.content.loader import load_bank_or_raise
from nasams_course.training.distractors import choice_shares, option_key

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
