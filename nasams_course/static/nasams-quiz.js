/* NASAMS course quizzes: grades as nasams_course.grading does (held to it by golden fixtures and parity
   tests), keeps answers in this browser, exports and imports response files. */
(function (root) {
  "use strict";
  const SCHEMA = "nasams-course/responses@2", PREFIX = "nasams-course:nasams-ethics:";
  const LEVELS = [["Mastery", 0.85], ["Proficient", 0.7], ["Developing", 0.5], ["Beginning", 0]];
  const levelFor = (s) => (LEVELS.find((l) => s >= l[1] - 1e-9) || LEVELS[3])[0];
  const opt = (q, id) => q.options.find((o) => o.id === id);
  const isList = (a) => Array.isArray(a) && a.every((x) => typeof x === "string");
  const isRatings = (a) => a && typeof a === "object" && !Array.isArray(a) && Object.values(a).every((r) => [1, 2, 3, 4].includes(r));
  const plural = (n, w) => n + " " + w + (n === 1 ? "" : "s");

  /* The answer checked against its question: itself, null when empty; throws on a wrong shape. */
  function normalize(q, a) {
    const ok = (c) => { if (!c) throw new Error("answer does not fit question " + q.id); };
    if (a === null || a === undefined || a === "") return a === "" && q.kind !== "single" ? ok(0) : null;
    if (q.kind === "single") ok(typeof a === "string" && opt(q, a));
    else if (q.kind === "rate") ok(isRatings(a) && Object.keys(a).every((id) => opt(q, id)));
    else ok(isList(a) && a.every((id) => opt(q, id)) && new Set(a).size === a.length);
    return (typeof a === "string" ? a : Object.keys(a).length) ? a : null;
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

  const parseTime = (s) => (typeof s !== "string" ? NaN : Date.parse(/([zZ]|[+-]\d\d:?\d\d)$/.test(s) || !/T/.test(s) ? s : s + "Z"));

  function checkFile(d) {
    const m = /^nasams-course\/responses@(\d+)$/.exec((d && d.schema) || "");
    if (!m || !(+m[1] === 1 || +m[1] === 2)) throw new Error(m && +m[1] > 2 ? "This file was made by a newer version of the course (" + d.schema + ")." : "This is not a NASAMS course response file.");
    if (typeof d.learner !== "string" || !Array.isArray(d.responses)) throw new Error("The file is damaged (no learner or responses).");
    const bad = d.responses.map((e, i) => (e && typeof e.question === "string" && /^[a-z0-9][a-z0-9-]*$/.test(e.question) && "answer" in e &&
      (e.answer === null || typeof e.answer === "string" || isList(e.answer) || isRatings(e.answer)) && !isNaN(parseTime(e.at)) ? 0 : "entry " + (i + 1))).filter(Boolean);
    if (bad.length) throw new Error("The file is damaged (" + bad.slice(0, 5).join(", ") + (bad.length > 5 ? ", …" : "") + ").");
    return d.responses;
  }

  const api = { levelFor, normalize, scoreItem, tau, grade, checkFile, parseTime, SCHEMA };
  if (typeof module === "object" && module.exports) module.exports = api;
  root.NasamsQuiz = api;
  if (typeof document === "undefined") return;

  /* ---- the page: storage (a key per question), quizzes, the answers panel ---- */
  const memory = {}, notices = [];
  let ls = null;
  try { ls = root.localStorage; ls.setItem(PREFIX + "probe", "1"); ls.removeItem(PREFIX + "probe"); } catch (e) {
    ls = null;
    notices.push("This browser does not let the page save answers: download them before you leave.");
  }
  const get = (k) => (ls ? ls.getItem(PREFIX + k) : k in memory ? memory[k] : null);
  const put = (k, v) => (ls ? ls.setItem(PREFIX + k, v) : (memory[k] = v));
  const del = (k) => (ls ? ls.removeItem(PREFIX + k) : delete memory[k]);
  const keys = () => (ls ? Object.keys(ls).filter((k) => k.startsWith(PREFIX)).map((k) => k.slice(PREFIX.length)) : Object.keys(memory));
  const answerKeys = () => keys().filter((k) => k.startsWith("q:")).sort();
  /* A question's saved attempts, oldest first ({question, attempts: [{answer, at}]}), or null; an unreadable
     record is set aside (kept) with a notice. Records saved by earlier versions ({answer, at}) read as one attempt. */
  function stored(k, q) {
    const raw = get(k);
    if (raw === null) return null;
    try {
      const v = JSON.parse(raw), list = v && Array.isArray(v.attempts) ? v.attempts : [v];
      if (!list.length) throw 0;
      list.forEach((t) => { if (!t || typeof t.at !== "string" || isNaN(parseTime(t.at)) || !("answer" in t)) throw 0; if (q) normalize(q, t.answer); });
      list.sort((x, y) => parseTime(x.at) - parseTime(y.at));
      return { question: k.slice(2), attempts: list.map((t) => ({ answer: t.answer, at: t.at })) };
    } catch (e) {
      put("set-aside:" + Date.now() + ":" + k, raw);
      del(k);
      notices.push("A saved answer (" + k.slice(2) + ") could not be read, so it was set aside, not deleted.");
      return null;
    }
  }
  const allStored = () => answerKeys().map((k) => stored(k)).filter(Boolean);
  const lastOf = (s) => s.attempts[s.attempts.length - 1];
  /* Add attempts to a question's record (an attempt already there, same time and answer, is not added twice). */
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
      try { addAttempts(this.q.id, [{ answer: a, at: new Date().toISOString() }]); } catch (e) { this.status.textContent = "Your answer could not be saved in this browser."; }
      this.render(a, false);
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
  async function importFile(input) {
    const f = input.files[0];
    if (!f) return;
    let entries;
    input.value = "";
    try { entries = checkFile(JSON.parse(await f.text())); } catch (e) {
      return say("Not imported: " + (e instanceof SyntaxError ? "the file is not valid JSON." : e.message) + " Your saved answers are unchanged.");
    }
    /* attempts are merged with those already saved (nothing is replaced); the latest of all counts */
    const byQ = new Map();
    entries.forEach((e) => { if (!byQ.has(e.question)) byQ.set(e.question, []); byQ.get(e.question).push(e); });
    let n = 0;
    try { byQ.forEach((list, qid) => { n += addAttempts(qid, list); }); } catch (e) {
      notices.push("This browser's storage is full: " + plural(n, "attempt") + " were added before it filled.");
    }
    quizzes.forEach((z) => z.refresh());
    say("Imported " + plural(n, "new attempt") + " from " + f.name + ", added to your saved answers." + (notices.length ? " " + notices.splice(0).join(" ") : ""));
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
    p.querySelector("#nasams-import").addEventListener("change", (ev) => importFile(ev.target));
  }
  function init() {
    quizzes = [...document.querySelectorAll("form.nasams-quiz")].map((f) => new Quiz(f));
    const p = document.querySelector(".nasams-answers");
    if (p) wirePanel(p);
    counts();
    if (notices.length) say(notices.splice(0).join(" "));
    document.documentElement.dataset.quizReady = Math.round(performance.now());
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})(typeof window !== "undefined" ? window : globalThis);
