"""The paper's own analysis, replayed from its printed summaries and from the reconstruction.

Papers often report group means and SDs and claims of significance, not test statistics.
Where a test has a closed form in the summaries (one-way ANOVA among the groups at a visit),
it is recomputed exactly; where it needs the unreported within-subject correlation (within-group
change over time), it is computed at the configured correlation and the correlation the claim
implies is given. Every printed number and claim becomes one row of ``published_vs_reproduced``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from ..reconstruction.replicates import raw_to_long
from ..stats.anova import mixed_anova
from ..text import p_in_sentence
from ..trial.cells import published_cells
from ..trial.design import Design
from ..trial.published import NOT_AVAILABLE, decimals, rounds_to
from .ttest import paired_t, paired_t_threshold

REPLAY_COLUMNS = ["kind", "item", "published", "reproduced", "decimals", "match", "note"]
UNREACHED = "not reached by this reconstruction: rounding to the measurement unit moved it (see reconstruction_check)"
#: A claim the replay can test: a significant change within one group between two visits, written
#: in a trial's ``tests.csv`` as test ``claim`` with effect ``<group>: <visit> to <visit>``.
CHANGE_EFFECT = re.compile(r"^(?P<group>.+?):\s*(?P<start>\S+)\s+to\s+(?P<end>\S+)$")
DIRECTIONS = ("decrease", "increase", "")
CLAIM_COLUMNS = ["outcome", "group", "start", "end", "direction", "claim"]


def change_claims(tests: pd.DataFrame) -> pd.DataFrame:
    """The trial's printed claims of a significant within-group change (rows of ``tests.csv``).

    A claim is checkable when its test is ``claim``, its status ``printed`` and its effect reads
    ``<group>: <visit> to <visit>``; the optional ``direction`` column says ``decrease`` or
    ``increase`` (empty: a significant change either way).

    Returns
    -------
    DataFrame
        :data:`CLAIM_COLUMNS`, one row per checkable claim, in printed order.

    Examples
    --------
    >>> t = pd.DataFrame({"outcome": ["pain"], "effect": ["A: t0 to t1"], "test": ["claim"],
    ...                   "claim": ["pain fell"], "status": ["printed"], "direction": ["decrease"]})
    >>> change_claims(t)[["group", "start", "end", "direction"]].values.tolist()
    [['A', 't0', 't1', 'decrease']]
    """
    rows = []
    for r in tests.fillna("").to_dict("records"):
        m = CHANGE_EFFECT.match(str(r.get("effect", "")))
        if r.get("test") != "claim" or r.get("status") == NOT_AVAILABLE or not m:
            continue
        direction = str(r.get("direction", "")).strip().lower()
        if direction not in DIRECTIONS:
            raise ValueError(f"tests.csv: claim {r.get('effect')!r}: direction must be decrease, increase or empty")
        rows.append(dict(outcome=r["outcome"], direction=direction, claim=r.get("claim", "")) | m.groupdict())
    return pd.DataFrame(rows, columns=CLAIM_COLUMNS)


def unchecked_claims(tests: pd.DataFrame, outcomes: Sequence[str]) -> pd.DataFrame:
    """Printed claims the replay cannot test, each with the reason (rows of :data:`REPLAY_COLUMNS`).

    A claim is unchecked when its numbers were not printed (status ``not_available``), its outcome
    has no printed summaries among ``outcomes``, or it is not a within-group change.
    """
    rows = []
    for r in tests.fillna("").to_dict("records"):
        if r.get("test") != "claim":
            continue
        if r.get("status") == NOT_AVAILABLE:
            why = "the numbers behind it were not printed (status not_available)"
        elif r.get("outcome") not in outcomes:
            why = f"outcome {r.get('outcome')!r} has no printed summaries"
        elif not CHANGE_EFFECT.match(str(r.get("effect", ""))):
            why = "only within-group changes (effect '<group>: <visit> to <visit>') are tested from summaries"
        else:
            continue
        rows.append(
            replay_row(
                "claim",
                f"claim: {r.get('claim') or r.get('effect')}",
                NOT_AVAILABLE,
                note=f"not checkable: {why}",
            )
        )
    return pd.DataFrame(rows, columns=REPLAY_COLUMNS)


def oneway_from_summaries(n: npt.ArrayLike, means: npt.ArrayLike, sds: npt.ArrayLike) -> tuple[float, int, int, float]:
    """One-way ANOVA F test from group sizes, means and SDs.

    Notes
    -----
    ``SS_between = sum n_i (m_i - m)^2`` with ``m`` the size-weighted grand mean,
    ``SS_within = sum (n_i - 1) s_i^2``; ``F = (SS_b / (g - 1)) / (SS_w / (N - g))``.

    Returns
    -------
    (F, df1, df2, p)

    Examples
    --------
    >>> f, d1, d2, p = oneway_from_summaries([3, 3], [1.0, 2.0], [1.0, 1.0])
    >>> round(f, 4), d1, d2
    (1.5, 1, 4)
    """
    ns, m, s = (np.asarray(a, float) for a in (n, means, sds))
    grand = np.sum(ns * m) / ns.sum()
    ssb, ssw = float(np.sum(ns * (m - grand) ** 2)), float(np.sum((ns - 1) * s**2))
    df1, df2 = len(ns) - 1, int(ns.sum() - len(ns))
    f = (ssb / df1) / (ssw / df2)
    return f, df1, df2, float(stats.f.sf(f, df1, df2))


#: Canonical order of the factors in an effect's name (``stratum:arm:time``).
FACTOR_ORDER = ("stratum", "arm", "time")


def effect_source(effect: str, names: Mapping[str, str]) -> str | None:
    """The canonical effect (``arm:time``) a printed effect names, through the trial's factor names.

    ``names`` maps each canonical factor to the trial's name for it (config
    ``design.factor_names``); a printed effect is its factor names joined by ``*``, ``×``, ``x``
    or ``:`` (case-insensitive). None when a part is not a factor of the design.

    Examples
    --------
    >>> effect_source("Time*Group", {"arm": "Group", "time": "Time"})
    'arm:time'
    >>> effect_source("Group", {"arm": "Group", "time": "Time"}), effect_source("Sex", {"arm": "Group"})
    ('arm', None)
    """
    inverse = {v.strip().lower(): k for k, v in names.items()} | {k: k for k in FACTOR_ORDER}
    parts = [s.strip().lower() for s in re.split(r"\s*(?:\*|×|:|\bx\b)\s*", effect) if s.strip()]
    factors = [inverse.get(s) for s in parts]
    if not factors or any(f is None for f in factors):
        return None
    return ":".join(f for f in FACTOR_ORDER if f in factors)


def printed_tests_replayed(
    tests: pd.DataFrame,
    data: pd.DataFrame,
    outcome: str,
    *,
    names: Mapping[str, str],
    between: Sequence[str],
    correlation: float,
) -> pd.DataFrame:
    """Each printed F of ``outcome`` against the mixed ANOVA of the reconstructed data.

    Parameters
    ----------
    tests : DataFrame
        The trial's ``tests.csv``.
    data : DataFrame
        Canonical long table of the reconstruction (``subject``, ``time``, between factors).
    names : mapping
        The trial's factor names (:func:`effect_source`).
    between : sequence of str
        Between factors of the design (``["arm"]`` or ``["stratum", "arm"]``).
    correlation : float
        The assumed within-subject correlation of the reconstruction, named in the note: F and p of
        the reconstructed data depend on it, the printed ones on the patients' real correlation.

    Returns
    -------
    DataFrame
        :data:`REPLAY_COLUMNS` rows of kind ``test``; ``reproduced`` is the F of the reconstructed
        data, ``match`` whether it rounds to the printed F (at the printed decimals).
    """
    rows = []
    printed = tests.fillna("")
    printed = printed[(printed["outcome"] == outcome) & (printed["test"] == "F") & (printed["status"] != NOT_AVAILABLE)]
    if printed.empty:
        return pd.DataFrame(columns=REPLAY_COLUMNS)
    table = mixed_anova(data, outcome, "time", "subject", list(between)).set_index("source")
    for r in printed.itertuples():
        source = effect_source(str(r.effect), names)
        published = f"F = {r.statistic}, p {r.p_as_printed}".strip()
        if source is None or source not in table.index or not str(r.statistic):
            rows.append(
                replay_row(
                    "test",
                    f"{outcome}: {r.effect} (F)",
                    published,
                    note="not compared: the effect does not name factors of the design (config design.factor_names)",
                )
            )
            continue
        a = table.loc[source]
        d = decimals(r.statistic) or 0
        rows.append(
            replay_row(
                "test",
                f"{outcome}: {r.effect} (F)",
                published,
                reproduced=float(a["F"]),
                decimals=d,
                match=rounds_to(float(a["F"]), float(r.statistic), d),
                note=f"reconstructed data, mixed ANOVA on complete cases: F({a['df1']:.0f}, {a['df2']:.0f}) = "
                f"{a['F']:.3f}, p {p_in_sentence(a['p_unc'])}; it rests on the assumed correlation "
                f"{correlation} between visits, the printed F on the patients' real one",
            )
        )
    return pd.DataFrame(rows, columns=REPLAY_COLUMNS)


def summary_claims(
    cells: pd.DataFrame,
    assumed: pd.DataFrame,
    claims: pd.DataFrame,
    *,
    outcome: str,
    correlation: float,
    alpha: float,
) -> pd.DataFrame:
    """Each printed claim of a within-group change, tested from the summaries (:func:`change_claims`).

    Returns
    -------
    DataFrame
        ``item`` (the claim in words), ``claim`` (as printed), ``group``, ``start``, ``visit``,
        ``direction``, ``t``, ``df``, ``p`` (paired t at the assumed ``correlation``),
        ``threshold`` (the correlation from which the change is significant,
        :func:`hiplbp.summary.ttest.paired_t_threshold`), ``holds`` (significant at ``alpha`` in the
        claimed direction) and ``assumed`` (a cell of the claim was not printed).
    """
    assumed_keys = {(a.group, a.time) for a in assumed.itertuples()}
    by_group = cells.set_index("group")
    rows = []
    for c in claims[claims["outcome"] == outcome].itertuples():
        if c.group not in by_group.index or f"mean_{c.start}" not in cells or f"mean_{c.end}" not in cells:
            raise ValueError(
                f"tests.csv: claim '{c.group}: {c.start} to {c.end}' of {outcome}: expected a printed group and "
                f"visits, found groups {list(by_group.index)} and visits of outcomes.csv"
            )
        g = by_group.loc[c.group]
        m0, s0, m1, s1 = g[f"mean_{c.start}"], g[f"sd_{c.start}"], g[f"mean_{c.end}"], g[f"sd_{c.end}"]
        # with drop-out, the patients seen at both visits: at most the smaller cell
        n = int(min(g.get(f"n_{c.start}", g["n"]), g.get(f"n_{c.end}", g["n"])))
        change_t, _, p = paired_t(n, m0, s0, m1, s1, correlation)
        # printed as SPSS prints a paired t: first visit minus second (positive for a decrease)
        tval = -change_t
        # the threshold is for a change in the observed direction; a claim against it never holds
        right_way = {"decrease": m1 < m0, "increase": m1 > m0}.get(c.direction, m1 != m0)
        verb = {"decrease": "decreased", "increase": "increased"}.get(c.direction, "changed")
        rows.append(
            dict(
                item=f"{outcome} of {c.group} {verb} significantly, {c.start} to {c.end}",
                claim=c.claim,
                group=c.group,
                start=c.start,
                visit=c.end,
                direction=c.direction,
                t=tval,
                df=n - 1,
                p=p,
                threshold=paired_t_threshold(n, m0, s0, m1, s1, alpha) if right_way else np.inf,
                holds=bool(right_way and p < alpha),
                assumed=(c.group, c.end) in assumed_keys or (c.group, c.start) in assumed_keys,
            )
        )
    return pd.DataFrame(
        rows,
        columns=[
            "item",
            "claim",
            "group",
            "start",
            "visit",
            "direction",
            "t",
            "df",
            "p",
            "threshold",
            "holds",
            "assumed",
        ],
    )


def summary_comparisons(
    cells: pd.DataFrame, assumed: pd.DataFrame, time_levels: Sequence[str], outcome: str = ""
) -> pd.DataFrame:
    """One-way ANOVA among the groups at each visit, from the summaries (:func:`oneway_from_summaries`).

    Returns
    -------
    DataFrame
        ``item, visit, F, df1, df2, p, assumed`` (``assumed``: some cell of that visit was not printed).
    """
    rows = []
    for t in time_levels:
        n = cells[f"n_{t}"] if f"n_{t}" in cells else cells["n"]
        f, d1, d2, p = oneway_from_summaries(n, cells[f"mean_{t}"], cells[f"sd_{t}"])
        rows.append(
            dict(
                item=f"{outcome + ': ' if outcome else ''}comparison among the {len(cells)} groups at {t} "
                "(one-way ANOVA from summaries)",
                visit=t,
                F=f,
                df1=d1,
                df2=d2,
                p=p,
                assumed=bool((assumed["time"] == t).any()),
            )
        )
    return pd.DataFrame(rows)


def _fmt_match(reproduced: float, published_text: str) -> tuple[bool, int]:
    d = decimals(published_text) or 0
    return rounds_to(reproduced, float(published_text), d), d


@dataclass(frozen=True)
class OutcomeCells:
    """One outcome's printed cells (:func:`~hiplbp.trial.cells.published_cells`) at the paper's visits.

    Attributes
    ----------
    outcome : str
        Outcome name (e.g. ``pain``).
    time_levels : sequence of str
        Visits; the first is baseline.
    cells, assumed : DataFrame
        The cells, assumed ones filled, and which cells are assumed.
    """

    outcome: str
    time_levels: Sequence[str]
    cells: pd.DataFrame
    assumed: pd.DataFrame


def published_vs_reproduced(
    summaries: pd.DataFrame,
    characteristics: pd.DataFrame,
    printed: OutcomeCells,
    claims: pd.DataFrame,
    *,
    correlation: float,
    alpha: float,
    raw: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every printed number and claim of the paper against its reproduction.

    Parameters
    ----------
    summaries, characteristics : DataFrame
        Published tables (:mod:`hiplbp.trial.published`).
    printed : OutcomeCells
        The outcome's printed cells.
    claims : DataFrame
        The trial's checkable claims (:func:`change_claims`); those of the outcome are tested.
    correlation : float
        Assumed within-subject correlation for tests that need it.
    alpha : float
        Significance level for claims.
    raw : DataFrame, optional
        Reconstructed individual data (wide); adds the table cells recomputed from it.

    Returns
    -------
    DataFrame
        ``kind`` (``cell``, ``claim`` or ``comparison``), ``item, published, reproduced, decimals,
        match, note``. ``match`` compares at the printed precision (numbers) or the direction of the
        claim (significance); it is empty where the paper printed nothing to compare.
    """
    rows = []
    if raw is not None:
        rows += _characteristic_rows(characteristics, raw)
        rows += _outcome_cell_rows(summaries, printed.outcome, raw)
    rows += _claim_rows(printed, claims, correlation, alpha, raw)
    rows += _comparison_rows(printed, raw)
    return pd.DataFrame(rows, columns=REPLAY_COLUMNS)


