"""Chinese web rules: share of CJK characters, spam/gambling phrases, sensitive words.

Coarse rules of the kind the Yuan 1.0 team ran over years of Chinese crawl before its learned
filter: a "Chinese" page that is mostly Latin letters, digits and symbols is navigation or
junk; gambling and advertising pages are recognisable by their stock phrases (a bundled
list, extendable); and every user has their own list of words no page may contain. The
phrase and word lists are measurement parameters; the thresholds are re-appliable.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import numpy as np
import pyarrow as pa

from polycorpus.stages.quality.batch import TextBatch, ratio
from polycorpus.stages.quality.config import ChineseOptions
from polycorpus.stages.quality.rules import Family, Rule, Signals

_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_SPACE = re.compile(r"\s")


@functools.cache
def _read_list(path: str) -> tuple[str, ...]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return tuple(w.strip() for w in lines if w.strip() and not w.lstrip().startswith("#"))


@functools.cache
def _pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """One alternation, longest first so that overlapping phrases count once."""
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w))))


def _phrases(files: list[str], inline: list[str] | tuple[str, ...] = ()) -> re.Pattern[str] | None:
    return _pattern(tuple(inline) + tuple(w for f in files for w in _read_list(f)))


def measure_chinese(batch: TextBatch, options: ChineseOptions, lang: str | None) -> tuple[Signals, None]:
    spam = _phrases(options.spam_phrases_files)
    sensitive = _phrases(options.sensitive_words_files, options.sensitive_words)
    cjk, visible, spam_chars, found = (np.zeros(batch.size) for _ in range(4))
    for i, text in enumerate(batch.texts):  # only the texts of the languages it applies to
        cjk[i] = len(_CJK.findall(text))
        visible[i] = len(text) - len(_SPACE.findall(text))
        spam_chars[i] = sum(len(_CJK.findall(m)) for m in spam.findall(text)) if spam else 0
        found[i] = len(sensitive.findall(text)) if sensitive else np.nan
    return {
        "cjk_ratio": ratio(cjk, visible),
        "spam_ratio": ratio(spam_chars, cjk),
        "sensitive_words": found,
    }, None


CHINESE = Family(
    name="chinese",
    options=ChineseOptions,
    signals={"cjk_ratio": pa.float32(), "spam_ratio": pa.float32(), "sensitive_words": pa.int32()},
    rules=(
        Rule("min_cjk_ratio", "cjk_ratio", "min"),
        Rule("max_spam_ratio", "spam_ratio", "max"),
        Rule("max_sensitive_words", "sensitive_words", "max"),
    ),
    measure=measure_chinese,
)
