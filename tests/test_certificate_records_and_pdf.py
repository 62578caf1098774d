"""Certificate records, tokens and the printed certificate, in what a trainer, a learner or an employer reads: every
refusal of a record names the field and says what is wrong; a typed verification code is read as Crockford's rules
say; the PDF prints every field, in its fonts, on the page, where a reader can see it. Written for the survivors of
`make mutate` in training/certificates.py and training/certificate_pdf.py (tools/mutation/last-run.md)."""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter
from test_certificates import make_record, rewrite_keywords

from nasams_course.catalog import load_catalog
from nasams_course.training.certificate_pdf import (
    MARGIN,
    NOT_A_CERTIFICATE,
    STYLES,
    TTF,
    CoursePDF,
    PrintError,
    certificate_lines,
    certificate_pdf,
    draw,
    fitting_scale,
    lay_out,
    new_pdf,
    printed_values,
    read_pdf_text,
    read_printed,
    statement_pdf,
    unspaced,
    verification_url,
)
from nasams_course.training.certificates import (
    RecordError,
    check_record,
    format_code,
    issue,
    normalize_code,
    token_digest,
)
from nasams_course.training.issuer import NAME_MAX, Issuer, b64url, b64url_decode, key_id_of, public_raw
from nasams_course.training.verify import verify, verify_pdf

ORG = "Mitigation Training Institute"


@pytest.fixture
def signer() -> tuple[Issuer, Ed25519PrivateKey]:
    key = Ed25519PrivateKey.generate()
    return Issuer(ORG, key_id_of(public_raw(key)), public_raw(key), "https://x.org/verify.html"), key


def refusal(record: dict) -> str:
    with pytest.raises(RecordError) as caught:
        check_record(record)
    return str(caught.value)


# -- typed verification codes -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "code"), [
    ("7k3m9-qx2po", "7K3M9QX2P0"),  # a letter O typed for the digit 0, in any case
    ("7K3M9-QX2PO", "7K3M9QX2P0"),
    ("iL1lI 0oO0o", "1111100000"),  # I and L read as 1
    ("iL1lI 0oO0oo", None),  # 11 characters: not a code
    (" 7K3M9\tQX2PD\n", "7K3M9QX2PD"),
    ("7K3M9-QX2PU", None),  # U is not in the alphabet
])
def test_a_typed_code_is_read_by_crockfords_rules(typed, code):
    assert normalize_code(typed) == code


# -- tokens that cannot be read -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("token", "why"), [
    (b64url(b"{}") + "." + b64url(bytes(63)), "the signature part is not an Ed25519 signature (64 bytes)"),
    (b64url(b"\xff{}") + "." + b64url(bytes(64)), "the record part is not UTF-8 JSON"),
    (b64url(b"{x") + "." + b64url(bytes(64)), "the record part is not UTF-8 JSON"),
    (b64url(b"[]") + "." + b64url(bytes(64)), "the record part is not a JSON object"),
])
def test_a_token_that_does_not_decode_says_why(signer, token, why):
    v = verify(token, signer[0])
    assert (v.valid, v.record, v.reason, v.outcome) == (False, None, f"not a certificate token: {why}", "malformed")


def test_a_token_copied_with_spaces_or_a_line_break_around_it_still_verifies(signer):
    issuer, key = signer
    token = issue(make_record(issuer), key)
    assert verify(f"  {token}\n", issuer).valid


def test_a_registers_digest_is_the_sha256_of_the_token():
    assert token_digest("abc.def") == hashlib.sha256(b"abc.def").hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", token_digest("abc.def"))


# -- records --------------------------------------------------------------------------------------------------------

def test_a_record_that_is_not_a_mapping_is_refused_as_the_record():
    assert refusal([]) == "(record): Input should be a valid dictionary or instance of CertificateRecord"


def test_every_problem_of_a_record_is_named_one_a_line_in_its_own_words(signer):
    record = {**make_record(signer[0]), "ce_hours": 1.3, "levels": {"team": 3}, "learner": " "}
    assert refusal(record).split("\n") == [
        "learner: text without control characters (a line break, a tab), not only spaces",
        "ce_hours: CE hours are whole quarter hours (0.25, 0.5, 0.75, ...)",
        "levels.team: Input should be a valid string",
    ]


def test_the_record_keeps_the_id_and_the_time_it_was_given(signer):
    record = make_record(signer[0], cert_id="7K3M9QX2PD")
    assert (record["id"], record["issued_at"]) == ("7K3M9QX2PD", "2026-11-03T10:00:00Z")


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "America/Adak"])  # UTC+14 and UTC-10 (or -9 in summer)
def test_a_record_issued_now_is_stamped_in_utc_whatever_the_machines_zone(signer, monkeypatch, zone):
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        before = datetime.now(UTC).replace(microsecond=0)
        issued = datetime.strptime(make_record(signer[0], issued_at=None)["issued_at"], "%Y-%m-%dT%H:%M:%SZ")
        after = datetime.now(UTC)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert before <= issued.replace(tzinfo=UTC) <= after


def test_the_signed_bytes_keep_letters_outside_ascii_as_utf8(signer):
    issuer, key = signer
    record = make_record(issuer, learner="Łukasz Ørsted")
    payload = b64url_decode(issue(record, key).split(".")[0])
    assert '"learner":"Łukasz Ørsted"'.encode() in payload and b"\\u" not in payload


# -- the PDF read back ----------------------------------------------------------------------------------------------

