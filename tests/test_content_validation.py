"""Content validation: every malformed-file scenario gets one clear `path:field: problem` line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from nasams_course.content.loader import ContentError, find_root, load_bank, load_bank_or_raise
from nasams_course.content.loader import __file__ as loader_file
from nasams_course.content.models import UnknownChapterError

Q = "book/part/ch/questions"
V = "book/part/ch/vignettes"

MULTI_OK = """
    id: q-multi
    kind: multi
    stem: Which apply?
    provisions: [S16]
    options:
      - {id: a, text: A, correct: true, rationale: Per S16.}
      - {id: b, text: B, correct: false, rationale: Per S16.}
      - {id: c, text: C, correct: false, rationale: Per S16.}
"""



def question(qid: str, kind: str, provisions: str, *options: str, key: str = "") -> str:
    """A question file: the header, an optional order key, and options as flow mappings."""
    head = f"id: {qid}\nkind: {kind}\nstem: Stem?\nprovisions: [{provisions}]\n"
    return head + (f"key: [{key}]\n" if key else "") + "options:\n" + "".join(f"  - {{{o}}}\n" for o in options)


# scenario name -> (file to write, its text, the exact problem line expected)
SCENARIOS = {
    "unknown-provision": (
        "questions/q-x.yml", MULTI_OK.replace("id: q-multi", "id: q-x").replace("[S16]", "[S99]"),
        f"{Q}/q-x.yml:provisions[0]: unknown provision 'S99'"),
    "unknown-vignette": (
        "questions/q-x.yml", MULTI_OK.replace("id: q-multi", "id: q-x\n    vignette: v-nowhere"),
        f"{Q}/q-x.yml:vignette: unknown vignette 'v-nowhere'"),
    "question-id-not-the-file-name": (
        "questions/q-single-copy.yml",
        question("q-single", "single", "S5", "id: a, text: A, credit: 1, rationale: S5", "id: b, text: B, credit: 0, rationale: S5", "id: c, text: C, credit: 0, rationale: S5"),
        f"{Q}/q-single-copy.yml:id: id 'q-single' does not match the file name 'q-single-copy'"),
    "vignette-id-not-the-file-name": (
        "vignettes/v-two.yml", "id: v-three\ntitle: T\nsetting: capital\nnarrative: N\nprovisions: [S5]\ndiscussion: [D]\n",
        f"{V}/v-two.yml:id: id 'v-three' does not match the file name 'v-two'"),
    "provision-listed-twice": (
        "questions/q-x.yml", MULTI_OK.replace("id: q-multi", "id: q-x").replace("[S16]", "[S16, S16]"),
        f"{Q}/q-x.yml:provisions: provision 'S16' is listed twice"),
    "vignette-unknown-provision": (
        "vignettes/v-two.yml", "id: v-two\ntitle: T\nsetting: capital\nnarrative: N\nprovisions: [S5, U99]\ndiscussion: [D]\n",
        f"{V}/v-two.yml:provisions[1]: unknown provision 'U99'"),
    "chapter-unknown-provision-of-the-right-form": (
        "chapter.yml", "id: ch\ntitle: C\npart: standards\nprovisions: [S5, S16, E6, E99]\nminutes: 25\nobjectives: [O]\n",
        "book/part/ch/chapter.yml:provisions[3]: unknown provision 'E99'"),
    "chapter-provision-listed-twice": (
        "chapter.yml", "id: ch\ntitle: C\npart: standards\nprovisions: [S5, S16, E6, S5]\nminutes: 25\nobjectives: [O]\n",
        "book/part/ch/chapter.yml:provisions: provision 'S5' is listed twice"),
    "chapter-minutes-out-of-range": (
        "chapter.yml", "id: ch\ntitle: C\npart: standards\nprovisions: [S5, S16, E6]\nminutes: 91\nobjectives: [O]\n",
        "book/part/ch/chapter.yml:minutes: input should be less than or equal to 90"),
    "chapter-without-objectives": (
        "chapter.yml", "id: ch\ntitle: C\npart: standards\nprovisions: [S5, S16, E6]\nminutes: 25\nobjectives: []\n",
        "book/part/ch/chapter.yml:objectives: list should have at least 1 item after validation, not 0"),
    "question-without-provisions": (
        "questions/q-x.yml", MULTI_OK.replace("id: q-multi", "id: q-x").replace("provisions: [S16]", "provisions: []"),
        f"{Q}/q-x.yml:provisions: list should have at least 1 item after validation, not 0"),
    "stem-of-blanks": (
        "questions/q-x.yml", MULTI_OK.replace("id: q-multi", "id: q-x").replace("stem: Which apply?", "stem: '   '"),
        f"{Q}/q-x.yml:stem: string should have at least 1 character"),
    "id-too-long": (
        "questions/q-x.yml", MULTI_OK.replace("id: q-multi", "id: q-" + "x" * 79),
        f"{Q}/q-x.yml:id: string should have at most 80 characters"),
    "kind-missing": (
        "questions/q-k.yml", "id: q-k\nstem: S\nprovisions: [S5]\noptions: []\n",
        f"{Q}/q-k.yml:kind: required field is missing (one of: single, multi, rate, order)"),
    "file-not-utf8": (
        "vignettes/v-two.yml", "id: v-two\ntitle: Caf\udce9\n",
        f"{V}/v-two.yml:(file): not UTF-8 text (invalid continuation byte at byte 20)"),
    "violation-marked-correct": (
        "questions/q-multi.yml", MULTI_OK.replace("{id: a, text: A, correct: true, rationale: Per S16.}",
                                                  "{id: a, text: A, correct: true, violation: [S16], rationale: Per S16.}"),
        f"{Q}/q-multi.yml:options[0].correct: an option marked violation cannot be correct"),
    "order-key-naming-an-unknown-step": (
        "questions/q-o.yml",
        question("q-o", "order", "S5", "id: b, text: B, rationale: S5", "id: a, text: A, rationale: S5", "id: c, text: C, rationale: S5", key="a, b, x"),
        f"{Q}/q-o.yml:key: the key must list every option id exactly once"),
    "rate-with-two-options": (
        "questions/q-r.yml",
        question("q-r", "rate", "S5", "id: a, text: A, key: 1, rationale: S5", "id: b, text: B, key: 4, rationale: S5"),
        f"{Q}/q-r.yml:options: a rate question needs at least 3 options"),
    "multi-with-no-correct-option": (
        "questions/q-multi.yml", MULTI_OK.replace("correct: true", "correct: false"),
        f"{Q}/q-multi.yml:options: a multi question needs at least one option with correct: true"),
    "single-with-no-full-credit": (
        "questions/q-s.yml",
        question("q-s", "single", "S5", "id: a, text: A, credit: 0.5, rationale: S5", "id: b, text: B, credit: 0, rationale: S5", "id: c, text: C, credit: 0, rationale: S5"),
        f"{Q}/q-s.yml:options: a single question needs one option with credit 1"),
    "order-with-two-steps": (
        "questions/q-o.yml",
        question("q-o", "order", "S5", "id: b, text: B, rationale: S5", "id: a, text: A, rationale: S5", key="a, b"),
        f"{Q}/q-o.yml:options: an order question needs at least 3 steps"),
    "order-key-not-a-permutation": (
        "questions/q-o.yml",
        question("q-o", "order", "S5", "id: b, text: B, rationale: S5", "id: a, text: A, rationale: S5", "id: c, text: C, rationale: S5", key="a, b, b"),
        f"{Q}/q-o.yml:key: the key must list every option id exactly once"),
    "order-shown-in-keyed-order": (
        "questions/q-o.yml",
        question("q-o", "order", "S5", "id: a, text: A, rationale: S5", "id: b, text: B, rationale: S5", "id: c, text: C, rationale: S5", key="a, b, c"),
        f"{Q}/q-o.yml:options: the steps are first shown in an order that agrees with the key (Kendall's tau +1.00); "
        "list them so that tau <= 0, or an untouched submission scores above 0"),
    "order-shown-mostly-in-keyed-order": (
        "questions/q-o.yml",
        question("q-o", "order", "S5", "id: a, text: A, rationale: S5", "id: b, text: B, rationale: S5",
                 "id: d, text: D, rationale: S5", "id: c, text: C, rationale: S5", key="a, b, c, d"),
        f"{Q}/q-o.yml:options: the steps are first shown in an order that agrees with the key (Kendall's tau +0.67); "
        "list them so that tau <= 0, or an untouched submission scores above 0"),
    "multi-with-no-incorrect-option": (
        "questions/q-multi.yml", MULTI_OK.replace("correct: false", "correct: true"),
        f"{Q}/q-multi.yml:options: a multi question needs at least one option with correct: false (otherwise "
        "selecting everything scores full marks)"),
    "unknown-field": (
        "questions/q-multi.yml", MULTI_OK.replace("stem: Which apply?", "stem: Which apply?\n    hint: none"),
        f"{Q}/q-multi.yml:hint: unknown field (allowed: id, vignette, stem, provisions, kind, options)"),
    "unknown-option-field": (
        "questions/q-multi.yml", MULTI_OK.replace("{id: a, text: A, correct: true,", "{id: a, text: A, correct: true, credit: 1,"),
        f"{Q}/q-multi.yml:options[0].credit: unknown field (allowed: id, text, rationale, correct, violation)"),
    "missing-field": (
        "questions/q-multi.yml", MULTI_OK.replace("    stem: Which apply?\n", ""),
        f"{Q}/q-multi.yml:stem: required field is missing"),
    "unknown-kind": (
        "questions/q-multi.yml", MULTI_OK.replace("kind: multi", "kind: essay"),
        f"{Q}/q-multi.yml:kind: unknown kind 'essay' (expected one of: single, multi, rate, order)"),
    "credit-not-allowed": (
        "questions/q-s.yml",
        question("q-s", "single", "S5", "id: a, text: A, credit: 1, rationale: S5", "id: b, text: B, credit: 0.25, rationale: S5", "id: c, text: C, credit: 0, rationale: S5"),
        f"{Q}/q-s.yml:options[1].credit: input should be 0, 0.5 or 1, got 0.25"),
    "rate-key-out-of-range": (
        "questions/q-r.yml",
        question("q-r", "rate", "S5", "id: a, text: A, key: 5, rationale: S5", "id: b, text: B, key: 1, rationale: S5", "id: c, text: C, key: 2, rationale: S5"),
        f"{Q}/q-r.yml:options[0].key: input should be 1, 2, 3 or 4, got 5"),
    "violation-keyed-appropriate": (
        "questions/q-r.yml",
        question("q-r", "rate", "S5", "id: a, text: A, key: 4, violation: [S5], rationale: Breaches S5", "id: b, text: B, key: 1, rationale: S5", "id: c, text: C, key: 2, rationale: S5"),
        f"{Q}/q-r.yml:options[0].key: an option marked violation must be keyed 1 or 2 (inappropriate)"),
    "violation-with-credit": (
        "questions/q-s.yml",
        question("q-s", "single", "S5", "id: a, text: A, credit: 1, rationale: S5", "id: b, text: B, credit: 0.5, violation: [S5], rationale: S5", "id: c, text: C, credit: 0, rationale: S5"),
        f"{Q}/q-s.yml:options[1].credit: an option marked violation must have credit 0"),
    "violation-of-a-should": (
        "questions/q-s.yml",
        question("q-s", "single", "S1", "id: a, text: A, credit: 1, rationale: S1", "id: b, text: B, credit: 0, violation: [S1], rationale: Ignores S1.", "id: c, text: C, credit: 0, rationale: S1"),
        f"{Q}/q-s.yml:options[1].violation[0]: S1 is recommended (should/may) and cannot be breached: a violation "
        "names the mandatory or prohibited provisions it breaches"),
    "violation-as-a-flag": (
        "questions/q-s.yml",
        question("q-s", "single", "S5", "id: a, text: A, credit: 1, rationale: S5", "id: b, text: B, credit: 0, violation: true, rationale: Breaches S5.", "id: c, text: C, credit: 0, rationale: S5"),
        f"{Q}/q-s.yml:options[1].violation: input should be a valid list"),
    "violation-of-an-unknown-provision": (
        "questions/q-s.yml",
        question("q-s", "single", "S5", "id: a, text: A, credit: 1, rationale: S5", "id: b, text: B, credit: 0, violation: [S5, S17], rationale: Breaches S5.", "id: c, text: C, credit: 0, rationale: S5"),
        f"{Q}/q-s.yml:options[1].violation[1]: unknown provision 'S17'"),
    "violation-not-among-the-provisions": (
        "questions/q-s.yml",
        question("q-s", "single", "S5", "id: a, text: A, credit: 1, rationale: S5", "id: b, text: B, credit: 0, violation: [E6], rationale: Breaches E6.", "id: c, text: C, credit: 0, rationale: S5"),
        f"{Q}/q-s.yml:options[1].violation[0]: E6 is breached here but not in the question's provisions (S5): "
        "add it there"),
    "violation-not-cited-in-the-rationale": (
        "questions/q-s.yml",
        question("q-s", "single", "S5, E6", "id: a, text: A, credit: 1, rationale: S5", "id: b, text: B, credit: 0, violation: [S5, E6], rationale: Breaches S5.", "id: c, text: C, credit: 0, rationale: S5"),
        f"{Q}/q-s.yml:options[1].violation[1]: the rationale must cite E6, the provision this option breaches"),
    "violation-listing-a-provision-twice": (
        "questions/q-s.yml",
        question("q-s", "single", "S5", "id: a, text: A, credit: 1, rationale: S5", "id: b, text: B, credit: 0, violation: [S5, S5], rationale: Breaches S5.", "id: c, text: C, credit: 0, rationale: S5"),
        f"{Q}/q-s.yml:options[1].violation: a provision is listed twice"),
    "violation-with-an-empty-list": (
        "questions/q-s.yml",
        question("q-s", "single", "S5", "id: a, text: A, credit: 1, rationale: S5", "id: b, text: B, credit: 0, violation: [], rationale: Breaches S5.", "id: c, text: C, credit: 0, rationale: S5"),
        f"{Q}/q-s.yml:options[1].violation: list should have at least 1 item after validation, not 0"),
    "rationale-cites-nothing": (
        "questions/q-multi.yml", MULTI_OK.replace("{id: b, text: B, correct: false, rationale: Per S16.}",
                                                  "{id: b, text: B, correct: false, rationale: Because.}"),
        f"{Q}/q-multi.yml:options[1].rationale: the rationale cites no provision id (e.g. 'S5', 'E4a')"),
    "rationale-cites-unknown-provision": (
        "questions/q-multi.yml", MULTI_OK.replace("rationale: Per S16.}", "rationale: Per S17.}", 1),
        f"{Q}/q-multi.yml:options[0].rationale: cites unknown provision 'S17'"),
    "too-few-options": (
        "questions/q-multi.yml", MULTI_OK.replace("      - {id: c, text: C, correct: false, rationale: Per S16.}\n", ""),
        f"{Q}/q-multi.yml:options: a multi question needs at least 3 options"),
    "duplicate-option-id": (
        "questions/q-multi.yml", MULTI_OK.replace("{id: c,", "{id: b,"),
        f"{Q}/q-multi.yml:options[2].id: duplicate option id 'b'"),
    "bad-id": (
        "vignettes/V One.yml", "id: V One\ntitle: T\nsetting: capital\nnarrative: N\nprovisions: [S5]\ndiscussion: [D]\n",
        f"{V}/V One.yml:id: 'V One' is not a valid id (lower-case letters, digits and hyphens; provision ids like "
        "E4a, S5, U13)"),
    "bad-setting": (
        "vignettes/v-two.yml", "id: v-two\ntitle: T\nsetting: federal\nnarrative: N\nprovisions: [S5]\ndiscussion: [D]\n",
        f"{V}/v-two.yml:setting: input should be 'capital', 'non-capital' or 'either', got 'federal'"),
    "vignette-without-discussion": (
        "vignettes/v-two.yml", "id: v-two\ntitle: T\nsetting: capital\nnarrative: N\nprovisions: [S5]\ndiscussion: []\n",
        f"{V}/v-two.yml:discussion: list should have at least 1 item after validation, not 0"),
    "invalid-yaml": (
        "vignettes/v-two.yml", "id: v-two\ntitle: [unclosed\n",
        f"{V}/v-two.yml:line 3: invalid YAML: expected ',' or ']', but got '<stream end>'"),
    "duplicate-yaml-key": (
        "vignettes/v-two.yml", "id: v-two\ntitle: T\ntitle: U\n",
        f"{V}/v-two.yml:line 3: invalid YAML: duplicate key 'title' (first at line 2)"),
    "empty-file": (
        "vignettes/v-two.yml", "",
        f"{V}/v-two.yml:(file): expected a mapping of fields (key: value), got an empty file"),
    "list-not-a-mapping": (
        "vignettes/v-two.yml", "- id: v-two\n- title: T\n",
        f"{V}/v-two.yml:(file): expected a mapping of fields (key: value), got list"),
    "lists-nested-700-deep": (  # deeper than the pure-Python parser's recursion reaches, within libyaml's 1000
        "vignettes/v-two.yml", "id: v-two\ntitle: T\nsetting: capital\nnarrative: N\nprovisions: [S5]\ndiscussion: "
        + "[" * 700 + "]" * 700 + "\n",
        f"{V}/v-two.yml:discussion[0]: input should be a valid string"),
    "lists-nested-1000-deep": (  # deeper than libyaml reads: its words, not Python's RecursionError
        "vignettes/v-two.yml", "id: v-two\ntitle: T\nsetting: capital\nnarrative: N\nprovisions: [S5]\ndiscussion: "
        + "[" * 1000 + "]" * 1000 + "\n",
        f"{V}/v-two.yml:line 6: invalid YAML: exceeded maximum nesting depth"),
    "mappings-nested-500-deep": (  # libyaml parses them; building them overflows Python's stack: one line, no traceback
        "vignettes/v-two.yml", "id: v-two\ntitle: T\nsetting: capital\nnarrative: N\nprovisions: [S5]\ndiscussion: "
        + "{a: " * 500 + "1" + "}" * 500 + "\n",
        f"{V}/v-two.yml:(file): invalid YAML: mappings nested too deeply to read"),
    "stray-file": (
        "question/q-typo.yml", "id: q-typo\n",
        "book/part/ch/question/q-typo.yml:(file): unexpected file: a chapter folder holds chapter.yml, "
        "vignettes/<id>.yml and questions/<id>.yml"),
    "kind-as-a-list": (
        "questions/q-k.yml", "id: q-k\nkind: [single]\nstem: S\nprovisions: [S5]\noptions: []\n",
        f"{Q}/q-k.yml:kind: unknown kind ['single'] (expected one of: single, multi, rate, order)"),
    "kind-as-a-mapping": (
        "questions/q-k.yml", "id: q-k\nkind: {type: single}\nstem: S\nprovisions: [S5]\noptions: []\n",
        f"{Q}/q-k.yml:kind: unknown kind {{'type': 'single'}} (expected one of: single, multi, rate, order)"),
    "list-that-holds-itself": (  # an anchor inside its own list: read as a list, refused where it stands
        "vignettes/v-two.yml", "id: v-two\ntitle: T\nsetting: capital\nnarrative: N\nprovisions: [S5]\ndiscussion: &d [*d]\n",
        f"{V}/v-two.yml:discussion[0]: input should be a valid string"),
    "field-name-that-is-not-text": (
        "vignettes/v-two.yml", "id: v-two\n? [a, b]\n: 1\n",
        f"{V}/v-two.yml:line 2: invalid YAML: a field name must be text, got list"),
    "credit-written-as-true": (
        "questions/q-s.yml",
        question("q-s", "single", "S5", "id: a, text: A, credit: true, rationale: S5", "id: b, text: B, credit: 0, rationale: S5", "id: c, text: C, credit: 0, rationale: S5"),
        f"{Q}/q-s.yml:options[0].credit: expected a number, got true"),
    "rate-key-written-as-true": (
        "questions/q-r.yml",
        question("q-r", "rate", "S5", "id: a, text: A, key: true, rationale: S5", "id: b, text: B, key: 1, rationale: S5", "id: c, text: C, key: 2, rationale: S5"),
        f"{Q}/q-r.yml:options[0].key: expected a number, got true"),
    "correct-written-as-text": (
        "questions/q-multi.yml", MULTI_OK.replace("correct: true", "correct: 'yes'"),
        f"{Q}/q-multi.yml:options[0].correct: input should be a valid boolean"),
    "option-text-too-long": (
        "questions/q-multi.yml", MULTI_OK.replace("{id: a, text: A,", "{id: a, text: " + "x" * 2001 + ","),
        f"{Q}/q-multi.yml:options[0].text: string should have at most 2000 characters"),
    "narrative-too-long": (
        "vignettes/v-two.yml", f"id: v-two\ntitle: T\nsetting: capital\nnarrative: {'x' * 8001}\nprovisions: [S5]\ndiscussion: [D]\n",
        f"{V}/v-two.yml:narrative: string should have at most 8000 characters"),
    "chapter-unknown-provision": (
        "chapter.yml", "id: ch\ntitle: C\npart: standards\nprovisions: [S5, X1]\nminutes: 25\nobjectives: [O]\n",
        "book/part/ch/chapter.yml:provisions[1]: 'X1' is not a valid id (lower-case letters, digits and hyphens; "
        "provision ids like E4a, S5, U13)"),
}


# scenario name -> (file to write, its text): each must load with no problem at all (the good side of each rule)
GOOD = {
    "multi-with-right-and-wrong-options": ("questions/q-multi.yml", MULTI_OK),
    "order-shown-with-tau-zero": (
        "questions/q-o.yml",
        question("q-o", "order", "S5", "id: c, text: C, rationale: S5", "id: a, text: A, rationale: S5",
                 "id: d, text: D, rationale: S5", "id: b, text: B, rationale: S5", key="a, b, c, d")),
    "order-shown-reversed": (
        "questions/q-o.yml",
        question("q-o", "order", "S5", "id: c, text: C, rationale: S5", "id: b, text: B, rationale: S5",
                 "id: a, text: A, rationale: S5", key="a, b, c")),
    "violation-naming-two-breached-provisions": (
        "questions/q-s.yml",
        question("q-s", "single", "S5, E6, S16", "id: a, text: A, credit: 1, rationale: S5",
                 "id: b, text: B, credit: 0, violation: [E6, S5], rationale: Breaches E6 and S5.",
                 "id: c, text: C, credit: 0, rationale: S16")),
    "violation-of-a-prohibited-item": (
        "questions/q-r.yml",
        question("q-r", "rate", "U7, S16", "id: a, text: A, key: 1, violation: [U7], rationale: U7 forbids it.",
                 "id: b, text: B, key: 4, rationale: S16", "id: c, text: C, key: 2, rationale: S16")),
}


@pytest.mark.parametrize("scenario", GOOD)
def test_each_good_file_is_accepted(course, scenario):
    rel, text = GOOD[scenario]
    path = course.chapter / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.replace("\n    ", "\n").lstrip(), encoding="utf-8")
    course.show_all()
    _bank, problems = load_bank(course.root)
    assert [str(p) for p in problems] == []


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_each_broken_file_is_reported(course, scenario):
    rel, text, expected = SCENARIOS[scenario]
    path = course.chapter / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.replace("\n    ", "\n").lstrip(), encoding="utf-8", errors="surrogateescape")
    _bank, problems = load_bank(course.root)
    lines = [str(p) for p in problems]
    assert expected in lines, "\n".join(lines)


def test_ids_are_unique_across_chapters(course):
    """A second chapter repeating the first one's question and vignette ids, and a third repeating its chapter id:
    each repeat is reported where it is, naming the file that has the id first."""
    for folder, cid in (("ch2", "ch2"), ("ch3", "ch")):
        chapter = course.root / "book" / "part" / folder
        for rel in ("vignettes/v-one.yml", "questions/q-single.yml"):
            (chapter / rel).parent.mkdir(parents=True, exist_ok=True)
            (chapter / rel).write_text((course.chapter / rel).read_text())
        (chapter / "chapter.yml").write_text((course.chapter / "chapter.yml").read_text().replace("id: ch\n",
                                                                                               f"id: {cid}\n"))
        (chapter.with_suffix(".md")).write_text(course.page.read_text())
    _bank, problems = load_bank(course.root)
    assert {str(p) for p in problems} >= {
        "book/part/ch2/questions/q-single.yml:id: duplicate question id 'q-single' (also in "
        "book/part/ch/questions/q-single.yml)",
        "book/part/ch2/vignettes/v-one.yml:id: duplicate vignette id 'v-one' (also in book/part/ch/vignettes/v-one.yml)",
        "book/part/ch3/chapter.yml:id: duplicate chapter id 'ch' (also in book/part/ch/chapter.yml)",
    }, "\n".join(map(str, problems))


def test_loading_content_with_problems_raises_with_every_problem(course):
    course.write("questions/q-a.yml", "id: q-a\nkind: essay\n")
    course.write("vignettes/v-b.yml", "id: v-b\n")
    _bank, problems = load_bank(course.root)
    with pytest.raises(ContentError) as caught:
        load_bank_or_raise(course.root)
    assert caught.value.problems == problems and len(problems) > 1
    assert str(caught.value) == "\n".join(str(p) for p in problems)


def test_a_toc_that_is_not_utf8_is_reported(course):
    (course.root / "_toc.yml").write_bytes(b"format: jb-book\nroot: \xff\n")
    _bank, problems = load_bank(course.root)
    assert "_toc.yml:(file): not UTF-8 text (invalid start byte at byte 22)" in map(str, problems)


def test_a_character_yaml_refuses_is_reported_at_its_line_by_its_code_in_one_line(course):
    """A control character stops YAML's reader before any line is parsed: the problem names the character and the
    line it is on, in one line (not the reader's two, with a position in a "<unicode string>")."""
    (course.chapter / "vignettes" / "v-one.yml").write_text("id: v-one\ntitle: a\x07b\n", encoding="utf-8")
    _bank, problems = load_bank(course.root)
    mine = [str(p) for p in problems if p.path.endswith("/v-one.yml")]
    assert mine == [f"{V}/v-one.yml:line 2: invalid YAML: unacceptable character #x0007: special characters are not "
                    "allowed"]
    (course.chapter / "vignettes" / "v-one.yml").write_text("\x1bid: v-one\n", encoding="utf-8")
    _bank, problems = load_bank(course.root)
    assert [str(p) for p in problems if p.path.endswith("/v-one.yml")] == [
        f"{V}/v-one.yml:line 1: invalid YAML: unacceptable character #x001b: special characters are not allowed"]
    # lines are counted from the file's first character: a file that starts with an empty line counts it
    (course.chapter / "vignettes" / "v-one.yml").write_text("\nid: v-one\ntitle: a\x07b\n", encoding="utf-8")
    _bank, problems = load_bank(course.root)
    assert [str(p) for p in problems if p.path.endswith("/v-one.yml")] == [
        f"{V}/v-one.yml:line 3: invalid YAML: unacceptable character #x0007: special characters are not allowed"]


def test_a_file_nested_too_deep_with_a_character_yaml_refuses_is_a_problem_not_a_traceback(course):
    """Deeper than either parser reads (1,200 levels), with a control character: YAML's reader refuses the character
    before any nesting is parsed, so the problem is the character, at its line (nested too deep alone gets libyaml's
    words: the lists-nested-1000-deep scenario)."""
    deep = "id: v-one\ndiscussion: " + "[" * 1200 + "]" * 1200 + "\n"
    (course.chapter / "vignettes" / "v-one.yml").write_text(deep + "title: a\x07\n", encoding="utf-8")
    _bank, problems = load_bank(course.root)
    assert [str(p) for p in problems if p.path.endswith("/v-one.yml")] == [
        f"{V}/v-one.yml:line 3: invalid YAML: unacceptable character #x0007: special characters are not allowed"]


def test_files_an_operating_system_leaves_behind_are_ignored(course):
    for name in (".DS_Store", "questions/._q-single.yml", "questions/q-single.yml~", "Thumbs.db", "desktop.ini"):
        (course.chapter / name).write_bytes(b"\x00\x01binary")
    _bank, problems = load_bank(course.root)
    assert problems == []


PAGE_CELL = "```{{code-cell}} ipython3\n{}\n```\n"


@pytest.mark.parametrize(("cells", "expected"), [
    (['vignette("v-one")', 'quiz("q-single")', 'quiz("q-nowhere")'],
     ["book/part/ch.md:line 10: quiz('q-nowhere'): unknown question"]),
    (['quiz("q-nowhere")', 'vignette("v-one")', 'quiz("q-single")'],
     ["book/part/ch.md:line 4: quiz('q-nowhere'): unknown question"]),
    (['vignette("v-one")', 'quizzes_for("v-nowhere")', 'quiz("q-single")'],
     ["book/part/ch.md:line 7: quizzes_for('v-nowhere'): unknown vignette"]),
    (['vignette("v-one")'],
     ["book/part/ch/questions/q-single.yml:(file): no page shows this question: add quiz(...) or its vignette's "
      "quizzes_for(...) to book/part/ch.md"]),
    (['vignette("v-one")', 'quizzes_for("v-one")', 'quiz("q-single")'],
     ["book/part/ch/questions/q-single.yml:(file): shown 2 times (book/part/ch.md); show it once"]),
    (['quizzes_for("v-one")'],
     ["book/part/ch/vignettes/v-one.yml:(file): no page shows this vignette: add vignette('v-one') to its chapter "
      "page"]),
], ids=["quiz-of-an-unknown-question", "the-cells-after-a-quiz-of-an-unknown-question",
        "quizzes-for-an-unknown-vignette", "question-shown-nowhere", "question-shown-twice", "vignette-shown-nowhere"])
def test_validate_checks_what_the_pages_show(course, cells, expected):
    """Each problem a page has, at its line, and nothing more: the cells after an unknown id are still read."""
    course.page.write_text("# Chapter\n\n" + "".join(PAGE_CELL.format(c) for c in cells), encoding="utf-8")
    _bank, problems = load_bank(course.root)
    assert [str(p) for p in problems] == expected


def test_a_page_s_lines_are_counted_from_its_first_even_when_it_is_blank(course):
    course.page.write_text("\n" + PAGE_CELL.format('quiz("q-nowhere")') + course.page.read_text(), encoding="utf-8")
    _bank, problems = load_bank(course.root)
    assert [str(p) for p in problems] == ["book/part/ch.md:line 3: quiz('q-nowhere'): unknown question"]


def test_a_question_shown_on_another_chapter_s_page_is_reported_at_its_line_and_counted_on_both_pages(course):
    """The page of a second chapter `ch2` shows the first chapter's question too (its own page shows everything)."""
    chapter = course.root / "book" / "part" / "ch2"
    chapter.mkdir()
    (chapter / "chapter.yml").write_text((course.chapter / "chapter.yml").read_text().replace("id: ch\n", "id: ch2\n"))
    chapter.with_suffix(".md").write_text("# Two\n\n" + PAGE_CELL.format('quiz("q-single")'), encoding="utf-8")
    _bank, problems = load_bank(course.root)
    assert [str(p) for p in problems] == [
        "book/part/ch/questions/q-single.yml:(file): shown 2 times (book/part/ch.md, book/part/ch2.md); show it once",
        "book/part/ch2.md:line 4: quiz('q-single'): the question belongs to chapter 'ch'; show it on that chapter's "
        "page",
    ]


def test_the_base_course_is_valid(course):
    bank, problems = load_bank(course.root)
    assert problems == []
    assert set(bank.questions) == {"q-single"}


def test_all_problems_are_reported_at_once_and_good_files_still_load(course):
    course.write("questions/q-a.yml", "id: q-a\nkind: essay\n")
    course.write("vignettes/v-b.yml", "id: v-b\n")
    bank, problems = load_bank(course.root)
    paths = {p.path for p in problems}
    assert {f"{Q}/q-a.yml", f"{V}/v-b.yml"} <= paths
    assert "q-single" in bank.questions


def test_missing_chapter_page_is_reported(course):
    (course.root / "book" / "part" / "ch.md").unlink()
    _bank, problems = load_bank(course.root)
    assert "book/part/ch/chapter.yml:(file): no chapter page book/part/ch.md beside this folder" in map(str, problems)


def test_cli_validate_prints_one_line_per_problem_and_exits_non_zero(course):
    course.write("questions/q-a.yml", "id: q-a\nkind: essay\n")
    course.write("vignettes/v-b.yml", "id: v-b\ntitle: [\n")
    out = subprocess.run([sys.executable, "-m", "nasams_course", "--root", str(course.root), "validate"],
                         capture_output=True, text=True)
    assert out.returncode == 1
    assert "Traceback" not in out.stdout + out.stderr
    lines = out.stdout.strip().splitlines()
    assert lines[-1] == "2 problem(s) found"
    assert all(line.startswith(("book/part/ch/questions/q-a.yml:", "book/part/ch/vignettes/v-b.yml:"))
               for line in lines[:-1])


def test_the_repository_content_is_valid():
    bank, problems = load_bank()
    assert [str(p) for p in problems] == []
    assert bank.questions


# -- arbitrary YAML: never a traceback, every problem with its place -------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from conftest import examples  # noqa: E402

YAML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10)
    | st.sampled_from(["single", "multi", "rate", "order", "S5", "E99", "q-x", "a"]),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(
        st.sampled_from(["id", "kind", "stem", "provisions", "options", "key", "text", "credit", "correct",
                         "violation", "rationale", "vignette", "title", "narrative"]) | st.text(max_size=5),
        kids, max_size=6),
    max_leaves=25)


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(YAML_VALUES.map(lambda v: __import__("yaml").safe_dump(v)), st.text(max_size=200),
                 st.binary(max_size=100)))
