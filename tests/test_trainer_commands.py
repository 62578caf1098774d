"""Trainer commands that read well: `questions` filters and --text, unknown ids as one line naming the valid ones,
and `new-trainer-notebook` writing only where it is told."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import nbformat
import pytest

from conftest import REPO
from nasams_course.catalog import load_catalog
from nasams_course.cli import main
from nasams_course.content import load_bank_or_raise

BANK = load_bank_or_raise(REPO)
CHAPTERS = list(BANK.chapters)
PROVISIONS = list(load_catalog().ids)


def run(*args, cwd=None):
    """The command as a trainer runs it, in its own process."""
    return subprocess.run([sys.executable, "-m", "nasams_course", *args], capture_output=True, text=True, cwd=cwd)


@pytest.fixture
def cli(capsys, monkeypatch, tmp_path):
    """The command run in this process (faster), in an empty current folder: (exit status, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)

    def call(*args):
        status = main(list(args))
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, status, out, err)
    return call


def listed(text: str) -> list[str]:
    """The question ids a `questions` listing prints, in order: the lines that start with an id."""
    return [line.split()[0] for line in text.splitlines() if line[:1].isalnum()]


def flat(text: str) -> str:
    return " ".join(text.split())


# -- questions: filters -------------------------------------------------------------------------------------------

def in_chapters(*chapters):
    return [q.id for q in BANK.questions.values() if BANK.chapter_of[q.id] in chapters]


def assessing(*provisions):
    return [q.id for q in BANK.questions.values() if set(provisions) & set(q.provisions)]


@pytest.mark.parametrize(("args", "expected"), [
    (("--chapter", "honesty"), in_chapters("honesty")),
    (("--chapter", "honesty", "--chapter", "victims-and-privilege"), in_chapters("honesty", "victims-and-privilege")),
    (("--provision", "S5"), assessing("S5")),
    (("--provision", "S5", "--provision", "U7"), assessing("S5", "U7")),
    (("--chapter", "capital-case", "--provision", "S5"),
     [q for q in in_chapters("capital-case") if q in assessing("S5")]),
])
def test_questions_filters_by_chapter_and_provision(cli, args, expected):
    assert expected and len(expected) < len(BANK.questions)  # a filter that keeps some and drops others
    for extra in ((), ("--text",)):
        out = cli("questions", *args, *extra)
        assert out.returncode == 0, out.stderr
        assert listed(out.stdout) == expected
    assert [q["id"] for q in json.loads(cli("questions", *args, "--json").stdout)["questions"]] == expected


def test_chapter_and_provision_filters_must_both_match():
    both = [q for q in in_chapters("capital-case") if q in assessing("S5")]
    assert both != in_chapters("capital-case") and both != assessing("S5")


def test_questions_with_no_match_says_so(cli):
    honesty_provisions = {p for q in BANK.questions_in_chapter("honesty") for p in q.provisions}
    absent = next(p for p in PROVISIONS if p not in honesty_provisions)
    out = cli("questions", "--chapter", "honesty", "--provision", absent)
    assert out.returncode == 0 and out.stdout == ""
    assert out.stderr.strip() == "nasams-course: no question matches these filters"


# -- questions --text: stems and options, no key --------------------------------------------------------------------

def test_questions_text_prints_each_question_as_a_learner_reads_it(cli):
    out = cli("questions", "--chapter", "honesty", "--text")
    assert out.returncode == 0, out.stderr
    questions = BANK.questions_in_chapter("honesty")
    assert {q.kind for q in questions} == {"single", "multi", "rate", "order"} and any(q.vignette for q in questions)
    expected = []
    for q in questions:
        case = f"Case: {BANK.vignettes[q.vignette].title} ({q.vignette})" if q.vignette else ""
        options = " ".join(f"- {o.id}: {o.text}" for o in q.options)
        # one block each: id, kind, chapter, provisions, then the case, the stem and every option in the order shown;
        # nothing else (no key, no rationale)
        expected.append(flat(f"{q.id} [{q.kind}] chapter honesty · provisions {', '.join(q.provisions)} {case} "
                             f"{q.stem} {options}"))
    assert [flat(block) for block in out.stdout.split("\n\n") if block.strip()] == expected
    assert all(len(line) <= 100 for line in out.stdout.splitlines() if " " in line.strip())  # wrapped to read


def test_questions_text_shows_no_key(cli):
    out = cli("questions", "--text").stdout
    assert len(listed(out)) == len(BANK.questions)
    key_line = re.compile(r": (credit [\d.]+|correct|incorrect|key \d|step \d+)( |$)|VIOLATION", re.MULTILINE)
    assert key_line.search(cli("questions").stdout)  # the pattern finds the keys where they are
    assert not key_line.search(out)
    rationales = {o.rationale for q in BANK.questions.values() for o in q.options}
    assert not [r for r in rationales if flat(r) in flat(out)]


def test_questions_text_and_json_are_one_or_the_other(cli):
    out = cli("questions", "--text", "--json")
    assert out.returncode == 2 and out.stdout == "" and out.stderr.count("\n") == 1
    assert "choose one" in out.stderr


def test_questions_help_says_where_the_keys_are():
    out = run("questions", "--help").stdout
    assert "no key" in flat(out) and "keys are in this command's default listing and in --json" in flat(out)


# -- unknown ids: one line naming every valid one, exit 2, in every command that takes them ------------------------

