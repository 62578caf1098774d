"""The paper side: a one-page PDF certificate (fpdf2) with a QR code (zxing-cpp) that opens the verify page with the
token in the address's fragment, and a one-page statement of what remains for a learner who did not complete.

What a certificate prints is a list of lines, each made of parts that are either the course's wording or the text of
one record field (`certificate_lines`): the PDF is drawn from it, and `nasams-course verify` reads a PDF's text back
against it to name a field whose printed text differs from the signed record.

Speed: fpdf2 with the PDF core fonts (Helvetica, Courier) writes a certificate in about 25 ms; embedding a TrueType
font costs about 400 ms a document, so DejaVu Sans (shipped with matplotlib) is embedded only when a text needs a
character outside Windows-1252. zxing-cpp encodes the QR code (C++) in about 8 ms where segno, pure Python, took
about 125 ms for the same 800-character address (measured here)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files
from pathlib import Path

from fpdf import FPDF

from nasams_course.catalog import Catalog, load_catalog
from nasams_course.grading.levels import LEVELS
from nasams_course.training.certificates import check_record, format_code
from nasams_course.training.issuer import Issuer

#: the PDF's keywords carry the token after this word (and its text carries it after "Token:")
TOKEN_KEYWORD = "nasams-certificate-token:"
CORE_ENCODING = "windows-1252"
TOKEN_LINE = 110  # characters of the token per printed line
NOT_A_CERTIFICATE = "This statement is not a certificate."


@dataclass(frozen=True)
class Line:
    """A line (or paragraph) of a certificate, drawn in one style: its parts are (field or None, text)."""

    style: str
    parts: tuple[tuple[str | None, str], ...]

    @property
    def text(self) -> str:
        return "".join(t for _f, t in self.parts)


def long_date(iso: str) -> str:
    d = date.fromisoformat(iso)
    return f"{d.day} {d:%B %Y}"


def hours_text(hours: float) -> str:
    return f"{hours:g}"


def levels_text(levels: dict[str, str], catalog: Catalog) -> str:
    """One line per domain, in the rubric's order: `Domain title: Level`."""
    return "\n".join(f"{d.title}: {levels[d.id]}" for d in catalog.domains if d.id in levels)


def printed_values(record: dict, catalog: Catalog) -> dict[str, str]:
    """How the certificate prints each field of the record."""
    return {
        "learner": record["learner"], "session_title": record["session_title"], "session_id": record["session_id"],
        "completed_on": long_date(record["completed_on"]), "ce_hours": hours_text(record["ce_hours"]),
        "provisions": ", ".join(record["provisions"]), "levels": levels_text(record["levels"], catalog),
        "id": format_code(record["id"]), "issuer": record["issuer"], "key_id": record["key_id"],
        "issued_at": record["issued_at"].replace("T", " ").replace("Z", " UTC"),
    }


def certificate_lines(values: dict[str, str], token: str) -> dict[str, list[Line]]:
    """Everything a certificate prints, by column (`main`, `qr`, `foot`), in drawing order, from the printed values
    of its fields (`printed_values`)."""

    def line(style: str, *parts: tuple[str | None, str] | str) -> Line:
        return Line(style, tuple((None, p) if isinstance(p, str) else p for p in parts))

    def f(name: str) -> tuple[str, str]:
        return (name, values[name])

    main = [
        line("title", "Certificate of completion"),
        line("subtitle", "Continuing education: the NASAMS Code of Ethics and Professional Standards"),
        line("small", "This certifies that"),
        line("name", f("learner")),
        line("small", "completed the session"),
        line("session", f("session_title")),
        line("small", "Session id: ", f("session_id"), " · completed on ", f("completed_on"), " · ",
             f("ce_hours"), " CE hours"),
        line("heading", "Provisions covered"),
        line("body", f("provisions")),
        line("heading", "Level per domain"),
        line("body", f("levels")),
    ]
    qr = [line("caption", "Verification code"), line("code", f("id")),
          line("caption", "Scan it to check the certificate on the course book's verify page")]
    foot = [
        line("body", "Issued by ", f("issuer"), " (key id ", f("key_id"), ") at ", f("issued_at"), "."),
        line("note", "What this certificate shows: a trainer graded these attempts and signed this record. "
                     "It does not show who sat at the keyboard."),
        line("note", "To check it offline: scan the code; or paste the token below into the verify page of the "
                     "course book; or run `nasams-course verify` with the issuer's file."),
        line("token", "Token: ", ("token", token)),
    ]
    return {"main": main, "qr": qr, "foot": foot}


