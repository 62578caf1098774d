"""Response files and the command line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import REPO, golden_questions, run
from nasams_course.grading import score_item
from nasams_course.responses import ResponseFileError, parse_responses

QS = golden_questions()


def file_with(*entries, schema="nasams-course/responses@2"):
    return {"schema": schema, "learner": "Ana", "responses": list(entries)}


def test_good_entries_grade_and_bad_entries_are_named():
    data = file_with(
        {"question": "g-single", "answer": "a", "at": "2026-03-01T10:00:00Z"},
        {"question": "g-nowhere", "answer": "a", "at": "2026-03-01T10:00:00Z"},
        {"question": "g-multi", "answer": "a", "at": "2026-03-01T10:00:00Z"},
        {"question": "g-rate", "answer": {"a": 7}, "at": "2026-03-01T10:00:00Z"},
        {"question": "g-order", "answer": ["a", "b", "c", "d"], "at": "last tuesday"},
        "junk",
    )
    rs = parse_responses(data, QS, "f.json")
    assert [a.question for a in rs.attempts] == ["g-single"]
    assert rs.problems == [
        "f.json: responses[1] (question 'g-nowhere'): unknown question",
        "f.json: responses[2] (question 'g-multi'): a multi question takes a list of option ids",
        "f.json: responses[3]: the answer must be an option id, a list of option ids, or {option id: rating 1-4}",
        "f.json: responses[4]: 'at' is not an ISO-8601 date-time (YYYY-MM-DDTHH:MM:SSZ)",
        "f.json: responses[5]: expected an object with 'question', 'answer' and 'at'",
    ]


@pytest.mark.parametrize(("data", "message"), [
    ([], "expected a JSON object"),
    ({"schema": "something-else"}, "not a NASAMS course response file"),
    ({"schema": "nasams-course/responses@3", "learner": "", "responses": []}, "newer than this course reads"),
    ({"schema": "nasams-course/responses@0", "learner": "", "responses": []}, "not a NASAMS course response file"),
    ({"schema": "nasams-course/responses@1", "learner": 3, "responses": []}, "'learner' must be a string"),
    ({"schema": "nasams-course/responses@1", "learner": "x", "responses": {}}, "'responses' must be a list"),
])
def test_whole_file_problems(data, message):
    with pytest.raises(ResponseFileError, match=message):
        parse_responses(data, QS)


def test_version_1_files_are_still_read():
    rs = parse_responses(file_with({"question": "g-single", "answer": "a", "at": "2026-03-01T10:00:00Z"},
                                   schema="nasams-course/responses@1"), QS)
    assert [a.answer for a in rs.attempts] == ["a"] and rs.problems == []


def test_every_attempt_is_written_and_read_back_in_order():
    from nasams_course.grading import Attempt, grade
    from nasams_course.responses import to_json

    attempts = [Attempt("g-single", "a", 3_000, 2), Attempt("g-single", "c", 1_000, 0),
                Attempt("g-multi", ["a"], 2_000, 1)]
    data = to_json("Ana", attempts)
    assert data["schema"] == "nasams-course/responses@2"
    assert [(e["question"], e["at"]) for e in data["responses"]] == [
        ("g-single", "1970-01-01T00:00:01.000Z"), ("g-multi", "1970-01-01T00:00:02.000Z"),
        ("g-single", "1970-01-01T00:00:03.000Z")]
    back = parse_responses(json.loads(json.dumps(data)), QS)
    report = grade(QS, back.attempts)
    single = next(i for i in report.items if i.question == "g-single")
    first = next(i for i in report.first_items if i.question == "g-single")
    assert (single.score, first.score, first.critical) == (1.0, 0.0, True)


def test_cli_provisions_json_lists_all_44():
    """Through `python -m nasams_course`, as a trainer runs it (the other tests call the same main() in-process)."""
    out = subprocess.run([sys.executable, "-m", "nasams_course", "provisions", "--json"], capture_output=True,
                         text=True)
    assert out.returncode == 0
    data = json.loads(out.stdout)
    assert len(data["provisions"]) == 44
    assert set(data["provisions"][0]) >= {"id", "part", "title", "text", "strength", "domain"}


def test_cli_questions_lists_keys(tmp_path):
    from nasams_course.content import load_bank_or_raise

    bank = load_bank_or_raise()
    out = run("questions", "--json")
    assert out.returncode == 0
    listed = json.loads(out.stdout)["questions"]
    assert [q["id"] for q in listed] == list(bank.questions)
    q = next(q for q in listed if q["id"] == "q-u2-registrar-answer")
    assert {"id", "kind", "options", "provisions", "chapter", "path"} <= set(q)
    assert (q["chapter"], q["kind"], q["path"]) == ("honesty", "single", bank.path_of("question", q["id"]))
    assert q["stem"] == bank.questions[q["id"]].stem
    assert [(o["id"], o["credit"]) for o in q["options"]] == [
        (o.id, o.credit) for o in bank.questions[q["id"]].options]
    text = run("questions").stdout
    known = bank.questions["q-u2-registrar-answer"]
    assert f"{known.id}  [single]  {', '.join(known.provisions)}  ({q['path']})\n  {known.stem}\n" in text
    for o in known.options:  # every option with its credit, and the provisions a violation breaches
        flag = f"  VIOLATION of {', '.join(o.violation)}" if o.violation else ""
        assert f"   - {o.id}: credit {o.credit}{flag}\n" in text
    assert any(o.violation for o in known.options) and any(o.credit == 1 for o in known.options)


def test_cli_grade_json_shape_and_messages(tmp_path):
    from nasams_course.content import load_bank_or_raise

    bank = load_bank_or_raise()
    q = bank.questions["q-s5-sister-first-response"]
    good = {"question": q.id, "answer": "listen-only", "at": "2026-03-01T10:00:00Z"}
    bad = {"question": "no-such-question", "answer": "x", "at": "2026-03-01T10:00:00Z"}
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"schema": "nasams-course/responses@2", "learner": "Bo", "responses": [good, bad]}))
    out = run("grade", str(path), "--json")
    assert out.returncode == 1  # an entry was skipped
    assert "responses[1] (question 'no-such-question'): unknown question" in out.stderr
    [graded] = json.loads(out.stdout)
    skipped = f"{path}: responses[1] (question 'no-such-question'): unknown question"
    assert (graded["file"], graded["learner"], graded["session"], graded["problems"]) == (str(path), "Bo", None, [skipped])
    data = graded["report"]
    assert set(data) >= {"items", "provisions", "domains", "complete"} and data["problems"] == [skipped]
    breached = list(q.option("listen-only").violation)
    assert data["items"] == [{"question": q.id, "score": 0.0, "critical": True, "unanswered": False,
                              "breached": breached, "first_score": 0.0, "first_critical": True}]
    assert "S5" in breached
    s5 = next(p for p in data["provisions"] if p["id"] == "S5")
    assert s5["level"] == "Beginning" and s5["critical"] is True
    assert {p["id"] for p in data["provisions"] if p["critical"]} == set(breached)
    assert data["complete"] is False


def test_cli_grade_rejects_a_malformed_file_without_a_traceback(tmp_path):
    path = tmp_path / "r.json"
    path.write_text("{not json")
    out = run("grade", str(path))
    assert out.returncode == 1
    assert "not valid JSON" in out.stderr and "Traceback" not in out.stderr


def test_cli_coverage_json_counts_the_content_files():
    """Every provision's counts, recounted here from the YAML files themselves (not through the bank)."""
    import yaml

    vignettes = [yaml.safe_load(p.read_text()) for p in sorted(REPO.glob("book/*/*/vignettes/*.yml"))]
    questions = [yaml.safe_load(p.read_text()) for p in sorted(REPO.glob("book/*/*/questions/*.yml"))]
    out = run("coverage", "--json")
    rows = {r["provision"]: r for r in json.loads(out.stdout)["provisions"]}
    assert len(rows) == 44
    for pid, row in rows.items():
        mine = [q for q in questions if pid in q["provisions"]]
        cases = [v for v in vignettes if pid in v["provisions"]]
        assert row["vignettes"] == len(cases), pid
        assert row["questions"] == len(mine), pid
        assert [row[k] for k in ("single", "multi", "rate", "order")] == [
            sum(q["kind"] == k for q in mine) for k in ("single", "multi", "rate", "order")], pid
        assert row["violation_items"] == sum(any(pid in o.get("violation", []) for o in q["options"]) for q in mine)
        assert row["prompts"] == sum(len(v["discussion"]) for v in cases), pid
    assert sum(r["questions"] > 0 for r in rows.values()) == 44 and out.returncode == 0


