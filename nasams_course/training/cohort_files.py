"""A cohort's response files, read and checked at once into the columns the vectorized grader reads.

The rules are `nasams_course.responses`' and nothing else: a file takes the fast path only when it is of the plain
form the book, Jupyter and the trainer tools write (the five known fields; entries of `question`, `answer`, `at` and
an optional `certainty`, each valid; times as `YYYY-MM-DDTHH:MM:SS[.mmm]Z`; self-ratings likewise) and passes every
check there, column by column. Any other file, and every file with something to report, is read by
`parse_responses` or `read_responses` themselves, so it is accepted, refused and reported in their very words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain, compress, repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from nasams_course.catalog import load_catalog
from nasams_course.content.models import Question
from nasams_course.grading.calibration import STAGES
from nasams_course.grading.cohort import AttemptTable, RatingTable
from nasams_course.responses import (
    FUTURE_TOLERANCE_MS,
    ID_RE,
    MAX_ENTRIES,
    MAX_FILE_BYTES,
    MAX_LEARNER_CHARS,
    MAX_RATINGS,
    ResponseFileError,
    ResponseSet,
    parse_responses,
    read_responses,
)

#: the fields of a plain file, and the schemas it may name
FIELDS = frozenset({"schema", "learner", "responses", "self_ratings", "session"})
SCHEMAS = frozenset({"nasams-course/responses@1", "nasams-course/responses@2"})
_CERTAINTY = {None: 0, 1: 1, 2: 2, 3: 3}
_CERTAINTY_TYPES = {int, type(None)}
_SHAPES = {str: 0, list: 1, dict: 2}  # an answer's type: single; multi or order; rate
_KIND_SHAPE = np.array([0, 1, 2, 1])  # the shape each kind (single, multi, rate, order) takes
_RATINGS = {1: 1, 2: 2, 3: 3, 4: 4}
_STAGE = {stage: i for i, stage in enumerate(STAGES)}
_get = itemgetter


@dataclass
class FileResult:
    """One file as read: its learner, session and problems, or why it was refused as a whole (`error`)."""

    path: Path
    learner: str | None = None
    session: str | None = None
    problems: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class CohortFiles:
    """Every file, in the order given, and the attempts and self-ratings of the readable ones (`learner` in the
    tables is the file's position)."""

    files: list[FileResult]
    attempts: AttemptTable
    ratings: RatingTable


@dataclass
class _Columns:
    """The fast path's columns, file after file (`file` is the file's position)."""

    files: list[int] = field(default_factory=list)  # the files taken, and how many entries and ratings each has
    entries: list[int] = field(default_factory=list)
    ratings: list[int] = field(default_factory=list)
    question: list[int] = field(default_factory=list)
    answer: list[Any] = field(default_factory=list)
    shape: list[int] = field(default_factory=list)
    at: list[str] = field(default_factory=list)
    certainty: list[int] = field(default_factory=list)
    r_provision: list[int] = field(default_factory=list)
    r_stage: list[int] = field(default_factory=list)
    r_rating: list[int] = field(default_factory=list)
    r_at: list[str] = field(default_factory=list)

    def positions(self, counts: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """For each entry (or rating) taken: its file, and its position in the file."""
        counts_ = np.array(counts, dtype=np.int64)
        file = np.repeat(np.array(self.files, dtype=np.int64), counts_)
        return file, np.arange(len(file)) - np.repeat(np.cumsum(counts_) - counts_, counts_)


class BankLookups:
    """The question bank as lookups: question id -> row, option id -> code, (row, code) -> option slot."""

    def __init__(self, questions: dict[str, Question]):
        self.qids = list(questions)
        self.index = {qid: i for i, qid in enumerate(self.qids)}
        self.kind = np.array([("single", "multi", "rate", "order").index(q.kind) for q in questions.values()],
                             dtype=np.int64)
        options = sorted({o for q in questions.values() for o in q.option_ids})
        self.option = {oid: i for i, oid in enumerate(options)}
        self.width = max((len(q.option_ids) for q in questions.values()), default=1)
        self.slot = np.full((len(self.qids), len(options) + 1), -1, dtype=np.int64)  # the last column: unknown
        for qi, q in enumerate(questions.values()):
            for s, oid in enumerate(q.option_ids):
                self.slot[qi, self.option[oid]] = s
        self.provision = {pid: i for i, pid in enumerate(load_catalog().ids)}
        self.option_ids = [q.option_ids for q in questions.values()]


def _decoded(path: Path) -> Any:
    """The file's JSON value, or None when it cannot be read fast (the reference then says why)."""
    try:
        raw = path.read_bytes()
        if len(raw) > MAX_FILE_BYTES:
            return None
        return orjson.loads(raw[3:] if raw[:3] == b"\xef\xbb\xbf" else raw)
    except (OSError, orjson.JSONDecodeError):
        return None


def _plain_file(data: Any) -> bool:
    """The whole-file rules of `check_file`, for a file of the plain form only (its containers nest 4 deep at most
    once its entries pass `_take`)."""
    if type(data) is not dict or not data.keys() <= FIELDS or data.get("schema") not in SCHEMAS:
        return False
    learner, entries = data.get("learner"), data.get("responses")
    ratings, session = data.get("self_ratings", []), data.get("session", "x")
    return (type(learner) is str and len(learner.encode("utf-16-le")) // 2 <= MAX_LEARNER_CHARS
            and type(entries) is list and len(entries) <= MAX_ENTRIES
            and type(ratings) is list and len(ratings) <= MAX_RATINGS
            and type(session) is str and ID_RE.fullmatch(session) is not None)


def _take(i: int, data: dict, bank: BankLookups, cols: _Columns) -> bool:
    """Add a plain file's entries and self-ratings to the columns, if each has the plain form and names a known
    question, certainty, provision, stage and rating; False (nothing added) otherwise."""
    entries, ratings = data["responses"], data.get("self_ratings", [])
    try:
        question = list(map(bank.index.__getitem__, map(_get("question"), entries)))
        answer = list(map(_get("answer"), entries))
        at = list(map(_get("at"), entries))
        stated = list(map(dict.get, entries, repeat("certainty")))
        if not set(map(type, stated)) <= _CERTAINTY_TYPES or not set(map(type, at)) <= {str}:
            return False
        certainty = list(map(_CERTAINTY.__getitem__, stated))
        shape = list(map(_SHAPES.__getitem__, map(type, answer)))
        if sum(map(len, entries)) != 4 * len(entries) - stated.count(None):
            return False  # a field other than the four, or a certainty of null (the reference reads it)
        provision = list(map(bank.provision.__getitem__, map(_get("provision"), ratings)))
        stage = list(map(_STAGE.__getitem__, map(_get("stage"), ratings)))
        given = list(map(_get("rating"), ratings))
        r_at = list(map(_get("at"), ratings))
        if not set(map(type, given)) <= {int} or not set(map(type, r_at)) <= {str}:
            return False
        rating = list(map(_RATINGS.__getitem__, given))
        if sum(map(len, ratings)) != 4 * len(ratings):
            return False
    except (KeyError, TypeError):
        return False
    cols.files.append(i)
    cols.entries.append(len(entries))
    cols.question += question
    cols.answer += answer
    cols.shape += shape
    cols.at += at
    cols.certainty += certainty
    cols.ratings.append(len(ratings))
    cols.r_provision += provision
    cols.r_stage += stage
    cols.r_rating += rating
    cols.r_at += r_at
    return True


#: the fields (start, digits) and the fixed characters of YYYY-MM-DDTHH:MM:SS.mmmZ
_FIELDS = ((0, 4), (5, 2), (8, 2), (11, 2), (14, 2), (17, 2), (20, 3))
_FIXED = {4: "-", 7: "-", 10: "T", 13: ":", 16: ":", 19: ".", 23: "Z"}
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _times(values: list[str], now_ms: float) -> tuple[np.ndarray, np.ndarray]:
    """Times of the form YYYY-MM-DDTHH:MM:SS[.mmm]Z -> (milliseconds since the epoch, valid): valid as
    `responses.parse_time` reads them (a real date from 1970) and not more than a day ahead. Any other form is not
    valid here (the reference reads it)."""
    n = len(values)
    bad = "?" * 24
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=n)
    fixed = values
    if (lengths != 24).any():
        fixed = list(values)
        for i in np.flatnonzero(lengths != 24).tolist():
            s = values[i]
            fixed[i] = s[:19] + ".000Z" if len(s) == 20 and s[19] == "Z" else bad
    try:
        raw = "".join(fixed).encode("ascii")
    except UnicodeEncodeError:
        raw = "".join(s if s.isascii() else bad for s in fixed).encode("ascii")
    c = np.frombuffer(raw, dtype=np.uint8).reshape(n, 24)
    ok = np.ones(n, dtype=bool)
    for pos, char in _FIXED.items():
        ok &= c[:, pos] == ord(char)
    fields = []
    for start, width in _FIELDS:  # each field's digits, column by column (a character below "0" wraps above 9)
        value = np.zeros(n, dtype=np.int32)
        for k in range(start, start + width):
            digit = c[:, k] - np.uint8(ord("0"))
            ok &= digit <= 9
            value = value * 10 + digit
        fields.append(value)
    year, month, day, hour, minute, second, ms = fields
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    month_days = _MONTH_DAYS[np.clip(month, 0, 12)] + (leap & (month == 2))
    ok &= (year >= 1970) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days)
    ok &= (hour <= 23) & (minute <= 59) & (second <= 59)
    # days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil)
    y = (year - (month <= 2)).astype(np.int64)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    days = era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
    at = ((((days * 24 + hour) * 60 + minute) * 60 + second) * 1000 + ms).astype(np.float64)
    ok &= at <= now_ms + FUTURE_TOLERANCE_MS
    return at, ok


