"""The gradebook (nasams_course/training/gradebook.py): one SQLite file of a cohort's attempts. Import is atomic per
file, idempotent and merges a learner's files; the file reader accepts and refuses exactly what
nasams_course.responses does, with its messages; the database feeds the cohort grader and exports its attempts."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import re
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import old_gradebook
import orjson
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from conftest import REPO, collecting_stats, golden, golden_questions
from conftest import run as run_cli
from nasams_course.catalog import load_catalog
from nasams_course.content.models import Question
from nasams_course.grading.cohort import cohort_frames, grade_cohort, selections_frame
from nasams_course.responses import (
    SESSION_MESSAGE,
    ResponseFileError,
    decode,
    format_time,
    parse_responses,
    read_responses,
)
from nasams_course.training import gradebook as gb

QS = golden_questions()
NOW = golden("response-files.json")["now"]  # 2026-12-01T00:00:00Z


def entry(question="g-single", answer="a", at="2026-11-02T10:00:00.000Z", **more):
    return {"question": question, "answer": answer, "at": at, **more}


def write(path, learner="Ana Ruiz", entries=(), **more):
    data = {"schema": "nasams-course/responses@2", "learner": learner, "responses": list(entries), **more}
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def import_files(db, paths, session=None):
    return gb.import_files(db, paths, session=session, questions=QS, now_ms=NOW)


def contents(db) -> dict[str, list]:
    """Every row of every table (the import times left out of files: they differ between two imports)."""
    con = sqlite3.connect(db)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        out = {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}"))) for t in tables if t != "files"}
        out["files"] = sorted(con.execute("SELECT id, name, sha256, learner, session FROM files"))
        return out
    finally:
        con.close()


@pytest.fixture
def three(tmp_path):
    """Three good files of two learners (Ana's two overlap in one attempt)."""
    a1 = write(tmp_path / "ana-1.json", "Ana Ruiz", [
        entry("g-single", "b", "2026-11-02T10:00:00.000Z", certainty=1),
        entry("g-single", "a", "2026-11-02T10:05:00.000Z", certainty=3),
        entry("g-multi", ["b", "a"], "2026-11-02T10:06:00.000Z")])
    bo = write(tmp_path / "bo.json", "Bo Chen", [
        entry("g-rate", {"a": 4, "b": 1, "c": 3, "d": 2}, "2026-11-02T10:01:00.000Z"),
        entry("g-order", ["a", "b", "c", "d"], "2026-11-02T10:02:00.000Z", certainty=2)],
        self_ratings=[{"provision": "S5", "stage": "before", "rating": 2, "at": "2026-11-02T09:59:00.000Z"}])
    a2 = write(tmp_path / "ana-2.json", "Ana Ruiz", [
        entry("g-single", "a", "2026-11-02T10:05:00.000Z", certainty=3),  # also in ana-1.json
        entry("g-order", ["b", "a", "c", "d"], "2026-11-02T11:00:00.000Z")])
    return a1, bo, a2


# -- import: atomic, idempotent, merging ---------------------------------------------------------------------------


def test_a_refused_file_in_the_middle_leaves_the_gradebook_as_it_was(tmp_path, three):
    a1, bo, _ = three
    bad = write(tmp_path / "bad.json", "Cy", [entry("g-single", "a"), entry("g-nowhere", "a")])
    db = tmp_path / "gb.sqlite"
    import_files(db, [a1])
    before = contents(db)
    result = import_files(db, [bad])
    assert [f.status for f in result.files] == ["refused"]
    assert result.files[0].problems == [f"{bad}: responses[1] (question 'g-nowhere'): unknown question"]
    assert contents(db) == before  # not even the learner Cy
    result = import_files(tmp_path / "all.sqlite", [a1, bad, bo])
    assert [f.status for f in result.files] == ["imported", "refused", "imported"]
    assert not result.ok


def test_a_file_that_fails_while_it_is_stored_leaves_nothing_behind(tmp_path, three):
    """The transaction itself: a failure after some of a file's rows are written rolls all of them back."""
    a1, bo, _ = three
    db = tmp_path / "gb.sqlite"
    import_files(db, [a1])
    before = contents(db)
    reader = gb.Reader(QS, load_catalog().ids, NOW)
    record = reader.read(bo)
    assert len(record.attempts) and record.ratings and not record.problems
    record.ratings = [("S5", "before", 7, "2026-11-02T09:59:00.000Z", 0)]  # the ratings go in last: CHECK fails
    con = gb.connect(db)
    with pytest.raises(sqlite3.IntegrityError):
        gb.Writer(con, QS).store(record)
    assert not con.in_transaction
    con.close()
    assert contents(db) == before


def test_importing_the_same_files_again_adds_nothing(tmp_path, three):
    db = tmp_path / "gb.sqlite"
    first = import_files(db, three)
    assert [f.status for f in first.files] == ["imported"] * 3
    before = contents(db)
    again = import_files(db, [three[1], three[0], three[2]])
    assert [f.status for f in again.files] == ["already imported"] * 3 and again.added == 0 and again.ok
    assert again.files[0].imported_as == str(three[1])
    assert contents(db) == before
    copy = tmp_path / "renamed.json"
    copy.write_bytes(three[0].read_bytes())
    assert import_files(db, [copy]).files[0].status == "already imported"  # the same bytes under another name


def test_the_same_bytes_twice_in_one_import_are_stored_once(tmp_path, three):
    """A file and its copy under another name, in one import: the copy is already imported, as the file (the
    writer's set of SHA-256s, not only the database's, knows the file it has just stored)."""
    db, want = tmp_path / "gb.sqlite", tmp_path / "want.sqlite"
    copy = tmp_path / "copy.json"
    copy.write_bytes(three[0].read_bytes())
    result = import_files(db, [three[0], copy, three[1]])
    assert [f.status for f in result.files] == ["imported", "already imported", "imported"] and result.ok
    assert result.files[1].imported_as == str(three[0]) and result.added == sum(f.added for f in result.files)
    assert import_files(want, [three[0], three[1]]).ok
    assert contents(db) == contents(want)


def test_an_import_stores_ids_beyond_53_bits_exactly(tmp_path, three):
    """The writer's rows are integers, not floats: in a gradebook whose learners' ids pass 2**53 (a database edited
    by hand), a new learner's attempts name that learner, not the nearest float to its id."""
    db = tmp_path / "gb.sqlite"
    con = gb.connect(db, create=True)
    con.execute("INSERT INTO learners (id, name) VALUES (?, 'Big')", (2**53 + 2,))
    con.close()
    assert import_files(db, three[:1]).ok
    con = sqlite3.connect(db)
    (learner,), = con.execute("SELECT id FROM learners WHERE name != 'Big'").fetchall()
    assert learner == 2**53 + 3
    assert {row[0] for row in con.execute("SELECT learner FROM attempts")} == {learner}
    con.close()


def test_an_import_stores_answer_ids_beyond_53_bits_exactly(tmp_path, three, monkeypatch):
    """As the learners' ids above: in a gradebook whose answers' ids pass 2**53 (a database edited by hand), each
    attempt names its own answer, not the nearest float to its id: found in the writer's dict (the first file) or,
    once moved there (after every file, here), in its sorted arrays (a second learner giving the same answers)."""
    monkeypatch.setattr(gb, "ANSWERS_MERGED", 0)
    db = tmp_path / "gb.sqlite"
    con = gb.connect(db, create=True)
    con.execute("INSERT INTO answers (id, answer) VALUES (?, '\"z\"')", (2**53 + 2,))
    con.close()
    a1 = three[0]
    cy = write(tmp_path / "cy.json", "Cy", json.loads(a1.read_text(encoding="utf-8"))["responses"])
    assert [(f.attempts, f.added) for f in import_files(db, [a1, cy]).files] == [(3, 3), (3, 3)]
    con = sqlite3.connect(db)
    stored = dict(con.execute("SELECT answer, id FROM answers"))
    assert stored == {'"z"': 2**53 + 2, '"b"': 2**53 + 3, '"a"': 2**53 + 4, '["a","b"]': 2**53 + 5}
    assert sorted(con.execute("SELECT l.name, a.answer FROM attempts a JOIN learners l ON l.id = a.learner")) == [
        (name, 2**53 + k) for name in ("Ana Ruiz", "Cy") for k in (3, 4, 5)]
    con.close()


def test_two_files_of_one_learner_merge_into_the_union_of_their_attempts(tmp_path, three):
    a1, _, a2 = three
    db = tmp_path / "gb.sqlite"
    result = import_files(db, [a1, a2])
    assert [(f.attempts, f.added) for f in result.files] == [(3, 3), (2, 1)]
    table = gb.attempts_table(db)
    assert set(table["learner"]) == {"Ana Ruiz"}
    got = set(zip(table["question"], table["answer"], table["at"], strict=True))
    assert got == {("g-single", '"b"', "2026-11-02T10:00:00.000Z"), ("g-single", '"a"', "2026-11-02T10:05:00.000Z"),
                   ("g-multi", '["a","b"]', "2026-11-02T10:06:00.000Z"),
                   ("g-order", '["b","a","c","d"]', "2026-11-02T11:00:00.000Z")}
    assert list(table["file"]) == [str(a1)] * 3 + [str(a2)]  # the shared attempt stays with the first file
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*) FROM learners").fetchone() == (1,)


def test_the_same_attempt_written_another_way_is_the_same_attempt(tmp_path):
    """Identical in question, answer and time: a multi answer's order and the time's notation do not matter."""
    db = tmp_path / "gb.sqlite"
    one = write(tmp_path / "one.json", "Ana", [entry("g-multi", ["a", "b"], "2026-11-02T10:00:00.000Z")])
    two = write(tmp_path / "two.json", "Ana", [entry("g-multi", ["b", "a"], "2026-11-02T11:00:00+01:00")])
    assert [f.added for f in import_files(db, [one, two]).files] == [1, 0]


def test_an_unnamed_file_is_refused(tmp_path):
    path = write(tmp_path / "anon.json", "  ", [entry()])
    result = import_files(tmp_path / "gb.sqlite", [path])
    assert result.files[0].problems == [f"{path}: 'learner' is empty; the gradebook needs the learner's name"]


# -- sessions ----------------------------------------------------------------------------------------------------


def test_sessions_from_the_file_or_the_command_line_and_their_conflict(tmp_path):
    db = tmp_path / "gb.sqlite"
    own = write(tmp_path / "own.json", "Ana", [entry()], session="spring-2026")
    plain = write(tmp_path / "plain.json", "Bo", [entry()])
    result = import_files(db, [own, plain], session="spring-2026")
    assert [(f.status, f.session) for f in result.files] == [("imported", "spring-2026")] * 2
    other = write(tmp_path / "other.json", "Cy", [entry()], session="autumn-2026")
    result = import_files(db, [other], session="spring-2026")
    assert result.files[0].problems == [
        f"{other}: the file is for session 'autumn-2026', not 'spring-2026' (--session)"]
    assert import_files(db, [other]).files[0].session == "autumn-2026"
    bad = write(tmp_path / "bad.json", "Di", [entry()], session="Spring 2026")
    assert import_files(db, [bad]).files[0].problems == [f"{bad}: {SESSION_MESSAGE}"]
    # Ana's next file holds her spring attempt again (the book keeps every attempt): it stays in spring
    later = write(tmp_path / "ana-later.json", "Ana", [entry(), entry("g-single", "b", "2026-11-20T10:00:00.000Z")],
                  session="autumn-2026")
    assert import_files(db, [later]).files[0].added == 1
    frame = gb.sessions(db).set_index("session")
    assert frame.loc["spring-2026", ["learners", "files", "attempts"]].tolist() == [2, 2, 2]
    assert frame.loc["autumn-2026", ["learners", "files", "attempts"]].tolist() == [2, 2, 2]
    autumn = gb.attempts_table(db, "autumn-2026")
    assert sorted(zip(autumn["learner"], autumn["at"], strict=True)) == [
        ("Ana", "2026-11-20T10:00:00.000Z"), ("Cy", "2026-11-02T10:00:00.000Z")]
    with pytest.raises(gb.GradebookError, match="must be lower-case letters"):
        import_files(db, [plain], session="Not A Slug")


# -- the schema --------------------------------------------------------------------------------------------------


def test_schema_version_and_migrations_run_again_safely(tmp_path, three):
    db = tmp_path / "gb.sqlite"
    import_files(db, three)
    con = sqlite3.connect(db)
    assert con.execute("SELECT version FROM schema_version").fetchall() == [(len(gb.MIGRATIONS),)]
    assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    con.close()
    before = contents(db)
    con = gb.connect(db)
    assert gb.migrate(con) == len(gb.MIGRATIONS) and con.execute("PRAGMA foreign_keys").fetchone() == (1,)
    con.close()
    assert contents(db) == before
    con = sqlite3.connect(db)
    con.execute("UPDATE schema_version SET version = 99")
    con.commit()
    con.close()
    with pytest.raises(gb.GradebookError, match="newer than this course reads"):
        gb.connect(db)


