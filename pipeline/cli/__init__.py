"""The ``polycorpus`` command line: one module per command group, assembled here.

Exit codes: 0 success (or nothing left to do), 1 the run finished but some units failed,
2 the config, its inputs or the run directory cannot be used (nothing was written).

Importing this package must stay cheap (``polycorpus --help`` answers in well under a
second): the command modules import typer only, and each command imports what it works with
(Ray, pyarrow, the stages) inside its body. tests/test_cli_imports.py holds that line.
"""

from __future__ import annotations

import typer

from polycorpus.pipeline.cli.main import run, validate
from polycorpus.pipeline.cli.quality import quality_app
from polycorpus.pipeline.cli.report import report
from polycorpus.pipeline.cli.shards import shards_app
from polycorpus.pipeline.cli.tokenizer import tokenizer_app
from polycorpus.pipeline.cli.translate import translate_app

app = typer.Typer(
    name="polycorpus",
    help="Multilingual and code pretraining-data pipeline on Ray.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

app.command()(run)
app.command()(validate)
app.command()(report)
app.add_typer(tokenizer_app, name="tokenizer")
app.add_typer(shards_app, name="shards")
app.add_typer(quality_app, name="quality")
app.add_typer(translate_app, name="translate")
