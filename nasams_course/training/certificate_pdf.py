"""The paper side: a one-page PDF certificate (fpdf2) with a QR code (zxing-cpp) that opens the verify page with the
token in the address's fragment, and a statement of what remains, on as many pages as it needs, for a learner who did
not complete.

A certificate's fields are bounded (200 characters of text each, the code's 44 provisions, the rubric's domains) but
its page is not elastic: the layout is measured before it is drawn (`lay_out`, with the one measure `draw` uses to
draw), and its type made smaller, step by step down to 7-point body text, until every line and the whole token are on
the page inside its margins; a record that does not fit even then is refused (PrintError) naming its longest field.

What a certificate prints is a list of lines, each made of parts that are either the course's wording or the text of
one record field (`certificate_lines`): the PDF is drawn from it, and `nasams-course verify` reads a PDF's text back
against it to name a field whose printed text differs from the signed record.

Speed: fpdf2 with the PDF core fonts (Helvetica, Courier) writes a certificate in about 25 ms; embedding a TrueType
font costs about 400 ms a document, so DejaVu Sans (shipped with matplotlib) is embedded only when a text needs a
character outside Windows-1252. Measuring a certificate's layout before drawing it takes about 3 ms when it fits at
full size; with every field at its longest, each smaller size tried in turn, 0.2 to 0.3 s (rare, so not searched
faster). zxing-cpp encodes the QR code (C++) in about 8 ms where segno, pure Python, took about 125 ms for the same
800-character address (measured here)."""

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
TOKEN_LINE = 110  # characters of the token per printed line (more when the certificate's type is made smaller)
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
#: style -> (bold, size in points, line height in mm, grey level); a certificate's sizes are scaled down to fit
STYLES = {
    "title": (True, 26, 12, 0), "subtitle": (False, 11, 6, 70), "small": (False, 10.5, 6, 60),
    "name": (True, 22, 11, 0), "session": (True, 14, 7, 0), "heading": (True, 10.5, 6, 0),
    "body": (False, 10, 5, 0), "caption": (False, 9, 5, 60), "code": (True, 15, 8, 0), "note": (False, 8.5, 4.2, 60),
    "token": (False, 6.5, 3, 40), "list": (False, 10.5, 5.5, 0),
}
#: the body sizes a certificate is tried at, largest first: the smallest is the least a reader should have to read
BODY_SIZES = (10, 9.5, 9, 8.5, 8, 7.5, 7)
MARGIN = 16  # mm: top and bottom margins (the certificate's border is drawn halfway into them, at 8 mm)


class PrintError(ValueError):
    """A text the certificate's fonts cannot print (a character DejaVu Sans lacks), or too long for its page."""


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


class StatementPDF(CoursePDF):
    """A statement's pages, each footed with its number (`Page N of M`), the learner and the session."""

    about = ""  # the learner and the session, as each page's foot names them
    foot_height = 0.0

    def foot(self, page: str) -> str:
        return f"Page {page} of {self.str_alias_nb_pages} · {self.about} · not a certificate"

    def footer(self) -> None:
        self.set_xy(self.l_margin, self.h - MARGIN - self.foot_height)
        draw(self, "note", self.foot(str(self.page_no())))


