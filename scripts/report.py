"""Rule report: run notebooks/report.ipynb with papermill, write it and its HTML (see hiplbp.report.html)."""

import os
import sys

from hiplbp.errors import log_to

# the Jupyter kernel is a child process writing to file descriptor 2: send that to the log too,
# keeping a copy of the console for the one-line error
log_to(snakemake.log[0], console=os.fdopen(os.dup(2), "w"))
os.dup2(sys.stderr.fileno(), 2)

import subprocess
from pathlib import Path

from hiplbp.report.notebook import execute, to_html


def git_commit() -> str:
    """The checkout's commit (read here, not passed as a parameter, so that a commit alone reruns nothing)."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True)
        return head + (" with uncommitted changes" if dirty.stdout.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return ""


i, p = snakemake.input, snakemake.params
parameters = dict(
    title=p.title,
    description=p.description,
    trial=dict(p.trial),
    estimand=dict(p.estimand),
    provenance=i.provenance,
    reconstruction_check=i.check if i.check else "",
    cleaning_log=i.cleaning_log,
    allocation=i.allocation,
    baseline=i.baseline,
    group_labels=i.labels,
    findings=i.findings,
    attrition=i.attrition,
    consort=i.consort,
    replay=i.replay or "",
    outcomes=[o["name"] for o in p.outcomes],
    outcome_labels=p.outcome_labels,
    anova_tables=list(i.anova),
    detail_tables=list(i.detail),
    descriptive_tables=list(i.descriptives),
    ancova_tables=list(i.ancova),
    lmm_tables=list(i.lmm),
    contrast_tables=list(i.contrasts),
    effect_tables=list(i.effects),
    sensitivity_tables=list(i.sensitivity),
    band_tables=list(i.band),
    replicate_tables=list(i.replicates),
    figures=list(i.figures),
    sensitivity_figures=list(i.sensitivity_figures),
    ss_type=p.ss_type,
    alpha=p.alpha,
    run=dict(p.run) | {"commit": git_commit()},
)
nb = execute(i.notebook, snakemake.output.notebook, parameters, cwd=Path.cwd())
Path(snakemake.output.html).write_text(to_html(nb, title=p.title), encoding="utf-8")
