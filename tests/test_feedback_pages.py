"""The feedback pages' parts, called directly (tests/test_feedback.py runs the command): a learner's file name, the
index of pages, a page for a file with no answers, the folder they are written in, and what grading a file against a
session says about the rest of it (training/scored.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup

from conftest import REPO, ascii_locale
from nasams_course.catalog import load_catalog
from nasams_course.content.loader import load_bank_or_raise
from nasams_course.grading.levels import level_for
from nasams_course.rendering.html import percent
from nasams_course.responses import parse_responses
from nasams_course.trainer import critical_answer, keyed_answer
from nasams_course.training import feedback
from nasams_course.training.feedback import (
    GENERATOR,
    LearnerPage,
    check_folder,
    index_page,
    learner_page,
    slug,
    write_pages,
)
from nasams_course.training.guides import block_groups
from nasams_course.training.scored import in_session, score_file
from nasams_course.training.syllabus import load_syllabus

BANK = load_bank_or_raise(REPO)
CATALOG = load_catalog()
PLAN = load_syllabus(REPO / "syllabi" / "part1-assessment.yml", BANK).plan
NOW = 1_800_000_000_000  # 2027-01-15, after every answer below
#: each question's number in the session, as the guide, the handout and the feedback pages number them
NUMBERS = {n.question.id: n.number for groups in block_groups(PLAN, BANK) for g in groups for n in g.questions}


def responses(learner: str, answers: dict[str, object], session: str | None = "part1-assessment"):
    data = {"schema": "nasams-course/responses@2", "learner": learner, "session": session,
            "responses": [{"question": qid, "answer": a, "at": f"2026-11-09T10:{i:02d}:00Z"}
                          for i, (qid, a) in enumerate(answers.items())]}
    if session is None:
        del data["session"]
    return parse_responses(data, BANK.questions, now_ms=NOW)


def scored(learner: str, answers: dict[str, object]):
    return score_file(Path(f"{learner or 'blank'}.json"), responses(learner, answers), BANK, PLAN)


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


@pytest.mark.parametrize(("name", "fallback", "want"), [
    ("Ana Ruiz", "x", "ana-ruiz"),
    ("  Ana -- Ruiz!! ", "x", "ana-ruiz"),
    ("李 明", "bo.lind", "bo-lind"),  # no letter a file name may hold: the response file's name
    ("???", "!!!", "learner"),
    ("Index", "x", "learner-index"),
    ("a" * 59 + " b", "x", "a" * 59),  # cut at 60 characters, never ending in a hyphen
    ("b" * 70, "x", "b" * 60),
    ("!!" + "c" * 70, "x", "c" * 60),  # the hyphens at either end go before the cut
    ("", "d" * 59 + " e", "d" * 59),  # the file's name: cut and trimmed the same way
    ("", "!!" + "d" * 70, "d" * 60),
])
def test_a_learners_page_is_named_from_their_name(name, fallback, want):
    assert slug(name, fallback, set()) == want


def test_a_name_taken_gets_the_next_number():
    taken: set[str] = set()
    assert [slug("Ana Ruiz", "x", taken) for _ in range(3)] == ["ana-ruiz", "ana-ruiz-2", "ana-ruiz-3"]
    assert taken == {"ana-ruiz", "ana-ruiz-2", "ana-ruiz-3"}


def test_the_index_lists_each_learner_with_their_result():
    critical = next(qid for qid in PLAN.questions if critical_answer(BANK.questions[qid]) is not None)
    everything = {qid: keyed_answer(BANK.questions[qid]) for qid in PLAN.questions}
    ana = scored("Ana <i>Ruiz</i>", everything)
    answered = len({*PLAN.questions[:3], critical})
    bo = scored("  ", {**{qid: keyed_answer(BANK.questions[qid]) for qid in PLAN.questions[:3]},
                       critical: critical_answer(BANK.questions[critical])})
    pages = [LearnerPage("ana", Path("/in/ana.json"), ana.report, ""), LearnerPage("learner", Path("/in/bo.json"),
                                                                                   bo.report, "")]
    page = soup(index_page(pages, PLAN))
    rows = [[c.get_text() for c in tr.find_all(["th", "td"])] for tr in page.select("tbody tr")]
    assert rows == [
        ["Ana <i>Ruiz</i>", "ana.json", "100%", "Mastery", f"{len(PLAN.questions)} of {len(PLAN.questions)}", "0",
         "yes"],
        ["(no name)", "bo.json", percent(bo.report.score), level_for(bo.report.score), f"{answered} of {len(PLAN.questions)}",
         str(sum(1 for p in bo.report.provisions if p.critical)), "no"]]
    assert int(rows[1][5]) >= 1 and bo.report.score < 1
    assert [a["href"] for a in page.select("tbody a")] == ["ana.html", "learner.html"]
    assert page.tbody.get_text() == "".join(tr.get_text() for tr in page.select("tbody tr"))  # nothing between rows
    assert page.title.get_text() == f"Feedback pages: {PLAN.title}" and page.html["lang"] == "en"
    assert page.select_one('meta[name="generator"]')["content"] == GENERATOR


def test_a_page_for_a_file_with_no_answers_says_so_everywhere():
    nothing = scored("", {})
    page = soup(learner_page(nothing, Path("/in/blank.json"), PLAN, BANK, CATALOG))
    assert page.h1.get_text() == "Feedback for (no name in the file)"
    assert page.title.get_text() == f"Feedback for (no name in the file): {PLAN.title}"
    assert page.select_one("section[aria-labelledby=critical-h]").get_text() == "Critical errors to reviewNone."
    assert not page.select("[data-role=critical-errors]")
    sections = page.select("section.question")
    assert len(sections) == len(PLAN.questions)
    assert all(s["data-score"] == "" and "You did not answer this question" in s.get_text() for s in sections)
    assert {td.get_text() for td in page.select("tr[data-provision] [data-role=level]")} == {"Not started"}
    assert {td.get_text() for td in page.select("tr[data-provision] [data-role=score]")} == {"–"}
    assert {td.get_text() for td in page.select("tr[data-provision] [data-role=critical]")} == {"no"}
    assert {td.get_text() for td in page.select("tr[data-domain] [data-role=level]")} == {"Not started"}


def test_the_critical_errors_name_the_question_the_option_and_the_provisions_in_question_order():
    bad = sorted((qid for qid in PLAN.questions if critical_answer(BANK.questions[qid]) is not None),
                 key=NUMBERS.get)[:2]
    page = soup(learner_page(scored("Ana", {qid: critical_answer(BANK.questions[qid]) for qid in reversed(bad)}),
                             Path("ana.json"), PLAN, BANK, CATALOG))
    items = page.select("[data-role=critical-errors] > li")
    assert items[0].parent.get_text() == "".join(li.get_text() for li in items)  # nothing between the errors
    assert [li["data-question"] for li in items] == bad
    for li, qid in zip(items, bad, strict=True):
        q = BANK.questions[qid]
        option = q.option(li["data-option"])
        assert option.violation and sorted(li["data-breached"].split()) == sorted(option.violation)
        assert li.a["href"] == f"#{qid}" and li.a.get_text() == f"Question {NUMBERS[qid]}"
        assert f"you chose “{option.text}”" in li.get_text()
        assert all(f"{p} · {CATALOG.provision(p).title}" in li.strong.get_text() for p in option.violation)


def test_how_sure_the_learner_said_they_were_is_shown_with_their_answer():
    qid = PLAN.questions[0]
    data = {"schema": "nasams-course/responses@2", "learner": "Ana", "responses": [
        {"question": qid, "answer": keyed_answer(BANK.questions[qid]), "at": "2026-11-09T10:00:00Z", "certainty": 3}]}
    result = score_file(Path("ana.json"), parse_responses(data, BANK.questions, now_ms=NOW), BANK, PLAN)
    page = soup(learner_page(result, Path("ana.json"), PLAN, BANK, CATALOG))
    section = page.select_one(f'section[data-question="{qid}"]')
    assert "How sure you said you were: high." in section.get_text()
    assert "How sure you said you were" not in page.select_one(f'section[data-question="{PLAN.questions[1]}"]').text


def test_the_steps_a_learners_file_leaves_out_of_an_order_answer_are_shown_as_not_placed():
    """A response file may place only some steps of an order question (the rest count as out of order): the page
    says where each placed step went and that the others were not placed, in the keyed order."""
    qid = next(q for q in PLAN.questions if BANK.questions[q].kind == "order")
    key = BANK.questions[qid].key
    page = soup(learner_page(scored("Ana", {qid: [key[1], key[0]]}), Path("/in/ana.json"), PLAN, BANK, CATALOG))
    mine = [s.get_text() for s in page.select_one(f'section[data-question="{qid}"]').select('[data-role="mine"]')]
    assert mine == ["you placed it 2; ", "you placed it 1; "] + ["not placed; "] * (len(key) - 2)


def test_the_folder_is_refused_when_it_is_a_file_or_holds_someone_elses_files(tmp_path):
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(ValueError, match="is a file, not a folder"):
        check_folder(tmp_path / "a-file")
    assert check_folder(tmp_path / "new") == tmp_path / "new"
    (tmp_path / "empty").mkdir()
    assert check_folder(tmp_path / "empty") == tmp_path / "empty"
    (tmp_path / "theirs").mkdir()
    (tmp_path / "theirs" / "index.html").write_text("<html>a page of someone else's</html>")
    with pytest.raises(ValueError, match="not empty and holds no earlier feedback pages"):
        check_folder(tmp_path / "theirs")


def test_a_file_that_is_not_utf8_is_someone_elses(tmp_path):
    (tmp_path / "index.html").write_bytes(b"<html>\xff\xfe an index in another encoding</html>")
    with pytest.raises(ValueError, match="not empty and holds no earlier feedback pages"):
        check_folder(tmp_path)
    (tmp_path / "index.html").unlink()
    (tmp_path / "theirs.html").write_bytes(b"\xff\xfe")
    write_pages([], PLAN, tmp_path)
    assert (tmp_path / "theirs.html").read_bytes() == b"\xff\xfe"


def test_pages_are_written_into_a_folder_that_does_not_exist_yet(tmp_path):
    ana = LearnerPage("ana", Path("ana.json"), scored("Ana", {}).report, "<p>Ana – “quoted”</p>")
    out = tmp_path / "new" / "feedback"
    assert write_pages([ana], PLAN, out) == [out / "ana.html", out / "index.html"]
    assert (out / "ana.html").read_bytes() == "<p>Ana – “quoted”</p>".encode()


def test_pages_and_index_are_written_in_utf8_on_a_machine_whose_locale_is_not(tmp_path):
    """The C locale's encoding is ASCII (as a server without a UTF-8 locale has): a learner's accented name and the
    page's dashes and quotes are still written, in UTF-8, on the learner's page and in the index."""
    zoe = LearnerPage("zoe", Path("zoë.json"), scored("Zoë", {}).report, "<p>Zoë – “quoted”</p>")
    with ascii_locale():
        written = write_pages([zoe], PLAN, tmp_path)
    assert written == [tmp_path / "zoe.html", tmp_path / "index.html"]
    assert (tmp_path / "zoe.html").read_bytes() == "<p>Zoë – “quoted”</p>".encode()
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert index == index_page([zoe], PLAN)
    assert [c.get_text() for c in soup(index).select("tbody tr")[0].find_all(["th", "td"])][:3] == [
        "Zoë", "zoë.json", "–"]


def test_writing_again_replaces_only_this_commands_pages(tmp_path):
    ana = LearnerPage("ana", Path("ana.json"), scored("Ana", {}).report, "<p>Ana's page</p>")
    bo = LearnerPage("bo", Path("bo.json"), scored("Bo", {}).report,
                     f'<meta name="generator" content="{GENERATOR}"><p>Bo\'s page</p>')
    assert write_pages([ana, bo], PLAN, tmp_path) == [tmp_path / "ana.html", tmp_path / "bo.html",
                                                        tmp_path / "index.html"]
    (tmp_path / "notes.html").write_text("a trainer's own notes")
    assert check_folder(tmp_path) == tmp_path
    write_pages([ana], PLAN, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ana.html", "index.html", "notes.html"]
    assert (tmp_path / "ana.html").read_text() == "<p>Ana's page</p>"
    assert (tmp_path / "notes.html").read_text() == "a trainer's own notes"


def test_a_file_from_another_session_is_a_problem_and_answers_outside_it_a_note():
    inside, outside = PLAN.questions[0], next(q for q in BANK.questions if q not in PLAN.questions)
    answers = {inside: keyed_answer(BANK.questions[inside]), outside: keyed_answer(BANK.questions[outside])}
    kept, problems, notes = in_session(Path("f.json"), responses("Ana", answers, session="other"), PLAN)
    assert [a.question for a in kept] == [inside]
    assert problems == ["f.json: saved from session 'other', not 'part1-assessment'"]
    assert notes == ["f.json: 1 question(s) answered outside session 'part1-assessment' are not counted"]
    kept, problems, notes = in_session(Path("f.json"), responses("Ana", {inside: answers[inside]}), PLAN)
    assert (len(kept), problems, notes) == (1, [], [])
    assert in_session(Path("f.json"), responses("Ana", answers, session=None), PLAN)[1] == []


def test_without_a_session_every_answer_counts_and_a_sessions_file_is_noted():
    outside = next(q for q in BANK.questions if q not in PLAN.questions)
    answers = {outside: keyed_answer(BANK.questions[outside])}
    kept, problems, notes = in_session(Path("f.json"), responses("Ana", answers), None)
    assert ([a.question for a in kept], problems) == ([outside], [])
    assert notes == ["f.json: saved from session 'part1-assessment'; grade it with --session SYLLABUS.yml to score it "
                     "against that session only"]
    assert in_session(Path("f.json"), responses("Ana", answers, session=None), None)[2] == []
    whole = score_file(Path("f.json"), responses("Ana", answers, session=None), BANK, None)
    session = score_file(Path("f.json"), responses("Ana", answers, session=None), BANK, PLAN)
    assert len(whole.report.provisions) == len(CATALOG.ids) > len(session.report.provisions)
    assert [i.question for i in whole.report.items] == [outside] and session.report.items == ()


def test_the_index_shows_a_dash_for_a_learner_with_no_answers():
    page = soup(index_page([LearnerPage("cy", Path("cy.json"), scored("Cy", {}).report, "")], PLAN))
    assert [c.get_text() for c in page.select_one("tbody tr").find_all(["th", "td"])] == [
        "Cy", "cy.json", "–", "–", f"0 of {len(PLAN.questions)}", "0", "no"]


def test_the_report_holds_the_files_problems_then_the_session_mismatch():
    data = {"schema": "nasams-course/responses@2", "learner": "Ana", "session": "other", "responses": [
        {"question": "no-such-question", "answer": "a", "at": "2026-11-09T10:00:00Z"}]}
    result = score_file(Path("f.json"), parse_responses(data, BANK.questions, "f.json", now_ms=NOW), BANK, PLAN)
    assert result.report.problems == tuple(result.problems) == (
        "f.json: responses[0] (question 'no-such-question'): unknown question",
        "f.json: saved from session 'other', not 'part1-assessment'")


def test_a_page_is_dated_by_the_utc_date(monkeypatch):
    """Graded on the UTC date, as every date the course writes: here 2 a.m. UTC, the evening before in Los Angeles."""
    class LosAngelesEvening(datetime):
        @classmethod
        def now(cls, tz=None):
            moment = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
            return moment.astimezone(tz) if tz else moment.astimezone(ZoneInfo("America/Los_Angeles")).replace(tzinfo=None)

    monkeypatch.setattr(feedback, "datetime", LosAngelesEvening)
    page = learner_page(scored("Ana", {}), Path("ana.json"), PLAN, BANK, CATALOG)
    assert "graded on 2026-11-10 against" in page
