"""The loader over object storage: a real S3-compatible server (moto) on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from loader_support import make_set
from support import NO_TORCH, free_port

from polycorpus.tokenizer.loader import ShardChecksumError, TokenStream

pytestmark = pytest.mark.slow



@pytest.fixture
def bucket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[object, str]]:
    moto_server = pytest.importorskip("moto.server", reason="moto[server] is in the test extras")
    import boto3
    import fsspec

    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    for key, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                       "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": endpoint}.items():
        monkeypatch.setenv(key, value)
    fsspec.filesystem("s3").clear_instance_cache()
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket="corpus")
    local = make_set(tmp_path / "web", {f"w{i}": ("web", "web", 60) for i in range(4)}, seed=4)
    for path in local.iterdir():
        s3.upload_file(str(path), "corpus", f"sets/web/{path.name}")
    yield s3, str(local)
    server.stop()


def batches(stream: TokenStream) -> list[np.ndarray]:
    return [batch["tokens"] for batch in stream]


def test_remote_set_reads_like_the_local_one(bucket, tmp_path: Path) -> None:
    _, local = bucket
    options = {"seq_len": 32, "batch_size": 4, "seed": 2}
    expected = batches(TokenStream(local, cache_dir=tmp_path / "local-cache", **options))
    remote = TokenStream("s3://corpus/sets/web", cache_dir=tmp_path / "cache", **options)
    assert all(np.array_equal(a, b) for a, b in zip(batches(remote), expected, strict=True))
    cached = sorted(p.name.split("-", 1)[1] for p in (tmp_path / "cache" / "blobs").iterdir()
                    if not p.name.startswith("."))
    assert cached == [f"w{i}.bin" for i in range(4)]  # named by content hash + file name
    # Document-aligned windows need the indexes too; they come through the same cache.
    aligned = TokenStream("s3://corpus/sets/web", mode="document", cache_dir=tmp_path / "cache",
                          **options)
    local_aligned = TokenStream(local, mode="document", cache_dir=tmp_path / "local-cache", **options)
    assert np.array_equal(aligned.batch(3)["tokens"], local_aligned.batch(3)["tokens"])


def test_cache_stays_within_its_bound(bucket, tmp_path: Path) -> None:
    _, local = bucket
    sizes = sorted(p.stat().st_size for p in Path(local).glob("*.bin"))
    bound = sizes[-1] + sizes[-2]  # room for two of the four shards
    options = {"seq_len": 32, "batch_size": 4, "seed": 5}
    expected = batches(TokenStream(local, cache_dir=tmp_path / "local-cache", **options))
    remote = TokenStream("s3://corpus/sets/web", cache_dir=tmp_path / "cache",
                         cache_max_bytes=bound, **options)
    blobs = tmp_path / "cache" / "blobs"
    for batch, want in zip(remote, expected, strict=True):
        assert np.array_equal(batch["tokens"], want)
        assert sum(p.stat().st_size for p in blobs.iterdir() if not p.name.startswith(".")) <= bound
    assert not list(blobs.glob(".*.part"))


def test_corrupted_remote_shard_is_refused(bucket, tmp_path: Path) -> None:
    s3, local = bucket
    data = bytearray((Path(local) / "w2.bin").read_bytes())
    data[5] ^= 0xFF
    s3.put_object(Bucket="corpus", Key="sets/web/w2.bin", Body=bytes(data))
    stream = TokenStream("s3://corpus/sets/web", seq_len=32, batch_size=4,
                         cache_dir=tmp_path / "cache")
    with pytest.raises(ShardChecksumError, match=r"s3://corpus/sets/web/w2\.bin: sha256"):
        batches(stream)
    s3.delete_object(Bucket="corpus", Key="sets/web/w2.bin")
    fresh = TokenStream("s3://corpus/sets/web", seq_len=32, batch_size=4, cache_dir=tmp_path / "c2")
    with pytest.raises(FileNotFoundError, match=r"w2\.bin: shard file missing"):
        batches(fresh)


def test_remote_set_through_dataloader_workers(bucket, tmp_path: Path) -> None:
    torch = pytest.importorskip("torch", reason=NO_TORCH)
    from polycorpus.tokenizer.loader.torch_dataset import StreamingDataLoader, StreamingDataset

    _, local = bucket
    options = {"seq_len": 32, "batch_size": 4, "seed": 3}
    expected = batches(TokenStream(local, cache_dir=tmp_path / "local-cache", **options))
    loader = StreamingDataLoader(StreamingDataset("s3://corpus/sets/web",
                                                  cache_dir=str(tmp_path / "cache"), **options),
                                 num_workers=2)
    got = [batch["tokens"] for batch in loader]
    assert all(torch.equal(a, torch.from_numpy(b)) for a, b in zip(got, expected, strict=True))
