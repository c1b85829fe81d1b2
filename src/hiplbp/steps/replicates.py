"""Rule replicates: statistics over K reconstructions (see :mod:`hiplbp.reconstruction.replicates`)."""

from __future__ import annotations

import sys

from ..reconstruction.patients import ReconstructionDesign, ReconstructionSettings
from ..reconstruction.replicates import replicate_spread
from ..trial import published
from .job import Job


def run(job: Job) -> None:
    """Write the spread of each statistic of one outcome over the configured number of reconstructions."""
    i, p = job.input, job.params
    d, r = p.design["design"], p.reconstruction
    spread, _ = replicate_spread(
        published.read_groups(i.groups, **p.trial),
        published.read_summaries(i.outcomes),
        published.read_characteristics(i.characteristics),
        ReconstructionDesign([p.outcome], d["time_levels"], d["arms"], d["strata"]),
        ReconstructionSettings.from_config(r),
        r["replicates"],
    )
    spread.to_csv(job.output.spread, index=False)
    print(f"{r['replicates']} reconstructions, {len(spread)} statistics", file=sys.stderr)
