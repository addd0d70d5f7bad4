"""jsonl / Parquet / Hugging Face readers: fields, ids, and every skipped row accounted for."""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from polycorpus.stages.ingest.base import InputFormatError, Tally
from polycorpus.stages.ingest.config import IngestOptions, InputFile
from polycorpus.stages.ingest.records import read_hf, read_jsonl, read_parquet
from polycorpus.stages.schema import DOCUMENT_SCHEMA


def _read(reader, path: Path, fmt: str, batch_size: int = 2, **fields) -> tuple[list[dict], Tally]:
    tally = Tally()
    file = InputFile(url=str(path), relpath=path.name, source="src", kind="text", format=fmt, **fields)
    batches = list(reader(file, IngestOptions(batch_size=batch_size), tally))
    for batch in batches:
        assert batch.schema.equals(DOCUMENT_SCHEMA)
        assert batch.num_rows <= batch_size
    rows = [row for batch in batches for row in batch.to_pylist()]
    skipped = sum(count for count, _ in tally.skipped.values())
    assert tally.records == len(rows) + skipped  # every record accounted for
    return rows, tally


def test_jsonl_rows_ids_meta_and_skips(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    lines = [json.dumps({"text": "first", "url": "https://a.example/1", "title": "T"}), "{not json",
             json.dumps({"body": "no text field"}), json.dumps([1, 2]), json.dumps({"text": "  "}),
             json.dumps({"text": 42}), "", json.dumps({"text": "lone \ud800 surrogate"}),
             json.dumps({"text": "third"})]
    path.write_text("\n".join(lines) + "\n")
    rows, tally = _read(read_jsonl, path, "jsonl")
    assert [r["text"] for r in rows] == ["first", "lone \ufffd surrogate", "third"]
    assert rows[0]["url"] == "https://a.example/1" and json.loads(rows[0]["meta"]) == {"title": "T"}
    assert {k: v[0] for k, v in tally.skipped.items()} == {
        "bad_json_line": 1, "missing_text_field": 1, "not_an_object": 1, "empty_text": 1, "text_not_a_string": 1}
    again, _ = _read(read_jsonl, path, "jsonl")
    assert [r["id"] for r in again] == [r["id"] for r in rows]  # stable across reads
    assert len({r["id"] for r in rows}) == 3


def test_jsonl_gz_and_id_field(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl.gz"
    with gzip.open(path, "wt") as handle:
        for i in range(5):
            handle.write(json.dumps({"doc": f"text {i}", "key": f"k{i}"}) + "\n")
    rows, _ = _read(read_jsonl, path, "jsonl", text_field="doc", id_field="key")
    assert [r["text"] for r in rows] == [f"text {i}" for i in range(5)]
    again, _ = _read(read_jsonl, path, "jsonl", text_field="doc", id_field="key")
    assert [r["id"] for r in again] == [r["id"] for r in rows]  # stable
    assert [json.loads(r["meta"])["key"] for r in rows] == [f"k{i}" for i in range(5)]  # the field is kept
    other = tmp_path / "other.jsonl.gz"
    other.write_bytes(path.read_bytes())
    rows_other, _ = _read(read_jsonl, other, "jsonl", text_field="doc", id_field="key")
    assert not {r["id"] for r in rows_other} & {r["id"] for r in rows}  # the same keys in two files: two ids


@pytest.mark.parametrize("batch_size", [2, 1000, 100_000])
def test_truncated_gzip_keeps_every_complete_line(tmp_path: Path, batch_size: int) -> None:
    """The batch being assembled when the stream breaks is kept, whatever the batch size."""
    path = tmp_path / "t.jsonl.gz"
    payload = gzip.compress("".join(json.dumps({"text": f"doc {i} " * 20}) + "\n" for i in range(5000)).encode())
    cut = payload[: len(payload) // 2]
    path.write_bytes(cut)
    readable = zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(cut)
    complete = readable.count(b"\n")
    assert 0 < complete < 5000
    rows, tally = _read(read_jsonl, path, "jsonl", batch_size=batch_size)
    assert [r["text"] for r in rows] == [f"doc {i} " * 20 for i in range(len(rows))]
    assert len(rows) == complete
    assert tally.skipped["corrupt"][0] == 1


def test_a_bad_line_is_counted_not_fatal(tmp_path: Path) -> None:
    """Lines json rejects for any reason (digit limit, nesting depth) cost only themselves."""
    path = tmp_path / "d.jsonl"
    good = [json.dumps({"text": f"good {i}"}) for i in range(1000)]
    hostile = ['{"text": "x", "n": ' + "9" * 5000 + "}", "[" * 100_000 + "]" * 100_000, b"\xff\xfe".decode("latin-1")]
    path.write_text("\n".join(good[:500] + hostile + good[500:]) + "\n", encoding="utf-8")
    rows, tally = _read(read_jsonl, path, "jsonl", batch_size=1000)
    assert len(rows) == 1000
    assert tally.skipped["bad_json_line"][0] == 3


def test_binary_file_named_jsonl_gz_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "b.jsonl.gz"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(InputFormatError, match="b.jsonl.gz"):
        _read(read_jsonl, path, "jsonl")


def test_parquet_text_field_and_passthrough(tmp_path: Path) -> None:
    path = tmp_path / "d.parquet"
    pq.write_table(pa.table({"content": ["a b", "c d", None], "repo": ["r/x", "r/y", "r/z"], "stars": [1, 2, 3]}), path)
    rows, tally = _read(read_parquet, path, "parquet", text_field="content")
    assert [(r["text"], r["repo"], json.loads(r["meta"])) for r in rows] == [("a b", "r/x", {"stars": 1}), ("c d", "r/y", {"stars": 2})]
    assert tally.skipped["missing_text_field"][0] == 1
    with pytest.raises(InputFormatError, match="no column 'text'"):
        _read(read_parquet, path, "parquet")
    (tmp_path / "empty.parquet").write_bytes(b"")
    assert _read(read_parquet, tmp_path / "empty.parquet", "parquet")[0] == []
    (tmp_path / "junk.parquet").write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(InputFormatError, match="junk.parquet"):
        _read(read_parquet, tmp_path / "junk.parquet", "parquet")


def test_hf_dataset_and_dataset_dict(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    ds = datasets.Dataset.from_dict({"text": ["one", "two", "three"], "label": [0, 1, 0]})
    ds.save_to_disk(str(tmp_path / "single"))
    rows, _ = _read(read_hf, tmp_path / "single", "hf")
    assert [r["text"] for r in rows] == ["one", "two", "three"]
    datasets.DatasetDict({"train": ds, "test": ds.select([0])}).save_to_disk(str(tmp_path / "dict"))
    rows, _ = _read(read_hf, tmp_path / "dict", "hf")
    assert len(rows) == 4 and len({r["id"] for r in rows}) == 4
    (tmp_path / "nothing").mkdir()
    with pytest.raises(InputFormatError, match="not a Hugging Face datasets directory"):
        _read(read_hf, tmp_path / "nothing", "hf")


def _damage_row_group(path: Path, group: int) -> None:
    data = bytearray(path.read_bytes())
    start = pq.ParquetFile(path).metadata.row_group(group).column(0).data_page_offset
    data[start + 20 : start + 120] = bytes(b ^ 0x5A for b in data[start + 20 : start + 120])
    path.write_bytes(bytes(data))


def test_a_damaged_parquet_row_group_costs_only_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "d.parquet"
    pq.write_table(pa.table({"text": [f"document {i} " * 10 for i in range(4000)]}), path, row_group_size=1000)
    intact, _ = _read(read_parquet, path, "parquet", batch_size=300)
    _damage_row_group(path, 2)
    rows, tally = _read(read_parquet, path, "parquet", batch_size=300)
    assert [r["id"] for r in rows] == [r["id"] for r in intact[:2000] + intact[3000:]]
    assert dict(tally.skipped) == {"corrupt": [1000, 0]}


def test_a_parquet_file_without_a_readable_footer_is_named(tmp_path: Path) -> None:
    path = tmp_path / "broken.parquet"
    pq.write_table(pa.table({"text": ["a", "b"]}), path)
    path.write_bytes(path.read_bytes()[:-12] + b"\0" * 12)
    with pytest.raises(InputFormatError, match="broken.parquet: not a readable Parquet file"):
        _read(read_parquet, path, "parquet")
