"""Bank-level checks against test-wise cues: a good and a bad bank for every rule, each named."""

from __future__ import annotations

import json

import pytest

from conftest import run
from nasams_course.content import cues
from nasams_course.content.loader import load_bank

N = 10  # questions per scenario bank: above cues.MIN_SAMPLE, so every limit is checked


def single(i: int, lengths: tuple[int, int, int, int], keyed: int) -> str:
    """A single question whose options have the given text lengths; option `keyed` (0-3) has credit 1."""
    opts = "".join(
        f"  - {{id: o{j}, text: {'x' * n}, credit: {1 if j == keyed else 0}, rationale: Per S5.}}\n"
        for j, n in enumerate(lengths))
    return f"id: q-single-{i}\nkind: single\nstem: Which?\nprovisions: [S5]\noptions:\n{opts}"


def rate(i: int, lengths: tuple[int, int, int], keys: tuple[int, int, int]) -> str:
    opts = "".join(f"  - {{id: o{j}, text: {'x' * n}, key: {k}, rationale: Per S5.}}\n"
                   for j, (n, k) in enumerate(zip(lengths, keys, strict=True)))
    return f"id: q-rate-{i}\nkind: rate\nstem: Rate.\nprovisions: [S5]\noptions:\n{opts}"


def multi(i: int, right: int, wrong: int) -> str:
    opts = "".join(f"  - {{id: o{j}, text: {'x' * n}, correct: {str(c).lower()}, rationale: Per S16.}}\n"
                   for j, (n, c) in enumerate(((right, True), (wrong, False), (wrong, False), (right, True))))
    return f"id: q-multi-{i}\nkind: multi\nstem: Which apply?\nprovisions: [S16]\noptions:\n{opts}"


def bank_problems(course, files: dict[str, str]) -> list[str]:
    (course.chapter / "questions" / "q-single.yml").unlink()  # the base course's question: not part of the bank
    for name, text in files.items():
        (course.chapter / "questions" / f"{name}.yml").write_text(text, encoding="utf-8")
    course.show_all()
    _bank, problems = load_bank(course.root)
    return [str(p) for p in problems]


SPREAD = [(40, 30, 20, 10), (10, 40, 30, 20), (20, 10, 40, 30), (30, 20, 10, 40)]  # the longest moves round


def keyed_longest(i: int) -> str:
    """The credit-1 option is the strictly longest one, at a position that moves round (no position cue)."""
    return single(i, SPREAD[i % 4], i % 4)


def keyed_not_longest(i: int) -> str:
    """The credit-1 option is never the longest, and its position moves round too."""
    return single(i, SPREAD[i % 4], (i + 1) % 4)


# rule -> (bad bank, the problem's field); each bad bank breaks that rule only
BAD = {
    "single-keyed-longest": ({f"q-single-{i}": keyed_longest(i) if i < 4 else keyed_not_longest(i)
                              for i in range(N)}, "book:cues.single-longest:"),
    "single-keyed-longest-in-a-part": ({f"q-single-{i}": keyed_longest(i) if i < 5 else keyed_not_longest(i)
                                        for i in range(N)}, "book:cues.single-longest[standards]:"),
    "pick-the-longest-pays-in-a-part": ({f"q-single-{i}": keyed_longest(i) if i < 5 else keyed_not_longest(i)
                                         for i in range(N)}, "book:cues.longest-strategy[standards]:"),
    "key-in-one-position": ({f"q-single-{i}": single(i, (10, 10, 10, 10), 0) for i in range(N)},
                            "book:cues.key-position:"),
    "multi-right-options-longer": ({f"q-multi-{i}": multi(i, 60, 40) for i in range(N)}, "book:cues.multi-length:"),
    "multi-right-options-shorter": ({f"q-multi-{i}": multi(i, 40, 60) for i in range(N)}, "book:cues.multi-length:"),
    "rate-longest-keyed-4": ({f"q-rate-{i}": rate(i, (30, 20, 10), (4, 1, 2)) if i < 4 else
                              rate(i, (30, 20, 10), (1, 4, 2)) for i in range(N)}, "book:cues.rate-longest:"),
}

GOOD = {
    "single-keyed-longest-at-the-limit": {f"q-single-{i}": keyed_longest(i) if i < 3 else keyed_not_longest(i)
                                          for i in range(N)},
    "single-keyed-shortest-is-no-part-of-this-rule": {f"q-single-{i}": single(i, SPREAD[i % 4], (i + 3) % 4)
                                                      for i in range(N)},
    "multi-balanced": {f"q-multi-{i}": multi(i, 50, 50) for i in range(N)},
    "multi-within-the-band": {f"q-multi-{i}": multi(i, 57, 50) for i in range(N)},
    "rate-longest-keyed-4-at-the-limit": {f"q-rate-{i}": rate(i, (30, 20, 10), (4, 1, 2)) if i < 3 else
                                          rate(i, (30, 20, 10), (1, 4, 2)) for i in range(N)},
    "too-few-questions-to-judge": {f"q-single-{i}": keyed_longest(i) for i in range(cues.MIN_SAMPLE - 2)},
}


@pytest.mark.parametrize("rule", BAD)
def test_each_cue_is_reported_with_the_questions_that_carry_it(course, rule):
    files, field = BAD[rule]
    found = [p for p in bank_problems(course, files) if p.startswith(field)]
    assert len(found) == 1, bank_problems(course, files)
    if rule.startswith(("single-keyed", "pick", "rate")):
        assert "q-" in found[0]  # the offending question ids are named


@pytest.mark.parametrize("rule", BAD)
def test_each_bad_bank_breaks_only_its_own_rules(course, rule):
    files, _field = BAD[rule]
    fields = {p.split(": ")[0] for p in bank_problems(course, files)}
    related = {"single-keyed-longest": {"book:cues.single-longest"},
               "single-keyed-longest-in-a-part": {"book:cues.single-longest", "book:cues.single-longest[standards]",
                                                  "book:cues.longest-strategy[standards]"},
               "pick-the-longest-pays-in-a-part": {"book:cues.single-longest", "book:cues.single-longest[standards]",
                                                   "book:cues.longest-strategy[standards]"}}
    allowed = related.get(rule, {BAD[rule][1].rstrip(":")})
    assert fields <= allowed, fields


@pytest.mark.parametrize("bank", GOOD)
def test_a_bank_within_the_limits_passes(course, bank):
    assert bank_problems(course, GOOD[bank]) == []


def test_the_bank_command_prints_the_figures_and_the_problems(course):
    bank_problems(course, BAD["rate-longest-keyed-4"][0])
    out = run("--root", course.root, "bank")  # in this process: seen by make mutate
    assert out.returncode == 1
    assert "rate longest keyed 4" in out.stdout and "4 (40%)" in out.stdout
    assert "book:cues.rate-longest:" in out.stdout
    js = run("--root", course.root, "bank", "--json")
    data = json.loads(js.stdout)
    assert data["cues"]["bank"]["rate_longest_keyed_4"] == 4 and data["cues"]["bank"]["rate_questions"] == N


def test_lengths_collapse_whitespace():
    assert cues.length("  a  b\n c ") == len("a b c")
