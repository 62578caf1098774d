"""The code as data: the 44 leaf provisions and the rubric's competency domains."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict

Part = Literal["ethics", "standards", "unprofessional"]
Strength = Literal["mandatory", "recommended", "prohibited"]

PART_TITLES: dict[str, str] = {
    "ethics": "Code of Ethics",
    "standards": "Standards of Practice",
    "unprofessional": "Examples of Unprofessional Conduct",
}
STRENGTH_LABELS: dict[str, str] = {
    "mandatory": "Mandatory (shall / must)",
    "recommended": "Recommended (should / may)",
    "prohibited": "Prohibited conduct",
}
#: Matches a provision id written in prose, e.g. "E4a", "S16", "U7".
PROVISION_ID_RE = re.compile(r"\b([ESU]\d{1,2}[abc]?)\b")


class UnknownIdError(ValueError):
    """Ids asked for (chapters, provisions) that the course does not have: the command line reports the message,
    one line naming every valid id, with exit status 2."""


def require_known(kind: str, asked: Iterable[str], known: Iterable[str],
                  error: type[UnknownIdError] = UnknownIdError) -> None:
    """Raise `error` unless every id `asked` is `known`; `kind` names them ("chapter", "provision").

    The one message for an unknown id anywhere: `unknown chapter(s): nope (chapters: a, b, c)`."""
    known = list(known)
    unknown = [i for i in dict.fromkeys(asked) if i not in known]
    if unknown:
        raise error(f"unknown {kind}(s): {', '.join(unknown)} ({kind}s: {', '.join(known)})")


class Provision(BaseModel):
    """One leaf provision of the code, with its verbatim text."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    part: Part
    title: str
    strength: Strength
    domain: str
    text: str
    note: str | None = None

    @property
    def anchor(self) -> str:
        """The stable HTML anchor of the provision's section in the book."""
        return f"provision-{self.id.lower()}"

    @property
    def can_be_violated(self) -> bool:
        """True when a breach of this provision can be keyed as a violation."""
        return self.strength in ("mandatory", "prohibited")


class Domain(BaseModel):
    """A competency domain: a named group of provisions scored together."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str
    description: str


class Catalog(BaseModel):
    """All provisions and domains, in the code's order."""

    model_config = ConfigDict(frozen=True)

    provisions: tuple[Provision, ...]
    domains: tuple[Domain, ...]

    def provision(self, pid: str) -> Provision:
        """Return the provision with this id (KeyError if unknown)."""
        for p in self.provisions:
            if p.id == pid:
                return p
        raise KeyError(f"unknown provision {pid!r}")

    def domain(self, did: str) -> Domain:
        """Return the domain with this id (KeyError if unknown)."""
        for d in self.domains:
            if d.id == did:
                return d
        raise KeyError(f"unknown domain {did!r}")

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.provisions)

    def require_provisions(self, ids: Iterable[str]) -> None:
        """Raise UnknownIdError, naming the code's provisions, unless every one of `ids` is one of them."""
        require_known("provision", ids, self.ids)



def _read(name: str) -> dict:
    return yaml.safe_load(resources.files("nasams_course.data").joinpath(name).read_text("utf-8"))


@cache
def load_catalog() -> Catalog:
    """Load the catalog shipped with the package."""
    provisions = tuple(Provision(**p) for p in _read("provisions.yml")["provisions"])
    domains = tuple(Domain(**d) for d in _read("domains.yml")["domains"])
    known = {d.id for d in domains}
    for p in provisions:
        if p.domain not in known:
            raise ValueError(f"provisions.yml:{p.id}.domain: unknown domain {p.domain!r}")
    return Catalog(provisions=provisions, domains=domains)


def cited_provisions(text: str) -> list[str]:
    """Provision ids cited in a piece of prose, in order of first mention."""
    seen: list[str] = []
    for m in PROVISION_ID_RE.finditer(text):
        if m.group(1) not in seen:
            seen.append(m.group(1))
    return seen
