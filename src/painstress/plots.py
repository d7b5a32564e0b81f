"""Figures: volcano, MA and PCA per region; overlap counts across regions.

Every function takes tables as the workflow writes them and returns a matplotlib Figure;
:func:`save` writes it as PNG (for the report) and PDF (vector). Colours are the
Okabe–Ito palette, which stays distinguishable with colour-vision deficiencies.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

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


def _classes(de: pd.DataFrame, thresholds) -> list[tuple[str, pd.Series, str]]:
    modern = de["sig_modern"].astype(bool)
    paper = de["sig_paper"].astype(bool) & ~modern
    return [("not significant", ~(modern | paper), GREY),
            (f"paper only: p < {thresholds.paper_pvalue:g}, |FC| ≥ "
             f"{thresholds.paper_fold_change:g}", paper, OKABE_ITO[0]),
            (f"modern: padj < {thresholds.modern_padj:g}", modern, OKABE_ITO[4])]


def _label_without_overlap(ax, points: pd.DataFrame) -> None:
    """Label points (columns x, y, label) in order, dropping any label whose box would
    overlap one already placed, so the strongest genes keep readable labels."""
    renderer = ax.figure.canvas.get_renderer()
    placed = []
    for _, row in points.iterrows():
        text = ax.annotate(row["label"], (row["x"], row["y"]), fontsize=7, xytext=(3, 2),
                           textcoords="offset points")
        box = text.get_window_extent(renderer).expanded(1.05, 1.1)
        if any(box.overlaps(other) for other in placed):
            text.remove()
        else:
            placed.append(box)


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
    _label_without_overlap(ax, pd.DataFrame({
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


def pca(vst: pd.DataFrame, sheet: pd.DataFrame, *, title: str, group_order: list[str],
        n_genes: int = 500) -> plt.Figure:
    """PCA of samples on the ``n_genes`` most variable VST genes, coloured by group
    (legend in ``group_order``)."""
    top = vst.loc[vst.var(axis=1).sort_values(ascending=False).index[:n_genes]]
    centred = top.T - top.T.mean(axis=0)
    u, s, _ = np.linalg.svd(centred.to_numpy(), full_matrices=False)
    explained = s**2 / np.sum(s**2)
    scores = pd.DataFrame(u[:, :2] * s[:2], index=top.columns, columns=["PC1", "PC2"])
    groups = sheet.set_index("sample").loc[scores.index, "group"]
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    present = [g for g in group_order if g in set(groups)]
    for colour, group in zip(OKABE_ITO, present):
        mask = groups == group
        ax.scatter(scores.loc[mask, "PC1"], scores.loc[mask, "PC2"], c=colour, s=40,
                   label=f"{group} (n={int(mask.sum())})", edgecolors="k", linewidths=0.4)
    ax.set_xlabel(f"PC1 ({explained[0]:.0%} of variance)")
    ax.set_ylabel(f"PC2 ({explained[1]:.0%} of variance)")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, frameon=False, loc="best")
    return fig


def overlap_counts(stats_table: pd.DataFrame, *, title: str) -> plt.Figure:
    """Same- vs opposite-direction genes per region, observed and expected, per definition."""
    definitions = list(dict.fromkeys(stats_table["definition"]))
    fig, axes = plt.subplots(1, len(definitions), figsize=(5 * len(definitions), 4.2),
                             squeeze=False)
    for ax, definition in zip(axes[0], definitions):
        rows = stats_table[stats_table["definition"] == definition].reset_index(drop=True)
        x = np.arange(len(rows))
        ax.bar(x - 0.2, rows["n_same_direction"], 0.4, color=OKABE_ITO[2],
               label="same direction")
        ax.bar(x + 0.2, rows["n_opposite_direction"], 0.4, color=OKABE_ITO[5],
               label="opposite direction")
        ax.scatter(x - 0.2, rows["expected_same_direction"], marker="_", s=300, c="k",
                   label="expected same (independent lists)", zorder=3)
        for i, row in rows.iterrows():
            ax.annotate(f"p={row['pvalue']:.1g}\npadj={row['padj']:.1g}",
                        (i - 0.2, row["n_same_direction"]), ha="center", va="bottom",
                        fontsize=7, xytext=(0, 2), textcoords="offset points")
        ax.set_xticks(x, rows["region"])
        ax.set_ylabel("genes significant in both pain and stress")
        ax.set_title(f"{definition} definition", fontsize=9)
        ax.margins(y=0.2)
    axes[0][0].legend(fontsize=7, frameon=False, loc="upper left")
    fig.suptitle(title, fontsize=10)
    return fig
