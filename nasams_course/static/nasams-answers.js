/* NASAMS course, every page: the answers kept in this browser (a key per question, every attempt; self-ratings),
   the answers panel (its buttons load nasams-files.js), storage warnings, sidebar marks. */
(function (root) {
  "use strict";
  const Q = root.NasamsQuiz, { checkEntry, checkRating, normalize, parseTime, plural } = Q;
  const memory = {}, notices = [], $ = (sel, el) => (el || document).querySelector(sel);
  /* the book's data, with the prefix of its keys in storage: a session book's is its own (sphinx_ext.py) */
  const book = Q.book = $("script#nasams-book") ? JSON.parse($("script#nasams-book").textContent) : null, PREFIX = book && book.prefix;
  let ls = null;
  /* detected by reading: a full store still holds answers */
  try { ls = root.localStorage; ls.getItem(PREFIX + "learner"); } catch (e) {
    ls = null;
    notices.push("This browser does not let the page save answers: download them before you leave.");
  }
  const get = (k) => (ls ? ls.getItem(PREFIX + k) : k in memory ? memory[k] : null);
  const put = (k, v) => (ls ? ls.setItem(PREFIX + k, v) : (memory[k] = v));
  const del = (k) => (ls ? ls.removeItem(PREFIX + k) : delete memory[k]);
  const keys = () => (ls ? Object.keys(ls).filter((k) => k.startsWith(PREFIX)).map((k) => k.slice(PREFIX.length)) : Object.keys(memory));
  const answerKeys = () => keys().filter((k) => k.startsWith("q:")).sort();
  const FULL = "This browser's storage for the book is full, so this was not saved: download your answers now.";
  const setAside = (k, raw) => {
    try { put("set-aside:" + Date.now() + ":" + k, raw); } catch (e) { /* full: the notice still says what happened */ }
    notices.push("A saved " + (k === "ratings" ? "self-rating" : "answer (" + k.slice(2) + ")") + " could not be read, so it was set aside, not deleted.");
  };
  /* A saved list, oldest first; an item failing `check` is set aside with a notice. Old {answer, at} = one attempt. */
  function readList(k, field, check) {
    const raw = get(k);
    if (raw === null) return [];
    let list;
    try { const v = JSON.parse(raw); list = v && Array.isArray(v[field]) ? v[field] : [v]; } catch (e) { list = null; }
    if (!list) { setAside(k, raw); del(k); return []; }
    const good = list.filter((t) => { try { check(t); return true; } catch (e) { return false; } });
    if (good.length < list.length) {
      setAside(k, JSON.stringify({ [field]: list.filter((t) => !good.includes(t)) }));
      try { if (good.length) put(k, JSON.stringify({ [field]: good })); else del(k); } catch (e) { /* kept as it was */ }
    }
    return good.sort((x, y) => parseTime(x.at) - parseTime(y.at));
  }
  /* A question's saved attempts ({question, attempts: [{answer, at, certainty}]}) or null; with q, checked against it. */
  function stored(k, q) {
    const list = readList(k, "attempts", (t) => { checkEntry({ ...t, question: k.slice(2), answer: t && t.answer, at: t && t.at }, Infinity); if (q) normalize(q, t.answer); });
    return list.length ? { question: k.slice(2), attempts: list.map((t) => ({ answer: t.answer, at: t.at, certainty: t.certainty || null })) } : null;
  }
  const allStored = () => answerKeys().map((k) => stored(k)).filter(Boolean);
  const ratings = () => readList("ratings", "ratings", (r) => checkRating(r, Infinity));
  /* every saved attempt and self-rating, for the progress page (at in ms, seq in saved order) */
  const saved = () => { let seq = 0; return [].concat(...allStored().map((s) => s.attempts.map((t) => ({ question: s.question, answer: t.answer, at: parseTime(t.at), seq: seq++, certainty: t.certainty })))); };
  const savedRatings = () => ratings().map((r, seq) => ({ ...r, at: parseTime(r.at), seq }));
  /* answers changed; `external`: not by this page's Submit */
  const changed = (external) => document.dispatchEvent(new CustomEvent("nasams-answers-changed", { detail: { external } }));
  Object.assign(Q, { stored, saved, savedRatings, ratingsSaved: ratings, changed, FULL, store: { get, put, del, answerKeys, allStored } });

  const base = document.documentElement.dataset.content_root || "";

  /* ---- the answers panel ---- */
  let panel = null;
  const say = (msg) => { if (panel) $("[data-role=panel-status]", panel).textContent = [msg].concat(notices.splice(0)).join(" ").trim(); };
  const name = () => $("#nasams-learner", panel).value.trim();
  Q.panel = () => ({ say, name });
  function counts() {
    if (!panel) return;
    const forms = [...document.querySelectorAll("form.nasams-quiz")], here = forms.filter((f) => get("q:" + f.dataset.question) !== null).length;
    $("[data-role=count]", panel).textContent = plural(answerKeys().length, "answer") + " saved in this browser" + (forms.length ? ", " + here + " of " + forms.length + " on this page." : ".");
  }
  function wirePanel(p) {
    panel = p;
    p.hidden = false;
    const box = $("#nasams-learner", p);
    box.value = get("learner") || "";
    box.addEventListener("input", () => { try { put("learner", name()); } catch (e) { /* full: kept on the page */ } });
    /* printed: the name; the date if named or answered */
    root.addEventListener("beforeprint", () => { const n = name(), [a, b] = $("[data-role=print-id]", p).children; a.textContent = n; b.textContent = n || $(".nq-result:not([hidden])") ? new Date().toDateString() : ""; });
    /* the buttons' code (nasams-save.js, nasams-files.js) is loaded when first needed */
    const act = (fn, arg) => {
      if (Q.files) return Q.files[fn](arg);
      const s = document.createElement("script"), need = Q.addAttempts ? "files" : "addAttempts";
      s.src = base + "_static/nasams-" + (Q.addAttempts ? "files" : "save") + ".js";
      s.onerror = () => say("The page could not load its code for files (" + s.src + "): nothing was changed.");
      s.onload = () => (Q[need] ? act(fn, arg) : s.onerror());
      document.head.append(s);
    };
    $("[data-action=download]", p).addEventListener("click", () => act("download"));
    $("[data-action=clear]", p).addEventListener("click", () => act("clearAll"));
    $("#nasams-import", p).addEventListener("change", (ev) => act("preview", ev.target));
  }
  /* a private window (or blocked or full storage) loses answers when it closes: say so, once per page */
  async function warnIfNotKept() {
    let why = ls ? "" : "This browser does not keep answers for this page.";
    try {
      const e = await navigator.storage.estimate(), heap = performance.memory && performance.memory.jsHeapSizeLimit;
      if (heap && e.quota < 2 * heap) why = "This looks like a private window: its answers are lost when it closes.";
    } catch (e) { /* no estimate: nothing to say */ }
    if (!why || !panel) return;
    const w = $("[data-role=storage-warning]", panel);
    w.textContent = why + " Download your answers before you leave, and import them in a normal window.";
    w.hidden = false;
  }

  /* ---- every page: chapter marks in the sidebar (nasams-start.js: the home page's Start or Continue) ---- */
  const url = Q.url = (path) => new URL(base + path, location.href).href;
  function marks() {
    if (!book) return;
    const done = new Set(answerKeys().map((k) => k.slice(2))), finished = new Map(book.chapters.map((c) => [url(c.path), c.questions.every((q) => done.has(q))]));
    document.querySelectorAll(".bd-sidenav a.reference.internal").forEach((a) => {
      const ok = finished.get(a.href.split("#")[0]);
      let m = $(".nasams-done", a);
      if (ok && !m) { m = document.createElement("span"); m.className = "nasams-done"; m.innerHTML = ' <span aria-hidden="true">✓</span><span class="nq-sr">(every question answered)</span>'; a.append(m); }
      if (!ok && m) m.remove();
    });
  }

  function init() {
    const p = $(".nasams-answers");
    if (p) wirePanel(p);
    const refresh = () => { counts(); marks(); };
    refresh();
    document.addEventListener("nasams-answers-changed", refresh);
    /* another tab saved an answer: show it here too */
    root.addEventListener("storage", () => changed(true));
    if (notices.length) say("");
    warnIfNotKept();
  }
  /* after the page's other scripts (quizzes, progress) have run, so their notices are shown */
  if (document.readyState === "complete") init(); else document.addEventListener("DOMContentLoaded", init);
})(window);
