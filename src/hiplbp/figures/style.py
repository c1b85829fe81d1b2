"""The figures' shared style: matplotlib settings, colour-blind-safe palette, and byte-stable saving.

Figures carry no timestamp (``svg.hashsalt`` fixed, no ``Date`` metadata) so that two runs give
identical bytes, and they say on their face when the data are synthetic or partly assumed.
:func:`save` draws a figure once and writes it to every requested format.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.typing import RcKeyType  # noqa: E402

STYLE: dict[RcKeyType, Any] = {
    "svg.hashsalt": "hiplbp",
    # Text stays text in the SVG, so the synthetic-data banner is searchable and accessible.
    "svg.fonttype": "none",
    # labels come from config and data: a "$" is a dollar sign, never the start of mathtext
    "text.parse_math": False,
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "font.family": "DejaVu Sans",
    "axes.spines.top": False,
    "axes.spines.right": False,
}
METADATA = {"svg": {"Date": None, "Creator": "hiplbp"}, "png": {"Software": "hiplbp"}}


def save(fig: plt.Figure, *paths: str | Path) -> None:
    """Save a figure to each path without timestamps (format from the file suffix) and close it."""
    with plt.rc_context(STYLE):
        for path in map(Path, paths):
            fmt = path.suffix.lstrip(".").lower()
            fig.savefig(path, format=fmt, metadata=METADATA.get(fmt))
    plt.close(fig)


#: Okabe & Ito's colour-blind-safe palette, paired with line styles and markers so that the series
#: also differ in greyscale and to every kind of colour vision.
OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
LINE_STYLES = ["-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (1, 1)), (0, (3, 1, 1, 1, 1, 1))]
MARKERS = ["o", "s", "^", "D", "v", "P", "X"]
