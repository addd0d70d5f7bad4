"""Training the learned quality filter from good and bad example documents.

Positives are text you want more of (the GPT-3 recipe used WebText, Wikipedia and books;
Yuan 1.0 used curated Chinese text), negatives are raw crawl. Inputs are jsonl (optionally
gzip/zstd-compressed, via fsspec) or parquet files with a text field. Training is
deterministic: one thread, a fixed seed, and a validation split chosen by a hash of each
text, so the same inputs give the same model.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import fasttext
import fsspec
import pyarrow.parquet as pq
import xxhash

from polycorpus.stages.quality.classifier import model_input

GOOD, BAD = "hq", "lq"


@dataclass(frozen=True)
class TrainOptions:
    epoch: int = 5
    lr: float = 0.1
    dim: int = 64
    word_ngrams: int = 2
    min_count: int = 1
    bucket: int = 200_000
    seed: int = 0
    valid_fraction: float = 0.1
    quantize: bool = False  # a .ftz-sized model (slightly less accurate)


@dataclass(frozen=True)
class TrainReport:
    train: dict[str, int]  # label -> examples
    valid: dict[str, int]
    precision: float  # of the good label, on the validation split
    recall: float
    accuracy: float
    output: str


def read_texts(path: str, text_field: str = "text") -> Iterator[str]:
    """The texts of a jsonl or parquet file (rows without a string text are skipped)."""
    if path.endswith(".parquet"):
        for batch in pq.ParquetFile(path).iter_batches(columns=[text_field]):
            yield from (t for t in batch.column(0).to_pylist() if isinstance(t, str) and t.strip())
        return
    with fsspec.open(path, "rt", encoding="utf-8", compression="infer") as handle:
        for line in handle:
            if line.strip():
                text = json.loads(line).get(text_field)
                if isinstance(text, str) and text.strip():
                    yield text


def _is_valid(text: str, fraction: float, seed: int) -> bool:
    return xxhash.xxh3_64_intdigest(f"{seed}\x00{text}".encode("utf-8", "surrogatepass")) % 10_000 < fraction * 10_000


def train(positive: list[str], negative: list[str], output: str | Path, text_field: str = "text",
          options: TrainOptions = TrainOptions()) -> TrainReport:
    """Train and save a fastText classifier with labels ``hq`` (positive) and ``lq``."""
    counts = {"train": {GOOD: 0, BAD: 0}, "valid": {GOOD: 0, BAD: 0}}
    with tempfile.TemporaryDirectory() as tmp:
        files = {split: (Path(tmp) / f"{split}.txt").open("w", encoding="utf-8") for split in counts}
        for label, paths in ((GOOD, positive), (BAD, negative)):
            for path in paths:
                for text in read_texts(path, text_field):
                    split = "valid" if _is_valid(text, options.valid_fraction, options.seed) else "train"
                    files[split].write(f"__label__{label} {model_input(text)}\n")
                    counts[split][label] += 1
        for handle in files.values():
            handle.close()
        missing = [label for label in (GOOD, BAD) if counts["train"][label] == 0]
        if missing:
            raise ValueError(f"no training examples for {', '.join(missing)}: give both positive and negative files")
        model = fasttext.train_supervised(
            input=str(Path(tmp) / "train.txt"), epoch=options.epoch, lr=options.lr, dim=options.dim,
            wordNgrams=options.word_ngrams, minCount=options.min_count, bucket=options.bucket,
            seed=options.seed, thread=1, verbose=0,
        )
        if options.quantize:
            model.quantize(input=str(Path(tmp) / "train.txt"), retrain=False)
        precision = recall = accuracy = float("nan")
        if sum(counts["valid"].values()):
            precision, recall, accuracy = _validate(model, Path(tmp) / "valid.txt")
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    model.save_model(str(output))
    return TrainReport(counts["train"], counts["valid"], precision, recall, accuracy, str(output))


def _validate(model: fasttext.FastText._FastText, path: Path) -> tuple[float, float, float]:
    gold, lines = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        label, _, text = line.partition(" ")
        gold.append(label == f"__label__{GOOD}")
        lines.append(text)
    predicted = [labels[0] == f"__label__{GOOD}" for labels in model.predict(lines, k=1)[0]]
    tp = sum(g and p for g, p in zip(gold, predicted, strict=True))
    claimed, actual = sum(predicted), sum(gold)
    correct = sum(g == p for g, p in zip(gold, predicted, strict=True))
    return (tp / claimed if claimed else 0.0, tp / actual if actual else 0.0, correct / len(gold))
