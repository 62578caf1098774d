"""Grading a cohort's response files at once: the scope of each file, its report (the vectorized grader's, equal to
`grade`'s), its line of the roster, and its object of `grade --json`.

Files are read and graded in chunks; with many files the chunks go to worker processes (one per core), each
returning its files' JSON text and roster figures, so the work and the memory are shared out."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing import get_context
from operator import itemgetter
from pathlib import Path

import numpy as np
import orjson

from nasams_course.catalog import load_catalog
from nasams_course.content.models import Bank, Question
from nasams_course.grading.cohort import BankArrays, bank_arrays, cohort_reports
from nasams_course.grading.levels import PASSING, level_for
from nasams_course.training.cohort_files import BankLookups, CohortFiles, FileResult, read_cohort
from nasams_course.training.plan import SessionPlan
from nasams_course.training.processes import can_fork, processors
from nasams_course.training.scored import scope_questions, session_findings

#: what a file is graded against: the session's questions, the chapters it answered, or the whole bank
SCOPES = ("session", "chapter", "all")
#: files per chunk (at most; fewer where that gives each worker a chunk); from PARALLEL_FROM files on, chunks go to
#: worker processes
CHUNK = 500
PARALLEL_FROM = 500
#: bytes of files per chunk, at most (a chunk of the largest files a reader takes, 5 MB each, would otherwise hold
#: 2.5 GB of text and its arrays in one worker); a file larger than this is a chunk of its own
CHUNK_BYTES = 64 * 1024 * 1024


class ScopeError(ValueError):
    """A scope that does not go with the options given."""


def scope_for(scope: str | None, session: bool) -> str:
    """The scope asked for, or the default: `session` with a session, else `all`. Raises ScopeError for `session`
    without a session, or `all` with one."""
    scope = scope or ("session" if session else "all")
    if scope not in SCOPES:
        raise ScopeError(f"unknown scope {scope!r} (scopes: {', '.join(SCOPES)})")
    if scope == "session" and not session:
        raise ScopeError("--scope session needs --session SYLLABUS.yml")
    if scope == "all" and session:
        raise ScopeError("--scope all grades against the whole course: leave out --session, or use --scope session "
                         "or chapter")
    return scope


@dataclass(frozen=True)
class RosterLine:
    """A graded file's figures for the roster."""

    answered: int
    total: int
    first_score: float | None
    score: float | None
    level: str | None
    critical: int  # questions whose latest answer is a critical error
    complete: bool
    #: why not complete: provisions not attempted, domains below Proficient, provisions with a critical error
    missing: int
    low: int
    critical_provisions: int


@dataclass
class GradedFile:
    """One file, graded or refused: what `grade` prints about it. `json` is its object of `grade --json`."""

    file: str
    learner: str | None
    session: str | None
    problems: list[str]
    notes: list[str] = field(default_factory=list)
    roster: RosterLine | None = None
    json: bytes = b""

    @property
    def refused(self) -> bool:
        return self.roster is None

    def report(self) -> dict | None:
        """The report, as `Report.to_json` gives it (None when the file was refused)."""
        return orjson.loads(self.json)["report"]


def roster_line(report: dict, answered: int, critical: int, total: int) -> RosterLine:
    """A report's figures for the roster: `answered` and `critical`, how many of its items were answered and are
    critical errors (see `cohort.CohortReports`)."""
    provisions, score = report["provisions"], report["score"]
    return RosterLine(
        answered=answered, total=total,
        first_score=report["first_score"], score=score, level=None if score is None else level_for(score),
        critical=critical, complete=report["complete"],
        missing=sum(1 for p in provisions if p["score"] is None),
        low=sum(1 for d in report["domains"] if d["level"] not in PASSING),
        critical_provisions=sum(map(itemgetter("critical"), provisions)))


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Millions of short-lived containers and no cycles among them: the cyclic collector would only slow down."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class _Job:
    bank: Bank
    scope: str
    plan: SessionPlan | None
    now_ms: float
    #: the bank's lookups and each scope's key arrays, made once per process (not once per chunk)
    made: dict = field(default_factory=dict)

    def lookups(self) -> BankLookups:
        if "lookups" not in self.made:
            self.made["lookups"] = BankLookups(self.bank.questions)
        return self.made["lookups"]

    def arrays(self, questions: dict[str, Question]) -> BankArrays:
        key = tuple(questions)
        if key not in self.made:
            self.made[key] = bank_arrays(questions, load_catalog())
        return self.made[key]


_JOB: _Job | None = None  # what the worker processes inherit


def _scopes(job: _Job, readable: list[int], answered: list[set[str]]) -> tuple[list[dict[str, Question]], dict]:
    """The distinct scopes of the readable files, and each file's (its index in the list). `chapter`: the chapters
    of the questions the file answered (of the session's, with a session)."""
    bank, plan = job.bank, job.plan
    allowed = scope_questions(bank, plan)
    if job.scope != "chapter":
        return [allowed], dict.fromkeys(readable, 0)
    keys: dict[frozenset, int] = {}
    which = {i: keys.setdefault(frozenset(bank.chapter_of[q] for q in answered[i] if q in allowed), len(keys))
             for i in readable}
    scopes = [{qid: q for qid, q in allowed.items() if bank.chapter_of[qid] in chapters} for chapters in keys]
    return scopes, which


