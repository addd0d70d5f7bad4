"""The report as one self-contained HTML file: inline CSS, inline SVG charts, a few lines of
inline script (table sorting), and a Content-Security-Policy that forbids loading anything
else, so a report that opens at all opens offline and shows everything it has."""

from __future__ import annotations

from html import escape

from polycorpus.pipeline import __version__
from polycorpus.pipeline.report.fmt import cell_text
from polycorpus.pipeline.report.model import (
    Bars,
    Block,
    Cell,
    Column,
    Figures,
    Histogram,
    Kind,
    Note,
    Report,
    Section,
    Table,
)
from polycorpus.pipeline.report.svg import bars, histogram

#: Tables longer than this scroll inside a fixed height instead of stretching the page.
SCROLL_ROWS = 25

CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

STYLE = """
:root { --ink:#1d2330; --muted:#5c6678; --line:#dfe3ea; --bg:#f6f7f9; --accent:#3b6fb6; --warn:#9a4a00; }
* { box-sizing:border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;
       color:var(--ink); background:var(--bg); }
header { background:#fff; border-bottom:1px solid var(--line); padding:20px 32px 12px; }
h1 { font-size:22px; margin:0 0 4px; }
.subtitle { color:var(--muted); font-size:12px; word-break:break-all; }
nav { margin-top:10px; display:flex; flex-wrap:wrap; gap:4px 14px; font-size:13px; }
nav a { color:var(--accent); text-decoration:none; }
main { padding:8px 32px 40px; max-width:1180px; }
section { background:#fff; border:1px solid var(--line); border-radius:6px; padding:14px 20px 18px; margin:16px 0; }
h2 { font-size:17px; margin:0 0 6px; }
.intro { color:var(--muted); margin:0 0 10px; max-width:900px; }
.note { border-left:4px solid var(--accent); background:#eef3fb; padding:8px 12px; margin:8px 0; }
.note.warn { border-color:var(--warn); background:#fff4e5; color:#4a2a00; font-weight:500; }
.figures { display:flex; flex-wrap:wrap; gap:10px; margin:6px 0 12px; }
.figure { border:1px solid var(--line); border-radius:6px; padding:8px 12px; min-width:104px; }
.figure .v { font-size:20px; font-weight:600; font-variant-numeric:tabular-nums; }
.figure .l { color:var(--muted); font-size:12px; }
.table-wrap { overflow:auto; margin:8px 0 14px; }
.table-wrap.scroll { max-height:560px; border:1px solid var(--line); }
table.data { border-collapse:collapse; font-size:13px; font-variant-numeric:tabular-nums; }
table.data caption { text-align:left; color:var(--muted); padding:2px 0 6px; caption-side:top; }
table.data th, table.data td { padding:4px 10px; border-bottom:1px solid var(--line); white-space:nowrap; }
table.data td.text { white-space:normal; min-width:90px; max-width:460px; }
table.data td.text:first-child { white-space:nowrap; max-width:none; }
table.data th { background:#fafbfc; text-align:left; position:sticky; top:0; cursor:pointer; user-select:none; }
table.data th.num, table.data td.num { text-align:right; }
table.data th[aria-sort=ascending]::after { content:" \\25B2"; }
table.data th[aria-sort=descending]::after { content:" \\25BC"; }
svg.chart { display:block; margin:8px 0 14px; max-width:100%; height:auto; }
svg .chart-title { font-size:13px; font-weight:600; fill:var(--ink); }
svg .label, svg .value, svg .legend, svg .panel-title { font-size:11px; fill:var(--ink); }
svg .value, svg .tick { fill:var(--muted); }
svg .tick { font-size:10px; }
svg .grid { stroke:var(--line); stroke-width:1; }
svg .axis { stroke:#aab2bf; stroke-width:1; }
svg rect.bar:hover { opacity:.8; }
footer { color:var(--muted); font-size:12px; padding:0 32px 24px; }
"""

# Click a column header to sort by it; numbers sort by their raw value (data-v), not the text.
SCRIPT = """
document.querySelectorAll("table.data").forEach(function (table) {
  table.querySelectorAll("thead th").forEach(function (th, col) {
    th.addEventListener("click", function () {
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var descending = th.getAttribute("aria-sort") !== "descending";
      var numeric = th.classList.contains("num");
      var key = function (row) {
        var v = row.cells[col].getAttribute("data-v");
        return numeric ? (v === "" ? -Infinity : parseFloat(v)) : v;
      };
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        var order = numeric ? (x === y ? 0 : (x < y ? -1 : 1)) : x.localeCompare(y);
        return descending ? -order : order;
      });
      table.querySelectorAll("thead th").forEach(function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
document.body.setAttribute("data-ready", "1");
"""


def _note(note: Note) -> str:
    return f'<div class="note {note.level}">{escape(note.text)}</div>'


def _figures(block: Figures) -> str:
    cards = "".join(f'<div class="figure"><div class="v">{escape(cell_text(f.value, f.kind))}</div>'
                    f'<div class="l">{escape(f.label)}</div></div>' for f in block.items)
    return f'<div class="figures">{cards}</div>'


def _cell(value: Cell, kind: Kind) -> str:
    numeric = kind != "text" and not isinstance(value, str)
    raw = "" if value is None else (repr(value) if numeric else str(value))
    css = "num" if numeric else "text"
    return f'<td class="{css}" data-v="{escape(raw)}">{escape(cell_text(value, kind))}</td>'


def _header(column: Column) -> str:
    numeric = ' class="num"' if column.kind != "text" else ""
    return f'<th scope="col"{numeric}>{escape(column.title)}</th>'


def _table(table: Table) -> str:
    head = "".join(_header(c) for c in table.columns)
    body = "".join("<tr>" + "".join(_cell(v, c.kind) for v, c in zip(row, table.columns, strict=True)) + "</tr>"
                   for row in table.rows)
    caption = f"<caption>{escape(table.caption)}</caption>" if table.caption else ""
    scroll = " scroll" if len(table.rows) > SCROLL_ROWS else ""
    key = f' id="table-{escape(table.key)}"' if table.key else ""
    return (f'<div class="table-wrap{scroll}"><table class="data"{key}>{caption}<thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def _block(block: Block) -> str:
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Bars):
        return bars(block)
    if isinstance(block, Histogram):
        return histogram(block)
    if isinstance(block, Figures):
        return _figures(block)
    return _note(block)


def _section(section: Section) -> str:
    intro = f'<p class="intro">{escape(section.intro)}</p>' if section.intro else ""
    return (f'<section id="{escape(section.key)}"><h2>{escape(section.title)}</h2>{intro}'
            + "".join(_block(b) for b in section.blocks) + "</section>")


def render_html(report: Report) -> str:
    nav = "".join(f'<a href="#{escape(s.key)}">{escape(s.title)}</a>' for s in report.sections)
    notes = "".join(_note(n) for n in report.notes)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'
        f"<title>{escape(report.title)}</title><style>{STYLE}</style></head><body>"
        f'<header><h1>{escape(report.title)}</h1><div class="subtitle">{escape(report.subtitle)}</div>'
        f"{notes}<nav>{nav}</nav></header>"
        "<main>" + "".join(_section(s) for s in report.sections) + "</main>"
        f"<footer>Written by polycorpus {escape(__version__)} from the run's statistics, documents and shard "
        "manifest. This file is self-contained: it loads nothing from anywhere.</footer>"
        f"<script>{SCRIPT}</script></body></html>\n"
    )
