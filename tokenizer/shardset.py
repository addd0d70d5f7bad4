"""Checking a shard set as a whole: manifest, checksums, index consistency, ids, tokenizer."""

from __future__ import annotations

import posixpath

import fsspec

from polycorpus.tokenizer.indexed import IndexedDataset, dtype_for_vocab, verify
from polycorpus.tokenizer.load import TokenizerFileError, load_tokenizer
from polycorpus.tokenizer.manifest import MANIFEST, Manifest, ShardInfo, sha256_of


def read_manifest(directory: str) -> Manifest:
    fs, root = fsspec.core.url_to_fs(directory)
    path = posixpath.join(root, MANIFEST)
    if not fs.exists(path):
        raise FileNotFoundError(f"{directory}: no {MANIFEST} (not a shard set, or its run is not finished)")
    with fs.open(path, "r") as handle:
        return Manifest.from_json(handle.read())


def verify_shard_set(directory: str) -> list[str]:
    """Every problem found, as readable lines; an empty list means the set is sound."""
    try:
        manifest = read_manifest(directory)
    except (FileNotFoundError, ValueError, KeyError, TypeError) as exc:
        return [str(exc)]
    fs, root = fsspec.core.url_to_fs(directory)
    problems = []
    vocab = manifest.tokenizer.vocab_size
    if manifest.dtype != str(dtype_for_vocab(vocab)):
        problems.append(f"dtype {manifest.dtype} does not match a vocabulary of {vocab} ids")
    tokenizer_path = posixpath.join(root, manifest.tokenizer.file)
    if fs.exists(tokenizer_path) and fs.protocol in ("file", ("file", "local")):
        try:
            identity = load_tokenizer(tokenizer_path).identity
        except TokenizerFileError as exc:
            problems.append(str(exc))
        else:
            if identity != manifest.tokenizer.identity:
                problems.append(f"{manifest.tokenizer.file}: identity {identity[:12]} differs from the manifest's")
    elif not fs.exists(tokenizer_path):
        problems.append(f"{manifest.tokenizer.file} is missing")
    for shard in manifest.shards:
        prefix = posixpath.join(root, shard.name)
        problems += shard_checksum_problems(fs, root, shard)
        if fs.protocol in ("file", ("file", "local")) and all(fs.exists(f"{prefix}.{s}") for s in ("bin", "idx")):
            found = verify(prefix, vocab_size=vocab)
            problems += [f"{shard.name}: {p}" for p in found]
            if not found and IndexedDataset(prefix).num_tokens != shard.tokens:
                problems.append(f"{shard.name}: holds a different number of tokens than the manifest says")
    return problems


def shard_checksum_problems(fs: fsspec.AbstractFileSystem, root: str, shard: ShardInfo) -> list[str]:
    """A shard's files against the sha256 the manifest recorded for them."""
    problems = []
    for suffix in ("bin", "idx"):
        path = posixpath.join(root, f"{shard.name}.{suffix}")
        if not fs.exists(path):
            problems.append(f"{shard.name}.{suffix} is missing")
            continue
        with fs.open(path, "rb") as handle:
            if sha256_of(handle) != shard.sha256[suffix]:
                problems.append(f"{shard.name}.{suffix}: sha256 differs from the manifest (corrupted or replaced)")
    return problems
