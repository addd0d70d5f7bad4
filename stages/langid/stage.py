"""The ``langid`` stage: label every document with its language, keep the chosen ones.

Output columns: ``lang`` (ISO 639-1 where the model has it, Chinese as ``zh-Hans`` /
``zh-Hant``), ``lang_score`` and ``lang_top`` (the top-k labels with scores). With
``granularity: paragraph`` every paragraph is identified too, ``lang_shares`` records the
share of the text in each language, and a mixed-language page is kept, split into one
document per language, or dropped, as configured.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from polycorpus.stages.base import Stage, StageResult
from polycorpus.stages.columns import set_column
from polycorpus.stages.langid.config import LangIdConfig
from polycorpus.stages.langid.model import LidModel
from polycorpus.stages.langid.paragraphs import (
    SHARES_TYPE,
    paragraph_languages,
    split_by_language,
)
from polycorpus.stages.langid.prepare import has_letters, prepare
from polycorpus.stages.langid.script import chinese_scripts, has_kana
from polycorpus.stages.langid.thresholds import threshold_for

TOP_TYPE = pa.list_(pa.struct([("lang", pa.string()), ("score", pa.float32())]))

#: A "Japanese" text without kana is Chinese: ja and zh trade places in its top-k.
_KANA_SWAP = {"ja": "zh", "zh": "ja"}

#: Drop reasons.
NO_TEXT, LOW_SCORE, NOT_KEPT, MIXED = "no_text", "low_score", "not_kept", "mixed_language"


class LangId(Stage[LangIdConfig]):
    name = "langid"
    Config = LangIdConfig
    applies_to = frozenset({"web", "text"})  # prose rules would misjudge source code

    def setup(self) -> None:
        self.model = LidModel(self.config.model_path, self.config.label_map)

    def added_columns(self) -> dict[str, pa.DataType]:
        paragraphs = self.config.granularity == "paragraph"
        return {"lang_top": TOP_TYPE, **({"lang_shares": SHARES_TYPE} if paragraphs else {})}

    def identify(self, text: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, pa.Array, pa.Array]:
        """``(lang, lang_score, lang_top)`` for each text; null lang where it has no letters."""
        config = self.config
        prepared = prepare(text, max_chars=config.max_chars, normalize=config.normalize)
        letters = has_letters(prepared).fill_null(False)
        rows = np.flatnonzero(letters.to_numpy(zero_copy_only=False))
        lines = prepared.take(rows).to_pylist()
        predictions = self.model.predict(lines, config.top_k)
        top_labels = predictions.labels
        if config.kana_check:
            for i, labels in enumerate(top_labels):
                if labels[0] == "ja" and not has_kana(lines[i]):
                    top_labels[i] = [_KANA_SWAP.get(x, x) for x in labels]
        chinese = [i for i, labels in enumerate(top_labels) if "zh" in labels] if config.chinese_script else []
        for i, script in zip(chinese, chinese_scripts([lines[i] for i in chinese]), strict=True):
            top_labels[i] = [script if x == "zh" else x for x in top_labels[i]]
        n = len(prepared)
        lang = np.full(n, None, dtype=object)
        lang[rows] = [row[0] for row in top_labels]
        score = np.zeros(n, dtype=np.float32)
        score[rows] = predictions.scores[:, 0] if len(rows) else []
        top = _top_column(n, rows, top_labels, predictions.scores)
        return pa.array(lang, pa.string()), pa.array(score, pa.float32()), top

    def process(self, batch: pa.Table) -> StageResult:
        config = self.config
        lang, score, top = self.identify(batch.column("text"))
        table = set_column(set_column(set_column(batch, "lang", lang), "lang_score", score), "lang_top", top)
        counters: dict[str, int] = {}
        mixed = pa.nulls(batch.num_rows, pa.bool_())
        if config.granularity == "paragraph":
            found = paragraph_languages(self.identify, batch.column("text"), lang, score, config.paragraphs)
            table = set_column(table, "lang_shares", found.shares)
            table = set_column(set_column(table, "lang", found.lang), "lang_score", found.score)
            mixed = found.mixed
            counters["mixed_pages"] = pc.sum(mixed).as_py() or 0
            if config.paragraphs.mixed == "split" and counters["mixed_pages"]:
                table = split_by_language(table, found)
                counters["split_parts"] = table.num_rows - batch.num_rows + counters["mixed_pages"]
                return StageResult(table, self._reasons(table, None), counters, split=True)
        return StageResult(table, self._reasons(table, mixed), counters)

    def _reasons(self, table: pa.Table, mixed: pa.Array | None) -> pa.Array | None:
        """The drop reason of each row (null keeps it), or None in annotate mode."""
        config = self.config
        if config.mode == "annotate":
            return None
        lang, score = table.column("lang"), table.column("lang_score")
        langs = [x for x in pc.unique(lang).to_pylist() if x is not None]
        limits = [threshold_for(x, config.thresholds, config.min_score) for x in langs]
        position = pc.index_in(lang, pa.array(langs, pa.string()))
        reasons = pc.if_else(pc.less(score, pc.take(pa.array(limits, pa.float32()), position)),
                             LOW_SCORE, pa.scalar(None, pa.string()))
        if config.keep is not None:
            kept = [x for x in langs if x in config.keep or x.split("-", 1)[0] in config.keep]
            reasons = pc.if_else(pc.is_in(lang, pa.array(kept, pa.string())), reasons, NOT_KEPT)
        if mixed is not None and config.paragraphs.mixed == "drop":
            reasons = pc.if_else(mixed.fill_null(False), MIXED, reasons)
        reasons = pc.if_else(pc.is_null(lang), NO_TEXT, reasons)
        return reasons.combine_chunks() if isinstance(reasons, pa.ChunkedArray) else reasons


def _top_column(n: int, rows: np.ndarray, labels: list[list[str]], scores: np.ndarray) -> pa.Array:
    """``lang_top`` as list<struct<lang, score>>: up to k entries per predicted row (fastText
    leaves out labels of probability 0), empty for rows without a prediction."""
    lengths = np.array([len(row) for row in labels], dtype=np.int32)
    sizes = np.zeros(n, dtype=np.int32)
    sizes[rows] = lengths
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int32)
    present = np.arange(scores.shape[1]) < lengths[:, None] if len(labels) else np.zeros_like(scores, dtype=bool)
    values = pa.StructArray.from_arrays(
        [pa.array([label for row in labels for label in row], pa.string()), pa.array(scores[present], pa.float32())],
        fields=list(TOP_TYPE.value_type),
    )
    return pa.ListArray.from_arrays(pa.array(offsets), values, type=TOP_TYPE)
