"""Where a run's work executes: Ray (a cluster, or an embedded local Ray) or, for a small
local run, the driver's own process.

On Ray: one long-lived actor per worker, one unit per call. Actors (not stateless tasks) so
that each worker runs stage ``setup()`` (model loading) once. Each unit commits its own
outputs inside the actor, so the driver only ever sees small outcome records, never
documents. A worker that dies (segfault in a native library, OOM kill) fails only the unit
it held; a fresh actor takes its place. Global steps spread their tasks as Ray tasks.

In process: the same unit code and the same global-step tasks, one after another in the
driver. Starting Ray costs seconds (a cluster of processes, a worker process per actor)
that a run of a few megabytes does not repay; because units are independent and commit
their own outputs, the run directory it leaves is byte-identical to Ray's.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol

from polycorpus.pipeline.config import PipelineConfig
from polycorpus.pipeline.phases import MapPhase
from polycorpus.pipeline.plan import Unit
from polycorpus.pipeline.rundir import PhaseDirs
from polycorpus.pipeline.unit import UnitOutcome, UnitProcessor

if TYPE_CHECKING:
    import ray

EngineName = Literal["auto", "ray", "local"]

#: ``auto`` runs in process up to this much input (bytes, all units): about what two cores
#: get through in the seconds an embedded Ray takes to start; and up to this many units
#: (past that, workers in parallel repay their start).
LOCAL_MAX_BYTES = 32 * 1024 * 1024
LOCAL_MAX_UNITS = 64

OnOutcome = Callable[[UnitOutcome], None]


class Engine(Protocol):
    name: str
    slots: int

    def execute_units(self, units: Iterable[Unit], config: PipelineConfig, phase: MapPhase, dirs: PhaseDirs,
                      upstream: PhaseDirs | None, on_outcome: OnOutcome) -> None:
        """Process every unit, reporting each outcome as it lands."""

    def run_tasks(self, fn: Callable[..., Any], args: Sequence[tuple[Any, ...]]) -> list[Any]:
        """``[fn(*a) for a in args]``, spread over the workers (see stages.base.TaskRunner)."""

    def close(self) -> None: ...


class LocalEngine:
    """Everything in the driver's process, one unit at a time."""

    name = "local"
    slots = 1

    def execute_units(self, units: Iterable[Unit], config: PipelineConfig, phase: MapPhase, dirs: PhaseDirs,
                      upstream: PhaseDirs | None, on_outcome: OnOutcome) -> None:
        processor: UnitProcessor | None = None
        for unit in units:
            processor = processor or UnitProcessor(config, config.output, phase, dirs, upstream)
            on_outcome(processor(unit))

    def run_tasks(self, fn: Callable[..., Any], args: Sequence[tuple[Any, ...]]) -> list[Any]:
        return [fn(*a) for a in args]

    def close(self) -> None:
        pass


class _UnitWorker:
    def __init__(self, config: PipelineConfig, phase: MapPhase, dirs: PhaseDirs,
                 upstream: PhaseDirs | None) -> None:
        self.processor = UnitProcessor(config, config.output, phase, dirs, upstream)

    def process(self, unit: Unit) -> UnitOutcome:
        return self.processor(unit)


class RayEngine:
    """Join ``address`` or start an embedded local Ray (stopped again by ``close``)."""

    name = "ray"

    def __init__(self, address: str | None, workers: int | None) -> None:
        import ray

        self._started = False
        if not ray.is_initialized():
            common = {"logging_level": logging.ERROR, "configure_logging": True, "log_to_driver": True}
            if address:
                # A cluster on loopback registered its nodes as 127.0.0.1: the driver must say the
                # same, or it looks for its local raylet on the machine's external address.
                loopback = address.split("://")[-1].startswith(("127.", "localhost"))
                ray.init(address=address, **({"_node_ip_address": "127.0.0.1"} if loopback else {}), **common)
            else:
                ray.init(num_cpus=workers or os.cpu_count() or 1, include_dashboard=False,
                         _node_ip_address="127.0.0.1", **common)
            self._started = True
        cpus = int(ray.cluster_resources().get("CPU", 1))
        self.slots = max(1, min(workers or cpus, cpus))
        self._remote: dict[Callable[..., Any], Any] = {}

    def execute_units(self, units: Iterable[Unit], config: PipelineConfig, phase: MapPhase, dirs: PhaseDirs,
                      upstream: PhaseDirs | None, on_outcome: OnOutcome) -> None:
        """Process every unit on at most ``slots`` actors."""
        import ray
        from ray.exceptions import RayError

        queue = deque(units)
        if not queue:
            return
        actor_class = ray.remote(num_cpus=1)(_UnitWorker)

        def new_actor() -> ray.actor.ActorHandle:
            return actor_class.remote(config, phase, dirs, upstream)

        idle = [new_actor() for _ in range(min(self.slots, len(queue)))]
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
                    except RayError as exc:  # the worker died (crash, OOM kill, node lost) or lost its result
                        outcome = UnitOutcome(unit.id, ok=False, error=f"worker failed: {type(exc).__name__}: {exc}")
                        ray.kill(actor, no_restart=True)
                        idle.append(new_actor())
                    on_outcome(outcome)
        finally:
            for actor, _ in inflight.values():
                ray.kill(actor, no_restart=True)
            for actor in idle:
                ray.kill(actor, no_restart=True)

    def run_tasks(self, fn: Callable[..., Any], args: Sequence[tuple[Any, ...]]) -> list[Any]:
        import ray

        remote = self._remote.setdefault(fn, ray.remote(num_cpus=1)(fn))
        return ray.get([remote.remote(*a) for a in args])

    def close(self) -> None:
        if self._started:
            import ray

            ray.shutdown()


def choose_engine(engine: EngineName, address: str | None, small: Callable[[int, int], bool]) -> str:
    """``ray`` or ``local``: a cluster address or ``ray`` means Ray; ``auto`` runs in process
    when ``small(LOCAL_MAX_UNITS, LOCAL_MAX_BYTES)`` says the input is within both."""
    if engine == "local" and address:
        raise ValueError("engine local runs in this process: it cannot join a Ray cluster (--ray-address)")
    if engine != "auto":
        return engine
    if address:
        return "ray"
    return "local" if small(LOCAL_MAX_UNITS, LOCAL_MAX_BYTES) else "ray"


def start_engine(name: str, address: str | None, workers: int | None) -> Engine:
    return LocalEngine() if name == "local" else RayEngine(address, workers)
