"""Per-segment language detection and the quality gate on each translation.

Language: the ``langid`` stage's fastText model (:class:`stages.langid.model.LidModel`) on the
comment text with code tokens masked (URLs, inline code, identifiers with ``_ . :: ->`` or
camelCase, numbers), with the same Chinese script and kana rules as the ``langid`` stage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from polycorpus.stages.langid.model import LidModel
from polycorpus.stages.langid.script import chinese_scripts, has_kana

_URL = re.compile(r"(?:https?|ftp|file)://\S+|www\.\S+|\S+@\S+\.\w+", re.IGNORECASE)
_INLINE = re.compile(r"`[^`\n]+`")
_IDENT = re.compile(r"\b(?:[A-Za-z_$][\w$]*(?:\.|::|->|_)[\w$.:>-]*\w|[a-z]+[A-Z]\w*|[A-Z]{2,}[a-z]\w*|\w+\(\))")
_NUMBER = re.compile(r"\b\d[\d.,_]*\b")
_PLACEHOLDER = re.compile(r"\{[\w.]*\}|%[sdfr]|\$\{?\w+\}?")
_SPACES = re.compile(r"\s+")
_LETTERS = re.compile(r"[^\W\d_]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_REPEAT = re.compile(r"(.{2,30}?)\1{3,}", re.DOTALL)


def protected(text: str) -> list[str]:
    """What a translation must keep as it is: URLs, inline code, identifiers, placeholders."""
    found: list[str] = []
    for pattern in (_URL, _INLINE, _PLACEHOLDER):
        found.extend(pattern.findall(text))
        text = pattern.sub(" ", text)
    found.extend(_IDENT.findall(text))
    return list(dict.fromkeys(t.rstrip(".,;:)") for t in found if t.rstrip(".,;:)")))


def mask(text: str) -> str:
    for pattern in (_URL, _INLINE, _PLACEHOLDER, _IDENT, _NUMBER):
        text = pattern.sub(" ", text)
    return _SPACES.sub(" ", text).strip().lower()


def same_language(found: str, wanted: str) -> bool:
    return found == wanted or found.split("-")[0] == wanted or (wanted.split("-")[0] == found == "zh")


@dataclass
class SegmentLid:
    model: LidModel
    min_letters: int = 4

    def detect(self, texts: list[str]) -> list[tuple[str, float]]:
        """(language, score) per text; ``und`` where too few letters remain after masking."""
        masked = [mask(t) for t in texts]
        wanted = [i for i, m in enumerate(masked) if len(_LETTERS.findall(m)) >= self.min_letters]
        out = [("und", 0.0)] * len(texts)
        if not wanted:
            return out
        predictions = self.model.predict([masked[i] for i in wanted], k=2)
        chinese = [i for i, labels in zip(wanted, predictions.labels, strict=True) if labels[0] in ("zh", "ja")]
        for row, i in enumerate(wanted):
            out[i] = (predictions.labels[row][0], float(predictions.scores[row][0]))
        for i in wanted:  # the script settles what a short Han or kana text is
            letters = _LETTERS.findall(masked[i])
            han = sum(1 for ch in letters if _HAN.match(ch))
            kana = has_kana(texts[i])
            if han * 2 >= len(letters) and out[i][0] not in ("zh", "ja", "zh-Hans", "zh-Hant"):
                out[i] = ("ja" if kana else "zh", max(out[i][1], 0.5))
                if not kana:
                    chinese.append(i)
        for i in chinese:
            lang, score = out[i]
            if lang == "ja" and has_kana(texts[i]):
                continue
            out[i] = (chinese_scripts([texts[i]])[0], score)
        return out


@dataclass(frozen=True)
class Gate:
    min_ratio: float = 0.1
    max_ratio: float = 4.0
    check_language: bool = True
    check_placeholders: bool = True

    def judge(self, source: str, translation: str | None, target: str,
              detected: tuple[str, float] | None) -> str | None:
        """None if the translation passes, else the rejection reason."""
        if translation is None:
            return "backend_failed"
        if not translation.strip():
            return "empty"
        if _SPACES.sub(" ", translation).strip().lower() == _SPACES.sub(" ", source).strip().lower():
            return "untranslated"
        if _REPEAT.search(translation) and not _REPEAT.search(source):
            return "repeated"
        ratio = len(translation.strip()) / max(1, len(source.strip()))
        if not self.min_ratio <= ratio <= self.max_ratio:
            return "length_ratio"
        if self.check_placeholders and any(token not in translation for token in protected(source)):
            return "placeholder_lost"
        if (self.check_language and detected is not None and detected[0] != "und"
                and not same_language(detected[0], target)):
            return "wrong_language"
        return None
