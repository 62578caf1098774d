"""The certificate issuer: an Ed25519 key pair. The private key stays with the trainer (a PEM file, mode 600, never
inside a repository or a built book); the public key, the issuer's name and the key id go into a small JSON issuer
file that is published with the book, so that anyone can check a certificate offline."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ISSUER_SCHEMA = "nasams-course/issuer@1"
PRIVATE_KEY_FILE = "issuer-key.pem"
ISSUER_FILE = "issuer.json"
#: where the QR code sends a reader when the issuer file names no `verify_url`: the verify page of the published
#: book, relative to the book's root (set `verify_url` to the book's address so that a phone can open it)
DEFAULT_VERIFY_URL = "book/orientation/verify.html"
NAME_MAX = 200


class IssuerError(ValueError):
    """An issuer file or key that cannot be used, or a folder a private key must not go into."""


def b64url(data: bytes) -> str:
    """Base64url without padding (RFC 4648 §5), as tokens and issuer files write bytes."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """The bytes of unpadded base64url text; ValueError for anything else (padding, other characters)."""
    if not isinstance(text, str) or not re.fullmatch(r"[A-Za-z0-9_-]*", text) or len(text) % 4 == 1:
        raise ValueError("not base64url text")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id_of(public_raw: bytes) -> str:
    """A key's id: the first 8 bytes of the SHA-256 of its raw 32 bytes, in hex (16 characters)."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


