"""`make bench`: build times (the book, and each example session in syllabi/), cohort grading (vectorized vs a
per-response loop), quiz JavaScript size and time to the first interactive quiz. Prints figures; asserts nothing
(the tests do that). `python -m nasams_course.bench sessions` times the session builds only."""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from nasams_course.catalog import load_catalog
from nasams_course.content.models import MultiQuestion, OrderQuestion, RateQuestion, SingleQuestion
from nasams_course.grading import Attempt, grade
from nasams_course.grading.cohort import grade_cohort

ROOT = Path(__file__).resolve().parents[1]
LEARNERS, QUESTIONS, OPTIONS = 10_000, 150, 5
LOOP_SAMPLE = 500


def synthetic_bank(rng: np.random.Generator) -> dict:
    """150 questions, a mix of the four kinds, five options each, assessing real provision ids."""
    ids = list(load_catalog().ids)
    bank = {}
    for i in range(QUESTIONS):
        kind = ("single", "multi", "rate", "order")[i % 4]
        provs = list(rng.choice(ids, size=2, replace=False))
        base = {"id": f"b{i}", "stem": "?", "provisions": provs}
        opts = [{"id": f"o{j}", "text": "t", "rationale": "S5"} for j in range(OPTIONS)]
        if kind == "single":
            for j, o in enumerate(opts):
                o.update(credit=[1, 0.5, 0, 0, 0][j], violation=provs[:1] if j == 4 else None)
            bank[base["id"]] = SingleQuestion(kind="single", options=opts, **base)
        elif kind == "multi":
            for j, o in enumerate(opts):
                o.update(correct=j < 2, violation=provs[:1] if j == 4 else None)
            bank[base["id"]] = MultiQuestion(kind="multi", options=opts, **base)
        elif kind == "rate":
            for j, o in enumerate(opts):
                o.update(key=[4, 1, 3, 2, 1][j], violation=provs[:1] if j == 4 else None)
            bank[base["id"]] = RateQuestion(kind="rate", options=opts, **base)
        else:
            key = [f"o{j}" for j in rng.permutation(OPTIONS)]
            bank[base["id"]] = OrderQuestion(kind="order", options=opts, key=key, **base)
    return bank


def synthetic_selections(bank: dict, rng: np.random.Generator) -> pd.DataFrame:
    """One attempt per learner per question (1.5 M responses), as the long selections frame, built with numpy."""
    kinds = np.array([("single", "multi", "rate", "order").index(q.kind) for q in bank.values()])
    qids = np.array(list(bank))
    learner = np.repeat(np.arange(LEARNERS), QUESTIONS)
    qidx = np.tile(np.arange(QUESTIONS), LEARNERS)
    n = learner.size
    k = kinds[qidx]
    # selections per response: single 1 option, multi 2 options, rate 5 ratings, order 5 positions
    per = np.select([k == 0, k == 1], [1, 2], OPTIONS)
    rows = np.repeat(np.arange(n), per)
    within = np.arange(rows.size) - np.repeat(np.cumsum(per) - per, per)
    single_pick = rng.integers(0, OPTIONS, n)
    multi_pick = np.stack([rng.integers(0, OPTIONS, n), rng.integers(0, OPTIONS, n)], axis=1)
    perms = np.argsort(rng.random((n, OPTIONS)), axis=1)
    kr = k[rows]
    option = np.where(kr == 0, single_pick[rows],
                      np.where(kr == 1, multi_pick[rows, np.minimum(within, 1)],
                               np.where(kr == 2, within, perms[rows, np.minimum(within, OPTIONS - 1)])))
    value = np.where(kr == 2, rng.integers(1, 5, rows.size), np.where(kr == 3, within, 1)).astype(float)
    frame = pd.DataFrame({
        "learner": pd.Categorical.from_codes(learner[rows], categories=[str(i) for i in range(LEARNERS)]),
        "question": pd.Categorical.from_codes(qidx[rows], categories=list(qids)),
        "attempt": np.zeros(rows.size, dtype=np.int64),
        "option": pd.Categorical.from_codes(option, categories=[f"o{j}" for j in range(OPTIONS)]),
        "value": value,
    })
    # a duplicate multi pick is one selection, as in a real answer
    frame = frame.drop_duplicates(["learner", "question", "option"])
    return frame


