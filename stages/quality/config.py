"""The options of the ``quality`` and ``quality_classifier`` stages, rule family by family
(importable without pyarrow: see stages/config.py). The rules themselves live in the family
modules (gopher.py, c4.py, fineweb.py, chinese.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from polycorpus.stages.config import ConfigPath, StageConfig, missing_path
from polycorpus.stages.quality.languages import overrides_for


class FamilyOptions(BaseModel):
    """Options of one rule family; subclasses add thresholds and measurement parameters."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    languages: list[str] | None = Field(
        None, description="Apply only to these languages (zh matches zh-Hans/zh-Hant); null: all.")

    def applies_to(self, lang: str | None) -> bool:
        if not self.enabled:
            return False
        if self.languages is None:
            return True
        return lang is not None and (lang in self.languages or lang.split("-", 1)[0] in self.languages)


class GopherQualityOptions(FamilyOptions):
    min_doc_words: int | None = Field(50, description="Fewer words: dropped.")
    max_doc_words: int | None = Field(100_000, description="More words: dropped.")
    min_avg_word_length: float | None = Field(3, description="Shorter mean length of the words of spaced scripts: dropped.")
    max_avg_word_length: float | None = Field(10, description="Longer mean word length: dropped.")
    max_symbol_word_ratio: float | None = Field(0.1, description="(# and ellipses) / words above: dropped.")
    max_bullet_lines_ratio: float | None = Field(0.9, description="Share of lines starting with a bullet.")
    max_ellipsis_lines_ratio: float | None = Field(0.3, description="Share of lines ending with an ellipsis.")
    min_alpha_words_ratio: float | None = Field(0.8, description="Share of words with a letter.")
    min_stop_words: int | None = Field(2, description="Fewer stop words of the page's language: dropped.")
    stop_words: dict[str, list[str]] = Field(
        default_factory=dict, description="Measurement parameter: stop words per language, over the built-in lists.")


class GopherRepetitionOptions(FamilyOptions):
    max_dup_line_ratio: float | None = Field(0.3, description="Share of lines that are repeats.")
    max_dup_para_ratio: float | None = Field(0.3, description="Share of paragraphs that are repeats.")
    max_dup_line_char_ratio: float | None = Field(0.2, description="Share of characters in repeated lines.")
    max_dup_para_char_ratio: float | None = Field(0.2, description="Share of characters in repeated paragraphs.")
    max_top_2gram_ratio: float | None = Field(0.20, description="Characters of the most frequent 2-gram.")
    max_top_3gram_ratio: float | None = Field(0.18, description="... 3-gram.")
    max_top_4gram_ratio: float | None = Field(0.16, description="... 4-gram.")
    max_dup_5gram_ratio: float | None = Field(0.15, description="Characters in repeated 5-grams.")
    max_dup_6gram_ratio: float | None = Field(0.14, description="... 6-grams.")
    max_dup_7gram_ratio: float | None = Field(0.13, description="... 7-grams.")
    max_dup_8gram_ratio: float | None = Field(0.12, description="... 8-grams.")
    max_dup_9gram_ratio: float | None = Field(0.11, description="... 9-grams.")
    max_dup_10gram_ratio: float | None = Field(0.10, description="... 10-grams.")


class C4Options(FamilyOptions):
    remove_lines: bool = Field(True, description="Filter mode: remove the lines C4 removes.")
    min_sentences: int | None = Field(5, description="Fewer sentences in the kept lines: dropped.")
    drop_lorem_ipsum: bool = Field(True, description="Pages with 'lorem ipsum' are dropped.")
    drop_curly_bracket: bool = Field(True, description="Pages with '{' are dropped.")
    remove_citations: bool = Field(
        True, description="Measurement parameter: cut Wikipedia-style citations ([1], [edit]) out of lines.")
    terminal_punctuation: bool = Field(
        True, description="Measurement parameter: keep only lines ending in terminal punctuation.")
    min_words_per_line: int = Field(3, description="Measurement parameter: shorter lines are removed.")
    max_word_length: int = Field(1000, description="Measurement parameter: lines with longer words are removed.")
    javascript_lines: bool = Field(True, description="Measurement parameter: remove lines mentioning javascript.")
    policy_lines: bool = Field(True, description="Measurement parameter: remove cookie/privacy/terms lines.")


class FineWebOptions(FamilyOptions):
    min_line_punct_ratio: float | None = Field(
        0.12, description="Share of lines ending in terminal punctuation at or below: dropped.")
    max_short_line_ratio: float | None = Field(0.67, description="Share of short lines at or above: dropped.")
    max_dup_line_char_ratio: float | None = Field(
        0.01, description="Share of characters in repeated lines at or above: dropped.")
    max_newline_word_ratio: float | None = Field(0.3, description="Newlines per word above: dropped.")
    short_line_length: int = Field(30, description="Measurement parameter: a short line has at most this many characters.")


