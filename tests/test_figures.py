"""What the QC, DE and per-gene evidence figures show: panels, points, lines, labels and
their placement, on small simulated tables (no model fit)."""
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PathCollection, QuadMesh
from matplotlib.colors import to_hex
from matplotlib.patches import FancyArrowPatch

from painstress import InputError
from painstress.de.deseq2 import normalised_counts_table
from painstress.figures.de import dispersion_plot, volcano
from painstress.figures.evidence import gene_counts_panel
from painstress.figures.samples import count_distributions, pca, sample_distances, sample_factors
from painstress.figures.style import LABEL_CHARS, OKABE_ITO
from painstress.settings import Thresholds

GROUPS = ["sham", "SNI", "control", "CUS"]
MODELS = {"pain": ("SNI", "sham"), "stress": ("CUS", "control")}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def study():
    """Negative-binomial counts, 400 genes × 24 samples: 2 regions × 4 groups × 3 mice, a
    region effect, a group effect in 40 genes, size factors 0.5–2, gene 0 all zero."""
    rng = np.random.default_rng(7)
    rows = [(f"{r}_{g}_{i}", "pain" if g in ("sham", "SNI") else "stress", r, g,
             "male" if i % 2 else "female", f"{g}-{i}", f"{r} {g} mouse {i}")
            for r in ("NAc", "mPFC") for g in GROUPS for i in range(1, 4)]
    sheet = pd.DataFrame(rows, columns=["sample", "dataset", "region", "group", "sex",
                                        "mouse", "title"])
    n = 400
    base = np.exp(rng.normal(5, 1.5, n))
    size = pd.Series(rng.uniform(0.5, 2.0, len(sheet)), index=sheet["sample"])
    columns = []
    for row in sheet.itertuples():
        mean = base * (1.8 if row.region == "mPFC" else 1.0)
        mean[:40] *= 4.0 if row.group in ("SNI", "CUS") else 1.0
        mu = mean * size[row.sample]
        r = 1 / 0.05
        columns.append(rng.negative_binomial(r, r / (r + mu)))
    counts = pd.DataFrame(np.column_stack(columns), columns=sheet["sample"],
                          index=pd.Index(np.arange(1001, 1001 + n), name="GeneID"))
    counts.iloc[0] = 0
    normalised = counts / size
    vst = np.log2(normalised + 1)
    genes = pd.DataFrame({"GeneID": counts.index, "symbol": [f"Gene{i}" for i in range(n)]})
    genes.loc[5, "symbol"] = ""
    return {"sheet": sheet, "counts": counts, "size": size, "normalised": normalised,
            "vst": vst, "genes": genes}


def _region(study, region):
    samples = study["sheet"].loc[study["sheet"]["region"] == region, "sample"]
    return samples.tolist()


# --- dispersion plot ---------------------------------------------------------------------

def _dispersions(n=500, seed=3):
    rng = np.random.default_rng(seed)
    mean = np.exp(rng.uniform(np.log(5), np.log(1e5), n))
    trend = 0.03 + 1.0 / mean
    genewise = trend * np.exp(rng.normal(0, 0.8, n))
    genewise[:4] = 1e-8                                   # at the optimiser's floor
    outlier = np.zeros(n, bool)
    outlier[10:13] = True
    genewise[10:13] = trend[10:13] * 40
    final = np.where(outlier, genewise, np.sqrt(genewise * trend))
    table = pd.DataFrame({"GeneID": np.arange(n), "baseMean": mean, "genewise": genewise,
                          "fitted": trend, "MAP": np.sqrt(genewise * trend), "final": final,
                          "outlier": outlier})
    table.loc[[20, 21], ["baseMean"]] = 0.0               # all-zero genes: no estimates
    table.loc[[20, 21], ["genewise", "fitted", "MAP", "final"]] = np.nan
    table["outlier"] = table["outlier"].astype(object)
    table.loc[22, "outlier"] = np.nan                     # not decided: not an outlier
    return table


