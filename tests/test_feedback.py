"""`nasams-course feedback`: one page per learner, graded as `grade --json --session` grades the file (each question's
score, the levels by provision and domain, the critical errors agree), made of the book's own feedback (the same
words), with every option's reason and the provisions' text; bad files are refused one line each and the others still
written; a folder holding something else is refused. axe-core: tests/browser/test_session_assessment.py."""

from __future__ import annotations

import json
import subprocess
from html import escape
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import REPO, run, shared_scope
from nasams_course.catalog import load_catalog
from nasams_course.content.loader import load_bank_or_raise
from nasams_course.grading import score_item
from nasams_course.grading.levels import level_for
from nasams_course.rendering.html import CRITICAL_LEVEL, feedback, paragraphs, percent
from nasams_course.trainer import critical_answer, keyed_answer, weak_answer
from nasams_course.training.syllabus import load_syllabus

BANK = load_bank_or_raise(REPO)
CATALOG = load_catalog()
SYLLABUS = REPO / "syllabi" / "part1-assessment.yml"
PLAN = load_syllabus(SYLLABUS, BANK).plan


def cli(*args: str) -> subprocess.CompletedProcess:
    """`nasams-course --root REPO ARGS`, run in this process (seen by `make mutate`, which cannot see a child process)."""
    return run("--root", REPO, *args)


def responses(learner: str) -> dict:
    """Every kind of answer: keyed, weak, critical errors, two attempts at one question (first weak, then keyed),
    certainty stated or not, and two questions left unanswered."""
    entries = []
    for i, qid in enumerate(PLAN.questions):
        q = BANK.questions[qid]
        if i in (3, 8):
            continue
        bad = critical_answer(q)
        answer = bad if bad is not None and i % 3 == 1 else weak_answer(q) if i % 2 else keyed_answer(q)
        entries.append({"question": qid, "answer": answer, "at": f"2026-11-09T10:{i:02d}:00Z",
                        "certainty": [None, 1, 2, 3][i % 4]})
    first = PLAN.questions[0]
    entries.insert(0, {"question": first, "answer": weak_answer(BANK.questions[first]), "at": "2026-11-09T09:59:00Z"})
    return {"schema": "nasams-course/responses@2", "learner": learner, "session": PLAN.id, "responses": entries}


def write(path: Path, data) -> Path:
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return path


def agreement(page: str, report: dict) -> list[str]:
    """Where a feedback page and `grade --json` disagree: each question's score, each provision's and domain's score
    and level, and the critical errors (question, option, provisions breached)."""
    soup = BeautifulSoup(page, "html.parser")
    out = []
    items = {i["question"]: i for i in report["items"]}
    for sec in soup.select("section.question"):
        item = items.get(sec["data-question"])
        want = percent(item["score"]) if item else ""
        if sec["data-score"] != want:
            out.append(f"question {sec['data-question']}: {sec['data-score']} != {want}")
        if item and sec["data-level"] != (CRITICAL_LEVEL if item["critical"] else level_for(item["score"])):
            out.append(f"question {sec['data-question']}: level {sec['data-level']}")
    if len(soup.select("section.question")) != len(PLAN.questions):
        out.append("not every question of the session is on the page")
    for kind, rows in (("provision", report["provisions"]), ("domain", report["domains"])):
        shown = {tr[f"data-{kind}"]: (tr.select_one("[data-role=score]").text, tr.select_one("[data-role=level]").text)
                 for tr in soup.select(f"tr[data-{kind}]")}
        want = {r["id"]: ("–" if r["score"] is None else percent(r["score"]), r["level"] or "Not started")
                for r in rows}
        if shown != want:
            out.append(f"{kind}s: {shown} != {want}")
    shown = {(li["data-question"], li["data-option"], frozenset(li["data-breached"].split()))
             for li in soup.select("[data-role=critical-errors] > li")}
    reviews: dict[tuple[str, str], set[str]] = {}
    for p in report["provisions"]:
        for r in p["review"]:
            reviews.setdefault((r["question"], r["option"]), set()).add(p["id"])
    if shown != {(q, o, frozenset(ps)) for (q, o), ps in reviews.items()}:
        out.append(f"critical errors: {shown} != {reviews}")
    return out


