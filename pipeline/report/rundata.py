"""Reading a run directory for a report: what is committed, and whether the run is whole.

A finished run has a complete ``stats.json``. A run that was interrupted (or is still going)
may have none, or one from an earlier invocation; its statistics are then rebuilt from the unit
markers, which are exactly what is committed, and the report says that it is partial. Only
documents of committed units are ever read: a unit killed between renaming its Parquet file
into place and writing its marker has a file that is not part of the run.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass, field
from typing import Any

import fsspec
from pydantic import ValidationError

from polycorpus.pipeline.config import ConfigError, PipelineConfig
from polycorpus.pipeline.phases import MapPhase, plan_phases
from polycorpus.pipeline.plan import plan_units
from polycorpus.pipeline.report.model import Note
from polycorpus.pipeline.rundir import RunDir
from polycorpus.pipeline.unit import UnitOutcome
from polycorpus.tokenizer.manifest import BLEND_FILE, Manifest
from polycorpus.tokenizer.shardset import read_manifest


class ReportError(Exception):
    """The directory cannot be reported on (missing, not a run); the message says why."""


@dataclass
class ShardSet:
    """A ``tokenize`` stage's shard set with the weights it was configured with."""

    label: str  # the stage's label in stats.json
    url: str
    weights: dict[str, float]
    manifest: Manifest | None  # None until the run has finished the stage
    blend: dict[str, float] | None = None  # blend.txt's weights summed per source


@dataclass
class RunData:
    url: str
    run: RunDir
    meta: dict[str, Any]
    stats: dict[str, Any]
    partial: bool
    config: PipelineConfig | None
    failed: dict[str, str] = field(default_factory=dict)  # unit -> error
    notes: list[Note] = field(default_factory=list)
    shard_sets: list[ShardSet] = field(default_factory=list)
    final_units: list[str] = field(default_factory=list)  # units committed in the final phase

    @property
    def name(self) -> str:
        return posixpath.basename(self.run.root.rstrip("/")) or self.url

    def stage(self, label: str) -> dict[str, Any] | None:
        return next((s for s in self.stats["stages"] if s["name"] == label), None)

    def document_files(self) -> list[str]:
        """The final documents of committed units (a unit that kept nothing has no file)."""
        paths = [self.run.path("documents", f"{unit}.parquet") for unit in self.final_units]
        return [p for p in paths if self.run.fs.exists(p)]


def _config(meta: dict[str, Any]) -> tuple[PipelineConfig | None, str]:
    """The run's normalised config, or None and why (a run made by another version)."""
    try:
        return PipelineConfig.model_validate(meta.get("config") or {}), ""
    except ValidationError as exc:
        return None, f"its config does not validate with this polycorpus version ({exc.error_count()} problems)"


def _read_json(run: RunDir, path: str) -> Any:
    try:
        return run.read_json(path)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ReportError(f"{path} is not valid JSON ({exc}); the run directory is damaged") from None


def _marker_names(run: RunDir, directory: str) -> list[str]:
    if not run.fs.exists(directory):
        return []
    names = (posixpath.basename(p) for p in run.fs.ls(directory, detail=False))
    return sorted(n[: -len(".json")] for n in names if n.endswith(".json") and not n.startswith("."))


def _failed_units(run: RunDir) -> dict[str, str]:
    failed = {}
    for path in sorted(run.fs.glob(run.path("_state", "*", "failed", "*.json"))):
        if not posixpath.basename(path).startswith("."):
            marker = _read_json(run, path) or {}
            failed[marker.get("unit", posixpath.basename(path)[:-5])] = str(marker.get("error", ""))
    return failed


def _open_run(url: str) -> tuple[RunDir, dict[str, Any]]:
    run = RunDir(url)
    if not run.fs.exists(run.root):
        raise ReportError(f"{url}: no such directory")
    if not run.fs.isdir(run.root):
        raise ReportError(f"{url}: not a directory; give the run directory (the config's output)")
    meta = _read_json(run, run.path("run.json"))
    if not isinstance(meta, dict) or "fingerprint" not in meta:
        raise ReportError(
            f"{url}: not a polycorpus run directory (no run.json with a fingerprint); give the "
            "directory a run wrote, the config's output or --output")
    return run, meta


