"""`make bench`: build times (the book, and each example session in syllabi/), the trainer's real path on a generated
cohort of the real bank from files on disk (`grade --json`, `gradebook import`, each against just parsing the files),
certificates, quiz JavaScript size and time to the first interactive quiz. Prints figures; asserts nothing (the tests
do that). `python -m nasams_course.bench cohort sessions` runs the sections named only (see SECTIONS)."""

from __future__ import annotations

import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from nasams_course.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[1]
COHORT_LEARNERS, COHORT_SEED = 10_000, 2026


@dataclass(frozen=True)
class CohortStep:
    """A command of the trainer's real path, timed on the generated cohort: `args` gives its arguments (after
    `nasams-course --root ROOT`) from the files' names, run in the cohort's folder; `fresh` is a file removed before
    each run (a new gradebook); `target` in seconds, None for none."""

    label: str
    args: Callable[[list[str]], list[str]]
    target: float | None = None
    runs: int = 2
    fresh: str | None = None


COHORT_DB = "cohort.sqlite"
#: the real path, in order (the report reads the gradebook the import wrote)
COHORT_STEPS = [
    CohortStep("nasams-course grade --json", lambda names: ["grade", "--json", *names], target=5),
    CohortStep("nasams-course gradebook import (a new gradebook)",
               lambda names: ["gradebook", "import", "--db", COHORT_DB, *names], target=10, fresh=COHORT_DB),
    CohortStep("the same import again (every file already there)",
               lambda names: ["gradebook", "import", "--db", COHORT_DB, *names], runs=1),
    CohortStep("nasams-course report --db (the page and a CSV of each table)",
               lambda names: ["report", "--db", COHORT_DB, "--out", "report"], target=10),
]


