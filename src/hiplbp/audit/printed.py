"""The audit of a trial's printed tables as its config reads them: one function for every caller.

The rule ``audit`` of a trial's own run and the screen of many trials both call
:func:`printed_findings`, with :class:`PrintedAudit` taken from the trial's (validated) config by
:meth:`PrintedAudit.from_config`; so a trial screened with others gives the findings of its own run,
down to the Monte Carlo p values (same seed, same draws).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from ..summary.replay import OutcomeCells, change_claims, unchecked_claims
from ..trial import published
from ..trial.cells import published_cells
from ..trial.tables import Trial
from .baseline import carlisle_checks, carlisle_variables
from .publication import publication_findings
from .reported import reported_statistic_checks
from .table1 import baseline_p_checks
from .trial import flow_checks, percent_checks
from .verdicts import FINDING_COLUMNS, arm_text


@dataclass(frozen=True)
class PrintedAudit:
    """What a trial's config says about auditing its printed tables.

    Attributes
    ----------
    arms : mapping
        ``treatment``/``control`` -> the arm's label in the design (``design.arms``).
    meaning : mapping
        The trial's markers, labels and stratum names (:func:`hiplbp.trial.published.trial_meaning`).
    arm_text : mapping
        ``treatment``/``control`` -> the arm in the paper's words.
    arm_from : str
        ``marker`` or ``label``: which printed attribute decides a group's arm.
    granularity, bounds : mapping
        Measure -> step of one value; outcome -> (min, max) of its scale.
    assumptions : sequence of mapping
        Values for cells the paper did not print (``reconstruction.assumptions``).
    correlation : float
        The configured correlation between visits (for claims tested from the summaries).
    alpha : float
        Significance level of the claims.
    seed, draws : int
        Carlisle's Monte Carlo (``reconstruction.seed``, ``audit.carlisle_draws``).
    baseline_visit : str or None
        The baseline visit (``design.baseline`` where it is a visit), whose outcome rows join the
        baseline characteristics in Carlisle's method; ``None``: each outcome's first printed visit.
    within_names : list of str or None
        The within-subject factors by the names the tables print (``design.factor_names.time``,
        the factors of ``design.within``); ``None`` where the config names none, and then each
        reported effect is tried as both (:mod:`hiplbp.audit.reported`).
    """

    # no defaults: every setting comes from a validated config, whose schema holds the defaults
    arms: Mapping[str, str]
    meaning: Mapping[str, Mapping[str, str]]
    arm_text: Mapping[str, str]
    arm_from: str
    granularity: Mapping[str, float | str]
    bounds: Mapping[str, tuple[float, float]]
    assumptions: Sequence[Mapping]
    correlation: float
    alpha: float
    seed: int
    draws: int
    within_names: list[str] | None
    baseline_visit: str | None

    @classmethod
    def from_config(cls, config: Mapping) -> PrintedAudit:
        """The settings of a validated run config (schema defaults filled in) with a ``trial`` folder.

        Examples
        --------
        >>> from hiplbp.run.config import validated
        >>> s = PrintedAudit.from_config(validated({"data": {"source": "reconstructed"},
        ...     "design": {"time_levels": ["0", "1"], "baseline": "0", "arms": {"treatment": "t", "control": "c"}},
        ...     "trial": {"folder": "x", "arms": {"treatment": "new drug"}},
        ...     "outcomes": [{"name": "pain", "column": "pain", "min": 0, "max": 10}],
        ...     "reconstruction": {"seed": 7}, "audit": {"granularity": {"pain": 1}}}))
        >>> s.arm_text["treatment"], s.bounds, s.seed, s.draws, s.arm_from
        ('new drug', {'pain': (0.0, 10.0)}, 7, 100000, 'marker')
        """
        trial, rec = config["trial"], config["reconstruction"]
        return cls(
            arms={str(k): str(v) for k, v in config["design"]["arms"].items()},
            meaning=published.trial_meaning(trial),
            arm_text=arm_text(trial),
            arm_from=str(rec["arm_from"]),
            granularity=measure_steps(config),
            bounds=scale_bounds(config),
            assumptions=list(rec["assumptions"]),
            correlation=float(rec["correlation"]),
            alpha=float(config["analysis"]["alpha"]),
            seed=int(rec["seed"]),
            draws=int(config["audit"]["carlisle_draws"]),
            within_names=within_names(config["design"]),
            baseline_visit=baseline_visit(config["design"]),
        )

    def as_params(self) -> dict:
        """Plain values (a rule's params; Snakemake reruns the audit when one changes)."""
        out = asdict(self)
        out["bounds"] = {k: list(v) for k, v in self.bounds.items()}
        out["assumptions"] = [dict(a) for a in self.assumptions]
        return out


def baseline_visit(design: Mapping) -> str | None:
    """``design.baseline`` where it names a visit of ``design.time_levels``, else ``None``.

    Examples
    --------
    >>> baseline_visit({"baseline": "t0", "time_levels": ["t0", "t1"]}), baseline_visit({"baseline": "none"})
    ('t0', None)
    """
    base = design.get("baseline")
    visits = [str(t) for t in design.get("time_levels") or []]
    return str(base) if base is not None and str(base) in visits else None


def within_names(design: Mapping) -> list[str] | None:
    """The design's within factors by the names its tables print, or ``None`` where it names none.

    Examples
    --------
    >>> within_names({"factor_names": {"time": "Time"}}), within_names({"factor_names": {}})
    (['Time'], None)
    >>> within_names({"within": {"phase": ["pre"], "hour": [1]}})
    ['phase', 'hour']
    """
    names = [str(f) for f in (design.get("within") or {})]
    time = (design.get("factor_names") or {}).get("time")
    if time is not None:
        names.append(str(time))
    return names or None


def measure_steps(config: Mapping) -> dict[str, float | str]:
    """Measure -> step of one value (``audit.granularity``) of a config, whole or partial: a number,
    or the text of a fraction (``"1/3"``), which the checks take exactly."""
    steps = (config.get("audit") or {}).get("granularity") or {}
    return {str(k): v.strip() if isinstance(v, str) else float(v) for k, v in steps.items()}


def scale_bounds(config: Mapping) -> dict[str, tuple[float, float]]:
    """Outcome -> (min, max) of its scale, for the outcomes of a config (whole or partial) that give both."""
    return {
        str(o["name"]): (float(o["min"]), float(o["max"]))
        for o in config.get("outcomes") or []
        if "min" in o and "max" in o
    }


def printed_findings(trial: Trial, settings: PrintedAudit) -> pd.DataFrame:
    """Every check of a trial folder's printed tables, as its config reads them.

    Per outcome table: GRIM/GRIMMER and the exact mean-SD test, the counts, the labels, the claims
    tested from the summaries, BMI, the allocation and Carlisle's method on the baseline table and
    the outcomes' baselines (:func:`hiplbp.audit.publication.publication_findings`); then the
    percentages, the reported test statistics and the flow (:mod:`hiplbp.audit.trial`). A check that
    belongs to the paper rather than to an outcome is reported once.

    Returns
    -------
    DataFrame
        :data:`hiplbp.audit.verdicts.FINDING_COLUMNS`, one row per (check, target).
    """
    folder = trial.folder
    groups = published.read_groups(folder / "groups.csv", **settings.meaning)
    summaries = published.read_summaries([folder / "outcomes.csv"])
    characteristics = published.read_characteristics(_optional(folder / "characteristics.csv"))
    enrollment = published.read_enrollment(_optional(folder / "flow.csv"))
    claims = change_claims(trial.tests)
    unchecked = unchecked_claims(trial.tests, list(summaries["outcome"].unique()))
    assumptions = [dict(a) for a in settings.assumptions]
    parts: list[pd.DataFrame] = []
    for outcome, s in summaries.groupby("outcome", sort=False):
        times = list(dict.fromkeys(s["time"]))  # the paper's visits, in printed order
        first = not parts
        arms, arm_from = settings.arms, settings.arm_from
        cells, assumed = published_cells(groups, summaries, outcome, times, arms, arm_from, assumptions)
        parts.append(
            publication_findings(
                groups,
                s,
                characteristics if first else characteristics.iloc[:0],
                enrollment,
                OutcomeCells(str(outcome), times, cells, assumed),
                claims,
                settings,
                unchecked=unchecked if first else None,
            )
        )
    # Carlisle's method once over every baseline row of the trial (carlisle_variables), as the screen
    base = carlisle_variables(characteristics, summaries, settings.baseline_visit)
    blocks = groups.assign(stratum=groups["stratum"].replace("", "all"))
    trial_wide = carlisle_checks(blocks, base, seed=settings.seed, draws=settings.draws)
    trial_wide += baseline_p_checks(trial.characteristics, groups.set_index("group")["n"].astype(int).to_dict())
    parts.append(pd.DataFrame(trial_wide, columns=FINDING_COLUMNS))
    parts.append(
        pd.DataFrame(
            percent_checks(trial) + reported_statistic_checks(trial, settings.within_names) + flow_checks(trial),
            columns=FINDING_COLUMNS,
        )
    )
    table = pd.concat([t for t in parts if len(t)], ignore_index=True)
    return table.drop_duplicates(["check", "target"]).reset_index(drop=True)


def _optional(path: Path) -> Path | None:
    return path if path.exists() else None
