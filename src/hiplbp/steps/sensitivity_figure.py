"""Rule sensitivity_figure: p against the correlation and the assumed cells (see :mod:`hiplbp.figures.sensitivity`)."""

from __future__ import annotations

import json

import pandas as pd

from ..figures.sensitivity import sensitivity_figure
from ..figures.style import save
from ..trial.design import Design
from .job import Job

#: The within effects the figure draws, where the table has them.
SOURCES = ("arm:time", "stratum:arm:time")


def run(job: Job) -> None:
    """Write one outcome's sensitivity figure (PNG and SVG), effects in the trial's factor names."""
    table = pd.read_csv(job.input.table)
    with open(job.input.provenance) as fh:
        synthetic = json.load(fh)["synthetic"]
    sources = [s for s in SOURCES if s in set(table["source"])]
    design = Design.from_config(job.params.design)
    labels = {s: design.effect_label(s) for s in table["source"].dropna().unique()}
    fig = sensitivity_figure(table, alpha=job.params.alpha, sources=sources, synthetic=synthetic, labels=labels)
    save(fig, job.output.png, job.output.svg)
