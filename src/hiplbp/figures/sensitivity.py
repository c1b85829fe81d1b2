"""The sensitivity figure: p against the correlation between visits, and where a conclusion flips."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

from .style import LINE_STYLES, MARKERS, OKABE_ITO, STYLE


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
        Source -> label in the trial's own factor names (:meth:`hiplbp.trial.design.Design.effect_label`).
    """
    labels = dict(labels or {})
    grid = table[table["scenario"] == "grid"]
    base = grid[(grid["shift_treatment"] == 0) & (grid["shift_control"] == 0)]
    shifted = grid["shift_treatment"].nunique() > 1
    if grid.empty:
        return _not_computed(table)
    with plt.rc_context(STYLE), sns.axes_style("whitegrid"):
        fig, axes = plt.subplots(1, 2 if shifted else 1, figsize=(11 if shifted else 5.8, 4.6), squeeze=False)
        _p_panel(axes[0][0], base, sources, alpha, labels)
        if shifted:
            _shift_panel(fig, axes[0][1], grid, list(sources)[-1], alpha, labels)
        if synthetic:
            fig.suptitle(
                "From the published summary statistics and the configured assumptions", fontsize=10, color="#8B0000"
            )
        fig.tight_layout()
    return fig


def _not_computed(table: pd.DataFrame) -> plt.Figure:
    """A figure that says why there is no sensitivity analysis (the table's note)."""
    notes = table["note"].dropna().astype(str) if "note" in table else pd.Series(dtype=str)
    with plt.rc_context(STYLE):
        fig = plt.figure(figsize=(5.8, 1.6))
        text = textwrap.fill(notes.iloc[0] if len(notes) else "not computed", 80)
        fig.text(0.5, 0.5, text, ha="center", va="center", fontsize=9)
    return fig


def _p_panel(ax: Axes, base: pd.DataFrame, sources: Sequence[str], alpha: float, labels: Mapping[str, str]) -> None:
    """p of each within-subject source against the correlation, at the configured assumptions."""
    within = [s for s in base["source"].unique() if s.endswith("time")]
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


def _shift_panel(
    fig: plt.Figure, ax2: Axes, grid: pd.DataFrame, key: str, alpha: float, labels: Mapping[str, str]
) -> None:
    """For each pair of shifts of the assumed cells, the smallest correlation at which ``key`` is significant."""
    g = grid[grid["source"] == key]
    sig = g[g["significant_gg"].astype(bool)]
    need = sig.groupby(["shift_control", "shift_treatment"])["correlation"].min()
    piv = need.reindex(
        pd.MultiIndex.from_product([sorted(g["shift_control"].unique()), sorted(g["shift_treatment"].unique())])
    ).unstack()
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
        f"{labels.get(key, key)}: smallest correlation giving p < {alpha}\n(x = configured assumption; grey = never)",
        fontsize=10,
    )
    fig.colorbar(im, ax=ax2, label="correlation")
    ax2.grid(False)
