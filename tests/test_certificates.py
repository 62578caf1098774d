"""Certificates: issuer keys, signed records and tokens, the PDF (its text, keywords and QR code), offline
verification that names the field that differs, revocation, and certifying a session's learners. Every key here is
made in tmp_path; the committed issuer file (issuer/issuer.json) is a demonstration whose private key was discarded."""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pypdf import PdfReader

from conftest import REPO, ascii_locale
from nasams_course.cli import main
from nasams_course.training import certificates
from nasams_course.training.certificate_pdf import (
    NOT_A_CERTIFICATE,
    PrintError,
    certificate_pdf,
    read_pdf_text,
    statement_pdf,
    verification_url,
)
from nasams_course.training.certificates import (
    RecordError,
    canonical_json,
    ce_hours,
    certificate_file,
    certificate_record,
    decode_token,
    format_code,
    issue,
    normalize_code,
    token_digest,
)
from nasams_course.training.certify import LearnerOutcome, certify_learners
from nasams_course.training.issuer import (
    Issuer,
    IssuerError,
    b64url,
    b64url_decode,
    init_issuer,
    key_id_of,
    public_raw,
    read_issuer,
    read_private_key,
)
from nasams_course.training.verify import (
    RevocationError,
    add_revocation,
    read_revoked,
    verify,
    verify_certificate_file,
    verify_pdf,
)

#: the fields the issue names, with a changed value for each (as a forger would change them)
CHANGES = {
    "learner": "Anna Ruiz",
    "ce_hours": 7.5,
    "completed_on": "2026-10-02",
    "provisions": ["S5", "S16", "E6"],
    "levels": {"confidentiality": "Mastery", "team": "Mastery"},
}


@pytest.fixture
def keys(tmp_path) -> tuple[Issuer, Ed25519PrivateKey, Path]:
    key_path, issuer_path, issuer = init_issuer(tmp_path / "keys", "Mitigation Training Institute",
                                                "https://training.example.org/nasams/book/orientation/verify.html")
    return issuer, read_private_key(key_path), issuer_path


def make_record(issuer: Issuer, **over) -> dict:
    fields = dict(learner="Ana Ruiz", session_id="ce-2026-11", session_title="Confidentiality & victims: a CE seminar",
                  completed_on="2026-11-02", minutes=95, provisions=["S5", "S16"],
                  levels={"confidentiality": "Proficient", "team": "Mastery"}, issuer=issuer,
                  issued_at="2026-11-03T10:00:00Z")
    return certificate_record(**{**fields, **over})


def tampered_token(token: str, **changes) -> str:
    """The token's record with fields changed, re-encoded, and the original signature kept."""
    record = {**decode_token(token), **changes}
    return f"{b64url(canonical_json(record))}.{token.split('.')[1]}"


# -- CE hours ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("minutes", "hours"), [(0, 0), (14, 0), (15, 0.25), (44, 0.5), (45, 0.75), (59, 0.75),
                                                (60, 1), (90, 1.5), (104, 1.5), (105, 1.75), (480, 8)])
def test_ce_hours_round_down_to_the_quarter_hour(minutes, hours):
    assert ce_hours(minutes) == hours


@pytest.mark.parametrize("minutes", [-1, 1.5, "90", True])
def test_ce_hours_refuse_what_is_not_a_whole_number_of_minutes(minutes):
    with pytest.raises(RecordError, match="minutes"):
        ce_hours(minutes)


# -- issuer keys ------------------------------------------------------------------------------------------------------

def test_issuer_init_writes_a_private_key_only_its_owner_can_read_and_a_public_issuer_file(tmp_path):
    old = os.umask(0)  # even with a umask that lets everyone read new files
    try:
        key_path, issuer_path, issuer = init_issuer(tmp_path / "k", "Org")
    finally:
        os.umask(old)
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    key = read_private_key(key_path)
    data = json.loads(issuer_path.read_text())
    assert data == {"schema": "nasams-course/issuer@1", "name": "Org", "key_id": key_id_of(public_raw(key)),
                    "public_key": b64url(public_raw(key))}
    assert b64url_decode(data["public_key"]) == public_raw(key) and len(public_raw(key)) == 32
    assert "PRIVATE" not in issuer_path.read_text() and "PRIVATE KEY" in key_path.read_text()
    assert read_issuer(issuer_path) == issuer


