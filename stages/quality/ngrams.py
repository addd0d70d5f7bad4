"""Gopher's repeated n-grams, for every document of a batch at once.

Two measures (Rae et al. 2021, as datatrove computes them, which FineWeb used):

- *top n-gram* (n = 2, 3, 4): the characters of the most frequent n-gram (its words joined
  by spaces) times its count; on a tie, the n-gram seen first;
- *duplicate n-grams* (n = 5 .. 10): scanning the words, an n-gram seen before adds its
  characters and the scan jumps past it. (datatrove also forgets the n-grams it jumps over,
  so that their later copies count as new; here any earlier copy counts. Decisions agree on
  more than 99.9% of documents: see bench/quality_rules.py.)

An n-gram is the hash of its words' hashes, tagged with its document in the top bits, so one
sort of the batch's n-grams finds every repeat; only the positions of repeated n-grams go on
to n + 1. The scan's jumps are followed for all documents at once, from each repeat to the
first repeat n words on.
"""

from __future__ import annotations

import numpy as np

from polycorpus.stages.quality.tokens import Tokens

_MIX = np.uint64(0xBF58476D1CE4E5B9)
_DOC_SHIFT = np.uint64(40)
_HASH_MASK = np.uint64((1 << 40) - 1)


def doc_keys(doc: np.ndarray, hashes: np.ndarray) -> np.ndarray:
    """Keys of hashed spans that differ between documents: the document in the top 24 bits."""
    return (doc.astype(np.uint64) << _DOC_SHIFT) | (hashes & _HASH_MASK)


def key_docs(keys: np.ndarray) -> np.ndarray:
    """The document of each key of :func:`doc_keys`."""
    return (keys >> _DOC_SHIFT).astype(np.int64)


def later_copies(keys: np.ndarray) -> np.ndarray:
    """Whether each key repeats one earlier in the array."""
    order = np.argsort(keys, kind="stable")
    later = np.zeros(len(keys), dtype=bool)
    later[order[1:]] = keys[order[1:]] == keys[order[:-1]]
    return later


class NGrams:
    """Repeated n-gram measures over the tokens of a batch."""

    def __init__(self, tokens: Tokens) -> None:
        self.tokens = tokens
        self.offsets = tokens.offsets
        self.docs = len(tokens.offsets) - 1
        self.chars = np.zeros(len(tokens.starts) + 1, dtype=np.int64)
        np.cumsum(tokens.lengths, out=self.chars[1:])

    def measure(self, top: tuple[int, ...], dup: tuple[int, ...]) -> dict[int, np.ndarray]:
        """Per n, the characters per document: top n-gram for ``top``, duplicates for ``dup``.

        n grows from 2, and each step keeps only the positions whose n-gram repeats: an
        (n+1)-gram can repeat only where its first n words do. A document without repeats
        has its first n-gram as top n-gram (count 1) and no duplicate n-grams."""
        out: dict[int, np.ndarray] = {}
        counts = np.diff(self.offsets)
        index = np.arange(len(self.tokens.starts))  # positions whose (n-1)-gram repeats
        doc = np.repeat(np.arange(self.docs), counts)
        end = self.offsets[1:][doc]  # the end of each position's document
        chain = self.tokens.hashes.copy()  # hash of the (n-1)-gram at each position
        for n in range(2, max(top + dup, default=1) + 1):
            valid = index + n <= end
            index, doc, end, chain = index[valid], doc[valid], end[valid], chain[valid]
            chain = chain * _MIX + self.tokens.hashes[index + n - 1]
            keys = doc_keys(doc, chain)
            values, repeats = _runs(keys)
            members = _members(keys, values)  # every occurrence of a repeated n-gram, in order
            if n in top:
                out[n] = self._top(n, index, keys, values, repeats, members, counts)
            if n in dup:
                out[n] = self._duplicates(n, index[members], keys[members])
            index, doc, end, chain = index[members], doc[members], end[members], chain[members]
        return out

    def _top(self, n: int, positions: np.ndarray, keys: np.ndarray, values: np.ndarray,
             repeats: np.ndarray, members: np.ndarray, counts: np.ndarray) -> np.ndarray:
        # Without repeats, the first n-gram of the document (count 1).
        long_enough = counts >= n
        top = np.zeros(self.docs, dtype=np.int64)
        top[long_enough] = self._gram_chars(self.offsets[:-1][long_enough], n)
        if not len(values):
            return top
        # Per document, the n-grams of the highest count; of those, the one seen first.
        value_doc = key_docs(values)
        best = np.zeros(self.docs, dtype=np.int64)
        np.maximum.at(best, value_doc, repeats)
        tied = values[repeats == best[value_doc]]  # sorted, as values are
        found = members[_members(keys[members], tied)]
        found_doc = key_docs(keys[found])
        earliest = found[np.r_[True, found_doc[1:] != found_doc[:-1]]]
        docs = key_docs(keys[earliest])
        top[docs] = self._gram_chars(positions[earliest], n) * best[docs]
        return top

    def _gram_chars(self, starts: np.ndarray, n: int) -> np.ndarray:
        """Characters of the n-grams at ``starts`` with their words joined by single spaces."""
        return self.chars[starts + n] - self.chars[starts] + (n - 1)

    def _duplicates(self, n: int, positions: np.ndarray, keys: np.ndarray) -> np.ndarray:
        """The occurrences of repeated n-grams given in text order: the characters the scan counts."""
        out = np.zeros(self.docs, dtype=np.int64)
        if not len(keys):
            return out
        later = later_copies(keys)
        repeats = positions[later]
        doc = key_docs(keys[later])
        counted = self._jumps(repeats, doc, n)
        np.add.at(out, doc[counted], self.chars[repeats[counted] + n] - self.chars[repeats[counted]])
        return out

    @staticmethod
    def _jumps(repeats: np.ndarray, doc: np.ndarray, n: int) -> np.ndarray:
        """Which repeats the scan counts: the first of each document, then each time the
        first repeat at least n words after the last one counted (the scan jumps n words)."""
        count = len(repeats)
        following = np.searchsorted(repeats, repeats + n)  # the first repeat n words on
        stays = following < count
        stays[stays] = doc[following[stays]] == doc[stays]
        following = np.where(stays, following, count)  # count: the end of the chain
        counted = np.zeros(count + 1, dtype=bool)
        current = np.flatnonzero(np.r_[True, doc[1:] != doc[:-1]])
        while len(current):
            counted[current] = True
            current = following[current]
            current = current[current < count]
        return counted[:count]


def _runs(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The keys that occur more than once (sorted) and their counts (one radix sort)."""
    ordered = np.sort(keys)
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    counts = np.diff(np.r_[starts, len(ordered)])
    repeated = counts > 1
    return ordered[starts[repeated]], counts[repeated]


#: 1 MB: small enough to stay in the CPU cache, so the lookup of every key stays cheap.
_FILTER = np.zeros(1 << 20, dtype=bool)
_FILTER_MASK = np.int64((1 << 20) - 1)


def _members(keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Indices of the ``keys`` found in the sorted ``values``, in order.

    A bitmap of the values' low 20 bits rules out almost every key with one lookup; only
    the few that pass are looked up in ``values``.
    """
    low = values.view(np.int64) & _FILTER_MASK
    _FILTER[low] = True
    try:
        maybe = np.flatnonzero(_FILTER[keys.view(np.int64) & _FILTER_MASK])
    finally:
        _FILTER[low] = False
    where = np.minimum(np.searchsorted(values, keys[maybe]), len(values) - 1)
    return maybe[values[where] == keys[maybe]]
