"""Rule screen: stack the chunks, rank the trials, Carlisle's figure and the screening page
(see :mod:`hiplbp.screen`)."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from ..figures.carlisle import carlisle_figure
from ..figures.style import save
from ..report.screen_page import screen_page
from ..screen import TRIAL_COLUMNS, ranked
from .job import Job


def stacked_findings(paths: list[str]) -> pd.DataFrame:
    """The chunks' findings in one table, by trial; a chunk without findings adds no rows (nor drops the columns)."""
    parts = [pd.read_csv(f) for f in paths]
    found = [p for p in parts if len(p)]
    table = pd.concat(found, ignore_index=True) if found else parts[0]
    return table.sort_values(["trial"], kind="stable")


def run(job: Job) -> None:
    """Write the screen's findings and ranked trials, Carlisle's figure and the page that links them."""
    i, o, p = job.input, job.output, job.params
    stacked_findings(i.findings).to_csv(o.findings, index=False)
    trials = ranked(
        pd.concat([pd.read_csv(f, keep_default_na=False, na_values=[""]) for f in i.trials], ignore_index=True)
    )
    trials[TRIAL_COLUMNS].to_csv(o.trials, index=False)
    save(carlisle_figure(trials["carlisle_p_different"], title=p.title), o.png, o.svg)
    page = screen_page(trials, figure_png=o.png, reports=p.reports, not_run=p.not_run, title=p.title)
    Path(o.page).write_text(page, encoding="utf-8")
    print(f"{len(trials)} trials, {int(trials['flags'].fillna(0).gt(0).sum())} with a flag", file=sys.stderr)
