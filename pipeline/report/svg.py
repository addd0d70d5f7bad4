"""Charts as inline SVG written here: no library, no script, nothing fetched.

A report must open offline and years later, so charts are plain vector markup drawn at build
time. Each bar carries a ``<title>`` (the browser shows it on hover) and the classes the
browser test looks for (``svg.chart``, ``rect.bar``). Output is deterministic.
"""

from __future__ import annotations

import math
from html import escape

from polycorpus.pipeline.report.fmt import cell_text
from polycorpus.pipeline.report.model import Bars, Histogram, Kind

WIDTH = 880
PALETTE = ("#3b6fb6", "#e08a2c", "#4a9d5b", "#b8473d", "#7b5ea7", "#8c6d46", "#c4619c", "#6b6b6b")
STACK_COLOURS = ("#3b6fb6", "#d6dbe3")  # kept, dropped
CHAR_PX = 6.6  # average advance of the 11 px UI font, to size the label column


def _nice_step(top: float, ticks: int = 5) -> float:
    raw = top / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


def _axis_ticks(top: float, log: bool) -> list[float]:
    if top <= 0:
        return [0.0]
    if log:
        return [10.0 ** e for e in range(math.floor(math.log10(top)) + 1)]
    step = _nice_step(top)
    return [i * step for i in range(int(top / step + 1e-9) + 1)]


def _tick_text(value: float, kind: Kind) -> str:
    if kind == "pct":
        return f"{100 * value:.0f}%"
    if kind == "bytes":
        return cell_text(value, "bytes")
    if value >= 1e9:
        return f"{value / 1e9:g}G"
    if value >= 1e6:
        return f"{value / 1e6:g}M"
    if value >= 1e3:
        return f"{value / 1e3:g}k"
    return f"{value:g}"


def _scale(value: float, top: float, log: bool) -> float:
    """A value's share of the plot width (log: 1 maps to 0, so counts of 1 stay visible as 0+)."""
    if top <= 0 or value <= 0:
        return 0.0
    if log:
        return math.log10(value + 1) / math.log10(top + 1)
    return value / top


def _svg_open(kind: str, height: float, title: str) -> str:
    return (f'<svg class="chart {kind}" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0f}" '
            f'viewBox="0 0 {WIDTH} {height:.0f}" role="img" aria-label="{escape(title)}">'
            f'<text x="0" y="14" class="chart-title">{escape(title)}</text>')


def _legend(names: list[str], colours: tuple[str, ...], x: float, y: float) -> str:
    parts = []
    for i, name in enumerate(names):
        parts.append(f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="10" height="10" fill="{colours[i % len(colours)]}"/>'
                     f'<text x="{x + 14:.1f}" y="{y:.1f}" class="legend">{escape(name)}</text>')
        x += 24 + CHAR_PX * len(name)
    return "".join(parts)


