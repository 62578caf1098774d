"""What chapter pages and workbooks call: provision text, vignettes, quizzes, and the learner's session.

Each helper returns an object that shows as HTML in the static book and, for quizzes, as an
interactive ipywidget in Jupyter.
"""

from __future__ import annotations

from IPython.display import display

from nasams_course.catalog import load_catalog
from nasams_course.content.loader import course_bank, find_root, page_vignettes, session_manifest
from nasams_course.content.models import Bank
from nasams_course.rendering import html
from nasams_course.session import Session, domain_frame, profile_frame
from nasams_course.widgets import QuizWidget

SESSION = Session()


def bank() -> Bank:
    """The course's validated content (raises ContentError listing every problem)."""
    return course_bank()


def sealed() -> bool:
    """In a session book built for assessment (mode: assessment): its pages carry no key, no feedback and no score;
    the learner's answers are saved and downloaded, and the trainer grades them."""
    manifest = session_manifest(find_root())
    return bool(manifest) and manifest.get("mode") == "assessment"


def _lookup(kind: str, store: dict, item_id: str):
    if item_id not in store:
        raise KeyError(f"unknown {kind} {item_id!r}: check the id (`nasams-course questions` lists them)")
    return store[item_id]


class HTMLBlock:
    """A piece of escaped HTML that shows in notebooks and in the book."""

    def __init__(self, body: str, text: str):
        self.body = body
        self.text = text

    def _repr_html_(self) -> str:
        return self.body

    def __repr__(self) -> str:
        return self.text


class Quiz:
    """A question: an ipywidget in Jupyter, a static HTML form (graded by JavaScript) in the book."""

    def __init__(self, qid: str, session: Session | None = None):
        self.question = _lookup("question", bank().questions, qid)
        self.session = session or SESSION
        self._widget: QuizWidget | None = None

    @property
    def widget(self) -> QuizWidget:
        if self._widget is None:
            self._widget = QuizWidget(self.question, load_catalog(), on_submit=self.session.record)
        return self._widget

    def html(self) -> str:
        return html.quiz_form(self.question, load_catalog(), sealed=sealed())

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        # sealed, no widget either: the widget grades with the key
        bundle = {} if sealed() else dict(self.widget._repr_mimebundle_() or {})
        bundle["text/html"] = self.html()
        bundle["text/plain"] = f"Quiz {self.question.id}: {self.question.stem}"
        return bundle


def provision(pid: str) -> HTMLBlock:
    """The provision's verbatim text from the catalog."""
    catalog = load_catalog()
    p = catalog.provision(pid)
    return HTMLBlock(html.provision_card(p, catalog), f"{p.id}: {p.text}")


def chapter_intro(cid: str) -> HTMLBlock:
    """A chapter's time estimate, provisions and learning objectives."""
    b = bank()
    ch = _lookup("chapter", b.chapters, cid)
    cases = [b.vignettes[v] for v in page_vignettes(find_root(), b, cid)]
    return HTMLBlock(html.chapter_intro(ch, load_catalog(), cases, sealed=sealed()),
                     f"{ch.title} ({ch.minutes} minutes)")


def self_rating(cid: str, stage: str = "after") -> HTMLBlock:
    """The chapter's "how ready are you?" self-rating (the intro carries the "before" one). In the book the browser
    saves it; in Jupyter, record ratings with SESSION.rate(provision, stage, rating)."""
    ch = _lookup("chapter", bank().chapters, cid)
    return HTMLBlock(html.self_rating_form(ch, load_catalog(), stage), "")


def vignette(vid: str) -> HTMLBlock:
    """A vignette's narrative."""
    v = _lookup("vignette", bank().vignettes, vid)
    return HTMLBlock(html.vignette_card(v), f"{v.title}\n\n{v.narrative}")


def discussion(vid: str) -> HTMLBlock:
    """A vignette's seminar discussion prompts."""
    v = _lookup("vignette", bank().vignettes, vid)
    return HTMLBlock(html.discussion_list(v), "\n".join(f"- {d}" for d in v.discussion))


def quiz(qid: str) -> Quiz:
    """One question, ready to answer."""
    return Quiz(qid)


def quizzes_for(vid: str) -> None:
    """Show every question of a vignette, in bank order."""
    _lookup("vignette", bank().vignettes, vid)
    for q in bank().questions_of_vignette(vid):
        display(Quiz(q.id))


def my_profile(questions: list[str] | None = None):
    """This session's provision profile (optionally for some questions only)."""
    return profile_frame(SESSION.report(bank(), questions))


def my_domains(questions: list[str] | None = None):
    """This session's domain profile."""
    return domain_frame(SESSION.report(bank(), questions))


def my_progress(questions: list[str] | None = None):
    """This session's progress record, as the book's "Your progress" page shows it: overall, critical errors,
    domains, provisions with a chart, certainty and self-ratings. End a cell with it to show it."""
    return SESSION.progress(bank(), questions)


def coverage_map() -> HTMLBlock:
    """The trainer's planning page: every provision with its title, chapters (number, title, minutes, questions) and
    content counts, then the chapters; filtered by part and domain in the book (CSS only). In a session book, the
    session's provisions only."""
    from nasams_course.coverage import coverage_frame
    from nasams_course.rendering.coverage_map import coverage_map as render

    catalog = load_catalog()
    b = bank()
    frame = coverage_frame(b, catalog)
    session = session_manifest(find_root())
    if session is not None:
        frame = frame[frame.provision.isin(session["provisions"])].reset_index(drop=True)
    if sealed():
        frame = frame.drop(columns=["violation_items"])
    return HTMLBlock(render(frame, catalog, b, sealed=sealed()), frame.to_string(index=False))


def scoring_example() -> HTMLBlock:
    """A worked example of the rubric on four small made-up questions, computed by the real grader."""
    from nasams_course.scoring_example import worked_example

    return HTMLBlock(*worked_example())


def answers_panel() -> HTMLBlock:
    """The static book's panel for saved answers: download, import, clear (inert outside the book)."""
    return HTMLBlock(html.answers_panel(sealed=sealed()), "")


def progress_page() -> HTMLBlock:
    """The book's "Your progress" page: every provision, domain and chapter, filled in by the browser from the answers
    saved there (in Jupyter, use my_progress()). In a sealed book (an assessment), the list of its questions and
    which are answered, with no score."""
    from nasams_course.rendering.progress import answered_page
    from nasams_course.rendering.progress import progress_page as page

    if sealed():
        return HTMLBlock(answered_page(bank()), f"{len(bank().questions)} questions.")
    return HTMLBlock(page(bank(), load_catalog()),
                     "Your progress is shown in the book; in Jupyter use my_progress().")


def start_button() -> HTMLBlock:
    """The home page's Start / Continue button and the course's total time."""
    from nasams_course.rendering.progress import start_button as button

    b = bank()
    return HTMLBlock(button(b, sealed=sealed()),
                     f"{len(b.chapters)} chapters, {sum(c.minutes for c in b.chapters.values())} minutes.")
