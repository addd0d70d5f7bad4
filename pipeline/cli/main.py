"""``polycorpus run CONFIG`` and ``polycorpus validate CONFIG``: the main commands."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from rich.table import Table

EXIT_FAILED_UNITS = 1
EXIT_BAD_INPUT = 2

class EngineChoice(str, Enum):
    """Where ``run`` executes (see pipeline.executor)."""

    auto = "auto"
    ray = "ray"
    local = "local"


ConfigArg = Annotated[Path, typer.Argument(help="YAML run configuration.", show_default=False)]


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(EXIT_BAD_INPUT)


def summary_table(stats: dict[str, Any]) -> Table:
    from rich.table import Table

    from polycorpus.pipeline.report.fmt import human_bytes

    table = Table(title="polycorpus run summary", title_justify="left")
    for column in ("stage", "docs in", "docs out", "dropped", "bytes in", "bytes out", "top drop reasons"):
        table.add_column(column, justify="left" if column in ("stage", "top drop reasons") else "right")
    for stage in stats["stages"]:
        if not stage:
            continue
        drops = sorted(stage.get("drops", {}).items(), key=lambda kv: -kv[1]["docs"])
        reasons = ", ".join(f"{reason} {d['docs']:,}" for reason, d in drops[:3])
        # Ingest's input is archive records (requests, metadata... included), not documents.
        name = "ingest (records in)" if stage["name"] == "ingest" else stage["name"]
        table.add_row(
            name, f"{stage.get('docs_in', 0):,}", f"{stage.get('docs_out', 0):,}",
            f"{stage.get('docs_in', 0) - stage.get('docs_out', 0):,}",
            human_bytes(stage.get("bytes_in", 0)), human_bytes(stage.get("bytes_out", 0)), reasons,
        )
    for phase in stats["phases"]:
        table.caption = (table.caption or "") + f"phase {phase['name']}: {phase['elapsed_s']:.1f}s  "
    return table


def run(
    config: ConfigArg,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Run directory (overrides the config's output).")] = None,
    ray_address: Annotated[str | None, typer.Option("--ray-address", help="Join this Ray cluster instead of starting a local one.")] = None,
    workers: Annotated[int | None, typer.Option("--workers", "-w", min=1, help="Parallel workers (default: all CPUs).")] = None,
    engine: Annotated[EngineChoice, typer.Option("--engine", help="ray, local (this process, no Ray) or auto: local for "
                                           "small inputs, else Ray. The outputs are the same bytes.")] = EngineChoice.auto,
) -> None:
    """Run the pipeline described by CONFIG; rerun the same command to resume."""
    from rich.console import Console

    from polycorpus.pipeline.config import ConfigError, load_config
    from polycorpus.pipeline.progress import RunProgress
    from polycorpus.pipeline.rundir import RunDirError
    from polycorpus.pipeline.runner import run_pipeline
    from polycorpus.pipeline.stats import untouched_notes

    try:
        parsed = load_config(config, output=output)
        result = run_pipeline(parsed, ray_address=ray_address, workers=workers, engine=engine.value,
                              progress=RunProgress())
    except (ConfigError, RunDirError) as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:  # the run directory refused a write: a full disk, lost permissions
        typer.echo(f"error: cannot write the run directory ({exc}). Free space or fix permissions, then "
                   "rerun the same command: what was committed is kept.", err=True)
        raise typer.Exit(EXIT_FAILED_UNITS) from None
    console = Console(width=None if Console().is_terminal else 140)
    if result.already_complete:
        typer.echo(f"run {result.run_url} is already complete: nothing to do "
                   f"({result.stats['output']['docs']:,} documents).")
        _write_report(result.run_url, only_if_missing=True)
        return
    console.print(summary_table(result.stats))
    for note in untouched_notes(result.stats):
        typer.echo(f"note: {note}")
    typer.echo(f"documents: {result.run_url}/documents   statistics: {result.run_url}/stats.json")
    if result.failed:
        typer.echo(f"{len(result.failed)} unit(s) FAILED (rerun the same command to retry them):")
        for outcome in result.failed:
            typer.echo(f"  {outcome.unit}: {outcome.error}")
        raise typer.Exit(EXIT_FAILED_UNITS)
    _write_report(result.run_url)


def _write_report(run_url: str, only_if_missing: bool = False) -> None:
    """RUN/report.html at the end of a complete run, so the run ends with a page to open."""
    from polycorpus.pipeline.report.output import REPORT_FILE, write_run_report
    from polycorpus.pipeline.rundir import RunDir

    run_dir = RunDir(run_url)
    if only_if_missing and run_dir.fs.exists(run_dir.path(REPORT_FILE)):
        typer.echo(f"report: {run_url}/{REPORT_FILE}")
        return
    try:
        typer.echo(f"report: {write_run_report(run_url)}")
    except Exception as exc:  # noqa: BLE001 -- the run itself is done; never fail it over its report
        typer.echo(f"warning: could not write the report ({type(exc).__name__}: {exc}); "
                   f"retry with: polycorpus report {run_url}", err=True)


def validate(config: ConfigArg) -> None:
    """Check CONFIG and resolve its inputs without running anything."""
    from polycorpus.pipeline.config import ConfigError, load_config
    from polycorpus.pipeline.plan import plan_units
    from polycorpus.pipeline.prerequisites import check_prerequisites

    try:
        parsed = load_config(config)
        units = plan_units(parsed)
        check_prerequisites(parsed)
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    stages = ", ".join(stage.name for stage in parsed.stages) or "(none)"
    typer.echo(f"{config}: OK: {len(parsed.inputs)} inputs, {len(units)} units; stages: {stages}; "
               f"output: {parsed.output}")
