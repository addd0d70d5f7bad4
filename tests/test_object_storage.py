"""Inputs and the run directory on s3:// (a real S3-compatible server on 127.0.0.1)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from support import cli, free_port, write_config

pytestmark = pytest.mark.slow



@pytest.fixture
def s3_env() -> Iterator[dict[str, str]]:
    moto_server = pytest.importorskip("moto.server", reason="moto[server] is in the test extras")
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    env = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"}
    yield env
    server.stop()


def test_pipeline_reads_and_writes_s3(tmp_path: Path, s3_env: dict[str, str]) -> None:
    import boto3

    s3 = boto3.client("s3", endpoint_url=s3_env["AWS_ENDPOINT_URL"], region_name="us-east-1",
                      aws_access_key_id="test", aws_secret_access_key="test")
    s3.create_bucket(Bucket="crawl")
    for part in range(3):
        lines = "".join(json.dumps({"text": f"document {part}-{i} " * 4}) + "\n" for i in range(50))
        s3.put_object(Bucket="crawl", Key=f"in/part-{part}.jsonl", Body=lines.encode())
    config = write_config(
        tmp_path / "c.yaml",
        inputs=[{"path": "s3://crawl/in/*.jsonl", "source": "s3docs"}],
        output="s3://crawl/runs/r1",
        stages=[{"name": "length_filter", "min_chars": 1}],
    )
    result = cli("run", str(config), "--workers", "2", env=s3_env)
    assert result.returncode == 0, result.stdout + result.stderr
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="crawl", Prefix="runs/r1/")["Contents"]}
    data_keys = sorted(k for k in keys if k.startswith("runs/r1/documents/"))
    assert len(data_keys) == 3 and "runs/r1/stats.json" in keys
    assert not [k for k in keys if k.endswith(".tmp")]
    texts = []
    for key in data_keys:
        body = s3.get_object(Bucket="crawl", Key=key)["Body"].read()
        texts += pq.read_table(io.BytesIO(body)).column("text").to_pylist()
    assert sorted(texts) == sorted(f"document {p}-{i} " * 4 for p in range(3) for i in range(50))
    stats = json.loads(s3.get_object(Bucket="crawl", Key="runs/r1/stats.json")["Body"].read())
    assert stats["complete"] and stats["output"]["docs"] == 150
    again = cli("run", str(config), env=s3_env)
    assert again.returncode == 0 and "already complete" in again.stdout
