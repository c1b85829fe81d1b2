"""The paper replayed: one-way ANOVA from summaries equals scipy on data with those moments."""

import numpy as np
import pandas as pd
import pytest
from conftest import LEE_MEANING, LEE_SCALES, PUBLISHED
from scipy import stats

from hiplbp.reconstruction.patients import exact_moment_sample
from hiplbp.summary.replay import (
    REPLAY_COLUMNS,
    OutcomeCells,
    change_claims,
    oneway_from_summaries,
    published_vs_reproduced,
    summary_claims,
    unchecked_claims,
)
from hiplbp.text import format_p
from hiplbp.trial import published
from hiplbp.trial.cells import published_cells
from hiplbp.trial.tables import read_trial

ASSUME = [dict(outcome="vas", time="week6", group=g, from_time="week3") for g in ("CG II", "EG II")]
TIMES = ["baseline", "week3", "week6"]


def test_oneway_from_summaries_equals_scipy():
    rng = np.random.default_rng(0)
    n, m, s = [23, 16, 21, 9], [46.1, 47.5, 39.1, 53.89], [6.9, 10.8, 10.7, 9.6]
    samples = [exact_moment_sample(rng, ni, [mi], [si], np.eye(1))[:, 0] for ni, mi, si in zip(n, m, s, strict=False)]
    ref = stats.f_oneway(*samples)
    f, d1, d2, p = oneway_from_summaries(n, m, s)
    assert (f, p) == pytest.approx((ref.statistic, ref.pvalue), rel=1e-10) and (d1, d2) == (3, 65)


def _claims():
    return change_claims(read_trial(PUBLISHED).tests)


def _tables():
    return (
        published.read_groups(PUBLISHED / "groups.csv", **LEE_MEANING),
        published.read_summary(PUBLISHED / "outcomes.csv"),
        published.read_characteristics(PUBLISHED / "characteristics.csv"),
    )


def test_published_cells_follow_the_markers_and_assumptions():
    g, s, _ = _tables()
    cells, assumed = published_cells(g, s, "vas", TIMES, {"treatment": "hip", "control": "control"}, "marker", ASSUME)
    assert cells.set_index("group").loc["CG II", ["stratum", "arm", "n"]].tolist() == ["unstable", "hip", 21]
    assert cells.set_index("group").loc["EG II", "mean_week6"] == 53.89
    assert sorted(zip(assumed.group, assumed.time, strict=False)) == [("CG II", "week6"), ("EG II", "week6")]


def test_published_vs_reproduced_claims():
    g, s, t1 = _tables()
    cells, assumed = published_cells(g, s, "vas", TIMES, {"treatment": "hip", "control": "control"}, "marker", ASSUME)
    out = published_vs_reproduced(
        s, t1, OutcomeCells("vas", TIMES, cells, assumed), _claims(), correlation=0.5, alpha=0.05
    )
    assert list(out.columns) == REPLAY_COLUMNS
    # the claims tested are exactly the trial's printed ones (tests.csv), with the printed words
    assert out[out.kind == "claim"].shape[0] == 8
    first = out[out.kind == "claim"].iloc[0]
    assert first["item"] == "claim: vas of EG I decreased significantly, baseline to week3"
    assert first.note.startswith("printed: VAS of each group decreased significantly at 3 weeks (abstract); ")
    row = out[out.item == "claim: vas of EG II decreased significantly, baseline to week3"].iloc[0]
    assert row.match is False or row.match == False  # noqa: E712
    assert "0.749" in row.note
    anova3 = out[out.item.str.startswith("vas: comparison among the 4 groups at week3")].iloc[0]
    assert anova3.reproduced == pytest.approx(
        oneway_from_summaries(cells.n, cells.mean_week3, cells.sd_week3)[3], rel=1e-9
    )
    unchecked = unchecked_claims(read_trial(PUBLISHED).tests, ["vas"])
    assert unchecked.item.item().startswith("claim: Hip range-of-motion limitation")
    assert unchecked.note.item() == "not checkable: the numbers behind it were not printed (status not_available)"


def test_claims_come_from_the_table_with_their_direction():
    cells = pd.DataFrame(
        {"group": ["A"], "n": [10], "mean_t0": [50.0], "sd_t0": [10.0], "mean_t1": [40.0], "sd_t1": [10.0]}
    )
    none = pd.DataFrame(columns=["group", "time"])
    claims = pd.DataFrame(
        {
            "outcome": ["y"] * 3,
            "effect": ["A: t0 to t1"] * 3,
            "test": ["claim"] * 3,
            "claim": ["fell", "rose", "changed"],
            "direction": ["decrease", "increase", ""],
            "status": ["printed"] * 3,
        }
    )
    out = summary_claims(cells, none, change_claims(claims), outcome="y", correlation=0.5, alpha=0.05)
    # paired t at r = 0.5: SD of the change = 10, t = 10 / (10 / sqrt(10)) = sqrt(10)
    assert out.t.tolist() == pytest.approx([np.sqrt(10)] * 3, rel=1e-9)
    assert out.p.iloc[0] == pytest.approx(2 * stats.t.sf(np.sqrt(10), 9), rel=1e-9)
    assert out.holds.tolist() == [True, False, True]  # an increase was claimed, the mean fell
    assert np.isinf(out.threshold.iloc[1])  # a claim against the observed direction never holds
    with pytest.raises(ValueError, match="expected a printed group"):
        summary_claims(
            cells, none, change_claims(claims.assign(effect="B: t0 to t1")), outcome="y", correlation=0.5, alpha=0.05
        )


