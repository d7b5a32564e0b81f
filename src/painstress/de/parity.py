"""Parity of the workflow's DE step with R DESeq2: files both sides share, and the comparison.

* **Files.** A model's input (:func:`write_model_input`: ``counts.tsv`` GeneID × samples,
  ``coldata.tsv``, ``design.txt``) is what R DESeq2 is given; a fit (:func:`write_fit` /
  :func:`read_fit`: ``results.tsv``, ``size_factors.tsv``, ``dispersions.tsv``, ``fit.tsv``)
  has the same layout whether our DE step or R wrote it. R's side is
  ``workflow/scripts/deseq2_reference.R`` (``DESeq()`` + ``results()``), run by the rule
  ``parity_r`` and by the benches; :func:`ours` gives our side of one
  :func:`painstress.de.deseq2.analyse_contrast`.
* **Comparison** (pure functions over tables, unit-tested): :func:`compare_results` takes
  two DESeq2 result tables indexed by GeneID (ours and R's) and returns the agreement
  figures; :func:`compare_fits` does the same for size factors and dispersions;
  :func:`worst_genes` lists the genes that differ most; :func:`check_bounds` turns the
  figures into a list of failures against bounds.

Relative difference is the one pydeseq2's own tests use against R, ``|ours - R| / |R|``.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
from pathlib import Path

from painstress import lazy_module
from painstress.de.deseq2 import significance
from painstress.settings import Thresholds

np = lazy_module("numpy")
pd = lazy_module("pandas")
stats = lazy_module("scipy.stats")

R_INSTALL_HINT = (
    "R DESeq2 is needed for the parity check and was not found. Install it with one of: "
    "`apt-get install r-bioc-deseq2` (Debian/Ubuntu), "
    "`conda install -c conda-forge -c bioconda bioconductor-deseq2`, or in R "
    "`BiocManager::install(\"DESeq2\")`; then put `Rscript` on PATH.")

def rscript() -> str:
    """The Rscript that runs R DESeq2: $PAINSTRESS_RSCRIPT when set (e.g. R in a conda
    environment), else the PATH's ``Rscript``. The one place that starts R."""
    return os.environ.get("PAINSTRESS_RSCRIPT") or "Rscript"


def r_deseq2_version() -> str | None:
    """DESeq2's version as that R reports it, or None when R or DESeq2 is missing. Read
    from the installed package's description, without loading it (loading DESeq2 and its
    Bioconductor dependencies takes R about 9 s; a run that uses it loads it anyway)."""
    if shutil.which(rscript()) is None:
        return None
    probe = subprocess.run([rscript(), "-e", 'cat(as.character(packageVersion("DESeq2")))'],
                           capture_output=True, text=True)
    return probe.stdout.strip() if probe.returncode == 0 else None


# Genes whose log2FC, lfcSE and padj are compared: padj below this in either tool.
FOCUS_PADJ = 0.1
DISPERSION_KINDS = ("genewise", "fitted", "MAP", "final")
FIT_NUMBERS = ("trend_asymptDisp", "trend_extraPois", "prior_disp_var", "replaced_genes")
# Prefix of the figures against R's results() at the workflow's alpha (config
# de.thresholds.modern_padj), not R's default 0.1.
SAME_ALPHA = "same_alpha_"


# --------------------------------------------------------------------------------------
# Comparison: pure functions


def relative_difference(ours: pd.Series | np.ndarray, reference: pd.Series | np.ndarray):
    """``|ours - reference| / |reference|``; 0 where both are 0, inf where only R is 0."""
    ours = np.asarray(ours, dtype=float)
    reference = np.asarray(reference, dtype=float)
    diff = np.abs(ours - reference)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = diff / np.abs(reference)
    rel = np.where((diff == 0) & np.isfinite(reference), 0.0, rel)
    return rel


def _neg_log10(p: pd.Series) -> pd.Series:
    """-log10 p, with p = 0 capped at the smallest positive double."""
    return -np.log10(p.clip(lower=np.finfo(float).tiny))


def _correlations(x: pd.Series, y: pd.Series) -> tuple[float, float]:
    """Pearson and Spearman over the entries finite in both (NaN with < 3 of them)."""
    ok = np.isfinite(x.to_numpy(dtype=float)) & np.isfinite(y.to_numpy(dtype=float))
    if ok.sum() < 3:
        return math.nan, math.nan
    return (float(stats.pearsonr(x[ok], y[ok])[0]),
            float(stats.spearmanr(x[ok], y[ok])[0]))


def _summary_of(rel: np.ndarray) -> tuple[float, float]:
    """Median and max of the finite-or-inf entries (NaN are dropped); NaN if none."""
    rel = rel[~np.isnan(rel)]
    if rel.size == 0:
        return math.nan, math.nan
    return float(np.median(rel)), float(np.max(rel))


