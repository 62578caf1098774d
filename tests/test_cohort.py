"""The vectorized cohort grader gives exactly the per-learner results."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import examples, golden_questions, question
from nasams_course.catalog import load_catalog
from nasams_course.grading import Attempt, grade
from nasams_course.grading.cohort import _levels, bank_arrays, grade_cohort, score_values, selections_frame
from nasams_course.grading.items import score_item
from nasams_course.grading.levels import EPSILON, LEVELS, level_for

QS = golden_questions()


def answers(q):
    ids = q.option_ids
    empty = st.just(None)
    if q.kind == "single":
        return st.one_of(st.sampled_from(ids), empty)
    if q.kind == "multi":
        return st.lists(st.sampled_from(ids), unique=True)
    if q.kind == "rate":
        return st.dictionaries(st.sampled_from(ids), st.integers(1, 4))
    return st.one_of(st.permutations(ids).map(list), st.lists(st.sampled_from(ids), unique=True))


@st.composite
def cohorts(draw):
    learners = {}
    for i in range(draw(st.integers(1, 5))):
        attempts = []
        for seq in range(draw(st.integers(1, 10))):
            qid = draw(st.sampled_from(sorted(QS)))
            attempts.append(Attempt(qid, draw(answers(QS[qid])), draw(st.integers(0, 4)), seq))
        learners[f"learner-{i}"] = attempts
    return learners


def same(a, b) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b)) or b is pd.NA
    return math.isclose(a, b, abs_tol=1e-9) if isinstance(a, float) else a == b


@settings(max_examples=examples(150), deadline=None)
@given(cohorts())
def test_cohort_equals_per_learner(learners):
    result = grade_cohort(selections_frame(learners), QS)
    items = result["items"].set_index(["learner", "question"])
    provs = result["provisions"].set_index(["learner", "provision"])
    doms = result["domains"].set_index(["learner", "domain"])
    complete = result["learners"].set_index("learner")["complete"]
    for learner, attempts in learners.items():
        report = grade(QS, attempts)
        for i in report.items:
            row = items.loc[(learner, i.question)]
            assert math.isclose(row["score"], i.score, abs_tol=1e-9)
            assert bool(row["critical"]) == i.critical and bool(row["unanswered"]) == i.unanswered
        for p in report.provisions:
            row = provs.loc[(learner, p.id)]
            assert same(p.score, row["score"]) and same(p.level, row["level"]), (learner, p)
            assert bool(row["critical"]) == p.critical and int(row["answered"]) == p.answered
        for d in report.domains:
            row = doms.loc[(learner, d.id)]
            assert same(d.score, row["score"]) and same(d.level, row["level"])
        assert bool(complete[learner]) == report.complete


@settings(max_examples=examples(100), deadline=None)
@given(cohorts())
def test_cohort_on_first_attempts_equals_the_reports_first_items(learners):
    items = grade_cohort(selections_frame(learners), QS, which="first")["items"].set_index(["learner", "question"])
    for learner, attempts in learners.items():
        for i in grade(QS, attempts).first_items:
            row = items.loc[(learner, i.question)]
            assert math.isclose(row["score"], i.score, abs_tol=1e-9)
            assert bool(row["critical"]) == i.critical and bool(row["unanswered"]) == i.unanswered


def test_cohort_caps_only_the_breached_provision_and_blocks_completion():
    """A learner perfect everywhere but for one violation that breaches E13 (g-rate also assesses S5)."""
    perfect = [Attempt("g-single", "a", 1, 0), Attempt("g-multi", ["a", "b", "c"], 2, 1),
               Attempt("g-order", ["a", "b", "c", "d"], 3, 2), Attempt("g-order3", ["x", "y", "z"], 4, 3)]
    learners = {"clean": [*perfect, Attempt("g-rate", {"a": 4, "b": 1, "c": 3, "d": 2}, 5, 4)],
                "breach": [*perfect, Attempt("g-rate", {"a": 4, "b": 3, "c": 3, "d": 2}, 5, 4)]}
    result = grade_cohort(selections_frame(learners), QS)
    provs = result["provisions"].set_index(["learner", "provision"])
    assert bool(provs.loc[("breach", "E13"), "critical"]) and provs.loc[("breach", "E13"), "level"] == "Beginning"
    assert not bool(provs.loc[("breach", "S5"), "critical"]) and provs.loc[("breach", "S5"), "level"] == "Mastery"
    complete = result["learners"].set_index("learner")["complete"]
    assert bool(complete["clean"]) and not bool(complete["breach"])


def test_breach_masks_hold_63_provisions_and_no_more():
    """Each provision is a bit of an int64 mask: a catalog of 63 fits, one of 64 is refused with a message."""
    from types import SimpleNamespace

    ids = list(load_catalog().ids)
    fits = bank_arrays(QS, SimpleNamespace(ids=ids + [f"Z{i}" for i in range(63 - len(ids))]))
    assert fits.assesses.shape == (len(QS), 63)
    with pytest.raises(ValueError, match=r"^breach bit masks hold at most 63 provisions$"):
        bank_arrays(QS, SimpleNamespace(ids=ids + [f"Z{i}" for i in range(64 - len(ids))]))


def test_selections_naming_what_the_bank_does_not_have_are_refused_with_a_message():
    frame = selections_frame({"ana": [Attempt("g-single", "a", 1, 0)]})
    frame["question"] = frame["question"].cat.rename_categories({"g-single": "g-nowhere"})
    with pytest.raises(KeyError) as refused:
        grade_cohort(frame, QS)
    assert refused.value.args == ("the selections name a question that is not in the bank",)  # these words, only
    frame = selections_frame({"ana": [Attempt("g-single", "z", 1, 0)]})
    with pytest.raises(KeyError) as refused:
        grade_cohort(frame, QS)
    assert refused.value.args == ("the selections name an option that its question does not have",)


def test_multi_questions_with_one_keyed_or_one_unkeyed_option_score_as_per_learner():
    """The divisors at their smallest: one correct option, or one incorrect one."""
    def multi(qid, keyed):
        return question({
            "id": qid, "kind": "multi", "stem": "?", "provisions": ["S16"],
            "options": [{"id": o, "text": o, "rationale": "S16", "correct": o in keyed} for o in "abc"]})

    qs = {"m-one-right": multi("m-one-right", "a"), "m-one-wrong": multi("m-one-wrong", "ab")}
    learners = {f"l{i}": [Attempt(qid, answer, 1, 0)] for i, (qid, answer) in enumerate(
        [(q, a) for q in qs for a in (["a"], ["b"], ["a", "c"], ["a", "b"], ["c"])])}
    items = grade_cohort(selections_frame(learners), qs)["items"].set_index("learner")
    for learner, (attempt,) in learners.items():
        assert items.loc[learner, "score"] == pytest.approx(grade(qs, [attempt]).items[0].score), learner
    # by hand (keyed share minus unkeyed share, at least 0): every option of m-one-wrong, 2/2 - 1/1 = 0; a and b of
    # m-one-right, 1/1 - 1/2 = 0.5
    both = {"all": [Attempt("m-one-wrong", ["a", "b", "c"], 1, 0)], "ab": [Attempt("m-one-right", ["a", "b"], 1, 0)]}
    items = grade_cohort(selections_frame(both), qs)["items"].set_index("learner")
    assert (items.loc["all", "score"], items.loc["ab", "score"]) == (0.0, 0.5)


def test_plain_text_columns_are_converted_and_grade_the_same():
    learners = {"ana": [Attempt("g-single", "b", 1, 0), Attempt("g-multi", ["a", "e"], 2, 1)],
                "bo": [Attempt("g-rate", {"a": 4, "b": 1}, 1, 0)]}
    frame = selections_frame(learners)
    plain = frame.astype({"learner": object, "question": object, "option": object})
    for name in ("items", "provisions", "learners"):
        pd.testing.assert_frame_equal(grade_cohort(plain, QS)[name], grade_cohort(frame, QS)[name])


def test_grading_a_cohort_with_unanswered_provisions_prints_no_warning():
    """A learner who answered one question leaves most provisions and domains without a score (0 of 0): the grader
    says so with NaN, and numpy prints nothing on stderr for a trainer to wonder about."""
    learners = {"ana": [Attempt("g-single", "a", 1, 0)], "bo": [Attempt("g-multi", ["a"], 1, 0)]}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = grade_cohort(selections_frame(learners), QS)
    assert result["provisions"]["score"].isna().any() and result["domains"]["score"].isna().any()


def test_on_a_one_question_scope_each_learner_completes_or_not_alone_and_its_one_provision_makes_a_domain():
    """Scope g-order3 (E6 only, so its domain holds one provision in scope): one learner puts the steps in order, one
    reverses them, one leaves the question empty. Completion is each learner's own, and every frame says what `grade`
    says of each learner, the provisions' domains included."""
    scope = {"g-order3": QS["g-order3"]}
    learners = {"ana": [Attempt("g-order3", ["x", "y", "z"], 1, 0)], "bo": [Attempt("g-order3", ["z", "y", "x"], 1, 0)],
                "cy": [Attempt("g-order3", None, 1, 0)]}
    result = grade_cohort(selections_frame(learners), scope)
    reports = {name: grade(scope, attempts) for name, attempts in learners.items()}
    assert dict(zip(result["learners"]["learner"], result["learners"]["complete"], strict=True)) == {
        name: r.complete for name, r in reports.items()} == {"ana": True, "bo": False, "cy": False}
    domains = result["domains"].set_index("learner")
    for name, r in reports.items():
        [d] = r.domains
        assert (domains.loc[name, "domain"], same(d.score, domains.loc[name, "score"])) == (d.id, True)
    assert set(result["provisions"]["domain"]) == {"confidentiality"}


