"""MinHash signatures and LSH band keys, and the Measure stage that writes them per unit.

Signatures come from datasketch (pinned 2.0.0) with the scheme and the shingle hash passed
explicitly (``affine32`` over xxh32), computed in bulk. Each band of ``rows`` hash values is
reduced to one 64-bit key (xxh3 of its bytes). A document's ``node`` is a 29-byte key whose
byte order is the keep order: first the origin (0 = an earlier run's index, 1 = this run),
then the priority (higher first), then the id, then a hash of the row's place (unit and
ordinal). The smallest node of a cluster is the copy kept, so the choice needs no further
lookups and is the same on every machine; and because the place is part of it, two rows
that share an id (the same repository ingested twice, a jsonl whose id field repeats) are
two nodes, judged apart. Decisions name rows by unit and ordinal for the same reason.
"""

from __future__ import annotations

import posixpath
import struct
from typing import Any

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
import xxhash

from polycorpus.stages.base import Resources, Stage, StageResult, UnitContext
from polycorpus.stages.dedup.config import DedupConfig, MinHashParams
from polycorpus.stages.dedup.shingles import exact_key, shingles

NODE_BYTES = 29
#: Where a node holds the document id (the cluster a duplicate belongs to is named by it).
ID_BYTES = slice(5, 21)
NEW, OLD = b"\x01", b"\x00"


def node_key(priority: int, doc_id: str, place: bytes = bytes(8), origin: bytes = NEW) -> bytes:
    """Sorts by origin, then priority descending, then id ascending, then place."""
    return origin + struct.pack(">I", (0x7FFFFFFF - priority) & 0xFFFFFFFF) + bytes.fromhex(doc_id) + place


def row_place(unit: str, row: int) -> bytes:
    """Eight bytes that tell a row from every other row of the run."""
    return xxhash.xxh3_64_digest(f"{unit}\0{row}".encode())


def url_key(url: str | None) -> int | None:
    return None if not url else xxhash.xxh3_64_intdigest(url.strip().encode("utf-8", "surrogatepass"))


def signature_schema(params: MinHashParams | None, verify: bool) -> pa.Schema:
    fields = [pa.field("node", pa.binary(NODE_BYTES)), pa.field("id", pa.string()), pa.field("row", pa.int64()),
              pa.field("exact", pa.binary(16)), pa.field("url", pa.uint64())]
    if params is not None:
        fields.append(pa.field("bands", pa.list_(pa.uint64(), params.bands)))
        if verify:
            fields.append(pa.field("shingles", pa.list_(pa.uint32())))
    return pa.schema(fields)


def band_keys(shingle_sets: list[list[bytes]], params: MinHashParams) -> list[list[int] | None]:
    """LSH band keys per document; None for a document without shingles (never a candidate)."""
    from datasketch import MinHash  # scipy comes with it: import where signatures are made

    present = [s for s in shingle_sets if s]
    signatures = MinHash.bulk(present, num_perm=params.num_perm, seed=params.seed,
                              hashfunc=xxhash.xxh32_intdigest, scheme="affine32")
    width = params.rows * 8
    keys: list[list[int] | None] = []
    hashes = iter(signatures)
    for shingle_set in shingle_sets:
        if not shingle_set:
            keys.append(None)
            continue
        raw = next(hashes).hashvalues[: params.bands * params.rows].astype("<u8").tobytes()
        keys.append([xxhash.xxh3_64_intdigest(raw[b * width : (b + 1) * width]) for b in range(params.bands)])
    return keys


def signatures_table(batch: pa.Table, config: DedupConfig, params: MinHashParams | None, unit: str,
                     first_row: int) -> pa.Table:
    """Signatures of a batch whose first row is row ``first_row`` of ``unit``."""
    texts = batch.column("text").to_pylist()
    rows = range(first_row, first_row + batch.num_rows)
    columns: dict[str, Any] = {
        "node": [node_key(p, i, row_place(unit, r)) for p, i, r
                 in zip(batch.column("priority").to_pylist(), batch.column("id").to_pylist(), rows, strict=True)],
        "id": batch.column("id"),
        "row": pa.array(rows, pa.int64()),
        "exact": [exact_key(t) for t in texts],
        "url": [url_key(u) if k == "web" else None
                for u, k in zip(batch.column("url").to_pylist(), batch.column("kind").to_pylist(), strict=True)]
        if config.url else pa.nulls(batch.num_rows, pa.uint64()),
    }
    if params is not None:
        kinds, langs = batch.column("kind").to_pylist(), batch.column("lang").to_pylist()
        sets = [shingles(t, k, lang, params) for t, k, lang in zip(texts, kinds, langs, strict=True)]
        columns["bands"] = band_keys(sets, params)
        if params.verify:
            columns["shingles"] = [sorted({xxhash.xxh32_intdigest(s) for s in shingle_set}) for shingle_set in sets]
    return pa.table(columns, schema=signature_schema(params, params is not None and params.verify))


def signatures_dir(run_url: str) -> str:
    return posixpath.join(run_url, "dedup", "signatures")


class DedupSignatures(Stage[DedupConfig]):
    """Measure: per unit, the keys the global step groups by (keeps every document)."""

    name = "dedup-signatures"
    Config = DedupConfig
    resources = Resources(num_cpus=1)

    def setup(self) -> None:
        self.params = self.config.minhash.resolve() if self.config.minhash is not None else None
        self.schema = signature_schema(self.params, self.params is not None and self.params.verify)

    def begin_unit(self, context: UnitContext) -> None:
        """Stream the unit's signatures (about 150 bytes a document) to a hidden file."""
        self.fs, root = fsspec.core.url_to_fs(signatures_dir(context.run_url))
        self.fs.makedirs(root, exist_ok=True)
        self.path = posixpath.join(root, f"{context.unit}.parquet")
        self.tmp = posixpath.join(root, f".{context.unit}.parquet.tmp")
        self.handle = self.fs.open(self.tmp, "wb")
        self.writer = pq.ParquetWriter(self.handle, self.schema, compression="zstd")
        self.unit = context.unit
        self.count = 0

    def process(self, batch: pa.Table) -> StageResult:
        table = signatures_table(batch, self.config, self.params, self.unit, self.count)
        self.writer.write_table(table)
        self.count += table.num_rows
        return StageResult(batch)

    def end_unit(self) -> dict[str, Any]:
        self.writer.close()
        self.handle.close()
        self.fs.mv(self.tmp, self.path)
        return {"signatures": self.count}

    def abort_unit(self) -> None:
        self.writer.close()
        self.handle.close()
        if self.fs.exists(self.tmp):
            self.fs.rm(self.tmp)