def _answered(cohort: CohortFiles, n: int) -> list[set[str]]:
    """The questions each file answered."""
    table = cohort.attempts
    keys = np.unique(table.learner * len(table.qids) + table.question)
    out: list[set[str]] = [set() for _ in range(n)]
    for learner, q in zip((keys // len(table.qids)).tolist(), (keys % len(table.qids)).tolist(), strict=True):
        out[learner].add(table.qids[q])
    return out


def _grade_chunk(paths: list[Path]) -> list[GradedFile]:
    job = _JOB
    assert job is not None
    cohort = read_cohort(paths, job.bank.questions, job.now_ms, job.lookups())
    readable = [i for i, f in enumerate(cohort.files) if f.error is None]
    answered = (_answered(cohort, len(paths)) if job.plan is not None or job.scope == "chapter"
                else [set()] * len(paths))
    scopes, which = _scopes(job, readable, answered)
    reports: dict[int, tuple[dict, int, int]] = {}
    for g, questions in enumerate(scopes):
        members = [i for i in readable if which[i] == g]
        names = [cohort.files[i].learner for i in members]
        graded = cohort_reports(cohort.attempts, cohort.ratings, members, names, questions,
                                arrays=job.arrays(questions) if questions else None)
        reports.update(zip(members, zip(graded.reports, graded.answered, graded.critical, strict=True), strict=True))
    out = []
    for i, f in enumerate(cohort.files):
        if f.error is not None:
            out.append(_refused(f))
            continue
        mismatch, notes = session_findings(f.path, f.session, answered[i], job.plan)
        problems = [*f.problems, *mismatch]
        report, answered_count, critical = reports[i]
        report["problems"] = problems
        total = len(scopes[which[i]])
        out.append(GradedFile(str(f.path), f.learner, f.session, problems, notes,
                              roster_line(report, answered_count, critical, total),
                              _file_json(str(f.path), f.learner, f.session, problems, report)))
    return out


def _refused(f: FileResult) -> GradedFile:
    problems = [f.error or ""]
    return GradedFile(str(f.path), None, None, problems, json=_file_json(str(f.path), None, None, problems, None))


def _file_json(name: str, learner: str | None, session: str | None, problems: list[str],
               report: dict | None) -> bytes:
    """One file's object of `grade --json`: always the same five fields."""
    return orjson.dumps({"file": name, "learner": learner, "session": session, "problems": problems,
                         "report": report})


def split_chunks(paths: list[Path], size: int, max_bytes: int | None = None) -> list[list[Path]]:
    """The files in order, in chunks of at most `size` files and `max_bytes` bytes (default CHUNK_BYTES; a file that
    cannot be read counts as empty: its reader says why)."""
    max_bytes = CHUNK_BYTES if max_bytes is None else max_bytes
    chunks: list[list[Path]] = []
    held = max_bytes + 1
    for path in paths:
        try:
            nbytes = path.stat().st_size
        except OSError:
            nbytes = 0
        if len(chunks[-1] if chunks else ()) >= size or held + nbytes > max_bytes:
            chunks.append([])
            held = 0
        chunks[-1].append(path)
        held += nbytes
    return chunks


def iter_graded(paths: list[Path], bank: Bank, scope: str, plan: SessionPlan | None = None,
                workers: int | None = None) -> Iterator[GradedFile]:
    """Read and grade every file, yielding them in the order given as their chunk is done (see the module's
    docstring). `scope` is one of SCOPES (see `scope_for`); `workers` defaults to one per core from PARALLEL_FROM
    files on."""
    global _JOB
    load_catalog()  # loaded once, before any worker starts
    _JOB = _Job(bank, scope, plan, datetime.now(UTC).timestamp() * 1000)
    if workers is None:
        workers = processors() if len(paths) >= PARALLEL_FROM else 1
    if not can_fork():  # Windows: one process (the workers inherit the bank by fork)
        workers = 1
    chunks = split_chunks(paths, max(1, min(CHUNK, -(-len(paths) // workers))))  # a chunk for each worker at least
    workers = min(workers, len(chunks))
    try:
        with _no_cyclic_gc():
            if workers <= 1:
                for chunk in chunks:
                    yield from _grade_chunk(chunk)
                return
            pool = ProcessPoolExecutor(workers, mp_context=get_context("fork"), initializer=gc.disable)
            try:
                for graded in pool.map(_grade_chunk, chunks):
                    yield from graded
            finally:  # a reader that stops early (`| head`) leaves no chunk to wait for
                pool.shutdown(wait=True, cancel_futures=True)
    finally:
        _JOB = None


def grade_files(paths: list[Path], bank: Bank, scope: str, plan: SessionPlan | None = None,
                workers: int | None = None) -> list[GradedFile]:
    """Every file read and graded (see `iter_graded`), in the order given."""
    return list(iter_graded(paths, bank, scope, plan, workers))
