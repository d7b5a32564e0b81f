"""Pain × stress figures: overlap counts, fold-change scatter, shared genes (UpSet,
heatmap) and RRHO2 maps."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from painstress.figures.style import GREY, LABEL_CHARS, OKABE_ITO, plain


def overlap_counts(stats_table: pd.DataFrame, *, title: str) -> plt.Figure:
    """Same- vs opposite-direction genes per region, observed and expected, per definition,
    with both tests of ``overlap_stats.tsv`` named: direction (are genes significant in
    both changed the same way more often than the lists' up/down balance predicts?) and
    co-significance (more same-direction genes than independent lists would share?)."""
    definitions = list(dict.fromkeys(stats_table["definition"]))
    fig, axes = plt.subplots(1, len(definitions), figsize=(5.5 * len(definitions), 4.6),
                             squeeze=False)
    for ax, definition in zip(axes[0], definitions):
        rows = stats_table[stats_table["definition"] == definition].reset_index(drop=True)
        x = np.arange(len(rows))
        ax.bar(x - 0.2, rows["n_same_direction"], 0.4, color=OKABE_ITO[2],
               label="same direction")
        ax.bar(x + 0.2, rows["n_opposite_direction"], 0.4, color=OKABE_ITO[5],
               label="opposite direction")
        ax.scatter(x - 0.2, rows["expected_same_direction"], marker="_", s=300, c="k",
                   label="expected same: independent lists (co-significance test)", zorder=3)
        ax.scatter(x - 0.2, rows["expected_same_given_both"], marker="o", s=18, c="k",
                   label="expected same: of the genes significant in both, by the lists'\n"
                         "up/down balance (direction test)", zorder=3)
        for i, row in rows.iterrows():
            top = max(row["n_same_direction"], row["n_opposite_direction"])
            ax.annotate(f"dir. {row['direction_padj']:.1g}\nco-sig. {row['padj']:.1g}",
                        (i, top), ha="center", va="bottom",
                        fontsize=6.5, xytext=(0, 2), textcoords="offset points")
        ax.set_xlabel("above the bars: padj of the direction (dir.) and co-significance "
                      "(co-sig.) tests", fontsize=7)
        ax.set_xticks(x, [plain(region, LABEL_CHARS) for region in rows["region"]])
        ax.set_ylabel("genes significant in both pain and stress")
        ax.set_title(f"{plain(definition, LABEL_CHARS)} definition", fontsize=9)
        ax.margins(y=0.2)
    axes[0][0].legend(fontsize=7, frameon=False, loc="upper left")
    fig.suptitle(plain(title), fontsize=10)
    return fig


def fold_change_scatter(paired: pd.DataFrame, shared: pd.DataFrame, *, title: str,
                        pain_label: str, stress_label: str) -> plt.Figure:
    """Pain log2FC vs stress log2FC for genes tested in both (``paired``: the output of
    :func:`painstress.compare.overlap.paired_table`); shared genes marked."""
    from scipy import stats

    both = paired
    x, y = both["log2FC_pain"], both["log2FC_stress"]
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
    ax.set_xlabel(f"log2 fold change, {plain(pain_label, LABEL_CHARS)}")
    ax.set_ylabel(f"log2 fold change, {plain(stress_label, LABEL_CHARS)}")
    ax.set_title(f"{plain(title)}\nall genes: Pearson r = {pearson:.2f}, "
                 f"Spearman ρ = {spearman:.2f}", fontsize=9)
    ax.legend(fontsize=7, frameon=False, loc="upper left")
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
                  .reindex(columns=regions, fill_value=False).astype(bool)
                  .rename(columns=plain))  # upsetplot draws the region names
    fig = plt.figure(figsize=(8, 4.8))
    if membership.empty:
        ax = fig.add_subplot()
        ax.text(0.5, 0.5, f"no shared genes ({plain(definition)} definition)", ha="center")
        ax.set_axis_off()
    else:
        data = membership.reset_index().set_index(list(membership.columns))
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
    fig.suptitle(f"{plain(title)}: genes shared by pain and stress, by region "
                 f"({plain(definition)} definition, {membership.shape[0]} gene-direction pairs)",
                 fontsize=10)
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
        fig.suptitle(plain(title), fontsize=10)
        return fig
    values = vst.loc[genes, samples]
    centred = values.sub(values.mean(axis=1), axis=0)
    limit = float(np.nanmax(np.abs(centred.to_numpy()))) or 1.0
    image = ax.imshow(centred, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
    symbols = shared.drop_duplicates("GeneID").set_index("GeneID")["symbol"]
    ax.set_yticks(range(len(genes)), [plain(symbols.get(g), LABEL_CHARS) or str(g)
                                          for g in genes], fontsize=7)
    ax.set_xticks(range(len(samples)), [plain(rows.at[s, "group"], LABEL_CHARS) for s in samples],
                  rotation=90, fontsize=7)
    fig.colorbar(image, ax=ax, shrink=0.7, label="VST, centred per gene")
    fig.suptitle(plain(title), fontsize=10)
    return fig


def rrho2_map(result, *, title: str, label_a: str, label_b: str) -> plt.Figure:
    """Draw an RRHO2 map (:class:`painstress.compare.rrho.RRHO2Result`) as in Cahill 2018
    Fig. 1.

    x: list A by rank, its up end at the left; y: list B by rank, its up end at the
    bottom; colour: −log10 hypergeometric p of each cell. Lines mark where each list
    turns from up to down; the best cell of each quadrant is marked and labelled with
    its overlap.
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
                f"−log10 p = {cell['neg_log10_p']:.1f}"
                + ("" if pd.isna(cell["pvalue_permutation"]) else
                   f"\nquadrant p = {cell['pvalue_permutation']:.2g} "
                   f"({int(cell['n_permutations'])} shuffles)"))
        ax.annotate(text, xy=centre, xytext=(mid_a[cell["tail_a"]], mid_b[cell["tail_b"]]),
                    ha="center", va="center", fontsize=7.5,
                    bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "none",
                          "alpha": 0.85},
                    arrowprops={"arrowstyle": "-", "color": OKABE_ITO[7], "lw": 0.8,
                                "shrinkB": 7})
    ax.set_xlabel(f"{plain(label_a, LABEL_CHARS)} rank (up → down), {result.n_up_a} up | "
                  f"{result.n_down_a} down")
    ax.set_ylabel(f"{plain(label_b, LABEL_CHARS)} rank (up → down), {result.n_up_b} up | "
                  f"{result.n_down_b} down")
    ax.set_title(f"{plain(title)}\n{n} genes in both lists, step {result.step}", fontsize=10)
    fig.colorbar(image, ax=ax, shrink=0.8,
                 label="−log10 hypergeometric p (one-sided, per cell, uncorrected)")
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
