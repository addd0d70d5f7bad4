"""The texts of a batch and their parts (words, lines, paragraphs), computed once, shared by
every rule family, and held as arrays so that the rules are whole-array operations.

Lines are the spans between newlines of :class:`~stages.quality.tokens.CodePoints` (the texts
joined by newlines), so each gets a length, a hash, its stripped bounds and the words in it
without a Python loop. Texts are measured a few hundred at a time (``stage.MEASURE_ROWS``):
the arrays then stay in the CPU's caches.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from polycorpus.stages.quality.ngrams import NGrams, doc_keys, later_copies
from polycorpus.stages.quality.tokens import SPACE, CodePoints, Tokens, tokenize


@dataclass
class Spans:
    """Spans ``[starts[i], ends[i])`` of code points, each in text ``doc[i]``, in text order."""

    starts: np.ndarray
    ends: np.ndarray
    doc: np.ndarray

    @property
    def lengths(self) -> np.ndarray:
        return self.ends - self.starts

    def take(self, mask: np.ndarray) -> Spans:
        return Spans(self.starts[mask], self.ends[mask], self.doc[mask])


#: Lower-case English letters, most frequent first (space before them): a phrase is searched
#: from its rarest character; any other character counts as rarer than all of these.
_COMMON = " etaoinshrdlcumwfgypbvkjxqz"


def _rarity(char: str) -> int:
    rank = _COMMON.find(char)
    return len(_COMMON) if rank < 0 else rank


class TextBatch:
    """A batch's texts with lazily computed, shared views."""

    def __init__(self, texts: list[str], array: pa.Array | None = None) -> None:
        """``array``: the same texts as Arrow strings, where the caller has them."""
        self.texts = texts
        self.size = len(texts)
        self._array = array
        self._found: dict[tuple[str, bool], np.ndarray] = {}  # positions of a character

    @functools.cached_property
    def array(self) -> pa.Array:
        return self._array if self._array is not None else pa.array(self.texts, pa.string())

    @functools.cached_property
    def codes(self) -> CodePoints:
        return CodePoints.of(self.texts)

    @functools.cached_property
    def lengths(self) -> np.ndarray:
        return self.codes.lengths

    @functools.cached_property
    def tokens(self) -> Tokens:
        return tokenize(self.codes)

    @functools.cached_property
    def token_counts(self) -> np.ndarray:
        return np.diff(self.tokens.offsets)

    def ngrams(self, top: tuple[int, ...], dup: tuple[int, ...]) -> dict[int, np.ndarray]:
        return NGrams(self.tokens).measure(top, dup)

    @functools.cached_property
    def _visible_positions(self) -> np.ndarray:
        return np.flatnonzero((self.codes.classes & SPACE) == 0)

    @functools.cached_property
    def lines(self) -> Spans:
        """``text.split("\\n")`` of every text (the batch's separators are newlines too)."""
        codes = self.codes
        breaks = np.flatnonzero(codes.codes == ord("\n"))
        starts = np.r_[0, breaks + 1]
        ends = np.r_[breaks, len(codes.codes)]
        return Spans(starts, ends, codes.doc_of(starts))

    @functools.cached_property
    def splitlines(self) -> Spans:
        """``text.splitlines()`` for newline-separated text: a final newline starts no line."""
        lines = self.lines
        return lines.take(lines.starts != self.texts_spans.ends[lines.doc])

    @functools.cached_property
    def stripped_lines(self) -> Spans:
        """:attr:`splitlines`, each stripped."""
        return self.stripped(self.splitlines)

    def line_text(self, spans: Spans, i: int) -> str:
        """The text of span ``i`` (for the rare lines a rule looks at one by one)."""
        doc = int(spans.doc[i])
        base = int(self.codes.starts[doc])
        return self.texts[doc][int(spans.starts[i]) - base:int(spans.ends[i]) - base]

    def words_in(self, spans: Spans) -> np.ndarray:
        """Whitespace-separated words in each span (a character of unspaced scripts: one each)."""
        words = self.tokens.words
        return np.searchsorted(words, spans.ends) - np.searchsorted(words, spans.starts)

    def visible(self, spans: Spans) -> np.ndarray:
        """Whether each span has a non-space character."""
        positions = self._visible_positions
        return np.searchsorted(positions, spans.ends) > np.searchsorted(positions, spans.starts)

    def stripped(self, spans: Spans) -> Spans:
        """Each span without its leading and trailing whitespace (empty where all is space)."""
        positions = self._visible_positions
        if not len(positions):
            return Spans(spans.starts, spans.starts, spans.doc)
        first = positions[np.minimum(np.searchsorted(positions, spans.starts), len(positions) - 1)]
        last = positions[np.maximum(np.searchsorted(positions, spans.ends) - 1, 0)] + 1
        visible = self.visible(spans)
        return Spans(np.where(visible, first, spans.starts), np.where(visible, last, spans.starts), spans.doc)

    def first_code(self, spans: Spans) -> np.ndarray:
        """The code of each span's first character (0 for empty spans)."""
        codes = self.codes.codes
        return np.where(spans.lengths > 0, codes[np.minimum(spans.starts, max(len(codes) - 1, 0))], 0)

    @functools.cached_property
    def texts_spans(self) -> Spans:
        starts = self.codes.starts
        return Spans(starts, starts + self.lengths, np.arange(self.size))

    @functools.cached_property
    def paragraphs(self) -> Spans:
        """``re.split(r"\n{2,}", text.strip())`` of every text: runs of lines between empty
        lines, inside the stripped text."""
        lines, texts = self.lines, self.stripped(self.texts_spans)
        bounds = Spans(texts.starts[lines.doc], texts.ends[lines.doc], lines.doc)
        inside = (lines.ends >= bounds.starts) & (lines.starts <= bounds.ends) & (bounds.ends > bounds.starts)
        member = inside & (lines.ends > lines.starts)
        rows = np.flatnonzero(member)
        if not len(rows):
            return Spans(rows, rows, rows)
        begins = np.r_[True, (rows[1:] != rows[:-1] + 1) | (lines.doc[rows[1:]] != lines.doc[rows[:-1]])]
        first, last = rows[begins], rows[np.r_[np.flatnonzero(begins)[1:] - 1, len(rows) - 1]]
        doc = lines.doc[first]
        return Spans(np.maximum(lines.starts[first], texts.starts[doc]),
                     np.minimum(lines.ends[last], texts.ends[doc]), doc)

    def ends_with(self, spans: Spans, suffix: str) -> np.ndarray:
        """Whether each span ends with ``suffix``."""
        codes = self.codes.codes
        ok = spans.lengths >= len(suffix)
        for i, char in enumerate(reversed(suffix)):
            ok &= codes[np.maximum(spans.ends - 1 - i, 0)] == ord(char)
        return ok

    def per_doc(self, spans: Spans, values: np.ndarray | None = None) -> np.ndarray:
        """Per text: how many spans (or the sum of ``values``, one per span)."""
        if values is None:
            return np.bincount(spans.doc, minlength=self.size)
        return np.bincount(spans.doc, weights=values, minlength=self.size)

    def repeats(self, spans: Spans) -> np.ndarray:
        """Whether each span repeats an earlier span of its text (same characters)."""
        return later_copies(doc_keys(spans.doc, self.codes.hashes(spans.starts, spans.ends)))

    def duplicates(self, spans: Spans) -> tuple[np.ndarray, np.ndarray]:
        """Per text: the number of spans repeating an earlier one, and their characters."""
        later = self.repeats(spans)
        repeated = spans.take(later)
        return self.per_doc(repeated), self.per_doc(repeated, repeated.lengths.astype(np.float64))

    def find(self, phrase: str, ignore_case: bool = False) -> np.ndarray:
        """Where ``phrase`` starts (overlapping finds included), in code-point positions.

        ``ignore_case`` folds ASCII letters (for phrases of letters and spaces: it also
        folds some punctuation, ``[`` to ``{``). The search starts from the phrase's rarest
        character, whose positions are shared by every phrase of the batch that has it."""
        codes = self._folded if ignore_case else self.codes.codes
        if ignore_case:
            phrase = phrase.lower()
        anchor = max(range(len(phrase)), key=lambda i: _rarity(phrase[i]))
        found = self._positions(phrase[anchor], ignore_case) - anchor
        found = found[(found >= 0) & (found + len(phrase) <= len(codes))]
        for offset, char in enumerate(phrase):
            if offset != anchor:
                found = found[codes[found + offset] == ord(char)]
        # Inside one text: not over the newlines that join them.
        doc = self.codes.doc_of(found)
        return found[found + len(phrase) <= self.codes.starts[doc] + self.lengths[doc]]

    def _positions(self, char: str, folded: bool) -> np.ndarray:
        key = (char, folded)
        if key not in self._found:
            self._found[key] = np.flatnonzero((self._folded if folded else self.codes.codes) == ord(char))
        return self._found[key]

    @functools.cached_property
    def _folded(self) -> np.ndarray:
        return self.codes.codes | np.uint32(0x20)  # A-Z to a-z; other ASCII letters unchanged

    def count(self, needle: str) -> np.ndarray:
        """Per text: non-overlapping occurrences of ``needle`` (``str.count``)."""
        found = self.find(needle)
        if len(needle) > 1 and len(found) > 1:  # a find overlapping the one kept before it goes
            keep = np.ones(len(found), dtype=bool)
            last = -len(needle)
            for i, position in enumerate(found.tolist()):
                if position - last < len(needle):
                    keep[i] = False
                else:
                    last = position
            found = found[keep]
        return np.bincount(self.codes.doc_of(found), minlength=self.size)


def ratio(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """part / whole, 0 where whole is 0."""
    part, whole = np.asarray(part, dtype=np.float64), np.asarray(whole, dtype=np.float64)
    return np.divide(part, whole, out=np.zeros_like(part), where=whole != 0)
