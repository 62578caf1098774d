"""Time mutants one at a time the way mutmut 3.8.1 runs them, and say where each one's time goes.

    HYPOTHESIS_PROFILE=mutate .venv/bin/python tools/mutation/time_mutants.py [--collected] OUT.jsonl MUTANT_NAME...

Run from the repository root after a `mutmut run` has made mutants/ and its first pass (mutants/mutmut-stats.json).
As mutmut's parent does, it runs the clean tests of those mutants in this process, freezes the garbage collector, then
forks a child per mutant that sets the mutant, names its tests quickest first and calls mutmut's own PytestRunner.
It prints and appends to OUT.jsonl, per mutant: the exit status (0 survived, 1 killed), the child's CPU seconds (its
own child processes included), wall seconds, the tests selected and run, the CPU seconds to the end of collection
(start-up included), and each test's setup, call and teardown seconds. With --collected, each child runs its tests
from one collection made before the first, as run_mutmut.py does (`make mutate`): exit status, CPU and wall seconds
only."""

from __future__ import annotations

import gc
import json
import os
import resource
import sys
import time

from mutmut.__main__ import load_stats, tests_for_mutant_names
from mutmut.mutation.trampoline import set_mutant_under_test
from mutmut.runners.harness import PytestRunner
from mutmut.state import state
from mutmut.utils.file_utils import change_cwd, setup_source_paths
from mutmut.utils.format_utils import mangled_name_from_mutant_name
from run_mutmut import Collected


class Phases:
    """A pytest plugin that writes the run's phases to a pipe at the end of the session."""

    def __init__(self, fd: int):
        self.fd, self.record = fd, {"start": time.process_time(), "tests": []}

    def pytest_collection_finish(self, session):
        self.record["collected"] = round(time.process_time() - self.record["start"], 4)

    def pytest_runtest_logreport(self, report):
        self.record["tests"].append([report.nodeid, report.when, round(report.duration, 4), report.outcome])

    def pytest_sessionfinish(self, session):
        os.write(self.fd, json.dumps(self.record).encode())


def run_one(runner: PytestRunner, name: str, collected: Collected | None = None) -> dict:
    tests = state().tests_by_mangled_function_name.get(mangled_name_from_mutant_name(name), set())
    read, write = os.pipe()
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.time()
    pid = os.fork()
    if pid == 0:  # as mutmut's ForkRunner.submit
        os.close(read)
        set_mutant_under_test(name)
        ordered = sorted(tests, key=lambda test: state().duration_by_test[test])
        sys.stdout = sys.stderr = open(os.devnull, "w")
        if collected is not None:
            os.close(write)
            os._exit(collected.run(ordered))
        with change_cwd("mutants"):
            code = runner.execute_pytest(runner._pytest_args_regular_run(ordered), plugins=[Phases(write)])
        os._exit(int(code))
    os.close(write)
    data = b""
    while chunk := os.read(read, 1 << 20):
        data += chunk
    os.close(read)
    _, status = os.waitpid(pid, 0)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    phases = json.loads(data) if data else {}
    return {"mutant": name, "exit": os.waitstatus_to_exitcode(status), "cpu": round(cpu, 3),
            "wall": round(time.time() - start, 3), "selected": len(tests), **phases}


def summary(row: dict) -> str:
    def seconds(when: str) -> float:
        return sum(t[2] for t in row.get("tests", []) if t[1] == when)

    ran = sum(1 for t in row.get("tests", []) if t[1] == "call")
    return (f"{row['mutant']}: exit {row['exit']} cpu {row['cpu']:.2f}s wall {row['wall']:.2f}s "
            f"selected {row['selected']} ran {ran} to-collected {row.get('collected', 0):.2f}s "
            f"setup {seconds('setup'):.2f}s call {seconds('call'):.2f}s")


def main(out: str, names: list[str], collect_once: bool = False) -> None:
    setup_source_paths()
    if not load_stats():
        sys.exit("no mutants/mutmut-stats.json: run `mutmut run` first")
    runner = PytestRunner()
    set_mutant_under_test("")
    started = time.process_time()
    code = runner.run_tests(mutant_name=None, tests=tests_for_mutant_names(names))
    print(f"clean run: exit {code}, {time.process_time() - started:.1f} s of CPU", file=sys.stderr)
    collected = Collected(runner) if collect_once else None
    gc.freeze()  # as mutmut's ForkRunner.startup
    rows = []
    for name in names:
        rows.append(run_one(runner, name, collected))
        print(summary(rows[-1]), file=sys.stderr)
        with open(out, "a", encoding="utf-8") as f:
            f.write(json.dumps(rows[-1]) + "\n")
    print(f"{len(rows)} mutants, {sum(r['cpu'] for r in rows) / len(rows):.3f} s of CPU each", file=sys.stderr)


if __name__ == "__main__":
    once = sys.argv[1] == "--collected"
    main(sys.argv[1 + once], sys.argv[2 + once:], collect_once=once)
