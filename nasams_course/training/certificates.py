"""Certificate records and their tokens.

A record is what the trainer certifies, as canonical JSON (sorted keys, separators "," and ":", UTF-8, non-ASCII
kept as is). The token is `base64url(canonical JSON) + "." + base64url(Ed25519 signature of those bytes)`, without
padding: the record travels whole inside its token, so a token checks offline against the issuer's public key alone.
The certificate id, random, is also the short verification code printed on the paper."""

from __future__ import annotations

import hashlib
import json
import math
import re
import secrets
from datetime import UTC, date, datetime
from typing import Annotated

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from nasams_course.catalog import load_catalog
from nasams_course.grading.levels import LEVELS
from nasams_course.training.issuer import NAME_MAX, Issuer, b64url, b64url_decode, key_id_of, public_raw

CERTIFICATE_SCHEMA = "nasams-course/certificate@1"
#: a certificate file: the record readable beside its token
CERTIFICATE_FILE_SCHEMA = "nasams-course/certificate-file@1"
#: Crockford's base32: digits and letters without I, L, O and U, so that a typed code is not misread
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10  # 50 random bits
#: the record's fields in the order people read them, with their names in words
FIELD_LABELS = {
    "id": "certificate id", "learner": "learner name", "session_id": "session id", "session_title": "session title",
    "completed_on": "date of completion", "ce_hours": "CE hours", "provisions": "provisions covered (scope)",
    "levels": "level per domain", "issuer": "issuer name", "key_id": "issuer key id", "issued_at": "issued at",
    "schema": "schema",
}

Text = Annotated[str, StringConstraints(min_length=1, max_length=NAME_MAX)]


class CertificateRecord(BaseModel):
    """What a certificate certifies: every field is signed."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    schema_: str = Field(alias="schema", pattern=f"^{re.escape(CERTIFICATE_SCHEMA)}$")
    id: str = Field(pattern=f"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")
    learner: Text
    session_id: Text
    session_title: Text
    completed_on: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    ce_hours: float = Field(ge=0, le=1000)
    provisions: list[str] = Field(min_length=1)
    levels: dict[str, str] = Field(min_length=1)
    issuer: Text
    key_id: str = Field(pattern=r"^[0-9a-f]{16}$")
    issued_at: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")

    @field_validator("learner", "session_id", "session_title", "issuer")
    @classmethod
    def _printable(cls, v: str) -> str:
        if any(not (c.isprintable() or c == " ") for c in v) or not v.strip():
            raise ValueError("text without control characters (a line break, a tab), not only spaces")
        return v

    @field_validator("completed_on")
    @classmethod
    def _real_date(cls, v: str) -> str:
        date.fromisoformat(v)
        return v

    @field_validator("ce_hours")
    @classmethod
    def _quarter_hours(cls, v: float) -> float:
        if v * 4 != int(v * 4):
            raise ValueError("CE hours are whole quarter hours (0.25, 0.5, 0.75, ...)")
        return v

    @field_validator("provisions")
    @classmethod
    def _known_provisions(cls, v: list[str]) -> list[str]:
        unknown = [p for p in v if p not in load_catalog().ids]
        if unknown or len(set(v)) != len(v):
            raise ValueError(f"provision ids of the code, each once (unknown or repeated: {unknown or v})")
        return v

    @field_validator("levels")
    @classmethod
    def _known_levels(cls, v: dict[str, str]) -> dict[str, str]:
        domains = {d.id for d in load_catalog().domains}
        names = [name for name, _low in LEVELS]
        bad = [f"{d}: {lv}" for d, lv in v.items() if d not in domains or lv not in names]
        if bad:
            raise ValueError(f"domain ids of the rubric with a level ({', '.join(names)}); not {bad}")
        return v


class RecordError(ValueError):
    """A certificate record that cannot be signed: `field: problem`, one per line."""


def check_record(record: dict) -> CertificateRecord:
    """The record, checked field by field (RecordError names every problem)."""
    try:
        return CertificateRecord.model_validate(record)
    except ValidationError as exc:
        lines = [f"{'.'.join(str(p) for p in e['loc']) or '(record)'}: {e['msg'].removeprefix('Value error, ')}"
                 for e in exc.errors()]
        raise RecordError("\n".join(lines)) from None


def ce_hours(minutes: int) -> float:
    """CE hours for a session of `minutes`: rounded DOWN to the quarter hour (whole 15 minutes count; the rest does
    not), so a certificate never claims more time than the session's plan. 44 minutes give 0.5 hours, 45 give 0.75,
    90 give 1.5, 104 give 1.5."""
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 0:
        raise RecordError(f"minutes: a whole number of minutes, 0 or more (not {minutes!r})")
    return math.floor(minutes / 15) / 4


def new_certificate_id() -> str:
    """A random certificate id: 10 characters of Crockford's base32 (50 bits)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(cert_id: str) -> str:
    """The verification code as printed: the id in two groups of five, `7K3M9-QX2PD`."""
    return f"{cert_id[:5]}-{cert_id[5:]}"


