"""Session books: the generated project is a valid course root of only the chosen material; both example syllabi
build with -n -W, 0 broken internal links and no kernel; the pages, the book's data and the zip hold the session's
material and nothing else; --out inside the course is refused."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from conftest import EXAMPLE_SESSIONS, REPO, ascii_locale
from nasams_course.catalog import load_catalog
from nasams_course.content.loader import ROOT_ENV, load_bank, load_bank_or_raise, session_manifest
from nasams_course.training.links import broken_links
from nasams_course.training.plan import Block
from nasams_course.training.session_book import (
    FRONT_MATTER,
    SessionBuildError,
    build,
    build_html,
    chapter_data,
    check_out,
    execute,
    home_page,
    jupyter_book,
    md_text,
    partial_page,
    skip_iri_grammars,
    write_project,
    write_zip,
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


def test_the_table_of_contents_is_the_courses_narrowed_to_the_sessions_chapters(tmp_path):
    import yaml

    write_project(plan_of("confidentiality-and-victims"), BANK, REPO, tmp_path)
    toc = yaml.safe_load((tmp_path / "_toc.yml").read_text())
    orientation = ["progress", "scoring", "coverage-map", "glossary"]  # not the course's verify page
    assert toc == {"format": "jb-book", "root": "book/orientation/session", "parts": [
        {"caption": "Start here", "chapters": [{"file": f"book/orientation/{n}"} for n in orientation]},
        {"caption": "Part I: Code of Ethics", "numbered": True,
         "chapters": [{"file": "book/ethics/confidentiality-records-rights"}]},
        {"caption": "Part II: Standards of Practice", "numbered": True,
         "chapters": [{"file": "book/standards/victims-and-privilege"}]},
        {"caption": "Part III: Examples of Unprofessional Conduct", "numbered": True,
         "chapters": [{"file": "book/unprofessional/confidentiality-and-boundaries"}]}]}
    config = yaml.safe_load((tmp_path / "_config.yml").read_text())
    course = yaml.safe_load((REPO / "_config.yml").read_text())
    assert config["title"] == "Confidentiality and victims: a two-hour CE seminar"  # the session's
    assert config["execute"] == {**course.get("execute", {}), "execute_notebooks": "cache"}
    assert {k: v for k, v in config.items() if k not in ("title", "execute")} == {
        k: v for k, v in course.items() if k not in ("title", "execute")}


@pytest.mark.parametrize("name", EXAMPLE_SESSIONS)
def test_a_course_written_in_accented_text_makes_its_project_where_the_locale_is_ascii(tmp_path, name):
    """Every file of the course the project reads (table of contents, configuration, pages, chapters, cases and
    questions) is read, and every file of the project written, in UTF-8 whatever the locale: on a server whose locale
    is C (ASCII) a course that names Zoë Ngũgĩ still makes its session, word for word."""
    import shutil

    import yaml

    from conftest import ascii_locale

    accents = "Zoë Ngũgĩ — Éthique"
    course = tmp_path / "course"
    shutil.copytree(REPO / "book", course / "book")
    toc = (REPO / "_toc.yml").read_text("utf-8").replace('"Part I: Code of Ethics"', f'"Part I: {accents}"')
    (course / "_toc.yml").write_text(toc, "utf-8")
    config = (REPO / "_config.yml").read_text("utf-8").replace("author: NASAMS course authors", f"author: {accents}")
    (course / "_config.yml").write_text(config, "utf-8")
    for path in [*(course / "book").rglob("*.yml"), *(course / "book").rglob("*.md")]:
        with path.open("a", encoding="utf-8") as f:
            f.write(f"# {accents}\n" if path.suffix == ".yml" else f"\n% {accents}\n")
    with ascii_locale():
        bank = load_bank_or_raise(course)
        plan = load_syllabus(SYLLABI / f"{name}.yml", bank).plan
        write_project(plan, bank, course, tmp_path / "out")
    out = tmp_path / "out"
    assert f"Part I: {accents}" in [p["caption"] for p in yaml.safe_load((out / "_toc.yml").read_text("utf-8"))["parts"]]
    assert yaml.safe_load((out / "_config.yml").read_text("utf-8"))["author"] == accents
    copied = [f"book/orientation/{n}.md" for n in ("scoring", "glossary")]
    for block in plan.blocks:
        folder = BANK.page_of[block.chapter]
        copied += [f"{folder}/{kind}s/{item}.yml" for kind, ids in (("vignette", block.vignettes),
                                                                    ("question", block.questions)) for item in ids]
        if is_whole(block, BANK):
            copied += [f"{folder}.md", f"{folder}/chapter.yml"]
    assert len(copied) > 10
    assert [rel for rel in copied if accents not in (out / rel).read_text("utf-8")] == []
    if plan.mode == "assessment":  # the scoring page, read again to add the sealed note, keeps its accents
        assert "{admonition} In this assessment" in (out / "book/orientation/scoring.md").read_text("utf-8")
    else:
        assert any(is_whole(b, BANK) for b in plan.blocks)


def test_the_coverage_page_names_violation_items_in_a_practice_session_only():
    from dataclasses import replace

    from nasams_course.training.session_book import VIOLATION_ITEMS, coverage_page

    plan = plan_of("confidentiality-and-victims")
    practice, assessment = coverage_page(plan), coverage_page(replace(plan, mode="assessment"))
    assert VIOLATION_ITEMS in practice and "violation" not in assessment.lower()
    assert practice.replace(VIOLATION_ITEMS, "") == assessment and "{violations}" not in assessment


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
    with pytest.raises(SessionBuildError) as caught:
        check_out(tmp_path / "mine", REPO)
    assert str(caught.value) == (f"--out {tmp_path / 'mine'} is not empty and holds no earlier session build: choose "
                                 "an empty or new folder (nothing in it is replaced)")
    (tmp_path / "earlier" / "source").mkdir(parents=True)
    (tmp_path / "earlier" / "source" / "session.json").write_text("{}")  # an earlier session build: built again
    assert check_out(tmp_path / "earlier", REPO) == (tmp_path / "earlier").resolve()
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


# ---- building, in this process: the pages executed, jupyter-book's run, the zip, the whole build ------------------
# (the books above are built by the command line in a child process, where `make mutate` sees nothing of it)

PAGE = FRONT_MATTER + """
# A page

