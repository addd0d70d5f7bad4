"""The words of every document of a batch at once, as arrays of spans and hashes.

The published rules count words: Gopher's word counts, alphabetic share and repeated n-grams,
FineWeb's newlines per word. datatrove, whose decisions FineWeb was built with, takes its
English words from spaCy's tokenizer: text split at whitespace, then punctuation split off
the front (``(``, quotes, ``$``) and the back (``,``, ``.``, ``)``, clitics such as ``'s``
and ``n't``) and inside (``well-known`` -> ``well - known``, ``2007-08``), while numbers,
abbreviations and URLs stay whole (``10,000``, ``U.S.``, ``e.g.``, ``https://...``). Where
the words are cut decides the share of "words with a letter" that Gopher's 80% rule sees,
so polycorpus cuts where spaCy does, for every language written with spaces. Characters of
scripts written without spaces (Chinese, Japanese, Thai, ...) are words of their own.

A Python loop over words costs milliseconds a page; here the batch's texts become one array
of code points, a table gives every character its classes, and the rules above become
whole-array comparisons between neighbours. Each word gets a 64-bit polynomial hash of its
characters, so repeated words and n-grams are questions about integers.
"""

from __future__ import annotations

import functools
import sys
import unicodedata
from dataclasses import dataclass

import numpy as np

from polycorpus.stages.quality.text import CLOSERS, MARKS, SENTENCE_ENDS, SINGLE, THAI_LIKE_RANGES

# Character classes (bits of the table).
(SPACE, LETTER, LOWER, UPPER, DIGIT, PREFIX, SUFFIX, HYPHEN, UNSPACED, MARK, ICON, SYMBOL, INFIX,
 SENTENCE_END, CLOSER, THAI) = (1 << k for k in range(16))

#: Split off the front of a word (spaCy's prefixes: punctuation, quotes, currency signs).
PREFIX_CHARS = "§%=—–+…,:;!?¿¡()[]{}<>_#*&。？！，、；：～·'\"”“`‘´’‚„»«「」『』（）〔〕【】《》〈〉$£€¥₩₹₽₺"
#: Split off the back (spaCy's suffixes; ``.`` only after a lower-case letter, digit or sign).
SUFFIX_CHARS = "…,:;!?¿¡()[]{}<>_#*&。？！，、；：～·'\"”“`‘´’‚„»«「」『』（）〔〕【】《》〈〉%—–."
#: Between letters (or a digit and a letter), these split a word in three: ``well-known``.
HYPHEN_CHARS = "-–—~"
#: Between an alphanumeric and a letter: ``a/b``, ``x=y``.
INFIX_CHARS = ":<>=/"
#: A token of nothing but these is a "symbol", not a word (datatrove's PUNCTUATION).
SYMBOL_CHARS = ("!/—”:％１〈&(、━\\【#%「」，】；+^]~“《„';’{|∶´[=-`*．（–？！：$～«〉,><》)?）。…@_.\"}►»"
                + "".join(map(chr, [*range(0, 9), *range(11, 32), *range(127, 160)])))
#: Abbreviations that keep their full stop (spaCy's English exceptions, the common ones).
ABBREVIATIONS = (
    "Mr. Mrs. Ms. Dr. Prof. Jr. Sr. St. Mt. Gov. Sen. Rep. Gen. Col. Lt. Sgt. Capt. Rev. Inc. Corp. Co. "
    "Ltd. Bros. vs. Jan. Feb. Mar. Apr. Jun. Jul. Aug. Sep. Sept. Oct. Nov. Dec. e.g. i.e. a.m. p.m. "
    "Ala. Ariz. Ark. Calif. Colo. Conn. Del. Fla. Ga. Ill. Ind. Kan. Ky. La. Md. Mass. Mich. Minn. "
    "Miss. Mo. Mont. Neb. Nev. Okla. Ore. Pa. Tenn. Va. Wash. Wis. Wyo.").split()
#: Clitics split off the end of a word: ``don't`` -> ``do n't``, ``it's`` -> ``it 's``.
_APOSTROPHES = "'’"

_BASE = 0x9E3779B97F4A7C15  # odd: invertible modulo 2**64
_INVERSE = pow(_BASE, -1, 1 << 64)


