"""Documents for tokenizer training and evaluation: read from a run or from jsonl/Parquet.

Training and evaluation must not see the same documents, so every document falls into a
fixed split by a hash of its text: one in ten is held out (``heldout``), the rest may be used
for training (``train``). The split needs no state and is the same on every machine.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import fsspec
import pyarrow.parquet as pq
import xxhash

Split = Literal["train", "heldout", "all"]
HELDOUT_ONE_IN = 10


def split_of(text: str) -> Literal["train", "heldout"]:
    return "heldout" if xxhash.xxh3_64_intdigest(text.encode("utf-8", "replace")) % HELDOUT_ONE_IN == 0 else "train"


def _files(source: str) -> list[str]:
    """A run directory means its documents; otherwise a file or a glob of jsonl/Parquet."""
    fs, path = fsspec.core.url_to_fs(source)
    if fs.isdir(path) and fs.exists(f"{path}/documents"):
        return sorted(fs.glob(f"{path}/documents/*.parquet"))
    matches = sorted(fs.glob(path)) if any(c in path for c in "*?[") else [path]
    if not matches or not all(fs.isfile(m) for m in matches):
        raise FileNotFoundError(f"{source}: not a run directory, a jsonl/Parquet file or a glob of them")
    return matches


def iter_documents(sources: list[str], text_field: str = "text", split: Split = "all") -> Iterator[dict]:
    """Rows with ``text`` and, where known, ``lang`` and ``code_lang``."""
    for source in sources:
        fs, _ = fsspec.core.url_to_fs(source)
        for path in _files(source):
            for row in _rows(fs, path, text_field):
                text = row.get(text_field)
                if isinstance(text, str) and text and (split == "all" or split_of(text) == split):
                    yield {"text": text, "lang": row.get("lang"), "code_lang": row.get("code_lang")}


def _rows(fs: fsspec.AbstractFileSystem, path: str, text_field: str) -> Iterator[dict]:
    if Path(path).suffix == ".parquet":
        with fs.open(path, "rb") as handle:
            parquet = pq.ParquetFile(handle)
            wanted = [c for c in (text_field, "lang", "code_lang") if c in parquet.schema_arrow.names]
            for batch in parquet.iter_batches(columns=wanted):
                yield from batch.to_pylist()
        return
    with fs.open(path, "rb", compression="infer") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def group_of(doc: dict) -> str:
    """The group used to balance languages: the code language for code, else the language."""
    return doc.get("code_lang") or doc.get("lang") or "unknown"
