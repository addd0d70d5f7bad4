"""Tokenize throughput: the pipeline's ``tokenize`` stage against a bare loop, in one invocation.

    python bench/tokenize_run.py [--mb 100] [--files 16] [--train-mb 100] [--runs 5]

Text: documents built from the real multilingual text in ../shared/corpus (UD sentences in 22
languages grouped ten by ten, the news articles) and the code corpus of
../shared/testdata/build-code-corpus, cycled up to the requested size and cached under
bench/.cache. A 64k byte-level BPE is trained on ``--train-mb`` of it (timed), then used for:

- baseline: ``Tokenizer.encode_batch`` over the same texts + ``<eod>`` + a plain numpy write of
  the tokens to one file (the bare loop the issue names), and the same with
  ``encode_batch_fast`` (no offsets; what the stage uses) for reference, each in a fresh
  interpreter with the texts already in memory (reading them is not timed);
- polycorpus: a run whose only stage is ``tokenize`` (Parquet in, Megatron shards out,
  documents, statistics and commits included), with 1 and 2 workers.

Per-worker figures: RAYON_NUM_THREADS=1 everywhere (the stage pins one thread per worker).
Ray's boot is outside the timings. Medians of ``--runs`` runs, order rotated between runs.
"""

from __future__ import annotations

import os
import sys

os.environ["RAYON_NUM_THREADS"] = "1"  # before tokenizers starts its thread pool

import argparse
import json
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from polycorpus.pipeline.config import parse_config
from polycorpus.pipeline.progress import RunProgress
from polycorpus.tokenizer.load import load_tokenizer
from polycorpus.tokenizer.train import save_tokenizer, train_tokenizer

SHARED = REPO.parent / "shared"
CODE = Path(os.environ.get("POLYCORPUS_CODE_CORPUS", Path.home() / ".cache" / "polycorpus-testdata" / "code"))
CACHE = REPO / "bench" / ".cache" / "tokenize"


def base_documents() -> list[str]:
    docs: list[str] = []
    for conllu in sorted((SHARED / "corpus" / "text").glob("*/*.conllu")):
        sentences = [line[len("# text = "):] for line in conllu.read_text(encoding="utf-8").splitlines()
                     if line.startswith("# text = ")]
        docs += [" ".join(sentences[i:i + 10]) for i in range(0, len(sentences), 10)]
    for train in sorted((SHARED / "corpus" / "text" / "near-duplicates").rglob("*.train")):
        docs += [line.split(" ", 1)[1] for line in train.read_text(encoding="utf-8").splitlines() if " " in line]
    if CODE.is_dir():
        for path in sorted(CODE.rglob("*")):
            if path.is_file() and path.stat().st_size < 200_000:
                try:
                    docs.append(path.read_text(encoding="utf-8"))
                except UnicodeDecodeError:
                    continue
    if not docs:
        raise SystemExit(f"no text found under {SHARED}: the shared corpus is needed")
    return docs


def corpus(mb: int) -> list[str]:
    """Documents cycled (with a counter so none repeats exactly) up to ``mb`` MB of UTF-8."""
    base = base_documents()
    out, size, k = [], 0, 0
    while size < mb * 1_000_000:
        text = f"{base[k % len(base)]}\n[{k // len(base)}]"
        out.append(text)
        size += len(text.encode())
        k += 1
    return out


def parquet_inputs(texts: list[str], files: int) -> Path:
    out = CACHE / f"inputs-{len(texts)}-{files}"
    if not (out / "DONE").exists():
        out.mkdir(parents=True, exist_ok=True)
        for f in range(files):
            pq.write_table(pa.table({"text": texts[f::files]}), out / f"part-{f:02d}.parquet")
        (out / "DONE").write_text("ok\n")
    return out


def bare_loop(tokenizer_dir: Path, inputs: Path, fast: bool, scratch: Path) -> tuple[float, int]:
    """Run the bare loop in a fresh interpreter, like each of the stage's workers: the
    benchmark's own process has trained a tokenizer and holds the corpus, and the same loop
    ran up to a third slower there. The texts are read before the clock starts."""
    command = [sys.executable, __file__, "--bare", "fast" if fast else "plain", "--tokenizer-dir",
               str(tokenizer_dir), "--inputs", str(inputs), "--scratch", str(scratch)]
    result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    return result["seconds"], result["tokens"]


def bare_main(mode: str, tokenizer_dir: Path, inputs: Path, scratch: Path) -> None:
    """The baseline: ``encode_batch`` (or ``encode_batch_fast``) + ``<eod>`` + a numpy write."""
    from tokenizers import Tokenizer

    texts = [t for part in sorted(inputs.glob("*.parquet")) for t in pq.read_table(part).column("text").to_pylist()]
    tok = Tokenizer.from_file(str(tokenizer_dir / "tokenizer.json"))
    eod = tok.token_to_id("<eod>")
    encode = tok.encode_batch_fast if mode == "fast" else tok.encode_batch
    dtype = np.uint16 if tok.get_vocab_size() <= 65500 else np.int32
    total = 0
    began = time.perf_counter()
    with (scratch / f"bare-{uuid.uuid4().hex[:6]}.bin").open("wb") as out:
        for i in range(0, len(texts), 1000):
            for encoding in encode(texts[i:i + 1000], add_special_tokens=False):
                ids = np.array(encoding.ids + [eod], dtype=dtype)
                out.write(ids.tobytes())
                total += ids.size
    print(json.dumps({"seconds": time.perf_counter() - began, "tokens": total}))


