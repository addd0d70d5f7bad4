"""Text preparation for language identification, vectorised over an Arrow column.

fastText LID models were trained on lower-cased, one-line text (cc_net lower-cases and maps
digits before prediction); URLs, e-mail addresses and long digit runs carry no language but
pull predictions towards English. Removing them and lower-casing gains accuracy on short
texts and never costs it on long ones. ``predict`` also refuses newlines, so they become
spaces here.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

_URL = r"(?i)\b(?:https?://|ftp://|www\.)\S+"
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_DIGITS = r"\d{4,}"
#: fastText splits words on any whitespace itself; only newlines must go (predict refuses them).
_NEWLINES = r"[\r\n]+"
#: One pass over the text replaces all four (each alternative becomes a space).
_NOISE = f"{_URL}|{_EMAIL}|{_DIGITS}|{_NEWLINES}"
#: A text with no letter at all (digits, punctuation, emoji) has no language to find.
_LETTER = r"\pL"


def prepare(text: pa.ChunkedArray | pa.Array, *, max_chars: int, normalize: bool) -> pa.Array:
    """The string each document is predicted on: cleaned, one line, at most ``max_chars``.

    Truncation comes first so that a 50 MB single-line page costs no more than its prefix
    (skipped when no text has more bytes, hence characters, than that).
    """
    text = text.fill_null("")
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    if len(text) and pc.max(pc.binary_length(text)).as_py() > max_chars:
        text = pc.utf8_slice_codeunits(text, 0, max_chars)
    if normalize:
        return pc.utf8_lower(pc.replace_substring_regex(text, _NOISE, " "))
    return pc.replace_substring_regex(text, _NEWLINES, " ")


def has_letters(text: pa.Array) -> pa.Array:
    """True where the prepared text holds at least one letter of any script."""
    return pc.match_substring_regex(text, _LETTER)
