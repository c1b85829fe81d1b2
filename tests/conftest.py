"""Shared fixtures: paths to the project, its test data and the independent R references."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from hiplbp.trial.published import trial_meaning

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
# The default trial's printed tables (format 1) and what its markers, labels and strata mean
PUBLISHED = ROOT / "trials" / "lee2015"
LEE_CONFIG = yaml.safe_load((PUBLISHED / "config.yaml").read_text())
LEE_MEANING = trial_meaning(LEE_CONFIG["trial"])
# the step and range of each baseline characteristic the default run reconstructs with
LEE_SCALES = LEE_CONFIG["reconstruction"]["characteristics"]
# Independent references (R outputs, other projects' worked examples), copied into the repository
# with their sources named in tests/reference/README.md.
REFERENCE = ROOT / "tests" / "reference"


def _schema_reconstruction():
    from hiplbp.reconstruction.patients import ReconstructionSettings
    from hiplbp.run.config import validated

    minimal = {
        "data": {"source": "file"},
        "design": {"time_levels": [0, 1], "baseline": 0, "arms": {"treatment": 1, "control": 2}},
    }
    section = validated(minimal | {"outcomes": [{"name": "y", "column": "y"}]})["reconstruction"]
    return ReconstructionSettings.from_config(section)


#: The reconstruction settings of the schema's defaults (tests change what they test with dataclasses.replace)
DEFAULT_RECONSTRUCTION = _schema_reconstruction()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Keep the tests that share the default run on one xdist worker, so that it is made once."""
    for item in items:
        if "default_run" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("default_run"))


@pytest.fixture(scope="session")
def afex_dir() -> Path:
    """The R (afex, lmerTest, car, emmeans) reference tables of tests/reference/afex."""
    return REFERENCE / "afex"


def afex_table(afex_dir: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(afex_dir / name)


@pytest.fixture(scope="session")
def shared_long():
    """The synthetic trials of the R references, as read from tests/data (shared3: 5 visits, drop-out)."""
    return {n: pd.read_csv(DATA / f"{n}_long.csv") for n in ("shared1", "shared2", "shared3")}
