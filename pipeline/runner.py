"""A whole run: plan, claim the run directory, run each phase's missing work, merge stats.

Everything that can be wrong with a config or its inputs is found before the run directory
is touched. Everything after that is resumable: per-unit phases skip committed units, a
global phase with its marker is not redone, half-written files are swept away, and
``stats.json`` is rebuilt from the markers.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from typing import Any

from polycorpus.pipeline import __version__
from polycorpus.pipeline.config import ConfigError, PipelineConfig
from polycorpus.pipeline.executor import Engine, EngineName, choose_engine, start_engine
from polycorpus.pipeline.phases import BarrierPhase, MapPhase, Phase, plan_phases, stage_order
from polycorpus.pipeline.plan import Unit, inputs_key, inputs_within, plan_units, sign_inputs
from polycorpus.pipeline.prerequisites import check_prerequisites
from polycorpus.pipeline.progress import RunProgress
from polycorpus.pipeline.rundir import PhaseDirs, RunDir
from polycorpus.pipeline.stats import Counts, finalise, merge
from polycorpus.pipeline.unit import UnitOutcome

STATS_SCHEMA_VERSION = 1
#: Where a global step's marker records the inputs it ran over (plan.inputs_key).
INPUTS_KEY = "inputs_key"


@dataclass
class RunResult:
    run_url: str
    stats: dict[str, Any]
    failed: list[UnitOutcome] = field(default_factory=list)
    already_complete: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass
class _PhaseRecord:
    """What the stats need to know of a phase: its markers and this invocation's time."""

    phase: Phase
    dirs: PhaseDirs
    done: dict[str, dict[str, Any]] = field(default_factory=dict)
    elapsed_s: float = 0.0


def assemble_stats(config: PipelineConfig, units: list[Unit], phases: list[_PhaseRecord],
                   failed: list[UnitOutcome]) -> dict[str, Any]:
    """Merge the markers of every phase into the run's statistics (see pipeline.stats)."""
    merged: dict[str, Counts] = {}
    for record in phases:
        if isinstance(record.phase, MapPhase):
            for unit in units:
                if unit.id in record.done:
                    merge(merged, record.done[unit.id]["stages"])
        elif "global" in record.done:
            measured = {k: v for k, v in record.done["global"].items() if k != INPUTS_KEY}
            merge(merged, {record.phase.label: {"global": measured}})
    order = stage_order([r.phase for r in phases])
    stages = finalise({label: merged.get(label, {}) for label in order})
    last = stages[order[-1]]
    final = phases[-1]
    return {
        "schema_version": STATS_SCHEMA_VERSION,
        "polycorpus_version": __version__,
        "fingerprint": config.fingerprint(),
        "complete": not failed and len(final.done) == len(units),
        "units": {"total": len(units), "done": len(final.done), "failed": sorted(o.unit for o in failed)},
        "phases": [
            {
                "name": r.dirs.name,
                "kind": "per-unit" if isinstance(r.phase, MapPhase) else "global",
                "units": len(units) if isinstance(r.phase, MapPhase) else 1,
                "elapsed_s": round(r.elapsed_s, 3),
                "unit_seconds": round(sum(d.get("elapsed_s", 0) for d in r.done.values()), 3),
            }
            for r in phases
        ],
        "stages": [{"name": label, **stages[label]} for label in order],
        "output": {
            "docs": last.get("docs_out", 0),
            "bytes": last.get("bytes_out", 0),
            "by_source": {s: {"docs": v["docs_out"], "bytes": v["bytes_out"]} for s, v in last.get("by_source", {}).items()},
            "by_lang": {s: {"docs": v["docs_out"], "bytes": v["bytes_out"]} for s, v in last.get("by_lang", {}).items()},
        },
    }


def _phase_dirs(run: RunDir, phase: Phase) -> PhaseDirs:
    return run.phase(phase.index, phase.name, final=isinstance(phase, MapPhase) and phase.final)