def normalize_code(text: str) -> str | None:
    """The certificate id a typed code stands for (Crockford's rules: any case, hyphens and spaces ignored, O read as
    0, I and L as 1), or None when the text is not a code."""
    cleaned = re.sub(r"[\s-]", "", text).upper().translate(str.maketrans("OIL", "011"))
    return cleaned if re.fullmatch(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}", cleaned) else None


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def certificate_record(*, learner: str, session_id: str, session_title: str, completed_on: str, minutes: int,
                       provisions: list[str] | tuple[str, ...], levels: dict[str, str], issuer: Issuer,
                       issued_at: str | None = None, cert_id: str | None = None) -> dict:
    """A checked certificate record: a new random id, the CE hours from the session's minutes (`ce_hours`)."""
    record = {
        "schema": CERTIFICATE_SCHEMA, "id": cert_id or new_certificate_id(), "learner": learner,
        "session_id": session_id, "session_title": session_title, "completed_on": completed_on,
        "ce_hours": ce_hours(minutes), "provisions": list(provisions), "levels": dict(levels),
        "issuer": issuer.name, "key_id": issuer.key_id, "issued_at": issued_at or utc_now(),
    }
    check_record(record)
    return record


def canonical_json(record: dict) -> bytes:
    """The bytes that are signed: sorted keys, no spaces, UTF-8 with non-ASCII characters as they are."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def issue(record: dict, private_key: Ed25519PrivateKey) -> str:
    """Sign a record: the token `base64url(canonical JSON).base64url(signature)`. The record must be valid and name
    the key that signs it (its `key_id`)."""
    check_record(record)
    if record["key_id"] != key_id_of(public_raw(private_key)):
        raise RecordError(f"key_id: the record names key {record['key_id']}, but it is being signed with key "
                          f"{key_id_of(public_raw(private_key))}")
    payload = canonical_json(record)
    return f"{b64url(payload)}.{b64url(private_key.sign(payload))}"


class TokenError(ValueError):
    """A token that cannot even be read (not two base64url parts, not a JSON object)."""


def split_token(token: str) -> tuple[bytes, bytes]:
    """The signed bytes and the signature of a token."""
    parts = token.strip().split(".")
    if len(parts) != 2:
        raise TokenError("a token is two parts joined by a dot")
    try:
        payload, signature = b64url_decode(parts[0]), b64url_decode(parts[1])
    except ValueError:
        raise TokenError("a token's parts are base64url text (letters, digits, - and _)") from None
    if len(signature) != 64:
        raise TokenError("the signature part is not an Ed25519 signature (64 bytes)")
    return payload, signature


def decode_token(token: str) -> dict:
    """The record a token carries, unchecked (TokenError when it does not decode to a JSON object)."""
    payload, _signature = split_token(token)
    try:
        record = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise TokenError("the record part is not UTF-8 JSON") from None
    if not isinstance(record, dict):
        raise TokenError("the record part is not a JSON object")
    return record


def signature_matches(token: str, issuer: Issuer) -> bool:
    """True when the token's signature is the issuer key's over the token's record bytes."""
    payload, signature = split_token(token)
    try:
        issuer.verifier().verify(signature, payload)
    except InvalidSignature:
        return False
    return True


def token_digest(token: str) -> str:
    """SHA-256 of the token, hex: what a register keeps to recognise a token without holding it."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def certificate_file(record: dict, token: str) -> dict:
    """A certificate as a JSON file: the record readable, beside the token that signs it."""
    return {"schema": CERTIFICATE_FILE_SCHEMA, "record": record, "token": token}
