"""Cross-reference and keying checks that a single file's schema cannot express."""

from __future__ import annotations

from nasams_course.catalog import Catalog, cited_provisions, load_catalog
from nasams_course.content.models import Bank
from nasams_course.content.problems import Problem

MIN_OPTIONS = 3


def check_bank(bank: Bank, catalog: Catalog | None = None) -> list[Problem]:
    """Every problem with references and keys across the bank."""
    catalog = catalog or load_catalog()
    known = set(catalog.ids)
    problems: list[Problem] = []

    def unknown_provisions(path: str, fld: str, ids: list[str]) -> None:
        for i, pid in enumerate(ids):
            if pid not in known:
                problems.append(Problem(path, f"{fld}[{i}]", f"unknown provision {pid!r}"))
        seen = set()
        for pid in ids:
            if pid in seen:
                problems.append(Problem(path, fld, f"provision {pid!r} is listed twice"))
            seen.add(pid)

    for cid, chapter in bank.chapters.items():
        unknown_provisions(bank.path_of("chapter", cid), "provisions", chapter.provisions)
    for vid, vignette in bank.vignettes.items():
        unknown_provisions(bank.path_of("vignette", vid), "provisions", vignette.provisions)

    for qid, q in bank.questions.items():
        path = bank.path_of("question", qid)
        unknown_provisions(path, "provisions", q.provisions)
        if q.vignette is not None and q.vignette not in bank.vignettes:
            problems.append(Problem(path, "vignette", f"unknown vignette {q.vignette!r}"))
        problems += _check_options(path, q, catalog)
    return problems


def _check_options(path: str, q, catalog: Catalog) -> list[Problem]:
    problems: list[Problem] = []
    known = set(catalog.ids)
    ids = [o.id for o in q.options]
    for i, oid in enumerate(ids):
        if ids.index(oid) != i:
            problems.append(Problem(path, f"options[{i}].id", f"duplicate option id {oid!r}"))
    if q.kind != "order" and len(q.options) < MIN_OPTIONS:
        problems.append(Problem(path, "options", f"a {q.kind} question needs at least {MIN_OPTIONS} options"))
    for i, o in enumerate(q.options):
        cited = cited_provisions(o.rationale)
        where = f"options[{i}].rationale"
        if not cited:
            problems.append(Problem(path, where, "the rationale cites no provision id (e.g. 'S5', 'E4a')"))
        for pid in cited:
            if pid not in known:
                problems.append(Problem(path, where, f"cites unknown provision {pid!r}"))
        for j, pid in enumerate(getattr(o, "violation", None) or ()):
            fld = f"options[{i}].violation[{j}]"
            if pid not in known:
                problems.append(Problem(path, fld, f"unknown provision {pid!r}"))
                continue
            if not catalog.provision(pid).can_be_violated:
                problems.append(Problem(
                    path, fld,
                    f"{pid} is recommended (should/may) and cannot be breached: a violation names "
                    "the mandatory or prohibited provisions it breaches"))
            if pid not in q.provisions:
                problems.append(Problem(path, fld, f"{pid} is breached here but not in the question's "
                                        f"provisions ({', '.join(q.provisions)}): add it there"))
            if pid not in cited:
                problems.append(Problem(path, fld, f"the rationale must cite {pid}, the provision this option "
                                        "breaches"))
        breached = getattr(o, "violation", None) or []
        if len(set(breached)) != len(breached):
            problems.append(Problem(path, f"options[{i}].violation", "a provision is listed twice"))
    if q.kind == "single":
        if not any(o.credit == 1 for o in q.options):
            problems.append(Problem(path, "options", "a single question needs one option with credit 1"))
        for i, o in enumerate(q.options):
            if o.violation and o.credit > 0:
                problems.append(Problem(path, f"options[{i}].credit", "an option marked violation must have credit 0"))
    elif q.kind == "multi":
        if not any(o.correct for o in q.options):
            problems.append(Problem(path, "options", "a multi question needs at least one option with correct: true"))
        if all(o.correct for o in q.options):
            problems.append(Problem(path, "options", "a multi question needs at least one option with correct: "
                                    "false (otherwise selecting everything scores full marks)"))
        for i, o in enumerate(q.options):
            if o.violation and o.correct:
                problems.append(Problem(path, f"options[{i}].correct", "an option marked violation cannot be correct"))
    elif q.kind == "rate":
        for i, o in enumerate(q.options):
            if o.violation and o.key >= 3:
                problems.append(Problem(path, f"options[{i}].key",
                                        "an option marked violation must be keyed 1 or 2 (inappropriate)"))
    elif q.kind == "order":
        if len(q.options) < 3:
            problems.append(Problem(path, "options", "an order question needs at least 3 steps"))
        if sorted(q.key) != sorted(ids) or len(set(q.key)) != len(q.key):
            problems.append(Problem(path, "key", "the key must list every option id exactly once"))
        elif q.shown_tau > 0:
            problems.append(Problem(
                path, "options",
                f"the steps are first shown in an order that agrees with the key (Kendall's tau "
                f"{q.shown_tau:+.2f}); list them so that tau <= 0, or an untouched submission scores above 0"))
    return problems
