"""A printed treatment effect adjusted for covariates: the range such an adjustment can produce.

A paper's effect "adjusted for baseline, age and sex" is not the baseline-only ANCOVA a summary
reanalysis recomputes; flagging the difference would accuse the authors of an arithmetic they did
not do. What the printed baseline table does fix is how far the adjustment can move the estimate.

Adding a covariate ``x_j`` to the model changes the treatment effect by ``-g_j D_j``, with ``D_j``
the arms' difference in ``x_j``'s mean and ``g_j`` its coefficient. Since the covariate can explain
at most the outcome's remaining variance, ``|g_j| s_j <= s_y`` (``s_j`` the covariate's pooled SD,
``s_y`` the outcome's pooled SD at that visit, an upper bound of its residual SD). So each
covariate moves the estimate by at most ``s_y |D_j| / s_j = s_y |z_j|``, its standardized
imbalance in outcome SDs, and together by at most ``s_y sum_j |z_j|``: the **reach**. The range is
the baseline-only effect's band (every open quantity of :mod:`.table`) widened by the reach on each
side. A binary or categorical covariate enters as one indicator per category, with
``z = (p_T - p_C) / sqrt(p (1 - p))`` at the pooled proportion ``p``. The printed means and
proportions are widened by their rounding first.

The sum assumes the covariates' adjustments add up without a larger joint effect than each alone
allows; two nearly collinear covariates imbalanced in opposite directions can exceed it (a
Mahalanobis bound would need their correlation, which papers do not print). Only a printed value
outside the range is flagged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..trial.published import NOT_AVAILABLE, PRINTED, decimals

ADJUSTED_COLUMNS = ["covariate", "category", "difference", "sd", "z", "reach"]


def standardized_imbalance(
    characteristics: pd.DataFrame, covariates: Sequence[str], arm_of: Mapping[str, str]
) -> pd.DataFrame:
    """Each covariate's baseline imbalance between the arms, in its own SDs, from the printed table.

    Parameters
    ----------
    characteristics : DataFrame
        The trial's ``characteristics.csv`` as text (``variable, group, kind, n, mean, sd,
        category, count, percent``).
    covariates : sequence of str
        Variables the effect was adjusted for (other than the outcome's baseline).
    arm_of : mapping
        Group -> ``treatment`` or ``control``.

    Returns
    -------
    DataFrame
        :data:`ADJUSTED_COLUMNS` without ``reach``: one row per continuous covariate, one per
        category of a categorical one. ``z`` is the largest standardized difference the rounded
        printed numbers allow.

    Raises
    ------
    KeyError
        A covariate the table does not print.

    Examples
    --------
    >>> c = pd.DataFrame({"variable": ["age", "age"], "group": ["A", "B"], "kind": ["continuous"] * 2,
    ...                   "n": ["10", "10"], "mean": ["50.0", "53.0"], "sd": ["10", "10"], "category": ["", ""],
    ...                   "count": ["", ""], "percent": ["", ""], "status": ["printed"] * 2})
    >>> round(float(standardized_imbalance(c, ["age"], {"A": "treatment", "B": "control"}).z.iloc[0]), 4)
    0.31
    """
    t = characteristics.fillna("")
    t = t[t.get("status", PRINTED) != NOT_AVAILABLE]
    rows = []
    for name in covariates:
        v = t[t["variable"] == name]
        if v.empty:
            raise KeyError(f"covariate {name!r} is not in the trial's characteristics.csv")
        if (v["kind"] == "continuous").all():
            rows.append(_continuous(name, v, arm_of))
        else:
            rows.extend(_categorical(name, v, arm_of))
    return pd.DataFrame(rows, columns=ADJUSTED_COLUMNS[:-1])


def _number(text: str) -> tuple[float, float]:
    """A printed number and half a unit of its last digit."""
    return float(text), 0.5 * 10.0 ** -(decimals(text) or 0)


def _continuous(name: str, v: pd.DataFrame, arm_of: Mapping[str, str]) -> dict[str, object]:
    stats = {}
    for arm in ("treatment", "control"):
        rows = v[v["group"].map(arm_of) == arm]
        n = rows["n"].replace("", "1").astype(float).to_numpy()
        m = np.array([_number(x) for x in rows["mean"]])
        s = np.array([_number(x)[0] for x in rows["sd"]])
        # the arm's mean and SD over its groups (strata), weighted by n
        mean = float(np.sum(n * m[:, 0]) / n.sum())
        stats[arm] = (
            n.sum(),
            mean,
            float(np.max(m[:, 1])),
            float(np.sqrt(np.sum((n - 1) * s**2) / max(n.sum() - len(n), 1))),
        )
    (n1, m1, h1, s1), (n0, m0, h0, s0) = stats["treatment"], stats["control"]
    pooled = float(np.sqrt(((n1 - 1) * s1**2 + (n0 - 1) * s0**2) / max(n1 + n0 - 2, 1)))
    diff = m1 - m0
    widest = abs(diff) + h1 + h0
    return dict(covariate=name, category="", difference=diff, sd=pooled, z=widest / pooled if pooled > 0 else np.inf)


def _categorical(name: str, v: pd.DataFrame, arm_of: Mapping[str, str]) -> list[dict[str, object]]:
    out = []
    for cat, rows in v.groupby("category", sort=False):
        counts = {}
        for arm in ("treatment", "control"):
            r = rows[rows["group"].map(arm_of) == arm]
            counts[arm] = (
                float(r["count"].replace("", "0").astype(float).sum()),
                float(r["n"].replace("", "nan").astype(float).sum()),
            )
        (c1, n1), (c0, n0) = counts["treatment"], counts["control"]
        if not (n1 > 0 and n0 > 0):
            raise KeyError(f"covariate {name!r}, category {cat!r}: the groups' n are not printed")
        p1, p0, p = c1 / n1, c0 / n0, (c1 + c0) / (n1 + n0)
        sd = float(np.sqrt(p * (1 - p)))
        out.append(
            dict(covariate=name, category=str(cat), difference=p1 - p0, sd=sd, z=abs(p1 - p0) / sd if sd > 0 else 0.0)
        )
    return out


def adjustment_range(lo: float, hi: float, outcome_sd: float, imbalance: pd.DataFrame) -> tuple[float, float, float]:
    """The range a covariate-adjusted effect can take: ``(lo - reach, hi + reach, reach)``.

    ``lo``/``hi`` is the baseline-only effect's band, ``outcome_sd`` the outcome's pooled SD at the
    visit (the largest the box allows), ``imbalance`` :func:`standardized_imbalance`.

    Examples
    --------
    >>> adjustment_range(-5.0, -2.0, 10.0, pd.DataFrame({"z": [0.3, 0.1]}))
    (-9.0, 2.0, 4.0)
    """
    reach = float(outcome_sd * np.sum(np.abs(imbalance["z"]))) if len(imbalance) else 0.0
    return lo - reach, hi + reach, reach
