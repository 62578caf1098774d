"""The learner's own record in the browser: certainty and self-ratings kept through reload, download and import and
reported on the progress page as `nasams-course grade` reports them; several files imported at once, previewed,
merged without loss and undone; the name asked before Download; storage warnings; the sidebar's chapter marks."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from nasams_course.catalog import load_catalog
from nasams_course.grading.calibration import CalibrationLevel, level_message
from nasams_course.grading.words import say
from nasams_course.trainer import keyed_answer, weak_answer

from .conftest import REPO, axe_serious, grade_json, reload, seed
from .test_book import (
    BANK,
    EXEMPLAR,
    KEY,
    PLAN,
    PROGRESS,
    QUESTIONS,
    answer_by_keyboard,
    download_by_keyboard,
    focused,
    import_files,
    same_host_only,
    tab_until,
)

pytestmark = pytest.mark.browser
CHAPTER = BANK.chapters["victims-and-privilege"]
BANK_CATALOG = load_catalog()


def stored(page, qid) -> list:
    raw = page.evaluate(f"localStorage.getItem('{KEY}{qid}')")
    return json.loads(raw)["attempts"] if raw else []


def rate_by_keyboard(page, stage, ratings: dict):
    """Rate provisions in the chapter's self-rating form by keyboard (arrow keys in each radio group), then save."""
    form = f"form.nasams-self-rating[data-stage={stage}]"
    for pid, rating in ratings.items():
        tab_until(page, lambda s, pid=pid: s["name"] == f"sr-{stage}-{pid}")
        page.keyboard.press("Space")  # the first rating (1)
        for _ in range(rating - 1):
            page.keyboard.press("ArrowRight")
    tab_until(page, lambda s: s["tag"] == "BUTTON" and page.evaluate(
        f"document.activeElement.closest('{form}') !== null"))
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.querySelector('{form} [data-role=status]').textContent.startsWith('Saved')")


def test_certainty_and_self_ratings_survive_reload_download_and_import_and_match_the_grader(page, base, tmp_path):
    page.goto(f"{base}/{EXEMPLAR}")
    before = {pid: 4 for pid in CHAPTER.provisions[:2]}  # sure of themselves before the chapter
    rate_by_keyboard(page, "before", before)
    plan = [(QUESTIONS[0], weak_answer(QUESTIONS[0]), 3), (QUESTIONS[1], keyed_answer(QUESTIONS[1]), 3),
            (QUESTIONS[2], PLAN[QUESTIONS[2].id], 1), (QUESTIONS[3], keyed_answer(QUESTIONS[3]), None),
            (QUESTIONS[0], keyed_answer(QUESTIONS[0]), 2)]  # a second attempt: calibration counts the first
    for q, answer, certainty in plan:
        answer_by_keyboard(page, q, answer, certainty)
    after = {CHAPTER.provisions[0]: 2}
    rate_by_keyboard(page, "after", after)
    assert [a.get("certainty") for a in stored(page, QUESTIONS[0].id)] == [3, 2]
    assert stored(page, QUESTIONS[3].id)[0].get("certainty") is None  # not stated: not written

    reload(page)  # the latest attempt's certainty and the latest ratings are shown again
    certainty = page.eval_on_selector(f"#quiz-{QUESTIONS[0].id} .nq-certainty input:checked", "e => e.value")
    assert certainty == "2"
    for stage, ratings in (("before", before), ("after", after)):
        for pid, rating in ratings.items():
            assert page.is_checked(f"#sr-{stage}-{pid}--{rating}")

    saved = download_by_keyboard(page, tmp_path / "record.json")
    data = json.loads(saved.read_text())
    assert [e.get("certainty") for e in data["responses"]] == [c for _q, _a, c in plan]
    assert sorted((r["provision"], r["stage"], r["rating"]) for r in data["self_ratings"]) == sorted(
        [(p, "before", r) for p, r in before.items()] + [(p, "after", r) for p, r in after.items()])
    report = grade_json(saved)
    cal = report["calibration"]
    assert cal["answers"] == 3 and [lv["answers"] for lv in cal["levels"]] == [1, 0, 2]

    # the progress page reports what the grader reports
    page.goto(f"{base}/{PROGRESS}")
    for lv in cal["levels"]:
        row = page.locator(f"tr[data-certainty='{lv['certainty']}']")
        assert row.locator("[data-role=answers]").inner_text() == str(lv["answers"])
        mean = "–" if lv["mean_score"] is None else f"{int(lv['mean_score'] * 100 + 0.5 + 1e-9)}%"
        assert row.locator("[data-role=mean]").inner_text() == mean
    # the words are Python's (grading/words.py), filled in by the page as by the command line
    assert page.inner_text("[data-role=cal-summary]") == say("cal-summary", n=cal["answers"], cbm=f"{cal['cbm']:.2f}")
    messages = page.locator("[data-role=cal-messages] li").all_inner_texts()
    assert messages == [level_message(CalibrationLevel(**lv)) for lv in cal["levels"] if lv["fit"]] != []
    rows = page.locator("[data-role=self-rows] tr")
    assert rows.count() == len(report["self_ratings"]) > 0
    for i, r in enumerate(report["self_ratings"]):
        cells = rows.nth(i).locator("td").all_inner_texts()
        assert cells[0].startswith(r["provision"] + " ")
        assert cells[1:4] == [str(r["before"] or "–"), str(r["after"] or "–"), r["level"] or "Not started"]
        assert ("above" in cells[4]) == (r["gap"] == "over") and ("below" in cells[4]) == (r["gap"] == "under")
    assert axe_serious(page) == []

    # cleared, then imported: the certainty and the ratings come back
    tab_until(page, lambda s: s["action"] == "clear")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('[data-role=panel-status]').textContent.includes('cleared')")
    assert page.inner_text("[data-role=cal-summary]") == "No answers with a stated certainty yet."
    import_files(page, tmp_path, {"back.json": saved.read_text()})
    assert [a.get("certainty") for a in stored(page, QUESTIONS[0].id)] == [3, 2]
    assert len(json.loads(page.evaluate("localStorage.getItem('nasams-course:nasams-ethics:ratings')"))["ratings"]) == 3
    assert page.locator("[data-role=self-rows] tr").count() == len(report["self_ratings"])
    assert page.errors == []
    same_host_only(page, base)


