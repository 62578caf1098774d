"""CSV files a spreadsheet opens safely: a text cell that begins with =, +, -, @, a tab or a carriage return is a
formula to Excel and LibreOffice (CSV injection), so it gets a leading single quote, as OWASP advises. Numbers are
left alone (a negative number is a number, not a formula). Every CSV file the package writes goes through here."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

#: what a spreadsheet reads as the start of a formula
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A cell as a spreadsheet must show it: text starting like a formula gets a leading '; anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell made safe (only the text columns are looked at; numbers are kept)."""
    out = frame
    for column in frame.columns:
        values = frame[column]
        if values.dtype != object and not isinstance(values.dtype, (pd.StringDtype, pd.CategoricalDtype)):
            continue
        text = values.astype(object)
        risky = text.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_STARTS))
        if risky.any():
            out = out.copy() if out is frame else out
            out[column] = text.where(~risky, "'" + text.where(risky, "").astype(str))
    return out


def write_frame(frame: pd.DataFrame, path: str | Path) -> None:
    """Write a table as CSV, its text cells made safe. Lines end in CRLF (RFC 4180, as `csv.writer` ends them): a
    cell holding a carriage return is then quoted, not split into two rows by a spreadsheet."""
    safe_frame(frame).to_csv(path, index=False, lineterminator="\r\n")


def write_rows(path: str | Path, header: list[str], rows: Iterable[list[object]], mode: str = "x") -> None:
    """Write rows as CSV (header first), every cell made safe."""
    with open(path, mode, newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows([safe_cell(c) for c in row] for row in rows)
