"""The cohort report's page, part by part, in this process (quick, and seen by `make mutate`): the figures a trainer
reads first and how they are written (percentages, "–" for what is not defined, never NaN), the words around them,
the statistics hidden below 10 learners, learner names, file names and question text escaped, the tables' markup
(headers, captions, their CSV file) and the output folder refused when it holds something else."""

from __future__ import annotations

import dataclasses
import json
import re
import time
from html import unescape
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from conftest import REPO, ascii_locale, shared_scope
from nasams_course.bench import write_cohort
from nasams_course.catalog import load_catalog
from nasams_course.content.loader import course_bank
from nasams_course.grading import Attempt
from nasams_course.grading.cohort import attempt_table, bank_arrays, selections_frame
from nasams_course.trainer import keyed_answer
from nasams_course.training import item_analysis as ia
from nasams_course.training import report as rp
from nasams_course.training.cohort_tables import (
    LEVEL_ORDER,
    cohort_from_files,
    critical_by_learner,
    domain_levels,
    domain_matrix,
    first_attempt_scores,
    first_selections,
    grade_report_cohort,
    roster,
    why_not,
)
from nasams_course.training.syllabus import load_syllabus

HOSTILE = '<b class="x">Ann & \'Bo\'</b>'


@pytest.fixture(scope=shared_scope)
def graded(tmp_path_factory):
    """12 learners of the real bank (bench.write_cohort, partial: some incomplete for every reason), the first one
    named with markup, and a file that is not JSON whose name holds markup (a problem the page lists)."""
    folder = tmp_path_factory.mktemp("page")
    paths = write_cohort(folder, 12, 7, partial=True)
    first = json.loads(paths[0].read_text(encoding="utf-8"))
    paths[0].write_text(json.dumps({**first, "learner": HOSTILE}), encoding="utf-8")
    bad = folder / "<i>bad<i>.json"
    bad.write_text("{not json", encoding="utf-8")
    return grade_report_cohort(cohort_from_files([*paths, bad], course_bank(), None), load_catalog())


def visible(html: str) -> str:
    """The text a reader sees: tags dropped, entities read."""
    return unescape(re.sub(r"<[^>]+>", "", html))


def responses_file(path, learner: str, answers: dict | list, session: str | None = None):
    """A response file of `learner` answering `answers` (question id: answer, or (question id, answer) pairs in turn:
    a question named twice is attempted twice, the later answer its latest), a minute apart, saved from `session`."""
    pairs = answers.items() if isinstance(answers, dict) else answers
    entries = [{"question": q, "answer": a, "at": f"2026-11-02T{10 + i // 60:02d}:{i % 60:02d}:00Z"}
               for i, (q, a) in enumerate(pairs)]
    path.write_text(json.dumps({"schema": "nasams-course/responses@2", "learner": learner, "responses": entries,
                                **({"session": session} if session else {})}), encoding="utf-8")
    return path


# -- figures ------------------------------------------------------------------------------------------------------

def test_figures_are_whole_or_tenth_percentages_and_what_is_not_defined_is_a_dash():
    assert [rp.score_text(v) for v in (None, float("nan"), np.nan, pd.NA, 0, 0.745, 0.755, 1)] == \
        ["–", "–", "–", "–", "0%", "75%", "76%", "100%"]
    assert [rp.pct_text(v) for v in (None, float("nan"), pd.NA, 0, 12.34, 12.36, -5.04, 100)] == \
        ["–", "–", "–", "0.0%", "12.3%", "12.4%", "-5.0%", "100.0%"]
    assert rp.pct_text(12.345, 2) == "12.35%" and rp.pct_text(12.5, 0) == "12%" and rp.pct_text(None, 2) == "–"
    assert [rp.pct0(v) for v in (None, np.nan, 0, 49.4, 49.6, 100)] == ["–", "–", "0%", "49%", "50%", "100%"]


def test_text_cells_are_escaped_and_missing_ones_are_empty():
    assert [rp.text(v) for v in (None, float("nan"), np.float64("nan"), 0, 3, 2.5, "", HOSTILE)] == \
        ["", "", "", "0", "3", "2.5", "", "&lt;b class=&quot;x&quot;&gt;Ann &amp; &#x27;Bo&#x27;&lt;/b&gt;"]


def test_a_question_links_to_its_text_and_a_cell_lists_five_then_how_many_more():
    assert rp.question_link('q-<a">') == '<a href="#question-q-&lt;a&quot;&gt;">q-&lt;a&quot;&gt;</a>'
    qids = [f"q-{i}" for i in range(1, 8)]
    links = [rp.question_link(q) for q in qids]
    assert rp.question_links(", ".join(qids)) == ", ".join(links[:5]) + " and 2 more"
    assert rp.question_links(", ".join(qids[:6])) == ", ".join(links[:5]) + " and 1 more"
    assert rp.question_links(", ".join(qids[:5])) == ", ".join(links[:5])
    assert rp.question_links("q-1") == links[0] and rp.question_links("") == ""


def test_a_table_has_a_caption_column_and_row_headers_numbers_aligned_and_its_csv_linked():
    frame = pd.DataFrame({"learner": [HOSTILE, "Cy"], "score": [0.5, None], "note": ["<i>", None]})
    columns = [rp.Column("learner", "Learner <1>"), rp.Column("score", "Final", rp.score_text, True),
               rp.Column("note", "Note")]
    html = rp.html_table(frame, "Roster & <more>", columns, "roster.csv")
    assert html == (
        '<div class="scroll" role="region" aria-label="Roster &amp; &lt;more&gt;" tabindex="0"><table>'
        '<caption>Roster &amp; &lt;more&gt; <a href="roster.csv">(CSV)</a></caption>'
        '<thead><tr><th scope="col">Learner &lt;1&gt;</th><th scope="col">Final</th><th scope="col">Note</th></tr>'
        "</thead><tbody>"
        f'<tr><th scope="row">{rp.text(HOSTILE)}</th><td class="num">50%</td><td>&lt;i&gt;</td></tr>'
        '<tr><th scope="row">Cy</th><td class="num">–</td><td></td></tr>'
        "</tbody></table></div>")
    assert "<caption>Roster &amp; &lt;more&gt;</caption>" in rp.html_table(frame, "Roster & <more>", columns, None)


def test_csv_tables_hold_scores_as_percentages_to_two_decimals_and_leave_the_page_s_table_alone():
    frame = pd.DataFrame({"learner": ["A", "B", "C"], "score": [0.123456, None, "x"], "share": [12.3456, 50, None],
                          "n": [1.23456, 2, 3]})
    out = rp.for_csv(frame, scores=("score",), pcts=("share",))
    assert out["score"].tolist()[0] == 12.35 and out["score"].isna().tolist() == [False, True, True]
    assert out["share"].tolist()[:2] == [12.35, 50] and pd.isna(out["share"].tolist()[2])
    assert out["n"].tolist() == [1.23456, 2, 3] and out["learner"].tolist() == ["A", "B", "C"]
    assert frame["score"].tolist()[0] == 0.123456 and frame["share"].tolist()[0] == 12.3456


def test_a_percentage_that_is_not_a_number_is_an_empty_csv_cell_as_a_score_is():
    """A percentage column (already in percent) that holds something other than a number (a dash, a word) gives an
    empty cell in the CSV file, as a score column does, not an error that stops the report."""
    frame = pd.DataFrame({"question": ["q-1", "q-2", "q-3", "q-4"], "share": [12.3456, "–", "n/a", None]})
    out = rp.for_csv(frame, pcts=("share",))
    assert out["share"].tolist()[0] == 12.35 and out["share"].isna().tolist() == [False, True, True, True]


# -- the output folder --------------------------------------------------------------------------------------------

