"""Readers for web crawl archives: WARC (1.0, 1.1 and pre-standard 0.17), WET and ARC.

Every record of an archive is accounted for exactly once: it becomes a document or is
skipped with a reason, so ``tally.records == documents + sum(skipped counts)`` always holds.
Kept are HTTP ``response`` records with an HTML payload (text extracted) and WET
``conversion`` records (text as is).

FastWARC (C++) parses WARC and WET files: plain or per-record gzip, and WARC/0.17 too. Only
ARC, which FastWARC cannot read, goes through warcio. Both sit behind the small
:class:`WebRecord` interface, so everything after parsing (HTTP decoding, charset, extraction,
accounting) is one code path. Headers and bodies are read only for records that may be kept.

Damage costs only what it touches. WARC and WET reading resumes at the next intact record
(the next gzip member, or the next ``WARC/`` line of an uncompressed file: see
:mod:`.resync`) and the unreadable stretch counts as one ``corrupt`` record; a record whose
Content-Length is proven wrong is counted as ``bad_content_length`` rather than kept with
the next header spliced in or its end cut off. ARC and line-framed WET files end at damage.
A file in which no record at all can be read is not an archive of its kind:
:class:`InputFormatError`.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO, Protocol, TypeVar

import fsspec
import pyarrow as pa
from fastwarc.stream_io import BrotliReader
from fastwarc.warc import ArchiveIterator as WarcIterator
from fastwarc.warc import WarcRecord
from warcio.archiveiterator import ArchiveIterator as ArcIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from polycorpus.stages.ingest import resync
from polycorpus.stages.ingest.base import InputFormatError, Tally
from polycorpus.stages.ingest.charset import (
    clean_text,
    decode_html,
    decode_text,
    split_content_type,
)
from polycorpus.stages.ingest.config import IngestOptions, InputFile
from polycorpus.stages.ingest.html import Extractor, extractor, looks_like_html
from polycorpus.stages.schema import document_id, documents_table

_KEPT_TYPES = frozenset({"response", "conversion"})
#: Record types that are skipped under their own name; anything else is 'unknown_record_type'.
_SKIPPED_TYPES = frozenset(
    {"warcinfo", "request", "metadata", "revisit", "resource", "continuation"}
)
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
#: Content types that say nothing about the payload, so it is sniffed (WHATWG MIME sniffing).
_UNTYPED = frozenset({None, "unknown/unknown", "application/unknown", "*/*"})
_CHUNK_SIZE = re.compile(rb"[ \t]*([0-9a-fA-F]{1,16})[ \t]*(?:;[^\n]*)?\r?")

T = TypeVar("T")


class ArchiveDamaged(Exception):
    """The archive cannot be read from this point on (truncated or garbled bytes)."""


class _Skip(Exception):
    """A record that is not kept, with the reason counted in the tally."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class HttpHead:
    """What decides whether a payload is kept: the HTTP status line and payload headers.

    Records without an HTTP message (WET conversions, ``dns:`` responses) have
    ``is_http=False``, no status and the archive record's own Content-Type.
    """

    is_http: bool
    status: int | None
    content_type: str | None
    transfer_encoding: str | None = None
    content_encoding: str | None = None


class WebRecord(Protocol):
    """One archive record, whatever library parsed it."""

    rec_type: str  # WARC-Type: response, conversion, warcinfo, request, ...
    length: int  # declared size of the record block in bytes
    offset: int  # position of the record in the file (compressed stream position for .gz)

    @property
    def record_id(self) -> str | None: ...

    @property
    def date(self) -> str | None: ...

    @property
    def url(self) -> str | None: ...

    def head(self) -> HttpHead: ...

    def body(self) -> bytes:
        """The payload (after any HTTP headers); raises ArchiveDamaged if it is cut short."""
        ...


def read_warc(file: InputFile, options: IngestOptions, tally: Tally) -> Iterator[pa.Table]:
    """Documents from a WARC or WET file (a WET file is a WARC of ``conversion`` records)."""
    return _read_archive(file, options, tally, _FastWarcArchive)


def read_wet(file: InputFile, options: IngestOptions, tally: Tally) -> Iterator[pa.Table]:
    """Documents from a WET file: FastWARC, or line framing for hand-made plain-text WET."""
    return _read_archive(file, options, tally, _open_wet)


def read_arc(file: InputFile, options: IngestOptions, tally: Tally) -> Iterator[pa.Table]:
    """Documents from an ARC file, the Internet Archive's format before WARC."""
    return _read_archive(file, options, tally, lambda stream: _SinglePass(_arc_records(stream)))


