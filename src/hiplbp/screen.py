"""Screening many trials: the audit of each trial folder, and one row per trial.

A trial folder whose ``config.yaml`` describes its own run is audited exactly as that run's rule
``audit`` audits its printed tables (:func:`hiplbp.audit.printed.printed_findings`: the same arms,
assumptions, seed and Monte Carlo draws), so it gives the same findings screened or alone. Any other
folder is audited from its tables alone: the checks of :func:`hiplbp.audit.trial.audit_trial` (GRIM,
the exact mean-SD test, percentages, reported tests, the flow, Carlisle's method) plus the
allocation ratio, with the measures its ``config.yaml`` may name (``audit.granularity``, the
outcomes' ``min`` and ``max``). A trial folder that fails validation becomes a row with its one-line
reason instead of stopping the screen.

The screen splits the trial folders into chunks (:func:`chunked`), one job each
(:func:`screen_chunk`), and stacks the chunks' tables. Each trial's Monte Carlo seed derives from
the configured seed and the trial's name only (or is its own run's), so a trial's findings do not
depend on the chunk, the order or the other trials it is screened with.
"""

from __future__ import annotations

import glob
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .audit.printed import PrintedAudit, baseline_visit, measure_steps, printed_findings, scale_bounds, within_names
from .audit.publication import allocation_checks
from .audit.trial import audit_trial
from .audit.verdicts import CHECKS, FINDING_COLUMNS, arm_text
from .errors import UserError
from .integrity import stouffer
from .run.config import check_config, read_config_file, resolve_extends, trial_groups, validate_config, with_visits
from .seeds import derive_seed
from .trial import published
from .trial.tables import Trial, read_trial

#: The checks counted per trial in ``trials.csv`` (``flags_<check>``): every check of the audit.
SCREENED_CHECKS = list(CHECKS)
#: The severities counted per trial (``flags_<severity>``), surest first.
FLAGGED_SEVERITIES = ["impossible", "improbable", "inconsistent"]
TRIAL_COLUMNS = [
    "trial",
    "status",
    "reason",
    "checks",
    "flags",
    *[f"flags_{s}" for s in FLAGGED_SEVERITIES],
    *[f"flags_{c}" for c in SCREENED_CHECKS],
    "carlisle_p_different",
    "carlisle_p_similar",
    "allocation_p",
    "inconsistent_tests",
    "unexplained_losses",
]


def folder_config(folder: Path) -> dict:
    """A trial folder's ``config.yaml`` as written (empty without one)."""
    path = folder / "config.yaml"
    return read_config_file(path) if path.exists() else {}


def run_config(folder: str | Path, schema: Mapping, root: str | Path = ".") -> dict | None:
    """The trial's own run config, resolved (``extends``) and validated with its defaults, when its
    ``config.yaml`` describes a run (has a ``design``); else None (no config, or only the measures).

    ``folder`` is relative to ``root`` (the run's root, which ``extends`` paths are relative to) or
    absolute. A config that fails validation raises :class:`hiplbp.run.config.ConfigError` with its one
    line, naming the file as ``folder`` names it.
    """
    raw = folder_config(Path(root) / folder)
    if "design" not in raw and "extends" not in raw:
        return None
    origin = str(Path(folder) / "config.yaml")
    return with_visits(validate_config(resolve_extends(raw, root=root, origin=origin), schema, origin=origin), origin)


def own_runs(
    patterns: Sequence[str], schema: Mapping, root: str | Path = "."
) -> tuple[dict[str, dict], dict[str, str]]:
    """The trial folders whose own run (reconstruction, analysis, sensitivity, report) the screen makes.

    Returns each runnable folder's validated run config by trial name (its folder's name), its
    ``trial.folder`` set to the folder, and by folder the one-line reason each other folder cannot
    be run: not found, no run config, a config or table that fails validation, or a name an earlier
    folder (in sorted order) already has.
    """
    configs: dict[str, dict] = {}
    reasons: dict[str, str] = {}
    for folder in map(Path, trial_folders(patterns, root=root)):
        name = folder.name
        try:
            if name in configs:
                raise UserError(f"{folder}: another trial folder is also named {name!r}; rename one to run both")
            if not (Path(root) / folder).is_dir():
                raise UserError(f"{folder}: not found; expected a trial folder")
            config = run_config(folder, schema, root)
            if config is None:
                raise UserError(f"{folder / 'config.yaml'}: no run config (a `design` section); expected one to run it")
            read_trial(Path(root) / folder)
            # checked where it is (paths in a config are relative to the run's root), run as named
            here = config | {"trial": dict(config.get("trial") or {}) | {"folder": str(Path(root) / folder)}}
            check_config(here, groups=trial_groups(here), origin=str(folder / "config.yaml"))
            config["trial"] = here["trial"] | {"folder": str(folder)}
        except UserError as err:
            reasons[str(folder)] = str(err)
            continue
        configs[name] = config
    return configs, reasons


