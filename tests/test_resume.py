"""A run killed with SIGKILL at any moment resumes to exactly the uninterrupted result."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from support import REPO, documents, file_digests, write_config, write_jsonl

pytestmark = pytest.mark.slow

UNITS = 8
DOCS_PER_UNIT = 30_000


def _corpus(root: Path) -> Path:
    words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu".split()
    for u in range(UNITS):
        texts = [" ".join(words[(u + i + k) % len(words)] for k in range(8 + i % 40)) for i in range(DOCS_PER_UNIT)]
        write_jsonl(root / f"part-{u:02d}.jsonl", texts)
    return write_config(
        root / "c.yaml",
        inputs=[{"path": "*.jsonl", "source": "s"}],
        output="run",
        ingest={"batch_size": 2000},
        stages=[{"name": "normalize"}, {"name": "length_filter", "min_chars": 80}],
    )


def _start(config: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "run", str(config), "--workers", "2"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )


def _kill_when(process: subprocess.Popen[bytes], ready: Callable[[], bool], timeout: float = 120) -> bool:
    """SIGKILL the run's whole process group (driver, raylet, workers) once ``ready``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if ready():
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return True
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return False


def _markers(run: Path) -> int:
    return len(list((run / "_state" / "00-ingest" / "done").glob("*.json")))


def _writing(run: Path) -> bool:
    return any(run.glob("documents/.*.tmp"))


def _finish(config: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "pipeline.cli", "run", str(config), "--workers", "2"],
                            cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("reference")
    _finish(_corpus(root))
    return root / "run"


@pytest.mark.parametrize(
    ("point", "ready"),
    [
        ("at start-up", lambda run: (run / "run.json").exists()),
        ("mid-write of the first unit", _writing),
        ("after the first commit", lambda run: _markers(run) >= 1),
        ("half-way", lambda run: _markers(run) >= UNITS // 2 and _writing(run)),
    ],
)
def test_sigkill_then_rerun_equals_uninterrupted(tmp_path: Path, reference: Path, point: str,
                                                 ready: Callable[[Path], bool]) -> None:
    config = _corpus(tmp_path)
    run = tmp_path / "run"
    killed = _kill_when(_start(config), lambda: ready(run))
    assert killed, f"the run finished before the kill point '{point}' was reached"
    assert _markers(run) < UNITS
    _finish(config)
    assert not list(run.rglob("*.tmp")), "half-written files survived the resume"
    assert documents(run).equals(documents(reference))
    assert file_digests(run / "documents") == file_digests(reference / "documents")
    assert file_digests(run / "rejected" / "00-ingest") == file_digests(reference / "rejected" / "00-ingest")