@pytest.fixture(scope=shared_scope)
def handed_back(tmp_path_factory):
    folder = tmp_path_factory.mktemp("feedback")
    ana = write(folder / "ana.json", responses("Ana <b>Ruiz</b>"))
    run = cli("feedback", str(ana), "--session", str(SYLLABUS), "--out", str(folder / "out"), "--json")
    assert run.returncode == 0, run.stderr
    graded = cli("grade", "--json", str(ana), "--session", str(SYLLABUS))
    assert graded.returncode == 0, graded.stderr
    [report] = json.loads(graded.stdout)  # grade --json: a list, one object per file
    assert report["file"] == str(ana)
    return json.loads(run.stdout), report["report"], folder


def test_the_page_agrees_with_grade_json(handed_back):
    result, report, folder = handed_back
    assert [p["page"] for p in result["pages"]] == [str(folder / "out" / "ana-b-ruiz-b.html")]
    page = Path(result["pages"][0]["page"]).read_text()
    assert agreement(page, report) == []
    assert any(p["review"] for p in report["provisions"])  # the file has critical errors to agree on
    assert sum(1 for i in report["items"] if i["score"] == 1) and sum(1 for i in report["items"] if i["score"] < 1)


def test_the_page_is_the_books_feedback_with_every_reason_and_the_provisions_text(handed_back):
    result, report, _ = handed_back
    page = Path(result["pages"][0]["page"]).read_text()
    data = responses("x")["responses"]
    latest = {e["question"]: e["answer"] for e in data}  # in time order: the latest answer of each
    items = {i["question"]: i for i in report["items"]}
    for qid in PLAN.questions:
        q = BANK.questions[qid]
        assert [o.id for o in q.options if escape(o.rationale) not in page] == [], qid
        assert all(paragraphs(CATALOG.provision(p).text, keep_lines=True) in page for p in q.provisions), qid
        if qid in items:
            i = items[qid]
            first = i["first_score"] if qid == PLAN.questions[0] else None
            violations = score_item(q, latest[qid]).violations
            assert feedback(q, CATALOG, latest[qid], i["score"], violations, first, cited_open=True) in page, qid
    unanswered = [PLAN.questions[3], PLAN.questions[8]]
    soup = BeautifulSoup(page, "html.parser")
    for qid in unanswered:
        assert "You did not answer this question" in soup.select_one(f'section[data-question="{qid}"]').text
    assert "Ana &lt;b&gt;Ruiz&lt;/b&gt;" in page and "<b>Ruiz" not in page
    assert "Your first attempt scored" in soup.select_one(f'section[data-question="{PLAN.questions[0]}"]').text


def test_bad_files_are_refused_one_line_each_and_the_others_still_written(tmp_path):
    good = write(tmp_path / "ana.json", responses("Ana Ruiz"))
    same_name = write(tmp_path / "ana2.json", responses("Ana Ruiz"))
    broken = write(tmp_path / "broken.json", '{"schema": ')
    other = write(tmp_path / "other.json", {**responses("Bo"), "session": "another-session"})
    missing = tmp_path / "missing.json"
    run = cli("feedback", str(good), str(broken), str(other), str(missing), str(same_name), "--session",
              str(SYLLABUS), "--out", str(tmp_path / "out"))
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 3 and "Traceback" not in run.stderr
    assert lines[0].startswith(f"nasams-course feedback: {broken}: not valid JSON")
    assert lines[1] == (f"nasams-course feedback: {other}: saved from session 'another-session', not "
                        "'part1-assessment': no page written")
    assert lines[2] == f"nasams-course feedback: {missing}: no such file"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["ana-ruiz-2.html", "ana-ruiz.html", "index.html"]
    index = BeautifulSoup((tmp_path / "out" / "index.html").read_text(), "html.parser")
    assert [a["href"] for a in index.select("tbody a")] == ["ana-ruiz.html", "ana-ruiz-2.html"]


def test_a_folder_holding_something_else_is_refused_and_an_earlier_run_is_replaced(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("precious")
    good = write(tmp_path / "ana.json", responses("Ana Ruiz"))
    run = cli("feedback", str(good), "--session", str(SYLLABUS), "--out", str(out))
    assert run.returncode == 2 and "not empty and holds no earlier feedback pages" in run.stderr
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    fresh = tmp_path / "fresh"
    bo = write(tmp_path / "bo.json", responses("Bo Lind"))
    assert cli("feedback", str(good), str(bo), "--session", str(SYLLABUS), "--out", str(fresh)).returncode == 0
    assert cli("feedback", str(bo), "--session", str(SYLLABUS), "--out", str(fresh)).returncode == 0
    assert sorted(p.name for p in fresh.iterdir()) == ["bo-lind.html", "index.html"]  # Ana's page is not left behind
