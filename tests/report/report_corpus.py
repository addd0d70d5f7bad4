"""A corpus and config that exercise every section the report can show today.

Three sources: a WARC crawl (ingest drop reasons), multilingual notes (languages, lengths) and
code files with languages and licences as jsonl (code mix); stages normalize, langid
(annotate), length_filter and tokenize with blend weights (tokens, shards, fertility, mixture).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from support import REPO, write_config

EXAMPLES = REPO / "examples"
CODE = {"tidekit/harmonics.py": ("Python", "MIT"), "tidekit/tables.py": ("Python", "MIT"),
        "tidekit/cli.py": ("Python", "MIT"), "native/harmonic.c": ("C", "Apache-2.0"),
        "web/src/chart.js": ("JavaScript", None), "tidekit/__init__.py": ("Python", "MIT")}


def report_config(root: Path, output: str = "run", min_chars: int = 150, name: str = "c.yaml") -> Path:
    """The corpus and config ``name`` under ``root`` (idempotent); ``min_chars`` tunes the filter."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(EXAMPLES / "data" / "crawl-00.warc.gz", root / "crawl-00.warc.gz")
    shutil.copy(EXAMPLES / "data" / "notes.jsonl", root / "notes.jsonl")
    with (root / "code.jsonl").open("w", encoding="utf-8") as handle:
        for path, (code_lang, licence) in CODE.items():
            text = (EXAMPLES / "data" / "code" / path).read_text(encoding="utf-8")
            handle.write(json.dumps({"text": text, "path": path, "code_lang": code_lang, "license": licence}) + "\n")
    return write_config(
        root / name, output=output,
        inputs=[{"path": "crawl-00.warc.gz", "source": "crawl", "kind": "web"},
                {"path": "notes.jsonl", "source": "notes", "id_field": "id"},
                {"path": "code.jsonl", "source": "code", "kind": "code"}],
        stages=[{"name": "normalize"}, {"name": "langid", "mode": "annotate"},
                {"name": "length_filter", "min_chars": min_chars},
                {"name": "tokenize", "tokenizer": str(EXAMPLES / "tokenizer" / "tokenizer.json"),
                 "shard_bytes": 4096, "weights": {"crawl": 0.5, "notes": 0.3}}])
