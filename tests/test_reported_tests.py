"""Reported tests: printed df are used, undeclared df are every reading the n allow, and no
consistent paired, Welch or repeated-measures test is flagged (issue #27, points 1 and 4).

Honest two-arm trials are simulated and their tests printed as papers print them (t and F to 2
decimals, df whole or to 1 decimal, p to 3 decimals or "<.001"), with and without their df; the
effect of the visits is called "Visit" or "Phase", never "Time".
"""

from __future__ import annotations

import sys

import numpy as np
import pytest
from conftest import ROOT
from scipy import stats

from hiplbp.audit.reported import candidates, reported_statistic_checks

sys.path.insert(0, str(ROOT / "benchmarks"))
from audit_error_rates import trial_tables, write_trial  # noqa: E402


def _trial(tmp_path, k: int, rng: np.random.Generator, with_df: bool, visit_word: str):
    """A folder with one simulated trial's tables and the tests its data give (benchmarks/audit_error_rates.py)."""
    tables = dict(zip(("groups", "outcomes", "tests"), trial_tables(rng, with_df, visit_word), strict=True))
    return write_trial(tmp_path / f"trial{k}", tables)


@pytest.mark.parametrize("with_df", [True, False], ids=["printed df", "no df"])
@pytest.mark.parametrize("declared", [None, ["Visit", "Phase"]], ids=["undeclared", "declared"])
def test_no_consistent_paired_welch_or_repeated_measures_test_is_flagged(tmp_path, with_df, declared):
    rng = np.random.default_rng(27)
    verdicts = []
    for k in range(60):
        trial = _trial(tmp_path, k, rng, with_df, "Visit" if k % 2 else "Phase")
        rows = reported_statistic_checks(trial, declared)
        assert len(rows) == 5
        verdicts += [(r["target"], r["verdict"], r["explanation"]) for r in rows]
    flagged = [v for v in verdicts if v[1] == "flag"]
    assert not flagged, flagged[:3]
    assert {v for _, v, _ in verdicts} <= {"pass", "not_applicable"}
    assert sum(v == "pass" for _, v, _ in verdicts) == len(verdicts)


def test_printed_df_are_used_and_a_wrong_p_is_flagged_with_what_was_tried(tmp_path):
    rng = np.random.default_rng(3)
    trial = _trial(tmp_path, 0, rng, True, "Visit")
    tests = trial.tests.copy()
    # t(23) = 2.10 gives p = .047 (over the rounding of 2.10); printed p = .01 fits no reading of t(23)
    tests.loc[0, ["df_as_printed", "statistic", "p_as_printed"]] = ["23", "2.10", ".01"]
    row = reported_statistic_checks(trial.__class__(**{**trial.__dict__, "tests": tests}))[0]
    assert row["verdict"] == "flag"
    lo, hi = (2 * stats.t.sf(v, 23) for v in (2.105, 2.095))
    assert f"Tried: printed df 23: p in [{lo:.4g}, {hi:.4g}]" in row["explanation"]
    tests.loc[0, "p_as_printed"] = ".047"
    row = reported_statistic_checks(trial.__class__(**{**trial.__dict__, "tests": tests}))[0]
    assert row["verdict"] == "pass" and "reproduced by printed df 23" in row["explanation"]


def test_without_printed_df_every_reading_is_named(tmp_path):
    trial = _trial(tmp_path, 0, np.random.default_rng(5), False, "Visit")
    na, nb = trial.groups.n_analysed.astype(int)
    names = [c.name for c in candidates(trial, "t", "y", "", None)]
    assert names == [
        f"pooled (df {na + nb - 2})",
        f"paired (df {', '.join(str(v) for v in sorted({na - 1, nb - 1}))})",
        f"Welch (df {min(na, nb) - 1}-{na + nb - 2})",
    ]
    # an F whose role nothing declares is tried as both; a declared role as itself alone
    assert [c.name.split(" (")[0] for c in candidates(trial, "F", "y", "1", None)] == [
        "between subjects",
        "within subjects",
    ]
    assert [c.name.split(" (")[0] for c in candidates(trial, "F", "y", "1", "within")] == ["within subjects"]
