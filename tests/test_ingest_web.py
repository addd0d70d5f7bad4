"""Web crawl readers: WARC / WET / ARC parsing, HTTP decoding, charsets, accounting, damage.

Unit tests write tiny archives into tmp_path (warcio's writer, or raw bytes where the point is
a malformed file); the integration tests read every file of ../shared/corpus/warc.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import brotli
import pyarrow as pa
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from polycorpus.stages.ingest.base import InputFormatError, Reader, Tally
from polycorpus.stages.ingest.charset import clean_text, decode_html, split_content_type, web_codec
from polycorpus.stages.ingest.config import IngestOptions, InputFile
from polycorpus.stages.ingest.web import read_arc, read_warc, read_wet
from polycorpus.stages.schema import DOCUMENT_SCHEMA

CHINESE = "中文网页的正文内容，这是一个测试句子。广东省人民政府欢迎您。"
RUSSIAN = "Стратегия пожарной безопасности и комплексные услуги для предприятий."
GERMAN = "Persönliche Übersicht der Plätze: zurück zur Startseite, schöne Grüße."


# -- helpers --------------------------------------------------------------------------------


def html_page(text: str, meta: str = "") -> str:
    return f"<html><head>{meta}<title>t</title></head><body><p>{text}</p></body></html>"


def response(
    uri: str,
    body: bytes,
    headers: Iterable[tuple[str, str]] = (("Content-Type", "text/html"),),
    status: str = "200 OK",
) -> tuple[str, str, bytes, StatusAndHeaders | None]:
    return uri, "response", body, StatusAndHeaders(status, list(headers), protocol="HTTP/1.1")


def write_warc(path: Path, records: Iterable[tuple], gzip_members: bool = True,
               version: str = "1.0") -> Path:
    """A WARC written by warcio: records are (uri, type, payload, http headers or None)."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=gzip_members, warc_version=version)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        for uri, rec_type, payload, http in records:
            content_type = None if http is not None else "text/plain"
            writer.write_record(writer.create_warc_record(
                uri, rec_type, payload=io.BytesIO(payload), length=len(payload),
                http_headers=http, warc_content_type=content_type,
            ))
    return path


def raw_warc_record(block: bytes, uri: str = "http://x.test/") -> bytes:
    """One hand-made response record, for payloads warcio's writer refuses to produce."""
    head = (
        f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:crc32:{zlib.crc32(block)}>\r\n"
        f"WARC-Date: 2020-01-01T00:00:00Z\r\nWARC-Target-URI: {uri}\r\n"
        f"Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(block)}\r\n\r\n"
    )
    return head.encode() + block + b"\r\n\r\n"


def write_arc(path: Path, records: list[tuple[str, str, bytes]], gzip_members: bool) -> Path:
    """A version-1 ARC file (warcio reads ARC but cannot write it): (url, mime, block)."""
    desc_body = b"1 0 Test\nURL IP-address Archive-date Content-type Archive-length\n"
    members = [b"filedesc://%s 0.0.0.0 20080430204825 text/plain %d\n%s\n"
               % (path.name.encode(), len(desc_body), desc_body)]
    for i, (url, mime, block) in enumerate(records):
        stamp = b"2008043020%04d" % i
        members.append(b"%s 192.0.2.1 %s %s %d\n%s\n"
                       % (url.encode(), stamp, mime.encode(), len(block), block))
    path.write_bytes(b"".join(gzip.compress(m) if gzip_members else m for m in members))
    return path


