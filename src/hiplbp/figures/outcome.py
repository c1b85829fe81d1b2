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
    time_levels, strata, names = design.time_levels, design.strata, dict(design.factor_names)
    arms = [*design.treatments, design.control]  # treatment arms drawn first, control last
    panels = list(strata) if strata else [None]
    with plt.rc_context(STYLE), sns.axes_style("whitegrid"):
        fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels) + 0.6, 4.4), sharey=True, squeeze=False)
        # Okabe-Ito colours (safe for colour-blind readers); control always vermilion
        palette = dict(zip(design.treatments, TREATMENT_COLOURS * len(arms), strict=False)) | {
            design.control: "#D55E00"
        }
        for ax, s in zip(axes[0], panels, strict=False):
            d = data if s is None else data[data["stratum"] == s]
            d = d.dropna(subset=[name]).assign(
                time=lambda x: pd.Categorical(x["time"].astype(str), categories=list(time_levels), ordered=True)
            )
            sns.pointplot(
                data=d,
                x="time",
                y=name,
                hue="arm",
                order=list(time_levels),
                hue_order=arms,
                palette=palette,
                errorbar=lambda v: t_interval(v, level),
                dodge=0.15,
                capsize=0.08,
                markers=[MARKERS[i % len(MARKERS)] for i in range(len(arms) - 1)] + ["s"],
                linestyles=["-"] * (len(arms) - 1) + ["--"],
                ax=ax,
            )
            ax.set_title(f"{names['stratum']}: {s}" if s is not None and "stratum" in names else s or "", fontsize=11)
            ax.set_xlabel(names.get("time", "visit"))
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