class _Archive(Protocol):
    """A parser over one open file, able (or not) to find its footing again after damage."""

    def records(self) -> Iterator[WebRecord]:
        """Records from the current position on; raises ArchiveDamaged where it cannot go on."""
        ...

    def intact(self, record: WebRecord) -> bool:
        """Whether ``record`` ends where its header says (asked only once damage is met)."""
        ...

    def resync(self, after: int) -> int | None:
        """Move to the first readable record that starts after byte ``after``: its offset."""
        ...


def _read_archive(
    file: InputFile,
    options: IngestOptions,
    tally: Tally,
    open_archive: Callable[[BinaryIO], _Archive],
) -> Iterator[pa.Table]:
    """Documents of one archive, reading on past damage wherever the format allows.

    The document of the record read last is held back until the next record has been
    parsed: damage right after a record may mean that record's Content-Length is wrong (its
    text would hold the next header, or miss its end), and then it must not be kept.
    """
    extract = extractor(options)
    batch: list[dict[str, Any]] = []
    with fsspec.open(file.url, "rb") as stream:
        archive = open_archive(stream)
        position: int | None = -1  # where reading (re)started
        parsed = 0  # records parsed in the whole file
        while position is not None:
            last: WebRecord | None = None  # the record read last
            kept_last = False  # ... and whether it is the batch's last document
            try:
                for last in archive.records():
                    kept_last = False
                    parsed += 1
                    tally.saw(last.length)
                    if last.rec_type not in _KEPT_TYPES:
                        tally.skip(_type_reason(last.rec_type), last.length)
                        continue
                    try:
                        batch.append(_document(last, file, options, extract))
                    except _Skip as skip:
                        tally.skip(skip.reason, last.length)
                        continue
                    except ArchiveDamaged as exc:
                        tally.skip("corrupt", last.length)
                        raise _RecordDamaged(str(exc)) from exc
                    kept_last = True
                    if len(batch) > options.batch_size:
                        yield documents_table(batch[:-1])
                        batch = batch[-1:]
                position = None
            except ArchiveDamaged as damage:
                explained = isinstance(damage, _RecordDamaged)
                if kept_last and last is not None and not archive.intact(last):
                    batch.pop()  # its text holds the next header, or misses its own end
                    tally.skip("bad_content_length", last.length)
                    explained = True
                after = last.offset if last is not None else position
                position = _recover(archive, file, tally, damage, explained, after, parsed)
    if batch:
        yield documents_table(batch)


class _RecordDamaged(ArchiveDamaged):
    """Damage explained by one record, already counted: cut short, or a wrong length."""


def _recover(
    archive: _Archive,
    file: InputFile,
    tally: Tally,
    damage: ArchiveDamaged,
    explained: bool,
    after: int,
    parsed: int,
) -> int | None:
    """Move past damage: the offset reading resumes at, or None if nothing more is readable.

    Reading resumes at the first readable record after byte ``after`` (the record read last,
    or where reading last resumed). Damage that no record explains (``explained``: cut short
    or of wrong length, and counted as such) counts as one ``corrupt`` record of unknown
    size. Damage before any record was ``parsed``, with nothing readable after it, means the
    file is not of this format at all.
    """
    start = archive.resync(after)
    if start is None and parsed == 0:
        raise InputFormatError(
            f"{file.url}: not a readable {file.format.upper()} file ({damage})"
        ) from damage
    if not explained:
        tally.saw(0)
        tally.skip("corrupt", 0)
    return start


def _type_reason(rec_type: str) -> str:
    return rec_type if rec_type in _SKIPPED_TYPES else "unknown_record_type"


def _document(
    record: WebRecord, file: InputFile, options: IngestOptions, extract: Extractor
) -> dict[str, Any]:
    """The document row of a kept record type; raises _Skip when the record is not kept."""
    if record.length > options.max_record_bytes:
        raise _Skip("record_too_large")
    head = record.head()
    _check_status(head)
    mime, declared_charset = split_content_type(head.content_type)
    if record.rec_type == "conversion":
        text, charset = decode_text(record.body(), declared_charset)
    else:
        text, charset = _page_text(record, head, mime, declared_charset, options, extract)
    text = clean_text(text).strip()
    if not text:
        raise _Skip("empty_text")
    record_id = record.record_id
    return {
        # The file position, not WARC-Record-ID: ids must be unique, and record ids are
        # duplicated in the wild (copied fixtures, re-packed crawls).
        "id": document_id(file.source, f"{file.relpath}@{record.offset}"),
        "text": text,
        "source": file.source,
        "kind": file.kind,
        "priority": file.priority,
        "url": _clean_url(record.url),
        "meta": {
            "crawl_date": record.date,
            "warc_record_id": record_id,
            "content_type": mime,
            "charset": charset,
            "warc_file": file.relpath,
        },
    }


