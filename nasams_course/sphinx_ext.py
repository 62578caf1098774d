"""Sphinx extension for the book: validates content before building and ships the quiz assets."""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

from nasams_course.content.loader import load_bank, session_manifest

STATIC = Path(__file__).parent / "static"
TEMPLATES = Path(__file__).parent / "templates"
DATA = Path(__file__).parent / "data"
#: the prefix of the book's keys in the browser's storage (sent with the book's data to nasams-answers.js): the
#: course's never changes (learners' saved answers are kept under it); a session book has its own
COURSE_STORE = "nasams-course:nasams-ethics:"
SESSION_STORE = "nasams-course:session:{id}:"


def _validate(app: Sphinx) -> None:
    """Fail the build, listing every problem, if any content file is invalid."""
    _bank, problems = load_bank(Path(app.srcdir))
    if problems:
        lines = "\n".join(str(p) for p in problems)
        raise ExtensionError(f"the course content has {len(problems)} problem(s):\n{lines}")


def _drop_unwanted_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Keep pages offline and light: no widget state (the quiz is a static form here) and no thebe loader,
    which names a CDN and is never used (the book runs no kernel)."""
    scripts = context.get("script_files")
    if not scripts:
        return
    kept = []
    for js in scripts:
        attributes = getattr(js, "attributes", {}) or {}
        body = attributes.get("body", "") or ""
        filename = getattr(js, "filename", str(js)) or ""
        if attributes.get("type") == "application/vnd.jupyter.widget-state+json":
            continue
        if "THEBE_JS_URL" in body or "sphinx-thebe" in filename:
            continue
        kept.append(js)
    context["script_files"] = kept


def _book_data(app: Sphinx) -> str:
    """Every chapter's page and question ids (the sidebar's marks, the home page's Continue) and the catalog's
    provision ids (an imported self-rating must name one, as in Python): JSON in a script element, data, not code.
    A session book adds its session id (its response files carry it) and the prefix of its keys in the browser's
    storage, its own: clearing a session's answers leaves the course's (and other sessions') alone."""
    if not hasattr(app, "nasams_book_json"):
        from nasams_course.rendering.html import script_json

        bank, _problems = load_bank(Path(app.srcdir))
        chapters = [{"path": f"{bank.page_of[cid]}.html", "questions": [q.id for q in bank.questions_in_chapter(cid)]}
                    for cid in bank.chapters] if bank else []
        from nasams_course.catalog import load_catalog

        data = {"chapters": chapters, "provisions": list(load_catalog().ids), "prefix": COURSE_STORE}
        manifest = session_manifest(Path(app.srcdir))
        if manifest:
            data["session"] = manifest["id"]
            data["prefix"] = SESSION_STORE.format(id=manifest["id"])
        app.nasams_book_json = script_json(data)
    return app.nasams_book_json


#: what the verify page holds (book/orientation/verify.md): it gets the issuer's data and nasams-verify.js
VERIFY_MARKER = 'class="nasams-verify"'
#: the course's scripts: every page, then by what the page holds (the import code loads when the learner imports)
SCRIPTS_EVERY_PAGE = ("nasams-grader.js", "nasams-answers.js")
SCRIPTS_BY_CONTENT = (('class="nasams-quiz"', ("nasams-save.js", "nasams-quiz.js")),
                      ('class="nasams-progress"', ("nasams-profile.js", "nasams-progress.js")),
                      ('class="nasams-start"', ("nasams-start.js",)),
                      (VERIFY_MARKER, ("nasams-verify.js",)),
                      ('class="nasams-answered"', ("nasams-answered.js",)))


def _page_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Load only the scripts a page needs, and give every page the chapters' data."""
    if "body" not in context:
        return
    body = context["body"]
    names = list(SCRIPTS_EVERY_PAGE)
    for marker, scripts in SCRIPTS_BY_CONTENT:
        if marker in body:
            names += scripts
    for i, name in enumerate(names):
        app.add_js_file(name, defer="defer", priority=800 + i)
    context["body"] = body + f'<script type="application/json" id="nasams-book">{_book_data(app)}</script>'
    if VERIFY_MARKER in body:
        context["body"] += f'<script type="application/json" id="nasams-verify-data">{_verify_data(app)}</script>'


def _content_files(root: Path, docname: str) -> list[Path]:
    """The data a page shows: its chapter folder, or (orientation pages) all content; and the catalog."""
    folder = root / docname
    files = sorted(folder.rglob("*.y*ml")) if folder.is_dir() else sorted((root / "book").rglob("*.y*ml"))
    return files + sorted(DATA.glob("*.yml"))


def _fingerprint(root: Path, docname: str) -> list[tuple[str, int, int]]:
    out = []
    for f in _content_files(root, docname):
        st = f.stat()
        out.append((str(f), st.st_mtime_ns, st.st_size))
    return out


def _remember_content(app: Sphinx, docname: str, source: list[str]) -> None:
    """Record which content files a page was built from (so a change to any of them rebuilds the page)."""
    if not hasattr(app.env, "nasams_content"):
        app.env.nasams_content = {}
    app.env.nasams_content[docname] = _fingerprint(Path(app.srcdir), docname)


def _outdated_by_content(app: Sphinx, env, added: set, changed: set, removed: set) -> list[str]:
    """Pages whose YAML content (or the catalog) changed, was added or was removed since they were built."""
    known = getattr(env, "nasams_content", {})
    root = Path(app.srcdir)
    return [doc for doc, fp in known.items()
            if doc not in removed and (root / f"{doc}.md").exists() and _fingerprint(root, doc) != fp]


def _purge(app: Sphinx, env, docname: str) -> None:
    getattr(env, "nasams_content", {}).pop(docname, None)
    getattr(env, "nasams_verify", {}).pop(docname, None)


def _merge(app: Sphinx, env, docnames: set, other) -> None:
    env.nasams_content = {**getattr(env, "nasams_content", {}),
                          **{d: fp for d, fp in getattr(other, "nasams_content", {}).items() if d in docnames}}
    env.nasams_verify = {**getattr(env, "nasams_verify", {}),
                         **{d: fp for d, fp in getattr(other, "nasams_verify", {}).items() if d in docnames}}


# -- certificates: the issuer file and the revocation list, published with the book and given to the verify page --

def _certificate_files(app: Sphinx) -> dict[str, Path | None]:
    """The issuer file and the revocation list that _config.yml names (sphinx: config: nasams_issuer,
    nasams_revoked), relative to the book's root; None when not set."""
    root = Path(app.srcdir)
    return {"issuer.json": root / app.config.nasams_issuer if app.config.nasams_issuer else None,
            "revoked.json": root / app.config.nasams_revoked if app.config.nasams_revoked else None}


def _verify_data(app: Sphinx) -> str:
    """The verify page's data: the issuer's public key, the revoked ids and the domains' titles. The issuer file and
    the revocation list are read when a page shows the verify form (a book without one needs neither); a missing or
    bad file fails the build."""
    if not hasattr(app, "nasams_verify_json"):
        _load_certificate_data(app)
    return app.nasams_verify_json


def _load_certificate_data(app: Sphinx) -> None:
    from nasams_course.rendering.html import script_json
    from nasams_course.training.issuer import IssuerError, read_issuer
    from nasams_course.training.verify import RevocationError, read_revoked, verify_page_data

    files = _certificate_files(app)
    try:
        issuer = read_issuer(files["issuer.json"]) if files["issuer.json"] else None
        revoked = read_revoked(files["revoked.json"])
    except (IssuerError, RevocationError) as exc:
        raise ExtensionError(f"the certificates' files: {exc}") from None
    app.nasams_verify_json = script_json(verify_page_data(issuer, revoked))


def _certificate_fingerprint(app: Sphinx) -> list:
    return [(name, p.stat().st_mtime_ns, p.stat().st_size) if p and p.exists() else (name, None)
            for name, p in _certificate_files(app).items()]


def _remember_verify(app: Sphinx, docname: str, source: list[str]) -> None:
    """Remember which pages show the verify form, and the issuer and revocation files they were built with."""
    if not hasattr(app.env, "nasams_verify"):
        app.env.nasams_verify = {}
    if VERIFY_MARKER in source[0]:
        app.env.nasams_verify[docname] = _certificate_fingerprint(app)
    else:
        app.env.nasams_verify.pop(docname, None)


def _outdated_by_certificates(app: Sphinx, env, added: set, changed: set, removed: set) -> list[str]:
    """The verify page, when the issuer file or the revocation list changed (a certificate was revoked)."""
    now = _certificate_fingerprint(app)
    return [doc for doc, fp in getattr(env, "nasams_verify", {}).items() if doc not in removed and fp != now]


def _publish_certificate_files(app: Sphinx, exception: Exception | None) -> None:
    """Copy the issuer file and the revocation list to the built book's root, for `nasams-course verify` (when the
    book has a verify page)."""
    if exception is None and app.builder.format == "html" and getattr(app.env, "nasams_verify", None):
        _verify_data(app)  # checks the files, even when no page was written in this (incremental) build
        for name, path in _certificate_files(app).items():
            if path:
                shutil.copyfile(path, Path(app.outdir) / name)


def setup(app: Sphinx) -> dict:
    app.add_config_value("nasams_issuer", "", "html", types=[str])
    app.add_config_value("nasams_revoked", "", "html", types=[str])
    app.connect("source-read", _remember_content)
    app.connect("source-read", _remember_verify)
    app.connect("env-get-outdated", _outdated_by_certificates)
    app.connect("build-finished", _publish_certificate_files)
    app.connect("env-get-outdated", _outdated_by_content)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("builder-inited", _validate)
    app.connect("html-page-context", _page_scripts, priority=400)
    app.connect("html-page-context", _drop_unwanted_scripts, priority=600)
    app.config.html_static_path.append(str(STATIC))
    app.config.templates_path.insert(0, str(TEMPLATES))
    app.add_css_file("nasams.css")
    app.add_css_file("nasams-print.css", media="print")
    app.add_css_file("nasams-coverage.css")
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
