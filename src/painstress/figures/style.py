"""Shared style of every figure, and how figures are written.

Every figure function in this package takes tables as the workflow writes them and returns
a matplotlib Figure; :func:`save` writes it as PNG (for the report) and PDF (vector).
Colours are the Okabe–Ito palette, which stays distinguishable with colour-vision
deficiencies.

Text from data (gene symbols, set and term names, sample names, levels, study titles)
reaches matplotlib only through :func:`plain`, applied once to the final string where it is
drawn: figure functions take plain text and escape it themselves, callers never do.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import matplotlib

if "ipykernel" not in sys.modules:  # scripts and tests write files; notebooks keep inline
    matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import LogFormatterSciNotation  # noqa: E402

from painstress.figures.palette import palette_png  # noqa: E402

OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00",
             "#CC79A7", "#000000"]
GREY = "#BBBBBB"
plt.rcParams.update({"figure.dpi": 100, "savefig.dpi": 150, "font.size": 10,
                     "axes.spines.top": False, "axes.spines.right": False,
                     "svg.hashsalt": "painstress", "pdf.compression": 6})


LABEL_CHARS = 40  # a name on an axis or in a legend is cut to this many characters


def plain(value, limit: int | None = None) -> str:
    """``value`` as text that matplotlib draws exactly as written; with ``limit``, names
    longer than that are cut to ``limit`` characters, the last one "…" (a name on an axis
    or in a legend: :data:`LABEL_CHARS`; a longer one would squeeze the plot to nothing).

    matplotlib reads a text with two unescaped ``$`` as mathtext (``$\\bf{x}$`` is drawn
    bold, and a ``"``, ``#``, ``%`` or ``{`` inside fails to parse); ``\\$`` is drawn as ``$``
    and keeps the text plain. Nothing else in a text is special (no format strings are
    applied to labels). A missing value (None, NaN, NA) is "".
    """
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    text = str(value)
    if limit is not None and len(text) > limit:
        text = text[:limit - 1] + "…"
    return text.replace("$", r"\$")


# what matplotlib's log-axis labels write in mathtext, as plain text: 10⁻², 2×10¹
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_MATHTEXT_POWER = re.compile(r"\$\\mathdefault\{(?:([0-9.]+)\\times)?10\^\{(-?[0-9]+)\}\}\$")


class TextLogFormatter(LogFormatterSciNotation):
    """Labels of a base-10 log axis as matplotlib's (10⁻², 2×10¹ on minor ticks), in
    plain text with Unicode superscripts instead of mathtext: they look the same and the
    figure saves without mathtext's parser, a quarter of the CPU of saving a log-axis plot.
    Set it with :func:`text_log_labels`."""

    def __call__(self, x, pos=None):
        label = super().__call__(x, pos)
        match = _MATHTEXT_POWER.fullmatch(label)
        if not match:
            return label  # "" (an unlabelled minor tick) or a form not written above
        factor, power = match.groups()
        return f"{factor + '×' if factor else ''}10{power.translate(_SUPERSCRIPT)}"


def text_log_labels(axis) -> None:
    """Label the log-scaled ``axis`` (``ax.xaxis``, ``ax.yaxis``) with
    :class:`TextLogFormatter`, major and minor ticks as matplotlib's log scale would."""
    axis.set_major_formatter(TextLogFormatter())
    axis.set_minor_formatter(TextLogFormatter(labelOnlyBase=False))


def save(fig: plt.Figure, png: str | Path, pdf: str | Path | None = None) -> None:
    """Write ``fig`` as PNG and, if given, PDF (no creation date, so reruns are stable).

    The PNG (what the report embeds) has a 256-colour palette: a third of the size of
    matplotlib's 24-bit PNG and, for these plots, indistinguishable from it; the PDF beside
    it keeps the full vector figure."""
    from painstress.files import write_bytes

    # The layout and the tight box (everything drawn, plus savefig's pad) once, for both
    # files, as savefig(bbox_inches="tight") would find them for the PNG: that draws the
    # figure with rendering off to lay it out and measure it, then again for real, and the
    # PDF would repeat the first draw. With the box given and no layout engine left, each
    # savefig draws once; the PDF's parts sit as in the PNG.
    fig.set_dpi(plt.rcParams["savefig.dpi"])  # text extents at the PNG's resolution
    fig.draw_without_rendering()  # runs the layout engine, places legends, titles, ticks
    box = fig.get_tightbbox().padded(plt.rcParams["savefig.pad_inches"])
    fig.set_layout_engine(None)  # "none" would leave a placeholder engine: another draw
    rendered = io.BytesIO()
    # an uncompressed TIFF (the pixels as they are) for palette_png, which reads it at once
    # and writes the compressed PNG: cheaper to write and read than a PNG
    fig.savefig(rendered, format="tiff", bbox_inches=box)
    write_bytes(palette_png(rendered.getvalue()), png)
    if pdf:
        fig.savefig(pdf, bbox_inches=box, metadata={"CreationDate": None})
    plt.close(fig)


def group_colours(groups: list[str]) -> dict[str, str]:
    return dict(zip(groups, OKABE_ITO))
