"""Response files: reading, checking and writing.

`nasams-course/responses@2` (written by the book, Jupyter and the trainer tools) holds EVERY attempt: one
entry per submitted answer, each with its time `at`; a question may appear many times. `@1` files (from
earlier versions, which kept only the latest answer per question) are still read. Grading counts each
question's latest attempt; the first attempt is reported too. Bad entries are reported with their position
and skipped; good entries still grade.

Three optional fields (still `@2`): an entry's `certainty` (1 low, 2 medium, 3 high, stated before Submit), the
file's `self_ratings` ("how ready are you?", 1-4 per provision, before or after its chapter), and the file's `session`
(the id of the session book it was saved from, which `grade --session` checks).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nasams_course.catalog import load_catalog
from nasams_course.content.models import Question
from nasams_course.grading import AnswerError, Attempt, SelfRating, normalize_answer
from nasams_course.grading.calibration import STAGES

SCHEMA = "nasams-course/responses@2"
#: every schema version this course reads
READABLE = (1, 2)
_SCHEMA_RE = re.compile(r"nasams-course/responses@(\d+)")  # fullmatch: as JavaScript's ^...$


#: Limits on what a learner hands in: refused with a message beyond them.
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ENTRIES = 20_000
MAX_RATINGS = 20_000
MAX_DEPTH = 8  # containers inside containers; a well-formed file needs 4
MAX_LEARNER_CHARS = 200
FUTURE_TOLERANCE_MS = 24 * 3600 * 1000  # clocks and time zones differ; a day ahead is still accepted
# matched with fullmatch, as JavaScript's ^...$ (Python's $ would also accept a trailing newline)
ID_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")
TIME_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?", re.ASCII)

PROVISION_RE = re.compile(r"[A-Z][0-9]{1,2}[a-z]?", re.ASCII)

ENTRY_SHAPE = "expected an object with 'question', 'answer' and 'at'"
ANSWER_SHAPE = "the answer must be an option id, a list of option ids, or {option id: rating 1-4}"
CERTAINTY_MESSAGE = "'certainty' must be 1, 2 or 3 (low, medium, high)"
RATING_SHAPE = "expected an object with 'provision', 'stage', 'rating' and 'at'"
RATING_PROVISION = "'provision' must be a provision id such as E4a"
RATING_STAGE = "'stage' must be 'before' or 'after'"
RATING_VALUE = "'rating' must be 1, 2, 3 or 4"
SESSION_MESSAGE = "'session' must be a session id (lower-case letters, digits and hyphens)"


class ResponseFileError(ValueError):
    """The file as a whole cannot be read as a response file."""


@dataclass
class ResponseSet:
    """One learner's checked attempts and self-ratings, plus a message for every entry or rating that was
    skipped."""

    learner: str
    attempts: list[Attempt] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    ratings: list[SelfRating] = field(default_factory=list)
    #: the session book the file was saved from (None: the course, or Jupyter)
    session: str | None = None


def parse_time(value: Any) -> float:
    """ISO-8601 date-time -> milliseconds since the epoch (no offset = UTC). The browser reads times with the
    same rules (`parseTime` in nasams-grader.js): YYYY-MM-DDTHH:MM[:SS[.mmm]][Z|+HH:MM], a real calendar date."""
    if not isinstance(value, str):
        raise ValueError("'at' must be an ISO-8601 date-time string")
    m = TIME_RE.fullmatch(value)
    bad = ValueError("'at' is not an ISO-8601 date-time (YYYY-MM-DDTHH:MM:SSZ)")
    if not m:
        raise bad
    year, month, day, hour, minute = (int(m.group(i)) for i in range(1, 6))
    second = int(m.group(6) or 0)
    ms = int((m.group(7) or "0").ljust(3, "0"))
    offset = 0
    if m.group(8) and m.group(8) != "Z":
        sign = -1 if m.group(8)[0] == "-" else 1
        digits = m.group(8)[1:].replace(":", "")
        oh, om = int(digits[:2]), int(digits[2:])
        if oh > 23 or om > 59:
            raise bad
        offset = sign * (oh * 60 + om)
    try:
        when = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        raise bad from None
    if year < 1970:
        raise bad
    return (when.timestamp() - offset * 60) * 1000 + ms


def _depth(value: Any, limit: int) -> int:
    """How deeply containers nest (stops counting past `limit`)."""
    if isinstance(value, dict | list) and limit > 0:
        children = value.values() if isinstance(value, dict) else value
        return 1 + max((_depth(c, limit - 1) for c in children), default=0)
    return 1 if isinstance(value, dict | list) else 0


def answer_shape_ok(answer: Any) -> bool:
    """An answer of one of the four shapes (any question's), before it is checked against its question."""
    if isinstance(answer, str):
        return bool(ID_RE.fullmatch(answer))
    if isinstance(answer, list):
        return all(isinstance(a, str) and ID_RE.fullmatch(a) for a in answer)
    if isinstance(answer, dict):
        return all(ID_RE.fullmatch(k) and not isinstance(r, bool) and r in (1, 2, 3, 4) for k, r in answer.items())
    return False


def _one_of(value: Any, allowed: tuple[int, ...]) -> int | None:
    """`value` as an int if it is one of `allowed` (a JSON number such as 2 or 2.0, never a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value not in allowed:
        return None
    return int(value)


def _check_at(value: Any, now_ms: float) -> float:
    at = parse_time(value)
    if at > now_ms + FUTURE_TOLERANCE_MS:
        raise ValueError("'at' is in the future")
    return at


def check_entry(entry: Any, now_ms: float) -> tuple[str, Any, float, int | None]:
    """The shape of one entry, the same rules the browser applies on import: (question, answer, at ms,
    certainty or None). Raises ValueError with the message."""
    if not isinstance(entry, dict) or not {"question", "answer", "at"} <= entry.keys():
        raise ValueError(ENTRY_SHAPE)
    qid, answer = entry["question"], entry["answer"]
    if not isinstance(qid, str) or not ID_RE.fullmatch(qid):
        raise ValueError("'question' must be a question id")
    at = _check_at(entry["at"], now_ms)
    if answer is None or answer == "" or answer == [] or answer == {}:
        raise ValueError("the answer is empty")
    if not answer_shape_ok(answer):
        raise ValueError(ANSWER_SHAPE)
    certainty = entry.get("certainty")
    if certainty is not None:
        certainty = _one_of(certainty, (1, 2, 3))
        if certainty is None:
            raise ValueError(CERTAINTY_MESSAGE)
    return qid, answer, at, certainty


def check_rating(item: Any, now_ms: float) -> tuple[str, str, int, float]:
    """The shape of one self-rating, the same rules the browser applies: (provision, stage, rating, at ms).
    The provision id is checked for its form only (see parse_responses for unknown ones). Raises ValueError."""
    if not isinstance(item, dict) or not {"provision", "stage", "rating", "at"} <= item.keys():
        raise ValueError(RATING_SHAPE)
    pid, stage = item["provision"], item["stage"]
    if not isinstance(pid, str) or not PROVISION_RE.fullmatch(pid):
        raise ValueError(RATING_PROVISION)
    if not isinstance(stage, str) or stage not in STAGES:
        raise ValueError(RATING_STAGE)
    rating = _one_of(item["rating"], (1, 2, 3, 4))
    if rating is None:
        raise ValueError(RATING_VALUE)
    return pid, stage, rating, _check_at(item["at"], now_ms)


def check_file(data: Any) -> tuple[str, list, list, str | None]:
    """The whole-file rules (schema, learner, responses, self-ratings, session, limits): (learner, entries,
    self-ratings, session id or None). Raises ResponseFileError with the message, without a file name."""
    if _depth(data, MAX_DEPTH + 1) > MAX_DEPTH:
        raise ResponseFileError(f"the file is nested too deeply (more than {MAX_DEPTH} levels)")
    if not isinstance(data, dict):
        raise ResponseFileError("expected a JSON object with 'schema', 'learner' and 'responses'")
    schema = data.get("schema")
    m = _SCHEMA_RE.fullmatch(schema) if isinstance(schema, str) else None
    if not m or int(m.group(1)) not in READABLE:
        if m and int(m.group(1)) > READABLE[-1]:
            raise ResponseFileError(f"schema {schema!r} is newer than this course reads ({SCHEMA}); "
                                    "update the course")
        raise ResponseFileError(f"not a NASAMS course response file (schema must be {SCHEMA!r})")
    learner = data.get("learner")
    if not isinstance(learner, str):
        raise ResponseFileError("'learner' must be a string")
    if len(learner.encode("utf-16-le")) // 2 > MAX_LEARNER_CHARS:  # counted as JavaScript counts (UTF-16 units)
        raise ResponseFileError(f"'learner' is longer than {MAX_LEARNER_CHARS} characters")
    entries = data.get("responses")
    if not isinstance(entries, list):
        raise ResponseFileError("'responses' must be a list")
    if len(entries) > MAX_ENTRIES:
        raise ResponseFileError(f"more than {MAX_ENTRIES:,} responses")
    ratings = data.get("self_ratings", [])
    if not isinstance(ratings, list):
        raise ResponseFileError("'self_ratings' must be a list")
    if len(ratings) > MAX_RATINGS:
        raise ResponseFileError(f"more than {MAX_RATINGS:,} self-ratings")
    if "session" in data and not (isinstance(data["session"], str) and ID_RE.fullmatch(data["session"])):
        raise ResponseFileError(SESSION_MESSAGE)
    return learner, entries, ratings, data.get("session")


def parse_responses(data: Any, questions: dict[str, Question], name: str = "responses",
                    now_ms: float | None = None) -> ResponseSet:
    """Check a decoded response file against the question bank and the catalog: every reader's rules (see the
    README). Problems: the entries' in file order, then the self-ratings'."""
    now_ms = datetime.now(UTC).timestamp() * 1000 if now_ms is None else now_ms
    try:
        learner, entries, ratings, session = check_file(data)
    except ResponseFileError as exc:
        raise ResponseFileError(f"{name}: {exc}") from None
    result = ResponseSet(learner, session=session)
    for i, entry in enumerate(entries):
        where = f"{name}: responses[{i}]"
        try:
            qid, answer, at, certainty = check_entry(entry, now_ms)
        except ValueError as exc:
            result.problems.append(f"{where}: {exc}")
            continue
        where += f" (question {qid!r})"
        if qid not in questions:
            result.problems.append(f"{where}: unknown question")
            continue
        try:
            answer = normalize_answer(questions[qid], answer)
        except AnswerError as exc:
            result.problems.append(f"{where}: {exc}")
            continue
        result.attempts.append(Attempt(qid, answer, at, i, certainty))
    known = set(load_catalog().ids)
    for i, item in enumerate(ratings):
        where = f"{name}: self_ratings[{i}]"
        try:
            pid, stage, rating, at = check_rating(item, now_ms)
        except ValueError as exc:
            result.problems.append(f"{where}: {exc}")
            continue
        if pid not in known:
            result.problems.append(f"{where} (provision {pid!r}): unknown provision")
            continue
        result.ratings.append(SelfRating(pid, stage, rating, at, i))
    return result


def decode(raw: bytes) -> Any:
    """Bytes of a response file -> JSON value (a UTF-8 byte-order mark is allowed, as Notepad writes one).
    Raises ResponseFileError."""
    if len(raw) > MAX_FILE_BYTES:
        raise ResponseFileError(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ResponseFileError("not valid JSON (the file is not UTF-8 text)") from None
    def no_constant(name: str) -> Any:  # NaN and Infinity are not JSON (the browser refuses them too)
        raise ValueError(name)

    try:
        return json.loads(text, parse_constant=no_constant)
    except ValueError as exc:
        if not isinstance(exc, json.JSONDecodeError):
            raise ResponseFileError(f"not valid JSON ({exc} is not a JSON value)") from None
        raise ResponseFileError(f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise ResponseFileError(f"the file is nested too deeply (more than {MAX_DEPTH} levels)") from None


def read_bytes(path: Path) -> bytes:
    """A response file's bytes, or ResponseFileError saying why not (too large, missing, a folder, unreadable)."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ResponseFileError(f"{path}: the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        return path.read_bytes()
    except FileNotFoundError:
        raise ResponseFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ResponseFileError(f"{path}: is a folder, not a response file") from None
    except OSError as exc:
        raise ResponseFileError(f"{path}: cannot be read ({exc.strerror})") from None