def replay_row(
    kind: str,
    item: str,
    published: str,
    *,
    reproduced: float = np.nan,
    decimals: float = np.nan,
    match: bool | None = None,
    note: str = "",
) -> dict:
    """One row of the replay (:data:`REPLAY_COLUMNS`); a row not compared has no reproduced value,
    decimals or match."""
    return dict(
        kind=kind, item=item, published=published, reproduced=reproduced, decimals=decimals, match=match, note=note
    )


def _characteristic_rows(characteristics: pd.DataFrame, raw: pd.DataFrame) -> list[dict]:
    """Each printed baseline mean and SD against the reconstructed patients'."""
    rows = []
    for r in characteristics.itertuples():
        v = raw.loc[raw.published_group == r.group, r.variable].astype(float)
        for stat, text, val in (("mean", r.mean, v.mean()), ("SD", r.sd, v.std(ddof=1))):
            ok, d = _fmt_match(val, text)
            why = (
                "derived per patient as weight/height^2; the printed BMI is not a target"
                if r.variable == "bmi"
                else UNREACHED
            )
            item = f"baseline {r.variable} {stat} {r.group}"
            rows.append(replay_row("cell", item, text, reproduced=val, decimals=d, match=ok, note="" if ok else why))
    return rows


def _outcome_cell_rows(summaries: pd.DataFrame, outcome: str, raw: pd.DataFrame) -> list[dict]:
    """Each printed mean and SD of the outcome against the reconstructed patients' (unprinted ones marked)."""
    rows = []
    for r in summaries[summaries.outcome == outcome].itertuples():
        v = raw.loc[raw.published_group == r.group, f"{outcome}_{r.time}"].astype(float)
        for stat, text, val in (("mean", r.mean, v.mean()), ("SD", r.sd, v.std(ddof=1))):
            item = f"{outcome} {stat} {r.group} {r.time}"
            if r.status == NOT_AVAILABLE:
                note = "not printed; the reconstruction uses the configured assumption"
                rows.append(replay_row("cell", item, NOT_AVAILABLE, reproduced=val, note=note))
                continue
            ok, d = _fmt_match(val, text)
            rows.append(
                replay_row("cell", item, text, reproduced=val, decimals=d, match=ok, note="" if ok else UNREACHED)
            )
    return rows