def test_issuer_init_never_replaces_a_key(tmp_path):
    key_path, _issuer_path, _ = init_issuer(tmp_path, "Org")
    before = key_path.read_bytes()
    with pytest.raises(IssuerError, match="exists"):
        init_issuer(tmp_path, "Org")
    assert key_path.read_bytes() == before


@pytest.mark.parametrize("where", ["repository", "git", "built book"])
def test_issuer_init_refuses_a_folder_inside_a_repository_or_a_built_book(tmp_path, where):
    if where == "repository":
        out = REPO / "keys-here"
    elif where == "git":
        (tmp_path / ".git").mkdir()
        out = tmp_path / "secrets" / "keys"
    else:
        (tmp_path / "_static").mkdir()
        (tmp_path / "index.html").write_text("<html></html>")
        out = tmp_path / "book" / "keys"
    with pytest.raises(IssuerError, match=r"--out: .*(git repository|course|built book)"):
        init_issuer(out, "Org")
    assert not out.exists()


def test_the_cli_refuses_keys_inside_the_course_it_runs_in(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert main(["issuer", "init", "--out", "keys-here", "--name", "Org"]) == 2
    assert "a private key must" in capsys.readouterr().err
    assert not (REPO / "keys-here").exists()
    assert main(["issuer", "init", "--out", str(tmp_path / "k"), "--name", "Org"]) == 0
    assert "mode 600" in capsys.readouterr().out


def test_a_private_key_others_can_read_is_refused(tmp_path):
    key_path, _, _ = init_issuer(tmp_path, "Org")
    key_path.chmod(0o644)
    with pytest.raises(IssuerError, match="chmod 600"):
        read_private_key(key_path)


@pytest.mark.parametrize(("change", "message"), [
    ({"key_id": "0000000000000000"}, "key_id: .* is not the id of this public key"),
    ({"public_key": "abc"}, "public_key: expected an Ed25519 public key"),
    ({"schema": "other"}, "schema: expected"),
    ({"name": "Org\nline"}, "name: control characters"),
    ({"verify_url": "https://x.org/v.html#t="}, "verify_url: .*no '#'"),
])
def test_a_bad_issuer_file_is_refused_naming_the_field(keys, tmp_path, change, message):
    _issuer, _key, issuer_path = keys
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**json.loads(issuer_path.read_text()), **change}))
    with pytest.raises(IssuerError, match=message):
        read_issuer(bad)


def test_the_committed_demonstration_issuer_file_is_valid_and_has_no_private_key():
    issuer = read_issuer(REPO / "issuer" / "issuer.json")
    assert "demonstration" in issuer.name.lower()
    assert read_revoked(REPO / "issuer" / "revoked.json") == {}
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True).stdout
    assert not [f for f in tracked.splitlines() if f.endswith((".pem", ".key"))]


# -- records and tokens -----------------------------------------------------------------------------------------------

def test_a_certificate_verifies_and_its_token_is_the_signed_canonical_json(keys):
    issuer, key, _ = keys
    record = make_record(issuer)
    token = issue(record, key)
    payload, signature = token.split(".")
    assert "=" not in token and b64url_decode(payload) == canonical_json(record)
    assert canonical_json(record).startswith(b'{"ce_hours":1.5,"completed_on":"2026-11-02","id":"')
    assert len(b64url_decode(signature)) == 64
    v = verify(token, issuer)
    assert (v.valid, v.outcome, v.record) == (True, "valid", record)
    assert normalize_code(format_code(record["id"]).lower().replace("0", "o")) == record["id"]


def test_the_record_holds_what_the_issue_lists(keys):
    issuer, _key, _ = keys
    record = make_record(issuer)
    assert set(record) == {"schema", "id", "learner", "session_id", "session_title", "completed_on", "ce_hours",
                           "provisions", "levels", "issuer", "key_id", "issued_at"}
    assert (record["issuer"], record["key_id"], record["ce_hours"]) == (issuer.name, issuer.key_id, 1.5)
    assert record["id"] != make_record(issuer)["id"]  # random


