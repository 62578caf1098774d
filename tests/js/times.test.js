// Times in response files, read alike in every time zone. `make test` runs these in America/Los_Angeles and again in
// Asia/Kolkata; on a machine set to UTC this file moves itself to another zone first, so that no test here passes
// only because local time happens to be UTC (node reads a change of process.env.TZ at once).
const test = require("node:test");
const assert = require("node:assert/strict");
if ([0, 6].some((m) => new Date(2026, m, 1, 10).getTimezoneOffset() === 0)) process.env.TZ = "America/Los_Angeles";
const quiz = require("../../nasams_course/static/nasams-grader.js");

// 2026-01-01T10:00:00Z in milliseconds since the epoch, worked out by hand: 56 years of days (14 leap) and ten hours
const NEW_YEAR_10H = ((56 * 365 + 14) * 86400 + 10 * 3600) * 1000;

test("this run is in a zone other than UTC, summer and winter", () => {
  for (const month of [0, 6]) assert.notEqual(new Date(2026, month, 1, 10).getTimezoneOffset(), 0);
});

for (const [text, expected] of [
  ["2026-01-01T10:00:00", NEW_YEAR_10H],
  ["2026-01-01T10:00", NEW_YEAR_10H],
  ["2026-01-01T10:00:00Z", NEW_YEAR_10H],
  ["2026-01-01T12:00:00+02:00", NEW_YEAR_10H],
  ["2026-01-01T15:30:00+0530", NEW_YEAR_10H],
  ["2026-01-01T02:00:00-08:00", NEW_YEAR_10H],
  ["2026-01-01T10:00:00.5", NEW_YEAR_10H + 500],
  ["2026-01-01T10:00:00.05Z", NEW_YEAR_10H + 50],
  ["2026-01-01T10:00:00.123+00:00", NEW_YEAR_10H + 123],
  ["2026-07-01T10:00:00", NEW_YEAR_10H + 181 * 86400000],
]) {
  test(`a time without an offset is UTC, and an offset is applied: ${text}`, () => {
    assert.equal(quiz.parseTime(text), expected);
  });
}

test("an entry's time is read the same way", () => {
  const entry = quiz.checkEntry({ question: "q-a", answer: "a", at: "2026-01-01T10:00" }, NEW_YEAR_10H);
  assert.equal(entry.at, NEW_YEAR_10H);
});
