"""Per-contrast DE figures: volcano, MA plot, p-value histogram and dispersion estimates."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from painstress.de.deseq2 import DISPERSION_COLUMNS as DISPERSION_TABLE
from painstress.figures.style import GREY, LABEL_CHARS, OKABE_ITO, plain, text_log_labels
from painstress.settings import significance_rule

# what the dispersion plot reads of the DE step's dispersion table (after GeneID, symbol)
DISPERSION_COLUMNS = DISPERSION_TABLE[2:]


def _classes(de: pd.DataFrame, thresholds) -> list[tuple[str, pd.Series, str]]:
    modern = de["sig_modern"].astype(bool)
    paper = de["sig_paper"].astype(bool) & ~modern
    return [("not significant", ~(modern | paper), GREY),
            (f"paper only: {significance_rule(thresholds, 'paper')}", paper, OKABE_ITO[0]),
            (f"modern: {significance_rule(thresholds, 'modern')}", modern, OKABE_ITO[4])]


def _keep_inside(ax, texts: list, renderer) -> None:
    """Shift any text whose box sticks out of the axes back inside (display units)."""
    frame = ax.get_window_extent(renderer)
    for text in texts:
        box = text.get_window_extent(renderer)
        dx = max(0.0, frame.x0 - box.x0) - max(0.0, box.x1 - frame.x1)
        dy = max(0.0, frame.y0 - box.y0) - max(0.0, box.y1 - frame.y1)
        if dx or dy:
            x, y = ax.transData.transform(text.get_position())
            text.set_position(ax.transData.inverted().transform((x + dx, y + dy)))


def _drop_overlapping(texts: list, renderer) -> None:
    """Remove, in order, any text whose box overlaps one kept before it (strongest first)."""
    kept = []
    for text in texts:
        box = text.get_window_extent(renderer)
        if any(box.overlaps(other) for other in kept):
            text.remove()
        else:
            kept.append(box)


def volcano(de: pd.DataFrame, *, title: str, thresholds, n_labels: int = 10) -> plt.Figure:
    """log2FC vs −log10 p; both significance definitions coloured; top genes labelled.

    In: a DE table (:data:`painstress.de.deseq2.RESULT_COLUMNS`; uses GeneID, symbol,
    log2FoldChange, pvalue, sig_paper, sig_modern), sorted by p-value. Out: one panel with
    the legend (counts per class) outside the data area, right of it; the first
    ``n_labels`` genes circled and labelled by symbol (GeneID if none), labels placed by
    adjustText (fixed iteration count, so the layout is reproducible) with leader lines,
    and any label still overlapping a stronger gene's label dropped.
    """
    from adjustText import adjust_text

    fig, ax = plt.subplots(figsize=(7.6, 5.2), layout="constrained")
    data = de.dropna(subset=["pvalue", "log2FoldChange"])
    y = -np.log10(data["pvalue"].clip(lower=1e-300))
    for label, mask, colour in _classes(data, thresholds):
        ax.scatter(data.loc[mask, "log2FoldChange"], y[mask], s=6, c=colour, alpha=0.8,
                   linewidths=0, label=f"{label} ({int(mask.sum())})", rasterized=True)
    lfc = math.log2(thresholds.paper_fold_change)
    ax.axhline(-math.log10(thresholds.paper_pvalue), ls="--", lw=0.8, c="k")
    for x in (-lfc, lfc):
        ax.axvline(x, ls="--", lw=0.8, c="k")
    top = data.head(n_labels)  # tables are sorted by p-value
    ax.scatter(top["log2FoldChange"], y[top.index], s=22, facecolors="none",
               edgecolors="k", linewidths=0.7, zorder=3)
    ax.set_xlabel("log2 fold change")
    ax.set_ylabel("−log10 p-value")
    ax.set_title(plain(title), fontsize=10)
    ax.legend(fontsize=7.5, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0,
              frameon=False, markerscale=2.5)
    ax.margins(x=0.08, y=0.08)  # room for labels of the most extreme genes
    names = [plain(s, LABEL_CHARS) if isinstance(s, str) and s else str(g)
             for s, g in zip(top["symbol"], top["GeneID"])]
    texts = [ax.text(x, yy, name, fontsize=7.5, zorder=4) for x, yy, name in
             zip(top["log2FoldChange"], y[top.index], names)]
    if texts:
        fig.draw_without_rendering()  # fixes the constrained layout before texts are placed
        ax.set_autoscale_on(False)
        strongest = data.iloc[np.argsort(-y.to_numpy(), kind="stable")[:2000]]
        _, leaders = adjust_text(
            texts, x=strongest["log2FoldChange"].to_numpy(), y=y[strongest.index].to_numpy(),
            ax=ax, iter_lim=400, time_lim=None, expand=(1.15, 1.4), force_text=(0.3, 0.5),
            min_arrow_len=2, arrowprops={"arrowstyle": "-", "color": "0.35", "lw": 0.6})
        renderer = fig.canvas.get_renderer()
        _keep_inside(ax, texts, renderer)
        _drop_overlapping(texts, renderer)
        for leader in leaders:  # a dropped label's leader line goes too
            if getattr(leader, "patchA", None) is not None and leader.patchA not in ax.texts:
                leader.remove()
    return fig


def dispersion_plot(dispersions: pd.DataFrame, *, title: str) -> plt.Figure:
    """DESeq2's ``plotDispEsts``: dispersion against mean of normalised counts, log–log.

    In: one row per gene of a fit with the columns of :data:`DISPERSION_COLUMNS`:

    * ``baseMean``: mean of the normalised counts;
    * ``genewise``: the gene-wise maximum-likelihood dispersion (pydeseq2
      ``var["genewise_dispersions"]``);
    * ``fitted``: the mean–dispersion trend at the gene's mean (``fitted_dispersions``);
    * ``MAP``: the shrunk, maximum a posteriori dispersion (``MAP_dispersions``); optional
      and not drawn (it is ``final`` for every gene but outliers);
    * ``final``: the dispersion the test used (``dispersions``): MAP, or gene-wise for
      an outlier;
    * ``outlier``: bool, a dispersion outlier (gene-wise far above the trend, so not shrunk:
      final = gene-wise; ``_outlier_genes``).

    Extra columns (e.g. GeneID) are ignored. Genes with a NaN or non-positive mean (all-zero
    counts) are left out and counted in the legend; gene-wise estimates below the plotted
    range (pydeseq2's floor, 1e-8) are drawn as down-triangles on its lower edge.
    Out: one panel: gene-wise estimates black, the trend a red (vermilion) line, final
    estimates blue, outliers circled in blue; legend right of the panel.
    """
    missing = [c for c in ("baseMean", "genewise", "fitted", "final", "outlier")
               if c not in dispersions.columns]
    if missing:
        raise ValueError(f"dispersion table lacks column(s) {', '.join(missing)}")
    table = dispersions.copy()
    usable = np.isfinite(table["baseMean"]) & (table["baseMean"] > 0)
    left_out = int((~usable).sum())
    table = table[usable].sort_values("baseMean", kind="mergesort")
    outlier = table["outlier"].astype("boolean").fillna(False).astype(bool)
    positive = pd.concat([table[c][table[c] > 0] for c in ("genewise", "fitted", "final")])
    positive = positive[np.isfinite(positive)]
    fig, ax = plt.subplots(figsize=(8.4, 4.8), layout="constrained")
    if len(positive):
        # DESeq2's floor: a decade below the smallest gene-wise estimate that is not at the
        # optimiser's lower bound, so estimates at the bound do not stretch the axis.
        informative = table["genewise"][table["genewise"] > 1e-6]
        low = float(informative.min() if len(informative) else positive.min())
        floor = 10 ** (math.floor(math.log10(low)) - 0.1)
        genewise = table["genewise"]
        below = genewise.notna() & (genewise < floor)
        ax.scatter(table.loc[~below, "baseMean"], genewise[~below], s=5, c="black",
                   linewidths=0, alpha=0.7, label="gene-wise estimate", rasterized=True)
        if below.any():
            ax.scatter(table.loc[below, "baseMean"], np.full(int(below.sum()), floor),
                       marker="v", s=14, c="black", linewidths=0, alpha=0.7,
                       label=f"gene-wise below {floor:.1g} ({int(below.sum())})",
                       rasterized=True)
        ax.scatter(table["baseMean"], table["final"], s=5, c=OKABE_ITO[4], linewidths=0,
                   alpha=0.7, label="final (MAP, shrunk to the trend)", rasterized=True)
        trend = table[np.isfinite(table["fitted"]) & (table["fitted"] > 0)]
        ax.plot(trend["baseMean"], trend["fitted"], c=OKABE_ITO[5], lw=1.8,
                label="fitted trend")
        ax.scatter(table.loc[outlier, "baseMean"], table.loc[outlier, "final"], s=42,
                   facecolors="none", edgecolors=OKABE_ITO[4], linewidths=1.0,
                   label=f"dispersion outlier, kept gene-wise ({int(outlier.sum())})")
        ax.set_xscale("log")
        ax.set_yscale("log")
        text_log_labels(ax.xaxis)
        text_log_labels(ax.yaxis)
        top = float(positive.max())
        ax.set_ylim(floor / 1.5, top * 1.5)
    else:
        ax.text(0.5, 0.5, "no gene with a usable dispersion", ha="center", va="center",
                transform=ax.transAxes)
    ax.set_xlabel("mean of normalised counts")
    ax.set_ylabel("dispersion")
    ax.set_title(plain(title), fontsize=10)
    handles, labels = ax.get_legend_handles_labels()
    if left_out:
        handles.append(plt.Line2D([], [], ls="none"))
        labels.append(f"{left_out} gene(s) with zero or missing mean not shown")
    if handles:
        ax.legend(handles, labels, fontsize=7.5, loc="upper left", bbox_to_anchor=(1.02, 1.0),
                  borderaxespad=0, frameon=False, markerscale=1.5)
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
        text_log_labels(ax.xaxis)
        ax.axhline(0, lw=0.8, c="k")
        ax.set_xlabel("mean of normalised counts")
        ax.set_title(name, fontsize=9)
    axes[0].set_ylabel("log2 fold change")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize=8,
               frameon=False, markerscale=3)
    fig.suptitle(plain(title), fontsize=10)
    return fig


def pvalue_histogram(de: pd.DataFrame, *, title: str) -> plt.Figure:
    """Distribution of p-values: flat with a peak near 0 when the model is sound."""
    fig, ax = plt.subplots(figsize=(5, 3.6))
    p = de["pvalue"].dropna()
    ax.hist(p, bins=np.linspace(0, 1, 21), color=OKABE_ITO[4], edgecolor="white")
    ax.axhline(len(p) / 20, ls="--", lw=0.8, c="k", label="expected if no gene changed")
    ax.set_xlabel("p-value")
    ax.set_ylabel("genes")
    ax.set_title(plain(title), fontsize=9)
    ax.legend(fontsize=7, frameon=False)
    return fig