UNKNOWN = [
    (("questions", "--chapter", "nope"), "chapter", "nope"),
    (("questions", "--chapter", "honesty", "--chapter", "nope", "--text"), "chapter", "nope"),
    (("questions", "--provision", "X9"), "provision", "X9"),
    (("questions", "--provision", "S5", "--provision", "s5", "--json"), "provision", "s5"),
    (("items", "x.json", "--chapter", "nope"), "chapter", "nope"),
    (("new-trainer-notebook", "x", "--title", "T", "--chapter", "nope"), "chapter", "nope"),
]


@pytest.mark.parametrize(("args", "kind", "unknown"), UNKNOWN)
def test_an_unknown_id_is_one_line_naming_the_valid_ones(cli, tmp_path, args, kind, unknown):
    out = cli(*args)
    assert out.returncode == 2 and out.stdout == ""
    valid = CHAPTERS if kind == "chapter" else PROVISIONS
    assert out.stderr == f"nasams-course: unknown {kind}(s): {unknown} ({kind}s: {', '.join(valid)})\n"
    assert not list(tmp_path.iterdir())  # nothing written


def test_the_unknown_id_message_is_one_helper():
    from nasams_course.catalog import UnknownIdError, require_known
    from nasams_course.content.models import UnknownChapterError

    with pytest.raises(UnknownIdError, match=r"^unknown provision\(s\): X9, Y1 \(provisions: E1, E2, "):
        load_catalog().require_provisions(["E1", "X9", "Y1", "X9"])
    with pytest.raises(UnknownChapterError, match=r"^unknown chapter\(s\): nope \(chapters: "):
        BANK.require_chapters(["honesty", "nope"])
    require_known("thing", ["a"], ["a", "b"])  # known ids pass


# -- new-trainer-notebook: a plain name, a folder you name, nothing replaced without --force ------------------------

@pytest.mark.parametrize("name", ["../evil", "a/b", "/tmp/evil", "..", "a\\b"])
def test_new_trainer_notebook_refuses_names_that_are_paths(cli, tmp_path, name):
    out = cli("new-trainer-notebook", name, "--title", "T", "--chapter", "honesty")
    assert out.returncode == 2 and out.stderr.count("\n") == 1
    assert f"the notebook name {name!r} is a path" in out.stderr
    assert not list(tmp_path.iterdir()) and not (tmp_path.parent / "evil.ipynb").exists()
    assert not list((REPO / "answers").glob("*evil*")) and not (REPO / "trainer-notebooks").exists()


def test_an_unknown_provision_is_refused_by_the_installed_command_without_a_traceback():
    out = run("questions", "--provision", "X9", "--text")
    assert out.returncode == 2 and out.stdout == "" and out.stderr.count("\n") == 1
    assert out.stderr.startswith("nasams-course: unknown provision(s): X9 (provisions: E1, E2, E3, E4a, ")


def test_new_trainer_notebook_refuses_a_file_as_its_folder(cli, tmp_path):
    (tmp_path / "notes").write_text("mine")
    out = cli("new-trainer-notebook", "x", "--title", "T", "--chapter", "honesty", "--out", "notes")
    assert out.returncode == 2 and "notes is a file, not a folder" in out.stderr and "Traceback" not in out.stderr
    assert (tmp_path / "notes").read_text() == "mine"
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "responses").write_text("mine")
    out = cli("new-trainer-notebook", "x", "--title", "T", "--chapter", "honesty", "--out", "folder")
    assert out.returncode == 2 and out.stderr == "nasams-course: cannot make the folder folder/responses: File exists\n"
    assert sorted(p.name for p in (tmp_path / "folder").iterdir()) == ["responses"]


def test_new_trainer_notebook_keeps_an_existing_sample_response_without_force(cli, tmp_path):
    responses = tmp_path / "trainer-notebooks" / "responses"
    responses.mkdir(parents=True)
    (responses / "ce-weak.json").write_text("mine")
    out = cli("new-trainer-notebook", "ce", "--title", "T", "--chapter", "honesty")
    assert out.returncode == 2 and "ce-weak.json exists (use --force" in out.stderr
    assert (responses / "ce-weak.json").read_text() == "mine"
    assert not (tmp_path / "trainer-notebooks" / "ce.ipynb").exists()


def answers_now() -> dict[str, int]:
    return {str(p.relative_to(REPO)): p.stat().st_mtime_ns for p in (REPO / "answers").rglob("*")}


def test_new_trainer_notebook_writes_under_its_folder_not_answers(tmp_path):
    before = answers_now()
    folder = tmp_path / "trainer-notebooks"
    folder.mkdir()
    (folder / "ce.ipynb").write_text("an older notebook")
    kept = run("new-trainer-notebook", "ce", "--title", "CE seminar", "--chapter", "honesty", cwd=tmp_path)
    assert kept.returncode == 2 and kept.stderr.startswith("nasams-course: trainer-notebooks/ce.ipynb exists")
    assert (folder / "ce.ipynb").read_text() == "an older notebook"

    out = run("new-trainer-notebook", "ce", "--title", "CE seminar", "--chapter", "honesty", "--force", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert answers_now() == before, "nothing in the course's answers/ is written"
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == [
        "trainer-notebooks/ce.ipynb", "trainer-notebooks/responses/ce-critical.json",
        "trainer-notebooks/responses/ce-strong.json", "trainer-notebooks/responses/ce-weak.json"]
    nb = nbformat.read(folder / "ce.ipynb", as_version=4)
    assert "CHAPTERS = ['honesty']" in nb.cells[2].source
    graded = [c for c in nb.cells if "grade_file(" in c.source]
    assert len(graded) == 3 and all(c.outputs for c in graded)  # ran in its folder, beside responses/
    assert "exercises/" not in nb.cells[0].source and "make answers" not in nb.cells[0].source
    assert "make workbooks" not in out.stdout
