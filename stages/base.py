"""The stage interface: the whole extension surface of polycorpus.

A stage is a class with a ``name``, a typed pydantic ``Config``, declared ``resources``, an
optional ``setup()`` that loads heavy state (models) once per Ray worker, and a pure
``process(batch) -> StageResult``. A filter never deletes rows itself: it returns a drop
reason per row (null keeps the row) and the runner splits, counts and optionally writes the
rejected rows aside. That keeps every drop accounted for with its reason, in one place.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

import pyarrow as pa

from polycorpus.stages.config import StageConfig


@dataclass(frozen=True)
class Resources:
    """What one instance of the stage needs from its worker (NeMo Curator style)."""

    num_cpus: float = 1.0
    memory_mb: int = 0


#: Counter names for "no silent no-ops": a stage that can pass a document through unchanged
#: for a reason it knows (no lexer for its language, nothing to translate) counts what it saw
#: under SEEN and what it left alone under UNTOUCHED + reason; when it left every document it
#: saw untouched, the run summary says so, with the reasons.
SEEN = "seen"
UNTOUCHED = "untouched."


@dataclass
class StageResult:
    """What a stage returns for one batch.

    ``table`` has the same rows as the input batch (possibly with changed or added columns);
    ``drop_reasons`` is a string array aligned with it, null where the row is kept, or None
    when the stage keeps everything; ``counters`` are stage-specific exact counts (for
    example ``{"pii.email": 3}``) that the runner sums into the statistics; ``measures`` are
    per-row numbers (for example ``{"tokens": ...}``) that the runner sums per source and
    language over the kept rows. A stage that splits documents (``langid`` with
    ``mixed: split``) returns more rows than it got and sets ``split``: the runner then counts
    each split document as the parts it became, in the stage's input as in its output.
    """

    table: pa.Table
    drop_reasons: pa.Array | None = None
    counters: dict[str, int] = field(default_factory=dict)
    measures: dict[str, pa.Array] = field(default_factory=dict)
    split: bool = False


@dataclass(frozen=True)
class UnitContext:
    """Where a sink stage may write the artifacts of the unit being processed."""

    unit: str
    run_url: str  # the run directory (local path or fsspec URL)
    fingerprint: str  # of the run's config: artifacts record what made them


C = TypeVar("C", bound=StageConfig)

#: Runs ``fn(*args)`` for every tuple of ``args`` wherever the run executes (Ray tasks on a
#: cluster, the driver's own process for a small local run) and returns the results in order.
#: ``fn`` must be a module-level function whose arguments and result pickle.
TaskRunner = Callable[[Callable[..., Any], Sequence[tuple[Any, ...]]], list[Any]]


class Stage(ABC, Generic[C]):
    name: ClassVar[str]
    Config: ClassVar[type[StageConfig]]
    resources: ClassVar[Resources] = Resources()
    #: The document kinds the stage is meant for when the config does not say (None: all).
    #: Text filters (language id, quality rules) would only misjudge source code.
    applies_to: ClassVar[frozenset[str] | None] = None

    def __init__(self, config: C) -> None:
        self.config = config

    def kinds(self) -> frozenset[str] | None:
        """The kinds this instance processes (None: every kind)."""
        return frozenset(self.config.kinds) if self.config.kinds is not None else self.applies_to

    def added_columns(self) -> dict[str, pa.DataType]:
        """The columns this instance adds (name -> type). A batch of kinds it does not process
        gets them as nulls, so every output file of a run has the same schema."""
        return {}

    def setup(self) -> None:
        """Load models or tables once per worker, before the first batch."""

    @abstractmethod
    def process(self, batch: pa.Table) -> StageResult:
        """Transform or judge one batch; must be deterministic.

        Only sink stages have a side effect here: they append the batch to the artifacts of
        the current unit, opened in ``begin_unit``.
        """

    # -- sink stages only (stages that write per-unit artifacts, such as token shards) ------

    def begin_unit(self, context: UnitContext) -> None:
        """Open the artifacts of a unit (under hidden temporary names)."""

    def end_unit(self) -> dict[str, Any]:
        """Commit the unit's artifacts; the description returned is kept in its marker."""
        return {}

    def abort_unit(self) -> None:
        """Remove whatever the failed unit had started to write."""

    def prepare_finish(self) -> None:
        """On the driver, as the phase's units start: begin whatever ``finish`` will need
        that does not depend on the units (in a background thread), so the run does not
        wait for it at the end."""

    def finish(self, run_url: str, units: list[dict[str, Any]]) -> None:
        """Once every unit of the phase is committed: combine the per-unit descriptions
        (in unit order) into run-level artifacts, such as a shard manifest."""


class Barrier(ABC, Generic[C]):
    """A step that needs the whole corpus at once (dedup): it ends a phase of per-unit work.

    The runner expands it into three parts: ``Measure`` (a sink stage at the end of the phase
    before, writing what the global step needs, e.g. signatures, unit by unit), ``run_global``
    (once, on the driver, distributing its work on Ray) and ``Apply`` (a filter stage at the
    start of the phase after, dropping what the global step decided, unit by unit). So the
    decision is kept apart from the measurement, and both are resumable per unit.
    """

    name: ClassVar[str]
    Config: ClassVar[type[StageConfig]]
    Measure: ClassVar[type[Stage]]
    Apply: ClassVar[type[Stage]]

    def __init__(self, config: C) -> None:
        self.config = config

    @abstractmethod
    def run_global(self, run_url: str, units: list[str], stats: dict[str, Any], run_tasks: TaskRunner) -> None:
        """Decide over all units (their ``Measure`` artifacts are committed); record exact
        statistics of the decision into ``stats``; spread the work with ``run_tasks``. Must be
        deterministic and idempotent."""