def _claim_rows(
    printed: OutcomeCells, claims: pd.DataFrame, correlation: float, alpha: float, raw: pd.DataFrame | None
) -> list[dict]:
    """Each claim of a significant change, tested from the summaries (and the reconstruction)."""
    outcome, rows = printed.outcome, []
    tested = summary_claims(
        printed.cells, printed.assumed, claims, outcome=outcome, correlation=correlation, alpha=alpha
    )
    for c in tested.itertuples():
        note = (
            f"paired t from the summaries at the assumed correlation {correlation}: t({c.df}) = {c.t:.2f}; "
            f"the claim holds for any correlation >= {c.threshold:.3f}"
            if np.isfinite(c.threshold)
            else "the claim holds for every correlation"
            if c.threshold == -np.inf
            else "the claim fails for every correlation"
        )
        if c.assumed:
            note = "a cell of this claim was not printed (assumption): " + note
        if c.claim:
            note = f"printed: {c.claim}; " + note
        if raw is not None:
            pair = raw.loc[raw.published_group == c.group, [f"{outcome}_{c.start}", f"{outcome}_{c.visit}"]]
            pair = pair.astype(float).dropna()
            paired = stats.ttest_rel(pair.iloc[:, 0], pair.iloc[:, 1])
            note += f"; reconstructed data: paired t = {paired.statistic:.2f}, p {p_in_sentence(paired.pvalue)}"
        rows.append(
            replay_row(
                "claim",
                f"claim: {c.item}",
                f"significant {c.direction or 'change'}",
                reproduced=c.p,
                match=bool(c.holds),
                note=note,
            )
        )
    return rows


