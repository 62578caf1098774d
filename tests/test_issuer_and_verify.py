"""The issuer's files and the verdicts of `verify`, in the words a trainer or an employer reads: every refusal of an
issuer file, a key, an address or a revocation list names what is wrong; every verdict says why. Written for the
survivors of `make mutate` in training/issuer.py and training/verify.py (tools/mutation/last-run.md)."""

from __future__ import annotations

import json
import os
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from test_certificates import make_record, rewrite_keywords, tampered_token

from conftest import ascii_locale
from nasams_course.training.certificate_pdf import certificate_pdf, read_pdf_text, statement_pdf
from nasams_course.training.certificates import canonical_json, certificate_file, decode_token, issue
from nasams_course.training.issuer import (
    DEFAULT_VERIFY_URL,
    Issuer,
    IssuerError,
    b64url,
    b64url_decode,
    check_name,
    check_verify_url,
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
    revocation_list_json,
    verify,
    verify_certificate_file,
    verify_page_data,
    verify_path_or_token,
    verify_pdf,
)

ORG = "Mitigation Training Institute"


def issuer_file(tmp_path, **over) -> dict:
    """A valid issuer file's fields, with some changed."""
    key = Ed25519PrivateKey.generate()
    data = {"schema": "nasams-course/issuer@1", "name": ORG, "key_id": key_id_of(public_raw(key)),
            "public_key": b64url(public_raw(key))}
    return {**data, **over}


def refusal(tmp_path, data, text: str | None = None) -> str:
    path = tmp_path / "issuer.json"
    path.write_text(text if text is not None else json.dumps(data), encoding="utf-8")
    with pytest.raises(IssuerError) as caught:
        read_issuer(path)
    return str(caught.value).replace(str(path), "FILE")


# -- issuer names and addresses ---------------------------------------------------------------------------------------

def test_a_name_of_200_characters_is_kept_and_201_refused_saying_how_many():
    assert check_name("A" * 200, "--name") == "A" * 200
    with pytest.raises(IssuerError) as caught:
        check_name("A" * 201, "--name")
    assert str(caught.value) == "--name: at most 200 characters (201 given)"


@pytest.mark.parametrize(("name", "message"), [
    ("", "--name: a name is required"),
    ("   ", "--name: a name is required"),
    (None, "--name: a name is required"),
    ("Org\tline", "--name: control characters (a line break, a tab) are not allowed"),
    ("Org\u200bline", "--name: control characters (a line break, a tab) are not allowed"),
])
def test_a_name_that_is_missing_or_holds_control_characters_is_refused_in_words(name, message):
    with pytest.raises(IssuerError) as caught:
        check_name(name, "--name")
    assert str(caught.value) == message


def test_a_name_with_spaces_and_letters_outside_ascii_is_kept():
    assert check_name(" Institut für Ethik ", "--name") == " Institut für Ethik "


@pytest.mark.parametrize("url", ["https://training.example.org/nasams/verify.html", "http://localhost:8000/v.html",
                                 "http://x", "verify.html", "../book/orientation/verify.html", "/verify.html"])
def test_a_verify_address_over_http_or_as_a_path_is_kept(url):
    assert check_verify_url(url, "--verify-url") == url


@pytest.mark.parametrize(("url", "message"), [
    ("", "an address is required"),
    (None, "an address is required"),
    ("https://x.org/v.html#t=", "the address must have no spaces and no '#' (the token goes after it)"),
    ("https://x.org/my page.html", "the address must have no spaces and no '#' (the token goes after it)"),
    ("https://x.org/v.html\x00", "the address must have no spaces and no '#' (the token goes after it)"),
    ("ftp://x.org/v.html", "an address must start http:// or https:// (or be a path)"),
    ("https:///v.html", "an address must start http:// or https:// (or be a path)"),
    ("see https://x.org", "the address must have no spaces and no '#' (the token goes after it)"),
    ("file://x.org/v.html", "an address must start http:// or https:// (or be a path)"),
    ("x-https://x.org/v.html", "an address must start http:// or https:// (or be a path)"),
])
def test_a_verify_address_that_a_phone_could_not_open_is_refused_in_words(url, message):
    with pytest.raises(IssuerError) as caught:
        check_verify_url(url, "--verify-url")
    assert str(caught.value) == f"--verify-url: {message}"


# -- issuer files -----------------------------------------------------------------------------------------------------

