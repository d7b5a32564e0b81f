"""Differential expression: prefilter and thresholds by hand; pydeseq2 on planted truth."""
import hashlib

import numpy as np
import pandas as pd
import pytest

from painstress import InputError
from painstress.de import deseq2
from painstress.files import write_tsv
from painstress.settings import DESettings, LibraryQC, Thresholds

DE = DESettings.defaults()  # the config schema's defaults


def test_prefilter_uses_smallest_group_size():
    """Groups of 2 and 3: a gene needs >= 10 counts in >= 2 samples."""
    counts = pd.DataFrame({"a1": [10, 10, 0], "a2": [10, 0, 50], "b1": [0, 9, 50],
                           "b2": [0, 0, 0], "b3": [0, 0, 0]}, index=[1, 2, 3])
    groups = pd.Series({"a1": "A", "a2": "A", "b1": "B", "b2": "B", "b3": "B"})
    assert deseq2.prefilter(counts, groups, min_count=10).tolist() == [True, False, True]


def test_significance_definitions_by_hand():
    table = pd.DataFrame({
        "log2FoldChange": [np.log2(1.31), np.log2(1.29), -1.0, 2.0, 1.0],
        "pvalue": [0.049, 0.01, 0.049, np.nan, 0.051],
        "padj": [0.2, 0.049, 0.05, np.nan, 0.01],
    })
    marked = deseq2.significance(table, Thresholds.defaults())
    assert marked["sig_paper"].tolist() == [True, False, True, False, False]
    assert marked["sig_modern"].tolist() == [False, True, False, False, True]


@pytest.fixture(scope="module")
def nac_pain(small_study):
    """pydeseq2 on NAc SNI vs sham of the small simulated study."""
    sheet = small_study["samples"].rename(columns={"model": "dataset"})
    symbols = small_study["genes"].set_index("GeneID")["Symbol"]
    results, summary = deseq2.run_contrast(small_study["counts"], sheet, settings=DE,
                                           region="NAc", test="SNI", reference="sham",
                                           symbols=symbols, n_cpus=2)
    return results, summary, sheet, symbols


def test_run_contrast_recovers_planted_fold_changes(nac_pain, small_study):
    results, summary, sheet, _ = nac_pain
    assert list(results.columns) == deseq2.RESULT_COLUMNS
    truth = small_study["de_truth"]
    planted = truth[(truth.region == "NAc") & (truth.model == "pain")].set_index("GeneID")
    est = results.set_index("GeneID").loc[planted.index.intersection(results.GeneID)]
    # estimated log2FC tracks the planted one; strong effects are found with the right sign
    assert np.corrcoef(est["log2FoldChange"], planted.loc[est.index, "log2FC"])[0, 1] > 0.9
    strong = planted[planted["log2FC"].abs() >= 1.0].index
    found = results.set_index("GeneID").loc[strong]
    assert found["sig_modern"].mean() >= 0.8
    assert (np.sign(found["log2FoldChange"]) == np.sign(planted.loc[strong, "log2FC"])).all()
    # genes with no planted effect: few false positives at padj < 0.05
    null = results[~results.GeneID.isin(truth[truth.region == "NAc"].GeneID)]
    assert null["sig_modern"].mean() < 0.02
    in_nac = sheet[sheet.region == "NAc"]
    assert summary["n_test"] == (in_nac.group == "SNI").sum()
    assert summary["n_reference"] == (in_nac.group == "sham").sum()
    assert summary["design"] == "~condition"
    assert summary["genes_tested"] == len(results)


def test_results_sorted_by_pvalue(nac_pain):
    p = nac_pain[0]["pvalue"].dropna().to_numpy()
    assert (np.diff(p) >= 0).all()


