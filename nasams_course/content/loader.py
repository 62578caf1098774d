"""Find, parse and validate the content files under a course root.

Layout: every chapter page `book/<part>/<slug>.md` may have a folder beside it,
`book/<part>/<slug>/`, holding `chapter.yml`, `vignettes/*.yml` and
`questions/*.yml`. One file holds one item and is named after its id.
"""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from nasams_course.content.checks import check_bank
from nasams_course.content.cues import check_cues
from nasams_course.content.models import (
    Bank,
    Chapter,
    MultiQuestion,
    OrderQuestion,
    RateQuestion,
    SingleQuestion,
    Vignette,
)
from nasams_course.content.problems import Problem, from_validation_error

QUESTION_MODELS = {
    "single": SingleQuestion,
    "multi": MultiQuestion,
    "rate": RateQuestion,
    "order": OrderQuestion,
}
ROOT_ENV = "NASAMS_COURSE_ROOT"
#: a session book's generated project holds its plan here (nasams_course.training.session_book writes it)
SESSION_MANIFEST = "session.json"
SESSION_SCHEMA = "nasams-course/session-book@1"


class ContentError(Exception):
    """The content has problems; `problems` lists every one."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses duplicate keys instead of dropping one silently."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, str):
            raise yaml.constructor.ConstructorError(
                None, None, f"a field name must be text, got {type(key).__name__}", key_node.start_mark)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first at line {seen[key] + 1})", key_node.start_mark
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep)


class _FastUniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same loader on libyaml's parser, when PyYAML has it: ten times faster on the bank. The pure-Python one
    reads any text it refuses or that holds a character it would refuse, so every message stays its own."""


