"""`grade` reads and grades many files at once, column by column (training/cohort_files.py, grading/cohort.py's
cohort_reports): the very results of the reference, `read_responses` and `grade()` file by file, compared exactly
(every float, every list in its order), on a generated cohort of the real bank and on the golden response files."""

from __future__ import annotations

import json
import multiprocessing
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import golden, golden_questions
from nasams_course.bench import write_cohort
from nasams_course.content.loader import course_bank
from nasams_course.content.models import Bank
from nasams_course.grading import grade
from nasams_course.grading.cohort import cohort_reports
from nasams_course.responses import ResponseFileError, parse_time, read_responses
from nasams_course.training import cohort_files, processes, roster
from nasams_course.training.cohort_files import read_cohort

BANK = course_bank()
GOLDEN = golden("response-files.json")
QS = golden_questions()
QS_BANK = Bank(questions=QS, chapter_of=dict.fromkeys(QS, "ch"))


def reference(path, questions, scope=None, now_ms=None) -> dict:
    """What the reference makes of one file: its problems, or its report (`grade` on `scope`, the attempts at the
    scope's questions)."""
    try:
        rs = read_responses(path, questions, now_ms)
    except ResponseFileError as exc:
        return {"refused": str(exc)}
    scope = questions if scope is None else scope
    report = grade(scope, [a for a in rs.attempts if a.question in scope], learner=rs.learner, ratings=rs.ratings)
    return {"learner": rs.learner, "session": rs.session, "problems": rs.problems,
            "report": {**report.to_json(), "problems": rs.problems}}


def vectorized(paths, questions, scope=None, now_ms=None) -> list[dict]:
    """What the cohort reader and grader make of the same files, in the same form (through JSON, as printed)."""
    cohort = read_cohort(paths, questions, now_ms)
    readable = [i for i, f in enumerate(cohort.files) if f.error is None]
    graded = cohort_reports(cohort.attempts, cohort.ratings, readable, [cohort.files[i].learner for i in readable],
                            questions if scope is None else scope)
    reports = dict(zip(readable, graded.reports, strict=True))
    for report, answered, critical in zip(graded.reports, graded.answered, graded.critical, strict=True):
        items = orjson.loads(orjson.dumps(report["items"]))
        assert (answered, critical) == (sum(not i["unanswered"] for i in items), sum(i["critical"] for i in items))
    out = []
    for i, f in enumerate(cohort.files):
        if f.error is not None:
            out.append({"refused": f.error})
            continue
        report = orjson.loads(orjson.dumps(reports[i]))
        report["problems"] = f.problems
        out.append({"learner": f.learner, "session": f.session, "problems": f.problems, "report": report})
    return out


def special_files(folder) -> list:
    """Files off the plain path, each read by the reference inside the cohort: skipped entries, a null certainty, a
    time with an offset, a rating of 2.0, a byte-order mark, version 1, nothing answered, not JSON, a folder."""
    q = BANK.questions
    single = next(x for x in q.values() if x.kind == "single")
    rate = next(x for x in q.values() if x.kind == "rate")
    order = next(x for x in q.values() if x.kind == "order")
    at = "2026-11-02T10:00:00Z"
    files = {
        "skipped.json": {"schema": "nasams-course/responses@2", "learner": "Skip", "responses": [
            {"question": single.id, "answer": single.option_ids[0], "at": at},
            {"question": "q-nowhere", "answer": "a", "at": at},
            {"question": order.id, "answer": [order.option_ids[0]] * 2, "at": at}]},
        "null-certainty.json": {"schema": "nasams-course/responses@2", "learner": "Null", "responses": [
            {"question": single.id, "answer": single.option_ids[1], "at": at, "certainty": None},
            {"question": single.id, "answer": single.option_ids[0], "at": "2026-11-02T10:01:00Z", "certainty": 2}]},
        "offset.json": {"schema": "nasams-course/responses@2", "learner": "Offset", "responses": [
            {"question": single.id, "answer": single.option_ids[2], "at": "2026-11-02T12:00:00+02:00",
             "certainty": 3},
            {"question": single.id, "answer": single.option_ids[0], "at": "2026-11-02T10:00:00.500Z"}]},
        "float-rating.json": {"schema": "nasams-course/responses@2", "learner": "Float", "responses": [
            {"question": rate.id, "answer": {o: 2.0 for o in rate.option_ids}, "at": at}],
            "self_ratings": [{"provision": "S5", "stage": "after", "rating": 3, "at": at}]},
        "version-1.json": {"schema": "nasams-course/responses@1", "learner": "Old", "responses": [
            {"question": rate.id, "answer": {rate.option_ids[0]: 4}, "at": at}]},
        "nothing.json": {"schema": "nasams-course/responses@2", "learner": "", "responses": [], "self_ratings": [
            {"provision": "E4a", "stage": "before", "rating": 2, "at": at}]},
    }
    paths = []
    for name, data in files.items():
        (folder / name).write_text(json.dumps(data), encoding="utf-8")
        paths.append(folder / name)
    bom = folder / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + json.dumps(files["skipped.json"] | {"learner": "Bom"}).encode())
    broken = folder / "broken.json"
    broken.write_text("{not json")
    (folder / "a-folder").mkdir()
    return [*paths, bom, broken, folder / "a-folder"]


@pytest.fixture(scope="module")
def cohort(tmp_path_factory) -> list:
    """40 generated learners of the real bank (strong, weak, critical, guessing and sure profiles; every fifth one
    chapter or two only; three attempts at a third of the questions; certainty; self-ratings) and the special files."""
    folder = tmp_path_factory.mktemp("cohort")
    return write_cohort(folder, 40, seed=13, partial=True) + special_files(folder)


def test_the_generated_cohort_has_what_parity_needs(cohort):
    reports = [r["report"] for r in (reference(p, BANK.questions) for p in cohort) if "report" in r]
    assert any(r["complete"] for r in reports) and any(not r["complete"] for r in reports)
    assert any(any(p["critical"] for p in r["provisions"]) for r in reports)
    assert any(r["calibration"]["answers"] for r in reports) and any(r["self_ratings"] for r in reports)
    assert any(i["score"] != i["first_score"] for r in reports for i in r["items"])  # attempts after the first
    assert any(len(r["items"]) < len(BANK.questions) for r in reports)  # partial learners
    assert {i["question"] for r in reports for i in r["items"]} == set(BANK.questions)  # every kind, every question