def _answers(cols: _Columns, bank: BankLookups) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The answers as selections: (row, option slot, value) for each chosen option, and whether each row's answer
    fits its question (the right shape, not empty, its own options, none twice; ratings 1-4)."""
    question = np.array(cols.question, dtype=np.int64)
    shape = np.array(cols.shape, dtype=np.int64)
    ok = shape == _KIND_SHAPE[bank.kind[question]]
    parts = []
    for s in (0, 1, 2):
        rows = np.flatnonzero(shape == s)
        picked = list(compress(cols.answer, (shape == s).tolist()))
        if s == 0:  # an option id
            lengths = np.ones(len(rows), dtype=np.int64)
            options, value = picked, np.ones(len(rows))
        else:
            lengths = np.fromiter(map(len, picked), dtype=np.int64, count=len(rows))
            options = list(chain.from_iterable(picked))  # a list's items, a dict's keys
        if s == 1:  # option ids chosen (multi) or placed (order) in this order: the value is the position
            value = (np.arange(len(options)) - np.repeat(np.cumsum(lengths) - lengths, lengths)).astype(np.float64)
        elif s == 2:  # {option id: rating}
            ratings = list(chain.from_iterable(map(dict.values, picked)))
            if not set(map(type, ratings)) <= {int}:
                ratings = [v if type(v) is int else 0 for v in ratings]  # 0 is no rating: refused below
            value = np.array(ratings, dtype=np.float64)
        row = np.repeat(rows, lengths)
        ok[rows[lengths == 0]] = False  # empty
        try:
            code = np.fromiter(map(bank.option.get, options, repeat(-1)), dtype=np.int64, count=len(options))
        except TypeError:  # a list or an object in a list: no option id
            code = np.array([bank.option.get(o, -1) if type(o) is str else -1 for o in options], dtype=np.int64)
        if s == 2:
            ok[row[(value < 1) | (value > 4)]] = False
        slot = bank.slot[question[row], code]
        ok[row[slot < 0]] = False
        parts.append((row, slot, value))
    row, slot, value = (np.concatenate(p) for p in zip(*parts, strict=True))
    use = slot >= 0
    twice = np.bincount(row[use] * bank.width + slot[use], minlength=len(question) * bank.width) > 1
    ok[np.flatnonzero(twice) // bank.width] = False
    return row[use], slot[use], value[use], ok


def _reference_rows(i: int, rs: ResponseSet, bank: BankLookups) -> tuple[list, list]:
    """A file read by the reference, as attempt rows (file, question, at, seq, certainty, {slot: value}) and
    self-rating rows."""
    attempts = []
    for a in rs.attempts:
        q = bank.index[a.question]
        slot_of = {oid: s for s, oid in enumerate(bank.option_ids[q])}
        ans = a.answer
        if ans is None:
            chosen = {}
        elif isinstance(ans, str):
            chosen = {slot_of[ans]: 1.0}
        elif isinstance(ans, dict):
            chosen = {slot_of[o]: float(r) for o, r in ans.items()}
        else:
            chosen = {slot_of[o]: float(k) for k, o in enumerate(ans)}
        attempts.append((i, q, a.at, a.seq, a.certainty or 0, chosen))
    ratings = [(i, bank.provision[r.provision], _STAGE[r.stage], r.rating, r.at, r.seq) for r in rs.ratings]
    return attempts, ratings


@dataclass
class PlainRead:
    """The fast path's verdict on some files' JSON values (see `read_plain`): `taken[i]` when value i is of the plain
    form and passes every check. The columns hold the entries and self-ratings of every file of the plain form, in
    file order; `keep` and `r_keep` mark those of the files taken (`file`, `r_file`: their file's position)."""

    taken: np.ndarray
    cols: _Columns
    at: np.ndarray
    r_at: np.ndarray
    file: np.ndarray
    seq: np.ndarray
    r_file: np.ndarray
    r_seq: np.ndarray
    keep: np.ndarray
    r_keep: np.ndarray
    sel_row: np.ndarray
    sel_slot: np.ndarray
    sel_value: np.ndarray

    def values(self, width: int) -> np.ndarray:
        """The kept entries' answers as one row each: the value of each option slot (NaN where not chosen)."""
        n = int(self.keep.sum())
        out = np.full((n, width), np.nan)
        taken = self.keep[self.sel_row]
        out[(np.cumsum(self.keep) - 1)[self.sel_row[taken]], self.sel_slot[taken]] = self.sel_value[taken]
        return out


def read_plain(values: list[Any], bank: BankLookups, now_ms: float) -> PlainRead:
    """The files' JSON values (None for a file not read), checked column by column: which are of the plain form and
    pass every check of `responses` there, and their columns. Any other file is for the reference reader."""
    cols = _Columns()
    taken = np.zeros(len(values), dtype=bool)
    for i, data in enumerate(values):
        taken[i] = data is not None and _plain_file(data) and _take(i, data, bank, cols)
    at, at_ok = _times(cols.at, now_ms)
    r_at, r_ok = _times(cols.r_at, now_ms)
    sel_row, sel_slot, sel_value, answer_ok = _answers(cols, bank)
    file, seq = cols.positions(cols.entries)
    r_file, r_seq = cols.positions(cols.ratings)
    taken[file[~(at_ok & answer_ok)]] = False
    taken[r_file[~r_ok]] = False
    return PlainRead(taken, cols, at, r_at, file, seq, r_file, r_seq, taken[file], taken[r_file], sel_row, sel_slot,
                     sel_value)


def read_cohort(paths: list[Path], questions: dict[str, Question], now_ms: float | None = None,
                lookups: BankLookups | None = None) -> CohortFiles:
    """Read and check every file against the bank `questions` (see the module's docstring): the same learners,
    attempts, self-ratings and problems as `read_responses` on each. `lookups`: `BankLookups(questions)`, when the
    caller already holds it (a worker reading chunk after chunk)."""
    now_ms = datetime.now(UTC).timestamp() * 1000 if now_ms is None else now_ms
    bank = lookups or BankLookups(questions)
    files = [FileResult(Path(p)) for p in paths]
    decoded = [_decoded(f.path) for f in files]
    plain = read_plain(decoded, bank, now_ms)
    cols = plain.cols
    extra, extra_ratings = [], []
    for i, f in enumerate(files):
        if plain.taken[i]:
            f.learner, f.session = decoded[i]["learner"], decoded[i].get("session")
            continue
        try:
            rs = (parse_responses(decoded[i], questions, str(f.path), now_ms) if decoded[i] is not None
                  else read_responses(f.path, questions, now_ms))
        except ResponseFileError as exc:
            f.error, f.learner, f.session = str(exc), None, None
            continue
        f.learner, f.session, f.problems = rs.learner, rs.session, list(rs.problems)
        rows, rated = _reference_rows(i, rs, bank)
        extra += rows
        extra_ratings += rated
    fast = {"learner": plain.file, "question": np.array(cols.question, dtype=np.int64), "at": plain.at,
            "seq": plain.seq, "certainty": np.array(cols.certainty, dtype=np.int64)}
    fast_ratings = {"learner": plain.r_file, "provision": np.array(cols.r_provision, dtype=np.int64),
                    "stage": np.array(cols.r_stage, dtype=np.int64), "rating": np.array(cols.r_rating, dtype=np.int64),
                    "at": plain.r_at, "seq": plain.r_seq}
    return CohortFiles(files, _attempt_table(bank, fast, plain, extra),
                       RatingTable(**_joined(fast_ratings, plain.r_keep, extra_ratings)))


def _joined(fast: dict[str, np.ndarray], keep: np.ndarray, extra: list[tuple]) -> dict[str, np.ndarray]:
    """The fast path's columns (the rows kept) followed by the reference's rows (tuples in the columns' order)."""
    return {name: np.concatenate([column[keep], np.array([r[k] for r in extra], dtype=column.dtype)])
            for k, (name, column) in enumerate(fast.items())}


def _attempt_table(bank: BankLookups, fast: dict[str, np.ndarray], plain: PlainRead, extra: list) -> AttemptTable:
    """The fast rows that are kept and the reference's rows, in file order then `seq`."""
    n_fast = int(plain.keep.sum())
    values = np.concatenate([plain.values(bank.width), np.full((len(extra), bank.width), np.nan)])
    for k, (*_, chosen) in enumerate(extra):
        for s, v in chosen.items():
            values[n_fast + k, s] = v
    columns = _joined(fast, plain.keep, [r[:-1] for r in extra])
    order = np.lexsort((columns["seq"], columns["learner"]))
    return AttemptTable(bank.qids, **{name: column[order] for name, column in columns.items()}, values=values[order])