```{code-cell} ipython3
:tags: [remove-input]
import os
x = 41
print("printed")
os.getcwd()
```

Some text.

```{code-cell} ipython3
from IPython.display import HTML, display
display(HTML("<b>shown</b>"))
display({"text/plain": "sized"}, raw=True, metadata={"text/plain": {"width": 2}})
x + 1
```

```{code-cell} ipython3
# a comment only
```

```{code-cell} ipython3
y = os.environ["NASAMS_COURSE_ROOT"]
```

```{code-cell} ipython3
__name__ + " " + y
```
"""


def test_each_page_is_executed_in_this_process_as_a_kernel_would_and_its_outputs_cached(tmp_path, monkeypatch):
    """What a cell prints, displays and evaluates to become its outputs, numbered as a kernel numbers them; the
    cells share one namespace, run in the page's folder with the course root set to the project, and the outputs go
    to the project's jupyter-cache, where `jupyter-book build` finds them."""
    from jupyter_cache import get_cache

    source = tmp_path / "source"
    (source / "book" / "part").mkdir(parents=True)
    (source / "book" / "part" / "page.md").write_text(PAGE, encoding="utf-8")
    (source / "book" / "part" / "plain.md").write_text("# Not a notebook\n", encoding="utf-8")
    monkeypatch.setenv(ROOT_ENV, "/the/course")
    before = Path.cwd()
    assert execute(source) == 1
    assert Path.cwd() == before and os.environ[ROOT_ENV] == "/the/course"
    records = get_cache(source / "_build" / ".jupyter_cache").list_cache_records()
    assert [r.uri for r in records] == [str(source / "book" / "part" / "page.md")]
    nb = get_cache(source / "_build" / ".jupyter_cache").get_cache_bundle(records[0].pk).nb
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == [1, 2, 3, 4, 5]
    outputs = [[(o.output_type, o.get("name"), o.get("text") or dict(o.get("data", {})), o.get("execution_count"))
                for o in c.outputs] for c in code]
    assert code[1].outputs[1].metadata == {"text/plain": {"width": 2}}  # a display's metadata kept
    assert outputs == [
        [("stream", "stdout", "printed\n", None),
         ("execute_result", None, {"text/plain": repr(str(source / "book" / "part"))}, 1)],
        [("display_data", None, {"text/html": "<b>shown</b>", "text/plain": "<IPython.core.display.HTML object>"},
          None),
         ("display_data", None, {"text/plain": "sized"}, None),
         ("execute_result", None, {"text/plain": "42"}, 2)],
        [],
        [],
        [("execute_result", None, {"text/plain": repr(f"__main__ {source}")}, 5)],
    ]


LOADING_PAGE = FRONT_MATTER + """
# A page

```{code-cell} ipython3
:load: snippet.py
```

```{code-cell} ipython3
class Boxed:
    def _repr_html_(self):
        return "<b>boxed</b>", {"isolated": True}

Boxed()
```
"""


def test_a_cell_may_load_its_code_from_beside_its_page_and_its_value_keeps_its_display_metadata(tmp_path):
    """A code cell with `:load: FILE` runs the code of FILE beside its page, as jupyter-book reads it; a value that
    says how it is to be shown (here: isolated) keeps it; and the page's cached run time (what jupyter-book's
    execution table shows) is the time its cells took."""
    import time

    from jupyter_cache import get_cache

    source = tmp_path / "source"
    (source / "book" / "part").mkdir(parents=True)
    (source / "book" / "part" / "page.md").write_text(LOADING_PAGE, encoding="utf-8")
    (source / "book" / "part" / "snippet.py").write_text(
        'import time\ntime.sleep(0.2)\nprint("loaded from beside the page")\n', encoding="utf-8")
    started = time.perf_counter()
    assert execute(source) == 1
    took = time.perf_counter() - started
    cache = get_cache(source / "_build" / ".jupyter_cache")
    [record] = cache.list_cache_records()
    code = [c for c in cache.get_cache_bundle(record.pk).nb.cells if c.cell_type == "code"]
    assert [(o.output_type, o.get("text")) for o in code[0].outputs] == [("stream", "loaded from beside the page\n")]
    [result] = code[1].outputs
    assert (result.output_type, result.data["text/html"], result.metadata, result.execution_count) == (
        "execute_result", "<b>boxed</b>", {"text/html": {"isolated": True}}, 2)
    assert 0.2 <= record.data["execution_seconds"] <= took


def test_two_pages_of_the_same_code_are_both_executed_and_both_find_their_outputs(tmp_path):
    """Pages are matched to their cached outputs by their code cells alone: two pages whose code is the same (their
    text differs) are both executed, the second's outputs replacing the first's, and each finds outputs to show."""
    from jupyter_cache import get_cache
    from myst_nb.core.read import read_myst_markdown_notebook

    source = tmp_path / "source"
    (source / "book").mkdir(parents=True)
    for name in ("one", "two"):
        (source / "book" / f"{name}.md").write_text(
            FRONT_MATTER + f"\n# Page {name}\n\n```{{code-cell}} ipython3\nprint('same')\n```\n", encoding="utf-8")
    assert execute(source) == 2
    cache = get_cache(source / "_build" / ".jupyter_cache")
    for name in ("one", "two"):
        page = read_myst_markdown_notebook((source / "book" / f"{name}.md").read_text(encoding="utf-8"))
        _, merged = cache.merge_match_into_notebook(page)
        assert [o.get("text") for c in merged.cells if c.cell_type == "code" for o in c.outputs] == ["same\n"]