def test_cohort_grading_equals_grade_for_every_learner_exactly(cohort):
    """Every figure of every report: scores, first-attempt scores, levels, completion, critical errors and their
    reviews, calibration, self-ratings; and the same files refused with the same words."""
    got = vectorized(cohort, BANK.questions)
    assert got == [reference(p, BANK.questions) for p in cohort]
    assert sum("refused" in g for g in got) == 2 and any(g.get("problems") for g in got)


def test_cohort_grading_equals_grade_on_a_smaller_scope(cohort):
    """A session's questions (as grade --session counts them): attempts at other questions are left out."""
    chapters = list(BANK.chapters)[2:5]
    scope = {qid: q for qid, q in BANK.questions.items() if BANK.chapter_of[qid] in chapters}
    assert vectorized(cohort, BANK.questions, scope) == [reference(p, BANK.questions, scope) for p in cohort]


def test_grade_files_in_worker_processes_gives_what_one_process_gives(cohort, monkeypatch):
    monkeypatch.setattr(roster, "CHUNK", 7)
    one = roster.grade_files(cohort, BANK, "all", workers=1)
    two = roster.grade_files(cohort, BANK, "all", workers=2)
    assert [g.json for g in two] == [g.json for g in one]
    assert [(g.file, g.learner, g.problems, g.notes, g.roster) for g in two] == \
        [(g.file, g.learner, g.problems, g.notes, g.roster) for g in one]
    expected = []
    for path in cohort:
        ref = reference(path, BANK.questions)
        expected.append({"file": str(path), "learner": None, "session": None, "problems": [ref["refused"]],
                         "report": None} if "refused" in ref else {"file": str(path), **ref})
    assert [orjson.loads(g.json) for g in two] == expected


def test_workers_are_as_many_as_the_processors_this_process_may_use(monkeypatch):
    """Its affinity where the system tells it (not the machine's count), else the machine's count, else one."""
    monkeypatch.setattr(processes.os, "sched_getaffinity", lambda pid: {0, 2, 5}, raising=False)
    monkeypatch.setattr(processes.os, "cpu_count", lambda: 8)
    assert processes.processors() == 3
    monkeypatch.delattr(processes.os, "sched_getaffinity")
    assert processes.processors() == 8
    monkeypatch.setattr(processes.os, "cpu_count", lambda: None)  # the count cannot be told
    assert processes.processors() == 1


def test_workers_are_forked_where_the_system_can_and_not_elsewhere(monkeypatch):
    assert processes.can_fork()  # Linux, where the tests run
    monkeypatch.setattr(processes.multiprocessing, "get_all_start_methods", lambda: ["spawn"])  # as on Windows
    assert not processes.can_fork()


def test_chunks_hold_at_most_so_many_files_and_bytes_in_order(tmp_path):
    """A chunk closes before the file that would take it past `size` files or `max_bytes` bytes; a larger file is a
    chunk of its own; a file that cannot be read counts as empty (its reader says why)."""
    paths = []
    for name, nbytes in zip("abcdefgh", (40, 40, 40, 150, 10, 10, 10, 10), strict=True):
        (tmp_path / name).write_bytes(b"x" * nbytes)
        paths.append(tmp_path / name)
    chunks = roster.split_chunks([*paths[:4], tmp_path / "missing", *paths[4:]], 3, max_bytes=100)
    assert [[p.name for p in c] for c in chunks] == [["a", "b"], ["c"], ["d"], ["missing", "e", "f"], ["g", "h"]]


def test_a_chunk_holds_up_to_max_bytes_exactly_and_a_file_that_cannot_be_read_adds_nothing(tmp_path):
    """The limit is reached, not passed: two files of 50 bytes fill a chunk of 100, with files that cannot be read
    before, between and after them (a missing file first opens the first chunk); the next byte opens another."""
    for name, nbytes in (("a", 50), ("b", 50), ("c", 1)):
        (tmp_path / name).write_bytes(b"x" * nbytes)
    paths = [tmp_path / name for name in ("gone", "a", "missing", "b", "lost", "c")]
    chunks = roster.split_chunks(paths, 10, max_bytes=100)
    assert [[p.name for p in c] for c in chunks] == [["gone", "a", "missing", "b", "lost"], ["c"]]


def test_grading_in_chunks_cut_by_bytes_gives_what_one_chunk_gives(cohort, monkeypatch):
    whole = [g.json for g in roster.grade_files(cohort, BANK, "all", workers=1)]
    monkeypatch.setattr(roster, "CHUNK_BYTES", max(p.stat().st_size for p in cohort))  # about a file a chunk
    assert len(roster.split_chunks(cohort, roster.CHUNK)) > len(cohort) // 2
    assert [g.json for g in roster.grade_files(cohort, BANK, "all", workers=2)] == whole


def golden_paths(folder) -> list:
    paths = []
    for i, case in enumerate(GOLDEN["cases"]):
        path = folder / f"case-{i:02d}.json"
        path.write_text(json.dumps(case["file"]), encoding="utf-8")
        paths.append(path)
    return paths


def test_the_golden_response_files_read_as_the_reference_reads_them_even_all_at_once(tmp_path):
    """Every golden case (refused files, skipped entries and ratings, times in every form, null and bad certainty,
    sessions) in one cohort: each file read alone by the reference, and all together by the cohort reader."""
    paths = golden_paths(tmp_path)
    got = vectorized(paths, QS, now_ms=GOLDEN["now"])
    assert got == [reference(p, QS, now_ms=GOLDEN["now"]) for p in paths]
    assert sum("refused" in g for g in got) >= 10


