"""A session plan: what a syllabus selects from the course, in the course's order. Everything a session build,
a guide, a handout or a session's grading needs comes from here, never from the syllabus file directly."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Block:
    """One chapter's share of a session: a block of the timing plan and a page of the session book."""

    chapter: str
    title: str
    #: the estimated minutes of the chosen material of this chapter
    minutes: int
    #: the provisions this block teaches (their sections are included), catalog order
    provisions: tuple[str, ...]
    #: the vignettes whose questions are chosen (or that teach the chosen provisions), bank order
    vignettes: tuple[str, ...]
    #: the chosen questions, bank order
    questions: tuple[str, ...]


@dataclass(frozen=True)
class SessionPlan:
    """A syllabus resolved against the course."""

    id: str
    title: str
    #: ISO dates (YYYY-MM-DD), in order
    dates: tuple[str, ...]
    audience: str
    mode: str  # "practice" or "assessment"
    #: the budget the syllabus states
    budget_minutes: int
    blocks: tuple[Block, ...]

    @property
    def minutes(self) -> int:
        return sum(b.minutes for b in self.blocks)

    @property
    def questions(self) -> tuple[str, ...]:
        return tuple(q for b in self.blocks for q in b.questions)

    @property
    def vignettes(self) -> tuple[str, ...]:
        return tuple(v for b in self.blocks for v in b.vignettes)

    @property
    def chapters(self) -> tuple[str, ...]:
        return tuple(b.chapter for b in self.blocks)

    def provisions(self, bank) -> tuple[str, ...]:
        """The session's scope: every provision its questions assess, in first-seen order (a participant who
        answers the whole session can be complete against it)."""
        seen: dict[str, None] = {}
        for qid in self.questions:
            for pid in bank.questions[qid].provisions:
                seen.setdefault(pid, None)
        return tuple(seen)