def test_the_output_folder_must_be_new_empty_or_an_earlier_report(tmp_path, monkeypatch):
    assert rp.check_out(tmp_path / "new") == tmp_path / "new"
    (tmp_path / "empty").mkdir()
    assert rp.check_out(tmp_path / "empty") == tmp_path / "empty"
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(rp.ReportError, match=r"^--out .*a-file is a file, not a folder$"):
        rp.check_out(tmp_path / "a-file")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine")
    with pytest.raises(rp.ReportError, match=r"^--out .*full is not empty and holds no earlier report: choose an "
                                             r"empty or new folder$"):
        rp.check_out(tmp_path / "full")
    (tmp_path / "full" / "index.html").write_text("<html>someone else's page</html>")
    with pytest.raises(rp.ReportError, match="not empty"):
        rp.check_out(tmp_path / "full")
    (tmp_path / "earlier").mkdir()
    (tmp_path / "earlier" / "index.html").write_text(rp.page("Cohort report", "<p>x</p>"), encoding="utf-8")
    (tmp_path / "earlier" / "roster.csv").write_text("learner\n")
    assert rp.check_out(tmp_path / "earlier") == tmp_path / "earlier"
    monkeypatch.setenv("HOME", str(tmp_path))
    assert rp.check_out(rp.Path("~/earlier")) == tmp_path / "earlier"


def test_only_a_page_that_names_this_command_near_its_top_is_an_earlier_report(tmp_path):
    mark = f'<meta name="generator" content="{rp.GENERATOR}">'
    assert rp.GENERATOR == "nasams-course report"
    for name, content, ours in (("ours", mark, True), ("late", "x" * 2000 + mark, False),
                                ("just-in", "x" * (2000 - len(mark)) + mark, True),
                                ("one-past", "x" * (2001 - len(mark)) + mark, False),
                                ("other", mark.replace("report", "grade"), False)):
        (tmp_path / name).write_text(content, encoding="utf-8")
        assert rp.ours(tmp_path / name) is ours, name
    (tmp_path / "binary").write_bytes(b"\xff\xfe" + mark.encode())
    assert rp.ours(tmp_path / "binary") is False and rp.ours(tmp_path / "missing") is False
    assert rp.ours(tmp_path) is False  # a folder named index.html


def test_an_earlier_report_with_accented_names_is_recognised_whatever_the_machine_s_locale(tmp_path):
    """The C locale's encoding is ASCII: the page, written in UTF-8, is still read as UTF-8 and recognised."""
    (tmp_path / "index.html").write_text(rp.page("Cohort report: Zoë", "<p>Zoë</p>"), encoding="utf-8")
    with ascii_locale():
        assert rp.ours(tmp_path / "index.html") is True


def test_the_page_is_english_titled_escaped_and_forbids_scripts_and_requests():
    html = rp.page("Cohort report: <b>&", "<p>body</p>")
    assert html == (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"><meta name=\"viewport\" "
        'content="width=device-width, initial-scale=1"><meta name="generator" content="nasams-course report">'
        f"<title>Cohort report: &lt;b&gt;&amp;</title><style>{rp.STYLE}</style></head><body><main><p>body</p></main>"
        "</body></html>\n")
    assert html.startswith('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">')
    assert ('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; '
            "img-src data:\">") in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "<title>Cohort report: &lt;b&gt;&amp;</title>" in html and f"<style>{rp.STYLE}</style>" in html
    assert html.endswith("</head><body><main><p>body</p></main></body></html>\n")
    assert '<meta name="generator" content="nasams-course report">' in html[:2000]


# -- the cohort read from files ---------------------------------------------------------------------------------

def test_a_cohort_of_files_read_for_a_session_keeps_each_file_s_notes_problems_name_and_path(tmp_path):
    """`report FILES --session SYLLABUS` reads the cohort with the session's plan: each file's note on answers outside
    the session (Ana's and Bo's, both kept, in file order, each naming its file), a file saved from another session
    a problem naming its file, a file that is not JSON a problem (its learner key skipped), each learner's name and
    the path of their file, the session's questions as the scope, only attempts at them, and the session's title."""
    bank = course_bank()
    conf = load_syllabus(REPO / "syllabi" / "confidentiality-and-victims.yml", bank).plan
    part1 = load_syllabus(REPO / "syllabi" / "part1-assessment.yml", bank).plan
    inside = list(conf.questions[:2])
    outside = [q for q in part1.questions if q not in conf.questions][:2]
    keyed = {q: keyed_answer(bank.questions[q]) for q in (*inside, *outside)}
    paths = [responses_file(tmp_path / "ana.json", "Ana", {q: keyed[q] for q in (*inside, outside[0])}, conf.id),
             responses_file(tmp_path / "bo.json", "Bo", {q: keyed[q] for q in (inside[0], *outside)}, conf.id),
             tmp_path / "broken.json",
             responses_file(tmp_path / "cy.json", "Cy", {inside[1]: keyed[inside[1]]}, part1.id),
             responses_file(tmp_path / "dee.json", "Dee", {inside[0]: keyed[inside[0]]}, conf.id)]
    paths[2].write_text("{not json", encoding="utf-8")
    cohort = cohort_from_files(paths, bank, conf)
    assert cohort.notes == [
        f"{paths[0]}: 1 question(s) answered outside session 'confidentiality-and-victims' are not counted",
        f"{paths[1]}: 2 question(s) answered outside session 'confidentiality-and-victims' are not counted"]
    assert len(cohort.problems) == 2 and cohort.problems[0].startswith(str(paths[2]))
    assert cohort.problems[1] == f"{paths[3]}: saved from session 'part1-assessment', not 'confidentiality-and-victims'"
    assert cohort.learners.to_dict("records") == [
        {"key": "000000", "learner": "Ana", "file": str(paths[0])},
        {"key": "000001", "learner": "Bo", "file": str(paths[1])},
        {"key": "000003", "learner": "Cy", "file": str(paths[3])},
        {"key": "000004", "learner": "Dee", "file": str(paths[4])}]
    assert cohort.title == f"Session confidentiality-and-victims: {conf.title}" and conf.title
    assert cohort.source == "5 response file(s)" and list(cohort.questions) == list(conf.questions)
    table = cohort.attempts
    attempted = [(cohort.keys[lc], table.qids[q]) for lc, q in zip(table.learner, table.question, strict=True)]
    assert attempted == [
        ("000000", inside[0]), ("000000", inside[1]), ("000001", inside[0]), ("000003", inside[1]),
        ("000004", inside[0])]


def test_first_selections_are_every_option_chosen_on_a_first_attempt_the_widest_question_s_last_one_too(tmp_path):
    """The first-attempt selections of a cohort over a single question and the widest multi question of the bank:
    the single answer its option (value 1), the multi answer each option chosen with its position in the list, the
    widest question's last option included; a later attempt is not a first one."""
    bank = course_bank()
    single = next(q for q in bank.questions.values() if q.kind == "single")
    multi = max((q for q in bank.questions.values() if q.kind == "multi"), key=lambda q: len(q.options))
    assert len(multi.options) == max(len(q.options) for q in bank.questions.values())
    last, first = multi.option_ids[-1], multi.option_ids[0]
    scope = {single.id: single, multi.id: multi}
    paths = [responses_file(tmp_path / "ana.json", "Ana", {multi.id: [last, first], single.id: single.option_ids[-1]}),
             responses_file(tmp_path / "bo.json", "Bo", {multi.id: [last]})]
    later = json.loads(paths[1].read_text(encoding="utf-8"))
    later["responses"].append({"question": multi.id, "answer": [first], "at": "2026-11-02T11:00:00Z"})
    paths[1].write_text(json.dumps(later), encoding="utf-8")
    chosen = first_selections(grade_report_cohort(cohort_from_files(paths, bank, None, scope), load_catalog()))
    assert list(chosen.columns) == ["learner", "question", "option", "value"]
    assert sorted(chosen.astype({"learner": str, "question": str, "option": str}).itertuples(index=False, name=None)) \
        == sorted([("000000", single.id, single.option_ids[-1], 1.0), ("000000", multi.id, last, 0.0),
                   ("000000", multi.id, first, 1.0), ("000001", multi.id, last, 0.0)])


def test_first_selections_of_a_cohort_over_no_question_are_none():
    """A cohort graded over no question (a scope given by hand): no selection, the frame's columns still
    there."""
    cohort = cohort_from_files([], course_bank(), None, {})
    chosen = first_selections(grade_report_cohort(cohort, load_catalog()))
    assert list(chosen.columns) == ["learner", "question", "option", "value"] and chosen.empty


# -- what to look at first ----------------------------------------------------------------------------------------

