"""Stage options: the typed, validated half of every stage, importable without its engine.

A config module holds only pydantic models and what they declare, never the libraries a stage
runs on (pyarrow, fastText, pygments, Ray): ``polycorpus validate`` reads, checks and orders a
whole pipeline from configs alone, in a fraction of a second, and a run imports the
implementation of the stages it names only (stages/registry.py). This module holds the base of
every stage's options and the options of the stages that are a single module; each stage
package keeps its own in ``<package>/config.py``.
"""

from __future__ import annotations

import os
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

#: A stage option naming a file the stage reads: relative values are resolved against the
#: config's directory, and the file must exist before a run starts.
ConfigPath = Annotated[str, Field(json_schema_extra={"config_path": True})]
#: A file the stage creates when it is missing (a cache): resolved like ConfigPath; only its
#: folder must exist.
CreatedPath = Annotated[str, Field(json_schema_extra={"config_path": True, "created": True})]


def _path_extra(annotation: Any) -> dict[str, Any] | None:
    extras = [getattr(meta, "json_schema_extra", None) for meta in getattr(annotation, "__metadata__", ())]
    found = next((extra for extra in extras if isinstance(extra, dict) and extra.get("config_path")), None)
    if found is not None:
        return found
    return next((e for arg in getattr(annotation, "__args__", ()) if (e := _path_extra(arg))), None)


def _path_fields(model: type[BaseModel]) -> dict[str, bool]:
    """Option name -> whether the stage creates the file, for every path option."""
    found = {}
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else None
        extra = extra if extra and extra.get("config_path") else _path_extra(info.annotation)
        if extra is not None:
            found[name] = bool(extra.get("created"))
    return found


def config_path_fields(model: type[BaseModel]) -> list[str]:
    """The options of a stage config declared as a path (optional ones too)."""
    return list(_path_fields(model))


def missing_path(location: str, created: bool = False) -> str | None:
    """Why ``location`` cannot be read (or, if ``created``, created), or None if it can."""
    if "://" in location and not location.startswith("file://"):
        import fsspec  # only for object-store paths: options otherwise import pydantic alone

        fs, path = fsspec.core.url_to_fs(location)
        return None if created or fs.exists(path) else f"{location} does not exist"
    path = location.removeprefix("file://")
    if created:
        folder = os.path.dirname(os.path.abspath(path))
        return None if os.path.isdir(folder) else f"{location}: its folder {folder} does not exist"
    return None if os.path.exists(path) else f"{location} does not exist"


Kind = Literal["web", "code", "text"]


class StageConfig(BaseModel):
    """Base of every stage's options. Subclasses set ``name: Literal["..."]``.

    It also declares the stage's place in the chain, checked before a run starts
    (pipeline.prerequisites): an order that would defeat the stage is refused with both names.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Columns the stage fills for the stages after it (langid: lang, lang_score).
    makes: ClassVar[frozenset[str]] = frozenset()
    #: Columns the stage reads that a stage before it (or the input itself) must fill.
    needs: ClassVar[frozenset[str]] = frozenset()
    #: At most one per run: a second would overwrite the first one's columns or files.
    once: ClassVar[bool] = False
    #: Must be the last stage: what it writes is the run's product (token shards), so no
    #: stage after it may drop a document it has already written.
    last: ClassVar[bool] = False

    name: str
    kinds: list[Kind] | None = Field(
        None, description="Kinds of documents the stage applies to (default: the stage's own "
                          "choice); documents of other kinds pass it untouched.")

    def required(self) -> frozenset[str]:
        """The columns this configuration needs (some needs depend on the options)."""
        return self.needs

    def check(self) -> None:
        """Fail early, on the driver, for what the options alone cannot show (a missing model
        file, a tokenizer that does not fit the dtype): raise ValueError with a clear message.

        This base checks that every path option names a file that exists (or, for a file the
        stage creates, a folder that does); a subclass adding checks calls it first."""
        for name, created in _path_fields(type(self)).items():
            value = getattr(self, name)
            for location in value if isinstance(value, list) else [value] if value is not None else []:
                if why := missing_path(location, created):
                    raise ValueError(f"stage {self.name}: {name}: {why}")


# -- the options of the single-module stages -----------------------------------------------

_INT32_MAX = 2**31 - 1  # tokenizer.indexed.INT32_MAX, spelt out: options import no numpy


class NormalizeConfig(StageConfig):
    name: Literal["normalize"] = "normalize"
    form: Literal["NFC", "NFKC", "none"] = Field("NFC", description="Unicode normal form.")
    strip_control: bool = Field(True, description="Remove control characters and BOMs.")
    newlines: bool = Field(True, description="CRLF/CR to LF; at most two consecutive newlines.")
    trim: bool = Field(True, description="Strip leading/trailing whitespace of the document.")


class LengthFilterConfig(StageConfig):
    name: Literal["length_filter"] = "length_filter"
    min_chars: int = Field(1, ge=0, description="Shorter documents are dropped as 'too_short'.")
    max_chars: int | None = Field(
        None, gt=0, description="Longer documents are dropped as 'too_long' (none: no limit)."
    )

    @model_validator(mode="after")
    def _ordered(self) -> LengthFilterConfig:
        if self.max_chars is not None and self.max_chars < self.min_chars:
            raise ValueError(f"max_chars ({self.max_chars}) < min_chars ({self.min_chars})")
        return self


class PiiConfig(StageConfig):
    name: Literal["pii"] = "pii"
    email: bool = Field(True, description="Replace e-mail addresses.")
    ip: Literal["public", "all", "none"] = Field(
        "public", description="Replace public IP addresses (public), every IP address (all), or none.")
    phone: bool = Field(True, description="Replace phone numbers.")
    email_placeholder: str = "<EMAIL>"
    ip_placeholder: str = "<IP_ADDRESS>"
    phone_placeholder: str = "<PHONE>"


class TokenizeConfig(StageConfig):
    name: Literal["tokenize"] = "tokenize"
    tokenizer: ConfigPath = Field(description="tokenizer.json, a tokenizer directory or a SentencePiece .model.")
    output_dir: str = Field("shards", description="Directory of the shard set, inside the run directory.")
    shard_bytes: int = Field(1 << 30, gt=0, description="Roll to a new shard once a .bin reaches this size.")
    dtype: Literal["auto", "uint16", "int32"] = Field(
        "auto", description="Token dtype; auto: uint16 iff the vocabulary has <= 65500 ids.")
    weights: dict[str, float] = Field(default_factory=dict,
                                      description="Blend weight per source (default 1.0).")
    max_document_tokens: int = Field(_INT32_MAX, gt=1, le=_INT32_MAX,
                                     description="Longer documents are split or dropped.")
    long_documents: Literal["split", "drop"] = "split"

    once: ClassVar[bool] = True
    last: ClassVar[bool] = True

    @model_validator(mode="after")
    def _weights_positive(self) -> TokenizeConfig:
        bad = {source: w for source, w in self.weights.items() if not w > 0}
        if bad:
            raise ValueError(f"weights must be positive: {bad}")
        return self

    def check(self) -> None:
        from polycorpus.tokenizer.load import (
            load_for_shards,  # tokenizers: only when the stage is named
        )

        super().check()
        try:
            load_for_shards(self.tokenizer, self.dtype)
        except (OSError, ValueError) as exc:  # an unreadable file is a TokenizerFileError
            raise ValueError(f"stage tokenize: {exc}") from None
