"""The `nasams-course` command line, for trainers, authors and tests."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import textwrap
import unicodedata
from pathlib import Path

import pandas as pd

from nasams_course.catalog import UnknownIdError, load_catalog
from nasams_course.content.loader import ContentError, find_root, load_bank, load_bank_or_raise, read_yaml
from nasams_course.coverage import chapter_shortfalls, coverage_frame, provision_shortfalls
from nasams_course.grading.calibration import SELF_RATING_LABELS, score_text
from nasams_course.responses import ResponseFileError, printable, read_responses
from nasams_course.training.issuer import DEFAULT_VERIFY_URL


class UsageError(Exception):
    """A command given something it cannot use (an unknown chapter, a bad name): exit status 2."""


def _print_json(data: object) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def _print_table(frame: pd.DataFrame) -> None:
    """A table as text: "-" where a value is not defined (never NaN); a table of no rows as its columns' names."""
    if frame.empty:
        print("  ".join(map(str, frame.columns)))
        print("(no rows)")
        return
    with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                           "display.max_colwidth", 60):
        print(frame.to_string(index=False, na_rep="-"))


def cmd_validate(args: argparse.Namespace) -> int:
    bank, problems = load_bank(args.root)
    if args.json:
        _print_json({"ok": not problems, "problems": [str(p) for p in problems],
                     "counts": {"chapters": len(bank.chapters), "vignettes": len(bank.vignettes),
                                "questions": len(bank.questions)}})
    else:
        for p in problems:
            print(p)
        if problems:
            print(f"{len(problems)} problem(s) found")
        else:
            print(f"ok: {len(bank.chapters)} chapters, {len(bank.vignettes)} vignettes, "
                  f"{len(bank.questions)} questions")
    return 1 if problems else 0


def cmd_provisions(args: argparse.Namespace) -> int:
    catalog = load_catalog()
    rows = [p.model_dump(exclude_none=True) for p in catalog.provisions]
    if args.json:
        _print_json({"provisions": rows, "domains": [d.model_dump() for d in catalog.domains]})
    else:
        frame = pd.DataFrame(rows)[["id", "part", "strength", "domain", "title"]]
        _print_table(frame)
        print("\nFull text: nasams-course provisions --json")
    return 0


def selected_questions(bank, chapters: list[str] | None, provisions: list[str] | None) -> list:
    """The bank's questions in some chapters (any of them) that assess some provisions (any of them); no list, no
    filter; both lists, both must match. Unknown ids are refused (UnknownIdError) before anything is printed."""
    bank.require_chapters(chapters or [])
    load_catalog().require_provisions(provisions or [])
    return [q for q in bank.questions.values()
            if (not chapters or bank.chapter_of[q.id] in chapters)
            and (not provisions or set(provisions) & set(q.provisions))]


def _print_wrapped(text: str, indent: str) -> None:
    print(textwrap.fill(text, width=100, initial_indent=indent, subsequent_indent=indent + "  ",
                        break_long_words=False, break_on_hyphens=False))


def _print_question_text(q, bank) -> None:
    """A question as a learner reads it, without its key: id, kind, chapter, provisions, case, stem, options."""
    print(f"{q.id}  [{q.kind}]  chapter {bank.chapter_of[q.id]}  ·  provisions {', '.join(q.provisions)}")
    if q.vignette:
        print(f"  Case: {bank.vignettes[q.vignette].title} ({q.vignette})")
    _print_wrapped(q.stem, "  ")
    for o in q.options:
        _print_wrapped(f"- {o.id}: {o.text}", "   ")
    print()


def _print_question_key(q, bank) -> None:
    print(f"{q.id}  [{q.kind}]  {', '.join(q.provisions)}  ({bank.path_of('question', q.id)})")
    print(f"  {q.stem}")
    for o in q.options:
        if q.kind == "single":
            key = f"credit {o.credit}"
        elif q.kind == "multi":
            key = "correct" if o.correct else "incorrect"
        elif q.kind == "rate":
            key = f"key {o.key}"
        else:
            key = f"step {q.key.index(o.id) + 1}"
        breached = q.breaches(o.id) if q.kind != "order" else ()
        flag = f"  VIOLATION of {', '.join(breached)}" if breached else ""
        print(f"   - {o.id}: {key}{flag}")
    print()


def cmd_questions(args: argparse.Namespace) -> int:
    if args.text and args.json:
        raise UsageError("--text and --json are two ways to print the questions: choose one")
    bank = load_bank_or_raise(args.root)
    questions = selected_questions(bank, args.chapter, args.provision)
    if args.json:
        _print_json({"questions": [
            {**q.model_dump(exclude_none=True), "chapter": bank.chapter_of[q.id],
             "path": bank.path_of("question", q.id)}
            for q in questions]})
        return 0
    for q in questions:
        (_print_question_text if args.text else _print_question_key)(q, bank)
    if not questions:
        print("nasams-course: no question matches these filters", file=sys.stderr)
    return 0


def _session_scope(args: argparse.Namespace, bank):
    """With --session: the session's plan (its questions are the scope); exits 2 on a syllabus with problems."""
    if not args.session:
        return None
    checked = _checked_syllabus(argparse.Namespace(syllabus=args.session), bank)
    if len(checked.problems) == 1:
        raise UsageError(f"the syllabus has a problem: {printable(str(checked.problems[0]))}")
    if checked.problems:
        raise UsageError("the syllabus has problems:\n" + "\n".join(printable(str(p)) for p in checked.problems))
    return checked.plan


def _width(text: str) -> int:
    """Columns a text takes in a terminal: wide (East Asian) characters two, combining marks none."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _aligned(rows: list[list[str]], right: set[int] = frozenset()) -> list[str]:
    """Rows of text in aligned columns, those in `right` aligned right. A row shorter than the first (a refused
    file's) has its cells aligned with the others but for its last, which runs on."""
    full = len(rows[0])
    widths = [0] * full
    for row in rows:
        for c, cell in enumerate(row):
            if c < len(row) - 1 or len(row) == full:
                widths[c] = max(widths[c], _width(cell))
    lines = []
    for row in rows:
        cells = []
        for c, cell in enumerate(row):
            pad = " " * (widths[c] - _width(cell)) if c < len(row) - 1 or len(row) == full else ""
            cells.append(pad + cell if c in right else cell + pad)
        lines.append("  ".join(cells).rstrip())
    return lines


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _why_not(line) -> str:
    reasons = [(line.missing, "provision not attempted", "provisions not attempted"),
               (line.low, "domain below Proficient", "domains below Proficient"),
               (line.critical_provisions, "provision with a critical error", "provisions with a critical error")]
    if not line.total:
        return "no: nothing to grade in this scope"
    return "no: " + ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in reasons if n)


def _first_problem(g) -> str:
    """A refused file's first problem, without its file name (the roster's first column has it)."""
    problem = g.problems[0] if g.problems else "refused"
    return problem.removeprefix(f"{g.file}: ")


ROSTER_HEADER = ["file", "learner", "answered", "first attempt", "final", "level", "critical errors", "complete"]


