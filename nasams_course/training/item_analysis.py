"""Item analysis of a cohort's FIRST attempts, with Moodle's quiz-statistics definitions: pure statistics on a
learners x items matrix of first-attempt scores (0 to 1; a question a learner left unanswered scores 0, as Moodle
scores a question left blank in a submitted quiz). Every figure is a percentage, as Moodle shows them; a figure that
is not defined (no spread: every learner scored the same) is None, never NaN.

Notation: x_i the item score, X the total, R_i = X - x_i the rest of the test; variances and covariances divide by
s - 1 (s learners). Per item: facility 100 mean(x_i); SD 100 sd(x_i); discrimination index
100 Cov(x_i, R_i) / sqrt(Var x_i Var R_i) (the item's correlation with the rest of the test); discriminative
efficiency 100 Cov(x_i, R_i) / Cov_max, Cov_max the covariance of x_i and R_i each sorted (the largest the scores
allow). Per test (p items): Cronbach's alpha 100 p/(p-1) (1 - sum Var x_i / Var X) (KR-20 when every item scores 0
or 1), error ratio 100 sqrt(1 - alpha/100), standard error ER/100 x SD of the totals (as a percentage of the
test's maximum)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: below this many learners the statistics are not shown (a correlation over a handful of learners means nothing)
MIN_LEARNERS = 10
#: the review thresholds, in percent
FACILITY_LOW, FACILITY_HIGH, DISCRIMINATION_LOW = 20.0, 95.0, 20.0

#: each statistic in one sentence, as the report explains it
DEFINITIONS = {
    "facility": "Facility index: the average first-attempt score on the question, as a percentage of its marks "
                "(high is easy, low is hard).",
    "sd": "Standard deviation: how much the learners' first-attempt scores on the question differ from one another, "
          "as a percentage of its marks.",
    "discrimination": "Discrimination index: the correlation between the question's score and the score on the rest "
                      "of the test (100% when the stronger learners always do better on it; negative when the "
                      "weaker ones do).",
    "efficiency": "Discriminative efficiency: the discrimination index as a share of the largest that the spread of "
                  "the question's scores allows.",
    "alpha": "Cronbach's alpha (KR-20 for questions scored right or wrong): how consistently the questions measure "
             "the same thing; above 75% is satisfactory, below 64% the test as a whole is not.",
    "error_ratio": "Error ratio: the share of the spread of total scores that is random error, the square root of "
                   "100% minus alpha.",
    "standard_error": "Standard error: how far, in percentage points, a learner's total score could be from their true "
                      "score by chance (the error ratio times the spread of total scores).",
}


@dataclass(frozen=True)
class QuizStatistics:
    """The test as a whole: learners, items, mean and SD of the total (percent of the maximum), alpha, error ratio
    (percent) and standard error (percentage points); None when not defined."""

    learners: int
    items: int
    mean: float | None
    sd: float | None
    alpha: float | None
    error_ratio: float | None
    standard_error: float | None


def _defined(values: np.ndarray, ok: np.ndarray) -> list[float | None]:
    return [float(v) if good else None for v, good in zip(values, ok, strict=True)]


def item_statistics(scores: pd.DataFrame) -> pd.DataFrame:
    """Per item (a column of `scores`, learners x items, no missing value): facility, sd, discrimination, efficiency,
    in percent (None when not defined)."""
    x = scores.to_numpy(dtype=float)
    s = x.shape[0]
    rest = x.sum(axis=1, keepdims=True) - x
    var = x.var(axis=0, ddof=1) if s > 1 else np.zeros(x.shape[1])
    rest_var = rest.var(axis=0, ddof=1) if s > 1 else np.zeros(x.shape[1])
    centred_x, centred_rest = x - x.mean(axis=0), rest - rest.mean(axis=0)
    cov = (centred_x * centred_rest).sum(axis=0) / max(s - 1, 1)
    cov_max = (np.sort(centred_x, axis=0) * np.sort(centred_rest, axis=0)).sum(axis=0) / max(s - 1, 1)
    spread = (var > 1e-12) & (rest_var > 1e-12)
    with np.errstate(invalid="ignore", divide="ignore"):
        discrimination = 100 * cov / np.sqrt(var * rest_var)
        efficiency = 100 * cov / cov_max
    return pd.DataFrame({
        "question": list(scores.columns),
        "facility": 100 * x.mean(axis=0),
        "sd": 100 * np.sqrt(var),
        "discrimination": _defined(discrimination, spread),
        "efficiency": _defined(efficiency, spread & (cov_max > 1e-12)),
    })


def quiz_statistics(scores: pd.DataFrame) -> QuizStatistics:
    """The test's figures over `scores` (learners x items)."""
    x = scores.to_numpy(dtype=float)
    s, p = x.shape
    if s < 2 or p == 0:
        return QuizStatistics(s, p, float(100 * x.mean()) if x.size else None, None, None, None, None)
    total = x.sum(axis=1)
    total_var = total.var(ddof=1)
    sd = 100 * np.sqrt(total_var) / p
    if p < 2 or total_var <= 1e-12:
        return QuizStatistics(s, p, float(100 * total.mean() / p), float(sd), None, None, None)
    alpha = 100 * p / (p - 1) * (1 - x.var(axis=0, ddof=1).sum() / total_var)
    error_ratio = 100 * np.sqrt(1 - alpha / 100)
    return QuizStatistics(s, p, float(100 * total.mean() / p), float(sd), float(alpha), float(error_ratio),
                          float(error_ratio / 100 * sd))


#: below this share of the learners answering a question, its figures are flagged (the others count 0)
ANSWERED_LOW = 0.8


def review_reasons(row: pd.Series, learners: int | None = None) -> list[str]:
    """Why an item needs review, in plain words (none: it is fine). With `learners` and the row's `answered`, a
    question that fewer than ANSWERED_LOW of them answered says so first."""
    reasons = []
    if learners and "answered" in row and row["answered"] < ANSWERED_LOW * learners:
        reasons.append(f"answered by only {int(row['answered'])} of {learners} learners: the others count 0, so its "
                       "figures mix not answering with not knowing")
    if row["facility"] < FACILITY_LOW:
        reasons.append(f"very hard: facility {row['facility']:.0f}%, below {FACILITY_LOW:.0f}% (check the key and "
                       "the wording)")
    elif row["facility"] > FACILITY_HIGH:
        reasons.append(f"very easy: facility {row['facility']:.0f}%, above {FACILITY_HIGH:.0f}% (it tells learners "
                       "apart little)")
    d = row["discrimination"]
    if d is None or pd.isna(d):
        reasons.append("every learner scored the same on it, so it cannot tell stronger from weaker learners")
    elif d < 0:
        reasons.append(f"negative discrimination ({d:.0f}%): learners who do worse on the rest of the test do better "
                       "on this question (check the key)")
    elif d < DISCRIMINATION_LOW:
        reasons.append(f"weak discrimination ({d:.0f}%, below {DISCRIMINATION_LOW:.0f}%): it tells stronger from "
                       "weaker learners apart little")
    return reasons


def thirds(total: pd.Series) -> pd.Series:
    """Each learner's third of the cohort by total score: 'lower', 'middle' or 'upper' (equal sizes as far as they
    go; equal totals are split in the learners' order)."""
    rank = total.rank(method="first").to_numpy() - 1
    group = np.minimum((3 * rank // max(len(total), 1)).astype(int), 2)
    return pd.Series(np.array(["lower", "middle", "upper"])[group], index=total.index)
