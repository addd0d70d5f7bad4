"""Limits that keep hostile or broken code archives from exhausting a worker.

An archive is refused (its unit fails with a message naming the file and the limit) when it
would expand past ``max_total_bytes``, holds more than ``max_members`` entries, or expands
more than ``max_ratio`` times its compressed size once it is past ``ratio_floor_bytes``
(small archives legitimately have high ratios: a tar of one short file is mostly padding).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ArchiveLimits(BaseModel):
    """The ``ingest.archive`` block of a config."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_total_bytes: int = Field(8 * 1024**3, gt=0, description="Uncompressed bytes of all members.")
    max_members: int = Field(1_000_000, gt=0, description="Entries in one archive or repository.")
    max_ratio: float = Field(100.0, gt=1, description="Uncompressed / compressed size.")
    ratio_floor_bytes: int = Field(
        16 * 1024**2, ge=0, description="The ratio is checked once this much is uncompressed."
    )
