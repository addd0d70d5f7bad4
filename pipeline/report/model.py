"""What a report is made of, independent of how it is rendered.

Section builders produce these plain objects once; the HTML page and the Markdown summary
render the same objects, so the two can never disagree about a number. Cells hold raw values
(a column's ``kind`` says how to show them), so the page can sort by the number while showing
"1.2 MB", and tests can compare the values themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

#: How a value is shown: see :func:`pipeline.report.fmt.cell_text`.
Kind = Literal["text", "int", "delta", "bytes", "pct", "seconds", "rate"]
Cell = str | int | float | None


@dataclass(frozen=True)
class Column:
    title: str
    kind: Kind = "int"


@dataclass
class Table:
    columns: list[Column]
    rows: list[list[Cell]]
    caption: str = ""
    key: str = ""  # a stable name for tests and for the page's anchors

    def column(self, title: str) -> list[Cell]:
        """The values of one column (by title), for tests and cross-checks."""
        index = [c.title for c in self.columns].index(title)
        return [row[index] for row in self.rows]


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float]


@dataclass
class Bars:
    """Horizontal bars, one row per label; several series are grouped, or stacked if asked."""

    title: str
    labels: list[str]
    series: list[Series]
    kind: Kind = "int"
    stacked: bool = False
    log: bool = False


@dataclass
class Histogram:
    """Columns over ordered buckets, one small panel per group (for example per language)."""

    title: str
    buckets: list[str]
    groups: list[tuple[str, list[int]]]
    x_label: str = ""


@dataclass(frozen=True)
class Figure:
    label: str
    value: Cell
    kind: Kind = "int"


@dataclass
class Figures:
    """Headline numbers shown as cards at the top of a section."""

    items: list[Figure]


@dataclass(frozen=True)
class Note:
    text: str
    level: Literal["info", "warn"] = "info"


Block = Table | Bars | Histogram | Figures | Note


@dataclass
class Section:
    key: str  # unique: the HTML anchor
    title: str
    blocks: list[Block] = field(default_factory=list)
    intro: str = ""
    summary: bool = False  # part of the Markdown summary

    def tables(self) -> dict[str, Table]:
        return {b.key: b for b in self.blocks if isinstance(b, Table) and b.key}


@dataclass
class Report:
    title: str
    subtitle: str
    notes: list[Note]
    sections: list[Section]

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)
