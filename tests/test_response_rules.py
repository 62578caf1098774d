"""One rule for every reader of a response file: the golden cases in tests/golden/response-files.json are read
here by nasams_course.responses and in tests/js/golden.test.js by the browser's checkFile, with the same result and
the same messages. Plus the limits, and arbitrary JSON never causing a traceback."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import examples, golden, golden_questions
from nasams_course.responses import (
    MAX_ENTRIES,
    MAX_RATINGS,
    ResponseFileError,
    check_entry,
    check_file,
    check_rating,
    decode,
    parse_responses,
    read_responses,
)

FIXTURE = golden("response-files.json")
NOW = FIXTURE["now"]
QS = golden_questions()


def view(data) -> dict:
    try:
        learner, entries, ratings, session = check_file(data)
    except ResponseFileError as exc:
        return {"refused": str(exc)}
    good, problems, rated = [], [], []
    for i, entry in enumerate(entries):
        try:
            qid, answer, at, certainty = check_entry(entry, NOW)
            good.append({"question": qid, "answer": answer, "at": at, "certainty": certainty})
        except ValueError as exc:
            problems.append(f"responses[{i}]: {exc}")
    for i, item in enumerate(ratings):
        try:
            pid, stage, rating, at = check_rating(item, NOW)
            rated.append({"provision": pid, "stage": stage, "rating": rating, "at": at})
        except ValueError as exc:
            problems.append(f"self_ratings[{i}]: {exc}")
    seen = {"learner": learner, "entries": good, "problems": problems, "ratings": rated}
    return seen if session is None else {**seen, "session": session}


@pytest.mark.parametrize("case", FIXTURE["cases"], ids=lambda c: c["name"])
def test_golden_response_files(case):
    assert view(case["file"]) == case["expected"]


def test_too_many_entries_are_refused():
    entry = {"question": "g-single", "answer": "a", "at": "2026-01-01T10:00:00Z"}
    data = {"schema": "nasams-course/responses@2", "learner": "", "responses": [entry] * (MAX_ENTRIES + 1)}
    with pytest.raises(ResponseFileError, match="more than 20,000 responses"):
        check_file(data)
    data["responses"] = [entry] * MAX_ENTRIES
    assert len(check_file(data)[1]) == MAX_ENTRIES


def test_too_many_self_ratings_are_refused():
    rating = {"provision": "E4a", "stage": "before", "rating": 3, "at": "2026-01-01T10:00:00Z"}
    data = {"schema": "nasams-course/responses@2", "learner": "", "responses": [],
            "self_ratings": [rating] * (MAX_RATINGS + 1)}
    with pytest.raises(ResponseFileError, match="more than 20,000 self-ratings"):
        check_file(data)
    data["self_ratings"] = [rating] * MAX_RATINGS
    assert len(check_file(data)[2]) == MAX_RATINGS


def test_certainty_and_self_ratings_are_read_with_their_places():
    """Certainty rides on the attempt; self-ratings keep their place in the file as `seq`; unknown provisions (of
    the right form) are reported against the catalog and skipped, after the entries' problems."""
    data = {"schema": "nasams-course/responses@2", "learner": "Ana", "responses": [
        {"question": "g-single", "answer": "a", "at": "2026-01-01T10:00:00Z", "certainty": 3},
        {"question": "g-nowhere", "answer": "a", "at": "2026-01-01T10:00:00Z", "certainty": 3},
        {"question": "g-multi", "answer": ["a"], "at": "2026-01-01T10:00:00Z"},
    ], "self_ratings": [
        {"provision": "X9", "stage": "before", "rating": 2, "at": "2026-01-01T09:00:00Z"},
        {"provision": "E4a", "stage": "before", "rating": 2, "at": "2026-01-01T09:00:00Z"},
        {"provision": "E4a", "stage": "later", "rating": 2, "at": "2026-01-01T09:00:00Z"},
        {"provision": "S5", "stage": "after", "rating": 4.0, "at": "2026-01-01T11:00:00Z"},
    ]}
    rs = parse_responses(data, QS, "f.json", now_ms=NOW)
    assert [(a.question, a.certainty, a.seq) for a in rs.attempts] == [("g-single", 3, 0), ("g-multi", None, 2)]
    assert [(r.provision, r.stage, r.rating, r.seq) for r in rs.ratings] == [("E4a", "before", 2, 1), ("S5", "after", 4, 3)]
    assert isinstance(rs.ratings[1].rating, int)
    assert rs.problems == [
        "f.json: responses[1] (question 'g-nowhere'): unknown question",
        "f.json: self_ratings[0] (provision 'X9'): unknown provision",
        "f.json: self_ratings[2]: 'stage' must be 'before' or 'after'",
    ]


