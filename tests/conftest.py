"""Shared fixtures: a scratch course root built from named scenarios, and the golden files."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import settings
from pydantic import TypeAdapter

from nasams_course.content.models import Question

GOLDEN = Path(__file__).parent / "golden"
REPO = Path(__file__).resolve().parents[1]

#: Hypothesis profiles, chosen by HYPOTHESIS_PROFILE: "default" (make test), or "mutate" (make mutate: every mutant
#: re-runs the properties that reach it, so each runs a few examples, the same ones every time, and nothing is kept
#: between mutants)
MUTATE_EXAMPLES = 8
settings.register_profile("mutate", max_examples=MUTATE_EXAMPLES, derandomize=True, database=None, deadline=None,
                          print_blob=False)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "default")
settings.load_profile(PROFILE)


def examples(n: int, mutate: int = MUTATE_EXAMPLES) -> int:
    """A property's number of examples: n, or under the mutate profile at most `mutate` (a test's own max_examples
    would override the profile, so properties that set theirs say max_examples=examples(n))."""
    return min(n, mutate) if PROFILE == "mutate" else n


def golden(name: str) -> dict:
    return json.loads((GOLDEN / name).read_text(encoding="utf-8"))


_QUESTION = TypeAdapter(Question)


def question(data: dict) -> Question:
    """A question (of any kind) from its YAML's fields, as the loader validates them."""
    return _QUESTION.validate_python(data)


def golden_questions() -> dict[str, Question]:
    return {q["id"]: question(q) for q in golden("questions.json")["questions"]}


class Course:
    """A minimal course root in a temporary folder, with one chapter `ch` in book/part/."""

    def __init__(self, root: Path):
        self.root = root
        (root / "_toc.yml").write_text("format: jb-book\nroot: book/part/ch\n")
        self.chapter = root / "book" / "part" / "ch"
        (self.chapter / "vignettes").mkdir(parents=True)
        (self.chapter / "questions").mkdir()
        self.page = root / "book" / "part" / "ch.md"
        self.write("chapter.yml", """
            id: ch
            title: A chapter
            part: standards
            provisions: [S5, S16, E6]
            minutes: 25
            objectives: [Do the right thing.]
        """)
        self.write("vignettes/v-one.yml", """
            id: v-one
            title: One
            setting: capital
            narrative: Something happens.
            provisions: [S5]
            discussion: ['What now?']
        """)
        self.write("questions/q-single.yml", """
            id: q-single
            vignette: v-one
            kind: single
            stem: What should the specialist do?
            provisions: [S5]
            options:
              - {id: a, text: Ask counsel first, credit: 1, rationale: Consent first (S5).}
              - {id: b, text: Talk now, credit: 0, violation: [S5], rationale: Breaches S5.}
              - {id: c, text: Wait, credit: 0.5, rationale: Partly (S5).}
        """)

        self.show_all()

    def show_all(self) -> None:
        """Write the chapter page so that it shows every vignette and question in the chapter folder, once."""
        cells = [f'vignette("{p.stem}")' for p in sorted((self.chapter / "vignettes").glob("*.yml"))]
        cells += [f'quiz("{p.stem}")' for p in sorted((self.chapter / "questions").glob("*.yml"))]
        self.page.write_text("# Chapter\n\n" + "".join(f"```{{code-cell}} ipython3\n{c}\n```\n\n" for c in cells),
                             encoding="utf-8")

    def write(self, rel: str, text: str) -> Path:
        path = self.chapter / rel
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path


@pytest.fixture
def course(tmp_path: Path) -> Course:
    return Course(tmp_path)


#: the example syllabi, in syllabi/: a practice seminar and a sealed assessment
EXAMPLE_SESSIONS = ("confidentiality-and-victims", "part1-assessment")


@pytest.fixture(scope="session")
def session_build(tmp_path_factory):
    """`session_build(name)` -> (out folder, the build's --json result): each example syllabus is built once per test
    run, by the command line, and shared by every test that reads it. The guide and handout PDFs are printed when
    Chromium is installed (the browser tests need it anyway); without it the build is run with --no-pdf."""
    built: dict[str, tuple[Path, dict]] = {}

    def get(name: str) -> tuple[Path, dict]:
        if name not in built:
            started = time.perf_counter()
            out = tmp_path_factory.mktemp(name)
            pdf = [] if shutil.which("chromium") or shutil.which("chromium-browser") else ["--no-pdf"]
            run = subprocess.run([sys.executable, "-m", "nasams_course", "--root", str(REPO), "session", "build",
                                  str(REPO / "syllabi" / f"{name}.yml"), "--out", str(out), "--json", *pdf],
                                 capture_output=True, text=True, timeout=600)
            assert run.returncode == 0, run.stderr[-3000:]
            built[name] = out, json.loads(run.stdout)
            _SETUP_SECONDS[SESSION_BUILD] = _SETUP_SECONDS.get(SESSION_BUILD, 0.0) + time.perf_counter() - started
        return built[name]

    return get