def test_dispersion_plot_has_trend_line_and_circled_outliers():
    table = _dispersions()
    fig = dispersion_plot(table, title="NAc: SNI vs sham")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    (trend,) = ax.get_lines()
    x, y = trend.get_data()
    usable = table[table["baseMean"] > 0].sort_values("baseMean")
    assert len(x) == len(usable) and np.all(np.diff(x) >= 0)
    assert np.allclose(y, usable["fitted"])
    circles = [c for c in ax.collections if len(c.get_facecolor()) == 0
               or c.get_facecolor()[0][3] == 0]
    assert len(circles) == 1
    assert sorted(circles[0].get_offsets()[:, 0]) == sorted(table.loc[10:12, "baseMean"])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(label.startswith("gene-wise below") and "(4)" in label for label in labels)
    assert any("(3)" in label for label in labels if "outlier" in label)
    assert "2 gene(s) with zero or missing mean not shown" in labels
    low = ax.get_ylim()[0]
    floor_points = [c for c in ax.collections if len(c.get_offsets()) == 4]
    assert floor_points and np.all(floor_points[0].get_offsets()[:, 1] > low)


def test_log_axes_are_labelled_as_matplotlib_would_in_plain_text():
    """The log axes' tick labels say what matplotlib's mathtext ones say (10⁻², 2×10¹ on
    minor ticks), at the same ticks, but in plain text: saving needs no mathtext parser."""
    from painstress.figures.style import text_log_labels

    def tick_labels(ax, text):
        if text:
            text_log_labels(ax.xaxis)
        ax.figure.canvas.draw()
        return [t.get_text() for minor in (False, True)
                for t in ax.get_xticklabels(minor=minor)]

    for low, high in ((1e-4, 1e5), (10, 50)):  # many decades; minor ticks labelled
        fig, ax = plt.subplots()
        ax.set_xscale("log")
        ax.set_xlim(low, high)
        theirs, ours = tick_labels(ax, text=False), tick_labels(ax, text=True)
        plt.close(fig)
        assert [bool(label) for label in ours] == [bool(label) for label in theirs]
        assert not any("$" in label for label in ours)
        labelled = [label for label in ours if label]
        expected = {"10¹", "2×10¹", "3×10¹", "4×10¹"} if low == 10 else \
            {"10⁻⁴", "10⁻²", "10⁰", "10²", "10⁴"}  # every 2nd decade
        assert expected <= set(labelled), labelled
    fig = dispersion_plot(_dispersions(), title="NAc: SNI vs sham")
    fig.canvas.draw()
    ax = fig.axes[0]
    drawn = [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
    assert any(label.startswith("10") for label in drawn)
    assert not any("$" in label for label in drawn), drawn


def test_dispersion_plot_with_no_usable_gene_and_missing_columns():
    table = pd.DataFrame({"baseMean": [0.0, np.nan], "genewise": np.nan, "fitted": np.nan,
                          "MAP": np.nan, "final": np.nan, "outlier": False})
    fig = dispersion_plot(table, title="t")
    assert "no gene with a usable dispersion" in [t.get_text() for t in fig.axes[0].texts]
    with pytest.raises(ValueError, match="outlier"):
        dispersion_plot(table.drop(columns="outlier"), title="t")


# --- count distributions -----------------------------------------------------------------

def test_count_distributions_two_panels_one_box_per_sample_in_group_order(study):
    samples = _region(study, "NAc")
    raw, normalised = study["counts"][samples], study["normalised"][samples]
    fig = count_distributions(raw, normalised, study["sheet"], title="NAc",
                              group_order=GROUPS)
    raw_ax, norm_ax = fig.axes
    assert len(raw_ax.patches) == len(norm_ax.patches) == len(samples)
    order = [t.get_text() for t in norm_ax.get_xticklabels()]
    group_of = study["sheet"].set_index("sample")["group"]
    assert [group_of[s] for s in order] == [g for g in GROUPS for _ in range(3)]
    colours = [to_hex(p.get_facecolor()) for p in norm_ax.patches]
    assert colours == [to_hex(OKABE_ITO[GROUPS.index(group_of[s])]) for s in order]
    # normalisation lines the medians up; raw medians spread with the size factors
    raw_medians = np.median(np.log2(raw + 1), axis=0)
    norm_medians = np.median(np.log2(normalised + 1), axis=0)
    assert np.ptp(norm_medians) < np.ptp(raw_medians) / 3
    assert any(line.get_linestyle() == "--" for line in norm_ax.lines)


# --- PCA ---------------------------------------------------------------------------------

def _offsets(ax):
    return np.vstack([c.get_offsets() for c in ax.collections if isinstance(c, PathCollection)])


def test_pca_has_one_panel_per_factor_with_the_same_coordinates(study):
    fig = pca(study["vst"], study["sheet"], title="both regions", group_order=GROUPS)
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    # mouse (12 levels, one per mouse and region pair) is a factor; title is free text
    assert titles == ["by group", "by dataset", "by region", "by sex", "by mouse"]
    coordinates = [sorted(map(tuple, _offsets(ax).round(9))) for ax in fig.axes]
    assert all(c == coordinates[0] for c in coordinates) and len(coordinates[0]) == 24
    group_ax = fig.axes[0]
    assert [t.get_text() for t in group_ax.get_legend().get_texts()] == [
        f"{g} (n=6)" for g in GROUPS]
    assert [len(c.get_offsets()) for c in group_ax.collections] == [6, 6, 6, 6]
    assert all("% of variance" in ax.get_xlabel() and "% of variance" in ax.get_ylabel()
               for ax in fig.axes)
    region_ax = fig.axes[2]  # the region effect is PC1
    first, second = (c.get_offsets()[:, 0] for c in region_ax.collections)
    assert first.min() > second.max() or second.min() > first.max()


def test_pca_is_deterministic_and_skips_constant_and_id_like_columns(study):
    samples = _region(study, "NAc")
    sheet = study["sheet"].copy()
    sheet["sex"] = "male"                                         # a factor with one level
    sheet["batch"] = [f"b{i % 13}" for i in range(len(sheet))]   # 13 levels: too many
    sheet.loc[sheet["sample"] == samples[0], "dataset"] = ""     # a level left empty
    one = pca(study["vst"][samples], sheet, title="NAc", group_order=GROUPS)
    two = pca(study["vst"][samples], sheet, title="NAc", group_order=GROUPS)
    assert [ax.get_title(loc="left") for ax in one.axes] == ["by group", "by dataset"]
    assert np.array_equal(_offsets(one.axes[0]), _offsets(two.axes[0]))
    assert "region = NAc" in one.get_suptitle() and "sex = male" in one.get_suptitle()
    legend = [t.get_text() for t in one.axes[1].get_legend().get_texts()]
    assert legend[-1] == "(not given) (n=1)"


def test_pca_with_a_single_group():
    rng = np.random.default_rng(0)
    vst = pd.DataFrame(rng.normal(8, 1, (50, 4)), columns=list("abcd"))
    sheet = pd.DataFrame({"sample": list("abcd"), "group": "sham", "region": "NAc"})
    fig = pca(vst, sheet, title="t", group_order=GROUPS)
    assert len(fig.axes) == 1 and len(_offsets(fig.axes[0])) == 4


def test_sample_factors_keeps_group_first():
    sheet = pd.DataFrame({"sample": list("abcd"), "title": list("wxyz"), "sex": list("mfmf"),
                          "group": list("aabb"), "mouse": list("1234")})
    assert sample_factors(sheet, list("abcd")) == (["group", "sex"], {})


# --- sample distances --------------------------------------------------------------------

def test_sample_distances_clustermap_with_aligned_strips_and_legend(study):
    fig = sample_distances(study["vst"], study["sheet"], title="both", group_order=GROUPS)
    heatmap = max(fig.axes, key=lambda ax: ax.bbox.width * ax.bbox.height)
    labels = [t.get_text() for t in heatmap.get_yticklabels()]
    assert len(labels) == 24 and labels == [t.get_text() for t in heatmap.get_xticklabels()]
    values = heatmap.collections[0].get_array()
    assert np.ma.is_masked(values) and values.mask.reshape(24, 24).diagonal().all()
    strips = [ax for ax in fig.axes if ax.get_xticklabels()
              and [t.get_text() for t in ax.get_xticklabels()] == ["group", "region"]]
    assert len(strips) == 1  # the row strips: one column per factor
    fig.canvas.draw()
    mesh = next(c for c in strips[0].collections if isinstance(c, QuadMesh))
    cells = np.asarray(mesh.get_facecolor()).reshape(24, 2, 4)
    sheet = study["sheet"].set_index("sample")
    for label, cell in zip(labels, cells):
        group = sheet.loc[label.split(" ")[0], "group"]
        assert label.endswith(f"({group})")
        assert to_hex(cell[0]) == to_hex(OKABE_ITO[GROUPS.index(group)])
    legend = [t.get_text().strip() for t in fig.legends[0].get_texts()]
    assert "group" in legend and "region" in legend and "sham (n=6)" in legend
    assert "mPFC (n=12)" in legend


def test_sample_distances_one_region_has_no_region_strip(study):
    samples = _region(study, "NAc")
    fig = sample_distances(study["vst"][samples], study["sheet"], title="NAc",
                           group_order=GROUPS)
    legend = [t.get_text().strip() for t in fig.legends[0].get_texts()]
    assert "region" not in legend and "group" in legend


# --- volcano -----------------------------------------------------------------------------

def _de_table(n=400, seed=0):
    rng = np.random.default_rng(seed)
    lfc = rng.normal(0, 0.6, n)
    p = np.clip(np.exp(-np.abs(lfc) * 8 * rng.random(n)), 1e-20, 1)
    p[:12] = 1e-12 * (1 + np.arange(12) / 100)  # a crowd of strong genes at one height
    lfc[:12] = 1.5 + np.arange(12) / 100
    table = pd.DataFrame({"GeneID": np.arange(1, n + 1), "symbol": [f"Gene{i}" for i in range(n)],
                          "baseMean": rng.lognormal(5, 2, n), "log2FoldChange": lfc,
                          "log2FoldChange_shrunk": lfc / 2, "pvalue": p, "padj": p * 10})
    table.loc[3, "symbol"] = ""
    table["sig_paper"] = (table.pvalue < 0.05) & (table.log2FoldChange.abs() >= np.log2(1.3))
    table["sig_modern"] = table.padj < 0.05
    return table.sort_values("pvalue", kind="mergesort").reset_index(drop=True)


def test_volcano_labels_collide_neither_with_each_other_nor_the_legend():
    table = _de_table()
    fig = volcano(table, title="NAc: SNI vs sham", thresholds=Thresholds.defaults(), n_labels=12)
    ax = fig.axes[0]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    assert len(boxes) >= 8  # a crowd of 12 at one spot: most keep a label
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    legend = ax.get_legend().get_window_extent(renderer)
    assert not legend.overlaps(ax.get_window_extent(renderer))  # outside the data area
    inside = ax.get_window_extent(renderer)
    assert all(inside.x0 - 1 <= b.x0 and b.x1 <= inside.x1 + 1 and inside.y0 - 1 <= b.y0
               and b.y1 <= inside.y1 + 1 for b in boxes)
    leaders = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert leaders and all(p.patchA in ax.texts for p in leaders)  # none left dangling
    labels = {t.get_text() for t in ax.texts}
    assert labels <= {*(f"Gene{i}" for i in range(12)), str(table.loc[
        table.symbol == "", "GeneID"].iloc[0])}


def test_volcano_is_reproducible():
    table = _de_table(seed=2)
    positions = []
    for _ in range(2):
        fig = volcano(table, title="t", thresholds=Thresholds.defaults(), n_labels=10)
        positions.append([(t.get_text(), *np.round(t.get_position(), 9))
                          for t in fig.axes[0].texts])
        plt.close(fig)
    assert positions[0] == positions[1]


# --- per-gene evidence -------------------------------------------------------------------

def test_normalised_counts_table_divides_by_size_factors(study):
    samples = _region(study, "NAc")
    table = normalised_counts_table(study["counts"], study["size"][samples], study["genes"])
    assert list(table.columns) == ["GeneID", "symbol", *samples]
    assert table["GeneID"].tolist() == study["counts"].index.tolist()
    expected = study["counts"].loc[1002, samples[1]] / study["size"][samples[1]]
    assert table.loc[1, samples[1]] == pytest.approx(expected)
    assert table.loc[5, "symbol"] == "" and table.loc[1, "symbol"] == "Gene1"
    ncbi = study["genes"].set_index("GeneID").rename(columns={"symbol": "Symbol"}).iloc[:10]
    from_ncbi = normalised_counts_table(study["counts"], study["size"][samples], ncbi)
    assert from_ncbi["symbol"].iloc[:10].tolist()[1] == "Gene1"
    assert (from_ncbi["symbol"].iloc[10:] == "").all()  # genes the annotation lacks
    with pytest.raises(InputError, match="no count column"):
        normalised_counts_table(study["counts"][samples[1:]], study["size"][samples],
                                study["genes"])


def _evidence_tables(study):
    tables = {}
    for region in ("NAc", "mPFC"):
        for model, pair in MODELS.items():
            samples = [s for s in _region(study, region)
                       if study["sheet"].set_index("sample").loc[s, "group"] in pair]
            tables[(region, model)] = normalised_counts_table(
                study["counts"], study["size"][samples], study["genes"])
    return tables


def test_gene_counts_panel_grid_points_medians_and_zero_gene(study):
    tables = _evidence_tables(study)
    tables[("mPFC", "stress")] = tables[("mPFC", "stress")].iloc[1:]  # gene 1001 filtered
    genes = [(1002, "Gene1"), (1003, "Gene2"), (1001, "Gene0")]      # 1001: all zero
    fig = gene_counts_panel(tables, study["sheet"], genes, groups=MODELS, title="t")
    axes = np.array(fig.axes).reshape(3, 4)
    assert [ax.get_title() for ax in axes[0]] == [
        "NAc · pain\nSNI vs sham", "NAc · stress\nCUS vs control",
        "mPFC · pain\nSNI vs sham", "mPFC · stress\nCUS vs control"]
    for ax in axes.flat:
        assert ax.get_yscale() == "log"
    points = [c for c in axes[0][0].collections if isinstance(c, PathCollection)]
    assert [len(c.get_offsets()) for c in points] == [3, 3]  # reference then test
    medians = [c for c in axes[0][0].collections if isinstance(c, LineCollection)]
    assert len(medians) == 2
    sham = [s for s in _region(study, "NAc") if "sham" in s]
    expected = np.median(study["counts"].loc[1002, sham] / study["size"][sham]) + 0.5
    assert medians[0].get_segments()[0][0][1] == pytest.approx(expected)
    zero = [c for c in axes[2][0].collections if isinstance(c, PathCollection)]
    assert np.allclose(np.vstack([c.get_offsets() for c in zero])[:, 1], 0.5)
    low, high = axes[2][0].get_ylim()
    assert low < 0.5 < high
    assert "not in table" in " ".join(t.get_text() for t in axes[2][3].texts)
    assert [t.get_text() for t in axes[2][0].get_xticklabels()] == ["sham\n(n=3)",
                                                                    "SNI\n(n=3)"]
    assert "Gene0" in axes[2][0].get_ylabel()


def test_gene_counts_panel_is_reproducible_and_accepts_indexed_matrices(study):
    tables = {key: table.set_index("GeneID").drop(columns="symbol")
              for key, table in _evidence_tables(study).items()}
    runs = [gene_counts_panel(tables, study["sheet"], [(1010, "")], groups=MODELS, title="t")
            for _ in range(2)]
    offsets = [np.vstack([c.get_offsets() for ax in fig.axes for c in ax.collections
                          if isinstance(c, PathCollection)]) for fig in runs]
    assert np.array_equal(*offsets) and len(offsets[0]) == 24
    assert "1010" in runs[0].axes[0].get_ylabel()  # no symbol: the GeneID


# --- text from data is drawn as written ----------------------------------------------------

# Names a gene symbol, set, term, level, sample or study title may carry: mathtext markup,
# what breaks mathtext (", #, %, {), a backslash, a lone and an escaped dollar, an emoji
# (DejaVu Sans has no glyph: drawn as a box, with a warning), a leading underscore (which
# makes matplotlib drop a legend entry whose label it is), and a very long name.
HOSTILE = ["$\\bf{x}$", 'say "hi"', "#1 gene", "100% up", "{}{0}", "back\\slash",
           "a$b", "\\$5", "brain 🧠", "_lead"]
LONG = "Long" + "x" * 296
NAMES = [*HOSTILE, LONG]
# what a figure draws of LONG on an axis or in a legend: cut, so the plot keeps its room
DRAWN = [*HOSTILE, LONG[:LABEL_CHARS - 1] + "…"]


def _texts_as_drawn(fig) -> list[tuple[str, bool]]:
    """(text as matplotlib draws it, whether it is drawn as mathtext) of every visible text
    of ``fig``, after a full draw (as when saved)."""
    from matplotlib.text import Text

    fig.canvas.draw()
    return [text._preprocess_math(text.get_text()) for text in fig.findobj(Text)
            if text.get_visible() and text.get_text()]


def _samples_with_names(n_genes=60, seed=1):
    """A sheet of 2 regions × 2 groups × 3 samples whose sample names, regions and groups
    are hostile names, with counts and VST."""
    rng = np.random.default_rng(seed)
    regions, groups = [HOSTILE[0], HOSTILE[8]], [HOSTILE[1], HOSTILE[9]]
    rows = [(f"{HOSTILE[(2 * i) % len(HOSTILE)]} s{r}{g}{i}", regions[r], groups[g])
            for r in range(2) for g in range(2) for i in range(3)]
    rows[0] = (LONG, *rows[0][1:])
    sheet = pd.DataFrame(rows, columns=["sample", "region", "group"])
    sheet["batch $x$"] = "100% $same$"  # constant: named under the PCA title
    sheet["{cage}"] = [HOSTILE[2], LONG] * 6  # a factor of its own PCA panel
    counts = pd.DataFrame(rng.negative_binomial(5, 0.05, (n_genes, len(sheet))),
                          columns=sheet["sample"],
                          index=pd.Index(np.arange(1, n_genes + 1), name="GeneID"))
    counts.iloc[:10, :6] *= 4
    return sheet, counts, np.log2(counts + 1.0)


@pytest.fixture(scope="module")
def hostile_figures():
    """One figure per figure function of painstress.figures, every data text hostile."""
    from painstress.compare.rrho import rrho2
    from painstress.figures.de import ma_plot, pvalue_histogram
    from painstress.figures.overlap import (
        fold_change_scatter,
        overlap_counts,
        rrho2_map,
        shared_gene_heatmap,
        shared_upset,
    )
    from painstress.figures.pathways import pathway_dotplot
    from painstress.figures.samples import library_sizes
    from painstress.figures.signatures import signature_heatmap

    title = "Study of " + " ".join(HOSTILE)  # a study title
    sheet, counts, vst = _samples_with_names()
    groups = list(dict.fromkeys(sheet["group"]))
    regions = list(dict.fromkeys(sheet["region"]))
    de = _de_table(200)
    de.loc[:len(HOSTILE) - 1, "symbol"] = HOSTILE
    de.loc[:len(HOSTILE) - 1, "log2FoldChange"] = np.linspace(-4, 4, len(HOSTILE))
    spread = de.copy()  # the long name alone: it would cover the other labels
    spread.loc[0, "symbol"] = LONG
    ids = list(range(1, len(NAMES) + 1))
    symbols = pd.DataFrame({"GeneID": ids, "symbol": NAMES})
    shared = pd.concat([symbols.assign(definition=d, region=r, direction=s)
                        for d in ("modern", "paper") for r in regions for s in ("up",)])
    paired = pd.DataFrame({"GeneID": np.arange(1, 61), "log2FC_pain": np.linspace(-2, 2, 60),
                           "log2FC_stress": np.linspace(-1.5, 2.5, 60)})
    stats = pd.DataFrame({"definition": [HOSTILE[4]] * len(NAMES), "region": NAMES,
                          "n_same_direction": 5, "n_opposite_direction": 2,
                          "expected_same_direction": 1.5, "expected_same_given_both": 3.5,
                          "pvalue": 0.01, "padj": 0.02, "direction_padj": 0.03})
    scores = pd.Series(np.linspace(-3, 3, 400), index=np.arange(400))
    rank = rrho2(scores, scores.sample(frac=1, random_state=0).set_axis(scores.index), step=40)
    terms = pd.DataFrame({"definition": "modern", "region": "NAc", "direction": "all",
                          "collection": [HOSTILE[0], HOSTILE[3]] * 5 + [HOSTILE[5]],
                          "term": [f"T{i}" for i in range(len(NAMES))], "name": NAMES,
                          "n_background": 1000, "set_size": 30, "n_genes": 40, "overlap": 8,
                          "expected": 1.2, "odds_ratio": 7.0,
                          "pvalue": np.geomspace(1e-9, 1e-3, len(NAMES)),
                          "padj": np.geomspace(1e-8, 1e-2, len(NAMES)), "genes": "a"})
    tests = pd.DataFrame([{"definition": d, "region": r, "signature": s, "padj": 0.01,
                           "kind": "signed", "n_same_direction": 3, "n_opposite_direction": 1,
                           "n_overlap": 4} for d in ("modern", HOSTILE[2]) for r in regions
                          for s in NAMES])
    normalised = {(r, m): counts.loc[:, (sheet["region"] == r).to_numpy()]
                  for r in regions for m in (HOSTILE[6],)}
    models = {HOSTILE[6]: (groups[1], groups[0])}
    thresholds = Thresholds.defaults()
    return {
        "volcano": volcano(de, title=title, thresholds=thresholds, n_labels=len(HOSTILE)),
        "volcano_long": volcano(spread, title=title, thresholds=thresholds, n_labels=1),
        "ma_plot": ma_plot(de, title=title, thresholds=thresholds),
        "pvalue_histogram": pvalue_histogram(de, title=title),
        "dispersion_plot": dispersion_plot(_dispersions(), title=title),
        "gene_counts_panel": gene_counts_panel(
            normalised, sheet, list(zip(ids, NAMES)), groups=models, title=title),
        "overlap_counts": overlap_counts(stats, title=title),
        "fold_change_scatter": fold_change_scatter(
            paired, paired.head(5), title=title, pain_label=HOSTILE[0], stress_label=LONG),
        "shared_upset": shared_upset(shared, title=title, regions=regions),
        "shared_gene_heatmap": shared_gene_heatmap(
            vst.loc[:, (sheet["region"] == regions[0]).to_numpy()], sheet,
            shared[(shared["region"] == regions[0]) & (shared["definition"] == "modern")],
            title=title, group_order=groups),
        "rrho2_map": rrho2_map(rank, title=title, label_a=HOSTILE[0], label_b=LONG),
        "pathway_dotplot": pathway_dotplot(terms, title=title),
        "library_sizes": library_sizes(counts.sum(), sheet, title=title, group_order=groups,
                                       region_order=regions),
        "count_distributions": count_distributions(counts, counts / 1.1, sheet, title=title,
                                                   group_order=groups),
        "pca": pca(vst, sheet, title=title, group_order=groups),
        "sample_distances": sample_distances(vst, sheet, title=title, group_order=groups),
        "signature_heatmap": signature_heatmap(tests, title=title, signature_order=NAMES,
                                               region_order=regions),
    }


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")  # the emoji
def test_every_figure_draws_hostile_names_as_written(hostile_figures, tmp_path):
    """Gene symbols, set, term, level and sample names and study titles reach every figure
    as written: no text is read as mathtext (the only mathtext is matplotlib's own log-axis
    tick labels) and each name is drawn verbatim."""
    import painstress.figures as package
    from painstress.figures.pathways import _label

    figures = hostile_figures
    modules = [p.stem for p in Path(package.__file__).parent.glob("*.py")
               if p.stem not in ("__init__", "style")]
    functions = {name for module in modules for name, value in
                 vars(__import__(f"painstress.figures.{module}", fromlist=["_"])).items()
                 if callable(value) and not name.startswith("_") and
                 getattr(value, "__module__", "") == f"painstress.figures.{module}" and
                 "title" in getattr(value, "__code__", compile("", "", "exec")).co_varnames}
    assert functions <= set(figures), f"not drawn here: {functions - set(figures)}"
    for name, fig in figures.items():
        texts = _texts_as_drawn(fig)
        math = [text for text, is_math in texts if is_math]
        assert all("\\mathdefault" in text for text in math), (name, math)
        shown = "\n".join(text for text, _ in texts)
        expected = {"pathway_dotplot": [_label(n, 42, 2) for n in NAMES],
                    "volcano_long": DRAWN[-1:]}.get(name, DRAWN)
        if name in ("volcano", "ma_plot", "pvalue_histogram", "dispersion_plot",
                    "shared_upset"):  # no long name given: the title holds the others
            expected = HOSTILE
        missing = [n for n in expected if n not in shown]
        assert not missing, (name, missing)


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")
def test_every_figure_is_saved_whole(hostile_figures, tmp_path):
    """Every figure, with the longest titles, legends and tick labels there are, is saved
    with nothing cut: the PNG keeps a blank margin on every side (a title, legend or rotated
    label running off the saved area would reach its edge), and the PDF has the PNG's size,
    so it holds the same. Runs before any other test saves these figures: saving them
    removes their layout engine."""
    import re

    from PIL import Image

    from painstress.figures.style import save

    dpi = plt.rcParams["savefig.dpi"]
    edge = int(plt.rcParams["savefig.pad_inches"] * dpi / 4)  # a quarter of the pad
    for name, fig in hostile_figures.items():
        save(fig, tmp_path / f"{name}.png", tmp_path / f"{name}.pdf")
        image = Image.open(tmp_path / f"{name}.png")
        assert image.format == "PNG" and image.mode == "P", name  # the palette PNG
        pixels = np.asarray(image.convert("RGB"))
        frame = np.concatenate([pixels[:edge].reshape(-1, 3), pixels[-edge:].reshape(-1, 3),
                                pixels[:, :edge].reshape(-1, 3),
                                pixels[:, -edge:].reshape(-1, 3)])
        assert (frame == 255).all(), f"{name}: drawn up to the edge of the PNG"
        assert (pixels[edge:-edge, edge:-edge] != 255).any(), name  # and drawn at all
        box = re.search(rb"/MediaBox \[ 0 0 ([0-9.]+) ([0-9.]+) \]",
                        (tmp_path / f"{name}.pdf").read_bytes())
        size = [float(points) / 72 * dpi for points in box.groups()]
        assert size == pytest.approx([image.width, image.height], abs=1), name


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")
def test_data_labels_are_drawn_verbatim_in_their_place(hostile_figures):
    """Beyond the title: the volcano's gene labels, the count panel's row labels (bold, no
    mathtext), the heatmap's gene axis and a PCA legend entry starting with '_'."""
    figures = hostile_figures
    labels = {t.get_text() for t in figures["volcano"].axes[0].texts}
    assert {"$\\bf{x}$", "{}{0}", "a$b"} & {t.replace("\\$", "$") for t in labels}
    panel = figures["gene_counts_panel"].axes
    rows = [panel[i * len(panel) // len(NAMES)].yaxis.label for i in range(len(NAMES))]
    assert [r._preprocess_math(r.get_text()) for r in rows] == [(n, False) for n in DRAWN]
    assert all(r.get_fontweight() == "bold" for r in rows)
    heatmap = figures["shared_gene_heatmap"].axes[0]
    assert [t._preprocess_math(t.get_text())[0] for t in heatmap.get_yticklabels()] == DRAWN
    legend = figures["pca"].axes[0].get_legend()
    assert "_lead (n=6)" in [t.get_text() for t in legend.get_texts()]


def test_library_sizes_name_samples_only_while_the_names_fit():
    """Up to MAX_NAMED_BARS bars per region each bar is named; above, names would overlap
    (200 samples per region in the cost-growth runs), so the axis says how many instead."""
    from painstress.figures.samples import MAX_NAMED_BARS, library_sizes

    def figure(n):
        sheet = pd.DataFrame({"sample": [f"s{i:03d}" for i in range(n)], "region": "NAc",
                              "group": ["sham", "SNI"] * (n // 2)})
        totals = pd.Series(np.arange(1, n + 1) * 1e6, index=sheet["sample"])
        fig = library_sizes(totals, sheet, title="t", group_order=["sham", "SNI"],
                            region_order=["NAc"])
        ax = fig.axes[0]
        names = [t.get_text() for t in ax.get_xticklabels()]
        label = ax.get_xlabel()
        plt.close(fig)
        return names, label

    names, label = figure(MAX_NAMED_BARS)
    assert len(names) == MAX_NAMED_BARS and "s000" in names and label == ""
    names, label = figure(200)
    assert names == [] and label == "200 samples, by group, then by size"