def pipeline(tokenizer_dir: Path, inputs: Path, workers: int, scratch: Path) -> tuple[float, int]:
    from polycorpus.pipeline.runner import run_pipeline

    config = parse_config(
        {"inputs": [{"path": str(inputs / "*.parquet"), "source": "bench"}],
         "output": str(scratch / f"run-{workers}-{uuid.uuid4().hex[:8]}"), "write_rejected": False,
         "stages": [{"name": "tokenize", "tokenizer": str(tokenizer_dir / "tokenizer.json")}]},
        scratch,
    )
    began = time.perf_counter()
    result = run_pipeline(config, workers=workers, engine="ray",
                          progress=RunProgress(stream=open(os.devnull, "w")))  # noqa: SIM115
    elapsed = time.perf_counter() - began
    assert result.ok, result.failed
    return elapsed, next(s for s in result.stats["stages"] if s["name"] == "tokenize")["tokens"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=100, help="text to tokenize, MB")
    parser.add_argument("--train-mb", type=int, default=100, help="text to train the 64k tokenizer on, MB")
    parser.add_argument("--files", type=int, default=16, help="Parquet files (one unit each)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bare", choices=["plain", "fast"], help=argparse.SUPPRESS)  # one baseline run
    parser.add_argument("--tokenizer-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--inputs", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--scratch", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        bare_main(args.bare, args.tokenizer_dir, args.inputs, args.scratch)
        return

    training = corpus(args.train_mb)
    tokenizer_dir = CACHE / f"tok64k-{args.train_mb}mb"
    started = time.perf_counter()
    tok = train_tokenizer(training, vocab_size=65536)
    train_s = time.perf_counter() - started
    save_tokenizer(tok, tokenizer_dir, {"bench": "tokenize", "train_mb": args.train_mb})
    print(f"trained a 64k byte-level BPE on {args.train_mb} MB in {train_s:.1f}s "
          f"(RAYON_NUM_THREADS=1, one core)", file=sys.stderr)
    del training

    texts = corpus(args.mb)
    inputs = parquet_inputs(texts, args.files)
    vocab = load_tokenizer(tokenizer_dir).vocab_size
    import ray

    ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1", logging_level="ERROR")
    times: dict[str, list[float]] = {name: [] for name in ("encode_batch", "encode_batch_fast", "stage-1", "stage-2")}
    tokens: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="pc-bench-tok-") as tmp:
        scratch = Path(tmp)
        jobs = {
            "encode_batch": lambda: bare_loop(tokenizer_dir, inputs, False, scratch),
            "encode_batch_fast": lambda: bare_loop(tokenizer_dir, inputs, True, scratch),
            "stage-1": lambda: pipeline(tokenizer_dir, inputs, 1, scratch),
            "stage-2": lambda: pipeline(tokenizer_dir, inputs, 2, scratch),
        }
        names = list(jobs)
        for run in range(args.runs):
            for name in names[run % 4:] + names[: run % 4]:
                elapsed, tokens[name] = jobs[name]()
                times[name].append(elapsed)
                print(f"run {run + 1} {name:18s} {times[name][-1]:7.2f}s {tokens[name]:,} tokens", file=sys.stderr)
    ray.shutdown()

    assert len(set(tokens.values())) == 1, f"token counts differ: {tokens}"
    med = {name: statistics.median(t) for name, t in times.items()}
    print(f"\n{len(texts):,} documents, {args.mb} MB, {tokens['stage-1']:,} tokens; vocabulary {vocab}; "
          f"runs: {args.runs}; Ray boot not timed")
    print(f"{'setting':20s} {'median s':>9s} {'spread':>7s} {'M tokens/s':>11s} {'per worker':>11s}")
    for name, workers in (("encode_batch", 1), ("encode_batch_fast", 1), ("stage-1", 1), ("stage-2", 2)):
        rate = tokens[name] / med[name] / 1e6
        spread = (max(times[name]) - min(times[name])) / med[name]
        print(f"{name:20s} {med[name]:9.2f} {spread:6.0%} {rate:11.3f} {rate / workers:11.3f}")
    print(f"\nstage (1 worker) vs bare encode_batch loop (which also computes offsets): "
          f"{med['encode_batch'] / med['stage-1']:.2f}x")
    paired_fast = sorted(fast / one for fast, one in zip(times["encode_batch_fast"], times["stage-1"], strict=True))
    print(f"stage (1 worker) vs bare encode_batch_fast loop (what the stage calls; like for like): "
          f"{med['encode_batch_fast'] / med['stage-1']:.2f}x (target >= 0.9x); paired "
          f"{statistics.median(paired_fast):.2f}x (runs {paired_fast[0]:.2f} .. {paired_fast[-1]:.2f})")
    paired = ", ".join(f"{one / two:.2f}" for one, two in zip(times["stage-1"], times["stage-2"], strict=True))
    print(f"2 workers vs 1: {med['stage-1'] / med['stage-2']:.2f}x (target >= 1.7x; run by run: {paired})")
    print(f"64k BPE training on {args.train_mb} MB: {train_s:.1f}s")


if __name__ == "__main__":
    main()
