/* NASAMS course quizzes: grades as nasams_course.grading does (held to it by golden fixtures and parity
   tests), keeps answers in this browser, exports and imports response files. */
(function (root) {
  "use strict";
  const SCHEMA = "nasams-course/responses@2", PREFIX = "nasams-course:nasams-ethics:";
  const LEVELS = [["Mastery", 0.85], ["Proficient", 0.7], ["Developing", 0.5], ["Beginning", 0]];
  const levelFor = (s) => (LEVELS.find((l) => s >= l[1] - 1e-9) || LEVELS[3])[0];
  const opt = (q, id) => q.options.find((o) => o.id === id);
  const isList = (a) => Array.isArray(a) && a.every((x) => typeof x === "string");
  const plural = (n, w) => n + " " + w + (n === 1 ? "" : "s");

  /* The answer checked against its question: itself, null when empty; throws on a wrong shape, with the message of
     nasams_course.grading.normalize_answer. */
  function normalize(q, a) {
    const fail = (m) => { throw new Error(m); }, ids = q.options.map((o) => o.id);
    const type = (v) => (Array.isArray(v) ? "list" : typeof v === "object" ? "dict" : typeof v === "boolean" ? "bool" : typeof v === "number" ? (Number.isInteger(v) ? "int" : "float") : "str");
    const known = (id) => { if (!opt(q, id)) fail("unknown option '" + id + "' (options: " + ids.join(", ") + ")"); };
    if (a === null || a === undefined) return null;
    if (q.kind === "single") {
      if (a === "") return null;
      if (typeof a !== "string") fail("a single question takes one option id, got " + type(a));
      known(a);
      return a;
    }
    if (q.kind === "multi" || q.kind === "order") {
      if (!isList(a)) fail("a " + q.kind + " question takes a list of option ids");
      a.forEach(known);
      if (new Set(a).size !== a.length) fail("an option id is listed twice");
      return a.length ? a : null;
    }
    if (!a || typeof a !== "object" || Array.isArray(a)) fail("a rate question takes {option id: rating 1-4}");
    Object.keys(a).forEach((id) => { known(id); if (![1, 2, 3, 4].includes(a[id])) fail("rating of '" + id + "' must be 1, 2, 3 or 4, got " + JSON.stringify(a[id])); });
    return Object.keys(a).length ? a : null;
  }

  /* Kendall's tau of a placed sequence against the key; a pair with a missing step is discordant. */
  function tau(placed, key) {
    const n = key.length, pairs = n * (n - 1) / 2;
    let agree = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
      const pi = placed.indexOf(key[i]), pj = placed.indexOf(key[j]);
      if (pi >= 0 && pj >= 0 && pi < pj) agree++;
    }
    return pairs ? (2 * agree - pairs) / pairs : 1;
  }

  function scoreItem(q, answer) {
    const a = normalize(q, answer), r = { question: q.id, score: 0, critical: false, unanswered: a === null, violations: [], breached: [] };
    if (a === null) return r;
    const on = (o) => (q.kind === "single" ? a === o.id : a.includes(o.id));
    if (q.kind === "single") r.score = opt(q, a).credit;
    else if (q.kind === "multi") {
      let right = 0, wrong = 0, hits = 0, false_ = 0;
      q.options.forEach((o) => { if (o.correct) { right++; hits += on(o) ? 1 : 0; } else { wrong++; false_ += on(o) ? 1 : 0; } });
      r.score = Math.max(0, (right ? hits / right : 0) - (wrong ? false_ / wrong : 0));
    } else if (q.kind === "rate") {
      let total = 0;
      q.options.forEach((o) => { total += o.id in a ? Math.abs(a[o.id] - o.key) : 3; });
      r.score = 1 - total / (3 * q.options.length);
    } else r.score = Math.max(0, tau(a, q.key));
    if (q.kind !== "order") r.violations = q.options.filter((o) => o.violation && (q.kind === "rate" ? (a[o.id] || 0) >= 3 : on(o))).map((o) => o.id);
    r.violations.forEach((id) => opt(q, id).violation.forEach((p) => { if (!r.breached.includes(p)) r.breached.push(p); }));
    r.critical = r.violations.length > 0;
    return r;
  }

  const mean = (v) => { let t = 0; for (const x of v) t += x; return t / v.length; };
  const later = (t, c) => t.at > c.at || (t.at === c.at && t.seq >= c.seq);

  /* questions in bank order; attempts [{question, answer, at (ms), seq}]; catalog {provisions: [[id, domain]], domains}.
     The latest attempt of each question counts; the first attempt is reported beside it. */
  function grade(questions, attempts, catalog) {
    const last = new Map(), first = new Map(), byId = new Map(questions.map((q) => [q.id, q]));
    attempts.forEach((t) => {
      const c = last.get(t.question), f = first.get(t.question);
      if (!c || later(t, c)) last.set(t.question, t);
      if (!f || !later(t, f)) first.set(t.question, t);
    });
    const items = [...last.values()].map((t) => scoreItem(byId.get(t.question), t.answer));
    const firsts = new Map([...first.values()].map((t) => [t.question, scoreItem(byId.get(t.question), t.answer)]));
    const res = new Map(items.map((i) => [i.question, i]));
    const provs = [];
    for (const [pid, domain] of catalog.provisions) {
      const assessed = questions.filter((q) => q.provisions.includes(pid));
      if (!assessed.length) continue;
      const got = assessed.map((q) => res.get(q.id)).filter((i) => i && !i.unanswered);
      const fst = assessed.map((q) => firsts.get(q.id)).filter((i) => i && !i.unanswered);
      const s = got.length ? mean(got.map((g) => g.score)) : null, crit = got.some((g) => g.breached.includes(pid));
      provs.push({ id: pid, domain, score: s, first_score: fst.length ? mean(fst.map((g) => g.score)) : null,
        level: s === null ? null : crit ? "Beginning" : levelFor(s), critical: crit, answered: got.length });
    }
    const doms = [];
    for (const d of catalog.domains) {
      const mine = provs.filter((p) => p.domain === d);
      if (!mine.length) continue;
      const sc = mine.filter((p) => p.score !== null).map((p) => p.score), s = sc.length ? mean(sc) : null;
      doms.push({ id: d, score: s, level: s === null ? null : levelFor(s) });
    }
    const complete = provs.length > 0 && provs.every((p) => p.score !== null && !p.critical) && doms.every((d) => ["Mastery", "Proficient"].includes(d.level));
    const overall = (k) => { const v = provs.filter((p) => p[k] !== null).map((p) => p[k]); return v.length ? mean(v) : null; };
    const score = overall("score"), firstScore = overall("first_score");
    provs.forEach((p) => delete p.domain);
    return {
      items: items.map(({ question, score, critical, unanswered, breached }) => ({ question, score, critical, unanswered, breached,
        first_score: firsts.get(question).score, first_critical: firsts.get(question).critical })),
      provisions: provs, domains: doms, score, first_score: firstScore, complete };
  }

  /* ---- response files: the same rules and messages as nasams_course/responses.py ---- */
  const ID = /^[a-z0-9][a-z0-9-]{0,79}$/, MAX_BYTES = 5 * 1024 * 1024, MAX_ENTRIES = 20000, MAX_DEPTH = 8, MAX_LEARNER = 200;
  const TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?$/;
  /* ISO-8601 date-time -> ms since the epoch, NaN if not one: YYYY-MM-DDTHH:MM[:SS[.mmm]][Z|+HH:MM], no offset = UTC */
  function parseTime(s) {
    const m = typeof s === "string" ? TIME.exec(s) : null;
    if (!m) return NaN;
    const [y, mo, d, h, mi] = [1, 2, 3, 4, 5].map((i) => +m[i]), sec = +(m[6] || 0), ms = +(m[7] || "0").padEnd(3, "0");
    let off = 0;
    if (m[8] && m[8] !== "Z") {
      const t = m[8].slice(1).replace(":", ""), oh = +t.slice(0, 2), om = +t.slice(2);
      if (oh > 23 || om > 59) return NaN;
      off = (m[8][0] === "-" ? -1 : 1) * (oh * 60 + om);
    }
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate() || h > 23 || mi > 59 || sec > 59) return NaN;
    return Date.UTC(y, mo - 1, d, h, mi, sec) - off * 60000 + ms;
  }
  const depth = (v, n) => (v && typeof v === "object" ? (n > 0 ? 1 + Math.max(0, ...Object.values(v).map((c) => depth(c, n - 1))) : 1) : 0);
  const shapeOk = (a) => (typeof a === "string" ? ID.test(a) : Array.isArray(a) ? a.every((x) => typeof x === "string" && ID.test(x))
    : !!a && typeof a === "object" && Object.keys(a).every((k) => ID.test(k) && [1, 2, 3, 4].includes(a[k])));
  const empty = (a) => a === null || a === "" || (Array.isArray(a) ? !a.length : typeof a === "object" && !Object.keys(a).length);
  const fail = (msg) => { const e = new Error(msg); e.refused = true; throw e; };
  /* One entry's shape -> {question, answer, at (ms)}; throws with the message. */
  function checkEntry(e, now) {
    if (!e || typeof e !== "object" || Array.isArray(e) || !("question" in e && "answer" in e && "at" in e)) fail("expected an object with 'question', 'answer' and 'at'");
    if (typeof e.question !== "string" || !ID.test(e.question)) fail("'question' must be a question id");
    const at = parseTime(e.at);
    if (typeof e.at !== "string") fail("'at' must be an ISO-8601 date-time string");
    if (isNaN(at)) fail("'at' is not an ISO-8601 date-time (YYYY-MM-DDTHH:MM:SSZ)");
    if (at > now + 864e5) fail("'at' is in the future");
    if (empty(e.answer)) fail("the answer is empty");
    if (!shapeOk(e.answer)) fail("the answer must be an option id, a list of option ids, or {option id: rating 1-4}");
    return { question: e.question, answer: e.answer, at };
  }
  /* A decoded file -> {learner, entries: [{question, answer, at}], problems: ["responses[i]: …"]}, or throws. */
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
    const out = { learner: d.learner, entries: [], problems: [] };
    d.responses.forEach((e, i) => { try { out.entries.push(checkEntry(e, now)); } catch (x) { out.problems.push("responses[" + i + "]: " + x.message); } });
    return out;
  }
  /* Bytes -> JSON value, as responses.decode (UTF-8, a byte-order mark allowed; size limit). */
  function decode(bytes) {
    if (bytes.byteLength > MAX_BYTES) fail("the file is larger than 5 MB");
    let text;
    try { text = new TextDecoder("utf-8", { fatal: true }).decode(bytes); } catch (e) { fail("not valid JSON (the file is not UTF-8 text)"); }
    try { return JSON.parse(text); } catch (e) { fail(e instanceof RangeError ? "the file is nested too deeply (more than " + MAX_DEPTH + " levels)" : "not valid JSON (" + e.message + ")"); }
  }

  const api = { levelFor, normalize, scoreItem, tau, grade, checkFile, checkEntry, decode, parseTime, SCHEMA };
  if (typeof module === "object" && module.exports) module.exports = api;
  root.NasamsQuiz = api;
  if (typeof document === "undefined") return;

  /* ---- the page: storage (a key per question), quizzes, the answers panel ---- */
  const memory = {}, notices = [];
  let ls = null;
  /* storage is detected by reading: a full store still holds answers */
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
  const setAside = (k, raw, why) => {
    try { put("set-aside:" + Date.now() + ":" + k, raw); } catch (e) { /* full: the notice still says what happened */ }
    notices.push("A saved answer (" + k.slice(2) + ") " + why + ", so it was set aside, not deleted.");
  };
  /* A question's saved attempts, oldest first ({question, attempts: [{answer, at}]}), or null. An unreadable attempt (or,
     with q, one that does not fit q) is set aside with a notice; the others are kept. Old records ({answer, at}) read as one. */
  function stored(k, q) {
    const raw = get(k);
    if (raw === null) return null;
    let list;
    try { const v = JSON.parse(raw); list = v && Array.isArray(v.attempts) ? v.attempts : [v]; } catch (e) { list = null; }
    if (!list) { setAside(k, raw, "could not be read"); del(k); return null; }
    const good = list.filter((t) => {
      try { checkEntry({ question: k.slice(2), answer: t && t.answer, at: t && t.at }, Infinity); if (q) normalize(q, t.answer); return true; } catch (e) { return false; }
    });
    if (good.length < list.length) {
      setAside(k, JSON.stringify({ attempts: list.filter((t) => !good.includes(t)) }), "could not be read");
      try { if (good.length) put(k, JSON.stringify({ attempts: good })); else del(k); } catch (e) { /* kept as it was */ }
    }
    if (!good.length) return null;
    good.sort((x, y) => parseTime(x.at) - parseTime(y.at));
    return { question: k.slice(2), attempts: good.map((t) => ({ answer: t.answer, at: t.at })) };
  }
  const allStored = () => answerKeys().map((k) => stored(k)).filter(Boolean);
  /* every saved attempt, for the progress page */
  api.saved = () => { let seq = 0; return [].concat(...allStored().map((s) => s.attempts.map((t) => ({ question: s.question, answer: t.answer, at: parseTime(t.at), seq: seq++ })))); };
  const lastOf = (s) => s.attempts[s.attempts.length - 1];
  /* Add attempts to a question's record, skipping any already there; returns how many were new. Throws when storage is full. */
  function addAttempts(qid, list) {
    const cur = stored("q:" + qid), all = cur ? cur.attempts : [], seen = new Set(all.map((t) => t.at + JSON.stringify(t.answer)));
    let n = 0;
    list.forEach((t) => { const id = t.at + JSON.stringify(t.answer); if (!seen.has(id)) { seen.add(id); all.push({ answer: t.answer, at: t.at }); n++; } });
    all.sort((x, y) => parseTime(x.at) - parseTime(y.at));
    if (n) put("q:" + qid, JSON.stringify({ attempts: all }));
    return n;
  }

  const pct = (s) => Math.floor(s * 100 + 0.5 + 1e-9) + "%";

  class Quiz {
    constructor(form) {
      this.form = form;
      this.q = JSON.parse(form.querySelector("script.nq-data").textContent);
      this.status = form.querySelector("[data-role=status]");
      this.result = form.querySelector("[data-role=result]");
      form.addEventListener("submit", (ev) => { ev.preventDefault(); this.submit(); });
      form.addEventListener("click", (ev) => { const b = ev.target.closest("button[data-move]"); if (b) this.move(b.closest("li"), +b.dataset.move, b.className); });
      this.refresh();
    }
    $$(sel) { return [...this.form.querySelectorAll(sel)]; }
    answer() {
      const k = this.q.kind, checked = this.$$("input:checked");
      if (k === "single") return checked.length ? checked[0].value : null;
      if (k === "multi") return checked.length ? checked.map((i) => i.value) : null;
      if (k === "rate") return checked.length ? Object.fromEntries(checked.map((i) => [i.closest("fieldset").dataset.option, +i.value])) : null;
      return this.$$(".nq-step").map((li) => li.dataset.option);
    }
    show(a) {
      const q = this.q, f = this.form;
      this.$$("input").forEach((i) => { i.checked = false; });
      const tick = (sel) => { const i = f.querySelector(sel); if (i) i.checked = true; };
      if (q.kind === "single" || q.kind === "multi") [].concat(a).forEach((id) => tick("input[value='" + id + "']"));
      else if (q.kind === "rate") Object.keys(a).forEach((id) => tick("[data-option='" + id + "'] input[value='" + a[id] + "']"));
      else { const ol = f.querySelector(".nq-steps"); a.forEach((id) => ol.append(f.querySelector(".nq-step[data-option='" + id + "']"))); this.relabel(); }
    }
    relabel() {
      const lis = this.$$(".nq-step"), n = lis.length;
      lis.forEach((li, i) => {
        li.querySelector(".nq-up").disabled = i === 0;
        li.querySelector(".nq-down").disabled = i === n - 1;
        li.querySelectorAll(".nq-sr").forEach((s) => { s.textContent = " (step " + (i + 1) + " of " + n + ")"; });
      });
    }
    move(li, d, cls) {
      const sib = d < 0 ? li.previousElementSibling : li.nextElementSibling;
      if (!sib) return;
      if (d < 0) sib.before(li); else sib.after(li);
      this.relabel();
      const b = li.querySelector("." + cls);
      (b.disabled ? li.querySelector(cls === "nq-up" ? ".nq-down" : ".nq-up") : b).focus();
      this.status.textContent = "Moved to step " + ([...li.parentNode.children].indexOf(li) + 1) + " of " + li.parentNode.children.length + ".";
    }
    submit() {
      const a = this.answer();
      if (a === null) { this.status.textContent = this.form.dataset.empty; return; }
      this.status.textContent = "";
      let saved = true;
      try { addAttempts(this.q.id, [{ answer: a, at: new Date().toISOString() }]); } catch (e) { saved = false; }
      this.render(a, false);
      if (!saved) this.status.textContent = FULL;
      counts();
    }
    refresh() {
      const s = stored("q:" + this.q.id, this.q);
      this.result.hidden = true;
      if (s) { this.show(lastOf(s).answer); this.render(lastOf(s).answer, true); }
    }
    render(a, restored) {
      const q = this.q, r = scoreItem(q, a), box = this.result, crit = box.querySelector(".nq-critical");
      box.querySelector("[data-role=score]").textContent = pct(r.score);
      box.querySelector("[data-role=level]").textContent = levelFor(r.score);
      const s = stored("q:" + q.id), firstLine = box.querySelector("[data-role=first-line]");
      if (firstLine) {
        firstLine.hidden = !s || s.attempts.length < 2;
        if (s) firstLine.querySelector("[data-role=first]").textContent = pct(scoreItem(q, s.attempts[0].answer).score);
      }
      if (restored) this.status.textContent = "Your saved answer is shown.";
      if (crit) {
        crit.hidden = !r.critical;
        if (r.critical) crit.dataset.role = "critical"; else delete crit.dataset.role;
        crit.querySelectorAll("li").forEach((li) => { li.hidden = !r.violations.includes(li.dataset.option); });
      }
      box.querySelectorAll("[data-role=feedback] li").forEach((li) => {
        const id = li.dataset.option, p = q.kind === "order" ? a.indexOf(id) : -1;
        li.querySelector("[data-role=mine]").textContent = {
          single: a === id ? "your choice; " : "",
          multi: q.kind === "multi" && a.includes(id) ? "selected; " : "not selected; ",
          rate: a[id] ? "you rated " + a[id] + "; " : "not rated; ",
          order: p >= 0 ? "you placed it " + (p + 1) + "; " : "not placed; " }[q.kind];
      });
      box.hidden = false;
    }
  }

  let quizzes = [], panel = null;
  const say = (msg) => { if (panel) panel.querySelector("[data-role=panel-status]").textContent = msg; };
  function counts() {
    document.dispatchEvent(new Event("nasams-answers-changed"));
    if (!panel) return;
    const here = quizzes.filter((z) => get("q:" + z.q.id) !== null).length;
    panel.querySelector("[data-role=count]").textContent = plural(answerKeys().length, "answer") + " saved in this browser" + (quizzes.length ? ", " + here + " of " + quizzes.length + " on this page." : ".");
  }
  function download() {
    const name = panel.querySelector("#nasams-learner").value.trim(), list = allStored();
    const entries = [].concat(...list.map((s) => s.attempts.map((t) => ({ question: s.question, answer: t.answer, at: t.at }))));
    entries.sort((x, y) => parseTime(x.at) - parseTime(y.at));
    const file = { schema: SCHEMA, learner: name, responses: entries };
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([JSON.stringify(file, null, 2) + "\n"], { type: "application/json" }));
    a.download = "nasams-responses" + (name ? "-" + name.replace(/[^A-Za-z0-9]+/g, "-") : "") + ".json";
    document.body.append(a);
    a.click();
    a.remove();
    say("Downloaded " + plural(list.length, "answered question") + " (" + plural(entries.length, "attempt") + ").");
  }
  let undo = null;
  async function importFile(input) {
    const f = input.files[0];
    if (!f) return;
    input.value = "";
    let file;
    try { file = checkFile(decode(await f.arrayBuffer())); } catch (e) {
      return say("Not imported: " + (e.refused ? e.message : "the file could not be read") + ". Your saved answers are unchanged.");
    }
    /* entries must fit this page's questions; others are checked when their page opens */
    const here = new Map(quizzes.map((z) => [z.q.id, z.q])), byQ = new Map(), problems = file.problems.slice();
    file.entries.forEach((e, i) => {
      const q = here.get(e.question);
      try { if (q) normalize(q, e.answer); } catch (x) { return problems.push("entry " + (i + 1) + " (" + e.question + "): " + x.message); }
      if (!byQ.has(e.question)) byQ.set(e.question, []);
      byQ.get(e.question).push({ answer: e.answer, at: new Date(e.at).toISOString() });
    });
    /* merged with those already saved (nothing is replaced), and can be undone */
    const before = new Map([...byQ.keys()].map((qid) => [qid, get("q:" + qid)]));
    let n = 0, full = false;
    for (const [qid, list] of byQ) { try { n += addAttempts(qid, list); } catch (e) { full = true; break; } }
    undo = n ? before : null;
    quizzes.forEach((z) => z.refresh());
    const mine = panel.querySelector("#nasams-learner").value.trim(), theirs = file.learner.trim();
    say("Imported " + plural(n, "new attempt") + " from " + f.name + (theirs ? " (" + theirs + ")" : "") + ", added to your saved answers; nothing was replaced." +
      (mine && theirs && mine !== theirs ? " This file is " + theirs + "'s, not yours (" + mine + "): use Undo import if you did not mean to add it." : "") +
      (full ? " " + FULL : "") + (problems.length ? " Skipped " + (problems.length === 1 ? "1 entry" : problems.length + " entries") + ": " + problems.slice(0, 3).join("; ") + (problems.length > 3 ? "; …" : "") + "." : "") +
      (notices.length ? " " + notices.splice(0).join(" ") : ""));
    panel.querySelector("[data-action=undo]").hidden = !undo;
    counts();
  }
  function undoImport() {
    if (!undo) return;
    undo.forEach((raw, qid) => { if (raw === null) del("q:" + qid); else put("q:" + qid, raw); });
    undo = null;
    panel.querySelector("[data-action=undo]").hidden = true;
    quizzes.forEach((z) => z.refresh());
    say("The import was undone: your saved answers are as they were before it.");
    counts();
  }
  function clearAll() {
    if (!root.confirm("Clear every answer saved in this browser? Download them first to keep them.")) return;
    answerKeys().forEach(del);
    quizzes.forEach((z) => { z.form.reset(); z.result.hidden = true; z.status.textContent = ""; });
    say("Your saved answers were cleared.");
    counts();
  }
  function wirePanel(p) {
    panel = p;
    p.hidden = false;
    const name = p.querySelector("#nasams-learner");
    name.value = get("learner") || "";
    name.addEventListener("change", () => put("learner", name.value.trim()));
    p.querySelector("[data-action=download]").addEventListener("click", download);
    p.querySelector("[data-action=clear]").addEventListener("click", clearAll);
    p.querySelector("[data-action=undo]").addEventListener("click", undoImport);
    p.querySelector("#nasams-import").addEventListener("change", (ev) => importFile(ev.target));
  }
  function init() {
    quizzes = [...document.querySelectorAll("form.nasams-quiz")].map((f) => new Quiz(f));
    const p = document.querySelector(".nasams-answers");
    if (p) wirePanel(p);
    counts();
    if (notices.length) say(notices.splice(0).join(" "));
    /* another tab saved an answer: show it here too */
    root.addEventListener("storage", (ev) => { quizzes.forEach((z) => { if (!ev.key || ev.key === PREFIX + "q:" + z.q.id) z.refresh(); }); counts(); });
    document.documentElement.dataset.quizReady = Math.round(performance.now());
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})(typeof window !== "undefined" ? window : globalThis);