@pytest.mark.parametrize(("cell_code", "message"), [
    ("1 / 0", "book/bad.md: cell 2 failed: ZeroDivisionError: division by zero"),
    ("import sys\nprint('careful', file=sys.stderr)", "book/bad.md: cell 2 wrote to stderr: careful"),
])
def test_a_cell_that_fails_or_writes_to_stderr_fails_its_page_by_name(tmp_path, monkeypatch, cell_code, message):
    source = tmp_path / "source"
    (source / "book").mkdir(parents=True)
    page = FRONT_MATTER + f"\n# Bad\n\n```{{code-cell}} ipython3\n1\n```\n\n```{{code-cell}} ipython3\n{cell_code}\n```\n"
    (source / "book" / "bad.md").write_text(page, encoding="utf-8")
    monkeypatch.delenv(ROOT_ENV, raising=False)
    before = Path.cwd()
    with pytest.raises(SessionBuildError) as caught:
        execute(source)
    assert str(caught.value) == message
    assert Path.cwd() == before and ROOT_ENV not in os.environ  # put back as it was


def test_the_iri_grammars_are_left_out_of_this_process(monkeypatch):
    monkeypatch.delitem(sys.modules, "rfc3987_syntax", raising=False)
    skip_iri_grammars()
    with pytest.raises(ImportError):
        import rfc3987_syntax  # noqa: F401


#: a stand-in for `jupyter-book build SOURCE ...`: records how it was called, prints what FAKE_LOG holds and, when it
#: succeeds, writes SOURCE/_build/html with one page (linking to `missing.html` if FAKE_LINK says so)
FAKE_JUPYTER_BOOK = """
import json, os, sys
from pathlib import Path
here = Path(sys.argv[0]).parent
source = Path(sys.argv[2])
(here / "called.json").write_text(json.dumps({"argv": sys.argv[1:], "root": os.environ.get("NASAMS_COURSE_ROOT")}))
print((here / "stdout.txt").read_text("utf-8"), end="")
print((here / "stderr.txt").read_text("utf-8"), end="", file=sys.stderr, flush=True)
if (here / "raw.bin").exists():  # bytes as they are, UTF-8 or not
    sys.stderr.buffer.write((here / "raw.bin").read_bytes())
status = int((here / "status.txt").read_text())
if status == 0:
    (source / "_build" / "html").mkdir(parents=True)
    links = "".join(f'<a href="{link}">x</a>' for link in (here / "link.txt").read_text().split())
    (source / "_build" / "html" / "index.html").write_text(f"<html><body>{links}</body></html>")
sys.exit(status)
"""


@pytest.fixture
def fake_jupyter_book(tmp_path, monkeypatch):
    """jupyter-book replaced by FAKE_JUPYTER_BOOK (a child process of a few milliseconds instead of a Sphinx build):
    `set(stdout, stderr, status, link)`; returns how it was called."""
    import nasams_course.training.session_book as session_book

    folder = tmp_path / "fake"
    folder.mkdir()
    (folder / "jupyter_book.py").write_text(FAKE_JUPYTER_BOOK, encoding="utf-8")
    monkeypatch.setattr(session_book, "jupyter_book", lambda: [sys.executable, str(folder / "jupyter_book.py")])

    def configure(stdout="", stderr="", status=0, link="index.html"):
        for name, text in (("stdout", stdout), ("stderr", stderr), ("status", str(status)), ("link", link)):
            (folder / f"{name}.txt").write_text(text, encoding="utf-8")
        return lambda: json.loads((folder / "called.json").read_text())

    return configure


def test_jupyter_book_is_run_on_the_project_with_its_flags_and_the_html_moved_out(tmp_path, fake_jupyter_book):
    called = fake_jupyter_book(stdout="building\nbuild succeeded.\n", stderr="a note\n")
    source, html = tmp_path / "out" / "source", tmp_path / "out" / "html"
    source.mkdir(parents=True)
    html.mkdir()
    (html / "stale.html").write_text("an earlier build's page")
    log = build_html(source, html)
    assert called() == {"argv": ["build", str(source), "-W", "-n", "--keep-going"], "root": str(source)}
    assert log == "building\nbuild succeeded.\na note\n"
    assert (tmp_path / "out" / "build.log").read_text() == log
    assert sorted(p.name for p in html.iterdir()) == ["index.html"] and not (source / "_build" / "html").exists()


def test_a_failed_build_reports_its_last_40_warnings_and_where_the_whole_log_is(tmp_path, fake_jupyter_book):
    noise = "".join(f"reading page {i}\n" for i in range(60))
    warnings = "".join(f"page{i}.md: WARNING: a problem {i}\n" for i in range(45))
    fake_jupyter_book(stdout=noise + warnings, stderr="Traceback?\nsome ERROR here\nValueError: Error in x\n",
                      status=1)
    source, html = tmp_path / "source", tmp_path / "html"
    source.mkdir()
    with pytest.raises(SessionBuildError) as caught:
        build_html(source, html)
    lines = str(caught.value).splitlines()
    assert lines[0] == f"the session book did not build (the whole log: {tmp_path / 'build.log'}):"
    assert lines[1:] == [f"page{i}.md: WARNING: a problem {i}" for i in range(7, 45)] + [
        "some ERROR here", "ValueError: Error in x"]
    assert (tmp_path / "build.log").read_text() == noise + warnings + "Traceback?\nsome ERROR here\nValueError: Error in x\n"
    assert not html.exists()
    # with no warning or error line, its last 40 lines
    fake_jupyter_book(stdout=noise, status=2)
    with pytest.raises(SessionBuildError) as caught:
        build_html(source, html)
    assert str(caught.value).splitlines()[1:] == [f"reading page {i}" for i in range(20, 60)]


