"""Words, lines, paragraphs and sentences of a document, for scripts with and without spaces.

The published rule sets (Gopher, C4, FineWeb) count whitespace-separated words. Chinese,
Japanese and Thai are written without spaces, so a whitespace "word" there is a whole
clause. Here every character of those scripts is a word of its own (a Chinese word is 1-2
characters, and character n-grams are what CJK deduplication uses too), while runs of other
scripts inside the same text stay whitespace words. One tokenisation serves every language
and mixed pages alike; the per-language thresholds then say what a "word" is worth.

Sentences end at Western or CJK terminal punctuation; Thai marks sentence ends with a space,
so in Thai text a whitespace run ends a sentence as well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

#: Scripts written without spaces between words: Han (with extensions), kana, Thai, Lao,
#: Myanmar, Khmer. Explicit ranges keep this on the standard ``re`` engine, which is 2-3x
#: faster here than ``regex`` with Unicode script properties.
_THAI_LIKE_RANGES = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"
UNSPACED = ("\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
            "\U00020000-\U0003134f" + _THAI_LIKE_RANGES)
#: Combining vowel, tone and voicing marks, which stay on the character before them.
_MARKS = ("\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\u0eb1\u0eb4-\u0ebc\u0ec8-\u0ecd\u102b-\u103e"
          "\u1056-\u1059\u105e-\u1060\u1062-\u1064\u1067-\u106d\u1071-\u1074\u1082-\u108d"
          "\u108f\u109a-\u109d\u17b4-\u17d3\u17dd\u3099\u309a")
#: CJK punctuation and full-width forms stand alone too, as the characters around them.
_SINGLE = UNSPACED + "\u3000-\u303f\uff00-\uffef"
WORD = re.compile(f"[{_SINGLE}][{_MARKS}]*|[^\\s{_SINGLE}]+")
_SPACED_WORD = re.compile(f"[^\\s{_SINGLE}]+")
_THAI_LIKE = re.compile(f"[{_THAI_LIKE_RANGES}]")
#: Sentence ends: Western, CJK, Devanagari (danda), Arabic, Armenian, Ethiopic, Myanmar.
_ENDS = ".!?。！？…‼⁇⁈⁉।॥؟۔։።။"
_SENTENCE_END = re.compile(f"[{_ENDS}]+[\"'”’」』)）]*(?:\\s+|$)|(?<=[。！？।])")
_PARAGRAPHS = re.compile(r"\n\s*\n")
#: Line endings that count as the end of a sentence (C4, FineWeb).
TERMINAL_PUNCTUATION = tuple(_ENDS + "\"'”’“»」』)）")


@dataclass
class Document:
    """Lazily computed views of one text; each is computed once and shared by every rule."""

    text: str

    @cached_property
    def words(self) -> list[str]:
        return WORD.findall(self.text)

    @cached_property
    def spaced_words(self) -> list[str]:
        """Only the words of scripts written with spaces (a Chinese character has no
        "word length"; an English word inside a Chinese page has)."""
        return _SPACED_WORD.findall(self.text)

    @cached_property
    def lines(self) -> list[str]:
        """Non-empty lines, stripped."""
        return [line for line in (raw.strip() for raw in self.text.split("\n")) if line]

    @cached_property
    def paragraphs(self) -> list[str]:
        return [p for p in (raw.strip() for raw in _PARAGRAPHS.split(self.text)) if p]


def sentences(text: str) -> list[str]:
    """Sentences of a text (or a line): split after terminal punctuation, and at whitespace
    inside Thai, Lao, Khmer and Myanmar text, which mark sentence ends with a space."""
    parts = [s.strip() for s in _SENTENCE_END.split(text)]
    if _THAI_LIKE.search(text):
        parts = [piece for part in parts for piece in part.split()]
    return [p for p in parts if p]


def duplicates(items: list[str]) -> tuple[int, int]:
    """(number of items that repeat an earlier one, their characters)."""
    seen: set[str] = set()
    count = chars = 0
    for item in items:
        if item in seen:
            count += 1
            chars += len(item)
        else:
            seen.add(item)
    return count, chars
