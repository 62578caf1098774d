// The browser grader at its edges: limits met exactly, every message of a refused answer or file, attempts whose
// time and file order disagree, and the shapes JSON can take that a careless check would let through. Written against
// the mutants `make mutate` found surviving (tools/mutation/README.md); the same rules as nasams_course/responses.py
// and nasams_course/grading.
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const quiz = require("../../nasams_course/static/nasams-profile.js");
require("../../nasams_course/static/nasams-files.js");

const golden = (name) => JSON.parse(fs.readFileSync(path.join(__dirname, "..", "golden", name), "utf8"));
const byId = Object.fromEntries(golden("questions.json").questions.map((q) => [q.id, q]));
const catalog = golden("catalog.json");
const NOW = Date.UTC(2026, 5, 1);
const file = (more) => ({ schema: quiz.SCHEMA, learner: "Ana", responses: [], ...more });
const entry = (more) => ({ question: "q-a", answer: "a", at: "2026-01-01T10:00:00Z", ...more });
const refusal = (fn) => { try { fn(); } catch (e) { return { message: e.message, refused: e.refused === true }; } return null; };
const single = (id, options) => ({ id, kind: "single", provisions: ["S5"], options });

test("a level is reached within 1e-9 below its threshold", () => {
  assert.equal(quiz.levelFor(0.85 - 1e-9), "Mastery");
  assert.equal(quiz.levelFor(0.5 - 1e-9), "Developing");
  assert.equal(quiz.levelFor(0.5 - 2e-9), "Beginning");
});

test("counts are said in words", () => {
  assert.equal(quiz.plural(1, "file"), "1 file");
  assert.equal(quiz.plural(2, "file"), "2 files");
  assert.equal(quiz.plural(0, "file"), "0 files");
});

test("an answer of the wrong shape is refused with normalize_answer's words", () => {
  const cases = [
    ["g-single", {}, "a single question takes one option id, got dict"],
    ["g-single", true, "a single question takes one option id, got bool"],
    ["g-single", 2, "a single question takes one option id, got int"],
    ["g-single", 2.5, "a single question takes one option id, got float"],
    ["g-multi", "a", "a multi question takes a list of option ids"],
    ["g-multi", [1], "a multi question takes a list of option ids"],
    ["g-order", { a: 1 }, "a order question takes a list of option ids"],
    ["g-rate", "a", "a rate question takes {option id: rating 1-4}"],
    ["g-rate", 0, "a rate question takes {option id: rating 1-4}"],
    ["g-rate", { a: 9 }, "rating of 'a' must be 1, 2, 3 or 4, got 9"],
  ];
  for (const [qid, answer, message] of cases) assert.throws(() => quiz.normalize(byId[qid], answer), { message }, JSON.stringify(answer));
  assert.equal(quiz.normalize(byId["g-single"], undefined), null);
  assert.equal(quiz.normalize(byId["g-single"], null), null);
});

test("Kendall's tau counts a pair with a missing step as discordant", () => {
  assert.equal(quiz.tau(["c", "a"], ["a", "b", "c"]), -1);
  assert.equal(quiz.tau(["a", "c"], ["a", "b", "c"]), -1 / 3);
  assert.equal(quiz.tau([], ["a"]), 1);
});

test("a single answer is its option, not every option whose id it contains", () => {
  const q = single("q-ids", [{ id: "a", credit: 0, violation: ["S5"] }, { id: "ab", credit: 1 }, { id: "b", credit: 0.5 }]);
  assert.deepEqual(quiz.scoreItem(q, "ab"), { question: "q-ids", score: 1, critical: false, unanswered: false, violations: [], breached: [] });
});

test("two chosen violations that breach one provision name it once", () => {
  const q = { id: "q-two", kind: "multi", provisions: ["U7", "S5"], options: [
    { id: "a", correct: true }, { id: "b", correct: false, violation: ["U7"] }, { id: "c", correct: false, violation: ["U7", "S5"] }] };
  const r = quiz.scoreItem(q, ["b", "c"]);
  assert.deepEqual([r.violations, r.breached, r.critical], [["b", "c"], ["U7", "S5"], true]);
});