def _roster_rows(graded) -> list[list[str]]:
    rows = [ROSTER_HEADER]
    for g in graded:
        if g.refused:
            rows.append([printable(g.file), f"refused: {printable(_first_problem(g))}"])
            continue
        r = g.roster
        rows.append([printable(g.file), printable(_short(g.learner)) or "(unnamed)", f"{r.answered}/{r.total}",
                     score_text(r.first_score), score_text(r.score), r.level or "Not started", str(r.critical),
                     "yes" if r.complete else _why_not(r)])
    return rows


def _scope_words(scope: str, plan, bank) -> str:
    if scope == "session":
        return f"session: {plan.id} ({len(plan.questions)} questions)"
    where = f"session {plan.id}'s " if plan else "the course's "
    if scope == "chapter":
        return f"{where}chapters each file answered"
    return f"the whole course ({len(bank.questions)} questions)"


def _print_roster(graded, scope: str, plan, bank) -> None:
    refused = sum(1 for g in graded if g.refused)
    complete = sum(1 for g in graded if not g.refused and g.roster.complete)
    print(f"Roster · {_scope_words(scope, plan, bank)} · {len(graded)} file(s): {len(graded) - refused} graded, "
          f"{refused} refused, {complete} complete")
    print()
    for line in _aligned(_roster_rows(graded), right={2, 3, 4, 6}):
        print(line)


def _detail_tables(report: dict) -> None:
    """A graded report's provisions, domains, critical errors, calibration and self-ratings, for people."""
    from nasams_course.grading.calibration import CalibrationLevel, level_message
    from nasams_course.grading.words import WORDS, say

    catalog = load_catalog()
    rows = [["provision", "title", "domain", "answered", "final", "first attempt", "level", "critical error"]]
    rows += [[p["id"], _short(catalog.provision(p["id"]).title, 48), catalog.provision(p["id"]).domain,
              str(p["answered"]), score_text(p["score"]), score_text(p["first_score"]), p["level"] or "not attempted",
              "yes" if p["critical"] else ""] for p in report["provisions"]]
    print("\n".join(_aligned(rows, right={3, 4, 5})))
    print()
    rows = [["domain", "title", "final", "level"]]
    rows += [[d["id"], catalog.domain(d["id"]).title, score_text(d["score"]), d["level"] or "not attempted"]
             for d in report["domains"]]
    print("\n".join(_aligned(rows, right={2})))
    for p in report["provisions"]:
        for rev in p["review"]:
            print(f"\nCritical error on {p['id']} — {rev['question']} option {rev['option']}: {rev['rationale']}")
    cal = report["calibration"]
    print("\nCalibration: " + (say("cal-summary", n=cal["answers"], cbm=f"{cal['cbm']:.2f}") if cal["answers"]
                               else say("cal-none")))
    if cal["answers"]:
        rows = [["certainty", "answers", "average", "below 50 %", "fit"]]
        rows += [[lv["label"], str(lv["answers"]), score_text(lv["mean_score"]), str(lv["below_half"]),
                  WORDS[f"fit-{lv['fit']}"] if lv["fit"] else "–"] for lv in cal["levels"]]
        print("\n".join(_aligned(rows, right={1, 2, 3})))
        for lv in cal["levels"]:
            if message := level_message(CalibrationLevel(**lv)):
                print(f"- {message}")
    if report["self_ratings"]:
        scale = ", ".join(f"{n} {label.lower()}" for n, label in SELF_RATING_LABELS.items())
        print(f"\nSelf-ratings ({scale}) beside the measured level:")
        rows = [["provision", "before", "after", "measured", "flag"]]
        rows += [[r["provision"], str(r["before"] or "-"), str(r["after"] or "-"), r["level"] or "not attempted",
                  WORDS[f"gap-{r['gap']}"] if r["gap"] else ""] for r in report["self_ratings"]]
        print("\n".join(_aligned(rows, right={1, 2})))


def _print_detail(g, plan) -> None:
    print(f"File: {printable(g.file)}" + (f"  ·  session: {plan.id}" if plan else ""))
    if g.refused:
        print("Refused:")
    else:
        report = g.report()
        print(f"Learner: {printable(g.learner) or '(unnamed)'}  ·  complete: "
              f"{'yes' if g.roster.complete else _why_not(g.roster)}  ·  final {score_text(report['score'])} "
              f"(first attempts {score_text(report['first_score'])})")
        print()
        _detail_tables(report)
        if g.problems:
            print("\nSkipped:")
    for problem in g.problems:
        print(f"- {printable(problem)}")
    print()


def _reported(g) -> object:
    """A graded file, once its problems and notes are on standard error."""
    for problem in g.problems:
        print(f"nasams-course grade: {printable(problem)}", file=sys.stderr)
    for note in g.notes:
        print(f"nasams-course grade: note: {printable(note)}", file=sys.stderr)
    return g


def _write_json(graded) -> bool:
    """The list of the files' objects as they come: indented for a terminal, else one object per line. True if some
    file had problems."""
    import orjson

    if sys.stdout.isatty():
        graded = list(graded)
        _print_json([orjson.loads(g.json) for g in graded])
        return any(g.problems for g in graded)
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)  # none when the output is captured as text (main() in a test)
    write = buffer.write if buffer is not None else (lambda data: sys.stdout.write(data.decode()))
    problems, sep = False, b"["
    for g in graded:
        write(sep)
        write(g.json)
        sep, problems = b",\n", problems or bool(g.problems)
    write(b"[]\n" if sep == b"[" else b"]\n")
    sys.stdout.flush()
    return problems


def cmd_grade(args: argparse.Namespace) -> int:
    from nasams_course.training.roster import ScopeError, iter_graded, scope_for

    if args.json and args.detail:
        raise UsageError("--detail is for the text report; --json already holds every figure")
    try:
        scope = scope_for(args.scope, args.session is not None)
    except ScopeError as exc:
        raise UsageError(str(exc)) from None
    bank = load_bank_or_raise(args.root)
    plan = _session_scope(args, bank)
    files = (_reported(g) for g in iter_graded(args.responses, bank, scope, plan))
    if args.json:
        return 1 if _write_json(files) else 0
    graded = list(files)
    status = 1 if any(g.problems for g in graded) else 0
    _print_roster(graded, scope, plan, bank)
    if args.detail:
        print()
        for g in graded:
            _print_detail(g, plan)
    else:
        print("\nEach learner's provisions, domains, critical errors, calibration and self-ratings: --detail")
    return status


def cmd_feedback(args: argparse.Namespace) -> int:
    from nasams_course.training.feedback import LearnerPage, check_folder, learner_page, slug, write_pages
    from nasams_course.training.scored import other_session, score_file

    bank = load_bank_or_raise(args.root)
    plan = _session_scope(args, bank)
    try:
        out = check_folder(Path(args.out))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    catalog = load_catalog()
    status, pages, refused, taken = 0, [], [], set()

    def say(message: str) -> None:
        print(f"nasams-course feedback: {printable(message)}", file=sys.stderr)

    for path in args.responses:
        try:
            responses = read_responses(path, bank.questions)
            if other_session(responses.session, plan):  # graded against the wrong session, it would mislead
                raise ResponseFileError(f"{path}: saved from session {responses.session!r}, not {plan.id!r}: "
                                        "no page written")
        except ResponseFileError as exc:
            say(str(exc))
            refused.append({"file": str(path), "error": str(exc)})
            status = 1
            continue
        scored = score_file(path, responses, bank, plan)  # as `grade --session` grades it
        for problem in scored.problems:
            say(problem)
            status = 1
        for note in scored.notes:
            say(f"note: {note}")
        pages.append(LearnerPage(slug(responses.learner, path.stem, taken), path, scored.report,
                                 learner_page(scored, path, plan, bank, catalog)))
    written = write_pages(pages, plan, out) if pages else []
    if args.json:
        _print_json({"session": plan.id, "index": str(out / "index.html") if pages else None,
                     "pages": [{"file": str(p.source), "learner": p.report.learner, "page": str(out / f"{p.slug}.html"),
                                "score": p.report.score, "complete": p.report.complete} for p in pages],
                     "refused": refused})
        return status
    for p, path in zip(pages, written, strict=False):
        overall = "-" if p.report.score is None else f"{p.report.score:.0%}"
        print(f"{path}  {printable(p.report.learner) or '(unnamed)'}: overall {overall}")
    if pages:
        print(f"Index of the {len(pages)} page(s): {out / 'index.html'} (each page holds the session's answer key)")
    else:
        print("No page written: every file was refused.")
    return status


