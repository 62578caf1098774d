"""The HTML the renderers make, byte for byte, for a small fixed course (the golden questions, one case, one chapter):
every form, feedback, critical-error box, chapter page block, the progress page, the coverage map and a session's
guide and handout, against the reviewed files in tests/golden/html/. A change to the markup or its words shows here as
a diff to review; after reviewing it, write the new files with

    NASAMS_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_rendered_html.py
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

from conftest import GOLDEN, golden_questions
from nasams_course.catalog import load_catalog
from nasams_course.content.models import Bank, Chapter, Vignette
from nasams_course.coverage import coverage_frame
from nasams_course.rendering.coverage_map import coverage_map
from nasams_course.rendering.html import (
    answers_panel,
    chapter_intro,
    discussion_list,
    feedback,
    provision_card,
    quiz_form,
    self_rating_form,
    vignette_card,
)
from nasams_course.rendering.progress import answered_page, progress_page, start_button
from nasams_course.responses import parse_responses
from nasams_course.training.feedback import LearnerPage, index_page, learner_page
from nasams_course.training.guides import facilitator_guide_html, learner_handout_html
from nasams_course.training.plan import Block, SessionPlan
from nasams_course.training.scored import score_file

FOLDER = GOLDEN / "html"
CATALOG = load_catalog()
QS = golden_questions()
VIGNETTE = Vignette(id="v-golden", title="A call from the victim's sister", setting="capital",
                    narrative="The sister calls.\nShe asks about the case.\n\nThe specialist listens.",
                    provisions=["S5", "E6"], discussion=["What may the specialist say?", "Whom does she tell?"])
SECOND = Vignette(id="v-second", title="The prosecutor's witness", setting="non-capital", narrative="A witness calls.",
                  provisions=["S5"], discussion=["Who must consent first?"])
CHAPTER = Chapter(id="ch-golden", title="Confidentiality & victims", part="standards",
                  provisions=["S5", "S16", "U7", "E13", "E6"], minutes=80,
                  objectives=["Keep confidences.", "Answer a victim's family with care."])
CAPSTONE = Chapter(id="ch-capstone", title="A capstone case", part="capstone", provisions=["S5", "S11"], minutes=40,
                   objectives=["Apply the code."])
#: a multi question with two violation options: the critical-error box lists each (S15's clause keeps its lines)
TWO_VIOLATIONS = QS["g-multi"].model_copy(update={"id": "g-multi-two", "provisions": ["S16", "U7", "S15"], "options": [
    o.model_copy(update={"violation": ["S15"]}) if o.id == "d" else o for o in QS["g-multi"].options]})
BANK = Bank(chapters={CHAPTER.id: CHAPTER, CAPSTONE.id: CAPSTONE}, vignettes={VIGNETTE.id: VIGNETTE, SECOND.id: SECOND},
            questions={qid: q.model_copy(update={"vignette": "v-golden" if qid != "g-order3" else None})
                       for qid, q in QS.items()},
            chapter_of={VIGNETTE.id: CHAPTER.id, SECOND.id: CHAPTER.id, **dict.fromkeys(QS, CHAPTER.id)},
            page_of={CHAPTER.id: "book/standards/golden", CAPSTONE.id: "book/capstone/golden"})
PLAN = SessionPlan(id="golden", title="A golden session", dates=("2026-09-01", "2026-09-08"), audience="Specialists",
                   mode="practice", budget_minutes=60,
                   blocks=(Block(CHAPTER.id, CHAPTER.title, 45, ("S5", "S16"), (VIGNETTE.id,), tuple(QS)),))
#: an answer to each question that chooses its violation option, where it has one, and one that does not
ANSWERS = {"g-single": ("c", "b"), "g-multi": (["a", "e"], ["a", "b"]), "g-rate": ({"a": 4, "b": 4}, {"a": 4, "c": 2}),
           "g-order": (None, ["a", "c", "b", "d"]), "g-order3": (None, ["x", "y", "z"])}
VIOLATION = {"g-single": "c", "g-multi": "e", "g-rate": "b"}


def pages() -> dict[str, Callable[[], str]]:
    """Each page's name and how to render it (rendered in the test, so that `make mutate` sees every mutant)."""
    out: dict[str, Callable[[], str]] = {
        f"form-{qid}": partial(quiz_form, q, CATALOG) for qid, q in BANK.questions.items()}
    for qid, (bad, good) in ANSWERS.items():
        q = BANK.questions[qid]
        if bad is not None:
            out[f"feedback-{qid}-violation"] = partial(feedback, q, CATALOG, bad, 0.25, (VIOLATION[qid],), 0.5)
        out[f"feedback-{qid}"] = partial(feedback, q, CATALOG, good, 0.875)
    out["form-g-multi-two"] = partial(quiz_form, TWO_VIOLATIONS, CATALOG)
    out["feedback-g-multi-two-violations"] = partial(feedback, TWO_VIOLATIONS, CATALOG, ["d", "e"], 0.0, ("d", "e"))
    out["chapter-intro"] = partial(chapter_intro, CHAPTER, CATALOG, [VIGNETTE, SECOND])
    out["capstone-intro"] = partial(chapter_intro, CAPSTONE, CATALOG)
    out["self-rating-after"] = partial(self_rating_form, CHAPTER, CATALOG, "after")
    out["answers-panel-course"] = answers_panel
    out["case"] = lambda: (vignette_card(VIGNETTE) + discussion_list(VIGNETTE)
                           + provision_card(CATALOG.provision("E4a"), CATALOG))
    out["progress-page"] = lambda: progress_page(BANK, CATALOG) + start_button(BANK)
    out["coverage-map"] = lambda: coverage_map(coverage_frame(BANK, CATALOG), CATALOG, BANK)
    # an assessment (sealed): no key, no feedback, the answers saved with their own words, the list of answered
    # questions in place of the progress page, the coverage map without its violation items
    out |= {f"form-{qid}-sealed": partial(quiz_form, q, CATALOG, sealed=True) for qid, q in BANK.questions.items()}
    out["chapter-intro-sealed"] = partial(chapter_intro, CHAPTER, CATALOG, [VIGNETTE], sealed=True)
    out["answered-page-sealed"] = lambda: answered_page(BANK) + start_button(BANK, sealed=True)
    out["coverage-map-sealed"] = lambda: coverage_map(coverage_frame(BANK, CATALOG), CATALOG, BANK, sealed=True)
    out["facilitator-guide"] = partial(facilitator_guide_html, PLAN, BANK, CATALOG)
    out["handout"] = partial(learner_handout_html, PLAN, BANK, CATALOG)
    scored = feedback_scored()
    out["feedback-learner-page"] = lambda: re.sub(r"graded on \d{4}-\d{2}-\d{2} ", "graded on (today) ", learner_page(
        scored, Path("/in/ana.json"), PLAN, FEEDBACK_BANK, CATALOG))
    out["feedback-index"] = partial(index_page, [LearnerPage("ana-b-ruiz-b", Path("/in/ana.json"), scored.report, "")],
                                    PLAN)
    return out


