"""A whole run: plan, claim the run directory, execute what is not committed, merge stats.

Everything that can be wrong with a config or its inputs is found before the run directory
is touched. Everything after that is resumable: committed units are skipped, half-written
files are swept away, and the merged ``stats.json`` is rebuilt from the unit markers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from pipeline import __version__
from pipeline.config import ConfigError, PipelineConfig
from pipeline.executor import execute_units, ray_session
from pipeline.plan import Unit, plan_units
from pipeline.progress import RunProgress
from pipeline.rundir import PhaseDirs, RunDir
from pipeline.stats import Counts, finalise, merge
from pipeline.unit import INGEST, UnitOutcome, stage_labels
from stages.registry import build_stage

STATS_SCHEMA_VERSION = 1


@dataclass
class RunResult:
    run_url: str
    stats: dict[str, Any]
    failed: list[UnitOutcome] = field(default_factory=list)
    already_complete: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed


def _stage_order(config: PipelineConfig) -> list[str]:
    return [INGEST, *stage_labels([build_stage(c) for c in config.stages])]


def assemble_stats(
    config: PipelineConfig,
    units: list[Unit],
    phase: PhaseDirs,
    done: dict[str, dict[str, Any]],
    failed: list[UnitOutcome],
    elapsed_s: float,
) -> dict[str, Any]:
    """Merge unit markers into the run's statistics, in stage order (see pipeline.stats)."""
    merged: dict[str, Counts] = {}
    for unit in units:
        if unit.id in done:
            merge(merged, done[unit.id]["stages"])
    order = _stage_order(config)
    stages = finalise({label: merged.get(label, {}) for label in order})
    last = stages[order[-1]]
    return {
        "schema_version": STATS_SCHEMA_VERSION,
        "polycorpus_version": __version__,
        "fingerprint": config.fingerprint(),
        "complete": not failed and len(done) == len(units),
        "units": {"total": len(units), "done": len(done), "failed": sorted(o.unit for o in failed)},
        "phases": [
            {
                "name": phase.name,
                "units": len(units),
                "elapsed_s": round(elapsed_s, 3),
                "unit_seconds": round(sum(done[u.id].get("elapsed_s", 0) for u in units if u.id in done), 3),
            }
        ],
        "stages": [{"name": label, **stages[label]} for label in order],
        "output": {
            "docs": last.get("docs_out", 0),
            "bytes": last.get("bytes_out", 0),
            "by_source": {s: {"docs": v["docs_out"], "bytes": v["bytes_out"]} for s, v in last.get("by_source", {}).items()},
            "by_lang": {s: {"docs": v["docs_out"], "bytes": v["bytes_out"]} for s, v in last.get("by_lang", {}).items()},
        },
    }


def check_stages(config: PipelineConfig) -> None:
    """Let each stage check what its config alone cannot show, before anything is written."""
    problems = []
    for index, stage_config in enumerate(config.stages):
        try:
            build_stage(stage_config).check()
        except ValueError as exc:
            problems.append(f"stages[{index}]: {exc}")
    if problems:
        raise ConfigError("stages cannot run\n  " + "\n  ".join(problems))


def _finish_stages(config: PipelineConfig, units: list[Unit], done: dict[str, dict[str, Any]]) -> None:
    """Let sink stages combine their per-unit artifacts (in unit order) into run-level ones."""
    stages = [build_stage(stage_config) for stage_config in config.stages]
    for label, stage in zip(stage_labels(stages), stages, strict=True):
        described = [done[u.id].get("artifacts", {}).get(label) for u in units]
        stage.finish(config.output, [d for d in described if d])


def run_pipeline(
    config: PipelineConfig,
    *,
    ray_address: str | None = None,
    workers: int | None = None,
    progress: RunProgress | None = None,
) -> RunResult:
    progress = progress or RunProgress()
    units = plan_units(config)  # raises ConfigError before anything is written
    check_stages(config)
    run = RunDir(config.output)
    resumed = run.claim(config.fingerprint(), config.model_dump(mode="json"))
    phase = run.phase(0, "ingest", final=True)
    for stale in run.prune(phase, {unit.id for unit in units}):
        progress.log(f"the input of unit {stale} is gone: removed its outputs")
    done = run.done_units(phase)
    pending = [unit for unit in units if unit.id not in done]
    if resumed and not pending:
        previous = run.read_json(run.path("stats.json"))
        if previous is not None and previous.get("complete") and previous["units"]["total"] == len(units):
            return RunResult(config.output, previous, already_complete=True)
    swept = run.clean_temporaries()
    if swept:
        progress.log(f"removed {swept} half-written files of an interrupted run")

    failed: list[UnitOutcome] = []

    def record(outcome: UnitOutcome) -> None:
        if outcome.ok:
            done[outcome.unit] = outcome.stats
        else:
            failed.append(outcome)
            run.mark_failed(phase, outcome.unit, {"unit": outcome.unit, "error": outcome.error, "detail": outcome.detail})
        progress.unit_finished(outcome)

    started = time.perf_counter()
    progress.start_phase(phase.name, len(units), len(units) - len(pending))
    if pending:
        with ray_session(ray_address, workers) as slots:
            execute_units(pending, config, phase, slots, record)
    if not failed:
        _finish_stages(config, units, done)
    elapsed = time.perf_counter() - started
    progress.end_phase(elapsed)
    stats = assemble_stats(config, units, phase, done, failed, elapsed)
    run.write_json(run.path("stats.json"), stats)
    return RunResult(config.output, stats, failed=failed)