def test_several_files_are_previewed_merged_without_loss_and_undone(page, base, tmp_path):
    page.goto(f"{base}/{EXEMPLAR}")
    q0, q1, q2, q3 = QUESTIONS[:4]
    answer_by_keyboard(page, q0, PLAN[q0.id])
    mine = stored(page, q0.id)[0]
    other = weak_answer(q0)
    at = "2026-11-30T09:00:00.000Z"
    a = {"schema": "nasams-course/responses@2", "learner": "Ana Ruiz", "responses": [
        {"question": q1.id, "answer": keyed_answer(q1), "at": at, "certainty": 2},
        {"question": q2.id, "answer": keyed_answer(q2), "at": at},
        {"question": q0.id, "answer": other, "at": "2020-01-01T00:00:00.000Z"}],
        "self_ratings": [{"provision": CHAPTER.provisions[0], "stage": "before", "rating": 3, "at": at}]}
    b = {"schema": "nasams-course/responses@2", "learner": "Ana Ruiz", "responses": [
        {"question": q2.id, "answer": keyed_answer(q2), "at": at},  # the same attempt as in the first file
        {"question": q3.id, "answer": keyed_answer(q3), "at": at},
        {"question": q0.id, "answer": other, "at": mine["at"]}]}  # same time as the saved attempt, another answer
    status = import_files(page, tmp_path, {"monday.json": a, "tuesday.json": b}, apply=False)
    assert status.startswith("Ready to import from 2 files (Ana Ruiz): 3 new, 2 attempts added, 1 conflict, 1 self-rating")
    assert stored(page, q1.id) == []  # nothing is saved before the learner confirms
    assert focused(page)["action"] == "apply"
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('[data-role=panel-status]').textContent.startsWith('Imported')")
    assert len(stored(page, q0.id)) == 3 and [len(stored(page, q.id)) for q in (q1, q2, q3)] == [1, 1, 1]
    assert stored(page, q1.id)[0]["certainty"] == 2
    assert page.is_visible(f"#quiz-{q1.id} [data-role=result]")  # the quiz shows the imported answer
    # undo, by keyboard, restores exactly what was there
    tab_until(page, lambda s: s["action"] == "undo")
    page.keyboard.press("Enter")
    assert "undone" in page.inner_text("[data-role=panel-status]")
    assert stored(page, q0.id) == [mine] and [stored(page, q.id) for q in (q1, q2, q3)] == [[], [], []]
    assert page.evaluate("localStorage.getItem('nasams-course:nasams-ethics:ratings')") is None
    assert page.is_hidden(f"#quiz-{q1.id} [data-role=result]") and page.is_hidden("[data-action=undo]")
    # a preview can be cancelled: nothing changes
    status = import_files(page, tmp_path, {"monday.json": a}, apply=False)
    tab_until(page, lambda s: s["action"] == "cancel")
    page.keyboard.press("Enter")
    assert page.inner_text("[data-role=panel-status]") == "Nothing was imported."
    assert stored(page, q1.id) == [] and page.errors == []


