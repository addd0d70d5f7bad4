"""translate_comments against a real OpenAI-compatible HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyarrow as pa
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from translate_server import FakeOpenAI

from polycorpus.stages.code.identify import identify
from polycorpus.stages.schema import document_id, documents_table
from polycorpus.stages.translate.backends import OpenAIBackend
from polycorpus.stages.translate.config import TranslateConfig
from polycorpus.stages.translate.extract import code_tokens, extract, lex, lexer_for
from polycorpus.stages.translate.reinsert import compiles
from polycorpus.stages.translate.stage import TranslateComments

SOURCE = '''"""Helpers that compute the answers to the usual questions."""

import os  # noqa: F401


def answer(question_text):
    # Compute the answer to the question
    # that everybody keeps asking.
    value = len(question_text)  # the length is a good answer
    # Compute the answer to the question
    # that everybody keeps asking.
    return value
'''
JS = "// Return the sum of two numbers.\nfunction add(a, b) { /* add them */ return a + b; }\n"


def make_stage(server: FakeOpenAI, tmp_path: Path | None = None, **options) -> TranslateComments:
    openai = {"base_url": server.base_url, "model": "fake", "batch_size": 4, "concurrency": 2,
              "backoff_s": 0.01, "timeout_s": 2.0, **options.pop("openai", {})}
    config = TranslateConfig(name="translate_comments", backend="openai", openai=openai, **options)
    config.check()
    stage = TranslateComments(config)
    stage.setup()
    return stage


def docs(files: list[tuple[str, str, str]]) -> pa.Table:
    return documents_table([{"id": document_id("t", path), "text": text, "source": "t", "kind": "code",
                             "priority": 0, "path": path, "code_lang": lang} for path, text, lang in files])


def test_translates_and_keeps_code(tmp_path: Path) -> None:
    with FakeOpenAI() as server:
        stage = make_stage(server)
        batch = docs([("a.py", SOURCE, "Python"), ("b.js", JS, "JavaScript")])
        result = stage.process(batch)
    assert result.split and result.table.num_rows == 4
    added = result.table.slice(2).to_pylist()
    original_ids = batch.column("id").to_pylist()
    for row, original in zip(added, batch.to_pylist(), strict=True):
        assert json.loads(row["meta"])["translated_from"] == original["id"]
        assert row["id"] == document_id("t", f"{original['id']}#translated:zh-Hans")
        assert row["id"] not in original_ids
        lexer = lexer_for(row["code_lang"])
        assert code_tokens(lex(lexer, row["text"])) == code_tokens(lex(lexer, original["text"]))
    python = added[0]["text"]
    assert compiles(python) and "Compute" not in python and "# noqa: F401" in python
    assert "  # " in python and "value = len(question_text)" in python
    c = result.counters
    assert c["segments.skipped.directive"] == 1
    assert c["segments.translated"] == 6 and c["files.translated"] == 2
    # The repeated comment is one unique segment: 5 unique in 6 translated.
    assert c["segments.unique"] == 5 and server.items == 5
    assert server.requests <= -(-5 // 4) + 1  # two languages pairs at most one extra batch
    assert c["segments.translated.code.Python"] == 4 and c["segments.translated.lang.en"] == 6


def test_replace_mode_and_cache_across_runs(tmp_path: Path) -> None:
    cache = str(tmp_path / "cache.sqlite")
    with FakeOpenAI() as server:
        first = make_stage(server, cache=cache, output="replace").process(docs([("a.py", SOURCE, "Python")]))
        assert first.table.num_rows == 1 and not first.split
        assert json.loads(first.table.column("meta")[0].as_py())["translated_from"] == document_id("t", "a.py")
        requests = server.requests
        second = make_stage(server, cache=cache, output="replace").process(docs([("a.py", SOURCE, "Python")]))
        assert server.requests == requests  # every segment came from the cache
        assert second.counters["cache.hits"] == second.counters["cache.lookups"] == 3
        assert second.table.column("text").to_pylist() == first.table.column("text").to_pylist()


def test_the_cache_keeps_only_what_the_gate_accepts(tmp_path: Path) -> None:
    """A rejected translation is not cached: the next run asks the backend again."""
    cache = str(tmp_path / "cache.sqlite")
    with FakeOpenAI() as server:
        server.untranslated = True
        first = make_stage(server, cache=cache, output="replace").process(docs([("a.py", SOURCE, "Python")]))
        assert first.table.column("text").to_pylist() == [SOURCE]
        assert not any(k.startswith("segments.translated") for k in first.counters)
        server.untranslated = False
        before = server.items
        second = make_stage(server, cache=cache, output="replace").process(docs([("a.py", SOURCE, "Python")]))
        assert second.counters.get("cache.hits", 0) == 0 and server.items - before == 3
        assert second.counters["segments.translated"] == 4
        third = make_stage(server, cache=cache, output="replace").process(docs([("a.py", SOURCE, "Python")]))
        assert third.counters["cache.hits"] == 3 and server.items - before == 3


def test_retries_on_429_500_and_malformed() -> None:
    with FakeOpenAI() as server:
        server.statuses = [429, 500, 503]
        server.malformed = 2
        result = make_stage(server, openai={"batch_size": 8, "concurrency": 1}).process(docs([("a.py", SOURCE, "Python")]))
    c = result.counters
    assert c["segments.translated"] == 4
    assert c["backend.http_429"] == 1 and c["backend.http_500"] == 1 and c["backend.http_503"] == 1
    assert c["backend.malformed"] == 2 and c["backend.retries"] >= 4


def test_persistent_malformed_replies_split_batches() -> None:
    with FakeOpenAI() as server:
        backend = OpenAIBackend(server.base_url, "m", batch_size=4, concurrency=1, max_retries=1, backoff_s=0.0)
        server.malformed = 4  # the 4-batch fails twice, then each 2-batch once and succeeds on retry
        out = backend.translate(["One thing here", "Two things here", "Three things", "Four things"], "en", "zh-Hans")
    assert all(t and "things" not in t for t in out)
    assert backend.counters["backend.batch_splits"] >= 1


def test_timeouts_and_slow_responses() -> None:
    with FakeOpenAI(delay_s=0.2) as server:
        server.hang_s = 3.0
        backend = OpenAIBackend(server.base_url, "m", batch_size=1, concurrency=4, timeout_s=1.0,
                                max_retries=1, backoff_s=0.0)
        out = backend.translate(["A slow but fine comment", "This one HANGME forever"], "en", "zh-Hans")
    assert out[0] and "slow" not in out[0]
    assert out[1] is None
    assert backend.counters["backend.timeouts"] == 2 and backend.counters["backend.failed_segments"] == 1


def test_quality_gate_rejects_and_keeps_original() -> None:
    text = ("def f():\n    # ECHOME this comment comes back untranslated\n    # \n"
            "    x = 1\n    # EMPTYME nothing comes back\n    y = 2\n    # LOOPME loops forever\n    z = 3\n"
            "    # DROPME calls do_thing() with `arg`\n    w = 4\n    # A good comment here.\n    return x\n")
    with FakeOpenAI() as server:
        result = make_stage(server).process(docs([("g.py", text, "Python")]))
    c = result.counters
    assert c["segments.rejected.untranslated"] == 1 and c["segments.rejected.empty"] == 1
    assert c["segments.rejected.repeated"] == 1 and c["segments.rejected.placeholder_lost"] == 1
    assert c["segments.translated"] == 1 and c["segments.rejected.lang.en"] == 4
    out = result.table.column("text")[1].as_py()
    for kept in ("# ECHOME", "# EMPTYME", "# LOOPME", "# DROPME"):
        assert kept in out
    assert "A good comment" not in out


EXTRA = {  # one file per language with a prose comment, next to the corpus's files
    "zh": "def f():\n    # 计算问题的答案，然后返回结果。\n    return 1\n",
    "ja": "def f():\n    # この関数は質問の答えを計算して返します。\n    return 1\n",
    "ru": "def f():\n    # Вычислить ответ на вопрос и вернуть результат.\n    return 1\n",
}
LID_LABEL = {"zh": "zh-Hans", "ja": "ja", "ru": "ru"}


def _comment_files(code_corpus: Path, language: str) -> list[tuple[str, str, str]]:
    files = [(f"extra/{language}.py", EXTRA[language], "Python")]
    for path in sorted((code_corpus / "comments" / language).rglob("*.py")):
        text = path.read_text(encoding="utf-8", errors="replace")
        files.append((str(path.relative_to(code_corpus)), text, identify(path.name, text).language))
    return files


def _script(language: str):
    import re

    return re.compile({"zh": r"[\u4e00-\u9fff]", "ja": r"[\u3040-\u30ff]", "ru": r"[\u0400-\u04ff]"}[language])


@pytest.mark.parametrize("language", ["zh", "ja", "ru"])
def test_foreign_comments_left_alone_or_translated(code_corpus: Path, language: str) -> None:
    files = _comment_files(code_corpus, language)
    label = LID_LABEL[language]
    script = _script(language)
    with FakeOpenAI() as server:
        english = make_stage(server).process(docs(files))
        theirs = make_stage(server, sources=[label], target="en", gate={"check_language": False}).process(docs(files))
    assert english.counters[f"segments.found.lang.{label}"] > 0
    assert english.counters.get(f"segments.translated.lang.{label}", 0) == 0
    # Every comment in that language is still there, verbatim, in the English-source output.
    for row in english.table.slice(len(files)).to_pylist():
        original = next(t for p, t, _ in files if p == row["path"])
        lexer = lexer_for(row["code_lang"])
        for segment in extract(original, row["code_lang"], lexer):
            letters = [ch for ch in segment.text if ch.isalpha()]
            if not segment.skip and len(script.findall(segment.text)) * 2 > len(letters):
                assert original[segment.start:segment.end] in row["text"]
    assert theirs.counters[f"segments.translated.lang.{label}"] > 0
    assert theirs.counters.get("segments.translated.lang.en", 0) == 0
    for row in theirs.table.slice(len(files)).to_pylist():
        lexer = lexer_for(row["code_lang"])
        original = next(t for p, t, _ in files if p == row["path"])
        assert code_tokens(lex(lexer, row["text"])) == code_tokens(lex(lexer, original))
    extra = next(r for r in theirs.table.slice(len(files)).to_pylist() if r["path"] == f"extra/{language}.py")
    assert not script.search(extra["text"])
