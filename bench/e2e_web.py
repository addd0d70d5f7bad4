"""The FineWeb base-filtering recipe end to end: polycorpus against datatrove, same files.

    python bench/e2e_web.py [--quick] [--mb 64] [--files 4] [--runs 3] [--workers 2]

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

Then, untimed: per-stage seconds of each pipeline (polycorpus: the stages' ``seconds`` in
stats.json, summed over the workers; datatrove: its steps' times); where each pipeline's
documents go (drops per rule family, to explain the kept counts); and **decision agreement**:
the English texts both polycorpus extractors produced go through each rule family of
polycorpus and, one by one, through datatrove's matching filter; the share of documents on
which they agree and the disagreements by reason pair are printed.
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
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

import pyarrow as pa
import pyarrow.parquet as pq
from peer import ensure_datatrove, peer_env, peer_versions
from web_corpus import build as build_corpus
from web_corpus import describe

from polycorpus.pipeline.config import parse_config
from polycorpus.pipeline.progress import RunProgress
from polycorpus.pipeline.runner import run_pipeline
from polycorpus.stages.quality.config import FAMILY_NAMES, QualityConfig
from polycorpus.stages.quality.stage import Quality

FAMILIES = ("gopher_repetition", "gopher_quality", "c4", "fineweb")
#: The recipe's stages in polycorpus (lid.176 is bundled; English's threshold is FineWeb's 0.65).
RECIPE_STAGES: list[dict[str, Any]] = [
    {"name": "langid", "keep": ["en"]},
    {"name": "quality", "c4": {"terminal_punctuation": False}, "chinese": {"enabled": False}},
]


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


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


# -- decision agreement -----------------------------------------------------------------------------


def english_texts(warcs: Path, scratch: Path, workers: int) -> list[dict[str, str]]:
    """The texts that reach the quality rules in the recipe: each extractor's English pages."""
    rows = []
    for extractor in ("trafilatura", "resiliparse"):
        out = scratch / f"texts-{extractor}"
        run_polycorpus(warcs, out, extractor, workers, RECIPE_STAGES[:1])
        for path in sorted((out / "documents").glob("*.parquet")):
            table = pq.read_table(path, columns=["id", "url", "text"])
            rows += [{"id": f"{extractor}/{r['id']}", "url": r["url"], "text": r["text"]} for r in table.to_pylist()]
    return rows


def polycorpus_decisions(texts: list[dict[str, str]]) -> dict[str, list[str | None]]:
    """Each family on its own: the drop reason of every text (None: kept)."""
    batch = pa.table({"text": [t["text"] for t in texts], "lang": ["en"] * len(texts)})
    decisions = {}
    for family in FAMILIES:
        options: dict[str, Any] = {name: {"enabled": name == family} for name in FAMILY_NAMES}
        options["c4"]["terminal_punctuation"] = False
        stage = Quality(QualityConfig(**options, max_chars=None))
        stage.setup()
        decisions[family] = stage.process(batch).drop_reasons.to_pylist()
    return decisions


def datatrove_decisions(python: Path, env: dict[str, str], texts: list[dict[str, str]], scratch: Path) -> dict[str, list[str | None]]:
    source, sink = scratch / "judge-in.jsonl", scratch / "judge-out.jsonl"
    with source.open("w", encoding="utf-8") as handle:
        for row in texts:
            handle.write(json.dumps({"id": row["id"], "text": row["text"]}) + "\n")
    subprocess.run([str(python), str(REPO / "bench" / "peer_fineweb.py"), "judge", str(source), str(sink)],
                   env=env, check=True)
    verdicts = [json.loads(line)["drops"] for line in sink.read_text(encoding="utf-8").splitlines()]
    return {family: [v[family] for v in verdicts] for family in FAMILIES}