def test_a_certificate_saved_again_with_a_blank_page_after_it_still_verifies(signer, tmp_path):
    """Printing to PDF often adds a blank page: the text of the pages is read as one, and nothing is added for it."""
    issuer, key = signer
    record = make_record(issuer)
    token = issue(record, key)
    writer = PdfWriter(clone_from=str(certificate_pdf(record, token, issuer, tmp_path / "c.pdf")))
    writer.add_blank_page()
    writer.write(str(tmp_path / "two.pdf"))
    keyword_token, text = read_pdf_text(tmp_path / "two.pdf")
    assert keyword_token == token and text.endswith(token[-20:] + "\n")
    assert verify_pdf(tmp_path / "two.pdf", issuer).valid
    assert verify_pdf(rewrite_keywords(tmp_path / "two.pdf", None, tmp_path / "bare.pdf"), issuer).valid


# -- what the page shows, where -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Box:
    """Something drawn on a page, in points from its bottom left corner; for text, its words, font and size."""

    left: float
    bottom: float
    right: float
    top: float
    text: str = ""
    font: str = ""
    size: float = 0

    def overlaps(self, other: Box) -> bool:
        return self.left < other.right and other.left < self.right and self.bottom < other.top and other.bottom < self.top

    def inside(self, other: Box, clearance: float) -> bool:
        return (self.left >= other.left + clearance and self.right <= other.right - clearance
                and self.bottom >= other.bottom + clearance and self.top <= other.top - clearance)


def font_for(base_font: str) -> tuple[str, str, str | None]:
    """fpdf2's family, style and file for a PDF font name (`/Helvetica-Bold`, `/ABCDEF+DejaVuSans-Bold`)."""
    name = base_font.split("+")[-1].lstrip("/")
    if "DejaVu" in name:
        return "dejavu", "B" if name.endswith("Bold") else "", f"{name}.ttf"
    return name.split("-")[0].lower(), "B" if name.endswith("Bold") else "", None


def drawn(path: Path, page_no: int = 0) -> tuple[Box, list[Box], list[Box], list[Box]]:
    """A PDF page's size, its rectangles, its images and its lines of text (each as wide as its font prints it)."""
    page = PdfReader(str(path)).pages[page_no]
    measure = FPDF(unit="pt")
    measure.core_fonts_encoding = "windows-1252"
    texts: list[Box] = []

    def visit(text, _cm, tm, font, size):
        if not text.strip():
            return
        family, style, ttf = font_for(font["/BaseFont"])
        if ttf and family not in measure.fonts:
            measure.add_font(family, "", str(TTF / "DejaVuSans.ttf"))
            measure.add_font(family, "B", str(TTF / "DejaVuSans-Bold.ttf"))
        measure.set_font(family, style, size)
        x, y = tm[4], tm[5]
        texts.append(Box(x, y - 0.22 * size, x + measure.get_string_width(text), y + 0.72 * size, text,
                         font["/BaseFont"].split("+")[-1].lstrip("/"), size))

    page.extract_text(visitor_text=visit)
    ops = page.get_contents().get_data().decode("latin-1")
    rects = [Box(float(x), float(y) + float(h), float(x) + float(w), float(y))
             for x, y, w, h in re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) (-[\d.]+) re S", ops)]
    images = [Box(float(x), float(y), float(x) + float(w), float(y) + float(h))
              for w, h, x, y in re.findall(r"([\d.]+) 0 0 ([\d.]+) ([\d.]+) ([\d.]+) cm /I\d+ Do", ops)]
    mediabox = page.mediabox
    return Box(0, 0, float(mediabox.width), float(mediabox.height)), rects, images, texts


def assert_readable(path: Path, page_no: int = 0) -> tuple[Box, list[Box], list[Box], list[Box]]:
    """Every line of text on the page, inside its border (if it has one), clear of every other line and image."""
    page, rects, images, texts = drawn(path, page_no)
    frame = rects[0] if rects else page
    for i, box in enumerate(texts):
        assert box.inside(frame, clearance=4), f"{box.text!r} runs into the border or off the page"
        for other in texts[i + 1:] + images:
            assert not box.overlaps(other), f"{box.text!r} overlaps {other.text or 'the QR code'!r}"
    for image in images:
        assert image.inside(frame, clearance=4)
    return page, rects, images, texts


LONG = dict(learner="Maximiliana Wolkenstein-Hohenberg de la Vega y Montenegro",
            session_title="Confidentiality, privilege and records: working with victims, counsel and experts in "
                          "capital cases",
            provisions=["E1", "E2", "E3", "E4a", "E4b", "E4c", "E5", "E6", "E7", "E8", "E9", "E10"],
            levels={d: "Proficient" for d in ("integrity", "competence", "confidentiality", "respect",
                                              "investigation", "team", "client-rights", "sentencing")})


def test_a_certificate_with_long_names_keeps_every_line_on_its_letter_page_clear_of_the_qr_code(tmp_path):
    key = Ed25519PrivateKey.generate()
    issuer = Issuer("Mitigation Training Institute of the Western States", key_id_of(public_raw(key)),
                    public_raw(key), "https://x.org/verify.html")
    record = make_record(issuer, **LONG)
    pdf = certificate_pdf(record, issue(record, key), issuer, tmp_path / "c.pdf")
    page, rects, images, texts = assert_readable(pdf)
    assert (page.right, page.top) == (792, 612)  # US Letter, landscape
    assert len(rects) == 1 and rects[0].inside(page, clearance=10)  # a border on the paper, not at its edge
    [qr] = images
    assert qr.right - qr.left == pytest.approx(qr.top - qr.bottom) and qr.top - qr.bottom >= 150  # 53 mm, to scan
    main = [t for t in texts if t.right <= qr.left]
    assert all(t.right < qr.left - 10 for t in main)
    # the name, too long for 22 points, is made smaller to stay on one line; the title wraps
    [name] = [t for t in texts if t.text.strip() == LONG["learner"]]
    assert name.font == "Helvetica-Bold" and 12 <= name.size < 22
    assert "and experts in capital cases" in [t.text.strip() for t in texts]
    # the styles a reader sees: bold headings, the token in a fixed-width font, the rest plain
    fonts = {t.text.strip(): t.font for t in texts}
    assert fonts["Certificate of completion"] == fonts["Provisions covered"] == fonts["Level per domain"] == \
        fonts[format_code(record["id"])] == "Helvetica-Bold"
    assert fonts["This certifies that"] == fonts["E1, E2, E3, E4a, E4b, E4c, E5, E6, E7, E8, E9, E10"] == "Helvetica"
    assert {t.font for t in texts if t.size == 6.5} == {"Courier"}
    # each heading is set apart from the line above it, closer to what it heads
    tops = [t.top for t in texts if t.left < qr.left]
    for heading in ("Provisions covered", "Level per domain"):
        at = [t.text.strip() for t in texts if t.left < qr.left].index(heading)
        assert tops[at - 1] - tops[at] > tops[at] - tops[at + 1] + 3, heading


