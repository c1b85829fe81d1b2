"""The findings table: one row per check and target, with a verdict and a plain explanation.

Each row is one check on one target with a verdict: ``pass``, ``flag`` (the printed numbers
cannot all be right, or an event is unusual enough to ask about), ``unconfirmed`` (a weaker
signal that depends on an unverifiable convention or assumption) or ``not_applicable`` (nothing
to check: the cell was not printed, or the check cannot detect anything at this precision). The
explanation is meant for a clinician: a flag is a question for the authors, not proof of
misconduct.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

FINDING_COLUMNS = ["check", "target", "value", "expected", "statistic", "p", "verdict", "explanation"]
CHECKS = [
    "grim",
    "grimmer",
    "mean_sd_consistency",
    "percent_consistency",
    "reported_statistic",
    "n_reconciliation",
    "label_consistency",
    "reported_test",
    "bmi_consistency",
    "allocation_ratio",
    "carlisle",
    "baseline_p",
]
VERDICTS = ["pass", "flag", "unconfirmed", "not_applicable"]
#: How the findings name the arms when the trial's config does not describe them (``trial.arms``).
ARM_TEXT = {"treatment": "the treatment under test", "control": "the control treatment"}


def arm_text(trial: Mapping) -> dict[str, str]:
    """The arms in the paper's words: a config's ``trial.arms`` over :data:`ARM_TEXT`.

    Examples
    --------
    >>> arm_text({"arms": {"treatment": "a new drug"}})["control"]
    'the control treatment'
    """
    return dict(ARM_TEXT) | {str(k): str(v) for k, v in (trial.get("arms") or {}).items()}


def _row(
    check: str,
    target: str,
    value: object = "",
    expected: object = "",
    statistic: float = np.nan,
    p: float = np.nan,
    verdict: str = "pass",
    explanation: str = "",
) -> dict:
    assert check in CHECKS and verdict in VERDICTS
    return dict(zip(FINDING_COLUMNS, (check, target, value, expected, statistic, p, verdict, explanation), strict=True))
