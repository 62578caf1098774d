"""A cohort's tables for the report: the cohort read from response files or a gradebook, graded by the vectorized
cohort grader (`grading.cohort.cohort_frames`: one pass for latest and first attempts, on the internals of
`cohort_reports`, which `grade --json` runs: the same results as `grade` gives each learner), then the roster,
provision and domain scores, critical errors, the first-attempt score matrix for item analysis, and the option choices
of first attempts for the distractor analysis.

Only two grading functions are called (`cohort_frames`, `level_for`), so the report follows the grader wherever it
goes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from nasams_course.catalog import Catalog, load_catalog
from nasams_course.content.models import Bank, Question
from nasams_course.grading.cohort import AttemptTable, attempt_table, bank_arrays, cohort_frames, selections_frame
from nasams_course.grading.levels import PASSING, level_for
from nasams_course.responses import ResponseFileError, read_responses
from nasams_course.training.plan import SessionPlan
from nasams_course.training.scored import in_session


@dataclass
class Cohort:
    """What a report is made of: every attempt (the cohort grader's AttemptTable; `keys[i]` is the learner key of its
    learner i), the questions in scope, each learner's name and source file(s), and what was wrong with the input."""

    attempts: AttemptTable
    keys: list
    questions: dict[str, Question]
    learners: pd.DataFrame  # key, learner (name), file (the source file or files), in report order
    title: str
    source: str
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def cohort_from_files(paths: list[Path], bank: Bank, plan: SessionPlan | None,
                      questions: dict[str, Question] | None = None) -> Cohort:
    """Each file one learner (as `grade` grades it): read with the rules of every reader, then kept to the session's
    questions when there is a plan (or to `questions`)."""
    attempts, rows, problems, notes = {}, [], [], []
    for i, path in enumerate(paths):
        try:
            responses = read_responses(path, bank.questions)
        except ResponseFileError as exc:
            problems.append(str(exc))
            continue
        kept, mismatch, said = in_session(path, responses, plan)
        problems += [*responses.problems, *mismatch]
        notes += said
        key = f"{i:06d}"
        attempts[key] = kept
        rows.append((key, responses.learner, str(path)))
    questions = scope_questions(bank, plan) if questions is None else questions
    title = f"Session {plan.id}: {plan.title}" if plan else "The whole course"
    table, keys = attempt_table(selections_frame(attempts), bank_arrays(questions, load_catalog()))
    return Cohort(table, keys, questions, pd.DataFrame(rows, columns=["key", "learner", "file"]),
                  title, f"{len(paths)} response file(s)", problems, notes)


def cohort_from_gradebook(db: Path, session: str | None, bank: Bank, plan: SessionPlan | None) -> Cohort:
    """Every learner of a gradebook (of one session, or all), their attempts merged from all their files."""
    from nasams_course.training.gradebook import attempt_arrays, learner_files

    questions = scope_questions(bank, plan)
    table, keys = attempt_arrays(db, bank.questions, session)
    outside = np.flatnonzero(~np.isin(table.qids, list(questions)))
    notes = []
    if np.isin(table.question, outside).any():  # graded without them: cohort_frames keeps to the scope
        notes.append(f"{int(np.isin(outside, table.question).sum())} question(s) answered outside session "
                     f"{plan.id!r} are not counted")
    files = learner_files(db, session)
    learners = pd.DataFrame({"key": files["learner"], "learner": files["learner"], "file": files["files"]})
    title = f"Session {plan.id}: {plan.title}" if plan else (f"Session {session}" if session else "Every session")
    return Cohort(table, keys, questions, learners, title, f"gradebook {db}", [], notes)


def scope_questions(bank: Bank, plan: SessionPlan | None) -> dict[str, Question]:
    return bank.questions if plan is None else {qid: bank.questions[qid] for qid in plan.questions}


@dataclass
class Graded:
    """The cohort graded on latest attempts (`latest`) and on first attempts (`first`): grade_cohort's frames."""

    cohort: Cohort
    latest: dict[str, pd.DataFrame]
    first: dict[str, pd.DataFrame]
    catalog: Catalog


def grade_report_cohort(cohort: Cohort, catalog: Catalog) -> Graded:
    """One grading pass (the cohort grader's, as `grade --json` runs it) for latest and first attempts."""
    frames = cohort_frames(cohort.attempts, cohort.keys, cohort.questions, catalog)
    return Graded(cohort, frames["latest"], frames["first"], catalog)


