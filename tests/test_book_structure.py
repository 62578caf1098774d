"""The book's pages against the content: provision anchors, every question shown once, nothing quoted by hand."""

from __future__ import annotations

import re

import pytest
import yaml

from conftest import REPO
from nasams_course.catalog import cited_provisions, load_catalog
from nasams_course.content.loader import load_bank_or_raise

BANK = load_bank_or_raise(REPO)
CATALOG = load_catalog()
TOC_FILES = re.findall(r"file: (book/\S+)", (REPO / "_toc.yml").read_text())


def page(cid: str) -> str:
    return (REPO / f"{BANK.page_of[cid]}.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("cid", sorted(BANK.chapters))
def test_every_chapter_is_in_the_toc(cid):
    assert BANK.page_of[cid] in TOC_FILES


@pytest.mark.parametrize("cid", sorted(c for c, ch in BANK.chapters.items() if ch.part != "capstone"))
def test_each_provision_has_its_anchored_section_with_catalog_text(cid):
    text = page(cid)
    for pid in BANK.chapters[cid].provisions:
        anchor = CATALOG.provision(pid).anchor
        assert f"({anchor})=\n## {pid} · " in text, f"{cid}: no section ({anchor})= followed by '## {pid} · '"
        assert f'provision("{pid}")' in text, f"{cid}: the text of {pid} is not rendered from the catalog"


def test_every_provision_has_exactly_one_home_section():
    homes = [pid for cid, ch in BANK.chapters.items() if ch.part != "capstone" for pid in ch.provisions]
    assert sorted(homes) == sorted(CATALOG.ids)


@pytest.mark.parametrize("cid", sorted(BANK.chapters))
def test_every_question_appears_exactly_once_on_its_page(cid):
    text = page(cid)
    shown = re.findall(r'quiz\("([a-z0-9-]+)"\)', text)
    for vid in re.findall(r'quizzes_for\("([a-z0-9-]+)"\)', text):
        shown += [q.id for q in BANK.questions_of_vignette(vid)]
    assert sorted(shown) == sorted(q.id for q in BANK.questions_in_chapter(cid))


@pytest.mark.parametrize("cid", sorted(BANK.chapters))
def test_pages_state_time_and_end_with_a_summary(cid):
    text = page(cid)
    assert f'chapter_intro("{cid}")' in text
    assert "\n## Summary" in text


def test_no_page_quotes_the_code_by_hand():
    sentences = [s.strip() for p in CATALOG.provisions for s in re.split(r"(?<=[.;])\s+", p.text) if len(s) > 60]
    for path in TOC_FILES:
        text = (REPO / f"{path}.md").read_text(encoding="utf-8")
        for s in sentences:
            assert s not in text, f"{path} quotes the code by hand: {s[:60]}…"


def test_every_rationale_cites_a_provision():
    for q in BANK.questions.values():
        for o in q.options:
            assert cited_provisions(o.rationale), f"{q.id}:{o.id}"


def test_chapter_data_matches_the_toc_parts():
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    captions = {part["caption"]: [c["file"] for c in part["chapters"]] for part in toc["parts"]}
    part_of = {"ethics": "Part I", "standards": "Part II", "unprofessional": "Part III", "capstone": "Capstone"}
    for cid, ch in BANK.chapters.items():
        caption = next(c for c, files in captions.items() if BANK.page_of[cid] in files)
        assert caption.startswith(part_of[ch.part]), cid
