/* NASAMS course: a learner's profile, as grading.grade (README: the browser code). */
(function (root) {
  "use strict";
  const Q = typeof module === "object" && module.exports ? require("./nasams-grader.js") : root.NasamsQuiz;
  const { levelFor, scoreItem } = Q;
  const mean = (v) => { let t = 0; for (const x of v) t += x; return v.length ? t / v.length : null; };
  const later = (t, c) => t.at > c.at || (t.at === c.at && t.seq >= c.seq);

  /* certainty-based marking (Gardner-Medwin), on first attempts */
  const R = { 1: 1, 2: 2, 3: 3 }, W = { 1: 0, 2: -2, 3: -6 }, LABELS = { 1: "low", 2: "medium", 3: "high" };
  function fit(c, m) {
    if (m === null) return null;
    if (c === 1) return m < 0.67 ? "ok" : "under";
    if (c === 2) return m < 0.67 ? "over" : m > 0.8 ? "under" : "ok";
    return m > 0.8 ? "ok" : "over";
  }
  function calibration(firstAttempts) {
    const sure = firstAttempts.filter(([t]) => t.certainty != null);
    const marks = sure.map(([t, r]) => r.score * R[t.certainty] + (1 - r.score) * W[t.certainty]);
    return { answers: sure.length, cbm: mean(marks), levels: [1, 2, 3].map((c) => {
      const s = sure.filter(([t]) => t.certainty === c).map(([, r]) => r.score), m = mean(s);
      return { certainty: c, label: LABELS[c], answers: s.length, mean_score: m, below_half: s.filter((x) => x < 0.5).length, fit: fit(c, m) };
    }) };
  }
  const RANK = { Beginning: 1, Developing: 2, Proficient: 3, Mastery: 4 };
  function selfRatings(provs, ratings) {
    const latest = new Map();
    ratings.forEach((r) => { const k = r.provision + " " + r.stage, c = latest.get(k); if (!c || later(r, c)) latest.set(k, r); });
    const get = (p, st) => (latest.has(p + " " + st) ? latest.get(p + " " + st).rating : null);
    return provs.filter((p) => get(p.id, "before") !== null || get(p.id, "after") !== null).map((p) => {
      const before = get(p.id, "before"), after = get(p.id, "after"), d = p.level ? (after !== null ? after : before) - RANK[p.level] : 0;
      return { provision: p.id, before, after, level: p.level, gap: d >= 2 ? "over" : d <= -2 ? "under" : null };
    });
  }

  function grade(questions, attempts, catalog, ratings) {
    const last = new Map(), first = new Map(), byId = new Map(questions.map((q) => [q.id, q]));
    attempts.forEach((t) => {
      const c = last.get(t.question), f = first.get(t.question);
      if (!c || later(t, c)) last.set(t.question, t);
      if (!f || !later(t, f)) first.set(t.question, t);
    });
    const items = [...last.values()].map((t) => scoreItem(byId.get(t.question), t.answer));
    const firstPairs = [...first.values()].map((t) => [t, scoreItem(byId.get(t.question), t.answer)]);
    const firsts = new Map(firstPairs.map(([t, r]) => [t.question, r]));
    const res = new Map(items.map((i) => [i.question, i]));
    const provs = [];
    for (const [pid, domain] of catalog.provisions) {
      const assessed = questions.filter((q) => q.provisions.includes(pid));
      if (!assessed.length) continue;
      const of = (m) => assessed.map((q) => m.get(q.id)).filter((i) => i && !i.unanswered), got = of(res);
      const s = mean(got.map((g) => g.score)), crit = got.some((g) => g.breached.includes(pid));
      provs.push({ id: pid, domain, score: s, first_score: mean(of(firsts).map((g) => g.score)),
        level: s === null ? null : crit ? "Beginning" : levelFor(s), critical: crit, answered: got.length });
    }
    const doms = [];
    for (const d of catalog.domains) {
      const mine = provs.filter((p) => p.domain === d);
      if (!mine.length) continue;
      const s = mean(mine.filter((p) => p.score !== null).map((p) => p.score));
      doms.push({ id: d, score: s, level: s === null ? null : levelFor(s) });
    }
    const complete = provs.length > 0 && provs.every((p) => p.score !== null && !p.critical) && doms.every((d) => ["Mastery", "Proficient"].includes(d.level));
    const overall = (k) => mean(provs.filter((p) => p[k] !== null).map((p) => p[k]));
    provs.forEach((p) => delete p.domain);
    return { calibration: calibration(firstPairs), self_ratings: selfRatings(provs, ratings || []),
      items: items.map(({ question, score, critical, unanswered, breached }) => ({ question, score, critical, unanswered, breached,
        first_score: firsts.get(question).score, first_critical: firsts.get(question).critical })),
      provisions: provs, domains: doms, score: overall("score"), first_score: overall("first_score"), complete };
  }

  Q.grade = grade;
  if (typeof module === "object" && module.exports) module.exports = Q;
})(typeof window !== "undefined" ? window : globalThis);