test("times at the edges of the calendar and the clock", () => {
  const ok = [["1970-01-01T00:00:00Z", 0], ["2026-01-31T23:59:59Z", Date.UTC(2026, 0, 31, 23, 59, 59)],
    ["2024-02-29T10:00:00Z", Date.UTC(2024, 1, 29, 10)], ["2026-01-01T10:00:00.123Z", Date.UTC(2026, 0, 1, 10) + 123],
    ["2026-01-01T10:00:00+23:00", Date.UTC(2026, 0, 1, 10) - 23 * 3600000],
    ["2026-01-01T10:00:00-05:59", Date.UTC(2026, 0, 1, 15, 59)]];
  for (const [text, ms] of ok) assert.equal(quiz.parseTime(text), ms, text);
  for (const text of ["1969-12-31T23:59:59Z", "2026-00-10T10:00:00Z", "2026-13-01T10:00:00Z", "2026-01-00T10:00:00Z",
    "2026-02-29T10:00:00Z", "2026-01-01T10:60:00Z", "2026-01-01T10:00:00+05:60", "x2026-01-01T10:00:00Z",
    "2026-01-01T10:00:00.1234Z"]) assert.ok(Number.isNaN(quiz.parseTime(text)), text);
  assert.ok(Number.isNaN(quiz.parseTime(["2026-01-01T10:00:00Z"])), "a list holding a time is not a time");
});

test("an entry's answer of each shape, and a time a day ahead, are accepted", () => {
  for (const answer of ["a", ["a", "b"], { a: 2, b: 4 }]) assert.deepEqual(quiz.checkEntry(entry({ answer }), NOW).answer, answer);
  assert.equal(quiz.checkEntry(entry({ at: new Date(NOW + 864e5).toISOString() }), NOW).at, NOW + 864e5);
  assert.deepEqual(refusal(() => quiz.checkEntry(entry({ at: new Date(NOW + 864e5 + 1).toISOString() }), NOW)),
    { message: "'at' is in the future", refused: true });
  const shape = "the answer must be an option id, a list of option ids, or {option id: rating 1-4}";
  for (const answer of [[1], ["a", 2], { a: 5 }, { a: 2, "B!": 1 }, true, 3])
    assert.deepEqual(refusal(() => quiz.checkEntry(entry({ answer }), NOW)), { message: shape, refused: true }, JSON.stringify(answer));
});

test("a self-rating's provision is a string of the right form", () => {
  const rating = (provision) => ({ provision, stage: "before", rating: 2, at: "2026-01-01T10:00:00Z" });
  for (const provision of [["E4"], "xE4", "E4 "])
    assert.deepEqual(refusal(() => quiz.checkRating(rating(provision), NOW)), { message: "'provision' must be a provision id such as E4a", refused: true });
  assert.equal(quiz.checkRating(rating("E4a"), NOW).provision, "E4a");
});

test("a file's limits are met exactly, and one more is refused", () => {
  const deep = (n) => (n ? [deep(n - 1)] : 1);
  assert.deepEqual(quiz.checkFile(file({ extra: deep(7) }), NOW).problems, []);  // the file itself is the 8th level
  assert.match(refusal(() => quiz.checkFile(file({ extra: deep(8) }), NOW)).message, /nested too deeply \(more than 8 levels\)/);
  assert.equal(quiz.checkFile(file({ learner: "x".repeat(200) }), NOW).learner.length, 200);
  assert.match(refusal(() => quiz.checkFile(file({ learner: "x".repeat(201) }), NOW)).message, /longer than 200 characters/);
  const e = entry({ question: "g-single" }), r = { provision: "E4a", stage: "before", rating: 2, at: "2026-01-01T10:00:00Z" };
  assert.equal(quiz.checkFile(file({ responses: Array(20000).fill(e) }), NOW).entries.length, 20000);
  assert.equal(quiz.checkFile(file({ self_ratings: Array(20000).fill(r) }), NOW).ratings.length, 20000);
  assert.deepEqual(refusal(() => quiz.checkFile(file({ self_ratings: Array(20001).fill(r) }), NOW)),
    { message: "more than 20,000 self-ratings", refused: true });
});