def test_the_builds_accented_output_is_read_and_logged_in_utf8_where_the_locale_is_ascii(tmp_path, fake_jupyter_book):
    """jupyter-book quoting a page's accented text, on a server whose locale is C (ASCII): its output is read as UTF-8,
    written to build.log as UTF-8, and quoted whole in the message of a failed build."""
    from conftest import ascii_locale

    warning = "book/zoë.md: WARNING: “Ngũgĩ” is not a known reference\n"
    source, html = tmp_path / "source", tmp_path / "html"
    source.mkdir()
    fake_jupyter_book(stdout="building\n" + warning, status=1)
    with ascii_locale(), pytest.raises(SessionBuildError) as caught:
        build_html(source, html)
    assert str(caught.value).splitlines()[1:] == [warning.strip()]
    assert (tmp_path / "build.log").read_text("utf-8") == "building\n" + warning
    fake_jupyter_book(stdout=warning.replace("WARNING", "note"), status=0)
    with ascii_locale():
        assert build_html(source, html) == warning.replace("WARNING", "note")
    assert (tmp_path / "build.log").read_text("utf-8") == warning.replace("WARNING", "note")



def test_output_that_is_not_utf8_is_logged_with_a_replacement_character_not_an_error(tmp_path, fake_jupyter_book):
    """A byte of jupyter-book's output that is not UTF-8 (a tool it runs writing Latin-1) shows as "\ufffd" in the log
    and the message; the build's outcome is its status, not a UnicodeDecodeError."""
    fake_jupyter_book(stdout="building\n", status=1)
    (tmp_path / "fake" / "raw.bin").write_bytes("WARNING: caf\u00e9 in Latin-1: caf".encode() + b"\xe9\n")
    source = tmp_path / "source"
    source.mkdir()
    with pytest.raises(SessionBuildError) as caught:
        build_html(source, tmp_path / "html")
    assert str(caught.value).splitlines()[1:] == ["WARNING: café in Latin-1: caf\ufffd"]
    assert (tmp_path / "build.log").read_text("utf-8") == "building\nWARNING: café in Latin-1: caf\ufffd\n"


def test_jupyter_book_is_asked_to_write_utf8_whatever_its_locale(tmp_path, fake_jupyter_book, monkeypatch):
    """A jupyter-book started in a locale whose encoding is ASCII (C, neither coerced to UTF-8 nor in Python's UTF-8
    mode) would fail to print a page's accented text: it is asked to write UTF-8."""
    for name, value in (("LC_ALL", "C"), ("PYTHONCOERCECLOCALE", "0"), ("PYTHONUTF8", "0")):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("PYTHONIOENCODING", raising=False)
    fake_jupyter_book(stdout="book/zoë.md: built\n", status=0)
    source = tmp_path / "source"
    source.mkdir()
    assert build_html(source, tmp_path / "html") == "book/zoë.md: built\n"


def test_jupyter_book_is_this_pythons_and_its_absence_is_said_in_words(monkeypatch):
    command = jupyter_book()
    assert command[0] == sys.executable
    run = subprocess.run([*command, "--help"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.startswith("Usage: jupyter-book ")
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "jupyter_book" else real(name, *a))
    with pytest.raises(SessionBuildError) as caught:
        jupyter_book()
    assert str(caught.value) == "jupyter-book is not installed (make .venv/.installed installs it)"


def test_the_zip_holds_every_file_in_one_folder_and_replaces_an_earlier_zip(tmp_path):
    html = tmp_path / "html"
    (html / "_static" / "empty").mkdir(parents=True)
    (html / "index.html").write_text("<p>home</p>")
    (html / "_static" / "a.css").write_text("p { color: black }\n" * 50)
    path = tmp_path / "s-book.zip"
    path.write_text("an earlier zip")
    write_zip(html, path, "s-book")
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist() == ["s-book/_static/a.css", "s-book/index.html"]
        assert zf.read("s-book/_static/a.css") == ("p { color: black }\n" * 50).encode()
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in zf.infolist())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["html", "s-book.zip"]  # no part-written file left


TINY = {"id": "tiny", "title": "Tiny", "dates": ["2026-11-02"], "audience": "Us", "minutes": 60, "mode": "practice",
        "zones": [{"title": "Z", "questions": ["q-s5-contact-sequence"]}]}


def tiny_plan():
    from nasams_course.training.syllabus import Syllabus, resolve

    return resolve(Syllabus.model_validate(TINY), BANK, CATALOG, "s.yml").plan


def test_a_build_makes_the_project_executes_it_builds_zips_and_writes_the_guides(tmp_path, fake_jupyter_book):
    """The whole build in this process, jupyter-book's part played by the stand-in: what it returns and leaves."""
    import time

    fake_jupyter_book(stdout="build succeeded.\n")
    plan, out = tiny_plan(), tmp_path / "out"
    started = time.perf_counter()
    built = build(plan, BANK, REPO, out, pdf=False)
    took = time.perf_counter() - started
    assert (built.html, built.zip, built.pages, built.log) == (out / "html", out / "tiny-book.zip", 5,
                                                                "build succeeded.\n")
    assert built.guides == [out / "tiny-facilitator-guide.html", out / "tiny-handout.html"]
    assert all(p.is_file() for p in built.guides)
    assert 0 < built.seconds <= took and built.pdf_seconds == 0.0
    assert (out / "html" / "index.html").is_file() and (out / "source" / "session.json").is_file()
    assert not (out / "source" / "_build").exists()  # the executed pages' cache is not kept
    with zipfile.ZipFile(built.zip) as zf:
        assert zf.namelist() == ["tiny-book/index.html"]


