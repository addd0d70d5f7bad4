"""The code reader: one repository (directory, git repository or archive) -> code documents.

One document per text file, ``kind: code``, with its repository-relative ``path``, the
``repo`` name, the repository's licence (:func:`stages.code.licensing.repository_license`
over the root licence and metadata files, read before anything else) and, from the
optional sidecar, the repository's priority and stars. The id derives from the source, the
input's path, the repository, the path and a hash of the content, so it is stable across
runs and machines, changes when the file does, and differs between two inputs holding the
same repository.

Every entry is accounted for: binary files (a NUL byte or mostly control bytes in the first
8 KB), undecodable and empty files, files over ``ingest.max_record_bytes`` (never read),
and links, devices and submodules (never followed) are skipped with their reason. Language
identification and The Stack's file filters are stages (``code_language``,
``code_filter``), so that their decisions are counted and configurable like any other.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator, Mapping
from typing import Any

import pyarrow as pa
import xxhash

from polycorpus.stages.code import licensing
from polycorpus.stages.ingest.base import Tally, valid_utf8
from polycorpus.stages.ingest.charset import decode_text
from polycorpus.stages.ingest.config import IngestOptions, InputFile
from polycorpus.stages.ingest.repository import Member, open_repository
from polycorpus.stages.ingest.sidecar import repository_metadata
from polycorpus.stages.schema import document_id, documents_table

#: Bytes looked at to tell binary from text (git looks at the same amount for NUL bytes).
SNIFF_BYTES = 8000
_CONTROL = bytes(range(9)) + bytes(range(14, 32))
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def decode(data: bytes) -> tuple[str | None, str]:
    """(text, codec) of a file's bytes, or (None, skip reason) if it is not text."""
    if data.startswith(_UTF16_BOMS):
        text, codec = decode_text(data)
        return text, codec
    head = data[:SNIFF_BYTES]
    if b"\0" in head or (head and len(head) - len(head.translate(None, _CONTROL)) > len(head) // 10):
        return None, "binary"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, codec = decode_text(data)
        if text.count("\ufffd") > len(text) // 100:
            return None, "undecodable"
        return text, codec


def code_document(file: InputFile, repo: str, path: str, text: str, n_bytes: int,
                  license: str | None, meta: Mapping[str, Any], priority: int) -> dict[str, Any]:
    """A document row for one file of a repository (shared with the Stack parquet reader)."""
    text = valid_utf8(text)
    content_hash = xxhash.xxh3_64_hexdigest(text.encode("utf-8"))
    return {
        # The input's own path too: the same repository given twice (a folder and its
        # tarball) is two inputs, and ids are unique per run.
        "id": document_id(file.source, f"{file.relpath}:{repo}/{path}@{content_hash}"),
        "text": text,
        "source": file.source,
        "kind": "code",
        "priority": priority,
        "path": valid_utf8(path),
        "repo": valid_utf8(repo),
        "license": license,
        "meta": {"content_hash": content_hash, "bytes": n_bytes, **meta},
    }


def repository_fields(file: InputFile, repo: str) -> tuple[int, dict[str, Any]]:
    """(priority, meta fields) of a repository from the input's sidecar, if any."""
    if file.metadata is None:
        return file.priority, {}
    fields = dict(repository_metadata(file.metadata).get(repo, {}))
    return fields.pop("priority", file.priority), fields


def read_code(file: InputFile, options: IngestOptions, tally: Tally) -> Iterator[pa.Table]:
    repo = open_repository(file.url, options.archive, file.ref)
    try:
        listing = repo.members()
        for _path, reason in listing.skipped:
            tally.saw(0)
            tally.skip(reason, 0)
        license_files = [m for m in listing.members if licensing.wants(m.path) and m.size <= 1024 * 1024]
        texts = {m.path: text for m, data in repo.read(license_files) if (text := decode(data)[0]) is not None}
        license, license_file = licensing.repository_license(texts)
        priority, repo_meta = repository_fields(file, repo.name)
        meta = {**repo_meta, **({"license_file": license_file} if license_file else {}),
                **({"revision": repo.revision} if repo.revision else {})}
        readable: list[Member] = []
        for member in listing.members:
            if member.size > options.max_record_bytes:
                tally.saw(member.size)
                tally.skip("record_too_large", member.size)
            else:
                readable.append(member)
        docs: list[dict[str, Any]] = []
        for member, data in repo.read(readable):
            tally.saw(len(data))
            text, codec = decode(data)
            if text is None:
                tally.skip(codec, len(data))
                continue
            if not text:
                tally.skip("empty_file", 0)
                continue
            extra = meta if codec == "utf-8" else {**meta, "encoding": codec}
            docs.append(code_document(file, repo.name, member.path, text, len(data), license, extra, priority))
            if len(docs) == options.batch_size:
                yield documents_table(docs)
                docs = []
        if docs:
            yield documents_table(docs)
    finally:
        repo.close()