def public_raw(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def check_name(name: object, where: str) -> str:
    """An issuer's or learner's name: text, 1 to 200 characters, no control characters, not only spaces."""
    if not isinstance(name, str) or not name.strip():
        raise IssuerError(f"{where}: a name is required")
    if len(name) > NAME_MAX:
        raise IssuerError(f"{where}: at most {NAME_MAX} characters ({len(name)} given)")
    if any(not (c.isprintable() or c == " ") for c in name):
        raise IssuerError(f"{where}: control characters (a line break, a tab) are not allowed")
    return name


def check_verify_url(url: object, where: str) -> str:
    """The verify page's address: an http(s) address or a path, without spaces or a fragment (the token goes there)."""
    if not isinstance(url, str) or not url:
        raise IssuerError(f"{where}: an address is required")
    if "#" in url or any(c.isspace() or not c.isprintable() for c in url):
        raise IssuerError(f"{where}: the address must have no spaces and no '#' (the token goes after it)")
    if "://" in url and not re.match(r"https?://[^/]+", url):
        raise IssuerError(f"{where}: an address must start http:// or https:// (or be a path)")
    return url


@dataclass(frozen=True)
class Issuer:
    """A published issuer: who signs, the key id, the raw public key and where certificates are verified."""

    name: str
    key_id: str
    public_key: bytes
    verify_url: str = DEFAULT_VERIFY_URL

    def to_json(self) -> dict:
        data = {"schema": ISSUER_SCHEMA, "name": self.name, "key_id": self.key_id,
                "public_key": b64url(self.public_key)}
        if self.verify_url != DEFAULT_VERIFY_URL:
            data["verify_url"] = self.verify_url
        return data

    def verifier(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.public_key)


def issuer_from_json(data: object, where: str) -> Issuer:
    """An issuer from the parsed issuer file, every field checked; IssuerError `where:field: problem`."""
    if not isinstance(data, dict):
        raise IssuerError(f"{where}: an issuer file holds a JSON object")
    if data.get("schema") != ISSUER_SCHEMA:
        raise IssuerError(f"{where}:schema: expected {ISSUER_SCHEMA!r}, found {data.get('schema')!r}")
    name = check_name(data.get("name"), f"{where}:name")
    try:
        raw = b64url_decode(data.get("public_key"))
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise IssuerError(f"{where}:public_key: expected an Ed25519 public key, 32 bytes in base64url")
    if data.get("key_id") != key_id_of(raw):
        raise IssuerError(f"{where}:key_id: {data.get('key_id')!r} is not the id of this public key "
                          f"({key_id_of(raw)})")
    url = check_verify_url(data.get("verify_url", DEFAULT_VERIFY_URL), f"{where}:verify_url")
    return Issuer(name=name, key_id=key_id_of(raw), public_key=raw, verify_url=url)


def read_issuer(path: Path) -> Issuer:
    """Read and check an issuer file."""
    path = Path(path)
    return issuer_from_json(read_json_file(path, "issuer file", IssuerError), str(path))


def read_json_file(path: Path, what: str, error: type[Exception]):
    """A small JSON file the trainer keeps (an issuer file, a revocation list), or `error` saying why not."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise error(f"{path}: no such {what}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise error(f"{path}: not a readable JSON {what} ({exc})") from None


def unsafe_folder(folder: Path) -> str | None:
    """Why a private key must not be written in `folder` (inside a git repository, the course, or a built book),
    or None. Every folder from `folder` up to the file system's root is looked at."""
    folder = Path(os.path.abspath(folder))
    for f in (folder, *folder.parents):
        if (f / ".git").exists():
            return f"{f} is a git repository, and a private key must never be committed"
        if (f / "_toc.yml").is_file() and (f / "book").is_dir():
            return f"{f} is a course (it has _toc.yml and book/), and a private key must stay out of it"
        if (f / ".buildinfo").is_file() or ((f / "_static").is_dir() and (f / "index.html").is_file()):
            return f"{f} is a built book, which is published, and a private key must stay out of it"
    return None


def init_issuer(out: Path, name: str, verify_url: str = DEFAULT_VERIFY_URL,
                forbidden: tuple[Path, ...] = ()) -> tuple[Path, Path, Issuer]:
    """Create an Ed25519 key pair in `out`: the private key (`issuer-key.pem`, PKCS#8 PEM, mode 600) and the issuer
    file (`issuer.json`). Refuses a folder inside a git repository, a course, a built book or any of `forbidden`
    (the course in use), and refuses to replace either file."""
    check_name(name, "--name")
    check_verify_url(verify_url, "--verify-url")
    out = Path(os.path.abspath(out))
    why = unsafe_folder(out)
    for root in forbidden:
        if out.is_relative_to(Path(os.path.abspath(root))):
            why = why or f"{out} is inside the course at {root}, and a private key must stay out of it"
    if why:
        raise IssuerError(f"--out: {why}; choose a folder of your own (e.g. ~/nasams-issuer)")
    key_path, issuer_path = out / PRIVATE_KEY_FILE, out / ISSUER_FILE
    for path in (key_path, issuer_path):
        if path.exists():
            raise IssuerError(f"{path}: exists; an issuer's keys are never replaced (choose another --out)")
    out.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)  # whatever the umask
        os.write(fd, pem)
    finally:
        os.close(fd)
    raw = public_raw(key)
    issuer = Issuer(name=name, key_id=key_id_of(raw), public_key=raw, verify_url=verify_url)
    with open(issuer_path, "x", encoding="utf-8") as f:
        json.dump(issuer.to_json(), f, indent=2, ensure_ascii=False)
        f.write("\n")
    return key_path, issuer_path, issuer


def read_private_key(path: Path) -> Ed25519PrivateKey:
    """The issuer's private key; refused when others can read the file (as ssh refuses), or when it is not an
    unencrypted Ed25519 PEM key."""
    path = Path(path)
    try:
        mode = path.stat().st_mode
        pem = path.read_bytes()
    except OSError as exc:
        raise IssuerError(f"{path}: cannot read the private key ({exc.strerror})") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise IssuerError(f"{path}: others can read this private key (mode {stat.S_IMODE(mode):03o}); "
                          f"make it private with `chmod 600 {path}`")
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise IssuerError(f"{path}: not an unencrypted PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise IssuerError(f"{path}: not an Ed25519 key")
    return key