def test_the_issuer_file_is_written_one_field_a_line_in_readable_utf8(tmp_path):
    """A trainer opens issuer.json to check the name or add `verify_url`: one field a line, the name as typed."""
    _key_path, issuer_path, issuer = init_issuer(tmp_path / "k", "Institut für Ethik", "https://x.org/v.html")
    text = issuer_path.read_text(encoding="utf-8")
    assert text == json.dumps(issuer.to_json(), indent=2, ensure_ascii=False) + "\n"
    assert '\n  "name": "Institut für Ethik",\n' in text and '\n  "verify_url": "https://x.org/v.html"\n' in text
    assert read_issuer(issuer_path) == issuer and issuer.verify_url == "https://x.org/v.html"


def test_an_issuer_file_without_an_address_sends_readers_to_the_books_verify_page(tmp_path):
    data = issuer_file(tmp_path)
    path = tmp_path / "issuer.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    issuer = read_issuer(path)
    assert issuer.verify_url == DEFAULT_VERIFY_URL == "book/orientation/verify.html"
    assert issuer.to_json() == data and issuer.name == ORG
    assert Issuer(ORG, "k", b"", "https://x.org/v.html").to_json()["verify_url"] == "https://x.org/v.html"


def test_an_issuer_file_saved_with_a_byte_order_mark_is_read(tmp_path):
    """Windows editors (Notepad) save UTF-8 with a byte order mark."""
    data = issuer_file(tmp_path, name="Institut für Ethik")
    path = tmp_path / "issuer.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(data, ensure_ascii=False).encode("utf-8"))
    assert read_issuer(path).name == "Institut für Ethik"


def test_every_way_an_issuer_file_can_be_wrong_is_refused_naming_the_field(tmp_path):
    good = issuer_file(tmp_path)
    right_id = good["key_id"]
    assert refusal(tmp_path, [good]) == "FILE: an issuer file holds a JSON object"
    assert refusal(tmp_path, {**good, "schema": "other"}) == (
        "FILE:schema: expected 'nasams-course/issuer@1', found 'other'")
    assert refusal(tmp_path, {k: v for k, v in good.items() if k != "schema"}) == (
        "FILE:schema: expected 'nasams-course/issuer@1', found None")
    assert refusal(tmp_path, {**good, "name": ""}) == "FILE:name: a name is required"
    key_message = "FILE:public_key: expected an Ed25519 public key, 32 bytes in base64url"
    for public_key in (None, 7, "", "abc", good["public_key"] + "=", good["public_key"][:-1] + "+",
                       good["public_key"] + "AAAA", b64url(bytes(31))):
        assert refusal(tmp_path, {**good, "public_key": public_key}) == key_message, public_key
    assert refusal(tmp_path, {**good, "key_id": "0" * 16}) == (
        f"FILE:key_id: '0000000000000000' is not the id of this public key ({right_id})")
    assert refusal(tmp_path, {k: v for k, v in good.items() if k != "key_id"}) == (
        f"FILE:key_id: None is not the id of this public key ({right_id})")
    assert refusal(tmp_path, {**good, "verify_url": "ftp://x.org"}) == (
        "FILE:verify_url: an address must start http:// or https:// (or be a path)")


def test_an_issuer_file_that_is_missing_or_not_json_is_refused_in_words(tmp_path):
    missing = tmp_path / "nowhere" / "issuer.json"
    with pytest.raises(IssuerError) as caught:
        read_issuer(missing)
    assert str(caught.value) == f"{missing}: no such issuer file"
    message = refusal(tmp_path, None, text="{broken")
    assert message.startswith("FILE: not a readable JSON issuer file (Expecting property name")
    with pytest.raises(IssuerError, match=r": not a readable JSON issuer file \(.*Is a directory"):
        read_issuer(tmp_path)
    (tmp_path / "latin1.json").write_bytes(b'{"name": "f\xfcr"}')
    with pytest.raises(IssuerError, match=r"latin1\.json: not a readable JSON issuer file \('utf-8' codec"):
        read_issuer(tmp_path / "latin1.json")


def test_base64url_is_read_only_as_tokens_and_issuer_files_write_it():
    for data in (b"", b"\xff", b"\xff\xfe", b"\xff\xfe\xfd", bytes(range(256))):
        assert b64url_decode(b64url(data)) == data and "=" not in b64url(data)
    assert b64url(b"\xfb\xff") == "-_8"
    # only the padding is taken off: a key or signature whose text ends in letters keeps them all
    assert b64url(b"\x00\x00\x17") == "AAAX" and b64url(b"\x00\x01") == "AAE" and b64url(b"\x00\x00=") == "AAA9"
    for text in ("A", "AAAAA", "QQ==", "QQ=", "a+b/", "a b", "é", None, b"QQ"):
        with pytest.raises(ValueError):  # its words are never shown: a token or issuer file says what is wrong
            b64url_decode(text)


