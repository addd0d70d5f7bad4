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

from dataclasses import dataclass
from functools import cached_property

import regex

#: Scripts written without spaces between words; a "character" keeps its combining marks
#: (Thai vowels and tone marks, Japanese voicing marks).
UNSPACED = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}"
#: CJK punctuation and full-width forms stand alone too, as the characters around them.
_SINGLE = UNSPACED + r"\u3000-\u303f\uff00-\uffef"
WORD = regex.compile(f"[{_SINGLE}]\\p{{M}}*|[^\\s{_SINGLE}]+")
_SPACED_WORD = regex.compile(f"[^\\s{_SINGLE}]+")
_THAI_LIKE = regex.compile(r"[\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]")
#: Sentence ends: Western, CJK, Devanagari (danda), Arabic, Armenian, Ethiopic, Myanmar.
_ENDS = ".!?。！？…‼⁇⁈⁉।॥؟۔։።။"
_SENTENCE_END = regex.compile(f"[{_ENDS}]+[\"'”’」』)）]*(?:\\s+|$)|(?<=[。！？।])")
_PARAGRAPHS = regex.compile(r"\n\s*\n")
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