def test_what_to_look_at_first_counts_complete_learners_critical_errors_flags_and_problems():
    frame = pd.DataFrame({"complete": [True, False, False], "critical": [0, 2, 1]})
    stats = pd.DataFrame({"review": ["", "very hard", "weak discrimination"]})
    quiz = SimpleNamespace(alpha=71.25)
    html = rp.first_look(frame, (stats, quiz), ["a.json: not valid JSON", "b.json: no learner"])
    assert html == (
        "<h2 id='first'>What to look at first</h2><ul>"
        "<li>1 of 3 learners complete (33%); <a href='#roster'>the roster</a> says why the others are not.</li>"
        "<li>2 learners with a critical error in their latest answers: <a href='#critical'>critical errors</a>.</li>"
        "<li>2 of 3 questions flagged for <a href='#review'>review</a>; reliability (Cronbach's alpha) 71.2%.</li>"
        "<li>2 problem(s) with the input: <a href='#problems'>see below</a>.</li></ul>")
    one = rp.first_look(pd.DataFrame({"complete": [True, True, False], "critical": [0, 0, 3]}), None, [])
    assert "<li>2 of 3 learners complete (67%);" in one
    assert "<li>1 learner with a critical error in their latest answers:" in one
    assert "<li>Item statistics are hidden: they need at least 10 learners.</li></ul>" in one
    assert "problem" not in one and "review" not in one
    alone = rp.first_look(pd.DataFrame({"complete": [True], "critical": [0]}), None, [])
    assert "<li>1 of 1 learners complete (100%);" in alone and "<li>0 learners with a critical error" in alone
    none = rp.first_look(pd.DataFrame({"complete": [], "critical": []}), None, [])
    assert "<li>0 of 0 learners complete (0%);" in none and "<li>0 learners with a critical error" in none


# -- the sections -------------------------------------------------------------------------------------------------

def test_the_roster_shows_what_was_answered_each_score_and_why_a_learner_is_not_complete(graded):
    frame = roster(graded)
    frame.loc[1, ["complete", "why_not"]] = [True, ""]
    section = rp.roster_section(graded, frame)
    html = section.html
    assert html.startswith(
        "<h2 id='roster'>Roster</h2><p>One row per learner: the questions answered of those in scope, the score of "
        "the first attempts (what they knew before the feedback) and of the latest (the final score, the mean of the "
        "provision scores, as <code>nasams-course grade</code> reports it), its level, the questions whose latest "
        "answer is a critical error, and whether the learner is complete (every provision attempted, every domain "
        "Proficient or better, no critical error) or why not.</p>")
    assert ('<thead><tr><th scope="col">Learner</th><th scope="col">Source file</th><th scope="col">Answered</th>'
            '<th scope="col">First attempts</th><th scope="col">Final</th><th scope="col">Level</th>'
            '<th scope="col">Critical errors</th><th scope="col">Complete</th></tr></thead>') in html
    assert '<caption>Roster <a href="roster.csv">(CSV)</a></caption>' in html
    rows = re.findall(r"<tr><th scope=\"row\">.*?</tr>", html)
    assert len(rows) == len(frame) == 12
    for row, (_, r) in zip(rows, frame.iterrows(), strict=True):
        assert row == (f'<tr><th scope="row">{rp.text(r["learner"])}</th><td>{rp.text(r["file"])}</td>'
                       f'<td>{r["answered"]} / {r["total"]}</td><td class="num">{rp.score_text(r["first_score"])}</td>'
                       f'<td class="num">{rp.score_text(r["score"])}</td><td>{rp.text(r["level"])}</td>'
                       f'<td class="num">{r["critical"]}</td>'
                       f'<td>{"yes" if r["complete"] else "no: " + rp.text(r["why_not"])}</td></tr>')
    assert rows[0].startswith('<tr><th scope="row">&lt;b class=&quot;x&quot;&gt;Ann &amp; &#x27;Bo&#x27;&lt;/b&gt;')
    assert "<td>yes</td>" in rows[1] and all("<td>no: " in r for r in rows[2:])
    [csv] = section.csv.values()
    assert list(section.csv) == ["roster.csv"]
    assert list(csv.columns) == ["learner", "file", "answered", "total", "first_attempt_pct", "final_pct", "level",
                                 "critical", "complete", "why_not"]
    assert np.allclose(csv["first_attempt_pct"], (100 * frame["first_score"].astype(float)).round(2))
    assert np.allclose(csv["final_pct"], (100 * frame["score"].astype(float)).round(2))
    assert csv["learner"].tolist() == frame["learner"].tolist()


def test_the_roster_counts_in_whole_numbers_and_says_why_each_learner_is_not_complete(tmp_path):
    """A cohort of four over the whole bank: Ana answers one question right, Bo's file answers nothing, Cy makes a
    critical error breaching two of its four provisions and Dee answers every question right. Each row's figures
    exactly: answered and critical errors whole numbers (written "1 / 152", never "1.0"), a learner with no attempt
    not complete, Dee complete, and why not in words (plurals, only the reasons that hold)."""
    bank = course_bank()
    q = bank.questions["q-e1-sobriety-date"]
    assert q.provisions == ["E1", "U2", "E6", "E13"] and q.breaches("write-as-asked") == ("U2", "E1")
    paths = [responses_file(tmp_path / "ana.json", "Ana", {q.id: keyed_answer(q)}),
             responses_file(tmp_path / "bo.json", "Bo", {}),
             responses_file(tmp_path / "cy.json", "Cy", {q.id: "write-as-asked"}),
             responses_file(tmp_path / "dee.json", "Dee", {i: keyed_answer(o) for i, o in bank.questions.items()})]
    graded = grade_report_cohort(cohort_from_files(paths, bank, None), load_catalog())
    frame = roster(graded)
    total = len(bank.questions)
    assert frame.drop(columns=["first_score", "score", "level"]).to_dict("records") == [
        {"learner": "Ana", "file": str(paths[0]), "answered": 1, "total": total, "critical": 0, "complete": False,
         "why_not": "40 provisions not attempted; 5 domains below Proficient"},
        {"learner": "Bo", "file": str(paths[1]), "answered": 0, "total": total, "critical": 0, "complete": False,
         "why_not": "44 provisions not attempted; 8 domains below Proficient"},
        {"learner": "Cy", "file": str(paths[2]), "answered": 1, "total": total, "critical": 1, "complete": False,
         "why_not": "40 provisions not attempted; 8 domains below Proficient; 2 provisions with a critical error"},
        {"learner": "Dee", "file": str(paths[3]), "answered": total, "total": total, "critical": 0,
         "complete": True, "why_not": ""}]
    assert frame["answered"].dtype == frame["critical"].dtype == np.int64
    assert frame["level"].fillna("-").tolist() == ["Mastery", "-", "Beginning", "Mastery"]
    assert np.array_equal(frame["first_score"], [1, np.nan, 0, 1], equal_nan=True)
    assert np.array_equal(frame["score"], [1, np.nan, 0, 1], equal_nan=True)
    html = rp.roster_section(graded, frame).html
    assert f"<td>1 / {total}</td>" in html and f"<td>0 / {total}</td>" in html and f"<td>{total} / {total}</td>" in html


def test_a_learner_of_a_cohort_over_no_question_has_nothing_answered():
    """A cohort over no question (a scope given by hand) with one learner: nothing to answer, no score, not
    complete, and why not is "nothing answered" (no provision, domain or critical error to name)."""
    cohort = cohort_from_files([], course_bank(), None, {})
    cohort = dataclasses.replace(cohort, learners=pd.DataFrame([("000000", "Nia", "nia.json")],
                                                               columns=["key", "learner", "file"]))
    frame = roster(grade_report_cohort(cohort, load_catalog()))
    assert frame.drop(columns=["first_score", "score"]).to_dict("records") == [
        {"learner": "Nia", "file": "nia.json", "answered": 0, "total": 0, "level": None, "critical": 0,
         "complete": False, "why_not": "nothing answered"}]
    assert frame[["first_score", "score"]].isna().all().all()


