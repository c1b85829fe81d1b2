"""Rule ingest: any CSV/TSV/XLSX, long or wide, to the canonical long table, with its provenance."""

from __future__ import annotations

import hashlib
import json
import sys

from ..data.ingest import ingest_logged
from ..trial.design import Design
from .job import Job


def run(job: Job) -> None:
    """Write the canonical table, the reading's changes and the data's provenance (with its SHA-256)."""
    p, path = job.params, job.input.raw
    data, changes = ingest_logged(path, Design.from_config(p.design), **p.options)
    data.to_csv(job.output.data, index=False)
    changes.to_csv(job.output.changes, index=False)
    with open(path, "rb") as fh:
        sha = hashlib.sha256(fh.read()).hexdigest()
    prov = dict(p.provenance) | {
        "sha256": sha,
        "layout": p.options["layout"],
        "n_rows": int(len(data)),
        "n_subjects": int(data["subject"].nunique()),
    }
    with open(job.output.provenance, "w") as fh:
        json.dump(prov, fh, indent=2, sort_keys=True)
        fh.write("\n")
    print(f"ingested {path}: {len(data)} rows, {prov['n_subjects']} subjects", file=sys.stderr)