def longest(phrase: str, length: int = NAME_MAX) -> str:
    """`phrase` repeated to exactly `length` characters, the last one not a space: a text field at its longest."""
    text = ((phrase + " ") * length)[:length - 1].rstrip()
    return text + "." * (length - len(text))


MM = 72 / 25.4  # points in a millimetre
CATALOG = load_catalog()
#: a record whose every field is as long as a record allows (in words, not in runs of W), in Helvetica or DejaVu Sans
LONGEST = {
    "helvetica": dict(learner=longest("Maximiliana Wolkenstein-Hohenberg de la Vega y Montenegro"),
                      session_title=longest("Confidentiality, privilege and records: working with victims, counsel "
                                            "and experts in capital cases")),
    "dejavu": dict(learner=longest("Łukasz Nguyễn Ørsted-Wolkenstein de la Vega y Świętochowski"),
                   session_title=longest("Poufność, tajemnica i dokumentacja: praca z ofiarami, obrońcami i biegłymi")),
}
ISSUERS = {"helvetica": longest("The Capital Mitigation and Sentencing Advocacy Training Institute of the Western and "
                                "Mountain States"),
           "dejavu": longest("Instytut Szkoleniowy Łagodzenia Kar i Rzecznictwa w Sprawach Karnych Zachodu")}


def longest_record(issuer: Issuer, font: str, **over) -> dict:
    return make_record(issuer, **{
        **LONGEST[font], "session_id": longest("ce-2026-11-confidentiality-privilege-records-"),
        "completed_on": "2026-09-30", "minutes": 59_999, "provisions": list(CATALOG.ids),
        "levels": {d.id: "Developing" for d in CATALOG.domains}, **over})


def issuer_named(name: str) -> tuple[Issuer, Ed25519PrivateKey]:
    key = Ed25519PrivateKey.generate()
    return Issuer(name, key_id_of(public_raw(key)), public_raw(key), "https://x.org/verify.html"), key


@pytest.mark.parametrize("font", ["helvetica", "dejavu"])
def test_a_certificate_with_every_field_at_its_longest_keeps_all_of_it_and_its_token_on_one_page(tmp_path, font):
    issuer, key = issuer_named(ISSUERS[font])
    record = longest_record(issuer, font)
    assert all(len(record[f]) == NAME_MAX for f in ("learner", "session_id", "session_title", "issuer"))
    token = issue(record, key)
    pdf = certificate_pdf(record, token, issuer, tmp_path / "c.pdf")
    assert len(PdfReader(str(pdf)).pages) == 1
    keyword_token, text = read_pdf_text(pdf)
    assert keyword_token == read_printed(text)["token"] == token and verify_pdf(pdf, issuer).valid
    page, _rects, _images, texts = assert_readable(pdf)  # inside the border, clear of each other and the QR code
    assert min(t.bottom for t in texts) >= 16 * MM - 0.5  # above the bottom margin, as wide as the top one
    assert max(t.top for t in texts) <= page.top - 16 * MM + 0.5
    assert {t.font for t in texts if t.size == 6.5} == {"Courier"}  # the token, at its size
    assert min(t.size for t in texts if t.font != "Courier") >= 7
    assert ("DejaVuSansBold" in {t.font for t in texts}) == (font == "dejavu")


def test_a_certificate_too_long_for_one_page_even_in_small_type_is_refused_naming_its_longest_field(tmp_path):
    """Runs of capital W, the widest letter, in the session title and the issuer's name, in DejaVu Sans (wider than
    Helvetica), the other fields at their longest: no type size from 7 points up fits them."""
    issuer, key = issuer_named("W" * NAME_MAX)
    record = longest_record(issuer, "dejavu", session_title="W" * NAME_MAX)
    with pytest.raises(PrintError) as caught:
        certificate_pdf(record, issue(record, key), issuer, tmp_path / "c.pdf")
    assert str(caught.value) == ("session_title: too long to print the certificate on one page, even in 7-point "
                                 "type (200 characters): shorten it")
    assert not (tmp_path / "c.pdf").exists()


def lines_of(path: Path) -> list[str]:
    return [line.strip() for line in read_pdf_text(path)[1].splitlines()]


