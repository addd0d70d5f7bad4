"""What a run shows while it works: a live bar on a terminal, sparse log lines in a pipe."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pipeline.unit import UnitOutcome


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
        self.log(f"[{name}] {total} units, {done} already committed, {total - done} to do")
        if self.live:
            self._bar = Progress(
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
        else:
            self.failed += 1
            self.log(f"[{self.phase}] unit {outcome.unit} FAILED: {outcome.error}")
        summary = f"{self.docs_in:,} docs read, {self.docs_out:,} kept"
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done, docs=summary)
        elif time.monotonic() - self._last_line >= self.interval_s:
            self._last_line = time.monotonic()
            self.log(f"[{self.phase}] {self.done}/{self.total} units; {summary}")

    def end_phase(self, elapsed_s: float) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
        failed = f", {self.failed} FAILED" if self.failed else ""
        self.log(f"[{self.phase}] finished in {elapsed_s:.1f}s: {self.done}/{self.total} units{failed}")
