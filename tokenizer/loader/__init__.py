"""Streaming loader for GPU trainers: global shuffle, exact mixture weights, exact elastic
resume, over Megatron shard sets on local disks or object storage.

``TokenStream`` is the torch-free numpy iterator; ``StreamingDataset`` and
``StreamingDataLoader`` (in ``tokenizer.loader.torch_dataset``, imported lazily so the numpy
path never imports torch) are its PyTorch face. See ``stream.py`` for the order, the mixture
and the resume arithmetic.
"""

from polycorpus.tokenizer.loader.shardsets import Source
from polycorpus.tokenizer.loader.store import ShardChecksumError
from polycorpus.tokenizer.loader.stream import TokenStream

__all__ = ["ShardChecksumError", "Source", "TokenStream"]
