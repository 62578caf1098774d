"""The cohort report's two charts (training/report_charts.py), drawn in this process: what each cell of the heat map
shows (its colour read back from the picture), where a critical error is marked, the rows and their labels (a band of
learners beyond 60), the level bars and their figures, and the text alternative a screen reader reads."""

from __future__ import annotations

import base64
import io
import re
import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest
from matplotlib import colormaps
from PIL import Image

from nasams_course.charts import LEVEL_COLOURS
from nasams_course.training import report_charts as rc
from nasams_course.training.cohort_tables import LEVEL_ORDER


def texts(svg: str) -> list[str]:
    """The text elements of an SVG (text stays text: svg.fonttype none)."""
    return re.findall(r"<text\b[^>]*>([^<]*)</text>", svg)


def cell_colours(svg: str, rows: int, columns: int) -> np.ndarray:
    """The heat map's picture read back: the RGB colour at the centre of each cell, rows from the top as drawn."""
    image = re.search(r'<image xlink:href="data:image/png;base64,([^"]+)"([^>]*)>', svg)
    pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(image.group(1).replace("\n", "")))).convert("RGB"))
    if 'transform="scale(1 -1)' in image.group(2):  # matplotlib writes the picture upside down, then flips it
        pixels = pixels[::-1]
    h, w = pixels.shape[:2]
    return np.array([[pixels[int((r + 0.5) * h / rows), int((c + 0.5) * w / columns)] for c in range(columns)]
                     for r in range(rows)])


def viridis(score: float) -> np.ndarray:
    return np.round(np.array(colormaps["viridis"](score)[:3]) * 255)


def grey() -> np.ndarray:
    return np.array([int(rc.NOT_STARTED[i:i + 2], 16) for i in (1, 3, 5)])


SCORES = pd.DataFrame({"P1": [0.5, np.nan, 1.0], "P2": [0.0, 0.25, np.nan]}, index=["a", "b", "c"])
CRITICAL = pd.DataFrame({"P2": [0.0, 1.0, 0.0], "P1": [1.0, 0.0, 0.0], "P9": [1.0, 1.0, 1.0]}, index=["a", "b", "c"])
NAMES = pd.Series(["Ann", "B\tx", "<C> & co"], index=["a", "b", "c"])


def test_each_cell_is_its_score_on_viridis_from_0_to_100_and_grey_where_not_attempted():
    svg, alt = rc.heat_map(SCORES, CRITICAL, NAMES)
    got = cell_colours(svg, 3, 2)
    want = np.array([[viridis(0.5), viridis(0.0)], [grey(), viridis(0.25)], [viridis(1.0), grey()]])
    assert np.abs(got.astype(int) - want).max() <= 2, got
    assert alt == ("Heat map of 2 provisions' scores for 3 learners; 67% of the cells attempted. The same figures are "
                   "in provision-scores.csv.")
    assert rc.NOT_STARTED == "#d9d9d9" and rc.HEAT_ROWS == 60


def test_a_critical_error_is_a_cross_on_its_learner_s_row_and_provision_s_column():
    svg, _alt = rc.heat_map(SCORES, CRITICAL, NAMES)
    crosses = re.findall(r'<use xlink:href="#(\w+)" x="([\d.]+)" y="([\d.]+)" style="fill: #c00000; stroke: #c00000; '
                         r'stroke-width: 1.6"/>', svg)
    ticks = re.findall(r'<use xlink:href="#(\w+)" x="([\d.]+)" y="([\d.]+)" style="stroke: #000000; stroke-width: '
                       r'0.8"/>', svg)
    columns = [float(x) for mark, x, _y in ticks if mark == ticks[0][0]]  # the provisions' ticks, left to right
    rows = [float(y) for mark, _x, y in ticks if mark == ticks[len(columns)][0]]  # the learners', top to bottom
    assert len(columns) == 2 and len(rows) == 3
    marked = sorted((columns.index(float(x)), rows.index(float(y))) for _m, x, y in crosses)
    assert marked == [(0, 0), (1, 1)]  # Ann on P1, B on P2; P9 is not on the map
    assert 'style="fill: none; stroke: #c00000; stroke-width: 1.6"' not in svg
    assert re.search(r'<path id="' + crosses[0][0] + r'" d="M -3 3 \nL 3 -3 \nM -3 -3 \nL 3 3 \n"', svg)


def test_the_heat_map_labels_rows_by_name_as_text_columns_by_provision_and_says_what_it_shows():
    svg, _alt = rc.heat_map(SCORES, CRITICAL, NAMES)
    words = texts(svg)
    assert words[:3] == ["P1", "P2", "Provision"]
    assert ["Ann", "B\\tx", "&lt;C&gt; &amp; co"] == words[3:6]  # a tab shown as \t, markup escaped
    assert "Provision scores by learner (× a critical error; grey: not attempted)" in words
    assert "Score of the latest answers (%)" in words and ["0", "50", "100"] == words[-4:-1]
    assert re.search(r'<text style="font-size: 7px;[^>]*rotate\(-90\)">P1</text>', svg)
    assert re.search(r'<text style="font-size: 7px;[^>]*>Ann</text>', svg)
    assert re.search(r'<text style="font-size: 9px;[^>]*>Provision scores by learner', svg)


