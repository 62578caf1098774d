/* "Your progress": grades the answers saved in this browser with the course's grader (NasamsQuiz.grade, the same
   spec as `nasams-course grade`) and fills in the page's skeleton. Loaded on the progress page only. */
(function (root) {
  "use strict";
  const Q = root.NasamsQuiz, page = document.querySelector(".nasams-progress"), start = document.querySelector(".nasams-start");
  if (Q && start) {
    /* the home page: Start, or Continue at the first unanswered question of the first unfinished chapter */
    const done = new Set(Q.saved().map((a) => a.question)), a = start.querySelector("[data-role=start]");
    const chapters = JSON.parse(start.querySelector("script.np-start-data").textContent);
    const next = chapters.map((c) => [c, c.questions.find((q) => !done.has(q))]).find(([, q]) => q);
    if (done.size && next) { a.textContent = "Continue where you left off"; a.href = next[0].href + "#quiz-" + next[1]; }
    else if (done.size) { a.textContent = "Every question is answered: see your progress"; a.href = "progress.html"; }
  }
  if (!Q || !page) return;
  const data = JSON.parse(page.querySelector("script.np-data").textContent);
  const byId = new Map(data.questions.map((q) => [q.id, q]));
  const $ = (sel, el) => (el || page).querySelector(sel);
  const pct = (s) => (s === null || s === undefined ? "–" : Math.floor(s * 100 + 0.5 + 1e-9) + "%");
  const text = (el, t) => { if (el) el.textContent = t; };
  const li = (list, html) => { const e = document.createElement("li"); html(e); list.append(e); };
  const link = (href, t) => { const a = document.createElement("a"); a.href = href; a.textContent = t; return a; };

  function render() {
    /* an attempt that does not fit its question (or names none of this book's) is left out, and said so */
    let skipped = 0;
    const attempts = Q.saved().filter((a) => {
      try { if (!byId.has(a.question)) throw 0; Q.normalize(byId.get(a.question), a.answer); return true; } catch (e) { skipped++; return false; }
    });
    const r = Q.grade(data.questions, attempts, data.catalog);
    const provs = new Map(r.provisions.map((p) => [p.id, p])), started = r.provisions.filter((p) => p.score !== null);
    const answered = new Set(r.items.filter((i) => !i.unanswered).map((i) => i.question));
    text($("[data-role=summary]"), started.length + " of " + r.provisions.length + " provisions attempted, from " +
      answered.size + " of " + data.questions.length + " questions answered in this browser." +
      (skipped ? " " + skipped + " saved answer" + (skipped === 1 ? "" : "s") + " could not be read and " + (skipped === 1 ? "is" : "are") + " left out." : ""));
    text($("[data-role=score]"), pct(r.score));
    text($("[data-role=level]"), r.score === null ? "Not started" : Q.levelFor(r.score));
    text($("[data-role=first-score]"), pct(r.first_score));
    const bar = $("[data-role=bar]");
    bar.firstElementChild.style.width = Math.round((r.score || 0) * 100) + "%";
    bar.setAttribute("aria-label", r.score === null ? "No answers yet" : "Overall " + pct(r.score) + ", " + Q.levelFor(r.score));
    /* the completion rule, and why not */
    text($("[data-role=complete]"), "Complete: " + (r.complete ? "yes." : "no."));
    const why = $("[data-role=why]");
    why.textContent = "";
    const missing = r.provisions.length - started.length, low = r.domains.filter((d) => !["Mastery", "Proficient"].includes(d.level));
    const crits = r.provisions.filter((p) => p.critical);
    if (missing) li(why, (e) => { e.textContent = missing + " provision" + (missing === 1 ? " is" : "s are") + " not yet attempted."; });
    if (low.length) li(why, (e) => { e.textContent = low.length + " domain" + (low.length === 1 ? " is" : "s are") + " below Proficient."; });
    if (crits.length) li(why, (e) => { e.textContent = crits.length + " provision" + (crits.length === 1 ? " has" : "s have") + " an outstanding critical error."; });
    /* domains */
    page.querySelectorAll("tr[data-domain]").forEach((tr) => {
      const d = r.domains.find((x) => x.id === tr.dataset.domain), mine = data.catalog.provisions.filter((p) => p[1] === tr.dataset.domain);
      const done = mine.filter((p) => provs.has(p[0]) && provs.get(p[0]).score !== null).length;
      text($("[data-role=score]", tr), pct(d ? d.score : null));
      text($("[data-role=level]", tr), d && d.level ? d.level : "Not started");
      text($("[data-role=attempted]", tr), done + " of " + mine.length);
    });
    /* the provision grid */
    page.querySelectorAll(".np-cell").forEach((a) => {
      const p = provs.get(a.dataset.provision), level = p && p.level ? p.level : "Not started";
      a.dataset.level = level.toLowerCase().replace(" ", "-");
      text($("[data-role=level]", a), level + (p && p.score !== null ? " (" + pct(p.score) + ")" : ""));
      $("[data-role=critical]", a).hidden = !(p && p.critical);
    });
    /* outstanding critical errors: the question, what it breached, a link back */
    const list = $("[data-role=critical-list]");
    list.textContent = "";
    r.items.filter((i) => i.critical).forEach((i) => li(list, (e) => {
      const q = byId.get(i.question);
      e.append(link(q.href, q.stem.length > 110 ? q.stem.slice(0, 107) + "…" : q.stem));
      e.append(" (breaches " + i.breached.join(", ") + ")");
    }));
    $("[data-role=no-critical]").hidden = list.children.length > 0;
    /* what to do next: critical errors, then the lowest scores below Proficient, then provisions not started */
    const next = $("[data-role=next]");
    next.textContent = "";
    const rank = (p) => (p.critical ? -1 : p.score === null ? 2 : p.score);
    r.provisions.filter((p) => p.score === null || p.critical || p.score < 0.7).sort((a, b) => rank(a) - rank(b)).slice(0, 5).forEach((p) => li(next, (e) => {
        const ch = data.chapters.find((c) => c.id === data.home[p.id]), cell = page.querySelector(".np-cell[data-provision='" + p.id + "']");
        e.append(link(cell.getAttribute("href"), p.id + " " + $(".np-title", cell).textContent));
        e.append(": " + (p.score === null ? "not started" : p.critical ? "critical error to review" : pct(p.score)) +
          (ch ? " · " + ch.title + ", " + ch.minutes + " min" : ""));
      }));
    if (!next.children.length) li(next, (e) => { e.textContent = "Every provision is at Proficient or above: review the chapters you found hardest, or take a capstone case."; });
    /* chapters, and the same marks in the sidebar */
    data.chapters.forEach((c) => {
      const n = c.questions.filter((qid) => answered.has(qid)).length, tr = page.querySelector("tr[data-chapter='" + c.id + "']");
      text($("[data-role=answered]", tr), n + " of " + c.questions.length);
      text($("[data-role=done]", tr), n === c.questions.length ? "✓ done" : "–");
    });
  }
  const t0 = performance.now();
  render();
  document.documentElement.dataset.progressMs = (performance.now() - t0).toFixed(1);
  root.addEventListener("storage", render);
  document.addEventListener("nasams-answers-changed", render);
})(typeof window !== "undefined" ? window : globalThis);