def committed_stats(config: PipelineConfig, run: RunDir, units: list[Unit],
                    failed: list[UnitOutcome]) -> dict[str, Any]:
    """The statistics of what ``run`` holds committed now, rebuilt from its markers: what a
    report shows for a run interrupted (or still running) before it wrote ``stats.json``."""
    records = [_PhaseRecord(phase, dirs, run.done_units(dirs))
               for phase in plan_phases(config) for dirs in [_phase_dirs(run, phase)]]
    return assemble_stats(config, units, records, failed)


def _finish_sinks(config: PipelineConfig, phase: MapPhase, units: list[Unit], done: dict[str, dict[str, Any]]) -> None:
    """Let sink stages combine their per-unit artifacts (in unit order) into run-level ones."""
    for item in phase.chain:
        described = [done[u.id].get("artifacts", {}).get(item.label) for u in units]
        item.build().finish(config.output, [d for d in described if d])


class _Runner:
    def __init__(self, config: PipelineConfig, units: list[Unit], progress: RunProgress,
                 engine: str, ray_address: str | None, workers: int | None) -> None:
        self.config, self.units, self.progress = config, units, progress
        self.engine_name, self.ray_address, self.workers = engine, ray_address, workers
        self.run = RunDir(config.output)
        self.failed: list[UnitOutcome] = []
        self._engine: Engine | None = None

    def map_phase(self, phase: MapPhase, record: _PhaseRecord, upstream: PhaseDirs | None) -> None:
        pending = [unit for unit in self.units if unit.id not in record.done]

        def on_outcome(outcome: UnitOutcome) -> None:
            if outcome.ok:
                record.done[outcome.unit] = outcome.stats
            else:
                self._record_failure(record, outcome.unit, outcome)
            self.progress.unit_finished(outcome)

        self.progress.start_phase(record.dirs.name, len(self.units), len(self.units) - len(pending))
        started = time.perf_counter()
        if pending:
            for item in phase.chain:
                item.build().prepare_finish()
            self.engine().execute_units(pending, self.config, phase, record.dirs, upstream, on_outcome)
        if not self.failed:
            _finish_sinks(self.config, phase, self.units, record.done)
        record.elapsed_s = time.perf_counter() - started
        self.progress.end_phase(record.elapsed_s)

    def barrier_phase(self, phase: BarrierPhase, record: _PhaseRecord) -> None:
        if "global" in record.done:
            return
        self.progress.log(f"[{record.dirs.name}] global step over {len(self.units)} units")
        started = time.perf_counter()
        stats: dict[str, Any] = {}
        try:
            phase.build().run_global(self.config.output, [u.id for u in self.units], stats, self.engine().run_tasks)
        except Exception as exc:  # a lost worker or node, a full disk: recorded, redone on the next run
            failure = UnitOutcome(f"{record.dirs.name}/global", ok=False, error=f"{type(exc).__name__}: {exc}",
                                  detail=traceback.format_exc())
            self._record_failure(record, "global", failure)
            self.progress.log(f"[{record.dirs.name}] the global step failed: {failure.error}")
            return
        record.elapsed_s = time.perf_counter() - started
        stats["elapsed_s"] = round(record.elapsed_s, 3)
        record.done["global"] = {**stats, INPUTS_KEY: inputs_key(self.units)}
        self.run.mark_done(record.dirs, "global", record.done["global"])
        self.progress.log(f"[{record.dirs.name}] finished in {record.elapsed_s:.1f}s")

    def _record_failure(self, record: _PhaseRecord, name: str, outcome: UnitOutcome) -> None:
        """Keep the failure for the summary and, where the disk allows, in the run directory
        (a full disk may refuse even that; the unit is retried on the next run either way)."""
        self.failed.append(outcome)
        try:
            self.run.mark_failed(record.dirs, name, {"unit": outcome.unit, "error": outcome.error,
                                                     "detail": outcome.detail})
        except OSError as exc:
            self.progress.log(f"[{record.dirs.name}] could not record the failure of {outcome.unit}: {exc}")

    def engine(self) -> Engine:
        """Start (or join) Ray on first need: a run with nothing left to do never boots it."""
        if self._engine is None:
            self._engine = start_engine(self.engine_name, self.ray_address, self.workers)
            self.progress.log(f"engine: {self._engine.name} ({self._engine.slots} worker(s))")
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()


