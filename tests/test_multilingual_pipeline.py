"""langid, quality and pii in real runs: bad input never fails a unit, every drop has its
reason, PII is counted, and a split mixed-language page is accounted as its parts."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from support import REPO, cli, documents, stage, stats, write_config

pytestmark = pytest.mark.slow

ENGLISH = ("The city council approved the new bike lanes on Mill Street after a long debate about "
           "parking and deliveries. Work starts in spring and should be finished before summer. ")
NOTES = {n["id"]: n["text"] for n in map(json.loads, (REPO / "examples/data/notes.jsonl").read_text().splitlines())}
PROSE = NOTES["note-001"] + "\n\n" + NOTES["note-002"]  # English prose written for the sample corpus
CHINESE = "市议会在经过关于停车问题的长时间辩论后，批准了磨坊街的新自行车道。这项计划将在明年春天开始实施，预计在暑假前完成。"


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    # json.dumps escapes lone surrogates as \ud800: the reader must survive them.
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_bad_input_through_langid_quality_and_pii(tmp_path: Path) -> None:
    rows = [
        {"id": "empty", "text": ""},
        {"id": "blank", "text": "   \n\t  \n"},
        {"id": "digits", "text": "0123 4567 89 !!! ??? ... --- ### 2024-05-06"},
        {"id": "emoji", "text": "😀🎉👍🏽🔥" * 20},
        {"id": "surrogates", "text": "broken \ud800 text \udfff here. " + PROSE},
        {"id": "huge", "text": ENGLISH * 250_000},  # ~50 MB on a single line
        {"id": "contact", "text": PROSE + "\n\nWrite to jane.doe@example.com or call +1-202-555-0134, "
                                  "or to info@example.org and (555) 010-4477. Our servers are 8.8.8.8 and 1.1.1.1."},
    ]
    config = write_config(
        tmp_path / "c.yaml", output="run",
        inputs=[{"path": str(_write(tmp_path / "bad.jsonl", rows)), "source": "bad", "id_field": "id"}],
        stages=[{"name": "normalize"}, {"name": "langid", "keep": ["en"]},
                {"name": "quality", "c4": {"min_sentences": 3}}, {"name": "pii"}],
    )
    result = cli("run", str(config), timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    s = stats(tmp_path / "run")
    assert s["complete"]
    langid, quality, pii = stage(s, "langid"), stage(s, "quality"), stage(s, "pii")
    assert stage(s, "ingest")["drops"]["empty_text"]["docs"] == 2  # empty, blank
    assert langid["drops"]["no_text"]["docs"] == 2  # digits, emoji
    assert quality["drops"]["too_long"]["docs"] == 1  # the 50 MB line
    assert pii["counters"] == {"documents": 1, "email": 2, "ip": 2, "phone": 2}
    kept = documents(tmp_path / "run")
    texts = sorted(kept.column("text").to_pylist(), key=lambda t: "<EMAIL>" in t)
    assert len(texts) == 2
    assert texts[0].startswith("broken \ufffd text \ufffd here.") and "<EMAIL>" in texts[1]
    for entry in s["stages"]:
        assert entry["docs_in"] == entry["docs_out"] + sum(d["docs"] for d in entry["drops"].values())


def test_split_pages_are_counted_as_their_parts(tmp_path: Path) -> None:
    rows = [{"id": "mixed", "text": f"{ENGLISH}\n{CHINESE}\n{ENGLISH}\n{CHINESE}"},
            {"id": "english", "text": ENGLISH * 2}]
    config = write_config(
        tmp_path / "c.yaml", output="run",
        inputs=[{"path": str(_write(tmp_path / "mixed.jsonl", rows)), "source": "web", "id_field": "id"}],
        stages=[{"name": "langid", "granularity": "paragraph", "paragraphs": {"mixed": "split"}},
                {"name": "length_filter", "min_chars": 10}],
    )
    result = cli("run", str(config), timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    s = stats(tmp_path / "run")
    langid = stage(s, "langid")
    assert langid["counters"] == {"mixed_pages": 1, "split_parts": 2}
    assert langid["docs_in"] == langid["docs_out"] == 3  # the mixed page entered as its 2 parts
    assert set(langid["by_lang"]) == {"en", "zh-Hans"}
    kept = documents(tmp_path / "run")
    assert sorted(kept.column("lang").to_pylist()) == ["en", "en", "zh-Hans"]
    assert len(set(kept.column("id").to_pylist())) == 3


def test_every_output_file_has_the_same_schema_when_a_unit_is_all_code(tmp_path: Path) -> None:
    _write(tmp_path / "notes.jsonl", [{"id": "n", "text": PROSE}])
    _write(tmp_path / "snippets.jsonl", [{"id": "c", "text": "def add(a, b):\n    return a + b\n"}])
    config = write_config(
        tmp_path / "c.yaml", output="run",
        inputs=[{"path": str(tmp_path / "notes.jsonl"), "source": "notes", "id_field": "id"},
                {"path": str(tmp_path / "snippets.jsonl"), "source": "code", "kind": "code", "id_field": "id"}],
        stages=[{"name": "langid", "granularity": "paragraph"}, {"name": "quality", "c4": {"min_sentences": 3}}],
    )
    result = cli("run", str(config), timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    files = sorted((tmp_path / "run" / "documents").glob("*.parquet"))
    schemas = {pq.read_schema(f) for f in files}
    assert len(files) == 2 and len(schemas) == 1
    assert {"lang_top", "lang_shares", "quality_signals"} <= set(next(iter(schemas)).names)
    kept = documents(tmp_path / "run")
    code = kept.filter(pc.equal(kept.column("kind"), "code"))
    assert code.column("lang").to_pylist() == [None] and code.column("quality_signals").to_pylist() == [None]