# -- where keys may go, and reading them --------------------------------------------------------------------------------

def folder_with(folder, marks: dict):
    """`folder` holding the named files ("file") and folders ("dir")."""
    folder.mkdir()
    for name, kind in marks.items():
        if kind == "dir":
            (folder / name).mkdir()
        else:
            (folder / name).touch()
    return folder


@pytest.mark.parametrize(("marks", "why"), [
    ({".buildinfo": "file"}, "is a built book, which is published, and a private key must stay out of it"),
    ({"_static": "dir", "index.html": "file"}, "is a built book, which is published, and a private key must stay"),
    ({"_toc.yml": "file", "book": "dir"}, "is a course (it has _toc.yml and book/), and a private key must stay out"),
    ({".git": "dir"}, "is a git repository, and a private key must never be committed"),
    ({".git": "file"}, "is a git repository, and a private key must never be committed"),  # a git worktree
])
def test_keys_are_refused_under_a_course_a_built_book_or_a_repository_saying_which(tmp_path, marks, why):
    home = folder_with(tmp_path / "home", marks)
    with pytest.raises(IssuerError) as caught:
        init_issuer(home / "keys" / "nasams", ORG)
    assert str(caught.value).startswith(f"--out: {home} {why}")
    assert str(caught.value).endswith("; choose a folder of your own (e.g. ~/nasams-issuer)")
    assert not (home / "keys").exists()


@pytest.mark.parametrize("marks", [{"_toc.yml": "file"}, {"book": "dir"}, {"_static": "dir"}, {"index.html": "file"},
                                   {"_toc.yml": "dir", "book": "dir"}, {".buildinfo": "dir"}])
def test_a_folder_that_only_looks_a_little_like_a_course_or_a_book_may_hold_keys(tmp_path, marks):
    home = folder_with(tmp_path / "home", marks)
    key_path, issuer_path, _ = init_issuer(home / "keys" / "nasams", ORG)
    assert key_path.is_file() and issuer_path.is_file()


