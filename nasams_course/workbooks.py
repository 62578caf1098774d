"""answers/ -> exercises/: the learner workbook is the trainer notebook with every key and solution removed.

Cells tagged `trainer` are dropped; outputs, execution counts and widget state are cleared.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

TRAINER_TAG = "trainer"


def release(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The learner version of a trainer notebook."""
    out = nbformat.v4.new_notebook(metadata={k: v for k, v in notebook.metadata.items() if k != "widgets"})
    for cell in notebook.cells:
        if TRAINER_TAG in cell.get("metadata", {}).get("tags", []):
            continue
        metadata = {k: v for k, v in cell.metadata.items() if k != "execution"}
        if cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(cell.source, metadata=metadata)
        else:
            new = nbformat.v4.new_markdown_cell(cell.source, metadata=metadata)
        new.pop("id", None)
        out.cells.append(new)
    for i, cell in enumerate(out.cells):
        cell["id"] = f"cell-{i}"
    return out


def release_text(path: Path) -> str:
    """The learner workbook for one trainer notebook, as the exact text written to exercises/."""
    nb = nbformat.read(path, as_version=4)
    return nbformat.writes(release(nb)) + "\n"


def release_all(answers: Path, exercises: Path) -> list[Path]:
    """Regenerate every workbook in exercises/ from answers/."""
    exercises.mkdir(exist_ok=True)
    written = []
    for src in sorted(answers.glob("*.ipynb")):
        dest = exercises / src.name
        dest.write_text(release_text(src), encoding="utf-8")
        written.append(dest)
    return written


def stale(answers: Path, exercises: Path) -> list[str]:
    """Workbooks that are missing, out of date, or have no trainer notebook."""
    problems = []
    sources = {p.name for p in answers.glob("*.ipynb")}
    for name in sorted(sources):
        dest = exercises / name
        if not dest.exists():
            problems.append(f"exercises/{name}: missing (run `make workbooks`)")
        elif dest.read_text(encoding="utf-8") != release_text(answers / name):
            problems.append(f"exercises/{name}: out of date with answers/{name} (run `make workbooks`)")
    for extra in sorted({p.name for p in exercises.glob("*.ipynb")} - sources):
        problems.append(f"exercises/{extra}: has no trainer notebook in answers/")
    return problems


def _code(source: str, *tags: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(source, metadata={"tags": list(tags)} if tags else {})


def _md(source: str, *tags: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(source, metadata={"tags": list(tags)} if tags else {})


#: what a trainer notebook's first cell says about its learner workbook: in the course's answers/, or elsewhere
WORKBOOK_NOTE = {
    True: "Cells tagged `trainer` (this one included) are removed from the learner workbook in `exercises/`; after "
          "editing this notebook run `make answers` to re-run it and regenerate the workbook.",
    False: "Cells tagged `trainer` (this one included) hold the keys and the sample learners: remove them before you "
           "give this notebook to learners. After editing it, run it again (Run All).",
}


def trainer_notebook(title: str, name: str, chapters: list[str], bank, in_course: bool = True) -> nbformat.NotebookNode:
    """A new trainer notebook for some chapters: keys, graded sample learners, and the learner's quizzes.
    `in_course`: it is one of the course's notebooks in answers/, from which `make workbooks` makes exercises/."""
    cells = [
        _md(f"# Trainer notebook: {title}\n\nThe answer key for these chapters, with rationales, and three sample "
            f"learners graded with the course rubric. {WORKBOOK_NOTE[in_course]}", TRAINER_TAG),
        _md(f"# Workbook: {title}\n\nRead each case, answer its questions and press **Submit**: each answer is "
            "scored at once, with the reasoning for every option. You can answer again: your latest answer counts, "
            "and your first attempt is kept beside it. "
            "At the end, **Your profile** shows your provision and domain levels; run "
            "`SESSION.save('my-responses.json', learner='Your Name')` to save a response file for your trainer."),
        _code("from nasams_course.notebook import SESSION, chapter_intro, my_domains, my_profile, quiz, vignette\n"
              "from nasams_course.trainer import scope\n\n"
              f"CHAPTERS = {chapters!r}\nQUESTIONS = list(scope(CHAPTERS))\nlen(QUESTIONS)"),
        _code("import pandas as pd\n\nfrom nasams_course import trainer\n\n"
              "pd.set_option('display.max_colwidth', 80)\npd.set_option('display.max_rows', 500)\n"
              "trainer.key_table(CHAPTERS)", TRAINER_TAG),
        _md("## Sample learners\n\nThree generated response files in `responses/` beside this notebook: a strong "
            "learner (two small slips), a weak learner, and a strong learner who made one critical error. Each is "
            "graded against these chapters only.", TRAINER_TAG),
    ]
    for kind in ("strong", "weak", "critical"):
        cells.append(_code(f"trainer.grade_file('responses/{name}-{kind}.json', CHAPTERS)", TRAINER_TAG))
    for cid in chapters:
        ch = bank.chapters[cid]
        cells.append(_md(f"## {ch.title}"))
        cells.append(_code(f"chapter_intro({cid!r})"))
        shown = set()
        for v in bank.vignettes_in_chapter(cid):
            questions = bank.questions_of_vignette(v.id)
            cells.append(_md(f"### {v.title}"))
            cells.append(_code(f"vignette({v.id!r})"))
            for q in questions:
                cells.append(_code(f"quiz({q.id!r})", "nbval-ignore-output"))
                shown.add(q.id)
        rest = [q for q in bank.questions_in_chapter(cid) if q.id not in shown]
        if rest:
            cells.append(_md("### Check your understanding"))
            cells += [_code(f"quiz({q.id!r})", "nbval-ignore-output") for q in rest]
    cells += [_md("## Your profile\n\nProvisions of these chapters, with your score and level so far."),
              _code("my_profile(QUESTIONS)"), _code("my_domains(QUESTIONS)")]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{name}-{i}"
    return nb


def notebook_chapters(path: Path) -> list[str]:
    """The chapters a trainer notebook covers: its `CHAPTERS = [...]` line (empty if it has none)."""
    import ast
    import re

    for cell in nbformat.read(path, as_version=4).cells:
        m = re.search(r"^CHAPTERS = (\[.*?\])$", cell.source, re.MULTILINE)
        if cell.cell_type == "code" and m:
            return list(ast.literal_eval(m.group(1)))
    return []


def execute(path: Path, timeout: int = 300) -> None:
    """Run a notebook in its own folder and store its outputs."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:  # no timing noise; quiz widgets are live only in a kernel, so their outputs are not kept
        cell.metadata.pop("execution", None)
        if "nbval-ignore-output" in cell.get("metadata", {}).get("tags", []):
            cell.outputs = []
    nbformat.write(nb, path)
