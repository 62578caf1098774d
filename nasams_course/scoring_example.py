"""The worked example on the scoring page, computed by the grader itself so it can never drift."""

from __future__ import annotations

from html import escape

from nasams_course.content.models import MultiQuestion, OrderQuestion, RateQuestion, SingleQuestion
from nasams_course.grading import Attempt, grade
from nasams_course.rendering.html import percent

_R = "Example rationale citing S5."


def example_questions() -> dict:
    """Four made-up questions, one of each kind, all assessing S5 or S16."""
    single = SingleQuestion(kind="single", id="ex-single", stem="What should the specialist do first?",
                            provisions=["S5"], options=[
                                {"id": "a", "text": "Best step", "credit": 1, "rationale": _R},
                                {"id": "b", "text": "Partly right", "credit": 0.5, "rationale": _R},
                                {"id": "c", "text": "Talk to the witness now", "credit": 0, "violation": ["S5"],
                                 "rationale": _R}])
    multi = MultiQuestion(kind="multi", id="ex-multi", stem="Which statements fit S16?", provisions=["S16"],
                          options=[{"id": k, "text": k, "correct": c, "rationale": "Cites S16."}
                                   for k, c in (("a", True), ("b", True), ("c", True), ("d", False), ("e", False))])
    rate = RateQuestion(kind="rate", id="ex-rate", stem="Rate each action.", provisions=["S5"],
                        options=[{"id": k, "text": k, "key": v, "rationale": _R}
                                 for k, v in (("a", 4), ("b", 1), ("c", 3))])
    order = OrderQuestion(kind="order", id="ex-order", stem="Put the steps in order.", provisions=["S5"],
                          options=[{"id": k, "text": k, "rationale": _R} for k in ("c", "a", "d", "b")],
                          key=["a", "b", "c", "d"])
    return {q.id: q for q in (single, multi, rate, order)}


EXAMPLE_ANSWERS = [
    ("ex-single", "b", "chose the option worth half credit"),
    ("ex-multi", ["a", "b", "d"], "picked two of the three right statements and one of the two wrong ones"),
    ("ex-rate", {"a": 4, "b": 2, "c": 1}, "rated 4, 2, 1 against a key of 4, 1, 3"),
    ("ex-order", ["a", "c", "b", "d"], "swapped two neighbouring steps of four"),
]


def calculation(q, answer) -> str:
    """The rule applied to one answer, written out with the answer's own numbers."""
    if q.kind == "single":
        return f"credit of the chosen option = {q.option(answer).credit:g}"
    if q.kind == "multi":
        right = [o for o in q.options if o.correct]
        wrong = [o for o in q.options if not o.correct]
        hits = sum(1 for o in right if o.id in answer)
        false = sum(1 for o in wrong if o.id in answer)
        return (f"{hits} of {len(right)} right − {false} of {len(wrong)} wrong = "
                f"{hits / len(right):.3f} − {false / len(wrong):.3f}")
    if q.kind == "rate":
        dist = [abs(answer[o.id] - o.key) if o.id in answer else 3 for o in q.options]
        return f"1 − ({' + '.join(map(str, dist))}) ÷ (3 × {len(q.options)})"
    n = len(q.key)
    pos = {oid: i for i, oid in enumerate(answer)}
    agree = sum(1 for i in range(n) for j in range(i + 1, n) if pos[q.key[i]] < pos[q.key[j]])
    pairs = n * (n - 1) // 2
    return f"({agree} pairs in order − {pairs - agree} out of order) ÷ {pairs} pairs"


def worked_example() -> tuple[str, str]:
    """(html, text) of the worked example."""
    questions = example_questions()
    attempts = [Attempt(q, a, i, i) for i, (q, a, _) in enumerate(EXAMPLE_ANSWERS)]
    report = grade(questions, attempts)
    scores = {i.question: i.score for i in report.items}
    rows = "".join(
        f"<tr><td>{escape(questions[q].kind)}</td><td>{escape(what)}</td><td>{escape(how)}</td>"
        f"<td>{percent(scores[q])}</td></tr>"
        for q, answer, what in EXAMPLE_ANSWERS for how in [calculation(questions[q], answer)]
    )
    provs = "".join(
        f"<tr><td>{p.id}</td><td>{p.answered}</td><td>{percent(p.score)}</td><td>{escape(p.level)}</td></tr>"
        for p in report.provisions
    )
    body = (
        '<table class="nasams-example"><caption>Four answers, scored</caption><thead><tr>'
        '<th scope="col">Kind</th><th scope="col">The learner…</th><th scope="col">Calculation</th>'
        f'<th scope="col">Score</th></tr></thead><tbody>{rows}</tbody></table>'
        '<table class="nasams-example"><caption>The resulting provision profile</caption><thead><tr>'
        '<th scope="col">Provision</th><th scope="col">Questions answered</th><th scope="col">Score</th>'
        f'<th scope="col">Level</th></tr></thead><tbody>{provs}</tbody></table>'
    )
    text = "\n".join(f"{q}: {percent(scores[q])}" for q, *_ in EXAMPLE_ANSWERS)
    return body, text
