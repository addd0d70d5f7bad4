"""Streaming loader (numpy side): order, exact mixture, sample formats, FIM and safety."""

from __future__ import annotations

import json
import random
import shutil
from collections import Counter
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from loader_support import example_tokenizer, make_set, set_tokens

from polycorpus.tokenizer.indexed import IndexedDataset
from polycorpus.tokenizer.load import LoadedTokenizer
from polycorpus.tokenizer.loader import ShardChecksumError, TokenStream
from polycorpus.tokenizer.loader.interleave import MAX_PERIOD, Interleave
from polycorpus.tokenizer.loader.permutation import FeistelPermutation
from polycorpus.tokenizer.manifest import MANIFEST
from polycorpus.tokenizer.shardwrite import ShardDocuments, write_shard_set

EOD = 0  # <eod> of the example tokenizer; <pad> is 1, FIM prefix/middle/suffix are 2/3/4


@pytest.fixture(scope="module")
def sets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("sets")
    return {
        # Small shards, so packed windows often straddle a shard boundary.
        "web": make_set(root / "web", {"w0": ("web", "web", 40), "w1": ("web", "web", 7),
                                       "w2": ("web", "web", 60)}, seed=1),
        "code": make_set(root / "code", {"c0": ("code", "code", 70)}, seed=2),
        "mixed": make_set(root / "mixed", {"m0": ("web", "web", 30), "m1": ("code", "code", 30)},
                          seed=3),
    }


def stream(sources, tmp_path: Path, **options) -> TokenStream:
    options.setdefault("seq_len", 16)
    options.setdefault("batch_size", 4)
    return TokenStream(sources, cache_dir=tmp_path / "cache", **options)


def all_refs(s: TokenStream, steps: range) -> list[tuple[int, int, int]]:
    """(set, pass, window) of every sample of ``steps`` over all ranks, in stream order."""
    refs = []
    for step in steps:
        for rank in range(s.world_size):
            s.rank = rank
            where = s.locate(step)
            refs += list(zip(where["set"].tolist(), where["pass"].tolist(), where["window"].tolist()))
    s.rank = 0
    return refs


# -- building blocks ----------------------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 2, 3, 17, 1000, 65537])
def test_feistel_is_a_keyed_bijection(n: int) -> None:
    first = FeistelPermutation(n, key=1)(np.arange(n))
    assert sorted(first.tolist()) == list(range(n))
    if n > 16:
        assert not np.array_equal(first, FeistelPermutation(n, key=2)(np.arange(n)))
        assert not np.array_equal(first, np.arange(n))
    assert np.array_equal(FeistelPermutation(n, key=1)(np.arange(n)[::-1]), first[::-1])


WEIGHT_CASES = [
    [0.5, 0.5], [0.3, 0.7], [0.5, 0.3, 0.2], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    [0.4, 0.15, 0.15, 0.15, 0.15], [0.9] + [0.01] * 10, [Fraction(1, 3), Fraction(2, 3)],
    [random.Random(44).randint(1, 1000) for _ in range(44)],
]


@pytest.mark.parametrize("weights", WEIGHT_CASES)
def test_interleave_is_within_one_sample_at_every_prefix(weights: list) -> None:
    mix = Interleave(weights)
    total = sum(Fraction(w) if not isinstance(w, float) else Fraction(repr(w)) for w in weights)
    targets = [float((Fraction(w) if not isinstance(w, float) else Fraction(repr(w))) / total)
               for w in weights]
    positions = np.arange(min(3 * mix.period, 200_000))
    sources, ranks = mix.locate(positions)
    counts = np.zeros((positions.size + 1, len(weights)), dtype=np.int64)
    counts[1:] = np.cumsum(np.eye(len(weights), dtype=np.int64)[sources], axis=0)
    deviation = np.abs(counts - np.outer(np.arange(positions.size + 1), targets))
    assert deviation.max() < 1.0
    # The rank of each sample within its source is the count before it: O(1) seek agrees
    # with counting from the start.
    assert np.array_equal(ranks, counts[np.arange(positions.size), sources])
    assert np.array_equal(mix.counts_before(12345), np.bincount(mix.locate(np.arange(12345))[0],
                                                                minlength=len(weights)))


def test_interleave_weights_are_exact_decimals_or_finely_rounded() -> None:
    assert Interleave([0.1, 0.2, 0.7]).period == 10
    assert Interleave([1 / 3, 2 / 3]).period == 3  # the decimals' ratio is exactly 1:2
    fine = Interleave([1 / 3, 0.5])  # a 10**16 denominator: rounded to multiples of 2**-20
    assert fine.period == MAX_PERIOD and abs(float(fine.fractions[0]) - 0.4) < 1e-6
    with pytest.raises(ValueError, match="positive"):
        Interleave([1.0, 0.0])
    with pytest.raises(ValueError, match="cannot be realised"):
        Interleave([1.0, 1e-9])


