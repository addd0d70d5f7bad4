"""The report in a real browser: headless Chromium loads it with no console message at all
(script errors and Content-Security-Policy violations both land there), every chart has a
size and drawn bars, nothing is fetched, and the tables sort when a header is clicked."""

from __future__ import annotations

from pathlib import Path

import pytest

from polycorpus.pipeline.report.browser import chromium, chromium_missing
from polycorpus.pipeline.report.build import build_report
from polycorpus.pipeline.report.html import render_html
from polycorpus.pipeline.report.model import Bars, Histogram
from polycorpus.pipeline.report.rundata import load_run

pytestmark = pytest.mark.skipif(chromium_missing() is not None, reason=f"no real browser: {chromium_missing()}")

CHARTS = """
return Array.from(document.querySelectorAll("svg.chart")).map(function (svg) {
  var box = svg.getBoundingClientRect();
  var bars = Array.from(svg.querySelectorAll("rect.bar"));
  var drawn = bars.filter(function (b) { var r = b.getBBox(); return r.width > 0 && r.height > 0; });
  return {title: svg.getAttribute("aria-label"), width: box.width, height: box.height,
          bars: bars.length, drawn: drawn.length};
});
"""


def test_report_loads_cleanly_and_charts_render(report_run: Path, tmp_path: Path) -> None:
    report = build_report(load_run(str(report_run)))
    page = tmp_path / "report.html"
    page.write_text(render_html(report), encoding="utf-8")
    expected = [b.title for s in report.sections for b in s.blocks if isinstance(b, Bars | Histogram)]

    # A page that does log and fetch: proves that this browser session would see both.
    control = tmp_path / "control.html"
    control.write_text('<!DOCTYPE html><meta http-equiv="Content-Security-Policy" content="default-src \'none\'">'
                       '<img src="https://example.invalid/x.png"><body>control</body>')
    with chromium() as driver:
        driver.get(control.as_uri())
        assert any("Content Security Policy" in entry["message"] for entry in driver.get_log("browser"))

        driver.get(page.as_uri())
        assert driver.execute_script("return document.body.getAttribute('data-ready')") == "1"
        charts = driver.execute_script(CHARTS)
        assert [c["title"] for c in charts] == expected and len(expected) >= 10
        for chart in charts:
            assert chart["width"] > 300 and chart["height"] > 40, chart
            assert chart["drawn"] > 0 and chart["bars"] >= chart["drawn"], chart
        assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0

        first_sources = "return Array.from(document.querySelectorAll('#table-sources tbody tr td:first-child'))" \
                        ".map(function (td) { return td.textContent; });"
        before = driver.execute_script(first_sources)
        driver.execute_script("document.querySelector('#table-sources th:nth-child(2)').click();")
        descending = driver.execute_script(first_sources)
        driver.execute_script("document.querySelector('#table-sources th:nth-child(2)').click();")
        ascending = driver.execute_script(first_sources)
        assert sorted(before) == sorted(descending) and ascending == descending[::-1]
        assert driver.get_log("browser") == []
