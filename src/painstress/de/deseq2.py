"""Differential expression with DESeq2's model: one model per region and contrast.

The DE step in four named steps, used alike by rule ``deseq2``, the parity check and
the benches: choose the samples (:func:`painstress.samples.contrast_samples`) →
:func:`model_input` (prefilter, design ``~ [covariates +] condition`` with the contrast's
reference level) → :func:`fit` (pydeseq2's ``DeseqDataSet``/``DeseqStats`` with an
inference engine: ours, :mod:`painstress.de.engine`, or stock pydeseq2) →
:func:`results_table`, and :func:`dispersion_table` for DESeq2's dispersion plot.
:func:`run_contrast` chains them. Results carry both significance definitions:

* ``sig_paper``: nominal ``pvalue < p`` and ``|fold change| >= fc`` (the 2017 paper's);
* ``sig_modern``: ``padj < alpha`` (Benjamini–Hochberg, DESeq2's independent filtering).
"""

from __future__ import annotations

import logging
import math
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

from painstress import InputError, lazy_module
from painstress.settings import DESettings, LibraryQC, Thresholds

np = lazy_module("numpy")
pd = lazy_module("pandas")

RESULT_COLUMNS = ["GeneID", "symbol", "baseMean", "log2FoldChange", "lfcSE", "stat",
                  "pvalue", "padj", "log2FoldChange_shrunk", "sig_paper", "sig_modern"]
# one row per gene of a fit; painstress.figures.de.dispersion_plot reads them
DISPERSION_COLUMNS = ["GeneID", "symbol", "baseMean", "genewise", "fitted", "MAP", "final",
                      "outlier"]


def prefilter(counts: pd.DataFrame, groups: pd.Series, min_count: int) -> pd.Series:
    """Genes to test: at least ``min_count`` reads in at least as many samples as the
    smallest group has (so a gene expressed in one group only is kept).

    ``counts`` is genes × samples; ``groups`` maps sample -> group. Returns a boolean
    Series over genes.
    """
    min_samples = int(groups.value_counts().min())
    return (counts[groups.index] >= min_count).sum(axis=1) >= min_samples


def significance(results: pd.DataFrame, thresholds: Thresholds) -> pd.DataFrame:
    """Add ``sig_paper`` and ``sig_modern``; missing p-values count as not significant."""
    results = results.copy()
    min_lfc = math.log2(thresholds.paper_fold_change)
    results["sig_paper"] = ((results["pvalue"] < thresholds.paper_pvalue)
                            & (results["log2FoldChange"].abs() >= min_lfc)).fillna(False)
    results["sig_modern"] = (results["padj"] < thresholds.modern_padj).fillna(False)
    return results


ENGINES = ("painstress", "pydeseq2")  # config de.inference


def new_data_set(counts: pd.DataFrame, metadata: pd.DataFrame, design: str, *,
                 engine: str, n_cpus: int = 1):
    """A pydeseq2 ``DeseqDataSet`` with ``engine``'s inference: ``painstress`` fits every
    gene at once (:class:`painstress.de.engine.AllGenesInference` in
    :class:`~painstress.de.pydeseq2_adapter.AllGenesDataSet`, single-threaded); ``pydeseq2``
    is stock pydeseq2 (one scipy optimisation per gene, ``n_cpus`` joblib workers). Either
    way the installed pydeseq2 must be a tested one (:mod:`painstress.de.pydeseq2_adapter`
    checks it on import). Build and use it inside :func:`quiet_single_thread`."""
    from painstress.de import pydeseq2_adapter

    if engine == "painstress":
        from painstress.de.engine import AllGenesInference

        DataSet = pydeseq2_adapter.AllGenesDataSet
        inference = AllGenesInference()
    elif engine == "pydeseq2":
        from pydeseq2.dds import DeseqDataSet as DataSet
        from pydeseq2.default_inference import DefaultInference

        inference = DefaultInference(n_cpus=n_cpus)
    else:
        raise InputError(f"de.inference is {engine!r}; choose one of {', '.join(ENGINES)}.")
    return DataSet(counts=counts, metadata=metadata, design=design, inference=inference,
                   quiet=True)


