"""Deterministic, escaped HTML for the book and for notebook outputs."""

from __future__ import annotations

import json
from html import escape

from nasams_course.catalog import PART_TITLES, STRENGTH_LABELS, Catalog, Provision, cited_provisions
from nasams_course.content.models import KIND_LABELS, RATING_LABELS, Chapter, Question, Vignette
from nasams_course.grading.levels import level_for

SETTING_LABELS = {"capital": "Capital case", "non-capital": "Non-capital case", "either": "Capital or non-capital"}


def paragraphs(text: str, keep_lines: bool = False) -> str:
    """Escaped text as paragraphs: blank lines separate paragraphs; single newlines are spaces
    (wrapped prose) or, with keep_lines, line breaks (the code's own line structure)."""
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    joiner = "<br>" if keep_lines else " "
    return "".join("<p>" + joiner.join(escape(line.strip()) for line in b.split("\n")) + "</p>" for b in blocks)


def provision_card(p: Provision, catalog: Catalog) -> str:
    """The provision's verbatim text with its part, strength and domain."""
    domain = catalog.domain(p.domain)
    note = f'<p class="nasams-provision-note">{escape(p.note)}</p>' if p.note else ""
    return (
        f'<div class="nasams-provision" data-provision="{escape(p.id)}" data-strength="{escape(p.strength)}">'
        f'<p class="nasams-provision-meta"><strong>{escape(p.id)}</strong> · {escape(PART_TITLES[p.part])} · '
        f'<span class="nasams-strength">{escape(STRENGTH_LABELS[p.strength])}</span> · '
        f"Domain: {escape(domain.title)}</p>"
        f'<blockquote class="nasams-provision-text">{paragraphs(p.text, keep_lines=True)}</blockquote>{note}</div>'
    )


def chapter_intro(ch: Chapter, catalog: Catalog, cases: list[Vignette] = (), sealed: bool = False) -> str:
    """Time estimate, provisions covered and learning objectives of a chapter; a list to jump to its cases. Sealed
    (an assessment), its answers panel links to the list of answered questions, not to a progress page."""
    provs = ", ".join(f'<a href="#provision-{p.lower()}">{escape(p)}</a>' if ch.part != "capstone" else escape(p)
                      for p in ch.provisions)
    objectives = "".join(f"<li>{escape(o)}</li>" for o in ch.objectives)
    return (
        f'<div class="nasams-chapter-intro" data-chapter="{escape(ch.id)}">'
        f'<p><strong>Estimated time:</strong> {ch.minutes} minutes · <strong>Provisions:</strong> {provs}</p>'
        f"<p><strong>By the end of this chapter you should be able to:</strong></p><ul>{objectives}</ul>"
        + ('<nav class="nasams-jump" aria-label="Cases in this chapter"><p><strong>Jump to a case:</strong></p><ol>'
           + "".join(f'<li><a href="#case-{escape(v.id)}">{escape(v.title)}</a></li>' for v in cases) + "</ol></nav>"
           if cases else "")
        + '<p class="nasams-disclaimer">This course is training, not legal advice. Laws and court rules differ '
        f"between jurisdictions: ask counsel of record what applies in your case.</p>"
        f"{answers_panel(chapter=True, sealed=sealed)}"
        f'{self_rating_form(ch, catalog, "before") if ch.part != "capstone" else ""}</div>'
    )


def vignette_card(v: Vignette) -> str:
    """A vignette's narrative and setting (not the provisions it exercises: finding them is the exercise)."""
    return (
        f'<div class="nasams-vignette" id="case-{escape(v.id)}" data-vignette="{escape(v.id)}">'
        f'<p class="nasams-vignette-meta"><strong>{escape(v.title)}</strong> · {escape(SETTING_LABELS[v.setting])}'
        f"</p>{paragraphs(v.narrative)}</div>"
    )


def discussion_list(v: Vignette) -> str:
    """Seminar discussion prompts for a vignette."""
    items = "".join(f"<li>{escape(d)}</li>" for d in v.discussion)
    return (f'<div class="nasams-discussion" data-vignette="{escape(v.id)}">'
            f"<p><strong>For discussion</strong></p><ol>{items}</ol></div>")


