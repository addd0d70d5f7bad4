"""The example on a real two-node Ray cluster (both nodes on 127.0.0.1) via --ray-address."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import REPO, cli, file_digests, free_port

pytestmark = pytest.mark.slow

EXAMPLE = REPO / "examples" / "quickstart.yaml"



#: The ray command of this interpreter's environment (not whatever ``ray`` is on PATH).
RAY = str(Path(sys.executable).with_name("ray"))


def _node(*args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """A Ray node in the foreground (``--block``) and in its own process group, so that the
    teardown stops exactly this cluster (``ray stop`` would stop every Ray on the machine)."""
    return subprocess.Popen([RAY, "start", "--block", *args], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_for_nodes(address: str, env: dict[str, str], count: int) -> str:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = subprocess.run([RAY, "status", f"--address={address}"], env=env, capture_output=True,
                                text=True, timeout=60)
        if status.stdout.count(" node_") >= count:
            return status.stdout
        time.sleep(1)
    raise AssertionError(f"the cluster at {address} did not reach {count} nodes")


@pytest.fixture
def cluster() -> Iterator[tuple[str, dict[str, str]]]:
    """``ray start --head`` plus a second ``ray start --address``, with a shared auth token."""
    assert Path(RAY).exists(), f"the ray package's command line is missing beside this Python: {RAY}"
    tmp = tempfile.mkdtemp(prefix="pc-ray-")  # short: Ray's socket paths have a length limit
    env = {**os.environ, "RAY_TMPDIR": tmp, "RAY_AUTH_MODE": "token",
           "RAY_AUTH_TOKEN": secrets.token_hex(32), "RAY_USAGE_STATS_ENABLED": "0"}
    address = f"127.0.0.1:{free_port()}"
    nodes = [_node("--head", "--node-ip-address=127.0.0.1", f"--port={address.split(':')[1]}",
                   "--num-cpus=1", "--include-dashboard=false", env=env)]
    try:
        _wait_for_nodes(address, env, 1)
        nodes.append(_node(f"--address={address}", "--node-ip-address=127.0.0.1", "--num-cpus=1", env=env))
        _wait_for_nodes(address, env, 2)
        yield address, env
    finally:
        for node in reversed(nodes):
            # SIGTERM to `ray start --block` alone: it stops its raylet and GCS in ~2 s (sent
            # to the whole group, the daemons die first and it waits ~30 s for them). Then
            # SIGKILL to the group for anything left behind.
            node.terminate()
            try:
                node.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
            with contextlib.suppress(ProcessLookupError):
                os.killpg(node.pid, signal.SIGKILL)
            node.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def test_example_on_two_node_cluster_matches_local_run(tmp_path: Path, cluster: tuple[str, dict[str, str]]) -> None:
    address, env = cluster
    assert _wait_for_nodes(address, env, 2).count(" node_") == 2
    on_cluster = cli("run", str(EXAMPLE), "--output", str(tmp_path / "cluster"), "--ray-address", address, env=env)
    assert on_cluster.returncode == 0, on_cluster.stdout + on_cluster.stderr
    local = cli("run", str(EXAMPLE), "--output", str(tmp_path / "local"), "--workers", "2")
    assert local.returncode == 0, local.stdout + local.stderr
    cluster_docs = file_digests(tmp_path / "cluster" / "documents")
    assert cluster_docs and cluster_docs == file_digests(tmp_path / "local" / "documents")
