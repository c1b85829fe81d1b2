"""Checks of each printed mean and SD: GRIM, GRIMMER and the exact consistency test (with SD bounds)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..integrity import GrimResult, exact_consistency, grim, grimmer, sd_bounds
from ..integrity.mean_sd import IMPOSSIBLE, POSSIBLE
from ..integrity.rounding import Step, levels, show_step, step
from ..trial.published import NOT_AVAILABLE
from .verdicts import _row


def granularity_checks(
    summary: pd.DataFrame,
    n_by_group: Mapping[str, int],
    granularity: Mapping[str, Step],
    bounds: Mapping[str, tuple[float, float]],
) -> list[dict]:
    """GRIM, GRIMMER and SD bounds of every printed mean and SD of measures with a known step.

    Parameters
    ----------
    summary : DataFrame
        Published table with ``group``, ``mean``, ``sd`` (text), ``status`` and a variable column
        (``outcome`` or ``variable``) and optionally ``time``.
    n_by_group : mapping
        Group -> sample size.
    granularity : mapping
        Measure -> step of one value (e.g. ``{"pain": 1, "age": 1}``; ``"1/3"`` for the mean of three
        whole-number items, exactly); others are skipped.
    bounds : mapping
        Measure -> (min, max) of the scale: the exact test of mean and SD needs them (else GRIMMER).
    """
    rows: list[dict] = []
    var_col = "outcome" if "outcome" in summary.columns else "variable"
    for r in summary.itertuples(index=False):
        r = r._asdict()
        measure = r[var_col]
        if measure not in granularity:
            continue
        unit = step(granularity[measure])
        target = " ".join(str(x) for x in (measure, r["group"], r.get("time", "")) if x)
        # a cell's own n (drop-out) where the table prints one, else the group's
        n = int(r["n"]) if str(r.get("n", "")).isdigit() else int(n_by_group[r["group"]])
        scale = bounds.get(measure)
        if scale is not None and not _whole_steps(scale, unit):
            scale = None  # a scale that is no whole number of steps: GRIMMER, which needs no bounds
        sd_check = "mean_sd_consistency" if scale is not None else "grimmer"
        if r["status"] == NOT_AVAILABLE:
            explanation = "The paper does not print this value; it is not guessed."
            rows += [
                _row(check, target, NOT_AVAILABLE, verdict="not_applicable", explanation=explanation)
                for check in ("grim", sd_check)
            ]
            continue
        g = grim(r["mean"], n, unit)
        rows.append(_grim_row(target, r["mean"], n, unit, g))
        rows.append(_sd_row(target, r["mean"], str(r.get("sd", "") or ""), n, unit, scale, g.consistent))
    return rows


def _whole_steps(scale: tuple[float, float], unit: Step) -> bool:
    """Whether the scale ``[lo, hi]`` is a whole number of steps (the exact test enumerates them)."""
    try:
        levels(scale[0], scale[1], unit)
    except ValueError:
        return False
    return True


def _grim_row(target: str, mean: str, n: int, step: Step, g: GrimResult) -> dict:
    """GRIM's verdict on a printed mean (not applicable where every mean at its precision is possible)."""
    if not g.informative:
        return _row(
            "grim",
            target,
            mean,
            f"n = {n}, step {show_step(step)}",
            verdict="not_applicable",
            explanation=f"With {n} patients every mean at this precision is possible, so GRIM cannot "
            "detect anything here.",
        )
    if g.consistent:
        return _row(
            "grim",
            target,
            mean,
            f"a total of {show_step(step)}-steps divided by {n}",
            explanation=f"The mean {mean} is possible for {n} values in steps of {show_step(step)}.",
        )
    return _row(
        "grim",
        target,
        mean,
        f"nearest possible {g.nearest:.{len(mean.split('.')[-1])}f}",
        verdict="flag",
        explanation=f"No {n} values in steps of {show_step(step)} have a mean that rounds to {mean}; "
        "the mean, the n or the scale as reported cannot all be right (often a typo).",
    )


def _sd_row(
    target: str, mean: str, sd: str, n: int, step: Step, scale: tuple[float, float] | None, mean_possible: bool
) -> dict:
    """The check of a printed SD: the exact test where the scale is known, else GRIMMER."""
    sd_check = "mean_sd_consistency" if scale is not None else "grimmer"
    if not sd.strip():
        return _row(
            sd_check,
            target,
            "",
            verdict="not_applicable",
            explanation="No SD is printed (it is derived from the printed SE or CI), so the rounding of an SD "
            "cannot be checked.",
        )
    if not mean_possible:
        return _row(
            sd_check,
            target,
            sd,
            verdict="not_applicable",
            explanation="The SD can only be checked against a mean that is possible (GRIM).",
        )
    if scale is None:
        return _grimmer_row(target, mean, sd, n, step)
    return _exact_row(target, mean, sd, n, scale, step)


def _grimmer_row(target: str, mean: str, sd: str, n: int, step: Step) -> dict:
    """GRIMMER, the strongest test available when the scale's bounds are not configured."""
    gm = grimmer(mean, sd, n, step)
    verdict = "pass" if gm.consistent else "flag"
    text = (
        f"The SD {sd} is possible with the mean {mean} and n = {n} by GRIMMER (a necessary condition; "
        "the exact test needs the scale's bounds, which are not configured for this measure)."
        if gm.consistent
        else f"No {n} values in steps of {show_step(step)} with a mean that prints as {mean} have an SD that prints as "
        f"{sd} (GRIMMER fails its {gm.failed} test)."
    )
    return _row("grimmer", target, sd, "" if gm.consistent else f"fails {gm.failed}", verdict=verdict, explanation=text)


def _exact_row(target: str, mean: str, sd: str, n: int, scale: tuple[float, float], step: Step) -> dict:
    """The exact test's verdict, and which of the weaker tests would also have caught it."""
    lo, hi = scale
    exact = exact_consistency(mean, sd, n, lo, hi, step)
    gm = grimmer(mean, sd, n, step)
    sb = sd_bounds(mean, sd, n, lo, hi, step)
    where = f"{n} values on {lo:g}-{hi:g} in steps of {show_step(step)}"
    weaker = (
        f"GRIMMER {'passes' if gm.consistent else f'fails ({gm.failed})'}; SD bounds for this mean "
        f"[{sb.low:.2f}, {sb.high:.2f}] {'contain' if sb.consistent else 'exclude'} it."
    )
    if exact.verdict == POSSIBLE:
        verdict = "pass"
        text = f"Some {where} have a mean that prints as {mean} and an SD that prints as {sd} (exact search)."
    elif exact.verdict == IMPOSSIBLE:
        verdict = "flag"
        caught = [name for name, ok in (("GRIMMER", gm.consistent), ("the SD bounds", sb.consistent)) if not ok]
        text = (
            f"No {where} have a mean that prints as {mean} and an SD that prints as {sd}: the exact search "
            f"over every total and sum of squares finds none. {weaker} "
            + (
                f"So {' and '.join(caught)} would also have caught it."
                if caught
                else "Neither weaker test would have caught it."
            )
        )
    else:
        verdict = "unconfirmed"
        text = f"The exact search stopped after {exact.nodes} nodes without a verdict. {weaker}"
    return _row(
        "mean_sd_consistency",
        target,
        sd,
        f"a sample of {where}",
        statistic=exact.nodes,
        verdict=verdict,
        explanation=text,
    )
