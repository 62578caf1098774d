"""A session book: a Jupyter Book of only what a session plan chose, built outside the course's files.

`write_project` generates a small course root under OUT/source: its own `_config.yml` and `_toc.yml`, the chosen
content copied from the course (`chapter.yml` narrowed to the session's share: its provisions, minutes and
objectives; the chosen vignettes and questions, unchanged), the chapter pages (a chapter chosen whole keeps the
course's page; a chapter partly chosen gets a page of the chosen provisions' sections and the chosen cases and
questions, in the course's order), its own home page, progress page and coverage map, and the course's scoring
page and glossary. Because it is a course root, every tool reads it as the course: the loader validates it (each
chosen question shown once, each chosen vignette shown), the pages' helpers (nasams_course.notebook) show the
session's share, and `session.json` names the session (its response files carry the id).

`execute` runs the pages' cells in this process, as a kernel would, and stores the outputs in the project's
jupyter-cache, so that `jupyter-book build` (execute_notebooks: cache) finds every page executed and starts no
kernel; a page whose cells the cache does not know is executed by jupyter-book as usual. `build` then builds the
project with `-n -W --keep-going` into OUT/html (its log in OUT/build.log), checks its internal links, zips it as
OUT/<id>-book.zip, and writes the facilitator guide (HTML and PDF) and the learner handout (HTML and PDF) beside it
(training/guides.py; the PDFs are printed by Chromium, checked for before anything is built).
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

from nasams_course.catalog import Catalog, cited_provisions, load_catalog
from nasams_course.content.loader import (
    ROOT_ENV,
    SESSION_MANIFEST,
    SESSION_SCHEMA,
    course_bank,
    load_bank,
)
from nasams_course.content.models import Bank
from nasams_course.training.guides import write_guides
from nasams_course.training.links import broken_links
from nasams_course.training.pdf import PdfError, chromium_executable
from nasams_course.training.plan import Block, SessionPlan
from nasams_course.training.syllabus import is_whole

HOME = "book/orientation/session"
ORIENTATION = ("book/orientation/progress", "book/orientation/scoring", "book/orientation/coverage-map",
               "book/orientation/glossary")
#: the course's own pages a session book keeps as they are
KEPT_PAGES = ("book/orientation/scoring.md", "book/orientation/glossary.md")
BUILD_FLAGS = ("-W", "-n", "--keep-going")
FRONT_MATTER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""
HELPERS = ("from nasams_course.notebook import chapter_intro, discussion, provision, quiz, quizzes_for, self_rating, "
           "vignette")


class SessionBuildError(Exception):
    """The session book could not be made; the message says why (and the build's own lines, if it ran)."""


class OutFolderError(SessionBuildError):
    """--out names a folder a session may not be built in (nothing was written)."""


def cell(code: str) -> str:
    """A page's code cell, its input hidden in the book (as on the course's pages)."""
    return f"```{{code-cell}} ipython3\n:tags: [remove-input]\n{code}\n```\n\n"


def md_text(text: str) -> str:
    """Text from a syllabus (or a title), safe in Markdown: the marks that could start markup, a role, a link or HTML
    are escaped; the text reads as written."""
    return re.sub(r"([\\`*_{}\[\]<>#|~^&$%!])", r"\\\1", " ".join(text.split()))


# ---- the chapter pages ----------------------------------------------------------------------------------------

@dataclass
class Chunk:
    """A piece of a course page: its head, a provision's section, a case, or another section."""

    text: str
    provision: str | None = None  # the provision id whose section this is
    vignette: str | None = None  # the vignette this case shows


_LABEL = re.compile(r"^\(provision-([a-z0-9]+)\)=\s*$")
_CELL = re.compile(r"```\{code-cell\}[^\n]*\n.*?^```[ \t]*\n?", re.S | re.M)
_CALL = re.compile(r"\b(quiz|quizzes_for|vignette)\(\s*[\"']([^\"']*)[\"']\s*\)")


def split_page(text: str, catalog: Catalog) -> tuple[str, list[Chunk]]:
    """A course page -> its front matter and its chunks: the head (title and intro), then one per `##` section (a
    provision's `(provision-x)=` label goes with the section it names)."""
    front = ""
    if text.startswith("---\n"):
        end = text.index("\n---\n", 4) + 5
        front, text = text[:end], text[end:]
    anchors = {p.anchor.removeprefix("provision-"): p.id for p in catalog.provisions}
    chunks: list[list[str]] = [[]]
    labels: list[str | None] = [None]
    pending: str | None = None
    for line in text.splitlines(keepends=True):
        label = _LABEL.match(line)
        if label:
            pending = anchors.get(label.group(1))
            chunks.append([line])
            labels.append(pending)
            continue
        if line.startswith("## "):
            if pending is None:
                chunks.append([])
                labels.append(None)
            pending = None
        chunks[-1].append(line)
    out = []
    for lines, pid in zip(chunks, labels, strict=True):
        body = "".join(lines)
        shown = [v for f, v in _CALL.findall(body) if f == "vignette"]
        out.append(Chunk(body, pid, shown[0] if shown else None))
    return front, out


def _case(chunk: Chunk, block: Block, bank: Bank) -> str:
    """A case's section with only the chosen questions: the vignette's `quizzes_for` when all of them are chosen,
    else one quiz cell per chosen question (bank order); `quiz` cells of questions not chosen are left out."""
    chosen = set(block.questions)

    def keep(m: re.Match) -> str:
        calls = _CALL.findall(m.group(0))
        for func, item in calls:
            if func == "quizzes_for":
                mine = [q.id for q in bank.questions_of_vignette(item)]
                return m.group(0) if set(mine) <= chosen else "".join(cell(f"quiz({q!r})") for q in mine if q in chosen)
            if func == "quiz" and item not in chosen:
                return ""
        return m.group(0)

    return _CELL.sub(keep, chunk.text)


def _share(block: Block, bank: Bank) -> str:
    """What a chapter partly chosen keeps, in words."""
    cid = block.chapter
    cases = f"{len(block.vignettes)} of its {len(bank.vignettes_in_chapter(cid))} cases"
    questions = f"{len(block.questions)} of its {len(bank.questions_in_chapter(cid))} questions"
    if not block.provisions:
        return f"{cases} and {questions}"
    sections = f"the section{'s' if len(block.provisions) > 1 else ''} on {', '.join(block.provisions)}"
    return f"{sections}, {cases} and {questions}"


def partial_page(course_text: str, block: Block, bank: Bank, catalog: Catalog, listed: tuple[str, ...]) -> str:
    """The page of a chapter partly chosen: its title and intro cell, a note on the share, the chosen provisions'
    sections (or, when none is chosen, the text of the provisions its questions assess), the chosen cases with the
    chosen questions, the chosen questions without a case, and the self-rating."""
    front, chunks = split_page(course_text, catalog)
    ch = bank.chapters[block.chapter]
    title = next((line for line in chunks[0].text.splitlines() if line.startswith("# ")), f"# {md_text(ch.title)}")
    out = [front or FRONT_MATTER, "\n", title, "\n\n", cell(f"{HELPERS}\n\nchapter_intro({block.chapter!r})"),
           f"*In this session: part of this chapter: {_share(block, bank)}.*\n\n"]
    if not block.provisions and ch.part != "capstone":
        out.append("## The provisions these questions assess\n\n")
        for pid in listed:
            p = catalog.provision(pid)
            out.append(f"({p.anchor})=\n### {p.id} · {md_text(p.title)}\n\n{cell(f'provision({pid!r})')}")
    for chunk in chunks[1:]:
        if chunk.provision in block.provisions:
            out.append(chunk.text.rstrip("\n") + "\n\n")
        elif chunk.vignette in block.vignettes:
            out.append(_case(chunk, block, bank).rstrip("\n") + "\n\n")
    shown_with_cases = {q.id for vid in block.vignettes for q in bank.questions_of_vignette(vid)}
    page_order = [item for func, item in _CALL.findall(course_text) if func == "quiz"]
    alone = [qid for qid in page_order if qid in block.questions and qid not in shown_with_cases]
    alone += [qid for qid in block.questions if qid not in shown_with_cases and qid not in alone]
    if alone:
        out.append("## Check your understanding\n\n" + "".join(cell(f"quiz({qid!r})") for qid in alone))
    if ch.part != "capstone":
        out.append(cell(f"self_rating({block.chapter!r}, 'after')"))
    return renumber_cases("".join(out)).rstrip("\n") + "\n"


def renumber_cases(text: str) -> str:
    """Case and stage headings numbered 1, 2, 3 in the order the page shows them."""
    count = {"Case": 0, "Stage": 0}

    def number(m: re.Match) -> str:
        count[m.group(1)] += 1
        return f"## {m.group(1)} {count[m.group(1)]}:"

    return re.sub(r"^## (Case|Stage) \d+:", number, text, flags=re.M)


def listed_provisions(block: Block, bank: Bank, catalog: Catalog) -> tuple[str, ...]:
    """The provisions the session's copy of a chapter lists: those whose sections are chosen; with none chosen, those
    its chosen questions assess that the chapter teaches (or, failing that, all they assess)."""
    if block.provisions:
        return block.provisions
    assessed = {pid for qid in block.questions for pid in bank.questions[qid].provisions}
    taught = [pid for pid in catalog.ids if pid in assessed and pid in bank.chapters[block.chapter].provisions]
    return tuple(taught or [pid for pid in catalog.ids if pid in assessed])


def chapter_data(block: Block, bank: Bank, catalog: Catalog) -> dict:
    """The session's chapter.yml: the course's, narrowed to the block: its provisions, its minutes, and the objectives
    that name a provision it lists or assesses (all of them if none does)."""
    ch = bank.chapters[block.chapter]
    listed = listed_provisions(block, bank, catalog)
    assessed = {pid for qid in block.questions for pid in bank.questions[qid].provisions} | set(listed)
    objectives = [o for o in ch.objectives if set(cited_provisions(o)) & assessed]
    return {"id": ch.id, "title": ch.title, "part": ch.part, "provisions": list(listed), "minutes": block.minutes,
            "objectives": objectives or list(ch.objectives)}


# ---- the orientation pages ------------------------------------------------------------------------------------

MODES = {"practice": "Practice session", "assessment": "Assessment session"}


def _when(plan: SessionPlan) -> str:
    return ", ".join(plan.dates)


def home_page(plan: SessionPlan, bank: Bank, catalog: Catalog) -> str:
    """The session's home page: title, dates, minutes, audience, what it covers, how to answer and hand in."""
    taught = {pid for b in plan.blocks for pid in b.provisions}
    covered = [pid for pid in catalog.ids if pid in taught or pid in plan.provisions(bank)]
    lines = [FRONT_MATTER, "\n", f"# {md_text(plan.title)}\n\n",
             f"**{MODES[plan.mode]}** · {md_text(_when(plan))} · about {plan.minutes} minutes · "
             f"for {md_text(plan.audience)}\n\n",
             cell("from nasams_course.notebook import answers_panel, start_button\n\nstart_button()"),
             "## What this session covers\n\n"]
    for i, b in enumerate(plan.blocks, 1):
        page = "../" + bank.page_of[b.chapter].removeprefix("book/") + ".md"
        share = "the whole chapter" if is_whole(b, bank) else f"part of the chapter ({_share(b, bank)})"
        lines.append(f"{i}. [{md_text(b.title)}]({page}): {share}; about {b.minutes} minutes, "
                     f"{len(b.vignettes)} case{'s' if len(b.vignettes) != 1 else ''}, {len(b.questions)} "
                     f"question{'s' if len(b.questions) != 1 else ''}.\n")
    lines.append(f"\nThe questions assess {len(covered)} provisions of the code (those marked with a section are "
                 "explained in the chapters):\n\n")
    lines += [f"- **{pid}** {md_text(catalog.provision(pid).title)}{' (section)' if pid in taught else ''}\n"
              for pid in covered]
    answer = ("answer its questions and press **Save answer**. There is no feedback during the session: your "
              "trainer grades your answers afterwards and gives you a feedback page with every option's reasons"
              if plan.mode == "assessment" else
              "answer its questions and press **Submit**; the feedback explains every option")
    lines.append(f"""
## How to answer and hand in

1. Work through the chapters in order: **Start** above takes you to the first, and to where you left off when you
   come back. Read each case, {answer}.
2. Your answers are kept in this browser as you go. Use the same browser and computer for the whole session.
3. When you have finished, type your name in the panel below and press **Download my answers**. It saves a
   response file (`nasams-responses-{plan.id}-your-name.json`) holding your answers to this session's questions,
   marked with this session's id.
4. Give that file to your trainer (by email, on a USB stick, or in your course's file area). The trainer grades it
   against this session's provisions only.

""")
    lines.append(cell("answers_panel()"))
    progress = ("[Your answers](progress.md): which of this session's questions you have answered"
                if plan.mode == "assessment" else "[Your progress](progress.md) on this session's provisions")
    lines.append(f"""## Also in this book

- [How you are scored](scoring.md)
- {progress}
- [Coverage map](coverage-map.md) of this session's provisions
- [Glossary](glossary.md)

```{{admonition}} Not legal advice
:class: important
This session is training material, not legal advice. The law on privilege, work product, discovery, records,
mandated reporting and contact with witnesses differs between jurisdictions and changes over time. When a question
about the law arises in a real case, ask counsel of record. All people and cases in the vignettes are fictional.
```
""")
    return "".join(lines)


#: the answers panel, then the progress page (or, sealed, the list of answered questions)
PANEL_AND_PROGRESS = """
```{code-cell} ipython3
:tags: [remove-input]
from nasams_course.notebook import answers_panel, progress_page

answers_panel()
```

```{code-cell} ipython3
:tags: [remove-input]
progress_page()
```
"""

PROGRESS_PAGE = FRONT_MATTER + """
# Your progress

Where you stand on this session's provisions, from the answers saved in this browser: your overall level, the
competency domains and provisions the session's questions assess, the critical errors still to review, and how far
you are through each chapter. The figures are computed on this page by the same rules your trainer uses to grade
your response file (see [How you are scored](scoring.md)); nothing leaves your computer.
""" + PANEL_AND_PROGRESS + """
*The levels are for learning and for planning training, not a certification.*
"""

#: an assessment's note on the course's scoring page: the rules are the same, but nothing is scored in the book
SEALED_SCORING = """
```{admonition} In this assessment
:class: note
This session is an assessment: the book does not score your answers or flag critical errors as you go, and shows no
feedback. Your trainer grades your response file by these rules after the session and gives you a feedback page.
```
"""

#: an assessment's page in place of the progress page: which questions are answered, no score
ANSWERED_PAGE = FRONT_MATTER + """
# Your answers

This session is an assessment: your answers are not scored on this page, and no page of this book shows a key or
feedback. Below is every question of the session, with whether an answer to it is saved in this browser. Answer the
ones still open (you can change an answer until you hand in: the latest one counts), then type your name in the
panel and press **Download my answers**, and give the file to your trainer. Your trainer grades it and gives you a
feedback page: your scores and levels, and the reasons for every option.
""" + PANEL_AND_PROGRESS

COVERAGE_PAGE = FRONT_MATTER + """
# Coverage map

Which of this session's chapters, cases and questions teach and assess each of its provisions, and how long each
chapter takes in this session. Filter by part or by domain.

Columns: **chapters**: the chapter whose section explains the provision (its number in this session, title, time
and questions in this session), then the others whose cases also exercise it; **vignettes** that exercise the
provision; **questions** that assess it, and how many of each kind (**S** single best answer, **M** multiple
response, **R** rate each action, **O** order the steps); {violations}**prompts**, seminar discussion prompts in its
cases.

```{code-cell} ipython3
:tags: [remove-input]
from nasams_course.notebook import coverage_map

coverage_map()
```
"""
VIOLATION_ITEMS = ("**violation items**, questions with an option that breaches this provision (choosing it is a "
                   "critical error that caps this provision at Beginning); ")


def coverage_page(plan: SessionPlan) -> str:
    """The session's coverage map page; an assessment's has no violation items (they tell which options breach)."""
    return COVERAGE_PAGE.replace("{violations}", "" if plan.mode == "assessment" else VIOLATION_ITEMS)


# ---- the project ----------------------------------------------------------------------------------------------

def _toc(plan: SessionPlan, bank: Bank, course_root: Path) -> dict:
    """The course's table of contents, narrowed to the session's chapters (same parts, captions and numbering)."""
    course = yaml.safe_load((course_root / "_toc.yml").read_text(encoding="utf-8"))
    pages = {bank.page_of[b.chapter] for b in plan.blocks}
    parts = [{"caption": "Start here", "chapters": [{"file": f} for f in ORIENTATION]}]
    for part in course.get("parts", []):
        chapters = [c for c in part.get("chapters", []) if c.get("file") in pages]
        if chapters:
            parts.append({**{k: v for k, v in part.items() if k != "chapters"}, "chapters": chapters})
    return {"format": "jb-book", "root": HOME, "parts": parts}


def _config(plan: SessionPlan, course_root: Path) -> dict:
    config = yaml.safe_load((course_root / "_config.yml").read_text(encoding="utf-8"))
    config["title"] = plan.title
    config["execute"] = {**config.get("execute", {}), "execute_notebooks": "cache"}
    return config


def manifest(plan: SessionPlan, bank: Bank, catalog: Catalog) -> dict:
    """session.json: the plan, for the pages' helpers and the book's data."""
    taught = {pid for b in plan.blocks for pid in b.provisions}
    scope = set(plan.provisions(bank)) | taught
    return {"schema": SESSION_SCHEMA, "id": plan.id, "title": plan.title, "dates": list(plan.dates),
            "audience": plan.audience, "mode": plan.mode, "minutes": plan.minutes,
            "budget_minutes": plan.budget_minutes, "provisions": [pid for pid in catalog.ids if pid in scope],
            "blocks": [{"chapter": b.chapter, "minutes": b.minutes, "provisions": list(b.provisions),
                        "vignettes": list(b.vignettes), "questions": list(b.questions)} for b in plan.blocks]}


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_project(plan: SessionPlan, bank: Bank, course_root: Path, source: Path) -> None:
    """Generate the session book's project (a course root of its own) in `source`, replacing what was there."""
    catalog = load_catalog()
    if source.exists():
        shutil.rmtree(source)
    source.mkdir(parents=True)
    dump = lambda data: yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120)  # noqa: E731
    generated = "# Generated by nasams-course session build: do not edit.\n"
    _write(source / "_config.yml", generated + dump(_config(plan, course_root)))
    _write(source / "_toc.yml", generated + dump(_toc(plan, bank, course_root)))
    _write(source / SESSION_MANIFEST, json.dumps(manifest(plan, bank, catalog), indent=1, ensure_ascii=False) + "\n")
    for block in plan.blocks:
        page = bank.page_of[block.chapter]
        folder = source / page
        course_page = (course_root / f"{page}.md").read_text(encoding="utf-8")
        if is_whole(block, bank):
            _write(folder / "chapter.yml", (course_root / bank.path_of("chapter", block.chapter)).read_text("utf-8"))
            _write(source / f"{page}.md", course_page)
        else:
            _write(folder / "chapter.yml", dump(chapter_data(block, bank, catalog)))
            _write(source / f"{page}.md",
                   partial_page(course_page, block, bank, catalog, listed_provisions(block, bank, catalog)))
        for kind, ids in (("vignette", block.vignettes), ("question", block.questions)):
            for item in ids:
                _write(folder / f"{kind}s" / f"{item}.yml", (course_root / bank.path_of(kind, item)).read_text("utf-8"))
    for rel in KEPT_PAGES:
        _write(source / rel, (course_root / rel).read_text(encoding="utf-8"))
    if plan.mode == "assessment":
        scoring = source / "book/orientation/scoring.md"
        _write(scoring, re.sub(r"^# .*\n", lambda m: m.group(0) + SEALED_SCORING, scoring.read_text("utf-8"),
                               count=1, flags=re.M))
    _write(source / f"{HOME}.md", home_page(plan, bank, catalog))
    _write(source / "book/orientation/progress.md", ANSWERED_PAGE if plan.mode == "assessment" else PROGRESS_PAGE)
    _write(source / "book/orientation/coverage-map.md", coverage_page(plan))
    _, problems = load_bank(source)
    if problems:
        raise SessionBuildError("the generated session project is not valid (a bug: please report it):\n"
                                + "\n".join(str(p) for p in problems))