def test_swapping_the_contrast_negates_fold_changes(nac_pain, small_study):
    results, _, sheet, symbols = nac_pain
    swapped, _ = deseq2.run_contrast(small_study["counts"], sheet, settings=DE, region="NAc",
                                     test="sham", reference="SNI", symbols=symbols)
    merged = results.merge(swapped, on="GeneID", suffixes=("", "_swapped")).dropna(
        subset=["log2FoldChange", "log2FoldChange_swapped"])
    # equal up to the GLM solver's convergence tolerance
    np.testing.assert_allclose(merged["log2FoldChange"], -merged["log2FoldChange_swapped"],
                               rtol=1e-2, atol=1e-3)
    # same genes called; the solver's tolerance only moves large p-values a little
    assert (merged["sig_modern"] == merged["sig_modern_swapped"]).all()
    small = merged[merged["pvalue"] < 0.05]
    relative = (small["pvalue"] - small["pvalue_swapped"]).abs() / small["pvalue"]
    # the IRLS solver can settle a little differently for a rare gene; 99 % must agree
    assert (relative < 1e-2).mean() >= 0.99, small[relative >= 1e-2]


def test_same_input_gives_byte_identical_table(nac_pain, small_study, tmp_path):
    results, _, sheet, symbols = nac_pain
    again, _ = deseq2.run_contrast(small_study["counts"], sheet, settings=DE, region="NAc",
                                   test="SNI", reference="sham", symbols=symbols, n_cpus=1)
    write_tsv(results, tmp_path / "a.tsv")
    write_tsv(again, tmp_path / "b.tsv")
    digest = [hashlib.sha256((tmp_path / n).read_bytes()).hexdigest() for n in ("a.tsv", "b.tsv")]
    assert digest[0] == digest[1]


def test_one_replicate_is_refused(small_study):
    sheet = small_study["samples"].rename(columns={"model": "dataset"})
    pag_sham = (sheet.region == "PAG") & (sheet.group == "sham")
    keep = ~pag_sham | (sheet["sample"] == sheet[pag_sham]["sample"].iloc[0])
    with pytest.raises(InputError, match="region PAG: group sham has 1 sample"):
        deseq2.run_contrast(small_study["counts"], sheet[keep], settings=DE, region="PAG",
                            test="SNI", reference="sham", symbols=pd.Series(dtype=str))


def test_prefilter_that_keeps_no_gene_is_a_clear_error(small_study):
    """Counts far below the prefilter (e.g. a normalised or wrong file) stop the DE step
    with what to check, instead of a traceback from inside pydeseq2."""
    sheet = small_study["samples"].rename(columns={"model": "dataset"})
    sparse = (small_study["counts"] > 10_000).astype(int)  # nearly all 0, a few 1
    with pytest.raises(InputError, match=r"region NAc: 0 of 3000 genes have >= 10 counts.*"
                                         r"de\.min_count"):
        deseq2.run_contrast(sparse, sheet, settings=DE, region="NAc", test="SNI", reference="sham",
                        symbols=pd.Series(dtype=str))


def _with_a_failed_library(small_study):
    """The small study with one NAc SNI sample's library nearly empty (1 % of its reads)."""
    sheet = small_study["samples"].rename(columns={"model": "dataset"})
    victim = sheet[(sheet.region == "NAc") & (sheet.group == "SNI")]["sample"].iloc[0]
    counts = small_study["counts"].copy()
    counts[victim] = counts[victim] // 100
    return counts, sheet, victim


def test_library_size_gate_stops_naming_the_sample(small_study):
    counts, sheet, victim = _with_a_failed_library(small_study)
    with pytest.raises(InputError, match=rf"region NAc: library-size check failed for 1 "
                                         rf"sample\(s\): {victim}: .*of the median.*on_fail"):
        deseq2.run_contrast(counts, sheet, settings=DE, region="NAc", test="SNI", reference="sham",
                        symbols=pd.Series(dtype=str))
    # an all-zero sample too
    counts[victim] = 0
    with pytest.raises(InputError, match=rf"{victim}: 0 reads \(0.0% of the median\)"):
        deseq2.run_contrast(counts, sheet, settings=DE, region="NAc", test="SNI", reference="sham",
                        symbols=pd.Series(dtype=str))


