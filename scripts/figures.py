"""Rule figures: mean and CI over visits per stratum x arm (see hiplbp.figures)."""
import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

import json  # noqa: E402

from hiplbp.figures import outcome_figure, save  # noqa: E402
from hiplbp.ingest import Design, read_canonical  # noqa: E402

p = snakemake.params  # noqa: F821
design = Design.from_config(p.design)
data = read_canonical(snakemake.input.data, design)  # noqa: F821
with open(snakemake.input.provenance) as fh:  # noqa: F821
    prov = json.load(fh)
assumed = [a for a in prov.get("assumptions", []) if a.startswith(p.outcome["name"] + " ")]
for path in (snakemake.output.png, snakemake.output.svg):  # noqa: F821
    fig = outcome_figure(data, p.outcome, time_levels=design.time_levels, arms=design.arms,
                         strata=design.strata, synthetic=prov["synthetic"], assumed=assumed,
                         level=p.ci_level)
    save(fig, path)