def test_where_the_system_cannot_fork_one_process_grades_however_many_workers_are_asked_for(tmp_path, monkeypatch):
    """Windows: no fork (there `multiprocessing.get_context("fork")` raises ValueError), and workers that are not
    forked would not hold the bank: the files are graded in this process, as one worker grades them elsewhere."""
    paths = golden_paths(tmp_path)
    one = [g.json for g in roster.grade_files(paths, QS_BANK, "all", workers=1)]

    def windows_context(method=None):
        if method == "fork":
            raise ValueError("cannot find context for 'fork'")
        return multiprocessing.get_context(method)

    monkeypatch.setattr(processes.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    monkeypatch.setattr(roster, "get_context", windows_context)
    monkeypatch.setattr(roster, "PARALLEL_FROM", 1)  # workers=None: as many as the processors
    for workers in (1, 2, None):
        assert [g.json for g in roster.grade_files(paths, QS_BANK, "all", workers=workers)] == one


def test_workers_are_forked_even_where_the_system_starts_processes_afresh_by_default(tmp_path):
    """macOS (and Linux from Python 3.14) start a worker afresh by default, without the bank and the job this process
    holds: `iter_graded` forks its workers all the same, and they grade as one process does."""
    paths = golden_paths(tmp_path)
    one = [g.json for g in roster.grade_files(paths, QS_BANK, "all", workers=1)]
    previous = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method("spawn", force=True)
    try:
        two = [g.json for g in roster.grade_files(paths, QS_BANK, "all", workers=2)]
    finally:
        multiprocessing.set_start_method(previous, force=True)
    assert two == one


def test_a_reader_that_stops_early_waits_for_no_chunk_not_begun_and_leaves_no_worker_running(tmp_path, monkeypatch):
    """`grade ... | head`: when the reader of `iter_graded` stops after the first file (a chunk of one file each,
    two workers), the chunks no worker has begun are not graded, and every worker has ended when it returns. Which
    chunks were read is told by a `read_cohort` that notes each chunk's first file in a log (the workers, forked,
    inherit it)."""
    paths = golden_paths(tmp_path)
    log = tmp_path / "read.log"
    read = roster.read_cohort

    def logged(chunk, *args):
        with log.open("a", encoding="utf-8") as f:
            f.write(f"{chunk[0].name}\n")
        return read(chunk, *args)

    monkeypatch.setattr(roster, "read_cohort", logged)
    monkeypatch.setattr(roster, "CHUNK", 1)
    before = set(multiprocessing.active_children())
    graded = roster.iter_graded(paths, QS_BANK, "all", workers=2)
    assert next(graded).file == str(paths[0])
    graded.close()
    assert set(multiprocessing.active_children()) <= before
    assert 1 <= len(log.read_text(encoding="utf-8").splitlines()) < len(paths)


SINGLE = next(x for x in BANK.questions.values() if x.kind == "single")  # a single question of the real bank


def write_file(path, learner: str, responses: list[dict], **more) -> Path:
    """A response file as the book writes it (schema 2), with `more` top-level fields (self_ratings)."""
    path.write_text(json.dumps({"schema": "nasams-course/responses@2", "learner": learner, "responses": responses}
                               | more), encoding="utf-8")
    return path


def ahead_file(folder) -> Path:
    """Two answers to SINGLE, one an hour ahead of the machine's clock (within the day allowed), one 25 hours ahead."""
    now = datetime.now(UTC)
    return write_file(folder / "ahead.json", "Ahead", [
        {"question": SINGLE.id, "answer": SINGLE.option_ids[i], "at": f"{now + timedelta(hours=h):%Y-%m-%dT%H:%M:%SZ}"}
        for i, h in ((0, 1), (1, 25))])


def test_without_a_clock_given_the_future_is_judged_against_the_machine_s_as_the_reference_judges_it(tmp_path):
    """No `now_ms`: the machine's clock, in milliseconds, for the fast reader and the reference alike. An answer 25
    hours ahead is in the future (and skipped, in the reference's words); one an hour ahead is within the day allowed."""
    path = ahead_file(tmp_path)
    got = vectorized([path], BANK.questions)
    assert got == [reference(path, BANK.questions)]
    assert got[0]["problems"] == [f"{path}: responses[1]: 'at' is in the future"]


def test_grade_files_judges_the_future_against_the_machine_s_clock_in_milliseconds(tmp_path):
    """`grade_files` gives its workers one moment for every chunk, the machine's clock in milliseconds: an answer 25
    hours ahead is in the future there too (and skipped), one an hour ahead is within the day allowed."""
    path = ahead_file(tmp_path)
    [ahead] = roster.grade_files([path], BANK, "all")
    assert ahead.problems == [f"{path}: responses[1]: 'at' is in the future"]
    assert [i["question"] for i in ahead.report()["items"]] == [SINGLE.id] and ahead.roster.answered == 1


def test_a_field_the_plain_form_lacks_sends_a_file_to_the_reference_even_in_a_self_rating(tmp_path):
    """A field of no known name is the reference's to judge, at the top or in a self-rating: nested 12 deep, the
    reference refuses the file (too deep), and so must the cohort reader; shallow, both read it."""
    single = next(x for x in BANK.questions.values() if x.kind == "single")
    deep: list = []
    for _ in range(12):
        deep = [deep]
    files = {}
    for where, extra in (("top", deep), ("rating", deep), ("shallow", 1)):
        rating = {"provision": "S5", "stage": "before", "rating": 2, "at": "2026-11-02T09:00:00Z"}
        data = {"schema": "nasams-course/responses@2", "learner": where, "responses": [
            {"question": single.id, "answer": single.option_ids[0], "at": "2026-11-02T10:00:00Z"}],
            "self_ratings": [rating | ({"note": extra} if where == "rating" else {})]}
        files[where] = tmp_path / f"{where}.json"
        files[where].write_text(json.dumps(data | ({} if where == "rating" else {"note": extra})), encoding="utf-8")
    got = vectorized(list(files.values()), BANK.questions, now_ms=GOLDEN["now"])
    assert got == [reference(p, BANK.questions, now_ms=GOLDEN["now"]) for p in files.values()]
    assert ["refused" in g for g in got] == [True, True, False]


def test_calibration_with_empty_certainty_levels_grades_as_the_reference_and_prints_no_warning(tmp_path):
    """One learner states only a high certainty (low and medium empty: 0 of 0), one states none (no level and no CBM
    mark at all): their calibration is the reference's, None where nothing was stated, and numpy prints nothing on
    stderr for a trainer to wonder about."""
    best = next(o.id for o in SINGLE.options if o.credit == 1)
    paths = [write_file(tmp_path / f"{learner}.json", learner,
                           [{"question": SINGLE.id, "answer": best, "at": "2026-11-02T10:00:00Z"} | certainty])
             for learner, certainty in (("Sure", {"certainty": 3}), ("Silent", {}))]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = vectorized(paths, BANK.questions, now_ms=GOLDEN["now"])
    assert got == [reference(p, BANK.questions, now_ms=GOLDEN["now"]) for p in paths]
    sure, silent = (g["report"]["calibration"] for g in got)
    assert [level["mean_score"] for level in sure["levels"]] == [None, None, 1.0] and sure["answers"] == 1
    assert silent["answers"] == 0 and silent["cbm"] is None
    assert all(level["mean_score"] is None for level in silent["levels"])


def test_a_scope_of_no_questions_gives_every_learner_the_empty_report_grade_gives(tmp_path):
    """No question in scope (a session of readings only): every readable file's report is `grade`'s on nothing (no
    item, provision or domain, not complete), with 0 answered and 0 critical errors counted."""
    paths = golden_paths(tmp_path)
    got = vectorized(paths, QS, scope={}, now_ms=GOLDEN["now"])
    assert got == [reference(p, QS, scope={}, now_ms=GOLDEN["now"]) for p in paths]
    reports = [g["report"] for g in got if "report" in g]
    assert reports and all(r["items"] == r["provisions"] == r["domains"] == [] and not r["complete"] for r in reports)


def test_the_cohort_reader_keeps_the_attempts_and_ratings_the_reference_keeps(tmp_path):
    paths = golden_paths(tmp_path)
    cohort = read_cohort(paths, QS, GOLDEN["now"])
    t, r = cohort.attempts, cohort.ratings
    for i, path in enumerate(paths):
        try:
            rs = read_responses(path, QS, GOLDEN["now"])
        except ResponseFileError:
            assert not (t.learner == i).any()
            continue
        mine = t.learner == i
        assert [(t.qids[q], at, seq, c) for q, at, seq, c in zip(t.question[mine], t.at[mine], t.seq[mine],
                                                                 t.certainty[mine], strict=True)] == \
            [(a.question, a.at, a.seq, a.certainty or 0) for a in rs.attempts]
        mine = r.learner == i
        assert list(zip(r.stage[mine], r.rating[mine], r.at[mine], r.seq[mine], strict=True)) == \
            [(("before", "after").index(x.stage), x.rating, x.at, x.seq) for x in rs.ratings]


GOOD_TIMES = ["2026-03-01T10:00:00Z", "2026-03-01T10:00:00.250Z", "2024-02-29T23:59:59.999Z", "1970-01-01T00:00:00Z"]
ODD_TIMES = ["2026-03-01T10:00:00+01:00", "2026-02-29T10:00:00Z", "1969-12-31T23:59:59Z", "2026-13-01T10:00:00Z",
             "2026-03-01T24:00:00Z", "2026-03-01T10:60:00Z", "2999-01-01T00:00:00Z", "2026-03-01T10:00Z", "2026-03-01",
             "２０２６-03-01T10:00:00Z", "2026-03-01T10:00:00.0000Z", "2026-03-01T10:00:00Z\n", "2026-03-01T10:00:00z",
             "2026-03-01 10:00:00Z", 5, None]
#: one thing wrong (or merely unusual) with an entry: each is read by the reference, the rest of the file still fast
ENTRY_DEFECTS = {
    "question": ["g-nowhere", "Bad Id", 7, None, ["g-single"]],
    "answer": ["", [], {}, None, 3, ["a", ["b"]], {"a": [1]}, "zz", ["a", "a"], {"a": 0}, {"a": 5}, {"a": True},
               {"a": 2.0}, {"zz": 1}, ["zz"]],
    "at": ODD_TIMES,
    "certainty": [None, 0, 4, True, 2.0, "2"],
}


def good_answer(q):
    ids = q.option_ids
    if q.kind == "single":
        return st.sampled_from(ids)
    if q.kind == "rate":
        return st.dictionaries(st.sampled_from(ids), st.integers(1, 4), min_size=1)
    return st.lists(st.sampled_from(ids), min_size=1, unique=True)


@st.composite
def response_file(draw):
    """A plain file, most often with one thing wrong or unusual in an entry, a self-rating or the file itself."""
    entries = []
    for _ in range(draw(st.integers(0, 6))):
        qid = draw(st.sampled_from(sorted(QS)))
        entry = {"question": qid, "answer": draw(good_answer(QS[qid])), "at": draw(st.sampled_from(GOOD_TIMES))}
        if draw(st.booleans()):
            entry["certainty"] = draw(st.integers(1, 3))
        entries.append(entry)
    ratings = [{"provision": draw(st.sampled_from(["E4a", "S5", "U7"])), "stage": draw(st.sampled_from(["before",
                "after"])), "rating": draw(st.integers(1, 4)), "at": draw(st.sampled_from(GOOD_TIMES))}
               for _ in range(draw(st.integers(0, 3)))]
    data = {"schema": draw(st.sampled_from(["nasams-course/responses@2", "nasams-course/responses@1"])),
            "learner": draw(st.sampled_from(["Ana", "", "Zoë 日本"])), "responses": entries}
    if ratings or draw(st.booleans()):
        data["self_ratings"] = ratings
    if draw(st.booleans()):
        data["session"] = "s-1"
    where = draw(st.sampled_from(["nothing", "entry", "entry", "entry", "rating", "file"]))
    if where == "entry" and entries:
        entry = draw(st.sampled_from(entries))
        field = draw(st.sampled_from([*ENTRY_DEFECTS, "extra", "missing", "not an object"]))
        if field == "extra":
            entry["note"] = draw(st.sampled_from(["x", [[[[[[[[[1]]]]]]]]]]))
        elif field == "missing":
            del entry[draw(st.sampled_from(["question", "answer", "at"]))]
        elif field == "not an object":
            entries[entries.index(entry)] = draw(st.sampled_from(["x", [], None, 3]))
        else:
            entry[field] = draw(st.sampled_from(ENTRY_DEFECTS[field]))
    elif where == "rating" and ratings:
        rating = draw(st.sampled_from(ratings))
        field, value = draw(st.sampled_from([("provision", "X9"), ("provision", "e4a"), ("provision", 5),
                                             ("stage", "during"), ("rating", 0), ("rating", True), ("rating", 3.0),
                                             ("at", "2026-03-01T10:00:00+01:00"), ("at", "2999-01-01T00:00:00Z"),
                                             ("extra", 1)]))
        rating[field] = value
    elif where == "file":
        key, value = draw(st.sampled_from([("schema", "nasams-course/responses@3"), ("learner", 5),
                                           ("learner", "x" * 201), ("responses", {}), ("self_ratings", None),
                                           ("session", "Bad"), ("session", None), ("extra", [1])]))
        data[key] = value
    return data


RATING_DEFECTS = [("provision", "X9"), ("provision", "e4a"), ("provision", 5), ("stage", "during"), ("rating", 0),
                  ("rating", True), ("rating", 3.0), ("at", "2026-03-01T10:00:00+01:00"),
                  ("at", "2999-01-01T00:00:00Z"), ("extra", 1)]
FILE_DEFECTS = [("schema", "nasams-course/responses@3"), ("learner", 5), ("learner", "x" * 201), ("responses", {}),
                ("self_ratings", None), ("session", "Bad"), ("session", None), ("extra", [1])]


def plain_file() -> dict:
    """A file of the plain form with an entry for every golden question (each kind) and two self-ratings."""
    answers = {"single": lambda q: q.option_ids[0], "multi": lambda q: q.option_ids[:2],
               "rate": lambda q: dict.fromkeys(q.option_ids, 2), "order": lambda q: list(q.option_ids)}
    return {"schema": "nasams-course/responses@2", "learner": "Ana", "session": "s-1",
            "responses": [{"question": q.id, "answer": answers[q.kind](q), "at": GOOD_TIMES[i % 4], "certainty": 2}
                          for i, q in enumerate(QS.values())],
            "self_ratings": [{"provision": "E4a", "stage": "before", "rating": 2, "at": GOOD_TIMES[0]},
                             {"provision": "S5", "stage": "after", "rating": 4, "at": GOOD_TIMES[1]}]}


def one_defect_files() -> list[dict]:
    """The plain file, and the plain file with each one thing wrong or unusual (at each question for the entries)."""
    files = [plain_file()]
    for k in range(len(QS)):
        for field, values in ENTRY_DEFECTS.items():
            for value in values:
                data = plain_file()
                data["responses"][k][field] = value
                files.append(data)
        for change in ("extra", "missing", "not an object"):
            data = plain_file()
            if change == "extra":
                data["responses"][k]["note"] = [[[[[[[[[1]]]]]]]]]
            elif change == "missing":
                del data["responses"][k]["at"]
            else:
                data["responses"][k] = "x"
            files.append(data)
    for field, value in RATING_DEFECTS:
        data = plain_file()
        data["self_ratings"][1][field] = value
        files.append(data)
    for field, value in FILE_DEFECTS:
        data = plain_file()
        data[field] = value
        files.append(data)
    return files


def test_every_single_defect_is_read_as_the_reference_reads_it(tmp_path):
    """Each thing the fast path must not let through, alone in an otherwise plain file: all in one cohort."""
    paths = []
    for i, data in enumerate(one_defect_files()):
        path = tmp_path / f"f{i:03d}.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        paths.append(path)
    now = GOLDEN["now"]
    got = vectorized(paths, QS, now_ms=now)
    assert got == [reference(p, QS, now_ms=now) for p in paths]
    assert got[0]["problems"] == [] and sum(bool(g.get("problems")) or "refused" in g for g in got) > 100


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(response_file(), min_size=1, max_size=6))
def test_any_files_read_and_grade_as_the_reference_reads_and_grades_them(tmp_path, files):
    paths = []
    for i, data in enumerate(files):
        path = tmp_path / f"f{i}.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        paths.append(path)
    now = GOLDEN["now"]
    assert vectorized(paths, QS, now_ms=now) == [reference(p, QS, now_ms=now) for p in paths]