def _check_status(head: HttpHead) -> None:
    """Only 2xx responses carry the page; redirects are counted apart from errors."""
    if not head.is_http:
        return
    if head.status is None:
        raise _Skip("bad_http_headers")
    if 300 <= head.status < 400:
        raise _Skip("http_redirect")
    if not 200 <= head.status < 300:
        raise _Skip("http_error_status")


def _page_text(
    record: WebRecord,
    head: HttpHead,
    mime: str | None,
    declared_charset: str | None,
    options: IngestOptions,
    extract: Extractor,
) -> tuple[str, str]:
    """Text of an HTML response; the body is read only once the type allows HTML."""
    untyped = mime in _UNTYPED
    if not untyped and mime not in _HTML_TYPES:
        raise _Skip("non_html")
    body = _http_payload(record.body(), head, options.max_record_bytes)
    if untyped and not looks_like_html(body):
        raise _Skip("non_html")
    html, charset = decode_html(body, declared_charset)
    try:
        return extract(html), charset
    except Exception as exc:  # third-party extractor on untrusted markup: count, don't crash
        raise _Skip("extract_error") from exc


def _http_payload(body: bytes, head: HttpHead, limit: int) -> bytes:
    """Undo Transfer-Encoding: chunked and Content-Encoding (gzip, deflate, br).

    Some crawlers store payloads already decoded but keep the headers, so a body that does
    not parse as what the header says is used as is if it looks like HTML.
    """
    if head.transfer_encoding and "chunked" in head.transfer_encoding.lower():
        body = _dechunk(body)
    if head.content_encoding:
        decoded = _decompress(body, head.content_encoding, limit)
        if decoded is None:
            if not looks_like_html(body):
                raise _Skip("decode_error")
            decoded = body
        body = decoded
    return body


def _dechunk(body: bytes) -> bytes:
    """Join the chunks of a chunked body; a body that is not chunked is returned unchanged.

    A chunk stream cut off before its final zero-size chunk keeps the data that arrived.
    """
    chunks: list[bytes] = []
    pos = 0
    while (line_end := body.find(b"\n", pos)) >= 0:
        size = _chunk_size(body[pos:line_end])
        if size is None:
            break
        if size == 0:
            return b"".join(chunks)
        start = line_end + 1
        chunks.append(body[start : start + size])
        pos = body.find(b"\n", start + size) + 1  # past the CRLF that ends the chunk data
        if pos == 0:
            break
    return b"".join(chunks) if chunks else body


def _chunk_size(line: bytes) -> int | None:
    """The size on a chunk header line (hex, optional ';extensions'), None if it is not one."""
    match = _CHUNK_SIZE.fullmatch(line)
    return int(match.group(1), 16) if match else None


def _decompress(body: bytes, content_encoding: str, limit: int) -> bytes | None:
    """Decode a Content-Encoding list (undone in reverse order); None if the bytes disagree.

    Output is capped at ``limit`` bytes: a small compressed record must not expand into
    gigabytes (a decompression bomb is skipped as too large).
    """
    for coding in reversed(content_encoding.lower().split(",")):
        coding = coding.strip()
        try:
            if coding in ("gzip", "x-gzip"):
                body = _inflate(body, zlib.MAX_WBITS | 16, limit)
            elif coding == "deflate":  # zlib-wrapped per the RFC, raw deflate in practice too
                try:
                    body = _inflate(body, zlib.MAX_WBITS, limit)
                except zlib.error:
                    body = _inflate(body, -zlib.MAX_WBITS, limit)
            elif coding == "br":
                body = BrotliReader(io.BytesIO(body)).read(limit + 1)
            elif coding not in ("identity", ""):
                return None
        except (zlib.error, OSError):
            return None
        if len(body) > limit:
            raise _Skip("record_too_large")
    return body


def _inflate(body: bytes, wbits: int, limit: int) -> bytes:
    """zlib decompression that tolerates a truncated stream (crawlers cut long payloads)."""
    return zlib.decompressobj(wbits).decompress(body, limit + 1)