def attempts_from_frame(frame: pd.DataFrame, bank: dict, learners: list[str]) -> dict[str, list[Attempt]]:
    sub = frame[frame["learner"].isin(learners)].astype({"learner": str, "question": str, "option": str})
    out: dict[str, list[Attempt]] = {}
    for (learner, qid), g in sub.groupby(["learner", "question"], sort=False):
        kind = bank[qid].kind
        if kind == "single":
            answer = g["option"].iloc[0]
        elif kind == "multi":
            answer = list(g["option"])
        elif kind == "rate":
            answer = dict(zip(g["option"], g["value"].astype(int), strict=True))
        else:
            answer = list(g.sort_values("value")["option"])
        out.setdefault(learner, []).append(Attempt(qid, answer, 0.0, len(out.get(learner, []))))
    return out


def bench_grading() -> None:
    rng = np.random.default_rng(7)
    bank = synthetic_bank(rng)
    t = time.perf_counter()
    frame = synthetic_selections(bank, rng)
    build = time.perf_counter() - t
    runs = []
    for _ in range(3):
        t = time.perf_counter()
        result = grade_cohort(frame, bank)
        runs.append(time.perf_counter() - t)
    vec = min(runs)
    sample = [str(i) for i in range(LOOP_SAMPLE)]
    attempts = attempts_from_frame(frame, bank, sample)
    t = time.perf_counter()
    for learner in sample:
        grade(bank, attempts[learner])
    loop_sample = time.perf_counter() - t
    loop = loop_sample * LEARNERS / LOOP_SAMPLE
    responses = LEARNERS * QUESTIONS
    print(f"cohort grading, {LEARNERS:,} learners x {QUESTIONS} questions = {responses:,} responses "
          f"({len(frame):,} selection rows, built in {build:.2f} s)")
    print(f"  vectorized (best of 3): {vec:.2f} s")
    print(f"  per-response loop over the same grader: {loop_sample:.2f} s for {LOOP_SAMPLE} learners, "
          f"{loop:.1f} s extrapolated to {LEARNERS:,}")
    print(f"  speed-up: {loop / vec:.0f}x   (targets: <= 2 s and >= 20x)")
    # sanity: the two paths agree on the sample
    check = result["items"].set_index(["learner", "question"])["score"]
    worst = max(abs(check[(learner, i.question)] - i.score)
                for learner in sample[:50] for i in grade(bank, attempts[learner]).items)
    print(f"  largest difference between the paths on 50 learners: {worst:.1e}")


GRADEBOOK_LEARNERS = 10_000


def answer_variants(q, rng: np.random.Generator, extra: int = 8) -> list:
    """Answers a cohort gives to a question: the keyed one, a weak one, a critical error where there is one, and
    `extra` random ones of the right shape."""
    from nasams_course.trainer import critical_answer, keyed_answer, weak_answer

    out = [keyed_answer(q), weak_answer(q)] + ([critical_answer(q)] if critical_answer(q) is not None else [])
    ids = q.option_ids
    for _ in range(extra):
        if q.kind == "single":
            out.append(str(rng.choice(ids)))
        elif q.kind == "multi":
            out.append([i for i in ids if rng.random() < 0.4] or [ids[0]])
        elif q.kind == "rate":
            out.append({i: int(rng.integers(1, 5)) for i in ids})
        else:
            out.append([ids[i] for i in rng.permutation(len(ids))])
    return out


