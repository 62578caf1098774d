"""A syllabus: a small YAML file naming what a session covers, checked like all content and resolved into a
SessionPlan.

    id: confidentiality-and-victims          # the session id (lower-case letters, digits, hyphens)
    title: Confidentiality and victims
    dates: [2026-11-02]                      # one or more ISO dates
    audience: Mitigation specialists and sentencing advocates
    minutes: 120                             # the budget
    mode: practice                           # or assessment
    chapters: [victims-and-privilege]        # whole chapters
    provisions: [E3, U7]                     # a provision's section, with the cases and questions that assess it
    zones:                                   # questions, listed or drawn
      - title: Confidentiality
        questions: [q-e6-carmen-records]
      - title: Any two on victims
        choose: 2
        from: [q-s5-cooperator-calls, victims-and-privilege, S6]   # question, chapter or provision ids
    seed: 7                                  # the same seed always draws the same questions

What each selector takes (see README, "Build a session"):
- a chapter: everything in it, and its stated `minutes`;
- a provision: its section in the chapter that teaches it (the first of its part's chapters listing it, as on the
  coverage map), that chapter's questions assessing it and the vignettes of those questions and those listing it;
- a zone: its questions (and their vignettes); `choose: N` draws N from the pool `from` names: a question id is
  itself, a chapter id its questions, a provision id every question of the course assessing it. Questions already
  in the session (by chapters, provisions or an earlier zone) leave the pool first.

The estimate of a chapter partly chosen is its share of the chapter's questions: minutes x chosen questions /
all its questions, rounded up to 5 (at least 5). Minutes over the budget are a warning, not an error.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from nasams_course.catalog import PROVISION_ID_RE, Catalog, load_catalog
from nasams_course.content.loader import read_yaml
from nasams_course.content.models import Bank, Id, ProvisionId
from nasams_course.content.problems import Problem, from_validation_error
from nasams_course.rendering.coverage_map import home_chapters
from nasams_course.training.plan import Block, SessionPlan

MAX_BUDGET = 2_400  # five days of eight hours
MAX_LINE = 200
ROUND_TO = 5
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_LINE)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("title", "audience", check_fields=False)
    @classmethod
    def _one_line(cls, value: str) -> str:
        if "\n" in value or "\r" in value:
            raise ValueError("must be one line of text")
        return value


#: what a zone draws from: a question or chapter id, or a provision id
PoolId = Annotated[str, StringConstraints(pattern=r"^([a-z0-9][a-z0-9-]*|[ESU]\d{1,2}[abc]?)$", max_length=80)]


class Zone(_Strict):
    """A group of questions: listed (`questions`), or drawn (`choose` N `from` a pool)."""

    title: Line
    questions: list[Id] | None = None
    choose: StrictInt | None = Field(default=None, ge=1)
    pool: list[PoolId] | None = Field(default=None, alias="from")

    @model_validator(mode="after")
    def _listed_or_drawn(self) -> Zone:
        drawn = self.choose is not None or self.pool is not None
        if self.questions is not None and drawn:
            raise ValueError("give either questions, or choose with from, not both")
        if self.questions is None and not drawn:
            raise ValueError("give questions, or choose N from a list")
        if drawn and (self.choose is None or self.pool is None):
            raise ValueError("choose and from go together: choose N questions from a list")
        return self


class Syllabus(_Strict):
    """What a session covers: the syllabus file's fields."""

    id: Id
    title: Line
    dates: list[date] = Field(min_length=1)
    audience: Line
    minutes: StrictInt = Field(ge=ROUND_TO, le=MAX_BUDGET)
    mode: Literal["practice", "assessment"]
    chapters: list[Id] | None = None
    provisions: list[ProvisionId] | None = None
    zones: list[Zone] | None = None
    seed: StrictInt | None = Field(default=None, ge=0)

    @field_validator("dates", mode="before")
    @classmethod
    def _a_date_or_a_list(cls, value: object) -> object:
        return [value] if isinstance(value, str | date) else value

    @model_validator(mode="after")
    def _draws_need_a_seed(self) -> Syllabus:
        if self.seed is None and any(z.choose is not None for z in self.zones or ()):
            raise ValueError("a zone draws questions (choose): give a seed, so the same session is drawn every time")
        return self


@dataclass
class Checked:
    """A syllabus checked against the course: the plan (None when there are problems), problems, warnings."""

    plan: SessionPlan | None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    syllabus: Syllabus | None = None


def load_syllabus(path: Path, bank: Bank, catalog: Catalog | None = None, rel: str | None = None) -> Checked:
    """Read, validate and resolve a syllabus file; every problem is `path:field: problem`."""
    rel = rel or str(path)
    if not path.is_file():
        return Checked(None, [Problem(rel, "(file)", "no such file" if not path.exists() else "not a file")])
    data, problems = read_yaml(path, rel)
    if data is None:
        return Checked(None, problems)
    try:
        syllabus = Syllabus.model_validate(data)
    except ValidationError as exc:
        return Checked(None, from_validation_error(rel, exc, Syllabus))
    return resolve(syllabus, bank, catalog or load_catalog(), rel)


