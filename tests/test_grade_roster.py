"""`nasams-course grade` for people: a roster (one aligned line per file), each learner's detail on request, the
scope (--scope session|chapter|all), one stable --json shape, and exit statuses 0, 1 and 2."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

from conftest import REPO
from nasams_course import cli
from nasams_course.content.loader import course_bank
from nasams_course.grading import grade
from nasams_course.grading.calibration import percent
from nasams_course.grading.levels import PASSING, level_for
from nasams_course.responses import read_responses
from nasams_course.trainer import critical_answer, keyed_answer, weak_answer
from nasams_course.training.syllabus import load_syllabus

BANK = course_bank()
SYLLABUS = REPO / "syllabi" / "confidentiality-and-victims.yml"
PLAN = load_syllabus(SYLLABUS, BANK).plan
CHAPTERS = list(BANK.chapters)


def questions_of(*chapters: str) -> list:
    return [q for qid, q in BANK.questions.items() if BANK.chapter_of[qid] in chapters]


def write(path: Path, learner: str, entries: list, **extra) -> Path:
    path.write_text(json.dumps({"schema": "nasams-course/responses@2", "learner": learner, "responses": entries,
                                **extra}, ensure_ascii=False), encoding="utf-8")
    return path


def entry(q, answer, minute: int = 0, **extra) -> dict:
    return {"question": q.id, "answer": answer, "at": f"2026-11-02T10:{minute:02d}:00Z", **extra}


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    """Ana answers everything as keyed (complete); Bo one chapter, weakly, with a critical error; 陳美玲 two chapters,
    wrong first and keyed next; broken.json is not JSON; skip.json has an entry for no question of the course."""
    bo_chapter = questions_of(CHAPTERS[3])
    critical = next(q for q in bo_chapter if critical_answer(q) is not None)
    two = questions_of(CHAPTERS[1], CHAPTERS[6])
    out = {
        "ana": write(tmp_path / "ana.json", "Ana Ruiz", [entry(q, keyed_answer(q)) for q in BANK.questions.values()]),
        "bo": write(tmp_path / "bo.json", "Bo", [entry(q, critical_answer(q) if q is critical else weak_answer(q))
                                                  for q in bo_chapter]),
        "chen": write(tmp_path / "chen-two-chapters.json", "陳美玲 (Chen)",
                      [entry(q, weak_answer(q), 1, certainty=3) for q in two]
                      + [entry(q, keyed_answer(q), 2, certainty=1) for q in two],
                      self_ratings=[{"provision": two[0].provisions[0], "stage": "before", "rating": 4,
                                     "at": "2026-11-02T09:00:00Z"}]),
        "broken": tmp_path / "broken.json",
        "skip": write(tmp_path / "skip.json", "Skip", [entry(two[0], keyed_answer(two[0])),
                                                        {"question": "q-nowhere", "answer": "a",
                                                         "at": "2026-11-02T10:00:00Z"}]),
    }
    out["broken"].write_text("{not json")
    return out


def run(capsys, *args) -> tuple[int, str, str]:
    code = cli.main(["--root", str(REPO), "grade", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def width(text: str) -> int:
    """Terminal columns: an East Asian wide character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def expected_cells(path: Path, questions: dict) -> list[str]:
    """The roster's cells for a file, from the reference grader: answered/total, first attempt, final, level,
    critical errors, complete (or why not)."""
    rs = read_responses(path, BANK.questions)
    r = grade(questions, [a for a in rs.attempts if a.question in questions], learner=rs.learner, ratings=rs.ratings)
    answered = sum(1 for i in r.items if not i.unanswered)
    why = [(sum(1 for p in r.provisions if p.score is None), "provision not attempted", "provisions not attempted"),
           (sum(1 for d in r.domains if d.level not in PASSING), "domain below Proficient", "domains below Proficient"),
           (sum(1 for p in r.provisions if p.critical), "provision with a critical error",
            "provisions with a critical error")]
    return [f"{answered}/{len(questions)}", f"{percent(r.first_score)}%", f"{percent(r.score)}%",
            level_for(r.score), str(sum(1 for i in r.items if i.critical)),
            "yes" if r.complete else "no: " + ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in why if n)]