@contextmanager
def quiet_single_thread():
    """pydeseq2 without its UserWarnings and INFO logs, on one BLAS thread: the engine's
    matrix products are small, and the same arithmetic on any machine keeps tables
    byte-identical between runs."""
    from threadpoolctl import threadpool_limits

    with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
        warnings.simplefilter("ignore", category=UserWarning)
        logging.getLogger("pydeseq2").setLevel(logging.WARNING)
        yield


def engine_label(engine: str) -> str:
    """Engine and versions, as the DE summary and the methods text name them."""
    from pydeseq2 import __version__ as pydeseq2_version

    if engine == "painstress":
        from painstress import __version__ as own_version

        return f"painstress {own_version} all-genes inference in pydeseq2 {pydeseq2_version}"
    return f"pydeseq2 {pydeseq2_version}"


def library_qc(counts: pd.DataFrame, qc: LibraryQC) -> pd.DataFrame:
    """Per sample (columns of ``counts``): reads, detected genes, both as fractions of the
    median sample, and ``passed``."""
    reads = counts.sum(axis=0)
    genes = (counts > 0).sum(axis=0)
    table = pd.DataFrame({"reads": reads, "detected_genes": genes,
                          "reads_fraction": reads / max(float(reads.median()), 1.0),
                          "genes_fraction": genes / max(float(genes.median()), 1.0)})
    table["passed"] = ((table["reads_fraction"] >= qc.min_reads_fraction)
                       & (table["genes_fraction"] >= qc.min_genes_fraction))
    return table


def _apply_library_qc(counts: pd.DataFrame, chosen: pd.DataFrame, qc: LibraryQC,
                      where: str) -> tuple[pd.DataFrame, list[str]]:
    """``chosen`` without the samples failing :func:`library_qc` when ``qc.on_fail`` is
    ``drop`` (and their descriptions); an :class:`InputError` naming them for ``stop``."""
    table = library_qc(counts[chosen["sample"]], qc)
    failed = table[~table["passed"]]
    if failed.empty:
        return chosen, []
    described = [f"{sample}: {row.reads:,.0f} reads ({row.reads_fraction:.1%} of the median), "
                 f"{row.detected_genes:,.0f} genes detected ({row.genes_fraction:.0%})"
                 for sample, row in failed.iterrows()]
    if qc.on_fail != "drop":
        raise InputError(
            f"{where}: library-size check failed for {len(failed)} sample(s): "
            + "; ".join(described) + f". A sample needs >= {qc.min_reads_fraction:.0%} of the "
            f"median reads and >= {qc.min_genes_fraction:.0%} of the median detected genes. "
            "Check these samples (a failed library, a wrong column); leave them out with the "
            "dataset's `exclude` pattern or your sample sheet, or set de.library_qc.on_fail: "
            "drop to leave them out of the fit and record it in the DE summary.")
    logging.warning("%s: left out by the library-size check: %s", where, "; ".join(described))
    return chosen[~chosen["sample"].isin(failed.index)], described


@dataclass
class ModelInput:
    """What one region × contrast model is fitted on (step 2 of the DE step)."""

    counts: pd.DataFrame      # samples × genes, after the prefilter (pydeseq2's layout)
    metadata: pd.DataFrame    # samples × (covariates..., condition); reference level first
    design: str               # e.g. "~sex + condition"
    groups: pd.Series         # sample -> group
    test: str
    reference: str
    genes_in_counts: int
    prefilter: str            # the rule, in words
    dropped: tuple = ()       # samples left out by the library-size check, described


