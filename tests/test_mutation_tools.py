"""tools/mutation/report.py's rule for what a `make mutate` run starts with when `mutants/` is kept from earlier runs
(report.result_to_start_with): a kill stands, a survivor runs again, a listed equivalent mutant whose function is
unchanged is not run. The module is loaded from its file (tools/ is not a package); it needs no mutmut."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

SPEC = importlib.util.spec_from_file_location("mutation_report", Path(__file__).resolve().parents[1] / "tools" /
                                              "mutation" / "report.py")
report = sys.modules[SPEC.name] = importlib.util.module_from_spec(SPEC)  # its dataclasses look it up
SPEC.loader.exec_module(report)
start = report.result_to_start_with
UNCHANGED = report.LISTED_UNCHANGED


@pytest.mark.parametrize("result", sorted(report.KILLED | report.TIMEOUT))
def test_a_kill_or_a_timeout_stands_listed_or_not(result):
    """mutmut itself sets a changed function's results to None: a result still there is of an unchanged function."""
    assert start(result, listed=False, verified_hash=None, function_hash="h") == result
    assert start(result, listed=True, verified_hash="h", function_hash="h") == result
    assert start(result, listed=True, verified_hash="h", function_hash="h", recheck=True) == result


@pytest.mark.parametrize("result", [None, *sorted(report.SURVIVED | report.NO_TESTS), UNCHANGED])
def test_a_survivor_not_listed_runs_again(result):
    """A new test may kill it, or reach a mutant no test reached: each run is a fresh look at what is still open."""
    assert start(result, listed=False, verified_hash=None, function_hash="h") is None
    assert start(result, listed=False, verified_hash="h", function_hash="h") is None  # no longer listed


@pytest.mark.parametrize("result", [None, *sorted(report.SURVIVED), UNCHANGED])
def test_a_listed_survivor_is_not_run_while_its_function_is_the_one_it_survived(result):
    assert start(result, listed=True, verified_hash="h", function_hash="h") == UNCHANGED


@pytest.mark.parametrize("result", [None, *sorted(report.SURVIVED), UNCHANGED])
def test_a_listed_survivor_runs_again_when_its_function_changed_was_never_verified_or_a_recheck_is_asked(result):
    assert start(result, listed=True, verified_hash="h", function_hash="other") is None
    assert start(result, listed=True, verified_hash=None, function_hash=None) is None
    assert start(result, listed=True, verified_hash="h", function_hash="h", recheck=True) is None


def test_mutate_only_narrows_a_run_to_the_mutants_its_patterns_match():
    """MUTATE_ONLY (report.chosen): names or globs, as mutmut matches names; none takes every mutant."""
    chosen = report.chosen
    gradebook = "nasams_course.training.gradebook.x_import_files__mutmut_3"
    assert chosen(gradebook, []) and chosen(gradebook, ["nasams_course.training.gradebook*"])
    assert chosen(gradebook, ["nasams_course.grading*", gradebook])
    assert not chosen(gradebook, ["nasams_course.grading*"])
    assert not chosen(gradebook, ["nasams_course.training.gradebook.x_import_files__mutmut_31"])


def test_lines_of_equivalent_md_that_name_no_survivor_are_found():
    """report.stale: a listed mutant since killed, and a listed name of a module with results that has no such
    mutant (a function's mutants renumbered), are stale; a listed survivor, and a name of a module not run, are not."""
    module = "nasams_course.training.gradebook"
    score = report.Score("nasams_course/training/gradebook.py", killed=2,
                         survived=[f"{module}.x_f__mutmut_3", f"{module}.xǁWǁstore__mutmut_1"],
                         killed_names=[f"{module}.x_f__mutmut_1", f"{module}.xǁWǁstore__mutmut_2"])
    listed = {f"{module}.x_f__mutmut_3", f"{module}.xǁWǁstore__mutmut_1",  # survivors: kept
              f"{module}.x_f__mutmut_1", f"{module}.xǁWǁstore__mutmut_2",  # killed since
              f"{module}.x_f__mutmut_9",  # no such mutant
              "nasams_course.training.report.x_g__mutmut_4",  # a module not run: not judged
              "nasams_course/static/grader.js:1:2 StringLiteral"}
    assert report.stale(listed, [score]) == sorted([f"{module}.x_f__mutmut_1", f"{module}.x_f__mutmut_9",
                                                    f"{module}.xǁWǁstore__mutmut_2"])


