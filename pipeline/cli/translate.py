"""``polycorpus translate export|import``: comment translation by an external batch job.

1. Run the pipeline with ``translate_comments`` and ``backend: export``: every unit writes its
   unique segments to ``RUN/translate/segments/<unit>.parquet``.
2. ``polycorpus translate export RUN -o segments.parquet``: one file of unique segments
   (``key``, ``text``, ``source_lang``, ``target_lang``, ``code_lang``, ``count``), sorted by key.
3. Translate it anywhere; the result needs ``key`` and ``translation`` (adding a
   ``translation`` column to the exported file is enough).
4. ``polycorpus translate import translated.parquet --segments segments.parquet -o
   translations.parquet`` checks it (keys known, coverage) and writes ``key``, ``translation``;
   ``--cache`` also loads it into a SQLite translation cache.
5. Rerun with ``backend: import`` and ``translations: translations.parquet`` (a new output
   directory: the config changed) to inject the translations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

translate_app = typer.Typer(help="Export code-comment segments and import their translations.",
                            no_args_is_help=True)


@translate_app.command("export")
def export(
    run_dir: Annotated[str, typer.Argument(help="A run directory made with translate_comments backend: export.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The Parquet file of unique segments.")],
) -> None:
    """Merge the units' segment files into one file of unique segments (in bounded memory)."""
    from polycorpus.pipeline.rundir import RunDir
    from polycorpus.stages.translate.segments import merge_segments
    from polycorpus.stages.translate.stage import SEGMENTS_DIR

    run = RunDir(run_dir)
    files = sorted(run.fs.glob(run.path(SEGMENTS_DIR, "*.parquet")))
    if not files:
        typer.echo(f"error: no segments under {run.path(SEGMENTS_DIR)} (was the run made with backend: export?)",
                   err=True)
        raise typer.Exit(2)
    unique, occurrences = merge_segments(run.fs, files, output)
    typer.echo(f"{unique:,} unique segments ({occurrences:,} occurrences) from {len(files)} units: {output}")


@translate_app.command("import")
def import_(
    translated: Annotated[Path, typer.Argument(help="Parquet with key and translation columns.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The translations file for backend: import.")],
    segments: Annotated[Path | None, typer.Option(help="The exported segments, to check keys and coverage.")] = None,
    cache: Annotated[Path | None, typer.Option(help="Also load the translations into this SQLite cache.")] = None,
    model: Annotated[str, typer.Option(help="Model name recorded in the cache keys (with --cache).")] = "imported",
) -> None:
    """Check translations made elsewhere and write them for the import backend."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(translated)
    except (OSError, pa.ArrowInvalid) as exc:
        typer.echo(f"error: {translated}: {exc}", err=True)
        raise typer.Exit(2) from None
    missing = {"key", "translation"} - set(table.column_names)
    if missing:
        typer.echo(f"error: {translated}: missing column(s) {', '.join(sorted(missing))}", err=True)
        raise typer.Exit(2)
    pairs = {k: t for k, t in zip(table.column("key").to_pylist(), table.column("translation").to_pylist(),
                                  strict=True) if k and t and t.strip()}
    empty = table.num_rows - len(pairs)
    if segments is not None:
        exported = pq.read_table(segments)
        known = dict(zip(exported.column("key").to_pylist(), exported.to_pylist(), strict=True))
        unknown = [k for k in pairs if k not in known]
        if unknown:
            typer.echo(f"error: {len(unknown)} keys are not in {segments} (first: {unknown[0]})", err=True)
            raise typer.Exit(2)
        typer.echo(f"coverage: {len(pairs):,} of {len(known):,} segments translated")
        if cache is not None:
            from polycorpus.stages.translate.cache import TranslationCache, cache_key

            store = TranslationCache(str(cache))
            store.put_many({cache_key(known[k]["text"], "import", model, known[k]["source_lang"],
                                      known[k]["target_lang"]): t for k, t in pairs.items()})
            store.close()
    elif cache is not None:
        typer.echo("error: --cache needs --segments (the cache is keyed by the segment text)", err=True)
        raise typer.Exit(2)
    keys = sorted(pairs)
    output.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"key": keys, "translation": [pairs[k] for k in keys]}), output)
    typer.echo(f"{len(keys):,} translations ({empty:,} empty or missing skipped): {output}")
