"""Syllabi: every bad-syllabus scenario gets one clear `path:field: problem` line (or a warning), a good one resolves
into a SessionPlan in the course's order, the same seed draws the same session, and `session check` and
`grade --session` report it."""

from __future__ import annotations

import dataclasses
import json
import random
import textwrap
from pathlib import Path

import pytest

from conftest import REPO
from nasams_course import cli
from nasams_course.catalog import load_catalog
from nasams_course.content.loader import load_bank, load_bank_or_raise
from nasams_course.trainer import keyed_answer
from nasams_course.training.syllabus import draw, is_whole, load_syllabus, share_minutes

BANK = load_bank_or_raise(REPO)
CATALOG = load_catalog()
CHAPTERS = ", ".join(BANK.chapters)
PROVISIONS = ", ".join(CATALOG.ids)
S = "s.yml"
HEAD = """
    id: a-session
    title: A session
    dates: [2026-11-02]
    audience: Specialists
    minutes: 120
    mode: practice
"""


def syllabus(body: str, head: str = HEAD) -> str:
    return textwrap.dedent(head).lstrip() + textwrap.dedent(body).lstrip()


def check(tmp_path: Path, text: str):
    path = tmp_path / S
    path.write_text(text, encoding="utf-8")
    return load_syllabus(path, BANK, CATALOG, rel=S)


