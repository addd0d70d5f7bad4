"""Document length bounds: empty and runaway documents are dropped with a reason."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from polycorpus.stages.base import Stage, StageResult
from polycorpus.stages.config import LengthFilterConfig


class LengthFilter(Stage[LengthFilterConfig]):
    name = "length_filter"
    Config = LengthFilterConfig

    def process(self, batch: pa.Table) -> StageResult:
        length = pc.utf8_length(batch.column("text"))
        reasons = pc.if_else(pc.less(length, self.config.min_chars), "too_short", None)
        if self.config.max_chars is not None:
            too_long = pc.greater(length, self.config.max_chars)
            reasons = pc.if_else(too_long, "too_long", reasons)
        return StageResult(batch, drop_reasons=reasons.combine_chunks())
