"""The Stack-style Parquet reader: one row per source file, with its repository and licence.

The Stack (v1 and v2) and datasets built like it keep code as Parquet rows: the file's text
(``content``), its ``path``, its repository (``repo_name``, v1's ``max_stars_repo_name``) and
the repository's licences (a string, or a list such as v2's ``detected_licenses``). Column
names vary between releases, so each field takes the first column present among its known
names; text comes from the input's ``text_field`` when that column exists, else ``content``.
A licence list becomes an ``AND`` of its (known) SPDX ids, the cautious reading of "these
licences were found in the repository". Star counts and the dataset's own language label go
into ``meta``; a sidecar (``metadata:``) works as for repositories.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import fsspec
import pyarrow as pa

from polycorpus.stages.code import licensing
from polycorpus.stages.ingest.base import InputFormatError, Tally
from polycorpus.stages.ingest.code import code_document, repository_fields
from polycorpus.stages.ingest.config import IngestOptions, InputFile
from polycorpus.stages.ingest.records import intact_batches, open_parquet
from polycorpus.stages.schema import documents_table

FIELDS: dict[str, tuple[str, ...]] = {
    "path": ("path", "max_stars_repo_path", "file_path", "filepath"),
    "repo": ("repo_name", "repo", "max_stars_repo_name", "repository", "repository_name"),
    "license": ("license", "licenses", "detected_licenses", "max_stars_repo_licenses", "license_spdx"),
    "stars": ("stars", "max_stars_count", "star_events_count", "stargazers_count"),
    "language": ("language", "lang", "programming_language"),
}


def _license(value: Any) -> str | None:
    if isinstance(value, str):
        return licensing.normalize(value) or value
    if isinstance(value, list) and value:
        ids = sorted({licensing.normalize(str(v)) or str(v) for v in value}, key=str.lower)
        return " AND ".join(ids)
    return None


def read_stack(file: InputFile, options: IngestOptions, tally: Tally) -> Iterator[pa.Table]:
    fs, path = fsspec.core.url_to_fs(file.url)
    with fs.open(path, "rb") as handle:
        parquet = open_parquet(handle, file.url)
        names = parquet.schema_arrow.names
        text_column = file.text_field if file.text_field in names else "content"
        columns = {field: next((c for c in options if c in names), None) for field, options in FIELDS.items()}
        missing = [f for f in ("path", "repo") if columns[f] is None] + ([] if text_column in names else ["content"])
        if missing:
            raise InputFormatError(
                f"{file.url}: not a Stack-style Parquet file: no column for {', '.join(missing)} "
                f"(columns: {', '.join(names)})"
            )
        wanted = [text_column, *(c for c in columns.values() if c is not None)]
        sidecars: dict[str, tuple[int, dict[str, Any]]] = {}
        docs: list[dict[str, Any]] = []
        for _, batch in intact_batches(parquet, options.batch_size, tally, wanted):
            for row in batch.to_pylist():
                text = row[text_column]
                n_bytes = len(text.encode("utf-8", "surrogatepass")) if isinstance(text, str) else 0
                tally.saw(n_bytes)
                if not isinstance(text, str) or not text:
                    tally.skip("empty_file" if text == "" else "missing_text_field", n_bytes)
                    continue
                repo = str(row[columns["repo"]] or "")
                if repo not in sidecars:
                    sidecars[repo] = repository_fields(file, repo)
                priority, meta = sidecars[repo]
                extra = {**meta, **{field: row[columns[field]] for field in ("stars", "language")
                                    if columns[field] is not None and row[columns[field]] is not None}}
                license = _license(row[columns["license"]]) if columns["license"] else None
                docs.append(code_document(file, repo, str(row[columns["path"]] or ""), text, n_bytes,
                                          license, extra, priority))
                if len(docs) == options.batch_size:
                    yield documents_table(docs)
                    docs = []
        if docs:
            yield documents_table(docs)
