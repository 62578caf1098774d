/* NASAMS course: a chapter page's quiz forms (answer, certainty, feedback) and self-rating forms. */
(function (root) {
  "use strict";
  const Q = root.NasamsQuiz, { levelFor, scoreItem } = Q;
  Q.known = Q.known || new Map();
  const pct = (s) => Math.floor(s * 100 + 0.5 + 1e-9) + "%";

  class Quiz {
    constructor(form) {
      this.form = form;
      this.q = JSON.parse(form.querySelector("script.nq-data").textContent);
      this.status = form.querySelector("[data-role=status]");
      Q.known.set(this.q.id, this.q);
      this.result = form.querySelector("[data-role=result]");
      form.addEventListener("submit", (ev) => { ev.preventDefault(); this.submit(); });
      form.addEventListener("click", (ev) => { const b = ev.target.closest("button[data-move]"); if (b) this.move(b.closest("li"), +b.dataset.move, b.className); });
      this.refresh();
    }
    $$(sel) { return [...this.form.querySelectorAll(sel)]; }
    answer() {
      const k = this.q.kind, checked = this.$$(".nq-options input:checked");
      if (k === "order") return this.$$(".nq-step").map((li) => li.dataset.option);
      if (!checked.length) return null;
      if (k === "single") return checked[0].value;
      return k === "multi" ? checked.map((i) => i.value) : Object.fromEntries(checked.map((i) => [i.closest("fieldset").dataset.option, +i.value]));
    }
    show(a, certainty) {
      const q = this.q, f = this.form;
      f.reset();
      const tick = (sel) => { const i = f.querySelector(sel); if (i) i.checked = true; };
      if (q.kind === "single" || q.kind === "multi") [].concat(a).forEach((id) => tick("input[value='" + id + "']"));
      else if (q.kind === "rate") Object.keys(a).forEach((id) => tick("[data-option='" + id + "'] input[value='" + a[id] + "']"));
      else { const ol = f.querySelector(".nq-steps"); a.forEach((id) => ol.append(f.querySelector(".nq-step[data-option='" + id + "']"))); this.relabel(); }
      tick(".nq-certainty input[value='" + (certainty || "") + "']");
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
      const c = this.form.querySelector(".nq-certainty input:checked");
      let saved = true;
      try { Q.addAttempts(this.q.id, [{ answer: a, at: new Date().toISOString(), certainty: c && c.value ? +c.value : null }]); } catch (e) { saved = false; }
      this.render(a, false);
      if (!saved) this.status.textContent = Q.FULL;
      Q.changed(false);
    }
    refresh() {
      const s = Q.stored("q:" + this.q.id, this.q), t = s && s.attempts[s.attempts.length - 1];
      if (this.result) this.result.hidden = true;
      if (t) { this.show(t.answer, t.certainty); this.render(t.answer, true); } else { this.form.reset(); this.status.textContent = ""; }
    }
    render(a, restored) {
      /* a sealed form (an assessment) has no key and no feedback: its answer is saved, and said so */
      const q = this.q, box = this.result, saved = this.form.dataset.saved;
      if (restored || saved) this.status.textContent = restored ? "Your saved answer is shown." : saved;
      if (!box) return;
      const r = scoreItem(q, a), crit = box.querySelector(".nq-critical");
      const level = r.critical ? "Beginning (critical error)" : levelFor(r.score);
      box.querySelector("[data-role=score]").textContent = pct(r.score);
      box.querySelector("[data-role=level]").textContent = level;
      const s = Q.stored("q:" + q.id), firstLine = box.querySelector("[data-role=first-line]");
      if (firstLine) {
        firstLine.hidden = !s || s.attempts.length < 2;
        if (s) firstLine.querySelector("[data-role=first]").textContent = pct(scoreItem(q, s.attempts[0].answer).score);
      }
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
      if (restored) return;
      /* announce a short result; the feedback is read from its heading */
      const breaches = [...box.querySelectorAll(".nq-critical li:not([hidden]) [data-role=breach]")].map((b) => b.textContent.replace(" · ", ", "));
      this.form.querySelector("[data-role=announce]").textContent = "Score " + pct(r.score) + ". " + (r.critical ? "Critical error: " + breaches.join("; ") : "Level: " + level) + ".";
      box.querySelector("[data-role=heading]").focus();
    }
  }

  /* "How ready are you?" before and after the chapter: the latest rating is shown */
  function wireRatings(form) {
    const stage = form.dataset.stage, status = form.querySelector("[data-role=status]");
    const show = () => {
      const latest = {};
      Q.ratingsSaved().forEach((r) => { if (r.stage === stage) latest[r.provision] = r.rating; });
      form.querySelectorAll("fieldset[data-provision]").forEach((fs) => {
        const r = latest[fs.dataset.provision];
        fs.querySelectorAll("input").forEach((i) => { i.checked = +i.value === r; });
      });
    };
    form.hidden = false;
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const at = new Date().toISOString(), list = [...form.querySelectorAll("input:checked")].map((i) => ({ provision: i.closest("fieldset").dataset.provision, stage, rating: +i.value, at }));
      if (!list.length) { status.textContent = "Choose a rating for at least one provision, then save."; return; }
      try { Q.addRatings(list); } catch (e) { status.textContent = Q.FULL; return; }
      status.textContent = "Saved: " + list.map((r) => r.provision + " " + r.rating).join(", ") + ". Compare them with your measured level on the progress page.";
      Q.changed(false);
    });
    show();
    return show;
  }

  const quizzes = [...document.querySelectorAll("form.nasams-quiz")].map((f) => new Quiz(f));
  const ratingForms = [...document.querySelectorAll("form.nasams-self-rating")].map(wireRatings);
  document.addEventListener("nasams-answers-changed", (ev) => { if (ev.detail && ev.detail.external) { quizzes.forEach((z) => z.refresh()); ratingForms.forEach((f) => f()); } });
  document.documentElement.dataset.quizReady = Math.round(performance.now());
})(window);
