"""Response files: reading, checking and writing.

`nasams-course/responses@2` (written by the book, Jupyter and the trainer tools) holds EVERY attempt: one
entry per submitted answer, each with its time `at`; a question may appear many times. `@1` files (from
earlier versions, which kept only the latest answer per question) are still read. Grading counts each
question's latest attempt; the first attempt is reported too. Bad entries are reported with their position
and skipped; good entries still grade.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nasams_course.content.models import Question
from nasams_course.grading import AnswerError, Attempt, normalize_answer

SCHEMA = "nasams-course/responses@2"
#: every schema version this course reads
READABLE = (1, 2)
_SCHEMA_RE = re.compile(r"^nasams-course/responses@(\d+)$")


class ResponseFileError(ValueError):
    """The file as a whole cannot be read as a response file."""


@dataclass
class ResponseSet:
    """One learner's checked attempts, plus a message for every entry that was skipped."""

    learner: str
    attempts: list[Attempt] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def parse_time(value: Any) -> float:
    """ISO-8601 time -> milliseconds since the epoch (a time without an offset is taken as UTC)."""
    if not isinstance(value, str):
        raise ValueError("'at' must be an ISO-8601 date-time string")
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"'at' is not an ISO-8601 date-time: {value!r}") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp() * 1000


def parse_responses(data: Any, questions: dict[str, Question], name: str = "responses") -> ResponseSet:
    """Check a decoded response file against the question bank."""
    if not isinstance(data, dict):
        raise ResponseFileError(f"{name}: expected a JSON object with 'schema', 'learner' and 'responses'")
    schema = data.get("schema")
    m = _SCHEMA_RE.match(schema) if isinstance(schema, str) else None
    if not m or int(m.group(1)) not in READABLE:
        if m and int(m.group(1)) > READABLE[-1]:
            raise ResponseFileError(f"{name}: schema {schema!r} is newer than this course reads ({SCHEMA}); "
                                    "update the course")
        raise ResponseFileError(f"{name}: not a NASAMS course response file (schema must be {SCHEMA!r})")
    learner = data.get("learner")
    if not isinstance(learner, str):
        raise ResponseFileError(f"{name}: 'learner' must be a string")
    entries = data.get("responses")
    if not isinstance(entries, list):
        raise ResponseFileError(f"{name}: 'responses' must be a list")
    result = ResponseSet(learner)
    for i, entry in enumerate(entries):
        where = f"{name}: responses[{i}]"
        if not isinstance(entry, dict) or "question" not in entry or "answer" not in entry:
            result.problems.append(f"{where}: expected an object with 'question', 'answer' and 'at'")
            continue
        qid = entry["question"]
        where += f" (question {qid!r})"
        if qid not in questions:
            result.problems.append(f"{where}: unknown question")
            continue
        try:
            at = parse_time(entry.get("at", "1970-01-01T00:00:00Z"))
            answer = normalize_answer(questions[qid], entry["answer"])
        except (AnswerError, ValueError) as exc:
            result.problems.append(f"{where}: {exc}")
            continue
        result.attempts.append(Attempt(qid, answer, at, i))
    return result


def read_responses(path: Path, questions: dict[str, Question]) -> ResponseSet:
    """Read and check a response file from disk."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResponseFileError(f"{path}: no such file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResponseFileError(f"{path}: not valid JSON ({exc})") from None
    return parse_responses(data, questions, str(path))


def format_time(ms: float) -> str:
    """Milliseconds since the epoch -> ISO-8601 UTC with milliseconds, as browsers write it."""
    when = datetime.fromtimestamp(ms / 1000, UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def to_json(learner: str, attempts: list[Attempt]) -> dict:
    """The response-file form of a learner's attempts: every attempt, oldest first."""
    ordered = sorted(attempts, key=lambda a: (a.at, a.seq))
    return {
        "schema": SCHEMA,
        "learner": learner,
        "responses": [{"question": a.question, "answer": a.answer, "at": format_time(a.at)} for a in ordered],
    }
