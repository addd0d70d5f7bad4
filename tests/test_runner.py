"""The runner end to end, on Ray and in process: outputs, statistics, determinism, refusals, bad units."""

from __future__ import annotations

import io
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from support import REPO, cli, documents, file_digests, stage, stats, write_config, write_jsonl

from polycorpus.pipeline.config import ConfigError, load_config
from polycorpus.pipeline.progress import RunProgress
from polycorpus.pipeline.rundir import RunDirError
from polycorpus.pipeline.runner import run_pipeline

pytestmark = pytest.mark.usefixtures("ray_local")

TEXTS = ["short", "", "   ", "a reasonably long document about nothing " * 3, "ok doc number one here",
         "x" * 50, "line one\r\n\r\n\r\n\r\nline two\x00 with a nul"]


def _corpus(root: Path, files: int = 4, extra: list[str] | None = None) -> Path:
    for i in range(files):
        write_jsonl(root / f"part-{i}.jsonl", [f"{t} {i}" if t.strip() else t for t in TEXTS] + (extra or []))
    return write_config(
        root / "c.yaml",
        inputs=[{"path": "*.jsonl", "source": "notes", "priority": 2}],
        output="run",
        stages=[{"name": "normalize"}, {"name": "length_filter", "min_chars": 10, "max_chars": 100}],
    )


def _check_documents_and_statistics(run: Path) -> None:
    docs = documents(run)
    s = stats(run)
    # Recount from the outputs: the statistics are exact, not estimates.
    assert s["output"]["docs"] == docs.num_rows == 4 * 3
    assert s["output"]["bytes"] == sum(len(t.encode()) for t in docs.column("text").to_pylist())
    ingest, length = stage(s, "ingest"), stage(s, "length_filter")
    assert ingest["docs_in"] == 4 * len(TEXTS) and ingest["drops"]["empty_text"]["docs"] == 8
    rejected = pq.read_table(run / "rejected").to_pylist()
    assert {r["drop_reason"] for r in rejected} == {"too_short", "too_long"}
    assert length["drops"]["too_short"]["docs"] == sum(r["drop_reason"] == "too_short" for r in rejected)
    assert length["docs_in"] - length["docs_out"] == len(rejected)
    assert length["by_source"]["notes"]["docs_out"] == docs.num_rows
    assert s["complete"] and s["units"] == {"total": 4, "done": 4, "failed": []}
    # Each stage's time is recorded apart (a phase's wall time cannot tell them apart), and the
    # stages of a phase together take no longer than its units did.
    assert all(entry["seconds"] > 0 for entry in s["stages"])
    per_unit = s["phases"][0]["unit_seconds"]
    assert sum(entry["seconds"] for entry in s["stages"]) <= per_unit + 0.01
    # Normalisation happened and the core schema holds.
    assert "line one\n\nline two with a nul 0" in docs.column("text").to_pylist()
    assert set(docs.column("priority").to_pylist()) == {2}
    assert len(set(docs.column("id").to_pylist())) == docs.num_rows


@pytest.mark.parametrize("engine", ["ray", "auto"])
def test_documents_and_exact_statistics_through_each_engine(tmp_path: Path, engine: str) -> None:
    config = load_config(_corpus(tmp_path))
    result = run_pipeline(config, workers=2, engine=engine)
    assert result.ok and not result.already_complete
    _check_documents_and_statistics(tmp_path / "run")


def test_small_input_runs_in_process_without_starting_ray(tmp_path: Path) -> None:
    log = io.StringIO()
    assert run_pipeline(load_config(_corpus(tmp_path)), progress=RunProgress(stream=log)).ok
    assert "engine: local (1 worker(s))" in log.getvalue()


def test_same_outputs_in_process_and_on_one_or_two_ray_workers(tmp_path: Path) -> None:
    outputs = []
    for engine, workers in (("local", None), ("ray", 1), ("ray", 2)):
        root = tmp_path / f"{engine}{workers}"
        root.mkdir()
        assert run_pipeline(load_config(_corpus(root, files=6)), workers=workers, engine=engine).ok
        outputs.append((file_digests(root / "run" / "documents"), file_digests(root / "run" / "rejected" / "00-ingest")))
    assert outputs[0] == outputs[1] == outputs[2]
    assert len(outputs[0][0]) == 6


