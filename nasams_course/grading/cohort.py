"""Grading a cohort at once, vectorized with numpy and pandas (no Python loop per response).

Input is a long "selections" frame, one row per chosen option of an attempt:

    learner, question, attempt, option, value

`attempt` orders a learner's attempts at a question (higher = later; the highest counts).
`option` is an option id, or None for an empty attempt. `value` is 1 for a chosen option
(single, multi), the rating 1-4 (rate), or the 0-based position (order).
The result is the same as `nasams_course.grading.grade` applied to each learner.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from nasams_course.catalog import Catalog, load_catalog
from nasams_course.content.models import Question
from nasams_course.grading.levels import EPSILON, LEVELS, PASSING
from nasams_course.grading.profile import Attempt, latest

KIND_CODES = {"single": 0, "multi": 1, "rate": 2, "order": 3}


@dataclass(frozen=True)
class BankArrays:
    """A question bank as dense arrays: one row per question, one column per option slot."""

    qids: np.ndarray
    kind: np.ndarray
    n_options: np.ndarray
    credit: np.ndarray
    correct: np.ndarray
    rate_key: np.ndarray
    violation: np.ndarray
    key_slot: np.ndarray  # key_slot[q, k] = slot of the k-th keyed step (order), -1 beyond n
    n_correct: np.ndarray
    slots: pd.DataFrame  # question, option -> qi, slot
    provisions: pd.DataFrame  # question, provision


def bank_arrays(questions: dict[str, Question]) -> BankArrays:
    """Precompute the dense key arrays of a bank."""
    qids = list(questions)
    width = max(len(q.options) for q in questions.values())
    shape = (len(qids), width)
    credit = np.zeros(shape)
    correct = np.zeros(shape, dtype=bool)
    rate_key = np.zeros(shape)
    violation = np.zeros(shape, dtype=bool)
    key_slot = np.full(shape, -1, dtype=np.int64)
    kind = np.zeros(len(qids), dtype=np.int64)
    n_options = np.zeros(len(qids), dtype=np.int64)
    slot_rows = []
    prov_rows = []
    for qi, qid in enumerate(qids):
        q = questions[qid]
        kind[qi] = KIND_CODES[q.kind]
        n_options[qi] = len(q.options)
        slot_of = {}
        for s, o in enumerate(q.options):
            slot_of[o.id] = s
            slot_rows.append((qid, o.id, qi, s))
            violation[qi, s] = getattr(o, "violation", False)
            if q.kind == "single":
                credit[qi, s] = o.credit
            elif q.kind == "multi":
                correct[qi, s] = o.correct
            elif q.kind == "rate":
                rate_key[qi, s] = o.key
        if q.kind == "order":
            for k, oid in enumerate(q.key):
                key_slot[qi, k] = slot_of[oid]
        prov_rows += [(qid, pid) for pid in q.provisions]
    return BankArrays(
        qids=np.array(qids, dtype=object), kind=kind, n_options=n_options, credit=credit, correct=correct,
        rate_key=rate_key, violation=violation, key_slot=key_slot, n_correct=correct.sum(axis=1),
        slots=pd.DataFrame(slot_rows, columns=["question", "option", "qi", "slot"]),
        provisions=pd.DataFrame(prov_rows, columns=["question", "provision"]),
    )


def score_items(selections: pd.DataFrame, arrays: BankArrays) -> pd.DataFrame:
    """Latest attempt of every (learner, question) -> score, critical, unanswered."""
    sel = selections
    last = sel.groupby(["learner", "question"], sort=False)["attempt"].transform("max")
    sel = sel[sel["attempt"].to_numpy() == last.to_numpy()]
    item_codes, uniques = pd.MultiIndex.from_frame(sel[["learner", "question"]]).factorize()
    items = pd.DataFrame({"learner": uniques.get_level_values(0), "question": uniques.get_level_values(1)})
    qi_of_question = pd.Series(np.arange(len(arrays.qids)), index=arrays.qids)
    qi = qi_of_question.reindex(items["question"]).to_numpy()
    width = arrays.credit.shape[1]

    # the option slot of every selection row (rows with no option stay at -1)
    slot_index = pd.MultiIndex.from_frame(arrays.slots[["question", "option"]])
    pos = slot_index.get_indexer(pd.MultiIndex.from_frame(sel[["question", "option"]]))
    has = pos >= 0
    values = np.full((len(items), width), np.nan)
    values[item_codes[has], arrays.slots["slot"].to_numpy()[pos[has]]] = sel["value"].to_numpy(dtype=float)[has]

    chosen = ~np.isnan(values)
    kind = arrays.kind[qi]
    n = arrays.n_options[qi].astype(float)
    valid = np.arange(width)[None, :] < arrays.n_options[qi][:, None]
    violation = arrays.violation[qi]
    answered = chosen.any(axis=1)

    single = (arrays.credit[qi] * chosen).sum(axis=1)
    correct = arrays.correct[qi]
    hits = (chosen & correct).sum(axis=1)
    false = (chosen & ~correct).sum(axis=1)
    n_correct = np.maximum(arrays.n_correct[qi], 1)
    multi = np.maximum(0.0, (hits - false) / n_correct)
    diff = np.where(chosen, np.abs(values - arrays.rate_key[qi]), 3.0)
    rate = 1 - np.where(valid, diff, 0.0).sum(axis=1) / (3 * n)
    key_slot = arrays.key_slot[qi]
    placed = np.take_along_axis(values, np.maximum(key_slot, 0), axis=1)
    placed[key_slot < 0] = np.nan
    agree = np.zeros(len(items))
    for i in range(width):
        for j in range(i + 1, width):
            agree += placed[:, i] < placed[:, j]  # NaN compares False: a missing step never agrees
    order = agree / np.maximum(n * (n - 1) / 2, 1)

    score = np.select([kind == 0, kind == 1, kind == 2], [single, multi, rate], order)
    critical = np.where(kind == 2, (violation & (values >= 3)).any(axis=1), (violation & chosen).any(axis=1))
    critical &= kind != 3
    items["score"] = np.where(answered, score, 0.0)
    items["critical"] = critical & answered
    items["unanswered"] = ~answered
    return items


def _levels(score: pd.Series) -> pd.Series:
    conditions = [score >= low - EPSILON for _, low in LEVELS]
    out = np.select(conditions, [name for name, _ in LEVELS], default=LEVELS[-1][0]).astype(object)
    out[score.isna().to_numpy()] = None
    return pd.Series(out, index=score.index)


def grade_cohort(selections: pd.DataFrame, questions: dict[str, Question],
                 catalog: Catalog | None = None) -> dict[str, pd.DataFrame]:
    """Grade every learner in `selections`. Returns frames `items`, `provisions`, `domains`, `learners`."""
    catalog = catalog or load_catalog()
    arrays = bank_arrays(questions)
    items = score_items(selections, arrays)
    learners = pd.Index(selections["learner"].unique(), name="learner")

    scope = [pid for pid in catalog.ids if pid in set(arrays.provisions["provision"])]
    answered = items[~items["unanswered"]].merge(arrays.provisions, on="question")
    prov = answered.groupby(["learner", "provision"], sort=False).agg(
        score=("score", "mean"), critical=("critical", "any"), answered=("score", "size"))
    full = pd.MultiIndex.from_product([learners, scope], names=["learner", "provision"])
    prov = prov.reindex(full)
    prov["answered"] = prov["answered"].fillna(0).astype(int)
    prov["critical"] = prov["critical"].astype("boolean").fillna(False).astype(bool)
    prov["level"] = _levels(prov["score"])
    prov.loc[prov["critical"], "level"] = "Beginning"
    prov = prov.reset_index()
    prov["domain"] = prov["provision"].map(catalog.domain_of())

    dom = prov.groupby(["learner", "domain"], sort=False)["score"].mean()
    domain_scope = [d.id for d in catalog.domains if d.id in set(prov["domain"])]
    dom = dom.reindex(pd.MultiIndex.from_product([learners, domain_scope], names=["learner", "domain"]))
    dom = dom.to_frame("score")
    dom["level"] = _levels(dom["score"])
    dom = dom.reset_index()

    attempted_all = prov.groupby("learner", sort=False)["score"].apply(lambda s: s.notna().all())
    no_critical = ~prov.groupby("learner", sort=False)["critical"].any()
    passing = dom.assign(ok=dom["level"].isin(PASSING)).groupby("learner", sort=False)["ok"].all()
    complete = (attempted_all & no_critical & passing).reindex(learners).rename("complete").reset_index()
    return {"items": items, "provisions": prov, "domains": dom, "learners": complete}


def selections_frame(attempts_by_learner: dict[str, list[Attempt]]) -> pd.DataFrame:
    """Build the long selections frame from checked attempts (one row per chosen option)."""
    rows = []
    for learner, attempts in attempts_by_learner.items():
        order = {(a.question, a.seq): rank for rank, a in enumerate(sorted(attempts, key=lambda a: (a.at, a.seq)))}
        for a in attempts:
            rank = order[(a.question, a.seq)]
            ans = a.answer
            if ans is None or len(ans) == 0:
                rows.append((learner, a.question, rank, None, np.nan))
            elif isinstance(ans, str):
                rows.append((learner, a.question, rank, ans, 1.0))
            elif isinstance(ans, dict):
                rows += [(learner, a.question, rank, oid, float(r)) for oid, r in ans.items()]
            else:  # multi or order: the position in the list (any value marks a multi option as chosen)
                rows += [(learner, a.question, rank, oid, float(i)) for i, oid in enumerate(ans)]
    return pd.DataFrame(rows, columns=["learner", "question", "attempt", "option", "value"])


__all__ = ["bank_arrays", "grade_cohort", "latest", "score_items", "selections_frame"]