def new_pdf(texts: list[str], title: str, subject: str, orientation: str = "L",
            kind: type[CoursePDF] = CoursePDF) -> CoursePDF:
    """A Letter page with a font that prints every text: the core fonts, or DejaVu Sans when one needs Unicode."""
    pdf = kind(orientation=orientation, unit="mm", format="letter")
    pdf.core_fonts_encoding = CORE_ENCODING
    pdf.set_auto_page_break(False, margin=MARGIN)
    pdf.set_margins(18, MARGIN, 18)
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
         shrink: bool = False, scale: float = 1, dry_run: bool = False) -> float:
    """Draw a line (or `text` in a style) at the current position, wrapped in `width` (0: to the right margin), its
    type `scale` times its style's size but not below 7 points; returns the height it takes. With `dry_run` it only
    measures that height: the one measure of every layout. `shrink` makes a line that does not fit smaller, down to
    12 points, before it wraps. The token keeps its size and takes more characters a line instead (as many
    as fit). A line that fits is drawn as one cell: fpdf2's line breaking took about 10 ms a paragraph."""
    style = line_or_style.style if isinstance(line_or_style, Line) else line_or_style
    text = line_or_style.text if text is None else text
    bold, size, height, grey = STYLES[style]
    avail = width or (pdf.w - pdf.r_margin - pdf.x)
    if style == "token":
        pdf.set_font("courier", "", size)
        per_line = min(int(TOKEN_LINE / scale), int(avail / pdf.get_string_width("0")))
        text = "\n".join(text[i:i + per_line] for i in range(0, len(text), per_line))
    else:
        scaled = max(size * scale, min(size, BODY_SIZES[-1]))
        size, height = scaled, height * scaled / size
        pdf.set_font(pdf.text_family, "B" if bold else "", size)
    while shrink and size > 12 and pdf.get_string_width(text) > avail:
        smaller = max(size - 1, 12)
        size, height = smaller, height * smaller / size
        pdf.set_font_size(size)
    pdf.set_text_color(grey)
    x, taken = pdf.x, 0.0
    for part in text.split("\n"):
        if pdf.get_string_width(part) > avail:
            taken += pdf.multi_cell(avail, height, part, align="L", new_x="LEFT", new_y="NEXT", dry_run=dry_run,
                                    output="HEIGHT")
        else:
            taken += height
            if not dry_run:
                pdf.cell(avail, height, part, new_x="LEFT", new_y="NEXT")
    if not dry_run:
        pdf.set_x(x if width else pdf.l_margin)
    return taken


QR_X, QR_Y, QR_SIZE = -84, 28, 66  # mm: the QR code's left edge from the page's right edge, its top, its side
#: the fields of free text, whose length the record bounds but the course does not choose
FREE_TEXTS = ("learner", "session_title", "session_id", "issuer")


def lay_out(pdf: CoursePDF, columns: dict[str, list[Line]], scale: float, dry_run: bool = False,
            qr=None) -> list[tuple[Line, float, float]]:
    """Draw a certificate's columns (with `dry_run`, only measure them), type `scale` times its styles' sizes (the
    QR code's column keeps its size), and the QR code's image `qr` if given: each line with the y of its top and of
    its bottom, in drawing order."""
    placed = []

    def column(lines: list[Line], x: float, y: float, width: float, scale: float) -> float:
        for ln in lines:
            y += 2 * (ln.style == "heading")
            pdf.set_xy(x, y)
            height = draw(pdf, ln, width=width, shrink=ln.style == "name", scale=scale, dry_run=dry_run)
            placed.append((ln, y, y + height))
            y += height
        return y

    full_width = pdf.w - pdf.l_margin - pdf.r_margin
    main_bottom = column(columns["main"], pdf.l_margin, pdf.t_margin, full_width - 78, scale)
    if qr:
        pdf.image(qr, x=pdf.w + QR_X, y=QR_Y, w=QR_SIZE, h=QR_SIZE,
                  alt_text="QR code: the address of the verify page with this certificate's token")
    qr_bottom = column(columns["qr"], pdf.w + QR_X, QR_Y + QR_SIZE + 1, QR_SIZE, 1)
    column(columns["foot"], pdf.l_margin, max(main_bottom, qr_bottom) + 4, full_width, scale)
    return placed


def fitting_scale(pdf: CoursePDF, columns: dict[str, list[Line]]) -> float:
    """The largest scale of the certificate's type (body text from 10 down to 7 points) at which every line ends
    above the bottom margin; PrintError naming the field of free text whose lines take the most room when even 7
    points do not."""
    for body in BODY_SIZES:
        placed = lay_out(pdf, columns, body / STYLES["body"][1], dry_run=True)
        if max(bottom for _ln, _top, bottom in placed) <= pdf.h - pdf.b_margin:
            return body / STYLES["body"][1]
    room = {name: (bottom - top, len(text)) for ln, top, bottom in placed for name, text in ln.parts
            if name in FREE_TEXTS}
    field = max(room, key=room.get)
    raise PrintError(f"{field}: too long to print the certificate on one page, even in {BODY_SIZES[-1]}-point type "
                     f"({room[field][1]} characters): shorten it")


