"""Differential expression with pydeseq2: one model per region and contrast.

:func:`run_contrast` takes the raw counts of one dataset and the sample sheet, keeps the
samples of one region and the two groups of one contrast, prefilters low counts, fits
DESeq2's negative-binomial GLM (``~ [covariates +] condition``, reference level = the
contrast's reference group), runs the Wald test and apeGLM-style LFC shrinkage, and
returns one row per tested gene with both significance definitions:

* ``sig_paper``: nominal ``pvalue < p`` and ``|fold change| >= fc`` (the 2017 paper's);
* ``sig_modern``: ``padj < alpha`` (Benjamini–Hochberg, DESeq2's independent filtering).
"""

from __future__ import annotations

import logging
import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from painstress import InputError

RESULT_COLUMNS = ["GeneID", "symbol", "baseMean", "log2FoldChange", "lfcSE", "stat",
                  "pvalue", "padj", "log2FoldChange_shrunk", "sig_paper", "sig_modern"]


@dataclass(frozen=True)
class Thresholds:
    """Significance thresholds (config ``de.thresholds``)."""

    paper_pvalue: float = 0.05
    paper_fold_change: float = 1.3
    modern_padj: float = 0.05


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


def run_contrast(counts: pd.DataFrame, sheet: pd.DataFrame, *, region: str, test: str,
                 reference: str, symbols: pd.Series, covariates: list[str] = (),
                 min_count: int = 10, thresholds: Thresholds = Thresholds(),
                 n_cpus: int = 1) -> tuple[pd.DataFrame, dict]:
    """Fit one region × contrast; return (results table, summary record).

    ``counts``: genes × samples (index GeneID). ``sheet``: the validated sample sheet.
    ``symbols``: GeneID -> symbol. The results have :data:`RESULT_COLUMNS`, sorted by
    p-value then GeneID; the summary records samples, design, prefilter and counts of
    significant genes.
    """
    from pydeseq2 import __version__ as pydeseq2_version
    from pydeseq2.dds import DeseqDataSet
    from pydeseq2.default_inference import DefaultInference
    from pydeseq2.ds import DeseqStats

    chosen = sheet[(sheet["region"] == region) & sheet["group"].isin([test, reference])]
    missing = sorted(set(chosen["sample"]) - set(counts.columns))
    if missing:
        raise InputError(f"samples {', '.join(missing[:5])} of region {region} are not "
                         "columns of the counts table.")
    groups = chosen.set_index("sample")["group"]
    for group in (test, reference):
        if (groups == group).sum() < 2:
            raise InputError(f"region {region}: group {group} has {(groups == group).sum()} "
                             "sample(s); at least 2 are needed.")

    keep = prefilter(counts, groups, min_count)
    matrix = counts.loc[keep, groups.index].T  # pydeseq2 wants samples × genes
    metadata = pd.DataFrame(
        {"condition": pd.Categorical(groups, categories=[reference, test])},
        index=groups.index)
    used_covariates = []
    for covariate in covariates:
        values = chosen.set_index("sample")[covariate]
        if values.nunique() > 1:  # a constant covariate (e.g. all male) cannot be fitted
            metadata[covariate] = values
            used_covariates.append(covariate)
    design = "~" + " + ".join([*used_covariates, "condition"])

    inference = DefaultInference(n_cpus=n_cpus)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)
        logging.getLogger("pydeseq2").setLevel(logging.WARNING)
        dds = DeseqDataSet(counts=matrix, metadata=metadata, design=design,
                           inference=inference, quiet=True)
        dds.deseq2()
        stats = DeseqStats(dds, contrast=["condition", test, reference],
                           inference=inference, quiet=True)
        stats.summary()
        results = stats.results_df.copy()
        stats.lfc_shrink(coeff=f"condition[T.{test}]")  # overwrites results_df in place
        results["log2FoldChange_shrunk"] = stats.results_df["log2FoldChange"]

    gene_ids = results.index.astype(np.int64)
    results = results.reset_index(drop=True)
    results.insert(0, "GeneID", gene_ids)
    results.insert(1, "symbol", symbols.reindex(gene_ids).fillna("").to_numpy())
    results = significance(results, thresholds)[RESULT_COLUMNS]
    results = results.sort_values(["pvalue", "GeneID"], na_position="last", kind="mergesort")

    summary = {
        "region": region, "test": test, "reference": reference,
        "n_test": int((groups == test).sum()), "n_reference": int((groups == reference).sum()),
        "samples": ",".join(groups.index),
        "design": design, "engine": f"pydeseq2 {pydeseq2_version}",
        "genes_in_counts": int(len(counts)), "genes_tested": int(keep.sum()),
        "prefilter": f">= {min_count} counts in >= {int(groups.value_counts().min())} samples",
        "sig_paper_up": int((results.sig_paper & (results.log2FoldChange > 0)).sum()),
        "sig_paper_down": int((results.sig_paper & (results.log2FoldChange < 0)).sum()),
        "sig_modern_up": int((results.sig_modern & (results.log2FoldChange > 0)).sum()),
        "sig_modern_down": int((results.sig_modern & (results.log2FoldChange < 0)).sum()),
    }
    return results.reset_index(drop=True), summary


def vst(counts: pd.DataFrame, groups: pd.Series, *, min_count: int = 10,
        n_cpus: int = 1) -> pd.DataFrame:
    """Variance-stabilised expression (DESeq2's VST, blind to the design) for QC plots.

    ``counts``: genes × samples; ``groups``: sample -> group (for the prefilter only).
    Returns genes × samples of VST values for the genes passing :func:`prefilter`.
    """
    from pydeseq2.dds import DeseqDataSet
    from pydeseq2.default_inference import DefaultInference

    keep = prefilter(counts, groups, min_count)
    matrix = counts.loc[keep, groups.index].T
    metadata = pd.DataFrame({"group": groups.astype(str)}, index=groups.index)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)
        dds = DeseqDataSet(counts=matrix, metadata=metadata, design="~group",
                           inference=DefaultInference(n_cpus=n_cpus), quiet=True)
        dds.vst(use_design=False)
    values = pd.DataFrame(dds.layers["vst_counts"], index=matrix.index, columns=matrix.columns)
    return values.T