def cohort_files(folder: Path, learners: int = GRADEBOOK_LEARNERS, seed: int = 11) -> list[Path]:
    """A cohort's response files on disk, as the book's Download writes them (indented JSON, times to the
    millisecond, a certainty on three answers in four): every question of the real bank, three attempts on a third
    of them (a different third for each learner)."""
    import json

    from nasams_course.content.loader import course_bank

    rng = np.random.default_rng(seed)
    bank = course_bank().questions
    qids = list(bank)
    marker = "@@AT@@"
    # each (question, answer, certainty) as the text of an entry, split where its time goes
    texts = [[[json.dumps({"question": qid, "answer": a, "at": marker, **({"certainty": c} if c else {})},
                          indent=2, ensure_ascii=False).replace("\n", "\n    ").split(f'"{marker}"')
               for c in (None, 1, 2, 3)] for a in answer_variants(bank[qid], rng)] for qid in qids]
    n = len(qids)
    start = np.datetime64("2026-11-02T09:00:00.000")
    paths = []
    for learner in range(learners):
        repeats = np.where(rng.permutation(n) < n // 3, 3, 1)
        q = np.repeat(np.arange(n), repeats)
        variant = rng.integers(0, [len(texts[i]) for i in q])
        certainty = rng.integers(0, 4, q.size)
        at = start + np.timedelta64(learner * 7, "s") + np.cumsum(rng.integers(5_000, 90_000, q.size)).astype(
            "timedelta64[ms]")
        at = np.datetime_as_string(at, unit="ms")
        entries = []
        for i in range(q.size):
            head, tail = texts[q[i]][variant[i]][certainty[i]]
            entries.append(f'{head}"{at[i]}Z"{tail}')
        path = folder / f"learner-{learner:05d}.json"
        path.write_text('{\n  "schema": "nasams-course/responses@2",\n  "learner": '
                        f'{json.dumps(f"Learner {learner:05d}")},\n  "responses": [\n    '
                        + ",\n    ".join(entries) + '\n  ],\n  "self_ratings": []\n}\n', encoding="utf-8")
        paths.append(path)
    return paths


def bench_gradebook(learners: int = GRADEBOOK_LEARNERS) -> None:
    """`gradebook import` of a cohort of the real bank from files on disk, against the time to just parse the
    files with the standard json module: wall-clock time, and processor time (which other work on the machine
    disturbs less; the import's includes its pool of readers)."""
    import json
    import os
    import resource

    from nasams_course.training.gradebook import attempts_frame

    def children_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    def run(command: list[str], folder: Path) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), children_cpu()
        subprocess.run(command, cwd=folder, check=True, capture_output=True)
        return time.perf_counter() - wall, children_cpu() - cpu

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        paths = cohort_files(folder, learners)
        made = time.perf_counter() - t
        size = sum(p.stat().st_size for p in paths)
        load = os.getloadavg()[0]
        wall, cpu = time.perf_counter(), time.process_time()
        entries = sum(len(json.loads(p.read_bytes())["responses"]) for p in paths)
        parse, parse_cpu = time.perf_counter() - wall, time.process_time() - cpu
        command = [str(Path(sys.executable).with_name("nasams-course")), "--root", str(ROOT), "gradebook", "import",
                   "--db", "cohort.sqlite", *(p.name for p in paths)]
        imported, imported_cpu = run(command, folder)
        again, again_cpu = run(command, folder)
        wall, cpu = time.perf_counter(), time.process_time()
        frame = attempts_frame(folder / "cohort.sqlite")
        read, read_cpu = time.perf_counter() - wall, time.process_time() - cpu
        db_size = (folder / "cohort.sqlite").stat().st_size
        load = max(load, os.getloadavg()[0])
    print(f"gradebook, {learners:,} learners x every question of the real bank, 3 attempts on a third: "
          f"{entries:,} attempts in {len(paths):,} files, {size / 1e6:.0f} MB (written in {made:.1f} s); "
          f"load average up to {load:.1f} on {os.cpu_count()} processors")
    print(f"  parse every file with the standard json module: {parse:.2f} s (processor {parse_cpu:.2f} s)")
    print(f"  nasams-course gradebook import (a new gradebook, {db_size / 1e6:.0f} MB): {imported:.2f} s, "
          f"{imported / parse:.1f}x the parse (processor {imported_cpu:.2f} s, {imported_cpu / parse_cpu:.1f}x)   "
          "(targets: <= 10 s and <= 3x)")
    print(f"  the same import again (every file already there): {again:.2f} s (processor {again_cpu:.2f} s)")
    print(f"  attempts_frame, the cohort grader's input from the gradebook: {read:.2f} s (processor {read_cpu:.2f} s, "
          f"{len(frame):,} rows)")


