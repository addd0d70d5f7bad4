"""The FineWeb base-filtering recipe end to end: polycorpus against datatrove, same files.

    python bench/e2e_web.py [--quick] [--scaling] [--mb 64] [--files 4] [--runs 3] [--workers 2]

The recipe: HTML extraction -> fastText lid.176 keeps English (score >= 0.65) -> Gopher
repetition -> Gopher quality -> C4 (without the terminal-punctuation line rule, as FineWeb
ran it) -> FineWeb quality -> write. The pipelines, on the same gzip WARC files
(bench/web_corpus.py: real pages and pages built from the shared labelled text, with
boilerplate, repetition spam, listings and near-copies) and the same number of workers:

- ``datatrove``: datatrove 0.10.1 (its own virtualenv, bench/peer.py) with Trafilatura
  (favour_precision) and its filters, as its examples/fineweb.py runs them;
- ``pc-trafilatura``: polycorpus with trafilatura at the same settings (like for like);
- ``pc-resiliparse``: polycorpus's default extractor;
- ``pc-resiliparse-1w``: the same on one worker (how the run scales with workers).

Every setting runs ``--runs`` times, in rotated order; the table shows medians, the ratio of
the medians and the median of the per-run (paired) ratios. polycorpus runs on a Ray started
once before timing (its boot is reported apart); datatrove starts its own processes.

``--scaling`` runs only ``pc-resiliparse`` and ``pc-resiliparse-1w`` (no datatrove), for how
the run scales with workers: both ratios, and each setting's CPU seconds summed over workers
(if two workers spend more CPU than one on the same work, the cores slow each other down).

Then: per-stage seconds of each pipeline (polycorpus: the stages' ``seconds`` in stats.json,
summed over the workers; datatrove: its steps' times), and where each pipeline's documents go
(drops per step and reason), which explains the kept counts. Whether the rules decide as
datatrove's do, text by text, is bench/quality_rules.py's part.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from peer import ensure_datatrove, load_average, peer_env, peer_versions
from web_corpus import build as build_corpus
from web_corpus import corpus_arguments, describe, quick_settings

from polycorpus.pipeline.config import parse_config
from polycorpus.pipeline.progress import RunProgress
from polycorpus.pipeline.runner import run_pipeline

#: The recipe's stages in polycorpus (lid.176 is bundled; English's threshold is FineWeb's 0.65).
RECIPE_STAGES: list[dict[str, Any]] = [
    {"name": "langid", "keep": ["en"]},
    {"name": "quality", "c4": {"terminal_punctuation": False}, "chinese": {"enabled": False}},
]


# -- the pipelines ------------------------------------------------------------------------------


def run_datatrove(python: Path, env: dict[str, str], warcs: Path, out: Path, workers: int, files: int) -> dict[str, Any]:
    command = [str(python), str(REPO / "bench" / "peer_fineweb.py"), "recipe", str(warcs), str(out),
               "--tasks", str(files), "--workers", str(workers)]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"datatrove failed:\n{done.stderr[-3000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return {"wall_s": report["wall_s"], "kept": report["kept"],
            "stages": {_step_name(s["name"]): s["seconds"] for s in report["steps"]},
            "drops": {_step_name(s["name"]): s["dropped"] for s in report["steps"] if s["dropped"]}}


def _step_name(name: str) -> str:
    """datatrove's step names carry emoji: keep the words."""
    return name.split(":", 1)[-1].encode("ascii", "ignore").decode().strip()


def run_polycorpus(warcs: Path, out: Path, extractor: str, workers: int, stages: list[dict[str, Any]]) -> dict[str, Any]:
    config = parse_config({"inputs": [{"path": str(warcs / "*.warc.gz"), "source": "crawl", "kind": "web"}],
                           "output": str(out), "ingest": {"html_extractor": extractor}, "stages": stages}, out.parent)
    started = time.perf_counter()
    result = run_pipeline(config, workers=workers, engine="ray", progress=RunProgress(stream=open(os.devnull, "w")))  # noqa: SIM115
    wall = time.perf_counter() - started
    if not result.ok:
        raise SystemExit(f"polycorpus failed: {result.failed}")
    stats = result.stats
    return {"wall_s": wall, "kept": stats["output"]["docs"],
            "stages": {s["name"]: s.get("seconds", 0.0) for s in stats["stages"]},
            "drops": {s["name"]: {r: d["docs"] for r, d in s["drops"].items()} for s in stats["stages"] if s["drops"]},
            "docs_in": {s["name"]: s["docs_in"] for s in stats["stages"]}}


# -- the report ---------------------------------------------------------------------------------------


