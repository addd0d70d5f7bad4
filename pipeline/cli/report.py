"""``polycorpus report RUN_DIR [--out FILE] [--compare RUN_B] [--markdown FILE]``."""

from __future__ import annotations

import posixpath
from typing import Annotated

import typer


def report(
    run_dir: Annotated[str, typer.Argument(help="A run directory (local path or fsspec URL).", metavar="RUN_DIR",
                                           show_default=False)],
    out: Annotated[str | None, typer.Option("--out", "-o", help="HTML file to write (default: RUN_DIR/report.html, "
                                            "or RUN_DIR/compare.html with --compare).")] = None,
    compare: Annotated[str | None, typer.Option("--compare", "-c", help="Another run directory to compare with, "
                                                "side by side (RUN_DIR is A, this is B).")] = None,
    markdown: Annotated[str | None, typer.Option("--markdown", "-m", help="Also write a Markdown summary to this "
                                                 "file ('-' for standard output).")] = None,
) -> None:
    """Write a self-contained HTML report of a run: funnel, drop reasons, sources, languages,
    lengths, tokens, mixture, time; or compare two runs."""
    from polycorpus.pipeline.report.build import build_report
    from polycorpus.pipeline.report.compare import compare_runs
    from polycorpus.pipeline.report.html import render_html
    from polycorpus.pipeline.report.markdown import render_markdown
    from polycorpus.pipeline.report.output import REPORT_FILE, write_text
    from polycorpus.pipeline.report.rundata import ReportError, load_run

    try:
        data = load_run(run_dir)
        other = load_run(compare) if compare else None
    except ReportError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    built = compare_runs(data, other) if other else build_report(data)
    target = out or posixpath.join(run_dir, "compare.html" if other else REPORT_FILE)
    write_text(target, render_html(built))
    if markdown == "-":
        typer.echo(render_markdown(built), nl=False)
    elif markdown:
        write_text(markdown, render_markdown(built))
    typer.echo(f"report: {target}" + (f"   summary: {markdown}" if markdown and markdown != "-" else ""),
               err=markdown == "-")
