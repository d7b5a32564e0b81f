"""Pathway figures: a dot plot of the top terms of one ORA or one GSEA analysis."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from painstress.figures.style import GREY, LABEL_CHARS, OKABE_ITO, plain

# the columns that make one analysis (one gene list / one ranked contrast)
_CONTEXT = {"ora": ["definition", "region", "direction"], "gsea": ["contrast", "region"]}


def _label(name: str, width: int, max_lines: int, suffix: str = "") -> str:
    """``name`` wrapped at ``width`` characters on at most ``max_lines`` lines, the last one
    cut with an ellipsis when the name is longer, then ``suffix``. Underscores (MSigDB
    ids) become spaces so that long ids wrap between words."""
    lines = textwrap.wrap(str(name).replace("_", " "), width) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:width - 1].rstrip() + "…"
    return "\n".join(lines) + suffix


def _size_scale(values: pd.Series) -> tuple[np.ndarray, float]:
    """Marker areas (points²) proportional to ``values``; the largest is 220."""
    top = float(values.max()) if len(values) and values.max() > 0 else 1.0
    return 220.0 * values.to_numpy(dtype=float) / top, top


def _legend_values(top: float) -> list[int]:
    """Up to three round values for the size legend, the largest at most ``top``."""
    return sorted({max(1, int(round(top * f))) for f in (0.25, 0.5, 1.0)})


def pathway_dotplot(table: pd.DataFrame, *, title: str, top_n: int = 20,
                    padj_threshold: float = 0.05, label_width: int = 42,
                    max_lines: int = 2) -> plt.Figure:
    """Dot plot of the ``top_n`` terms (smallest padj) with ``padj < padj_threshold`` of one
    analysis.

    ``table``: rows of one ORA analysis (``painstress.compare.pathways.ORA_COLUMNS``, one
    definition, region and direction) or one GSEA analysis (``GSEA_COLUMNS``, one contrast
    and region); which one is told by the ``nes`` column. ORA: x = gene ratio (overlap /
    genes in the list), dot area = overlap. GSEA: x = NES, dot area = set size. Colour:
    −log10 padj. Term names are wrapped at ``label_width`` characters on at most
    ``max_lines`` lines (longer ones end in "…"), with the collection in brackets when
    the table holds several. No term passing gives a figure that says so.
    """
    analysis = "gsea" if "nes" in table.columns else "ora"
    context = [c for c in _CONTEXT[analysis] if c in table.columns]
    if len(table) and len(table[context].drop_duplicates()) > 1:
        raise ValueError(f"one analysis per dot plot: the table holds several "
                         f"({', '.join(context)})")
    passing = table[table["padj"] < padj_threshold].sort_values(
        ["padj", "pvalue", "term"], kind="mergesort")
    shown = passing.head(top_n).iloc[::-1]  # best at the top
    if shown.empty:
        return _empty(title, len(table), padj_threshold, analysis)

    several = shown["collection"].nunique() > 1 or table["collection"].nunique() > 1
    labels = [plain(_label(row["name"], label_width, max_lines))
              + (f" [{plain(row['collection'], LABEL_CHARS)}]" if several else "")
              for _, row in shown.iterrows()]
    lines = max(label.count("\n") + 1 for label in labels)
    row_height = 0.2 + 0.15 * (lines - 1)  # inches per term, enough for its label lines
    fig, ax = plt.subplots(figsize=(7.8, max(2.8, row_height * len(shown) + 1.8)),
                           layout="constrained")

    if analysis == "ora":
        x = shown["overlap"] / shown["n_genes"]
        sizes, top = _size_scale(shown["overlap"])
        xlabel, size_title = "gene ratio (overlap / genes in the list)", "overlap (genes)"
    else:
        x = shown["nes"]
        sizes, top = _size_scale(shown["set_size"])
        xlabel, size_title = "normalised enrichment score (NES)", "set size (genes)"
        ax.axvline(0, c=GREY, lw=0.8, zorder=0)
    # padj may be 0 (below the method's floor): clip so the colour stays finite
    score = -np.log10(shown["padj"].clip(lower=1e-300).to_numpy(dtype=float))
    y = np.arange(len(shown))
    dots = ax.scatter(x, y, s=sizes, c=score, cmap="viridis", edgecolors=OKABE_ITO[7],
                      linewidths=0.4, vmin=min(score.min(), -np.log10(padj_threshold)),
                      zorder=3)
    ax.set_yticks(y, labels, fontsize=8 if lines == 1 else 7.5)
    ax.set_ylim(-0.7, len(shown) - 0.3)
    ax.grid(axis="y", color=GREY, lw=0.4, alpha=0.5, zorder=0)
    ax.margins(x=0.12)
    if analysis == "gsea":  # keep 0 in view so the side of each term is clear
        low, high = ax.get_xlim()
        ax.set_xlim(min(low, -0.3), max(high, 0.3))
    ax.set_xlabel(xlabel)
    fig.colorbar(dots, ax=ax, shrink=min(0.8, 4.0 / max(len(shown), 1) + 0.3), pad=0.02,
                 label="−log10 padj")
    handles = [Line2D([], [], ls="", marker="o", markersize=np.sqrt(220.0 * v / top),
                      mfc=GREY, mec=OKABE_ITO[7], mew=0.4, label=str(v))
               for v in _legend_values(top)]
    fig.legend(handles=handles, title=size_title, loc="outside lower center", ncols=3,
               fontsize=8, title_fontsize=8, frameon=False)
    fig.suptitle(f"{plain(title)}\ntop {len(shown)} of {len(passing)} terms with padj < "
                 f"{padj_threshold:g} ({len(table)} tested)", fontsize=10)
    return fig


def _empty(title: str, n_tested: int, padj_threshold: float, analysis: str) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(6.5, 2.0), layout="constrained")
    kind = "GSEA" if analysis == "gsea" else "over-representation"
    ax.text(0.5, 0.5, f"no term passes padj < {padj_threshold:g}\n"
            f"({n_tested} terms tested, {kind})", ha="center", va="center", fontsize=10)
    ax.set_axis_off()
    fig.suptitle(plain(title), fontsize=10)
    return fig