@pytest.mark.parametrize(("field", "value"), list(CHANGES.items()))
def test_changing_any_field_of_a_bare_token_makes_it_invalid(keys, field, value):
    issuer, key, _ = keys
    token = issue(make_record(issuer), key)
    v = verify(tampered_token(token, **{field: value}), issuer)
    assert not v.valid and v.outcome == "tampered"
    # a bare token holds the only copy of the record: the field cannot be named, and the reason says so plainly
    assert v.reason.startswith("the signature does not match the record") and "learner name" in v.reason


@pytest.mark.parametrize(("field", "value"), list(CHANGES.items()))
def test_changing_a_readable_field_of_a_certificate_file_is_invalid_and_names_it(keys, tmp_path, field, value):
    issuer, key, _ = keys
    record = make_record(issuer)
    token = issue(record, key)
    path = tmp_path / "c.json"
    path.write_text(json.dumps(certificate_file({**record, field: value}, token)))
    v = verify_certificate_file(path, issuer)
    assert (v.valid, v.outcome, v.field) == (False, "mismatch", field)
    path.write_text(json.dumps(certificate_file(record, tampered_token(token, **{field: value}))))
    v = verify_certificate_file(path, issuer)
    assert (v.valid, v.outcome, v.field) == (False, "tampered", field)
    path.write_text(json.dumps(certificate_file(record, token)))
    assert verify_certificate_file(path, issuer).valid


def test_a_record_signed_by_another_key_is_invalid(keys):
    issuer, _key, _ = keys
    other = Ed25519PrivateKey.generate()
    other_issuer = Issuer("Someone else", key_id_of(public_raw(other)), public_raw(other))
    v = verify(issue(make_record(other_issuer), other), issuer)
    assert (v.valid, v.outcome) == (False, "other-issuer") and "Someone else" in v.reason
    # the same, claiming this issuer's name and key id: the signature still fails
    forged = {**make_record(issuer)}
    payload = canonical_json(forged)
    v = verify(f"{b64url(payload)}.{b64url(other.sign(payload))}", issuer)
    assert (v.valid, v.outcome) == (False, "tampered")


def test_issue_refuses_a_record_it_would_not_verify(keys):
    issuer, key, _ = keys
    with pytest.raises(RecordError, match="key_id"):
        issue(make_record(issuer), Ed25519PrivateKey.generate())
    with pytest.raises(RecordError, match=r"ce_hours: .*quarter"):
        issue({**make_record(issuer), "ce_hours": 1.3}, key)
    with pytest.raises(RecordError, match="provisions"):
        make_record(issuer, provisions=["S5", "Z9"])
    with pytest.raises(RecordError, match="levels"):
        make_record(issuer, levels={"team": "Excellent"})
    with pytest.raises(RecordError, match="learner"):
        make_record(issuer, learner="Ana\nRuiz")


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "!!.??", "eyJ9.AAAA", b64url(b"[1]") + "." + b64url(bytes(64))])
def test_a_malformed_token_is_reported_not_raised(keys, token):
    v = verify(token, keys[0])
    assert (v.valid, v.outcome, v.record) == (False, "malformed", None)


# -- revocation -------------------------------------------------------------------------------------------------------

def test_a_revoked_certificate_is_reported_revoked(keys, tmp_path):
    issuer, key, _ = keys
    record = make_record(issuer)
    token = issue(record, key)
    listing = tmp_path / "book" / "revoked.json"
    assert add_revocation(listing, format_code(record["id"]).lower(), "issued in error") == (record["id"], True)
    assert add_revocation(listing, record["id"]) == (record["id"], False)  # once only
    revoked = read_revoked(listing)
    v = verify(token, issuer, revoked)
    assert (v.valid, v.outcome, v.field) == (False, "revoked", "id") and "issued in error" in v.reason
    assert verify(issue(make_record(issuer), key), issuer, revoked).valid  # another certificate still stands
    assert json.loads(listing.read_text())["schema"] == "nasams-course/revoked@1"