def allocation(folder: Path, config: Mapping) -> list[dict]:
    """The exact binomial test of the arms' sizes against 1:1, per stratum and overall
    (:func:`hiplbp.audit.publication.allocation_checks`), with each group's arm as ``groups.csv``
    states it or as the footnote markers of the folder's ``config`` explain them; none when the
    arms are unknown."""
    trial = config.get("trial") or {}
    groups = published.read_groups(folder / "groups.csv", **published.trial_meaning(trial))
    if not set(groups["arm_by_marker"]) >= {"treatment", "control"}:
        return []
    return allocation_checks(groups.assign(stratum=groups["stratum"].replace("", "all")), arm_text(trial))


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


def screen_trial(
    folder: str | Path,
    *,
    seed: int,
    draws: int = 10_000,
    schema: Mapping | None = None,
    root: str | Path = ".",
) -> tuple[pd.DataFrame, dict]:
    """The findings of one trial folder (with a ``trial`` column) and its row of ``trials.csv``.

    A folder whose ``config.yaml`` describes its own run (given the run ``schema``) is audited as
    that run audits it (:func:`hiplbp.audit.printed.printed_findings`, with the config's arms,
    assumptions, seed and draws), so the screen and the trial's own run give the same findings. Any
    other folder is audited from its tables alone (:func:`hiplbp.audit.trial.audit_trial` and
    :func:`allocation`), with the measures its ``config.yaml`` may name and the given ``seed`` and
    ``draws``. A folder that fails validation gives no findings and a row with ``status``
    ``invalid`` and the one-line reason; one that meets a defect of hiplbp, ``status`` ``error``
    and the error in one line, so that every other trial of the screen is still screened.
    """
    folder = Path(folder)
    name = folder.name
    try:
        trial = read_trial(folder)
        config = run_config(folder, schema, root) if schema is not None else None
        if config is not None:
            findings = printed_findings(trial, PrintedAudit.from_config(config))
        else:
            own = folder_config(folder)
            steps, bounds = measure_steps(own), scale_bounds(own)
            design = own.get("design") or {}
            findings = audit_trial(
                trial,
                granularity=steps,
                bounds=bounds,
                seed=seed,
                draws=draws,
                within_names=within_names(design),
                baseline=baseline_visit(design),
            )
            findings = pd.concat([findings, pd.DataFrame(allocation(folder, own), columns=FINDING_COLUMNS)])
    except UserError as err:
        empty = pd.DataFrame(columns=["trial", *FINDING_COLUMNS])
        return empty, dict.fromkeys(TRIAL_COLUMNS, np.nan) | dict(trial=name, status="invalid", reason=str(err))
    except Exception as err:  # noqa: BLE001  (a defect on one trial must not stop the others)
        empty = pd.DataFrame(columns=["trial", *FINDING_COLUMNS])
        reason = f"{folder}: unexpected {type(err).__name__}: {err} (a defect of hiplbp, please report it)"
        return empty, dict.fromkeys(TRIAL_COLUMNS, np.nan) | dict(trial=name, status="error", reason=reason)
    findings = findings.reset_index(drop=True)
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
    for sure in FLAGGED_SEVERITIES:
        row[f"flags_{sure}"] = int((flags["severity"] == sure).sum())
    for check in SCREENED_CHECKS:
        row[f"flags_{check}"] = int((flags["check"] == check).sum())
    carlisle = findings[(findings["check"] == "carlisle") & ~findings["target"].str.endswith(": combined")]
    ps = carlisle["p"].dropna().to_numpy(float)
    if len(ps):
        _, p_diff, p_sim = stouffer(list(ps))
        row |= dict(carlisle_p_different=p_diff, carlisle_p_similar=p_sim)
    else:
        row |= dict(carlisle_p_different=np.nan, carlisle_p_similar=np.nan)
    alloc = findings.loc[(findings["check"] == "allocation_ratio") & (findings["target"] == "published: all"), "p"]
    row["allocation_p"] = float(alloc.iloc[0]) if len(alloc) else np.nan
    row["inconsistent_tests"] = int((flags["check"] == "reported_statistic").sum())
    row["unexplained_losses"] = int(lost)
    return row


