"""The gradebook: one SQLite file that holds every attempt of a cohort's response files.

`import_files` reads response files with the rules of every reader (`nasams_course.responses`: the same files are
accepted and refused, with the same messages) and stores each file in ONE transaction: a file with any problem (a
skipped entry too) is refused whole and nothing from it is stored; a file already imported (the same SHA-256) adds
nothing; two files of the same learner merge, an attempt identical in question, answer and time being stored once.

`attempts_frame` gives the cohort grader (`grading.cohort.grade_cohort`) its selections frame straight from the
database; `attempt_arrays` its AttemptTable (what `cohort_frames` and the report grade: one row per attempt, each
distinct answer parsed once); `attempts_table` is the attempts table with names and text (one row per attempt),
which `export` writes (through `spreadsheet.write_frame`).

Speed: a file is parsed once (orjson; a file orjson does not read goes to the standard reader of
`responses.decode`, which gives the message), its entries are checked by a fast path that accepts only what
`responses.parse_responses` accepts and gives the same result (anything else is read by `parse_responses` itself),
files are read by a pool of processes while this one writes, and what the readers hand the writer is integers only:
each attempt's question (its place in the bank), answer (its number, `AnswerKeys`: the same in every process),
certainty and time in ms. The attempts table (schema version 4) holds integers only, keyed by the uniqueness that
merges a learner's files (one b-tree, no other index); an attempt's session is its file's, and its time as text is
made from `at_ms` when it is read. Each table has one prepared statement fed by `executemany`.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import sqlite3
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from itertools import accumulate, chain, compress
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd

from nasams_course.content.models import Question
from nasams_course.grading.calibration import STAGES
from nasams_course.grading.cohort import AttemptTable
from nasams_course.responses import (
    ID_RE,
    MAX_ENTRIES,
    ResponseFileError,
    decode,
    format_time,
    parse_responses,
    read_bytes,
)
from nasams_course.training.cohort_files import BankLookups, PlainRead, read_plain
from nasams_course.training.processes import can_fork, processors
from nasams_course.training.spreadsheet import write_frame

#: "NASG" in the SQLite header's application id: a gradebook, not some other SQLite file
APPLICATION_ID = 0x4E415347

#: The schema, one migration per version, applied in order (never edit one that has shipped: add the next).
#: Questions and answers are stored once each (`questions`, `answers`: the answer's canonical JSON) and attempts
#: refer to them: a large cohort's attempts stay small and fast to write. `attempts_readable` shows the attempts
#: with names, question ids and answers as text.
MIGRATIONS: list[str | Callable[[sqlite3.Connection], None]] = [
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
    # 2: the certificate register (see training/register.py): a certificate issued from the gradebook, the
    # SHA-256 of its token, and its revocation. Learner and session are kept as text: a certificate outlives them.
    """
    CREATE TABLE certificates (
        id TEXT PRIMARY KEY,
        learner TEXT NOT NULL,
        session TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        issued_by TEXT NOT NULL,
        key_id TEXT NOT NULL,
        token_sha256 TEXT NOT NULL UNIQUE CHECK (length(token_sha256) = 64),
        revoked_at TEXT,
        reason TEXT
    );
    CREATE INDEX certificates_by_session ON certificates(session, learner);
    """,
    # 3: no index of attempts by question. No query reads the attempts of one question (the report and the grader
    # read every attempt of a session, or all), and a large import spent about 4 s of its writer's processor time
    # building it for 2.5 million attempts.
    """
    DROP INDEX IF EXISTS attempts_by_question;
    """,
    # 4: attempts of integers only, keyed by what merges a learner's files (see `_integer_attempts`)
    lambda con: _integer_attempts(con),
]

#: An attempt's time as text (ISO UTC to the millisecond, as `responses.format_time` writes it), from `at_ms`
AT_TEXT = "strftime('%Y-%m-%dT%H:%M:%S', {ms} / 1000, 'unixepoch') || printf('.%03dZ', {ms} % 1000)"

#: Schema version 4's attempts (made by `_integer_attempts`): integers only, one b-tree keyed by the uniqueness that
#: merges a learner's files (an attempt identical in question, time and answer is stored once), no other index. An
#: attempt's session is its file's (an attempt stays with the file that first stored it), its time as text is made
#: from `at_ms` (`AT_TEXT`), and `seq` orders a file's attempts (their position in the file; for attempts carried
#: over from version 3, the order they were stored in): `file, seq` is the order the attempts were stored in.
ATTEMPTS_V4 = f"""
    CREATE TABLE attempts_v4 (
        learner INTEGER NOT NULL REFERENCES learners(id),
        question INTEGER NOT NULL REFERENCES questions(id),
        at_ms INTEGER NOT NULL,
        answer INTEGER NOT NULL REFERENCES answers(id),
        certainty INTEGER CHECK (certainty BETWEEN 1 AND 3),
        file INTEGER NOT NULL REFERENCES files(id),
        seq INTEGER NOT NULL,
        PRIMARY KEY (learner, question, at_ms, answer)
    ) WITHOUT ROWID;
    INSERT INTO attempts_v4 (learner, question, at_ms, answer, certainty, file, seq)
        SELECT learner, question, at_ms, answer, certainty, file, row_number() OVER (PARTITION BY file ORDER BY id) - 1
        FROM attempts;
    DROP VIEW attempts_readable;
    DROP TABLE attempts;
    ALTER TABLE attempts_v4 RENAME TO attempts;
    CREATE VIEW attempts_readable AS
        SELECT l.name AS learner, f.session, q.question, an.answer, a.certainty, {AT_TEXT.format(ms="a.at_ms")} AS at,
               a.at_ms, f.name AS file, a.file AS file_id, a.seq
        FROM attempts a JOIN learners l ON l.id = a.learner JOIN questions q ON q.id = a.question
        JOIN answers an ON an.id = a.answer JOIN files f ON f.id = a.file;
