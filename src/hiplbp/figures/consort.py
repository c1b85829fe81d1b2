"""A CONSORT-style flow diagram, from a trial's printed flow counts or from a data set's own counts.

Enrolled -> strata (if any) -> groups as allocated -> analysed at each visit. Counts a paper does
not report stay "not reported" (in red) instead of being invented, and losses that the counts
imply but no reason explains are drawn as unexplained.

A flow is one table, one row per group: ``stratum, group, arm, n_randomised`` (NaN when not
reported), ``n_analysed`` (at the last visit) and ``by_visit`` (the analysed n at each visit, as
text), plus the enrolled counts (overall and per stratum, NaN when not reported). Build it with
:func:`flow_from_trial` or :func:`flow_from_data`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

from .style import STYLE  # noqa: E402

FLOW_COLUMNS = ["stratum", "group", "arm", "n_randomised", "n_analysed", "by_visit"]
_RED = "#8B0000"


@dataclass
class Flow:
    """Counts of a trial's flow (see the module docstring).

    Attributes
    ----------
    groups : DataFrame
        One row per group, :data:`FLOW_COLUMNS`.
    enrolled : float
        Patients enrolled (NaN when not reported).
    strata : dict
        Stratum -> enrolled in it (NaN when not reported); empty without strata.
    source : str
        Where the counts come from (printed in the figure's footnote).
    """

    groups: pd.DataFrame
    enrolled: float = np.nan
    strata: dict[str, float] = field(default_factory=dict)
    source: str = ""

    def lost(self) -> pd.DataFrame:
        """Unexplained losses: per group where its allocation is reported, else per stratum (or overall).

        Returns
        -------
        DataFrame
            ``level`` (``group``, ``stratum`` or ``all``), ``name``, ``n_lost`` (NaN when the
            counts do not say).
        """
        rows = []
        g = self.groups
        known = g["n_randomised"].notna()
        for r in g[known].itertuples():
            rows.append(dict(level="group", name=r.group, n_lost=float(r.n_randomised - r.n_analysed)))
        rest = g[~known]
        if self.strata:
            for s, n in self.strata.items():
                part = rest[rest["stratum"] == s]
                if len(part):
                    rows.append(dict(level="stratum", name=s, n_lost=float(n - part["n_analysed"].sum())))
        elif len(rest):
            rows.append(dict(level="all", name="", n_lost=float(self.enrolled - rest["n_analysed"].sum())))
        return pd.DataFrame(rows, columns=["level", "name", "n_lost"])


def flow_from_trial(groups: pd.DataFrame, flow: pd.DataFrame, arm_from: str) -> Flow:
    """The flow a trial's tables print: ``groups`` (:func:`hiplbp.trial.published.read_groups`) and
    ``flow.csv`` (format 1, ``stage, stratum, group, time, n``).

    Randomised and analysed counts come from ``flow.csv`` where it has them, else from the
    groups table (``n_analysed``); "not_available" stays missing.

    Examples
    --------
    >>> g = pd.DataFrame({"group": ["A", "B"], "stratum": ["", ""], "n": [10, 9],
    ...                   "arm_by_marker": ["treatment", "control"], "printed_n_randomised": ["11", "not_available"]})
    >>> f = pd.DataFrame({"stage": ["enrolled"], "stratum": [""], "group": [""], "time": [""], "n": ["25"]})
    >>> fl = flow_from_trial(g, f, arm_from="marker")
    >>> fl.enrolled, fl.groups["n_randomised"].tolist(), fl.lost()["n_lost"].tolist()
    (25.0, [11.0, nan], [1.0, 16.0])
    """
    # the format's optional columns may be absent
    f = flow.reindex(columns=["stage", "stratum", "group", "time", "n"]).fillna("")

    def count(stage: str, stratum: str = "", group: str = "", time: str | None = "") -> float:
        hit = f[(f["stage"] == stage) & (f["stratum"] == stratum) & (f["group"] == group)]
        if time is not None:
            hit = hit[hit["time"] == time]
        return float(hit["n"].iloc[0]) if len(hit) and str(hit["n"].iloc[0]).isdigit() else np.nan

    rows = []
    for g in groups.itertuples(index=False):
        r = g._asdict()
        randomised = count("randomised", group=r["group"])
        if np.isnan(randomised):
            printed = str(r.get("printed_n_randomised", ""))
            randomised = float(printed) if printed.isdigit() else np.nan
        visits = f[(f["stage"] == "analysed") & (f["group"] == r["group"]) & (f["time"] != "")]
        by_visit = [int(n) for n in visits["n"] if str(n).isdigit()]
        analysed = float(by_visit[-1]) if by_visit else float(r["n"])
        arm = r["arm_by_marker"] if arm_from == "marker" else r.get("arm_by_label", r["arm_by_marker"])
        rows.append(
            dict(
                stratum=r["stratum"] or "",
                group=r["group"],
                arm=arm,
                n_randomised=randomised,
                n_analysed=analysed,
                by_visit=" / ".join(map(str, by_visit)),
            )
        )
    table = pd.DataFrame(rows, columns=FLOW_COLUMNS)
    strata = {s: count("enrolled", stratum=s, time=None) for s in dict.fromkeys(table["stratum"]) if s}
    enrolled = count("enrolled", time=None)
    if np.isnan(enrolled) and strata and not any(np.isnan(v) for v in strata.values()):
        enrolled = float(sum(strata.values()))
    return Flow(table, enrolled, strata, source="the paper's printed counts")


def flow_from_data(
    data: pd.DataFrame,
    outcomes: Sequence[str],
    time_levels: Sequence[str],
    arms: Mapping[str, str],
    strata: Sequence[str],
    declared: Mapping | None = None,
    allocated: pd.DataFrame | None = None,
) -> Flow:
    """The flow of a data set: who is in it (allocated) and who has an outcome at each visit.

    Parameters
    ----------
    data : DataFrame
        Canonical long table (``subject``, ``arm``, optional ``stratum``, ``time``, outcomes).
    outcomes, time_levels : sequence of str
        A subject is analysed at a visit when any outcome is observed there.
    arms : mapping
        Each arm's key in the flow table's ``arm`` column to its label
        (:attr:`~hiplbp.trial.design.Design.arm_roles`: ``{"treatment": label, "control": label}``
        for two arms).
    strata : sequence of str
        Stratum labels (empty for a one-factor design).
    declared : mapping, optional
        Counts the data cannot know, from config (``enrolled``; ``randomised``: group -> n, the
        group named ``<arm>`` or ``<stratum> <arm>``). They override the data's own.
    allocated : DataFrame, optional
        The data as read, before cleaning (who was allocated); default ``data``.

    Examples
    --------
    >>> d = pd.DataFrame({"subject": [1, 1, 2, 2], "arm": ["a", "a", "b", "b"], "time": ["t0", "t1"] * 2,
    ...                   "y": [1.0, 2.0, 3.0, np.nan]})
    >>> fl = flow_from_data(d, ["y"], ["t0", "t1"], {"treatment": "a", "control": "b"}, [])
    >>> fl.groups[["group", "n_randomised", "by_visit"]].to_dict("list")
    {'group': ['a', 'b'], 'n_randomised': [1.0, 1.0], 'by_visit': ['1 / 1', '1 / 0']}
    """
    declared = dict(declared or {})
    randomised = {str(k): float(v) for k, v in dict(declared.get("randomised") or {}).items()}
    observed = data.assign(_seen=data[list(outcomes)].notna().any(axis=1))
    everyone = data if allocated is None else allocated

    def members(table: pd.DataFrame, s: str, label: str) -> pd.DataFrame:
        sub = table[table["arm"].astype(str) == str(label)]
        return sub[sub["stratum"].astype(str) == str(s)] if s else sub

    rows = []
    for s in list(strata) or [""]:
        for key, label in arms.items():
            sub = members(everyone, s, label)
            name = f"{s} {label}" if s else str(label)
            seen = members(observed, s, label)
            seen = seen[seen["_seen"]]
            by_visit = [int(seen.loc[seen["time"].astype(str) == str(t), "subject"].nunique()) for t in time_levels]
            rows.append(
                dict(
                    stratum=s,
                    group=name,
                    arm=key,
                    n_randomised=randomised.get(name, float(sub["subject"].nunique())),
                    n_analysed=float(by_visit[-1]),
                    by_visit=" / ".join(map(str, by_visit)),
                )
            )
    table = pd.DataFrame(rows, columns=FLOW_COLUMNS)
    enrolled = float(declared["enrolled"]) if "enrolled" in declared else float(table["n_randomised"].sum())
    by_stratum = {s: float(table.loc[table["stratum"] == s, "n_randomised"].sum()) for s in strata}
    return Flow(table, enrolled, by_stratum, source="the data set's own counts")


def _per_visit(by_visit: str | None, per_line: int = 5) -> str:
    r"""The analysed counts of each visit (``"8 / 8 / 7"``) as the box prints them: nothing for one
    visit, "at every visit" when they are all equal, else a line of at most ``per_line`` counts.

    Examples
    --------
    >>> _per_visit("2 / 2 / 2"), _per_visit("8 / 7"), _per_visit("9")
    ('\nat every visit', '\nper visit: 8 / 7', '')
    >>> print(_per_visit("1 / 2 / 3 / 4 / 5 / 6 / 7"))
    <BLANKLINE>
    per visit: 1 / 2 / 3 / 4 / 5
    6 / 7
    """
    counts = [c.strip() for c in str(by_visit or "").split("/") if c.strip()]
    if len(counts) < 2:
        return ""
    if len(set(counts)) == 1:
        return "\nat every visit"
    lines = [" / ".join(counts[i : i + per_line]) for i in range(0, len(counts), per_line)]
    return "\nper visit: " + "\n".join(lines)


def _box(
    ax: Axes, x: float, y: float, text: str, color: str = "black", width: float = 0.2, height: float = 0.09
) -> None:
    ax.add_patch(plt.Rectangle((x - width / 2, y - height / 2), width, height, fill=False, lw=1.2, ec=color))
    ax.text(x, y, text, ha="center", va="center", fontsize=8, color=color, wrap=True)


def _arrow(ax: Axes, x0: float, y0: float, x1: float, y1: float) -> None:
    ax.annotate("", xy=(x1, y1), xytext=(x0, y0), arrowprops=dict(arrowstyle="->", lw=1))


def _n(x: float) -> str:
    return "not reported" if np.isnan(x) else f"{int(x)}"


def consort_note(groups: pd.DataFrame, arm_from: str) -> str:
    """The figure's footnote on how arms were assigned, from the trial's groups (no fixed words).

    Examples
    --------
    >>> g = pd.DataFrame({"group": ["A", "B"], "arm_by_marker": ["treatment", "control"],
    ...                   "arm_by_label": ["control", "control"], "printed_marker": ["*", ""]})
    >>> consort_note(g, arm_from="marker")
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
    flow: Flow,
    arm_text: Mapping[str, str],
    *,
    population: str = "",
    strata_randomized: bool = False,
    visits: Sequence[str] = (),
    note: str = "",
) -> plt.Figure:
    """Draw the flow: enrolled, the strata, each group as allocated, analysed (per visit), losses.

    ``arm_text`` names each arm (``treatment``/``control``) in the trial's words; ``population``
    is printed in the enrolment box; ``visits`` name the per-visit counts; ``note`` goes under
    the figure with the source of the counts.
    """
    g = flow.groups
    k = len(g)
    lost = flow.lost()
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(max(9.0, 2.3 * k), 6.2))
        ax.set_axis_off()
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        xs = [(i + 0.5) / k for i in range(k)]
        width = min(0.9 / k, 0.3)
        _box(ax, 0.5, 0.93, f"Enrolled{': ' + population if population else ''}\nn = {_n(flow.enrolled)}", width=0.34)
        top = _strata_boxes(ax, flow, lost, xs, width, strata_randomized) if flow.strata else {}
        for x, r in zip(xs, g.itertuples(), strict=True):
            _group_boxes(ax, r, lost, x, top.get(x, (0.5, 0.885)), width, arm_text)
        ax.text(
            0.5,
            0.06,
            textwrap.fill(f"{_summary(flow, lost, visits)} {note}".strip(), 150),
            ha="center",
            fontsize=8,
            wrap=True,
        )
        fig.tight_layout()
    return fig


