"""Two runs side by side (``polycorpus report A --compare B``): what changed in the config,
and how the funnel, sources, languages, tokens, mixture and time moved. Columns are A, B and
the difference B - A, so a pull request that changes a threshold shows its effect at once."""

from __future__ import annotations

from typing import Any

from polycorpus.pipeline.report.build import status_notes
from polycorpus.pipeline.report.counts import fold_top, n, ratio
from polycorpus.pipeline.report.funnel import output_tokens, stage_title
from polycorpus.pipeline.report.model import (
    Bars,
    Block,
    Column,
    Note,
    Report,
    Section,
    Series,
    Table,
)
from polycorpus.pipeline.report.rundata import RunData


def _flatten(value: Any, prefix: str = "") -> dict[str, str]:
    if isinstance(value, dict):
        out: dict[str, str] = {}
        for key, inner in value.items():
            out.update(_flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and any(isinstance(v, dict) for v in value):
        out = {}
        for index, inner in enumerate(value):
            out.update(_flatten(inner, f"{prefix}[{index}]"))
        return out
    return {prefix: str(value)}


def _union(a: list[str], b: list[str]) -> list[str]:
    """A's order, then what only B has, in B's order."""
    return a + [x for x in b if x not in a]


def _delta(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else b - a


def _runs_section(a: RunData, b: RunData) -> Section:
    def row(label: str, kind: str, get: Any) -> list[Any]:
        return [label, get(a), get(b)] + ([_delta(get(a), get(b))] if kind == "int" else [None])

    rows = [
        ["directory", a.url, b.url, None],
        ["fingerprint", a.meta["fingerprint"][:12], b.meta["fingerprint"][:12], None],
        ["state", "partial" if a.partial else "complete", "partial" if b.partial else "complete", None],
        row("records read", "int", lambda d: n(d.stats["stages"][0], "docs_in")),
        row("documents out", "int", lambda d: n(d.stats.get("output"), "docs")),
        row("bytes out", "int", lambda d: n(d.stats.get("output"), "bytes")),
        row("tokens out", "int", lambda d: output_tokens(d.stats)),
    ]
    table = Table([Column("", "text"), Column("A", "text"), Column("B", "text"), Column("B - A", "delta")],
                  [[r[0]] + [f"{v:,}" if isinstance(v, int) else v for v in r[1:3]] + [r[3]] for r in rows],
                  key="runs")
    blocks: list[Block] = [table]
    config_a = _flatten({k: v for k, v in a.meta.get("config", {}).items() if k != "output"})
    config_b = _flatten({k: v for k, v in b.meta.get("config", {}).items() if k != "output"})
    changed = [[key, config_a.get(key), config_b.get(key)] for key in _union(list(config_a), list(config_b))
               if config_a.get(key) != config_b.get(key)]
    if changed:
        blocks.append(Table([Column("Setting", "text"), Column("A", "text"), Column("B", "text")], changed,
                            caption="Configuration differences (output directory aside)", key="config_diff"))
    else:
        blocks.append(Note("The two runs have the same configuration (output directory aside)."))
    return Section("runs", "The two runs", blocks, summary=True)


def _funnel(a: RunData, b: RunData) -> Section:
    stages_a = {s["name"]: s for s in a.stats["stages"]}
    stages_b = {s["name"]: s for s in b.stats["stages"]}
    names = _union(list(stages_a), list(stages_b))
    rows = []
    for name in names:
        sa, sb = stages_a.get(name), stages_b.get(name)
        out_a = n(sa, "docs_out") if sa else None
        out_b = n(sb, "docs_out") if sb else None
        rows.append([stage_title({"name": name}), n(sa, "docs_in") if sa else None, out_a,
                     n(sb, "docs_in") if sb else None, out_b, _delta(out_a, out_b),
                     ratio(n(sa, "docs_out"), n(sa, "docs_in")) if sa else None,
                     ratio(n(sb, "docs_out"), n(sb, "docs_in")) if sb else None])
    table = Table([Column("Stage", "text"), Column("A in"), Column("A out"), Column("B in"), Column("B out"),
                   Column("Out B - A", "delta"), Column("A kept", "pct"), Column("B kept", "pct")], rows, key="funnel")
    chart = Bars("Documents out of each stage", [r[0] for r in rows],
                 [Series("A", [r[2] or 0 for r in rows]), Series("B", [r[4] or 0 for r in rows])])
    reasons = []
    for name in names:
        drops_a = (stages_a.get(name) or {}).get("drops", {})
        drops_b = (stages_b.get(name) or {}).get("drops", {})
        for reason in sorted(set(drops_a) | set(drops_b)):
            da, db = drops_a.get(reason, {}).get("docs", 0), drops_b.get(reason, {}).get("docs", 0)
            reasons.append([name, reason, da, db, db - da])
    blocks: list[Block] = [chart, table]
    if reasons:
        blocks.append(Table([Column("Stage", "text"), Column("Reason", "text"), Column("A"), Column("B"),
                             Column("B - A", "delta")], reasons, key="drop_reasons"))
    return Section("funnel", "Funnel", blocks, summary=True)


def _groups(a: RunData, b: RunData, level: str, title: str, key: str) -> Section | None:
    last_a, last_b = a.stats["stages"][-1], b.stats["stages"][-1]
    ga, gb = last_a.get(level) or {}, last_b.get(level) or {}
    if not ga and not gb:
        return None
    names = sorted(set(ga) | set(gb), key=lambda g: (-max(n(ga.get(g), "docs_out"), n(gb.get(g), "docs_out")), g))
    rows = []
    for name in names:
        ea, eb = ga.get(name), gb.get(name)
        da, db = n(ea, "docs_out") if ea else None, n(eb, "docs_out") if eb else None
        rows.append([name, da, db, _delta(da, db), n(ea, "bytes_out") if ea else None,
                     n(eb, "bytes_out") if eb else None, (ea or {}).get("tokens"), (eb or {}).get("tokens")])
    table = Table([Column(title, "text"), Column("A docs"), Column("B docs"), Column("Docs B - A", "delta"),
                   Column("A bytes", "bytes"), Column("B bytes", "bytes"), Column("A tokens"), Column("B tokens")],
                  rows, key=key)
    labels, values_a = fold_top([r[0] for r in rows], [float(r[1] or 0) for r in rows])
    _, values_b = fold_top([r[0] for r in rows], [float(r[2] or 0) for r in rows])
    chart = Bars(f"Documents out by {title.lower()}", labels, [Series("A", values_a), Series("B", values_b)])
    return Section(key, f"{title}s", [chart, table], summary=True)


def _mixture(a: RunData, b: RunData) -> Section | None:
    sets_a = {s.label: s for s in a.shard_sets if s.manifest}
    sets_b = {s.label: s for s in b.shard_sets if s.manifest}
    rows = []
    for label in _union(list(sets_a), list(sets_b)):
        totals = [s.manifest.totals()["by_source"] if s else {} for s in (sets_a.get(label), sets_b.get(label))]
        sums = [sum(g["tokens"] for g in t.values()) for t in totals]
        for source in sorted(set(totals[0]) | set(totals[1])):
            ta = totals[0].get(source, {}).get("tokens") if totals[0] else None
            tb = totals[1].get(source, {}).get("tokens") if totals[1] else None
            rows.append([label, source, ta, tb, _delta(ta, tb),
                         ratio(ta or 0, sums[0]) if ta is not None else None,
                         ratio(tb or 0, sums[1]) if tb is not None else None])
    if not rows:
        return None
    table = Table([Column("Shard set", "text"), Column("Source", "text"), Column("A tokens"), Column("B tokens"),
                   Column("Tokens B - A", "delta"), Column("A share", "pct"), Column("B share", "pct")], rows,
                  key="tokens")
    return Section("tokens", "Tokens per source", [table], summary=True)


def _time(a: RunData, b: RunData) -> Section | None:
    pa_ = {p["name"]: p for p in a.stats.get("phases", [])}
    pb = {p["name"]: p for p in b.stats.get("phases", [])}
    rows = [[name, (pa_.get(name) or {}).get("elapsed_s"), (pb.get(name) or {}).get("elapsed_s"),
             (pa_.get(name) or {}).get("unit_seconds"), (pb.get(name) or {}).get("unit_seconds")]
            for name in _union(list(pa_), list(pb))]
    if not rows:
        return None
    return Section("time", "Time per phase", [Table(
        [Column("Phase", "text"), Column("A wall", "seconds"), Column("B wall", "seconds"),
         Column("A worker", "seconds"), Column("B worker", "seconds")], rows, key="phases")], summary=True)


def compare_runs(a: RunData, b: RunData) -> Report:
    notes = [Note(f"A: {note.text}", note.level) for note in status_notes(a)]
    notes += [Note(f"B: {note.text}", note.level) for note in status_notes(b)]
    sections = [_runs_section(a, b), _funnel(a, b), _groups(a, b, "by_source", "Source", "sources"),
                _groups(a, b, "by_lang", "Language", "languages"), _mixture(a, b), _time(a, b)]
    return Report(f"polycorpus comparison: {a.name} (A) vs {b.name} (B)", f"A = {a.url} · B = {b.url}", notes,
                  [s for s in sections if s is not None])
