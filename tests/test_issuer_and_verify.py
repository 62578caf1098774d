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
    for text in ("A", "AAAAA", "QQ==", "QQ=", "a+b/", "a b", "é", None, b"QQ"):
        with pytest.raises(ValueError, match=r"^not base64url text$"):
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