def test_migrations_are_applied_in_order_from_the_version_a_gradebook_has(tmp_path, monkeypatch):
    db = tmp_path / "gb.sqlite"
    gb.connect(db, create=True).close()
    monkeypatch.setattr(gb, "MIGRATIONS", [*gb.MIGRATIONS, "CREATE TABLE later (x INTEGER)",
                                           "INSERT INTO later VALUES (1); INSERT INTO later VALUES (2)"])
    con = gb.connect(db)
    assert con.execute("SELECT version FROM schema_version").fetchone() == (len(gb.MIGRATIONS),)
    assert con.execute("SELECT x FROM later").fetchall() == [(1,), (2,)]
    con.close()
    gb.connect(db).close()  # nothing applied twice
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM later").fetchone() == (2,)


def test_a_gradebook_that_lost_its_version_row_is_refused_as_damaged_and_left_as_it_is(tmp_path, three):
    """A gradebook whose one row of `schema_version` was deleted (by hand) is of version 0 to `schema_version`, but
    opening it is refused with a message that says what is wrong and what to do (before, the first migration ran again
    and failed with SQLite's own words), and no migration is run over it."""
    db = tmp_path / "gb.sqlite"
    import_files(db, three)
    con = sqlite3.connect(db)
    con.execute("DELETE FROM schema_version")
    con.commit()
    assert gb.schema_version(con) == 0
    con.close()
    before = contents(db)
    with pytest.raises(gb.GradebookError, match=f"^{re.escape(str(db))} is damaged: its schema version is missing "
                       r"\(edited by hand\?\); it was left as it was: import the response files into a new gradebook$"):
        gb.connect(db)
    assert contents(db) == before


def test_a_folder_or_an_empty_file_is_no_gradebook_and_an_empty_file_can_become_one(tmp_path, three):
    """A folder is refused with a message that says so; an empty file (as `touch` leaves it) is no gradebook yet: not
    opened, but made one by an import, which stores its files there."""
    with pytest.raises(gb.GradebookError, match=f"^{re.escape(str(tmp_path))} is a folder, not a gradebook$"):
        gb.connect(tmp_path, create=True)
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    with pytest.raises(gb.GradebookError, match=f"^{re.escape(str(empty))}: no such gradebook"):
        gb.connect(empty)
    assert import_files(empty, three).ok
    assert gb.schema_version(sqlite3.connect(empty)) == len(gb.MIGRATIONS)
    assert len(gb.attempts_table(empty)) == 6


def test_a_file_is_recorded_as_imported_at_the_time_of_its_import(tmp_path, three):
    """`imported_at` (what an import says of a file already imported) is the time the import ran, as ISO UTC text to
    the millisecond: not 1970, nor a time months away."""
    db = tmp_path / "gb.sqlite"
    before = format_time(datetime.now(UTC).timestamp() * 1000)
    assert import_files(db, three[:1]).ok
    after = format_time(datetime.now(UTC).timestamp() * 1000)
    again = import_files(db, three[:1]).files[0]
    assert again.status == "already imported" and again.imported_as == str(three[0])
    assert before <= again.imported_at <= after and len(again.imported_at) == 24


def attempt_indexes(db) -> set[str]:
    con = sqlite3.connect(db)
    try:
        return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'index' "
                                          "AND tbl_name = 'attempts' AND sql IS NOT NULL")}
    finally:
        con.close()


def test_a_new_gradebook_keeps_attempts_as_integers_in_one_btree(tmp_path, three):
    """Schema version 4: the attempts table is integers only, WITHOUT ROWID, keyed by the uniqueness that merges a
    learner's files, and has no other index (the one by question went in version 3, the one by session in 4)."""
    db = tmp_path / "gb.sqlite"
    import_files(db, three)
    con = sqlite3.connect(db)
    sql = con.execute("SELECT sql FROM sqlite_master WHERE name = 'attempts'").fetchone()[0]
    assert "WITHOUT ROWID" in sql and "PRIMARY KEY (learner, question, at_ms, answer)" in sql
    assert {r[1]: r[2] for r in con.execute("PRAGMA table_info(attempts)")} == dict.fromkeys(
        ["learner", "question", "at_ms", "answer", "certainty", "file", "seq"], "INTEGER")
    con.close()
    assert attempt_indexes(db) == set()


def v3_files(tmp_path, monkeypatch) -> list[tuple[list[str], str | None]]:
    """The files of the schema-3 gradebook golden/gradebook-v3.sql, written into `tmp_path` (the working folder:
    they are named as they were, relative), and the imports that made it, with the refused files left out."""
    old_gradebook.write_files(tmp_path)
    monkeypatch.chdir(tmp_path)
    return [([n for n in names if n not in ("bad.json",)], session) for names, session in old_gradebook.V3_IMPORTS]


def test_old_gradebooks_for_the_tests_are_what_the_schema_3_code_wrote(tmp_path, monkeypatch):
    """`old_gradebook.old_gradebook` (which makes gradebooks of versions 1 to 3 for the tests below) writes, for the
    files of golden/gradebook-v3.sql, the very rows the schema-3 code wrote."""
    imports = v3_files(tmp_path, monkeypatch)
    old_gradebook.load_dump(tmp_path / "real.sqlite", gb.APPLICATION_ID)
    old_gradebook.old_gradebook(tmp_path / "made.sqlite", 3, imports, QS)
    assert contents(tmp_path / "made.sqlite") == contents(tmp_path / "real.sqlite")


@pytest.mark.parametrize("version", [1, 2, 3, "dump"])
def test_an_old_gradebook_moves_to_schema_4_with_nothing_lost(tmp_path, monkeypatch, version):
    """A gradebook of version 1, 2 or 3 (the dump: written by the schema-3 code itself) opens at version 4: its
    export is byte for byte what the schema-3 code exported, the grader's frame and the sessions are the same, each
    attempt keeps its learner, session, question, answer, certainty, time and file, and the gradebook equals one
    made by importing the same files now (but for `seq`: its attempts' order within their file, the same order)."""
    imports = v3_files(tmp_path, monkeypatch)
    old = tmp_path / "old.sqlite"
    if version == "dump":
        old_gradebook.load_dump(old, gb.APPLICATION_ID)
    else:
        old_gradebook.old_gradebook(old, version, imports, QS)
    con = sqlite3.connect(old)
    before = sorted(map(repr, con.execute("SELECT l.name, a.session, q.question, an.answer, a.certainty, a.at, a.at_ms, f.name "
                                "FROM attempts a JOIN learners l ON l.id = a.learner JOIN questions q ON "
                                "q.id = a.question JOIN answers an ON an.id = a.answer JOIN files f ON f.id = a.file")))
    con.close()
    assert len(before) == 12
    gb.connect(old).close()
    assert gb.schema_version(sqlite3.connect(old)) == 4 and attempt_indexes(old) == set()
    read = json.loads(old_gradebook.V3_READ.read_text(encoding="utf-8"))
    gb.export(old, "csv", tmp_path / "export.csv")
    assert (tmp_path / "export.csv").read_text(encoding="utf-8") == read["export_csv"]
    assert json.loads(gb.attempts_frame(old).to_json(orient="records")) == read["attempts_frame"]
    con = sqlite3.connect(old)
    assert sorted(map(repr, con.execute("SELECT learner, session, question, answer, certainty, at, at_ms, file "
                                        "FROM attempts_readable"))) == before
    con.close()
    new = tmp_path / "new.sqlite"
    for names, session in imports:
        assert import_files(new, names, session=session).ok
    assert without_seq(contents(old)) == without_seq(contents(new))
    pd.testing.assert_frame_equal(gb.sessions(old), gb.sessions(new))
    # the sessions as the schema-3 code listed them, but for the attempts of the files with no session: it said 0
    assert json.loads(gb.sessions(old).to_json(orient="records")) == [
        {**row, "attempts": 2} if row["session"] is None else row for row in read["sessions"]]
    assert gb.attempts_table(old).equals(gb.attempts_table(new))


def without_seq(rows: dict[str, list]) -> dict[str, list]:
    """The contents, the attempts without their last column (`seq`)."""
    return {**rows, "attempts": sorted(r[: r.rindex(",")] + ")" for r in rows["attempts"])}


@pytest.mark.parametrize("change", [
    "UPDATE attempts SET at = '2026-11-02T10:00:00Z' WHERE id = 1",  # at and at_ms say the same time...
    "UPDATE attempts SET at = '2026-11-02T10:00:00.001Z' WHERE id = 1",  # ... or not
    "UPDATE attempts SET session = 'autumn-2026' WHERE id = 1",  # not its file's session
    "UPDATE attempts SET session = NULL WHERE id = 1",
])
def test_a_gradebook_that_would_lose_something_stays_at_version_3(tmp_path, change):
    """Version 4 keeps no session nor time text of its own: a version 3 gradebook whose attempts hold something else
    there is not moved (a one-line message), and is left as it was."""
    old = tmp_path / "old.sqlite"
    old_gradebook.load_dump(old, gb.APPLICATION_ID)
    con = sqlite3.connect(old)
    con.execute(change)
    con.commit()
    con.close()
    before = contents(old)
    with pytest.raises(gb.GradebookError, match=r"^1 attempt\(s\) of the gradebook .* cannot be moved to schema "
                                                "version 4, and is left as it is$"):
        gb.connect(old)
    assert contents(old) == before and gb.schema_version(sqlite3.connect(old)) == 3


def test_the_time_as_text_is_made_from_at_ms_as_format_time_writes_it():
    """The attempts' `at` (export, `attempts_readable`) is made by SQLite from at_ms (AT_TEXT): the text
    responses.format_time writes, for times from 1970 to 2100 (leap days, the last millisecond of a year, ...; a
    file holds no time more than a day ahead)."""
    import random

    rng = random.Random(4)
    times = [0, 1, 999, 1000, 951_782_400_000, 951_868_799_999, 1_709_164_800_123, 1_767_225_599_999,
             1_793_613_660_000, 4_102_444_799_999] + [rng.randrange(0, 4_102_444_800_000) for _ in range(3000)]
    con = sqlite3.connect(":memory:")
    sql = gb.AT_TEXT.format(ms="?")
    assert [con.execute(f"SELECT {sql}", (ms, ms)).fetchone()[0] for ms in times] == [format_time(ms) for ms in times]


def test_the_readers_hand_the_writer_numbers_that_are_the_answers_canonical_json():
    """AnswerKeys: every answer to every question of the real bank (each single option, subsets, ratings and orders
    at random) has one number, the same for a multi answer in any order, and back to its canonical JSON."""
    import random

    from nasams_course.content.loader import course_bank

    bank = course_bank().questions
    keys, rng, seen = gb.AnswerKeys(bank), random.Random(7), {}
    def any_answer(kind: str, ids: list[str]):
        some = rng.sample(ids, rng.randint(1, len(ids)))
        return {"single": some[0], "multi": some, "rate": {o: rng.randint(1, 4) for o in some},
                "order": rng.sample(ids, len(ids))}[kind]

    for place, q in enumerate(bank.values()):
        ids = q.option_ids
        for answer in [any_answer(q.kind, ids) for _ in range(40)] + ([[*reversed(ids)], ids] if q.kind == "multi"
                                                                       else []):
            key = int(keys.keys(np.array([place]), keys.values(place, answer)[None, :])[0])
            text = gb.canonical_answer(q, answer)
            assert keys.text(key) == text and seen.setdefault(key, (q.id, text)) == (q.id, text)
    assert len(set(seen.values())) == len(seen) > 3000  # one number, one answer to one question


def test_another_sqlite_file_is_not_a_gradebook_and_is_left_alone(tmp_path):
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE notes (x TEXT)")
    con.commit()
    con.close()
    for call in (lambda: gb.connect(other), lambda: gb.connect(other, create=True), lambda: gb.sessions(other)):
        with pytest.raises(gb.GradebookError, match="is not a gradebook"):
            call()
    con = sqlite3.connect(other)
    assert [r[0] for r in con.execute("SELECT name FROM sqlite_master")] == ["notes"]
    with pytest.raises(gb.GradebookError, match="no such gradebook"):
        gb.sessions(tmp_path / "missing.sqlite")


# -- reading the gradebook ---------------------------------------------------------------------------------------


def test_the_gradebook_feeds_the_cohort_grader_as_the_files_do(tmp_path):
    paths = sorted((REPO / "answers" / "responses").glob("*.json"))
    db = tmp_path / "gb.sqlite"
    assert gb.import_files(db, paths).ok
    from nasams_course.content.loader import course_bank

    bank = course_bank().questions
    by_learner: dict[str, list] = {}
    for path in paths:
        rs = read_responses(path, bank)
        by_learner.setdefault(rs.learner, []).extend(rs.attempts)
    for which in ("latest", "first"):
        ours = grade_cohort(gb.attempts_frame(db), bank, which=which)
        files = grade_cohort(selections_frame(by_learner), bank, which=which)
        for name in ("items", "provisions", "domains", "learners"):
            key = [c for c in ("learner", "question", "provision", "domain") if c in ours[name]]
            a = ours[name].astype({k: str for k in key}).sort_values(key).reset_index(drop=True)
            b = files[name].astype({k: str for k in key}).sort_values(key).reset_index(drop=True)
            pd.testing.assert_frame_equal(a, b)


