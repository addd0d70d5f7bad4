"""The transformers backend with a tiny randomly initialised Marian model built in the test."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from support import NO_TORCH

pytest.importorskip("transformers")
pytest.importorskip("torch", reason=NO_TORCH)
spm = pytest.importorskip("sentencepiece")

from polycorpus.stages.schema import document_id, documents_table
from polycorpus.stages.translate.backends import TransformersBackend
from polycorpus.stages.translate.config import TranslateConfig
from polycorpus.stages.translate.extract import code_tokens, lex, lexer_for
from polycorpus.stages.translate.stage import TranslateComments

CORPUS = ["Compute the answer to the question.", "Return the value of the thing.",
          "Add two numbers and return the sum."] * 20


@pytest.fixture(scope="module")
def tiny_marian(tmp_path_factory) -> Path:
    """A MarianMT directory: sentencepiece models trained here, random 16-dim weights."""
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    d = tmp_path_factory.mktemp("marian")
    (d / "train.txt").write_text("\n".join(CORPUS))
    for side in ("source", "target"):
        spm.SentencePieceTrainer.train(input=str(d / "train.txt"), model_prefix=str(d / side), vocab_size=60,
                                       model_type="unigram", character_coverage=1.0, bos_id=-1, eos_id=-1,
                                       unk_id=0, pad_id=-1, hard_vocab_limit=False, minloglevel=2)
        shutil.move(d / f"{side}.model", d / f"{side}.spm")
    pieces = spm.SentencePieceProcessor(model_file=str(d / "source.spm"))
    vocab = {"<pad>": 0, "</s>": 1, "<unk>": 2}
    for i in range(pieces.get_piece_size()):
        vocab.setdefault(pieces.id_to_piece(i), len(vocab))
    (d / "vocab.json").write_text(json.dumps(vocab))
    MarianTokenizer(str(d / "source.spm"), str(d / "target.spm"), str(d / "vocab.json")).save_pretrained(d)
    torch.manual_seed(0)
    config = MarianConfig(vocab_size=len(vocab), d_model=16, encoder_layers=1, decoder_layers=1,
                          encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=32,
                          decoder_ffn_dim=32, max_position_embeddings=64, pad_token_id=0, eos_token_id=1,
                          decoder_start_token_id=0, forced_eos_token_id=1)
    MarianMTModel(config).save_pretrained(d)
    return d


def test_batching_and_truncation(tiny_marian: Path) -> None:
    backend = TransformersBackend(str(tiny_marian), batch_size=2, max_length=8, max_new_tokens=6, threads=1)
    texts = ["Compute the answer to the question and return the value of the thing twice.",
             "Return the value.", "Add two", "Compute it."]
    out = backend.translate(texts, "en", "zh-Hans")
    assert len(out) == 4 and all(isinstance(t, str) for t in out)
    assert backend.counters["backend.requests"] == 2  # 4 texts in batches of 2
    assert backend.counters["backend.truncated"] >= 1  # the long one is cut to 8 tokens
    again = TransformersBackend(str(tiny_marian), batch_size=4, max_length=8, max_new_tokens=6, threads=1)
    assert again.translate(texts, "en", "zh-Hans") == out  # greedy, deterministic, batch-independent


def _stage(model: Path, **options) -> TranslateComments:
    config = TranslateConfig(name="translate_comments", backend="transformers", model_path=str(model),
                             transformers={"batch_size": 2, "max_length": 16, "max_new_tokens": 8, "threads": 1},
                             **options)
    config.check()
    stage = TranslateComments(config)
    stage.setup()
    return stage


SOURCE = "def f(x):\n    # Compute the answer to the question.\n    return x  # Return the value of the thing.\n"


def test_stage_gate_and_reinsertion(tiny_marian: Path) -> None:
    batch = documents_table([{"id": document_id("t", "f.py"), "text": SOURCE, "source": "t", "kind": "code",
                              "priority": 0, "path": "f.py", "code_lang": "Python"}])
    strict = _stage(tiny_marian).process(batch)
    # Random weights produce no Chinese: every segment is rejected and the file is not added.
    assert strict.table.num_rows == 1 and strict.counters.get("segments.translated", 0) == 0
    assert sum(v for k, v in strict.counters.items() if k.startswith("segments.rejected.") and
               k.count(".") == 2 and ".lang." not in k and ".code." not in k) == 2
    loose = _stage(tiny_marian, gate={"min_ratio": 0.0, "max_ratio": 100.0, "check_language": False}).process(batch)
    if loose.counters.get("segments.translated"):
        row = loose.table.to_pylist()[-1]
        lexer = lexer_for("Python")
        assert code_tokens(lex(lexer, row["text"])) == code_tokens(lex(lexer, SOURCE))
        assert json.loads(row["meta"])["translation"]["backend"] == "transformers"