def test_the_svg_is_an_image_with_its_text_alternative_and_nothing_else_of_matplotlib_s():
    svg, alt = rc.heat_map(SCORES, CRITICAL, NAMES)
    assert svg.startswith(f'<svg role="img" aria-label="{alt.replace(chr(39), "&#x27;")}" xmlns:xlink=')
    assert "<metadata" not in svg and "<?xml" not in svg and "<!DOCTYPE" not in svg and "<script" not in svg
    assert svg.count("<svg ") == 1 and svg.rstrip().endswith("</svg>")
    # the same figure, the same SVG (ids are salted by name, not at random)
    assert rc.heat_map(SCORES, CRITICAL, NAMES)[0] == svg
    from matplotlib.figure import Figure

    fig = Figure()
    fig.add_subplot().set_title("<t>")
    small = rc.svg(fig, 'a "label" & <more>')
    assert small.startswith('<svg role="img" aria-label="a &quot;label&quot; &amp; &lt;more&gt;" ')
    assert "&lt;t&gt;" in texts(small)


def test_beyond_60_learners_each_row_is_a_band_of_learners_of_similar_overall_score_lowest_first():
    n = 125
    scores = pd.DataFrame({"P1": np.linspace(0, 1, n)[::-1], "P2": np.linspace(0, 1, n)[::-1] / 2},
                          index=[f"k{i}" for i in range(n)])
    scores.iloc[0:3] = np.nan  # nothing answered: lowest of all
    names = pd.Series([f"L{i}" for i in range(n)], index=scores.index)
    rows, labels, unit = rc.heat_rows(scores, names)
    assert unit == "band" and len(rows) == len(labels) == 60
    sizes = [int(label.split(" ")[0]) for label in labels]
    assert sum(sizes) == n and set(sizes) == {2, 3} and sizes[:5] == [3, 3, 3, 3, 3]
    assert labels[0] == "3 learners, nothing answered" and rows.iloc[0].isna().all()
    overall = scores.mean(axis=1)
    order = overall.fillna(-1).to_numpy().argsort(kind="stable")
    bands = np.array_split(order, 60)
    for label, band, (_, row) in zip(labels[1:], bands[1:], list(rows.iterrows())[1:], strict=True):
        assert label == f"{len(band)} learners, overall {overall.iloc[band].mean() * 100:.0f}%"
        assert row["P1"] == pytest.approx(scores["P1"].iloc[band].mean())
        assert row["P2"] == pytest.approx(scores["P2"].iloc[band].mean())
    assert list(rows.columns) == ["P1", "P2"]
    few, few_labels, few_unit = rc.heat_rows(scores.iloc[:60], names.iloc[:60])
    assert few_unit == "learner" and few is not None and few.equals(scores.iloc[:60])
    assert few_labels == list(names.iloc[:60])


def test_a_banded_heat_map_says_so_and_marks_no_cross():
    n = 61
    scores = pd.DataFrame({"P1": np.linspace(0, 1, n), "P2": np.full(n, np.nan)}, index=[f"k{i}" for i in range(n)])
    critical = pd.DataFrame({"P1": np.ones(n)}, index=scores.index)
    svg, alt = rc.heat_map(scores, critical, pd.Series([f"L{i}" for i in range(n)], index=scores.index))
    assert alt == ("Heat map of 2 provisions' scores for 61 learners in 60 bands by overall score; 50% of the cells "
                   "attempted. The same figures are in provision-scores.csv.")
    assert "Provision scores by band of learners, lowest overall score first (mean; grey: none)" in texts(svg)
    assert "#c00000" not in svg and "2 learners, overall 1%" in texts(svg)
    assert "1 learner, overall 100%" in texts(svg)  # a band of one
    got = cell_colours(svg, 60, 2)
    assert np.abs(got[:, 1].astype(int) - grey()).max() <= 2 and np.abs(got[-1, 0] - viridis(1.0)).max() <= 2


