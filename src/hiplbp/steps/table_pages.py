"""Rule table_pages: every result table as a readable HTML page for ``snakemake --report``
(see :mod:`hiplbp.report.html`)."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from ..report.html import table_page
from .job import Job


def run(job: Job) -> None:
    """Write one page per input table into the output folder, named by the table's file."""
    out = Path(job.output.pages)
    out.mkdir(parents=True, exist_ok=True)
    for path in map(Path, job.input.tables):
        title = f"{path.parent.name}/{path.name}"
        page = table_page(pd.read_csv(path), title=title, note=f"Machine-readable: results/{title}.")
        (out / f"{path.stem}.html").write_text(page, encoding="utf-8")
    print(f"{len(job.input.tables)} table pages", file=sys.stderr)
