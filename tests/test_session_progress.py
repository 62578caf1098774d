"""Jupyter: certainty in the quiz widget, self-ratings in the session, saving and loading both, and the progress
record (SESSION.progress(): tables and one chart, the figures of the book's progress page)."""

from __future__ import annotations

import json

import matplotlib
import pytest

from conftest import golden_questions
from nasams_course.catalog import load_catalog
from nasams_course.content.models import Bank
from nasams_course.grading import Attempt, SelfRating
from nasams_course.responses import to_json
from nasams_course.session import Progress, Session
from nasams_course.widgets import QuizWidget

matplotlib.use("Agg")  # no display in tests (the chart is a plain Figure in any case)

QS = golden_questions()
BANK = Bank(questions=dict(QS))


def test_the_widget_asks_how_sure_and_records_it():
    session = Session("tester")
    w = QuizWidget(QS["g-single"], load_catalog(), on_submit=session.record)
    assert w.certainty.options == (("Not stated", 0), ("Low", 1), ("Medium", 2), ("High", 3))
    assert w.certainty.value == 0 and w.certainty in w.children and w.children.index(w.certainty) < w.children.index(
        w.submit)  # before Submit, in tab order
    w.radio.value = "b"
    w.submit.click()  # not stated
    w.certainty.value = 3
    w.radio.value = "a"
    w.submit.click()
    assert [(a.answer, a.certainty) for a in session.attempts] == [("b", None), ("a", 3)]
    assert 'data-role="score">100%<' in w.result.value  # certainty never changes the score
    hidden = QuizWidget(QS["g-single"], load_catalog(), ask_certainty=False)
    assert hidden.certainty.layout.display == "none" and hidden.stated_certainty() is None


@pytest.mark.parametrize("bad", [0, 4, True, "2", 1.5])
def test_record_refuses_a_certainty_other_than_1_2_3(bad):
    session = Session()
    with pytest.raises(ValueError, match=r"certainty must be 1 \(low\), 2 \(medium\), 3 \(high\) or None"):
        session.record("g-single", "a", bad)
    assert session.attempts == []
    assert session.record("g-single", "a", 2).certainty == 2


@pytest.mark.parametrize(("args", "message"), [
    (("X9", "before", 3), "unknown provision 'X9'"),
    (("e4a", "before", 3), "unknown provision 'e4a'"),
    (("E4a", "during", 3), "stage must be 'before' or 'after'"),
    (("E4a", "after", 0), r"rating must be 1 to 4 \(1 not yet ready, 2 partly ready, 3 ready, 4 could teach it\)"),
    (("E4a", "after", 5), "rating must be 1 to 4"),
    (("E4a", "after", True), "rating must be 1 to 4"),
])
def test_rate_checks_provision_stage_and_rating(args, message):
    session = Session()
    with pytest.raises(ValueError, match=message):
        session.rate(*args)
    assert session.ratings == []


