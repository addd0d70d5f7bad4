"""Config validation: every mistake named with its key or file, exit code 2, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import cli, write_config, write_jsonl

from polycorpus.pipeline.config import ConfigError, infer_format, load_config


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    write_jsonl(tmp_path / "a.jsonl", ["one document", "another document"])
    return tmp_path


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("x.warc.gz", "warc"), ("x.warc", "warc"), ("CC-1.warc.wet.gz", "wet"), ("x.arc.gz", "arc"),
     ("x.jsonl.gz", "jsonl"), ("x.ndjson", "jsonl"), ("x.parquet", "parquet"), ("x.txt", None)],
)
def test_format_inferred_from_extension(name: str, fmt: str | None) -> None:
    assert infer_format(name) == fmt


def test_relative_paths_anchor_at_config_dir(corpus: Path) -> None:
    config = load_config(write_config(corpus / "c.yaml", inputs=[{"path": "*.jsonl", "source": "s"}], output="run"))
    assert config.inputs[0].path == str(corpus / "*.jsonl")
    assert config.output == str(corpus / "run")


def test_fingerprint_ignores_output_but_not_stages(corpus: Path) -> None:
    base = {"inputs": [{"path": "a.jsonl", "source": "s"}], "output": "r1"}
    a = load_config(write_config(corpus / "a.yaml", **base))
    b = load_config(write_config(corpus / "b.yaml", **{**base, "output": "r2"}))
    c = load_config(write_config(corpus / "c.yaml", **base, stages=[{"name": "normalize"}]))
    assert a.fingerprint() == b.fingerprint() != c.fingerprint()


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"inputs": [{"path": "a.jsonl", "source": "s", "colour": 1}], "output": "r"}, "inputs[0].colour: unknown key"),
        ({"inputs": [{"path": "a.jsonl", "source": "s"}], "output": "r", "stages": [{"name": "shuffle"}]},
         "stages[0].name: unknown stage 'shuffle'"),
        ({"inputs": [{"path": "a.jsonl", "source": "s"}], "output": "r",
          "stages": [{"name": "length_filter", "min_chars": "many"}]}, "stages[0].min_chars"),
        ({"inputs": [{"path": "a.jsonl", "source": "s", "priority": "high"}], "output": "r"}, "inputs[0].priority"),
        ({"inputs": [{"path": "a.jsonl"}], "output": "r"}, "inputs[0].source: required key is missing"),
        ({"inputs": [{"path": "a.txt", "source": "s"}], "output": "r"}, "cannot infer the format of"),
        ({"inputs": [], "output": "r"}, "inputs:"),
        ({"inputs": [{"path": "a.jsonl", "source": "s"}], "output": "r",
          "stages": [{"name": "length_filter", "min_chars": 10, "max_chars": 5}]}, "max_chars (5) < min_chars (10)"),
    ],
)
def test_invalid_configs_name_the_key(corpus: Path, config: dict, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write_config(corpus / "bad.yaml", **config))
    assert expected in str(info.value)


def test_not_yaml_and_not_a_mapping(corpus: Path) -> None:
    (corpus / "broken.yaml").write_text("inputs: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(corpus / "broken.yaml")
    (corpus / "list.yaml").write_text("- a\n- b\n")
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_config(corpus / "list.yaml")


@pytest.mark.parametrize("command", ["run", "validate"])
def test_cli_exit_2_and_nothing_written(corpus: Path, command: str) -> None:
    config = write_config(
        corpus / "c.yaml",
        inputs=[{"path": "a.jsonl", "source": "s"}, {"path": "missing/*.warc.gz", "source": "w"}],
        output="run",
    )
    result = cli(command, str(config))
    assert result.returncode == 2, result.stderr
    assert "inputs[1].path: no input matches" in result.stderr
    assert "missing/*.warc.gz" in result.stderr
    assert not (corpus / "run").exists()


def test_cli_validate_ok(corpus: Path) -> None:
    config = write_config(corpus / "c.yaml", inputs=[{"path": "*.jsonl", "source": "s"}], output="run",
                          stages=[{"name": "normalize"}])
    result = cli("validate", str(config))
    assert result.returncode == 0, result.stderr
    assert "OK: 1 inputs, 1 units; stages: normalize" in result.stdout
    assert not (corpus / "run").exists()


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["validate", "--help"]])
def test_help_everywhere(args: list[str]) -> None:
    result = cli(*args)
    assert result.returncode == 0
    assert "Usage" in result.stdout