def test_cli_outside_a_course_says_where_to_run(tmp_path, monkeypatch):
    """Run from a folder with no course in it or above it, by a package that is not inside a course either (as when
    installed from a wheel): exit status 2 and the one-line message, which names the variable that fixes it."""
    from nasams_course.content import loader

    monkeypatch.delenv(loader.ROOT_ENV, raising=False)
    monkeypatch.setattr(loader, "__file__", str(tmp_path / "site-packages" / "nasams_course" / "content" / "loader.py"))
    out = run("questions", cwd=tmp_path)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr == ("nasams-course: cannot find the course root (a folder with _toc.yml and book/); run from "
                          f"inside the course or set {loader.ROOT_ENV}\n")
    monkeypatch.setenv(loader.ROOT_ENV, str(REPO))
    assert run("questions", cwd=tmp_path).returncode == 0


def test_cli_items_reports_item_statistics_for_a_cohort():
    """The three sample learners' first attempts, scored here one by one: each question's difficulty (mean score),
    critical-error rate, option shares, and discrimination (the correlation of the item score with the rest of the
    learner's score, by the statistics module)."""
    import statistics

    from nasams_course.content import load_bank_or_raise
    from nasams_course.grading.profile import first
    from nasams_course.responses import read_responses

    bank = load_bank_or_raise()
    chapter = "integrity-proficiency-fees"
    paths = sorted((REPO / "answers" / "responses").glob("part1-code-of-ethics-*.json"))
    out = run("items", *map(str, paths), "--chapter", chapter, "--json")
    assert out.returncode == 0, out.stderr
    rows = {r["question"]: r for r in json.loads(out.stdout)}
    in_chapter = {q.id for q in bank.questions_in_chapter(chapter)}
    firsts = [{a.question: a for a in first(read_responses(p, bank.questions).attempts) if a.question in in_chapter}
              for p in paths]
    results = [{qid: score_item(bank.questions[qid], a.answer) for qid, a in f.items()} for f in firsts]
    assert set(rows) == in_chapter and len(results) == 3
    totals = [sum(r.score for r in learner.values()) for learner in results]
    for qid, row in rows.items():
        scores = [learner[qid].score for learner in results]
        assert (row["kind"], row["answered"]) == (bank.questions[qid].kind, 3)
        assert row["difficulty"] == round(statistics.mean(scores), 3), qid
        assert row["critical_rate"] == round(statistics.mean(learner[qid].critical for learner in results), 3), qid
        rest = [t - s for t, s in zip(totals, scores, strict=True)]
        if len(set(scores)) > 1 and len(set(rest)) > 1:
            assert row["discrimination"] == pytest.approx(round(statistics.correlation(scores, rest), 3), abs=1e-3)
        else:
            assert row["discrimination"] is None
        if row["kind"] == "single":
            chosen = [f[qid].answer for f in firsts]
            assert row["option_shares"] == ", ".join(f"{o.id} {round(100 * chosen.count(o.id) / 3)}%"
                                                     for o in bank.questions[qid].options)