"""


def _integer_attempts(con: sqlite3.Connection) -> None:
    """Schema version 4: the attempts of version 3 (learner, session, question, answer, certainty, `at` as text and
    `at_ms`, file, with a unique index and an index by session) into a table of integers only (ATTEMPTS_V4), each
    row kept. Version 3 stored each attempt under its file's session, and `at` as `at_ms` written out: a gradebook in
    which that is not so for some row is left as it is (GradebookError), as nothing of it may be lost."""
    differ = con.execute(
        "SELECT COUNT(*) FROM attempts a JOIN files f ON f.id = a.file "
        f"WHERE a.session IS NOT f.session OR a.at IS NOT ({AT_TEXT.format(ms='a.at_ms')})").fetchone()[0]
    if differ:
        raise GradebookError(f"{differ} attempt(s) of the gradebook have a session other than their file's, or a "
                             "time other than their time in ms: it cannot be moved to schema version 4, and is left "
                             "as it is")
    for statement in ATTEMPTS_V4.split(";"):
        if statement.strip():
            con.execute(statement)


#: attempts stored by one statement (`INSERT ... VALUES (...), (...), ...`): a file's attempts in a few steps of
#: SQLite, with far less work per attempt than one step each
ROWS_PER_INSERT = 64


@cache
def insert_attempts(rows: int) -> str:
    """The statement that stores `rows` attempts (certainty 0: not stated), an attempt already there left as it is."""
    values = ", ".join(["(?, ?, ?, ?, NULLIF(?, 0), ?, ?)"] * rows)
    return (f"INSERT INTO attempts (learner, question, at_ms, answer, certainty, file, seq) VALUES {values} "
            "ON CONFLICT DO NOTHING")


INSERT_RATING = ("INSERT INTO self_ratings (provision, stage, rating, at, at_ms, learner, session, file) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")

#: reading files in a pool of processes pays from this many files on
POOL_FROM = 64
#: an import of at least this many files (and at least as many as the gradebook holds) checks the foreign keys once,
#: at its end, instead of at each row
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
    if not new and con.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] != 1:
        con.close()  # its version unknown, no migration can be trusted on it: left as it is
        raise GradebookError(f"{path} is damaged: its schema version is missing (edited by hand?); it was left as it "
                             "was: import the response files into a new gradebook")
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = NORMAL")
    con.execute("PRAGMA foreign_keys = ON")
    con.execute("PRAGMA cache_size = -262144")  # 256 MB: the indexes of a large cohort stay in memory
    migrate(con)
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
            if callable(script):
                script(con)
            else:
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


#: a file's attempts as the readers hand them to the writer: one row each, of these integer columns
ATTEMPT_FIELDS = ("question", "answer", "certainty", "at_ms")


def _no_attempts() -> np.ndarray:
    return np.zeros((0, len(ATTEMPT_FIELDS)), dtype=np.int64)


@dataclass
class FileRecord:
    """One response file, read and checked: what would be stored, or the problems that refuse it."""

    name: str
    sha256: str = ""
    learner: str = ""
    session: str | None = None
    #: the attempts in the file's order, one row each (ATTEMPT_FIELDS): the question (its place in the bank), the
    #: answer (its number: `AnswerKeys`), the certainty (0 when not stated), the time in ms since the epoch.
    #: `Reader.rows` gives them as text.
    attempts: np.ndarray = field(default_factory=_no_attempts)
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
    # as json.dumps(answer, separators=(",", ":"), sort_keys=True, ensure_ascii=False) writes it (option ids and
    # ratings have one JSON text), a few times faster
    return orjson.dumps(answer, option=orjson.OPT_SORT_KEYS).decode()


class AnswerKeys:
    """Each answer to a question of the bank as one integer, the same in every process that holds the same bank, and
    that integer back to the answer's canonical JSON: the readers hand the writer numbers, not text.

    Question q (its place in the bank) with n options owns the numbers offset[q] ... offset[q] + base**n - 1; the
    answer's digit s (in `base`) is 0 when option slot s is not chosen, else 1 (single, multi: chosen; a multi
    answer is a set), its rating (rate) or its position + 1 (order). One answer, one number: a multi answer in any
    order is one number, as it is one canonical text."""

    def __init__(self, questions: dict[str, Question], bank: BankLookups | None = None):
        self.questions = questions
        self.bank = bank or BankLookups(questions)
        sizes = [len(ids) for ids in self.bank.option_ids]
        self.base = max(self.bank.width + 1, 5)  # digits up to the last position + 1, and up to the rating 4
        spans = [self.base ** n for n in sizes]
        self.offsets = list(accumulate(spans, initial=0))[:-1]
        # numbers fit in 64 bits for any real bank (7 options: 8**7 each); Python integers otherwise
        self.dtype: Any = np.int64 if sum(spans) < 2 ** 63 else object
        self.offset = np.array(self.offsets, dtype=self.dtype)
        self.power = np.zeros((len(sizes), self.bank.width), dtype=self.dtype)
        for q, n in enumerate(sizes):
            self.power[q, :n] = [self.base ** s for s in range(n)]

    def keys(self, question: np.ndarray, values: np.ndarray) -> np.ndarray:
        """The numbers of answers given as rows of option values (NaN: not chosen), as `read_plain` reads them: a
        single answer's option 1, multi and order answers' options their position, rate answers' their rating."""
        kind = self.bank.kind[question][:, None]
        chosen = ~np.isnan(values)
        digit = np.where(chosen, np.where(kind == 2, values, np.where(kind == 3, values + 1, 1)), 0).astype(np.int64)
        return self.offset[question] + (digit.astype(self.dtype) * self.power[question]).sum(axis=1)

    def values(self, question: int, answer: Any) -> np.ndarray:
        """A checked answer to question `question` (its place in the bank) as its row of option values."""
        row = np.full(self.bank.width, np.nan)
        slots = {oid: s for s, oid in enumerate(self.bank.option_ids[question])}
        _fill_values(row, self.bank.qids[question], slots, answer)
        return row

    def text(self, key: int) -> str:
        """The canonical JSON of the answer numbered `key` (see `canonical_answer`)."""
        q = bisect_right(self.offsets, key) - 1
        rest, ids = int(key) - self.offsets[q], self.bank.option_ids[q]
        chosen = [(rest // self.base ** s % self.base, oid) for s, oid in enumerate(ids)]
        chosen = [(digit, oid) for digit, oid in chosen if digit]
        kind = int(self.bank.kind[q])
        if kind == 0:  # single
            answer: Any = chosen[0][1]
        elif kind == 2:  # rate
            answer = {oid: digit for digit, oid in chosen}
        else:  # multi, order: by position (canonical_answer sorts a multi answer's options)
            answer = [oid for _, oid in sorted(chosen)]
        return canonical_answer(self.questions[self.bank.qids[q]], answer)


class Reader:
    """Reads and checks response files against a question bank, many at once: the files of the plain form the book,
    Jupyter and the trainer tools write by the cohort's fast reader (`cohort_files.read_plain`, column by column),
    any other file by `responses.parse_responses` itself."""

    def __init__(self, questions: dict[str, Question], known_provisions: Iterable[str] | None = None,
                 now_ms: float | None = None):
        self.questions = questions
        self.bank = BankLookups(questions)  # its provisions: the catalog's (`known_provisions` is the same list)
        self.answer_keys = AnswerKeys(questions, self.bank)
        self.provision_ids = list(self.bank.provision)
        self.now_ms = datetime.now(UTC).timestamp() * 1000 if now_ms is None else now_ms

    def rows(self, record: FileRecord) -> list[tuple]:
        """A record's attempts as rows of text: (question, answer as canonical JSON, certainty or None, at as ISO UTC
        text, at in ms)."""
        return [(self.bank.qids[q], self.answer_keys.text(a), c or None, format_time(ms), ms)
                for q, a, c, ms in record.attempts.tolist()]

    def read(self, path: str | Path, session: str | None = None) -> FileRecord:
        """Read one file: its SHA-256, and either what it holds or the problems that refuse it. `session` (from
        the command line) applies when the file names none; a file naming another one is refused."""
        return self.read_many([str(path)], session, set())[0]

    def read_many(self, paths: list[str], session: str | None, known: set[str]) -> list[FileRecord]:
        """Read files (see `read`), in order; a file whose SHA-256 is in `known` is not checked (storing it will
        say it is already imported)."""
        records, unknown = [], []
        for path in paths:
            record = FileRecord(path)
            records.append(record)
            try:
                raw = read_bytes(Path(path))
            except ResponseFileError as exc:
                record.problems.append(str(exc))
                continue
            record.sha256 = hashlib.sha256(raw).hexdigest()
            if record.sha256 not in known:
                unknown.append((record, raw))
        self.check_many(unknown, session)
        return records

    def check(self, record: FileRecord, raw: bytes, session: str | None) -> FileRecord:
        """Check a file's bytes (see `check_many`)."""
        return self.check_many([(record, raw)], session)[0]

    def check_many(self, files: list[tuple[FileRecord, bytes]], session: str | None) -> list[FileRecord]:
        """Check files' bytes: those of the plain form by the fast reader, all at once; any other by
        `parse_responses` itself."""
        plain = read_plain([raw for _, raw in files], self.bank, self.now_ms)  # the bytes: decoded once, there
        self._fill([record for record, _ in files], plain)
        for (record, raw), taken, own in zip(files, plain.taken.tolist(), plain.session, strict=True):
            if not taken:
                try:
                    data = decode(raw)  # the standard reader: the value (and any message) every reader gets
                except ResponseFileError as exc:
                    record.problems.append(f"{record.name}: {exc}")
                    continue
                self._reference(record, data)
                own = None if record.problems else file_session(data)  # refused: not read further
            self._place(record, own, session)
        return [record for record, _ in files]

    @staticmethod
    def _place(record: FileRecord, own: str | None, session: str | None) -> None:
        """The file's session: its own (`own`), else `session`; a file for another session than `session` is
        refused, and so is a file that names no learner (a gradebook would merge every unnamed file into one
        learner)."""
        if record.problems:
            return
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
        if rs.attempts:
            question = np.array([self.bank.index[a.question] for a in rs.attempts], dtype=np.int64)
            values = np.array([self.answer_keys.values(q, a.answer) for q, a in zip(question.tolist(), rs.attempts,
                                                                                      strict=True)])
            record.attempts = _attempt_rows(question, self.answer_keys.keys(question, values),
                                            np.array([a.certainty or 0 for a in rs.attempts], dtype=np.int64),
                                            np.array([int(a.at) for a in rs.attempts], dtype=np.int64))
        record.ratings = [(r.provision, r.stage, r.rating, format_time(r.at), int(r.at)) for r in rs.ratings]

    # the files the fast path took, from its columns ------------------------------------------------------------

    def _fill(self, records: list[FileRecord], plain: PlainRead) -> None:
        """The attempts and self-ratings of the files the fast path took, split file by file."""
        cols, keep, r_keep = plain.cols, plain.keep, plain.r_keep
        question = np.array(cols.question, dtype=np.int64)[keep]
        attempts = _attempt_rows(question, self.answer_keys.keys(question, plain.values(self.bank.width)),
                                 np.array(cols.certainty, dtype=np.int64)[keep], plain.at[keep].astype(np.int64))
        r_ms = plain.r_at[r_keep].astype(np.int64).tolist()
        r_keep_list = r_keep.tolist()
        ratings = list(zip(np.array(self.provision_ids, dtype=object)[np.array(cols.r_provision, dtype=np.int64)
                                                                       [r_keep]].tolist(),
                           [STAGES[k] for k in compress(cols.r_stage, r_keep_list)],
                           list(compress(cols.r_rating, r_keep_list)),
                           _as_written(list(compress(cols.r_at, r_keep_list)), r_ms), r_ms, strict=True))
        taken = np.flatnonzero(plain.taken)
        ends = np.cumsum(np.bincount(plain.file[keep], minlength=len(records))[taken]).tolist()
        r_ends = np.cumsum(np.bincount(plain.r_file[r_keep], minlength=len(records))[taken]).tolist()
        start = r_start = 0
        for i, end, r_end in zip(taken.tolist(), ends, r_ends, strict=True):
            record = records[i]
            record.learner = plain.learner[i]
            record.attempts = attempts[start:end]
            record.ratings = ratings[r_start:r_end]
            start, r_start = end, r_end


def _attempt_rows(question: np.ndarray, answer: np.ndarray, certainty: np.ndarray, at_ms: np.ndarray) -> np.ndarray:
    """Attempts as rows of ATTEMPT_FIELDS."""
    return np.column_stack([question, answer, certainty, at_ms]).astype(answer.dtype)


def _as_written(texts: list[str], ms: list[int]) -> list[str]:
    """Times as the fast path read them, as ISO UTC text to the millisecond (`format_time`'s form: a time written
    without its milliseconds gets them)."""
    if set(map(len, texts)) <= {24}:
        return texts
    return [t if len(t) == 24 else format_time(m) for t, m in zip(texts, ms, strict=True)]


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
    """Stores checked files in a gradebook, each in one transaction (or, inside a transaction the caller holds, one
    savepoint: see `group`), with the ids of the learners, sessions, questions and answers stored so far at hand.
    `questions`: the bank the files were read against (their attempts name questions and answers by number).

    What it holds of the gradebook is checked each time it takes the write lock (another import may have written
    meanwhile: it is then read again), and kept up to date while it holds the lock."""

    #: the tables whose ids the writer holds, and the largest id of each when it last read them
    TABLES = ("learners", "files", "questions", "answers")

    def __init__(self, con: sqlite3.Connection, questions: dict[str, Question]):
        self.con = con
        self.now = now_text()
        self.answer_keys = AnswerKeys(questions)
        self._load_ids()

    def _last_ids(self) -> list[int]:
        return [self.con.execute(f"SELECT COALESCE(MAX(id), 0) FROM {t}").fetchone()[0] for t in self.TABLES]

    def _load_ids(self) -> None:
        con, qids = self.con, self.answer_keys.bank.qids
        self.learner_ids: dict[str, int] = dict(con.execute("SELECT name, id FROM learners"))
        self.session_ids: set[str] = {r[0] for r in con.execute("SELECT id FROM sessions")}
        self.sha256s: set[str] = {r[0] for r in con.execute("SELECT sha256 FROM files")}
        stored = dict(con.execute("SELECT question, id FROM questions"))
        #: a question's id by its place in the bank (0: not stored yet)
        self.question_of = np.array([stored.get(qid, 0) for qid in qids], dtype=np.int64)
        self.answer_ids: dict[str, int] = dict(con.execute("SELECT answer, id FROM answers"))
        #: the answer numbers (`AnswerKeys`) met so far and the id of each: most in two arrays sorted by number (a
        #: file's answers found in one search), the latest in a dict (`_answer_ids` moves them to the arrays by turns)
        self.numbers_met = np.zeros(0, dtype=self.answer_keys.dtype)
        self.ids_met = np.zeros(0, dtype=np.int64)
        self.answer_of: dict[int, int] = {}
        self.last = dict(zip(self.TABLES, self._last_ids(), strict=True))

    def _locked(self) -> None:
        """The write lock just taken: read the gradebook again if another connection wrote to it meanwhile."""
        if self._last_ids() != list(self.last.values()):
            self._load_ids()

    @contextmanager
    def group(self) -> Iterator[None]:
        """One transaction for the files stored inside it, each file in a savepoint of its own (a file that fails
        is rolled back alone, and the files before it are kept): far fewer commits for a large import."""
        self.con.execute("BEGIN IMMEDIATE")
        try:
            self._locked()
            yield
        finally:
            self.con.execute("COMMIT")

    @contextmanager
    def _one_file(self) -> Iterator[None]:
        """A file's transaction, or its savepoint inside a `group`: all of it, or nothing."""
        con, nested = self.con, self.con.in_transaction
        con.execute("SAVEPOINT file" if nested else "BEGIN IMMEDIATE")
        try:
            if not nested:
                self._locked()
            yield
        except BaseException:
            con.execute("ROLLBACK TO file" if nested else "ROLLBACK")
            if nested:
                con.execute("RELEASE file")
            self._load_ids()  # the ids handed out for the file are gone with it
            raise
        con.execute("RELEASE file" if nested else "COMMIT")

    def store(self, record: FileRecord) -> FileOutcome:
        """Store one checked file atomically: all of it, or nothing when its SHA-256 is already in."""
        attempts = record.attempts
        outcome = FileOutcome(record.name, "imported", record.learner, record.session, len(attempts),
                              ratings=len(record.ratings))
        con, session = self.con, record.session
        with self._one_file():
            if record.sha256 in self.sha256s:
                outcome.status = "already imported"
                outcome.imported_as, outcome.imported_at = con.execute(
                    "SELECT name, imported_at FROM files WHERE sha256 = ?", (record.sha256,)).fetchone()
                return outcome
            learner = self._learner(record.learner)
            if session and session not in self.session_ids:
                con.execute("INSERT INTO sessions (id) VALUES (?)", (session,))
                self.session_ids.add(session)
            file_id = self._new_id("files", con.execute(
                "INSERT INTO files (name, sha256, imported_at, learner, session) VALUES (?, ?, ?, ?, ?)",
                (record.name, record.sha256, self.now, learner, session)).lastrowid)
            self.sha256s.add(record.sha256)
            rows = np.empty((len(attempts), 7), dtype=np.int64)  # the columns of `insert_attempts`
            places = attempts[:, 0].astype(np.int64)  # objects when AnswerKeys numbers by Python integers
            rows[:, 0], rows[:, 1], rows[:, 2] = learner, self._question_ids(places), attempts[:, 3]
            rows[:, 3], rows[:, 4], rows[:, 5] = self._answer_ids(attempts[:, 1]), attempts[:, 2], file_id
            rows[:, 6] = np.arange(len(attempts))
            outcome.added = self._insert_attempts(rows)
            if record.ratings:
                tail = (learner, session, file_id)
                outcome.ratings_added = con.executemany(INSERT_RATING,
                                                        [row + tail for row in record.ratings]).rowcount
        return outcome

    def _insert_attempts(self, rows: np.ndarray) -> int:
        """Store attempts given as rows of the columns of `insert_attempts` (certainty 0: not stated),
        ROWS_PER_INSERT to a statement; returns how many were new."""
        whole = len(rows) // ROWS_PER_INSERT * ROWS_PER_INSERT
        added = 0
        if whole:
            added += self.con.executemany(insert_attempts(ROWS_PER_INSERT),
                                          rows[:whole].reshape(-1, ROWS_PER_INSERT * rows.shape[1]).tolist()).rowcount
        if whole < len(rows):
            added += self.con.execute(insert_attempts(len(rows) - whole), rows[whole:].ravel().tolist()).rowcount
        return added

    def _new_id(self, table: str, row_id: int) -> int:
        self.last[table] = max(self.last[table], row_id)
        return row_id

    def _learner(self, name: str) -> int:
        if name not in self.learner_ids:
            self.learner_ids[name] = self._new_id("learners", self.con.execute(
                "INSERT INTO learners (name) VALUES (?)", (name,)).lastrowid)
        return self.learner_ids[name]

    def _question_ids(self, places: np.ndarray) -> np.ndarray:
        """The ids of questions given by their place in the bank, storing the new ones (in one statement, with the
        ids that follow the largest stored, in the order first met)."""
        ids = self.question_of[places]
        if (ids == 0).any():
            new = list(dict.fromkeys(places[ids == 0].tolist()))
            self.question_of[new] = self._store_new("questions", "question",
                                                    [self.answer_keys.bank.qids[q] for q in new])
            ids = self.question_of[places]
        return ids

    def _answer_ids(self, keys: np.ndarray) -> np.ndarray:
        """The ids of answers given by their numbers (`AnswerKeys`), storing the new ones (as `_question_ids`)."""
        met = self.numbers_met
        place = np.searchsorted(met, keys).clip(max=max(len(met) - 1, 0))
        ids = self.ids_met[place] if len(met) else np.zeros(len(keys), dtype=np.int64)
        if len(met) and (met[place] == keys).all():
            return ids
        rest = np.flatnonzero(met[place] != keys) if len(met) else np.arange(len(keys))
        numbers, answer_of = keys[rest].tolist(), self.answer_of
        new_numbers = [n for n in dict.fromkeys(numbers) if n not in answer_of]  # in the order first met
        if new_numbers:
            texts = [self.answer_keys.text(k) for k in new_numbers]
            new = [t for t in dict.fromkeys(texts) if t not in self.answer_ids]
            self.answer_ids.update(zip(new, self._store_new("answers", "answer", new), strict=True))
            answer_of.update(zip(new_numbers, map(self.answer_ids.__getitem__, texts), strict=True))
        ids[rest] = list(map(answer_of.__getitem__, numbers))
        if len(answer_of) > max(ANSWERS_MERGED, len(met) // 8):
            self._merge_answers_met()
        return ids

    def _merge_answers_met(self) -> None:
        """The numbers met of late (`answer_of`) into the sorted arrays."""
        numbers = np.concatenate([self.numbers_met, np.fromiter(self.answer_of, dtype=self.numbers_met.dtype)])
        ids = np.concatenate([self.ids_met, np.fromiter(self.answer_of.values(), dtype=np.int64)])
        order = np.argsort(numbers)
        self.numbers_met, self.ids_met = numbers[order], ids[order]
        self.answer_of = {}

    def _store_new(self, table: str, column: str, values: list[str]) -> list[int]:
        """Store new questions or answers (`table`: "questions" or "answers") with the ids that follow the largest
        stored; returns their ids."""
        first = self.last[table] + 1
        self.con.executemany(f"INSERT INTO {table} (id, {column}) VALUES (?, ?)", enumerate(values, first))
        self.last[table] += len(values)
        return list(range(first, first + len(values)))


#: answer numbers the writer keeps in a dict before it moves them to its sorted arrays (at least; and an eighth of
#: those already there)
ANSWERS_MERGED = 1024
#: files stored in one transaction (each in a savepoint of its own) by an import
GROUP_FILES = 200
#: an import checkpoints its write-ahead log when it is this many pages (of 4 KB) long (and at its end, as SQLite does
#: when the last connection closes)
IMPORT_CHECKPOINT_PAGES = 100_000


def import_files(db: str | Path, paths: Iterable[str | Path], session: str | None = None,
                 questions: dict[str, Question] | None = None, now_ms: float | None = None) -> ImportResult:
    """Import response files into the gradebook `db` (created when there is none), each file atomically: a savepoint
    of its own, inside transactions of up to GROUP_FILES files (a file that fails while it is stored is rolled back
    alone; the files before it are kept). `session` applies to the files that name none. `questions`: the bank to
    check against (the course's).

    A large import (BULK_FROM files or more, and at least as many as the gradebook holds) checks the foreign keys once
    at its end (`PRAGMA foreign_key_check`) instead of at every attempt."""
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
                con.execute("PRAGMA foreign_keys = OFF")
            # the pages the import writes go into the write-ahead log, and to the database once when it closes (a
            # checkpoint every 4 MB, SQLite's default, writes and syncs the same pages again and again)
            con.execute(f"PRAGMA wal_autocheckpoint = {IMPORT_CHECKPOINT_PAGES}")
            con.execute("PRAGMA temp_store = MEMORY")  # each file's savepoint journal, in memory
            writer = Writer(con, questions)
            for group in _batches(records, GROUP_FILES):
                with writer.group():
                    for record in group:
                        if record.problems:
                            result.files.append(FileOutcome(record.name, "refused", record.learner, record.session,
                                                            problems=record.problems))
                        else:
                            result.files.append(writer.store(record))
        finally:
            broken = broken_references(con) if bulk else []
            con.close()
    if broken:
        raise GradebookError(f"{db}: {len(broken)} rows refer to rows that are not there (first: {broken[0]})")
    return result


def broken_references(con: sqlite3.Connection) -> list[tuple]:
    """The rows that refer to rows that are not there (as `PRAGMA foreign_key_check` gives them; an attempt as its
    row). The attempts (millions) are checked in one pass, by the ranges of the ids they refer to, when each table
    they refer to holds every id from 1 to its largest (as the writer stores them: so an id in that range is there);
    the other tables, and the attempts otherwise, row by row."""
    broken = [row for table in ("files", "self_ratings") for row in con.execute(f"PRAGMA foreign_key_check({table})")]
    parents = {"learner": "learners", "question": "questions", "answer": "answers", "file": "files"}
    ranges = {column: con.execute(f"SELECT COUNT(*), COALESCE(MIN(id), 1), COALESCE(MAX(id), 0) FROM {table}")
              .fetchone() for column, table in parents.items()}
    if all(first == 1 and count == last for count, first, last in ranges.values()):
        outside = " OR ".join(f"{column} NOT BETWEEN 1 AND {last}" for column, (_, _, last) in ranges.items())
        return broken + con.execute(f"SELECT * FROM attempts WHERE {outside}").fetchall()
    return broken + con.execute("PRAGMA foreign_key_check(attempts)").fetchall()


def _batches(items: Iterable[FileRecord], size: int) -> Iterator[list[FileRecord]]:
    batch: list[FileRecord] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


#: files a reader checks at once (a pool's worker reads them as one task), and the chunks a pool's workers may
#: read ahead of the writer, each
READ_CHUNK = 32
READ_AHEAD = 4
#: the readers' niceness: the writer, which stores what they read one file after another, is the slower side, and
#: goes first when the processors are busy (the readers, ahead of it, use what is left)
READER_NICE = 10

# Reading in a pool of processes: the reader and the SHA-256s already imported, for the workers (fork) to use.
_POOL_STATE: tuple[Reader, str | None, set[str]] | None = None


def _read_in_worker(paths: list[str]) -> list[FileRecord]:
    reader, session, known = _POOL_STATE
    return reader.read_many(paths, session, known)


@contextmanager
def reading(reader: Reader, paths: list[str], session: str | None, known: set[str]) -> Iterator[Iterator[FileRecord]]:
    """Every file read and checked, in order, READ_CHUNK files at a time: by a pool of processes (one per processor)
    for many files, which read ahead while the caller stores what they have read."""
    chunks = [paths[i:i + READ_CHUNK] for i in range(0, len(paths), READ_CHUNK)]
    workers = processors()
    if len(paths) < POOL_FROM or workers < 1 or not can_fork():
        yield chain.from_iterable(reader.read_many(chunk, session, known) for chunk in chunks)
        return
    global _POOL_STATE
    _POOL_STATE = (reader, session, known)
    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=os.nice, initargs=(READER_NICE,)) as pool:
            yield _read_ahead(pool, chunks, READ_AHEAD * workers)
    finally:
        _POOL_STATE = None


def _read_ahead(pool: Any, chunks: list[list[str]], ahead: int) -> Iterator[FileRecord]:
    """The chunks' records in order, at most `ahead` chunks read before the caller asks for them (the files of a
    large import are not all held in memory at once, nor scanned by the garbage collector again and again)."""
    pending: deque = deque()
    for chunk in chunks:
        pending.append(pool.apply_async(_read_in_worker, (chunk,)))
        if len(pending) > ahead:
            yield from pending.popleft().get()
    while pending:
        yield from pending.popleft().get()


# -- reading the gradebook ---------------------------------------------------------------------------------------


def sessions(db: str | Path) -> pd.DataFrame:
    """One row per session (files with no session together, as session None): its title when known, the learners
    and files imported for it, and the attempts stored under it (an attempt is stored under its file's session)."""
    con = connect(db)
    try:
        files = pd.DataFrame(con.execute(
            "SELECT f.session, s.title, COUNT(DISTINCT f.learner), COUNT(*) FROM files f "
            "LEFT JOIN sessions s ON s.id = f.session GROUP BY f.session ORDER BY f.session").fetchall(),
            columns=["session", "title", "learners", "files"])
        # by the learners' files: each learner's attempts are one range of the table
        attempts = dict(con.execute("SELECT f.session, COUNT(*) FROM files f JOIN attempts a ON a.learner = f.learner "
                                    "AND a.file = f.id GROUP BY f.session").fetchall())
    finally:
        con.close()
    files["attempts"] = [attempts.get(None if pd.isna(s) else s, 0) for s in files["session"]]
    return files.astype({"learners": "int64", "files": "int64", "attempts": "int64"})


ATTEMPT_COLUMNS = ["learner", "session", "question", "answer", "certainty", "at", "at_ms", "file"]


def _of_session(session: str | None) -> tuple[str, tuple]:
    """The WHERE clause (and its parameters) that keeps the attempts of one session (those of its files: the
    learners with a file of the session, then their attempts from those files), or none."""
    if not session:
        return "", ()
    return ("WHERE learner IN (SELECT learner FROM files WHERE session = ?) "
            "AND file IN (SELECT id FROM files WHERE session = ?)", (session, session))


def attempts_table(db: str | Path, session: str | None = None) -> pd.DataFrame:
    """The attempts, one row per attempt (of one session, or all): learner name, session, question, answer (its
    canonical JSON), certainty (missing when not stated), at (ISO UTC), at_ms (ms since the epoch), file name.
    Ordered by learner, then time, then as stored."""
    con = connect(db)
    try:
        where, params = ("WHERE session = ?", (session,)) if session else ("", ())
        rows = con.execute(f"SELECT {', '.join(ATTEMPT_COLUMNS)} FROM attempts_readable {where} "
                           "ORDER BY learner, at_ms, file_id, seq", params).fetchall()
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


def _attempts_with_lookups(db: str | Path, session: str | None) -> tuple[np.ndarray, dict, dict, dict]:
    """The attempts (of one session, or all) as `_attempt_ids` gives them, with the names of the learners and the
    texts of the questions and answers their ids stand for, read in one connection."""
    con = connect(db)
    try:
        return (_attempt_ids(con, session, db), dict(con.execute("SELECT id, name FROM learners")),
                dict(con.execute("SELECT id, question FROM questions")),
                dict(con.execute("SELECT id, answer FROM answers")))
    finally:
        con.close()


def attempts_frame(db: str | Path, session: str | None = None) -> pd.DataFrame:
    """The attempts (of one session, or all) as the cohort grader's selections frame, one row per chosen option:
    learner (name), question, attempt (the order of a learner's attempts: later is higher), option, value. Feed
    it to `grading.cohort.grade_cohort` as it is."""
    table, names, question_ids, answer_texts = _attempts_with_lookups(db, session)
    count = len(table)
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


def attempt_arrays(db: str | Path, questions: dict[str, Question],
                   session: str | None = None) -> tuple[AttemptTable, list[str]]:
    """The attempts (of one session, or all) as the cohort grader's AttemptTable (one row per attempt, sorted by
    learner, then as stored; `at` in ms), and the learner names its `learner` column indexes (sorted by id). Each
    distinct (question, answer) is read once, a row of `values` (`answer` gives each attempt's); an attempt at a
    question not in `questions` keeps an empty answer."""
    table, names, question_ids, answer_texts = _attempts_with_lookups(db, session)
    learner, learner_seen = pd.factorize(table[:, 0], sort=True)
    question, question_seen = pd.factorize(table[:, 1])
    qids = [question_ids[q] for q in question_seen]
    pair, pair_seen = pd.factorize(question * (int(table[:, 2].max(initial=0)) + 1) + table[:, 2])
    width = max((len(q.options) for q in questions.values()), default=1)
    pair_values = np.full((len(pair_seen), width), np.nan)
    seen = np.zeros(len(pair_seen), dtype=np.int64)
    seen[pair[::-1]] = np.arange(len(pair))[::-1]  # the first row of each pair
    slots = {qid: {oid: s for s, oid in enumerate(questions[qid].option_ids)} for qid in qids if qid in questions}
    for k, (q, a) in enumerate(zip(question[seen].tolist(), table[seen, 2].tolist(), strict=True)):
        if qids[q] in slots:
            _fill_values(pair_values[k], qids[q], slots[qids[q]], json.loads(answer_texts[a]))
    order = np.argsort(learner, kind="stable")
    table = AttemptTable(qids, learner[order].astype(np.int64), question[order].astype(np.int64), table[order, 3],
                         order.astype(np.int64), table[order, 4], pair_values, pair[order].astype(np.int64))
    return table, [names[i] for i in learner_seen]


#: bits enough for at_ms (times to the year 10889) and for an attempt's place in its file (below MAX_ENTRIES: a
#: longer file is refused), which `_attempt_ids` packs together
AT_MS_BITS, SEQ_BITS = 48, MAX_ENTRIES.bit_length()
#: bits enough for a certainty (0: not stated, 1 to 3)
CERTAINTY_BITS = 2


#: a gradebook of at least this many attempts (of the session read) is read by a pool of processes, one per
#: processor, each a range of learners: SQLite hands over each value as a Python object, which is most of the time
PARALLEL_READ_FROM = 200_000


def _attempt_ids(con: sqlite3.Connection, session: str | None, db: str | Path | None = None) -> np.ndarray:
    """count x 5: learner, question, answer ids, at_ms and certainty (0: not stated) of the attempts (of one
    session, or all), in the order they were stored (by file, then `seq`). SQLite hands over each value as a Python
    object, so learner, question, answer, file and certainty come packed in one integer, and at_ms and seq in
    another, when they fit in 63 bits (as in any real gradebook), and are unpacked with numpy; a large gradebook
    (`db`: its path) is read by processes at once."""
    where, params = _of_session(session)
    count = con.execute(f"SELECT COUNT(*) FROM attempts {where}", params).fetchone()[0]
    bits = [int(con.execute(f"SELECT COALESCE(MAX(id), 0) FROM {t}").fetchone()[0]).bit_length()
            for t in ("learners", "questions", "answers", "files")] + [CERTAINTY_BITS]
    if sum(bits) > 63 or AT_MS_BITS + SEQ_BITS > 63:
        table = np.fromiter(chain.from_iterable(con.execute(
            f"SELECT learner, question, answer, at_ms, COALESCE(certainty, 0), file, seq FROM attempts {where}",
            params)), dtype=np.int64, count=7 * count).reshape(count, 7)
        return table[np.lexsort((table[:, 6], table[:, 5])), :5]
    shifts = np.cumsum([0, *bits[::-1]])[::-1][1:].tolist()  # learner, question, answer, file, certainty (lowest)
    select = (f"SELECT (learner << {shifts[0]}) | (question << {shifts[1]}) | (answer << {shifts[2]}) | "
              f"(file << {shifts[3]}) | COALESCE(certainty, 0), (at_ms << {SEQ_BITS}) | seq FROM attempts {where}")
    parts = _learner_ranges(con, processors()) if db is not None and count >= PARALLEL_READ_FROM else []
    if len(parts) > 1:
        packed = _read_in_parts(db, f"{select} {'AND' if where else 'WHERE'} learner BETWEEN ? AND ?", params, parts)
    else:
        packed = np.fromiter(chain.from_iterable(con.execute(select, params)), dtype=np.int64, count=2 * count)
    ids, times = packed[0::2], packed[1::2]
    masks = [(1 << b) - 1 for b in bits]
    file, seq = (ids >> shifts[3]) & masks[3], times & ((1 << SEQ_BITS) - 1)
    order = np.argsort((file << SEQ_BITS) | seq, kind="stable")
    ids = ids[order]
    return np.column_stack([ids >> shifts[0], (ids >> shifts[1]) & masks[1], (ids >> shifts[2]) & masks[2],
                            times[order] >> SEQ_BITS, ids & masks[4]])


def _learner_ranges(con: sqlite3.Connection, parts: int) -> list[tuple[int, int]]:
    """The learners' ids cut into `parts` ranges of about as many learners each (first id, last id)."""
    ids = [r[0] for r in con.execute("SELECT id FROM learners ORDER BY id")]
    if parts < 2 or len(ids) < parts or not can_fork():
        return []
    cuts = np.array_split(np.array(ids, dtype=np.int64), parts)
    return [(int(c[0]), int(c[-1])) for c in cuts]


def _read_part(db: str, select: str, params: tuple) -> np.ndarray:
    """One process's part of a large read (see `_attempt_ids`): the packed values its query gives."""
    con = sqlite3.connect(f"{Path(db).resolve().as_uri()}?mode=ro", uri=True)  # as_uri: "#", "?", "%" escaped
    try:
        return np.fromiter(chain.from_iterable(con.execute(select, params)), dtype=np.int64)
    finally:
        con.close()


def _read_in_parts(db: str | Path, select: str, params: tuple, parts: list[tuple[int, int]]) -> np.ndarray:
    """The packed values of `select` (its last two parameters: a range of learners' ids), each range read by a
    process of its own, in the order of the ranges."""
    with multiprocessing.get_context("fork").Pool(len(parts)) as pool:
        return np.concatenate(pool.starmap(_read_part, [(str(db), select, (*params, *part)) for part in parts]))


def _fill_values(row: np.ndarray, qid: str, slots: dict[str, int], answer: Any) -> None:
    """An answer as `score_values` reads it, into `row`: a single answer its option (1), multi and order answers
    their options (the position: any value marks a multi option as chosen), a rate answer its options (the rating)."""
    if isinstance(answer, str):
        pairs = [(answer, 1.0)]
    elif isinstance(answer, dict):
        pairs = [(oid, float(r)) for oid, r in answer.items()]
    else:
        pairs = [(oid, float(k)) for k, oid in enumerate(answer or [])]
    for oid, value in pairs:
        if oid not in slots:
            raise KeyError(f"the gradebook names an option that question {qid} does not have: {oid}")
        row[slots[oid]] = value


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
        write_frame(frame, out)
    else:
        frame.to_parquet(out, index=False)
    return len(frame)
