BEGIN TRANSACTION;
CREATE TABLE answers (
        id INTEGER PRIMARY KEY,
        answer TEXT NOT NULL UNIQUE
    );
INSERT INTO "answers" VALUES(1,'"b"');
INSERT INTO "answers" VALUES(2,'"a"');
INSERT INTO "answers" VALUES(3,'["a","b"]');
INSERT INTO "answers" VALUES(4,'{"a":4,"b":1,"c":3,"d":2}');
INSERT INTO "answers" VALUES(5,'["a","b","c","d"]');
INSERT INTO "answers" VALUES(6,'["d","c","b","a"]');
INSERT INTO "answers" VALUES(7,'"c"');
INSERT INTO "answers" VALUES(8,'["a","c"]');
INSERT INTO "answers" VALUES(9,'["b","a","c","d"]');
INSERT INTO "answers" VALUES(10,'{"a":1,"b":2,"c":3,"d":4}');
INSERT INTO "answers" VALUES(11,'["z","x","y"]');
CREATE TABLE attempts (
        id INTEGER PRIMARY KEY,
        learner INTEGER NOT NULL REFERENCES learners(id),
        session TEXT REFERENCES sessions(id),
        question INTEGER NOT NULL REFERENCES questions(id),
        answer INTEGER NOT NULL REFERENCES answers(id),
        certainty INTEGER CHECK (certainty BETWEEN 1 AND 3),
        at TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        file INTEGER NOT NULL REFERENCES files(id)
    );
INSERT INTO "attempts" VALUES(1,1,'spring-2026',1,1,1,'2026-11-02T10:00:00.000Z',1793613600000,1);
INSERT INTO "attempts" VALUES(2,1,'spring-2026',1,2,3,'2026-11-02T10:05:00.000Z',1793613900000,1);
INSERT INTO "attempts" VALUES(3,1,'spring-2026',2,3,NULL,'2026-11-02T10:06:00.000Z',1793613960000,1);
INSERT INTO "attempts" VALUES(4,2,'spring-2026',3,4,NULL,'2026-11-02T10:01:00.000Z',1793613660000,2);
INSERT INTO "attempts" VALUES(5,2,'spring-2026',4,5,2,'2026-11-02T10:02:00.000Z',1793613720000,2);
INSERT INTO "attempts" VALUES(6,3,'spring-2026',4,6,NULL,'2026-11-02T10:00:00.000Z',1793613600000,3);
INSERT INTO "attempts" VALUES(7,3,'spring-2026',1,7,2,'2026-11-02T10:00:00.000Z',1793613600000,3);
INSERT INTO "attempts" VALUES(8,3,'spring-2026',1,1,NULL,'2026-11-02T10:00:00.000Z',1793613600000,3);
INSERT INTO "attempts" VALUES(9,3,'spring-2026',2,8,NULL,'2026-11-02T10:30:00.000Z',1793615400000,3);
INSERT INTO "attempts" VALUES(10,1,NULL,4,9,NULL,'2026-11-02T11:00:00.000Z',1793617200000,4);
INSERT INTO "attempts" VALUES(11,1,'autumn-2026',3,10,1,'2026-11-20T10:00:00.000Z',1795168800000,5);
INSERT INTO "attempts" VALUES(12,4,NULL,5,11,3,'2026-11-03T08:00:00.000Z',1793692800000,6);
CREATE TABLE certificates (
        id TEXT PRIMARY KEY,
        learner TEXT NOT NULL,
        session TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        issued_by TEXT NOT NULL,
        key_id TEXT NOT NULL,
        token_sha256 TEXT NOT NULL UNIQUE CHECK (length(token_sha256) = 64),
        revoked_at TEXT,
        reason TEXT
    );
CREATE TABLE files (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        sha256 TEXT NOT NULL UNIQUE,
        imported_at TEXT NOT NULL,
        learner INTEGER NOT NULL REFERENCES learners(id),
        session TEXT REFERENCES sessions(id)
    );
