"""`python -m nasams_course.bench`'s command line: a name that is not a section is refused in one line (exit 2, no
section run, no traceback); `--help` lists the sections and runs none."""

from __future__ import annotations

import pytest

from nasams_course import bench


@pytest.fixture
def ran(monkeypatch) -> list[str]:
    """The sections run, each replaced by a stand-in that records its name."""
    out: list[str] = []
    monkeypatch.setattr(bench, "SECTIONS", {name: (lambda name=name: out.append(name)) for name in bench.SECTIONS})
    return out


def test_an_unknown_section_is_refused_in_one_line_and_nothing_runs(ran, capsys):
    assert bench.main(["cohort", "cohrt"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'cohrt'" in err and "cohort" in err and "Traceback" not in err
    assert ran == []


def test_help_lists_every_section_and_runs_none(ran, capsys):
    assert bench.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in bench.SECTIONS)
    assert ran == []


def test_the_sections_named_run_in_order_and_none_named_runs_all(ran):
    assert bench.main(["sessions", "cohort"]) == 0
    assert ran == ["sessions", "cohort"]
    ran.clear()
    assert bench.main([]) == 0
    assert ran == list(bench.SECTIONS)
