"""`nasams-course report`: its numbers equal `grade --json` for every learner of a 40-learner cohort (from the files
and from a gradebook), statistics hidden below 10 learners, bad input refused in one line with exit status 2."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from conftest import REPO
from conftest import run as run_here
from nasams_course.bench import write_cohort as bench_cohort
from nasams_course.content.loader import course_bank
from nasams_course.grading.levels import level_for

LEARNERS = 40


def run(*args, cwd=None):
    """`nasams-course --root REPO ARGS`, in this process (`conftest.run`: seen by `make mutate`)."""
    return run_here("--root", REPO, *args, cwd=cwd)


def write_cohort(folder, learners: int = LEARNERS, seed: int = 5) -> list:
    """A deterministic cohort of the real bank (bench.write_cohort, the one `make bench` grades): five profiles of
    learner (strong, weak, with critical errors, guessing, sure), three attempts on a third of the questions, every
    fifth learner answering only one or two chapters, so that some are incomplete for every reason."""
    return bench_cohort(folder, learners, seed, partial=True)


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cohort")
    paths = write_cohort(folder)
    graded = run("grade", *map(str, paths), "--json")
    assert graded.returncode == 0, graded.stderr
    return folder, paths, [f["report"] for f in json.loads(graded.stdout)]


def expected_roster(results: list[dict]) -> pd.DataFrame:
    rows = []
    for r in results:
        items = r["items"]
        crit_provisions = sum(p["critical"] for p in r["provisions"])
        rows.append({"learner": r["learner"], "answered": sum(not i["unanswered"] for i in items),
                     "first_attempt_pct": None if r["first_score"] is None else 100 * r["first_score"],
                     "final_pct": None if r["score"] is None else 100 * r["score"],
                     "level": None if r["score"] is None else level_for(r["score"]),
                     "critical": sum(i["critical"] for i in items), "complete": r["complete"],
                     "missing": sum(p["score"] is None for p in r["provisions"]),
                     "low": sum(d["level"] not in ("Mastery", "Proficient") for d in r["domains"]),
                     "critical_provisions": crit_provisions})
    return pd.DataFrame(rows).set_index("learner")


def check_against_grade(out, results: list[dict], total: int | None = None) -> None:
    """Every learner's figures in the report's CSV files equal grade --json's (percentages to 2 decimals)."""
    want = expected_roster(results)
    got = pd.read_csv(out / "roster.csv").set_index("learner").loc[want.index]
    assert (got["answered"] == want["answered"]).all()
    assert (got["total"] == (total or len(course_bank().questions))).all()
    for col in ("first_attempt_pct", "final_pct"):
        assert np.allclose(got[col].fillna(-1), want[col].astype(float).fillna(-1), atol=0.0051), col
    assert got["level"].astype(object).fillna("").tolist() == want["level"].astype(object).fillna("").tolist()
    assert got["critical"].tolist() == want["critical"].tolist()
    assert got["complete"].tolist() == want["complete"].tolist()
    for learner, row in want.iterrows():
        why = got.at[learner, "why_not"]
        if row["complete"]:
            assert pd.isna(why)
            continue
        for count, words in ((row["missing"], "not attempted"), (row["low"], "below Proficient"),
                             (row["critical_provisions"], "with a critical error")):
            assert (f"{count} " in why and words in why) if count else words not in why, (learner, why)
    provisions = pd.read_csv(out / "provision-scores.csv").set_index("learner")
    domains = pd.read_csv(out / "domain-scores.csv").set_index("learner")
    by_learner = pd.read_csv(out / "critical-by-learner.csv").set_index("learner") \
        if (out / "critical-by-learner.csv").stat().st_size > 60 else pd.DataFrame()
    for r in results:
        for p in r["provisions"]:
            value = provisions.at[r["learner"], p["id"]]
            assert (pd.isna(value) if p["score"] is None else value == pytest.approx(100 * p["score"], abs=0.0051))
        for d in r["domains"]:
            value = domains.at[r["learner"], d["id"]]
            assert (pd.isna(value) if d["score"] is None else value == pytest.approx(100 * d["score"], abs=0.0051))
        critical = [i["question"] for i in r["items"] if i["critical"]]
        if critical:
            assert sorted(by_learner.at[r["learner"], "questions"].split(", ")) == sorted(critical)
        else:
            assert r["learner"] not in by_learner.index


