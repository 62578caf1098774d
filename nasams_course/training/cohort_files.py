"""A cohort's response files, read and checked at once into the columns the vectorized grader reads.

The rules are `nasams_course.responses`' and nothing else: a file takes the fast path only when it is of the plain
form the book, Jupyter and the trainer tools write (the five known fields; entries of `question`, `answer`, `at` and
an optional `certainty`, each valid; times as `YYYY-MM-DDTHH:MM:SS[.mmm]Z`; self-ratings likewise) and passes every
check there, column by column. Any other file, and every file with something to report, is read by
`parse_responses` or `read_responses` themselves, so it is accepted, refused and reported in their very words.

How, for a chunk of files at once: msgspec decodes each file straight into the plain form's typed structures (a
file that does not fit is left to the reference), each answer kept as its JSON text; then every entry of the chunk
goes into one set of columns, each distinct answer text (to each question) is parsed and checked once, and the
times, certainties and self-ratings are checked column by column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain, repeat
from operator import attrgetter
from pathlib import Path
from typing import Any, Literal

import msgspec
import numpy as np
import orjson
import pyarrow as pa

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
    read_responses,
)

#: the schemas a plain file may name
SCHEMAS = frozenset({"nasams-course/responses@1", "nasams-course/responses@2"})
_SHAPES = {str: 0, list: 1, dict: 2}  # an answer's type: single; multi or order; rate
_KIND_SHAPE = np.array([0, 1, 2, 1])  # the shape each kind (single, multi, rate, order) takes
_STAGE = {stage: i for i, stage in enumerate(STAGES)}
TEXTS_KEPT = 500_000  # distinct answer texts a reader remembers (a cohort of 10,000 learners has about 60,000)


def _plain_decoder(qids: list[str], provisions: list[str]) -> msgspec.json.Decoder:
    """A decoder of the plain form, for one bank: the five known fields, each of its type, an entry's `question` one
    of the bank's and its `certainty` 1, 2 or 3 (0 when not stated; null is the reference's), a self-rating's
    provision one of the catalog's, its stage and rating one of theirs. A file that does not decode is read by the
    reference. Each entry's answer is kept as its JSON text (parsed once for each distinct text). With no question
    (or no provision) to be one of, a field no JSON value decodes to (`UnsetType`): any entry (or self-rating) is then
    the reference's to refuse."""
    options = {"forbid_unknown_fields": True, "gc": False}
    entry = msgspec.defstruct("PlainEntry", [
        ("question", Literal[tuple(qids)] if qids else msgspec.UnsetType), ("answer", msgspec.Raw), ("at", str),
        ("certainty", Literal[1, 2, 3], 0)], **options)
    rating = msgspec.defstruct("PlainRating", [
        ("provision", Literal[tuple(provisions)] if provisions else msgspec.UnsetType), ("stage", Literal[STAGES]),
        ("rating", Literal[1, 2, 3, 4]),
        ("at", str)], **options)
    plain_file = msgspec.defstruct("PlainFile", [
        ("schema", Literal[tuple(sorted(SCHEMAS))]), ("learner", str), ("responses", list[entry]),
        ("self_ratings", list[rating], []), ("session", str | msgspec.UnsetType, msgspec.UNSET)], **options)
    return msgspec.json.Decoder(plain_file)


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
    """The fast path's columns, file after file (`files`: the files' positions, and how many entries and
    self-ratings each has). `question` indexes the bank's questions,
    `certainty` is 0 when not stated, `r_provision` indexes the catalog's provisions, `r_stage` STAGES."""

    files: list[int] = field(default_factory=list)
    entries: list[int] = field(default_factory=list)
    ratings: list[int] = field(default_factory=list)
    question: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    at: list[str] = field(default_factory=list)
    certainty: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
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
        self.texts: dict[bytes, Any] = {}  # an answer's JSON text -> its value (None: not JSON), as parsed before
        self.decoder = _plain_decoder(self.qids, list(self.provision))

    def parsed(self, texts: list[bytes]) -> list[Any]:
        """Answers' JSON texts -> their values by orjson (None for a text it does not read), each text parsed once
        in the life of these lookups (at most TEXTS_KEPT kept)."""
        known, out = self.texts, []
        if len(known) > TEXTS_KEPT:
            known.clear()
        for text in texts:
            try:
                value = known[text]
            except KeyError:
                try:
                    value = orjson.loads(text)
                except orjson.JSONDecodeError:
                    value = None
                known[text] = value
            out.append(value)
        return out


