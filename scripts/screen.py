"""Rule screen: stack the chunks, rank the trials, Carlisle's figure and the screening page (see hiplbp.screen)."""

import sys

from hiplbp.errors import log_to

log_to(snakemake.log[0])

from pathlib import Path

import pandas as pd

from hiplbp.figures.carlisle import carlisle_figure
from hiplbp.figures.style import save
from hiplbp.report.screen_page import screen_page
from hiplbp.screen import TRIAL_COLUMNS, ranked

i, o = snakemake.input, snakemake.output
parts = [pd.read_csv(f) for f in i.findings]
findings = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else parts[0]
trials = ranked(pd.concat([pd.read_csv(f, keep_default_na=False, na_values=[""]) for f in i.trials], ignore_index=True))
findings.sort_values(["trial"], kind="stable").to_csv(o.findings, index=False)
trials[TRIAL_COLUMNS].to_csv(o.trials, index=False)
p = snakemake.params
save(carlisle_figure(trials["carlisle_p_different"], title=p.title), o.png, o.svg)
page = screen_page(trials, figure_png=o.png, reports=p.reports, not_run=p.not_run, title=p.title)
Path(o.page).write_text(page, encoding="utf-8")
print(f"{len(trials)} trials, {int(trials['flags'].fillna(0).gt(0).sum())} with a flag", file=sys.stderr)