def raw_file(entries: list[str], head: str = '"schema": "nasams-course/responses@2", "learner": "Raw"') -> bytes:
    """A response file written by hand: `entries` are the JSON texts of its entries, as they stand."""
    return ("{" + head + ', "responses": [' + ", ".join(entries) + "]}").encode()


AT = '"at": "2026-03-01T10:00:00Z"'
#: files whose JSON text the fast reader sees as it stands (each answer's text is parsed once, for each question it
#: answers): the same answer text to two questions, one fitting and one not; the same answer in other whitespace;
#: escapes; a key twice (the last counts); numbers orjson does not read; certainties that are not JSON integers
RAW_FILES = {
    "fits-multi.json": raw_file(['{"question": "g-multi", "answer": ["e"], ' + AT + "}"]),
    "not-for-order.json": raw_file(['{"question": "g-order", "answer": ["e"], ' + AT + "}"]),
    "fits-multi-again.json": raw_file(['{"question": "g-multi", "answer": [ "e" ], ' + AT + "}",
                                       '{"question": "g-order", "answer": ["c", "a"], ' + AT + "}"]),
    "escaped.json": raw_file(['{"question": "g-\\u0073ingle", "answer": "\\u0061", ' + AT + "}",
                              '{"question": "g-rate", "answer": {"\\u0062": 4, "a": 1}, ' + AT + "}"]),
    "key-twice.json": raw_file(['{"question": "q-nowhere", "question": "g-single", "answer": "b", ' + AT + "}",
                                '{"question": "g-single", "answer": "c", "answer": "zz", ' + AT + "}"]),
    "learner-twice.json": raw_file(['{"question": "g-single", "answer": "b", ' + AT + "}"],
                                   '"learner": 5, "schema": "nasams-course/responses@2", "learner": "Twice"'),
    "huge-number.json": raw_file(['{"question": "g-rate", "answer": {"a": 1e400}, ' + AT + "}",
                                  '{"question": "g-single", "answer": "a", ' + AT + "}"]),
    "float-certainty.json": raw_file(['{"question": "g-single", "answer": "a", ' + AT + ', "certainty": 2.0}']),
    "bool-certainty.json": raw_file(['{"question": "g-single", "answer": "a", ' + AT + ', "certainty": true}']),
    "null-session.json": raw_file(['{"question": "g-single", "answer": "a", ' + AT + "}"],
                                  '"schema": "nasams-course/responses@2", "learner": "S", "session": null'),
    "latin-1.json": raw_file(['{"question": "g-single", "answer": "a", ' + AT + "}"],
                             '"schema": "nasams-course/responses@2", "learner": "Jos\xe9"').replace(b"\xc3\xa9", b"\xe9"),
    "bom.json": b"\xef\xbb\xbf" + raw_file(['{"question": "g-single", "answer": "d", ' + AT + "}"]),
}