def _comparison_rows(printed: OutcomeCells, raw: pd.DataFrame | None) -> list[dict]:
    """The one-way ANOVA among the groups at each visit, which the tables do not print."""
    outcome, cells, rows = printed.outcome, printed.cells, []
    for c in summary_comparisons(cells, printed.assumed, printed.time_levels, outcome).itertuples():
        note = (
            f"F({c.df1}, {c.df2}) = {c.F:.3f}, closed form from n, means, SDs; the trial's tables print no "
            "such test" + ("; uses assumed cells" if c.assumed else "")
        )
        if raw is not None:
            res = stats.f_oneway(
                *[raw.loc[raw.published_group == g, f"{outcome}_{c.visit}"].astype(float).dropna() for g in cells.group]
            )
            note += f"; reconstructed data: F = {res.statistic:.3f}, p {p_in_sentence(res.pvalue)}"
        rows.append(
            replay_row(
                "comparison",
                c.item,
                NOT_AVAILABLE,
                reproduced=c.p,
                note=note,
            )
        )
    return rows


@dataclass(frozen=True)
class ReplaySettings:
    """How a run reads and replays a trial's printed tables (the rule ``replay``'s arguments).

    Attributes
    ----------
    arms : mapping
        ``treatment``/``control`` -> the arm's label in the design.
    arm_from : str
        ``marker`` or ``label``: which printed attribute decides a group's arm.
    assumptions : sequence of mapping
        Values for cells the paper did not print (``reconstruction.assumptions``).
    correlation, alpha : float
        The configured correlation between visits; the significance level of the claims.
    outcomes : sequence of mapping
        The run's outcome definitions (those the reconstruction made).
    names : mapping
        The trial's own names of its factors.
    between : sequence of str
        The between-subject factors, in model order.
    """

    arms: Mapping[str, str]
    arm_from: str
    assumptions: Sequence[Mapping]
    correlation: float
    alpha: float
    outcomes: Sequence[Mapping]
    names: Mapping[str, str]
    between: Sequence[str]

    @classmethod
    def from_arguments(cls, arguments: Mapping) -> ReplaySettings:
        """From the rule's arguments (:func:`hiplbp.run.stages.stage_arguments` of ``replay``)."""
        rec, design = arguments["reconstruction"], arguments["design"]
        return cls(
            arms=arguments["arms"],
            arm_from=rec["arm_from"],
            assumptions=rec["assumptions"],
            correlation=float(rec["correlation"]),
            alpha=float(arguments["alpha"]),
            outcomes=design["outcomes"],
            names=design["design"]["factor_names"],
            between=Design.from_config(design).between,
        )