# a date-like value stays text (the models parse dates where they want them): YAML's own timestamp type turns
# 2026-13-01 into a ValueError and 2026-11-02 into a date where text is meant
for _loader in (_UniqueKeyLoader, _FastUniqueKeyLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def _yaml(text: str) -> object:
    """Parse YAML with libyaml where it agrees with the pure-Python parser; raise the pure-Python parser's error, or
    libyaml's where the pure-Python parser overflows the stack (nested too deep), or a YAMLError of our words where
    building the parsed mappings would (every reader of a content file or syllabus comes here: one message)."""
    refused = None
    if not yaml.reader.Reader.NON_PRINTABLE.search(text):
        try:
            return yaml.load(text, Loader=_FastUniqueKeyLoader)
        except (yaml.YAMLError, ValueError) as exc:
            refused = exc  # the pure-Python parser says what is wrong, in its words
        except RecursionError:  # parsed, but mappings nested deeper than building them can follow (some 300 levels)
            raise yaml.YAMLError("mappings nested too deeply to read") from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except RecursionError:  # nested deeper than Python's stack: libyaml's words (exceeded maximum nesting depth).
        raise refused from None  # libyaml has read it: with a character it does not allow, the reader stops first


def find_root(start: Path | None = None) -> Path:
    """The course root: $NASAMS_COURSE_ROOT, else the nearest folder up with `_toc.yml` and `book/`."""
    if os.environ.get(ROOT_ENV):
        return Path(os.environ[ROOT_ENV]).resolve()
    candidates = [Path(start or Path.cwd()).resolve(), Path(__file__).resolve().parents[2]]
    for base in candidates:
        for folder in (base, *base.parents):
            if (folder / "_toc.yml").is_file() and (folder / "book").is_dir():
                return folder
    raise FileNotFoundError(
        "cannot find the course root (a folder with _toc.yml and book/); "
        f"run from inside the course or set {ROOT_ENV}"
    )


def read_yaml(path: Path, rel: str) -> tuple[dict | None, list[Problem]]:
    """Parse one YAML file into a mapping, or report why not."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(rel, "(file)", f"not UTF-8 text ({exc.reason} at byte {exc.start})")]
    try:
        data = _yaml(text)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow: its line, in one line of words
        return None, [Problem(rel, f"line {text.count(chr(10), 0, exc.position) + 1}",
                              f"invalid YAML: unacceptable character #x{exc.character:04x}: {exc.reason}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        problem = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(rel, where, f"invalid YAML: {problem}")]
    except ValueError as exc:  # a value YAML cannot construct, e.g. `!!timestamp 2026-13-01`
        return None, [Problem(rel, "(file)", f"invalid YAML: {exc}")]
    if not isinstance(data, dict):
        return None, [Problem(rel, "(file)", "expected a mapping of fields (key: value), got "
                              + ("an empty file" if data is None else type(data).__name__))]
    return data, []


def _load_item(path: Path, rel: str, kind: str) -> tuple[object | None, list[Problem]]:
    data, problems = read_yaml(path, rel)
    if data is None:
        return None, problems
    if kind == "chapter":
        model: type = Chapter
    elif kind == "vignette":
        model = Vignette
    else:
        qkind = data.get("kind")
        if qkind is None:
            return None, [Problem(rel, "kind", "required field is missing (one of: single, multi, rate, order)")]
        if not isinstance(qkind, str) or qkind not in QUESTION_MODELS:
            return None, [Problem(rel, "kind", f"unknown kind {qkind!r} (expected one of: single, multi, rate, order)")]
        model = QUESTION_MODELS[qkind]
    try:
        item = model.model_validate(data)
    except ValidationError as exc:
        return None, from_validation_error(rel, exc, model)
    stem = path.stem
    if kind != "chapter" and getattr(item, "id", stem) != stem:
        return item, [Problem(rel, "id", f"id {item.id!r} does not match the file name {stem!r}")]
    return item, []


def _in_book_order(root: Path, chapter_files, problems: list[Problem]) -> list[Path]:
    """Chapter files in the order of `_toc.yml` (chapters it does not list come last, by path)."""
    toc = ""
    if (root / "_toc.yml").is_file():
        try:
            toc = (root / "_toc.yml").read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem("_toc.yml", "(file)", f"not UTF-8 text ({exc.reason} at byte {exc.start})"))
    listed = re.findall(r"file:\s*(\S+)", toc)

    def key(path: Path) -> tuple[int, str]:
        page = path.parent.relative_to(root).as_posix()
        return (listed.index(page) if page in listed else len(listed), page)

    return sorted(chapter_files, key=key)


def load_bank(root: Path | None = None) -> tuple[Bank, list[Problem]]:
    """Load every content file; return the valid items and every problem found."""
    root = find_root() if root is None else Path(root)
    bank = Bank()
    problems: list[Problem] = []
    for chapter_file in _in_book_order(root, (root / "book").rglob("chapter.yml"), problems):
        folder = chapter_file.parent
        rel = lambda p: p.relative_to(root).as_posix()  # noqa: E731
        chapter, found = _load_item(chapter_file, rel(chapter_file), "chapter")
        problems += found
        page = folder.with_suffix(".md")
        if not page.is_file():
            problems.append(Problem(rel(chapter_file), "(file)", f"no chapter page {rel(page)} beside this folder"))
        if chapter is None:
            continue
        if chapter.id in bank.chapters:
            problems.append(Problem(rel(chapter_file), "id", f"duplicate chapter id {chapter.id!r} "
                                    f"(also in {bank.source['chapter:' + chapter.id]})"))
            continue
        bank.chapters[chapter.id] = chapter
        bank.source["chapter:" + chapter.id] = rel(chapter_file)
        bank.page_of[chapter.id] = rel(folder)
        for path in sorted(folder.rglob("*")):
            if path.is_dir() or path == chapter_file or _ignored(path.relative_to(folder)):
                continue
            sub = path.relative_to(folder).parts
            if path.suffix not in (".yml", ".yaml") or len(sub) != 2 or sub[0] not in ("vignettes", "questions"):
                problems.append(Problem(rel(path), "(file)", "unexpected file: a chapter folder holds chapter.yml, "
                                        "vignettes/<id>.yml and questions/<id>.yml"))
                continue
            kind = "vignette" if sub[0] == "vignettes" else "question"
            item, found = _load_item(path, rel(path), kind)
            problems += found
            if item is None:
                continue
            store = bank.vignettes if kind == "vignette" else bank.questions
            if item.id in store:
                problems.append(Problem(rel(path), "id", f"duplicate {kind} id {item.id!r} "
                                        f"(also in {bank.source[kind + ':' + item.id]})"))
                continue
            store[item.id] = item
            bank.source[kind + ":" + item.id] = rel(path)
            bank.chapter_of[item.id] = chapter.id
    problems += check_bank(bank)
    if session_manifest(root) is None:  # a session's selection is not a bank: the cue limits hold for the course's
        problems += check_cues(bank)
    problems += check_pages(root, bank)
    return bank, sorted(set(problems))


def session_manifest(root: Path) -> dict | None:
    """The plan of a session book's generated project (id, title, mode, provisions, blocks), or None for the course."""
    path = Path(root) / SESSION_MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("schema") == SESSION_SCHEMA else None


def _ignored(rel: Path) -> bool:
    """Files an operating system or editor leaves behind (.DS_Store, ._x, x~, .x.swp): not content."""
    return any(part.startswith(".") or part.endswith("~") or part in ("Thumbs.db", "desktop.ini") for part in rel.parts)


#: the page cells that show content: quiz("q-..."), quizzes_for("v-..."), vignette("v-..."), discussion("v-...")
_CALL_RE = re.compile(r"\b(quiz|quizzes_for|vignette|discussion)\(\s*[\"']([^\"']*)[\"']\s*\)")


def page_vignettes(root: Path, bank: Bank, cid: str) -> list[str]:
    """The vignettes a chapter's page shows, in the page's order (for its "jump to a case" list)."""
    try:
        text = (root / f"{bank.page_of[cid]}.md").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, KeyError):
        return []
    return [item for func, item in _CALL_RE.findall(text) if func == "vignette" and item in bank.vignettes]


