"""Turning windows into training samples: fill-in-the-middle, position ids and loss masks.

Everything here is deterministic in its inputs: FIM draws its randomness from a per-sample
key (hashed from seed, source, pass and window), so a sample looks the same whichever rank,
worker or restart produces it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from polycorpus.tokenizer.loader.permutation import mix64

_UNIT = 1.0 / (1 << 53)


@dataclass(frozen=True)
class Fim:
    """Fill-in-the-middle settings (StarCoder / Yuan 2.0 style, at the token level).

    With probability ``rate`` a code document (each ``<eod>``-separated segment of a window)
    is cut at two uniform points into prefix, middle and suffix and rearranged as
    ``<fim_prefix> prefix <fim_suffix> suffix <fim_middle> middle`` (PSM), or with probability
    ``spm_rate`` as ``<fim_prefix> <fim_suffix> suffix <fim_middle> prefix middle`` (SPM). The
    three sentinels are paid for by dropping the suffix's last three tokens, so every
    document keeps its length and position in the window (as bigcode's Megatron does); a
    segment whose suffix is shorter than that is left as it is.
    """

    rate: float
    spm_rate: float
    prefix_id: int
    middle_id: int
    suffix_id: int


def uniforms(key: int, count: int) -> np.ndarray:
    """``count`` reproducible uniform floats in [0, 1) from a 64-bit key."""
    counter = np.arange(count, dtype=np.uint64) + np.uint64(key)
    return (mix64(mix64(counter)) >> np.uint64(11)).astype(np.float64) * _UNIT


def apply_fim(row: np.ndarray, segments: list[tuple[int, int]], fim: Fim, key: int) -> None:
    """Rewrite the code ``segments`` (``[start, end)`` spans of ``row`` without ``<eod>``) in
    place, each with probability ``fim.rate``."""
    draws = uniforms(key, 4 * len(segments)).reshape(-1, 4)
    for (start, end), (apply, cut_a, cut_b, spm) in zip(segments, draws, strict=True):
        if apply >= fim.rate:
            continue
        n = end - start
        low, high = sorted((int(cut_a * (n + 1)), int(cut_b * (n + 1))))
        if n - high <= 3:
            continue
        segment = row[start:end]
        prefix, middle, suffix = segment[:low].copy(), segment[low:high].copy(), segment[high:-3].copy()
        if spm < fim.spm_rate:
            parts = ([fim.prefix_id, fim.suffix_id], suffix, [fim.middle_id], prefix, middle)
        else:
            parts = ([fim.prefix_id], prefix, [fim.suffix_id], suffix, [fim.middle_id], middle)
        row[start:end] = np.concatenate([np.asarray(p, dtype=row.dtype) for p in parts])


def code_segments(row: np.ndarray, eod: int, pieces: list[tuple[int, int, bool]]) -> list[tuple[int, int]]:
    """``<eod>``-free spans of ``row`` whose first token came from a code shard."""
    cuts = np.flatnonzero(row == eod)
    starts = np.concatenate([[0], cuts + 1])
    ends = np.concatenate([cuts, [row.size]])
    code = [(s, e) for s, e in zip(starts.tolist(), ends.tolist(), strict=True) if e > s]
    return [(s, e) for s, e in code
            if next(is_code for lo, hi, is_code in pieces if lo <= s < hi)]


def position_ids(tokens: np.ndarray, eod: int) -> np.ndarray:
    """Positions of the input tokens (``tokens[:, :-1]``), restarting at 0 after each
    ``<eod>`` (Megatron's ``reset_position_ids``)."""
    inputs = tokens[:, :-1]
    starts = np.zeros(inputs.shape, dtype=bool)
    starts[:, 0] = True
    starts[:, 1:] = inputs[:, :-1] == eod
    index = np.arange(inputs.shape[1], dtype=np.int32)
    return index - np.maximum.accumulate(np.where(starts, index, 0), axis=1)


def loss_mask(tokens: np.ndarray, lengths: np.ndarray, eod: int, mask_eod: bool) -> np.ndarray:
    """Which labels (``tokens[:, 1:]``) count in the loss: not padding, and with ``mask_eod``
    not the token that follows an ``<eod>`` input (Megatron's ``eod_mask_loss``)."""
    width = tokens.shape[1] - 1
    mask = np.arange(width)[None, :] < (lengths[:, None] - 1)
    if mask_eod:
        mask &= tokens[:, :-1] != eod
    return mask
