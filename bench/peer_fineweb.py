"""datatrove's side of bench/e2e_web.py; runs inside the peer virtualenv (bench/peer.py).

    python peer_fineweb.py recipe WARC_DIR OUT_DIR --tasks N --workers W
        FineWeb's base filtering as datatrove's examples/fineweb.py runs it (without the URL
        filter, which needs a block list): WarcReader -> Trafilatura(favour_precision) ->
        LanguageFilter(en, 0.65) -> GopherRepetition -> GopherQuality ->
        C4Quality(filter_no_terminal_punct=False) -> FineWebQuality -> JsonlWriter.
        Prints one JSON line: wall seconds, kept documents, and each step's seconds and drops.
    python peer_fineweb.py judge TEXTS_JSONL OUT_JSONL
        Each filter family on its own (not chained) on every text: one line per text with
        each family's keep/drop and datatrove's reason.
    python peer_fineweb.py speed TEXTS_JSONL OUT_JSONL --runs N
        Every filter on every text, N times: documents per CPU second, one line per run.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from datatrove.data import Document
from datatrove.pipeline.filters import (
    C4QualityFilter,
    FineWebQualityFilter,
    GopherQualityFilter,
    GopherRepetitionFilter,
    LanguageFilter,
)


def filters() -> dict[str, object]:
    """The recipe's quality filters by polycorpus family name, with FineWeb's settings."""
    return {
        "gopher_repetition": GopherRepetitionFilter(),
        "gopher_quality": GopherQualityFilter(),
        "c4": C4QualityFilter(filter_no_terminal_punct=False),
        "fineweb": FineWebQualityFilter(),
    }


def recipe(args: argparse.Namespace) -> None:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.extractors import Trafilatura
    from datatrove.pipeline.readers import WarcReader
    from datatrove.pipeline.writers import JsonlWriter

    out = Path(args.out)
    steps = [
        WarcReader(str(args.warcs), glob_pattern="*.warc.gz"),
        Trafilatura(favour_precision=True),
        LanguageFilter(languages=["en"], language_threshold=0.65),
        *filters().values(),
        JsonlWriter(str(out / "output")),
    ]
    executor = LocalPipelineExecutor(pipeline=steps, tasks=args.tasks, workers=args.workers,
                                     logging_dir=str(out / "logs"), skip_completed=False)
    started = time.perf_counter()
    executor.run()
    wall = time.perf_counter() - started
    report = {"wall_s": wall, "steps": []}
    for step in json.loads((out / "logs" / "stats.json").read_text()):
        stats = step.get("stats", {})
        report["steps"].append({
            "name": step["name"],
            "seconds": step.get("time_stats", {}).get("total", 0.0),
            "dropped": {k[len("dropped_"):]: _count(v) for k, v in stats.items() if k.startswith("dropped_")},
            "forwarded": _count(stats.get("forwarded", 0)),
        })
    report["kept"] = report["steps"][-2]["forwarded"]  # what the last filter passes to the writer
    print(json.dumps(report))


def _count(value: int | dict) -> int:
    """datatrove keeps some counts as a metric summary ({"total": ...})."""
    return value["total"] if isinstance(value, dict) else value


def judge(args: argparse.Namespace) -> None:
    families = filters()
    with open(args.texts, encoding="utf-8") as source, open(args.out, "w", encoding="utf-8") as sink:
        for line in source:
            row = json.loads(line)
            decisions = {}
            for name, family in families.items():
                verdict = family.filter(Document(text=row["text"], id=row["id"]))
                keep, reason = (verdict, None) if isinstance(verdict, bool) else verdict
                decisions[name] = reason if not keep else None
            sink.write(json.dumps({"id": row["id"], "drops": decisions}) + "\n")


def speed(args: argparse.Namespace) -> None:
    """Every filter on every text (as polycorpus measures every family), CPU seconds."""
    families = list(filters().values())
    with open(args.texts, encoding="utf-8") as source:
        rows = [json.loads(line) for line in source]
    with open(args.out, "w", encoding="utf-8") as sink:
        for _ in range(args.runs):
            started = time.process_time()
            for row in rows:
                for family in families:
                    family.filter(Document(text=row["text"], id=row["id"]))
            sink.write(json.dumps({"docs_per_s": len(rows) / (time.process_time() - started)}) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("recipe")
    run.add_argument("warcs")
    run.add_argument("out")
    run.add_argument("--tasks", type=int, required=True)
    run.add_argument("--workers", type=int, required=True)
    run.set_defaults(handler=recipe)
    for name, handler in (("judge", judge), ("speed", speed)):
        command = commands.add_parser(name)
        command.add_argument("texts")
        command.add_argument("out")
        command.add_argument("--runs", type=int, default=1)
        command.set_defaults(handler=handler)
    args = parser.parse_args()
    args.handler(args)


if __name__ == "__main__":
    main()
