"""The screening page: the ranked trials of a screen, their flags and links to their own reports."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from ..text import format_p
from .html import REPORT_CSS, auto_columns, figure_html, journal_table


def _screen_line(r: Mapping[str, Any], link: str | None) -> str:
    """One trial worth a closer look, as a list item (escaped; a link to its own report if made)."""
    name = escape(str(r["trial"]))
    head = f'<a href="{escape(link, quote=True)}">{name}</a>' if link else name
    if r["status"] != "screened":
        return f"<li><strong>{head}</strong>: not screened: {escape(str(r['reason']))}</li>"
    parts = [f"{int(r['flags'])} flag(s)"]
    for column, what in (
        ("inconsistent_tests", "reported test(s) whose p its statistic cannot give"),
        ("unexplained_losses", "patient(s) lost without a flow table"),
    ):
        if r.get(column) and r[column] == r[column] and int(r[column]) > 0:
            parts.append(f"{int(r[column])} {what}")
    tails = [(r.get("carlisle_p_different"), "arms more different"), (r.get("carlisle_p_similar"), "arms more alike")]
    for p, what in tails:
        if p is not None and p == p and p < 0.05:
            parts.append(f"baseline: {what} than randomization usually gives (p {format_p(float(p))})")
    return f"<li><strong>{head}</strong>: " + "; ".join(escape(x) for x in parts) + "</li>"


def _own_runs_html(reports: Mapping[str, str], not_run: Mapping[str, str]) -> str:
    """The own runs the screen made (links to their reports) and those it could not make (why)."""
    if not reports and not not_run:
        return ""
    items = [
        f'<li><a href="{escape(link, quote=True)}">{escape(name)}</a>: reconstruction, analysis, sensitivity '
        "and the audit of its own run</li>"
        for name, link in sorted(reports.items())
    ]
    items += [f"<li>Not run: {escape(reason)}</li>" for _, reason in sorted(not_run.items())]
    return f"<h2>Own reports</h2><ul>{''.join(items)}</ul>"


def screen_page(
    trials: pd.DataFrame,
    *,
    figure_png: str | Path,
    reports: Mapping[str, str] | None = None,
    not_run: Mapping[str, str] | None = None,
    title: str = "",
) -> str:
    """The screening report: the trials worth a closer look first, Carlisle's figure, the trials'
    own reports and every trial.

    ``trials`` is ranked (:func:`hiplbp.screen.ranked`); ``reports`` maps a trial to the relative
    link of its own report, where one was made, and ``not_run`` a folder whose own run was asked
    for but cannot be made to the (one-line) reason. Self-contained (the figure is embedded) and escaped: trial
    names and reasons come from the folders.
    """
    reports, not_run = dict(reports or {}), dict(not_run or {})
    title = title or "Screen of trials from their printed tables"
    closer = trials[(trials["status"] != "screened") | (trials["flags"].fillna(0) > 0)]
    items = "".join(_screen_line(r, reports.get(str(r["trial"]))) for r in closer.to_dict("records"))
    screened = int((trials["status"] == "screened").sum())
    summary = (
        f"{len(trials)} trial folder(s): {screened} screened, {len(trials) - screened} not valid; "
        f"{len(closer) - (len(trials) - screened)} screened trial(s) with at least one flag. "
        "A flag is a question for the authors, not evidence of misconduct."
    )
    shown = trials.drop(columns=["reason"]) if "reason" in trials else trials
    body = (
        f"<h1>{escape(title)}</h1><p>{escape(summary)}</p>"
        f"<h2>Worth a closer look first</h2><ol>{items or '<li>None.</li>'}</ol>"
        + figure_html(
            figure_png,
            alt="Cumulative distribution of the trials' combined baseline p values against the uniform distribution",
            caption="Carlisle's figure: the baseline p values of the "
            "screened trials against what true randomization gives.",
        )
        + _own_runs_html(reports, not_run)
        + "<h2>Every trial</h2>"
        + journal_table(shown, auto_columns(shown), caption="Every trial, most worth a look first", uuid="screen")
    )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"{REPORT_CSS}</head><body>{body}</body></html>\n"
    )
