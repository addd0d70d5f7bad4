"""The cluster deployment files: docker-compose.yml (validated by the real docker-compose) and
the Dockerfile (parsed). There is no Docker engine in CI, so nothing is built or started here;
`docker-compose config` still interpolates variables and validates the schema without one."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "Dockerfile"
RAY_NODES = ("ray-head", "ray-worker-1", "ray-worker-2")
TOKEN = "0123456789abcdef" * 4  # a made-up token for the interpolation checks


def _compose_config(token: str | None) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("docker-compose is not installed (Debian: apt-get install docker-compose)")
    # A minimal environment, so a developer's MINIO_*/POLYCORPUS_* variables cannot change the result.
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    if token is not None:
        env["RAY_AUTH_TOKEN"] = token
    return subprocess.run(
        [binary, "--file", str(COMPOSE_FILE), "--project-directory", str(REPO), "config"],
        env=env, capture_output=True, text=True, timeout=120,
    )


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    result = _compose_config(TOKEN)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)["services"]


def _command(service: dict[str, Any]) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def _container_ports(service: dict[str, Any]) -> set[int]:
    """Container-side ports, from compose v1 strings ("127.0.0.1:8265:8265/tcp") or v2 mappings."""
    ports = set()
    for port in service.get("ports", []):
        if isinstance(port, dict):
            ports.add(int(port["target"]))
        else:
            ports.add(int(str(port).split("/")[0].rsplit(":", 1)[-1]))
    return ports


def test_compose_defines_head_two_workers_and_minio(services: dict[str, dict[str, Any]]) -> None:
    assert set(RAY_NODES) | {"minio", "minio-init"} <= set(services)
    head = _command(services["ray-head"])
    assert "ray start --head" in head and "--port=6379" in head and "--block" in head
    assert "--dashboard-host=0.0.0.0" in head
    assert {8265, 10001} <= _container_ports(services["ray-head"])
    assert "minio/minio" in services["minio"]["image"]
    assert "server /data" in _command(services["minio"])
    assert "healthcheck" in services["minio"]


def test_workers_join_the_head(services: dict[str, dict[str, Any]]) -> None:
    for name in ("ray-worker-1", "ray-worker-2"):
        worker = services[name]
        assert re.search(r"ray start --address[= ]ray-head:6379\b", _command(worker)), name
        assert "--block" in _command(worker)
        assert "ray-head" in worker["depends_on"]


def test_ray_nodes_share_token_auth_and_reach_minio(services: dict[str, dict[str, Any]]) -> None:
    images = {services[name].get("image") for name in RAY_NODES}
    assert len(images) == 1, "head and workers must run the same image (same Ray and Python)"
    for name in RAY_NODES:
        env = services[name]["environment"]
        assert env["RAY_AUTH_MODE"] == "token", name
        assert env["RAY_AUTH_TOKEN"] == TOKEN, name
        assert env["AWS_ENDPOINT_URL"] == "http://minio:9000", name
        assert env["AWS_ACCESS_KEY_ID"] and env["AWS_SECRET_ACCESS_KEY"], name
    minio_env = services["minio"]["environment"]
    head_env = services["ray-head"]["environment"]
    assert head_env["AWS_ACCESS_KEY_ID"] == minio_env["MINIO_ROOT_USER"]
    assert head_env["AWS_SECRET_ACCESS_KEY"] == minio_env["MINIO_ROOT_PASSWORD"]


def test_bucket_is_created_once_minio_is_healthy(services: dict[str, dict[str, Any]]) -> None:
    init = services["minio-init"]
    assert "minio/mc" in init["image"]
    assert "mc mb" in _command(init) and "polycorpus" in _command(init)
    assert init["depends_on"]["minio"]["condition"] == "service_healthy"


def test_compose_refuses_to_run_without_a_token() -> None:
    """No default token: a cluster must never run with a secret published in the repository."""
    result = _compose_config(None)
    assert result.returncode != 0
    assert "RAY_AUTH_TOKEN" in result.stderr


# ---------------------------------------------------------------------------- Dockerfile


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, args = line.partition(" ")
            pairs.append((keyword.upper(), " ".join(args.split())))
    return pairs


def test_dockerfile_copies_and_installs_the_project() -> None:
    instructions = _instructions()
    assert instructions[0] == ("FROM", "python:3.11-slim")
    assert any(keyword == "WORKDIR" for keyword, _ in instructions)
    copy_all = next(i for i, (kw, args) in enumerate(instructions)
                    if kw == "COPY" and args.split()[-2:] == [".", "."])
    install = next(i for i, (kw, args) in enumerate(instructions)
                   if kw == "RUN" and re.search(r"\bpip install \.(\s|$)", args))
    assert copy_all < install, "the project must be copied before `pip install .`"


def test_dockerfile_ray_matches_the_project_pin() -> None:
    """The image adds ray[default,client] for the dashboard/Jobs API and ray://; same version."""
    dependencies = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    pinned = next(re.search(r"==\s*([\w.]+)", d).group(1) for d in dependencies if re.match(r"ray\b", d))
    args = dict(a.split("=", 1) for kw, a in _instructions() if kw == "ARG" and "=" in a)
    assert args.get("RAY_VERSION") == pinned


def test_dockerignore_keeps_secrets_and_git_out_of_the_image() -> None:
    ignored = {line.strip() for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()}
    assert {".git", ".env"} <= ignored
    assert not {"examples", "examples/"} & ignored, "the image needs examples/ for the quickstart"
