"""The mutation score per module, after `make mutate`: mutmut's results (mutants/**/*.meta) grouped by the lines of
`only_mutate` in pyproject.toml's [tool.mutmut], and Stryker's (mutants/stryker.json) by script. Survivors listed
in tools/mutation/equivalent.md (one line each, with why) are set aside; any other survivor is printed. A listed
mutant that `run_mutmut.py` did not run again (its function unchanged since it last survived) counts as the
survivor it was, and is counted apart.

Exit status 1 when a module is below the threshold or a survivor is unexplained; 0 otherwise."""

from __future__ import annotations

import fnmatch
import json
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MUTANTS = REPO / "mutants"
EQUIVALENT = Path(__file__).with_name("equivalent.md")
THRESHOLD = 0.90
#: mutmut's exit codes (mutmut/stats.py): 1 and 3 killed, 0 survived, 5 and 33 no test reached it, timeouts
KILLED, SURVIVED, NO_TESTS = {1, 3}, {0}, {5, 33}
#: run_mutmut.py's: a listed equivalent mutant not run again, its function unchanged since it last survived
LISTED_UNCHANGED = 34
TIMEOUT = {36, -24, 24, 152, 255}
#: Stryker's statuses
JS_KILLED, JS_SURVIVED = {"Killed", "Timeout"}, {"Survived", "NoCoverage"}
#: not counted, as Stryker counts them: mutants that do not run (a syntax or type error) or that it was told to skip
JS_INVALID = {"CompileError", "RuntimeError", "Ignored"}


@dataclass
class Score:
    module: str
    killed: int = 0
    timeouts: int = 0  # counted killed (a mutant that hangs), shown apart: a limit too short makes false kills
    survived: list[str] = field(default_factory=list)
    other: int = 0  # not run (interrupted), or errors
    unchanged: int = 0  # of the survivors: listed equivalent mutants not run again (LISTED_UNCHANGED)
    killed_names: list[str] = field(default_factory=list)
    other_names: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.killed + len(self.survived) + self.other

    def score(self, equivalent: set[str] = frozenset()) -> float:
        """Killed over the mutants run, the equivalent ones set aside (those not run are reported beside it)."""
        run = self.killed + len(self.survived) - sum(1 for m in self.survived if m in equivalent)
        return self.killed / run if run else 1.0


def equivalents() -> set[str]:
    """The mutant names in equivalent.md: each line `- NAME: why it is equivalent`."""
    if not EQUIVALENT.exists():
        return set()
    return set(re.findall(r"^- `?([^`:\s]+(?::\d+:\d+ \w+)?)`?:", EQUIVALENT.read_text(encoding="utf-8"), re.M))


def python_scores(equivalent: set[str] = frozenset()) -> list[Score]:
    patterns = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mutmut"]["only_mutate"]
    scores = [Score(p) for p in patterns]
    for meta in sorted(MUTANTS.glob("nasams_course/**/*.py.meta")):
        source = meta.relative_to(MUTANTS).as_posix().removesuffix(".meta")
        score = next((s for s in scores if fnmatch.fnmatch(source, s.module)), None)
        if score is None:
            continue
        for name, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            if code in KILLED or code in TIMEOUT:
                score.killed += 1
                score.timeouts += code in TIMEOUT
                score.killed_names.append(name)
            elif code in SURVIVED or code in NO_TESTS:
                score.survived.append(name)
            elif code == LISTED_UNCHANGED and name in equivalent:
                score.survived.append(name)
                score.unchanged += 1
            else:
                score.other += 1
                score.other_names.append(name)
    return scores


def stale(equivalent: set[str], scores: list[Score]) -> list[str]:
    """The lines of equivalent.md that no longer name a survivor: a mutant since killed, or a Python mutant of a
    module with results that has no mutant of that name (mutmut numbers a function's mutants in order, so a change
    to the function renumbers them and leaves its lines naming others). Not run mutants are not judged."""
    killed = {n for s in scores for n in s.killed_names}
    known = killed | {n for s in scores for n in (*s.survived, *s.other_names)}
    modules = {re.split(r"\.x[_ǁ]", n, maxsplit=1)[0] for n in known if n.startswith("nasams_course.")}

    def orphan(name: str) -> bool:
        return name not in known and any(name.startswith(m + ".") for m in modules)
    return sorted(n for n in equivalent if n in killed or orphan(n))


def result_to_start_with(result: int | None, listed: bool, verified_hash: str | None, function_hash: str | None,
                          recheck: bool = False) -> int | None:
    """What a mutant's result is when a run of `make mutate` starts, `mutants/` kept from earlier runs: None runs it.

    mutmut keeps every result of an earlier run whose function is unchanged (it sets a changed function's results to
    None itself). Kept here: a kill or a timeout, which only a change to the tests could undo (`MUTATE_FRESH=1 make
    mutate` starts from nothing). Run again: a survivor or a mutant no test reached (a new test may kill or reach
    it), unless it is listed in equivalent.md and its function is the one it last survived (`verified_hash`, from
    equivalent-functions.json) and MUTATE_RECHECK is not set: then it is LISTED_UNCHANGED, counted as the survivor
    it was, not run."""
    if result is not None and result not in SURVIVED | NO_TESTS | {LISTED_UNCHANGED}:
        return result
    if listed and not recheck and verified_hash is not None and verified_hash == function_hash:
        return LISTED_UNCHANGED
    return None


#: mutmut's results, kept in the repository (`make mutate` writes it after every run): a clean clone's run starts from
#: it as a run in a kept `mutants/` starts from that (README.md here, "The record")
RECORD = Path(__file__).with_name("results.json")


def read_record() -> dict[str, dict[str, list]]:
    """RECORD as it is in the repository (empty before the first run writes it)."""
    return json.loads(RECORD.read_text(encoding="utf-8")) if RECORD.exists() else {}