def test_the_cohort_levels_are_level_for_at_every_threshold():
    """A score within 1e-9 below a threshold reaches it, as `level_for` says, and no score is no level."""
    scores = [s for _, low in LEVELS for s in (low, low - EPSILON, low - 2 * EPSILON, low + EPSILON)] + [1.0]
    assert list(_levels(np.array(scores))) == [level_for(s) for s in scores]
    assert list(_levels(np.array([math.nan]))) == [None]


def test_an_empty_bank_is_arrays_of_no_rows_and_no_option_slots():
    arrays = bank_arrays({}, load_catalog())
    assert arrays.qids == [] and arrays.credit.shape == (0, 0) and arrays.key_slot.shape == (0, 0)


def test_an_order_question_of_one_step_scores_full_marks_and_prints_no_warning():
    """One keyed step makes no pair to compare (tau's 0/0): placed, it scores 1 by the rule (no pair is out of order),
    as `grade` says, and numpy prints nothing on stderr for a trainer to wonder about."""
    one = question({
        "id": "o-one", "kind": "order", "stem": "?", "provisions": ["E6"], "key": ["x"],
        "options": [{"id": "x", "text": "x", "rationale": "E6"}]})
    learners = {"ana": [Attempt("o-one", ["x"], 1, 0)]}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        items = grade_cohort(selections_frame(learners), {"o-one": one})["items"]
    assert items["score"].tolist() == [1.0] == [grade({"o-one": one}, learners["ana"]).items[0].score]