def test_keys_are_refused_inside_the_course_in_use_and_nowhere_else(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    with pytest.raises(IssuerError) as caught:
        init_issuer(course / "keys", ORG, forbidden=(tmp_path / "elsewhere", course))
    assert str(caught.value) == (f"--out: {course / 'keys'} is inside the course at {course}, and a private key must "
                                 "stay out of it; choose a folder of your own (e.g. ~/nasams-issuer)")
    assert not (course / "keys").exists()
    key_path, _, _ = init_issuer(tmp_path / "mine", ORG, forbidden=(course,))
    assert key_path == tmp_path / "mine" / "issuer-key.pem"


def test_init_refuses_a_bad_name_or_address_before_writing_anything(tmp_path):
    with pytest.raises(IssuerError, match=r"^--name: a name is required$"):
        init_issuer(tmp_path / "k", " ")
    with pytest.raises(IssuerError, match=r"^--verify-url: an address must start"):
        init_issuer(tmp_path / "k", ORG, "ftp://x.org")
    assert not (tmp_path / "k").exists()


def test_init_never_replaces_an_issuer_file_left_without_its_key(tmp_path):
    init_issuer(tmp_path, ORG)
    (tmp_path / "issuer-key.pem").unlink()
    before = (tmp_path / "issuer.json").read_text()
    with pytest.raises(IssuerError) as caught:
        init_issuer(tmp_path, "Another")
    assert str(caught.value) == (f"{tmp_path / 'issuer.json'}: exists; an issuer's keys are never replaced "
                                 "(choose another --out)")
    assert (tmp_path / "issuer.json").read_text() == before and not (tmp_path / "issuer-key.pem").exists()


def test_init_makes_the_folders_it_needs_and_the_key_is_the_issuer_files_key(tmp_path):
    key_path, issuer_path, issuer = init_issuer(tmp_path / "a" / "b" / "c", ORG)
    assert key_path.parent == issuer_path.parent == tmp_path / "a" / "b" / "c"
    key = read_private_key(key_path)
    assert key_path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----\n")
    assert read_issuer(issuer_path).verifier().verify(key.sign(b"x"), b"x") is None
    assert issuer.key_id == key_id_of(public_raw(key)) == key_id_of(public_raw(key.public_key()))
    assert len(issuer.key_id) == 16 and issuer.public_key == public_raw(key)


def test_a_private_key_others_can_read_is_refused_saying_its_mode_and_the_fix(tmp_path):
    key_path, _, _ = init_issuer(tmp_path, ORG)
    for mode in (0o640, 0o604, 0o610, 0o601):
        key_path.chmod(mode)
        with pytest.raises(IssuerError) as caught:
            read_private_key(key_path)
        assert str(caught.value) == (f"{key_path}: others can read this private key (mode {mode:03o}); make it "
                                     f"private with `chmod 600 {key_path}`")
    key_path.chmod(0o400)
    assert isinstance(read_private_key(key_path), Ed25519PrivateKey)


def test_a_private_key_that_is_missing_or_not_an_ed25519_key_is_refused_in_words(tmp_path):
    missing = tmp_path / "issuer-key.pem"
    with pytest.raises(IssuerError) as caught:
        read_private_key(missing)
    assert str(caught.value) == f"{missing}: cannot read the private key (No such file or directory)"
    fd = os.open(missing, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, b"not a key")
    os.close(fd)
    with pytest.raises(IssuerError) as caught:
        read_private_key(missing)
    assert str(caught.value) == f"{missing}: not an unencrypted PEM private key"
    encrypted = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"pw"))
    missing.write_bytes(encrypted)
    with pytest.raises(IssuerError, match=r"not an unencrypted PEM private key$"):
        read_private_key(missing)
    ec = generate_private_key(SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    missing.write_bytes(ec)
    assert stat.S_IMODE(missing.stat().st_mode) == 0o600
    with pytest.raises(IssuerError) as caught:
        read_private_key(missing)
    assert str(caught.value) == f"{missing}: not an Ed25519 key"


# -- verdicts -----------------------------------------------------------------------------------------------------------

@pytest.fixture
def signer(tmp_path) -> tuple[Issuer, Ed25519PrivateKey]:
    key_path, _issuer_path, issuer = init_issuer(tmp_path / "keys", ORG)
    return issuer, read_private_key(key_path)


def cert_file(tmp_path, record: dict, token: str, name: str = "c.json"):
    path = tmp_path / name
    path.write_text(json.dumps(certificate_file(record, token), ensure_ascii=False), encoding="utf-8")
    return path


def test_a_valid_certificate_says_who_signed_it(signer):
    issuer, key = signer
    v = verify(issue(make_record(issuer), key), issuer)
    assert (v.valid, v.reason, v.field, v.outcome) == (
        True, f"a valid certificate signed by {ORG} (key {issuer.key_id})", None, "valid")


def test_a_certificate_of_another_issuer_names_both_issuers_and_keys(signer):
    issuer, _key = signer
    other = Ed25519PrivateKey.generate()
    other_issuer = Issuer("Institut für Ethik", key_id_of(public_raw(other)), public_raw(other))
    theirs = make_record(other_issuer)
    v = verify(issue(theirs, other), issuer)
    assert (v.valid, v.record, v.field, v.outcome) == (False, theirs, "key_id", "other-issuer")
    assert v.reason == (f"signed by another issuer: the record names Institut für Ethik (key {other_issuer.key_id}), "
                        f"and this issuer file is {ORG} (key {issuer.key_id})")
    # a record whose issuer is not even text is shown as JSON, as typed
    odd = {**make_record(other_issuer), "issuer": ["Ökö"], "key_id": 7}
    payload = canonical_json(odd)
    v = verify(f"{b64url(payload)}.{b64url(other.sign(payload))}", issuer)
    assert v.reason.startswith('signed by another issuer: the record names ["Ökö"] (key 7), and this issuer file')


def test_a_changed_bare_token_lists_the_fields_its_record_holds_in_reading_order(signer):
    issuer, key = signer
    token = issue(make_record(issuer), key)
    v = verify(tampered_token(token, learner="Eve", zz_extra=1, aa_extra=2), issuer)
    assert (v.valid, v.field, v.outcome) == (False, None, "tampered")
    assert v.reason == (
        "the signature does not match the record: the record was changed after signing, the token was not copied "
        "whole, or another key signed it (the record holds: certificate id, learner name, session id, session "
        "title, date of completion, CE hours, provisions covered (scope), level per domain, issuer name, issuer key "
        "id, issued at, schema, 'aa_extra', 'zz_extra')")


@pytest.mark.parametrize(("token", "why"), [
    ("abc", "a token is two parts joined by a dot"),
    ("ab!.cd", "a token's parts are base64url text (letters, digits, - and _)"),
])
def test_a_token_that_is_not_a_token_says_why(signer, token, why):
    v = verify(token, signer[0])
    assert (v.valid, v.record, v.reason, v.outcome) == (False, None, f"not a certificate token: {why}", "malformed")


def test_a_record_signed_by_this_issuer_that_is_not_a_certificate_record_is_malformed(signer):
    issuer, key = signer
    record = {**make_record(issuer), "ce_hours": "many"}
    payload = canonical_json(record)
    v = verify(f"{b64url(payload)}.{b64url(key.sign(payload))}", issuer)
    assert (v.valid, v.record, v.field, v.outcome) == (False, record, None, "malformed")
    assert v.reason.startswith("the signed record is not a certificate record: ce_hours: ")


def test_a_certificate_file_whose_signed_record_is_not_a_certificate_record_says_so_not_tampered(signer, tmp_path):
    """Signed with this issuer's key, so not forged; but no record this course writes: whatever the readable copy
    shows, the verdict is about the record."""
    issuer, key = signer
    record = {**make_record(issuer), "ce_hours": "many"}
    payload = canonical_json(record)
    token = f"{b64url(payload)}.{b64url(key.sign(payload))}"
    for readable in (record, {**record, "learner": "Eve"}):
        v = verify_certificate_file(cert_file(tmp_path, readable, token), issuer)
        assert (v.valid, v.field, v.outcome) == (False, None, "malformed")
        assert v.reason.startswith("the signed record is not a certificate record: ce_hours: ")


def test_a_revocation_gives_its_date_and_reason_and_only_for_a_valid_certificate(signer):
    issuer, key = signer
    record = make_record(issuer)
    token = issue(record, key)
    entry = {"id": record["id"], "revoked_at": "2026-11-05T09:30:00Z"}
    v = verify(token, issuer, {record["id"]: {**entry, "reason": "issued in error"}})
    assert (v.valid, v.record, v.reason, v.field, v.outcome) == (False, record, "revoked on 2026-11-05: issued in error",
                                                                 "id", "revoked")
    assert verify(token, issuer, {record["id"]: {**entry, "reason": ""}}).reason == "revoked on 2026-11-05"
    assert verify(token, issuer, {record["id"]: entry}).reason == "revoked on 2026-11-05"
    assert verify(token, issuer, {"ABCDE12345": entry}).valid and verify(token, issuer, {}).valid
    assert verify(tampered_token(token, learner="Eve"), issuer, {record["id"]: entry}).outcome == "tampered"


def test_a_certificate_file_names_the_first_field_that_differs_in_reading_order_and_quotes_both(signer, tmp_path):
    issuer, key = signer
    record = make_record(issuer)
    token = issue(record, key)
    v = verify_certificate_file(cert_file(tmp_path, {**record, "ce_hours": 9.0, "learner": "Ána Ruiz"}, token), issuer)
    assert (v.valid, v.record, v.field, v.outcome) == (False, record, "learner", "mismatch")
    assert v.reason == "the certificate file shows the learner name Ána Ruiz, but the signed record says Ana Ruiz"
    v = verify_certificate_file(cert_file(tmp_path, {**record, "levels": {"team": "Maîtrise"}}, token), issuer)
    assert v.reason == ('the certificate file shows the level per domain {"team": "Maîtrise"}, but the signed record '
                        'says {"confidentiality": "Proficient", "team": "Mastery"}')
    v = verify_certificate_file(cert_file(tmp_path, {k: x for k, x in record.items() if k != "ce_hours"}, token),
                                issuer)
    assert (v.field, v.reason) == ("ce_hours", "the certificate file shows the CE hours (nothing), but the signed "
                                               "record says 1.5")
    v = verify_certificate_file(cert_file(tmp_path, {**record, "note": "x"}, token), issuer)
    assert (v.field, v.reason) == ("note", "the certificate file shows the note x, but the signed record says "
                                           "(nothing)")


def test_a_certificate_file_with_a_changed_token_names_the_field_and_quotes_both(signer, tmp_path):
    issuer, key = signer
    record = make_record(issuer)
    token = tampered_token(issue(record, key), completed_on="2026-10-02")
    v = verify_certificate_file(cert_file(tmp_path, record, token), issuer)
    assert (v.valid, v.record, v.field, v.outcome) == (False, decode_token(token), "completed_on", "tampered")
    assert v.reason == ("the signature does not match the record: the date of completion differs between the "
                        "certificate file (2026-11-02) and its token (2026-10-02)")


def test_a_certificate_file_of_another_issuer_or_with_a_bad_token_is_reported_as_such(signer, tmp_path):
    issuer, _key = signer
    other = Ed25519PrivateKey.generate()
    other_issuer = Issuer("Someone else", key_id_of(public_raw(other)), public_raw(other))
    record = make_record(other_issuer)
    path = cert_file(tmp_path, {**record, "learner": "Eve"}, issue(record, other))
    assert (verify_certificate_file(path, issuer).outcome, verify_certificate_file(path, issuer).field) == (
        "other-issuer", "key_id")
    path = cert_file(tmp_path, record, "abc")
    assert (verify_certificate_file(path, issuer).outcome, verify_certificate_file(path, issuer).record) == (
        "malformed", None)


def test_a_revoked_certificate_file_is_revoked_and_a_forged_one_is_forged_first(signer, tmp_path):
    issuer, key = signer
    record = make_record(issuer)
    token = issue(record, key)
    revoked = {record["id"]: {"id": record["id"], "revoked_at": "2026-11-05T00:00:00Z", "reason": ""}}
    assert verify_certificate_file(cert_file(tmp_path, record, token), issuer, revoked).outcome == "revoked"
    forged = cert_file(tmp_path, {**record, "learner": "Eve"}, token)
    assert verify_certificate_file(forged, issuer, revoked).outcome == "mismatch"


def test_a_json_file_that_is_not_a_certificate_file_is_refused_in_words(signer, tmp_path):
    issuer, key = signer
    record = make_record(issuer)
    good = certificate_file(record, issue(record, key))
    path = tmp_path / "c.json"
    for data in ([good], {**good, "schema": "nasams-course/certificate@1"}, {**good, "record": []},
                 {**good, "token": None}, {k: x for k, x in good.items() if k != "record"}):
        path.write_text(json.dumps(data), encoding="utf-8")
        v = verify_certificate_file(path, issuer)
        assert (v.valid, v.record, v.outcome) == (False, None, "malformed")
        assert v.reason == ("not a certificate file (expected 'nasams-course/certificate-file@1' with a record and a "
                            "token)")
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(good).encode("utf-8"))  # saved by Notepad
    assert verify_certificate_file(path, issuer).valid