def test_the_certificate_prints_every_field_in_its_words_line_by_line_levels_in_the_rubrics_order(signer, tmp_path):
    issuer, key = signer
    record = make_record(issuer, levels={"team": "Mastery", "confidentiality": "Proficient"})
    token = issue(record, key)
    pdf = certificate_pdf(record, token, issuer, tmp_path / "c.pdf")
    printed_token = "Token: " + token
    assert lines_of(pdf) == [
        "Certificate of completion",
        "Continuing education: the NASAMS Code of Ethics and Professional Standards",
        "This certifies that",
        "Ana Ruiz",
        "completed the session",
        "Confidentiality & victims: a CE seminar",
        "Session id: ce-2026-11 · completed on 2 November 2026 · 1.5 CE hours",
        "Provisions covered",
        "S5, S16",
        "Level per domain",
        "Confidentiality, privilege and records: Proficient",
        "Working with counsel, experts and witnesses: Mastery",
        "Verification code",
        format_code(record["id"]),
        "Scan it to check the certificate on the course",
        "book's verify page",
        f"Issued by {ORG} (key id {issuer.key_id}) at 2026-11-03 10:00:00 UTC.",
        "What this certificate shows: a trainer graded these attempts and signed this record. It does not show who "
        "sat at the keyboard.",
        "To check it offline: scan the code; or paste the token below into the verify page of the course book; or "
        "run `nasams-course verify` with the issuer's file.",
        *(printed_token[i:i + 110] for i in range(0, len(printed_token), 110)),
    ]


def alt_texts(node) -> list[str]:
    """The alternative texts (what a screen reader says for an image) in a PDF's structure tree."""
    node = node.get_object()
    if isinstance(node, list):
        return [alt for kid in node for alt in alt_texts(kid)]
    if not isinstance(node, dict):
        return []
    return ([node["/Alt"]] if "/Alt" in node else []) + alt_texts(node.get("/K", []))


def test_the_certificates_document_properties_name_the_learner_the_session_and_the_language(signer, tmp_path):
    """What a PDF viewer shows in its title bar and properties, and the language a screen reader speaks it in."""
    issuer, key = signer
    record = make_record(issuer)
    reader = PdfReader(str(certificate_pdf(record, issue(record, key), issuer, tmp_path / "c.pdf")))
    meta = reader.metadata
    assert (meta.title, meta.subject, meta.creator) == (
        "Certificate of completion: Ana Ruiz", f"Confidentiality & victims: a CE seminar ({format_code(record['id'])})",
        "nasams-course")
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert alt_texts(reader.trailer["/Root"]["/StructTreeRoot"]) == ["QR code: the address of the verify page with this certificate's token"]


# -- the statement of what remains ----------------------------------------------------------------------------------

STATEMENT_HEAD = [
    "Statement of what remains",
    "This statement is not a certificate. It lists what is left to complete the session; it carries no token and no",
    "verification code.",
    "Ben Ode took part in the session A seminar (session id ce-2026-11) and has not yet completed it. To",
    "complete it, this remains:",
]
LEVELS_NOTE = "Levels, by score: Mastery from 85%, Proficient from 70%, Developing from 50%, Beginning from 0%."
STATEMENT_FOOT = "Page 1 of 1 · Ben Ode · A seminar (session id ce-2026-11) · not a certificate"


def statement(tmp_path, remaining: dict) -> Path:
    return statement_pdf("Ben Ode", {"id": "ce-2026-11", "title": "A seminar"}, remaining, tmp_path / "s.pdf")


def test_a_statement_lists_what_remains_in_words_each_list_in_the_order_given(tmp_path):
    pdf = statement(tmp_path, {"provisions_not_attempted": ["S5", "E6"],
                               "domains_below_proficient": {"team": "Beginning", "confidentiality": "Developing"},
                               "critical_errors": ["S16"]})
    assert lines_of(pdf) == [
        *STATEMENT_HEAD,
        "Provisions not yet attempted",
        "- S5 · Contact with victims and prosecution witnesses",
        "- E6 · Privacy, confidentiality, work product and privilege",
        "Domains below Proficient",
        "- Working with counsel, experts and witnesses: Beginning",
        "- Confidentiality, privilege and records: Developing",
        "Critical errors still standing (answered with a violation, not yet answered right)",
        "- S16 · Privilege covers the specialist and social workers",
        LEVELS_NOTE,
        STATEMENT_FOOT,
    ]
    reader = PdfReader(str(pdf))
    assert len(reader.pages) == 1
    assert (reader.metadata.title, reader.metadata.subject, reader.metadata.creator) == (
        "Statement of what remains: Ben Ode", "A seminar: not a certificate", "nasams-course")
    page, rects, images, texts = assert_readable(pdf)
    assert (page.right, page.top) == (612, 792) and not rects and not images  # US Letter, portrait
    assert {t.text.strip(): t.font for t in texts}["Domains below Proficient"] == "Helvetica-Bold"


@pytest.mark.parametrize("remaining", [{}, {"critical_errors": []}])
def test_a_statement_with_nothing_left_in_a_list_says_nothing(tmp_path, remaining):
    assert lines_of(statement(tmp_path, remaining)) == [
        *STATEMENT_HEAD, "Provisions not yet attempted", "Nothing.", "Domains below Proficient", "Nothing.",
        "Critical errors still standing (answered with a violation, not yet answered right)", "Nothing.", LEVELS_NOTE,
        STATEMENT_FOOT]


@pytest.mark.parametrize("font", ["helvetica", "dejavu"])
def test_a_statement_of_everything_flows_onto_pages_each_footed_with_the_learner_the_session_and_its_number(
        tmp_path, font):
    """A learner who attempted nothing: all 44 provisions and every domain, three critical errors besides (more than
    one learner can have at once), and the longest name, session title and id a record allows."""
    learner, title, sid = LONGEST[font]["learner"], LONGEST[font]["session_title"], longest("ce-2026-11-")
    critical = ["S5", "S16", "E6"]
    remaining = {"provisions_not_attempted": list(CATALOG.ids), "critical_errors": critical,
                 "domains_below_proficient": {d.id: "Beginning" for d in CATALOG.domains}}
    pdf = statement_pdf(learner, {"id": sid, "title": title}, remaining, tmp_path / "s.pdf")
    pages = PdfReader(str(pdf)).pages
    assert len(pages) > 1
    lines = lines_of(pdf)
    for pid in [*CATALOG.ids, *critical]:
        assert f"- {pid} · {CATALOG.provision(pid).title}" in lines
    assert all(f"- {d.title}: Beginning" in lines for d in CATALOG.domains) and LEVELS_NOTE in lines
    assert NOT_A_CERTIFICATE in pages[0].extract_text()
    for n, page in enumerate(pages, 1):
        foot = f"Page {n} of {len(pages)} · {learner} · {title} (session id {sid}) · not a certificate"
        assert unspaced(foot) in unspaced(page.extract_text()), n
        box, _rects, _images, texts = assert_readable(pdf, n - 1)  # no line over another, nor over the foot
        assert min(t.bottom for t in texts) >= 16 * MM - 0.5 and max(t.top for t in texts) <= box.top - 16 * MM


