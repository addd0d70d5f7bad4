"""Processing one unit: read it, run the stage chain over its batches, commit its outputs.

This is plain Python with no Ray in it: the executor runs one :class:`UnitProcessor` per
worker (so stage ``setup()`` happens once per worker), tests and benchmarks call it directly.
"""

from __future__ import annotations

import posixpath
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from polycorpus.pipeline.config import PipelineConfig
from polycorpus.pipeline.phases import MapPhase
from polycorpus.pipeline.plan import Unit
from polycorpus.pipeline.rundir import PhaseDirs, RunDir
from polycorpus.pipeline.stats import Counts, account_batch, merge, stage_entry, text_bytes
from polycorpus.stages.base import Stage, StageResult, UnitContext
from polycorpus.stages.ingest.base import InputFormatError, Reader, Tally, unique_ids
from polycorpus.stages.ingest.config import IngestOptions
from polycorpus.stages.schema import DOCUMENT_SCHEMA, REJECT_FIELDS, conform
from polycorpus.stages.storage import tmp_name

INGEST = "ingest"


def reader_for(fmt: str) -> Reader:
    """The reader of an input format (imported lazily: each pulls in its own libraries)."""
    if fmt in ("warc", "wet", "arc"):
        from polycorpus.stages.ingest import web

        return {"warc": web.read_warc, "wet": web.read_wet, "arc": web.read_arc}[fmt]
    if fmt == "code":
        from polycorpus.stages.ingest.code import read_code

        return read_code
    if fmt == "stack":
        from polycorpus.stages.ingest.stack import read_stack

        return read_stack
    from polycorpus.stages.ingest import records

    return {"jsonl": records.read_jsonl, "parquet": records.read_parquet, "hf": records.read_hf}[fmt]


@dataclass
class UnitOutcome:
    unit: str
    ok: bool
    stats: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    detail: str = ""  # the traceback, for the failure record


#: Columns whose values are (nearly) all distinct.
_DISTINCT_COLUMNS = frozenset({"id", "text"})


class _PartWriter:
    """A Parquet file opened on first write under a hidden name, renamed on commit."""

    def __init__(self, run: RunDir, path: str) -> None:
        self.run, self.path = run, path
        self.tmp: str | None = None
        self.writer: pq.ParquetWriter | None = None
        self.handle: Any = None

    def write(self, table: pa.Table) -> None:
        if self.writer is None:
            self.run.fs.makedirs(posixpath.dirname(self.path), exist_ok=True)
            self.tmp = tmp_name(self.path)
            self.handle = self.run.fs.open(self.tmp, "wb")
            # Dictionary pages pay for columns of few values (source, lang...); for texts
            # and ids, nearly all distinct, they only cost a hash of every value.
            coded = [name for name in table.schema.names if name not in _DISTINCT_COLUMNS]
            self.writer = pq.ParquetWriter(self.handle, table.schema, compression="zstd", use_dictionary=coded)
        self.writer.write_table(table.cast(self.writer.schema))

    def commit(self) -> None:
        """Rename into place; a unit that wrote nothing leaves no stale file from a past try."""
        if self.writer is None:
            if self.run.fs.exists(self.path):
                self.run.fs.rm(self.path)
            return
        self._close()
        self.run.fs.mv(self.tmp, self.path)

    def abort(self) -> None:
        if self.writer is not None:
            self._close()
            if self.run.fs.exists(self.tmp):
                self.run.fs.rm(self.tmp)

    def _close(self) -> None:
        self.writer.close()
        self.handle.close()


def _ingest_entry(tally: Tally, source: str, docs_out: int, bytes_out: int) -> Counts:
    entry = stage_entry()
    totals = {"docs_in": tally.records, "bytes_in": tally.record_bytes,
              "docs_out": docs_out, "bytes_out": bytes_out,
              "drops": {r: {"docs": d, "bytes": b} for r, (d, b) in tally.skipped.items()}}
    merge(entry, {**totals, "counters": dict(tally.counters)})
    entry["by_source"] = {source: totals}
    return entry


def _rejected(table: pa.Table, reasons: pa.Array, label: str) -> pa.Table:
    core = table.select(DOCUMENT_SCHEMA.names).cast(DOCUMENT_SCHEMA)
    stage = pa.array([label] * table.num_rows, pa.string())
    return core.append_column(REJECT_FIELDS[0], stage).append_column(REJECT_FIELDS[1], reasons)


def _apply(stage: Stage, batch: pa.Table) -> tuple[pa.Table, StageResult]:
    """Run ``stage`` on the rows of the kinds it applies to; the others pass through.

    Returns the input aligned row by row with the result (a splitting stage counts each
    document as the parts it became) and the result, in which the passed-through rows follow
    the processed ones, with nulls in any column the stage added.
    """
    kinds = stage.kinds()
    mask = None if kinds is None else pc.is_in(batch.column("kind"), value_set=pa.array(sorted(kinds)))
    matching = batch.num_rows if mask is None else pc.sum(mask).as_py() or 0
    if matching == batch.num_rows:
        result = stage.process(batch)
        return (result.table if result.split else batch), result
    if matching == 0:
        for name, type_ in stage.added_columns().items():
            if name not in batch.column_names:
                batch = batch.append_column(name, pa.nulls(batch.num_rows, type_))
        return batch, StageResult(batch)
    inside, outside = batch.filter(mask), batch.filter(pc.invert(mask))
    result = stage.process(inside)
    table = pa.concat_tables([result.table, outside], promote_options="default")
    n = outside.num_rows

    def padded(values: pa.Array | None, type_: pa.DataType) -> pa.Array | None:
        if values is None:
            return None
        values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
        return pa.concat_arrays([values.cast(type_), pa.nulls(n, type_)])

    merged = StageResult(
        table,
        drop_reasons=padded(result.drop_reasons, pa.string()),
        counters=result.counters,
        measures={k: padded(v, v.type) for k, v in result.measures.items()},
        split=result.split,
    )
    before = pa.concat_tables([result.table if result.split else inside, outside], promote_options="default")
    return before, merged


