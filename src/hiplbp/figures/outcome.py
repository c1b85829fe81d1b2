"""The outcome figure: mean and 95 % t-interval over visits per stratum x arm."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from ..stats.describe import t_interval  # noqa: E402
from ..trial.design import Design
from .style import STYLE

#: Colours of the treatment arms, in order (Okabe & Ito 2008: blue, bluish green, reddish purple,
#: sky blue); the control arm is vermilion.
TREATMENT_COLOURS = ["#0072B2", "#009E73", "#CC79A7", "#56B4E9"]
#: Markers of the treatment arms, in order; the control arm's is a square.
MARKERS = ["o", "^", "D", "v"]


def _layout(design: Design) -> tuple[str, list[str], list[tuple[str | None, tuple[str, str] | None]], tuple[int, int]]:
    """The x factor, its levels, each panel's (stratum, (within factor, level)) and the grid's shape.

    One within factor: one panel per stratum, the visits on x. Two (``design.within``): a row per
    stratum, a column per level of the first factor, the second on x.
    """
    strata: list[str | None] = list(design.strata) or [None]
    if not design.within:
        return "time", list(design.time_levels), [(s, None) for s in strata], (1, len(strata))
    first, second = list(design.within)
    levels = design.within[first]
    return (
        second,
        list(design.within[second]),
        [(s, (first, v)) for s in strata for v in levels],
        (len(strata), len(levels)),
    )


def _panel(
    ax: plt.Axes,
    d: pd.DataFrame,
    name: str,
    x: str,
    order: Sequence[str],
    arms: Sequence[str],
    palette: Mapping[str, str],
    level: float,
) -> None:
    """One panel: the mean and CI of ``name`` at each level of ``x``, one line per arm."""
    d = d.dropna(subset=[name]).assign(**{x: lambda f: pd.Categorical(f[x].astype(str), categories=list(order))})
    sns.pointplot(
        data=d,
        x=x,
        y=name,
        hue="arm",
        order=list(order),
        hue_order=list(arms),
        palette=dict(palette),
        errorbar=lambda v: t_interval(v, level),
        dodge=0.15,
        capsize=0.08,
        markers=[MARKERS[i % len(MARKERS)] for i in range(len(arms) - 1)] + ["s"],
        linestyles=["-"] * (len(arms) - 1) + ["--"],
        ax=ax,
    )


def outcome_figure(
    data: pd.DataFrame,
    outcome: Mapping,
    design: Design,
    *,
    synthetic: bool = False,
    assumed: Sequence[str] = (),
    level: float = 0.95,
) -> plt.Figure:
    """Mean and t-based CI of an outcome at each visit, one panel per stratum, one line per arm.

    The design's factor names (the trial's own names of ``stratum``, ``arm`` and ``time``) label
    the axes and the legend.

    Parameters
    ----------
    data : DataFrame
        Canonical long table (``arm``, ``time``, optional ``stratum``, the outcome column).
    outcome : mapping
        Outcome definition (``name``, ``label``, ``min``, ``max``).
    design : Design
        Visit order for the x axis; the arms (treatment arms drawn first); one panel per stratum, a
        single panel when there are none.
    synthetic : bool
        Adds a banner saying the data are reconstructed from published summaries.
    assumed : sequence of str
        Human-readable list of cells whose values rest on an assumption, printed under the plot.
    level : float
        Confidence level of the intervals.

    Returns
    -------
    matplotlib.figure.Figure
    """
    name = outcome["name"]
    names = dict(design.factor_names)
    arms = [*design.treatments, design.control]  # treatment arms drawn first, control last
    x, order, panels, shape = _layout(design)
    with plt.rc_context(STYLE), sns.axes_style("whitegrid"):
        fig, axes = plt.subplots(*shape, figsize=(4.2 * shape[1] + 0.6, 4.4 * shape[0]), sharey=True, squeeze=False)
        # Okabe-Ito colours (safe for colour-blind readers); control always vermilion
        palette = dict(zip(design.treatments, TREATMENT_COLOURS * len(arms), strict=False)) | {
            design.control: "#D55E00"
        }
        for ax, (s, c) in zip(axes.flat, panels, strict=True):
            d = data if s is None else data[data["stratum"] == s]
            d = d if c is None else d[d[c[0]].astype(str) == c[1]]
            _panel(ax, d, name, x, order, arms, palette, level)
            where = [f"{names['stratum']}: {s}" if "stratum" in names else str(s)] if s is not None else []
            ax.set_title(", ".join(where + ([f"{c[0]}: {c[1]}"] if c else [])), fontsize=11)
            ax.set_xlabel(x if design.within else names.get("time", "visit"))
            ax.set_ylabel(outcome.get("label", name))
            if ax is not axes[0][0] and ax.get_legend():
                ax.get_legend().remove()
        axes[0][0].legend(title=names.get("arm", "arm"), frameon=False)
        title = f"{outcome.get('label', name)}: mean and {int(level * 100)} % CI"
        if synthetic:
            title += "\nRECONSTRUCTED DATA (synthetic, from published summary statistics)"
        fig.suptitle(title, fontsize=11, color="#8B0000" if synthetic else "black")
        if assumed:
            fig.text(
                0.01,
                0.01,
                "Assumed, not published: " + "; ".join(assumed),
                fontsize=8,
                color="#8B0000",
                ha="left",
                va="bottom",
                wrap=True,
            )
        fig.tight_layout(rect=(0, 0.05 if assumed else 0, 1, 1))
    return fig
