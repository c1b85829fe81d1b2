"""Rule table_pages: every result table as a readable HTML page for `snakemake --report` (see hiplbp.report.html)."""

import sys

from hiplbp.errors import log_to

log_to(snakemake.log[0])

from pathlib import Path

import pandas as pd

from hiplbp.report.html import table_page

out = Path(snakemake.output.pages)
out.mkdir(parents=True, exist_ok=True)
for path in map(Path, snakemake.input.tables):
    title = f"{path.parent.name}/{path.name}"
    page = table_page(pd.read_csv(path), title=title, note=f"Machine-readable: results/{title}.")
    (out / f"{path.stem}.html").write_text(page, encoding="utf-8")
print(f"{len(snakemake.input.tables)} table pages", file=sys.stderr)
