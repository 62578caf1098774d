"""Test-wise cues across the question bank: can a learner who knows no ethics find the keys?

A well-written bank lets knowledge of the code, not the look of the options, find the answer. These
statistics measure the classic cues (the keyed option is the longest; the best answer sits in one
position) and `check_cues` turns the course's limits on them into validation problems naming the
offending questions. Length is counted in characters of the option text with whitespace collapsed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from nasams_course.content.models import Bank
from nasams_course.content.problems import Problem

#: Limits (shares of questions). A limit is checked only where at least MIN_SAMPLE questions count.
SINGLE_LONGEST_BANK = 0.30
SINGLE_LONGEST_PART = 0.40
LONGEST_STRATEGY_PART = 0.40
MULTI_RATIO = (0.85, 1.15)
RATE_LONGEST_KEYED_4 = 0.35
POSITION_SHARE = 0.40
MIN_SAMPLE = 8
BANK_PATH = "book"


def length(text: str) -> int:
    """Characters of an option's text, whitespace collapsed."""
    return len(" ".join(text.split()))


def _strictly_longest(options) -> object | None:
    """The option strictly longer than every other, or None on a tie."""
    lengths = sorted((length(o.text) for o in options), reverse=True)
    if len(lengths) > 1 and lengths[0] == lengths[1]:
        return None
    return max(options, key=lambda o: length(o.text))


@dataclass
class PartCues:
    """The cue figures for one part (or the whole bank)."""

    single: int = 0
    single_longest: list[str] = field(default_factory=list)  # ids where the credit-1 option is strictly longest
    longest_strategy: float = 0.0  # mean score of "always pick the longest" on single questions
    shortest_strategy: float = 0.0  # the opposite cue, reported (a bank that hides the key as the shortest has one)
    rate: int = 0
    rate_longest_4: list[str] = field(default_factory=list)
    multi_correct_chars: list[int] = field(default_factory=list)
    multi_incorrect_chars: list[int] = field(default_factory=list)
    positions: Counter = field(default_factory=Counter)  # 1-based position of the credit-1 option

    @property
    def single_longest_share(self) -> float:
        return len(self.single_longest) / self.single if self.single else 0.0

    @property
    def rate_longest_4_share(self) -> float:
        return len(self.rate_longest_4) / self.rate if self.rate else 0.0

    @property
    def multi_ratio(self) -> float | None:
        if not self.multi_correct_chars or not self.multi_incorrect_chars:
            return None
        right = sum(self.multi_correct_chars) / len(self.multi_correct_chars)
        wrong = sum(self.multi_incorrect_chars) / len(self.multi_incorrect_chars)
        return right / wrong

    @property
    def top_position(self) -> tuple[int, float]:
        """The position that holds the credit-1 option most often, and its share."""
        if not self.single:
            return 0, 0.0
        pos, n = max(self.positions.items(), key=lambda kv: (kv[1], -kv[0]))
        return pos, n / self.single

    def to_json(self) -> dict:
        return {
            "single_questions": self.single,
            "single_keyed_longest": len(self.single_longest),
            "single_keyed_longest_share": round(self.single_longest_share, 4),
            "longest_strategy_score": round(self.longest_strategy, 4),
            "shortest_strategy_score": round(self.shortest_strategy, 4),
            "single_key_positions": {str(k): v for k, v in sorted(self.positions.items())},
            "rate_questions": self.rate,
            "rate_longest_keyed_4": len(self.rate_longest_4),
            "rate_longest_keyed_4_share": round(self.rate_longest_4_share, 4),
            "multi_length_ratio": None if self.multi_ratio is None else round(self.multi_ratio, 4),
        }