def _by_learner(frame: pd.DataFrame, keys: pd.Series, column: str, fill: object) -> pd.Series:
    return frame.set_index("learner")[column].reindex(keys).fillna(fill) if len(frame) else pd.Series(fill, keys)


def provision_matrix(graded: Graded, which: str = "latest", column: str = "score") -> pd.DataFrame:
    """learners (keys, report order) x provisions in scope (catalog order): a column of grade_cohort's provisions
    frame (score: NaN where not attempted)."""
    frame = getattr(graded, which)["provisions"]
    keys = graded.cohort.learners["key"]
    provisions = [p for p in graded.catalog.ids if any(p in q.provisions for q in graded.cohort.questions.values())]
    if frame.empty:
        return pd.DataFrame(np.nan, index=keys, columns=provisions)
    wide = frame.pivot(index="learner", columns="provision", values=column)
    return wide.reindex(index=keys, columns=provisions)


def roster(graded: Graded) -> pd.DataFrame:
    """One row per learner: name, source file, answered / total, first-attempt and final score (the mean of the
    provision scores, as `grade` reports them), level, critical errors (questions whose latest answer is one),
    complete, and why not."""
    learners = graded.cohort.learners
    keys = learners["key"]
    items = graded.latest["items"]
    answered = items[~items["unanswered"]].groupby("learner", observed=False).size()
    critical = items[items["critical"]].groupby("learner", observed=False).size()
    latest = provision_matrix(graded)
    first = provision_matrix(graded, "first")
    crit = provision_matrix(graded, column="critical").fillna(0).astype(bool)
    domains = graded.latest["domains"]
    low = (domains.assign(low=~domains["level"].isin(PASSING)).groupby("learner", observed=False)["low"].sum()
           if len(domains) else pd.Series(dtype=int))
    score = latest.mean(axis=1, skipna=True).to_numpy()
    frame = pd.DataFrame({
        "learner": learners["learner"].to_numpy(),
        "file": learners["file"].to_numpy(),
        "answered": answered.reindex(keys).fillna(0).astype(int).to_numpy(),
        "total": len(graded.cohort.questions),
        "first_score": first.mean(axis=1, skipna=True).to_numpy(),
        "score": score,
        "level": [None if np.isnan(s) else level_for(s) for s in score],
        "critical": critical.reindex(keys).fillna(0).astype(int).to_numpy(),
        "complete": _by_learner(graded.latest["learners"], keys, "complete", False).astype(bool).to_numpy(),
    })
    frame["why_not"] = [
        why_not(bool(done), int(m), int(d), int(c)) for done, m, d, c in
        zip(frame["complete"], latest.isna().sum(axis=1), low.reindex(keys).fillna(len(domain_matrix(graded).columns)),
            crit.sum(axis=1), strict=True)]
    return frame


def why_not(complete: bool, missing: int, low: int, critical: int) -> str:
    """Why a learner is not complete, in words."""
    if complete:
        return ""
    reasons = [f"{missing} provision{'s' * (missing != 1)} not attempted" if missing else "",
               f"{low} domain{'s' * (low != 1)} below Proficient" if low else "",
               f"{critical} provision{'s' * (critical != 1)} with a critical error" if critical else ""]
    return "; ".join(r for r in reasons if r) or "nothing answered"


def domain_matrix(graded: Graded, column: str = "score") -> pd.DataFrame:
    """learners (keys) x the domains of the provisions in scope (catalog order): a column of grade_cohort's domains
    frame (score: NaN where nothing was attempted)."""
    frame = graded.latest["domains"]
    keys = graded.cohort.learners["key"]
    scope = {graded.catalog.provision(p).domain for q in graded.cohort.questions.values() for p in q.provisions}
    order = [d.id for d in graded.catalog.domains if d.id in scope]
    if frame.empty:
        return pd.DataFrame(np.nan, index=keys, columns=order, dtype=object)
    return frame.pivot(index="learner", columns="domain", values=column).reindex(index=keys, columns=order)


LEVEL_ORDER = ["Mastery", "Proficient", "Developing", "Beginning", "not started"]


