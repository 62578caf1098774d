/* NASAMS course: an item's score and the entry rules, as in Python (README: the browser code). */
(function (root) {
  "use strict";
  const SCHEMA = "nasams-course/responses@2";
  const LEVELS = [["Mastery", 0.85], ["Proficient", 0.7], ["Developing", 0.5], ["Beginning", 0]];
  const levelFor = (s) => (LEVELS.find((l) => s >= l[1] - 1e-9) || LEVELS[3])[0];
  const opt = (q, id) => q.options.find((o) => o.id === id);
  const plural = (n, w) => n + " " + w + (n === 1 ? "" : "s");

  /* the answer, null if empty; throws grading.normalize_answer's message */
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
      if (!Array.isArray(a) || a.some((x) => typeof x !== "string")) fail("a " + q.kind + " question takes a list of option ids");
      a.forEach(known);
      if (new Set(a).size !== a.length) fail("an option id is listed twice");
      return a.length ? a : null;
    }
    if (!a || typeof a !== "object" || Array.isArray(a)) fail("a rate question takes {option id: rating 1-4}");
    Object.keys(a).forEach((id) => { known(id); if (![1, 2, 3, 4].includes(a[id])) fail("rating of '" + id + "' must be 1, 2, 3 or 4, got " + JSON.stringify(a[id])); });
    return Object.keys(a).length ? a : null;
  }

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
      const share = (c) => { const os = q.options.filter((o) => !o.correct === !c); return os.length ? os.filter(on).length / os.length : 0; };
      r.score = Math.max(0, share(true) - share(false));
    } else if (q.kind === "rate") r.score = 1 - q.options.reduce((t, o) => t + (o.id in a ? Math.abs(a[o.id] - o.key) : 3), 0) / (3 * q.options.length);
    else r.score = Math.max(0, tau(a, q.key));
    if (q.kind !== "order") r.violations = q.options.filter((o) => o.violation && (q.kind === "rate" ? (a[o.id] || 0) >= 3 : on(o))).map((o) => o.id);
    r.violations.forEach((id) => opt(q, id).violation.forEach((p) => { if (!r.breached.includes(p)) r.breached.push(p); }));
    r.critical = r.violations.length > 0;
    return r;
  }

  const ID = /^[a-z0-9][a-z0-9-]{0,79}$/, MAX_ENTRIES = 20000;
  const TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?$/;
  /* ISO-8601 (no offset: UTC) -> ms, or NaN */
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
  const shapeOk = (a) => (typeof a === "string" ? ID.test(a) : Array.isArray(a) ? a.every((x) => typeof x === "string" && ID.test(x))
    : !!a && typeof a === "object" && Object.keys(a).every((k) => ID.test(k) && [1, 2, 3, 4].includes(a[k])));
  const empty = (a) => a === null || a === "" || (Array.isArray(a) ? !a.length : typeof a === "object" && !Object.keys(a).length);
  const fail = (msg) => { const e = new Error(msg); e.refused = true; throw e; };
  function when(s, now) {
    const at = parseTime(s);
    if (typeof s !== "string") fail("'at' must be an ISO-8601 date-time string");
    if (isNaN(at)) fail("'at' is not an ISO-8601 date-time (YYYY-MM-DDTHH:MM:SSZ)");
    if (at > now + 864e5) fail("'at' is in the future");
    return at;
  }
  function checkEntry(e, now) {
    if (!e || typeof e !== "object" || Array.isArray(e) || !("question" in e && "answer" in e && "at" in e)) fail("expected an object with 'question', 'answer' and 'at'");
    if (typeof e.question !== "string" || !ID.test(e.question)) fail("'question' must be a question id");
    const at = when(e.at, now);
    if (empty(e.answer)) fail("the answer is empty");
    if (!shapeOk(e.answer)) fail("the answer must be an option id, a list of option ids, or {option id: rating 1-4}");
    const c = e.certainty === undefined ? null : e.certainty;
    if (c !== null && ![1, 2, 3].includes(c)) fail("'certainty' must be 1, 2 or 3 (low, medium, high)");
    return { question: e.question, answer: e.answer, at, certainty: c };
  }
  function checkRating(r, now) {
    if (!r || typeof r !== "object" || Array.isArray(r) || !["provision", "stage", "rating", "at"].every((k) => k in r)) fail("expected an object with 'provision', 'stage', 'rating' and 'at'");
    if (typeof r.provision !== "string" || !/^[A-Z][0-9]{1,2}[a-z]?$/.test(r.provision)) fail("'provision' must be a provision id such as E4a");
    if (r.stage !== "before" && r.stage !== "after") fail("'stage' must be 'before' or 'after'");
    if (![1, 2, 3, 4].includes(r.rating)) fail("'rating' must be 1, 2, 3 or 4");
    return { provision: r.provision, stage: r.stage, rating: r.rating, at: when(r.at, now) };
  }
  const api = root.NasamsQuiz = Object.assign(root.NasamsQuiz || {}, { levelFor, normalize, scoreItem, tau, checkEntry, checkRating, parseTime, fail, MAX_ENTRIES, plural, SCHEMA });
  if (typeof module === "object" && module.exports) module.exports = api;
})(typeof window !== "undefined" ? window : globalThis);
