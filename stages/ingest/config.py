"""What the planner hands the readers: the ``ingest:`` options and each resolved input file
(importable without pyarrow: see stages/config.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from polycorpus.stages.ingest.limits import ArchiveLimits


@dataclass(frozen=True)
class InputFile:
    """One input file as the planner resolved it."""

    url: str  # fsspec URL or local path
    relpath: str  # path relative to the input's base directory: part of document ids
    source: str
    kind: str  # web | code | text
    format: str  # warc | wet | arc | jsonl | parquet | hf | code | stack
    text_field: str = "text"
    id_field: str | None = None
    priority: int = 0
    ref: str | None = None  # code: the git ref to read
    metadata: str | None = None  # code: per-repository sidecar (stars, priority)


class TrafilaturaOptions(BaseModel):
    """trafilatura's main-content options; the defaults are FineWeb's (datatrove's ``Trafilatura``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    favor_precision: bool = Field(True, description="Prefer less text but cleaner (FineWeb's choice).")
    fast: bool = Field(False, description="Skip trafilatura's fallback extractors: faster, sometimes less text.")
    deduplicate: bool = Field(
        True, description="Drop text segments this worker has already seen many times (site boilerplate).")


class ResiliparseOptions(BaseModel):
    """resiliparse's main-content options. Comment threads and post bylines are left out by
    default, as FineWeb leaves them out of trafilatura's output: on the labelled pages of
    bench/extraction.py this lifts token F1 from 0.93 to 0.99."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    comments: bool = Field(False, description="Keep reader comment sections as main content.")
    post_meta: bool = Field(False, description="Keep a post's byline, date and tags as main content.")


class IngestOptions(BaseModel):
    """Options of the ingest step (the ``ingest:`` block of a config)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    html_extractor: Literal["resiliparse", "trafilatura"] = Field(
        "resiliparse", description="Main-content extractor for HTML pages."
    )
    main_content: bool = Field(True, description="Drop boilerplate (menus, footers) from HTML.")
    resiliparse: ResiliparseOptions = Field(
        ResiliparseOptions(), description="Options of the resiliparse extractor (main_content only).")
    trafilatura: TrafilaturaOptions = Field(
        TrafilaturaOptions(), description="Options of the trafilatura extractor (main_content only).")
    max_record_bytes: int = Field(
        50 * 1024 * 1024, gt=0, description="Larger records are skipped as 'record_too_large'."
    )
    batch_size: int = Field(1000, gt=0, description="Documents per Arrow batch.")
    archive: ArchiveLimits = Field(ArchiveLimits(), description="Limits for code archives and repositories.")