def test_why_not_names_each_reason_that_holds_singular_or_plural():
    """why_not's words: one provision / domain, two provisions / domains, a reason that does not hold left out (no
    empty part), nothing to name "nothing answered", a complete learner nothing."""
    assert why_not(False, 1, 1, 1) == ("1 provision not attempted; 1 domain below Proficient; "
                                       "1 provision with a critical error")
    assert why_not(False, 2, 2, 2) == ("2 provisions not attempted; 2 domains below Proficient; "
                                       "2 provisions with a critical error")
    assert why_not(False, 0, 0, 3) == "3 provisions with a critical error"
    assert why_not(False, 0, 3, 0) == "3 domains below Proficient"
    assert why_not(False, 3, 0, 0) == "3 provisions not attempted"
    assert why_not(False, 0, 0, 0) == "nothing answered"
    assert why_not(True, 1, 1, 1) == ""


def test_the_domain_levels_are_counts_with_their_share_of_the_cohort_and_the_charts_are_captioned(graded):
    names = graded.cohort.learners.set_index("key")["learner"]
    scores = rp.provision_matrix(graded)
    levels = domain_levels(graded)
    section = rp._profile_section(graded, names, scores, levels, "<svg>heat</svg>", "<svg>levels</svg>")
    html = section.html
    assert html.startswith(
        "<h2 id='profiles'>Provisions and domains</h2><figure><svg>heat</svg><figcaption>Provision scores of the "
        "latest answers per learner (<a href='provision-scores.csv'>provision-scores.csv</a>; with more than 60 "
        "learners, each row is a band of learners of similar overall score).</figcaption></figure><figure>"
        "<svg>levels</svg><figcaption>How many learners reach each level in each domain (<a href='domain-scores.csv'>"
        "domain-scores.csv</a> has each learner's scores).</figcaption></figure>")
    assert '<caption>Learners at each domain level <a href="domain-levels.csv">(CSV)</a></caption>' in html
    assert '<th scope="col">Domain</th>' + "".join(f'<th scope="col">{lv}</th>' for lv in LEVEL_ORDER) in html
    rows = re.findall(r"<tr><th scope=\"row\">.*?</tr>", html)
    assert len(rows) == len(levels) > 0
    for row, (_, r) in zip(rows, levels.iterrows(), strict=True):
        total = sum(r[lv] for lv in LEVEL_ORDER)
        assert total == 12
        cells = "".join(f'<td class="num">{r[lv]} ({100 * r[lv] / total:.0f}%)</td>' for lv in LEVEL_ORDER)
        assert row == f'<tr><th scope="row">{rp.text(r["title"])}</th>{cells}</tr>'
    assert list(section.csv) == ["provision-scores.csv", "domain-scores.csv", "domain-levels.csv"]
    wide = section.csv["provision-scores.csv"]
    assert wide.columns[0] == "learner" and wide["learner"].tolist() == names.reindex(scores.index).tolist()
    assert np.allclose(wide[scores.columns].astype(float).fillna(-1),
                       (100 * scores.astype(float)).round(2).fillna(-1))
    domains = section.csv["domain-scores.csv"]
    assert domains.columns[0] == "learner" and domains["learner"].tolist()[0] == HOSTILE
    assert domains.drop(columns="learner").max().max() > 1  # percentages, not 0-1
    assert section.csv["domain-levels.csv"] is levels


def test_a_domain_no_one_reached_shows_zero_counts_not_a_division_by_zero(graded):
    levels = domain_levels(graded).head(1).copy()
    levels[LEVEL_ORDER] = 0
    html = rp._profile_section(graded, graded.cohort.learners.set_index("key")["learner"],
                               rp.provision_matrix(graded), levels, "", "").html
    assert "".join('<td class="num">0 (0%)</td>' for _ in LEVEL_ORDER) in html


def table(html: str, caption: str) -> tuple[str, list[str], list[str]]:
    """The table captioned `caption` in `html`: its caption element's content, its column headers and its rows."""
    found = re.search(r'<div class="scroll" role="region" aria-label="([^"]*)" tabindex="0"><table><caption>'
                      + re.escape(caption) + r"(.*?)</caption><thead><tr>(.*?)</tr></thead><tbody>(.*?)</tbody>"
                      r"</table></div>", html)
    assert found, caption
    assert found.group(1) == caption
    heads = re.findall(r'<th scope="col">(.*?)</th>', found.group(3))
    return found.group(2), heads, re.findall(r"<tr>(.*?)</tr>", found.group(4))


def cells(values: list[str], first: str) -> str:
    """A row as html_table writes it: `first` the row header, then numeric cells."""
    return f'<th scope="row">{first}</th>' + "".join(f'<td class="num">{v}</td>' for v in values)


def test_critical_errors_are_listed_by_learner_and_by_question_with_their_provisions(graded):
    section = rp.critical_section(graded)
    html = section.html
    assert html.startswith(
        "<h2 id='critical'>Critical errors</h2><p>A critical error is an answer that chooses (or rates as "
        "appropriate) an action that breaches a provision: it caps that provision at Beginning. Each question links "
        "to its text below.</p><h3>By learner (latest answers)</h3>")
    by_learner, by_question = section.csv["critical-by-learner.csv"], section.csv["critical-by-question.csv"]
    assert list(section.csv) == ["critical-by-learner.csv", "critical-by-question.csv"]
    link, heads, rows = table(html, "Critical errors by learner")
    assert link == ' <a href="critical-by-learner.csv">(CSV)</a>'
    assert heads == ["Learner", "Source file", "Questions", "Which", "Provisions breached"]
    assert len(rows) == len(by_learner) > 1
    r = by_learner.iloc[0]
    assert rows[0] == (f'<th scope="row">{rp.text(r["learner"])}</th><td>{rp.text(r["file"])}</td>'
                       f'<td class="num">{r["critical"]}</td><td>{rp.question_links(r["questions"])}</td>'
                       f'<td>{r["provisions"]}</td>')
    assert "<h3>By learner (latest answers)</h3><div" in html and "</div><h3>By question</h3><div" in html
    link, heads, rows = table(html, "Critical errors by question")
    assert link == ' <a href="critical-by-question.csv">(CSV)</a>'
    assert heads == ["Question", "Learners (latest)", "Of those who answered", "Learners (first attempts)",
                     "Provisions breached"]
    shown = rp.critical_by_question(graded)
    assert len(rows) == len(shown) > 1
    for row, (_, q) in zip(rows, shown.iterrows(), strict=True):
        assert row == (f'<th scope="row">{rp.question_link(q["question"])}</th><td class="num">{q["critical_latest"]}'
                       f'</td><td class="num">{rp.pct0(q["share_latest"])}</td><td class="num">{q["critical_first"]}'
                       f'</td><td>{q["provisions"]}</td>')
    assert np.allclose(by_question["share_latest"], shown["share_latest"].astype(float).round(2), equal_nan=True)
    assert (by_question["share_latest"] != shown["share_latest"]).any()  # rounded to 2 decimals


def test_critical_errors_by_learner_name_every_question_in_order_and_the_provisions_breached(tmp_path):
    """critical_by_learner's rows, exactly: Ana (no critical error) has none; Cy's one critical error breaches U2 and
    E1, named in the catalog's order; Zed's critical errors on every question that has a violation (more than fifty,
    answered in reverse order) are listed in the scope's order, with every provision they breach, once each, in the
    catalog's order. A cohort where nobody made a critical error has no row and the same columns."""
    bank, catalog = course_bank(), load_catalog()
    violation = {}
    for q in bank.questions.values():
        for o in q.options:
            if q.kind == "single" and q.breaches(o.id):
                violation.setdefault(q.id, o.id)
    assert len(violation) > 50
    q = bank.questions["q-e1-sobriety-date"]
    paths = [responses_file(tmp_path / "ana.json", "Ana", {q.id: keyed_answer(q)}),
             responses_file(tmp_path / "cy.json", "Cy", {q.id: "write-as-asked"}),
             responses_file(tmp_path / "zed.json", "Zed", dict(reversed(violation.items())))]
    graded = grade_report_cohort(cohort_from_files(paths, bank, None), catalog)
    breached = {p for qid, oid in violation.items() for p in bank.questions[qid].breaches(oid)}
    assert critical_by_learner(graded).to_dict("records") == [
        {"learner": "Cy", "file": str(paths[1]), "critical": 1, "questions": q.id, "provisions": "E1, U2"},
        {"learner": "Zed", "file": str(paths[2]), "critical": len(violation),
         "questions": ", ".join(qid for qid in bank.questions if qid in violation),
         "provisions": ", ".join(p for p in catalog.ids if p in breached)}]
    clean = grade_report_cohort(cohort_from_files(paths[:1], bank, None), catalog)
    none = critical_by_learner(clean)
    assert list(none.columns) == ["learner", "file", "critical", "questions", "provisions"] and none.empty


