"""Tools for trainers: answer keys, graded response files, sample learners, item analysis."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

import pandas as pd
from IPython.display import HTML, display

from nasams_course.content.loader import course_bank
from nasams_course.content.models import Bank, Question
from nasams_course.grading import grade
from nasams_course.responses import SCHEMA, read_responses
from nasams_course.session import domain_frame, profile_frame


def scope(chapters: list[str], bank: Bank | None = None) -> dict[str, Question]:
    """The questions of some chapters, in bank order."""
    bank = bank or course_bank()
    bank.require_chapters(chapters)
    return {qid: q for qid, q in bank.questions.items() if bank.chapter_of[qid] in chapters}


def _key(q: Question, o) -> str:
    if q.kind == "single":
        return f"credit {o.credit:g}"
    if q.kind == "multi":
        return "correct" if o.correct else "incorrect"
    if q.kind == "rate":
        return f"rated {o.key}"
    return f"step {q.key.index(o.id) + 1}"


def key_table(chapters: list[str]) -> pd.DataFrame:
    """Every option of every question in the chapters, with its key, violation flag and rationale."""
    rows = [
        {"question": q.id, "kind": q.kind, "provisions": ", ".join(q.provisions), "option": o.id,
         "key": _key(q, o), "violation": ", ".join(getattr(o, "violation", None) or ()), "rationale": o.rationale}
        for q in scope(chapters).values() for o in q.options
    ]
    return pd.DataFrame(rows)


def grade_file(path: str | Path, chapters: list[str]) -> None:
    """Grade a response file against some chapters and display its provision and domain profiles."""
    questions = scope(chapters)
    responses = read_responses(Path(path), course_bank().questions)
    report = grade(questions, [a for a in responses.attempts if a.question in questions], learner=responses.learner,
                   ratings=responses.ratings)
    complete = "complete" if report.complete else "not complete"
    display(HTML(f"<p><strong>{escape(responses.learner)}</strong>: {len(report.items)} questions answered, "
                 f"{complete}.</p>"))
    for problem in responses.problems:
        display(HTML(f"<p>Skipped: {escape(problem)}</p>"))
    display(profile_frame(report))
    display(domain_frame(report))
    reviews = [(p.id, r) for p in report.provisions for r in p.review]
    if reviews:
        display(pd.DataFrame([{"provision": pid, "question": r.question, "option": r.option,
                               "rationale": r.rationale} for pid, r in reviews]))


def keyed_answer(q: Question) -> object:
    """The answer that scores 1."""
    if q.kind == "single":
        return next(o.id for o in q.options if o.credit == 1)
    if q.kind == "multi":
        return [o.id for o in q.options if o.correct]
    if q.kind == "rate":
        return {o.id: o.key for o in q.options}
    return list(q.key)


def weak_answer(q: Question) -> object:
    """A plausible poor answer that is not a critical error."""
    if q.kind == "single":
        safe = [o for o in q.options if o.credit < 1 and not o.violation]
        return (safe or [o for o in q.options if not o.violation])[0].id
    if q.kind == "multi":
        wrong = [o.id for o in q.options if not o.correct and not o.violation]
        right = [o.id for o in q.options if o.correct]
        return right[:1] + wrong or right[:1]
    if q.kind == "rate":
        return {o.id: 2 if o.violation else 5 - o.key for o in q.options}  # far from the key, never critical
    return list(reversed(q.key))


def critical_answer(q: Question) -> object | None:
    """The keyed answer plus a violation, or None if the question has no violation option."""
    bad = [o for o in q.options if getattr(o, "violation", False)]
    if not bad:
        return None
    if q.kind == "single":
        return bad[0].id
    if q.kind == "multi":
        return [*keyed_answer(q), bad[0].id]
    answer = dict(keyed_answer(q))
    answer[bad[0].id] = 4
    return answer


def sample_responses(questions: dict[str, Question], learner: str, kind: str) -> dict:
    """A sample response file: 'strong' (keyed, two slips), 'weak', or 'critical' (strong with one violation)."""
    entries = []
    violated = False
    for i, q in enumerate(questions.values()):
        answer = keyed_answer(q)
        if kind == "weak" and i % 4 != 0:
            answer = weak_answer(q)
        if kind in ("strong", "critical") and i in (1, 4) and q.kind in ("multi", "order"):
            answer = answer[:-1] if q.kind == "multi" and len(answer) > 1 else answer
        if kind == "critical" and not violated and critical_answer(q) is not None:
            answer, violated = critical_answer(q), True
        entries.append({"question": q.id, "answer": answer, "at": f"2026-09-01T10:{i // 60:02d}:{i % 60:02d}Z"})
    return {"schema": SCHEMA, "learner": learner, "responses": entries}


#: the three sample learners of a trainer notebook: kind -> name
SAMPLE_LEARNERS = {"strong": "Sample learner A (strong)", "weak": "Sample learner B (weak)",
                   "critical": "Sample learner C (critical error)"}


def sample_paths(folder: Path, name: str) -> dict[str, Path]:
    """Where the sample response files of the trainer notebook `name` are: kind -> path."""
    return {kind: folder / f"{name}-{kind}.json" for kind in SAMPLE_LEARNERS}


def write_samples(folder: Path, name: str, chapters: list[str]) -> list[Path]:
    """Write strong, weak and critical sample response files for some chapters."""
    questions = scope(chapters)
    paths = sample_paths(folder, name)
    for kind, path in paths.items():
        data = sample_responses(questions, SAMPLE_LEARNERS[kind], kind)
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return list(paths.values())