def test_revoke_refuses_what_is_not_a_certificate_id_and_keeps_the_list(tmp_path):
    listing = tmp_path / "revoked.json"
    add_revocation(listing, "ABCDE-12345")
    before = listing.read_text()
    with pytest.raises(RevocationError, match="not a certificate id"):
        add_revocation(listing, "ABCDE-1234U")
    listing.write_text("{broken")
    with pytest.raises(RevocationError, match="not a readable JSON"):
        add_revocation(listing, "ABCDE-12346")
    assert listing.read_text() == "{broken"
    listing.write_text(before)
    assert list(read_revoked(listing)) == ["ABCDE12345"]


# -- the PDF ----------------------------------------------------------------------------------------------------------

def test_the_pdf_holds_the_name_id_hours_and_token_and_its_qr_opens_the_verify_page(keys, tmp_path):
    import zxingcpp

    issuer, key, _ = keys
    record = make_record(issuer)
    token = issue(record, key)
    pdf = certificate_pdf(record, token, issuer, tmp_path / "c.pdf")
    keyword_token, text = read_pdf_text(pdf)
    assert keyword_token == token
    for shown in ("Ana Ruiz", format_code(record["id"]), "1.5 CE hours", "2 November 2026",
                  "does not show who sat at the keyboard"):
        assert shown in text
    assert token in "".join(text.split())
    images = PdfReader(str(pdf)).pages[0].images
    assert len(images) == 1
    found = zxingcpp.read_barcodes(images[0].image)
    assert [b.text for b in found] == [verification_url(issuer, token)]
    assert found[0].text == "https://training.example.org/nasams/book/orientation/verify.html#t=" + token


def test_a_name_outside_latin_1_prints_and_verifies(keys, tmp_path):
    issuer, key, _ = keys
    record = make_record(issuer, learner="Łukasz Nguyễn Ørsted")
    pdf = certificate_pdf(record, issue(record, key), issuer, tmp_path / "c.pdf")
    assert "Łukasz Nguyễn Ørsted" in read_pdf_text(pdf)[1]
    assert verify_pdf(pdf, issuer).valid


def test_a_name_no_certificate_font_can_print_is_refused_not_left_out(keys, tmp_path):
    issuer, key, _ = keys
    record = make_record(issuer, learner="山田 太郎")
    with pytest.raises(PrintError, match="learner: cannot print 山 田 太 郎"):
        certificate_pdf(record, issue(record, key), issuer, tmp_path / "c.pdf")
    rows = [ROWS[0], {**ROWS[0], "name": "山田 太郎"}]
    with pytest.raises(RecordError, match=r"learner 2 .*cannot print"):
        certify_learners(rows, "A seminar", "sem-1", 100, issuer, key, tmp_path / "run")
    assert not (tmp_path / "c.pdf").exists() and not (tmp_path / "run").exists()


@pytest.mark.parametrize(("field", "value"), list(CHANGES.items()))
def test_a_pdf_printed_with_a_changed_field_is_invalid_and_names_it(keys, tmp_path, field, value):
    """A forger prints a certificate with one field changed, beside the genuine token; or keeps the print and
    changes the token."""
    issuer, key, _ = keys
    record = make_record(issuer)
    token = issue(record, key)
    assert verify_pdf(certificate_pdf(record, token, issuer, tmp_path / "good.pdf"), issuer).valid
    v = verify_pdf(certificate_pdf({**record, field: value}, token, issuer, tmp_path / "forged.pdf"), issuer)
    assert (v.valid, v.outcome, v.field) == (False, "mismatch", field)
    v = verify_pdf(certificate_pdf(record, tampered_token(token, **{field: value}), issuer, tmp_path / "t.pdf"), issuer)
    assert (v.valid, v.outcome, v.field) == (False, "tampered", field)
    # a token changed into a record that would not even print: still reported, never raised
    v = verify_pdf(certificate_pdf(record, tampered_token(token, **{field: None}), issuer, tmp_path / "n.pdf"), issuer)
    assert (v.valid, v.outcome) == (False, "tampered")


