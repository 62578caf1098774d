"""Content is text, never markup: hostile text in every field of every question kind, vignette and chapter, rendered
through every element that shows it (forms, options, rate actions, order steps, the critical-error box, the feedback,
discussion prompts, objectives, the progress page, the coverage map). tests/browser/test_hostile_page.py loads the same
HTML with the course's scripts and checks what is visible and that nothing runs."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from pydantic import TypeAdapter

from conftest import golden_questions
from nasams_course.catalog import load_catalog
from nasams_course.content.models import Bank, Chapter, Question, Vignette
from nasams_course.coverage import coverage_frame
from nasams_course.rendering.coverage_map import coverage_map
from nasams_course.rendering.html import (
    chapter_intro,
    critical_box,
    discussion_list,
    feedback,
    quiz_form,
    script_json,
    self_rating_form,
    vignette_card,
)
from nasams_course.rendering.progress import progress_page

CATALOG = load_catalog()


def hostile(where: str) -> str:
    """Markup, a script end, quotes and an ampersand, labelled with where it was put."""
    return f'<img src=x onerror="window.__pwned=1">{where} & "co" \'n\' </script><b>bold</b>'


def hostile_question(golden: Question) -> Question:
    """A golden question (one of each kind, with its violations) with every text replaced by hostile text."""
    data = golden.model_dump(exclude_none=True)
    qid = f"q-hostile-{golden.kind}"
    data |= {"id": qid, "vignette": "v-hostile", "stem": hostile(f"{qid} stem")}
    for o in data["options"]:
        o |= {"text": hostile(f"{qid} option {o['id']}"), "rationale": hostile(f"{qid} reason {o['id']}")}
    return TypeAdapter(Question).validate_python(data)


GOLDEN = golden_questions()
QUESTIONS = {q.id: q for q in (hostile_question(GOLDEN[g]) for g in ("g-single", "g-multi", "g-rate", "g-order"))}
VIGNETTE = Vignette(id="v-hostile", title=hostile("case title"), setting="either",
                    narrative=hostile("narrative") + "\n\n" + hostile("second paragraph"),
                    provisions=["S5"], discussion=[hostile("prompt 1"), hostile("prompt 2")])
CHAPTER = Chapter(id="ch-hostile", title=hostile("chapter title"), part="standards",
                  provisions=["S5", "S16", "U7", "E13"], minutes=25, objectives=[hostile("objective")])
BANK = Bank(chapters={CHAPTER.id: CHAPTER}, vignettes={VIGNETTE.id: VIGNETTE}, questions=QUESTIONS,
            chapter_of={VIGNETTE.id: CHAPTER.id, **dict.fromkeys(QUESTIONS, CHAPTER.id)},
            page_of={CHAPTER.id: "book/standards/hostile"})
#: what the one violation option of each kind is, and an answer that chooses it
VIOLATIONS = {"single": ("c", "c"), "multi": ("e", ["a", "e"]), "rate": ("b", {"a": 4, "b": 4})}


class Parsed(HTMLParser):
    """The start tags, attributes and text of a fragment, as a browser would split them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def assert_text_only(html: str, *texts: str) -> None:
    """No tag or attribute came from the content, and each of `texts` reads exactly as written."""
    page = Parsed(html)
    names = {t for t, _ in page.tags}
    assert not names & {"img", "b"}, names
    assert not any("onerror" in attrs or "src" in attrs for _, attrs in page.tags)
    scripts = [attrs for t, attrs in page.tags if t == "script"]
    assert all(a.get("type") == "application/json" for a in scripts), scripts
    shown = "".join(page.text)
    for t in texts:
        assert t in shown, t


@pytest.mark.parametrize("qid", QUESTIONS)
def test_a_form_shows_the_stem_every_option_and_the_feedback_skeleton_as_text(qid):
    q = QUESTIONS[qid]
    html = quiz_form(q, CATALOG)
    assert_text_only(html, q.stem, *(o.text for o in q.options), *(o.rationale for o in q.options))
    assert html.count("<script") == 1  # the question's data, whose JSON cannot close its script element


@pytest.mark.parametrize("kind", VIOLATIONS)
def test_the_critical_error_box_shows_the_chosen_option_and_what_to_do_instead_as_text(kind):
    q = QUESTIONS[f"q-hostile-{kind}"]
    bad, answer = VIOLATIONS[kind]
    box = critical_box(q, CATALOG, (bad,))
    keyed = {"single": lambda o: o.credit == 1, "multi": lambda o: o.correct,
             "rate": lambda o: o.key == max(x.key for x in q.options)}[kind]
    better = [o.text for o in q.options if keyed(o)]
    assert better
    assert_text_only(box, q.option(bad).text, *better)
    shown = feedback(q, CATALOG, answer, 0.0, (bad,))
    assert 'data-role="critical"' in shown
    assert_text_only(shown, q.option(bad).text, *(o.rationale for o in q.options))


def test_order_steps_show_as_text_in_the_form_and_in_the_feedback():
    q = QUESTIONS["q-hostile-order"]
    assert_text_only(feedback(q, CATALOG, list(q.key), 1.0, ()), *(o.text for o in q.options))


def test_a_case_its_prompts_and_a_chapter_show_as_text():
    assert_text_only(vignette_card(VIGNETTE), VIGNETTE.title, hostile("narrative"), hostile("second paragraph"))
    assert_text_only(discussion_list(VIGNETTE), *VIGNETTE.discussion)
    intro = chapter_intro(CHAPTER, CATALOG, [VIGNETTE])
    assert_text_only(intro, CHAPTER.objectives[0], VIGNETTE.title)
    assert_text_only(self_rating_form(CHAPTER, CATALOG, "after"), CATALOG.provision("S5").title)


def test_the_progress_page_and_the_coverage_map_show_titles_as_text_and_keep_stems_in_their_data():
    page = progress_page(BANK, CATALOG)
    assert_text_only(page, CHAPTER.title)
    data = Parsed(page)
    assert [t for t, a in data.tags if t == "script"] == ["script"]
    assert all(q.stem not in page for q in QUESTIONS.values())  # the stems are in the JSON, with < escaped
    assert_text_only(coverage_map(coverage_frame(BANK, CATALOG), CATALOG, BANK), CHAPTER.title)


def test_data_for_the_page_scripts_reads_back_exactly_and_cannot_close_its_element():
    data = {"stem": hostile("stem"), "é": "naïve – “quoted”", "n": [1, 0.5, None, True]}
    text = script_json(data)
    assert json.loads(text) == data
    assert "<" not in text and "naïve – “quoted”" in text  # readable, not \\u-escaped beyond `<`