def http_block(body: bytes, content_type: str = "text/html", status: str = "200 OK") -> bytes:
    return (f"HTTP/1.0 {status}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def input_file(path: Path, fmt: str = "warc") -> InputFile:
    return InputFile(url=str(path), relpath=path.name, source="web-test", kind="web",
                     format=fmt, priority=3)


def read(path: Path, reader: Reader = read_warc, fmt: str = "warc",
         **options: Any) -> tuple[list[dict[str, Any]], Tally]:
    """All rows of a file, checking the invariants every reader must keep on the way."""
    opts = IngestOptions(**options)
    tally = Tally()
    rows: list[dict[str, Any]] = []
    for batch in reader(input_file(path, fmt), opts, tally):
        assert batch.schema.equals(DOCUMENT_SCHEMA)
        assert 0 < batch.num_rows <= opts.batch_size
        rows.extend(batch.to_pylist())
    assert tally.records == len(rows) + sum(count for count, _ in tally.skipped.values())
    for row in rows:
        row["meta"] = json.loads(row["meta"])
    return rows, tally


def skips(tally: Tally) -> dict[str, int]:
    return {reason: count for reason, (count, _) in tally.skipped.items()}


# -- WARC basics ------------------------------------------------------------------------------


@pytest.mark.parametrize("gzip_members", [True, False])
@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_keeps_html_responses_and_fills_document_fields(tmp_path: Path, gzip_members: bool,
                                                        version: str) -> None:
    path = write_warc(tmp_path / "a.warc.gz", [
        ("http://x.test/", "request", b"GET / HTTP/1.1\r\nHost: x.test\r\n\r\n",
         StatusAndHeaders("GET / HTTP/1.1", [("Host", "x.test")], is_http_request=True)),
        response("http://x.test/", html_page("Hello web archive.").encode()),
    ], gzip_members=gzip_members, version=version)
    rows, tally = read(path)
    assert [row["text"] for row in rows] == ["Hello web archive."]
    row = rows[0]
    assert (row["source"], row["kind"], row["priority"], row["url"]) == (
        "web-test", "web", 3, "http://x.test/")
    meta = row["meta"]
    assert meta["warc_record_id"].startswith("<urn:uuid:")
    assert meta["crawl_date"].startswith("20")
    assert (meta["content_type"], meta["charset"], meta["warc_file"]) == (
        "text/html", "utf-8", "a.warc.gz")
    assert skips(tally) == {"warcinfo": 1, "request": 1}


def test_ids_are_stable_and_derive_from_the_record_id(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "a.warc.gz", [
        response(f"http://x.test/{i}", html_page(f"Page number {i}.").encode()) for i in range(3)
    ])
    first, _ = read(path)
    again, _ = read(path)
    assert [r["id"] for r in first] == [r["id"] for r in again]
    assert len({r["id"] for r in first}) == 3


def test_batches_respect_batch_size(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "a.warc.gz", [
        response(f"http://x.test/{i}", html_page(f"Page {i}.").encode()) for i in range(5)
    ])
    tally = Tally()
    batches = list(read_warc(input_file(path), IngestOptions(batch_size=2), tally))
    assert [b.num_rows for b in batches] == [2, 2, 1]


def test_wet_conversion_records_keep_their_text(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "a.warc.wet.gz", [
        ("http://x.test/ru", "conversion", RUSSIAN.encode(), None),
        ("http://x.test/empty", "conversion", b"  \n", None),
    ])
    rows, tally = read(path, read_wet, fmt="wet")
    assert [r["text"] for r in rows] == [RUSSIAN]
    assert rows[0]["meta"]["content_type"] == "text/plain"
    assert skips(tally) == {"warcinfo": 1, "empty_text": 1}


def test_wget_angle_brackets_are_stripped_from_urls(tmp_path: Path) -> None:
    page = raw_warc_record(http_block(html_page("Bracketed.").encode()),
                           uri="<https://x.test/wget>")
    path = tmp_path / "wget.warc"
    path.write_bytes(page)
    rows, _ = read(path)
    assert rows[0]["url"] == "https://x.test/wget"


# -- which records are skipped, and why --------------------------------------------------------


def test_skip_reasons(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "a.warc.gz", [
        response("http://x.test/png", b"\x89PNG\r\n\x1a\n" + bytes(100),
                 headers=[("Content-Type", "image/png")]),
        response("http://x.test/404", html_page("Not found.").encode(), status="404 Not Found"),
        response("http://x.test/301", html_page("Moved.").encode(), status="301 Moved"),
        response("http://x.test/empty", b"<html><body>   </body></html>"),
        response("http://x.test/ok", html_page("Kept page.").encode()),
        ("http://x.test/meta", "metadata", b"fetchTimeMs: 12\r\n", None),
        ("http://x.test/res", "resource", b"log line\n", None),
    ])
    rows, tally = read(path)
    assert [r["url"] for r in rows] == ["http://x.test/ok"]
    assert skips(tally) == {"warcinfo": 1, "non_html": 1, "http_error_status": 1,
                            "http_redirect": 1, "empty_text": 1, "metadata": 1, "resource": 1}


def test_missing_content_type_is_sniffed(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "a.warc.gz", [
        response("http://x.test/html", b"\r\n  <!DOCTYPE html>" + html_page("Sniffed.").encode(),
                 headers=[]),
        response("http://x.test/bin", b"GIF89a" + bytes(50), headers=[]),
    ])
    rows, tally = read(path)
    assert [r["text"] for r in rows] == ["Sniffed."]
    assert rows[0]["meta"]["content_type"] is None
    assert skips(tally)["non_html"] == 1


def test_record_too_large_is_skipped_before_reading(tmp_path: Path) -> None:
    big = html_page("x" * 5000).encode()
    path = write_warc(tmp_path / "a.warc.gz", [
        response("http://x.test/big", big),
        response("http://x.test/small", html_page("ok").encode()),
    ])
    rows, tally = read(path, max_record_bytes=1000)
    assert [r["text"] for r in rows] == ["ok"]
    assert tally.skipped["record_too_large"][0] == 1
    assert tally.skipped["record_too_large"][1] > len(big)


def test_bad_http_headers_are_counted(tmp_path: Path) -> None:
    path = tmp_path / "a.warc"
    path.write_bytes(raw_warc_record(b"GARBAGE\x00\xff no status line")
                     + raw_warc_record(http_block(b"<p>fine</p>")))
    rows, tally = read(path)
    assert [r["text"] for r in rows] == ["fine"]
    assert skips(tally) == {"bad_http_headers": 1}


# -- HTTP transfer and content encodings -------------------------------------------------------


def test_chunked_transfer_encoding_is_dechunked(tmp_path: Path) -> None:
    html = html_page("Chunked page body.").encode()
    chunked = b"".join(b"%x;ext=1\r\n%s\r\n" % (len(part), part)
                       for part in (html[:10], html[10:30], html[30:])) + b"0\r\n\r\n"
    path = write_warc(tmp_path / "a.warc.gz", [
        response("http://x.test/c", chunked,
                 headers=[("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")]),
        # headers say chunked, but the crawler stored the payload already dechunked
        response("http://x.test/d", html,
                 headers=[("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")]),
    ])
    rows, _ = read(path)
    assert [r["text"] for r in rows] == ["Chunked page body."] * 2


@pytest.mark.parametrize("coding,compress", [
    ("gzip", gzip.compress),
    ("x-gzip", gzip.compress),
    ("deflate", zlib.compress),
    ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send
    ("br", brotli.compress),
    ("gzip, br", lambda data: brotli.compress(gzip.compress(data))),
])
def test_content_encodings_are_decoded(tmp_path: Path, coding: str,
                                       compress: Callable[[bytes], bytes]) -> None:
    path = write_warc(tmp_path / "a.warc.gz", [response(
        "http://x.test/", compress(html_page(CHINESE).encode()),
        headers=[("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", coding)],
    )])
    rows, _ = read(path)
    assert [r["text"] for r in rows] == [CHINESE]


def test_undecodable_content_encoding(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "a.warc.gz", [
        # stored decoded although the header still says gzip: looks like HTML, so kept
        response("http://x.test/plain", html_page("Stored decoded.").encode(),
                 headers=[("Content-Type", "text/html"), ("Content-Encoding", "gzip")]),
        response("http://x.test/junk", b"\x00\x01garbage" * 10,
                 headers=[("Content-Type", "text/html"), ("Content-Encoding", "br")]),
    ])
    rows, tally = read(path)
    assert [r["text"] for r in rows] == ["Stored decoded."]
    assert skips(tally)["decode_error"] == 1


def test_decompression_bomb_is_too_large(tmp_path: Path) -> None:
    bomb = gzip.compress(b"<html><body>" + b" " * 5_000_000)
    headers = [("Content-Type", "text/html"), ("Content-Encoding", "gzip")]
    path = write_warc(tmp_path / "a.warc.gz", [response("http://x.test/", bomb, headers=headers)])
    _, tally = read(path, max_record_bytes=1_000_000)
    assert skips(tally)["record_too_large"] == 1


# -- charsets ---------------------------------------------------------------------------------


@pytest.mark.parametrize("content_type,meta,encoding,text,used", [
    # declared correctly, in the HTTP header or only in <meta>
    ("text/html; charset=GBK", "", "gbk", CHINESE, "gb18030"),
    ("text/html", '<meta charset="gb2312">', "gb2312", CHINESE, "gb18030"),
    ("text/html", '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">',
     "cp1251", RUSSIAN, "cp1251"),
    ("text/html; charset=iso-8859-1", "", "cp1252", GERMAN, "cp1252"),
    # a single-byte declaration over valid multibyte UTF-8: the declaration is stale
    ("text/html; charset=iso-8859-1", "", "utf-8", CHINESE, "utf-8"),
    ("text/html; charset=windows-1251", "", "utf-8", RUSSIAN, "utf-8"),
    # UTF-8 declared, GBK bytes: strict decoding fails, detection finds GB18030
    ("text/html; charset=utf-8", "", "gbk", CHINESE * 3, "gb18030"),
    # wrong HTTP header, right <meta>
    ("text/html; charset=utf-8", '<meta charset="windows-1251">', "cp1251", RUSSIAN, "cp1251"),
    # nothing declared at all
    ("text/html", "", "cp1251", RUSSIAN * 3, "cp1251"),
    ("text/html", "", "utf-8", CHINESE, "utf-8"),
    # a bogus label is ignored
    ("text/html; charset=no-such-charset", "", "utf-8", RUSSIAN, "utf-8"),
])
def test_charset_resolution(tmp_path: Path, content_type: str, meta: str, encoding: str,
                            text: str, used: str) -> None:
    path = write_warc(tmp_path / "a.warc.gz", [response(
        "http://x.test/", html_page(text, meta).encode(encoding),
        headers=[("Content-Type", content_type)],
    )])
    rows, _ = read(path)
    assert rows[0]["text"] == text
    assert rows[0]["meta"]["charset"] == used


def test_byte_order_mark_wins() -> None:
    body = b"\xef\xbb\xbf" + html_page(RUSSIAN).encode()
    text, used = decode_html(body, "windows-1252")
    assert used == "utf-8" and RUSSIAN in text and "\ufeff" not in text


@pytest.mark.parametrize("label,codec", [
    ("gb2312", "gb18030"), ("GBK", "gb18030"), ("x-gbk", "gb18030"), ("gb18030", "gb18030"),
    ("iso-8859-1", "cp1252"), ("latin1", "cp1252"), ("ascii", "cp1252"), ("us-ascii", "cp1252"),
    ("latin-1", "cp1252"), ('"UTF-8"', "utf-8"), ("utf8", "utf-8"), ("x-sjis", "cp932"),
    ("euc-kr", "cp949"), ("big5", "big5hkscs"), ("windows-1251", "cp1251"),
    ("iso-8859-9", "cp1254"), ("koi8-r", "koi8-r"),
    ("utf-16", None), ("no-such-charset", None), ("base64", None), ("", None),
    ("utf-8\x00", None), ("x" * 50, None),
])
def test_whatwg_labels(label: str, codec: str | None) -> None:
    assert web_codec(label) == codec


def test_split_content_type() -> None:
    assert split_content_type('Text/HTML; Charset="GBK"') == ("text/html", "GBK")
    assert split_content_type("text/html") == ("text/html", None)
    assert split_content_type(None) == (None, None)


def test_control_characters_and_surrogates_never_reach_arrow(tmp_path: Path) -> None:
    body = b"<p>a&#1;b\x07c&#xD800;d\x00e&#x7f;f\x1bg\xef\xbb\xbfh</p>"
    path = write_warc(tmp_path / "a.warc.gz", [response("http://x.test/", body)])
    rows, _ = read(path)
    assert rows[0]["text"] == "ab" + "c\ufffdd" + "efgh"
    assert clean_text("x\ud800y\x85z\tw") == "xyz\tw"


# -- extractors -------------------------------------------------------------------------------

ARTICLE = (
    "<html><body><nav><a href='/'>Home</a> <a href='/about'>About</a></nav><article>"
    + "".join(f"<p>Paragraph {i} of a long article about web archives and their formats, "
              f"written so that a main-content extractor recognises it as prose.</p>"
              for i in range(8))
    + "</article><footer>Copyright footer</footer></body></html>"
)


@pytest.mark.parametrize("extractor", ["resiliparse", "trafilatura"])
@pytest.mark.parametrize("main_content", [True, False])
def test_extractors(tmp_path: Path, extractor: str, main_content: bool) -> None:
    path = write_warc(tmp_path / "a.warc.gz", [response("http://x.test/", ARTICLE.encode())])
    rows, _ = read(path, html_extractor=extractor, main_content=main_content)
    text = rows[0]["text"]
    assert "Paragraph 0 of a long article" in text and "Paragraph 7" in text
    if not main_content:  # boilerplate stays
        assert "Home" in text and "About" in text


def test_resiliparse_leaves_comment_threads_out_unless_asked(tmp_path: Path) -> None:
    """Reader comments are not main content (FineWeb extracts with include_comments=False)."""
    thread = "".join(f"<li class='comment'><div class='comment-body'><p>Reader {i} thinks the archive "
                     f"formats deserve a longer discussion than this.</p></div></li>" for i in range(6))
    page = ARTICLE.replace("</article>", f"</article><div id='comments'><ol class='comment-list'>{thread}</ol></div>")
    path = write_warc(tmp_path / "a.warc.gz", [response("http://x.test/", page.encode())])
    default = read(path)[0][0]["text"]
    kept = read(path, resiliparse={"comments": True})[0][0]["text"]
    assert "Paragraph 7" in default and "Reader 3 thinks" not in default
    assert "Paragraph 7" in kept and "Reader 3 thinks" in kept


# -- damaged and foreign files ----------------------------------------------------------------


def test_empty_file_yields_nothing(tmp_path: Path) -> None:
    path = tmp_path / "empty.warc.gz"
    path.write_bytes(b"")
    for reader in (read_warc, read_wet, read_arc):
        rows, tally = read(path, reader)
        assert rows == [] and tally.records == 0


@pytest.mark.parametrize("name,content", [
    ("random.warc.gz", os.urandom(4096)),
    ("image.warc.gz", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(2000)),
    ("text.warc", b"just some text that is not an archive, with five words per line\n" * 50),
    ("gzipped-text.warc.gz", gzip.compress(b"hello world, not a WARC record\n" * 100)),
])
@pytest.mark.parametrize("reader", [read_warc, read_arc])
def test_foreign_files_raise_input_format_error(tmp_path: Path, name: str, content: bytes,
                                                reader: Reader) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputFormatError, match=name):
        read(path, reader)