# -- order --------------------------------------------------------------------------------------

@pytest.mark.parametrize("world_size", [1, 2, 4])
def test_every_window_exactly_once_per_epoch_and_reshuffled(sets, tmp_path, world_size) -> None:
    s = stream(sets["web"], tmp_path, batch_size=8 // world_size, world_size=world_size,
               samples_per_epoch=None)
    n = s.sets[0].num_windows
    epoch0 = all_refs(s, range(s.steps_per_epoch))
    epoch1 = all_refs(s, range(s.steps_per_epoch, 2 * s.steps_per_epoch))
    usable = s.steps_per_epoch * 8
    assert len(set(epoch0)) == len(epoch0) == usable and usable > n - 8
    windows0, windows1 = [w for _, _, w in epoch0], [w for _, _, w in epoch1]
    assert windows0 != windows1  # a fresh order each pass
    if n % 8 == 0:
        assert sorted(windows0) == list(range(n))
    # Same order whatever the world size: compare with a single rank.
    single = stream(sets["web"], tmp_path, batch_size=8)
    assert all_refs(single, range(3)) == all_refs(s, range(3))


def test_unweighted_sets_form_one_shuffled_epoch(sets, tmp_path) -> None:
    s = stream([sets["web"], sets["code"]], tmp_path, batch_size=1)
    refs = all_refs(s, range(s.steps_per_epoch))
    expected = {(i, 0, w) for i, ss in enumerate(s.sets) for w in range(ss.num_windows)}
    assert len(refs) == len(expected) and set(refs) == expected
    first_half = [r[0] for r in refs[: len(refs) // 2]]
    assert 0 < sum(first_half) < len(first_half)  # both sets are spread over the epoch


def test_weighted_mix_is_exact_at_every_prefix_and_each_source_passes_once(sets, tmp_path) -> None:
    s = stream([(sets["web"], 0.75), (sets["code"], 0.25)], tmp_path, batch_size=2, world_size=2)
    refs = all_refs(s, range(3 * s.steps_per_epoch))
    from_code = np.cumsum([set_ == 1 for set_, _, _ in refs])
    prefix = np.arange(1, len(refs) + 1)
    assert np.abs(from_code - 0.25 * prefix).max() < 1.0
    for set_index in (0, 1):
        n = s.sets[set_index].num_windows
        mine = [(p, w) for set_, p, w in refs if set_ == set_index]
        for pass_ in range(len(mine) // n):
            chunk = mine[pass_ * n: (pass_ + 1) * n]
            assert {p for p, _ in chunk} == {pass_} and sorted(w for _, w in chunk) == list(range(n))


def test_no_per_sample_arrays(tmp_path) -> None:
    """The loader's memory does not grow with the number of windows (packed mode)."""
    tokenizer = example_tokenizer()
    small = make_set(tmp_path / "small", {"a": ("s", "web", 50)}, seed=5, tokenizer=tokenizer)
    large = make_set(tmp_path / "large", {"a": ("s", "web", 5000)}, seed=5, tokenizer=tokenizer)

    def array_bytes(s: TokenStream) -> int:
        seen = [s.interleave, *s.sets, s]
        return sum(v.nbytes for obj in seen for v in vars(obj).values() if isinstance(v, np.ndarray))

    a, b = stream(small, tmp_path, seq_len=4), stream(large, tmp_path, seq_len=4)
    assert b.sets[0].num_windows > 50 * a.sets[0].num_windows
    b.batch(b.steps_per_epoch - 1)
    assert array_bytes(a) == array_bytes(b) < 1024


# -- sample formats -----------------------------------------------------------------------------

def test_packed_windows_are_the_set_stream_across_shards(sets, tmp_path) -> None:
    s = stream(sets["web"], tmp_path, seq_len=16, batch_size=4)
    tokens = set_tokens(sets["web"])
    assert s.sets[0].num_windows == (tokens.size - 1) // 16
    for step in range(s.steps_per_epoch):
        batch, where = s.batch(step), s.locate(step)
        assert batch["tokens"].dtype == np.uint16 and batch["tokens"].shape == (4, 17)
        for row, window in zip(batch["tokens"], where["window"].tolist(), strict=True):
            assert np.array_equal(row, tokens[window * 16: window * 16 + 17])


def test_position_ids_restart_after_eod_and_loss_mask(sets, tmp_path) -> None:
    s = stream(sets["web"], tmp_path, return_position_ids=True, return_loss_mask=True,
               mask_eod_loss=True)
    batch = s.batch(0)
    tokens, positions, mask = batch["tokens"], batch["position_ids"], batch["loss_mask"]
    assert positions.shape == mask.shape == (4, 16) and positions.dtype == np.int32
    for row in range(4):
        expected, p = [], 0
        for j in range(16):
            expected.append(p)
            p = 0 if tokens[row, j] == EOD else p + 1
        assert positions[row].tolist() == expected
        assert mask[row].tolist() == [t != EOD for t in tokens[row, :16].tolist()]


def test_document_windows_start_at_documents_and_pad(sets, tmp_path) -> None:
    s = stream(sets["web"], tmp_path, mode="document", seq_len=16, return_loss_mask=True,
               return_position_ids=True)
    documents = [doc for name in ("w0", "w1", "w2") for doc in IndexedDataset(sets["web"] / name)]
    expected = [doc[c * 16: c * 16 + 17] for doc in documents for c in range(-(-(doc.size - 1) // 16))]
    assert s.sets[0].num_windows == len(expected)
    seen = []
    for step in range(s.steps_per_epoch):
        batch, where = s.batch(step), s.locate(step)
        for row, window in enumerate(where["window"].tolist()):
            want = expected[window]
            assert np.array_equal(batch["tokens"][row, : want.size], want)
            assert (batch["tokens"][row, want.size:] == 1).all()  # <pad>
            assert batch["loss_mask"][row].sum() == want.size - 1
            seen.append(window)
    assert len(set(seen)) == len(seen) == s.steps_per_epoch * 4


def word_level_tokenizer(size: int, name: str) -> LoadedTokenizer:
    """A tokenizer with ``size`` ids (``<eod>`` = 0): big vocabularies without training."""
    from tokenizers import Tokenizer, models, pre_tokenizers

    vocab = {"<eod>": 0, **{f"w{i}": i for i in range(1, size)}}
    tokenizer = Tokenizer(models.WordLevel(vocab, unk_token="w1"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    return LoadedTokenizer(tokenizer, name)


def test_int32_shards_for_large_vocabularies(tmp_path) -> None:
    big = word_level_tokenizer(70000, "big")
    docs = [np.append(np.arange(60000 + i, 60100 + i), 0).astype(np.int32) for i in range(50)]
    write_shard_set(tmp_path / "big", {"s": ShardDocuments("s", "text", docs)}, big)
    batch = stream(tmp_path / "big", tmp_path).batch(0)["tokens"]
    assert batch.dtype == np.int32 and batch.max() >= 60000


# -- fill-in-the-middle -------------------------------------------------------------------------

def test_fim_rearranges_code_documents_only_and_keeps_lengths(sets, tmp_path) -> None:
    plain = stream(sets["mixed"], tmp_path, seq_len=64, batch_size=4)
    fim = stream(sets["mixed"], tmp_path, seq_len=64, batch_size=4, fim_rate=1.0, fim_spm_rate=0.5)
    code_docs = {tuple(d.tolist()) for d in IndexedDataset(sets["mixed"] / "m1")}
    changed = spm = 0
    for step in range(plain.steps_per_epoch):
        for before, after in zip(plain.batch(step)["tokens"], fim.batch(step)["tokens"], strict=True):
            assert np.array_equal(np.flatnonzero(before == EOD), np.flatnonzero(after == EOD))
            cuts = np.flatnonzero(before == EOD)
            for a, b in zip(np.split(before, cuts + 1), np.split(after, cuts + 1), strict=True):
                if np.array_equal(a, b):
                    continue
                changed += 1
                body = a[a != EOD]
                assert any(tuple(body.tolist()) == doc[i: i + body.size]
                           for doc in code_docs for i in range(len(doc) - body.size + 1))
                assert b[0] == 2 and (b == 3).sum() >= 1 and (b == 4).sum() >= 1
                spm += int(b[1] == 4)
                kept = Counter(b.tolist()) - Counter({2: 1, 3: 1, 4: 1})
                assert sum((Counter(a.tolist()) - kept).values()) == 3  # 3 suffix tokens paid
    assert changed > 20 and 0 < spm < changed
    again = stream(sets["mixed"], tmp_path, seq_len=64, batch_size=2, world_size=2, rank=1,
                   fim_rate=1.0, fim_spm_rate=0.5)
    assert np.array_equal(again.batch(3)["tokens"], fim.batch(3)["tokens"][2:])


def test_fim_rate_is_realised(sets, tmp_path) -> None:
    fim = stream(sets["code"], tmp_path, seq_len=512, batch_size=1, fim_rate=0.5)
    plain = stream(sets["code"], tmp_path, seq_len=512, batch_size=1)
    changed = total = 0
    for step in range(plain.steps_per_epoch):
        a, b = plain.batch(step)["tokens"][0], fim.batch(step)["tokens"][0]
        cuts = np.flatnonzero(a == EOD) + 1
        for x, y in zip(np.split(a, cuts), np.split(b, cuts), strict=True):
            if x.size > 8:
                total += 1
                changed += not np.array_equal(x, y)
    assert total > 50 and 0.3 < changed / total < 0.6


def test_fim_needs_fim_tokens(tmp_path) -> None:
    docs = [np.append(np.arange(5, 40), 0).astype(np.uint16)] * 20
    write_shard_set(tmp_path / "s", {"c": ShardDocuments("c", "code", docs)},
                    word_level_tokenizer(100, "bare"))
    with pytest.raises(ValueError, match="no <fim_prefix>"):
        stream(tmp_path / "s", tmp_path, fim_rate=0.5)
    stream(tmp_path / "s", tmp_path, fim_rate=0.0)


# -- safety -------------------------------------------------------------------------------------

def copy_set(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def test_corrupted_shard_is_refused(sets, tmp_path) -> None:
    broken = copy_set(sets["web"], tmp_path / "broken")
    data = bytearray((broken / "w1.bin").read_bytes())
    data[10] ^= 0xFF
    (broken / "w1.bin").write_bytes(bytes(data))
    with pytest.raises(ShardChecksumError, match=r"w1\.bin: sha256 .* differs from the manifest"):
        stream(broken, tmp_path)
    stream(broken, tmp_path, verify="never")  # the check is configurable


def test_checksums_are_verified_once_then_stamped(sets, tmp_path) -> None:
    good = copy_set(sets["web"], tmp_path / "good")
    stream(good, tmp_path)
    assert len(list((tmp_path / "cache" / "verified").iterdir())) == 3
    data = bytearray((good / "w0.bin").read_bytes())
    data[0] ^= 0xFF
    (good / "w0.bin").write_bytes(bytes(data))  # a rewrite changes the mtime: verified again
    with pytest.raises(ShardChecksumError, match="w0.bin"):
        stream(good, tmp_path)


def test_missing_and_truncated_shards_are_named(sets, tmp_path) -> None:
    missing = copy_set(sets["web"], tmp_path / "missing")
    (missing / "w2.bin").unlink()
    with pytest.raises(FileNotFoundError, match=r"w2\.bin: shard file missing"):
        stream(missing, tmp_path)
    truncated = copy_set(sets["web"], tmp_path / "truncated")
    (truncated / "w0.bin").write_bytes((truncated / "w0.bin").read_bytes()[:-2])
    with pytest.raises(ShardChecksumError, match=r"w0\.bin: .* bytes, the manifest says"):
        stream(truncated, tmp_path, verify="never")
    with pytest.raises(FileNotFoundError, match="no manifest.json"):
        stream(tmp_path / "nowhere", tmp_path)


def test_sets_of_different_tokenizers_are_refused(sets, tmp_path) -> None:
    docs = [np.append(np.arange(5, 90), 0).astype(np.uint16)] * 5
    write_shard_set(tmp_path / "other", {"o": ShardDocuments("o", "web", docs)},
                    word_level_tokenizer(100, "other"))
    with pytest.raises(ValueError, match="different tokenizers cannot be mixed"):
        stream([sets["web"], tmp_path / "other"], tmp_path)


def test_state_refuses_a_different_configuration(sets, tmp_path) -> None:
    s = stream(sets["web"], tmp_path, seed=3)
    s.step = 5
    state = json.loads(json.dumps(s.state_dict()))
    with pytest.raises(ValueError, match="different samples_per_epoch, seq_len"):
        stream(sets["web"], tmp_path, seed=3, seq_len=32).load_state_dict(state)
    with pytest.raises(ValueError, match="seed 3"):
        stream(sets["web"], tmp_path, seed=4).load_state_dict(state)
    with pytest.raises(ValueError, match="global batch size 4"):
        stream(sets["web"], tmp_path, seed=3, batch_size=2).load_state_dict(state)
    resumed = stream(sets["web"], tmp_path, seed=3, batch_size=2, world_size=2, rank=1)
    resumed.load_state_dict(state)
    assert resumed.step == 5 and state["epoch"] == 5 // s.steps_per_epoch
    manifest = json.loads((sets["web"] / MANIFEST).read_text())
    assert manifest["shards"]  # the sets stay untouched by the loader
