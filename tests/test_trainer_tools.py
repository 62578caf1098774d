"""The trainer's tools (nasams_course/trainer.py), called in this process: the answer key a trainer reads, the
sample learners a trainer notebook grades (strong, weak, critical), and a response file graded in a notebook."""

from __future__ import annotations

import json
from html import escape

import pytest

from nasams_course import trainer
from nasams_course.content.loader import course_bank
from nasams_course.content.models import UnknownChapterError
from nasams_course.grading import grade
from nasams_course.grading.items import score_item
from nasams_course.responses import SCHEMA, read_responses
from nasams_course.session import domain_frame, profile_frame

BANK = course_bank()
CHAPTER = "honesty"  # single, multi, rate and order questions, options with and without violations


def test_scope_is_the_chapters_questions_in_bank_order_and_refuses_an_unknown_chapter():
    two = ["honesty", "interviewing"]
    expected = [qid for qid in BANK.questions if BANK.chapter_of[qid] in two]
    assert list(trainer.scope(two)) == expected and list(trainer.scope(two, BANK)) == expected
    current = course_bank()  # the cached bank now (a session book's build clears the cache: BANK may be older)
    assert all(trainer.scope(two)[qid] is current.questions[qid] for qid in expected)
    with pytest.raises(UnknownChapterError):
        trainer.scope(["honesty", "nope"])


def test_the_key_table_gives_every_option_its_key_violations_and_rationale_in_words():
    table = trainer.key_table([CHAPTER])
    assert list(table.columns) == ["question", "kind", "provisions", "option", "key", "violation", "rationale"]
    questions = trainer.scope([CHAPTER])
    assert list(zip(table["question"], table["option"], strict=True)) == [
        (q.id, o.id) for q in questions.values() for o in q.options]
    row = {(r.question, r.option): r for r in table.itertuples()}
    registrar = row["q-u2-registrar-answer", "leave-and-subpoena"]
    assert (registrar.kind, registrar.provisions, registrar.key, registrar.violation) == ("single", "U2, E1",
                                                                                         "credit 0.5", "")
    assert row["q-u2-registrar-answer", "honest-role-and-release"].key == "credit 1"
    assert row["q-u2-registrar-answer", "from-the-court"].violation == "U2, E1"
    delete = row["q-u2-softened-declaration", "delete-notes"]
    assert (delete.key, delete.violation, delete.rationale) == ("rated 1", "E3", next(
        o.rationale for o in BANK.questions["q-u2-softened-declaration"].options if o.id == "delete-notes"))
    for q in questions.values():
        for o in q.options:
            key = row[q.id, o.id].key
            if q.kind == "multi":
                assert key == ("correct" if o.correct else "incorrect")
            if q.kind == "order":
                assert key == f"step {q.key.index(o.id) + 1}"


def test_weak_answers_are_never_critical_and_critical_answers_always_are():
    for q in BANK.questions.values():
        weak = score_item(q, trainer.weak_answer(q))
        # below the key, unless (a single question) every other option is a violation
        safe = [o for o in q.options if not getattr(o, "violation", None)]
        assert not weak.critical and (weak.score < 1 or (q.kind == "single" and len(safe) == 1)), q.id
        if q.kind == "multi":  # one correct option and every wrong one that is not a violation
            assert trainer.weak_answer(q) == [next(o.id for o in q.options if o.correct)] + [
                o.id for o in q.options if not o.correct and not o.violation], q.id
        if q.kind == "rate":  # each rating mirrored from the key (1 as 4, 2 as 3), a violation rated 2
            assert trainer.weak_answer(q) == {o.id: 2 if o.violation else 5 - o.key for o in q.options}, q.id
        bad = trainer.critical_answer(q)
        assert (bad is not None) == (len(safe) < len(q.options)), q.id
        if bad is not None:
            assert score_item(q, bad).critical, q.id
            if q.kind == "rate":  # the keyed ratings, the first violation rated 4
                assert [(o.id, bad[o.id]) for o in q.options if bad[o.id] != o.key] == [
                    next((o.id, 4) for o in q.options if o.violation)], q.id
            if q.kind == "multi":  # the keyed options and the first violation
                assert bad == [*trainer.keyed_answer(q), next(o.id for o in q.options if o.violation)]


