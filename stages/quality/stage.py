"""The ``quality`` stage: Gopher, C4, FineWeb and Chinese web rules in one pass.

Every document is measured once (its words, lines and paragraphs are shared by all rule
families, and computed for many documents at once as arrays), the signals go to the
``quality_signals`` struct column (one sub-struct per family), and the decisions are taken
from that column with Arrow comparisons, per language. So the same stage can re-decide
documents annotated earlier: with ``reuse_signals`` (the default) a batch that already has
``quality_signals`` is not measured again, only judged with the thresholds of the current
config.

Each rule drops with its own reason, ``<family>.<option>`` (the first failing rule in
family order wins); ``annotate`` mode drops nothing and counts in the statistics'
counters, per rule, the documents that would fail it (``flagged.<reason>``).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from polycorpus.stages.base import Stage, StageResult
from polycorpus.stages.columns import set_column
from polycorpus.stages.quality.batch import TextBatch
from polycorpus.stages.quality.c4 import C4
from polycorpus.stages.quality.chinese import CHINESE
from polycorpus.stages.quality.config import (
    FamilyOptions,
    QualityConfig,
)
from polycorpus.stages.quality.fineweb import FINEWEB
from polycorpus.stages.quality.gopher import GOPHER_QUALITY, GOPHER_REPETITION
from polycorpus.stages.quality.rules import Family, Rule

FAMILIES: tuple[Family, ...] = (GOPHER_QUALITY, GOPHER_REPETITION, C4, FINEWEB, CHINESE)
SIGNALS_COLUMN = "quality_signals"
TOO_LONG = "too_long"
SIGNALS_TYPE = pa.struct([(family.name, family.signal_type) for family in FAMILIES])
#: Texts measured at a time: the arrays of a few hundred pages stay in the CPU's caches.
MEASURE_ROWS = 256


class Quality(Stage[QualityConfig]):
    name = "quality"
    Config = QualityConfig
    applies_to = frozenset({"web", "text"})  # prose rules would misjudge source code

    def setup(self) -> None:
        self._options: dict[tuple[str, str | None], FamilyOptions] = {}

    def added_columns(self) -> dict[str, pa.DataType]:
        return {SIGNALS_COLUMN: SIGNALS_TYPE}

    def options(self, family: Family, lang: str | None) -> FamilyOptions:
        key = (family.name, lang)
        if key not in self._options:
            self._options[key] = self.config.options_for(family.name, lang)
        return self._options[key]

    def measure(self, column: pa.Array, texts: list[str], langs: list[str | None]) -> tuple[pa.Array, list[str | None]]:
        """The signals of every document, and the C4-filtered text where lines would go.

        The texts of each language are measured together as arrays (a family's options, and
        so what it measures, can differ per language), :data:`MEASURE_ROWS` at a time.
        ``texts`` are the ``column``'s strings."""
        size = len(texts)
        values = {f.name: {name: np.full(size, np.nan) for name in f.signals} for f in FAMILIES}
        changed: list[str | None] = [None] * size
        for lang, group in _by_language(texts, langs, self.config.max_chars):
            for rows in np.array_split(group, -(-len(group) // MEASURE_ROWS)):
                self._measure_rows(TextBatch([texts[i] for i in rows], column.take(rows)), lang, rows, values, changed)
        families = [
            pa.StructArray.from_arrays([pa.array(values[family.name][name], from_pandas=True).cast(type_)
                                        for name, type_ in family.signals.items()],
                                       fields=list(family.signal_type))
            for family in FAMILIES
        ]
        return pa.StructArray.from_arrays(families, fields=list(SIGNALS_TYPE)), changed

    def _measure_rows(self, batch: TextBatch, lang: str | None, rows: np.ndarray,
                      values: dict[str, dict[str, np.ndarray]], changed: list[str | None]) -> None:
        for family in FAMILIES:
            options = self.options(family, lang)
            if not options.applies_to(lang):
                continue
            signals, replaced = family.measure(batch, options, lang)
            for name, column in signals.items():
                values[family.name][name][rows] = column
            for row, text in zip(rows, replaced or (), strict=False):
                if text is not None:
                    changed[row] = text

    def decide(self, signals: pa.Array, lang: pa.Array) -> tuple[pa.Array, dict[str, int]]:
        """The first failing rule of each document (null: passes), and per-rule fail counts."""
        langs = pc.unique(lang).to_pylist()
        position = pc.index_in(lang, pa.array(langs, pa.string()), skip_nulls=False)
        reasons = pa.nulls(len(signals), pa.string())
        failures: dict[str, int] = {}
        for family in reversed(FAMILIES):
            values = pc.struct_field(signals, family.name)
            for rule in reversed(family.rules):
                limits = [_threshold(self.options(family, x), rule) for x in langs]
                if all(limit is None for limit in limits):
                    continue
                limit = pc.take(pa.array(limits, pa.float64()), position)
                fails = _fails(pc.struct_field(values, rule.signal), limit, rule).fill_null(False)
                count = pc.sum(fails).as_py() or 0
                if count:
                    failures[family.reason(rule)] = count
                    reasons = pc.if_else(fails, family.reason(rule), reasons)
        return reasons, failures

    def process(self, batch: pa.Table) -> StageResult:
        config = self.config
        lang = batch.column("lang").combine_chunks()
        texts = None
        if config.reuse_signals and SIGNALS_COLUMN in batch.column_names:
            signals = batch.column(SIGNALS_COLUMN).combine_chunks().cast(SIGNALS_TYPE)
        else:
            column = batch.column("text").combine_chunks()
            texts = column.to_pylist()
            signals, changed = self.measure(column, texts, lang.to_pylist())
        reasons, failures = self.decide(signals, lang)
        if config.max_chars is not None:
            too_long = pc.greater(pc.utf8_length(batch.column("text")), config.max_chars).combine_chunks()
            if count := pc.sum(too_long).as_py():
                failures[TOO_LONG] = count
                reasons = pc.if_else(too_long, TOO_LONG, reasons)
        table = set_column(batch, SIGNALS_COLUMN, signals)
        if config.mode == "annotate":
            return StageResult(table, None, {f"flagged.{r}": n for r, n in sorted(failures.items())})
        counters = {}
        if texts is not None and any(x is not None for x in changed):
            kept = reasons.is_null().to_pylist()
            new = [c if c is not None and keep else t for t, c, keep in zip(texts, changed, kept, strict=True)]
            counters["c4.documents_with_lines_removed"] = sum(
                1 for c, keep in zip(changed, kept, strict=True) if c is not None and keep)
            table = set_column(table, "text", pa.array(new, pa.string()))
        return StageResult(table, reasons, counters)


def _by_language(texts: list[str], langs: list[str | None], limit: int | None) -> list[tuple[str | None, np.ndarray]]:
    """The rows of each language, without texts over ``limit`` characters (not measured)."""
    groups: dict[str | None, list[int]] = {}
    for row, (text, lang) in enumerate(zip(texts, langs, strict=True)):
        if limit is None or len(text) <= limit:
            groups.setdefault(lang, []).append(row)
    return [(lang, np.array(rows, dtype=np.int64)) for lang, rows in groups.items()]


def _threshold(options: FamilyOptions, rule: Rule) -> float | None:
    if not options.enabled:
        return None
    value = getattr(options, rule.option)
    if isinstance(value, bool):  # a rule switched on or off: "drop when present"
        return 0.0 if value else None
    return None if value is None else float(value)


def _fails(values: pa.Array, limit: pa.Array, rule: Rule) -> pa.Array:
    if rule.bound == "min":
        return (pc.less_equal if rule.inclusive else pc.less)(values, limit)
    return (pc.greater_equal if rule.inclusive else pc.greater)(values, limit)
