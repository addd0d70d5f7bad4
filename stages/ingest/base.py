"""What every input reader shares: the file it reads, its options and its tally.

A reader turns one input file into document batches (``pyarrow.Table`` in the document
schema) and accounts for every record it saw: kept as a document, or skipped with a reason.
A file that is not of its format at all raises :class:`InputFormatError`, which fails that
unit (with the file named) without touching the others.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from polycorpus.stages.ingest.config import IngestOptions, InputFile
from polycorpus.stages.schema import document_id


class InputFormatError(Exception):
    """The file cannot be read as the format it claims (the unit fails, the run goes on)."""


@dataclass
class Tally:
    """Exact counts of what a reader saw and why it skipped what it skipped."""

    records: int = 0
    record_bytes: int = 0
    skipped: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    #: Events that change no count of documents (``duplicate_ids``: ids made unique).
    counters: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def saw(self, n_bytes: int, count: int = 1) -> None:
        self.records += count
        self.record_bytes += n_bytes

    def skip(self, reason: str, n_bytes: int = 0, count: int = 1) -> None:
        entry = self.skipped[reason]
        entry[0] += count
        entry[1] += n_bytes


def valid_utf8(text: str) -> str:
    """Replace lone surrogates (from JSON escapes or bad decoders) so Arrow accepts the text.

    Round-tripping through UTF-16 keeps properly paired surrogates as the character they
    encode and turns only the unpaired ones into U+FFFD.
    """
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


class Reader(Protocol):
    def __call__(
        self, file: InputFile, options: IngestOptions, tally: Tally
    ) -> Iterator[pa.Table]: ...


def unique_ids(batches: Iterator[pa.Table], tally: Tally) -> Iterator[pa.Table]:
    """The batches of one unit with ids unique within it.

    A reader's id names a document's place, but a place can repeat: a jsonl whose id field
    repeats, a Stack file that lists the same file twice. The second and later rows of an id
    get ``document_id(id, "#n")`` (still stable across runs) and are counted as
    ``duplicate_ids``. Remembers 8 bytes of each id (about 50 MB per million rows) and
    checks a batch with no repeat, the usual case, at set speed.
    """
    seen: set[int] = set()
    for batch in batches:
        keys = _id_prefixes(batch.column("id"))
        if len(set(keys)) == len(keys) and seen.isdisjoint(keys):
            seen.update(keys)
            yield batch
            continue
        ids = batch.column("id").to_pylist()
        for row, doc_id in enumerate(ids):
            key, n = keys[row], 0
            while key in seen:
                n += 1
                doc_id = document_id(ids[row], f"#{n}")
                key = int(doc_id[:16], 16)
            if n:
                ids[row] = doc_id
                tally.counters["duplicate_ids"] += 1
            seen.add(key)
        yield batch.set_column(batch.schema.get_field_index("id"), "id", pa.array(ids, pa.string()))


_HEX = np.full(256, 0, dtype=np.uint64)
_HEX[np.frombuffer(b"0123456789abcdef", dtype=np.uint8)] = np.arange(16, dtype=np.uint64)
_NIBBLE_WEIGHTS = np.uint64(16) ** np.arange(15, -1, -1, dtype=np.uint64)


def _id_prefixes(ids: pa.ChunkedArray) -> list[int]:
    """The first 16 hex digits of each id as an integer, vectorised when every id is the
    32-digit lower-case hex of :func:`document_id`."""
    flat = ids.combine_chunks()
    lengths = pc.min_max(pc.binary_length(flat)).as_py()
    if flat.null_count or lengths != {"min": 32, "max": 32}:
        return [int(doc_id[:16], 16) for doc_id in flat.to_pylist()]
    data = np.frombuffer(flat.buffers()[2], dtype=np.uint8)
    start = np.frombuffer(flat.buffers()[1], dtype=np.int32)[flat.offset]
    digits = data[start : start + 32 * len(flat)].reshape(-1, 32)[:, :16]
    return (_HEX[digits] * _NIBBLE_WEIGHTS).sum(axis=1, dtype=np.uint64).tolist()
