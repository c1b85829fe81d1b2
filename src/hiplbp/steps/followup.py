"""Rule followup: contrasts per visit and effect sizes (see :mod:`hiplbp.stats.contrasts`,
:mod:`hiplbp.stats.effects`)."""

from __future__ import annotations

from ..data.ingest import read_canonical
from ..stats.contrasts import visit_contrasts
from ..stats.effects import effect_sizes
from ..stats.multiplicity import Family
from ..trial.design import Design
from .basis import basis
from .job import Job


def run(job: Job) -> None:
    """Write the arm contrasts at each visit and the effect sizes of one outcome."""
    p, outcome = job.params, job.wildcards.outcome
    design = Design.from_config(p.design)
    data = read_canonical(job.input.data, design)
    values = basis(job, data, outcome)
    family = Family(**p.comparisons)
    visit_contrasts(data, outcome, design, p.ci_level, values, family).to_csv(job.output.contrasts, index=False)
    effect_sizes(data, outcome, design, p.ci_level, values, family.pairwise).to_csv(job.output.effects, index=False)