def _clean_url(url: str | None) -> str | None:
    """wget writes ``WARC-Target-URI: <http://...>``; the brackets are not part of the URL."""
    if not url:
        return None
    url = url.strip()
    if url.startswith("<") and url.endswith(">"):
        url = url[1:-1]
    return clean_text(url) or None


# -- FastWARC: WARC and WET ----------------------------------------------------------------


class _WarcRecord:
    """A FastWARC record; the lazy properties avoid header lookups for skipped records."""

    __slots__ = ("_native", "rec_type", "length", "offset")

    def __init__(self, native: WarcRecord) -> None:
        self._native = native
        self.rec_type = str(native.record_type)
        self.length = native.content_length
        self.offset = native.stream_pos

    @property
    def record_id(self) -> str | None:
        return self._native.record_id

    @property
    def date(self) -> str | None:
        return self._native.headers.get("WARC-Date")

    @property
    def url(self) -> str | None:
        return self._native.headers.get("WARC-Target-URI")

    def head(self) -> HttpHead:
        native = self._native
        if not native.is_http:
            return HttpHead(False, None, native.headers.get("Content-Type"))
        native.parse_http()
        headers = native.http_headers
        return HttpHead(
            True,
            headers.status_code,
            headers.get("Content-Type"),
            headers.get("Transfer-Encoding"),
            headers.get("Content-Encoding"),
        )

    def body(self) -> bytes:
        native = self._native
        try:
            data = native.reader.read()
        except OSError as exc:
            raise ArchiveDamaged(f"unreadable record at offset {self.offset}: {exc}") from exc
        if len(data) < native.content_length:  # after parse_http: the payload's length
            raise ArchiveDamaged(f"record at offset {self.offset} is cut short")
        return data


def _warc_records(stream: BinaryIO) -> Iterator[WebRecord]:
    for native in _guarded(WarcIterator(stream, parse_http=False), (OSError, ValueError)):
        if "Content-Length" not in native.headers:
            # Mandatory in every WARC version. FastWARC still yields a record when a header
            # block is cut off by truncation, or lacks CRLF line ends and so reads as one line.
            raise ArchiveDamaged(f"malformed WARC header at offset {native.stream_pos}")
        yield _WarcRecord(native)


