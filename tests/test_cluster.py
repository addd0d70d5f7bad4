"""The example on a real two-node Ray cluster (both nodes on 127.0.0.1) via --ray-address."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import REPO, cli, file_digests

pytestmark = pytest.mark.slow

EXAMPLE = REPO / "examples" / "quickstart.yaml"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ray(*args: str, env: dict[str, str]) -> None:
    subprocess.run(["ray", *args], env=env, check=True, capture_output=True, timeout=180)


@pytest.fixture
def cluster() -> Iterator[tuple[str, dict[str, str]]]:
    """``ray start --head`` plus a second ``ray start --address``, with a shared auth token."""
    if shutil.which("ray") is None:
        pytest.skip("the ray command line is not on PATH")
    tmp = tempfile.mkdtemp(prefix="pc-ray-")  # short: Ray's socket paths have a length limit
    env = {**os.environ, "RAY_TMPDIR": tmp, "RAY_AUTH_MODE": "token",
           "RAY_AUTH_TOKEN": secrets.token_hex(32), "RAY_USAGE_STATS_ENABLED": "0"}
    address = f"127.0.0.1:{_free_port()}"
    try:
        _ray("start", "--head", "--node-ip-address=127.0.0.1", f"--port={address.split(':')[1]}",
             "--num-cpus=1", "--include-dashboard=false", env=env)
        _ray("start", f"--address={address}", "--node-ip-address=127.0.0.1", "--num-cpus=1", env=env)
        yield address, env
    finally:
        subprocess.run(["ray", "stop", "--force"], env=env, capture_output=True, timeout=120)
        shutil.rmtree(tmp, ignore_errors=True)


def test_example_on_two_node_cluster_matches_local_run(tmp_path: Path, cluster: tuple[str, dict[str, str]]) -> None:
    address, env = cluster
    status = subprocess.run(["ray", "status", f"--address={address}"], env=env, capture_output=True, text=True, timeout=60)
    assert status.stdout.count("node_") == 2, status.stdout
    on_cluster = cli("run", str(EXAMPLE), "--output", str(tmp_path / "cluster"), "--ray-address", address, env=env)
    assert on_cluster.returncode == 0, on_cluster.stdout + on_cluster.stderr
    local = cli("run", str(EXAMPLE), "--output", str(tmp_path / "local"), "--workers", "2")
    assert local.returncode == 0, local.stdout + local.stderr
    cluster_docs = file_digests(tmp_path / "cluster" / "documents")
    assert cluster_docs and cluster_docs == file_digests(tmp_path / "local" / "documents")
