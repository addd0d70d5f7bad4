"""Streaming loader throughput against litdata, mosaicml-streaming, Megatron's GPTDataset and a
raw memory-map gather, on the same tokens, in one invocation.

    python bench/loader.py [--tokens 100_000_000] [--seq-len 2048] [--batch-size 8] [--runs 5]

What runs where. Each peer lives in its own virtual environment, created by this script under
the cache directory (``bench/.cache/loader`` by default) with ``torch==2.13.0`` (the CPU
build) and the peer's pinned release, so none of them enters the project's dependencies and
none can change another's. polycorpus and the raw gather run in the interpreter that runs
this script. Every measurement is a fresh subprocess (``--child``) in the right environment.

The data. ``--tokens`` random token ids (uint16, documents of 50-5000 tokens ending in
``<eod>``) are written once as a polycorpus shard set (Megatron ``.bin``/``.idx``, which
Megatron's GPTDataset and the raw gather read as they are), as litdata chunks
(``optimize`` + ``TokensLoader``) and as mosaicml-streaming MDS samples pre-packed into
``seq_len + 1``-token windows. All of it stays in the page cache (warm cache): the figures
are each loader's own cost, not the disk's.

Measured per (loader, workers), workers 0 (in-process), 1 and 2, each a median over
``--runs`` fresh processes (min-max shown; the 2 cores are shared, so expect noise):

- tokens/s: ``batch * (seq_len + 1)`` per delivered batch, over ``--seconds`` after the
  first batch, shuffled order, through a torch DataLoader (or the library's own);
- first batch: from constructing the dataset to holding the first batch (warm cache);
- memory: the PSS (proportional set size) of each DataLoader worker (of the process itself
  with 0 workers) after the timed loop, beside that of a bare ``import torch`` process in the
  same environment. Forked workers share the parent's torch pages, so their PSS falls below a
  bare torch process; what a worker adds is its private memory (USS), reported too (with 0
  workers: the process's PSS growth after ``import torch``);
- resume: after the timed loop, a new dataset + loader is built from the state at that point
  (Megatron and the raw gather have no loader state: they restart at the sample index) and
  the time to its first batch is taken.

Results go to ``bench/results/loader.json`` and ``.md``, and a bar chart of tokens/s to
``loader.svg``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, ClassVar

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / "bench" / ".cache" / "loader"
RESULTS = REPO / "bench" / "results"
TORCH = "torch==2.13.0"  # the CPU build; never unpinned (it would pull CUDA wheels)
PEERS = {  # environment -> pinned packages
    "litdata": ["litdata==0.2.76"],
    "streaming": ["mosaicml-streaming==0.13.0"],
    "megatron": ["megatron-core==0.16.1"],
}
LOADERS = {  # loader -> environment (None: this interpreter)
    "polycorpus": None, "litdata": "litdata", "streaming": "streaming", "megatron": "megatron",
    "raw-memmap": None,
}
EOD, PAD, VOCAB = 0, 1, 8000


# ============================================================== driver (this interpreter)

def python_of(env: str | None, cache: Path) -> str:
    """The interpreter of ``env``, creating its virtual environment on first use."""
    if env is None:
        return sys.executable
    root = cache / "venvs" / env
    python = root / "bin" / "python"
    marker = root / ".installed"
    wanted = " ".join([TORCH, *PEERS[env]])
    if marker.is_file() and marker.read_text() == wanted:
        return str(python)
    print(f"creating {root} with {wanted} ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(root)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", TORCH, *PEERS[env]], check=True)
    marker.write_text(wanted)
    return str(python)


def prepare_data(cache: Path, tokens: int, seq_len: int) -> Path:
    """Write the token corpus once in every format (see the module docstring)."""
    data = cache / f"data-{tokens}-{seq_len}"
    shards = data / "polycorpus"
    if not (shards / "manifest.json").is_file():
        print(f"writing {tokens:,} tokens as a polycorpus shard set ...", flush=True)
        write_polycorpus(shards, tokens)
    for env, fmt in (("litdata", "litdata"), ("streaming", "mds")):
        if not (data / fmt / "index.json").is_file():
            print(f"writing the same tokens as {fmt} ...", flush=True)
            child(env, cache, ["--prepare", fmt, "--data", str(data), "--seq-len", str(seq_len)],
                  timeout=3600)
    return data


def write_polycorpus(directory: Path, tokens: int) -> None:
    import numpy as np

    sys.path.insert(0, str(REPO))
    from polycorpus.tokenizer.load import load_tokenizer
    from polycorpus.tokenizer.shardwrite import ShardDocuments, write_shard_set

    rng = np.random.default_rng(0)
    tokenizer = load_tokenizer(REPO / "examples" / "tokenizer")
    per_shard = 16
    lengths = rng.integers(50, 5000, tokens // 2500 + 1)
    lengths = lengths[: np.searchsorted(np.cumsum(lengths), tokens) + 1]
    groups = np.array_split(lengths, per_shard)

    def documents(group: np.ndarray):
        for length in group.tolist():
            yield np.append(rng.integers(5, VOCAB, length - 1, dtype=np.uint16), np.uint16(EOD))

    write_shard_set(directory, {f"part-{i:03d}": ShardDocuments("bench", "web", documents(g))
                                for i, g in enumerate(groups)}, tokenizer)


def child(env: str | None, cache: Path, args: list[str], timeout: float = 900) -> dict[str, Any]:
    """Run this file in ``env``'s interpreter; its last stdout line is a JSON result."""
    command = [python_of(env, cache), str(Path(__file__).resolve()), *args]
    extra = {"PYTHONPATH": str(REPO)} if env is None else {}  # peers never see the project
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                            env={**os.environ, **extra}, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else {}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=100_000_000)
    parser.add_argument("--seq-len", type=int, default=2048)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0, help="timed window per run")
    parser.add_argument("--workers", default="0,1,2")
    parser.add_argument("--loaders", default=",".join(LOADERS))
    parser.add_argument("--cache-dir", type=Path, default=CACHE)
    parser.add_argument("--out", type=Path, default=RESULTS / "loader")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--prepare", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        import torch  # noqa: F401

        print(json.dumps({"pss_mb": pss_mb(os.getpid())}))
        return 0
    if args.prepare:
        {"litdata": prepare_litdata, "mds": prepare_mds}[args.prepare](args.data, args.seq_len)
        return 0
    if args.child:
        workers = int(args.workers)
        print(json.dumps(measure(args.child, args.data, args.seq_len, args.batch_size, workers,
                                 args.seconds, args.cache_dir)))
        return 0

    cache = args.cache_dir.resolve()
    loaders = args.loaders.split(",")
    for env in {LOADERS[name] for name in loaders} - {None}:
        python_of(env, cache)
    data = prepare_data(cache, args.tokens, args.seq_len)
    worker_counts = [int(w) for w in args.workers.split(",")]
    cases = [(name, w) for name in loaders for w in worker_counts
             if not (name == "raw-memmap" and w)]  # the ceiling is in-process only
    common = ["--data", str(data), "--seq-len", str(args.seq_len), "--batch-size",
              str(args.batch_size), "--seconds", str(args.seconds), "--cache-dir", str(cache)]
    for name, workers in cases:  # warm-up: page cache, Megatron's index cache, venv imports
        child(LOADERS[name], cache, ["--child", name, "--workers", str(workers), *common,
                                     "--seconds", "0.5"])
    bare = {env: statistics.median(child(env, cache, ["--bare"])["pss_mb"] for _ in range(3))
            for env in {LOADERS[name] for name, _ in cases}}
    samples: dict[tuple[str, int], list[dict[str, Any]]] = {case: [] for case in cases}
    for run in range(args.runs):  # rotate the order: drifts in machine load hit every loader
        for name, workers in cases[run % len(cases):] + cases[: run % len(cases)]:
            result = child(LOADERS[name], cache, ["--child", name, "--workers", str(workers), *common])
            samples[(name, workers)].append(result)
            print(f"run {run + 1}/{args.runs} {name:<11} workers={workers} "
                  f"{result['tokens_per_s'] / 1e6:8.1f} M tokens/s  first batch "
                  f"{result['first_batch_s']:.3f} s", flush=True)
    report(samples, bare, args)
    return 0


def summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def report(samples: dict[tuple[str, int], list[dict[str, Any]]], bare: dict[str | None, float],
           args: argparse.Namespace) -> None:
    rows = []
    for (name, workers), results in samples.items():
        rows.append({"loader": name, "workers": workers,
                     "tokens_per_s": summary([r["tokens_per_s"] for r in results]),
                     "first_batch_s": summary([r["first_batch_s"] for r in results]),
                     "pss_mb": summary([max(r["pss_mb"]) for r in results]),
                     "added_mb": summary([max(r["added_mb"]) for r in results]),
                     "resume_s": summary([r["resume_s"] for r in results])})
    by = {(r["loader"], r["workers"]): r["tokens_per_s"]["median"] for r in rows}
    ratios = {}
    if ("polycorpus", 0) in by and ("litdata", 0) in by:
        ratios["polycorpus / litdata, in-process"] = by[("polycorpus", 0)] / by[("litdata", 0)]
    if ("polycorpus", 0) in by and ("raw-memmap", 0) in by:
        ratios["polycorpus / raw gather, in-process"] = by[("polycorpus", 0)] / by[("raw-memmap", 0)]
    setup = {"tokens": args.tokens, "seq_len": args.seq_len, "batch_size": args.batch_size,
             "runs": args.runs, "seconds": args.seconds, "cpus": os.cpu_count(),
             "bare_torch_pss_mb": {env or "main": mb for env, mb in bare.items()},
             "versions": {env: pins for env, pins in PEERS.items()}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    Path(f"{args.out}.json").write_text(json.dumps({"setup": setup, "rows": rows, "ratios": ratios},
                                                   indent=1))
    table = markdown(rows, ratios, setup)
    Path(f"{args.out}.md").write_text(table)
    Path(f"{args.out}.svg").write_text(svg_chart(rows))
    print(table)


def markdown(rows: list[dict[str, Any]], ratios: dict[str, float], setup: dict[str, Any]) -> str:
    def cell(stat: dict[str, float], scale: float, digits: int) -> str:
        return (f"{stat['median'] / scale:.{digits}f} "
                f"({stat['min'] / scale:.{digits}f}-{stat['max'] / scale:.{digits}f})")

    lines = [(f"Loader benchmark: {setup['tokens']:,} tokens, seq_len {setup['seq_len']}, batch "
             f"{setup['batch_size']}, median (min-max) of {setup['runs']} runs, "
             f"{setup['cpus']} shared cores, warm page cache."), "",
             ("| loader | workers | M tokens/s | first batch (s) | PSS/worker (MB) | "
             "added/worker (MB) | resume (s) |"),
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['loader']} | {r['workers']} | {cell(r['tokens_per_s'], 1e6, 1)} | "
                     f"{cell(r['first_batch_s'], 1, 3)} | {cell(r['pss_mb'], 1, 0)} | "
                     f"{cell(r['added_mb'], 1, 1)} | {cell(r['resume_s'], 1, 3)} |")
    bare = ", ".join(f"{env} {mb:.0f}" for env, mb in setup["bare_torch_pss_mb"].items())
    lines += ["", (f"PSS of a bare `import torch` process (MB): {bare}. PSS/worker: the largest "
              "worker (the process itself with 0 workers). Added/worker: a worker's private "
              "memory (USS); with 0 workers, the process's PSS growth after `import torch`."), ""]
    lines += [f"- {name}: {value:.2f}x" for name, value in ratios.items()]
    return "\n".join(lines) + "\n"


