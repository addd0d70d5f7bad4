"""Token shards (Megatron indexed datasets), tokenizer training, loading and sampling."""

from __future__ import annotations

import hashlib
import inspect
import io
import json
import os
import pickle
import shutil
import struct
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from support import NO_MEGATRON

from polycorpus.tokenizer.indexed import (
    HEADER_SIZE,
    INT32_MAX,
    CorruptShardError,
    DocumentTooLongError,
    IndexedDataset,
    IndexedDatasetWriter,
    dtype_for_vocab,
    verify,
)
from polycorpus.tokenizer.load import LoadedTokenizer, load_tokenizer, tokenizer_identity
from polycorpus.tokenizer.train import (
    DEFAULT_SPECIAL_TOKENS,
    balanced_sample,
    save_tokenizer,
    temperature_shares,
    train_tokenizer,
)

# Text that byte-level tokenizers must give back exactly.
HARD_TEXTS = [
    "emoji 👩‍👩‍👧‍👦 family, flag 🇯🇵, skin tone ✌🏽 and 😀",
    "combining marks: e\u0301 a\u0308 n\u0303 \u0915\u093f (Devanagari) \u05e9\u05c1",
    "NUL\x00inside\x00\x00and at the end\x00",
    "RTL: \u202eoverride\u202c עברית שלום مرحبا بالعالم \u200f",
    "def f(x):\n\tif x:\n\t\treturn  x  \n    else:\r\n        pass\t\t# tabs and  spaces\n",
    "literal specials <eod> <pad> <fim_prefix> must stay text",
    "\ufeffBOM, private use \U0010fffd, zero width \u200b\u200d, CJK 中文繁體 日本語 한국어",
    "",
    " ",
    "1234567890 3.14159 1e-9",
]


def stdlib_lines() -> list[str]:
    """A few KB of real English (the standard library's docstrings), everywhere available."""
    import argparse
    import collections
    import textwrap

    lines = []
    for module in (argparse, collections, textwrap, json, inspect):
        lines += [line.strip() for line in inspect.getsource(module).splitlines() if line.strip()]
    return lines


def shared_dir() -> Path:
    """../shared (or $POLYCORPUS_SHARED); tests needing it skip where it is absent."""
    path = Path(os.environ.get("POLYCORPUS_SHARED",
                               Path(__file__).resolve().parents[2] / "shared"))
    if not (path / "corpus" / "text").is_dir():
        pytest.skip(f"shared test corpus not found at {path}/corpus/text (set POLYCORPUS_SHARED)")
    return path


def ud_sentences(shared: Path) -> dict[str, list[str]]:
    """Sentences per language label from the UD treebanks' '# text = ' lines."""
    by_lang = {}
    for conllu in sorted((shared / "corpus" / "text").glob("*/*.conllu")):
        lines = conllu.read_text(encoding="utf-8").splitlines()
        by_lang[conllu.parent.name] = [line[len("# text = "):] for line in lines
                                       if line.startswith("# text = ")]
    return by_lang


