"""examples/train_tiny.py: a real trainer on the loader; a resumed run repeats the loss curve."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from loader_support import REPO
from support import NO_TORCH

pytestmark = pytest.mark.slow
pytest.importorskip("torch", reason=NO_TORCH)


def train(*args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, str(REPO / "examples" / "train_tiny.py"), *args],
                            check=False, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_resumed_run_reproduces_the_loss_curve_exactly(tmp_path: Path) -> None:
    full, resumed = tmp_path / "full", tmp_path / "resumed"
    train("--out", str(full), "--steps", "40", "--checkpoint-at", "17")
    out = train("--out", str(resumed), "--steps", "40", "--resume", str(full / "checkpoint-17.pt"),
                "--workers", "2")
    assert "resumed at step 17" in out.stdout
    before = json.loads((full / "losses.json").read_text())
    after = json.loads((resumed / "losses.json").read_text())
    assert sorted(map(int, after)) == list(range(18, 41))
    assert all(before[step] == loss for step, loss in after.items())  # bit for bit
    assert before["40"] < before["1"] - 1.0  # and it learns
