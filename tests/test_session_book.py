"""Session books: the generated project is a valid course root of only the chosen material; both example syllabi
build with -n -W, 0 broken internal links and no kernel; the pages, the book's data and the zip hold the session's
material and nothing else; --out inside the course is refused."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from conftest import EXAMPLE_SESSIONS, REPO
from nasams_course.catalog import load_catalog
from nasams_course.content.loader import load_bank, load_bank_or_raise
from nasams_course.training.links import broken_links
from nasams_course.training.plan import Block
from nasams_course.training.session_book import (
    SessionBuildError,
    chapter_data,
    check_out,
    home_page,
    md_text,
    partial_page,
    write_project,
)
from nasams_course.training.syllabus import is_whole, load_syllabus

BANK = load_bank_or_raise(REPO)
CATALOG = load_catalog()
SYLLABI = REPO / "syllabi"


def plan_of(name: str):
    return load_syllabus(SYLLABI / f"{name}.yml", BANK).plan


# ---- the generated project, without building it ---------------------------------------------------------------

@pytest.mark.parametrize("name", ["confidentiality-and-victims", "part1-assessment"])
def test_the_project_is_a_valid_course_root_of_only_the_chosen_material(tmp_path, name):
    plan = plan_of(name)
    write_project(plan, BANK, REPO, tmp_path)
    bank, problems = load_bank(tmp_path)  # validates: every chosen question shown once, every chosen vignette shown
    assert problems == []
    assert list(bank.questions) == [q for q in BANK.questions if q in plan.questions]
    assert set(bank.vignettes) == set(plan.vignettes)
    assert list(bank.chapters) == list(plan.chapters)  # the course's order
    assert {cid: ch.minutes for cid, ch in bank.chapters.items()} == {b.chapter: b.minutes for b in plan.blocks}
    manifest = json.loads((tmp_path / "session.json").read_text())
    assert manifest["id"] == plan.id and manifest["mode"] == plan.mode
    assert set(plan.provisions(BANK)) <= set(manifest["provisions"])


def test_a_chapter_chosen_whole_keeps_the_courses_page_and_a_part_gets_its_own(tmp_path):
    plan = plan_of("confidentiality-and-victims")
    write_project(plan, BANK, REPO, tmp_path)
    for block in plan.blocks:
        page = f"{BANK.page_of[block.chapter]}.md"
        same = (tmp_path / page).read_text() == (REPO / page).read_text()
        assert same == is_whole(block, BANK), block.chapter
    part = (tmp_path / "book/unprofessional/confidentiality-and-boundaries.md").read_text()
    assert "(provision-u7)=" in part and "(provision-u8)=" not in part and "(provision-u13)=" not in part
    assert re.findall(r"^## Case (\d+):", part, re.M) == ["1", "2"]  # renumbered: the course's Case 2 is left out
    assert "v-u8-letter-and-commissary" not in part and "## Summary" not in part
    assert "self_rating('confidentiality-and-boundaries', 'after')" in part


def test_a_case_shows_only_its_chosen_questions(tmp_path):
    vid = "v-s5-sister-next-door"
    mine = [q.id for q in BANK.questions_of_vignette(vid)]
    block = Block("victims-and-privilege", "t", 10, ("S5",), (vid,), tuple(mine[:1]))
    text = partial_page((REPO / "book/standards/victims-and-privilege.md").read_text(), block, BANK, CATALOG, ("S5",))
    assert f'quizzes_for("{vid}")' not in text and f"quiz({mine[0]!r})" in text
    assert all(q not in text for q in mine[1:])
    assert "(provision-s5)=" in text and "(provision-s6)=" not in text and "q-s16-privilege-statements" not in text


def test_a_chapter_reached_only_by_questions_shows_the_text_of_the_provisions_they_assess(tmp_path):
    plan = plan_of("part1-assessment")
    block = plan.blocks[0]
    assert block.provisions == ()  # no section chosen
    data = chapter_data(block, BANK, CATALOG)
    assessed = {p for q in block.questions for p in BANK.questions[q].provisions}
    assert data["provisions"] and set(data["provisions"]) <= assessed
    text = partial_page((REPO / f"{BANK.page_of[block.chapter]}.md").read_text(), block, BANK, CATALOG,
                        tuple(data["provisions"]))
    assert "## The provisions these questions assess" in text
    assert all(f"(provision-{pid.lower()})=" in text and f"provision({pid!r})" in text for pid in data["provisions"])
    assert "### In plain language" not in text  # the text of the provision, not its section
    assert data["minutes"] == block.minutes


def test_syllabus_text_reaches_the_page_as_text_never_as_markup():
    text = "A <b>bold</b> {term}`x` [link](http://x) *em* _u_ #1 & 50% $x$ | a\\b"
    html = MarkdownIt("commonmark").render(md_text(text))
    assert "<b>" not in html and "<a " not in html and "<em>" not in html and "&lt;b&gt;" in html
    assert "{term}" in html and "`x`" in html  # shown as written
    plan = plan_of("confidentiality-and-victims")
    from dataclasses import replace

    page = home_page(replace(plan, title="<script>alert(1)</script>", audience="{role}`x`"), BANK, CATALOG)
    assert "# \\<script\\>alert(1)\\</script\\>" in page and "\\{role\\}\\`x\\`" in page


def test_out_inside_the_course_is_refused_except_a_folder_of_its_own_under_build(tmp_path):
    for inside in (REPO, REPO / "book", REPO / "sessions" / "x", REPO / "_build", REPO / "_build" / "html",
                   REPO / "_build" / "html" / "x"):
        with pytest.raises(SessionBuildError, match="inside the course's files"):
            check_out(inside, REPO)
    assert check_out(REPO / "_build" / "sessions" / "x", REPO) == (REPO / "_build" / "sessions" / "x").resolve()
    assert check_out(tmp_path / "new", REPO) == (tmp_path / "new").resolve()
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.docx").write_text("precious")
    with pytest.raises(SessionBuildError, match="not empty and holds no earlier session build"):
        check_out(tmp_path / "mine", REPO)
    (tmp_path / "file").write_text("")
    with pytest.raises(SessionBuildError, match="is a file"):
        check_out(tmp_path / "file", REPO)


def test_the_cli_refuses_an_out_inside_the_course_and_writes_nothing(tmp_path):
    run = subprocess.run([sys.executable, "-m", "nasams_course", "--root", str(REPO), "session", "build",
                          str(SYLLABI / "part1-assessment.yml"), "--out", str(REPO / "book" / "x")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert "--out" in run.stderr and "inside the course's files" in run.stderr and "Traceback" not in run.stderr
    assert not (REPO / "book" / "x").exists()


# ---- the two example sessions, built ---------------------------------------------------------------------------

@pytest.fixture(params=EXAMPLE_SESSIONS)
def built(request, session_build):
    out, result = session_build(request.param)  # built once per test run (conftest.py)
    return plan_of(request.param), out, result


def pages(html: Path) -> dict[str, str]:
    return {p.relative_to(html).as_posix(): p.read_text(encoding="utf-8") for p in html.rglob("*.html")
            if p.relative_to(html).parts[0] not in ("_static", "_sources")}


def test_the_session_builds_with_no_broken_link_and_no_kernel(built):
    plan, out, result = built
    assert broken_links(out / "html") == []
    log = (out / "build.log").read_text()
    assert "build succeeded" in log and "WARNING" not in log
    assert "Executing notebook" not in log  # every page's outputs came from this process, through the cache
    assert log.count("Using cached notebook") == result["pages_executed"] == len(plan.blocks) + 4
    assert not (out / "source" / "_build").exists()


def test_the_book_holds_the_chosen_material_and_nothing_else(built):
    plan, out, _ = built
    html = pages(out / "html")
    chapters = {f"{BANK.page_of[c]}.html" for c in plan.chapters}
    orientation = {f"book/orientation/{n}.html" for n in ("session", "progress", "scoring", "coverage-map",
                                                          "glossary")}
    assert {p for p in html if p.startswith("book/")} == chapters | orientation
    forms = [q for text in html.values() for q in re.findall(r'<form class="nasams-quiz" id="quiz-([a-z0-9-]+)"', text)]
    assert sorted(forms) == sorted(plan.questions)  # each chosen question once, no other
    cards = {v for text in html.values() for v in re.findall(r'class="nasams-vignette" id="case-([a-z0-9-]+)"', text)}
    assert cards == set(plan.vignettes)
    for block in plan.blocks:
        page = html[f"{BANK.page_of[block.chapter]}.html"]
        assert all(f'id="provision-{p.lower()}"' in page for p in block.provisions)


def test_every_page_names_the_session_and_its_chapters_in_the_books_data(built):
    plan, out, _ = built
    for name, text in pages(out / "html").items():
        if name in ("genindex.html", "search.html", "index.html"):
            continue
        data = json.loads(re.search(r'<script type="application/json" id="nasams-book">(.*?)</script>', text).group(1))
        assert data["session"] == plan.id, name
        assert [c["questions"] for c in data["chapters"]] == [list(b.questions) for b in plan.blocks]


def test_the_home_page_says_what_when_how_long_for_whom_and_how_to_hand_in(built):
    plan, out, _ = built
    home = pages(out / "html")["book/orientation/session.html"]
    text = re.sub(r"<[^>]+>", "", home).replace("&#8217;", "'").replace("’", "'")
    assert plan.title.split(":")[0] in text and plan.dates[0] in text and plan.audience in text
    assert f"about {plan.minutes} minutes" in text and "Download my answers" in text
    assert f"nasams-responses-{plan.id}-your-name.json" in text and "Give that file to your trainer" in text
    assert '<a class="np-start" data-role="start" href="../../' + BANK.page_of[plan.chapters[0]] + '.html"' in home
    assert (out / "html" / "index.html").read_text().count("book/orientation/session.html") >= 1


def test_the_coverage_map_and_progress_page_are_the_sessions(built):
    plan, out, _ = built
    html = pages(out / "html")
    scope = json.loads((out / "source" / "session.json").read_text())["provisions"]
    rows = re.findall(r'<tr data-part="[a-z]+" data-domain="[a-z-]+" data-provision="([A-Za-z0-9]+)"',
                      html["book/orientation/coverage-map.html"])
    assert rows == scope
    progress = html["book/orientation/progress.html"]
    if plan.mode == "assessment":  # no progress page: the list of its questions, answered or not (no score)
        assert re.findall(r'<tr data-question="([a-z0-9-]+)">', progress) == [q for q in BANK.questions
                                                                              if q in plan.questions]
        return
    cells = re.findall(r'class="np-cell" data-provision="([A-Za-z0-9]+)"', progress)
    assert cells == [p for p in CATALOG.ids if p in plan.provisions(BANK)]
    assert f"The {len(cells)} provisions</h2>" in progress


def test_the_zip_holds_the_book_in_one_folder(built):
    plan, out, result = built
    archive = out / f"{plan.id}-book.zip"
    assert result["zip"] == str(archive)
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
    files = sorted(p.relative_to(out / "html").as_posix() for p in (out / "html").rglob("*") if p.is_file())
    assert sorted(n.removeprefix(f"{plan.id}-book/") for n in names) == files
    assert f"{plan.id}-book/index.html" in names


def test_a_selection_is_not_held_to_the_banks_cue_limits(tmp_path):
    """The test-wise cue limits are the bank's: eight single questions, seven keyed on their longest option, are a
    fair session (the course's bank meets the limits) and the project validates."""
    from nasams_course.content.cues import bank_cues, check_cues
    from nasams_course.training.syllabus import Syllabus, resolve

    longest = bank_cues(BANK)["bank"].single_longest
    other = next(q.id for q in BANK.questions.values() if q.kind == "single" and q.id not in longest)
    syllabus = Syllabus.model_validate({
        "id": "cues", "title": "T", "dates": ["2026-11-02"], "audience": "A", "minutes": 600, "mode": "practice",
        "zones": [{"title": "Z", "questions": [*longest, other]}]})
    plan = resolve(syllabus, BANK, CATALOG, "s.yml").plan
    write_project(plan, BANK, REPO, tmp_path)
    bank, problems = load_bank(tmp_path)
    assert problems == []
    assert check_cues(bank) != []  # what the course's checks would say of this selection as a bank


def test_the_build_writes_the_guide_and_handout_beside_the_book(built):
    plan, out, result = built
    guide, handout = Path(result["guide"]), Path(result["handout"])
    assert guide == out / f"{plan.id}-facilitator-guide.html" and handout == out / f"{plan.id}-handout.html"
    rationale = BANK.questions[plan.questions[0]].options[0].rationale
    assert rationale in guide.read_text() and rationale not in handout.read_text()
    # the PDFs' text is checked in tests/browser/test_session_book.py (printing needs Chromium)
    for key in ("guide_pdf", "handout_pdf"):
        assert result[key] is None or Path(result[key]).read_bytes().startswith(b"%PDF-")


def test_without_chromium_the_build_stops_in_one_line_before_writing_anything(tmp_path):
    out = tmp_path / "out"
    empty = tmp_path / "bin"
    empty.mkdir()  # a PATH on which no chromium is found
    run = subprocess.run([sys.executable, "-m", "nasams_course", "--root", str(REPO), "session", "build",
                          str(SYLLABI / "part1-assessment.yml"), "--out", str(out)],
                         capture_output=True, text=True, timeout=120, env={"PATH": str(empty)})
    assert run.returncode == 2
    assert run.stderr.strip().splitlines()[-1].startswith("nasams-course session build: error: Chromium is not "
                                                          "installed")
    assert "--no-pdf" in run.stderr and "Traceback" not in run.stderr
    assert not out.exists()


# ---- an assessment session is sealed ------------------------------------------------------------------------------

def session_questions(plan):
    return [BANK.questions[q] for q in plan.questions]


def test_the_assessment_session_holds_no_key_anywhere_and_the_practice_session_does(session_build):
    """Every file of the built assessment book and of its zip: no rationale, no key field in any JSON, no feedback
    markup, no word only rationales use among the search terms. The same scan finds all of them in the practice book."""
    from key_scan import KEY_CLASSES, scan

    plan = plan_of("part1-assessment")
    assert plan.mode == "assessment"
    out, _ = session_build(plan.id)
    assert not scan(out, plan.id, session_questions(plan))
    practice = plan_of("confidentiality-and-victims")
    assert practice.mode == "practice"
    out, _ = session_build(practice.id)
    found = scan(out, practice.id, session_questions(practice))
    assert {q for _, q in found.rationales} == set(practice.questions)
    assert any(name.startswith("zip:") for name, _ in found.rationales)
    assert {f for _, f in found.key_fields} == {"credit", "correct", "key", "violation"}
    assert {c for _, c in found.key_markup} == set(KEY_CLASSES)
    assert len(found.index_terms) > 20


def test_an_assessment_saves_answers_with_no_feedback_and_lists_them_without_scores(session_build):
    plan = plan_of("part1-assessment")
    out, _ = session_build(plan.id)
    html = pages(out / "html")
    forms = [f for text in html.values() for f in re.findall(r'<form class="nasams-quiz"[^>]*>.*?</form>', text, re.S)]
    assert len(forms) == len(plan.questions)
    for form in forms:
        assert 'data-saved="Saved. You will get feedback from your trainer."' in form
        assert '<button type="submit" class="nq-submit">Save answer</button>' in form and "Submit" not in form
    answered = html["book/orientation/progress.html"]
    assert "<h1>Your answers" in answered and "nasams-progress" not in answered and "nasams-answered.js" in answered
    assert re.findall(r'<tr data-question="([a-z0-9-]+)">', answered) == [q for q in BANK.questions
                                                                          if q in plan.questions]
    assert "Score" not in re.sub(r"<[^>]+>", "", answered) and "Level" not in answered
    home = html["book/orientation/session.html"]
    assert "Save answer" in home and "no feedback during the session" in home and "Your answers</a>" in home
    assert 'data-done="Every question is answered: check the list and download your answers"' in home
    assert "See which questions you have answered</a>" in html[f"{BANK.page_of[plan.chapters[0]]}.html"]
    coverage = html["book/orientation/coverage-map.html"]
    assert "lation items" not in coverage and "violation" not in coverage.lower()
    assert "In this assessment" in html["book/orientation/scoring.html"]


def test_a_practice_session_keeps_its_feedback_progress_page_and_violation_items(session_build):
    plan = plan_of("confidentiality-and-victims")
    out, _ = session_build(plan.id)
    html = pages(out / "html")
    assert "Save answer" not in "".join(html.values())
    assert 'class="nasams-progress"' in html["book/orientation/progress.html"]
    assert "Vio&shy;lation items" in html["book/orientation/coverage-map.html"]
    assert "In this assessment" not in html["book/orientation/scoring.html"]


def test_each_book_keeps_its_answers_under_its_own_storage_prefix(session_build):
    for name in EXAMPLE_SESSIONS:
        out, _ = session_build(name)
        for page, text in pages(out / "html").items():
            if page in ("genindex.html", "search.html", "index.html"):
                continue
            data = json.loads(re.search(r'<script type="application/json" id="nasams-book">(.*?)</script>',
                                        text).group(1))
            assert data["prefix"] == f"nasams-course:session:{name}:", page
