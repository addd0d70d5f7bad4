"""``polycorpus shards verify | inspect``."""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Annotated

import typer

shards_app = typer.Typer(help="Check and read token shard sets.", no_args_is_help=True)


@shards_app.command()
def verify(directory: Annotated[str, typer.Argument(help="A shard set (RUN/shards), local or fsspec URL.")]) -> None:
    """Checksums, index consistency, dtype against vocabulary size, every id < vocabulary size."""
    from polycorpus.tokenizer.shardset import read_manifest, verify_shard_set

    problems = verify_shard_set(directory)
    if problems:
        for problem in problems:
            typer.echo(f"FAIL {problem}")
        typer.echo(f"{len(problems)} problem(s) in {directory}")
        raise typer.Exit(1)
    manifest = read_manifest(directory)
    totals = manifest.totals()
    typer.echo(f"OK {directory}: {totals['shards']} shards, {totals['documents']:,} documents, "
               f"{totals['tokens']:,} tokens ({manifest.dtype}, tokenizer {manifest.tokenizer.name} "
               f"{manifest.tokenizer.identity[:12]})")


@shards_app.command()
def inspect(
    prefix: Annotated[str, typer.Argument(help="Shard path without .bin/.idx.")],
    doc: Annotated[int, typer.Option("--doc", "-d", help="Document (sequence) number in the shard.")] = 0,
    tokenizer: Annotated[str | None, typer.Option(help="Tokenizer to decode with (default: the shard set's).")] = None,
    ids: Annotated[bool, typer.Option("--ids", help="Print the token ids instead of the text.")] = False,
) -> None:
    """Decode one document of a shard back to text."""
    from polycorpus.tokenizer.indexed import IndexedDataset
    from polycorpus.tokenizer.load import load_tokenizer
    from polycorpus.tokenizer.manifest import TOKENIZER_FILE

    try:
        dataset = IndexedDataset(prefix)
    except (FileNotFoundError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if not 0 <= doc < len(dataset):
        typer.echo(f"error: --doc {doc} is out of range (the shard holds {len(dataset)} documents)", err=True)
        raise typer.Exit(2)
    tokens = dataset[doc]
    if ids:
        typer.echo(" ".join(map(str, tokens.tolist())))
        return
    path = tokenizer or posixpath.join(str(Path(prefix).parent), TOKENIZER_FILE)
    typer.echo(load_tokenizer(path).decode(tokens))