def test_verify_takes_a_pdf_or_json_file_by_its_extension_in_any_case_or_else_a_token(signer, tmp_path):
    issuer, key = signer
    record = make_record(issuer)
    token = issue(record, key)
    pdf = certificate_pdf(record, token, issuer, tmp_path / "C.PDF")
    assert verify_path_or_token(str(pdf), issuer).valid
    json_file = cert_file(tmp_path, {**record, "learner": "Eve"}, token, name="C.JSON")
    assert verify_path_or_token(str(json_file), issuer).outcome == "mismatch"
    assert verify_path_or_token(token, issuer).valid
    assert verify_path_or_token(str(tmp_path / "missing.json"), issuer).outcome == "malformed"
    revoked = {record["id"]: {"id": record["id"], "revoked_at": "2026-11-05", "reason": ""}}
    for arg in (str(pdf), str(json_file.with_name("c.json")), token):
        if arg.endswith("c.json"):
            cert_file(tmp_path, record, token)
        assert verify_path_or_token(arg, issuer, revoked).outcome == "revoked", arg


def test_a_verification_code_alone_is_explained_not_checked(signer):
    issuer, _key = signer
    v = verify_path_or_token("7k3m9 qx2pd", issuer)
    assert (v.valid, v.record, v.field, v.outcome) == (False, None, None, "code-only")
    assert v.reason == ("7K3M9-QX2PD is a verification code: it matches a paper certificate to its token or to the "
                        "issuer's register, and cannot be checked alone; give the token, the PDF or the certificate "
                        "file")