# scenario name -> (the syllabus's selection, the exact problem lines expected)
SCENARIOS = {
    "unknown-chapter": (
        "chapters: [victims-and-privilege, no-such-chapter]",
        [f"{S}:chapters[1]: unknown chapter 'no-such-chapter' (chapters: {CHAPTERS})"]),
    "unknown-provision": (
        "provisions: [S5, S99]",
        [f"{S}:provisions[1]: unknown provision 'S99' (provisions: {PROVISIONS})"]),
    "unknown-question": (
        "zones:\n  - {title: Z, questions: [q-s5-sister-first-response, q-nowhere]}",
        [f"{S}:zones[0].questions[1]: unknown question 'q-nowhere' (nasams-course questions lists them)"]),
    "unknown-pool-item": (
        "seed: 1\nzones:\n  - {title: Z, choose: 1, from: [victims-and-privilege, q-nowhere]}",
        [f"{S}:zones[0].from[1]: unknown question, chapter or provision 'q-nowhere' (nasams-course questions lists "
         "the questions)"]),
    "empty-selection": (
        "",
        [f"{S}:(file): empty selection: the syllabus chooses nothing (give chapters, provisions or zones)"]),
    "empty-chapter-list": (
        "chapters: []",
        [f"{S}:chapters: empty selection: name at least one"]),
    "empty-zone": (
        "zones:\n  - {title: Z, questions: []}",
        [f"{S}:zones[0].questions: empty selection: name at least one question"]),
    "empty-pool": (
        "seed: 1\nzones:\n  - {title: Z, choose: 1, from: []}",
        [f"{S}:zones[0].from: empty selection: name at least one question"]),
    "choose-more-than-the-zone": (
        "seed: 1\nzones:\n  - {title: Z, choose: 4, from: [q-s5-contact-sequence, q-s5-cooperator-calls, "
        "q-s5-sister-first-response]}",
        [f"{S}:zones[0].choose: choose 4 is more than the zone holds: 3 question(s)"]),
    "choose-more-than-the-zone-has-left": (
        "chapters: [victims-and-privilege]\nseed: 1\nzones:\n  - {title: Z, choose: 1, from: [victims-and-privilege]}",
        [f"{S}:zones[0].choose: choose 1 is more than the zone holds: 0 question(s) (8 more already in the session)"]),
    "choose-zero": (
        "seed: 1\nzones:\n  - {title: Z, choose: 0, from: [S5]}",
        [f"{S}:zones[0].choose: input should be greater than or equal to 1"]),
    "duplicate-question-across-zones": (
        "zones:\n  - {title: First, questions: [q-s5-contact-sequence]}\n"
        "  - {title: Second, questions: [q-s5-contact-sequence]}",
        [f"{S}:zones[1].questions[0]: question 'q-s5-contact-sequence' is already in zone 1 (First): a question "
         "belongs to one zone"]),
    "duplicate-question-in-a-zone": (
        "zones:\n  - {title: Z, questions: [q-s5-contact-sequence, q-s5-contact-sequence]}",
        [f"{S}:zones[0].questions[1]: question 'q-s5-contact-sequence' is listed twice in this zone"]),
    "question-already-in-a-chosen-chapter": (
        "chapters: [victims-and-privilege]\nzones:\n  - {title: Z, questions: [q-s5-contact-sequence]}",
        [f"{S}:zones[0].questions[0]: question 'q-s5-contact-sequence' is already in the session (chapter "
         "victims-and-privilege)"]),
    "question-already-in-by-a-chosen-provision": (
        "provisions: [S5]\nzones:\n  - {title: Z, questions: [q-s5-contact-sequence]}",
        [f"{S}:zones[0].questions[0]: question 'q-s5-contact-sequence' is already in the session (provision S5)"]),
    "an-empty-zone-and-the-zone-after-it": (  # each zone checked: an empty one does not end the check
        "zones:\n  - {title: A, questions: []}\n  - {title: B, questions: [q-nowhere]}",
        [f"{S}:zones[0].questions: empty selection: name at least one question",
         f"{S}:zones[1].questions[0]: unknown question 'q-nowhere' (nasams-course questions lists them)"]),
    "a-draw-without-a-seed": (
        "zones:\n  - {title: Z, choose: 1, from: [S5]}",
        [f"{S}:(file): a zone draws questions (choose): give a seed, so the same session is drawn every time"]),
    "a-zone-listed-and-drawn": (
        "seed: 1\nzones:\n  - {title: Z, questions: [q-s5-contact-sequence], choose: 1, from: [S5]}",
        [f"{S}:zones[0]: give either questions, or choose with from, not both"]),
    "choose-without-a-pool": (
        "seed: 1\nzones:\n  - {title: Z, choose: 1}",
        [f"{S}:zones[0]: choose and from go together: choose N questions from a list"]),
    "a-zone-with-nothing": (
        "zones:\n  - {title: Z}",
        [f"{S}:zones[0]: give questions, or choose N from a list"]),
    "unknown-field": (
        "chapter: [victims-and-privilege]",
        [f"{S}:chapter: unknown field (allowed: id, title, dates, audience, minutes, mode, chapters, provisions, "
         "zones, seed)"]),
    "unknown-zone-field": (
        "zones:\n  - {title: Z, questions: [q-s5-contact-sequence], pick: 1}",
        [f"{S}:zones[0].pick: unknown field (allowed: title, questions, choose, from)"]),
    "empty-provision-list": (
        "provisions: []",
        [f"{S}:provisions: empty selection: name at least one"]),
    "empty-zone-and-chapter-lists": (  # each empty list named, and no "chooses nothing" beside them
        "chapters: []\nzones: []",
        [f"{S}:chapters: empty selection: name at least one", f"{S}:zones: empty selection: name at least one"]),
    "a-pool-item-that-is-no-id": (
        "seed: 1\nzones:\n  - {title: Z, choose: 1, from: [Victims]}",
        [f"{S}:zones[0].from[0]: 'Victims' is not a valid id (lower-case letters, digits and hyphens; provision ids "
         "like E4a, S5, U13)"]),
    "a-pool-item-of-81-characters": (
        f"seed: 1\nzones:\n  - {{title: Z, choose: 1, from: [{'a' * 81}]}}",
        [f"{S}:zones[0].from[0]: string should have at most 80 characters"]),
    "a-negative-seed": (
        "seed: -1\nchapters: [victims-and-privilege]",
        [f"{S}:seed: input should be greater than or equal to 0"]),
    "two-unknown-provisions": (  # each reported, not only the first
        "provisions: [S99, S5, S98]",
        [f"{S}:provisions[0]: unknown provision 'S99' (provisions: {PROVISIONS})",
         f"{S}:provisions[2]: unknown provision 'S98' (provisions: {PROVISIONS})"]),
    "two-unknown-chapters": (  # each reported, not only the first
        "chapters: [no-such-chapter, victims-and-privilege, nor-this-one]",
        [f"{S}:chapters[0]: unknown chapter 'no-such-chapter' (chapters: {CHAPTERS})",
         f"{S}:chapters[2]: unknown chapter 'nor-this-one' (chapters: {CHAPTERS})"]),
    "a-pool-provision-the-code-does-not-have": (  # shaped like a provision id, but the code has no S17
        "seed: 1\nzones:\n  - {title: Z, choose: 1, from: [S17]}",
        [f"{S}:zones[0].from[0]: unknown question, chapter or provision 'S17' (nasams-course questions lists the "
         "questions)"]),
    "unknown-pool-item-and-too-few-known": (  # the unknown item alone: the zone is not drawn from the rest
        "seed: 1\nzones:\n  - {title: Z, choose: 2, from: [q-s5-contact-sequence, q-nowhere]}",
        [f"{S}:zones[0].from[1]: unknown question, chapter or provision 'q-nowhere' (nasams-course questions lists "
         "the questions)"]),
}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_each_bad_selection_is_reported(tmp_path, scenario):
    body, expected = SCENARIOS[scenario]
    checked = check(tmp_path, syllabus(body))
    assert [str(p) for p in checked.problems] == expected
    assert checked.plan is None


