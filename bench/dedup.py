"""Dedup benchmark: signature throughput, end-to-end time against datatrove, memory.

    python bench/dedup.py [--docs 200000] [--files 8] [--runs 3] [--peer-runs 3]

The corpus is synthetic and written once under bench/.cache/dedup (jsonl, ``--files`` files so
datatrove can parallelise per file): documents of ~2 KB drawn from a Zipfian vocabulary of
made-up words, in sentences, with planted copies of distinct originals at controlled rates of
changed words (``--copies``; 3% is the headline, as in the issue). Everything derives from
``--seed``, and a document's family is written in its id (``f<original>-c<rate>``), so the
ground truth needs no side file.

(a) signature throughput on one core, in this process, same documents, same Arrow batches,
    the jobs interleaved batch by batch so the machine's other load falls on each alike:
    ``signatures_table`` (what the Measure stage computes: exact key, node key, shingles,
    MinHash, band keys), the whole Measure stage (plus its Parquet writer), and a bare loop of
    datasketch ``MinHash.bulk`` with the same hash (xxh32), scheme (affine32), permutations
    and word 5-gram shingling. Target: stage >= 0.9x the bare loop.
(b) end to end on 2 workers: the polycorpus pipeline (ingest -> signatures -> global clusters
    -> filtered Parquet) against datatrove 0.10.1's four MinHash steps (signatures, buckets,
    cluster, filter -> jsonl.gz) at the same settings (word 5-grams, 14 bands x 8 rows), run
    as a subprocess in its own virtualenv (created here under bench/.cache), and polycorpus
    again with ``--custom`` bands x rows (16 x 7: the same 112 permutations, so the same
    signature cost, with the S-curve's midpoint at 0.67 instead of 0.72). Recall of the
    planted copies (a copy is found when it shares a cluster with its original) and pairwise
    precision (predicted same-cluster pairs that are one family) for each. Targets: >= 5x;
    recall of 3%-edited copies >= 82% at precision >= 0.99.
(c) memory: a separate, untimed pass samples the RSS and PSS of the driver and of every Ray
    process it started (workers and the raylet/GCS) every 0.2 s, on the full corpus and on a
    quarter of it: the driver's growth must not scale with the number of documents.
(d) the recall the banding promises: exact Jaccard of every planted copy to its original and
    the mean of 1 - (1 - J^8)^14, to tell implementation losses from what LSH lets through.

Ray boots once, before anything is timed. Timed settings rotate their order between runs;
medians and the spread (max - min) / median are reported, with the load average, because the
machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from peer import ensure_datatrove, load_average, peer_versions

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / "bench" / ".cache" / "dedup"
SOURCE = "bench"


# -- the peer: datatrove in its own virtualenv (bench/peer.py) ---------------------------------


class CharTokenizer:
    """Characters as datatrove "words" (whitespace dropped), for character n-gram presets.

    datatrove has no character shingles; ``MinhashDedupSignature`` joins n consecutive
    tokens with spaces, so character tokens give character n-grams (spaces are constant).
    Built lazily as a datatrove ``WordTokenizer`` subclass inside the peer process.
    """

    @staticmethod
    def make() -> Any:
        from datatrove.utils.word_tokenizers import WordTokenizer

        class _Chars(WordTokenizer):
            def word_tokenize(self, text: str) -> list[str]:
                return [c for c in text if not c.isspace()]

            def sent_tokenize(self, text: str) -> list[str]:
                return [text]

            def span_tokenize(self, text: str) -> list[tuple[int, int]]:
                return [(0, len(text))]

        return _Chars()


def peer_main(argv: list[str]) -> None:
    """Inside the venv: datatrove's four MinHash steps over ``--input``/*.jsonl, timed per step.

    Writes a JSON result (seconds per step, documents kept) and, untimed, ``clusters.tsv``
    (id, cluster) for every document datatrove put in a cluster, read back from its
    ``.clusters`` files by enumerating each task's documents exactly as its steps did.
    """
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--ngrams", type=int, default=5)
    parser.add_argument("--bands", type=int, default=14)
    parser.add_argument("--rows", type=int, default=8)
    parser.add_argument("--shingle", choices=["word", "char"], default="word")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    tasks = len(sorted(args.input.glob("*.jsonl")))
    config = MinhashConfig(n_grams=args.ngrams, num_buckets=args.bands, hashes_per_bucket=args.rows, seed=1)
    # word: datatrove's default language (English: spaCy's rule-based tokenizer, no model download)
    language: dict[str, Any] = {} if args.shingle == "word" else {"language": CharTokenizer.make()}
    work = args.work

    def reader() -> JsonlReader:
        return JsonlReader(str(args.input), glob_pattern="*.jsonl", text_key="text", id_key="id")

    steps = [
        ("signatures", [reader(), MinhashDedupSignature(output_folder=str(work / "signatures"), config=config,
                                                        **language)], tasks),
        ("buckets", [MinhashDedupBuckets(input_folder=str(work / "signatures"), output_folder=str(work / "buckets"),
                                         config=config)], args.bands),
        ("cluster", [MinhashDedupCluster(input_folder=str(work / "buckets"), output_folder=str(work / "remove"),
                                         config=config, save_cluster_id=True)], 1),
        ("filter", [reader(), MinhashDedupFilter(input_folder=str(work / "remove")),
                    JsonlWriter(str(work / "output"))], tasks),
    ]
    seconds: dict[str, float] = {}
    for name, pipeline, n in steps:
        started = time.perf_counter()
        LocalPipelineExecutor(pipeline=pipeline, tasks=n, workers=min(args.workers, n),
                              logging_dir=str(work / "logs" / name)).run()
        seconds[name] = time.perf_counter() - started

    import struct

    kept = 0
    for stats in (work / "logs" / "filter" / "stats").glob("*.json"):
        for step in json.loads(stats.read_text()):
            if "MinHash stage 4" in step.get("name", ""):
                kept += step.get("stats", {}).get("forwarded", 0)
    with (work / "clusters.tsv").open("w") as out:
        for rank in range(tasks):
            path = work / "remove" / f"{rank:06d}.clusters"
            if not path.exists():
                continue
            raw = path.read_bytes()
            members = dict(struct.iter_unpack("<2I", raw))
            for idx, doc in enumerate(reader().run(rank=rank, world_size=tasks)):
                if idx in members:
                    out.write(f"{doc.id}\t{members[idx]}\n")
    (work / "result.json").write_text(json.dumps({"seconds": seconds, "kept": kept}))


def run_datatrove(python: Path, inputs: Path, work: Path, *, ngrams: int = 5, bands: int = 14, rows: int = 8,
                  shingle: str = "word", workers: int = 2) -> dict[str, Any]:
    """Run the peer once; return its result with ``clusters`` (id -> datatrove cluster)."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    cmd = [str(python), str(Path(__file__).resolve()), "--peer", "--input", str(inputs), "--work", str(work),
           "--ngrams", str(ngrams), "--bands", str(bands), "--rows", str(rows), "--shingle", shingle,
           "--workers", str(workers)]
    with (work / "peer.log").open("w") as log:
        started = time.perf_counter()
        done = subprocess.run(cmd, check=False, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONPATH": ""})
        wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"datatrove failed ({done.returncode}); see {work / 'peer.log'}")
    result = json.loads((work / "result.json").read_text())
    result["wall"] = wall
    clusters: dict[str, str] = {}
    for line in (work / "clusters.tsv").read_text().splitlines():
        doc_id, cluster = line.split("\t")
        clusters[doc_id] = f"dt{cluster}"
    result["clusters"] = clusters
    return result


