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
