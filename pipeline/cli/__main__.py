"""``python -m polycorpus.pipeline.cli``: the same as the ``polycorpus`` command."""

from polycorpus.pipeline.cli import app

app()