def test_a_byte_order_mark_is_accepted_and_other_encodings_are_refused(tmp_path):
    body = json.dumps({"schema": "nasams-course/responses@2", "learner": "Zoë",
                       "responses": [{"question": "g-single", "answer": "a", "at": "2026-01-01T10:00:00Z"}]})
    path = tmp_path / "notepad.json"
    path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    assert [a.answer for a in read_responses(path, QS).attempts] == ["a"]
    path.write_bytes(body.encode("utf-16"))
    with pytest.raises(ResponseFileError, match="not valid JSON \\(the file is not UTF-8 text\\)"):
        read_responses(path, QS)


def test_a_folder_a_huge_file_and_deep_nesting_are_refused_with_a_message(tmp_path):
    with pytest.raises(ResponseFileError, match="is a folder, not a response file"):
        read_responses(tmp_path, QS)
    with pytest.raises(ResponseFileError, match="nested too deeply"):
        decode(b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(ResponseFileError, match="larger than 5 MB"):
        decode(b" " * (5 * 1024 * 1024 + 1))


def test_bank_checks_follow_the_shape_checks():
    data = {"schema": "nasams-course/responses@2", "learner": "Ana", "responses": [
        {"question": "g-single", "answer": ["a"], "at": "2026-01-01T10:00:00Z"},
        {"question": "g-nowhere", "answer": "a", "at": "2026-01-01T10:00:00Z"},
        {"question": "g-single", "answer": None, "at": "2026-01-01T10:00:00Z"},
        {"question": "g-single", "answer": "a"},
        {"question": "g-single", "answer": "a", "at": "2026-01-01T10:00:00Z"},
    ]}
    rs = parse_responses(data, QS, "f.json", now_ms=NOW)
    assert [a.answer for a in rs.attempts] == ["a"]
    assert rs.problems == [
        "f.json: responses[0] (question 'g-single'): a single question takes one option id, got list",
        "f.json: responses[1] (question 'g-nowhere'): unknown question",
        "f.json: responses[2]: the answer is empty",
        "f.json: responses[3]: expected an object with 'question', 'answer' and 'at'",
    ]


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
                    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4),
                    max_leaves=30)
ENTRY = st.fixed_dictionaries({"question": st.sampled_from([*QS, "nope"]) | JSON,
                               "answer": st.sampled_from(["a", ["a", "b"], {"a": 4}, ["x", "y", "z"]]) | JSON,
                               "at": st.sampled_from(["2026-01-01T10:00:00Z", "2026-01-01T10:00"]) | JSON})


@settings(max_examples=examples(300), deadline=None)
@given(st.one_of(JSON, st.fixed_dictionaries({
    "schema": st.sampled_from(["nasams-course/responses@1", "nasams-course/responses@2"]) | JSON,
    "learner": st.text(max_size=20) | JSON,
    "responses": st.lists(ENTRY | JSON, max_size=8)})))
def test_arbitrary_json_is_read_without_a_traceback(data):
    """Any decoded JSON: refused with a message, or every entry either graded or named with its place."""
    try:
        rs = parse_responses(data, QS, "f.json", now_ms=NOW)
    except ResponseFileError as exc:
        assert str(exc).startswith("f.json: ")
        return
    assert len(rs.attempts) + len(rs.problems) == len(data["responses"])
    assert all(p.startswith("f.json: responses[") for p in rs.problems)
    good = sum(1 for e in data["responses"] if isinstance(e, dict) and isinstance(e.get("question"), str)
               and e["question"] in QS
               and e.get("answer") in ("a", ["a", "b"], {"a": 4}, ["x", "y", "z"])
               and e.get("at") in ("2026-01-01T10:00:00Z", "2026-01-01T10:00")
               and not (e["question"] == "g-single" and e["answer"] != "a")
               and not (e["question"] in ("g-multi", "g-order") and e["answer"] != ["a", "b"])
               and not (e["question"] == "g-rate" and e["answer"] != {"a": 4})
               and not (e["question"] == "g-order3" and e["answer"] != ["x", "y", "z"]))
    assert len(rs.attempts) == good  # every good entry is still graded


def test_nan_and_infinity_are_not_json_for_any_reader():
    """Python's json module reads NaN and Infinity; browsers do not: both readers refuse the file."""
    for literal in (b"NaN", b"Infinity", b"-Infinity"):
        body = (b'{"schema": "nasams-course/responses@2", "learner": "A", "responses": [{"question": "g-rate", '
                b'"answer": {"a": ' + literal + b'}, "at": "2026-01-01T10:00:00Z"}]}')
        with pytest.raises(ResponseFileError, match="not valid JSON"):
            decode(body)


