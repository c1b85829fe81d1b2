"""Rule reconstruct: synthetic patients from the published summaries (see :mod:`hiplbp.reconstruction.patients`)."""

from __future__ import annotations

import sys

from ..reconstruction import patients
from ..trial import published
from ..trial.design import Design
from .job import Job


def run(job: Job) -> None:
    """Write the synthetic patients (wide) and the check of every printed cell against them."""
    i, p = job.input, job.params
    raw, check = patients.reconstruct(
        published.read_groups(i.groups, **p.trial),
        published.read_summaries(i.outcomes),
        published.read_characteristics(i.characteristics),
        Design.from_config(p.design),
        patients.ReconstructionSettings.from_config(p.reconstruction),
    )
    raw.to_csv(job.output.raw, index=False)
    check.to_csv(job.output.check, index=False)
    print(
        f"reconstructed {len(raw)} synthetic patients; {int(check['match'].sum())} of {len(check)} cells match at "
        "the printed precision (a derived characteristic is computed per patient, not fitted)",
        file=sys.stderr,
    )