def test_a_learner_who_left_a_provision_unattempted_is_banded_by_the_provisions_attempted():
    """Beyond 60 learners: the best learner, who did not attempt one provision, is in the top band (overall 100%),
    not among those who answered nothing at the bottom."""
    n = 121
    scores = pd.DataFrame({"P1": np.linspace(0, 1, n), "P2": np.linspace(0, 1, n)}, index=[f"k{i}" for i in range(n)])
    scores.iloc[0] = np.nan  # answered nothing
    scores.iloc[n - 1, 1] = np.nan  # the best: P1 at 100%, P2 not attempted
    rows, labels, _unit = rc.heat_rows(scores, pd.Series([f"L{i}" for i in range(n)], index=scores.index))
    assert labels[0] == "3 learners, overall 1%" and rows.iloc[0].tolist() == pytest.approx([0.0125, 0.0125])
    assert labels[-1] == "2 learners, overall 100%" and rows.iloc[-1]["P1"] == pytest.approx(0.9958, abs=1e-4)
    assert rows.iloc[-1]["P2"] == pytest.approx(scores["P2"].iloc[n - 2])


def test_learners_of_equal_overall_score_are_banded_in_the_roster_s_order():
    """Ties keep the roster's order (a stable sort), so a band holds roster neighbours and the same cohort always
    makes the same bands: every other learner scores 25% overall, the others 50%, each learner i a little more on P1
    and as much less on P2 than the one before (i/1000), so the bands of a score rise on P1 in the roster's order."""
    n = 120
    overall = [0.25 if i % 2 == 0 else 0.5 for i in range(n)]
    scores = pd.DataFrame({"P1": [o + i / 1000 for i, o in enumerate(overall)],
                           "P2": [o - i / 1000 for i, o in enumerate(overall)]}, index=[f"k{i}" for i in range(n)])
    rows, labels, _unit = rc.heat_rows(scores, pd.Series([f"L{i}" for i in range(n)], index=scores.index))
    assert labels == ["2 learners, overall 25%"] * 30 + ["2 learners, overall 50%"] * 30
    # the 25% learners are 0, 2, 4, ...: band j holds 4j and 4j + 2; the 50% learners 1, 3, 5, ...
    assert rows["P1"].tolist() == pytest.approx([0.25 + (4 * j + 1) / 1000 for j in range(30)]
                                                + [0.5 + (4 * j + 2) / 1000 for j in range(30)])


def test_every_score_is_coloured_as_viridis_colours_it_not_a_coarser_scale():
    """Viridis in its 256 colours: between 80% and 100% a coarser scale of 50 colours would be off by up to 14 of
    255 in a channel."""
    shown = [0.82, 0.86, 0.9, 0.92, 0.94, 0.96, 0.98]
    scores = pd.DataFrame([shown], columns=[f"P{i}" for i in range(len(shown))], index=["a"])
    svg, _alt = rc.heat_map(scores, pd.DataFrame(index=["a"]), pd.Series(["Ann"], index=["a"]))
    got = cell_colours(svg, 1, len(shown))[0]
    assert np.abs(got.astype(int) - np.array([viridis(s) for s in shown])).max() <= 2, got


LEVELS = pd.DataFrame({"title": ["Dom <1>", "Dom 2"], "Mastery": [1, 0], "Proficient": [0, 1],
                       "Developing": [0, 10], "Beginning": [1, 0], "not started": [0, 2]})


def test_the_level_chart_stacks_each_domain_s_shares_in_level_order_with_figures_on_wide_bars():
    svg, alt = rc.domain_chart(LEVELS)
    assert alt == ("Stacked bars, one per domain, of the share of learners at each level: Dom <1>: Mastery 50%, "
                   "Beginning 50%; Dom 2: Proficient 8%, Developing 77%, not started 15%.")
    words = texts(svg)
    assert words[:8] == ["0", "20", "40", "60", "80", "100", "Learners (%)", "Dom &lt;1&gt;"]
    assert words[8:] == ["Dom 2", "50%", "8%", "77%", "50%", "15%", "Domain levels of the cohort (latest answers)",
                         *LEVEL_ORDER]
    assert re.search(r'<text style="font-size: 7px;[^"]*text-anchor: middle[^"]*" [^>]*>50%</text>', svg)
    figure = re.findall(r'<text style="font-size: 7px;([^"]*)" x="([\d.]+)" y="([\d.]+)"[^>]*>(\d+)%</text>', svg)
    assert [(n, "fill: #ffffff" in s) for s, _x, _y, n in figure] == [
        ("50", True), ("8", False), ("77", False), ("50", True), ("15", False)]
    x = {n + str(i): float(xx) for i, (_s, xx, _y, n) in enumerate(figure)}
    # each figure at the middle of its bar: Mastery 0-50, Beginning 50-100; Proficient 0-8, Developing 8-85, ...
    left, right = x["500"], x["503"]
    unit = (right - left) / 50
    origin = left - 25 * unit
    assert x["81"] == pytest.approx(origin + 100 / 13 / 2 * unit, abs=0.5)
    assert x["772"] == pytest.approx(origin + (100 / 13 + 1000 / 13 / 2) * unit, abs=0.5)
    assert x["154"] == pytest.approx(origin + (1100 / 13 + 200 / 13 / 2) * unit, abs=0.5)
    for level, colour in (*LEVEL_COLOURS.items(), ("not started", rc.NOT_STARTED)):
        assert re.search(f'fill(: |="){colour}', svg), level  # a plain bar's fill, or a hatched bar's pattern's
    assert svg.count("<pattern ") == 3  # Proficient, Developing and Beginning hatched: told apart without colour
    assert svg.startswith('<svg role="img" aria-label="Stacked bars, one per domain, of the share of learners at each '
                          'level: Dom &lt;1&gt;: Mastery 50%')


