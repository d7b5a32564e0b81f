"""Per-contrast DE figures: volcano, MA plot and p-value histogram."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from painstress.figures.style import GREY, OKABE_ITO, label_without_overlap


def _classes(de: pd.DataFrame, thresholds) -> list[tuple[str, pd.Series, str]]:
    modern = de["sig_modern"].astype(bool)
    paper = de["sig_paper"].astype(bool) & ~modern
    return [("not significant", ~(modern | paper), GREY),
            (f"paper only: p < {thresholds.paper_pvalue:g}, |FC| ≥ "
             f"{thresholds.paper_fold_change:g}", paper, OKABE_ITO[0]),
            (f"modern: padj < {thresholds.modern_padj:g}", modern, OKABE_ITO[4])]


def volcano(de: pd.DataFrame, *, title: str, thresholds, n_labels: int = 10) -> plt.Figure:
    """log2FC vs −log10 p; both significance definitions coloured; top genes labelled."""
    fig, ax = plt.subplots(figsize=(6, 5))
    data = de.dropna(subset=["pvalue"])
    y = -np.log10(data["pvalue"].clip(lower=1e-300))
    for label, mask, colour in _classes(data, thresholds):
        ax.scatter(data.loc[mask, "log2FoldChange"], y[mask], s=6, c=colour, alpha=0.8,
                   linewidths=0, label=f"{label} ({int(mask.sum())})", rasterized=True)
    lfc = math.log2(thresholds.paper_fold_change)
    ax.axhline(-math.log10(thresholds.paper_pvalue), ls="--", lw=0.8, c="k")
    for x in (-lfc, lfc):
        ax.axvline(x, ls="--", lw=0.8, c="k")
    top = data.head(n_labels)  # tables are sorted by p-value
    label_without_overlap(ax, pd.DataFrame({
        "x": top["log2FoldChange"], "y": y[top.index],
        "label": [s or str(g) for s, g in zip(top["symbol"], top["GeneID"])]}))
    ax.set_xlabel("log2 fold change")
    ax.set_ylabel("−log10 p-value")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, loc="upper left", frameon=False, markerscale=2)
    return fig


def ma_plot(de: pd.DataFrame, *, title: str, thresholds) -> plt.Figure:
    """Mean of normalised counts vs log2FC (raw and shrunk), significant genes coloured."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.6), sharey=True, layout="constrained")
    for ax, column, name in zip(axes, ["log2FoldChange", "log2FoldChange_shrunk"],
                                ["maximum-likelihood log2FC", "shrunk log2FC (apeGLM-style)"]):
        for label, mask, colour in _classes(de, thresholds):
            ax.scatter(de.loc[mask, "baseMean"], de.loc[mask, column], s=5, c=colour,
                       alpha=0.8, linewidths=0, label=f"{label} ({int(mask.sum())})",
                       rasterized=True)
        ax.set_xscale("log")
        ax.axhline(0, lw=0.8, c="k")
        ax.set_xlabel("mean of normalised counts")
        ax.set_title(name, fontsize=9)
    axes[0].set_ylabel("log2 fold change")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize=8,
               frameon=False, markerscale=3)
    fig.suptitle(title, fontsize=10)
    return fig


def pvalue_histogram(de: pd.DataFrame, *, title: str) -> plt.Figure:
    """Distribution of p-values: flat with a peak near 0 when the model is sound."""
    fig, ax = plt.subplots(figsize=(5, 3.6))
    p = de["pvalue"].dropna()
    ax.hist(p, bins=np.linspace(0, 1, 21), color=OKABE_ITO[4], edgecolor="white")
    ax.axhline(len(p) / 20, ls="--", lw=0.8, c="k", label="expected if no gene changed")
    ax.set_xlabel("p-value")
    ax.set_ylabel("genes")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, frameon=False)
    return fig
