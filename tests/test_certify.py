"""`nasams-course certify` from the gradebook or from response files, the gradebook's certificate register (schema
version 2), and `revoke --db`: completion is judged on the session's scope from that session's graded attempts only;
completers get a signed certificate and a register row, the others a statement of what remains; a revocation marks
the register and the published list together."""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
import time
from pathlib import Path

import pytest
from old_gradebook import old_gradebook

from conftest import REPO
from nasams_course.catalog import load_catalog
from nasams_course.cli import main
from nasams_course.content.loader import load_bank_or_raise
from nasams_course.responses import format_time
from nasams_course.trainer import keyed_answer, weak_answer
from nasams_course.training import gradebook as gb
from nasams_course.training import register
from nasams_course.training.certificate_pdf import read_pdf_text
from nasams_course.training.certificates import format_code
from nasams_course.training.certify import slug
from nasams_course.training.issuer import init_issuer
from nasams_course.training.register import register_frame
from nasams_course.training.syllabus import load_syllabus

BANK = load_bank_or_raise(REPO)
CONF = REPO / "syllabi/confidentiality-and-victims.yml"  # practice, 95 minutes of material: 1.5 CE hours
PART1 = REPO / "syllabi/part1-assessment.yml"  # sealed assessment
PLANS = {p: load_syllabus(p, BANK).plan for p in (CONF, PART1)}
T0 = 1_793_613_600_000  # 2026-11-02T10:00:00Z, in ms


def responses(path: Path, learner: str, session: str, answers: dict[str, object], day: int = 0) -> Path:
    """A response file as a session book saves it: one attempt a minute from 10:00 on 2026-11-(02 + day)."""
    start = T0 + day * 86_400_000
    entries = [{"question": q, "answer": a, "at": format_time(start + i * 60_000)} for i, (q, a) in
               enumerate(answers.items())]
    path.write_text(json.dumps({"schema": "nasams-course/responses@2", "learner": learner, "session": session,
                                "responses": entries}), encoding="utf-8")
    return path


def keyed(plan) -> dict[str, object]:
    return {q: keyed_answer(BANK.questions[q]) for q in plan.questions}


def violation_of(plan) -> tuple[str, str]:
    """A question of the session and an option that is a critical error."""
    return next((q, o.id) for q in plan.questions for o in BANK.questions[q].options
                if BANK.questions[q].kind == "single" and o.violation)


