"""The Jupyter widget (driven in Python) and the static HTML (escaped, deterministic, accessible hooks)."""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

import pytest
from pydantic import TypeAdapter

from conftest import REPO, ascii_locale, golden_questions
from nasams_course.catalog import load_catalog
from nasams_course.content.models import Question
from nasams_course.rendering.html import quiz_form, vignette_card
from nasams_course.session import Session
from nasams_course.widgets import QuizWidget

QS = golden_questions()
CATALOG = load_catalog()


def widget(qid):
    session = Session("tester")
    return QuizWidget(QS[qid], CATALOG, on_submit=session.record), session


def test_single_widget_grades_and_records():
    w, session = widget("g-single")
    w.radio.value = "b"
    w.submit.click()
    assert 'data-role="score">50%<' in w.result.value and 'data-role="level">Developing<' in w.result.value
    assert "data-role=\"critical\"" not in w.result.value
    assert [(a.question, a.answer) for a in session.attempts] == [("g-single", "b")]


def test_submitting_nothing_says_what_to_do_and_records_nothing():
    w, session = widget("g-multi")
    w.submit.click()
    assert "Select at least one option" in w.message.value
    assert w.result.value == "" and session.attempts == []


def test_multi_widget_shows_a_critical_error():
    w, session = widget("g-multi")
    w.checks["a"].value = True
    w.checks["e"].value = True
    w.submit.click()
    assert 'data-role="critical"' in w.result.value and "Critical error" in w.result.value
    # the Jupyter widget leads as the book does: the capped level, what is breached (id, title, clause), what to do
    html = w.result.value
    u7 = CATALOG.provision("U7")
    order = [html.index("Level: <strong data-role=\"level\">Beginning (critical error)</strong>"),
             html.index(f"It breaches <strong data-role=\"breach\">U7 · {escape(u7.title)}</strong>"),
             html.index(escape(u7.text.split("\n")[0][:30])), html.index("What to do instead:"),
             html.index("Each option, with reasons")]
    assert order == sorted(order)
    assert session.attempts[0].answer == ["a", "e"]


def test_widget_shows_the_first_attempt_beside_the_latest():
    w, session = widget("g-single")
    w.radio.value = "c"
    w.submit.click()
    first_line = 'data-role="first-line" hidden'
    assert first_line in w.result.value  # one attempt: nothing to compare
    w.radio.value = "a"
    w.submit.click()
    assert first_line not in w.result.value
    assert 'data-role="first">0%<' in w.result.value and 'data-role="score">100%<' in w.result.value
    assert [a.answer for a in session.attempts] == ["c", "a"]


def test_rate_widget_scores_partial_ratings_and_warns():
    w, _session = widget("g-rate")
    w.ratings["a"].value = 4
    w.submit.click()
    assert 'data-role="score">25%<' in w.result.value
    assert "left unrated" in w.message.value


def test_order_widget_moves_steps_with_buttons():
    w, session = widget("g-order")
    assert w.answer() == ["c", "a", "d", "b"]

    def click(row, button):  # button 0 = Move up, 1 = Move down
        w.steps.children[row].children[button].click()

    click(1, 0)  # a up:   a c d b
    click(3, 0)  # b up:   a c b d
    assert w.answer() == ["a", "c", "b", "d"]
    assert w.steps.children[0].children[0].disabled and w.steps.children[3].children[1].disabled
    click(1, 1)  # c down: a b c d
    w.submit.click()
    assert w.answer() == ["a", "b", "c", "d"]
    assert 'data-role="score">100%<' in w.result.value
    assert session.attempts[-1].answer == ["a", "b", "c", "d"]


def test_session_profile_and_round_trip(tmp_path):
    from nasams_course.content.models import Bank

    bank = Bank(questions=dict(QS))
    session = Session("Ana")
    session.record("g-single", "a")
    session.record("g-order3", ["x", "y", "z"])
    frame = session.profile(bank)
    assert list(frame.columns) == ["provision", "title", "domain", "answered", "score", "first_score", "level",
                                   "critical"]
    assert frame.set_index("provision").loc["S5", "level"] == "Mastery"
    path = session.save(tmp_path / "r.json")
    again = Session()
    assert again.load(path, bank) == []
    assert again.learner == "Ana" and [a.answer for a in again.attempts] == [a.answer for a in session.attempts]


class Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


HOSTILE = TypeAdapter(Question).validate_python({
    "id": "q-hostile", "kind": "single", "stem": "<script>alert(1)</script> What now?", "provisions": ["S5"],
    "options": [
        {"id": "a", "text": "<b>bold</b> & <img src=x onerror=alert(2)>", "credit": 1, "rationale": "</script><i>S5</i>"},
        {"id": "b", "text": "B", "credit": 0, "rationale": "S5"},
        {"id": "c", "text": "C", "credit": 0, "rationale": "S5"},
    ]})