def _children_cpu() -> float:
    """Processor time of the finished child processes (and their workers), user and system."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _parse_all(paths: list[Path]) -> tuple[float, float, int]:
    """Wall-clock and processor time to parse every file with the standard json module, and the attempts read."""
    import json

    wall, cpu = time.perf_counter(), time.process_time()
    entries = sum(len(json.loads(p.read_bytes())["responses"]) for p in paths)
    return time.perf_counter() - wall, time.process_time() - cpu, entries


def _run_step(step: CohortStep, folder: Path, names: list[str]) -> tuple[float, float, int]:
    """One run of a step: wall-clock time, processor time (its worker processes' included), exit status."""
    if step.fresh:
        for suffix in ("", "-wal", "-shm"):
            (folder / f"{step.fresh}{suffix}").unlink(missing_ok=True)
    command = [str(Path(sys.executable).with_name("nasams-course")), "--root", str(ROOT), *step.args(names)]
    wall, cpu = time.perf_counter(), _children_cpu()
    with (folder / "stdout").open("wb") as sink:
        run = subprocess.run(command, cwd=folder, stdout=sink, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - wall, _children_cpu() - cpu, run.returncode


def bench_cohort(learners: int = COHORT_LEARNERS, steps: list[CohortStep] | None = None) -> None:
    """The trainer's real path (COHORT_STEPS) on a generated cohort of the real bank, from files on disk, each against
    the time to just parse the same files with the standard json module: wall-clock time, and processor time (which
    other work on the machine disturbs less). Each step is run in turn with a parse, the best of each kept: the
    machine may be busy with other work meanwhile."""
    import os

    from nasams_course.content.loader import course_bank
    from nasams_course.training.gradebook import attempt_arrays

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        paths = write_cohort(folder, learners, COHORT_SEED)
        made = time.perf_counter() - t
        names = [p.name for p in paths]
        size = sum(p.stat().st_size for p in paths)
        load = os.getloadavg()[0]
        parses, lines = [], []
        for step in COHORT_STEPS if steps is None else steps:
            runs = []
            for _ in range(step.runs):
                parses.append(_parse_all(paths))
                runs.append(_run_step(step, folder, names))
                load = max(load, os.getloadavg()[0])
            lines.append((step, min(r[0] for r in runs), min(r[1] for r in runs), runs[-1][2]))
        frame_read = None
        if (folder / COHORT_DB).exists():
            wall, cpu = time.perf_counter(), time.process_time()
            rows = len(attempt_arrays(folder / COHORT_DB, course_bank().questions)[0].learner)
            frame_read = (time.perf_counter() - wall, time.process_time() - cpu, rows)
    parse, parse_cpu = (min(p[k] for p in parses) for k in (0, 1))
    print(f"the real path, {learners:,} learners x every question of the real bank, 3 attempts on a third: "
          f"{parses[0][2]:,} attempts in {len(paths):,} files, {size / 1e6:.0f} MB (written in {made:.1f} s); "
          f"load average up to {load:.1f} on {os.cpu_count()} processors")
    print(f"  parse every file with the standard json module: {parse:.2f} s (processor {parse_cpu:.2f} s; the best "
          f"of {len(parses)} runs)")
    for step, wall, cpu, status in lines:
        target = f"   (targets: <= {step.target:g} s and <= 3x)" if step.target else ""
        print(f"  {step.label} (exit {status}): {wall:.2f} s, {wall / parse:.1f}x the parse (processor {cpu:.2f} s, "
              f"{cpu / parse_cpu:.1f}x){target}")
    if frame_read:
        print(f"  attempt_arrays, the report's input from the gradebook: {frame_read[0]:.2f} s (processor "
              f"{frame_read[1]:.2f} s, {frame_read[2]:,} attempts)")


#: the learners of a generated cohort, in turn: how often each answers as keyed, weakly, at random or with a critical
#: error (the rest of the time: keyed), and how often it states a certainty
COHORT_PROFILES = (
    {"name": "strong", "weak": 0.08, "random": 0.02, "critical": 0.0, "certainty": 0.6},
    {"name": "weak", "weak": 0.6, "random": 0.2, "critical": 0.0, "certainty": 0.3},
    {"name": "critical", "weak": 0.1, "random": 0.05, "critical": 0.04, "certainty": 0.8},
    {"name": "guessing", "weak": 0.2, "random": 0.5, "critical": 0.02, "certainty": 0.0},
    {"name": "sure", "weak": 0.3, "random": 0.1, "critical": 0.01, "certainty": 1.0},
)
COHORT_START_MS = 1_793_610_000_000  # 2026-11-02T08:20:00Z


def random_answer(q, rng) -> object:
    """Any well-formed answer to a question: a random option, subset, set of ratings or order."""
    ids = q.option_ids
    if q.kind == "single":
        return rng.choice(ids)
    if q.kind == "multi":
        return rng.sample(ids, rng.randint(1, len(ids)))
    if q.kind == "rate":
        return {oid: rng.randint(1, 4) for oid in ids}
    return rng.sample(ids, len(ids))


def answer_pools(questions: list) -> dict[str, tuple]:
    """Each question's keyed, weak and critical (or None) answer, computed once."""
    from nasams_course.trainer import critical_answer, keyed_answer, weak_answer

    return {q.id: (keyed_answer(q), weak_answer(q), critical_answer(q)) for q in questions}


def cohort_file(index: int, questions: list, rng, chapter_of: dict, pools: dict, partial: bool = False) -> dict:
    """One generated learner's response file, as the book's Download writes it: the profile COHORT_PROFILES[index %
    5]; every question of `questions` (a partial learner, every fifth with `partial`: those of one or two chapters),
    three attempts at a third of them, the first two weaker; the guessing profile in any order; self-ratings (before
    and after, some twice) of six of its provisions from every third learner."""
    from nasams_course.responses import SCHEMA, format_time

    profile = COHORT_PROFILES[index % len(COHORT_PROFILES)]
    if partial and index % 5 == 4:
        chapters = rng.sample(sorted({chapter_of[q.id] for q in questions}), rng.randint(1, 2))
        questions = [q for q in questions if chapter_of[q.id] in chapters]
    if profile["name"] == "guessing":  # answers the questions in any order
        questions = rng.sample(questions, len(questions))

    def answer(q, weaker: bool) -> object:
        keyed, weak, critical = pools[q.id]
        draw = rng.random()
        if draw < profile["critical"] and critical is not None:
            return critical
        draw -= profile["critical"]
        if draw < profile["random"] + (0.3 if weaker else 0):
            return random_answer(q, rng)
        draw -= profile["random"]
        return weak if draw < profile["weak"] + (0.3 if weaker else 0) else keyed

    start = COHORT_START_MS + index * 7_000
    at = start
    entries = []
    for q in questions:
        tries = 3 if rng.random() < 1 / 3 else 1
        for t in range(tries):
            at += rng.randint(5_000, 90_000)
            entry = {"question": q.id, "answer": answer(q, t < tries - 1), "at": format_time(at)}
            if rng.random() < profile["certainty"]:
                entry["certainty"] = rng.randint(1, 3)
            entries.append(entry)
    data = {"schema": SCHEMA, "learner": f"Learner {index + 1:05d} ({profile['name']})", "responses": entries}
    if index % 3 == 0:
        rated = sorted({p for q in questions for p in q.provisions})
        data["self_ratings"] = [{"provision": p, "stage": stage, "rating": rng.randint(1, 4),
                                 "at": format_time(start + (0 if stage == "before" else 1) + again)}
                                for p in rng.sample(rated, min(len(rated), 6)) for stage in ("before", "after")
                                for again in range(rng.choice((1, 1, 2)))]  # some rated twice: the latest counts
    return data


def write_cohort(folder: Path, learners: int, seed: int, partial: bool = False) -> list[Path]:
    """Write a generated cohort of the course's real bank into `folder`: `learners` response files (see
    cohort_file), indented as the book's Download writes them; the same seed, the same files. Returns their paths."""
    import random

    import orjson

    from nasams_course.content.loader import course_bank

    bank = course_bank()
    rng = random.Random(seed)
    questions = list(bank.questions.values())
    pools = answer_pools(questions)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(learners):
        data = cohort_file(i, questions, rng, bank.chapter_of, pools, partial)
        path = folder / f"learner-{i + 1:05d}.json"
        path.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
        paths.append(path)
    return paths


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
    files = sum((html / "_static" / s).stat().st_size for s in ("nasams-save.js", "nasams-files.js"))
    print(f"loaded when the learner first downloads, imports or clears: nasams-files.js (and nasams-save.js where "
          f"no quiz loaded it), {files:,} bytes at most; "
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


def session_files(folder: Path, plan, bank, learners: int) -> list[Path]:
    """One response file per learner answering every question of a session right, saved from that session."""
    from nasams_course.responses import format_time
    from nasams_course.trainer import keyed_answer

    folder.mkdir(parents=True)
    start = 1_793_613_600_000  # 2026-11-02T10:00:00Z
    paths = []
    for i in range(learners):
        entries = [{"question": q, "answer": keyed_answer(bank.questions[q]), "at": format_time(start + k * 60_000)}
                   for k, q in enumerate(plan.questions)]
        path = folder / f"learner-{i:04d}.json"
        path.write_text(json.dumps({"schema": "nasams-course/responses@2", "learner": f"Learner {i:04d} Example-Name",
                                    "session": plan.id, "responses": entries}), encoding="utf-8")
        paths.append(path)
    return paths


def bench_certificates() -> None:
    """Certify 1,000 learners of the example two-chapter seminar from a gradebook, as `certify --db` does: grade
    each on the session's scope, then for each a signed record, its token, a PDF with the QR code, a JSON file and a
    register row, and the run's CSV; then the cost of a name that needs the embedded Unicode font."""
    from nasams_course.content.loader import course_bank
    from nasams_course.training.certify import certify_learners
    from nasams_course.training.completion import from_gradebook
    from nasams_course.training.gradebook import import_files
    from nasams_course.training.issuer import init_issuer, read_private_key
    from nasams_course.training.register import certify_session
    from nasams_course.training.syllabus import load_syllabus

    bank = course_bank()
    plan = load_syllabus(ROOT / "syllabi/confidentiality-and-victims.yml", bank).plan
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        db = tmp / "cohort.sqlite"
        t = time.perf_counter()
        import_files(db, session_files(tmp / "responses", plan, bank, CERTIFICATES), questions=bank.questions)
        imported = time.perf_counter() - t
        t = time.perf_counter()
        rows = from_gradebook(db, plan, bank)
        graded = time.perf_counter() - t
        key_path, _, issuer = init_issuer(tmp / "keys", "Mitigation Training Institute",
                                          "https://training.example.org/nasams/book/orientation/verify.html")
        key = read_private_key(key_path)
        t, cpu = time.perf_counter(), time.process_time()
        issued, _held = certify_session(plan, bank, issuer, key, tmp / "run", db=db)
        took, cpu = time.perf_counter() - t, time.process_time() - cpu
        assert sum(i.kind == "certificate" for i in issued) == CERTIFICATES
        size = statistics.median(i.pdf.stat().st_size for i in issued)
        token = statistics.median(len(i.token) for i in issued)
        t = time.perf_counter()
        certify_learners([replace(rows[0], name="Łukasz Nguyễn")] * 5, plan.title, plan.id, plan.minutes, issuer,
                         key, tmp / "unicode")
        unicode_each = (time.perf_counter() - t) / 5
    print(f"certificates: {CERTIFICATES:,} learners certified from a gradebook as certify --db does (graded on the "
          f"session's {len(plan.questions)} questions in {graded:.1f} s; signed record, token, PDF with QR code, JSON "
          f"file, register row, CSV) in {took:.1f} s ({cpu:.1f} s of CPU), {took / CERTIFICATES * 1000:.0f} ms each "
          f"(target <= 60 s); importing their files first took {imported:.1f} s; median PDF {size / 1024:.0f} KB, "
          f"token {token:.0f} characters ({len(rows[0].provisions)} provisions, {len(rows[0].levels)} domains); "
          f"a name outside Windows-1252 (embedded DejaVu Sans) takes {unicode_each * 1000:.0f} ms")


SECTIONS = {"certificates": bench_certificates, "storage": bench_storage, "sessions": bench_sessions,
            "cohort": bench_cohort, "build": bench_build, "browser": bench_browser}


def main(argv: list[str] | None = None) -> int:
    """Every section, or those named: python -m nasams_course.bench cohort. Exit status 2, with a line saying why,
    for a name that is not a section (`--help` prints the sections)."""
    names = (sys.argv[1:] if argv is None else argv) or list(SECTIONS)
    if any(name in ("-h", "--help") for name in names):
        print(f"usage: python -m nasams_course.bench [SECTION ...]   (sections: {', '.join(SECTIONS)}; none: all)")
        return 0
    if unknown := [name for name in names if name not in SECTIONS]:
        print(f"nasams_course.bench: no section {', '.join(map(repr, unknown))}; the sections: {', '.join(SECTIONS)}",
              file=sys.stderr)
        return 2
    for name in names:
        SECTIONS[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main())
