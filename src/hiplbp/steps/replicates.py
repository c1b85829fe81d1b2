"""Rule replicates: statistics over K reconstructions (see :mod:`hiplbp.reconstruction.replicates`)."""

from __future__ import annotations

import sys
from dataclasses import replace

from ..reconstruction.patients import ReconstructionSettings
from ..reconstruction.replicates import replicate_spread
from ..trial import published
from ..trial.design import Design
from .job import Job


def run(job: Job) -> None:
    """Write the spread of each statistic of one outcome over the configured number of reconstructions."""
    i, p = job.input, job.params
    r = p.reconstruction
    spread, _ = replicate_spread(
        published.read_groups(i.groups, **p.trial),
        published.read_summaries(i.outcomes),
        published.read_characteristics(i.characteristics),
        replace(Design.from_config(p.design), outcomes=[dict(p.outcome)]),
        ReconstructionSettings.from_config(r),
        r["replicates"],
    )
    spread.to_csv(job.output.spread, index=False)
    print(f"{r['replicates']} reconstructions, {len(spread)} statistics", file=sys.stderr)