def raw_paths(folder) -> list:
    paths = []
    for name, raw in RAW_FILES.items():
        (folder / name).write_bytes(raw)
        paths.append(folder / name)
    return paths


def test_files_as_written_read_as_the_reference_reads_them(tmp_path):
    """The fast reader works on each answer's JSON text: an answer text that fits one question and not another is
    checked for each, other whitespace and escapes read the same, a key given twice counts once (the last), and
    what orjson or msgspec do not read goes to the reference."""
    paths = raw_paths(tmp_path)
    now = GOLDEN["now"]
    got = vectorized(paths, QS, now_ms=now)
    assert got == [reference(p, QS, now_ms=now) for p in paths]
    by_name = dict(zip(RAW_FILES, got, strict=True))
    assert by_name["fits-multi.json"]["problems"] == [] and by_name["not-for-order.json"]["problems"]
    assert by_name["escaped.json"]["problems"] == [] and by_name["key-twice.json"]["problems"]
    assert [i["question"] for i in by_name["escaped.json"]["report"]["items"]] == ["g-single", "g-rate"]


def test_chunks_read_by_one_worker_remember_texts_but_not_verdicts(tmp_path, monkeypatch):
    """A worker reads chunk after chunk with one set of lookups, which remembers answer texts: the same text to
    another question in a later chunk is still checked against that question (and so with nothing remembered)."""
    paths = raw_paths(tmp_path)[::-1]
    expected = []
    for path in paths:
        ref = reference(path, QS)
        expected.append({"file": str(path), "learner": None, "session": None, "problems": [ref["refused"]],
                         "report": None} if "refused" in ref else {"file": str(path), **ref})
    for chunk, kept in ((1, 500_000), (3, 500_000), (2, 0)):
        monkeypatch.setattr(roster, "CHUNK", chunk)
        monkeypatch.setattr(cohort_files, "TEXTS_KEPT", kept)
        assert [orjson.loads(g.json) for g in roster.grade_files(paths, QS_BANK, "all", workers=1)] == expected


