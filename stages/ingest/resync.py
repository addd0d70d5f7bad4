"""Finding one's footing again in a damaged WARC file, and telling a record whose declared
length is wrong.

Both work on the raw bytes of a seekable file and run only once damage has been met, so an
intact file costs nothing. A record boundary is where the next record starts: in a file of
one gzip member per record (what Common Crawl and every mainstream crawler write) a member
that inflates completely to a text starting with ``WARC/``; in an uncompressed file a
``WARC/<digit>`` line. A record is intact when its block, as long as its Content-Length
says, is followed by the CRLF CRLF that ends it.
"""

from __future__ import annotations

import re
import zlib
from typing import BinaryIO

_GZIP_MAGIC = b"\x1f\x8b\x08"
_RECORD_LINE = re.compile(rb"(?:^|\n)(WARC/\d)")
_CONTENT_LENGTH = re.compile(rb"\r?\nContent-Length:[ \t]*(\d+)", re.IGNORECASE)
_CHUNK = 1 << 20
#: Bytes of a WARC header block read while checking a record; real ones are under 4 KB.
_MAX_HEADER = 64 * 1024


def is_gzip(stream: BinaryIO) -> bool:
    stream.seek(0)
    return stream.read(2) == _GZIP_MAGIC[:2]


def next_record_start(stream: BinaryIO, after: int, gzip: bool) -> int | None:
    """Offset of the first readable record that starts after byte ``after``, or None."""
    position = after + 1
    while True:
        candidate = _next_candidate(stream, position, gzip)
        if candidate is None:
            return None
        if not gzip or _member_is_a_record(stream, candidate):
            return candidate
        position = candidate + 1


def _next_candidate(stream: BinaryIO, position: int, gzip: bool) -> int | None:
    """The next gzip magic, or the next ``WARC/<digit>`` at a line start, from ``position``."""
    overlap = len(_GZIP_MAGIC) if gzip else len("\nWARC/0")
    start = max(0, position - 1)  # one byte before, to see whether a line starts there
    while True:
        stream.seek(start)
        chunk = stream.read(_CHUNK)
        if not chunk:
            return None
        found = _find(chunk, start, position, gzip)
        if found is not None:
            return found
        if len(chunk) < _CHUNK:
            return None
        start += len(chunk) - overlap


def _find(chunk: bytes, start: int, position: int, gzip: bool) -> int | None:
    if gzip:
        index = chunk.find(_GZIP_MAGIC, max(0, position - start))
        return start + index if index >= 0 else None
    for match in _RECORD_LINE.finditer(chunk):
        offset = start + match.start(1)
        if offset >= position and (match.start(1) > 0 or start == 0):  # a line starts there
            return offset
    return None


def _member_is_a_record(stream: BinaryIO, offset: int) -> bool:
    """Whether the gzip member at ``offset`` inflates to its end and holds a WARC record."""
    inflate = zlib.decompressobj(zlib.MAX_WBITS | 16)
    head = b""
    stream.seek(offset)
    try:
        while not inflate.eof:
            chunk = stream.read(_CHUNK)
            if not chunk:
                return False
            out = inflate.decompress(chunk)
            if len(head) < 5:
                head += out[:5]
    except zlib.error:
        return False
    return head.startswith(b"WARC/")


def record_is_intact(stream: BinaryIO, offset: int, gzip: bool) -> bool:
    """Whether the block of the record at ``offset``, as long as its Content-Length says, is
    followed by the CRLF CRLF that ends a record.

    A length off by any amount lands inside text or inside the next header, where those four
    bytes almost never are. Undecidable cases (the offset is not a member start, the header
    has no length) count as intact: only a boundary proven wrong costs a document. A gzip
    member is inflated whole; the record has just been read whole too, so this costs no
    more memory than reading it did.
    """
    stream.seek(offset)
    if gzip:
        if stream.read(len(_GZIP_MAGIC)) != _GZIP_MAGIC:
            return True
        stream.seek(offset)
        data = _inflate_member(stream)
    else:
        data = stream.read(_MAX_HEADER)
    end = data.find(b"\r\n\r\n", 0, _MAX_HEADER)
    length = _CONTENT_LENGTH.search(data, 0, end) if end >= 0 else None
    if length is None:
        return True
    block_end = end + 4 + int(length.group(1))
    if not gzip:
        stream.seek(offset + block_end)
        data, block_end = stream.read(4), 0
    return data[block_end : block_end + 4] == b"\r\n\r\n"


def _inflate_member(stream: BinaryIO) -> bytes:
    """The gzip member at the stream's position, inflated as far as it is readable."""
    inflate = zlib.decompressobj(zlib.MAX_WBITS | 16)
    data = bytearray()
    try:
        while not inflate.eof and (chunk := stream.read(_CHUNK)):
            data += inflate.decompress(chunk)
    except zlib.error:
        pass  # what inflated before the damage decides
    return bytes(data)
