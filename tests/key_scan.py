"""A scan of a built session book for key data, in every file it holds (and in its zip): rationales (as text, escaped
or not), key fields in JSON (data islands, and any .json or .ipynb file), the feedback's and the key's markup, and
words found only in rationales among the search index's terms. Used on the sealed assessment session (nothing may be
found) and on the practice session (plenty is found: the scan can fail)."""

from __future__ import annotations

import html
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bs4 import BeautifulSoup

from nasams_course.content.models import Question
from nasams_course.rendering.html import KEY_FIELDS

#: the markup that holds feedback or a key: the result box, the critical-error box, each option's status and reason
KEY_CLASSES = ("nq-result", "nq-feedback", "nq-critical", "nq-violation-tag", "nq-option-status", "nq-rationale",
               "nq-instead")
WORD = re.compile(r"[A-Za-z]+")


@dataclass
class Found:
    rationales: list[tuple[str, str]] = field(default_factory=list)  # (file, question id)
    key_fields: list[tuple[str, str]] = field(default_factory=list)  # (file, field)
    key_markup: list[tuple[str, str]] = field(default_factory=list)  # (file, class)
    index_terms: list[str] = field(default_factory=list)  # search terms found only in rationales

    def __bool__(self) -> bool:
        return bool(self.rationales or self.key_fields or self.key_markup or self.index_terms)


def files(out: Path, book_id: str) -> Iterator[tuple[str, str]]:
    """(name, text) of every file of the built book, then of every file in its zip."""
    for path in sorted((out / "html").rglob("*")):
        if path.is_file():
            yield path.relative_to(out).as_posix(), path.read_bytes().decode("utf-8", "replace")
    with zipfile.ZipFile(out / f"{book_id}-book.zip") as zf:
        for name in zf.namelist():
            yield f"zip:{name}", zf.read(name).decode("utf-8", "replace")


def _key_fields(value, found: set[str]) -> None:
    if isinstance(value, dict):
        found |= set(value) & set(KEY_FIELDS)
        for v in value.values():
            _key_fields(v, found)
    elif isinstance(value, list):
        for v in value:
            _key_fields(v, found)


def json_fields(name: str, text: str) -> set[str]:
    """The key fields in a file's JSON: a .json or .ipynb file, or an HTML page's JSON script elements."""
    found: set[str] = set()
    if name.endswith((".json", ".ipynb")):
        _key_fields(json.loads(text), found)
    elif name.endswith(".html"):
        for script in BeautifulSoup(text, "html.parser").select('script[type="application/json"]'):
            _key_fields(json.loads(script.string or "null"), found)
    return found


def flat(text: str) -> str:
    return " ".join(text.split())


def search_terms(text: str) -> set[str]:
    """The terms of a Sphinx search index (searchindex.js: Search.setIndex({...}))."""
    data = json.loads(text[text.index("(") + 1:text.rindex(")")])
    return set(data["terms"]) | set(data["titleterms"])


def page_words(text: str) -> set[str]:
    """The words a page shows, leaving out scripts, styles and any feedback (which a sealed page must not have)."""
    soup = BeautifulSoup(text, "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    for tag in soup.select(".nq-result"):
        tag.decompose()
    return {w.lower() for w in WORD.findall(soup.get_text(" "))}


def scan(out: Path, book_id: str, questions: list[Question]) -> Found:
    """Everything in the built book (OUT/html and OUT/ID-book.zip) that gives a key away."""
    from sphinx.search.en import SearchEnglish

    found = Found()
    rationales = [(q.id, flat(o.rationale)) for q in questions for o in q.options]
    shown: set[str] = set()  # every word the pages show (without feedback)
    index: set[str] = set()
    for name, text in files(out, book_id):
        plain = flat(html.unescape(text))
        escaped = flat(text)
        for qid, r in rationales:
            if r in plain or r in escaped or json.dumps(r, ensure_ascii=False)[1:-1] in escaped:
                found.rationales.append((name, qid))
        found.key_fields += [(name, f) for f in sorted(json_fields(name, text))]
        if name.endswith(".html"):
            classes = {c for tag in BeautifulSoup(text, "html.parser").select("[class]") for c in tag["class"]}
            found.key_markup += [(name, c) for c in KEY_CLASSES if c in classes]
            shown |= page_words(text)
        if name.endswith("searchindex.js"):
            index |= search_terms(text)
    # words only the rationales use: their stems must not be search terms (Sphinx indexes the text of raw HTML)
    english = SearchEnglish({})
    only = {english.stem(w) for _, r in rationales for w in WORD.findall(r.lower()) if w not in shown}
    only -= {english.stem(w) for w in shown}
    found.index_terms = sorted(only & index)
    return found
