"""Shared fixtures: paths to the project, its test data and the independent R references."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
PUBLISHED = ROOT / "data" / "published"
# The R reference tables live in the workplace's shared folder beside the repository (CI clones
# the repository next to it); HIPLBP_SHARED points elsewhere if needed.
SHARED = Path(os.environ.get("HIPLBP_SHARED", ROOT.parent / "shared")) / "reference"


@pytest.fixture(scope="session")
def afex_dir() -> Path:
    d = SHARED / "afex"
    if not d.is_dir():
        pytest.fail(f"R reference tables not found at {d}; set HIPLBP_SHARED to the shared/ folder")
    return d


def afex_table(afex_dir: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(afex_dir / name)


@pytest.fixture(scope="session")
def shared_long():
    """The two synthetic trials of the R references, as read from tests/data."""
    return {n: pd.read_csv(DATA / f"{n}_long.csv") for n in ("shared1", "shared2")}