def test_warc_given_to_the_arc_reader_is_a_format_error(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "a.warc.gz", [response("http://x.test/", b"<p>x</p>")])
    with pytest.raises(InputFormatError, match="a.warc.gz"):
        read(path, read_arc, fmt="arc")


def test_truncated_gzip_keeps_records_before_the_damage(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "a.warc.gz", [
        response(f"http://x.test/{i}", html_page(f"Page {i}. " + "filler " * 400).encode())
        for i in range(3)
    ])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 200])  # cut inside the last gzip member
    rows, tally = read(path)
    assert [r["url"] for r in rows] == ["http://x.test/0", "http://x.test/1"]
    assert skips(tally)["corrupt"] == 1


def test_garbage_after_good_records_counts_as_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "a.warc"
    path.write_bytes(raw_warc_record(http_block(b"<p>good</p>")) + b"\x00garbage here\r\n" * 20)
    rows, tally = read(path)
    assert [r["text"] for r in rows] == ["good"]
    assert skips(tally) == {"corrupt": 1}


def _pages(n: int) -> list[tuple]:
    return [response(f"http://x.test/{i}", html_page(f"Page {i}. " + "filler " * 100).encode())
            for i in range(n)]


def _member_starts(data: bytes) -> list[int]:
    starts, position = [], 0
    while (position := data.find(b"\x1f\x8b\x08", position)) >= 0:
        starts.append(position)
        position += 1
    return starts


