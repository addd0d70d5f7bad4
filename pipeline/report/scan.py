"""What the report reads from the documents themselves, where the statistics have no counts.

Code-language and licence mixes come from the small ``code_lang``, ``license`` and ``kind``
columns, read a batch at a time (never the text). Tokenizer fertility per language needs text
and a tokenizer, so it is measured on a bounded sample: at most ``per_group`` documents of each
language (or code language), and never more than ``max_chars`` characters read in all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.parquet as pq

from polycorpus.pipeline.rundir import RunDir
from polycorpus.tokenizer.corpus import group_of
from polycorpus.tokenizer.fertility import Fertility, fertility
from polycorpus.tokenizer.load import load_tokenizer

NO_LICENSE = "(none)"


@dataclass
class CodeMix:
    docs_by_code_lang: Counter[str] = field(default_factory=Counter)
    docs_by_license: Counter[str] = field(default_factory=Counter)  # code documents only


def _batches(run: RunDir, path: str, columns: list[str], batch_size: int = 65536) -> Iterator[pa.RecordBatch]:
    with run.fs.open(path, "rb") as handle:
        parquet = pq.ParquetFile(handle)
        present = [c for c in columns if c in parquet.schema_arrow.names]
        yield from parquet.iter_batches(columns=present, batch_size=batch_size)


def code_mix(run: RunDir, files: list[str]) -> CodeMix:
    """Documents per code language, and per licence among code documents (``kind`` code)."""
    mix = CodeMix()
    for path in files:
        for batch in _batches(run, path, ["kind", "code_lang", "license"]):
            table = pa.Table.from_batches([batch])
            if "code_lang" in table.column_names:
                for row in table.group_by("code_lang").aggregate([("code_lang", "count")]).to_pylist():
                    if row["code_lang"] is not None:
                        mix.docs_by_code_lang[row["code_lang"]] += row["code_lang_count"]
            if "kind" in table.column_names and "license" in table.column_names:
                code = table.filter(pa.compute.equal(table.column("kind"), "code"))
                for row in code.group_by("license").aggregate([("kind", "count")]).to_pylist():
                    mix.docs_by_license[row["license"] or NO_LICENSE] += row["kind_count"]
    return mix


@dataclass
class FertilitySample:
    by_group: dict[str, Fertility]
    documents: int
    truncated: bool  # the character budget ran out before every file was read


def sample_fertility(run: RunDir, files: list[str], tokenizer_path: str, per_group: int = 200,
                     max_chars: int = 2_000_000) -> FertilitySample:
    """Tokens per character and per word on the first documents of each group, in file order
    (deterministic: the same run always gives the same sample)."""
    taken: Counter[str] = Counter()
    docs: list[dict] = []
    chars = 0
    truncated = False
    for path in files:
        for batch in _batches(run, path, ["text", "lang", "code_lang"], batch_size=512):
            for row in batch.to_pylist():
                group = group_of(row)
                if taken[group] < per_group and row.get("text"):
                    taken[group] += 1
                    docs.append(row)
                chars += len(row.get("text") or "")
            if chars >= max_chars:
                truncated = True
                break
        if truncated:
            break
    by_group = fertility(load_tokenizer(tokenizer_path), docs) if docs else {}
    return FertilitySample(by_group, len(docs), truncated)
