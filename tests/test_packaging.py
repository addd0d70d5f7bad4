"""What the distribution installs: one top-level import, ``polycorpus``, and every package of
the three folders under it, data files included; no code imports the folders by their bare
names (those would clash with PyPI's ``pipeline``, ``stages`` and ``tokenizer``)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from support import REPO

FOLDERS = ("pipeline", "stages", "tokenizer")


def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_package_folder_is_listed() -> None:
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    found = {
        "polycorpus." + ".".join(init.parent.relative_to(REPO).parts)
        for folder in FOLDERS for init in (REPO / folder).rglob("__init__.py")
    }
    assert listed == found


def test_no_bare_imports_of_the_folders() -> None:
    offenders = []
    for folder in (*FOLDERS, "tests", "bench", "examples"):
        for path in (REPO / folder).rglob("*.py"):
            if any(part.startswith(".") for part in path.relative_to(REPO).parts):
                continue  # bench/.cache holds the peers' virtual environments
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
                offenders += [f"{path.relative_to(REPO)}: {name}" for name in names
                              if name.split(".")[0] in FOLDERS]
    assert offenders == []


@pytest.mark.slow
def test_wheel_installs_only_polycorpus(tmp_path: Path) -> None:
    source = tmp_path / "source"  # a copy: setuptools builds in the tree it is given
    source.mkdir()
    for name in ("pyproject.toml", "README.md", *FOLDERS):
        copy = shutil.copytree if (REPO / name).is_dir() else shutil.copy
        copy(REPO / name, source / name, **({"ignore": shutil.ignore_patterns("__pycache__")}
                                            if (REPO / name).is_dir() else {}))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=600)
    (wheel,) = tmp_path.glob("polycorpus-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names} == {"polycorpus", wheel.name.split("-py3")[0] + ".dist-info"}
    assert "polycorpus/__init__.py" not in names  # a namespace: nothing to clash with
    for data in ("polycorpus/stages/langid/models/lid.176.ftz", "polycorpus/stages/quality/data/zh_spam_phrases.txt",
                 "polycorpus/pipeline/cli/__main__.py"):
        assert data in names


def test_imports_read_top_down() -> None:
    """pipeline/ orchestrates stages/ and tokenizer/; nothing below imports the layer above,
    and no two modules import each other."""
    imports: dict[str, set[str]] = {}
    for folder in FOLDERS:
        for path in (REPO / folder).rglob("*.py"):
            module = "polycorpus." + ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
            names = set()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("polycorpus."):
                    names.add(node.module)
                elif isinstance(node, ast.Import):
                    names |= {alias.name for alias in node.names if alias.name.startswith("polycorpus.")}
            imports[module] = names
    upward = [f"{m} -> {n}" for m, names in imports.items() for n in names
              if not m.startswith("polycorpus.pipeline") and n.startswith("polycorpus.pipeline")]
    assert upward == []
    cycles = sorted({tuple(sorted((a, b))) for a, names in imports.items() for b in names
                     if a in imports.get(b, ())})
    assert cycles == []
