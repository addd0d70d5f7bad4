"""One section per stage that has more to say than its funnel row: drops per source and
language, its own counters, and what a global (barrier) step recorded.

The rendering is generic so stages can be added without touching the report:

* ``counters`` are grouped into families by the text before the first dot
  (``flagged.gopher_short``, ``pii.email``); a family whose keys are all integers
  (``cluster_size.2``, ``cluster_size.3``) is drawn as a distribution;
* ``global`` (what a barrier stage such as dedup records over the whole corpus) is shown as
  name/value rows; a mapping with integer keys (``cluster_sizes: {"2": 310, "3": 41}``) is
  drawn as a distribution.

Two stages get their known figures on top: ``dedup`` (duplicate rates: its drops over its
input, overall, per source and per language) and ``translate`` (the share of segments
translated and the cache hit rate, from the counters ``segments.found``,
``segments.translated``, ``cache.hits`` and ``cache.misses``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from polycorpus.pipeline.report.counts import (
    dropped,
    is_int_key,
    n,
    ranked,
    ratio,
    reasons_text,
    stage_base,
)
from polycorpus.pipeline.report.model import (
    Bars,
    Block,
    Column,
    Figure,
    Figures,
    Section,
    Series,
    Table,
)


def _drop_rates(key: str, title: str, groups: Mapping[str, Any], rate_title: str) -> Table:
    rows = [[name, n(groups[name], "docs_in"), dropped(groups[name]),
             ratio(dropped(groups[name]), n(groups[name], "docs_in")), reasons_text(groups[name].get("drops", {})) or None]
            for name in ranked(groups, "docs_in")]
    return Table([Column(title, "text"), Column("Docs in"), Column("Dropped"), Column(rate_title, "pct"),
                  Column("Reasons", "text")], rows, key=key)


def _families(counters: Mapping[str, int]) -> dict[str, dict[str, int]]:
    families: dict[str, dict[str, int]] = {}
    for name, value in counters.items():
        family, _, member = name.partition(".") if "." in name else ("", "", name)
        families.setdefault(family, {})[member] = value
    return families


def _distribution(title: str, mapping: Mapping[str, int]) -> Bars:
    keys = sorted(mapping, key=int)
    return Bars(f"{title} (count per key, log scale)", keys, [Series("count", [float(mapping[k]) for k in keys])],
                log=True)


def _is_distribution(mapping: Any) -> bool:
    return (isinstance(mapping, Mapping) and len(mapping) > 0 and all(is_int_key(str(k)) for k in mapping)
            and all(isinstance(v, int | float) for v in mapping.values()))


def _counter_blocks(label: str, counters: Mapping[str, int]) -> list[Block]:
    blocks: list[Block] = []
    rows = []
    for family, members in sorted(_families(counters).items()):
        if family and _is_distribution(members):
            blocks.append(_distribution(f"{label}: {family}", members))
            continue
        rows += [[f"{family}.{member}" if family else member, value] for member, value in sorted(members.items())]
    if rows:
        blocks.insert(0, Table([Column("Counter", "text"), Column("Count")], rows, key=f"{label}.counters"))
    return blocks


def _flatten(label: str, prefix: str, value: Any, rows: list[list[Any]], charts: list[Bars]) -> None:
    if _is_distribution(value):
        charts.append(_distribution(f"{label}: {prefix}", value))
    elif isinstance(value, Mapping):
        for key in sorted(value):
            _flatten(label, f"{prefix}.{key}" if prefix else str(key), value[key], rows, charts)
    elif isinstance(value, list):
        rows.append([prefix, ", ".join(map(str, value))])
    else:
        rows.append([prefix, value])


def _global_blocks(label: str, recorded: Mapping[str, Any]) -> list[Block]:
    rows: list[list[Any]] = []
    charts: list[Bars] = []
    _flatten(label, "", {k: v for k, v in recorded.items() if k != "elapsed_s"}, rows, charts)
    blocks: list[Block] = list(charts)
    if rows:
        numeric = all(isinstance(r[1], int | float) and not isinstance(r[1], bool) for r in rows)
        blocks.insert(0, Table([Column("Global step", "text"), Column("Value", "int" if numeric else "text")],
                               rows, key=f"{label}.global"))
    return blocks


def _known_figures(stage: dict[str, Any]) -> list[Figure]:
    base = stage_base(stage["name"])
    counters = stage.get("counters", {})
    if base == "dedup":
        return [Figure("duplicate rate", ratio(dropped(stage), n(stage, "docs_in")), "pct"),
                Figure("duplicates removed", dropped(stage))]
    if base == "translate":
        figures = []
        if counters.get("segments.found"):
            figures.append(Figure("segments translated",
                                  ratio(counters.get("segments.translated", 0), counters["segments.found"]), "pct"))
        lookups = counters.get("cache.hits", 0) + counters.get("cache.misses", 0)
        if lookups:
            figures.append(Figure("cache hit rate", ratio(counters.get("cache.hits", 0), lookups), "pct"))
        return figures
    return []


def stage_section(stage: dict[str, Any]) -> Section | None:
    """The detail of one stage, or None when its funnel row says everything."""
    label = stage["name"]
    if label == "ingest":
        return None
    base = stage_base(label)
    rate = "Duplicate rate" if base == "dedup" else "Drop rate"
    blocks: list[Block] = []
    figures = _known_figures(stage)
    if figures:
        blocks.append(Figures(figures))
    if dropped(stage):
        if len(stage.get("by_source", {})) > 1:
            blocks.append(_drop_rates(f"{label}.by_source", "Source", stage["by_source"], rate))
        if stage.get("by_lang"):
            blocks.append(_drop_rates(f"{label}.by_lang", "Language", stage["by_lang"], rate))
    blocks += _counter_blocks(label, stage.get("counters", {}))
    if stage.get("global"):
        blocks += _global_blocks(label, stage["global"])
    if not blocks:
        return None
    titles = {"dedup": "Deduplication", "translate": "Comment translation"}
    title = f"{titles[base]} ({label})" if base in titles else f"Stage {label}"
    return Section(f"stage-{label}", title, blocks, summary=base in titles)
