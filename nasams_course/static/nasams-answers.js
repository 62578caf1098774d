/* NASAMS course, every page: the answers kept in this browser, the answers panel, sidebar marks (README). */
(function (root) {
  "use strict";
  const Q = root.NasamsQuiz, { checkEntry, checkRating, normalize, parseTime, plural } = Q;
  const memory = {}, notices = [], $ = (sel, el) => (el || document).querySelector(sel), data = $("script#nasams-book");
  const book = Q.book = data ? JSON.parse(data.textContent) : null, PREFIX = book && book.prefix;
  let ls = null;
  try { ls = root.localStorage; ls.getItem(PREFIX); } catch (e) { ls = null; }
  const get = (k) => (ls ? ls.getItem(PREFIX + k) : k in memory ? memory[k] : null);
  const put = (k, v) => (ls ? ls.setItem(PREFIX + k, v) : (memory[k] = v));
  const del = (k) => (ls ? ls.removeItem(PREFIX + k) : delete memory[k]);
  const keys = () => (ls ? Object.keys(ls).filter((k) => k.startsWith(PREFIX)).map((k) => k.slice(PREFIX.length)) : Object.keys(memory));
  const answerKeys = () => keys().filter((k) => k.startsWith("q:")).sort();
  const setAside = (k, raw) => {
    try { put("set-aside:" + Date.now() + ":" + k, raw); } catch (e) { /* full: the notice says so */ }
    notices.push("A saved " + (k === "ratings" ? "self-rating" : "answer (" + k.slice(2) + ")") + " could not be read, so it was set aside, not deleted.");
  };
  /* a saved list, oldest first; what fails `check` is set aside */
  function readList(k, field, check) {
    const raw = get(k);
    if (raw === null) return [];
    let list = null;
    try { const v = JSON.parse(raw); list = v && Array.isArray(v[field]) ? v[field] : [v]; } catch (e) { /* set aside whole */ }
    const good = (list || []).filter((t) => { try { check(t); return true; } catch (e) { return false; } });
    if (!list || good.length < list.length) {
      setAside(k, list ? JSON.stringify({ [field]: list.filter((t) => !good.includes(t)) }) : raw);
      try { if (good.length) put(k, JSON.stringify({ [field]: good })); else del(k); } catch (e) { /* kept as it was */ }
    }
    return good.sort((x, y) => parseTime(x.at) - parseTime(y.at));
  }
  /* {question, attempts: [{answer, at, certainty}]} or null */
  function stored(k, q) {
    const list = readList(k, "attempts", (t) => { checkEntry({ ...t, question: k.slice(2), answer: t && t.answer, at: t && t.at }, Infinity); if (q) normalize(q, t.answer); });
    return list.length ? { question: k.slice(2), attempts: list.map((t) => ({ answer: t.answer, at: t.at, certainty: t.certainty || null })) } : null;
  }
  const allStored = () => answerKeys().map((k) => stored(k)).filter(Boolean);
  const ratings = () => readList("ratings", "ratings", (r) => checkRating(r, Infinity));
  /* for the profile: at in ms, seq in saved order */
  const saved = () => { let seq = 0; return allStored().flatMap((s) => s.attempts.map((t) => ({ question: s.question, ...t, at: parseTime(t.at), seq: seq++ }))); };
  const savedRatings = () => ratings().map((r, seq) => ({ ...r, at: parseTime(r.at), seq }));
  const changed = (external) => document.dispatchEvent(new CustomEvent("nasams-answers-changed", { detail: { external } }));
  Object.assign(Q, { stored, saved, savedRatings, ratingsSaved: ratings, changed, store: { get, put, del, answerKeys, allStored } });

  const base = document.documentElement.dataset.content_root || "";

  /* the panel */
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
    root.addEventListener("beforeprint", () => { const n = name(), [a, b] = $("[data-role=print-id]", p).children; a.textContent = n; b.textContent = n || $(".nq-result:not([hidden])") ? new Date().toDateString() : ""; });
    /* the buttons' code loads on first use */
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
  async function warnIfNotKept() {
    let why = ls ? "" : "This browser does not keep answers for this page.";
    try {
      const e = await navigator.storage.estimate(), heap = performance.memory && performance.memory.jsHeapSizeLimit;
      if (heap && e.quota < 2 * heap) why = "This looks like a private window: its answers are lost when it closes.";
    } catch (e) { /* no estimate */ }
    if (!why || !panel) return;
    const w = $("[data-role=storage-warning]", panel);
    w.textContent = why + " Download your answers before you leave, and import them in a normal window.";
    w.hidden = false;
  }

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
    root.addEventListener("storage", () => changed(true));
    if (notices.length) say("");
    warnIfNotKept();
  }
  if (document.readyState === "complete") init(); else document.addEventListener("DOMContentLoaded", init);
})(window);
