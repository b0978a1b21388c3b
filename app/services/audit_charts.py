"""The charts PSWs already put in their reports, drawn with matplotlib (Agg: no display needed).

Each chart comes with its text alternative and the data table it was drawn
from, so nobody needs to see it to know what it says. Colours come with
patterns and direct labels, so colour is never the only way to tell bars apart.

A chart is drawn only when its picture is asked for, and the picture is kept
(in memory, keyed by a hash of exactly what is drawn and the format), so the
dashboard doesn't redraw a chart whose numbers haven't changed.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import matplotlib

matplotlib.use("Agg")  # before pyplot: a server has no display

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from app.services.audit_tools import AuditTool
from app.services.triangulation import Triangulation

CHARTS = ("overall", "questions", "themes")
# Dark to light, each with white or ink text at >= 4.5:1, and distinct in greyscale.
COLOURS = ["#1d4f91", "#3f7a4c", "#f2c94c", "#9b2c2c", "#6b6b6b"]
HATCHES = ["", "//", "..", "xx", "\\\\"]
INK = "#1b1b1b"
CACHE_SIZE = 256  # drawn pictures kept; a few charts a review, a few formats

plt.rcParams.update(
    {
        "font.size": 11,
        "svg.fonttype": "none",  # text stays text in the SVG: selectable, and crisp when zoomed
        "svg.hashsalt": "heard",  # the same data draws the same file
        "text.color": INK,
        "axes.labelcolor": INK,
        "xtick.color": INK,
        "ytick.color": INK,
    }
)


_drawn: OrderedDict[str, bytes] = OrderedDict()
_drawn_lock = threading.Lock()


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    alt: str  # one or two sentences saying what the chart shows
    headers: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]  # the data table beside the chart
    # How to draw it: a function of plain data (None: nothing to draw yet, the alt text says why).
    draw: Callable[..., Figure] | None = field(default=None, compare=False)
    spec: tuple[Any, ...] = ()  # the draw function's arguments: everything the picture depends on

    @cached_property
    def figure(self) -> Figure | None:
        """The matplotlib figure, drawn on first use (None: nothing to draw yet)."""
        return self.draw(*self.spec) if self.draw else None

    def cache_key(self, fmt: str) -> str:
        what = (self.draw.__name__ if self.draw else None, self.alt, self.spec, fmt)
        return hashlib.sha256(repr(what).encode()).hexdigest()

    def render(self, fmt: str = "svg") -> bytes:
        key = self.cache_key(fmt)
        with _drawn_lock:
            if key in _drawn:
                _drawn.move_to_end(key)
                return _drawn[key]
        buffer = io.BytesIO()
        figure = self.figure or _nothing_yet(self.alt)
        figure.savefig(buffer, format=fmt, dpi=150, bbox_inches="tight", metadata=_metadata(fmt))
        drawn = buffer.getvalue()
        with _drawn_lock:
            _drawn[key] = drawn
            while len(_drawn) > CACHE_SIZE:
                _drawn.popitem(last=False)
        return drawn


def clear_cache() -> None:
    with _drawn_lock:
        _drawn.clear()


def _nothing_yet(message: str) -> Figure:
    """A chart with no data says so, rather than failing where a picture is expected."""
    figure = Figure(figsize=(6, 1))
    figure.text(0.5, 0.5, message, ha="center", va="center")
    return figure


def _metadata(fmt: str) -> dict[str, Any]:
    # No creation date: the same data gives the same bytes.
    return {"Date": None} if fmt == "svg" else {}


def _figure(width: float, height: float) -> tuple[Figure, Any]:
    figure = Figure(figsize=(width, height))
    return figure, figure.subplots()


def overall_pie(summary: dict[str, Any]) -> Chart:
    overall = summary.get("overall")
    title = "Overall judgements of the records"
    if not overall:
        return Chart("overall", title, "This audit tool has no overall judgement.", (), ())
    counts = overall["counts"]
    rows = tuple((label, n, overall["percent"][label]) for label, n in counts.items())
    given = [(label, n, pct) for label, n, pct in rows if n]
    parts = "; ".join(f"{label} {n} ({pct}%)" for label, n, pct in rows)
    alt = f"Pie chart of the overall judgement of {overall['total']} records: {parts}."
    if not given:
        return Chart("overall", title, "No overall judgements have been imported yet.", (), ())
    headers = ("Judgement", "Records", "Percent")
    return Chart("overall", title, alt, headers, rows, _draw_overall, (title, rows))


def _draw_overall(title: str, rows: tuple[tuple[str, int, float], ...]) -> Figure:
    counts = {label: n for label, n, _pct in rows}
    given = [(label, n, pct) for label, n, pct in rows if n]
    figure, axes = _figure(6, 4.5)
    wedges, _texts = axes.pie(
        [n for _label, n, _pct in given],
        colors=[COLOURS[i % len(COLOURS)] for i, (label, _n, _pct) in enumerate(rows) if counts[label]],
        hatch=[HATCHES[i % len(HATCHES)] for i, (label, _n, _pct) in enumerate(rows) if counts[label]],
        wedgeprops={"edgecolor": "white", "linewidth": 1.5},
        startangle=90,
        counterclock=False,
    )
    axes.legend(
        wedges,
        [f"{label}: {n} ({pct}%)" for label, n, pct in given],
        loc="center left",
        bbox_to_anchor=(1, 0.5),
        frameon=False,
    )
    axes.set_title(title)
    axes.axis("equal")
    return figure


def question_bars(summary: dict[str, Any], tool: AuditTool) -> Chart:
    questions = summary["questions"]
    title = "Ratings per question" if tool.summary == "counts" else "Positive score per criterion"
    if not summary["records"]:
        return Chart("questions", title, "No audit has been imported yet.", (), ())
    labels = tuple(r.label for r in tool.ratings)
    keys = tuple(q["key"].upper() for q in questions)
    if tool.summary == "positive":
        values = tuple(q["percent"] for q in questions)
        rows = tuple(
            (q["key"], q["theme"], *q["counts"].values(), q["positive"], q["percent"]) for q in questions
        )
        headers = ("Criterion", "Theme", *labels, "Positive", "Percent")
        best = max(questions, key=lambda q: q["percent"])
        worst = min(questions, key=lambda q: q["percent"])
        alt = (
            f"Bar chart of the positive score for each of {len(questions)} criteria across "
            f"{summary['records']} records. Highest: {best['key']} at {best['percent']}%; "
            f"lowest: {worst['key']} at {worst['percent']}%."
        )
        spec: tuple[Any, ...] = (title, keys, values)
        return Chart("questions", title, alt, headers, rows, _draw_positive_bars, spec)
    rows = tuple((q["key"], q["theme"], *q["counts"].values()) for q in questions)
    headers = ("Question", "Theme", *labels)
    top = labels[0]
    most = max(questions, key=lambda q: q["counts"][top])
    alt = (
        f"Stacked bar chart of the ratings given for each of {len(questions)} questions across "
        f"{summary['records']} records. Most rated {top}: {most['key']} ({most['counts'][top]} records). "
        "The table beside it has every count."
    )
    series = tuple(tuple(q["counts"][label] for q in questions) for label in labels)
    spec = (title, keys, labels, series)
    return Chart("questions", title, alt, headers, rows, _draw_stacked_bars, spec)


def _draw_positive_bars(title: str, keys: tuple[str, ...], values: tuple[float, ...]) -> Figure:
    figure, axes = _figure(7.5, 0.45 * len(keys) + 1.6)
    bars = axes.barh(list(keys), list(values), color=COLOURS[0])
    axes.bar_label(bars, labels=[f"{v}%" for v in values], padding=3)
    axes.set_xlim(0, 110)
    axes.set_xlabel("Positive score as a percentage of records (Y = 1, P = 0.5)")
    return _finish_bars(figure, axes, title)


def _draw_stacked_bars(
    title: str, keys: tuple[str, ...], labels: tuple[str, ...], series: tuple[tuple[int, ...], ...]
) -> Figure:
    figure, axes = _figure(7.5, 0.45 * len(keys) + 1.6)
    left = [0] * len(keys)
    for index, (label, counts) in enumerate(zip(labels, series, strict=True)):
        axes.barh(
            list(keys), list(counts), left=left, label=label, color=COLOURS[index % len(COLOURS)],
            hatch=HATCHES[index % len(HATCHES)], edgecolor="white",
        )  # fmt: skip
        left = [a + b for a, b in zip(left, counts, strict=True)]
    axes.set_xlabel("Number of records")
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=len(labels), frameon=False)
    return _finish_bars(figure, axes, title)


def _finish_bars(figure: Figure, axes: Any, title: str) -> Figure:
    axes.invert_yaxis()  # question 1 at the top, as in the tool
    axes.set_title(title)
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def theme_comparison(result: Triangulation) -> Chart:
    title = "The record and the experience, by theme (0 = worst, 1 = best)"
    means = [
        (row.label, row.audit_mean, row.lived_mean, row.voices, row.disagreements)
        for row in result.themes
        if row.audit_mean is not None or row.lived_mean is not None
    ]
    # The table shows two places throughout (0.50, not 0.5), as the theme table does.
    rows = tuple(
        (label, _two(audit), _two(lived), voices, differ) for label, audit, lived, voices, differ in means
    )
    headers = ("Theme", "Audit mean", "Lived-experience mean", "Voices", "Disagreements")
    if not rows:
        return Chart("themes", title, "There are no audit ratings or answers to compare yet.", (), ())
    both = [r for r in means if r[1] is not None and r[2] is not None]
    gaps = sorted(both, key=lambda r: abs(r[1] - r[2]), reverse=True)
    widest = (
        f" The widest gap is {gaps[0][0]}: audit {gaps[0][1]}, lived experience {gaps[0][2]}." if gaps else ""
    )
    alt = f"Paired bar chart of the audit mean and the lived-experience mean for {len(rows)} themes.{widest}"
    spec = (
        title,
        tuple(r[0] for r in rows),
        tuple(r[1] or 0 for r in means),
        tuple(r[2] or 0 for r in means),
    )
    return Chart("themes", title, alt, headers, rows, _draw_themes, spec)


def _draw_themes(
    title: str, labels: tuple[str, ...], audit: tuple[float, ...], lived: tuple[float, ...]
) -> Figure:
    figure, axes = _figure(7.5, 0.6 * len(labels) + 1.6)
    positions = list(range(len(labels)))
    height = 0.38
    axes.barh(
        [p - height / 2 for p in positions], list(audit), height,
        label="Audit of the record", color=COLOURS[0],
    )  # fmt: skip
    axes.barh(
        [p + height / 2 for p in positions], list(lived), height, label="What people said",
        color=COLOURS[1], hatch="//", edgecolor="white",
    )  # fmt: skip
    axes.set_yticks(positions, list(labels))
    axes.set_xlim(0, 1)
    axes.set_xlabel("Mean on one scale: 0 = worst, 1 = best (missing: no data)")
    axes.invert_yaxis()
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2, frameon=False)
    axes.set_title(title)
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def _two(value: float | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def charts_for(summary: dict[str, Any], tool: AuditTool, result: Triangulation) -> dict[str, Chart]:
    return {
        "overall": overall_pie(summary),
        "questions": question_bars(summary, tool),
        "themes": theme_comparison(result),
    }
