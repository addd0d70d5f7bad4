"""Script decisions the LID model cannot make: Simplified vs Traditional Chinese, and kana.

lid.176 says only ``zh``. Simplified and Traditional Chinese differ in a few thousand
characters, so counting the characters that exist in only one of the two scripts decides
reliably (99.9% on the UD sentences). The character sets come from OpenCC's conversion
tables (shipped by ``opencc-python-reimplemented``, Apache-2.0): a character that converts
to something else and is not itself a valid form of the other script belongs to one side.

Japanese text nearly always contains kana; a page the model calls ``ja`` without a single
hiragana or katakana character is Chinese written in kanji-like characters.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import opencc
import pyarrow as pa
import pyarrow.compute as pc

HANS, HANT = "zh-Hans", "zh-Hant"
_DICTIONARY = Path(opencc.__file__).parent / "dictionary"
_KANA = r"[\p{Hiragana}\p{Katakana}]"


def _conversions(name: str) -> dict[str, set[str]]:
    """One OpenCC character table: source character -> its targets (tab, space-separated)."""
    table: dict[str, set[str]] = {}
    for line in (_DICTIONARY / name).read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        if len(source) == 1:
            table[source] = set(targets.split(" "))
    return table


@functools.cache
def script_patterns() -> tuple[str, str]:
    """RE2 character classes of Simplified-only and Traditional-only characters."""
    to_traditional = _conversions("STCharacters.txt")
    to_simplified = _conversions("TSCharacters.txt")
    simplified = {c for c, t in to_traditional.items() if c not in t} - set(to_simplified)
    traditional = {c for c, t in to_simplified.items() if c not in t} - set(to_traditional)

    def char_class(chars: set[str]) -> str:
        return "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"

    return char_class(simplified), char_class(traditional)


def chinese_script(text: pa.Array) -> pa.Array:
    """``zh-Hant`` where Traditional-only characters outnumber Simplified-only ones, else ``zh-Hans``.

    Ties (no distinguishing character at all, e.g. a short run of common characters) go to
    Simplified, by far the more common script on the web.
    """
    simplified, traditional = script_patterns()
    more_traditional = pc.greater(
        pc.count_substring_regex(text, traditional), pc.count_substring_regex(text, simplified)
    )
    return pc.if_else(more_traditional, HANT, HANS)


def has_kana(text: pa.Array) -> pa.Array:
    return pc.match_substring_regex(text, _KANA)