@pytest.mark.parametrize("member,lost", [(0, []), (5, ["http://x.test/4"])])
def test_a_damaged_gzip_member_costs_only_its_record(tmp_path: Path, member: int, lost: list[str]) -> None:
    """Reading resumes at the next intact member (member 0 is the warcinfo record)."""
    path = write_warc(tmp_path / "a.warc.gz", _pages(10))
    intact, _ = read(path)
    data = bytearray(path.read_bytes())
    starts = _member_starts(bytes(data))
    assert len(starts) == 11
    middle = (starts[member] + starts[member + 1]) // 2
    data[middle : middle + 20] = bytes(b ^ 0xFF for b in data[middle : middle + 20])
    path.write_bytes(bytes(data))
    rows, tally = read(path)
    assert [r["url"] for r in rows] == [r["url"] for r in intact if r["url"] not in lost]
    assert {r["id"] for r in rows} <= {r["id"] for r in intact}  # ids by file offset, unchanged
    assert skips(tally) == ({"corrupt": 1} if member == 0 else {"warcinfo": 1, "corrupt": 1})


def test_garbage_between_uncompressed_records_is_skipped_to_the_next_record(tmp_path: Path) -> None:
    blocks = [raw_warc_record(http_block(html_page(f"Page {i}").encode()), f"http://x.test/{i}")
              for i in range(4)]
    path = tmp_path / "a.warc"
    path.write_bytes(blocks[0] + blocks[1] + b"\x00\xffnot a header\r\n" * 30 + blocks[2] + blocks[3])
    rows, tally = read(path)
    assert [r["text"] for r in rows] == [f"Page {i}" for i in range(4)]
    assert skips(tally) == {"corrupt": 1}


