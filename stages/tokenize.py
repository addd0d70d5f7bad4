"""The ``tokenize`` stage: documents -> Megatron token shards, one shard set per run.

A sink stage. For each unit it streams the kept documents (text + ``<eod>``) into
``.bin``/``.idx`` shards named ``<unit>-<k>``, rolled at ``shard_bytes``, written under
hidden names next to their final place and moved there when the unit commits. Once every
unit is committed, ``finish`` writes ``manifest.json`` (per-shard documents, tokens, sha256
and composition; the tokenizer's identity; the config fingerprint), a copy of the tokenizer
and a Megatron blend file. Shard names derive from unit ids, so reruns and any number of
workers produce the same shard set.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

import fsspec
import numpy as np
import pyarrow as pa

from polycorpus.stages.base import (
    Resources,
    Stage,
    StageResult,
    UnitContext,
)
from polycorpus.stages.config import TokenizeConfig
from polycorpus.stages.storage import TMP_SUFFIX, write_atomic
from polycorpus.tokenizer.indexed import (
    IndexedDatasetWriter,
    bin_path,
    index_path,
)
from polycorpus.tokenizer.load import load_for_shards
from polycorpus.tokenizer.manifest import (
    BLEND_FILE,
    MANIFEST,
    TOKENIZER_FILE,
    FimTokens,
    Manifest,
    ShardInfo,
    TokenizerInfo,
    blend_lines,
    sha256_of,
)


class _ShardRoll:
    """The shards of one unit: a writer rolled at the target size, with per-shard counts."""

    def __init__(self, staging: Path, unit: str, dtype: np.dtype, shard_bytes: int) -> None:
        self.staging, self.unit, self.dtype, self.shard_bytes = staging, unit, dtype, shard_bytes
        self.closed: list[ShardInfo] = []
        self.writer: IndexedDatasetWriter | None = None
        self.current: ShardInfo | None = None

    def add(self, pieces: list[np.ndarray], row: dict[str, Any]) -> None:
        if self.writer is None:
            name = f"{self.unit}-{len(self.closed):04d}"
            self.writer = IndexedDatasetWriter(self.staging / name, self.dtype)
            self.current = ShardInfo(name=name, kind=row["kind"], source=row["source"], documents=0,
                                     tokens=0, bin_bytes=0, idx_bytes=0, sha256={})
        tokens = 0
        for piece in pieces:
            self.writer.add_document(piece)
            tokens += piece.size
        self.current.documents += 1
        self.current.tokens += tokens
        for table, key in ((self.current.langs, row["lang"]), (self.current.code_langs, row["code_lang"])):
            if key is not None:
                entry = table.setdefault(key, {"documents": 0, "tokens": 0})
                entry["documents"] += 1
                entry["tokens"] += tokens
        if self.writer.num_bytes >= self.shard_bytes:
            self._close_current()

    def _close_current(self) -> None:
        self.writer.close()
        prefix = self.staging / self.current.name
        for suffix, path in (("bin", bin_path(prefix)), ("idx", index_path(prefix))):
            with path.open("rb") as handle:
                self.current.sha256[suffix] = sha256_of(handle)
            setattr(self.current, f"{suffix}_bytes", path.stat().st_size)
        self.closed.append(self.current)
        self.writer = self.current = None

    def close(self) -> list[ShardInfo]:
        if self.writer is not None:
            self._close_current()
        return self.closed

    def abort(self) -> None:
        if self.writer is not None:
            self.writer.abort()


#: Local staging folders of runs writing to object storage: ``<this><pid>-<random>``.
_LOCAL_STAGING = "polycorpus-shards-"


def _sweep_orphaned_staging() -> None:
    """Remove local staging folders whose worker process is gone (killed mid-unit): their
    shards were never uploaded, and nothing else would ever remove them."""
    base = Path(tempfile.gettempdir())
    for folder in base.glob(f"{_LOCAL_STAGING}*-*"):
        pid = folder.name.removeprefix(_LOCAL_STAGING).split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _remove_stale_shards(fs: fsspec.AbstractFileSystem, root: str, unit: str, current: set[str]) -> None:
    """Remove shards an earlier pass over this unit wrote and this one did not: a unit redone
    because its input (or the dedup decisions it follows) changed may make fewer shards."""
    own = re.compile(rf"{re.escape(unit)}-\d{{4}}\.(?:bin|idx)")
    for path in fs.glob(posixpath.join(root, f"{unit}-*")):
        name = posixpath.basename(path)
        if own.fullmatch(name) and name.rsplit(".", 1)[0] not in current:
            fs.rm(path)


class Tokenize(Stage[TokenizeConfig]):
    name = "tokenize"
    Config = TokenizeConfig
    resources = Resources(num_cpus=1)

    def setup(self) -> None:
        # The Rust tokenizer would use every core of the node in each worker; one per worker.
        os.environ.setdefault("RAYON_NUM_THREADS", str(max(1, int(self.resources.num_cpus))))
        self.tokenizer, self.dtype = load_for_shards(self.config.tokenizer, self.config.dtype)
        self.roll: _ShardRoll | None = None

    # -- per unit ----------------------------------------------------------------------------

    def begin_unit(self, context: UnitContext) -> None:
        self.context = context
        self.target = posixpath.join(context.run_url, self.config.output_dir)
        fs, root = fsspec.core.url_to_fs(self.target)
        # Stage next to the final place when the run is local (a rename commits the shard),
        # in a local temporary directory otherwise (an upload commits it).
        if fs.protocol in ("file", ("file", "local")):
            os.makedirs(root, exist_ok=True)  # a killed unit's folder is swept with the run's temporaries
            staging = tempfile.mkdtemp(prefix=f".{context.unit}.", suffix=TMP_SUFFIX, dir=root)
        else:
            _sweep_orphaned_staging()
            staging = tempfile.mkdtemp(prefix=f"{_LOCAL_STAGING}{os.getpid()}-")
        self.roll = _ShardRoll(Path(staging), context.unit, self.dtype, self.config.shard_bytes)

    def process(self, batch: pa.Table) -> StageResult:
        ids = self.tokenizer.encode_batch(batch.column("text").to_pylist())
        rows = batch.select(["source", "kind", "lang", "code_lang"]).to_pylist()
        eod = np.array([self.tokenizer.eod_id], dtype=self.dtype)
        limit = self.config.max_document_tokens
        reasons: list[str | None] = []
        counts: list[int] = []
        split = 0
        for tokens, row in zip(ids, rows, strict=True):
            document = np.concatenate([tokens, eod])
            if document.size > limit and self.config.long_documents == "drop":
                reasons.append("too_many_tokens")
                counts.append(0)
                continue
            pieces = [document[i : i + limit] for i in range(0, document.size, limit)]
            split += len(pieces) > 1
            self.roll.add(pieces, row)
            reasons.append(None)
            counts.append(document.size)
        return StageResult(
            batch,
            drop_reasons=pa.array(reasons, pa.string()),
            counters={"split_documents": split} if split else {},
            measures={"tokens": pa.array(counts, pa.int64())},
        )

    def end_unit(self) -> dict[str, Any]:
        shards = self.roll.close()
        fs, root = fsspec.core.url_to_fs(self.target)
        local = fs.protocol in ("file", ("file", "local"))
        for shard in shards:
            for suffix in ("bin", "idx"):  # .idx last: a .bin without .idx is no shard
                staged = str(self.roll.staging / f"{shard.name}.{suffix}")
                final = posixpath.join(root, f"{shard.name}.{suffix}")
                os.replace(staged, final) if local else fs.put_file(staged, final)
        shutil.rmtree(self.roll.staging, ignore_errors=True)
        self.roll = None
        _remove_stale_shards(fs, root, self.context.unit, {shard.name for shard in shards})
        return {"shards": [vars(shard) for shard in shards], "fingerprint": self.context.fingerprint}

    def abort_unit(self) -> None:
        if self.roll is not None:
            self.roll.abort()
            shutil.rmtree(self.roll.staging, ignore_errors=True)
            self.roll = None

    # -- once per run ------------------------------------------------------------------------

    def prepare_finish(self) -> None:
        # The manifest needs the tokenizer's identity: a canonical JSON of the whole
        # vocabulary, about 0.6 s for 64k entries, computed while the workers encode.
        tokenizer, _ = load_for_shards(self.config.tokenizer, self.config.dtype)
        threading.Thread(target=lambda: tokenizer.identity, name="tokenizer-identity", daemon=True).start()

    def finish(self, run_url: str, units: list[dict[str, Any]]) -> None:
        tokenizer, dtype = load_for_shards(self.config.tokenizer, self.config.dtype)
        fim = tokenizer.fim_ids
        complete_fim = None not in (fim.prefix, fim.middle, fim.suffix)
        manifest = Manifest(
            dtype=str(dtype),
            tokenizer=TokenizerInfo(
                name=tokenizer.name, identity=tokenizer.identity, vocab_size=tokenizer.vocab_size,
                eod_id=tokenizer.eod_id, pad_id=tokenizer.pad_id,
                fim=FimTokens(fim.prefix, fim.middle, fim.suffix) if complete_fim else None,
            ),
            config_fingerprint=units[0]["fingerprint"] if units else "",
            shards=[ShardInfo(**shard) for unit in units for shard in unit["shards"]],
        )
        fs, root = fsspec.core.url_to_fs(posixpath.join(run_url, self.config.output_dir))
        fs.makedirs(root, exist_ok=True)
        # Megatron resolves --data-path prefixes against its working directory: absolute
        # prefixes for a local run, names relative to the shard set for object storage.
        base = root if fs.protocol in ("file", ("file", "local")) else ""
        write_atomic(fs, posixpath.join(root, TOKENIZER_FILE), tokenizer.canonical)
        write_atomic(fs, posixpath.join(root, BLEND_FILE), blend_lines(self.config.weights, manifest.shards, base).encode())
        write_atomic(fs, posixpath.join(root, MANIFEST), manifest.to_json().encode())  # last: marks completeness