def test_a_broken_link_stops_the_build_before_the_zip(tmp_path, fake_jupyter_book):
    fake_jupyter_book(link="nowhere.html")
    out = tmp_path / "out"
    with pytest.raises(SessionBuildError) as caught:
        build(tiny_plan(), BANK, REPO, out, pdf=False)
    assert str(caught.value) == ("the session book has 1 broken internal link(s):\n"
                                 "index.html: nowhere.html: no such file")
    assert not (out / "tiny-book.zip").exists() and not list(out.glob("tiny-*.html"))
    fake_jupyter_book(link=" ".join(f"p{i:02}.html" for i in range(41)))
    with pytest.raises(SessionBuildError) as caught:
        build(tiny_plan(), BANK, REPO, out, pdf=False)
    assert str(caught.value).splitlines() == ["the session book has 41 broken internal link(s):"] + [
        f"index.html: p{i:02}.html: no such file" for i in range(40)]  # the first 40


def test_without_chromium_a_build_writes_nothing_and_a_failed_print_is_one_line(tmp_path, monkeypatch,
                                                                                fake_jupyter_book):
    import nasams_course.training.session_book as session_book
    from nasams_course.training.pdf import PdfError

    fake_jupyter_book()
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # no chromium on it
    out = tmp_path / "out"
    with pytest.raises(PdfError, match=r"^Chromium is not installed"):
        build(tiny_plan(), BANK, REPO, out)
    assert not out.exists()
    monkeypatch.setattr(session_book, "chromium_executable", lambda: "/usr/bin/chromium")  # found, then gone
    with pytest.raises(SessionBuildError) as caught:
        build(tiny_plan(), BANK, REPO, out)
    assert str(caught.value).startswith("the guide and handout PDFs could not be printed: Chromium is not installed")
    assert isinstance(caught.value.__cause__, PdfError)


# ---- the session's data and pages, in this process -----------------------------------------------------------------

def plan_from(**fields):
    from nasams_course.training.syllabus import Syllabus, resolve

    return resolve(Syllabus.model_validate({**TINY, **fields}), BANK, CATALOG, "s.yml").plan


def test_session_json_holds_the_plan_and_its_scope_in_the_catalogs_order(tmp_path):
    write_project(tiny_plan(), BANK, REPO, tmp_path)
    assert json.loads((tmp_path / "session.json").read_text()) == {
        "schema": "nasams-course/session-book@1", "id": "tiny", "title": "Tiny", "dates": ["2026-11-02"],
        "audience": "Us", "mode": "practice", "minutes": 5, "budget_minutes": 60,
        "provisions": ["E13", "S5"],  # what its one question assesses (S5, E13), catalog order
        "blocks": [{"chapter": "victims-and-privilege", "minutes": 5, "provisions": [],
                    "vignettes": ["v-s5-sister-next-door"], "questions": ["q-s5-contact-sequence"]}]}
    # a section taught is in the scope even when no chosen question assesses it
    plan = plan_from(zones=None, provisions=["U8"])
    assert "U8" in plan.blocks[0].provisions
    from nasams_course.training.session_book import manifest

    data = manifest(plan, BANK, CATALOG)
    assert data["provisions"] == [p for p in CATALOG.ids if p in set(plan.provisions(BANK)) | {"U8"}]


def test_a_root_is_a_session_books_only_by_a_session_json_of_the_session_book_schema_read_as_utf8(tmp_path):
    """The plan the build wrote is read back as written, accents and all, under the C locale (ASCII); a session.json
    of another schema or that is not an object, and none at all, leave the root the course's (None)."""
    write_project(plan_from(title="Séance d’éthique"), BANK, REPO, tmp_path)
    written = json.loads((tmp_path / "session.json").read_text(encoding="utf-8"))
    with ascii_locale():
        assert session_manifest(tmp_path) == written and written["title"] == "Séance d’éthique"
    for text in ('{"schema": "nasams-course/session-book@2", "id": "tiny"}', '{"id": "tiny"}',
                 '["nasams-course/session-book@1"]'):
        (tmp_path / "session.json").write_text(text, encoding="utf-8")
        assert session_manifest(tmp_path) is None, text
    (tmp_path / "session.json").unlink()
    assert session_manifest(tmp_path) is None