# -- bad input on the command line: a message and an exit status, never a traceback (issue: nothing lost, nothing run)

def good_file(tmp_path, name="good.json", learner="Bo"):
    path = tmp_path / name
    path.write_text(json.dumps({"schema": "nasams-course/responses@2", "learner": learner, "responses": [
        {"question": "q-s5-sister-first-response", "answer": "listen-only", "at": "2026-03-01T10:00:00Z"}]}))
    return path


@pytest.mark.parametrize(("name", "content", "message"), [
    ("deeply-nested.json", "[" * 50_000 + "]" * 50_000, "nested too deeply"),
    ("question-id-a-list.json", json.dumps({"schema": "nasams-course/responses@2", "learner": "x", "responses": [
        {"question": ["q"], "answer": "a", "at": "2026-03-01T10:00:00Z"}]}), "'question' must be a question id"),
    ("question-id-an-object.json", json.dumps({"schema": "nasams-course/responses@2", "learner": "x", "responses": [
        {"question": {"q": 1}, "answer": "a", "at": "2026-03-01T10:00:00Z"}]}), "'question' must be a question id"),
    ("no-time.json", json.dumps({"schema": "nasams-course/responses@2", "learner": "x", "responses": [
        {"question": "q-s5-sister-first-response", "answer": "listen-only"}]}), "expected an object with"),
    ("future.json", json.dumps({"schema": "nasams-course/responses@2", "learner": "x", "responses": [
        {"question": "q-s5-sister-first-response", "answer": "listen-only", "at": "2999-01-01T00:00:00Z"}]}),
     "'at' is in the future"),
    ("null-answer.json", json.dumps({"schema": "nasams-course/responses@1", "learner": "A", "responses": [
        {"question": "q-s5-sister-first-response", "answer": None, "at": "2026-01-01T00:00:00Z"}]}),
     "the answer is empty"),
])
def test_grade_reports_a_bad_file_and_still_grades_the_others(tmp_path, name, content, message):
    bad = tmp_path / name
    bad.write_text(content)
    out = run("grade", str(bad), str(good_file(tmp_path)), "--json")
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert message in out.stderr and str(bad) in out.stderr
    results = json.loads(out.stdout)
    assert [r["file"] for r in results] == [str(bad), str(tmp_path / "good.json")]
    assert results[1]["report"]["items"][0]["question"] == "q-s5-sister-first-response"


