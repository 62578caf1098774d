"""The gradebook's certificate register: one row per certificate issued from it (`certificates`, added by the
gradebook's schema version 2): its id, learner, session, when and by whom it was issued, the SHA-256 of its token
(the register recognises a token without holding it), and when it was revoked and why.

`certify_session` is `nasams-course certify`: it judges a session's learners (training/completion.py), writes their
certificates and statements (training/certify.py) and, from a gradebook, the register's rows. `revoke` is
`nasams-course revoke ID --db`: it marks a certificate revoked and adds it to the revocation list published with the
book, both or neither."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from nasams_course.content.models import Bank
from nasams_course.training.certificates import CODE_ALPHABET, CODE_LENGTH, normalize_code, token_digest, utc_now
from nasams_course.training.certify import Issued, LearnerOutcome, certify_learners
from nasams_course.training.completion import from_files, from_gradebook
from nasams_course.training.gradebook import GradebookError, connect
from nasams_course.training.issuer import Issuer
from nasams_course.training.plan import SessionPlan
from nasams_course.training.verify import add_revocation

REGISTER_COLUMNS = ["id", "learner", "session", "issued_at", "issued_by", "key_id", "token_sha256", "revoked_at",
                    "reason"]


@dataclass(frozen=True)
class Registered:
    """A certificate as the register holds it."""

    id: str
    learner: str
    session: str
    issued_at: str
    issued_by: str
    key_id: str
    token_sha256: str
    revoked_at: str | None = None
    reason: str | None = None


def record_issued(db: str | Path, rows: Iterable[Registered]) -> int:
    """Add certificates to the register, all in one transaction; returns how many."""
    rows = list(rows)
    with _transaction(db) as con:
        con.executemany(f"INSERT INTO certificates ({', '.join(REGISTER_COLUMNS)}) "
                        f"VALUES ({', '.join('?' * len(REGISTER_COLUMNS))})",
                        [tuple(getattr(r, c) for c in REGISTER_COLUMNS) for r in rows])
    return len(rows)


@contextmanager
def _transaction(db: str | Path) -> Iterator[sqlite3.Connection]:
    """A connection to the gradebook inside one write transaction: committed when the block ends, rolled back (and
    the error raised again) when it fails; closed either way."""
    con = connect(db)
    try:
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        con.close()


def _row(con: sqlite3.Connection, cert_id: str) -> Registered | None:
    found = con.execute(f"SELECT {', '.join(REGISTER_COLUMNS)} FROM certificates WHERE id = ?", (cert_id,)).fetchone()
    return Registered(*found) if found else None


def certificate_id(code: str) -> str:
    """The certificate id a typed code stands for; GradebookError when it is not one."""
    cert_id = normalize_code(code)
    if cert_id is None:
        raise GradebookError(f"{code!r} is not a certificate id ({CODE_LENGTH} characters of {CODE_ALPHABET}, "
                             "hyphens allowed)")
    return cert_id


def revoke(db: str | Path, code: str, revoked_list: Path, reason: str = "", at: str | None = None
           ) -> tuple[Registered, bool]:
    """Mark a certificate of the register revoked and add it to the revocation list `revoked_list`, both or
    neither (the register's change is committed only once the list is written). Returns the certificate as it now
    stands and whether it was revoked now (False: it already was; the list is made to hold it all the same).
    GradebookError for an id the register does not hold; RevocationError for a list that cannot be used."""
    cert_id = certificate_id(code)
    with _transaction(db) as con:
        row = _row(con, cert_id)
        if row is None:
            raise GradebookError(f"{db} has no certificate {cert_id[:5]}-{cert_id[5:]} in its register "
                                 "(see: nasams-course certify --db)")
        newly = row.revoked_at is None
        if newly:
            con.execute("UPDATE certificates SET revoked_at = ?, reason = ? WHERE id = ?",
                        (at or utc_now(), reason, cert_id))
        row = _row(con, cert_id)
        add_revocation(revoked_list, cert_id, row.reason or "", row.revoked_at)
    return row, newly


def register_frame(db: str | Path, session: str | None = None) -> pd.DataFrame:
    """The register, one row per certificate (of one session, or all), oldest first."""
    con = connect(db)
    try:
        where, params = ("WHERE session = ?", (session,)) if session else ("", ())
        rows = con.execute(f"SELECT {', '.join(REGISTER_COLUMNS)} FROM certificates {where} "
                           "ORDER BY issued_at, id", params).fetchall()
    finally:
        con.close()
    return pd.DataFrame(rows, columns=REGISTER_COLUMNS)


def live_certificates(db: str | Path, session: str) -> dict[str, str]:
    """{learner: certificate id} of the session's certificates in the register that are not revoked."""
    frame = register_frame(db, session)
    live = frame[frame["revoked_at"].isna()]
    return dict(zip(live["learner"], live["id"], strict=True))


def certify_session(plan: SessionPlan, bank: Bank, issuer: Issuer, key: Ed25519PrivateKey, out: Path,
                    db: str | Path | None = None, files: Iterable[Path] = ()
                    ) -> tuple[list[Issued], dict[str, str]]:
    """Certify a session's learners from the gradebook `db` (its attempts for the session; each certificate is then
    added to its register, and a learner who holds a certificate of the session that is not revoked is not
    certified again) or from response `files`. Returns what was issued and {learner: certificate id} of those
    skipped. CompletionError or GradebookError before anything is written; RecordError or FileExistsError from
    `certify_learners`, which writes nothing then either."""
    rows: list[LearnerOutcome] = from_gradebook(db, plan, bank) if db else from_files(files, plan, bank)
    held = live_certificates(db, plan.id) if db else {}
    rows = [r for r in rows if r.name not in held]
    if not rows:
        return [], held
    at = utc_now()
    issued = certify_learners(rows, plan.title, plan.id, plan.minutes, issuer, key, out, issued_at=at)
    if db:
        record_issued(db, [Registered(i.certificate_id, i.learner, plan.id, at, issuer.name, issuer.key_id,
                                      token_digest(i.token)) for i in issued if i.kind == "certificate"])
    return issued, held