# scenario name -> (a change to the header, the exact problem line expected)
HEADER_SCENARIOS = {
    "bad-id": ("id: a-session", "id: A Session", f"{S}:id: 'A Session' is not a valid id (lower-case letters, "
               "digits and hyphens; provision ids like E4a, S5, U13)"),
    "bad-date": ("dates: [2026-11-02]", "dates: [2026-13-02]", f"{S}:dates[0]: input should be a valid date or "
                 "datetime, month value is outside expected range of 1-12"),
    "no-date": ("dates: [2026-11-02]", "dates: []", f"{S}:dates: list should have at least 1 item after validation, "
                "not 0"),
    "minutes-as-text": ("minutes: 120", 'minutes: "120"', f"{S}:minutes: input should be a valid integer"),
    "minutes-too-few": ("minutes: 120", "minutes: 0", f"{S}:minutes: input should be greater than or equal to 5"),
    "bad-mode": ("mode: practice", "mode: exam", f"{S}:mode: input should be 'practice' or 'assessment', got 'exam'"),
    "missing-audience": ("audience: Specialists\n", "", f"{S}:audience: required field is missing"),
    "title-on-two-lines": ("title: A session", "title: |\n  A session\n  in two lines",
                           f"{S}:title: must be one line of text"),
    "title-of-201-characters": ("title: A session", f"title: {'t' * 201}",
                                f"{S}:title: string should have at most 200 characters"),
    "minutes-over-five-days": ("minutes: 120", "minutes: 2401",
                               f"{S}:minutes: input should be less than or equal to 2400"),
    "audience-with-a-carriage-return": ("audience: Specialists", 'audience: "Specialists\\rand others"',
                                        f"{S}:audience: must be one line of text"),
    "not-yaml": ("mode: practice", "mode: [practice", None),
}


@pytest.mark.parametrize("scenario", HEADER_SCENARIOS)
def test_each_bad_header_is_reported(tmp_path, scenario):
    old, new, expected = HEADER_SCENARIOS[scenario]
    text = syllabus("chapters: [victims-and-privilege]").replace(old, new)
    checked = check(tmp_path, text)
    lines = [str(p) for p in checked.problems]
    if expected is None:  # the YAML parser's own words, at its line
        assert len(lines) == 1 and lines[0].startswith(f"{S}:line ") and ": invalid YAML: " in lines[0]
    else:
        assert lines == [expected]


# scenario name -> (the selection, the budget, the exact warning lines expected)
WARNINGS = {
    "minutes-over-budget": (
        "chapters: [victims-and-privilege, interviewing]", 60,
        [f"{S}:minutes: the chosen material takes about 80 minutes, over the budget of 60 (20 minutes too many)"]),
    "a-provision-already-in-a-chosen-chapter": (
        "chapters: [victims-and-privilege]\nprovisions: [S5]", 120,
        [f"{S}:provisions[0]: S5 is already in the session (chapter victims-and-privilege)"]),
    "a-question-listed-after-a-zone-drew-it": (  # drawn from a chapter, so the second zone's list cannot know it
        "seed: 1\nzones:\n  - {title: Drawn, choose: 8, from: [victims-and-privilege]}\n"
        "  - {title: Listed, questions: [q-s5-contact-sequence, q-e3-purge-before-move]}",
        120,
        [f"{S}:zones[1].questions[0]: question 'q-s5-contact-sequence' was already drawn in zone 1: it is in the "
         "session once, there"]),
}


