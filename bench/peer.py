"""The peer tool, datatrove 0.10.1, in its own virtualenv: what the benchmarks compare with.

The virtualenv is created once under ``$POLYCORPUS_BENCH_CACHE`` (default
``/tmp/polycorpus-bench``) from PyPI. Nothing is downloaded at run time: datatrove's
language filter finds fastText's lid.176 (the model polycorpus bundles, so both sides
predict with the same weights) in its asset cache, which :func:`peer_env` points at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("POLYCORPUS_BENCH_CACHE", "/tmp/polycorpus-bench"))
VENV = CACHE / "datatrove-venv"
#: io: its WarcReader. datatrove's default shingle hash needs xxhash < 4; its English word tokenizer is
#: ``spacy.blank("en")`` (rules only, no model download); orjson is its jsonl reader;
#: trafilatura's justext needs lxml's html cleaner, which newer lxml ships apart; aiohttp lets
#: fsspec name the model's https URL when datatrove derives its cache path (nothing is fetched).
PEER_PACKAGES = ["datatrove[io,processing]==0.10.1", "xxhash<4", "spacy", "orjson", "lxml_html_clean", "aiohttp"]
LID_MODEL = REPO / "stages" / "langid" / "models" / "lid.176.ftz"
#: Where datatrove's ``FT176LID`` caches lid.176, computed as datatrove does it.
_LID_ASSET = ("import os; from huggingface_hub import cached_assets_path; from fsspec.core import strip_protocol; "
              "from datatrove.utils.lid import FT176LID as m; print(os.path.join(cached_assets_path("
              "library_name='datatrove', namespace='lid', subfolder=m.MODEL_SUBFOLDER), "
              "strip_protocol(m.MODEL_URL).replace('/', '_')))")


def ensure_datatrove() -> Path:
    """The virtualenv's python, with :data:`PEER_PACKAGES` installed from PyPI (once)."""
    python = VENV / "bin" / "python"
    marker = VENV / ".installed"
    if marker.exists() and marker.read_text() == " ".join(PEER_PACKAGES):
        return python
    print(f"creating {VENV} with {' '.join(PEER_PACKAGES)} ...", file=sys.stderr)
    CACHE.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
    with (CACHE / "datatrove-pip.log").open("w") as log:
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PEER_PACKAGES], check=True,
                       stdout=log, stderr=log)
    marker.write_text(" ".join(PEER_PACKAGES))
    return python


def peer_env(python: Path) -> dict[str, str]:
    """The environment for datatrove runs: its asset cache holds lid.176 (no download)."""
    env = {**os.environ, "HF_ASSETS_CACHE": str(CACHE / "hf-assets"), "HF_HUB_OFFLINE": "1"}
    where = subprocess.run([str(python), "-c", _LID_ASSET], env=env, check=True, capture_output=True, text=True)
    model = Path(where.stdout.strip())
    if not model.exists():
        model.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(LID_MODEL, model)
        Path(f"{model}.completed").touch()  # datatrove's marker of a finished download
    return env


def load_average() -> str:
    """The machine's load, printed beside every timing: the 2 cores are shared."""
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def peer_versions(python: Path) -> str:
    code = ("import importlib.metadata as m; print(' '.join(f'{p} {m.version(p)}' "
            "for p in ('datatrove', 'trafilatura', 'spacy', 'xxhash', 'numpy')))")
    return subprocess.run([str(python), "-c", code], check=True, capture_output=True, text=True).stdout.strip()