def test_a_domain_no_learner_reached_is_an_empty_bar_not_a_division_by_zero():
    levels = pd.DataFrame({"title": ["Empty"], **{lv: [0] for lv in LEVEL_ORDER}})
    svg, alt = rc.domain_chart(levels)
    assert alt == "Stacked bars, one per domain, of the share of learners at each level: Empty: ."
    assert "nan" not in svg.lower().replace("nan;", "")


def test_charts_for_fewer_than_1000_learners_are_drawn_here_when_asked_for(monkeypatch):
    drawn = []
    monkeypatch.setattr(rc, "_both", lambda *args: drawn.append(args) or ("<svg>a</svg>", "<svg>b</svg>"))
    monkeypatch.setattr(rc.multiprocessing, "get_context", lambda method: pytest.fail("a process was started"))
    assert rc.APART_FROM == 1000
    done = rc.start_charts(SCORES, CRITICAL, NAMES, LEVELS)
    assert drawn == [] and done() == ("<svg>a</svg>", "<svg>b</svg>") and len(drawn) == 1
    assert drawn[0][0] is SCORES and drawn[0][1] is CRITICAL and drawn[0][2] is NAMES and drawn[0][3] is LEVELS
    monkeypatch.setattr(rc, "APART_FROM", 3)
    monkeypatch.setattr(rc, "can_fork", lambda: False)  # where processes cannot be forked: here too
    assert rc.start_charts(SCORES, CRITICAL, NAMES, LEVELS)() == ("<svg>a</svg>", "<svg>b</svg>")


def test_both_charts_are_the_heat_map_and_the_level_chart():
    heat, levels = rc._both(SCORES, CRITICAL, NAMES, LEVELS)
    assert heat == rc.heat_map(SCORES, CRITICAL, NAMES)[0] and levels == rc.domain_chart(LEVELS)[0]


def drawn_apart(scores, critical, names, levels):
    """What the process of its own returns, in place of the charts (picklable by name: a module function)."""
    return "<svg>apart</svg>", f"<svg>{len(scores)} learners, {len(levels)} domains</svg>"


def test_from_1000_learners_the_charts_are_drawn_by_a_forked_process_of_their_own(monkeypatch):
    methods = []
    real = rc.multiprocessing.get_context
    monkeypatch.setattr(rc.multiprocessing, "get_context", lambda method: methods.append(method) or real(method))
    monkeypatch.setattr(rc, "_both", drawn_apart)
    monkeypatch.setattr(rc, "APART_FROM", 3)  # as many as these learners
    done = rc.start_charts(SCORES, CRITICAL, NAMES, LEVELS)
    assert methods == ["fork"]  # a copy of this process: nothing to import again, the tables' data already there
    assert done() == ("<svg>apart</svg>", "<svg>3 learners, 2 domains</svg>")


def axes_left(svg: str) -> float:
    """The left edge of the chart's axes (its background patch), in points."""
    return float(re.search(r'<g id="patch_2">\s*<path d="M ([\d.]+) ', svg).group(1))


def test_the_level_chart_is_as_wide_as_the_page_one_line_per_domain_and_makes_room_for_long_domain_names():
    svg, _alt = rc.domain_chart(LEVELS)
    height = (1.2 + 0.42 * 2) * 72
    assert re.search(rf'<svg [^>]*width="612pt" height="{height:g}pt"', svg)  # 8.5 in wide, 0.42 in a domain
    three = pd.concat([LEVELS, LEVELS.assign(title=["Dom 3", "Dom 4"])]).head(3)
    assert re.search(rf'<svg [^>]*height="{(1.2 + 0.42 * 3) * 72:g}pt"', rc.domain_chart(three)[0])
    long = LEVELS.assign(title=["Confidentiality, privileged communication and records", "Dom 2"])
    assert axes_left(rc.domain_chart(long)[0]) > axes_left(svg) + 100  # the bars moved right, the name not cut off


SVG_NS = "{http://www.w3.org/2000/svg}"


def style(element) -> dict[str, str]:
    return dict(item.split(": ", 1) for item in element.get("style", "").split("; ") if item)


def axes_box(svg: str) -> tuple[float, float]:
    """The left and right edges of the chart's axes (its background patch), in points."""
    xs = [float(v) for v in re.search(r'<g id="patch_2">\s*<path d="([^"]+)"', svg).group(1).split()[1::3]]
    return min(xs), max(xs)


