"""Readers for record-shaped inputs: jsonl (optionally compressed), Parquet, and local
Hugging Face ``datasets`` directories. All three funnel row dicts through one converter, so
field handling, ids and drop reasons are identical whatever the container.
"""

from __future__ import annotations

import json
import lzma
import zlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import fsspec
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from polycorpus.stages.ingest.base import InputFormatError, Tally, valid_utf8
from polycorpus.stages.ingest.config import IngestOptions, InputFile
from polycorpus.stages.schema import document_id, documents_table

# Row fields copied into document columns of the same name rather than into ``meta``.
_PASSTHROUGH = ("url", "path", "repo", "license", "lang", "code_lang")


def _document(
    row: Mapping[str, Any], locator: str, n_bytes: int, file: InputFile, tally: Tally
) -> dict[str, Any] | None:
    """One row as a document, or None after counting why it was skipped."""
    text = row.get(file.text_field)
    if not isinstance(text, str):
        tally.skip("missing_text_field" if text is None else "text_not_a_string", n_bytes)
        return None
    if not text.strip():
        tally.skip("empty_text", n_bytes)
        return None
    if file.id_field is not None and row.get(file.id_field) is not None:
        locator = f"{file.relpath}:{file.id_field}={row[file.id_field]}"  # the same key in two files: two ids
    meta = {
        k: v for k, v in row.items() if k != file.text_field and k not in _PASSTHROUGH and v is not None
    }
    doc = {
        "id": document_id(file.source, locator),
        "text": valid_utf8(text),
        "source": file.source,
        "kind": file.kind,
        "priority": file.priority,
        "meta": json.loads(valid_utf8(json.dumps(meta, ensure_ascii=False, default=str))) or None,
    }
    for name in _PASSTHROUGH:
        if isinstance(row.get(name), str):
            doc[name] = valid_utf8(row[name])
    return doc


def _batched(
    rows: Iterable[tuple[str, int, Mapping[str, Any]]],
    file: InputFile,
    options: IngestOptions,
    tally: Tally,
) -> Iterator[pa.Table]:
    """Convert (locator, size, row) triples into document batches of ``batch_size``."""
    docs: list[dict[str, Any]] = []
    for locator, n_bytes, row in rows:
        tally.saw(n_bytes)
        doc = _document(row, locator, n_bytes, file, tally)
        if doc is not None:
            docs.append(doc)
            if len(docs) == options.batch_size:
                yield documents_table(docs)
                docs = []
    if docs:
        yield documents_table(docs)


def _jsonl_rows(file: InputFile, tally: Tally) -> Iterator[tuple[str, int, Mapping[str, Any]]]:
    """Rows of a jsonl file; a line that is not a JSON object is counted, never fatal.

    A compressed stream that breaks (truncated or corrupt) ends the rows there: everything
    read before the break is kept, the rest counts as one ``corrupt`` record. A stream that
    breaks before its first line is not a jsonl file at all.
    """
    with fsspec.open(file.url, "rb", compression="infer") as handle:
        lines = iter(handle)
        line_no = 0
        while True:
            try:
                line = next(lines)
            except StopIteration:
                return
            except (EOFError, OSError, zlib.error, lzma.LZMAError) as exc:
                if tally.records == 0:
                    raise InputFormatError(f"{file.url}: not a readable jsonl file ({exc})") from exc
                tally.saw(0)
                tally.skip("corrupt", 0)
                return
            line_no += 1
            if line.strip():
                row = _json_object(line, tally)
                if row is not None:
                    yield f"{file.relpath}#{line_no}", len(line), row


def _json_object(line: bytes, tally: Tally) -> Mapping[str, Any] | None:
    """The JSON object on one line, or None after counting why the line is not one.

    ``ValueError`` covers malformed JSON and integers past Python's digit limit;
    ``RecursionError`` covers arrays nested deeper than the decoder's stack.
    """
    try:
        row = json.loads(line)
    except (ValueError, RecursionError):
        reason = "bad_json_line"
    else:
        if isinstance(row, dict):
            return row
        reason = "not_an_object"
    tally.saw(len(line))
    tally.skip(reason, len(line))
    return None