def test_answer_texts_are_parsed_once_none_when_not_json_and_forgotten_past_the_limit(monkeypatch):
    """BankLookups.parsed: each text's value (None for a text that is not JSON), a text met again taken from what it
    remembers; it keeps up to TEXTS_KEPT texts and more, forgetting them all only once it holds more than that."""
    monkeypatch.setattr(cohort_files, "TEXTS_KEPT", 2)
    lookups = cohort_files.BankLookups(QS)
    assert lookups.parsed([b'"a"', b"[1, 2]", b"{not json", b'"a"']) == ["a", [1, 2], None, "a"]
    assert list(lookups.texts) == [b'"a"', b"[1, 2]", b"{not json"]  # 3 > 2: forgotten at the next call
    assert lookups.parsed([b"7"]) == [7] and list(lookups.texts) == [b"7"]
    assert lookups.parsed([b"8"]) == [8] and list(lookups.texts) == [b"7", b"8"]  # 2, not more than 2: kept
    assert lookups.parsed([b"9", b"{not json"]) == [9, None] and list(lookups.texts) == [b"7", b"8", b"9", b"{not json"]
    assert lookups.parsed([b"7"]) == [7] and list(lookups.texts) == [b"7"]


def test_the_fast_reader_reads_bytes_and_decoded_values_alike(tmp_path):
    """`read_plain` takes each file's bytes (as `grade` reads them) or its JSON value (as the gradebook's import
    decodes it): the same files taken, the same columns. (Not a file with a key twice, the first of another type:
    from bytes, msgspec checks each of its values, and the reference reads it; see the test above.)"""
    paths = golden_paths(tmp_path) + [p for p in raw_paths(tmp_path) if p.name != "learner-twice.json"]
    for indent in (None, 1, 2):
        paths.append(tmp_path / f"plain-{indent}.json")
        paths[-1].write_text(json.dumps(plain_file(), indent=indent), encoding="utf-8")
    raws = [p.read_bytes() for p in paths]
    values = []
    for raw in raws:  # as the gradebook's import decodes them (orjson; None for a file it does not read)
        try:
            values.append(orjson.loads(raw.removeprefix(b"\xef\xbb\xbf")))
        except orjson.JSONDecodeError:
            values.append(None)
    bank = cohort_files.BankLookups(QS)
    a, b = cohort_files.read_plain(raws, bank, GOLDEN["now"]), cohort_files.read_plain(values, bank, GOLDEN["now"])
    assert a.taken.tolist() == b.taken.tolist() and a.taken.any() and not a.taken.all()
    assert (a.learner, a.session) == (b.learner, b.session)
    assert a.cols.question[a.keep].tolist() == b.cols.question[b.keep].tolist()
    assert a.at[a.keep].tolist() == b.at[b.keep].tolist() and a.keep.sum() > 20
    assert np.array_equal(a.values(bank.width), b.values(bank.width), equal_nan=True)


def test_calibration_sums_scores_in_order_of_first_appearance_as_the_reference_does(tmp_path):
    """A learner answers every question of the bank in reverse order at one certainty, with partial credit: the
    mean score and CBM mark of that certainty are float sums, which come out as the reference's only when added in
    the order the questions first appear in the file, not the bank's order."""
    answers = {}
    for q in reversed(BANK.questions.values()):
        ids = q.option_ids
        answers[q.id] = {"single": ids[-1], "multi": list(ids[:2]), "rate": {o: 2 for o in ids},
                         "order": list(reversed(ids))}[q.kind]
    path = write_file(tmp_path / "backwards.json", "Backwards", [
        {"question": qid, "answer": answer, "at": "2026-11-02T10:00:00Z", "certainty": 2}
        for qid, answer in answers.items()])
    expected = reference(path, BANK.questions, now_ms=GOLDEN["now"])
    assert expected["report"]["calibration"]["answers"] == len(BANK.questions)
    assert vectorized([path], BANK.questions, now_ms=GOLDEN["now"]) == [expected]


def test_grading_some_learners_of_a_cohort_passes_over_the_self_ratings_of_the_others(tmp_path):
    """The cohort's last learner only rated themselves (no attempt): grading the first learner alone gives the
    reference's report, the other's ratings read by no one."""
    at = "2026-11-02T10:00:00Z"
    paths = [write_file(tmp_path / "Ann.json", "Ann", [{"question": SINGLE.id, "answer": SINGLE.option_ids[0],
                                                           "at": at}]),
             write_file(tmp_path / "Ben.json", "Ben", [],
                           self_ratings=[{"provision": "E4a", "stage": "before", "rating": 2, "at": at}])]
    cohort = read_cohort(paths, BANK.questions, GOLDEN["now"])
    graded = cohort_reports(cohort.attempts, cohort.ratings, [0], ["Ann"], BANK.questions)
    report = orjson.loads(orjson.dumps(graded.reports[0]))
    assert report | {"problems": []} == reference(paths[0], BANK.questions, now_ms=GOLDEN["now"])["report"]
    assert graded.answered == [1] and len(graded.reports) == 1


def test_names_not_one_for_each_learner_are_refused_not_cut_short(tmp_path):
    """`names[i]` is learner `learners[i]`'s name: a list of names longer or shorter than the learners is an
    error, never reports silently dropped or names silently ignored."""
    path = golden_paths(tmp_path)[0]
    cohort = read_cohort([path], QS, GOLDEN["now"])
    for names in ([], ["One", "Two"]):
        with pytest.raises(ValueError):
            cohort_reports(cohort.attempts, cohort.ratings, [0], names, QS)