def test_attempts_frame_orders_attempts_by_time_across_files(tmp_path):
    db = tmp_path / "gb.sqlite"
    late = write(tmp_path / "late.json", "Ana", [entry("g-single", "a", "2026-11-02T12:00:00.000Z")])
    early = write(tmp_path / "early.json", "Ana", [entry("g-single", "b", "2026-11-02T09:00:00.000Z")])
    import_files(db, [late, early])
    items = grade_cohort(gb.attempts_frame(db), QS)["items"]
    first = grade_cohort(gb.attempts_frame(db), QS, which="first")["items"]
    assert items["score"].tolist() == [QS["g-single"].options[0].credit]  # "a", the later attempt, counts
    assert first["score"].tolist() == [QS["g-single"].options[1].credit]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_round_trips_the_attempts(tmp_path, three, fmt):
    db = tmp_path / "gb.sqlite"
    import_files(db, three)
    out = tmp_path / f"attempts.{fmt}"
    assert gb.export(db, fmt, out) == 6  # 3 + 2 + 2, one of them twice
    table = gb.attempts_table(db)
    back = pd.read_csv(out, keep_default_na=False, na_values=[""]) if fmt == "csv" else pd.read_parquet(out)
    assert len(back) == len(table) == 6
    assert list(back.columns) == gb.ATTEMPT_COLUMNS
    for column in gb.ATTEMPT_COLUMNS:
        assert [None if pd.isna(v) else v for v in back[column]] == [None if pd.isna(v) else v for v in table[column]]


def test_the_attempts_table_holds_what_the_files_say(tmp_path, three):
    db = tmp_path / "gb.sqlite"
    import_files(db, three)
    table = gb.attempts_table(db)
    row = table[(table["learner"] == "Bo Chen") & (table["question"] == "g-rate")].iloc[0]
    assert json.loads(row["answer"]) == {"a": 4, "b": 1, "c": 3, "d": 2} and pd.isna(row["certainty"])
    assert (row["at"], row["at_ms"], row["file"]) == ("2026-11-02T10:01:00.000Z", 1793613660000, str(three[1]))
    con = sqlite3.connect(db)
    assert con.execute("SELECT provision, stage, rating, at FROM self_ratings").fetchall() == [
        ("S5", "before", 2, "2026-11-02T09:59:00.000Z")]


def test_many_files_read_in_a_pool_and_bulk_loaded_give_the_same_gradebook(tmp_path, three, monkeypatch):
    paths = list(three) + [write(tmp_path / f"l{i}.json", f"Learner {i}", [
        entry("g-single", "abcd"[i % 4], f"2026-11-02T10:{i:02d}:00.000Z"),
        entry("g-multi", ["a", "c"], f"2026-11-02T11:{i:02d}:00.000Z", certainty=1 + i % 3)]) for i in range(12)]
    paths.insert(5, write(tmp_path / "bad.json", "Bad", [entry("g-single", "z")]))
    one_by_one = import_files(tmp_path / "plain.sqlite", paths)
    monkeypatch.setattr(gb, "POOL_FROM", 2)
    monkeypatch.setattr(gb, "BULK_FROM", 2)
    monkeypatch.setattr(gb, "READ_CHUNK", 2)  # many chunks, read ahead of the writer by a few
    monkeypatch.setattr(gb, "READ_AHEAD", 1)
    pooled = import_files(tmp_path / "bulk.sqlite", paths)
    assert [f.to_json() for f in pooled.files] == [f.to_json() for f in one_by_one.files]
    assert contents(tmp_path / "bulk.sqlite") == contents(tmp_path / "plain.sqlite")
    con = sqlite3.connect(tmp_path / "bulk.sqlite")
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []


def test_the_writer_finds_answers_met_before_in_its_sorted_arrays_as_in_its_dict(tmp_path, three, monkeypatch):
    """The writer keeps the answers it has met in a dict, and moves them by turns to two sorted arrays (from
    gb.ANSWERS_MERGED on): moved after every file, the gradebook is the same, every attempt naming its answer's id."""
    paths = list(three) + [write(tmp_path / f"l{i}.json", f"Learner {i}", [
        entry("g-single", "abcd"[i % 4], f"2026-11-02T10:{i:02d}:00.000Z"),
        entry("g-multi", [["a", "c"], ["c"], ["b", "a"]][i % 3], f"2026-11-02T11:{i:02d}:00.000Z")]) for i in range(9)]
    import_files(tmp_path / "dict.sqlite", paths)
    merged = []
    real = gb.Writer._merge_answers_met
    monkeypatch.setattr(gb.Writer, "_merge_answers_met", lambda self: merged.append(1) or real(self))
    monkeypatch.setattr(gb, "ANSWERS_MERGED", 0)
    import_files(tmp_path / "arrays.sqlite", paths)
    assert len(merged) >= 5
    assert contents(tmp_path / "arrays.sqlite") == contents(tmp_path / "dict.sqlite")
    table = gb.attempts_table(tmp_path / "arrays.sqlite")
    assert sorted(set(table["answer"])) == sorted({'"a"', '"b"', '"c"', '"d"', '["a","b"]', '["a","c"]', '["c"]',
                                                   '["a","b","c","d"]', '["b","a","c","d"]',
                                                   '{"a":4,"b":1,"c":3,"d":2}'})


@pytest.mark.parametrize("session", [None, "s-two"])
def test_a_large_gradebook_read_by_processes_gives_what_one_process_reads(tmp_path, three, monkeypatch, session):
    """A gradebook of gb.PARALLEL_READ_FROM attempts or more is read by processes, each a range of learners: the same
    AttemptTable, rows in the same order (by learner, then as stored: by file, then place in the file), and the same
    names as one process reads, for the whole gradebook and for one session. The learners' files are imported in an
    order other than the learners' (Ana, Bo, Ana, then eight more learners, two of them in session s-two)."""
    more = [write(tmp_path / f"l{i}.json", f"Learner {i}", [
        entry("g-single", "abcd"[i % 4], f"2026-11-02T10:{i:02d}:00.000Z"),
        entry("g-multi", ["a", "c"][: 1 + i % 2], f"2026-11-02T09:{i:02d}:00.000Z", certainty=1 + i % 3)],
        **({"session": "s-two"} if i in (3, 6) else {})) for i in range(8)]
    db = tmp_path / "gb.sqlite"
    import_files(db, [*three, *more[:3]])
    import_files(db, more[3:], session=None)
    import_files(db, [write(tmp_path / "ana-3.json", "Ana Ruiz", [entry("g-rate", {"a": 1, "b": 2, "c": 3, "d": 4})],
                            session="s-two")])

    def read():
        table, names = gb.attempt_arrays(db, QS, session)
        return {f: np.asarray(getattr(table, f)).tolist() for f in ("learner", "question", "at", "seq", "answer")}, \
            np.nan_to_num(table.values, nan=-1).tolist(), table.qids, names

    one = read()
    assert len(one[0]["learner"]) == (5 if session else 23)
    parts = []
    real = gb._read_in_parts
    monkeypatch.setattr(gb, "_read_in_parts", lambda *a: parts.append(a[-1]) or real(*a))
    monkeypatch.setattr(gb, "PARALLEL_READ_FROM", 1)
    monkeypatch.setattr(gb, "processors", lambda: 3)
    assert read() == one
    assert parts == [[(1, 4), (5, 7), (8, 10)]]  # ten learners in three ranges: each read by a process


@pytest.mark.parametrize("read", ["packed", "by processes", "unpacked"])
def test_the_reports_table_carries_each_attempts_certainty(tmp_path, three, monkeypatch, read):
    """attempt_arrays gives each attempt's certainty as stored (0 where none was stated), as the cohort grader's
    table from files does, however the gradebook is read: packed in one integer with the ids, by processes, or column
    by column (ids too large to pack). Ana: 1 and 3 and none in her first file, none for her second file's new attempt
    (its other is the first file's again); Bo: none, then 2."""
    db = tmp_path / "gb.sqlite"
    import_files(db, three)
    if read == "by processes":
        monkeypatch.setattr(gb, "PARALLEL_READ_FROM", 1)
        monkeypatch.setattr(gb, "processors", lambda: 2)
    elif read == "unpacked":
        monkeypatch.setattr(gb, "AT_MS_BITS", 60)
    table, names = gb.attempt_arrays(db, QS)
    assert names == ["Ana Ruiz", "Bo Chen"]
    got = list(zip(np.asarray(table.learner).tolist(), [table.qids[q] for q in table.question],
                   np.asarray(table.certainty).tolist(), strict=True))
    assert got == [(0, "g-single", 1), (0, "g-single", 3), (0, "g-multi", 0), (0, "g-order", 0),
                   (1, "g-rate", 0), (1, "g-order", 2)]


def test_a_gradebook_whose_name_holds_uri_characters_is_read_by_processes(tmp_path, three, monkeypatch):
    """The processes of a large read open the gradebook by a read-only URI: a name with a space, "#", "?" or "%" is
    the same file, read as one process reads it (not another file, not a traceback)."""
    db = tmp_path / "cohort #1 ?a=b 50%.sqlite"
    import_files(db, three)
    one = gb.attempt_arrays(db, QS)
    monkeypatch.setattr(gb, "PARALLEL_READ_FROM", 1)
    monkeypatch.setattr(gb, "processors", lambda: 2)
    two = gb.attempt_arrays(db, QS)
    assert two[1] == one[1] == ["Ana Ruiz", "Bo Chen"]
    assert np.asarray(two[0].answer).tolist() == np.asarray(one[0].answer).tolist() and len(one[0].answer) == 6
    made = {p.name for p in tmp_path.iterdir() if p.suffix != ".json"}
    assert made <= {db.name, f"{db.name}-wal", f"{db.name}-shm"}, made  # no other file opened, or made


def test_a_file_of_many_attempts_is_stored_whole_and_in_its_order(tmp_path):
    """The writer stores a file's attempts gb.ROWS_PER_INSERT to a statement, and the rest in one more: every attempt
    of a file of 2 x 64 + 5 is stored (one, identical to an earlier one in another statement, once), with its
    certainty, in the file's order."""
    times = [format_time(1_793_613_600_000 + 1000 * k) for k in range(2 * gb.ROWS_PER_INSERT + 5)]
    entries = [entry("g-multi" if k % 3 else "g-single", ["a", "c"] if k % 3 else "abcd"[k % 4], at,
                     **({"certainty": 1 + k % 3} if k % 2 else {})) for k, at in enumerate(times)]
    entries[100] = entries[3]
    path = write(tmp_path / "many.json", "Ana", entries)
    result = import_files(tmp_path / "gb.sqlite", [path])
    assert [(f.attempts, f.added) for f in result.files] == [(len(entries), len(entries) - 1)]
    table = gb.attempts_table(tmp_path / "gb.sqlite")
    kept = entries[:100] + entries[101:]
    assert list(zip(table["question"], table["answer"].map(json.loads), table["at"],
                    [None if pd.isna(c) else c for c in table["certainty"]], strict=True)) == sorted(
        [(e["question"], sorted(e["answer"]) if isinstance(e["answer"], list) else e["answer"], e["at"],
          e.get("certainty")) for e in kept], key=lambda row: row[2])
    con = sqlite3.connect(tmp_path / "gb.sqlite")
    assert [r[0] for r in con.execute("SELECT seq FROM attempts ORDER BY at_ms")] == [
        k for k in range(len(entries)) if k != 100]  # each attempt's place in the file


@pytest.mark.parametrize("grouped", [True, False])
def test_a_writer_reads_the_gradebook_again_when_another_import_wrote_meanwhile(tmp_path, three, grouped):
    """The writer holds the gradebook's ids and SHA-256s: when another import wrote in between, it reads them again
    as it takes the write lock (a group's transaction, or a file's own)."""
    a1, bo, a2 = three
    db = tmp_path / "gb.sqlite"
    con = gb.connect(db, create=True)
    writer = gb.Writer(con, QS)
    assert import_files(db, [a1]).ok  # another import, meanwhile
    reader = gb.Reader(QS, load_catalog().ids, NOW)
    with writer.group() if grouped else contextlib.nullcontext():
        assert writer.store(reader.read(a1)).status == "already imported"
        assert writer.store(reader.read(a2)).added == 1
        assert writer.store(reader.read(bo)).added == 2
    con.close()
    want = tmp_path / "want.sqlite"
    assert import_files(want, [a1, a2, bo]).ok
    assert contents(db) == contents(want)


