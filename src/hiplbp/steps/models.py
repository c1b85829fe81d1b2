"""Rule models: ANCOVA per follow-up visit and the linear mixed model (see :mod:`hiplbp.stats.ancova`,
:mod:`hiplbp.stats.lmm`)."""

from __future__ import annotations

import sys

from ..data.ingest import read_canonical
from ..stats.ancova import Adjustment, ancova
from ..stats.lmm import lmm_anova
from ..stats.multiplicity import Family
from ..trial.design import Design
from .job import Job


def run(job: Job) -> None:
    """Write the ANCOVA's arm comparisons and terms (a design with a baseline only) and the LMM's
    tests (with the same covariates), in the trial's factor names."""
    p, outcome = job.params, job.wildcards.outcome
    design = Design.from_config(p.design)
    data = read_canonical(job.input.data, design)
    if design.has_baseline:
        adjust = Adjustment.of(design, p.covariates, p.stratum_by_arm)
        family = Family(**p.comparisons)
        terms, effects = ancova(data, outcome, design, level=p.ci_level, adjust=adjust, family=family)
        effects.to_csv(job.output.ancova, index=False)
        design.label_effects(terms).to_csv(job.output.terms, index=False)
    # the LMM adjusts for what the ANCOVA does, a baseline column included (a baseline visit is
    # one of its responses)
    column = [str(design.baseline)] if design.baseline_kind == "column" else []
    lmm = lmm_anova(data, outcome, "time", "subject", design.between, [*column, *p.covariates])
    design.label_effects(lmm).to_csv(job.output.lmm, index=False)
    print(
        f"{outcome}: LMM on {lmm.attrs['n_obs']} observations of {lmm.attrs['n_subjects']} subjects; "
        f"sigma2 = {lmm.attrs['sigma2']:.6g}, tau2 = {lmm.attrs['tau2']:.6g}",
        file=sys.stderr,
    )
