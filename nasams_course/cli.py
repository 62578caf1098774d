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
from nasams_course.training.issuer import DEFAULT_VERIFY_URL


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


def cmd_revoke(args: argparse.Namespace) -> int:
    from nasams_course.training.certificates import format_code
    from nasams_course.training.verify import RevocationError, add_revocation

    try:
        cert_id, added = add_revocation(args.list, args.id, args.reason)
    except RevocationError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        _print_json({"id": cert_id, "added": added, "list": str(args.list)})
    elif added:
        print(f"revoked {format_code(cert_id)} in {args.list}; rebuild and publish the book so that its verify "
              "page reports it")
    else:
        print(f"{format_code(cert_id)} was already revoked in {args.list}")
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
    p = sub.add_parser("revoke", help="add a certificate to a revocation list (published with the book)",
                       description="add a certificate to a revocation list (published with the book)")
    p.add_argument("id", metavar="ID", help="the certificate id or verification code (hyphens allowed)")
    p.add_argument("--list", type=Path, required=True, help="the revocation list (JSON; created if absent)")
    p.add_argument("--reason", default="", help="why, in a line (shown by verify and the verify page)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_revoke, needs_root=False)


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
    add_certificate_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.root is None and getattr(args, "needs_root", True):
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
