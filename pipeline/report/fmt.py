"""Numbers as people read them: one place, so the page, the summary and the CLI agree."""

from __future__ import annotations

import math

from polycorpus.pipeline.report.model import Cell, Kind


def human_bytes(n: float) -> str:
    """Decimal units (a 1.2 GB file is 1.2e9 bytes, as storage and network tools count)."""
    size = float(n)
    sign = "-" if size < 0 else ""
    size = abs(size)
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if size < 1000 or unit == "PB":
            return f"{sign}{size:.0f} {unit}" if unit == "B" else f"{sign}{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


def cell_text(value: Cell, kind: Kind) -> str:
    """A cell as text; missing values are an en dash, never 0 (absent is not zero)."""
    if value is None:
        return "–"
    if kind == "text" or isinstance(value, str):
        return str(value)
    if kind == "int":
        return f"{int(value):,}"
    if kind == "delta":
        return f"{int(value):+,}" if value else "0"
    if kind == "bytes":
        return human_bytes(value)
    if kind == "pct":
        return _pct(float(value))
    if kind == "seconds":
        return f"{value:,.1f} s"
    return _significant(float(value))  # rate


def _pct(fraction: float) -> str:
    if fraction == 0:
        return "0%"
    percent = 100 * fraction
    if abs(percent) < 0.1:
        return f"{percent:.2g}%"
    return f"{percent:.1f}%"


def _significant(value: float) -> str:
    """Rates span orders of magnitude: three significant digits, thousands separated."""
    if value == 0 or not math.isfinite(value):
        return str(value)
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"