def test_arbitrary_yaml_never_raises_and_every_problem_has_a_place(course, content):
    path = course.chapter / "questions" / "q-fuzz.yml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))
    bank, problems = load_bank(course.root)
    for p in problems:
        assert p.path and p.field and p.message
    assert "q-single" in bank.questions  # the good file still loads


def test_unknown_chapters_are_named_with_the_course_s_chapters(course):
    bank, _ = load_bank(course.root)
    bank.require_chapters(["ch"])
    with pytest.raises(UnknownChapterError) as caught:
        bank.require_chapters(["ch", "nope", "nada"])
    assert str(caught.value) == "unknown chapter(s): nope, nada (chapters: ch)"


# scenario name -> (file to write, its text, every problem line expected, in order): nothing more is reported
EXACTLY = {
    "order-with-two-steps-is-not-also-short-of-options": (
        "questions/q-o.yml",
        question("q-o", "order", "S5", "id: b, text: B, rationale: S5", "id: a, text: A, rationale: S5", key="a, b"),
        [f"{Q}/q-o.yml:options: an order question needs at least 3 steps"]),
    "violation-checks-go-on-past-an-unknown-provision": (
        "questions/q-s.yml",
        question("q-s", "single", "S5, S16", "id: a, text: A, credit: 1, rationale: S5",
                 "id: b, text: B, credit: 0, violation: [S17, E6], rationale: Breaches E6.",
                 "id: c, text: C, credit: 0, rationale: S16"),
        [f"{Q}/q-s.yml:options[1].violation[0]: unknown provision 'S17'",
         f"{Q}/q-s.yml:options[1].violation[1]: E6 is breached here but not in the question's provisions (S5, S16): "
         "add it there"]),
    "violation-keyed-3-is-appropriate": (
        "questions/q-r.yml",
        question("q-r", "rate", "S5", "id: a, text: A, key: 3, violation: [S5], rationale: Breaches S5",
                 "id: b, text: B, key: 1, rationale: S5", "id: c, text: C, key: 4, rationale: S5"),
        [f"{Q}/q-r.yml:options[0].key: an option marked violation must be keyed 1 or 2 (inappropriate)"]),
}