def _violation_bank(kind):
    """One question of `kind` per provision of the catalog, assessing it, whose option b breaches it alone (bit k of
    the breach masks for the k-th provision) and whose option a breaches nothing."""
    extra = {"single": ({"credit": 1}, {"credit": 0}), "multi": ({"correct": True}, {"correct": False}),
             "rate": ({"key": 4}, {"key": 1})}[kind]
    return {f"v{k}": question({
        "id": f"v{k}", "kind": kind, "stem": "?", "provisions": [pid],
        "options": [{"id": "a", "text": "a", "rationale": pid, **extra[0]},
                    {"id": "b", "text": "b", "rationale": pid, **extra[1], "violation": [pid]}]})
        for k, pid in enumerate(load_catalog().ids)}


@pytest.mark.parametrize("kind", ["single", "multi", "rate"])
def test_a_violation_of_any_one_provision_is_a_critical_error_capping_it_alone_as_grade_says(kind):
    """For every provision of the catalog in turn, the first one included: a learner who chooses (or rates 3 or 4) a
    violation option breaching only that provision has a critical error on that item, and that provision alone is
    critical and capped at Beginning, exactly as `grade` says; a learner who chooses the option breaching nothing
    has no critical error anywhere."""
    qs = _violation_bank(kind)
    bad = {"single": "b", "multi": ["b"], "rate": {"a": 4, "b": 3}}[kind]
    good = {"single": "a", "multi": ["a"], "rate": {"a": 4, "b": 1}}[kind]
    learners = {f"bad-{qid}": [Attempt(qid, bad, 1, 0)] for qid in qs}
    learners["good"] = [Attempt(qid, good, 1, seq) for seq, qid in enumerate(qs)]
    result = grade_cohort(selections_frame(learners), qs)
    items = result["items"].set_index(["learner", "question"])
    provs = result["provisions"].set_index(["learner", "provision"])
    ids = list(load_catalog().ids)
    for learner, attempts in learners.items():
        report = grade(qs, attempts)
        for i in report.items:
            assert bool(items.loc[(learner, i.question), "critical"]) == i.critical == learner.startswith("bad")
            assert int(items.loc[(learner, i.question), "breached"]) == sum(1 << ids.index(p) for p in i.breached)
        for p in report.provisions:
            assert bool(provs.loc[(learner, p.id), "critical"]) == p.critical, (learner, p.id)
            assert same(p.level, provs.loc[(learner, p.id), "level"]), (learner, p.id)
        assert [(p.id, p.level) for p in report.provisions if p.critical] == (
            [(qs[attempts[0].question].provisions[0], "Beginning")] if learner.startswith("bad") else [])


