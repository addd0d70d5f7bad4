"""How a config's stage list becomes phases of per-unit work separated by global barriers.

    stages: [a, b, dedup, c, tokenize]
    phase 00-ingest   (per unit): read input -> a -> b -> dedup-signatures (Measure)
    phase 01-dedup    (global):   dedup.run_global
    phase 02-dedup    (per unit): read 00's output -> dedup (Apply) -> c -> tokenize

Units keep their ids across phases, so every per-unit phase commits unit by unit and a
killed run resumes inside whichever phase it was in.
"""

from __future__ import annotations

from dataclasses import dataclass

from polycorpus.pipeline.config import PipelineConfig
from polycorpus.stages.base import Barrier, Stage
from polycorpus.stages.config import StageConfig
from polycorpus.stages.registry import stage_class


@dataclass(frozen=True)
class ChainItem:
    label: str  # unique in the run; the name its statistics are kept under
    stage_class: type[Stage]
    config: StageConfig

    def build(self) -> Stage:
        return self.stage_class(self.config)


@dataclass(frozen=True)
class MapPhase:
    index: int
    name: str
    chain: tuple[ChainItem, ...]
    final: bool

    @property
    def reads_inputs(self) -> bool:
        return self.index == 0


@dataclass(frozen=True)
class BarrierPhase:
    index: int
    name: str
    label: str
    config: StageConfig

    def build(self) -> Barrier:
        return stage_class(self.config.name)(self.config)


Phase = MapPhase | BarrierPhase


def _labeller() -> callable:
    seen: dict[str, int] = {}

    def label(name: str) -> str:
        seen[name] = seen.get(name, 0) + 1
        return name if seen[name] == 1 else f"{name}.{seen[name]}"

    return label


def plan_phases(config: PipelineConfig) -> list[Phase]:
    label = _labeller()
    phases: list[Phase] = []
    chain: list[ChainItem] = []
    name = "ingest"
    for stage_config in config.stages:
        cls = stage_class(stage_config.name)
        if isinstance(cls, type) and issubclass(cls, Barrier):
            barrier_label = label(cls.name)
            chain.append(ChainItem(f"{barrier_label}-signatures", cls.Measure, stage_config))
            phases.append(MapPhase(len(phases), name, tuple(chain), final=False))
            phases.append(BarrierPhase(len(phases), barrier_label, barrier_label, stage_config))
            chain = [ChainItem(barrier_label, cls.Apply, stage_config)]
            name = barrier_label
        else:
            chain.append(ChainItem(label(cls.name), cls, stage_config))
    phases.append(MapPhase(len(phases), name, tuple(chain), final=True))
    return phases


def stage_order(phases: list[Phase]) -> list[str]:
    """Every label in run order: what stats.json lists (ingest first)."""
    labels = ["ingest"]
    for phase in phases:
        if isinstance(phase, MapPhase):
            labels += [item.label for item in phase.chain]
    return labels
