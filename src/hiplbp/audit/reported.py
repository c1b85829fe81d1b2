"""Reported tests recomputed with the df they print, or with every df the design and the n allow.

A printed t, F or chi-square is recomputed from its printed value (over its rounding interval)
and its df:

- **printed df** are used as printed (a fractional df, e.g. Welch's ``45.3``, over its rounding
  interval);
- **no printed df**: every df the printed n allow is tried, each named: for a t, pooled
  (``N - groups``), paired (``n - 1`` of a group) and Welch (anywhere from ``min n - 1`` to
  ``N - groups``); for an F without its denominator, the denominator of a between-subject effect
  (``N - groups``) or of a within-subject one (``(k - 1) (N - groups)``, with any sphericity
  correction); for a chi-square, ``1`` to ``groups - 1``.

Which effects are within-subject comes from the design (the run config's name of its visits,
``design.factor_names.time``, and the two factors of ``design.within``), never from a word such
as "Time": where nothing declares it, both roles are tried. The explanation names which df
reproduce the printed p.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from fractions import Fraction

from ..integrity import recompute_p
from ..integrity.statcheck import RecomputedTest
from ..text import plain
from ..trial.published import NOT_AVAILABLE, decimals
from ..trial.tables import Trial
from .verdicts import _row


@dataclass(frozen=True)
class Candidate:
    """One reading of a test's df: its name, the (df1, df2) pairs and the sphericity range."""

    name: str
    dfs: tuple[tuple[float, float], ...]
    epsilon: tuple[float, float] = (1.0, 1.0)


def df_interval(text: str) -> tuple[float, ...]:
    """A printed df as the values it may stand for: itself if whole, its rounding interval's ends if not.

    Examples
    --------
    >>> df_interval("23"), df_interval("45.3")
    ((23.0,), (45.25, 45.35))
    """
    d = decimals(text) or 0
    if d == 0:
        return (float(text),)
    value, half = Fraction(text), Fraction(1, 2 * 10**d)
    return (float(value - half), float(value + half))


def effect_factors(effect: str) -> list[str]:
    """The factors of a printed effect, lower case: ``"Time*Group"`` -> ``["time", "group"]``.

    Examples
    --------
    >>> effect_factors("Visit x Arm"), effect_factors("phase:hour"), effect_factors("Group × Time")
    (['visit', 'arm'], ['phase', 'hour'], ['group', 'time'])
    """
    return [p.strip().lower() for p in re.split(r"\s*(?:\*|×|:|\bx\b|\bby\b)\s*", str(effect)) if p.strip()]


def _sizes(trial: Trial, outcome: str) -> tuple[set[int], set[int], int]:
    """The totals ``N`` and the single groups' ``n`` the tables print for an outcome, and the groups."""
    o = trial.outcomes[trial.outcomes["outcome"] == outcome]
    g = trial.groups
    totals = {int(g["n_analysed"].astype(int).sum())}
    singles = set(g["n_analysed"].astype(int))
    if "n_randomised" in g and g["n_randomised"].str.isdigit().all():
        totals.add(int(g["n_randomised"].astype(int).sum()))
        singles |= set(g["n_randomised"].astype(int))
    if "n" in o and o["n"].str.isdigit().all() and not o.empty:
        cells = o.assign(n=o["n"].astype(int))
        totals |= {int(x) for x in cells.groupby("time")["n"].sum()}
        singles |= set(cells["n"])
    return totals, singles, len(g)


