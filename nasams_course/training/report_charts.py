"""The cohort report's charts, as inline SVG from matplotlib (a plain Figure: no pyplot, no interactive backend; text
stays text; no script): the provision x learner heat map and the domain level distribution."""

from __future__ import annotations

import io
import multiprocessing
import re
from collections.abc import Callable
from html import escape

import numpy as np
import pandas as pd

from nasams_course.charts import LEVEL_COLOURS
from nasams_course.responses import printable
from nasams_course.training.cohort_tables import LEVEL_ORDER
from nasams_course.training.processes import can_fork

#: up to this many learners the heat map has a row per learner; beyond, a row per band of learners by score
HEAT_ROWS = 60
NOT_STARTED = "#d9d9d9"


def svg(fig, label: str) -> str:
    """A figure as an inline <svg> element with role img and a text alternative (its <title>)."""
    import matplotlib

    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "nasams-report"}):
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    text = re.sub(r"<metadata>.*?</metadata>", "", text[text.index("<svg"):], flags=re.DOTALL)
    text = re.sub(r"<svg ", f'<svg role="img" aria-label="{escape(label)}" ', text, count=1)
    return text


def heat_rows(scores: pd.DataFrame, names: pd.Series) -> tuple[pd.DataFrame, list[str], str]:
    """The heat map's rows: one per learner (up to HEAT_ROWS), else bands of learners by overall score (their mean
    per provision). Returns the rows, their labels and what a row is."""
    if len(scores) <= HEAT_ROWS:
        return scores, list(names), "learner"
    order = scores.mean(axis=1, skipna=True).fillna(-1).to_numpy().argsort(kind="stable")
    bands = np.array_split(order, HEAT_ROWS)
    rows = pd.DataFrame([scores.iloc[b].mean(axis=0, skipna=True) for b in bands])
    overall = scores.mean(axis=1, skipna=True).to_numpy()
    labels = [f"{len(b)} learner{'s' * (len(b) != 1)}, " + (f"overall {np.nanmean(overall[b]) * 100:.0f}%"
              if np.isfinite(overall[b]).any() else "nothing answered") for b in bands]
    return rows, labels, "band"


def heat_map(scores: pd.DataFrame, critical: pd.DataFrame, names: pd.Series) -> tuple[str, str]:
    """Provision scores (columns) per learner or band (rows), 0-100 %; grey where not attempted; × a critical error
    (per learner). Returns the SVG and its text alternative."""
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure

    rows, labels, unit = heat_rows(scores, names)
    values = rows.to_numpy(dtype=float) * 100
    fig = Figure(figsize=(max(6.0, 0.22 * values.shape[1] + 2.5), 1.4 + 0.2 * max(len(labels), 1)),
                 layout="constrained", facecolor="white")
    ax = fig.add_subplot()
    cmap = ListedColormap(matplotlib_viridis()).with_extremes(bad=NOT_STARTED)
    image = ax.imshow(np.ma.masked_invalid(values), aspect="auto", cmap=cmap, vmin=0, vmax=100,
                      interpolation="nearest")
    if unit == "learner":
        ys, xs = np.nonzero(critical.reindex(index=scores.index, columns=scores.columns).fillna(0).to_numpy(bool))
        ax.plot(xs, ys, linestyle="none", marker="x", color="#c00000", markersize=6, markeredgewidth=1.6)
    ax.set_xticks(range(values.shape[1]), list(scores.columns), rotation=90, fontsize=7)
    ax.set_yticks(range(len(labels)), [printable(str(label)) for label in labels], fontsize=7)  # names as text
    ax.set_xlabel("Provision")
    bar = fig.colorbar(image, ax=ax, shrink=0.8)
    bar.set_label("Score of the latest answers (%)")
    ax.set_title("Provision scores by " + ("learner (× a critical error; grey: not attempted)" if unit == "learner"
                                           else "band of learners, lowest overall score first (mean; grey: none)"),
                 fontsize=9)
    attempted = np.isfinite(values)
    alt = (f"Heat map of {values.shape[1]} provisions' scores for {len(scores)} learners"
           + (f" in {len(labels)} bands by overall score" if unit == "band" else "")
           + (f"; {attempted.mean():.0%} of the cells attempted" if attempted.size else "; no cell to show")
           + ". The same figures are in provision-scores.csv.")
    return svg(fig, alt), alt


def matplotlib_viridis() -> np.ndarray:
    """Viridis (ordered in lightness, readable without colour vision)."""
    from matplotlib import colormaps

    return colormaps["viridis"](np.linspace(0, 1, 256))


def domain_chart(levels: pd.DataFrame) -> tuple[str, str]:
    """Per domain, a bar of the shares of learners at each level (latest attempts). Returns SVG and alt text."""
    from matplotlib.figure import Figure

    counts = levels.set_index("title")[LEVEL_ORDER]
    total = counts.sum(axis=1).replace(0, 1)
    shares = counts.div(total, axis=0) * 100
    fig = Figure(figsize=(8.5, 1.2 + 0.42 * len(shares)), layout="constrained", facecolor="white")
    ax = fig.add_subplot()
    left = np.zeros(len(shares))
    y = np.arange(len(shares))[::-1]
    colours = {**LEVEL_COLOURS, "not started": NOT_STARTED}
    hatches = {"Mastery": "", "Proficient": "..", "Developing": "//", "Beginning": "xx", "not started": ""}
    for level in LEVEL_ORDER:
        width = shares[level].to_numpy()
        ax.barh(y, width, left=left, color=colours[level], hatch=hatches[level], edgecolor="white", label=level)
        for yy, lft, w in zip(y, left, width, strict=True):
            if w >= 7:
                ax.text(lft + w / 2, yy, f"{w:.0f}%", ha="center", va="center", fontsize=7,
                        color="white" if level in ("Mastery", "Beginning") else "black")
        left += width
    ax.set_yticks(y, list(shares.index), fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_xlabel("Learners (%)")
    ax.set_title("Domain levels of the cohort (latest answers)", fontsize=9)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.08), ncols=5, fontsize=7, frameon=False)
    alt = ("Stacked bars, one per domain, of the share of learners at each level: "
           + "; ".join(f"{title}: " + ", ".join(f"{lv} {shares.at[title, lv]:.0f}%" for lv in LEVEL_ORDER
                                              if shares.at[title, lv] > 0) for title in shares.index) + ".")
    return svg(fig, alt), alt


#: from this many learners on, the report's two charts are drawn by a process of their own while the report's tables
#: are made (matplotlib takes about 2 s for them, on another processor)
APART_FROM = 1000


def _both(scores: pd.DataFrame, critical: pd.DataFrame, names: pd.Series, levels: pd.DataFrame) -> tuple[str, str]:
    return heat_map(scores, critical, names)[0], domain_chart(levels)[0]


def start_charts(scores: pd.DataFrame, critical: pd.DataFrame, names: pd.Series,
                 levels: pd.DataFrame) -> Callable[[], tuple[str, str]]:
    """The heat map and the domain chart (their SVG), begun now: a function that returns them when they are done.
    For APART_FROM learners or more (and where processes can be forked) they are drawn by a process of their own."""
    args = (scores, critical, names, levels)
    if len(scores) < APART_FROM or not can_fork():
        return lambda: _both(*args)
    pool = multiprocessing.get_context("fork").Pool(1)
    pending = pool.apply_async(_both, args)
    pool.close()

    def done() -> tuple[str, str]:
        try:
            return pending.get()
        finally:
            pool.join()

    return done