def svg_chart(rows: list[dict[str, Any]]) -> str:
    """A horizontal bar chart of median tokens/s with min-max whiskers (no plotting library)."""
    height, left, width = 22, 190, 520
    top = max(r["tokens_per_s"]["max"] for r in rows)
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 90}" '
             f'height="{height * len(rows) + 50}" font-family="sans-serif" font-size="12">'),
             f'<text x="{left}" y="16">delivered M tokens/s (median, min-max)</text>']
    for i, r in enumerate(rows):
        y = 30 + i * height
        stat = r["tokens_per_s"]
        scale = width / top
        color = "#2b6cb0" if r["loader"] == "polycorpus" else "#a0aec0"
        parts += [(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">{r["loader"]} '
                  f'w={r["workers"]}</text>'),
                  (f'<rect x="{left}" y="{y + 3}" width="{stat["median"] * scale:.1f}" '
                  f'height="{height - 8}" fill="{color}"/>'),
                  (f'<line x1="{left + stat["min"] * scale:.1f}" x2="{left + stat["max"] * scale:.1f}" '
                  f'y1="{y + 11}" y2="{y + 11}" stroke="black"/>'),
                  (f'<text x="{left + stat["max"] * scale + 6:.1f}" y="{y + 14}">'
                  f'{stat["median"] / 1e6:.1f}</text>')]
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


# ============================================================== children (any environment)

def memory_mb(pid: int) -> dict[str, float]:
    """PSS and USS (private pages: what the process alone costs) from smaps_rollup."""
    fields = {}
    with open(f"/proc/{pid}/smaps_rollup") as handle:
        for line in handle:
            name, _, rest = line.partition(":")
            if name in ("Pss", "Private_Clean", "Private_Dirty"):
                fields[name] = int(rest.split()[0]) / 1024
    return {"pss": fields["Pss"], "uss": fields["Private_Clean"] + fields["Private_Dirty"]}


def pss_mb(pid: int) -> float:
    return memory_mb(pid)["pss"]