def test_report_from_files_equals_grade_json_for_every_learner(cohort, tmp_path):
    _folder, paths, results = cohort
    out = run("report", *map(str, paths), "--out", str(tmp_path / "report"))
    assert out.returncode == 0, out.stderr
    check_against_grade(tmp_path / "report", results)
    assert sum(not r["complete"] for r in results) > 0 and sum(any(i["critical"] for i in r["items"])
                                                               for r in results) > 0


def test_report_from_a_gradebook_equals_grade_json_for_every_learner(cohort, tmp_path):
    _folder, paths, results = cohort
    db = tmp_path / "cohort.sqlite"
    imported = run("gradebook", "import", "--db", str(db), "--session", "spring", *map(str, paths))
    assert imported.returncode == 0, imported.stderr
    out = run("report", "--db", str(db), "--session", "spring", "--out", str(tmp_path / "report"))
    assert out.returncode == 0, out.stderr
    check_against_grade(tmp_path / "report", results)
    roster = pd.read_csv(tmp_path / "report" / "roster.csv")
    assert sorted(roster["file"]) == sorted(str(p) for p in paths)


def test_the_page_shows_the_roster_as_grade_does_with_percentages_and_no_nan(cohort, tmp_path):
    _folder, paths, results = cohort
    run("report", *map(str, paths), "--out", str(tmp_path / "report"))
    html = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    for r in results:
        score = "–" if r["score"] is None else f"{int(r['score'] * 100 + 0.5 + 1e-9)}%"
        row = re.search(r"<tr><th scope=\"row\">" + re.escape(r["learner"]) + r"</th>(.*?)</tr>", html).group(1)
        assert f'<td class="num">{score}</td>' in row, r["learner"]
    assert not re.search(r"\bnan\b", html, re.IGNORECASE)
    for csv in (tmp_path / "report").glob("*.csv"):
        assert not re.search(r"\bnan\b", csv.read_text(encoding="utf-8"), re.IGNORECASE), csv.name
    # every statistic and flag is shown, each question linked to its text
    for words in ("Facility index", "Discrimination index", "Discriminative efficiency", "Cronbach", "Error ratio",
                  "Standard error", "Questions to review", "Lower third", "Rated 4", "Position 1"):
        assert words in html, words
    for qid in re.findall(r'href="#question-([a-z0-9-]+)"', html):
        assert f'id="question-{qid}"' in html
    assert "<script" not in html and not re.search(r"(src|href)=[\"']?(https?:)?//", html)


def test_statistics_are_hidden_below_ten_learners(cohort, tmp_path):
    _folder, paths, _results = cohort
    few = run("report", *map(str, paths[:9]), "--out", str(tmp_path / "few"))
    assert few.returncode == 0, few.stderr
    html = (tmp_path / "few" / "index.html").read_text(encoding="utf-8")
    assert "Item statistics need at least 10 learners; this report has 9" in html
    assert "Discrimination index" not in html and "Lower third" not in html
    assert not (tmp_path / "few" / "item-statistics.csv").exists()
    ten = run("report", *map(str, paths[:10]), "--out", str(tmp_path / "ten"))
    assert ten.returncode == 0, ten.stderr
    assert "Discrimination index" in (tmp_path / "ten" / "index.html").read_text(encoding="utf-8")
    stats = pd.read_csv(tmp_path / "ten" / "item-statistics.csv")
    assert len(stats) > 0 and stats["facility"].between(0, 100).all()


def test_report_with_a_session_scores_as_grade_session(tmp_path):
    syllabus = sorted((REPO / "syllabi").glob("*.yml"))[0]
    paths = sorted((REPO / "answers" / "responses").glob("*.json"))
    graded = [f["report"] for f in json.loads(run("grade", *map(str, paths), "--session", str(syllabus), "--json").stdout)]
    out = run("report", *map(str, paths), "--session", str(syllabus), "--out", str(tmp_path / "r"))
    assert out.returncode == 0, out.stderr
    roster = pd.read_csv(tmp_path / "r" / "roster.csv")
    assert roster["final_pct"].fillna(-1).round(2).tolist() == \
        [-1 if r["score"] is None else round(100 * r["score"], 2) for r in graded]