def _plain(value: Any, decoder: msgspec.json.Decoder) -> Any:
    """A file of the plain form from its bytes (or from its JSON value already decoded), its whole-file rules
    checked as `check_file` checks them; None for any other file (the reference then reads it). Its containers nest
    4 deep at most once its answers pass `_answers`."""
    if value is None:
        return None
    if type(value) is not bytes:
        try:
            value = orjson.dumps(value)  # a JSON value decoded by the caller (orjson): its text again
        except TypeError:
            return None
    if len(value) > MAX_FILE_BYTES:
        return None
    try:
        data = decoder.decode(value[3:] if value[:3] == b"\xef\xbb\xbf" else value)
    except (msgspec.MsgspecError, ValueError):  # not JSON, not UTF-8, or not of the plain form
        return None
    learner, session = data.learner, data.session
    if (len(learner.encode("utf-16-le")) // 2 <= MAX_LEARNER_CHARS
            and len(data.responses) <= MAX_ENTRIES and len(data.self_ratings) <= MAX_RATINGS
            and (session is msgspec.UNSET or ID_RE.fullmatch(session) is not None)):
        return data
    return None


def _columns(files: list[Any], bank: BankLookups) -> tuple[_Columns, list[msgspec.Raw]]:
    """Every entry and self-rating of the plain files, in file order, as columns; and the entries' answers."""
    cols = _Columns()
    plain = [(i, f) for i, f in enumerate(files) if f is not None]
    cols.files = [i for i, _ in plain]
    entries = [f.responses for _, f in plain]
    ratings = [f.self_ratings for _, f in plain]
    cols.entries = list(map(len, entries))
    cols.ratings = list(map(len, ratings))
    entry = list(chain.from_iterable(entries))
    rating = list(chain.from_iterable(ratings))
    n = len(entry)
    cols.question = np.fromiter(map(bank.index.__getitem__, map(attrgetter("question"), entry)), dtype=np.int64,
                                count=n)  # the decoder takes only the bank's questions
    cols.at = list(map(attrgetter("at"), entry))
    cols.certainty = np.fromiter(map(attrgetter("certainty"), entry), dtype=np.int64, count=n)
    cols.r_provision = list(map(bank.provision.__getitem__, map(attrgetter("provision"), rating)))
    cols.r_stage = list(map(_STAGE.__getitem__, map(attrgetter("stage"), rating)))
    cols.r_rating = list(map(attrgetter("rating"), rating))
    cols.r_at = list(map(attrgetter("at"), rating))
    return cols, list(map(attrgetter("answer"), entry))


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


def _distinct_answers(question: np.ndarray, texts: list[msgspec.Raw],
                      bank: BankLookups) -> tuple[np.ndarray, np.ndarray, list]:
    """The distinct (question, answer text) pairs of the entries: (each entry's pair, each pair's question, each
    pair's answer as its JSON value, or None where the text is not one orjson reads). The texts are told apart by
    pyarrow's hashing, all at once; each text is parsed once (`bank.texts` remembers those of earlier chunks)."""
    n = len(texts)
    if not n:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), []
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=n), out=offsets[1:])
    encoded = pa.LargeBinaryArray.from_buffers(pa.large_binary(), n, [None, pa.py_buffer(offsets),
                                                                     pa.py_buffer(b"".join(texts))]).dictionary_encode()
    codes = encoded.indices.to_numpy().astype(np.int64)
    distinct = encoded.dictionary
    _pairs, first, answer = np.unique(question * len(distinct) + codes, return_index=True, return_inverse=True)
    return answer.ravel().astype(np.int64), question[first], bank.parsed(distinct.take(codes[first]).to_pylist())


def _answers(question: np.ndarray, answers: list, bank: BankLookups) -> tuple[np.ndarray, ...]:
    """Answers to the questions (each a known question's row): (row, option slot, value) for each chosen option,
    and whether each answer fits its question (the right shape, not empty, its own options, none twice; ratings
    1-4)."""
    shape = np.fromiter(map(_SHAPES.get, map(type, answers), repeat(-1)), dtype=np.int64, count=len(answers))
    ok = shape == _KIND_SHAPE[bank.kind[question]]
    parts = []
    for s in (0, 1, 2):
        rows = np.flatnonzero(shape == s)
        picked = [answers[r] for r in rows.tolist()]
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


