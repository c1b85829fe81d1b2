"""Screening many trials: the audit of each trial folder, and one row per trial.

The checks are those of :func:`hiplbp.audit.trial.audit_trial` (GRIM, the exact mean-SD test,
percentages, reported tests, the flow, Carlisle's method), plus the allocation ratio; a trial folder
that fails validation becomes a row with its one-line reason instead of stopping the screen. What a
trial's own ``config.yaml`` says about its measures (``audit.granularity``, the outcomes' ``min``
and ``max``) is used when the folder has one.

The screen splits the trial folders into chunks (:func:`chunked`), one job each
(:func:`screen_chunk`), and stacks the chunks' tables. Each trial's Monte Carlo seed derives from
the configured seed and the trial's name only, so a trial's findings do not depend on the chunk,
the order or the other trials it is screened with.
"""

from __future__ import annotations

import glob
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from . import published
from .audit.baseline import allocation_row
from .audit.trial import audit_trial
from .common import derive_seed
from .config import read_config_file
from .errors import UserError
from .integrity import stouffer
from .trial import Trial, read_trial

#: The checks counted per trial in ``trials.csv`` (``flags_<check>``).
SCREENED_CHECKS = [
    "grim",
    "grimmer",
    "mean_sd_consistency",
    "percent_consistency",
    "reported_statistic",
    "n_reconciliation",
    "allocation_ratio",
    "carlisle",
]
TRIAL_COLUMNS = [
    "trial",
    "status",
    "reason",
    "checks",
    "flags",
    *[f"flags_{c}" for c in SCREENED_CHECKS],
    "carlisle_p_different",
    "carlisle_p_similar",
    "allocation_p",
    "inconsistent_tests",
    "unexplained_losses",
]


def measures(folder: Path) -> tuple[dict[str, float], dict[str, tuple[float, float]]]:
    """Steps and scale bounds of a trial's measures from its ``config.yaml`` (empty without one)."""
    path = folder / "config.yaml"
    if not path.exists():
        return {}, {}
    config = read_config_file(path)
    steps = {str(k): float(v) for k, v in ((config.get("audit") or {}).get("granularity") or {}).items()}
    bounds = {
        str(o["name"]): (float(o["min"]), float(o["max"]))
        for o in config.get("outcomes") or []
        if "min" in o and "max" in o
    }
    return steps, bounds


def arms(folder: Path) -> pd.Series:
    """Each group's arm: as ``groups.csv`` states it, else by the footnote markers the trial's
    ``config.yaml`` explains (``trial.marker_arms``), else unknown (empty)."""
    path = folder / "config.yaml"
    meaning = published.trial_meaning(read_config_file(path).get("trial") or {}) if path.exists() else {}
    groups = published.read_groups(folder / "groups.csv", **meaning)
    return groups.set_index("group")["arm_by_marker"].fillna("").astype(str)


def allocation(trial: Trial, arm_of: pd.Series | None = None) -> dict | None:
    """The exact binomial test of the arms' sizes against 1:1 (randomised n where printed, else analysed)."""
    g = trial.groups
    arm = g["group"].map(arm_of) if arm_of is not None else g.get("arm", pd.Series("", index=g.index))
    arm = arm.fillna("")
    if not set(arm) >= {"treatment", "control"}:
        return None
    column = "n_randomised" if "n_randomised" in g and g["n_randomised"].str.isdigit().all() else "n_analysed"
    n = g[column].astype(int)
    treated, total = int(n[arm == "treatment"].sum()), int(n[arm.isin(["treatment", "control"])].sum())
    p = float(stats.binomtest(treated, total, 0.5).pvalue)
    return allocation_row(
        "arms",
        treated,
        total,
        p,
        f"{treated} of {total} {column.replace('n_', '')} patients in the treatment arm: p = {p:.3f} against 1:1.",
    )


def unexplained_losses(trial: Trial) -> int:
    """Patients randomised but missing from the last visit's printed n, when the folder has no flow table."""
    g, o = trial.groups, trial.outcomes
    if not trial.flow.empty or "n_randomised" not in g or "n" not in o or o.empty:
        return 0
    lost = 0
    last = o[o["n"].str.isdigit()].groupby("group")["n"].apply(lambda s: int(s.astype(int).min()))
    for r in g.itertuples():
        if str(r.n_randomised).isdigit() and r.group in last:
            lost += max(int(r.n_randomised) - int(last[r.group]), 0)
    return lost


