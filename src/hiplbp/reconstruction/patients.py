"""Synthetic individual patients reconstructed from published summary statistics.

The trial's individual data are not public. To let the whole pipeline run on this trial, this
module draws, for each analysed group, ``n`` patients from an exact-moment multivariate normal
sample with the published means and SDs and a compound-symmetric within-subject correlation taken
from config, then makes them integers (or values at the printed precision) whose mean and SD round
to the published ones at the printed number of decimals, and whose correlations between visits
are within a tolerance of the configured one (:mod:`hiplbp.reconstruction.sampler`). Weights are paired with
heights so that each patient's BMI = weight / height^2 gives a group BMI as close to the printed
one as the data allow. Every row says it is synthetic.

Cells the paper did not print (``not_available``) are filled only from explicit entries of
``reconstruction.assumptions`` in config, and the check table marks them ``assumed``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from .. import SYNTHETIC_NOTE
from ..seeds import derive_seed
from ..trial.cells import target_cells
from ..trial.design import Design
from ..trial.published import NOT_AVAILABLE, decimals, half_unit, rounds_to
from .sampler import ReconstructionError, Target, fit_moments, ratio_sample, tune_correlations


def characteristic_scale(variable: str, mean_text: str, sd: float, settings: Mapping[str, Mapping]) -> dict:
    """Step and range of one baseline characteristic's individual values.

    From ``settings[variable]`` (config ``reconstruction.characteristics``: ``step``, ``min``,
    ``max``) where given; otherwise values at the printed mean's precision (``50.0`` -> steps of
    0.1), not below 0, and at most ten SDs above the mean.

    Examples
    --------
    >>> characteristic_scale("age", "54.9", 10.6, {"age": {"step": 1, "min": 18}})
    {'step': 1.0, 'min': 18.0, 'max': 160.9}
    >>> characteristic_scale("onset", "5.8", 4.1, {})
    {'step': 0.1, 'min': 0.0, 'max': 46.8}
    """
    given = dict(settings.get(variable, {}))
    ndec = decimals(mean_text) or 0
    mean = float(mean_text)
    default_max = round(mean + 10 * sd, ndec)
    return {
        "step": float(given.get("step", 10.0**-ndec)),
        "min": float(given.get("min", 0.0)),
        "max": float(given.get("max", default_max)),
    }


def exact_moment_sample(
    rng: np.random.Generator,
    n: int,
    means: npt.ArrayLike,
    sds: npt.ArrayLike,
    corr: npt.ArrayLike,
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
    mu = np.asarray(means, float)
    sd = np.asarray(sds, float)
    k = mu.size
    if n <= k:
        raise ValueError(f"exact moments need more rows than variables, got n={n} for {k} variables")
    # a variable printed with SD 0 is its mean in every row; the others carry the correlations
    live = sd > 0
    out = np.tile(mu, (n, 1))
    m = int(live.sum())
    if m == 0:
        return out
    z = rng.standard_normal((n, m))
    z -= z.mean(axis=0)
    ls = np.linalg.cholesky(np.cov(z, rowvar=False, ddof=1).reshape(m, m))
    w = np.linalg.solve(ls, z.T).T
    sigma = np.outer(sd[live], sd[live]) * np.asarray(corr, float)[np.ix_(live, live)]
    out[:, live] = w @ np.linalg.cholesky(sigma).T + mu[live]
    return out


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


def _rounds_to(achieved: float, target: float, ndec: int | None) -> bool:
    if ndec is None or np.isnan(target):
        return False
    return rounds_to(achieved, target, ndec)


@dataclass(frozen=True)
class ReconstructionSettings:
    """How patients are reconstructed: config's ``reconstruction`` section (:meth:`from_config`).

    Attributes
    ----------
    arm_from : {"marker", "label"}
        Which published attribute decides a group's arm: its footnote marker or its printed
        label (the trial's ``trial.marker_arms`` / ``trial.label_arms`` say what each means).
    correlation : float
        Within-subject correlation between any two visits (compound symmetry).
    height_weight_correlation : float
        Correlation of height and weight within a group (BMI is derived from both).
    assumptions : sequence of mapping
        Targets for cells that are not available (see :func:`target_cells`).
    seed : int
        Config seed; each group's draw derives its own seed from it.
    scales : mapping
        Step and range of each baseline characteristic (config ``reconstruction.characteristics``,
        :func:`characteristic_scale`).
    correlation_tolerance : float
        Achieved between-visit correlations are brought within this distance of ``correlation``
        where the integer data allow (reported in the check table).
    """

    arm_from: str
    correlation: float
    height_weight_correlation: float
    assumptions: Sequence[Mapping]
    seed: int
    scales: Mapping[str, Mapping]
    # not a setting of the config: how closely the tuning tries, a property of the method
    correlation_tolerance: float = 0.02

    @classmethod
    def from_config(cls, reconstruction: Mapping) -> ReconstructionSettings:
        """From a validated config's ``reconstruction`` section (every default of the schema filled in).

        Examples
        --------
        >>> s = ReconstructionSettings.from_config({"seed": 1, "correlation": 0.6, "height_weight_correlation": 0.5,
        ...     "arm_from": "marker", "replicates": 20, "characteristics": {}, "assumptions": []})
        >>> s.correlation, s.seed, s.scales
        (0.6, 1, {})
        """
        return cls(
            arm_from=str(reconstruction["arm_from"]),
            correlation=float(reconstruction["correlation"]),
            height_weight_correlation=float(reconstruction["height_weight_correlation"]),
            assumptions=list(reconstruction["assumptions"]),
            seed=int(reconstruction["seed"]),
            scales=dict(reconstruction["characteristics"]),
        )


def _check_inputs(groups: pd.DataFrame, outcome_tables: pd.DataFrame, design: Design, arm_from: str) -> None:
    if arm_from not in ("marker", "label"):
        raise ValueError(f"reconstruction.arm_from must be 'marker' or 'label', got {arm_from!r}")
    published_times = set(outcome_tables["time"])
    if published_times != set(design.time_levels):
        raise ValueError(
            f"design.time_levels {list(design.time_levels)} must be the published visits "
            f"{sorted(published_times)} when data.source is reconstructed"
        )
    if design.strata:
        missing = set(groups["stratum_label"]) - set(design.strata)
        if missing:
            raise ValueError(
                f"design.strata must contain the trial's strata {sorted(set(groups['stratum_label']))} "
                "(trial.strata maps the printed names to them) when data.source is reconstructed, "
                f"got {list(design.strata)}"
            )


def reconstruct(
    groups: pd.DataFrame,
    outcome_tables: pd.DataFrame,
    characteristics: pd.DataFrame,
    design: Design,
    settings: ReconstructionSettings,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reconstruct one row per analysed patient from the published summaries.

    A group has as many patients as its printed ``n_analysed``; where an outcome cell prints its
    own, smaller n (drop-out), only the first n patients have a value at that visit (monotone
    drop-out: a patient missing at a visit is missing at every later one where the n allows).

    Parameters
    ----------
    groups : DataFrame
        From :func:`hiplbp.trial.published.read_groups`.
    outcome_tables : DataFrame
        Published outcome summaries (``outcome, time, group, mean, sd, status`` + parsed values),
        from :func:`hiplbp.trial.published.read_summary`.
    characteristics : DataFrame
        Published continuous baseline characteristics (``variable, group, mean, sd`` + parsed
        values, :func:`hiplbp.trial.published.read_characteristics`).
    design : Design
        The outcomes, visits, arms and strata.
    settings : ReconstructionSettings
        The config's ``reconstruction`` section.

    Returns
    -------
    raw : DataFrame
        Wide: ``subject, published_group, stratum, arm``, the continuous baseline characteristics,
        then ``<outcome>_<time>`` per outcome and visit (empty after drop-out), and ``synthetic``.
    check : DataFrame
        One row per reconstructed cell: ``table, variable, group, stratum, arm, time, n, published_mean,
        achieved_mean, published_sd, achieved_sd, mean_decimals, sd_decimals, basis, match,
        note`` and, for outcomes, the smallest and largest achieved correlation of that visit with
        the others. For assumed cells the ``published_*`` columns hold the assumed target.
        ``match`` is True when mean and SD round to the target at the printed precision.
    """
    _check_inputs(groups, outcome_tables, design, settings.arm_from)
    rows: list[pd.DataFrame] = []
    checks: list[dict] = []
    cells = {o["name"]: target_cells(outcome_tables, settings.assumptions, o["name"]) for o in design.outcomes}
    subject_no = 0
    for g in groups.itertuples(index=False):
        arm = design.arms[g.arm_by_marker if settings.arm_from == "marker" else g.arm_by_label]
        n = int(g.n)
        rng = np.random.default_rng(derive_seed(settings.seed, "reconstruct", g.group))
        block = pd.DataFrame(
            {
                "subject": [f"R{subject_no + i + 1:03d}" for i in range(n)],
                "published_group": g.group,
                "stratum": g.stratum_label,
                "arm": arm,
            }
        )
        subject_no += n
        baseline = _characteristics(
            rng, g.group, n, characteristics, settings.height_weight_correlation, dict(settings.scales), checks
        )
        block = pd.concat([block, baseline], axis=1)
        for o in design.outcomes:
            cg = cells[o["name"]]
            c = cg[cg["group"] == g.group].set_index("time").loc[list(design.time_levels)]
            where = {"group": g.group, "stratum": g.stratum_label, "arm": arm}
            _outcome_columns(block, rng, o, c, design.time_levels, settings, where, checks)
        rows.append(block)
    raw = pd.concat(rows, ignore_index=True)
    raw["synthetic"] = SYNTHETIC_NOTE
    check = pd.DataFrame(checks)
    front = ["table", "variable", "group", "stratum", "arm", "time"]
    return raw, check[front + [c for c in check.columns if c not in front]]


def _outcome_columns(
    block: pd.DataFrame,
    rng: np.random.Generator,
    o: Mapping,
    c: pd.DataFrame,
    time_levels: Sequence[str],
    settings: ReconstructionSettings,
    where: Mapping[str, str],
    checks: list[dict],
) -> None:
    """One outcome's values of one group at every visit, added to ``block``; their checks to ``checks``."""
    n = len(block)
    sizes = [min(int(x), n) if pd.notna(x) else n for x in c["n"]]
    target_r = compound_symmetry(len(time_levels), settings.correlation)
    x = exact_moment_sample(rng, n, c["mean"].to_numpy(), c["sd"].to_numpy(), target_r)
    step = 1.0 if o.get("integer", False) else 10.0 ** -int(max(c["mean_decimals"].max(), 0) + 1)
    cols, infos = [], []
    for j in range(len(time_levels)):
        cell = c.iloc[j]
        tgt = Target(
            cell["mean"],
            cell["sd"],
            int(cell["mean_decimals"]),
            int(cell["sd_decimals"]),
            step,
            float(o["min"]),
            float(o["max"]),
        )
        v, info = _fit(x[: sizes[j], j], tgt, f"{o['name']} of {where['group']} at {time_levels[j]}")
        cols.append(np.concatenate([v, np.full(n - sizes[j], np.nan)]))
        infos.append(info)
    y = np.column_stack(cols)
    # the patients seen at every visit carry the correlation (permuting values among them
    # keeps each visit's mean and SD)
    complete = min(sizes)
    # a visit printed with SD 0 is constant: it has no correlation to tune (nor any to report)
    live = np.flatnonzero(np.nanstd(y[:complete], axis=0) > 0)
    if len(live) > 1:
        y[:complete, live] = tune_correlations(
            y[:complete][:, live], target_r[np.ix_(live, live)], tol=settings.correlation_tolerance, rng=rng
        )
    # pairwise complete where some left; NaN with a constant visit
    r = np.corrcoef(y.T) if complete == n and len(live) == y.shape[1] else pd.DataFrame(y).corr().to_numpy()
    for j, t in enumerate(time_levels):
        v = y[:, j]
        if step == 1.0:
            block[f"{o['column']}_{t}"] = v.astype(int) if complete == n else pd.array(v, dtype="Int64")
        else:
            block[f"{o['column']}_{t}"] = v
        others = [r[j, u] for u in range(len(time_levels)) if u != j]
        checks.append(
            _check_row("outcome", o["name"], where["group"], t, v[: sizes[j]], c.iloc[j], infos[j])
            | {
                "stratum": where["stratum"],
                "arm": where["arm"],
                "correlation_min": min(others),
                "correlation_max": max(others),
            }
        )


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


def _check_row(
    table: str, variable: str, group: str, time: str, v: np.ndarray, cell: pd.Series, info: dict | None = None
) -> dict:
    am, asd = float(np.mean(v)), float(np.std(v, ddof=1))
    md = None if pd.isna(cell["mean_decimals"]) else int(cell["mean_decimals"])
    sdd = None if pd.isna(cell["sd_decimals"]) else int(cell["sd_decimals"])
    spread = cell.get("printed_spread")
    if isinstance(spread, tuple):
        # the cell printed an SE or a CI, not an SD: compare what was printed
        kind, value, ndec = spread
        k = len(v)
        got = asd / np.sqrt(k) * (1.0 if kind == "se" else float(stats.t.ppf(0.975, k - 1)))
        sd_match = _rounds_to(got, value, ndec) if kind == "se" else abs(got - value) <= half_unit(ndec) * 2 + 1e-9
    else:
        sd_match = _rounds_to(asd, cell["sd"], sdd)
    match = _rounds_to(am, cell["mean"], md) and sd_match
    note = cell["note"]
    info = info or {}
    if info.get("mean_possible") is False:
        note = (note + "; " if note else "") + "the printed mean is impossible for this n (GRIM): nearest possible used"
    elif info.get("sd_possible") is False:
        note = (
            note + "; " if note else ""
        ) + "the printed SD is impossible with this mean and n (GRIMMER): nearest used"
    return dict(
        table=table,
        variable=variable,
        group=group,
        time=time,
        n=len(v),
        published_mean=cell["mean"],
        achieved_mean=am,
        published_sd=cell["sd"],
        achieved_sd=asd,
        mean_decimals=md,
        sd_decimals=sdd,
        basis=cell["basis"],
        match=match,
        note=note,
    )


def _fit(x: np.ndarray, target: Target, where: str) -> tuple[np.ndarray, dict]:
    """:func:`fit_moments`, with the cell named in the error if it cannot be reproduced."""
    try:
        return fit_moments(x, target)
    except ReconstructionError as err:
        raise ReconstructionError(f"{where}: {err}") from None


def _characteristics(
    rng: np.random.Generator,
    group: str,
    n: int,
    table: pd.DataFrame,
    hw_corr: float,
    scales: Mapping[str, Mapping],
    checks: list[dict],
) -> pd.DataFrame:
    """Every continuous baseline characteristic of one group, in printed order.

    Each is drawn on its own, except height, weight and BMI when all three are printed: heights
    and weights are drawn jointly and BMI derived per patient (weight / height^2), because the
    printed BMI constrains their pairing.
    """
    ch = table[(table["group"] == group) & (table["status"] != NOT_AVAILABLE)].set_index("variable")
    out: dict[str, np.ndarray] = {}
    infos: dict[str, dict] = {}
    bmi_note = ""
    derived = {"height", "weight", "bmi"} <= set(ch.index)

    def target(name: str) -> Target:
        row = ch.loc[name]
        s = characteristic_scale(name, row["mean"], row.sd_value, scales)
        return Target(
            row.mean_value, row.sd_value, int(row.mean_decimals), int(row.sd_decimals), s["step"], s["min"], s["max"]
        )

    for name in ch.index:
        if name in out or (derived and name in ("weight", "bmi")):
            continue
        if derived and name == "height":
            h, w, b = ch.loc["height"], ch.loc["weight"], ch.loc["bmi"]
            x = exact_moment_sample(
                rng, n, [h.mean_value, w.mean_value], [h.sd_value, w.sd_value], compound_symmetry(2, hw_corr)
            )
            # heights, weights and their pairing drawn jointly, so that the derived BMI prints as published
            bmi_target = Target(b.mean_value, b.sd_value, int(b.mean_decimals), int(b.sd_decimals), 0.01)
            try:
                h_v, w_v, joint = ratio_sample(rng, x, target("height"), target("weight"), bmi_target)
            except ReconstructionError as err:
                raise ReconstructionError(f"height and weight of {group}: {err}") from None
            out["height"], out["weight"] = h_v, w_v
            infos["height"], infos["weight"] = joint["height"], joint["weight"]
            bmi_note = (
                f"reached by drawing heights, weights and their pairing jointly ({joint['attempts']} draws)"
                if joint["reached"]
                else f"not reached in {joint['attempts']} joint draws of heights, weights and their pairing"
            )
            out["bmi"] = np.round(out["weight"] / (out["height"] / 100.0) ** 2, 2)
            continue
        row = ch.loc[name]
        x = exact_moment_sample(rng, n, [row.mean_value], [row.sd_value], np.eye(1))[:, 0]
        tgt = target(name)
        v, infos[name] = _fit(x, tgt, f"{name} of {group}")
        out[name] = v.astype(int) if tgt.step == 1.0 else v
    for name, v in out.items():
        row = ch.loc[name]
        is_derived = derived and name == "bmi"
        cell = dict(
            mean=row.mean_value,
            sd=row.sd_value,
            mean_decimals=decimals(row["mean"]),
            sd_decimals=decimals(row["sd"]),
            basis="derived" if is_derived else "published",
            note="",
        )
        if is_derived:
            cell["note"] = (
                f"derived per patient as weight / height^2, {bmi_note}: gap to the printed mean "
                f"{np.mean(v) - row.mean_value:+.3f}, SD {np.std(v, ddof=1) - row.sd_value:+.3f}"
            )
        checks.append(_check_row("characteristics", name, group, "baseline", v, cell, infos.get(name)))
    return pd.DataFrame(out)
