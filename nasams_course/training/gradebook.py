"""The gradebook: one SQLite file that holds every attempt of a cohort's response files.

`import_files` reads response files with the rules of every reader (`nasams_course.responses`: the same files are
accepted and refused, with the same messages) and stores each file in ONE transaction: a file with any problem (a
skipped entry too) is refused whole and nothing from it is stored; a file already imported (the same SHA-256) adds
nothing; two files of the same learner merge, an attempt identical in question, answer and time being stored once.

`attempts_frame` gives the cohort grader (`grading.cohort.grade_cohort`) its selections frame straight from the
database; `attempts_table` is the attempts table with names and text (one row per attempt), which `export` writes.

Speed: a file is parsed once (orjson; a file orjson does not read goes to the standard reader of
`responses.decode`, which gives the message), its entries are checked by a fast path that accepts only what
`responses.parse_responses` accepts and gives the same result (anything else is read by `parse_responses` itself),
files are read by a pool of processes while this one writes, each table has one prepared statement fed by
`executemany`, questions and answers are stored once each (attempts refer to them), and a large import drops the
query indexes while it writes and builds them again at its end.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain, repeat
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd

from nasams_course.content.models import Question
from nasams_course.grading import AnswerError, normalize_answer
from nasams_course.grading.calibration import STAGES
from nasams_course.responses import (
    FUTURE_TOLERANCE_MS,
    ID_RE,
    MAX_ENTRIES,
    MAX_FILE_BYTES,
    MAX_LEARNER_CHARS,
    MAX_RATINGS,
    PROVISION_RE,
    ResponseFileError,
    answer_shape_ok,
    decode,
    format_time,
    parse_responses,
    parse_time,
    read_bytes,
)

#: "NASG" in the SQLite header's application id: a gradebook, not some other SQLite file
APPLICATION_ID = 0x4E415347

#: Indexes for the report's queries (by session, by question; by learner is the uniqueness index). A large import
#: drops them first and builds them again at its end (one sort instead of a random write per attempt).
QUERY_INDEXES = {
    "attempts_by_session": "CREATE INDEX IF NOT EXISTS attempts_by_session ON attempts(session, learner)",
    "attempts_by_question": "CREATE INDEX IF NOT EXISTS attempts_by_question ON attempts(question)",
}

#: The schema, one migration per version, applied in order (never edit one that has shipped: add the next).
#: Questions and answers are stored once each (`questions`, `answers`: the answer's canonical JSON) and attempts
#: refer to them: a large cohort's attempts stay small and fast to write. `attempts_readable` shows the attempts
#: with names, question ids and answers as text.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE learners (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
    );
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        title TEXT
    );
    CREATE TABLE files (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        sha256 TEXT NOT NULL UNIQUE,
        imported_at TEXT NOT NULL,
        learner INTEGER NOT NULL REFERENCES learners(id),
        session TEXT REFERENCES sessions(id)
    );
    CREATE INDEX files_by_learner ON files(learner);
    CREATE INDEX files_by_session ON files(session);
    CREATE TABLE questions (
        id INTEGER PRIMARY KEY,
        question TEXT NOT NULL UNIQUE
    );
    CREATE TABLE answers (
        id INTEGER PRIMARY KEY,
        answer TEXT NOT NULL UNIQUE
    );
    CREATE TABLE attempts (
        id INTEGER PRIMARY KEY,
        learner INTEGER NOT NULL REFERENCES learners(id),
        session TEXT REFERENCES sessions(id),
        question INTEGER NOT NULL REFERENCES questions(id),
        answer INTEGER NOT NULL REFERENCES answers(id),
        certainty INTEGER CHECK (certainty BETWEEN 1 AND 3),
        at TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        file INTEGER NOT NULL REFERENCES files(id)
    );
    CREATE UNIQUE INDEX attempts_identical ON attempts(learner, question, at_ms, answer);
    CREATE INDEX attempts_by_session ON attempts(session, learner);
    CREATE INDEX attempts_by_question ON attempts(question);
    CREATE TABLE self_ratings (
        id INTEGER PRIMARY KEY,
        learner INTEGER NOT NULL REFERENCES learners(id),
        session TEXT REFERENCES sessions(id),
        provision TEXT NOT NULL,
        stage TEXT NOT NULL CHECK (stage = 'before' OR stage = 'after'),
        rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
        at TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        file INTEGER NOT NULL REFERENCES files(id)
    );
    CREATE UNIQUE INDEX self_ratings_identical ON self_ratings(learner, provision, stage, at_ms, rating);
    CREATE INDEX self_ratings_by_session ON self_ratings(session, learner);
    CREATE VIEW attempts_readable AS
        SELECT a.id, l.name AS learner, a.session, q.question, an.answer, a.certainty, a.at, a.at_ms,
               f.name AS file
        FROM attempts a JOIN learners l ON l.id = a.learner JOIN questions q ON q.id = a.question
        JOIN answers an ON an.id = a.answer JOIN files f ON f.id = a.file;
    """,
]

