"""The report tests share one run of the corpus in report_corpus.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from report_corpus import report_config

from polycorpus.pipeline.config import load_config
from polycorpus.pipeline.runner import run_pipeline


@pytest.fixture(scope="session")
def report_run(tmp_path_factory: pytest.TempPathFactory, ray_local: None) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("report")
    result = run_pipeline(load_config(report_config(root)), workers=2)
    assert result.ok, result.failed
    yield root / "run"
