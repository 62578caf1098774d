"""Every page of the built book in headless Chromium: each loads offline with its chapter's quizzes and no error, and
axe-core finds no serious or critical violation on it in light or dark mode."""

from __future__ import annotations

import json

import pytest

from nasams_course.trainer import weak_answer

from .conftest import HTML, axe_serious, seed
from .test_book import BANK, EXEMPLAR, KEY, PLAN, QUESTIONS, book_pages, same_host_only

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("origin, mode", [("file", "light"), ("http", "dark")])
def test_every_page_loads_offline_with_its_quizzes_and_no_serious_accessibility_violation(browser, server, origin,
                                                                                            mode):
    """Every page of the book, straight from disk in light mode and from a local server in dark mode (the theme
    follows the system's): it loads with all of its chapter's quizzes, no script error and no request to another host,
    and axe-core finds no serious or critical violation on it; then the same for the exemplar chapter with every
    question answered (feedback, critical errors, first-attempt lines shown). One walk through the pages per origin
    and mode: each is walked once in each origin and once in each mode."""
    base = HTML.as_uri() if origin == "file" else server
    context = browser.new_context(color_scheme=mode)
    page = context.new_page()
    page.requests, errors = [], []  # as the `page` fixture records them, for same_host_only
    page.on("request", lambda r: page.requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    found, forms = {}, {}
    for path in book_pages():
        page.goto(f"{base}/{path}")
        assert page.evaluate("document.documentElement.dataset.theme") == mode
        forms[path] = page.locator("form.nasams-quiz").count()
        if serious := axe_serious(page):
            found[path] = serious
    page.goto(f"{base}/{EXEMPLAR}")
    records = {q.id: json.dumps({"attempts": [{"answer": weak_answer(q), "at": "2026-01-01T00:00:00.000Z"},
                                              {"answer": PLAN[q.id], "at": "2026-01-02T00:00:00.000Z"}]})
               for q in QUESTIONS}
    seed(page, {KEY + k: v for k, v in records.items()})
    assert page.locator(".nq-critical[data-role=critical]").count() > 0
    if serious := axe_serious(page):
        found["answered " + EXEMPLAR] = serious
    context.close()
    assert found == {}
    assert forms == {path: sum(1 for qid, cid in BANK.chapter_of.items()
                               if qid in BANK.questions and f"{BANK.page_of.get(cid)}.html" == path)
                     for path in book_pages()}
    assert sum(forms.values()) == len(BANK.questions)
    assert errors == []
    same_host_only(page, base)
