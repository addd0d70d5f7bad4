"""The stage interface: the whole extension surface of polycorpus.

A stage is a class with a ``name``, a typed pydantic ``Config``, declared ``resources``, an
optional ``setup()`` that loads heavy state (models) once per Ray worker, and a pure
``process(batch) -> StageResult``. A filter never deletes rows itself: it returns a drop
reason per row (null keeps the row) and the runner splits, counts and optionally writes the
rejected rows aside. That keeps every drop accounted for with its reason, in one place.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar, Generic, TypeVar

import pyarrow as pa
from pydantic import BaseModel, ConfigDict


class StageConfig(BaseModel):
    """Base of every stage's options. Subclasses set ``name: Literal["..."]``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str


@dataclass(frozen=True)
class Resources:
    """What one instance of the stage needs from its worker (NeMo Curator style)."""

    num_cpus: float = 1.0
    memory_mb: int = 0


@dataclass
class StageResult:
    """What a stage returns for one batch.

    ``table`` has the same rows as the input batch (possibly with changed or added columns);
    ``drop_reasons`` is a string array aligned with it, null where the row is kept, or None
    when the stage keeps everything; ``counters`` are stage-specific exact counts (for
    example ``{"pii.email": 3}``) that the runner sums into the statistics.
    """

    table: pa.Table
    drop_reasons: pa.Array | None = None
    counters: dict[str, int] = field(default_factory=dict)


C = TypeVar("C", bound=StageConfig)


class Stage(ABC, Generic[C]):
    name: ClassVar[str]
    Config: ClassVar[type[StageConfig]]
    resources: ClassVar[Resources] = Resources()
    #: A barrier stage needs the whole corpus (dedup); it ends a phase of per-unit work.
    barrier: ClassVar[bool] = False

    def __init__(self, config: C) -> None:
        self.config = config

    def setup(self) -> None:
        """Load models or tables once per worker, before the first batch."""

    @abstractmethod
    def process(self, batch: pa.Table) -> StageResult:
        """Transform or judge one batch; must be deterministic and free of side effects."""
