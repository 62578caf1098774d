"""Times in response files, read and written alike in every time zone. `make test` runs the unit suite in
America/Los_Angeles and this file again in Asia/Kolkata; each test here also moves a machine that is set to UTC to
another zone first, so that none of them passes only because local time happens to be UTC."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta

import pytest

from conftest import golden_questions
from nasams_course.grading import Attempt, SelfRating
from nasams_course.responses import format_time, parse_responses, parse_time, read_responses, to_json
from nasams_course.session import Session

QS = golden_questions()
#: 2026-01-01T10:00:00Z in milliseconds since the epoch, worked out by hand: 56 years of days since 1970 (14 of them
#: leap years) and ten hours
NEW_YEAR_10H = ((56 * 365 + 14) * 86_400 + 10 * 3_600) * 1000


@pytest.fixture
def away_from_utc():
    """The machine's own zone if it is not UTC on the dates used here, else America/Los_Angeles."""
    before = os.environ.get("TZ")
    if any(datetime(2026, m, 1, 10).astimezone().utcoffset() == timedelta(0) for m in (1, 7)):
        os.environ["TZ"] = "America/Los_Angeles"
        time.tzset()
    assert all(datetime(2026, m, 1, 10).astimezone().utcoffset() != timedelta(0) for m in (1, 7))
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-01-01T10:00:00", NEW_YEAR_10H),
    ("2026-01-01T10:00", NEW_YEAR_10H),
    ("2026-01-01T10:00:00Z", NEW_YEAR_10H),
    ("2026-01-01T12:00:00+02:00", NEW_YEAR_10H),
    ("2026-01-01T15:30:00+0530", NEW_YEAR_10H),
    ("2026-01-01T02:00:00-08:00", NEW_YEAR_10H),
    ("2026-01-01T10:00:00.5", NEW_YEAR_10H + 500),
    ("2026-01-01T10:00:00.05Z", NEW_YEAR_10H + 50),
    ("2026-01-01T10:00:00.123+00:00", NEW_YEAR_10H + 123),
    ("2026-07-01T10:00:00", NEW_YEAR_10H + 181 * 86_400_000),  # summer time where the machine has it: still UTC
], ids=lambda v: v if isinstance(v, str) else "")
def test_times_without_an_offset_are_utc_and_offsets_are_applied(away_from_utc, text, expected):
    assert parse_time(text) == expected


def test_written_times_are_utc_with_milliseconds_in_the_year_they_were_made(away_from_utc):
    assert format_time(NEW_YEAR_10H + 250) == "2026-01-01T10:00:00.250Z"
    assert format_time(parse_time("2026-11-02T06:03:00.25-08:00")) == "2026-11-02T14:03:00.250Z"
    assert format_time(0) == "1970-01-01T00:00:00.000Z"


def test_a_response_file_keeps_its_times_through_writing_and_reading(away_from_utc):
    at = parse_time("2026-11-02T14:03:00.120Z")
    data = to_json("Ana", [Attempt("g-single", "c", at, 0), Attempt("g-single", "a", at + 61_000, 1)],
                   [SelfRating("S5", "before", 2, at - 1_000, 0)])
    assert [e["at"] for e in data["responses"]] == ["2026-11-02T14:03:00.120Z", "2026-11-02T14:04:01.120Z"]
    assert data["self_ratings"][0]["at"] == "2026-11-02T14:02:59.120Z"
    back = parse_responses(json.loads(json.dumps(data)), QS)
    assert [a.at for a in back.attempts] == [at, at + 61_000] and [r.at for r in back.ratings] == [at - 1_000]


def test_a_notebook_session_saves_the_time_of_each_answer(away_from_utc, tmp_path):
    """The session stamps answers in milliseconds: a slip to seconds would write them back out in January 1970."""
    session = Session("Ana")
    before = datetime.now(UTC).timestamp() * 1000
    session.record("g-single", "a")
    session.rate("S5", "after", 3)
    after = datetime.now(UTC).timestamp() * 1000
    path = session.save(tmp_path / "r.json")
    saved = json.loads(path.read_text(encoding="utf-8"))
    for when in (saved["responses"][0]["at"], saved["self_ratings"][0]["at"]):
        assert when.endswith("Z") and before - 1 <= parse_time(when) <= after + 1, when
    back = read_responses(path, QS)
    assert before - 1 <= back.attempts[0].at <= after + 1


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-01-02T09:00:00+23:00", NEW_YEAR_10H),
    ("2026-01-01T10:59:00+00:59", NEW_YEAR_10H),
    ("2026-01-01T10:00:00+24:00", None),
    ("2026-01-01T10:00:00+00:60", None),
], ids=lambda v: v if isinstance(v, str) else "")
def test_offsets_run_to_23_hours_59_minutes(text, expected):
    """The largest offset is +-23:59 (as the browser's parseTime reads them); beyond it, not a time."""
    if expected is None:
        with pytest.raises(ValueError, match="not an ISO-8601 date-time"):
            parse_time(text)
    else:
        assert parse_time(text) == expected
