"""Document length bounds: empty and runaway documents are dropped with a reason."""

from __future__ import annotations

from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc
from pydantic import Field, model_validator

from polycorpus.stages.base import Stage, StageConfig, StageResult


class LengthFilterConfig(StageConfig):
    name: Literal["length_filter"] = "length_filter"
    min_chars: int = Field(1, ge=0, description="Shorter documents are dropped as 'too_short'.")
    max_chars: int | None = Field(
        None, gt=0, description="Longer documents are dropped as 'too_long' (none: no limit)."
    )

    @model_validator(mode="after")
    def _ordered(self) -> LengthFilterConfig:
        if self.max_chars is not None and self.max_chars < self.min_chars:
            raise ValueError(f"max_chars ({self.max_chars}) < min_chars ({self.min_chars})")
        return self


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