def certificate_pdf(record: dict, token: str, issuer: Issuer, out_path: Path) -> Path:
    """Write the certificate of `record` (signed as `token`) to `out_path`: the fields, the issuer, the verification
    code, and a QR code of the verify page's address with the token, all on one page (`fitting_scale`: PrintError
    when they cannot be). The token is also in the PDF's keywords."""
    pdf, columns, scale = certificate_layout(record, token)
    pdf.set_keywords(f"{TOKEN_KEYWORD}{token}")
    pdf.set_draw_color(120)
    pdf.set_line_width(0.6)
    pdf.rect(8, 8, pdf.w - 16, pdf.h - 16)
    lay_out(pdf, columns, scale, qr=qr_image(verification_url(issuer, token)))
    out_path = Path(out_path)
    pdf.output(str(out_path))
    return out_path


def certificate_layout(record: dict, token: str) -> tuple[CoursePDF, dict[str, list[Line]], float]:
    """The checked record's page (still blank), its lines by column and the scale of type they fit at; PrintError
    when a field cannot be printed or the certificate cannot fit its page. Writes nothing."""
    check_record(record)
    check_printable({"learner": record["learner"], "session_title": record["session_title"],
                     "session_id": record["session_id"], "issuer": record["issuer"]})
    columns = certificate_lines(printed_values(record, load_catalog()), token)
    texts = [ln.text for lines in columns.values() for ln in lines]
    pdf = new_pdf(texts, f"Certificate of completion: {record['learner']}",
                  f"{record['session_title']} ({format_code(record['id'])})")
    return pdf, columns, fitting_scale(pdf, columns)


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
    """Write a statement of what remains for a learner who did not complete `session` ({"id", "title"}), on as many
    pages as it takes, each footed with its number, the learner and the session: `remaining` holds
    `provisions_not_attempted` (provision ids), `domains_below_proficient` ({domain id: level}) and
    `critical_errors` (provision ids with a critical error still standing). It is not a certificate: no token, no QR
    code, and it says so on its first page and in every page's foot."""
    catalog = catalog or load_catalog()
    check_printable({"learner": learner, "session title": session["title"], "session id": session["id"]})
    sections = remaining_sections(remaining, catalog)
    intro = (f"{learner} took part in the session {session['title']} (session id {session['id']}) and has not yet "
             "completed it. To complete it, this remains:")
    texts = [learner, session["title"], session["id"], intro] + [t for _h, items in sections for t in items]
    pdf = new_pdf(texts, f"Statement of what remains: {learner}", f"{session['title']}: not a certificate", "P",
                  StatementPDF)
    pdf.about = f"{learner} · {session['title']} (session id {session['id']})"
    pdf.foot_height = draw(pdf, "note", pdf.foot(pdf.str_alias_nb_pages), dry_run=True)  # "{nb}": as wide as any N
    pdf.set_auto_page_break(True, margin=MARGIN + pdf.foot_height + 3)
    draw(pdf, "title", "Statement of what remains")
    draw(pdf, "subtitle", NOT_A_CERTIFICATE + " It lists what is left to complete the session; it carries no "
                          "token and no verification code.")
    pdf.ln(3)
    draw(pdf, "list", intro)
    for heading, items in sections:
        pdf.ln(3)
        lines = [f"- {t}" for t in items] or ["Nothing."]
        if pdf.will_page_break(draw(pdf, "heading", heading, dry_run=True) + draw(pdf, "list", lines[0], dry_run=True)):
            pdf.add_page()  # a heading stays with its list's first line
        draw(pdf, "heading", heading)
        draw(pdf, "list", "\n".join(lines))
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