def cmd_coverage(args: argparse.Namespace) -> int:
    bank = load_bank_or_raise(args.root)
    frame = coverage_frame(bank)
    shortfalls = provision_shortfalls(frame, require_all=args.require_all) + chapter_shortfalls(bank)
    if args.json:
        _print_json({"provisions": frame.to_dict(orient="records"), "shortfalls": [str(s) for s in shortfalls]})
    else:
        _print_table(frame.drop(columns=["domain"]))
        print()
        for s in shortfalls:
            print(f"below standard: {s}")
        covered = int(((frame.vignettes > 0) | (frame.questions > 0)).sum())
        print(f"{covered} of {len(frame)} provisions have content; {len(shortfalls)} shortfall(s)")
    return 1 if shortfalls else 0


def cmd_bank(args: argparse.Namespace) -> int:
    from nasams_course.content import cues

    bank, _ = load_bank(args.root)
    figures = cues.bank_cues(bank)
    problems = cues.check_cues(bank)
    if args.json:
        _print_json({"cues": {name: c.to_json() for name, c in figures.items()},
                     "problems": [str(p) for p in problems]})
        return 1 if problems else 0
    rows = []
    for name, c in figures.items():
        ratio = c.multi_ratio
        rows.append({
            "scope": name,
            "single": c.single,
            "keyed longest": f"{len(c.single_longest)} ({c.single_longest_share:.0%})",
            "pick-longest score": f"{c.longest_strategy:.0%}",
            "pick-shortest score": f"{c.shortest_strategy:.0%}",
            "key positions": " ".join(f"{k}:{v}" for k, v in sorted(c.positions.items())),
            "rate": c.rate,
            "rate longest keyed 4": f"{len(c.rate_longest_4)} ({c.rate_longest_4_share:.0%})",
            "multi right/wrong length": "-" if ratio is None else f"{ratio:.2f}",
        })
    _print_table(pd.DataFrame(rows))
    print(f"\nlimits: single keyed longest <= {cues.SINGLE_LONGEST_BANK:.0%} of the bank and "
          f"<= {cues.SINGLE_LONGEST_PART:.0%} per part; pick-longest <= {cues.LONGEST_STRATEGY_PART:.0%} per part; "
          f"rate longest keyed 4 <= {cues.RATE_LONGEST_KEYED_4:.0%}; multi length ratio "
          f"{cues.MULTI_RATIO[0]}-{cues.MULTI_RATIO[1]}; no key position above {cues.POSITION_SHARE:.0%}")
    for p in problems:
        print(p)
    return 1 if problems else 0


def cmd_workbooks(args: argparse.Namespace) -> int:
    from nasams_course.workbooks import release_all, stale

    answers, exercises = args.root / "answers", args.root / "exercises"
    if args.check:
        problems = stale(answers, exercises)
        for p in problems:
            print(p)
        return 1 if problems else 0
    for path in release_all(answers, exercises):
        print(f"wrote {path.relative_to(args.root)}")
    return 0


#: where new-trainer-notebook writes unless told: a folder of the current directory, never the course's answers/
TRAINER_NOTEBOOKS = Path("trainer-notebooks")
NOTEBOOK_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")


def notebook_name(name: str) -> str:
    """A trainer notebook's name, refused (UsageError) unless it is a plain name: a path never reaches the disk."""
    if "/" in name or "\\" in name or ".." in name or Path(name).is_absolute():
        raise UsageError(f"the notebook name {name!r} is a path: give a plain name such as ce-seminar, "
                         "and the folder with --out")
    if not NOTEBOOK_NAME.fullmatch(name):
        raise UsageError(f"the notebook name {name!r} must be lower-case letters, digits and hyphens "
                         "(it becomes NAME.ipynb in the --out folder)")
    return name


