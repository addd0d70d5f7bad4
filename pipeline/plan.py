"""From config inputs to units of work: globs expanded, formats resolved, ids fixed.

A unit's id derives from its source and its path relative to the input's base directory, so
the same files give the same unit ids (and output names) on every run and every machine.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, replace

import fsspec
import xxhash

from polycorpus.pipeline.config import ConfigError, InputSpec, PipelineConfig, infer_format, is_glob
from polycorpus.stages.config import missing_path
from polycorpus.stages.ingest.config import InputFile

_GLOB_CHARS = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class Unit:
    id: str
    file: InputFile
    #: What the input looked like when planned (see :func:`sign_inputs`); "" until signed.
    signature: str = ""


def unit_id(source: str, relpath: str) -> str:
    """Readable and unique: ``<source>.<path slug>.<hash>``, safe as a file name."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", relpath).strip("-.")[-60:] or "input"
    digest = xxhash.xxh3_64_hexdigest(f"{source}\x00{relpath}".encode())[:10]
    return f"{source}.{slug}.{digest}"


def _base_dir(pattern: str) -> str:
    """The directory above the first glob component (ids are relative to it)."""
    head = _GLOB_CHARS.split(pattern, maxsplit=1)[0]
    return head if head.endswith("/") else posixpath.dirname(head)


def _is_tree_unit(spec: InputSpec, fs: fsspec.AbstractFileSystem, path: str) -> bool:
    """A directory that is one unit as a whole: a datasets directory or a code repository."""
    return (spec.format == "hf" or spec.format_of(path) == "code") and fs.isdir(path)


def _glob_takes(spec: InputSpec, fs: fsspec.AbstractFileSystem, path: str) -> bool:
    """Files (for code without a format: only archives and Parquet) and tree units."""
    if fs.isfile(path):
        return spec.kind != "code" or spec.format is not None or infer_format(path) is not None
    return _is_tree_unit(spec, fs, path)


def _expand(spec: InputSpec) -> tuple[fsspec.AbstractFileSystem, list[str], str]:
    """The matched paths (sorted) and the base directory that ids are relative to."""
    fs, fs_path = fsspec.core.url_to_fs(spec.path)
    if is_glob(fs_path):
        matches = [p for p in sorted(fs.glob(fs_path)) if _glob_takes(spec, fs, p)]
        return fs, matches, _base_dir(fs_path)
    if _is_tree_unit(spec, fs, fs_path):
        return fs, [fs_path.rstrip("/")], posixpath.dirname(fs_path.rstrip("/"))
    if spec.format != "hf" and fs.isdir(fs_path):
        files = sorted(p for p in fs.find(fs_path) if not posixpath.basename(p).startswith("."))
        # A directory takes the files whose extension names the input's format (any known
        # format when none is set); files with other extensions need a glob.
        wanted = [p for p in files if infer_format(p) is not None and infer_format(p) == spec.format_of(p)]
        return fs, wanted, fs_path.rstrip("/")
    return fs, ([fs_path] if fs.exists(fs_path) else []), posixpath.dirname(fs_path.rstrip("/"))


def plan_units(config: PipelineConfig) -> list[Unit]:
    """Expand every input; missing files and ambiguous ids are config errors."""
    problems: list[str] = []
    units: dict[str, Unit] = {}
    owners: dict[str, int] = {}
    for index, spec in enumerate(config.inputs):
        if spec.metadata is not None and (why := missing_path(spec.metadata)):
            problems.append(f"inputs[{index}].metadata: {why}")
        fs, paths, base = _expand(spec)
        if not paths:
            problems.append(f"inputs[{index}].path: no input matches {spec.path!r}")
            continue
        for path in paths:
            relpath = posixpath.relpath(path, base) if base else path
            url = fs.unstrip_protocol(path) if "://" in spec.path else path
            fmt = spec.format_of(path)
            if fmt is None:
                problems.append(f"inputs[{index}].path: cannot infer the format of {url}; set format")
                continue
            uid = unit_id(spec.source, relpath)
            if uid in units:  # same source and relative path from two inputs
                problems.append(
                    f"inputs[{index}].path: {url} gives unit {uid!r}, already given by "
                    f"inputs[{owners[uid]}] ({units[uid].file.url}); use distinct sources"
                )
                continue
            owners[uid] = index
            units[uid] = Unit(
                uid,
                InputFile(
                    url=url,
                    relpath=relpath,
                    source=spec.source,
                    kind=spec.kind,
                    format=fmt,
                    text_field=spec.text_field,
                    id_field=spec.id_field,
                    priority=spec.priority,
                    ref=spec.ref,
                    metadata=spec.metadata,
                ),
            )
    if problems:
        raise ConfigError("inputs cannot be resolved\n  " + "\n  ".join(problems))
    return list(units.values())


def inputs_within(units: list[Unit], max_units: int, max_bytes: int) -> bool:
    """Whether the inputs are at most ``max_units`` units and ``max_bytes`` bytes as stored
    (a directory or repository: all its files). Stops sizing at the first unit past the limit,
    so a large run pays for a few listings, not one per input."""
    if len(units) > max_units:
        return False
    total = 0
    for unit in units:
        fs, path = fsspec.core.url_to_fs(unit.file.url)
        total += fs.du(path, total=True) if fs.isdir(path) else fs.size(path)
        if total > max_bytes:
            return False
    return True


def sign_inputs(units: list[Unit]) -> list[Unit]:
    """The units with the signature of their input as it is now: size and modification
    time (or ETag) of a file; a digest of every file's path, size and time for a directory.

    A unit's outputs are valid only for the signature they were made from: a rerun redoes a
    unit whose input changed and the global steps over a set of inputs that changed.
    """
    return [replace(unit, signature=_signature(unit.file.url)) for unit in units]


def inputs_key(units: list[Unit]) -> str:
    """One digest of the set of units and their signatures: what a global step ran over."""
    digest = xxhash.xxh3_128()
    for unit in sorted(units, key=lambda u: u.id):
        digest.update(f"{unit.id}\0{unit.signature}\n".encode())
    return digest.hexdigest()


def _signature(url: str) -> str:
    fs, path = fsspec.core.url_to_fs(url)
    info = fs.info(path)
    if info.get("type") != "directory":
        return f"{info.get('size')}:{_stamp(info)}"
    digest = xxhash.xxh3_64()
    for name, entry in sorted(fs.find(path, detail=True).items()):
        digest.update(f"{posixpath.relpath(name, path)}\0{entry.get('size')}\0{_stamp(entry)}\n".encode())
    return f"tree:{digest.hexdigest()}"


def _stamp(info: dict) -> str:
    """What tells a changed file: an object store's ETag, else the modification time."""
    for key in ("ETag", "etag", "mtime", "LastModified", "last_modified"):
        if info.get(key) is not None:
            return str(info[key])
    return ""
