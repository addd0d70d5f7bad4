"""Gopher quality and repetition rules (Rae et al. 2021, "Scaling Language Models", App. A).

Defaults are the published values, measured as datatrove measures them (FineWeb's decisions
were taken with it): words are spaCy-style tokens (:mod:`stages.quality.tokens`), a "word"
for the length rules is a token that is not only punctuation, and character ratios are over
the length of the whole text. For Chinese, Japanese and Thai, where every character is a
word, the per-language defaults in :mod:`stages.quality.languages` switch off the rules
that assume spaced words. Deliberate differences from datatrove: more bullet characters
(``●``, ``▪``, ``*``, ...), the CJK ellipsis ``。。。``, and stop words matched regardless of
capitalisation and, in unspaced scripts, as substrings.
"""

from __future__ import annotations

import functools

import numpy as np
import pyarrow as pa

from polycorpus.stages.quality.batch import TextBatch, ratio
from polycorpus.stages.quality.config import GopherQualityOptions, GopherRepetitionOptions
from polycorpus.stages.quality.rules import Family, Rule, Signals
from polycorpus.stages.quality.stopwords import UNSPACED_LANGUAGES, stop_words_for
from polycorpus.stages.quality.tokens import CodePoints

#: En and em dashes are not bullets: they open dialogue lines in Polish, Russian and others.
_BULLETS = np.array([ord(c) for c in "•●○◦▪▫‣⁃-*·"], dtype=np.uint32)
_ELLIPSES = ("...", "…", "。。。")


def measure_quality(batch: TextBatch, options: GopherQualityOptions, lang: str | None) -> tuple[Signals, None]:
    tokens = batch.tokens
    total = batch.token_counts
    word = ~tokens.is_symbol
    words = tokens.per_doc(word)
    symbols = np.maximum(batch.count("#"), batch.count("...") + batch.count("…") + batch.count("。。。"))
    lines = batch.splitlines
    line_count = batch.per_doc(lines)
    stripped = batch.stripped_lines
    bullet = np.isin(batch.first_code(stripped), _BULLETS)
    ellipsis = np.zeros(len(lines.starts), dtype=bool)
    for mark in _ELLIPSES:
        ellipsis |= batch.ends_with(stripped, mark)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_length = tokens.per_doc(np.where(word, tokens.lengths, 0)) / words  # NaN without words
    return {
        "words": words.astype(np.float64),
        "mean_word_length": mean_length,
        "symbol_word_ratio": ratio(symbols, total),
        "bullet_lines_ratio": ratio(batch.per_doc(lines, bullet.astype(np.float64)), line_count),
        "ellipsis_lines_ratio": ratio(batch.per_doc(lines, ellipsis.astype(np.float64)), line_count),
        "alpha_words_ratio": ratio(tokens.per_doc(tokens.has_letter), total),
        "stop_words": _stop_words(batch, options, lang),
    }, None


def _stop_words(batch: TextBatch, options: GopherQualityOptions, lang: str | None) -> np.ndarray:
    """How many different stop words of ``lang`` each text has (NaN: no list for it)."""
    words = stop_words_for(lang, options.stop_words)
    if words is None:
        return np.full(batch.size, np.nan)
    unique = tuple(sorted(set(words)))
    if lang.split("-", 1)[0] in UNSPACED_LANGUAGES:
        return np.array([sum(w in text for w in unique) for text in batch.texts], dtype=np.float64)
    hashes, index = _stop_word_hashes(unique)
    tokens = batch.tokens
    where = np.minimum(np.searchsorted(hashes, tokens.hashes), len(hashes) - 1)
    found = np.flatnonzero(hashes[where] == tokens.hashes)
    doc = np.searchsorted(tokens.offsets, found, side="right") - 1
    pairs = np.unique(doc * len(unique) + index[where[found]])
    return np.bincount(pairs // len(unique), minlength=batch.size).astype(np.float64)


@functools.cache
def _stop_word_hashes(words: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The word hashes of ``words`` in any capitalisation, sorted, and which word each is."""
    variants = [(i, v) for i, w in enumerate(words) for v in {w, w.lower(), w.capitalize(), w.upper()}]
    codes = CodePoints.of([v for _, v in variants])
    hashes = codes.hashes(codes.starts, codes.starts + codes.lengths)
    order = np.argsort(hashes)
    return hashes[order], np.array([i for i, _ in variants])[order]


GOPHER_QUALITY = Family(
    name="gopher_quality",
    options=GopherQualityOptions,
    signals={"words": pa.int32(), "mean_word_length": pa.float32(), "symbol_word_ratio": pa.float32(),
             "bullet_lines_ratio": pa.float32(), "ellipsis_lines_ratio": pa.float32(),
             "alpha_words_ratio": pa.float32(), "stop_words": pa.int32()},
    rules=(
        Rule("min_doc_words", "words", "min"),
        Rule("max_doc_words", "words", "max"),
        Rule("min_avg_word_length", "mean_word_length", "min"),
        Rule("max_avg_word_length", "mean_word_length", "max"),
        Rule("max_symbol_word_ratio", "symbol_word_ratio", "max"),
        Rule("max_bullet_lines_ratio", "bullet_lines_ratio", "max"),
        Rule("max_ellipsis_lines_ratio", "ellipsis_lines_ratio", "max"),
        Rule("min_alpha_words_ratio", "alpha_words_ratio", "min"),
        Rule("min_stop_words", "stop_words", "min"),
    ),
    measure=measure_quality,
)

TOP_NGRAMS = (2, 3, 4)
DUP_NGRAMS = (5, 6, 7, 8, 9, 10)


def measure_repetition(batch: TextBatch, options: GopherRepetitionOptions, lang: str | None) -> tuple[Signals, None]:
    total = batch.lengths
    # re.split("\n+", text): lines without the empty ones, except at the very start and end.
    lines, texts = batch.lines, batch.texts_spans
    at_edge = (lines.starts == texts.starts[lines.doc]) | (lines.ends == texts.ends[lines.doc])
    lines = lines.take((lines.ends > lines.starts) | at_edge)
    line_dups, line_chars = batch.duplicates(lines)
    paragraphs = batch.paragraphs
    para_dups, para_chars = batch.duplicates(paragraphs)
    signals = {
        "dup_line_ratio": ratio(line_dups, batch.per_doc(lines)),
        "dup_para_ratio": ratio(para_dups, batch.per_doc(paragraphs)),
        "dup_line_char_ratio": ratio(line_chars, total),
        "dup_para_char_ratio": ratio(para_chars, total),
    }
    chars = batch.ngrams(TOP_NGRAMS, DUP_NGRAMS)
    for n in TOP_NGRAMS:
        signals[f"top_{n}gram_ratio"] = ratio(chars[n], total)
    for n in DUP_NGRAMS:
        signals[f"dup_{n}gram_ratio"] = ratio(chars[n], total)
    return signals, None


_REPETITION_SIGNALS = ["dup_line_ratio", "dup_para_ratio", "dup_line_char_ratio", "dup_para_char_ratio"] + [
    f"top_{n}gram_ratio" for n in TOP_NGRAMS] + [f"dup_{n}gram_ratio" for n in DUP_NGRAMS]

GOPHER_REPETITION = Family(
    name="gopher_repetition",
    options=GopherRepetitionOptions,
    signals={name: pa.float32() for name in _REPETITION_SIGNALS},
    rules=tuple(Rule(f"max_{name}", name, "max") for name in _REPETITION_SIGNALS),
    measure=measure_repetition,
)