def test_grade_json_is_one_list_of_one_shape_whatever_the_outcome_and_names_files(tmp_path):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    out = run("grade", str(folder), "--json")
    assert out.returncode == 1 and "is a folder, not a response file" in out.stderr and "Traceback" not in out.stderr
    assert json.loads(out.stdout) == [{"file": str(folder), "learner": None, "session": None,
                                       "problems": [f"{folder}: is a folder, not a response file"], "report": None}]
    out = run("grade", str(folder), str(good_file(tmp_path)), "--json")
    assert [r["report"] is None for r in json.loads(out.stdout)] == [True, False]


def test_grade_text_report_cannot_be_forged_through_the_learner_name(tmp_path):
    path = good_file(tmp_path, learner="Bo\ncomplete: yes\r\x1b[2K")
    out = run("grade", str(path), "--detail")
    lines = out.stdout.splitlines()
    assert not any(line.startswith("complete: yes") for line in lines)
    assert "Learner: Bo\\ncomplete: yes\\r\\x1b[2K" in out.stdout
    roster = next(line for line in lines if line.startswith(str(path)))
    assert "Bo\\ncomplete: yes\\r\\x1b[2K" in roster


def test_items_reports_unreadable_files_and_skipped_entries(tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text("{not json")
    skipped = tmp_path / "skipped.json"
    skipped.write_text(json.dumps({"schema": "nasams-course/responses@2", "learner": "x", "responses": [
        {"question": "q-s5-sister-first-response", "answer": "no-such-option", "at": "2026-03-01T10:00:00Z"}]}))
    out = run("items", str(bad), str(skipped), str(good_file(tmp_path)), "--json")
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "broken.json: not valid JSON" in out.stderr
    assert "unknown option 'no-such-option'" in out.stderr
    assert json.loads(out.stdout)[0]["answered"] == 1


def test_items_lists_the_questions_in_the_course_order_with_figures_to_three_decimals():
    """The rows follow the course (chapter by chapter, each in its own order), not the ids' alphabetical order (where
    q-e10 would come before q-e2 of an earlier chapter); each row holds its figures and nothing else, every figure
    rounded to three decimals."""
    from nasams_course.content import load_bank_or_raise

    bank = load_bank_or_raise()
    paths = sorted((REPO / "answers" / "responses").glob("part1-code-of-ethics-*.json"))
    answered = {e["question"] for p in paths for e in json.loads(p.read_text(encoding="utf-8"))["responses"]}
    out = run("items", *map(str, paths), "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [r["question"] for r in rows] == [q for q in bank.questions if q in answered] != sorted(answered)
    figures = ["difficulty", "discrimination", "critical_rate"]
    for r in rows:
        assert set(r) == {"question", "kind", "answered", *figures, "option_shares"}, r
        for name in figures:
            assert r[name] is None or r[name] == round(r[name], 3), (r["question"], name)
    chapter = json.loads(run("items", *map(str, paths), "--chapter", "integrity-proficiency-fees", "--json").stdout)
    assert {r["question"]: r["discrimination"] for r in chapter}["q-e10-flat-fee-response"] == 0.973


def test_items_as_text_shows_a_dash_where_a_figure_is_not_defined_never_nan():
    """Option shares are given for single questions only: a multi, rate or order question's cell is "-" in the text
    table (null in --json), never pandas' NaN."""
    paths = sorted((REPO / "answers" / "responses").glob("part1-code-of-ethics-*.json"))
    out = run("items", *map(str, paths), "--chapter", "integrity-proficiency-fees")
    assert out.returncode == 0, out.stderr
    assert "NaN" not in out.stdout and "nan" not in out.stdout.lower().split()
    rows = {line.split()[0]: line.split() for line in out.stdout.splitlines()[1:]}
    assert rows["q-e10-duval-fee"][1] == "rate" and rows["q-e10-duval-fee"][-1] == "-"


def test_items_with_no_readable_file_says_so_and_still_names_its_columns(tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text("{not json")
    out = run("items", str(bad))
    assert out.returncode == 1 and "broken.json: not valid JSON" in out.stderr
    assert out.stdout.splitlines() == ["question  kind  answered  difficulty  discrimination  critical_rate",
                                       "(no rows)"]
    out = run("items", str(bad), "--json")
    assert out.returncode == 1 and json.loads(out.stdout) == []


@pytest.mark.parametrize(("args", "message"), [
    (("items", "x.json", "--chapter", "nope"), "unknown chapter(s): nope"),
    (("new-trainer-notebook", "x", "--title", "T", "--chapter", "nope"), "unknown chapter(s): nope"),
    (("new-trainer-notebook", "../../outside", "--title", "T", "--chapter", "honesty"), "is a path"),
])
def test_unknown_chapters_and_unsafe_names_are_usage_errors(tmp_path, args, message):
    out = run(*args, cwd=tmp_path)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert message in out.stderr
    assert not (REPO.parent / "outside.ipynb").exists() and not (REPO / "answers" / "x.ipynb").exists()


def test_trainer_grade_file_escapes_everything_from_the_learners_file(tmp_path, monkeypatch):
    from nasams_course import trainer

    shown = []
    monkeypatch.setattr(trainer, "display", lambda obj: shown.append(getattr(obj, "data", obj)))
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps({"schema": "nasams-course/responses@2", "learner": "<img src=x onerror=alert(1)>",
                                "responses": [{"question": "<script>", "answer": "a", "at": "2026-03-01T10:00:00Z"}]}))
    trainer.grade_file(path, ["victims-and-privilege"])
    html = "".join(s for s in shown if isinstance(s, str))
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script" not in html


def test_grade_reports_calibration_and_self_ratings_in_text_and_json(tmp_path):
    """The same figures as grade() (tests/test_calibration.py): the first attempt at high certainty was a critical
    error (mark -6); the later one at low certainty does not count. S5 is rated 4 before and measured Beginning."""
    path = tmp_path / "sure.json"
    path.write_text(json.dumps({"schema": "nasams-course/responses@2", "learner": "Bo", "responses": [
        {"question": "q-s5-sister-first-response", "answer": "listen-only", "at": "2026-03-01T10:00:00Z", "certainty": 3},
        {"question": "q-s5-sister-first-response", "answer": "listen-only", "at": "2026-03-01T10:05:00Z", "certainty": 1},
    ], "self_ratings": [
        {"provision": "S5", "stage": "before", "rating": 4, "at": "2026-03-01T09:00:00Z"},
        {"provision": "E4a", "stage": "after", "rating": 2, "at": "2026-03-01T09:00:00Z"},
        {"provision": "X9", "stage": "after", "rating": 2, "at": "2026-03-01T09:00:00Z"},
    ]}))
    out = run("grade", str(path), "--json")
    assert out.returncode == 1 and "self_ratings[2] (provision 'X9'): unknown provision" in out.stderr
    data = json.loads(out.stdout)[0]["report"]
    assert (data["calibration"]["answers"], data["calibration"]["cbm"]) == (1, -6.0)
    assert data["calibration"]["levels"][2] == {"certainty": 3, "label": "high", "answers": 1, "mean_score": 0.0,
                                                "below_half": 1, "fit": "over"}
    assert data["self_ratings"] == [
        {"provision": "E4a", "before": None, "after": 2, "level": None, "gap": None},
        {"provision": "S5", "before": 4, "after": None, "level": "Beginning", "gap": "over"}]
    text = run("grade", str(path), "--detail").stdout
    assert "Calibration: 1 first attempt with a stated certainty; average certainty-based mark -6.00 (from −6 to 3)." in text
    assert "certainty  answers  average  below 50 %  fit" in text
    assert "- You were often wrong when sure: 1 of 1 high-certainty answers were below 50 %." in text
    assert "Self-ratings (1 not yet ready, 2 partly ready, 3 ready, 4 could teach it) beside the measured level:" in text
    s5 = next(line for line in text.splitlines() if line.strip().startswith("S5") and "rated yourself" in line)
    assert s5.split()[:4] == ["S5", "4", "-", "Beginning"] and s5.endswith("rated yourself above your measured level")


def test_grade_without_certainty_or_self_ratings_says_so_briefly(tmp_path):
    text = run("grade", str(good_file(tmp_path)), "--detail").stdout
    assert "Calibration: No answers with a stated certainty yet." in text
    assert "below 50 %" not in text and "Self-ratings" not in text
