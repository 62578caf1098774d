"""The "Your progress" page: a static skeleton (every provision, domain and chapter, with titles and links) and the
whole bank's keys as JSON; nasams-progress.js grades the answers saved in this browser with the same grader and
fills the skeleton in. Nothing is fetched: the page works from disk."""

from __future__ import annotations

from html import escape

from nasams_course.catalog import PART_TITLES, Catalog
from nasams_course.content.models import Bank
from nasams_course.grading.words import WORDS
from nasams_course.rendering.coverage_map import home_chapters
from nasams_course.rendering.html import CERTAINTY_LABELS, quiz_data, script_json

#: the page lives at book/orientation/progress.html: links are relative to it
ROOT = "../../"
LEVEL_MARKS = (50, 70, 85)
#: the page's own words, beside those it shares with the command line (grading/words.py)
PAGE_WORDS = {
    "skipped": ("{n} saved answer could not be read and is left out.",
                "{n} saved answers could not be read and are left out."),
    "all-proficient": ("Every provision is at Proficient or above: review the chapters you found hardest, or take a "
                       "capstone case."),
}


#: how many domains a heading names, in words
COUNT_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}


def scope(bank: Bank, catalog: Catalog) -> list:
    """The provisions the bank's questions assess, in the code's order (the whole code for the course; a session
    book's own provisions), as the grader scopes them."""
    assessed = {pid for q in bank.questions.values() for pid in q.provisions}
    return [p for p in catalog.provisions if p.id in assessed]


def provision_links(bank: Bank, provisions: list) -> dict[str, str]:
    """Provision id -> where to read about it: its section in the chapter that teaches it, else (a session book that
    only asks about it) the first chapter with a question on it."""
    home = home_chapters(bank)
    asked = {}
    for qid, q in bank.questions.items():
        for pid in q.provisions:
            asked.setdefault(pid, bank.chapter_of[qid])
    return {p.id: f"{ROOT}{bank.page_of[home[p.id]]}.html#{p.anchor}" if p.id in home
            else f"{ROOT}{bank.page_of[asked[p.id]]}.html" for p in provisions}


def progress_data(bank: Bank, catalog: Catalog) -> dict:
    """What the browser needs to grade and link: questions (bank order, with their stems), catalog (the provisions
    in scope and their domains), chapters."""
    questions = []
    for qid, q in bank.questions.items():
        data = quiz_data(q)
        data["stem"] = q.stem
        data["href"] = f"{ROOT}{bank.page_of[bank.chapter_of[qid]]}.html#quiz-{qid}"
        questions.append(data)
    chapters = [{"id": cid, "title": ch.title, "minutes": ch.minutes, "href": f"{ROOT}{bank.page_of[cid]}.html",
                 "questions": [q.id for q in bank.questions_in_chapter(cid)]}
                for cid, ch in bank.chapters.items()]
    home = home_chapters(bank)
    provisions = scope(bank, catalog)
    domains = {p.domain for p in provisions}
    return {
        "questions": questions,
        "catalog": {"provisions": [[p.id, p.domain] for p in provisions],
                    "domains": [d.id for d in catalog.domains if d.id in domains]},
        "chapters": chapters,
        "home": home,
        "words": WORDS | PAGE_WORDS,
    }


def _bar(role: str) -> str:
    marks = "".join(f'<span class="np-mark" style="left:{m}%" aria-hidden="true"></span>' for m in LEVEL_MARKS)
    return (f'<div class="np-bar" role="img" data-role="{role}" aria-label="No answers yet">'
            f'<div class="np-fill" style="width:0%"></div>{marks}</div>')


