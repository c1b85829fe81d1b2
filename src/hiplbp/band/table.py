"""One table per outcome: every statistic recomputed from printed cells, its band, and where it flips.

Rows (``kind``):

* ``anova``: every F of the mixed ANOVA (complete cases, uncorrected p);
* ``change``: each group's paired t from baseline to each later visit (what "decreased
  significantly" claims rest on);
* ``ancova``: the treatment effect at each later visit adjusted for baseline, within each stratum
  and averaged over strata;
* ``adjusted``: effects the paper printed as adjusted for covariates (:mod:`.adjusted`).

For each: the value at the printed numbers and the reference correlation; the band over every open
quantity (``lo``, ``hi``; ``p_lo``, ``p_hi``); the correlation range used and what narrowed it; the
band's width with only one source open (correlation, rounding, overlap, assumptions) and the
widest of them (``dominant``); whether significance at ``alpha`` can flip, the correlations at
which it does at the printed values, and whether rounding, overlap or the assumed cells alone can
flip it; and one sentence saying all of that.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from ..summary.anova import SummaryDesign, crossings
from ..summary.ttest import paired_t
from ..text import format_p, p_in_sentence
from . import correlation as corr
from .anova import f_band, printed_box
from .box import Box
from .effects import Interval, ancova_band, ancova_from_summaries, change_band

TABLE_COLUMNS = [
    "kind",
    "test",
    "statistic",
    "df1",
    "df2",
    "value",
    "p_value",
    "lo",
    "hi",
    "p_lo",
    "p_hi",
    "significant",
    "flips",
    "rho_lo",
    "rho_hi",
    "rho_basis",
    "significant_for_rho",
    "flip_rounding",
    "flip_overlap",
    "flip_assumptions",
    "width_correlation",
    "width_rounding",
    "width_overlap",
    "width_assumptions",
    "dominant",
    "verdict",
    "sentence",
]
SOURCES = ("correlation", "rounding", "overlap", "assumptions")


@dataclass(frozen=True)
class OpenQuantities:
    """What the printed tables leave open, as configured.

    Attributes
    ----------
    rho_range : (float, float)
        Range of the correlation between visits (config ``band.correlation``).
    reference : float
        The correlation of the point values (the reconstruction's).
    half : float
        Half a unit of the printed precision of means and SDs (the coarsest of the outcome's).
    low, high : float
        The scale's bounds.
    difference, z : float or None
        How unlike the patients missing from some visit may be (:func:`.box.complete_case_box`).
    assumed_shift : float
        How far an assumed cell's mean may lie from its assumed value (the sensitivity grid's
        largest shift).
    """

    rho_range: tuple[float, float]
    reference: float
    half: float = 0.05
    low: float = -np.inf
    high: float = np.inf
    difference: float | None = 0.0
    z: float | None = 1.96
    assumed_shift: float = 0.0


def _arrays(cells: pd.DataFrame, visits: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n, mean, sd = (cells[[f"{what}_{v}" for v in visits]].to_numpy(float) for what in ("n", "mean", "sd"))
    return n, mean, sd


def cell_label(cell: Mapping[str, object], between: Sequence[str]) -> str:
    """A cell's name in sentences: its ``group`` if it has one, else its factor levels."""
    group = cell.get("group")
    if isinstance(group, str) and group:
        return group
    return "/".join(str(cell[b]) for b in between)


def _region(p_at: Callable[[float], float], rho: tuple[float, float], alpha: float) -> str:
    """Where, over ``rho``, the test is significant at the printed values: a phrase."""
    lo, hi = rho
    if hi - lo < 1e-12:
        return ("significant" if p_at(lo) < alpha else "not significant") + f" at {lo:.2f}"
    xs = crossings(lambda r: p_at(r) - alpha, lo, hi, n=max(int((hi - lo) / 0.005) + 1, 3))
    edges = [lo, *xs, hi]
    parts = []
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        if p_at((a + b) / 2) < alpha:
            parts.append(f"{a:.2f}-{b:.2f}")
    if not parts:
        return f"not significant for any correlation in {lo:.2f}-{hi:.2f}"
    if len(parts) == 1 and not xs:
        return f"significant for every correlation in {lo:.2f}-{hi:.2f}"
    return "significant for correlations " + ", ".join(parts)


def _phrase_p(p_lo: float, p_hi: float) -> str:
    return f"p {format_p(p_lo)} to {format_p(p_hi)}"


def band_table(
    cells: pd.DataFrame,
    assumed: pd.DataFrame,
    between: Sequence[str],
    visits: Sequence[str],
    arms: Mapping[str, str],
    open_: OpenQuantities,
    *,
    printed_f: Mapping[str, tuple[float, float]] | None = None,
    printed_t: Mapping[tuple[int, str], tuple[float, float]] | None = None,
    printed_change_sd: Mapping[tuple[int, str], tuple[float, float]] | None = None,
    names: Mapping[str, str] | None = None,
    ss_type: int = 3,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Every statistic recomputed from the printed cells, with its band (:data:`TABLE_COLUMNS`).

    Parameters
    ----------
    cells : DataFrame
        One row per between cell: the factor columns (``arm`` among them), optional ``group``,
        and per visit ``n_<visit>``, ``mean_<visit>``, ``sd_<visit>`` (assumed cells filled).
    assumed : DataFrame
        ``cell`` (row of ``cells``) and ``time`` of each assumed cell.
    between, visits : sequence of str
        Between factors (``arm`` last) and visits in order (the first is baseline).
    arms : mapping
        ``{"treatment": label, "control": label}``.
    open_ : OpenQuantities
        The configured open quantities.
    printed_f : mapping, optional
        ``source -> (F, half)``: Fs of the mixed ANOVA the paper printed (they narrow the
        correlation of the ANOVA rows when a correlation in range reaches every one).
    printed_t : mapping, optional
        ``(cell, visit) -> (t, half)``: printed paired t of a cell's change from baseline (they
        narrow that change's correlation).
    printed_change_sd : mapping, optional
        ``(cell, visit) -> (SD, half)``: printed SDs of a cell's change from baseline (they narrow
        that change's correlation; when every cell's is narrowed, the ANCOVA's pooled correlation,
        a weighted mean of the cells', lies between their extremes).
    names : mapping, optional
        Source -> the paper's name for it (sentences use it).
    ss_type, alpha
        Sums of squares and significance level.
    """
    visits = [str(v) for v in visits]
    n, mean, sd = _arrays(cells, visits)
    nc = n.min(axis=1)
    half = open_.half
    extra = np.zeros_like(mean)
    tcol = {v: j for j, v in enumerate(visits)}
    for a in assumed.itertuples():
        extra[int(a.cell), tcol[str(a.time)]] = open_.assumed_shift
    names = dict(names or {})

    def boxes(cols: list[int], n_complete: np.ndarray) -> dict[str, Box]:
        """The box of the visits ``cols`` with every source open, none, and each alone."""

        def box(rounding: bool, overlap: bool, assumptions: bool) -> Box:
            return printed_box(
                n[:, cols],
                mean[:, cols],
                sd[:, cols],
                n_complete,
                rounding=half if rounding else 0.0,
                overlap=overlap,
                assumed=extra[:, cols] if assumptions else None,
                low=open_.low,
                high=open_.high,
                difference=open_.difference,
                z=open_.z,
            )

        return {
            "all": box(True, True, True),
            "none": box(False, False, False),
            "rounding": box(True, False, False),
            "overlap": box(False, True, False),
            "assumptions": box(False, False, True),
        }

    ref = (open_.reference, open_.reference)
    every = boxes(list(range(len(visits))), nc)
    rows: list[dict[str, object]] = []

    # --- the mixed ANOVA --------------------------------------------------------------------
    cache: dict[float, pd.DataFrame] = {}

    def anova_at(b: Box, rho: tuple[float, float]) -> pd.DataFrame:
        return f_band(cells, between, visits, b, nc, rho, ss_type=ss_type).set_index("source")

    def anova_all_at(r: float) -> pd.DataFrame:
        if r not in cache:
            cache[r] = anova_at(every["all"], (r, r))
        return cache[r]

    rho_anova, basis = open_.rho_range, f"configured {open_.rho_range[0]:.2f}-{open_.rho_range[1]:.2f}"
    if printed_f:
        found = []
        for source, (f, f_half) in printed_f.items():

            def f_at(r: float, s: str = source) -> tuple[float, float]:
                row = anova_all_at(r).loc[s]
                return float(row["F_lo"]), float(row["F_hi"])

            found.append(
                corr.from_statistic(
                    f_at,
                    (f - f_half, f + f_half),
                    open_.rho_range,
                    step=0.01,
                )
            )
        listed = ", ".join(names.get(s, s) for s in printed_f)
        both = corr.intersect([r for r in found if r is not None]) if all(r is not None for r in found) else None
        if both is None:
            basis += f" (the printed F of {listed} is reached by no single correlation in it: not narrowed)"
        elif both == tuple(open_.rho_range):
            basis += f" (the printed F of {listed} allow every correlation in it)"
        else:
            rho_anova, basis = both, f"narrowed by the printed F of {listed}"
    full = anova_at(every["all"], rho_anova)
    point = anova_at(every["none"], ref)
    single = {
        "correlation": anova_at(every["none"], rho_anova),
        "rounding": anova_at(every["rounding"], ref),
        "overlap": anova_at(every["overlap"], ref),
        "assumptions": anova_at(every["assumptions"], ref),
    }
    frame = cells.assign(n=nc)
    design = SummaryDesign(frame, between, visits, ss_type)
    for j, source in enumerate(full.index):

        def p_at(r: float, j: int = j) -> float:
            return float(design.evaluate(mean, r)["p_unc"][0, j])

        band = Interval(
            full.at[source, "F_lo"], full.at[source, "F_hi"], full.at[source, "p_lo"], full.at[source, "p_hi"]
        )
        rows.append(
            _row(
                "anova",
                source,
                "F",
                (int(full.at[source, "df1"]), int(full.at[source, "df2"])),
                (float(point.at[source, "F_lo"]), float(point.at[source, "p_hi"])),
                band,
                {
                    k: Interval(v.at[source, "F_lo"], v.at[source, "F_hi"], v.at[source, "p_lo"], v.at[source, "p_hi"])
                    for k, v in single.items()
                },
                rho_anova,
                basis,
                _region(p_at, rho_anova, alpha),
                alpha,
                names.get(source, source),
            )
        )

    # --- within-group changes ---------------------------------------------------------------
    printed_t = dict(printed_t or {})
    printed_change_sd = dict(printed_change_sd or {})
    records = cells.to_dict("records")
    pair_boxes = {}
    for v in visits[1:]:
        j = tcol[v]
        # a change or ANCOVA of baseline and one visit uses whoever was seen at both
        pair_nc = np.minimum(n[:, 0], n[:, j])
        pair_boxes[v] = (pair_nc, boxes([0, j], pair_nc))
    pair_rho = {}
    configured = f"configured {open_.rho_range[0]:.2f}-{open_.rho_range[1]:.2f}"
    for i in range(len(records)):
        for v in visits[1:]:
            pnc, pb = pair_boxes[v]
            found, said = [], []
            b = pb["all"]
            s0, st = (b.sd_lo[i, 0], b.sd_hi[i, 0]), (b.sd_lo[i, 1], b.sd_hi[i, 1])
            if (i, v) in printed_change_sd:
                value, h = printed_change_sd[(i, v)]
                found.append(corr.implied_by_change(s0, st, sd_change=(value - h, value + h)))
                said.append("change SD")
            if (i, v) in printed_t:
                value, h = printed_t[(i, v)]
                diff = (b.mean_lo[i, 1] - b.mean_hi[i, 0], b.mean_hi[i, 1] - b.mean_lo[i, 0])
                found.append(corr.implied_by_change(s0, st, n=pnc[i], difference=diff, t=(value - h, value + h)))
                said.append("paired t")
            got = corr.intersect([open_.rho_range, *[r for r in found if r is not None]]) if said else None
            if not said:
                pair_rho[(i, v)] = (open_.rho_range, configured)
            elif got is None or any(r is None for r in found):
                pair_rho[(i, v)] = (
                    open_.rho_range,
                    configured + f" (the printed {' and '.join(said)} fit no correlation in it: not narrowed)",
                )
            elif got == tuple(open_.rho_range):
                pair_rho[(i, v)] = (open_.rho_range, configured + f" (the printed {' and '.join(said)} allow it all)")
            else:
                pair_rho[(i, v)] = (got, f"narrowed by the printed {' and '.join(said)}")
    for i, c in enumerate(records):
        label = cell_label(c, between)
        for v in visits[1:]:
            j = tcol[v]
            pnc, pb = pair_boxes[v]
            rho, basis = pair_rho[(i, v)]

            def ch(b: Box, r: tuple[float, float], i: int = i, m: float = pnc[i]) -> Interval:
                return change_band(b, i, 0, 1, m, r)

            t0, _, p0 = paired_t(pnc[i], mean[i, 0], sd[i, 0], mean[i, j], sd[i, j], open_.reference)
            rows.append(
                _row(
                    "change",
                    f"{label}: {visits[0]} to {v}",
                    "t",
                    (1, int(pnc[i] - 1)),
                    (t0, p0),
                    ch(pb["all"], rho),
                    _singles(ch, pb, rho, ref),
                    rho,
                    basis,
                    _region(partial(_change_p, float(pnc[i]), mean[i, 0], sd[i, 0], mean[i, j], sd[i, j]), rho, alpha),
                    alpha,
                    f"the change in {label} from {visits[0]} to {v}",
                )
            )

    # --- baseline-adjusted treatment effects ------------------------------------------------
    for name, contrast in _contrasts(cells, between, arms).items():
        for v in visits[1:]:
            j = tcol[v]
            pnc, pb = pair_boxes[v]
            rho, basis = open_.rho_range, configured
            known = [pair_rho[(i, v)] for i in range(len(records))]
            if all(b.startswith("narrowed") for _, b in known):
                # the pooled correlation weights the cells' by (n - 1) s_0 s_t: it lies within their range
                rho = (min(r[0] for r, _ in known), max(r[1] for r, _ in known))
                basis = "narrowed by every group's printed change"

            def an(b: Box, r: tuple[float, float], m: np.ndarray = pnc, c: np.ndarray = contrast) -> Interval:
                return ancova_band(b, 0, 1, m, r, c)

            def at(
                r: float, j: int = j, m: np.ndarray = pnc, c: np.ndarray = contrast
            ) -> tuple[float, float, float, float]:
                return ancova_from_summaries(m, mean[:, 0], sd[:, 0], mean[:, j], sd[:, j], r, c)

            est, _, df, p0 = at(open_.reference)
            rows.append(
                _row(
                    "ancova",
                    f"{v}, {name}" if name else v,
                    "difference",
                    (1, int(df)),
                    (est, p0),
                    an(pb["all"], rho),
                    _singles(an, pb, rho, ref),
                    rho,
                    basis,
                    _region(partial(_ancova_p, at), rho, alpha),
                    alpha,
                    f"the treatment effect at {v} adjusted for baseline" + (f" ({name})" if name else ""),
                )
            )
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def _singles(
    band: Callable[[Box, tuple[float, float]], Interval],
    boxes: Mapping[str, Box],
    rho: tuple[float, float],
    reference: tuple[float, float],
) -> dict[str, Interval]:
    """The band with one source open at a time: the correlation over its range, each other at the reference."""
    return {
        "correlation": band(boxes["none"], rho),
        **{k: band(boxes[k], reference) for k in ("rounding", "overlap", "assumptions")},
    }


def _change_p(n: float, m0: float, s0: float, mt: float, st: float, rho: float) -> float:
    return paired_t(n, m0, s0, mt, st, rho)[2]


def _ancova_p(at: Callable[[float], tuple[float, float, float, float]], rho: float) -> float:
    return at(rho)[3]


def _contrasts(cells: pd.DataFrame, between: Sequence[str], arms: Mapping[str, str]) -> dict[str, np.ndarray]:
    """Treatment - control within each stratum, and their equally weighted average (``all``)."""
    arm = cells["arm"].astype(str).to_numpy()
    if len(between) < 2:
        return {"": (arm == arms["treatment"]).astype(float) - (arm == arms["control"]).astype(float)}
    strata = list(dict.fromkeys(cells[between[0]].astype(str)))
    out = {}
    for s in strata:
        inside = cells[between[0]].astype(str).to_numpy() == s
        out[f"stratum {s}"] = inside * (
            (arm == arms["treatment"]).astype(float) - (arm == arms["control"]).astype(float)
        )
    out["all strata"] = np.mean(list(out.values()), axis=0)
    return out


def _row(
    kind: str,
    test: str,
    statistic: str,
    df: tuple[int, int],
    point: tuple[float, float],
    band: Interval,
    single: Mapping[str, Interval],
    rho: tuple[float, float],
    basis: str,
    region: str,
    alpha: float,
    name: str,
) -> dict[str, object]:
    # a degenerate band's two ends come from different formulas: round-off below 1e-9 is no width
    widths = {k: float(v.hi - v.lo) if v.hi - v.lo > 1e-9 * max(abs(v.hi), 1.0) else 0.0 for k, v in single.items()}
    dominant = max(widths, key=lambda k: widths[k]) if max(widths.values()) > 0 else "none"
    value, p = point
    significant = bool(p < alpha)
    flips = bool(band.p_lo < alpha <= band.p_hi)

    def can_flip(k: str) -> bool:
        return bool(single[k].p_lo < alpha <= single[k].p_hi)

    sentence = _sentence(
        name,
        statistic,
        value,
        p,
        band,
        significant,
        flips,
        region,
        {k: can_flip(k) for k in SOURCES[1:]},
        dominant,
        alpha,
    )
    return dict(
        kind=kind,
        test=test,
        statistic=statistic,
        df1=df[0],
        df2=df[1],
        value=value,
        p_value=p,
        lo=band.lo,
        hi=band.hi,
        p_lo=band.p_lo,
        p_hi=band.p_hi,
        significant=significant,
        flips=flips,
        rho_lo=rho[0],
        rho_hi=rho[1],
        rho_basis=basis,
        significant_for_rho=region,
        flip_rounding=can_flip("rounding"),
        flip_overlap=can_flip("overlap"),
        flip_assumptions=can_flip("assumptions"),
        **{f"width_{k}": widths[k] for k in SOURCES},
        dominant=dominant,
        verdict="",
        sentence=sentence,
    )


def _sentence(
    name: str,
    statistic: str,
    value: float,
    p: float,
    band: Interval,
    significant: bool,
    flips: bool,
    region: str,
    alone: Mapping[str, bool],
    dominant: str,
    alpha: float,
) -> str:
    """One sentence: the value, the band, what dominates it, and whether and where significance flips."""
    what = {
        "correlation": "the correlation between visits",
        "rounding": "the rounding of the printed values",
        "overlap": "which patients each printed cell describes",
        "assumptions": "the assumed cells",
        "none": "nothing",
    }
    s = (
        f"{name}: {statistic} = {value:.2f} at the printed values (p {p_in_sentence(p)}), "
        f"{'significant' if significant else 'not significant'} at alpha = {alpha}; over everything the tables "
        f"leave open {statistic} lies in {band.lo:.2f} to {band.hi:.2f} ({_phrase_p(band.p_lo, band.p_hi)}), "
        f"most widened by {what[dominant]}."
    )
    if not flips:
        return s + " The conclusion holds throughout."
    movers = [what[k] for k, v in alone.items() if v]
    s += f" The conclusion can flip: at the printed values it is {region}"
    if movers:
        s += "; " + ", ".join(movers) + (" alone can" if len(movers) == 1 else " can each alone") + " flip it."
    else:
        s += "; no single source flips it, only the open quantities together."
    return s