# -- polycorpus --------------------------------------------------------------------------------


def ray_init() -> float:
    """Start Ray once (2 CPUs, loopback, no dashboard); return the boot time."""
    import logging

    import ray

    started = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1", logging_level=logging.ERROR)
    return time.perf_counter() - started


def run_polycorpus(inputs: list[Path] | str, output: Path, minhash: dict[str, Any] | None, *, kind: str = "text",
                   workers: int = 2, exact: bool = True) -> dict[str, Any]:
    """One pipeline run with the ``dedup`` stage only; returns the run's stats.json."""
    from polycorpus.pipeline.config import parse_config
    from polycorpus.pipeline.progress import RunProgress
    from polycorpus.pipeline.runner import run_pipeline

    paths = [inputs] if isinstance(inputs, str) else [str(p) for p in inputs]
    if minhash is not None:  # word shingles for every document, as datatrove does (no langid here)
        minhash = {**minhash, "by_language": False}
    config = parse_config(
        {"inputs": [{"path": path, "source": SOURCE, "kind": kind, "format": "jsonl", "id_field": "id"}
                    for path in paths],
         "output": str(output), "write_rejected": False,
         "stages": [{"name": "dedup", "exact": exact, "minhash": minhash}]},
        output.parent,
    )
    with open(os.devnull, "w") as quiet:
        result = run_pipeline(config, workers=workers, engine="ray", progress=RunProgress(stream=quiet))
    if not result.ok:
        raise RuntimeError(f"polycorpus run failed: {result.failed}")
    return result.stats