def test_a_pdf_without_a_token_or_with_its_wording_changed_is_reported_in_words(signer, tmp_path):
    issuer, key = signer
    record = make_record(issuer)
    pdf = certificate_pdf(record, issue(record, key), issuer, tmp_path / "c.pdf")
    statement = statement_pdf("Ben Ode", {"id": "s", "title": "A seminar"}, {"provisions_not_attempted": ["S5"]},
                              tmp_path / "s.pdf")
    v = verify_pdf(statement, issuer)
    assert (v.valid, v.record, v.outcome) == (False, None, "malformed")
    assert v.reason == ("this PDF is not a certificate: it carries no certificate token (neither in its keywords nor "
                        "in its text)")
    reworded = rewrite_keywords(statement, rewrite_to := f"nasams-certificate-token:{read_pdf_text(pdf)[0]}",
                                tmp_path / "reworded.pdf")
    assert rewrite_to.endswith(read_pdf_text(reworded)[0])
    v = verify_pdf(reworded, issuer)
    assert (v.valid, v.record, v.field, v.outcome) == (False, None, None, "mismatch")
    assert v.reason == ("the PDF's text is not laid out as a certificate (its wording was changed), so what it "
                        "shows cannot be checked against the token")
    forged = certificate_pdf({**record, "ce_hours": 7.5}, read_pdf_text(pdf)[0], issuer, tmp_path / "f.pdf")
    v = verify_pdf(forged, issuer)
    assert (v.field, v.outcome) == ("ce_hours", "mismatch")
    assert v.reason == "the PDF shows the CE hours 7.5, but the signed record says 1.5"
    swapped = rewrite_keywords(pdf, f"nasams-certificate-token:{issue(make_record(issuer), key)}", tmp_path / "s2.pdf")
    v = verify_pdf(swapped, issuer)
    assert (v.record, v.field, v.outcome) == (None, "token", "tampered")
    assert v.reason == "the PDF carries two different tokens (in its keywords and in its text)"