@functools.cache
def char_classes() -> np.ndarray:
    """The class bits of every code point (built once per process, ~0.1 s).

    Characters beyond the Basic Multilingual Plane take coarse classes: CJK extensions are
    unspaced letters, emoji and pictographs are icons, the rest letters.
    """
    table = np.zeros(sys.maxunicode + 1, dtype=np.uint16)
    table[0x10000:] = LETTER
    table[0x1F000:0x1FB00] = ICON
    table[0x20000:0x31350] = LETTER | UNSPACED
    for code in range(0x10000):
        char = chr(code)
        bits = 0
        if char.isspace():
            bits |= SPACE
        if char.isalpha():
            bits |= LETTER | (LOWER if char.islower() else 0) | (UPPER if char.isupper() else 0)
        if char.isdigit():
            bits |= DIGIT
        if unicodedata.category(char) == "So":
            bits |= ICON
        table[code] = bits
    for chars, bit in ((PREFIX_CHARS, PREFIX), (SUFFIX_CHARS, SUFFIX), (HYPHEN_CHARS, HYPHEN),
                       (INFIX_CHARS, INFIX), (SYMBOL_CHARS, SYMBOL), (SENTENCE_ENDS, SENTENCE_END),
                       (CLOSERS, CLOSER)):
        table[[ord(c) for c in chars]] |= bit
    for ranges, bit in ((MARKS, MARK), (SINGLE, UNSPACED), (THAI_LIKE_RANGES, THAI)):
        for low, high in _ranges(ranges):
            table[low:high + 1] |= bit
    return table


def _ranges(char_class: str) -> list[tuple[int, int]]:
    """The ``a-b`` ranges and single characters of a regex character-class body."""
    out, i = [], 0
    while i < len(char_class):
        if i + 2 < len(char_class) and char_class[i + 1] == "-":
            out.append((ord(char_class[i]), ord(char_class[i + 2])))
            i += 3
        else:
            out.append((ord(char_class[i]), ord(char_class[i])))
            i += 1
    return out


_POWERS = (np.ones(1, dtype=np.uint64), np.ones(1, dtype=np.uint64))


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """BASE**i and BASE**-i modulo 2**64 for i <= n (kept and grown between batches)."""
    global _POWERS
    if len(_POWERS[0]) <= n:
        size = max(n + 1, 2 * len(_POWERS[0]))
        powers = np.full(size, _BASE, dtype=np.uint64)
        powers[0] = 1
        inverse = np.full(size, _INVERSE, dtype=np.uint64)
        inverse[0] = 1
        _POWERS = (np.cumprod(powers), np.cumprod(inverse))  # both wrap modulo 2**64
    return _POWERS