SPAM_PHRASES = Path(__file__).parent / "data" / "zh_spam_phrases.txt"


class ChineseOptions(FamilyOptions):
    languages: list[str] | None = Field(
        ["zh"], description="Apply only to these languages (default: Chinese); null: all.")
    min_cjk_ratio: float | None = Field(0.4, description="Share of CJK characters among non-space ones below: dropped.")
    max_spam_ratio: float | None = Field(
        0.05, description="Share of CJK characters inside spam phrases above: dropped.")
    max_sensitive_words: int | None = Field(0, description="More occurrences of sensitive words: dropped.")
    spam_phrases_files: list[str] = Field(
        default_factory=lambda: [str(SPAM_PHRASES)],
        description="Measurement parameter: files of spam phrases, one a line (# comments); "
        "relative paths are relative to the working directory.")
    sensitive_words: list[str] = Field(default_factory=list, description="Measurement parameter: words no page may contain.")
    sensitive_words_files: list[str] = Field(
        default_factory=list, description="Measurement parameter: files of sensitive words, one a line "
        "(as spam_phrases_files).")


#: The rule families in the order they judge (a document's first failing rule names its drop
#: reason); each is an option of QualityConfig and a Family of the same name in its module.
FAMILY_NAMES = ("gopher_quality", "gopher_repetition", "c4", "fineweb", "chinese")


class QualityConfig(StageConfig):
    needs: ClassVar[frozenset[str]] = frozenset({"lang"})  # stop words, Chinese rules, per-language thresholds

    name: Literal["quality"] = "quality"
    mode: Literal["filter", "annotate"] = Field(
        "filter", description="annotate stores the signals and drops nothing.")
    reuse_signals: bool = Field(
        True, description="Judge an existing quality_signals column instead of measuring again.")
    gopher_quality: GopherQualityOptions = GopherQualityOptions()
    gopher_repetition: GopherRepetitionOptions = GopherRepetitionOptions()
    c4: C4Options = C4Options()
    fineweb: FineWebOptions = FineWebOptions()
    chinese: ChineseOptions = ChineseOptions()
    max_chars: int | None = Field(
        1_000_000, gt=0, description="Longer documents are dropped as too_long, unmeasured (null: no limit).")
    languages: dict[str, dict[str, dict[str, Any]]] = Field(
        default_factory=dict,
        description="Per-language overrides: {lang: {family: {option: value}}}, over the built-in ones.")

    @model_validator(mode="after")
    def _overrides_valid(self) -> QualityConfig:
        for lang, families in self.languages.items():
            for family in families:
                if family not in FAMILY_NAMES:
                    raise ValueError(f"languages.{lang}: unknown rule family {family!r} "
                                     f"(known: {', '.join(sorted(FAMILY_NAMES))})")
            for family in FAMILY_NAMES:
                try:
                    self.options_for(family, lang)
                except ValueError as exc:
                    raise ValueError(f"languages.{lang}.{family}: {exc}") from None
        return self

    def check(self) -> None:
        super().check()
        chinese = [self.chinese] + [self.options_for("chinese", lang) for lang in self.languages]
        for options in chinese:
            for location in (*options.spam_phrases_files, *options.sensitive_words_files):
                if why := missing_path(location):
                    raise ValueError(f"stage quality: chinese: word list {why} "
                                     "(relative paths are relative to the working directory)")

    def options_for(self, family: str, lang: str | None) -> FamilyOptions:
        """The options of rule family ``family`` for documents in ``lang`` (defaults, then overrides)."""
        base: FamilyOptions = getattr(self, family)
        changes = overrides_for(lang, self.languages).get(family)
        if not changes:
            return base
        return type(base).model_validate({**base.model_dump(exclude_unset=False), **changes})


class QualityClassifierConfig(StageConfig):
    name: Literal["quality_classifier"] = "quality_classifier"
    model_path: ConfigPath = Field(description="A model made by `polycorpus quality train`.")
    label: str = Field("hq", description="The model's label of good documents.")
    mode: Literal["threshold", "pareto", "annotate"] = Field(
        "threshold", description="Keep score >= threshold, GPT-3 Pareto sampling, or only score.")
    threshold: float = Field(0.5, ge=0, le=1, description="threshold mode: the lowest score kept.")
    pareto_alpha: float = Field(9.0, gt=0, description="pareto mode: GPT-3's alpha.")
    seed: int = Field(0, description="pareto mode: the seed of the per-document draws.")
