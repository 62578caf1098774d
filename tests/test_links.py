"""The internal link checker finds every kind of broken link in a built book, and nothing else."""

from __future__ import annotations

from pathlib import Path

from conftest import ascii_locale
from nasams_course.training.links import broken_links


def page(path: Path, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"<!DOCTYPE html><html lang='en'><head><title>t</title></head><body>{body}</body></html>")


def test_a_book_whose_links_all_resolve_has_none_broken(tmp_path):
    page(tmp_path / "index.html", '<a href="book/a.html#sec">a</a><a href="#top" id="top">top</a>'
         '<script src="_static/x.js"></script><link rel="stylesheet" href="_static/x.css">'
         '<a href="https://example.org/">out</a><a href="mailto:x@example.org">m</a><a href="">self</a>'
         '<img src="_static/pic%20one.png" alt=""><a href="book/">folder</a><form action="search.html"></form>')
    page(tmp_path / "book" / "a.html", '<h2 id="sec">S</h2><a href="../index.html#top">back</a><a name="old"></a>'
         '<a href="a.html#old">old</a><a href="?q=1#sec">query</a>')
    page(tmp_path / "book" / "index.html", "")
    page(tmp_path / "search.html", "")
    (tmp_path / "_static").mkdir(exist_ok=True)
    for name in ("x.js", "x.css", "pic one.png"):
        (tmp_path / "_static" / name).write_text("")
    # a theme's template under _static is not a page: its Jinja is not a link
    (tmp_path / "_static" / "macros.html").write_text("<link href=\"{{ pathto('x.css', 1) }}\">")
    assert broken_links(tmp_path) == []


def test_every_kind_of_broken_link_is_found_with_its_page_and_reason(tmp_path):
    page(tmp_path / "index.html", '<a href="book/missing.html">1</a><a href="book/a.html#nowhere">2</a>'
         '<a href="#absent">3</a><a href="../outside.html">4</a><script src="_static/gone.js"></script>'
         '<a href="book/">5</a><img src="pic.png" alt="">')
    page(tmp_path / "book" / "a.html", '<a href="../index.html#also-absent">6</a>')
    (tmp_path.parent / "outside.html").write_text("")
    found = [str(b) for b in broken_links(tmp_path)]
    assert found == [
        "book/a.html: ../index.html#also-absent: no element with id 'also-absent'",
        "index.html: #absent: no element with id 'absent'",
        "index.html: ../outside.html: outside the book",
        "index.html: _static/gone.js: no such file",
        "index.html: book/: no such file",
        "index.html: book/a.html#nowhere: no element with id 'nowhere'",
        "index.html: book/missing.html: no such file",
        "index.html: pic.png: no such file",
    ]


def test_links_and_ids_after_a_stray_ampersand_in_the_text_are_still_read(tmp_path):
    """A page's text may hold a bare `&#` (a hand-written page, a pasted snippet): what follows it is still read, so
    a broken link after it is found and a link to an id after it is not called broken."""
    page(tmp_path / "index.html", '<a href="#late">to the end</a><p>Fees &# costs, Q&A</p>'
         '<a href="missing.html">m</a><h2 id="late">End</h2>')
    assert [str(b) for b in broken_links(tmp_path)] == ["index.html: missing.html: no such file"]


def test_links_after_an_external_or_empty_link_are_still_checked(tmp_path):
    page(tmp_path / "index.html", '<a href="https://example.org/">out</a><a href="gone.html">1</a>'
         '<a href="">self</a><a href="also-gone.html">2</a>')
    assert [str(b) for b in broken_links(tmp_path)] == ["index.html: also-gone.html: no such file",
                                                        "index.html: gone.html: no such file"]


def test_a_name_is_a_target_only_on_an_a_element(tmp_path):
    """`<a name>` is an old anchor a browser scrolls to; a form field's or a meta element's name is not."""
    page(tmp_path / "index.html", '<meta name="viewport" content="width=device-width"><a name="old"></a>'
         '<form><input name="q"></form><a href="#old">1</a><a href="#q">2</a><a href="#viewport">3</a>')
    assert [str(b) for b in broken_links(tmp_path)] == ["index.html: #q: no element with id 'q'",
                                                        "index.html: #viewport: no element with id 'viewport'"]


def test_a_fragment_into_an_html_file_under_static_is_checked_against_that_file(tmp_path):
    """_static/ holds no pages (they are not read as pages), but a link into one of its HTML files is checked."""
    page(tmp_path / "index.html", '<a href="_static/t.html#top">1</a><a href="_static/t.html#nowhere">2</a>')
    page(tmp_path / "_static" / "t.html", '<h1 id="top">T</h1>')
    assert [str(b) for b in broken_links(tmp_path)] == [
        "index.html: _static/t.html#nowhere: no element with id 'nowhere'"]


def test_a_page_that_is_not_all_utf8_is_still_read(tmp_path):
    """A byte that is not UTF-8 (a pasted Latin-1 snippet) is read as a replacement character, and the page's links
    and ids are still checked."""
    (tmp_path / "index.html").write_bytes(b'<p>caf\xe9</p><a href="#end">1</a><a href="gone.html">2</a><h2 id="end">E</h2>')
    assert [str(b) for b in broken_links(tmp_path)] == ["index.html: gone.html: no such file"]


def test_accented_ids_and_file_names_are_read_as_utf8_whatever_the_machine_s_locale(tmp_path):
    """The C locale's encoding is ASCII: pages are still read as UTF-8, so an accented id or file name is found."""
    (tmp_path / "index.html").write_text('<a href="#zo%C3%AB">1</a><a href="caf%C3%A9.html#r%C3%A9sum%C3%A9">2</a>'
                                         '<h2 id="zoë">Z</h2>', encoding="utf-8")
    (tmp_path / "café.html").write_text('<h2 id="résumé">R</h2>', encoding="utf-8")
    with ascii_locale():
        found = broken_links(tmp_path)
    assert found == []
