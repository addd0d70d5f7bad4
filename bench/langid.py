"""Language ID and quality rules: throughput against a bare fastText loop, and accuracy.

    python bench/langid.py [--runs 5] [--docs 4000] [--web]

In one invocation, on the same ~1 KB documents (consecutive UD sentences of one language,
22 languages, from ../shared/corpus/text):

* the ``langid`` stage's documents/s on one core (``process`` over 500-document batches, as
  a worker runs it: text preparation, prediction, Chinese script, top-k, thresholds) against
  a bare loop calling ``model.predict(text, k=k)`` on each text with the same model, for the
  default top_k=3 (target: >= 0.9x) and for top_k=1 (the bare ``predict``'s default);
* the rule set's MB/s on one core: the ``quality`` stage with every family at its defaults
  (Gopher quality and repetition, C4, FineWeb, Chinese web rules) and the ``pii`` stage;
* the per-language accuracy table of the default stage: sentences, 10-sentence documents,
  and Simplified vs Traditional Chinese.

With ``--web`` the throughput part runs on web pages instead: the texts polycorpus's default
extractor makes of the 10 MB benchmark crawl (bench/web_corpus.py: pages in 22 languages,
median ~2.5 KB, with newlines, listings, code and spam), which is what the stage meets in the
web recipe (bench/e2e_web.py); the bare loop then predicts on ``text.replace("\n", " ")``, as
fastText requires and datatrove does (both cut texts at the stage's ``max_chars``, 10,000).

The contenders alternate batch by batch, so both see the same load; medians are reported with the spread of the runs
(the machine is shared and noisy: compare ratios, not absolute figures).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

import pyarrow as pa
from web_corpus import build as build_corpus
from web_corpus import extracted_texts

from polycorpus.stages.config import PiiConfig
from polycorpus.stages.langid.config import LangIdConfig
from polycorpus.stages.langid.evaluation import Sample, evaluate, load_sentences
from polycorpus.stages.langid.stage import LangId
from polycorpus.stages.pii import Pii
from polycorpus.stages.quality.config import QualityConfig
from polycorpus.stages.quality.stage import Quality

TEXT = REPO.parent / "shared" / "corpus" / "text"
BATCH = 500
#: The stage predicts on each text's first ``max_chars`` characters; the bare loop too.
CHARS = LangIdConfig().max_chars


def kilobyte_documents(samples: list[Sample], count: int) -> list[str]:
    """Documents of consecutive sentences of one language, cut at >= 1000 UTF-8 bytes,
    taken round-robin over the languages so every batch is mixed."""
    by_label: dict[str, list[str]] = {}
    current: dict[str, list[str]] = {}
    for sample in samples:
        parts = current.setdefault(sample.label, [])
        parts.append(sample.text)
        if len(" ".join(parts).encode()) >= 1000:
            by_label.setdefault(sample.label, []).append(" ".join(parts))
            current[sample.label] = []
    docs: list[str] = []
    queues = [iter(texts) for texts in by_label.values()]
    while len(docs) < count and queues:
        for queue in list(queues):
            doc = next(queue, None)
            if doc is None:
                queues.remove(queue)
            else:
                docs.append(doc)
    return docs[:count]


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def spread(values: list[float]) -> str:
    return f"median {statistics.median(values):,.0f}  (runs {min(values):,.0f} .. {max(values):,.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--docs", type=int, default=4000)
    parser.add_argument("--web", action="store_true", help="time on the benchmark crawl's extracted pages")
    args = parser.parse_args()
    if not TEXT.is_dir():
        raise SystemExit(f"{TEXT} not found: the shared corpus is needed")

    if args.web:
        docs = [text for _url, text in extracted_texts(build_corpus(10, 4), "resiliparse")][:args.docs]
    else:
        docs = kilobyte_documents(load_sentences(TEXT), args.docs)
    megabytes = sum(len(d.encode()) for d in docs) / 1e6
    print(f"{len(docs):,} documents, {megabytes:.2f} MB, mean {megabytes * 1e6 / len(docs):,.0f} bytes\n")

    stages = {k: LangId(LangIdConfig(top_k=k)) for k in (1, 3)}  # 3 is the default
    for stage in stages.values():
        stage.setup()
    model = stages[1].model.model  # the same fastText model file, loaded the same way
    batches = [pa.table({"text": docs[i:i + BATCH], "lang": pa.nulls(len(docs[i:i + BATCH]), pa.string()),
                         "lang_score": pa.nulls(len(docs[i:i + BATCH]), pa.float32())})
               for i in range(0, len(docs), BATCH)]
    # lid.176 is a hierarchical-softmax model: its top-3 costs ~25% more than its top-1, so
    # each stage setting is compared with a bare loop asking for as many labels.
    contenders: dict[str, Callable[[pa.Table], object]] = {
        "bare k=1": lambda batch: [model.predict(text[:CHARS].replace("\n", " ")) for text in batch.column("text").to_pylist()],
        "stage top_k=1": stages[1].process,
        "bare k=3": lambda batch: [model.predict(text[:CHARS].replace("\n", " "), k=3)
                                   for text in batch.column("text").to_pylist()],
        "stage top_k=3": stages[3].process,
    }

    labelled = [stages[3].process(batch).table for batch in batches]
    quality = Quality(QualityConfig())
    quality.setup()
    pii = Pii(PiiConfig())

    rates: dict[str, list[float]] = {name: [] for name in contenders}
    ratios: dict[int, list[float]] = {1: [], 3: []}
    quality_rates, pii_rates = [], []
    for run in range(args.runs):
        # Batch by batch, alternating the order: all contenders see the same load.
        seconds = dict.fromkeys(contenders, 0.0)
        for i, batch in enumerate(batches):
            names = list(contenders) if (run + i) % 2 == 0 else list(reversed(contenders))
            for name in names:
                seconds[name] += timed(lambda name=name, batch=batch: contenders[name](batch))
        for name, total in seconds.items():
            rates[name].append(len(docs) / total)
        for k, values in ratios.items():
            values.append(seconds[f"bare k={k}"] / seconds[f"stage top_k={k}"])
        quality_rates.append(megabytes / timed(lambda: [quality.process(t) for t in labelled]))
        pii_rates.append(megabytes / timed(lambda: [pii.process(t) for t in labelled]))

    print("langid, one core (documents/s)")
    for name, values in rates.items():
        print(f"  {name:<24}  {spread(values)}")
    for k, values in ratios.items():
        target = "; target >= 0.9x" if k == 3 else ""
        print(f"  stage / bare, k={k}         median {statistics.median(values):.2f}x  "
              f"(runs {min(values):.2f} .. {max(values):.2f}{target})")
    print()
    print("rule set, one core (MB/s of text)")
    print(f"  quality (all families)    median {statistics.median(quality_rates):.2f}  "
          f"(runs {min(quality_rates):.2f} .. {max(quality_rates):.2f})")
    print(f"  pii                       median {statistics.median(pii_rates):.2f}  "
          f"(runs {min(pii_rates):.2f} .. {max(pii_rates):.2f})\n")

    accuracy = evaluate(_annotating_stage(), TEXT)
    print(f"accuracy on {TEXT} (Chinese merged; the default stage, labels only)\n")
    print("sentences")
    print(accuracy.sentences.table())
    print("most frequent confusions:", ", ".join(f"{g}->{p} {n}" for (g, p), n in accuracy.sentences.confusions))
    print(f"\n10-sentence documents: macro-F1 {accuracy.documents.macro_f1:.4f} "
          f"({sum(r[0] for r in accuracy.documents.rows.values()):,} documents; target >= 0.99)")
    print(f"sentences: macro-F1 {accuracy.sentences.macro_f1:.4f} (target >= 0.975)")
    print(f"zh-Hans vs zh-Hant: accuracy {accuracy.chinese_script:.4f} on {accuracy.chinese_n:,} Chinese sentences "
          f"(target >= 0.99)")


def _annotating_stage() -> LangId:
    stage = LangId(LangIdConfig(mode="annotate"))
    stage.setup()
    return stage


if __name__ == "__main__":
    main()