def bars(chart: Bars) -> str:
    """Horizontal bars: grouped series side by side, or stacked into one bar per label."""
    series = chart.series
    colours = STACK_COLOURS if chart.stacked and len(series) == 2 else PALETTE
    label_w = min(240.0, max(60.0, CHAR_PX * max((len(label) for label in chart.labels), default=4) + 12))
    value_w = 96.0
    plot_w = WIDTH - label_w - value_w
    bar_h = 14.0
    row_h = bar_h + 6 if chart.stacked else bar_h * len(series) + 6
    legend_h = 18 if len(series) > 1 else 0
    top_pad, axis_h = 24 + legend_h, 18
    height = top_pad + row_h * len(chart.labels) + axis_h
    totals = [sum(s.values[i] for s in series) for i in range(len(chart.labels))]
    top = max(totals if chart.stacked else [v for s in series for v in s.values], default=0.0)
    ticks = _axis_ticks(top, chart.log)
    out = [_svg_open("bars", height, chart.title)]
    if legend_h:
        out.append(_legend([s.name for s in series], colours, label_w, 34))
    plot_bottom = top_pad + row_h * len(chart.labels)
    for tick in ticks:
        x = label_w + plot_w * _scale(tick, top, chart.log)
        out.append(f'<line x1="{x:.1f}" y1="{top_pad - 4:.1f}" x2="{x:.1f}" y2="{plot_bottom:.1f}" class="grid"/>'
                   f'<text x="{x:.1f}" y="{plot_bottom + 13:.1f}" class="tick" text-anchor="middle">'
                   f'{escape(_tick_text(tick, chart.kind))}</text>')
    for row, label in enumerate(chart.labels):
        y = top_pad + row * row_h + 3
        out.append(f'<text x="{label_w - 6:.1f}" y="{y + (row_h - 6) / 2 + 4:.1f}" class="label" '
                   f'text-anchor="end">{escape(label)}</text>')
        x = label_w
        for k, s in enumerate(series):
            value = s.values[row]
            width = plot_w * _scale(value, top, chart.log) if not chart.stacked else plot_w * value / top if top else 0
            bar_y = y if chart.stacked else y + k * bar_h
            tip = f"{label} · {s.name}: {cell_text(value, chart.kind)}"
            out.append(f'<rect class="bar" x="{x:.1f}" y="{bar_y:.1f}" width="{max(width, 0):.1f}" height="{bar_h - 2:.1f}" '
                       f'fill="{colours[k % len(colours)]}"><title>{escape(tip)}</title></rect>')
            if chart.stacked:
                x += width
            else:
                out.append(f'<text x="{x + width + 4:.1f}" y="{bar_y + bar_h - 4:.1f}" class="value">'
                           f'{escape(cell_text(value, chart.kind))}</text>')
        if chart.stacked:
            shown = cell_text(series[0].values[row], chart.kind) + " / " + cell_text(totals[row], chart.kind)
            out.append(f'<text x="{x + 4:.1f}" y="{y + bar_h - 4:.1f}" class="value">{escape(shown)}</text>')
    out.append("</svg>")
    return "".join(out)


def histogram(chart: Histogram) -> str:
    """Small multiples: one panel per group, each bucket's share of the group's documents."""
    columns = 3
    panel_w, panel_h, gap = (WIDTH - 2 * 16) / columns, 132.0, 16.0
    rows = math.ceil(len(chart.groups) / columns)
    height = 24 + rows * (panel_h + gap)
    out = [_svg_open("histogram", height, chart.title)]
    count = len(chart.buckets)
    label_every = max(1, math.ceil(count / 5))
    for index, (group, values) in enumerate(chart.groups):
        px = (index % columns) * (panel_w + gap)
        py = 24 + (index // columns) * (panel_h + gap)
        total = sum(values) or 1
        peak = max(values) / total if values else 0
        plot_x, plot_y, plot_w, plot_h = px + 4, py + 20, panel_w - 8, panel_h - 40
        out.append(f'<text x="{px + 4:.1f}" y="{py + 12:.1f}" class="panel-title">{escape(group)} '
                   f'({sum(values):,})</text>'
                   f'<line x1="{plot_x:.1f}" y1="{plot_y + plot_h:.1f}" x2="{plot_x + plot_w:.1f}" '
                   f'y2="{plot_y + plot_h:.1f}" class="axis"/>')
        step = plot_w / max(count, 1)
        for b, value in enumerate(values):
            h = plot_h * (value / total) / peak if peak else 0
            tip = f"{group}: {value:,} documents from {chart.buckets[b]} {chart.x_label}"
            out.append(f'<rect class="bar" x="{plot_x + b * step + 0.5:.1f}" y="{plot_y + plot_h - h:.1f}" '
                       f'width="{max(step - 1, 0.5):.1f}" height="{h:.1f}" fill="{PALETTE[0]}">'
                       f'<title>{escape(tip)}</title></rect>')
            if b % label_every == 0:
                out.append(f'<text x="{plot_x + b * step + step / 2:.1f}" y="{plot_y + plot_h + 12:.1f}" '
                           f'class="tick" text-anchor="middle">{escape(chart.buckets[b])}</text>')
    out.append("</svg>")
    return "".join(out)
