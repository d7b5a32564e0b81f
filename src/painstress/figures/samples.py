"""Sample-level quality figures: library sizes, PCA and sample distances on VST."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import to_rgb

from painstress.figures.style import OKABE_ITO, group_colours


def library_sizes(counts: pd.Series, sheet: pd.DataFrame, *, title: str,
                  group_order: list[str], region_order: list[str]) -> plt.Figure:
    """Total counts per sample (millions), one panel per region, bars coloured by group."""
    data = sheet.set_index("sample").join(counts.rename("total"))
    regions = [r for r in region_order if r in set(data["region"])]
    colours = group_colours(group_order)
    fig, axes = plt.subplots(1, len(regions), figsize=(4.2 * len(regions), 3.8), sharey=True,
                             squeeze=False, layout="constrained")
    for ax, region in zip(axes[0], regions):
        rows = data[data["region"] == region].copy()
        rows["order"] = rows["group"].map({g: i for i, g in enumerate(group_order)})
        rows = rows.sort_values(["order", "total"])
        ax.bar(range(len(rows)), rows["total"] / 1e6, color=rows["group"].map(colours))
        ax.set_xticks(range(len(rows)), rows.index, rotation=90, fontsize=6)
        ax.set_title(region, fontsize=9)
    axes[0][0].set_ylabel("reads counted (millions)")
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours[g]) for g in group_order
               if g in set(data["group"])]
    fig.legend(handles, [g for g in group_order if g in set(data["group"])],
               loc="outside right upper", fontsize=8, frameon=False)
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


def sample_distances(vst: pd.DataFrame, sheet: pd.DataFrame, *, title: str,
                     group_order: list[str]) -> plt.Figure:
    """Euclidean distances between samples on VST expression, clustered (average linkage)."""
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import pdist, squareform

    condensed = pdist(vst.T.to_numpy())
    order = leaves_list(linkage(condensed, method="average"))
    names = vst.columns[order]
    matrix = squareform(condensed)[np.ix_(order, order)]
    groups = sheet.set_index("sample").loc[names, "group"]
    colours = group_colours(group_order)
    fig, (bar, ax) = plt.subplots(1, 2, figsize=(7.2, 6), layout="constrained",
                                  gridspec_kw={"width_ratios": [1, 20]})
    image = ax.imshow(matrix, cmap="viridis_r")
    ax.set_xticks(range(len(names)), names, rotation=90, fontsize=6)
    ax.set_yticks([])
    rgb = [to_rgb(colours[g]) for g in groups]
    bar.imshow(np.array(rgb)[:, None, :], aspect="auto")
    bar.set_xticks([])
    bar.set_yticks(range(len(names)), [f"{n} ({g})" for n, g in zip(names, groups)], fontsize=6)
    fig.colorbar(image, ax=ax, shrink=0.6, label="Euclidean distance (VST)")
    fig.suptitle(title, fontsize=10)
    return fig
