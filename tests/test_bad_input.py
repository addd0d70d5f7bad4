"""Bad inputs through the whole CLI: failed units named, the rest completes, reruns recover."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import REPO, cli, documents, stage, stats, write_config

pytestmark = pytest.mark.slow


def test_binary_warc_fails_its_unit_only_and_rerun_after_removal_completes(tmp_path: Path) -> None:
    for name in ("crawl-00.warc.gz", "crawl-01.warc.gz"):
        shutil.copy(REPO / "examples" / "data" / name, tmp_path / name)
    (tmp_path / "broken.warc.gz").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64)
    (tmp_path / "empty.warc.gz").write_bytes(b"")
    config = write_config(tmp_path / "c.yaml", inputs=[{"path": "*.warc.gz", "source": "web", "kind": "web"}], output="run")

    first = cli("run", str(config))
    assert first.returncode == 1, first.stdout + first.stderr
    assert "1 unit(s) FAILED" in first.stdout and "broken.warc.gz" in first.stdout
    s = stats(tmp_path / "run")
    assert s["units"]["done"] == 3 and len(s["units"]["failed"]) == 1 and not s["complete"]
    assert stage(s, "ingest")["docs_out"] == documents(tmp_path / "run").num_rows > 30

    (tmp_path / "broken.warc.gz").unlink()
    second = cli("run", str(config))
    assert second.returncode == 0, second.stdout + second.stderr
    assert stats(tmp_path / "run")["complete"]
    assert cli("run", str(config)).stdout.startswith(f"run {tmp_path / 'run'} is already complete")


@pytest.mark.integration
def test_every_shared_warc_file_through_the_pipeline(tmp_path: Path, shared_dir: Path) -> None:
    warc = shared_dir / "corpus" / "warc"
    config = write_config(
        tmp_path / "c.yaml", output="run",
        inputs=[{"path": f"{warc}/*/*.warc", "source": "warc", "kind": "web"},
                {"path": f"{warc}/*/*.warc.gz", "source": "warc-gz", "kind": "web"},
                {"path": f"{warc}/*/*.wet*", "source": "wet", "kind": "web"},
                {"path": f"{warc}/*/*.wat.gz", "source": "wat", "kind": "web", "format": "warc"},
                {"path": f"{warc}/facebookresearch__cc_net/sample.warc.txt", "source": "ccnet", "kind": "web",
                 "format": "wet"}],
    )
    result = cli("run", str(config))
    assert result.returncode == 0, result.stdout + result.stderr  # clipped.warc.gz is no failure
    s = stats(tmp_path / "run")
    ingest = stage(s, "ingest")
    assert ingest["drops"]["corrupt"]["docs"] == 1  # the truncated gzip
    assert ingest["docs_out"] == documents(tmp_path / "run").num_rows == 22 + 15 + 93 + 16 + 7 * 1 + 3  # per-file counts as in test_ingest_web
    assert s["units"]["total"] == 15  # every file of the shared warc folder
    texts = " ".join(documents(tmp_path / "run").column("text").to_pylist())
    assert "企业公告" in texts and "Стратегия пожарной безопасности" in texts
