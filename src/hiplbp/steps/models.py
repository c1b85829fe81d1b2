"""Rule models: ANCOVA per follow-up visit, the linear mixed model and the MMRM (see
:mod:`hiplbp.stats.ancova`, :mod:`hiplbp.stats.lmm`, :mod:`hiplbp.stats.mmrm`)."""

from __future__ import annotations

import sys

import pandas as pd

from ..data.ingest import read_canonical
from ..stats.ancova import Adjustment, ancova
from ..stats.lmm import lmm_anova
from ..stats.mmrm import COVARIANCE_COLUMNS, MMRM_MEANS_COLUMNS, TRIAL_EFFECT_COLUMNS, MmrmOptions, trial_mmrm
from ..stats.multiplicity import Family
from ..trial.design import Design
from .job import Job


def run(job: Job) -> None:
    """Write the ANCOVA's arm comparisons and terms (a design with a baseline only), the LMM's
    tests (with the same covariates) and the MMRM's arm comparisons, means, type III tests and
    covariance, in the trial's factor names."""
    p, outcome = job.params, job.wildcards.outcome
    design = Design.from_config(p.design)
    data = design.with_within(read_canonical(job.input.data, design))
    family = Family(**p.comparisons)
    if design.has_baseline:
        adjust = Adjustment.of(design, p.covariates, p.stratum_by_arm)
        terms, effects = ancova(data, outcome, design, level=p.ci_level, adjust=adjust, family=family)
        effects.to_csv(job.output.ancova, index=False)
        design.label_effects(terms).to_csv(job.output.terms, index=False)
    # the LMM adjusts for what the ANCOVA does, a baseline column included (a baseline visit is
    # one of its responses)
    column = [str(design.baseline)] if design.baseline_kind == "column" else []
    lmm = lmm_anova(data, outcome, design.within_factors, "subject", design.between, [*column, *p.covariates])
    design.label_effects(lmm).to_csv(job.output.lmm, index=False)
    print(
        f"{outcome}: LMM on {lmm.attrs['n_obs']} observations of {lmm.attrs['n_subjects']} subjects; "
        f"sigma2 = {lmm.attrs['sigma2']:.6g}, tau2 = {lmm.attrs['tau2']:.6g}",
        file=sys.stderr,
    )
    options = MmrmOptions(
        covariance=p.mmrm["covariance"],
        by_arm=p.mmrm["by_arm"],
        df=p.mmrm["df"],
        stratum_by_arm=p.stratum_by_arm,
        level=p.ci_level,
        family=family,
    )
    try:
        if design.within:
            raise ValueError(
                f"the MMRM takes one within factor, the visits; {' × '.join(design.within)} are two (the mixed "
                "ANOVA, with its sphericity corrections, and the LMM take both)"
            )
        mm = trial_mmrm(data, outcome, design, covariates=p.covariates, options=options)
    except ValueError as err:
        # a legitimate but degenerate outcome (e.g. SD 0 at a visit): the other models stand
        print(f"hiplbp: warning: {outcome}: the MMRM was not fitted: {err}", file=sys.stderr)
        note = pd.DataFrame({"source": [None], "structure": [options.covariance], "note": [str(err)]})
        note.to_csv(job.output.mmrm_terms, index=False)
        for path, columns in [
            (job.output.mmrm, TRIAL_EFFECT_COLUMNS),
            (job.output.mmrm_means, MMRM_MEANS_COLUMNS),
            (job.output.mmrm_covariance, COVARIANCE_COLUMNS),
        ]:
            pd.DataFrame(columns=columns).to_csv(path, index=False)
        return
    mm.contrasts.to_csv(job.output.mmrm, index=False)
    a = mm.terms.attrs
    terms = mm.terms.assign(structure=a["structure"], note="" if a["converged"] else "REML did not converge")
    design.label_effects(terms).to_csv(job.output.mmrm_terms, index=False)
    mm.means.to_csv(job.output.mmrm_means, index=False)
    mm.covariance.to_csv(job.output.mmrm_covariance, index=False)
    print(
        f"{outcome}: MMRM ({a['structure']}{' per arm' if a['by_arm'] else ''}) on {a['n_obs']} observations of "
        f"{a['n_subjects']} subjects ({a['n_left_out']} left out: no baseline or covariate value); "
        f"REML {'converged' if a['converged'] else 'DID NOT CONVERGE'} in {mm.fit.iterations} iterations",
        file=sys.stderr,
    )
