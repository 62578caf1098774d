/* NASAMS course quizzes in the static book: grades exactly as nasams_course.grading (same spec, same
   golden fixtures), keeps answers in this browser, imports and exports response files. No network. */
(function (root) {
  "use strict";
  var SCHEMA = "nasams-course/responses@1", PREFIX = "nasams-course:nasams-ethics:";
  var LEVELS = [["Mastery", 0.85], ["Proficient", 0.7], ["Developing", 0.5], ["Beginning", 0]];
  var PASSING = ["Mastery", "Proficient"];

  function levelFor(s) {
    for (var i = 0; i < LEVELS.length; i++) if (s >= LEVELS[i][1] - 1e-9) return LEVELS[i][0];
    return "Beginning";
  }
  function opt(q, id) { for (var i = 0; i < q.options.length; i++) if (q.options[i].id === id) return q.options[i]; return null; }
  function isList(a) { return Array.isArray(a) && a.every(function (x) { return typeof x === "string"; }); }

  /* Check an answer's shape; return it, or null when empty. Throws Error with a message otherwise. */
  function normalize(q, a) {
    if (a === null || a === undefined) return null;
    var bad = function (m) { throw new Error(m); }, known = function (id) { if (!opt(q, id)) bad("unknown option '" + id + "'"); };
    if (q.kind === "single") {
      if (a === "") return null;
      if (typeof a !== "string") bad("a single question takes one option id");
      known(a); return a;
    }
    if (q.kind === "multi" || q.kind === "order") {
      if (!isList(a)) bad("a " + q.kind + " question takes a list of option ids");
      a.forEach(known);
      if (new Set(a).size !== a.length) bad("an option id is listed twice");
      return a.length ? a : null;
    }
    if (typeof a !== "object" || Array.isArray(a)) bad("a rate question takes {option id: rating 1-4}");
    var keys = Object.keys(a);
    keys.forEach(function (k) { known(k); if ([1, 2, 3, 4].indexOf(a[k]) < 0) bad("rating of '" + k + "' must be 1, 2, 3 or 4"); });
    return keys.length ? a : null;
  }

  function scoreItem(q, answer) {
    var a = normalize(q, answer), r = { question: q.id, score: 0, critical: false, unanswered: a === null, violations: [] };
    if (a === null) return r;
    if (q.kind === "single") {
      var o = opt(q, a); r.score = o.credit; if (o.violation) r.violations = [a];
    } else if (q.kind === "multi") {
      var keyed = 0, hits = 0, wrong = 0;
      q.options.forEach(function (o) {
        var on = a.indexOf(o.id) >= 0;
        if (o.correct) keyed++;
        if (on && o.correct) hits++;
        if (on && !o.correct) wrong++;
        if (on && o.violation) r.violations.push(o.id);
      });
      r.score = Math.max(0, (hits - wrong) / keyed);
    } else if (q.kind === "rate") {
      var total = 0;
      q.options.forEach(function (o) {
        total += o.id in a ? Math.abs(a[o.id] - o.key) : 3;
        if (o.violation && (a[o.id] || 0) >= 3) r.violations.push(o.id);
      });
      r.score = 1 - total / (3 * q.options.length);
    } else {
      var n = q.key.length, agree = 0;
      for (var i = 0; i < n; i++) for (var j = i + 1; j < n; j++) {
        var pi = a.indexOf(q.key[i]), pj = a.indexOf(q.key[j]);
        if (pi >= 0 && pj >= 0 && pi < pj) agree++;
      }
      r.score = agree / (n * (n - 1) / 2);
    }
    r.critical = r.violations.length > 0;
    return r;
  }

  function mean(v) { var t = 0; for (var i = 0; i < v.length; i++) t += v[i]; return t / v.length; }

  /* questions: array in bank order; attempts: [{question, answer, at (ms), seq}];
     catalog: {provisions: [[id, domain], ...] in the code's order, domains: [id, ...]}. */
  function grade(questions, attempts, catalog) {
    var best = new Map();
    attempts.forEach(function (t) {
      var c = best.get(t.question);
      if (!c || t.at > c.at || (t.at === c.at && t.seq >= c.seq)) best.set(t.question, t);
    });
    var byId = {}, items = [];
    questions.forEach(function (q) { byId[q.id] = q; });
    best.forEach(function (t) { items.push(scoreItem(byId[t.question], t.answer)); });
    var res = {}; items.forEach(function (i) { res[i.question] = i; });
    var provs = [];
    catalog.provisions.forEach(function (pd) {
      var pid = pd[0], assessed = questions.filter(function (q) { return q.provisions.indexOf(pid) >= 0; });
      if (!assessed.length) return;
      var got = assessed.filter(function (q) { return res[q.id] && !res[q.id].unanswered; }).map(function (q) { return res[q.id]; });
      if (!got.length) { provs.push({ id: pid, domain: pd[1], score: null, level: null, critical: false, answered: 0 }); return; }
      var s = mean(got.map(function (g) { return g.score; })), crit = got.some(function (g) { return g.critical; });
      provs.push({ id: pid, domain: pd[1], score: s, level: crit ? "Beginning" : levelFor(s), critical: crit, answered: got.length });
    });
    var doms = [];
    catalog.domains.forEach(function (d) {
      var mine = provs.filter(function (p) { return p.domain === d; });
      if (!mine.length) return;
      var sc = mine.filter(function (p) { return p.score !== null; }).map(function (p) { return p.score; });
      var s = sc.length ? mean(sc) : null;
      doms.push({ id: d, score: s, level: s === null ? null : levelFor(s) });
    });
    var complete = provs.length > 0 && provs.every(function (p) { return p.score !== null && !p.critical; }) &&
      doms.every(function (d) { return PASSING.indexOf(d.level) >= 0; });
    provs.forEach(function (p) { delete p.domain; });
    return { items: items.map(function (i) { return { question: i.question, score: i.score, critical: i.critical, unanswered: i.unanswered }; }),
      provisions: provs, domains: doms, complete: complete };
  }

  function parseTime(s) {
    if (typeof s !== "string") return NaN;
    return Date.parse(/([zZ]|[+-]\d\d:?\d\d)$/.test(s) || !/T/.test(s) ? s : s + "Z");
  }

  /* Check a decoded response file; returns its entries or throws Error with every problem found. */
  function checkFile(data) {
    if (!data || typeof data !== "object" || Array.isArray(data)) throw new Error("This is not a NASAMS course response file.");
    if (data.schema !== SCHEMA) {
      var m = /^nasams-course\/responses@(\d+)$/.exec(data.schema || "");
      throw new Error(m && +m[1] > 1 ? "This file was made by a newer version of the course (" + data.schema + ")." :
        "This is not a NASAMS course response file (its schema is not " + SCHEMA + ").");
    }
    if (typeof data.learner !== "string" || !Array.isArray(data.responses)) throw new Error("The file is damaged: it needs 'learner' and a 'responses' list.");
    var probs = [];
    data.responses.forEach(function (e, i) {
      var ok = e && typeof e.question === "string" && /^[a-z0-9][a-z0-9-]*$/.test(e.question) && "answer" in e &&
        (e.answer === null || typeof e.answer === "string" || isList(e.answer) ||
         (typeof e.answer === "object" && !Array.isArray(e.answer) && Object.keys(e.answer).every(function (k) { return [1, 2, 3, 4].indexOf(e.answer[k]) >= 0; }))) &&
        !isNaN(parseTime(e.at));
      if (!ok) probs.push("entry " + (i + 1));
    });
    if (probs.length) throw new Error("The file is damaged (" + probs.slice(0, 5).join(", ") + (probs.length > 5 ? ", …" : "") + ").");
    return data.responses;
  }

  var api = { levelFor: levelFor, normalize: normalize, scoreItem: scoreItem, grade: grade, checkFile: checkFile, parseTime: parseTime, SCHEMA: SCHEMA };
  if (typeof module === "object" && module.exports) module.exports = api;
  root.NasamsQuiz = api;
  if (typeof document === "undefined") return;

  /* ---------------- the page ---------------- */
  var memory = {}, ls = null, notices = [];
  try { ls = root.localStorage; ls.setItem(PREFIX + "probe", "1"); ls.removeItem(PREFIX + "probe"); } catch (e) {
    ls = null; notices.push("Your browser is not letting this page save answers, so they will be lost when you leave the page. Download them before you go.");
  }
  function get(k) { return ls ? ls.getItem(PREFIX + k) : (k in memory ? memory[k] : null); }
  function put(k, v) { if (ls) ls.setItem(PREFIX + k, v); else memory[k] = v; }
  function del(k) { if (ls) ls.removeItem(PREFIX + k); else delete memory[k]; }
  function keys() {
    if (!ls) return Object.keys(memory);
    var out = [];
    for (var i = 0; i < ls.length; i++) { var k = ls.key(i); if (k.indexOf(PREFIX) === 0) out.push(k.slice(PREFIX.length)); }
    return out;
  }
  function setAside(k, raw, why) {
    put("set-aside:" + Date.now() + ":" + k, raw); del(k);
    notices.push("A saved answer (" + k.slice(2) + ") could not be read (" + why + "). It was set aside, not deleted.");
  }
  /* A stored answer {question, answer, at}, or null; unreadable ones are set aside with a notice. */
  function stored(k, q) {
    var raw = get(k); if (raw === null) return null;
    try {
      var v = JSON.parse(raw);
      if (!v || typeof v.at !== "string" || !("answer" in v)) throw new Error("wrong shape");
      if (q) normalize(q, v.answer);
      v.question = k.slice(2); return v;
    } catch (e) { setAside(k, raw, e.message); return null; }
  }
  function allStored() {
    return keys().filter(function (k) { return k.indexOf("q:") === 0; }).sort().map(function (k) { return stored(k); }).filter(Boolean);
  }

  function el(tag, attrs, kids) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (a) { n.setAttribute(a, attrs[a]); });
    (kids || []).forEach(function (c) { n.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return n;
  }
  function pct(s) { return Math.floor(s * 100 + 0.5 + 1e-9) + "%"; }
  var RATING = ["", "very inappropriate", "somewhat inappropriate", "somewhat appropriate", "very appropriate"];

  function Quiz(form) {
    this.form = form;
    this.q = JSON.parse(form.querySelector("script.nq-data").textContent);
    this.status = form.querySelector("[data-role=status]");
    this.result = form.querySelector("[data-role=result]");
    var self = this;
    form.addEventListener("submit", function (ev) { ev.preventDefault(); self.submit(); });
    form.addEventListener("click", function (ev) {
      var b = ev.target.closest("button[data-move]"); if (b) self.move(b.closest("li"), +b.getAttribute("data-move"), b.className);
    });
    this.refresh();
  }
  Quiz.prototype.answer = function () {
    var f = this.form, q = this.q;
    if (q.kind === "single") { var c = f.querySelector("input:checked"); return c ? c.value : null; }
    if (q.kind === "multi") { var v = [].map.call(f.querySelectorAll("input:checked"), function (i) { return i.value; }); return v.length ? v : null; }
    if (q.kind === "rate") {
      var r = {};
      [].forEach.call(f.querySelectorAll(".nq-rate-option"), function (fs) { var c = fs.querySelector("input:checked"); if (c) r[fs.getAttribute("data-option")] = +c.value; });
      return Object.keys(r).length ? r : null;
    }
    return [].map.call(f.querySelectorAll(".nq-step"), function (li) { return li.getAttribute("data-option"); });
  };
  Quiz.prototype.show = function (a) {
    var f = this.form, q = this.q;
    [].forEach.call(f.querySelectorAll("input"), function (i) { i.checked = false; });
    if (q.kind === "single" || q.kind === "multi") [].concat(a).forEach(function (id) { var i = f.querySelector("input[value='" + id + "']"); if (i) i.checked = true; });
    else if (q.kind === "rate") Object.keys(a).forEach(function (id) { var i = f.querySelector("[data-option='" + id + "'] input[value='" + a[id] + "']"); if (i) i.checked = true; });
    else { var ol = f.querySelector(".nq-steps"); a.forEach(function (id) { ol.appendChild(f.querySelector(".nq-step[data-option='" + id + "']")); }); this.relabel(); }
  };
  Quiz.prototype.relabel = function () {
    var lis = this.form.querySelectorAll(".nq-step"), n = lis.length;
    [].forEach.call(lis, function (li, i) {
      li.querySelector(".nq-up").disabled = i === 0; li.querySelector(".nq-down").disabled = i === n - 1;
      [].forEach.call(li.querySelectorAll(".nq-sr"), function (s) { s.textContent = " (step " + (i + 1) + " of " + n + ")"; });
    });
  };
  Quiz.prototype.move = function (li, d, cls) {
    var sib = d < 0 ? li.previousElementSibling : li.nextElementSibling; if (!sib) return;
    li.parentNode.insertBefore(li, d < 0 ? sib : sib.nextElementSibling);
    this.relabel();
    var pos = [].indexOf.call(li.parentNode.children, li) + 1, b = li.querySelector("." + cls);
    (b.disabled ? li.querySelector(cls === "nq-up" ? ".nq-down" : ".nq-up") : b).focus();
    this.status.textContent = "Moved to step " + pos + " of " + li.parentNode.children.length + ".";
  };
  Quiz.prototype.submit = function () {
    var a = this.answer();
    if (a === null) {
      this.status.textContent = { single: "Choose an answer, then press Submit.", multi: "Select at least one option, then press Submit.",
        rate: "Rate at least one action (1 to 4), then press Submit." }[this.q.kind];
      return;
    }
    this.status.textContent = "";
    try { put("q:" + this.q.id, JSON.stringify({ answer: a, at: new Date().toISOString() })); } catch (e) { this.status.textContent = "Your answer could not be saved in this browser."; }
    this.render(a, false);
    panels();
  };
  Quiz.prototype.refresh = function () {
    var s = stored("q:" + this.q.id, this.q);
    this.result.textContent = "";
    if (s) { this.show(s.answer); this.render(s.answer, true); }
  };
  Quiz.prototype.render = function (a, restored) {
    var q = this.q, r = scoreItem(q, a), lv = levelFor(r.score), box = el("div", { "class": "nq-feedback" });
    if (restored) box.appendChild(el("p", {}, ["You answered this before; your saved answer is shown."]));
    box.appendChild(el("p", { "class": "nq-score-line" }, ["Score: ", el("strong", { "data-role": "score" }, [pct(r.score)]), " · Level: ", el("strong", { "data-role": "level" }, [lv])]));
    if (r.critical) box.appendChild(el("div", { "class": "nq-critical", "data-role": "critical", role: "alert" }, [
      el("p", {}, [el("strong", {}, ["Critical error. "]), "You chose conduct the code forbids. This caps the provisions this question assesses at Beginning until you answer it again without the violation."]),
      el("ul", {}, r.violations.map(function (v) { var o = opt(q, v); return el("li", {}, [o.text + ": " + o.rationale]); }))]));
    var os = q.kind === "order" ? q.key.map(function (k) { return opt(q, k); }) : q.options;
    var list = el("ul", { "class": "nq-option-feedback" }, os.map(function (o) {
      var mine, key;
      if (q.kind === "single") { mine = a === o.id ? "your choice" : ""; key = o.credit === 1 ? "best answer" : o.credit === 0.5 ? "partly right" : "not the best answer"; }
      else if (q.kind === "multi") { mine = a.indexOf(o.id) >= 0 ? "selected" : "not selected"; key = o.correct ? "applies" : "does not apply"; }
      else if (q.kind === "rate") { mine = a[o.id] ? "you rated " + a[o.id] : "not rated"; key = "keyed " + o.key + " (" + RATING[o.key] + ")"; }
      else { var p = a.indexOf(o.id); mine = p >= 0 ? "you placed it " + (p + 1) : "not placed"; key = "belongs at step " + (q.key.indexOf(o.id) + 1); }
      var head = el("p", {}, [el("strong", {}, [o.text])]);
      if (o.violation) head.appendChild(el("span", { "class": "nq-violation-tag" }, ["violation"]));
      return el("li", { "data-option": o.id }, [head, el("p", { "class": "nq-option-status" }, [(mine ? mine + "; " : "") + key]), el("p", { "class": "nq-rationale" }, [o.rationale])]);
    }));
    box.appendChild(el("div", { "data-role": "feedback" }, [el("p", {}, [el("strong", {}, [q.kind === "order" ? "The correct order, with reasons" : "Each option, with reasons"])]), list]));
    var cited = el("div", { "class": "nq-cited-list" }, [el("p", {}, [el("strong", {}, ["Provisions cited"])])]);
    Object.keys(q.cited).forEach(function (pid) {
      var d = el("details", { "class": "nq-cited" }, [el("summary", {}, [pid + " · " + q.cited[pid].title])]);
      q.cited[pid].text.split("\n").forEach(function (line) { d.appendChild(el("p", {}, [line])); });
      cited.appendChild(d);
    });
    box.appendChild(cited);
    this.result.textContent = "";
    this.result.appendChild(box);
  };

  var quizzes = [];
  function panels() {
    var n = allStored().length, here = quizzes.filter(function (z) { return get("q:" + z.q.id) !== null; }).length;
    [].forEach.call(document.querySelectorAll(".nasams-answers [data-role=count]"), function (s) {
      s.textContent = n + " answer" + (n === 1 ? "" : "s") + " saved in this browser" + (quizzes.length ? ", " + here + " of " + quizzes.length + " on this page." : ".");
    });
  }
  function say(panel, msg) { panel.querySelector("[data-role=panel-status]").textContent = msg; }
  function download(panel) {
    var name = panel.querySelector("input[type=text]").value.trim(), list = allStored();
    var file = { schema: SCHEMA, learner: name, responses: list.map(function (s) { return { question: s.question, answer: s.answer, at: s.at }; }) };
    var a = el("a", { href: URL.createObjectURL(new Blob([JSON.stringify(file, null, 2) + "\n"], { type: "application/json" })),
      download: "nasams-responses" + (name ? "-" + name.replace(/[^A-Za-z0-9]+/g, "-") : "") + ".json" });
    document.body.appendChild(a); a.click(); a.remove();
    say(panel, "Downloaded " + list.length + " answer" + (list.length === 1 ? "" : "s") + ".");
  }
  function importFile(panel, input) {
    var f = input.files && input.files[0]; if (!f) return;
    f.text().then(function (text) {
      var entries;
      try { entries = checkFile(JSON.parse(text)); } catch (e) {
        say(panel, "Not imported: " + (e instanceof SyntaxError ? "the file is not valid JSON." : e.message) + " Your saved answers are unchanged.");
        return;
      }
      var n = 0;
      entries.forEach(function (e) {
        var cur = stored("q:" + e.question);
        if (!cur || parseTime(e.at) >= parseTime(cur.at)) { put("q:" + e.question, JSON.stringify({ answer: e.answer, at: e.at })); n++; }
      });
      quizzes.forEach(function (z) { z.refresh(); });
      say(panel, "Imported " + n + " answer" + (n === 1 ? "" : "s") + " from " + f.name + ".");
      panels(); flush();
    }).finally(function () { input.value = ""; });
  }
  function clearAll(panel) {
    if (!root.confirm("Clear every answer saved in this browser? Download them first if you want to keep them.")) return;
    keys().filter(function (k) { return k.indexOf("q:") === 0; }).forEach(del);
    quizzes.forEach(function (z) { z.form.reset(); z.result.textContent = ""; z.status.textContent = ""; });
    say(panel, "Your saved answers were cleared."); panels();
  }
  function panel(host) {
    var p = el("section", { "class": "nasams-answers", "aria-label": "Your saved answers" }, [
      el("p", {}, [el("strong", {}, ["Your answers "]), el("span", { "data-role": "count" })]),
      el("p", {}, [el("label", { "for": "nasams-learner" }, ["Your name, for the response file:"]), el("input", { type: "text", id: "nasams-learner", autocomplete: "name" })]),
      el("p", {}, [el("button", { type: "button", "data-action": "download" }, ["Download my answers"]), " ",
        el("button", { type: "button", "data-action": "clear" }, ["Clear my answers"])]),
      el("p", {}, [el("label", { "for": "nasams-import" }, ["Import a response file:"]), el("input", { type: "file", id: "nasams-import", accept: ".json,application/json" })]),
      el("p", { role: "status", "aria-live": "polite", "data-role": "panel-status" })]);
    var name = p.querySelector("input[type=text]");
    name.value = get("learner") || "";
    name.addEventListener("change", function () { put("learner", name.value.trim()); });
    p.querySelector("[data-action=download]").addEventListener("click", function () { download(p); });
    p.querySelector("[data-action=clear]").addEventListener("click", function () { clearAll(p); });
    p.querySelector("input[type=file]").addEventListener("change", function (ev) { importFile(p, ev.target); });
    host.appendChild(p);
  }
  function flush() {
    var box = document.querySelector(".nasams-answers [data-role=panel-status]");
    if (box && notices.length) { box.textContent = notices.join(" "); notices = []; }
  }
  function init() {
    quizzes = [].map.call(document.querySelectorAll("form.nasams-quiz"), function (f) { return new Quiz(f); });
    var host = document.querySelector(".nasams-answers-panel");
    if (!host && quizzes.length) {
      host = el("div", { "class": "nasams-answers-panel" });
      var first = document.querySelector(".nasams-chapter-intro") || quizzes[0].form;
      first.parentNode.insertBefore(host, first.nextSibling);
    }
    if (host) panel(host);
    panels(); flush();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})(typeof window !== "undefined" ? window : globalThis);