def candidates(trial: Trial, test: str, outcome: str, df_printed: str, role: str | None) -> list[Candidate]:
    """Every df reading of one printed test (:mod:`module docstring <hiplbp.audit.reported>`).

    ``role`` is ``within``, ``between`` or ``None`` (not declared: both are tried).
    """
    numbers = re.findall(r"\d+(?:\.\d+)?", str(df_printed))
    totals, singles, k_groups = _sizes(trial, outcome)
    k = max(trial.outcomes.loc[trial.outcomes["outcome"] == outcome, "time"].nunique(), 2)
    pooled = sorted(t - k_groups for t in totals if t > k_groups)
    if test == "t":
        if numbers:
            return [Candidate(f"printed df {numbers[0]}", tuple((1.0, d) for d in df_interval(numbers[0])))]
        out = [Candidate(f"pooled (df {_list(pooled)})", tuple((1.0, float(d)) for d in pooled))]
        paired = sorted(n - 1 for n in singles if n > 1)
        out.append(Candidate(f"paired (df {_list(paired)})", tuple((1.0, float(d)) for d in paired)))
        if pooled and paired:
            low, high = min(paired), max(pooled)
            out.append(Candidate(f"Welch (df {low}-{high})", ((1.0, float(high)),), (low / high, 1.0)))
        return [c for c in out if c.dfs]
    if test == "chi2":
        if numbers:
            return [Candidate(f"printed df {numbers[0]}", tuple((d, 1.0) for d in df_interval(numbers[0])))]
        return [Candidate(f"df {d}", ((float(d), 1.0),)) for d in range(1, max(k_groups, 2))]
    if len(numbers) >= 2:
        pairs = tuple((a, b) for a in df_interval(numbers[0]) for b in df_interval(numbers[1]))
        sphericity = (1.0 / (k - 1), 1.0) if role == "within" else (1.0, 1.0)
        return [Candidate(f"printed df ({numbers[0]}, {numbers[1]})", pairs, sphericity)]
    df1 = float(numbers[0]) if numbers else 1.0
    out = []
    if role in (None, "between"):
        out.append(Candidate(f"between subjects (df2 {_list(pooled)})", tuple((df1, float(d)) for d in pooled)))
    if role in (None, "within"):
        within = [(k - 1) * d for d in pooled]
        out.append(
            Candidate(
                f"within subjects (df2 {_list(within)}, any sphericity correction)",
                tuple((df1, float(d)) for d in within),
                (1.0 / (k - 1), 1.0),
            )
        )
    return [c for c in out if c.dfs]


def _list(values: Sequence[float]) -> str:
    return ", ".join(f"{v:g}" for v in values)


def effect_role(effect: str, within_names: Collection[str] | None) -> str | None:
    """``within`` when a factor of the effect is a declared within factor, ``between`` when none
    is, ``None`` when the design declares none.

    Examples
    --------
    >>> effect_role("Visit*Group", {"visit"}), effect_role("Group", {"visit"}), effect_role("Time", None)
    ('within', 'between', None)
    """
    if within_names is None:
        return None
    names = {n.lower() for n in within_names}
    return "within" if any(f in names for f in effect_factors(effect)) else "between"


def reported_statistic_checks(trial: Trial, within_names: Collection[str] | None = None) -> list[dict]:
    """Each reported F, t or chi-square recomputed from its printed statistic, df and p.

    Parameters
    ----------
    trial : Trial
        The trial's tables (``tests.csv``).
    within_names : collection of str, optional
        The design's within-subject factors by the names the tables print (e.g. ``{"Time"}``);
        ``None`` where nothing declares them: each effect is then tried as both.
    """
    rows: list[dict] = []
    t = trial.tests
    if t.empty:
        return rows
    # a printed difference (an effect estimate) is not a test statistic: the band rule checks it
    for r in t[t["test"].isin(["F", "t", "chi2"]) & (t["status"] != NOT_AVAILABLE)].itertuples():
        if not r.statistic:
            continue
        role = effect_role(str(r.effect), within_names)
        readings = candidates(trial, r.test, r.outcome, r.df_as_printed, role if r.test == "F" else None)
        results = [(c, recompute_p(r.test, r.statistic, c.dfs, r.p_as_printed, epsilon=c.epsilon)) for c in readings]
        rows.append(_reported_row(f"{r.outcome}: {r.effect}", f"{r.test} = {r.statistic}, p {r.p_as_printed}", results))
    return rows


def _reported_row(target: str, value: str, results: list[tuple[Candidate, RecomputedTest]]) -> dict:
    """The finding of one reported test (``value``: as printed) from its readings' recomputed p ranges."""
    if not results:
        return _row(
            "reported_statistic",
            target,
            value,
            verdict="not_applicable",
            explanation="The tables give no n from which a df could be read.",
        )
    low = min(res.p_low for _, res in results)
    high = max(res.p_high for _, res in results)
    fits = [c.name for c, res in results if res.consistent]
    tried = "; ".join(f"{c.name}: p in [{plain(res.p_low, 4)}, {plain(res.p_high, 4)}]" for c, res in results)
    if all(res.consistent is None for _, res in results):
        verdict, text = "not_applicable", results[0][1].explanation
    elif fits:
        verdict, text = "pass", f"{value} is reproduced by {' and by '.join(fits)}. Tried: {tried}."
    else:
        verdict = "flag"
        text = (
            f"No df the tables allow reproduces {value}. Tried: {tried}. A printed p that no allowed df gives is a "
            "question for the authors (often a typo or a p from another test)."
        )
    return _row(
        "reported_statistic",
        target,
        value,
        f"p in [{plain(low)}, {plain(high)}]",
        p=high,
        verdict=verdict,
        explanation=text,
    )
