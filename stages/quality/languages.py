"""Built-in per-language overrides of the published (English-made) defaults.

In Chinese, Japanese and Thai every character is a word (see :mod:`stages.quality.text`),
so word-length bounds mean nothing and a minimum of 50 "words" is a single sentence: the
minimum becomes 100 characters in Chinese and Japanese (a word is 1.5-2 characters) and 150
in Thai (about 3 per word). Thai ends neither lines nor sentences with punctuation. The user's ``languages`` overrides are
applied over these, key by key (``zh`` covers ``zh-Hans`` and ``zh-Hant``).
"""

from __future__ import annotations

from typing import Any

_CHARACTER_WORDS: dict[str, dict[str, Any]] = {
    "gopher_quality": {"min_avg_word_length": None, "max_avg_word_length": None, "min_doc_words": 100},
    "fineweb": {"short_line_length": 15},
}

LANGUAGE_DEFAULTS: dict[str, dict[str, dict[str, Any]]] = {
    "zh": _CHARACTER_WORDS,
    "ja": _CHARACTER_WORDS,
    "th": {
        "gopher_quality": {"min_avg_word_length": None, "max_avg_word_length": None, "min_doc_words": 150},
        "c4": {"terminal_punctuation": False},
        # 5 Thai characters are about one word: its repeated character n-grams are twice as
        # frequent in clean text (UD Thai, 10-sentence documents: up to 0.22 for 5-grams).
        "gopher_repetition": {f"max_dup_{n}gram_ratio": round(2 * (0.20 - 0.01 * n), 2) for n in range(5, 11)},
        "fineweb": {"min_line_punct_ratio": None},
    },
    # Korean words (eojeol) carry their particles: long, but 2-3 syllables when short.
    "ko": {"gopher_quality": {"min_avg_word_length": 2}},
}


def overrides_for(lang: str | None, user: dict[str, dict[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Family -> option overrides for ``lang``: built-in, then the user's, base language first."""
    merged: dict[str, dict[str, Any]] = {}
    if lang is None:
        return merged
    keys = [lang.split("-", 1)[0]] + ([lang] if "-" in lang else [])
    for table in (LANGUAGE_DEFAULTS, user):
        for key in keys:
            for family, options in table.get(key, {}).items():
                merged.setdefault(family, {}).update(options)
    return merged
