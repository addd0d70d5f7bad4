"""``polycorpus quality train``: the learned quality filter's model."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

quality_app = typer.Typer(help="Train the learned quality filter.", no_args_is_help=True)


@quality_app.command()
def train(
    positive: Annotated[list[str], typer.Option("--positive", "-p", help="jsonl/Parquet files of good documents (repeatable).")],
    negative: Annotated[list[str], typer.Option("--negative", "-n", help="jsonl/Parquet files of bad documents, e.g. raw crawl (repeatable).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The model file to write (.bin, or .ftz with --quantize).")],
    text_field: Annotated[str, typer.Option(help="Text field of the inputs.")] = "text",
    epoch: Annotated[int, typer.Option(min=1)] = 5,
    lr: Annotated[float, typer.Option(min=0.0)] = 0.1,
    dim: Annotated[int, typer.Option(min=1)] = 64,
    word_ngrams: Annotated[int, typer.Option(min=1, help="Word n-grams as features.")] = 2,
    seed: Annotated[int, typer.Option(help="Seed of training and of the validation split.")] = 0,
    valid_fraction: Annotated[float, typer.Option(min=0.0, max=0.9, help="Share held out for validation.")] = 0.1,
    quantize: Annotated[bool, typer.Option(help="Write a small quantised model.")] = False,
) -> None:
    """Train a fastText classifier (labels hq / lq) for the quality_classifier stage."""
    from polycorpus.stages.quality.training import TrainOptions
    from polycorpus.stages.quality.training import train as train_model

    options = TrainOptions(epoch=epoch, lr=lr, dim=dim, word_ngrams=word_ngrams, seed=seed,
                           valid_fraction=valid_fraction, quantize=quantize)
    try:
        report = train_model(positive, negative, out, text_field, options)
    except (OSError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"trained on {report.train['hq']:,} good / {report.train['lq']:,} bad documents: {report.output}")
    if sum(report.valid.values()):
        typer.echo(f"validation ({report.valid['hq']:,} good / {report.valid['lq']:,} bad): "
                   f"precision {report.precision:.3f}, recall {report.recall:.3f}, accuracy {report.accuracy:.3f}")
