"""Writing reports: atomically (a reader never sees half a page) and to any fsspec URL, so a
run on object storage gets its report next to its statistics."""

from __future__ import annotations

import posixpath

import fsspec

from polycorpus.pipeline.report.build import build_report
from polycorpus.pipeline.report.html import render_html
from polycorpus.pipeline.report.rundata import load_run
from polycorpus.stages.storage import atomic_open

REPORT_FILE = "report.html"


def write_text(url: str, text: str) -> None:
    fs, path = fsspec.core.url_to_fs(url)
    with atomic_open(fs, path, "w", encoding="utf-8") as handle:
        handle.write(text)


def write_run_report(run_url: str) -> str:
    """Write RUN/report.html for a run and return its location."""
    target = posixpath.join(run_url, REPORT_FILE)
    write_text(target, render_html(build_report(load_run(run_url))))
    return target
