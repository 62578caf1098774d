"""The quiz as ipywidgets, for JupyterLab and Jupyter Notebook."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from html import escape
from importlib import resources

import ipywidgets as w

from nasams_course.catalog import Catalog
from nasams_course.content.models import KIND_LABELS, RATING_LABELS, Question
from nasams_course.grading import ItemResult, score_item
from nasams_course.grading.calibration import CERTAINTY_LABELS
from nasams_course.rendering.html import INSTRUCTIONS, NOTHING_CHOSEN, feedback


@cache
def widget_style() -> str:
    """The widgets' style sheet (long options wrap, one per row) plus the book's, for the feedback's classes."""
    static = resources.files("nasams_course.static")
    css = static.joinpath("nasams-widgets.css").read_text("utf-8") + static.joinpath("nasams.css").read_text("utf-8")
    return f"<style>{css}</style>"


class QuizWidget(w.VBox):
    """Stem, inputs for the question's kind, an optional "how sure are you?" (not stated, low, medium, high),
    Submit, and feedback after grading.

    `on_submit(question_id, answer, certainty)` is called with every graded answer (to record it in a session, e.g.
    `Session.record`); certainty is 1, 2, 3 or None when not stated. It never changes the score.
    """

    def __init__(self, question: Question, catalog: Catalog,
                 on_submit: Callable[[str, object, int | None], object] | None = None, ask_certainty: bool = True):
        self.question = question
        self.catalog = catalog
        self.on_submit = on_submit
        self.last_result: ItemResult | None = None
        self.first_result: ItemResult | None = None
        self.stem = w.HTML(f"<p><strong>{escape(KIND_LABELS[question.kind])}.</strong> {escape(question.stem)}</p>"
                           f"<p><em>{escape(INSTRUCTIONS[question.kind])}</em></p>")
        self.inputs = self._build_inputs()
        # 0 stands for "not stated" (a selection widget's None would select nothing at all)
        self.certainty = w.RadioButtons(
            options=[("Not stated", 0)] + [(label.capitalize(), c) for c, label in CERTAINTY_LABELS.items()], value=0,
            description="How sure are you?", orientation="horizontal", style={"description_width": "initial"},
            layout=w.Layout(width="auto", display=None if ask_certainty else "none"))
        self.certainty.add_class("nq-w-certainty")
        self.submit = w.Button(description="Submit", button_style="primary", tooltip="Check your answer")
        self.message = w.HTML()
        self.result = w.HTML()
        self.submit.on_click(lambda _b: self.grade())
        style = w.HTML(widget_style(), layout=w.Layout(display="none"))  # a style sheet, not content
        super().__init__([style, self.stem, self.inputs, self.certainty, self.submit, self.message, self.result])
        self.add_class("nasams-quiz-widget")

    # -- inputs -----------------------------------------------------------------
    def _build_inputs(self) -> w.Widget:
        q = self.question
        if q.kind == "single":
            self.radio = w.RadioButtons(options=[(o.text, o.id) for o in q.options], value=None,
                                        layout=w.Layout(width="auto"))
            return self.radio
        if q.kind == "multi":
            self.checks = {o.id: w.Checkbox(description=o.text, value=False, indent=False,
                                            layout=w.Layout(width="auto")) for o in q.options}
            return w.VBox(list(self.checks.values()))
        if q.kind == "rate":
            self.ratings = {
                o.id: w.RadioButtons(options=[(f"{r} {RATING_LABELS[r]}", r) for r in (1, 2, 3, 4)], value=None,
                                     layout=w.Layout(width="auto"))
                for o in q.options
            }
            rows = [w.VBox([w.HTML(f"<strong>Action {i + 1}:</strong> {escape(o.text)}"), self.ratings[o.id]])
                    for i, o in enumerate(q.options)]
            for row in rows:
                row.add_class("nq-w-rate")
            return w.VBox(rows)
        self.order = [o.id for o in q.options]
        self.steps = w.VBox()
        self._render_steps()
        return self.steps

    def _render_steps(self) -> None:
        rows = []
        n = len(self.order)
        for i, oid in enumerate(self.order):
            fixed = w.Layout(width="auto", flex="0 0 auto")
            up = w.Button(description="Move up", disabled=i == 0, layout=fixed, tooltip=f"Move step {i + 1} up")
            down = w.Button(description="Move down", disabled=i == n - 1, layout=fixed,
                            tooltip=f"Move step {i + 1} down")
            up.on_click(lambda _b, i=i: self.move(i, -1))
            down.on_click(lambda _b, i=i: self.move(i, 1))
            label = w.HTML(f"{i + 1}. {escape(self.question.option(oid).text)}")
            row = w.HBox([up, down, label])
            row.add_class("nq-w-step")
            rows.append(row)
        self.steps.children = rows

    def move(self, index: int, delta: int) -> None:
        """Move the step at `index` up (-1) or down (+1)."""
        j = index + delta
        if 0 <= j < len(self.order):
            self.order[index], self.order[j] = self.order[j], self.order[index]
            self._render_steps()

    def answer(self) -> object:
        """The answer as the inputs stand, in response-file form (None when nothing is chosen)."""
        q = self.question
        if q.kind == "single":
            return self.radio.value
        if q.kind == "multi":
            chosen = [oid for oid, box in self.checks.items() if box.value]
            return chosen or None
        if q.kind == "rate":
            rated = {oid: r.value for oid, r in self.ratings.items() if r.value is not None}
            return rated or None
        return list(self.order)

    # -- grading ----------------------------------------------------------------
    def grade(self) -> ItemResult | None:
        """Grade the current answer and show feedback; with nothing chosen, say what to do."""
        answer = self.answer()
        if answer is None:
            self.message.value = f'<p class="nq-warning" role="alert">{escape(NOTHING_CHOSEN[self.question.kind])}</p>'
            return None
        result = score_item(self.question, answer)
        self.first_result = self.first_result or result
        self.last_result = result
        note = ""
        if self.question.kind == "rate" and len(answer) < len(self.question.options):
            missing = len(self.question.options) - len(answer)
            note = f"<p>{missing} action(s) left unrated count as fully wrong.</p>"
        self.message.value = note
        first = self.first_result.score if self.first_result is not result else None
        self.result.value = feedback(self.question, self.catalog, answer, result.score, result.violations, first)
        if self.on_submit is not None:
            self.on_submit(self.question.id, answer, self.stated_certainty())
        return result

    def stated_certainty(self) -> int | None:
        """The certainty chosen before Submit: 1 low, 2 medium, 3 high, or None (not stated)."""
        return self.certainty.value or None
