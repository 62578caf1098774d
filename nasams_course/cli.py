"""The `nasams-course` command line, for trainers, authors and tests."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd

from nasams_course.catalog import load_catalog
from nasams_course.content.loader import ContentError, find_root, load_bank, load_bank_or_raise
from nasams_course.content.models import UnknownChapterError
from nasams_course.coverage import chapter_shortfalls, coverage_frame, provision_shortfalls
from nasams_course.grading import grade
from nasams_course.grading.calibration import SELF_RATING_LABELS
from nasams_course.responses import ResponseFileError, read_responses


class UsageError(Exception):
    """A command given something it cannot use (an unknown chapter, a bad name): exit status 2."""


def _print_json(data: object) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def _print_table(frame: pd.DataFrame) -> None:
    with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                           "display.max_colwidth", 60):
        print(frame.to_string(index=False))


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


def cmd_questions(args: argparse.Namespace) -> int:
    bank = load_bank_or_raise(args.root)
    if args.json:
        _print_json({"questions": [
            {**q.model_dump(exclude_none=True), "chapter": bank.chapter_of[q.id],
             "path": bank.path_of("question", q.id)}
            for q in bank.questions.values()]})
        return 0
    for q in bank.questions.values():
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
    return 0


def printable(text: str) -> str:
    """Text from a learner's file, safe to print in a terminal report: control characters (newlines, carriage
    returns, escape sequences) are shown as escapes, so a learner name cannot print a line of its own."""
    return "".join(c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii") for c in text)


def cmd_grade(args: argparse.Namespace) -> int:
    bank = load_bank_or_raise(args.root)
    status = 0
    results: list[dict] = []
    reports = []
    for path in args.responses:
        try:
            responses = read_responses(path, bank.questions)
        except ResponseFileError as exc:
            print(f"nasams-course grade: {printable(str(exc))}", file=sys.stderr)
            status = 1
            results.append({"file": str(path), "error": str(exc)})
            continue
        report = replace(grade(bank.questions, responses.attempts, learner=responses.learner,
                               ratings=responses.ratings),
                         problems=tuple(responses.problems))
        for problem in responses.problems:
            print(f"nasams-course grade: {printable(problem)}", file=sys.stderr)
        if responses.problems:
            status = 1
        reports.append((path, report))
        results.append({"file": str(path), **report.to_json()})
    if args.json:
        # one object for one file, a list for several: the shape depends on the arguments, never on the outcome
        _print_json(results[0] if len(args.responses) == 1 else results)
        return status
    from nasams_course.session import (
        calibration_frame,
        calibration_summary,
        domain_frame,
        profile_frame,
        self_rating_frame,
    )

    for path, r in reports:
        overall = "-" if r.score is None else f"{r.score:.0%}"
        first_overall = "-" if r.first_score is None else f"{r.first_score:.0%}"
        print(f"File: {printable(str(path))}")
        print(f"Learner: {printable(r.learner) or '(unnamed)'}  ·  complete: {'yes' if r.complete else 'no'}  ·  "
              f"overall {overall} (first attempts {first_overall})")
        _print_table(profile_frame(r))
        print()
        _print_table(domain_frame(r))
        for p in r.provisions:
            for rev in p.review:
                print(f"\nCritical error on {p.id} — {rev.question} option {rev.option}: {rev.rationale}")
        print(f"\nCalibration: {calibration_summary(r)}")
        if r.calibration.answers:
            frame = calibration_frame(r)
            _print_table(frame.drop(columns=["message"]).astype(object).fillna("-").replace("", "-"))
            for message in frame["message"]:
                if message:
                    print(f"- {message}")
        if r.self_ratings:
            scale = ", ".join(f"{n} {label.lower()}" for n, label in SELF_RATING_LABELS.items())
            print(f"\nSelf-ratings ({scale}) beside the measured level:")
            _print_table(self_rating_frame(r).drop(columns=["title"]).astype(object).fillna("-"))
        print()
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


def cmd_new_trainer_notebook(args: argparse.Namespace) -> int:
    from nasams_course.trainer import write_samples
    from nasams_course.workbooks import execute, trainer_notebook

    bank = load_bank_or_raise(args.root)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,79}", args.name):
        raise UsageError(f"the notebook name {args.name!r} must be lower-case letters, digits and hyphens "
                         "(it becomes answers/NAME.ipynb)")
    bank.require_chapters(args.chapter)  # before anything is written
    answers = args.root / "answers"
    (answers / "responses").mkdir(parents=True, exist_ok=True)
    path = answers / f"{args.name}.ipynb"
    if path.exists() and not args.force:
        print(f"nasams-course: {path.relative_to(args.root)} exists (use --force to replace it)", file=sys.stderr)
        return 1
    import nbformat

    nbformat.write(trainer_notebook(args.title, args.name, args.chapter, bank), path)
    write_samples(answers / "responses", args.name, args.chapter)
    execute(path)
    print(f"wrote {path.relative_to(args.root)} and its sample responses; now run `make workbooks`")
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
    from nasams_course.trainer import item_analysis

    bank = load_bank_or_raise(args.root)
    problems: list[str] = []
    frame = item_analysis(args.responses, args.chapter or None, bank, problems)
    for problem in problems:
        print(f"nasams-course items: {printable(problem)}", file=sys.stderr)
    if args.json:
        _print_json(json.loads(frame.to_json(orient="records")))
    else:
        _print_table(frame)
    return 1 if problems else 0


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
    add("questions", cmd_questions, "list the whole question bank with keys (trainer use)")
    p = add("grade", cmd_grade, "grade one or more response files (nasams-course/responses@2 or @1)")
    p.add_argument("responses", nargs="+", type=Path, metavar="RESPONSES.json")
    p = add("coverage", cmd_coverage, "provision x content matrix, checked against the content standard")
    p.add_argument("--require-all", action="store_true", help="every one of the 44 provisions must meet the standard")
    add("bank", cmd_bank, "test-wise cue statistics of the question bank (option length, key position), "
                          "checked against the limits that validate enforces")
    p = add("workbooks", cmd_workbooks, "regenerate the learner workbooks in exercises/ from answers/")
    p.add_argument("--check", action="store_true", help="only report workbooks that are missing or stale")
    p = add("new-trainer-notebook", cmd_new_trainer_notebook,
            "scaffold answers/NAME.ipynb (keys, sample learners, quizzes) for some chapters, and run it")
    p.add_argument("name")
    p.add_argument("--title", required=True)
    p.add_argument("--chapter", action="append", required=True, help="a chapter id (repeatable)")
    p.add_argument("--force", action="store_true", help="replace an existing notebook")
    add("answers", cmd_answers, "re-run every trainer notebook in answers/ and regenerate exercises/")
    p = add("items", cmd_items, "item analysis over a cohort's response files: difficulty, discrimination, "
                                "critical-error rate, option shares")
    p.add_argument("responses", nargs="+", type=Path, metavar="RESPONSES.json")
    p.add_argument("--chapter", action="append", help="limit to a chapter (repeatable)")
    _add_gradebook(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.root is None:
            args.root = find_root()
        return args.func(args)
    except (FileNotFoundError, UsageError, UnknownChapterError) as exc:
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