def rewrite_keywords(pdf: Path, keywords: str | None, out: Path) -> Path:
    """The PDF with its keywords replaced (None: removed), as any PDF editor can do."""
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=str(pdf))
    info = {k: v for k, v in (PdfReader(str(pdf)).metadata or {}).items() if k != "/Keywords"}
    writer.metadata = None
    writer.add_metadata({**info, **({"/Keywords": keywords} if keywords is not None else {})})
    writer.write(str(out))
    return out


def test_the_token_is_read_from_the_keywords_or_the_text_and_the_two_must_agree(keys, tmp_path):
    issuer, key, _ = keys
    record = make_record(issuer)
    pdf = certificate_pdf(record, issue(record, key), issuer, tmp_path / "c.pdf")
    stripped = rewrite_keywords(pdf, None, tmp_path / "stripped.pdf")
    assert read_pdf_text(stripped)[0] is None and verify_pdf(stripped, issuer).valid  # from the printed token
    other = issue(make_record(issuer), key)
    swapped = rewrite_keywords(pdf, f"nasams-certificate-token:{other}", tmp_path / "swapped.pdf")
    v = verify_pdf(swapped, issuer)
    assert (v.valid, v.field) == (False, "token") and "two different tokens" in v.reason


def test_a_revoked_pdf_is_reported_revoked(keys, tmp_path):
    issuer, key, _ = keys
    record = make_record(issuer)
    pdf = certificate_pdf(record, issue(record, key), issuer, tmp_path / "c.pdf")
    listing = tmp_path / "revoked.json"
    add_revocation(listing, record["id"])
    assert verify_pdf(pdf, issuer, read_revoked(listing)).outcome == "revoked"


def test_a_statement_of_what_remains_is_not_a_certificate(tmp_path):
    remaining = {"provisions_not_attempted": ["S5", "E6"], "domains_below_proficient": {"confidentiality": "Developing"},
                 "critical_errors": ["S16"]}
    pdf = statement_pdf("Ben Ode", {"id": "ce-2026-11", "title": "A seminar"}, remaining, tmp_path / "s.pdf")
    keyword_token, text = read_pdf_text(pdf)
    assert keyword_token is None and not PdfReader(str(pdf)).pages[0].images  # no token, no QR code
    assert len(PdfReader(str(pdf)).pages) == 1
    for shown in (NOT_A_CERTIFICATE, "Ben Ode", "S5 · Contact with victims", "Privacy, confidentiality",
                  "Confidentiality, privilege and records: Developing", "S16 · Privilege"):
        assert shown in text


# -- certifying a session's learners ----------------------------------------------------------------------------------

ROWS = [
    {"name": "Ana Ruiz", "complete": True, "completed_on": "2026-11-02", "provisions": ("S5", "S16"),
     "levels": {"confidentiality": "Proficient"}},
    LearnerOutcome(name="Ben Ode", complete=False, completed_on="2026-11-02",
                   remaining={"provisions_not_attempted": ["S16"], "domains_below_proficient": {},
                              "critical_errors": ["S5"]}),
    {"name": "=HYPERLINK(\"x\")", "complete": True, "completed_on": "2026-11-01", "provisions": ("S5",),
     "levels": {"team": "Mastery"}},
]


def test_certify_learners_gives_completers_certificates_and_the_others_a_statement(keys, tmp_path):
    issuer, key, issuer_path = keys
    out = tmp_path / "run"
    issued = certify_learners(ROWS, "A seminar", "sem-1", 100, issuer, key, out)
    assert [(i.learner, i.kind) for i in issued] == [("Ana Ruiz", "certificate"), ("Ben Ode", "statement"),
                                                     ('=HYPERLINK("x")', "certificate")]
    ana, ben, _ = issued
    assert verify(ana.token, issuer).record["ce_hours"] == 1.5 and verify_pdf(ana.pdf, issuer).valid
    assert verify_certificate_file(ana.json_file, issuer).valid
    assert ben.token is None and ben.certificate_id is None and read_pdf_text(ben.pdf)[0] is None
    assert NOT_A_CERTIFICATE in read_pdf_text(ben.pdf)[1]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["certificates.csv", ana.pdf.name, ana.json_file.name, ben.pdf.name, issued[2].pdf.name,
         issued[2].json_file.name])
    rows = list(csv.DictReader((out / "certificates.csv").open(encoding="utf-8")))
    assert [r["outcome"] for r in rows] == ["certificate", "statement", "certificate"]
    assert rows[0]["certificate_id"] == ana.certificate_id and rows[0]["ce_hours"] == "1.5"
    assert rows[2]["learner"].startswith("'=")  # never a spreadsheet formula
    assert main(["verify", str(ana.pdf), "--issuer", str(issuer_path)]) == 0


