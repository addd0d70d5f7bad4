"""Stop words per language for Gopher's "at least 2 stop words" rule.

Gopher's rule (a page of real prose contains function words) uses 8 English words. Applying
English words to other languages would drop every non-English page, so each language gets a
short list of its most frequent function words; a language without a list skips the rule.
In scripts without spaces, stop words are counted as substrings (a Chinese 的 or a Thai ที่
is never a separate token); elsewhere as whole lower-cased words.
"""

from __future__ import annotations

from collections.abc import Mapping

GOPHER_ENGLISH = ("the", "be", "to", "of", "and", "that", "have", "with")

STOP_WORDS: dict[str, tuple[str, ...]] = {
    "en": GOPHER_ENGLISH,
    "de": ("der", "die", "und", "in", "den", "von", "zu", "das", "mit", "ist"),
    "fr": ("de", "la", "le", "et", "les", "des", "en", "un", "du", "une"),
    "es": ("de", "la", "que", "el", "en", "y", "los", "del", "se", "las"),
    "it": ("di", "e", "il", "la", "che", "in", "per", "un", "del", "non"),
    "pt": ("de", "a", "o", "que", "e", "do", "da", "em", "um", "para"),
    "gl": ("de", "a", "o", "que", "e", "do", "da", "en", "un", "para"),
    "nl": ("de", "het", "een", "en", "van", "in", "is", "dat", "op", "te"),
    "sv": ("och", "i", "att", "det", "som", "en", "på", "är", "av", "för"),
    "pl": ("i", "w", "na", "się", "z", "do", "nie", "że", "to", "jest"),
    "cs": ("a", "v", "se", "na", "je", "že", "s", "z", "do", "to"),
    "ru": ("и", "в", "не", "на", "что", "с", "по", "это", "как", "он"),
    "tr": ("ve", "bir", "bu", "da", "de", "için", "ile", "çok", "olarak", "daha"),
    "id": ("yang", "dan", "di", "itu", "dengan", "untuk", "dari", "dalam", "ini", "ke"),
    "vi": ("của", "và", "là", "có", "các", "được", "trong", "cho", "không", "những", "một", "này",
           "với", "đã", "khi", "cũng", "nhưng", "thì", "người", "tôi"),
    "ar": ("في", "من", "على", "إلى", "أن", "التي", "الذي", "عن", "ما", "هذا"),
    "hi": ("के", "में", "की", "है", "और", "से", "को", "का", "पर", "ने"),
    "zh": ("的", "了", "是", "在", "和", "有", "不", "这", "這", "也", "就", "我"),
    "ja": ("の", "に", "は", "を", "た", "が", "で", "て", "と", "し"),
    "th": ("ที่", "และ", "ของ", "ใน", "การ", "เป็น", "มี", "ได้", "ไม่", "ให้"),
}

#: Languages whose stop words are counted as substrings (no spaces between words).
UNSPACED_LANGUAGES = frozenset({"zh", "ja", "th", "lo", "km", "my"})


def stop_words_for(lang: str | None, overrides: Mapping[str, list[str]]) -> tuple[str, ...] | None:
    """The list for ``lang`` (``zh-Hant`` falls back to ``zh``), the user's first; None if none."""
    if lang is None:
        return None
    base = lang.split("-", 1)[0]
    for table in (overrides, STOP_WORDS):
        for key in (lang, base):
            if key in table:
                return tuple(table[key])
    return None
