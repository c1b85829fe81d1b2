"""A CONSORT-style flow diagram built from the published counts.

Enrolled -> strata (classification, not randomized) -> arms -> analysed. The paper reports how
many were enrolled per stratum and how many were analysed per group, but not how many were
allocated to each arm nor why patients were lost; the diagram shows the unexplained losses in red
instead of inventing the missing boxes.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

from .figures import STYLE  # noqa: E402


def flow_counts(groups: pd.DataFrame, enrollment: pd.DataFrame) -> pd.DataFrame:
    """Counts per stratum: enrolled, analysed per group, and unexplained losses.

    Returns
    -------
    DataFrame
        ``stratum, n_enrolled, group, arm, n_analysed, lost_unexplained`` (one row per group;
        ``lost_unexplained`` is the stratum's enrolled minus analysed, repeated on its rows).
    """
    g = groups[["group", "stratum", "n", "arm_by_marker"]].rename(columns={"n": "n_analysed", "arm_by_marker": "arm"})
    e = enrollment.assign(n_enrolled=enrollment["n_enrolled"].astype(int))[["stratum", "n_enrolled"]]
    out = g.merge(e, on="stratum", how="left")
    out["lost_unexplained"] = out["n_enrolled"] - out.groupby("stratum")["n_analysed"].transform("sum")
    return out[["stratum", "n_enrolled", "group", "arm", "n_analysed", "lost_unexplained"]]


def _box(
    ax: Axes, x: float, y: float, text: str, color: str = "black", width: float = 0.2, height: float = 0.09
) -> None:
    ax.add_patch(plt.Rectangle((x - width / 2, y - height / 2), width, height, fill=False, lw=1.2, ec=color))
    ax.text(x, y, text, ha="center", va="center", fontsize=8, color=color, wrap=True)


def _arrow(ax: Axes, x0: float, y0: float, x1: float, y1: float) -> None:
    ax.annotate("", xy=(x1, y1), xytext=(x0, y0), arrowprops=dict(arrowstyle="->", lw=1))


def consort_note(groups: pd.DataFrame, arm_from: str = "marker") -> str:
    """The figure's footnote on how arms were assigned, from the trial's groups (no fixed words).

    Examples
    --------
    >>> g = pd.DataFrame({"group": ["A", "B"], "arm_by_marker": ["treatment", "control"],
    ...                   "arm_by_label": ["control", "control"], "printed_marker": ["*", ""]})
    >>> consort_note(g)
    "Arms follow the tables' footnote markers; the printed label of A says otherwise."
    """
    conflict = groups[groups["arm_by_marker"] != groups["arm_by_label"]]["group"].tolist()
    if not conflict or groups["arm_by_label"].isna().all():
        return ""
    basis = "footnote markers" if arm_from == "marker" else "printed labels"
    other = "printed label" if arm_from == "marker" else "footnote marker"
    if len(conflict) == 1:
        return f"Arms follow the tables' {basis}; the {other} of {conflict[0]} says otherwise."
    names = ", ".join(conflict[:-1]) + f" and {conflict[-1]}"
    return f"Arms follow the tables' {basis}; the {other}s of {names} say otherwise."


def consort_figure(
    counts: pd.DataFrame,
    arm_text: Mapping[str, str],
    *,
    population: str = "",
    strata_randomized: bool = False,
    note: str = "",
) -> plt.Figure:
    """Draw the flow: enrolled, the strata, the allocation (not reported), the analysed groups.

    ``arm_text`` names each arm in the trial's words (config ``trial.arms``); ``population`` is
    printed in the enrolment box; ``note`` (e.g. :func:`consort_note`) under the figure.
    """
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(9, 6.2))
        ax.set_axis_off()
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        total = int(counts.drop_duplicates("stratum")["n_enrolled"].sum())
        _box(ax, 0.5, 0.93, f"Enrolled{': ' + population if population else ''}\nn = {total}", width=0.3)
        strata = list(dict.fromkeys(counts["stratum"]))
        for i, s in enumerate(strata):
            c = counts[counts["stratum"] == s]
            xs = 0.2 + 0.6 * i
            inner = 1 if i == 0 else -1  # the side facing the middle of the figure
            _arrow(ax, 0.5, 0.885, xs, 0.805)
            how = "" if strata_randomized else "\n(classified, not randomized)"
            _box(ax, xs, 0.76, f"{s}{how}\nn = {int(c['n_enrolled'].iloc[0])}", width=0.3)
            _arrow(ax, xs, 0.715, xs, 0.635)
            _box(ax, xs, 0.59, "Allocated to arms:\nnumbers not reported", color="#8B0000", width=0.3)
            lost = int(c["lost_unexplained"].iloc[0])
            xl = 0.5 - inner * 0.075
            _arrow(ax, xs + inner * 0.15, 0.57, xl, 0.485)
            _box(
                ax,
                xl,
                0.44,
                f"Lost or excluded:\n{lost}, reasons\nnot reported",
                color="#8B0000" if lost else "black",
                width=0.14,
                height=0.09,
            )
            for j, r in enumerate(c.itertuples()):
                xg = xs - 0.1 + 0.2 * j
                _arrow(ax, xs, 0.545, xg, 0.255)
                arm = textwrap.fill(arm_text[r.arm], 22)
                _box(ax, xg, 0.19, f"Analysed: {r.group}\n{arm}\nn = {r.n_analysed}", width=0.18, height=0.13)
        analysed = int(counts["n_analysed"].sum())
        ax.text(
            0.5,
            0.04,
            f"Analysed {analysed} of {total} enrolled; {total - analysed} unaccounted for. {note}".strip(),
            ha="center",
            fontsize=8,
            wrap=True,
        )
        fig.tight_layout()
    return fig