def test_the_future_is_judged_against_the_clock_given_or_else_the_machine_s(tmp_path):
    """`now_ms` is the moment a file is judged at (a trainer re-grading old files passes the day they were due); without
    it, the machine's clock: an entry a few days ahead of it is refused, one within a day of it is kept. A file read
    with no name is called `responses` in its messages."""
    from datetime import UTC, datetime

    from nasams_course.responses import format_time, parse_time

    def entry(at: str) -> dict:
        return {"question": "g-single", "answer": "a", "at": at}

    data = {"schema": "nasams-course/responses@2", "learner": "Ana", "responses": [entry("2026-01-01T10:00:00Z")]}
    then = parse_time("2025-06-01T00:00:00Z")
    assert parse_responses(data, QS, "f.json", now_ms=then).problems == [
        "f.json: responses[0]: 'at' is in the future"]
    path = tmp_path / "f.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert read_responses(path, QS, now_ms=then).problems == [f"{path}: responses[0]: 'at' is in the future"]
    assert read_responses(path, QS).problems == []
    now = datetime.now(UTC).timestamp() * 1000
    data["responses"] = [entry(format_time(now + 3 * 86_400_000)), entry(format_time(now + 12 * 3_600_000))]
    rs = parse_responses(data, QS)
    assert rs.problems == ["responses: responses[0]: 'at' is in the future"]
    assert [a.seq for a in rs.attempts] == [1]


def test_a_file_of_exactly_5_mb_is_read_and_one_byte_more_is_refused_with_its_name(tmp_path):
    from nasams_course.responses import MAX_FILE_BYTES

    body = json.dumps({"schema": "nasams-course/responses@2", "learner": "Ana", "responses": [
        {"question": "g-single", "answer": "a", "at": "2026-01-01T10:00:00Z"}]}).encode("utf-8")
    path = tmp_path / "big.json"
    path.write_bytes(body + b" " * (MAX_FILE_BYTES - len(body)))
    assert [a.answer for a in read_responses(path, QS).attempts] == ["a"]
    assert decode(path.read_bytes())["learner"] == "Ana"
    path.write_bytes(body + b" " * (MAX_FILE_BYTES + 1 - len(body)))
    with pytest.raises(ResponseFileError) as caught:
        read_responses(path, QS)
    assert str(caught.value) == f"{path}: the file is larger than 5 MB"


def test_the_messages_for_text_that_is_not_utf8_or_not_json_name_the_file_and_the_value(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes('{"learner": "Zoë"}'.encode("latin-1"))
    with pytest.raises(ResponseFileError) as caught:
        read_responses(path, QS)
    assert str(caught.value) == f"{path}: not valid JSON (the file is not UTF-8 text)"
    path.write_bytes(b'{"schema": "nasams-course/responses@2", "learner": "A", "responses": [NaN]}')
    with pytest.raises(ResponseFileError) as caught:
        read_responses(path, QS)
    assert str(caught.value) == f"{path}: not valid JSON (NaN is not a JSON value)"


def nested(levels: int, leaf) -> dict:
    """A response file `levels` containers deep: the file, its responses, an entry, then lists down to `leaf` (an
    empty list, the deepest level, or a number in the deepest list)."""
    inner = leaf
    for _ in range(levels - 3 - (leaf == [])):
        inner = [inner]
    return {"schema": "nasams-course/responses@2", "learner": "A", "responses": [
        {"question": "g-single", "answer": "a", "at": "2026-01-01T10:00:00Z", "note": inner}]}


@pytest.mark.parametrize("leaf", [[], 1], ids=["empty-list", "number"])
def test_a_file_8_levels_deep_is_read_and_9_levels_are_refused(leaf):
    """Containers count, values in them do not; an empty list is one level. The same limit as the browser's."""
    deepest = nested(8, leaf)
    assert [a.answer for a in parse_responses(deepest, QS, "f.json", now_ms=NOW).attempts] == ["a"]
    assert parse_responses(nested(7, leaf), QS, "f.json", now_ms=NOW).attempts
    with pytest.raises(ResponseFileError) as caught:
        parse_responses(nested(9, leaf), QS, "f.json", now_ms=NOW)
    assert str(caught.value) == "f.json: the file is nested too deeply (more than 8 levels)"


def test_a_file_nested_hundreds_of_levels_deep_is_refused_without_counting_every_level():
    """JSON parses 600 levels; counting them all would exceed Python's recursion limit (a traceback)."""
    data = decode(b'{"schema": "nasams-course/responses@2", "learner": "A", "responses": ' + b"[" * 600 + b"]" * 600
                  + b"}")
    with pytest.raises(ResponseFileError, match="nested too deeply"):
        parse_responses(data, QS, "f.json", now_ms=NOW)


def test_a_path_through_a_file_is_refused_with_the_system_s_reason(tmp_path):
    (tmp_path / "f.json").write_text("{}", encoding="utf-8")
    path = tmp_path / "f.json" / "r.json"
    with pytest.raises(ResponseFileError) as caught:
        read_responses(path, QS)
    assert str(caught.value) == f"{path}: cannot be read (Not a directory)"