@pytest.mark.parametrize("scenario", WARNINGS)
def test_each_warning_is_reported_and_the_session_can_still_be_built(tmp_path, scenario):
    body, budget, expected = WARNINGS[scenario]
    checked = check(tmp_path, syllabus(body).replace("minutes: 120", f"minutes: {budget}"))
    assert checked.problems == []
    assert [str(w) for w in checked.warnings] == expected
    assert checked.plan is not None


def test_a_missing_file_is_a_problem_not_a_traceback(tmp_path):
    checked = load_syllabus(tmp_path / "nowhere.yml", BANK, rel="nowhere.yml")
    assert [str(p) for p in checked.problems] == ["nowhere.yml:(file): no such file"]


def test_a_folder_is_not_a_syllabus_and_a_message_without_rel_names_the_path(tmp_path):
    checked = load_syllabus(tmp_path, BANK)
    assert [str(p) for p in checked.problems] == [f"{tmp_path}:(file): not a file"] and checked.plan is None


def test_the_limits_themselves_are_accepted_and_dates_are_kept_once_in_order(tmp_path):
    text = syllabus("chapters: [victims-and-privilege]\nseed: 0").replace("title: A session", f"title: {'t' * 200}")
    plan = check(tmp_path, text.replace("minutes: 120", "minutes: 2400")).plan
    assert plan.title == "t" * 200 and plan.budget_minutes == 2400
    one = check(tmp_path, text.replace("dates: [2026-11-02]", "dates: 2026-11-02")).plan  # a date, not a list
    assert one.dates == ("2026-11-02",)
    many = check(tmp_path, text.replace("[2026-11-02]", "[2026-11-04, 2026-11-02, 2026-11-04, 2026-11-03]")).plan
    assert many.dates == ("2026-11-02", "2026-11-03", "2026-11-04")


def test_a_session_exactly_at_its_budget_gets_no_warning(tmp_path):
    checked = check(tmp_path, syllabus("chapters: [victims-and-privilege]").replace("minutes: 120", "minutes: 40"))
    assert checked.plan.minutes == 40 and checked.warnings == []


def test_a_provision_no_chapter_teaches_is_a_problem(course):
    """In a course whose one chapter teaches S5, S16 and E6, E3 has no section to include: choose its questions."""
    bank, problems = load_bank(course.root)
    assert problems == []
    path = course.root / S
    path.write_text(syllabus("provisions: [S5, E3]"), encoding="utf-8")
    checked = load_syllabus(path, bank, CATALOG, rel=S)
    assert [str(p) for p in checked.problems] == [
        f"{S}:provisions[1]: no chapter of the course teaches E3: choose its questions in a zone"]
    path.write_text(syllabus("provisions: [E3, S5, E1]"), encoding="utf-8")  # each reported, not only the first
    assert [str(p) for p in load_syllabus(path, bank, CATALOG, rel=S).problems] == [
        f"{S}:provisions[0]: no chapter of the course teaches E3: choose its questions in a zone",
        f"{S}:provisions[2]: no chapter of the course teaches E1: choose its questions in a zone"]


def test_seed_zero_draws_with_zero_and_a_provision_pool_holds_every_question_assessing_it(tmp_path):
    pool = [q.id for q in BANK.questions.values() if "S6" in q.provisions]
    assert len(pool) > 3 and len({BANK.chapter_of[q] for q in pool}) > 1  # from more than one chapter
    plan = check(tmp_path, syllabus("seed: 0\nzones:\n  - {title: Z, choose: 3, from: [S6]}")).plan
    assert list(plan.questions) == draw(pool, 3, random.Random(0))
    whole = check(tmp_path, syllabus(f"seed: 0\nzones:\n  - {{title: Z, choose: {len(pool)}, from: [S6]}}")).plan
    assert sorted(whole.questions) == sorted(pool)