def screen_trial(folder: str | Path, *, seed: int, draws: int = 10_000) -> tuple[pd.DataFrame, dict]:
    """The findings of one trial folder (with a ``trial`` column) and its row of ``trials.csv``.

    A folder that fails validation gives no findings and a row with ``status`` ``invalid`` and the
    one-line reason.
    """
    folder = Path(folder)
    name = folder.name
    empty = pd.DataFrame(columns=["trial"])
    try:
        trial = read_trial(folder)
        steps, bounds = measures(folder)
        arm_of = arms(folder)
    except UserError as err:
        return empty, dict.fromkeys(TRIAL_COLUMNS, np.nan) | dict(trial=name, status="invalid", reason=str(err))
    findings = audit_trial(trial, granularity=steps, bounds=bounds, seed=seed, draws=draws)
    extra = allocation(trial, arm_of)
    if extra is not None:
        findings = pd.concat([findings, pd.DataFrame([extra])], ignore_index=True)
    findings.insert(0, "trial", name)
    return findings, trial_summary(name, findings, unexplained_losses(trial))


def trial_summary(name: str, findings: pd.DataFrame, lost: int = 0) -> dict:
    """One row of ``trials.csv`` from a trial's findings.

    ``carlisle_p_different`` and ``carlisle_p_similar`` combine every baseline variable's p (all
    strata) by Stouffer's method: uniform under true randomization, small when the arms are too
    different or too alike.
    """
    flags = findings[findings["verdict"] == "flag"]
    row: dict[str, object] = dict(trial=name, status="screened", reason="", checks=len(findings), flags=len(flags))
    for check in SCREENED_CHECKS:
        row[f"flags_{check}"] = int((flags["check"] == check).sum())
    carlisle = findings[(findings["check"] == "carlisle") & ~findings["target"].str.endswith(": combined")]
    ps = carlisle["p"].dropna().to_numpy(float)
    if len(ps):
        _, p_diff, p_sim = stouffer(list(ps))
        row |= dict(carlisle_p_different=p_diff, carlisle_p_similar=p_sim)
    else:
        row |= dict(carlisle_p_different=np.nan, carlisle_p_similar=np.nan)
    alloc = findings.loc[findings["check"] == "allocation_ratio", "p"]
    row["allocation_p"] = float(alloc.iloc[0]) if len(alloc) else np.nan
    row["inconsistent_tests"] = int((flags["check"] == "reported_statistic").sum())
    row["unexplained_losses"] = int(lost)
    return row


def trial_folders(patterns: Sequence[str], root: str | Path = ".") -> list[str]:
    """The folders the patterns name (paths or globs, relative to ``root``), sorted and unique.

    A pattern that matches nothing is kept as it is, so that the screen lists it as invalid ("not
    found") rather than silently screening fewer trials.

    Examples
    --------
    >>> trial_folders(["trials/*"], root=Path(__file__).parents[2])[:2]
    ['trials/ebadi2012', 'trials/lee2015']
    """
    root = Path(root)
    out: set[str] = set()
    for pattern in patterns:
        hits = [Path(h) for h in glob.glob(str(pattern), root_dir=root)]
        folders = [str(h) for h in hits if (root / h).is_dir()]
        out.update(folders if hits else [str(pattern)])
    return sorted(out)


def chunked(folders: Sequence[str], size: int) -> list[list[str]]:
    """The folders in chunks of at most ``size`` (one job each).

    Examples
    --------
    >>> chunked(["a", "b", "c"], 2)
    [['a', 'b'], ['c']]
    """
    return [list(folders[i : i + size]) for i in range(0, len(folders), size)]


def screen_chunk(folders: Sequence[str | Path], *, seed: int, draws: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every trial of a chunk: the stacked findings and the rows of ``trials.csv``.

    A folder that does not exist is an invalid trial like one that fails validation.
    """
    found, rows = [], []
    for folder in map(Path, folders):
        if not folder.is_dir():
            rows.append(
                dict.fromkeys(TRIAL_COLUMNS, np.nan)
                | dict(trial=folder.name, status="invalid", reason=f"{folder}: not found; expected a trial folder")
            )
            continue
        findings, row = screen_trial(folder, seed=derive_seed(seed, "screen", folder.name), draws=draws)
        found.append(findings)
        rows.append(row)
    findings = pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=["trial"])
    return findings, pd.DataFrame(rows, columns=TRIAL_COLUMNS)


def ranked(trials: pd.DataFrame) -> pd.DataFrame:
    """The trials worth a closer look first: invalid ones, then by flags, then by the smaller
    Carlisle tail (most extreme baseline first), then by name."""
    t = trials.copy()
    t["_invalid"] = t["status"] != "screened"
    t["_carlisle"] = t[["carlisle_p_different", "carlisle_p_similar"]].min(axis=1).fillna(1.0)
    t = t.sort_values(["_invalid", "flags", "_carlisle", "trial"], ascending=[False, False, True, True], kind="stable")
    return t.drop(columns=["_invalid", "_carlisle"]).reset_index(drop=True)
