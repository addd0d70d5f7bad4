"""Exact funnel statistics: per stage, per drop reason, per source and per language.

Counts are plain nested dicts of numbers so that merging units is a recursive sum and the
result serialises to ``stats.json`` as is. The shape of one stage's entry::

    {"docs_in": int, "docs_out": int, "bytes_in": int, "bytes_out": int,
     "drops": {reason: {"docs": int, "bytes": int}},
     "counters": {name: int},
     "by_source": {source: <the same four totals and "drops">},
     "by_lang": {lang: <the same>}}

``seconds`` (where the stage ran) is the time its ``process`` took, summed over batches and
units, in the workers (for ``ingest``: the reader's parsing and extraction): what each stage
of a fused phase costs, which the phase's wall time cannot tell.

``bytes`` are UTF-8 bytes of ``text`` (for ``ingest``'s input: raw record bytes). Languages
appear once a stage has set ``lang``; a document without one counts under ``"unknown"``.
A stage that reports per-row measures (``tokenize``: ``tokens``) adds their sums over the
kept documents at every level, under the measure's name. ``length_hist`` (in the entry and in
each ``by_lang`` entry) counts the kept documents per length bucket, for the report's length
distributions: ``{lower edge in characters: docs}`` (see :func:`length_bucket`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from polycorpus.stages.base import SEEN, UNTOUCHED

Counts = dict[str, Any]

UNKNOWN_LANG = "unknown"


def merge(into: Counts, other: Mapping[str, Any]) -> Counts:
    """Add ``other`` into ``into`` recursively (numbers add, dicts merge)."""
    for key, value in other.items():
        if isinstance(value, Mapping):
            merge(into.setdefault(key, {}), value)
        else:
            into[key] = into.get(key, 0) + value
    return into


def _totals(docs_in: int, bytes_in: int, docs_out: int, bytes_out: int) -> Counts:
    return {"docs_in": docs_in, "bytes_in": bytes_in, "docs_out": docs_out, "bytes_out": bytes_out}


def stage_entry() -> Counts:
    return {**_totals(0, 0, 0, 0), "drops": {}, "counters": {}, "by_source": {}, "by_lang": {}}


def text_bytes(table: pa.Table) -> pa.Array:
    return pc.binary_length(pc.cast(table.column("text"), pa.binary())).fill_null(0)


def length_bucket(chars: pa.Array | pa.ChunkedArray | np.ndarray) -> np.ndarray:
    """The lower edge of each length's half-octave bucket ``[ceil(2^(k/2)), ceil(2^((k+1)/2)))``.

    Half octaves show a distribution's shape on a log axis while keeping it to ~20 buckets per
    stage and language, so it can live in the statistics rather than be recomputed from the
    documents. Empty texts fall in bucket 0.
    """
    n = np.asarray(chars, dtype=np.int64)
    k = np.floor(2 * np.log2(np.maximum(n, 1)))
    return np.where(n > 0, np.ceil(2 ** (k / 2)), 0).astype(np.int64)


def account_batch(
    entry: Counts,
    before: pa.Table,
    result: pa.Table,
    reasons: pa.Array | None,
    measures: Mapping[str, pa.Array] | None = None,
) -> None:
    """Count one stage's batch: ``before`` is its input, ``result`` its row-aligned output.

    Bytes in are measured on the input text and bytes out on the output text (transforms
    such as normalisation or PII redaction change sizes); rows are grouped by the language
    the stage knows after running. ``measures`` (per-row numbers such as token counts) are
    summed over the kept rows. One Arrow group-by per batch keeps this cheap.
    """
    if before.num_rows == 0:
        return
    measures = measures or {}
    keyed = pa.table(
        {
            "source": result.column("source"),
            "lang": result.column("lang").fill_null(UNKNOWN_LANG),
            "reason": reasons if reasons is not None else pa.nulls(result.num_rows, pa.string()),
            "bytes_in": text_bytes(before),
            "bytes_out": text_bytes(result),
            **{f"m_{name}": values for name, values in measures.items()},
        }
    )
    grouped = keyed.group_by(["source", "lang", "reason"]).aggregate(
        [("bytes_in", "sum"), ("bytes_in", "count"), ("bytes_out", "sum")]
        + [(f"m_{name}", "sum") for name in measures]
    )
    columns = ("source", "lang", "reason", "bytes_in_sum", "bytes_in_count", "bytes_out_sum")
    sums = [grouped.column(f"m_{name}_sum").to_pylist() for name in measures]
    for row, (source, language, reason, n_in, n_docs, n_out) in enumerate(zip(
        *(grouped.column(name).to_pylist() for name in columns), strict=True
    )):
        kept = reason is None
        delta = _totals(n_docs, n_in, n_docs if kept else 0, n_out if kept else 0)
        if kept:
            delta.update({name: values[row] or 0 for name, values in zip(measures, sums, strict=True)})
        else:
            delta["drops"] = {reason: {"docs": n_docs, "bytes": n_in}}
        merge(entry, delta)
        merge(entry["by_source"].setdefault(source, {}), delta)
        merge(entry["by_lang"].setdefault(language, {}), delta)
    chars = pc.utf8_length(result.column("text")).fill_null(0)
    lengths = pa.table({"lang": keyed.column("lang"), "bucket": length_bucket(chars)})
    lengths = lengths.filter(pc.is_null(keyed.column("reason")))
    counted = lengths.group_by(["lang", "bucket"]).aggregate([("bucket", "count")])
    for language, bucket, n_docs in zip(
        *(counted.column(name).to_pylist() for name in ("lang", "bucket", "bucket_count")), strict=True
    ):
        hist = {"length_hist": {str(bucket): n_docs}}
        merge(entry, hist)
        merge(entry["by_lang"].setdefault(language, {}), hist)


def finalise(stages: dict[str, Counts]) -> dict[str, Counts]:
    """Drop the per-language breakdown of stages that ran before any language was known."""
    for entry in stages.values():
        if set(entry.get("by_lang", {})) <= {UNKNOWN_LANG}:
            entry["by_lang"] = {}
    return stages


def untouched_notes(stats: dict[str, Any]) -> list[str]:
    """One line per stage that saw documents and left every one of them untouched, with the
    reasons it counted (see stages.base.SEEN): a stage that silently did nothing would
    otherwise look like a stage with nothing to do."""
    notes = []
    for stage in stats["stages"]:
        counters = stage.get("counters", {})
        untouched = {k[len(UNTOUCHED):]: v for k, v in counters.items() if k.startswith(UNTOUCHED)}
        seen = counters.get(SEEN, 0)
        if seen and sum(untouched.values()) == seen:
            reasons = ", ".join(f"{reason} {count:,}" for reason, count in sorted(untouched.items(), key=lambda kv: -kv[1]))
            notes.append(f"{stage['name']} changed none of the {seen:,} documents it saw: {reasons}")
    return notes