def test_a_date_yaml_cannot_construct_is_a_problem_not_a_traceback(tmp_path):
    checked = check(tmp_path, syllabus("chapters: [victims-and-privilege]").replace("[2026-11-02]",
                                                                                   "[!!timestamp 2026-13-02]"))
    assert [str(p) for p in checked.problems] == [f"{S}:(file): invalid YAML: month must be in 1..12"]


def test_the_example_seminar_covers_what_it_promises_in_the_course_order():
    checked = load_syllabus(REPO / "syllabi" / "confidentiality-and-victims.yml", BANK)
    assert checked.problems == [] and checked.warnings == []
    plan = checked.plan
    assert plan.mode == "practice" and plan.budget_minutes == 120 and plan.minutes <= 120
    taught = {pid for b in plan.blocks for pid in b.provisions}
    assert {"E3", "E6", "E7", "S5", "S6", "S16", "U7"} <= taught
    order = list(BANK.chapters)
    assert [b.chapter for b in plan.blocks] == sorted((b.chapter for b in plan.blocks), key=order.index)
    assert set(plan.provisions(BANK)) >= taught


def test_the_example_assessment_is_drawn_from_zones_with_a_seed_within_its_budget():
    checked = load_syllabus(REPO / "syllabi" / "part1-assessment.yml", BANK)
    assert checked.problems == [] and checked.warnings == []
    plan, syl = checked.plan, checked.syllabus
    assert plan.mode == "assessment" and plan.budget_minutes == 90 and plan.minutes <= 90
    assert syl.seed is not None and syl.zones and all(z.choose for z in syl.zones)
    assert len(plan.questions) == sum(z.choose for z in syl.zones)
    assert all(BANK.chapters[b.chapter].part == "ethics" for b in plan.blocks)


def test_a_provision_brings_its_section_and_the_questions_and_cases_of_its_chapter(tmp_path):
    plan = check(tmp_path, syllabus("provisions: [U7]")).plan
    (block,) = plan.blocks
    assert block.chapter == "confidentiality-and-boundaries" and block.provisions == ("U7",)
    assessing = [q.id for q in BANK.questions_in_chapter(block.chapter) if "U7" in q.provisions]
    assert list(block.questions) == assessing
    assert set(block.vignettes) == {BANK.questions[q].vignette for q in assessing} | {
        v.id for v in BANK.vignettes_in_chapter(block.chapter) if "U7" in v.provisions}
    assert block.minutes == share_minutes(BANK.chapters[block.chapter].minutes, len(assessing),
                                          len(BANK.questions_in_chapter(block.chapter)))


def test_a_whole_chapter_takes_its_stated_minutes_and_a_part_its_share_rounded_up_to_five():
    assert share_minutes(35, 3, 10) == 15  # 10.5 -> 15
    assert share_minutes(40, 4, 8) == 20  # exactly 20
    assert share_minutes(40, 1, 40) == 5  # at least 5
    assert share_minutes(35, 0, 9) == 5
    assert share_minutes(35, 0, 0) == 5  # a chapter without questions: no share to divide, the least


def test_the_same_seed_draws_the_same_session_and_another_seed_another(tmp_path):
    body = "seed: {seed}\nzones:\n  - {{title: Z, choose: 4, from: [ethics-placeholder]}}"
    pool = "[" + ", ".join(BANK.chapters) + "]"
    text = syllabus(body.replace("[ethics-placeholder]", pool))
    first = check(tmp_path, text.format(seed=7)).plan.questions
    assert check(tmp_path, text.format(seed=7)).plan.questions == first
    assert len(first) == 4 and list(first) == [q for q in BANK.questions if q in first]  # bank order
    others = {check(tmp_path, text.format(seed=s)).plan.questions for s in range(8, 14)}
    assert len(others - {first}) >= 5


def test_draws_use_only_random_whose_sequence_python_keeps_across_versions():
    pool = [f"q-{i}" for i in range(20)]
    assert draw(pool, 5, random.Random(2026)) == ["q-0", "q-4", "q-5", "q-14", "q-16"]  # pinned: never changes


