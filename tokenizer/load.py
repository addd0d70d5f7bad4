"""Load any tokenizer the project accepts, behind one small interface the stages use.

Accepted: a ``tokenizer.json`` file, a directory holding one (a Hugging Face tokenizer
directory, or the output of ``save_tokenizer``), or a SentencePiece ``.model`` file, which is
converted to an equivalent Hugging Face ``tokenizers`` pipeline so that every tokenizer encodes
through the same fast Rust batch path.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers
from tokenizers.models import BPE, Unigram

from polycorpus.tokenizer.indexed import dtype_for_vocab

# Looked up in order; the first present wins. Ours first, then the common conventions of
# GPT-2 / StarCoder, Qwen and SentencePiece (Llama, Yuan's own models use <eod>).
EOD_CANDIDATES = ("<eod>", "<|endoftext|>", "</s>", "<eos>")
PAD_CANDIDATES = ("<pad>", "<|pad|>", "[PAD]")
FIM_CANDIDATES = {
    "prefix": ("<fim_prefix>", "<|fim_prefix|>"),
    "middle": ("<fim_middle>", "<|fim_middle|>"),
    "suffix": ("<fim_suffix>", "<|fim_suffix|>"),
}

_SPIECE_UNDERLINE = "▁"
# sentencepiece_model.proto: SentencePiece.Type (also UNKNOWN 2, UNUSED 5, BYTE 6, which
# text never reaches) and TrainerSpec.ModelType.
_NORMAL, _CONTROL, _USER_DEFINED = 1, 3, 4
_UNIGRAM, _BPE = 1, 2


def canonical_json(tokenizer: Tokenizer) -> bytes:
    """The tokenizer's serialization with sorted keys and no whitespace.

    Formatting (pretty-printed files, key order) then does not change a tokenizer's
    identity; ``save_tokenizer`` writes exactly these bytes. The tokenizer goes through one
    serialize/parse cycle first: the Rust JSON parser can move a float score by one ulp, so a
    freshly trained Unigram model differs in the last digit from the same model loaded back,
    while a loaded model reproduces itself exactly.
    """
    settled = Tokenizer.from_str(tokenizer.to_str()).to_str()
    parsed = json.loads(settled)
    return json.dumps(parsed, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def tokenizer_identity(tokenizer: Tokenizer) -> str:
    """sha256 of the canonical JSON: what manifests record to tie shards to a tokenizer."""
    return identity_of(canonical_json(tokenizer))


def identity_of(canonical: bytes) -> str:
    """The identity of a tokenizer whose canonical JSON is ``canonical`` (already computed)."""
    return hashlib.sha256(canonical).hexdigest()


@dataclass(frozen=True)
class FimIds:
    """Fill-in-the-middle token ids; each is None where the vocabulary lacks it."""

    prefix: int | None
    middle: int | None
    suffix: int | None


class LoadedTokenizer:
    """A ``tokenizers.Tokenizer`` plus what the tokenize stage needs to know about it.

    Special-token strings inside documents are encoded as ordinary text: a web page that
    contains the characters ``<eod>`` must not inject a document boundary. The stage appends
    ``eod_id`` itself.
    """

    def __init__(self, tokenizer: Tokenizer, name: str, *, owned: bool = False) -> None:
        """``owned``: the caller hands ``tokenizer`` over (freshly loaded), so it is set up in
        place; otherwise a copy is, and the caller's object stays as it was."""
        self.name = name
        self.tokenizer = tokenizer if owned else Tokenizer.from_str(tokenizer.to_str())
        self.tokenizer.encode_special_tokens = True
        # Hub tokenizer.json files often enable truncation to the model's context length,
        # which would cut documents silently.
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        vocab = self.tokenizer.get_vocab(with_added_tokens=True)
        # Ids can be sparse (added tokens past the model vocabulary): size by the largest id.
        self.vocab_size = max(vocab.values()) + 1
        self.token_dtype = dtype_for_vocab(self.vocab_size)
        self.eod_id = _first_id(vocab, EOD_CANDIDATES)
        self.pad_id = _first_id(vocab, PAD_CANDIDATES)
        self.fim_ids = FimIds(**{part: _first_id(vocab, names)
                                 for part, names in FIM_CANDIDATES.items()})

    @cached_property
    def canonical(self) -> bytes:
        """The canonical JSON (computed on first use: workers never need it, and it costs
        about half a second for a 64k vocabulary)."""
        return canonical_json(self.tokenizer)

    @cached_property
    def identity(self) -> str:
        """sha256 of the canonical JSON, as ``tokenizer_identity`` computes it."""
        return identity_of(self.canonical)

    def __reduce__(self) -> tuple[Callable[[str, str], LoadedTokenizer], tuple[str, str]]:
        """Rebuild through ``__init__`` when unpickled (Ray ships it to workers): a pickled
        ``Tokenizer`` forgets ``encode_special_tokens``."""
        return _from_json, (self.tokenizer.to_str(), self.name)

    def encode_batch(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Token ids per text, in the shard dtype, without BOS/EOS templates."""
        encodings = self.tokenizer.encode_batch_fast(list(texts), add_special_tokens=False)
        return [np.array(encoding.ids, dtype=self.token_dtype) for encoding in encodings]

    def decode(self, ids: Sequence[int] | np.ndarray, skip_special_tokens: bool = False) -> str:
        """Text of ``ids``; special tokens are shown by default so ``inspect`` sees ``<eod>``."""
        return self.tokenizer.decode([int(i) for i in ids], skip_special_tokens=skip_special_tokens)


def _from_json(source: str, name: str) -> LoadedTokenizer:
    return LoadedTokenizer(Tokenizer.from_str(source), name, owned=True)


def _first_id(vocab: dict[str, int], names: Sequence[str]) -> int | None:
    return next((vocab[name] for name in names if name in vocab), None)


def load_tokenizer(path: str | os.PathLike[str]) -> LoadedTokenizer:
    """Load a ``tokenizer.json``, a directory with one (or a ``tokenizer.model``), or a
    SentencePiece ``.model`` file."""
    file, name = _resolve(Path(path))
    return _load_file(file, name)


def load_tokenizer_cached(path: str | os.PathLike[str]) -> LoadedTokenizer:
    """``load_tokenizer``, reusing this process's earlier load of the same unchanged file.

    A run's driver needs the tokenizer twice (checking the config, then writing the
    manifest); each load of a 64k vocabulary costs about 0.2 s of serial time.
    """
    file, name = _resolve(Path(path))
    stat = file.stat()
    return _load_file_cached(file, name, stat.st_mtime_ns, stat.st_size)


def load_for_shards(path: str | os.PathLike[str], dtype: str = "auto") -> tuple[LoadedTokenizer, np.dtype]:
    """A tokenizer fit to write token shards, and the token dtype: it needs an end-of-document
    token, and ``dtype`` (``auto``, ``uint16`` or ``int32``) must hold its every id."""
    tokenizer = load_tokenizer_cached(path)
    if tokenizer.eod_id is None:
        raise ValueError(f"{path}: the tokenizer has no end-of-document token (<eod>, <|endoftext|>, </s> or <eos>)")
    fitting = dtype_for_vocab(tokenizer.vocab_size)
    if dtype == "auto":
        return tokenizer, fitting
    chosen = np.dtype(dtype)
    if tokenizer.vocab_size - 1 > np.iinfo(chosen).max or (chosen == np.uint16 and fitting != chosen):
        raise ValueError(f"dtype {dtype} cannot hold the {tokenizer.vocab_size} ids of {path}; use int32 or auto")
    return tokenizer, chosen


def _resolve(source: Path) -> tuple[Path, str]:
    """The file to read for ``source`` and the tokenizer's display name."""
    if source.is_dir():
        for candidate in ("tokenizer.json", "tokenizer.model"):
            if (source / candidate).is_file():
                return source / candidate, source.resolve().name
        raise FileNotFoundError(f"{source}: no tokenizer.json or tokenizer.model inside")
    if not source.is_file():
        raise FileNotFoundError(f"{source}: no such tokenizer file or directory")
    generic = source.name in ("tokenizer.json", "tokenizer.model")
    return source, source.resolve().parent.name if generic else source.stem


