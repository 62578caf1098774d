// Used by tests/test_parity.py: grades generated cases with the browser grader and prints the results.
// Input file: {"catalog": ..., "cases": [{"questions": [...], "attempts": [...]}]}
const fs = require("node:fs");
const quiz = require("../../nasams_course/static/nasams-profile.js");
require("../../nasams_course/static/nasams-files.js");

const input = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const out = input.cases.map((c) => {
  const items = c.attempts.map((a) => {
    const q = c.questions.find((x) => x.id === a.question);
    try {
      const r = quiz.scoreItem(q, a.answer);
      return { score: r.score, critical: r.critical, unanswered: r.unanswered, breached: r.breached };
    } catch (e) {
      return { error: true };
    }
  });
  const valid = c.attempts.filter((_, i) => !items[i].error);
  return { items, report: quiz.grade(c.questions, valid, input.catalog, c.ratings || []) };
});
process.stdout.write(JSON.stringify(out));