def progress_page(bank: Bank, catalog: Catalog) -> str:
    """The page's HTML: the skeleton, the data, and the script that fills it in."""
    data = progress_data(bank, catalog)
    provisions = scope(bank, catalog)
    links = provision_links(bank, provisions)
    in_domain = [d for d in catalog.domains if d.id in data["catalog"]["domains"]]
    domains = "".join(
        f'<tr data-domain="{escape(d.id)}"><th scope="row">{escape(d.title)}</th><td data-role="score">–</td>'
        f'<td data-role="level">Not started</td><td data-role="attempted">0 of '
        f'{sum(1 for p in provisions if p.domain == d.id)}</td></tr>'
        for d in in_domain)
    parts = []
    for part, title in PART_TITLES.items():
        cells = "".join(
            f'<li><a class="np-cell" data-provision="{escape(p.id)}" data-level="none" href="{escape(links[p.id])}">'
            f'<span class="np-id">{escape(p.id)}</span> <span class="np-title">{escape(p.title)}</span> '
            f'<span class="np-level" data-role="level">Not started</span>'
            f'<span class="np-crit" data-role="critical" hidden> · critical error</span></a></li>'
            for p in provisions if p.part == part)
        if cells:
            parts.append(f'<h3>{escape(title)}</h3><ul class="np-grid">{cells}</ul>')
    chapters = "".join(
        f'<tr data-chapter="{escape(c["id"])}"><th scope="row"><a href="{escape(c["href"])}">{escape(c["title"])}</a>'
        f'</th><td data-role="answered">0 of {len(c["questions"])}</td><td>{c["minutes"]} min</td>'
        f'<td data-role="done">–</td></tr>'
        for c in data["chapters"])
    return (
        '<div class="nasams-progress" data-role="progress">'
        f'<script type="application/json" class="np-data">{script_json(data)}</script>'
        '<section aria-labelledby="np-overall-h"><h2 id="np-overall-h">Overall</h2>'
        '<p data-role="summary">No answers are saved in this browser yet.</p>'
        '<p>Latest answers: <strong data-role="score">–</strong> · Level: <strong data-role="level">Not started'
        f'</strong></p>{_bar("bar")}'
        '<p class="np-legend">Marks at 50%, 70% and 85%: the thresholds of Developing, Proficient and Mastery.</p>'
        '<p>First attempts: <strong data-role="first-score">–</strong></p>'
        '<p data-role="complete">Complete: no.</p><ul data-role="why"></ul></section>'
        '<section aria-labelledby="np-critical-h"><h2 id="np-critical-h">Critical errors to review</h2>'
        '<p data-role="no-critical">None outstanding.</p><ul data-role="critical-list"></ul></section>'
        '<section aria-labelledby="np-next-h"><h2 id="np-next-h">What to do next</h2>'
        '<ol data-role="next"></ol></section>'
        f'<section aria-labelledby="np-domains-h"><h2 id="np-domains-h">The {COUNT_WORDS[len(in_domain)]} '
        "competency domains</h2>"
        '<div class="nasams-table-wrap" tabindex="0" role="region" aria-label="Domains">'
        '<table class="nasams-example"><thead><tr><th scope="col">Domain</th><th scope="col">Score</th>'
        '<th scope="col">Level</th><th scope="col">Provisions attempted</th></tr></thead>'
        f'<tbody>{domains}</tbody></table></div></section>'
        f'<section aria-labelledby="np-grid-h"><h2 id="np-grid-h">The {len(provisions)} provisions</h2>'
        f'{"".join(parts)}</section>'
        '<section aria-labelledby="np-chapters-h"><h2 id="np-chapters-h">Chapters</h2>'
        '<div class="nasams-table-wrap" tabindex="0" role="region" aria-label="Chapters">'
        '<table class="nasams-example"><thead><tr><th scope="col">Chapter</th><th scope="col">Answered</th>'
        '<th scope="col">Time</th><th scope="col">Done</th></tr></thead>'
        f'<tbody>{chapters}</tbody></table></div></section>'
        f"{_calibration()}{_self_ratings()}"
        "</div>"
    )


def _calibration() -> str:
    rows = "".join(
        f'<tr data-certainty="{c}"><th scope="row">{label}</th><td data-role="answers">0</td>'
        f'<td data-role="mean">–</td><td data-role="below">–</td><td data-role="fit">–</td></tr>'
        for c, label in CERTAINTY_LABELS.items())
    return (
        '<section aria-labelledby="np-cal-h"><h2 id="np-cal-h">How sure you were, and how often you were right</h2>'
        "<p>Before Submit you may say how sure you are. Counted on each question's first attempt with a stated "
        "certainty. Certainty-based marking (Gardner-Medwin): high certainty pays when you are right more than 80 % of "
        "the time, medium between 67 and 80 %, low below 67 %. The mark per answer is 1, 2 or 3 when right, and 0, −2 "
        "or −6 when wrong (partial scores in proportion). It never changes your score or your levels.</p>"
        '<p data-role="cal-summary">No answers with a stated certainty yet.</p>'
        '<div class="nasams-table-wrap" tabindex="0" role="region" aria-label="Certainty">'
        '<table class="nasams-example"><thead><tr><th scope="col">Certainty</th><th scope="col">Answers</th>'
        '<th scope="col">Average score</th><th scope="col">Below 50 %</th><th scope="col">Fits the level?</th></tr>'
        f'</thead><tbody>{rows}</tbody></table></div><ul data-role="cal-messages"></ul></section>'
    )