def test_local_engine_cannot_join_a_cluster(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot join a Ray cluster"):
        run_pipeline(load_config(_corpus(tmp_path)), engine="local", ray_address="127.0.0.1:1")
    assert not (tmp_path / "run").exists()


def test_rerun_of_finished_run_does_nothing(tmp_path: Path) -> None:
    config = load_config(_corpus(tmp_path))
    run_pipeline(config)
    before = file_digests(tmp_path / "run" / "documents")
    again = run_pipeline(config)
    assert again.already_complete
    assert file_digests(tmp_path / "run" / "documents") == before


def test_changed_config_is_refused(tmp_path: Path) -> None:
    run_pipeline(load_config(_corpus(tmp_path)))
    changed = write_config(tmp_path / "c2.yaml", inputs=[{"path": "*.jsonl", "source": "notes"}], output="run")
    with pytest.raises(RunDirError, match="different configuration.*another --output"):
        run_pipeline(load_config(changed))


def test_foreign_directory_is_refused(tmp_path: Path) -> None:
    config_path = _corpus(tmp_path)
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "precious.txt").write_text("not ours")
    with pytest.raises(RunDirError, match="not a polycorpus run directory"):
        run_pipeline(load_config(config_path))


def test_bad_unit_fails_alone_and_rerun_after_removal_completes(tmp_path: Path) -> None:
    _corpus(tmp_path, files=2)
    (tmp_path / "junk.jsonl.gz").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    config = load_config(write_config(
        tmp_path / "c.yaml", inputs=[{"path": "*.jsonl*", "source": "notes", "format": "jsonl"}], output="run"))
    result = run_pipeline(config)
    assert [o.unit for o in result.failed] == ["notes.junk.jsonl.gz." + result.failed[0].unit.rsplit(".", 1)[1]]
    assert "junk.jsonl.gz" in result.failed[0].error
    s = stats(tmp_path / "run")
    assert not s["complete"] and s["units"]["done"] == 2
    failure = json.loads(next((tmp_path / "run" / "_state" / "00-ingest" / "failed").glob("*.json")).read_text())
    assert "junk.jsonl.gz" in failure["error"]
    (tmp_path / "junk.jsonl.gz").unlink()
    again = run_pipeline(config)
    assert again.ok and stats(tmp_path / "run")["complete"]
    assert not list((tmp_path / "run" / "_state" / "00-ingest" / "failed").glob("*.json"))


