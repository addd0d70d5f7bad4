"""Sections about the flow of documents: the funnel, drop reasons, sources, languages,
document lengths, and time per phase. All of it comes from ``stats.json`` alone."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from polycorpus.pipeline.report.counts import (
    dropped,
    fold_top,
    last_with,
    n,
    ranked,
    ratio,
    reasons_text,
)
from polycorpus.pipeline.report.model import (
    Bars,
    Column,
    Figure,
    Figures,
    Histogram,
    Note,
    Section,
    Series,
    Table,
)
from polycorpus.pipeline.stats import length_bucket

#: Length distributions are drawn for this many languages (the largest); the table has all.
LENGTH_PANELS = 12


def stage_title(stage: dict[str, Any]) -> str:
    # Ingest's input is archive records and lines (requests, metadata...), not documents.
    return "ingest (records in)" if stage["name"] == "ingest" else stage["name"]


def output_tokens(stats: dict[str, Any]) -> int | None:
    """Tokens of the final documents, when a stage measured them."""
    measured = last_with(stats["stages"], "tokens")
    return n(measured, "tokens") if measured else None


def overview(stats: dict[str, Any], shard_count: int | None) -> Section:
    stages = stats["stages"]
    output = stats.get("output", {})
    langs = [lang for lang in (output.get("by_lang") or {}) if lang != "unknown"]
    figures = [
        Figure("records read", n(stages[0], "docs_in")),
        Figure("documents out", n(output, "docs")),
        Figure("text out", n(output, "bytes"), "bytes"),
        Figure("tokens out", output_tokens(stats)),
        Figure("sources", len(output.get("by_source") or stages[0].get("by_source") or {})),
        Figure("languages", len(langs) if langs else None),
        Figure("token shards", shard_count),
        Figure("wall time", sum(p.get("elapsed_s", 0) for p in stats.get("phases", [])) or None, "seconds"),
    ]
    return Section("overview", "At a glance", [Figures([f for f in figures if f.value is not None])], summary=True)


def funnel(stats: dict[str, Any]) -> Section:
    stages = stats["stages"]
    rows = [[stage_title(s), n(s, "docs_in"), n(s, "docs_out"), dropped(s), ratio(n(s, "docs_out"), n(s, "docs_in")),
             n(s, "bytes_in"), n(s, "bytes_out"), s.get("tokens"), reasons_text(s.get("drops", {})) or None]
            for s in stages]
    table = Table([Column("Stage", "text"), Column("Docs in"), Column("Docs out"), Column("Dropped"),
                   Column("Kept", "pct"), Column("Bytes in", "bytes"), Column("Bytes out", "bytes"),
                   Column("Tokens"), Column("Main drop reasons", "text")], rows, key="funnel")
    chart = Bars("Documents kept and dropped by each stage", [stage_title(s) for s in stages],
                 [Series("kept", [n(s, "docs_out") for s in stages]), Series("dropped", [dropped(s) for s in stages])],
                 stacked=True)
    intro = ("Every stage in run order: what came in, what it kept, and why it dropped the rest. "
             "Ingest counts input records (HTTP requests, metadata and other non-documents "
             "included); later stages count documents. Bytes are UTF-8 bytes of the text.")
    return Section("funnel", "Funnel", [chart, table], intro=intro, summary=True)


def drop_reasons(stats: dict[str, Any]) -> Section | None:
    rows = []
    for stage in stats["stages"]:
        drops = stage.get("drops", {})
        for reason in ranked(drops, "docs"):
            rows.append([stage["name"], reason, drops[reason]["docs"], drops[reason]["bytes"],
                         ratio(drops[reason]["docs"], n(stage, "docs_in"))])
    if not rows:
        return None
    table = Table([Column("Stage", "text"), Column("Reason", "text"), Column("Docs"), Column("Bytes", "bytes"),
                   Column("Share of stage input", "pct")], rows, key="drop_reasons")
    intro = "Every drop reason of every stage. Dropped documents are kept under RUN/rejected/ with their stage and reason."
    return Section("drops", "Drop reasons", [table], intro=intro, summary=True)


def _shares_table(key: str, title: str, groups: dict[str, Any]) -> Table:
    """Documents, bytes and tokens per group (source or language) of the final output."""
    total_docs = sum(n(v, "docs_out") for v in groups.values())
    total_bytes = sum(n(v, "bytes_out") for v in groups.values())
    rows = []
    for name in ranked(groups, "docs_out"):
        entry = groups[name]
        rows.append([name, n(entry, "docs_out"), n(entry, "bytes_out"), entry.get("tokens"),
                     ratio(n(entry, "docs_out"), total_docs), ratio(n(entry, "bytes_out"), total_bytes),
                     n(entry, "bytes_out") / n(entry, "docs_out") if n(entry, "docs_out") else None])
    return Table([Column(title, "text"), Column("Documents"), Column("Bytes", "bytes"), Column("Tokens"),
                  Column("Share of docs", "pct"), Column("Share of bytes", "pct"), Column("Mean bytes/doc", "bytes")],
                 rows, key=key)


def _stage_matrix(key: str, title: str, stages: list[dict[str, Any]], level: str) -> Table | None:
    """Documents of each group after each stage: where a source or language lost its documents."""
    stages = [s for s in stages if s.get(level)]
    if len(stages) < 2:
        return None
    names = ranked(stages[-1][level], "docs_out") + sorted(
        {g for s in stages for g in s[level]} - set(stages[-1][level]))
    rows = [[name] + [n(s[level].get(name), "docs_out") if name in s[level] else None for s in stages]
            for name in names]
    return Table([Column(title, "text")] + [Column(f"after {s['name']}") for s in stages], rows,
                 caption="Documents left after each stage", key=key)


def sources(stats: dict[str, Any]) -> Section | None:
    stages = stats["stages"]
    last = stages[-1]
    ingest = stages[0]
    if not ingest.get("by_source"):
        return None
    by_source = last.get("by_source") or {}
    table = _shares_table("sources", "Source", by_source)
    records = Table([Column("Source", "text"), Column("Records read"), Column("Documents extracted"),
                     Column("Documents out"), Column("Kept of extracted", "pct")],
                    [[name, n(e, "docs_in"), n(e, "docs_out"), n(by_source.get(name), "docs_out"),
                      ratio(n(by_source.get(name), "docs_out"), n(e, "docs_out"))]
                     for name, e in sorted(ingest["by_source"].items())], key="source_records")
    labels = ranked(by_source, "docs_out")
    blocks: list[Any] = []
    if labels:
        blocks.append(Bars("Documents out by source", *_folded(labels, [n(by_source[s], "docs_out") for s in labels])))
    blocks += [table, records]
    matrix = _stage_matrix("source_stages", "Source", stages, "by_source")
    if matrix:
        blocks.append(matrix)
    return Section("sources", "Sources", blocks, summary=True)


def _folded(labels: list[str], values: list[float], name: str = "documents") -> tuple[list[str], list[Series]]:
    labels, values = fold_top(labels, values)
    return labels, [Series(name, values)]


def languages(stats: dict[str, Any]) -> Section | None:
    stages = stats["stages"]
    labelled = next((s for s in stages if s.get("by_lang")), None)
    if labelled is None:
        return None
    last = stages[-1]
    by_lang = last.get("by_lang") or {}
    blocks: list[Any] = []
    labels = ranked(by_lang, "docs_out")
    if labels:
        blocks.append(Bars("Documents out by language", *_folded(labels, [n(by_lang[x], "docs_out") for x in labels])))
        blocks.append(_shares_table("languages", "Language", by_lang))
    matrix = _stage_matrix("language_stages", "Language", stages, "by_lang")
    if matrix:
        blocks.append(matrix)
    intro = (f"Languages of the final documents, as {labelled['name']} (the first stage that knew them) and "
             "later stages left them; \"unknown\" counts documents without a language.")
    return Section("languages", "Languages", blocks, intro=intro, summary=True)


def _edges(keys: list[int]) -> list[int]:
    """Every bucket edge from the smallest to the largest present, empty ones included."""
    positive = [k for k in keys if k > 0]
    edges = [0] if 0 in keys else []
    if positive:
        lo, hi = (math.floor(2 * math.log2(k)) for k in (min(positive), max(positive)))
        candidates = np.ceil(2 ** (np.arange(lo, hi + 1) / 2))
        edges += sorted({int(e) for e in length_bucket(candidates)})
    return edges


def _compact(value: int) -> str:
    for unit, size in (("M", 1_000_000), ("k", 1000)):
        if value >= size:
            scaled = value / size
            return f"{scaled:.0f}{unit}" if scaled >= 10 else f"{scaled:.1f}{unit}"
    return str(value)


def _quantile_range(edges: list[int], counts: list[int], q: float) -> str:
    """The bucket holding the q-th quantile, as a character range."""
    cumulative = np.cumsum(counts)
    i = int(np.searchsorted(cumulative, q * cumulative[-1]))
    if i + 1 == len(edges):
        return f"≥ {edges[i]:,}"
    upper = edges[i + 1] - 1
    return f"{edges[i]:,}" if upper == edges[i] else f"{edges[i]:,}–{upper:,}"


def lengths(stats: dict[str, Any]) -> Section | None:
    last = stats["stages"][-1]
    hists = {lang: e["length_hist"] for lang, e in (last.get("by_lang") or {}).items() if e.get("length_hist")}
    if not hists and last.get("length_hist"):
        hists = {"all documents": last["length_hist"]}
    if not hists:
        return None
    edges = _edges(sorted({int(k) for h in hists.values() for k in h}))
    groups = sorted(hists, key=lambda g: (-sum(hists[g].values()), g))
    counts = {g: [int(hists[g].get(str(e), 0)) for e in edges] for g in groups}
    histogram = Histogram("Document length (characters, half-octave buckets)", [_compact(e) for e in edges],
                          [(g, counts[g]) for g in groups[:LENGTH_PANELS]], x_label="characters")
    table = Table([Column("Language", "text"), Column("Documents"), Column("10th percentile", "text"),
                   Column("Median", "text"), Column("90th percentile", "text")],
                  [[g, sum(counts[g])] + [_quantile_range(edges, counts[g], q) for q in (0.1, 0.5, 0.9)]
                   for g in groups], caption="Length ranges in characters (the bucket holding each percentile)",
                  key="lengths")
    intro = (f"Final documents by length in characters, after {last['name']}. Buckets are half octaves "
             "(each about 1.41 times the one before), so the x axis is logarithmic.")
    return Section("lengths", "Document lengths", [histogram, table], intro=intro)


def phases(stats: dict[str, Any], inputs: list[str | None]) -> Section | None:
    """``inputs[i]``: the stage whose input is phase i's input (None for a global step)."""
    entries = stats.get("phases") or []
    if not entries:
        return None
    stages = {s["name"]: s for s in stats["stages"]}
    rows = []
    for index, p in enumerate(entries):
        first = inputs[index] if index < len(inputs) else None
        docs = n(stages.get(first), "docs_in") if first else None
        rows.append([p["name"], p.get("kind", "per-unit"), p.get("units"), docs, p.get("elapsed_s") or None,
                     p.get("unit_seconds"), ratio(p.get("unit_seconds", 0), p.get("elapsed_s", 0)),
                     ratio(docs, p.get("unit_seconds", 0)) if docs is not None else None])
    table = Table([Column("Phase", "text"), Column("Kind", "text"), Column("Units"), Column("Docs in"),
                   Column("Wall time", "seconds"), Column("Worker time", "seconds"), Column("Busy workers", "rate"),
                   Column("Docs/s per worker", "rate")], rows, key="phases")
    wall = sum(p.get("elapsed_s", 0) for p in entries)
    ingest = stats["stages"][0]
    figures = []
    if wall:
        tokens = output_tokens(stats)
        figures = [Figure("records/s", n(ingest, "docs_in") / wall, "rate"),
                   Figure("input MB/s", n(ingest, "bytes_in") / wall / 1e6, "rate"),
                   Figure("documents out/s", n(stats.get("output"), "docs") / wall, "rate")]
        if tokens is not None:
            figures.append(Figure("tokens/s", tokens / wall, "rate"))
    blocks: list[Any] = [Figures(figures)] if figures else []
    blocks.append(table)
    if not wall:
        blocks.append(Note("Wall times are recorded when an invocation finishes; this run has none yet."))
    intro = ("Wall time is that of the invocation that finished each phase (a resumed run counts only "
             "the work it did); worker time sums the committed units' processing time, so busy workers "
             "= worker time / wall time, and docs/s per worker (the first phase counts input records) "
             "holds for resumed runs too. The figures above are over the whole run's wall time.")
    return Section("time", "Time and throughput", blocks, intro=intro, summary=True)


def where_documents_went(stats: dict[str, Any]) -> Note:
    """For a run that kept nothing: which stages dropped what."""
    ingest = stats["stages"][0]
    if not n(ingest, "docs_in"):
        return Note("No documents are left: the inputs held no records at all.", "warn")
    parts = [f"{stage['name']} dropped {dropped(stage):,} ({reasons_text(stage.get('drops', {}))})"
             for stage in stats["stages"] if dropped(stage)]
    return Note(f"No documents are left. {n(ingest, 'docs_in'):,} records came in; " + "; ".join(parts)
                + ". The funnel and drop reasons below show the details; dropped documents are under "
                "RUN/rejected/ when the run writes them.", "warn")