def check_pages(root: Path, bank: Bank) -> list[Problem]:
    """Every chapter page shows what its chapter holds: each quiz id exists, each question is shown exactly once
    (by quiz() or with its vignette's quizzes_for()), on its own chapter's page, and every vignette is shown."""
    problems: list[Problem] = []
    shown: dict[str, list[str]] = {}
    vignettes_shown: set[str] = set()
    for cid, page in bank.page_of.items():
        path = root / f"{page}.md"
        rel = f"{page}.md"
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # the loader reports a missing page; a page that is not UTF-8 fails the build with its own error
        for m in _CALL_RE.finditer(text):
            func, item = m.groups()
            where = f"line {text.count(chr(10), 0, m.start()) + 1}"
            if func == "quiz":
                if item not in bank.questions:
                    problems.append(Problem(rel, where, f"quiz({item!r}): unknown question"))
                    continue
                shown.setdefault(item, []).append(rel)
                if bank.chapter_of[item] != cid:
                    problems.append(Problem(rel, where, f"quiz({item!r}): the question belongs to chapter "
                                            f"{bank.chapter_of[item]!r}; show it on that chapter's page"))
            else:
                if item not in bank.vignettes:
                    problems.append(Problem(rel, where, f"{func}({item!r}): unknown vignette"))
                    continue
                if func == "vignette":
                    vignettes_shown.add(item)
                if func == "quizzes_for":
                    for q in bank.questions_of_vignette(item):
                        shown.setdefault(q.id, []).append(rel)
    for qid in bank.questions:
        pages = shown.get(qid, [])
        if not pages:
            problems.append(Problem(bank.path_of("question", qid), "(file)",
                                    "no page shows this question: add quiz(...) or its vignette's quizzes_for(...) "
                                    f"to {bank.page_of.get(bank.chapter_of[qid], 'its chapter page')}.md"))
        elif len(pages) > 1:
            problems.append(Problem(bank.path_of("question", qid), "(file)",
                                    f"shown {len(pages)} times ({', '.join(sorted(set(pages)))}); show it once"))
    for vid in bank.vignettes:
        if vid not in vignettes_shown:
            problems.append(Problem(bank.path_of("vignette", vid), "(file)",
                                    f"no page shows this vignette: add vignette({vid!r}) to its chapter page"))
    return problems


def load_bank_or_raise(root: Path | None = None) -> Bank:
    """Load the content, raising ContentError listing every problem if there is any."""
    bank, problems = load_bank(root)
    if problems:
        raise ContentError(problems)
    return bank


@cache
def course_bank() -> Bank:
    """The course's validated content, loaded once per process (for notebooks and trainer tools)."""
    return load_bank_or_raise(find_root())