#: the golden bank with a rate option that breaches two provisions (a feedback page names both)
FEEDBACK_BANK = dataclasses.replace(BANK, questions={**BANK.questions, "g-rate": BANK.questions["g-rate"].model_copy(
    update={"options": [o.model_copy(update={"violation": ["S5", "E13"]}) if o.id == "b" else o
                        for o in BANK.questions["g-rate"].options]})})


def feedback_scored():
    """A learner's file for the golden session: g-single twice (a weak first attempt, then the key, sure of it), a
    critical error on g-rate (medium certainty), g-multi partly right (no certainty stated), g-order and g-order3 not answered."""
    entries = [("g-single", "b", 0, None), ("g-rate", {"a": 4, "b": 4, "c": 3, "d": 2}, 1, 2),
               ("g-multi", ["a", "b"], 2, None), ("g-single", "a", 3, 3)]
    data = {"schema": "nasams-course/responses@2", "learner": "Ana <b>Ruiz</b>", "session": PLAN.id, "responses": [
        {"question": q, "answer": a, "at": f"2026-09-01T10:0{m}:00Z", **({"certainty": c} if c else {})}
        for q, a, m, c in entries]}
    responses = parse_responses(data, FEEDBACK_BANK.questions, now_ms=1_800_000_000_000)
    assert not responses.problems, responses.problems
    return score_file(Path("/in/ana.json"), responses, FEEDBACK_BANK, PLAN)


PAGES = pages()


@pytest.mark.parametrize("name", sorted(PAGES))
def test_rendered_html_is_the_reviewed_html(name):
    path = FOLDER / f"{name}.html"
    html = PAGES[name]()
    html = html if html.endswith("\n") else html + "\n"
    if os.environ.get("NASAMS_UPDATE_GOLDEN"):
        FOLDER.mkdir(exist_ok=True)
        path.write_text(html, encoding="utf-8")
    assert path.exists(), f"no reviewed file {path}: review the HTML, then write it with NASAMS_UPDATE_GOLDEN=1"
    assert html == path.read_text(encoding="utf-8"), (
        f"{name} renders differently from {path.relative_to(Path(__file__).parent)}: review the difference, then "
        "write the new file with NASAMS_UPDATE_GOLDEN=1 (see this file's docstring)")


def test_every_reviewed_file_is_still_rendered():
    assert sorted(p.stem for p in FOLDER.glob("*.html")) == sorted(PAGES)
