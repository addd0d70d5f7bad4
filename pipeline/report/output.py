"""Writing reports: atomically (a reader never sees half a page) and to any fsspec URL, so a
run on object storage gets its report next to its statistics."""

from __future__ import annotations

import posixpath

import fsspec

from pipeline.report.build import build_report
from pipeline.report.html import render_html
from pipeline.report.rundata import load_run
from pipeline.rundir import tmp_name

REPORT_FILE = "report.html"


def write_text(url: str, text: str) -> None:
    fs, path = fsspec.core.url_to_fs(url)
    parent = posixpath.dirname(path)
    if parent:
        fs.makedirs(parent, exist_ok=True)
    tmp = tmp_name(path)
    try:
        with fs.open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
        fs.mv(tmp, path)
    finally:
        if fs.exists(tmp):
            fs.rm(tmp)


def write_run_report(run_url: str) -> str:
    """Write RUN/report.html for a run and return its location."""
    target = posixpath.join(run_url, REPORT_FILE)
    write_text(target, render_html(build_report(load_run(run_url))))
    return target
