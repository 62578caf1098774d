"""A learner's answers in a notebook session, turned into a profile or a response file."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from nasams_course.catalog import load_catalog
from nasams_course.content.models import Bank
from nasams_course.grading import Attempt, Report, grade
from nasams_course.responses import read_responses, to_json


@dataclass
class Session:
    """Attempts made in this notebook session, in the order they were made."""

    learner: str = ""
    attempts: list[Attempt] = field(default_factory=list)

    def record(self, question: str, answer: object) -> Attempt:
        """Keep one submitted answer. Every attempt is kept; the latest of a question counts, the first is
        reported beside it."""
        attempt = Attempt(question, answer, time.time() * 1000, len(self.attempts))
        self.attempts.append(attempt)
        return attempt

    def report(self, bank: Bank, questions: list[str] | None = None) -> Report:
        """Grade the session against the whole bank, or against the listed questions."""
        scope = bank.questions if questions is None else {q: bank.questions[q] for q in questions}
        attempts = [a for a in self.attempts if a.question in scope]
        return grade(scope, attempts, learner=self.learner)

    def profile(self, bank: Bank, questions: list[str] | None = None) -> pd.DataFrame:
        """One row per provision in scope: domain, score, level, critical error."""
        return profile_frame(self.report(bank, questions))

    def save(self, path: str | Path, learner: str | None = None) -> Path:
        """Write the session as a `nasams-course/responses@2` file (every attempt). The file says whose answers these
        are: give `learner` here or set `SESSION.learner` first; a file without a name is refused."""
        if learner is not None:
            self.learner = learner.strip()
        if not self.learner.strip():
            raise ValueError("whose answers are these? Save with your name: "
                             "SESSION.save('my-responses.json', learner='Your Name')")
        path = Path(path)
        path.write_text(json.dumps(to_json(self.learner, self.attempts), indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
        return path

    def load(self, path: str | Path, bank: Bank) -> list[str]:
        """Add the attempts of a response file; return a message for every entry skipped."""
        loaded = read_responses(Path(path), bank.questions)
        if not self.learner:
            self.learner = loaded.learner
        offset = len(self.attempts)
        self.attempts += [Attempt(a.question, a.answer, a.at, offset + a.seq) for a in loaded.attempts]
        return loaded.problems


def profile_frame(report: Report) -> pd.DataFrame:
    """A provision profile table from a report."""
    catalog = load_catalog()
    rows = [
        {
            "provision": p.id,
            "title": catalog.provision(p.id).title,
            "domain": catalog.provision(p.id).domain,
            "answered": p.answered,
            "score": None if p.score is None else round(p.score, 3),
            "first_score": None if p.first_score is None else round(p.first_score, 3),
            "level": p.level or "not attempted",
            "critical": p.critical,
        }
        for p in report.provisions
    ]
    return pd.DataFrame(rows, columns=["provision", "title", "domain", "answered", "score", "first_score", "level",
                                       "critical"])


def domain_frame(report: Report) -> pd.DataFrame:
    """A domain profile table from a report."""
    catalog = load_catalog()
    rows = [
        {"domain": d.id, "title": catalog.domain(d.id).title,
         "score": None if d.score is None else round(d.score, 3), "level": d.level or "not attempted"}
        for d in report.domains
    ]
    return pd.DataFrame(rows, columns=["domain", "title", "score", "level"])
