"""The book build fails loudly: on a failing notebook cell, on invalid content, and builds only the TOC."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO, Course

JUPYTER_BOOK = str(Path(sys.executable).with_name("jupyter-book"))
PAGE = """---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# A page

```{{code-cell}} ipython3
{code}
```
"""


def make_book(root: Path, code: str) -> None:
    shutil.copy(REPO / "_config.yml", root / "_config.yml")
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/part/ch\n")
    (root / "book" / "part").mkdir(parents=True, exist_ok=True)
    (root / "book" / "part" / "ch.md").write_text(PAGE.format(code=code))
    (root / "book" / "part" / "not-in-toc.md").write_text("# Not listed\n")


def build(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([JUPYTER_BOOK, "build", str(root), "-W", "-n", "--keep-going"],
                          capture_output=True, text=True, timeout=300)


def test_a_failing_cell_fails_the_build(tmp_path):
    make_book(tmp_path, "raise ValueError('boom')")
    out = build(tmp_path)
    assert out.returncode != 0
    assert "boom" in out.stdout + out.stderr


def test_invalid_content_fails_the_build_listing_every_problem(tmp_path):
    course = Course(tmp_path)
    course.write("questions/q-bad.yml", "id: q-bad\nkind: essay\n")
    make_book(tmp_path, "1 + 1")
    out = build(tmp_path)
    assert out.returncode != 0
    assert "book/part/ch/questions/q-bad.yml:kind: unknown kind 'essay'" in out.stdout + out.stderr


def test_a_good_book_builds_only_what_the_toc_lists(tmp_path):
    make_book(tmp_path, "1 + 1")
    out = build(tmp_path)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    html = tmp_path / "_build" / "html" / "book" / "part"
    assert (html / "ch.html").exists() and not (html / "not-in-toc.html").exists()


def test_editing_a_question_rebuilds_its_page(tmp_path):
    course = Course(tmp_path)
    code = "from nasams_course.notebook import quiz, vignette\nvignette('v-one')\nquiz('q-single')"
    make_book(tmp_path, code)
    (tmp_path / "book" / "part" / "ch.md").write_text(PAGE.format(code=code) + "\n## Summary\n")
    assert build(tmp_path).returncode == 0
    page = tmp_path / "_build" / "html" / "book" / "part" / "ch.html"
    assert "What should the specialist do?" in page.read_text()
    path = course.chapter / "questions" / "q-single.yml"
    path.write_text(path.read_text().replace("What should the specialist do?", "What should she do next?"))
    out = build(tmp_path)  # an incremental build: the page's source did not change, its content did
    assert out.returncode == 0
    assert "What should she do next?" in page.read_text()
