"""The report's numbers are exact: recomputed from the run's Parquet outputs and token shards
(never from stats.json), they equal what the HTML page shows, table by table."""

from __future__ import annotations

from collections import Counter, defaultdict
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from polycorpus.pipeline.report.build import build_report
from polycorpus.pipeline.report.html import render_html
from polycorpus.pipeline.report.model import Histogram
from polycorpus.pipeline.report.rundata import load_run
from polycorpus.pipeline.stats import length_bucket
from polycorpus.tokenizer.indexed import IndexedDataset


class _Tables(HTMLParser):
    """Every ``<table id="table-...">`` of the page as rows of raw cell values (data-v)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._current: str | None = None
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "table" and (attributes.get("id") or "").startswith("table-"):
            self._current = attributes["id"][len("table-"):]
            self.tables[self._current] = []
        elif tag == "tbody" and self._current:
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.tables[self._current].append([])
        elif tag == "td" and self._in_body:
            self.tables[self._current][-1].append(attributes.get("data-v") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._current = None


def _page_tables(page: str) -> dict[str, dict[str, list[str]]]:
    """Table key -> first cell -> the row's other cells."""
    parser = _Tables()
    parser.feed(page)
    return {key: {row[0]: row[1:] for row in rows} for key, rows in parser.tables.items()}


def _num(text: str) -> float:
    return float(text) if text else 0.0


class _Truth:
    """Totals computed from the documents, the rejected documents and the shards alone."""

    def __init__(self, run: Path) -> None:
        files = sorted((run / "documents").glob("*.parquet"))
        self.docs = pq.read_table([str(f) for f in files],
                                  columns=["source", "lang", "kind", "code_lang", "license", "text"])
        self.text_bytes = pc.binary_length(pc.cast(self.docs["text"], "binary")).to_numpy()
        self.chars = pc.utf8_length(self.docs["text"]).to_numpy()
        self.rejected = pq.read_table([str(f) for f in sorted((run / "rejected").rglob("*.parquet"))],
                                      columns=["source", "drop_stage", "drop_reason"])
        # Token counts per document: each unit's shards hold its kept documents in order.
        self.tokens = np.concatenate([
            np.concatenate([IndexedDataset(idx.with_suffix("")).sequence_lengths
                            for idx in sorted((run / "shards").glob(f"{f.stem}-*.idx"))])
            for f in files])
        self.shards = {idx.stem: IndexedDataset(idx.with_suffix("")) for idx in (run / "shards").glob("*.idx")}

    def by(self, column: str) -> dict[str, dict[str, float]]:
        groups: dict[str, dict[str, float]] = defaultdict(lambda: {"docs": 0, "bytes": 0, "tokens": 0})
        for i, key in enumerate(self.docs[column].to_pylist()):
            group = groups[key if key is not None else "unknown"]
            group["docs"] += 1
            group["bytes"] += int(self.text_bytes[i])
            group["tokens"] += int(self.tokens[i])
        return dict(groups)


@pytest.fixture(scope="module")
def truth(report_run: Path) -> _Truth:
    return _Truth(report_run)


@pytest.fixture(scope="module")
def report_and_page(report_run: Path) -> tuple:
    report = build_report(load_run(str(report_run)))
    return report, _page_tables(render_html(report))


def test_every_kept_document_and_token_is_counted(truth: _Truth, report_and_page: tuple) -> None:
    report, _ = report_and_page
    assert len(truth.tokens) == truth.docs.num_rows  # shards and documents line up one to one
    figures = {f.label: f.value for f in report.section("overview").blocks[0].items}
    assert figures["documents out"] == truth.docs.num_rows
    assert figures["text out"] == int(truth.text_bytes.sum())
    assert figures["tokens out"] == int(truth.tokens.sum()) == sum(d.num_tokens for d in truth.shards.values())
    assert figures["token shards"] == len(truth.shards)
    assert figures["languages"] == len(set(truth.docs["lang"].to_pylist()) - {None})


