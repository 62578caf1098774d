"""An internal link checker for a built book: every relative href and src of every HTML page must name a file of the
book, and every #fragment an id (or an <a name>) on the page it points to. Links to other hosts, and mailto:, data:
and javascript: addresses, are not the book's and are not checked. The theme's template files under _static/ (Jinja
macros with an .html suffix) are not pages and are not read as pages; links into _static/ are checked."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

NOT_PAGES = ("_static", "_sources")
#: the attributes that name another file, by element
LINK_ATTRIBUTES = {"a": "href", "area": "href", "link": "href", "script": "src", "img": "src", "iframe": "src",
                   "source": "src", "audio": "src", "video": "src", "track": "src", "embed": "src", "form": "action"}


@dataclass(frozen=True, order=True)
class BrokenLink:
    """A link that leads nowhere: on which page, to what, and why."""

    page: str
    url: str
    why: str

    def __str__(self) -> str:
        return f"{self.page}: {self.url}: {self.why}"


class _Page(HTMLParser):
    """The ids a page holds and the links it makes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("id",) + (("name",) if tag == "a" else ()):
            if values.get(name):
                self.ids.add(values[name])
        attribute = LINK_ATTRIBUTES.get(tag)
        if attribute and values.get(attribute) is not None:
            self.links.append(values[attribute])

    handle_startendtag = handle_starttag


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    page.close()
    return page


def _external(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme or parts.netloc)


def broken_links(root: Path) -> list[BrokenLink]:
    """Every broken internal link of the HTML files under `root` (empty when every link resolves)."""
    root = root.resolve()
    pages = {path: _parse(path) for path in sorted(root.rglob("*.html"))
             if path.relative_to(root).parts[0] not in NOT_PAGES}
    broken: list[BrokenLink] = []
    for path, page in pages.items():
        rel = path.relative_to(root).as_posix()
        for url in page.links:
            url = url.strip()
            if not url or _external(url):
                continue
            parts = urlsplit(url)
            target = path if not parts.path else (path.parent / unquote(parts.path)).resolve()
            if target != root and root not in target.parents:
                broken.append(BrokenLink(rel, url, "outside the book"))
                continue
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(BrokenLink(rel, url, "no such file"))
                continue
            fragment = unquote(parts.fragment)
            if fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if fragment not in ids:
                    broken.append(BrokenLink(rel, url, f"no element with id {fragment!r}"))
    return sorted(set(broken))