@pytest.mark.parametrize("gap", [False, True])
def test_a_bulk_import_that_stored_a_reference_to_nothing_says_so(tmp_path, three, monkeypatch, gap):
    """A bulk import checks the foreign keys at its end: an attempt naming an answer that is not stored is found, by
    the ranges of ids (every table's ids from 1 on, as the writer stores them) or, when a table has a gap, row by
    row."""
    db = tmp_path / "gb.sqlite"
    if gap:  # a learner with id 5 and none with 1 to 4
        con = gb.connect(db, create=True)
        con.execute("INSERT INTO learners (id, name) VALUES (5, 'Gap')")
        con.close()
    real = gb.Writer._answer_ids
    monkeypatch.setattr(gb.Writer, "_answer_ids", lambda self, keys: [i + 1000 for i in real(self, keys)])
    monkeypatch.setattr(gb, "BULK_FROM", 2)
    with pytest.raises(gb.GradebookError) as refused:
        import_files(db, three)
    monkeypatch.undo()
    broken = gb.broken_references(sqlite3.connect(tmp_path / "gb.sqlite"))
    assert len(broken) == 6 and (gap or broken[0] != broken[1])  # by the ranges: the attempts' rows themselves
    assert str(refused.value) == f"{db}: 6 rows refer to rows that are not there (first: {broken[0]})"
    good = tmp_path / "good.sqlite"
    assert import_files(good, three).ok and gb.broken_references(sqlite3.connect(good)) == []


# -- one reader's rules: what responses.py accepts and refuses, with its messages ----------------------------------


def reference(raw: bytes, name: str = "f.json") -> tuple[list[str], str, list[tuple], list[tuple]]:
    """responses.py's verdict on a file: problems (every one refuses the file), learner, attempts, ratings."""
    try:
        rs = parse_responses(decode(raw), QS, name, NOW)
    except ResponseFileError as exc:
        return [str(exc) if str(exc).startswith(name) else f"{name}: {exc}"], "", [], []
    attempts = [(a.question, gb.canonical_answer(QS[a.question], a.answer), a.certainty, format_time(a.at), int(a.at))
                for a in rs.attempts]
    return rs.problems, rs.learner, attempts, [(r.provision, r.stage, r.rating, format_time(r.at), int(r.at))
                                               for r in rs.ratings]


#: one reader for many files, as an import has: what it remembers of one file must not change its verdict on another
SHARED = gb.Reader(QS, load_catalog().ids, NOW)


def ours(raw: bytes, name: str = "f.json") -> tuple[list[str], str, list[tuple], list[tuple]]:
    record = SHARED.check(gb.FileRecord(name), raw, None)
    if record.problems:
        return record.problems, "", [], []
    return record.problems, record.learner, SHARED.rows(record), record.ratings


@pytest.mark.parametrize("case", golden("response-files.json")["cases"], ids=lambda c: c["name"])
def test_the_golden_response_files_are_read_as_responses_reads_them(case):
    raw = json.dumps(case["file"]).encode()
    got, want = ours(raw), reference(raw)
    if want[0] or not want[1].strip():  # refused (an unnamed file too, by the gradebook's own rule)
        assert got[0][: len(want[0])] == want[0] and got[0]
    else:
        assert got == want


def test_files_as_the_book_writes_them_take_the_fast_path(monkeypatch, three):
    def slow(*args):
        raise AssertionError("the file went through parse_responses")

    monkeypatch.setattr(gb.Reader, "_reference", slow)
    reader = gb.Reader(QS, load_catalog().ids, NOW)
    assert all(not reader.read(p).problems for p in three)
    notepad = three[0].with_name("notepad.json")  # saved by Notepad: a byte-order mark first
    notepad.write_bytes(b"\xef\xbb\xbf" + three[0].read_bytes())
    assert reader.rows(reader.read(notepad)) == reader.rows(reader.read(three[0]))


TIMES = ["2026-11-02T10:00:00.000Z", "2026-11-02T10:00:59.999Z", "2026-11-30T23:59:59.123Z", "2026-12-01T23:59:59.999Z",
         "2026-12-02T00:00:00.001Z", "2026-12-02T00:00:00.000Z", "2999-01-01T00:00:00.000Z", "1969-12-31T23:59:59.000Z",
         "2026-02-30T10:00:00.000Z", "2026-11-02T24:00:00.000Z", "2026-11-02T10:60:00.000Z", "2026-11-02T10:00:60.000Z",
         "2026-11-02T10:00:00Z", "2026-11-02T10:00Z", "2026-11-02T10:00:00.000+02:00", "2026-11-02T10:00:00.000",
         "2026-11-02T10:00:00.0000", "2026-11-02t10:00:00.000Z", "2026-11-02T10:00:0٣.000Z", "2026-11-02T10:00:00.000Z\n",
         "２026-11-02T10:00:00.000Z", 1788256800000, None]
ANSWERS = ["a", "b", "z", "", "A", ["a"], ["a", "b"], ["b", "a"], ["a", "a"], [], ["a", 1], [["a"]], ["a", "b", "c", "d"],
           ["d", "c", "b", "a"], ["x", "y", "z"], {"a": 1}, {"a": 4, "b": 3, "c": 2, "d": 1}, {"a": True}, {"a": 2.0},
           {"a": 5}, {"a": 0}, {}, {"a": [1]}, {"z": 1}, None, 1, True]
QUESTIONS = ["g-single", "g-multi", "g-rate", "g-order", "g-order3", "g-nowhere", "G-single", 7, ["g-single"], None]
CERTAINTIES = [1, 2, 3, 0, 4, 2.0, True, "2", None, [1]]


@st.composite
def entries(draw):
    e = {"question": draw(st.sampled_from(QUESTIONS)), "answer": draw(st.sampled_from(ANSWERS)),
         "at": draw(st.sampled_from(TIMES))}
    for key in ("question", "answer", "at"):
        if draw(st.integers(0, 30)) == 0:
            del e[key]
    if draw(st.booleans()):
        e["certainty"] = draw(st.sampled_from(CERTAINTIES))
    if draw(st.integers(0, 10)) == 0:
        e["note"] = draw(st.sampled_from(["x", [[[[[[[1]]]]]]], 12345678901234567890123]))
    return e if draw(st.integers(0, 40)) else draw(st.sampled_from(["junk", 3, [e]]))


@st.composite
def ratings(draw):
    r = {"provision": draw(st.sampled_from(["S5", "E4a", "Z9", "s5", 5])),
         "stage": draw(st.sampled_from(["before", "after", "during", ["before"]])),
         "rating": draw(st.sampled_from([1, 4, 0, 5, 2.0, True, 12345678901234567890123])),
         "at": draw(st.sampled_from(TIMES))}
    if draw(st.integers(0, 20)) == 0:
        r.popitem()
    return r


@st.composite
def files(draw):
    data = {"schema": draw(st.sampled_from(["nasams-course/responses@2"] * 6 + [
                "nasams-course/responses@1", "nasams-course/responses@01", "nasams-course/responses@3", "x"])),
            "learner": draw(st.sampled_from(["Ana", "Bo Chen", "x" * 150, "y" * 201, "Ⅻ" * 120, 5])),
            "responses": draw(st.lists(entries(), max_size=8))}
    if draw(st.booleans()):
        data["self_ratings"] = draw(st.one_of(st.lists(ratings(), max_size=4), st.just(None), st.just({})))
    if draw(st.integers(0, 10)) == 0:
        data["extra"] = draw(st.sampled_from([1, "x", [1], {"a": [[[[[[[1]]]]]]]}]))
    if draw(st.integers(0, 4)) == 0:
        data["session"] = draw(st.sampled_from(["spring-2026", "Spring 2026", 7, None, ["spring-2026"]]))
    raw = json.dumps(data, indent=draw(st.sampled_from([None, 2])), ensure_ascii=draw(st.booleans())).encode()
    return (b"\xef\xbb\xbf" + raw) if draw(st.integers(0, 10)) == 0 else raw


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files())
def test_any_file_is_read_as_responses_reads_it(raw):
    got, want = ours(raw), reference(raw)
    if want[0]:
        assert got[0] == want[0]
    else:
        assert got == want


GOOD_ENTRIES = [entry("g-single", "a", certainty=2), entry("g-multi", ["a", "c"], "2026-11-02T10:01:00.000Z"),
                entry("g-rate", {"a": 4, "b": 1, "c": 3, "d": 2}, "2026-11-02T10:02:00.000Z", certainty=1),
                entry("g-order", ["a", "b", "c", "d"], "2026-11-02T10:03:00.000Z")]
GOOD_RATING = {"provision": "S5", "stage": "after", "rating": 3, "at": "2026-11-02T11:00:00.000Z"}


def one_odd_thing():
    """A file as the book writes it, with one thing changed: every question x answer, time, certainty, extra field,
    and self-rating field of the lists above (each in an otherwise good file, so the fast path sees it)."""
    for q in QUESTIONS:
        for a in ANSWERS:
            yield {"responses": [*GOOD_ENTRIES, entry(q, a)]}
    for at in TIMES:
        yield {"responses": [*GOOD_ENTRIES, entry(at=at)]}
    for c in CERTAINTIES:
        yield {"responses": [*GOOD_ENTRIES, entry(certainty=c)]}
    for extra in ("x", [[[[[[1]]]]]], [[[[[[[1]]]]]]], 12345678901234567890123, None):
        yield {"responses": [*GOOD_ENTRIES, entry(note=extra)]}
        yield {"responses": [*GOOD_ENTRIES, entry(certainty=2, note=extra)]}
        yield {"responses": GOOD_ENTRIES, "extra": extra}
    for key, values in (("provision", ["E4a", "Z9", "s5", 5]), ("stage", ["before", "during", ["after"]]),
                        ("rating", [1, 4, 0, 5, 2.0, True]), ("at", TIMES)):
        for value in values:
            yield {"responses": GOOD_ENTRIES, "self_ratings": [GOOD_RATING, {**GOOD_RATING, key: value}]}
    yield {"responses": GOOD_ENTRIES, "self_ratings": [GOOD_RATING, {**GOOD_RATING, "note": 1}]}
    for learner in ("x" * 100, "x" * 101, "x" * 200, "x" * 201, "😀" * 100, "😀" * 101):
        yield {"responses": GOOD_ENTRIES, "learner": learner}
    for session in ("spring-2026", "Spring 2026", "x" * 80, "x" * 81, 7, None, ["spring-2026"]):
        yield {"responses": GOOD_ENTRIES, "session": session}


def test_one_odd_thing_in_a_good_file_is_read_as_responses_reads_it():
    for odd in one_odd_thing():
        raw = json.dumps({"schema": "nasams-course/responses@2", "learner": "Ana", **odd}, indent=2).encode()
        got, want = ours(raw), reference(raw)
        assert got == want if not want[0] else got[0] == want[0], odd


def test_bytes_that_are_not_a_response_file_get_the_messages_of_responses(tmp_path):
    for raw in (b"\xff\xfe", b"{", b'{"a": NaN}', b"[" * 50_000 + b"]" * 50_000, b'"\\ud800"'):
        assert ours(raw) == reference(raw)
    reader = gb.Reader(QS, load_catalog().ids, NOW)
    assert reader.read(tmp_path / "missing.json").problems == [f"{tmp_path / 'missing.json'}: no such file"]
    assert reader.read(tmp_path).problems == [f"{tmp_path}: is a folder, not a response file"]


# -- the command line --------------------------------------------------------------------------------------------


def run(*args, cwd=REPO):
    """`nasams-course ARGS` in this process (conftest.run: seen by `make mutate`)."""
    return run_cli(*args, cwd=cwd)


def real_file(path, learner="Ana Ruiz", answer="listen-only", **more):
    return write(path, learner, [entry("q-s5-sister-first-response", answer, "2026-11-02T10:00:00.000Z")], **more)


def test_cli_import_list_export_and_exit_codes(tmp_path):
    db = tmp_path / "cohort.sqlite"
    ana, bo = real_file(tmp_path / "ana.json"), real_file(tmp_path / "bo.json", "Bo")
    out = run("gradebook", "import", ana, bo, "--db", db, "--session", "s-1")
    assert out.returncode == 0, out.stderr
    assert f"{ana}: imported 1 attempt (Ana Ruiz, session s-1)" in out.stdout
    out = run("gradebook", "import", ana, "--db", db)
    assert out.returncode == 0 and f"{ana}: already imported (as {ana}," in out.stdout
    bad = real_file(tmp_path / "bad.json", answer="no-such-option")
    out = run("gradebook", "import", bad, bo, "--db", db)
    assert out.returncode == 1 and f"{bad}: refused, nothing stored:" in out.stdout
    assert "unknown option 'no-such-option'" in out.stdout and "Traceback" not in out.stderr
    out = run("gradebook", "list", "--db", db, "--json")
    assert out.returncode == 0 and json.loads(out.stdout) == [
        {"session": "s-1", "title": None, "learners": 2, "files": 2, "attempts": 2}]
    csv = tmp_path / "attempts.csv"
    out = run("gradebook", "export", "--db", db, "--format", "csv", "--out", csv, "--session", "s-1")
    assert out.returncode == 0 and out.stdout.strip() == f"wrote 2 attempts to {csv}"
    assert len(pd.read_csv(csv)) == 2