def test_the_home_page_says_what_when_how_long_for_whom_and_each_chapters_share():
    tiny = home_page(tiny_plan(), BANK, CATALOG)
    assert tiny.startswith(FRONT_MATTER + "\n# Tiny\n\n**Practice session** · 2026-11-02 · about 5 minutes · for Us\n")
    assert ("\n1. [Victims, prosecution witnesses, releases and privilege](../standards/victims-and-privilege.md): "
            "part of the chapter (1 of its 3 cases and 1 of its 8 questions); about 5 minutes, 1 case, 1 question.\n"
            "\nThe questions assess 2 provisions of the code (those marked with a section are explained in the "
            "chapters):\n\n- **E13** Working within counsel's professional obligations\n"
            "- **S5** Contact with victims and prosecution witnesses\n") in tiny
    assert "answer its questions and press **Submit**; the feedback explains every option." in tiny
    assert "- [Your progress](progress.md) on this session's provisions\n" in tiny
    assert "(`nasams-responses-tiny-your-name.json`)" in tiny and "Save answer" not in tiny
    assert ("\n```{code-cell} ipython3\n:tags: [remove-input]\nfrom nasams_course.notebook import answers_panel, "
            "start_button\n\nstart_button()\n```\n\n## What this session covers\n\n1. [") in tiny
    assert ("\n```{code-cell} ipython3\n:tags: [remove-input]\nanswers_panel()\n```\n\n## Also in this book\n\n"
            "- [How you are scored](scoring.md)\n- [Your progress](progress.md) on this session's provisions\n"
            "- [Coverage map](coverage-map.md) of this session's provisions\n- [Glossary](glossary.md)\n\n"
            "```{admonition} Not legal advice\n:class: important\nThis session is training material, not legal "
            "advice.") in tiny
    plan = plan_from(mode="assessment", dates=["2026-11-03", "2026-11-02"], zones=None,
                     chapters=["victims-and-privilege"], provisions=["U7", "U8"])
    home = home_page(plan, BANK, CATALOG)
    assert "**Assessment session** · 2026-11-02, 2026-11-03 · about 75 minutes · for Us\n" in home
    assert ("\n1. [Victims, prosecution witnesses, releases and privilege](../standards/victims-and-privilege.md): "
            "the whole chapter; about 40 minutes, 3 cases, 8 questions.\n") in home
    assert ("\n2. [Confidentiality, boundaries and conflicts of interest](../unprofessional/confidentiality-and-"
            "boundaries.md): part of the chapter (the sections on U7, U8, 3 of its 3 cases and 9 of its 10 questions); "
            "about 35 minutes, 3 cases, 9 questions.\n") in home
    assert "- **S5** Contact with victims and prosecution witnesses (section)\n" in home
    assert "- **E6** Privacy, confidentiality, work product and privilege\n" in home  # assessed, no section
    assert ("answer its questions and press **Save answer**. There is no feedback during the session: your trainer "
            "grades your answers afterwards and gives you a feedback page with every option's reasons.") in home
    assert "- [Your answers](progress.md): which of this session's questions you have answered\n" in home


def test_the_generated_files_read_as_written_marked_generated_in_the_courses_field_order(tmp_path):
    """What a trainer opening the project sees: `_config.yml` and `_toc.yml` marked generated, a narrowed
    `chapter.yml` in the course's field order with each objective on one line, text not escaped (é, not \\xE9)."""
    import yaml

    plan = plan_from(title="Séance d’éthique")
    write_project(plan, BANK, REPO, tmp_path / "new" / "source")  # its folders made
    source = tmp_path / "new" / "source"
    for name in ("_config.yml", "_toc.yml"):
        assert (source / name).read_text().startswith("# Generated by nasams-course session build: do not edit.\n")
    assert "\ntitle: Séance d’éthique\n" in (source / "_config.yml").read_text()
    text = (source / "book/standards/victims-and-privilege/chapter.yml").read_text()
    assert [line.split(":")[0] for line in text.splitlines() if not line.startswith(("-", " "))] == [
        "id", "title", "part", "provisions", "minutes", "objectives"]
    objectives = yaml.safe_load(text)["objectives"]
    assert max(map(len, objectives)) > 80 and all(f"- {o}\n" in text for o in objectives)  # one line each
    manifest = (source / "session.json").read_text()
    assert manifest == json.dumps(json.loads(manifest), indent=1, ensure_ascii=False) + "\n"
    assert '\n "title": "Séance d’éthique",\n' in manifest


def test_a_partly_chosen_chapter_lists_its_chosen_sections_and_the_objectives_they_or_its_questions_name():
    from nasams_course.training.session_book import listed_provisions

    plan = plan_from(zones=None, provisions=["U7"])
    (block,) = plan.blocks
    assert {p for q in block.questions for p in BANK.questions[q].provisions} == {"U7", "U13", "E6", "S15", "E9"}
    data = chapter_data(block, BANK, CATALOG)
    assert data["provisions"] == ["U7"] and data["minutes"] == 20
    objectives = BANK.chapters["confidentiality-and-boundaries"].objectives
    assert [o[:40] for o in objectives] == ["Recognise when sharing a case story, a r", "Tell kindness toward a client and family",
                                            "Respond to a client's personal request o", "Explain when U13 requires advising other"]
    assert data["objectives"] == [objectives[0], objectives[3]]  # U7's, and U13's (its case's questions assess U13)
    # no section chosen: the provisions its questions assess that the chapter teaches (S5, not E13), catalog order
    (tiny,) = tiny_plan().blocks
    assert listed_provisions(tiny, BANK, CATALOG) == ("S5",)
    assert chapter_data(tiny, BANK, CATALOG)["provisions"] == ["S5"]


def test_questions_on_provisions_their_chapter_does_not_teach_list_those_and_keep_every_objective(course):
    """A chapter (teaching S5, S16, E6, one objective naming none) whose chosen question assesses only E3 and E7."""
    from nasams_course.training.session_book import listed_provisions

    course.write("questions/q-other.yml", """
        id: q-other
        vignette: v-one
        kind: single
        stem: What now?
        provisions: [E7, E3]
        options:
          - {id: a, text: Ask counsel first, credit: 1, rationale: Right (E3).}
          - {id: b, text: Talk now, credit: 0, rationale: Wrong (E7).}
          - {id: c, text: Wait, credit: 0.5, rationale: Partly (E3).}
    """)
    course.show_all()
    bank, problems = load_bank(course.root)
    assert problems == []
    block = Block("ch", "A chapter", 5, (), ("v-one",), ("q-other",))
    assert listed_provisions(block, bank, CATALOG) == ("E3", "E7")
    data = chapter_data(block, bank, CATALOG)
    assert data["provisions"] == ["E3", "E7"] and data["objectives"] == ["Do the right thing."]