class _FastWarcArchive:
    """FastWARC over a seekable file, restarted at the next record boundary after damage."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._gzip = resync.is_gzip(stream)
        stream.seek(0)

    def records(self) -> Iterator[WebRecord]:
        return _warc_records(self._stream)

    def intact(self, record: WebRecord) -> bool:
        return resync.record_is_intact(self._stream, record.offset, self._gzip)

    def resync(self, after: int) -> int | None:
        start = resync.next_record_start(self._stream, after, self._gzip)
        if start is not None:
            self._stream.seek(start)
        return start


@dataclass(slots=True)
class _SinglePass:
    """An archive read in one pass, where damage ends the file (ARC, line-framed WET)."""

    _records: Iterator[WebRecord]

    def records(self) -> Iterator[WebRecord]:
        return self._records

    def intact(self, record: WebRecord) -> bool:
        return True

    def resync(self, after: int) -> int | None:
        return None


# -- line-framed WET -----------------------------------------------------------------------

_RECORD_START = re.compile(rb"WARC/\d+\.\d+\r?\n")


def _open_wet(stream: BinaryIO) -> _Archive:
    """FastWARC first; a plain-text WET whose framing is broken is split on its lines.

    Hand-made and older WET files (cc_net's fixtures, for one) use LF line ends and count
    Content-Length in characters, so byte framing fails at the very first record. Such text
    is still unambiguous when read as cc_net reads it: a record starts at a ``WARC/1.x`` line.
    """
    try:
        next(_warc_records(stream), None)
    except ArchiveDamaged:
        stream.seek(0)
        if _RECORD_START.match(stream.readline()):
            stream.seek(0)
            return _SinglePass(_line_framed_records(stream))
    return _FastWarcArchive(stream)


@dataclass(slots=True)
class _LineFramedRecord:
    """A record of a line-framed WET file; its text is already in memory."""

    headers: dict[str, str]
    payload: bytes
    offset: int

    @property
    def rec_type(self) -> str:
        return self.headers.get("warc-type", "unknown")

    @property
    def length(self) -> int:
        return len(self.payload)

    @property
    def record_id(self) -> str | None:
        return self.headers.get("warc-record-id")

    @property
    def date(self) -> str | None:
        return self.headers.get("warc-date")

    @property
    def url(self) -> str | None:
        return self.headers.get("warc-target-uri")

    def head(self) -> HttpHead:
        return HttpHead(False, None, self.headers.get("content-type"))

    def body(self) -> bytes:
        return self.payload


def _line_framed_records(stream: BinaryIO) -> Iterator[WebRecord]:
    offset = position = 0
    headers: dict[str, str] | None = None
    lines: list[bytes] = []
    for line in stream:
        if _RECORD_START.fullmatch(line) and (headers is None or not lines or not lines[-1].strip()):
            if headers is not None:
                yield _LineFramedRecord(headers, b"".join(lines).strip(b"\r\n"), offset)
            offset, headers, lines = position, None, []
            headers = _header_block(stream)
            position += len(line) + headers.pop("\0size")
            continue
        if headers is None:
            raise ArchiveDamaged(f"text before the first WARC record at offset {position}")
        lines.append(line)
        position += len(line)
    if headers is not None:
        yield _LineFramedRecord(headers, b"".join(lines).strip(b"\r\n"), offset)


def _header_block(stream: BinaryIO) -> dict[str, Any]:
    """Read 'Name: value' lines up to the blank line; '\\0size' holds the bytes consumed."""
    headers: dict[str, Any] = {}
    size = 0
    for line in stream:
        size += len(line)
        if not line.strip():
            break
        name, _, value = line.decode("utf-8", "replace").partition(":")
        headers[name.strip().lower()] = value.strip()
    headers["\0size"] = size
    return headers


# -- warcio: ARC -----------------------------------------------------------------------------


class _ArcRecord:
    """A warcio ARC record. ARC has no record ids; documents are located by file offset."""

    __slots__ = ("_native", "rec_type", "length", "offset")

    def __init__(self, native: ArcWarcRecord, length: int, offset: int) -> None:
        self._native = native
        # The ARC file header ('filedesc://') plays the role of a WARC warcinfo record.
        self.rec_type = "warcinfo" if native.rec_type == "arc_header" else native.rec_type
        self.length = length
        self.offset = offset

    @property
    def record_id(self) -> str | None:
        return None

    @property
    def date(self) -> str | None:
        """The 14-digit archive date as ISO 8601, like WARC-Date; None if it is not one."""
        stamp = self._native.rec_headers.get_header("archive-date") or ""
        try:
            return datetime.strptime(stamp, "%Y%m%d%H%M%S").strftime("%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            return None

    @property
    def url(self) -> str | None:
        return self._native.rec_headers.get_header("uri")

    def head(self) -> HttpHead:
        http = self._native.http_headers
        if http is None:
            return HttpHead(False, None, self._native.rec_headers.get_header("content-type"))
        status = http.get_statuscode()
        return HttpHead(
            True,
            int(status) if status and status.isascii() and status.isdigit() else None,
            http.get_header("Content-Type"),
            http.get_header("Transfer-Encoding"),
            http.get_header("Content-Encoding"),
        )

    def body(self) -> bytes:
        native = self._native
        try:
            data = native.raw_stream.read()
        except (OSError, EOFError, zlib.error) as exc:
            raise ArchiveDamaged(f"unreadable record at offset {self.offset}: {exc}") from exc
        if native.payload_length >= 0 and len(data) < native.payload_length:
            raise ArchiveDamaged(f"record at offset {self.offset} is cut short")
        return data


_ARC_ERRORS = (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error)


def _arc_records(stream: BinaryIO) -> Iterator[WebRecord]:
    iterator = ArcIterator(stream, arc2warc=False, ensure_http_headers=False)
    first = True
    for native in _guarded(iterator, _ARC_ERRORS):
        if native.format != "arc":
            raise ArchiveDamaged(f"a {native.format.upper()} record, not ARC")
        if first and native.rec_type != "arc_header":
            # warcio reads almost any line of five words as an ARC record header; a real ARC
            # file starts with its filedesc:// record.
            raise ArchiveDamaged("no filedesc:// header record at the start")
        first = False
        length = native.rec_headers.get_header("length") or ""
        if not (length.isascii() and length.isdigit()):
            raise ArchiveDamaged(f"malformed ARC header at offset {iterator.offset}")
        yield _ArcRecord(native, int(length), iterator.offset)


def _guarded(records: Iterable[T], errors: tuple[type[BaseException], ...]) -> Iterator[T]:
    """Re-raise a parser's own errors as ArchiveDamaged, so damage is told apart from bugs."""
    iterator = iter(records)
    while True:
        try:
            item = next(iterator)
        except StopIteration:
            return
        except errors as exc:
            raise ArchiveDamaged(str(exc).strip() or type(exc).__name__) from exc
        yield item