def domain_levels(graded: Graded) -> pd.DataFrame:
    """Per domain, how many learners are at each level (latest attempts), and 'not started'."""
    levels = domain_matrix(graded, "level").fillna("not started")
    counts = {d: levels[d].value_counts().reindex(LEVEL_ORDER, fill_value=0) for d in levels.columns}
    frame = pd.DataFrame(counts).T.rename_axis("domain").reset_index()
    titles = {d.id: d.title for d in graded.catalog.domains}
    frame.insert(1, "title", frame["domain"].map(titles))
    return frame


def _breached_ids(bits: int, catalog: Catalog) -> str:
    return ", ".join(pid for i, pid in enumerate(catalog.ids) if bits >> i & 1)


def critical_by_learner(graded: Graded) -> pd.DataFrame:
    """Each learner with a critical error on a latest answer: the questions and the provisions breached."""
    items = graded.latest["items"]
    bad = items[items["critical"].to_numpy()]
    lc = bad["learner"].cat.codes.to_numpy()
    learners = list(bad["learner"].cat.categories)
    bits = np.zeros(len(learners), dtype=np.int64)
    np.bitwise_or.at(bits, lc, bad["breached"].to_numpy())
    order = np.argsort(lc, kind="stable")
    qids = np.array(bad["question"].cat.categories, dtype=object)[bad["question"].cat.codes.to_numpy()[order]]
    starts = np.flatnonzero(np.r_[True, lc[order][1:] != lc[order][:-1]]) if len(lc) else np.zeros(0, dtype=int)
    questions = pd.Series([", ".join(group) for group in np.split(qids, starts[1:])] if len(lc) else [],
                          index=lc[order][starts], dtype=object)
    names = graded.cohort.learners.set_index("key")
    keys = [learners[c] for c in questions.index]
    words: dict[int, str] = {}
    return pd.DataFrame({
        "learner": names["learner"].reindex(keys).to_numpy(),
        "file": names["file"].reindex(keys).to_numpy(),
        "critical": np.bincount(lc, minlength=len(learners))[questions.index],
        "questions": questions.to_numpy(),
        "provisions": [words.setdefault(b, _breached_ids(b, graded.catalog)) for b in bits[questions.index].tolist()],
    }, columns=["learner", "file", "critical", "questions", "provisions"])


def critical_by_question(graded: Graded) -> pd.DataFrame:
    """Each question with a critical error: learners with one on the latest answer (and its share of those who
    answered), on the first answer, and the provisions breached."""
    columns = {}
    for which in ("latest", "first"):
        items = getattr(graded, which)["items"]
        ok = ~items["unanswered"].to_numpy()
        qc = items["question"].cat.codes.to_numpy()[ok]
        n = len(items["question"].cat.categories)
        bits = np.zeros(n, dtype=np.int64)
        np.bitwise_or.at(bits, qc, items["breached"].to_numpy()[ok])
        columns.update({f"answered_{which}": np.bincount(qc, minlength=n),
                        f"critical_{which}": np.bincount(qc, weights=items["critical"].to_numpy()[ok], minlength=n),
                        f"bits_{which}": bits})
    frame = pd.DataFrame(columns, index=pd.Index(list(graded.latest["items"]["question"].cat.categories)))
    frame = frame[(frame["critical_latest"] > 0) | (frame["critical_first"] > 0)]
    bits = frame["bits_latest"].astype(np.int64) | frame["bits_first"].astype(np.int64)
    out = pd.DataFrame({
        "question": frame.index.astype(str),
        "critical_latest": frame["critical_latest"].astype(int).to_numpy(),
        "share_latest": (100 * frame["critical_latest"] / frame["answered_latest"].where(frame["answered_latest"] > 0))
        .to_numpy(),
        "critical_first": frame["critical_first"].astype(int).to_numpy(),
        "provisions": [_breached_ids(int(b), graded.catalog) for b in bits],
    })
    order = {qid: i for i, qid in enumerate(graded.cohort.questions)}
    return out.sort_values(["critical_latest", "question"], ascending=[False, True],
                           key=lambda c: c if c.name != "question" else c.map(order)).reset_index(drop=True)