def test_certify_learners_writes_nothing_when_a_record_is_bad_and_replaces_nothing(keys, tmp_path):
    issuer, key, _ = keys
    bad = [ROWS[0], {**ROWS[0], "name": "Cy", "levels": {"team": "Great"}}]
    with pytest.raises(RecordError, match="learner 2 \\('Cy'\\): levels"):
        certify_learners(bad, "A seminar", "sem-1", 100, issuer, key, tmp_path / "run")
    bad = [ROWS[0], {**ROWS[1].__dict__, "remaining": {"provisions_not_attempted": ["Z9"]}}]
    with pytest.raises(RecordError, match="learner 2 \\('Ben Ode'\\): remaining: 'Z9' is not a provision id"):
        certify_learners(bad, "A seminar", "sem-1", 100, issuer, key, tmp_path / "run")
    assert not (tmp_path / "run").exists()
    certify_learners(ROWS[:2], "A seminar", "sem-1", 100, issuer, key, tmp_path / "run")
    with pytest.raises(FileExistsError, match=r"certificates\.csv: exists"):
        certify_learners(ROWS[:2], "A seminar", "sem-1", 100, issuer, key, tmp_path / "run")


LACK = " (the PDF fonts, Helvetica and DejaVu Sans, lack them)"


def test_certify_learners_refuses_a_session_or_issuer_no_font_can_print_naming_each_before_writing(keys, tmp_path):
    """The session's title and id and the issuer's name are printed on every certificate and statement: any that no
    font can print is refused, each named in its own words, before a learner is looked at or a file written; so is
    a learner's name, with the learner's row."""
    issuer, key, _ = keys
    japanese = dataclasses.replace(issuer, name="山田研修所")
    with pytest.raises(PrintError) as refused:
        certify_learners(ROWS, "研修 seminar", "sem-会", 100, japanese, key, tmp_path / "run")
    assert str(refused.value) == (f"session title: cannot print 研 修{LACK}; session id: cannot print 会{LACK}; "
                                  f"issuer: cannot print 山 田 研 修 所{LACK}")
    with pytest.raises(RecordError) as refused:
        certify_learners([ROWS[0], {**ROWS[0], "name": "山田 太郎"}], "A seminar", "sem-1", 100, issuer, key,
                         tmp_path / "run")
    assert str(refused.value) == f"learner 2 ('山田 太郎'): name: cannot print 山 田 太 郎{LACK}"
    assert not (tmp_path / "run").exists()


def test_certify_learners_never_replaces_a_file_an_interrupted_run_left(keys, tmp_path, monkeypatch):
    """A run stopped before its CSV was written leaves the statements (named by row and learner) and certificates
    it wrote: run again into that folder, each such file is found first and refused, never written over. A
    certificate's file is named by its random id, so it is met again only if an id is drawn twice (made so here)."""
    issuer, key, _ = keys
    out = tmp_path / "run"
    out.mkdir()
    earlier = out / "statement-0002-ben-ode.pdf"
    earlier.write_bytes(b"an earlier statement")
    with pytest.raises(FileExistsError) as refused:
        certify_learners(ROWS, "A seminar", "sem-1", 100, issuer, key, out)
    assert str(refused.value) == f"{earlier}: exists; certificates are never replaced (choose an empty --out)"
    assert list(out.iterdir()) == [earlier] and earlier.read_bytes() == b"an earlier statement"
    earlier.unlink()
    monkeypatch.setattr(certificates, "new_certificate_id", lambda: "ABCDE12345")
    for ext in ("pdf", "json"):
        earlier = out / f"certificate-ABCDE12345.{ext}"
        earlier.write_bytes(b"an earlier certificate")
        with pytest.raises(FileExistsError) as refused:
            certify_learners(ROWS[:1], "A seminar", "sem-1", 100, issuer, key, out)
        assert str(refused.value) == f"{earlier}: exists; certificates are never replaced (choose an empty --out)"
        assert list(out.iterdir()) == [earlier] and earlier.read_bytes() == b"an earlier certificate"
        earlier.unlink()