def random_documents(dtype: np.dtype, count: int = 200, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    top = int(np.iinfo(dtype).max)
    docs = [rng.integers(0, top, size=int(rng.integers(1, 400)), dtype=np.int64)
            for _ in range(count)]
    docs[1] = np.array([], dtype=np.int64)  # empty documents are representable
    docs[2] = np.array([0, top], dtype=np.int64)  # both ends of the dtype's range
    return docs


def write_shard(prefix: Path, docs: list[np.ndarray], dtype: np.dtype) -> None:
    with IndexedDatasetWriter(prefix, dtype) as writer:
        for doc in docs:
            writer.add_document(doc)


# ---------------------------------------------------------------- indexed dataset format


@pytest.mark.parametrize("vocab_size", [32_000, 65_500, 65_501, 151_000])
def test_dtype_for_vocab_follows_design(vocab_size: int) -> None:
    expected = np.uint16 if vocab_size <= 65_500 else np.int32
    assert dtype_for_vocab(vocab_size) == np.dtype(expected)


@pytest.mark.parametrize("dtype", [np.dtype(np.uint16), np.dtype(np.int32)])
def test_writer_reader_round_trip(tmp_path: Path, dtype: np.dtype) -> None:
    docs = random_documents(dtype)
    prefix = tmp_path / "shard"
    write_shard(prefix, docs, dtype)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shard.bin", "shard.idx"]

    dataset = IndexedDataset(prefix)
    assert len(dataset) == len(docs)
    assert dataset.dtype == dtype
    assert dataset.dtype_code == {np.dtype(np.uint16): 8, np.dtype(np.int32): 4}[dtype]
    assert dataset.num_tokens == sum(d.size for d in docs)
    assert dataset.document_indices.tolist() == list(range(len(docs) + 1))
    assert (prefix.with_suffix(".bin").stat().st_size == dataset.num_tokens * dtype.itemsize)
    for i, doc in enumerate(docs):
        tokens = dataset[i]
        assert tokens.dtype == dtype
        np.testing.assert_array_equal(tokens, doc)
        assert not tokens.flags.owndata and not tokens.flags.writeable  # a view of the map
    np.testing.assert_array_equal(dataset.get(3, offset=2, length=5), docs[3][2:7])
    np.testing.assert_array_equal(dataset.get(3, offset=4), docs[3][4:])
    np.testing.assert_array_equal(dataset[-1], docs[-1])
    with pytest.raises(IndexError):
        dataset.get(3, offset=docs[3].size, length=1)
    assert verify(prefix, vocab_size=int(np.iinfo(dtype).max) + 1) == []


def test_index_layout_is_megatrons(tmp_path: Path) -> None:
    """Byte-level check of the header and arrays, independent of any reader."""
    write_shard(tmp_path / "s", [np.array([5, 6, 7]), np.array([8])], np.dtype(np.uint16))
    raw = (tmp_path / "s.idx").read_bytes()
    assert raw[:9] == b"MMIDIDX\x00\x00"
    assert struct.unpack_from("<QBQQ", raw, 9) == (1, 8, 2, 3)  # version, code, n, docs + 1
    assert np.frombuffer(raw, np.int32, 2, HEADER_SIZE).tolist() == [3, 1]
    assert np.frombuffer(raw, np.int64, 2, HEADER_SIZE + 8).tolist() == [0, 6]
    assert np.frombuffer(raw, np.int64, 3, HEADER_SIZE + 24).tolist() == [0, 1, 2]
    assert len(raw) == HEADER_SIZE + 8 + 16 + 24
    assert (tmp_path / "s.bin").read_bytes() == np.array([5, 6, 7, 8], "<u2").tobytes()


def test_writer_refuses_ids_outside_the_dtype(tmp_path: Path) -> None:
    with IndexedDatasetWriter(tmp_path / "s", np.uint16) as writer:
        with pytest.raises(ValueError, match="do not fit"):
            writer.add_document(np.array([1, 70_000]))
        with pytest.raises(ValueError, match="do not fit"):
            writer.add_document(np.array([-1]))
        with pytest.raises(ValueError, match="integers"):
            writer.add_document(np.array([1.0]))
        writer.add_document([1, 2, 3])
    np.testing.assert_array_equal(IndexedDataset(tmp_path / "s")[0], [1, 2, 3])


def test_writer_refuses_a_document_longer_than_int32(tmp_path: Path) -> None:
    # A broadcast view: 2^31 tokens that occupy no memory.
    huge = np.broadcast_to(np.uint16(7), (INT32_MAX + 1,))
    with IndexedDatasetWriter(tmp_path / "s", np.uint16) as writer:
        with pytest.raises(DocumentTooLongError, match="int32"):
            writer.add_document(huge)
        writer.add_document(np.array([1], np.uint16))
    assert IndexedDataset(tmp_path / "s").num_tokens == 1


def test_failed_write_leaves_no_shard_and_keeps_the_old_one(tmp_path: Path) -> None:
    prefix = tmp_path / "s"
    write_shard(prefix, [np.array([1, 2])], np.dtype(np.uint16))
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with pytest.raises(RuntimeError), IndexedDatasetWriter(prefix, np.uint16) as writer:
        writer.add_document(np.array([3, 4, 5]))
        raise RuntimeError("worker killed")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before

    with pytest.raises(ValueError, match="no tokens"):
        IndexedDatasetWriter(tmp_path / "empty", np.uint16).close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.bin", "s.idx"]


@pytest.mark.parametrize("dtype", [np.dtype(np.uint16), np.dtype(np.int32)])
def test_megatron_core_reads_our_shards(tmp_path: Path, dtype: np.dtype) -> None:
    indexed = pytest.importorskip(
        "megatron.core.datasets.indexed_dataset",
        reason=NO_MEGATRON)
    docs = random_documents(dtype, count=500, seed=1)
    write_shard(tmp_path / "ours", docs, dtype)
    theirs = indexed.IndexedDataset(str(tmp_path / "ours"))
    assert len(theirs) == len(docs)
    assert theirs.index.dtype == dtype.type
    assert theirs.document_indices.tolist() == list(range(len(docs) + 1))
    for i, doc in enumerate(docs):
        np.testing.assert_array_equal(theirs[i], doc)
    np.testing.assert_array_equal(theirs.get(7, offset=3, length=10), docs[7][3:13])


def test_we_read_megatron_cores_own_shards(tmp_path: Path) -> None:
    indexed = pytest.importorskip(
        "megatron.core.datasets.indexed_dataset",
        reason=NO_MEGATRON)
    docs = random_documents(np.dtype(np.int32), count=50, seed=2)
    builder = indexed.IndexedDatasetBuilder(str(tmp_path / "m.bin"), dtype=np.int32)
    for doc in docs:
        builder.add_document(doc, [doc.size])
    builder.finalize(str(tmp_path / "m.idx"))
    assert verify(tmp_path / "m", vocab_size=2**31) == []
    ours = IndexedDataset(tmp_path / "m")
    assert [ours[i].tolist() for i in range(len(ours))] == [d.tolist() for d in docs]


# ---------------------------------------------------------------- verify


@pytest.fixture
def good_shard(tmp_path: Path) -> Path:
    prefix = tmp_path / "good"
    write_shard(prefix, [np.arange(100) % 1000, np.arange(50), np.array([999])],
                np.dtype(np.uint16))
    assert verify(prefix, vocab_size=1000) == []
    return prefix


def _patch(path: Path, offset: int, data: bytes) -> None:
    raw = bytearray(path.read_bytes())
    raw[offset:offset + len(data)] = data
    path.write_bytes(bytes(raw))


def _single_problem(prefix: Path, needle: str, vocab_size: int | None = 1000) -> None:
    problems = verify(prefix, vocab_size=vocab_size)
    assert problems and any(needle in p for p in problems), problems


def test_verify_catches_a_truncated_bin(good_shard: Path) -> None:
    path = good_shard.with_suffix(".bin")
    path.write_bytes(path.read_bytes()[:-7])
    _single_problem(good_shard, "truncated")
    with pytest.raises(CorruptShardError, match="truncated"):
        IndexedDataset(good_shard)


def test_verify_catches_a_flipped_magic(good_shard: Path) -> None:
    _patch(good_shard.with_suffix(".idx"), 0, b"X")
    _single_problem(good_shard, "bad magic")
    with pytest.raises(CorruptShardError, match="bad magic"):
        IndexedDataset(good_shard)


def test_verify_catches_a_wrong_dtype_code(good_shard: Path) -> None:
    idx = good_shard.with_suffix(".idx")
    _patch(idx, 17, bytes([4]))  # int32: the .bin is now half as long as the index implies
    _single_problem(good_shard, "truncated")
    _patch(idx, 17, bytes([42]))
    _single_problem(good_shard, "unknown dtype code 42")
    _patch(idx, 17, bytes([7]))
    _single_problem(good_shard, "cannot hold token ids")


def test_verify_catches_ids_outside_the_vocabulary(good_shard: Path) -> None:
    assert verify(good_shard) == []  # without a vocabulary the ids are not checked
    problems = verify(good_shard, vocab_size=999)
    assert len(problems) == 1 and "1 token ids outside [0, 999)" in problems[0]
    assert "sequence 2" in problems[0]


def test_verify_catches_dtype_too_small_for_vocab(good_shard: Path) -> None:
    _single_problem(good_shard, "cannot hold ids of a 70000-token vocabulary", vocab_size=70_000)


def test_verify_catches_index_damage(good_shard: Path) -> None:
    idx = good_shard.with_suffix(".idx")
    pristine = idx.read_bytes()
    _patch(idx, HEADER_SIZE + 3 * 4 + 8, struct.pack("<q", 12))  # second pointer
    _single_problem(good_shard, "pointers inconsistent")
    idx.write_bytes(pristine)
    _patch(idx, 9, struct.pack("<Q", 2))
    _single_problem(good_shard, "unsupported version 2")
    idx.write_bytes(pristine[:-5])
    _single_problem(good_shard, "truncated")
    idx.write_bytes(pristine[:20])
    _single_problem(good_shard, "truncated header")
    idx.write_bytes(pristine + b"\x00")
    _single_problem(good_shard, "trailing bytes")
    idx.write_bytes(pristine)
    _patch(idx, HEADER_SIZE + 3 * 12, struct.pack("<q", 1))  # document index must start at 0
    _single_problem(good_shard, "document index")


def test_verify_never_raises_on_garbage(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    prefix = tmp_path / "junk"
    assert any("missing" in p for p in verify(prefix))
    for size in (0, 9, 34, 35, 1000):
        prefix.with_suffix(".idx").write_bytes(b"MMIDIDX\x00\x00" + rng.bytes(size))
        prefix.with_suffix(".bin").write_bytes(rng.bytes(size))
        assert verify(prefix, vocab_size=100)  # a list of problems, no exception
    prefix.with_suffix(".bin").write_bytes(b"")
    write_shard(tmp_path / "ok", [np.array([1])], np.dtype(np.uint16))
    shutil.copy(tmp_path / "ok.idx", prefix.with_suffix(".idx"))
    _single_problem(prefix, "empty")


# ---------------------------------------------------------------- training and loading


@pytest.fixture(scope="module")
def multilingual() -> dict[str, list[str]]:
    return ud_sentences(shared_dir())


@pytest.fixture(scope="module")
def bpe_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small byte-level BPE trained on English prose and Python source, saved."""
    tokenizer = train_tokenizer(stdlib_lines()[::2], vocab_size=2000, special_tokens=["<commit>"])
    return save_tokenizer(tokenizer, tmp_path_factory.mktemp("bpe"),
                          {"vocab_size": 2000, "model": "bpe", "sample": "stdlib even lines"})


def test_byte_level_round_trip_on_hard_text(bpe_dir: Path) -> None:
    tokenizer = load_tokenizer(bpe_dir)
    texts = HARD_TEXTS + stdlib_lines()[1::2]
    for text, ids in zip(texts, tokenizer.encode_batch(texts)):
        assert ids.dtype == np.uint16
        assert tokenizer.decode(ids) == text


def test_byte_level_round_trip_on_multilingual_text(
        multilingual: dict[str, list[str]], tmp_path: Path) -> None:
    train = [s for sentences in multilingual.values() for s in sentences[::2]]
    saved = save_tokenizer(train_tokenizer(train, vocab_size=4000), tmp_path, {})
    tokenizer = load_tokenizer(saved)
    texts = [s for sentences in multilingual.values() for s in sentences] + HARD_TEXTS
    for text, ids in zip(texts, tokenizer.encode_batch(texts)):
        assert tokenizer.decode(ids) == text
    assert len(multilingual) >= 20
    # Trained on these languages, it compresses every one of them well below bytes.
    for lang, sentences in multilingual.items():
        tokens = sum(ids.size for ids in tokenizer.encode_batch(sentences[1::2]))
        assert tokens < 0.6 * sum(len(s.encode()) for s in sentences[1::2]), lang


def test_byte_level_round_trip_on_source_code(bpe_dir: Path) -> None:
    root = Path(os.environ.get("POLYCORPUS_TESTDATA",
                               Path.home() / ".cache" / "polycorpus-testdata")) / "code"
    if not (root / ".complete").is_file():
        pytest.skip(f"code corpus not built at {root} (run ../shared/testdata/build-code-corpus)")
    texts = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.stat().st_size < 2_000_000:
            try:
                texts.append(path.read_bytes().decode("utf-8"))
            except UnicodeDecodeError:
                continue
    tokenizer = load_tokenizer(bpe_dir / "tokenizer.json")
    assert len(texts) > 500
    bad = [t[:60] for t, ids in zip(texts, tokenizer.encode_batch(texts))
           if tokenizer.decode(ids) != t]
    assert bad == []


def test_trained_tokenizer_special_tokens_and_metadata(bpe_dir: Path) -> None:
    tokenizer = load_tokenizer(bpe_dir)
    meta = json.loads((bpe_dir / "tokenizer_meta.json").read_text())
    raw = (bpe_dir / "tokenizer.json").read_bytes()
    assert meta["sha256"] == hashlib.sha256(raw).hexdigest() == tokenizer.identity
    assert meta["model"] == "BPE" and meta["vocab_size"] == tokenizer.vocab_size == 2000
    assert meta["training"]["sample"] == "stdlib even lines"
    expected = {token: i for i, token in enumerate([*DEFAULT_SPECIAL_TOKENS, "<commit>"])}
    assert meta["special_tokens"] == expected
    assert (tokenizer.eod_id, tokenizer.pad_id) == (0, 1)
    assert (tokenizer.fim_ids.prefix, tokenizer.fim_ids.middle, tokenizer.fim_ids.suffix) == \
        (2, 3, 4)
    assert tokenizer.name == bpe_dir.name
    # A document cannot inject a boundary by containing the text "<eod>", also after the
    # tokenizer travelled to a worker.
    ids = tokenizer.encode_batch(["a <eod> b"])[0]
    assert tokenizer.eod_id not in ids.tolist()
    shipped = pickle.loads(pickle.dumps(tokenizer))
    assert shipped.encode_batch(["a <eod> b"])[0].tolist() == ids.tolist()
    assert shipped.identity == tokenizer.identity
    assert tokenizer.decode(np.append(ids, tokenizer.eod_id)) == "a <eod> b<eod>"
    # Digits are split one by one.
    assert len(tokenizer.encode_batch(["12345678"])[0]) == 8


def test_loading_disables_truncation_and_padding(bpe_dir: Path, tmp_path: Path) -> None:
    from tokenizers import Tokenizer

    hub_style = Tokenizer.from_file(str(bpe_dir / "tokenizer.json"))
    hub_style.enable_truncation(max_length=8)
    hub_style.enable_padding(length=16, pad_id=1)
    hub_style.save(str(tmp_path / "tokenizer.json"))
    ids = load_tokenizer(tmp_path).encode_batch(["a sentence that is longer than eight tokens"])
    assert ids[0].size > 8 and 1 not in ids[0].tolist()
    # Wrapping a caller's own Tokenizer sets up a copy: the caller's object keeps its settings.
    wrapped = LoadedTokenizer(hub_style, "hub")
    assert wrapped.encode_batch(["a sentence that is longer than eight tokens"])[0].tolist() == ids[0].tolist()
    assert hub_style.truncation is not None and hub_style.padding is not None
    assert not hub_style.encode_special_tokens


def test_identity_ignores_formatting(bpe_dir: Path, tmp_path: Path) -> None:
    pretty = tmp_path / "pretty.json"
    parsed = json.loads((bpe_dir / "tokenizer.json").read_text(encoding="utf-8"))
    pretty.write_text(json.dumps(parsed, indent=2, ensure_ascii=True), encoding="utf-8")
    loaded = load_tokenizer(pretty)
    assert loaded.identity == load_tokenizer(bpe_dir).identity
    assert loaded.name == "pretty"


def test_unigram_training(tmp_path: Path) -> None:
    lines = stdlib_lines()
    tokenizer = train_tokenizer(lines[::2], vocab_size=800, model="unigram",
                                special_tokens=["<sep>"])
    assert tokenizer.get_vocab_size() == 800
    saved = save_tokenizer(tokenizer, tmp_path / "uni", {"model": "unigram"})
    loaded = load_tokenizer(saved)
    assert loaded.identity == tokenizer_identity(tokenizer)
    assert json.loads((saved / "tokenizer_meta.json").read_text())["model"] == "Unigram"
    assert loaded.eod_id == 0 and loaded.tokenizer.token_to_id("<sep>") == 5
    held_out = lines[1::2] + HARD_TEXTS
    encoded = loaded.encode_batch(held_out)
    for text, ids in zip(held_out, encoded):
        assert loaded.decode(ids) == text
    assert sum(map(len, encoded)) < 0.5 * sum(len(t.encode()) for t in held_out)


def test_vocab_too_small_and_unknown_model() -> None:
    with pytest.raises(ValueError, match="byte tokens"):
        train_tokenizer(["abc"], vocab_size=100)
    with pytest.raises(ValueError, match="unknown tokenizer model"):
        train_tokenizer(["abc"], vocab_size=1000, model="wordpiece")  # type: ignore[arg-type]


# ---------------------------------------------------------------- SentencePiece models


@pytest.mark.parametrize("model_type", ["unigram", "bpe"])
@pytest.mark.parametrize("byte_fallback", [False, True])
def test_sentencepiece_model_loads_and_matches_sentencepiece(
        tmp_path: Path, model_type: str, byte_fallback: bool) -> None:
    sentencepiece = pytest.importorskip("sentencepiece")
    lines = stdlib_lines()
    train, held_out = lines[::2], lines[1::2]
    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(train), model_writer=model, vocab_size=800,
        model_type=model_type, byte_fallback=byte_fallback, split_digits=True,
        character_coverage=0.9995, user_defined_symbols=["<tab>"], minloglevel=2)
    path = tmp_path / "spm" / "tokenizer.model"
    path.parent.mkdir()
    path.write_bytes(model.getvalue())

    reference = sentencepiece.SentencePieceProcessor(model_file=str(path))
    loaded = load_tokenizer(path.parent)  # a directory with tokenizer.model
    texts = held_out + ["  leading,  inner   and trailing spaces  ", "x<tab>y <tab> 2024",
                        "Ünïcödé ＡＢＣ ﬁ 😀 中文", "</s> <s> literal", ""]
    ours = [ids.tolist() for ids in loaded.encode_batch(texts)]
    theirs = reference.encode(texts)
    differing = [(a, b) for a, b in zip(ours, theirs) if a != b]
    if model_type == "bpe":
        assert differing == []
    else:
        # Unigram: only exact ties of the Viterbi search may be broken differently (long runs
        # of one character, e.g. "=====...", split as 7+9 or 9+7): same text, same score.
        assert len(differing) <= len(texts) // 100
        for a, b in differing:
            assert reference.decode(a) == reference.decode(b)
            assert sum(map(reference.get_score, a)) == pytest.approx(
                sum(map(reference.get_score, b)), abs=1e-4)
    for ids in theirs:
        assert loaded.decode(ids, skip_special_tokens=True) == reference.decode(ids)
    assert loaded.eod_id == reference.eos_id()
    assert loaded.vocab_size == reference.get_piece_size()
    assert loaded.name == "spm"
    assert load_tokenizer(path).identity == loaded.identity


# ---------------------------------------------------------------- language-balanced sampling


def test_temperature_shares_formula() -> None:
    sizes = {"en": 900.0, "fr": 90.0, "sw": 10.0}
    assert temperature_shares(sizes, 1.0) == pytest.approx({"en": 0.9, "fr": 0.09, "sw": 0.01})
    p = np.array([0.9, 0.09, 0.01])
    q = p ** (1 / 3) / (p ** (1 / 3)).sum()
    assert list(temperature_shares(sizes, 3.0).values()) == pytest.approx(q.tolist())
    with pytest.raises(ValueError):
        temperature_shares(sizes, 0)


@pytest.mark.parametrize("temperature", [1.0, 2.0, 5.0])
def test_balanced_sample_follows_the_temperature_formula(temperature: float) -> None:
    counts = {"en": 2000, "zh-Hans": 400, "Python": 150, "sw": 20}
    docs = [{"text": "x" * (50 + (i * 37) % 100), "lang": lang, "n": i}
            for lang, count in counts.items() for i in range(count)]
    sizes: Counter[str] = Counter()
    for doc in docs:
        sizes[doc["lang"]] += len(doc["text"])
    budget = 60_000
    sample = balanced_sample(docs, key=lambda d: d["lang"], temperature=temperature,
                             budget_chars=budget, seed=7)
    realised: Counter[str] = Counter()
    for doc in sample:
        realised[doc["lang"]] += len(doc["text"])
    expected = temperature_shares(sizes, temperature)
    for lang, share in expected.items():
        # Each group overshoots its target by less than one document (<= 149 characters).
        assert share * budget <= realised[lang] < share * budget + 150, lang
    assert sample == balanced_sample(docs, key=lambda d: d["lang"], temperature=temperature,
                                     budget_chars=budget, seed=7)
    assert sample != balanced_sample(docs, key=lambda d: d["lang"], temperature=temperature,
                                     budget_chars=budget, seed=8)
    assert len({d["lang"] for d in sample[:20]}) > 1  # groups are interleaved, not in runs


def test_balanced_sample_upsamples_a_small_group() -> None:
    docs = [{"text": "a" * 100, "lang": "en"} for _ in range(100)] + \
        [{"text": "b" * 100, "lang": "sw", "n": i} for i in range(2)]
    sample = balanced_sample(docs, key=lambda d: d["lang"], temperature=100.0,
                             budget_chars=4_000, seed=0)
    swahili = [d for d in sample if d["lang"] == "sw"]
    assert len(swahili) >= 19 and Counter(d["n"] for d in swahili).keys() == {0, 1}
