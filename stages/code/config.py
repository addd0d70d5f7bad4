"""The options of the code stages: ``code_language``, ``code_filter``, ``code_license`` and
``code_secrets`` (importable without pygments or pyarrow: see stages/config.py)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, field_validator

from polycorpus.stages.code import licensing
from polycorpus.stages.config import StageConfig


class CodeLanguageConfig(StageConfig):
    makes: ClassVar[frozenset[str]] = frozenset({"code_lang"})
    once: ClassVar[bool] = True

    name: Literal["code_language"] = "code_language"
    languages: list[str] | None = Field(
        None, description="Keep only these languages (others: 'language_not_selected'; files no language "
        "claims are left to drop_unknown); null keeps all."
    )
    drop_unknown: bool = Field(False, description="Drop files no language claims, as 'unknown_language'.")


_STACK_V2_EXEMPT = ["HTML", "JSON", "Markdown", "Roff", "Roff Manpage", "SMT", "TeX", "Text", "XML"]


class CodeFilterConfig(StageConfig):
    needs: ClassVar[frozenset[str]] = frozenset({"code_lang"})  # data-file limits and exemptions are per language

    name: Literal["code_filter"] = "code_filter"
    vendored: bool = Field(True, description="Drop vendor/, node_modules/, ... as 'vendored'.")
    generated: bool = Field(True, description="Drop tool outputs and marked files as 'generated'.")
    minified: bool = Field(True, description="Drop *.min.js, bundles, minified JS/CSS as 'minified'.")
    minified_avg_line_length: float = Field(110, gt=0)
    max_bytes: int | None = Field(1024 * 1024, gt=0, description="'too_large' above this (UTF-8 bytes).")
    max_lines: int | None = Field(100_000, gt=0, description="'too_many_lines' above this.")
    max_data_lines: int | None = Field(512, gt=0, description="'long_data_file' above this.")
    data_languages: list[str] = Field(default_factory=lambda: ["Text", "JSON", "YAML", "Web Ontology Language",
                                                               "Graphviz"])
    max_avg_line_length: float | None = Field(100, gt=0)
    max_line_length: int | None = Field(1000, gt=0)
    long_lines_exempt: list[str] = Field(default_factory=lambda: list(_STACK_V2_EXEMPT))
    min_alpha_fraction: float | None = Field(0.25, ge=0, le=1)
    alpha_exempt: list[str] = Field(default_factory=lambda: ["Motorola 68K Assembly", "WebAssembly"])
    max_encoded_run: int | None = Field(1024, gt=0)
    max_encoded_fraction: float | None = Field(0.5, gt=0, le=1)


LicenseClass = Literal["permissive", "weak_copyleft", "copyleft", "unknown"]


class CodeLicenseConfig(StageConfig):
    name: Literal["code_license"] = "code_license"
    keep: list[LicenseClass] = Field(
        default_factory=lambda: ["permissive", "unknown"],
        description="Classes to keep; The Stack v2 kept permissive and unlicensed code.",
    )
    allow: list[str] = Field(default_factory=list, description="SPDX ids kept whatever their class.")
    deny: list[str] = Field(default_factory=list, description="SPDX ids always dropped.")
    file_headers: bool = Field(True, description="A file's own SPDX/notice overrides the repository's.")

    @field_validator("allow", "deny")
    @classmethod
    def _spdx(cls, ids: list[str]) -> list[str]:
        return [licensing.canonical_id(i) or i for i in ids]


class CodeSecretsConfig(StageConfig):
    name: Literal["code_secrets"] = "code_secrets"
    all_kinds: bool = Field(False, description="Also redact in documents that are not kind: code.")