def scoped_cohort(tmp_path):
    """Four learners over five questions given in reverse alphabetical order (q-e6, q-e3, q-e2, q-e10, q-e1): Ana
    breaches q-e6 and q-e3 and answers q-e1 right; Bo breaches q-e6 and breaches q-e2 first, then answers it right;
    Cy answers q-e10 right first, then breaches it; Dee answers q-e6 right."""
    bank = course_bank()
    e6, e3, e2, e10, e1 = ("q-e6-friday-interviews", "q-e3-purge-before-move", "q-e2-guideline-math",
                           "q-e10-flat-fee-response", "q-e1-sobriety-date")
    keyed = {q: keyed_answer(bank.questions[q]) for q in (e6, e3, e2, e10, e1)}
    paths = [responses_file(tmp_path / "ana.json", "Ana", [(e6, "ask-colleague"), (e3, "shred-notes"), (e1, keyed[e1])]),
             responses_file(tmp_path / "bo.json", "Bo", [(e6, "ask-colleague"), (e2, "keep-template"), (e2, keyed[e2])]),
             responses_file(tmp_path / "cy.json", "Cy", [(e10, keyed[e10]), (e10, "sign-and-track")]),
             responses_file(tmp_path / "dee.json", "Dee", [(e6, keyed[e6])])]
    scope = {q: bank.questions[q] for q in (e6, e3, e2, e10, e1)}
    return grade_report_cohort(cohort_from_files(paths, bank, None, scope), load_catalog())


def test_critical_errors_by_question_latest_first_their_share_and_provisions_most_first_then_in_scope_order(tmp_path):
    """critical_by_question's rows, exactly (scoped_cohort): q-e6 (two of three latest answers critical, 66.7%),
    q-e3 and q-e10 (one each, 100% of the one answer; tied, so in the scope's order, not the alphabet's), then q-e2
    (critical only on a first attempt: 0 of 1 latest); q-e10's provision from its latest answer only, q-e2's from its
    first only; q-e1 (answered, no critical error) has no row. Counts are whole numbers, the index a plain range. A
    cohort with no critical error has no row and the same columns."""
    graded = scoped_cohort(tmp_path)
    frame = rp.critical_by_question(graded)
    assert list(frame.columns) == ["question", "critical_latest", "share_latest", "critical_first", "provisions"]
    assert frame.to_dict("records") == [
        {"question": "q-e6-friday-interviews", "critical_latest": 2, "share_latest": 100 * 2 / 3,
         "critical_first": 2, "provisions": "E6"},
        {"question": "q-e3-purge-before-move", "critical_latest": 1, "share_latest": 100.0, "critical_first": 1,
         "provisions": "E3"},
        {"question": "q-e10-flat-fee-response", "critical_latest": 1, "share_latest": 100.0, "critical_first": 0,
         "provisions": "E10"},
        {"question": "q-e2-guideline-math", "critical_latest": 0, "share_latest": 0.0, "critical_first": 1,
         "provisions": "E2"}]
    assert frame["critical_latest"].dtype == frame["critical_first"].dtype == np.int64
    assert frame.index.equals(pd.RangeIndex(4))
    bank = course_bank()
    q = bank.questions["q-e1-sobriety-date"]
    clean = grade_report_cohort(cohort_from_files([responses_file(tmp_path / "ann.json", "Ann", {q.id: keyed_answer(q)})],
                                                  bank, None), load_catalog())
    none = rp.critical_by_question(clean)
    assert list(none.columns) == list(frame.columns) and none.empty


def test_provision_scores_are_learners_by_the_scope_s_provisions_and_domain_levels_count_each_domain(tmp_path):
    """provision_matrix exactly (scoped_cohort): a row per learner key, a column per provision of the scope in the
    catalog's order (a plain Index of names, not the grader's categories), NaN where not attempted, latest and first
    attempts; domain_levels' columns (domain, title, then the levels) and counts, per domain in the catalog's order.
    A cohort of no learner has the scope's provisions as float columns and no row."""
    graded = scoped_cohort(tmp_path)
    columns = pd.Index(["E1", "E2", "E3", "E6", "E10", "E13", "U2"], name="provision")
    index = pd.Index(["000000", "000001", "000002", "000003"], name="key")
    nan = np.nan
    pd.testing.assert_frame_equal(rp.provision_matrix(graded), pd.DataFrame(
        [[1, nan, 0, 0.5, nan, 1, 1], [nan, 1, 0, 0, nan, 1, nan], [0, nan, nan, nan, 0, nan, nan],
         [nan, nan, 1, 1, nan, nan, nan]], index=index, columns=columns, dtype=float))
    pd.testing.assert_frame_equal(rp.provision_matrix(graded, "first"), pd.DataFrame(
        [[1, nan, 0, 0.5, nan, 1, 1], [nan, 0, 0, 0, nan, 0, nan], [1, nan, nan, nan, 1, nan, nan],
         [nan, nan, 1, 1, nan, nan, nan]], index=index, columns=columns, dtype=float))
    levels = domain_levels(graded)
    assert list(levels.columns) == ["domain", "title", *LEVEL_ORDER]
    assert levels.drop(columns="title").to_dict("records") == [
        {"domain": "integrity", "Mastery": 1, "Proficient": 0, "Developing": 0, "Beginning": 1, "not started": 2},
        {"domain": "competence", "Mastery": 1, "Proficient": 0, "Developing": 0, "Beginning": 0, "not started": 3},
        {"domain": "confidentiality", "Mastery": 1, "Proficient": 0, "Developing": 0, "Beginning": 2,
         "not started": 1},
        {"domain": "team", "Mastery": 2, "Proficient": 0, "Developing": 0, "Beginning": 0, "not started": 2}]
    titles = {d.id: d.title for d in load_catalog().domains}
    assert levels["title"].tolist() == [titles[d] for d in levels["domain"]]
    empty = rp.provision_matrix(grade_report_cohort(cohort_from_files([], course_bank(), None, graded.cohort.questions),
                                                    load_catalog()))
    assert empty.empty and list(empty.columns) == list(columns) and (empty.dtypes == np.float64).all()


def test_domain_scores_are_learners_by_the_scope_s_domains_and_first_scores_keep_to_the_report_s_learners(tmp_path):
    """domain_matrix exactly (scoped_cohort): a row per learner key (a plain Index named key), a column per domain of
    the scope in the catalog's order (a plain Index of ids), NaN where nothing was attempted; a cohort of no learner
    has the domains as object columns and no row. first_attempt_scores of a report that leaves Ana out: her
    questions still columns (answered by someone), her scores on no other learner's row."""
    graded = scoped_cohort(tmp_path)
    nan = np.nan
    pd.testing.assert_frame_equal(domain_matrix(graded), pd.DataFrame(
        [[1, nan, 0.25, 1], [nan, 1, 0, 1], [0, nan, nan, nan], [nan, nan, 1, nan]], dtype=float,
        index=pd.Index(["000000", "000001", "000002", "000003"], name="key"),
        columns=pd.Index(["integrity", "competence", "confidentiality", "team"], name="domain")))
    empty = domain_matrix(grade_report_cohort(cohort_from_files([], course_bank(), None, graded.cohort.questions),
                                              load_catalog()))
    assert empty.empty and list(empty.columns) == ["integrity", "competence", "confidentiality", "team"]
    assert empty.dtypes.tolist() == [np.dtype(object)] * 4
    without_ana = dataclasses.replace(graded, cohort=dataclasses.replace(
        graded.cohort, learners=graded.cohort.learners.iloc[1:].reset_index(drop=True)))
    pd.testing.assert_frame_equal(first_attempt_scores(without_ana), pd.DataFrame(
        [[0, 0, 0, 0, 0], [0, 0, 0, 1, 0], [1, 0, 0, 0, 0]], dtype=float, index=["000001", "000002", "000003"],
        columns=["q-e6-friday-interviews", "q-e3-purge-before-move", "q-e2-guideline-math",
                 "q-e10-flat-fee-response", "q-e1-sobriety-date"]))


