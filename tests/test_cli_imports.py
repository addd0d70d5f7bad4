"""``polycorpus --help`` must answer at once: importing the CLI may not pull in Ray, torch,
pandas, pyarrow or any stage implementation (each command imports what it needs when it runs)."""

from __future__ import annotations

import json
import subprocess
import sys

from support import REPO

HEAVY = ("ray", "torch", "pandas", "pyarrow", "numpy", "datasketch", "fasttext", "tokenizers", "pygments")


def _modules_after(statement: str) -> list[str]:
    code = f"import json, sys; {statement}; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                            check=True, timeout=120)
    return json.loads(result.stdout.splitlines()[-1])


def test_cli_imports_nothing_heavy() -> None:
    loaded = _modules_after("import polycorpus.pipeline.cli")
    assert [m for m in loaded if m.split(".")[0] in HEAVY] == []
    assert [m for m in loaded if m.startswith("polycorpus.stages")] == []


def test_help_lists_every_command() -> None:
    result = subprocess.run([sys.executable, "-m", "polycorpus.pipeline.cli", "--help"], cwd=REPO,
                            capture_output=True, text=True, check=True, timeout=120)
    for command in ("run", "validate", "report", "tokenizer", "shards", "quality", "translate"):
        assert command in result.stdout
