"""FineWeb's own rules (Penedo et al. 2024, "The FineWeb Datasets"), datatrove defaults.

FineWeb added three line-based rules on top of Gopher and C4 (chosen for what they remove
from Common Crawl): pages where few lines end in punctuation, where most lines are short, or
with repeated lines; plus list-like pages with many newlines per word. Comparisons are the
published ones: drop when the punctuation ratio is <= its threshold, the short-line and
duplicate ratios are >= theirs, and newlines per word are > its threshold.
"""

from __future__ import annotations

import pyarrow as pa

from polycorpus.stages.quality.config import FineWebOptions
from polycorpus.stages.quality.rules import Family, Rule, ratio
from polycorpus.stages.quality.text import TERMINAL_PUNCTUATION, Document, duplicates


def measure_fineweb(doc: Document, options: FineWebOptions, lang: str | None):
    lines = doc.lines
    _, dup_chars = duplicates(lines)
    return {
        "line_punct_ratio": ratio(sum(1 for line in lines if line.endswith(TERMINAL_PUNCTUATION)), len(lines)),
        "short_line_ratio": ratio(sum(1 for line in lines if len(line) <= options.short_line_length), len(lines)),
        "dup_line_char_ratio": ratio(dup_chars, len(doc.text) - doc.text.count("\n")),
        "newline_word_ratio": ratio(doc.text.count("\n"), len(doc.words)),
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