def test_first_attempt_scores_leave_out_a_question_whose_only_first_attempts_are_empty():
    """An empty first attempt (no option chosen, as a gradebook may hold) is not an answer: Ana's first attempt at
    q-e6 is empty (her second, right, is not a first one), so q-e6 is no column; Bo's right answer to q-e3 is."""
    bank, catalog = course_bank(), load_catalog()
    e6, e3 = bank.questions["q-e6-friday-interviews"], bank.questions["q-e3-purge-before-move"]
    scope = {e6.id: e6, e3.id: e3}
    table, keys = attempt_table(selections_frame({
        "000000": [Attempt(e6.id, None, 1, 0), Attempt(e6.id, keyed_answer(e6), 2, 1)],
        "000001": [Attempt(e3.id, keyed_answer(e3), 1, 0)]}), bank_arrays(scope, catalog))
    cohort = dataclasses.replace(cohort_from_files([], bank, None, scope), attempts=table, keys=keys,
                                 learners=pd.DataFrame([("000000", "Ana", "a.json"), ("000001", "Bo", "b.json")],
                                                       columns=["key", "learner", "file"]))
    pd.testing.assert_frame_equal(first_attempt_scores(grade_report_cohort(cohort, catalog)),
                                  pd.DataFrame({e3.id: [0.0, 1.0]}, index=["000000", "000001"]))


def test_with_no_critical_error_the_section_says_so(graded, monkeypatch):
    monkeypatch.setattr(rp, "critical_by_learner", lambda g: pd.DataFrame())
    monkeypatch.setattr(rp, "critical_by_question", lambda g: pd.DataFrame({"share_latest": []}))
    html = rp.critical_section(graded).html
    assert html.endswith("<h3>By learner (latest answers)</h3><p>No learner's latest answer is a critical error.</p>"
                         "<h3>By question</h3><p>No critical error on any question, first or latest.</p>")


def test_item_statistics_are_hidden_below_ten_learners_and_distractors_too(graded):
    assert ia.MIN_LEARNERS == 10
    hidden = rp.item_section(9, None)
    assert hidden.csv == {} and hidden.html == (
        "<h2 id='items'>Item analysis (first attempts)</h2><p class='flag'>Item statistics need at least 10 learners; "
        "this report has 9, so they are not shown (with so few, a correlation or a reliability means nothing).</p>")
    scores = first_attempt_scores(graded)
    for n in (0, 9):
        none = rp.distractor_section(graded, n, scores)
        assert none.csv == {} and none.html == (
            "<h2 id='distractors'>Distractor analysis (first attempts)</h2><p class='flag'>Distractor analysis by "
            f"thirds of the cohort needs at least 10 learners; this report has {n}, so it is not shown.</p>")
    shown = rp.distractor_section(graded, 10, scores)
    assert "Lower third" in shown.html and set(shown.csv) == {"distractors-choice.csv", "distractors-rate.csv",
                                                              "distractors-order.csv"}


def test_a_definition_is_its_term_before_the_first_colon_and_all_the_rest(graded, monkeypatch):
    """Each definition is split at its first colon only: a definition whose text holds colons of its own is shown
    whole, escaped."""
    scores = first_attempt_scores(graded)
    tables = rp.item_tables(graded, scores)
    monkeypatch.setattr(ia, "DEFINITIONS", {"x": "Term <1>: the text: with colons: three"})
    html = rp.item_section(12, tables).html
    assert "<dl><dt>Term &lt;1&gt;</dt><dd>the text: with colons: three</dd></dl>" in html


def test_item_analysis_shows_each_statistic_defined_the_test_s_figures_and_the_questions_to_review(graded):
    scores = first_attempt_scores(graded)
    stats, quiz = rp.item_tables(graded, scores)
    section = rp.item_section(12, (stats, quiz))
    html = section.html
    assert html.startswith(
        "<h2 id='items'>Item analysis (first attempts)</h2><p>On each learner's first attempt at each question (what "
        "they knew before the feedback), with Moodle's definitions; a question a learner left unanswered counts 0, as "
        "in a submitted quiz. Only questions someone answered are included.</p><dl><dt>Facility index</dt><dd>the "
        "average first-attempt score on the question, as a percentage of its marks (high is easy, low is hard).</dd>"
        "<dt>Standard deviation</dt><dd>how much the learners&#x27; first-attempt scores")
    assert html.count("<dt>") == len(ia.DEFINITIONS) == 7
    assert ("<dt>Cronbach&#x27;s alpha (KR-20 for questions scored right or wrong)</dt><dd>how consistently the "
            "questions measure the same thing; above 75% is satisfactory, below 64% the test as a whole is not.</dd>"
            ) in html
    link, heads, rows = table(html, "The test as a whole")
    assert link == ' <a href="quiz-statistics.csv">(CSV)</a>' and heads == ["Figure", "Value"]
    assert rows == [f'<th scope="row">{rp.text(k)}</th><td>{v}</td>' for k, v in (
        ("Learners", "12"), ("Questions", f"{quiz.items}"), ("Mean total (first attempts)", f"{quiz.mean:.1f}%"),
        ("Standard deviation of totals", f"{quiz.sd:.1f}%"), ("Cronbach's alpha (KR-20)", f"{quiz.alpha:.1f}%"),
        ("Error ratio", f"{quiz.error_ratio:.1f}%"),
        ("Standard error", f"{quiz.standard_error:.1f} percentage points"))]
    flagged = stats[stats["review"] != ""]
    assert 0 < len(flagged) < len(stats)
    assert "</div><h3 id='review'>Questions to review</h3><div" in html
    link, heads, rows = table(html, "Questions to review")
    assert link == ' <a href="item-statistics.csv">(CSV)</a>' and heads == ["Question", "Why"]
    assert rows == [f'<th scope="row">{rp.question_link(q)}</th><td>{rp.text(why)}</td>'
                    for q, why in zip(flagged["question"], flagged["review"], strict=True)]
    assert "</div><h3>Every question</h3><div" in html
    link, heads, rows = table(html, "Item statistics")
    assert link == ' <a href="item-statistics.csv">(CSV)</a>'
    assert heads == ["Question", "Kind", "Answered", "Facility", "SD", "Discrimination", "Efficiency",
                     "Critical errors"]
    assert len(rows) == len(stats)
    for row, (_, s) in zip(rows, stats.iterrows(), strict=True):
        assert row == (f'<th scope="row">{rp.question_link(s["question"])}</th><td>{s["kind"]}</td>'
                       + "".join(f'<td class="num">{v}</td>' for v in (
                           s["answered"], rp.pct_text(s["facility"]), rp.pct_text(s["sd"]),
                           rp.pct_text(s["discrimination"]), rp.pct_text(s["efficiency"]), rp.pct0(s["critical"]))))
    assert list(section.csv) == ["item-statistics.csv", "quiz-statistics.csv"]
    csv = section.csv["item-statistics.csv"]
    assert list(csv.columns) == ["question", "kind", "answered", "facility", "sd", "discrimination", "efficiency",
                                 "critical", "review"]
    for c in ("facility", "sd", "discrimination", "efficiency", "critical"):
        assert np.allclose(csv[c].astype(float), stats[c].astype(float).round(2), equal_nan=True), c
    [quiz_row] = section.csv["quiz-statistics.csv"].to_dict("records")
    assert quiz_row == {"learners": 12, "items": quiz.items, "mean": round(quiz.mean, 2), "sd": round(quiz.sd, 2),
                        "alpha": round(quiz.alpha, 2), "error_ratio": round(quiz.error_ratio, 2),
                        "standard_error": round(quiz.standard_error, 2)}