INSERT_ATTEMPT = ("INSERT INTO attempts (learner, session, question, answer, certainty, at, at_ms, file) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
INSERT_RATING = ("INSERT INTO self_ratings (provision, stage, rating, at, at_ms, learner, session, file) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")

#: reading files in a pool of processes pays from this many files on
POOL_FROM = 64
#: an import of at least this many files (and at least as many as the gradebook holds) drops the query indexes
#: while it writes, and builds them again at its end
BULK_FROM = 500


class GradebookError(Exception):
    """The gradebook cannot be opened or used as asked (no such file, not a gradebook, a bad session id)."""


# -- the database ------------------------------------------------------------------------------------------------


def connect(path: str | Path, create: bool = False) -> sqlite3.Connection:
    """Open a gradebook (creating it when `create` and there is none), migrated to the current schema.
    Raises GradebookError when there is no such file, or when the file is not a gradebook."""
    path = Path(path)
    if path.is_dir():
        raise GradebookError(f"{path} is a folder, not a gradebook")
    new = not path.exists() or path.stat().st_size == 0
    if new and not create:
        raise GradebookError(f"{path}: no such gradebook (create one with `nasams-course gradebook import`)")
    if new and not path.parent.is_dir():
        raise GradebookError(f"{path}: there is no folder {path.parent}")
    try:
        con = sqlite3.connect(path, isolation_level=None)  # transactions are explicit: BEGIN ... COMMIT
        app = con.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise GradebookError(f"{path} is not a gradebook ({exc})") from None
    if not new and (app != APPLICATION_ID or "schema_version" not in tables):
        con.close()
        raise GradebookError(f"{path} is not a gradebook (a SQLite file of something else)")
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = NORMAL")
    con.execute("PRAGMA foreign_keys = ON")
    con.execute("PRAGMA cache_size = -262144")  # 256 MB: the indexes of a large cohort stay in memory
    migrate(con)
    ensure_query_indexes(con)
    return con


def schema_version(con: sqlite3.Connection) -> int:
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "schema_version" not in tables:
        return 0
    row = con.execute("SELECT version FROM schema_version").fetchone()
    return row[0] if row else 0


def migrate(con: sqlite3.Connection) -> int:
    """Apply the migrations the gradebook has not had yet, each in its own transaction; returns the version.
    Safe to run again: a migrated gradebook is left as it is."""
    version = schema_version(con)
    if version > len(MIGRATIONS):
        raise GradebookError(f"the gradebook is of schema version {version}, newer than this course reads "
                             f"({len(MIGRATIONS)}); update the course")
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        con.execute("BEGIN IMMEDIATE")
        try:
            if number == 1:
                con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
                con.execute("INSERT INTO schema_version VALUES (0)")
            for statement in script.split(";"):
                if statement.strip():
                    con.execute(statement)
            con.execute("UPDATE schema_version SET version = ?", (number,))
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return len(MIGRATIONS)


# -- reading a response file -------------------------------------------------------------------------------------


@dataclass
class FileRecord:
    """One response file, read and checked: what would be stored, or the problems that refuse it."""

    name: str
    sha256: str = ""
    learner: str = ""
    session: str | None = None
    #: (question, answer as canonical JSON, certainty, at as ISO UTC text, at in ms since the epoch)
    attempts: list[tuple] = field(default_factory=list)
    #: (provision, stage, rating, at as ISO UTC text, at in ms)
    ratings: list[tuple] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def check_session_id(value: str) -> str:
    """A session id given on the command line: a slug. Raises GradebookError."""
    if not ID_RE.fullmatch(value):
        raise GradebookError(f"the session id {value!r} must be lower-case letters, digits and hyphens "
                             "(at most 80)")
    return value


def file_session(data: dict) -> str | None:
    """The session an accepted response file names (its optional "session" field, checked by
    `responses.check_file`), or None."""
    return data.get("session")


def canonical_answer(q: Question, answer: Any) -> str:
    """A checked, non-empty answer as canonical JSON: a multi answer's options sorted (a set), a rate answer's keys
    sorted; single and order answers as they are."""
    if q.kind == "multi":
        answer = sorted(answer)
    return json.dumps(answer, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


class Reader:
    """Reads and checks response files against a question bank, with caches of what it has checked."""

    def __init__(self, questions: dict[str, Question], known_provisions: Iterable[str], now_ms: float | None = None):
        self.questions = questions
        # a provision the catalog knows (its id is then of the right form: responses checks both)
        self.known_provisions = {p for p in known_provisions if PROVISION_RE.fullmatch(p)}
        self.now_ms = datetime.now(UTC).timestamp() * 1000 if now_ms is None else now_ms
        self.latest_ms = self.now_ms + FUTURE_TOLERANCE_MS
        self._answers: dict[tuple, str | None] = {}
        self._minutes: dict[str, int | None] = {}
        # "SS.mmmZ" -> ms within the minute: every valid ending of a time as browsers write it
        self._seconds = {f"{s:02d}.{m:03d}Z": s * 1000 + m for s in range(60) for m in range(1000)}

    # the whole file --------------------------------------------------------------------------------------------

    def read(self, path: str | Path, session: str | None = None) -> FileRecord:
        """Read one file: its SHA-256, and either what it holds or the problems that refuse it. `session` (from
        the command line) applies when the file names none; a file naming another one is refused."""
        return read_unless_known(self, str(path), session, set())

    def check(self, record: FileRecord, raw: bytes, session: str | None) -> FileRecord:
        """Check a file's bytes: the fast path for files as written, else `parse_responses` itself."""
        data = self.fast_loads(raw)
        if data is None or not self._fast(record, data):
            try:
                data = decode(raw)  # the standard reader: the value (and any message) every reader gets
            except ResponseFileError as exc:
                record.problems.append(f"{record.name}: {exc}")
                return record
            self._reference(record, data)
        self._place(record, data, session)
        return record

    @staticmethod
    def fast_loads(raw: bytes) -> Any:
        """The JSON value by orjson, or None when orjson does not read it (the standard reader then decides).
        orjson reads integers beyond 64 bits as floats: the fast path takes only small integers, so such a file
        goes to the standard reader."""
        if len(raw) > MAX_FILE_BYTES:
            return None
        try:
            return orjson.loads(raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw)
        except orjson.JSONDecodeError:
            return None

    @staticmethod
    def _place(record: FileRecord, data: Any, session: str | None) -> None:
        """The file's session: its own, else `session`; a file for another session than `session` is refused,
        and so is a file that names no learner (a gradebook would merge every unnamed file into one learner)."""
        if record.problems:
            return
        own = file_session(data)
        if own and session and own != session:
            record.problems.append(f"{record.name}: the file is for session {own!r}, not {session!r} (--session)")
        record.session = own or session
        if not record.learner.strip():
            record.problems.append(f"{record.name}: 'learner' is empty; the gradebook needs the learner's name")

    def _reference(self, record: FileRecord, data: Any) -> None:
        """The file through `responses.parse_responses` itself (any file the fast path does not take)."""
        try:
            rs = parse_responses(data, self.questions, record.name, self.now_ms)
        except ResponseFileError as exc:
            record.problems.append(str(exc))
            return
        record.learner = rs.learner
        record.problems += rs.problems
        record.attempts = [(a.question, canonical_answer(self.questions[a.question], a.answer), a.certainty,
                            format_time(a.at), int(a.at)) for a in rs.attempts]
        record.ratings = [(r.provision, r.stage, r.rating, format_time(r.at), int(r.at)) for r in rs.ratings]

    # the fast path: files as the book writes them --------------------------------------------------------------

    def _fast(self, record: FileRecord, data: Any) -> bool:
        """Check a file as the book, Jupyter and the trainer tools write it, with a few look-ups per entry:
        True when every entry and self-rating is accepted (the record is filled in), False when anything is
        unusual (the record is untouched, and the file goes through `parse_responses`)."""
        if type(data) is not dict or data.get("schema") not in ("nasams-course/responses@2",
                                                                "nasams-course/responses@1"):
            return False
        learner, entries, ratings = data.get("learner"), data.get("responses"), data.get("self_ratings", [])
        if (type(learner) is not str or len(learner) > MAX_LEARNER_CHARS // 2 or type(entries) is not list
                or len(entries) > MAX_ENTRIES or type(ratings) is not list or len(ratings) > MAX_RATINGS):
            return False
        # nesting: the entries and ratings taken below are at most 4 deep; other fields must be plain values
        if any(isinstance(v, dict | list) for k, v in data.items() if k not in ("responses", "self_ratings")):
            return False
        if "session" in data and not (type(data["session"]) is str and ID_RE.fullmatch(data["session"])):
            return False
        try:
            attempts = self._fast_entries(entries)
            taken = None if attempts is None else self._fast_ratings(ratings)
        except (TypeError, KeyError):  # a field missing, an unhashable id or answer part: not a file as written
            return False
        if taken is None:
            return False
        record.learner, record.attempts, record.ratings = learner, attempts, taken
        return True

    def _fast_entries(self, entries: list) -> list[tuple] | None:
        out = []
        answers, minutes, seconds, latest = self._answers, self._minutes, self._seconds, self.latest_ms
        for e in entries:
            if type(e) is not dict:
                return None
            # exactly question, answer, at and perhaps certainty (a missing one raises KeyError: not as written)
            if len(e) == 3:
                c = None
            elif len(e) == 4:
                c = e["certainty"]
                if type(c) is not int or not 0 < c < 4:
                    return None
            else:
                return None
            q, a, at = e["question"], e["answer"], e["at"]
            ta = type(a)
            if ta is str:
                key = (q, 0, a)
            elif ta is list:
                key = (q, 1, tuple(a))
            elif ta is dict and all(type(v) is int for v in a.values()):
                key = (q, 2, tuple(a.items()))
            else:
                return None
            canonical = answers.get(key, False)
            if canonical is False:
                canonical = answers[key] = self._check_answer(q, a)
            if canonical is None:
                return None
            # "YYYY-MM-DDTHH:MM:" and "SS.mmmZ" (an `at` not a string raises TypeError: not as written)
            base = minutes.get(at[:17])
            if base is None:
                base = self._minute(at[:17])
                if base is None:
                    return None
            within = seconds.get(at[17:])
            if within is None or base + within > latest:
                return None
            out.append((q, canonical, c, at, base + within))
        return out

    def _fast_ratings(self, ratings: list) -> list[tuple] | None:
        out = []
        for r in ratings:
            if type(r) is not dict or len(r) != 4:
                return None
            pid, stage, rating, at = r.get("provision"), r.get("stage"), r.get("rating"), r.get("at")
            if (pid not in self.known_provisions or stage not in STAGES or type(rating) is not int
                    or not 0 < rating < 5 or type(at) is not str or len(at) != 24):
                return None
            base, within = self._minute(at[:17]), self._seconds.get(at[17:])
            if base is None or within is None or base + within > self.latest_ms:
                return None
            out.append((pid, stage, rating, at, base + within))
        return out

    def _check_answer(self, qid: Any, answer: Any) -> str | None:
        """An entry's question and answer as `responses` checks them: the canonical answer, or None when the
        entry would be skipped with a message."""
        if not isinstance(qid, str) or not ID_RE.fullmatch(qid) or qid not in self.questions:
            return None
        if answer in ("", [], {}) or not answer_shape_ok(answer):
            return None
        try:
            checked = normalize_answer(self.questions[qid], answer)
        except AnswerError:
            return None
        return None if checked is None else canonical_answer(self.questions[qid], checked)

    def _minute(self, prefix: str) -> int | None:
        """"YYYY-MM-DDTHH:MM:" -> ms since the epoch, when `parse_time` reads it (None otherwise)."""
        if prefix in self._minutes:
            return self._minutes[prefix]
        value = None
        if prefix.endswith(":"):
            try:
                value = int(parse_time(prefix[:16]))
            except ValueError:
                value = None
        self._minutes[prefix] = value
        return value


# -- importing ---------------------------------------------------------------------------------------------------


@dataclass
class FileOutcome:
    """What importing one file did."""

    name: str
    #: "imported", "already imported" or "refused"
    status: str
    learner: str = ""
    session: str | None = None
    #: attempts and self-ratings the file holds, and how many of them were new to the gradebook
    attempts: int = 0
    added: int = 0
    ratings: int = 0
    ratings_added: int = 0
    problems: list[str] = field(default_factory=list)
    #: for a file already imported: the name it was imported under, and when
    imported_as: str = ""
    imported_at: str = ""

    def to_json(self) -> dict:
        return dict(self.__dict__)


@dataclass
class ImportResult:
    files: list[FileOutcome] = field(default_factory=list)

    @property
    def refused(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "refused"]

    @property
    def ok(self) -> bool:
        """Every file imported now or before."""
        return not self.refused

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)


def now_text() -> str:
    return format_time(datetime.now(UTC).timestamp() * 1000)


class Writer:
    """Stores checked files in a gradebook, each in one transaction, with the ids of the learners, sessions,
    questions and answers stored so far at hand."""

    def __init__(self, con: sqlite3.Connection):
        self.con = con
        self.now = now_text()
        self._load_ids()

    def _load_ids(self) -> None:
        con = self.con
        self.learner_ids: dict[str, int] = dict(con.execute("SELECT name, id FROM learners"))
        self.session_ids: set[str] = {r[0] for r in con.execute("SELECT id FROM sessions")}
        self.question_ids: dict[str, int] = dict(con.execute("SELECT question, id FROM questions"))
        self.answer_ids: dict[str, int] = dict(con.execute("SELECT answer, id FROM answers"))

    def store(self, record: FileRecord) -> FileOutcome:
        """Store one checked file in one transaction: all of it, or nothing when its SHA-256 is already in."""
        outcome = FileOutcome(record.name, "imported", record.learner, record.session, len(record.attempts),
                              ratings=len(record.ratings))
        con, session = self.con, record.session
        con.execute("BEGIN IMMEDIATE")
        try:
            before = con.execute("SELECT name, imported_at FROM files WHERE sha256 = ?", (record.sha256,)).fetchone()
            if before:
                con.execute("ROLLBACK")
                outcome.status, outcome.imported_as, outcome.imported_at = "already imported", *before
                return outcome
            learner = self._learner(record.learner)
            if session and session not in self.session_ids:
                con.execute("INSERT INTO sessions (id) VALUES (?) ON CONFLICT DO NOTHING", (session,))
                self.session_ids.add(session)
            file_id = con.execute(
                "INSERT INTO files (name, sha256, imported_at, learner, session) VALUES (?, ?, ?, ?, ?)",
                (record.name, record.sha256, self.now, learner, session)).lastrowid
            columns = zip(*record.attempts, strict=True) if record.attempts else ((),) * 5
            questions, answers, certainties, ats, ms = columns
            rows = zip(repeat(learner), repeat(session), self._ids("questions", "question", questions),
                       self._ids("answers", "answer", answers), certainties, ats, ms, repeat(file_id))
            outcome.added = con.executemany(INSERT_ATTEMPT, rows).rowcount
            if record.ratings:
                tail = (learner, session, file_id)
                outcome.ratings_added = con.executemany(INSERT_RATING,
                                                        [row + tail for row in record.ratings]).rowcount
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            self._load_ids()  # the ids handed out in the transaction are gone with it
            raise
        return outcome

    def _learner(self, name: str) -> int:
        if name not in self.learner_ids:
            self.con.execute("INSERT INTO learners (name) VALUES (?) ON CONFLICT DO NOTHING", (name,))
            self.learner_ids[name] = self.con.execute("SELECT id FROM learners WHERE name = ?", (name,)).fetchone()[0]
        return self.learner_ids[name]

    def _ids(self, table: str, column: str, values: tuple[str, ...]) -> list[int]:
        """The ids of some questions or answers (`table`: "questions" or "answers"), storing the new ones."""
        ids = self.question_ids if table == "questions" else self.answer_ids
        try:
            return list(map(ids.__getitem__, values))
        except KeyError:
            for value in sorted(set(values) - ids.keys()):
                ids[value] = self.con.execute(f"INSERT INTO {table} ({column}) VALUES (?)", (value,)).lastrowid
            return list(map(ids.__getitem__, values))


def import_files(db: str | Path, paths: Iterable[str | Path], session: str | None = None,
                 questions: dict[str, Question] | None = None, now_ms: float | None = None) -> ImportResult:
    """Import response files into the gradebook `db` (created when there is none), one transaction per file.
    `session` applies to the files that name none. `questions`: the bank to check against (the course's).

    A large import (BULK_FROM files or more, and at least as many as the gradebook holds) is a bulk load: the query
    indexes are dropped while it writes and built again at its end, and the foreign keys are checked once at its end
    (`PRAGMA foreign_key_check`) instead of at every attempt."""
    from nasams_course.catalog import load_catalog
    from nasams_course.content.loader import course_bank

    if session is not None:
        check_session_id(session)
    questions = course_bank().questions if questions is None else questions
    reader = Reader(questions, load_catalog().ids, now_ms)
    paths = [str(p) for p in paths]
    con = connect(db, create=True)
    try:
        known = {r[0] for r in con.execute("SELECT sha256 FROM files")}
    finally:
        con.close()
    bulk = len(paths) >= max(BULK_FROM, len(known))
    result = ImportResult()
    with reading(reader, paths, session, known) as records:  # the readers start before the writer connects
        con = connect(db)
        try:
            if bulk:
                drop_query_indexes(con)
                con.execute("PRAGMA foreign_keys = OFF")
            writer = Writer(con)
            for record in records:
                if record.problems:
                    result.files.append(FileOutcome(record.name, "refused", record.learner, record.session,
                                                    problems=record.problems))
                else:
                    result.files.append(writer.store(record))
        finally:
            ensure_query_indexes(con)
            broken = con.execute("PRAGMA foreign_key_check").fetchall() if bulk else []
            con.close()
    if broken:
        raise GradebookError(f"{db}: {len(broken)} rows refer to rows that are not there (first: {broken[0]})")
    return result


def drop_query_indexes(con: sqlite3.Connection) -> None:
    con.execute("BEGIN IMMEDIATE")
    for name in QUERY_INDEXES:
        con.execute(f"DROP INDEX IF EXISTS {name}")
    con.execute("COMMIT")


def ensure_query_indexes(con: sqlite3.Connection) -> None:
    """Build the query indexes a large import dropped (also after one that was stopped half-way)."""
    for sql in QUERY_INDEXES.values():
        con.execute(sql)


# Reading in a pool of processes: the reader and the SHA-256s already imported, for the workers (fork) to use.
_POOL_STATE: tuple[Reader, str | None, set[str]] | None = None


def _read_in_worker(path: str) -> FileRecord:
    reader, session, known = _POOL_STATE
    return read_unless_known(reader, path, session, known)


def read_unless_known(reader: Reader, path: str, session: str | None, known: set[str]) -> FileRecord:
    """Read a file, but do not check one whose SHA-256 is already imported (storing it will say so)."""
    record = FileRecord(path)
    try:
        raw = read_bytes(Path(path))
    except ResponseFileError as exc:
        record.problems.append(str(exc))
        return record
    record.sha256 = hashlib.sha256(raw).hexdigest()
    return record if record.sha256 in known else reader.check(record, raw, session)


@contextmanager
def reading(reader: Reader, paths: list[str], session: str | None, known: set[str]) -> Iterator[Iterator[FileRecord]]:
    """Every file read and checked, in order: by a pool of processes (one per processor) for many files, which
    read ahead while the caller stores what they have read."""
    workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if len(paths) < POOL_FROM or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield (read_unless_known(reader, path, session, known) for path in paths)
        return
    global _POOL_STATE
    _POOL_STATE = (reader, session, known)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield pool.imap(_read_in_worker, paths, chunksize=16)
    finally:
        _POOL_STATE = None


# -- reading the gradebook ---------------------------------------------------------------------------------------


def sessions(db: str | Path) -> pd.DataFrame:
    """One row per session (files with no session together, as session None): its title when known, the learners
    and files imported for it, and the attempts stored under it."""
    con = connect(db)
    try:
        files = pd.DataFrame(con.execute(
            "SELECT f.session, s.title, COUNT(DISTINCT f.learner), COUNT(*) FROM files f "
            "LEFT JOIN sessions s ON s.id = f.session GROUP BY f.session ORDER BY f.session").fetchall(),
            columns=["session", "title", "learners", "files"])
        attempts = dict(con.execute("SELECT session, COUNT(*) FROM attempts GROUP BY session").fetchall())
    finally:
        con.close()
    files["attempts"] = [attempts.get(s, 0) for s in files["session"]]
    return files.astype({"learners": "int64", "files": "int64", "attempts": "int64"})


ATTEMPT_COLUMNS = ["learner", "session", "question", "answer", "certainty", "at", "at_ms", "file"]


def attempts_table(db: str | Path, session: str | None = None) -> pd.DataFrame:
    """The attempts, one row per attempt (of one session, or all): learner name, session, question, answer (its
    canonical JSON), certainty (missing when not stated), at (ISO UTC), at_ms (ms since the epoch), file name.
    Ordered by learner, then time."""
    con = connect(db)
    try:
        where, params = ("WHERE session = ?", (session,)) if session else ("", ())
        rows = con.execute(f"SELECT {', '.join(ATTEMPT_COLUMNS)} FROM attempts_readable {where} "
                           "ORDER BY learner, at_ms, id", params).fetchall()
    finally:
        con.close()
    frame = pd.DataFrame(rows, columns=ATTEMPT_COLUMNS)
    return frame.astype({"certainty": "Int64", "at_ms": "int64"})


def learner_files(db: str | Path, session: str | None = None) -> pd.DataFrame:
    """Each learner with a file imported (for one session, or any), by name: learner, files (their names, in the
    order imported, joined by "; ")."""
    con = connect(db)
    try:
        where, params = ("WHERE f.session = ?", (session,)) if session else ("", ())
        rows = con.execute(f"SELECT l.name, f.name FROM files f JOIN learners l ON l.id = f.learner {where} "
                           "ORDER BY l.name, f.id", params).fetchall()
    finally:
        con.close()
    files: dict[str, list[str]] = {}
    for learner, name in rows:
        files.setdefault(learner, []).append(name)
    return pd.DataFrame({"learner": list(files), "files": ["; ".join(names) for names in files.values()]})


def attempts_frame(db: str | Path, session: str | None = None) -> pd.DataFrame:
    """The attempts (of one session, or all) as the cohort grader's selections frame, one row per chosen option:
    learner (name), question, attempt (the order of a learner's attempts: later is higher), option, value. Feed
    it to `grading.cohort.grade_cohort` as it is."""
    con = connect(db)
    try:
        where, params = ("WHERE session = ?", (session,)) if session else ("", ())
        count = con.execute(f"SELECT COUNT(*) FROM attempts {where}", params).fetchone()[0]
        # in the order stored (a file's order), as integers straight into one array
        table = np.fromiter(chain.from_iterable(con.execute(
            f"SELECT learner, question, answer, at_ms FROM attempts {where} ORDER BY id", params)),
            dtype=np.int64, count=4 * count).reshape(count, 4)
        names = dict(con.execute("SELECT id, name FROM learners"))
        question_ids = dict(con.execute("SELECT id, question FROM questions"))
        answer_texts = dict(con.execute("SELECT id, answer FROM answers"))
    finally:
        con.close()
    # the order of a learner's attempts: by time, then as they were stored
    attempt = np.empty(count, dtype=np.int64)
    attempt[np.argsort(table[:, 3], kind="stable")] = np.arange(count)
    learner_codes, learner_seen = pd.factorize(table[:, 0], sort=True)
    question_codes, question_seen = pd.factorize(table[:, 1])
    answer_codes, answer_seen = pd.factorize(table[:, 2])
    option_codes, option_labels, values, rows_of = expand_answers(answer_codes, [answer_texts[a] for a in answer_seen])
    return pd.DataFrame({
        "learner": pd.Categorical.from_codes(learner_codes[rows_of], categories=[names[i] for i in learner_seen]),
        "question": pd.Categorical.from_codes(question_codes[rows_of],
                                              categories=[question_ids[q] for q in question_seen]),
        "attempt": attempt[rows_of],
        "option": pd.Categorical.from_codes(option_codes, categories=option_labels),
        "value": values,
    })


def expand_answers(answer_codes: np.ndarray, distinct: list[str]) -> tuple[np.ndarray, list[str], np.ndarray,
                                                                         np.ndarray]:
    """Attempts' answers (codes into `distinct`, canonical JSON) -> their selections, with numpy (each distinct
    answer is read once): option codes, option labels, values, and the attempt each selection comes from. A single
    answer selects its option (1); multi and order answers their options (the position: any value marks a multi
    option as chosen); a rate answer its options (the rating)."""
    pairs_of = []
    for text in distinct:
        answer = json.loads(text)
        if isinstance(answer, str):
            pairs_of.append([(answer, 1.0)])
        elif isinstance(answer, dict):
            pairs_of.append([(oid, float(r)) for oid, r in answer.items()])
        else:
            pairs_of.append([(oid, float(k)) for k, oid in enumerate(answer)])
    lengths = np.array([len(p) for p in pairs_of], dtype=np.int64)
    flat_codes, labels = pd.factorize(np.array([o for p in pairs_of for o, _ in p], dtype=object))
    flat_values = np.array([v for p in pairs_of for _, v in p], dtype=float)
    per = lengths[answer_codes]
    rows_of = np.repeat(np.arange(len(answer_codes)), per)
    within = np.arange(rows_of.size) - np.repeat(np.cumsum(per) - per, per)
    flat = (np.cumsum(lengths) - lengths)[answer_codes][rows_of] + within
    return flat_codes[flat], [str(label) for label in labels], flat_values[flat], rows_of


#: the formats `export` writes
EXPORT_FORMATS = ("csv", "parquet")


def export(db: str | Path, fmt: str, out: str | Path, session: str | None = None) -> int:
    """Write the attempts table (see `attempts_table`) as CSV or Parquet; returns the number of rows."""
    if fmt not in EXPORT_FORMATS:
        raise GradebookError(f"the format {fmt!r} is not one of {', '.join(EXPORT_FORMATS)}")
    frame = attempts_table(db, session)
    if fmt == "csv":
        frame.to_csv(out, index=False)
    else:
        frame.to_parquet(out, index=False)
    return len(frame)
