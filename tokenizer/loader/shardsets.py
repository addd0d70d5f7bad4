"""One shard set as the loader sees it: its manifest, its windows, and reads of their tokens.

A shard set's documents, shard after shard in manifest order, form one token stream (each
document already ends in ``<eod>``). Windows are ``seq_len + 1`` tokens:

- ``packed`` (Megatron style): window ``j`` is tokens ``[j * seq_len, j * seq_len + seq_len + 1)``
  of that stream, across document and shard boundaries; consecutive windows share one token,
  as inputs and shifted labels need. Only per-shard token counts are needed, never the index.
- ``document``: each document is cut into windows that start at its first token (a long
  document gives several, a short one is padded); a window never mixes documents. The window
  -> document map is a cumulative count per document, kept as a file in the cache directory
  and memory-mapped, so workers share it instead of each holding a copy.

Tokens are read with ``os.preadv`` straight into the batch buffer: no memory maps of the
``.bin`` files, so what a worker reads stays in the page cache instead of its own resident
set (which keeps the per-worker PSS flat however much data it touches).
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import fsspec
import numpy as np

from polycorpus.tokenizer.indexed import IndexedDataset
from polycorpus.tokenizer.loader.store import ShardStore, is_local
from polycorpus.tokenizer.manifest import MANIFEST, Manifest, ShardInfo

Mode = Literal["packed", "document"]


@dataclass(frozen=True)
class Source:
    """A shard set (local path or fsspec URL) and its mixture weight (None: by size)."""

    path: str
    weight: float | None = None


def read_manifest(url: str) -> Manifest:
    fs, root = fsspec.core.url_to_fs(url)
    path = posixpath.join(root, MANIFEST)
    try:
        with fs.open(path, "r") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise FileNotFoundError(f"{url}: no {MANIFEST} (not a shard set, or it is unfinished)") from None
    try:
        return Manifest.from_json(text)
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{url}/{MANIFEST}: unreadable manifest: {error}") from None


class ShardSet:
    """Windows of one shard set and the reads that fill them (module docstring)."""

    def __init__(self, url: str, store: ShardStore, seq_len: int, mode: Mode) -> None:
        self.url = url.rstrip("/")
        self.store = store
        self.seq_len = seq_len
        self.mode = mode
        self.manifest = read_manifest(self.url)
        self.dtype = np.dtype(self.manifest.dtype)
        self.shards: list[ShardInfo] = [s for s in self.manifest.shards if s.tokens > 0]
        if not self.shards:
            raise ValueError(f"{self.url}: the shard set holds no tokens")
        self.is_code = np.array([s.kind == "code" for s in self.shards])  # per shard: FIM applies
        self.token_starts = np.zeros(len(self.shards) + 1, dtype=np.int64)
        np.cumsum([s.tokens for s in self.shards], out=self.token_starts[1:])
        self._starts: list[int] = self.token_starts.tolist()
        self._code: list[bool] = self.is_code.tolist()
        self.itemsize = self.dtype.itemsize
        self._paths: list[Path | None] = [None] * len(self.shards)
        self._fds: dict[int, int] = {}
        if is_local(self.url):  # checksums on first open, before any worker starts
            for i in range(len(self.shards)):
                self._bin_path(i)
        if mode == "packed":
            self.num_windows = int(max(0, (self.token_starts[-1] - 1) // seq_len))
        elif mode == "document":
            self._open_document_index()
        else:
            raise ValueError(f"mode must be 'packed' or 'document', got {mode!r}")
        if self.num_windows == 0:
            raise ValueError(f"{self.url}: {int(self.token_starts[-1])} tokens make no window "
                             f"of {seq_len + 1} tokens")

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_fds"] = {}  # file descriptors are per process
        return state

    # -- files --------------------------------------------------------------------------------

    def _file(self, shard: int, suffix: str) -> Path:
        info = self.shards[shard]
        return self.store.local_path(f"{self.url}/{info.name}.{suffix}", info.sha256[suffix],
                                     getattr(info, f"{suffix}_bytes"))

    def _bin_path(self, shard: int) -> Path:
        path = self._paths[shard]
        if path is None:
            path = self._paths[shard] = self._file(shard, "bin")
        return path

    def _fd(self, shard: int) -> int:
        fd = self._fds.get(shard)
        if fd is None:
            fd = self._fds[shard] = os.open(self._bin_path(shard), os.O_RDONLY)
        return fd

    def _pread(self, shard: int, token: int, out: np.ndarray) -> None:
        got = os.preadv(self._fd(shard), [out], token * self.itemsize)
        if got != out.nbytes:
            raise OSError(f"{self.url}/{self.shards[shard].name}.bin: short read at token {token} "
                          f"({got} of {out.nbytes} bytes): the file changed after it was verified")

    # -- packed windows -----------------------------------------------------------------------

    def read_packed(self, window: int, out: np.ndarray) -> list[tuple[int, int, bool]]:
        """Fill ``out`` (seq_len + 1 tokens) with packed window ``window``; return the pieces
        ``(start, end, is_code)`` that came from each shard. Plain Python on the hot path:
        numpy's per-call cost on scalars would exceed the read itself."""
        starts = self._starts
        start = window * self.seq_len
        shard = bisect_right(starts, start) - 1
        size = out.size
        if start + size <= starts[shard + 1]:  # the window lies in one shard
            self._pread(shard, start - starts[shard], out)
            return [(0, size, self._code[shard])]
        filled, pieces = 0, []
        while filled < size:
            take = min(size - filled, starts[shard + 1] - start - filled)
            self._pread(shard, start + filled - starts[shard], out[filled: filled + take])
            pieces.append((filled, filled + take, self._code[shard]))
            filled += take
            shard += 1
        return pieces

    # -- document-aligned windows -------------------------------------------------------------

    def _open_document_index(self) -> None:
        self._indexes = [IndexedDataset(self._index_prefix(i)) for i in range(len(self.shards))]
        self.doc_starts = np.zeros(len(self.shards) + 1, dtype=np.int64)
        np.cumsum([len(index) for index in self._indexes], out=self.doc_starts[1:])
        self.window_starts = self._window_starts()
        self.num_windows = int(self.window_starts[-1])

    def _index_prefix(self, shard: int) -> Path:
        """A prefix with this shard's ``.idx`` and ``.bin`` side by side: the shard itself when
        local, links to the two cached files when remote (the cache names files by hash)."""
        idx, binary = self._file(shard, "idx"), self._bin_path(shard)
        if is_local(self.url):
            return idx.with_suffix("")
        prefix = self.store.cache_dir / "index-links" / self.shards[shard].sha256["idx"]
        prefix.parent.mkdir(parents=True, exist_ok=True)
        for target, suffix in ((idx, ".idx"), (binary, ".bin")):
            link = Path(f"{prefix}{suffix}")
            if not link.exists():
                temporary = Path(f"{prefix}.{os.getpid()}{suffix}.tmp")
                temporary.unlink(missing_ok=True)
                temporary.symlink_to(target)
                os.replace(temporary, link)
        return prefix

    def _window_starts(self) -> np.ndarray:
        """Cumulative windows per document (``len = documents + 1``), memory-mapped from the
        cache directory; built once per shard set and ``seq_len``."""
        key = hashlib.sha256(json.dumps(
            [self.seq_len, [s.sha256["idx"] for s in self.shards]]).encode()).hexdigest()[:24]
        path = self.store.cache_dir / "document-windows" / f"{key}.npy"
        if not path.is_file():
            starts = np.zeros(int(self.doc_starts[-1]) + 1, dtype=np.int64)
            lengths = np.concatenate([index.sequence_lengths for index in self._indexes])
            np.cumsum(np.maximum(0, -(-(lengths.astype(np.int64) - 1) // self.seq_len)),
                      out=starts[1:])
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            with open(temporary, "wb") as handle:
                np.save(handle, starts)
            os.replace(temporary, path)
        return np.load(path, mmap_mode="r")

    def read_document(self, window: int, out: np.ndarray, pad: int) -> tuple[int, bool]:
        """Fill ``out`` with document-aligned window ``window`` (padded with ``pad``); return
        the number of real tokens and whether the document is code."""
        document = int(np.searchsorted(self.window_starts, window, side="right")) - 1
        chunk = window - int(self.window_starts[document])
        shard = int(np.searchsorted(self.doc_starts, document, side="right")) - 1
        index = self._indexes[shard]
        local = document - int(self.doc_starts[shard])
        length = int(index.sequence_lengths[local])
        begin = chunk * self.seq_len
        take = min(out.size, length - begin)
        first = int(index.sequence_pointers[local]) // self.itemsize + begin
        self._pread(shard, first, out[:take])
        out[take:] = pad
        return take, self._code[shard]
