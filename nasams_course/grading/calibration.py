"""Certainty-based marking (CBM) and self-ratings: how well a learner's confidence fits their scores.

Pure functions, no I/O. Certainty never changes an item score, a provision, a domain, a level or completion: these
figures are reported beside the profile. The browser computes the same (nasams-profile.js); the golden profiles in
tests/golden/profiles.json hold both to the same results.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from nasams_course.grading.words import WORDS, message_key, say

#: certainty 1, 2, 3 as stated before Submit
CERTAINTY_LABELS: dict[int, str] = {1: "low", 2: "medium", 3: "high"}
#: CBM mark of an item score s at certainty c: s * R[c] + (1 - s) * W[c] (Gardner-Medwin's scheme)
R: dict[int, int] = {1: 1, 2: 2, 3: 3}
W: dict[int, int] = {1: 0, 2: -2, 3: -6}
#: where a certainty stops paying: below LOW_PAYS right, low certainty scores best; above HIGH_PAYS, high certainty
LOW_PAYS = 0.67
HIGH_PAYS = 0.8
#: an item score below this counts as "wrong" in the messages
HALF = 0.5

#: the self-rating scale ("How ready are you to apply these provisions?")
SELF_RATING_LABELS: dict[int, str] = {1: "Not yet ready", 2: "Partly ready", 3: "Ready", 4: "Could teach it"}
STAGES = ("before", "after")
#: measured levels on the self-rating scale, to compare the two
LEVEL_INDEX: dict[str, int] = {"Beginning": 1, "Developing": 2, "Proficient": 3, "Mastery": 4}
#: a self-rating this many steps or more away from the measured level is flagged
GAP = 2
GAP_FLAGS: dict[str, str] = {"over": WORDS["gap-over"], "under": WORDS["gap-under"]}


@dataclass(frozen=True)
class SelfRating:
    """One "how ready are you?" answer for one provision, before or after its chapter. Later `at` wins; on equal
    `at`, later `seq` wins."""

    provision: str
    stage: str
    rating: int
    at: float = 0.0
    seq: int = 0


@dataclass(frozen=True)
class CalibrationLevel:
    """The counted answers given at one certainty."""

    certainty: int
    label: str
    answers: int
    mean_score: float | None
    below_half: int
    fit: str | None  # "ok", "over" (more certain than the scores justify), "under", or None without answers


@dataclass(frozen=True)
class Calibration:
    answers: int
    cbm: float | None
    levels: tuple[CalibrationLevel, ...]

    def to_json(self) -> dict:
        return {"answers": self.answers, "cbm": self.cbm,
                "levels": [{"certainty": lv.certainty, "label": lv.label, "answers": lv.answers,
                            "mean_score": lv.mean_score, "below_half": lv.below_half, "fit": lv.fit}
                           for lv in self.levels]}


@dataclass(frozen=True)
class SelfRatingRow:
    """A provision's latest self-ratings beside its measured level."""

    provision: str
    before: int | None
    after: int | None
    level: str | None
    gap: str | None  # "over", "under" or None

    def to_json(self) -> dict:
        return {"provision": self.provision, "before": self.before, "after": self.after, "level": self.level,
                "gap": self.gap}


def _mean(values: list[float]) -> float:
    total = 0.0
    for v in values:
        total += v
    return total / len(values)


def cbm_mark(score: float, certainty: int) -> float:
    """The CBM mark of an item score at a certainty: 1 to -6 at high, 2 to -2 at medium, 1 to 0 at low."""
    return score * R[certainty] + (1 - score) * W[certainty]


def fit(certainty: int, mean_score: float | None) -> str | None:
    """Whether a level's mean score fits its certainty (thresholds after Gardner-Medwin)."""
    if mean_score is None:
        return None
    if certainty == 1:
        return "ok" if mean_score < LOW_PAYS else "under"
    if certainty == 2:
        return "over" if mean_score < LOW_PAYS else "under" if mean_score > HIGH_PAYS else "ok"
    return "ok" if mean_score > HIGH_PAYS else "over"


def calibrate(counted: Iterable[tuple[float, int | None]]) -> Calibration:
    """Calibration from (item score, certainty) pairs: each question's first attempt in order of first appearance
    (see `grade`); pairs without a certainty are left out."""
    stated = [(s, c) for s, c in counted if c is not None]
    levels = []
    for c, label in CERTAINTY_LABELS.items():
        scores = [s for s, cc in stated if cc == c]
        m = _mean(scores) if scores else None
        levels.append(CalibrationLevel(c, label, len(scores), m, sum(1 for s in scores if s < HALF), fit(c, m)))
    cbm = _mean([cbm_mark(s, c) for s, c in stated]) if stated else None
    return Calibration(len(stated), cbm, tuple(levels))


EMPTY_CALIBRATION = calibrate(())


def latest_ratings(ratings: Iterable[SelfRating]) -> dict[tuple[str, str], SelfRating]:
    """The latest rating of each (provision, stage), by (at, seq); on a full tie the later in the list."""
    best: dict[tuple[str, str], SelfRating] = {}
    for r in ratings:
        cur = best.get((r.provision, r.stage))
        if cur is None or (r.at, r.seq) >= (cur.at, cur.seq):
            best[(r.provision, r.stage)] = r
    return best


def gap(self_rating: int | None, level: str | None) -> str | None:
    """"over" or "under" when a self-rating is GAP or more steps from the measured level, else None."""
    if self_rating is None or level is None:
        return None
    d = self_rating - LEVEL_INDEX[level]
    return "over" if d >= GAP else "under" if d <= -GAP else None


def self_rating_rows(levels: dict[str, str | None], ratings: Iterable[SelfRating]) -> tuple[SelfRatingRow, ...]:
    """One row per provision of `levels` (the provisions in scope, in catalog order, with their measured level)
    that has a rating; ratings of other provisions are ignored. The self-rating compared is `after`, else
    `before`."""
    best = latest_ratings(ratings)
    rows = []
    for pid, level in levels.items():
        before, after = best.get((pid, "before")), best.get((pid, "after"))
        if before is None and after is None:
            continue
        b = None if before is None else before.rating
        a = None if after is None else after.rating
        rows.append(SelfRatingRow(pid, b, a, level, gap(a if a is not None else b, level)))
    return tuple(rows)


# -- words: the same in the CLI text, SESSION.progress() and the browser's progress page ------------------------

def percent(score: float) -> int:
    """A score as a whole percent, rounded half up (as the book shows scores)."""
    return int(score * 100 + 0.5 + 1e-9)


def score_text(score: float | None) -> str:
    """A score for people: a whole percent, or a dash when there is none."""
    return "–" if score is None else f"{percent(score)}%"


def level_message(level: CalibrationLevel) -> str | None:
    """The plain message for one certainty level (None without answers)."""
    if level.fit is None or level.mean_score is None:
        return None
    return say(message_key(level.certainty, level.fit, level.below_half), below=level.below_half,
               answers=level.answers, p=percent(level.mean_score), label=level.label)
