"""The ``translate_comments`` stage's options (importable without pygments or pyarrow: see
stages/config.py)."""

from __future__ import annotations

import os
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from polycorpus.stages.config import ConfigPath, CreatedPath, StageConfig


class OpenAIOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str = Field("http://127.0.0.1:8000/v1", description="An OpenAI-compatible API root.")
    model: str = "default"
    api_key_env: str | None = Field("OPENAI_API_KEY", description="Environment variable holding the key.")
    batch_size: int = Field(16, ge=1, description="Segments per request.")
    concurrency: int = Field(4, ge=1, description="Requests in flight per worker.")
    timeout_s: float = Field(60.0, gt=0)
    max_retries: int = Field(4, ge=0)
    backoff_s: float = Field(0.5, ge=0)
    max_backoff_s: float = Field(30.0, ge=0)
    temperature: float = 0.0
    max_tokens: int | None = None


class TransformersOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    batch_size: int = Field(16, ge=1)
    max_length: int = Field(512, ge=1, description="Input tokens; longer segments are truncated.")
    max_new_tokens: int = Field(512, ge=1)
    num_beams: int = Field(1, ge=1)
    source_code: str | None = Field(None, description="NLLB/M2M source language code (eng_Latn).")
    target_code: str | None = Field(None, description="NLLB/M2M target language code (zho_Hans).")
    threads: int | None = None


class GateOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min_ratio: float = Field(0.1, ge=0, description="Translation / source characters, lower bound.")
    max_ratio: float = Field(4.0, gt=0)
    check_language: bool = True
    check_placeholders: bool = True


class TranslateConfig(StageConfig):
    needs: ClassVar[frozenset[str]] = frozenset({"code_lang"})  # the lexer that finds comments

    name: Literal["translate_comments"]
    sources: list[str] = Field(["en"], description="Segment languages to translate.")
    target: str = Field("zh-Hans", description="The language translations are in.")
    backend: Literal["openai", "transformers", "export", "import"] = "export"
    openai: OpenAIOptions = OpenAIOptions()
    transformers: TransformersOptions = TransformersOptions()
    model_path: ConfigPath | None = Field(None, description="transformers: the local model directory.")
    translations: ConfigPath | None = Field(None, description="import: Parquet of key, translation.")
    cache: CreatedPath | None = Field(None, description="SQLite translation cache shared across runs.")
    output: Literal["add", "replace"] = Field("add", description="Translated files next to or instead of the originals.")
    gate: GateOptions = GateOptions()
    code_threshold: float = Field(0.6, description="Code-likeness above which a comment line is code.")
    min_letters: int = Field(4, ge=0, description="Segments with fewer letters (code masked) are not translated.")
    verify: bool = Field(True, description="Re-lex each translated file and keep the original if code changed.")
    max_file_chars: int = Field(1_000_000, description="Larger files are not translated.")

    def check(self) -> None:
        super().check()
        if self.backend == "transformers" and not self.model_path:
            raise ValueError("translate_comments: backend transformers needs model_path (a local model directory)")
        if self.backend == "import" and not self.translations:
            raise ValueError("translate_comments: backend import needs translations (a Parquet file)")
        if self.backend == "transformers" and not os.path.isdir(self.model_path):
            raise ValueError(f"translate_comments: model_path {self.model_path} is not a directory")
