"""Synthetic individual patients reconstructed from published summary statistics.

The trial's individual data are not public. To let the whole pipeline run on this trial, this
module draws, for each analysed group, ``n`` patients whose values at every visit have exactly the
published mean and SD before rounding (an exact-moment multivariate normal sample with a
compound-symmetric within-subject correlation taken from config), then rounds them to the
measurement's granularity and clips them to its range, and finally nudges single values by one
unit so that each group mean comes back to the published one. Every row says it is synthetic.

Cells the paper did not print (``not_available``) are filled only from explicit entries of
``reconstruction.assumptions`` in config, and the check table marks them ``assumed``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import SYNTHETIC_NOTE
from .common import derive_seed
from .published import NOT_AVAILABLE, STRATUM_LABELS, decimals

#: Granularity and plausible range of the demographic variables of Table 1. Heights and weights
#: are printed with one decimal, ages in whole years.
DEMOGRAPHICS = {
    "age": {"step": 1.0, "min": 18.0, "max": 100.0},
    "height": {"step": 0.1, "min": 130.0, "max": 210.0},
    "weight": {"step": 0.1, "min": 30.0, "max": 150.0},
}


@dataclass(frozen=True)
class Scale:
    """Measurement scale of a variable: bounds and granularity (``step``)."""

    min: float
    max: float
    step: float = 1.0


def exact_moment_sample(
    rng: np.random.Generator,
    n: int,
    means: Sequence[float],
    sds: Sequence[float],
    corr: np.ndarray,
) -> np.ndarray:
    """Draw ``n`` multivariate normal rows whose sample moments equal the targets exactly.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    n : int
        Number of rows; must exceed the number of variables.
    means, sds : sequence of float
        Target sample means and sample SDs (ddof=1), one per variable.
    corr : ndarray
        Target sample correlation matrix (positive definite).

    Returns
    -------
    ndarray, shape (n, k)
        ``X.mean(0) == means``, ``X.std(0, ddof=1) == sds`` and ``corrcoef(X.T) == corr`` up to
        floating point error.

    Notes
    -----
    A standard normal sample ``Z`` is centred and whitened with the Cholesky factor of its own
    sample covariance, ``W = Zc L_S^{-T}`` (so that ``cov(W) = I`` exactly), then coloured with the
    Cholesky factor of the target covariance ``Sigma = D R D``: ``X = W L_Sigma^T + mu``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = exact_moment_sample(rng, 10, [5.0, 3.0], [2.0, 1.0], np.array([[1, .5], [.5, 1]]))
    >>> np.allclose(x.mean(0), [5, 3]), np.allclose(x.std(0, ddof=1), [2, 1])
    (True, True)
    """
    means = np.asarray(means, float)
    sds = np.asarray(sds, float)
    k = means.size
    if n <= k:
        raise ValueError(f"exact moments need more rows than variables, got n={n} for {k} variables")
    z = rng.standard_normal((n, k))
    z -= z.mean(axis=0)
    ls = np.linalg.cholesky(np.cov(z, rowvar=False, ddof=1).reshape(k, k))
    w = np.linalg.solve(ls, z.T).T
    sigma = np.outer(sds, sds) * np.asarray(corr, float)
    return w @ np.linalg.cholesky(sigma).T + means


def compound_symmetry(k: int, rho: float) -> np.ndarray:
    """Correlation matrix with 1 on the diagonal and ``rho`` elsewhere.

    Examples
    --------
    >>> compound_symmetry(2, 0.5)
    array([[1. , 0.5],
           [0.5, 1. ]])
    """
    if not -1.0 / max(k - 1, 1) < rho < 1.0:
        raise ValueError(f"correlation must lie in (-1/(k-1), 1) to be positive definite, got {rho}")
    r = np.full((k, k), float(rho))
    np.fill_diagonal(r, 1.0)
    return r


def round_keep_mean(x: np.ndarray, scale: Scale, target_mean: float) -> np.ndarray:
    """Round a sample to its scale and restore its mean by single-step moves.

    Values are rounded to the nearest multiple of ``scale.step`` and clipped to the bounds; then
    the total is brought to the attainable total closest to ``n * target_mean`` by moving single
    values one step, choosing those that rounding moved furthest, so the SD changes as little as
    possible.

    Parameters
    ----------
    x : ndarray, shape (n,)
        Continuous values.
    scale : Scale
        Bounds and granularity.
    target_mean : float
        Mean to restore.

    Returns
    -------
    ndarray
        Rounded values on the scale.
    """
    step = scale.step
    units = np.clip(np.round(x / step), np.ceil(scale.min / step - 1e-9), np.floor(scale.max / step + 1e-9))
    lo_u, hi_u = np.ceil(scale.min / step - 1e-9), np.floor(scale.max / step + 1e-9)
    diff = int(np.round(len(x) * target_mean / step)) - int(units.sum())
    resid = x / step - units
    while diff != 0:
        sign = 1 if diff > 0 else -1
        movable = units < hi_u if sign > 0 else units > lo_u
        if not movable.any():
            break
        order = np.argsort(-sign * resid, kind="stable")
        order = order[movable[order]][: abs(diff)]
        units[order] += sign
        resid[order] -= sign
        diff -= sign * order.size
    return np.round(units * step, 10)


def target_cells(
    summary: pd.DataFrame, assumptions: Sequence[Mapping], outcome: str
) -> pd.DataFrame:
    """Resolve the target mean and SD of every group x visit cell of one outcome.

    Printed cells are taken as printed; each ``not_available`` cell must have an entry in
    ``assumptions`` (keys ``outcome, time, group, from_time, mean_shift, sd_scale``): its target is
    the mean of ``from_time`` plus ``mean_shift`` and the SD of ``from_time`` times ``sd_scale``.

    Returns
    -------
    DataFrame
        ``group, time, mean, sd, mean_decimals, sd_decimals, basis, note`` with ``basis`` either
        ``published`` or ``assumed``.
    """
    s = summary[summary["outcome"] == outcome]
    if s.empty:
        raise ValueError(
            f"outcome {outcome!r} has no published numbers to reconstruct from; "
            "remove it from `outcomes` or use data.source: file"
        )
    rows = []
    for r in s.itertuples(index=False):
        if r.status != NOT_AVAILABLE:
            rows.append(dict(group=r.group, time=r.time, mean=r.mean_value, sd=r.sd_value,
                             mean_decimals=decimals(r.mean), sd_decimals=decimals(r.sd),
                             basis="published", note=""))
            continue
        hits = [a for a in assumptions
                if a["outcome"] == outcome and a["time"] == r.time and a["group"] == r.group]
        if not hits:
            raise ValueError(
                f"{outcome} at {r.time} in group {r.group!r} was not printed in the paper; add an entry "
                f"for it to reconstruction.assumptions in config (outcome, time, group, from_time)"
            )
        a = hits[0]
        src = s[(s["group"] == r.group) & (s["time"] == a["from_time"])]
        if src.empty or src["status"].iloc[0] == NOT_AVAILABLE:
            raise ValueError(
                f"reconstruction.assumptions: {outcome} {r.group} {r.time} takes from_time "
                f"{a['from_time']!r}, which is not a printed cell"
            )
        shift, scale = float(a.get("mean_shift", 0.0)), float(a.get("sd_scale", 1.0))
        src = src.iloc[0]
        rows.append(dict(
            group=r.group, time=r.time, mean=src.mean_value + shift, sd=src.sd_value * scale,
            mean_decimals=decimals(src["mean"]), sd_decimals=decimals(src["sd"]), basis="assumed",
            note=(f"ASSUMPTION (not printed in the paper): {a['from_time']} mean {shift:+g}, "
                  f"SD x {scale:g}, from config reconstruction.assumptions"),
        ))
    return pd.DataFrame(rows)


def _rounds_to(achieved: float, target: float, ndec: int | None) -> bool:
    if ndec is None or np.isnan(target):
        return False
    # Half-up at the printed precision, with a small tolerance for binary representation.
    return abs(achieved - target) <= 0.5 * 10.0 ** (-ndec) + 1e-9


def reconstruct(
    groups: pd.DataFrame,
    outcome_tables: pd.DataFrame,
    characteristics: pd.DataFrame,
    *,
    outcomes: Sequence[Mapping],
    time_levels: Sequence[str],
    arms: Mapping[str, str],
    strata: Sequence[str] | None,
    arm_from: str = "marker",
    correlation: float = 0.5,
    height_weight_correlation: float = 0.5,
    assumptions: Sequence[Mapping] = (),
    seed: int = 20150217,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reconstruct one row per analysed patient from the published summaries.

    Parameters
    ----------
    groups : DataFrame
        From :func:`hiplbp.published.read_groups`.
    outcome_tables : DataFrame
        Published outcome summaries (``outcome, time, group, mean, sd, status`` + parsed values),
        from :func:`hiplbp.published.read_summary`.
    characteristics : DataFrame
        Published Table 1 (``variable, group, mean, sd`` + parsed values).
    outcomes : sequence of mapping
        Outcome definitions from config (``name, column, min, max, integer``).
    time_levels : sequence of str
        Visit labels in time order; must be the published ones.
    arms : mapping
        ``{"treatment": label, "control": label}``: labels written to the ``arm`` column.
    strata : sequence of str or None
        Must contain the short stratum labels (``stable``, ``unstable``) when given.
    arm_from : {"marker", "label"}
        Which published attribute decides a group's arm: its footnote marker (hip exercise or
        not) or its printed EG/CG label. They disagree in the instability stratum.
    correlation : float
        Within-subject correlation between any two visits (compound symmetry).
    height_weight_correlation : float
        Correlation of height and weight within a group (BMI is derived from both).
    assumptions : sequence of mapping
        Targets for cells that are not available (see :func:`target_cells`).
    seed : int
        Config seed; each group's draw derives its own seed from it.

    Returns
    -------
    raw : DataFrame
        Wide: ``subject, published_group, stratum, arm, age, height, weight, bmi``, then
        ``<outcome>_<time>`` per outcome and visit, and ``synthetic``.
    check : DataFrame
        One row per reconstructed cell: ``table, variable, group, stratum, arm, time, n, published_mean,
        achieved_mean, published_sd, achieved_sd, mean_decimals, sd_decimals, basis, match,
        note``. For assumed cells the ``published_*`` columns hold the assumed target.
    """
    if arm_from not in ("marker", "label"):
        raise ValueError(f"reconstruction.arm_from must be 'marker' or 'label', got {arm_from!r}")
    published_times = set(outcome_tables["time"])
    if list(time_levels) != [t for t in time_levels if t in published_times] or \
            published_times != set(time_levels):
        raise ValueError(
            f"design.time_levels {list(time_levels)} must be the published visits "
            f"{sorted(published_times)} when data.source is reconstructed"
        )
    if strata:
        missing = set(STRATUM_LABELS.values()) - set(strata)
        if missing:
            raise ValueError(f"design.strata must contain {sorted(STRATUM_LABELS.values())} "
                             f"when data.source is reconstructed, got {list(strata)}")
    rows, checks = [], []
    cells = {o["name"]: target_cells(outcome_tables, assumptions, o["name"]) for o in outcomes}
    subject_no = 0
    for g in groups.itertuples(index=False):
        arm_key = g.arm_by_marker if arm_from == "marker" else g.arm_by_label
        n = int(g.n)
        rng = np.random.default_rng(derive_seed(seed, "reconstruct", g.group))
        block = pd.DataFrame({
            "subject": [f"R{subject_no + i + 1:03d}" for i in range(n)],
            "published_group": g.group,
            "stratum": STRATUM_LABELS[g.stratum],
            "arm": arms[arm_key],
        })
        subject_no += n
        block = pd.concat([block, _demographics(rng, g.group, n, characteristics,
                                                height_weight_correlation, checks)], axis=1)
        for o in outcomes:
            cg = cells[o["name"]]
            c = cg[cg["group"] == g.group].set_index("time").loc[list(time_levels)]
            x = exact_moment_sample(rng, n, c["mean"].to_numpy(), c["sd"].to_numpy(),
                                    compound_symmetry(len(time_levels), correlation))
            scale = Scale(float(o["min"]), float(o["max"]), 1.0 if o.get("integer", False) else 0.01)
            for j, t in enumerate(time_levels):
                v = round_keep_mean(x[:, j], scale, c["mean"].iloc[j])
                block[f"{o['column']}_{t}"] = v.astype(int) if scale.step == 1.0 else v
                checks.append(_check_row("outcome", o["name"], g.group, t, v, c.iloc[j])
                              | {"stratum": STRATUM_LABELS[g.stratum], "arm": arms[arm_key]})
        rows.append(block)
    raw = pd.concat(rows, ignore_index=True)
    raw["synthetic"] = SYNTHETIC_NOTE
    check = pd.DataFrame(checks)
    front = ["table", "variable", "group", "stratum", "arm", "time"]
    return raw, check[front + [c for c in check.columns if c not in front]]