def test_item_tables_add_each_question_s_kind_how_many_answered_its_critical_rate_and_why_to_review(graded,
                                                                                                  monkeypatch):
    scores = first_attempt_scores(graded)
    stats, quiz = rp.item_tables(graded, scores)
    assert quiz == ia.quiz_statistics(scores) and len(stats) == scores.shape[1]
    items = graded.first["items"]
    answered = items[~items["unanswered"]]
    for _, s in stats.iterrows():
        mine = answered[answered["question"] == s["question"]]
        assert s["kind"] == graded.cohort.questions[s["question"]].kind
        assert s["answered"] == len(mine)
        assert s["critical"] == pytest.approx(100 * mine["critical"].mean())
        assert s["review"] == "; ".join(ia.review_reasons(s, 12))
    assert (stats["answered"] < 12).any() and stats["critical"].between(0, 100).all() and stats["critical"].max() > 0
    assert all(type(n) is int for n in stats["answered"].tolist())  # shown as 10, not 10.0
    # the reasons to review a question are given the number of learners (a question few answered says so), joined
    asked = []
    monkeypatch.setattr(ia, "review_reasons", lambda row, learners: asked.append(learners) or ["hard", "weak"])
    flagged, _quiz = rp.item_tables(graded, scores)
    assert set(asked) == {12} and set(flagged["review"]) == {"hard; weak"}
    # each question gets its own figures, whatever the order of the score matrix's columns
    backwards, _quiz = rp.item_tables(graded, scores[scores.columns[::-1]])
    assert backwards["question"].tolist() == stats["question"].tolist()[::-1]
    for c in ("answered", "critical", "kind"):
        assert backwards[c].tolist() == stats[c].tolist()[::-1], c


def test_nothing_flagged_for_review_is_said_in_words(graded):
    stats, quiz = rp.item_tables(graded, first_attempt_scores(graded))
    html = rp.item_section(12, (stats.assign(review=""), quiz)).html
    assert "<h3 id='review'>Questions to review</h3><p>No question is flagged for review.</p><h3>Every question" in html
    none = dataclasses.replace(quiz, standard_error=None, alpha=None)
    html = rp.item_section(12, (stats, none)).html
    assert ("<tr><th scope=\"row\">Cronbach&#x27;s alpha (KR-20)</th><td>–</td></tr><tr><th scope=\"row\">Error "
            "ratio</th>") in html and '<th scope="row">Standard error</th><td>–</td>' in html


def test_distractor_tables_show_each_option_s_share_by_third_ratings_and_positions(graded):
    scores = first_attempt_scores(graded)
    section = rp.distractor_section(graded, 12, scores)
    html = section.html
    assert html.startswith(
        "<h2 id='distractors'>Distractor analysis (first attempts)</h2><p>Learners are split into thirds by their "
        "first-attempt total. A working distractor draws more of the lower third than of the upper; a keyed option "
        "should do the opposite.</p><h3>Single and multi: who chose each option</h3><div")
    choice, rate, order = (section.csv[f"distractors-{k}.csv"] for k in ("choice", "rate", "order"))
    assert list(section.csv) == ["distractors-choice.csv", "distractors-rate.csv", "distractors-order.csv"]
    link, heads, rows = table(html, "Option shares by third of the cohort")
    assert link == ' <a href="distractors-choice.csv">(CSV)</a>'
    assert heads == ["Question", "Option", "Key", "All", "Lower third", "Middle third", "Upper third"]
    shares = rp.choice_shares(rp.first_selections(graded), graded.cohort.questions, ia.thirds(scores.sum(axis=1)))
    assert len(rows) == len(shares) == len(choice) > 0
    for row, (_, c) in zip(rows, shares.iterrows(), strict=True):
        assert row == (f'<th scope="row">{rp.question_link(c["question"])}</th><td>{rp.text(c["option"])}</td>'
                       f'<td>{rp.text(c["key"])}</td>'
                       + "".join(f'<td class="num">{rp.pct0(c[t])}</td>' for t in ("all", "lower", "middle", "upper")))
    for t in ("all", "lower", "middle", "upper"):
        assert np.allclose(choice[t], shares[t].astype(float).round(2), equal_nan=True)
    assert "</div><h3>Rate: ratings against the key</h3><div" in html
    link, heads, rows = table(html, "Ratings of each action")
    assert link == ' <a href="distractors-rate.csv">(CSV)</a>'
    assert heads == ["Question", "Action", "Key", "Rated 1", "Rated 2", "Rated 3", "Rated 4",
                     "Mean distance from the key"]
    ratings = rp.rating_shares(rp.first_selections(graded), graded.cohort.questions)
    assert len(rows) == len(ratings) > 0
    for row, (_, r) in zip(rows, ratings.iterrows(), strict=True):
        assert row == (f'<th scope="row">{rp.question_link(r["question"])}</th><td>{rp.text(r["option"])}</td>'
                       f'<td>{rp.text(r["key"])}</td>'
                       + "".join(f'<td class="num">{rp.pct0(r[f"rated {k}"])}</td>' for k in range(1, 5))
                       + f'<td class="num">{r["mean distance"]:.2f} points</td>')
    assert np.allclose(rate["mean distance"], ratings["mean distance"].astype(float).round(2))
    assert np.allclose(rate["rated 1"], ratings["rated 1"].astype(float).round(2))
    assert "</div><h3>Order: where each step was placed</h3><div" in html
    link, heads, rows = table(html, "Position of each step")
    assert link == ' <a href="distractors-order.csv">(CSV)</a>'
    positions = rp.position_shares(rp.first_selections(graded), graded.cohort.questions)
    pos = [c for c in positions.columns if c.startswith("position ")]
    assert heads == ["Question", "Step", "Key", *(f"Position {i}" for i in range(1, len(pos) + 1))] and len(pos) > 4
    assert len(rows) == len(positions) > 0
    for row, (_, p) in zip(rows, positions.iterrows(), strict=True):
        assert row == (f'<th scope="row">{rp.question_link(p["question"])}</th><td>{rp.text(p["option"])}</td>'
                       f'<td>{rp.text(p["key"])}</td>' + "".join(f'<td class="num">{rp.pct0(p[c])}</td>' for c in pos))
    assert "<td class=\"num\">–</td>" in html  # a position a shorter question does not have
    assert np.allclose(order[pos].astype(float), positions[pos].astype(float).round(2), equal_nan=True)


def test_a_mean_distance_that_is_not_defined_is_a_dash(graded, monkeypatch):
    real = rp.rating_shares
    monkeypatch.setattr(rp, "rating_shares", lambda *a: real(*a).assign(**{"mean distance": np.nan}))
    html = rp.distractor_section(graded, 12, first_attempt_scores(graded)).html
    _link, _heads, rows = table(html, "Ratings of each action")
    assert rows and all(r.endswith('<td class="num">–</td>') for r in rows)


def test_sections_with_no_question_of_a_kind_answered_say_so(graded, monkeypatch):
    for name in ("choice_shares", "rating_shares", "position_shares"):
        monkeypatch.setattr(rp, name, lambda *a: pd.DataFrame({"question": [], "all": [], "lower": [], "middle": [],
                                                              "upper": [], "mean distance": []}))
    html = rp.distractor_section(graded, 12, first_attempt_scores(graded)).html
    assert html.endswith(
        "<h3>Single and multi: who chose each option</h3><p>No single or multi question was answered.</p>"
        "<h3>Rate: ratings against the key</h3><p>No rate question was answered.</p>"
        "<h3>Order: where each step was placed</h3><p>No order question was answered.</p>")