@pytest.mark.parametrize("gzip_members", [True, False])
@pytest.mark.parametrize("delta", [200, -200, 7, -1])
def test_a_wrong_content_length_counts_its_record_as_damaged(tmp_path: Path, gzip_members: bool,
                                                              delta: int) -> None:
    """The record is dropped (never spliced with the next header, never cut), the rest kept."""
    records = []
    for i in range(5):
        record = raw_warc_record(http_block(html_page(f"Page {i}. " + "filler " * 100).encode()),
                                 f"http://x.test/{i}")
        if i == 2:
            length = int(record.split(b"Content-Length: ")[1].split(b"\r\n")[0])
            record = record.replace(b"Content-Length: %d" % length, b"Content-Length: %d" % (length + delta))
        records.append(gzip.compress(record) if gzip_members else record)
    path = tmp_path / "a.warc"
    path.write_bytes(b"".join(records))
    rows, tally = read(path)
    assert [r["url"] for r in rows] == ["http://x.test/0", "http://x.test/1", "http://x.test/3", "http://x.test/4"]
    assert all(r["text"] == f"Page {r['url'][-1]}. " + " ".join(["filler"] * 100) for r in rows)
    assert skips(tally) == {"bad_content_length": 1}


# -- ARC --------------------------------------------------------------------------------------