def test_funnel_and_drop_reasons_match_the_rejected_documents(truth: _Truth, report_and_page: tuple) -> None:
    _, page = report_and_page
    funnel = page["funnel"]
    # Columns: docs in, docs out, dropped, kept, bytes in, bytes out, tokens, reasons.
    assert int(funnel["tokenize"][1]) == truth.docs.num_rows
    assert int(funnel["tokenize"][5]) == int(truth.text_bytes.sum())
    rejected = Counter(zip(truth.rejected["drop_stage"].to_pylist(), truth.rejected["drop_reason"].to_pylist(),
                           strict=True))
    for stage in ("normalize", "langid", "length_filter", "tokenize"):
        assert int(funnel[stage][2]) == sum(n for (s, _), n in rejected.items() if s == stage)
    assert int(funnel["ingest (records in)"][1]) == truth.docs.num_rows + truth.rejected.num_rows
    reasons = {(stage, cells[0]): int(cells[1]) for stage, cells in page["drop_reasons"].items()}
    assert reasons[("length_filter", "too_short")] == rejected[("length_filter", "too_short")] > 0


def test_sources_and_languages_match_the_documents(truth: _Truth, report_and_page: tuple) -> None:
    _, page = report_and_page
    for key, column in (("sources", "source"), ("languages", "lang")):
        expected = truth.by(column)
        shown = page[key]
        assert set(shown) == set(expected)
        for name, cells in shown.items():  # documents, bytes, tokens, shares...
            assert (int(cells[0]), int(cells[1]), int(cells[2])) == (
                expected[name]["docs"], expected[name]["bytes"], expected[name]["tokens"]), (key, name)
            assert _num(cells[3]) == pytest.approx(expected[name]["docs"] / truth.docs.num_rows)


def test_length_distributions_match_the_documents(truth: _Truth, report_and_page: tuple) -> None:
    report, page = report_and_page
    buckets = length_bucket(truth.chars)
    expected: dict[str, Counter[int]] = defaultdict(Counter)
    for lang, bucket in zip(truth.docs["lang"].to_pylist(), buckets.tolist(), strict=True):
        expected[lang or "unknown"][bucket] += 1
    histogram = next(b for b in report.section("lengths").blocks if isinstance(b, Histogram))
    for group, counts in histogram.groups:
        assert sum(counts) == sum(expected[group].values())
        assert sorted(c for c in counts if c) == sorted(expected[group].values())
    assert {lang: int(cells[0]) for lang, cells in page["lengths"].items()} == {
        lang: sum(c.values()) for lang, c in expected.items()}


def test_code_mix_tokens_shards_and_mixture_match(truth: _Truth, report_and_page: tuple) -> None:
    _, page = report_and_page
    code = truth.docs.filter(pc.equal(truth.docs["kind"], "code"))
    assert {k: int(v[0]) for k, v in page["code_langs"].items()} == dict(Counter(code["code_lang"].to_pylist()))
    assert {k: int(v[0]) for k, v in page["licenses"].items()} == dict(
        Counter(x or "(none)" for x in code["license"].to_pylist()))
    by_code_lang = truth.by("code_lang")
    assert {k: int(v[1]) for k, v in page["tokens_by_code_lang"].items()} == {
        k: v["tokens"] for k, v in by_code_lang.items() if k != "unknown"}
    assert {k: (int(v[2]), int(v[3])) for k, v in page["shards"].items()} == {
        name: (len(d), d.num_tokens) for name, d in truth.shards.items()}
    by_source = truth.by("source")
    total = sum(v["tokens"] for v in by_source.values())
    for source, cells in page["mixture"].items():
        assert int(cells[0]) == by_source[source]["tokens"]
        assert _num(cells[1]) == pytest.approx(by_source[source]["tokens"] / total)
    fertility = page["fertility_by_lang"]
    for lang, group in truth.by("lang").items():
        text_tokens = group["tokens"] - group["docs"]  # one <eod> per document
        assert int(fertility[lang][2]) == text_tokens
        assert _num(fertility[lang][3]) == pytest.approx(group["bytes"] / text_tokens)