def notebook_files(folder: Path, name: str, force: bool) -> tuple[Path, Path]:
    """The notebook's path and its sample responses' folder, refused (UsageError) if the folder is a file or
    something would be replaced without --force."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file, not a folder for trainer notebooks")
    path, responses = folder / f"{name}.ipynb", folder / "responses"
    from nasams_course.trainer import sample_paths

    existing = [p for p in (path, *sample_paths(responses, name).values()) if p.exists()]
    if existing and not force:
        raise UsageError(f"{existing[0]} exists (use --force to replace it and its sample responses)")
    return path, responses


def cmd_new_trainer_notebook(args: argparse.Namespace) -> int:
    from nasams_course.trainer import write_samples
    from nasams_course.workbooks import execute, trainer_notebook

    name = notebook_name(args.name)
    bank = load_bank_or_raise(args.root)
    chapters = list(dict.fromkeys(args.chapter))
    bank.require_chapters(chapters)  # before anything is written
    path, responses = notebook_files(args.out, name, args.force)
    in_course = args.out.resolve() == (args.root / "answers").resolve()
    try:
        responses.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file in the way, no permission
        raise UsageError(f"cannot make the folder {responses}: {exc.strerror}") from None
    import nbformat

    nbformat.write(trainer_notebook(args.title, name, chapters, bank, in_course=in_course), path)
    write_samples(responses, name, chapters)
    execute(path)
    print(f"wrote {path} and its sample responses in {responses}"
          + ("; now run `make workbooks`" if in_course else ""))
    return 0


def cmd_answers(args: argparse.Namespace) -> int:
    from nasams_course.trainer import write_samples
    from nasams_course.workbooks import execute, notebook_chapters, release_all

    for path in sorted((args.root / "answers").glob("*.ipynb")):
        chapters = notebook_chapters(path)
        if chapters:  # the sample learners follow the current keys
            write_samples(path.parent / "responses", path.stem, chapters)
        execute(path)
        print(f"ran {path.relative_to(args.root)}")
    for path in release_all(args.root / "answers", args.root / "exercises"):
        print(f"wrote {path.relative_to(args.root)}")
    return 0


def cmd_items(args: argparse.Namespace) -> int:
    from nasams_course.trainer import scope
    from nasams_course.training.cohort_tables import items_table

    bank = load_bank_or_raise(args.root)
    problems: list[str] = []
    questions = scope(args.chapter, bank) if args.chapter else bank.questions
    frame = items_table(args.responses, questions, bank, problems)
    for problem in problems:
        print(f"nasams-course items: {printable(problem)}", file=sys.stderr)
    if args.json:
        _print_json(json.loads(frame.to_json(orient="records")))
    else:
        _print_table(frame)
    return 1 if problems else 0


# -- the cohort report --------------------------------------------------------------------------------------------

REPORT_EXIT = ("Exit status: 0 written; 1 written, but a response file was refused or an entry skipped (each printed; "
               "the report says so too), or nothing to report; 2 the command could not run as asked (files and --db "
               "together or neither, --db not a gradebook, no such session, a syllabus with problems, --out not "
               "usable).")


def _report_scope(args: argparse.Namespace, bank):
    """The session: with files, --session is a syllabus (as for grade); with --db, a session id, or a syllabus
    (its id picks the session, its questions are the scope). Returns (plan or None, session id or None)."""
    value = args.session
    if not value:
        return None, None
    if args.db is not None and not value.endswith((".yml", ".yaml")) and not Path(value).is_file():
        from nasams_course.training.gradebook import check_session_id

        _gradebook_call(check_session_id, value)
        return None, value
    if not Path(value).is_file():
        raise UsageError(f"--session {value}: no such syllabus file")
    plan = _session_scope(args, bank)
    return plan, plan.id


def cmd_report(args: argparse.Namespace) -> int:
    from nasams_course.training.cohort_tables import cohort_from_files, cohort_from_gradebook, grade_report_cohort
    from nasams_course.training.report import ReportError, check_out, write_report

    if bool(args.responses) == (args.db is not None):
        raise UsageError("give either response files or --db GRADEBOOK, not both" if args.responses else
                         "give response files, or --db GRADEBOOK")
    bank = load_bank_or_raise(args.root)
    plan, session = _report_scope(args, bank)
    try:
        out = check_out(args.out)
    except ReportError as exc:
        raise UsageError(str(exc)) from None
    if args.db is not None:
        from nasams_course.training.gradebook import sessions

        known = _gradebook_call(sessions, args.db)
        if session and session not in set(known["session"].dropna()):
            raise UsageError(f"{args.db} has no session {session!r} (see: nasams-course gradebook list)")
        cohort = _gradebook_call(cohort_from_gradebook, args.db, session, bank, plan)
    else:
        cohort = cohort_from_files(args.responses, bank, plan)
    for problem in cohort.problems:
        print(f"nasams-course report: {printable(problem)}", file=sys.stderr)
    for note in cohort.notes:
        print(f"nasams-course report: note: {printable(note)}", file=sys.stderr)
    if cohort.learners.empty:
        print("nasams-course report: no learner to report on: nothing written", file=sys.stderr)
        return 1
    written = write_report(grade_report_cohort(cohort, load_catalog()), out)
    if args.json:
        _print_json({"index": str(written[0]), "files": [str(p) for p in written], "learners": len(cohort.learners),
                     "problems": cohort.problems})
    else:
        print(f"Report of {len(cohort.learners)} learner(s): {written[0]} (open it from disk; {len(written) - 1} "
              f"CSV files beside it)")
    return 1 if cohort.problems else 0


# -- the gradebook ------------------------------------------------------------------------------------------------

GRADEBOOK_EXIT = ("Exit status: 0 every file imported, now or before; 1 a file was refused (its problems are printed "
                  "and nothing from it is stored; the other files are imported); 2 the command could not run as "
                  "asked (--db is not a gradebook, a bad session id, no course root).")


def _gradebook_call(func, *args, **kwargs):
    """A gradebook function, its GradebookError as a usage error (one line, exit status 2)."""
    from nasams_course.training.gradebook import GradebookError

    try:
        return func(*args, **kwargs)
    except GradebookError as exc:
        raise UsageError(str(exc)) from None


def _import_line(f) -> str:
    name = printable(f.name)
    if f.status == "refused":
        return f"{name}: refused, nothing stored:\n" + "\n".join(f"  {printable(p)}" for p in f.problems)
    if f.status == "already imported":
        return f"{name}: already imported (as {printable(f.imported_as)}, {f.imported_at}); nothing added"
    known = f.attempts - f.added
    merged = f", {known} already in the gradebook" if known else ""
    ratings = f", {f.ratings_added} self-rating{'s' * (f.ratings_added != 1)}" if f.ratings else ""
    session = f", session {f.session}" if f.session else ""
    return (f"{name}: imported {f.added} attempt{'s' * (f.added != 1)}{merged}{ratings} "
            f"({printable(f.learner)}{session})")


def cmd_gradebook_import(args: argparse.Namespace) -> int:
    from nasams_course.training.gradebook import import_files

    bank = load_bank_or_raise(args.root)
    result = _gradebook_call(import_files, args.db, args.files, session=args.session, questions=bank.questions)
    if args.json:
        _print_json({"db": str(args.db), "files": [f.to_json() for f in result.files]})
    else:
        for f in result.files:
            print(_import_line(f))
        counts = {s: sum(f.status == s for f in result.files) for s in ("imported", "already imported", "refused")}
        print(f"{len(result.files)} file(s): {counts['imported']} imported ({result.added} attempts added), "
              f"{counts['already imported']} already imported, {counts['refused']} refused; gradebook {args.db}")
    return 0 if result.ok else 1


def cmd_gradebook_list(args: argparse.Namespace) -> int:
    from nasams_course.training.gradebook import sessions

    frame = _gradebook_call(sessions, args.db)
    if args.json:
        _print_json(json.loads(frame.to_json(orient="records")))
    elif frame.empty:
        print(f"{args.db}: no files imported yet")
    else:
        _print_table(frame.astype(object).fillna({"session": "(none)", "title": "-"}))
    return 0


def cmd_gradebook_export(args: argparse.Namespace) -> int:
    from nasams_course.training.gradebook import export, sessions

    if args.session and args.session not in set(_gradebook_call(sessions, args.db)["session"].dropna()):
        raise UsageError(f"{args.db} has no session {args.session!r} (see: nasams-course gradebook list)")
    try:
        rows = _gradebook_call(export, args.db, args.format, args.out, session=args.session)
    except OSError as exc:
        raise UsageError(f"cannot write {args.out} ({exc.strerror})") from None
    if args.json:
        _print_json({"out": str(args.out), "format": args.format, "attempts": rows})
    else:
        print(f"wrote {rows} attempts to {args.out}")
    return 0


def _add_gradebook(sub) -> None:
    """`nasams-course gradebook import|list|export`."""
    about = "a cohort's response files in one SQLite file: import them, list the sessions, export the attempts"
    group = sub.add_parser("gradebook", help=about, description=about, epilog=GRADEBOOK_EXIT)
    commands = group.add_subparsers(dest="gradebook_command", required=True)

    def add(name: str, func, help_text: str, epilog: str | None = None) -> argparse.ArgumentParser:
        p = commands.add_parser(name, help=help_text, description=help_text, epilog=epilog)
        p.add_argument("--db", required=True, type=Path, help="the gradebook file (import creates it)")
        p.add_argument("--json", action="store_true", help="machine-readable output")
        p.set_defaults(func=func)
        return p

    p = add("import", cmd_gradebook_import,
            "import response files, one transaction each: a file with a problem is refused whole, a file imported "
            "before adds nothing, two files of one learner merge", GRADEBOOK_EXIT)
    p.add_argument("files", nargs="+", type=Path, metavar="RESPONSES.json")
    p.add_argument("--session", help="the session of files that name none (a file naming another is refused)")
    add("list", cmd_gradebook_list, "the sessions: learners, files and attempts of each",
        "Exit status: 0 listed; 2 --db is not a gradebook.")
    p = add("export", cmd_gradebook_export, "write the attempts table, one row per attempt",
            "Exit status: 0 written; 2 --db is not a gradebook, no such session, or the file cannot be written.")
    p.add_argument("--format", required=True, choices=("csv", "parquet"))
    p.add_argument("--out", required=True, type=Path, metavar="FILE")
    p.add_argument("--session", help="only this session's attempts")


def _checked_syllabus(args: argparse.Namespace, bank):
    from nasams_course.training.syllabus import load_syllabus

    return load_syllabus(Path(args.syllabus), bank)


def _block_line(block, bank) -> str:
    from nasams_course.training.syllabus import is_whole

    everything = len(bank.questions_in_chapter(block.chapter))
    what = ("whole chapter" if is_whole(block, bank)
            else f"part ({', '.join(block.provisions) or 'questions only'}), {len(block.questions)} of {everything} "
                 "questions")
    return (f"  {block.title} ({block.chapter}): {what}; {block.minutes} min, {len(block.vignettes)} vignette(s), "
            f"{len(block.questions)} question(s)")


def _session_json(checked, bank) -> dict:
    catalog = load_catalog()
    out: dict = {"ok": not checked.problems, "problems": [str(p) for p in checked.problems],
                 "warnings": [str(w) for w in checked.warnings]}
    plan = checked.plan
    if plan is not None:
        scope = plan.provisions(bank)
        taught = {pid for b in plan.blocks for pid in b.provisions}
        out.update({
            "id": plan.id, "title": plan.title, "dates": list(plan.dates), "audience": plan.audience, "mode": plan.mode,
            "minutes": plan.minutes, "budget_minutes": plan.budget_minutes,
            "provisions": [{"id": pid, "title": catalog.provision(pid).title, "section": pid in taught}
                           for pid in catalog.ids if pid in scope or pid in taught],
            "blocks": [{"chapter": b.chapter, "title": b.title, "minutes": b.minutes, "provisions": list(b.provisions),
                        "vignettes": list(b.vignettes), "questions": list(b.questions)} for b in plan.blocks]})
    return out


def cmd_session_check(args: argparse.Namespace) -> int:
    bank = load_bank_or_raise(args.root)
    checked = _checked_syllabus(args, bank)
    status = 2 if checked.problems else 1 if checked.warnings else 0
    if args.json:
        _print_json(_session_json(checked, bank))
        return status
    data = _session_json(checked, bank)
    plan = checked.plan
    if plan is not None:
        spare = plan.budget_minutes - plan.minutes
        print(f"Session {plan.id}: {printable(plan.title)}")
        print(f"{plan.mode.capitalize()} session · {', '.join(plan.dates)} · for {printable(plan.audience)}")
        print(f"Minutes: {plan.minutes} of a {plan.budget_minutes}-minute budget "
              f"({f'{spare} to spare' if spare >= 0 else f'{-spare} over'})")
        print("\nChapters, in the course's order:")
        for b in plan.blocks:
            print(_block_line(b, bank))
        print(f"\nProvisions covered ({len(data['provisions'])}; * its section is in the session):")
        for p in data["provisions"]:
            print(f"  {p['id']:<4} {'*' if p['section'] else ' '} {p['title']}")
        print(f"\nVignettes ({len(plan.vignettes)}):")
        for vid in plan.vignettes:
            print(f"  {vid}  {bank.vignettes[vid].title}")
        print(f"\nQuestions ({len(plan.questions)}):")
        for qid in plan.questions:
            print(f"  {qid}  [{bank.questions[qid].kind}]  {', '.join(bank.questions[qid].provisions)}")
        print()
    for w in checked.warnings:
        print(f"warning: {printable(str(w))}")
    for p in checked.problems:
        print(printable(str(p)))
    print(f"{len(checked.problems)} problem(s): the session cannot be built" if checked.problems
          else f"ok, with {len(checked.warnings)} warning(s)" if checked.warnings else "ok")
    return status


def cmd_session_build(args: argparse.Namespace) -> int:
    from nasams_course.training.pdf import PdfError
    from nasams_course.training.session_book import OutFolderError, SessionBuildError, build, check_out

    bank = load_bank_or_raise(args.root)
    checked = _checked_syllabus(args, bank)
    for w in checked.warnings:
        print(f"warning: {printable(str(w))}", file=sys.stderr)
    if checked.problems:
        for p in checked.problems:
            print(printable(str(p)), file=sys.stderr)
        return 2
    try:
        out = check_out(Path(args.out), args.root)
        print(f"building session {checked.plan.id} into {out} ...", file=sys.stderr)
        built = build(checked.plan, bank, args.root, out, pdf=not args.no_pdf)
    except PdfError as exc:  # no Chromium: checked before anything is written
        print(f"nasams-course session build: error: {exc}; or build without the PDFs: --no-pdf", file=sys.stderr)
        return 2
    except SessionBuildError as exc:
        print(f"nasams-course session build: error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, OutFolderError) else 1
    guides = {p.name.removeprefix(f"{checked.plan.id}-"): p for p in built.guides}
    result = {"session": checked.plan.id, "mode": checked.plan.mode, "html": str(built.html),
              "home": str(built.html / "index.html"), "zip": str(built.zip), "source": str(out / "source"),
              "guide": str(guides["facilitator-guide.html"]),
              "guide_pdf": str(guides["facilitator-guide.pdf"]) if not args.no_pdf else None,
              "handout": str(guides["handout.html"]),
              "handout_pdf": str(guides["handout.pdf"]) if not args.no_pdf else None,
              "pages_executed": built.pages, "seconds": round(built.seconds, 1),
              "pdf_seconds": round(built.pdf_seconds, 1), "warnings": [str(w) for w in checked.warnings]}
    if args.json:
        _print_json(result)
        return 0
    print(f"Session book: {built.html / 'index.html'} (open it from disk, or serve {built.html} from any web server)")
    print(f"Zip for a USB stick or an LMS: {built.zip}")
    what = "HTML and PDF" if not args.no_pdf else "HTML only: built with --no-pdf"
    print(f"Facilitator guide, with the answer key (for the trainer only; {what}): {guides['facilitator-guide.html']}")
    print(f"Learner handout, a worksheet with no key ({what}): {guides['handout.html']}")
    print(f"Project it was built from (it holds the keys: not for participants): {out / 'source'}")
    print(f"Built in {built.seconds:.1f} s; 0 broken internal links.")
    return 0


# -- certificates: issuer keys, verification, revocation (nasams_course.training) ------------------------------------

def cmd_issuer_init(args: argparse.Namespace) -> int:
    from nasams_course.training.issuer import IssuerError, init_issuer

    forbidden = [args.root] if args.root else []
    try:
        forbidden.append(find_root())
    except FileNotFoundError:
        pass
    try:
        key_path, issuer_path, issuer = init_issuer(args.out, args.name, args.verify_url, tuple(forbidden))
    except IssuerError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        _print_json({"private_key": str(key_path), "issuer_file": str(issuer_path), **issuer.to_json()})
        return 0
    print(f"issuer: {issuer.name} (key id {issuer.key_id})")
    print(f"private key: {key_path} (mode 600: keep it private, back it up, never commit or publish it)")
    print(f"issuer file: {issuer_path} (public: publish it with the book)")
    print("Next: copy the issuer file into the course and point _config.yml at it "
          "(sphinx: config: nasams_issuer: path/to/issuer.json), then rebuild the book.")
    if "://" not in issuer.verify_url:
        print("The QR codes will hold the relative address " + issuer.verify_url + "; to let a phone open the "
              "verify page, create the issuer with --verify-url set to the published page's address.")
    return 0


def verification_lines(v) -> list[str]:
    """A verification as the terminal shows it: the outcome and why, then the record's fields."""
    from nasams_course.training.certificate_pdf import hours_text
    from nasams_course.training.certificates import FIELD_LABELS, format_code

    word = "valid" if v.valid else "revoked" if v.outcome == "revoked" else "invalid"
    lines = [f"{word}: {printable(v.reason)}"]
    if v.field:
        lines.append(f"  field: {v.field} ({FIELD_LABELS.get(v.field, v.field)})")
    if v.record and v.outcome in ("valid", "revoked", "mismatch"):
        shown = dict(v.record, id=format_code(v.record["id"]), ce_hours=hours_text(v.record["ce_hours"]),
                     provisions=", ".join(v.record["provisions"]),
                     levels="; ".join(f"{d}: {lv}" for d, lv in v.record["levels"].items()))
        lines += [f"  {FIELD_LABELS[k] + ':':<28}{printable(str(shown[k]))}" for k in FIELD_LABELS if k != "schema"]
    return lines