@pytest.mark.parametrize("gzip_members", [True, False])
def test_arc_records(tmp_path: Path, gzip_members: bool) -> None:
    path = write_arc(tmp_path / "a.arc.gz", [
        ("dns:x.test", "text/dns", b"20080430204825\nx.test. 300 IN A 192.0.2.1\n"),
        ("http://x.test/", "text/html",
         http_block(html_page(GERMAN).encode("cp1252"), "text/html; charset=iso-8859-1")),
        ("http://x.test/gone", "text/html", http_block(b"<p>gone</p>", status="404 Not Found")),
        ("http://x.test/ru", "text/html", http_block(html_page(RUSSIAN).encode("utf-8"))),
    ], gzip_members=gzip_members)
    rows, tally = read(path, read_arc, fmt="arc")
    assert [r["text"] for r in rows] == [GERMAN, RUSSIAN]
    assert skips(tally) == {"warcinfo": 1, "non_html": 1, "http_error_status": 1}
    first = rows[0]
    assert first["url"] == "http://x.test/"
    assert first["meta"]["crawl_date"] == "2008-04-30T20:00:01Z"
    assert first["meta"]["warc_record_id"] is None
    assert first["meta"]["charset"] == "cp1252"
    assert len({r["id"] for r in rows}) == 2  # located by file offset: distinct and stable
    assert [r["id"] for r in read(path, read_arc, fmt="arc")[0]] == [r["id"] for r in rows]


def test_truncated_arc_keeps_records_before_the_damage(tmp_path: Path) -> None:
    path = write_arc(tmp_path / "a.arc.gz", [
        ("http://x.test/1", "text/html", http_block(html_page("One. " * 300).encode())),
        ("http://x.test/2", "text/html", http_block(html_page("Two. " * 300).encode())),
    ], gzip_members=True)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 30])
    rows, tally = read(path, read_arc, fmt="arc")
    assert [r["url"] for r in rows] == ["http://x.test/1"]
    assert skips(tally)["corrupt"] == 1


