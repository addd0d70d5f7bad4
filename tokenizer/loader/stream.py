"""The loader itself, torch-free: a global order over the windows of weighted shard sets,
cut into per-rank batches, with a state of three numbers.

Order (DESIGN.md decision 7). The stream is an endless sequence of global positions. The
interleave (``interleave.py``) says which mixture source feeds position ``p`` and that it is
that source's ``k``-th sample; the source's windows are consumed in passes, pass
``e = k // N`` visiting window ``perm_e(k % N)`` with a Feistel permutation keyed by
``(seed, source, e)`` (``permutation.py``). So every window of a source is delivered exactly
once per pass and each pass is shuffled afresh, and position -> window is pure arithmetic: no
index of the epoch exists anywhere. Without weights all shard sets form one source, so one
pass is one shuffled epoch over all their windows.

Batches. Global step ``g`` covers positions ``[g * G, (g + 1) * G)`` with ``G = batch_size *
world_size``; rank ``r`` takes the ``r``-th run of ``batch_size`` positions, and DataLoader
worker ``w`` of ``W`` produces the rank's steps ``start + w, start + w + W, ...``, the order in
which PyTorch's DataLoader hands them out. An epoch is ``samples_per_epoch // G`` steps.

State. ``{step, global_batch_size, seed, config}``: the next global step is the whole
position. Any world size and worker count derive their slices from it, so a restart, a
different number of GPUs (at the same global batch) or of workers continues with exactly
the batches an uninterrupted run would have produced.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from polycorpus.tokenizer.loader.interleave import Interleave
from polycorpus.tokenizer.loader.permutation import FeistelPermutation, derive_key
from polycorpus.tokenizer.loader.samples import (
    Fim,
    apply_fim,
    code_segments,
    loss_mask,
    position_ids,
)
from polycorpus.tokenizer.loader.shardsets import Mode, ShardSet, Source
from polycorpus.tokenizer.loader.store import ShardStore, Verify

STATE_FORMAT = "polycorpus-loader-state/1"
LOCATE_BLOCK = 32  # steps whose sample origins are computed in one vectorised call
SourceLike = Source | str | os.PathLike[str] | tuple[str, float]


def as_sources(sources: SourceLike | Sequence[SourceLike]) -> list[Source]:
    """Accept one source or several, as ``Source``, a path/URL, or ``(path, weight)``."""
    if isinstance(sources, (str, os.PathLike, Source)) or (
            isinstance(sources, tuple) and len(sources) == 2 and isinstance(sources[1], (int, float))):
        sources = [sources]  # type: ignore[list-item]
    out = []
    for source in sources:  # type: ignore[union-attr]
        if isinstance(source, Source):
            out.append(source)
        elif isinstance(source, tuple):
            out.append(Source(os.fspath(source[0]), source[1]))
        else:
            out.append(Source(os.fspath(source)))
    if not out:
        raise ValueError("the loader needs at least one shard set")
    weighted = [s.weight is not None for s in out]
    if any(weighted) and not all(weighted):
        raise ValueError("give a weight to every shard set or to none (none: one shuffled set)")
    return out


class TokenStream:
    """Packed (or document-aligned) token batches for one rank, as numpy arrays.

    Iterating yields the rest of the current epoch, one dict per step: ``tokens``
    (``[batch_size, seq_len + 1]``, the shard dtype: uint16 or int32), ``step``, ``epoch``,
    and on request ``position_ids`` (int32, ``[batch_size, seq_len]``) and ``loss_mask``
    (bool, same shape; labels are ``tokens[:, 1:]``).
    """

    def __init__(self, sources: SourceLike | Sequence[SourceLike], *, seq_len: int,
                 batch_size: int, seed: int = 0, rank: int = 0, world_size: int = 1,
                 mode: Mode = "packed", return_position_ids: bool = False,
                 return_loss_mask: bool = False, mask_eod_loss: bool = False,
                 fim_rate: float = 0.0, fim_spm_rate: float = 0.5,
                 samples_per_epoch: int | None = None, verify: Verify = "once",
                 cache_dir: str | os.PathLike[str] | None = None,
                 cache_max_bytes: int | None = None) -> None:
        if seq_len < 1 or batch_size < 1:
            raise ValueError(f"seq_len and batch_size must be positive ({seq_len}, {batch_size})")
        if not 0 <= rank < world_size:
            raise ValueError(f"rank {rank} is outside a world of {world_size}")
        if not (0.0 <= fim_rate <= 1.0 and 0.0 <= fim_spm_rate <= 1.0):
            raise ValueError(f"FIM rates must lie in [0, 1] ({fim_rate}, {fim_spm_rate})")
        self.sources = as_sources(sources)
        self.seq_len, self.batch_size, self.seed = seq_len, batch_size, seed
        self.rank, self.world_size = rank, world_size
        self.global_batch_size = batch_size * world_size
        self.return_position_ids, self.return_loss_mask = return_position_ids, return_loss_mask
        self.mask_eod_loss = mask_eod_loss
        self.store = ShardStore(cache_dir, cache_max_bytes, verify)
        self.sets = [ShardSet(s.path, self.store, seq_len, mode) for s in self.sources]
        self._check_tokenizers()
        tokenizer = self.sets[0].manifest.tokenizer
        self.dtype = self.sets[0].dtype
        self.eod = tokenizer.eod_id
        self.pad = tokenizer.pad_id if tokenizer.pad_id is not None else tokenizer.eod_id
        self.mode = mode
        self.fim = self._fim(fim_rate, fim_spm_rate)
        weighted = self.sources[0].weight is not None
        self.groups = [[i] for i in range(len(self.sets))] if weighted else [list(range(len(self.sets)))]
        self.group_windows = [sum(self.sets[i].num_windows for i in g) for g in self.groups]
        self.group_set_starts = [np.cumsum([0] + [self.sets[i].num_windows for i in g]) for g in self.groups]
        self.interleave = Interleave([s.weight for s in self.sources] if weighted else [1],
                                     self.store.cache_dir)
        self.samples_per_epoch = samples_per_epoch or sum(self.group_windows)
        self.steps_per_epoch = self.samples_per_epoch // self.global_batch_size
        if self.steps_per_epoch < 1:
            raise ValueError(f"an epoch of {self.samples_per_epoch} samples holds no global batch "
                             f"of {self.global_batch_size}")
        self.config = self._config()
        self.step = 0
        self._permutations: dict[tuple[int, int], FeistelPermutation] = {}

    # -- construction helpers -----------------------------------------------------------------

    def _check_tokenizers(self) -> None:
        first = self.sets[0]
        for other in self.sets[1:]:
            a, b = first.manifest.tokenizer, other.manifest.tokenizer
            if a.identity != b.identity or first.dtype != other.dtype:
                raise ValueError(
                    f"shard sets made with different tokenizers cannot be mixed: {first.url} uses "
                    f"{a.name} ({a.identity[:12]}, {first.dtype}), {other.url} uses {b.name} "
                    f"({b.identity[:12]}, {other.dtype})")

    def _fim(self, rate: float, spm_rate: float) -> Fim | None:
        if rate == 0.0 or not any(s.is_code.any() for s in self.sets):
            return None
        ids = self.sets[0].manifest.tokenizer.fim
        if ids is None:
            raise ValueError(f"fim_rate={rate} but the tokenizer of {self.sets[0].url} has no "
                             "<fim_prefix>/<fim_middle>/<fim_suffix> tokens")
        return Fim(rate, spm_rate, ids.prefix, ids.middle, ids.suffix)

    def _config(self) -> dict[str, Any]:
        """What the order depends on; a state only loads into a loader with the same."""
        return {
            "sources": [{"path": s.path, "weight": str(w), "shards": hashlib.sha256(
                "".join(sh.sha256["bin"] for sh in ss.shards).encode()).hexdigest()[:16]}
                for s, ss, w in zip(self.sources, self.sets, self._weights_repr(), strict=True)],
            "seq_len": self.seq_len, "mode": self.mode,
            "fim": None if self.fim is None else [self.fim.rate, self.fim.spm_rate],
            "samples_per_epoch": self.samples_per_epoch,
        }

    def _weights_repr(self) -> list[Any]:
        if self.sources[0].weight is None:
            return [None] * len(self.sources)
        return [self.interleave.fractions[i] for i in range(len(self.sources))]

    # -- order --------------------------------------------------------------------------------

    @property
    def epoch(self) -> int:
        return self.step // self.steps_per_epoch

    def set_epoch(self, epoch: int) -> None:
        """Jump to the start of ``epoch`` (O(1): the order is arithmetic)."""
        self.step = epoch * self.steps_per_epoch

    def _permutation(self, group: int, pass_: int) -> FeistelPermutation:
        key = (group, pass_)
        perm = self._permutations.get(key)
        if perm is None:
            if len(self._permutations) > 64:
                self._permutations.clear()
            perm = self._permutations[key] = FeistelPermutation(
                self.group_windows[group], derive_key("order", self.seed, group, pass_))
        return perm

    def locate(self, steps: int | Sequence[int]) -> dict[str, np.ndarray]:
        """Where this rank's samples of global step(s) ``steps`` come from: mixture source
        (``group``), its ``pass``, the shard set and the window in it; one row per sample,
        steps after one another. Many steps at once amortise numpy's per-call cost."""
        steps = np.atleast_1d(np.asarray(steps, dtype=np.int64))
        first = steps * self.global_batch_size + self.rank * self.batch_size
        positions = (first[:, None] + np.arange(self.batch_size)).reshape(-1)
        groups, ranks = self.interleave.locate(positions)
        passes = np.empty_like(ranks)
        sets = np.empty_like(ranks)
        windows = np.empty_like(ranks)
        for group in np.unique(groups).tolist():
            chosen = np.flatnonzero(groups == group)
            group_passes, index = np.divmod(ranks[chosen], self.group_windows[group])
            permuted = np.empty_like(index)
            for pass_ in np.unique(group_passes).tolist():
                same = group_passes == pass_
                permuted[same] = self._permutation(group, pass_)(index[same])
            starts = self.group_set_starts[group]
            member = np.searchsorted(starts, permuted, side="right") - 1
            passes[chosen] = group_passes
            sets[chosen] = np.asarray(self.groups[group])[member]
            windows[chosen] = permuted - starts[member]
        return {"group": groups, "pass": passes, "set": sets, "window": windows}

    # -- batches ------------------------------------------------------------------------------

    def batch(self, step: int, where: dict[str, np.ndarray] | None = None) -> dict[str, Any]:
        """This rank's batch of global step ``step`` (a pure function of the step);
        ``where`` is ``locate(step)`` when the caller computed it already."""
        where = self.locate(step) if where is None else where
        tokens = np.empty((self.batch_size, self.seq_len + 1), dtype=self.dtype)
        lengths = np.full(self.batch_size, self.seq_len + 1, dtype=np.int64)
        packed, sets, fim = self.mode == "packed", self.sets, self.fim is not None
        for row, (set_index, window) in enumerate(zip(where["set"].tolist(),
                                                      where["window"].tolist(), strict=True)):
            if packed:
                pieces = sets[set_index].read_packed(window, tokens[row])
            else:
                length, is_code = sets[set_index].read_document(window, tokens[row], self.pad)
                lengths[row] = length
                pieces = [(0, length, is_code)]
            if fim and any(is_code for *_, is_code in pieces):
                self._fim_row(tokens[row], pieces, lengths[row], where, row)
        out: dict[str, Any] = {"tokens": tokens, "step": step, "epoch": step // self.steps_per_epoch}
        if self.return_position_ids:
            out["position_ids"] = position_ids(tokens, self.eod)
        if self.return_loss_mask:
            out["loss_mask"] = loss_mask(tokens, lengths, self.eod, self.mask_eod_loss)
        return out

    def _fim_row(self, row: np.ndarray, pieces: list[tuple[int, int, bool]], length: int,
                 where: dict[str, np.ndarray], i: int) -> None:
        real = row[:length]
        segments = code_segments(real, self.eod, pieces)
        if segments:
            key = derive_key("fim", self.seed, int(where["group"][i]), int(where["pass"][i]),
                             int(where["set"][i]), int(where["window"][i]))
            apply_fim(real, segments, self.fim, key)

    def epoch_end(self, step: int | None = None) -> int:
        """The first step of the epoch after the one ``step`` (default: the next step) is in."""
        step = self.step if step is None else step
        return (step // self.steps_per_epoch + 1) * self.steps_per_epoch

    def iter_batches(self, worker: int = 0, num_workers: int = 1) -> Iterator[dict[str, Any]]:
        """The rest of the current epoch; with workers, this worker's share of it, in order."""
        start, end = self.step, self.epoch_end()
        mine = range(start + worker, end, num_workers)
        size = self.batch_size
        for block in range(0, len(mine), LOCATE_BLOCK):
            steps = mine[block: block + LOCATE_BLOCK]
            where = self.locate(list(steps))
            for i, step in enumerate(steps):
                batch = self.batch(step, {k: v[i * size: (i + 1) * size] for k, v in where.items()})
                self.step = step + 1
                yield batch
        self.step = end

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self.iter_batches()

    def __len__(self) -> int:
        """Steps left in the current epoch."""
        return self.epoch_end() - self.step

    # -- state --------------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        return {"format": STATE_FORMAT, "step": self.step, "epoch": self.epoch,
                "position": self.step * self.global_batch_size,
                "global_batch_size": self.global_batch_size, "seed": self.seed,
                "config": json.loads(json.dumps(self.config, default=str))}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Continue from ``state``; refuses one that would not reproduce the same stream."""
        if state.get("format") != STATE_FORMAT:
            raise ValueError(f"not a loader state (format {state.get('format')!r})")
        mine = json.loads(json.dumps(self.config, default=str))
        changed = sorted(k for k in set(mine) | set(state["config"])
                         if mine.get(k) != state["config"].get(k))
        if changed:
            raise ValueError(f"the state was saved by a loader with different {', '.join(changed)}: "
                             f"saved {[state['config'].get(k) for k in changed]}, "
                             f"now {[mine.get(k) for k in changed]}")
        if state["seed"] != self.seed:
            raise ValueError(f"the state was saved with seed {state['seed']}, this loader has {self.seed}")
        if state["global_batch_size"] != self.global_batch_size:
            raise ValueError(
                f"the state was saved at global batch size {state['global_batch_size']} "
                f"(batch_size x world_size), this loader has {self.global_batch_size}: exact "
                "resume needs the same global batch")
        self.step = int(state["step"])