def test_certify_learners_writes_into_a_new_folder_at_any_depth_or_an_empty_one(keys, tmp_path):
    issuer, key, _ = keys
    for out in (tmp_path / "courses" / "2026" / "november", tmp_path / "empty"):
        if out.name == "empty":
            out.mkdir()
        issued = certify_learners(ROWS[:2], "A seminar", "sem-1", 100, issuer, key, out)
        assert sorted(p.name for p in out.iterdir()) == sorted(
            ["certificates.csv", issued[0].pdf.name, issued[0].json_file.name, issued[1].pdf.name])


def test_a_certificate_s_json_file_is_one_field_a_line_in_utf8_whatever_the_locale(keys, tmp_path):
    """The JSON file beside each certificate's PDF is read by people too: indented two spaces a level, one field a
    line, a name in its own letters (not \\u escapes), ending in a line break; written in UTF-8 on a machine whose
    locale's encoding is ASCII (the C locale, as a server may have)."""
    issuer, key, _ = keys
    with ascii_locale():
        [issued] = certify_learners([{**ROWS[0], "name": "Łukasz Nguyễn"}], "A seminar", "sem-1", 100, issuer, key,
                                    tmp_path / "run")
    text = issued.json_file.read_bytes().decode("utf-8")
    lines = text.split("\n")
    assert lines[:3] == ["{", '  "schema": "nasams-course/certificate-file@1",', '  "record": {']
    assert '    "learner": "Łukasz Nguyễn",' in lines and '    "provisions": [' in lines and '      "S5",' in lines
    assert lines[-3:] == [f'  "token": "{issued.token}"', "}", ""]
    assert json.loads(text) == certificate_file(verify(issued.token, issuer).record, issued.token)


def test_the_run_csv_leaves_a_statement_s_certificate_cells_empty(keys, tmp_path):
    """The run's CSV, as a spreadsheet shows it: its header, and for a learner given a statement only the name, the
    outcome and the statement's file (no certificate id, CE hours, JSON file nor token digest)."""
    issuer, key, _ = keys
    ana, _ben = certify_learners(ROWS[:2], "A seminar", "sem-1", 100, issuer, key, tmp_path / "run")
    lines = (tmp_path / "run" / "certificates.csv").read_text(encoding="utf-8").splitlines()
    assert lines == ["learner,outcome,certificate_id,ce_hours,pdf,json,token_sha256",
                     f"Ana Ruiz,certificate,{ana.certificate_id},1.5,{ana.pdf.name},{ana.json_file.name},"
                     f"{token_digest(ana.token)}",
                     "Ben Ode,statement,,,statement-0002-ben-ode.pdf,,"]


# -- the command line -------------------------------------------------------------------------------------------------

