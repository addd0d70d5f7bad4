"""Gopher quality and repetition rules (Rae et al. 2021, "Scaling Language Models", App. A).

Defaults are the published values, as datatrove implements them (character ratios are over
the length of the whole text). Words are the script-aware
tokens of :mod:`stages.quality.text`; for Chinese, Japanese and Thai the per-language
defaults in :mod:`stages.quality.languages` switch off the rules that assume spaced words.
"""

from __future__ import annotations

import re
from collections import Counter
from operator import itemgetter

import pyarrow as pa

from polycorpus.stages.quality.config import (
    GopherQualityOptions,
    GopherRepetitionOptions,
)
from polycorpus.stages.quality.rules import Family, Rule, ratio
from polycorpus.stages.quality.stopwords import UNSPACED_LANGUAGES, stop_words_for
from polycorpus.stages.quality.text import Document, duplicates

#: En and em dashes are not bullets: they open dialogue lines in Polish, Russian and others.
_BULLETS = ("•", "●", "○", "◦", "▪", "▫", "‣", "⁃", "-", "*", "·")
_ELLIPSES = ("...", "…", "。。。")
_LETTER = re.compile(r"[^\W\d_]")  # a letter of any script


def measure_quality(doc: Document, options: GopherQualityOptions, lang: str | None):
    words = doc.words
    n = len(words)
    lines = doc.lines
    text = doc.text
    symbols = text.count("#") + sum(text.count(e) for e in _ELLIPSES)
    stop_words = stop_words_for(lang, options.stop_words)
    stops: int | None = None
    if stop_words is not None:
        if lang.split("-", 1)[0] in UNSPACED_LANGUAGES:
            stops = sum(text.count(w) for w in set(stop_words))
        else:
            stops = sum(map(frozenset(stop_words).__contains__, map(str.lower, words)))
    return {
        "words": n,
        "mean_word_length": ratio(sum(map(len, doc.spaced_words)), len(doc.spaced_words)) if doc.spaced_words else None,
        "symbol_word_ratio": ratio(symbols, n),
        "bullet_lines_ratio": ratio(sum(1 for line in lines if line.startswith(_BULLETS)), len(lines)),
        "ellipsis_lines_ratio": ratio(sum(1 for line in lines if line.endswith(_ELLIPSES)), len(lines)),
        "alpha_words_ratio": ratio(n - sum(1 for w in words if not w.isalpha() and not _LETTER.search(w)), n),
        "stop_words": stops,
    }, None


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


def _top_ngram_chars(words: list[str], n: int) -> int:
    """Characters covered by the most frequent n-gram (its length times its count)."""
    if len(words) < n:
        return 0
    counts = Counter(zip(*(words[i:] for i in range(n)), strict=False))
    gram, count = max(counts.items(), key=itemgetter(1))
    return sum(len(w) for w in gram) * count if count > 1 else 0


def _dup_ngram_chars(words: list[str], n: int) -> int:
    """Characters of the words covered by n-grams that occurred before (each word once)."""
    first: dict[tuple[str, ...], int] = {}
    covered = [False] * len(words)
    repeats = 0
    for i, gram in enumerate(zip(*(words[k:] for k in range(n)), strict=False)):
        if first.setdefault(gram, i) != i:
            repeats += 1
            covered[i:i + n] = [True] * n
    return sum(len(w) for w, c in zip(words, covered, strict=True) if c) if repeats else 0


def measure_repetition(doc: Document, options: GopherRepetitionOptions, lang: str | None):
    lines, paragraphs, words = doc.lines, doc.paragraphs, doc.words
    line_dups, line_chars = duplicates(lines)
    para_dups, para_chars = duplicates(paragraphs)
    total = len(doc.text)
    signals = {
        "dup_line_ratio": ratio(line_dups, len(lines)),
        "dup_para_ratio": ratio(para_dups, len(paragraphs)),
        "dup_line_char_ratio": ratio(line_chars, total),
        "dup_para_char_ratio": ratio(para_chars, total),
    }
    for n in TOP_NGRAMS:
        signals[f"top_{n}gram_ratio"] = ratio(_top_ngram_chars(words, n), total)
    chars = 1
    for n in DUP_NGRAMS:
        # An n-gram can only repeat where its (n-1)-gram prefix does: clean text stops early.
        chars = _dup_ngram_chars(words, n) if chars else 0
        signals[f"dup_{n}gram_ratio"] = ratio(chars, total)
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
