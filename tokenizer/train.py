"""Train a tokenizer for a multilingual + code mix, and save it with its metadata.

Byte-level pre-tokenization is the default for both models because it round-trips any text
exactly (``decode(encode(x)) == x``): every byte has a token, nothing is normalized away, and
whitespace runs (code indentation, tabs) are kept as they are.
"""

from __future__ import annotations

import json
import operator
import os
import zlib
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

import numpy as np
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

from polycorpus.tokenizer.load import canonical_json, identity_of

EOD, PAD = "<eod>", "<pad>"
FIM_PREFIX, FIM_MIDDLE, FIM_SUFFIX = "<fim_prefix>", "<fim_middle>", "<fim_suffix>"
DEFAULT_SPECIAL_TOKENS = (EOD, PAD, FIM_PREFIX, FIM_MIDDLE, FIM_SUFFIX)
TOKENIZER_FILE, META_FILE = "tokenizer.json", "tokenizer_meta.json"

D = TypeVar("D")


def special_tokens_with(extra: Iterable[str] = ()) -> list[str]:
    """Our special tokens first (so they get ids 0..4 in every tokenizer we train), then the
    user's, without duplicates."""
    return list(dict.fromkeys([*DEFAULT_SPECIAL_TOKENS, *extra]))


def train_tokenizer(
    texts: Iterable[str],
    *,
    vocab_size: int,
    model: Literal["bpe", "unigram"] = "bpe",
    special_tokens: Sequence[str] = (),
    digit_splitting: bool = True,
    min_frequency: int = 2,
    max_token_length: int | None = None,
    show_progress: bool = False,
) -> Tokenizer:
    """Train a byte-level BPE (default) or Unigram tokenizer on ``texts``.

    ``special_tokens`` are added after ``<eod>``, ``<pad>`` and the three FIM tokens.
    ``digit_splitting`` makes every digit its own pre-token, so numbers are not memorised as
    arbitrary chunks. ``max_token_length`` caps token length in byte-level characters.
    """
    specials = special_tokens_with(special_tokens)
    alphabet = pre_tokenizers.ByteLevel.alphabet()
    if vocab_size < len(alphabet) + len(specials):
        raise ValueError(f"vocab_size {vocab_size} cannot hold the {len(alphabet)} byte tokens "
                         f"and {len(specials)} special tokens")
    trainer: trainers.Trainer
    if model == "bpe":
        tokenizer = Tokenizer(models.BPE())
        trainer = trainers.BpeTrainer(
            vocab_size=vocab_size, min_frequency=min_frequency, special_tokens=specials,
            initial_alphabet=alphabet, max_token_length=max_token_length,
            show_progress=show_progress)
    elif model == "unigram":
        tokenizer = Tokenizer(models.Unigram())
        trainer = trainers.UnigramTrainer(
            vocab_size=vocab_size, special_tokens=specials, initial_alphabet=alphabet,
            max_piece_length=max_token_length or 16, show_progress=show_progress)
    else:
        raise ValueError(f"unknown tokenizer model {model!r} (expected 'bpe' or 'unigram')")
    # GPT-2's split regex keeps whitespace runs together (minus the last space, which joins
    # the next word), so indentation of any width becomes a learnable token.
    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tokenizer.pre_tokenizer = (
        pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True), byte_level])
        if digit_splitting else byte_level)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.train_from_iterator(texts, trainer=trainer)
    return tokenizer


def save_tokenizer(tokenizer: Tokenizer, directory: str | os.PathLike[str],
                   metadata: Mapping[str, Any]) -> Path:
    """Write ``tokenizer.json`` and ``tokenizer_meta.json`` into ``directory``; return it.

    ``tokenizer.json`` holds the canonical JSON, so its sha256 is the tokenizer's identity
    (the same value ``load_tokenizer(...).identity`` computes). ``metadata`` (training
    parameters, sample description, ...) is stored under ``"training"``. Each file is
    written to a temporary name and renamed, so a reader never sees a partial file.
    """
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    specials = {token.content: token_id
                for token_id, token in sorted(tokenizer.get_added_tokens_decoder().items())
                if token.special}
    canonical = canonical_json(tokenizer)  # about half a second for a 64k vocabulary: once
    meta = {
        "sha256": identity_of(canonical),
        "model": type(tokenizer.model).__name__,
        "vocab_size": tokenizer.get_vocab_size(with_added_tokens=True),
        "special_tokens": specials,
        "training": dict(metadata),
    }
    _write_atomic(target / TOKENIZER_FILE, canonical)
    _write_atomic(target / META_FILE,
                  (json.dumps(meta, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode())
    return target


def _write_atomic(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def temperature_shares(sizes: Mapping[Hashable, float], temperature: float) -> dict[Hashable, float]:
    """q_i = p_i^(1/T) / sum_j p_j^(1/T) with p_i = size_i / sum(size).

    T = 1 keeps the natural shares; larger T flattens them towards uniform, which gives
    low-resource languages enough text to earn their own merges.
    """
    if temperature <= 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    total = float(sum(sizes.values()))
    if total <= 0:
        return {}
    weights = {key: (size / total) ** (1.0 / temperature) for key, size in sizes.items() if size > 0}
    norm = sum(weights.values())
    return {key: weight / norm for key, weight in weights.items()}


def balanced_sample(
    docs: Sequence[D],
    key: Callable[[D], Hashable],
    temperature: float,
    budget_chars: int,
    seed: int,
    text: Callable[[D], str] = operator.itemgetter("text"),
) -> list[D]:
    """Sample about ``budget_chars`` characters of ``docs`` with per-group shares following
    ``temperature_shares`` of the groups' character counts.

    ``key`` names a document's group (its language, or its code language). Each group is drawn
    in a seeded random order; a group whose target exceeds what it has is repeated in fresh
    permutations (upsampling, as XLM-R and mT5 do). Each group overshoots its target by less
    than one document. The result is deterministic in ``seed`` and independent of Python's
    hash seed, and comes back shuffled so groups are interleaved.
    """
    groups: dict[Hashable, list[int]] = defaultdict(list)
    lengths = np.fromiter((len(text(doc)) for doc in docs), dtype=np.int64, count=len(docs))
    for index, doc in enumerate(docs):
        groups[key(doc)].append(index)
    sizes = {group: int(lengths[members].sum()) for group, members in groups.items()}
    shares = temperature_shares(sizes, temperature)
    chosen: list[int] = []
    for group in sorted(shares, key=repr):
        members = np.asarray(groups[group])
        rng = np.random.default_rng([seed, zlib.crc32(repr(group).encode())])
        target, taken = shares[group] * budget_chars, 0
        while taken < target:
            for index in rng.permutation(members):
                if taken >= target:
                    break
                chosen.append(int(index))
                taken += int(lengths[index])
    order = np.random.default_rng([seed]).permutation(len(chosen))
    return [docs[chosen[i]] for i in order]
