"""What a run shows while it works: a live bar on a terminal, sparse log lines in a pipe.

Both show the documents left after every stage of the phase, summed over the units this
invocation has finished, so a filter that drops far too much is visible while the run goes.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from typing import Any, TextIO

from rich.console import Console, RenderableType
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from polycorpus.pipeline.unit import UnitOutcome


class _StageProgress(Progress):
    """The unit bar with a line of per-stage counts under it."""

    stage_line = ""

    def get_renderables(self) -> Iterable[RenderableType]:
        yield self.make_tasks_table(self.tasks)
        if self.stage_line:
            yield Text(self.stage_line, style="dim", overflow="fold")


def stage_counts_line(stage_docs: dict[str, int], tokens: int | None) -> str:
    """``docs out per stage: ingest 43 > normalize 43 > length_filter 39 (12,666 tokens)``."""
    if not stage_docs:
        return ""
    chain = " > ".join(f"{label} {docs:,}" for label, docs in stage_docs.items())
    return f"docs out per stage: {chain}" + (f" ({tokens:,} tokens)" if tokens is not None else "")


class RunProgress:
    """Counts units and documents per phase; renders them for a human or for a log."""

    def __init__(self, stream: TextIO | None = None, interval_s: float = 10.0) -> None:
        self.stream = stream or sys.stderr
        self.console = Console(file=self.stream)
        self.live = self.console.is_terminal
        self.interval_s = interval_s
        self._bar: Progress | None = None
        self._task = None
        self._last_line = 0.0

    def log(self, message: str) -> None:
        if self._bar is not None:
            self._bar.console.print(message, highlight=False, markup=False)
        else:
            print(message, file=self.stream, flush=True)

    def start_phase(self, name: str, total: int, done: int) -> None:
        self.phase, self.total, self.done, self.failed = name, total, done, 0
        self.docs_in = self.docs_out = 0
        self.stage_docs: dict[str, int] = {}
        self.tokens: int | None = None
        self.log(f"[{name}] {total} units, {done} already committed, {total - done} to do")
        if self.live:
            self._bar = _StageProgress(
                TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[docs]}"), TimeElapsedColumn(),
                console=self.console, transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task(name, total=total, completed=done, docs="")
        self._last_line = time.monotonic()

    def unit_finished(self, outcome: UnitOutcome) -> None:
        self.done += 1
        if outcome.ok:
            stages = outcome.stats["stages"]
            entries = list(stages.values())
            # The first phase reads records into documents; later phases read documents.
            self.docs_in += stages["ingest"]["docs_out"] if "ingest" in stages else entries[0]["docs_in"]
            self.docs_out += entries[-1]["docs_out"]
            self._count_stages(stages)
        else:
            self.failed += 1
            self.log(f"[{self.phase}] unit {outcome.unit} FAILED: {outcome.error}")
        summary = f"{self.docs_in:,} docs read, {self.docs_out:,} kept"
        if self._bar is not None:
            self._bar.stage_line = stage_counts_line(self.stage_docs, self.tokens)
            self._bar.update(self._task, completed=self.done, docs=summary)
        elif time.monotonic() - self._last_line >= self.interval_s:
            self._last_line = time.monotonic()
            self.log(f"[{self.phase}] {self.done}/{self.total} units; {summary}; "
                     f"{stage_counts_line(self.stage_docs, self.tokens)}")

    def _count_stages(self, stages: dict[str, Any]) -> None:
        # Units report their stages in chain order (ingest first), so insertion order is run order.
        for label, entry in stages.items():
            self.stage_docs[label] = self.stage_docs.get(label, 0) + entry.get("docs_out", 0)
            if "tokens" in entry:
                self.tokens = (self.tokens or 0) + entry["tokens"]

    def end_phase(self, elapsed_s: float) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
        failed = f", {self.failed} FAILED" if self.failed else ""
        counts = stage_counts_line(self.stage_docs, self.tokens)
        self.log(f"[{self.phase}] finished in {elapsed_s:.1f}s: {self.done}/{self.total} units{failed}"
                 + (f"; {counts}" if counts else ""))
