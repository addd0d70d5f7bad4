"""Programming language of code documents (``code_language`` stage): sets ``code_lang``.

Identification is :func:`stages.code.identify.identify` (file name, extension, content rules
for ambiguous extensions, modelines, shebangs); only ``kind: code`` rows are looked at. The
stage can keep just some languages (``languages``) and drop files it cannot identify
(``drop_unknown``), each with its reason; counters say how files were identified
(``method.extension``, ``method.heuristic``...).
"""

from __future__ import annotations

from collections import Counter

import pyarrow as pa

from polycorpus.stages.base import Stage, StageResult
from polycorpus.stages.code.config import CodeLanguageConfig
from polycorpus.stages.code.identify import identify


class CodeLanguage(Stage[CodeLanguageConfig]):
    name = "code_language"
    Config = CodeLanguageConfig

    def process(self, batch: pa.Table) -> StageResult:
        wanted = set(self.config.languages) if self.config.languages is not None else None
        methods: Counter[str] = Counter()
        languages: list[str | None] = []
        reasons: list[str | None] = []
        rows = zip(batch.column("kind").to_pylist(), batch.column("path").to_pylist(),
                   batch.column("text").to_pylist(), batch.column("code_lang").to_pylist(), strict=True)
        for kind, path, text, current in rows:
            if kind != "code":
                languages.append(current)
                reasons.append(None)
                continue
            found = identify(path or "", text)
            methods[f"method.{found.method}"] += 1
            languages.append(found.language)
            if found.language is None:
                reasons.append("unknown_language" if self.config.drop_unknown else None)
            elif wanted is not None and found.language not in wanted:
                reasons.append("language_not_selected")
            else:
                reasons.append(None)
        index = batch.schema.get_field_index("code_lang")
        table = batch.set_column(index, batch.schema.field(index), pa.array(languages, pa.string()))
        return StageResult(table, drop_reasons=pa.array(reasons, pa.string()), counters=dict(methods))
