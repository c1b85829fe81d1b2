"""The report: run the notebook template with papermill and export self-contained HTML.

The notebook computes nothing new; it reads the tables and figures the pipeline made. This module
runs it, removes everything that would make two runs differ (papermill and nbclient timings),
and writes HTML that loads nothing from the network (no CDN scripts; images are embedded by the
notebook itself).
"""

from __future__ import annotations

import base64
import hashlib
import json
import platform
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from importlib import metadata
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pandas as pd

from .common import format_p

_VOLATILE_NB = ("start_time", "end_time", "duration", "environment_variables", "input_path", "output_path")
_VOLATILE_CELL = ("start_time", "end_time", "duration")
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S | re.I)
_URL = re.compile(r"https?://", re.I)
#: Attribute and CSS forms through which a browser would fetch something.
# A URL that leaves the file: a scheme with "//" (http://, file://), or protocol-relative "//host",
# written with slashes or backslashes (browsers read "\\host" and "/\\host" as "//host").
_NETWORK_URL = r"""["']?\s*(?:[a-z][a-z0-9+.\-]*:)?[/\\]{2}"""
_TAG = re.compile(r"<[a-z][^>]*>", re.I)
_URL_ATTRIBUTE = re.compile(
    r"\b(?:src|href|srcset|action|formaction|poster|background|data|xlink:href)\s*=\s*" + _NETWORK_URL, re.I
)
_CSS_URL = re.compile(r"url\(\s*" + _NETWORK_URL + r"|@import\s+" + _NETWORK_URL, re.I)
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style>", re.I | re.S)
_SCRIPT_BLOCK = re.compile(r"<script\b[^>]*>(.*?)</script>", re.I | re.S)


def network_references(html: str) -> list[str]:
    """Every place where ``html`` would load something from outside the file, as short excerpts.

    Looks only at markup, never at text: a tag's URL attributes (``src``, ``href``, ...), CSS
    ``url()`` and ``@import`` in style blocks and ``style`` attributes, and URLs inside scripts.
    A URL counts when it has a scheme with ``//`` or is protocol-relative (``//host``), with
    slashes or backslashes. Escaped text (``&lt;img src=//x&gt;``) is text, and is not counted.

    Examples
    --------
    >>> network_references('<img src=//example.com/x.png><a href="#top">x</a>')
    ['<img src=//example.com/x.png>']
    >>> network_references('<p>&lt;img src=//example.com/x.png&gt;</p><img src="data:image/png;base64,AA">')
    []
    >>> len(network_references('<img src="' + chr(92) * 2 + 'evil/x.png"><style>p{background:url(//x/y)}</style>'))
    2
    """
    hits = [m.group(0)[:80] for m in _TAG.finditer(html) if _URL_ATTRIBUTE.search(m.group(0))]
    hits += [
        m.group(0)[:80] for m in _TAG.finditer(html) if "style" in m.group(0).lower() and _CSS_URL.search(m.group(0))
    ]
    for block in _STYLE_BLOCK.finditer(html):
        hits += [block.group(1)[max(0, u.start() - 20) : u.end() + 40] for u in _CSS_URL.finditer(block.group(1))]
    for block in _SCRIPT_BLOCK.finditer(html):
        # a quoted URL (a "// comment" is not one)
        if re.search(r"""["'`](?:[a-z][a-z0-9+.\-]*:)?[/\\]{2}[\w.-]""", block.group(1), re.I):
            hits.append(block.group(0)[:80])
    return list(dict.fromkeys(hits))


