"""Sample-level quality figures: library sizes, count distributions, PCA and sample
distances on VST."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from painstress.figures.style import GREY, LABEL_CHARS, OKABE_ITO, group_colours, plain

MAX_LEVELS = 12  # a sheet column with more levels is not a factor to colour by
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*", "<", ">", "h", "p"]
FREE_TEXT = re.compile(r"^(sample|title|description|name|label|source.*|characteristics.*)$",
                       re.IGNORECASE)
MISSING = "(not given)"


# More rotated 6-point names than this overlap in a panel 4.2 inches wide.
MAX_NAMED_BARS = 40


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
        if len(rows) <= MAX_NAMED_BARS:
            ax.set_xticks(range(len(rows)), [plain(s, LABEL_CHARS) for s in rows.index],
                          rotation=90, fontsize=6)
        else:  # names would overlap; each sample's total is in the sample sheet
            ax.set_xticks([])
            ax.set_xlabel(f"{len(rows)} samples, by group, then by size", fontsize=8)
        ax.set_title(plain(region, LABEL_CHARS), fontsize=9)
    axes[0][0].set_ylabel("reads counted (millions)")
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours[g]) for g in group_order
               if g in set(data["group"])]
    fig.legend(handles, [plain(g, LABEL_CHARS) for g in group_order if g in set(data["group"])],
               loc="outside right upper", fontsize=8, frameon=False)
    fig.suptitle(plain(title), fontsize=10)
    return fig


def _sample_order(samples: pd.Index, sheet: pd.DataFrame, group_order: list[str]) -> list[str]:
    """``samples`` sorted by group (``group_order``, unknown groups last), region, name."""
    rows = sheet.drop_duplicates("sample").set_index("sample").loc[list(samples)]
    rank = {g: i for i, g in enumerate(group_order)}
    keys = pd.DataFrame({"group": rows["group"].map(rank).fillna(len(rank)),
                         "region": rows["region"].astype(str) if "region" in rows else "",
                         "name": rows.index.astype(str)})
    return keys.sort_values(["group", "region", "name"], kind="mergesort").index.tolist()


def _colours_for(groups: pd.Series, group_order: list[str]) -> dict[str, str]:
    """Group -> colour: ``group_order`` first (as :func:`group_colours`), then any other."""
    order = [*group_order, *sorted(set(groups) - set(group_order))]
    return {g: OKABE_ITO[i % len(OKABE_ITO)] for i, g in enumerate(order)}


def count_distributions(raw: pd.DataFrame, normalised: pd.DataFrame, sheet: pd.DataFrame, *,
                        title: str, group_order: list[str]) -> plt.Figure:
    """log2(count + 1) per sample before and after size-factor normalisation.

    In: ``raw`` and ``normalised`` are genes × samples tables (the same samples;
    ``normalised`` = raw / size factor); ``sheet`` the sample sheet (sample, group and,
    if present, region). Out: two stacked box-plot panels (raw above, normalised below), one
    box per sample (no outlier points), samples ordered by group (``group_order``) then
    region and name, coloured by group; the normalised panel has a dashed line at the median
    of the sample medians, which every box should straddle after normalisation.
    """
    samples = _sample_order(raw.columns, sheet, group_order)
    groups = sheet.drop_duplicates("sample").set_index("sample").loc[samples, "group"]
    colours = _colours_for(groups, group_order)
    width = min(22.0, max(6.0, 0.28 * len(samples) + 2.2))
    fig, axes = plt.subplots(2, 1, figsize=(width, 6.4), sharex=True, sharey=True,
                             layout="constrained")
    for ax, table, name in zip(axes, [raw, normalised],
                               ["raw counts", "normalised counts (counts / size factor)"]):
        values = np.log2(table[samples].to_numpy(dtype=float) + 1.0)
        boxes = ax.boxplot([v[np.isfinite(v)] for v in values.T], positions=range(len(samples)),
                           widths=0.7, showfliers=False, patch_artist=True,
                           medianprops={"color": "black", "linewidth": 1.2},
                           whiskerprops={"linewidth": 0.8}, capprops={"linewidth": 0.8})
        for patch, group in zip(boxes["boxes"], groups):
            patch.set_facecolor(colours[group])
            patch.set_edgecolor("black")
            patch.set_linewidth(0.6)
        ax.set_ylabel("log2(count + 1)")
        ax.set_title(name, fontsize=9, loc="left")
        ax.grid(axis="y", lw=0.4, color=GREY, alpha=0.6)
        ax.set_axisbelow(True)
    medians = np.nanmedian(np.log2(normalised[samples].to_numpy(dtype=float) + 1.0), axis=0)
    axes[1].axhline(float(np.median(medians)), ls="--", lw=0.8, c="k",
                    label="median of sample medians")
    axes[1].set_xticks(range(len(samples)), [plain(s, LABEL_CHARS) for s in samples], rotation=90,
                       fontsize=7 if len(samples) <= 40 else 5)
    axes[1].set_xlim(-0.6, len(samples) - 0.4)
    present = [g for g in colours if g in set(groups)]
    handles = [Patch(facecolor=colours[g], edgecolor="black", linewidth=0.6,
                     label=f"{plain(g, LABEL_CHARS)} (n={int((groups == g).sum())})")
               for g in present]
    handles.append(Line2D([], [], ls="--", lw=0.8, c="k", label="median of sample medians"))
    fig.legend(handles=handles, loc="outside right center", fontsize=8, frameon=False)
    fig.suptitle(plain(title), fontsize=10)
    return fig


def _level_key(level: str):
    """Natural sort key: ``s2`` before ``s10``."""
    return [int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", str(level))]


def sample_factors(sheet: pd.DataFrame, samples: list[str],
                   max_levels: int = MAX_LEVELS) -> tuple[list[str], dict[str, str]]:
    """The sheet's columns worth colouring a PCA of ``samples`` by, and the constant ones.

    A factor is any column but ``sample`` and free-text ones (title, description, …) with
    2 to ``max_levels`` levels among ``samples`` that does not give every sample its own
    level (an id such as ``mouse``). ``group`` always comes first, even if constant.
    Returns (factors, {constant column: its one level}).
    """
    rows = sheet.drop_duplicates("sample").set_index("sample").loc[samples]
    factors, constant = [], {}
    for column in rows.columns:
        if FREE_TEXT.match(str(column)):
            continue
        values = rows[column].fillna("").astype(str).replace("", MISSING)
        n = values.nunique()
        if column == "group":
            factors.insert(0, column)
        elif n == 1:
            constant[column] = values.iloc[0]
        elif n <= max_levels and not (n == len(values) and len(values) > 2):
            factors.append(column)
    return factors, constant


def pca_scores(vst: pd.DataFrame, n_genes: int = 500) -> tuple[pd.DataFrame, np.ndarray]:
    """PC1 and PC2 of samples on the ``n_genes`` most variable genes of ``vst`` (genes ×
    samples). Returns (scores: samples × [PC1, PC2], fraction of variance of every PC).
    Deterministic: ties in variance keep the table's gene order, and each PC's sign is set
    so that its largest gene loading is positive."""
    variance = vst.var(axis=1).sort_values(ascending=False, kind="mergesort")
    top = vst.loc[variance.index[:n_genes]]
    centred = (top.T - top.T.mean(axis=0)).to_numpy(dtype=float)
    u, s, vt = np.linalg.svd(centred, full_matrices=False)
    explained = s**2 / np.sum(s**2) if np.sum(s**2) > 0 else np.zeros_like(s)
    k = min(2, len(s))
    signs = np.sign(vt[np.arange(k), np.argmax(np.abs(vt[:k]), axis=1)])
    signs[signs == 0] = 1.0
    values = np.zeros((len(top.columns), 2))
    values[:, :k] = u[:, :k] * s[:k] * signs
    return pd.DataFrame(values, index=top.columns, columns=["PC1", "PC2"]), explained


def pca(vst: pd.DataFrame, sheet: pd.DataFrame, *, title: str, group_order: list[str],
        n_genes: int = 500, orders: dict[str, list[str]] | None = None) -> plt.Figure:
    """PCA of samples on the ``n_genes`` most variable VST genes, one panel per factor.

    In: ``vst`` genes × samples; ``sheet`` the sample sheet (sample, group and any other
    columns). Every factor of :func:`sample_factors` gets a panel with the same PC1/PC2
    coordinates (percent of variance on the axes), points coloured and shaped by level,
    legend beside the panel with n per level; ``group`` is first, its levels in
    ``group_order``; other levels in ``orders[factor]`` if given, else natural order.
    Columns constant across these samples are named under the title.
    """
    scores, explained = pca_scores(vst, n_genes)
    samples = list(scores.index)
    factors, constant = sample_factors(sheet, samples)
    rows = sheet.drop_duplicates("sample").set_index("sample").loc[samples]
    orders = {"group": group_order, **(orders or {})}
    ncols = 2 if len(factors) == 4 else min(3, len(factors))
    nrows = int(np.ceil(len(factors) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.6 * ncols, 3.7 * nrows + 0.5),
                             sharex=True, sharey=True, squeeze=False, layout="constrained")
    for ax, factor in zip(axes.flat, factors):
        values = rows[factor].fillna("").astype(str).replace("", MISSING)
        given = [lv for lv in orders.get(factor, []) if lv in set(values)]
        levels = given + sorted(set(values) - set(given) - {MISSING}, key=_level_key)
        levels += [MISSING] if MISSING in set(values) else []
        # groups keep their colours of every other figure; other factors start elsewhere
        # in the palette so that, say, a dataset is not read as a group
        palette = OKABE_ITO if factor == "group" else OKABE_ITO[4:] + OKABE_ITO[:4]
        for i, level in enumerate(levels):
            mask = (values == level).to_numpy()
            colour = GREY if level == MISSING else palette[i % len(palette)]
            ax.scatter(scores.loc[mask, "PC1"], scores.loc[mask, "PC2"], c=colour, s=42,
                       marker=MARKERS[i % len(MARKERS)], edgecolors="k", linewidths=0.5,
                       label=f"{plain(level, LABEL_CHARS)} (n={int(mask.sum())})", zorder=3)
        ax.set_title(f"by {plain(factor, LABEL_CHARS)}", fontsize=9, loc="left")
        # handles given, so that a level starting with '_' is not dropped from the legend
        ax.legend(handles=ax.collections, fontsize=7.5, frameon=False, loc="upper left",
                  bbox_to_anchor=(1.01, 1.0), borderaxespad=0, handletextpad=0.3)
        ax.axhline(0, lw=0.5, c=GREY, zorder=1)
        ax.axvline(0, lw=0.5, c=GREY, zorder=1)
        ax.set_xlabel(f"PC1 ({explained[0]:.0%} of variance)")
        ax.set_ylabel(f"PC2 ({explained[1] if len(explained) > 1 else 0:.0%} of variance)")
        ax.tick_params(labelbottom=True, labelleft=True)  # shared axes would hide them
    for ax in axes.flat[len(factors):]:
        ax.remove()
    note = "; ".join(f"{plain(c, LABEL_CHARS)} = {plain(v, LABEL_CHARS)}"
                     for c, v in constant.items())
    fig.suptitle(plain(title) + (f"\nsame in every sample: {note}" if note else ""), fontsize=10)
    return fig


def sample_distances(vst: pd.DataFrame, sheet: pd.DataFrame, *, title: str,
                     group_order: list[str]) -> plt.Figure:
    """Heatmap of Euclidean distances between samples on VST expression, with the
    average-linkage dendrogram of those distances.

    In: ``vst`` genes × samples; ``sheet`` the sample sheet (sample, group and region).
    Out: seaborn's clustermap figure: rows and columns in dendrogram order, colour strips
    for group (in ``group_order``'s colours) and, when the samples span several regions,
    region; a legend of the strips and a colour bar; labels "sample (group)".
    """
    import seaborn as sns
    from scipy.cluster.hierarchy import linkage
    from scipy.spatial.distance import pdist, squareform

    names = list(vst.columns)
    condensed = pdist(vst.T.to_numpy(dtype=float))
    tree = linkage(condensed, method="average")
    rows = sheet.drop_duplicates("sample").set_index("sample").loc[names]
    groups = rows["group"].astype(str)
    strips = {"group": groups.map(_colours_for(groups, group_order))}
    legend = [("group", _colours_for(groups, group_order), groups)]
    if "region" in rows and rows["region"].nunique() > 1:
        regions = rows["region"].astype(str)
        spare = [c for c in OKABE_ITO if c not in set(strips["group"])] or OKABE_ITO
        palette = {r: spare[i % len(spare)]
                   for i, r in enumerate(sorted(set(regions), key=_level_key))}
        strips["region"] = regions.map(palette)
        legend.append(("region", palette, regions))
    labels = [f"{plain(n, LABEL_CHARS)} ({plain(g, LABEL_CHARS)})"  # seaborn draws them
              for n, g in zip(names, groups)]
    matrix = pd.DataFrame(squareform(condensed), index=labels, columns=labels)
    strip_table = pd.DataFrame({k: v.to_numpy() for k, v in strips.items()}, index=labels)
    n = len(names)
    side = min(16.0, max(6.5, 0.22 * n + 3.5))
    font = 8 if n <= 30 else 6 if n <= 60 else 4.5
    off_diagonal = matrix.to_numpy()[~np.eye(n, dtype=bool)]
    grid = sns.clustermap(matrix, row_linkage=tree, col_linkage=tree, cmap="viridis_r",
                          mask=np.eye(n, dtype=bool),  # zeros would flatten the scale
                          vmin=float(off_diagonal.min()) if n > 1 else None,
                          vmax=float(off_diagonal.max()) if n > 1 else None,
                          row_colors=strip_table, col_colors=strip_table,
                          figsize=(side, side), dendrogram_ratio=(0.12, 0.08),
                          colors_ratio=0.025 if n > 12 else 0.04,
                          xticklabels=True, yticklabels=True, cbar_pos=None)
    heatmap = grid.ax_heatmap
    heatmap.set_xlabel("")
    heatmap.set_ylabel("")
    heatmap.tick_params(axis="both", labelsize=font, length=2)
    for ax in (grid.ax_row_colors, grid.ax_col_colors):
        ax.tick_params(labelsize=font + 1, length=0)
    handles = []
    for name, palette, values in legend:
        handles.append(Patch(facecolor="none", edgecolor="none", label=name))
        handles += [Patch(facecolor=palette[v], edgecolor="black", linewidth=0.5,
                          label=f"  {plain(v, LABEL_CHARS)} (n={int((values == v).sum())})")
                    for v in palette if v in set(values)]
    # Legend and colour bar go right of the row labels, whose width depends on the names.
    fig = grid.figure
    renderer = fig.canvas.get_renderer()
    to_figure = fig.transFigure.inverted()
    right = to_figure.transform(heatmap.get_tightbbox(renderer))[1, 0] + 0.015
    top = heatmap.get_position().y1
    key = fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(right, top),
                     fontsize=8, frameon=False, handlelength=1.2, borderaxespad=0)
    bottom = to_figure.transform(key.get_window_extent(renderer))[0, 1]
    cax = fig.add_axes((right + 0.005, bottom - 0.04 - 0.18, 0.02, 0.18))
    fig.colorbar(heatmap.collections[0], cax=cax)
    cax.set_ylabel("Euclidean distance (VST)\nbetween two samples", fontsize=8)
    cax.tick_params(labelsize=7)
    fig.suptitle(plain(title), fontsize=10, y=1.01)
    return fig
