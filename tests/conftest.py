"""Shared fixtures: a scratch course root built from named scenarios, and the golden files."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import settings
from pydantic import TypeAdapter

from nasams_course.content.models import Question

GOLDEN = Path(__file__).parent / "golden"
REPO = Path(__file__).resolve().parents[1]

#: Hypothesis profiles, chosen by HYPOTHESIS_PROFILE: "default" (make test), or "mutate" (make mutate: every mutant
#: re-runs the properties that reach it, so each runs a few examples, the same ones every time, and nothing is kept
#: between mutants)
MUTATE_EXAMPLES = 8
settings.register_profile("mutate", max_examples=MUTATE_EXAMPLES, derandomize=True, database=None, deadline=None,
                          print_blob=False)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "default")
settings.load_profile(PROFILE)


def examples(n: int, mutate: int = MUTATE_EXAMPLES) -> int:
    """A property's number of examples: n, or under the mutate profile at most `mutate` (a test's own max_examples
    would override the profile, so properties that set theirs say max_examples=examples(n))."""
    return min(n, mutate) if PROFILE == "mutate" else n


def golden(name: str) -> dict:
    return json.loads((GOLDEN / name).read_text(encoding="utf-8"))


def golden_questions() -> dict[str, Question]:
    adapter = TypeAdapter(Question)
    return {q["id"]: adapter.validate_python(q) for q in golden("questions.json")["questions"]}


class Course:
    """A minimal course root in a temporary folder, with one chapter `ch` in book/part/."""

    def __init__(self, root: Path):
        self.root = root
        (root / "_toc.yml").write_text("format: jb-book\nroot: book/part/ch\n")
        self.chapter = root / "book" / "part" / "ch"
        (self.chapter / "vignettes").mkdir(parents=True)
        (self.chapter / "questions").mkdir()
        self.page = root / "book" / "part" / "ch.md"
        self.write("chapter.yml", """
            id: ch
            title: A chapter
            part: standards
            provisions: [S5, S16, E6]
            minutes: 25
            objectives: [Do the right thing.]
        """)
        self.write("vignettes/v-one.yml", """
            id: v-one
            title: One
            setting: capital
            narrative: Something happens.
            provisions: [S5]
            discussion: ['What now?']
        """)
        self.write("questions/q-single.yml", """
            id: q-single
            vignette: v-one
            kind: single
            stem: What should the specialist do?
            provisions: [S5]
            options:
              - {id: a, text: Ask counsel first, credit: 1, rationale: Consent first (S5).}
              - {id: b, text: Talk now, credit: 0, violation: [S5], rationale: Breaches S5.}
              - {id: c, text: Wait, credit: 0.5, rationale: Partly (S5).}
        """)

        self.show_all()

    def show_all(self) -> None:
        """Write the chapter page so that it shows every vignette and question in the chapter folder, once."""
        cells = [f'vignette("{p.stem}")' for p in sorted((self.chapter / "vignettes").glob("*.yml"))]
        cells += [f'quiz("{p.stem}")' for p in sorted((self.chapter / "questions").glob("*.yml"))]
        self.page.write_text("# Chapter\n\n" + "".join(f"```{{code-cell}} ipython3\n{c}\n```\n\n" for c in cells),
                             encoding="utf-8")

    def write(self, rel: str, text: str) -> Path:
        path = self.chapter / rel
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path


@pytest.fixture
def course(tmp_path: Path) -> Course:
    return Course(tmp_path)


#: the example syllabi, in syllabi/: a practice seminar and a sealed assessment
EXAMPLE_SESSIONS = ("confidentiality-and-victims", "part1-assessment")


@pytest.fixture(scope="session")
def session_build(tmp_path_factory):
    """`session_build(name)` -> (out folder, the build's --json result): each example syllabus is built once per test
    run, by the command line, and shared by every test that reads it. The guide and handout PDFs are printed when
    Chromium is installed (the browser tests need it anyway); without it the build is run with --no-pdf."""
    built: dict[str, tuple[Path, dict]] = {}

    def get(name: str) -> tuple[Path, dict]:
        if name not in built:
            out = tmp_path_factory.mktemp(name)
            pdf = [] if shutil.which("chromium") or shutil.which("chromium-browser") else ["--no-pdf"]
            run = subprocess.run([sys.executable, "-m", "nasams_course", "--root", str(REPO), "session", "build",
                                  str(REPO / "syllabi" / f"{name}.yml"), "--out", str(out), "--json", *pdf],
                                 capture_output=True, text=True, timeout=600)
            assert run.returncode == 0, run.stderr[-3000:]
            built[name] = out, json.loads(run.stdout)
        return built[name]

    return get


def pytest_collection_modifyitems(config, items):
    """Under the mutate profile, the quickest tests first (their times from mutmut's first run of the suite): each
    mutant stops at its first failing test, so a mutant is killed sooner."""
    stats = REPO / "mutants" / "mutmut-stats.json" if REPO.name != "mutants" else REPO / "mutmut-stats.json"
    if PROFILE != "mutate" or not stats.exists():
        return
    seconds = json.loads(stats.read_text(encoding="utf-8")).get("duration_by_test", {})
    # the PDF tests stay last and in their order: one of them holds Chromium open for the tests after it
    items.sort(key=lambda item: (1, 0.0) if item.get_closest_marker("pdf") else (0, seconds.get(item.nodeid, 0.0)))


def shared_scope(fixture_name: str, config) -> str:
    """A fixture shared by a module's tests, except under the mutate profile: there each test builds its own, so that
    mutmut sees every test that reads it reach the code it builds with (and runs those tests for its mutants)."""
    return "function" if PROFILE == "mutate" else "module"


def run(*args, cwd=None) -> subprocess.CompletedProcess:
    """`nasams-course ARGS` from `cwd`, run in this process (fast, and seen by `make mutate`): its exit status and
    what it printed. A traceback would fail the test that called it."""
    from nasams_course.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd or Path.cwd()), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(map(str, args)))
        except SystemExit as exc:  # argparse's usage errors
            code = 0 if exc.code is None else exc.code
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())