def cmd_verify(args: argparse.Namespace) -> int:
    from pypdf.errors import PyPdfError

    from nasams_course.training.issuer import IssuerError, read_issuer
    from nasams_course.training.verify import RevocationError, read_revoked, verify_path_or_token

    try:
        issuer = read_issuer(args.issuer)
        revoked = read_revoked(args.revoked)
        v = verify_path_or_token(args.certificate, issuer, revoked)
    except (IssuerError, RevocationError) as exc:
        raise UsageError(str(exc)) from None
    except (OSError, ValueError, PyPdfError) as exc:
        raise UsageError(f"{args.certificate}: cannot read it ({exc})") from None
    if v.outcome == "code-only":  # a code cannot be checked: the command cannot do what it was asked
        raise UsageError(v.reason)
    if args.json:
        _print_json({"valid": v.valid, "outcome": v.outcome, "reason": v.reason, "field": v.field,
                     "record": v.record})
    else:
        print("\n".join(verification_lines(v)))
    return 0 if v.valid else 1


def book_setting(root: Path, name: str) -> Path | None:
    """A file the book's _config.yml names (sphinx: config: NAME), relative to the course root; None if unset."""
    import yaml

    try:
        config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}
        value = ((config.get("sphinx") or {}).get("config") or {}).get(name)
    except (OSError, yaml.YAMLError, AttributeError) as exc:
        raise UsageError(f"{root / '_config.yml'}: cannot read {name} ({exc})") from None
    return root / value if isinstance(value, str) and value else None


