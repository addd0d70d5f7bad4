"""The learned quality filter: `polycorpus quality train` on real text and junk, then the
stage with a threshold and with deterministic Pareto sampling."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from support import REPO, cli

from polycorpus.stages.quality.classifier import SCORE_COLUMN, QualityClassifier, pareto_keep
from polycorpus.stages.quality.config import QualityClassifierConfig


def _corpus() -> tuple[list[str], list[str]]:
    """Good: the sample corpus notes and sentences of its pages; bad: word salad and ads."""
    notes = [json.loads(line)["text"] for line in (REPO / "examples/data/notes.jsonl").read_text().splitlines()]
    sentences = [s.strip() + "." for note in notes if note for s in note.split(".") if len(s.split()) > 4]
    rng = random.Random(0)
    good = [" ".join(rng.sample(sentences, 4)) for _ in range(300)]
    ads = ["Free shipping on all orders!", "Click here to save 70%!", "Hot deal: only $9.99!",
           "Sign up now and never miss a deal!", "Login | Register | Cart | Help", "Best price guaranteed!!!"]
    bad = []
    for _ in range(300):
        words = rng.choice(sentences).split()
        rng.shuffle(words)
        bad.append(" ".join(words) + " " + " ".join(rng.sample(ads, 3)))
    return good, bad


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("classifier")
    good, bad = _corpus()
    (folder / "good.jsonl").write_text("".join(json.dumps({"body": t}) + "\n" for t in good), encoding="utf-8")
    pq.write_table(pa.table({"body": bad}), folder / "bad.parquet")
    args = ["quality", "train", "-p", str(folder / "good.jsonl"), "-n", str(folder / "bad.parquet"),
            "--text-field", "body", "--epoch", "25", "--lr", "0.5"]
    first = cli(*args, "-o", str(folder / "a.bin"))
    assert first.returncode == 0, first.stderr
    assert "trained on" in first.stdout and "validation" in first.stdout
    assert cli(*args, "-o", str(folder / "b.bin")).returncode == 0
    assert (folder / "a.bin").read_bytes() == (folder / "b.bin").read_bytes()  # deterministic
    return folder / "a.bin"


def test_train_refuses_missing_negatives(tmp_path: Path) -> None:
    (tmp_path / "good.jsonl").write_text('{"text": "only good"}\n', encoding="utf-8")
    result = cli("quality", "train", "-p", str(tmp_path / "good.jsonl"), "-n", str(tmp_path / "none.jsonl"),
                 "-o", str(tmp_path / "m.bin"))
    assert result.returncode == 2 and "error:" in result.stderr


def _stage(model: Path, **options: object) -> QualityClassifier:
    stage = QualityClassifier(QualityClassifierConfig(model_path=str(model), **options))
    stage.setup()
    return stage


def _batch(texts: list[str]) -> pa.Table:
    return pa.table({"id": [f"d{i}" for i in range(len(texts))], "text": texts})


def test_threshold_mode_separates_good_from_bad(model: Path) -> None:
    good, bad = _corpus()
    result = _stage(model).process(_batch(good[:50] + bad[:50] + ["", "😀"]))
    scores = result.table.column(SCORE_COLUMN).to_numpy()
    reasons = result.drop_reasons.to_pylist()
    assert scores[:50].mean() > 0.7
    assert scores[50:100].mean() < 0.3
    assert sum(r is None for r in reasons[:50]) >= 45 and sum(r == "below_threshold" for r in reasons[50:100]) >= 45


def test_pareto_sampling_is_deterministic_per_document(model: Path) -> None:
    good, bad = _corpus()
    texts = good[:100] + bad[:100]
    stage = _stage(model, mode="pareto", seed=7)
    whole = stage.process(_batch(texts)).drop_reasons.to_pylist()
    halves = stage.process(_batch(texts).slice(0, 120)).drop_reasons.to_pylist() + \
        stage.process(_batch(texts).slice(120)).drop_reasons.to_pylist()
    assert whole == halves  # independent of batching
    assert sum(r is None for r in whole[:100]) > sum(r is None for r in whole[100:])
    assert set(whole) <= {None, "pareto_sampled_out"}
    assert _stage(model, mode="annotate").process(_batch(texts)).drop_reasons is None


def test_pareto_rule_matches_gpt3_acceptance_rate() -> None:
    # P(pareto(alpha) > 1 - s) = (2 - s) ** -alpha: the draws must follow it.
    ids = [f"doc-{i}" for i in range(20_000)]
    for score in (0.2, 0.9):
        kept = pareto_keep(ids, np.full(len(ids), score), alpha=9.0, seed=0).mean()
        assert abs(kept - (2 - score) ** -9) < 0.01


def test_bad_model_files(tmp_path: Path, model: Path) -> None:
    with pytest.raises(FileNotFoundError):
        _stage(tmp_path / "absent.bin")
    with pytest.raises(ValueError, match="no label"):
        _stage(model, label="good")
