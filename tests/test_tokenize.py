"""The tokenize stage and the shard tooling: Megatron compatibility, round trips, manifest,
determinism, statistics, bad input."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from support import NO_MEGATRON, REPO, cli, documents, stage, stats, write_config, write_jsonl
from tokenizers import Tokenizer
from tokenizers.models import WordLevel
from tokenizers.pre_tokenizers import Whitespace

from polycorpus.pipeline.config import ConfigError, load_config
from polycorpus.pipeline.runner import run_pipeline
from polycorpus.tokenizer.indexed import IndexedDataset
from polycorpus.tokenizer.load import load_tokenizer
from polycorpus.tokenizer.manifest import Manifest
from polycorpus.tokenizer.train import save_tokenizer, train_tokenizer

pytestmark = pytest.mark.usefixtures("ray_local")

HARD = ["emoji 👩‍👩‍👧‍👦 and flags 🇫🇷🇯🇵", "combining: e\u0301 a\u0308 n\u0303 \u0915\u094d\u0937",
        "NUL\x00inside and \x07 bell", "RTL: \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 \u202eoverride\u202c",
        "code:\n\tif x:\n\t\treturn  [1,  2]   # spaces", "中文文本，日本語のテキスト、한국어 텍스트", ""]


@pytest.fixture(scope="module")
def tokenizer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    texts = [line for line in (REPO / "examples" / "data" / "notes.jsonl").read_text().splitlines()] * 3
    directory = tmp_path_factory.mktemp("tok")
    save_tokenizer(train_tokenizer(texts + HARD, vocab_size=600), directory, {"test": True})
    return directory


def _run(root: Path, tokenizer_dir: Path, texts: list[str], workers: int = 2, files: int = 3, **options) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for i in range(files):
        write_jsonl(root / f"part-{i}.jsonl", [f"{t} #{i}" for t in texts])
    config = write_config(root / "c.yaml", output="run",
                          inputs=[{"path": "*.jsonl", "source": "docs"}],
                          stages=[{"name": "tokenize", "tokenizer": str(tokenizer_dir / "tokenizer.json"), **options}])
    result = run_pipeline(load_config(config), workers=workers)
    assert result.ok, result.failed
    return root / "run"


def test_shards_round_trip_and_megatron_reads_them(tmp_path: Path, tokenizer_dir: Path) -> None:
    run = _run(tmp_path, tokenizer_dir, HARD * 20, shard_bytes=2048)
    manifest = Manifest.from_json((run / "shards" / "manifest.json").read_text())
    tok = load_tokenizer(run / "shards" / "tokenizer.json")
    assert tok.identity == manifest.tokenizer.identity == load_tokenizer(tokenizer_dir).identity
    assert manifest.dtype == "uint16" and len(manifest.shards) > 3  # rolled at 2 KB
    docs = documents(run)
    by_unit: dict[str, list[str]] = {}
    for path in sorted((run / "documents").glob("*.parquet")):
        import pyarrow.parquet as pq

        by_unit[path.stem] = pq.read_table(path).column("text").to_pylist()
    decoded: dict[str, list[str]] = {}
    for shard in manifest.shards:
        dataset = IndexedDataset(run / "shards" / shard.name)
        unit = shard.name.rsplit("-", 1)[0]
        for i in range(len(dataset)):
            ids = dataset[i]
            assert ids[-1] == tok.eod_id and (ids[:-1] != tok.eod_id).all()
            decoded.setdefault(unit, []).append(tok.decode(ids[:-1]))
    assert decoded == by_unit  # exact text back, in document order, NUL and RTL included
    assert sum(s.documents for s in manifest.shards) == docs.num_rows
    megatron = pytest.importorskip("megatron.core.datasets.indexed_dataset", reason=NO_MEGATRON)
    for shard in manifest.shards:
        theirs = megatron.IndexedDataset(str(run / "shards" / shard.name), mmap=True)
        ours = IndexedDataset(run / "shards" / shard.name)
        assert len(theirs) == len(ours)
        for i in range(len(ours)):
            np.testing.assert_array_equal(theirs[i], ours[i])


def test_statistics_blend_and_verify(tmp_path: Path, tokenizer_dir: Path) -> None:
    run = _run(tmp_path, tokenizer_dir, HARD, weights={"docs": 2.0})
    manifest = json.loads((run / "shards" / "manifest.json").read_text())
    s = stats(run)
    tokenize = stage(s, "tokenize")
    assert tokenize["tokens"] == manifest["totals"]["tokens"] == tokenize["by_source"]["docs"]["tokens"]
    assert manifest["config_fingerprint"] == s["fingerprint"]
    blend = (run / "shards" / "blend.txt").read_text().split()
    weights = [float(w) for w in blend[::2]]
    assert abs(sum(weights) - 2.0) < 1e-6 and all(Path(p + ".bin").exists() for p in blend[1::2])
    ok = cli("shards", "verify", str(run / "shards"))
    assert ok.returncode == 0 and ok.stdout.startswith("OK "), ok.stdout
    shard = manifest["shards"][0]["name"]
    shown = cli("shards", "inspect", str(run / "shards" / shard), "--doc", "0")
    assert shown.returncode == 0 and shown.stdout.startswith(HARD[0])
    # Corruption: a flipped byte in a .bin, a truncated .idx.
    bin_file = run / "shards" / f"{shard}.bin"
    data = bytearray(bin_file.read_bytes())
    data[0] ^= 0xFF
    bin_file.write_bytes(bytes(data))
    idx_file = run / "shards" / f"{manifest['shards'][1]['name']}.idx"
    idx_file.write_bytes(idx_file.read_bytes()[:-8])
    bad = cli("shards", "verify", str(run / "shards"))
    assert bad.returncode == 1
    assert "sha256 differs" in bad.stdout and manifest["shards"][1]["name"] in bad.stdout
    flipped = cli("shards", "inspect", str(run / "shards" / shard), "--doc", "0")
    assert flipped.returncode == 1 and "sha256 differs" in flipped.stderr and not flipped.stdout


def test_garbage_tokenizer_file_is_reported_without_a_traceback(tmp_path: Path, tokenizer_dir: Path) -> None:
    run = _run(tmp_path, tokenizer_dir, HARD, files=1)
    (run / "shards" / "tokenizer.json").write_text('{"model": ')
    verified = cli("shards", "verify", str(run / "shards"))
    assert verified.returncode == 1 and "tokenizer.json: not a readable tokenizer" in verified.stdout
    shard = json.loads((run / "shards" / "manifest.json").read_text())["shards"][0]["name"]
    shown = cli("shards", "inspect", str(run / "shards" / shard))
    assert shown.returncode == 2 and "not a readable tokenizer" in shown.stderr
    for result in (verified, shown):
        assert "Traceback" not in result.stdout + result.stderr


def test_same_shards_with_one_or_two_workers(tmp_path: Path, tokenizer_dir: Path) -> None:
    runs = [_run(tmp_path / f"w{w}", tokenizer_dir, HARD * 5, workers=w, shard_bytes=1024) for w in (1, 2)]
    assert file_digests_all(runs[0] / "shards") == file_digests_all(runs[1] / "shards")


def file_digests_all(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.suffix in (".bin", ".idx")}


def test_long_documents_split_or_dropped(tmp_path: Path, tokenizer_dir: Path) -> None:
    texts = ["short", "a much longer document " * 20]
    split = _run(tmp_path / "split", tokenizer_dir, texts, files=1, max_document_tokens=16)
    s = stage(stats(split), "tokenize")
    assert s["docs_out"] == 2 and s["counters"]["split_documents"] == 1
    dataset = IndexedDataset(next((split / "shards").glob("*.idx")).with_suffix(""))
    assert len(dataset) > 2 and max(dataset.sequence_lengths) <= 16
    dropped = _run(tmp_path / "drop", tokenizer_dir, texts, files=1, max_document_tokens=16,
                   long_documents="drop")
    s = stage(stats(dropped), "tokenize")
    assert s["drops"] == {"too_many_tokens": {"docs": 1, "bytes": len(texts[1].encode()) + 3}}


def test_tokenizer_not_fitting_dtype_is_a_config_error(tmp_path: Path) -> None:
    big = tmp_path / "big"  # a real 70k-word vocabulary, built directly (training one takes long)
    vocab = {"<eod>": 0, "<pad>": 1, "[UNK]": 2, **{f"w{i}": i + 3 for i in range(70000)}}
    word_level = Tokenizer(WordLevel(vocab, unk_token="[UNK]"))
    word_level.pre_tokenizer = Whitespace()
    save_tokenizer(word_level, big, {})
    assert load_tokenizer(big).vocab_size == 70003
    write_jsonl(tmp_path / "a.jsonl", ["text"])
    config = write_config(tmp_path / "c.yaml", output="run", inputs=[{"path": "a.jsonl", "source": "s"}],
                          stages=[{"name": "tokenize", "tokenizer": "big", "dtype": "uint16"}])
    with pytest.raises(ConfigError, match="dtype uint16 cannot hold"):
        run_pipeline(load_config(config))
    assert not (tmp_path / "run").exists()
    missing = write_config(tmp_path / "m.yaml", output="run", inputs=[{"path": "a.jsonl", "source": "s"}],
                           stages=[{"name": "tokenize", "tokenizer": "nowhere/tokenizer.json"}])
    result = cli("validate", str(missing))
    assert result.returncode == 2 and "stages[0]: stage tokenize" in result.stderr


def test_staging_folders_of_killed_units_are_swept(tmp_path: Path) -> None:
    """A unit killed mid-tokenize leaves its staging folder: inside the run (local output) it
    goes with the run's other temporaries; in the local temp dir (object-store output) it goes
    once its worker process is gone."""
    import subprocess
    import tempfile

    from polycorpus.pipeline.rundir import RunDir
    from polycorpus.stages import tokenize

    run = tmp_path / "run"
    staging = run / "shards" / ".s.part-0.jsonl.0123456789.k3j4.tmp"
    staging.mkdir(parents=True)
    (staging / "s.part-0.jsonl.0123456789-0000.bin").write_bytes(b"\0" * 64)
    (run / "documents").mkdir()
    (run / "documents" / ".x.parquet.tmp").write_bytes(b"half")
    (run / "documents" / "kept.parquet").write_bytes(b"whole")
    assert RunDir(str(run)).clean_temporaries() == 2
    assert sorted(p.name for p in run.rglob("*")) == ["documents", "kept.parquet", "shards"]

    dead = subprocess.Popen(["true"])
    dead.wait()
    orphan = Path(tempfile.mkdtemp(prefix=f"polycorpus-shards-{dead.pid}-"))
    mine = Path(tempfile.mkdtemp(prefix=f"polycorpus-shards-{os.getpid()}-"))
    try:
        tokenize._sweep_orphaned_staging()
        assert not orphan.exists() and mine.exists()
    finally:
        shutil.rmtree(mine, ignore_errors=True)
        shutil.rmtree(orphan, ignore_errors=True)
