"""Rule ingest: any CSV/TSV/XLSX, long or wide -> canonical long table (see hiplbp.data.ingest)."""

import sys

from hiplbp.errors import log_to

log_to(snakemake.log[0])

import hashlib
import json

from hiplbp.data.ingest import ingest_logged
from hiplbp.trial.design import Design

p = snakemake.params
path = snakemake.input.raw
data, changes = ingest_logged(path, Design.from_config(p.design), **p.options)
data.to_csv(snakemake.output.data, index=False)
changes.to_csv(snakemake.output.changes, index=False)
with open(path, "rb") as fh:
    sha = hashlib.sha256(fh.read()).hexdigest()
prov = dict(p.provenance) | {
    "sha256": sha,
    "layout": p.options["layout"],
    "n_rows": int(len(data)),
    "n_subjects": int(data["subject"].nunique()),
}
with open(snakemake.output.provenance, "w") as fh:
    json.dump(prov, fh, indent=2, sort_keys=True)
    fh.write("\n")
print(f"ingested {path}: {len(data)} rows, {prov['n_subjects']} subjects", file=sys.stderr)
