/* "Your progress": the saved answers, graded, fill in the page's skeleton (README: the browser code). */
(function (root) {
  "use strict";
  const Q = root.NasamsQuiz, page = document.querySelector(".nasams-progress");
  if (!page) return;
  const data = JSON.parse(page.querySelector("script.np-data").textContent), byId = new Map(data.questions.map((q) => [q.id, q]));
  Q.known = new Map(byId);
  const $ = (sel, el) => (el || page).querySelector(sel), NS = "Not started";
  const pct = (s) => (s === null || s === undefined ? "–" : Math.floor(s * 100 + 0.5 + 1e-9) + "%");
  const role = (r, el) => $("[data-role=" + r + "]", el), text = (el, t) => { if (el) el.textContent = t; }, set = (r, t, el) => text(role(r, el), t);
  const fill = (list, items, make) => { list.textContent = ""; items.forEach((x) => { const e = document.createElement("li"); make(e, x); list.append(e); }); };
  const link = (href, t) => { const a = document.createElement("a"); a.href = href; a.textContent = t; return a; };
  /* grading/words.py's words */
  const say = (k, v = {}) => { let t = data.words[k]; if (Array.isArray(t)) t = t[v.n === 1 ? 0 : 1]; return t.replace(/\{(\w+)\}/g, (_, x) => v[x]); };

  function render() {
    let skipped = 0;
    const attempts = Q.saved().filter((a) => {
      try { if (!byId.has(a.question)) throw 0; Q.normalize(byId.get(a.question), a.answer); return true; } catch (e) { skipped++; return false; }
    });
    const r = Q.grade(data.questions, attempts, data.catalog, Q.savedRatings());
    const provs = new Map(r.provisions.map((p) => [p.id, p])), started = r.provisions.filter((p) => p.score !== null);
    const answered = new Set(r.items.filter((i) => !i.unanswered).map((i) => i.question));
    set("summary", say("summary", { started: started.length, total: r.provisions.length, answered: answered.size,
      questions: data.questions.length }) + " in this browser." + (skipped ? " " + say("skipped", { n: skipped }) : ""));
    set("score", pct(r.score));
    set("level", r.score === null ? NS : Q.levelFor(r.score));
    set("first-score", pct(r.first_score));
    const bar = role("bar");
    bar.firstElementChild.style.width = Math.round((r.score || 0) * 100) + "%";
    bar.setAttribute("aria-label", r.score === null ? "No answers yet" : "Overall " + pct(r.score) + ", " + Q.levelFor(r.score));
    set("complete", "Complete: " + (r.complete ? "yes." : "no."));
    const why = { missing: r.provisions.length - started.length, low: r.domains.filter((d) => !["Mastery", "Proficient"].includes(d.level)).length,
      critical: r.provisions.filter((p) => p.critical).length };
    fill(role("why"), Object.keys(why).filter((k) => why[k]), (e, k) => { e.textContent = say(k, { n: why[k] }); });
    page.querySelectorAll("tr[data-domain]").forEach((tr) => {
      const d = r.domains.find((x) => x.id === tr.dataset.domain), mine = data.catalog.provisions.filter((p) => p[1] === tr.dataset.domain);
      set("score", pct(d ? d.score : null), tr);
      set("level", d && d.level ? d.level : NS, tr);
      set("attempted", mine.filter((p) => provs.has(p[0]) && provs.get(p[0]).score !== null).length + " of " + mine.length, tr);
    });
    page.querySelectorAll(".np-cell").forEach((a) => {
      const p = provs.get(a.dataset.provision), level = p && p.level ? p.level : NS;
      a.dataset.level = level.toLowerCase().replace(" ", "-");
      set("level", level + (p && p.score !== null ? " (" + pct(p.score) + ")" : ""), a);
      role("critical", a).hidden = !(p && p.critical);
    });
    const list = role("critical-list"), title = (pid) => $(".np-cell[data-provision='" + pid + "'] .np-title").textContent;
    fill(list, r.items.filter((i) => i.critical), (e, i) => {
      const q = byId.get(i.question);
      e.append(link(q.href, q.stem.length > 110 ? q.stem.slice(0, 107) + "…" : q.stem), " (breaches " + i.breached.join(", ") + ")");
    });
    role("no-critical").hidden = list.children.length > 0;
    /* next: critical errors, the lowest scores, provisions not started */
    const rank = (p) => (p.critical ? -1 : p.score === null ? 2 : p.score);
    const next = r.provisions.filter((p) => p.score === null || p.critical || p.score < 0.7).sort((a, b) => rank(a) - rank(b)).slice(0, 5);
    fill(role("next"), next.length ? next : [null], (e, p) => {
      if (!p) return (e.textContent = say("all-proficient"));
      const ch = data.chapters.find((c) => c.id === data.home[p.id]);
      e.append(link($(".np-cell[data-provision='" + p.id + "']").getAttribute("href"), p.id + " " + title(p.id)),
        ": " + (p.score === null ? "not started" : p.critical ? "critical error to review" : pct(p.score)) + (ch ? " · " + ch.title + ", " + ch.minutes + " min" : ""));
    });
    data.chapters.forEach((c) => {
      const n = c.questions.filter((qid) => answered.has(qid)).length, tr = page.querySelector("tr[data-chapter='" + c.id + "']");
      set("answered", n + " of " + c.questions.length, tr);
      set("done", n === c.questions.length ? "✓ done" : "–", tr);
    });
    const cal = r.calibration;
    set("cal-summary", cal.answers ? say("cal-summary", { n: cal.answers, cbm: cal.cbm.toFixed(2) }) : say("cal-none"));
    /* as words.py message_key */
    const key = (l) => (l.fit === "over" && l.certainty === 3 ? (l.below_half ? "often-wrong" : "high-over") : l.fit === "over" ? "medium-over" : l.fit);
    cal.levels.forEach((l) => {
      const tr = page.querySelector("tr[data-certainty='" + l.certainty + "']");
      set("answers", l.answers, tr);
      set("mean", pct(l.mean_score), tr);
      set("below", l.answers ? l.below_half : "–", tr);
      set("fit", l.fit ? say("fit-" + l.fit) : "–", tr);
    });
    fill(role("cal-messages"), cal.levels.filter((l) => l.fit), (e, l) => {
      e.textContent = say(key(l), { below: l.below_half, answers: l.answers, p: pct(l.mean_score).slice(0, -1), label: l.label });
    });
    role("no-self").hidden = r.self_ratings.length > 0;
    role("self-wrap").hidden = !r.self_ratings.length;
    const rows = role("self-rows");
    rows.textContent = "";
    r.self_ratings.forEach((s) => {
      const tr = rows.insertRow();
      tr.dataset.provision = s.provision;
      [s.provision + " " + title(s.provision), s.before || "–", s.after || "–", s.level || NS,
        s.gap ? say("gap-" + s.gap) : "–"].forEach((v) => { tr.insertCell().textContent = v; });
    });
  }
  const t0 = performance.now();
  render();
  document.documentElement.dataset.progressMs = (performance.now() - t0).toFixed(1);
  document.addEventListener("nasams-answers-changed", render);
})(window);
