"""The audit stage: randomization audit of the data and the audit of a trial's printed tables.

- :mod:`hiplbp.audit.randomization` allocation ratio, baseline balance, attrition, printed labels
- :mod:`hiplbp.audit.verdicts`      the findings table (columns, checks, verdicts)
- :mod:`hiplbp.audit.cells`         each printed mean and SD: GRIM, GRIMMER, the exact test
- :mod:`hiplbp.audit.publication`   the paper's counts, labels, claims, BMI, allocation
- :mod:`hiplbp.audit.baseline`      Carlisle's method; the checks of individual data
- :mod:`hiplbp.audit.trial`         a trial folder's tables alone: percentages, printed tests, flow
"""

from .baseline import carlisle_checks, data_findings
from .cells import granularity_checks
from .publication import publication_findings
from .randomization import LABEL_COLUMNS, allocation, attrition, baseline_table, label_consistency
from .reported import reported_statistic_checks
from .trial import audit_trial, flow_checks, percent_checks
from .verdicts import ARM_TEXT, CHECKS, FINDING_COLUMNS, VERDICTS, arm_text

__all__ = [
    "ARM_TEXT",
    "CHECKS",
    "FINDING_COLUMNS",
    "LABEL_COLUMNS",
    "VERDICTS",
    "allocation",
    "arm_text",
    "attrition",
    "audit_trial",
    "baseline_table",
    "carlisle_checks",
    "data_findings",
    "flow_checks",
    "granularity_checks",
    "label_consistency",
    "percent_checks",
    "publication_findings",
    "reported_statistic_checks",
]
