"""Provenance: where the data came from, which config and code made a run, and the packages it used."""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Mapping, Sequence
from importlib import metadata

import pandas as pd

from .html import md


def provenance_markdown(provenance: Mapping) -> str:
    """A plain-language paragraph on where the data come from, for the top of the report."""
    if provenance.get("synthetic"):
        text = (
            "**The data analysed here are not patient data.** They were reconstructed from the "
            f"summary statistics published in {md(provenance.get('citation') or 'the paper')} "
            "(group sizes, means and SDs), "
            f"with a within-subject correlation of {provenance.get('correlation')} between visits, "
            "which the paper did not report. Statistics that depend only on the published "
            "moments are reproduced; anything that depends on individual values is illustrative."
        )
        assumed = provenance.get("assumptions") or []
        if assumed:
            text += (
                "\n\n**Assumptions for cells the paper did not print:** "
                + "; ".join(map(md, assumed))
                + ". Results that use them are marked *assumed*."
            )
        return text
    return (
        f"Data file {md(provenance.get('path'))} (sha256 `{str(provenance.get('sha256', ''))[:16]}…`), "
        f"{md(provenance.get('n_rows'))} rows read as {md(provenance.get('layout'))} layout."
    )


#: The packages whose versions the provenance block lists.
PACKAGES = (
    "hiplbp",
    "numpy",
    "scipy",
    "pandas",
    "statsmodels",
    "pingouin",
    "pandera",
    "matplotlib",
    "seaborn",
    "papermill",
    "nbconvert",
    "snakemake",
)


def config_sha256(config: Mapping) -> str:
    """A hash of the effective config (keys sorted), to tell runs apart without a date.

    Examples
    --------
    >>> config_sha256({"b": 1, "a": [1, 2]}) == config_sha256({"a": [1, 2], "b": 1})
    True
    """
    return hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()


def provenance_table(provenance: Mapping, run: Mapping, packages: Sequence[str] = PACKAGES) -> pd.DataFrame:
    """What made this report: versions, seed, config hash, data hash and commit (no date or time).

    Returns
    -------
    DataFrame
        ``item, value``, one row per fact; a package that is not installed says so.
    """
    rows = [("Python", platform.python_version())]
    for name in packages:
        try:
            rows.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            rows.append((name, "not installed"))
    rows += [
        ("seed (reconstruction.seed)", str(run.get("seed", ""))),
        ("config (sha256 of the effective config)", str(run.get("config_sha256", ""))),
        (f"data file {provenance.get('path', '')} (sha256)", str(provenance.get("sha256", ""))),
        ("git commit", str(run.get("commit") or "not a git checkout")),
    ]
    return pd.DataFrame(rows, columns=["item", "value"])
