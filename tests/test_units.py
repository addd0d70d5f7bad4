"""Unit tests of the small pieces: planning, statistics, the spine's own stages, run dir."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from support import write_config

from polycorpus.pipeline.config import ConfigError, load_config
from polycorpus.pipeline.plan import plan_units, unit_id
from polycorpus.pipeline.rundir import RunDir, RunDirError
from polycorpus.pipeline.stats import account_batch, merge, stage_entry
from polycorpus.stages.config import LengthFilterConfig, NormalizeConfig
from polycorpus.stages.length import LengthFilter
from polycorpus.stages.normalize import Normalize
from polycorpus.stages.schema import documents_table


def _docs(texts: list[str], source: str = "s", lang: list[str | None] | None = None) -> pa.Table:
    langs = lang or [None] * len(texts)
    return documents_table([{"id": str(i), "text": t, "source": source, "kind": "text", "priority": 0, "lang": l}
                            for i, (t, l) in enumerate(zip(texts, langs, strict=True))])


def test_unit_ids_are_stable_readable_and_distinct() -> None:
    assert unit_id("cc", "2024/a.warc.gz") == unit_id("cc", "2024/a.warc.gz")
    assert unit_id("cc", "2024/a.warc.gz").startswith("cc.2024-a.warc.gz.")
    assert unit_id("cc", "a.warc.gz") != unit_id("cc2", "a.warc.gz")
    assert unit_id("cc", "x/a.warc.gz") != unit_id("cc", "x-a.warc.gz")  # slug clash, hash differs


def test_plan_globs_directories_and_relpaths(tmp_path: Path) -> None:
    for rel in ("crawl/2024/a.warc.gz", "crawl/2024/b.warc.gz", "crawl/2023/c.warc.gz", "crawl/notes.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"")
    glob = load_config(write_config(tmp_path / "g.yaml", inputs=[{"path": "crawl/*/*.warc.gz", "source": "cc"}], output="r"))
    assert [u.file.relpath for u in plan_units(glob)] == ["2023/c.warc.gz", "2024/a.warc.gz", "2024/b.warc.gz"]
    directory = load_config(write_config(tmp_path / "d.yaml", inputs=[{"path": "crawl", "source": "cc", "format": "warc"}], output="r"))
    assert [u.file.relpath for u in plan_units(directory)] == ["2023/c.warc.gz", "2024/a.warc.gz", "2024/b.warc.gz"]


def test_plan_refuses_two_inputs_giving_the_same_unit(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text("")
    config = load_config(write_config(tmp_path / "c.yaml", output="r", inputs=[
        {"path": "a.jsonl", "source": "s"}, {"path": "*.jsonl", "source": "s"}]))
    with pytest.raises(ConfigError, match=r"inputs\[1\].path: .*already given by inputs\[0\]"):
        plan_units(config)


def test_merge_adds_recursively() -> None:
    a = {"docs": 1, "drops": {"x": {"docs": 1}}}
    merge(a, {"docs": 2, "drops": {"x": {"docs": 3}, "y": {"docs": 1}}})
    assert a == {"docs": 3, "drops": {"x": {"docs": 4}, "y": {"docs": 1}}}


def test_account_batch_counts_bytes_in_and_out_by_group() -> None:
    before = _docs(["héllo", "drop me", "keep"], lang=["fr", "en", None])
    after = before.set_column(1, "text", pa.array(["hello", "drop me", "keep"]))
    entry = stage_entry()
    account_batch(entry, before, after, pa.array([None, "too_short", None]))
    assert (entry["docs_in"], entry["docs_out"], entry["bytes_in"], entry["bytes_out"]) == (3, 2, 6 + 7 + 4, 5 + 4)
    assert entry["drops"] == {"too_short": {"docs": 1, "bytes": 7}}
    assert entry["by_lang"]["en"]["drops"] == {"too_short": {"docs": 1, "bytes": 7}}
    assert entry["by_lang"]["unknown"]["docs_out"] == 1
    assert entry["by_source"]["s"]["docs_in"] == 3


def test_normalize_stage() -> None:
    stage = Normalize(NormalizeConfig())
    out = stage.process(_docs(["\ufeffCafe\u0301\r\n\r\n\r\n\r\nnext\x00 line  \n", "plain"])).table
    assert out.column("text").to_pylist() == ["Caf\u00e9\n\nnext line", "plain"]
    untouched = Normalize(NormalizeConfig(form="none", strip_control=False, newlines=False, trim=False))
    assert untouched.process(_docs([" a\r\n"])).table.column("text").to_pylist() == [" a\r\n"]


def test_length_filter_reasons() -> None:
    stage = LengthFilter(LengthFilterConfig(min_chars=3, max_chars=5))
    reasons = stage.process(_docs(["ab", "abc", "漢字漢字漢", "abcdef"])).drop_reasons
    assert reasons.to_pylist() == ["too_short", None, None, "too_long"]  # characters, not bytes


def test_rundir_claim_and_refusals(tmp_path: Path) -> None:
    run = RunDir(str(tmp_path / "run"))
    assert run.claim("f1", {}) is False
    assert run.claim("f1", {}) is True
    with pytest.raises(RunDirError, match="different configuration"):
        run.claim("f2", {})


def test_atomic_open_leaves_nothing_on_error(tmp_path: Path) -> None:
    run = RunDir(str(tmp_path))
    with pytest.raises(RuntimeError), run.atomic_open(str(tmp_path / "out" / "x.bin")) as handle:
        handle.write(b"partial")
        raise RuntimeError("crash mid-write")
    assert list((tmp_path / "out").iterdir()) == []


def test_stage_applies_only_to_its_kinds() -> None:
    from polycorpus.pipeline.unit import _apply

    batch = documents_table([{"id": str(i), "text": t, "source": "s", "kind": k, "priority": 0}
                             for i, (t, k) in enumerate([("ab", "code"), ("ab", "text"), ("abcdef", "code")])])
    stage = LengthFilter(LengthFilterConfig(min_chars=3, kinds=["code"]))
    before, result = _apply(stage, batch)
    assert result.table.column("id").to_pylist() == ["0", "2", "1"]  # processed rows, then passed-through
    assert result.drop_reasons.to_pylist() == ["too_short", None, None]
    assert before.column("id").to_pylist() == result.table.column("id").to_pylist()
    untouched = LengthFilter(LengthFilterConfig(min_chars=3, kinds=["web"]))
    assert _apply(untouched, batch)[1].drop_reasons is None
