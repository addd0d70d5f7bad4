"""PyTorch face of the loader: an ``IterableDataset`` of whole batches and a DataLoader that
keeps the loader's state in the trainer's process.

Each worker builds complete batches (``batch_size=None`` in the DataLoader): nothing is
collated per sample. Inside a worker a batch stays numpy; ``StreamingDataLoader`` passes it
through untouched, so it crosses the process boundary as one pickled message, and turns it
into tensors (zero-copy) in the trainer's process. Torch's own route for tensors costs a
shared-memory segment and a file descriptor per tensor, about ten times slower for batches of
this size on the benchmark machine. A plain DataLoader converts in the worker instead (same
batches, slower transfer).

The dataset copy inside a worker cannot tell the trainer what was consumed, so
``StreamingDataLoader`` advances the trainer-side dataset as it hands batches out: its
``state_dict()`` is the position after the last batch the trainer received, whatever the
workers have prefetched.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, IterableDataset, get_worker_info

from polycorpus.tokenizer.loader.stream import SourceLike, TokenStream


def _distributed(rank: int | None, world_size: int | None) -> tuple[int, int]:
    """Rank and world size from the arguments, else from ``torch.distributed`` if initialised."""
    if rank is not None and world_size is not None:
        return rank, world_size
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return (torch.distributed.get_rank() if rank is None else rank,
                torch.distributed.get_world_size() if world_size is None else world_size)
    return rank or 0, world_size or 1


class StreamingDataset(IterableDataset):
    """``TokenStream`` as a torch ``IterableDataset`` of batches (dicts of tensors).

    Arguments are ``TokenStream``'s; ``rank``/``world_size`` default to
    ``torch.distributed``'s. Use it through ``StreamingDataLoader`` (or a DataLoader with
    ``batch_size=None``).
    """

    def __init__(self, sources: SourceLike | Sequence[SourceLike], *, seq_len: int,
                 batch_size: int, rank: int | None = None, world_size: int | None = None,
                 **options: Any) -> None:
        super().__init__()
        rank, world_size = _distributed(rank, world_size)
        self.stream = TokenStream(sources, seq_len=seq_len, batch_size=batch_size, rank=rank,
                                  world_size=world_size, **options)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        info = get_worker_info()
        if info is not None:  # numpy across the process boundary (module docstring)
            yield from self.stream.iter_batches(info.id, info.num_workers)
            return
        for batch in self.stream.iter_batches():
            yield as_tensors(batch)

    def __len__(self) -> int:
        return len(self.stream)

    def set_epoch(self, epoch: int) -> None:
        self.stream.set_epoch(epoch)

    def state_dict(self) -> dict[str, Any]:
        return self.stream.state_dict()

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.stream.load_state_dict(state)


def as_tensors(batch: dict[str, Any]) -> dict[str, Any]:
    """The batch's arrays as tensors sharing their memory."""
    return {key: torch.from_numpy(value) if isinstance(value, np.ndarray) else value
            for key, value in batch.items()}


def _unchanged(batch: dict[str, Any]) -> dict[str, Any]:
    return batch


class StreamingDataLoader(DataLoader):
    """A DataLoader over a ``StreamingDataset`` whose ``state_dict()`` tracks what was consumed.

    Workers are created per iteration from the dataset as it is then, so they start at the
    current step; persistent workers would keep a stale copy and are refused. Each worker
    keeps up to ``prefetch_factor`` batches (default 16: they are small, and a deep queue
    rides out scheduling delays on a busy machine) ready.
    """

    def __init__(self, dataset: StreamingDataset, num_workers: int = 0, **options: Any) -> None:
        if options.pop("persistent_workers", False):
            raise ValueError("persistent_workers would keep workers at a stale position; the "
                             "loader's workers restart at the current step each epoch")
        if options.pop("batch_size", None) is not None:
            raise ValueError("batches are made by the dataset: set batch_size there")
        if num_workers > 0:
            options.setdefault("prefetch_factor", 16)
        super().__init__(dataset, batch_size=None, num_workers=num_workers,
                         collate_fn=_unchanged, **options)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        stream = self.dataset.stream
        end = stream.epoch_end()
        for batch in super().__iter__():
            stream.step = batch["step"] + 1
            yield as_tensors(batch)
        stream.step = end

    def state_dict(self) -> dict[str, Any]:
        return self.dataset.state_dict()

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.dataset.load_state_dict(state)
