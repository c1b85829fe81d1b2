"""Sensitivity of the mixed ANOVA to what a paper did not print: the correlation and assumed cells.

Every within-subject test is recomputed from the summaries (:mod:`hiplbp.summary.anova`) over a
grid of correlations between visits and of shifts of the assumed (unprinted) cell means
(:func:`scenario_grid`), and :func:`thresholds` reports where each conclusion flips: the
correlations at which significance changes and the correlation each of the paper's claims needs.
:func:`sensitivity_from_published` runs it on printed cells, :func:`sensitivity_from_data` on
individual data (with the data's own pooled correlation as the ``observed`` rows).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .anova import SummaryDesign, cell_means, cells_from_data, crossings, pooled_correlation
from .ttest import paired_t_threshold

SENSITIVITY_COLUMNS = [
    "scenario",
    "correlation",
    "shift_treatment",
    "shift_control",
    "source",
    "F",
    "df1",
    "df2",
    "p_unc",
    "eps_gg",
    "p_gg",
    "significant_unc",
    "significant_gg",
    "note",
]


def complete_cases(cells: pd.DataFrame, time_levels: Sequence[str]) -> pd.DataFrame:
    """Printed cells as the closed form's complete cases: each group's ``n`` its smallest visit's.

    With monotone drop-out a group's completers are its smallest cell, and the printed means of
    every patient seen at each visit stand for theirs (the band bounds what that leaves open).

    Examples
    --------
    >>> cells = pd.DataFrame({"group": ["a"], "n": [20], "n_t0": [20], "n_t1": [17]})
    >>> int(complete_cases(cells, ["t0", "t1"]).loc[0, "n"])
    17
    """
    sizes = cells[[f"n_{v}" for v in time_levels]]
    return cells.assign(n=sizes.min(axis=1).astype(int))


@dataclass(frozen=True)
class SensitivityDesign:
    """The design the sensitivity analysis recomputes the mixed ANOVA for.

    Attributes
    ----------
    between, time_levels, ss_type
        As :func:`~hiplbp.summary.anova.summary_anova`.
    arms : mapping
        ``{"treatment": label, "control": label}``: assumed cells of the treatment arm move by
        ``shift_treatment``, those of the control arm by ``shift_control``.
    alpha : float
        Significance level of the ``significant_*`` columns and of the thresholds.
    """

    between: Sequence[str]
    time_levels: Sequence[str]
    arms: Mapping[str, str]
    ss_type: int = 3
    alpha: float = 0.05


def scenario_grid(
    cells: pd.DataFrame,
    assumed: pd.DataFrame,
    design: SensitivityDesign,
    *,
    correlations: Sequence[float],
    shifts: Sequence[float] = (0.0,),
) -> pd.DataFrame:
    """Every source's test over correlations x shifts of the assumed (unprinted) cell means.

    Parameters
    ----------
    cells : DataFrame
        Cell summaries (factors, ``n``, ``mean_<visit>``, ``sd_<visit>``), assumed cells filled
        with their configured values.
    assumed : DataFrame
        ``cell`` (row index in ``cells``) and ``time`` of each assumed cell; may be empty.
    design : SensitivityDesign
        Between factors, visits, arms, sums of squares and alpha.
    correlations, shifts : sequence of float
        The grid. With no assumed cell only ``shift = 0`` is evaluated.

    Returns
    -------
    DataFrame
        :data:`SENSITIVITY_COLUMNS` with ``scenario == "grid"``.
    """
    time_levels, arms, alpha = design.time_levels, design.arms, design.alpha
    summary = SummaryDesign(cells, design.between, time_levels, design.ss_type)
    base = cell_means(cells, time_levels)
    grid = np.asarray(shifts if len(assumed) else [0.0], float)
    rho, st, sc = (a.ravel() for a in np.meshgrid(np.asarray(correlations, float), grid, grid, indexing="ij"))
    means = np.repeat(base[None], rho.size, axis=0)
    tcol = {str(t): j for j, t in enumerate(time_levels)}
    for a in assumed.itertuples():
        is_treat = cells["arm"].iloc[a.cell] == arms["treatment"]
        means[:, a.cell, tcol[str(a.time)]] += st if is_treat else sc
    r = summary.evaluate(means, rho)
    src = summary.sources()
    n_s, n_src = r["F"].shape
    out = pd.DataFrame(
        {
            "scenario": "grid",
            "correlation": np.repeat(rho, n_src),
            "shift_treatment": np.repeat(st, n_src),
            "shift_control": np.repeat(sc, n_src),
            "source": np.tile(src, n_s),
            "F": r["F"].ravel(),
            "df1": np.tile(r["df1"], n_s).astype(int),
            "df2": np.tile(r["df2"], n_s).astype(int),
            "p_unc": r["p_unc"].ravel(),
            "eps_gg": r["eps_gg"].ravel(),
            "p_gg": r["p_gg"].ravel(),
        }
    )
    out["significant_unc"] = out["p_unc"] < alpha
    out["significant_gg"] = out["p_gg"] < alpha
    out["note"] = "assumed cells shifted" if len(assumed) else ""
    return out[SENSITIVITY_COLUMNS]


def thresholds(
    cells: pd.DataFrame, between: Sequence[str], time_levels: Sequence[str], *, ss_type: int = 3, alpha: float = 0.05
) -> pd.DataFrame:
    """The correlations at which each source's p crosses ``alpha`` (uncorrected and GG).

    Returns
    -------
    DataFrame
        :data:`SENSITIVITY_COLUMNS` with ``scenario`` ``threshold_unc`` or ``threshold_gg``;
        ``correlation`` is the crossing and ``note`` says on which side the effect is
        significant. A source that never crosses within [0, 0.99] has one row with NaN
        correlation saying whether it is significant throughout.
    """
    design = SummaryDesign(cells, between, time_levels, ss_type)
    m = cell_means(cells, time_levels)
    rows = []
    for j, source in enumerate(design.sources()):
        for kind in ("unc", "gg"):

            def fn(r: float, j: int = j, kind: str = kind) -> float:
                return float(design.evaluate(m, r)[f"p_{kind}"][0, j]) - alpha

            xs = crossings(fn)
            if not xs:
                sig = fn(0.5) < 0
                rows.append(
                    dict(
                        scenario=f"threshold_{kind}",
                        correlation=np.nan,
                        source=source,
                        note=("significant" if sig else "not significant") + " for every correlation in [0, 0.99]",
                    )
                )
            for x in xs:
                above = fn(min(x + 1e-4, 0.999)) < 0
                res = design.evaluate(m, x)
                rows.append(
                    dict(
                        scenario=f"threshold_{kind}",
                        correlation=x,
                        source=source,
                        F=res["F"][0, j],
                        df1=int(res["df1"][j]),
                        df2=int(res["df2"][j]),
                        p_unc=res["p_unc"][0, j],
                        eps_gg=res["eps_gg"][0, j],
                        p_gg=res["p_gg"][0, j],
                        note=f"significant at alpha={alpha} for correlations "
                        + ("above" if above else "below")
                        + " this value",
                    )
                )
    out = pd.DataFrame(rows).reindex(columns=SENSITIVITY_COLUMNS)
    out[["shift_treatment", "shift_control"]] = 0.0
    return out


def _claims(cells: pd.DataFrame, time_levels: Sequence[str], alpha: float) -> pd.DataFrame:
    """For each cell and follow-up visit: the correlation above which its change is significant."""
    base, rows = str(time_levels[0]), []
    for c in cells.itertuples(index=False):
        c = c._asdict()
        for t in time_levels[1:]:
            r = paired_t_threshold(int(c["n"]), c[f"mean_{base}"], c[f"sd_{base}"], c[f"mean_{t}"], c[f"sd_{t}"], alpha)
            label = c.get("group") or "/".join(str(c[k]) for k in ("stratum", "arm") if k in c)
            rows.append(
                dict(
                    scenario="paper_claim",
                    correlation=r,
                    shift_treatment=0.0,
                    shift_control=0.0,
                    source=f"change {base} to {t} in {label}",
                    note=f"paired t of the published summaries: significant at alpha={alpha} iff the "
                    "correlation is at least this value",
                )
            )
    return pd.DataFrame(rows).reindex(columns=SENSITIVITY_COLUMNS)


def sensitivity_from_published(
    cells: pd.DataFrame,
    assumed: pd.DataFrame,
    design: SensitivityDesign,
    *,
    correlations: Sequence[float],
    shifts: Sequence[float],
    configured_correlation: float,
) -> pd.DataFrame:
    """The whole sensitivity table from published cell summaries (with assumed cells).

    Rows: ``grid`` (correlations x shifts of the assumed cells), ``threshold_unc`` /
    ``threshold_gg`` (at the configured assumptions), ``configured`` (the configured
    correlation, the values the reconstructed default data have) and ``paper_claim`` (the
    correlation each claimed within-group change needs).
    """
    cfg = scenario_grid(cells, assumed, design, correlations=[configured_correlation], shifts=[0.0]).assign(
        scenario="configured", note="the configured correlation and assumptions (the reconstructed data)"
    )
    return pd.concat(
        [
            scenario_grid(cells, assumed, design, correlations=correlations, shifts=shifts),
            thresholds(cells, design.between, design.time_levels, ss_type=design.ss_type, alpha=design.alpha),
            cfg,
            _claims(cells, design.time_levels, design.alpha),
        ],
        ignore_index=True,
    )[SENSITIVITY_COLUMNS]


def sensitivity_from_data(
    data: pd.DataFrame, outcome: str, design: SensitivityDesign, *, correlations: Sequence[float]
) -> pd.DataFrame:
    """The sensitivity table for individual data: their cell summaries with other correlations.

    Rows: ``grid`` and ``threshold_*`` as :func:`sensitivity_from_published`, and ``observed``:
    the correlation that keeps the data's pooled within-cell covariances
    (:func:`pooled_correlation`), with which the closed form gives the data's own F values.
    """
    between, time_levels = design.between, design.time_levels
    cells = cells_from_data(data, outcome, between, time_levels)
    none = pd.DataFrame(columns=["cell", "time"])
    rho = pooled_correlation(data, outcome, between, time_levels)
    obs = scenario_grid(cells, none, design, correlations=[rho]).assign(
        scenario="observed",
        note="the data's pooled within-cell correlation between visits (gives the data's own F values)",
    )
    return pd.concat(
        [
            scenario_grid(cells, none, design, correlations=correlations),
            thresholds(cells, between, time_levels, ss_type=design.ss_type, alpha=design.alpha),
            obs,
        ],
        ignore_index=True,
    )[SENSITIVITY_COLUMNS]
