"""Deterministic figures: mean and 95 % t-interval over visits per stratum x arm.

Figures carry no timestamp (``svg.hashsalt`` fixed, no ``Date`` metadata) so that two runs give
identical bytes, and they say on their face when the data are synthetic or partly assumed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.typing import RcKeyType  # noqa: E402

from .describe import t_interval  # noqa: E402

STYLE: dict[RcKeyType, Any] = {
    "svg.hashsalt": "hiplbp",
    # Text stays text in the SVG, so the synthetic-data banner is searchable and accessible.
    "svg.fonttype": "none",
    # labels come from config and data: a "$" is a dollar sign, never the start of mathtext
    "text.parse_math": False,
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "font.family": "DejaVu Sans",
    "axes.spines.top": False,
    "axes.spines.right": False,
}
METADATA = {"svg": {"Date": None, "Creator": "hiplbp"}, "png": {"Software": "hiplbp"}}


def outcome_figure(
    data: pd.DataFrame,
    outcome: Mapping,
    *,
    time_levels: Sequence[str],
    arms: Mapping[str, str],
    strata: Sequence[str] = (),
    synthetic: bool = False,
    assumed: Sequence[str] = (),
    level: float = 0.95,
    names: Mapping[str, str] | None = None,
) -> plt.Figure:
    """Mean and t-based CI of an outcome at each visit, one panel per stratum, one line per arm.

    ``names`` are the trial's own names of the factors (``stratum``, ``arm``, ``time``), used in
    the axis and legend labels.

    Parameters
    ----------
    data : DataFrame
        Canonical long table (``arm``, ``time``, optional ``stratum``, the outcome column).
    outcome : mapping
        Outcome definition (``name``, ``label``, ``min``, ``max``).
    time_levels : sequence of str
        Visit order for the x axis.
    arms : mapping
        ``{"treatment": label, "control": label}``; treatment is drawn first.
    strata : sequence of str
        One panel per stratum; a single panel when empty.
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
    names = dict(names or {})
    panels = list(strata) if strata else [None]
    with plt.rc_context(STYLE), sns.axes_style("whitegrid"):
        fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels) + 0.6, 4.4), sharey=True, squeeze=False)
        palette = {arms["treatment"]: "#0072B2", arms["control"]: "#D55E00"}
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
                hue_order=[arms["treatment"], arms["control"]],
                palette=palette,
                errorbar=lambda v: t_interval(v, level),
                dodge=0.15,
                capsize=0.08,
                markers=["o", "s"],
                linestyles=["-", "--"],
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


def save(fig: plt.Figure, *paths: str | Path) -> None:
    """Save a figure to each path without timestamps (format from the file suffix) and close it."""
    with plt.rc_context(STYLE):
        for path in map(Path, paths):
            fmt = path.suffix.lstrip(".").lower()
            fig.savefig(path, format=fmt, metadata=METADATA.get(fmt))
    plt.close(fig)


