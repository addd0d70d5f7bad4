"""Live progress shows per-stage counts: on a terminal (a real pseudo-terminal) and in a pipe."""

from __future__ import annotations

import io
import os
import re
import select
import time

from polycorpus.pipeline.progress import RunProgress
from polycorpus.pipeline.unit import UnitOutcome


def _outcome(unit: str, records: int, kept: list[int], tokens: int) -> UnitOutcome:
    """A unit's outcome as UnitProcessor reports it: stages in chain order, ingest first."""
    labels = ["normalize", "length_filter", "tokenize"]
    stages = {"ingest": {"docs_in": records, "docs_out": kept[0]}}
    previous = kept[0]
    for label, docs in zip(labels, kept[1:], strict=True):
        stages[label] = {"docs_in": previous, "docs_out": docs}
        previous = docs
    stages["tokenize"]["tokens"] = tokens
    return UnitOutcome(unit, ok=True, stats={"stages": stages})


UNITS = [_outcome("a", 50, [20, 20, 15, 15], 4000), _outcome("b", 70, [30, 30, 21, 21], 6100)]


def test_plain_lines_in_a_pipe_show_docs_per_stage() -> None:
    stream = io.StringIO()
    progress = RunProgress(stream=stream, interval_s=0)
    assert not progress.live
    progress.start_phase("00-ingest", 2, 0)
    for outcome in UNITS:
        progress.unit_finished(outcome)
    progress.unit_finished(UnitOutcome("c", ok=False, error="broken file"))
    progress.end_phase(1.5)
    lines = stream.getvalue().splitlines()
    assert lines[1] == ("[00-ingest] 1/2 units; 20 docs read, 15 kept; docs out per stage: "
                        "ingest 20 > normalize 20 > length_filter 15 > tokenize 15 (4,000 tokens)")
    assert "unit c FAILED: broken file" in lines[3]
    assert lines[-1] == ("[00-ingest] finished in 1.5s: 3/2 units, 1 FAILED; docs out per stage: "
                         "ingest 50 > normalize 50 > length_filter 36 > tokenize 36 (10,100 tokens)")


def _drain(fd: int, seconds: float = 0.5) -> bytes:
    """What the terminal received in the next ``seconds`` (rich keeps redrawing meanwhile)."""
    out = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and select.select([fd], [], [], 0.1)[0]:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the terminal's other end is closed
            break
        if not chunk:
            break
        out += chunk
    return out


def test_live_bar_on_a_terminal_shows_docs_per_stage() -> None:
    master, slave = os.openpty()
    os.set_blocking(master, False)
    captured = b""
    with os.fdopen(slave, "w", encoding="utf-8") as terminal:
        progress = RunProgress(stream=terminal)
        assert progress.live
        progress.start_phase("00-ingest", 2, 0)
        for outcome in UNITS:
            progress.unit_finished(outcome)
            captured += _drain(master)  # rich redraws several times a second
        progress.end_phase(1.5)
        captured += _drain(master)
    os.close(master)
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", captured.decode("utf-8", "replace"))
    assert "2/2" in screen and "50 docs read, 36 kept" in screen
    assert "docs out per stage: ingest 50 > normalize 50 > length_filter 36 > tokenize 36 (10,100" in screen