@pytest.mark.parametrize("args", [
    ("--out", "{tmp}/r"),
    ("{tmp}/a.json", "--db", "{tmp}/g.sqlite", "--out", "{tmp}/r"),
    ("--db", "{tmp}/missing.sqlite", "--out", "{tmp}/r"),
    ("--db", "{tmp}/not-a-gradebook.sqlite", "--out", "{tmp}/r"),
    ("--db", "{tmp}/g.sqlite", "--session", "no-such-session", "--out", "{tmp}/r"),
    ("--db", "{tmp}/g.sqlite", "--session", "Bad Id!", "--out", "{tmp}/r"),
    ("{tmp}/a.json", "--session", "{tmp}/missing.yml", "--out", "{tmp}/r"),
    ("{tmp}/a.json", "--out", "{tmp}/a.json"),
    ("{tmp}/a.json", "--out", "{tmp}/full"),
])
def test_bad_input_is_one_line_and_exit_status_2(tmp_path, args):
    (tmp_path / "a.json").write_text(json.dumps({"schema": "nasams-course/responses@2", "learner": "A", "responses": [
        {"question": "q-s5-sister-first-response", "answer": "listen-only", "at": "2026-03-01T10:00:00Z"}]}))
    (tmp_path / "not-a-gradebook.sqlite").write_text("hello")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "mine.txt").write_text("keep me")
    assert run("gradebook", "import", "--db", str(tmp_path / "g.sqlite"), str(tmp_path / "a.json")).returncode == 0
    out = run("report", *(a.format(tmp=tmp_path) for a in args))
    assert out.returncode == 2, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr, out.stderr
    assert not (tmp_path / "r").exists() and (tmp_path / "full" / "mine.txt").read_text() == "keep me"


def test_a_refused_file_is_reported_and_the_others_still_make_the_report(tmp_path):
    (tmp_path / "bad.json").write_text("{not json")
    good = sorted((REPO / "answers" / "responses").glob("*.json"))[:3]
    out = run("report", str(tmp_path / "bad.json"), *map(str, good), "--out", str(tmp_path / "r"))
    assert out.returncode == 1 and "bad.json: not valid JSON" in out.stderr and "Traceback" not in out.stderr
    html = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    assert "bad.json: not valid JSON" in html and len(pd.read_csv(tmp_path / "r" / "roster.csv")) == 3


def test_a_learner_with_nothing_in_scope_is_on_the_roster_as_grade_reports_them(tmp_path):
    syllabus = REPO / "syllabi" / "part1-assessment.yml"
    path = tmp_path / "outside.json"
    path.write_text(json.dumps({"schema": "nasams-course/responses@2", "learner": "Outside", "responses": [
        {"question": "q-s5-sister-first-response", "answer": "listen-only", "at": "2026-03-01T10:00:00Z"}]}))
    [graded] = [f["report"] for f in json.loads(run("grade", str(path), "--session", str(syllabus), "--json").stdout)]
    out = run("report", str(path), "--session", str(syllabus), "--out", str(tmp_path / "r"))
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    plan = json.loads(run("session", "check", str(syllabus), "--json").stdout)
    check_against_grade(tmp_path / "r", [graded], total=sum(len(b["questions"]) for b in plan["blocks"]))


def test_charts_drawn_by_a_process_of_their_own_are_the_charts_drawn_here(tmp_path, monkeypatch):
    """From report_charts.APART_FROM learners on, the two charts are drawn by another process while the tables are
    made: the page and every CSV file are the same as when this process draws them (the time written aside)."""
    from nasams_course.training import report_charts

    paths = write_cohort(tmp_path / "files", 12)

    def report(out):
        done = run_here("--root", REPO, "report", *paths, "--out", out)
        assert done.returncode == 0, done.stderr
        return {p.name: re.sub(r"written \d{4}-\d\d-\d\d \d\d:\d\d UTC", "", p.read_text(encoding="utf-8"))
                for p in sorted(out.iterdir())}

    here = report(tmp_path / "here")
    pools = []
    real_pool = report_charts.multiprocessing.get_context("fork").Pool
    monkeypatch.setattr(report_charts, "APART_FROM", 12)
    monkeypatch.setattr(report_charts.multiprocessing, "get_context",
                        lambda method: type("Ctx", (), {"Pool": staticmethod(lambda n: pools.append(n) or real_pool(n))}))
    apart = report(tmp_path / "apart")
    assert pools == [1]
    assert apart == here and "<svg" in here["index.html"]


