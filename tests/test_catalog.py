"""The code as data: 44 provisions, verbatim, each in exactly one domain."""

from __future__ import annotations

import hashlib
import re

from nasams_course.catalog import cited_provisions, load_catalog

CATALOG = load_catalog()
EXPECTED_IDS = (
    [f"E{i}" for i in (1, 2, 3)] + ["E4a", "E4b", "E4c"] + [f"E{i}" for i in range(5, 14)]
    + [f"S{i}" for i in range(1, 17)] + [f"U{i}" for i in range(1, 14)]
)
# SHA-256 of the 44 texts joined by "\n\n", taken when the catalog was checked word for word against the
# published code. A change to any text fails here: the texts are verbatim and must stay so.
TEXTS_SHA256 = "6a9f39ebc98cdbe41e35134e3d757e7eab3765c58d2f527678e7a17fca473723"


def test_there_are_44_provisions_in_the_codes_order():
    assert list(CATALOG.ids) == EXPECTED_IDS
    assert len(set(CATALOG.ids)) == 44


def test_parts_follow_the_ids():
    parts = {"E": "ethics", "S": "standards", "U": "unprofessional"}
    assert all(p.part == parts[p.id[0]] for p in CATALOG.provisions)


def test_texts_are_non_empty_and_unchanged():
    assert all(p.text.strip() and p.title.strip() for p in CATALOG.provisions)
    digest = hashlib.sha256("\n\n".join(p.text for p in CATALOG.provisions).encode()).hexdigest()
    assert digest == TEXTS_SHA256


def test_footnote_markers_are_removed():
    for p in CATALOG.provisions:
        assert not re.search(r"[a-z.]\d{1,2}(\s|$)", p.text.replace("COVID-19", "")), p.id


def test_every_domain_reference_resolves_and_every_domain_is_used():
    domain_ids = {d.id for d in CATALOG.domains}
    assert 6 <= len(domain_ids) <= 10
    assert all(p.domain in domain_ids for p in CATALOG.provisions)
    assert {p.domain for p in CATALOG.provisions} == domain_ids


def test_strength_follows_the_wording():
    for p in CATALOG.provisions:
        text = p.text.lower()
        if p.part == "unprofessional":
            assert p.strength == "prohibited", p.id
        elif re.search(r"\b(shall|must|has a duty|have a duty|is required|outside the professional standard)\b", text) \
                or re.search(r"\bwill (engage|practice)\b", text):
            assert p.strength == "mandatory", p.id
        else:
            assert p.strength == "recommended", p.id


def test_anchor_and_citation_helpers():
    assert CATALOG.provision("E4a").anchor == "provision-e4a"
    assert cited_provisions("Breaches S5 and E4a; see also S5 and U13.") == ["S5", "E4a", "U13"]
    assert cited_provisions("S17 is not a provision but is cited") == ["S17"]