def bars(svg: str) -> list[dict]:
    """The bars as drawn (the paths clipped to the axes), in drawing order: their edges in points (y down), the
    colour they are filled with (a hatched bar's pattern's), their hatch (the pattern's path) and their edge."""
    root = ET.fromstring(svg)
    patterns = {p.get("id"): p for p in root.iter(SVG_NS + "pattern")}
    drawn = []
    for path in root.iter(SVG_NS + "path"):
        if path.get("clip-path") is None:
            continue
        numbers = [float(v) for v in re.findall(r"-?[\d.]+", path.get("d"))]
        xs, ys = numbers[0::2], numbers[1::2]
        fill, hatch = style(path)["fill"], None
        if fill.startswith("url(#"):
            pattern = patterns[fill[5:-1]]
            fill, hatch = pattern.find(SVG_NS + "rect").get("fill"), pattern.find(SVG_NS + "path")
        drawn.append({"left": min(xs), "right": max(xs), "top": min(ys), "bottom": max(ys), "fill": fill,
                      "hatch": hatch, "stroke": style(path).get("stroke")})
    return drawn


def text_items(svg: str) -> list[tuple[str, float, float, dict[str, str]]]:
    """The SVG's texts with their position (x, y of the baseline, in points) and style."""
    return [(t.text, float(t.get("x")), float(t.get("y")), style(t)) for t in ET.fromstring(svg).iter(SVG_NS + "text")]


def test_each_domain_s_bar_runs_from_0_to_100_in_level_order_first_domain_on_top_with_white_edges():
    svg, _alt = rc.domain_chart(LEVELS)
    left, right = axes_box(svg)
    shares = {"Dom <1>": [50, 0, 0, 50, 0], "Dom 2": [0, 100 / 13, 1000 / 13, 0, 200 / 13]}
    drawn = bars(svg)
    assert len(drawn) == 10  # level by level, a bar per domain in the domains' order
    colours = {**LEVEL_COLOURS, "not started": rc.NOT_STARTED}
    for d, domain in enumerate(shares):
        start = 0.0
        for i, level in enumerate(LEVEL_ORDER):
            bar = drawn[2 * i + d]
            end = start + shares[domain][i]
            assert bar["left"] == pytest.approx(left + start / 100 * (right - left), abs=0.01), (domain, level)
            assert bar["right"] == pytest.approx(left + end / 100 * (right - left), abs=0.01), (domain, level)
            assert bar["fill"] == colours[level] and bar["stroke"] == "#ffffff", (domain, level)
            assert (bar["top"], bar["bottom"]) == (drawn[d]["top"], drawn[d]["bottom"])  # one line per domain
            start = end
    first, second = drawn[0], drawn[1]
    assert first["bottom"] < second["top"]  # the first domain on top, as in the tables
    names = {text: y for text, _x, y, _s in text_items(svg) if text in shares}
    assert first["top"] < names["Dom <1>"] < first["bottom"] and second["top"] < names["Dom 2"] < second["bottom"]


def test_the_level_axis_runs_from_0_to_100_even_for_a_domain_no_learner_reached_or_started():
    empty = pd.DataFrame({"title": ["Empty"], **{lv: [0] for lv in LEVEL_ORDER}})
    unstarted = empty.assign(title=["Unstarted"], **{"not started": [3]})
    for levels in (empty, unstarted):
        svg, _alt = rc.domain_chart(levels)
        assert texts(svg)[:7] == ["0", "20", "40", "60", "80", "100", "Learners (%)"]
        left, right = axes_box(svg)
        drawn = bars(svg)
        assert len(drawn) == 5
        for bar in drawn[:4]:  # no learner at a level: a bar of no width at 0 (a domain no learner reached: at 0)
            assert bar["left"] == pytest.approx(left, abs=0.01) and bar["right"] == pytest.approx(left, abs=0.01)
    # no learner started: the grey bar fills the axes, 0 to 100 %
    assert (drawn[4]["left"], drawn[4]["right"]) == (pytest.approx(left, abs=0.01), pytest.approx(right, abs=0.01))
    assert drawn[4]["fill"] == rc.NOT_STARTED


def hatch_lines(hatch) -> tuple[int, int, int]:
    """A hatch pattern's path: its dots (circles), lines rising to the right (/) and falling to the right (\\)."""
    strokes = [s.split() for s in hatch.get("d").split("M ")[1:]]
    lines = [[float(v) for v in (s[0], s[1], s[3], s[4])] for s in strokes if "C" not in s]
    rising = sum(1 for x0, y0, x1, y1 in lines if (x1 - x0) * (y1 - y0) < 0)  # y grows downwards
    return len(strokes) - len(lines), rising, len(lines) - rising


