"""What every input reader shares: the file it reads, its options and its tally.

A reader turns one input file into document batches (``pyarrow.Table`` in the document
schema) and accounts for every record it saw: kept as a document, or skipped with a reason.
A file that is not of its format at all raises :class:`InputFormatError`, which fails that
unit (with the file named) without touching the others.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, Protocol

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field

from polycorpus.stages.ingest.limits import ArchiveLimits


class InputFormatError(Exception):
    """The file cannot be read as the format it claims (the unit fails, the run goes on)."""


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


class IngestOptions(BaseModel):
    """Options of the ingest step (the ``ingest:`` block of a config)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    html_extractor: Literal["resiliparse", "trafilatura"] = Field(
        "resiliparse", description="Main-content extractor for HTML pages."
    )
    main_content: bool = Field(True, description="Drop boilerplate (menus, footers) from HTML.")
    max_record_bytes: int = Field(
        50 * 1024 * 1024, gt=0, description="Larger records are skipped as 'record_too_large'."
    )
    batch_size: int = Field(1000, gt=0, description="Documents per Arrow batch.")
    archive: ArchiveLimits = Field(ArchiveLimits(), description="Limits for code archives and repositories.")


@dataclass
class Tally:
    """Exact counts of what a reader saw and why it skipped what it skipped."""

    records: int = 0
    record_bytes: int = 0
    skipped: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    def saw(self, n_bytes: int) -> None:
        self.records += 1
        self.record_bytes += n_bytes

    def skip(self, reason: str, n_bytes: int = 0) -> None:
        entry = self.skipped[reason]
        entry[0] += 1
        entry[1] += n_bytes


def valid_utf8(text: str) -> str:
    """Replace lone surrogates (from JSON escapes or bad decoders) so Arrow accepts the text.

    Round-tripping through UTF-16 keeps properly paired surrogates as the character they
    encode and turns only the unpaired ones into U+FFFD.
    """
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


class Reader(Protocol):
    def __call__(
        self, file: InputFile, options: IngestOptions, tally: Tally
    ) -> Iterator[pa.Table]: ...