@pytest.mark.parametrize("args", [
    ("gradebook", "list", "--db", "{tmp}/missing.sqlite"),
    ("gradebook", "list", "--db", "{tmp}/not-a-gradebook.txt"),
    ("gradebook", "list", "--db", "{tmp}"),
    ("gradebook", "export", "--db", "{tmp}/not-a-gradebook.txt", "--format", "csv", "--out", "{tmp}/x.csv"),
    ("gradebook", "import", "{tmp}/ana.json", "--db", "{tmp}/not-a-gradebook.txt"),
    ("gradebook", "import", "{tmp}/ana.json", "--db", "{tmp}/gb.sqlite", "--session", "Bad Id"),
    ("gradebook", "import", "{tmp}/ana.json", "--db", "{tmp}/no/such/folder/gb.sqlite"),
    ("gradebook", "export", "--db", "{tmp}/gb.sqlite", "--format", "csv", "--out", "{tmp}/x.csv", "--session", "nope"),
    ("gradebook", "export", "--db", "{tmp}/gb.sqlite", "--format", "csv", "--out", "{tmp}/no/such/folder/x.csv"),
])
def test_cli_gradebook_errors_are_one_line_with_status_2(tmp_path, args):
    (tmp_path / "not-a-gradebook.txt").write_text("hello\n" * 200)
    real_file(tmp_path / "ana.json")
    gb.import_files(tmp_path / "gb.sqlite", [tmp_path / "ana.json"])
    out = run(*(a.format(tmp=tmp_path) for a in args))
    assert out.returncode == 2, out.stdout + out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and out.stderr.startswith("nasams-course: ")
    assert "Traceback" not in out.stderr
    assert (tmp_path / "not-a-gradebook.txt").read_text() == "hello\n" * 200


def test_cli_import_help_documents_the_exit_codes():
    out = run("gradebook", "import", "--help")
    assert out.returncode == 0
    text = " ".join(out.stdout.split())
    assert "Exit status: 0 every file imported" in text and "1 a file was refused" in text and "2 the command" in text


# -- many files at once: the cohort's fast reader, savepoints in one transaction -----------------------------------


@pytest.fixture(scope="module")
def real_cohort(tmp_path_factory):
    """A generated cohort of the real bank (every fifth learner one or two chapters only; times with and without
    milliseconds) with files off the plain path among them: a skipped entry, a time with an offset, a byte-order
    mark, a second file of one learner, broken JSON."""
    from nasams_course.bench import write_cohort

    folder = tmp_path_factory.mktemp("real-cohort")
    paths = write_cohort(folder, 12, seed=5, partial=True)
    data = json.loads(paths[3].read_text())
    data["responses"][0]["at"] = data["responses"][0]["at"][:19] + "Z"  # no milliseconds: still the plain path
    paths[3].write_text(json.dumps(data, indent=2), encoding="utf-8")
    odd = {"skipped.json": {**data, "responses": [*data["responses"][:3], {"question": "q-nowhere", "answer": "a",
                                                                             "at": data["responses"][0]["at"]}]},
           "offset.json": {**data, "learner": "Offset", "responses": [{**data["responses"][1],
                                                                       "at": "2026-11-02T12:00:00+02:00"}]},
           "second-file.json": {**json.loads(paths[0].read_text()), "responses": data["responses"][:5]}}
    for name, value in odd.items():
        (folder / name).write_text(json.dumps(value), encoding="utf-8")
    (folder / "bom.json").write_bytes(b"\xef\xbb\xbf" + paths[5].read_bytes().replace(b"Learner 00006", b"Bom"))
    (folder / "broken.json").write_text("{not json")
    extra = [folder / n for n in (*odd, "bom.json", "broken.json")]
    return [*paths[:4], extra[0], *paths[4:8], *extra[1:], *paths[8:]]


def as_read(reader, record) -> dict:
    """A record, its attempts as rows of text (see Reader.rows) and as the integers handed to the writer."""
    return {**record.__dict__, "attempts": reader.rows(record), "numbers": record.attempts.tolist()}


def test_files_read_many_at_once_are_read_as_each_alone_and_as_responses_reads_them(real_cohort):
    """The cohort's fast reader (cohort_files.read_plain) takes the plain files of a chunk column by column and
    splits the columns file by file; each file must come out as it does read on its own, and as responses.py reads
    it (an unnamed file aside: the gradebook refuses it by its own rule)."""
    from nasams_course.content.loader import course_bank

    bank = course_bank().questions
    reader = gb.Reader(bank, load_catalog().ids, NOW)
    together = reader.read_many([str(p) for p in real_cohort], None, set())
    alone = [gb.Reader(bank, load_catalog().ids, NOW).read(p) for p in real_cohort]
    assert [as_read(reader, r) for r in together] == [as_read(reader, r) for r in alone]
    assert sum(bool(r.problems) for r in together) == 2 and sum(not r.problems for r in together) == 15
    for path, record in zip(real_cohort, together, strict=True):
        raw = path.read_bytes()
        try:
            rs = parse_responses(decode(raw), bank, str(path), NOW)
        except ResponseFileError:
            assert record.problems
            continue
        assert record.problems == rs.problems
        assert record.learner == rs.learner and reader.rows(record) == [
            (a.question, gb.canonical_answer(bank[a.question], a.answer), a.certainty, format_time(a.at), int(a.at))
            for a in rs.attempts]
        assert record.ratings == [(r.provision, r.stage, r.rating, format_time(r.at), int(r.at)) for r in rs.ratings]


def test_plain_files_of_the_real_bank_take_the_fast_path(real_cohort, monkeypatch):
    def slow(*args):
        raise AssertionError("the file went through parse_responses")

    from nasams_course.content.loader import course_bank

    monkeypatch.setattr(gb.Reader, "_reference", slow)
    plain = [p for p in real_cohort if p.name.startswith("learner-")] + [real_cohort[0].with_name("bom.json")]
    records = gb.Reader(course_bank().questions, load_catalog().ids, NOW).read_many(list(map(str, plain)), None, set())
    assert all(len(r.attempts) and not r.problems for r in records)


def test_a_canonical_answer_is_the_text_json_dumps_writes():
    """The gradebook stores each distinct answer once, by its text: the text must stay what earlier gradebooks hold
    (json.dumps, compact, keys sorted, non-ASCII as it is)."""
    from nasams_course.content.loader import course_bank
    from nasams_course.trainer import critical_answer, keyed_answer, weak_answer

    for q in course_bank().questions.values():
        for answer in (keyed_answer(q), weak_answer(q), critical_answer(q), q.option_ids[0]):
            if answer is not None and (q.kind in ("single",) or not isinstance(answer, str)):
                want = json.dumps(sorted(answer) if q.kind == "multi" else answer, separators=(",", ":"),
                                  sort_keys=True, ensure_ascii=False)
                assert gb.canonical_answer(q, answer) == want, q.id


def test_a_file_that_fails_inside_a_group_is_rolled_back_alone(tmp_path, three):
    """Many files in one transaction, each in a savepoint: a failure while one is stored takes back that file only
    (its new learner, answers and attempts), keeps the files before it, and the writer goes on with the ids it
    still has."""
    a1, bo, a2 = three
    reader = gb.Reader(QS, load_catalog().ids, NOW)
    first, bad, after = reader.read(a1), reader.read(bo), reader.read(a2)
    bad.ratings = [("S5", "before", 7, "2026-11-02T09:59:00.000Z", 0)]  # stored last: its CHECK fails
    db = tmp_path / "gb.sqlite"
    con = gb.connect(db, create=True)
    writer = gb.Writer(con, QS)
    with pytest.raises(sqlite3.IntegrityError), writer.group():
        writer.store(first)
        writer.store(bad)
    assert not con.in_transaction
    with writer.group():
        writer.store(after)
        again = reader.read(bo)
        writer.store(again)
    con.close()
    want = tmp_path / "want.sqlite"
    assert import_files(want, [a1, a2, bo]).ok
    assert contents(db) == contents(want)


def test_an_import_stopped_by_a_failure_keeps_the_files_stored_before_it(tmp_path, three, monkeypatch):
    a1, bo, a2 = three
    real = gb.Writer.store

    def failing(self, record):
        if record.name == str(bo):
            record.ratings = [("S5", "before", 7, "2026-11-02T09:59:00.000Z", 0)]
        return real(self, record)

    monkeypatch.setattr(gb.Writer, "store", failing)
    with pytest.raises(sqlite3.IntegrityError):
        import_files(tmp_path / "gb.sqlite", [a1, bo, a2])
    monkeypatch.setattr(gb.Writer, "store", real)
    assert import_files(tmp_path / "want.sqlite", [a1]).ok
    assert contents(tmp_path / "gb.sqlite") == contents(tmp_path / "want.sqlite")


# -- what the mutation tests found unguarded (tools/mutation: `make mutate`) ---------------------------------------


def test_a_file_read_alone_takes_the_session_given_unless_it_names_another(tmp_path):
    reader = gb.Reader(QS, load_catalog().ids, NOW)
    plain = write(tmp_path / "plain.json", "Ana", [entry()])
    own = write(tmp_path / "own.json", "Bo", [entry()], session="autumn-2026")
    assert reader.read(plain, "spring-2026").session == "spring-2026"
    assert reader.read(plain).session is None
    assert reader.read(own, "spring-2026").problems == [
        f"{own}: the file is for session 'autumn-2026', not 'spring-2026' (--session)"]
    assert reader.read(own).session == "autumn-2026"


def test_broken_references_name_each_attempt_that_refers_to_nothing(tmp_path, three):
    """A bulk import's check of the foreign keys: with every table's ids from 1 on (as the writer stores them), the
    attempts are checked by ranges and a broken one is given as its row; with a gap in a table's ids (here a learner
    3 that is not there, between 2 and 4) row by row, and an attempt naming the missing id is found too."""
    db = tmp_path / "gb.sqlite"
    import_files(db, three)
    con = sqlite3.connect(db)  # foreign keys not enforced: the references can be broken by hand
    assert gb.broken_references(con) == []
    con.execute("UPDATE attempts SET answer = answer + 1000 WHERE file = 2 AND seq = 1")
    assert gb.broken_references(con) == con.execute("SELECT * FROM attempts WHERE file = 2 AND seq = 1").fetchall()
    con.execute("INSERT INTO learners (id, name) VALUES (4, 'Di')")
    con.execute("UPDATE attempts SET learner = 3 WHERE file = 1 AND seq = 0")
    assert sorted(gb.broken_references(con)) == [("attempts", None, "answers", 1), ("attempts", None, "learners", 3)]
    con.execute("UPDATE files SET learner = 3 WHERE id = 3")
    con.execute("INSERT INTO self_ratings (provision, stage, rating, at, at_ms, learner, session, file) "
                "VALUES ('S5', 'after', 2, '2026-11-02T10:00:00.000Z', 1793613600000, 1, NULL, 9)")
    rating = con.execute("SELECT MAX(rowid) FROM self_ratings").fetchone()[0]
    assert sorted(gb.broken_references(con)) == [("attempts", None, "answers", 1), ("attempts", None, "learners", 3),
                                                  ("files", 3, "learners", 1), ("self_ratings", rating, "files", 0)]
    con.close()


def test_the_grader_gets_one_session_from_the_gradebook_its_learners_in_the_order_first_imported(tmp_path):
    """attempts_frame: the attempts of the session asked for, and the learners in the order the gradebook first met
    them (Ana's first file holds no attempt: her attempts come after Bo's, and she is still listed first), with the
    columns of the files' frame (`selections_frame`), so that either feeds the grader."""
    db = tmp_path / "gb.sqlite"
    ana_0 = write(tmp_path / "ana-0.json", "Ana", [])
    bo = write(tmp_path / "bo.json", "Bo", [entry("g-single", "a")])
    ana_1 = write(tmp_path / "ana-1.json", "Ana", [entry("g-single", "b", "2026-11-02T11:00:00.000Z")])
    cy = write(tmp_path / "cy.json", "Cy", [entry("g-single", "c")], session="autumn-2026")
    assert import_files(db, [ana_0, bo, ana_1], session="spring-2026").ok and import_files(db, [cy]).ok
    frame = gb.attempts_frame(db, "spring-2026")
    assert frame["learner"].tolist() == ["Bo", "Ana"] and frame["attempt"].tolist() == [0, 1]
    assert frame["learner"].cat.categories.tolist() == ["Ana", "Bo"]
    assert grade_cohort(frame, QS)["items"][["learner", "score"]].values.tolist() == [["Ana", 0.5], ["Bo", 1.0]]
    files = selections_frame({"Ana": read_responses(ana_1, QS).attempts})
    assert {c: d.name for c, d in frame.dtypes.items()} == {c: d.name for c, d in files.dtypes.items()}
    assert gb.attempts_frame(db, "autumn-2026")["learner"].tolist() == ["Cy"]
    assert gb.attempts_frame(db)["learner"].tolist() == ["Bo", "Ana", "Cy"]


