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


def signature_heatmap(tests: pd.DataFrame, *, title: str, signature_order: list[str],
                      region_order: list[str]) -> plt.Figure:
    """Pain contrast (rows: regions and pooled) × signature (columns): colour = −log10 padj
    of the overlap test; each cell says same/opposite direction genes (signed signatures)
    or overlap size (undirected), with a star when padj < 0.05. One panel per definition."""
    definitions = list(dict.fromkeys(tests["definition"]))
    columns = [s for s in signature_order if s in set(tests["signature"])]
    width = 1.2 + 1.25 * len(columns)
    fig, axes = plt.subplots(1, len(definitions), figsize=(width * len(definitions) + 1,
                                                           0.6 * len(region_order) + 2.4),
                             squeeze=False)
    cap = 10.0  # colours saturate here so weaker but real overlaps stay visible
    vmax = min(cap, max(3.0, float((-np.log10(tests["padj"].clip(lower=1e-300))).max())))
    for ax, definition in zip(axes[0], definitions):
        rows = tests[tests["definition"] == definition].set_index(["region", "signature"])
        grid = np.full((len(region_order), len(columns)), np.nan)
        for i, region in enumerate(region_order):
            for j, name in enumerate(columns):
                if (region, name) not in rows.index:
                    continue
                row = rows.loc[(region, name)]
                grid[i, j] = min(-math.log10(max(row["padj"], 1e-300)), vmax)
                text = (f"{int(row['n_same_direction'])} same\n"
                        f"{int(row['n_opposite_direction'])} opp."
                        if row["kind"] == "signed" else
                        f"{int(row['n_overlap'])} gene{'s' if row['n_overlap'] != 1 else ''}")
                star = " *" if row["padj"] < 0.05 else ""
                ax.text(j, i, text + star, ha="center", va="center", fontsize=7,
                        color="white" if grid[i, j] > 0.6 * vmax else "black")
        image = ax.imshow(np.ma.masked_invalid(grid), cmap="Blues", vmin=0, vmax=vmax,
                          aspect="auto")
        ax.set_xticks(range(len(columns)), columns, rotation=30, ha="right", fontsize=8)
        ax.set_yticks(range(len(region_order)),
                      region_order if ax is axes[0][0] else [""] * len(region_order))
        ax.set_title(f"{definition} definition", fontsize=9)
        ax.set_facecolor("#EEEEEE")  # grey: the signature does not cover that region
        for side in ("top", "right"):
            ax.spines[side].set_visible(True)
    fig.colorbar(image, ax=axes[0].tolist(), shrink=0.8,
                 label=f"−log10 padj (BH over all tests; ≥ {vmax:g} saturates)")
    fig.suptitle(title, fontsize=10)
    return fig


def shared_upset(shared: pd.DataFrame, *, title: str, regions: list[str],
                 definition: str = "modern") -> plt.Figure:
    """UpSet plot of the shared genes (one definition) across regions: bars count the
    genes shared in exactly that combination of regions, split by direction."""
    import warnings

    import upsetplot

    genes = shared[shared["definition"] == definition]
    membership = (genes.assign(present=True)
                  .pivot_table(index=["GeneID", "direction"], columns="region",
                               values="present", aggfunc="any", fill_value=False)
                  .reindex(columns=regions, fill_value=False).astype(bool))
    fig = plt.figure(figsize=(8, 4.8))
    if membership.empty:
        ax = fig.add_subplot()
        ax.text(0.5, 0.5, f"no shared genes ({definition} definition)", ha="center")
        ax.set_axis_off()
    else:
        data = membership.reset_index().set_index(regions)
        with warnings.catch_warnings():  # upsetplot 0.9 uses pandas idioms pandas 2.3 flags
            warnings.simplefilter("ignore", FutureWarning)
            # show_counts=True fails with matplotlib 3.11 (upsetplot 0.9.0); counts are
            # written on the bars below instead.
            upset = upsetplot.UpSet(data, subset_size="count", show_counts=False,
                                    sort_categories_by="input", sort_by="cardinality",
                                    intersection_plot_elements=0, totals_plot_elements=3,
                                    element_size=None)
            upset.add_stacked_bars(by="direction", colors={"up": OKABE_ITO[5],
                                                           "down": OKABE_ITO[4]},
                                   title="shared genes", elements=6)
            axes = upset.plot(fig=fig)
        bars = axes[next(k for k in axes if k not in ("matrix", "shading", "totals"))]
        for x, size in enumerate(upset.intersections):  # plotting order, left to right
            bars.annotate(str(int(size)), (x, size), ha="center", va="bottom", fontsize=8,
                          xytext=(0, 2), textcoords="offset points")
        bars.margins(y=0.15)
    fig.suptitle(f"{title}: genes shared by pain and stress, by region "
                 f"({definition} definition, {membership.shape[0]} gene-direction pairs)",
                 fontsize=10)
    return fig


