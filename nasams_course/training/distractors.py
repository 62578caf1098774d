"""Distractor analysis of first attempts, for every kind of question: who chose each option of a single or multi
question, by thirds of the cohort (by first-attempt total); how each option of a rate question was rated against its
key; where each step of an order question was placed. Shares are percentages of the learners who answered the
question (in that third)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nasams_course.content.models import Question

THIRDS = ("lower", "middle", "upper")


def option_key(q: Question, oid: str) -> str:
    """An option's key in words."""
    o = q.option(oid)
    if q.kind == "single":
        key = {1: "best answer", 0.5: "partly right"}.get(o.credit, "not the best answer")
    elif q.kind == "multi":
        key = "correct" if o.correct else "incorrect"
    elif q.kind == "rate":
        key = f"rated {o.key}"
    else:
        key = f"step {q.key.index(oid) + 1}"
    breached = q.breaches(oid) if q.kind != "order" else ()
    return key + (f"; violation of {', '.join(breached)}" if breached else "")


def _coded(first: pd.DataFrame, questions: dict[str, Question], kinds: tuple[str, ...]) -> pd.DataFrame:
    """The first-attempt selections of the questions of some kinds, as small columns: learner (the learner key),
    question and option (ids, categorical), value."""
    qcat = first["question"].cat.categories
    wanted = [i for i, qid in enumerate(qcat) if qid in questions and questions[qid].kind in kinds]
    mask = np.isin(first["question"].cat.codes.to_numpy(), wanted) & (first["option"].cat.codes.to_numpy() >= 0)
    sub = first[mask]
    return sub[["learner", "question", "option", "value"]].reset_index(drop=True)


def _count(frame: pd.DataFrame, by: list[str]) -> dict:
    return frame.groupby(by, observed=True, sort=False).size().to_dict()


def choice_shares(first: pd.DataFrame, questions: dict[str, Question], third: pd.Series) -> pd.DataFrame:
    """Single and multi questions: per option, the share of learners choosing it, overall and by third."""
    sel = _coded(first, questions, ("single", "multi"))
    sel["third"] = sel["learner"].map(third)
    base = _count(sel.drop_duplicates(["learner", "question"]), ["question", "third"])
    counts = _count(sel, ["question", "option", "third"])
    rows = []
    for qid, q in questions.items():
        n = {t: base.get((qid, t), 0) for t in THIRDS}
        if q.kind not in ("single", "multi") or not sum(n.values()):
            continue
        for oid in q.option_ids:
            c = {t: counts.get((qid, oid, t), 0) for t in THIRDS}
            row = {"question": qid, "kind": q.kind, "option": oid, "key": option_key(q, oid),
                   "all": 100 * sum(c.values()) / sum(n.values())}
            row.update({t: (100 * c[t] / n[t]) if n[t] else None for t in THIRDS})
            rows.append(row)
    return pd.DataFrame(rows, columns=["question", "kind", "option", "key", "all", *THIRDS])


def rating_shares(first: pd.DataFrame, questions: dict[str, Question]) -> pd.DataFrame:
    """Rate questions: per option, its key, the share rating it 1, 2, 3 and 4, and the mean distance from the key."""
    sel = _coded(first, questions, ("rate",))
    n = _count(sel.drop_duplicates(["learner", "question"]), ["question"])
    counts = _count(sel, ["question", "option", "value"])
    rows = []
    for qid, q in questions.items():
        if q.kind != "rate" or not n.get(qid):
            continue
        for o in q.options:
            row = {"question": qid, "option": o.id, "key": option_key(q, o.id)}
            shares = {r: counts.get((qid, o.id, float(r)), 0) for r in (1, 2, 3, 4)}
            for r in (1, 2, 3, 4):
                row[f"rated {r}"] = 100 * shares[r] / n[qid]
            rated = sum(shares.values())
            row["mean distance"] = (sum(abs(r - o.key) * k for r, k in shares.items()) / rated) if rated else None
            rows.append(row)
    return pd.DataFrame(rows, columns=["question", "option", "key", *(f"rated {r}" for r in (1, 2, 3, 4)),
                                       "mean distance"])


def position_shares(first: pd.DataFrame, questions: dict[str, Question]) -> pd.DataFrame:
    """Order questions: per step, its keyed position and the share placing it at each position."""
    width = max((len(q.options) for q in questions.values() if q.kind == "order"), default=0)
    sel = _coded(first, questions, ("order",))
    n = _count(sel.drop_duplicates(["learner", "question"]), ["question"])
    counts = _count(sel, ["question", "option", "value"])
    rows = []
    for qid, q in questions.items():
        if q.kind != "order" or not n.get(qid):
            continue
        for o in q.options:
            row = {"question": qid, "option": o.id, "key": option_key(q, o.id)}
            for k in range(width):
                row[f"position {k + 1}"] = (100 * counts.get((qid, o.id, float(k)), 0) / n[qid]
                                            if k < len(q.options) else None)
            rows.append(row)
    return pd.DataFrame(rows, columns=["question", "option", "key", *(f"position {k + 1}" for k in range(width))])
