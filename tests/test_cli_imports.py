"""``polycorpus --help`` and ``validate`` must answer at once: importing the CLI may not pull in
Ray, torch, pandas, pyarrow or any stage implementation (each command imports what it needs when
it runs), and validating a config reads stage options only (the tokenize check loads its
tokenizer: tokenizers and numpy)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import get_args

from support import REPO

from polycorpus.stages.registry import REGISTRY, config_model, stage_class

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


def test_validating_a_config_imports_options_not_implementations() -> None:
    """``polycorpus validate`` reads stage options only: no pyarrow, Ray or stage engine."""
    quickstart = REPO / "examples" / "quickstart.yaml"
    loaded = _modules_after(
        "from polycorpus.pipeline.config import load_config; from polycorpus.pipeline.plan import plan_units; "
        "from polycorpus.pipeline.prerequisites import check_prerequisites; "
        f"c = load_config({str(quickstart)!r}); plan_units(c); check_prerequisites(c)")
    assert [m for m in loaded if m.split(".")[0] in set(HEAVY) - {"numpy", "tokenizers"}] == []
    implementations = {target.split(":")[0] for _, target in REGISTRY.values()}
    assert sorted(implementations & set(loaded)) == []


def test_registry_points_at_each_stages_own_options() -> None:
    for name in REGISTRY:
        assert stage_class(name).name == name
        assert stage_class(name).Config is config_model(name)
        assert get_args(config_model(name).model_fields["name"].annotation) == (name,)
