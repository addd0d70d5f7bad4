"""Running units on Ray: one long-lived actor per worker, one unit per call.

Actors (not stateless tasks) so that each worker runs stage ``setup()`` (model loading) once.
Each unit commits its own outputs inside the actor, so the driver only ever sees small
outcome records, never documents. A worker that dies (segfault in a native library, OOM
kill) fails only the unit it held; a fresh actor takes its place.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

import ray
from ray.exceptions import RayActorError, RayTaskError

from pipeline.config import PipelineConfig
from pipeline.phases import MapPhase
from pipeline.plan import Unit
from pipeline.rundir import PhaseDirs
from pipeline.unit import UnitOutcome, UnitProcessor


@contextmanager
def ray_session(address: str | None, workers: int | None) -> Iterator[int]:
    """Join ``address`` or start an embedded local Ray; yield the number of worker slots."""
    started = False
    if not ray.is_initialized():
        common = {"logging_level": logging.ERROR, "configure_logging": True, "log_to_driver": True}
        if address:
            # A cluster on loopback registered its nodes as 127.0.0.1: the driver must say the
            # same, or it looks for its local raylet on the machine's external address.
            loopback = address.split("://")[-1].startswith(("127.", "localhost"))
            ray.init(address=address, **({"_node_ip_address": "127.0.0.1"} if loopback else {}), **common)
        else:
            ray.init(
                num_cpus=workers or os.cpu_count() or 1,
                include_dashboard=False,
                _node_ip_address="127.0.0.1",
                **common,
            )
        started = True
    try:
        cpus = int(ray.cluster_resources().get("CPU", 1))
        yield max(1, min(workers or cpus, cpus))
    finally:
        if started:
            ray.shutdown()


class _UnitWorker:
    def __init__(self, config: PipelineConfig, phase: MapPhase, dirs: PhaseDirs,
                 upstream: PhaseDirs | None) -> None:
        self.processor = UnitProcessor(config, config.output, phase, dirs, upstream)

    def process(self, unit: Unit) -> UnitOutcome:
        return self.processor(unit)


def execute_units(
    units: Iterable[Unit],
    config: PipelineConfig,
    phase: MapPhase,
    dirs: PhaseDirs,
    upstream: PhaseDirs | None,
    slots: int,
    on_outcome: Callable[[UnitOutcome], None],
) -> None:
    """Process every unit on at most ``slots`` actors, reporting each outcome as it lands."""
    queue = deque(units)
    if not queue:
        return
    actor_class = ray.remote(num_cpus=1)(_UnitWorker)

    def new_actor() -> ray.actor.ActorHandle:
        return actor_class.remote(config, phase, dirs, upstream)

    idle = [new_actor() for _ in range(min(slots, len(queue)))]
    inflight: dict[ray.ObjectRef, tuple[ray.actor.ActorHandle, Unit]] = {}
    try:
        while queue or inflight:
            while idle and queue:
                actor, unit = idle.pop(), queue.popleft()
                inflight[actor.process.remote(unit)] = (actor, unit)
            ready, _ = ray.wait(list(inflight), num_returns=1)
            for ref in ready:
                actor, unit = inflight.pop(ref)
                try:
                    outcome = ray.get(ref)
                    idle.append(actor)
                except (RayActorError, RayTaskError) as exc:
                    outcome = UnitOutcome(unit.id, ok=False, error=f"worker failed: {exc}")
                    ray.kill(actor, no_restart=True)
                    idle.append(new_actor())
                on_outcome(outcome)
    finally:
        for actor, _ in inflight.values():
            ray.kill(actor, no_restart=True)
        for actor in idle:
            ray.kill(actor, no_restart=True)