def fast_and_reference_rows(paths, questions, now_ms=GOLDEN["now"]) -> tuple[list, list]:
    """Each file's attempt rows (question, at, seq, certainty) and self-rating rows (provision, stage, rating, at,
    seq) as the cohort reader keeps them, and as the reference reads them (none for a file it refuses)."""
    cohort = read_cohort(paths, questions, now_ms)
    t, r = cohort.attempts, cohort.ratings
    provisions = list(cohort_files.BankLookups(questions).provision)
    got, expected = [], []
    for i, path in enumerate(paths):
        mine, rated = t.learner == i, r.learner == i
        got.append(([(t.qids[q], at, seq, c) for q, at, seq, c in zip(t.question[mine], t.at[mine], t.seq[mine],
                                                                       t.certainty[mine], strict=True)],
                    [(provisions[p], ("before", "after")[s], x, at, seq) for p, s, x, at, seq in zip(
                        r.provision[rated], r.stage[rated], r.rating[rated], r.at[rated], r.seq[rated], strict=True)]))
        try:
            rs = read_responses(path, questions, now_ms)
        except ResponseFileError:
            expected.append(([], []))
            continue
        expected.append(([(a.question, a.at, a.seq, a.certainty or 0) for a in rs.attempts],
                         [(x.provision, x.stage, x.rating, x.at, x.seq) for x in rs.ratings]))
    return got, expected


def test_the_fast_reader_numbers_each_file_s_entries_and_self_ratings_from_0_and_one_odd_time_sends_only_its_file(
        tmp_path):
    """Several plain files of different lengths in one chunk: each entry's and self-rating's `seq` is its place in
    its own file, from 0, as the reference numbers them. A time the fast reader cannot read (full-width digits) sends
    its file, and only its file, to the reference, and so does a rating of 2.0 in an answer; every time in the other
    files (fractions of a second, a leap day, the epoch) is read as the reference reads it."""
    files = []
    for k in (3, 1, 5, 0, 2):
        data = plain_file()
        data["learner"] = f"L{k}"
        data["responses"] = (data["responses"] * 2)[:k]
        data["self_ratings"] = data["self_ratings"][:k % 3]
        files.append(data)
    odd = plain_file()
    odd["responses"][1]["at"] = "２０２６-03-01T10:00:00Z"
    files.insert(2, odd)
    files.append(plain_file())
    files[-1]["responses"][2]["answer"]["a"] = 2.0  # a rating the reference reads, not the fast reader
    paths = []
    for i, data in enumerate(files):
        paths.append(tmp_path / f"f{i}.json")
        paths[-1].write_text(json.dumps(data), encoding="utf-8")
    plain = cohort_files.read_plain([p.read_bytes() for p in paths], cohort_files.BankLookups(QS), GOLDEN["now"])
    assert plain.taken.tolist() == [True, True, False, True, True, True, False]
    assert plain.seq.tolist() == [0, 1, 2, 0, *range(5), 0, 1, 2, 3, 4, 0, 1, *range(5)]
    got, expected = fast_and_reference_rows(paths, QS)
    assert got == expected
    assert [len(a) for a, _ in got] == [3, 1, 4, 5, 0, 2, 5] and [len(r) for _, r in got] == [0, 1, 2, 2, 0, 2, 2]
    assert vectorized(paths, QS, now_ms=GOLDEN["now"]) == [reference(p, QS, now_ms=GOLDEN["now"]) for p in paths]


def test_an_answer_with_a_list_among_its_options_sends_only_its_file_to_the_reference(tmp_path):
    """An option id that is a list (`["a", ["b"]]`) cannot be looked up among the bank's ids, so the fast reader
    looks up that chunk's option ids one by one: the other files' answers of the same shape (multi and order), with
    their own ids, still fit their questions, and those files stay on the fast path."""
    files = [plain_file() for _ in range(3)]
    multi = next(i for i, q in enumerate(QS.values()) if q.kind == "multi")
    files[1]["responses"][multi]["answer"] = ["a", ["b"]]
    paths = []
    for i, data in enumerate(files):
        paths.append(tmp_path / f"f{i}.json")
        paths[-1].write_text(json.dumps(data), encoding="utf-8")
    plain = cohort_files.read_plain([p.read_bytes() for p in paths], cohort_files.BankLookups(QS), GOLDEN["now"])
    assert plain.taken.tolist() == [True, False, True]
    assert vectorized(paths, QS, now_ms=GOLDEN["now"]) == [reference(p, QS, now_ms=GOLDEN["now"]) for p in paths]


def test_a_bank_without_questions_reads_files_without_entries_as_the_reference_does(tmp_path):
    """A bank of no questions: files with no entry (self-ratings only, a session, nothing at all) are read by the
    fast reader, as the reference reads them; a file with an entry, even one naming the question "", is the
    reference's, refused or reported in its words."""
    files = {"nothing": {"schema": "nasams-course/responses@2", "learner": "N", "responses": []},
             "rated": {"schema": "nasams-course/responses@1", "learner": "R", "session": "s-1", "responses": [],
                       "self_ratings": [{"provision": "S5", "stage": "after", "rating": 3, "at": GOOD_TIMES[1]},
                                        {"provision": "E4a", "stage": "before", "rating": 1, "at": GOOD_TIMES[2]}]},
             "answered": {"schema": "nasams-course/responses@2", "learner": "A", "responses": [
                 {"question": "g-single", "answer": "a", "at": GOOD_TIMES[0]}]},
             "no-id": {"schema": "nasams-course/responses@2", "learner": "E", "responses": [
                 {"question": "", "answer": "a", "at": GOOD_TIMES[0]}]}}  # crashed the fast reader (IndexError)
    paths = []
    for name, data in files.items():
        paths.append(tmp_path / f"{name}.json")
        paths[-1].write_text(json.dumps(data), encoding="utf-8")
    plain = cohort_files.read_plain([p.read_bytes() for p in paths], cohort_files.BankLookups({}), GOLDEN["now"])
    assert plain.taken.tolist() == [True, True, False, False]
    got, expected = fast_and_reference_rows(paths, {})
    assert got == expected and [len(r) for _, r in got] == [0, 2, 0, 0]
    assert vectorized(paths, {}, now_ms=GOLDEN["now"]) == [reference(p, {}, now_ms=GOLDEN["now"]) for p in paths]


