"""Shingles by kind and language, and the normalisation behind exact duplicates.

Word n-grams suit space-delimited text; Chinese, Japanese, Thai and similar scripts get
character n-grams (5 characters are roughly 2-3 Chinese words); code gets n-grams of its
tokens (identifiers, numbers and each punctuation mark), so that reformatting alone does not
make two files look different. Text is lower-cased and whitespace-collapsed first.
"""

from __future__ import annotations

import re

import xxhash

from polycorpus.stages.dedup.config import MinHashParams

SPACELESS = frozenset({"zh", "zh-Hans", "zh-Hant", "ja", "th", "lo", "km", "my", "bo", "dz"})
_WORD = re.compile(r"\w+")
_CODE_TOKEN = re.compile(r"\w+|[^\w\s]")


def exact_key(text: str) -> bytes:
    """128-bit hash of the text with whitespace runs collapsed and the ends stripped.

    ``str.split()`` splits on exactly the characters ``\\s`` matches (``str.isspace``), so this
    is ``re.sub(r"\\s+", " ", text).strip()``, about four times faster on 2 KB documents
    (the regex took ~15% of a document's signature time).
    """
    return xxhash.xxh3_128_digest(" ".join(text.split()).encode("utf-8", "surrogatepass"))


def _ngrams(units: list[str], n: int, sep: str) -> list[str]:
    if len(units) <= n:
        return [sep.join(units)] if units else []
    return [sep.join(units[i : i + n]) for i in range(len(units) - n + 1)]


def shingles(text: str, kind: str, lang: str | None, params: MinHashParams) -> list[bytes]:
    """The distinct shingles of a document, as bytes (empty for a document with no content).

    Only the first ``max_shingle_chars`` characters count: a 50 MB document must not make
    millions of shingles, and near-duplicates share their beginnings anyway.
    """
    text = text[: params.max_shingle_chars].lower()
    if params.shingle == "char" or (params.by_language and lang in SPACELESS and kind != "code"):
        n = params.ngram if params.shingle == "char" else params.cjk_char_ngram
        grams = _ngrams(list("".join(text.split())), n, "")
    elif kind == "code":
        grams = _ngrams(_CODE_TOKEN.findall(text), params.ngram, " ")
    else:
        grams = _ngrams(_WORD.findall(text), params.ngram, " ")
    return [gram.encode("utf-8", "surrogatepass") for gram in dict.fromkeys(grams)]