def test_content_is_text_never_markup():
    html = quiz_form(HOSTILE, CATALOG)
    parser = Collector()
    parser.feed(html)
    names = [t for t, _ in parser.tags]
    assert "img" not in names and "b" not in names and "i" not in names
    assert names.count("script") == 1  # only the quiz's own JSON data block
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "</script><i>" not in html


def test_vignette_text_is_escaped():
    from nasams_course.content.models import Vignette

    v = Vignette(id="v-x", title="<em>T</em>", setting="capital", narrative="<script>x()</script>\n\nsecond",
                 provisions=["S5"], discussion=["<b>?</b>"])
    html = vignette_card(v)
    assert "<script>" not in html and "<em>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize("qid", sorted(QS))
def test_forms_are_deterministic_and_carry_the_test_hooks(qid):
    a, b = quiz_form(QS[qid], CATALOG), quiz_form(QS[qid], CATALOG)
    assert a == b
    assert f'<form class="nasams-quiz" id="quiz-{qid}" data-question="{qid}"' in a
    assert 'data-role="result"' in a and 'aria-live="polite"' in a
    parser = Collector()
    parser.feed(a)
    inputs = [attrs for tag, attrs in parser.tags if tag == "input"]
    labels = {attrs.get("for") for tag, attrs in parser.tags if tag == "label"}
    assert all(i["id"] in labels for i in inputs), "every input has a label"
    assert ("fieldset", {"class": "nq-question"}) in parser.tags


def test_progress_page_data_covers_the_bank_and_links_every_provision_home():
    from nasams_course.content.loader import course_bank
    from nasams_course.rendering.progress import progress_data, progress_page

    bank = course_bank()
    data = progress_data(bank, CATALOG)
    assert [q["id"] for q in data["questions"]] == list(bank.questions)
    assert all(q["href"].startswith("../../book/") and "#quiz-" in q["href"] for q in data["questions"])
    assert set(data["home"]) == set(CATALOG.ids)  # every provision has a chapter to go to
    html = progress_page(bank, CATALOG)
    assert html.count('class="np-cell"') == 44 and html.count("data-domain=") == len(CATALOG.domains)
    assert html.count("data-certainty=") == 3 and 'data-role="self-rows"' in html  # calibration and self-ratings
    assert "<script src" not in html  # the book loads the page's scripts (sphinx_ext), Jupyter runs none


def test_a_session_is_saved_only_with_the_learners_name(tmp_path):
    session = Session()
    session.record("g-single", "a")
    with pytest.raises(ValueError, match="whose answers are these"):
        session.save(tmp_path / "nameless.json")
    assert not (tmp_path / "nameless.json").exists()
    import json

    path = session.save(tmp_path / "named.json", learner="  Zoë Park ")
    assert json.loads(path.read_text(encoding="utf-8"))["learner"] == "Zoë Park" and session.learner == "Zoë Park"


def test_a_chapter_intro_lists_its_cases_in_page_order_linked_to_their_cards():
    from nasams_course.content.loader import course_bank
    from nasams_course.notebook import chapter_intro, vignette

    bank = course_bank()
    page = (REPO / f"{bank.page_of['victims-and-privilege']}.md").read_text()
    order = [v for v in bank.vignettes if f'vignette("{v}")' in page]
    order.sort(key=lambda v: page.index(f'vignette("{v}")'))
    intro = chapter_intro("victims-and-privilege")._repr_html_()
    links = re.findall(r'<a href="#case-([^"]+)">', intro)
    assert links == order and len(links) == 3
    for vid in links:
        assert f'id="case-{vid}"' in vignette(vid)._repr_html_()


def test_a_chapter_intro_lists_its_cases_whatever_the_machine_s_locale():
    """The C locale's encoding is ASCII: the chapter page (its dashes and quotes) is still read as UTF-8, so the
    intro still lists the page's cases."""
    from nasams_course.notebook import chapter_intro

    expected = chapter_intro("victims-and-privilege")._repr_html_()
    with ascii_locale():
        intro = chapter_intro("victims-and-privilege")._repr_html_()
    assert intro == expected and len(re.findall(r'<a href="#case-([^"]+)">', intro)) == 3


def course_questions_of_each_kind() -> list[Question]:
    """The course's first question of each kind, with a violation option if the kind has one."""
    from nasams_course.content.loader import course_bank

    questions = list(course_bank().questions.values())
    bad = [q for q in questions if any(getattr(o, "violation", None) for o in q.options)]
    return [next(q for q in bad + questions if q.kind == kind) for kind in ("single", "multi", "rate", "order")]