def bank_cues(bank: Bank) -> dict[str, PartCues]:
    """Cue figures for the whole bank (key "bank") and for each part."""
    out: dict[str, PartCues] = {"bank": PartCues()}
    strategy: dict[str, list[float]] = {"bank": []}
    shortest: dict[str, list[float]] = {"bank": []}
    for qid, q in bank.questions.items():
        chapter = bank.chapters.get(bank.chapter_of.get(qid, ""))
        part = chapter.part if chapter else "unknown"
        for name in ("bank", part):
            cues = out.setdefault(name, PartCues())
            scores = strategy.setdefault(name, [])
            low_scores = shortest.setdefault(name, [])
            if q.kind == "single":
                cues.single += 1
                for pick, into in ((max, scores), (min, low_scores)):
                    edge = pick(length(o.text) for o in q.options)
                    tied = [o for o in q.options if length(o.text) == edge]
                    into.append(sum(float(o.credit) for o in tied) / len(tied))
                longest = _strictly_longest(q.options)
                if longest is not None and longest.credit == 1:
                    cues.single_longest.append(qid)
                for i, o in enumerate(q.options):
                    if o.credit == 1:
                        cues.positions[i + 1] += 1
            elif q.kind == "rate":
                cues.rate += 1
                longest = _strictly_longest(q.options)
                if longest is not None and longest.key == 4:
                    cues.rate_longest_4.append(qid)
            elif q.kind == "multi":
                for o in q.options:
                    (cues.multi_correct_chars if o.correct else cues.multi_incorrect_chars).append(length(o.text))
    for name, scores in strategy.items():
        out[name].longest_strategy = sum(scores) / len(scores) if scores else 0.0
        low = shortest[name]
        out[name].shortest_strategy = sum(low) / len(low) if low else 0.0
    return out


def _ids(ids: list[str]) -> str:
    return ", ".join(sorted(ids))


def check_cues(bank: Bank) -> list[Problem]:
    """The bank's test-wise cues against the course's limits, as problems naming the questions."""
    problems: list[Problem] = []
    cues = bank_cues(bank)

    def add(fld: str, message: str) -> None:
        problems.append(Problem(BANK_PATH, fld, message))

    whole = cues["bank"]
    if whole.single >= MIN_SAMPLE and whole.single_longest_share > SINGLE_LONGEST_BANK + 1e-9:
        add("cues.single-longest", f"the credit-1 option is strictly the longest in {len(whole.single_longest)} of "
            f"{whole.single} single questions ({whole.single_longest_share:.0%}; at most "
            f"{SINGLE_LONGEST_BANK:.0%}): {_ids(whole.single_longest)}")
    if whole.single >= MIN_SAMPLE:
        pos, share = whole.top_position
        if share > POSITION_SHARE + 1e-9:
            add("cues.key-position", f"position {pos} holds the credit-1 option in {share:.0%} of single questions "
                f"(at most {POSITION_SHARE:.0%})")
    for part, c in cues.items():
        if part == "bank" or c.single < MIN_SAMPLE:
            continue
        if c.single_longest_share > SINGLE_LONGEST_PART + 1e-9:
            add(f"cues.single-longest[{part}]", f"the credit-1 option is strictly the longest in "
                f"{len(c.single_longest)} of {c.single} single questions in {part} ({c.single_longest_share:.0%}; "
                f"at most {SINGLE_LONGEST_PART:.0%} in a part): {_ids(c.single_longest)}")
        if c.longest_strategy > LONGEST_STRATEGY_PART + 1e-9:
            add(f"cues.longest-strategy[{part}]", f"always picking the longest option scores "
                f"{c.longest_strategy:.0%} on the {c.single} single questions in {part} (at most "
                f"{LONGEST_STRATEGY_PART:.0%}); keyed longest: {_ids(c.single_longest)}")
    ratio = whole.multi_ratio
    lo, hi = MULTI_RATIO
    n_multi = len(whole.multi_correct_chars) + len(whole.multi_incorrect_chars)
    if ratio is not None and n_multi >= MIN_SAMPLE and not lo <= ratio <= hi:
        add("cues.multi-length", f"keyed-correct multi options average {ratio:.2f} times the length of keyed-"
            f"incorrect ones (allowed {lo}-{hi})")
    if whole.rate >= MIN_SAMPLE and whole.rate_longest_4_share > RATE_LONGEST_KEYED_4 + 1e-9:
        add("cues.rate-longest", f"the longest option is keyed 4 in {len(whole.rate_longest_4)} of {whole.rate} "
            f"rate questions ({whole.rate_longest_4_share:.0%}; at most {RATE_LONGEST_KEYED_4:.0%}): "
            f"{_ids(whole.rate_longest_4)}")
    return problems