# -- the revocation list ----------------------------------------------------------------------------------------------

def test_no_revocation_list_revokes_nothing():
    assert read_revoked(None) == {}


@pytest.mark.parametrize("data", [
    [], {"schema": "nasams-course/revoked@2", "revoked": []}, {"revoked": []},
    {"schema": "nasams-course/revoked@1", "revoked": {}}, {"schema": "nasams-course/revoked@1"},
])
def test_a_revocation_list_of_another_shape_is_refused_showing_the_shape(tmp_path, data):
    path = tmp_path / "revoked.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RevocationError) as caught:
        read_revoked(path)
    assert str(caught.value) == f'{path}: expected {{"schema": "nasams-course/revoked@1", "revoked": [...]}}'


GOOD_ENTRY = {"id": "ABCDE12345", "revoked_at": "2026-11-05T09:30:00Z", "reason": "issued in error"}


@pytest.mark.parametrize("entry", [
    "ABCDE12345", {**GOOD_ENTRY, "id": 12345}, {**GOOD_ENTRY, "id": "ABCDE-12345"}, {**GOOD_ENTRY, "id": "abcde12345"},
    {**GOOD_ENTRY, "id": "ABCDE"}, {k: v for k, v in GOOD_ENTRY.items() if k != "id"},
    {k: v for k, v in GOOD_ENTRY.items() if k != "revoked_at"}, {**GOOD_ENTRY, "revoked_at": 20261105},
    {**GOOD_ENTRY, "reason": None}, {**GOOD_ENTRY, "reason": ["x"]},
])
def test_a_revocation_entry_that_could_not_be_matched_is_refused_naming_it(tmp_path, entry):
    path = tmp_path / "revoked.json"
    path.write_text(json.dumps({"schema": "nasams-course/revoked@1", "revoked": [GOOD_ENTRY, entry]}),
                    encoding="utf-8")
    with pytest.raises(RevocationError) as caught:
        read_revoked(path)
    assert str(caught.value) == (f"{path}:revoked[1]: expected an id (10 characters of "
                                 "0123456789ABCDEFGHJKMNPQRSTVWXYZ), revoked_at and an optional reason")


def test_a_revocation_list_is_read_with_or_without_reasons_and_a_byte_order_mark(tmp_path):
    path = tmp_path / "revoked.json"
    plain = {"id": "FGHJK67890", "revoked_at": "2026-11-06"}
    data = {"schema": "nasams-course/revoked@1", "revoked": [GOOD_ENTRY, plain]}
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(data).encode("utf-8"))
    assert read_revoked(path) == {"ABCDE12345": GOOD_ENTRY, "FGHJK67890": plain}
    missing = tmp_path / "none.json"
    with pytest.raises(RevocationError) as caught:
        read_revoked(missing)
    assert str(caught.value) == f"{missing}: no such revocation list"