def test_library_size_gate_can_leave_the_sample_out_and_says_so(small_study):
    counts, sheet, victim = _with_a_failed_library(small_study)
    drop = DESettings.defaults(library_qc=LibraryQC.defaults(on_fail="drop"))
    results, summary = deseq2.run_contrast(counts, sheet, settings=drop, region="NAc",
                                           test="SNI", reference="sham",
                                           symbols=pd.Series(dtype=str))
    assert victim not in summary["samples"].split(",")
    assert summary["left_out_by_library_qc"].startswith(f"{victim}: ")
    in_nac = sheet[(sheet.region == "NAc") & (sheet.group == "SNI")]
    assert summary["n_test"] == len(in_nac) - 1
    # untouched data pass the gate: nothing left out
    _, clean = deseq2.run_contrast(small_study["counts"], sheet, settings=DE, region="NAc",
                                   test="SNI", reference="sham", symbols=pd.Series(dtype=str))
    assert clean["left_out_by_library_qc"] == "none"


def test_library_qc_table_by_hand():
    counts = pd.DataFrame({"a": [10, 10, 0, 80], "b": [50, 0, 0, 50], "c": [1, 0, 0, 0]})
    limits = LibraryQC(min_reads_fraction=0.1, min_genes_fraction=0.5, on_fail="stop")
    table = deseq2.library_qc(counts, limits)
    assert table["reads"].tolist() == [100, 100, 1]
    assert table["detected_genes"].tolist() == [3, 2, 1]
    assert table["reads_fraction"].tolist() == [1.0, 1.0, 0.01]
    assert table["passed"].tolist() == [True, True, False]


# Dispersion table (DESeq2's plotDispEsts): painstress.de.deseq2.dispersion_table

@pytest.fixture(scope="module")
def nac_analysis(small_study):
    """The whole DE step on NAc SNI vs sham of the small study, as rule deseq2 runs it."""
    sheet = small_study["samples"].rename(columns={"model": "dataset"})
    return deseq2.analyse_contrast(small_study["counts"], sheet, settings=DE, region="NAc",
                                   test="SNI", reference="sham",
                                   symbols=small_study["genes"].set_index("GeneID")["Symbol"])


def test_dispersion_table_has_one_row_per_tested_gene(nac_analysis):
    from painstress.figures.de import DISPERSION_COLUMNS as PLOTTED

    table, results = nac_analysis.dispersions, nac_analysis.results
    assert list(table.columns) == deseq2.DISPERSION_COLUMNS
    assert deseq2.DISPERSION_COLUMNS[2:] == PLOTTED  # what dispersion_plot reads
    assert table["GeneID"].is_unique and table["GeneID"].is_monotonic_increasing
    assert len(table) == nac_analysis.summary["genes_tested"] == len(results)
    by_gene = results.set_index("GeneID").loc[table["GeneID"]]
    np.testing.assert_array_equal(table["baseMean"], by_gene["baseMean"])  # as in the results
    assert (table["symbol"].to_numpy() == by_gene["symbol"].to_numpy()).all()
    assert table["outlier"].dtype == bool
    assert not table[["genewise", "fitted", "MAP", "final"]].isna().any().any()


def test_final_dispersion_is_map_except_for_outliers(nac_analysis):
    table = nac_analysis.dispersions
    outlier = table["outlier"]
    assert 0 < outlier.sum() < 0.05 * len(table)  # a few, so both branches are checked
    np.testing.assert_array_equal(table.loc[~outlier, "final"], table.loc[~outlier, "MAP"])
    np.testing.assert_array_equal(table.loc[outlier, "final"], table.loc[outlier, "genewise"])
    assert (table.loc[outlier, "genewise"] > table.loc[outlier, "fitted"]).all()
    # shrinkage: every other final estimate lies between its gene-wise value and the trend
    own = np.log(table["genewise"] / table["fitted"])[~outlier]
    shrunk = np.log(table["final"] / table["fitted"])[~outlier]
    assert ((np.abs(shrunk) <= np.abs(own) + 1e-9) & (np.sign(shrunk) * np.sign(own) >= 0)).all()


