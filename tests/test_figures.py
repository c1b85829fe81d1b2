"""Figures: deterministic bytes, labelled as reconstructed, one panel per stratum."""

import pandas as pd
from conftest import DATA, ROOT

from hiplbp.figures.outcome import outcome_figure
from hiplbp.figures.style import save
from hiplbp.trial.design import Design, within_cells

OUTCOME = {"name": "score", "label": "Score (points)"}
ARMS = {"treatment": "hip", "control": "control"}


def _data():
    return pd.read_csv(DATA / "shared1_long.csv").rename(
        columns={"lumbar": "stratum", "exercise": "arm", "visit": "time"}
    )


def _make(tmp_path, name, strata=(), **kw):
    design = Design(["t0", "t1", "t2"], ARMS, list(strata))
    fig = outcome_figure(_data(), OUTCOME, design, **kw)
    out = {}
    for ext in ("png", "svg"):
        p = tmp_path / f"{name}.{ext}"
        save(
            fig if ext == "png" else outcome_figure(_data(), OUTCOME, design, **kw),
            p,
        )
        out[ext] = p.read_bytes()
    return out, fig


def test_figure_is_deterministic_and_labelled(tmp_path):
    a, fig = _make(tmp_path, "a", strata=["stable", "unstable"], synthetic=True, assumed=["score at t2 in X = t1"])
    b, _ = _make(tmp_path, "b", strata=["stable", "unstable"], synthetic=True, assumed=["score at t2 in X = t1"])
    assert a == b
    assert a["png"].startswith(b"\x89PNG")
    svg = a["svg"].decode()
    assert "RECONSTRUCTED DATA (synthetic, from published summary statistics)" in svg
    assert "Assumed, not published: score at t2 in X = t1" in svg
    assert "<dc:date>" not in svg
    assert len(fig.axes) == 2 and [ax.get_title() for ax in fig.axes] == ["stable", "unstable"]


def test_real_data_figure_has_no_banner_and_plots_cell_means(tmp_path):
    out, fig = _make(tmp_path, "c")
    assert b"RECONSTRUCTED" not in out["svg"]
    ax = fig.axes[0]
    d = _data()
    hip_means = d[d.arm == "hip"].groupby("time").score.mean().to_numpy()
    ys = [line.get_ydata() for line in ax.lines if len(line.get_ydata()) == 3]
    assert any(abs(y - hip_means).max() < 1e-9 for y in map(lambda v: pd.Series(v).to_numpy(float), ys))


def _sensitivity_table(shifts):
    rows = []
    for rho in (0.0, 0.3, 0.6, 0.9):
        for st in shifts:
            for sc in shifts:
                for source in ("time", "arm:time", "stratum:arm:time"):
                    p = 0.2 * (1 - rho) + 0.001 * abs(st - sc)
                    rows.append(
                        dict(
                            scenario="grid",
                            correlation=rho,
                            shift_treatment=st,
                            shift_control=sc,
                            source=source,
                            p_gg=p,
                            significant_gg=p < 0.05,
                        )
                    )
    return pd.DataFrame(rows)


def test_sensitivity_heat_map_cells_follow_any_grid_step():
    from hiplbp.figures.sensitivity import sensitivity_figure

    for shifts in ([-20.0, -10.0, 0.0, 10.0, 20.0], [-3.0, 0.0, 3.0]):
        fig = sensitivity_figure(_sensitivity_table(shifts), alpha=0.05, sources=["arm:time", "stratum:arm:time"])
        image = fig.axes[1].images[0]
        step = shifts[1] - shifts[0]
        # each cell is centred on its shift: the edges lie half a step outside the first and last
        assert image.get_extent() == [shifts[0] - step / 2, shifts[-1] + step / 2] * 2


def test_sensitivity_series_differ_without_colour():
    from hiplbp.figures.sensitivity import sensitivity_figure
    from hiplbp.figures.style import OKABE_ITO

    fig = sensitivity_figure(
        _sensitivity_table([0.0]), alpha=0.05, labels={"arm:time": "drug × visit"}, sources=["arm:time"]
    )
    lines = [ln for ln in fig.axes[0].lines if ln.get_label() in ("time", "drug × visit", "stratum:arm:time")]
    assert len(lines) == 3
    assert len({ln.get_linestyle() for ln in lines}) == 3 and len({ln.get_marker() for ln in lines}) == 3
    assert {ln.get_color() for ln in lines} <= set(OKABE_ITO)


def test_two_within_factors_draw_a_panel_per_stratum_and_level_of_the_first():
    """O'Brien & Kaiser: gender rows, phase columns, hour on x; each line is its cell's means."""
    wide = pd.read_csv(ROOT / "trials" / "obrienkaiser" / "obrienkaiser.csv")
    long = wide.melt(id_vars=["rownames", "treatment", "gender"], var_name="time", value_name="value")
    long = long.rename(columns={"rownames": "subject", "treatment": "arm", "gender": "stratum"})
    within = {"phase": ["pre", "post", "fup"], "hour": ["1", "2", "3", "4", "5"]}
    design = Design(
        list(within_cells(within)), {"treatment": ["A", "B"], "control": "control"}, ["F", "M"], within=within
    )
    fig = outcome_figure(design.with_within(long), {"name": "value", "label": "Value"}, design)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[:3] == ["F, phase: pre", "F, phase: post", "F, phase: fup"] and titles[5] == "M, phase: fup"
    assert len(fig.axes) == 6 and {ax.get_xlabel() for ax in fig.axes} == {"hour"}
    means = long[(long.stratum == "M") & (long.arm == "B") & long.time.str.startswith("post.")]
    expected = means.groupby(means.time.str[-1]).value.mean().to_numpy(float)
    lines = [pd.Series(line.get_ydata()).to_numpy(float) for line in fig.axes[4].lines if len(line.get_ydata()) == 5]
    assert any(abs(y - expected).max() < 1e-9 for y in lines)