def jaccard(a: set, b: set) -> float:
    """``|a ∩ b| / |a ∪ b|``; NaN when both sets are empty."""
    union = a | b
    return len(a & b) / len(union) if union else math.nan


def focus_genes(ours: pd.DataFrame, reference: pd.DataFrame,
                padj: float = FOCUS_PADJ) -> pd.Index:
    """Genes with padj < ``padj`` in either table (the ones a reader looks at)."""
    common = ours.index.intersection(reference.index)
    hit = (ours.loc[common, "padj"] < padj) | (reference.loc[common, "padj"] < padj)
    return common[hit.to_numpy()]


def compare_results(ours: pd.DataFrame, reference: pd.DataFrame, *,
                    thresholds: Thresholds, focus_padj: float = FOCUS_PADJ) -> dict:
    """Agreement of two DESeq2 result tables (ours = pydeseq2, reference = R).

    Both are indexed by GeneID with ``log2FoldChange, lfcSE, pvalue, padj``. Returns a flat
    dict: gene counts; Pearson and Spearman of log2FC and of -log10 p (genes finite in
    both); median and max relative difference of log2FC, lfcSE, padj and -log10 padj over
    the genes with padj < ``focus_padj`` in either; genes whose p-value or padj is NA in one table
    only; and per significance definition (``sig_paper``, ``sig_modern``, computed here
    with :func:`painstress.de.deseq2.significance` for both tables) the set sizes, intersection
    and Jaccard index.
    """
    common = ours.index.intersection(reference.index)
    out: dict = {"genes_ours": len(ours), "genes_R": len(reference),
                 "genes_common": len(common)}
    a, b = ours.loc[common], reference.loc[common]
    out["log2fc_pearson"], out["log2fc_spearman"] = _correlations(a["log2FoldChange"],
                                                                  b["log2FoldChange"])
    out["mlog10p_pearson"], out["mlog10p_spearman"] = _correlations(_neg_log10(a["pvalue"]),
                                                                    _neg_log10(b["pvalue"]))
    focus = focus_genes(a, b, focus_padj)
    out["focus_genes"] = len(focus)
    for column, name in (("log2FoldChange", "log2fc"), ("lfcSE", "lfcse"), ("padj", "padj")):
        rel = relative_difference(a.loc[focus, column], b.loc[focus, column])
        out[f"{name}_reldiff_median"], out[f"{name}_reldiff_max"] = _summary_of(rel)
    # padj on the scale it is read on: relative difference of -log10 padj. (At padj 1e-30
    # a 0.2 % difference in lfcSE moves padj by tens of percent; -log10 by ~1 %.)
    rel = relative_difference(_neg_log10(a.loc[focus, "padj"]), _neg_log10(b.loc[focus, "padj"]))
    out["mlog10padj_reldiff_median"], out["mlog10padj_reldiff_max"] = _summary_of(rel)
    out["log2fc_absdiff_max"] = float(np.nanmax(np.abs(
        a["log2FoldChange"].to_numpy(float) - b["log2FoldChange"].to_numpy(float)),
        initial=0.0))
    for column in ("pvalue", "padj"):
        na_a, na_b = a[column].isna(), b[column].isna()
        out[f"{column}_na_ours_only"] = int((na_a & ~na_b).sum())
        out[f"{column}_na_R_only"] = int((~na_a & na_b).sum())
    sig_a, sig_b = significance(a, thresholds), significance(b, thresholds)
    for definition in ("sig_paper", "sig_modern"):
        set_a = set(common[sig_a[definition].to_numpy(bool)])
        set_b = set(common[sig_b[definition].to_numpy(bool)])
        out[f"{definition}_ours"] = len(set_a)
        out[f"{definition}_R"] = len(set_b)
        out[f"{definition}_both"] = len(set_a & set_b)
        out[f"{definition}_jaccard"] = jaccard(set_a, set_b)
    return out


def compare_vectors(ours: pd.Series, reference: pd.Series, name: str) -> dict:
    """Agreement of one per-sample or per-gene estimate (size factors, dispersions).

    Aligned on the index; returns ``{name}_n``, ``{name}_pearson`` (of logs for positive
    values), ``{name}_reldiff_median`` and ``{name}_reldiff_max`` over entries finite in both.
    """
    common = ours.index.intersection(reference.index)
    a = ours.loc[common].to_numpy(dtype=float)
    b = reference.loc[common].to_numpy(dtype=float)
    ok = np.isfinite(a) & np.isfinite(b)
    a, b = a[ok], b[ok]
    positive = (a > 0).all() and (b > 0).all()
    x, y = (np.log(a), np.log(b)) if positive else (a, b)
    pearson = float(stats.pearsonr(x, y)[0]) if len(a) >= 3 and np.std(x) and np.std(y) \
        else math.nan
    median, maximum = _summary_of(relative_difference(a, b))
    return {f"{name}_n": int(ok.sum()), f"{name}_pearson": pearson,
            f"{name}_reldiff_median": median, f"{name}_reldiff_max": maximum}


