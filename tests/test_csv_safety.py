"""Every CSV file the package writes is safe in a spreadsheet: a text cell beginning with =, +, -, @, a tab or a
carriage return would be a formula in Excel or LibreOffice (CSV injection), so it is written with a leading single
quote (OWASP's advice); numbers, negative ones included, stay numbers. Checked end to end with hostile learner names
through `report`, `gradebook export --format csv` and certify's run CSV (all through training/spreadsheet.py)."""

from __future__ import annotations

import csv
import json

import pandas as pd
import pytest

from conftest import REPO, ascii_locale
from conftest import run as run_here
from nasams_course.training.spreadsheet import safe_cell, safe_frame, write_frame, write_rows

HOSTILE = ['=HYPERLINK("http://evil.example","click")', "+1+1", "-2+3", "@SUM(A1:A2)", "\tTabbed", "\rReturn"]


def run(*args):
    """`nasams-course --root REPO ARGS`, in this process (`conftest.run`: seen by `make mutate`)."""
    return run_here("--root", REPO, *args)


def response_file(path, learner: str):
    path.write_text(json.dumps({"schema": "nasams-course/responses@2", "learner": learner, "responses": [
        {"question": "q-s5-sister-first-response", "answer": "listen-only", "at": "2026-03-01T10:00:00Z"}]}),
        encoding="utf-8")
    return path


def column(path, name: str) -> list[str]:
    with open(path, newline="", encoding="utf-8") as f:
        return [row[name] for row in csv.DictReader(f)]


def test_a_cell_that_starts_like_a_formula_gets_a_quote_and_nothing_else_changes():
    assert [safe_cell(v) for v in HOSTILE] == ["'" + v for v in HOSTILE]
    assert [safe_cell(v) for v in ["Ana", "a=b", "", " =x", -3, 2.5, None]] == ["Ana", "a=b", "", " =x", -3, 2.5, None]
    frame = pd.DataFrame({"learner": ["=1+1", "Bo"], "score": [-12.5, 3.0],
                          "kind": pd.Categorical(["-x", "single"])})
    safe = safe_frame(frame)
    assert safe["learner"].tolist() == ["'=1+1", "Bo"] and safe["kind"].tolist() == ["'-x", "single"]
    assert safe["score"].tolist() == [-12.5, 3.0] and frame["learner"].tolist() == ["=1+1", "Bo"]


def test_write_rows_quotes_formulas(tmp_path):
    write_rows(tmp_path / "x.csv", ["learner", "n"], [["@cmd", -1], ["Ana", 2]])
    assert column(tmp_path / "x.csv", "learner") == ["'@cmd", "Ana"] and column(tmp_path / "x.csv", "n") == ["-1", "2"]


def test_hostile_learner_names_reach_the_report_and_the_export_as_text(tmp_path):
    paths = [response_file(tmp_path / f"l{i}.json", name) for i, name in enumerate(HOSTILE)]
    out = run("report", *paths, "--out", tmp_path / "r")
    assert out.returncode == 0, out.stderr
    assert sorted(column(tmp_path / "r" / "roster.csv", "learner")) == sorted("'" + n for n in HOSTILE)
    page = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    chart = page[page.index("<svg"):page.index("</svg>")]  # the heat map: a row per learner, labelled by name
    assert "\\tTabbed" in chart and "\\rReturn" in chart and "\tTabbed" not in chart and "\rReturn" not in chart
    db = tmp_path / "gb.sqlite"
    assert run("gradebook", "import", *paths, "--db", db).returncode == 0
    out = run("report", "--db", db, "--out", tmp_path / "rdb")
    assert out.returncode == 0, out.stderr
    assert sorted(column(tmp_path / "rdb" / "roster.csv", "learner")) == sorted("'" + n for n in HOSTILE)
    out = run("gradebook", "export", "--db", db, "--format", "csv", "--out", tmp_path / "a.csv")
    assert out.returncode == 0, out.stderr
    assert sorted(column(tmp_path / "a.csv", "learner")) == sorted("'" + n for n in HOSTILE)