def test_download_asks_for_the_learners_name_first(page, base):
    page.goto(f"{base}/{EXEMPLAR}")
    answer_by_keyboard(page, QUESTIONS[0], PLAN[QUESTIONS[0].id])
    downloads = []
    page.on("download", lambda d: downloads.append(d))
    tab_until(page, lambda s: s["action"] == "download")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('[data-role=panel-status]').textContent !== ''")
    assert page.inner_text("[data-role=panel-status]").startswith("Enter your name first")
    assert focused(page)["id"] == "nasams-learner" and downloads == []


@pytest.mark.parametrize("case, script, words", [
    ("private window", "navigator.storage.estimate = () => Promise.resolve({quota: 100 * 1024 * 1024, usage: 0});",
     "private window"),
    ("storage blocked", "Object.defineProperty(window, 'localStorage', {get() { throw new DOMException('denied'); }});",
     "does not keep answers"),
])
def test_a_page_that_cannot_keep_answers_says_so(page, base, case, script, words):
    page.add_init_script(script)
    page.goto(f"{base}/{EXEMPLAR}")
    warning = page.locator("[data-role=storage-warning]")
    warning.wait_for(state="visible")
    assert words in warning.inner_text() and "Download your answers" in warning.inner_text()
    answer_by_keyboard(page, QUESTIONS[0], PLAN[QUESTIONS[0].id])  # the page still works
    assert page.is_visible(f"#quiz-{QUESTIONS[0].id} [data-role=result]")
    # with storage blocked the theme (pydata-sphinx-theme) throws when it reads its colour mode; the course does not
    assert all(e == "denied" for e in page.errors), page.errors


def test_a_normal_window_shows_no_storage_warning(page, base):
    page.goto(f"{base}/{EXEMPLAR}")
    page.wait_for_function("document.documentElement.dataset.quizReady")
    page.wait_for_timeout(200)  # the storage estimate is asynchronous
    assert page.is_hidden("[data-role=storage-warning]")


def test_the_sidebar_marks_a_chapter_once_every_question_is_answered(page, base):
    first = next(iter(BANK.chapters))
    qs = BANK.questions_in_chapter(first)
    page.goto(f"{base}/book/orientation/glossary.html")
    records = {q.id: json.dumps({"attempts": [{"answer": keyed_answer(q), "at": "2026-01-01T00:00:00.000Z"}]})
               for q in qs[:-1]}
    seed(page, {KEY + k: v for k, v in records.items()})
    link = page.locator(f".bd-sidenav a[href$='{BANK.page_of[first].split('/')[-1]}.html']").first
    assert link.locator(".nasams-done").count() == 0  # one question still unanswered
    last = qs[-1]
    seed(page, {KEY + last.id: json.dumps({"attempts": [{"answer": keyed_answer(last), "at": "2026-01-01T00:00:00.000Z"}]})})
    assert link.locator(".nasams-done").count() == 1
    assert "every question answered" in link.inner_text()
    assert page.locator(".bd-sidenav .nasams-done").count() == 1 and page.errors == []


