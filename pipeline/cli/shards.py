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
    """Decode one document of a shard back to text (after checking it against the
    manifest's checksums, when the shard belongs to a shard set)."""
    from polycorpus.tokenizer.indexed import IndexedDataset
    from polycorpus.tokenizer.load import TokenizerFileError, load_tokenizer
    from polycorpus.tokenizer.manifest import TOKENIZER_FILE

    directory = str(Path(prefix).parent)
    damaged = _checksum_problems(directory, Path(prefix).name)
    if damaged:
        for problem in damaged:
            typer.echo(f"error: {problem}", err=True)
        typer.echo(f"`polycorpus shards verify {directory}` checks the whole set", err=True)
        raise typer.Exit(1)
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
    path = tokenizer or posixpath.join(directory, TOKENIZER_FILE)
    try:
        loaded = load_tokenizer(path)
    except (FileNotFoundError, TokenizerFileError) as exc:
        typer.echo(f"error: {exc} (--ids prints the token ids without a tokenizer)", err=True)
        raise typer.Exit(2) from None
    typer.echo(loaded.decode(tokens))


def _checksum_problems(directory: str, name: str) -> list[str]:
    """The shard's files against its shard set's manifest; nothing to check without one."""
    import fsspec

    from polycorpus.tokenizer.shardset import read_manifest, shard_checksum_problems

    try:
        manifest = read_manifest(directory)
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return []
    shard = next((s for s in manifest.shards if s.name == name), None)
    if shard is None:
        return []
    fs, root = fsspec.core.url_to_fs(directory)
    return shard_checksum_problems(fs, root, shard)
