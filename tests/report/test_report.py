"""polycorpus report: sections present or omitted by what ran, partial and empty runs, bad
directories, comparisons, the Markdown summary, and the report written at the end of a run."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from report_corpus import report_config
from support import cli, stats, write_config, write_jsonl
from typer.testing import CliRunner

from polycorpus.pipeline.cli import app
from polycorpus.pipeline.config import load_config
from polycorpus.pipeline.report.build import build_report
from polycorpus.pipeline.report.compare import compare_runs
from polycorpus.pipeline.report.html import render_html
from polycorpus.pipeline.report.markdown import SUMMARY_ROWS, render_markdown
from polycorpus.pipeline.report.model import Bars, Column, Figures, Table
from polycorpus.pipeline.report.rundata import load_run
from polycorpus.pipeline.report.stages import stage_section
from polycorpus.pipeline.runner import run_pipeline

pytestmark = pytest.mark.usefixtures("ray_local")


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_full_run_has_every_section_with_data(report_run: Path) -> None:
    report = build_report(load_run(str(report_run)))
    keys = [s.key for s in report.sections]
    assert keys == ["overview", "funnel", "drops", "sources", "languages", "lengths", "stage-length_filter", "code",
                    "tokens-tokenize", "fertility-tokenize", "mixture-tokenize", "time"]
    assert all(section.blocks for section in report.sections)
    assert report.notes == []  # complete, nothing failed, documents left
    mixture = report.section("mixture-tokenize").tables()["mixture"]
    weights = dict(zip(mixture.column("Source"), mixture.column("Configured weight"), strict=True))
    assert weights == {"crawl": 0.5, "notes": 0.3, "code": 1.0}  # code has no weight: the default
    assert sum(mixture.column("Target share")) == pytest.approx(1.0)
    assert mixture.column("Share in blend.txt") == pytest.approx(mixture.column("Target share"))
    licences = report.section("code").tables()["licenses"]
    assert dict(zip(licences.column("Licence"), licences.column("Documents"), strict=True)) == {
        "MIT": 4, "Apache-2.0": 1, "(none)": 1}


def test_run_without_stages_omits_what_did_not_run(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", ["first document", "", "second document"])
    config = write_config(tmp_path / "c.yaml", inputs=[{"path": "a.jsonl", "source": "a"}], output="run")
    assert run_pipeline(load_config(config), workers=1).ok
    report = build_report(load_run(str(tmp_path / "run")))
    assert [s.key for s in report.sections] == ["overview", "funnel", "drops", "sources", "time"]
    figures = {f.label: f.value for f in report.section("overview").blocks[0].items}
    assert figures["records read"] == 3 and figures["documents out"] == 2
    assert "languages" not in figures and "tokens out" not in figures


def test_stage_sections_follow_the_documented_shapes() -> None:
    dedup = {"name": "dedup", "docs_in": 100, "docs_out": 70, "drops": {"near_duplicate": {"docs": 30, "bytes": 9}},
             "by_source": {"a": {"docs_in": 60, "docs_out": 30, "drops": {"near_duplicate": {"docs": 30, "bytes": 9}}},
                           "b": {"docs_in": 40, "docs_out": 40}},
             "by_lang": {}, "counters": {},
             "global": {"clusters": 12, "cluster_sizes": {"2": 8, "3": 3, "17": 1}, "elapsed_s": 1.5}}
    section = stage_section(dedup)
    assert section.title == "Deduplication (dedup)" and section.summary
    assert {f.label: f.value for f in section.blocks[0].items}["duplicate rate"] == pytest.approx(0.3)
    rates = section.tables()["dedup.by_source"]
    assert dict(zip(rates.column("Source"), rates.column("Duplicate rate"), strict=True)) == {"a": 0.5, "b": 0.0}
    assert section.tables()["dedup.global"].rows == [["clusters", 12]]
    chart = next(b for b in section.blocks if isinstance(b, Bars))
    assert chart.labels == ["2", "3", "17"] and chart.series[0].values == [8, 3, 1] and chart.log

    translate = {"name": "translate", "docs_in": 5, "docs_out": 5, "counters": {
        "segments.found": 40, "segments.translated": 30, "cache.hits": 10, "cache.misses": 30}}
    figures = {f.label: f.value for f in stage_section(translate).blocks[0].items}
    assert figures == {"segments translated": 0.75, "cache hit rate": 0.25}

    quality = {"name": "quality", "docs_in": 5, "docs_out": 5, "counters": {"flagged.gopher_short": 2, "pii.email": 3}}
    table = stage_section(quality).tables()["quality.counters"]
    assert table.rows == [["flagged.gopher_short", 2], ["pii.email", 3]]
    assert stage_section({"name": "normalize", "docs_in": 5, "docs_out": 5, "counters": {}}) is None


def _interrupted_copy(report_run: Path, tmp_path: Path) -> tuple[Path, str]:
    """The run as if killed while its last unit was committing: no stats.json, no manifest,
    and that unit's documents renamed into place but its marker not yet written."""
    run = tmp_path / "run"
    shutil.copytree(report_run, run)
    (run / "stats.json").unlink()
    (run / "report.html").unlink(missing_ok=True)
    (run / "shards" / "manifest.json").unlink()
    lost = min((run / "_state" / "00-ingest" / "done").glob("notes.*.json"))
    lost.unlink()
    return run, lost.stem


