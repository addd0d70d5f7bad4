"""Dedup accuracy on labelled near-duplicates: polycorpus presets against datatrove's MinHash.

    python bench/dedup_accuracy.py [--presets fineweb,starcoder2,mtnlg,pile]

Data (both real, both labelled by someone else):

- text: ../shared/corpus/text/near-duplicates (chrisjmccormick/MinHash): ``articles_1000.train``
  (``tNNN <text>`` per line) with its plagiarised pairs in ``articles_1000.truth``.
  ``articles_100`` is its first hundred articles and first five pairs, so it adds nothing.
- code: the corpus of ../shared/testdata/build-code-corpus (cached at
  ~/.cache/polycorpus-testdata/code, or $POLYCORPUS_CODE_CORPUS), labelled by its LABELS.tsv
  (file_a, file_b, relation: ``exact`` and ``near`` are duplicates; ``related`` would not be).
  Every UTF-8 file takes part, except the files of repos/underscore that LABELS.tsv does not
  name: its amd/, cjs/ and modules/ trees are the same ~150 modules in three module formats,
  and its bundles and source maps are copies of each other, so they are true near-duplicates
  that the labels do not list and would count against both tools alike.

Evaluation is pairwise: predicted pairs are documents in one cluster, true pairs documents in
one labelled group (labelled pairs closed transitively: six 1.12/1.15/1.16 and its repos copy
are one group of four). The articles are labelled throughout, so every other predicted pair is
a false positive. The code corpus is labelled only for the files LABELS.tsv names: precision
there counts the predicted pairs that touch a labelled file, and the pairs between two
unlabelled files (licence-header boilerplate, test files of one package, ...) are shown apart
as unknown, with how many of them are byte-identical files. The script also prints, per
labelled group, which members each tool put together.

Settings per preset, the same for both tools (from stages/dedup/config.py): fineweb word
5-grams 14 x 8; starcoder2 5-grams 256 permutations at Jaccard 0.7 (25 x 10, the bands
datasketch derives); mtnlg character 24-grams 20 x 13; pile 10 permutations at 0.5 (3 x 3).
datatrove: ``MinhashConfig(n_grams, num_buckets=bands, hashes_per_bucket=rows)``, its own
normalisation (lower case, no punctuation, numbers -> 0) and spaCy's rule-based English word
tokenizer (``spacy.blank("en")``, no model download), characters as tokens for mtnlg; 64-bit
hashes (its default). polycorpus: its own shingles (words for text, code tokens for code),
exact dedup on (its default). Each tool's own way of shingling is part of what is compared.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from dedup import (
    CACHE,
    REPO,
    dedup_stats,
    pair_scores,
    polycorpus_clusters,
    ray_init,
    run_datatrove,
    run_polycorpus,
)
from peer import ensure_datatrove, load_average, peer_versions

SHARED = Path(os.environ.get("POLYCORPUS_SHARED", REPO.parent / "shared"))
ARTICLES = SHARED / "corpus" / "text" / "near-duplicates" / "chrisjmccormick__MinHash" / "articles_1000"
CODE = Path(os.environ.get("POLYCORPUS_CODE_CORPUS", Path.home() / ".cache" / "polycorpus-testdata" / "code"))
PRESETS = ["fineweb", "starcoder2", "mtnlg", "pile"]


@dataclass
class Dataset:
    """Documents (id -> text), the kind polycorpus gets, and labelled groups (id -> group)."""

    name: str
    kind: str
    docs: dict[str, str]
    truth: dict[str, str]
    judged: set[str] | None = None  # documents whose duplicates are all labelled (None: every one)

    def jsonl(self) -> Path:
        """Written once per content under bench/.cache (the folder is what both tools read)."""
        digest = hashlib.sha256(json.dumps(self.docs, sort_keys=True).encode()).hexdigest()[:12]
        folder = CACHE / "accuracy" / f"{self.name}-{digest}"
        if not (folder / "data.jsonl").exists():
            folder.mkdir(parents=True, exist_ok=True)
            with (folder / "data.jsonl.tmp").open("w") as out:
                for doc_id, text in self.docs.items():
                    out.write(json.dumps({"id": doc_id, "text": text}, ensure_ascii=False) + "\n")
            (folder / "data.jsonl.tmp").rename(folder / "data.jsonl")
        return folder


def groups(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Labelled pairs closed transitively: id -> smallest id of its group."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in parent}


def articles() -> Dataset:
    docs = {}
    for line in ARTICLES.with_suffix(".train").read_text(encoding="utf-8").splitlines():
        doc_id, _, text = line.partition(" ")
        if text.strip():
            docs[doc_id] = text
    pairs = [tuple(line.split()) for line in ARTICLES.with_suffix(".truth").read_text().splitlines() if line.strip()]
    return Dataset("articles_1000", "text", docs, groups(pairs))  # type: ignore[arg-type]


def code() -> Dataset:
    labels = [line.split("\t") for line in (CODE / "LABELS.tsv").read_text().splitlines()[1:] if line.strip()]
    pairs = [(a, b) for a, b, relation in labels if relation in ("exact", "near")]
    named = {path for a, b, _ in labels for path in (a, b)}
    docs = {}
    for path in sorted(CODE.rglob("*")):
        rel = path.relative_to(CODE).as_posix()
        if not path.is_file() or rel in ("LABELS.tsv", "SOURCES.tsv") or rel.startswith("."):
            continue
        if rel.startswith("repos/underscore/") and rel not in named:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if text.strip():
            docs[rel] = text
    return Dataset("code", "code", docs, groups(pairs), judged={p for pair in pairs for p in pair})


def preset_settings(preset: str) -> dict[str, object]:
    """The preset as polycorpus resolves it, in datatrove's terms."""
    from polycorpus.stages.dedup.config import MinHashOptions

    params = MinHashOptions(preset=preset).resolve()
    return {"ngrams": params.ngram, "bands": params.bands, "rows": params.rows, "shingle": params.shingle}


