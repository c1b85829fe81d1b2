"""Rule screen_chunk: the audit of one chunk of trial folders (see :mod:`hiplbp.screen`)."""

from __future__ import annotations

import sys

from ..run.config import load_schema
from ..screen import screen_chunk
from .job import Job


def run(job: Job) -> None:
    """Write the chunk's findings and its one row per trial.

    The run config's schema is an input: a folder with its own run config is audited as that run audits it.
    """
    p = job.params
    findings, trials = screen_chunk(p.folders, seed=p.seed, draws=p.draws, schema=load_schema(job.input.schema))
    findings.to_csv(job.output.findings, index=False)
    trials.to_csv(job.output.trials, index=False)
    print(f"{len(trials)} trials, {len(findings)} findings", file=sys.stderr)
