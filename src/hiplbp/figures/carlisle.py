"""The screen's figure of Carlisle's baseline p values across trials."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .style import OKABE_ITO, STYLE


def carlisle_figure(p_values: Sequence[float], *, title: str = "") -> plt.Figure:
    """Carlisle's figure: the cumulative distribution of per-trial baseline p values against the uniform.

    Under true randomization the combined baseline p of each trial is uniform, so its empirical
    distribution follows the diagonal; a bulge near 0 is trials whose arms differ more than chance
    allows, near 1 trials more alike than chance allows (Carlisle, Anaesthesia 2017).
    """
    p = sorted(float(x) for x in p_values if x == x)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(5.5, 5))
        ax.plot([0, 1], [0, 1], color="#999999", linestyle="--", label="uniform (true randomization)")
        if p:
            y = [(i + 1) / len(p) for i in range(len(p))]
            ax.step([0.0, *p, 1.0], [0.0, *y, 1.0], where="post", color=OKABE_ITO[0], label=f"{len(p)} trials")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("combined baseline p (Stouffer over each trial's baseline variables)")
        ax.set_ylabel("share of trials with p at most this")
        ax.set_title(title or "Baseline p values of the screened trials")
        ax.legend(loc="upper left", frameon=False)
        fig.tight_layout()
    return fig
