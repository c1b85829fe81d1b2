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

FINDING_COLUMNS = [
    "check",
    "target",
    "value",
    "expected",
    "statistic",
    "p",
    "verdict",
    "explanation",
    "severity",
    "inspect_sr",
]
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
#: How sure a flag is: ``impossible`` (no data set gives the printed numbers), ``improbable`` (a
#: probability below the threshold), ``inconsistent`` (two printed numbers or texts disagree),
#: ``note`` (an unconfirmed signal); empty for a row that is no flag.
SEVERITIES = ["impossible", "improbable", "inconsistent", "note", ""]
#: The severity of each check's flag.
FLAG_SEVERITY = {
    "grim": "impossible",
    "grimmer": "impossible",
    "mean_sd_consistency": "impossible",
    "percent_consistency": "impossible",
    "reported_statistic": "impossible",
    "baseline_p": "impossible",
    "bmi_consistency": "impossible",
    "n_reconciliation": "inconsistent",
    "label_consistency": "inconsistent",
    "reported_test": "note",
    "allocation_ratio": "improbable",
    "carlisle": "improbable",
}
#: The INSPECT-SR check (Wilkinson et al. 2025, Domain 4, results in the study) each check informs:
#: 4.3 the baseline characteristics' distribution, 4.6 the numbers of participants, 4.8 impossible
#: means and variances of integer data, 4.9 errors in the statistical results. Empty where a check
#: informs none of the items named here.
INSPECT_SR = {
    "grim": "4.8",
    "grimmer": "4.8",
    "mean_sd_consistency": "4.8",
    "percent_consistency": "4.8",
    "reported_statistic": "4.9",
    "baseline_p": "4.9",
    "reported_test": "4.9",
    "n_reconciliation": "4.6",
    "allocation_ratio": "4.6",
    "carlisle": "4.3",
    "bmi_consistency": "",
    "label_consistency": "",
}
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
    """A findings row; its severity is its check's (:data:`FLAG_SEVERITY`) for a flag, ``note``
    for an unconfirmed row, empty otherwise."""
    assert check in CHECKS and verdict in VERDICTS
    sure = FLAG_SEVERITY[check] if verdict == "flag" else "note" if verdict == "unconfirmed" else ""
    values = (check, target, value, expected, statistic, p, verdict, explanation, sure, INSPECT_SR[check])
    return dict(zip(FINDING_COLUMNS, values, strict=True))
