"""The shape shared by every rule family: options, measured signals and threshold rules.

A family (Gopher quality, Gopher repetition, C4, FineWeb, Chinese web) measures a few
*signals* per document and has *rules* that compare one signal with one option. Measuring
and deciding are separate on purpose (dolma, data-juicer): the signals are stored in the
``quality_signals`` column, so thresholds can be changed and re-applied to stored signals
without recomputing anything. Options that change what is measured (a stop-word list, the
length of a "short" line) are marked as measurement parameters in their descriptions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pyarrow as pa

from polycorpus.stages.quality.batch import TextBatch
from polycorpus.stages.quality.config import FamilyOptions

#: A family's measurement of a batch: per signal, one value per text (NaN: not measured).
Signals = dict[str, np.ndarray]


@dataclass(frozen=True)
class Rule:
    """Drop when ``signal`` is below (``min``) or above (``max``) the option's value.

    ``inclusive`` rules also drop at equality (FineWeb's published comparisons). An option
    set to null disables its rule.
    """

    option: str
    signal: str
    bound: Literal["min", "max"]
    inclusive: bool = False


@dataclass(frozen=True)
class Family:
    """A rule family: its name (the config key and reason prefix), options, signals, rules.

    ``measure(batch, options, lang)`` measures texts of one language: it returns the
    family's signals and, for families that remove lines (C4), each text without them (None
    where nothing goes; None for the whole batch when nothing does).
    """

    name: str
    options: type[FamilyOptions]
    signals: dict[str, pa.DataType]
    rules: tuple[Rule, ...]
    measure: Callable[[TextBatch, Any, str | None], tuple[Signals, list[str | None] | None]]

    @property
    def signal_type(self) -> pa.StructType:
        return pa.struct(list(self.signals.items()))

    def reason(self, rule: Rule) -> str:
        """Each rule has its own drop reason, ``<family>.<option>``."""
        return f"{self.name}.{rule.option}"