def test_the_roster_has_one_aligned_line_per_file_with_its_figures(files, capsys):
    order = ["ana", "bo", "chen", "broken", "skip"]
    code, out, _err = run(capsys, *(files[k] for k in order))
    assert code == 1  # a file refused, an entry skipped: the others are graded all the same
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("file "))
    assert lines[header].split("  ")[0] == "file" and re.sub(r"\s{2,}", "|", lines[header]) == \
        "file|learner|answered|first attempt|final|level|critical errors|complete"
    rows = lines[header + 1: header + 1 + len(order)]
    assert [row.split(" ", 1)[0] for row in rows] == [str(files[k]) for k in order]
    graded = {k: row for k, row in zip(order, rows, strict=True) if k != "broken"}
    ends = {}  # where each right-aligned figure ends, in terminal columns
    for key, row in graded.items():
        cells = expected_cells(files[key], BANK.questions)
        learner = read_responses(files[key], BANK.questions).learner
        assert learner in row
        found = re.search(r"(\d+/\d+)\s+(\d+%)\s+(\d+%)\s+(\w+)\s+(\d+)\s+(yes|no: .*)$", row)
        assert list(found.groups()) == cells, key
        ends[key] = [width(row[: found.end(g)]) for g in (1, 2, 3, 5)]
        assert width(row[: row.index(learner)]) == width(lines[header][: lines[header].index("learner")])
    assert len({tuple(e) for e in ends.values()}) == 1  # the figures line up, whatever the width of the names
    head = lines[header]
    assert ends["ana"] == [width(head[: head.index(name) + len(name)])
                           for name in ("answered", "first attempt", "final", "critical errors")]
    assert graded["ana"].endswith("  yes") and "152/152" in graded["ana"]
    assert "critical error" in graded["bo"].split("no: ")[1] and " 1  no: " in graded["bo"]
    broken = rows[order.index("broken")]
    assert broken.startswith(f"{files['broken']}  ") and "refused: not valid JSON (" in broken
    assert broken.count(str(files["broken"])) == 1
    assert width(broken[: broken.index("refused:")]) == width(head[: head.index("learner")])
    assert "detail" in out.splitlines()[-1]  # the roster alone, and how to ask for more
    assert "Provisions" not in out and "Calibration" not in out


def test_detail_follows_the_roster_with_every_problem_and_no_nan_or_raw_decimals(files, capsys):
    code, out, err = run(capsys, *files.values(), "--detail")
    assert code == 1
    roster, detail = out.split("\nFile: ", 1)
    assert roster.count(str(files["ana"])) == 1 and "Calibration" not in roster
    for path in files.values():
        assert f"File: {path}" in out
    assert "Refused:\n- " + f"{files['broken']}: not valid JSON" in out
    assert "Skipped:\n- " + f"{files['skip']}: responses[1] (question 'q-nowhere'): unknown question" in out
    chen = len(json.loads(files["chen"].read_text())["responses"]) // 2
    assert f"Calibration: {chen} first attempts with a stated certainty" in out
    assert "Self-ratings (1 not yet ready" in out and "Critical error on " in out
    assert not re.search(r"\bnan\b", out + err, re.IGNORECASE)
    for line in out.splitlines():
        if not line.startswith(("Calibration:", "Critical error on ")):  # a mark from −6 to 3; a rationale's words
            assert not re.search(r"\d\.\d", line), line
    assert re.search(r"\b\d+%", detail)


def test_json_never_holds_nan(files, capsys):
    """A score that does not exist is null: NaN is not JSON, and the browser's JSON.parse refuses it."""
    _code, out, _err = run(capsys, *files.values(), "--json")

    def refuse(constant):
        raise AssertionError(f"{constant} in grade --json")

    data = json.loads(out, parse_constant=refuse)
    assert any(p["score"] is None for d in data if d["report"] for p in d["report"]["provisions"])


@pytest.mark.parametrize("key", ["bo", "chen"])
def test_scope_chapter_measures_each_file_on_the_chapters_it_answered(files, capsys, key):
    answered = {e["question"] for e in json.loads(files[key].read_text())["responses"]}
    chapters = {BANK.chapter_of[q] for q in answered}
    scope = {qid: q for qid, q in BANK.questions.items() if BANK.chapter_of[qid] in chapters}
    code, out, _err = run(capsys, files[key], files["ana"], "--scope", "chapter", "--json")
    assert code == 0
    mine, ana = json.loads(out)
    assert len(mine["report"]["items"]) == len(scope) == len(answered)
    assert [p["id"] for p in mine["report"]["provisions"]] == \
        [p.id for p in grade(scope, []).provisions]  # the chapters' provisions, no other
    assert len(ana["report"]["items"]) == len(BANK.questions)  # Ana answered every chapter
    code, out, _err = run(capsys, files[key], "--scope", "chapter")
    assert f"{len(answered)}/{len(scope)}" in out and "chapters each file answered" in out
    code, out, _err = run(capsys, files[key])  # the default: the whole course
    assert f"{len(answered)}/{len(BANK.questions)}" in out and "the whole course (152 questions)" in out


def test_scope_session_is_the_default_with_a_session_and_chapter_narrows_it(files, capsys, tmp_path):
    first = PLAN.blocks[0]
    path = write(tmp_path / "session.json", "Sam", [entry(BANK.questions[q], keyed_answer(BANK.questions[q]))
                                                    for q in first.questions], session=PLAN.id)
    code, out, _err = run(capsys, path, "--session", SYLLABUS)
    assert code == 0 and f"{len(first.questions)}/{len(PLAN.questions)}" in out and f"session: {PLAN.id}" in out
    code, out, _err = run(capsys, path, "--session", SYLLABUS, "--scope", "chapter", "--json")
    [graded] = json.loads(out)
    assert [i["question"] for i in graded["report"]["items"]] == list(first.questions)
    assert graded["session"] == PLAN.id and graded["report"]["complete"] is True
    code, out, _err = run(capsys, path, "--session", SYLLABUS, "--scope", "chapter")
    assert f"{len(first.questions)}/{len(first.questions)}" in out and f"session {PLAN.id}'s chapters" in out


