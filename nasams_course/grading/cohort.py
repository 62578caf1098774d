"""Grading a cohort at once, vectorized with numpy and pandas (no Python loop per response or per learner).

Input is a long "selections" frame, one row per chosen option of an attempt:

    learner, question, attempt, option, value

`attempt` orders a learner's attempts at a question (higher = later; the highest counts, or with
`which="first"` the lowest).
`option` is an option id, or missing for an empty attempt. `value` is 1 for a chosen option (single, multi),
the rating 1-4 (rate), or the 0-based position (order). Categorical columns are used as they are; other
columns are converted. The result equals `nasams_course.grading.grade` applied to each learner.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from nasams_course.catalog import Catalog, load_catalog
from nasams_course.content.models import Question
from nasams_course.grading.levels import EPSILON, LEVELS, PASSING
from nasams_course.grading.profile import Attempt

KIND_CODES = {"single": 0, "multi": 1, "rate": 2, "order": 3}


@dataclass(frozen=True)
class BankArrays:
    """A question bank as dense arrays: one row per question, one column per option slot."""

    qids: list[str]
    kind: np.ndarray
    n_options: np.ndarray
    credit: np.ndarray
    correct: np.ndarray
    rate_key: np.ndarray
    breach_bits: np.ndarray  # breach_bits[q, s]: bit p set when option s of question q breaches provision p
    key_slot: np.ndarray  # key_slot[q, k] = slot of the k-th keyed step (order), -1 beyond n
    n_correct: np.ndarray
    option_ids: list[list[str]]
    assesses: np.ndarray  # assesses[q, p]: question q assesses provision p (catalog order)


def bank_arrays(questions: dict[str, Question], catalog: Catalog) -> BankArrays:
    """Precompute the dense key arrays of a bank."""
    qids = list(questions)
    width = max(len(q.options) for q in questions.values())
    shape = (len(qids), width)
    credit, rate_key = np.zeros(shape), np.zeros(shape)
    correct = np.zeros(shape, dtype=bool)
    breach_bits = np.zeros(shape, dtype=np.int64)
    if len(catalog.ids) > 63:
        raise ValueError("breach bit masks hold at most 63 provisions")
    key_slot = np.full(shape, -1, dtype=np.int64)
    kind = np.array([KIND_CODES[questions[q].kind] for q in qids], dtype=np.int64)
    n_options = np.array([len(questions[q].options) for q in qids], dtype=np.int64)
    position = {pid: i for i, pid in enumerate(catalog.ids)}
    assesses = np.zeros((len(qids), len(catalog.ids)), dtype=bool)
    for qi, qid in enumerate(qids):
        q = questions[qid]
        for s, o in enumerate(q.options):
            breached = getattr(o, "violation", None) or ()
            breach_bits[qi, s] = sum(1 << position[p] for p in breached)
            credit[qi, s] = getattr(o, "credit", 0)
            correct[qi, s] = getattr(o, "correct", False)
            rate_key[qi, s] = getattr(o, "key", 0) if q.kind == "rate" else 0
        if q.kind == "order":
            key_slot[qi, : len(q.key)] = [q.option_ids.index(k) for k in q.key]
        assesses[qi, [position[p] for p in q.provisions]] = True
    return BankArrays(qids, kind, n_options, credit, correct, rate_key, breach_bits, key_slot,
                      correct.sum(axis=1), [q.option_ids for q in questions.values()], assesses)


def _codes(column: pd.Series, categories: list[str] | None = None) -> tuple[np.ndarray, list[str]]:
    """Integer codes and their labels for a column (categorical columns cost nothing)."""
    cat = column if isinstance(column.dtype, pd.CategoricalDtype) else column.astype("category")
    if categories is not None:
        cat = cat.cat.set_categories(categories)
    return cat.cat.codes.to_numpy().astype(np.int64), list(cat.cat.categories)


def score_items(selections: pd.DataFrame, arrays: BankArrays, which: str = "latest") -> pd.DataFrame:
    """The latest (or first) attempt of every (learner, question) -> score, critical, unanswered, breached.

    `breached` is a bit mask over the catalog's provisions: those the chosen violation options breach."""
    learner, learners = _codes(selections["learner"])
    qi, _ = _codes(selections["question"], arrays.qids)
    if (qi < 0).any():
        raise KeyError("the selections name a question that is not in the bank")
    nq, width = arrays.credit.shape
    item_key = learner * nq + qi
    item_codes, item_keys = pd.factorize(item_key, sort=True)
    attempt = selections["attempt"].to_numpy()
    grouped = pd.Series(attempt).groupby(item_codes)
    counted = (grouped.min() if which == "first" else grouped.max()).to_numpy()
    keep = attempt == counted[item_codes]

    # option id -> slot within its question
    opt_codes, opt_labels = _codes(selections["option"])
    slot_of = np.full((nq, len(opt_labels) + 1), -1, dtype=np.int64)
    where = {label: i for i, label in enumerate(opt_labels)}
    for q, ids in enumerate(arrays.option_ids):
        for s, oid in enumerate(ids):
            if oid in where:
                slot_of[q, where[oid]] = s
    slot = slot_of[qi, opt_codes]  # opt_codes == -1 (no option) reads the spare last column: -1
    if ((slot < 0) & (opt_codes >= 0) & keep).any():
        raise KeyError("the selections name an option that its question does not have")
    use = keep & (slot >= 0)
    values = np.full((len(item_keys), width), np.nan)
    values[item_codes[use], slot[use]] = selections["value"].to_numpy(dtype=float)[use]

    iq = (item_keys % nq).astype(np.int64)
    kind = arrays.kind[iq]
    chosen = ~np.isnan(values)
    answered = chosen.any(axis=1)
    score = np.zeros(len(item_keys))
    breached = np.zeros(len(item_keys), dtype=np.int64)

    def breach(rows: np.ndarray, triggered: np.ndarray) -> None:
        bits = np.where(triggered, arrays.breach_bits[iq[rows]], 0)
        breached[rows] = np.bitwise_or.reduce(bits, axis=1) if bits.shape[1] else 0

    # each kind is scored on its own rows only
    rows = np.flatnonzero(kind == 0)
    q, c = iq[rows], chosen[rows]
    score[rows] = (arrays.credit[q] * c).sum(axis=1)
    breach(rows, c)
    rows = np.flatnonzero(kind == 1)
    q, c = iq[rows], chosen[rows]
    right = arrays.correct[q]
    n_wrong = arrays.n_options[q] - arrays.n_correct[q]
    score[rows] = np.maximum(0.0, (c & right).sum(axis=1) / np.maximum(arrays.n_correct[q], 1)
                             - (c & ~right).sum(axis=1) / np.maximum(n_wrong, 1))
    breach(rows, c)
    rows = np.flatnonzero(kind == 2)
    q, v = iq[rows], values[rows]
    valid = np.arange(width)[None, :] < arrays.n_options[q][:, None]
    diff = np.where(np.isnan(v), 3.0, np.abs(v - arrays.rate_key[q]))
    score[rows] = 1 - np.where(valid, diff, 0.0).sum(axis=1) / (3 * arrays.n_options[q])
    with np.errstate(invalid="ignore"):
        breach(rows, v >= 3)
    rows = np.flatnonzero(kind == 3)
    q = iq[rows]
    key_slot = arrays.key_slot[q]
    placed = values[rows[:, None], np.maximum(key_slot, 0)]
    placed[key_slot < 0] = np.nan
    agree = np.zeros(len(rows))
    for i in range(width):
        for j in range(i + 1, width):
            agree += placed[:, i] < placed[:, j]  # NaN compares False: a missing step never agrees
    n = arrays.n_options[q]
    pairs = np.maximum(n * (n - 1) / 2, 1)
    score[rows] = np.maximum(0.0, (2 * agree - pairs) / pairs)  # Kendall's tau, clipped at 0
    breached = np.where(answered, breached, 0)
    return pd.DataFrame({
        "learner": pd.Categorical.from_codes(item_keys // nq, categories=learners),
        "question": pd.Categorical.from_codes(iq, categories=arrays.qids),
        "score": np.where(answered, score, 0.0),
        "critical": breached != 0,
        "unanswered": ~answered,
        "breached": breached,
    })


def _levels(score: np.ndarray) -> np.ndarray:
    out = np.select([score >= low - EPSILON for _, low in LEVELS], [name for name, _ in LEVELS],
                    default=LEVELS[-1][0]).astype(object)
    out[np.isnan(score)] = None
    return out


def grade_cohort(selections: pd.DataFrame, questions: dict[str, Question],
                 catalog: Catalog | None = None, which: str = "latest") -> dict[str, pd.DataFrame]:
    """Grade every learner on their latest (or, with which="first", first) attempts.

    Returns frames `items`, `provisions`, `domains` and `learners` (completion)."""
    catalog = catalog or load_catalog()
    arrays = bank_arrays(questions, catalog)
    items = score_items(selections, arrays, which)
    learners = list(items["learner"].cat.categories)
    nl, npv = len(learners), len(catalog.ids)

    # provision sums over answered items, by learner: a dense learners x provisions table
    ok = ~items["unanswered"].to_numpy()
    lc = items["learner"].cat.codes.to_numpy().astype(np.int64)[ok]
    qc = items["question"].cat.codes.to_numpy().astype(np.int64)[ok]
    q_of, p_of = np.nonzero(arrays.assesses)
    starts = np.searchsorted(q_of, np.arange(len(arrays.qids)))
    counts = np.bincount(q_of, minlength=len(arrays.qids))
    reps = counts[qc]
    rows = np.repeat(np.arange(len(qc)), reps)
    within = np.arange(rows.size) - np.repeat(np.cumsum(reps) - reps, reps)
    prov = p_of[starts[qc[rows]] + within]
    cell = lc[rows] * npv + prov
    total = np.bincount(cell, weights=items["score"].to_numpy()[ok][rows], minlength=nl * npv).reshape(nl, npv)
    answered = np.bincount(cell, minlength=nl * npv).reshape(nl, npv)
    # a critical error caps only the provisions its violation breaches: OR the items' bit masks per learner
    bits = items["breached"].to_numpy()[ok]
    learner_bits = np.zeros(nl, dtype=np.int64)
    np.bitwise_or.at(learner_bits, lc, bits)
    crit = ((learner_bits[:, None] >> np.arange(npv, dtype=np.int64)[None, :]) & 1).astype(bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        pscore = np.where(answered > 0, total / answered, np.nan)

    scope = arrays.assesses.any(axis=0)
    plevel = _levels(pscore)
    plevel[crit] = "Beginning"
    domain_ids = [d.id for d in catalog.domains]
    member = np.zeros((npv, len(domain_ids)))
    for p, pv in enumerate(catalog.provisions):
        member[p, domain_ids.index(pv.domain)] = 1.0 if scope[p] else 0.0
    attempted = ~np.isnan(pscore)
    with np.errstate(invalid="ignore", divide="ignore"):
        dscore = np.nan_to_num(pscore) @ member / (attempted @ member)
    dscope = member.sum(axis=0) > 0
    dlevel = _levels(dscore)
    complete = (attempted[:, scope].all(axis=1) & ~crit[:, scope].any(axis=1)
                & np.isin(dlevel[:, dscope], PASSING).all(axis=1) & bool(scope.any()))

    pcols = np.flatnonzero(scope)
    dcols = np.flatnonzero(dscope)
    pids = [catalog.ids[p] for p in pcols]
    provisions = pd.DataFrame({
        "learner": np.repeat(learners, len(pcols)),
        "provision": np.tile(pids, nl),
        "score": pscore[:, pcols].ravel(),
        "critical": crit[:, pcols].ravel(),
        "answered": answered[:, pcols].ravel(),
        "level": plevel[:, pcols].ravel(),
        "domain": np.tile([catalog.provision(p).domain for p in pids], nl),
    })
    domains = pd.DataFrame({
        "learner": np.repeat(learners, len(dcols)),
        "domain": np.tile([domain_ids[d] for d in dcols], nl),
        "score": dscore[:, dcols].ravel(),
        "level": dlevel[:, dcols].ravel(),
    })
    return {"items": items, "provisions": provisions, "domains": domains,
            "learners": pd.DataFrame({"learner": learners, "complete": complete})}


def selections_frame(attempts_by_learner: dict[str, list[Attempt]]) -> pd.DataFrame:
    """Build the long selections frame from checked attempts (one row per chosen option)."""
    rows = []
    for learner, attempts in attempts_by_learner.items():
        for rank, a in enumerate(sorted(attempts, key=lambda a: (a.at, a.seq))):
            ans = a.answer
            if ans is None or len(ans) == 0:
                rows.append((learner, a.question, rank, None, np.nan))
            elif isinstance(ans, str):
                rows.append((learner, a.question, rank, ans, 1.0))
            elif isinstance(ans, dict):
                rows += [(learner, a.question, rank, oid, float(r)) for oid, r in ans.items()]
            else:  # multi or order: the position in the list (any value marks a multi option as chosen)
                rows += [(learner, a.question, rank, oid, float(i)) for i, oid in enumerate(ans)]
    frame = pd.DataFrame(rows, columns=["learner", "question", "attempt", "option", "value"])
    for col in ("learner", "question", "option"):
        frame[col] = frame[col].astype("category")
    return frame
