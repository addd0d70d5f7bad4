"""The ``langid`` stage's options (importable without fastText or pyarrow: see stages/config.py)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from polycorpus.stages.config import ConfigPath, StageConfig
from polycorpus.stages.langid.thresholds import DEFAULT_MIN_SCORE


class ParagraphOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min_bytes: int = Field(
        40, ge=1, description="Shorter paragraphs (UTF-8 bytes: ~13 CJK characters) take the "
        "language of their neighbour.")
    mixed_below: float = Field(
        0.8, gt=0, le=1, description="A page is mixed when its main language has a smaller share.")
    min_share: float = Field(
        0.05, ge=0, lt=1, description="Smaller shares are folded into the main language.")
    mixed: Literal["keep", "split", "drop"] = Field(
        "keep", description="What to do with a mixed page.")


class LangIdConfig(StageConfig):
    makes: ClassVar[frozenset[str]] = frozenset({"lang", "lang_score"})
    once: ClassVar[bool] = True

    name: Literal["langid"] = "langid"
    model_path: ConfigPath | None = Field(
        None, description="A fastText LID model (lid.176.bin, GlotLID, OpenLID); default: the "
        "bundled lid.176.ftz.")
    label_map: dict[str, str] = Field(
        default_factory=dict, description="Model label -> language code (e.g. eng_Latn: en).")
    mode: Literal["filter", "annotate"] = Field(
        "filter", description="annotate labels every document and drops none.")
    keep: list[str] | None = Field(
        None, description="Languages to keep (zh keeps zh-Hans and zh-Hant); none: all.")
    min_score: float = Field(
        DEFAULT_MIN_SCORE, ge=0, le=1, description="Threshold of languages without their own.")
    thresholds: dict[str, float] = Field(
        default_factory=dict, description="Per-language thresholds over the built-in defaults.")
    top_k: int = Field(3, ge=1, le=20, description="Labels kept in lang_top.")
    normalize: bool = Field(
        True, description="Lower-case and remove URLs, e-mails and digit runs before predicting.")
    max_chars: int = Field(
        10_000, ge=100, description="Characters of each document (or paragraph) predicted on.")
    chinese_script: bool = Field(True, description="Label zh as zh-Hans or zh-Hant.")
    kana_check: bool = Field(True, description="ja without any kana is relabelled zh.")
    granularity: Literal["document", "paragraph"] = "document"
    paragraphs: ParagraphOptions = ParagraphOptions()
