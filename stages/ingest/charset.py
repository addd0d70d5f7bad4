"""Bytes to text for crawled pages: pick the charset a browser would, but never produce mojibake.

Declarations on the web are often wrong (a Chinese page served as ``ISO-8859-1``, a UTF-8 page
whose template still says ``windows-1251``). So a declared charset is only trusted when the
bytes decode strictly with it, and a single-byte declaration never beats bytes that are valid
UTF-8 with multibyte sequences (no real single-byte text looks like that by chance). Otherwise
statistical detection decides. Labels map to codecs as the WHATWG Encoding Standard says
(``iso-8859-1`` and ``ascii`` mean windows-1252, ``gb2312`` and ``gbk`` mean GB18030, ...).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from functools import lru_cache

from resiliparse.parse.encoding import detect_encoding, map_encoding_to_html5

#: Browsers decode these legacy labels with a superset codec; Python's narrower codecs would
#: reject characters real pages use (e.g. GB18030-only hanzi on a page labelled gb2312).
_SUPERSET_CODECS = {
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "big5": "big5hkscs",
    "iso8859-11": "cp874",
}

#: Codecs where one character may span several bytes; every other web codec is single-byte.
_MULTIBYTE_CODECS = frozenset(
    {"utf-8", "utf-16-le", "utf-16-be", "gb18030", "big5hkscs", "euc_jp", "iso2022_jp", "cp932",
     "cp949"}
)

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))

#: Both ``<meta charset=x>`` and ``<meta http-equiv=Content-Type content="...; charset=x">``.
_META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([-\w.:]+)", re.IGNORECASE)
_META_SCAN_BYTES = 4096

_CHARSET_PARAM = re.compile(r"charset\s*=\s*[\"']?\s*([-\w.:]+)", re.IGNORECASE | re.ASCII)
#: What a charset label can look like; anything else (NULs, non-ASCII) is not worth a lookup.
_LABEL = re.compile(r"[-\w.:]{1,40}", re.ASCII)

#: C0/C1 controls (except tab, newline, carriage return) and lone surrogates, which extractors
#: pass through from numeric character references (Arrow rejects surrogates outright), and
#: stray byte order marks that template includes leave in the middle of pages.
_UNSAFE_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufeff]")


@lru_cache(maxsize=1024)
def web_codec(label: str) -> str | None:
    """The Python codec a browser would use for a charset label, or None if unknown.

    UTF-16 labels are ignored: without a byte order mark they are almost always wrong (the
    WHATWG prescan turns them into UTF-8 too), and decoding ASCII as UTF-16 "succeeds".
    """
    label = label.strip().strip("\"'").lower()
    if not _LABEL.fullmatch(label):
        return None
    name = map_encoding_to_html5(label, fallback_utf8=False)
    if name is None:  # not a WHATWG label, but maybe a Python alias of one ("latin-1")
        try:
            name = map_encoding_to_html5(codecs.lookup(label).name, fallback_utf8=False)
        except LookupError:
            return None
    if name is None:
        return None
    name = codecs.lookup(name).name
    if name.startswith("utf-16"):
        return None
    return _SUPERSET_CODECS.get(name, name)


def split_content_type(value: str | None) -> tuple[str | None, str | None]:
    """``'text/html; charset=GBK'`` -> ``('text/html', 'GBK')``; absent parts are None."""
    if not value:
        return None, None
    mime = value.split(";", 1)[0].strip().lower() or None
    match = _CHARSET_PARAM.search(value)
    return mime, match.group(1) if match else None


def decode_html(body: bytes, declared: str | None) -> tuple[str, str]:
    """Decode an HTML payload: BOM, then HTTP charset, then ``<meta>``, then detection.

    Returns the text and the codec actually used.
    """
    return _decode(body, _declarations(body, declared, markup=True))


def decode_text(body: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode a plain-text payload (WET conversion records): BOM, declaration, detection."""
    return _decode(body, _declarations(body, declared, markup=False))


def clean_text(text: str) -> str:
    """Drop control characters and lone surrogates so the text is valid, printable UTF-8."""
    return _UNSAFE_CHARS.sub("", text)


def _declarations(body: bytes, declared: str | None, *, markup: bool) -> Iterator[str]:
    """Charset labels in order of authority; ``<meta>`` is scanned only if the header fails."""
    if declared:
        yield declared
    if markup:
        match = _META_CHARSET.search(body, 0, _META_SCAN_BYTES)
        if match:
            yield match.group(1).decode("ascii")


def _decode(body: bytes, labels: Iterator[str]) -> tuple[str, str]:
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(codec, errors="replace"), codec
    tried: set[str] = set()
    for label in labels:
        codec = web_codec(label)
        if codec is None or codec in tried:
            continue
        tried.add(codec)
        decoded = _decode_declared(body, codec)
        if decoded is not None:
            return decoded
    return _detect(body)


def _decode_declared(body: bytes, codec: str) -> tuple[str, str] | None:
    """Decode with a declared codec, or None when the bytes show the declaration is wrong."""
    text = _strict(body, codec)
    if text is None:
        return None
    if codec not in _MULTIBYTE_CODECS and not body.isascii():
        utf8 = _strict(body, "utf-8")
        if utf8 is not None:  # valid UTF-8 with multibyte sequences: the label is stale
            return utf8, "utf-8"
    return text, codec


def _detect(body: bytes) -> tuple[str, str]:
    """No usable declaration: valid UTF-8 is UTF-8, anything else goes to the detector."""
    text = _strict(body, "utf-8")
    if text is not None:
        return text, "utf-8"
    detected = detect_encoding(body)
    codec = (web_codec(detected) if detected else None) or "cp1252"
    return body.decode(codec, errors="replace"), codec


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except UnicodeDecodeError:
        return None
