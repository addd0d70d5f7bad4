"""Run configuration: YAML -> typed, validated models, with errors that name the key or file.

Relative paths in a config (inputs and output) are resolved against the directory of the
config file, so a config and its data can move together. Every problem is reported at once,
as one message, before anything is written.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from polycorpus.stages.config import config_path_fields
from polycorpus.stages.ingest.config import IngestOptions
from polycorpus.stages.registry import stage_config_models, stage_names

FORMATS = ("warc", "wet", "arc", "jsonl", "parquet", "hf", "code", "stack")
#: Formats whose records may carry lang / code_lang columns (see InputSpec.provides).
RECORD_FORMATS = ("jsonl", "parquet", "hf", "stack")

# Longest suffix first: "x.warc.wet.gz" is WET, not WARC.
_SUFFIX_FORMATS: list[tuple[str, str]] = [
    (".warc.wet.gz", "wet"),
    (".warc.wet", "wet"),
    (".wet.gz", "wet"),
    (".wet", "wet"),
    (".warc.gz", "warc"),
    (".warc", "warc"),
    (".arc.gz", "arc"),
    (".arc", "arc"),
    (".jsonl.gz", "jsonl"),
    (".jsonl.zst", "jsonl"),
    (".jsonl", "jsonl"),
    (".ndjson", "jsonl"),
    (".json.gz", "jsonl"),
    (".parquet", "parquet"),
    # Code: a repository (directory, git repository or archive) is one unit.
    (".tar.gz", "code"),
    (".tgz", "code"),
    (".tar.bz2", "code"),
    (".tbz2", "code"),
    (".tar.xz", "code"),
    (".txz", "code"),
    (".tar", "code"),
    (".zip", "code"),
    (".git", "code"),
]


def is_glob(path: str) -> bool:
    return any(ch in path for ch in "*?[")


class ConfigError(Exception):
    """A config that cannot run; the message names every offending key or file."""


def infer_format(path: str) -> str | None:
    lowered = path.lower().rstrip("/")
    for suffix, fmt in _SUFFIX_FORMATS:
        if lowered.endswith(suffix):
            return fmt
    return None


class InputSpec(BaseModel):
    """One input: files matching ``path`` become units tagged with ``source``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str = Field(description="File, directory (hf) or glob; local path or fsspec URL.")
    source: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64)]
    kind: Literal["web", "code", "text"] = "text"
    format: Literal["warc", "wet", "arc", "jsonl", "parquet", "hf", "code", "stack"] | None = Field(
        None, description="Inferred from the file extension (and kind: code) when omitted."
    )
    text_field: str = "text"
    id_field: str | None = Field(
        None, description="Field holding a stable id (jsonl/parquet/hf); else the row position."
    )
    priority: int = Field(0, description="Higher wins when dedup chooses which copy to keep.")
    ref: str | None = Field(None, description="code: the git ref (branch, tag, commit) to read.")
    metadata: str | None = Field(
        None, description="code/stack: per-repository sidecar (jsonl/json/csv/tsv: repo, priority, stars...)."
    )
    provides: list[Literal["lang", "code_lang"]] = Field(
        default_factory=list, description="jsonl/parquet/hf: columns the records already carry (e.g. lang of a "
                                          "pre-labelled corpus), so stages that need them need no producer stage.")

    @model_validator(mode="after")
    def _format_known(self) -> InputSpec:
        # A glob may match files of several formats: those are inferred file by file.
        if self.format is None and not is_glob(self.path) and self.format_of(self.path) is None:
            raise ValueError(
                f"cannot infer the format of {self.path!r} from its extension; "
                f"set format to one of {', '.join(FORMATS)}"
            )
        if self.provides and self.format_of(self.path) not in RECORD_FORMATS:
            raise ValueError(f"provides: only records inputs ({', '.join(RECORD_FORMATS)}) carry columns of their own")
        return self

    def format_of(self, path: str) -> str | None:
        """The declared format, or the one the matched file's extension implies.

        For ``kind: code`` a path without a known extension is a repository (a directory or
        git repository) and Parquet is Stack-style (content, path, repo, licence columns).
        """
        inferred = self.format or infer_format(path)
        if self.kind == "code" and self.format is None:
            return {None: "code", "parquet": "stack"}.get(inferred, inferred)
        return inferred