def test_verify_and_revoke_on_the_command_line(keys, tmp_path, capsys):
    issuer, key, issuer_path = keys
    record = make_record(issuer)
    token = issue(record, key)
    listing = tmp_path / "revoked.json"
    assert main(["verify", token, "--issuer", str(issuer_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("valid:") and "Ana Ruiz" in out and format_code(record["id"]) in out
    assert main(["verify", tampered_token(token, learner="Eve"), "--issuer", str(issuer_path)]) == 1
    assert capsys.readouterr().out.startswith("invalid: the signature does not match the record")
    assert main(["revoke", format_code(record["id"]), "--list", str(listing), "--reason", "issued in error"]) == 0
    assert "revoked " + format_code(record["id"]) in capsys.readouterr().out
    assert main(["verify", token, "--issuer", str(issuer_path), "--revoked", str(listing), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["outcome"] == "revoked"
    path = tmp_path / "c.json"
    path.write_text(json.dumps(certificate_file({**record, "ce_hours": 9.0}, token)))
    assert main(["verify", str(path), "--issuer", str(issuer_path)]) == 1
    assert "field: ce_hours (CE hours)" in capsys.readouterr().out


@pytest.mark.parametrize("args", [
    ["verify", "x.y", "--issuer", "missing.json"],
    ["verify", "7K3M9-QX2PD", "--issuer", "{issuer}"],
    ["verify", "x.y", "--issuer", "{issuer}", "--revoked", "missing.json"],
    ["revoke", "not-an-id", "--list", "{tmp}/r.json"],
])
def test_usage_errors_exit_2_with_a_message(keys, tmp_path, capsys, args):
    args = [a.format(issuer=keys[2], tmp=tmp_path) for a in args]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("nasams-course: ") and "Traceback" not in err


def test_verify_and_revoke_need_no_course(keys, tmp_path, monkeypatch, capsys):
    """An employer checks a certificate without the course: the commands never look for a course root."""
    import nasams_course.cli as cli

    def no_course(*_args):
        raise FileNotFoundError("cannot find the course root")

    monkeypatch.setattr(cli, "find_root", no_course)
    issuer, key, issuer_path = keys
    assert main(["verify", issue(make_record(issuer), key), "--issuer", str(issuer_path)]) == 0
    assert main(["revoke", "ABCDE-12345", "--list", str(tmp_path / "r.json")]) == 0
    assert main(["issuer", "init", "--out", str(tmp_path / "k"), "--name", "Org"]) == 0
    assert main(["validate"]) == 2  # a command that needs the course still says so


# -- the book: the verify page gets the issuer's data, and the book publishes the files -------------------------------

def build_book(root: Path) -> subprocess.CompletedProcess:
    jupyter_book = str(Path(sys.executable).with_name("jupyter-book"))
    return subprocess.run([jupyter_book, "build", str(root), "-W", "-n", "--keep-going"], capture_output=True,
                          text=True, timeout=300)


def page_data(html: Path) -> dict:
    text = html.read_text(encoding="utf-8")
    return json.loads(text.split('<script type="application/json" id="nasams-verify-data">')[1].split("</script>")[0])


def test_the_book_gives_its_verify_page_the_issuer_and_republishes_a_revocation(tmp_path, keys):
    """_config.yml names the issuer file and the revocation list: the verify page embeds them, the built book
    carries them at its root, a revocation rebuilds the page, and a bad issuer file fails the build."""
    issuer, _key, issuer_path = keys
    book = tmp_path / "book-root"
    (book / "book" / "part").mkdir(parents=True)
    shutil.copy(REPO / "_config.yml", book / "_config.yml")
    (book / "_toc.yml").write_text("format: jb-book\nroot: book/part/verify\n")
    shutil.copy(REPO / "book" / "orientation" / "verify.md", book / "book" / "part" / "verify.md")
    (book / "issuer").mkdir()
    shutil.copy(issuer_path, book / "issuer" / "issuer.json")
    add_revocation(book / "issuer" / "revoked.json", "ABCDE-12345")
    out = build_book(book)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    html = book / "_build" / "html"
    data = page_data(html / "book" / "part" / "verify.html")
    assert data["issuer"] == json.loads(issuer_path.read_text()) and [r["id"] for r in data["revoked"]] == ["ABCDE12345"]
    assert "nasams-verify.js" in (html / "book" / "part" / "verify.html").read_text()
    assert read_issuer(html / "issuer.json") == issuer
    add_revocation(book / "issuer" / "revoked.json", "FGHJK-67890", "issued in error")
    assert build_book(book).returncode == 0  # incremental: only the revocation list changed
    assert [r["id"] for r in page_data(html / "book" / "part" / "verify.html")["revoked"]] == ["ABCDE12345",
                                                                                              "FGHJK67890"]
    assert list(read_revoked(html / "revoked.json")) == ["ABCDE12345", "FGHJK67890"]
    (book / "issuer" / "issuer.json").write_text(issuer_path.read_text().replace(issuer.key_id, "0" * 16))
    out = build_book(book)
    assert out.returncode != 0 and "issuer/issuer.json:key_id: '0000000000000000' is not the id" in out.stdout + out.stderr