class _Selection:
    """What the selectors chose, chapter by chapter, and why (for messages)."""

    def __init__(self, bank: Bank, catalog: Catalog, rel: str):
        self.bank, self.catalog, self.rel = bank, catalog, rel
        self.questions: dict[str, str] = {}  # question id -> what selected it
        self.vignettes: set[str] = set()
        self.taught: dict[str, set[str]] = {}  # chapter id -> provisions whose sections are included
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def problem(self, fld: str, message: str) -> None:
        self.problems.append(Problem(self.rel, fld, message))

    def warn(self, fld: str, message: str) -> None:
        self.warnings.append(Problem(self.rel, fld, message))

    def add_question(self, qid: str, why: str) -> None:
        self.questions.setdefault(qid, why)
        q = self.bank.questions[qid]
        if q.vignette:
            self.vignettes.add(q.vignette)

    def chapters(self, ids: list[str]) -> None:
        for i, cid in enumerate(ids):
            if cid not in self.bank.chapters:
                self.problem(f"chapters[{i}]", f"unknown chapter {cid!r} (chapters: {', '.join(self.bank.chapters)})")
                continue
            self.taught.setdefault(cid, set()).update(self.bank.chapters[cid].provisions)
            self.vignettes.update(v.id for v in self.bank.vignettes_in_chapter(cid))
            for q in self.bank.questions_in_chapter(cid):
                self.add_question(q.id, f"chapter {cid}")

    def provisions(self, ids: list[str]) -> None:
        home = home_chapters(self.bank)
        for i, pid in enumerate(ids):
            if pid not in self.catalog.ids:
                self.problem(f"provisions[{i}]",
                             f"unknown provision {pid!r} (provisions: {', '.join(self.catalog.ids)})")
                continue
            cid = home.get(pid)
            if cid is None:
                self.problem(f"provisions[{i}]",
                             f"no chapter of the course teaches {pid}: choose its questions in a zone")
                continue
            if pid in self.taught.get(cid, ()):
                self.warn(f"provisions[{i}]", f"{pid} is already in the session (chapter {cid})")
            self.taught.setdefault(cid, set()).add(pid)
            self.vignettes.update(v.id for v in self.bank.vignettes_in_chapter(cid) if pid in v.provisions)
            for q in self.bank.questions_in_chapter(cid):
                if pid in q.provisions:
                    self.add_question(q.id, f"provision {pid}")

    def pool(self, zi: int, ids: list[str]) -> list[str] | None:
        """A zone's pool in bank order: question, chapter or provision ids (None if one is unknown)."""
        chosen: set[str] = set()
        ok = True
        for j, item in enumerate(ids):
            if item in self.bank.questions:
                chosen.add(item)
            elif item in self.bank.chapters:
                chosen.update(q.id for q in self.bank.questions_in_chapter(item))
            elif PROVISION_ID_RE.fullmatch(item) and item in self.catalog.ids:
                chosen.update(q.id for q in self.bank.questions.values() if item in q.provisions)
            else:
                ok = False
                self.problem(f"zones[{zi}].from[{j}]", f"unknown question, chapter or provision {item!r} "
                             "(nasams-course questions lists the questions)")
        return [qid for qid in self.bank.questions if qid in chosen] if ok else None

    def zones(self, zones: list[Zone], seed: int | None) -> None:
        rng = random.Random(seed or 0)
        listed: dict[str, int] = {}  # question id named in a zone -> that zone
        for zi, zone in enumerate(zones):
            names = zone.questions if zone.questions is not None else zone.pool
            fld = "questions" if zone.questions is not None else "from"
            if not names:
                self.problem(f"zones[{zi}].{fld}", "empty selection: name at least one question")
                continue
            for j, qid in enumerate(names):
                if listed.get(qid) == zi:
                    self.problem(f"zones[{zi}].{fld}[{j}]", f"question {qid!r} is listed twice in this zone")
                elif qid in listed:
                    self.problem(f"zones[{zi}].{fld}[{j}]", f"question {qid!r} is already in zone {listed[qid] + 1} "
                                 f"({zones[listed[qid]].title}): a question belongs to one zone")
                elif qid in self.bank.questions:
                    listed[qid] = zi
            if zone.questions is not None:
                self._listed(zi, zone.questions)
            else:
                self._drawn(zi, zone, rng)

    def _listed(self, zi: int, ids: list[str]) -> None:
        for j, qid in enumerate(ids):
            if qid not in self.bank.questions:
                self.problem(f"zones[{zi}].questions[{j}]", f"unknown question {qid!r} "
                             "(nasams-course questions lists them)")
            elif qid in self.questions and not self.questions[qid].startswith("zone"):
                self.problem(f"zones[{zi}].questions[{j}]", f"question {qid!r} is already in the session "
                             f"({self.questions[qid]})")
            elif qid in self.questions:  # drawn by an earlier zone (a question named in two zones is a problem)
                self.warn(f"zones[{zi}].questions[{j}]", f"question {qid!r} was already drawn in "
                          f"{self.questions[qid]}: it is in the session once, there")
            else:
                self.add_question(qid, f"zone {zi + 1}")

    def _drawn(self, zi: int, zone: Zone, rng: random.Random) -> None:
        pool = self.pool(zi, zone.pool)
        if pool is None:
            return
        free = [qid for qid in pool if qid not in self.questions]
        if zone.choose > len(free):
            taken = len(pool) - len(free)
            self.problem(f"zones[{zi}].choose", f"choose {zone.choose} is more than the zone holds: {len(free)} "
                         "question(s)" + (f" ({taken} more already in the session)" if taken else ""))
            return
        for qid in draw(free, zone.choose, rng):
            self.add_question(qid, f"zone {zi + 1}")


