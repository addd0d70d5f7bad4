"""Tokenizer fertility: tokens per character and per word, per language and code language.

Words are whitespace-separated runs; for languages written without spaces (Chinese, Japanese,
Thai) tokens per character is the figure to read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from polycorpus.tokenizer.corpus import group_of
from polycorpus.tokenizer.load import LoadedTokenizer


@dataclass
class Fertility:
    documents: int = 0
    chars: int = 0
    words: int = 0
    tokens: int = 0

    @property
    def per_char(self) -> float:
        return self.tokens / self.chars if self.chars else 0.0

    @property
    def per_word(self) -> float:
        return self.tokens / self.words if self.words else 0.0


def fertility(tokenizer: LoadedTokenizer, docs: Iterable[dict], batch_size: int = 256) -> dict[str, Fertility]:
    """Per group (and ``"all"``): documents, characters, words and tokens."""
    table: dict[str, Fertility] = defaultdict(Fertility)
    batch: list[dict] = []

    def flush() -> None:
        for doc, ids in zip(batch, tokenizer.encode_batch([d["text"] for d in batch]), strict=True):
            for key in (group_of(doc), "all"):
                entry = table[key]
                entry.documents += 1
                entry.chars += len(doc["text"])
                entry.words += len(doc["text"].split())
                entry.tokens += int(ids.size)
        batch.clear()

    for doc in docs:
        batch.append(doc)
        if len(batch) == batch_size:
            flush()
    if batch:
        flush()
    return dict(table)
