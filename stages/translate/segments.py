"""Merging the units' exported segments into one file of unique segments, in bounded memory.

Every unit wrote its unique segments (``key``, text, languages, ``count``); across units the
same key recurs. The merge never holds a run's segments at once: a first pass streams every
unit file into buckets by the key's first two hex digits (keys are uniform hashes, so a
bucket is about 1/256 of the run), a second pass sums each bucket's counts by key, sorts
it, and appends it to the output, bucket after bucket, which leaves the file sorted by key.
For each key the text and languages of its first occurrence (units in name order) are kept.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import fsspec
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from polycorpus.stages.storage import TMP_SUFFIX
from polycorpus.stages.translate.stage import SEGMENT_SCHEMA

_FIRST = ("text", "source_lang", "target_lang", "code_lang")


def merge_segments(fs: fsspec.AbstractFileSystem, files: list[str], output: Path) -> tuple[int, int]:
    """Write the unique segments of ``files`` to ``output``; (unique segments, occurrences)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    units = ds.dataset(files, filesystem=fs, format="parquet", schema=SEGMENT_SCHEMA)
    unique = occurrences = 0
    partial = output.with_name(f".{output.name}{TMP_SUFFIX}")
    with tempfile.TemporaryDirectory(prefix=".segments-", dir=output.parent) as scratch:
        bucketed = SEGMENT_SCHEMA.append(pa.field("bucket", pa.string()))
        ds.write_dataset(_with_buckets(units), scratch, schema=bucketed, format="parquet",
                         partitioning=ds.partitioning(pa.schema([bucketed.field("bucket")])),
                         use_threads=False, preserve_order=True)
        with pq.ParquetWriter(partial, SEGMENT_SCHEMA) as writer:
            for bucket in sorted(os.listdir(scratch)):
                merged = _merge(ds.dataset(os.path.join(scratch, bucket), format="parquet").to_table())
                writer.write_table(merged)
                unique += merged.num_rows
                occurrences += pc.sum(merged.column("count")).as_py() or 0
    os.replace(partial, output)
    return unique, occurrences


def _with_buckets(units: ds.Dataset) -> Iterator[pa.RecordBatch]:
    for batch in units.to_batches(use_threads=False):
        yield batch.append_column("bucket", pc.utf8_slice_codeunits(batch.column("key"), 0, 2))


def _merge(bucket: pa.Table) -> pa.Table:
    grouped = bucket.group_by("key", use_threads=False).aggregate(
        [("count", "sum"), *((name, "first") for name in _FIRST)])
    renamed = grouped.rename_columns([{"count_sum": "count"}.get(n, n.removesuffix("_first"))
                                      for n in grouped.column_names])
    return renamed.select(SEGMENT_SCHEMA.names).cast(SEGMENT_SCHEMA).sort_by("key")