INSERT INTO "files" VALUES(1,'ana-1.json','26994fdd092000a829d2d6b131be1a80365f14559f48a817f70eb1a6d33d65c5','2026-12-01T00:00:00.000Z',1,'spring-2026');
INSERT INTO "files" VALUES(2,'bo.json','20b79e2bcecafac9fc0c48cf8291f5d47126a6f4162884101c34d263df8b3b9c','2026-12-01T00:00:00.000Z',2,'spring-2026');
INSERT INTO "files" VALUES(3,'cy.json','769aff5e99a8923dac4f72f358b8d0115a8a5f976297709d9ef9c60c88576866','2026-12-01T00:00:00.000Z',3,'spring-2026');
INSERT INTO "files" VALUES(4,'ana-2.json','acde1ff8ece01c012c25a02a5fb99589ec0b78f99597ad1f79ec8902550877f8','2026-12-01T00:00:00.000Z',1,NULL);
INSERT INTO "files" VALUES(5,'ana-autumn.json','74724229b416a84a0231c905424f73ea8538fc85a3d77ab015d46a456ed4aaba','2026-12-01T00:00:00.000Z',1,'autumn-2026');
INSERT INTO "files" VALUES(6,'di.json','2866cf2d13af56c4be2c133f0ebef0d273caeafdad7e009a06d1231f6d49c6fd','2026-12-01T00:00:00.000Z',4,NULL);
CREATE TABLE learners (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
    );
INSERT INTO "learners" VALUES(1,'Ana Ruiz');
INSERT INTO "learners" VALUES(2,'Bo Chen');
INSERT INTO "learners" VALUES(3,'Cy Park');
INSERT INTO "learners" VALUES(4,'Di');
CREATE TABLE questions (
        id INTEGER PRIMARY KEY,
        question TEXT NOT NULL UNIQUE
    );
INSERT INTO "questions" VALUES(1,'g-single');
INSERT INTO "questions" VALUES(2,'g-multi');
INSERT INTO "questions" VALUES(3,'g-rate');
INSERT INTO "questions" VALUES(4,'g-order');
INSERT INTO "questions" VALUES(5,'g-order3');
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO "schema_version" VALUES(3);
CREATE TABLE self_ratings (
        id INTEGER PRIMARY KEY,
        learner INTEGER NOT NULL REFERENCES learners(id),
        session TEXT REFERENCES sessions(id),
        provision TEXT NOT NULL,
        stage TEXT NOT NULL CHECK (stage = 'before' OR stage = 'after'),
        rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
        at TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        file INTEGER NOT NULL REFERENCES files(id)
    );
INSERT INTO "self_ratings" VALUES(1,2,'spring-2026','S5','before',2,'2026-11-02T09:59:00.000Z',1793613540000,2);
INSERT INTO "self_ratings" VALUES(2,1,'autumn-2026','S5','after',4,'2026-11-20T10:01:00.000Z',1795168860000,5);
CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        title TEXT
    );
INSERT INTO "sessions" VALUES('spring-2026',NULL);
INSERT INTO "sessions" VALUES('autumn-2026',NULL);
CREATE INDEX files_by_learner ON files(learner);
CREATE INDEX files_by_session ON files(session);
CREATE UNIQUE INDEX attempts_identical ON attempts(learner, question, at_ms, answer);
CREATE INDEX attempts_by_session ON attempts(session, learner);
CREATE UNIQUE INDEX self_ratings_identical ON self_ratings(learner, provision, stage, at_ms, rating);
CREATE INDEX self_ratings_by_session ON self_ratings(session, learner);
CREATE VIEW attempts_readable AS
        SELECT a.id, l.name AS learner, a.session, q.question, an.answer, a.certainty, a.at, a.at_ms,
               f.name AS file
        FROM attempts a JOIN learners l ON l.id = a.learner JOIN questions q ON q.id = a.question
        JOIN answers an ON an.id = a.answer JOIN files f ON f.id = a.file;
CREATE INDEX certificates_by_session ON certificates(session, learner);
COMMIT;