def wide_question(options: int) -> Question:
    return TypeAdapter(Question).validate_python({
        "id": "g-wide", "kind": "multi", "stem": "Wide?", "provisions": ["S5"],
        "options": [{"id": f"o{i:02d}", "text": "T", "correct": i < 3, "rationale": "S5"} for i in range(options)]})


def test_the_writer_keeps_apart_answers_whose_numbers_a_float_cannot(tmp_path, monkeypatch):
    """A question of 15 options numbers its answers beyond 2**53 (AnswerKeys: base 16): two answers whose numbers
    differ in the last digit only are two answers, also once the writer has moved its numbers to its sorted arrays
    (after every file, here), which then hold every number met, in order, each with its answer's id."""
    bank = {**QS, "g-wide": wide_question(15)}
    answers = [["o14"], ["o00", "o14"], ["o13", "o14"], ["o00"]]
    monkeypatch.setattr(gb, "ANSWERS_MERGED", 0)
    reader = gb.Reader(bank, load_catalog().ids, NOW)
    con = gb.connect(tmp_path / "gb.sqlite", create=True)
    writer = gb.Writer(con, bank)
    for i, answer in enumerate(answers):
        assert writer.store(reader.read(write(tmp_path / f"f{i}.json", f"L{i}", [entry("g-wide", answer)]))).added == 1
    con.close()
    table = gb.attempts_table(tmp_path / "gb.sqlite")
    assert table[["learner", "answer"]].values.tolist() == [[f"L{i}", json.dumps(a, separators=(",", ":"))]
                                                            for i, a in enumerate(answers)]
    numbers = writer.numbers_met.tolist()
    assert numbers == sorted(numbers) and len(numbers) == 4 and not writer.answer_of
    assert numbers[2] > 2 ** 53 and numbers[2] - numbers[1] == 1 and writer.numbers_met.dtype == np.int64
    assert {writer.answer_keys.text(n): i for n, i in zip(numbers, writer.ids_met.tolist(), strict=True)} == \
        writer.answer_ids


def test_a_pool_worker_reads_its_chunk_with_the_session_and_the_files_the_import_knows(tmp_path, three, monkeypatch):
    """_read_in_worker, the task of a pool's process (forked: it holds what `reading` set for it): a file already
    imported is not checked, the others get the session given."""
    a1, bo, _ = three
    reader = gb.Reader(QS, load_catalog().ids, NOW)
    known = {reader.read(a1).sha256}
    monkeypatch.setattr(gb, "_POOL_STATE", (reader, "spring-2026", known))
    records = gb._read_in_worker([str(a1), str(bo)])
    assert [(r.name, r.learner, r.session, len(r.attempts)) for r in records] == [
        (str(a1), "", None, 0), (str(bo), "Bo Chen", "spring-2026", 2)]
    assert [as_read(reader, r) for r in records] == [as_read(reader, r)
                                                     for r in reader.read_many([str(a1), str(bo)], "spring-2026", known)]


class InProcessPool:
    """A pool's stand-in that does each task when it is handed over, in this process, and counts them."""

    def __init__(self):
        self.handed = 0

    def apply_async(self, func, args):
        self.handed += 1
        result = func(*args)
        return SimpleNamespace(get=lambda: result)


def test_a_pool_reads_at_most_so_many_chunks_ahead_of_the_writer(tmp_path, monkeypatch):
    """_read_ahead: the records in the files' order, and when the writer asks for a chunk's records, at most `ahead`
    chunks after it have been handed to the pool (a large import is not all held in memory)."""
    paths = [str(write(tmp_path / f"l{i}.json", f"Learner {i}", [entry()])) for i in range(6)]
    monkeypatch.setattr(gb, "_POOL_STATE", (gb.Reader(QS, load_catalog().ids, NOW), None, set()))
    pool = InProcessPool()
    handed = [(record.learner, pool.handed) for record in gb._read_ahead(pool, [[p] for p in paths], 2)]
    assert handed == [("Learner 0", 3), ("Learner 1", 4), ("Learner 2", 5), ("Learner 3", 6), ("Learner 4", 6),
                      ("Learner 5", 6)]


def test_a_large_read_uses_one_process_per_range_and_only_where_there_are_learners_enough(tmp_path, three,
                                                                                          monkeypatch):
    """A large read (gb.PARALLEL_READ_FROM attempts or more) cuts the learners into one range per processor, each
    read by a process of its own (not one per processor of the machine): two processors, two learners, two
    processes; more processors than learners, or one, read in this process, with the same result."""
    db = tmp_path / "gb.sqlite"
    import_files(db, three)
    one = gb.attempt_arrays(db, QS)
    parts, pools = [], []
    real_parts, real_context = gb._read_in_parts, multiprocessing.get_context

    class Counting:
        def __init__(self, context):
            self.context = context

        def Pool(self, processes=None, *args, **kwargs):  # multiprocessing's name
            pools.append(processes)
            return self.context.Pool(processes, *args, **kwargs)

    monkeypatch.setattr(gb, "_read_in_parts", lambda *a: parts.append(a[-1]) or real_parts(*a))
    monkeypatch.setattr(gb.multiprocessing, "get_context", lambda *a: Counting(real_context(*a)))
    monkeypatch.setattr(gb, "PARALLEL_READ_FROM", 1)
    for count in (2, 3, 1):
        monkeypatch.setattr(gb, "processors", lambda count=count: count)
        table, names = gb.attempt_arrays(db, QS)
        assert names == one[1] and np.asarray(table.answer).tolist() == np.asarray(one[0].answer).tolist()
        assert np.asarray(table.learner).tolist() == np.asarray(one[0].learner).tolist()
    assert parts == [[(1, 1), (2, 2)]] and pools == [2]


def uri_named_gradebook(tmp_path, three) -> tuple[Path, str, list[int]]:
    """A gradebook of the three files whose name holds URI characters, a part read's query, and what SQLite gives
    for its learner 2 (the values of each row, in order)."""
    db = tmp_path / "cohort #1 ?a=b 50%.sqlite"
    import_files(db, three)
    select = "SELECT learner, at_ms FROM attempts WHERE learner BETWEEN ? AND ? ORDER BY file, seq"
    con = sqlite3.connect(db)
    want = [v for row in con.execute(select, (2, 2)) for v in row]
    con.close()
    return db, select, want


def test_a_process_of_a_large_read_reads_its_range_read_only(tmp_path, three):
    """_read_part, in a process of its own in a large read: the packed integers of its range of learners, from a
    gradebook whose name holds URI characters; a gradebook that is not there is not made."""
    db, select, want = uri_named_gradebook(tmp_path, three)
    got = gb._read_part(str(db), select, (2, 2))
    assert got.dtype == np.int64 and got.tolist() == want and len(want) == 4
    missing = tmp_path / "missing #2.sqlite"
    with pytest.raises(sqlite3.OperationalError, match="unable to open"):
        gb._read_part(str(missing), select, (1, 1))
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".json") == sorted(
        [db.name, f"{db.name}-wal", f"{db.name}-shm"])


#: a process whose SQLite reads a name as a URI only when the caller says so: SQLite's own default, as built by
#: python.org's macOS installer (Debian's reads every "file:" name as a URI): it reads its range of the gradebook
READ_PART_WHERE_URIS_ARE_ASKED_FOR = """
import ctypes, ctypes.util, json, sqlite3, sys
lib = ctypes.CDLL(ctypes.util.find_library("sqlite3") or "libsqlite3.so.0")
if lib.sqlite3_shutdown() or lib.sqlite3_config(17, ctypes.c_int(0)):  # SQLITE_CONFIG_URI off
    sys.exit(3)
sqlite3.connect("file:probe?mode=ro").close()  # a plain name now: a file of that name is made
sys.path.insert(0, sys.argv[1])
from nasams_course.training import gradebook as gb
print(json.dumps(gb._read_part(sys.argv[2], sys.argv[3], (2, 2)).tolist()))
"""


def test_a_process_of_a_large_read_reads_its_range_where_sqlite_reads_uris_only_when_asked(tmp_path, three):
    """The read-only URI a process of a large read opens is read as a URI where SQLite reads a name as one only when
    asked to (SQLite's default): the same packed integers as in this process (whose SQLite reads every "file:" name
    as a URI), not an error."""
    db, select, want = uri_named_gradebook(tmp_path, three)
    run = tmp_path / "run"
    run.mkdir()
    # the child runs the mutant under test in `make mutate`; in mutmut's first pass, which records what each test
    # reaches from this process, it runs the code as written (mutmut's recording cannot start in a child run elsewhere)
    env = {k: v for k, v in os.environ.items() if not (k == "MUTANT_UNDER_TEST" and collecting_stats())}
    done = subprocess.run([sys.executable, "-c", READ_PART_WHERE_URIS_ARE_ASKED_FOR,
                           str(Path(gb.__file__).resolve().parents[2]), str(db), select],
                          cwd=run, capture_output=True, text=True, timeout=120, env=env)
    if done.returncode == 3 or not (run / "file:probe?mode=ro").exists():
        pytest.skip("this Python's SQLite cannot be told to read names as URIs only when asked")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == gb._read_part(str(db), select, (2, 2)).tolist() == want and len(want) == 4
    assert sorted(p.name for p in run.iterdir()) == ["file:probe?mode=ro"]  # nothing else made


def test_the_reports_table_holds_each_learners_attempts_as_stored_and_the_latest_by_time_then_as_stored(tmp_path):
    """attempt_arrays (the report's input): the learners by the order the gradebook first met them (Ana's first file
    holds no attempt), each learner's attempts in the order stored (by file, then place in the file: 24 of them,
    interleaved by file); graded (cohort_frames), the latest attempt is the one of the greatest time, and of two at
    the same time the one stored later (Ana's g-single: "c" of her last file, a critical error, not "a")."""
    db = tmp_path / "gb.sqlite"
    ana_0 = write(tmp_path / "ana-0.json", "Ana", [])
    bo = write(tmp_path / "bo.json", "Bo", [entry("g-multi", ["a", "b"][: 1 + k % 2], f"2026-11-02T10:{k:02d}:00.000Z")
                                            for k in range(12)])
    ana_1 = write(tmp_path / "ana-1.json", "Ana", [
        entry("g-single", "a", "2026-11-02T10:00:00.000Z"), entry("g-single", "b", "2026-11-02T09:00:00.000Z"),
        *[entry("g-multi", ["c"], f"2026-11-02T11:{k:02d}:00.000Z") for k in range(10)]])
    ana_2 = write(tmp_path / "ana-2.json", "Ana", [entry("g-single", "c", "2026-11-02T10:00:00.000Z")])
    assert import_files(db, [ana_0, bo, ana_1, ana_2]).ok
    table, names = gb.attempt_arrays(db, QS)
    assert names == ["Ana", "Bo"]
    learner, seq = np.asarray(table.learner).tolist(), np.asarray(table.seq).tolist()
    assert learner == [0] * 13 + [1] * 12
    assert seq == list(range(12, 25)) + list(range(12))  # the rows of the table read as stored: Bo's file first
    items = cohort_frames(table, names, QS, load_catalog())
    latest, first = (items[w]["items"].set_index(["learner", "question"]) for w in ("latest", "first"))
    assert latest.loc[("Ana", "g-single"), ["score", "critical"]].tolist() == [0.0, True]
    assert first.loc[("Ana", "g-single"), "score"] == 0.5


def single_questions(count: int) -> dict[str, Question]:
    return {f"g-s{i}": TypeAdapter(Question).validate_python({
        "id": f"g-s{i}", "kind": "single", "stem": "Which?", "provisions": ["S5"],
        "options": [{"id": "a", "text": "A", "credit": 1, "rationale": "S5"},
                    {"id": "b", "text": "B", "credit": 0, "rationale": "S5"}]}) for i in range(count)}


@pytest.mark.parametrize("clock", ["2026-11-02T10:00:00.000Z", "1970-01-01T00:00:00.000Z"])
def test_each_attempt_of_the_reports_table_keeps_its_own_answer(tmp_path, clock):
    """attempt_arrays reads each distinct (question, answer) once: many questions sharing few answers ("a" and "b",
    the same two texts for every question) must not be taken for one another (g-s3's "a" is not g-s0's "b"), also
    when every attempt was written at the same time (a device whose clock was never set: 1970)."""
    bank = single_questions(5)
    answers = [("g-s0", "a"), ("g-s0", "b"), ("g-s1", "a"), ("g-s2", "a"), ("g-s3", "a"), ("g-s4", "b")]
    path = write(tmp_path / "ana.json", "Ana", [entry(q, a, clock) for q, a in answers])
    db = tmp_path / "gb.sqlite"
    assert gb.import_files(db, [path], questions=bank, now_ms=NOW).ok
    table, _ = gb.attempt_arrays(db, bank)
    chosen = [(table.qids[q], "ab"[int(np.nanargmax(table.values[a]))]) for q, a in
              zip(np.asarray(table.question).tolist(), np.asarray(table.answer).tolist(), strict=True)]
    assert chosen == answers


