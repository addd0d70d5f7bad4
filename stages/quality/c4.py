"""C4 rules (Raffel et al. 2020, "Exploring the Limits of Transfer Learning", section 2.2).

C4 goes through a page line by line (stripped), as datatrove's ``C4QualityFilter`` does:
a line with a word longer than 1000 characters goes; Wikipedia-style citations (``[1]``,
``[edit]``, ``[citation needed]``) are cut out; a line without terminal punctuation (or
ending in an ellipsis) goes, as does one with fewer than 3 words; "lorem ipsum" in a line
still standing drops the page; lines mentioning JavaScript go; a curly bracket in a line
still standing drops the page (code); cookie/privacy/terms lines go. A page with fewer than
5 sentences in its remaining lines is dropped. The "bad words" list of C4 is not bundled:
give such a list to the Chinese/sensitive-word family (``sensitive_words``) instead.

Words of scripts without spaces count one a character (a deliberate difference: a Chinese
line is not "one word"), and sentence ends include those of other scripts.

The lines are spans of the batch's code points: word counts, line ends and sentence breaks
are array operations; the phrase rules first ask which texts contain a phrase at all and
then look at the lines of those few texts.

The signals are measured on the lines C4 keeps. The line removal itself is a transform: in
``filter`` mode with ``remove_lines`` the kept documents become their kept lines; ``annotate``
mode never changes a text.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa

from polycorpus.stages.quality.batch import Spans, TextBatch, ratio
from polycorpus.stages.quality.config import C4Options
from polycorpus.stages.quality.rules import Family, Rule, Signals
from polycorpus.stages.quality.text import TERMINAL_PUNCTUATION
from polycorpus.stages.quality.tokens import CLOSER, SENTENCE_END, SPACE, THAI

_POLICY = ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies")
_CITATIONS = re.compile(r"\[\d*]|\[edit]|\[citation needed]")
_TERMINALS = np.array(sorted(ord(c) for c in set(TERMINAL_PUNCTUATION)), dtype=np.uint32)
#: Full stops after which a sentence starts without a space (CJK, Devanagari).
_UNSPACED_ENDS = np.array([ord(c) for c in "。！？।"], dtype=np.uint32)


def measure_c4(batch: TextBatch, options: C4Options, lang: str | None) -> tuple[Signals, list[str | None] | None]:
    lines = batch.splitlines
    stripped = batch.stripped_lines
    total = batch.per_doc(lines)
    words = batch.words_in(lines)
    keep = ~_has_long_word(batch, lines, options.max_word_length)
    cited = _lines_with(batch, lines, "[") if options.remove_citations else np.zeros(len(keep), dtype=bool)
    if options.terminal_punctuation:
        keep &= _ends_a_sentence(batch, stripped, cited)
    keep &= words >= options.min_words_per_line
    lorem = keep & _lines_with(batch, lines, "lorem ipsum")
    if options.javascript_lines:
        keep &= ~_lines_with(batch, lines, "javascript")
    curly = np.where(keep, _count_in_lines(batch, lines, "{"), 0)
    if options.policy_lines:
        keep &= ~_lines_with(batch, lines, *_POLICY)
    sentences = np.where(keep, sentence_counts(batch, stripped), 0)
    kept = batch.per_doc(lines, keep.astype(np.float64))
    signals = {
        "sentences": batch.per_doc(lines, sentences.astype(np.float64)),
        "removed_lines_ratio": ratio(total - kept, total),
        "lorem_ipsum": batch.per_doc(lines, lorem.astype(np.float64)),
        "curly_brackets": batch.per_doc(lines, curly.astype(np.float64)),
    }
    changed = _remaining_texts(batch, stripped, keep, cited) if options.remove_lines else None
    return signals, changed


def _has_long_word(batch: TextBatch, lines: Spans, limit: int) -> np.ndarray:
    """Whether a line has a whitespace-separated word longer than ``limit`` characters."""
    out = np.zeros(len(lines.starts), dtype=bool)
    for i in np.flatnonzero(lines.lengths > limit):
        out[i] = max(map(len, batch.line_text(lines, i).split()), default=0) > limit
    return out


def _lines_with(batch: TextBatch, lines: Spans, *phrases: str) -> np.ndarray:
    """Whether each line contains one of ``phrases`` (ignoring case)."""
    return _count_in_lines(batch, lines, *phrases) > 0


def _count_in_lines(batch: TextBatch, lines: Spans, *phrases: str) -> np.ndarray:
    """Occurrences of ``phrases`` (ignoring the case of phrases of letters) in each line."""
    found = np.concatenate([batch.find(phrase, ignore_case=phrase.replace(" ", "").isalpha()) for phrase in phrases])
    line = np.searchsorted(lines.starts, found, side="right") - 1
    inside = (line >= 0) & (found < lines.ends[np.maximum(line, 0)])
    return np.bincount(line[inside], minlength=len(lines.starts))


def _ends_a_sentence(batch: TextBatch, stripped: Spans, cited: np.ndarray) -> np.ndarray:
    """Whether each stripped line ends in terminal punctuation (and not an ellipsis), after
    its citations are cut out."""
    codes = batch.codes.codes
    last = np.where(stripped.lengths > 0, codes[np.maximum(stripped.ends - 1, 0)], 0)
    ends = np.isin(last, _TERMINALS) & ~batch.ends_with(stripped, "...") & ~batch.ends_with(stripped, "…")
    for i in np.flatnonzero(cited):
        line = _CITATIONS.sub("", batch.line_text(stripped, i))
        ends[i] = line.endswith(TERMINAL_PUNCTUATION) and not line.endswith(("...", "…"))
    return ends


def sentence_counts(batch: TextBatch, lines: Spans) -> np.ndarray:
    """Sentences in each (stripped) line: one, plus a break after each run of sentence-ending
    punctuation (and closing quotes) followed by a space and more text, or, after a CJK or
    Devanagari full stop, by more text directly. In Thai, Lao, Khmer and Myanmar text, which
    ends sentences with a space, every space followed by more text is a break."""
    codes, cls = batch.codes.codes, batch.codes.classes
    n = len(codes)
    padded = np.concatenate([cls, np.zeros(3, dtype=cls.dtype)])
    ends = np.flatnonzero(((cls & SENTENCE_END) != 0) & ((padded[1:n + 1] & SENTENCE_END) == 0))
    after = ends + 1
    for _ in range(2):  # up to two closing quotes or brackets
        after += (padded[after] & CLOSER) != 0
    line = np.searchsorted(lines.starts, ends, side="right") - 1
    inside = (line >= 0) & (after < lines.ends[np.maximum(line, 0)])
    spaced = ((padded[after] & SPACE) != 0)
    cjk = np.isin(codes[ends], _UNSPACED_ENDS) & ~spaced & ((padded[after] & SENTENCE_END) == 0)
    breaks = np.bincount(line[inside & (spaced | cjk)], minlength=len(lines.starts))
    thai = _lines_with_class(batch, lines, THAI)
    if thai.any():
        breaks = np.where(thai, _space_runs(batch, lines), breaks)
    return np.where(lines.lengths > 0, breaks + 1, 0)


def _lines_with_class(batch: TextBatch, lines: Spans, bit: int) -> np.ndarray:
    marked = np.flatnonzero((batch.codes.classes & bit) != 0)
    return (np.searchsorted(marked, lines.ends) - np.searchsorted(marked, lines.starts)) > 0


def _space_runs(batch: TextBatch, lines: Spans) -> np.ndarray:
    """Per line: runs of spaces with text after them (inside the stripped line)."""
    space = (batch.codes.classes & SPACE) != 0
    starts = np.flatnonzero(~space[1:] & space[:-1]) + 1  # a visible character after a space
    return np.searchsorted(starts, lines.ends) - np.searchsorted(starts, lines.starts + 1)


def _remaining_texts(batch: TextBatch, stripped: Spans, keep: np.ndarray, cited: np.ndarray) -> list[str | None] | None:
    """Each text as C4 leaves it (its kept lines, stripped, without citations), None where
    that is the text itself. The kept lines are gathered from the code points at once."""
    lines = stripped.take(keep)
    whole = (batch.per_doc(lines) == batch.per_doc(stripped)) & (batch.per_doc(stripped, cited.astype(np.float64)) == 0)
    if whole.all():
        return None
    lines = lines.take(~whole[lines.doc])
    # Each line's characters and a newline after it, then split into texts.
    lengths = lines.lengths + 1
    ends = np.cumsum(lengths)
    index = np.repeat(lines.starts - (ends - lengths), lengths) + np.arange(ends[-1] if len(ends) else 0)
    codes = batch.codes.codes[np.minimum(index, len(batch.codes.codes) - 1)]
    codes[ends - 1] = ord("\n")
    joined = codes.astype(np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
    out: list[str | None] = [None] * batch.size
    cited_docs = batch.per_doc(stripped, cited.astype(np.float64)) > 0
    bounds = np.r_[0, ends]
    first = np.searchsorted(lines.doc, np.flatnonzero(~whole))
    last = np.searchsorted(lines.doc, np.flatnonzero(~whole), side="right")
    for doc, a, b in zip(np.flatnonzero(~whole), first, last, strict=True):
        text = joined[bounds[a]:bounds[b]].strip()
        if cited_docs[doc]:
            text = "\n".join(_CITATIONS.sub("", line) for line in text.split("\n")).strip()
        out[doc] = None if text == batch.texts[doc] else text
    return out


C4 = Family(
    name="c4",
    options=C4Options,
    signals={"sentences": pa.int32(), "removed_lines_ratio": pa.float32(), "lorem_ipsum": pa.int32(),
             "curly_brackets": pa.int32()},
    rules=(
        Rule("min_sentences", "sentences", "min"),
        Rule("drop_lorem_ipsum", "lorem_ipsum", "max"),
        Rule("drop_curly_bracket", "curly_brackets", "max"),
    ),
    measure=measure_c4,
)