def unspaced(text: str) -> str:
    """Text without any white space: how a PDF's text is compared (a line may wrap anywhere)."""
    return re.sub(r"\s+", "", text)


def printed_form(record: dict, token: str, catalog: Catalog) -> dict[str, str]:
    """What a certificate of `record` prints for each field (and its token), without white space."""
    return {**{k: unspaced(v) for k, v in printed_values(record, catalog).items()}, "token": token}


def _layout_pattern() -> re.Pattern:
    """A certificate's printed text, without white space, with a named group for each field and the token."""
    placeholders = {name: "" for name in ("learner", "session_title", "session_id", "completed_on", "ce_hours",
                                          "provisions", "levels", "id", "issuer", "key_id", "issued_at")}
    pattern = []
    for lines in certificate_lines(placeholders, "").values():
        for ln in lines:
            for name, text in ln.parts:
                pattern.append(re.escape(unspaced(text)) if name is None
                               else r"(?P<token>[A-Za-z0-9_.-]+)" if name == "token" else f"(?P<{name}>.+?)")
    return re.compile("".join(pattern), re.DOTALL)


def read_printed(text: str) -> dict[str, str] | None:
    """The fields a PDF's text shows, without white space (None when the text is not a certificate's layout)."""
    match = _layout_pattern().fullmatch(unspaced(text))
    return match.groupdict() if match else None


def verification_url(issuer: Issuer, token: str) -> str:
    """The verify page's address with the token in its fragment (never sent to a server)."""
    return f"{issuer.verify_url}#t={token}"


def qr_image(text: str):
    """The QR code of `text` (error correction M, quiet zone included) as a grayscale image, one pixel a module: the
    PDF scales it up without interpolation (no /Interpolate), so modules stay sharp, and it is the fastest to write
    (4 pixels a module doubled a certificate's time, for a softer print)."""
    import numpy as np
    import zxingcpp
    from PIL import Image

    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    return Image.fromarray(np.asarray(code.to_image(scale=1, add_quiet_zones=True)))


# -- drawing -------------------------------------------------------------------------------------------------------

TTF = files("matplotlib") / "mpl-data" / "fonts" / "ttf"
#: style -> (bold, size in points, line height in mm, grey level)
STYLES = {
    "title": (True, 26, 12, 0), "subtitle": (False, 11, 6, 70), "small": (False, 10.5, 6, 60),
    "name": (True, 22, 11, 0), "session": (True, 14, 7, 0), "heading": (True, 10.5, 6, 0),
    "body": (False, 10, 5, 0), "caption": (False, 9, 5, 60), "code": (True, 15, 8, 0), "note": (False, 8.5, 4.2, 60),
    "token": (False, 6.5, 3, 40), "list": (False, 10.5, 5.5, 0),
}


class PrintError(ValueError):
    """A text the certificate's fonts cannot print (a character DejaVu Sans lacks)."""


