"""Certifying a session's learners from plain per-learner data (what the gradebook knows of each): a signed
certificate (PDF and JSON file) for each learner who completed the session, a statement of what remains for each
who did not, and a CSV of the run."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from nasams_course.catalog import load_catalog
from nasams_course.training.certificate_pdf import (
    PrintError,
    certificate_layout,
    certificate_pdf,
    check_printable,
    remaining_sections,
    statement_pdf,
)
from nasams_course.training.certificates import (
    RecordError,
    certificate_file,
    certificate_record,
    issue,
    token_digest,
    utc_now,
)
from nasams_course.training.issuer import Issuer
from nasams_course.training.spreadsheet import write_rows

RUN_CSV = "certificates.csv"


@dataclass(frozen=True)
class LearnerOutcome:
    """One learner's result in a session, as the gradebook gives it."""

    name: str
    complete: bool
    #: the date the learner completed the session (or last worked on it), YYYY-MM-DD
    completed_on: str
    #: the provisions covered, in the session's order
    provisions: tuple[str, ...] = ()
    #: {domain id: level} for the session's domains
    levels: dict[str, str] = field(default_factory=dict)
    #: for a learner who did not complete: provisions_not_attempted, domains_below_proficient, critical_errors
    remaining: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Issued:
    """What a run wrote for one learner: a certificate (id, token, PDF and JSON file) or a statement (PDF)."""

    learner: str
    kind: str  # "certificate" or "statement"
    pdf: Path
    certificate_id: str | None = None
    token: str | None = None
    json_file: Path | None = None
    ce_hours: float | None = None


def slug(name: str) -> str:
    """A file-name-safe ASCII form of a name (`Łukasz Nguyễn` -> `lukasz-nguyen`)."""
    ascii_name = unicodedata.normalize("NFKD", name.replace("Ł", "L").replace("ł", "l")).encode("ascii", "ignore")
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.decode().lower()).strip("-")[:40] or "learner"


def certify_learners(rows: list[LearnerOutcome | dict], session_title: str, session_id: str, minutes: int,
                     issuer: Issuer, key: Ed25519PrivateKey, out_dir: Path,
                     issued_at: str | None = None) -> list[Issued]:
    """Certify every learner of `rows` who completed the session, and give each who did not a statement of what
    remains. Every record is checked before anything is written (RecordError names the learner and the field, as
    does a name the PDF fonts cannot print or a certificate whose fields cannot fit its page), and no existing file
    is replaced. Writes `certificate-<ID>.pdf` and `.json`, `statement-<n>-<name>.pdf` and `certificates.csv` into
    `out_dir`."""
    rows = [r if isinstance(r, LearnerOutcome) else LearnerOutcome(**r) for r in rows]
    at = issued_at or utc_now()
    check_printable({"session title": session_title, "session id": session_id, "issuer": issuer.name})
    records, tokens = {}, {}
    for i, row in enumerate(rows):
        try:
            check_printable({"name": row.name})
            if not row.complete:
                remaining_sections(row.remaining, load_catalog())
        except PrintError as exc:
            raise RecordError(f"learner {i + 1} ({row.name!r}): {exc}") from None
        if row.complete:
            try:
                records[i] = certificate_record(
                    learner=row.name, session_id=session_id, session_title=session_title,
                    completed_on=row.completed_on, minutes=minutes, provisions=row.provisions, levels=row.levels,
                    issuer=issuer, issued_at=at)
                tokens[i] = issue(records[i], key)
                certificate_layout(records[i], tokens[i])  # its page: laid out, not yet written
            except (RecordError, PrintError) as exc:
                raise RecordError(f"learner {i + 1} ({row.name!r}): {exc}") from None
    out_dir = Path(out_dir)
    targets = [out_dir / RUN_CSV] + [out_dir / f"certificate-{r['id']}.{ext}" for r in records.values()
                                     for ext in ("pdf", "json")]
    targets += [out_dir / f"statement-{i + 1:04d}-{slug(row.name)}.pdf" for i, row in enumerate(rows)
                if not row.complete]
    if existing := [t for t in targets if t.exists()]:
        raise FileExistsError(f"{existing[0]}: exists; certificates are never replaced (choose an empty --out)")
    out_dir.mkdir(parents=True, exist_ok=True)
    issued = [issue_one(i, row, records.get(i), tokens.get(i), session_title, session_id, issuer, out_dir)
              for i, row in enumerate(rows)]
    write_run_csv(issued, out_dir / RUN_CSV)
    return issued


def issue_one(i: int, row: LearnerOutcome, record: dict | None, token: str | None, session_title: str,
              session_id: str, issuer: Issuer, out_dir: Path) -> Issued:
    """Write learner `i`'s files: the certificate of `record`, signed as `token`, or (no record) a statement."""
    import json

    if record is None:
        pdf = statement_pdf(row.name, {"id": session_id, "title": session_title}, row.remaining,
                            out_dir / f"statement-{i + 1:04d}-{slug(row.name)}.pdf")
        return Issued(row.name, "statement", pdf)
    base = out_dir / f"certificate-{record['id']}"
    pdf = certificate_pdf(record, token, issuer, base.with_suffix(".pdf"))
    json_file = base.with_suffix(".json")
    json_file.write_text(json.dumps(certificate_file(record, token), indent=2, ensure_ascii=False) + "\n",
                         encoding="utf-8")
    return Issued(row.name, "certificate", pdf, record["id"], token, json_file, record["ce_hours"])


def write_run_csv(issued: list[Issued], path: Path) -> None:
    """One row per learner: outcome, certificate id, CE hours, the files, and the token's SHA-256."""
    rows = [[it.learner, it.kind, it.certificate_id or "", "" if it.ce_hours is None else f"{it.ce_hours:g}",
             it.pdf.name, it.json_file.name if it.json_file else "", token_digest(it.token) if it.token else ""]
            for it in issued]
    write_rows(path, ["learner", "outcome", "certificate_id", "ce_hours", "pdf", "json", "token_sha256"], rows)
