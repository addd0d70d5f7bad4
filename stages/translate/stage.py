"""The ``translate_comments`` stage: code files whose comments are in the target language and
whose code is byte for byte what it was.

Per batch: extract the segments of every code document (:mod:`.extract`), detect each
segment's language, keep those in ``sources``, deduplicate them, look them up in the cache,
send the rest to the backend, judge every translation (:class:`.quality.Gate`), re-insert the
accepted ones (:mod:`.reinsert`) and re-lex the result: a file whose code tokens changed (or a
Python file that no longer compiles) keeps its original text. Translated files are added as
new documents next to the originals (``output: add``, ids derived from the original's,
``meta.translated_from``) or replace them (``output: replace``).

With ``backend: export`` nothing is translated: the unique segments are written to
``RUN/translate/segments/<unit>.parquet`` for ``polycorpus translate export``; ``backend:
import`` later reads the translations back (``translations: file.parquet``).
"""

from __future__ import annotations

import json
import posixpath
from collections import Counter
from typing import Any

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq

from polycorpus.stages.base import (
    SEEN,
    UNTOUCHED,
    Stage,
    StageResult,
    UnitContext,
)
from polycorpus.stages.schema import document_id
from polycorpus.stages.storage import atomic_open
from polycorpus.stages.translate.backends import (
    Backend,
    ImportBackend,
    NullBackend,
    OpenAIBackend,
    TransformersBackend,
    segment_key,
)
from polycorpus.stages.translate.cache import TranslationCache, cache_key
from polycorpus.stages.translate.config import TranslateConfig
from polycorpus.stages.translate.extract import extract, lex, lexer_for
from polycorpus.stages.translate.quality import Gate, SegmentLid, same_language
from polycorpus.stages.translate.reinsert import apply, compiles, render, verify

SEGMENT_SCHEMA = pa.schema([
    pa.field("key", pa.string()), pa.field("text", pa.string()), pa.field("source_lang", pa.string()),
    pa.field("target_lang", pa.string()), pa.field("code_lang", pa.string()), pa.field("count", pa.int64()),
])
SEGMENTS_DIR = "translate/segments"


