"""``polycorpus tokenizer train | compare`` on real files, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from support import REPO, cli

from polycorpus.tokenizer.corpus import split_of
from polycorpus.tokenizer.load import load_tokenizer


def _corpus(path: Path) -> Path:
    notes = [json.loads(line) for line in (REPO / "examples" / "data" / "notes.jsonl").read_text().splitlines()]
    sources = sorted((REPO / "examples" / "data" / "code").rglob("*.py"))
    code = [{"text": f"{p.read_text()}\n# revision {k}\n", "code_lang": "Python"} for p in sources for k in range(10)]
    rows = [{"text": f"{n['text']} ({k})", "lang": "xx" if i % 2 else "yy"}
            for i, n in enumerate(notes) if n["text"] for k in range(4)] + code
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    return path


def test_train_then_compare(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus.jsonl")
    for name, vocab, model in (("small", "400", "bpe"), ("large", "900", "bpe")):
        result = cli("tokenizer", "train", str(corpus), "--out", str(tmp_path / name), "--vocab-size", vocab,
                     "--model", model, "--budget-mb", "0.2", "--special-token", "<repo_name>")
        assert result.returncode == 0, result.stderr
    meta = json.loads((tmp_path / "large" / "tokenizer_meta.json").read_text())
    assert meta["vocab_size"] == 900 and set(meta["training"]["sample_chars_by_group"]) == {"xx", "yy", "Python"}
    assert {"<eod>", "<pad>", "<fim_prefix>", "<fim_middle>", "<fim_suffix>", "<repo_name>"} <= set(meta["special_tokens"])
    assert load_tokenizer(tmp_path / "large").identity == meta["sha256"]
    result = cli("tokenizer", "compare", str(tmp_path / "small"), str(tmp_path / "large"), "--sample", str(corpus))
    assert result.returncode == 0, result.stderr
    lines = {line.split("│")[1].strip(): line for line in result.stdout.splitlines() if line.count("│") > 4}
    assert {"xx", "yy", "Python", "all"} <= set(lines)
    small, large = (float(lines["all"].split("│")[i]) for i in (3, 5))
    assert large < small  # a larger vocabulary needs fewer tokens per character


def test_heldout_split_is_stable_and_about_one_in_ten() -> None:
    texts = [f"document number {i}" for i in range(5000)]
    held = sum(split_of(t) == "heldout" for t in texts)
    assert 400 < held < 600
    assert [split_of(t) for t in texts[:50]] == [split_of(t) for t in texts[:50]]


def test_bad_sources_exit_2(tmp_path: Path) -> None:
    result = cli("tokenizer", "train", str(tmp_path / "nothing.jsonl"), "--out", str(tmp_path / "t"))
    assert result.returncode == 2 and "nothing.jsonl" in result.stderr