def polycorpus_clusters(run: Path, original_ids: Iterable[str], inputs: Iterable[Path]) -> dict[str, str]:
    """id -> cluster for every document in a cluster, from RUN/dedup/duplicates.

    The pipeline's ids are hashes of (source, ``<file name>:id=<original>``): map them back
    (every id against every input's name; the ids are unique across the inputs).
    """
    import pyarrow.parquet as pq

    from polycorpus.stages.schema import document_id

    ids = list(original_ids)
    back = {document_id(SOURCE, f"{Path(path).name}:id={doc_id}"): doc_id for path in inputs for doc_id in ids}
    table = pq.read_table(run / "dedup" / "duplicates", columns=["id", "cluster"])
    return {back[i]: c for i, c in zip(table.column("id").to_pylist(), table.column("cluster").to_pylist(),
                                       strict=True)}


def dedup_stats(stats: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in stats["stages"] if s["name"] == "dedup")


# -- evaluation --------------------------------------------------------------------------------


def pair_scores(clusters: dict[str, str], truth: dict[str, str], universe: Iterable[str]) -> dict[str, float]:
    """Pairwise precision/recall/F1: predicted pairs are documents in the same cluster, true
    pairs documents of the same ground-truth group (both as maps id -> label; ids without a
    label are singletons). Counts come from group sizes, so this is linear in documents."""

    def pairs(sizes: Iterable[int]) -> int:
        return sum(k * (k - 1) // 2 for k in sizes)

    ids = list(universe)
    predicted = pairs(Counter(clusters.get(i, f"\0{i}") for i in ids).values())
    true = pairs(Counter(truth.get(i, f"\0{i}") for i in ids).values())
    both = pairs(Counter((clusters.get(i, f"\0{i}"), truth.get(i, f"\0{i}")) for i in ids).values())
    precision = both / predicted if predicted else 1.0
    recall = both / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": both, "predicted": predicted, "true": true, "precision": precision, "recall": recall, "f1": f1}


# -- the synthetic corpus ----------------------------------------------------------------------

DEFAULT_COPIES = "0.03:0.10,0:0.01,0.01:0.02,0.05:0.02,0.10:0.02,0.20:0.02"


def parse_copies(spec: str) -> list[tuple[float, float]]:
    """``rate:share,...``: a share of the corpus is copies with that fraction of words changed."""
    return [(float(rate), float(share)) for rate, share in (item.split(":") for item in spec.split(","))]


def build_corpus(docs: int, files: int, copies: list[tuple[float, float]], seed: int) -> Path:
    """Write (once) ``files`` jsonl files with ``docs`` documents; return their folder.

    Originals: ~2 KB of words drawn from a Zipf-Mandelbrot distribution over 30k made-up
    words, in sentences of 6-24 words (capitalised, full stops). A copy takes a distinct
    original and replaces ``rate`` of its word positions (chosen without replacement) by other
    vocabulary words, keeping the sentence layout. Ids: ``f<n>-o`` for an original,
    ``f<n>-c<rate>`` for its copy; the order of the documents and their files is shuffled.
    """
    import numpy as np

    tag = f"{docs}d-{files}f-s{seed}-" + "_".join(f"{r}x{s}" for r, s in copies)
    out = CACHE / "corpus" / tag
    if (out / "DONE").exists():
        return out
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    letters = np.array(list("etaoinshrdlcumwfgypbvkjxqz"))
    letter_p = np.array([12.7, 9.1, 8.2, 7.5, 7.0, 6.7, 6.3, 6.1, 6.0, 4.3, 4.0, 2.8, 2.8, 2.4, 2.4, 2.2,
                         2.0, 2.0, 1.9, 1.5, 1.0, 0.8, 0.2, 0.2, 0.1, 0.1])
    vocab_set: dict[str, None] = {}
    while len(vocab_set) < 30_000:
        length = int(rng.choice([2, 3, 4, 5, 6, 7, 8, 9, 10, 11], p=[.06, .12, .16, .16, .14, .12, .1, .07, .04, .03]))
        vocab_set["".join(rng.choice(letters, size=length, p=letter_p / letter_p.sum()))] = None
    vocab = list(vocab_set)
    weights = 1.0 / (np.arange(len(vocab)) + 2.7)
    cdf = np.cumsum(weights / weights.sum())

    n_copies = [round(share * docs) for _, share in copies]
    n_originals = docs - sum(n_copies)
    assert n_originals >= sum(n_copies), "copies must not outnumber originals"
    texts: list[tuple[str, str]] = []
    words_of: list[np.ndarray] = []
    sentences_of: list[np.ndarray] = []

    def render(words: np.ndarray, cuts: np.ndarray) -> str:
        tokens = [vocab[w] for w in words.tolist()]
        start = 0
        for end in cuts.tolist():
            tokens[start] = tokens[start].capitalize()
            tokens[end - 1] += "."
            start = end
        return " ".join(tokens)

    for n in range(n_originals):
        count = int(rng.integers(280, 360))  # ~2 KB with this vocabulary
        words = np.searchsorted(cdf, rng.random(count)).clip(0, len(vocab) - 1)
        lengths = rng.integers(6, 25, size=count // 6 + 1)
        cuts = np.cumsum(lengths)
        cuts = np.append(cuts[cuts < count], count)
        words_of.append(words)
        sentences_of.append(cuts)
        texts.append((f"f{n:07d}-o", render(words, cuts)))
    sources = rng.permutation(n_originals)
    taken = 0
    for (rate, _), count in zip(copies, n_copies, strict=True):
        for n in sources[taken : taken + count].tolist():
            words = words_of[n].copy()
            changed = rng.choice(len(words), size=round(rate * len(words)), replace=False)
            for position in changed.tolist():
                new = words[position]
                while new == words[position]:
                    new = int(np.searchsorted(cdf, rng.random()))
                words[position] = min(new, len(vocab) - 1)
            texts.append((f"f{n:07d}-c{rate:g}", render(words, sentences_of[n])))
        taken += count
    order = rng.permutation(len(texts))
    handles = [(out / f"part-{f:03d}.jsonl").open("w") for f in range(files)]
    for i, index in enumerate(order.tolist()):
        doc_id, text = texts[index]
        handles[i % files].write(json.dumps({"id": doc_id, "text": text}) + "\n")
    for handle in handles:
        handle.close()
    (out / "DONE").write_text("ok\n")
    return out


def read_corpus(folder: Path, files: int | None = None) -> list[tuple[str, str]]:
    """(id, text) of the corpus, file by file."""
    docs = []
    for path in sorted(folder.glob("*.jsonl"))[:files]:
        with path.open() as handle:
            docs += [(row["id"], row["text"]) for row in map(json.loads, handle)]
    return docs


def read_ids(folder: Path) -> list[str]:
    """The ids of the corpus, file by file, without keeping the texts."""
    ids = []
    for path in sorted(folder.glob("*.jsonl")):
        with path.open() as handle:
            ids += [json.loads(line)["id"] for line in handle]
    return ids


def family(doc_id: str) -> str:
    return doc_id.split("-", 1)[0]


def planted_recall(clusters: dict[str, str], ids: Iterable[str]) -> dict[str, tuple[int, int]]:
    """Per rate of changed words: (copies found in their original's cluster, copies)."""
    found: dict[str, list[int]] = {}
    for doc_id in ids:
        fam, role = doc_id.split("-", 1)
        if role == "o":
            continue
        original = f"{fam}-o"
        hit = doc_id in clusters and clusters[doc_id] == clusters.get(original)
        counts = found.setdefault(role[1:], [0, 0])
        counts[0] += hit
        counts[1] += 1
    return {rate: (hit, total) for rate, (hit, total) in sorted(found.items(), key=lambda kv: float(kv[0]))}


# -- (a) signature throughput ------------------------------------------------------------------


def signature_bench(docs: list[tuple[str, str]], runs: int, batch: int = 1000) -> dict[str, list[float]]:
    """One core, this process: the stage's signature code against a bare datasketch loop.

    The jobs alternate batch by batch (order rotated every batch), so that the load other
    users put on the shared machine falls on all of them alike; a run's time per job is the
    sum over its batches.
    """
    import re

    import xxhash
    from datasketch import MinHash

    from polycorpus.stages.base import UnitContext
    from polycorpus.stages.dedup.config import DedupConfig
    from polycorpus.stages.dedup.signatures import DedupSignatures, signatures_table
    from polycorpus.stages.schema import document_id, documents_table

    config = DedupConfig(minhash={"preset": "fineweb"})
    params = config.minhash.resolve()
    batches = [documents_table([{"id": document_id(SOURCE, f"id={i}"), "text": t, "source": SOURCE, "kind": "text",
                                 "priority": 0} for i, t in docs[s : s + batch]])
               for s in range(0, len(docs), batch)]
    texts = [[t for _, t in docs[s : s + batch]] for s in range(0, len(docs), batch)]
    word = re.compile(r"\w+")

    def bare(k: int) -> None:
        """Same shingles (lower-cased word 5-grams, distinct, UTF-8), same MinHash, nothing else."""
        sets = []
        for text in texts[k]:
            words = word.findall(text.lower())
            sets.append({" ".join(words[i : i + params.ngram]).encode() for i in range(len(words) - params.ngram + 1)})
        MinHash.bulk(sets, num_perm=params.num_perm, seed=params.seed, hashfunc=xxhash.xxh32_intdigest,
                     scheme="affine32")

    def table(k: int) -> None:
        signatures_table(batches[k], config, params, "u", 0)

    times: dict[str, list[float]] = {"bare MinHash.bulk loop": [], "signatures_table": [], "Measure stage (+Parquet)": []}
    for run in range(runs):
        scratch = Path(tempfile.mkdtemp(prefix="pc-sig-"))
        measure = DedupSignatures(config)
        began = time.perf_counter()
        measure.setup()
        measure.begin_unit(UnitContext(unit="u", run_url=str(scratch), fingerprint="bench"))
        spent = dict.fromkeys(times, 0.0)
        spent["Measure stage (+Parquet)"] = time.perf_counter() - began
        jobs: list[tuple[str, Callable[[int], Any]]] = [("bare MinHash.bulk loop", bare), ("signatures_table", table),
                                                        ("Measure stage (+Parquet)", lambda k, m=measure: m.process(batches[k]))]
        for k in range(len(batches)):
            shift = (run + k) % len(jobs)
            for name, job in jobs[shift:] + jobs[:shift]:
                began = time.perf_counter()
                job(k)
                spent[name] += time.perf_counter() - began
        began = time.perf_counter()
        measure.end_unit()
        spent["Measure stage (+Parquet)"] += time.perf_counter() - began
        shutil.rmtree(scratch)
        for name, seconds in spent.items():
            times[name].append(seconds)
        print(f"  run {run + 1}: " + ", ".join(f"{n} {t:.2f}s" for n, t in spent.items()) + f"  load {load_average()}",
              file=sys.stderr)
    return times


def summary(times: list[float]) -> tuple[float, float]:
    """(median, spread) where spread = (max - min) / median."""
    med = statistics.median(times)
    return med, (max(times) - min(times)) / med if med else 0.0


# -- (d) what the banding can find ------------------------------------------------------------


BANDINGS = [(14, 8), (16, 7), (20, 8)]  # fineweb's, and two that the results below suggest


def expected_recall(folder: Path) -> dict[str, tuple[int, float, list[float]]]:
    """Per rate of changed words: (copies, mean exact Jaccard of the copy and its original
    under polycorpus's word 5-gram shingles, and for each of ``BANDINGS`` the recall LSH
    promises at those similarities: mean of 1 - (1 - J^rows)^bands). A measured recall near
    the promise means nothing is lost in the implementation; what is missed is what the
    bands let through."""
    from polycorpus.stages.dedup.config import MinHashOptions
    from polycorpus.stages.dedup.shingles import shingles

    params = MinHashOptions(preset="fineweb").resolve()
    docs = dict(read_corpus(folder))
    out: dict[str, list[float]] = {}
    for doc_id, text in docs.items():
        fam, role = doc_id.split("-", 1)
        if role == "o":
            continue
        a = set(shingles(text, "text", None, params))
        b = set(shingles(docs[f"{fam}-o"], "text", None, params))
        out.setdefault(role[1:], []).append(len(a & b) / len(a | b))
    return {rate: (len(js), statistics.fmean(js),
                   [statistics.fmean(1 - (1 - j**rows) ** bands for j in js) for bands, rows in BANDINGS])
            for rate, js in sorted(out.items(), key=lambda kv: float(kv[0]))}


# -- (c) memory --------------------------------------------------------------------------------


def _proc_tree(root: int) -> list[int]:
    """``root`` and all its descendants, from /proc (no psutil needed)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def proc_memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes from /proc/PID/smaps_rollup."""
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("Rss", "Pss"):
            values[key] = int(rest.split()[0]) * 1024
    return values["Rss"], values["Pss"]


AGENTS = {"DashboardAgent", "RuntimeEnvAgent"}  # Ray's own per-node agents, not workers


class MemorySampler:
    """Polls RSS and PSS of this process and of every Ray process it started (its descendants).

    PSS (proportional set size) splits shared pages (Ray's object store, shared libraries)
    between the processes that map them, so the per-process figures add up; RSS counts them
    in full in each. Peaks per process, labelled by the Ray task or actor names seen.
    """

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peaks: dict[int, dict[str, Any]] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> MemorySampler:  # noqa: PYI034
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()

    def _loop(self) -> None:
        me = os.getpid()
        while not self.stop.is_set():
            for pid in _proc_tree(me):
                try:
                    rss, pss = proc_memory(pid)
                    title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                except (OSError, KeyError):
                    continue
                words = title.split()
                name = words[0].removeprefix("ray::") if title.startswith("ray::") else None
                kind = "driver" if pid == me else "ray system" if name in AGENTS or not (
                    name or "default_worker" in title) else "worker"
                peak = self.peaks.setdefault(pid, {"rss": 0, "pss": 0, "names": set(), "kind": kind})
                peak["rss"] = max(peak["rss"], rss)
                peak["pss"] = max(peak["pss"], pss)
                if name and name != "IDLE":
                    peak["names"].add(name)
                elif kind == "ray system":  # gcs_server, raylet, python -m ray...log_monitor, ...
                    script = next((w for w in words[1:] if not w.startswith("-")), "") if "python" in words[0] else ""
                    peak["names"].add(Path(script or words[0] if words else "?").name)
            self.stop.wait(self.interval)


def memory_pass(inputs: list[Path], scratch: Path, docs: int) -> dict[str, Any]:
    """One untimed polycorpus run under the sampler; the driver's baseline is taken just before."""
    base_rss, base_pss = proc_memory(os.getpid())
    run = scratch / f"mem-{uuid.uuid4().hex[:8]}"
    with MemorySampler() as sampler:
        stats = run_polycorpus(inputs, run, {"preset": "fineweb"})
    driver = sampler.peaks[os.getpid()]
    signature_bytes = sum(p.stat().st_size for p in (run / "dedup" / "signatures").glob("*.parquet"))
    shutil.rmtree(run)
    return {"docs": docs, "driver_base_rss": base_rss, "driver_base_pss": base_pss, "peaks": sampler.peaks,
            "driver_rss": driver["rss"], "driver_pss": driver["pss"], "stats": stats,
            "signature_bytes": signature_bytes}


# -- main --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=200_000)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--copies", default=DEFAULT_COPIES, help="rate:share,... (default %(default)s)")
    parser.add_argument("--seed", type=int, default=20240607)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per polycorpus setting")
    parser.add_argument("--peer-runs", type=int, default=3,
                        help="timed datatrove runs (11-40 min each on this machine, depending on its load)")
    parser.add_argument("--sig-docs", type=int, default=20_000, help="documents for (a)")
    parser.add_argument("--sig-runs", type=int, default=5, help="runs for (a)")
    parser.add_argument("--custom", default="16x7",
                        help="(b): also time polycorpus with custom BANDSxROWS (word 5-grams); '' for none")
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: a,b,c,d")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    sys.path.insert(0, str(REPO))

    started = time.perf_counter()
    folder = build_corpus(args.docs, args.files, parse_copies(args.copies), args.seed)
    inputs = sorted(folder.glob("*.jsonl"))
    size_mb = sum(p.stat().st_size for p in inputs) / 1e6
    print(f"corpus {folder.name}: {len(inputs)} files, {size_mb:.0f} MB "
          f"({time.perf_counter() - started:.0f}s incl. generation if not cached)", file=sys.stderr)
    print(f"\nmachine: {os.cpu_count()} cores, shared; load average at start: {load_average()}")

    if "a" not in skip:
        docs = read_corpus(folder)[: args.sig_docs]
        print(f"\n(a) signature throughput, one core, {len(docs):,} documents "
              f"({sum(len(t) for _, t in docs) / len(docs) / 1000:.2f} KB avg), fineweb preset "
              "(word 5-grams, 112 permutations, affine32 over xxh32), batches of 1000", file=sys.stderr)
        times = signature_bench(docs, args.sig_runs)
        bare = times["bare MinHash.bulk loop"]
        print(f"\n(a) signature throughput, one core, {len(docs):,} documents, fineweb preset, {args.sig_runs} runs, "
              f"load {load_average()}")
        print(f"{'code':28s} {'median s':>9s} {'spread':>7s} {'docs/s':>8s} {'vs bare (median, range)':>26s}")
        for name, values in times.items():
            med, spread = summary(values)
            ratios = sorted(b / v for b, v in zip(bare, values, strict=True))  # same run, same load
            print(f"{name:28s} {med:9.2f} {spread:6.0%} {len(docs) / med:8.0f} "
                  f"{statistics.median(ratios):12.2f}x ({ratios[0]:.2f}-{ratios[-1]:.2f})")
        print("vs bare: per run, bare time / this time (the jobs of a run share its load); target >= 0.9x")

    if "b" not in skip or "c" not in skip:
        boot = ray_init()
        all_ids = read_ids(folder)
        truth = {doc_id: family(doc_id) for doc_id in all_ids}
        with tempfile.TemporaryDirectory(prefix="pc-bench-dedup-", dir=CACHE) as tmp:
            scratch = Path(tmp)
            if "b" not in skip:
                bench_end_to_end(args, inputs, scratch, all_ids, truth, boot)
            if "c" not in skip:
                bench_memory(inputs, scratch, args.files)

    if "d" not in skip:
        print("\n(d) planted copies: exact Jaccard to their original (word 5-grams) and the recall that LSH "
              "bands x rows promise at those similarities")
        print(f"{'changed':>8s} {'copies':>7s} {'mean J':>7s} " + " ".join(f"{f'{b}x{r}':>7s}" for b, r in BANDINGS))
        for rate, (count, jaccard, promise) in expected_recall(folder).items():
            print(f"{float(rate):8.0%} {count:7d} {jaccard:7.3f} " + " ".join(f"{p:7.1%}" for p in promise))


def polycorpus_settings(custom: str) -> dict[str, dict[str, Any]]:
    """The polycorpus configurations (b) times: fineweb's published banding (datatrove's
    default too, so like for like) and, with the same 112 permutations and so the same
    signature cost, a custom banding whose S-curve sits lower."""
    settings: dict[str, dict[str, Any]] = {"polycorpus fineweb 14x8": {"preset": "fineweb"}}
    if custom:
        bands, rows = map(int, custom.split("x"))
        settings[f"polycorpus {bands}x{rows}"] = {"preset": "custom", "bands": bands, "rows": rows}
    return settings


def bench_end_to_end(args: argparse.Namespace, inputs: list[Path], scratch: Path, all_ids: list[str],
                     truth: dict[str, str], boot: float) -> None:
    python = ensure_datatrove()
    print(f"\n(b) end to end, 2 workers, {len(all_ids):,} documents in {len(inputs)} files; "
          f"peer: {peer_versions(python)}; Ray boot {boot:.1f}s (not timed)", file=sys.stderr)
    settings = polycorpus_settings(args.custom)
    times: dict[str, list[float]] = {name: [] for name in [*settings, "datatrove 14x8"]}
    last: dict[str, Any] = {}

    def polycorpus(name: str) -> float:
        """The run alone is timed (not reading its duplicates table back)."""
        run = scratch / f"pc-{uuid.uuid4().hex[:8]}"
        began = time.perf_counter()
        stats = run_polycorpus(inputs, run, settings[name])
        elapsed = time.perf_counter() - began
        last[name] = (polycorpus_clusters(run, all_ids, inputs), stats["output"]["docs"], stats)
        shutil.rmtree(run)
        return elapsed

    def datatrove() -> float:
        """Its four steps are timed (not the interpreter start nor reading its clusters back)."""
        result = run_datatrove(python, inputs[0].parent, scratch / "datatrove")
        last["datatrove 14x8"] = (result["clusters"], result["kept"], result)
        last.setdefault("dt_steps", []).append(result["seconds"])
        return sum(result["seconds"].values())

    names = list(times)
    for run in range(max(args.runs, args.peer_runs)):
        for name in names[run % len(names):] + names[: run % len(names)]:
            if run >= (args.peer_runs if name.startswith("datatrove") else args.runs):
                continue
            times[name].append(datatrove() if name.startswith("datatrove") else polycorpus(name))
            print(f"  run {run + 1} {name:24s} {times[name][-1]:8.1f}s  load {load_average()}", file=sys.stderr)

    print(f"\n(b) end to end, 2 workers, {len(all_ids):,} documents (~2 KB) in {len(inputs)} jsonl files, "
          f"word 5-grams, 112 permutations; load {load_average()}")
    print(f"{'pipeline':24s} {'runs':>4s} {'median s':>9s} {'spread':>7s} {'docs/s':>8s} {'speed-up':>9s} "
          f"{'kept':>8s} {'recall@3%':>10s} {'precision':>10s} {'F1':>6s}")
    peer = summary(times["datatrove 14x8"])[0] if times["datatrove 14x8"] else None
    recalls = {}
    for name, values in times.items():
        if not values:
            continue
        clusters, kept, _ = last[name]
        med, spread = summary(values)
        scores = pair_scores(clusters, truth, all_ids)
        recalls[name] = planted_recall(clusters, all_ids)
        hit, total = recalls[name].get("0.03", (0, 0))
        speedup = f"{peer / med:8.1f}x" if peer else f"{'-':>9s}"
        print(f"{name:24s} {len(values):4d} {med:9.1f} {spread:6.0%} {len(all_ids) / med:8.0f} {speedup} {kept:8d} "
              f"{hit / max(total, 1):10.1%} {scores['precision']:10.4f} {scores['f1']:6.3f}")
    print("runs: " + "; ".join(f"{name} " + ", ".join(f"{t:.0f}s" for t in values) for name, values in times.items()))
    print("targets: speed-up >= 5x; recall@3% >= 82% (datatrove's figure in the issue) at precision >= 0.99")
    print("recall of planted copies by share of words changed (found = same cluster as the original):")
    print(f"{'changed':>8s} {'copies':>7s} " + " ".join(f"{n:>24s}" for n in recalls))
    for rate, (_, total) in recalls[names[0]].items():
        print(f"{float(rate):8.0%} {total:7d} " + " ".join(f"{recalls[n][rate][0] / total:24.1%}" for n in recalls))
    if last.get("dt_steps"):
        steps = {k: statistics.median(s[k] for s in last["dt_steps"]) for k in last["dt_steps"][0]}
        print("datatrove per step (median s): " + ", ".join(f"{k} {v:.1f}" for k, v in steps.items()))
    stats = last[names[0]][2]
    if stats.get("phases"):
        print(f"polycorpus phases (last fineweb run): {json.dumps(stats['phases'])[:400]}")
    stage = dedup_stats(stats)
    glob = stage.get("global", {})
    print(f"polycorpus global step (last fineweb run): {glob.get('elapsed_s')}s, candidates "
          f"{glob.get('bands_candidates')}, cc rounds {glob.get('cc_rounds')}, partitions {glob.get('partitions')}, "
          f"drops {stage.get('drops')}")


def bench_memory(inputs: list[Path], scratch: Path, files: int) -> None:
    quarter = inputs[: max(1, files // 4)]
    print(f"\n(c) memory, untimed runs under a 0.2 s RSS/PSS sampler; load {load_average()}", file=sys.stderr)
    warm = scratch / "warm-up.jsonl"  # first run in a process imports the pipeline: not a cost of documents
    with inputs[0].open() as source:
        warm.write_text("".join(line for _, line in zip(range(100), source)))
    run_polycorpus([warm], scratch / "warm-up", {"preset": "fineweb"})
    passes = []
    for subset in (quarter, inputs):
        docs = sum(1 for p in subset for _ in p.open())
        passes.append(memory_pass(subset, scratch, docs))
        print(f"  {docs:,} docs done  load {load_average()}", file=sys.stderr)
    mb = 1 / 2**20
    print(f"\n(c) peak memory (MB), fineweb preset, 2 workers; load {load_average()}")
    print(f"{'documents':>10s} {'process':28s} {'peak RSS':>9s} {'peak PSS':>9s}")
    for result in passes:
        print(f"{result['docs']:10,d} {'driver (baseline before run)':28s} {result['driver_base_rss'] * mb:9.0f} "
              f"{result['driver_base_pss'] * mb:9.0f}")
        for pid, peak in sorted(result["peaks"].items(), key=lambda kv: (kv[1]["kind"], kv[0])):
            label = peak["kind"] if peak["kind"] != "worker" else f"worker {pid}"
            names = ",".join(sorted(n for n in peak["names"] if n != "IDLE"))[:70]
            print(f"{'':10s} {label:28s} {peak['rss'] * mb:9.0f} {peak['pss'] * mb:9.0f}  {names}")
    small, full = passes
    extra_docs = full["docs"] - small["docs"]
    for key in ("rss", "pss"):
        grow = [p[f"driver_{key}"] - p[f"driver_base_{key}"] for p in passes]
        print(f"driver growth during the run ({key.upper()}): {grow[0] * mb:.0f} MB at {small['docs']:,} documents, "
              f"{grow[1] * mb:.0f} MB at {full['docs']:,}: {(grow[1] - grow[0]) / extra_docs:+.1f} bytes per extra document")
    top = [max(p["pss"] for p in r["peaks"].values() if p["kind"] == "worker") for r in passes]
    print(f"largest worker peak PSS: {top[0] * mb:.0f} MB at {small['docs']:,} documents, {top[1] * mb:.0f} MB at "
          f"{full['docs']:,}: {(top[1] - top[0]) / extra_docs:+.1f} bytes per extra document "
          "(a worker holds one unit's batch or one shuffle partition of <= 500k rows)")
    glob = dedup_stats(full["stats"]).get("global", {})
    print(f"global step at {full['docs']:,} documents: {glob.get('partitions')} partitions, "
          f"{glob.get('bands_candidates')} band candidates, {glob.get('cc_rounds')} rounds")
    size = sum(p.stat().st_size for p in inputs)
    print(f"per document: {size / full['docs']:.0f} bytes of input jsonl, {full['signature_bytes'] / full['docs']:.0f} "
          "bytes of signatures on disk (zstd Parquet, what the global step shuffles)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--peer"]:
        peer_main(sys.argv[2:])
    else:
        main()
