"""A stage order that would quietly defeat a stage is refused by ``validate`` and ``run`` with
a message naming both stages (exit 2, nothing written); a stage that changed nothing says why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support import REPO, cli, documents, stage, stats, write_config, write_jsonl

TOKENIZER = str(REPO / "examples" / "tokenizer" / "tokenizer.json")
CODE = REPO / "examples" / "data" / "code"
TEXTS = ["The committee published its annual report on the state of the regional economy today."] * 3


def _config(root: Path, stages: list[dict[str, Any]], **input_options: Any) -> Path:
    write_jsonl(root / "docs.jsonl", TEXTS)
    inputs = [{"path": "docs.jsonl", "source": "notes", **input_options}]
    if any(s["name"] in ("translate_comments", "code_filter", "code_language") for s in stages):
        inputs.append({"path": str(CODE), "source": "code", "kind": "code"})
    return write_config(root / "c.yaml", inputs=inputs, output="run", stages=stages)


def _refused(root: Path, stages: list[dict[str, Any]], *expected: str, **input_options: Any) -> None:
    config = _config(root, stages, **input_options)
    for command in ("validate", "run"):
        result = cli(command, str(config))
        assert result.returncode == 2, result.stdout + result.stderr
        for text in expected:
            assert text in result.stderr
    assert not (root / "run").exists()


@pytest.mark.parametrize(("stages", "expected"), [
    ([{"name": "quality"}], ["stages[0]: quality needs the column lang", "add langid before quality"]),
    ([{"name": "translate_comments"}],
     ["stages[0]: translate_comments needs the column code_lang", "add code_language before translate_comments"]),
    ([{"name": "code_filter"}], ["stages[0]: code_filter needs the column code_lang", "add code_language"]),
    ([{"name": "dedup"}], ["stages[0]: dedup needs the column lang", "add langid before dedup"]),
    ([{"name": "quality"}, {"name": "langid"}], ["stages[0]: quality needs the column lang"]),
])
def test_a_stage_without_its_producer_is_refused(tmp_path: Path, stages: list[dict[str, Any]],
                                                  expected: list[str]) -> None:
    _refused(tmp_path, stages, *expected)


def test_tokenize_before_a_filter_is_refused(tmp_path: Path) -> None:
    _refused(tmp_path, [{"name": "tokenize", "tokenizer": TOKENIZER}, {"name": "length_filter", "min_chars": 10}],
             "stages[0]: tokenize must be the last stage", "move it after length_filter")


@pytest.mark.parametrize("name", ["langid", "dedup", "tokenize", "code_language"])
def test_a_second_once_only_stage_is_refused(tmp_path: Path, name: str) -> None:
    options = {"tokenize": {"tokenizer": TOKENIZER}, "dedup": {"minhash": None}}.get(name, {})
    stages = [{"name": name, **options}, {"name": name, **options}]
    _refused(tmp_path, stages, f"stages[1]: a second {name} (the first is stages[0])")


def test_producer_before_the_stage_or_declared_columns_satisfy_it(tmp_path: Path) -> None:
    for index, (stages, options) in enumerate([
        ([{"name": "langid"}, {"name": "quality"}, {"name": "dedup"}], {}),
        ([{"name": "quality"}, {"name": "dedup", "minhash": {"by_language": False}}], {"provides": ["lang"]}),
        ([{"name": "dedup", "minhash": {"by_language": False}}], {}),
        ([{"name": "dedup", "minhash": {"preset": "mtnlg"}}], {}),  # character shingles: no language needed
    ]):
        root = tmp_path / str(index)
        root.mkdir()
        result = cli("validate", str(_config(root, stages, **options)))
        assert result.returncode == 0, result.stderr


def test_provides_is_only_for_record_inputs(tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.yaml", output="run", stages=[],
                          inputs=[{"path": str(CODE), "source": "code", "kind": "code", "provides": ["code_lang"]}])
    result = cli("validate", str(config))
    assert result.returncode == 2
    assert "inputs[0]: provides: only records inputs" in result.stderr


def test_a_stage_that_changed_nothing_says_why(tmp_path: Path) -> None:
    (tmp_path / "code.jsonl").write_text(
        '{"text": "# a comment\\nx = 1\\n"}\n{"text": "int main() { return 0; }\\n", "code_lang": "Brainfudge"}\n',
        encoding="utf-8")
    config = write_config(tmp_path / "c.yaml", output="run",
                          inputs=[{"path": "code.jsonl", "source": "snippets", "kind": "code", "provides": ["code_lang"]}],
                          stages=[{"name": "translate_comments"}])
    result = cli("run", str(config))
    assert result.returncode == 0, result.stderr
    assert "note: translate_comments changed none of the 2 documents it saw: " in result.stdout
    assert "no_code_lang 1" in result.stdout and "no_lexer 1" in result.stdout
    counters = stage(stats(tmp_path / "run"), "translate_comments")["counters"]
    assert counters["seen"] == 2 and documents(tmp_path / "run").num_rows == 2


@pytest.mark.parametrize(("stages", "expected"), [
    ([{"name": "langid", "model_path": "lid.missing.bin"}], "stage langid: model_path: "),
    ([{"name": "quality_classifier", "model_path": "hq.bin"}], "stage quality_classifier: model_path: "),
    ([{"name": "langid"}, {"name": "quality", "chinese": {"sensitive_words_files": ["words.txt"]}}],
     "stage quality: chinese: word list words.txt does not exist"),
    ([{"name": "dedup", "minhash": None, "index": ["earlier-run"]}], "stage dedup: index: "),
    ([{"name": "translate_comments", "backend": "transformers", "model_path": "marian"},
      {"name": "code_language"}], "stage translate_comments: model_path: "),
])
def test_missing_files_are_refused_before_anything_is_written(tmp_path: Path, stages: list[dict[str, Any]],
                                                             expected: str) -> None:
    """Today's alternative: every unit fails on a worker and run.json already binds the
    directory, so the fixed config is refused there."""
    _refused(tmp_path, stages, expected, "does not exist")


def test_a_missing_sidecar_is_refused(tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.yaml", output="run", inputs=[
        {"path": str(CODE), "source": "code", "kind": "code", "metadata": "repos.csv"}])
    for command in ("validate", "run"):
        result = cli(command, str(config))
        assert result.returncode == 2 and "inputs[0].metadata: " in result.stderr and "repos.csv" in result.stderr
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("output", ["a-file/run", "a-file"])
def test_an_output_that_cannot_be_created_is_refused(tmp_path: Path, output: str) -> None:
    (tmp_path / "a-file").write_text("not a directory\n")
    config = write_config(tmp_path / "c.yaml", output=output,
                          inputs=[{"path": str(write_jsonl(tmp_path / "d.jsonl", TEXTS)), "source": "s"}])
    for command in ("validate", "run"):
        result = cli(command, str(config))
        assert result.returncode == 2, result.stdout + result.stderr
        assert "output: " in result.stderr and "Traceback" not in result.stderr