REPORT_TARGET = 10  # seconds, `report` from the gradebook for 10,000 learners x every question


def bench_report(learners: int = GRADEBOOK_LEARNERS) -> None:
    """`nasams-course report --db` on a gradebook of a generated cohort of the real bank (every question, three
    attempts on a third: `cohort_files`), wall-clock and processor time, beside the time to just parse the files."""
    import json
    import os
    import resource

    def children_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    cli = str(Path(sys.executable).with_name("nasams-course"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = cohort_files(folder, learners)
        wall, cpu = time.perf_counter(), time.process_time()
        for p in paths:
            json.loads(p.read_bytes())
        parse, parse_cpu = time.perf_counter() - wall, time.process_time() - cpu
        subprocess.run([cli, "--root", str(ROOT), "gradebook", "import", "--db", "cohort.sqlite",
                        *(p.name for p in paths)], cwd=folder, check=True, capture_output=True)
        load = os.getloadavg()[0]
        wall, cpu = time.perf_counter(), children_cpu()
        subprocess.run([cli, "--root", str(ROOT), "report", "--db", "cohort.sqlite", "--out", "report"], cwd=folder,
                       check=True, capture_output=True)
        took, took_cpu = time.perf_counter() - wall, children_cpu() - cpu
        size = sum(f.stat().st_size for f in (folder / "report").iterdir())
        load = max(load, os.getloadavg()[0])
    print(f"report from the gradebook, {learners:,} learners x every question of the real bank (load average up to "
          f"{load:.1f} on {os.cpu_count()} processors): {took:.1f} s (processor {took_cpu:.1f} s), {took / parse:.1f}x "
          f"the parse of the files ({parse:.1f} s, processor {parse_cpu:.1f} s); the page and its CSV "
          f"files {size / 1e6:.1f} MB   (target: <= {REPORT_TARGET} s)")


def bench_build() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(ROOT), "--path-output", tmp,
               "-W", "-n", "--keep-going"]
        times = []
        for _ in range(2):
            t = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            times.append(time.perf_counter() - t)
    print(f"book build: clean {times[0]:.1f} s, no-change rebuild {times[1]:.1f} s")


SESSION_TARGET = 30  # seconds, for a two-hour session


def bench_sessions() -> None:
    """The wall time of `nasams-course session build` for each example syllabus, from nothing to the zip and the guide
    and handout PDFs."""
    import json

    for syllabus in sorted((ROOT / "syllabi").glob("*.yml")):
        with tempfile.TemporaryDirectory() as tmp:
            cmd = [sys.executable, "-m", "nasams_course", "--root", str(ROOT), "session", "build", str(syllabus),
                   "--out", tmp, "--json"]
            t = time.perf_counter()
            run = subprocess.run(cmd, capture_output=True, text=True, check=False)
            seconds = time.perf_counter() - t
        if run.returncode != 0:
            print(f"session {syllabus.stem}: did not build: {run.stderr.strip()[-500:]}")
            continue
        check = subprocess.run([*cmd[:5], "session", "check", str(syllabus), "--json"], capture_output=True,
                               text=True, check=False)
        plan = json.loads(check.stdout)
        result = json.loads(run.stdout)
        print(f"session book {plan['id']} ({plan['mode']}, {plan['minutes']} of {plan['budget_minutes']} minutes, "
              f"{len(plan['blocks'])} chapters, {sum(len(b['questions']) for b in plan['blocks'])} questions, "
              f"{result['pages_executed']} pages): built in {seconds:.1f} s, from syllabus to zip, guide and handout "
              f"(of which printing their PDFs {result['pdf_seconds']:.1f} s; target <= {SESSION_TARGET} s for a "
              "two-hour session)")


def bench_browser() -> None:
    from playwright.sync_api import sync_playwright

    html = ROOT / "_build" / "html"
    page_path = html / "book" / "standards" / "victims-and-privilege.html"
    if not page_path.exists():
        print("browser figures: build the book first (make book)")
        return
    text = page_path.read_text(encoding="utf-8")
    blocks = re.findall(r'<script type="application/json" class="nq-data">(.*?)</script>', text)
    data = sum(len(m.encode()) for m in blocks)
    for name, path in (("a chapter page", page_path), ("the progress page", html / "book" / "orientation" /
                                                        "progress.html"), ("the glossary", html / "book" /
                                                                           "orientation" / "glossary.html"),
                       ("the verify page", html / "book" / "orientation" / "verify.html")):
        scripts = re.findall(r'src="[^"]*_static/(nasams-[a-z]+\.js)', path.read_text(encoding="utf-8"))
        size = sum((html / "_static" / s).stat().st_size for s in scripts)
        print(f"course JavaScript loaded by {name}: {size:,} bytes unminified ({', '.join(scripts)}; target 25,000)")
    files = (html / "_static" / "nasams-files.js").stat().st_size
    print(f"loaded when the learner first downloads, imports or clears: nasams-files.js, {files:,} bytes; "
          f"inline quiz data on the exemplar page: {data:,} bytes")
    chromium = shutil.which("chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu",
                                    "--disable-background-networking", "--disable-component-update"])
        times = []
        for _ in range(10):
            context = browser.new_context()
            pg = context.new_page()
            pg.goto(page_path.as_uri())
            pg.wait_for_function("document.documentElement.dataset.quizReady !== undefined")
            times.append(float(pg.evaluate("document.documentElement.dataset.quizReady")))
            context.close()
        progress = progress_render_times(browser, html)
        browser.close()
    median = statistics.median(times)
    print(f"navigation to first interactive quiz, headless Chromium, from disk: median {median:.0f} ms "
          f"over 10 cold loads (min {min(times):.0f}, max {max(times):.0f}; target <= 300 ms)")
    print("progress page, the whole course answered 3 times per question with certainty, 88 self-ratings: grading "
          f"and filling in take a median of "
          f"{statistics.median(progress):.1f} ms over 10 loads (min {min(progress):.1f}, max {max(progress):.1f}; "
          "target <= 100 ms)")


