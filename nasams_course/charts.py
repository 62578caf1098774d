"""The progress record's one chart: provision scores as horizontal bars, grouped by domain, with the level thresholds
and critical errors marked. Built on a plain matplotlib Figure (no pyplot, no interactive backend)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nasams_course.catalog import Catalog
from nasams_course.grading import Report
from nasams_course.grading.levels import LEVELS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: bar colours per level (distinguishable without colour too: the level is written beside each bar)
LEVEL_COLOURS = {"Mastery": "#1b7837", "Proficient": "#5aae61", "Developing": "#e08214", "Beginning": "#b2182b"}
CRITICAL_COLOUR = "#67001f"


def provision_chart(report: Report, catalog: Catalog) -> Figure:
    """One bar per provision in scope (latest answers, percent), in catalog order within each domain; dashed lines
    at the Developing, Proficient and Mastery thresholds; a critical error is hatched and marked with a cross;
    a provision not started has no bar and says so."""
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    rows: list[tuple[str, object]] = []  # ("domain", title) or ("provision", ProvisionResult)
    for d in catalog.domains:
        mine = [p for p in report.provisions if catalog.provision(p.id).domain == d.id]
        if mine:
            rows.append(("domain", d.title))
            rows += [("provision", p) for p in mine]
    n = max(len(rows), 1)
    fig = Figure(figsize=(8.5, 1.6 + 0.26 * n), layout="constrained")
    ax = fig.add_subplot()
    labels, ys = [], []
    for i, (kind, row) in enumerate(rows):
        y = n - 1 - i
        ys.append(y)
        if kind == "domain":
            labels.append(str(row))
            continue
        p = row
        labels.append(f"{p.id}")
        if p.score is None:
            ax.text(1, y, "not started", va="center", ha="left", fontsize=8, color="#555555")
            continue
        width = p.score * 100
        ax.barh(y, width, height=0.7, color=LEVEL_COLOURS[p.level], edgecolor=CRITICAL_COLOUR if p.critical else
                "none", hatch="///" if p.critical else None, label=p.id)
        note = f"{p.level}, {int(p.score * 100 + 0.5 + 1e-9)}%" + (" · critical error" if p.critical else "")
        ax.text(min(width, 100) + (3 if p.critical else 1), y, note, va="center", ha="left", fontsize=8)
        if p.critical:
            ax.plot([width], [y], marker="X", markersize=9, color=CRITICAL_COLOUR, linestyle="none")
    ax.set_yticks(ys, labels)
    for tick, (kind, _row) in zip(ax.get_yticklabels(), rows, strict=True):
        if kind == "domain":
            tick.set_fontweight("bold")
    for name, low in LEVELS:
        if low > 0:
            ax.axvline(low * 100, linestyle="--", linewidth=1, color="#444444")
            ax.text(low * 100, n - 0.3, f" {name}", fontsize=8, va="bottom", ha="left", color="#444444")
    ax.set_xlim(0, 130)
    ax.set_ylim(-0.7, n + 0.4)
    ax.set_xticks(range(0, 101, 10))
    ax.set_xlabel("Score of the latest answers (%)")
    ax.set_title("Your provision scores by domain")
    ax.tick_params(axis="y", labelsize=8)
    handles = [Patch(color=c, label=name) for name, c in LEVEL_COLOURS.items()]
    handles.append(Line2D([], [], marker="X", color=CRITICAL_COLOUR, linestyle="none", label="critical error"))
    ax.legend(handles=handles, loc="lower right", fontsize=8, frameon=True)
    return fig


def chart_alt(report: Report) -> str:
    """A text alternative for the chart."""
    started = [p for p in report.provisions if p.score is not None]
    return (f"Bar chart of the scores of {len(started)} attempted provisions of {len(report.provisions)}, grouped by "
            f"domain, with dashed lines at 50, 70 and 85 %; {sum(1 for p in started if p.critical)} with a critical "
            "error.")