def worker_pids() -> list[int]:
    pids = []
    for task in Path("/proc/self/task").iterdir():
        pids += [int(p) for p in (task / "children").read_text().split()]
    return pids


def flat_tokens(data: Path):
    """The shard set's tokens, shard after shard, as memory maps (for the peers' writers)."""
    import numpy as np

    manifest = json.loads((data / "polycorpus" / "manifest.json").read_text())
    return [np.memmap(data / "polycorpus" / f"{s['name']}.bin", dtype=np.uint16, mode="r")
            for s in manifest["shards"]]


def prepare_litdata(data: Path, seq_len: int) -> None:
    import numpy as np
    import torch
    from litdata import TokensLoader, optimize

    inputs = list(range(len(flat_tokens(data))))

    def tokens_of(shard: int):
        part = flat_tokens(data)[shard]
        for start in range(0, part.size, 1 << 20):
            yield torch.from_numpy(np.ascontiguousarray(part[start: start + (1 << 20)]))

    optimize(fn=tokens_of, inputs=inputs, output_dir=str(data / "litdata"),
             chunk_size=(seq_len + 1) * 1024, item_loader=TokensLoader(), num_workers=1,
             start_method="fork")


def import_streaming() -> None:
    """Make mosaicml-streaming importable beside the CPU torch.

    streaming imports torchvision for its vision datasets (unused here). The torchvision wheel
    on PyPI is a CUDA build whose extension cannot load next to the CPU torch, and its meta
    registrations then fail on two ops the extension would have defined; defining their
    schemas first lets torchvision's Python side import.
    """
    import torch

    for op in ("nms", "qnms"):
        torch.library.define(f"torchvision::{op}",
                             "(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    import streaming  # noqa: F401


def prepare_mds(data: Path, seq_len: int) -> None:
    import numpy as np

    import_streaming()
    from streaming import MDSWriter

    stream = np.concatenate(flat_tokens(data))
    windows = (stream.size - 1) // seq_len
    with MDSWriter(out=str(data / "mds"), columns={"tokens": f"ndarray:uint16:{seq_len + 1}"},
                   size_limit=1 << 26) as writer:
        for j in range(windows):
            writer.write({"tokens": np.ascontiguousarray(stream[j * seq_len: j * seq_len + seq_len + 1])})


def build(name: str, data: Path, seq_len: int, batch_size: int, workers: int, cache: Path,
          state: Any = None) -> tuple[Any, Any]:
    """(loader, handle for the state) of loader ``name``, resumed from ``state`` if given."""
    import torch

    if name == "polycorpus":
        from polycorpus.tokenizer.loader.torch_dataset import StreamingDataLoader, StreamingDataset

        dataset = StreamingDataset(str(data / "polycorpus"), seq_len=seq_len,
                                   batch_size=batch_size, seed=1, cache_dir=str(cache / "pc-cache"))
        loader = StreamingDataLoader(dataset, num_workers=workers)
        if state is not None:
            loader.load_state_dict(state)
        return loader, loader
    if name == "litdata":
        from litdata import StreamingDataLoader, StreamingDataset, TokensLoader

        dataset = StreamingDataset(str(data / "litdata"), item_loader=TokensLoader(block_size=seq_len + 1),
                                   shuffle=True, seed=1, drop_last=True)
        loader = StreamingDataLoader(dataset, batch_size=batch_size, num_workers=workers)
        if state is not None:
            loader.load_state_dict(state)
        return loader, loader
    if name == "streaming":
        if "streaming" not in sys.modules:
            import_streaming()
        from streaming import StreamingDataLoader, StreamingDataset
        from streaming.base.util import clean_stale_shared_memory

        clean_stale_shared_memory()
        dataset = StreamingDataset(local=str(data / "mds"), shuffle=True, shuffle_seed=1,
                                   batch_size=batch_size)
        loader = StreamingDataLoader(dataset, batch_size=batch_size, num_workers=workers)
        if state is not None:
            loader.load_state_dict(state)
        return loader, loader
    if name == "megatron":
        from megatron.core.datasets.blended_megatron_dataset_builder import (
            BlendedMegatronDatasetBuilder,
        )
        from megatron.core.datasets.gpt_dataset import GPTDataset, GPTDatasetConfig

        class Tokenizer:  # what GPTDataset reads of a tokenizer
            eod, pad, vocab_size = EOD, PAD, VOCAB
            unique_identifiers: ClassVar[dict[str, str]] = {"class": "bench"}

        if not torch.distributed.is_initialized():  # the blend builder asks for the rank
            store = cache / f"megatron-pg-{os.getpid()}"
            torch.distributed.init_process_group("gloo", init_method=f"file://{store}", rank=0,
                                                 world_size=1)
        manifest = json.loads((data / "polycorpus" / "manifest.json").read_text())
        prefixes = [str(data / "polycorpus" / s["name"]) for s in manifest["shards"]]
        config = GPTDatasetConfig(
            random_seed=1, sequence_length=seq_len, blend=(prefixes, None), split="100,0,0",
            path_to_cache=str(cache / "megatron-index"), tokenizer=Tokenizer(),
            reset_position_ids=False, reset_attention_mask=False, eod_mask_loss=False,
            create_attention_mask=False)
        dataset = BlendedMegatronDatasetBuilder(GPTDataset, [None, None, None], lambda: True,
                                                config).build()[0]
        # Megatron's trainers resume by skipping the consumed samples (within this epoch).
        start = (state or 0) % (len(dataset) - batch_size)
        indices = range(start, len(dataset))
        sampler = torch.utils.data.BatchSampler(indices, batch_size, drop_last=True)
        loader = torch.utils.data.DataLoader(dataset, batch_sampler=sampler, num_workers=workers)
        return loader, start
    if name == "raw-memmap":
        return RawGather(data, seq_len, batch_size, start=state or 0), None
    raise ValueError(f"unknown loader {name}")


class RawGather:
    """The ceiling: random windows sliced out of memory maps and stacked into a batch. The
    maps are populated up front (MAP_POPULATE), so no page fault is left for the timed loop."""

    def __init__(self, data: Path, seq_len: int, batch_size: int, start: int) -> None:
        import mmap

        import numpy as np

        manifest = json.loads((data / "polycorpus" / "manifest.json").read_text())
        self.parts = []
        for shard in manifest["shards"]:
            with open(data / "polycorpus" / f"{shard['name']}.bin", "rb") as handle:
                mapped = mmap.mmap(handle.fileno(), 0, flags=mmap.MAP_SHARED | mmap.MAP_POPULATE,
                                   prot=mmap.PROT_READ)
            self.parts.append(np.frombuffer(mapped, dtype=np.uint16))
        self.seq_len, self.batch_size = seq_len, batch_size
        self.rng = np.random.default_rng(start)
        self.batch = 0

    def __iter__(self):
        import numpy as np
        import torch

        sizes = np.array([p.size for p in self.parts])
        while True:
            shards = self.rng.integers(0, len(self.parts), self.batch_size)
            starts = self.rng.integers(0, sizes[shards] - self.seq_len - 1)
            out = np.stack([self.parts[s][o: o + self.seq_len + 1]
                            for s, o in zip(shards.tolist(), starts.tolist())])
            self.batch += 1
            yield torch.from_numpy(out)


def batch_tokens(batch: Any) -> int:
    tensor = batch["tokens"] if isinstance(batch, dict) else batch
    rows = tensor.shape[0]
    return rows * (tensor.shape[1] + (1 if isinstance(batch, dict) and "labels" in batch else 0))


def measure(name: str, data: Path, seq_len: int, batch_size: int, workers: int, seconds: float,
            cache: Path) -> dict[str, Any]:
    import torch

    torch.set_num_threads(1)
    after_torch = pss_mb(os.getpid())
    started = time.perf_counter()
    loader, handle = build(name, data, seq_len, batch_size, workers, cache)
    iterator = iter(loader)
    first = next(iterator)
    first_batch_s = time.perf_counter() - started
    tokens, consumed, ticked = 0, 1, time.perf_counter()
    deadline = ticked + seconds
    while time.perf_counter() < deadline:
        try:
            batch = next(iterator)
        except StopIteration:  # end of an epoch: go on with the next
            iterator = iter(loader)
            continue
        tokens += batch_tokens(batch)
        consumed += 1
    elapsed = time.perf_counter() - ticked
    memory = [memory_mb(pid) for pid in (worker_pids() if workers else [os.getpid()])]
    # Added per worker: a worker's private pages; in-process: growth since `import torch`.
    added = [m["uss"] for m in memory] if workers else [memory[0]["pss"] - after_torch]
    del first
    if name in ("polycorpus", "litdata", "streaming"):
        state = handle.state_dict()
    else:
        state = consumed * batch_size
    del iterator, loader
    resumed_at = time.perf_counter()
    loader, _ = build(name, data, seq_len, batch_size, workers, cache, state=state)
    next(iter(loader))
    resume_s = time.perf_counter() - resumed_at
    return {"tokens_per_s": tokens / elapsed, "first_batch_s": first_batch_s,
            "pss_mb": [m["pss"] for m in memory], "added_mb": added,
            "resume_s": resume_s, "batches": consumed}


if __name__ == "__main__":
    raise SystemExit(main())