def replay_trial(
    groups: pd.DataFrame,
    summaries: pd.DataFrame,
    characteristics: pd.DataFrame,
    tests: pd.DataFrame,
    raw: pd.DataFrame | None,
    settings: ReplaySettings,
) -> pd.DataFrame:
    """Every printed number, claim and test of a trial against its recomputation (``published_vs_reproduced.csv``).

    Each outcome table is replayed at the paper's own visits, in printed order, from its printed
    cells; where the reconstruction ``raw`` has the outcome (the run analyses it), the reproduced
    values and the printed test statistics are compared with the reconstructed patients too. The
    baseline characteristics are compared once, with the first outcome; claims the tables cannot
    test are listed last.
    """
    claims = change_claims(tests)
    parts: list[pd.DataFrame] = []
    for outcome, s in summaries.groupby("outcome", sort=False):
        times = list(dict.fromkeys(s["time"]))
        cells, assumed = published_cells(
            groups, summaries, outcome, times, settings.arms, settings.arm_from, settings.assumptions
        )
        reconstructed = raw is not None and f"{outcome}_{times[0]}" in raw
        parts.append(
            published_vs_reproduced(
                summaries,
                characteristics if not parts else characteristics.iloc[:0],
                OutcomeCells(outcome, times, cells, assumed),
                claims,
                correlation=settings.correlation,
                alpha=settings.alpha,
                raw=raw if reconstructed else None,
            )
        )
        definition = next((o for o in settings.outcomes if o["name"] == outcome), None)
        if reconstructed and definition is not None:
            parts.append(
                printed_tests_replayed(
                    tests,
                    raw_to_long(raw, definition, times),
                    outcome,
                    names=settings.names,
                    between=list(settings.between),
                    correlation=settings.correlation,
                )
            )
    parts.append(unchecked_claims(tests, list(summaries["outcome"].unique())))
    return pd.concat([t for t in parts if len(t)], ignore_index=True).reindex(columns=REPLAY_COLUMNS)