def test_a_statements_heading_never_ends_a_page_without_its_lists_first_line(tmp_path):
    """However many provisions remain, a page break falls before a heading, not between it and its list."""
    headings = {"Provisions not yet attempted", "Domains below Proficient",
                "Critical errors still standing (answered with a violation, not yet answered right)"}
    domains = {d.id: "Beginning" for d in CATALOG.domains}
    for count in range(20, len(CATALOG.ids) + 1):
        remaining = {"provisions_not_attempted": list(CATALOG.ids[:count]), "domains_below_proficient": domains,
                     "critical_errors": ["S5", "S16"]}
        for page in PdfReader(str(statement(tmp_path, remaining))).pages:
            body = page.extract_text().splitlines()[:-1]  # without the foot
            assert body[-1].strip() not in headings, count


def test_a_statements_pages_break_before_their_last_line_would_reach_the_foot(tmp_path):
    """However many provisions remain, each page's text ends above its foot with room to spare (3 mm or more), never
    on it: every line of every page clear of every other."""
    domains = {d.id: "Beginning" for d in CATALOG.domains}
    for count in range(20, len(CATALOG.ids) + 1):
        remaining = {"provisions_not_attempted": list(CATALOG.ids[:count]), "domains_below_proficient": domains,
                     "critical_errors": ["S5", "S16"]}
        pdf = statement(tmp_path, remaining)
        for n in range(len(PdfReader(str(pdf)).pages)):
            _page, _rects, _images, texts = assert_readable(pdf, n)
            [foot] = [t for t in texts if t.text.startswith("Page ")]
            assert min(t.bottom for t in texts if t is not foot) - foot.top >= 3 * MM, (count, n)

def test_a_statement_of_critical_errors_alone_lists_them(tmp_path):
    assert "- S16 · Privilege covers the specialist and social workers" in lines_of(
        statement(tmp_path, {"critical_errors": ["S16"]}))


@pytest.mark.parametrize(("remaining", "message"), [
    ([], "remaining: a mapping of critical_errors, domains_below_proficient, provisions_not_attempted"),
    ({"provisions_not_attempted": [], "extra": []},
     "remaining: a mapping of critical_errors, domains_below_proficient, provisions_not_attempted"),
    ({"provisions_not_attempted": ["S5", "Z9"]}, "remaining: 'Z9' is not a provision id"),
    ({"critical_errors": ["S5", "Z8", "Z9"]}, "remaining: 'Z8' is not a provision id"),
    ({"domains_below_proficient": ["team"]}, "remaining.domains_below_proficient: {domain id: level} (['team'])"),
    ({"domains_below_proficient": {"team": "Beginning", "zz": "Beginning", "yy": "Developing"}},
     "remaining.domains_below_proficient: {domain id: level} ('zz')"),
])
def test_what_remains_that_is_not_of_the_code_or_the_rubric_is_refused_naming_it(tmp_path, remaining, message):
    with pytest.raises(PrintError) as caught:
        statement(tmp_path, remaining)
    assert str(caught.value) == message
    assert not (tmp_path / "s.pdf").exists()


# -- what the fonts can print ---------------------------------------------------------------------------------------

def test_every_text_no_font_can_print_is_named_with_its_characters_once_each(signer, tmp_path):
    issuer, key = signer
    record = make_record(issuer, learner="山田 山田 Ørsted", session_id="ce-2026-11", session_title="Łódź seminar 東京")
    with pytest.raises(PrintError) as caught:
        certificate_pdf(record, issue(record, key), issuer, tmp_path / "c.pdf")
    assert str(caught.value) == ("learner: cannot print 山 田 (the PDF fonts, Helvetica and DejaVu Sans, lack them); "
                                 "session_title: cannot print 東 京 (the PDF fonts, Helvetica and DejaVu Sans, lack "
                                 "them)")
    assert not (tmp_path / "c.pdf").exists()


def test_a_name_outside_windows_1252_is_printed_in_dejavu_sans_bold_and_plain(signer, tmp_path):
    issuer, key = signer
    record = make_record(issuer, learner="Łukasz Nguyễn")
    pdf = certificate_pdf(record, issue(record, key), issuer, tmp_path / "c.pdf")
    _page, _rects, _images, texts = assert_readable(pdf)
    fonts = {t.text.strip(): t.font for t in texts}
    assert fonts["Łukasz Nguyễn"] == "DejaVuSansBold" and fonts["This certifies that"] == "DejaVuSansBook"
    assert fonts[format_code(record["id"])] == "DejaVuSansBold"
    assert {t.font for t in texts if t.size == 6.5} == {"Courier"}


@pytest.mark.parametrize(("learner", "lines"), [
    ("Maximiliana Wolkenstein-Hohenberg de la Vega y Montenegro Álvarez de Toledo", 1),  # fits at 12 points
    ("Maximiliana Wolkenstein-Hohenberg de la Vega y Montenegro Álvarez de Toledo y Silva", 2),  # not even at 12
])
def test_a_long_name_is_made_smaller_to_fit_one_line_but_never_below_12_points(signer, tmp_path, learner, lines):
    issuer, key = signer
    record = make_record(issuer, learner=learner)
    _page, _rects, _images, texts = assert_readable(certificate_pdf(record, issue(record, key), issuer,
                                                                    tmp_path / "c.pdf"))
    name = [t for t in texts if t.font == "Helvetica-Bold" and t.text.strip() and t.text.strip() in learner]
    assert [t.size for t in name] == [12] * lines
    assert " ".join(t.text.strip() for t in name) == learner