def _strata_boxes(
    ax: Axes, flow: Flow, lost: pd.DataFrame, xs: list[float], width: float, strata_randomized: bool
) -> dict[float, tuple[float, float]]:
    """A box per stratum under the enrolment box; where each group's arrow starts."""
    g, top = flow.groups, {}
    how = "" if strata_randomized else "\n(classified, not randomized)"
    for s, n in flow.strata.items():
        members = [x for x, st in zip(xs, g["stratum"], strict=True) if st == s]
        xc = float(np.mean(members))
        _arrow(ax, 0.5, 0.885, xc, 0.805)
        stratum_lost = lost[(lost["level"] == "stratum") & (lost["name"] == s)]
        extra = ""
        if len(stratum_lost) and not np.isnan(stratum_lost["n_lost"].iloc[0]):
            extra = f"\nnot analysed: {int(stratum_lost['n_lost'].iloc[0])}"
        color = _RED if extra and int(stratum_lost["n_lost"].iloc[0]) else "black"
        _box(
            ax,
            xc,
            0.76,
            f"{s}{how}\nn = {_n(n)}{extra}",
            color=color,
            width=min(0.3, width * len(members)),
            height=0.12,
        )
        for x in members:
            top[x] = (xc, 0.70)
    return top


def _group_boxes(
    ax: Axes,
    r: Any,
    lost: pd.DataFrame,
    x: float,
    start: tuple[float, float],
    width: float,
    arm_text: Mapping[str, str],
) -> None:
    """A group's allocation box and its analysed box, with the arrows into them."""
    _arrow(ax, start[0], start[1], x, 0.625)
    arm = textwrap.fill(arm_text.get(r.arm, str(r.arm)), 24)
    allocated = _n(r.n_randomised)
    _box(
        ax,
        x,
        0.56,
        f"Allocated: {r.group}\n{arm}\nn = {allocated}",
        color=_RED if allocated == "not reported" else "black",
        width=width * 0.92,
        height=0.13,
    )
    _arrow(ax, x, 0.495, x, 0.355)
    per_visit = _per_visit(r.by_visit)
    group_lost = lost[(lost["level"] == "group") & (lost["name"] == r.group)]
    lost_text, color = "", "black"
    if len(group_lost) and not np.isnan(group_lost["n_lost"].iloc[0]):
        n_lost = int(group_lost["n_lost"].iloc[0])
        lost_text = f"\nnot analysed: {n_lost}" if n_lost else "\nnone lost"
        color = _RED if n_lost else "black"
    _box(
        ax,
        x,
        0.29,
        f"Analysed\nn = {int(r.n_analysed)}{per_visit}{lost_text}",
        color=color,
        width=width * 0.92,
        height=0.13,
    )


def _summary(flow: Flow, lost: pd.DataFrame, visits: Sequence[str]) -> str:
    """The line under the figure: who was analysed, losses, where the counts come from."""
    g = flow.groups
    analysed = int(g["n_analysed"].sum())
    total_lost = lost["n_lost"].sum(min_count=1)
    summary = f"Analysed {analysed} at the last visit; counts from {flow.source}."
    if not np.isnan(total_lost) and total_lost:
        summary += f" {int(total_lost)} not analysed; the counts give no reasons."
    if visits and (g["by_visit"].str.contains("/")).any():
        summary += f" Visits: {', '.join(visits)}."
    return summary