def test_partial_run_reports_what_is_committed(report_run: Path, tmp_path: Path) -> None:
    run, lost = _interrupted_copy(report_run, tmp_path)
    (run / "_state" / "00-ingest" / "failed").mkdir()
    (run / "_state" / "00-ingest" / "failed" / f"{lost}.json").write_text(json.dumps({"unit": lost, "error": "boom"}))
    data = load_run(str(run))
    assert data.partial and lost not in data.final_units
    report = build_report(data)
    assert report.notes[0].text.startswith("PARTIAL RUN: 2 of 3 units are committed")
    assert report.notes[1].text == f"Unit {lost} FAILED: boom"
    whole = stats(report_run)
    notes_docs = whole["output"]["by_source"]["notes"]["docs"]
    assert data.stats["output"]["docs"] == whole["output"]["docs"] - notes_docs
    sources = report.section("sources").tables()["sources"]
    assert "notes" not in sources.column("Source")  # its file is on disk but not committed
    tokens = report.section("tokens-tokenize")
    assert "manifest" in next(b.text for b in tokens.blocks if hasattr(b, "text"))
    assert report.section("mixture-tokenize") is None  # needs the manifest
    code, output = _invoke("report", str(run), "--markdown", "-")
    assert code == 0 and "PARTIAL RUN" in output


def test_bad_directories_are_refused_with_exit_2(tmp_path: Path) -> None:
    code, output = _invoke("report", str(tmp_path / "nope"))
    assert code == 2 and "no such directory" in output
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "data.csv").write_text("a,b\n")
    code, output = _invoke("report", str(tmp_path / "foreign"))
    assert code == 2 and "not a polycorpus run directory" in output
    code, output = _invoke("report", str(tmp_path / "foreign" / "data.csv"))
    assert code == 2 and "not a directory" in output
    (tmp_path / "damaged").mkdir()
    (tmp_path / "damaged" / "run.json").write_text("{not json")
    code, output = _invoke("report", str(tmp_path / "damaged"))
    assert code == 2 and "not valid JSON" in output
    assert not (tmp_path / "foreign" / "report.html").exists()


