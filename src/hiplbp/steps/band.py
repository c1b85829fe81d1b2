"""Rule band: every statistic recomputed from the printed tables, with its band (see :mod:`hiplbp.band`)."""

from __future__ import annotations

import sys

from ..band.published import BandSettings, PrintedTables, band_from_published
from ..trial import published
from ..trial.tables import read_text_table
from .job import Job


def run(job: Job) -> None:
    """Write the band table of one outcome (``tests``, ``characteristics`` and ``changes`` optional)."""
    i, outcome = job.input, job.wildcards.outcome
    tables = PrintedTables(
        published.read_groups(i.groups, **job.params.trial),
        published.read_summaries(i.outcomes),
        tests=read_text_table(i.tests) if i.tests else None,
        characteristics=read_text_table(i.characteristics) if i.characteristics else None,
        changes=read_text_table(i.changes) if i.changes else None,
    )
    table = band_from_published(tables, outcome, BandSettings.from_arguments(dict(job.params)))
    table.to_csv(job.output.table, index=False)
    print(
        f"{outcome}: {len(table)} statistics, {int(table['flips'].sum())} whose significance can flip", file=sys.stderr
    )
