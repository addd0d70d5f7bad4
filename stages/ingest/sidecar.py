"""Per-repository metadata from a sidecar file: stars, priority, anything else worth keeping.

Dedup keeps one copy of duplicated files, and which one matters: the copy in the popular,
maintained repository rather than in a fork or a vendored snapshot. A sidecar (jsonl, json,
csv or tsv, one row per repository, keyed by ``repo``) supplies that knowledge: ``priority``
becomes the documents' priority (dedup keeps the highest), every other field (``stars``,
``forks``...) goes into their ``meta``. It is read once per process and input.
"""

from __future__ import annotations

import csv
import io
import json
from functools import cache
from typing import Any

import fsspec

from polycorpus.stages.ingest.base import InputFormatError


def _number(value: str) -> Any:
    try:
        return int(value)
    except ValueError:
        try:
            return float(value)
        except ValueError:
            return value


def _rows(url: str, text: str) -> list[dict[str, Any]]:
    lowered = url.lower()
    if lowered.endswith((".csv", ".tsv")):
        reader = csv.DictReader(io.StringIO(text), delimiter="\t" if lowered.endswith(".tsv") else ",")
        return [{k: _number(v) for k, v in row.items() if v not in (None, "")} for row in reader]
    if lowered.endswith(".json"):
        data = json.loads(text)
        if isinstance(data, dict):  # {"repo": {...}, ...}
            return [{"repo": repo, **fields} for repo, fields in data.items()]
        return list(data)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@cache
def repository_metadata(url: str) -> dict[str, dict[str, Any]]:
    """``repo`` -> its fields (without ``repo``); a bad sidecar fails the unit, naming it."""
    try:
        with fsspec.open(url, "rt", encoding="utf-8") as handle:
            rows = _rows(url, handle.read())
    except (OSError, ValueError) as exc:
        raise InputFormatError(f"{url}: unreadable repository metadata ({exc})") from exc
    table: dict[str, dict[str, Any]] = {}
    for index, row in enumerate(rows):
        if not isinstance(row, dict) or not isinstance(row.get("repo"), str):
            raise InputFormatError(f"{url}: row {index + 1} has no 'repo' field")
        priority = row.get("priority")
        if priority is not None and not isinstance(priority, int):
            raise InputFormatError(f"{url}: row {index + 1}: priority must be an integer, got {priority!r}")
        table[row["repo"]] = {k: v for k, v in row.items() if k != "repo"}
    return table