#: Under `make mutate`, mutmut runs the suite once with MUTANT_UNDER_TEST=stats to learn which tests reach which
#: function (and each test's call time), then forks a pytest run per mutant with MUTANT_UNDER_TEST set to its name.
STATS_PASS = "stats"
#: what each fixture's setup cost in that pass, for the order of the mutants' runs (the key of session_build's books)
SETUP_TIMES = "mutate-setup-seconds.json"
SESSION_BUILD = "session_build: the books"
_SETUP_SECONDS: dict[str, float] = {}
#: the tests a mutate run was asked for by name (pytest_configure)
NAMED_TESTS = pytest.StashKey[set]()
NAMED_FILES = pytest.StashKey[set]()
NAMED_NAMES = pytest.StashKey[dict]()


def collecting_stats() -> bool:
    return os.environ.get("MUTANT_UNDER_TEST") == STATS_PASS


def _mutants_file(name: str) -> Path:
    """A file of mutmut's in mutants/ (the tests run from a copy of the course there, under mutants/tests)."""
    return REPO / name if REPO.name == "mutants" else REPO / "mutants" / name


def _fixture_key(fixturedef) -> str:
    return f"{fixturedef.baseid}::{fixturedef.argname}"


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    """In mutmut's first pass, the longest each fixture took to set up (the fixtures it asks for timed apart)."""
    if not collecting_stats():
        return (yield)
    started = time.perf_counter()
    try:
        return (yield)
    finally:
        key = _fixture_key(fixturedef)
        _SETUP_SECONDS[key] = max(_SETUP_SECONDS.get(key, 0.0), time.perf_counter() - started)


def pytest_sessionfinish(session):
    """After mutmut's first pass (or its pass of new tests), keep the fixtures' setup times beside its own stats."""
    if not collecting_stats() or not _SETUP_SECONDS:
        return
    path = _mutants_file(SETUP_TIMES)
    kept = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    path.write_text(json.dumps({**kept, **_SETUP_SECONDS}, indent=1), encoding="utf-8")


_read_cache: dict[Path, tuple[float, dict]] = {}


def _read_json(path: Path) -> dict:
    """A JSON file of mutants/, read once while it is unchanged: mutmut's parent process sorts the clean run's tests
    first, and each mutant's run is a fork of it that finds the file already read."""
    if not path.exists():
        return {}
    mtime = path.stat().st_mtime
    if path not in _read_cache or _read_cache[path][0] != mtime:
        _read_cache[path] = mtime, json.loads(path.read_text(encoding="utf-8"))
    return _read_cache[path][1]


def cold_seconds(item, call_seconds: dict[str, float], setup_seconds: dict[str, float]) -> float:
    """What a test costs run first in a fresh pytest run: its call, and the setup of every fixture it needs (a
    module's or the session's fixture included, whichever test paid for it in the first pass)."""
    fixturedefs = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
    setup = sum(setup_seconds.get(_fixture_key(defs[-1]), 0.0) for name in item.fixturenames
                if (defs := fixturedefs.get(name)))
    if "session_build" in item.fixturenames:
        setup += setup_seconds.get(SESSION_BUILD, 0.0)
    return call_seconds.get(item.nodeid, 0.0) + setup


def pytest_configure(config):
    """Under the mutate profile, a run of named tests (mutmut names each mutant's tests one by one, up to hundreds)
    collects the tests folder once, skipping the files that hold none of them, and keeps the named tests: pytest
    would walk its collection tree again for every name, and the folder again for every file, most of the cost of a
    killed mutant's run."""
    if PROFILE != "mutate" or not config.args or not all("::" in arg for arg in config.args):
        return
    files = dict.fromkeys(arg.split("::")[0] for arg in config.args)
    config.stash[NAMED_TESTS] = set(config.args)
    config.stash[NAMED_FILES] = {(config.rootpath / name).resolve() for name in files}
    config.args[:] = list(dict.fromkeys(Path(name).parts[0] for name in files))


def pytest_ignore_collect(collection_path, config):
    """In a run of named tests (see pytest_configure), the test files and folders that hold none of them."""
    files = config.stash.get(NAMED_FILES, None)
    if files is None:
        return None
    path = collection_path.resolve()
    if path.is_dir():
        return None if any(path in file.parents for file in files) else True
    return True if path.name.startswith("test_") and path.suffix == ".py" and path not in files else None


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector, name, obj):
    """In a run of named tests (see pytest_configure), a named file's test functions and classes that are not named
    are not made into tests (their parameters neither)."""
    names = config_names(collector.config).get(collector.path)
    return [] if names is not None and isinstance(collector, pytest.Module) and name not in names else None