def test_the_levels_are_told_apart_without_colour_by_white_dots_lines_and_crosses():
    """Proficient dotted (..), Developing with lines rising to the right (//), Beginning crossed (xx), each stroke
    doubled (13 lines each way on the pattern's inch-square tile), in white; Mastery and not started plain."""
    svg, _alt = rc.domain_chart(LEVELS)
    drawn = bars(svg)
    hatched = {level: drawn[2 * i]["hatch"] for i, level in enumerate(LEVEL_ORDER)}
    assert hatched["Mastery"] is None and hatched["not started"] is None
    assert hatch_lines(hatched["Proficient"]) == (163, 0, 0)
    assert hatch_lines(hatched["Developing"]) == (0, 13, 0)
    assert hatch_lines(hatched["Beginning"]) == (0, 13, 13)
    for level in ("Proficient", "Developing", "Beginning"):
        assert style(hatched[level])["stroke"] == "#ffffff" and style(hatched[level])["fill"] == "#ffffff", level
        assert drawn[2 * LEVEL_ORDER.index(level) + 1]["hatch"].get("d") == hatched[level].get("d")  # both domains


def test_each_figure_is_centred_on_its_bar_and_the_chart_s_type_is_8_for_names_9_for_the_title_7_else():
    svg, _alt = rc.domain_chart(LEVELS)
    drawn = bars(svg)
    items = text_items(svg)
    figures = [(x, y) for text, x, y, _s in items if text.endswith("%") and text[:-1].isdigit()]
    assert len(figures) == 5
    for x, y in figures:
        bar = next(b for b in drawn if b["left"] < x < b["right"] and b["top"] < y < b["bottom"])
        assert x == pytest.approx((bar["left"] + bar["right"]) / 2, abs=0.01)
        # centred on the bar's middle: the baseline of the 7 pt figures 1.8 pt below it (not on it)
        assert y - (bar["top"] + bar["bottom"]) / 2 == pytest.approx(1.82, abs=0.1)
    sizes = {text: s["font-size"] for text, _x, _y, s in items}
    assert sizes["Dom <1>"] == sizes["Dom 2"] == "8px"
    assert sizes["Domain levels of the cohort (latest answers)"] == "9px"
    assert {sizes[level] for level in LEVEL_ORDER} == {sizes["50%"]} == {"7px"}


def box(path) -> dict[str, float]:
    """A path's edges in points (y down)."""
    numbers = [float(v) for v in re.findall(r"-?[\d.]+", path.get("d"))]
    return {"left": min(numbers[0::2]), "right": max(numbers[0::2]), "top": min(numbers[1::2]),
            "bottom": max(numbers[1::2])}


def test_the_level_key_is_one_unframed_line_above_the_bars_centred_on_them():
    """The key (legend) on one line of five, level order, above the axes (at 1.08 of their height: the top bar not
    covered), centred on the axes (the space from the first key's left edge to the centre is the space from the centre
    to the end of the last label: key 14 pt, gap 0.8 x 7 pt, "not started" in 7 pt type), with no frame."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    svg, _alt = rc.domain_chart(LEVELS)
    root = ET.fromstring(svg)
    legend = next(g for g in root.iter(SVG_NS + "g") if g.get("id") == "legend_1")
    keys = [box(path) | {"style": style(path)} for path in legend.iter(SVG_NS + "path")]
    labels = [(t.text, float(t.get("x")), float(t.get("y"))) for t in legend.iter(SVG_NS + "text")]
    assert [text for text, _x, _y in labels] == LEVEL_ORDER
    assert len(keys) == 5  # the five keys and nothing else: no frame
    assert {k["style"]["stroke"] for k in keys} == {"#ffffff"}
    bar_fills = [style(p)["fill"] for p in root.iter(SVG_NS + "path") if p.get("clip-path")]
    assert [k["style"]["fill"] for k in keys] == bar_fills[0::2]  # each key as its level's bars (colour, hatch)
    assert len({(k["top"], k["bottom"]) for k in keys}) == 1 and len({y for _t, _x, y in labels}) == 1  # one line
    for key, (_text, x, _y) in zip(keys, labels, strict=True):
        assert key["right"] - key["left"] == pytest.approx(14) and x == pytest.approx(key["right"] + 5.6, abs=0.01)
    assert [k["left"] for k in keys] == sorted(k["left"] for k in keys)
    axes = box(next(g for g in root.iter(SVG_NS + "g") if g.get("id") == "patch_2").find(SVG_NS + "path"))
    anchor = axes["bottom"] - 1.08 * (axes["bottom"] - axes["top"])
    assert 0 < anchor - keys[0]["bottom"] < 10  # above the anchor by the key's padding (2.8 pt) and the text's depth
    assert keys[0]["bottom"] < axes["top"]
    centre = (axes["left"] + axes["right"]) / 2
    last = TextToPath().get_text_width_height_descent("not started", FontProperties(size=7), ismath=False)[0]
    assert centre - keys[0]["left"] == pytest.approx(labels[-1][1] + last - centre, abs=0.05)


def test_the_text_alternative_names_a_level_held_by_a_share_of_learners_of_1_percent_or_less():
    levels = pd.DataFrame({"title": ["A", "B"], "Mastery": [1, 1], "Proficient": [0, 0], "Developing": [99, 0],
                           "Beginning": [0, 149], "not started": [0, 0]})
    _svg, alt = rc.domain_chart(levels)
    assert alt == ("Stacked bars, one per domain, of the share of learners at each level: A: Mastery 1%, Developing "
                   "99%; B: Mastery 1%, Beginning 99%.")


def test_matplotlib_s_metadata_leaves_no_text_behind_and_the_ids_are_salted_with_the_report_s_name():
    """No stray text between the elements (where the metadata was); the ids of what is drawn by reference (here the
    tick marks) are matplotlib's hashes salted with "nasams-report": the same on every machine and in every build, so
    a report rebuilt from the same data is byte for byte the one built before; and no id is used twice in a chart."""
    import hashlib

    for svg in (rc.domain_chart(LEVELS)[0], rc.heat_map(SCORES, CRITICAL, NAMES)[0]):
        root = ET.fromstring(svg)
        assert (root.text or "").strip() == ""
        assert all((e.tail or "").strip() == "" for e in root.iter())
        marks = re.findall(r'<path id="(m\w+)" d="([^"]*)"', svg)
        assert len(marks) >= 2
        for oid, d in marks:  # a mark's hash is of its path and the style it is used with
            css = re.search(rf'<use xlink:href="#{oid}" [^>]*style="([^"]*)"', svg).group(1)
            assert oid == "m" + hashlib.sha256(("nasams-report" + str((d, css))).encode()).hexdigest()[:10]
        ids = [e.get("id") for e in root.iter() if e.get("id")]
        assert len(ids) == len(set(ids))


def svg_size(svg: str) -> tuple[float, float]:
    """The SVG's width and height, in points."""
    root = ET.fromstring(svg)
    return float(root.get("width").removesuffix("pt")), float(root.get("height").removesuffix("pt"))