@pytest.mark.parametrize(("args", "message"), [
    (["--scope", "session"], "--scope session needs --session SYLLABUS.yml"),
    (["--scope", "all", "--session", str(SYLLABUS)], "--scope all grades against the whole course"),
    (["--json", "--detail"], "--detail is for the text report"),
    (["--session", "no-such-syllabus.yml"], "no-such-syllabus.yml"),
])
def test_options_that_do_not_go_together_are_one_line_and_status_2(files, capsys, args, message):
    code, out, err = run(capsys, files["ana"], *args)
    assert code == 2 and out == ""
    assert err.startswith("nasams-course: ") and message in err
    if "syllabus" not in message:
        assert len(err.strip().splitlines()) == 1


def test_an_unknown_scope_is_a_usage_error(files, capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["--root", str(REPO), "grade", str(files["ana"]), "--scope", "everything"])
    assert stop.value.code == 2 and "invalid choice: 'everything'" in capsys.readouterr().err


def test_json_is_one_object_per_file_in_order_even_for_a_refused_one(files, capsys):
    order = ["broken", "ana", "skip"]
    code, out, err = run(capsys, *(files[k] for k in order), "--json")
    assert code == 1 and f"{files['broken']}: not valid JSON" in err
    data = json.loads(out)
    assert [set(d) for d in data] == [{"file", "learner", "session", "problems", "report"}] * 3
    assert [d["file"] for d in data] == [str(files[k]) for k in order]
    broken, ana, skip = data
    assert broken["report"] is None and broken["learner"] is None and len(broken["problems"]) == 1
    assert broken["problems"][0].startswith(f"{files['broken']}: not valid JSON (")
    rs = read_responses(files["ana"], BANK.questions)
    assert ana == {"file": str(files["ana"]), "learner": "Ana Ruiz", "session": None, "problems": [],
                   "report": grade(BANK.questions, rs.attempts, learner="Ana Ruiz").to_json()}
    assert skip["problems"] == skip["report"]["problems"] == [
        f"{files['skip']}: responses[1] (question 'q-nowhere'): unknown question"]


def test_exit_status_0_when_every_file_is_graded(files, capsys):
    assert run(capsys, files["ana"], files["bo"], files["chen"])[0] == 0
    assert run(capsys, files["ana"], files["broken"])[0] == 1
    assert run(capsys, files["skip"])[0] == 1


def test_help_and_readme_give_the_exit_statuses(capsys):
    with pytest.raises(SystemExit):
        cli.main(["grade", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "Exit status: 0 every file graded; 1 some file was refused" in text
    assert "2 the command could not run as asked" in text and "--scope {session,chapter,all}" in text
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    assert "`grade` exits 0 when every file was graded, 1 when a file was refused" in readme


def test_scopes_that_do_not_go_with_the_options_are_refused_in_these_words(files, capsys):
    from nasams_course.training.roster import ScopeError, scope_for

    assert run(capsys, files["ana"], "--scope", "session")[2] == \
        "nasams-course: --scope session needs --session SYLLABUS.yml\n"
    assert run(capsys, files["ana"], "--scope", "all", "--session", SYLLABUS)[2] == (
        "nasams-course: --scope all grades against the whole course: leave out --session, or use --scope session or "
        "chapter\n")
    with pytest.raises(ScopeError) as refused:  # the command line's choices stop it first; a caller of the function
        scope_for("everything", False)
    assert str(refused.value) == "unknown scope 'everything' (scopes: session, chapter, all)"


def test_grade_files_grades_on_the_scope_and_session_it_is_given(files, tmp_path):
    """`roster.grade_files`, the list form of what `grade` prints: Bo's file on the chapter he answered, and a
    session's file on the session's questions."""
    from nasams_course.training.roster import grade_files

    [bo] = grade_files([files["bo"]], BANK, "chapter")
    assert bo.roster.total == len(questions_of(CHAPTERS[3])) < len(BANK.questions)
    first = PLAN.blocks[0]
    path = write(tmp_path / "session.json", "Sam", [entry(BANK.questions[q], keyed_answer(BANK.questions[q]))
                                                    for q in first.questions], session=PLAN.id)
    [sam] = grade_files([path], BANK, "session", PLAN)
    assert {i["question"] for i in sam.report()["items"]} <= set(PLAN.questions) and sam.session == PLAN.id
    assert sam.roster.answered == len(first.questions) and sam.roster.total == len(PLAN.questions)
