"""The report notebook: run the template with papermill and export self-contained HTML.

The notebook computes nothing new; it reads the tables and figures the pipeline made. This module
runs it, removes everything that would make two runs differ (papermill and nbclient timings),
and writes HTML that loads nothing from the network (no CDN scripts; images are embedded by the
notebook itself).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Mapping
from html import escape
from pathlib import Path
from typing import Any

import nbformat

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