@dataclass
class PlainRead:
    """The fast path's verdict on some files (see `read_plain`): `taken[i]` when file i is of the plain form and
    passes every check; `learner[i]` and `session[i]` its learner and session then. The columns hold the entries
    and self-ratings of every file of the plain form, in file order; `keep` and `r_keep` mark those of the files
    taken (`file`, `r_file`: their file's position). Each entry's answer is row `answer` of `answer_values` (one
    row for each distinct answer to a question, the value of each option slot, NaN where not chosen)."""

    taken: np.ndarray
    learner: list[str | None]
    session: list[str | None]
    cols: _Columns
    at: np.ndarray
    r_at: np.ndarray
    file: np.ndarray
    seq: np.ndarray
    r_file: np.ndarray
    r_seq: np.ndarray
    keep: np.ndarray
    r_keep: np.ndarray
    answer: np.ndarray
    answer_values: np.ndarray

    def values(self, width: int) -> np.ndarray:
        """The kept entries' answers as one row each: the value of each option slot (NaN where not chosen)."""
        return self.answer_values[self.answer[self.keep], :width]


def read_plain(values: list[Any], bank: BankLookups, now_ms: float) -> PlainRead:
    """Files, each as its bytes (a byte-order mark allowed), or as its JSON value already decoded (orjson's), or None
    for a file not read, checked column by column: which are of the plain form and pass every check of `responses`
    there, and their columns. Any other file is for the reference reader."""
    files = [_plain(value, bank.decoder) for value in values]
    cols, texts = _columns(files, bank)
    taken = np.array([f is not None for f in files], dtype=bool)
    at, at_ok = _times(cols.at, now_ms)
    r_at, r_ok = _times(cols.r_at, now_ms)
    file, seq = cols.positions(cols.entries)
    r_file, r_seq = cols.positions(cols.ratings)
    known = cols.question >= 0
    answer, pair_question, answers = _distinct_answers(np.maximum(cols.question, 0), texts, bank)
    row, slot, value, answer_ok = _answers(pair_question, answers, bank)
    answer_values = np.full((len(answers), bank.width), np.nan)
    answer_values[row, slot] = value
    taken[file[~(known & at_ok & answer_ok[answer])]] = False
    taken[r_file[~r_ok]] = False
    learner = [f.learner if t else None for f, t in zip(files, taken.tolist(), strict=True)]
    session = [f.session if t and f.session is not msgspec.UNSET else None
               for f, t in zip(files, taken.tolist(), strict=True)]
    return PlainRead(taken, learner, session, cols, at, r_at, file, seq, r_file, r_seq, taken[file], taken[r_file],
                     answer, answer_values)


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


def _read(path: Path) -> bytes | None:
    """A file's bytes, or None when it cannot be read (the reference then says why)."""
    try:
        return path.read_bytes()
    except OSError:
        return None


def read_cohort(paths: list[Path], questions: dict[str, Question], now_ms: float | None = None,
                lookups: BankLookups | None = None) -> CohortFiles:
    """Read and check every file against the bank `questions` (see the module's docstring): the same learners,
    attempts, self-ratings and problems as `read_responses` on each. `lookups`: `BankLookups(questions)`, when the
    caller already holds it (a worker reading chunk after chunk)."""
    now_ms = datetime.now(UTC).timestamp() * 1000 if now_ms is None else now_ms
    bank = lookups or BankLookups(questions)
    files = [FileResult(Path(p)) for p in paths]
    plain = read_plain([_read(f.path) for f in files], bank, now_ms)
    cols = plain.cols
    extra, extra_ratings = [], []
    for i, f in enumerate(files):
        if plain.taken[i]:
            f.learner, f.session = plain.learner[i], plain.session[i]
            continue
        try:
            rs = read_responses(f.path, questions, now_ms)
        except ResponseFileError as exc:
            f.error, f.learner, f.session = str(exc), None, None
            continue
        f.learner, f.session, f.problems = rs.learner, rs.session, list(rs.problems)
        rows, rated = _reference_rows(i, rs, bank)
        extra += rows
        extra_ratings += rated
    fast = {"learner": plain.file, "question": cols.question, "at": plain.at, "seq": plain.seq,
            "certainty": cols.certainty, "answer": plain.answer}
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
    """The fast rows that are kept and the reference's rows (each its own answer row), in file order then `seq`:
    each distinct answer to a question is one row of `values`."""
    n_answers = len(plain.answer_values)
    values = np.concatenate([plain.answer_values, np.full((len(extra), bank.width), np.nan)])
    for k, (*_, chosen) in enumerate(extra):
        for s, v in chosen.items():
            values[n_answers + k, s] = v
    columns = _joined(fast, plain.keep, [(*r[:-1], n_answers + k) for k, r in enumerate(extra)])
    answer = columns.pop("answer")
    order = np.lexsort((columns["seq"], columns["learner"]))
    return AttemptTable(bank.qids, **{name: column[order] for name, column in columns.items()}, values=values,
                        answer=answer[order])
