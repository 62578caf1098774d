"""How well the content covers each provision, against the course's content standard."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from nasams_course.catalog import Catalog, load_catalog
from nasams_course.content.models import Bank

MIN_VIGNETTES = 1
MIN_QUESTIONS = 3
MIN_VIOLATION_ITEMS = 1  # for mandatory and prohibited provisions
MIN_PROMPTS = 1
CHAPTER_PROVISIONS = (3, 5)
CHAPTER_MINUTES = (20, 40)
MIN_CHAPTER_KINDS = 3
CAPSTONE_QUESTIONS = 8
CAPSTONE_PROVISIONS = 6
KINDS = ("single", "multi", "rate", "order")


@dataclass(frozen=True)
class Shortfall:
    """A provision or chapter below the content standard."""

    subject: str
    message: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.message}"


def coverage_frame(bank: Bank, catalog: Catalog | None = None) -> pd.DataFrame:
    """One row per provision: chapters, vignettes, questions, kinds, violation items, discussion prompts."""
    catalog = catalog or load_catalog()
    rows = []
    for p in catalog.provisions:
        vignettes = [v for v in bank.vignettes.values() if p.id in v.provisions]
        questions = [q for q in bank.questions.values() if p.id in q.provisions]
        # questions with an option that breaches this provision (the provisions a critical error caps)
        violations = [q for q in questions if any(p.id in (getattr(o, "violation", None) or ()) for o in q.options)]
        chapters = sorted({bank.chapter_of[q.id] for q in questions} | {bank.chapter_of[v.id] for v in vignettes}
                          | {cid for cid, ch in bank.chapters.items() if p.id in ch.provisions})
        row = {
            "provision": p.id,
            "part": p.part,
            "strength": p.strength,
            "domain": p.domain,
            "chapters": ", ".join(chapters),
            "vignettes": len(vignettes),
            "questions": len(questions),
            **{k: sum(1 for q in questions if q.kind == k) for k in KINDS},
            "violation_items": len(violations),
            "prompts": sum(len(v.discussion) for v in vignettes),
        }
        rows.append(row)
    return pd.DataFrame(rows)


def provision_shortfalls(frame: pd.DataFrame, require_all: bool = False) -> list[Shortfall]:
    """Provisions below the minimums. Without require_all, only provisions that have any content count."""
    out = []
    for row in frame.itertuples(index=False):
        has_content = row.vignettes or row.questions
        if not has_content and not require_all:
            continue
        if row.vignettes < MIN_VIGNETTES:
            out.append(Shortfall(row.provision, f"{row.vignettes} vignette(s), needs {MIN_VIGNETTES}"))
        if row.questions < MIN_QUESTIONS:
            out.append(Shortfall(row.provision, f"{row.questions} question(s), needs {MIN_QUESTIONS}"))
        if row.strength != "recommended" and row.violation_items < MIN_VIOLATION_ITEMS:
            out.append(Shortfall(row.provision, f"{row.strength} but no question has a violation option that "
                                                  "breaches it"))
        if row.prompts < MIN_PROMPTS:
            out.append(Shortfall(row.provision, "no discussion prompt (in a vignette listing it)"))
    return out


def chapter_shortfalls(bank: Bank) -> list[Shortfall]:
    """Chapters outside the per-chapter standard (capstones are exempt from the provision count)."""
    out = []
    for cid, ch in bank.chapters.items():
        if ch.part in ("orientation",):
            continue
        subject = f"chapter {cid}"
        lo, hi = CHAPTER_PROVISIONS
        if ch.part != "capstone" and not lo <= len(ch.provisions) <= hi:
            out.append(Shortfall(subject, f"{len(ch.provisions)} provisions, needs {lo}-{hi}"))
        lo, hi = CHAPTER_MINUTES if ch.part != "capstone" else (CHAPTER_MINUTES[0], 45)
        if not lo <= ch.minutes <= hi:
            out.append(Shortfall(subject, f"{ch.minutes} minutes, needs {lo}-{hi}"))
        questions = bank.questions_in_chapter(cid)
        kinds = {q.kind for q in questions}
        if ch.part == "capstone":
            assessed = {pid for q in questions for pid in q.provisions}
            parts = {pid[0] for pid in assessed}
            if len(questions) < CAPSTONE_QUESTIONS:
                out.append(Shortfall(subject, f"{len(questions)} questions, a capstone needs {CAPSTONE_QUESTIONS}"))
            if len(assessed) < CAPSTONE_PROVISIONS or len(parts) < 2:
                out.append(Shortfall(subject, f"assesses {len(assessed)} provisions from {len(parts)} part(s), "
                                     f"a capstone needs {CAPSTONE_PROVISIONS} from at least 2 parts"))
        if len(kinds) < MIN_CHAPTER_KINDS:
            out.append(Shortfall(subject, f"{len(kinds)} question kind(s), needs {MIN_CHAPTER_KINDS}"))
    return out