def model_input(counts: pd.DataFrame, chosen: pd.DataFrame, *, test: str, reference: str,
                covariates: list[str] = (), min_count: int, region: str = "",
                qc: LibraryQC) -> ModelInput:
    """Counts and sample table for one model from the samples a contrast uses.

    ``counts``: genes × samples (index GeneID); ``chosen``: the sample-sheet rows of the
    contrast (:func:`painstress.samples.contrast_samples`). Checks the samples are count
    columns, passes them through the library-size gate (:func:`library_qc`, ``qc``), and
    checks each group keeps ≥ 2 of them; applies :func:`prefilter`; a covariate constant
    across the samples (e.g. all male) is left out of the design.
    """
    where = f"region {region}" if region else "the contrast"
    missing = sorted(set(chosen["sample"]) - set(counts.columns))
    if missing:
        raise InputError(f"samples {', '.join(missing[:5])} of {where} are not "
                         "columns of the counts table.")
    chosen, dropped = _apply_library_qc(counts, chosen, qc, where)
    groups = chosen.set_index("sample")["group"]
    for group in (test, reference):
        if (groups == group).sum() < 2:
            raise InputError(f"{where}: group {group} has {(groups == group).sum()} "
                             "sample(s); at least 2 are needed.")
    keep = prefilter(counts, groups, min_count)
    min_samples = int(groups.value_counts().min())
    if keep.sum() < 2:
        raise InputError(
            f"{where}: {int(keep.sum())} of {len(counts)} genes have >= {min_count} counts in "
            f">= {min_samples} of its samples ({test} vs {reference}), too few to fit DESeq2's "
            "model. Check that the counts file holds raw read counts for these samples, or "
            "lower de.min_count in the config.")
    metadata = pd.DataFrame(index=groups.index)
    used = []
    for covariate in covariates:
        values = chosen.set_index("sample")[covariate]
        if values.nunique() > 1:  # a constant covariate cannot be fitted
            metadata[covariate] = values
            used.append(covariate)
    metadata["condition"] = pd.Categorical(groups, categories=[reference, test])
    return ModelInput(counts=counts.loc[keep, groups.index].T, metadata=metadata,
                      design="~" + " + ".join([*used, "condition"]), groups=groups,
                      test=test, reference=reference, genes_in_counts=len(counts),
                      prefilter=f">= {min_count} counts in >= {min_samples} samples",
                      dropped=tuple(dropped))


@dataclass
class Fit:
    """A fitted model (step 3): pydeseq2's objects and the engine's fallback counts."""

    dds: object               # pydeseq2.dds.DeseqDataSet
    stats: object             # pydeseq2.ds.DeseqStats
    results: pd.DataFrame     # pydeseq2's results_df, plus log2FoldChange_shrunk if shrunk
    engine: str
    fallbacks: dict


def fit(model: ModelInput, *, engine: str, alpha: float, shrink: bool = True,
        n_cpus: int = 1) -> Fit:
    """DESeq2 on ``model`` with pydeseq2's orchestration and the chosen engine: size
    factors, dispersions, Wald test, Cook's outliers, independent filtering at ``alpha``
    (DESeq2's ``results(alpha=)``), BH; then apeGLM-style shrinkage of the condition
    coefficient into ``log2FoldChange_shrunk`` when ``shrink``."""
    from pydeseq2.ds import DeseqStats

    with quiet_single_thread():
        dds = new_data_set(model.counts, model.metadata, model.design, engine=engine,
                           n_cpus=n_cpus)
        dds.deseq2()
        stats = DeseqStats(dds, contrast=["condition", model.test, model.reference],
                           alpha=alpha, inference=dds.inference, quiet=True)
        stats.summary()
        results = stats.results_df.copy()
        if shrink:
            stats.lfc_shrink(coeff=f"condition[T.{model.test}]")  # overwrites results_df
            results["log2FoldChange_shrunk"] = stats.results_df["log2FoldChange"]
    return Fit(dds=dds, stats=stats, results=results, engine=engine,
               fallbacks=dict(getattr(dds.inference, "fallbacks", {})))


def results_table(fitted: Fit, symbols: pd.Series, thresholds: Thresholds) -> pd.DataFrame:
    """Step 4: one row per tested gene with :data:`RESULT_COLUMNS`, both significance
    definitions, sorted by p-value then GeneID."""
    results = fitted.results
    gene_ids = results.index.astype(np.int64)
    results = results.reset_index(drop=True)
    results.insert(0, "GeneID", gene_ids)
    results.insert(1, "symbol", symbols.reindex(gene_ids).fillna("").to_numpy())
    results = significance(results, thresholds)[RESULT_COLUMNS]
    results = results.sort_values(["pvalue", "GeneID"], na_position="last", kind="mergesort")
    return results.reset_index(drop=True)