def test_report_from_a_gradebook_with_a_syllabus_counts_only_that_sessions_attempts_at_its_questions(tmp_path):
    """A gradebook of two sessions. Ben answers half of the practice session with a critical error in its file, and
    every question of it right in his assessment file: the report of the practice session takes his practice attempts
    only (not complete, a critical error), over the session's questions only; the one question outside the session
    that his practice file answers is not counted, and the page says so."""
    from nasams_course.trainer import keyed_answer
    from nasams_course.training.syllabus import load_syllabus

    bank = course_bank()
    conf = load_syllabus(REPO / "syllabi" / "confidentiality-and-victims.yml", bank).plan
    part1 = load_syllabus(REPO / "syllabi" / "part1-assessment.yml", bank).plan
    outside = next(q for q in part1.questions if q not in conf.questions)
    violation = next((q, o.id) for q in conf.questions for o in bank.questions[q].options
                     if bank.questions[q].kind == "single" and o.violation)

    def write(name: str, session: str, answers: dict) -> str:
        entries = [{"question": q, "answer": a, "at": f"2026-11-02T10:{i:02d}:00Z"} for i, (q, a) in
                   enumerate(answers.items())]
        (tmp_path / name).write_text(json.dumps({"schema": "nasams-course/responses@2", "learner": "Ben",
                                                 "session": session, "responses": entries}), encoding="utf-8")
        return str(tmp_path / name)

    half = {q: keyed_answer(bank.questions[q]) for q in conf.questions[: len(conf.questions) // 2]}
    practice = write("ben-conf.json", conf.id, {**half, violation[0]: violation[1],
                                                outside: keyed_answer(bank.questions[outside])})
    assessment = write("ben-part1.json", part1.id, {q: keyed_answer(bank.questions[q])
                                                    for q in (*conf.questions, *part1.questions)})
    db = tmp_path / "g.sqlite"
    assert run("gradebook", "import", "--db", str(db), practice, assessment).returncode == 0
    out = run("report", "--db", str(db), "--session", str(REPO / "syllabi" / "confidentiality-and-victims.yml"),
              "--out", str(tmp_path / "r"))
    assert out.returncode == 0, out.stderr
    [ben] = pd.read_csv(tmp_path / "r" / "roster.csv").to_dict("records")
    answered = len(set(half) | {violation[0]})
    assert (ben["answered"], ben["total"], ben["critical"], ben["complete"]) == (answered, len(conf.questions), 1,
                                                                                False)
    assert ben["file"] == practice  # his assessment file is another session's
    page = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    assert "1 question(s) answered outside session &#x27;confidentiality-and-victims&#x27; are not counted" in page
    assert f"<title>Cohort report: Session {conf.id}: {conf.title}</title>" in page
    for session, title in ((part1.id, f"Session {part1.id}"), (None, "Every session")):
        out = run("report", "--db", str(db), *(("--session", session) if session else ()), "--out",
                  str(tmp_path / title))
        assert out.returncode == 0, out.stderr
        page = (tmp_path / title / "index.html").read_text(encoding="utf-8")
        assert f"<title>Cohort report: {title}</title>" in page


def test_report_from_a_gradebook_whose_files_hold_no_attempt_lists_each_learner_with_nothing_answered(tmp_path):
    """Files handed in empty (the learners opened the book and answered nothing): the report still lists each
    learner, with nothing answered, no score and not complete, and says why."""
    for name in ("Ana Ruiz", "Bo Chen"):
        (tmp_path / f"{name[:2]}.json").write_text(json.dumps({"schema": "nasams-course/responses@2", "learner": name,
                                                               "responses": []}), encoding="utf-8")
    db = tmp_path / "g.sqlite"
    assert run("gradebook", "import", "--db", str(db), str(tmp_path / "An.json"), str(tmp_path / "Bo.json"),
               ).returncode == 0
    out = run("report", "--db", str(db), "--out", str(tmp_path / "r"))
    assert out.returncode == 0, out.stderr
    roster = pd.read_csv(tmp_path / "r" / "roster.csv")
    assert roster["learner"].tolist() == ["Ana Ruiz", "Bo Chen"]
    assert (roster["answered"] == 0).all() and roster["final_pct"].isna().all() and not roster["complete"].any()
    assert (roster["why_not"] == "44 provisions not attempted; 8 domains below Proficient").all()
