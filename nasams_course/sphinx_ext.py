"""Sphinx extension for the book: validates content before building and ships the quiz assets."""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

from nasams_course.content.loader import load_bank

STATIC = Path(__file__).parent / "static"
TEMPLATES = Path(__file__).parent / "templates"


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


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", _validate)
    app.connect("html-page-context", _drop_unwanted_scripts)
    app.config.html_static_path.append(str(STATIC))
    app.config.templates_path.insert(0, str(TEMPLATES))
    app.add_css_file("nasams.css")
    app.add_js_file("nasams-quiz.js", defer="defer")
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