def dispersion_table(fitted: Fit, symbols: pd.Series) -> pd.DataFrame:
    """Step 4, beside :func:`results_table`: the dispersion estimates of every tested gene,
    as DESeq2's ``plotDispEsts`` shows them (:func:`painstress.figures.de.dispersion_plot`).

    One row per gene of the fit (the results' genes), sorted by GeneID, with
    :data:`DISPERSION_COLUMNS`: ``baseMean`` as in the results (mean of normalised counts);
    pydeseq2's gene-wise estimate (``genewise``), the mean–dispersion trend at baseMean
    (``fitted``), the maximum a posteriori estimate shrunk toward the trend (``MAP``), the
    dispersion the Wald test used (``final``), and ``outlier``: log gene-wise more than two
    residual standard deviations (of log gene-wise around the trend) above the log trend, so
    not shrunk (final = gene-wise), DESeq2's rule.

    Genes refitted after Cook's outlier replacement (≥ 7 replicates per group) get new
    gene-wise, trend and final dispersions from pydeseq2 but keep the first fit's MAP and
    outlier flag; here those follow the refit, by pydeseq2's own rule: outlier from the
    refit's gene-wise and trend, MAP = final for the others, and NaN for a refitted outlier
    (pydeseq2 keeps no MAP for it). So final = MAP for every gene but the outliers, where
    final = gene-wise.
    """
    from painstress.de import pydeseq2_adapter

    dds = fitted.dds
    var = dds.var
    genewise = var["genewise_dispersions"].to_numpy(float)
    trend = var["fitted_dispersions"].to_numpy(float)
    final = var["dispersions"].to_numpy(float)
    shrunk = var["MAP_dispersions"].to_numpy(float).copy()
    outlier = pydeseq2_adapter.outlier_genes(dds)
    if "refitted" in var:  # pydeseq2's outlier rule (fit_MAP_dispersions) on the refit
        refitted = var["refitted"].to_numpy(bool)
        with np.errstate(divide="ignore", invalid="ignore"):
            above = np.log(genewise) > (
                np.log(trend) + 2 * np.sqrt(pydeseq2_adapter.squared_log_residuals(dds)))
        outlier[refitted] = above[refitted]
        shrunk[refitted] = np.where(outlier[refitted], np.nan, final[refitted])
    gene_ids = var.index.astype(np.int64)
    table = pd.DataFrame({
        "GeneID": gene_ids,
        "symbol": symbols.reindex(gene_ids).fillna("").to_numpy(),
        "baseMean": fitted.results["baseMean"].reindex(var.index).to_numpy(float),
        "genewise": genewise, "fitted": trend, "MAP": shrunk, "final": final,
        "outlier": outlier,
    })
    return table.sort_values("GeneID", kind="mergesort").reset_index(drop=True)


@dataclass
class ContrastAnalysis:
    """Everything the DE step made for one region × contrast."""

    model: ModelInput
    fitted: Fit
    results: pd.DataFrame     # results_table()
    summary: dict             # summarise()
    dispersions: pd.DataFrame  # dispersion_table()


