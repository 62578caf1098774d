// The browser grader against the golden fixtures (the same files tests/test_golden.py checks in Python).
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const quiz = require("../../nasams_course/static/nasams-quiz.js");

const golden = (name) => JSON.parse(fs.readFileSync(path.join(__dirname, "..", "golden", name), "utf8"));
const questions = golden("questions.json").questions;
const byId = Object.fromEntries(questions.map((q) => [q.id, q]));
const catalog = golden("catalog.json");

for (const c of golden("items.json").cases) {
  test(`item: ${c.name}`, () => {
    if (c.expected.error) {
      assert.throws(() => quiz.scoreItem(byId[c.question], c.answer));
      return;
    }
    const r = quiz.scoreItem(byId[c.question], c.answer);
    assert.equal(r.score, c.expected.score);
    assert.equal(r.critical, c.expected.critical);
    assert.equal(r.unanswered, c.expected.unanswered);
    assert.deepEqual(r.breached, c.expected.breached);
  });
}

for (const c of golden("profiles.json").cases) {
  test(`profile: ${c.name}`, () => {
    assert.deepEqual(quiz.grade(questions, c.attempts, catalog), c.expected);
  });
}

test("levels and their thresholds", () => {
  assert.equal(quiz.levelFor(0.85), "Mastery");
  assert.equal(quiz.levelFor(0.85 - 1e-12), "Mastery");
  assert.equal(quiz.levelFor(0.8499), "Proficient");
  assert.equal(quiz.levelFor(0.7), "Proficient");
  assert.equal(quiz.levelFor(0.5), "Developing");
  assert.equal(quiz.levelFor(0.4999), "Beginning");
});

test("response files: foreign, newer and damaged files are rejected with a message", () => {
  assert.throws(() => quiz.checkFile({ hello: 1 }), /not a NASAMS course response file/);
  assert.throws(() => quiz.checkFile({ schema: "nasams-course/responses@3", learner: "", responses: [] }), /newer version/);
  assert.equal(quiz.checkFile({ schema: "nasams-course/responses@1", learner: "", responses: [] }).length, 0);
  assert.throws(() => quiz.checkFile({ schema: quiz.SCHEMA, learner: "x", responses: [{ question: "q", answer: "a", at: "yesterday" }] }), /damaged/);
  const ok = { schema: quiz.SCHEMA, learner: "x", responses: [{ question: "q-a", answer: { a: 2 }, at: "2026-01-01T10:00:00Z" }] };
  assert.equal(quiz.checkFile(ok).length, 1);
});

test("times without an offset are UTC, as in Python", () => {
  assert.equal(quiz.parseTime("2026-01-01T10:00:00"), Date.UTC(2026, 0, 1, 10));
  assert.equal(quiz.parseTime("2026-01-01T12:00:00+02:00"), Date.UTC(2026, 0, 1, 10));
});
