"""The band table of one outcome from a trial's printed tables (what the ``band`` rule runs)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..summary.replay import CHANGE_EFFECT, effect_source
from ..trial.cells import published_cells
from ..trial.published import NOT_AVAILABLE, decimals
from ..trial.tables import TrialError
from .adjusted import adjustment_range, standardized_imbalance
from .table import TABLE_COLUMNS, OpenQuantities, PrintedStatistics, TableDesign, band_table


def printed_half(summaries: pd.DataFrame, outcome: str) -> float:
    """Half a unit of the coarsest printed precision among the outcome's means and SDs.

    An SD derived from a printed SE or CI (``sd_source`` not ``sd``) is known to within a whole
    unit of that number's precision (:func:`hiplbp.trial.published._sd_from_se_or_ci`), so it counts as
    twice as coarse.

    Examples
    --------
    >>> s = pd.DataFrame({"outcome": ["y", "y"], "status": ["printed"] * 2, "mean_decimals": [1, 2],
    ...                   "sd_decimals": [1, 1], "sd_source": ["sd", "sd"]})
    >>> printed_half(s, "y")
    0.05
    """
    s = summaries[(summaries["outcome"] == outcome) & (summaries["status"] != NOT_AVAILABLE)]
    halves = [0.5 * 10.0 ** -int(d) for d in s["mean_decimals"].dropna()]
    for d, source in zip(s["sd_decimals"], s["sd_source"], strict=True):
        if pd.notna(d):
            halves.append((0.5 if source == "sd" else 1.0) * 10.0 ** -int(d))
    return max(halves) if halves else 0.5


def printed_change_sds(
    changes: pd.DataFrame | None, outcome: str, cells: pd.DataFrame, baseline: str
) -> dict[tuple[int, str], tuple[float, float]]:
    """The outcome's printed SDs of the change from baseline (``changes.csv``), by cell and visit, with half units."""
    out: dict[tuple[int, str], tuple[float, float]] = {}
    if changes is None or changes.empty:
        return out
    groups = {str(g): i for i, g in enumerate(cells.get("group", pd.Series(dtype=str)))}
    rows = changes.fillna("")
    rows = rows[(rows["outcome"] == outcome) & (rows["status"] != NOT_AVAILABLE) & (rows["start"] == baseline)]
    for r in rows.to_dict("records"):
        if r["group"] in groups and r["sd"]:
            out[(groups[r["group"]], str(r["end"]))] = (float(r["sd"]), 0.5 * 10.0 ** -(decimals(r["sd"]) or 0))
    return out


def printed_statistics(
    tests: pd.DataFrame | None, outcome: str, names: Mapping[str, str], cells: pd.DataFrame, baseline: str
) -> tuple[dict[str, tuple[float, float]], dict[tuple[int, str], tuple[float, float]]]:
    """The outcome's printed Fs (by source) and paired ts (by cell and visit), each with its half unit.

    Fs whose effect names no factors of the design and ts of other than a change from baseline are
    left out: they say nothing about this ANOVA's correlation.
    """
    fs: dict[str, tuple[float, float]] = {}
    ts: dict[tuple[int, str], tuple[float, float]] = {}
    if tests is None or tests.empty:
        return fs, ts
    rows = tests.fillna("")
    rows = rows[(rows["outcome"] == outcome) & (rows["status"] != NOT_AVAILABLE) & (rows["statistic"] != "")]
    groups = {str(g): i for i, g in enumerate(cells.get("group", pd.Series(dtype=str)))}
    for r in rows.to_dict("records"):
        value, half = float(r["statistic"]), 0.5 * 10.0 ** -(decimals(r["statistic"]) or 0)
        if r["test"] == "F":
            source = effect_source(str(r["effect"]), names)
            if source is not None:
                fs[source] = (value, half)
        elif r["test"] == "t":
            m = CHANGE_EFFECT.match(str(r["effect"]))
            if m and m["group"] in groups and m["start"] == baseline:
                ts[(groups[m["group"]], m["end"])] = (value, half)
    return fs, ts