@lru_cache(maxsize=4)
def _load_file_cached(path: Path, name: str, mtime_ns: int, size: int) -> LoadedTokenizer:
    return _load_file(path, name)


class TokenizerFileError(ValueError):
    """A tokenizer file that cannot be read as one (truncated, garbage, another format)."""


def _load_file(path: Path, name: str) -> LoadedTokenizer:
    try:
        if path.suffix == ".model":
            return LoadedTokenizer(from_sentencepiece(path), name, owned=True)
        return LoadedTokenizer(Tokenizer.from_file(str(path)), name, owned=True)
    except Exception as exc:  # the Rust and protobuf parsers raise bare Exception subclasses
        raise TokenizerFileError(f"{path}: not a readable tokenizer ({exc})") from exc


def from_sentencepiece(path: str | os.PathLike[str]) -> Tokenizer:
    """Convert a SentencePiece Unigram or BPE model into an equivalent ``tokenizers`` pipeline.

    Mirrors what SentencePiece does at encode time: the model's precompiled normalization
    rules, its whitespace cleanup, one dummy-prefix "▁", whitespace escaped to "▁",
    user-defined symbols segmented whole, the same piece ids and scores, and byte fallback. Pieces SentencePiece never matches from text (control, unknown, unused and byte
    pieces) keep their ids but are kept out of the segmentation of ordinary text.
    """
    from sentencepiece import sentencepiece_model_pb2  # needs protobuf

    proto = sentencepiece_model_pb2.ModelProto()
    proto.ParseFromString(Path(path).read_bytes())
    trainer, norm = proto.trainer_spec, proto.normalizer_spec
    if trainer.treat_whitespace_as_suffix:
        raise ValueError(f"{path}: treat_whitespace_as_suffix models are not supported")
    symbols = [p.piece for p in proto.pieces if p.type == _USER_DEFINED]
    if trainer.model_type == _UNIGRAM:
        tokenizer = Tokenizer(_unigram_model(proto))
    elif trainer.model_type == _BPE:
        tokenizer = Tokenizer(_bpe_model(proto, match_whole_pieces=bool(symbols)))
    else:
        raise ValueError(f"{path}: SentencePiece model type {trainer.model_type} is not "
                         "supported (only Unigram and BPE)")
    tokenizer.normalizer = _spm_normalizer(norm)
    tokenizer.pre_tokenizer = _spm_pre_tokenizer(symbols, trainer.split_by_whitespace)
    # The unknown piece decodes to SentencePiece's marker for it (" ⁇ " by default).
    tokenizer.decoder = decoders.Sequence(
        [decoders.Replace(trainer.unk_piece, trainer.unk_surface),
         decoders.Replace(_SPIECE_UNDERLINE, " ")]
        + ([decoders.ByteFallback()] if trainer.byte_fallback else [])
        + [decoders.Fuse()]
        + ([decoders.Strip(" ", 1, 0)] if norm.add_dummy_prefix else []))
    tokenizer.add_special_tokens([AddedToken(p.piece, normalized=False, special=True)
                                  for p in proto.pieces if p.type == _CONTROL])
    return tokenizer


