"""mutmut 3.8.1 (pinned in requirements.txt here) with the tests collected once, not once per mutant.

    HYPOTHESIS_PROFILE=mutate .venv/bin/python tools/mutation/run_mutmut.py run [mutmut's options and names]

Any mutmut command works (`results`, `show`, ...); only `run` differs. mutmut forks a child of its own process per
mutant, and each child called `pytest.main` with the mutant's tests: pytest started, read its configuration and
plugins and collected those tests afresh, about 0.27 s of the 0.32 s of processor time a killed mutant took
(README.md here, "Time"). Here mutmut's process, once its two passes of the suite are done and before its first
mutant, starts one pytest session and collects the whole selection (`pytest_add_cli_args_test_selection`), in the
order the suite's conftest gives a mutant's run (what each test costs run first); each mutant's child, a fork of it,
runs the tests mutmut names for it from that collection, in that order, stopping at the first failure, as
`pytest -x` does. Fixtures are not set up in the parent: each child sets up those its tests need, as before.

Before its first mutant it checks that this way of running kills mutmut's own "fail" mutant (every mutated function
raises), as mutmut checks its own: if not, it stops. A mutant whose tests are not all in the collection is run the
way mutmut runs it (`pytest.main`).

`mutants/` is kept from one run to the next (`make mutate`; MUTATE_FRESH=1 starts afresh): mutmut itself runs again
the mutants of a function that changed, and collects which functions new tests reach. Here, besides, every
survivor is run again (a new test may kill it) while a kill stands until its function changes; a run stopped
part-way goes on where it stopped. A mutant listed in equivalent.md is not run again while its function is as it
was when it last survived: equivalent-functions.json here holds, for each listed mutant, the hash mutmut gives its
function's code (in mutants/**/*.meta) in the last run it survived, written after each run, also one stopped by
`kill` or Ctrl-C (`record_verified`); report.py counts such a mutant as the survivor it was, apart. A function
changed since (its mutants may be other mutations now) runs its listed mutants again, and so does any run that
names mutants, or MUTATE_RECHECK=1 (report.result_to_start_with).

MUTATE_ONLY="nasams_course.training.gradebook* ..." (names or globs, as mutmut matches names) runs only the mutants
it matches, by the same rule: a long first run can be done a few modules at a time (report.chosen). Naming mutants
to mutmut instead runs every one of them again, kills included."""

from __future__ import annotations

import json
import os
import signal
import sys
import traceback
from contextlib import redirect_stdout
from pathlib import Path

import mutmut.__main__ as mutmut_main
from mutmut.mutation.trampoline import set_mutant_under_test
from mutmut.runners import harness
from mutmut.utils.format_utils import mangled_name_from_mutant_name
from mutmut.workers import isolation
from report import (
    LISTED_UNCHANGED,
    MUTANTS,
    RECORD,
    REPO,
    SURVIVED,
    chosen,
    equivalents,
    metas_of,
    read_record,
    record_of,
    record_text,
    result_to_start_with,
)

#: pytest's exit statuses, as `pytest.main` returns them and mutmut reads them (1 killed, 0 survived, 3 killed)
PASSED, FAILED, INTERNAL_ERROR = 0, 1, 3