def progress_render_times(browser, html: Path) -> list[float]:
    """Milliseconds the progress page spends grading and filling in a fully answered course (3 attempts each, each
    with a certainty, and every provision self-rated before and after)."""
    import json

    from nasams_course.catalog import load_catalog
    from nasams_course.content.loader import course_bank
    from nasams_course.trainer import keyed_answer, weak_answer

    bank = course_bank()
    records = {f"{STORAGE_PREFIX}q:{qid}": json.dumps({"attempts": [
        {"answer": weak_answer(q), "at": "2026-11-01T10:00:00.000Z", "certainty": 3},
        {"answer": weak_answer(q), "at": "2026-11-01T11:00:00.000Z", "certainty": 2},
        {"answer": keyed_answer(q), "at": "2026-11-01T12:00:00.000Z", "certainty": 1}]})
        for qid, q in bank.questions.items()}
    records[f"{STORAGE_PREFIX}ratings"] = json.dumps({"ratings": [
        {"provision": pid, "stage": stage, "rating": 3, "at": "2026-11-01T10:00:00.000Z"}
        for pid in load_catalog().ids for stage in ("before", "after")]})
    page_path = html / "book" / "orientation" / "progress.html"
    context = browser.new_context()
    pg = context.new_page()
    pg.goto(page_path.as_uri())
    pg.evaluate("records => { for (const [k, v] of Object.entries(records)) localStorage.setItem(k, v); }", records)
    times = []
    for _ in range(10):
        pg.reload()
        pg.wait_for_function("document.documentElement.dataset.progressMs !== undefined")
        times.append(float(pg.evaluate("document.documentElement.dataset.progressMs")))
    context.close()
    return times


STORAGE_PREFIX = "nasams-course:nasams-ethics:"  # sphinx_ext.COURSE_STORE (a test holds them together)
BROWSER_QUOTA_CHARS = 5 * 1024 * 1024  # what browsers allow a site's localStorage (keys + values), at least


