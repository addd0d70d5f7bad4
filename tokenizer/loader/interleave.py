"""Exact mixture weights: which source feeds each position of the stream, in O(1) per position.

For weights ``w_d`` (normalised, sum 1) the interleave guarantees at every prefix ``i`` of the
stream ``floor(w_d * i) <= count_d(i) <= ceil(w_d * i)``: each source is within one sample of
its target, always (Tijdeman's chairman-assignment bound). A closed form per source,
``floor(w_d * i + c_d)``, only gives a valid sequence for two sources (with three or more,
two counts can step at the same position), so the sequence is built by earliest-deadline-first
scheduling instead: the k-th sample of source d may not come before position
``floor((k-1) / w_d)`` (upper quota) and must come by ``ceil(k / w_d) - 1`` (lower quota).
Unit jobs with release times and deadlines are scheduled by EDF whenever any schedule exists,
and Tijdeman (1980) proved one exists, so EDF never misses a deadline (asserted while building).

With rational weights ``a_d / Q`` the schedule is periodic with period ``Q`` (after ``Q``
positions every count equals ``a_d`` exactly and the pattern restarts), so one period is
built once and any position is resolved by arithmetic: ``source(p) = table[p % Q]`` and the
sample's rank within its source is ``(p // Q) * a_d + rank_in_period[p % Q]``. Weights are
read as exact decimals (``0.3`` is 3/10); when their common denominator exceeds
``MAX_PERIOD`` they are rounded to multiples of ``1 / MAX_PERIOD`` (the realised targets are
then ``fractions``, within 5e-7 of the given ones).
"""

from __future__ import annotations

import hashlib
import heapq
import math
import os
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np

MAX_PERIOD = 1 << 20


def exact_fractions(weights: Sequence[float | int | Fraction]) -> list[Fraction]:
    """Weights as exact fractions summing to one; floats by their shortest decimal form."""
    values = []
    for weight in weights:
        value = Fraction(repr(weight)) if isinstance(weight, float) else Fraction(weight)
        if not value > 0 or not math.isfinite(float(value)):
            raise ValueError(f"mixture weights must be positive and finite, got {weight!r}")
        values.append(value)
    total = sum(values)
    return [value / total for value in values]


def period_counts(fractions: Sequence[Fraction]) -> list[int]:
    """Integer counts per period: exact if the common denominator fits ``MAX_PERIOD``, else
    largest-remainder rounding of the fractions to ``MAX_PERIOD``."""
    period = math.lcm(*(f.denominator for f in fractions))
    if period <= MAX_PERIOD:
        return [int(f * period) for f in fractions]
    scaled = [f * MAX_PERIOD for f in fractions]
    counts = [math.floor(s) for s in scaled]
    by_remainder = sorted(range(len(scaled)), key=lambda d: (counts[d] - scaled[d], d))
    for d in by_remainder[: MAX_PERIOD - sum(counts)]:
        counts[d] += 1
    if min(counts) == 0:
        raise ValueError(f"a mixture weight below 1/{MAX_PERIOD} of the total cannot be realised")
    return counts


def edf_period(counts: Sequence[int]) -> np.ndarray:
    """Source of each position of one period, by earliest deadline first (module docstring)."""
    period = sum(counts)
    table = np.empty(period, dtype=np.uint16)
    done = [0] * len(counts)
    waiting = [(0, d) for d in range(len(counts))]  # (release of the next sample, source)
    ready: list[tuple[int, int]] = []  # (deadline of the next sample, source)
    for position in range(period):
        while waiting and waiting[0][0] <= position:
            _, d = heapq.heappop(waiting)
            heapq.heappush(ready, (-(-(done[d] + 1) * period // counts[d]) - 1, d))
        deadline, d = heapq.heappop(ready)
        if deadline < position:  # cannot happen (Tijdeman 1980); a bug if it does
            raise AssertionError(f"interleave missed a deadline at {position} for {counts}")
        table[position] = d
        done[d] += 1
        if done[d] < counts[d]:
            heapq.heappush(waiting, (done[d] * period // counts[d], d))
    return table


class Interleave:
    """The deterministic mixture sequence over ``len(weights)`` sources (module docstring)."""

    def __init__(self, weights: Sequence[float | int | Fraction],
                 cache_dir: str | os.PathLike[str] | None = None) -> None:
        if len(weights) > np.iinfo(np.uint16).max:
            raise ValueError(f"at most {np.iinfo(np.uint16).max} mixture sources")
        self.counts = np.asarray(period_counts(exact_fractions(weights)), dtype=np.int64)
        self.period = int(self.counts.sum())
        self.fractions = [Fraction(int(c), self.period) for c in self.counts]
        self.table = _cached_table(self.counts, cache_dir)
        self.rank_in_period = np.empty(self.period, dtype=np.int32)  # < MAX_PERIOD
        for d in range(len(self.counts)):
            where = np.flatnonzero(self.table == d)
            self.rank_in_period[where] = np.arange(where.size)

    def __len__(self) -> int:
        return len(self.counts)

    def locate(self, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(source, rank of the sample within its source) for each stream position."""
        positions = np.asarray(positions, dtype=np.int64)
        cycles, offsets = np.divmod(positions, self.period)
        sources = self.table[offsets].astype(np.int64)
        return sources, cycles * self.counts[sources] + self.rank_in_period[offsets]

    def counts_before(self, position: int) -> np.ndarray:
        """Samples each source has contributed to positions ``[0, position)``."""
        cycles, offset = divmod(position, self.period)
        head = np.bincount(self.table[:offset], minlength=len(self.counts))
        return cycles * self.counts + head


def _cached_table(counts: np.ndarray, cache_dir: str | os.PathLike[str] | None) -> np.ndarray:
    """Long periods take about 2 s per million positions to build: keep them on disk."""
    if cache_dir is None or counts.sum() < 1 << 16:
        return edf_period(counts.tolist())
    digest = hashlib.sha256(counts.tobytes()).hexdigest()[:24]
    path = Path(cache_dir) / "interleave" / f"{digest}.npy"
    if path.is_file():
        return np.load(path)
    table = edf_period(counts.tolist())
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        np.save(handle, table)
    os.replace(temporary, path)
    return table
