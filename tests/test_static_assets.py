"""The browser assets stay small and offline."""

from __future__ import annotations

import re

from conftest import REPO

STATIC = REPO / "nasams_course" / "static"
BUDGET = 25_000  # bytes of the course's JavaScript a page loads, unminified (the target for every page)


def page_scripts(body: str) -> list[str]:
    from nasams_course.sphinx_ext import SCRIPTS_BY_CONTENT, SCRIPTS_EVERY_PAGE

    return list(SCRIPTS_EVERY_PAGE) + [s for marker, scripts in SCRIPTS_BY_CONTENT if marker in body for s in scripts]


def weight(names: list[str]) -> int:
    return sum((STATIC / n).stat().st_size for n in names)


def test_each_page_loads_only_the_scripts_it_needs_within_budget():
    chapter = page_scripts('<form class="nasams-quiz" id="quiz-x">')
    assert chapter == ["nasams-grader.js", "nasams-answers.js", "nasams-save.js", "nasams-quiz.js"]
    assert weight(chapter) <= BUDGET, f"a chapter page loads {weight(chapter)} bytes of JavaScript"
    assert weight(page_scripts("<p>glossary</p>")) <= BUDGET
    progress = page_scripts('<div class="nasams-progress" data-role="progress">')
    assert progress == ["nasams-grader.js", "nasams-answers.js", "nasams-profile.js", "nasams-progress.js"]
    assert weight(progress) <= BUDGET, f"the progress page loads {weight(progress)} bytes"
    home = page_scripts('<div class="nasams-start">')
    assert home == ["nasams-grader.js", "nasams-answers.js", "nasams-start.js"] and weight(home) <= BUDGET
    verify = page_scripts('<div class="nasams-verify">')
    assert verify == ["nasams-grader.js", "nasams-answers.js", "nasams-verify.js"] and weight(verify) <= BUDGET
    assert weight(["nasams-verify.js"]) <= 7_000, "the verify page's own script stays small"
    # a sealed session book's list of answered questions, in place of the progress page
    answered = page_scripts('<div class="nasams-answered" data-yes="Answered">')
    assert answered == ["nasams-grader.js", "nasams-answers.js", "nasams-answered.js"] and weight(answered) <= BUDGET
    # the panel's file code (download, import, clear) and the saving code it needs load only when one of its
    # buttons is first used (nasams-answers.js, act)
    assert weight(["nasams-files.js"]) <= 12_000 and weight(["nasams-save.js"]) <= 1_600
    every = {p.name for p in STATIC.glob("*.js")}
    assert every == set(progress) | set(chapter) | set(home) | set(verify) | set(answered) | {"nasams-files.js"}, \
        "a script no page loads"


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


def test_the_courses_storage_prefix_never_changes_and_a_session_has_its_own():
    """Learners' saved answers are kept under the course's prefix: changing it would lose them."""
    from nasams_course.bench import STORAGE_PREFIX
    from nasams_course.sphinx_ext import COURSE_STORE, SESSION_STORE

    assert COURSE_STORE == STORAGE_PREFIX == "nasams-course:nasams-ethics:"
    session = SESSION_STORE.format(id="part1-assessment")
    assert "part1-assessment" in session and not session.startswith(COURSE_STORE)
