"""Rule figures: mean and CI over visits per stratum x arm (see :mod:`hiplbp.figures.outcome`)."""

from __future__ import annotations

import json

from ..data.ingest import read_canonical
from ..figures.outcome import outcome_figure
from ..figures.style import save
from ..trial.design import Design
from .job import Job


def run(job: Job) -> None:
    """Write one outcome's figure (PNG and SVG), its assumed cells marked and, for synthetic data, labelled so."""
    p = job.params
    design = Design.from_config(p.design)
    data = design.with_within(read_canonical(job.input.data, design))
    with open(job.input.provenance) as fh:
        prov = json.load(fh)
    assumed = [a for a in prov["assumptions"] if a.startswith(p.outcome["name"] + " ")]
    fig = outcome_figure(data, p.outcome, design, synthetic=prov["synthetic"], assumed=assumed, level=p.ci_level)
    save(fig, job.output.png, job.output.svg)