@pytest.mark.parametrize("path, scripts", [
    (EXEMPLAR, ["nasams-grader.js", "nasams-answers.js", "nasams-save.js", "nasams-quiz.js"]),
    (PROGRESS, ["nasams-grader.js", "nasams-answers.js", "nasams-profile.js", "nasams-progress.js"]),
    ("book/orientation/glossary.html", ["nasams-grader.js", "nasams-answers.js"]),
])
def test_each_built_page_loads_the_scripts_it_needs(page, base, path, scripts):
    page.goto(f"{base}/{path}")
    names = page.eval_on_selector_all("script[src*='nasams-']", "els => els.map(e => e.src.split('/').pop().split('?')[0])")
    assert names == scripts
    assert page.evaluate("typeof NasamsQuiz.files") == "undefined"  # the file code waits until a button is used
    # so does the saving code, where no quiz needs it
    assert page.evaluate("typeof NasamsQuiz.addAttempts") == ("function" if "nasams-save.js" in scripts else "undefined")


def test_a_critical_error_leads_the_feedback_is_announced_briefly_and_focus_moves_to_the_feedback(page, base):
    page.goto(f"{base}/{EXEMPLAR}")
    q = next(q for q in QUESTIONS if q.kind == "single" and any(o.violation for o in q.options))
    bad = next(o for o in q.options if o.violation)
    answer_by_keyboard(page, q, bad.id)
    form = page.locator(f"#quiz-{q.id}")
    score_line = form.locator(".nq-score-line").inner_text()
    assert score_line.startswith("Level: Beginning (critical error) · Score: ")
    titles = [f"{pid}, {BANK_CATALOG.provision(pid).title}" for pid in bad.violation]
    score = form.locator("[data-role=score]").inner_text()
    assert form.locator("[data-role=announce]").inner_text() == f"Score {score}. Critical error: {'; '.join(titles)}."
    assert page.eval_on_selector(f"#quiz-{q.id} [data-role=announce]", "e => e.getBoundingClientRect().width") <= 1
    assert page.evaluate("document.activeElement.dataset.role") == "heading"
    assert page.evaluate("document.activeElement.closest('form').id") == f"quiz-{q.id}"
    # the order: level, what was breached with its clause, what to do instead, then every option's reasons
    text = form.locator("[data-role=result]").inner_text()
    first_clause = BANK_CATALOG.provision(bad.violation[0]).text.split("\n")[0][:40]
    best = next(o for o in q.options if o.credit == 1)
    positions = [text.index("Level: Beginning (critical error)"), text.index(f"It breaches {bad.violation[0]} · "),
                 text.index(first_clause), text.index("What to do instead: " + best.text),
                 text.index("Each option, with reasons")]
    assert positions == sorted(positions)
    assert ".:" not in text
    # the long feedback is not a live region; the only live regions of the quiz are its two short status lines
    live = page.eval_on_selector_all(f"#quiz-{q.id} [aria-live], #quiz-{q.id} [role=status], #quiz-{q.id} [role=alert]",
                                     "els => els.map(e => e.dataset.role)")
    assert sorted(live) == ["announce", "status"]
    # a good answer is announced with its level
    answer_by_keyboard(page, q, best.id)
    assert form.locator("[data-role=announce]").inner_text() == "Score 100%. Level: Mastery."
    assert page.errors == []


SEARCH = ".search-button-field, .search-button"


