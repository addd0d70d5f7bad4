"""A run killed with SIGKILL at any moment resumes to exactly the uninterrupted result."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from support import REPO, documents, file_digests, write_config, write_jsonl

from polycorpus.tokenizer.train import save_tokenizer, train_tokenizer

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
        [sys.executable, "-m", "polycorpus.pipeline.cli", "run", str(config), "--workers", "2", "--engine", "ray"],
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
    result = subprocess.run([sys.executable, "-m", "polycorpus.pipeline.cli", "run", str(config), "--workers", "2", "--engine", "ray"],
                            cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr


def _uninterrupted(factory: pytest.TempPathFactory, name: str, corpus: Callable[[Path], Path]) -> Path:
    """The run directory of ``corpus`` run to completion without interruption."""
    root = factory.mktemp(name)
    _finish(corpus(root))
    return root / "run"


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _uninterrupted(tmp_path_factory, "reference", _corpus)


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


# -- across phases: a barrier (dedup) and a sink (tokenize) ---------------------------------------

PHASED_UNITS = 6


def _phased_corpus(root: Path) -> Path:
    """Articles with planted copies across units, deduplicated and tokenized."""
    words = [f"w{i}" for i in range(400)]
    articles = [" ".join(random.Random(a).choice(words) for _ in range(150)) for a in range(2500)]
    for u in range(PHASED_UNITS):
        rng = random.Random(u)
        texts = [articles[rng.randrange(len(articles))] if i % 5 == 0 else articles[(u * 400 + i) % len(articles)]
                 for i in range(400)]
        write_jsonl(root / f"part-{u:02d}.jsonl", texts)
    save_tokenizer(train_tokenizer(articles[:200], vocab_size=600), root / "tok", {})
    return write_config(
        root / "c.yaml", inputs=[{"path": "*.jsonl", "source": "s"}], output="run",
        stages=[{"name": "dedup", "minhash": {"preset": "fineweb", "by_language": False}},
                {"name": "tokenize", "tokenizer": "tok/tokenizer.json", "shard_bytes": 20000}],
    )


def _phase_markers(run: Path, phase: str) -> int:
    return len(list((run / "_state" / phase / "done").glob("*.json")))


@pytest.fixture(scope="module")
def phased_reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _uninterrupted(tmp_path_factory, "phased-reference", _phased_corpus)


@pytest.mark.parametrize(
    ("point", "ready"),
    [
        ("during the global dedup step", lambda run: (run / "dedup" / "work").exists()
         and not (run / "_state" / "01-dedup").exists()),
        ("mid-way through the phase after dedup", lambda run: 1 <= _phase_markers(run, "02-dedup") < PHASED_UNITS),
    ],
)
def test_sigkill_across_phases(tmp_path: Path, phased_reference: Path, point: str,
                               ready: Callable[[Path], bool]) -> None:
    config = _phased_corpus(tmp_path)
    run = tmp_path / "run"
    assert _kill_when(_start(config), lambda: ready(run)), f"the run finished before '{point}'"
    _finish(config)
    assert documents(run).equals(documents(phased_reference))
    for sub in ("documents", "dedup/duplicates", "dedup/decisions"):
        assert file_digests(run / sub) == file_digests(phased_reference / sub), sub
    shards = {p.name: p.read_bytes() for p in (run / "shards").glob("*.[bi][id][nx]")}
    assert shards and shards == {p.name: p.read_bytes() for p in (phased_reference / "shards").glob("*.[bi][id][nx]")}
    manifests = [json.loads((r / "shards" / "manifest.json").read_text()) for r in (run, phased_reference)]
    for manifest in manifests:  # the fingerprint covers the input paths, which differ here
        manifest.pop("config_fingerprint")
    assert manifests[0] == manifests[1]


def _with_copies(root: Path) -> Path:
    """The phased corpus plus a file of copies of documents in the others."""
    config = _phased_corpus(root)
    texts = [json.loads(line)["text"] for line in (root / "part-00.jsonl").read_text().splitlines()[:50]]
    write_jsonl(root / "part-99.jsonl", texts)
    return config


def test_input_added_after_a_kill_beyond_the_barrier(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Killed after the global dedup step, then an input is added: the rerun redoes the global
    step and every unit after it, and equals an uninterrupted run over all the files."""
    config = _phased_corpus(tmp_path)
    run = tmp_path / "run"
    assert _kill_when(_start(config), lambda: 1 <= _phase_markers(run, "02-dedup") < PHASED_UNITS)
    _with_copies(tmp_path)
    _finish(config)
    reference = _uninterrupted(tmp_path_factory, "copies-reference", _with_copies)
    assert documents(run).equals(documents(reference))
    for sub in ("documents", "dedup/duplicates", "dedup/decisions"):
        assert file_digests(run / sub) == file_digests(reference / sub), sub
    shards = {p.name: p.read_bytes() for p in (run / "shards").glob("*.[bi][id][nx]")}
    assert shards == {p.name: p.read_bytes() for p in (reference / "shards").glob("*.[bi][id][nx]")}