def _published_file(args: argparse.Namespace, given: Path | None, setting: str, option: str) -> Path:
    """A file given on the command line, else the one the course's _config.yml publishes with the book."""
    if given is not None:
        return given
    try:
        root = args.root or find_root()
    except FileNotFoundError:
        raise UsageError(f"give {option} FILE (or run inside the course, whose _config.yml names {setting})") from None
    path = book_setting(root, setting)
    if path is None:
        raise UsageError(f"{root / '_config.yml'} names no {setting}: give {option} FILE")
    return path


def cmd_revoke(args: argparse.Namespace) -> int:
    from nasams_course.training.certificates import format_code
    from nasams_course.training.gradebook import GradebookError
    from nasams_course.training.verify import RevocationError, add_revocation

    if args.db is None and args.list is None:
        raise UsageError("give the revocation list (--revoked FILE), or the gradebook (--db PATH) whose register "
                         "issued the certificate")
    listed = args.list if args.db is None else _published_file(args, args.list, "nasams_revoked", "--revoked")
    try:
        if args.db is None:
            cert_id, added = add_revocation(listed, args.id, args.reason)
            learner = None
        else:
            from nasams_course.training.register import revoke

            row, added = revoke(args.db, args.id, listed, args.reason)
            cert_id, learner = row.id, row.learner
    except (RevocationError, GradebookError) as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        _print_json({"id": cert_id, "added": added, "list": str(listed), "db": str(args.db) if args.db else None,
                     "learner": learner})
    elif added:
        whose = f" ({printable(learner)})" if learner else ""
        where = f"in the register of {args.db} and " if args.db else ""
        print(f"revoked {format_code(cert_id)}{whose} {where}in {listed}; rebuild and publish the book so that its "
              "verify page reports it")
    else:
        print(f"{format_code(cert_id)} was already revoked" + (f"; {listed} lists it" if args.db else f" in {listed}"))
    return 0


def _certify_plan(args: argparse.Namespace, bank):
    """The session to certify: a syllabus file, or the id of a syllabus in the course's syllabi/ folder."""
    given = Path(args.session)
    if given.suffix.lower() not in (".yml", ".yaml") and not given.is_file():
        from nasams_course.training.gradebook import GradebookError, check_session_id

        try:
            check_session_id(args.session)
        except GradebookError as exc:
            raise UsageError(f"--session: {exc}") from None
        found = [p for p in sorted((args.root / "syllabi").glob("*.y*ml")) if _syllabus_id(p) == args.session]
        if not found:
            raise UsageError(f"--session: no syllabus in {args.root / 'syllabi'} has the id {args.session!r}; "
                             "give the session's syllabus file (--session SYLLABUS.yml)")
        given = found[0]
    return _session_scope(argparse.Namespace(session=str(given)), bank)


def _syllabus_id(path: Path) -> str | None:
    """The id a syllabus file gives, read as `session check` reads it (None if it cannot be read as a mapping)."""
    try:
        data, _problems = read_yaml(path, str(path))
    except OSError:
        return None
    return data.get("id") if data is not None else None


def _certify_inputs(args: argparse.Namespace):
    """The issuer, its private key (they must be a pair), and the output folder, checked before any grading."""
    from nasams_course.training.issuer import IssuerError, key_id_of, public_raw, read_issuer, read_private_key

    issuer_path = _published_file(args, args.issuer, "nasams_issuer", "--issuer")
    try:
        issuer, key = read_issuer(issuer_path), read_private_key(args.key)
    except IssuerError as exc:
        raise UsageError(str(exc)) from None
    if key_id_of(public_raw(key)) != issuer.key_id:
        raise UsageError(f"{args.key}: not the private key of the issuer file {issuer_path} (key "
                         f"{key_id_of(public_raw(key))}, the issuer file's is {issuer.key_id})")
    if args.out.exists() and (not args.out.is_dir() or any(args.out.iterdir())):
        raise UsageError(f"--out {args.out}: {'not a folder' if not args.out.is_dir() else 'not empty'}; "
                         "certificates are never replaced: give a new or empty folder")
    return issuer, key