def test_score_values_marks_as_violations_exactly_the_options_score_item_names():
    """`score_values`' `violations` mask holds the slots of the options `score_item` lists in `violations` (those whose
    choice made the answer a critical error): an option chosen (or rated 3 or 4) that breaches nothing is not one,
    and an answer without a violation has an empty mask, for every kind of question."""
    cases = [("g-single", "a"), ("g-single", "c"), ("g-multi", ["a", "b", "c"]), ("g-multi", ["a", "e"]),
             ("g-rate", {"a": 4, "b": 1, "c": 3, "d": 2}), ("g-rate", {"a": 4, "b": 3, "c": 3, "d": 4}),
             ("g-order", ["a", "b", "c", "d"]), ("g-order", ["d", "c", "b", "a"])]
    arrays = bank_arrays(QS, load_catalog())
    values = np.full((len(cases), arrays.credit.shape[1]), np.nan)
    for r, (qid, answer) in enumerate(cases):
        ids = QS[qid].option_ids
        chosen = ({answer: 1} if isinstance(answer, str) else answer if isinstance(answer, dict)
                  else {o: (i if QS[qid].kind == "order" else 1) for i, o in enumerate(answer)})
        for oid, value in chosen.items():
            values[r, ids.index(oid)] = value
    iq = np.array([arrays.qids.index(qid) for qid, _ in cases], dtype=np.int64)
    _score, _answered, violations, _breached = score_values(values, iq, arrays)
    expected = [sum(1 << QS[qid].option_ids.index(o) for o in score_item(QS[qid], answer).violations)
                for qid, answer in cases]
    assert violations.tolist() == expected
    assert any(expected) and not all(expected)