test("a file that is not an object, or whose schema is not the text it must be, is refused", () => {
  const notObject = "expected a JSON object with 'schema', 'learner' and 'responses'";
  for (const data of [null, "text", 7, true]) assert.equal(refusal(() => quiz.checkFile(data, NOW)).message, notObject, JSON.stringify(data));
  const foreign = "not a NASAMS course response file (schema must be 'nasams-course/responses@2')";
  for (const schema of [[quiz.SCHEMA], "nasams-course/responses@2x", 2])
    assert.equal(refusal(() => quiz.checkFile(file({ schema }), NOW)).message, foreign, JSON.stringify(schema));
  assert.match(refusal(() => quiz.checkFile(file({ schema: "nasams-course/responses@12" }), NOW)).message, /is newer than this course reads/);
});

test("without a time given, the file is checked against the clock", () => {
  const far = file({ responses: [entry({ at: "2999-01-01T00:00:00Z" })] });
  assert.deepEqual(quiz.checkFile(far).problems, ["responses[0]: 'at' is in the future"]);
});

test("the bytes of a file: exactly 5 MB is read, and bad JSON says why", () => {
  const five = new Uint8Array(5 * 1024 * 1024).fill(0x20);
  five[five.length - 1] = 0x31;  // "1" after spaces
  assert.equal(quiz.decode(five), 1);
  const bad = refusal(() => quiz.decode(new TextEncoder().encode("{x")));
  assert.ok(bad.refused && /^not valid JSON \(.+\)$/.test(bad.message), bad.message);
});

test("the latest attempt is the latest in time, wherever it is in the list", () => {
  const attempts = [{ question: "g-single", answer: "a", at: 5, seq: 0 }, { question: "g-single", answer: "c", at: 1, seq: 1 }];
  const r = quiz.grade([byId["g-single"]], attempts, catalog);
  assert.deepEqual([r.items[0].score, r.items[0].first_score, r.items[0].first_critical], [1, 0, true]);
  assert.deepEqual(r.self_ratings, []);  // no ratings given at all
});

test("on a full tie of time and sequence, the later rating in the list counts", () => {
  const rate = (rating) => ({ provision: "S5", stage: "before", rating, at: 1, seq: 0 });
  const r = quiz.grade([byId["g-single"]], [{ question: "g-single", answer: "c", at: 1, seq: 0 }], catalog, [rate(2), rate(4)]);
  assert.deepEqual(r.self_ratings.find((s) => s.provision === "S5"), { provision: "S5", before: 4, after: null, level: "Beginning", gap: "over" });
});

test("a scope with no questions is never complete", () => {
  assert.equal(quiz.grade([], [], catalog).complete, false);
});

test("certainty at exactly 67 percent right: low certainty no longer fits, medium does", () => {
  const qs = Array.from({ length: 100 }, (_, i) => single("q" + i, [{ id: "a", credit: 1 }, { id: "b", credit: 0 }, { id: "c", credit: 0 }]));
  for (const [certainty, fit] of [[1, "under"], [2, "ok"]]) {
    const attempts = qs.map((q, i) => ({ question: q.id, answer: i < 67 ? "a" : "b", at: i, seq: i, certainty }));
    const level = quiz.grade(qs, attempts, catalog).calibration.levels[certainty - 1];
    assert.deepEqual([level.mean_score, level.fit], [0.67, fit]);
  }
});

test("a refusal is marked as one, so that the page shows its message", () => {
  assert.equal(refusal(() => quiz.fail("x")).refused, true);
});

test("a session id is checked from its first character: a hyphen or a capital there is refused", () => {
  const words = "'session' must be a session id (lower-case letters, digits and hyphens)";
  assert.equal(quiz.checkFile(file({ session: "spring-2026" }), NOW).session, "spring-2026");
  for (const session of ["-spring", "Spring", "x".repeat(81), "spring!"])
    assert.deepEqual(refusal(() => quiz.checkFile(file({ session }), NOW)), { message: words, refused: true }, session);
});