def test_an_assessment_project_seals_the_scoring_page_and_lists_answers_instead_of_progress(tmp_path):
    from nasams_course.training.session_book import ANSWERED_PAGE, PROGRESS_PAGE, SEALED_SCORING, coverage_page

    for mode, progress in (("assessment", ANSWERED_PAGE), ("practice", PROGRESS_PAGE)):
        plan = plan_from(mode=mode)
        write_project(plan, BANK, REPO, tmp_path / mode)
        orientation = tmp_path / mode / "book" / "orientation"
        assert (orientation / "progress.md").read_text() == progress
        assert (orientation / "coverage-map.md").read_text() == coverage_page(plan)
        course = (REPO / "book/orientation/scoring.md").read_text()
        sealed = course.replace("\n# How you are scored\n", "\n# How you are scored\n" + SEALED_SCORING, 1)
        assert (orientation / "scoring.md").read_text() == (sealed if mode == "assessment" else course)
        assert (orientation / "glossary.md").read_text() == (REPO / "book/orientation/glossary.md").read_text()


def test_a_generated_project_that_does_not_validate_is_reported_as_a_bug(tmp_path, monkeypatch):
    import nasams_course.training.session_book as session_book
    from nasams_course.content.problems import Problem

    checked = []
    monkeypatch.setattr(session_book, "load_bank", lambda root: (checked.append(root), (None, [
        Problem("a.yml", "id", "one"), Problem("b.yml", "(file)", "two")]))[1])
    with pytest.raises(SessionBuildError) as caught:
        write_project(tiny_plan(), BANK, REPO, tmp_path / "source")
    assert checked == [tmp_path / "source"]
    assert str(caught.value) == ("the generated session project is not valid (a bug: please report it):\n"
                                 "a.yml:id: one\nb.yml:(file): two")


def test_a_course_page_splits_into_its_head_its_sections_and_its_cases():
    from nasams_course.training.session_book import Chunk, split_page

    front = "---\njupytext: {}\n---\n"
    head = "\n# Title\n\nIntro.\n\n"
    other = "## Why it matters\n\nText.\n\n---\n\n"  # a rule in the text is not front matter
    section = "(provision-s5)=\n## S5 · Contact\n\nS5's text.\n\n"
    case = '## Case 1: The neighbour\n\n```{code-cell} ipython3\nvignette("v-s5-sister-next-door")\n```\n'
    assert split_page(front + head + other + section + case, CATALOG) == (front, [
        Chunk(head), Chunk(other), Chunk(section, provision="S5"), Chunk(case, vignette="v-s5-sister-next-door")])
    assert split_page(head + other, CATALOG) == ("", [Chunk(head), Chunk(other)])


def test_cases_and_stages_are_numbered_in_the_order_shown_and_markdown_marks_escaped():
    from nasams_course.training.session_book import renumber_cases

    text = "## Case 3: A\ntext ## Case 9: not a heading\n## Stage 2: B\n## Case 7: C\n## Stage 9: D\n### Case 5: E\n"
    assert renumber_cases(text) == ("## Case 1: A\ntext ## Case 9: not a heading\n## Stage 1: B\n## Case 2: C\n"
                                    "## Stage 2: D\n### Case 5: E\n")
    assert [md_text(c) for c in "\\`*_{}[]<>#|~^&$%!"] == ["\\" + c for c in "\\`*_{}[]<>#|~^&$%!"]
    assert md_text("  a  line\n\tand\r\nmore  ") == "a line and more" and md_text("(plain) text.") == "(plain) text."


def test_a_case_keeps_quizzes_for_when_all_its_questions_are_chosen_and_else_one_quiz_each():
    from nasams_course.training.session_book import cell

    course_page = (REPO / "book/standards/victims-and-privilege.md").read_text()
    vid, mine = "v-s6-any-and-all-release", ["q-s16-records-window", "q-s6-mothers-prenatal-chart",
                                             "q-s6-new-release-contents"]
    whole = partial_page(course_page, Block("victims-and-privilege", "t", 10, (), (vid,), tuple(mine)), BANK,
                         CATALOG, ("S6",))
    assert f'quizzes_for("{vid}")' in whole and "quiz('q-s6" not in whole
    two = partial_page(course_page, Block("victims-and-privilege", "t", 10, (), (vid,), (mine[0], mine[2])), BANK,
                       CATALOG, ("S6",))
    assert cell(f"quiz({mine[0]!r})") + cell(f"quiz({mine[2]!r})") in two and f'quizzes_for("{vid}")' not in two
    # a case that shows its questions one `quiz` cell each keeps only the chosen ones'
    by_one = course_page.replace(f'quizzes_for("{vid}")', f'quiz("{mine[0]}")\n```\n\n```{{code-cell}} ipython3\n'
                                                        f'quiz("{mine[1]}")')
    page = partial_page(by_one, Block("victims-and-privilege", "t", 10, (), (vid,), (mine[1],)), BANK, CATALOG,
                        ("S6",))
    assert f'quiz("{mine[0]}")' not in page and f'quiz("{mine[1]}")' in page


def code(source: str) -> str:
    """A code cell as a page writes it, its input hidden (the pages below spelled out)."""
    return f"```{{code-cell}} ipython3\n:tags: [remove-input]\n{source}\n```\n\n"


def intro_cell(chapter: str) -> str:
    return code("from nasams_course.notebook import chapter_intro, discussion, provision, quiz, quizzes_for, "
                f"self_rating, vignette\n\nchapter_intro('{chapter}')")


