"""Export / import of comment segments, end to end through `polycorpus run` and the CLI."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parent))
from support import cli, documents, stage, stats, write_config
from translate_server import pseudo_translate

from polycorpus.stages.translate.extract import code_tokens, lex, lexer_for

APP = '''"""A tiny application that greets people."""


def greet(name):
    # Build the greeting for the given person
    # and return it to the caller.
    return "Hello, " + name  # the comma is part of the greeting
'''
LIB = '''/* Add two numbers and return the sum. */
int add(int a, int b) {
    // Build the greeting for the given person
    // and return it to the caller.
    return a + b;
}
'''


def _config(tmp_path: Path, name: str, **translate) -> Path:
    return write_config(
        tmp_path / f"{name}.yaml",
        inputs=[{"path": "repo", "source": "code", "kind": "code"}],
        output=f"runs/{name}",
        stages=[{"name": "code_language"}, {"name": "translate_comments", **translate}],
    )


def test_export_translate_import(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "app.py").write_text(APP)
    (repo / "lib.c").write_text(LIB)
    done = cli("run", str(_config(tmp_path, "export", backend="export")), "--workers", "1")
    assert done.returncode == 0, done.stderr
    exported = tmp_path / "segments.parquet"
    done = cli("translate", "export", str(tmp_path / "runs/export"), "-o", str(exported))
    assert done.returncode == 0, done.stderr
    segments = pq.read_table(exported).to_pylist()
    # The repeated comment is one segment seen twice: 4 unique segments, 5 occurrences.
    assert len(segments) == 4
    assert {s["count"] for s in segments if s["text"].startswith("Build the greeting")} == {2}
    assert {s["source_lang"] for s in segments} == {"en"} and {s["target_lang"] for s in segments} == {"zh-Hans"}
    # export mode translates nothing: the documents are the originals only
    assert documents(tmp_path / "runs/export").num_rows == 2

    translated = tmp_path / "translated.parquet"
    table = pq.read_table(exported)
    pq.write_table(table.append_column("translation", pa.array([pseudo_translate(t) for t in table.column("text").to_pylist()])),
                   translated)
    imported = tmp_path / "translations.parquet"
    done = cli("translate", "import", str(translated), "--segments", str(exported), "-o", str(imported))
    assert done.returncode == 0, done.stderr
    assert "4 of 4" in done.stdout

    done = cli("run", str(_config(tmp_path, "import", backend="import", translations="translations.parquet")),
               "--workers", "1")
    assert done.returncode == 0, done.stderr
    docs = documents(tmp_path / "runs/import").to_pylist()
    assert len(docs) == 4
    by_id = {d["id"]: d for d in docs}
    added = [d for d in docs if d["meta"] and "translated_from" in json.loads(d["meta"])]
    assert len(added) == 2
    for doc in added:
        original = by_id[json.loads(doc["meta"])["translated_from"]]
        lexer = lexer_for(doc["code_lang"])
        assert code_tokens(lex(lexer, doc["text"])) == code_tokens(lex(lexer, original["text"]))
        assert "Build the greeting" not in doc["text"] and "greeting" in original["text"]
    counters = stage(stats(tmp_path / "runs/import"), "translate_comments")["counters"]
    assert counters["segments.translated"] == 5 and counters["files.translated"] == 2


def test_import_rejects_unknown_keys(tmp_path: Path) -> None:
    exported = tmp_path / "segments.parquet"
    pq.write_table(pa.table({"key": ["a"], "text": ["x y"], "source_lang": ["en"], "target_lang": ["zh-Hans"],
                             "code_lang": ["C"], "count": [1]}), exported)
    bad = tmp_path / "bad.parquet"
    pq.write_table(pa.table({"key": ["zzz"], "translation": ["译"]}), bad)
    done = cli("translate", "import", str(bad), "--segments", str(exported), "-o", str(tmp_path / "out.parquet"))
    assert done.returncode == 2 and "not in" in done.stderr
    pq.write_table(pa.table({"key": ["a"]}), bad)
    done = cli("translate", "import", str(bad), "-o", str(tmp_path / "out.parquet"))
    assert done.returncode == 2 and "translation" in done.stderr


def test_segments_merge_by_bucket_equals_a_plain_merge(tmp_path: Path) -> None:
    """Many units sharing keys: the bounded-memory merge gives what a dict over every row
    would (counts summed, first occurrence's fields, sorted by key), one bucket at a time."""
    import random

    import fsspec
    import pyarrow as pa

    from polycorpus.stages.translate.segments import merge_segments
    from polycorpus.stages.translate.stage import SEGMENT_SCHEMA

    rng = random.Random(7)
    keys = sorted({f"{rng.getrandbits(128):032x}" for _ in range(3000)})
    expected: dict[str, list] = {}
    files = []
    for unit in range(12):
        chosen = sorted(rng.sample(keys, 700))
        rows = [{"key": k, "text": f"comment {k[:6]}", "source_lang": "en", "target_lang": "zh-Hans",
                 "code_lang": f"lang-{unit}", "count": rng.randint(1, 5)} for k in chosen]
        path = tmp_path / "segments" / f"u{unit:02d}.parquet"
        path.parent.mkdir(exist_ok=True)
        pq.write_table(pa.Table.from_pylist(rows, schema=SEGMENT_SCHEMA), path)
        files.append(str(path))
        for row in rows:
            if row["key"] in expected:
                expected[row["key"]]["count"] += row["count"]
            else:
                expected[row["key"]] = dict(row)
    output = tmp_path / "out" / "segments.parquet"
    unique, occurrences = merge_segments(fsspec.filesystem("file"), files, output)
    merged = pq.read_table(output)
    assert merged.to_pylist() == [expected[k] for k in sorted(expected)]
    assert (unique, occurrences) == (len(expected), sum(r["count"] for r in expected.values()))
    assert pq.ParquetFile(output).metadata.num_row_groups > 100  # written bucket by bucket
    assert sorted(p.name for p in output.parent.iterdir()) == ["segments.parquet"]  # no scratch left
