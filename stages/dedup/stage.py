"""The ``dedup`` barrier: signatures per unit, one global decision, removal per unit."""

from __future__ import annotations

import posixpath
from typing import Any

import fsspec
import pyarrow as pa
import pyarrow.compute as pc

from polycorpus.stages.base import Barrier, Stage, StageResult, TaskRunner, UnitContext
from polycorpus.stages.dedup.cluster import deduplicate
from polycorpus.stages.dedup.config import DedupConfig
from polycorpus.stages.dedup.signatures import DedupSignatures


class DedupApply(Stage[DedupConfig]):
    """Apply: drops the unit's documents that the global step found to be duplicates."""

    name = "dedup"
    Config = DedupConfig

    def begin_unit(self, context: UnitContext) -> None:
        """The unit's decisions, by row ordinal: the rows reach this stage in the order the
        signatures stage (last of its phase, dropping nothing) numbered them."""
        import pyarrow.dataset as ds  # pulls in pandas: only where a unit applies decisions

        fs, root = fsspec.core.url_to_fs(posixpath.join(context.run_url, "dedup", "decisions"))
        decisions = ds.dataset(root, filesystem=fs, format="parquet").to_table(
            columns=["row", "reason"], filter=pc.field("unit") == context.unit)
        self.rows = decisions.column("row").combine_chunks()
        self.reasons = decisions.column("reason").combine_chunks()
        self.next_row = 0

    def process(self, batch: pa.Table) -> StageResult:
        rows = pa.array(range(self.next_row, self.next_row + batch.num_rows), pa.int64())
        self.next_row += batch.num_rows
        found = pc.index_in(rows, value_set=self.rows)
        return StageResult(batch, drop_reasons=pc.take(self.reasons, found))


class Dedup(Barrier[DedupConfig]):
    name = "dedup"
    Config = DedupConfig
    Measure = DedupSignatures
    Apply = DedupApply

    def run_global(self, run_url: str, units: list[str], stats: dict[str, Any], run_tasks: TaskRunner) -> None:
        params = self.config.minhash.resolve() if self.config.minhash is not None else None
        deduplicate(run_url, units, params, self.config.exact, self.config.url, list(self.config.index),
                    self.config.partitions, self.config.max_rounds, stats, run_tasks)