def test_certainty_and_self_ratings_survive_save_and_load(tmp_path):
    session = Session("Ana")
    session.record("g-single", "c", 3)
    session.record("g-single", "a")
    session.rate("S5", "before", 2)
    session.rate("S5", "after", 4)
    path = session.save(tmp_path / "r.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert [e.get("certainty", "absent") for e in data["responses"]] == [3, "absent"]
    assert [(r["provision"], r["stage"], r["rating"]) for r in data["self_ratings"]] == [
        ("S5", "before", 2), ("S5", "after", 4)]
    again = Session()
    again.rate("E4a", "before", 1)  # loading adds to what is there
    assert again.load(path, BANK) == []
    assert [(a.answer, a.certainty) for a in again.attempts] == [("c", 3), ("a", None)]
    assert [(r.provision, r.stage, r.rating, r.seq) for r in again.ratings] == [
        ("E4a", "before", 1, 0), ("S5", "before", 2, 1), ("S5", "after", 4, 2)]
    assert again.report(BANK).to_json()["calibration"] == session.report(BANK).to_json()["calibration"]
    assert again.report(BANK).self_ratings == session.report(BANK).self_ratings


def test_to_json_writes_certainty_and_self_ratings_only_when_there_are_some():
    plain = to_json("Ana", [Attempt("g-single", "a", 1000, 0)])
    assert plain["responses"] == [{"question": "g-single", "answer": "a", "at": "1970-01-01T00:00:01.000Z"}]
    assert "self_ratings" not in plain
    full = to_json("Ana", [Attempt("g-single", "a", 1000, 0, 2)],
                   [SelfRating("S5", "after", 3, 5000, 1), SelfRating("S5", "before", 1, 2000, 0)])
    assert full["responses"][0]["certainty"] == 2
    assert full["self_ratings"] == [  # oldest first, as the responses
        {"provision": "S5", "stage": "before", "rating": 1, "at": "1970-01-01T00:00:02.000Z"},
        {"provision": "S5", "stage": "after", "rating": 3, "at": "1970-01-01T00:00:05.000Z"}]


def small_session() -> Session:
    """g-single wrong then right (first at high), g-multi right at medium, g-rate with E13's violation rated 3
    (10/12 right, a critical error on E13) at high; self-ratings on S5, E13 and E4a (outside these questions)."""
    session = Session("Ana")
    session.record("g-single", "c", 3)
    session.record("g-single", "a")
    session.record("g-multi", ["a", "b", "c"], 2)
    session.record("g-rate", {"a": 4, "b": 3, "c": 3, "d": 2}, 3)
    session.rate("S5", "before", 4)
    session.rate("E13", "after", 4)
    session.rate("E4a", "before", 1)
    return session


def test_progress_has_the_figures_of_the_progress_page():
    p = small_session().progress(BANK)
    assert isinstance(p, Progress)
    # S5 = (1 + 10/12) / 2, E13 = 10/12 capped at Beginning, S16 = U7 = 1; first attempts: S5 (0 + 10/12) / 2,
    # S16 (0 + 1) / 2: overall (10/12 + 11/12 + 1 + 1) / 4 = 0.9375 and (10/12 + 5/12 + 1/2 + 1) / 4 = 0.6875
    assert p.overall == [
        "4 of 5 provisions attempted, from 3 of 5 questions answered.",
        "Latest answers: 94% · Level: Mastery · First attempts: 69%",
        "Complete: no.",
        "1 provision is not yet attempted.",
        "1 provision has an outstanding critical error.",
    ]
    assert p.domains.to_dict("records") == [
        {"domain": "confidentiality", "title": "Confidentiality, privilege and records", "score": 1.0,
         "level": "Mastery", "attempted": "2 of 5"},
        {"domain": "team", "title": "Working with counsel, experts and witnesses", "score": 0.875, "level": "Mastery",
         "attempted": "2 of 7"}]
    provisions = p.provisions.set_index("provision")
    assert provisions["level"].to_dict() == {"E6": "not attempted", "E13": "Beginning", "S5": "Mastery",
                                             "S16": "Mastery", "U7": "Mastery"}
    assert provisions.loc["S5", "score"] == 0.917 and provisions.loc["S5", "first_score"] == 0.417
    assert p.critical.to_dict("records") == [{"question": "g-rate", "breaches": "E13", "stem": "Rate?"}]

    # first attempts: g-single 0 at high (-6), g-multi 1 at medium (2), g-rate 10/12 at high (2.5 - 1 = 1.5)
    assert p.calibration_summary == ("3 first attempts with a stated certainty; average certainty-based mark -0.83 "
                                     "(from −6 to 3).")
    cal = p.calibration.set_index("certainty")
    assert cal["answers"].to_dict() == {"low": 0, "medium": 1, "high": 2}
    assert cal.loc["high", "average"] == 0.417 and cal.loc["high", "below 50 %"] == 1
    assert cal["fit"].to_dict() == {"low": "", "medium": "under", "high": "over"}
    assert cal.loc["high", "message"] == "You were often wrong when sure: 1 of 2 high-certainty answers were below 50 %."
    assert cal.loc["medium", "message"] == ("You knew more than you thought: your medium-certainty answers averaged "
                                            "100 %; a higher certainty would have scored more.")
    assert p.self_ratings[["provision", "before", "after", "measured", "flag"]].astype(object).where(
        p.self_ratings.notna(), None).to_dict("records") == [
        {"provision": "E13", "before": None, "after": 4, "measured": "Beginning",
         "flag": "You rated yourself above your measured level"},
        {"provision": "S5", "before": 4, "after": None, "measured": "Mastery", "flag": ""}]

    ax = p.figure.axes[0]
    bars = {c.get_label(): round(c.patches[0].get_width(), 2) for c in ax.containers}
    assert bars == {"E13": 83.33, "S5": 91.67, "S16": 100.0, "U7": 100.0}  # E6: not started, no bar
    assert sorted(line.get_xdata()[0] for line in ax.lines if line.get_linestyle() == "--") == [50, 70, 85]
    crosses = [line for line in ax.lines if line.get_marker() == "X"]
    assert len(crosses) == 1 and round(crosses[0].get_xdata()[0], 2) == 83.33  # the critical error, on E13
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Confidentiality, privilege and records", "E6", "S16", "U7",
        "Working with counsel, experts and witnesses", "E13", "S5"]
    assert len(p.figure.axes) == 1


def test_progress_shows_every_part_in_page_order(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    p = small_session().progress(BANK)
    p._ipython_display_()
    html = [getattr(o, "data", "") for o in shown if not hasattr(o, "to_dict")]
    frames = [o for o in shown if hasattr(o, "to_dict")]
    headings = [h for h in html if h.startswith("<h3>")]
    assert headings == ["<h3>Overall</h3>", "<h3>Critical errors to review</h3>", "<h3>The competency domains</h3>",
                        "<h3>The provisions</h3>", "<h3>How sure you were, and how often you were right</h3>",
                        "<h3>Your self-ratings beside your measured level</h3>"]
    assert [f is g for f, g in zip(frames, [p.critical, p.domains, p.provisions, p.calibration, p.self_ratings],
                                   strict=True)] == [True] * 5
    assert any(h.startswith('<img src="data:image/png;base64,') and 'alt="Bar chart of the scores of 4 attempted' in h
               for h in html)
    assert any("You were often wrong when sure" in h for h in html)


def test_progress_of_an_empty_session_says_so():
    p = Session().progress(BANK)
    assert p.overall[:3] == ["0 of 5 provisions attempted, from 0 of 5 questions answered.",
                             "Latest answers: – · Level: Not started · First attempts: –", "Complete: no."]
    assert p.calibration_summary == "No answers with a stated certainty yet."
    assert p.critical.empty and p.self_ratings.empty and not p.figure.axes[0].containers
    assert "No answers with a stated certainty yet." in repr(p)


def test_my_progress_uses_the_course_session(monkeypatch):
    from nasams_course import notebook

    monkeypatch.setattr(notebook, "SESSION", Session())
    p = notebook.my_progress()
    assert p.overall[0] == f"0 of 44 provisions attempted, from 0 of {len(notebook.bank().questions)} questions answered."
