"""Code ingest throughput: polycorpus's code path against a bare walk-and-read loop.

    python bench/code.py [--runs 5] [CORPUS]

The corpus is ``build-code-corpus``'s (real third-party code, ~24 MB); every top folder of it
is one repository (``repos/six``, ``comments/zh/jieba``, ``multilang``...), as a config
with ``kind: code`` over them would make units. In one process (one core), medians of
``--runs`` after a warm-up pass (page cache hot for every setting), in CPU seconds of this
process (MB/s per core) and wall-clock seconds:

- ``bare loop``: ``os.walk`` + read every file's bytes, nothing else;
- ``ingest``: the code reader (licence files first, binary sniffing, decoding, documents
  as Arrow batches with ids);
- ``ingest + language + filters``: plus ``code_language`` and ``code_filter`` (the target:
  >= 10 MB/s per core);
- ``all code stages``: plus ``code_license`` and ``code_secrets``.

For the target's setting it also prints where the CPU time goes: the reader, identification
and the filters (each stage's ``process`` timed on its own, summed over the runs).

MB are the repository bytes read (MiB = 2^20 bytes). No Ray, no Parquet output: those cost
the same for every kind of input and are measured by bench/ingest.py.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from code_language_accuracy import code_corpus

from polycorpus.stages.base import Stage
from polycorpus.stages.code.config import (
    CodeFilterConfig,
    CodeLanguageConfig,
    CodeLicenseConfig,
    CodeSecretsConfig,
)
from polycorpus.stages.code.filters import CodeFilter
from polycorpus.stages.code.language import CodeLanguage
from polycorpus.stages.code.license_filter import CodeLicense
from polycorpus.stages.code.secrets import CodeSecrets
from polycorpus.stages.ingest.base import Tally
from polycorpus.stages.ingest.code import read_code
from polycorpus.stages.ingest.config import IngestOptions, InputFile


def repositories(root: Path) -> list[Path]:
    found = [root / "multilang", *sorted((root / "repos").iterdir()), *sorted((root / "near-duplicates").iterdir()),
             *sorted(p for lang in sorted((root / "comments").iterdir()) for p in lang.iterdir())]
    return [p for p in found if p.is_dir()]


def bare_loop(repos: list[Path]) -> int:
    total = 0
    for repo in repos:
        for folder, _dirs, files in os.walk(repo):
            for name in files:
                with open(os.path.join(folder, name), "rb") as handle:
                    total += len(handle.read())
    return total


def pipeline(repos: list[Path], stages: list[Stage], split: Counter[str] | None = None) -> int:
    """Bytes read; with ``split``, adds each stage's CPU seconds (and the rest: "reader") to it."""
    options = IngestOptions()
    total = 0
    started = time.process_time()
    spent: Counter[str] = Counter()
    for repo in repos:
        file = InputFile(url=str(repo), relpath=repo.name, source="bench", kind="code", format="code")
        tally = Tally()
        for batch in read_code(file, options, tally):
            for stage in stages:
                clock = time.process_time()
                result = stage.process(batch)
                spent[stage.name] += time.process_time() - clock
                batch = result.table
                if result.drop_reasons is not None:
                    batch = batch.filter(result.drop_reasons.is_null())
        total += tally.record_bytes
    if split is not None:
        split.update(spent)
        split["reader"] += time.process_time() - started - sum(spent.values())
    return total


def timed(run: Callable[[], int], runs: int) -> tuple[list[float], list[float], int]:
    """Wall-clock and CPU seconds of each run (CPU time is what one core spent: on a shared
    machine it is far less disturbed by the other processes than the wall clock)."""
    run()  # warm-up: page cache, pygments lexer classes, compiled patterns
    walls, cpus, size = [], [], 0
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        size = run()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return walls, cpus, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    repos = repositories(args.corpus or code_corpus())
    language, filters = CodeLanguage(CodeLanguageConfig()), CodeFilter(CodeFilterConfig())
    license, secrets = CodeLicense(CodeLicenseConfig(keep=["permissive", "weak_copyleft", "copyleft", "unknown"])), \
        CodeSecrets(CodeSecretsConfig())
    split: Counter[str] = Counter()
    settings: list[tuple[str, Callable[[], int]]] = [
        ("bare loop (walk + read)", lambda: bare_loop(repos)),
        ("ingest", lambda: pipeline(repos, [])),
        ("ingest + language + filters", lambda: pipeline(repos, [language, filters], split)),
        ("all code stages", lambda: pipeline(repos, [language, filters, license, secrets])),
    ]
    print(f"{len(repos)} repositories, {args.runs} runs each (after a warm-up), one core\n")
    print("| setting | wall s (median) | CPU s (median) | MB/s per core (CPU) | MB/s (wall) | vs bare loop (CPU) |")
    print("|---|---|---|---|---|---|")
    bare = None
    for label, run in settings:
        walls, cpus, size = timed(run, args.runs)
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        rate = size / 2**20 / cpu
        bare = bare or rate
        print(f"| {label} | {wall:.3f} | {cpu:.3f} | {rate:.1f} | {size / 2**20 / wall:.1f} | {rate / bare:.3f}x |")
    print(f"\n{size / 2**20:.1f} MB of repository files")
    shares = ", ".join(f"{name} {seconds / sum(split.values()):.0%}" for name, seconds in split.most_common())
    print(f"CPU time of ingest + language + filters (warm-up included): {shares}")


if __name__ == "__main__":
    main()