class Collected:
    """The pytest session of mutmut's process with the whole selection collected (see the module's docstring)."""

    def __init__(self, runner: harness.PytestRunner):
        from _pytest.config import _prepareconfig
        from _pytest.main import Session

        args = ["--rootdir=.", "--tb=native", "-x", "-q", "-p", "no:randomly", "-p", "no:random-order",
                *runner._pytest_add_cli_args_test_selection, *runner._pytest_add_cli_args]
        # the terminal reporter writes to the stream it finds at configuration, for as long as the session lasts:
        # nowhere, as a mutant's run does
        self.quiet = open(os.devnull, "w")
        with redirect_stdout(self.quiet), harness.change_cwd("mutants"):
            self.config = _prepareconfig(args)
            self.config._do_configure()
            self.session = Session.from_config(self.config)
            self.config.hook.pytest_sessionstart(session=self.session)
            self.config.hook.pytest_collection(session=self.session)
            self.capture = self.config.pluginmanager.getplugin("capturemanager")
            if self.capture is not None:  # started with the configuration: each child starts its own
                self.capture.stop_global_capturing()
        if self.session.testsfailed:
            raise SystemExit(f"run_mutmut: {self.session.testsfailed} error(s) collecting the tests: run them with "
                             "pytest to see why")
        self.order = list(self.session.items)
        self.nodeids = {item.nodeid for item in self.order}

    def has(self, tests: list[str]) -> bool:
        return all(test in self.nodeids for test in tests)

    def run(self, tests: list[str] | None) -> int:
        """In a forked child: the tests named (all collected, for None), in the collection's order, until the first
        that fails; pytest's exit status (1 for a failure, 3 for an error of pytest's own, as `pytest.main`)."""
        session = self.session
        wanted = None if tests is None else set(tests)
        session.items = [item for item in self.order if wanted is None or item.nodeid in wanted]
        session.testscollected, session.testsfailed = len(session.items), 0
        session.shouldfail = session.shouldstop = False
        with harness.change_cwd("mutants"):
            try:
                if self.capture is not None:
                    self.capture.start_global_capturing()
                self.config.hook.pytest_runtestloop(session=session)
            except session.Failed:
                return FAILED
            except BaseException:
                traceback.print_exc()
                return INTERNAL_ERROR
        return FAILED if session.testsfailed else PASSED


COLLECTED: Collected | None = None


def kills_the_fail_mutant(collected: Collected) -> bool:
    """Whether a run from the collection, in a fork, fails with every mutated function raising (mutmut's "fail")."""
    pid = os.fork()
    if pid == 0:
        set_mutant_under_test("fail")
        sys.stdout = sys.stderr = open(os.devnull, "w")
        os._exit(collected.run(None))
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == FAILED


_startup = isolation.ForkRunner.startup
_run_tests = harness.PytestRunner.run_tests


def startup(self: isolation.ForkRunner) -> None:
    global COLLECTED
    COLLECTED = Collected(self.test_runner)
    if not kills_the_fail_mutant(COLLECTED):
        raise SystemExit("run_mutmut: a run from the one collection did not fail with every mutated function raising")
    print(f"    {len(COLLECTED.order)} tests collected once for every mutant")
    _startup(self)


def run_tests(self: harness.PytestRunner, *, mutant_name: str | None, tests) -> int:
    tests = list(tests)
    if mutant_name and COLLECTED is not None and tests and COLLECTED.has(tests):
        return COLLECTED.run(tests)
    return _run_tests(self, mutant_name=mutant_name, tests=tests)


VERIFIED = Path(__file__).with_name("equivalent-functions.json")


def function_hash(data, name: str) -> str | None:
    """The hash mutmut gives the code of a mutant's function (as it decides which mutants to run again)."""
    return data.hash_by_function_name.get(mangled_name_from_mutant_name(name).rpartition(".")[2])


def read_verified() -> dict[str, str]:
    return json.loads(VERIFIED.read_text(encoding="utf-8")) if VERIFIED.exists() else {}


_collect = mutmut_main.collect_source_file_mutation_data


def collect_source_file_mutation_data(*, mutant_names):
    """mutmut's list of mutants to run, each with the result it starts with (report.result_to_start_with): with
    `mutants/` kept from earlier runs, a kill or timeout of an unchanged function stands, a survivor runs again, and
    a listed equivalent mutant whose function is unchanged is marked as not run. Mutants named are all run."""
    mutants, by_path = _collect(mutant_names=mutant_names)
    if mutant_names:
        return mutants, by_path
    listed, verified, recheck = equivalents(), read_verified(), bool(os.environ.get("MUTATE_RECHECK"))
    only = os.environ.get("MUTATE_ONLY", "").split()
    marked, changed = [], {}
    for data, name, result in mutants:
        if not chosen(name, only):
            continue
        start = result_to_start_with(result, name in listed, verified.get(name), function_hash(data, name), recheck)
        if start != result:
            data.exit_code_by_key[name] = start
            changed[id(data)] = data
        marked.append((data, name, start))
    for data in changed.values():
        data.save()
    kept = sum(start is not None for _, _, start in marked)
    print(f"{len(marked) - kept} of {len(marked)} mutants to run; {kept} results kept from earlier runs "
          "(MUTATE_FRESH=1 make mutate starts afresh)", flush=True)
    return marked, by_path


