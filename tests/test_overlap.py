"""Overlap statistics checked against hand computation and scipy."""
from math import comb

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from painstress import overlap


def test_signed_overlap_test_matches_hand_computed_hypergeometric():
    """N=10 genes -> 20 signed slots; lists of 4 and 5 signed genes sharing 3."""
    result = overlap.signed_overlap_test(n_background=10, n_pain=4, n_stress=5, n_same=3)
    by_hand = sum(comb(4, k) * comb(16, 5 - k) for k in range(3, 5)) / comb(20, 5)
    assert result["pvalue"] == pytest.approx(by_hand, rel=1e-12)
    assert result["pvalue"] == pytest.approx(stats.hypergeom.sf(2, 20, 4, 5), rel=1e-12)
    # 2x2 table [[3, 1], [2, 14]]: odds ratio 3*14 / (1*2)
    assert result["odds_ratio"] == pytest.approx(21.0)
    assert result["expected_same_direction"] == pytest.approx(4 * 5 / 20)
    assert result["jaccard"] == pytest.approx(3 / (4 + 5 - 3))


def test_no_overlap_gives_p_one():
    result = overlap.signed_overlap_test(n_background=100, n_pain=5, n_stress=5, n_same=0)
    assert result["pvalue"] == pytest.approx(1.0)
    assert result["jaccard"] == 0.0


def _de(rows):
    """DE table from (GeneID, log2FC, pvalue, sig) rows; padj = pvalue for simplicity."""
    table = pd.DataFrame(rows, columns=["GeneID", "log2FoldChange", "pvalue", "sig"])
    table["symbol"] = "G" + table["GeneID"].astype(str)
    table["padj"] = table["pvalue"]
    table["sig_paper"] = table["sig"]
    table["sig_modern"] = table["sig"]
    return table.drop(columns="sig")


def test_overlap_tables_on_hand_made_regions():
    """Region A: genes 1 (up/up), 2 (down/down) shared; 3 opposite; 4 only pain;
    gene 5 has no p-value in stress (outside the background). Region B: gene 1 up/up."""
    a_pain = _de([(1, 1.0, 0.001, True), (2, -1.0, 0.002, True), (3, 1.0, 0.01, True),
                  (4, 1.0, 0.01, True), (5, 1.0, 0.01, True), (6, 0.1, 0.5, False)])
    a_stress = _de([(1, 0.8, 0.003, True), (2, -0.5, 0.001, True), (3, -1.0, 0.01, True),
                    (4, 0.1, 0.6, False), (5, 1.0, np.nan, False), (6, 0.1, 0.5, False)])
    b_pain = _de([(1, 2.0, 1e-5, True), (2, 0.1, 0.4, False), (7, 0.1, 0.9, False)])
    b_stress = _de([(1, 1.0, 1e-4, True), (2, 0.1, 0.4, False), (7, 0.1, 0.9, False)])
    genes, table = overlap.overlap_tables({"A": (a_pain, a_stress), "B": (b_pain, b_stress)},
                                          definitions=("modern",))
    found = genes.set_index(["region", "GeneID"])["direction"].to_dict()
    assert found == {("A", 1): "up", ("A", 2): "down", ("B", 1): "up"}
    # strongest first: the larger of the two p-values orders the genes
    assert list(genes[genes.region == "A"]["GeneID"]) == [2, 1]

    rows = table.set_index("region")
    assert rows.loc["A", ["n_background", "n_pain", "n_stress", "n_both",
                          "n_same_direction", "n_opposite_direction"]].tolist() == \
        [5, 4, 3, 3, 2, 1]
    expected_a = stats.hypergeom.sf(1, 10, 4, 3)
    assert rows.loc["A", "pvalue"] == pytest.approx(expected_a)
    assert rows.loc["A", "sign_concordance_pvalue"] == pytest.approx(
        stats.binomtest(2, 3, 0.5, alternative="greater").pvalue)
    # pooled: (region, gene) units; gene 1 counted once among unique genes
    assert rows.loc["pooled", "n_background"] == 8
    assert rows.loc["pooled", "n_same_direction"] == 3
    assert rows.loc["pooled", "n_unique_genes"] == 2
    assert rows.loc["pooled", "pvalue"] == pytest.approx(stats.hypergeom.sf(2, 16, 5, 4))
    np.testing.assert_allclose(table["padj"],
                               stats.false_discovery_control(table["pvalue"], method="bh"))


def test_both_definitions_use_their_own_columns():
    pain = _de([(1, 1.0, 0.01, True), (2, 1.0, 0.01, True)])
    stress = _de([(1, 1.0, 0.01, True), (2, 1.0, 0.01, True)])
    stress.loc[stress.GeneID == 2, "sig_modern"] = False
    genes, table = overlap.overlap_tables({"A": (pain, stress)})
    assert sorted(genes[genes.definition == "paper"]["GeneID"]) == [1, 2]
    assert sorted(genes[genes.definition == "modern"]["GeneID"]) == [1]
    assert "pooled" not in set(table["region"])  # one region: nothing to pool
