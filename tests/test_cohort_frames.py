"""`grading.cohort.cohort_frames`, the report's one grading pass (latest and first attempts, on the internals of
`cohort_reports`): the same item and provision scores as `grade_cohort` on latest and on first attempts, and the same
result whether an attempt's selections are together (as the readers write them) or scattered (hashed together)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import golden_questions
from nasams_course.bench import write_cohort
from nasams_course.catalog import load_catalog
from nasams_course.content.loader import course_bank
from nasams_course.grading import Attempt, grade
from nasams_course.grading.cohort import attempt_table, bank_arrays, cohort_frames, grade_cohort, selections_frame
from nasams_course.responses import read_responses

QS = golden_questions()


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    bank = course_bank()
    paths = write_cohort(tmp_path_factory.mktemp("c"), 12, 7, partial=True)
    attempts = {f"{i:03d}": read_responses(p, bank.questions).attempts for i, p in enumerate(paths)}
    return selections_frame(attempts), bank.questions, load_catalog()


def frames_of(selections, questions, catalog):
    table, labels = attempt_table(selections, bank_arrays(questions, catalog))
    return cohort_frames(table, labels, questions, catalog)


@pytest.mark.parametrize("which", ["latest", "first"])
def test_one_pass_gives_what_grade_cohort_gives_for_latest_and_first(cohort, which):
    selections, questions, catalog = cohort
    ours = frames_of(selections, questions, catalog)[which]
    theirs = grade_cohort(selections, questions, catalog, which=which)
    key = ["learner", "question"]
    a = ours["items"].astype({"learner": str, "question": str}).sort_values(key).reset_index(drop=True)
    b = theirs["items"].astype({"learner": str, "question": str}).sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_categorical=False)
    a = ours["provisions"].astype({"learner": str, "provision": str}).sort_values(["learner", "provision"])
    b = theirs["provisions"].sort_values(["learner", "provision"])
    assert a["learner"].tolist() == b["learner"].tolist() and a["provision"].tolist() == b["provision"].tolist()
    np.testing.assert_allclose(a["score"].to_numpy(float), b["score"].to_numpy(float), rtol=0, atol=1e-12)
    assert np.isnan(a["score"].to_numpy(float)).sum() > 0  # the partial learners: provisions not attempted
    if which == "latest":  # and every other column of a provision: critical, answered, level, domain
        columns = ["critical", "answered", "level", "domain"]
        assert list(a.columns) == list(b.columns) == ["learner", "provision", "score", *columns]
        a = a.astype({"domain": str}).reset_index(drop=True)
        pd.testing.assert_frame_equal(a[columns], b[columns].reset_index(drop=True), check_dtype=False)
        assert a["answered"].sum() > 0 and a["critical"].any() and a["level"].nunique() > 2


def test_scattered_selections_give_the_same_frames(cohort):
    selections, questions, catalog = cohort
    together = frames_of(selections, questions, catalog)
    scattered = frames_of(selections.sample(frac=1, random_state=3), questions, catalog)
    for which in ("latest", "first"):
        for name in ("items", "provisions"):
            pd.testing.assert_frame_equal(together[which][name], scattered[which][name])


def test_an_option_its_question_does_not_have_is_refused_even_when_it_is_the_first_label():
    """An answer naming an option the question lacks is refused in these words, not dropped: also when that option's
    label is the only one (code 0 of the option column)."""
    frame = selections_frame({"ana": [Attempt("g-single", "z", 1, 0)]})
    with pytest.raises(KeyError) as refused:
        attempt_table(frame, bank_arrays(QS, load_catalog()))
    assert refused.value.args == ("the selections name an option that its question does not have",)


def test_learners_around_one_who_answered_outside_the_scope_keep_their_own_answers():
    """Scope g-single and g-multi: ana answers g-multi, bo only g-rate (outside the scope: left out), cy g-single, each
    once. Every learner's items and completion are what `grade` gives that learner on the scope: cy's answer is cy's,
    not a second part of ana's (their rows meet once bo's are left out)."""
    scope = {qid: QS[qid] for qid in ("g-single", "g-multi")}
    learners = {"ana": [Attempt("g-multi", ["a", "b", "c"], 1, 0)], "bo": [Attempt("g-rate", {"a": 4}, 1, 0)],
                "cy": [Attempt("g-single", "b", 1, 0)]}
    latest = frames_of(selections_frame(learners), scope, load_catalog())["latest"]
    got = {(str(r.learner), str(r.question)): (r.score, r.critical) for r in latest["items"].itertuples()}
    assert got == {("ana", "g-multi"): (1.0, False), ("cy", "g-single"): (0.5, False)}
    for name, attempts in learners.items():
        report = grade(scope, [a for a in attempts if a.question in scope])
        assert [(i.question, i.score) for i in report.items] == [
            (q, s) for (who, q), (s, _c) in got.items() if who == name]


def test_an_empty_attempt_is_empty_whatever_its_value_column_holds():
    """A selection with no option is an empty attempt (the module's contract); its `value` is not read. Here 1.0, as a
    frame built by hand might hold: the empty g-multi attempt is unanswered, not a choice of its last option (`e`, a
    violation of U7), as grade_cohort and `grade` say."""
    learners = {"ana": [Attempt("g-multi", ["a", "b"], 1, 0), Attempt("g-multi", None, 2, 1)]}
    frame = selections_frame(learners)
    frame["value"] = frame["value"].fillna(1.0)
    scope = {"g-multi": QS["g-multi"]}
    [item] = frames_of(frame, scope, load_catalog())["latest"]["items"].itertuples()
    [expected] = grade(scope, learners["ana"]).items
    assert (item.score, item.critical, item.unanswered) == (expected.score, expected.critical, True)
    [theirs] = grade_cohort(frame, scope)["items"].itertuples()
    assert (theirs.score, theirs.critical, theirs.unanswered) == (0.0, False, True)


def items_by_learner_and_question(frames: dict) -> dict:
    items = frames["items"]
    return {(str(r.learner), str(r.question)): (r.score, r.critical, r.unanswered) for r in items.itertuples()}


def selections(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["learner", "question", "attempt", "option", "value"])
    return frame.astype({"learner": "category", "question": "category", "option": "category"})


@pytest.mark.parametrize("which", ["latest", "first"])
def test_attempts_numbered_across_the_cohort_are_each_learners_own(which):
    """Attempt numbers counted over the whole cohort in time order (as a gradebook's attempts frame counts them), not
    from 0 for each learner: bo's two attempts at g-single follow each other (2: the violation `c`, then 3: `a`),
    ana's and cy's attempts are numbered as one of bo's. Each attempt is graded alone, as grade_cohort grades it: bo's
    latest is `a` (full marks, no critical error), bo's first `c`, and cy's `c` is not part of bo's."""
    frame = selections([("ana", "g-single", 3, "a", 1.0), ("bo", "g-single", 2, "c", 1.0),
                        ("bo", "g-single", 3, "a", 1.0), ("cy", "g-single", 3, "c", 1.0)])
    scope = {"g-single": QS["g-single"]}
    got = items_by_learner_and_question(frames_of(frame, scope, load_catalog())[which])
    assert got == items_by_learner_and_question(grade_cohort(frame, scope, which=which))
    assert got[("bo", "g-single")] == {"latest": (1.0, False, False), "first": (0.0, True, False)}[which]


APART = {
    "same number": [("ana", "g-multi", 3, "a", 0.0), ("ana", "g-single", 3, "a", 1.0), ("ana", "g-multi", 3, "b", 1.0)],
    "numbers that a short hash would mix": [("ana", "g-multi", 0, "a", 0.0), ("ana", "g-single", 2, "c", 1.0),
                                            ("ana", "g-multi", 0, "b", 1.0), ("ana", "g-single", 3, "a", 1.0)],
}


@pytest.mark.parametrize("rows", APART.values(), ids=APART)
def test_an_attempts_rows_apart_are_brought_together_even_after_another_question(rows):
    """Attempt numbers counted for each question (as the module's contract allows): ana's g-multi attempt has its
    rows apart, around a g-single attempt with the same number, or with numbers that hashing (question, attempt) with
    too small a multiplier would take for the g-multi one's. Each attempt is whole: the g-multi one `a` and `b` (2 of
    3 keyed options), the latest g-single one `a` alone."""
    frame = selections(rows)
    scope = {qid: QS[qid] for qid in ("g-single", "g-multi")}
    got = items_by_learner_and_question(frames_of(frame, scope, load_catalog())["latest"])
    assert got == items_by_learner_and_question(grade_cohort(frame, scope))
    assert got == {("ana", "g-single"): (1.0, False, False), ("ana", "g-multi"): (pytest.approx(2 / 3), False, False)}


def test_a_table_of_the_whole_bank_graded_on_a_scope_keeps_to_the_scope_and_the_catalog_defaults_to_the_code_s():
    """The report's table holds every question answered; graded on a scope of two, the attempts at the others are
    left out (not counted as one of the scope's questions), as if they had never been read. Without a catalog given,
    the code's catalog is used."""
    scope = {qid: QS[qid] for qid in ("g-single", "g-multi")}
    learners = {"ana": [Attempt("g-rate", {"a": 4, "b": 4, "c": 3, "d": 2}, 1, 0), Attempt("g-single", "a", 2, 0)],
                "bo": [Attempt("g-order3", ["x", "y", "z"], 1, 0), Attempt("g-multi", ["a"], 2, 0)]}
    table, labels = attempt_table(selections_frame(learners), bank_arrays(QS, load_catalog()))
    assert set(table.qids) > set(scope)
    whole = cohort_frames(table, labels, scope, load_catalog())
    alone = {name: [a for a in attempts if a.question in scope] for name, attempts in learners.items()}
    expected = frames_of(selections_frame(alone), scope, load_catalog())
    for which in ("latest", "first"):
        got = whole[which]["items"].astype({"learner": str, "question": str})
        assert got.to_dict("records") == expected[which]["items"].astype(
            {"learner": str, "question": str}).to_dict("records")
        assert sorted(got["question"]) == ["g-multi", "g-single"]
    default = cohort_frames(table, labels, scope)
    pd.testing.assert_frame_equal(default["latest"]["provisions"], whole["latest"]["provisions"])