@dataclass(frozen=True)
class PrintedTables:
    """A trial's printed tables as :mod:`hiplbp.trial.published` reads them (the band rule's inputs)."""

    groups: pd.DataFrame
    summaries: pd.DataFrame
    tests: pd.DataFrame | None = None
    characteristics: pd.DataFrame | None = None
    changes: pd.DataFrame | None = None


@dataclass(frozen=True)
class BandSettings:
    """How a run reads a trial's printed tables and what it leaves open (the band rule's arguments).

    Attributes
    ----------
    time_levels, arms, between, names
        The design: visits, ``treatment``/``control`` labels, between factors, the paper's names.
    arm_from, assumptions
        Which printed attribute decides a group's arm; values for cells the paper did not print.
    band : mapping
        The config's ``band`` section (``correlation: {from, to}``, ``narrow``, ``difference``, ``z``).
    reference : float
        The configured correlation (the point values').
    shifts : sequence of float
        The sensitivity grid's shifts of assumed cells (their largest size is how far an assumed
        mean may be off).
    bounds : mapping
        Outcome -> ``(min, max)`` of its scale.
    ss_type, alpha
        Sums of squares and significance level.
    """

    time_levels: Sequence[str]
    arms: Mapping[str, str]
    between: Sequence[str]
    names: Mapping[str, str]
    arm_from: str
    assumptions: Sequence[Mapping]
    band: Mapping
    reference: float
    shifts: Sequence[float]
    bounds: Mapping[str, tuple[float, float]]
    ss_type: int
    alpha: float

    @classmethod
    def from_arguments(cls, arguments: Mapping) -> BandSettings:
        """From the rule's arguments (:func:`hiplbp.run.stages.stage_arguments` of ``band``)."""
        design, rec = arguments["design"]["design"], arguments["reconstruction"]
        return cls(
            time_levels=design["time_levels"],
            arms=design["arms"],
            between=arguments["between"],
            names=design["factor_names"],
            arm_from=rec["arm_from"],
            assumptions=rec["assumptions"],
            band=arguments["band"],
            reference=float(rec["correlation"]),
            shifts=arguments["shifts"],
            bounds={k: (float(lo), float(hi)) for k, (lo, hi) in arguments["bounds"].items()},
            ss_type=int(arguments["ss_type"]),
            alpha=float(arguments["alpha"]),
        )


def band_from_published(tables: PrintedTables, outcome: str, settings: BandSettings) -> pd.DataFrame:
    """:func:`.table.band_table` of one outcome from the trial's printed tables.

    Printed differences (``tests.csv`` rows of test ``difference``: the treatment effect at the
    visit named by ``effect``, averaged over strata, adjusted for ``adjusted_for``) become rows of
    kind ``adjusted``: the range the adjustment can produce (:mod:`.adjusted`) and a verdict.
    """
    s, time_levels = settings, [str(v) for v in settings.time_levels]
    cells, assumed = published_cells(
        tables.groups, tables.summaries, outcome, time_levels, s.arms, s.arm_from, s.assumptions
    )
    rng = s.band["correlation"]
    low, high = s.bounds[outcome]
    open_ = OpenQuantities(
        rho_range=(float(rng["from"]), float(rng["to"])),
        reference=s.reference,
        half=printed_half(tables.summaries, outcome),
        low=low,
        high=high,
        difference=s.band["difference"],
        z=s.band["z"],
        assumed_shift=float(np.max(np.abs(s.shifts))) if len(s.shifts) else 0.0,
    )
    printed = PrintedStatistics()
    if s.band["narrow"]:
        fs, ts = printed_statistics(tables.tests, outcome, s.names, cells, time_levels[0])
        printed = PrintedStatistics(fs, ts, printed_change_sds(tables.changes, outcome, cells, time_levels[0]))
    labels = {src: " × ".join(s.names.get(f, f) for f in src.split(":")) for src in _sources(s.between)}
    design = TableDesign(s.between, time_levels, s.arms, labels, s.ss_type, s.alpha)
    table = band_table(cells, assumed, design, open_, printed)
    arm_of = {
        str(g): ("treatment" if a == s.arms["treatment"] else "control")
        for g, a in zip(cells["group"], cells["arm"], strict=True)
    }
    extra = adjusted_rows(table, tables.tests, outcome, cells, time_levels, tables.characteristics, arm_of, open_)
    return pd.concat([table, extra], ignore_index=True) if len(extra) else table