def test_files_right_at_the_limits_are_read_fast_and_past_them_by_the_reference(tmp_path):
    """A file of exactly MAX_FILE_BYTES (padded with spaces after its JSON), a learner of exactly MAX_LEARNER_CHARS
    UTF-16 units (emoji count two), exactly MAX_ENTRIES entries and MAX_RATINGS self-ratings: within the reference's
    limits, so the fast reader takes them; one byte, unit, entry or self-rating more, and the reference refuses them
    (in its words)."""
    from nasams_course.responses import MAX_ENTRIES, MAX_FILE_BYTES, MAX_LEARNER_CHARS, MAX_RATINGS

    entry = {"question": "g-single", "answer": "b", "at": GOOD_TIMES[0]}
    rating = {"provision": "S5", "stage": "after", "rating": 3, "at": GOOD_TIMES[1]}
    raws = []
    for more in (0, 1):
        small = json.dumps(plain_file()).encode()
        raws.append(small + b" " * (MAX_FILE_BYTES + more - len(small)))
        raws.append(json.dumps(plain_file() | {"learner": "\U0001f600" * (MAX_LEARNER_CHARS // 2) + "x" * more}).encode())
        raws.append(json.dumps(plain_file() | {"responses": [entry] * (MAX_ENTRIES + more)}).encode())
        raws.append(json.dumps(plain_file() | {"self_ratings": [rating] * (MAX_RATINGS + more)}).encode())
    paths = []
    for i, raw in enumerate(raws):
        paths.append(tmp_path / f"f{i}.json")
        paths[-1].write_bytes(raw)
    assert len(raws[0]) == MAX_FILE_BYTES
    plain = cohort_files.read_plain(raws, cohort_files.BankLookups(QS), GOLDEN["now"])
    assert plain.taken.tolist() == [True] * 4 + [False] * 4
    got = vectorized(paths, QS, now_ms=GOLDEN["now"])
    assert got == [reference(p, QS, now_ms=GOLDEN["now"]) for p in paths]
    assert [g.get("problems") for g in got[:4]] == [[]] * 4
    assert [g["refused"].removeprefix(f"{p}: ") for g, p in zip(got[4:], paths[4:], strict=True)] == [
        "the file is larger than 5 MB", f"'learner' is longer than {MAX_LEARNER_CHARS} characters",
        f"more than {MAX_ENTRIES:,} responses", f"more than {MAX_RATINGS:,} self-ratings"]


#: times the fast reader reads (leap days of years divisible by 4 and by 400 but not of those by 100 alone, 2020 a
#: multiple of 101 too, the first years of an era of 400, the ends of July and December, fractions of a second, the
#: epoch, up to exactly a day ahead of 2500-01-01), and times it leaves to the reference (not a date, a colon for a
#: digit, before 1970, more than a day ahead, an offset, no offset, a fraction of other than 3 digits)
FAST_TIMES = ["2000-02-29T12:00:00Z", "2400-02-29T23:59:59.999Z", "2104-02-29T00:00:00.001Z", "2020-02-29T00:00:00Z",
              "2099-12-31T23:59:59Z", "1970-01-01T00:00:00.000Z", "2500-01-01T23:59:59.999Z", "2500-01-02T00:00:00Z",
              "2004-12-31T23:59:59.999Z", "2100-03-01T00:00:00Z", "2026-07-31T12:00:00Z", "2026-08-01T00:00:00.001Z"]
OTHER_TIMES = ["2026-13-01T10:00:00Z", "2100-02-29T00:00:00Z", "2200-02-29T00:00:00Z", "2300-02-29T00:00:00.500Z", "2101-02-29T00:00:00Z",
               "2026-03-0:T10:00:00Z", "2026-03-01T10:00:0:Z", "2026-03-01T10:00:00.00:Z", "1969-12-31T23:59:59.999Z",
               "2500-01-02T00:00:00.001Z", "2026-03-01T10:00:00+00:00", "1970-01-01T00:30:00+01:00",
               "2026-03-01T10:00:00", "2026-03-01T10:00:00.5Z"]


def test_every_time_the_fast_reader_reads_is_the_reference_s_and_every_other_is_left_to_it(tmp_path):
    """Against a clock at 2500-01-01, each time in a file of its own (in an entry, and in a self-rating): the fast
    reader takes the file exactly when the time is of its form and a valid one (leap days by the Gregorian rules,
    not before 1970, not more than a day ahead), reads it as the reference does, and leaves every other to the
    reference, which skips or reads it in its own words. Each time read fast is the reference's to the millisecond."""
    now = datetime(2500, 1, 1, tzinfo=UTC).timestamp() * 1000
    paths = []
    for i, at in enumerate(FAST_TIMES + OTHER_TIMES):
        for where in ("responses", "self_ratings"):
            data = plain_file()
            data[where][0]["at"] = at
            paths.append(tmp_path / f"{where}-{i}.json")
            paths[-1].write_text(json.dumps(data), encoding="utf-8")
    plain = cohort_files.read_plain([p.read_bytes() for p in paths], cohort_files.BankLookups(QS), now)
    assert plain.taken.tolist() == [True] * 2 * len(FAST_TIMES) + [False] * 2 * len(OTHER_TIMES)
    got = vectorized(paths, QS, now_ms=now)
    assert got == [reference(p, QS, now_ms=now) for p in paths]
    # skipped, but for the last four: with an offset (even one a few minutes before 1970 in UTC), none, one digit
    assert [bool(g["problems"]) for g in got] == [False] * 2 * len(FAST_TIMES) + [True] * 2 * 10 + [False] * 2 * 4
    rows, expected = fast_and_reference_rows(paths, QS, now)
    assert rows == expected and [r[0][0][1] for r in rows[:2 * len(FAST_TIMES):2]] == [
        parse_time(at) for at in FAST_TIMES]


def test_an_unknown_option_id_is_refused_on_every_question_as_the_reference_refuses_it(tmp_path):
    """For each golden question, a file answering it with an option id no question has (alone, or after one of its
    own options; for a rate question rated 2): the fast reader reads it as the reference does, the entry skipped
    with the reference's words. The question that holds the bank's last option id (in sorted order) is among them:
    an unknown id must not be read as that option."""
    unknown = "zz-no-such-option"
    last = max(o for q in QS.values() for o in q.option_ids)
    assert unknown > last and any(last in q.option_ids for q in QS.values())
    answers = {"single": lambda q: [unknown], "multi": lambda q: [[unknown], [q.option_ids[0], unknown]],
               "rate": lambda q: [{unknown: 2}, {q.option_ids[0]: 2, unknown: 2}],
               "order": lambda q: [[unknown], [*q.option_ids[:-1], unknown]]}
    paths = []
    for q in QS.values():
        for k, answer in enumerate(answers[q.kind](q)):
            data = plain_file()
            data["responses"] = [{"question": q.id, "answer": answer, "at": GOOD_TIMES[0]}]
            paths.append(tmp_path / f"{q.id}-{k}.json")
            paths[-1].write_text(json.dumps(data), encoding="utf-8")
    got = vectorized(paths, QS, now_ms=GOLDEN["now"])
    assert got == [reference(p, QS, now_ms=GOLDEN["now"]) for p in paths]
    assert all(len(g["problems"]) == 1 and f"unknown option '{unknown}'" in g["problems"][0] for g in got), got