def read_responses(path: Path, questions: dict[str, Question], now_ms: float | None = None) -> ResponseSet:
    """Read and check a response file from disk."""
    path = Path(path)
    raw = read_bytes(path)
    try:
        data = decode(raw)
    except ResponseFileError as exc:
        raise ResponseFileError(f"{path}: {exc}") from None
    return parse_responses(data, questions, str(path), now_ms)


def printable(text: str) -> str:
    """Text from a learner's file, safe to print in a terminal report or a chart: control characters (newlines,
    carriage returns, escape sequences) are shown as escapes, so a learner name cannot print a line of its own."""
    return "".join(c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii") for c in text)


def format_time(ms: float) -> str:
    """Milliseconds since the epoch -> ISO-8601 UTC with milliseconds, as browsers write it."""
    when = datetime.fromtimestamp(ms / 1000, UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _entry(a: Attempt) -> dict:
    entry = {"question": a.question, "answer": a.answer, "at": format_time(a.at)}
    if a.certainty is not None:
        entry["certainty"] = a.certainty
    return entry


def to_json(learner: str, attempts: Iterable[Attempt], ratings: Iterable[SelfRating] = ()) -> dict:
    """The response-file form of a learner's attempts and self-ratings: every one, oldest first. `certainty` is
    written only when stated, `self_ratings` only when there are some."""
    data = {
        "schema": SCHEMA,
        "learner": learner,
        "responses": [_entry(a) for a in sorted(attempts, key=lambda a: (a.at, a.seq))],
    }
    ordered = sorted(ratings, key=lambda r: (r.at, r.seq))
    if ordered:
        data["self_ratings"] = [{"provision": r.provision, "stage": r.stage, "rating": r.rating,
                                 "at": format_time(r.at)} for r in ordered]
    return data