def _stage_union() -> Any:
    models = tuple(stage_config_models())
    if len(models) == 1:
        return models[0]
    return Annotated[Union[models], Field(discriminator="name")]  # noqa: UP007


StageConfigUnion = _stage_union()


class PipelineConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    inputs: list[InputSpec] = Field(min_length=1)
    output: str = Field(description="The run directory (local path or fsspec URL).")
    ingest: IngestOptions = IngestOptions()
    stages: list[StageConfigUnion] = Field(default_factory=list)
    write_rejected: bool = Field(
        True, description="Write dropped documents with stage and reason under RUN/rejected/."
    )

    def fingerprint(self) -> str:
        """Hash of everything that shapes the outputs (the output location itself excluded)."""
        payload = self.model_dump(mode="json", exclude={"output"})
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()


def _is_url(path: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", path))


def _anchor(path: str, base: Path) -> str:
    if _is_url(path) or Path(path).is_absolute():
        return path
    return str((base / path).resolve())


def _stage_tags() -> list[str]:
    return sorted(stage_names())


def _anchor_all(value: str | list[str], base: Path) -> str | list[str]:
    return [_anchor(v, base) for v in value] if isinstance(value, list) else _anchor(value, base)


def _format_location(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in _stage_tags():
            continue  # pydantic inserts the union tag into the path; the user never wrote it
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _describe(error: dict[str, Any]) -> str:
    where = _format_location(error["loc"])
    if error["type"] == "union_tag_invalid":
        known = ", ".join(_stage_tags())
        return f"{where}.name: unknown stage {error['ctx']['tag']!r} (known stages: {known})"
    if error["type"] == "union_tag_not_found":
        return f"{where}.name: required key is missing (the stage to run)"
    if error["type"] == "extra_forbidden":
        return f"{where}: unknown key"
    if error["type"] == "value_error":
        return f"{where}: {error['ctx']['error']}"
    if error["type"] == "missing":
        return f"{where}: required key is missing"
    return f"{where}: {error['msg']} (got {error.get('input')!r})"


def parse_config(data: Any, base_dir: Path, origin: str = "config") -> PipelineConfig:
    """Validate a loaded YAML document; relative paths are anchored at ``base_dir``."""
    if not isinstance(data, dict):
        raise ConfigError(f"{origin}: expected a mapping at the top level, got {type(data).__name__}")
    try:
        config = PipelineConfig.model_validate(data)
    except ValidationError as exc:
        lines = [_describe(e) for e in exc.errors(include_url=False)]
        raise ConfigError(f"{origin}: invalid configuration\n  " + "\n  ".join(lines)) from None
    inputs = [spec.model_copy(update={"path": _anchor(spec.path, base_dir),
                                      "metadata": spec.metadata and _anchor(spec.metadata, base_dir)})
              for spec in config.inputs]
    stages = [
        stage.model_copy(update={
            name: _anchor_all(getattr(stage, name), base_dir)
            for name in config_path_fields(type(stage)) if getattr(stage, name) is not None
        })
        for stage in config.stages
    ]
    return config.model_copy(
        update={"inputs": inputs, "stages": stages, "output": _anchor(config.output, base_dir)})


def load_config(path: str | Path, output: str | None = None) -> PipelineConfig:
    """Read and validate a YAML config file; ``output`` (from the CLI) overrides its output."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config ({exc.strerror or exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if isinstance(data, dict) and output is not None:
        data = {**data, "output": str(Path(output).resolve()) if not _is_url(output) else output}
    return parse_config(data, path.resolve().parent, origin=str(path))
