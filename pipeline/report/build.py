"""A run's report: which sections it has, in which order, and what the reader must know first.

Sections for stages that did not run are left out (each builder returns None when it has no
data), so the same code reports a plain ingest run and a run with every stage.
"""

from __future__ import annotations

import posixpath

import fsspec

from polycorpus.pipeline.config import PipelineConfig
from polycorpus.pipeline.phases import MapPhase, plan_phases
from polycorpus.pipeline.report.counts import n
from polycorpus.pipeline.report.funnel import (
    drop_reasons,
    funnel,
    languages,
    lengths,
    overview,
    phases,
    sources,
    where_documents_went,
)
from polycorpus.pipeline.report.model import Note, Report, Section
from polycorpus.pipeline.report.rundata import RunData, ShardSet
from polycorpus.pipeline.report.scan import FertilitySample, code_mix, sample_fertility
from polycorpus.pipeline.report.stages import stage_section
from polycorpus.pipeline.report.tokens import (
    code_section,
    fertility_section,
    mixture_section,
    tokens_section,
)
from polycorpus.tokenizer.manifest import TOKENIZER_FILE


def status_notes(data: RunData) -> list[Note]:
    """Partial run, failed units, zero documents: what must be read before any number."""
    stats = data.stats
    notes = []
    if data.partial:
        units = stats.get("units", {})
        notes.append(Note(
            f"PARTIAL RUN: {units.get('done', 0):,} of {units.get('total', 0):,} units are committed in the final "
            f"phase. This report shows only what is committed; rerun the same `polycorpus run` command to "
            "finish the run.", "warn"))
    for unit, error in sorted(data.failed.items()):
        notes.append(Note(f"Unit {unit} FAILED: {error}", "warn"))
    notes += data.notes
    if stats["stages"] and n(stats.get("output"), "docs") == 0 and not (data.partial and not data.final_units):
        notes.append(where_documents_went(stats))
    return notes


def phase_inputs(config: PipelineConfig) -> list[str | None]:
    """Per phase, the stage whose input is the phase's input: ingest (records) for the first,
    the head of the chain for later per-unit phases, none for a global step."""
    return [("ingest" if phase.reads_inputs else phase.chain[0].label) if isinstance(phase, MapPhase) else None
            for phase in plan_phases(config)]


def _fertility_sample(data: RunData, shard_set: ShardSet) -> FertilitySample | None:
    """Measured with the shard set's own copy of the tokenizer (only for a local run)."""
    fs, root = fsspec.core.url_to_fs(shard_set.url)
    path = posixpath.join(root, TOKENIZER_FILE)
    if shard_set.manifest is None or fs.protocol not in ("file", ("file", "local")) or not fs.exists(path):
        return None
    return sample_fertility(data.run, data.document_files(), path)


def build_report(data: RunData, *, fertility_sample: bool = True) -> Report:
    stats = data.stats
    manifests = [s.manifest for s in data.shard_sets if s.manifest is not None]
    shard_count = sum(len(m.shards) for m in manifests) if manifests else None
    sections: list[Section | None] = [overview(stats, shard_count), funnel(stats), drop_reasons(stats),
                                      sources(stats), languages(stats), lengths(stats)]
    sections += [stage_section(stage) for stage in stats["stages"]]
    sections.append(code_section(code_mix(data.run, data.document_files()), data.shard_sets))
    for shard_set in data.shard_sets:
        entry = data.stage(shard_set.label)
        sample = _fertility_sample(data, shard_set) if fertility_sample else None
        sections += [tokens_section(shard_set, entry), fertility_section(shard_set, entry, sample),
                     mixture_section(shard_set)]
    sections.append(phases(stats, phase_inputs(data.config) if data.config else []))
    version = stats.get("polycorpus_version", data.meta.get("polycorpus_version", "?"))
    subtitle = (f"{data.url} · fingerprint {str(data.meta['fingerprint'])[:12]} · polycorpus {version}"
                + (" · PARTIAL" if data.partial else ""))
    return Report(f"polycorpus report: {data.name}", subtitle, status_notes(data),
                  [s for s in sections if s is not None])