@pytest.mark.parametrize("scenario", EXACTLY)
def test_each_broken_file_is_reported_with_exactly_its_problems(course, scenario):
    rel, text, expected = EXACTLY[scenario]
    course.write(rel, text)
    course.show_all()
    _bank, problems = load_bank(course.root)
    assert [str(p) for p in problems] == expected


def test_an_unknown_option_is_named_in_its_key_error_and_an_item_not_loaded_from_a_file_gets_a_place_in_words(course):
    """`option(oid)` fails with the id it could not find (what a maintainer reads in a traceback), and `path_of` an
    item that came from no file (a bank built in code) names the item, so that a problem about it still has a place."""
    bank = load_bank_or_raise(course.root)
    q = bank.questions["q-single"]
    assert q.option("b").text == "Talk now"
    with pytest.raises(KeyError) as error:
        q.option("zz")
    assert error.value.args == ("zz",)
    assert bank.path_of("question", "q-single") == f"{Q}/q-single.yml"
    assert bank.path_of("question", "q-elsewhere") == "<question q-elsewhere>"
    assert bank.path_of("vignette", "v-none") == "<vignette v-none>"


def test_a_bad_chapter_a_repeated_chapter_or_a_bad_file_does_not_stop_the_loading_of_those_after_it(course):
    """In book order: a chapter that does not validate, one without its page, one repeating an id, then two good
    ones; in the last, a question that does not validate before a good one. Everything good after each is loaded and
    its page checked, and each problem is reported once."""
    (course.root / "_toc.yml").write_text("format: jb-book\nroot: book/part/ch\nchapters:\n- file: book/part/bad\n"
                                          "- file: book/part/ch2\n- file: book/part/dup\n- file: book/part/ch3\n")
    good = (course.chapter / "chapter.yml").read_text()
    for folder, text, page in (("bad", "id: bad\n", True), ("ch2", good.replace("id: ch\n", "id: ch2\n"), False),
                               ("dup", good.replace("id: ch\n", "id: ch2\n"), True),
                               ("ch3", good.replace("id: ch\n", "id: ch3\n"), True)):
        (course.root / "book" / "part" / folder).mkdir()
        (course.root / "book" / "part" / folder / "chapter.yml").write_text(text)
        if page:
            (course.root / "book" / "part" / f"{folder}.md").write_text(f"# {folder}\n")
    course.write("questions/q-a.yml", "id: q-a\nkind: essay\n")
    bank, problems = load_bank(course.root)
    assert list(bank.chapters) == ["ch2", "ch3", "ch"]
    assert (list(bank.vignettes), list(bank.questions)) == (["v-one"], ["q-single"])
    assert [str(p) for p in problems] == [
        *(f"book/part/bad/chapter.yml:{field}: required field is missing"
          for field in ("minutes", "objectives", "part", "provisions", "title")),
        f"{Q}/q-a.yml:kind: unknown kind 'essay' (expected one of: single, multi, rate, order)",
        "book/part/ch2/chapter.yml:(file): no chapter page book/part/ch2.md beside this folder",
        "book/part/dup/chapter.yml:id: duplicate chapter id 'ch2' (also in book/part/ch2/chapter.yml)",
    ]  # and nothing about ch's page, checked after ch2's missing one: it shows v-one and q-single