def analyse_contrast(counts: pd.DataFrame, sheet: pd.DataFrame, *, region: str, test: str,
                     reference: str, symbols: pd.Series, settings: DESettings,
                     dataset: str | None = None, where: dict | None = None,
                     n_cpus: int = 1) -> ContrastAnalysis:
    """The DE step for one region × contrast, as rule ``deseq2`` runs it, with the DE
    stage's ``settings`` (:class:`painstress.settings.DESettings`): choose the samples
    (:func:`painstress.samples.contrast_samples`: the region, the two groups, and the
    contrast's ``dataset`` and ``where`` levels when given) → :func:`model_input`
    (library-size gate, prefilter, covariates) → :func:`fit` (the ``inference`` engine;
    independent filtering at ``thresholds.modern_padj``) → :func:`results_table` (and
    :func:`dispersion_table`) → :func:`summarise`."""
    from painstress.samples import contrast_samples

    contrast = {"test": test, "reference": reference, "dataset": dataset, "where": where}
    model = model_input(counts, contrast_samples(sheet, contrast, region), test=test,
                        reference=reference, covariates=settings.covariates,
                        min_count=settings.min_count, region=region, qc=settings.library_qc)
    thresholds = settings.thresholds
    fitted = fit(model, engine=settings.inference, alpha=thresholds.modern_padj,
                 n_cpus=n_cpus)
    results = results_table(fitted, symbols, thresholds)
    return ContrastAnalysis(model, fitted, results,
                            summarise(model, fitted, results, region=region),
                            dispersion_table(fitted, symbols))


def analyse_configured(samples_path, genes_path, counts_by_dataset: dict, *, region: str,
                       contrast: dict, settings: DESettings,
                       n_cpus: int = 1) -> tuple[ContrastAnalysis, str]:
    """:func:`analyse_contrast` on the workflow's files, as rules ``deseq2`` and
    ``parity_ours`` run it (``contrast``: one entry of config ``contrasts``; ``settings``:
    the DE stage's): the sample sheet, the gene table, and the counts file of the
    contrast's one dataset in ``region`` (``counts_by_dataset``: dataset -> path; a contrast
    naming datasets in order of preference takes the first holding both groups there,
    :func:`painstress.samples.choose_dataset`). Returns the analysis, whose summary names
    the GEO ``series`` of the fitted samples, and the dataset's name."""
    from painstress.data import ncbi_files
    from painstress.files import read_tsv
    from painstress.samples import ARM_MIN_SAMPLES, contrast_datasets, contrast_samples

    sheet = read_tsv(samples_path, dtype=str)
    chosen = contrast_samples(sheet, contrast, region)
    if chosen.empty:  # a list of datasets none of which holds both groups here
        raise InputError(
            f"contrast {contrast['name']} has no samples in region {region}: none of the "
            f"datasets {', '.join(contrast_datasets(contrast))} holds >= {ARM_MIN_SAMPLES} "
            f"{contrast['test']} and >= {ARM_MIN_SAMPLES} {contrast['reference']} samples "
            "there (arms.tsv records it). Run the workflow again: it then leaves this region "
            "out of the contrast (`make run` does so from the start).")
    # one dataset per contrast: checked with the sheet
    (dataset,) = chosen["dataset"].unique()
    counts = ncbi_files.read_ncbi_counts(counts_by_dataset[dataset])
    genes = read_tsv(genes_path, dtype={"symbol": str}).fillna("")
    analysis = analyse_contrast(counts, sheet, region=region,
                                symbols=genes.set_index("GeneID")["symbol"],
                                settings=settings, dataset=contrast.get("dataset"),
                                where=contrast.get("where"), test=contrast["test"],
                                reference=contrast["reference"], n_cpus=n_cpus)
    # the GEO series the fitted samples come from (a dataset may pool several)
    fitted = chosen[chosen["sample"].isin(analysis.model.groups.index)]
    analysis.summary["series"] = ",".join(sorted(
        fitted["series"].dropna().astype(str).unique()) if "series" in fitted else [])
    return analysis, dataset


def run_contrast(counts: pd.DataFrame, sheet: pd.DataFrame, **kwargs) -> tuple[pd.DataFrame, dict]:
    """:func:`analyse_contrast` (same arguments) → (results table, summary record)."""
    analysis = analyse_contrast(counts, sheet, **kwargs)
    return analysis.results, analysis.summary