def test_the_record_keeps_each_function_s_hash_and_results_by_mutant_number():
    """report.record_of / metas_of (tools/mutation/results.json): a clean clone's `make mutate` starts from the
    record as a run in a kept `mutants/` starts from its `.meta` files. A mutant not run, or whose run was stopped
    (a signal's exit code), has no result in it; a function without any result is left out."""
    module = "nasams_course.training.gradebook"
    meta = {"exit_code_by_key": {f"{module}.x_f__mutmut_1": 1, f"{module}.x_f__mutmut_2": None,
                                 f"{module}.x_f__mutmut_3": 0, f"{module}.x_f__mutmut_4": -15,
                                 f"{module}.xǁWǁstore__mutmut_2": 36, f"{module}.xǁWǁstore__mutmut_1": 33,
                                 f"{module}.x_g__mutmut_1": None, f"{module}.x_h__mutmut_1": UNCHANGED},
            "hash_by_function_name": {"x_f": "f1", "xǁWǁstore": "s1", "x_g": "g1", "x_h": "h1"},
            "durations_by_key": {}, "estimated_durations_by_key": {}, "type_check_error_by_key": {}}
    record = report.record_of({"nasams_course/training/gradebook.py": meta})
    assert record == {"nasams_course/training/gradebook.py": {
        "x_f": ["f1", [1, None, 0]], "x_h": ["h1", [UNCHANGED]], "xǁWǁstore": ["s1", [33, 36]]}}
    back = report.metas_of(record)["nasams_course/training/gradebook.py"]
    assert back["exit_code_by_key"] == {f"{module}.x_f__mutmut_1": 1, f"{module}.x_f__mutmut_3": 0,
                                        f"{module}.x_h__mutmut_1": UNCHANGED, f"{module}.xǁWǁstore__mutmut_1": 33,
                                        f"{module}.xǁWǁstore__mutmut_2": 36}
    assert back["hash_by_function_name"] == {"x_f": "f1", "x_h": "h1", "xǁWǁstore": "s1"}
    # the other keys mutmut's SourceFileMutationData.load requires
    assert {k: v for k, v in back.items() if k not in ("exit_code_by_key", "hash_by_function_name")} == {
        "durations_by_key": {}, "estimated_durations_by_key": {}, "type_check_error_by_key": {}}


def test_the_record_names_a_package_s_mutants_as_mutmut_does():
    """mutmut names the mutants of `pkg/__init__.py` `pkg.x_f__mutmut_1` (format_utils.get_mutant_name)."""
    metas = report.metas_of({"nasams_course/rendering/__init__.py": {"x_f": ["a", [1, 0]]}})
    assert metas["nasams_course/rendering/__init__.py"]["exit_code_by_key"] == {
        "nasams_course.rendering.x_f__mutmut_1": 1, "nasams_course.rendering.x_f__mutmut_2": 0}


def test_the_record_s_text_is_its_json_one_line_per_function():
    record = {"nasams_course/b.py": {"x_g": ["b", [1]]},
              "nasams_course/a.py": {"xǁWǁf": ["a", [1, None, 0]], "x_e": ["e", [3]]}}
    text = report.record_text(record)
    assert json.loads(text) == record
    assert text.splitlines() == ["{", ' "nasams_course/a.py": {', '  "x_e": ["e",[3]],', '  "xǁWǁf": ["a",[1,null,0]]',
                                 " },", ' "nasams_course/b.py": {', '  "x_g": ["b",[1]]', " }", "}"]