@pytest.fixture
def cohort(tmp_path) -> dict[str, Path]:
    """A gradebook of two sessions. Ana completes the practice session (CONF) and not the assessment (PART1); Ben
    does not complete CONF (half its questions, one critical error), completes PART1, and answers every CONF question
    right inside his PART1 file (those attempts belong to PART1, and must not complete CONF); Cy takes only PART1."""
    conf, part1 = PLANS[CONF], PLANS[PART1]
    half = dict(list(keyed(conf).items())[: len(conf.questions) // 2])
    question, option = violation_of(conf)
    half[question] = option
    files = [
        responses(tmp_path / "ana-conf.json", "Ana Ruiz", conf.id, keyed(conf), day=0),
        responses(tmp_path / "ana-part1.json", "Ana Ruiz", part1.id,
                  {q: weak_answer(BANK.questions[q]) for q in part1.questions}, day=7),
        responses(tmp_path / "ben-conf.json", "Ben Ode", conf.id, half, day=0),
        responses(tmp_path / "ben-part1.json", "Ben Ode", part1.id, {**keyed(conf), **keyed(part1)}, day=7),
        responses(tmp_path / "cy-part1.json", "Cy Park", part1.id, keyed(part1), day=7),
    ]
    db = tmp_path / "cohort.sqlite"
    assert gb.import_files(db, files, questions=BANK.questions).ok
    key_path, issuer_path, _issuer = init_issuer(tmp_path / "keys", "Mitigation Training Institute")
    return {"db": db, "key": key_path, "issuer": issuer_path, "tmp": tmp_path, "violation": Path(question)}


def certify(cohort, session: str, out: str, *more: str) -> list[str]:
    return ["--root", str(REPO), "certify", "--session", session, "--key", str(cohort["key"]), "--issuer",
            str(cohort["issuer"]), "--out", str(cohort["tmp"] / out), *more]


def run_csv(folder: Path) -> dict[str, dict]:
    with open(folder / "certificates.csv", encoding="utf-8") as f:
        return {row["learner"]: row for row in csv.DictReader(f)}


def test_certify_from_the_gradebook_certifies_only_that_sessions_completers(cohort, capsys):
    assert main(certify(cohort, "confidentiality-and-victims", "conf", "--db", str(cohort["db"]))) == 0
    out = cohort["tmp"] / "conf"
    rows = run_csv(out)
    assert set(rows) == {"Ana Ruiz", "Ben Ode"}  # Cy has no attempt in this session
    assert rows["Ana Ruiz"]["outcome"] == "certificate" and rows["Ben Ode"]["outcome"] == "statement"
    ana = json.loads((out / f"certificate-{rows['Ana Ruiz']['certificate_id']}.json").read_text())["record"]
    plan = PLANS[CONF]
    assert ana["session_id"] == plan.id and ana["session_title"] == plan.title
    assert ana["ce_hours"] == 1.5 and rows["Ana Ruiz"]["ce_hours"] == "1.5"  # 95 minutes, down to the quarter hour
    assert ana["provisions"] == [p for p in load_catalog().ids if p in plan.provisions(BANK)]  # the scope
    assert ana["completed_on"] == "2026-11-02"
    assert set(ana["levels"].values()) <= {"Proficient", "Mastery"}
    assert f"certificate {format_code(ana['id'])}, 1.5 CE hours" in capsys.readouterr().out
    pdf = out / rows["Ana Ruiz"]["pdf"]
    assert main(["verify", str(pdf), "--issuer", str(cohort["issuer"])]) == 0

    assert main(certify(cohort, str(PART1), "part1", "--db", str(cohort["db"]))) == 0
    rows = run_csv(cohort["tmp"] / "part1")
    assert {n: r["outcome"] for n, r in rows.items()} == {
        "Ana Ruiz": "statement", "Ben Ode": "certificate", "Cy Park": "certificate"}


def test_a_non_completer_gets_a_statement_of_what_remains_and_no_certificate(cohort):
    assert main(certify(cohort, "confidentiality-and-victims", "conf", "--db", str(cohort["db"]))) == 0
    out = cohort["tmp"] / "conf"
    ben = run_csv(out)["Ben Ode"]
    assert ben["certificate_id"] == "" and ben["token_sha256"] == ""
    # named by the learner's row in the run (1-based), the name certify checks is free before it writes anything
    row = list(run_csv(out)).index("Ben Ode") + 1
    assert Path(ben["pdf"]).name == f"statement-{row:04d}-ben-ode.pdf"
    token, text = read_pdf_text(out / ben["pdf"])
    assert token is None and "Statement of what remains" in text and "not a certificate" in text.lower()
    report = gb_report("Ben Ode", cohort)
    not_attempted = [p.id for p in report.provisions if p.score is None]
    critical = [p.id for p in report.provisions if p.critical]
    assert not_attempted and critical
    flat = " ".join(text.split())
    for pid in not_attempted + critical:
        assert f"{pid} ·" in flat
    # Ana's PDF and JSON only, named as certify checks them before writing (.pdf, not .PDF)
    assert sorted(p.suffix for p in out.iterdir() if p.name.startswith("certificate-")) == [".json", ".pdf"]


def gb_report(learner: str, cohort):
    """The learner's report on CONF, graded by `grade --session` from their CONF file."""
    from nasams_course.grading import grade
    from nasams_course.responses import read_responses

    plan = PLANS[CONF]
    rs = read_responses(cohort["tmp"] / f"{learner.split()[0].lower()}-conf.json", BANK.questions)
    return grade({q: BANK.questions[q] for q in plan.questions}, rs.attempts)


def test_certify_writes_the_register_and_never_certifies_a_learner_twice(cohort, capsys):
    db = str(cohort["db"])
    assert main(certify(cohort, "confidentiality-and-victims", "conf", "--db", db)) == 0
    rows = run_csv(cohort["tmp"] / "conf")
    register = register_frame(cohort["db"])
    assert len(register) == 1
    entry = register.iloc[0]
    ana = json.loads((cohort["tmp"] / "conf" / rows["Ana Ruiz"]["json"]).read_text())
    assert (entry["id"], entry["learner"], entry["session"]) == (ana["record"]["id"], "Ana Ruiz",
                                                                 "confidentiality-and-victims")
    assert entry["token_sha256"] == hashlib.sha256(ana["token"].encode()).hexdigest() == rows["Ana Ruiz"][
        "token_sha256"]
    assert entry["issued_at"] == ana["record"]["issued_at"] and entry["issued_by"] == "Mitigation Training Institute"
    assert entry["key_id"] == ana["record"]["key_id"] and entry["revoked_at"] is None
    capsys.readouterr()
    assert main(certify(cohort, "confidentiality-and-victims", "again", "--db", db)) == 0
    assert set(run_csv(cohort["tmp"] / "again")) == {"Ben Ode"}
    assert f"Ana Ruiz: already holds certificate {format_code(entry['id'])}" in capsys.readouterr().err
    assert main(certify(cohort, "confidentiality-and-victims", "json", "--db", db, "--json")) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["already_certified"] == [{"learner": "Ana Ruiz", "certificate_id": entry["id"]}]
    assert [(r["learner"], r["outcome"]) for r in printed["learners"]] == [("Ben Ode", "statement")]
    assert len(register_frame(cohort["db"])) == 1


def test_certify_from_response_files_of_a_sealed_assessment(cohort):
    tmp = cohort["tmp"]
    files = [str(tmp / f) for f in ("ana-part1.json", "ben-part1.json", "cy-part1.json")]
    assert main(certify(cohort, str(PART1), "files", *files)) == 0
    assert {n: r["outcome"] for n, r in run_csv(tmp / "files").items()} == {
        "Ana Ruiz": "statement", "Ben Ode": "certificate", "Cy Park": "certificate"}


def test_an_old_gradebook_migrates_to_the_register_and_keeps_its_attempts(tmp_path, cohort):
    """A gradebook written by schema version 1 (before the register) opens at the current version, its rows kept."""
    old = tmp_path / "v1.sqlite"
    files = [tmp_path / "ana-conf.json", tmp_path / "cy-part1.json"]
    old_gradebook(old, 1, [(files, None)], BANK.questions, now_ms=None)  # as the code of version 1 wrote it
    assert gb.import_files(tmp_path / "now.sqlite", files, questions=BANK.questions).ok
    before = gb.attempts_table(tmp_path / "now.sqlite")
    con = sqlite3.connect(old)
    assert con.execute("SELECT version FROM schema_version").fetchone() == (1,)
    assert "certificates" not in {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
    con.close()
    assert gb.schema_version(gb.connect(old)) == len(gb.MIGRATIONS) == 4
    assert gb.attempts_table(old).equals(before)
    assert register_frame(old).empty
    assert main(certify(cohort, "confidentiality-and-victims", "old", "--db", str(old))) == 0
    assert list(register_frame(old)["learner"]) == ["Ana Ruiz"]


def test_revoke_with_the_gradebook_marks_the_register_and_the_published_list(cohort, capsys):
    db = str(cohort["db"])
    assert main(certify(cohort, "confidentiality-and-victims", "conf", "--db", db)) == 0
    pdf = cohort["tmp"] / "conf" / run_csv(cohort["tmp"] / "conf")["Ana Ruiz"]["pdf"]
    cert_id = register_frame(cohort["db"]).iloc[0]["id"]
    listing = cohort["tmp"] / "revoked.json"
    capsys.readouterr()
    assert main(["revoke", format_code(cert_id).lower(), "--db", db, "--revoked", str(listing),
                 "--reason", "issued in error"]) == 0
    assert f"revoked {format_code(cert_id)} (Ana Ruiz)" in capsys.readouterr().out
    entry = register_frame(cohort["db"]).iloc[0]
    assert entry["revoked_at"] and entry["reason"] == "issued in error"
    assert [e["id"] for e in json.loads(listing.read_text())["revoked"]] == [cert_id]
    assert main(["verify", str(pdf), "--issuer", str(cohort["issuer"]), "--revoked", str(listing)]) == 1
    assert capsys.readouterr().out.startswith("revoked: revoked on ")
    # revoked again: nothing changes, and the list still holds it
    assert main(["revoke", cert_id, "--db", db, "--revoked", str(listing)]) == 0
    assert "was already revoked" in capsys.readouterr().out
    assert register_frame(cohort["db"]).iloc[0]["revoked_at"] == entry["revoked_at"]
    # a revoked certificate may be issued again
    assert main(certify(cohort, "confidentiality-and-victims", "reissued", "--db", db)) == 0
    assert run_csv(cohort["tmp"] / "reissued")["Ana Ruiz"]["outcome"] == "certificate"


def test_revoke_with_the_gradebook_updates_the_list_the_book_publishes(cohort, capsys):
    """Without --revoked, the list is the one the course's _config.yml names (nasams_revoked)."""
    root = cohort["tmp"] / "course"
    (root / "issuer").mkdir(parents=True)
    (root / "_config.yml").write_text("sphinx:\n  config:\n    nasams_revoked: issuer/revoked.json\n")
    db = str(cohort["db"])
    assert main(certify(cohort, "confidentiality-and-victims", "conf", "--db", db)) == 0
    cert_id = register_frame(cohort["db"]).iloc[0]["id"]
    assert main(["--root", str(root), "revoke", cert_id, "--db", db]) == 0
    assert [e["id"] for e in json.loads((root / "issuer/revoked.json").read_text())["revoked"]] == [cert_id]


def test_a_revocation_the_list_cannot_take_leaves_the_register_as_it_was(cohort, capsys):
    db = str(cohort["db"])
    assert main(certify(cohort, "confidentiality-and-victims", "conf", "--db", db)) == 0
    cert_id = register_frame(cohort["db"]).iloc[0]["id"]
    broken = cohort["tmp"] / "revoked.json"
    broken.write_text("{not json")
    assert main(["revoke", cert_id, "--db", db, "--revoked", str(broken)]) == 2
    assert register_frame(cohort["db"]).iloc[0]["revoked_at"] is None
    assert broken.read_text() == "{not json"


def test_the_register_and_the_certificate_hold_the_same_issue_time(cohort, monkeypatch):
    """The time the register records is the time signed into the certificate, whatever the clock says between."""
    monkeypatch.setattr(register, "utc_now", lambda: "2026-11-20T09:00:00Z")
    assert main(certify(cohort, "confidentiality-and-victims", "conf", "--db", str(cohort["db"]))) == 0
    ana = json.loads((cohort["tmp"] / "conf" / run_csv(cohort["tmp"] / "conf")["Ana Ruiz"]["json"]).read_text())
    assert ana["record"]["issued_at"] == register_frame(cohort["db"]).iloc[0]["issued_at"] == "2026-11-20T09:00:00Z"


def test_a_revocation_lists_the_time_and_reason_the_register_holds(cohort):
    """The published list says what the register says: when the certificate was revoked and why (no reason: none),
    also when it was already revoked and is added to another list."""
    db = cohort["db"]
    assert main(certify(cohort, str(PART1), "part1", "--db", str(db))) == 0
    ids = dict(zip(register_frame(db)["learner"], register_frame(db)["id"], strict=True))
    first, second = cohort["tmp"] / "first.json", cohort["tmp"] / "second.json"
    row, newly = register.revoke(db, ids["Ben Ode"], first, "issued in error", at="2026-11-20T09:00:00Z")
    assert newly and (row.revoked_at, row.reason) == ("2026-11-20T09:00:00Z", "issued in error")
    row, newly = register.revoke(db, ids["Ben Ode"], second, "another reason", at="2026-11-21T09:00:00Z")
    assert not newly and (row.revoked_at, row.reason) == ("2026-11-20T09:00:00Z", "issued in error")
    row, newly = register.revoke(db, ids["Cy Park"], second, at="2026-11-22T09:00:00Z")
    assert newly and (row.revoked_at, row.reason) == ("2026-11-22T09:00:00Z", "")
    listed = {path.name: {e["id"]: (e["revoked_at"], e["reason"]) for e in json.loads(path.read_text())["revoked"]}
              for path in (first, second)}
    assert listed == {"first.json": {ids["Ben Ode"]: ("2026-11-20T09:00:00Z", "issued in error")},
                      "second.json": {ids["Ben Ode"]: ("2026-11-20T09:00:00Z", "issued in error"),
                                      ids["Cy Park"]: ("2026-11-22T09:00:00Z", "")}}
    frame = register_frame(db).set_index("learner")
    assert (frame.loc["Cy Park", "revoked_at"], frame.loc["Cy Park", "reason"]) == ("2026-11-22T09:00:00Z", "")


BAD = {
    "neither files nor --db": (["certify", "--session", "confidentiality-and-victims", "--key", "{key}", "--issuer",
                                "{issuer}", "--out", "{tmp}/o"], "one of the two"),
    "both": (["certify", "{tmp}/ana-conf.json", "--db", "{db}", "--session", "confidentiality-and-victims",
              "--key", "{key}", "--issuer", "{issuer}", "--out", "{tmp}/o"], "one of the two"),
    "unknown session id": (["certify", "--db", "{db}", "--session", "no-such-session", "--key", "{key}",
                            "--issuer", "{issuer}", "--out", "{tmp}/o"], "no syllabus"),
    "no such syllabus": (["certify", "--db", "{db}", "--session", "{tmp}/missing.yml", "--key", "{key}",
                          "--issuer", "{issuer}", "--out", "{tmp}/o"], "missing.yml:(file): no such file"),
    "a session the gradebook lacks": (["certify", "--db", "{tmp}/one.sqlite", "--session", str(CONF), "--key",
                                       "{key}", "--issuer", "{issuer}", "--out", "{tmp}/o"], "has no attempts"),
    "not a gradebook": (["certify", "--db", "{tmp}/ana-conf.json", "--session", str(CONF), "--key", "{key}",
                         "--issuer", "{issuer}", "--out", "{tmp}/o"], "not a gradebook"),
    "another issuer's key": (["certify", "--db", "{db}", "--session", str(CONF), "--key", "{other}",
                              "--issuer", "{issuer}", "--out", "{tmp}/o"], "not the private key"),
    "out not empty": (["certify", "--db", "{db}", "--session", str(CONF), "--key", "{key}", "--issuer", "{issuer}",
                       "--out", "{tmp}/keys"], "not empty"),
    "a file of another session": (["certify", "{tmp}/ana-conf.json", "{tmp}/cy-part1.json", "--session", str(CONF),
                                   "--key", "{key}", "--issuer", "{issuer}", "--out", "{tmp}/o"],
                                  "saved from session 'part1-assessment'"),
    "revoke an unknown id": (["revoke", "ABCDE-12345", "--db", "{db}", "--revoked", "{tmp}/r.json"],
                             "has no certificate ABCDE-12345 in its register (see: nasams-course certify --db)"),
    "revoke no list nor db": (["revoke", "ABCDE-12345"], "give the revocation list"),
    "revoke what is not an id": (["revoke", "ABCDE-1234", "--db", "{db}", "--revoked", "{tmp}/r.json"],
                                 "'ABCDE-1234' is not a certificate id (10 characters of "
                                 "0123456789ABCDEFGHJKMNPQRSTVWXYZ, hyphens allowed)"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_one_line_and_exit_2_and_writes_nothing(cohort, capsys, case):
    tmp = cohort["tmp"]
    gb.import_files(tmp / "one.sqlite", [tmp / "cy-part1.json"], questions=BANK.questions)
    other, _, _ = init_issuer(tmp / "other", "Someone Else")
    args, message = BAD[case]
    args = ["--root", str(REPO)] + [a.format(tmp=tmp, db=cohort["db"], key=cohort["key"], issuer=cohort["issuer"],
                                             other=other) for a in args]
    before = register_frame(cohort["db"])
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp / "o").exists() and not (tmp / "r.json").exists()
    assert register_frame(cohort["db"]).equals(before)


@pytest.mark.parametrize(("name", "file_name"), [("Łukasz Nguyễn", "lukasz-nguyen"), ("łucja Ørsted", "lucja-rsted"),
                                                  ("李", "learner"), ("Ana  O'Brien", "ana-o-brien"),
                                                  ("(Ana Ruiz!)", "ana-ruiz"), ("Ana" * 20, ("ana" * 20)[:40])])
def test_a_certificate_file_is_named_in_ascii_from_any_name(name, file_name):
    """A name in any script names a file that any system can hold: letters with marks lose them (Ł as L, which has no
    decomposition), what has no ASCII form is left out, no name starts or ends with a hyphen, 40 characters at most,
    and a name with nothing left is "learner"."""
    assert slug(name) == file_name


def test_every_refused_file_is_named_and_nothing_is_judged_from_a_partial_cohort(cohort):
    """`certify FILES`: a file that cannot be read, one with skipped entries (the first problem and how many more),
    one saved from another session and one without a learner's name are each refused in one line, in the files'
    order, the files after a refused one still checked; no learner is judged, not even the ones whose files are fine.
    A single skipped entry is said alone, without "(and 0 more)"."""
    from nasams_course.training.completion import CompletionError, from_files

    tmp, plan = cohort["tmp"], PLANS[CONF]
    (tmp / "broken.json").write_text("{not json", encoding="utf-8")
    first = {q: keyed_answer(BANK.questions[q]) for q in plan.questions[:2]}

    def skipping(name: str, unknown: list[str]) -> Path:
        path = responses(tmp / name, "Dee", plan.id, first)
        data = json.loads(path.read_text())
        data["responses"] += [{"question": q, "answer": "a", "at": "2026-11-02T11:00:00Z"} for q in unknown]
        path.write_text(json.dumps(data), encoding="utf-8")
        return path

    two = skipping("two-skipped.json", ["q-nowhere", "q-elsewhere"])
    one = skipping("one-skipped.json", ["q-elsewhere"])
    nameless = responses(tmp / "nameless.json", "  ", plan.id, first)
    files = [tmp / "broken.json", two, one, tmp / "ana-conf.json", tmp / "cy-part1.json", nameless]
    with pytest.raises(CompletionError) as refused:
        from_files(files, plan, BANK)
    assert str(refused.value).splitlines() == [
        f"{tmp / 'broken.json'}: not valid JSON (Expecting property name enclosed in double quotes at line 1, "
        "column 2)",
        f"{two}: responses[2] (question 'q-nowhere'): unknown question (and 1 more)",
        f"{one}: responses[2] (question 'q-elsewhere'): unknown question",
        f"{tmp / 'cy-part1.json'}: saved from session 'part1-assessment', not 'confidentiality-and-victims'",
        f"{nameless}: 'learner' is empty; a certificate needs the learner's name"]


@pytest.fixture
def utc_plus_14(monkeypatch):
    """The machine's zone set to UTC+14 (a POSIX rule: no zone database needed), where 10:00 UTC is the next day."""
    monkeypatch.setenv("TZ", "EAST-14")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def eve_files(tmp: Path, plan) -> tuple[Path, Path]:
    """Eve's two files: every question of the session but one, keyed, on 2 November; then that one twice at the same
    second on 3 November, a critical error stated as sure and then the keyed answer stated as unsure."""
    question, option = violation_of(plan)
    first = responses(tmp / "eve-1.json", "Eve Sol", plan.id, {q: a for q, a in keyed(plan).items() if q != question})
    at = format_time(T0 + 86_400_000)
    second = tmp / "eve-2.json"
    second.write_text(json.dumps({"schema": "nasams-course/responses@2", "learner": "Eve Sol", "session": plan.id,
                                  "responses": [
                                      {"question": question, "answer": option, "at": at, "certainty": 3},
                                      {"question": question, "answer": keyed(plan)[question], "at": at,
                                       "certainty": 1}]}), encoding="utf-8")
    return first, second


def test_two_files_of_a_learner_are_judged_together_and_answers_at_one_time_in_file_order(cohort, utc_plus_14):
    """Eve answers every CONF question but one on 2 November, and that one in a second file on 3 November: twice at
    the same second, a critical error (stated as sure) and then the keyed answer (stated as unsure). The later entry
    in the file wins a tie of times, whatever the certainty, so she is complete, on the day of her last attempt in
    UTC (10:00 UTC, 4 November in the machine's zone here)."""
    from nasams_course.training.completion import from_files

    tmp, plan = cohort["tmp"], PLANS[CONF]
    first, second = eve_files(tmp, plan)
    [eve] = from_files([first, second], plan, BANK)
    assert (eve.name, eve.complete, eve.completed_on, eve.remaining) == ("Eve Sol", True, "2026-11-03", {})
    [alone] = from_files([second], plan, BANK)
    assert (alone.complete, alone.completed_on) == (False, "2026-11-03")


def test_a_learner_with_nothing_in_the_sessions_scope_is_judged_with_everything_remaining(cohort):
    """A file without a session answering only a question outside CONF: nothing in scope, so every provision is not
    attempted and every domain "not attempted"; Ben, who answered half of CONF with a critical error, has that
    question's provisions as critical errors and the domains below Proficient that the reference grader gives."""
    from nasams_course.grading import grade
    from nasams_course.training.completion import from_files

    tmp, plan = cohort["tmp"], PLANS[CONF]
    scope = {q: BANK.questions[q] for q in plan.questions}
    outside = next(q for q in PLANS[PART1].questions if q not in scope)
    path = tmp / "outside.json"
    path.write_text(json.dumps({"schema": "nasams-course/responses@2", "learner": "Out Side", "responses": [
        {"question": outside, "answer": keyed_answer(BANK.questions[outside]), "at": format_time(T0)}]}),
        encoding="utf-8")
    out, ben = from_files([path, tmp / "ben-conf.json"], plan, BANK)
    empty = grade(scope, [])
    assert (out.name, out.complete, out.provisions, out.levels) == ("Out Side", False, (), {})
    assert out.remaining == {"provisions_not_attempted": [p.id for p in empty.provisions],
                             "domains_below_proficient": dict.fromkeys((d.id for d in empty.domains), "not attempted"),
                             "critical_errors": []}
    report = gb_report("Ben Ode", cohort)
    question = str(cohort["violation"])
    assert not ben.complete and ben.remaining["critical_errors"] == list(BANK.questions[question].provisions)
    below = ben.remaining["domains_below_proficient"]
    assert below == {d.id: d.level or "not attempted" for d in report.domains if d.level not in ("Mastery", "Proficient")}


def test_from_the_gradebook_a_session_it_lacks_is_refused_naming_the_sessions_it_has(cohort):
    from nasams_course.training.completion import CompletionError, from_gradebook

    tmp = cohort["tmp"]
    drill = responses(tmp / "drill.json", "Dee", "a-drill", keyed(PLANS[PART1]))
    nowhere = tmp / "nowhere.json"
    nowhere.write_text(json.dumps({"schema": "nasams-course/responses@2", "learner": "Dee", "responses": []}),
                       encoding="utf-8")
    for name, files, listed in (("two.sqlite", [tmp / "cy-part1.json", drill], "a-drill, part1-assessment"),
                                ("none.sqlite", [nowhere], "none")):
        assert gb.import_files(tmp / name, files, questions=BANK.questions).ok
        with pytest.raises(CompletionError) as refused:
            from_gradebook(tmp / name, PLANS[CONF], BANK)
        assert str(refused.value) == (f"{tmp / name} has no attempts for session 'confidentiality-and-victims' "
                                      f"(its sessions: {listed})")


def test_from_the_gradebook_answers_at_one_time_count_in_file_order_and_the_date_is_the_last(cohort):
    """Eve's two files (as in the test from files above) imported into a gradebook: the same outcome."""
    from nasams_course.training.completion import from_gradebook

    tmp, plan = cohort["tmp"], PLANS[CONF]
    first, second = eve_files(tmp, plan)
    db = tmp / "eve.sqlite"
    assert gb.import_files(db, [first, second], questions=BANK.questions).ok
    [eve] = from_gradebook(db, plan, BANK)
    assert (eve.name, eve.complete, eve.completed_on, eve.remaining) == ("Eve Sol", True, "2026-11-03", {})


def test_certify_refuses_a_certificate_too_long_for_its_page_naming_the_field_and_writes_nothing(cohort, capsys):
    """The assessment under an id of 80 letters w, a title and an issuer's name of 200 capital Ws, for a learner named
    in 200 of the widest letters DejaVu Sans prints (Canadian syllabics, near twice as wide as a W): as long as a
    syllabus, an issuer file and a response file allow, and no type size from 7 points up fits it on one page."""
    tmp, plan = cohort["tmp"], PLANS[PART1]
    wide = tmp / "wide.yml"
    wide.write_text(PART1.read_text(encoding="utf-8").replace(f"id: {plan.id}", f"id: {'w' * 80}")
                    .replace(f'title: "{plan.title}"', f"title: {'W' * 200}"), encoding="utf-8")
    learner = "ᙱ" * 200
    answers = responses(tmp / "w.json", learner, "w" * 80, keyed(plan))
    key, issuer, _ = init_issuer(tmp / "wide-keys", "W" * 200)
    args = ["--root", str(REPO), "certify", "--session", str(wide), "--key", str(key), "--issuer", str(issuer),
            "--out", str(tmp / "out"), str(answers)]
    assert main(args) == 2
    assert capsys.readouterr().err == (
        f"nasams-course: learner 1 ({learner!r}): learner: too long to print the certificate on one page, even in "
        "7-point type (200 characters): shorten it\n")
    assert not (tmp / "out").exists()