def value_basis(data: pd.DataFrame, raw: pd.DataFrame, check: pd.DataFrame, outcome: str) -> pd.Series:
    """Label each value of an outcome in the canonical table by what it was reconstructed from.

    Parameters
    ----------
    data : DataFrame
        Canonical long table (``subject``, ``time``).
    raw : DataFrame
        Reconstructed wide table (``subject``, ``published_group``).
    check : DataFrame
        Reconstruction check (``variable``, ``group``, ``time``, ``basis``).
    outcome : str
        Outcome name.

    Returns
    -------
    Series
        Aligned with ``data``: ``assumed`` for values of a cell the paper did not print (filled
        from a config assumption), ``published`` otherwise.
    """
    cells = check[(check["variable"] == outcome) & (check["basis"] == "assumed")]
    group = data["subject"].map(raw.set_index("subject")["published_group"])
    assumed = pd.Series(False, index=data.index)
    for c in cells.itertuples():
        assumed |= (group == c.group) & (data["time"].astype(str) == str(c.time))
    return pd.Series(np.where(assumed, "assumed", "published"), index=data.index, name="basis")


def _check_row(table: str, variable: str, group: str, time: str, v: np.ndarray, cell) -> dict:
    am, asd = float(np.mean(v)), float(np.std(v, ddof=1))
    md = None if pd.isna(cell["mean_decimals"]) else int(cell["mean_decimals"])
    sdd = None if pd.isna(cell["sd_decimals"]) else int(cell["sd_decimals"])
    match = _rounds_to(am, cell["mean"], md) and _rounds_to(asd, cell["sd"], sdd)
    return dict(table=table, variable=variable, group=group, time=time, n=len(v),
                published_mean=cell["mean"], achieved_mean=am, published_sd=cell["sd"],
                achieved_sd=asd, mean_decimals=md, sd_decimals=sdd, basis=cell["basis"],
                match=match, note=cell["note"])