def cmd_certify(args: argparse.Namespace) -> int:
    from nasams_course.training.certificates import RecordError, format_code
    from nasams_course.training.completion import CompletionError
    from nasams_course.training.gradebook import GradebookError
    from nasams_course.training.register import certify_session

    if bool(args.files) == bool(args.db):
        raise UsageError("certify from the gradebook (--db PATH) or from response files (FILES...): one of the two")
    bank = load_bank_or_raise(args.root)
    plan = _certify_plan(args, bank)
    issuer, key = _certify_inputs(args)
    try:
        issued, held = certify_session(plan, bank, issuer, key, args.out, args.db, args.files)
    except (CompletionError, GradebookError, RecordError, FileExistsError) as exc:
        raise UsageError(str(exc).replace("\n", "; ") if isinstance(exc, RecordError) else str(exc)) from None
    for learner, cert_id in held.items():
        print(f"{printable(learner)}: already holds certificate {format_code(cert_id)} for this session (not "
              "revoked): not issued again", file=sys.stderr)
    if not issued:
        raise UsageError(f"no learner of session {plan.id!r} is left to certify")
    return _certify_report(args, issued, plan, held)


def _certify_report(args: argparse.Namespace, issued, plan, held: dict[str, str]) -> int:
    from nasams_course.training.certificates import format_code
    from nasams_course.training.certify import RUN_CSV

    certificates = [i for i in issued if i.kind == "certificate"]
    if args.json:
        _print_json({"session": plan.id, "out": str(args.out), "csv": str(args.out / RUN_CSV),
                     "register": str(args.db) if args.db else None,
                     "learners": [{"learner": i.learner, "outcome": i.kind, "certificate_id": i.certificate_id,
                                   "ce_hours": i.ce_hours, "pdf": str(i.pdf)} for i in issued],
                     "already_certified": [{"learner": n, "certificate_id": c} for n, c in held.items()]})
        return 0
    for i in issued:
        what = (f"certificate {format_code(i.certificate_id)}, {i.ce_hours:g} CE hours" if i.certificate_id
                else "did not complete: statement of what remains")
        print(f"{printable(i.learner)}: {what} ({i.pdf.name})")
    register = f"; the register of {args.db} holds them" if args.db and certificates else ""
    print(f"Session {plan.id}: {len(certificates)} certificate(s), {len(issued) - len(certificates)} statement(s) "
          f"in {args.out}; the run: {args.out / RUN_CSV}{register}")
    return 0


