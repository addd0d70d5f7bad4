"""Stage order: what each stage needs before it, checked before anything is written.

Stages declare (stages.base.Prerequisites) the columns they make and need, whether they may
appear once only, and whether they must come last. A config whose order would quietly defeat
a stage is refused with a message naming both stages: ``quality`` without ``langid`` before it
would skip its per-language rules, ``translate_comments`` without ``code_language`` would find
no comments, ``tokenize`` before a filter would put dropped documents into the shards.
"""

from __future__ import annotations

from polycorpus.pipeline.config import InputSpec, PipelineConfig
from polycorpus.stages.base import Prerequisites

#: What each column holds, and which document kinds need it at all.
COLUMNS = {
    "lang": ("the language of a document", frozenset({"web", "text"})),
    "lang_score": ("the language score of a document", frozenset({"web", "text"})),
    "code_lang": ("the programming language of a file", frozenset({"code"})),
}

#: Columns an input format fills by itself (Stack-style Parquet carries each file's language).
FORMAT_COLUMNS = {"stack": frozenset({"code_lang"})}


def _input_fills(spec: InputSpec, column: str) -> bool:
    return column in spec.provides or column in FORMAT_COLUMNS.get(spec.format_of(spec.path) or "", ())


def order_problems(config: PipelineConfig, stages: list[Prerequisites]) -> list[str]:
    """Every way the stage order defeats a stage, as ``stages[i]: ...`` lines."""
    from polycorpus.stages.registry import STAGES

    problems: list[str] = []
    made: set[str] = set()
    seen: dict[str, int] = {}
    for index, stage in enumerate(stages):
        name = stage.config.name
        if stage.once and name in seen:
            problems.append(f"stages[{index}]: a second {name} (the first is stages[{seen[name]}]); "
                            f"{name} may appear once per run")
        seen.setdefault(name, index)
        for column in sorted(stage.required() - made):
            what, kinds = COLUMNS[column]
            relevant = [spec for spec in config.inputs if spec.kind in kinds]
            if all(_input_fills(spec, column) for spec in relevant):
                continue  # no input of a kind that needs it, or every such input fills it
            producers = [cls.name for cls in STAGES.values() if column in cls.makes]
            problems.append(f"stages[{index}]: {name} needs the column {column} ({what}), which "
                            f"{' or '.join(producers)} makes: add {producers[0]} before {name}, or "
                            f"declare provides: [{column}] on inputs whose records carry it")
        made |= stage.makes
    last = [(index, stage.config.name) for index, stage in enumerate(stages) if stage.last]
    for index, name in last:
        if index != len(stages) - 1:
            after = ", ".join(stage.config.name for stage in stages[index + 1:])
            problems.append(f"stages[{index}]: {name} must be the last stage (it writes the run's product, "
                            f"so nothing after it may drop a document it wrote); move it after {after}")
    return problems
