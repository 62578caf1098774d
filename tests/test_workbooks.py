"""answers/ -> exercises/: the learner workbooks are current and hold no key or solution."""

from __future__ import annotations

import nbformat

from conftest import REPO
from nasams_course.content.loader import load_bank_or_raise
from nasams_course.workbooks import TRAINER_TAG, release, stale

ANSWERS, EXERCISES = REPO / "answers", REPO / "exercises"


def test_every_workbook_is_current():
    assert list(ANSWERS.glob("*.ipynb")), "there are trainer notebooks"
    assert stale(ANSWERS, EXERCISES) == []


def test_workbooks_contain_no_keys_or_solutions():
    bank = load_bank_or_raise(REPO)
    rationales = {o.rationale for q in bank.questions.values() for o in q.options}
    for path in EXERCISES.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        text = "\n".join(c.source for c in nb.cells)
        for cell in nb.cells:
            assert TRAINER_TAG not in cell.metadata.get("tags", []), path.name
            assert not cell.get("outputs"), f"{path.name}: outputs are cleared"
        for marker in ("key_table", "grade_file", "responses/", "credit", "violation"):
            assert marker not in text, f"{path.name} contains {marker!r}"
        assert not any(r in text for r in rationales), f"{path.name} quotes a rationale"
        assert "widgets" not in nb.metadata


def test_trainer_notebooks_grade_three_sample_learners():
    for path in ANSWERS.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        graded = [c for c in nb.cells if "grade_file(" in c.source]
        assert [k for k in ("strong", "weak", "critical") if any(f"-{k}.json" in c.source for c in graded)] == \
            ["strong", "weak", "critical"], path.name
        assert all(c.outputs for c in graded), f"{path.name}: stored outputs (nbval compares them)"
        assert (ANSWERS / "responses" / f"{path.stem}-critical.json").exists()


def test_release_drops_trainer_cells_and_outputs():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Key", metadata={"tags": [TRAINER_TAG]}),
        nbformat.v4.new_code_cell("quiz('q')", outputs=[nbformat.v4.new_output("stream", text="x")], execution_count=3),
    ])
    out = release(nb)
    assert [c.source for c in out.cells] == ["quiz('q')"]
    assert out.cells[0].outputs == [] and out.cells[0].execution_count is None