def compare_fits(ours: dict, reference: dict) -> dict:
    """Size factors, dispersions (genewise, trend, MAP, final), trend and prior.

    Each argument is a dict with ``size_factors`` (Series over samples), ``dispersions``
    (DataFrame over genes with :data:`DISPERSION_KINDS` columns) and ``fit`` (dict with
    ``trend_asymptDisp``, ``trend_extraPois``, ``prior_disp_var``, ``replaced_genes``).
    """
    out = compare_vectors(ours["size_factors"], reference["size_factors"], "size_factors")
    for kind in DISPERSION_KINDS:
        out.update(compare_vectors(ours["dispersions"][kind],
                                   reference["dispersions"][kind], f"disp_{kind}"))
    for key in ("trend_asymptDisp", "trend_extraPois", "prior_disp_var", "replaced_genes"):
        out[f"{key}_ours"] = float(ours["fit"][key])
        out[f"{key}_R"] = float(reference["fit"][key])
    return out


def gene_table(ours: pd.DataFrame, reference: pd.DataFrame,
               columns=("baseMean", "log2FoldChange", "lfcSE", "stat", "pvalue", "padj"),
               focus_padj: float = FOCUS_PADJ) -> pd.DataFrame:
    """One row per gene in either table: both values of each column, and the relative
    difference of log2FC, lfcSE and padj; ``focus`` marks padj < ``focus_padj`` in either."""
    genes = ours.index.union(reference.index)
    a, b = ours.reindex(genes), reference.reindex(genes)
    table = pd.DataFrame(index=genes)
    for column in columns:
        table[f"{column}_ours"] = a[column]
        table[f"{column}_R"] = b[column]
    for column in ("log2FoldChange", "lfcSE", "padj"):
        table[f"{column}_reldiff"] = relative_difference(a[column], b[column])
    table["focus"] = (a["padj"] < focus_padj) | (b["padj"] < focus_padj)
    table.index.name = ours.index.name or "GeneID"
    return table


def gene_table_vs_r(ours: pd.DataFrame, r: dict) -> pd.DataFrame:
    """:func:`gene_table` of our results against R's fit ``r`` (:func:`read_fit`) at
    results()'s default alpha, with R's padj at the workflow's alpha beside it
    (``same_alpha_padj_R``, as the figures of :func:`compare_all` are named: the alpha is
    the config's, not a fixed one)."""
    table = gene_table(ours, r_results_at(r, "default"))
    table[f"{SAME_ALPHA}padj_R"] = r["results"]["padj_alpha"].reindex(table.index)
    return table


def worst_genes(ours: pd.DataFrame, reference: pd.DataFrame, column: str = "log2FoldChange",
                n: int = 10, focus_padj: float = FOCUS_PADJ) -> pd.DataFrame:
    """The ``n`` focus genes (padj < ``focus_padj`` in either) whose ``column`` differs
    most (relative difference), with both tables' log2FC, lfcSE, pvalue and padj."""
    table = gene_table(ours, reference, focus_padj=focus_padj)
    table = table[table["focus"]]
    order = table[f"{column}_reldiff"].sort_values(ascending=False, kind="mergesort")
    keep = [c for c in table.columns if c.split("_")[0] in
            ("log2FoldChange", "lfcSE", "pvalue", "padj", "baseMean")]
    return table.loc[order.index[:n], keep]


def check_bounds(figures: dict, bounds: dict) -> list[str]:
    """Failures of ``figures`` against ``bounds``.

    ``bounds`` maps a figure name to ``("<=", x)`` or ``(">=", x)``. A missing or NaN
    figure is a failure. Returns human-readable lines (empty when all hold).
    """
    failures = []
    for key, (op, limit) in bounds.items():
        value = figures.get(key, math.nan)
        ok = (value <= limit) if op == "<=" else (value >= limit)
        if value is None or (isinstance(value, float) and math.isnan(value)) or not ok:
            failures.append(f"{key} = {value} (bound: {op} {limit})")
    return failures


# --------------------------------------------------------------------------------------
# Files both sides share


