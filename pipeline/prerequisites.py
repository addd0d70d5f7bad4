"""Stage order and stage checks: what each stage needs, found before anything is written.

Stage options declare (stages.config.StageConfig) the columns a stage makes and needs, whether they may
appear once only, and whether they must come last. A config whose order would quietly defeat
a stage is refused with a message naming both stages: ``quality`` without ``langid`` before it
would skip its per-language rules, ``translate_comments`` without ``code_language`` would find
no comments, ``tokenize`` before a filter would put dropped documents into the shards.
"""

from __future__ import annotations

import os
from pathlib import Path

from polycorpus.pipeline.config import ConfigError, InputSpec, PipelineConfig
from polycorpus.stages.config import StageConfig
from polycorpus.stages.registry import config_model, stage_names

#: What each column holds, and which document kinds need it at all.
COLUMNS = {
    "lang": ("the language of a document", frozenset({"web", "text"})),
    "code_lang": ("the programming language of a file", frozenset({"code"})),
}

#: Columns an input format fills by itself (Stack-style Parquet carries each file's language).
FORMAT_COLUMNS = {"stack": frozenset({"code_lang"})}


def _input_fills(spec: InputSpec, column: str) -> bool:
    return column in spec.provides or column in FORMAT_COLUMNS.get(spec.format_of(spec.path) or "", ())


def check_prerequisites(config: PipelineConfig) -> None:
    """Refuse a stage order that defeats a stage, let each stage check what its options alone
    cannot show (a missing model file or word list, an unusable tokenizer) and check that the
    output can be written: one ConfigError naming every problem, before anything is written.
    Reads stage options only, never their implementations."""
    problems = order_problems(config)
    for index, stage in enumerate(config.stages):
        try:
            stage.check()
        except ValueError as exc:
            problems.append(f"stages[{index}]: {exc}")
    problems += output_problems(config.output)
    if problems:
        raise ConfigError("the run cannot start\n  " + "\n  ".join(problems))


def output_problems(output: str) -> list[str]:
    """Why a local output directory could not be created or written (object stores are
    found out by the first write)."""
    if "://" in output and not output.startswith("file://"):
        return []
    path = Path(output.removeprefix("file://")).absolute()
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing == path and not path.is_dir():
        return [f"output: {output} exists and is not a directory"]
    if not existing.is_dir():
        return [f"output: cannot create {output}: {existing} is a file, not a directory"]
    if not os.access(existing, os.W_OK | os.X_OK):
        return [f"output: cannot {'write into' if existing == path else 'create'} {output}: "
                f"{existing} is not writable"]
    return []


def order_problems(config: PipelineConfig) -> list[str]:
    """Every way the stage order defeats a stage, as ``stages[i]: ...`` lines."""
    stages: list[StageConfig] = list(config.stages)
    problems: list[str] = []
    made: set[str] = set()
    seen: dict[str, int] = {}
    for index, stage in enumerate(stages):
        name = stage.name
        if stage.once and name in seen:
            problems.append(f"stages[{index}]: a second {name} (the first is stages[{seen[name]}]); "
                            f"{name} may appear once per run")
        seen.setdefault(name, index)
        for column in sorted(stage.required() - made):
            what, kinds = COLUMNS[column]
            relevant = [spec for spec in config.inputs if spec.kind in kinds]
            if all(_input_fills(spec, column) for spec in relevant):
                continue  # no input of a kind that needs it, or every such input fills it
            producers = [other for other in stage_names() if column in config_model(other).makes]
            problems.append(f"stages[{index}]: {name} needs the column {column} ({what}), which "
                            f"{' or '.join(producers)} makes: add {producers[0]} before {name}, or "
                            f"declare provides: [{column}] on inputs whose records carry it")
        made |= stage.makes
    last = [(index, stage.name) for index, stage in enumerate(stages) if stage.last]
    for index, name in last:
        if index != len(stages) - 1:
            after = ", ".join(stage.name for stage in stages[index + 1:])
            problems.append(f"stages[{index}]: {name} must be the last stage (it writes the run's product, "
                            f"so nothing after it may drop a document it wrote); move it after {after}")
    return problems