def scores_of(rows: int, columns: int) -> pd.DataFrame:
    return pd.DataFrame(np.linspace(0, 1, rows * columns).reshape(rows, columns),
                        columns=[f"P{j}" for j in range(columns)], index=[f"k{i}" for i in range(rows)])


def heat_svg(scores: pd.DataFrame, critical: pd.DataFrame | None = None) -> str:
    critical = pd.DataFrame(index=scores.index) if critical is None else critical
    return rc.heat_map(scores, critical, pd.Series([f"L{i}" for i in range(len(scores))], index=scores.index))[0]


@pytest.mark.filterwarnings("ignore:Attempting to set identical")  # no learner: an empty picture
def test_the_heat_map_is_6_in_wide_or_0_22_in_a_provision_and_2_5_in_more_and_1_4_in_and_0_2_in_a_row_high():
    assert svg_size(heat_svg(SCORES)) == pytest.approx((6 * 72, (1.4 + 0.2 * 3) * 72))  # few provisions: 6 in
    assert svg_size(heat_svg(scores_of(3, 16))) == pytest.approx((6.02 * 72, 2.0 * 72))  # 16 provisions: just wider
    assert svg_size(heat_svg(scores_of(1, 30))) == pytest.approx(((0.22 * 30 + 2.5) * 72, 1.6 * 72))
    assert svg_size(heat_svg(scores_of(125, 2)))[1] == pytest.approx((1.4 + 0.2 * 60) * 72)  # 60 bands
    # no learner: as high as one row
    assert svg_size(heat_svg(scores_of(0, 2))) == pytest.approx((6 * 72, 1.6 * 72))


def axes_rect(svg: str) -> tuple[float, float, float, float]:
    """The heat map's axes (its background patch): left, top, right, bottom, in points (y down)."""
    numbers = [float(v) for v in re.findall(r"-?[\d.]+", re.search(r'<g id="patch_2">\s*<path d="([^"]+)"',
                                                                      svg).group(1))]
    return min(numbers[0::2]), min(numbers[1::2]), max(numbers[0::2]), max(numbers[1::2])


def image_rect(svg: str) -> tuple[float, float, float, float]:
    """Where the cells' picture is drawn: left, top, right, bottom, in points (y down)."""
    image = next(ET.fromstring(svg).iter(SVG_NS + "image"))
    x, y, w, h = (float(image.get(a)) for a in ("x", "y", "width", "height"))
    if "scale(1 -1)" in image.get("transform", ""):  # drawn upside down at -y, then flipped
        assert image.get("transform") == f"scale(1 -1) translate(0 -{image.get('height')})"
        y = -y
    return x, y, x + w, y + h


