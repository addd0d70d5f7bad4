"""Keyed pseudo-random permutations of ``[0, n)`` evaluated pointwise, in O(1) memory.

A Feistel network is a bijection on ``[0, 2**(2h))`` for any round function; cycle-walking
(re-applying it while the result is ``>= n``) restricts it to a bijection on ``[0, n)``.
Because the domain is at most ``4n``, the expected number of walks is below four. Any rank
or worker maps its own positions to window indices without ever holding the permutation,
which is what lets the loader's global shuffle cost nothing per sample and resume by
arithmetic (DESIGN.md, "A global shuffle in O(1) memory").
"""

from __future__ import annotations

import hashlib
import struct

import numpy as np

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser on a uint64 array: a fast, well-mixed 64-bit hash (wraps)."""
    x = x ^ (x >> np.uint64(30))
    x = x * _M1
    x = x ^ (x >> np.uint64(27))
    x = x * _M2
    return x ^ (x >> np.uint64(31))


def derive_key(*parts: int | str) -> int:
    """A 64-bit key from any tuple of ints and strings (stable across processes and runs,
    unlike ``hash``)."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return struct.unpack("<Q", digest)[0]


class FeistelPermutation:
    """A keyed bijection ``[0, n) -> [0, n)``; ``perm(indices)`` maps a whole array at once."""

    def __init__(self, n: int, key: int, rounds: int = 4) -> None:
        if n <= 0:
            raise ValueError(f"cannot permute an empty range (n={n})")
        self.n = n
        bits = max(2, (n - 1).bit_length())
        self.half = (bits + 1) // 2
        self.mask = np.uint64((1 << self.half) - 1)
        self.keys = [np.uint64(derive_key(key, r)) for r in range(rounds)]

    def _round_trip(self, x: np.ndarray) -> np.ndarray:
        shift = np.uint64(self.half)
        left, right = x >> shift, x & self.mask
        for key in self.keys:
            left, right = right, left ^ (mix64(right ^ key) & self.mask)
        return (left << shift) | right

    def __call__(self, indices: np.ndarray) -> np.ndarray:
        x = np.asarray(indices, dtype=np.uint64)
        if x.size and int(x.max()) >= self.n:
            raise IndexError(f"index {int(x.max())} outside [0, {self.n})")
        out = self._round_trip(x)
        outside = np.flatnonzero(out >= self.n)
        while outside.size:  # cycle-walking
            out[outside] = self._round_trip(out[outside])
            outside = outside[out[outside] >= self.n]
        return out.astype(np.int64)
