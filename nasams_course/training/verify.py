"""Checking a certificate offline, and the revocation list published with the book.

A token is checked against the issuer's public key: the signature covers the record's exact bytes, so any change to
any field makes it invalid. A bare token carries nothing else, so when its signature fails no field can be named (the
original is gone). A certificate file (JSON) or PDF also shows the record in readable form beside its token: each
readable field is compared with the token's record, and the first that differs is named, whichever of the two was
changed."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from nasams_course.catalog import load_catalog
from nasams_course.training.certificates import (
    CERTIFICATE_FILE_SCHEMA,
    CODE_ALPHABET,
    CODE_LENGTH,
    FIELD_LABELS,
    RecordError,
    TokenError,
    check_record,
    decode_token,
    format_code,
    normalize_code,
    signature_matches,
    utc_now,
)
from nasams_course.training.issuer import Issuer, read_json_file

REVOKED_SCHEMA = "nasams-course/revoked@1"
REASON_MAX = 500


@dataclass(frozen=True)
class Verification:
    """What checking a certificate found. `outcome` is one of valid, tampered, mismatch (a readable field differs
    from the signed record), other-issuer, revoked, malformed, or code-only (a verification code was given, which
    cannot be checked alone); `field` names the record field at fault, if known."""

    valid: bool
    record: dict | None
    reason: str
    field: str | None = None
    outcome: str = "valid"


def _show(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def check_token(token: str, issuer: Issuer) -> Verification:
    """The signature and the issuer of a token, without the revocation list."""
    try:
        record = decode_token(token)
    except TokenError as exc:
        return Verification(False, None, f"not a certificate token: {exc}", outcome="malformed")
    if not signature_matches(token, issuer):
        if record.get("key_id") != issuer.key_id:
            return Verification(
                False, record, f"signed by another issuer: the record names {_show(record.get('issuer'))!s} "
                f"(key {_show(record.get('key_id'))}), and this issuer file is {issuer.name} (key {issuer.key_id})",
                "key_id", "other-issuer")
        present = ", ".join(FIELD_LABELS.get(k, repr(k)) for k in reading_order(record))
        return Verification(False, record, "the signature does not match the record: the record was changed after "
                            "signing, the token was not copied whole, or another key signed it (the record holds: "
                            f"{present})", None, "tampered")
    try:
        check_record(record)
    except RecordError as exc:  # signed by this issuer, yet not a record this course writes
        return Verification(False, record, f"the signed record is not a certificate record: {exc}",
                            outcome="malformed")
    return Verification(True, record, f"a valid certificate signed by {issuer.name} (key {issuer.key_id})")


def with_revocations(v: Verification, revoked: dict[str, dict] | None) -> Verification:
    if v.valid and revoked and v.record["id"] in revoked:
        entry = revoked[v.record["id"]]
        why = f": {entry['reason']}" if entry.get("reason") else ""
        return Verification(False, v.record, f"revoked on {entry['revoked_at'][:10]}{why}", "id", "revoked")
    return v


def verify(token: str, issuer: Issuer, revoked: dict[str, dict] | None = None) -> Verification:
    """Check a bare token: malformed, signed by another issuer, tampered (no field can be named: the token holds
    the only copy of the record), revoked, or valid."""
    return with_revocations(check_token(token, issuer), revoked)


def reading_order(names) -> list[str]:
    """Field names in the order people read a certificate, any others after them."""
    known = list(FIELD_LABELS)
    return sorted(set(names), key=lambda n: (known.index(n) if n in known else len(known), n))


def first_difference(readable: dict, signed: dict) -> str | None:
    """The first field, in reading order, whose readable value differs from the signed one."""
    return next((n for n in reading_order(set(readable) | set(signed)) if readable.get(n) != signed.get(n)), None)


def against_readable(token: str, issuer: Issuer, revoked: dict | None, shown_by, where: str) -> Verification:
    """Check a token and compare the readable copy beside it: `shown_by(record)` gives ({field: what the
    certificate shows}, {field: what it would show for that record})."""
    v = check_token(token, issuer)
    if v.record is None or v.outcome in ("other-issuer", "malformed"):
        return v
    shown, expected = shown_by(v.record)
    name = first_difference(shown, expected)
    if name is not None:
        label = FIELD_LABELS.get(name, name)
        says, signed = _show(shown.get(name, "(nothing)")), _show(expected.get(name, "(nothing)"))
        if v.valid:
            return Verification(False, v.record, f"the {where} shows the {label} {says}, but the signed record says "
                                f"{signed}", name, "mismatch")
        return Verification(False, v.record, f"the signature does not match the record: the {label} differs "
                            f"between the {where} ({says}) and its token ({signed})", name, "tampered")
    return with_revocations(v, revoked)


def verify_certificate_file(path: Path, issuer: Issuer, revoked: dict | None = None) -> Verification:
    """Check a certificate file ({"schema", "record", "token"}): the token, then each readable field against it."""
    data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    if not (isinstance(data, dict) and data.get("schema") == CERTIFICATE_FILE_SCHEMA
            and isinstance(data.get("record"), dict) and isinstance(data.get("token"), str)):
        return Verification(False, None, f"not a certificate file (expected {CERTIFICATE_FILE_SCHEMA!r} with a "
                            "record and a token)", outcome="malformed")
    return against_readable(data["token"], issuer, revoked, lambda record: (data["record"], record),
                            "certificate file")


def verify_pdf(path: Path, issuer: Issuer, revoked: dict | None = None) -> Verification:
    """Check a PDF certificate: the token in its keywords (and in its text: the two must agree), then the printed
    text of every field against the signed record."""
    from nasams_course.training.certificate_pdf import read_pdf_text, read_printed

    keyword_token, text = read_pdf_text(path)
    printed = read_printed(text)
    token = keyword_token or (printed or {}).get("token")
    if not token:
        return Verification(False, None, "this PDF is not a certificate: it carries no certificate token (neither "
                            "in its keywords nor in its text)", outcome="malformed")
    if printed is None:
        return Verification(False, None, "the PDF's text is not laid out as a certificate (its wording was changed), "
                            "so what it shows cannot be checked against the token", outcome="mismatch")
    if keyword_token and printed["token"] != keyword_token:
        return Verification(False, None, "the PDF carries two different tokens (in its keywords and in its text)",
                            "token", "tampered")
    from nasams_course.training.certificate_pdf import printed_form

    catalog = load_catalog()

    def shown_by(record: dict) -> tuple[dict, dict]:
        try:
            return printed, printed_form(record, token, catalog)
        except (KeyError, TypeError, ValueError, AttributeError):  # a changed record that would not even print
            return {}, {}

    return against_readable(token, issuer, revoked, shown_by, "PDF")


def verify_path_or_token(arg: str, issuer: Issuer, revoked: dict | None = None) -> Verification:
    """Check what `nasams-course verify` was given: a .pdf or .json file, or a token."""
    path = Path(arg)
    if path.suffix.lower() == ".pdf" and path.is_file():
        return verify_pdf(path, issuer, revoked)
    if path.suffix.lower() == ".json" and path.is_file():
        return verify_certificate_file(path, issuer, revoked)
    if normalize_code(arg):
        return Verification(False, None, f"{format_code(normalize_code(arg))} is a verification code: it matches "
                            "a paper certificate to its token or to the issuer's register, and cannot be checked "
                            "alone; give the token, the PDF or the certificate file", outcome="code-only")
    return verify(arg, issuer, revoked)


# -- the revocation list -------------------------------------------------------------------------------------------

class RevocationError(ValueError):
    """A revocation list that cannot be read or written, or an id that is not a certificate id."""


def read_revoked(path: Path | None) -> dict[str, dict]:
    """The revoked certificates ({id: {"id", "revoked_at", "reason"}}) of a revocation list; {} when no path."""
    if path is None:
        return {}
    path = Path(path)
    data = read_json_file(path, "revocation list", RevocationError)
    if not isinstance(data, dict) or data.get("schema") != REVOKED_SCHEMA or not isinstance(data.get("revoked"), list):
        raise RevocationError(f"{path}: expected {{\"schema\": \"{REVOKED_SCHEMA}\", \"revoked\": [...]}}")
    out = {}
    for i, entry in enumerate(data["revoked"]):
        if not (isinstance(entry, dict) and isinstance(entry.get("id"), str) and normalize_code(entry["id"])
                == entry["id"] and isinstance(entry.get("revoked_at"), str)
                and isinstance(entry.get("reason", ""), str)):
            raise RevocationError(f"{path}:revoked[{i}]: expected an id ({CODE_LENGTH} characters of "
                                  f"{CODE_ALPHABET}), revoked_at and an optional reason")
        out[entry["id"]] = entry
    return out


def verify_page_data(issuer: Issuer | None, revoked: dict[str, dict]) -> dict:
    """What the book's verify page is given (as JSON in the page): the issuer's public key, the revoked certificates
    and the domains' titles (to show the levels)."""
    return {"issuer": issuer.to_json() if issuer else None, "revoked": list(revoked.values()),
            "domains": {d.id: d.title for d in load_catalog().domains}}


def revocation_list_json(revoked: dict[str, dict]) -> dict:
    return {"schema": REVOKED_SCHEMA, "revoked": list(revoked.values())}


def add_revocation(path: Path, code: str, reason: str = "", at: str | None = None) -> tuple[str, bool]:
    """Add a certificate to the revocation list at `path` (created when absent): (its id, False if it was already
    there). The list is rewritten whole through a temporary file, so a failure leaves the old list as it was."""
    cert_id = normalize_code(code)
    if cert_id is None:
        raise RevocationError(f"{code!r} is not a certificate id ({CODE_LENGTH} characters of {CODE_ALPHABET}, "
                              "hyphens allowed)")
    if len(reason) > REASON_MAX or any(not (c.isprintable() or c == " ") for c in reason):
        raise RevocationError(f"--reason: at most {REASON_MAX} characters, on one line")
    path = Path(path)
    revoked = read_revoked(path) if path.exists() else {}
    if cert_id in revoked:
        return cert_id, False
    revoked[cert_id] = {"id": cert_id, "revoked_at": at or utc_now(), "reason": reason}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(revocation_list_json(revoked), f, indent=2, ensure_ascii=False)
        f.write("\n")
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
    return cert_id, True
