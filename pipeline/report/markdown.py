"""The report's summary as Markdown, for a dataset card or a pull request.

Only the sections marked ``summary`` go in, charts are left out, and long tables keep their
first rows (the HTML report has the rest), so the summary stays readable in a PR comment.
"""

from __future__ import annotations

from polycorpus.pipeline.report.fmt import cell_text
from polycorpus.pipeline.report.model import Figures, Note, Report, Table

#: Rows of a table kept in the summary; the rest is counted in a line below it.
SUMMARY_ROWS = 15


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(table: Table) -> list[str]:
    lines = [f"*{_escape(table.caption)}*", ""] if table.caption else []
    lines.append(_row([_escape(c.title) for c in table.columns]))
    lines.append(_row(["---" if c.kind == "text" else "---:" for c in table.columns]))
    for row in table.rows[:SUMMARY_ROWS]:
        lines.append(_row([_escape(cell_text(v, c.kind)) for v, c in zip(row, table.columns, strict=True)]))
    if len(table.rows) > SUMMARY_ROWS:
        lines.append("")
        left = len(table.rows) - SUMMARY_ROWS
        lines.append(f"*… and {left:,} more row{'s' if left > 1 else ''} in the HTML report.*")
    return lines + [""]


def _note(note: Note) -> list[str]:
    return [f"> {'**Warning:** ' if note.level == 'warn' else ''}{_escape(note.text)}", ""]


def render_markdown(report: Report) -> str:
    lines = [f"# {report.title}", "", f"`{report.subtitle}`", ""]
    for note in report.notes:
        lines += _note(note)
    for section in report.sections:
        if not section.summary:
            continue
        lines += [f"## {section.title}", ""]
        for block in section.blocks:
            if isinstance(block, Figures):
                lines += [f"- **{_escape(f.label)}:** {cell_text(f.value, f.kind)}" for f in block.items] + [""]
            elif isinstance(block, Table):
                lines += _table(block)
            elif isinstance(block, Note):
                lines += _note(block)
    return "\n".join(lines).rstrip() + "\n"