def test_the_reports_table_of_a_gradebook_without_attempts_or_of_questions_the_bank_lost(tmp_path, three):
    """attempt_arrays: a gradebook (or a session) with files but no attempt gives an empty table; an attempt at a
    question the bank no longer has keeps an empty answer (here every question is gone); an answer
    naming an option the question no longer has is an error naming the question and the option."""
    db = tmp_path / "gb.sqlite"
    assert import_files(db, [write(tmp_path / "empty.json", "Ana", [])]).ok
    table, names = gb.attempt_arrays(db, QS)
    assert len(table.learner) == 0 and names == [] and table.values.shape == (0, 5)
    db = tmp_path / "three.sqlite"
    import_files(db, three)
    table, names = gb.attempt_arrays(db, {})
    assert len(table.learner) == 6 and names == ["Ana Ruiz", "Bo Chen"] and np.isnan(table.values).all()
    fewer = {**QS, "g-single": TypeAdapter(Question).validate_python(
        {**golden_question("g-single"), "options": golden_question("g-single")["options"][1:]})}
    with pytest.raises(KeyError, match="the gradebook names an option that question g-single does not have: a"):
        gb.attempt_arrays(db, fewer)


def test_a_gradebook_without_attempts_is_graded_as_grade_grades_nothing(tmp_path):
    """The table of a gradebook whose files hold no attempt names no question at all (`qids` empty): the cohort
    grader still grades it, each learner's report is `grade`'s on no attempt, and the frames hold no item."""
    from nasams_course.grading.cohort import RatingTable, cohort_reports
    from nasams_course.grading.profile import grade

    db = tmp_path / "gb.sqlite"
    assert import_files(db, [write(tmp_path / "ana.json", "Ana Ruiz", []), write(tmp_path / "bo.json", "Bo", [])]).ok
    table, _names = gb.attempt_arrays(db, QS)
    assert table.qids == []
    none = np.zeros(0, dtype=np.int64)
    graded = cohort_reports(table, RatingTable(none, none, none, none, none, none), [0, 1], ["Ana Ruiz", "Bo"], QS)
    assert json.loads(orjson.dumps(graded.reports)) == [grade(QS, [], learner=n).to_json() for n in ("Ana Ruiz", "Bo")]
    assert graded.answered == graded.critical == [0, 0]
    frames = cohort_frames(table, ["Ana Ruiz", "Bo"], QS)
    assert len(frames["latest"]["items"]) == len(frames["first"]["items"]) == 0
    assert frames["latest"]["learners"]["complete"].tolist() == [False, False]


def golden_question(qid: str) -> dict:
    return next(q for q in golden("questions.json")["questions"] if q["id"] == qid)


def test_the_files_of_each_learner_of_a_session(tmp_path):
    """learner_files (the report's list of who handed in what): each learner's files of the session asked for, in
    the order imported, joined by "; "; every session's without one."""
    db = tmp_path / "gb.sqlite"
    a1 = write(tmp_path / "ana-1.json", "Ana", [entry()])
    a2 = write(tmp_path / "ana-2.json", "Ana", [entry("g-single", "b")])
    bo = write(tmp_path / "bo.json", "Bo", [entry()])
    a3 = write(tmp_path / "ana-3.json", "Ana", [entry("g-single", "c")])
    assert import_files(db, [a2, bo, a1], session="spring-2026").ok
    assert import_files(db, [a3], session="autumn-2026").ok
    spring = gb.learner_files(db, "spring-2026")
    assert spring.values.tolist() == [["Ana", f"{a2}; {a1}"], ["Bo", str(bo)]]
    assert gb.learner_files(db, "autumn-2026").values.tolist() == [["Ana", str(a3)]]
    assert gb.learner_files(db).values.tolist() == [["Ana", f"{a2}; {a1}; {a3}"], ["Bo", str(bo)]]


