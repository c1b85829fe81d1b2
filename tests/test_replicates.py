"""Replicates: long conversion, seeds derived per replicate, and the spread table."""

from dataclasses import replace

import numpy as np
import pandas as pd
from conftest import DEFAULT_RECONSTRUCTION, LEE_MEANING, PUBLISHED

from hiplbp.reconstruction.replicates import SPREAD_COLUMNS, raw_to_long, replicate_spread
from hiplbp.trial import published
from hiplbp.trial.design import Design

VAS = dict(name="vas", column="vas", min=0, max=100, integer=True)
TIMES = ["baseline", "week3", "week6"]
ARMS = {"treatment": "hip", "control": "control"}
ASSUME = [dict(outcome="vas", time="week6", group=g, from_time="week3") for g in ("CG II", "EG II")]


def _tables():
    return (
        published.read_groups(PUBLISHED / "groups.csv", **LEE_MEANING),
        published.read_summary(PUBLISHED / "outcomes.csv"),
        published.read_characteristics(PUBLISHED / "characteristics.csv"),
    )


def test_raw_to_long():
    raw = pd.DataFrame(
        {
            "subject": ["a", "b"],
            "stratum": ["s", "s"],
            "arm": ["hip", "control"],
            "vas_baseline": [50, 60],
            "vas_week3": [40, 58],
            "vas_week6": [30, 55],
        }
    )
    long = raw_to_long(raw, VAS, TIMES)
    assert len(long) == 6 and list(long.time.cat.categories) == TIMES
    assert long[(long.subject == "b") & (long.time == "week6")].vas.item() == 55


def test_spread_over_replicates():
    design = Design(TIMES, ARMS, ["stable", "unstable"], [VAS], baseline=TIMES[0])
    settings = replace(DEFAULT_RECONSTRUCTION, seed=7, assumptions=ASSUME, correlation=0.5)
    spread, values = replicate_spread(*_tables(), design, settings, 4)
    assert list(spread.columns) == SPREAD_COLUMNS and (spread.n_replicates == 4).all()
    assert values.replicate.nunique() == 4
    # the replicates differ (seeds are derived per replicate) ...
    med = values[values.statistic == "median difference"].pivot(index="target", columns="replicate", values="value")
    assert (med.nunique(axis=1) > 1).any()
    # ... and each spread row summarizes exactly its values
    one = values[(values.statistic == "mixed ANOVA F") & (values.target == "arm:time")].value
    row = spread[(spread.statistic == "mixed ANOVA F") & (spread.target == "arm:time")].iloc[0]
    assert (row["min"], row["max"]) == (one.min(), one.max()) and np.isclose(row["sd"], one.std())
    assert row.range / row["median"] < 0.02
    # the config's seed decides every replicate: the same seed gives the same values, another seed others
    again = replicate_spread(*_tables(), design, settings, 2)[1]
    other = replicate_spread(*_tables(), design, replace(settings, seed=8), 2)[1]
    first_two = values[values.replicate < 2].reset_index(drop=True)
    pd.testing.assert_frame_equal(again, first_two)
    assert not np.allclose(other.value.to_numpy(), first_two.value.to_numpy())
