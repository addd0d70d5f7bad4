"""What installing polycorpus costs a user: time and disk of each install step, fresh venv.

    python bench/install.py [--runs 1] [--keep]

Each run makes a fresh ``python -m venv`` under /tmp (deleted afterwards unless ``--keep``)
and times, with the venv's own plain pip, the README's install commands in order:

1. ``pip install -e .`` (the pipeline);
2. ``pip install -e ".[test]"`` after it;
3. ``pip install torch==2.13.0`` (the CPU wheel; it is found on this machine's disk);
4. ``pip install -e ".[megatron]"`` after torch.

and the venv's size after each step. pip's own cache is left as it is: the package index's
responses are not cached by pip here, so every run downloads its wheels again; the first
run on a machine may still differ from later ones. Medians over ``--runs``.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STEPS = [
    ("pip install -e .", ["-e", "."]),
    ('pip install -e ".[test]" (after it)', ["-e", ".[test]"]),
    ("pip install torch==2.13.0 (CPU)", ["torch==2.13.0"]),
    ('pip install -e ".[megatron]" (after torch)', ["-e", ".[megatron]"]),
]


def size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6


def one_run(keep: bool) -> list[tuple[float, float]]:
    """(seconds, venv MB after the step) per step."""
    venv = Path(tempfile.mkdtemp(prefix="pc-install-", dir="/tmp")) / "venv"
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        out = []
        for label, args in STEPS:
            started = time.perf_counter()
            done = subprocess.run(pip + args, cwd=REPO, capture_output=True, text=True)
            if done.returncode:
                raise SystemExit(f"{label} failed:\n{done.stderr[-3000:]}")
            out.append((time.perf_counter() - started, size_mb(venv)))
            print(f"  {label}: {out[-1][0]:.0f}s, venv {out[-1][1]:.0f} MB", file=sys.stderr)
        return out
    finally:
        if not keep:
            shutil.rmtree(venv.parent, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the venvs (under /tmp)")
    args = parser.parse_args()
    pip_version = subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True, text=True).stdout
    runs = [one_run(args.keep) for _ in range(args.runs)]
    print(f"fresh venv of {sys.executable} ({sys.version.split()[0]}), {pip_version.split(' from')[0]}, "
          f"{args.runs} run(s); times are medians (min-max)\n")
    print("| command | time s | venv MB after | added MB |")
    print("|---|---:|---:|---:|")
    before = 0.0
    for k, (label, _) in enumerate(STEPS):
        times = [run[k][0] for run in runs]
        size = statistics.median(run[k][1] for run in runs)
        print(f"| `{label}` | {statistics.median(times):.0f} ({min(times):.0f}-{max(times):.0f}) "
              f"| {size:.0f} | +{size - before:.0f} |")
        before = size


if __name__ == "__main__":
    main()
