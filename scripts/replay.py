"""Rule replay: every printed number and claim of the trial against its reproduction (see hiplbp.summary.replay)."""

from hiplbp.errors import log_to

log_to(snakemake.log[0])

import pandas as pd

from hiplbp.summary.replay import ReplaySettings, replay_trial
from hiplbp.trial import published
from hiplbp.trial.tables import read_text_table, validate_table

i, p = snakemake.input, snakemake.params
tests = validate_table(read_text_table(i.tests), "tests", i.tests) if i.tests else pd.DataFrame(columns=["test"])
replay_trial(
    published.read_groups(i.groups, **p.trial),
    published.read_summaries(i.outcomes),
    published.read_characteristics(i.characteristics or None),
    tests,
    pd.read_csv(i.raw) if i.raw else None,
    ReplaySettings.from_arguments(dict(p.items())),
).to_csv(snakemake.output.table, index=False)