def test_a_statement_names_every_text_no_font_can_print(tmp_path):
    with pytest.raises(PrintError) as caught:
        statement_pdf("山田", {"id": "東", "title": "京"}, {}, tmp_path / "s.pdf")
    lack = "(the PDF fonts, Helvetica and DejaVu Sans, lack them)"
    assert str(caught.value) == f"learner: cannot print 山 田 {lack}; session title: cannot print 京 {lack}; " \
                                f"session id: cannot print 東 {lack}"
    assert not (tmp_path / "s.pdf").exists()


def test_text_added_after_the_printed_token_is_not_a_certificates_wording(signer, tmp_path):
    """A stamp or a note added under the token changes the certificate's wording: the text is refused as a
    certificate's layout (`verify` says its wording was changed), not read as a longer token."""
    issuer, key = signer
    record = make_record(issuer)
    token = issue(record, key)
    text = read_pdf_text(certificate_pdf(record, token, issuer, tmp_path / "c.pdf"))[1]
    assert read_printed(text)["token"] == token
    assert read_printed(text + "\n(copy!)") is None


def test_a_name_with_a_typographic_apostrophe_prints_in_helvetica(signer, tmp_path):
    """’ (as word processors type it) and € are in Windows-1252, the core fonts' encoding: no font is embedded."""
    issuer, key = signer
    record = make_record(issuer, learner="Siobhán O’Brien", session_title="Fees – €0 – a seminar")
    pdf = certificate_pdf(record, issue(record, key), issuer, tmp_path / "c.pdf")
    assert lines_of(pdf)[3:6] == ["Siobhán O’Brien", "completed the session", "Fees – €0 – a seminar"]
    _page, _rects, _images, texts = assert_readable(pdf)
    assert {t.font for t in texts} == {"Helvetica", "Helvetica-Bold", "Courier"}


def test_a_long_issuer_name_wraps_inside_the_border(tmp_path):
    key = Ed25519PrivateKey.generate()
    name = ("The Capital Mitigation and Sentencing Advocacy Training Institute of the Western and Mountain States, "
            "Continuing Legal Education Division")
    issuer = Issuer(name, key_id_of(public_raw(key)), public_raw(key), "https://x.org/verify.html")
    record = make_record(issuer)
    pdf = certificate_pdf(record, issue(record, key), issuer, tmp_path / "c.pdf")
    assert_readable(pdf)
    assert f"Issued by {name} (key id {issuer.key_id}) at 2026-11-03 10:00:00 UTC." in " ".join(lines_of(pdf))


def test_the_qr_code_has_its_white_margin_and_medium_error_correction(signer, tmp_path):
    """A phone finds a QR code by the white margin (quiet zone, 4 modules) around it; error correction M still reads
    a print with 15 % of it smudged or folded."""
    import numpy as np
    import zxingcpp

    issuer, key = signer
    record = make_record(issuer)
    token = issue(record, key)
    image = PdfReader(str(certificate_pdf(record, token, issuer, tmp_path / "c.pdf"))).pages[0].images[0].image
    modules = np.asarray(image.convert("L"))
    for edge in (modules[:4], modules[-4:], modules[:, :4], modules[:, -4:]):
        assert edge.min() == 255
    assert modules[4:11, 4:11].min() == 0  # the finder pattern starts right inside the margin
    [found] = zxingcpp.read_barcodes(image)
    assert (found.text, found.ec_level) == (verification_url(issuer, token), "M")


def test_the_border_is_a_thin_grey_rule(signer, tmp_path):
    issuer, key = signer
    record = make_record(issuer)
    pdf = certificate_pdf(record, issue(record, key), issuer, tmp_path / "c.pdf")
    ops = PdfReader(str(pdf)).pages[0].get_contents().get_data().decode("latin-1")
    width = re.search(r"([\d.]+) w\n[^\n]* re S", ops)
    assert width and float(width.group(1)) <= 2  # points: 0.6 mm, not a heavy frame


@pytest.mark.parametrize("field", ["learner", "session_id", "session_title", "issuer"])
def test_a_certificate_names_the_field_no_font_can_print(tmp_path, field):
    key = Ed25519PrivateKey.generate()
    issuer = Issuer("京 Institute" if field == "issuer" else ORG, key_id_of(public_raw(key)), public_raw(key))
    record = make_record(issuer, **({} if field == "issuer" else {field: "京 1"}))
    with pytest.raises(PrintError) as caught:
        certificate_pdf(record, issue(record, key), issuer, tmp_path / "c.pdf")
    assert str(caught.value) == f"{field}: cannot print 京 (the PDF fonts, Helvetica and DejaVu Sans, lack them)"


# -- how `draw` measures and places a line, exactly -----------------------------------------------------------------

def text_at(path: Path, page_no: int = 0) -> list[tuple[float, float, float, str]]:
    """Each run of text on a page: its x and its baseline's distance from the top of the page (mm), its size (pt)."""
    page = PdfReader(str(path)).pages[page_no]
    height = float(page.mediabox.height)
    runs = []

    def visit(text, _cm, tm, _font, size):
        if text.strip():
            runs.append((tm[4] / MM, (height - tm[5]) / MM, size, text.strip()))

    page.extract_text(visitor_text=visit)
    return runs


