"""Megatron-LM indexed datasets: the ``.bin`` + ``.idx`` token shard format.

The layout is the one megatron-core's ``megatron/core/datasets/indexed_dataset.py`` reads, so
Megatron-LM, NeMo and Yuan's training code load our shards unchanged:

``.idx`` (little endian)::

    magic            9 bytes  b"MMIDIDX\\x00\\x00"
    version          <Q       1
    dtype code       <B       Megatron's DType table (uint16 = 8, int32 = 4, ...)
    sequence count   <Q       n
    document count   <Q       d + 1 (the length of the document index array, not d)
    sequence lengths int32[n] tokens per sequence
    sequence ptrs    int64[n] byte offset of each sequence in .bin
    document index   int64[d + 1] sequence index where each document starts, then n

``.bin`` is the concatenation of every sequence's tokens in that dtype.

We write one sequence per document, which is what Megatron's ``preprocess_data.py`` does for
pretraining text; the reader and ``verify`` accept any valid file.
"""

from __future__ import annotations

import os
import struct
import tempfile
from array import array
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Self

import numpy as np
import numpy.typing as npt

MAGIC = b"MMIDIDX\x00\x00"
VERSION = 1
HEADER = struct.Struct("<9sQBQQ")  # magic, version, dtype code, sequence count, doc count
HEADER_SIZE = HEADER.size  # 34 bytes, megatron-core hard-codes the same offset

# megatron.core.datasets.indexed_dataset.DType, code -> numpy dtype.
DTYPE_CODES: dict[int, np.dtype] = {
    1: np.dtype(np.uint8),
    2: np.dtype(np.int8),
    3: np.dtype(np.int16),
    4: np.dtype(np.int32),
    5: np.dtype(np.int64),
    6: np.dtype(np.float64),
    7: np.dtype(np.float32),
    8: np.dtype(np.uint16),
}
CODE_OF_DTYPE: dict[np.dtype, int] = {dtype: code for code, dtype in DTYPE_CODES.items()}

INT32_MAX = int(np.iinfo(np.int32).max)
UINT16_VOCAB_LIMIT = 65500  # DESIGN.md decision 6: uint16 iff vocab size <= 65500
_SCAN_CHUNK_BYTES = 64 << 20  # verify() scans ids in bounded windows


class CorruptShardError(ValueError):
    """A ``.bin``/``.idx`` pair that is not a valid indexed dataset."""


class DocumentTooLongError(ValueError):
    """A document has more tokens than the int32 length field of the ``.idx`` can hold.

    The caller decides what to do (split it, or drop it with a reason); the writer never
    truncates silently.
    """


def dtype_for_vocab(vocab_size: int) -> np.dtype:
    """Token dtype for a vocabulary: uint16 iff every id fits with margin, else int32.

    65500 rather than 65536 follows Megatron's long-standing cut-off, which leaves room for
    a few ids added after tokenization (Megatron itself uses ``< 65500``; ids of a 65500-token
    vocabulary still fit in uint16, so both choices read back correctly).
    """
    if vocab_size <= 0:
        raise ValueError(f"vocabulary size must be positive, got {vocab_size}")
    return np.dtype(np.uint16) if vocab_size <= UINT16_VOCAB_LIMIT else np.dtype(np.int32)


def index_path(prefix: str | os.PathLike[str]) -> Path:
    return Path(f"{os.fspath(prefix)}.idx")


def bin_path(prefix: str | os.PathLike[str]) -> Path:
    return Path(f"{os.fspath(prefix)}.bin")


def _token_dtype(dtype: npt.DTypeLike) -> np.dtype:
    """Validate a writer dtype: it must be an integer type with a Megatron code."""
    resolved = np.dtype(dtype)
    if resolved not in CODE_OF_DTYPE or resolved.kind not in "iu":
        allowed = sorted(str(d) for d in CODE_OF_DTYPE if d.kind in "iu")
        raise ValueError(f"token dtype {resolved} is not an integer Megatron dtype ({allowed})")
    return resolved


