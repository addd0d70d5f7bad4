"""The learned quality filter: a fastText classifier scores each document, then a threshold
or GPT-3's Pareto sampling decides.

GPT-3 (Brown et al. 2020, App. A) and the Pile kept a Common Crawl document when
``np.random.pareto(alpha) > 1 - score`` with alpha = 9: mostly high-scoring documents, plus
a few low-scoring ones so the corpus does not collapse onto the reference style. Here the
random draw comes from a hash of ``(seed, document id)``, so the same document always gets
the same draw: reruns, resumes and any number of workers give identical outputs.

The text is fed to the model the way training fed it (:func:`model_input`): lower-cased,
one line, words split script-aware so that Chinese, Japanese and Thai are tokenised by
character instead of as one giant "word".
"""

from __future__ import annotations

from pathlib import Path

import fasttext
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import xxhash

from polycorpus.stages.base import Stage, StageResult
from polycorpus.stages.columns import set_column
from polycorpus.stages.quality.config import QualityClassifierConfig
from polycorpus.stages.quality.text import WORD

SCORE_COLUMN = "quality_score"
BELOW_THRESHOLD, SAMPLED_OUT = "below_threshold", "pareto_sampled_out"


def model_input(text: str, max_chars: int = 20_000) -> str:
    """One training/prediction line: lower-cased script-aware words joined by spaces."""
    return " ".join(WORD.findall(text[:max_chars].lower()))


def pareto_keep(ids: list[str], scores: np.ndarray, alpha: float, seed: int) -> np.ndarray:
    """GPT-3's rule ``pareto(alpha) > 1 - score`` with a per-document deterministic draw.

    ``numpy.random.pareto`` samples the Lomax distribution, ``(1 - u) ** (-1 / alpha) - 1``
    for a uniform u; u here is the document's 64-bit hash of (seed, id) scaled to [0, 1).
    """
    u = np.array([xxhash.xxh3_64_intdigest(f"{seed}\x00{i}".encode()) for i in ids], dtype=np.float64) / 2.0**64
    draws = (1.0 - u) ** (-1.0 / alpha) - 1.0
    return draws > 1.0 - scores


class QualityClassifier(Stage[QualityClassifierConfig]):
    name = "quality_classifier"
    Config = QualityClassifierConfig
    applies_to = frozenset({"web", "text"})  # prose rules would misjudge source code

    def added_columns(self) -> dict[str, pa.DataType]:
        return {SCORE_COLUMN: pa.float32()}

    def setup(self) -> None:
        path = Path(self.config.model_path)
        if not path.is_file():
            raise FileNotFoundError(f"quality classifier model not found: {path}")
        self.model = fasttext.load_model(str(path))
        self.label = f"__label__{self.config.label}"
        if self.label not in self.model.get_labels():
            raise ValueError(f"{path} has no label {self.config.label!r} (labels: {self.model.get_labels()})")

    def score(self, texts: list[str]) -> np.ndarray:
        """The probability of the good label for each text."""
        labels, probabilities = self.model.predict([model_input(t) for t in texts], k=-1, threshold=0.0)
        return np.array([float(min(p[list(names).index(self.label)], 1.0)) if self.label in names else 0.0
                         for names, p in zip(labels, probabilities, strict=True)], dtype=np.float32)

    def process(self, batch: pa.Table) -> StageResult:
        config = self.config
        scores = self.score(batch.column("text").to_pylist())
        table = set_column(batch, SCORE_COLUMN, pa.array(scores, pa.float32()))
        if config.mode == "annotate":
            return StageResult(table)
        if config.mode == "threshold":
            keep, reason = scores >= config.threshold, BELOW_THRESHOLD
        else:
            keep = pareto_keep(batch.column("id").to_pylist(), scores, config.pareto_alpha, config.seed)
            reason = SAMPLED_OUT
        reasons = pc.if_else(pa.array(keep), pa.scalar(None, pa.string()), reason)
        return StageResult(table, reasons)
