"""Inline SVG bar charts for the HTML report: no JavaScript, no external asset, every label escaped.

A chart is a horizontal bar chart of (label, value) pairs with each bar's share of the total; it is
returned as `markupsafe.Markup`, ready to be placed in an autoescaped Jinja2 template.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

from dbom.util.humanize import human_bytes, human_count

PALETTE = ("#3b6ea8", "#e07b39", "#4a9a5b", "#c44e52", "#8172b2", "#937860", "#da8bc3", "#8c8c8c",
           "#ccb974", "#64b5cd")
WIDTH = 490  # two charts side by side in the report's 1016-pixel column
ROW = 26
LABEL_WIDTH = 140
VALUE_WIDTH = 140


def bar_chart(title: str, items: Sequence[tuple[str, float | None]], fmt: Callable[[float], str] = human_count,
              chart_id: str = "chart") -> Markup:
    """An SVG bar chart titled `title`, one bar per (label, value), with each value and its share.

    An unknown value (None) gets no bar: drawing it as zero would state a size nobody measured.
    """
    items = [(label, value) for label, value in items if value is not None]
    total = sum(v for _, v in items) or 1
    top = max((v for _, v in items), default=0) or 1
    bar_space = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 10
    height = 34 + ROW * max(len(items), 1)
    title_id = f"{chart_id}-title"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" aria-labelledby="{escape(title_id)}">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<text x="0" y="16" class="chart-title">{escape(title)}</text>',
    ]
    if not items:
        parts.append('<text x="0" y="44" class="chart-label">no data</text>')
    for i, (label, value) in enumerate(items):
        y = 28 + i * ROW
        length = max(1.0, bar_space * value / top) if value > 0 else 0.0
        share = 100.0 * value / total
        shown = label if len(label) <= 20 else label[:19] + "…"
        parts.append(
            f'<g><title>{escape(label)}: {escape(fmt(value))} ({share:.1f}%)</title>'
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end" class="chart-label">{escape(shown)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length:.1f}" height="{ROW - 8}" rx="2" '
            f'fill="{PALETTE[i % len(PALETTE)]}"/>'
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 15}" class="chart-value">'
            f'{escape(fmt(value))} ({share:.1f}%)</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def profile_charts(name: str, profile: Mapping[str, Any], chart_id: str) -> list[Markup]:
    """A profiled dataset's charts: its languages by share of the text, its top domains by bytes of text.

    `profile` is the report's view of the content profile (dbom.compliance.report); a part it does not
    hold (no text, no URL field) gets no chart.
    """
    charts = []
    if profile["languages"]:
        charts.append(bar_chart(f"Languages of {name} (share of the text)",
                                [(item["language"], item["share"] * 100) for item in profile["languages"]],
                                lambda v: f"{v:.1f}%", f"{chart_id}-languages"))
    if profile["domains"]:
        charts.append(bar_chart(f"Top {len(profile['domains'])} domains of {name} (bytes of text)",
                                [(item["domain"], item["bytes"]) for item in profile["domains"]], human_bytes,
                                f"{chart_id}-domains"))
    return charts
