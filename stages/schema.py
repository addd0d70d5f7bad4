"""The document schema: the one place that says what a document row looks like.

Every stage receives and returns ``pyarrow.Table`` batches with (at least) these columns, in
this order. Readers build rows with :func:`documents_table`, which fills absent optional
columns with nulls so that every unit's Parquet file has the identical schema (a dataset of
files with drifting schemas is the classic way to break ``datasets.load_dataset``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa
import xxhash

KINDS = ("web", "code", "text")

DOCUMENT_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("priority", pa.int32(), nullable=False),
        pa.field("url", pa.string()),
        pa.field("path", pa.string()),
        pa.field("lang", pa.string()),
        pa.field("lang_score", pa.float32()),
        pa.field("code_lang", pa.string()),
        pa.field("repo", pa.string()),
        pa.field("license", pa.string()),
        pa.field("meta", pa.string()),
    ]
)

#: Columns a rejected-documents file carries in addition to the document columns.
REJECT_FIELDS = [pa.field("drop_stage", pa.string()), pa.field("drop_reason", pa.string())]


def document_id(source: str, locator: str) -> str:
    """A stable 128-bit id from where a document came from, never from run order.

    ``locator`` names the document's place inside its source (a WARC record id, a path and
    line number, a repository path and content hash). Hashing the pair keeps ids short,
    uniform and identical across reruns and worker counts.
    """
    return xxhash.xxh3_128_hexdigest(f"{source}\x00{locator}".encode("utf-8", "surrogatepass"))


def documents_table(rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """Build a batch in :data:`DOCUMENT_SCHEMA` from row dicts; ``meta`` may be a dict."""
    columns: dict[str, list[Any]] = {name: [] for name in DOCUMENT_SCHEMA.names}
    for row in rows:
        for name, values in columns.items():
            value = row.get(name)
            if name == "meta" and value is not None and not isinstance(value, str):
                value = json.dumps(value, ensure_ascii=False, sort_keys=True)
            values.append(value)
    return pa.table(columns, schema=DOCUMENT_SCHEMA)


def empty_documents() -> pa.Table:
    return DOCUMENT_SCHEMA.empty_table()


def conform(table: pa.Table) -> pa.Table:
    """Reorder and cast a stage's output to the document schema, keeping extra columns last.

    Stages may add annotation columns (measurements, top-k languages); the core columns keep
    their place and type so downstream stages and readers can rely on them.
    """
    extra = [name for name in table.column_names if name not in DOCUMENT_SCHEMA.names]
    core = [table.column(f.name).cast(f.type) for f in DOCUMENT_SCHEMA]
    fields = list(DOCUMENT_SCHEMA) + [table.schema.field(name) for name in extra]
    return pa.Table.from_arrays(core + [table.column(n) for n in extra], schema=pa.schema(fields))
