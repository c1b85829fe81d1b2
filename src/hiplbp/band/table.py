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
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd

from ..summary.anova import SummaryDesign, crossings
from ..summary.ttest import paired_t
from ..text import format_p, p_in_sentence
from . import correlation as corr
from .anova import f_band, printed_box
from .box import Box, OpenQuantities
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


@dataclass(frozen=True)
class TableDesign:
    """The design a band table is computed for.

    Attributes
    ----------
    between, visits : sequence of str
        Between factors (``arm`` last) and visits in order (the first is baseline).
    arms : mapping
        ``{"treatment": label, "control": label}``.
    names : mapping
        Source -> the paper's name for it (sentences use it).
    ss_type, alpha
        Sums of squares and significance level.
    """

    between: Sequence[str]
    visits: Sequence[str]
    arms: Mapping[str, str]
    names: Mapping[str, str] = field(default_factory=dict)
    ss_type: int = 3
    alpha: float = 0.05


@dataclass(frozen=True)
class PrintedStatistics:
    """Statistics the paper printed that narrow the correlation between visits.

    Attributes
    ----------
    f : mapping
        ``source -> (F, half)``: Fs of the mixed ANOVA (they narrow the correlation of the ANOVA
        rows when a correlation in range reaches every one).
    t : mapping
        ``(cell, visit) -> (t, half)``: paired t of a cell's change from baseline (they narrow that
        change's correlation).
    change_sd : mapping
        ``(cell, visit) -> (SD, half)``: SDs of a cell's change from baseline (they narrow that
        change's correlation; when every cell's is narrowed, the ANCOVA's pooled correlation, a
        weighted mean of the cells', lies between their extremes).
    """

    f: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    t: Mapping[tuple[int, str], tuple[float, float]] = field(default_factory=dict)
    change_sd: Mapping[tuple[int, str], tuple[float, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Test:
    """One recomputed statistic before it becomes a row: its point value, band and what moved it."""

    kind: str
    test: str
    statistic: str
    df: tuple[int, int]
    point: tuple[float, float]
    band: Interval
    single: Mapping[str, Interval]
    rho: tuple[float, float]
    basis: str
    region: str
    name: str


class _Cells:
    """The printed cells as arrays, and the boxes of the open quantities over any of their visits."""

    def __init__(self, cells: pd.DataFrame, assumed: pd.DataFrame, visits: Sequence[str], open_: OpenQuantities):
        self.frame, self.visits, self.open = cells, [str(v) for v in visits], open_
        self.n, self.mean, self.sd = _arrays(cells, self.visits)
        self.nc = self.n.min(axis=1)
        self.column = {v: j for j, v in enumerate(self.visits)}
        self.extra = np.zeros_like(self.mean)
        for a in assumed.itertuples():
            self.extra[int(a.cell), self.column[str(a.time)]] = open_.assumed_shift
        self.reference = (open_.reference, open_.reference)
        self.configured = f"configured {open_.rho_range[0]:.2f}-{open_.rho_range[1]:.2f}"

    def _box(self, cols: list[int], n_complete: np.ndarray, open_sources: set[str]) -> Box:
        return printed_box(
            self.n[:, cols],
            self.mean[:, cols],
            self.sd[:, cols],
            n_complete,
            rounding=self.open.half if "rounding" in open_sources else 0.0,
            overlap="overlap" in open_sources,
            assumed=self.extra[:, cols] if "assumptions" in open_sources else None,
            limits=self.open.limits,
        )

    def boxes(self, cols: list[int], n_complete: np.ndarray) -> dict[str, Box]:
        """The box of the visits ``cols`` with every source open, none, and each alone."""
        alone = {k: self._box(cols, n_complete, {k}) for k in ("rounding", "overlap", "assumptions")}
        return {
            "all": self._box(cols, n_complete, {"rounding", "overlap", "assumptions"}),
            "none": self._box(cols, n_complete, set()),
            **alone,
        }

    def pairs(self) -> dict[str, tuple[np.ndarray, dict[str, Box]]]:
        """Per later visit: who was seen at baseline and that visit, and the boxes of the two visits."""
        out = {}
        for v in self.visits[1:]:
            # a change or ANCOVA of baseline and one visit uses whoever was seen at both
            pair_nc = np.minimum(self.n[:, 0], self.n[:, self.column[v]])
            out[v] = (pair_nc, self.boxes([0, self.column[v]], pair_nc))
        return out


#: Per later visit: who was seen at baseline and that visit, and the boxes of the two visits.
_Pairs = Mapping[str, tuple[np.ndarray, dict[str, Box]]]
#: Per (cell, later visit): the correlation range of that change and what narrowed it.
_PairCorrelations = Mapping[tuple[int, str], tuple[tuple[float, float], str]]


def band_table(
    cells: pd.DataFrame,
    assumed: pd.DataFrame,
    design: TableDesign,
    open_: OpenQuantities,
    printed: PrintedStatistics | None = None,
) -> pd.DataFrame:
    """Every statistic recomputed from the printed cells, with its band (:data:`TABLE_COLUMNS`).

    Parameters
    ----------
    cells : DataFrame
        One row per between cell: the factor columns (``arm`` among them), optional ``group``,
        and per visit ``n_<visit>``, ``mean_<visit>``, ``sd_<visit>`` (assumed cells filled).
    assumed : DataFrame
        ``cell`` (row of ``cells``) and ``time`` of each assumed cell.
    design : TableDesign
        Between factors, visits, arms, the paper's names, sums of squares and alpha.
    open_ : OpenQuantities
        The configured open quantities.
    printed : PrintedStatistics, optional
        Printed Fs, paired ts and change SDs, which narrow the correlation.
    """
    printed = printed or PrintedStatistics()
    c = _Cells(cells, assumed, design.visits, open_)
    tests = _anova_tests(c, design, printed.f)
    pairs = c.pairs()
    pair_rho = {(i, v): _pair_correlation(c, pairs[v], i, v, printed) for i in range(len(cells)) for v in c.visits[1:]}
    tests += _change_tests(c, design, pairs, pair_rho)
    tests += _ancova_tests(c, design, pairs, pair_rho)
    return pd.DataFrame([_row(t, design.alpha) for t in tests], columns=TABLE_COLUMNS)


def _anova_correlation(
    c: _Cells,
    design: TableDesign,
    printed_f: Mapping[str, tuple[float, float]],
    f_at_rho: Callable[[float], pd.DataFrame],
) -> tuple[tuple[float, float], str]:
    """The ANOVA rows' correlation range, narrowed where one correlation reaches every printed F."""
    rho_range, basis = c.open.rho_range, c.configured
    if not printed_f:
        return rho_range, basis
    found = []
    for source, (f, f_half) in printed_f.items():

        def f_at(r: float, s: str = source) -> tuple[float, float]:
            row = f_at_rho(r).loc[s]
            return float(row["F_lo"]), float(row["F_hi"])

        found.append(corr.from_statistic(f_at, (f - f_half, f + f_half), rho_range, step=0.01))
    listed = ", ".join(design.names.get(s, s) for s in printed_f)
    both = corr.intersect([r for r in found if r is not None]) if all(r is not None for r in found) else None
    if both is None:
        return (
            rho_range,
            basis + f" (the printed F of {listed} is reached by no single correlation in it: not narrowed)",
        )
    if both == tuple(rho_range):
        return rho_range, basis + f" (the printed F of {listed} allow every correlation in it)"
    return both, f"narrowed by the printed F of {listed}"


def _anova_tests(c: _Cells, design: TableDesign, printed_f: Mapping[str, tuple[float, float]]) -> list[_Test]:
    """Every F of the mixed ANOVA on the complete cases."""
    every = c.boxes(list(range(len(c.visits))), c.nc)
    between, visits = list(design.between), c.visits
    cache: dict[float, pd.DataFrame] = {}

    def anova_at(b: Box, rho: tuple[float, float]) -> pd.DataFrame:
        return f_band(c.frame, between, visits, b, c.nc, rho, ss_type=design.ss_type).set_index("source")

    def anova_all_at(r: float) -> pd.DataFrame:
        if r not in cache:
            cache[r] = anova_at(every["all"], (r, r))
        return cache[r]

    rho, basis = _anova_correlation(c, design, printed_f, anova_all_at)
    full, point, ref = anova_at(every["all"], rho), anova_at(every["none"], c.reference), c.reference
    single = {"correlation": anova_at(every["none"], rho)} | {
        k: anova_at(every[k], ref) for k in ("rounding", "overlap", "assumptions")
    }
    summary = SummaryDesign(c.frame.assign(n=c.nc), between, visits, design.ss_type)

    def interval(t: pd.DataFrame, source: str) -> Interval:
        return Interval(t.at[source, "F_lo"], t.at[source, "F_hi"], t.at[source, "p_lo"], t.at[source, "p_hi"])

    tests = []
    for j, source in enumerate(full.index):

        def p_at(r: float, j: int = j) -> float:
            return float(summary.evaluate(c.mean, r)["p_unc"][0, j])

        tests.append(
            _Test(
                "anova",
                source,
                "F",
                (int(full.at[source, "df1"]), int(full.at[source, "df2"])),
                (float(point.at[source, "F_lo"]), float(point.at[source, "p_hi"])),
                interval(full, source),
                {k: interval(v, source) for k, v in single.items()},
                rho,
                basis,
                _region(p_at, rho, design.alpha),
                design.names.get(source, source),
            )
        )
    return tests


def _pair_correlation(
    c: _Cells, pair: tuple[np.ndarray, dict[str, Box]], i: int, v: str, printed: PrintedStatistics
) -> tuple[tuple[float, float], str]:
    """The correlation range of cell ``i``'s change to visit ``v``, narrowed by its printed change SD and t."""
    pnc, pb = pair
    found, said = [], []
    b = pb["all"]
    s0, st = (b.sd_lo[i, 0], b.sd_hi[i, 0]), (b.sd_lo[i, 1], b.sd_hi[i, 1])
    if (i, v) in printed.change_sd:
        value, h = printed.change_sd[(i, v)]
        found.append(corr.implied_by_change(s0, st, sd_change=(value - h, value + h)))
        said.append("change SD")
    if (i, v) in printed.t:
        value, h = printed.t[(i, v)]
        diff = (b.mean_lo[i, 1] - b.mean_hi[i, 0], b.mean_hi[i, 1] - b.mean_lo[i, 0])
        found.append(corr.implied_by_change(s0, st, n=pnc[i], difference=diff, t=(value - h, value + h)))
        said.append("paired t")
    rho_range = c.open.rho_range
    if not said:
        return rho_range, c.configured
    printed_what = " and ".join(said)
    got = corr.intersect([rho_range, *[r for r in found if r is not None]])
    if got is None or any(r is None for r in found):
        return rho_range, c.configured + f" (the printed {printed_what} fit no correlation in it: not narrowed)"
    if got == tuple(rho_range):
        return rho_range, c.configured + f" (the printed {printed_what} allow it all)"
    return got, f"narrowed by the printed {printed_what}"


def _change_tests(c: _Cells, design: TableDesign, pairs: _Pairs, pair_rho: _PairCorrelations) -> list[_Test]:
    """Each cell's paired t from baseline to each later visit."""
    tests = []
    first = c.visits[0]
    for i, record in enumerate(c.frame.to_dict("records")):
        label = cell_label(record, design.between)
        for v in c.visits[1:]:
            j = c.column[v]
            pnc, pb = pairs[v]
            rho, basis = pair_rho[(i, v)]

            def ch(b: Box, r: tuple[float, float], i: int = i, m: float = pnc[i]) -> Interval:
                return change_band(b, i, 0, 1, m, r)

            summaries = (c.mean[i, 0], c.sd[i, 0], c.mean[i, j], c.sd[i, j])
            t0, _, p0 = paired_t(pnc[i], *summaries, c.open.reference)
            tests.append(
                _Test(
                    "change",
                    f"{label}: {first} to {v}",
                    "t",
                    (1, int(pnc[i] - 1)),
                    (t0, p0),
                    ch(pb["all"], rho),
                    _singles(ch, pb, rho, c.reference),
                    rho,
                    basis,
                    _region(partial(_change_p, float(pnc[i]), *summaries), rho, design.alpha),
                    f"the change in {label} from {first} to {v}",
                )
            )
    return tests


def _ancova_tests(c: _Cells, design: TableDesign, pairs: _Pairs, pair_rho: _PairCorrelations) -> list[_Test]:
    """The treatment effect at each later visit adjusted for baseline, per stratum and averaged."""
    tests = []
    for name, contrast in _contrasts(c.frame, design.between, design.arms).items():
        for v in c.visits[1:]:
            j = c.column[v]
            pnc, pb = pairs[v]
            rho, basis = c.open.rho_range, c.configured
            known = [pair_rho[(i, v)] for i in range(len(c.frame))]
            if all(b.startswith("narrowed") for _, b in known):
                # the pooled correlation weights the cells' by (n - 1) s_0 s_t: it lies within their range
                rho = (min(r[0] for r, _ in known), max(r[1] for r, _ in known))
                basis = "narrowed by every group's printed change"

            def an(b: Box, r: tuple[float, float], m: np.ndarray = pnc, k: np.ndarray = contrast) -> Interval:
                return ancova_band(b, 0, 1, m, r, k)

            def at(
                r: float, j: int = j, m: np.ndarray = pnc, k: np.ndarray = contrast
            ) -> tuple[float, float, float, float]:
                return ancova_from_summaries(m, c.mean[:, 0], c.sd[:, 0], c.mean[:, j], c.sd[:, j], r, k)

            est, _, df, p0 = at(c.open.reference)
            tests.append(
                _Test(
                    "ancova",
                    f"{v}, {name}" if name else v,
                    "difference",
                    (1, int(df)),
                    (est, p0),
                    an(pb["all"], rho),
                    _singles(an, pb, rho, c.reference),
                    rho,
                    basis,
                    _region(partial(_ancova_p, at), rho, design.alpha),
                    f"the treatment effect at {v} adjusted for baseline" + (f" ({name})" if name else ""),
                )
            )
    return tests


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


def _row(t: _Test, alpha: float) -> dict[str, object]:
    """A test as a row of :data:`TABLE_COLUMNS`, with its sentence."""
    # a degenerate band's two ends come from different formulas: round-off below 1e-9 is no width
    widths = {k: float(v.hi - v.lo) if v.hi - v.lo > 1e-9 * max(abs(v.hi), 1.0) else 0.0 for k, v in t.single.items()}
    dominant = max(widths, key=lambda k: widths[k]) if max(widths.values()) > 0 else "none"
    value, p = t.point
    band = t.band
    flips = bool(band.p_lo < alpha <= band.p_hi)
    alone = {k: bool(t.single[k].p_lo < alpha <= t.single[k].p_hi) for k in SOURCES[1:]}
    return dict(
        kind=t.kind,
        test=t.test,
        statistic=t.statistic,
        df1=t.df[0],
        df2=t.df[1],
        value=value,
        p_value=p,
        lo=band.lo,
        hi=band.hi,
        p_lo=band.p_lo,
        p_hi=band.p_hi,
        significant=bool(p < alpha),
        flips=flips,
        rho_lo=t.rho[0],
        rho_hi=t.rho[1],
        rho_basis=t.basis,
        significant_for_rho=t.region,
        flip_rounding=alone["rounding"],
        flip_overlap=alone["overlap"],
        flip_assumptions=alone["assumptions"],
        **{f"width_{k}": widths[k] for k in SOURCES},
        dominant=dominant,
        verdict="" if np.isfinite(band.lo) and np.isfinite(band.hi) else "not_applicable",
        sentence=_sentence(t, flips, alone, dominant, alpha),
    )


#: What each open source is, in a sentence.
_WHAT = {
    "correlation": "the correlation between visits",
    "rounding": "the rounding of the printed values",
    "overlap": "which patients each printed cell describes",
    "assumptions": "the assumed cells",
    "none": "nothing",
}


def _sentence(t: _Test, flips: bool, alone: Mapping[str, bool], dominant: str, alpha: float) -> str:
    """One sentence: the value, the band, what dominates it, and whether and where significance flips."""
    value, p = t.point
    band, statistic = t.band, t.statistic
    if not (np.isfinite(band.lo) and np.isfinite(band.hi)):
        return (
            f"{t.name}: {statistic} = {value:.2f} at the printed values (p {p_in_sentence(p)}), "
            f"{'significant' if p < alpha else 'not significant'} at alpha = {alpha}; the band over what the "
            "tables leave open cannot be computed (some reading of the tables leaves no complete pair of visits "
            "with a baseline spread, e.g. a cell of one patient), so the conclusion is not checked against it."
        )
    s = (
        f"{t.name}: {statistic} = {value:.2f} at the printed values (p {p_in_sentence(p)}), "
        f"{'significant' if p < alpha else 'not significant'} at alpha = {alpha}; over everything the tables "
        f"leave open {statistic} lies in {band.lo:.2f} to {band.hi:.2f} ({_phrase_p(band.p_lo, band.p_hi)}), "
        f"most widened by {_WHAT[dominant]}."
    )
    if not flips:
        return s + " The conclusion holds throughout."
    movers = [_WHAT[k] for k, v in alone.items() if v]
    s += f" The conclusion can flip: at the printed values it is {t.region}"
    if movers:
        s += "; " + ", ".join(movers) + (" alone can" if len(movers) == 1 else " can each alone") + " flip it."
    else:
        s += "; no single source flips it, only the open quantities together."
    return s