def test_a_revocation_is_written_whole_readable_by_the_web_server_with_its_date_and_reason(tmp_path):
    path = tmp_path / "site" / "issuer" / "revoked.json"
    assert add_revocation(path, "abcde 12345", "issued in error", at="2026-11-05T09:30:00Z") == ("ABCDE12345", True)
    assert add_revocation(path, "FGHJK-67890") == ("FGHJK67890", True)
    assert add_revocation(path, "fghjk67890", "again", at="2026-12-01T00:00:00Z") == ("FGHJK67890", False)
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    assert data["schema"] == "nasams-course/revoked@1"
    assert data["revoked"][0] == GOOD_ENTRY
    assert data["revoked"][1]["reason"] == "" and data["revoked"][1]["revoked_at"].endswith("Z")
    assert data["revoked"][1]["revoked_at"][:4] >= "2026"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert sorted(p.name for p in path.parent.iterdir()) == ["revoked.json"]  # no temporary file left
    assert revocation_list_json(read_revoked(path)) == data


def test_a_revocation_is_written_beside_the_list_not_in_the_systems_temporary_folder(tmp_path, monkeypatch):
    """The list is replaced in one step, which works only within one file system: the system's temporary folder
    may be another disk (or missing), the list's own folder never is."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-temporary-folder"))
    path = tmp_path / "revoked.json"
    assert add_revocation(path, "ABCDE-12345") == ("ABCDE12345", True)
    assert list(read_revoked(path)) == ["ABCDE12345"]


def test_a_revocation_that_fails_to_land_keeps_the_old_list_and_leaves_only_a_hidden_file_named_after_it(
        tmp_path, monkeypatch):
    path = tmp_path / "revoked.json"
    add_revocation(path, "ABCDE-12345")
    before = path.read_text(encoding="utf-8")

    def disk_full(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(OSError, match="No space left"):
        add_revocation(path, "FGHJK-67890")
    assert path.read_text(encoding="utf-8") == before
    left = [p.name for p in tmp_path.iterdir() if p != path]
    assert len(left) == 1 and left[0].startswith(".revoked.json.") and left[0].endswith(".tmp"), left


def test_a_revocation_reason_is_kept_in_its_own_words_up_to_500_characters_on_one_line(tmp_path):
    path = tmp_path / "revoked.json"
    assert add_revocation(path, "ABCDE-12345", "Fehler: für ein anderes Seminar " + "x" * 468)[1]
    assert len(read_revoked(path)["ABCDE12345"]["reason"]) == 500
    assert "für" in path.read_text(encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    for reason in ("x" * 501, "issued\nin error", "issued\tin error"):
        with pytest.raises(RevocationError) as caught:
            add_revocation(path, "FGHJK-67890", reason)
        assert str(caught.value) == "--reason: at most 500 characters, on one line"
    with pytest.raises(RevocationError) as caught:
        add_revocation(path, "ABCDE-1234U")
    assert str(caught.value) == ("'ABCDE-1234U' is not a certificate id (10 characters of "
                                 "0123456789ABCDEFGHJKMNPQRSTVWXYZ, hyphens allowed)")
    assert path.read_text(encoding="utf-8") == before


def test_a_revocation_s_reason_is_written_in_utf8_whatever_the_machine_s_locale(tmp_path):
    """The C locale's encoding is ASCII (as a server without a UTF-8 locale has; Windows' is cp1252): a reason in
    German or Polish is still written, in UTF-8 as the verify page reads it, not refused or written in the locale's
    encoding."""
    path = tmp_path / "revoked.json"
    with ascii_locale():
        assert add_revocation(path, "ABCDE-12345", "für ein anderes Seminar ausgestellt; błąd")[1]
    assert '"reason": "für ein anderes Seminar ausgestellt; błąd"' in path.read_bytes().decode("utf-8")
    assert read_revoked(path)["ABCDE12345"]["reason"] == "für ein anderes Seminar ausgestellt; błąd"


def test_the_verify_page_gets_the_issuer_the_revoked_certificates_and_the_domains_titles(signer):
    issuer, _key = signer
    revoked = {"ABCDE12345": GOOD_ENTRY}
    data = verify_page_data(issuer, revoked)
    assert data["issuer"] == issuer.to_json() and data["revoked"] == [GOOD_ENTRY]
    assert data["domains"]["confidentiality"].startswith("Confidentiality") and len(data["domains"]) >= 5
    assert set(data) == {"issuer", "revoked", "domains"}
    assert verify_page_data(None, {})["issuer"] is None and verify_page_data(None, {})["revoked"] == []
