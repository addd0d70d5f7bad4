"""FineWeb's own rules (Penedo et al. 2024, "The FineWeb Datasets"), datatrove defaults.

FineWeb added three line-based rules on top of Gopher and C4 (chosen for what they remove
from Common Crawl): pages where few lines end in punctuation, where most lines are short, or
with repeated lines; plus list-like pages with many newlines per word. Lines are the
non-blank lines of ``text.split("\\n")``, unstripped; a line ends in punctuation when its
last character is a sentence terminal of any script (:data:`SENTENCE_TERMINALS`).
Comparisons are the published ones: drop when the punctuation ratio is <= its threshold,
the short-line and duplicate ratios are >= theirs, and newlines per word are > its threshold.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from polycorpus.stages.quality.batch import TextBatch, ratio
from polycorpus.stages.quality.config import FineWebOptions
from polycorpus.stages.quality.rules import Family, Rule, Signals
from polycorpus.stages.quality.text import SENTENCE_TERMINALS

_TERMINALS = np.array(sorted(ord(c) for c in SENTENCE_TERMINALS), dtype=np.uint32)


def measure_fineweb(batch: TextBatch, options: FineWebOptions, lang: str | None) -> tuple[Signals, None]:
    lines = batch.lines
    lines = lines.take(batch.visible(lines))
    count = batch.per_doc(lines)
    last = batch.codes.codes[np.maximum(lines.ends - 1, 0)]
    punctuated = np.isin(last, _TERMINALS)
    short = lines.lengths <= options.short_line_length
    _, dup_chars = batch.duplicates(lines)
    newlines = batch.count("\n")
    return {
        "line_punct_ratio": ratio(batch.per_doc(lines, punctuated.astype(np.float64)), count),
        "short_line_ratio": ratio(batch.per_doc(lines, short.astype(np.float64)), count),
        "dup_line_char_ratio": ratio(dup_chars, batch.lengths - newlines),
        "newline_word_ratio": ratio(newlines, batch.token_counts),
    }, None


FINEWEB = Family(
    name="fineweb",
    options=FineWebOptions,
    signals={"line_punct_ratio": pa.float32(), "short_line_ratio": pa.float32(),
             "dup_line_char_ratio": pa.float32(), "newline_word_ratio": pa.float32()},
    rules=(
        Rule("min_line_punct_ratio", "line_punct_ratio", "min", inclusive=True),
        Rule("max_short_line_ratio", "short_line_ratio", "max", inclusive=True),
        Rule("max_dup_line_char_ratio", "dup_line_char_ratio", "max", inclusive=True),
        Rule("max_newline_word_ratio", "newline_word_ratio", "max"),
    ),
    measure=measure_fineweb,
)
