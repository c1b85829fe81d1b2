"""Many reconstructions: how much do the reported statistics depend on the particular draw?

Reconstructions that match every published mean and SD to the printed digit (and the configured
correlation to a tolerance) differ only in which patient has which value. Statistics that depend
on the data only through means, SDs and correlations (normal-theory tests: ANOVA, ANCOVA, LMM)
should hardly move across such reconstructions; rank-based statistics (Mann-Whitney) and robust
ones (medians) depend on the individual values and may. This module makes ``K`` reconstructions
with seeds derived from the config seed and summarizes every statistic across them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import pandas as pd
from scipy import stats

from ..seeds import derive_seed
from ..stats.ancova import ancova
from ..stats.anova import mixed_anova
from ..stats.describe import arm_samples
from ..trial.design import Design
from .patients import ReconstructionSettings, reconstruct

SPREAD_COLUMNS = ["family", "statistic", "target", "n_replicates", "min", "median", "max", "sd", "range"]


def raw_to_long(raw: pd.DataFrame, outcome: Mapping, time_levels: Sequence[str]) -> pd.DataFrame:
    """The canonical long table (``subject, stratum, arm, time, <outcome>``) of a reconstruction."""
    cols = {f"{outcome['column']}_{t}": str(t) for t in time_levels}
    long = raw.melt(
        id_vars=["subject", "stratum", "arm"], value_vars=list(cols), var_name="time", value_name=outcome["name"]
    )
    long["time"] = pd.Categorical(long["time"].map(cols), categories=[str(t) for t in time_levels], ordered=True)
    return long.sort_values(["subject", "time"]).reset_index(drop=True)


def replicate_statistics(data: pd.DataFrame, outcome: str, design: Design) -> list[dict]:
    """The statistics tracked across replicates, for one data set (long format)."""
    rows = []
    a = mixed_anova(data, outcome, "time", "subject", design.between)
    for r in a.itertuples():
        rows += [
            dict(family="normal-theory", statistic="mixed ANOVA F", target=r.source, value=r.F),
            dict(family="normal-theory", statistic="mixed ANOVA p (GG)", target=r.source, value=r.p_gg),
        ]
    _, eff = ancova(data, outcome, design)
    for r in eff.itertuples():
        rows.append(
            dict(family="normal-theory", statistic="ANCOVA effect", target=f"{r.visit} {r.stratum}", value=r.estimate)
        )
    for s, t, _, x, y in arm_samples(data, outcome, design.comparisons(), design.strata, design.time_levels):
        rows.append(
            dict(
                family="rank-based",
                statistic="Mann-Whitney p",
                target=f"{t} {s}",
                value=float(stats.mannwhitneyu(x, y, alternative="two-sided").pvalue),
            )
        )
        rows.append(
            dict(
                family="robust", statistic="median difference", target=f"{t} {s}", value=float(x.median() - y.median())
            )
        )
    return rows


def replicate_spread(
    groups: pd.DataFrame,
    outcome_tables: pd.DataFrame,
    characteristics: pd.DataFrame,
    design: Design,
    settings: ReconstructionSettings,
    replicates: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reconstruct ``replicates`` data sets of the design's (one) outcome and summarize every statistic across them.

    Replicate ``k`` is seeded by ``derive_seed(settings.seed, "replicate", k)``.

    Returns
    -------
    spread : DataFrame
        :data:`SPREAD_COLUMNS`: per statistic and target, min, median, max, SD and range over the
        replicates.
    values : DataFrame
        Every statistic of every replicate (``replicate, family, statistic, target, value``).
    """
    (outcome,) = design.outcomes
    values = []
    for k in range(replicates):
        seeded = replace(settings, seed=derive_seed(settings.seed, "replicate", k))
        raw, _ = reconstruct(groups, outcome_tables, characteristics, design, seeded)
        long = raw_to_long(raw, outcome, design.time_levels)
        values += [r | {"replicate": k} for r in replicate_statistics(long, outcome["name"], design)]
    v = pd.DataFrame(values)[["replicate", "family", "statistic", "target", "value"]]
    g = v.groupby(["family", "statistic", "target"], sort=False)["value"]
    spread = g.agg(n_replicates="size", min="min", median="median", max="max", sd="std").reset_index()
    spread["range"] = spread["max"] - spread["min"]
    return spread[SPREAD_COLUMNS], v