def test_run_of_another_version_is_reported_without_its_token_sections(report_run: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(report_run, run)
    meta = json.loads((run / "run.json").read_text())
    meta["config"]["stages"].append({"name": "a_stage_from_the_future"})
    (run / "run.json").write_text(json.dumps(meta))
    report = build_report(load_run(str(run)))
    assert report.notes[0].text.startswith("Token sections are left out: its config does not validate")
    assert report.section("funnel") is not None and report.section("tokens-tokenize") is None


def test_zero_documents_left_says_where_they_went(tmp_path: Path) -> None:
    config = load_config(report_config(tmp_path, min_chars=1_000_000))
    assert run_pipeline(config, workers=2).ok
    report = build_report(load_run(str(tmp_path / "run")))
    note = report.notes[-1]
    assert note.level == "warn" and note.text.startswith("No documents are left. 90 records came in; ingest dropped 47")
    assert "length_filter dropped 43 (too_short 43)" in note.text
    assert "No documents are left" in render_markdown(report)
    assert report.section("lengths") is None
    matrix = report.section("languages").tables()  # where each language's documents went
    assert list(matrix) == ["language_stages"] and matrix["language_stages"].column("after length_filter")[0] == 0


def test_compare_shows_config_changes_and_their_effect(report_run: Path, tmp_path: Path) -> None:
    other = report_config(report_run.parent, output=str(tmp_path / "run"), min_chars=400, name="stricter.yaml")
    assert run_pipeline(load_config(other), workers=2).ok
    a, b = load_run(str(report_run)), load_run(str(tmp_path / "run"))
    report = compare_runs(a, b)
    runs = report.section("runs").tables()
    assert runs["config_diff"].rows == [["stages[2].min_chars", "150", "400"]]
    funnel = report.section("funnel").tables()["funnel"]
    row = funnel.rows[funnel.column("Stage").index("length_filter")]
    assert row[2] == a.stage("length_filter")["docs_out"] and row[4] == b.stage("length_filter")["docs_out"]
    assert row[5] == row[4] - row[2] < 0
    out = tmp_path / "cmp.html"
    code, _ = _invoke("report", str(report_run), "--compare", str(tmp_path / "run"), "--out", str(out),
                      "--markdown", str(tmp_path / "cmp.md"))
    assert code == 0 and out.exists()
    summary = (tmp_path / "cmp.md").read_text()
    assert "| stages[2].min_chars | 150 | 400 |" in summary and "## Funnel" in summary


def test_markdown_summary_is_a_short_card(report_run: Path) -> None:
    report = build_report(load_run(str(report_run)))
    report.section("languages").blocks.append(
        Table([Column("n")], [[10_000 + i] for i in range(SUMMARY_ROWS + 5)], key="long"))
    summary = render_markdown(report)
    headings = re.findall(r"^## (.+)$", summary, flags=re.MULTILINE)
    assert headings == ["At a glance", "Funnel", "Drop reasons", "Sources", "Languages", "Code languages and licences",
                        "Tokens", "Mixture against the configured weights", "Time and throughput"]
    output = stats(report_run)["output"]
    assert f"- **documents out:** {output['docs']:,}" in summary
    assert f"| {10_000 + SUMMARY_ROWS - 1:,} |" in summary and f"| {10_000 + SUMMARY_ROWS:,} |" not in summary
    assert "*… and 5 more rows in the HTML report.*" in summary
    assert "<svg" not in summary


def test_html_is_self_contained_and_deterministic(report_run: Path) -> None:
    page = render_html(build_report(load_run(str(report_run))))
    assert page == render_html(build_report(load_run(str(report_run))))
    assert not re.search(r"""(?:src|href|action)\s*=\s*["'](?!#|data:)""", page)
    assert "@import" not in page and "url(" not in page
    assert "default-src 'none'" in page
    blocks = [b for s in build_report(load_run(str(report_run))).sections for b in s.blocks]
    assert page.count('<svg class="chart') == sum(not isinstance(b, Table | Figures) and hasattr(b, "title")
                                                   for b in blocks)


@pytest.mark.slow
def test_polycorpus_run_ends_with_a_report(tmp_path: Path) -> None:
    config = report_config(tmp_path)
    first = cli("run", str(config), "--workers", "2")
    assert first.returncode == 0, first.stdout + first.stderr
    report = tmp_path / "run" / "report.html"
    assert f"report: {report}" in first.stdout and report.exists()
    assert "docs out per stage: ingest 43 > normalize 43 > langid 43 > length_filter 39 > tokenize 39" in first.stderr
    report.unlink()
    again = cli("run", str(config))
    assert again.returncode == 0 and "already complete" in again.stdout and report.exists()
