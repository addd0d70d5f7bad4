"""Small readers over ``stats.json`` entries that every section builder needs.

Entries of stages that saw no committed unit are empty (``{"name": label}``), so every read
has a default; absent stays distinguishable from zero where a table must show it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Categories beyond this many are folded into one "other" bar in charts (tables keep all).
CHART_TOP = 30


def n(entry: Mapping[str, Any] | None, key: str) -> int:
    return int((entry or {}).get(key, 0) or 0)


def ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def dropped(entry: Mapping[str, Any]) -> int:
    return n(entry, "docs_in") - n(entry, "docs_out")


def reasons_text(drops: Mapping[str, Mapping[str, int]], limit: int = 3) -> str:
    """The main drop reasons, largest first: ``too_short 41, empty_text 2``."""
    ranked = sorted(drops.items(), key=lambda kv: (-kv[1].get("docs", 0), kv[0]))
    text = ", ".join(f"{reason} {d.get('docs', 0):,}" for reason, d in ranked[:limit])
    return text + (f", +{len(ranked) - limit} more" if len(ranked) > limit else "")


def ranked(mapping: Mapping[str, Any], key: str) -> list[str]:
    """Keys by a numeric field, largest first (ties by name, so the order is stable)."""
    return sorted(mapping, key=lambda k: (-n(mapping[k], key), k))


def fold_top(labels: list[str], values: list[float], top: int = CHART_TOP) -> tuple[list[str], list[float]]:
    """The first ``top`` bars as they are and the rest summed into "other (k)"."""
    if len(labels) <= top:
        return labels, values
    rest = len(labels) - (top - 1)
    return labels[: top - 1] + [f"other ({rest})"], values[: top - 1] + [sum(values[top - 1:])]


def is_int_key(key: str) -> bool:
    return key.lstrip("-").isdigit()


def stage_base(label: str) -> str:
    """The stage name of a label (``dedup.2`` -> ``dedup``)."""
    return label.split(".", 1)[0]


def last_with(stages: list[dict[str, Any]], key: str) -> dict[str, Any] | None:
    """The last stage whose entry has a non-empty ``key`` (``by_lang``, ``tokens``...)."""
    return next((s for s in reversed(stages) if s.get(key)), None)