def test_claims_are_also_recomputed_from_the_reconstructed_data():
    from dataclasses import replace

    from conftest import DEFAULT_RECONSTRUCTION

    from hiplbp.reconstruction.patients import reconstruct
    from hiplbp.trial.design import Design

    g, s, t1 = _tables()
    arms = {"treatment": "hip", "control": "control"}
    vas = {"name": "vas", "column": "vas", "min": 0, "max": 100, "integer": True}
    design = Design(TIMES, arms, ["stable", "unstable"], [vas], baseline=TIMES[0])
    raw, _ = reconstruct(g, s, t1, design, replace(DEFAULT_RECONSTRUCTION, assumptions=ASSUME, scales=LEE_SCALES))
    cells, assumed = published_cells(g, s, "vas", TIMES, arms, "marker", ASSUME)
    out = published_vs_reproduced(
        s, t1, OutcomeCells("vas", TIMES, cells, assumed), _claims(), correlation=0.5, alpha=0.05, raw=raw
    )
    eg2 = raw[raw.published_group == "EG II"]
    ref = stats.ttest_rel(eg2.vas_baseline, eg2.vas_week3)
    note = out[out.item == "claim: vas of EG II decreased significantly, baseline to week3"].note.item()
    assert f"reconstructed data: paired t = {ref.statistic:.2f}, p = {format_p(ref.pvalue)}" in note
    # table cells: every printed number has a row, compared at its printed precision
    cells_rows = out[out.kind == "cell"]
    assert len(cells_rows) == 2 * 16 + 2 * 12
    age = cells_rows[cells_rows.item == "baseline age mean CG II"].iloc[0]
    assert age.published == "59.38" and age.decimals == 2
    assert bool(age.match) == (abs(raw[raw.published_group == "CG II"].age.mean() - 59.38) <= 0.005 + 1e-9)


def test_printed_effects_map_to_the_design_through_the_trial_s_factor_names():
    from hiplbp.summary.replay import effect_source

    names = {"arm": "Group", "time": "Time"}
    assert effect_source("Time*Group", names) == "arm:time" == effect_source("group x time", names)
    assert effect_source("Time", names) == "time" and effect_source("Sex*Time", names) is None
    assert (
        effect_source(
            "lumbar stability × exercise × visit", {"stratum": "lumbar stability", "arm": "exercise", "time": "visit"}
        )
        == "stratum:arm:time"
    )


def test_printed_tests_are_compared_with_the_reconstruction_s_mixed_anova():
    import pingouin as pg

    from hiplbp.summary.replay import printed_tests_replayed

    rng = np.random.default_rng(3)
    n, times = 12, ["t0", "t1", "t2"]
    subject_effect = rng.normal(0, 5, 2 * n)
    data = pd.DataFrame(
        [
            dict(
                subject=s,
                arm="a" if s < n else "b",
                time=t,
                y=50 + subject_effect[s] - 3 * j * (s < n) + rng.normal(0, 4),
            )
            for s in range(2 * n)
            for j, t in enumerate(times)
        ]
    )
    data["time"] = pd.Categorical(data["time"], categories=times, ordered=True)
    ref = pg.mixed_anova(
        data.assign(time=data.time.astype(str)), dv="y", within="time", between="arm", subject="subject"
    )
    ref = ref.set_index("Source")
    tests = pd.DataFrame(
        {
            "outcome": ["y"] * 3,
            "effect": ["Group", "Time", "Time*Group"],
            "test": ["F"] * 3,
            "statistic": [f"{ref.loc['arm', 'F']:.2f}", "1.00", "2.5"],
            "p_as_printed": ["<.05", ".3", ".09"],
            "status": ["printed"] * 3,
        }
    )
    out = printed_tests_replayed(
        tests, data, "y", names={"arm": "Group", "time": "Time"}, between=["arm"], correlation=0.5
    ).set_index("item")
    # one between factor: pingouin's mixed ANOVA is an independent reference for every F
    np.testing.assert_allclose(
        out.reproduced.to_numpy(float),
        [ref.loc["arm", "F"], ref.loc["time", "F"], ref.loc["Interaction", "F"]],
        rtol=1e-10,
    )
    assert out.loc["y: Group (F)", "match"] == True  # noqa: E712  (printed as the data's F to 2 decimals)
    assert out.loc["y: Time (F)", "published"] == "F = 1.00, p .3"
