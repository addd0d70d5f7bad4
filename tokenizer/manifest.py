"""The manifest of a shard set: what a directory of Megatron shards holds and how to trust it.

A shard set is a directory (local or fsspec URL) with ``manifest.json``, the shards
(``<name>.bin`` + ``<name>.idx``), a copy of the tokenizer (``tokenizer.json``) and a Megatron
blend file (``blend.txt``). The manifest is written by the ``tokenize`` stage and read by
``polycorpus shards verify`` and the streaming loader. Shape::

    {"format": "megatron-indexed-v1",
     "dtype": "uint16" | "int32",
     "tokenizer": {"name", "identity", "vocab_size", "eod_id", "pad_id",
                   "fim": {"prefix", "middle", "suffix"} | null, "file": "tokenizer.json"},
     "config_fingerprint": str,
     "shards": [{"name", "kind", "source", "documents", "tokens", "bin_bytes", "idx_bytes",
                 "sha256": {"bin", "idx"}, "langs": {lang: {"documents", "tokens"}},
                 "code_langs": {...}}],
     "totals": {"shards", "documents", "tokens", "by_source": {s: {"documents", "tokens"}},
                "by_lang": {...}, "by_code_lang": {...}}}

A shard holds documents of a single input unit, hence of one source and one ``kind``: the
loader applies fill-in-the-middle to shards whose kind is ``code``.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import IO, Any

MANIFEST = "manifest.json"
TOKENIZER_FILE = "tokenizer.json"
BLEND_FILE = "blend.txt"
FORMAT = "megatron-indexed-v1"


@dataclass(frozen=True)
class FimTokens:
    prefix: int
    middle: int
    suffix: int


@dataclass(frozen=True)
class TokenizerInfo:
    name: str
    identity: str
    vocab_size: int
    eod_id: int
    pad_id: int | None
    fim: FimTokens | None
    file: str = TOKENIZER_FILE


@dataclass
class ShardInfo:
    name: str
    kind: str
    source: str
    documents: int
    tokens: int
    bin_bytes: int
    idx_bytes: int
    sha256: dict[str, str]
    langs: dict[str, dict[str, int]] = field(default_factory=dict)
    code_langs: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass
class Manifest:
    dtype: str
    tokenizer: TokenizerInfo
    config_fingerprint: str
    shards: list[ShardInfo]
    format: str = FORMAT

    def totals(self) -> dict[str, Any]:
        out: dict[str, Any] = {"shards": len(self.shards), "documents": 0, "tokens": 0,
                               "by_source": {}, "by_lang": {}, "by_code_lang": {}}
        for shard in self.shards:
            out["documents"] += shard.documents
            out["tokens"] += shard.tokens
            _add(out["by_source"], shard.source, shard.documents, shard.tokens)
            for table, key in ((shard.langs, "by_lang"), (shard.code_langs, "by_code_lang")):
                for name, counts in table.items():
                    _add(out[key], name, counts["documents"], counts["tokens"])
        return out

    def to_json(self) -> str:
        payload = asdict(self)
        payload["totals"] = self.totals()
        return json.dumps(payload, indent=1, sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        raw = json.loads(text)
        if raw.get("format") != FORMAT:
            raise ValueError(f"not a polycorpus shard manifest (format {raw.get('format')!r})")
        tok = dict(raw["tokenizer"])
        tok["fim"] = FimTokens(**tok["fim"]) if tok.get("fim") else None
        return cls(
            dtype=raw["dtype"],
            tokenizer=TokenizerInfo(**tok),
            config_fingerprint=raw["config_fingerprint"],
            shards=[ShardInfo(**shard) for shard in raw["shards"]],
        )


def _add(table: dict[str, dict[str, int]], key: str, documents: int, tokens: int) -> None:
    entry = table.setdefault(key, {"documents": 0, "tokens": 0})
    entry["documents"] += documents
    entry["tokens"] += tokens


def sha256_of(handle: IO[bytes], chunk: int = 1 << 22) -> str:
    digest = hashlib.sha256()
    while block := handle.read(chunk):
        digest.update(block)
    return digest.hexdigest()


def blend_lines(weights: dict[str, float], shards: Iterable[ShardInfo], base: str = "") -> str:
    """A Megatron ``--data-path`` blend: ``weight prefix`` pairs, weights split by tokens.

    A source's weight is shared among its shards in proportion to their tokens, so the blend
    realises the per-source weights whatever the number of shards per source.
    """
    shards = list(shards)
    tokens_of: dict[str, int] = {}
    for shard in shards:
        tokens_of[shard.source] = tokens_of.get(shard.source, 0) + shard.tokens
    lines = []
    for shard in shards:
        if shard.tokens and tokens_of[shard.source]:
            weight = weights.get(shard.source, 1.0) * shard.tokens / tokens_of[shard.source]
            lines.append(f"{weight:.10g} {posixpath.join(base, shard.name)}")
    return "\n".join(lines) + "\n"
