"""Write a complete shard set (manifest + Megatron shards + tokenizer) in one call.

The ``tokenize`` stage writes shard sets at scale, unit by unit, on Ray. This helper writes
one from in-memory token arrays, for tests, benchmarks and small tools that need a real shard
set: the same layout (``tokenizer/manifest.py``) the stage produces and the loader reads.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from polycorpus.tokenizer.indexed import IndexedDatasetWriter, bin_path, index_path
from polycorpus.tokenizer.load import LoadedTokenizer
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


@dataclass
class ShardDocuments:
    """One shard's documents (token arrays, each already ending in ``<eod>`` when the caller
    wants a separator) with the shard's source and kind, as the stage groups them."""

    source: str
    kind: str
    documents: Iterable[np.ndarray]


def tokenizer_info(tokenizer: LoadedTokenizer) -> TokenizerInfo:
    """What a manifest records about a tokenizer; refuses one without an end-of-document
    token, since packed windows need a document separator."""
    if tokenizer.eod_id is None:
        raise ValueError(f"tokenizer {tokenizer.name!r} has no end-of-document token")
    fim = tokenizer.fim_ids
    complete = None not in (fim.prefix, fim.middle, fim.suffix)
    return TokenizerInfo(name=tokenizer.name, identity=tokenizer.identity,
                         vocab_size=tokenizer.vocab_size, eod_id=tokenizer.eod_id,
                         pad_id=tokenizer.pad_id,
                         fim=FimTokens(fim.prefix, fim.middle, fim.suffix) if complete else None)


def write_shard_set(directory: str | os.PathLike[str], shards: Mapping[str, ShardDocuments],
                    tokenizer: LoadedTokenizer, *, weights: Mapping[str, float] | None = None,
                    config_fingerprint: str = "") -> Manifest:
    """Write ``shards`` (shard name -> documents) into ``directory`` as a complete shard set.

    Each shard goes through ``IndexedDatasetWriter`` (atomic ``.bin``/``.idx``) and is hashed;
    ``manifest.json`` is written last, so a directory holding one is complete. ``weights``
    (per source) go into the Megatron blend file.
    """
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    infos = []
    for name, shard in shards.items():
        prefix = target / name
        with IndexedDatasetWriter(prefix, tokenizer.token_dtype) as writer:
            for tokens in shard.documents:
                writer.add_document(tokens)
            documents, tokens_total = writer.num_documents, writer.num_tokens
        sha = {}
        for suffix, path in (("bin", bin_path(prefix)), ("idx", index_path(prefix))):
            with open(path, "rb") as handle:
                sha[suffix] = sha256_of(handle)
        infos.append(ShardInfo(name=name, kind=shard.kind, source=shard.source,
                               documents=documents, tokens=tokens_total,
                               bin_bytes=bin_path(prefix).stat().st_size,
                               idx_bytes=index_path(prefix).stat().st_size, sha256=sha))
    fingerprint = config_fingerprint or hashlib.sha256(
        "".join(f"{info.name}:{info.sha256['bin']};" for info in infos).encode()).hexdigest()[:16]
    manifest = Manifest(dtype=str(tokenizer.token_dtype), tokenizer=tokenizer_info(tokenizer),
                        config_fingerprint=fingerprint, shards=infos)
    _write_atomic(target / TOKENIZER_FILE, tokenizer.canonical)
    _write_atomic(target / BLEND_FILE, blend_lines(dict(weights or {}), infos).encode())
    _write_atomic(target / MANIFEST, manifest.to_json().encode())
    return manifest


def _write_atomic(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