def browser_storage_chars(questions: dict, attempts: int = 3) -> int:
    """Characters (keys + values) the book stores for a learner who answered every question `attempts` times,
    each answer as large as it can be (every option chosen, rated or placed), in the page's storage format."""
    import json

    total = 0
    for qid, q in questions.items():
        ids = q.option_ids
        answer = (ids[0] if q.kind == "single" else {i: 4 for i in ids} if q.kind == "rate" else list(ids))
        record = {"attempts": [{"answer": answer, "at": "2026-12-01T10:00:00.000Z", "certainty": 3}] * attempts}
        total += len(STORAGE_PREFIX + "q:" + qid) + len(json.dumps(record, separators=(",", ":")))
    return total


def bench_storage() -> None:
    from nasams_course.content.loader import course_bank

    bank = course_bank()
    chars = browser_storage_chars(bank.questions)
    print(f"browser storage, the whole course ({len(bank.questions)} questions) answered 3 times each: "
          f"{chars:,} characters ({chars / 1024:.0f} KB), {chars / BROWSER_QUOTA_CHARS:.1%} of a 5 MB quota")


CERTIFICATES = 1_000


def bench_certificates() -> None:
    """Certify 1,000 learners of a two-chapter session: for each a signed record, its token, a PDF with the QR code
    and a JSON file, and the run's CSV; then the cost of a name that needs the embedded Unicode font."""
    from nasams_course.content.loader import course_bank
    from nasams_course.training.certify import certify_learners
    from nasams_course.training.issuer import init_issuer, read_private_key

    bank = course_bank()
    chapters = ["confidentiality-records-rights", "victims-and-privilege"]
    provisions = [p for c in chapters for p in bank.chapters[c].provisions]
    catalog = load_catalog()
    domains = sorted({catalog.provision(p).domain for p in provisions})
    rows = [{"name": f"Learner {i:04d} Example-Name", "complete": True, "completed_on": "2026-11-02",
             "provisions": provisions, "levels": {d: ("Proficient", "Mastery")[(i + j) % 2] for j, d in
                                                  enumerate(domains)}} for i in range(CERTIFICATES)]
    with tempfile.TemporaryDirectory() as tmp:
        key_path, _, issuer = init_issuer(Path(tmp) / "keys", "Mitigation Training Institute",
                                          "https://training.example.org/nasams/book/orientation/verify.html")
        key = read_private_key(key_path)
        t, cpu = time.perf_counter(), time.process_time()
        issued = certify_learners(rows, "Confidentiality and victims: a CE seminar", "ce-2026-11", 75, issuer, key,
                                  Path(tmp) / "run")
        took, cpu = time.perf_counter() - t, time.process_time() - cpu
        size = statistics.median(i.pdf.stat().st_size for i in issued)
        token = statistics.median(len(i.token) for i in issued)
        t = time.perf_counter()
        certify_learners([{**rows[0], "name": "Łukasz Nguyễn"}] * 5, "Confidentiality and victims: a CE seminar",
                         "ce-2026-11", 75, issuer, key, Path(tmp) / "unicode")
        unicode_each = (time.perf_counter() - t) / 5
    print(f"certificates: {CERTIFICATES:,} learners certified (signed record, token, PDF with QR code, JSON file, "
          f"CSV) in {took:.1f} s ({cpu:.1f} s of CPU), {took / CERTIFICATES * 1000:.0f} ms each (target <= 60 s); "
          f"median PDF "
          f"{size / 1024:.0f} KB, token {token:.0f} characters ({len(provisions)} provisions, {len(domains)} domains); "
          f"a name outside Windows-1252 (embedded DejaVu Sans) takes {unicode_each * 1000:.0f} ms")


SECTIONS = {"certificates": bench_certificates, "storage": bench_storage, "sessions": bench_sessions,
            "grading": bench_grading, "gradebook": bench_gradebook, "report": bench_report, "build": bench_build,
            "browser": bench_browser}


def main(argv: list[str] | None = None) -> None:
    """Every section, or those named: python -m nasams_course.bench gradebook"""
    for name in (sys.argv[1:] if argv is None else argv) or list(SECTIONS):
        SECTIONS[name]()


if __name__ == "__main__":
    main()
