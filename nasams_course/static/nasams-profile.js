/* NASAMS course: one learner's profile (nasams_course.grading.grade and grading/calibration.py), the same spec,
   held to it by golden fixtures and parity tests. Needs nasams-grader.js. Loaded where a profile is shown. */
(function (root) {
  "use strict";
  const Q = typeof module === "object" && module.exports ? require("./nasams-grader.js") : root.NasamsQuiz;
  const { levelFor, scoreItem } = Q;
  const mean = (v) => { let t = 0; for (const x of v) t += x; return t / v.length; };
  const later = (t, c) => t.at > c.at || (t.at === c.at && t.seq >= c.seq);

  /* Certainty-based marking (Gardner-Medwin): mark s*R(c) + (1-s)*W(c); high certainty pays above 80 % right,
     medium between 67 and 80 %. Counted on each question's first attempt with a stated certainty (later attempts
     follow the feedback). Certainty never changes a score or a level. */
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
    return { answers: sure.length, cbm: sure.length ? mean(marks) : null, levels: [1, 2, 3].map((c) => {
      const s = sure.filter(([t]) => t.certainty === c).map(([, r]) => r.score), m = s.length ? mean(s) : null;
      return { certainty: c, label: LABELS[c], answers: s.length, mean_score: m, below_half: s.filter((x) => x < 0.5).length, fit: fit(c, m) };
    }) };
  }
  const RANK = { Beginning: 1, Developing: 2, Proficient: 3, Mastery: 4 };
  /* per provision in scope with a rating: the latest self-rating before and after, beside the measured level */
  function selfRatings(provs, ratings) {
    const latest = new Map();
    ratings.forEach((r) => { const k = r.provision + " " + r.stage, c = latest.get(k); if (!c || later(r, c)) latest.set(k, r); });
    const get = (p, st) => (latest.has(p + " " + st) ? latest.get(p + " " + st).rating : null);
    return provs.filter((p) => get(p.id, "before") !== null || get(p.id, "after") !== null).map((p) => {
      const before = get(p.id, "before"), after = get(p.id, "after"), d = p.level ? (after !== null ? after : before) - RANK[p.level] : 0;
      return { provision: p.id, before, after, level: p.level, gap: d >= 2 ? "over" : d <= -2 ? "under" : null };
    });
  }

  /* questions in bank order; attempts [{question, answer, at (ms), seq, certainty}]; catalog {provisions: [[id, domain]],
     domains}; ratings [{provision, stage, rating, at, seq}]. The latest attempt of each question counts; the first
     attempt is reported beside it. */
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
    return { calibration: calibration(firstPairs), self_ratings: selfRatings(provs, ratings || []),
      items: items.map(({ question, score, critical, unanswered, breached }) => ({ question, score, critical, unanswered, breached,
        first_score: firsts.get(question).score, first_critical: firsts.get(question).critical })),
      provisions: provs, domains: doms, score, first_score: firstScore, complete };
  }

  Q.grade = grade;
  if (typeof module === "object" && module.exports) module.exports = Q;
})(typeof window !== "undefined" ? window : globalThis);