def strip_volatile(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove what makes two executions differ (timings, paths, random ids), in place; return ``nb``."""
    pm = nb.metadata.get("papermill", {})
    for key in _VOLATILE_NB:
        pm.pop(key, None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        # papermill gives the cell it injects a random id; any fixed, unique id will do.
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
        cpm = cell.metadata.get("papermill")
        if cpm is not None:
            for key in _VOLATILE_CELL:
                cpm.pop(key, None)
    return nb


def check_parameters(namespace: Mapping[str, Any], before: Iterable[str]) -> None:
    """Refuse unknown report parameters and values of the wrong type, naming the parameter.

    Called by the report notebook right after its parameters cell (and papermill's injected one),
    so that ``papermill notebooks/report.ipynb out.ipynb -p nonexistent 1`` fails instead of only
    warning. The declared parameters are the annotated assignments of the parameters cell (the
    kernel keeps them in ``__annotations__``); every other public name defined since ``before``
    was injected and is unknown.

    Parameters
    ----------
    namespace : mapping
        The kernel's ``globals()``.
    before : iterable of str
        The names defined before the parameters cell ran.

    Raises
    ------
    ValueError
        ``report parameter 'x': ...`` for the first unknown name or wrongly typed value.

    Examples
    --------
    >>> ns = {"__annotations__": {"alpha": float}, "alpha": 0.05}
    >>> check_parameters(ns, ["__annotations__"])
    >>> check_parameters(ns | {"alhpa": 0.1}, ["__annotations__"])
    Traceback (most recent call last):
    ...
    ValueError: report parameter 'alhpa' is unknown; the report declares: alpha
    >>> check_parameters(ns | {"alpha": "0.05"}, ["__annotations__"])
    Traceback (most recent call last):
    ...
    ValueError: report parameter 'alpha': expected float, got str '0.05'
    """
    declared: Mapping[str, Any] = namespace.get("__annotations__", {})
    seen = set(before)
    for name in sorted(n for n in namespace if n not in seen and not n.startswith("_")):
        if name not in declared:
            raise ValueError(
                f"report parameter {name!r} is unknown; the report declares: {', '.join(sorted(declared))}"
            )
    for name, kind in declared.items():
        value = namespace.get(name)
        # an int is a valid float (papermill passes `-p alpha 1` as int); a bool is not a number here
        ok = isinstance(value, kind) and not (isinstance(value, bool) and kind in (int, float))
        ok = ok or (kind is float and isinstance(value, int) and not isinstance(value, bool))
        if not ok:
            raise ValueError(
                f"report parameter {name!r}: expected {kind.__name__}, got {type(value).__name__} {value!r}"
            )


def execute(
    template: str | Path,
    output: str | Path,
    parameters: Mapping,
    *,
    cwd: str | Path = ".",
    kernel_name: str = "python3",
) -> nbformat.NotebookNode:
    """Execute the report template with papermill and write the stripped notebook.

    Parameters
    ----------
    template : path
        Notebook with a cell tagged ``parameters``.
    output : path
        Where the executed notebook is written.
    parameters : mapping
        Injected parameters; each must exist in the template's parameters cell (papermill's
        own check would only warn, so unknown names are refused here).
    cwd : path
        Working directory of the kernel (the project root, so relative paths resolve).
    kernel_name : str
        Jupyter kernel.

    Returns
    -------
    NotebookNode
        The executed, stripped notebook.
    """
    import papermill as pm

    declared = pm.inspect_notebook(str(template))
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise ValueError(
            f"{template}: unknown report parameter(s) {unknown}; the parameters cell declares {sorted(declared)}"
        )
    output = Path(output)
    # papermill writes the notebook cell by cell while it runs: outside results/, so that a run
    # killed here leaves nothing behind that looks like an output
    with tempfile.TemporaryDirectory(prefix="hiplbp-report-") as tmpdir:
        tmp = Path(tmpdir) / output.name
        pm.execute_notebook(
            str(template),
            str(tmp),
            parameters=dict(parameters),
            cwd=str(cwd),
            kernel_name=kernel_name,
            progress_bar=False,
            log_output=False,
            report_mode=False,
        )
        nb = strip_volatile(nbformat.read(tmp, as_version=4))
    nbformat.write(nb, output)
    return nb


def to_html(nb: nbformat.NotebookNode, *, hide_code: bool = True, title: str = "") -> str:
    """Export a notebook to HTML that loads nothing from the network.

    Uses nbconvert's ``lab`` template and removes its CDN scripts (require.js, MathJax, mermaid),
    which the report does not need: tables are HTML and figures are embedded images. ``title``
    becomes the page's ``<title>`` (escaped).
    """
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        exclude_input=hide_code,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    html, _ = exporter.from_notebook_node(nb)
    # Drop every <script> that names a URL (its src, or an import in its body, as the mermaid
    # loader): the report needs no script from anywhere.
    html = _SCRIPT.sub(lambda m: "" if _URL.search(m.group(0)) else m.group(0), html)
    hits = network_references(html)
    if hits:
        raise ValueError(f"report HTML still references the network: {hits[0]!r}")
    if title:
        html = re.sub(r"<title>.*?</title>", lambda _: f"<title>{escape(title)}</title>", html, count=1, flags=re.S)
    return html


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


def provenance_markdown(provenance: Mapping) -> str:
    """A plain-language paragraph on where the data come from, for the top of the report."""
    if provenance.get("synthetic"):
        text = (
            "**The data analysed here are not patient data.** They were reconstructed from the "
            f"summary statistics published in {md(provenance.get('citation') or 'the paper')} "
            "(group sizes, means and SDs), "
            f"with a within-subject correlation of {provenance.get('correlation')} between visits, "
            "which the paper did not report. Statistics that depend only on the published "
            "moments are reproduced; anything that depends on individual values is illustrative."
        )
        assumed = provenance.get("assumptions") or []
        if assumed:
            text += (
                "\n\n**Assumptions for cells the paper did not print:** "
                + "; ".join(map(md, assumed))
                + ". Results that use them are marked *assumed*."
            )
        return text
    return (
        f"Data file {md(provenance.get('path'))} (sha256 `{str(provenance.get('sha256', ''))[:16]}…`), "
        f"{md(provenance.get('n_rows'))} rows read as {md(provenance.get('layout'))} layout."
    )


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


#: The packages whose versions the provenance block lists.
PACKAGES = (
    "hiplbp",
    "numpy",
    "scipy",
    "pandas",
    "statsmodels",
    "pingouin",
    "pandera",
    "matplotlib",
    "seaborn",
    "papermill",
    "nbconvert",
    "snakemake",
)


def config_sha256(config: Mapping) -> str:
    """A hash of the effective config (keys sorted), to tell runs apart without a date.

    Examples
    --------
    >>> config_sha256({"b": 1, "a": [1, 2]}) == config_sha256({"a": [1, 2], "b": 1})
    True
    """
    return hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()


def provenance_table(provenance: Mapping, run: Mapping, packages: Sequence[str] = PACKAGES) -> pd.DataFrame:
    """What made this report: versions, seed, config hash, data hash and commit (no date or time).

    Returns
    -------
    DataFrame
        ``item, value``, one row per fact; a package that is not installed says so.
    """
    rows = [("Python", platform.python_version())]
    for name in packages:
        try:
            rows.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            rows.append((name, "not installed"))
    rows += [
        ("seed (reconstruction.seed)", str(run.get("seed", ""))),
        ("config (sha256 of the effective config)", str(run.get("config_sha256", ""))),
        (f"data file {provenance.get('path', '')} (sha256)", str(provenance.get("sha256", ""))),
        ("git commit", str(run.get("commit") or "not a git checkout")),
    ]
    return pd.DataFrame(rows, columns=["item", "value"])


def _screen_line(r: Mapping[str, Any], link: str | None) -> str:
    """One trial worth a closer look, as a list item (escaped; a link to its own report if made)."""
    name = escape(str(r["trial"]))
    head = f'<a href="{escape(link, quote=True)}">{name}</a>' if link else name
    if r["status"] != "screened":
        return f"<li><strong>{head}</strong>: not screened: {escape(str(r['reason']))}</li>"
    parts = [f"{int(r['flags'])} flag(s)"]
    for column, what in (
        ("inconsistent_tests", "reported test(s) whose p its statistic cannot give"),
        ("unexplained_losses", "patient(s) lost without a flow table"),
    ):
        if r.get(column) and r[column] == r[column] and int(r[column]) > 0:
            parts.append(f"{int(r[column])} {what}")
    tails = [(r.get("carlisle_p_different"), "arms more different"), (r.get("carlisle_p_similar"), "arms more alike")]
    for p, what in tails:
        if p is not None and p == p and p < 0.05:
            parts.append(f"baseline: {what} than randomization usually gives (p {format_p(float(p))})")
    return f"<li><strong>{head}</strong>: " + "; ".join(escape(x) for x in parts) + "</li>"


def _own_runs_html(reports: Mapping[str, str], not_run: Mapping[str, str]) -> str:
    """The own runs the screen made (links to their reports) and those it could not make (why)."""
    if not reports and not not_run:
        return ""
    items = [
        f'<li><a href="{escape(link, quote=True)}">{escape(name)}</a>: reconstruction, analysis, sensitivity '
        "and the audit of its own run</li>"
        for name, link in sorted(reports.items())
    ]
    items += [f"<li>Not run: {escape(reason)}</li>" for _, reason in sorted(not_run.items())]
    return f"<h2>Own reports</h2><ul>{''.join(items)}</ul>"


def screen_page(
    trials: pd.DataFrame,
    *,
    figure_png: str | Path,
    reports: Mapping[str, str] | None = None,
    not_run: Mapping[str, str] | None = None,
    title: str = "",
) -> str:
    """The screening report: the trials worth a closer look first, Carlisle's figure, the trials'
    own reports and every trial.

    ``trials`` is ranked (:func:`hiplbp.screen.ranked`); ``reports`` maps a trial to the relative
    link of its own report, where one was made, and ``not_run`` a folder whose own run was asked
    for but cannot be made to the (one-line) reason. Self-contained (the figure is embedded) and escaped: trial
    names and reasons come from the folders.
    """
    reports, not_run = dict(reports or {}), dict(not_run or {})
    title = title or "Screen of trials from their printed tables"
    closer = trials[(trials["status"] != "screened") | (trials["flags"].fillna(0) > 0)]
    items = "".join(_screen_line(r, reports.get(str(r["trial"]))) for r in closer.to_dict("records"))
    screened = int((trials["status"] == "screened").sum())
    summary = (
        f"{len(trials)} trial folder(s): {screened} screened, {len(trials) - screened} not valid; "
        f"{len(closer) - (len(trials) - screened)} screened trial(s) with at least one flag. "
        "A flag is a question for the authors, not evidence of misconduct."
    )
    shown = trials.drop(columns=["reason"]) if "reason" in trials else trials
    body = (
        f"<h1>{escape(title)}</h1><p>{escape(summary)}</p>"
        f"<h2>Worth a closer look first</h2><ol>{items or '<li>None.</li>'}</ol>"
        + figure_html(
            figure_png,
            alt="Cumulative distribution of the trials' combined baseline p values against the uniform distribution",
            caption="Carlisle's figure: the baseline p values of the "
            "screened trials against what true randomization gives.",
        )
        + _own_runs_html(reports, not_run)
        + "<h2>Every trial</h2>"
        + journal_table(shown, auto_columns(shown), caption="Every trial, most worth a look first", uuid="screen")
    )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"{REPORT_CSS}</head><body>{body}</body></html>\n"
    )