# ---- executing the pages --------------------------------------------------------------------------------------

@contextmanager
def course_at(root: Path):
    """The notebook helpers read the course at `root` (as a kernel started in the project would)."""
    before = os.environ.get(ROOT_ENV)
    os.environ[ROOT_ENV] = str(root)
    course_bank.cache_clear()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(ROOT_ENV, None)
        else:
            os.environ[ROOT_ENV] = before
        course_bank.cache_clear()


def _run_cells(nb, where: str) -> None:
    """Execute a notebook's code cells in one namespace, as an IPython kernel does: what a cell displays, then the
    value of its last expression, become its outputs. Anything on stderr, or an exception, fails the page."""
    import nbformat
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    shell = InteractiveShell.instance()
    namespace: dict = {"__name__": "__main__"}
    count = 0
    for c in nb.cells:
        if c.cell_type != "code":
            continue
        count += 1
        tree = ast.parse(c.source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        data = None
        try:
            with capture_output() as captured:
                exec(compile(tree, f"{where} cell {count}", "exec"), namespace)
                value = eval(compile(ast.Expression(last.value), f"{where} cell {count}", "eval"), namespace) \
                    if last else None
                if value is not None:
                    data, metadata = shell.display_formatter.format(value)
        except Exception as exc:
            raise SessionBuildError(f"{where}: cell {count} failed: {type(exc).__name__}: {exc}") from exc
        if captured.stderr:
            raise SessionBuildError(f"{where}: cell {count} wrote to stderr: {captured.stderr.strip()}")
        outputs = [nbformat.v4.new_output("stream", name="stdout", text=captured.stdout)] if captured.stdout else []
        outputs += [nbformat.v4.new_output("display_data", data=o.data, metadata=o.metadata) for o in captured.outputs]
        if data is not None:
            outputs.append(nbformat.v4.new_output("execute_result", data=data, metadata=metadata,
                                                  execution_count=count))
        c.outputs = outputs
        c.execution_count = count


def execute(source: Path) -> int:
    """Execute every page of the project in this process and store the outputs in its jupyter-cache (where
    `jupyter-book build` looks: source/_build/.jupyter_cache). Returns how many pages were executed."""
    skip_iri_grammars()
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from myst_nb.core.read import is_myst_markdown_notebook, read_myst_markdown_notebook

    cache = get_cache(source / "_build" / ".jupyter_cache")
    pages = 0
    with course_at(source):
        for path in sorted((source / "book").rglob("*.md")):
            text = path.read_text(encoding="utf-8")
            if not is_myst_markdown_notebook(text):
                continue
            nb = read_myst_markdown_notebook(text, add_source_map=True, path=str(path))
            started = time.perf_counter()
            cwd = Path.cwd()
            os.chdir(path.parent)  # where a kernel would run the page
            try:
                _run_cells(nb, path.relative_to(source).as_posix())
            finally:
                os.chdir(cwd)
            cache.cache_notebook_bundle(CacheBundleIn(nb, str(path), data={"execution_seconds":
                                                                               time.perf_counter() - started}),
                                        check_validity=False, overwrite=True)
            pages += 1
    return pages


# ---- building -------------------------------------------------------------------------------------------------

@dataclass
class Built:
    html: Path
    zip: Path
    pages: int
    seconds: float
    log: str
    #: the facilitator guide and the handout (HTML, and PDF unless built without them)
    guides: list[Path]
    #: of `seconds`, the time spent printing the PDFs
    pdf_seconds: float = 0.0


#: jsonschema, which nbformat imports, compiles 38 grammars for the "iri" string formats when rfc3987_syntax is
#: installed (jupyter-events asks for it): 2 to 3 s in every process that reads a notebook. No notebook or book schema
#: checks those formats, so the session build goes without them (jsonschema skips a format whose module is missing).
WITHOUT_IRI_GRAMMARS = "import sys; sys.modules.setdefault('rfc3987_syntax', None)"


def skip_iri_grammars() -> None:
    sys.modules.setdefault("rfc3987_syntax", None)  # what WITHOUT_IRI_GRAMMARS does


def jupyter_book() -> list[str]:
    """The `jupyter-book` command, run by this Python without the IRI grammars."""
    if importlib.util.find_spec("jupyter_book") is None:
        raise SessionBuildError("jupyter-book is not installed (make .venv/.installed installs it)")
    return [sys.executable, "-c",
            f"{WITHOUT_IRI_GRAMMARS}; from jupyter_book.cli.main import main; main(prog_name='jupyter-book')"]


def build_html(source: Path, html: Path) -> str:
    """`jupyter-book build -W -n --keep-going` of the project; the HTML moved to `html`. Returns the build's log (also
    written beside the project, as build.log)."""
    # its output is read as UTF-8 (and it is asked to write UTF-8) whatever the locale, as text (an encoding given):
    # a page's accented text quoted in a warning, or a byte that is not UTF-8, must not stop the build
    env = {**os.environ, ROOT_ENV: str(source), "PYTHONIOENCODING": "utf-8"}
    run = subprocess.run([*jupyter_book(), "build", str(source), *BUILD_FLAGS], capture_output=True,
                         encoding="utf-8", errors="replace", env=env, check=False)
    log = run.stdout + run.stderr
    (source.parent / "build.log").write_text(log, encoding="utf-8")
    if run.returncode != 0:
        lines = [line for line in log.splitlines() if "WARNING" in line or "ERROR" in line or "Error" in line]
        raise SessionBuildError(f"the session book did not build (the whole log: {source.parent / 'build.log'}):\n"
                                + "\n".join(lines[-40:] or log.splitlines()[-40:]))
    if html.exists():
        shutil.rmtree(html)
    shutil.move(source / "_build" / "html", html)
    return log


def write_zip(html: Path, path: Path, folder: str) -> None:
    """The HTML as a zip (one folder, `folder/index.html` inside), for a USB stick or an LMS's file area."""
    tmp = path.with_suffix(".zip.part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for item in sorted(html.rglob("*")):
            if item.is_file():
                zf.write(item, f"{folder}/{item.relative_to(html).as_posix()}")
    tmp.replace(path)


def build(plan: SessionPlan, bank: Bank, course_root: Path, out: Path, pdf: bool = True) -> Built:
    """The whole session: project, executed pages, HTML (0 broken internal links) and zip, and the facilitator guide
    and handout (their PDFs too unless `pdf` is false), under `out`. Without Chromium, PdfError before anything is
    written."""
    started = time.perf_counter()
    if pdf:
        chromium_executable()  # raises PdfError, before the book is built
    source, html = out / "source", out / "html"
    write_project(plan, bank, course_root, source)
    pages = execute(source)
    log = build_html(source, html)
    shutil.rmtree(source / "_build", ignore_errors=True)
    broken = broken_links(html)
    if broken:
        raise SessionBuildError(f"the session book has {len(broken)} broken internal link(s):\n"
                                + "\n".join(str(b) for b in broken[:40]))
    archive = out / f"{plan.id}-book.zip"
    write_zip(html, archive, f"{plan.id}-book")
    printing = time.perf_counter()
    try:
        guides = write_guides(plan, bank, load_catalog(), out, pdf=pdf)
    except PdfError as exc:
        raise SessionBuildError(f"the guide and handout PDFs could not be printed: {exc}") from exc
    return Built(html, archive, pages, time.perf_counter() - started, log, guides,
                 time.perf_counter() - printing if pdf else 0.0)


def check_out(out: Path, course_root: Path) -> Path:
    """Where a session may be built: outside the course's files, or in a folder of its own under _build/; a folder
    that holds anything but an earlier session build is refused (nothing is overwritten that is not ours)."""
    out = out.expanduser().resolve()
    root = course_root.resolve()
    build_dir = root / "_build"
    if out == root or root in out.parents:
        html = build_dir / "html"
        if out == build_dir or build_dir not in out.parents or out == html or html in out.parents:
            raise OutFolderError(f"--out {out} is inside the course's files: build a session outside the course "
                                    f"folder, or in a folder of its own under {build_dir} (e.g. "
                                    f"{build_dir}/sessions/ID)")
    if out.exists() and not out.is_dir():
        raise OutFolderError(f"--out {out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / "source" / SESSION_MANIFEST).is_file():
        raise OutFolderError(f"--out {out} is not empty and holds no earlier session build: choose an empty or new "
                                "folder (nothing in it is replaced)")
    return out

