"""Rule ingest: any CSV/TSV/XLSX, long or wide -> canonical long table (see hiplbp.ingest)."""
import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

import hashlib  # noqa: E402
import json  # noqa: E402

from hiplbp.ingest import Design, ingest  # noqa: E402

p = snakemake.params  # noqa: F821
path = snakemake.input.raw  # noqa: F821
data = ingest(path, Design.from_config(p.design), **p.options)
data.to_csv(snakemake.output.data, index=False)  # noqa: F821
with open(path, "rb") as fh:
    sha = hashlib.sha256(fh.read()).hexdigest()
prov = dict(p.provenance) | {"sha256": sha, "layout": p.options["layout"], "n_rows": int(len(data)),
                              "n_subjects": int(data["subject"].nunique())}
with open(snakemake.output.provenance, "w") as fh:  # noqa: F821
    json.dump(prov, fh, indent=2, sort_keys=True)
    fh.write("\n")
print(f"ingested {path}: {len(data)} rows, {prov['n_subjects']} subjects", file=sys.stderr)
