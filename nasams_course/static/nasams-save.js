/* NASAMS course: saving to the answers kept in this browser (chapter pages, imports); FULL: when it cannot. */
(function (Q) {
  "use strict";
  const { parseTime, stored, ratingsSaved, store } = Q;
  /* Add items to a saved list, skipping any already there; returns how many were new. Throws when full. */
  function addTo(k, field, items, id, old) {
    const all = old || [], seen = new Set(all.map(id));
    let n = 0;
    items.forEach((t) => { if (!seen.has(id(t))) { seen.add(id(t)); all.push(t); n++; } });
    all.sort((x, y) => parseTime(x.at) - parseTime(y.at));
    if (n) store.put(k, JSON.stringify({ [field]: all }));
    return n;
  }
  /* what makes two saved items the same: an attempt is its time and answer; a rating, all of it */
  const attemptId = (t) => t.at + JSON.stringify(t.answer), ratingId = (r) => [r.provision, r.stage, r.rating, r.at].join(" ");
  const clean = (t) => (t.certainty ? { answer: t.answer, at: t.at, certainty: t.certainty } : { answer: t.answer, at: t.at });
  const addAttempts = (qid, list) => { const s = stored("q:" + qid); return addTo("q:" + qid, "attempts", list.map(clean), attemptId, s ? s.attempts.map(clean) : []); };
  const addRatings = (list) => addTo("ratings", "ratings", list.map(({ provision, stage, rating, at }) => ({ provision, stage, rating, at })), ratingId, ratingsSaved());
  const FULL = "This browser's storage for the book is full, so this was not saved: download your answers now.";
  Object.assign(Q, { addAttempts, addRatings, attemptId, ratingId, clean, FULL });
})(window.NasamsQuiz);