def _spm_normalizer(norm: Any) -> normalizers.Normalizer:
    """Character rules, then whitespace cleanup, then the dummy prefix, as SentencePiece's
    normalizer applies them to the whole text."""
    steps: list[normalizers.Normalizer] = []
    if norm.precompiled_charsmap:
        steps.append(normalizers.Precompiled(norm.precompiled_charsmap))
    if norm.remove_extra_whitespaces:
        steps += [normalizers.Replace(Regex(" {2,}"), " "),
                  normalizers.Replace(Regex(r"\A | \z"), "")]
    if norm.add_dummy_prefix:
        steps.append(normalizers.Prepend(_SPIECE_UNDERLINE))
    return normalizers.Sequence(steps)


def _spm_pre_tokenizer(symbols: list[str], split_by_whitespace: bool) -> pre_tokenizers.PreTokenizer:
    """User-defined symbols isolated, then words cut before each "▁".

    Symbols are isolated here rather than registered as added tokens because added tokens are
    themselves run through the normalizer, whose dummy prefix would change their content.
    Digits need no splitting rule: a ``split_digits`` model has no piece spanning two digits,
    and runs of unknown digits must still fuse into one unknown piece as SentencePiece does.
    """
    steps: list[pre_tokenizers.PreTokenizer] = []
    if symbols:
        longest_first = sorted(symbols, key=len, reverse=True)
        pattern = "|".join(re.escape(symbol) for symbol in longest_first)
        steps.append(pre_tokenizers.Split(Regex(pattern), behavior="isolated"))
    steps.append(pre_tokenizers.Metaspace(replacement=_SPIECE_UNDERLINE, prepend_scheme="never",
                                          split=split_by_whitespace))
    return pre_tokenizers.Sequence(steps)


def _unigram_model(proto: Any) -> Unigram:
    """Same pieces, ids and scores; pieces SentencePiece skips get a score no segmentation
    prefers while the text's characters are in the vocabulary."""
    normal = [p.score for p in proto.pieces if p.type == _NORMAL]
    hidden = (min(normal) if normal else 0.0) - 1e6
    vocab = [(p.piece, p.score if p.type in (_NORMAL, _USER_DEFINED) else hidden)
             for p in proto.pieces]
    return Unigram(vocab, unk_id=proto.trainer_spec.unk_id,
                   byte_fallback=proto.trainer_spec.byte_fallback)


def _bpe_model(proto: Any, match_whole_pieces: bool) -> BPE:
    """SentencePiece BPE merges the adjacent pair whose union has the best score, so ranking
    the merges by the score of their result reproduces its order.

    ``match_whole_pieces`` lets an isolated user-defined symbol map straight to its id; it is
    only set when the model has such symbols, because it also maps any pre-token that happens
    to equal a control or byte piece to that piece.
    """
    vocab = {p.piece: i for i, p in enumerate(proto.pieces)}
    mergeable = {p.piece: p.score for p in proto.pieces if p.type in (_NORMAL, _USER_DEFINED)}
    ranked = []
    for piece, score in mergeable.items():
        for cut in range(1, len(piece)):
            left, right = piece[:cut], piece[cut:]
            if left in mergeable and right in mergeable:
                ranked.append((-score, vocab[piece], vocab[left], (left, right)))
    merges = [pair for *_, pair in sorted(ranked)]
    return BPE(vocab, merges, unk_token=proto.trainer_spec.unk_piece, fuse_unk=True,
               byte_fallback=proto.trainer_spec.byte_fallback, dropout=None,
               ignore_merges=match_whole_pieces)
