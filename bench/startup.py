"""Start-up benchmark: what a user waits for before any real work, against datatrove.

    python bench/startup.py [--runs 5]

Every figure is the wall time of a fresh process, median of ``--runs`` (the machine is noisy;
min-max printed too), all in one invocation:

- ``import polycorpus.pipeline.cli`` (what every command pays), ``polycorpus --help`` and
  ``polycorpus validate examples/quickstart.yaml``;
- a tiny run: 2 jsonl documents through one ``langid`` stage, and the same 2 documents through
  one ``length_filter`` stage, each with ``--engine auto`` (in process for small inputs) and
  ``--engine ray`` (an embedded Ray started for the run);
- the README's quickstart (every stage, 208 KB of sample data) with each engine;
- the peer: datatrove 0.10.1's ``LocalPipelineExecutor`` (its own virtualenv, made once under
  bench/.cache/dedup as bench/dedup.py does) reading the same 2 documents, applying a length
  filter and writing jsonl. datatrove's language filter downloads its model at run time, which
  nothing here may do, so the like-for-like pair is the length-filter run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from peer import ensure_datatrove, peer_versions

REPO = Path(__file__).resolve().parents[1]
POLYCORPUS = [sys.executable, "-m", "polycorpus.pipeline.cli"]
TEXTS = ["The committee published its annual report on the regional economy this morning, and it "
         "was read with interest by everyone in the room.",
         "Der Ausschuss hat heute Morgen seinen Jahresbericht zur regionalen Wirtschaft veröffentlicht."]

DATATROVE_TINY = """
import sys
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.filters import LambdaFilter
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter

source, out = sys.argv[1], sys.argv[2]
LocalPipelineExecutor(
    pipeline=[JsonlReader(source), LambdaFilter(lambda doc: len(doc.text) >= 10), JsonlWriter(out + "/output")],
    tasks=1, workers=1, logging_dir=out + "/logs",
).run()
"""


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return elapsed


def tiny_corpus(root: Path, stage: dict) -> Path:
    (root / "docs.jsonl").write_text("".join(json.dumps({"text": t}) + "\n" for t in TEXTS), encoding="utf-8")
    config = {"inputs": [{"path": "docs.jsonl", "source": "tiny"}], "output": "run", "stages": [stage]}
    (root / "tiny.yaml").write_text(json.dumps(config), encoding="utf-8")  # JSON is YAML
    return root / "tiny.yaml"


def measure(runs: int, scratch: Path) -> dict[str, list[float]]:
    datatrove = ensure_datatrove()
    print(f"peer: {peer_versions(datatrove)}", file=sys.stderr)
    (scratch / "datatrove_tiny.py").write_text(DATATROVE_TINY, encoding="utf-8")
    (scratch / "langid").mkdir()
    (scratch / "length").mkdir()
    langid = tiny_corpus(scratch / "langid", {"name": "langid"})
    length = tiny_corpus(scratch / "length", {"name": "length_filter", "min_chars": 10})
    quickstart = REPO / "examples" / "quickstart.yaml"

    def fresh(path: Path) -> Path:
        shutil.rmtree(path, ignore_errors=True)
        return path

    cases: dict[str, Callable[[], float]] = {
        "import polycorpus.pipeline.cli": lambda: timed([sys.executable, "-c", "import polycorpus.pipeline.cli"], REPO),
        "polycorpus --help": lambda: timed([*POLYCORPUS, "--help"], REPO),
        "polycorpus validate quickstart": lambda: timed([*POLYCORPUS, "validate", str(quickstart)], REPO),
        "tiny langid run, auto (in process)": lambda: timed(
            [*POLYCORPUS, "run", str(langid), "-o", str(fresh(scratch / "r1"))], REPO),
        "tiny langid run, ray": lambda: timed(
            [*POLYCORPUS, "run", str(langid), "-o", str(fresh(scratch / "r2")), "--engine", "ray"], REPO),
        "tiny length run, auto (in process)": lambda: timed(
            [*POLYCORPUS, "run", str(length), "-o", str(fresh(scratch / "r3"))], REPO),
        "tiny length run, ray": lambda: timed(
            [*POLYCORPUS, "run", str(length), "-o", str(fresh(scratch / "r4")), "--engine", "ray"], REPO),
        "datatrove tiny length run (LocalPipelineExecutor)": lambda: timed(
            [str(datatrove), str(scratch / "datatrove_tiny.py"), str(scratch / "length"), str(fresh(scratch / "dt"))],
            REPO),
        "quickstart, auto (in process)": lambda: timed(
            [*POLYCORPUS, "run", str(quickstart), "-o", str(fresh(scratch / "q1"))], REPO),
        "quickstart, ray": lambda: timed(
            [*POLYCORPUS, "run", str(quickstart), "-o", str(fresh(scratch / "q2")), "--engine", "ray"], REPO),
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    for run in range(runs):  # rotate: every case sees the same stretch of machine load
        for name, case in cases.items():
            times[name].append(case())
        print(f"run {run + 1}/{runs} done", file=sys.stderr)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with open("/proc/loadavg") as handle:
        load_before = handle.read().split()[:3]
    with tempfile.TemporaryDirectory(prefix="polycorpus-startup-") as scratch:
        times = measure(args.runs, Path(scratch))
    with open("/proc/loadavg") as handle:
        load_after = handle.read().split()[:3]
    width = max(map(len, times))
    print(f"{'case':<{width}}  median s   min-max s   (fresh process each, {args.runs} runs)")
    for name, values in times.items():
        print(f"{name:<{width}}  {statistics.median(values):8.3f}   {min(values):.3f}-{max(values):.3f}")
    peer = statistics.median(times["datatrove tiny length run (LocalPipelineExecutor)"])
    ours = statistics.median(times["tiny length run, auto (in process)"])
    print(f"tiny length run: polycorpus {ours:.2f} s vs datatrove {peer:.2f} s: {peer / ours:.2f}x")
    print(f"load average before {' '.join(load_before)}, after {' '.join(load_after)}")
    print("targets: --help and validate < 0.5 s; tiny run < 6 s; quickstart < 12 s (quiet machine)")


if __name__ == "__main__":
    main()