def agreement_report(texts: list[dict[str, str]], ours: dict[str, list[str | None]],
                     theirs: dict[str, list[str | None]]) -> str:
    lines = [f"decision agreement on {len(texts)} English texts (both extractors), each family on its own:",
             f"{'family':18s} {'agree':>7s} {'both keep':>9s} {'both drop':>9s} {'pc drops':>8s} {'dt drops':>8s}"]
    details = []
    for family in FAMILIES:
        pairs = list(zip(ours[family], theirs[family], strict=True))
        agree = sum((a is None) == (b is None) for a, b in pairs)
        keep = sum(a is None and b is None for a, b in pairs)
        only_ours = Counter(a for a, b in pairs if a is not None and b is None)
        only_theirs = Counter(b for a, b in pairs if a is None and b is not None)
        lines.append(f"{family:18s} {agree / len(pairs):7.2%} {keep:9d} {len(pairs) - keep - sum(only_ours.values()) - sum(only_theirs.values()):9d} "
                     f"{sum(only_ours.values()):8d} {sum(only_theirs.values()):8d}")
        for reason, n in only_ours.most_common(4):
            details.append(f"  {family}: polycorpus drops, datatrove keeps: {reason} x{n}")
        for reason, n in only_theirs.most_common(4):
            details.append(f"  {family}: datatrove drops, polycorpus keeps: {reason} x{n}")
    return "\n".join(lines + (["disagreements by reason:"] + details if details else []))


# -- the report ---------------------------------------------------------------------------------------


def funnel(name: str, result: dict[str, Any]) -> str:
    """Where a pipeline's documents went, per step and reason."""
    parts = [f"{step}: " + ", ".join(f"{reason} {n}" for reason, n in sorted(drops.items(), key=lambda kv: -kv[1]))
             for step, drops in result["drops"].items()]
    return f"{name} (kept {result['kept']}):\n  " + "\n  ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10 MB and one run each: for trying changes")
    parser.add_argument("--mb", type=float, default=64, help="corpus size (gzip WARC)")
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-agreement", action="store_true", help="skip the decision-agreement part")
    args = parser.parse_args()
    if args.quick:
        args.mb, args.runs = 10, 1

    warcs = build_corpus(args.mb, args.files)[0].parent
    print(f"corpus: {describe(sorted(warcs.glob('*.warc.gz')))}", file=sys.stderr)
    python = ensure_datatrove()
    env = peer_env(python)
    import ray

    boot = time.perf_counter()
    ray.init(num_cpus=args.workers, include_dashboard=False, _node_ip_address="127.0.0.1", logging_level=logging.ERROR)
    boot = time.perf_counter() - boot
    print(f"peer: {peer_versions(python)}; Ray boot {boot:.1f}s (not timed); load {load()}", file=sys.stderr)

    settings = {
        "datatrove": lambda out: run_datatrove(python, env, warcs, out, args.workers, args.files),
        "pc-trafilatura": lambda out: run_polycorpus(warcs, out, "trafilatura", args.workers, RECIPE_STAGES),
        "pc-resiliparse": lambda out: run_polycorpus(warcs, out, "resiliparse", args.workers, RECIPE_STAGES),
        "pc-resiliparse-1w": lambda out: run_polycorpus(warcs, out, "resiliparse", 1, RECIPE_STAGES),
    }
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in settings}
    names = list(settings)
    with tempfile.TemporaryDirectory(prefix="pc-e2e-", dir="/tmp") as scratch:
        for run in range(args.runs):
            for name in names[run % len(names):] + names[: run % len(names)]:
                out = Path(scratch) / f"{name}-{run}"
                results[name].append(settings[name](out))
                print(f"run {run + 1} {name:18s} {results[name][-1]['wall_s']:7.1f}s kept {results[name][-1]['kept']}"
                      f"  load {load()}", file=sys.stderr)
        agreement = None
        if not args.no_agreement:
            texts = english_texts(warcs, Path(scratch), args.workers)
            agreement = agreement_report(texts, polycorpus_decisions(texts),
                                         datatrove_decisions(python, env, texts, Path(scratch)))
    ray.shutdown()
    print(report(results, args, boot, agreement))


def report(results: dict[str, list[dict[str, Any]]], args: argparse.Namespace, boot: float, agreement: str | None) -> str:
    median = {name: statistics.median(r["wall_s"] for r in runs) for name, runs in results.items()}
    base = results["datatrove"]
    lines = [f"\nFineWeb recipe, {args.mb:g} MB gzip WARC in {args.files} files, {args.workers} workers "
             f"(pc-resiliparse-1w: 1), {args.runs} run(s) per setting, rotated; load now {load()}",
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
    if agreement:
        lines += ["", agreement]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
