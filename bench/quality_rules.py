"""The quality rules on English web text: speed per core, and the same decisions as datatrove.

    python bench/quality_rules.py [--mb 64] [--files 4] [--runs 5] [--quick]

The texts are what reaches the rules in the FineWeb recipe (bench/e2e_web.py): the English
pages (lid.176, score >= 0.65) of the benchmark crawl (bench/web_corpus.py), extracted by
both of polycorpus's extractors (resiliparse and trafilatura at FineWeb's settings); they
are cached under /tmp as jsonl.

(a) Speed, one core, in this process: the ``quality`` stage with the recipe's families
    (Gopher repetition and quality, C4 without the terminal-punctuation rule, FineWeb) on
    1,000-document batches, against datatrove 0.10.1's four filters on the same texts (its
    own virtualenv, one process, each filter called per document as its pipeline does).
    Medians of ``--runs`` runs, documents/s per core, and the ratio of the medians.
(b) Decisions: each family on its own (not chained) in polycorpus and in datatrove, on
    every text; the share of texts on which keep/drop agree, per family, and the
    disagreements by reason pair.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

import pyarrow as pa
from peer import CACHE, ensure_datatrove, load_average, peer_env, peer_versions
from web_corpus import build as build_corpus
from web_corpus import corpus_arguments, extracted_texts, quick_settings

from polycorpus.stages.langid.config import LangIdConfig
from polycorpus.stages.langid.stage import LangId
from polycorpus.stages.quality.config import FAMILY_NAMES, QualityConfig
from polycorpus.stages.quality.stage import Quality

FAMILIES = ("gopher_repetition", "gopher_quality", "c4", "fineweb")
BATCH = 1000


def english_texts(warcs: list[Path]) -> list[dict[str, str]]:
    """The English texts of both extractors (cached next to the corpus)."""
    cache = warcs[0].parent / "english-texts.jsonl"
    if cache.exists():
        return [json.loads(line) for line in cache.read_text(encoding="utf-8").splitlines()]
    langid = LangId(LangIdConfig(keep=["en"]))
    langid.setup()
    rows = []
    for name in ("resiliparse", "trafilatura"):
        pages = extracted_texts(warcs, name)
        ids, texts = [f"{name}:{url}" for url, _ in pages], [text for _, text in pages]
        result = langid.process(pa.table({"text": texts, "id": ids}))
        keep = result.drop_reasons.is_null().to_pylist()
        rows += [{"id": i, "text": t} for i, t, k in zip(ids, texts, keep, strict=True) if k]
    cache.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return rows


def recipe_stage(only: str | None = None) -> Quality:
    """The quality stage as the recipe runs it (or one family of it alone)."""
    options: dict[str, Any] = {name: {"enabled": only is None or name == only} for name in FAMILY_NAMES}
    options["chinese"]["enabled"] = False
    options["c4"]["terminal_punctuation"] = False
    stage = Quality(QualityConfig(**options, max_chars=None))
    stage.setup()
    return stage


def polycorpus_rate(texts: list[str], runs: int) -> list[float]:
    """Documents/s of the recipe's quality stage, one core, per run."""
    stage = recipe_stage()
    batches = [pa.table({"text": texts[i:i + BATCH], "lang": ["en"] * len(texts[i:i + BATCH])})
               for i in range(0, len(texts), BATCH)]
    stage.process(batches[0])  # warm: character tables, first allocations
    rates = []
    for _ in range(runs):
        started = time.process_time()
        for batch in batches:
            stage.process(batch)
        rates.append(len(texts) / (time.process_time() - started))
    return rates


def datatrove_run(python: Path, env: dict[str, str], texts: list[dict[str, str]], command: str,
                  scratch: Path, runs: int = 1) -> Any:
    source, sink = scratch / "texts.jsonl", scratch / f"{command}.jsonl"
    with source.open("w", encoding="utf-8") as handle:
        for row in texts:
            handle.write(json.dumps(row) + "\n")
    subprocess.run([str(python), str(REPO / "bench" / "peer_fineweb.py"), command, str(source), str(sink),
                    "--runs", str(runs)], env=env, check=True)
    return [json.loads(line) for line in sink.read_text(encoding="utf-8").splitlines()]


def agreement(texts: list[dict[str, str]], theirs: list[dict[str, Any]]) -> str:
    batch = pa.table({"text": [t["text"] for t in texts], "lang": ["en"] * len(texts)})
    lines = [f"decision agreement on {len(texts)} English texts, each family on its own:",
             f"{'family':18s} {'agree':>7s} {'both keep':>9s} {'both drop':>9s} {'pc only':>8s} {'dt only':>8s}"]
    details = []
    for family in FAMILIES:
        ours = recipe_stage(family).process(batch).drop_reasons.to_pylist()
        pairs = list(zip(ours, (t["drops"][family] for t in theirs), strict=True))
        only_ours = Counter(a for a, b in pairs if a is not None and b is None)
        only_theirs = Counter(b for a, b in pairs if a is None and b is not None)
        keep = sum(a is None and b is None for a, b in pairs)
        differ = sum(only_ours.values()) + sum(only_theirs.values())
        lines.append(f"{family:18s} {1 - differ / len(pairs):7.2%} {keep:9d} {len(pairs) - keep - differ:9d} "
                     f"{sum(only_ours.values()):8d} {sum(only_theirs.values()):8d}")
        details += [f"  {family}: only polycorpus drops ({reason}) x{n}" for reason, n in only_ours.most_common(5)]
        details += [f"  {family}: only datatrove drops ({reason}) x{n}" for reason, n in only_theirs.most_common(5)]
    return "\n".join(lines + (["disagreements:"] + details if details else []))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    corpus_arguments(parser, runs=5, quick_runs=3)
    args = parser.parse_args()
    quick_settings(args, quick_runs=3)
    texts = english_texts(build_corpus(args.mb, args.files))
    chars = [len(t["text"]) for t in texts]
    print(f"{len(texts)} English texts, median {statistics.median(chars):.0f} characters, "
          f"mean {statistics.mean(chars):.0f}; load {load_average()}", file=sys.stderr)
    python = ensure_datatrove()
    env = peer_env(python)
    scratch = CACHE / "quality-rules"
    scratch.mkdir(parents=True, exist_ok=True)

    ours = polycorpus_rate([t["text"] for t in texts], args.runs)
    theirs = [r["docs_per_s"] for r in datatrove_run(python, env, texts, "speed", scratch, args.runs)]
    judged = datatrove_run(python, env, texts, "judge", scratch)
    print(f"\nquality rules, FineWeb recipe families, one core (CPU time), {args.runs} runs; "
          f"peer: {peer_versions(python)}; load {load_average()}")
    print(f"{'':12s} {'docs/s median':>14s}  runs")
    for name, rates in (("polycorpus", ours), ("datatrove", theirs)):
        print(f"{name:12s} {statistics.median(rates):14.0f}  {' '.join(f'{r:.0f}' for r in rates)}")
    print(f"polycorpus / datatrove: {statistics.median(ours) / statistics.median(theirs):.2f}x (ratio of medians)\n")
    print(agreement(texts, judged))


if __name__ == "__main__":
    main()