def _self_ratings() -> str:
    return (
        '<section aria-labelledby="np-self-h"><h2 id="np-self-h">Your self-ratings beside your measured level</h2>'
        "<p>Each chapter asks, before and after, how ready you are to apply its provisions (1 not yet ready, 2 partly "
        "ready, 3 ready, 4 could teach it). A gap of two steps or more from your measured level is flagged.</p>"
        '<p data-role="no-self">No self-ratings saved yet.</p>'
        '<div class="nasams-table-wrap" tabindex="0" role="region" aria-label="Self-ratings" data-role="self-wrap" '
        "hidden>"
        '<table class="nasams-example"><thead><tr><th scope="col">Provision</th><th scope="col">Before</th>'
        '<th scope="col">After</th><th scope="col">Measured</th><th scope="col">Gap</th></tr></thead>'
        '<tbody data-role="self-rows"></tbody></table></div></section>'
    )


#: the Start button once every question is answered: it leads to the progress page, or in a sealed book (an
#: assessment) to the list of answered questions, from which the learner downloads them
ALL_ANSWERED = {False: "Every question is answered: see your progress",
                True: "Every question is answered: check the list and download your answers"}


def start_button(bank: Bank, sealed: bool = False) -> str:
    """The home page's Start button (Continue, to the first unanswered question of the first unfinished chapter,
    once answers are saved: nasams-start.js reads the chapters from the page), with the course's total time."""
    first = next(iter(bank.chapters))
    minutes = sum(ch.minutes for ch in bank.chapters.values())
    hours = f"{minutes // 60} hour{'s' if minutes // 60 != 1 else ''} " if minutes >= 60 else ""
    return (
        '<div class="nasams-start">'
        f'<p><a class="np-start" data-role="start" href="{ROOT}{escape(bank.page_of[first])}.html" '
        f'data-done="{escape(ALL_ANSWERED[sealed])}">Start the course</a></p>'
        f"<p>{len(bank.chapters)} chapters, {len(bank.questions)} questions, about {hours}"
        f"{minutes % 60} minutes in all. Your answers are saved in this browser as you go.</p></div>"
    )


#: the words of a sealed book's list of answered questions (filled in by nasams-answered.js)
ANSWERED_WORDS = {"yes": "Answered", "no": "Not answered",
                  "summary": "{n} of {total} questions answered in this browser."}


def answered_page(bank: Bank) -> str:
    """A sealed book's page in place of the progress page: every question, chapter by chapter, with a link to it and
    whether an answer is saved in this browser (nasams-answered.js fills that in); no key, no score, no level."""
    sections = []
    number = 0
    for cid, ch in bank.chapters.items():
        rows = []
        for q in bank.questions_in_chapter(cid):
            number += 1
            rows.append(f'<tr data-question="{escape(q.id)}"><td class="number">{number}</td><th scope="row">'
                        f'<a href="{ROOT}{escape(bank.page_of[cid])}.html#quiz-{escape(q.id)}">{escape(q.stem)}</a>'
                        f'</th><td data-role="answered">{ANSWERED_WORDS["no"]}</td></tr>')
        sections.append(
            f'<h2 id="na-{escape(cid)}">{escape(ch.title)}</h2>'
            f'<div class="nasams-table-wrap" tabindex="0" role="region" aria-labelledby="na-{escape(cid)}">'
            f'<table class="nasams-example"><caption>Questions of {escape(ch.title)}</caption><thead><tr>'
            '<th scope="col" class="number">No.</th><th scope="col">Question</th><th scope="col">Saved here</th>'
            f'</tr></thead><tbody>{"".join(rows)}</tbody></table></div>')
    words = " ".join(f'data-{k}="{escape(v)}"' for k, v in ANSWERED_WORDS.items())
    return (f'<div class="nasams-answered" {words}><p data-role="summary">'
            f'{ANSWERED_WORDS["summary"].format(n=0, total=len(bank.questions))}</p>{"".join(sections)}</div>')