def test_export_writes_the_session_asked_for_with_no_column_but_the_attempts(tmp_path, three):
    """export: one session's attempts (a trainer exporting spring does not get autumn's), a Parquet file whose
    columns are the attempts table's and no index of its own (as other tools read it: pyarrow), and a format it does
    not write refused in words."""
    import pyarrow.parquet as pq

    db = tmp_path / "gb.sqlite"
    import_files(db, three[:2], session="spring-2026")
    import_files(db, three[2:], session="autumn-2026")
    for fmt in gb.EXPORT_FORMATS:
        out = tmp_path / f"spring.{fmt}"
        assert gb.export(db, fmt, out, session="spring-2026") == 5
        back = pd.read_csv(out) if fmt == "csv" else pd.read_parquet(out)
        assert set(back["session"]) == {"spring-2026"} and len(back) == 5
    assert pq.read_schema(tmp_path / "spring.parquet").names == gb.ATTEMPT_COLUMNS
    assert gb.export(db, "csv", tmp_path / "all.csv") == 6  # one of ana-2.json's attempts stays in spring
    with pytest.raises(gb.GradebookError, match=r"^the format 'xlsx' is not one of csv, parquet$"):
        gb.export(db, "xlsx", tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize("learner_bits", [55, 56, 61])
def test_a_gradebook_whose_ids_do_not_fit_in_one_integer_is_read_the_same(tmp_path, three, learner_bits):
    """_attempt_ids packs an attempt's learner, question, answer and file ids in one integer when they fit in 63 bits
    (any real gradebook); a gradebook whose ids need more (learner ids moved up here, by hand: 63 bits in all, then
    64 and 69) is read row by row instead, with the same result: the same table for the report, for every session
    and for one, in the same order."""
    db = tmp_path / "gb.sqlite"
    import_files(db, three[:2], session="spring-2026")
    import_files(db, three[2:])
    want = [gb.attempt_arrays(db, QS, session) for session in (None, "spring-2026")]
    con = sqlite3.connect(db)  # foreign keys not enforced: each reference is moved with the id
    assert [int(con.execute(f"SELECT MAX(id) FROM {t}").fetchone()[0]).bit_length()
            for t in ("learners", "questions", "answers", "files")] == [2, 3, 3, 2]
    shift = 1 << (learner_bits - 1)
    for table, column in (("learners", "id"), ("files", "learner"), ("attempts", "learner")):
        con.execute(f"UPDATE {table} SET {column} = {column} + ?", (shift,))
    con.commit()
    con.close()
    for session, (table, names) in zip((None, "spring-2026"), want, strict=True):
        got, got_names = gb.attempt_arrays(db, QS, session)
        assert got_names == names
        for field in ("learner", "question", "at", "seq", "answer"):
            assert np.asarray(getattr(got, field)).tolist() == np.asarray(getattr(table, field)).tolist(), field
        assert np.array_equal(got.values, table.values, equal_nan=True)


def test_a_read_below_the_threshold_is_done_in_this_process(tmp_path, three, monkeypatch):
    """Processes pay only for a large read: from gb.PARALLEL_READ_FROM attempts of the session read on (here 6, the
    gradebook's 6), not below (7; nor for the 5 attempts of one session), and only for a gradebook read by its path."""
    db = tmp_path / "gb.sqlite"
    import_files(db, three[:2], session="spring-2026")
    import_files(db, three[2:])
    parts = []
    real = gb._read_in_parts
    monkeypatch.setattr(gb, "_read_in_parts", lambda *a: parts.append(a[-1]) or real(*a))
    monkeypatch.setattr(gb, "processors", lambda: 2)
    for threshold, session, want in ((6, None, [[(1, 1), (2, 2)]]), (7, None, []), (6, "spring-2026", [])):
        parts.clear()
        monkeypatch.setattr(gb, "PARALLEL_READ_FROM", threshold)
        gb.attempt_arrays(db, QS, session)
        assert parts == want, (threshold, session)
    con = gb.connect(db)
    monkeypatch.setattr(gb, "PARALLEL_READ_FROM", 1)
    assert len(gb._attempt_ids(con, None)) == 6 and parts == []  # no path to hand to the processes
    con.close()


def test_the_reports_table_keeps_the_stored_order_whatever_the_milliseconds(tmp_path):
    """The packed read orders attempts by file, then place in the file: times of odd milliseconds (packed next to
    the place) change nothing (Ana's three files, the second at odd milliseconds, each out of time order)."""
    db = tmp_path / "gb.sqlite"
    times = [["2026-11-02T10:00:02.000Z", "2026-11-02T10:00:01.000Z"],
             ["2026-11-02T09:00:02.001Z", "2026-11-02T09:00:01.003Z"],
             ["2026-11-02T08:00:02.000Z", "2026-11-02T08:00:01.000Z"]]
    paths = [write(tmp_path / f"ana-{i}.json", "Ana", [entry("g-single", "ab"[k], at) for k, at in enumerate(ats)])
             for i, ats in enumerate(times)]
    assert import_files(db, paths).ok
    table, _ = gb.attempt_arrays(db, QS)
    assert [format_time(ms) for ms in np.asarray(table.at).tolist()] == [at for ats in times for at in ats]


def test_a_session_id_given_is_checked_and_a_files_bytes_take_it(tmp_path):
    with pytest.raises(gb.GradebookError) as caught:
        gb.check_session_id("Spring 2026")
    assert str(caught.value) == ("the session id 'Spring 2026' must be lower-case letters, digits and hyphens "
                                 "(at most 80)")
    assert gb.check_session_id("spring-2026") == "spring-2026"
    raw = write(tmp_path / "ana.json", "Ana", [entry()]).read_bytes()
    reader = gb.Reader(QS, load_catalog().ids, NOW)
    assert reader.check(gb.FileRecord("ana.json"), raw, "spring-2026").session == "spring-2026"
    assert reader.check(gb.FileRecord("ana.json"), raw, None).session is None


# -- survivors of gradebook.py's mutation run: the reference path, the reader's clock, sessions, the packed read ----


def test_a_file_off_the_plain_path_keeps_the_session_it_names(tmp_path, monkeypatch):
    """A file the fast reader does not take (a time with an offset) is read by parse_responses, and the session it
    names is still its own: stored with it, listed, and set against a session given on the command line."""
    calls = []
    real = gb.Reader._reference
    monkeypatch.setattr(gb.Reader, "_reference", lambda self, record, data: calls.append(record.name)
                        or real(self, record, data))
    db = tmp_path / "gb.sqlite"
    offset = write(tmp_path / "offset.json", "Ana", [entry(at="2026-11-02T12:00:00.000+02:00")], session="spring-2026")
    result = import_files(db, [offset])
    assert calls == [str(offset)]
    assert [(f.status, f.session, f.added) for f in result.files] == [("imported", "spring-2026", 1)]
    assert gb.sessions(db).to_dict("records") == [
        {"session": "spring-2026", "title": None, "learners": 1, "files": 1, "attempts": 1}]
    other = write(tmp_path / "other.json", "Bo", [entry(at="2026-11-02T12:00:00.000+02:00")], session="autumn-2026")
    assert import_files(db, [other], session="spring-2026").files[0].problems == [
        f"{other}: the file is for session 'autumn-2026', not 'spring-2026' (--session)"]


def test_an_import_checks_times_against_the_clock_it_is_given(tmp_path):
    """`now_ms` is the reader's clock: an attempt after it (beyond the tolerance of responses.py) refuses the file,
    though it is long past by the wall clock; the same file is imported with a later clock."""
    db = tmp_path / "gb.sqlite"
    ana = write(tmp_path / "ana.json", "Ana", [entry(at="2026-11-02T10:00:00.000Z")])
    early = 1577836800000  # 2020-01-01T00:00:00Z
    result = gb.import_files(db, [ana], questions=QS, now_ms=early)
    assert [f.status for f in result.files] == ["refused"]
    assert result.files[0].problems == [f"{ana}: responses[0]: 'at' is in the future"]
    assert gb.import_files(db, [ana], questions=QS, now_ms=NOW).files[0].status == "imported"


def test_a_refused_file_reports_its_learner_and_session(tmp_path):
    """A file refused for naming another session than the one given says whose it is and which session it names."""
    other = write(tmp_path / "other.json", "Cy", [entry()], session="autumn-2026")
    refused = import_files(tmp_path / "gb.sqlite", [other], session="spring-2026").files[0]
    assert (refused.status, refused.learner, refused.session) == ("refused", "Cy", "autumn-2026")


def test_an_import_of_exactly_bulk_from_files_is_a_bulk_import(tmp_path, three, monkeypatch):
    """BULK_FROM files (here 3: the import's 3) are a bulk import: the foreign keys are checked once, at the end, so
    an attempt naming an answer that is not stored is reported there (GradebookError), not refused by SQLite."""
    real = gb.Writer._answer_ids
    monkeypatch.setattr(gb.Writer, "_answer_ids", lambda self, keys: [i + 1000 for i in real(self, keys)])
    monkeypatch.setattr(gb, "BULK_FROM", 3)
    with pytest.raises(gb.GradebookError, match=r"rows refer to rows that are not there"):
        import_files(tmp_path / "gb.sqlite", three)
    monkeypatch.setattr(gb, "BULK_FROM", 4)
    with pytest.raises(sqlite3.IntegrityError):
        import_files(tmp_path / "gb2.sqlite", three)


def test_an_import_stores_its_files_in_groups_of_group_files(tmp_path, three, monkeypatch):
    """Files are stored in transactions of GROUP_FILES files each (here 2: three files, two transactions)."""
    groups = []
    real = gb.Writer.group
    monkeypatch.setattr(gb.Writer, "group", lambda self: groups.append(1) or real(self))
    monkeypatch.setattr(gb, "GROUP_FILES", 2)
    assert import_files(tmp_path / "gb.sqlite", three).ok
    assert len(groups) == 2


def test_a_session_whose_files_hold_no_attempts_lists_none(tmp_path):
    """A session of files with no attempts (a file of self-ratings only, or none) is listed with 0 attempts."""
    db = tmp_path / "gb.sqlite"
    empty = write(tmp_path / "empty.json", "Ana", [], session="spring-2026")
    assert import_files(db, [empty]).ok
    assert gb.sessions(db).to_dict("records") == [
        {"session": "spring-2026", "title": None, "learners": 1, "files": 1, "attempts": 0}]


def test_attempt_arrays_values_and_column_types(tmp_path, three):
    """The report's table: a single answer's option holds 1 (as `score_values` reads it), the order of attempts
    (`seq`) is integers, and with no bank at all each answer's row is one empty (NaN) slot."""
    db = tmp_path / "gb.sqlite"
    assert import_files(db, three).ok
    table, _ = gb.attempt_arrays(db, QS)
    first = table.answers(np.array([0]))[0]  # Ana's first attempt: g-single, "b"
    assert table.qids[table.question[0]] == "g-single"
    assert first[QS["g-single"].option_ids.index("b")] == 1.0 and np.nansum(first) == 1.0
    assert table.seq.dtype == np.int64 and table.learner.dtype == np.int64
    bare, _ = gb.attempt_arrays(db, {})
    assert bare.values.shape == (len(np.unique(bare.answer)), 1) and np.isnan(bare.values).all()


@pytest.mark.parametrize("learner_bits", [53, 54, 55])
def test_the_packed_and_the_row_by_row_read_give_the_ids_themselves(tmp_path, three, learner_bits):
    """_attempt_ids gives count x 5 (learner, question, answer, at_ms, certainty), the same ids whether they are
    packed in one integer (63 bits in all: learner ids of 53 bits, the largest that fit) or read row by row (54:
    64 bits, which packed would set the sign bit; 55)."""
    db = tmp_path / "gb.sqlite"
    import_files(db, three)
    con = gb.connect(db)
    want = gb._attempt_ids(con, None)
    con.close()
    con = sqlite3.connect(db)
    shift = 1 << (learner_bits - 1)
    for table, column in (("learners", "id"), ("files", "learner"), ("attempts", "learner")):
        con.execute(f"UPDATE {table} SET {column} = {column} + ?", (shift,))
    con.commit()
    got = gb._attempt_ids(con, None)
    con.close()
    assert got.shape == want.shape == (6, 5)
    assert (got - want).tolist() == [[shift, 0, 0, 0, 0]] * 6


def test_an_import_counts_each_files_self_ratings_and_says_how_many_were_new(tmp_path):
    """The import's words for a file with self-ratings: how many it added ("1 self-rating"), none for a file
    without; a second file of the same learner with the same rating adds none, and says so ("0 self-ratings")."""
    db = tmp_path / "cohort.sqlite"
    rating = {"provision": "S5", "stage": "before", "rating": 2, "at": "2026-11-02T09:59:00.000Z"}
    ana = real_file(tmp_path / "ana.json", self_ratings=[rating])
    again = real_file(tmp_path / "ana-again.json", answer="call-counsel-now", self_ratings=[rating])
    bo = real_file(tmp_path / "bo.json", "Bo")
    out = run("gradebook", "import", ana, bo, "--db", db)
    assert out.returncode == 0, out.stderr
    assert f"{ana}: imported 1 attempt, 1 self-rating (Ana Ruiz)\n" in out.stdout
    assert f"{bo}: imported 1 attempt (Bo)\n" in out.stdout
    out = run("gradebook", "import", again, "--db", db)
    assert out.returncode == 0 and f"{again}: imported 1 attempt, 0 self-ratings (Ana Ruiz)\n" in out.stdout


def test_a_file_that_cannot_be_read_or_decoded_does_not_stop_the_files_after_it(tmp_path):
    """A missing file and a file that is not JSON are refused, each with its message, and the files after them in the
    same import are still read and checked: the plain one and the one off the plain path (a time with an offset)
    are imported under the session given, with their learners and attempts."""
    missing, broken = tmp_path / "missing.json", tmp_path / "broken.json"
    broken.write_bytes(b"{")
    plain = write(tmp_path / "plain.json", "Ana", [entry()])
    offset = write(tmp_path / "offset.json", "Bo", [entry(at="2026-11-02T12:00:00.000+02:00")])
    db = tmp_path / "gb.sqlite"
    result = import_files(db, [missing, broken, plain, offset], session="spring-2026")
    assert [(f.name, f.status, f.learner, f.session, f.added) for f in result.files] == [
        (str(missing), "refused", "", None, 0), (str(broken), "refused", "", None, 0),
        (str(plain), "imported", "Ana", "spring-2026", 1), (str(offset), "imported", "Bo", "spring-2026", 1)]
    assert [len(f.problems) for f in result.files] == [1, 1, 0, 0]
    assert gb.attempts_table(db)[["learner", "session", "at"]].values.tolist() == [
        ["Ana", "spring-2026", "2026-11-02T10:00:00.000Z"], ["Bo", "spring-2026", "2026-11-02T10:00:00.000Z"]]


def test_a_file_without_attempts_off_the_plain_path_is_imported_with_its_self_rating(tmp_path):
    """A file with no attempts that the fast reader does not take (its self-rating's time has an offset) is read by
    parse_responses and imported: its self-rating stored, no attempt, no error."""
    rating = {"provision": "S5", "stage": "before", "rating": 2, "at": "2026-11-02T11:59:00.000+02:00"}
    ana = write(tmp_path / "ana.json", "Ana", [], self_ratings=[rating])
    db = tmp_path / "gb.sqlite"
    result = import_files(db, [ana])
    assert [(f.status, f.attempts, f.added, f.ratings, f.ratings_added) for f in result.files] == [
        ("imported", 0, 0, 1, 1)]
    con = sqlite3.connect(db)
    assert con.execute("SELECT provision, stage, rating, at, at_ms FROM self_ratings").fetchall() == [
        ("S5", "before", 2, "2026-11-02T09:59:00.000Z", 1793613540000)]
    con.close()
    assert len(gb.attempts_table(db)) == 0


def test_a_reader_without_a_clock_given_checks_times_against_the_wall_clock(tmp_path):
    """A Reader given no `now_ms` takes the wall clock's: an attempt two days ahead of it is refused (beyond the
    day of tolerance of responses.py), one an hour ago is read."""
    now = datetime.now(UTC).timestamp() * 1000
    reader = gb.Reader(QS)
    ahead = write(tmp_path / "ahead.json", "Ana", [entry(at=format_time(now + 2 * 86_400_000))])
    assert reader.read(ahead).problems == [f"{ahead}: responses[0]: 'at' is in the future"]
    past = write(tmp_path / "past.json", "Ana", [entry(at=format_time(now - 3_600_000))])
    record = reader.read(past)
    assert record.problems == [] and len(record.attempts) == 1


def order_question(qid: str, options: int) -> Question:
    ids = [f"o{i:02d}" for i in range(options)]
    return TypeAdapter(Question).validate_python({
        "id": qid, "kind": "order", "stem": "Order?", "provisions": ["S5"], "key": ids,
        "options": [{"id": oid, "text": "T", "rationale": "S5"} for oid in ids]})


def test_an_order_answer_to_a_question_of_as_many_options_as_the_widest_is_stored_as_given(tmp_path):
    """An order question with as many options as the bank's widest (5, as g-multi: the digits' base is 6) numbers its
    last position 5, the largest digit: each order of its options is stored as it was given, read on either path."""
    bank = {**QS, "g-order5": order_question("g-order5", 5)}
    orders = [["o04", "o03", "o02", "o01", "o00"], ["o00", "o01", "o02", "o03", "o04"]]
    plain = write(tmp_path / "plain.json", "Ana", [entry("g-order5", orders[0]), entry("g-order5", orders[1], at=(
        "2026-11-02T10:01:00.000Z"))])
    offset = write(tmp_path / "offset.json", "Bo", [entry("g-order5", orders[0], at="2026-11-02T12:00:00.000+02:00")])
    db = tmp_path / "gb.sqlite"
    assert gb.import_files(db, [plain, offset], questions=bank, now_ms=NOW).ok
    assert gb.attempts_table(db)[["learner", "answer"]].values.tolist() == [
        ["Ana", json.dumps(orders[0], separators=(",", ":"))], ["Ana", json.dumps(orders[1], separators=(",", ":"))],
        ["Bo", json.dumps(orders[0], separators=(",", ":"))]]


def test_a_bank_whose_answers_number_beyond_64_bits_stores_each_answer_as_given(tmp_path, monkeypatch):
    """Nine questions of 15 options (base 16: 16**15 answers each, 9 * 2**60 in all, beyond int64 and below 2**64):
    the answers are numbered with Python integers, exactly, so an answer to the last question, whose numbers start at
    2**63, is stored as given, as is one differing from it in one option only; a second file finds them again in
    the writer's sorted arrays. (Before, such a bank's import failed with numpy's IndexError.)"""
    monkeypatch.setattr(gb, "ANSWERS_MERGED", 0)
    bank = {**QS, **{f"g-wide{k}": wide_question(15).model_copy(update={"id": f"g-wide{k}"}) for k in range(9)}}
    assert gb.AnswerKeys(bank).dtype is object
    answers = [["o00"], ["o00", "o14"], ["o01"], ["o13", "o14"]]
    ana = write(tmp_path / "ana.json", "Ana", [entry("g-wide8", a, at=f"2026-11-02T10:0{i}:00.000Z")
                                               for i, a in enumerate(answers)] + [entry("g-wide0", ["o14"])])
    db = tmp_path / "gb.sqlite"
    assert gb.import_files(db, [ana], questions=bank, now_ms=NOW).files[0].added == 5
    assert gb.attempts_table(db)[["question", "answer"]].values.tolist() == [
        ["g-wide8", '["o00"]'], ["g-wide0", '["o14"]'], ["g-wide8", '["o00","o14"]'], ["g-wide8", '["o01"]'],
        ["g-wide8", '["o13","o14"]']]
    bo = write(tmp_path / "bo.json", "Bo", [entry("g-wide8", ["o00", "o14"]), entry("g-wide8", ["o02"], at=(
        "2026-11-02T10:01:00.000Z"))])
    assert gb.import_files(db, [bo], questions=bank, now_ms=NOW).files[0].added == 2
    con = sqlite3.connect(db)
    assert con.execute("SELECT answer FROM answers ORDER BY id").fetchall() == [
        ('["o00"]',), ('["o00","o14"]',), ('["o01"]',), ('["o13","o14"]',), ('["o14"]',), ('["o02"]',)]
    con.close()


def test_a_gradebook_in_a_folder_that_is_not_there_is_refused_in_words(tmp_path):
    """Creating a gradebook in a folder that does not exist says which folder is missing."""
    db = tmp_path / "nowhere" / "gb.sqlite"
    with pytest.raises(gb.GradebookError, match=f"^{re.escape(str(db))}: there is no folder "
                                                f"{re.escape(str(tmp_path / 'nowhere'))}$"):
        gb.connect(db, create=True)
    assert not db.parent.exists()


def test_a_sqlite_file_of_another_program_with_a_schema_version_table_is_left_alone(tmp_path):
    """Many programs keep a `schema_version` table: a SQLite file with one, but without the gradebook's application
    id, is not a gradebook (refused in those words), and no migration touches it."""
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    con.execute("INSERT INTO schema_version VALUES (1)")
    con.commit()
    con.close()
    before = other.read_bytes()
    with pytest.raises(gb.GradebookError, match=f"^{re.escape(str(other))} is not a gradebook \\(a SQLite file of "
                                                "something else\\)$"):
        gb.connect(other, create=True)
    assert other.read_bytes() == before
