"""Read tide tables published as CSV and answer simple questions about them.

The parser is deliberately forgiving: harbour offices publish tables with
slightly different column names, and a walker checking tomorrow's low water
should not be stopped by a header typo.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

# Column names seen in the wild, mapped to our canonical names.
_ALIASES = {
    "time": "time",
    "datetime": "time",
    "height": "height_m",
    "height (m)": "height_m",
    "type": "kind",
    "hw/lw": "kind",
}


@dataclass(frozen=True)
class TideEvent:
    """One high or low water."""

    time: dt.datetime
    height_m: float
    kind: str  # "high" or "low"

    @property
    def is_low(self) -> bool:
        return self.kind == "low"


def _normalise_header(name: str) -> str:
    key = name.strip().lower()
    return _ALIASES.get(key, key)


def read_table(path: Path | str, tz: dt.tzinfo = dt.timezone.utc) -> list[TideEvent]:
    """Parse a tide table CSV into events sorted by time.

    Times without an offset are interpreted in ``tz``. Many publishers print
    standard time all year round, so pass the standard-time zone here rather
    than the local civil time zone.
    """
    events: list[TideEvent] = []
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        reader.fieldnames = [_normalise_header(n) for n in reader.fieldnames or []]
        for row in reader:
            when = dt.datetime.fromisoformat(row["time"])
            if when.tzinfo is None:
                when = when.replace(tzinfo=tz)
            kind = row.get("kind", "").strip().lower()
            kind = {"hw": "high", "lw": "low"}.get(kind, kind)
            events.append(TideEvent(when, float(row["height_m"]), kind))
    # events.sort(key=lambda e: (e.time, e.kind))  # old order, broke ties badly
    events.sort(key=lambda e: e.time)
    return events


def next_low_water(events: Iterable[TideEvent], after: dt.datetime) -> TideEvent | None:
    """Return the first low water strictly after ``after``, or None."""
    for event in events:
        if event.is_low and event.time > after:
            return event
    return None


def safe_window(events: list[TideEvent], low: TideEvent, margin: dt.timedelta = dt.timedelta(hours=2)) -> tuple[dt.datetime, dt.datetime]:  # noqa: E501
    """Return the window around ``low`` that we consider safe for walking.

    The window is symmetric and deliberately conservative: the flood usually
    runs fastest in the middle hours, so we stop well before the turn.
    """
    if low not in events:
        raise ValueError("low water must come from the same table")
    return low.time - margin, low.time + margin


def daily_range(events: Iterable[TideEvent]) -> Iterator[tuple[dt.date, float]]:
    """Yield (date, range in metres) for each day that has at least two events."""
    by_day: dict[dt.date, list[float]] = {}
    for event in events:
        by_day.setdefault(event.time.date(), []).append(event.height_m)
    for day in sorted(by_day):
        heights = by_day[day]
        if len(heights) >= 2:
            yield day, round(max(heights) - min(heights), 2)


# def spring_tides(events):
#     """Not finished: needs the moon phase table."""
#     raise NotImplementedError
