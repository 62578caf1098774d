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