def scores(dataset: Dataset, clusters: dict[str, str]) -> dict[str, float]:
    """Pairwise scores; where only some documents are labelled, precision counts only the
    predicted pairs that touch a labelled document (pairs of two unlabelled documents are
    unknown, not wrong: LABELS.tsv says nothing about them)."""
    result = pair_scores(clusters, dataset.truth, dataset.docs)
    if dataset.judged is not None:
        unknown = pair_scores(clusters, {}, [d for d in dataset.docs if d not in dataset.judged])["predicted"]
        result["unknown"] = unknown
        result["predicted"] -= unknown
        p = result["precision"] = result["tp"] / result["predicted"] if result["predicted"] else 1.0
        r = result["recall"]
        result["f1"] = 2 * p * r / (p + r) if p + r else 0.0
    return result


def unknown_pairs(dataset: Dataset, clusters: dict[str, str]) -> tuple[int, int]:
    """(pairs of unlabelled documents in one cluster, how many of them are byte-identical)."""
    if dataset.judged is None:
        return 0, 0
    members: dict[str, list[str]] = {}
    for doc_id, cluster in clusters.items():
        if doc_id not in dataset.judged:
            members.setdefault(cluster, []).append(doc_id)
    count = identical = 0
    for ids in members.values():
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                count += 1
                identical += dataset.docs[a] == dataset.docs[b]
    return count, identical