def tick_positions(svg: str) -> tuple[list[float], list[float]]:
    """The x of the provisions' ticks (left to right) and the y of the rows' ticks (top to bottom), in points."""
    ticks = re.findall(r'<use xlink:href="#(\w+)" x="([\d.]+)" y="([\d.]+)" style="stroke: #000000; stroke-width: '
                       r'0.8"/>', svg)
    columns = [float(x) for mark, x, _y in ticks if mark == ticks[0][0]]
    rows = [float(y) for mark, _x, y in ticks if mark == ticks[len(columns)][0]]  # not the colour bar's
    return columns, rows


def test_the_cells_fill_the_axes_a_column_of_equal_width_a_provision_a_row_of_equal_height_a_learner():
    """Not square cells in the middle of the axes: the cells stretch to the room the names, the provisions, the title
    and the colour bar leave (the axes start at the same place whatever the shape), each tick at the middle of its
    column or row."""
    shapes = [(3, 2), (2, 9), (1, 9), (5, 3), (125, 3)]
    reference = axes_rect(heat_svg(scores_of(3, 2)))
    for rows, columns in shapes:
        scores = scores_of(rows, columns)
        svg = heat_svg(scores)
        left, top, right, bottom = axes_rect(svg)
        if rows <= 60:  # names of two characters, provisions of two: the same room for them
            assert (left, top) == pytest.approx(reference[:2], abs=0.01), (rows, columns)
            assert svg_size(svg)[1] - bottom == pytest.approx(144 - reference[3], abs=0.01), (rows, columns)
        # the picture is drawn at 100 dpi, its edges on whole pixels: within 0.72 pt of the axes' edges
        assert image_rect(svg) == pytest.approx((left, top, right, bottom), abs=0.75)
        xs, ys = tick_positions(svg)
        n, m = columns, min(rows, 60)
        assert xs == pytest.approx([left + (j + 0.5) * (right - left) / n for j in range(n)], abs=0.01)
        assert ys == pytest.approx([top + (i + 0.5) * (bottom - top) / m for i in range(m)], abs=0.01)


def crosses(svg: str) -> list[tuple[float, float]]:
    """Where the heat map's crosses are drawn (x, y in points): the uses of the red marker."""
    return [(float(u.get("x")), float(u.get("y"))) for u in ET.fromstring(svg).iter(SVG_NS + "use")
            if style(u).get("fill") == "#c00000"]


def test_a_cross_is_on_the_learner_s_row_and_the_provision_s_column_whatever_the_critical_table_s_order_or_gaps():
    """The critical errors' table in another order of learners and provisions, with a learner and a provision the map
    lacks and lacking a learner (k1) and a provision (P1) of the map: neither marks a cross, known or not."""
    scores = scores_of(3, 3)
    critical = pd.DataFrame({"P2": [0.0, 1.0, 0.0], "P0": [1.0, 0.0, 1.0], "P9": [1.0, 1.0, 1.0]},
                            index=["k2", "k0", "z"])
    svg = heat_svg(scores, critical)
    xs, ys = tick_positions(svg)
    marked = sorted((xs.index(x), ys.index(y)) for x, y in crosses(svg))
    assert marked == [(0, 2), (2, 0)]  # k2 on P0, k0 on P2; z and P9 are not on the map
    # a cross is only a marker: no line joins the crosses
    lines = [p for p in ET.fromstring(svg).iter(SVG_NS + "path")
             if "#c00000" in p.get("style", "") and p.get("id") is None]
    assert lines == []


def test_scores_of_a_nullable_or_object_dtype_draw_the_map_their_floats_draw():
    """pd.NA (nullable Float64) or None (objects) where not attempted: grey cells, as NaN, not an error."""
    svg, alt = rc.heat_map(SCORES, CRITICAL, NAMES)
    for scores in (SCORES.astype("Float64"), SCORES.astype(object).where(SCORES.notna(), None)):
        assert rc.heat_map(scores, CRITICAL, NAMES) == (svg, alt), scores.dtypes


@pytest.mark.filterwarnings("ignore:Attempting to set identical")  # matplotlib's, of an empty picture
def test_a_heat_map_of_no_learner_or_no_provision_says_there_is_no_cell_never_nan():
    """A share of no cells is not defined: the text alternative says there is no cell, not "nan%", and numpy warns of
    nothing (an empty slice's mean would)."""
    for rows, columns in ((0, 2), (3, 0)):
        scores = scores_of(rows, columns)
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            alt = rc.heat_map(scores, pd.DataFrame(index=scores.index),
                              pd.Series([f"L{i}" for i in range(rows)], index=scores.index, dtype=object))[1]
        assert alt == (f"Heat map of {columns} provisions' scores for {rows} learners; no cell to show. The same "
                       "figures are in provision-scores.csv.")
