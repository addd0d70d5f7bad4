"""Shard sets for the loader tests, written with the project's own writer and tokenizer."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from polycorpus.tokenizer.indexed import IndexedDataset
from polycorpus.tokenizer.load import LoadedTokenizer, load_tokenizer
from polycorpus.tokenizer.manifest import MANIFEST, Manifest
from polycorpus.tokenizer.shardwrite import ShardDocuments, write_shard_set

REPO = Path(__file__).resolve().parents[1]


def example_tokenizer() -> LoadedTokenizer:
    """The quickstart's 8000-token BPE (has <eod>, <pad> and the FIM tokens)."""
    return load_tokenizer(REPO / "examples" / "tokenizer")


def random_documents(count: int, seed: int, eod: int, low: int = 3, high: int = 80) -> list[np.ndarray]:
    """Documents of random ids >= 5 (never a special token), each ending in <eod>."""
    rng = np.random.default_rng(seed)
    return [np.append(rng.integers(5, 8000, rng.integers(low, high)), eod).astype(np.uint16)
            for _ in range(count)]


def make_set(directory: Path, shards: dict[str, tuple[str, str, int]], seed: int,
             tokenizer: LoadedTokenizer | None = None) -> Path:
    """A shard set with ``shards`` = name -> (source, kind, number of documents)."""
    tokenizer = tokenizer or example_tokenizer()
    write_shard_set(directory, {
        name: ShardDocuments(source, kind, random_documents(count, seed + i, tokenizer.eod_id))
        for i, (name, (source, kind, count)) in enumerate(shards.items())}, tokenizer)
    return directory


def set_tokens(directory: Path) -> np.ndarray:
    """The shard set's whole token stream (shards in manifest order)."""
    manifest = Manifest.from_json((directory / MANIFEST).read_text())
    return np.concatenate([np.concatenate([doc for doc in IndexedDataset(directory / s.name)])
                           for s in manifest.shards])