def _demographics(rng, group, n, characteristics, hw_corr, checks) -> pd.DataFrame:
    ch = characteristics[characteristics["group"] == group].set_index("variable")
    out = {}
    if "age" in ch.index:
        a = ch.loc["age"]
        x = exact_moment_sample(rng, n, [a.mean_value], [a.sd_value], np.eye(1))[:, 0]
        out["age"] = round_keep_mean(x, Scale(**DEMOGRAPHICS["age"]), a.mean_value).astype(int)
    if {"height", "weight"} <= set(ch.index):
        h, w = ch.loc["height"], ch.loc["weight"]
        x = exact_moment_sample(rng, n, [h.mean_value, w.mean_value], [h.sd_value, w.sd_value],
                                compound_symmetry(2, hw_corr))
        for j, (name, row) in enumerate((("height", h), ("weight", w))):
            d = DEMOGRAPHICS[name]
            out[name] = round_keep_mean(x[:, j], Scale(**d), row.mean_value)
        out["bmi"] = np.round(out["weight"] / (out["height"] / 100.0) ** 2, 2)
    for name, v in out.items():
        if name not in ch.index:
            continue
        row = ch.loc[name]
        cell = dict(mean=row.mean_value, sd=row.sd_value, mean_decimals=decimals(row["mean"]),
                    sd_decimals=decimals(row["sd"]), basis="published" if name != "bmi" else "derived",
                    note="" if name != "bmi" else
                    "derived: weight / height^2 per patient; the published BMI is not a target")
        checks.append(_check_row("characteristics", name, group, "baseline", v, cell))
    return pd.DataFrame(out)