def adjusted_rows(
    table: pd.DataFrame,
    tests: pd.DataFrame | None,
    outcome: str,
    cells: pd.DataFrame,
    time_levels: Sequence[str],
    characteristics: pd.DataFrame | None,
    arm_of: Mapping[str, str],
    open_: OpenQuantities,
) -> pd.DataFrame:
    """One ``adjusted`` row per printed difference of ``outcome``: its range and verdict."""
    if tests is None or tests.empty or "difference" not in set(tests["test"]):
        return pd.DataFrame(columns=TABLE_COLUMNS)
    rows = []
    printed = tests.fillna("")
    printed = printed[
        (printed["outcome"] == outcome) & (printed["test"] == "difference") & (printed["status"] != NOT_AVAILABLE)
    ]
    for r in printed.to_dict("records"):
        visit = str(r["effect"]).strip()
        listed = [c.strip() for c in str(r.get("adjusted_for", "")).split(";") if c.strip()]
        covariates = [c for c in listed if c.lower() != "baseline"]
        base = table[(table["kind"] == "ancova") & table["test"].isin([visit, f"{visit}, all strata"])]
        if base.empty:
            raise TrialError(
                f"tests.csv: the printed difference of {outcome!r} names effect {visit!r}; expected a later visit "
                f"of the design ({', '.join(str(v) for v in time_levels[1:])})"
            )
        b = base.iloc[0]
        chars = characteristics if characteristics is not None else pd.DataFrame(columns=["variable"])
        try:
            imbalance = standardized_imbalance(chars, covariates, arm_of)
        except KeyError as err:
            raise TrialError(f"tests.csv: the printed difference of {outcome!r} at {visit!r}: {err.args[0]}") from None
        n = cells[f"n_{visit}"].to_numpy(float)
        nc = np.minimum(cells[f"n_{time_levels[0]}"].to_numpy(float), n)
        sd_hi = (cells[f"sd_{visit}"].to_numpy(float) + open_.half) * np.sqrt((n - 1) / np.maximum(nc - 1, 1))
        outcome_sd = float(np.sqrt(np.sum((nc - 1) * sd_hi**2) / np.sum(nc - 1)))
        lo, hi, reach = adjustment_range(float(b["lo"]), float(b["hi"]), outcome_sd, imbalance)
        value = float(r["statistic"])
        half = 0.5 * 10.0 ** -(decimals(r["statistic"]) or 0)
        inside = lo <= value + half and value - half <= hi
        what = ", ".join(listed) if listed else "nothing named"
        rows.append(
            dict(
                kind="adjusted",
                test=f"{visit} (adjusted for {what})",
                statistic="difference",
                value=value,
                lo=lo,
                hi=hi,
                rho_lo=b["rho_lo"],
                rho_hi=b["rho_hi"],
                rho_basis=b["rho_basis"],
                dominant="covariates" if reach > b["hi"] - b["lo"] else b["dominant"],
                verdict="consistent" if inside else "flag",
                sentence=(
                    f"The printed treatment effect at {visit}, {r['statistic']} adjusted for {what}, "
                    + ("lies within" if inside else "lies outside")
                    + f" the range such an adjustment can produce ({lo:.2f} to {hi:.2f}: the baseline-adjusted "
                    f"band {b['lo']:.2f} to {b['hi']:.2f}, widened by {reach:.2f} for the covariates' printed "
                    "imbalance)" + (": not flagged." if inside else ": flagged, a question for the authors.")
                ),
            )
        )
    return pd.DataFrame(rows).reindex(columns=TABLE_COLUMNS)


def _sources(between: Sequence[str]) -> list[str]:
    import itertools

    terms = [c for k in range(1, len(between) + 1) for c in itertools.combinations(between, k)]
    return [":".join(t) for t in terms] + ["time"] + [":".join([*t, "time"]) for t in terms]


__all__ = ["BandSettings", "PrintedTables", "band_from_published", "printed_half", "printed_statistics"]
