"""The verify page in headless Chromium, from disk and from a local server: a valid, a tampered and a revoked token
(and one from another issuer, a verification code, text that is no token) each show their outcome, from the address's
fragment or typed into the box; nothing is requested from another host; axe-core finds no serious violation in light
or dark mode.

The built page trusts the book's demonstration issuer, whose private key is gone, so these tests serve a copy of the
built page whose data element holds a test issuer made here (the element the build writes, filled by the same
function), beside the built book's own _static folder."""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from nasams_course.rendering.html import script_json
from nasams_course.training.certificates import canonical_json, certificate_record, decode_token, format_code, issue
from nasams_course.training.issuer import Issuer, b64url, key_id_of, public_raw
from nasams_course.training.verify import verify_page_data

from .conftest import HTML, REPO, axe_serious
from .test_book import same_host_only

pytestmark = pytest.mark.browser
PAGE = "book/orientation/verify.html"
DATA = re.compile(r'(<script type="application/json" id="nasams-verify-data">).*?(</script>)', re.DOTALL)


def new_issuer(name: str) -> tuple[Issuer, Ed25519PrivateKey]:
    key = Ed25519PrivateKey.generate()
    return Issuer(name, key_id_of(public_raw(key)), public_raw(key)), key


ISSUER, KEY = new_issuer("Mitigation Training Institute")
OTHER, OTHER_KEY = new_issuer("Someone Else Ltd")


def signed(issuer: Issuer, key: Ed25519PrivateKey, learner: str) -> str:
    record = certificate_record(learner=learner, session_id="ce-2026-11", session_title="Confidentiality & victims",
                                completed_on="2026-11-02", minutes=95, provisions=["S5", "S16"],
                                levels={"confidentiality": "Proficient", "team": "Mastery"}, issuer=issuer)
    return issue(record, key)