@dataclass
class CodePoints:
    """The texts of a batch as one array: ``codes[starts[d]:starts[d] + lengths[d]]`` is text d.

    Texts are joined with a newline between them, so no word or line crosses two texts.
    ``hashes(s, e)`` is the polynomial hash of each span ``[s, e)``, equal for equal text.
    """

    codes: np.ndarray  # uint32
    starts: np.ndarray  # int64, per text
    lengths: np.ndarray  # int64, per text (code points)

    @classmethod
    def of(cls, texts: list[str]) -> CodePoints:
        joined = "\n".join(texts)
        codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        starts = np.zeros(len(texts), dtype=np.int64)
        np.cumsum(lengths[:-1] + 1, out=starts[1:])
        return cls(codes, starts, lengths)

    @functools.cached_property
    def classes(self) -> np.ndarray:
        return char_classes()[np.minimum(self.codes, sys.maxunicode)]

    @functools.cached_property
    def _prefix_hash(self) -> np.ndarray:
        n = len(self.codes)
        prefix = np.zeros(n + 1, dtype=np.uint64)
        np.cumsum((self.codes.astype(np.uint64) + np.uint64(1)) * _powers(n)[0][:n], out=prefix[1:])
        return prefix

    def hashes(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """The hash of each span ``[starts[i], ends[i])``: the same for the same characters."""
        return (self._prefix_hash[ends] - self._prefix_hash[starts]) * _powers(len(self.codes))[1][starts]

    def doc_of(self, positions: np.ndarray) -> np.ndarray:
        """The text each position belongs to."""
        return np.searchsorted(self.starts, positions, side="right") - 1


@dataclass
class Tokens:
    """Every word of every text: spans into :class:`CodePoints`, the text each belongs to
    (``offsets[d]:offsets[d + 1]`` are text d's), hashes and classes."""

    starts: np.ndarray
    ends: np.ndarray
    offsets: np.ndarray  # len(texts) + 1
    hashes: np.ndarray  # uint64
    has_letter: np.ndarray  # bool
    is_symbol: np.ndarray  # bool: only punctuation
    words: np.ndarray  # where whitespace-separated words start (a character of unspaced scripts: each)

    @property
    def lengths(self) -> np.ndarray:
        return self.ends - self.starts

    def per_doc(self, values: np.ndarray) -> np.ndarray:
        """Sum ``values`` (one per token) per text."""
        sums = np.zeros(len(self.offsets) - 1, dtype=np.float64 if values.dtype.kind == "f" else np.int64)
        present = np.flatnonzero(np.diff(self.offsets))
        if len(present):
            sums[present] = np.add.reduceat(values, self.offsets[present])
        return sums


def tokenize(text: CodePoints) -> Tokens:
    """The words of every text (see the module docstring for the rules).

    Words are whitespace-separated chunks, cut further only at a character that is neither a
    letter nor a digit (a "candidate", a few percent of the text); so the rules are evaluated
    on the candidates and their neighbours, not on every character.
    """
    codes, cls = text.codes, text.classes
    n = len(codes)
    unspaced = (cls & UNSPACED) != 0
    free = (cls & (SPACE | UNSPACED)) == 0  # characters of whitespace-separated chunks
    edges = np.diff(free.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    chunk_lo = np.flatnonzero(edges == 1)
    chunk_hi = np.flatnonzero(edges == -1)  # exclusive
    cuts = _Cuts(text, free, chunk_lo, chunk_hi)

    start = np.zeros(n + 1, dtype=bool)
    singles = np.flatnonzero(unspaced & ((cls & MARK) == 0))  # a mark stays on its letter
    start[chunk_lo] = True
    start[singles] = True
    words = np.flatnonzero(start[:n])
    start[cuts.positions()] = True
    start[n] = False
    token_starts = np.flatnonzero(start[:n])
    next_start = np.append(token_starts[1:], n)
    chunk = np.cumsum(edges[:n] == 1, dtype=np.int32)[token_starts] - 1  # the chunk of each start
    in_chunk = free[token_starts]
    region_end = np.where(in_chunk, chunk_hi[np.maximum(chunk, 0)] if len(chunk_hi) else n,
                          _single_end(cls, token_starts))
    token_ends = np.minimum(next_start, region_end)

    doc = text.doc_of(token_starts)
    offsets = np.searchsorted(doc, np.arange(len(text.starts) + 1))
    letters = _prefix_counts((cls & LETTER) != 0)
    nonsymbol = _prefix_counts((cls & SYMBOL) == 0)
    return Tokens(
        starts=token_starts, ends=token_ends, offsets=offsets,
        hashes=text.hashes(token_starts, token_ends),
        has_letter=(letters[token_ends] - letters[token_starts]) > 0,
        is_symbol=(nonsymbol[token_ends] - nonsymbol[token_starts]) == 0,
        words=words,
    )


def _prefix_counts(mask: np.ndarray) -> np.ndarray:
    counts = np.zeros(len(mask) + 1, dtype=np.int32)
    np.cumsum(mask, out=counts[1:])
    return counts


def _single_end(cls: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """The end of a word of an unspaced script: the character and up to two marks after it."""
    n = len(cls)
    one = (cls[np.minimum(starts + 1, n - 1)] & MARK) != 0
    two = one & ((cls[np.minimum(starts + 2, n - 1)] & MARK) != 0)
    return np.minimum(starts + 1 + one + two, n)


class _Cuts:
    """Where chunks are cut: at candidates (non-alphanumeric characters inside chunks)."""

    def __init__(self, text: CodePoints, free: np.ndarray, chunk_lo: np.ndarray, chunk_hi: np.ndarray) -> None:
        codes, cls = text.codes, text.classes
        n = len(codes)
        self.text, self.codes, self.n = text, codes, n
        p = np.flatnonzero(free & ((cls & (LETTER | DIGIT)) == 0))
        self.p = p
        k = np.searchsorted(chunk_lo, p, side="right") - 1
        self.k, self.lo, self.hi = k, chunk_lo[k], chunk_hi[k]
        # Neighbours, with nothing (0) beyond the ends of the batch.
        padded_codes = np.concatenate([[0, 0], codes, [0, 0]]).astype(np.uint32)
        padded_cls = np.concatenate([[0, 0], cls, [0, 0]]).astype(cls.dtype)
        self.c, self.me = codes[p], cls[p]
        self.prev, self.prev2 = padded_cls[p + 1], padded_cls[p]
        self.next, self.next2 = padded_cls[p + 3], padded_cls[p + 4]
        self.prev_code, self.next_code = padded_codes[p + 1], padded_codes[p + 3]
        self.next2_code = padded_codes[p + 4]
        self.chunk_lo, self.chunk_hi = chunk_lo, chunk_hi

    def positions(self) -> np.ndarray:
        """Every position where a new word starts inside a chunk (chunk starts excluded)."""
        p, lo, hi = self.p, self.lo, self.hi
        if not len(p):
            return p
        dot = self.c == ord(".")
        prev_dot, next_dot = self.prev_code == ord("."), self.next_code == ord(".")
        dots = dot & (prev_dot | next_dot)
        prev_ok = p != lo  # a character before p in its chunk
        # "." splits off the end only after a lower-case letter, a digit or a sign, or after
        # two capitals ("ABC." but not "U.S." or "W.").
        dot_splits = dot & prev_ok & (_has(self.prev, LOWER | DIGIT | SYMBOL)
                                      | (_has(self.prev, UPPER) & _has(self.prev2, UPPER) & (p - 1 > lo)))
        prefix = _has(self.me, PREFIX) | dots
        suffix = (_has(self.me, SUFFIX) & ~dot) | dot_splits | dots

        # Runs of consecutive candidates; the leading run of a chunk holds its prefixes, the
        # trailing run its suffixes.
        new_run = np.ones(len(p), dtype=bool)
        new_run[1:] = (p[1:] != p[:-1] + 1) | (self.k[1:] != self.k[:-1])
        run = np.cumsum(new_run) - 1
        first_of_run = np.flatnonzero(new_run)
        last_of_run = np.append(first_of_run[1:], len(p)) - 1
        leading = p[first_of_run][run] == lo
        trailing = p[last_of_run][run] == hi - 1
        not_prefix = np.cumsum(~prefix)
        before_run = not_prefix[first_of_run][run] - (~prefix)[first_of_run][run]
        in_prefix = leading & (not_prefix == before_run)
        not_suffix = np.cumsum(~suffix[::-1])[::-1]  # from each candidate to the end
        after_run = not_suffix[last_of_run][run] - (~suffix)[last_of_run][run]
        in_suffix = trailing & ~in_prefix & (not_suffix == after_run)

        # The core of each chunk, between its prefixes and its suffixes.
        core_lo = self.chunk_lo.copy()
        np.maximum.at(core_lo, self.k[in_prefix], p[in_prefix] + 1)
        core_hi = self.chunk_hi.copy()  # exclusive
        np.minimum.at(core_hi, self.k[in_suffix], p[in_suffix])
        self._keep_abbreviations(core_lo, core_hi, in_suffix)

        cuts = [p[(in_prefix | in_suffix) & ~(dots & prev_dot & prev_ok)]]
        ends_prefix = in_prefix & ~(dots & next_dot)
        after_prefix = p[ends_prefix] + 1
        cuts.append(after_prefix[after_prefix < self.hi[ends_prefix]])
        cuts.append(self._infixes(core_lo, core_hi, in_prefix | in_suffix, dots, prev_dot, next_dot))
        return np.concatenate(cuts)

    def _keep_abbreviations(self, core_lo: np.ndarray, core_hi: np.ndarray, in_suffix: np.ndarray) -> None:
        """A chunk whose core plus its first full stop is an abbreviation keeps the stop."""
        p, k = self.p, self.k
        first_stop = in_suffix & (self.c == ord(".")) & (p == core_hi[k]) & (core_lo[k] < p)
        which = k[first_stop]
        if not len(which):
            return
        hashed = self.text.hashes(core_lo[which], core_hi[which] + 1)
        kept = np.isin(hashed, _abbreviation_hashes())
        in_suffix[np.flatnonzero(first_stop)[kept]] = False
        core_hi[which[kept]] += 1

    def _infixes(self, core_lo: np.ndarray, core_hi: np.ndarray, outside: np.ndarray,
                 dots: np.ndarray, prev_dot: np.ndarray, next_dot: np.ndarray) -> np.ndarray:
        """Cuts inside cores: hyphens between letters, signs between digits, ``,`` ``:`` ``/``
        before letters, ``.`` between a lower-case and a capital letter, ellipses, icons,
        clitics. URLs are not cut."""
        p, k, c = self.p, self.k, self.c
        inside = ~outside & (p > core_lo[k]) & (p < core_hi[k]) & ~self._urls(k)
        alnum = LETTER | DIGIT
        hyphen = _has(self.me, HYPHEN)
        prev_hyphen, next_hyphen = _has(self.prev, HYPHEN), _has(self.next, HYPHEN)
        next_letter = _has(self.next, LETTER)
        run_first = hyphen & ~prev_hyphen & _has(self.prev, alnum) & (
            next_letter | (next_hyphen & _has(self.next2, LETTER)))
        run_last = hyphen & next_letter & (_has(self.prev, alnum) | (prev_hyphen & _has(self.prev2, alnum)))
        sign = np.isin(c, _SIGNS)
        digit_sign = sign & _has(self.prev, DIGIT) & (_has(self.next, DIGIT) | (self.next_code == ord("-")))
        comma = (c == ord(",")) & _has(self.prev, LETTER) & next_letter
        colon = _has(self.me, INFIX) & _has(self.prev, alnum) & next_letter
        stop = (c == ord(".")) & _has(self.prev, LOWER) & _has(self.next, UPPER)
        icon = _has(self.me, ICON)
        whole = digit_sign | comma | colon | stop | icon
        before = inside & (run_first | whole | (dots & ~prev_dot))
        after = inside & (run_last | whole | (dots & ~next_dot))
        apostrophe = np.isin(c, _APOSTROPHE_CODES)
        clitics = _clitic_starts(self.codes, p[apostrophe], core_lo, core_hi, k[apostrophe])
        return np.concatenate([p[before], (p + 1)[after & (p + 1 < core_hi[k])], clitics])

    def _urls(self, k: np.ndarray) -> np.ndarray:
        """Per candidate: whether its chunk is a URL (``://`` inside or ``www.`` first)."""
        codes, n = self.codes, self.n
        scheme = (self.c == ord(":")) & (self.next_code == ord("/")) & (self.next2_code == ord("/"))
        url = np.zeros(len(self.chunk_lo), dtype=bool)
        url[k[scheme]] = True
        lo = self.lo  # each candidate's chunk start: only chunks with candidates are looked at
        www = (self.hi - lo) > 4
        for i, char in enumerate("www."):
            www &= codes[np.minimum(lo + i, n - 1)] == ord(char)
        return url[k] | www


_SIGNS = np.array([ord(c) for c in "+-*^"], dtype=np.uint32)


def _has(classes: np.ndarray, bits: int) -> np.ndarray:
    return (classes & bits) != 0


def _clitic_starts(codes: np.ndarray, apostrophes: np.ndarray, core_lo: np.ndarray, core_hi: np.ndarray,
                   chunk: np.ndarray) -> np.ndarray:
    """Where a clitic starts in a core: ``n't`` or ``'s 'm 'd 'll 're 've`` at its end (only
    cores with an apostrophe, at ``apostrophes`` in ``chunk``, are looked at)."""
    first, last = core_lo[chunk], core_hi[chunk] - 1
    keep = (last - first) >= 2  # a word remains before the clitic
    at, first, last = apostrophes[keep], first[keep], last[keep]
    folded = lambda i: codes[i] | 0x20  # noqa: E731  (ASCII letters to lower case)
    nt = (at == last - 1) & (folded(last) == ord("t")) & (folded(last - 2) == ord("n")) & (last - 2 > first)
    one = (at == last - 1) & np.isin(folded(last), [ord(c) for c in "smd"])
    two = (at == last - 2) & np.isin(folded(last - 1) * 256 + folded(last),
                                     [ord(a) * 256 + ord(b) for a, b in ("ll", "re", "ve")]) & (last - 2 > first)
    return np.concatenate([last[nt] - 2, last[one] - 1, last[two] - 2])


_APOSTROPHE_CODES = np.array([ord(c) for c in _APOSTROPHES], dtype=np.uint32)


@functools.cache
def _abbreviation_hashes() -> np.ndarray:
    text = CodePoints.of(ABBREVIATIONS)
    return text.hashes(text.starts, text.starts + text.lengths)


def words_of(texts: list[str]) -> list[list[str]]:
    """The words of each text as strings (for tests and inspection; the rules use arrays)."""
    text = CodePoints.of(texts)
    tokens = tokenize(text)
    joined = "\n".join(texts)
    out = []
    for d in range(len(texts)):
        a, b = tokens.offsets[d], tokens.offsets[d + 1]
        out.append([joined[s:e] for s, e in zip(tokens.starts[a:b], tokens.ends[a:b], strict=True)])
    return out