def test_a_question_saved_as_yaml_is_loaded_and_any_other_file_among_questions_is_unexpected(course):
    """`.yaml` is YAML as `.yml` is; a text file beside the questions is reported, not read as a question."""
    (course.chapter / "questions" / "q-single.yml").rename(course.chapter / "questions" / "q-single.yaml")
    bank, problems = load_bank(course.root)
    assert problems == [] and bank.path_of("question", "q-single") == f"{Q}/q-single.yaml"
    (course.chapter / "questions" / "notes.txt").write_text("id: notes\n")
    _bank, problems = load_bank(course.root)
    assert [str(p) for p in problems] == [
        f"{Q}/notes.txt:(file): unexpected file: a chapter folder holds chapter.yml, vignettes/<id>.yml and "
        "questions/<id>.yml"]


def test_the_root_is_the_nearest_folder_up_with_both_the_toc_and_the_book_else_the_course_of_the_package(
        tmp_path, monkeypatch):
    """A folder with `_toc.yml` alone, or `book/` alone, is not a course: the search goes on up, and past the top to
    the course this package was installed from (here the repository)."""
    monkeypatch.delenv("NASAMS_COURSE_ROOT", raising=False)
    (tmp_path / "toc-only" / "inner").mkdir(parents=True)
    (tmp_path / "toc-only" / "_toc.yml").write_text("format: jb-book\n")
    (tmp_path / "book-only" / "book").mkdir(parents=True)
    package_course = find_root(Path(loader_file).parents[2])
    for start in (tmp_path / "toc-only" / "inner", tmp_path / "book-only"):
        assert find_root(start) == package_course
    (tmp_path / "toc-only" / "book").mkdir()
    assert find_root(tmp_path / "toc-only" / "inner") == tmp_path / "toc-only"