def test_session_check_prints_the_coverage_and_exits_by_what_it_found(tmp_path, capsys):
    code = cli.main(["--root", str(REPO), "session", "check", str(REPO / "syllabi" / "confidentiality-and-victims.yml")])
    out = capsys.readouterr().out
    assert code == 0 and out.rstrip().endswith("ok")
    assert "Minutes: 95 of a 120-minute budget (25 to spare)" in out
    assert "  S5   * Contact with victims and prosecution witnesses" in out  # id, a section mark, the title
    assert "  q-u7-listserv-post  [single]  U7, E6" in out and "  v-s5-sister-next-door  The neighbour" in out
    path = tmp_path / S
    path.write_text(syllabus("chapters: [victims-and-privilege, interviewing]").replace("120", "60"))
    assert cli.main(["--root", str(REPO), "session", "check", str(path)]) == 1
    assert "warning: " in capsys.readouterr().out
    path.write_text(syllabus("chapters: [nowhere]"))
    assert cli.main(["--root", str(REPO), "session", "check", str(path)]) == 2
    assert f"{path}:chapters[0]: unknown chapter 'nowhere'" in capsys.readouterr().out


def test_session_check_json(capsys):
    code = cli.main(["--root", str(REPO), "session", "check", "--json", str(REPO / "syllabi" / "part1-assessment.yml")])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["ok"] and data["mode"] == "assessment"
    assert sum(len(b["questions"]) for b in data["blocks"]) == 15
    assert all(set(p) == {"id", "title", "section"} for p in data["provisions"])