def draw(pool: list[str], n: int, rng: random.Random) -> list[str]:
    """n questions of the pool, in the pool's order. Only `random()` is used: for a given seed, Python guarantees
    its sequence across versions (the other methods may change)."""
    keys = {qid: rng.random() for qid in pool}
    chosen = set(sorted(pool, key=keys.__getitem__)[:n])
    return [qid for qid in pool if qid in chosen]


def share_minutes(chapter_minutes: int, chosen: int, total: int) -> int:
    """A chapter partly chosen: its share of the chapter's questions, rounded up to 5 minutes (at least 5)."""
    share = chapter_minutes * chosen / total if total else 0
    return max(ROUND_TO, math.ceil(share / ROUND_TO - 1e-9) * ROUND_TO)


def _blocks(sel: _Selection) -> tuple[Block, ...]:
    bank, catalog = sel.bank, sel.catalog
    blocks = []
    for cid, ch in bank.chapters.items():
        questions = tuple(qid for qid in bank.questions if qid in sel.questions and bank.chapter_of[qid] == cid)
        vignettes = tuple(vid for vid in bank.vignettes if vid in sel.vignettes and bank.chapter_of[vid] == cid)
        taught = sel.taught.get(cid, set())
        if not (questions or vignettes or taught):
            continue
        provisions = tuple(pid for pid in catalog.ids if pid in taught)
        block = Block(cid, ch.title, ch.minutes, provisions, vignettes, questions)
        if not is_whole(block, bank):
            everything = len(bank.questions_in_chapter(cid))
            block = replace(block, minutes=share_minutes(ch.minutes, len(questions), everything))
        blocks.append(block)
    return tuple(blocks)


def resolve(syllabus: Syllabus, bank: Bank, catalog: Catalog, rel: str) -> Checked:
    """The syllabus against the course: the plan, or the problems; warnings either way."""
    sel = _Selection(bank, catalog, rel)
    if not (syllabus.chapters or syllabus.provisions or syllabus.zones):
        for name in ("chapters", "provisions", "zones"):
            if getattr(syllabus, name) == []:
                sel.problem(name, "empty selection: name at least one")
        if not sel.problems:
            sel.problem("(file)", "empty selection: the syllabus chooses nothing (give chapters, provisions or zones)")
        return Checked(None, sel.problems, syllabus=syllabus)
    sel.chapters(syllabus.chapters or [])
    sel.provisions(syllabus.provisions or [])
    sel.zones(syllabus.zones or [], syllabus.seed)
    if sel.problems:
        return Checked(None, sel.problems, sel.warnings, syllabus)
    plan = SessionPlan(
        id=syllabus.id, title=syllabus.title, dates=tuple(d.isoformat() for d in sorted(set(syllabus.dates))),
        audience=syllabus.audience, mode=syllabus.mode, budget_minutes=syllabus.minutes, blocks=_blocks(sel))
    if plan.minutes > plan.budget_minutes:
        sel.warn("minutes", f"the chosen material takes about {plan.minutes} minutes, over the budget of "
                 f"{plan.budget_minutes} ({plan.minutes - plan.budget_minutes} minutes too many)")
    return Checked(plan, [], sel.warnings, syllabus)


def is_whole(block: Block, bank: Bank) -> bool:
    """The block holds its whole chapter: every provision, vignette and question (its page is the course's)."""
    cid = block.chapter
    return (set(bank.chapters[cid].provisions) <= set(block.provisions)
            and len(block.vignettes) == len(bank.vignettes_in_chapter(cid))
            and len(block.questions) == len(bank.questions_in_chapter(cid)))