def labelled_outcome(dataset: Dataset, clusters: dict[str, str]) -> list[str]:
    """Per labelled group: which members the tool put together, and what else joined them."""
    members: dict[str, list[str]] = {}
    for doc_id, group in dataset.truth.items():
        members.setdefault(group, []).append(doc_id)
    lines = []
    for ids in members.values():
        split: dict[str, list[str]] = {}
        for doc_id in sorted(ids):
            split.setdefault(clusters.get(doc_id, doc_id), []).append(doc_id)
        others = sum(1 for d, c in clusters.items() if c in split and d not in ids)
        parts = " | ".join(", ".join(part) for part in split.values())
        lines.append(f"{parts}" + (f"  (+{others} unlabelled in the same cluster)" if others else ""))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--presets", default=",".join(PRESETS))
    parser.add_argument("--show", type=int, default=6, help="unlabelled predicted pairs to list per run")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    presets = args.presets.split(",")

    datasets = []
    if ARTICLES.with_suffix(".train").exists():
        datasets.append(articles())
    else:
        print(f"skipping the articles: {ARTICLES}.train not found", file=sys.stderr)
    if (CODE / "LABELS.tsv").exists():
        datasets.append(code())
    else:
        print(f"skipping code: {CODE}/LABELS.tsv not found (run ../shared/testdata/build-code-corpus)", file=sys.stderr)
    if not datasets:
        raise SystemExit("no labelled data found")
    python = ensure_datatrove()
    boot = ray_init()
    print(f"peer: {peer_versions(python)}; Ray boot {boot:.1f}s; load {load_average()}", file=sys.stderr)

    rows = []
    notes = []
    with tempfile.TemporaryDirectory(prefix="pc-dedup-acc-", dir=CACHE) as tmp:
        scratch = Path(tmp)
        for dataset in datasets:
            folder = dataset.jsonl()
            for preset in presets:
                settings = preset_settings(preset)
                started = time.perf_counter()
                run = scratch / f"{dataset.name}-{preset}"
                stats = run_polycorpus([folder / "data.jsonl"], run, {"preset": preset}, kind=dataset.kind, workers=2)
                pc = polycorpus_clusters(run, dataset.docs, [folder / "data.jsonl"])
                pc_s = time.perf_counter() - started
                dt = run_datatrove(python, folder, scratch / "datatrove", workers=1, **settings)  # type: ignore[arg-type]
                shutil.rmtree(run)
                for tool, clusters in (("polycorpus", pc), ("datatrove", dt["clusters"])):
                    rows.append((dataset.name, preset, tool, scores(dataset, clusters), unknown_pairs(dataset, clusters)))
                    if dataset.judged is not None:
                        notes.append(f"{dataset.name}/{preset}/{tool}: " + "; ".join(labelled_outcome(dataset, clusters)))
                drops = dedup_stats(stats).get("drops", {})
                print(f"  {dataset.name:14s} {preset:10s} polycorpus {pc_s:5.1f}s drops {drops}; "
                      f"datatrove {dt['wall']:5.1f}s  load {load_average()}", file=sys.stderr)

    print(f"\nDedup accuracy, pairwise (predicted = same cluster); load at the end {load_average()}")
    for dataset in datasets:
        true_pairs = pair_scores({}, dataset.truth, dataset.docs)["true"]
        judged = "all documents judged" if dataset.judged is None else \
            f"precision over pairs touching the {len(dataset.judged)} labelled files"
        print(f"\n{dataset.name}: {len(dataset.docs)} documents, {true_pairs} labelled pairs (closed transitively); {judged}")
        print(f"{'preset':11s} {'tool':11s} {'P':>6s} {'R':>6s} {'F1':>6s} {'TP':>4s} {'pred':>5s}"
              + ("  unlabelled pairs (identical)" if dataset.judged is not None else ""))
        for name, preset, tool, score, (unknown, identical) in rows:
            if name == dataset.name:
                extra = f"  {unknown:6d} ({identical})" if dataset.judged is not None else ""
                print(f"{preset:11s} {tool:11s} {score['precision']:6.3f} {score['recall']:6.3f} {score['f1']:6.3f} "
                      f"{score['tp']:4d} {score['predicted']:5d}{extra}")
    print("\nAll datasets, pairs summed (micro average):")
    print(f"{'preset':11s} {'polycorpus P/R/F1':>20s} {'datatrove P/R/F1':>20s}  F1 >= datatrove's")
    for preset in presets:
        cells = {}
        for tool in ("polycorpus", "datatrove"):
            picked = [r[3] for r in rows if r[1] == preset and r[2] == tool]
            tp, pred, true = (sum(s[k] for s in picked) for k in ("tp", "predicted", "true"))
            p, r = (tp / pred if pred else 1.0), (tp / true if true else 1.0)
            cells[tool] = (p, r, 2 * p * r / (p + r) if p + r else 0.0)
        verdict = "yes" if cells["polycorpus"][2] >= cells["datatrove"][2] else "NO"
        print(f"{preset:11s} " + " ".join(f"{'/'.join(f'{x:.3f}' for x in cells[t]):>20s}" for t in cells) + f"  {verdict}")
    if notes:
        print("\nLabelled groups as each tool clustered them (| separates clusters):")
        for note in notes:
            print(f"  {note}")


if __name__ == "__main__":
    main()