def baseline(top: float, style: str, scale: float = 1) -> float:
    """Where fpdf2 sets the baseline of a line of `style` whose cell's top is at `top` (mm): halfway down the cell,
    then 0.3 of the type's size."""
    _bold, size, height, _grey = STYLES[style]
    return top + 0.5 * height * scale + 0.3 * size * scale / MM


def a_page() -> CoursePDF:
    return new_pdf(["text"], "a title", "a subject")


def written(pdf: CoursePDF, tmp_path: Path) -> Path:
    pdf.output(str(tmp_path / "drawn.pdf"))
    return tmp_path / "drawn.pdf"


def test_a_new_page_has_margins_of_18_mm_at_its_sides_and_16_at_top_and_bottom_and_starts_at_the_top_left():
    """new_pdf_24 (top margin 18), _26 (left 19), _27 (right 19)."""
    pdf = a_page()
    assert (pdf.l_margin, pdf.t_margin, pdf.r_margin, pdf.b_margin) == (18, MARGIN, 18, MARGIN) == (18, 16, 18, 16)
    assert (pdf.x, pdf.y) == (18, 16)


def test_a_line_exactly_as_wide_as_its_room_stays_one_line(tmp_path):
    """draw_101: only a line wider than its room is wrapped (fpdf2's wrapping keeps 1 mm clear at each side, so it
    would break a line that fits)."""
    pdf = a_page()
    text = "Provisions covered in this session"
    pdf.set_font("helvetica", "", STYLES["body"][1])
    pdf.set_xy(30, 40)
    assert draw(pdf, "body", text, width=pdf.get_string_width(text)) == 5
    assert [t for _x, _y, _s, t in text_at(written(pdf, tmp_path))] == [text]


def test_a_name_is_made_smaller_a_point_at_a_time_only_while_it_is_wider_than_its_room(tmp_path):
    """draw_82 (shrinks a name exactly as wide as its room), draw_89 (two points a step): a name as wide as its room
    at 22 points keeps 22 points; one as wide at 21 points is printed at 21, not 20."""
    name = "Maximiliana Wolkenstein-Hohenberg"
    pdf = a_page()
    width = {}
    for size in (22, 21):
        pdf.set_font("helvetica", "B", size)
        width[size] = pdf.get_string_width(name)
    pdf.set_xy(20, 30)
    assert draw(pdf, "name", name, width=width[22], shrink=True) == 11 and pdf.font_size_pt == 22
    pdf.set_xy(20, 60)
    assert draw(pdf, "name", name, width=width[21], shrink=True) == pytest.approx(11 * 21 / 22)
    assert pdf.font_size_pt == 21
    assert [(s, t) for _x, _y, s, t in text_at(written(pdf, tmp_path))] == [(22, name), (21, name)]


def test_a_text_of_several_lines_prints_each_on_its_own_line_in_its_column_and_measures_them_all(tmp_path):
    """draw_99 (the text not split at its line breaks), draw_102 (a wrapped line's height not added to the lines
    above it), draw_116 (the line after a wrapped one starting right of the column), draw_115 (a wrapped line
    justified, fpdf2's default, its words spread to the column's right edge)."""
    pdf = a_page()
    wrapped = "Confidentiality, privilege and records: working with victims, counsel and experts"
    pdf.set_xy(30, 40)
    taken = draw(pdf, "body", f"First line\n{wrapped}\nLast line", width=60)
    runs = text_at(written(pdf, tmp_path))
    assert runs[0][3] == "First line" and runs[-1][3] == "Last line" and len(runs) >= 4
    assert " ".join(t for _x, _y, _s, t in runs[1:-1]) == wrapped
    assert taken == 5 * len(runs)  # 5 mm a line of body text, every line counted
    for i, (x, y, _size, _text) in enumerate(runs):
        assert x == pytest.approx(31, abs=0.01)  # the column's left edge, inside fpdf2's 1 mm cell margin
        assert y == pytest.approx(baseline(40 + 5 * i, "body"), abs=0.01)
    content = PdfReader(str(tmp_path / "drawn.pdf")).pages[0].get_contents().get_data().decode("latin-1")
    assert " Tw " not in content  # set flush left: no word spacing added to stretch a line


def test_a_dry_run_draws_nothing_and_leaves_the_position_where_it_was(tmp_path):
    """draw_145 (a dry run moving to the left margin, a drawn line not moving there)."""
    pdf = a_page()
    pdf.set_xy(50, 40)
    assert draw(pdf, "body", "Measured, not drawn", dry_run=True) == 5
    assert (pdf.x, pdf.y) == (50, 40)
    assert text_at(written(pdf, tmp_path)) == []


def test_after_a_line_in_a_column_the_next_starts_in_the_column_and_after_a_full_line_at_the_left_margin(tmp_path):
    """draw_147 (after a column's line, back to the left margin), draw_148 (after a line to the right margin, still
    where it started), draw_145 (as draw_148 when drawing)."""
    pdf = a_page()
    pdf.set_xy(100, 30)
    draw(pdf, "body", "one", width=50)
    draw(pdf, "body", "two", width=50)
    pdf.set_xy(60, 60)
    draw(pdf, "body", "three")
    draw(pdf, "body", "four")
    assert [(round(x, 2), round(y, 2), t) for x, y, _s, t in text_at(written(pdf, tmp_path))] == [
        (101, round(baseline(30, "body"), 2), "one"), (101, round(baseline(35, "body"), 2), "two"),
        (61, round(baseline(60, "body"), 2), "three"), (19, round(baseline(65, "body"), 2), "four")]