def first_attempt_scores(graded: Graded) -> pd.DataFrame:
    """learners x questions answered by anyone: each learner's first-attempt score, 0 where they left it
    unanswered (Moodle's rule for a question left blank in a submitted quiz)."""
    items = graded.first["items"]
    ok = ~items["unanswered"].to_numpy()
    qc = items["question"].cat.codes.to_numpy()[ok]
    lc = items["learner"].cat.codes.to_numpy()[ok]
    qcats = list(items["question"].cat.categories)  # the scope's questions, in order
    used = np.unique(qc)
    col_of = np.full(len(qcats), -1)
    col_of[used] = np.arange(len(used))
    keys = list(graded.cohort.learners["key"])
    row_of = pd.Index(keys).get_indexer(list(items["learner"].cat.categories))
    rows, cols = row_of[lc], col_of[qc]
    keep = rows >= 0
    matrix = np.zeros((len(keys), len(used)))
    matrix[rows[keep], cols[keep]] = items["score"].to_numpy()[ok][keep]
    return pd.DataFrame(matrix, index=keys, columns=[qcats[i] for i in used])


def first_selections(graded: Graded) -> pd.DataFrame:
    """The selections of each learner's first attempt at each question (a multi, rate or order answer has a row per
    option chosen): learner (key), question, option (categorical), value."""
    table, items = graded.cohort.attempts, graded.first["items"]
    rows = graded.first["rows"]["row"].to_numpy()
    qids = list(items["question"].cat.categories)
    options = [graded.cohort.questions[qid].option_ids for qid in qids]
    labels = list(dict.fromkeys(oid for ids in options for oid in ids))
    code_of = np.full((len(qids), max(map(len, options), default=0) + 1), -1, dtype=np.int64)
    for q, ids in enumerate(options):
        code_of[q, : len(ids)] = [labels.index(oid) for oid in ids]
    values = table.answers(rows)[:, : code_of.shape[1] - 1]
    item, slot = np.nonzero(~np.isnan(values))
    question = items["question"].cat.codes.to_numpy()[item]
    return pd.DataFrame({
        "learner": pd.Categorical.from_codes(items["learner"].cat.codes.to_numpy()[item],
                                             categories=items["learner"].cat.categories),
        "question": pd.Categorical.from_codes(question, categories=qids),
        "option": pd.Categorical.from_codes(code_of[question, slot], categories=labels),
        "value": values[item, slot]})


def items_table(paths: list[Path], questions: dict[str, Question], bank: Bank, problems: list[str]) -> pd.DataFrame:
    """`nasams-course items`: per question of `questions` answered on a first attempt, across the files' learners:
    how many answered, difficulty (the facility index as a fraction) and discrimination (the item-rest correlation),
    both as `item_analysis.item_statistics` defines them for the report, the first-attempt critical-error rate, and
    the option shares of single questions. Unreadable files and skipped entries are added to `problems`."""
    from nasams_course.training.item_analysis import item_statistics

    columns = ["question", "kind", "answered", "difficulty", "discrimination", "critical_rate"]
    cohort = cohort_from_files(paths, bank, None, questions)
    problems += cohort.problems
    if not len(cohort.attempts.learner):
        return pd.DataFrame(columns=columns)
    graded = grade_report_cohort(cohort, load_catalog())
    scores = first_attempt_scores(graded)
    stats = item_statistics(scores).set_index("question")
    items = graded.first["items"]
    answered = items[~items["unanswered"]].astype({"question": str})
    first = first_selections(graded)
    rows = []
    for qid, g in answered.groupby("question", sort=False):
        d = stats.at[qid, "discrimination"]
        row = {"question": qid, "kind": questions[qid].kind, "answered": len(g),
               "difficulty": round(stats.at[qid, "facility"] / 100, 3),
               "discrimination": None if d is None or pd.isna(d) else round(d / 100, 3),
               "critical_rate": round(float(g["critical"].mean()), 3)}
        if questions[qid].kind == "single":
            chosen = first.loc[first["question"] == qid, "option"].astype(str).tolist()
            row["option_shares"] = ", ".join(f"{o.id} {chosen.count(o.id) / len(chosen):.0%}"
                                             for o in questions[qid].options)
        rows.append(row)
    order = {qid: i for i, qid in enumerate(questions)}
    return pd.DataFrame(rows).sort_values("question", key=lambda c: c.map(order)).reset_index(drop=True)