def of_kinds(*kinds: str) -> dict:
    """Questions of the bank of these kinds in this order (each a different question; multi questions with the most
    correct options first, so that one short is not the first alone)."""
    pool = {k: sorted((q for q in BANK.questions.values() if q.kind == k),
                      key=lambda q: -sum(getattr(o, "correct", False) for o in q.options)) for k in set(kinds)}
    picked = [pool[k].pop(0) for k in kinds]
    return {q.id: q for q in picked}


def sample(kind: str, questions: dict) -> dict:
    return trainer.sample_responses(questions, trainer.SAMPLE_LEARNERS[kind], kind)


def graded(data: dict, tmp_path, questions: dict):
    path = tmp_path / "sample.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    rs = read_responses(path, BANK.questions)
    assert rs.problems == []
    return grade(questions, rs.attempts, learner=rs.learner)


def test_the_sample_learners_are_strong_weak_and_critical_as_named(tmp_path):
    questions = of_kinds("multi", "multi", "multi", "single", "multi", "multi", "order", "rate", "single")
    strong, weak, critical = (sample(kind, questions) for kind in ("strong", "weak", "critical"))
    assert strong["schema"] == SCHEMA and strong["learner"] == "Sample learner A (strong)"
    assert (weak["learner"], critical["learner"]) == ("Sample learner B (weak)", "Sample learner C (critical error)")
    answers = {kind: [e["answer"] for e in data["responses"]]
               for kind, data in (("strong", strong), ("weak", weak), ("critical", critical))}
    keyed = [trainer.keyed_answer(q) for q in questions.values()]
    # strong: the key, except the (multi) questions at positions 1 and 4, one correct option short
    assert [i for i, (a, k) in enumerate(zip(answers["strong"], keyed, strict=True)) if a != k] == [1, 4]
    assert all(answers["strong"][i] == keyed[i][:-1] and len(keyed[i]) > 2 for i in (1, 4))
    # weak: every fourth question keyed, the others weak
    assert answers["weak"] == [k if i % 4 == 0 else trainer.weak_answer(q)
                               for i, (k, q) in enumerate(zip(keyed, questions.values(), strict=True))]
    # critical: strong, with the first question that has a violation answered with it, and no other
    first = next(i for i, q in enumerate(questions.values()) if trainer.critical_answer(q) is not None)
    assert [i for i, (a, s) in enumerate(zip(answers["critical"], answers["strong"], strict=True)) if a != s] == [first]
    reports = {kind: graded(data, tmp_path, questions)
               for kind, data in (("strong", strong), ("weak", weak), ("critical", critical))}
    assert [[i.question for i in r.items if i.critical] for r in reports.values()] == [[], [], [list(questions)[first]]]
    scores = {kind: sum(i.score for i in r.items) for kind, r in reports.items()}
    assert scores["weak"] < scores["strong"] < len(questions)


def test_a_multi_question_with_one_correct_option_keeps_it_in_the_strong_sample():
    """A slip never leaves a multi question unanswered: with one correct option, the keyed answer is kept."""
    multi = next(q for q in BANK.questions.values() if q.kind == "multi")
    only = next(o.id for o in multi.options if o.correct)
    one_correct = multi.model_copy(update={"options": [o.model_copy(update={"correct": o.id == only})
                                                       for o in multi.options]})
    first = next(q for q in BANK.questions.values() if q.kind == "single")
    data = trainer.sample_responses({first.id: first, one_correct.id: one_correct}, "Ana", "strong")
    assert data["responses"][1]["answer"] == [only]


def test_a_multi_question_with_two_correct_options_is_answered_one_short_in_the_strong_sample():
    """The slip of the strong sample is made on a multi question with two correct options too: one is left out."""
    multi = next(q for q in BANK.questions.values() if q.kind == "multi")
    two = [o.id for o in multi.options if not o.violation][:2]
    two_correct = multi.model_copy(update={"options": [o.model_copy(update={"correct": o.id in two})
                                                       for o in multi.options]})
    assert trainer.keyed_answer(two_correct) == two
    first = next(q for q in BANK.questions.values() if q.kind == "single")
    data = trainer.sample_responses({first.id: first, two_correct.id: two_correct}, "Ana", "strong")
    assert data["responses"][1]["answer"] == two[:1]
    assert score_item(two_correct, data["responses"][1]["answer"]).score < 1


