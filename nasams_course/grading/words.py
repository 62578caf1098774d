"""The words a learner's record is told in: one set, with {placeholders}, for the command line, the notebook's
Session.progress() and the book's progress page (which receives them as data and fills them in the same way).

A value is a template, or a pair (one, many) chosen by the placeholder `n`."""

from __future__ import annotations

WORDS: dict[str, str | tuple[str, str]] = {
    "summary": "{started} of {total} provisions attempted, from {answered} of {questions} questions answered",
    "missing": ("{n} provision is not yet attempted.", "{n} provisions are not yet attempted."),
    "low": ("{n} domain is below Proficient.", "{n} domains are below Proficient."),
    "critical": ("{n} provision has an outstanding critical error.",
                 "{n} provisions have an outstanding critical error."),
    "cal-none": "No answers with a stated certainty yet.",
    "cal-summary": ("{n} first attempt with a stated certainty; average certainty-based mark {cbm} (from −6 to 3).",
                    "{n} first attempts with a stated certainty; average certainty-based mark {cbm} "
                    "(from −6 to 3)."),
    # one message per certainty level; which one: message_key below (and its copy in nasams-progress.js)
    "often-wrong": "You were often wrong when sure: {below} of {answers} high-certainty answers were below 50 %.",
    "high-over": "High certainty did not pay: your high-certainty answers averaged {p} %; it pays only above 80 %.",
    "medium-over": ("Medium certainty did not pay: your medium-certainty answers averaged {p} %; below 67 % low "
                    "certainty scores better."),
    "under": ("You knew more than you thought: your {label}-certainty answers averaged {p} %; a higher certainty "
              "would have scored more."),
    "ok": "Your {label}-certainty answers averaged {p} %: that fits.",
    # does a certainty level fit the scores, in the calibration table
    "fit-ok": "Yes",
    "fit-over": "No: over-confident",
    "fit-under": "No: under-confident",
    # a self-rating two steps or more from the measured level
    "gap-over": "You rated yourself above your measured level",
    "gap-under": "You rated yourself below your measured level",
}


def say(key: str, **values) -> str:
    """The words under `key` with `values` filled in (a pair chosen by `n`)."""
    words = WORDS[key]
    if isinstance(words, tuple):
        words = words[0 if values["n"] == 1 else 1]
    return words.format(**values)


def message_key(certainty: int, fit: str, below_half: int) -> str:
    """Which message tells a certainty level's fit."""
    if fit == "over" and certainty == 3:
        return "often-wrong" if below_half else "high-over"
    return "medium-over" if fit == "over" else fit