def trial_folders(patterns: Sequence[str], root: str | Path = ".") -> list[str]:
    """The folders the patterns name (paths or globs, relative to ``root``), sorted and unique.

    A pattern that matches nothing is kept as it is, so that the screen lists it as invalid ("not
    found") rather than silently screening fewer trials. A glob passes over the folders that hold
    a data set and its run config but no printed tables (the worked examples); named, they are kept.

    Examples
    --------
    >>> trial_folders(["trials/*"], root=Path(__file__).parents[2])[:2]
    ['trials/ebadi2012', 'trials/lee2015']
    """
    root = Path(root)
    out: set[str] = set()
    for pattern in patterns:
        hits = [Path(h) for h in glob.glob(str(pattern), root_dir=root)]
        named = not glob.has_magic(str(pattern))
        folders = [str(h) for h in hits if (root / h).is_dir() and (named or not _data_only(root / h))]
        out.update(folders if hits else [str(pattern)])
    return sorted(out)


def _data_only(folder: Path) -> bool:
    """A worked example on a data set (``trials/weightloss``): a run config of its own data, no
    printed tables. A glob passes over it; named, it is screened (and found to have no tables)."""
    if (folder / "groups.csv").exists():
        return False
    config = folder_config(folder)
    return (config.get("data") or {}).get("source") == "file" and "trial" not in config


def chunked(folders: Sequence[str], size: int) -> list[list[str]]:
    """The folders in chunks of at most ``size`` (one job each).

    Examples
    --------
    >>> chunked(["a", "b", "c"], 2)
    [['a', 'b'], ['c']]
    """
    return [list(folders[i : i + size]) for i in range(0, len(folders), size)]


def screen_chunk(
    folders: Sequence[str | Path],
    *,
    seed: int,
    draws: int,
    schema: Mapping | None = None,
    root: str | Path = ".",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every trial of a chunk: the stacked findings and the rows of ``trials.csv``.

    ``schema`` (the run config's) lets a folder with its own run config be audited as that run does
    (:func:`screen_trial`). A folder that does not exist is an invalid trial like one that fails
    validation.
    """
    found, rows = [], []
    for folder in map(Path, folders):
        if not folder.is_dir():
            rows.append(
                dict.fromkeys(TRIAL_COLUMNS, np.nan)
                | dict(trial=folder.name, status="invalid", reason=f"{folder}: not found; expected a trial folder")
            )
            continue
        own_seed = derive_seed(seed, "screen", folder.name)
        findings, row = screen_trial(folder, seed=own_seed, draws=draws, schema=schema, root=root)
        found.append(findings)
        rows.append(row)
    findings = pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=["trial"])
    return findings, pd.DataFrame(rows, columns=TRIAL_COLUMNS)


def ranked(trials: pd.DataFrame) -> pd.DataFrame:
    """The trials worth a closer look first: invalid ones, then by impossible flags (no data set
    gives the printed numbers), then by all flags, then by the smaller Carlisle tail (most extreme
    baseline first), then by name."""
    t = trials.copy()
    t["_invalid"] = t["status"] != "screened"
    t["_carlisle"] = t[["carlisle_p_different", "carlisle_p_similar"]].min(axis=1).fillna(1.0)
    keys = ["_invalid", "flags_impossible", "flags", "_carlisle", "trial"]
    t = t.sort_values(keys, ascending=[False, False, False, True, True], kind="stable")
    return t.drop(columns=["_invalid", "_carlisle"]).reset_index(drop=True)
