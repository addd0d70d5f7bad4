"""Comment translation: extraction + re-insertion throughput, and the openai backend's
segments/s against a local OpenAI-compatible server.

    python bench/translate.py [--corpus DIR] [--segments 2000] [--batch-size 8]

1. **Extraction + re-insertion, MB/s per core** over every source file of the code corpus
   (``repos/`` and ``comments/``, from ``build-code-corpus``), one process, CPU seconds:
   ``extract`` = lex (pygments) + segments + skip rules; ``re-insert`` = render every
   segment (a translation of the same length as the original) + splice + verification
   (re-lex and compare the code tokens; compile Python). Language identification of files is
   done beforehand and not timed.
2. **Backend**: the unique English segments of the corpus (as the stage finds them: skip
   rules, per-segment LID, dedup) sent through :class:`OpenAIBackend` to the test server
   (``tests/translate_server.py``, in-process threads, deterministic pseudo-translation) with
   0 ms and 50 ms simulated latency per request, at concurrency 1, 4 and 16. Checks that the
   requests sent are <= ceil(unique segments / batch size).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from polycorpus.stages.code.identify import identify
from polycorpus.stages.translate.backends import OpenAIBackend
from polycorpus.stages.translate.extract import extract, lex, lexer_for
from polycorpus.stages.translate.reinsert import apply, compiles, render, verify


def load(corpus: Path) -> list[tuple[str, str, str]]:
    files = []
    for folder in ("repos", "comments"):
        for path in sorted((corpus / folder).rglob("*")):
            if not path.is_file():
                continue
            try:
                text = path.read_bytes().decode("utf-8")
            except UnicodeDecodeError:
                continue
            language = identify(str(path.relative_to(corpus)), text).language
            if lexer_for(language) is not None:
                files.append((str(path), text, language))
    return files


def bench_local(files) -> tuple[dict, list]:
    size = sum(len(t.encode()) for _, t, _ in files) / 2**20
    cpu = time.process_time()
    extracted = []
    for _path, text, language in files:
        lexer = lexer_for(language)
        tokens = lex(lexer, text)
        if tokens is not None:
            extracted.append((text, language, lexer, tokens, extract(text, language, lexer, tokens)))
    t_extract = time.process_time() - cpu
    cpu = time.process_time()
    failures = 0
    for text, language, lexer, tokens, segments in extracted:
        replaced = {i: r for i, s in enumerate(segments) if (r := render(s, s.text)) is not None}
        out = apply(text, segments, replaced)
        python = language == "Python"
        failures += verify(lexer, tokens, out, python, python and compiles(text)) is not None
    t_insert = time.process_time() - cpu
    segments = sum(len(e[4]) for e in extracted)
    return ({"files": len(extracted), "MiB": size, "segments": segments, "extract_s": t_extract,
             "insert_s": t_insert, "failures": failures}, extracted)


def english_segments(extracted, limit: int) -> list[str]:
    from polycorpus.stages.langid.model import LidModel
    from polycorpus.stages.translate.quality import SegmentLid

    texts = list(dict.fromkeys(s.text for e in extracted for s in e[4] if not s.skip))
    detected = SegmentLid(LidModel()).detect(texts)
    return [t for t, (lang, _) in zip(texts, detected, strict=True) if lang == "en"][:limit]


def bench_backend(texts: list[str], batch_size: int) -> list[dict]:
    from translate_server import FakeOpenAI

    rows = []
    for latency in (0.0, 0.05):
        for concurrency in (1, 4, 16):
            with FakeOpenAI(delay_s=latency) as server:
                backend = OpenAIBackend(server.base_url, "bench", batch_size=batch_size, concurrency=concurrency,
                                        timeout_s=30, backoff_s=0.01)
                started = time.perf_counter()
                out = backend.translate(texts, "en", "zh-Hans")
                elapsed = time.perf_counter() - started
                requests = server.requests
            rows.append({"latency_ms": int(latency * 1000), "concurrency": concurrency, "segments": len(texts),
                         "ok": sum(o is not None for o in out), "seconds": elapsed, "segments_s": len(texts) / elapsed,
                         "requests": requests, "bound": math.ceil(len(texts) / batch_size)})
    return rows


def main() -> None:
    default = Path(os.environ.get("POLYCORPUS_CODE_CORPUS",
                                  Path(os.environ.get("POLYCORPUS_TESTDATA", Path.home() / ".cache/polycorpus-testdata")) / "code"))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=default)
    parser.add_argument("--segments", type=int, default=2000, help="Unique English segments sent to the server.")
    parser.add_argument("--batch-size", type=int, default=8)
    args = parser.parse_args()
    files = load(args.corpus)
    local, extracted = bench_local(files)
    print(f"code corpus: {local['files']} files, {local['MiB']:.2f} MiB, {local['segments']} segments, "
          f"{local['failures']} verification failures")
    print("| step | CPU s | MiB/s per core |\n|---|---:|---:|")
    print(f"| extract (lex + segments + skip rules) | {local['extract_s']:.1f} | {local['MiB'] / local['extract_s']:.2f} |")
    print(f"| re-insert (render + splice + re-lex check) | {local['insert_s']:.1f} | {local['MiB'] / local['insert_s']:.2f} |")
    total = local["extract_s"] + local["insert_s"]
    print(f"| both | {total:.1f} | {local['MiB'] / total:.2f} |")
    texts = english_segments(extracted, args.segments)
    print(f"\nopenai backend, {len(texts)} unique English segments, batch size {args.batch_size}")
    print("| latency | concurrency | segments/s | requests | <= ceil(unique/batch) |\n|---:|---:|---:|---:|---|")
    for row in bench_backend(texts, args.batch_size):
        check = "yes" if row["requests"] <= row["bound"] else "NO"
        print(f"| {row['latency_ms']} ms | {row['concurrency']} | {row['segments_s']:.0f} | {row['requests']} | "
              f"{check} ({row['bound']}) |")


if __name__ == "__main__":
    main()