def _stats(run: RunDir, meta: dict[str, Any], config: PipelineConfig | None, why_not: str,
           failed: dict[str, str]) -> tuple[dict[str, Any], bool, list[Note]]:
    """The statistics to show, whether they are partial, and what the reader must know."""
    saved = _read_json(run, run.path("stats.json"))
    if isinstance(saved, dict) and saved.get("complete") and saved.get("fingerprint") == meta["fingerprint"]:
        return saved, False, []
    notes = []
    if config is not None:
        try:
            units = plan_units(config)
        except ConfigError as exc:
            why_not = f"its inputs cannot be listed ({exc})"
        else:
            outcomes = [UnitOutcome(unit, ok=False, error=error) for unit, error in failed.items()]
            from polycorpus.pipeline.runner import committed_stats  # the runner imports Ray

            return committed_stats(config, run, units, outcomes), True, notes
    if isinstance(saved, dict) and "stages" in saved:
        notes.append(Note(f"The statistics are those of the last invocation that finished; newer "
                          f"commits are not counted because {why_not}.", "warn"))
        return saved, True, notes
    raise ReportError(f"{run.url}: the run was interrupted before it wrote stats.json, and its "
                      f"statistics cannot be rebuilt from its markers because {why_not}")


def _shard_sets(data: RunData) -> list[ShardSet]:
    if data.config is None:
        return []
    sets = []
    for phase in plan_phases(data.config):
        if not isinstance(phase, MapPhase):
            continue
        for item in phase.chain:
            if item.config.name != "tokenize":
                continue
            url = posixpath.join(data.url, item.config.output_dir)
            try:
                manifest = read_manifest(url)
            except FileNotFoundError:
                manifest = None
            except (ValueError, KeyError, TypeError) as exc:
                data.notes.append(Note(f"The shard manifest of {item.label} cannot be read ({exc}).", "warn"))
                manifest = None
            shard_set = ShardSet(item.label, url, dict(item.config.weights), manifest)
            if manifest is not None:
                if manifest.config_fingerprint != data.meta["fingerprint"]:
                    data.notes.append(Note(f"{url}/manifest.json was written by another configuration "
                                           "than this run's.", "warn"))
                shard_set.blend = _blend_weights(url, manifest)
            sets.append(shard_set)
    return sets


def _blend_weights(url: str, manifest: Manifest) -> dict[str, float] | None:
    """blend.txt's ``weight prefix`` lines summed per source (via the manifest's shards)."""
    fs, root = fsspec.core.url_to_fs(url)
    path = posixpath.join(root, BLEND_FILE)
    if not fs.exists(path):
        return None
    source_of = {shard.name: shard.source for shard in manifest.shards}
    weights: dict[str, float] = {}
    with fs.open(path, "r") as handle:
        for line in handle:
            if line.strip():
                weight, prefix = line.split(maxsplit=1)
                source = source_of.get(posixpath.basename(prefix.strip()), "(unknown shard)")
                weights[source] = weights.get(source, 0.0) + float(weight)
    return weights


def load_run(url: str) -> RunData:
    """Everything a report needs from RUN, or a ReportError saying why it cannot be read."""
    run, meta = _open_run(url)
    config, why_not = _config(meta)
    failed = _failed_units(run)
    stats, partial, notes = _stats(run, meta, config, why_not, failed)
    final_phase = stats["phases"][-1]["name"] if stats.get("phases") else ""
    data = RunData(url=url, run=run, meta=meta, stats=stats, partial=partial, config=config,
                   failed=failed, notes=notes,
                   final_units=_marker_names(run, run.path("_state", final_phase, "done")))
    data.shard_sets = _shard_sets(data)
    if config is None:
        data.notes.append(Note(f"Token sections are left out: {why_not}.", "warn"))
    return data