@pytest.mark.parametrize("width", [1366, 1000, 390])
def test_one_search_box_at_every_width(browser, server, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(f"{server}/book/orientation/glossary.html")
    visible = page.eval_on_selector_all(SEARCH, "els => els.filter(e => e.getBoundingClientRect().width > 0).length")
    context.close()
    assert visible == 1


def test_every_quiz_control_is_a_24_pixel_target_on_a_phone(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{server}/{EXEMPLAR}")
    small = page.eval_on_selector_all(
        ".nasams-quiz input, .nasams-quiz button, .nasams-self-rating input, .nasams-self-rating button, "
        ".nasams-answers button:not([hidden]), .nasams-answers input",
        """els => els.filter(e => e.offsetParent !== null).map(e => { const r = e.getBoundingClientRect();
              return [e.id || e.className || e.dataset.action, Math.round(r.width), Math.round(r.height)]; })
            .filter(([, w, h]) => w < 24 || h < 24)""")
    context.close()
    assert small == []


def test_clearing_a_chapter_keeps_the_other_chapters(page, base):
    other = next(c for c in BANK.chapters if c != "victims-and-privilege")
    kept = BANK.questions_in_chapter(other)[0]
    page.goto(f"{base}/{EXEMPLAR}")
    elsewhere = {"provision": BANK.chapters[other].provisions[0], "stage": "before", "rating": 2,
                 "at": "2026-01-01T00:00:00.000Z"}
    seed(page, {KEY + kept.id: json.dumps({"attempts": [{"answer": keyed_answer(kept), "at": "2026-01-01T00:00:00.000Z"}]}),
                "nasams-course:nasams-ethics:ratings": json.dumps({"ratings": [elsewhere]})})
    rate_by_keyboard(page, "before", {CHAPTER.provisions[0]: 3})
    answer_by_keyboard(page, QUESTIONS[0], PLAN[QUESTIONS[0].id])
    tab_until(page, lambda s: s["action"] == "clear")
    assert page.inner_text("[data-action=clear]") == "Clear this chapter's answers"
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('[data-role=panel-status]').textContent.includes('cleared')")
    assert stored(page, QUESTIONS[0].id) == [] and len(stored(page, kept.id)) == 1
    ratings = json.loads(page.evaluate("localStorage.getItem('nasams-course:nasams-ethics:ratings')"))["ratings"]
    assert ratings == [elsewhere]
    assert page.is_hidden(f"#quiz-{QUESTIONS[0].id} [data-role=result]")
    assert page.is_checked(f"#sr-before-{CHAPTER.provisions[0]}--3") is False
    page.goto(f"{base}/{PROGRESS}")
    assert page.inner_text("[data-action=clear]") == "Clear all my answers" and page.errors == []


def test_an_imported_self_rating_for_an_unknown_provision_is_skipped_as_grade_reports_it(page, base, tmp_path):
    data = {"schema": "nasams-course/responses@2", "learner": "Ana Ruiz", "responses": [],
            "self_ratings": [{"provision": "X9", "stage": "before", "rating": 3, "at": "2026-11-30T09:00:00Z"},
                             {"provision": CHAPTER.provisions[0], "stage": "before", "rating": 3,
                              "at": "2026-11-30T09:00:00Z"}]}
    path = tmp_path / "ratings.json"
    path.write_text(json.dumps(data))
    report = subprocess.run([sys.executable, "-m", "nasams_course", "--root", str(REPO), "grade", str(path)],
                            capture_output=True, text=True)
    assert report.returncode == 1 and "(provision 'X9'): unknown provision" in report.stdout + report.stderr
    page.goto(f"{base}/{EXEMPLAR}")
    status = import_files(page, tmp_path, {"ratings.json": data})
    assert "1 self-rating" in status and "self-rating (X9): unknown provision" in status
    kept = json.loads(page.evaluate("localStorage.getItem('nasams-course:nasams-ethics:ratings')"))["ratings"]
    assert [r["provision"] for r in kept] == [CHAPTER.provisions[0]] and page.errors == []


@pytest.mark.parametrize("missing", ["nasams-save.js", "nasams-files.js"])
def test_a_file_button_whose_code_cannot_load_says_so_and_changes_nothing(browser, server, missing):
    """The progress page loads the saving and file code on first use: when either cannot be fetched, the panel
    says which file, and the saved answers are as they were."""
    context = browser.new_context()
    pg = context.new_page()
    pg.route(f"**/_static/{missing}*", lambda route: route.abort())
    pg.goto(f"{server}/{PROGRESS}")
    pg.fill("#nasams-learner", "Sam Okafor")
    before = pg.evaluate("JSON.stringify(Object.entries(localStorage).sort())")
    pg.click("[data-action=download]")
    pg.wait_for_function("document.querySelector('[data-role=panel-status]').textContent.includes('could not load')")
    assert missing in pg.inner_text("[data-role=panel-status]")
    assert pg.evaluate("JSON.stringify(Object.entries(localStorage).sort())") == before
    context.close()
