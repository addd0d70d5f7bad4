"""Helpers the tests share: writing configs and corpora, running the CLI, reading outputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("POLYCORPUS_SHARED", REPO.parent / "shared"))

# Neither install extra pulls torch (an unpinned torch is a multi-GB CUDA build): the tests that
# need it skip with these reasons where it is absent. .ci/run installs both.
NO_TORCH = "torch is not installed (pip install torch==2.13.0, alone and first: see README)"
NO_MEGATRON = "megatron-core is not installed (pip install torch==2.13.0, then pip install -e '.[megatron]')"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (for test servers and Ray clusters)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_config(path: Path, **config: Any) -> Path:
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def write_jsonl(path: Path, texts: list[str]) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for i, text in enumerate(texts):
            handle.write(json.dumps({"text": text, "n": i}, ensure_ascii=False) + "\n")
    return path


def cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
        timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``polycorpus`` as a user would, in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "polycorpus.pipeline.cli", *args],
        cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=timeout,
    )


def documents(run_dir: Path) -> pa.Table:
    """All final documents of a run, sorted by id (order-free comparison)."""
    files = sorted((run_dir / "documents").glob("*.parquet"))
    table = pa.concat_tables([pq.read_table(f) for f in files]) if files else None
    return table.sort_by("id") if table is not None else pa.table({})


def file_digests(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.glob("*.parquet"))}


def stats(run_dir: Path) -> dict[str, Any]:
    return json.loads((run_dir / "stats.json").read_text())


def stage(stats_doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in stats_doc["stages"] if s["name"] == name)
