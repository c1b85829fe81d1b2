"""The report: run the notebook template with papermill and export self-contained HTML.

The notebook computes nothing new; it reads the tables and figures the pipeline made. This module
runs it, removes everything that would make two runs differ (papermill and nbclient timings),
and writes HTML that loads nothing from the network (no CDN scripts; images are embedded by the
notebook itself).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd

_VOLATILE_NB = ("start_time", "end_time", "duration", "environment_variables", "input_path", "output_path")
_VOLATILE_CELL = ("start_time", "end_time", "duration")
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S | re.I)
_URL = re.compile(r"https?://", re.I)
#: Attribute and CSS forms through which a browser would fetch something.
REMOTE_REFERENCE = re.compile(
    r"(?:\bsrc|\bhref)\s*=\s*[\"']https?://|url\(\s*[\"']?https?://"
    r"|\bimport\b[^;\n]*[\"']https?://|<script\b[^>]*>[^<]*https?://",
    re.I,
)


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
    tmp = output.with_suffix(".running.ipynb")
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
    tmp.unlink()
    return nb


def to_html(nb: nbformat.NotebookNode, *, hide_code: bool = True) -> str:
    """Export a notebook to HTML that loads nothing from the network.

    Uses nbconvert's ``lab`` template and removes its CDN scripts (require.js, MathJax, mermaid),
    which the report does not need: tables are HTML and figures are embedded images.
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
    hit = REMOTE_REFERENCE.search(html)
    if hit:
        raise ValueError(f"report HTML still references the network near: {html[hit.start() : hit.start() + 80]!r}")
    return html


def table_html(df: pd.DataFrame, digits: int = 4) -> str:
    """Render a result table for the report with fixed significant digits and no index."""
    fmt = {
        c: (lambda v, d=digits: "" if pd.isna(v) else f"{v:.{d}g}")
        for c in df.columns
        if pd.api.types.is_float_dtype(df[c])
    }
    return df.to_html(index=False, formatters=fmt, na_rep="", border=0, classes="hiplbp")


def provenance_markdown(provenance: Mapping) -> str:
    """A plain-language paragraph on where the data come from, for the top of the report."""
    if provenance.get("synthetic"):
        text = (
            "**The data analysed here are not patient data.** They were reconstructed from the "
            f"summary statistics published in {provenance.get('citation') or 'the paper'} "
            "(group sizes, means and SDs), "
            f"with a within-subject correlation of {provenance.get('correlation')} between visits, "
            "which the paper did not report. Statistics that depend only on the published "
            "moments are reproduced; anything that depends on individual values is illustrative."
        )
        assumed = provenance.get("assumptions") or []
        if assumed:
            text += (
                "\n\n**Assumptions for cells the paper did not print:** "
                + "; ".join(assumed)
                + ". Results that use them are marked *assumed*."
            )
        return text
    return (
        f"Data file `{provenance.get('path')}` (sha256 `{provenance.get('sha256', '')[:16]}…`), "
        f"{provenance.get('n_rows')} rows read as {provenance.get('layout')} layout."
    )
