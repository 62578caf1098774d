"""Grading a cohort at once, vectorized with numpy and pandas (no Python loop per response or per learner).

Input is a long "selections" frame, one row per chosen option of an attempt:

    learner, question, attempt, option, value

`attempt` orders a learner's attempts at a question (higher = later; the highest counts, or with
`which="first"` the lowest).
`option` is an option id, or missing for an empty attempt. `value` is 1 for a chosen option (single, multi),
the rating 1-4 (rate), or the 0-based position (order). Categorical columns are used as they are; other
columns are converted. The result equals `nasams_course.grading.grade` applied to each learner.

`cohort_reports` grades from an `AttemptTable` (one row per attempt, the answer as a row of option values) and
gives each learner's whole report as `Report.to_json` writes it, every float the same as `grade`'s: each attempt is
scored once, and sums are added in the order `grade` adds them (`grade --json` prints these).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import orjson
import pandas as pd

from nasams_course.catalog import Catalog, load_catalog
from nasams_course.content.models import Question
from nasams_course.grading.calibration import CERTAINTY_LABELS, HALF, R, W, fit, gap
from nasams_course.grading.levels import EPSILON, LEVELS, PASSING
from nasams_course.grading.profile import Attempt, grade

KIND_CODES = {"single": 0, "multi": 1, "rate": 2, "order": 3}
#: the certainty-based marks R and W as arrays indexed by certainty (index 0 unused)
_R = np.array([0, *R.values()])
_W = np.array([0, *W.values()])


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
    n_key: np.ndarray  # the number of keyed steps of an order question (0 for the other kinds)


def bank_arrays(questions: dict[str, Question], catalog: Catalog) -> BankArrays:
    """Precompute the dense key arrays of a bank."""
    qids = list(questions)
    width = max((len(q.options) for q in questions.values()), default=0)
    shape = (len(qids), width)
    credit, rate_key = np.zeros(shape), np.zeros(shape)
    correct = np.zeros(shape, dtype=bool)
    breach_bits = np.zeros(shape, dtype=np.int64)
    if len(catalog.ids) > 63:
        raise ValueError("breach bit masks hold at most 63 provisions")
    key_slot = np.full(shape, -1, dtype=np.int64)
    n_key = np.zeros(len(qids), dtype=np.int64)
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
            n_key[qi] = len(q.key)
        assesses[qi, [position[p] for p in q.provisions]] = True
    return BankArrays(qids, kind, n_options, credit, correct, rate_key, breach_bits, key_slot,
                      correct.sum(axis=1), [q.option_ids for q in questions.values()], assesses, n_key)


def _codes(column: pd.Series, categories: list[str] | None = None) -> tuple[np.ndarray, list[str]]:
    """Integer codes and their labels for a column (categorical columns cost nothing)."""
    cat = column if isinstance(column.dtype, pd.CategoricalDtype) else column.astype("category")
    if categories is not None:
        cat = cat.cat.set_categories(categories)
    return cat.cat.codes.to_numpy().astype(np.int64), list(cat.cat.categories)


def score_values(values: np.ndarray, iq: np.ndarray, arrays: BankArrays) -> tuple[np.ndarray, ...]:
    """Score answers given as a dense matrix: row r answers question iq[r]; values[r, s] is what option slot s holds
    (NaN: not chosen; 1 chosen, the rating 1-4, or the 0-based position). The same rules as `items.score_item`,
    computed in the same order of operations, so every score is the same float.

    Returns (score, answered, violations, breached): `violations` is a bit mask over option slots (the options whose
    choice made the answer a critical error), `breached` a bit mask over the catalog's provisions."""
    width = values.shape[1]
    kind = arrays.kind[iq]
    chosen = ~np.isnan(values)
    answered = chosen.any(axis=1)
    score = np.zeros(len(iq))
    triggered = np.zeros(values.shape, dtype=bool)

    rows = np.flatnonzero(kind == 0)
    q, c = iq[rows], chosen[rows]
    score[rows] = (arrays.credit[q] * c).sum(axis=1)
    triggered[rows] = c
    rows = np.flatnonzero(kind == 1)
    q, c = iq[rows], chosen[rows]
    right = arrays.correct[q]
    n_wrong = arrays.n_options[q] - arrays.n_correct[q]
    score[rows] = np.maximum(0.0, (c & right).sum(axis=1) / np.maximum(arrays.n_correct[q], 1)
                             - (c & ~right).sum(axis=1) / np.maximum(n_wrong, 1))
    triggered[rows] = c
    rows = np.flatnonzero(kind == 2)
    q, v = iq[rows], values[rows]
    valid = np.arange(width)[None, :] < arrays.n_options[q][:, None]
    diff = np.where(np.isnan(v), 3.0, np.abs(v - arrays.rate_key[q]))
    score[rows] = 1 - np.where(valid, diff, 0.0).sum(axis=1) / (3 * arrays.n_options[q])
    with np.errstate(invalid="ignore"):
        triggered[rows] = v >= 3
    rows = np.flatnonzero(kind == 3)
    key_slot = arrays.key_slot[iq[rows]]
    placed = values[rows[:, None], np.maximum(key_slot, 0)]
    placed[key_slot < 0] = np.nan
    agree = np.zeros(len(rows))
    for i in range(width):
        for j in range(i + 1, width):
            agree += placed[:, i] < placed[:, j]  # NaN compares False: a missing step never agrees
    n = arrays.n_key[iq[rows]]
    pairs = n * (n - 1) // 2
    with np.errstate(invalid="ignore", divide="ignore"):
        tau = np.where(pairs == 0, 1.0, (2 * agree - pairs) / pairs)
    score[rows] = np.maximum(0.0, tau)  # Kendall's tau, clipped at 0

    triggered &= (arrays.breach_bits[iq] != 0) & answered[:, None]
    slot_bits = np.left_shift(1, np.arange(width, dtype=np.int64))
    violations = (triggered * slot_bits).sum(axis=1)
    bits = np.where(triggered, arrays.breach_bits[iq], 0)
    breached = np.bitwise_or.reduce(bits, axis=1) if width else np.zeros(len(iq), dtype=np.int64)
    return np.where(answered, score, 0.0), answered, violations, breached