def _group_colours(groups: list[str]) -> dict[str, str]:
    return dict(zip(groups, OKABE_ITO))


def library_sizes(counts: pd.Series, sheet: pd.DataFrame, *, title: str,
                  group_order: list[str], region_order: list[str]) -> plt.Figure:
    """Total counts per sample (millions), one panel per region, bars coloured by group."""
    data = sheet.set_index("sample").join(counts.rename("total"))
    regions = [r for r in region_order if r in set(data["region"])]
    colours = _group_colours(group_order)
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
    colours = _group_colours(group_order)
    fig, (bar, ax) = plt.subplots(1, 2, figsize=(7.2, 6), layout="constrained",
                                  gridspec_kw={"width_ratios": [1, 20]})
    image = ax.imshow(matrix, cmap="viridis_r")
    ax.set_xticks(range(len(names)), names, rotation=90, fontsize=6)
    ax.set_yticks([])
    rgb = [matplotlib.colors.to_rgb(colours[g]) for g in groups]
    bar.imshow(np.array(rgb)[:, None, :], aspect="auto")
    bar.set_xticks([])
    bar.set_yticks(range(len(names)), [f"{n} ({g})" for n, g in zip(names, groups)], fontsize=6)
    fig.colorbar(image, ax=ax, shrink=0.6, label="Euclidean distance (VST)")
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


def fold_change_scatter(pain: pd.DataFrame, stress: pd.DataFrame, shared: pd.DataFrame, *,
                        title: str, pain_label: str, stress_label: str) -> plt.Figure:
    """Pain log2FC vs stress log2FC for genes tested in both; shared genes marked."""
    from scipy import stats

    both = pain.merge(stress, on="GeneID", suffixes=("_pain", "_stress")).dropna(
        subset=["log2FoldChange_pain", "log2FoldChange_stress"])
    x, y = both["log2FoldChange_pain"], both["log2FoldChange_stress"]
    is_shared = both["GeneID"].isin(shared["GeneID"])
    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.scatter(x[~is_shared], y[~is_shared], s=4, c=GREY, linewidths=0, rasterized=True,
               label=f"tested in both ({int((~is_shared).sum())})")
    ax.scatter(x[is_shared], y[is_shared], s=14, c=OKABE_ITO[5], linewidths=0,
               label=f"shared, same direction ({int(is_shared.sum())})")
    ax.axhline(0, lw=0.6, c="k")
    ax.axvline(0, lw=0.6, c="k")
    pearson = stats.pearsonr(x, y).statistic if len(both) > 2 else np.nan
    spearman = stats.spearmanr(x, y).statistic if len(both) > 2 else np.nan
    ax.set_xlabel(f"log2 fold change, {pain_label}")
    ax.set_ylabel(f"log2 fold change, {stress_label}")
    ax.set_title(f"{title}\nall genes: Pearson r = {pearson:.2f}, Spearman ρ = {spearman:.2f}",
                 fontsize=9)
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    return fig


