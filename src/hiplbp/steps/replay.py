"""Rule replay: every printed number and claim of the trial against its reproduction
(see :mod:`hiplbp.summary.replay`)."""

from __future__ import annotations

import pandas as pd

from ..summary.replay import ReplaySettings, replay_trial
from ..trial import published
from ..trial.tables import read_text_table, validate_table
from .job import Job


def run(job: Job) -> None:
    """Write the published-against-reproduced table (``tests.csv`` and the synthetic patients optional)."""
    i, p = job.input, job.params
    tests = validate_table(read_text_table(i.tests), "tests", i.tests) if i.tests else pd.DataFrame(columns=["test"])
    replay_trial(
        published.read_groups(i.groups, **p.trial),
        published.read_summaries(i.outcomes),
        published.read_characteristics(i.characteristics or None),
        tests,
        pd.read_csv(i.raw) if i.raw else None,
        ReplaySettings.from_arguments(dict(p)),
    ).to_csv(job.output.table, index=False)