VALID = signed(ISSUER, KEY, "Ana Ruiz")
REVOKED = signed(ISSUER, KEY, "Ben Ode")
REVOKED_ID = decode_token(REVOKED)["id"]
TAMPERED = b64url(canonical_json({**decode_token(VALID), "learner": "Eve Forger"})) + "." + VALID.split(".")[1]
OTHER_ISSUER = signed(OTHER, OTHER_KEY, "Cy Other")
CASES = {  # what is given -> the outcome the page shows
    VALID: "valid", TAMPERED: "tampered", REVOKED: "revoked", OTHER_ISSUER: "other-issuer",
    format_code(decode_token(VALID)["id"]): "code-only", format_code(REVOKED_ID).lower(): "revoked",
    "not a token": "malformed",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The built verify page with the test issuer's data and a revocation list, beside the book's _static."""
    root = tmp_path_factory.mktemp("verify-site")
    (root / "_static").symlink_to(HTML / "_static", target_is_directory=True)
    page = (HTML / PAGE).read_text(encoding="utf-8")
    revoked = {REVOKED_ID: {"id": REVOKED_ID, "revoked_at": "2026-11-20T09:00:00Z", "reason": "issued in error"}}
    data = script_json(verify_page_data(ISSUER, revoked))
    page, n = DATA.subn(lambda m: m.group(1) + data + m.group(2), page)
    assert n == 1, "the built verify page has no data element"
    (root / "book" / "orientation").mkdir(parents=True)
    (root / PAGE).write_text(page, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def site_server(site):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(params=["file", "http"])
def site_base(request, site, site_server) -> str:
    return site.as_uri() if request.param == "file" else site_server


@pytest.fixture
def vpage(browser):
    context = browser.new_context()
    pg = context.new_page()
    pg.requests, pg.errors = [], []
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    context.close()


def outcome(page) -> dict:
    page.wait_for_selector("[data-role=result] [data-outcome]")
    return page.evaluate("""() => { const r = document.querySelector('[data-role=result] [data-outcome]');
        return {outcome: r.dataset.outcome, title: r.querySelector('.admonition-title').textContent,
                text: r.textContent, cls: r.className}; }""")


def test_each_token_shows_its_outcome_from_the_address(vpage, site_base):
    for given, expected in CASES.items():
        vpage.goto("about:blank")
        vpage.goto(f"{site_base}/{PAGE}#t={given}")
        got = outcome(vpage)
        assert got["outcome"] == expected, (given, got)
        assert vpage.input_value("#nv-token") == given
    assert vpage.errors == []
    same_host_only(vpage, site_base)


def test_a_valid_certificate_shows_its_fields_and_the_others_say_why_not(vpage, site_base):
    vpage.goto(f"{site_base}/{PAGE}#t={VALID}")
    got = outcome(vpage)
    assert got["title"] == "Valid certificate" and "admonition tip" in got["cls"]
    for shown in ("Ana Ruiz", "Confidentiality & victims", "2026-11-02", "1.5", "S5, S16",
                  "Confidentiality, privilege and records: Proficient", format_code(decode_token(VALID)["id"]),
                  "Mitigation Training Institute"):
        assert shown in got["text"]
    vpage.goto(f"{site_base}/{PAGE}#t={TAMPERED}")
    got = outcome(vpage)
    assert "does not match the record" in got["text"] and "Eve Forger" in got["text"] and "danger" in got["cls"]
    vpage.goto(f"{site_base}/{PAGE}#t={REVOKED}")
    assert "revoked it on 2026-11-20: issued in error" in outcome(vpage)["text"]
    vpage.goto(f"{site_base}/{PAGE}#t={OTHER_ISSUER}")
    assert "Someone Else Ltd" in outcome(vpage)["text"]
    assert vpage.locator("[data-role=issuer]").inner_text().startswith(
        "This page checks certificates signed by Mitigation Training Institute")


def test_a_pasted_token_is_checked_by_keyboard(vpage, site_base):
    vpage.goto(f"{site_base}/{PAGE}")
    assert vpage.locator("[data-role=result]").inner_text() == ""
    vpage.focus("#nv-token")
    vpage.keyboard.insert_text(f"  {TAMPERED}\n")
    vpage.keyboard.press("Tab")
    assert vpage.evaluate("document.activeElement.textContent") == "Verify"
    vpage.keyboard.press("Enter")
    assert outcome(vpage)["outcome"] == "tampered"
    vpage.fill("#nv-token", VALID)
    vpage.keyboard.press("Tab")
    vpage.keyboard.press("Enter")
    vpage.wait_for_selector("[data-role=result] [data-outcome=valid]")
    assert vpage.errors == []


def test_without_webcrypto_the_page_says_it_cannot_check(vpage, site_base):
    """What a plain-http page from another computer gets: no crypto.subtle. The page says so instead of failing."""
    vpage.add_init_script("Object.defineProperty(Crypto.prototype, 'subtle', {get() { return undefined; }})")
    vpage.goto(f"{site_base}/{PAGE}#t={VALID}")
    got = outcome(vpage)
    assert got["outcome"] == "no-webcrypto" and "plain http" in got["text"]


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_no_serious_accessibility_violations(browser, site_server, mode):
    context = browser.new_context(color_scheme=mode)
    page = context.new_page()
    for token in (VALID, TAMPERED, REVOKED):
        page.goto(f"{site_server}/{PAGE}#t={token}")
        page.wait_for_selector("[data-role=result] [data-outcome]")
        assert page.evaluate("document.documentElement.dataset.theme") == mode
        assert axe_serious(page) == [], token
    context.close()


def test_the_built_book_publishes_its_issuer_and_revocation_list_to_the_verify_page(vpage):
    """The real built page: it holds the committed issuer file and revocation list, and the book publishes both at
    its root for `nasams-course verify`."""
    issuer = json.loads((REPO / "issuer" / "issuer.json").read_text())
    html = (HTML / PAGE).read_text(encoding="utf-8")
    data = json.loads(DATA.search(html).group(0).split(">", 1)[1].removesuffix("</script>"))
    assert data["issuer"] == issuer and data["revoked"] == []
    assert json.loads((HTML / "issuer.json").read_text()) == issuer
    assert (HTML / "revoked.json").read_text() == (REPO / "issuer" / "revoked.json").read_text()
    vpage.goto(f"{HTML.as_uri()}/{PAGE}#t={VALID}")  # a test issuer's token is not this book's issuer's
    assert outcome(vpage)["outcome"] == "other-issuer"
