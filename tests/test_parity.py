"""One spec, two runtimes: generated cases graded by Python and by the browser's JavaScript must agree."""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from conftest import REPO, examples, golden
from nasams_course.content.models import Question
from nasams_course.grading import AnswerError, Attempt, grade, score_item

RUNNER = REPO / "tests" / "js" / "parity-runner.js"
PROVISIONS = ["E6", "E13", "S5", "S16", "U7", "S11"]
ADAPTER = TypeAdapter(Question)
BATCHES = examples(30, mutate=2)
CASES_PER_BATCH = 40  # 1,200 generated cases in all (80 under the mutate profile)


def option_ids(n: int) -> list[str]:
    return [f"o{i}" for i in range(n)]


@st.composite
def questions(draw, qid: str) -> dict:
    kind = draw(st.sampled_from(["single", "multi", "rate", "order"]))
    n = draw(st.integers(3, 6))
    ids = option_ids(n)
    provs = draw(st.lists(st.sampled_from(PROVISIONS), min_size=1, max_size=3, unique=True))
    q = {"id": qid, "kind": kind, "stem": "?", "provisions": provs, "options": []}
    for oid in ids:
        o = {"id": oid, "text": oid, "rationale": "S5"}
        if kind == "single":
            o["credit"] = draw(st.sampled_from([0, 0.5, 1]))
        elif kind == "multi":
            o["correct"] = draw(st.booleans())
        elif kind == "rate":
            o["key"] = draw(st.integers(1, 4))
        if kind != "order" and draw(st.booleans()):
            o["violation"] = draw(st.lists(st.sampled_from(provs), min_size=1, max_size=len(provs), unique=True))
        q["options"].append(o)
    if kind == "multi" and not any(o["correct"] for o in q["options"]):
        q["options"][0]["correct"] = True
    if kind == "multi" and all(o["correct"] for o in q["options"]):
        q["options"][-1]["correct"] = False
    if kind == "order":
        q["key"] = draw(st.permutations(ids))
    return q


def answers(q: dict):
    ids = [o["id"] for o in q["options"]]
    junk = st.sampled_from([None, "", "nope", 7, ["nope"], {"nope": 1}, {ids[0]: 9}, [ids[0], ids[0]], {ids[0]: True}])
    if q["kind"] == "single":
        good = st.sampled_from(ids)
    elif q["kind"] == "multi":
        good = st.lists(st.sampled_from(ids), unique=True)
    elif q["kind"] == "rate":
        good = st.dictionaries(st.sampled_from(ids), st.integers(1, 4))
    else:
        good = st.one_of(st.permutations(ids), st.lists(st.sampled_from(ids), unique=True))
    return st.one_of(good, good, good, junk)


@st.composite
def cases(draw) -> dict:
    nq = draw(st.integers(1, 4))
    qs = [draw(questions(f"q{i}")) for i in range(nq)]
    attempts = []
    for seq in range(draw(st.integers(0, 8))):
        q = draw(st.sampled_from(qs))
        attempt = {"question": q["id"], "answer": draw(answers(q)), "at": draw(st.integers(0, 5)), "seq": seq}
        certainty = draw(st.sampled_from([None, 1, 2, 3]))
        if certainty is not None:  # stated or not, as in a response file
            attempt["certainty"] = certainty
        attempts.append(attempt)
    return {"questions": qs, "attempts": attempts}


def python_results(case: dict) -> dict:
    qs = {q["id"]: ADAPTER.validate_python(q) for q in case["questions"]}
    items, valid = [], []
    for a in case["attempts"]:
        try:
            r = score_item(qs[a["question"]], a["answer"])
            items.append({"score": r.score, "critical": r.critical, "unanswered": r.unanswered,
                          "breached": list(r.breached)})
            valid.append(Attempt(**a))
        except AnswerError:
            items.append({"error": True})
    report = grade(qs, valid).to_json()
    report["provisions"] = [{k: p[k] for k in ("id", "score", "first_score", "level", "critical", "answered")}
                            for p in report["provisions"]]
    keep = ("items", "provisions", "domains", "score", "first_score", "complete", "calibration", "self_ratings")
    return {"items": items, "report": {k: report[k] for k in keep}}


def assert_same(py, js, path="result"):
    if isinstance(py, float) or isinstance(js, float):
        assert math.isclose(py, js, rel_tol=0, abs_tol=1e-9), f"{path}: python {py} != js {js}"
    elif isinstance(py, dict):
        assert py.keys() == js.keys(), f"{path}: keys {sorted(py)} != {sorted(js)}"
        for k in py:
            assert_same(py[k], js[k], f"{path}.{k}")
    elif isinstance(py, list):
        assert len(py) == len(js), f"{path}: {len(py)} != {len(js)} entries"
        for i, (a, b) in enumerate(zip(py, js, strict=True)):
            assert_same(a, b, f"{path}[{i}]")
    else:
        assert py == js, f"{path}: python {py!r} != js {js!r}"


@settings(max_examples=BATCHES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(batch=st.lists(cases(), min_size=CASES_PER_BATCH, max_size=CASES_PER_BATCH))
def agree(folder: Path, graded: list[int], batch: list[dict]) -> None:
    """Grade a batch of generated cases in both runtimes and compare every result; count the cases in `graded`."""
    path = folder / "cases.json"
    path.write_text(json.dumps({"catalog": golden("catalog.json"), "cases": batch}))
    out = subprocess.run(["node", str(RUNNER), str(path)], capture_output=True, text=True, check=True)
    js = json.loads(out.stdout)
    for i, case in enumerate(batch):
        assert_same(python_results(case), js[i], f"case[{i}]")
    graded.append(len(batch))


def test_python_and_javascript_graders_agree_on_at_least_1000_cases(tmp_path):
    """The property and its count in one test, so that the count does not depend on which tests ran before."""
    graded: list[int] = []
    agree(tmp_path, graded)
    assert sum(graded) >= BATCHES * CASES_PER_BATCH