def test_only_text_columns_are_looked_at_and_each_risky_cell_alone_is_quoted():
    frame = pd.DataFrame({"mixed": [-1, "=x", None, "ok", 2.5], "text": pd.array(["+1", "a", None, "@b", "-"],
                                                                              dtype="string"),
                          "n": [-1, -2, 3, 4, 5], "f": [-1.5, 0.0, 1.0, 2.0, 3.0]})
    safe = safe_frame(frame)
    assert safe["mixed"].tolist() == [-1, "'=x", None, "ok", 2.5]
    assert safe["text"].tolist()[:2] == ["'+1", "a"] and safe["text"].tolist()[3:] == ["'@b", "'-"]
    assert pd.isna(safe["text"].tolist()[2])
    assert safe["n"].tolist() == [-1, -2, 3, 4, 5] and safe["f"].tolist() == [-1.5, 0.0, 1.0, 2.0, 3.0]
    assert frame["mixed"].tolist()[1] == "=x" and frame["text"].tolist()[0] == "+1"  # the caller's table kept
    clean = pd.DataFrame({"learner": ["Ana", "Bo"], "n": [1, 2]})
    assert safe_frame(clean).equals(clean)


def test_write_frame_ends_lines_in_crlf_so_a_cell_holding_a_carriage_return_stays_one_row(tmp_path):
    frame = pd.DataFrame({"learner": ["Ana\rBo", "=cmd", "Zoë"], "score": [-1.5, 2, 3]})
    write_frame(frame, tmp_path / "t.csv")
    data = (tmp_path / "t.csv").read_bytes()
    assert data == 'learner,score\r\n"Ana\rBo",-1.5\r\n\'=cmd,2.0\r\nZoë,3.0\r\n'.encode()
    with open(tmp_path / "t.csv", newline="", encoding="utf-8") as f:
        assert [row["learner"] for row in csv.DictReader(f)] == ["Ana\rBo", "'=cmd", "Zoë"]


def test_write_rows_writes_a_new_file_in_utf8_and_refuses_to_overwrite_one(tmp_path):
    path = tmp_path / "run.csv"
    write_rows(path, ["learner", "note"], [["Zoë", "a\nb"], ["-x", "+y"]])
    assert path.read_bytes() == 'learner,note\r\nZoë,"a\nb"\r\n\'-x,\'+y\r\n'.encode()
    with pytest.raises(FileExistsError):
        write_rows(path, ["learner"], [["Other"]])
    write_rows(path, ["learner", "note"], [["Ana", "1"]], mode="a")
    assert path.read_bytes().endswith(b"'+y\r\nlearner,note\r\nAna,1\r\n")
    assert column(path, "learner")[:2] == ["Zoë", "'-x"]


def test_write_rows_writes_utf8_on_a_machine_whose_locale_is_not(tmp_path):
    """The C locale's encoding is ASCII (as a server without a UTF-8 locale has): a name with an accent is still
    written, in UTF-8, not refused or written in the locale's encoding."""
    with ascii_locale():
        write_rows(tmp_path / "a.csv", ["learner"], [["Zoë"]])
    assert (tmp_path / "a.csv").read_bytes() == "learner\r\nZoë\r\n".encode()


def test_write_rows_writes_crlf_once_on_windows_too(tmp_path, monkeypatch):
    """On Windows a text file opened without `newline=""` turns each "\\n" written into "\\r\\n", and csv's line ends
    ("\\r\\n") into "\\r\\r\\n": a spreadsheet then shows an empty row after each. Played here by the pure-Python `io`
    (`_pyio`), which takes the line end from `os.linesep`, set to Windows' one."""
    import _pyio
    import os

    from nasams_course.training import spreadsheet

    monkeypatch.setattr(spreadsheet, "open", _pyio.open, raising=False)
    monkeypatch.setattr(os, "linesep", "\r\n")
    write_rows(tmp_path / "w.csv", ["learner", "note"], [["Zoë", "a\nb"]])
    assert (tmp_path / "w.csv").read_bytes() == 'learner,note\r\nZoë,"a\nb"\r\n'.encode()
