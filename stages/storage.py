"""Atomic writes to any fsspec file system: the one way a file of a run comes into being.

A file is written under a hidden temporary name (``.NAME.<random>.tmp``) and renamed into
place only once it is whole, so a reader (or a resumed run) never sees half a file; a killed
writer leaves only ``*.tmp`` files, which the run directory sweeps on resume. Stages (sink
artifacts) and the orchestration layer (markers, statistics, reports) share it, which is why
it lives at the bottom of the import graph, with the document schema.
"""

from __future__ import annotations

import posixpath
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from fsspec import AbstractFileSystem

TMP_SUFFIX = ".tmp"


def tmp_name(path: str) -> str:
    """A hidden, unique temporary name beside ``path``."""
    head, tail = posixpath.split(path)
    return posixpath.join(head, f".{tail}.{uuid.uuid4().hex[:12]}{TMP_SUFFIX}")


@contextmanager
def atomic_open(fs: AbstractFileSystem, path: str, mode: str = "wb",
                **kwargs: Any) -> Iterator[IO[Any]]:
    """Write to a temporary file and rename it to ``path`` only if the block succeeds."""
    parent = posixpath.dirname(path)
    if parent:
        fs.makedirs(parent, exist_ok=True)
    tmp = tmp_name(path)
    try:
        with fs.open(tmp, mode, **kwargs) as handle:
            yield handle
        fs.mv(tmp, path)
    finally:
        if fs.exists(tmp):
            fs.rm(tmp)


def write_atomic(fs: AbstractFileSystem, path: str, data: bytes) -> None:
    with atomic_open(fs, path) as handle:
        handle.write(data)