@pytest.mark.parametrize("q", course_questions_of_each_kind(), ids=lambda q: q.kind)
def test_a_sealed_form_carries_no_key_and_no_feedback_and_saves_with_its_own_words(q):
    import json

    from nasams_course.rendering.html import KEY_FIELDS

    form = quiz_form(q, CATALOG, sealed=True)
    data = json.loads(re.search(r'<script type="application/json" class="nq-data">(.*?)</script>', form).group(1))
    assert data == {"id": q.id, "kind": q.kind, "provisions": list(q.provisions),
                    "options": [{"id": o.id} for o in q.options]}
    assert not any(o.rationale in form or escape(o.rationale) in form for o in q.options)
    assert "nq-result" not in form and "nq-critical" not in form and "violation" not in form
    assert '<button type="submit" class="nq-submit">Save answer</button>' in form
    assert 'data-saved="Saved. You will get feedback from your trainer."' in form
    assert "press Save answer." in form and "Submit" not in form
    open_form = quiz_form(q, CATALOG)  # the course's own form keeps its key and feedback
    assert all(k in open_form for k in ("nq-result", "nq-rationale")) and "data-saved" not in open_form
    assert any(f'"{k}":' in open_form for k in KEY_FIELDS)


@pytest.mark.parametrize(("minutes", "words"), [
    ((20, 25), "2 chapters, 1 questions, about 45 minutes in all."),
    ((35, 25), "2 chapters, 1 questions, about 1 hour 0 minutes in all."),
    ((45, 44), "2 chapters, 1 questions, about 1 hour 29 minutes in all."),
    ((60, 90), "2 chapters, 1 questions, about 2 hours 30 minutes in all."),
])
def test_the_start_button_gives_the_course_s_time_in_hours_and_minutes(minutes, words):
    from nasams_course.content.models import Bank, Chapter
    from nasams_course.rendering.progress import start_button

    chapters = {f"ch-{i}": Chapter(id=f"ch-{i}", title="C", part="standards", provisions=["S5"], minutes=m,
                                   objectives=["O"]) for i, m in enumerate(minutes)}
    bank = Bank(chapters=chapters, vignettes={}, questions={"g-single": QS["g-single"]},
                chapter_of={"g-single": "ch-0"}, page_of={cid: f"book/standards/{cid}" for cid in chapters})
    assert f"<p>{words} Your answers are saved in this browser as you go.</p>" in start_button(bank)


def test_a_provision_no_chapter_teaches_links_to_the_first_chapter_that_asks_about_it():
    """A session book whose questions ask about a provision that none of its chapters teaches (only capstones ask about
    E6 here): the progress page sends the learner to the first of those chapters, not to a section that is not there."""
    from nasams_course.content.models import Bank, Chapter
    from nasams_course.rendering.progress import provision_links, scope

    def chapter(cid, part, provisions):
        return Chapter(id=cid, title=cid, part=part, provisions=provisions, minutes=20, objectives=["O"])

    chapters = {"ch-a": chapter("ch-a", "standards", ["S5"]), "cap-b": chapter("cap-b", "capstone", ["E6"]),
                "cap-c": chapter("cap-c", "capstone", ["E6"])}
    questions = {"g-single": QS["g-single"].model_copy(update={"provisions": ["S5"]}),
                 "g-order": QS["g-order"].model_copy(update={"provisions": ["E6"]}), "g-order3": QS["g-order3"]}
    bank = Bank(chapters=chapters, vignettes={}, questions=questions,
                chapter_of={"g-single": "ch-a", "g-order": "cap-c", "g-order3": "cap-b"},
                page_of={cid: f"book/part/{cid}" for cid in chapters})
    assert provision_links(bank, scope(bank, CATALOG)) == {
        "S5": "../../book/part/ch-a.html#provision-s5", "E6": "../../book/part/cap-c.html"}


def test_a_provision_card_keeps_the_clause_s_own_lines():
    """S15 lists four organisations, one a line: the card keeps them one a line, as the code prints them."""
    from nasams_course.rendering.html import provision_card

    card = provision_card(CATALOG.provision("S15"), CATALOG)
    assert "consultation regarding an ethical conflict:<br>1. National Alliance" in card
    assert card.count("<br>") == 4


def test_text_with_windows_line_endings_makes_the_same_paragraphs():
    from nasams_course.rendering.html import paragraphs

    text = "First line\nsecond line\n\nA new paragraph & more"
    assert paragraphs(text.replace("\n", "\r\n")) == paragraphs(text) == (
        "<p>First line second line</p><p>A new paragraph &amp; more</p>")
    assert paragraphs(text.replace("\n", "\r\n"), keep_lines=True) == "<p>First line<br>second line</p><p>A new paragraph &amp; more</p>"