class _Stopwatch:
    """Seconds spent inside an iterator (a reader's parsing and decoding), not in its consumer."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def time(self, items: Iterator[pa.Table]) -> Iterator[pa.Table]:
        while True:
            started = time.perf_counter()
            item = next(items, None)
            self.seconds += time.perf_counter() - started
            if item is None:
                return
            yield item


class UnitProcessor:
    """Runs one phase's stage chain; construct once per worker, call once per unit.

    The first phase reads the unit's input file (and accounts for it as ``ingest``); later
    phases read the unit's documents as the phase before committed them.
    """

    def __init__(self, config: PipelineConfig, run_url: str, phase: MapPhase, dirs: PhaseDirs,
                 upstream: PhaseDirs | None) -> None:
        self.options: IngestOptions = config.ingest
        self.write_rejected = config.write_rejected
        self.fingerprint = config.fingerprint()
        self.run_url = run_url
        self.run = RunDir(run_url)
        self.phase, self.dirs, self.upstream = phase, dirs, upstream
        self.labels = [item.label for item in phase.chain]
        self.stages = [item.build() for item in phase.chain]
        for stage in self.stages:
            stage.setup()

    def __call__(self, unit: Unit) -> UnitOutcome:
        started = time.perf_counter()
        try:
            stats = self._process(unit)
            stats["elapsed_s"] = round(time.perf_counter() - started, 3)
            self.run.mark_done(self.dirs, unit.id, stats)  # outputs without a marker are redone
        except Exception as exc:  # one bad unit (or a full disk) must not stop the others
            message = str(exc) if isinstance(exc, InputFormatError) else f"{type(exc).__name__}: {exc}"
            return UnitOutcome(unit.id, ok=False, error=message, detail=traceback.format_exc())
        return UnitOutcome(unit.id, ok=True, stats=stats)

    def _process(self, unit: Unit) -> dict[str, Any]:
        data = _PartWriter(self.run, posixpath.join(self.dirs.data, f"{unit.id}.parquet"))
        rejected = _PartWriter(self.run, posixpath.join(self.dirs.rejected, f"{unit.id}.parquet"))
        tally = Tally()
        entries = {label: stage_entry() for label in self.labels}
        produced = [0, 0]
        context = UnitContext(unit.id, self.run_url, self.fingerprint)
        try:
            for stage in self.stages:
                stage.begin_unit(context)
            reading = _Stopwatch()
            for batch in reading.time(self._read(unit, tally)):
                produced[0] += batch.num_rows
                produced[1] += pc.sum(text_bytes(batch)).as_py() or 0
                kept = self._run_chain(batch, entries, rejected)
                if kept.num_rows:
                    data.write(conform(kept))
            artifacts = {label: stage.end_unit() for label, stage in zip(self.labels, self.stages, strict=True)}
            data.commit()
            rejected.commit()
        except BaseException:
            for stage in self.stages:
                stage.abort_unit()
            data.abort()
            rejected.abort()
            raise
        if self.phase.reads_inputs:
            ingest = _ingest_entry(tally, unit.file.source, *produced)
            ingest["seconds"] = reading.seconds
            entries = {INGEST: ingest, **entries}
        return {"input": unit.file.url, "signature": unit.signature, "source": unit.file.source, "stages": entries,
                "artifacts": {label: found for label, found in artifacts.items() if found}}

    def _read(self, unit: Unit, tally: Tally) -> Iterator[pa.Table]:
        if self.phase.reads_inputs:
            return unique_ids(reader_for(unit.file.format)(unit.file, self.options, tally), tally)
        return self._read_upstream(unit)

    def _read_upstream(self, unit: Unit) -> Iterator[pa.Table]:
        path = posixpath.join(self.upstream.data, f"{unit.id}.parquet")
        if not self.run.fs.exists(path):  # the unit kept no documents in the phase before
            return
        with self.run.fs.open(path, "rb") as handle:
            for batch in pq.ParquetFile(handle).iter_batches(batch_size=self.options.batch_size):
                yield pa.Table.from_batches([batch])

    def _run_chain(self, batch: pa.Table, entries: dict[str, Counts], rejected: _PartWriter) -> pa.Table:
        for label, stage in zip(self.labels, self.stages, strict=True):
            if batch.num_rows == 0:
                break
            started = time.perf_counter()
            before, result = _apply(stage, batch)
            entry = entries[label]
            entry["seconds"] = entry.get("seconds", 0.0) + time.perf_counter() - started
            account_batch(entry, before, result.table, result.drop_reasons, result.measures)
            merge(entry["counters"], result.counters)
            batch = result.table
            if result.drop_reasons is not None and result.drop_reasons.null_count < batch.num_rows:
                keep = pc.is_null(result.drop_reasons)
                if self.write_rejected:
                    dropped = pc.invert(keep)
                    rejected.write(_rejected(batch.filter(dropped), result.drop_reasons.filter(dropped), label))
                batch = batch.filter(keep)
        return batch