def cited_in(q: Question, catalog: Catalog) -> list[str]:
    """The provisions a question assesses, then those its rationales cite."""
    cited: list[str] = list(q.provisions)
    for o in q.options:
        for pid in cited_provisions(o.rationale):
            if pid not in cited and pid in catalog.ids:
                cited.append(pid)
    return cited


#: an option's fields that hold its key: credit, correct, keyed rating, violation flag (and an order question's key)
KEY_FIELDS = ("credit", "correct", "key", "violation")


def quiz_data(q: Question, sealed: bool = False) -> dict:
    """What the browser grader needs: the question's kind, provisions and keys (texts are in the HTML). Sealed (an
    assessment), no key: the option ids only, with which the browser checks the shape of an answer it saves."""
    keep = {"id"} if sealed else {"id", *KEY_FIELDS}
    data: dict = {
        "id": q.id,
        "kind": q.kind,
        "provisions": list(q.provisions),
        "options": [o.model_dump(include=keep, exclude_none=True) for o in q.options],
    }
    if q.kind == "order" and not sealed:
        data["key"] = list(q.key)
    return data


def script_json(data: object) -> str:
    """JSON safe to place inside a <script> element (no `<` can close it)."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def _option_inputs(q: Question) -> str:
    qid = escape(q.id)
    if q.kind in ("single", "multi"):
        kind = "radio" if q.kind == "single" else "checkbox"
        rows = []
        for o in q.options:
            oid = f"{qid}--{escape(o.id)}"
            rows.append(
                f'<div class="nq-option" data-option="{escape(o.id)}">'
                f'<input type="{kind}" id="{oid}" name="{qid}" value="{escape(o.id)}">'
                f'<label for="{oid}">{escape(o.text)}</label></div>'
            )
        return f'<div class="nq-options">{"".join(rows)}</div>'
    if q.kind == "rate":
        rows = []
        for i, o in enumerate(q.options):
            name = f"{qid}--{escape(o.id)}"
            choices = "".join(
                f'<span class="nq-rating"><input type="radio" id="{name}--{r}" name="{name}" value="{r}">'
                f'<label for="{name}--{r}">{r} <span class="nq-rating-label">{escape(RATING_LABELS[r])}</span>'
                "</label></span>"
                for r in (1, 2, 3, 4)
            )
            rows.append(
                f'<fieldset class="nq-rate-option" data-option="{escape(o.id)}">'
                f'<legend>Action {i + 1}: {escape(o.text)}</legend>{choices}</fieldset>'
            )
        return f'<div class="nq-options">{"".join(rows)}</div>'
    rows = []
    n = len(q.options)
    for i, o in enumerate(q.options):
        rows.append(
            f'<li class="nq-step" data-option="{escape(o.id)}"><span class="nq-step-text">{escape(o.text)}</span> '
            f'<span class="nq-step-buttons">'
            f'<button type="button" class="nq-up" data-move="-1"{" disabled" if i == 0 else ""}>'
            f'Move up<span class="nq-sr"> (step {i + 1} of {n})</span></button> '
            f'<button type="button" class="nq-down" data-move="1"{" disabled" if i == n - 1 else ""}>'
            f'Move down<span class="nq-sr"> (step {i + 1} of {n})</span></button></span></li>'
        )
    return f'<ol class="nq-steps" aria-label="Steps, first to last">{"".join(rows)}</ol>'


NOTHING_CHOSEN = {
    "single": "Choose an answer, then press Submit.",
    "multi": "Select at least one option, then press Submit.",
    "rate": "Rate at least one action (1 to 4), then press Submit.",
    "order": "Put the steps in order, then press Submit.",
}
#: a sealed form's button (an assessment: the answer is saved, with no feedback), and what it says once saved
SEALED_SUBMIT = "Save answer"
SEALED_SAVED = "Saved. You will get feedback from your trainer."
INSTRUCTIONS = {
    "single": "Choose the one best answer.",
    "multi": "Select every option that applies.",
    "rate": "Rate every action from 1 (very inappropriate) to 4 (very appropriate).",
    "order": "Use the Move up and Move down buttons to put the steps in order, first step at the top.",
}


#: certainty-based marking: how sure the learner is (stored with the attempt; it never changes a score)
CERTAINTY_LABELS = {1: "Low", 2: "Medium", 3: "High"}
#: self-ratings of readiness, before and after a chapter
READINESS_LABELS = {1: "Not yet ready", 2: "Partly ready", 3: "Ready", 4: "Could teach it"}


def _radios(name: str, choices: dict) -> str:
    return "".join(
        f'<span class="nq-rating"><input type="radio" id="{name}--{v}" name="{name}" value="{v}"'
        f'{" checked" if v == "" else ""}>'
        f'<label for="{name}--{v}">{escape(label)}</label></span>'
        for v, label in choices.items())


def _certainty(qid: str) -> str:
    return (f'<fieldset class="nq-certainty"><legend>How sure are you? <span class="nq-optional">Optional; it never '
            f'changes your score.</span></legend>{_radios(f"{qid}--certainty", {"": "Not stated", **CERTAINTY_LABELS})}'
            "</fieldset>")


def self_rating_form(ch: Chapter, catalog: Catalog, stage: str) -> str:
    """"How ready are you to apply these provisions?", before or after a chapter (optional; shown by the browser)."""
    when = "Before you start" if stage == "before" else "Now that you have finished"
    rows = "".join(
        f'<fieldset class="nq-rate-option" data-provision="{escape(pid)}"><legend>{escape(pid)} · '
        f'{escape(catalog.provision(pid).title)}</legend>'
        f'{_radios(f"sr-{stage}-{escape(pid)}", {r: f"{r} {label}" for r, label in READINESS_LABELS.items()})}'
        "</fieldset>"
        for pid in ch.provisions)
    return (
        f'<form class="nasams-self-rating" data-stage="{stage}" data-chapter="{escape(ch.id)}" hidden novalidate>'
        f'<fieldset><legend>{when}: how ready are you to apply these provisions?</legend>'
        '<p class="nq-instructions">Optional. Rate each from 1 (not yet ready) to 4 (could teach it). Your progress '
        "page sets your ratings beside your measured level; they never change a score.</p>"
        f'{rows}</fieldset><div class="nq-actions"><button type="submit">Save my ratings</button></div>'
        '<p role="status" aria-live="polite" data-role="status"></p></form>'
    )


def quiz_form(q: Question, catalog: Catalog, sealed: bool = False) -> str:
    """The static, accessible HTML form of a question, graded in the browser by nasams-quiz.js. Sealed (an
    assessment), it carries no key and no feedback: Save answer keeps the answer (and certainty) and says so."""
    qid = escape(q.id)
    submit = SEALED_SUBMIT if sealed else "Submit"
    empty = NOTHING_CHOSEN[q.kind].replace("Submit", submit)
    saved = f' data-saved="{escape(SEALED_SAVED)}"' if sealed else ""
    result = "" if sealed else f'<div class="nq-result" data-role="result" hidden>{feedback(q, catalog)}</div>'
    return (
        f'<form class="nasams-quiz" id="quiz-{qid}" data-question="{qid}" data-kind="{q.kind}" '
        f'data-empty="{escape(empty)}"{saved} novalidate>'
        f'<fieldset class="nq-question"><legend class="nq-stem"><span class="nq-kind">{escape(KIND_LABELS[q.kind])}'
        f'</span> {escape(q.stem)}</legend><p class="nq-instructions">{escape(INSTRUCTIONS[q.kind])}</p>'
        f"{_option_inputs(q)}</fieldset>{_certainty(qid)}"
        f'<div class="nq-actions"><button type="submit" class="nq-submit">{submit}</button></div>'
        '<div class="nq-status" role="status" aria-live="polite" data-role="status"></div>'
        '<p class="nq-sr" role="status" data-role="announce"></p>'
        f"{result}"
        f'<script type="application/json" class="nq-data">{script_json(quiz_data(q, sealed))}</script>'
        f'<noscript><p class="nq-noscript">This quiz needs JavaScript to {"save" if sealed else "check"} your answer.'
        "</p></noscript></form>"
    )


def percent(score: float) -> str:
    """A score as a whole percentage, e.g. 0.75 -> '75%' (halves round up, as in the browser)."""
    return f"{int(score * 100 + 0.5 + 1e-9)}%"


def key_label(q: Question, o) -> str:
    if q.kind == "single":
        return {1: "best answer", 0.5: "partly right", 0: "not the best answer"}[o.credit]
    if q.kind == "multi":
        return "applies" if o.correct else "does not apply"
    if q.kind == "rate":
        return f"keyed {o.key} ({RATING_LABELS[o.key].lower()})"
    return f"belongs at step {q.key.index(o.id) + 1}"


def _mine(q: Question, answer: object, o) -> str:
    """What the learner did with this option (empty before an answer)."""
    if answer is None:
        return ""
    if q.kind == "single":
        return "your choice; " if answer == o.id else ""
    if q.kind == "multi":
        return "selected; " if o.id in answer else "not selected; "
    if q.kind == "rate":
        return f"you rated {answer[o.id]}; " if o.id in answer else "not rated; "
    return f"you placed it {answer.index(o.id) + 1}; " if o.id in answer else "not placed; "


CRITICAL_LEVEL = "Beginning (critical error)"


def instead(q: Question) -> list:
    """What to do instead of a violation: the keyed conduct (the best answer, the options that apply, or the
    actions keyed most appropriate)."""
    if q.kind == "single":
        return [o for o in q.options if o.credit == 1]
    if q.kind == "multi":
        return [o for o in q.options if o.correct]
    if q.kind == "rate":
        top = max(o.key for o in q.options)
        return [o for o in q.options if o.key == top]
    return []


def critical_box(q: Question, catalog: Catalog, violations: tuple[str, ...] | None) -> str:
    """The critical error, after the level line: what was chosen, what it breaches (provision id, title and the
    clause itself), then what to do instead. With violations=None it is the static form's hidden template, listing
    every violation option (hidden); the browser shows the box and the options actually chosen."""
    template = violations is None
    if template:
        options = [o for o in q.options if getattr(o, "violation", False)]
    else:
        options = [q.option(v) for v in violations]
    hide = " hidden" if template else ""
    items = "".join(
        f'<li data-option="{escape(o.id)}"{hide}><p>You chose: <strong>{escape(o.text)}</strong></p>'
        + "".join(
            f'<p>It breaches <strong data-role="breach">{escape(pid)} · {escape(catalog.provision(pid).title)}'
            f'</strong>:</p><blockquote class="nq-clause">{paragraphs(catalog.provision(pid).text, keep_lines=True)}'
            "</blockquote>"
            for pid in o.violation)
        + "</li>"
        for o in options)
    better = "; ".join(escape(o.text) for o in instead(q))
    role = "" if template else ' data-role="critical"'
    return (f'<div class="nq-critical"{role}{hide}><p><strong>Critical error.</strong> You chose conduct the code '
            "forbids. The question's level, and the level of each provision it breaches, is Beginning until you "
            f"answer it again without the violation.</p><ul>{items}</ul>"
            f'<p class="nq-instead"><strong>What to do instead:</strong> {better}</p></div>')


def feedback(q: Question, catalog: Catalog, answer: object = None, score: float | None = None,
             violations: tuple[str, ...] = (), first_score: float | None = None, cited_open: bool = False) -> str:
    """Score, level, critical-error warning, per-option rationale and cited provision text (`cited_open`: shown open,
    as on a page handed back, rather than folded).

    With no answer it is the skeleton the static form carries (hidden), which the browser fills in.
    """
    shown = "" if score is None else percent(score)
    level = "" if score is None else CRITICAL_LEVEL if violations else level_for(score)
    parts = [
        f'<div class="nq-feedback" data-question="{escape(q.id)}">'
        '<h4 class="nq-feedback-h" tabindex="-1" data-role="heading">Feedback</h4>',
        f'<p class="nq-score-line">Level: <strong data-role="level">{escape(level)}</strong> · Score: '
        f'<strong data-role="score">{shown}</strong></p>',
        f'<p class="nq-first-line" data-role="first-line"{" hidden" if first_score is None else ""}>'
        f'Your first attempt scored <strong data-role="first">{"" if first_score is None else percent(first_score)}'
        "</strong>; the latest attempt is the one that counts, and both are kept in your response file.</p>",
    ]
    if answer is None:
        parts.append(critical_box(q, catalog, None))  # the static form's hidden template
    elif violations:
        parts.append(critical_box(q, catalog, violations))
    parts.append(option_reasons(q, catalog, answer, cited_open) + "</div>")
    return "".join(parts)


def option_reasons(q: Question, catalog: Catalog, answer: object = None, cited_open: bool = False) -> str:
    """The feedback's reasons: every option (an order question's in the keyed order) with what the learner did with
    it, its key and its rationale; then the text of the provisions the question assesses and its rationales cite."""
    options = [q.option(k) for k in q.key] if q.kind == "order" else q.options
    rows = []
    for o in options:
        breached = getattr(o, "violation", None)
        flag = (f' <span class="nq-violation-tag">violation of {escape(", ".join(breached))}</span>'
                if breached else "")
        rows.append(
            f'<li data-option="{escape(o.id)}"><p><strong class="nq-option-text">{escape(o.text)}</strong>{flag}</p>'
            f'<p class="nq-option-status"><span data-role="mine">{escape(_mine(q, answer, o))}</span>'
            f"{escape(key_label(q, o))}</p>"
            f'<p class="nq-rationale">{escape(o.rationale)}</p></li>'
        )
    title = "The correct order, with reasons" if q.kind == "order" else "Each option, with reasons"
    provs = "".join(
        f'<details class="nq-cited"{" open" if cited_open else ""}><summary>{escape(pid)} · '
        f"{escape(catalog.provision(pid).title)}</summary>"
        f"{paragraphs(catalog.provision(pid).text, keep_lines=True)}</details>"
        for pid in cited_in(q, catalog)
    )
    return (f'<div data-role="feedback"><p><strong>{title}</strong></p><ul class="nq-option-feedback">'
            f'{"".join(rows)}</ul><div class="nq-cited-list"><p><strong>Provisions cited</strong></p>{provs}</div>'
            "</div>")


#: where the answers panel sends the learner: the progress page, or in a sealed book the list of answered questions
PANEL_LINK = {False: "See your progress", True: "See which questions you have answered"}


def answers_panel(chapter: bool = False, sealed: bool = False) -> str:
    """Where the browser shows the learner's saved answers, with download, import and clear (on a chapter page, its
    own answers; elsewhere, all of them); and, in print only, a Name and Date line to write on (nasams-print.css)."""
    scope, label = ("chapter", "Clear this chapter's answers") if chapter else ("course", "Clear all my answers")
    clear = f'<button type="button" data-action="clear" data-scope="{scope}">{label}</button>'
    return (
        '<section class="nasams-answers" aria-label="Your saved answers" hidden>'
        '<p data-role="print-id" hidden>Name: <span data-role="print-name"></span> '
        'Date: <span data-role="print-date"></span></p>'
        '<p><strong>Your answers:</strong> <span data-role="count">kept in this browser only.</span> '
        f'<a href="../orientation/progress.html">{PANEL_LINK[sealed]}</a></p>'
        '<p><label for="nasams-learner">Your name, for the response file:</label> '
        '<input type="text" id="nasams-learner" autocomplete="name"></p>'
        '<p class="nasams-warning" data-role="storage-warning" hidden></p>'
        f'<p><button type="button" data-action="download">Download my answers</button> {clear} '
        '<button type="button" data-action="undo" hidden>Undo import</button></p>'
        '<p><label for="nasams-import">Import response files (one or several):</label> '
        '<input type="file" id="nasams-import" accept=".json,application/json" multiple></p>'
        '<p role="status" aria-live="polite" data-role="panel-status"></p>'
        '<p data-role="import-plan" hidden><button type="button" data-action="apply">Add to my answers</button> '
        '<button type="button" data-action="cancel">Cancel</button></p></section>'
    )
