"""Shared fixtures: a scratch course root built from named scenarios, and the golden files."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from nasams_course.content.models import Question

GOLDEN = Path(__file__).parent / "golden"
REPO = Path(__file__).resolve().parents[1]


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
