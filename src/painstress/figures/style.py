"""Shared style of every figure, and how figures are written.

Every figure function in this package takes tables as the workflow writes them and returns
a matplotlib Figure; :func:`save` writes it as PNG (for the report) and PDF (vector).
Colours are the Okabe–Ito palette, which stays distinguishable with colour-vision
deficiencies.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

if "ipykernel" not in sys.modules:  # scripts and tests write files; notebooks keep inline
    matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00",
             "#CC79A7", "#000000"]
GREY = "#BBBBBB"
plt.rcParams.update({"figure.dpi": 100, "savefig.dpi": 150, "font.size": 10,
                     "axes.spines.top": False, "axes.spines.right": False,
                     "svg.hashsalt": "painstress", "pdf.compression": 6})


def save(fig: plt.Figure, png: str | Path, pdf: str | Path | None = None) -> None:
    """Write ``fig`` as PNG and, if given, PDF (no creation date, so reruns are stable)."""
    fig.savefig(png, bbox_inches="tight", metadata={"Software": None})
    if pdf:
        fig.savefig(pdf, bbox_inches="tight", metadata={"CreationDate": None})
    plt.close(fig)


def group_colours(groups: list[str]) -> dict[str, str]:
    return dict(zip(groups, OKABE_ITO))