def funnel(name: str, result: dict[str, Any]) -> str:
    """Where a pipeline's documents went, per step and reason."""
    parts = [f"{step}: " + ", ".join(f"{reason} {n}" for reason, n in sorted(drops.items(), key=lambda kv: -kv[1]))
             for step, drops in result["drops"].items()]
    return f"{name} (kept {result['kept']}):\n  " + "\n  ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    corpus_arguments(parser, runs=3, quick_runs=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scaling", action="store_true", help="only polycorpus (resiliparse) on 2 workers and 1")
    args = parser.parse_args()
    quick_settings(args, quick_runs=1)

    warcs = build_corpus(args.mb, args.files)[0].parent
    print(f"corpus: {describe(sorted(warcs.glob('*.warc.gz')))}", file=sys.stderr)
    python = None if args.scaling else ensure_datatrove()
    env = peer_env(python) if python else {}
    import ray

    boot = time.perf_counter()
    ray.init(num_cpus=args.workers, include_dashboard=False, _node_ip_address="127.0.0.1", logging_level=logging.ERROR)
    boot = time.perf_counter() - boot
    peer = f"peer: {peer_versions(python)}; " if python else ""
    print(f"{peer}Ray boot {boot:.1f}s (not timed); load {load_average()}", file=sys.stderr)

    settings = {
        "datatrove": lambda out: run_datatrove(python, env, warcs, out, args.workers, args.files),
        "pc-trafilatura": lambda out: run_polycorpus(warcs, out, "trafilatura", args.workers, RECIPE_STAGES),
        "pc-resiliparse": lambda out: run_polycorpus(warcs, out, "resiliparse", args.workers, RECIPE_STAGES),
        "pc-resiliparse-1w": lambda out: run_polycorpus(warcs, out, "resiliparse", 1, RECIPE_STAGES),
    }
    if args.scaling:
        settings = {name: settings[name] for name in ("pc-resiliparse", "pc-resiliparse-1w")}
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in settings}
    names = list(settings)
    with tempfile.TemporaryDirectory(prefix="pc-e2e-", dir="/tmp") as scratch:
        for run in range(args.runs):
            for name in names[run % len(names):] + names[: run % len(names)]:
                out = Path(scratch) / f"{name}-{run}"
                results[name].append(settings[name](out))
                print(f"run {run + 1} {name:18s} {results[name][-1]['wall_s']:7.1f}s kept {results[name][-1]['kept']}"
                      f"  load {load_average()}", file=sys.stderr)
    ray.shutdown()
    print(scaling_report(results, args) if args.scaling else report(results, args))


def scaling_report(results: dict[str, list[dict[str, Any]]], args: argparse.Namespace) -> str:
    two, one = results["pc-resiliparse"], results["pc-resiliparse-1w"]
    walls = {name: [r["wall_s"] for r in runs] for name, runs in results.items()}
    cpu = {name: statistics.median(sum(r["stages"].values()) for r in runs) for name, runs in results.items()}
    paired = sorted(a["wall_s"] / b["wall_s"] for a, b in zip(one, two, strict=True))
    ratio = statistics.median(walls["pc-resiliparse-1w"]) / statistics.median(walls["pc-resiliparse"])
    return "\n".join([
        f"\npolycorpus (resiliparse), FineWeb recipe, {args.mb:g} MB gzip WARC in {args.files} files, "
        f"{args.runs} runs per setting, rotated; load now {load_average()}",
        *(f"{name:20s} median {statistics.median(w):6.2f}s  runs {' '.join(f'{x:.2f}' for x in w)}  "
          f"stage CPU s (median, summed over workers) {cpu[name]:.1f}" for name, w in walls.items()),
        f"{args.workers} workers vs 1: {ratio:.2f}x (ratio of medians); paired {statistics.median(paired):.2f}x "
        f"(runs {paired[0]:.2f} .. {paired[-1]:.2f}); CPU seconds on {args.workers} workers / on 1: "
        f"{cpu['pc-resiliparse'] / cpu['pc-resiliparse-1w']:.3f}"])


def report(results: dict[str, list[dict[str, Any]]], args: argparse.Namespace) -> str:
    median = {name: statistics.median(r["wall_s"] for r in runs) for name, runs in results.items()}
    base = results["datatrove"]
    lines = [f"\nFineWeb recipe, {args.mb:g} MB gzip WARC in {args.files} files, {args.workers} workers "
             f"(pc-resiliparse-1w: 1), {args.runs} run(s) per setting, rotated; load now {load_average()}",
             f"{'pipeline':20s} {'median s':>9s} {'runs':>24s} {'kept':>6s} {'vs datatrove':>13s} {'paired':>7s}"]
    for name, runs in results.items():
        walls = [r["wall_s"] for r in runs]
        paired = statistics.median(b["wall_s"] / r["wall_s"] for b, r in zip(base, runs, strict=True))
        lines.append(f"{name:20s} {median[name]:9.1f} {' '.join(f'{w:.1f}' for w in walls):>24s} {runs[-1]['kept']:6d} "
                     f"{median['datatrove'] / median[name]:12.2f}x {paired:6.2f}x")
    scaling = median["pc-resiliparse-1w"] / median["pc-resiliparse"]
    lines += ["vs datatrove: ratio of the medians; paired: median of the per-run ratios (same rotation slot).",
              f"2 workers vs 1 (pc-resiliparse): {scaling:.2f}x (ratio of medians)", "",
              "seconds per stage (last run; polycorpus: summed over workers; datatrove: its steps):"]
    for name, runs in results.items():
        stages = runs[-1]["stages"]
        lines.append(f"  {name:18s} " + ", ".join(f"{stage} {seconds:.1f}" for stage, seconds in stages.items()))
    lines += ["", "where the documents go (last run):"]
    lines += [funnel(name, runs[-1]) for name, runs in results.items() if name != "pc-resiliparse-1w"]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
