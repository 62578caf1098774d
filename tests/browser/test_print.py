"""Printed chapters (print media, and Chromium's PDF): no controls or navigation, black on white in dark mode too; an
unanswered chapter is a worksheet; an answered one shows a name and date line, each answer with its score and the cited
provisions' text; and the printed chapter takes fewer pages than before the print stylesheet."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from .conftest import seed
from .test_book import EXEMPLAR, PLAN, QUESTIONS

pytestmark = pytest.mark.browser

#: Letter pages of the exemplar chapter from page.pdf before the print stylesheet (commit ff6061a)
PAGES_BEFORE = {"unanswered": 16, "answered": 26}
KEY = "nasams-course:nasams-ethics:"
NAVIGATION = (".bd-header", ".bd-header-article", ".bd-sidebar-primary", ".bd-sidebar-secondary", ".bd-footer",
              ".prev-next-footer", "#pst-back-to-top", "nav")


def open_chapter(page, base, scheme="light"):
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{base}/{EXEMPLAR}")
    page.wait_for_function("document.documentElement.dataset.quizReady")


def hidden_in_print(page, selector) -> list[bool]:
    loc = page.locator(selector)
    return [loc.nth(i).is_hidden() for i in range(loc.count())]


def pages_of(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))  # page objects, not the /Pages tree


def assert_no_controls(page):
    for selector in ("button", "input[type=file]", "#nasams-learner", *NAVIGATION):
        shown = hidden_in_print(page, selector)
        assert shown and all(shown), f"{selector} prints"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_an_unanswered_chapter_prints_as_a_worksheet_without_controls(page, base, scheme):
    open_chapter(page, base, scheme)
    page.emulate_media(media="print", color_scheme=scheme)
    assert_no_controls(page)
    # the name and date line, blank to fill in
    line = page.locator("[data-role=print-id]")
    assert line.is_visible() and re.fullmatch(r"Name:\s*Date:\s*", line.inner_text())
    # every question's choices print (boxes to tick, steps with a box for the position); no feedback
    for q in QUESTIONS:
        form = page.locator(f'form[data-question="{q.id}"]')
        choices = form.locator(".nq-step" if q.kind == "order" else ".nq-options input")
        assert choices.count() >= len(q.options) and all(choices.nth(i).is_visible() for i in range(choices.count()))
        assert form.locator("[data-role=result]").is_hidden() and form.locator(".nq-cited").first.is_hidden()
        if q.kind == "order":
            box = choices.first.evaluate("li => getComputedStyle(li, '::before').borderTopStyle")
            assert box == "solid", "an order step has a box for its position"
    # cases and questions are kept whole across pages
    keep = page.evaluate("[...document.querySelectorAll('.nasams-vignette, form.nasams-quiz')].map(e => getComputedStyle(e).breakInside)")
    assert keep and set(keep) == {"avoid"}
    # room to write under each discussion prompt: at least three lines below its text
    room = page.eval_on_selector_all(".nasams-discussion li", """lis => lis.map(li => {
        const r = document.createRange(); r.selectNodeContents(li);
        return (li.getBoundingClientRect().height - r.getBoundingClientRect().height) / parseFloat(getComputedStyle(li).lineHeight); })""")
    assert room and min(room) >= 3
    # black on white whatever the colour scheme
    colours = page.evaluate("""[...document.querySelectorAll('.nasams-vignette p, .nq-stem, .nasams-provision-text p, h2')]
        .map(e => getComputedStyle(e).color)""")
    assert set(colours) == {"rgb(0, 0, 0)"}
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)")


def answer_with_a_critical_error(page):
    """Answer one question by mouse, choosing a violation; returns the question, the option and its form."""
    q = next(q for q in QUESTIONS if q.kind == "single" and any(o.violation for o in q.options))
    bad = next(o for o in q.options if o.violation)
    form = page.locator(f'form[data-question="{q.id}"]')
    form.locator(f'label[for="{q.id}--{bad.id}"]').click()
    form.locator("button.nq-submit").click()
    form.locator("[data-role=result]").wait_for()
    return q, bad, form


def test_an_answered_chapter_prints_each_answer_with_its_score_and_the_cited_provisions(page, base):
    open_chapter(page, base)
    q, bad, form = answer_with_a_critical_error(page)
    page.emulate_media(media="print")
    assert_no_controls(page)
    assert re.fullmatch(r"Name:.*Date:.*", page.locator("[data-role=print-id]").inner_text(), re.S)
    # the answer, its score and level, the critical error and the text of every provision it cites
    assert form.locator(f'input[value="{bad.id}"]').is_checked() and form.locator(f'input[value="{bad.id}"]').is_visible()
    assert form.locator(".nq-score-line").is_visible() and "0%" in form.locator(".nq-score-line").inner_text()
    assert form.locator("[data-role=critical]").is_visible()
    cited = form.locator(".nq-cited p")
    assert cited.count() and all(cited.nth(i).is_visible() for i in range(cited.count()))
    assert cited.first.inner_text().strip()
    assert form.locator(".nq-cited").first.evaluate("d => d.open") is False, "open in print only, not on screen"
    # the other questions still print as questions, without their feedback
    other = page.locator(f'form.nasams-quiz:not([data-question="{q.id}"])').first
    assert other.locator(".nq-options input, .nq-step").first.is_visible()
    assert other.locator("[data-role=result]").is_hidden()


def test_the_printed_chapter_takes_fewer_pages_than_before(page, base):
    open_chapter(page, base)
    blank = page.pdf(format="Letter")
    answers = {f"{KEY}q:{q.id}": json.dumps({"attempts": [{"answer": PLAN[q.id], "at": "2026-01-05T10:00:00.000Z"}]})
               for q in QUESTIONS}
    seed(page, answers)
    page.wait_for_function("document.documentElement.dataset.quizReady")
    assert page.locator("form.nasams-quiz [data-role=result]:not([hidden])").count() == len(QUESTIONS)
    answered = page.pdf(format="Letter")
    assert 0 < pages_of(blank) < PAGES_BEFORE["unanswered"]
    assert 0 < pages_of(answered) < PAGES_BEFORE["answered"]
    assert pages_of(answered) > pages_of(blank) and len(answered) > len(blank), "the answers and feedback print"


def test_the_printed_line_carries_the_learners_name_and_the_date(page, base):
    open_chapter(page, base)
    page.fill("#nasams-learner", "Sam Okafor")
    answer_with_a_critical_error(page)
    page.pdf(format="Letter")  # printing: the page fills in the name and the date as it prints
    page.emulate_media(media="print")
    line = page.locator("[data-role=print-id]").inner_text()
    assert "Sam Okafor" in line and str(date.today().year) in line