def test_a_token_in_a_narrow_column_takes_as_many_characters_a_line_as_fit_it(tmp_path):
    """draw_37: the characters a line from the room divided by a character's width (not multiplied by it)."""
    pdf = a_page()
    pdf.set_font("courier", "", STYLES["token"][1])
    per_line = int(50 / pdf.get_string_width("0"))
    token = "abcdefghijklmnopqrstuvwxyz0123456789" * 4
    pdf.set_xy(30, 40)
    draw(pdf, "token", token, width=50)
    runs = [t for _x, _y, _s, t in text_at(written(pdf, tmp_path))]
    assert per_line == 36 and runs == [token[i:i + per_line] for i in range(0, len(token), per_line)]


def test_type_made_smaller_never_goes_below_7_points_nor_a_small_style_above_its_size(tmp_path):
    """draw_62: the least size 7 points (BODY_SIZES[-1]), not 7.5; the token keeps its own 6.5 points."""
    pdf = a_page()
    for style, size in (("note", 7), ("caption", 7), ("body", 7), ("small", 7.35), ("title", 18.2)):
        draw(pdf, style, style, scale=0.7, dry_run=True)
        assert pdf.font_size_pt == pytest.approx(size), style
    draw(pdf, "note", "a note", scale=0.7)
    assert [(s, t) for _x, _y, s, t in text_at(written(pdf, tmp_path))] == [(7, "a note")]


def test_a_certificate_whose_last_line_ends_exactly_at_the_bottom_margin_fits_at_full_size():
    """fitting_scale_16: a line ending on the margin is above it, not past it."""
    pdf = a_page()
    columns = certificate_lines(printed_values(make_record(issuer_named(ORG)[0]), CATALOG), "t0ken")
    bottom = max(b for _ln, _top, b in lay_out(pdf, columns, 1, dry_run=True))
    pdf.set_auto_page_break(False, margin=pdf.h - bottom)
    assert pdf.h - pdf.b_margin == bottom
    assert fitting_scale(pdf, columns) == 1
    pdf.set_auto_page_break(False, margin=pdf.h - bottom + 0.01)
    assert fitting_scale(pdf, columns) == 0.95


def test_a_statements_lines_sit_at_their_heights_3_mm_between_its_parts_and_4_above_the_note(tmp_path):
    """statement_pdf_99, _100 (the space after the subtitle 6 or 4 mm, not 3), _109, _110 (before each list's
    heading 5.5 or 4 mm), _159, _160 (before the levels note 5.5 or 5 mm); new_pdf_24, _26 (margins) as well."""
    runs = text_at(statement(tmp_path, {"critical_errors": ["S16"]}))
    expected = [  # (style, top of its cell in mm): each line's cell below the last, 3 mm before each part
        ("title", 16), ("subtitle", 16 + 12), ("subtitle", 28 + 6), ("list", 34 + 6 + 3), ("list", 43 + 5.5),
        ("heading", 48.5 + 5.5 + 3), ("list", 57 + 6), ("heading", 63 + 5.5 + 3), ("list", 71.5 + 6),
        ("heading", 77.5 + 5.5 + 3), ("list", 86 + 6), ("note", 92 + 5.5 + 4),
        ("note", 279.4 - MARGIN - STYLES["note"][2]),  # the foot, one line, on the bottom margin
    ]
    assert [t for _x, _y, _s, t in runs] == lines_of(tmp_path / "s.pdf")  # one run a line
    assert len(runs) == len(expected)
    for (x, y, size, text), (style, top) in zip(runs, expected, strict=True):
        assert (round(x, 2), round(y, 2), size) == (19, round(baseline(top, style), 2), STYLES[style][1]), text


def test_a_statements_foot_is_measured_with_its_page_numbers_as_wide_as_the_placeholder_they_replace(tmp_path):
    """statement_pdf_64: the foot measured as `Page None of {nb}` takes a second line for a name whose foot fits one
    with `Page {nb} of {nb}`, and the page's one-line foot would be printed a line above the bottom margin."""
    measure = new_pdf(["text"], "a title", "a subject", "P")  # a statement's page, portrait
    measure.set_font("helvetica", "", STYLES["note"][1])
    room = measure.w - 36

    def foot(learner: str, page: str = "{nb}") -> str:
        return f"Page {page} of {{nb}} · {learner} · A seminar (session id ce-2026-11) · not a certificate"

    learner = "Ben Ode"
    while measure.get_string_width(foot(learner + " i")) <= room:
        learner += " i"
    assert measure.get_string_width(foot(learner, "None")) > room  # the measure that would take two lines
    pdf = statement_pdf(learner, {"id": "ce-2026-11", "title": "A seminar"}, {}, tmp_path / "s.pdf")
    x, y, _size, text = text_at(pdf)[-1]
    assert text == foot(learner, "1").replace("{nb}", "1")
    assert (round(x, 2), round(y, 2)) == (19, round(baseline(279.4 - MARGIN - STYLES["note"][2], "note"), 2))


def test_a_statements_page_holds_every_line_that_ends_3_mm_or_more_above_its_foot(tmp_path):
    """statement_pdf_73: a page breaks only before a line that would end less than 3 mm above the foot (not 4): the
    first page of 44 provisions holds 35 of them, the 35th ending 3.7 mm above the foot."""
    remaining = {"provisions_not_attempted": list(CATALOG.ids)}
    pdf = statement(tmp_path, remaining)
    runs = text_at(pdf)
    items = [t for _x, _y, _s, t in runs if t.startswith("- ")]
    assert len(items) == 35 and items[-1] == f"- {CATALOG.ids[34]} · {CATALOG.provision(CATALOG.ids[34]).title}"
    foot_top = 279.4 - MARGIN - STYLES["note"][2]
    [last_y] = [y for _x, y, _s, t in runs if t == items[-1]]
    last_bottom = last_y - baseline(0, "list") + STYLES["list"][2]
    assert foot_top - last_bottom == pytest.approx(3.7, abs=0.01)
    assert foot_top - (last_bottom + STYLES["list"][2]) < 3  # one more line would end too close to the foot