#: Okabe & Ito's colour-blind-safe palette, paired with line styles and markers so that the series
#: also differ in greyscale and to every kind of colour vision.
OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
LINE_STYLES = ["-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (1, 1)), (0, (3, 1, 1, 1, 1, 1))]
MARKERS = ["o", "s", "^", "D", "v", "P", "X"]


def cell_edges(centres: Sequence[float]) -> tuple[float, float]:
    """Outer edges of a row of heat-map cells centred on ``centres`` (any evenly spaced grid).

    Examples
    --------
    >>> cell_edges([-20, -10, 0, 10, 20]), cell_edges([0.0, 0.5]), cell_edges([5.0])
    ((-25.0, 25.0), (-0.25, 0.75), (4.5, 5.5))
    """
    c = sorted(float(x) for x in centres)
    half = (c[1] - c[0]) / 2 if len(c) > 1 else 0.5
    return c[0] - half, c[-1] + half


def sensitivity_figure(
    table: pd.DataFrame,
    *,
    alpha: float,
    sources: Sequence[str] = ("arm:time", "stratum:arm:time"),
    synthetic: bool = False,
    labels: Mapping[str, str] | None = None,
) -> plt.Figure:
    """How the within-subject tests depend on the unreported correlation and the assumed cells.

    Left: Greenhouse-Geisser p of each within-subject source against the correlation, at the
    configured assumptions (shift 0). Right (only when assumed cells were shifted): for each
    pair of shifts of the assumed cells, the smallest correlation of the grid at which the last
    of ``sources`` is significant; grey where it is significant at none.

    Parameters
    ----------
    table : DataFrame
        ``sensitivity_<outcome>.csv``.
    alpha : float
        Significance level (dashed line).
    sources : sequence of str
        Sources of interest; the last one is mapped on the right panel.
    synthetic : bool
        Adds a banner saying the underlying numbers come from published summaries.
    labels : mapping, optional
        Source -> label in the trial's own factor names (:meth:`hiplbp.ingest.Design.effect_label`).
    """
    labels = dict(labels or {})
    grid = table[table["scenario"] == "grid"]
    base = grid[(grid["shift_treatment"] == 0) & (grid["shift_control"] == 0)]
    within = [s for s in base["source"].unique() if s.endswith("time")]
    shifted = grid["shift_treatment"].nunique() > 1
    with plt.rc_context(STYLE), sns.axes_style("whitegrid"):
        fig, axes = plt.subplots(1, 2 if shifted else 1, figsize=(11 if shifted else 5.8, 4.6), squeeze=False)
        ax = axes[0][0]
        for k, s in enumerate(within):
            d = base[base["source"] == s].sort_values("correlation")
            ax.plot(
                d["correlation"],
                d["p_gg"].clip(lower=1e-12),
                color=OKABE_ITO[k % len(OKABE_ITO)],
                ls=LINE_STYLES[k % len(LINE_STYLES)],
                marker=MARKERS[k % len(MARKERS)],
                ms=4,
                lw=2.2 if s in sources else 1.2,
                label=labels.get(s, s),
            )
        ax.axhline(alpha, ls="--", color="black", lw=1)
        ax.set_yscale("log")
        ax.set_xlabel("assumed correlation between visits")
        ax.set_ylabel("p (Greenhouse-Geisser)")
        ax.set_title("within-subject tests vs correlation", fontsize=10)
        ax.legend(frameon=False, fontsize=8)
        if shifted:
            key = list(sources)[-1]
            g = grid[grid["source"] == key]
            sig = g[g["significant_gg"].astype(bool)]
            need = sig.groupby(["shift_control", "shift_treatment"])["correlation"].min()
            piv = need.reindex(
                pd.MultiIndex.from_product([sorted(g["shift_control"].unique()), sorted(g["shift_treatment"].unique())])
            ).unstack()
            ax2 = axes[0][1]
            im = ax2.imshow(
                piv.to_numpy(float),
                origin="lower",
                aspect="auto",
                cmap="viridis",
                # the cells' edges follow the configured grid, whatever its step
                extent=(*cell_edges(piv.columns), *cell_edges(piv.index)),
                vmin=0,
                vmax=1,
            )
            ax2.set_facecolor("#BBBBBB")
            ax2.plot([0], [0], marker="x", color="#D55E00", ms=10, mew=2)
            ax2.set_xlabel("shift of assumed treatment-arm cells")
            ax2.set_ylabel("shift of assumed control-arm cells")
            ax2.set_title(
                f"{labels.get(key, key)}: smallest correlation giving p < {alpha}\n"
                "(x = configured assumption; grey = never)",
                fontsize=10,
            )
            fig.colorbar(im, ax=ax2, label="correlation")
            ax2.grid(False)
        if synthetic:
            fig.suptitle(
                "From the published summary statistics and the configured assumptions", fontsize=10, color="#8B0000"
            )
        fig.tight_layout()
    return fig


def carlisle_figure(p_values: Sequence[float], *, title: str = "") -> plt.Figure:
    """Carlisle's figure: the cumulative distribution of per-trial baseline p values against the uniform.

    Under true randomization the combined baseline p of each trial is uniform, so its empirical
    distribution follows the diagonal; a bulge near 0 is trials whose arms differ more than chance
    allows, near 1 trials more alike than chance allows (Carlisle, Anaesthesia 2017).
    """
    p = sorted(float(x) for x in p_values if x == x)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(5.5, 5))
        ax.plot([0, 1], [0, 1], color="#999999", linestyle="--", label="uniform (true randomization)")
        if p:
            y = [(i + 1) / len(p) for i in range(len(p))]
            ax.step([0.0, *p, 1.0], [0.0, *y, 1.0], where="post", color=OKABE_ITO[0], label=f"{len(p)} trials")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("combined baseline p (Stouffer over each trial's baseline variables)")
        ax.set_ylabel("share of trials with p at most this")
        ax.set_title(title or "Baseline p values of the screened trials")
        ax.legend(loc="upper left", frameon=False)
        fig.tight_layout()
    return fig
