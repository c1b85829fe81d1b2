"""Rule replicates: statistics over K reconstructions (see hiplbp.reconstruction.replicates)."""

import sys

from hiplbp.errors import log_to

log_to(snakemake.log[0])


from hiplbp.reconstruction.patients import ReconstructionDesign, ReconstructionSettings
from hiplbp.reconstruction.replicates import replicate_spread
from hiplbp.trial import published

i, p = snakemake.input, snakemake.params
d, r = p.design["design"], p.reconstruction
spread, values = replicate_spread(
    published.read_groups(i.groups, **p.trial),
    published.read_summaries(i.outcomes),
    published.read_characteristics(i.characteristics),
    ReconstructionDesign([p.outcome], d["time_levels"], d["arms"], d["strata"]),
    ReconstructionSettings.from_config(r),
    r["replicates"],
)
spread.to_csv(snakemake.output.spread, index=False)
print(f"{r['replicates']} reconstructions, {len(spread)} statistics", file=sys.stderr)
