/* The verify page: checks a certificate token's Ed25519 signature (WebCrypto) against the issuer key published with
   the book, then the revocation list; shows the record or why it is not valid. The token comes from the address
   (#t=..., never sent to a server) or the text box. Nothing is fetched. */
(function () {
  "use strict";
  const root = document.querySelector(".nasams-verify"), dataEl = document.getElementById("nasams-verify-data");
  if (!root || !dataEl) return;
  const data = JSON.parse(dataEl.textContent), issuer = data.issuer;
  const revoked = new Map((data.revoked || []).map((r) => [r.id, r]));
  const form = root.querySelector("[data-role=form]"), box = root.querySelector("textarea");
  const out = root.querySelector("[data-role=result]");
  const FIELDS = [["id", "Verification code"], ["learner", "Learner"], ["session_title", "Session"],
    ["session_id", "Session id"], ["completed_on", "Completed on"], ["ce_hours", "CE hours"],
    ["provisions", "Provisions covered"], ["levels", "Level per domain"], ["issuer", "Issuer"],
    ["key_id", "Issuer key id"], ["issued_at", "Issued at"]];

  const bytes = (b64) => {
    if (!/^[A-Za-z0-9_-]+$/.test(b64)) throw new Error("not base64url");
    const s = atob(b64.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((b64.length + 3) % 4));
    return Uint8Array.from(s, (c) => c.charCodeAt(0));
  };
  // a verification code as typed: any case, hyphens and spaces ignored, O read as 0, I and L as 1 (Crockford)
  const asCode = (text) => {
    const c = text.replace(/[\s-]/g, "").toUpperCase().replace(/O/g, "0").replace(/[IL]/g, "1");
    return /^[0-9A-HJKMNP-TV-Z]{10}$/.test(c) ? c : null;
  };
  const shown = (c) => c.slice(0, 5) + "-" + c.slice(5);
  const revokedText = (r) => "The issuer revoked it on " + r.revoked_at.slice(0, 10) + (r.reason ? ": " + r.reason : "") + ".";

  // -> {outcome, title, text, record?}; no-webcrypto: not a secure context; no-ed25519: WebCrypto lacks Ed25519
  async function check(text) {
    if (!issuer) return {outcome: "no-issuer", title: "No issuer here", text: "This book publishes no issuer key."};
    const code = asCode(text);
    if (code) {
      if (revoked.has(code)) return {outcome: "revoked", title: "Revoked", text: "The certificate with the verification code " + shown(code) + " was revoked. " + revokedText(revoked.get(code))};
      return {outcome: "code-only", title: "A verification code, not a token", text: shown(code) + " is a verification code. A code alone cannot be checked: the signature covers the whole record, which only the token carries. Paste the certificate's token or scan its QR code; the code matches the paper to its token or to the issuer's register."};
    }
    const parts = text.split(".");
    let payload, signature, record;
    try {
      payload = bytes(parts[0]); signature = bytes(parts[1]);
      record = JSON.parse(new TextDecoder("utf-8", {fatal: true}).decode(payload));
      if (parts.length !== 2 || signature.length !== 64 || !record || typeof record !== "object" || Array.isArray(record)) throw new Error("shape");
    } catch (e) {
      return {outcome: "malformed", title: "Not a certificate token", text: "A token is two long runs of letters, digits, - and _ joined by a dot. Check that it was copied whole."};
    }
    if (!window.crypto || !crypto.subtle) return {outcome: "no-webcrypto", title: "Cannot check here", text: "Browsers switch off signature checks (WebCrypto) on a page opened over plain http from another computer. Open this page over https, from disk or from localhost, or use nasams-course verify."};
    let ok;
    try {
      const key = await crypto.subtle.importKey("raw", bytes(issuer.public_key), {name: "Ed25519"}, false, ["verify"]);
      ok = await crypto.subtle.verify({name: "Ed25519"}, key, signature, payload);
    } catch (e) {
      return {outcome: "no-ed25519", title: "Cannot check here", text: "This browser's WebCrypto has no Ed25519 signatures. Use a current Chrome, Edge, Firefox or Safari, or nasams-course verify."};
    }
    if (!ok && record.key_id !== issuer.key_id) return {outcome: "other-issuer", title: "Not valid here: another issuer", text: "This certificate names the issuer " + record.issuer + " (key " + record.key_id + "); this book checks certificates of " + issuer.name + " (key " + issuer.key_id + ")."};
    if (!ok) return {outcome: "tampered", title: "Not valid: the record was changed", text: "The signature does not match the record: something in it (name, hours, date, scope, a level) was changed after signing, or the token was not copied whole. The record as it reads now is below: do not rely on it.", record};
    if (FIELDS.some(([k]) => record[k] === undefined)) return {outcome: "malformed", title: "Not a certificate record", text: "The issuer signed it, but fields are missing."};
    if (revoked.has(record.id)) return {outcome: "revoked", title: "Revoked", text: "The signature is genuine, but it no longer stands. " + revokedText(revoked.get(record.id)), record};
    return {outcome: "valid", title: "Valid certificate", text: "Signed by " + issuer.name + ": the record below is exactly what it signed.", record};
  }

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function value(k, v) {
    if (k === "id" && typeof v === "string") return shown(v);
    if (k === "provisions" && Array.isArray(v)) return v.join(", ");
    if (k === "levels" && v && typeof v === "object") return Object.keys(v).map((d) => (data.domains[d] || d) + ": " + v[d]).join("; ");
    return typeof v === "string" || typeof v === "number" ? String(v) : JSON.stringify(v);
  }
  const KIND = {valid: "tip", revoked: "warning", "code-only": "note"};

  async function run(text) {
    text = text.trim();
    if (!text) return;
    const r = await check(text), box = el("div", undefined, "admonition " + (KIND[r.outcome] || "danger"));
    box.dataset.outcome = r.outcome;
    box.append(el("p", r.title, "admonition-title"), el("p", r.text));
    if (r.record) {
      const dl = el("dl", undefined, "nv-record");
      for (const [k, label] of FIELDS) if (r.record[k] !== undefined) dl.append(el("dt", label), el("dd", value(k, r.record[k])));
      box.append(dl);
    }
    out.replaceChildren(box);
    root.dataset.outcome = r.outcome;
  }

  function fromAddress() {
    const m = location.hash.match(/^#t=(.+)$/);
    if (!m) return;
    try { box.value = decodeURIComponent(m[1]); } catch (e) { box.value = m[1]; }
    run(box.value);
  }
  form.addEventListener("submit", (e) => { e.preventDefault(); run(box.value); });
  window.addEventListener("hashchange", fromAddress);
  root.querySelector("[data-role=issuer]").textContent = issuer ? "This page checks certificates signed by " + issuer.name + " (key id " + issuer.key_id + ")." : "This book publishes no issuer key.";
  fromAddress();
})();
