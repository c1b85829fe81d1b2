"""Rule replay: every printed number and claim of the paper against its reproduction (see hiplbp.replay)."""

import sys

sys.stderr = open(snakemake.log[0], "w")

import pandas as pd

from hiplbp import published
from hiplbp.replay import published_cells, published_vs_reproduced

i, p = snakemake.input, snakemake.params
groups = published.read_groups(i.groups, **p.trial)
summaries = published.read_summaries(i.outcomes)
characteristics = published.read_characteristics(i.characteristics)
raw = pd.read_csv(i.raw) if i.raw else None
parts = []
for outcome, s in summaries.groupby("outcome", sort=False):
    times = list(dict.fromkeys(s["time"]))  # the paper's visits, in printed order
    cells, assumed = published_cells(
        groups,
        summaries,
        outcome,
        times,
        p.arms,
        p.reconstruction.get("arm_from", "marker"),
        p.reconstruction.get("assumptions", []),
    )
    # Table 1 is compared once, with the first outcome
    parts.append(
        published_vs_reproduced(
            groups,
            summaries,
            characteristics if not parts else characteristics.iloc[:0],
            cells,
            assumed,
            outcome=outcome,
            time_levels=times,
            correlation=p.reconstruction["correlation"],
            alpha=p.alpha,
            raw=raw,
        )
    )
pd.concat(parts, ignore_index=True).to_csv(snakemake.output.table, index=False)
