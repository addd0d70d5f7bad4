"""Loading a fastText language-ID model and predicting many texts in one call.

The default model is fastText's ``lid.176.ftz`` (176 languages, 938 KB, CC BY-SA 3.0),
shipped inside the package so nothing is downloaded at run time. Any other fastText LID
model works the same way (``lid.176.bin``, GlotLID, OpenLID): their labels are turned into
the pipeline's language codes by stripping ``__label__`` and an optional ``label_map``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import fasttext
import numpy as np

DEFAULT_MODEL = Path(__file__).parent / "models" / "lid.176.ftz"
_PREFIX = "__label__"

# fastText prints a deprecation warning on every load_model; it is noise in worker logs.
fasttext.FastText.eprint = lambda *args, **kwargs: None


@dataclass(frozen=True)
class Predictions:
    """Top-k labels and scores for n texts: ``labels[i]`` has k entries, ``scores`` is (n, k)."""

    labels: list[list[str]]
    scores: np.ndarray


class LidModel:
    """A loaded fastText classifier with label clean-up; one per worker (loaded in setup)."""

    def __init__(self, path: str | Path | None = None, label_map: Mapping[str, str] | None = None) -> None:
        self.path = Path(path) if path else DEFAULT_MODEL
        if not self.path.is_file():
            raise FileNotFoundError(f"language-ID model not found: {self.path}")
        self.model = fasttext.load_model(str(self.path))
        label_map = dict(label_map or {})
        self.names = {label: label_map.get(label.removeprefix(_PREFIX), label.removeprefix(_PREFIX))
                      for label in self.model.get_labels()}

    def predict(self, texts: list[str], k: int) -> Predictions:
        """Predict one-line texts (no newlines) in one native call; k >= 1 labels each."""
        if not texts:
            return Predictions([], np.zeros((0, k), dtype=np.float32))
        raw_labels, raw_scores = self.model.predict(texts, k=k, threshold=0.0)
        names = self.names
        labels = [[names[label] for label in row] for row in raw_labels]
        if all(len(row) == k for row in raw_scores):
            scores = np.vstack(raw_scores).astype(np.float32)
        else:  # fastText leaves out labels of probability 0
            scores = np.zeros((len(texts), k), dtype=np.float32)
            for i, row in enumerate(raw_scores):
                scores[i, : len(row)] = row
        return Predictions(labels, np.minimum(scores, 1.0))