@pytest.mark.parametrize("end", ["Appendix X", "two spaces  "])
def test_a_partly_chosen_chapters_page_is_its_title_share_chosen_section_and_case_and_questions_in_page_order(end):
    """The whole page of a chapter partly chosen (one section, one case, four questions), from a course page of the
    course's shape: the page's own front matter and title line (not the chapter's title), the intro cell, the share
    in words (one section: "the section on S2"), no list of assessed provisions (a section is chosen), the chosen
    section and case as written up to their trailing blank lines (whatever ends their last line: a letter or
    spaces), the case's `quiz` cells of questions not chosen gone, the questions without a case under "Check your
    understanding" in the course page's order and then the block's (the case's question not repeated), the
    self-rating last."""
    front = "---\njupytext: {}\n---\n"
    course_text = (
        front + "\n# Interviewing, as the page titles it\n\n" + code('chapter_intro("interviewing")') + "Intro.\n\n"
        + "(provision-s1)=\n## S1 · Early interviews\n\nS1's text.\n\n"
        + f"(provision-s2)=\n## S2 · In confidence\n\nS2's text, ending {end}\n\n\n"
        + "## Case 4: the phone\n\n" + code('vignette("v-s1-phone-history")') + code('quiz("q-s1-phone-history")')
        + code('quiz("q-s2-jail-visit-setting")') + code('quiz("q-s3-resource-request")')
        + f"The case, ending {end}\n\n"
        + "## Case 5: the grandmother\n\n" + code('vignette("v-s3-guarded-grandmother")')
        + code('quizzes_for("v-s3-guarded-grandmother")')
        + "## Check your understanding\n\n" + code('quiz("q-s3-normal-childhood")')
        + code('quiz("q-s1-standard-statements")') + "## Summary\n\nS1 to S4.\n")
    block = Block("interviewing", "t", 10, ("S2",), ("v-s1-phone-history",),
                  ("q-s1-standard-statements", "q-s2-jail-visit-setting", "q-s2-confidential-settings",
                   "q-s3-normal-childhood"))
    assert partial_page(course_text, block, BANK, CATALOG, ("S2",)) == (
        front + "\n# Interviewing, as the page titles it\n\n" + intro_cell("interviewing")
        + "*In this session: part of this chapter: the section on S2, 1 of its 3 cases and 4 of its 10 questions.*\n\n"
        + f"(provision-s2)=\n## S2 · In confidence\n\nS2's text, ending {end}\n\n"
        + "## Case 1: the phone\n\n" + code('vignette("v-s1-phone-history")') + "\n"
        + code('quiz("q-s2-jail-visit-setting")') + f"\nThe case, ending {end}\n\n"
        + "## Check your understanding\n\n" + code("quiz('q-s3-normal-childhood')")
        + code("quiz('q-s1-standard-statements')") + code("quiz('q-s2-confidential-settings')")
        + "```{code-cell} ipython3\n:tags: [remove-input]\nself_rating('interviewing', 'after')\n```\n")


def test_a_page_reached_only_by_questions_lists_the_provisions_they_assess_under_the_chapters_title():
    """A chapter chosen only for a question, from a course page with neither front matter nor a `# ` title line: the
    page gets the course's front matter and `# <the chapter's title>`, the share in cases and questions only, then
    "The provisions these questions assess" (each listed provision's anchor, heading and text cell), the question,
    and the self-rating."""
    course_text = ("Intro.\n\n(provision-s2)=\n## S2 · In confidence\n\nS2's text.\n\n## Check your understanding\n\n"
                   + code('quiz("q-s3-normal-childhood")'))
    block = Block("interviewing", "t", 5, (), (), ("q-s3-normal-childhood",))
    assert partial_page(course_text, block, BANK, CATALOG, ("S2", "S3")) == (
        FRONT_MATTER + "\n# Interviewing the client and the people who know them\n\n" + intro_cell("interviewing")
        + "*In this session: part of this chapter: 0 of its 3 cases and 1 of its 10 questions.*\n\n"
        + "## The provisions these questions assess\n\n"
        + "(provision-s2)=\n### S2 · Interviewing the client and others, in confidence\n\n" + code("provision('S2')")
        + "(provision-s3)=\n### S3 · Multiple interviews and advocating for resources\n\n" + code("provision('S3')")
        + "## Check your understanding\n\n" + code("quiz('q-s3-normal-childhood')")
        + "```{code-cell} ipython3\n:tags: [remove-input]\nself_rating('interviewing', 'after')\n```\n")


@pytest.mark.parametrize("end", ["Appendix X", "two spaces  "])
def test_a_partly_chosen_capstone_has_no_provisions_list_and_no_self_rating_and_ends_with_its_last_stage(end):
    """A capstone (its stages show the provisions at stake) partly chosen: its page lists no provisions and ends
    with its last chosen stage as written (whatever ends its last line), the stages numbered from 1."""
    course_text = (FRONT_MATTER + "\n# Capstone 1, as the page titles it\n\n" + code('chapter_intro("capital-case")')
                   + "## Stage 1: Referral\n\n" + code('vignette("v-cap1-referral")')
                   + code('quizzes_for("v-cap1-referral")')
                   + "## Stage 2: First client visit\n\n" + code('vignette("v-cap1-first-visit")')
                   + code('provision("S2")') + code('quizzes_for("v-cap1-first-visit")') + f"The stage, ending {end}\n\n"
                   + "## Summary\n\nAll of it.\n")
    block = Block("capital-case", "t", 5, (), ("v-cap1-first-visit",), ("q-cap1-jail-visit-actions",))
    assert partial_page(course_text, block, BANK, CATALOG, ("S2",)) == (
        FRONT_MATTER + "\n# Capstone 1, as the page titles it\n\n" + intro_cell("capital-case")
        + "*In this session: part of this chapter: 1 of its 7 cases and 1 of its 12 questions.*\n\n"
        + "## Stage 1: First client visit\n\n" + code('vignette("v-cap1-first-visit")') + code('provision("S2")')
        + code('quizzes_for("v-cap1-first-visit")') + f"The stage, ending {end}\n")
