"""Rule report: run the report notebook with papermill, write it and its HTML (see :mod:`hiplbp.report.notebook`)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from ..report.notebook import execute, to_html
from .job import Job

#: The notebook's table parameters and the rule's input that gives each (a list of files, one per outcome).
TABLES = {
    "anova_tables": "anova",
    "detail_tables": "detail",
    "descriptive_tables": "descriptives",
    "ancova_tables": "ancova",
    "lmm_tables": "lmm",
    "mmrm_tables": "mmrm",
    "mmrm_terms_tables": "mmrm_terms",
    "contrast_tables": "contrasts",
    "effect_tables": "effects",
    "sensitivity_tables": "sensitivity",
    "band_tables": "band",
    "replicate_tables": "replicates",
    "figures": "figures",
    "sensitivity_figures": "sensitivity_figures",
}


def git_commit(cwd: str | Path = ".") -> str:
    """The checkout's commit, and whether tracked files differ from it; ``""`` outside a git checkout.

    It is read when the report runs, not passed as a parameter, so that a commit alone reruns nothing.
    """
    try:
        git = ["git", "-C", str(cwd)]
        head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run([*git, "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True)
        return head + (" with uncommitted changes" if dirty.stdout.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return ""


def parameters(job: Job, commit: str) -> dict[str, Any]:
    """The notebook's parameters: the rule's files by role, the report's texts and the run's record."""
    i, p = job.input, job.params
    return dict(
        title=p.title,
        description=p.description,
        trial=dict(p.trial),
        estimand=dict(p.estimand),
        provenance=i.provenance,
        reconstruction_check=i.check or "",
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
        **{name: list(i[role]) for name, role in TABLES.items()},
        ss_type=p.ss_type,
        alpha=p.alpha,
        primary=dict(p.primary),
        run=dict(p.run) | {"commit": commit},
    )


def run(job: Job) -> None:
    """Execute the notebook in the working directory and write it and its self-contained HTML."""
    nb = execute(job.input.notebook, job.output.notebook, parameters(job, git_commit()), cwd=Path.cwd())
    Path(job.output.html).write_text(to_html(nb, title=job.params.title), encoding="utf-8")