# -- the shared corpus ------------------------------------------------------------------------

#: (records seen, documents kept, skipped counts) per file, or the error a file must raise.
#: Established by listing record types with FastWARC (they match MANIFEST.md's counts: e.g.
#: warcfile.warc.gz = 1 warcinfo + 17 request + 16 response + 16 metadata; the aut WARC/0.17
#: file = 1 warcinfo + 299 response + 261 request + 261 metadata), then tabulating each
#: response's HTTP status and Content-Type: the aut file has 94 text/html 200 responses, one
#: of them a bare meta-refresh page without text (empty_text); 158 others are images, css,
#: js, plain text, xml and 38 dns: records (non_html); 7 are 301/302 and 40 are 404.
#: clipped.warc.gz is one response whose gzip stream ends mid-body (88038 payload bytes
#: declared, 74970 present). cc_net's hand-made WET uses LF line ends and character counts
#: as Content-Length, so it is read by line framing: a warcinfo and three conversions.
CORPUS: dict[str, tuple[int, int, dict[str, int]] | type[Exception]] = {
    "allenai__dolma/sample-0000.warc.gz":
        (48, 22, {"warcinfo": 1, "request": 22, "metadata": 1, "resource": 2}),
    "allenai__dolma/sample-0001.warc.gz":
        (34, 15, {"warcinfo": 1, "request": 15, "metadata": 1, "resource": 2}),
    "archivesunleashed__aut/example.warc.gz":
        (822, 93, {"warcinfo": 1, "request": 261, "metadata": 261, "non_html": 158,
                   "http_redirect": 7, "http_error_status": 40, "empty_text": 1}),
    "chatnoir-eu__chatnoir-resiliparse/clipped.warc.gz": (1, 0, {"corrupt": 1}),
    "chatnoir-eu__chatnoir-resiliparse/warcfile.warc.gz":
        (50, 16, {"warcinfo": 1, "request": 17, "metadata": 16}),
    "commoncrawl__whirlwind-python/whirlwind.warc":
        (4, 1, {"warcinfo": 1, "request": 1, "metadata": 1}),
    "commoncrawl__whirlwind-python/whirlwind.warc.gz":
        (4, 1, {"warcinfo": 1, "request": 1, "metadata": 1}),
    "commoncrawl__whirlwind-python/whirlwind.warc.wat.gz": (2, 0, {"warcinfo": 1, "metadata": 1}),
    "commoncrawl__whirlwind-python/whirlwind.warc.wet": (2, 1, {"warcinfo": 1}),
    "commoncrawl__whirlwind-python/whirlwind.warc.wet.gz": (2, 1, {"warcinfo": 1}),
    "facebookresearch__cc_net/sample.warc.txt": (4, 3, {"warcinfo": 1}),
    "webrecorder__warcio/example-iana.org-chunked.warc": (3, 1, {"warcinfo": 1, "request": 1}),
    "webrecorder__warcio/example-resource.warc.gz": (3, 0, {"warcinfo": 2, "resource": 1}),
    "webrecorder__warcio/example.warc": (6, 1, {"warcinfo": 2, "request": 2, "revisit": 1}),
    "webrecorder__warcio/example.warc.gz": (6, 1, {"warcinfo": 2, "request": 2, "revisit": 1}),
}


@pytest.fixture(scope="module")
def warc_dir(shared_dir: Path) -> Path:
    return shared_dir / "corpus" / "warc"


def corpus_reader(relpath: str) -> Any:
    """The reader a config would pick: WET by extension, or by ``format: wet`` for cc_net's."""
    return read_wet if ".wet" in relpath or relpath.endswith(".warc.txt") else read_warc


def read_corpus(warc_dir: Path, relpath: str, **options: Any) -> list[dict[str, Any]]:
    return read(warc_dir / relpath, corpus_reader(relpath), **options)[0]


@pytest.mark.integration
def test_corpus_table_lists_every_file(warc_dir: Path) -> None:
    on_disk = {str(p.relative_to(warc_dir)) for p in warc_dir.rglob("*") if p.is_file()}
    assert on_disk == set(CORPUS)