def record_verified() -> None:
    """After a run: each listed mutant that survived it, with its function's hash; one it ran that did not survive
    (a test kills it now) is no longer skipped; those it did not run are kept as they were."""
    listed, verified = equivalents(), read_verified()
    for meta in sorted(MUTANTS.glob("nasams_course/**/*.py.meta")):
        data = json.loads(meta.read_text(encoding="utf-8"))
        hashes = data.get("hash_by_function_name", {})
        for name, code in data["exit_code_by_key"].items():
            if name not in listed or code in (None, LISTED_UNCHANGED):
                continue
            if code in SURVIVED:
                verified[name] = hashes.get(mangled_name_from_mutant_name(name).rpartition(".")[2])
            else:
                verified.pop(name, None)
    kept = {name: h for name, h in sorted(verified.items()) if name in listed and h}
    VERIFIED.write_text(json.dumps(kept, indent=1) + "\n", encoding="utf-8")


def seed_from_record() -> int:
    """Before a run: each listed file's results from RECORD, written where mutmut looks for them
    (`mutants/PATH.meta`) unless a kept `mutants/` has them already. mutmut then keeps the results of each function
    whose code is unchanged (by its hash) and runs the others' mutants, as in a kept `mutants/`: so a clean clone's
    run runs only what changed since the record was written, and the open survivors. The number of files seeded."""
    seeded = 0
    for path, meta in metas_of(read_record()).items():
        target = MUTANTS / (path + ".meta")
        if (REPO / path).exists() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(meta, indent=4), encoding="utf-8")
            seeded += 1
    return seeded


def write_record() -> None:
    """After a run, also one stopped: RECORD holds each file's results as `mutants/` now has them (a file not in
    `mutants/` keeps its entry, while its source exists)."""
    old = read_record()
    metas = {meta.relative_to(MUTANTS).as_posix().removesuffix(".meta"): json.loads(meta.read_text(encoding="utf-8"))
             for meta in sorted(MUTANTS.glob("nasams_course/**/*.py.meta"))}
    record = {path: entry for path, entry in {**old, **record_of(metas)}.items() if (REPO / path).exists()}
    RECORD.write_text(record_text(record), encoding="utf-8")


def main() -> int:
    isolation.ForkRunner.startup = startup
    harness.PytestRunner.run_tests = run_tests
    mutmut_main.collect_source_file_mutation_data = collect_source_file_mutation_data
    running, parent = sys.argv[1:2] == ["run"], os.getpid()
    if running:  # a run stopped by `kill` (or Ctrl-C) still records what it verified
        signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))
        # and nothing forked from it inherits that: a pool worker a test forks, stopped by the pool's SIGTERM, would
        # raise SystemExit where it waits for the pool's queue and hang the mutant's run (seen: 0 CPU for 13 min)
        os.register_at_fork(after_in_child=lambda: signal.signal(signal.SIGTERM, signal.SIG_DFL))
    if running and not os.environ.get("MUTATE_FRESH"):
        seeded = seed_from_record()
        if seeded:
            print(f"run_mutmut: the results of {seeded} file(s) taken from {RECORD.relative_to(REPO)} "
                  "(MUTATE_FRESH=1 make mutate starts afresh)", flush=True)
    try:
        status = mutmut_main.cli.main(standalone_mode=False)
    finally:
        if running and os.getpid() == parent:
            record_verified()
            write_record()
    return status or 0


if __name__ == "__main__":
    sys.exit(main())