@cache
def _dejavu_characters() -> frozenset[int]:
    """The code points both DejaVu Sans and DejaVu Sans Bold print."""
    from fontTools.ttLib import TTFont

    regular, bold = (set(TTFont(str(TTF / name), lazy=True).getBestCmap())
                     for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"))
    return frozenset(regular & bold)


def unprintable(text: str) -> list[str]:
    """The characters of `text` that a certificate cannot print (in neither Windows-1252 nor DejaVu Sans)."""
    missing = []
    for c in dict.fromkeys(text):
        try:
            c.encode(CORE_ENCODING)
        except UnicodeEncodeError:
            if ord(c) not in _dejavu_characters():
                missing.append(c)
    return missing


def check_printable(texts: dict[str, str]) -> None:
    """PrintError naming each text with characters no certificate font has (a name in a script DejaVu Sans does not
    cover, such as Chinese or Japanese): better refused than printed with the name left out."""
    bad = {where: unprintable(t) for where, t in texts.items()}
    if problems := [f"{where}: cannot print {' '.join(chars)} (the PDF fonts, Helvetica and DejaVu Sans, lack them)"
                    for where, chars in bad.items() if chars]:
        raise PrintError("; ".join(problems))


def needs_unicode_font(texts: list[str]) -> bool:
    """True when a text has a character the PDF core fonts (Windows-1252) cannot print."""
    try:
        for t in texts:
            t.encode(CORE_ENCODING)
    except UnicodeEncodeError:
        return True
    return False


class CoursePDF(FPDF):
    """An FPDF document that knows the family its texts are printed in."""

    text_family = "helvetica"


def new_pdf(texts: list[str], title: str, subject: str, orientation: str = "L") -> CoursePDF:
    """A Letter page with a font that prints every text: the core fonts, or DejaVu Sans when one needs Unicode."""
    pdf = CoursePDF(orientation=orientation, unit="mm", format="letter")
    pdf.core_fonts_encoding = CORE_ENCODING
    pdf.set_auto_page_break(False)
    pdf.set_margins(18, 16, 18)
    pdf.set_lang("en")
    pdf.set_title(title)
    pdf.set_subject(subject)
    pdf.set_creator("nasams-course")
    if needs_unicode_font(texts):
        pdf.add_font("dejavu", "", str(TTF / "DejaVuSans.ttf"))
        pdf.add_font("dejavu", "B", str(TTF / "DejaVuSans-Bold.ttf"))
        pdf.text_family = "dejavu"
    pdf.add_page()
    return pdf


def draw(pdf: CoursePDF, line_or_style: Line | str, text: str | None = None, width: float = 0,
         shrink: bool = False) -> None:
    """Draw a line (or `text` in a style) at the current position, wrapped in `width` (0: to the right margin).
    A line that fits is drawn as one cell: fpdf2's line breaking took about 10 ms a paragraph."""
    style = line_or_style.style if isinstance(line_or_style, Line) else line_or_style
    text = line_or_style.text if text is None else text
    bold, size, height, grey = STYLES[style]
    if style == "token":
        pdf.set_font("courier", "", size)
        text = "\n".join(text[i:i + TOKEN_LINE] for i in range(0, len(text), TOKEN_LINE))
    else:
        pdf.set_font(pdf.text_family, "B" if bold else "", size)
    avail = width or (pdf.w - pdf.r_margin - pdf.x)
    while shrink and size > 12 and pdf.get_string_width(text) > avail:
        size -= 1
        pdf.set_font_size(size)
    pdf.set_text_color(grey)
    x = pdf.x
    for part in text.split("\n"):
        if pdf.get_string_width(part) <= avail:
            pdf.cell(avail, height, part, new_x="LEFT", new_y="NEXT")
        else:
            pdf.multi_cell(avail, height, part, align="L", new_x="LEFT", new_y="NEXT")
    pdf.set_x(x if width else pdf.l_margin)


def certificate_pdf(record: dict, token: str, issuer: Issuer, out_path: Path) -> Path:
    """Write the certificate of `record` (signed as `token`) to `out_path`: the fields, the issuer, the verification
    code, and a QR code of the verify page's address with the token. The token is also in the PDF's keywords."""
    check_record(record)
    check_printable({"learner": record["learner"], "session_title": record["session_title"],
                     "session_id": record["session_id"], "issuer": record["issuer"]})
    columns = certificate_lines(printed_values(record, load_catalog()), token)
    texts = [ln.text for lines in columns.values() for ln in lines]
    pdf = new_pdf(texts, f"Certificate of completion: {record['learner']}",
                  f"{record['session_title']} ({format_code(record['id'])})")
    pdf.set_keywords(f"{TOKEN_KEYWORD}{token}")
    pdf.set_draw_color(120)
    pdf.set_line_width(0.6)
    pdf.rect(8, 8, pdf.w - 16, pdf.h - 16)
    main_width = pdf.w - pdf.l_margin - pdf.r_margin - 78
    for ln in columns["main"]:
        if ln.style == "heading":
            pdf.ln(2)
        draw(pdf, ln, width=main_width, shrink=ln.style == "name")
    main_bottom = pdf.y
    qr_x, qr_size = pdf.w - pdf.r_margin - 66, 66
    pdf.image(qr_image(verification_url(issuer, token)), x=qr_x, y=28, w=qr_size, h=qr_size,
              alt_text="QR code: the address of the verify page with this certificate's token")
    pdf.set_xy(qr_x, 28 + qr_size + 1)
    for ln in columns["qr"]:
        draw(pdf, ln, width=qr_size)
    pdf.set_xy(pdf.l_margin, max(main_bottom, pdf.y) + 4)
    for ln in columns["foot"]:
        draw(pdf, ln)
    out_path = Path(out_path)
    pdf.output(str(out_path))
    return out_path


def remaining_sections(remaining: dict, catalog: Catalog) -> list[tuple[str, list[str]]]:
    """The statement's three lists, in words; PrintError naming the first entry that is not what it should be."""
    known = {"provisions_not_attempted", "domains_below_proficient", "critical_errors"}
    if not isinstance(remaining, dict) or set(remaining) - known:
        raise PrintError(f"remaining: a mapping of {', '.join(sorted(known))}")
    provisions = [*remaining.get("provisions_not_attempted", []), *remaining.get("critical_errors", [])]
    domains = remaining.get("domains_below_proficient", {})
    if bad := [p for p in provisions if p not in catalog.ids]:
        raise PrintError(f"remaining: {bad[0]!r} is not a provision id")
    if not isinstance(domains, dict) or (bad := [d for d in domains if d not in {x.id for x in catalog.domains}]):
        raise PrintError(f"remaining.domains_below_proficient: {{domain id: level}} ({bad[0] if bad else domains!r})")
    return [
        ("Provisions not yet attempted",
         [f"{p} · {catalog.provision(p).title}" for p in remaining.get("provisions_not_attempted", [])]),
        ("Domains below Proficient", [f"{catalog.domain(d).title}: {lv}" for d, lv in domains.items()]),
        ("Critical errors still standing (answered with a violation, not yet answered right)",
         [f"{p} · {catalog.provision(p).title}" for p in remaining.get("critical_errors", [])]),
    ]


def statement_pdf(learner: str, session: dict, remaining: dict, out_path: Path,
                  catalog: Catalog | None = None) -> Path:
    """Write a one-page statement of what remains for a learner who did not complete `session` ({"id", "title"}):
    `remaining` holds `provisions_not_attempted` (provision ids), `domains_below_proficient` ({domain id: level})
    and `critical_errors` (provision ids with a critical error still standing). It is not a certificate: no token,
    no QR code, and it says so."""
    catalog = catalog or load_catalog()
    check_printable({"learner": learner, "session title": session["title"], "session id": session["id"]})
    sections = remaining_sections(remaining, catalog)
    intro = (f"{learner} took part in the session {session['title']} (session id {session['id']}) and has not yet "
             "completed it. To complete it, this remains:")
    texts = [learner, session["title"], session["id"], intro] + [t for _h, items in sections for t in items]
    pdf = new_pdf(texts, f"Statement of what remains: {learner}", f"{session['title']}: not a certificate", "P")
    draw(pdf, "title", "Statement of what remains")
    draw(pdf, "subtitle", NOT_A_CERTIFICATE + " It lists what is left to complete the session; it carries no "
                          "token and no verification code.")
    pdf.ln(3)
    draw(pdf, "list", intro)
    for heading, items in sections:
        pdf.ln(3)
        draw(pdf, "heading", heading)
        draw(pdf, "list", "\n".join(f"- {t}" for t in items) if items else "Nothing.")
    pdf.ln(4)
    levels = ", ".join(f"{name} from {low:.0%}" for name, low in LEVELS)
    draw(pdf, "note", f"Levels, by score: {levels}.")
    out_path = Path(out_path)
    pdf.output(str(out_path))
    return out_path


def read_pdf_text(path: Path) -> tuple[str | None, str]:
    """The token in a PDF's keywords (None if there is none) and the text of its pages."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    keywords = (reader.metadata or {}).get("/Keywords") or ""
    match = re.search(re.escape(TOKEN_KEYWORD) + r"(\S+)", str(keywords))
    return (match.group(1) if match else None), "\n".join(page.extract_text() or "" for page in reader.pages)
