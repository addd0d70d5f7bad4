"""Fixtures shared by the test suite."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("RAY_DEDUP_LOGS", "0")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared (or $POLYCORPUS_SHARED): real third-party test data, absent on some machines."""
    path = Path(os.environ.get("POLYCORPUS_SHARED", Path(__file__).resolve().parents[2] / "shared"))
    if not (path / "corpus").is_dir():
        pytest.skip(f"shared test data not found at {path} (set POLYCORPUS_SHARED)")
    return path


@pytest.fixture(scope="session")
def ray_local() -> Iterator[None]:
    """One embedded Ray for the in-process tests, bound to 127.0.0.1 with 2 CPUs."""
    import ray

    ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1",
             logging_level="WARNING", configure_logging=True)
    yield
    ray.shutdown()


@pytest.fixture(scope="session")
def code_corpus() -> Path:
    """Real third-party code from ../shared/testdata/build-code-corpus (built on first use,
    ~40 s; $POLYCORPUS_CODE_CORPUS or its default cache). Skipped only where ../shared is
    absent; a builder that fails is a failure, never a quiet skip."""
    import subprocess

    default = Path(os.environ.get("POLYCORPUS_TESTDATA", Path.home() / ".cache" / "polycorpus-testdata")) / "code"
    path = Path(os.environ.get("POLYCORPUS_CODE_CORPUS", default))
    if not (path / ".complete").exists():
        builder = Path(os.environ.get("POLYCORPUS_SHARED", Path(__file__).resolve().parents[2] / "shared"))
        builder = builder / "testdata" / "build-code-corpus"
        if not builder.exists():
            pytest.skip(f"code corpus not at {path} and no builder at {builder} (set POLYCORPUS_CODE_CORPUS)")
        built = subprocess.run([str(builder), str(path)], capture_output=True, text=True, timeout=900)
        if built.returncode != 0:
            pytest.fail(f"{builder} failed to build the code corpus at {path}:\n{built.stderr.strip()[-2000:]}")
    return path