def summarise(model: ModelInput, fitted: Fit, results: pd.DataFrame, region: str) -> dict:
    """The DE summary record of one fitted contrast."""
    groups = model.groups
    up, down = results.log2FoldChange > 0, results.log2FoldChange < 0
    return {
        "region": region, "test": model.test, "reference": model.reference,
        "n_test": int((groups == model.test).sum()),
        "n_reference": int((groups == model.reference).sum()),
        "samples": ",".join(groups.index),
        "design": model.design, "engine": engine_label(fitted.engine),
        "genes_in_counts": model.genes_in_counts, "genes_tested": model.counts.shape[1],
        "prefilter": model.prefilter,
        "left_out_by_library_qc": "; ".join(model.dropped) or "none",
        # genes the engine's batched solve handed to pydeseq2's per-gene solver
        "fallback_genes": "; ".join(f"{step}: {n}" for step, n in fitted.fallbacks.items()
                                    if n) or "none",
        "sig_paper_up": int((results.sig_paper & up).sum()),
        "sig_paper_down": int((results.sig_paper & down).sum()),
        "sig_modern_up": int((results.sig_modern & up).sum()),
        "sig_modern_down": int((results.sig_modern & down).sum()),
    }


def vst(counts: pd.DataFrame, groups: pd.Series, *, min_count: int, engine: str,
        n_cpus: int = 1) -> tuple[pd.DataFrame, pd.Series]:
    """Variance-stabilised expression (DESeq2's VST, blind to the design) for QC plots,
    and the size factors it rests on.

    ``counts``: genes × samples; ``groups``: sample -> group (for the prefilter only).
    Returns VST values (genes × samples, the genes passing :func:`prefilter`) and the
    median-of-ratios size factors (sample -> factor): one normalisation of the region for
    every QC figure and table.
    """
    keep = prefilter(counts, groups, min_count)
    matrix = counts.loc[keep, groups.index].T
    metadata = pd.DataFrame({"group": groups.astype(str)}, index=groups.index)
    with quiet_single_thread():
        dds = new_data_set(matrix, metadata, "~group", engine=engine, n_cpus=n_cpus)
        dds.vst(use_design=False)
    values = pd.DataFrame(dds.layers["vst_counts"], index=matrix.index, columns=matrix.columns)
    size_factors = pd.Series(np.asarray(dds.obs["size_factors"], float), index=matrix.index,
                             name="size_factor")
    return values.T, size_factors


def _symbols(annotation: pd.DataFrame | pd.Series) -> pd.Series:
    """GeneID -> symbol from a Series, a gene table (GeneID, symbol) or an NCBI annotation
    (indexed by GeneID, ``Symbol``)."""
    if isinstance(annotation, pd.Series):
        return annotation
    table = annotation.set_index("GeneID") if "GeneID" in annotation.columns else annotation
    column = "symbol" if "symbol" in table.columns else "Symbol"
    return table[column]


def normalised_counts_table(counts: pd.DataFrame, size_factors: pd.Series,
                            annotation: pd.DataFrame | pd.Series) -> pd.DataFrame:
    """Counts divided by each sample's size factor, for a TSV per region.

    In: ``counts`` genes × samples (index GeneID, raw counts); ``size_factors`` sample ->
    DESeq2 size factor (the samples to keep, in this order); ``annotation`` GeneID ->
    symbol: a Series, the workflow's gene table (columns GeneID, symbol) or an NCBI
    annotation (index GeneID, column Symbol).
    Out: one row per gene of ``counts`` (same order): ``GeneID``, ``symbol`` ("" when the
    annotation lacks the gene), then one column of normalised counts per sample.
    Raises InputError if a sample lacks a count column or has a non-positive size factor.
    """
    missing = [s for s in size_factors.index if s not in counts.columns]
    if missing:
        raise InputError(f"samples {', '.join(map(str, missing[:5]))} have size factors "
                         "but no count column.")
    bad = size_factors[~(size_factors > 0)]
    if len(bad):
        raise InputError(f"size factor of {bad.index[0]} is {bad.iloc[0]}; "
                         "it must be positive.")
    samples = list(size_factors.index)
    normalised = counts[samples].astype(float).div(size_factors.astype(float), axis=1)
    symbols = _symbols(annotation).reindex(counts.index).fillna("").astype(str)
    table = normalised.reset_index(drop=True)
    table.insert(0, "symbol", symbols.to_numpy())
    table.insert(0, "GeneID", counts.index.to_numpy())
    return table
