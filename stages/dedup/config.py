"""Dedup options and the MinHash presets with their published parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from polycorpus.stages.config import ConfigPath, StageConfig

Shingle = Literal["word", "char"]


@dataclass(frozen=True)
class MinHashParams:
    """Resolved parameters: what the signatures, the band keys and verification use."""

    num_perm: int
    bands: int
    rows: int
    ngram: int
    shingle: Shingle  # word n-grams (char n-grams for languages written without spaces)
    threshold: float  # Jaccard similarity the banding targets (used by verification)
    seed: int
    cjk_char_ngram: int
    verify: bool
    max_shingle_chars: int
    by_language: bool  # word shingles: CJK and Thai (by lang) get char n-grams


# (num_perm, bands, rows, ngram, shingle, threshold); None: derived as datasketch does.
PRESETS: dict[str, tuple[int, int | None, int | None, int, Shingle, float]] = {
    # FineWeb: word 5-grams, 14 bands x 8 rows (112 permutations), ~0.75 similarity.
    "fineweb": (112, 14, 8, 5, "word", 0.75),
    # StarCoder2 / The Stack v2: 5-grams, 256 permutations, Jaccard 0.7 (bands from the threshold).
    "starcoder2": (256, None, None, 5, "word", 0.7),
    # MT-NLG: character 24-grams, 20 bands x 13 rows, Jaccard 0.8.
    "mtnlg": (260, 20, 13, 24, "char", 0.8),
    # The Pile: datasketch MinHashLSH with 10 permutations at threshold 0.5.
    "pile": (10, None, None, 5, "word", 0.5),
}


class MinHashOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    preset: Literal["fineweb", "starcoder2", "mtnlg", "pile", "custom"] = "fineweb"
    bands: int | None = Field(None, gt=0, description="custom: number of LSH bands")
    rows: int | None = Field(None, gt=0, description="custom: rows (hash values) per band")
    ngram: int | None = Field(None, gt=0, description="shingle size (overrides the preset's)")
    shingle: Shingle | None = None
    threshold: float | None = Field(None, gt=0, le=1, description="custom: verification threshold")
    seed: int = Field(1, description="MinHash permutation seed")
    cjk_char_ngram: int = Field(5, gt=0, description="char n-gram size for Chinese, Japanese, Thai...")
    verify: bool = Field(False, description="Keep only candidate pairs whose exact shingle Jaccard >= threshold")
    max_shingle_chars: int = Field(1_000_000, gt=0, description="Shingle at most this many characters of a document")
    by_language: bool = Field(True, description="With word shingles, documents in languages written without "
                                                "spaces (lang from langid: Chinese, Japanese, Thai...) get "
                                                "cjk_char_ngram character n-grams; needs langid before dedup. "
                                                "false: word shingles for every document, no langid needed.")

    @model_validator(mode="after")
    def _custom_complete(self) -> MinHashOptions:
        if self.preset == "custom" and (self.bands is None or self.rows is None):
            raise ValueError("preset 'custom' needs bands and rows")
        if self.preset != "custom" and (self.bands is not None or self.rows is not None):
            raise ValueError(f"bands/rows are set by preset {self.preset!r}; use preset: custom to choose them")
        return self

    def resolve(self) -> MinHashParams:
        if self.preset == "custom":
            num_perm, bands, rows = self.bands * self.rows, self.bands, self.rows
            ngram, shingle = self.ngram or 5, self.shingle or "word"
            threshold = self.threshold or (1 / bands) ** (1 / rows)
        else:
            num_perm, bands, rows, ngram, shingle, threshold = PRESETS[self.preset]
            if bands is None:
                from datasketch.lsh import _optimal_param  # scipy: only for these presets

                bands, rows = _optimal_param(threshold, num_perm, 0.5, 0.5)
            ngram, shingle = self.ngram or ngram, self.shingle or shingle
            threshold = self.threshold or threshold
        return MinHashParams(num_perm, bands, rows, ngram, shingle, threshold, self.seed,
                             self.cjk_char_ngram, self.verify, self.max_shingle_chars, self.by_language)


class DedupConfig(StageConfig):
    once: ClassVar[bool] = True

    name: Literal["dedup"] = "dedup"
    exact: bool = Field(True, description="Remove exact duplicates (xxh3-128 of whitespace-normalised text).")
    url: bool = Field(False, description="Remove web documents whose URL was already seen.")
    minhash: MinHashOptions | None = Field(default_factory=MinHashOptions,
                                           description="Near-duplicates; null turns them off.")
    index: list[ConfigPath] = Field(default_factory=list,
                                    description="Dedup indexes of earlier runs (RUN/dedup/index): "
                                                "documents duplicating them are removed.")
    partitions: int = Field(0, ge=0, description="Shuffle partitions; 0 picks from the data size.")
    max_rounds: int = Field(64, gt=0, description="Connected-components rounds before giving up.")

    def required(self) -> frozenset[str]:
        # Word shingles by language: CJK and Thai documents are shingled by characters.
        params = self.minhash.resolve() if self.minhash is not None else None
        return frozenset({"lang"}) if params and params.shingle == "word" and params.by_language else frozenset()