def test_fitted_dispersion_is_the_parametric_trend(nac_analysis):
    """fitted = a0 + a1 / baseMean: DESeq2's parametric trend, falling with the mean."""
    table, dds = nac_analysis.dispersions, nac_analysis.fitted.dds
    assert dds.uns["disp_function_type"] == "parametric"
    a0, a1 = dds.uns["trend_coeffs"]
    assert a0 > 0 and a1 > 0
    np.testing.assert_allclose(table["fitted"], a0 + a1 / table["baseMean"], rtol=1e-12)
    by_mean = table.sort_values("baseMean", kind="mergesort")
    assert (np.diff(by_mean["fitted"]) <= 0).all()
    assert by_mean["fitted"].iloc[0] > 2 * by_mean["fitted"].iloc[-1]


def test_dispersion_table_bytes_are_deterministic(nac_analysis, small_study, tmp_path):
    """Fitted again and written again (gzip, as the workflow writes it): the same bytes."""
    sheet = small_study["samples"].rename(columns={"model": "dataset"})
    again = deseq2.analyse_contrast(small_study["counts"], sheet, settings=DE, region="NAc",
                                    test="SNI", reference="sham",
                                    symbols=small_study["genes"].set_index("GeneID")["Symbol"])
    write_tsv(nac_analysis.dispersions, tmp_path / "a.dispersions.tsv.gz")
    write_tsv(again.dispersions, tmp_path / "b.dispersions.tsv.gz")
    a, b = ((tmp_path / f"{n}.dispersions.tsv.gz").read_bytes() for n in "ab")
    assert hashlib.sha256(a).hexdigest() == hashlib.sha256(b).hexdigest()
    read = pd.read_csv(tmp_path / "a.dispersions.tsv.gz", sep="\t")
    assert list(read.columns) == deseq2.DISPERSION_COLUMNS and read["outlier"].dtype == bool


def test_dispersions_of_genes_refitted_after_cooks_outliers(small_study):
    """12 vs 12 samples (Cook's outlier replacement needs >= 7 a group), one sample's counts
    of 20 genes multiplied by 30: pydeseq2 refits those genes but keeps their first MAP and
    outlier flag; the table follows the refit, so final = MAP except for outliers."""
    sheet = small_study["samples"].rename(columns={"model": "dataset"})
    pooled = sheet[sheet["region"].isin(["NAc", "mPFC"])].assign(region="both")
    counts = small_study["counts"].copy()
    victim = pooled[pooled["group"] == "SNI"]["sample"].iloc[0]
    counts.loc[counts.index[counts.mean(axis=1) > 50][:20], victim] *= 30
    analysis = deseq2.analyse_contrast(counts, pooled, settings=DE, region="both", test="SNI",
                                       reference="sham", symbols=pd.Series(dtype=str))
    var = analysis.fitted.dds.var
    refitted = var.index[var["refitted"].to_numpy(bool)].astype(np.int64)
    assert len(refitted) >= 10
    table = analysis.dispersions.set_index("GeneID")
    assert len(table) == len(analysis.results)
    outlier = table["outlier"]
    np.testing.assert_array_equal(table.loc[~outlier, "final"], table.loc[~outlier, "MAP"])
    np.testing.assert_array_equal(table.loc[outlier, "final"], table.loc[outlier, "genewise"])
    np.testing.assert_array_equal(table.loc[refitted, "final"],
                                  var.loc[refitted.astype(str), "dispersions"])