def _option_slots(arrays: BankArrays, opt_labels: list[str]) -> np.ndarray:
    """slot_of[q, o]: the slot of option label `o` within question `q`'s options, -1 when it has none; one spare
    last column of -1 for "no option" (code -1)."""
    slot_of = np.full((len(arrays.qids), len(opt_labels) + 1), -1, dtype=np.int64)
    where = {label: i for i, label in enumerate(opt_labels)}
    for q, ids in enumerate(arrays.option_ids):
        for s, oid in enumerate(ids):
            if oid in where:
                slot_of[q, where[oid]] = s
    return slot_of


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
    slot = _option_slots(arrays, opt_labels)[qi, opt_codes]  # opt_codes == -1 (no option) reads the spare column
    if ((slot < 0) & (opt_codes >= 0) & keep).any():
        raise KeyError("the selections name an option that its question does not have")
    use = keep & (slot >= 0)
    values = np.full((len(item_keys), width), np.nan)
    values[item_codes[use], slot[use]] = selections["value"].to_numpy(dtype=float)[use]

    iq = (item_keys % nq).astype(np.int64)
    score, answered, _violations, breached = score_values(values, iq, arrays)
    return pd.DataFrame({
        "learner": pd.Categorical.from_codes(item_keys // nq, categories=learners),
        "question": pd.Categorical.from_codes(iq, categories=arrays.qids),
        "score": score,
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


# -- whole reports for many learners at once: the figures of `grade`, as `Report.to_json` writes them -------------

@dataclass(frozen=True)
class AttemptTable:
    """Checked attempts of many learners, one row per attempt, in the order of the learners' files: sorted by
    learner, then by `seq` (the entry's position in its file). `question` indexes `qids`; `values` holds the answer
    as `score_values` reads it; `certainty` is 0 when not stated. With `answer` (a gradebook's attempts), `values`
    holds each distinct answer once, to a question (`answer[i]` is attempt i's row of `values`): each is scored once.
    """

    qids: list[str]
    learner: np.ndarray
    question: np.ndarray
    at: np.ndarray
    seq: np.ndarray
    certainty: np.ndarray
    values: np.ndarray
    answer: np.ndarray | None = None

    def answers(self, rows: np.ndarray) -> np.ndarray:
        """The answers of attempts `rows`, as `score_values` reads them."""
        return self.values[rows] if self.answer is None else self.values[self.answer[rows]]


@dataclass(frozen=True)
class RatingTable:
    """Checked self-ratings of many learners, one row each: `provision` indexes the catalog's ids, `stage` is 0
    (before) or 1 (after)."""

    learner: np.ndarray
    provision: np.ndarray
    stage: np.ndarray
    rating: np.ndarray
    at: np.ndarray
    seq: np.ndarray


def _groups(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Starts and ends of the runs of equal values in sorted `keys`."""
    if not len(keys):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return starts, np.r_[starts[1:], len(keys)]


@dataclass(frozen=True)
class _Items:
    """One row per (learner, question) answered, in key order (learner, then the scope's question order)."""

    learner: np.ndarray
    question: np.ndarray
    appear: np.ndarray  # the row of the question's first appearance in the learner's file
    latest: tuple[np.ndarray, ...]  # score, answered, violations, breached of the latest attempt
    first: tuple[np.ndarray, ...]  # the same for the first attempt
    first_certainty: np.ndarray
    first_row: np.ndarray  # the row of the first attempt in the table's rows


def _items(table: AttemptTable, rows: np.ndarray, learner: np.ndarray, question: np.ndarray,
           arrays: BankArrays) -> _Items:
    """Score every attempt once, then keep each question's latest (greatest at, then seq) and first attempt."""
    scored = _scored(table, rows, question, arrays)
    key = learner * len(arrays.qids) + question
    at, same = table.at[rows], learner[1:] == learner[:-1]
    if (at[1:][same] >= at[:-1][same]).all():  # each file's attempts in time order, as the book writes them
        order = np.argsort(key, kind="stable")  # then (key, at, seq) order is the file's order within each key
    else:
        order = np.lexsort((table.seq[rows], at, key))
    starts, ends = _groups(key[order])
    last, first = order[ends - 1], order[starts]
    appear = np.minimum.reduceat(order, starts) if len(order) else order
    return _Items(learner[first], question[first], appear, tuple(a[last] for a in scored),
                  tuple(a[first] for a in scored), table.certainty[rows][first], rows[first])


def _scored(table: AttemptTable, rows: np.ndarray, question: np.ndarray, arrays: BankArrays) -> tuple[np.ndarray, ...]:
    """`score_values` of the attempts `rows` (at the scope's `question`s): each row, or each distinct answer once."""
    width = arrays.credit.shape[1]
    if table.answer is None:
        return score_values(table.values[rows, :width], question, arrays)
    answer = table.answer[rows]
    first = np.full(len(table.values), -1, dtype=np.int64)
    first[answer[::-1]] = np.arange(len(answer))[::-1]  # an attempt with each answer (of one question)
    used = np.flatnonzero(first >= 0)
    at = np.full(len(table.values), -1, dtype=np.int64)
    at[used] = np.arange(len(used))
    scored = score_values(table.values[used, :width], question[first[used]], arrays)
    return tuple(a[at[answer]] for a in scored)


def _assessed(arrays: BankArrays, question: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each (row, provision) pair where question[row] assesses the provision, row by row, provisions in order: what
    np.nonzero(arrays.assesses[question]) gives, without the rows x provisions matrix."""
    _q_all, p_all = np.nonzero(arrays.assesses)
    per = arrays.assesses.sum(axis=1)
    start = np.cumsum(per) - per
    count = per[question]
    row = np.repeat(np.arange(len(question)), count)
    within = np.arange(len(row)) - np.repeat(np.cumsum(count) - count, count)
    return row, p_all[start[question][row] + within]


def _provision_table(items: _Items, attempt: tuple[np.ndarray, ...], arrays: BankArrays,
                     n: int) -> tuple[np.ndarray, ...]:
    """learners x provisions: the sum of the answered items' scores (added in the scope's question order, as
    `grade` adds them), how many, and whether one of them breaches the provision."""
    score, answered, _violations, breached = attempt
    npv = arrays.assesses.shape[1]
    q_of, p_of = _assessed(arrays, items.question[answered])
    cell = items.learner[answered][q_of] * npv + p_of
    total = np.bincount(cell, weights=score[answered][q_of], minlength=n * npv).reshape(n, npv)
    count = np.bincount(cell, minlength=n * npv).reshape(n, npv)
    hit = (breached[answered][q_of] >> p_of) & 1
    critical = np.bincount(cell, weights=hit, minlength=n * npv).reshape(n, npv) > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan), count, critical


def _ordered_mean(matrix: np.ndarray, columns: list[np.ndarray]) -> np.ndarray:
    """Per row, the mean of the non-NaN values of each group of columns, added column by column in order (the
    order `grade` adds them in, so the floats are the same). NaN where a group has none."""
    out = np.full((matrix.shape[0], len(columns)), np.nan)
    for g, cols in enumerate(columns):
        total, count = np.zeros(matrix.shape[0]), np.zeros(matrix.shape[0], dtype=np.int64)
        for c in cols:
            ok = ~np.isnan(matrix[:, c])
            total += np.where(ok, matrix[:, c], 0.0)
            count += ok
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, g] = np.where(count > 0, total / count, np.nan)
    return out


def _none(values: np.ndarray) -> list:
    """A float array as a list, NaN as None."""
    return [None if v != v else v for v in values.tolist()]


def _latest_ratings(ratings: RatingTable, local: np.ndarray, n: int, npv: int) -> np.ndarray:
    """learners x provisions x (before, after): the latest rating of each (greatest at, then seq), 0 for none."""
    keep = local[ratings.learner] >= 0 if len(ratings.learner) else np.zeros(0, dtype=bool)
    learner = local[ratings.learner[keep]]
    cell = (learner * npv + ratings.provision[keep]) * 2 + ratings.stage[keep]
    order = np.lexsort((ratings.seq[keep], ratings.at[keep], cell))
    _starts, ends = _groups(cell[order])
    out = np.zeros(n * npv * 2, dtype=np.int64)
    out[cell[order][ends - 1]] = ratings.rating[keep][order][ends - 1]
    return out.reshape(n, npv, 2)


@dataclass(frozen=True)
class CohortReports:
    """Learners' reports (see `cohort_reports`): `reports[i]` in the form of `Report.to_json()`, its list of items
    already JSON text (an `orjson.Fragment`, which `orjson.dumps` writes as it is); `answered[i]` and `critical[i]`:
    how many of its items were answered, and how many are critical errors, on the latest attempt."""

    reports: list[dict]
    answered: list[int]
    critical: list[int]


def cohort_reports(table: AttemptTable, ratings: RatingTable, learners: list[int], names: list[str],
                   questions: dict[str, Question], catalog: Catalog | None = None,
                   arrays: BankArrays | None = None) -> CohortReports:
    """The report of each learner in `learners` (ids of the tables' rows) on the scope `questions`, in the form of
    `Report.to_json()` with no problems: the same figures as `grade` on each learner's attempts, floats and all,
    once written by orjson (see CohortReports). Attempts at questions outside the scope are left out. `names[i]` is
    learner `learners[i]`'s name. `arrays`: `bank_arrays(questions, catalog)`, when the caller already holds it."""
    catalog = catalog or load_catalog()
    if not questions:  # nothing in scope: no item, provision or domain
        return CohortReports([grade({}, [], catalog, learner=name).to_json() for name in names], [0] * len(names),
                             [0] * len(names))
    arrays = arrays or bank_arrays(questions, catalog)
    n = len(learners)
    local = np.full(max(int(table.learner.max(initial=-1)), int(ratings.learner.max(initial=-1)),
                        max(learners, default=-1)) + 1, -1, dtype=np.int64)
    local[np.asarray(learners, dtype=np.int64)] = np.arange(n)
    position = {qid: i for i, qid in enumerate(arrays.qids)}
    in_scope = np.array([position.get(qid, -1) for qid in table.qids], dtype=np.int64)
    rows = np.flatnonzero((local[table.learner] >= 0) & (in_scope[table.question] >= 0))
    items = _items(table, rows, local[table.learner[rows]], in_scope[table.question[rows]], arrays)
    profile = _profiles(items, arrays, catalog, n)
    shown = np.lexsort((items.appear, items.learner))  # each learner's items in order of first appearance
    bounds = np.searchsorted(items.learner[shown], np.arange(n + 1)).tolist()
    item_lists = _item_lists(items, shown, bounds, questions, arrays)
    calibration = _calibration_json(items, shown, n)
    rated = _self_rating_json(ratings, local, profile, list(catalog.ids))
    provisions = _provision_json(profile, _reviews(items, questions, arrays, profile.pids, n))
    domains = [[{"id": d, "score": s, "level": lv} for d, s, lv in zip(profile.domain_ids, scores, levels, strict=True)]
               for scores, levels in zip(_none(profile.dscore), profile.dlevel.tolist(), strict=True)]
    reports = [{"learner": name, "items": item_lists[i], "provisions": provisions[i], "domains": domains[i],
                "score": score, "first_score": first, "complete": complete, "problems": [],
                "calibration": calibration[i], "self_ratings": rated[i]}
               for i, (name, score, first, complete) in enumerate(zip(
                   names, _none(profile.score), _none(profile.first_score), profile.complete.tolist(), strict=True))]
    _score, answered, _violations, breached = items.latest
    return CohortReports(reports, np.bincount(items.learner[answered], minlength=n).tolist(),
                         np.bincount(items.learner[breached != 0], minlength=n).tolist())


@dataclass(frozen=True)
class _Profile:
    """learners x provisions (in scope, catalog order) and learners x domains: what `grade` computes from items."""

    pids: list[str]
    pscore: np.ndarray
    first_pscore: np.ndarray
    answered: np.ndarray
    critical: np.ndarray
    plevel: np.ndarray
    domain_ids: list[str]
    dscore: np.ndarray
    dlevel: np.ndarray
    score: np.ndarray
    first_score: np.ndarray
    complete: np.ndarray


def _profiles(items: _Items, arrays: BankArrays, catalog: Catalog, n: int) -> _Profile:
    pscope = np.flatnonzero(arrays.assesses.any(axis=0))
    pids = [catalog.ids[p] for p in pscope]
    pscore, answered, critical = (a[:, pscope] for a in _provision_table(items, items.latest, arrays, n))
    first_pscore = _provision_table(items, items.first, arrays, n)[0][:, pscope]
    plevel = _levels(pscore)
    plevel[critical] = "Beginning"
    domain_ids = [d.id for d in catalog.domains if any(catalog.provision(p).domain == d.id for p in pids)]
    members = [np.array([i for i, p in enumerate(pids) if catalog.provision(p).domain == d]) for d in domain_ids]
    dscore = _ordered_mean(pscore, members)
    dlevel = _levels(dscore)
    everything = [np.arange(len(pids))]
    complete = ((~np.isnan(pscore)).all(axis=1) & ~critical.any(axis=1) & np.isin(dlevel, PASSING).all(axis=1)
                & bool(len(pids)))
    return _Profile(pids, pscore, first_pscore, answered, critical, plevel, domain_ids, dscore, dlevel,
                    _ordered_mean(pscore, everything)[:, 0], _ordered_mean(first_pscore, everything)[:, 0], complete)


def _item_lists(items: _Items, shown: np.ndarray, bounds: list[int], questions: dict[str, Question],
                arrays: BankArrays) -> list[orjson.Fragment]:
    """Each learner's items (`shown[bounds[i]:bounds[i + 1]]`) as `Report.to_json` lists them, written as JSON:
    each distinct item (its question, scores, critical errors) written once."""
    score, answered, violations, _breached = (a[shown] for a in items.latest)
    first_score, _answered, _violations, first_breached = (a[shown] for a in items.first)
    small = ((items.question[shown] << arrays.credit.shape[1] | violations) << 2 | (first_breached != 0) << 1
             | answered)  # the question, its violation options and two flags in one integer
    code, first = _distinct_rows(small, score.view(np.int64), first_score.view(np.int64))
    texts = _objects(list(map(orjson.dumps, _item_json(items, shown[first], questions, arrays))))
    parts = texts[code].tolist()
    return [orjson.Fragment(b"[%b]" % b",".join(parts[start:end]))
            for start, end in pairwise(bounds)]


def _objects(values: list) -> np.ndarray:
    """A list as a one-dimensional array of its objects."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _distinct_rows(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of integer (or boolean) columns of one length: each row's code, the same for the same values, and the
    first row of each code."""
    code = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        values, distinct = pd.factorize(column)
        code, _ = pd.factorize(code * len(distinct) + values)
    return code, np.unique(code, return_index=True)[1]


def _item_json(items: _Items, shown: np.ndarray, questions: dict[str, Question], arrays: BankArrays) -> list[dict]:
    """Every item as `Report.to_json` lists it, in the order `shown`."""
    qids = np.array(arrays.qids, dtype=object)[items.question[shown]].tolist()
    score, answered, violations, breached = (a[shown] for a in items.latest)
    first_score, _answered, _violations, first_breached = (a[shown] for a in items.first)
    breached_of = _breach_lists(items.question[shown], violations, questions, arrays)
    return [{"question": q, "score": s, "critical": c, "unanswered": u, "breached": b, "first_score": fs,
             "first_critical": fc}
            for q, s, c, u, b, fs, fc in zip(qids, score.tolist(), (breached != 0).tolist(), (~answered).tolist(),
                                             breached_of, first_score.tolist(), (first_breached != 0).tolist(),
                                             strict=True)]


def _calibration_json(items: _Items, shown: np.ndarray, n: int) -> list[dict]:
    """Each learner's calibration (see `calibration.calibrate`): each question's first attempt with a stated
    certainty, in order of first appearance, so that the sums are added as `calibrate` adds them."""
    certainty = items.first_certainty[shown]
    stated = certainty > 0
    learner, score, certainty = items.learner[shown][stated], items.first[0][shown][stated], certainty[stated]
    cell = learner * 3 + certainty - 1
    answers = np.bincount(cell, minlength=3 * n).reshape(n, 3)
    total = np.bincount(cell, weights=score, minlength=3 * n).reshape(n, 3)
    below = np.bincount(cell, weights=score < HALF, minlength=3 * n).reshape(n, 3).astype(np.int64)
    marks = score * _R[certainty] + (1 - score) * _W[certainty]  # cbm_mark, element by element
    cbm = np.bincount(learner, weights=marks, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(answers > 0, total / answers, np.nan)
        cbm = np.where(answers.sum(axis=1) > 0, cbm / answers.sum(axis=1), np.nan)
    labels = list(CERTAINTY_LABELS.items())
    return [{"answers": sum(counts), "cbm": mark,
             "levels": [{"certainty": c, "label": label, "answers": k, "mean_score": m, "below_half": b,
                         "fit": fit(c, m)} for (c, label), k, m, b in zip(labels, counts, means, belows, strict=True)]}
            for counts, means, belows, mark in zip(answers.tolist(), (_none(row) for row in mean), below.tolist(),
                                                   _none(cbm), strict=True)]


def _self_rating_json(ratings: RatingTable, local: np.ndarray, profile: _Profile, ids: list[str]) -> list[list[dict]]:
    """Each learner's rows of `calibration.self_rating_rows`: the provisions in scope with a rating, in catalog
    order, the latest before and after beside the measured level."""
    n = len(profile.score)
    scope = np.array([ids.index(p) for p in profile.pids], dtype=np.int64)
    best = _latest_ratings(ratings, local, n, len(ids))[:, scope]
    learner, column = np.nonzero(best.any(axis=2))
    out: list[list[dict]] = [[] for _ in range(n)]
    levels = profile.plevel[learner, column].tolist()
    for i, k, (before, after), level in zip(learner.tolist(), column.tolist(), best[learner, column].tolist(),
                                            levels, strict=True):
        before, after = before or None, after or None
        out[i].append({"provision": profile.pids[k], "before": before, "after": after, "level": level,
                       "gap": gap(after if after is not None else before, level)})
    return out


def _provision_json(profile: _Profile, reviews: list[list]) -> list[list[dict]]:
    """Each learner's provisions as `Report.to_json` lists them (`reviews`: see `_reviews`)."""
    return [[{"id": pid, "score": s, "first_score": f, "level": lv, "critical": c, "answered": a, "review": r}
             for pid, s, f, lv, c, a, r in zip(profile.pids, scores, firsts, levels, critical, answered, review,
                                               strict=True)]
            for scores, firsts, levels, critical, answered, review in zip(
                (_none(row) for row in profile.pscore), (_none(row) for row in profile.first_pscore),
                profile.plevel.tolist(), profile.critical.tolist(), profile.answered.tolist(), reviews, strict=True)]


def _breach_lists(question: np.ndarray, violations: np.ndarray, questions: dict[str, Question],
                  arrays: BankArrays) -> list[list[str]]:
    """Each item's breached provisions, in the order `score_item` lists them (by option, then as the option names
    them), from its question and the bit mask of the violation options chosen."""
    out: list[list[str]] = [[] for _ in range(len(question))]
    cache: dict[tuple[int, int], tuple[str, ...]] = {}
    hit = np.flatnonzero(violations)
    for i, q, mask in zip(hit.tolist(), question[hit].tolist(), violations[hit].tolist(), strict=True):
        if (q, mask) not in cache:
            found: list[str] = []
            for breached in _chosen(questions[arrays.qids[q]], mask):
                found += [p for p in breached if p not in found]
            cache[(q, mask)] = tuple(found)
        out[i] = list(cache[(q, mask)])
    return out


def _chosen(q: Question, mask: int) -> list[tuple[str, ...]]:
    """What each option chosen in the bit mask `mask` breaches, in option order."""
    return [q.breaches(o) for s, o in enumerate(q.option_ids) if mask >> s & 1]


def _reviews(items: _Items, questions: dict[str, Question], arrays: BankArrays, pids: list[str],
             n: int) -> list[list]:
    """Each learner's critical errors to review on each provision (`pids`), as `grade` lists them: by question in
    the scope's order, then by option; each review written as JSON once for each question and choice of options."""
    _score, answered, violations, breached = items.latest
    out = [[()] * len(pids) for _ in range(n)]  # () is written as [], as a list
    hit = np.flatnonzero(answered & (breached != 0))  # items are in (learner, scope question) order
    if not len(hit):
        return out
    column = {pid: k for k, pid in enumerate(pids)}
    question = items.question[hit]
    _distinct, first, which = np.unique(question * (1 << arrays.credit.shape[1]) + violations[hit],
                                        return_index=True, return_inverse=True)
    entries = []  # for each distinct (question, options): (provision column, review) in the order `grade` lists them
    for q, mask in zip(question[first].tolist(), violations[hit][first].tolist(), strict=True):
        q_ = questions[arrays.qids[q]]
        entries.append([(column[pid], orjson.Fragment(orjson.dumps({"question": q_.id, "option": o.id,
                                                                      "rationale": o.rationale})))
                        for s, o in enumerate(q_.options) if mask >> s & 1
                        for pid in dict.fromkeys(q_.breaches(o.id)) if pid in q_.provisions])
    count = np.array([len(e) for e in entries], dtype=np.int64)
    start = np.cumsum(count) - count
    columns = np.array([k for e in entries for k, _ in e], dtype=np.int64)
    texts = _objects([t for e in entries for _, t in e])
    per_hit = count[which.ravel()]
    row = np.repeat(np.arange(len(hit)), per_hit)
    flat = start[which.ravel()][row] + np.arange(len(row)) - np.repeat(np.cumsum(per_hit) - per_hit, per_hit)
    cell = items.learner[hit][row] * len(pids) + columns[flat]
    order = np.argsort(cell, kind="stable")  # by learner and provision; within, as the hits come
    cells, starts = np.unique(cell[order], return_index=True)
    reviews = texts[flat[order]].tolist()
    for c, begin, end in zip(cells.tolist(), starts.tolist(), [*starts[1:].tolist(), len(order)], strict=True):
        out[c // len(pids)][c % len(pids)] = reviews[begin:end]
    return out


# -- the cohort as frames, for the report: the same grading path as `cohort_reports` ------------------------------

def attempt_table(selections: pd.DataFrame, arrays: BankArrays) -> tuple[AttemptTable, list]:
    """A selections frame (see the top of this module) as an AttemptTable over the scope `arrays`, and the learner
    labels its `learner` column indexes. Rows of questions outside the scope are left out; `at` and `seq` are the
    selections' attempt order."""
    learner, labels = _codes(selections["learner"])
    qi, _ = _codes(selections["question"], arrays.qids)
    keep = qi >= 0
    learner, qi = learner[keep], qi[keep]
    attempt = selections["attempt"].to_numpy().astype(np.int64)[keep]
    nq, width = arrays.credit.shape
    rows, n_rows = _attempt_rows(learner * nq + qi, attempt)
    opt_codes, opt_labels = _codes(selections["option"])
    opt_codes = opt_codes[keep]
    slot = _option_slots(arrays, opt_labels)[qi, opt_codes]  # no option (-1) reads the spare last column: -1
    if ((slot < 0) & (opt_codes >= 0)).any():
        raise KeyError("the selections name an option that its question does not have")
    use = slot >= 0
    values = np.full((n_rows, max(width, 1)), np.nan)
    values[rows[use], slot[use]] = selections["value"].to_numpy(dtype=float)[keep][use]
    first = np.zeros(n_rows, dtype=np.int64)
    first[rows[::-1]] = np.arange(len(rows))[::-1]
    row_learner, row_question, row_attempt = learner[first], qi[first], attempt[first]
    order = np.lexsort((row_attempt, row_learner))
    table = AttemptTable(arrays.qids, row_learner[order], row_question[order], row_attempt[order], row_attempt[order],
                         np.zeros(len(order), dtype=np.int64), values[order])
    return table, labels


def _attempt_rows(item: np.ndarray, attempt: np.ndarray) -> tuple[np.ndarray, int]:
    """The attempt each selection belongs to (numbered from 0) and how many attempts: a run of rows with the same item
    and attempt is one attempt (attempts_frame and selections_frame write an attempt's rows together); when an
    attempt's rows are apart, they are brought together by hashing."""
    if not len(item):
        return np.zeros(0, dtype=np.int64), 0
    start = np.r_[True, (item[1:] != item[:-1]) | (attempt[1:] != attempt[:-1])]
    rows = np.cumsum(start) - 1
    first = np.flatnonzero(start)
    order = np.lexsort((attempt[first], item[first]))
    a, i = attempt[first][order], item[first][order]
    if ((a[1:] == a[:-1]) & (i[1:] == i[:-1])).any():  # an attempt in two runs
        rows, keys = pd.factorize(item * (int(attempt.max()) + 1) + attempt)
        return rows.astype(np.int64), len(keys)
    return rows, len(first)


def cohort_frames(table: AttemptTable, labels: list, questions: dict[str, Question],
                  catalog: Catalog | None = None) -> dict[str, dict[str, pd.DataFrame]]:
    """Every learner of `table` (labelled: `labels[i]` is learner i) graded on latest and first attempts in one pass,
    by the internals of `cohort_reports` (each attempt scored once): {"latest": items, provisions, domains, learners
    (completion); "first": items, provisions (score only), and "rows", the table's row of each first attempt}, in the
    shape `grade_cohort` gives them. Attempts at questions outside `questions` are left out."""
    catalog = catalog or load_catalog()
    arrays = bank_arrays(questions, catalog)
    n = len(labels)
    position = {qid: i for i, qid in enumerate(arrays.qids)}
    in_scope = np.array([position.get(qid, -1) for qid in table.qids], dtype=np.int64)
    rows = np.flatnonzero(in_scope[table.question] >= 0) if len(table.question) else np.zeros(0, dtype=np.int64)
    items = _items(table, rows, table.learner[rows], in_scope[table.question[rows]], arrays)
    profile = _profiles(items, arrays, catalog, n)
    domain_of = [catalog.provision(p).domain for p in profile.pids]

    def item_frame(attempt: tuple[np.ndarray, ...]) -> pd.DataFrame:
        score, answered, _violations, breached = attempt
        return pd.DataFrame({
            "learner": pd.Categorical.from_codes(items.learner, categories=labels),
            "question": pd.Categorical.from_codes(items.question, categories=arrays.qids),
            "score": score, "critical": breached != 0, "unanswered": ~answered, "breached": breached})

    def wide(columns: list[str]) -> dict[str, pd.Categorical]:
        """learner and column labels of a learners x columns matrix, raveled (categorical: no string built)."""
        k = len(columns)
        return {"learner": pd.Categorical.from_codes(np.repeat(np.arange(n), k), categories=labels),
                "column": pd.Categorical.from_codes(np.tile(np.arange(k), n), categories=columns)}

    def per_provision(**columns: np.ndarray) -> pd.DataFrame:
        keys = wide(profile.pids)
        return pd.DataFrame({"learner": keys["learner"], "provision": keys["column"],
                             **{k: v.ravel() for k, v in columns.items()}})

    latest_provisions = per_provision(score=profile.pscore, critical=profile.critical, answered=profile.answered,
                                      level=profile.plevel)
    domain_codes, domain_labels = pd.factorize(np.array(domain_of, dtype=object))
    latest_provisions["domain"] = pd.Categorical.from_codes(np.tile(domain_codes, n), categories=list(domain_labels))
    keys = wide(profile.domain_ids)
    domains = pd.DataFrame({"learner": keys["learner"], "domain": keys["column"],
                            "score": profile.dscore.ravel(), "level": profile.dlevel.ravel()})
    return {"latest": {"items": item_frame(items.latest), "provisions": latest_provisions, "domains": domains,
                       "learners": pd.DataFrame({"learner": labels, "complete": profile.complete})},
            "first": {"items": item_frame(items.first), "provisions": per_provision(score=profile.first_pscore),
                      "rows": pd.DataFrame({"row": items.first_row})}}