def record_of(metas: dict[str, dict]) -> dict[str, dict[str, list]]:
    """mutmut's results (`metas`: each source file's `mutants/**/*.meta`, by its path) as kept in RECORD: for each
    file, each function with a result, `[its hash, the results of its mutants 1, 2, ... (None: not run)]`. Only
    results are kept: a mutant whose run was stopped (a negative or other exit code) counts as not run."""
    record: dict[str, dict[str, list]] = {}
    for path, meta in sorted(metas.items()):
        codes: dict[str, dict[int, int]] = {}
        for name, code in meta["exit_code_by_key"].items():
            function, _, number = name.rpartition("__mutmut_")
            if code in KILLED | TIMEOUT | SURVIVED | NO_TESTS | {LISTED_UNCHANGED}:  # not a stopped run's
                codes.setdefault(function.rpartition(".")[2], {})[int(number)] = code
        hashes = meta.get("hash_by_function_name", {})
        functions = {f: [hashes.get(f), [c.get(n) for n in range(1, max(c) + 1)]] for f, c in sorted(codes.items())}
        if functions:
            record[path] = functions
    return record


def metas_of(record: dict[str, dict[str, list]]) -> dict[str, dict]:
    """The `.meta` of each file in the record, as mutmut reads it: a result for each mutant the record has one for,
    the hash of each function that has one. mutmut, making the file's mutants, keeps the results of each function
    whose hash is unchanged and sets the others to None (not run)."""
    metas = {}
    for path, functions in record.items():
        module = path.removesuffix(".py").replace("/", ".")
        metas[path] = {
            # named as mutmut names them (format_utils.get_mutant_name): a package's __init__ by the package
            "exit_code_by_key": {f"{module}.{function}__mutmut_{n}".replace(".__init__.", "."): code
                                 for function, (_, codes) in functions.items()
                                 for n, code in enumerate(codes, start=1) if code is not None},
            "hash_by_function_name": {function: h for function, (h, _) in functions.items()},
            "type_check_error_by_key": {}, "durations_by_key": {}, "estimated_durations_by_key": {}}
    return metas


def record_text(record: dict[str, dict[str, list]]) -> str:
    """RECORD's text: one line per function, so that a run's change to it reads as the functions it ran."""
    lines = []
    for path, functions in sorted(record.items()):
        inner = ",\n".join(f"  {json.dumps(f, ensure_ascii=False)}: {json.dumps(v, separators=(',', ':'))}"
                           for f, v in sorted(functions.items()))
        lines.append(f" {json.dumps(path)}: {{\n{inner}\n }}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def chosen(name: str, patterns: list[str]) -> bool:
    """Whether a run limited to `patterns` (MUTATE_ONLY: mutant names or globs, as mutmut matches the names it is
    given) takes mutant `name`: every mutant when there is no pattern. Unlike names given to mutmut, which run every
    mutant they match again, a pattern only narrows the run: the mutants it takes start as result_to_start_with says."""
    return not patterns or any(name == p or fnmatch.fnmatch(name, p) for p in patterns)


def js_key(path: str, mutant: dict) -> str:
    start = mutant["location"]["start"]
    return f"{path}:{start['line']}:{start['column']} {mutant['mutatorName']}"


def js_scores() -> list[Score]:
    report = MUTANTS / "stryker.json"
    if not report.exists():
        return []
    scores = []
    for path, data in sorted(json.loads(report.read_text())["files"].items()):
        score = Score(path)
        for mutant in data["mutants"]:
            if mutant["status"] in JS_KILLED:
                score.killed += 1
                score.timeouts += mutant["status"] == "Timeout"
            elif mutant["status"] in JS_SURVIVED:
                score.survived.append(js_key(path, mutant))
            elif mutant["status"] not in JS_INVALID:
                score.other += 1
        scores.append(score)
    return scores


def main() -> int:
    equivalent = equivalents()
    scores = python_scores(equivalent) + js_scores()
    width = max(len(s.module) for s in scores)
    print(f"\n{'module':<{width}}  mutants  killed  (timeouts)  survived  equivalent  (not re-run)  not run   score  "
          "(equivalent set aside)")
    failing, unexplained = [], []
    for s in scores:
        eq = [m for m in s.survived if m in equivalent]
        unexplained += [m for m in s.survived if m not in equivalent]
        print(f"{s.module:<{width}}  {s.total:7}  {s.killed:6}  {s.timeouts:10}  {len(s.survived):8}  {len(eq):10}  "
              f"{s.unchanged:12}  {s.other:7}  "
              f"{s.score():6.1%}  {s.score(equivalent):6.1%}")
        if s.other or s.score(equivalent) < THRESHOLD:
            failing.append(s.module)
    if unexplained:
        print(f"\n{len(unexplained)} surviving mutant(s) neither killed nor listed in {EQUIVALENT.relative_to(REPO)} "
              "(see one with `.venv/bin/mutmut show NAME`, or Stryker's report above):")
        for name in unexplained:
            print(f"  {name}")
    unchanged = sum(s.unchanged for s in scores)
    if unchanged:
        print(f"\n{unchanged} listed equivalent mutant(s) not run again: each one's function is as it was when it last "
              "survived (run_mutmut.py; MUTATE_RECHECK=1 runs them)")
    old = stale(equivalent, scores)
    if old:
        print(f"\n{len(old)} line(s) of {EQUIVALENT.relative_to(REPO)} name no survivor (killed since, or renumbered "
              "by a change to the function): remove or correct them")
        for name in old:
            print(f"  {name}")
    if failing:
        print(f"\nbelow {THRESHOLD:.0%} killed, or not every mutant run: {', '.join(failing)}")
    return 1 if failing or unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