def add_certificate_commands(sub) -> None:
    """`issuer init`, `verify` and `revoke`: they need no course, so they run anywhere."""
    p = sub.add_parser("issuer", help="the certificate issuer's keys", description="the certificate issuer's keys")
    isub = p.add_subparsers(dest="issuer_command", required=True)
    p = isub.add_parser("init", help="create an Ed25519 key pair: a private key (mode 600) and a public issuer file",
                        description="create an Ed25519 key pair: a private key (mode 600) and a public issuer file")
    p.add_argument("--out", type=Path, required=True, help="a folder of your own, outside any repository or book")
    p.add_argument("--name", required=True, help="the issuing organisation, as certificates name it")
    p.add_argument("--verify-url", default=DEFAULT_VERIFY_URL,
                   help="the address of the published book's verify page, for the QR codes "
                        f"(default: the relative {DEFAULT_VERIFY_URL})")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_issuer_init, needs_root=False)
    p = sub.add_parser("verify", help="check a certificate offline: a token, a PDF or a certificate JSON file",
                       description="check a certificate offline: exit 0 valid, 1 invalid or revoked, 2 usage error")
    p.add_argument("certificate", metavar="TOKEN|FILE.pdf|FILE.json")
    p.add_argument("--issuer", type=Path, required=True, help="the issuer file (issuer.json) published with the book")
    p.add_argument("--revoked", type=Path, help="the revocation list published with the book")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_verify, needs_root=False)
    p = sub.add_parser("revoke", help="revoke a certificate: mark it in the gradebook's register (--db) and add it "
                                      "to the revocation list published with the book",
                       description="revoke a certificate: mark it in the gradebook's register (--db) and add it to "
                                   "the revocation list published with the book",
                       epilog="Exit status: 0 revoked (now or before); 2 not a certificate id, an id the register "
                              "does not hold, or a list or gradebook that cannot be used.")
    p.add_argument("id", metavar="ID", help="the certificate id or verification code (hyphens allowed)")
    p.add_argument("--db", type=Path, help="the gradebook whose register issued it (certify --db)")
    p.add_argument("--revoked", "--list", dest="list", type=Path, metavar="FILE",
                   help="the revocation list (JSON; created if absent); with --db, by default the one the course's "
                        "_config.yml names (nasams_revoked)")
    p.add_argument("--reason", default="", help="why, in a line (shown by verify and the verify page)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_revoke, needs_root=False)
    about = ("certify a session's learners: a signed certificate (PDF with QR code, JSON file) for each who "
             "completed its scope, a statement of what remains for each who did not, and a CSV of the run")
    p = sub.add_parser("certify", help=about, description=about, epilog=(
        "From the gradebook (--db, which also records each certificate in its register) or from response files. "
        "Exit status: 0 written; 2 nothing written: a bad syllabus or session, a refused response file, a key "
        "that is not the issuer's, --out not new or empty."))
    p.add_argument("files", nargs="*", type=Path, metavar="RESPONSES.json",
                   help="response files (without --db); two files of one learner are graded together")
    p.add_argument("--db", type=Path, help="the gradebook: its attempts for the session are graded")
    p.add_argument("--session", required=True, metavar="ID|SYLLABUS.yml",
                   help="the session: its syllabus file, or its id (a syllabus in the course's syllabi/)")
    p.add_argument("--key", required=True, type=Path, help="the issuer's private key (issuer init's issuer-key.pem)")
    p.add_argument("--issuer", type=Path, help="the issuer file (default: the one _config.yml publishes, "
                                                "nasams_issuer)")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="a new or empty folder")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_certify)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nasams-course", description=__doc__,
        epilog="Exit status: 0 done; 1 the input has problems (content, a response file refused, an entry skipped); "
               "2 the command could not run as asked (unknown chapter, bad name or option, no course root).")
    parser.add_argument("--root", type=Path, default=None,
                        help="course root (default: the folder with _toc.yml above the current one)")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, func, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--json", action="store_true", help="machine-readable output")
        p.set_defaults(func=func)
        return p

    add("validate", cmd_validate, "check every content file and cross-reference")
    add("provisions", cmd_provisions, "list the 44 provisions of the code (id, part, title, text, strength, domain)")
    p = add("questions", cmd_questions,
            "list the question bank with its keys (trainer use), or with --text its stems and options to read")
    p.add_argument("--chapter", action="append", metavar="ID",
                   help="only the questions of this chapter (repeatable: any of them)")
    p.add_argument("--provision", action="append", metavar="ID",
                   help="only the questions that assess this provision, e.g. E4a, S5, U7 (repeatable: any of them; "
                        "with --chapter, both must match)")
    p.add_argument("--text", action="store_true",
                   help="print each question as a learner reads it: id, kind, chapter, provisions, case, stem and "
                        "options, with no key (the keys are in this command's default listing and in --json)")
    p = add("grade", cmd_grade, "grade response files (nasams-course/responses@2 or @1): a roster, one line per file "
                                "(file, learner, questions answered, first-attempt and final scores, level, critical "
                                "errors, complete or why not); each learner's detail with --detail")
    p.epilog = ("Exit status: 0 every file graded; 1 some file was refused (a roster line says why; the others are "
                "still graded) or had entries skipped, or was saved from another session; 2 the command could not "
                "run as asked (a bad option or scope, a syllabus that cannot be read or has problems). --json prints a "
                "list with one object per file, in the order given: {\"file\", \"learner\", \"session\", "
                "\"problems\", \"report\"}, the report null for a refused file.")
    p.add_argument("responses", nargs="+", type=Path, metavar="RESPONSES.json")
    p.add_argument("--session", metavar="SYLLABUS.yml",
                   help="score against a session's questions and provisions only (answers to other questions are not "
                        "counted; a file saved from another session is reported)")
    p.add_argument("--scope", choices=["session", "chapter", "all"],
                   help="what each file is graded against: all = every question of the course (the default without "
                        "--session); session = the session's questions (needs --session; its default); chapter = the "
                        "chapters of the questions the file answered, each file its own (a learner who answered two "
                        "chapters is measured on those two; with --session, the session's questions in them)")
    p.add_argument("--detail", action="store_true",
                   help="after the roster, each file's provisions, domains, critical errors, calibration, self-ratings "
                        "and problems")
    p = add("feedback", cmd_feedback,
            "write one feedback page per learner to hand back after a session (their answers, scores, levels, "
            "critical errors, every option's reason and the provisions' text), graded as grade --session grades")
    p.add_argument("responses", nargs="+", type=Path, metavar="RESPONSES.json")
    p.add_argument("--session", required=True, metavar="SYLLABUS.yml", help="the session the files were saved from")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="where to write DIR/LEARNER.html and DIR/index.html: a new or empty folder, or an earlier "
                        "run's (its pages are replaced)")
    p.epilog = ("Exit status: 0 every page written; 1 a file was refused (not a response file, or saved from another "
                "session: one line each, the others' pages are still written) or an entry skipped; 2 the syllabus has "
                "problems or --out cannot be used.")
    p = add("coverage", cmd_coverage, "provision x content matrix, checked against the content standard")
    p.add_argument("--require-all", action="store_true", help="every one of the 44 provisions must meet the standard")
    add("bank", cmd_bank, "test-wise cue statistics of the question bank (option length, key position), "
                          "checked against the limits that validate enforces")
    p = add("workbooks", cmd_workbooks, "regenerate the learner workbooks in exercises/ from answers/")
    p.add_argument("--check", action="store_true", help="only report workbooks that are missing or stale")
    p = add("new-trainer-notebook", cmd_new_trainer_notebook,
            "scaffold a trainer notebook, DIR/NAME.ipynb (keys, three graded sample learners in DIR/responses/, "
            "the quizzes), for some chapters, and run it")
    p.add_argument("name", metavar="NAME", help="a plain name: lower-case letters, digits and hyphens (not a path)")
    p.add_argument("--title", required=True)
    p.add_argument("--chapter", action="append", required=True, metavar="ID", help="a chapter id (repeatable)")
    p.add_argument("--out", type=Path, default=TRAINER_NOTEBOOKS, metavar="DIR",
                   help=f"the folder to write in (default: {TRAINER_NOTEBOOKS}/ in the current directory; "
                        "the course's own notebooks, from which `make workbooks` makes exercises/, are in answers/)")
    p.add_argument("--force", action="store_true", help="replace an existing notebook and its sample responses")
    add("answers", cmd_answers, "re-run every trainer notebook in answers/ and regenerate exercises/")
    p = add("items", cmd_items, "item analysis over a cohort's response files: difficulty, discrimination, "
                                "critical-error rate, option shares")
    p.add_argument("responses", nargs="+", type=Path, metavar="RESPONSES.json")
    p.add_argument("--chapter", action="append", help="limit to a chapter (repeatable)")

    p = add("report", cmd_report,
            "write a cohort report: one static HTML page (roster, provision heat map, domain levels, critical errors, "
            "item and distractor analysis of first attempts, the questions) and a CSV file of each table")
    p.add_argument("responses", nargs="*", type=Path, metavar="RESPONSES.json",
                   help="response files, each one learner (or give --db)")
    p.add_argument("--db", type=Path, metavar="GRADEBOOK", help="a gradebook (nasams-course gradebook import)")
    p.add_argument("--session", metavar="ID|SYLLABUS.yml",
                   help="with files: the session's syllabus (its questions are the scope, as for grade); with --db: a "
                        "session id (only its learners), or its syllabus (also its scope)")
    p.add_argument("--out", required=True, type=Path, metavar="DIR",
                   help="where to write DIR/index.html and the CSV files: a new or empty folder, or an earlier "
                        "report's (replaced)")
    p.epilog = REPORT_EXIT

    session = sub.add_parser("session", help="check a syllabus, or build its session book",
                             description="A session from a syllabus (a small YAML file: see syllabi/ and the README).")
    ssub = session.add_subparsers(dest="session_command", required=True)
    p = ssub.add_parser(
        "check", help="what a syllabus covers: provisions, vignettes, questions, minutes against the budget",
        description="Check a syllabus against the course and report what the session covers.",
        epilog="Exit status: 0 ok; 1 ok with warnings (e.g. minutes over the budget); 2 problems (an unknown chapter, "
               "provision or question, an empty selection, a zone asked for more questions than it holds): each "
               "printed as path:field: problem, and the session cannot be built.")
    p.add_argument("syllabus", metavar="SYLLABUS.yml")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_session_check)
    p = ssub.add_parser(
        "build", help="build a session book (HTML and a zip of it) from a syllabus, outside the course's files",
        description="Build the session book of a syllabus: only the chosen material, in the course's order, with its "
                    "own home page, progress page, coverage map, scoring page and glossary. Writes OUT/source (the "
                    "generated Jupyter Book project), OUT/html (the book: open OUT/html/index.html), OUT/ID-book.zip, "
                    "and the facilitator guide (OUT/ID-facilitator-guide.html and .pdf: the answer key, for the "
                    "trainer) and learner handout (OUT/ID-handout.html and .pdf: a worksheet, no key). A syllabus "
                    "with mode: assessment builds a sealed book: no key, no feedback, no scores in anything it holds.",
        epilog="Exit status: 0 built; 1 the book did not build (its warnings are printed); 2 the syllabus has "
               "problems, --out cannot be used (inside the course's files other than a folder under _build/, or a "
               "folder holding something else), or Chromium, which prints the PDFs, is missing (use --no-pdf).")
    p.add_argument("syllabus", metavar="SYLLABUS.yml")
    p.add_argument("--out", required=True, metavar="DIR", help="where to build (outside the course's folder)")
    p.add_argument("--no-pdf", action="store_true",
                   help="write the guide and handout as HTML only, without printing their PDFs (no Chromium needed)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_session_build)
    add_certificate_commands(sub)
    _add_gradebook(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.root is None and getattr(args, "needs_root", True):
            args.root = find_root()
        return args.func(args)
    except (FileNotFoundError, UsageError, UnknownIdError) as exc:
        print(f"nasams-course: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except ContentError as exc:
        print("nasams-course: the content has problems; fix them first (nasams-course validate):", file=sys.stderr)
        for p in exc.problems:
            print(p, file=sys.stderr)
        return 1