def test_empty_input_file_gives_zero_documents(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_bytes(b"")
    config = load_config(write_config(tmp_path / "c.yaml", inputs=[{"path": "empty.jsonl", "source": "e"}], output="run"))
    result = run_pipeline(config)
    assert result.ok
    assert stats(tmp_path / "run")["output"]["docs"] == 0
    assert not list((tmp_path / "run").glob("documents/*.parquet"))


def test_removed_input_drops_its_outputs(tmp_path: Path) -> None:
    config = load_config(_corpus(tmp_path, files=3))
    run_pipeline(config)
    (tmp_path / "part-2.jsonl").unlink()
    result = run_pipeline(config)
    assert result.ok
    assert len(list((tmp_path / "run" / "documents").glob("*.parquet"))) == 2
    assert stats(tmp_path / "run")["units"]["total"] == 2


# -- inputs that change between runs ------------------------------------------------------------

def _dedup_corpus(root: Path) -> Path:
    """Four files of ten distinct documents, deduplicated exactly across files."""
    for f in range(4):
        write_jsonl(root / f"f{f}.jsonl", [f"document {f}-{i} " + "body words " * 10 for i in range(10)])
    return write_config(root / "c.yaml", inputs=[{"path": "*.jsonl", "source": "s"}], output="run",
                        stages=[{"name": "dedup", "minhash": None}])


def _counts(run_stats: dict) -> list:
    return [(s["name"], s["docs_in"], s["docs_out"], s["drops"]) for s in run_stats["stages"]]


def _fresh(root: Path, change) -> Path:
    """The same corpus with ``change`` applied before a first run: what a rerun must equal."""
    config = _dedup_corpus(root)
    change(root)
    assert run_pipeline(load_config(config), engine="local").ok
    return root / "run"


def _copies_of_f0(root: Path) -> None:
    write_jsonl(root / "g.jsonl", [f"document 0-{i} " + "body words " * 10 for i in range(10)])


def _remove_f0(root: Path) -> None:
    _copies_of_f0(root)  # the first run sees the copies; the change removes their originals
    (root / "f0.jsonl").unlink()


def _append_to_f3(root: Path) -> None:
    with (root / "f3.jsonl").open("a", encoding="utf-8") as handle:
        for i in range(5):
            handle.write(json.dumps({"text": f"document 1-{i} " + "body words " * 10}) + "\n")
            handle.write(json.dumps({"text": f"appended {i} " + "body words " * 10}) + "\n")


@pytest.mark.parametrize(("change", "setup", "docs"), [
    (_copies_of_f0, None, 40),          # a file of copies added: all ten dropped
    (_remove_f0, _copies_of_f0, 40),    # originals removed: their copies elsewhere come back
    (_append_to_f3, None, 45),          # lines appended to a committed input are read
])
def test_a_rerun_after_the_inputs_change_equals_a_fresh_run(tmp_path: Path, change, setup, docs: int) -> None:
    (tmp_path / "rerun").mkdir()
    (tmp_path / "fresh").mkdir()
    config = load_config(_dedup_corpus(tmp_path / "rerun"))
    if setup is not None:
        setup(tmp_path / "rerun")
    assert run_pipeline(config, engine="local").ok
    change(tmp_path / "rerun")
    lines = io.StringIO()
    result = run_pipeline(config, engine="local", progress=RunProgress(stream=lines))
    assert result.ok and not result.already_complete, lines.getvalue()
    fresh = _fresh(tmp_path / "fresh", lambda root: (setup(root) if setup else None, change(root)))
    rerun = tmp_path / "rerun" / "run"
    assert documents(rerun).num_rows == documents(fresh).num_rows == docs
    assert file_digests(rerun / "documents") == file_digests(fresh / "documents")
    assert file_digests(rerun / "dedup" / "decisions") == file_digests(fresh / "dedup" / "decisions")
    assert _counts(stats(rerun)) == _counts(stats(fresh))
    assert "changed" in lines.getvalue() or "gone" in lines.getvalue()
    again = run_pipeline(config, engine="local")
    assert again.already_complete


# -- units that die, disks that fill ------------------------------------------------------------

def _slow_corpus(root: Path, units: int = 6) -> Path:
    words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu".split()
    for u in range(units):
        write_jsonl(root / f"part-{u}.jsonl",
                    [" ".join(words[(u + i + k) % len(words)] for k in range(8 + i % 40)) for i in range(30_000)])
    return write_config(root / "c.yaml", inputs=[{"path": "*.jsonl", "source": "s"}], output="run",
                        stages=[{"name": "normalize"}, {"name": "length_filter", "min_chars": 80}])


@pytest.mark.slow
def test_a_worker_killed_mid_unit_fails_that_unit_alone(tmp_path: Path) -> None:
    """SIGKILL of a Ray worker process while it holds a unit (what the OOM killer does)."""
    config = _slow_corpus(tmp_path)
    run = subprocess.Popen([sys.executable, "-m", "polycorpus.pipeline.cli", "run", str(config),
                            "--engine", "ray", "--workers", "2"],
                           cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    killed = None
    deadline = time.monotonic() + 120
    while killed is None and run.poll() is None and time.monotonic() < deadline:
        found = subprocess.run(["pgrep", "-f", "ray::_UnitWorker.process"], capture_output=True, text=True).stdout.split()
        if found:
            killed = int(found[0])
            os.kill(killed, signal.SIGKILL)
        time.sleep(0.02)
    output = run.communicate(timeout=300)[0]
    assert killed is not None, "no unit was running to kill"
    assert run.returncode == 1, output
    assert "1 unit(s) FAILED" in output and "worker failed" in output and "Traceback" not in output
    s = stats(tmp_path / "run")
    assert len(s["units"]["failed"]) == 1 and s["units"]["done"] == 5 and not s["complete"]
    again = cli("run", str(config), "--engine", "local")
    assert again.returncode == 0, again.stdout + again.stderr
    assert stats(tmp_path / "run")["complete"]


@pytest.fixture
def small_disk(tmp_path: Path):
    """A tmpfs of a given size (root and mount(2) needed), grown by calling it again."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()

    def size(kilobytes: int) -> Path:
        options = f"size={kilobytes}k" + (",remount" if os.path.ismount(mount_point) else "")
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(mount_point)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.strip()}")
        return mount_point

    yield size
    if os.path.ismount(mount_point):
        subprocess.run(["umount", str(mount_point)], check=True)


@pytest.mark.parametrize("kilobytes", [100, 4])
def test_a_full_disk_fails_cleanly_and_a_rerun_after_freeing_space_is_identical(
        tmp_path: Path, small_disk, kilobytes: int) -> None:
    words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu".split()
    for u in range(4):  # ~330 KB of compressed output: more than the small disk holds
        rng = random.Random(u)
        write_jsonl(tmp_path / f"p{u}.jsonl", [" ".join(rng.choice(words) for _ in range(60)) for _ in range(3000)])
    config = write_config(tmp_path / "c.yaml", inputs=[{"path": "p*.jsonl", "source": "s"}], output="run",
                          stages=[{"name": "normalize"}, {"name": "length_filter", "min_chars": 50}])
    reference = cli("run", str(config), "--output", str(tmp_path / "reference"))
    assert reference.returncode == 0, reference.stderr
    output = str(small_disk(kilobytes) / "run")
    full = cli("run", str(config), "--output", output)
    assert full.returncode == 1, full.stdout + full.stderr
    assert "No space left on device" in full.stdout + full.stderr
    assert "Traceback" not in full.stdout + full.stderr
    small_disk(64 * 1024)
    again = cli("run", str(config), "--output", output)
    assert again.returncode == 0, again.stdout + again.stderr
    assert file_digests(Path(output) / "documents") == file_digests(tmp_path / "reference" / "documents")
    assert not [p for p in Path(output).rglob("*") if p.name.endswith(".tmp")]