def ours(analysis) -> dict:
    """Our side of one :class:`painstress.de.deseq2.ContrastAnalysis`, shaped as :func:`read_fit`
    returns R's: results (indexed by GeneID), size factors, dispersions, fit numbers."""
    dds = analysis.fitted.dds
    var = dds.var
    dispersions = pd.DataFrame({
        "genewise": var["genewise_dispersions"], "fitted": var["fitted_dispersions"],
        "MAP": var["MAP_dispersions"], "final": var["dispersions"],
        "replaced": var["replaced"] if "replaced" in var else False,
    })
    dispersions.index = dispersions.index.astype(np.int64)
    dispersions.index.name = "GeneID"
    coeffs = np.asarray(dds.uns["trend_coeffs"], dtype=float)
    return {
        "results": analysis.results.set_index("GeneID"),
        "size_factors": pd.Series(dds.obs["size_factors"].to_numpy(float),
                                  index=pd.Index(dds.obs_names, name="sample"),
                                  name="size_factor"),
        "dispersions": dispersions,
        "fit": {"engine": analysis.summary["engine"], "design": analysis.model.design,
                "trend_asymptDisp": coeffs[0], "trend_extraPois": coeffs[1],
                "prior_disp_var": float(np.asarray(dds.uns["prior_disp_var"])),
                "replaced_genes": int(np.asarray(dispersions["replaced"], bool).sum())},
    }


def write_model_input(model, folder: Path) -> None:
    """What R is given of a :class:`painstress.de.deseq2.ModelInput`: ``counts.tsv`` (GeneID ×
    samples, the prefiltered genes), ``coldata.tsv`` (sample, covariates, condition) and
    ``design.txt``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    counts = model.counts.T
    counts.index = counts.index.astype(np.int64)
    counts.rename_axis("GeneID").to_csv(folder / "counts.tsv", sep="\t", lineterminator="\n")
    model.metadata.astype(str).loc[counts.columns].rename_axis("sample").to_csv(
        folder / "coldata.tsv", sep="\t", lineterminator="\n")
    (folder / "design.txt").write_text(model.design + "\n")


def write_fit(fit: dict, folder: Path) -> None:
    """A fit (:func:`ours`) in the layout of R's outputs (see :func:`read_fit`)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)

    def write(table, name):
        table.to_csv(folder / name, sep="\t", lineterminator="\n", na_rep="NA")

    write(fit["results"], "results.tsv")
    write(fit["size_factors"].rename("size_factor").rename_axis("sample").to_frame(),
          "size_factors.tsv")
    write(fit["dispersions"], "dispersions.tsv")
    write(pd.DataFrame({"value": fit["fit"]}).rename_axis("key"), "fit.tsv")


def read_fit(folder: Path) -> dict:
    """A fit written by :func:`write_fit` or by ``deseq2_reference.R``: results (GeneID
    index), size factors (Series over samples), dispersions (GeneID ×
    :data:`DISPERSION_KINDS` and ``replaced``), fit numbers, and timings when present."""
    folder = Path(folder)

    def read(name, **kwargs):
        return pd.read_csv(folder / name, sep="\t", na_values=["NA"], **kwargs)

    table = read("fit.tsv", dtype=str, keep_default_na=False).set_index("key")["value"]
    fit = {key: (float(value) if key in FIT_NUMBERS else value) for key, value in table.items()}
    out = {"results": read("results.tsv").set_index("GeneID"),
           "size_factors": read("size_factors.tsv", dtype={"sample": str})
           .set_index("sample")["size_factor"],
           "dispersions": read("dispersions.tsv").set_index("GeneID"), "fit": fit}
    if (folder / "timings.tsv").is_file():
        out["timings"] = read("timings.tsv")
    return out


def r_results_at(r: dict, alpha: str) -> pd.DataFrame:
    """R's results with the padj of results()'s default alpha (``"default"``, 0.1) or of
    the second alpha the script was given (``"workflow"``, the workflow's)."""
    table = r["results"].copy()
    if alpha == "workflow":
        table["padj"] = table["padj_alpha"]
    return table


def compare_all(ours_fit: dict, r: dict, thresholds: Thresholds) -> dict:
    """Every parity figure for one matrix: results against R with results()'s default
    alpha (keys as :func:`compare_results`) and against R with the alpha our side used,
    ``thresholds.modern_padj`` (same keys prefixed :data:`SAME_ALPHA`), and the fits
    (:func:`compare_fits`)."""
    figures = compare_results(ours_fit["results"], r_results_at(r, "default"),
                              thresholds=thresholds)
    same_alpha = compare_results(ours_fit["results"], r_results_at(r, "workflow"),
                                 thresholds=thresholds)
    figures.update({f"{SAME_ALPHA}{k}": v for k, v in same_alpha.items()})
    figures.update(compare_fits(ours_fit, r))
    return figures
