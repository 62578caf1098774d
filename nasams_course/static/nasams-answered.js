/* A sealed session book (an assessment): its list of the questions, each marked Answered once an answer is saved in
   this browser; no key, no score. Its words come with the page (nasams_course/rendering/progress.py). Needs
   nasams-answers.js. */
(function (root) {
  "use strict";
  const Q = root.NasamsQuiz, page = document.querySelector(".nasams-answered");
  if (!page) return;
  const words = page.dataset;
  function update() {
    const done = new Set(Q.store.answerKeys().map((k) => k.slice(2))), rows = [...page.querySelectorAll("tr[data-question]")];
    const answered = rows.filter((tr) => done.has(tr.dataset.question));
    rows.forEach((tr) => { tr.querySelector("[data-role=answered]").textContent = answered.includes(tr) ? words.yes : words.no; });
    page.querySelector("[data-role=summary]").textContent = words.summary.replace("{n}", answered.length).replace("{total}", rows.length);
  }
  update();
  document.addEventListener("nasams-answers-changed", update);
})(window);
