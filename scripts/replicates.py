"""Rule replicates: statistics over K reconstructions (see hiplbp.reconstruction.replicates)."""

import sys

from hiplbp.errors import log_to

log_to(snakemake.log[0])


from hiplbp.reconstruction.patients import settings_from_config
from hiplbp.reconstruction.replicates import replicate_spread
from hiplbp.trial import published

i, p = snakemake.input, snakemake.params
d, r = p.design["design"], p.reconstruction
spread, values = replicate_spread(
    published.read_groups(i.groups, **p.trial),
    published.read_summaries(i.outcomes),
    published.read_characteristics(i.characteristics),
    outcome=p.outcome,
    time_levels=d["time_levels"],
    arms=d["arms"],
    strata=d["strata"],
    replicates=r["replicates"],
    **settings_from_config(r),
)
spread.to_csv(snakemake.output.spread, index=False)
print(f"{r['replicates']} reconstructions, {len(spread)} statistics", file=sys.stderr)