def test_sample_answers_are_a_second_apart_in_answer_order_across_minutes():
    data = trainer.sample_responses(BANK.questions, "Ana", "weak")
    times = [e["at"] for e in data["responses"]]
    assert times[:2] == ["2026-09-01T10:00:00Z", "2026-09-01T10:00:01Z"]
    assert times[59:62] == ["2026-09-01T10:00:59Z", "2026-09-01T10:01:00Z", "2026-09-01T10:01:01Z"]
    assert times == sorted(times) and len(set(times)) == len(times) == len(BANK.questions)
    assert [e["question"] for e in data["responses"]] == list(BANK.questions)


def test_write_samples_writes_the_three_learners_files_where_sample_paths_says(tmp_path):
    paths = trainer.write_samples(tmp_path, "ce", [CHAPTER])
    assert paths == [tmp_path / "ce-strong.json", tmp_path / "ce-weak.json", tmp_path / "ce-critical.json"]
    assert trainer.sample_paths(tmp_path, "ce") == dict(zip(["strong", "weak", "critical"], paths, strict=True))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ce-critical.json", "ce-strong.json", "ce-weak.json"]
    for kind, path in zip(["strong", "weak", "critical"], paths, strict=True):
        text = path.read_text(encoding="utf-8")
        assert text == json.dumps(sample(kind, trainer.scope([CHAPTER])), indent=2) + "\n"
        rs = read_responses(path, BANK.questions)
        assert rs.learner == trainer.SAMPLE_LEARNERS[kind] and rs.problems == []


def shown_by_grade_file(monkeypatch, path, chapters) -> list:
    shown = []
    monkeypatch.setattr(trainer, "display", shown.append)
    trainer.grade_file(path, chapters)
    return shown


def html_of(shown) -> list[str]:
    return [s.data for s in shown if hasattr(s, "data") and isinstance(s.data, str)]


def test_grade_file_shows_the_learner_the_count_completion_profiles_and_reviews(tmp_path, monkeypatch):
    [strong, weak, critical] = trainer.write_samples(tmp_path, "ce", [CHAPTER])
    n = len(trainer.scope([CHAPTER]))
    shown = shown_by_grade_file(monkeypatch, strong, [CHAPTER])
    assert html_of(shown) == [f"<p><strong>Sample learner A (strong)</strong>: {n} questions answered, complete.</p>"]
    report = graded(json.loads(strong.read_text(encoding="utf-8")), tmp_path, trainer.scope([CHAPTER]))
    frames = shown[1:]  # the provision and domain profiles; no review: nothing to review
    assert len(frames) == 2 and frames[0].equals(profile_frame(report)) and frames[1].equals(domain_frame(report))
    shown = shown_by_grade_file(monkeypatch, weak, [CHAPTER])
    assert html_of(shown)[0] == f"<p><strong>Sample learner B (weak)</strong>: {n} questions answered, not complete.</p>"
    assert len([s for s in shown if not hasattr(s, "data")]) == 2
    shown = shown_by_grade_file(monkeypatch, critical, [CHAPTER])
    assert html_of(shown) == [f"<p><strong>Sample learner C (critical error)</strong>: {n} questions answered, "
                              "not complete.</p>"]
    reviews = [s for s in shown if not hasattr(s, "data")][2]
    assert list(reviews.columns) == ["provision", "question", "option", "rationale"] and len(reviews) > 0
    questions = trainer.scope([CHAPTER])
    for r in reviews.itertuples():
        assert r.provision in questions[r.question].provisions
        assert r.rationale == next(o.rationale for o in questions[r.question].options if o.id == r.option)


def test_grade_file_counts_only_the_chapters_questions_and_lists_what_it_skipped(tmp_path, monkeypatch):
    data = sample("strong", trainer.scope([CHAPTER, "interviewing"]))
    data["responses"].append({"question": "q-nowhere", "answer": "a", "at": "2026-09-01T11:00:00Z"})
    path = tmp_path / "two.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    shown = html_of(shown_by_grade_file(monkeypatch, path, [CHAPTER]))
    problem = read_responses(path, BANK.questions).problems[0]
    assert shown == [f"<p><strong>Sample learner A (strong)</strong>: {len(trainer.scope([CHAPTER]))} questions "
                     "answered, complete.</p>", f"<p>Skipped: {escape(problem)}</p>"]
    assert "q-nowhere" in problem
