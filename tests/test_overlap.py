"""Overlap statistics checked against hand computation and scipy."""
from math import comb

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from painstress.compare import overlap


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


def _regions():
    """Two hand-made regions (see test_overlap_tables_on_hand_made_regions)."""
    a_pain = _de([(1, 1.0, 0.001, True), (2, -1.0, 0.002, True), (3, 1.0, 0.01, True),
                  (4, 1.0, 0.01, True), (5, 1.0, 0.01, True), (6, 0.1, 0.5, False)])
    a_stress = _de([(1, 0.8, 0.003, True), (2, -0.5, 0.001, True), (3, -1.0, 0.01, True),
                    (4, 0.1, 0.6, False), (5, 1.0, np.nan, False), (6, 0.1, 0.5, False)])
    b_pain = _de([(1, 2.0, 1e-5, True), (2, 0.1, 0.4, False), (7, 0.1, 0.9, False)])
    b_stress = _de([(1, 1.0, 1e-4, True), (2, 0.1, 0.4, False), (7, 0.1, 0.9, False)])
    return {"A": (a_pain, a_stress), "B": (b_pain, b_stress)}


def test_overlap_tables_on_hand_made_regions():
    """Region A: genes 1 (up/up), 2 (down/down) shared; 3 opposite; 4 only pain;
    gene 5 has no p-value in stress (outside the background). Region B: gene 1 up/up."""
    genes, table = overlap.overlap_tables(_regions(), definitions=("modern",))
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


# ----------------------------------------------------------------------------- signatures

def test_list_overlap_signed_matches_hypergeometric_on_2n_slots():
    """N=10 background genes; pain {1+, 2-, 3+}, signature {1+, 2+, 4-, 5-}: 1 agrees,
    2 disagrees. 20 slots, 3 and 4 filled, 1 in both."""
    pain = pd.Series({1: 1, 2: -1, 3: 1})
    signature = pd.Series({1: 1, 2: 1, 4: -1, 5: -1})
    row = overlap.list_overlap_test(pain, signature, n_background=10)
    assert row["kind"] == "signed"
    assert (row["n_overlap"], row["n_same_direction"], row["n_opposite_direction"]) == (2, 1, 1)
    assert row["pvalue"] == pytest.approx(stats.hypergeom.sf(0, 20, 3, 4), rel=1e-12)
    assert row["expected_overlap"] == pytest.approx(3 * 4 / 20)
    assert row["sign_concordance_pvalue"] == pytest.approx(0.75)  # P(X >= 1), X ~ Bin(2, 1/2)


def test_list_overlap_undirected_matches_fisher_on_genes():
    """N=12 genes; pain {1..4}, undirected signature {3..7}: 2 shared."""
    pain = pd.Series({1: 1, 2: -1, 3: 1, 4: 1})
    signature = pd.Series(0, index=[3, 4, 5, 6, 7])
    row = overlap.list_overlap_test(pain, signature, n_background=12)
    assert row["kind"] == "undirected"
    assert row["n_overlap"] == 2 and np.isnan(row["n_same_direction"])
    assert row["pvalue"] == pytest.approx(stats.hypergeom.sf(1, 12, 4, 5), rel=1e-12)
    by_hand = sum(comb(4, k) * comb(8, 5 - k) for k in range(2, 5)) / comb(12, 5)
    assert row["pvalue"] == pytest.approx(by_hand, rel=1e-12)
    assert row["odds_ratio"] == pytest.approx(2 * 5 / (2 * 3))  # [[2, 2], [3, 5]]
    assert row["jaccard"] == pytest.approx(2 / 7)


def test_list_overlap_rejects_partly_directed_signature():
    with pytest.raises(ValueError, match="direction for every gene or for none"):
        overlap.list_overlap_test(pd.Series({1: 1}), pd.Series({1: 1, 2: 0}), 10)


