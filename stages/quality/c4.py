"""C4 rules (Raffel et al. 2020, "Exploring the Limits of Transfer Learning", section 2.2).

C4 first removes lines: lines without terminal punctuation (or ending in an ellipsis), with
fewer than 3 words, with a word longer than 1000 characters, mentioning JavaScript or a
cookie/privacy/terms notice. Then it drops pages with fewer than 5 sentences left, with
"lorem ipsum", or with a curly bracket (code). The "bad words" list of C4 is not bundled:
give such a list to the Chinese/sensitive-word family (``sensitive_words``) instead.

The signals are measured on the lines C4 keeps. The line removal itself is a transform: in
``filter`` mode with ``remove_lines`` the kept documents lose those lines; ``annotate``
mode never changes a text.
"""

from __future__ import annotations

import pyarrow as pa

from polycorpus.stages.quality.config import C4Options
from polycorpus.stages.quality.rules import Family, Rule, ratio
from polycorpus.stages.quality.text import TERMINAL_PUNCTUATION, WORD, Document, sentences

_POLICY = ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies")


def _keeps(line: str, options: C4Options) -> bool:
    if options.terminal_punctuation and (not line.endswith(TERMINAL_PUNCTUATION) or line.endswith(("...", "…"))):
        return False
    words = WORD.findall(line)
    if len(words) < options.min_words_per_line or max(map(len, words), default=0) > options.max_word_length:
        return False
    lowered = line.lower()
    if options.javascript_lines and "javascript" in lowered:
        return False
    return not (options.policy_lines and any(p in lowered for p in _POLICY))


def measure_c4(doc: Document, options: C4Options, lang: str | None):
    kept = [line for line in doc.lines if _keeps(line, options)]
    lowered = doc.text.lower()
    signals = {
        "sentences": sum(len(sentences(line)) for line in kept),
        "removed_lines_ratio": ratio(len(doc.lines) - len(kept), len(doc.lines)),
        "lorem_ipsum": int("lorem ipsum" in lowered),
        "curly_brackets": doc.text.count("{"),
    }
    changed = "\n".join(kept) if options.remove_lines and len(kept) < len(doc.lines) else None
    return signals, changed


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
