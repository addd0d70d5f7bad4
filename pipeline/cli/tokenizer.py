"""``polycorpus tokenizer train | compare``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

tokenizer_app = typer.Typer(help="Train tokenizers and compare their fertility.", no_args_is_help=True)

Sources = Annotated[list[str], typer.Argument(help="Run directories, jsonl or Parquet files (globs allowed).")]


@tokenizer_app.command()
def train(
    sources: Sources,
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory for tokenizer.json + tokenizer_meta.json.")],
    vocab_size: Annotated[int, typer.Option(help="Vocabulary size, special tokens included.")] = 65536,
    model: Annotated[str, typer.Option(help="bpe (byte-level, default) or unigram.")] = "bpe",
    budget_mb: Annotated[float, typer.Option(help="Characters (millions) of text to train on.")] = 100.0,
    temperature: Annotated[float, typer.Option(help="Language balance: shares follow p^(1/T); 1 keeps natural shares.")] = 3.0,
    seed: Annotated[int, typer.Option(help="Seed of the balanced sample.")] = 0,
    special_token: Annotated[list[str], typer.Option("--special-token", help="Extra special tokens (repeatable).")] = [],  # noqa: B006
    digit_splitting: Annotated[bool, typer.Option(help="Every digit is its own pre-token.")] = True,
    text_field: Annotated[str, typer.Option(help="Text field of jsonl/Parquet inputs.")] = "text",
) -> None:
    """Train a tokenizer on a language-balanced sample of the training split of SOURCES."""
    from polycorpus.tokenizer.corpus import group_of, iter_documents
    from polycorpus.tokenizer.train import balanced_sample, save_tokenizer, train_tokenizer

    try:
        docs = list(iter_documents(sources, text_field, split="train"))
    except FileNotFoundError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if not docs:
        typer.echo("error: no documents with text in the training split of the sources", err=True)
        raise typer.Exit(2)
    sample = balanced_sample(docs, group_of, temperature, int(budget_mb * 1e6), seed)
    try:
        tokenizer = train_tokenizer((d["text"] for d in sample), vocab_size=vocab_size, model=model,
                                    special_tokens=special_token, digit_splitting=digit_splitting)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    groups: dict[str, int] = {}
    for doc in sample:
        groups[group_of(doc)] = groups.get(group_of(doc), 0) + len(doc["text"])
    save_tokenizer(tokenizer, out, {
        "sources": sources, "model": model, "vocab_size": vocab_size, "temperature": temperature,
        "seed": seed, "budget_chars": int(budget_mb * 1e6), "digit_splitting": digit_splitting,
        "sample_documents": len(sample), "sample_chars_by_group": dict(sorted(groups.items())),
    })
    typer.echo(f"trained a {model} tokenizer with {tokenizer.get_vocab_size()} tokens on "
               f"{len(sample):,} documents ({sum(groups.values()):,} characters, {len(groups)} groups): {out}")


@tokenizer_app.command()
def compare(
    a: Annotated[str, typer.Argument(help="First tokenizer (tokenizer.json, directory or .model).")],
    b: Annotated[str, typer.Argument(help="Second tokenizer.")],
    sample: Annotated[list[str], typer.Option("--sample", "-s", help="Run directory, jsonl or Parquet to measure on (held-out split).")],
    text_field: Annotated[str, typer.Option(help="Text field of jsonl/Parquet inputs.")] = "text",
) -> None:
    """Tokens per character and per word, per language and code language, side by side."""
    from rich.console import Console
    from rich.table import Table

    from polycorpus.tokenizer.corpus import iter_documents
    from polycorpus.tokenizer.fertility import fertility
    from polycorpus.tokenizer.load import load_tokenizer

    tokenizers = [load_tokenizer(a), load_tokenizer(b)]
    docs = list(iter_documents(sample, text_field, split="heldout"))
    if not docs:
        typer.echo("error: the held-out split of the sample is empty", err=True)
        raise typer.Exit(2)
    results = [fertility(t, docs) for t in tokenizers]
    table = Table(title=f"fertility on {len(docs):,} held-out documents (lower is better)")
    table.add_column("group")
    table.add_column("docs", justify="right")
    for t in tokenizers:
        table.add_column(f"{t.name} tok/char", justify="right")
        table.add_column(f"{t.name} tok/word", justify="right")
    for group in sorted(results[0], key=lambda g: (g == "all", g)):
        row = [group, f"{results[0][group].documents:,}"]
        for result in results:
            row += [f"{result[group].per_char:.3f}", f"{result[group].per_word:.2f}"]
        table.add_row(*row)
    Console(width=None if Console().is_terminal else 160).print(table)
