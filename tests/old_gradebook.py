"""Gradebooks of earlier schema versions, for the tests of the migrations: `write_files` writes the response files of
`golden/gradebook-v3.sql`, a gradebook that the schema-3 code (commit d870abf) wrote from them (`make_v3_dump`,
run with that code; `golden/gradebook-v3.json`: what that code read from it), and `old_gradebook` writes a gradebook of version 1, 2 or 3 from any files as the code of that
version stored them (a test holds it to the dump)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

#: the dump of the schema-3 gradebook, and what the schema-3 code read from it: its export as CSV, `sessions` and
#: `attempts_frame` (as JSON records)
V3_DUMP = Path(__file__).parent / "golden" / "gradebook-v3.sql"
V3_READ = Path(__file__).parent / "golden" / "gradebook-v3.json"
NOW = 1_795_996_800_000  # 2026-12-01T00:00:00Z: golden("response-files.json")["now"]


def entry(question, answer, at, **more):
    return {"question": question, "answer": answer, "at": at, **more}


#: the files, by name: the imports in order (each a list of names, and the --session given), and their contents
V3_IMPORTS = [(["ana-1.json", "bo.json", "cy.json"], "spring-2026"),
              (["ana-2.json", "ana-autumn.json", "bad.json", "di.json"], None)]
V3_FILES = {
    "ana-1.json": ("Ana Ruiz", [entry("g-single", "b", "2026-11-02T10:00:00.000Z", certainty=1),
                                entry("g-single", "a", "2026-11-02T10:05:00.000Z", certainty=3),
                                entry("g-multi", ["b", "a"], "2026-11-02T10:06:00.000Z")], {}),
    "bo.json": ("Bo Chen", [entry("g-rate", {"a": 4, "b": 1, "c": 3, "d": 2}, "2026-11-02T10:01:00.000Z"),
                            entry("g-order", ["a", "b", "c", "d"], "2026-11-02T10:02:00.000Z", certainty=2)],
                {"self_ratings": [{"provision": "S5", "stage": "before", "rating": 2, "at": "2026-11-02T09:59:00Z"}]}),
    # times shared: two questions at one time (export orders them as stored), and two answers to one question at
    # one time (the grader takes the later in the file); a time with an offset (the reference reader)
    "cy.json": ("Cy Park", [entry("g-order", ["d", "c", "b", "a"], "2026-11-02T10:00:00.000Z"),
                            entry("g-single", "c", "2026-11-02T10:00:00.000Z", certainty=2),
                            entry("g-single", "b", "2026-11-02T10:00:00.000Z"),
                            entry("g-multi", ["c", "a"], "2026-11-02T11:30:00+01:00")], {}),
    "ana-2.json": ("Ana Ruiz", [entry("g-single", "a", "2026-11-02T10:05:00.000Z", certainty=3),
                                entry("g-order", ["b", "a", "c", "d"], "2026-11-02T11:00:00.000Z")], {}),
    # names its own session; repeats an attempt of spring (which stays there)
    "ana-autumn.json": ("Ana Ruiz", [entry("g-multi", ["a", "b"], "2026-11-02T10:06:00.000Z"),
                                     entry("g-rate", {"a": 1, "b": 2, "c": 3, "d": 4}, "2026-11-20T10:00:00.000Z",
                                           certainty=1)],
                        {"session": "autumn-2026",
                         "self_ratings": [{"provision": "S5", "stage": "after", "rating": 4,
                                           "at": "2026-11-20T10:01:00.000Z"}]}),
    "bad.json": ("Bad", [entry("g-single", "z", "2026-11-02T10:00:00.000Z")], {}),
    "di.json": ("Di", [entry("g-order3", ["z", "x", "y"], "2026-11-03T08:00:00.000Z", certainty=3)], {}),
}


def write_files(folder: Path) -> None:
    """Write the files of the dump into `folder` (byte for byte the files it was made from)."""
    for name, (learner, entries, more) in V3_FILES.items():
        data = {"schema": "nasams-course/responses@2", "learner": learner, "responses": entries, **more}
        (folder / name).write_text(json.dumps(data, indent=2), encoding="utf-8")


def load_dump(db: Path, application_id: int) -> None:
    """The schema-3 gradebook of the dump, as a gradebook file (the dump holds no application id)."""
    con = sqlite3.connect(db)
    con.executescript(V3_DUMP.read_text(encoding="utf-8"))
    con.execute(f"PRAGMA application_id = {application_id}")
    con.commit()
    con.close()


def make_v3_dump(folder: Path) -> None:
    """Write the files into `folder`, import them there (relative names) and dump the gradebook to V3_DUMP. Run it
    with the schema-3 code: `cd /tmp/x && PYTHONPATH=OLD python -c 'import old_gradebook as o; ...'`."""
    import os

    from conftest import golden_questions
    from nasams_course.training import gradebook as gb

    write_files(folder)
    os.chdir(folder)
    db = folder / "v3.sqlite"
    for names, session in V3_IMPORTS:
        gb.import_files(db, names, session=session, questions=golden_questions(), now_ms=NOW)
    con = sqlite3.connect(db)
    assert con.execute("SELECT version FROM schema_version").fetchone() == (3,)
    con.execute("UPDATE files SET imported_at = '2026-12-01T00:00:00.000Z'")
    con.commit()
    V3_DUMP.write_text("\n".join(con.iterdump()) + "\n", encoding="utf-8")
    con.close()
    gb.export(db, "csv", folder / "export.csv")
    read = {"export_csv": (folder / "export.csv").read_text(encoding="utf-8"),
            "sessions": json.loads(gb.sessions(db).to_json(orient="records")),
            "attempts_frame": json.loads(gb.attempts_frame(db).to_json(orient="records"))}
    V3_READ.write_text(json.dumps(read, indent=1) + "\n", encoding="utf-8")


def old_gradebook(db: Path, version: int, imports: list[tuple[list, str | None]], questions: dict,
                  now_ms: float | None = NOW) -> None:
    """A gradebook of schema `version` (1 to 3) holding the files of `imports` (each a list of paths, and the
    --session given), as the code of that version stored them: each file's learner, session, questions and answers
    (once each, ids in the order first met), the attempts with their session and `at` as text (an attempt identical
    in learner, question, time and answer stored once), the self-ratings. The files must all be accepted."""
    from nasams_course.training import gradebook as gb

    con = sqlite3.connect(db, isolation_level=None)
    con.execute(f"PRAGMA application_id = {gb.APPLICATION_ID}")
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    con.execute("INSERT INTO schema_version VALUES (?)", (version,))
    for script in gb.MIGRATIONS[:version]:
        con.executescript(script)
    reader = gb.Reader(questions, now_ms=now_ms)

    def id_of(table: str, column: str, value: str) -> int:
        con.execute(f"INSERT INTO {table} ({column}) VALUES (?) ON CONFLICT DO NOTHING", (value,))
        return con.execute(f"SELECT id FROM {table} WHERE {column} = ?", (value,)).fetchone()[0]

    for paths, session in imports:
        for record in reader.read_many([str(p) for p in paths], session, set()):
            assert not record.problems, record.problems
            learner = id_of("learners", "name", record.learner)
            if record.session:
                con.execute("INSERT INTO sessions (id) VALUES (?) ON CONFLICT DO NOTHING", (record.session,))
            file = con.execute("INSERT INTO files (name, sha256, imported_at, learner, session) VALUES (?, ?, ?, ?, ?)",
                               (record.name, record.sha256, "2026-12-01T00:00:00.000Z", learner,
                                record.session)).lastrowid
            for question, answer, certainty, at, at_ms in reader.rows(record):
                con.execute("INSERT INTO attempts (learner, session, question, answer, certainty, at, at_ms, file) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                            (learner, record.session, id_of("questions", "question", question),
                             id_of("answers", "answer", answer), certainty, at, at_ms, file))
            for rating in record.ratings:
                con.execute("INSERT INTO self_ratings (provision, stage, rating, at, at_ms, learner, session, file) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                            (*rating, learner, record.session, file))
    con.close()