def config_names(config) -> dict[Path, set[str]]:
    """The functions and classes named in each file of a run of named tests: {file: {name}}."""
    if NAMED_NAMES not in config.stash:
        by_file: dict[Path, set[str]] = {}
        for arg in config.stash.get(NAMED_TESTS, ()):
            file, first = arg.split("::")[:2]
            by_file.setdefault(config.rootpath / file, set()).add(first.split("[")[0])
        config.stash[NAMED_NAMES] = by_file
    return config.stash[NAMED_NAMES]


def keep_named_tests(config, items) -> None:
    """Keep only the tests that were named (see pytest_configure); a name that matches none is an error, as it is
    when pytest looks names up itself."""
    named = config.stash.get(NAMED_TESTS, None)
    if named is None:
        return
    missing = named - {item.nodeid for item in items}
    if missing:
        raise pytest.UsageError(f"tests not found: {', '.join(sorted(missing))}")
    config.hook.pytest_deselected(items=[item for item in items if item.nodeid not in named])
    items[:] = [item for item in items if item.nodeid in named]


def pytest_collection_modifyitems(config, items):
    """Under the mutate profile, the quickest tests first: each mutant stops at its first failing test, so a mutant is
    killed sooner. Quickest as a mutant's run finds them: the test's call time (from mutmut's first pass) and the setup
    of the fixtures it needs (a module's cohort, the session books built by the command line), which mutmut does not
    count and every mutant's run pays again."""
    keep_named_tests(config, items)
    if PROFILE != "mutate" or collecting_stats():
        return
    call_seconds = _read_json(_mutants_file("mutmut-stats.json")).get("duration_by_test", {})
    if not call_seconds:
        return
    setup_seconds = _read_json(_mutants_file(SETUP_TIMES))
    for item in items:
        item.stash[TIME_LIMIT] = TIME_MULTIPLIER * cold_seconds(item, call_seconds, setup_seconds) + TIME_MARGIN
    # the PDF tests stay last and in their order: one of them holds Chromium open for the tests after it
    items.sort(key=lambda item: (1, 0.0) if item.get_closest_marker("pdf")
               else (0, cold_seconds(item, call_seconds, setup_seconds)))


#: mutmut's exit status for a mutant that ran out of time (it reports it as a timeout, apart from kills)
MUTMUT_TIMEOUT = 36
#: a test of a mutant's run may take this many times its time in the first pass (its fixtures' setup included) ...
TIME_MULTIPLIER = 15
#: ... plus this many seconds, of CPU (a paused or loaded machine does not stop it; what it waits for does not count)
TIME_MARGIN = 10.0
TIME_LIMIT = pytest.StashKey[float]()


def in_mutant_run() -> bool:
    return "__mutmut_" in os.environ.get("MUTANT_UNDER_TEST", "")


def _out_of_time(signum, frame):
    os._exit(MUTMUT_TIMEOUT)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """In a mutant's run, a test that takes more than its limit of CPU (set with the order, below) ends the run as a
    timeout: a mutant that loops stops in seconds, where mutmut's own limit of wall time, (the tests' call time + 20 s)
    x 15, spends 5 minutes or more of a core on it."""
    limit = item.stash.get(TIME_LIMIT, None)
    if limit is None or not in_mutant_run():
        return (yield)
    signal.signal(signal.SIGPROF, _out_of_time)
    signal.setitimer(signal.ITIMER_PROF, limit)
    try:
        return (yield)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)


def shared_scope(fixture_name: str, config) -> str:
    """A fixture shared by a module's tests, except in mutmut's first pass: there each test builds its own, so that
    mutmut sees every test that reads it reach the code it builds with (and runs those tests for its mutants). A
    mutant's run shares it again, built once with the mutant in place, as `make test` does."""
    return "function" if PROFILE == "mutate" and collecting_stats() else "module"


def run(*args, cwd=None) -> subprocess.CompletedProcess:
    """`nasams-course ARGS` from `cwd`, run in this process (fast, and seen by `make mutate`): its exit status and
    what it printed. A traceback would fail the test that called it."""
    from nasams_course.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd or Path.cwd()), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(map(str, args)))
        except SystemExit as exc:  # argparse's usage errors
            code = 0 if exc.code is None else exc.code
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


@contextlib.contextmanager
def ascii_locale():
    """Inside it, the C locale: its encoding is ASCII (as a server without a UTF-8 locale has), so a file opened
    without an encoding is read or written in ASCII. The code must name UTF-8 to read or write accented text."""
    import locale

    old = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")
    try:
        yield
    finally:
        locale.setlocale(locale.LC_CTYPE, old)
