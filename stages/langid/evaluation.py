"""Measuring language-ID accuracy on labelled sentences (the UD treebanks in ../shared).

Used by ``bench/langid.py`` (which prints the table) and by the tests (which hold the stage
to the accuracy the project promises). The labelled corpus is a folder per language label,
each with CoNLL-U files whose ``# text = `` lines are the sentences.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from polycorpus.stages.langid.stage import LangId


@dataclass(frozen=True)
class Sample:
    label: str
    text: str


def load_sentences(root: Path) -> list[Sample]:
    """Every ``# text = `` sentence under ``root/<label>/*.conllu``, in file order."""
    samples = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for path in sorted(folder.glob("*.conllu")):
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.startswith("# text = "):
                    samples.append(Sample(folder.name, line[len("# text = "):]))
    return samples


def documents(samples: list[Sample], size: int = 10) -> list[Sample]:
    """Documents of ``size`` consecutive sentences of one language (the remainder is left out)."""
    by_label: dict[str, list[str]] = defaultdict(list)
    for sample in samples:
        by_label[sample.label].append(sample.text)
    return [Sample(label, " ".join(texts[i:i + size]))
            for label, texts in by_label.items() for i in range(0, len(texts) - size + 1, size)]


def merge_chinese(label: str | None) -> str:
    return "zh" if label and label.startswith("zh") else (label or "none")


@dataclass
class Report:
    """Per-label precision/recall/F1 over the gold labels, and the macro average."""

    rows: dict[str, tuple[int, float, float, float]]  # label -> (support, precision, recall, f1)
    confusions: list[tuple[tuple[str, str], int]]

    @property
    def macro_f1(self) -> float:
        return sum(row[3] for row in self.rows.values()) / len(self.rows)

    def table(self) -> str:
        lines = [f"{'lang':<8} {'n':>5} {'precision':>9} {'recall':>7} {'F1':>6}"]
        for label, (n, precision, recall, f1) in sorted(self.rows.items()):
            lines.append(f"{label:<8} {n:>5} {precision:>9.3f} {recall:>7.3f} {f1:>6.3f}")
        lines.append(f"{'macro':<8} {sum(r[0] for r in self.rows.values()):>5} {'':>9} {'':>7} {self.macro_f1:>6.3f}")
        return "\n".join(lines)


def score(gold: list[str], predicted: list[str]) -> Report:
    """Per-gold-label scores; predictions outside the gold labels count as misses only."""
    pairs = Counter(zip(gold, predicted, strict=True))
    rows = {}
    for label in sorted(set(gold)):
        tp = pairs[(label, label)]
        support = sum(n for (g, _), n in pairs.items() if g == label)
        claimed = sum(n for (_, p), n in pairs.items() if p == label)
        precision = tp / claimed if claimed else 0.0
        recall = tp / support
        f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
        rows[label] = (support, precision, recall, f1)
    confusions = Counter({pair: n for pair, n in pairs.items() if pair[0] != pair[1]}).most_common(8)
    return Report(rows, confusions)


def predict(stage: LangId, samples: list[Sample], batch_size: int = 1000) -> list[str | None]:
    """The stage's ``lang`` for each sample, through ``process`` as the pipeline runs it."""
    out: list[str | None] = []
    for start in range(0, len(samples), batch_size):
        texts = [s.text for s in samples[start:start + batch_size]]
        batch = pa.table({"text": texts, "lang": pa.nulls(len(texts), pa.string()),
                          "lang_score": pa.nulls(len(texts), pa.float32())})
        out.extend(stage.process(batch).table.column("lang").to_pylist())
    return out


@dataclass
class Accuracy:
    sentences: Report  # Chinese merged
    documents: Report  # 10 consecutive sentences, Chinese merged
    chinese_script: float  # zh-Hans vs zh-Hant accuracy on the Chinese sentences
    chinese_n: int


def evaluate(stage: LangId, root: Path) -> Accuracy:
    samples = load_sentences(root)
    labels = predict(stage, samples)
    docs = documents(samples)
    doc_labels = predict(stage, docs)
    chinese = [(s.label, p) for s, p in zip(samples, labels, strict=True) if s.label.startswith("zh")]
    return Accuracy(
        sentences=score([merge_chinese(s.label) for s in samples], [merge_chinese(p) for p in labels]),
        documents=score([merge_chinese(s.label) for s in docs], [merge_chinese(p) for p in doc_labels]),
        chinese_script=sum(g == p for g, p in chinese) / len(chinese),
        chinese_n=len(chinese),
    )