def response_file(path: Path, questions, session: str | None = "confidentiality-and-victims") -> Path:
    data = {"schema": "nasams-course/responses@2", "learner": "Ana",
            "responses": [{"question": q, "answer": keyed_answer(BANK.questions[q]), "at": "2026-11-02T10:00:00Z"}
                          for q in questions]}
    if session:
        data["session"] = session
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_grading_a_session_scores_its_provisions_only_and_a_full_answer_is_complete(tmp_path, capsys):
    syl = str(REPO / "syllabi" / "confidentiality-and-victims.yml")
    plan = load_syllabus(Path(syl), BANK).plan
    path = response_file(tmp_path / "ana.json", [*plan.questions, "q-e1-sobriety-date"])
    assert cli.main(["--root", str(REPO), "grade", "--json", str(path), "--session", syl]) == 0
    captured = capsys.readouterr()
    [graded] = json.loads(captured.out)
    report = graded["report"]
    assert report["complete"] is True
    assert [p["id"] for p in report["provisions"]] == [p for p in CATALOG.ids if p in plan.provisions(BANK)]
    assert {i["question"] for i in report["items"]} == set(plan.questions)  # q-e1 is not the session's
    assert "1 question(s) answered outside session 'confidentiality-and-victims' are not counted" in captured.err
    # the same file against the whole course is far from complete
    assert cli.main(["--root", str(REPO), "grade", "--json", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)[0]["report"]["complete"] is False


def test_a_file_from_another_session_is_reported_and_still_graded(tmp_path, capsys):
    syl = str(REPO / "syllabi" / "part1-assessment.yml")
    path = response_file(tmp_path / "ana.json", ["q-e3-purge-before-move"])
    assert cli.main(["--root", str(REPO), "grade", str(path), "--session", syl]) == 1
    captured = capsys.readouterr()
    assert f"{path}: saved from session 'confidentiality-and-victims', not 'part1-assessment'" in captured.err
    assert "session: part1-assessment" in captured.out


def test_a_syllabus_with_problems_stops_grading_with_status_2(tmp_path, capsys):
    bad = tmp_path / S
    bad.write_text(syllabus("chapters: [nowhere]"))
    path = response_file(tmp_path / "ana.json", ["q-e3-purge-before-move"])
    assert cli.main(["--root", str(REPO), "grade", str(path), "--session", str(bad)]) == 2
    assert f"{bad}:chapters[0]: unknown chapter 'nowhere'" in capsys.readouterr().err


def test_the_readme_example_is_a_good_syllabus(tmp_path):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Build a session", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    checked = check(tmp_path, example)
    assert checked.problems == [] and checked.warnings == []
    assert len(checked.plan.questions) == 8 + 5 + 1 + 2  # the chapter, U7's five, the warm-up, the draw


def test_a_block_is_the_whole_chapter_only_with_every_provision_case_and_question(tmp_path):
    """is_whole decides whether a block takes its chapter's stated minutes (and the course's page): each part
    missing alone makes it a part."""
    checked = check(tmp_path, syllabus("chapters: [victims-and-privilege]"))
    (block,) = checked.plan.blocks
    assert is_whole(block, BANK)
    for part in ("provisions", "vignettes", "questions"):
        assert not is_whole(dataclasses.replace(block, **{part: getattr(block, part)[:-1]}), BANK), part


def test_a_syllabus_with_problems_keeps_its_warnings_and_what_was_read(tmp_path):
    """With problems there is no plan, but `Checked` still holds the warnings found on the way and the syllabus as
    read (so that a caller can report both kinds and name the session)."""
    checked = check(tmp_path, syllabus("chapters: [victims-and-privilege, no-such-chapter]\nprovisions: [S5]"))
    assert checked.plan is None
    assert [str(p) for p in checked.problems] == [
        f"{S}:chapters[1]: unknown chapter 'no-such-chapter' (chapters: {CHAPTERS})"]
    assert [str(w) for w in checked.warnings] == [
        f"{S}:provisions[0]: S5 is already in the session (chapter victims-and-privilege)"]
    assert checked.syllabus.id == "a-session"
    nothing = check(tmp_path, syllabus(""))
    assert nothing.plan is None and nothing.syllabus.id == "a-session"


def test_a_chapter_brings_a_case_no_question_uses_and_a_provision_alone_still_brings_its_section(course):
    """A chapter brings every case in it, also one no question refers to (not only the cases of its questions), and a
    provision its cases about it; a provision chosen alone whose chapter has neither a case nor a question for it is
    still a block: its section."""
    course.write("vignettes/v-two.yml", """
        id: v-two
        title: Two
        setting: non-capital
        narrative: Something else happens.
        provisions: [S16]
        discussion: ['And now?']
    """)
    course.show_all()
    bank, problems = load_bank(course.root)
    assert problems == []
    path = course.root / S
    path.write_text(syllabus("chapters: [ch]"), encoding="utf-8")
    checked = load_syllabus(path, bank, CATALOG, rel=S)
    assert checked.problems == []
    (block,) = checked.plan.blocks
    assert (block.vignettes, block.questions) == (("v-one", "v-two"), ("q-single",))
    path.write_text(syllabus("provisions: [S16]"), encoding="utf-8")  # its case, though no question uses it
    (block,) = load_syllabus(path, bank, CATALOG, rel=S).plan.blocks
    assert (block.provisions, block.vignettes, block.questions) == (("S16",), ("v-two",), ())
    path.write_text(syllabus("provisions: [E6]"), encoding="utf-8")
    checked = load_syllabus(path, bank, CATALOG, rel=S)
    assert checked.problems == []
    (block,) = checked.plan.blocks
    assert (block.chapter, block.provisions, block.vignettes, block.questions) == ("ch", ("E6",), (), ())


def test_a_syllabus_is_found_by_its_id_past_files_that_cannot_be_read_and_none_raises(tmp_path):
    """`certify --session ID` looks for the syllabus with that id among syllabi/*.yml, read as `session check` reads
    them: a file nested deeper than YAML reads, one with a control character, one not UTF-8, one that is a list and a
    folder named like a syllabus have no id (no traceback); the good one is found."""
    files = {"deep.yml": "id: deep\nzones: " + "[" * 1200 + "]" * 1200 + "\n", "bell.yml": "id: bell\x07\n",
             "list.yml": "- id: a-list\n", "good.yml": syllabus("chapters: [victims-and-privilege]")}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "latin.yml").write_bytes(b"id: caf\xe9\n")
    (tmp_path / "folder.yml").mkdir()
    ids = {p.name: cli._syllabus_id(p) for p in sorted(tmp_path.iterdir())}
    assert ids == {"bell.yml": None, "deep.yml": None, "folder.yml": None, "good.yml": "a-session",
                   "latin.yml": None, "list.yml": None}
