"""Depression/anxiety signature figures: the overlap-test heatmap."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from painstress.figures.style import LABEL_CHARS, plain


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
        ax.set_xticks(range(len(columns)), [plain(name, LABEL_CHARS) for name in columns],
                      rotation=30, ha="right", fontsize=8)
        ax.set_yticks(range(len(region_order)),
                      [plain(region, LABEL_CHARS) if ax is axes[0][0] else ""
                       for region in region_order])
        ax.set_title(f"{plain(definition, LABEL_CHARS)} definition", fontsize=9)
        ax.set_facecolor("#EEEEEE")  # grey: the signature does not cover that region
        for side in ("top", "right"):
            ax.spines[side].set_visible(True)
    fig.colorbar(image, ax=axes[0].tolist(), shrink=0.8,
                 label=f"−log10 padj (BH over all tests; ≥ {vmax:g} saturates)")
    fig.suptitle(plain(title), fontsize=10)
    return fig