class IndexedDatasetWriter:
    """Stream documents into a Megatron indexed dataset at ``prefix`` (.bin + .idx).

    Tokens go straight to a temporary ``.bin``; only one int32 length per document stays in
    memory. ``close()`` writes the ``.idx`` and renames both files into place. The ``.idx``
    is renamed last and any older ``.idx`` at the prefix is removed before the new ``.bin``
    lands, so whatever instant a crash hits, the prefix holds either the old complete pair, a
    ``.bin`` without ``.idx`` (which no reader accepts), or the new complete pair: never a
    valid-looking half shard. Use it as a context manager so an exception discards the
    temporary files.
    """

    def __init__(self, prefix: str | os.PathLike[str], dtype: npt.DTypeLike) -> None:
        self.prefix = os.fspath(prefix)
        self.dtype = _token_dtype(dtype)
        self._info = np.iinfo(self.dtype)
        self._lengths = array("i")
        self._num_tokens = 0
        directory = os.path.dirname(os.path.abspath(self.prefix))
        stem = os.path.basename(self.prefix)
        fd, self._tmp_bin = tempfile.mkstemp(prefix=f".{stem}.", suffix=".bin.tmp", dir=directory)
        self._bin = os.fdopen(fd, "wb", buffering=1 << 20)
        self._tmp_idx = self._tmp_bin[: -len(".bin.tmp")] + ".idx.tmp"
        self._closed = False

    @property
    def num_documents(self) -> int:
        return len(self._lengths)

    @property
    def num_tokens(self) -> int:
        return self._num_tokens

    @property
    def num_bytes(self) -> int:
        """Size the ``.bin`` will have: lets the caller roll shards at a target size."""
        return self._num_tokens * self.dtype.itemsize

    def add_document(self, tokens: np.ndarray | Iterable[int]) -> None:
        """Append one document as one sequence.

        Ids that do not fit the shard dtype raise instead of wrapping around, and a document
        longer than int32 max raises ``DocumentTooLongError``.
        """
        if self._closed:
            raise ValueError(f"writer for {self.prefix} is already closed")
        array_ = tokens if isinstance(tokens, np.ndarray) else np.fromiter(tokens, dtype=np.int64)
        if array_.ndim != 1:
            raise ValueError(f"a document must be a 1-D token array, got shape {array_.shape}")
        if array_.size > INT32_MAX:
            raise DocumentTooLongError(
                f"document of {array_.size} tokens exceeds the int32 length field of the .idx "
                f"({INT32_MAX}); split or drop it"
            )
        if array_.dtype != self.dtype:
            array_ = self._cast(array_)
        self._bin.write(np.ascontiguousarray(array_).data)
        self._lengths.append(array_.size)
        self._num_tokens += array_.size

    def _cast(self, tokens: np.ndarray) -> np.ndarray:
        if tokens.dtype.kind not in "iu":
            raise ValueError(f"token ids must be integers, got dtype {tokens.dtype}")
        if tokens.size and (tokens.min() < self._info.min or tokens.max() > self._info.max):
            raise ValueError(
                f"token ids in [{tokens.min()}, {tokens.max()}] do not fit the shard dtype "
                f"{self.dtype}; choose the dtype with dtype_for_vocab(vocab_size)"
            )
        return tokens.astype(self.dtype)

    def close(self) -> None:
        """Write the index and commit both files atomically (see the class docstring).

        An empty shard is refused: Megatron cannot memory-map an empty ``.bin``.
        """
        if self._closed:
            return
        if self._num_tokens == 0:
            self.abort()
            raise ValueError(f"refusing to write {self.prefix}: the shard holds no tokens")
        try:
            self._bin.flush()
            os.fsync(self._bin.fileno())
            self._bin.close()
            self._write_index()
        except BaseException:  # e.g. a full disk: leave no temporary files behind
            self.abort()
            raise
        final_bin, final_idx = bin_path(self.prefix), index_path(self.prefix)
        final_idx.unlink(missing_ok=True)
        os.replace(self._tmp_bin, final_bin)
        os.replace(self._tmp_idx, final_idx)
        _fsync_dir(final_idx.parent)
        self._closed = True

    def _write_index(self) -> None:
        lengths = np.frombuffer(self._lengths, dtype=np.int32)
        pointers = np.zeros(lengths.size, dtype=np.int64)
        np.cumsum(lengths[:-1], dtype=np.int64, out=pointers[1:])
        pointers *= self.dtype.itemsize
        documents = np.arange(lengths.size + 1, dtype=np.int64)
        with open(self._tmp_idx, "wb") as handle:
            handle.write(HEADER.pack(MAGIC, VERSION, CODE_OF_DTYPE[self.dtype], lengths.size,
                                     documents.size))
            handle.write(lengths.tobytes())
            handle.write(pointers.tobytes())
            handle.write(documents.tobytes())
            handle.flush()
            os.fsync(handle.fileno())

    def abort(self) -> None:
        """Discard everything written so far; the final prefix is left untouched."""
        if self._closed:
            return
        self._bin.close()
        for path in (self._tmp_bin, self._tmp_idx):
            Path(path).unlink(missing_ok=True)
        self._closed = True

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def _fsync_dir(directory: Path) -> None:
    """Make the renames durable, so a power loss cannot resurrect the old directory entry."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class IndexedDataset:
    """Read a Megatron indexed dataset through memory maps; documents come back as views.

    Raises ``CorruptShardError`` on a malformed file; ``verify`` gives a full report instead.
    """

    def __init__(self, prefix: str | os.PathLike[str]) -> None:
        self.prefix = os.fspath(prefix)
        idx_file, bin_file = index_path(prefix), bin_path(prefix)
        with open(idx_file, "rb") as handle:
            code, n, doc_count = _read_header(idx_file, handle.read(HEADER_SIZE))
        expected = HEADER_SIZE + n * 12 + doc_count * 8
        if idx_file.stat().st_size < expected:
            raise CorruptShardError(f"{idx_file}: truncated (header implies {expected} bytes)")
        self.dtype_code = code
        self.dtype = DTYPE_CODES[code]
        self._idx = np.memmap(idx_file, dtype=np.uint8, mode="r")
        buffer = self._idx.data
        self.sequence_lengths = np.frombuffer(buffer, np.int32, n, HEADER_SIZE)
        self.sequence_pointers = np.frombuffer(buffer, np.int64, n, HEADER_SIZE + n * 4)
        self.document_indices = np.frombuffer(buffer, np.int64, doc_count, HEADER_SIZE + n * 12)
        size = bin_file.stat().st_size
        self._bin = np.memmap(bin_file, dtype=np.uint8, mode="r") if size else np.empty(0, np.uint8)
        end = int(self.sequence_pointers[-1]) + int(self.sequence_lengths[-1]) * \
            self.dtype.itemsize if n else 0
        if end > size:
            raise CorruptShardError(f"{bin_file}: truncated ({size} bytes, index implies {end})")

    def __len__(self) -> int:
        return int(self.sequence_lengths.size)

    @property
    def num_tokens(self) -> int:
        return int(self.sequence_lengths.sum(dtype=np.int64))

    def __getitem__(self, i: int) -> np.ndarray:
        return self.get(i)

    def get(self, i: int, offset: int = 0, length: int | None = None) -> np.ndarray:
        """Tokens ``[offset, offset + length)`` of sequence ``i`` as a read-only view."""
        if not -len(self) <= i < len(self):
            raise IndexError(f"sequence {i} out of range for {len(self)} sequences")
        size = int(self.sequence_lengths[i])
        if length is None:
            length = size - offset
        if offset < 0 or length < 0 or offset + length > size:
            raise IndexError(f"range [{offset}, {offset + length}) outside sequence {i} of {size}")
        start = int(self.sequence_pointers[i]) + offset * self.dtype.itemsize
        return np.frombuffer(self._bin.data, self.dtype, length, start)


def _read_header(idx_file: Path, raw: bytes) -> tuple[int, int, int]:
    """(dtype code, sequence count, document count) of a well-formed header."""
    if len(raw) < HEADER_SIZE:
        raise CorruptShardError(f"{idx_file}: truncated header ({len(raw)} of {HEADER_SIZE} bytes)")
    magic, version, code, n, doc_count = HEADER.unpack(raw)
    if magic != MAGIC:
        raise CorruptShardError(f"{idx_file}: bad magic {magic!r} (expected {MAGIC!r})")
    if version != VERSION:
        raise CorruptShardError(f"{idx_file}: unsupported version {version} (expected {VERSION})")
    if code not in DTYPE_CODES:
        raise CorruptShardError(
            f"{idx_file}: unknown dtype code {code} (Megatron codes are {sorted(DTYPE_CODES)})")
    return code, n, doc_count


def verify(prefix: str | os.PathLike[str], vocab_size: int | None = None) -> list[str]:
    """Every problem found in the shard at ``prefix``; an empty list means it is sound.

    Checks the header, that the index is consistent with itself and with the ``.bin`` size,
    and (given ``vocab_size``) that the dtype can hold the vocabulary and every id is in
    ``[0, vocab_size)``. Never raises on a corrupt file: problems are reported as text.
    """
    try:
        return _verify(os.fspath(prefix), vocab_size)
    except OSError as error:
        return [f"{prefix}: cannot read: {error}"]


def _verify(prefix: str, vocab_size: int | None) -> list[str]:
    idx_file, bin_file = index_path(prefix), bin_path(prefix)
    missing = [f"{p}: missing" for p in (idx_file, bin_file) if not p.is_file()]
    if missing:
        return missing
    idx_size, bin_size = idx_file.stat().st_size, bin_file.stat().st_size
    with open(idx_file, "rb") as handle:
        try:
            code, n, doc_count = _read_header(idx_file, handle.read(HEADER_SIZE))
        except CorruptShardError as error:
            return [str(error)]
    dtype = DTYPE_CODES[code]
    problems: list[str] = []
    if dtype.kind not in "iu":
        problems.append(f"{idx_file}: dtype {dtype} (code {code}) cannot hold token ids")
    if vocab_size is not None and dtype.kind in "iu" and vocab_size - 1 > np.iinfo(dtype).max:
        problems.append(f"{idx_file}: dtype {dtype} cannot hold ids of a {vocab_size}-token "
                        f"vocabulary (use {dtype_for_vocab(vocab_size)})")
    expected_idx = HEADER_SIZE + n * 12 + doc_count * 8
    if idx_size != expected_idx:
        kind = "truncated" if idx_size < expected_idx else "trailing bytes"
        problems.append(f"{idx_file}: {kind}: {idx_size} bytes, header implies {expected_idx}")
        return problems
    if bin_size == 0:
        problems.append(f"{bin_file}: empty (Megatron cannot memory-map an empty .bin)")
        return problems
    index_problems = _index_problems(prefix, n, doc_count, dtype, bin_size)
    problems.extend(index_problems)
    if not index_problems and vocab_size is not None and dtype.kind in "iu":
        problems.extend(_id_problems(IndexedDataset(prefix), vocab_size))
    return problems


def _index_problems(prefix: str, n: int, doc_count: int, dtype: np.dtype,
                    bin_size: int) -> list[str]:
    """Inconsistencies of the index with itself and with the ``.bin`` size."""
    idx_file, bin_file = index_path(prefix), bin_path(prefix)
    raw = np.memmap(idx_file, dtype=np.uint8, mode="r").data
    lengths = np.frombuffer(raw, np.int32, n, HEADER_SIZE)
    pointers = np.frombuffer(raw, np.int64, n, HEADER_SIZE + n * 4)
    documents = np.frombuffer(raw, np.int64, doc_count, HEADER_SIZE + n * 12)
    problems: list[str] = []
    if n and lengths.min() < 0:
        problems.append(f"{idx_file}: negative sequence length at {int(np.argmax(lengths < 0))}")
    expected = np.zeros(n, dtype=np.int64)
    if n:
        np.cumsum(lengths[:-1], dtype=np.int64, out=expected[1:])
        expected *= dtype.itemsize
    bad = np.flatnonzero(pointers != expected)
    if bad.size:
        problems.append(f"{idx_file}: {bad.size} sequence pointers inconsistent with the lengths "
                        f"(first at sequence {int(bad[0])})")
    if doc_count == 0 or documents[0] != 0 or documents[-1] != n:
        problems.append(f"{idx_file}: document index must run from 0 to {n}")
    elif doc_count > 1 and np.any(np.diff(documents) < 0):
        problems.append(f"{idx_file}: document index is not monotonic")
    data_bytes = int(lengths.sum(dtype=np.int64)) * dtype.itemsize
    if bin_size < data_bytes:
        problems.append(f"{bin_file}: truncated: {bin_size} bytes, index implies {data_bytes}")
    elif bin_size > data_bytes:
        problems.append(f"{bin_file}: {bin_size - data_bytes} bytes beyond the indexed data")
    return problems


def _id_problems(index: IndexedDataset, vocab_size: int) -> list[str]:
    """Scan the token stream in bounded windows for ids outside ``[0, vocab_size)``."""
    tokens = np.frombuffer(index._bin.data, index.dtype, index.num_tokens)
    step = _SCAN_CHUNK_BYTES // index.dtype.itemsize
    bad, first = 0, -1
    for start in range(0, tokens.size, step):
        window = tokens[start:start + step]
        outside = (window >= vocab_size) | (window < 0) if index.dtype.kind == "i" else \
            window >= vocab_size
        count = int(np.count_nonzero(outside))
        if count and first < 0:
            first = start + int(np.argmax(outside))
        bad += count
    if not bad:
        return []
    sequence = int(np.searchsorted(index.sequence_pointers // index.dtype.itemsize, first,
                                   side="right")) - 1
    return [(f"{bin_path(index.prefix)}: {bad} token ids outside [0, {vocab_size}) (first: id "
             f"{int(tokens[first])} at token {first}, sequence {sequence})")]
