/* The home page's Start button: Continue, to the first unanswered question of the first unfinished chapter, once
   answers are saved in this browser. Needs nasams-answers.js. */
(function (root) {
  "use strict";
  const Q = root.NasamsQuiz, start = document.querySelector(".nasams-start [data-role=start]");
  if (!start || !Q.book) return;
  function update() {
    const done = new Set(Q.store.answerKeys().map((k) => k.slice(2))), chapters = Q.book.chapters;
    const next = chapters.map((c) => [c, c.questions.find((q) => !done.has(q))]).find(([, q]) => q);
    start.href = !done.size ? Q.url(chapters[0].path) : next ? Q.url(next[0].path) + "#quiz-" + next[1] : document.querySelector(".nasams-answers a").href;
    start.textContent = !done.size ? "Start the course" : next ? "Continue where you left off" : start.dataset.done;
  }
  update();
  document.addEventListener("nasams-answers-changed", update);
})(window);