def test_overlap_padj_is_one_stated_family_over_the_whole_table():
    """The pain x stress tests are corrected once, over every row, and say so."""
    _, stats_table = overlap.overlap_tables(_regions())
    assert len(stats_table) == 6  # 2 definitions x (A, B, pooled)
    expected = stats.false_discovery_control(stats_table["pvalue"].to_numpy(), method="bh")
    assert np.allclose(stats_table["padj"], expected)
    assert set(stats_table["padj_family"]) == {"BH over the 6 rows of this table"}


def test_signature_tests_gene_set_per_region_pooled_and_bh():
    """A signed gene set {1 up, 2 up, 6 down, 99 down}: gene 99 is measured nowhere and
    leaves the background; a contrast covering region B only gives no row for A."""
    pairs = _regions()
    pain = {r: p for r, (p, _) in pairs.items()}
    gene_set = pd.Series({1: 1, 2: 1, 6: -1, 99: -1})
    only_b = {"B": pairs["B"][1]}
    tests = overlap.signature_tests(pain, {"set": gene_set, "b_only": only_b},
                                    definitions=("modern",))
    rows = tests.set_index(["signature", "region"])
    # region A: background = genes with a pain p-value (1..6); pain list 1+,2-,3+,4+,5+
    a = rows.loc[("set", "A")]
    assert (a["n_background"], a["n_pain"], a["n_signature"]) == (6, 5, 3)
    assert (a["n_same_direction"], a["n_opposite_direction"]) == (1, 1)
    assert a["pvalue"] == pytest.approx(stats.hypergeom.sf(0, 12, 5, 3), rel=1e-12)
    # pooled: (region, gene) units, A's 6 + B's 3 background; set in B = {1+, 2+}
    pooled = rows.loc[("set", "pooled")]
    assert (pooled["n_background"], pooled["n_pain"], pooled["n_signature"]) == (9, 6, 5)
    assert pooled["n_same_direction"] == 2
    assert pooled["pvalue"] == pytest.approx(stats.hypergeom.sf(1, 18, 6, 5), rel=1e-12)
    assert ("b_only", "A") not in rows.index and ("b_only", "pooled") not in rows.index
    assert rows.loc[("b_only", "B"), "n_same_direction"] == 1
    expected = stats.false_discovery_control(tests["pvalue"].to_numpy(), method="bh")
    assert np.allclose(tests["padj"], expected)


def test_pain_stress_genes_table_sorted_strongest_first_with_memberships():
    pairs = _regions()
    signatures = {"set": pd.Series({2: -1, 6: 1}), "other": {"A": pairs["A"][1]}}
    table = overlap.pain_stress_genes(pairs, ("SNI_vs_sham", "CUS_vs_control"),
                                      overlap.memberships(signatures))
    # gene 1 is shared in A and B; gene 2 in A only
    assert list(table["GeneID"]) == [1, 2]
    assert table.loc[0, "regions_modern"] == "A,B" and table.loc[0, "n_regions_modern"] == 2
    assert table.loc[1, "A_direction"] == "down" and table.loc[1, "B_direction"] == ""
    assert table.loc[0, "B_SNI_vs_sham_log2FC"] == 2.0
    assert table.loc[0, "A_CUS_vs_control_pvalue"] == 0.003
    assert table.loc[1, "signature_set"] == "down" and table.loc[0, "signature_set"] == ""
    assert table.loc[0, "signature_other"] == "up: A"


def test_shared_count_summary_puts_the_paper_number_next_to_ours():
    _, stats_table = overlap.overlap_tables(_regions())
    from painstress.de.deseq2 import Thresholds
    summary = overlap.shared_count_summary(
        stats_table, Thresholds(), {"count": 40, "wording": "nearly 40", "source": "press"})
    modern = summary.set_index("definition").loc["modern"]
    assert (modern["n_shared_A"], modern["n_shared_B"], modern["n_shared_pooled"]) == (2, 1, 2)
    assert modern["rule"] == "padj < 0.05 in both (BH), same direction"
    assert modern["reported_in_paper"] == 40
