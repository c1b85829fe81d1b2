"""Rule replay: every printed number and claim of the trial against its reproduction (see hiplbp.summary.replay)."""

from hiplbp.errors import log_to

log_to(snakemake.log[0])

import pandas as pd

from hiplbp.reconstruction.replicates import raw_to_long
from hiplbp.summary.replay import (
    REPLAY_COLUMNS,
    change_claims,
    printed_tests_replayed,
    published_vs_reproduced,
    unchecked_claims,
)
from hiplbp.trial import published
from hiplbp.trial.cells import published_cells
from hiplbp.trial.tables import read_text_table, validate_table

i, p = snakemake.input, snakemake.params
groups = published.read_groups(i.groups, **p.trial)
summaries = published.read_summaries(i.outcomes)
characteristics = published.read_characteristics(i.characteristics or None)
tests = validate_table(read_text_table(i.tests), "tests", i.tests) if i.tests else pd.DataFrame(columns=["test"])
claims = change_claims(tests)
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
        p.reconstruction["arm_from"],
        p.reconstruction["assumptions"],
    )
    # the baseline characteristics are compared once, with the first outcome
    parts.append(
        published_vs_reproduced(
            groups,
            summaries,
            characteristics if not parts else characteristics.iloc[:0],
            cells,
            assumed,
            claims,
            outcome=outcome,
            time_levels=times,
            correlation=p.reconstruction["correlation"],
            alpha=p.alpha,
            # outcomes the run does not analyse are not in the reconstructed data
            raw=raw if raw is not None and f"{outcome}_{times[0]}" in raw else None,
        )
    )
    if raw is not None and f"{outcome}_{times[0]}" in raw:
        # the printed test statistics against the reconstructed patients' mixed ANOVA
        definition = next((o for o in p.design["outcomes"] if o["name"] == outcome), None)
        if definition is not None:
            parts.append(
                printed_tests_replayed(
                    tests,
                    raw_to_long(raw, definition, times),
                    outcome,
                    names=p.design["design"]["factor_names"],
                    between=(["stratum"] if p.design["design"]["strata"] else []) + ["arm"],
                    correlation=p.reconstruction["correlation"],
                )
            )
parts.append(unchecked_claims(tests, list(summaries["outcome"].unique())))
pd.concat([t for t in parts if len(t)], ignore_index=True).reindex(columns=REPLAY_COLUMNS).to_csv(
    snakemake.output.table, index=False
)