def shared_gene_heatmap(vst: pd.DataFrame, sheet: pd.DataFrame, shared: pd.DataFrame, *,
                        title: str, group_order: list[str], max_genes: int = 60) -> plt.Figure:
    """Row-centred VST expression of the shared genes across the region's samples,
    samples ordered by group."""
    genes = [g for g in shared["GeneID"] if g in vst.index][:max_genes]
    rows = sheet.set_index("sample").loc[vst.columns]
    rows = rows.assign(order=rows["group"].map({g: i for i, g in enumerate(group_order)}))
    samples = rows.sort_values(["order"]).index
    fig, ax = plt.subplots(figsize=(max(6, 0.22 * len(samples) + 2),
                                    max(2.5, 0.2 * len(genes) + 1.8)), layout="constrained")
    if not genes:
        ax.text(0.5, 0.5, "no shared genes in this region", ha="center", va="center")
        ax.set_axis_off()
        fig.suptitle(title, fontsize=10)
        return fig
    values = vst.loc[genes, samples]
    centred = values.sub(values.mean(axis=1), axis=0)
    limit = float(np.nanmax(np.abs(centred.to_numpy()))) or 1.0
    image = ax.imshow(centred, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
    symbols = shared.drop_duplicates("GeneID").set_index("GeneID")["symbol"]
    ax.set_yticks(range(len(genes)), [symbols.get(g) or str(g) for g in genes], fontsize=7)
    ax.set_xticks(range(len(samples)), [f"{rows.at[s, 'group']}" for s in samples],
                  rotation=90, fontsize=7)
    fig.colorbar(image, ax=ax, shrink=0.7, label="VST, centred per gene")
    fig.suptitle(title, fontsize=10)
    return fig


def rrho2_map(result, path_png: str | Path, *, title: str, label_a: str,
              label_b: str) -> plt.Figure:
    """Draw an RRHO2 map (:class:`painstress.rrho.RRHO2Result`) as in Cahill 2018 Fig. 1
    and save it as ``path_png`` and, next to it, the same name with ``.pdf``.

    x: list A by rank, its up end at the left; y: list B by rank, its up end at the
    bottom; colour: −log10 hypergeometric p of each cell. Lines mark where each list
    turns from up to down; the best cell of each quadrant is marked and labelled with
    its overlap. Returns the (closed) Figure.
    """
    x, y, values = result.map_grid()
    n = result.n_genes
    vmax = max(1.0, float(np.nanmax(values)))
    fig, ax = plt.subplots(figsize=(7.2, 6.2), layout="constrained")
    image = ax.pcolormesh(x, y, np.ma.masked_invalid(values), cmap="viridis", vmin=0,
                          vmax=vmax, rasterized=True)
    ax.set_facecolor(GREY)  # genes scoring exactly 0 belong to no tail
    for cut in {result.n_up_a, n - result.n_down_a}:
        ax.axvline(cut, c="white", lw=1.2)
    for cut in {result.n_up_b, n - result.n_down_b}:
        ax.axhline(cut, c="white", lw=1.2)
    ax.set_xlim(0, n)
    ax.set_ylim(0, n)
    ax.set_aspect("equal")
    for side in ("top", "right"):
        ax.spines[side].set_visible(True)

    names = {"up_up": "up in both", "down_down": "down in both",
             "up_down": "up on x, down on y", "down_up": "down on x, up on y"}
    # labels sit mid-quadrant, since the best cells are usually in the outer corners
    mid_a = {"up": result.n_up_a / 2, "down": n - result.n_down_a / 2}
    mid_b = {"up": result.n_up_b / 2, "down": n - result.n_down_b / 2}
    for _, cell in result.best.iterrows():
        (x0, x1), (y0, y1) = _rrho2_cell_span(result, cell)
        centre = ((x0 + x1) / 2, (y0 + y1) / 2)
        ax.plot(*centre, marker="s", ms=9, mfc="none", mec="white", mew=1.8)
        ax.plot(*centre, marker="s", ms=12, mfc="none", mec=OKABE_ITO[7], mew=0.9)
        text = (f"{names[cell['quadrant']]}\nbest cell: {int(cell['overlap'])} genes "
                f"({cell['expected']:.0f} expected)\n"
                f"−log10 p = {cell['neg_log10_p']:.1f}")
        ax.annotate(text, xy=centre, xytext=(mid_a[cell["tail_a"]], mid_b[cell["tail_b"]]),
                    ha="center", va="center", fontsize=7.5,
                    bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "none",
                          "alpha": 0.85},
                    arrowprops={"arrowstyle": "-", "color": OKABE_ITO[7], "lw": 0.8,
                                "shrinkB": 7})
    ax.set_xlabel(f"{label_a} rank (up → down), {result.n_up_a} up | "
                  f"{result.n_down_a} down")
    ax.set_ylabel(f"{label_b} rank (up → down), {result.n_up_b} up | "
                  f"{result.n_down_b} down")
    ax.set_title(f"{title}\n{n} genes in both lists, step {result.step}", fontsize=10)
    fig.colorbar(image, ax=ax, shrink=0.8,
                 label="−log10 hypergeometric p (one-sided, per cell)")
    png = Path(path_png)
    save(fig, png, png.with_suffix(".pdf"))
    return fig


def _rrho2_cell_span(result, cell) -> tuple[tuple[int, int], tuple[int, int]]:
    """Rank span (x, y) of a best cell: an up tail's cell ends at its cut, a down tail's
    starts at it, one ``step`` or less wide."""
    spans = []
    for cut, tail, cuts, tails in ((cell["threshold_a"], cell["tail_a"],
                                    result.thresholds_a, result.tails_a),
                                   (cell["threshold_b"], cell["tail_b"],
                                    result.thresholds_b, result.tails_b)):
        side = cuts[tails == tail]
        if tail == "up":
            spans.append((int(side[side < cut].max(initial=0)), int(cut)))
        else:
            spans.append((int(cut), int(side[side > cut].min(initial=result.n_genes))))
    return spans[0], spans[1]
