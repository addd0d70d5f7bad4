"""Default per-language confidence thresholds for lid.176.

One global threshold is wrong for many languages (FineWeb-2): a language with a close
relative in the model (Galician next to Portuguese and Spanish, Indonesian next to Malay,
Bosnian/Croatian/Serbian, the Scandinavian languages) has its probability split with that
relative even when the prediction is right. On the UD sentences the 5th percentile of the
score of *correct* Galician and Indonesian predictions is about 0.4 (0.7 for 10-sentence
documents), against 0.8-1.0 for most languages, so these get lower defaults. English uses
FineWeb's 0.65: English is the model's fallback for noise, so low English scores are junk.
"""

from __future__ import annotations

from collections.abc import Mapping

DEFAULT_MIN_SCORE = 0.5

DEFAULT_THRESHOLDS: dict[str, float] = {
    "en": 0.65,
    "gl": 0.3,
    "id": 0.3,
    "ms": 0.3,
    "bs": 0.3,
    "hr": 0.3,
    "sr": 0.3,
    "sh": 0.3,
    "no": 0.4,
    "nn": 0.4,
    "da": 0.4,
}


def threshold_for(lang: str, overrides: Mapping[str, float], default: float) -> float:
    """The threshold of ``lang``: its own entry, else its base language's (``zh`` for
    ``zh-Hant``), first in the user's overrides and then in the built-in table."""
    base = lang.split("-", 1)[0]
    for table in (overrides, DEFAULT_THRESHOLDS):
        for key in (lang, base):
            if key in table:
                return table[key]
    return default
