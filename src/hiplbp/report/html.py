"""The report's building blocks: escaped Markdown, journal tables, table pages, figures, contents.

Every text that comes from config or data is escaped here (:func:`md`, :func:`journal_table`), so
a label can never inject markup into the report.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..text import format_p

_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:])")


def md(text: object) -> str:
    """Text from config or data, shown literally inside Markdown.

    HTML characters become entities and Markdown punctuation is backslash-escaped, so that a
    title such as ``<img src=x onerror=...>``, a link ``[x](javascript:...)`` or a ``$`` that
    would start mathematics is printed as written.

    Examples
    --------
    >>> print(md("<b>a*b</b> [x](y) $5"))
    &lt;b&gt;a\\*b&lt;/b&gt; \\[x\\]\\(y\\) \\$5
    """
    escaped = _MARKDOWN_PUNCTUATION.sub(r"\\\1", str(text))
    return escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


#: The report's style sheet: readable at 1280 px, tables that fit the page, and print rules for A4.
REPORT_CSS = """
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.jp-Notebook, main { max-width: 1180px; margin: 0 auto; }
table.journal { border-collapse: collapse; margin: 0.6em 0 0.2em; font-size: 13px; max-width: 100%; }
table.journal caption { caption-side: top; text-align: left; font-weight: 600; padding-bottom: 4px; }
table.journal th { border-bottom: 1px solid #000; padding: 3px 8px; text-align: left; vertical-align: bottom; }
table.journal td { padding: 2px 8px; border: none; vertical-align: top; }
table.journal td.num, table.journal th.num { text-align: right !important; font-variant-numeric: tabular-nums; }
table.journal tbody tr:last-child td { border-bottom: 1px solid #000; }
table.journal td.text, table.journal th { text-align: left !important; }
table.journal td.text { max-width: 520px; }
p.table-note { font-size: 12px; color: #333; margin: 0 0 1.2em; max-width: 1000px; }
figure.report-figure { margin: 0.8em 0; }
figure.report-figure img { max-width: 100%; height: auto; }
figure.report-figure figcaption { font-size: 12px; color: #333; }
details > summary { cursor: pointer; color: #0072B2; margin: 0.4em 0; }
.summary-box { border-left: 4px solid #0072B2; padding: 0.3em 1em; background: #f4f8fb; }
.flag { color: #8B0000; }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { font-size: 10.5px; }
  .jp-Notebook, main { max-width: none; }
  table.journal { font-size: 9.5px; page-break-inside: auto; }
  table.journal tr { page-break-inside: avoid; }
  figure.report-figure img { max-height: 88mm; width: auto; }
  details:not([open]) > *:not(summary) { display: none; }
  h2 { page-break-after: avoid; }
}
</style>
"""


def _format(value: Any, kind: str) -> str:
    if kind == "text":
        return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
    if value is None or (isinstance(value, float) and not np.isfinite(value)) or pd.isna(value):
        return ""
    if kind == "p":
        return format_p(float(value))
    if kind == "int":
        return f"{int(round(float(value)))}"
    if kind == "bool":
        return "yes" if str(value).lower() in ("true", "1") else "no"
    return f"{float(value):.{int(kind)}f}".replace("-", "−")


def journal_table(
    df: pd.DataFrame, columns: Mapping[str, tuple[str, str]], *, caption: str, note: str = "", uuid: str
) -> str:
    """A table as a journal prints it: chosen columns with human labels, numbers at sensible precision.

    Parameters
    ----------
    df : DataFrame
        The full-precision table (the CSV output stays the machine-readable version).
    columns : mapping
        Column -> (label, format) in display order; format is ``text``, ``int``, ``bool``, ``p``
        (``< .001`` or three decimals) or a number of decimals (``"2"``). Numbers are right-aligned.
    caption, note : str
        Printed above and below the table (escaped).
    uuid : str
        A fixed id (pandas' Styler would otherwise draw a random one: the HTML must not change
        between runs).

    Examples
    --------
    >>> html = journal_table(pd.DataFrame({"F": [3.14159], "p": [2e-5]}), {"F": ("F", "2"), "p": ("p", "p")},
    ...                      caption="Test", uuid="t")
    >>> "<td" in html and ">3.14<" in html and "&lt; .001" in html
    True
    """
    cols = [c for c in columns if c in df.columns]
    labels = [columns[c][0] for c in cols]
    if len(set(labels)) != len(labels):
        raise ValueError(f"journal_table {uuid!r}: column labels must differ, got {labels}")
    shown = pd.DataFrame({columns[c][0]: [_format(v, columns[c][1]) for v in df[c]] for c in cols}, index=df.index)
    numeric = [columns[c][0] for c in cols if columns[c][1] not in ("text", "bool")]
    classes = pd.DataFrame(
        {label: ("num" if label in numeric else "text") for label in shown.columns}, index=shown.index
    )
    styler = (
        shown.style.set_uuid(uuid)
        .hide(axis="index")
        .format(escape="html")
        .set_td_classes(classes)
        .set_caption(escape(caption))
        .set_table_attributes('class="journal"')
    )
    html = styler.to_html()
    # header cells of numeric columns align with their numbers
    for k, label in enumerate(shown.columns):
        if label in numeric:
            html = html.replace(f'class="col_heading level0 col{k}"', f'class="col_heading level0 col{k} num"', 1)
    return html + (f'<p class="table-note">{escape(note)}</p>' if note else "")


def auto_columns(df: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """Every column of a result table with a readable label and a format chosen from its name and type.

    p values (``p``, ``p_*``, ``*_p``) as journals print them, counts as integers, other numbers
    with three decimals, the rest as text.

    Examples
    --------
    >>> auto_columns(pd.DataFrame({"p_gg": [0.1], "n": [3], "mean_sd": [1.5], "arm": ["a"]}))
    {'p_gg': ('p gg', 'p'), 'n': ('n', 'int'), 'mean_sd': ('mean sd', '3'), 'arm': ('arm', 'text')}
    """
    out = {}
    for c in df.columns:
        label = str(c).replace("_", " ")
        if c == "p" or str(c).startswith("p_") or str(c).endswith("_p") or c == "p_binomial":
            kind = "p"
        elif pd.api.types.is_integer_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c]):
            kind = "int" if pd.api.types.is_integer_dtype(df[c]) else "bool"
        elif pd.api.types.is_float_dtype(df[c]):
            kind = "3"
        else:
            kind = "text"
        out[str(c)] = (label, kind)
    return out


#: Rows a table page shows: enough to read, few enough that a 100,000-patient trial's data table
#: renders in a second and opens in a browser (the CSV keeps every row).
PAGE_ROWS = 1000


def table_page(df: pd.DataFrame, *, title: str, note: str = "", max_rows: int = PAGE_ROWS) -> str:
    """A result table as a small self-contained HTML page (for ``snakemake --report``).

    Tables longer than ``max_rows`` show their first ``max_rows`` rows and say so in the note.

    Examples
    --------
    >>> page = table_page(pd.DataFrame({"x": range(5)}), title="t", max_rows=2)
    >>> page.count("<tr") - 1, "the first 2 of 5 rows" in page
    (2, True)
    """
    if len(df) > max_rows:
        note = f"Showing the first {max_rows:,} of {len(df):,} rows. " + note
        df = df.head(max_rows)
    body = journal_table(df, auto_columns(df), caption=title, note=note, uuid="table")
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"{REPORT_CSS}</head><body>{body}</body></html>\n"
    )


def details(summary: str, body_html: str) -> str:
    """``body_html`` behind a click (``<details>``), e.g. a full table; collapsed on paper too."""
    return f"<details><summary>{escape(summary)}</summary>{body_html}</details>"


def figure_html(path: str | Path, alt: str, caption: str = "") -> str:
    """An embedded figure (base64 PNG) with alt text and an optional caption."""
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return (
        f'<figure class="report-figure"><img alt="{escape(alt, quote=True)}" '
        f'src="data:image/png;base64,{data}">{cap}</figure>'
    )


def heading(text: str, anchor: str, level: int = 2) -> str:
    """A section heading with a fixed anchor (for the table of contents)."""
    return f'<h{level} id="{escape(anchor, quote=True)}">{escape(text)}</h{level}>'


def contents(sections: Sequence[tuple[str, str]]) -> str:
    """A table of contents: ``(anchor, title)`` pairs as a list of links."""
    items = "".join(f'<li><a href="#{escape(a, quote=True)}">{escape(t)}</a></li>' for a, t in sections)
    return f'<nav aria-label="Contents"><strong>Contents</strong><ol>{items}</ol></nav>'
