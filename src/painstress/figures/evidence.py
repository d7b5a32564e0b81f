"""Per-gene evidence: normalised counts of chosen genes per sample, by group (DESeq2's
``plotCounts``), across regions and models."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import matplotlib.pyplot as plt

PSEUDOCOUNT = 0.5  # as plotCounts: zero counts stay on a log axis
MIN_SPAN = 6.0  # a row's y axis spans at least this factor, so it has labelled ticks


def _count_label(value: float, _position=None) -> str:
    """Tick label of a count axis: 0.5, 20, 500, 2,000, 50,000."""
    return f"{value:,.0f}" if value >= 1 else f"{value:g}"


def _matrix(table: pd.DataFrame) -> pd.DataFrame:
    """Genes × samples indexed by GeneID, from either an indexed matrix or a
    :func:`painstress.de.deseq2.normalised_counts_table` (GeneID and symbol columns)."""
    if "GeneID" in table.columns:
        table = table.set_index("GeneID")
    return table.drop(columns=[c for c in ("symbol", "Symbol") if c in table.columns])


def gene_counts_panel(normalised: dict[tuple[str, str], pd.DataFrame], sheet: pd.DataFrame,
                      genes: list[tuple[int, str]], *,
                      groups: dict[str, tuple[str, str]], title: str) -> plt.Figure:
    """Normalised counts of a few genes per sample, by group, in every region × model.

    In: ``normalised`` maps (region, model) -> genes × samples normalised counts (index
    GeneID, or a :func:`~painstress.de.deseq2.normalised_counts_table`); its order is the
    column order.
    ``sheet``: the sample sheet (sample, group). ``genes``: (GeneID, symbol) pairs, one row
    each, in order. ``groups``: model -> (test, reference), e.g. ``{"pain": ("SNI",
    "sham"), "stress": ("CUS", "control")}``; a table's samples outside the model's two
    groups are not drawn.
    Out: a grid, one row per gene and one column per (region, model): the reference then
    the test group, each sample a jittered point at count + 0.5 on a log axis (so zero
    counts show, at 0.5), a black bar at each group's median; panels of one gene share
    the y axis, labelled with the gene's symbol (its GeneID if none) in bold. A gene
    missing from a table gets an empty panel saying so.
    """
    # matplotlib only here: the table half of this module (the VST jobs) does not draw
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    from painstress.figures.style import LABEL_CHARS, OKABE_ITO, plain

    keys = list(normalised)
    matrices = {key: _matrix(table) for key, table in normalised.items()}
    group_of = sheet.drop_duplicates("sample").set_index("sample")["group"].astype(str)
    order = list(dict.fromkeys(g for model in dict.fromkeys(m for _, m in keys)
                               for g in reversed(groups[model])))
    colours = {g: OKABE_ITO[i % len(OKABE_ITO)] for i, g in enumerate(order)}
    rng = np.random.default_rng(0)  # fixed jitter: the same figure on every run
    nrows, ncols = max(1, len(genes)), max(1, len(keys))
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.2 + 2.0 * ncols, 0.9 + 1.75 * nrows),
                             squeeze=False, sharey="row", layout="constrained")
    for row, (gene_id, symbol) in enumerate(genes):
        drawn = []
        for col, key in enumerate(keys):
            ax = axes[row][col]
            region, model = key
            test, reference = groups[model]
            matrix = matrices[key]
            if row == 0:
                region_, model_, test_, reference_ = (plain(v, LABEL_CHARS) for v in
                                                      (region, model, test, reference))
                ax.set_title(f"{region_} · {model_}\n{test_} vs {reference_}", fontsize=9)
            ax.set_xticks([0, 1])
            ax.set_xlim(-0.6, 1.6)
            ax.set_yscale("log")
            members = [[s for s in matrix.columns if group_of.get(s) == group]
                       for group in (reference, test)]
            ax.set_xticklabels([f"{plain(g, LABEL_CHARS)}\n(n={len(m)})"
                                for g, m in zip((reference, test), members)], fontsize=8)
            if gene_id not in matrix.index:
                ax.text(0.5, 0.5, "not in table\n(filtered out)", ha="center", va="center",
                        fontsize=7, color="0.4", transform=ax.transAxes)
                continue
            values = matrix.loc[gene_id].astype(float) + PSEUDOCOUNT
            for x, (group, samples) in enumerate(zip((reference, test), members)):
                points = values[samples].dropna().to_numpy()
                if not len(points):
                    continue
                drawn.append(points)
                jitter = rng.uniform(-0.17, 0.17, len(points))
                ax.scatter(x + jitter, points, s=20, c=colours[group], edgecolors="k",
                           linewidths=0.4, zorder=3)
                ax.hlines(np.median(points), x - 0.3, x + 0.3, colors="k", lw=1.6, zorder=4)
        _count_axis(axes[row][0], np.concatenate(drawn) if drawn else np.array([]))
        name = symbol if isinstance(symbol, str) and symbol else str(gene_id)
        axes[row][0].set_ylabel(plain(name, LABEL_CHARS), fontsize=8, fontweight="bold")
        if row < nrows - 1:  # x labels only under the last row
            for ax in axes[row]:
                ax.tick_params(axis="x", labelbottom=False)
    handles = [Line2D([], [], ls="none", marker="o", markerfacecolor=colours[g],
                      markeredgecolor="k", markeredgewidth=0.4, markersize=6,
                      label=plain(g, LABEL_CHARS)) for g in order]
    handles.append(Line2D([], [], c="k", lw=1.6, label="group median"))
    fig.legend(handles=handles, loc="outside right upper", fontsize=8, frameon=False)
    fig.suptitle(f"{plain(title)}\nnormalised counts (counts / size factor) + 0.5, log "
                 "scale; one row per gene", fontsize=10)
    return fig


def _count_axis(ax, values: np.ndarray) -> None:
    """Log y axis (shared by a row) spanning ``values`` with at least :data:`MIN_SPAN`,
    ticks at 1-2-5 steps labelled as plain counts."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

    from painstress.figures.style import GREY

    values = values[np.isfinite(values) & (values > 0)]
    low, high = (values.min(), values.max()) if len(values) else (PSEUDOCOUNT, 10.0)
    low, high = low / 1.4, high * 1.4
    if high / low < MIN_SPAN:
        widen = np.sqrt(MIN_SPAN / (high / low))
        low, high = low / widen, high * widen
    ax.set_ylim(low, high)
    subs = (1.0, 2.0, 5.0) if high / low < 300 else (1.0,)
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=subs))
    ax.yaxis.set_major_formatter(FuncFormatter(_count_label))
    ax.yaxis.set_minor_locator(NullLocator())
    for other in ax.get_shared_y_axes().get_siblings(ax):
        other.tick_params(axis="y", labelsize=7.5)
        other.grid(axis="y", which="major", lw=0.4, color=GREY, alpha=0.7)
        other.set_axisbelow(True)