class TranslateComments(Stage[TranslateConfig]):
    name = "translate_comments"
    Config = TranslateConfig
    applies_to = frozenset({"code"})

    def setup(self) -> None:
        from polycorpus.stages.langid.model import LidModel

        self.lid = SegmentLid(LidModel(), self.config.min_letters)
        self.gate = Gate(**self.config.gate.model_dump())
        self.backend = self._backend()
        self.cache = TranslationCache(self.config.cache)
        self._segments: Counter | None = None
        self._segment_info: dict[str, tuple[str, str, str]] = {}
        self._context: UnitContext | None = None

    def _backend(self) -> Backend:
        c = self.config
        if c.backend == "openai":
            import os

            o = c.openai
            key = os.environ.get(o.api_key_env) if o.api_key_env else None
            return OpenAIBackend(o.base_url, o.model, key, o.batch_size, o.concurrency, o.timeout_s,
                                 o.max_retries, o.backoff_s, o.max_backoff_s, o.temperature, o.max_tokens)
        if c.backend == "transformers":
            t = c.transformers
            return TransformersBackend(c.model_path, t.batch_size, t.max_length, t.num_beams, t.max_new_tokens,
                                       t.source_code, t.target_code, t.threads)
        if c.backend == "import":
            return ImportBackend(c.translations)
        return NullBackend()

    # -- export mode: the unit's unique segments -------------------------------------------

    def begin_unit(self, context: UnitContext) -> None:
        self._context = context
        self._segments = Counter()
        self._segment_info = {}

    def end_unit(self) -> dict[str, Any]:
        if self.config.backend != "export" or self._context is None or self._segments is None:
            return {}
        fs, root = fsspec.core.url_to_fs(self._context.run_url)
        path = posixpath.join(root, SEGMENTS_DIR, f"{self._context.unit}.parquet")
        keys = sorted(self._segments)
        if not keys:
            self._segments = None
            return {}
        info = [self._segment_info[k] for k in keys]
        table = pa.table({
            "key": keys, "text": [i[0] for i in info], "source_lang": [i[1] for i in info],
            "target_lang": [self.config.target] * len(keys), "code_lang": [i[2] for i in info],
            "count": [self._segments[k] for k in keys],
        }, schema=SEGMENT_SCHEMA)
        with atomic_open(fs, path) as handle:
            pq.write_table(table, handle)
        self._segments = None
        return {"segments": len(keys), "path": posixpath.join(SEGMENTS_DIR, f"{self._context.unit}.parquet")}

    def abort_unit(self) -> None:
        self._segments = None

    # -- the batch ---------------------------------------------------------------------------

    def process(self, batch: pa.Table) -> StageResult:
        c = self.config
        counters: Counter[str] = Counter()
        texts = batch.column("text").to_pylist()
        langs = batch.column("code_lang").to_pylist()
        files = []  # (row, segments, tokens, lexer)
        candidates: list[tuple[int, int]] = []  # (file index, segment index)
        counters[SEEN] += len(texts)
        for row, (text, code_lang) in enumerate(zip(texts, langs, strict=True)):
            if text is None or len(text) > c.max_file_chars:
                counters[UNTOUCHED + "too_large"] += 1
                continue
            lexer = lexer_for(code_lang)
            if lexer is None:
                counters[UNTOUCHED + ("no_code_lang" if code_lang is None else "no_lexer")] += 1
                continue
            tokens = lex(lexer, text)
            if tokens is None:
                counters[UNTOUCHED + "unlexable"] += 1
                continue
            segments = extract(text, code_lang, lexer, tokens, c.code_threshold)
            if not segments:
                counters[UNTOUCHED + "no_comments"] += 1
                continue
            files.append((row, segments, tokens, lexer))
            for index, segment in enumerate(segments):
                counters["segments.found"] += 1
                if segment.skip:
                    counters[f"segments.skipped.{segment.skip}"] += 1
                else:
                    candidates.append((len(files) - 1, index))
        detected = self.lid.detect([files[f][1][s].text for f, s in candidates])
        wanted: dict[tuple[int, int], str] = {}
        for (f, s), (lang, _score) in zip(candidates, detected, strict=True):
            code_lang = langs[files[f][0]] or "unknown"
            counters[f"segments.found.lang.{lang}"] += 1
            counters[f"segments.found.code.{code_lang}"] += 1
            if lang == "und":
                counters["segments.skipped.too_short"] += 1
            elif any(same_language(lang, source) for source in c.sources) and not same_language(lang, c.target):
                wanted[(f, s)] = lang
            else:
                counters["segments.skipped.other_language"] += 1
        if idle := len(files) - len({f for f, _ in wanted}):
            counters[UNTOUCHED + "no_comment_to_translate"] += idle
        # Unique (text, language) pairs, then the cache, then the backend.
        unique: dict[tuple[str, str], str] = {}
        for (f, s), lang in wanted.items():
            text = files[f][1][s].text
            unique.setdefault((text, lang), cache_key(text, self.backend.name, self.backend.model, lang, c.target))
        counters["segments.unique"] += len(unique)
        cached = self.cache.get_many(list(unique.values()))
        counters["cache.lookups"] += len(unique)
        counters["cache.hits"] += len(cached)
        missing: dict[str, list[str]] = {}
        for (text, lang), key in unique.items():
            if key not in cached:
                missing.setdefault(lang, []).append(text)
        fresh: dict[str, str] = {}
        for lang, items in sorted(missing.items()):
            results = self.backend.translate(items, lang, c.target)
            for text, result in zip(items, results, strict=True):
                if result is not None:
                    fresh[unique[(text, lang)]] = result
        if c.backend == "export" and self._segments is not None:
            for (f, s), lang in wanted.items():
                key = segment_key(files[f][1][s].text, lang, c.target)
                if key not in self._segment_info:
                    self._segment_info[key] = (files[f][1][s].text, lang, langs[files[f][0]] or "")
                self._segments[key] += 1
        counters.update(self.backend.take_counters())
        translations = {**cached, **fresh}
        # Judge each unique translation once.
        verdicts: dict[str, str | None] = {}
        judged = [(key, text, lang) for (text, lang), key in unique.items()]
        outputs = [translations.get(key) for key, _, _ in judged]
        languages = self.lid.detect([t or "" for t in outputs]) if c.gate.check_language else [None] * len(judged)
        for (key, text, _lang), output, found in zip(judged, outputs, languages, strict=True):
            if c.backend == "export":
                verdicts[key] = "exported"
            else:
                verdicts[key] = self.gate.judge(text, output, c.target, found)
        # The cache keeps what the gate accepts, and forgets what it no longer does.
        self.cache.put_many({key: value for key, value in fresh.items() if verdicts[key] is None})
        self.cache.discard_many([key for key in cached if verdicts[key] is not None])
        # Re-insert per file.
        new_text: dict[int, str] = {}
        per_file: dict[int, int] = {}
        for f, (row, segments, tokens, lexer) in enumerate(files):
            replacements: dict[int, str] = {}
            accepted: list[tuple[str, str]] = []
            for s, segment in enumerate(segments):
                lang = wanted.get((f, s))
                if lang is None:
                    continue
                code_lang = langs[row] or "unknown"
                key = unique[(segment.text, lang)]
                reason = verdicts[key]
                if reason == "exported":
                    counters["segments.exported"] += 1
                    continue
                rendered = render(segment, translations[key]) if reason is None else None
                if reason is None and rendered is None:
                    reason = "empty"
                if reason is not None:
                    counters[f"segments.rejected.{reason}"] += 1
                    counters[f"segments.rejected.lang.{lang}"] += 1
                    counters[f"segments.rejected.code.{code_lang}"] += 1
                    continue
                replacements[s] = rendered
                accepted.append((lang, code_lang))
            if not replacements:
                continue
            text = apply(texts[row], segments, replacements)
            if c.verify:
                python = langs[row] == "Python"
                failed = verify(lexer, tokens, text, python, python and compiles(texts[row]))
                if failed:
                    counters[f"files.{failed}"] += 1
                    counters["segments.rejected.file_check"] += len(accepted)
                    continue
            for lang, code_lang in accepted:
                counters["segments.translated"] += 1
                counters[f"segments.translated.lang.{lang}"] += 1
                counters[f"segments.translated.code.{code_lang}"] += 1
            counters["files.translated"] += 1
            new_text[row] = text
            per_file[row] = len(accepted)
        return self._output(batch, new_text, per_file, counters)

    def _output(self, batch: pa.Table, new_text: dict[int, str], per_file: dict[int, int],
                counters: Counter[str]) -> StageResult:
        c = self.config
        if not new_text:
            return StageResult(batch, counters=dict(counters))
        rows = sorted(new_text)
        ids = batch.column("id").to_pylist()
        sources = batch.column("source").to_pylist()
        metas = batch.column("meta").to_pylist()

        def meta_for(row: int) -> str:
            meta = json.loads(metas[row]) if metas[row] else {}
            meta["translated_from"] = ids[row]
            meta["translation"] = {"target": c.target, "segments": per_file[row], "backend": self.backend.name,
                                   "model": self.backend.model}
            return json.dumps(meta, ensure_ascii=False, sort_keys=True)

        new_ids = [document_id(sources[r], f"{ids[r]}#translated:{c.target}") for r in rows]
        new_meta = [meta_for(r) for r in rows]
        if c.output == "replace":
            id_col = ids[:]
            text_col = batch.column("text").to_pylist()
            meta_col = metas[:]
            for r, new_id, meta in zip(rows, new_ids, new_meta, strict=True):
                id_col[r], text_col[r], meta_col[r] = new_id, new_text[r], meta
            table = batch
            for name, values in (("id", id_col), ("text", text_col), ("meta", meta_col)):
                i = table.column_names.index(name)
                table = table.set_column(i, table.schema.field(name), pa.array(values, table.schema.field(name).type))
            return StageResult(table, counters=dict(counters))
        added = batch.take(pa.array(rows, pa.int64()))
        for name, values in (("id", new_ids), ("text", [new_text[r] for r in rows]), ("meta", new_meta)):
            i = added.column_names.index(name)
            added = added.set_column(i, added.schema.field(name), pa.array(values, added.schema.field(name).type))
        counters["documents.added"] += len(rows)
        return StageResult(pa.concat_tables([batch, added]), counters=dict(counters), split=True)
