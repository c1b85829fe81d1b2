"""A trial's printed cells as targets: each group x visit's mean, SD and n, as printed or assumed.

Printed cells are taken as printed; a cell the paper did not print (``not_available``) is filled
only from an explicit entry of the config's ``reconstruction.assumptions`` and marked ``assumed``.
The reconstruction draws patients to these targets (:mod:`hiplbp.reconstruction.patients`); the
audit, the sensitivity analysis and the band read the same cells (:func:`published_cells`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .published import NOT_AVAILABLE, decimals


def _printed_spread(row: Any) -> tuple[str, float, int] | None:
    """What a cell printed instead of an SD: ``("se", value, decimals)`` or ``("ci", half-width,
    decimals)``; None when it printed the SD itself."""
    source = str(getattr(row, "sd_source", "sd") or "sd")
    if source == "se":
        text = str(row.se)
        return ("se", float(text), decimals(text) or 0)
    if source == "ci":
        lo, hi = str(row.ci_low), str(row.ci_high)
        return ("ci", (float(hi) - float(lo)) / 2, max(decimals(lo) or 0, decimals(hi) or 0))
    return None


def _cell_n(row: object) -> float:
    """A summary row's own printed n, NaN where the table prints none."""
    text = str(getattr(row, "n", "") or "")
    return float(text) if text.isdigit() else np.nan


def target_cells(summary: pd.DataFrame, assumptions: Sequence[Mapping], outcome: str) -> pd.DataFrame:
    """Resolve the target mean and SD of every group x visit cell of one outcome.

    Printed cells are taken as printed; each ``not_available`` cell must have an entry in
    ``assumptions`` (keys ``outcome, time, group, from_time, mean_shift, sd_scale``): its target is
    the mean of ``from_time`` plus ``mean_shift`` and the SD of ``from_time`` times ``sd_scale``.

    Returns
    -------
    DataFrame
        ``group, time, n, mean, sd, mean_decimals, sd_decimals, basis, note`` with ``basis`` either
        ``published`` or ``assumed`` and ``n`` the cell's own printed n (NaN where not printed).
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
            rows.append(
                dict(
                    group=r.group,
                    time=r.time,
                    n=_cell_n(r),
                    mean=r.mean_value,
                    sd=r.sd_value,
                    mean_decimals=decimals(r.mean),
                    # an SD derived from a printed SE or CI keeps that number's precision
                    sd_decimals=int(r.sd_decimals) if pd.notna(r.sd_decimals) else None,
                    basis="published",
                    note="",
                    printed_spread=_printed_spread(r),
                )
            )
            continue
        hits = [a for a in assumptions if a["outcome"] == outcome and a["time"] == r.time and a["group"] == r.group]
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
        rows.append(
            dict(
                group=r.group,
                time=r.time,
                n=_cell_n(r),
                mean=src.mean_value + shift,
                sd=src.sd_value * scale,
                mean_decimals=decimals(src["mean"]),
                sd_decimals=int(src["sd_decimals"]) if pd.notna(src["sd_decimals"]) else None,
                basis="assumed",
                note=(
                    f"ASSUMPTION (not printed in the paper): {a['from_time']} mean {shift:+g}, "
                    f"SD x {scale:g}, from config reconstruction.assumptions"
                ),
            )
        )
    return pd.DataFrame(rows)


def published_cells(
    groups: pd.DataFrame,
    summary: pd.DataFrame,
    outcome: str,
    time_levels: Sequence[str],
    arms: Mapping[str, str],
    arm_from: str,
    assumptions: Sequence[Mapping],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The published groups as cell summaries, unprinted cells filled from assumptions.

    Returns
    -------
    cells : DataFrame
        ``group, stratum, arm, n, mean_<visit>, sd_<visit>, n_<visit>`` (stratum and arm labels
        as the reconstructed data use them; ``n`` the group's, ``n_<visit>`` the cell's own where
        the table prints it, else the group's).
    assumed : DataFrame
        ``cell`` (row of ``cells``), ``group`` and ``time`` of every assumed cell.
    """
    targets = target_cells(summary, assumptions, outcome)
    rows, assumed = [], []
    for i, g in enumerate(groups.itertuples(index=False)):
        arm = arms[g.arm_by_marker if arm_from == "marker" else g.arm_by_label]
        row = dict(group=g.group, stratum=g.stratum_label, arm=arm, n=int(g.n))
        t = targets[targets.group == g.group].set_index("time")
        for v in time_levels:
            row[f"mean_{v}"], row[f"sd_{v}"] = t.loc[v, "mean"], t.loc[v, "sd"]
            row[f"n_{v}"] = int(t.loc[v, "n"]) if pd.notna(t.loc[v, "n"]) else int(g.n)
            if t.loc[v, "basis"] == "assumed":
                assumed.append(dict(cell=i, group=g.group, time=v))
        rows.append(row)
    return pd.DataFrame(rows), pd.DataFrame(assumed, columns=["cell", "group", "time"])
