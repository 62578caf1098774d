// The browser grader against the golden fixtures (the same files tests/test_golden.py checks in Python).
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const quiz = require("../../nasams_course/static/nasams-profile.js");
require("../../nasams_course/static/nasams-files.js");

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
    assert.deepEqual(quiz.grade(questions, c.attempts, catalog, c.ratings || []), c.expected);
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

const files = golden("response-files.json");
for (const c of files.cases) {
  test(`response file: ${c.name}`, () => {
    let got;
    try { got = quiz.checkFile(c.file, files.now); } catch (e) { got = { refused: e.message }; }
    assert.deepEqual(got, c.expected);
  });
}

test("response files: the limits and the encoding", () => {
  const entry = { question: "g-single", answer: "a", at: "2026-01-01T10:00:00Z" };
  assert.throws(() => quiz.checkFile({ schema: quiz.SCHEMA, learner: "", responses: Array(20001).fill(entry) }), /more than 20,000 responses/);
  const body = new TextEncoder().encode(JSON.stringify({ schema: quiz.SCHEMA, learner: "Zoë", responses: [entry] }));
  assert.equal(quiz.decode(new Uint8Array([0xef, 0xbb, 0xbf, ...body])).learner, "Zoë");
  assert.throws(() => quiz.decode(new Uint8Array([0xff, 0xfe, 0x7b, 0x00])), /not valid JSON \(the file is not UTF-8 text\)/);
  assert.throws(() => quiz.checkFile(quiz.decode(new TextEncoder().encode("[".repeat(100000) + "]".repeat(100000)))), /nested too deeply/);
  assert.throws(() => quiz.decode(new Uint8Array(5 * 1024 * 1024 + 1)), /larger than 5 MB/);
  for (const literal of ["NaN", "Infinity", "-Infinity"])
    assert.throws(() => quiz.decode(new TextEncoder().encode('{"learner": ' + literal + "}")), /not valid JSON/);
});

test("answers that do not fit their question: the messages of normalize_answer", () => {
  assert.throws(() => quiz.normalize(byId["g-single"], ["a"]), { message: "a single question takes one option id, got list" });
  assert.throws(() => quiz.normalize(byId["g-single"], "zzz"), { message: "unknown option 'zzz' (options: a, b, c, d)" });
  assert.throws(() => quiz.normalize(byId["g-multi"], ["a", "a"]), { message: "an option id is listed twice" });
  assert.throws(() => quiz.normalize(byId["g-rate"], ["a"]), { message: "a rate question takes {option id: rating 1-4}" });
});
