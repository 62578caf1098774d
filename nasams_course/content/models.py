"""Pydantic models of the content files. Unknown fields are errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, field_validator

from nasams_course.catalog import UnknownIdError, require_known

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]
ProvisionId = Annotated[str, StringConstraints(pattern=r"^[ESU]\d{1,2}[abc]?$")]
#: Text a learner reads: limits keep a slip (a pasted file, a runaway block) from reaching the book
MAX_TEXT = 2_000
MAX_NARRATIVE = 8_000
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT)]
Narrative = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NARRATIVE)]
Kind = Literal["single", "multi", "rate", "order"]

KIND_LABELS: dict[str, str] = {
    "single": "Single best answer",
    "multi": "Select all that apply",
    "rate": "Rate each action",
    "order": "Put the steps in order",
}
RATING_LABELS: dict[int, str] = {
    1: "Very inappropriate",
    2: "Somewhat inappropriate",
    3: "Somewhat appropriate",
    4: "Very appropriate",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Chapter(_Strict):
    """A chapter's data: `chapter.yml` in the folder beside the chapter page."""

    id: Id
    title: Text
    part: Literal["orientation", "ethics", "standards", "unprofessional", "capstone"]
    provisions: list[ProvisionId] = Field(min_length=1)
    minutes: int = Field(ge=5, le=90)
    objectives: list[Text] = Field(min_length=1)


class Vignette(_Strict):
    """A case scenario that questions and seminar discussion build on."""

    id: Id
    title: Text
    setting: Literal["capital", "non-capital", "either"]
    narrative: Narrative
    provisions: list[ProvisionId] = Field(min_length=1)
    discussion: list[Text] = Field(min_length=1)


#: The provisions an option breaches: choosing it is a critical error on exactly these.
Breaches = Annotated[list[ProvisionId], Field(min_length=1)]


class _Option(_Strict):
    id: Id
    text: Text
    rationale: Text

    @field_validator("credit", "key", mode="before", check_fields=False)
    @classmethod
    def _not_a_flag(cls, value: object) -> object:
        """`credit: true` or `key: true` is a slip, not 1: YAML booleans are refused where a number is meant."""
        if isinstance(value, bool):
            raise ValueError(f"expected a number, got {str(value).lower()}")
        return value


class SingleOption(_Option):
    credit: Literal[0, 0.5, 1]
    violation: Breaches | None = None


class MultiOption(_Option):
    correct: StrictBool
    violation: Breaches | None = None


class RateOption(_Option):
    key: Literal[1, 2, 3, 4]
    violation: Breaches | None = None


class OrderOption(_Option):
    pass


class _Question(_Strict):
    id: Id
    vignette: Id | None = None
    stem: Text
    provisions: list[ProvisionId] = Field(min_length=1)

    def option(self, oid: str) -> _Option:
        for o in self.options:  # type: ignore[attr-defined]
            if o.id == oid:
                return o
        raise KeyError(oid)

    @property
    def option_ids(self) -> list[str]:
        return [o.id for o in self.options]  # type: ignore[attr-defined]

    def breaches(self, oid: str) -> tuple[str, ...]:
        """The provisions that choosing option `oid` breaches (empty unless it is a violation)."""
        return tuple(getattr(self.option(oid), "violation", None) or ())


class SingleQuestion(_Question):
    kind: Literal["single"]
    options: list[SingleOption] = Field(min_length=2)


class MultiQuestion(_Question):
    kind: Literal["multi"]
    options: list[MultiOption] = Field(min_length=2)


class RateQuestion(_Question):
    kind: Literal["rate"]
    options: list[RateOption] = Field(min_length=2)


def kendall_tau(placed: list[str], key: list[str]) -> float:
    """Kendall's tau of a sequence against the key: (concordant - discordant pairs) / all key pairs.

    A pair of keyed steps is concordant when both are placed and in keyed order; any other pair
    (reversed, or with a step missing) counts as discordant. 1 is the keyed order, -1 its reverse.
    """
    position = {oid: i for i, oid in enumerate(placed)}
    n = len(key)
    pairs = n * (n - 1) // 2
    if pairs == 0:
        return 1.0
    concordant = sum(
        1 for i in range(n) for j in range(i + 1, n)
        if key[i] in position and key[j] in position and position[key[i]] < position[key[j]]
    )
    return (2 * concordant - pairs) / pairs


class OrderQuestion(_Question):
    """Options are listed in the order they are first shown; `key` is the correct sequence.

    The first-shown order must not agree with the key (Kendall's tau <= 0), so that submitting
    the steps untouched scores 0.
    """

    kind: Literal["order"]
    options: list[OrderOption] = Field(min_length=1)
    key: list[Id]

    @property
    def shown_tau(self) -> float:
        """Kendall's tau of the first-shown order against the key."""
        return kendall_tau(self.option_ids, self.key)


Question = Annotated[
    SingleQuestion | MultiQuestion | RateQuestion | OrderQuestion,
    Field(discriminator="kind"),
]


class UnknownChapterError(UnknownIdError):
    """Chapters asked for that the course does not have (the command line reports it with exit status 2)."""


@dataclass
class Bank:
    """All validated content, with where each item came from."""

    chapters: dict[str, Chapter] = field(default_factory=dict)
    vignettes: dict[str, Vignette] = field(default_factory=dict)
    questions: dict[str, Question] = field(default_factory=dict)
    #: item id -> chapter id, for vignettes and questions
    chapter_of: dict[str, str] = field(default_factory=dict)
    #: "chapter:<id>", "vignette:<id>" or "question:<id>" -> source path (relative to the root)
    source: dict[str, str] = field(default_factory=dict)
    #: chapter id -> path of the chapter page (relative, no suffix)
    page_of: dict[str, str] = field(default_factory=dict)

    def path_of(self, kind: str, item_id: str) -> str:
        """Where a chapter, vignette or question was loaded from."""
        return self.source.get(f"{kind}:{item_id}", f"<{kind} {item_id}>")

    def questions_of_vignette(self, vid: str) -> list[Question]:
        return [q for q in self.questions.values() if q.vignette == vid]

    def require_chapters(self, chapters: list[str]) -> None:
        """Raise UnknownChapterError, naming the course's chapters, unless every one of `chapters` exists."""
        require_known("chapter", chapters, self.chapters, UnknownChapterError)

    def questions_in_chapter(self, cid: str) -> list[Question]:
        return [q for qid, q in self.questions.items() if self.chapter_of.get(qid) == cid]

    def vignettes_in_chapter(self, cid: str) -> list[Vignette]:
        return [v for vid, v in self.vignettes.items() if self.chapter_of.get(vid) == cid]
