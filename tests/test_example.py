"""The README's quickstart: the bundled example runs end to end and decodes every page."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support import REPO, cli, documents, stage, stats

pytestmark = pytest.mark.slow

EXAMPLES = REPO / "examples"

# A character class per language: a page decoded with the wrong charset loses its script.
SCRIPTS = {"ru": "[а-я]", "zh-Hans": "[\u4e00-\u9fff]", "zh-Hant": "[\u4e00-\u9fff]", "ja": "[\u3040-\u30ff]",
           "ko": "[\uac00-\ud7a3]", "ar": "[\u0600-\u06ff]", "hi": "[\u0900-\u097f]", "th": "[\u0e00-\u0e7f]",
           "de": "[äöüß]", "fr": "[éèàç]", "es": "[ñáéíóú]", "en": "[a-z]"}


@pytest.fixture(scope="module")
def quickstart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = tmp_path_factory.mktemp("quickstart") / "run"
    result = cli("run", str(EXAMPLES / "quickstart.yaml"), "--output", str(run))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "polycorpus run summary" in result.stdout
    return run


def test_every_html_page_is_decoded_into_its_script(quickstart: Path) -> None:
    labels = list(csv.DictReader((EXAMPLES / "data" / "LABELS.tsv").open(encoding="utf-8"), delimiter="\t"))
    pages = [r for r in labels if r["status"] == "200" and r["content_type"] == "text/html"]
    rejected = quickstart / "rejected"
    import pyarrow as pa
    import pyarrow.parquet as pq

    every = pa.concat_tables([documents(quickstart).select(["url", "text"]),
                              pq.read_table(rejected).select(["url", "text"])])
    by_url = dict(zip(every.column("url").to_pylist(), every.column("text").to_pylist(), strict=True))
    for page in pages:
        text = by_url.get(page["url"])
        if text is None:  # boilerplate-only pages extract to nothing: counted as empty_text
            assert "boilerplate" in page["defect"] or "too short" in page["defect"], page["key"]
            continue
        assert "\ufffd" not in text, page["key"]
        assert re.search(SCRIPTS[page["lang"]], text), (page["key"], page["encoding"], text[:80])
    wrong = by_url["http://meishi.example.com/caipu/hongshao-qiezi.html"]
    assert wrong.startswith("红烧茄子")  # UTF-8 bytes declared iso-8859-1: detected, not mojibake


def test_statistics_add_up(quickstart: Path) -> None:
    s = stats(quickstart)
    assert s["complete"]
    ingest = s["stages"][0]
    assert ingest["docs_in"] == ingest["docs_out"] + sum(d["docs"] for d in ingest["drops"].values())
    for before, after in zip(s["stages"], s["stages"][1:], strict=False):
        assert after["docs_in"] == before["docs_out"]
    assert s["output"]["docs"] == documents(quickstart).num_rows
    assert set(s["output"]["by_source"]) == {"sample-crawl", "sample-notes", "sample-code"}


def test_sample_corpus_regenerates_identically(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(EXAMPLES / "make_sample_corpus.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True, timeout=120)
    for committed in sorted((EXAMPLES / "data").rglob("*")):
        if committed.is_file() and committed.name != "README.md":  # the README is written by hand
            fresh = tmp_path / committed.relative_to(EXAMPLES / "data")
            assert fresh.read_bytes() == committed.read_bytes(), committed.name


def test_ids_in_outputs_are_unique(quickstart: Path) -> None:
    ids = documents(quickstart).column("id").to_pylist()
    assert len(ids) == len(set(ids))
    assert json.loads((quickstart / "run.json").read_text())["fingerprint"] == stats(quickstart)["fingerprint"]


def test_the_code_repository_goes_through_the_code_stages(quickstart: Path) -> None:
    s = stats(quickstart)
    code = {entry["name"]: entry["by_source"].get("sample-code", {}) for entry in s["stages"]}
    assert code["ingest"]["docs_out"] == code["code_license"]["docs_out"] == 10  # all MIT, none filtered
    assert stage(s, "code_license")["counters"] == {"class.permissive": 10}
    import pyarrow as pa
    import pyarrow.parquet as pq

    every = pa.concat_tables([documents(quickstart).select(["source", "path", "code_lang", "license", "priority"]),
                              pq.read_table(quickstart / "rejected").select(["source", "path", "code_lang", "license",
                                                                             "priority"])])
    files = {r["path"]: r for r in every.to_pylist() if r["source"] == "sample-code"}
    assert {files[p]["code_lang"] for p in ("tidekit/cli.py", "web/src/chart.js", "native/harmonic.c")} == {
        "Python", "JavaScript", "C"}
    assert {r["license"] for r in files.values()} == {"MIT"} and {r["priority"] for r in files.values()} == {2}