@pytest.mark.integration
@pytest.mark.parametrize("relpath", sorted(CORPUS))
def test_corpus_file_counts(warc_dir: Path, relpath: str) -> None:
    expected = CORPUS[relpath]
    reader = corpus_reader(relpath)
    if isinstance(expected, type):
        with pytest.raises(expected, match=Path(relpath).name):
            read(warc_dir / relpath, reader)
        return
    records, documents, skipped = expected
    rows, tally = read(warc_dir / relpath, reader)
    assert (tally.records, len(rows), skips(tally)) == (records, documents, skipped)
    assert len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        assert row["text"].strip() and row["url"] and not row["url"].startswith("<")
        assert row["meta"]["warc_file"] == relpath.split("/")[-1]
        assert row["meta"]["crawl_date"] and row["meta"]["warc_record_id"]


@pytest.mark.integration
def test_common_crawl_pages_decode_to_real_text(warc_dir: Path) -> None:
    """GBK, GB2312 (mostly declared only in <meta>), windows-1251 and ISO-8859-1 pages."""
    rows = read_corpus(warc_dir, "chatnoir-eu__chatnoir-resiliparse/warcfile.warc.gz")
    by_host = {r["url"].split("/")[2]: r for r in rows}
    expectations = {
        "003338.cn": ("utf-8", "广东省人民政府"),
        "041696.com": ("gb18030", "企业公告"),  # GBK, declared in <meta> only
        "0760.jxtdw.com": ("gb18030", "中山英才网"),  # GB2312 in the HTTP header
        "096355.com": ("gb18030", "您的位置：首页"),  # GB2312 in <meta> only
        "01spb.ru": ("cp1251", "Стратегия пожарной безопасности"),
        "0900-hovenier.nl": ("utf-8", "Hovenier in Oosterbeek"),
    }
    for host, (charset, phrase) in expectations.items():
        assert by_host[host]["meta"]["charset"] == charset, host
        assert phrase in by_host[host]["text"], host
    german = [r for r in rows if r["url"].startswith("http://06.live-radsport.ch/tippspiel")]
    assert german[0]["meta"]["charset"] == "cp1252"  # iso-8859-1 in <meta>
    assert "Übersicht" in german[0]["text"] and "Zurück" in german[0]["text"]
    for row in rows:
        assert "\ufffd" not in row["text"], row["url"]


@pytest.mark.integration
def test_corpus_edge_cases(warc_dir: Path) -> None:
    iana = read_corpus(warc_dir, "webrecorder__warcio/example-iana.org-chunked.warc")
    assert "Internet Assigned Numbers Authority" in iana[0]["text"]
    assert not iana[0]["text"].startswith("1c37")  # the first chunk-size line is gone
    example = read_corpus(warc_dir, "webrecorder__warcio/example.warc.gz")  # gzip-encoded body
    assert example[0]["text"].startswith("Example Domain")
    wet = read_corpus(warc_dir, "commoncrawl__whirlwind-python/whirlwind.warc.wet.gz")
    assert wet[0]["url"] == "https://an.wikipedia.org/wiki/Escopete"
    assert "Escopete" in wet[0]["text"]
    dolma = read_corpus(warc_dir, "allenai__dolma/sample-0000.warc.gz")
    assert "https://www.semanticscholar.org/research/research-team" in {r["url"] for r in dolma}
    aut = read_corpus(warc_dir, "archivesunleashed__aut/example.warc.gz")  # WARC/0.17
    assert all(r["meta"]["crawl_date"].startswith("2008-04-30") for r in aut)
    assert any("archive.org" in r["url"] for r in aut)
    arrow = pa.Table.from_pylist([{"text": r["text"]} for r in aut])  # valid UTF-8 throughout
    assert arrow.num_rows == 93
    cc_net = read_corpus(warc_dir, "facebookresearch__cc_net/sample.warc.txt")  # line-framed WET
    by_url = {r["url"]: r["text"] for r in cc_net}
    assert by_url["http://sample_english.com"].startswith("Famous Mark Twain Quotes")
    assert by_url["http://sample_english.com"].endswith("Truth isn't.")
    assert by_url["http://sample_chinese.zh"].startswith("馬克·吐溫名言")  # Mark Twain, Traditional
    assert any("\u0430" <= ch <= "\u044f" for ch in by_url["http://sample_russian.ru"])
