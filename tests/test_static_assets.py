"""The browser assets stay small and offline."""

from __future__ import annotations

import re

from conftest import REPO

STATIC = REPO / "nasams_course" / "static"
BUDGET = 25_000  # bytes of quiz JavaScript, unminified, loaded once for the whole book (15,000 before
# the record kept every attempt, and one set of response-file rules shared with Python, came in)


def test_quiz_javascript_is_within_budget():
    size = (STATIC / "nasams-quiz.js").stat().st_size
    assert size <= BUDGET, f"nasams-quiz.js is {size} bytes; the budget is {BUDGET}"


def test_assets_name_no_other_host():
    for path in STATIC.iterdir():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"https?://", text), f"{path.name} names a URL"
        assert "import(" not in text and "fetch(" not in text, f"{path.name} loads something"


def test_book_config_loads_no_widget_or_cdn_scripts():
    config = (REPO / "_config.yml").read_text()
    assert "nb_ipywidgets_js: {}" in config
    assert '["html", "text/html", 0]' in config


def test_a_full_course_with_three_attempts_fits_easily_in_browser_storage():
    from nasams_course.bench import BROWSER_QUOTA_CHARS, browser_storage_chars
    from nasams_course.content.loader import course_bank

    questions = course_bank().questions
    chars = browser_storage_chars(questions)
    assert chars > 150 * len(questions)  # the estimate counts something real: every attempt of every question
    assert chars < 256 * 1024 <= BROWSER_QUOTA_CHARS / 20
