"""What each value of the analysed data rests on (shared by the analysis and follow-up steps)."""

from __future__ import annotations

import pandas as pd

from ..reconstruction.patients import value_basis
from .job import Job


def basis(job: Job, data: pd.DataFrame, outcome: str) -> pd.Series | str:
    """``"data"`` for individual data; for reconstructed patients (inputs ``raw`` and ``check``),
    per value, whether it rests on printed or assumed cells."""
    if not job.input.get("check"):
        return "data"
    return value_basis(data, pd.read_csv(job.input.raw), pd.read_csv(job.input.check), outcome)