def read_jsonl(file: InputFile, options: IngestOptions, tally: Tally) -> Iterator[pa.Table]:
    yield from _batched(_jsonl_rows(file, tally), file, options, tally)


def _table_rows(
    batches: Iterable[tuple[int, pa.RecordBatch]], prefix: str
) -> Iterator[tuple[str, int, Mapping[str, Any]]]:
    """(locator, size, row) of (position of first row, batch) pairs."""
    for position, batch in batches:
        sizes = [0] * batch.num_rows
        for column in batch.columns:
            if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
                lengths = pc.binary_length(column).fill_null(0).to_pylist()
                sizes = [a + b for a, b in zip(sizes, lengths, strict=True)]
        for offset, (row, size) in enumerate(zip(batch.to_pylist(), sizes, strict=True)):
            yield f"{prefix}#{position + offset}", size, row


def _positioned(batches: Iterable[pa.RecordBatch]) -> Iterator[tuple[int, pa.RecordBatch]]:
    position = 0
    for batch in batches:
        yield position, batch
        position += batch.num_rows


def open_parquet(handle: Any, url: str) -> pq.ParquetFile:
    """A Parquet file by its footer; a file without a readable one is no Parquet file."""
    try:
        return pq.ParquetFile(handle)
    except (pa.ArrowException, OSError) as exc:
        raise InputFormatError(f"{url}: not a readable Parquet file ({exc})") from exc


def intact_batches(
    parquet: pq.ParquetFile, batch_size: int, tally: Tally, columns: list[str] | None = None
) -> Iterator[tuple[int, pa.RecordBatch]]:
    """(position of first row, batch), one row group at a time. Row groups are independent,
    so a damaged one costs only its own unread rows, counted as ``corrupt`` (their number
    is in the footer), and positions stay those of the intact file."""
    start = 0
    for group in range(parquet.metadata.num_row_groups):
        rows = parquet.metadata.row_group(group).num_rows
        read = 0
        try:
            for batch in parquet.iter_batches(batch_size=batch_size, row_groups=[group], columns=columns):
                yield start + read, batch
                read += batch.num_rows
        except (pa.ArrowException, OSError):
            tally.saw(0, rows - read)
            tally.skip("corrupt", 0, rows - read)
        start += rows


def read_parquet(file: InputFile, options: IngestOptions, tally: Tally) -> Iterator[pa.Table]:
    fs, path = fsspec.core.url_to_fs(file.url)
    if fs.size(path) == 0:
        return
    with fs.open(path, "rb") as handle:
        parquet = open_parquet(handle, file.url)
        if file.text_field not in parquet.schema_arrow.names:
            raise InputFormatError(
                f"{file.url}: no column {file.text_field!r} (columns: "
                f"{', '.join(parquet.schema_arrow.names)}); set text_field in the config"
            )
        batches = intact_batches(parquet, options.batch_size, tally)
        yield from _batched(_table_rows(batches, file.relpath), file, options, tally)


def read_hf(file: InputFile, options: IngestOptions, tally: Tally) -> Iterator[pa.Table]:
    """A directory written by ``datasets``' ``save_to_disk`` (a Dataset or a DatasetDict)."""
    import datasets

    try:
        loaded = datasets.load_from_disk(file.url)
    except (FileNotFoundError, ValueError) as exc:
        raise InputFormatError(f"{file.url}: not a Hugging Face datasets directory ({exc})") from exc
    splits = loaded.items() if isinstance(loaded, datasets.DatasetDict) else [("", loaded)]
    for split, dataset in splits:
        arrow = dataset.with_format("arrow")
        batches = (
            record_batch
            for table in arrow.iter(batch_size=options.batch_size)
            for record_batch in table.to_batches()
        )
        prefix = f"{file.relpath}/{split}" if split else file.relpath
        yield from _batched(_table_rows(_positioned(batches), prefix), file, options, tally)

