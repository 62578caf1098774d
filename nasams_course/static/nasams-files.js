/* NASAMS course: reading whole response files, with the rules and messages of nasams_course/responses.py (held to them
   by golden fixtures); the answers panel's buttons: download, import of several files with a preview and undo, clear.
   Needs nasams-grader.js; nasams-answers.js loads it when a button is first used. */
(function (root) {
  "use strict";
  const node = typeof module === "object" && module.exports;
  const Q = node ? require("./nasams-grader.js") : root.NasamsQuiz;
  const { checkEntry, checkRating, fail, MAX_ENTRIES, SCHEMA } = Q, MAX_BYTES = 5 * 1024 * 1024, MAX_DEPTH = 8, MAX_LEARNER = 200;
  const depth = (v, n) => (v && typeof v === "object" ? (n > 0 ? 1 + Math.max(0, ...Object.values(v).map((c) => depth(c, n - 1))) : 1) : 0);
  /* A decoded file -> {learner, entries: [{question, answer, at, certainty}], problems: ["responses[i]: …"],
     ratings: [{provision, stage, rating, at}]}, or throws. */
  function checkFile(d, now) {
    now = now === undefined ? Date.now() : now;
    if (depth(d, MAX_DEPTH + 1) > MAX_DEPTH) fail("the file is nested too deeply (more than " + MAX_DEPTH + " levels)");
    if (!d || typeof d !== "object" || Array.isArray(d)) fail("expected a JSON object with 'schema', 'learner' and 'responses'");
    const m = /^nasams-course\/responses@(\d+)$/.exec(typeof d.schema === "string" ? d.schema : "");
    if (!m || !(+m[1] === 1 || +m[1] === 2)) fail(m && +m[1] > 2 ? "schema '" + d.schema + "' is newer than this course reads (" + SCHEMA + "); update the course" : "not a NASAMS course response file (schema must be '" + SCHEMA + "')");
    if (typeof d.learner !== "string") fail("'learner' must be a string");
    if (d.learner.length > MAX_LEARNER) fail("'learner' is longer than " + MAX_LEARNER + " characters");
    if (!Array.isArray(d.responses)) fail("'responses' must be a list");
    if (d.responses.length > MAX_ENTRIES) fail("more than 20,000 responses");
    const sr = d.self_ratings === undefined ? [] : d.self_ratings;
    if (!Array.isArray(sr)) fail("'self_ratings' must be a list");
    if (sr.length > MAX_ENTRIES) fail("more than 20,000 self-ratings");
    if ("session" in d && !(typeof d.session === "string" && /^[a-z0-9][a-z0-9-]{0,79}$/.test(d.session))) fail("'session' must be a session id (lower-case letters, digits and hyphens)");
    const out = { learner: d.learner, entries: [], problems: [], ratings: [], ...("session" in d && { session: d.session }) };
    const each = (list, name, check, into) => list.forEach((e, i) => { try { into.push(check(e, now)); } catch (x) { out.problems.push(name + "[" + i + "]: " + x.message); } });
    each(d.responses, "responses", checkEntry, out.entries);
    each(sr, "self_ratings", checkRating, out.ratings);
    return out;
  }
  /* Bytes -> JSON value, as responses.decode (UTF-8, a byte-order mark allowed; size limit). */
  function decode(bytes) {
    if (bytes.byteLength > MAX_BYTES) fail("the file is larger than 5 MB");
    let text;
    try { text = new TextDecoder("utf-8", { fatal: true }).decode(bytes); } catch (e) { fail("not valid JSON (the file is not UTF-8 text)"); }
    try { return JSON.parse(text); } catch (e) { fail(e instanceof RangeError ? "the file is nested too deeply (more than " + MAX_DEPTH + " levels)" : "not valid JSON (" + e.message + ")"); }
  }


  Object.assign(Q, { checkFile, decode });
  if (node) { module.exports = Q; return; }
  // Stryker disable all: the rest runs only in a page (the answers panel), tested in the browser (tests/browser)

  /* ---- importing: nothing is saved until the learner confirms, nothing saved is ever replaced ---- */
  const { normalize, parseTime, plural, stored, addAttempts, addRatings, ratingsSaved, changed, store, FULL, attemptId, ratingId } = Q;
  const { get, put, del, answerKeys, allStored } = store, { clean } = Q, panel = document.querySelector(".nasams-answers"), $ = (sel) => panel.querySelector(sel);
  const { say, name } = Q.panel();
  let plan = null, undo = null;
  const showPlan = (on) => { $("[data-role=import-plan]").hidden = !on; };
  /* Read the chosen files and show what importing them would add: nothing is saved until the learner confirms. */
  async function preview(input) {
    const files = [...input.files], known = Q.known || new Map();
    input.value = "";
    if (!files.length) return;
    const byQ = new Map(), problems = [], refused = [], learners = new Set(), rs = [];
    for (const f of files) {
      let file;
      try { file = checkFile(decode(await f.arrayBuffer())); } catch (e) { refused.push(f.name + ": " + (e.refused ? e.message : "the file could not be read")); continue; }
      if (file.learner.trim()) learners.add(file.learner.trim());
      file.problems.forEach((p) => problems.push(f.name + ": " + p));
      file.entries.forEach((e, i) => {
        const q = known.get(e.question);
        try { if (q) normalize(q, e.answer); } catch (x) { return problems.push(f.name + ": entry " + (i + 1) + " (" + e.question + "): " + x.message); }
        if (!byQ.has(e.question)) byQ.set(e.question, []);
        byQ.get(e.question).push({ answer: e.answer, at: new Date(e.at).toISOString(), certainty: e.certainty });
      });
      /* a provision the catalog does not know is skipped, as nasams_course/responses.py reports it */
      file.ratings.forEach((r) => (Q.book && !Q.book.provisions.includes(r.provision) ? problems.push(f.name + ": self-rating (" + r.provision + "): unknown provision")
        : rs.push({ ...r, at: new Date(r.at).toISOString() })));
    }
    /* what is new: questions not answered here, attempts added to answered ones, and attempts at the same time as a
       saved one with another answer (both are kept: a conflict is reported, never resolved by dropping one) */
    let fresh = 0, added = 0, conflicts = 0;
    byQ.forEach((list, qid) => {
      const s = stored("q:" + qid), have = s ? s.attempts : [], ids = new Set(have.map(attemptId)), times = new Set(have.map((t) => t.at));
      const mine = list.filter((t) => !ids.has(attemptId(t)) && ids.add(attemptId(t)));
      if (!mine.length) return;
      if (s) added += mine.length; else fresh++;
      conflicts += mine.filter((t) => times.has(t.at)).length;
    });
    const have = new Set(ratingsSaved().map(ratingId)), newRatings = rs.filter((r) => !have.has(ratingId(r)) && have.add(ratingId(r))).length;
    const skipped = (refused.length ? " Not read: " + refused.join("; ") + ". Nothing from " + (refused.length === 1 ? "that file" : "those files") + " is imported." : "") +
      (problems.length ? " Skipped " + (problems.length === 1 ? "1 entry" : problems.length + " entries") + ": " + problems.slice(0, 3).join("; ") + (problems.length > 3 ? "; …" : "") + "." : "");
    const mineName = name(), others = [...learners].filter((l) => l !== mineName);
    plan = fresh + added + newRatings ? { byQ, rs } : null;
    showPlan(!!plan);
    const from = plural(files.length - refused.length, "file") + (learners.size ? " (" + [...learners].join(", ") + ")" : "");
    if (!plan) return say((refused.length === files.length ? "Not imported." : "Nothing new to import from " + from + ": every readable attempt is already saved here.") + skipped + " Your saved answers are unchanged.");
    say("Ready to import from " + from + ": " +
      fresh + " new, " + plural(added, "attempt") + " added, " + plural(conflicts, "conflict") + (newRatings ? ", " + plural(newRatings, "self-rating") : "") +
      ". Nothing saved here is replaced." + (mineName && others.length ? " This file is " + others.join(", ") + "'s, not yours (" + mineName + ")." : "") + skipped +
      " Press Add to my answers to import, or Cancel.");
    $("[data-action=apply]").focus();
  }
  function apply() {
    if (!plan) return;
    const before = new Map([...plan.byQ.keys()].map((qid) => ["q:" + qid, get("q:" + qid)]).concat([["ratings", get("ratings")]]));
    let n = 0, full = false;
    try { for (const [qid, list] of plan.byQ) n += addAttempts(qid, list); n += addRatings(plan.rs); } catch (e) { full = true; }
    plan = null;
    showPlan(false);
    undo = before;
    $("[data-action=undo]").hidden = false;
    changed(true);
    say("Imported " + plural(n, "new item") + ", added to your saved answers; nothing was replaced." + (full ? " " + FULL : ""));
  }
  function cancel() { plan = null; showPlan(false); say("Nothing was imported."); }
  function undoImport() {
    if (!undo) return;
    undo.forEach((raw, k) => { if (raw === null) del(k); else put(k, raw); });
    undo = null;
    $("[data-action=undo]").hidden = true;
    changed(true);
    say("The import was undone: your saved answers are as they were before it.");
  }
  function download() {
    if (!name()) { $("#nasams-learner").focus(); return say("Enter your name first: the file says whose answers these are."); }
    /* from a session book: its session's id and answers only */
    const S = (Q.book || {}).session, mine = new Set(S ? [].concat(...Q.book.chapters.map((c) => c.questions)) : []);
    const list = allStored().filter((s) => !S || mine.has(s.question)), sr = ratingsSaved();
    const entries = [].concat(...list.map((s) => s.attempts.map((t) => ({ question: s.question, ...clean(t) }))));
    entries.sort((x, y) => parseTime(x.at) - parseTime(y.at));
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([JSON.stringify({ schema: SCHEMA, learner: name(), session: S, responses: entries, self_ratings: sr }, null, 2) + "\n"], { type: "application/json" }));
    a.download = "nasams-responses-" + (S ? S + "-" : "") + name().replace(/[^A-Za-z0-9]+/g, "-") + ".json";
    document.body.append(a);
    a.click();
    a.remove();
    say("Downloaded " + plural(list.length, "answered question") + " (" + plural(entries.length, "attempt") + ")" + (sr.length ? " and " + plural(sr.length, "self-rating") : "") + ".");
  }
  /* on a chapter page: this page's answers and self-ratings; on the progress page and the home page: everything */
  function clearAll() {
    const here = $("[data-action=clear]").dataset.scope === "chapter", all = (sel) => [...document.querySelectorAll(sel)];
    if (!root.confirm(here ? "Clear your answers and self-ratings on this chapter page? Other chapters keep theirs. Download them first to keep them."
      : "Clear every answer saved in this browser? Download them first to keep them.")) return;
    if (!here) answerKeys().concat(["ratings"]).forEach(del);
    else {
      all("form.nasams-quiz").forEach((f) => del("q:" + f.dataset.question));
      const mine = new Set(all("form.nasams-self-rating [data-provision]").map((f) => f.dataset.provision)), kept = ratingsSaved().filter((r) => !mine.has(r.provision));
      if (kept.length) put("ratings", JSON.stringify({ ratings: kept })); else del("ratings");
    }
    changed(true);
    say(here ? "This chapter's answers were cleared; the other chapters' are kept." : "Your saved answers were cleared.");
  }
  $("[data-action=apply]").addEventListener("click", apply);
  $("[data-action=cancel]").addEventListener("click", cancel);
  $("[data-action=undo]").addEventListener("click", undoImport);
  Q.files = { preview, download, clearAll };
})(typeof window !== "undefined" ? window : globalThis);