def test_each_question_s_text_is_shown_escaped_with_its_options_and_their_keys(graded):
    bank = course_bank()
    single = next(q for q in bank.questions.values() if q.kind == "single")
    rate = next(q for q in bank.questions.values() if q.kind == "rate")
    options = [o.model_copy(update={"text": f"<img src=x onerror=alert({i})> & more"})
               for i, o in enumerate(single.options)]
    hostile = single.model_copy(update={"stem": "<script>alert('stem')</script> & \"quoted\"", "options": options})
    cohort = dataclasses.replace(graded.cohort, questions={'q-<b>"x"': hostile, rate.id: rate})
    section = rp.questions_section(dataclasses.replace(graded, cohort=cohort))
    html = section.html
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert html.startswith(
        "<h2 id='questions'>The questions</h2><section class=\"question-text\" id=\"question-q-&lt;b&gt;&quot;x&quot;\">"
        "<h3>q-&lt;b&gt;&quot;x&quot;</h3><p class='muted'>Single best answer · provisions "
        f"{', '.join(single.provisions)}</p><p>&lt;script&gt;alert(&#x27;stem&#x27;)&lt;/script&gt; &amp; "
        "&quot;quoted&quot;</p><ul><li><strong>")
    assert "<ul>" + "".join(f"<li><strong>{o.id}</strong>: &lt;img src=x onerror=alert({i})&gt; &amp; more <span "
                            f"class='muted'>({rp.option_key(single, o.id)})</span></li>"
                            for i, o in enumerate(single.options)) + "</ul></section>" in html
    assert (f'<section class="question-text" id="question-{rate.id}"><h3>{rate.id}</h3><p class=\'muted\'>Rate each '
            f"action · provisions {', '.join(rate.provisions)}</p><p>{rp.text(rate.stem)}</p><ul>") in html
    assert f"({rp.option_key(rate, rate.options[0].id)})" in html and "rated " in rp.option_key(rate, rate.options[0].id)
    assert html.endswith("</ul></section>") and html.count("<section") == 2
    [csv] = section.csv.values()
    assert list(section.csv) == ["questions.csv"]
    assert csv.to_dict("records") == [
        {"question": 'q-<b>"x"', "kind": "single", "provisions": ", ".join(single.provisions), "stem": hostile.stem},
        {"question": rate.id, "kind": "rate", "provisions": ", ".join(rate.provisions), "stem": rate.stem}]


# -- the whole page -----------------------------------------------------------------------------------------------

def no_charts(monkeypatch):
    """The charts (tests/test_report_charts.py) left out: the page is made in a fraction of the time."""
    monkeypatch.setattr(rp, "start_charts", lambda *args: lambda: ('<svg id="heat"></svg>', '<svg id="levels"></svg>'))


def test_the_report_is_one_page_its_tables_as_csv_and_an_earlier_report_s_tables_do_not_linger(graded, tmp_path,
                                                                                                monkeypatch):
    no_charts(monkeypatch)
    out = tmp_path / "new" / "report"
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")  # 14 hours ahead of UTC: the time written must still be UTC
    time.tzset()
    try:
        written = rp.write_report(graded, out)
    finally:
        monkeypatch.undo()
        time.tzset()
    no_charts(monkeypatch)
    names = ["roster.csv", "provision-scores.csv", "domain-scores.csv", "domain-levels.csv", "critical-by-learner.csv",
             "critical-by-question.csv", "item-statistics.csv", "quiz-statistics.csv", "distractors-choice.csv",
             "distractors-rate.csv", "distractors-order.csv", "questions.csv"]
    assert written == [out / "index.html", *(out / n for n in names)]
    assert sorted(p.name for p in out.iterdir()) == sorted(["index.html", *names])
    roster_csv = (out / "roster.csv").read_bytes()
    assert b"\r\n" in roster_csv and b"'=" not in roster_csv
    html = (out / "index.html").read_text(encoding="utf-8")
    assert rp.ours(out / "index.html")
    questions = len(graded.cohort.questions)
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "<title>Cohort report: The whole course</title>" in html
    assert "<h1>Cohort report: The whole course</h1>" in html
    when = re.search(r"<p class='muted'>12 learners, (\d+) questions in scope; from 13 response file\(s\); written "
                     r"(\d{4}-\d\d-\d\d \d\d:\d\d) UTC by <code>nasams-course report</code>. Every table is also a "
                     r"CSV file in this folder.</p>", html)
    assert when and int(when.group(1)) == questions
    written_at = rp.datetime.strptime(when.group(2), "%Y-%m-%d %H:%M").replace(tzinfo=rp.UTC)
    assert abs((rp.datetime.now(rp.UTC) - written_at).total_seconds()) < 120
    assert ("<nav aria-label='Contents'><ul><li><a href='#first'>What to look at first</a></li>"
            "<li><a href='#roster'>Roster</a></li><li><a href='#profiles'>Provisions and domains</a></li>"
            "<li><a href='#critical'>Critical errors</a></li><li><a href='#items'>Item analysis</a></li>"
            "<li><a href='#distractors'>Distractor analysis</a></li><li><a href='#questions'>The questions</a></li>"
            "</ul></nav><h2 id='first'>What to look at first</h2>") in html
    order = [html.index(f"<h2 id='{h}'>") for h in ("first", "roster", "profiles", "critical", "items", "distractors",
                                                     "questions", "problems")]
    assert order == sorted(order)
    for before, h in (("</table></div>", "profiles"), ("</table></div>", "critical"), ("</table></div>", "items"),
                      ("</table></div>", "distractors"), ("</table></div>", "questions"), ("</section>", "problems")):
        assert f"{before}<h2 id='{h}'>" in html, h  # one section after another, nothing between
    assert "questions flagged for <a href='#review'>review</a>; reliability (Cronbach's alpha)" in html
    assert "Item statistics are hidden" not in html
    assert "<li>1 problem(s) with the input: <a href='#problems'>see below</a>.</li>" in html
    problems = html[html.index("<h2 id='problems'>"):]
    assert problems.startswith("<h2 id='problems'>Problems and notes about the input</h2><ul><li>")
    assert "&lt;i&gt;bad&lt;i&gt;.json: not valid JSON" in problems and "<i>" not in html
    assert problems.endswith("</li></ul></main></body></html>\n")
    assert '<figure><svg id="heat"></svg><figcaption>' in html and '<figure><svg id="levels"></svg>' in html
    assert "Cronbach" in html and "<th scope=\"row\">&lt;b class=" in html
    # an earlier report in the folder: its tables are replaced, one not written this time is removed
    (out / "old-table.csv").write_text("x\n")
    notes = ["a <note>", "another"]
    few = dataclasses.replace(graded, cohort=dataclasses.replace(graded.cohort, problems=[], notes=notes))
    rp.write_report(few, out)
    assert not (out / "old-table.csv").exists() and (out / "roster.csv").exists()
    html = (out / "index.html").read_text(encoding="utf-8")
    assert ("<h2 id='problems'>Problems and notes about the input</h2><ul><li>a &lt;note&gt;</li><li>another</li>"
            "</ul>") in html
    assert "problem(s) with the input" not in html


def test_a_report_of_one_learner_says_learner_and_hides_the_statistics(graded, tmp_path, monkeypatch):
    no_charts(monkeypatch)
    key = graded.cohort.learners["key"].iloc[1]
    one = graded.cohort.learners[graded.cohort.learners["key"] == key].reset_index(drop=True)
    latest = {k: v[v["learner"] == key] if "learner" in v else v for k, v in graded.latest.items()}
    first = {k: v[v["learner"] == key] if "learner" in v else v for k, v in graded.first.items()}
    cohort = dataclasses.replace(graded.cohort, learners=one, problems=[], notes=[])
    small = dataclasses.replace(graded, cohort=cohort, latest=latest, first=first)
    with ascii_locale():  # ASCII: the page (its dashes, its "·") is still written, in UTF-8
        written = rp.write_report(small, tmp_path)
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "<p class='muted'>1 learner, " in html and "<h2 id='problems'>" not in html
    assert html.endswith("</ul></section></main></body></html>\n") and "·" in html
    assert "Item statistics need at least 10 learners; this report has 1" in html
    assert "<li>Item statistics are hidden: they need at least 10 learners.</li>" in html
    assert not (tmp_path / "item-statistics.csv").exists() and tmp_path / "roster.csv" in written


def test_the_heat_map_is_given_each_learner_s_scores_critical_errors_name_and_the_domain_levels(graded, monkeypatch):
    given = []
    monkeypatch.setattr(rp, "start_charts", lambda *args: given.append(args) or (lambda: ("<svg>h</svg>",
                                                                                         "<svg>d</svg>")))
    section = rp.profile_section(graded)()
    [(scores, critical, names, levels)] = given
    assert scores.equals(rp.provision_matrix(graded))
    crosses = rp.provision_matrix(graded, column="critical").astype(float)
    assert critical.equals(crosses) and set(np.unique(critical.to_numpy())) == {0.0, 1.0}
    assert names.tolist() == graded.cohort.learners.set_index("key")["learner"].reindex(scores.index).tolist()
    assert names.tolist()[0] == HOSTILE and levels.equals(domain_levels(graded))
    assert "<figure><svg>h</svg><figcaption>" in section.html and "<figure><svg>d</svg><figcaption>" in section.html