def _forget_outdated(run: RunDir, records: list[_PhaseRecord], units: list[Unit],
                     progress: RunProgress) -> None:
    """Undo what was made from inputs that are no longer what they were.

    A unit whose input changed (see plan.sign_inputs) is redone in every phase. A global
    step is redone, with every phase after it, when the set of units or any of their inputs
    changed since it ran: its decisions span all units (a duplicate's copy may be in a file
    added, changed or removed since).
    """
    planned = {unit.id: unit for unit in units}
    changed = sorted({uid for record in records if isinstance(record.phase, MapPhase)
                      for uid, stats in record.done.items() if stats.get("signature") != planned[uid].signature})
    for uid in changed:
        progress.log(f"input changed since it was processed: {planned[uid].file.url}: redoing its unit")
        for record in records:
            if uid in record.done and isinstance(record.phase, MapPhase):
                run.forget(record.dirs, uid)
                del record.done[uid]
    key = inputs_key(units)
    for index, record in enumerate(records):
        if isinstance(record.phase, BarrierPhase) and "global" in record.done \
                and record.done["global"].get(INPUTS_KEY) != key:
            progress.log(f"[{record.dirs.name}] the inputs changed since this global step ran: "
                         "redoing it and every phase after it")
            for later in records[index:]:
                for uid in sorted(later.done):
                    run.forget(later.dirs, uid)
                later.done.clear()
            return


def run_pipeline(
    config: PipelineConfig,
    *,
    ray_address: str | None = None,
    workers: int | None = None,
    engine: EngineName = "auto",
    progress: RunProgress | None = None,
) -> RunResult:
    """Run (or resume) ``config``. ``engine``: ``ray`` (a cluster at ``ray_address``, else an
    embedded local Ray with ``workers`` CPUs), ``local`` (the driver's process) or ``auto``
    (local for small inputs, see pipeline.executor); every engine leaves the same bytes."""
    progress = progress or RunProgress()
    units = plan_units(config)  # raises ConfigError before anything is written
    check_prerequisites(config)
    try:
        chosen = choose_engine(engine, ray_address, lambda max_units, max_bytes: inputs_within(units, max_units, max_bytes))
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    phases = plan_phases(config)
    units = sign_inputs(units)
    run = RunDir(config.output)
    resumed = run.claim(config.fingerprint(), config.model_dump(mode="json"))
    records = []
    for phase in phases:
        dirs = _phase_dirs(run, phase)
        if isinstance(phase, MapPhase):
            for stale in run.prune(dirs, {unit.id for unit in units}):
                progress.log(f"the input of unit {stale} is gone: removed its outputs")
        records.append(_PhaseRecord(phase, dirs, run.done_units(dirs)))
    _forget_outdated(run, records, units, progress)
    if resumed and all(len(r.done) == (len(units) if isinstance(r.phase, MapPhase) else 1) for r in records):
        previous = run.read_json(run.path("stats.json"))
        if previous is not None and previous.get("complete") and previous["units"]["total"] == len(units):
            return RunResult(config.output, previous, already_complete=True)
    swept = run.clean_temporaries()
    if swept:
        progress.log(f"removed {swept} half-written files of an interrupted run")

    runner = _Runner(config, units, progress, chosen, ray_address, workers)
    try:
        upstream: PhaseDirs | None = None
        for record in records:
            if isinstance(record.phase, MapPhase):
                runner.map_phase(record.phase, record, upstream)
                upstream = record.dirs
            else:
                runner.barrier_phase(record.phase, record)
            if runner.failed:
                break  # later phases need every unit of this one
    finally:
        runner.close()
    stats = assemble_stats(config, units, records, runner.failed)
    run.write_json(run.path("stats.json"), stats)
    return RunResult(config.output, stats, failed=runner.failed)
