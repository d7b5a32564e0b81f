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
    table["baseMean"] = 100.0 + table["GeneID"]
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
    from painstress.settings import Thresholds
    summary = overlap.shared_count_summary(
        stats_table, Thresholds.defaults(),
        {"count": 40, "wording": "nearly 40", "source": "press"})
    modern = summary.set_index("definition").loc["modern"]
    assert (modern["n_shared_A"], modern["n_shared_B"], modern["n_shared_pooled"]) == (2, 1, 2)
    assert modern["rule"] == "BH padj < 0.05 in both, same direction"
    assert modern["reported_in_paper"] == 40


# ----------------------------------------------------------------------------- direction

def test_same_share_and_direction_test_by_hand():
    """Lists 8 of 10 up and 1 of 5 up: a gene significant in both agrees by chance with
    probability 0.8 * 0.2 + 0.2 * 0.8; pooled regions convolve their binomials."""
    assert overlap.same_share(10, 8, 5, 1) == pytest.approx(0.32)
    assert np.isnan(overlap.same_share(0, 0, 5, 1))
    assert overlap.direction_test(3, [(4, 0.32)]) == pytest.approx(
        sum(comb(4, k) * 0.32 ** k * 0.68 ** (4 - k) for k in range(3, 5)))
    # pooled: X = X1 + X2, X1 ~ Bin(3, 0.5), X2 ~ Bin(2, 0.8), P(X >= 4) by enumeration
    by_hand = sum(comb(3, i) * 0.5 ** 3 * comb(2, j) * 0.8 ** j * 0.2 ** (2 - j)
                  for i in range(4) for j in range(3) if i + j >= 4)
    assert overlap.direction_test(4, [(3, 0.5), (0, 0.9), (2, 0.8)]) == pytest.approx(by_hand)
    assert np.isnan(overlap.direction_test(0, [(0, 0.5)]))


def test_hand_made_regions_carry_the_direction_test():
    _, table = overlap.overlap_tables(_regions(), definitions=("modern",))
    a = table.set_index("region").loc["A"]
    # pain 1+, 2-, 3+, 4+ (3 of 4 up); stress 1+, 2-, 3- (1 of 3 up); 2 of 3 agree
    assert (a["n_pain_up"], a["n_stress_up"]) == (3, 1)
    share = 0.75 * (1 / 3) + 0.25 * (2 / 3)
    assert a["expected_same_share"] == pytest.approx(share)
    assert a["expected_same_given_both"] == pytest.approx(3 * share)
    assert a["direction_pvalue"] == pytest.approx(stats.binom.sf(1, 3, share))
    assert np.isnan(a["pvalue_permutation"]) and a["n_permutations"] == 0
    np.testing.assert_allclose(table["direction_padj"], stats.false_discovery_control(
        table["direction_pvalue"], method="bh"))
    assert set(table["verdict"]) <= set(overlap.VERDICTS)


def _planted(seed: int, *, n_genes=4000, n_pain=300, n_both=150, n_stress=300,
             direction="random", up_share=0.5):
    """One region: ``n_both`` genes significant in both lists. ``direction``: ``random``
    (stress signs drawn independently of pain's, each list ``up_share`` up) or
    ``concordant`` (stress sign = pain sign)."""
    rng = np.random.default_rng(seed)
    genes = np.arange(1, n_genes + 1)
    order = rng.permutation(genes)
    pain_genes = order[:n_pain]
    stress_genes = np.concatenate([pain_genes[:n_both], order[n_pain:n_pain + n_stress - n_both]])

    def table(called, signs):
        lfc = rng.normal(0, 0.05, n_genes)
        sig = np.isin(genes, called)
        lfc[np.searchsorted(genes, called)] = signs * rng.uniform(0.5, 2, len(called))
        return pd.DataFrame({"GeneID": genes, "symbol": "G" + pd.Series(genes).astype(str),
                             "baseMean": np.exp(rng.uniform(2, 8, n_genes)),
                             "log2FoldChange": lfc, "pvalue": np.where(sig, 1e-4, 0.5),
                             "padj": np.where(sig, 1e-3, 0.9), "sig_paper": sig,
                             "sig_modern": sig})

    def draw(n):
        return np.where(rng.random(n) < up_share, 1.0, -1.0)

    pain_signs = draw(n_pain)
    stress_signs = draw(n_stress)
    if direction == "concordant":
        stress_signs[:n_both] = pain_signs[:n_both]
    return {"R": (table(pain_genes, pain_signs), table(stress_genes, stress_signs))}


def test_co_significance_with_random_direction_is_not_called_same_direction():
    """150 genes significant in both, their stress signs a coin toss: the co-significance
    test rejects (it counts them), the direction test must not."""
    _, table = overlap.overlap_tables(_planted(1), definitions=("modern",),
                                      permutations=500, seed=3)
    row = table.iloc[0]
    assert row["n_both"] == 150
    assert row["padj"] < 1e-20 and row["pvalue_permutation"] < 0.01  # the old test rejects
    assert row["direction_pvalue"] > 0.05 and row["direction_pvalue_permutation"] > 0.05
    assert row["verdict"] == "significant in both, but not in the same direction"


def test_concordant_direction_is_called_same_direction():
    _, table = overlap.overlap_tables(_planted(1, direction="concordant"),
                                      definitions=("modern",), permutations=500, seed=3)
    row = table.iloc[0]
    assert row["n_same_direction"] == 150 and row["n_opposite_direction"] == 0
    assert row["padj"] < 1e-20 and row["direction_padj"] < 1e-20
    assert row["direction_pvalue_permutation"] == pytest.approx(1 / 501)
    assert row["verdict"] == "same direction"


def test_direction_expectation_comes_from_the_lists_balance():
    """Both lists 80 % up, signs independent: 68 % of the genes significant in both agree
    by chance. The old test against 1/2 rejects; the direction test does not."""
    _, table = overlap.overlap_tables(_planted(2, up_share=0.8), definitions=("modern",))
    row = table.iloc[0]
    assert row["expected_same_share"] == pytest.approx(0.68, abs=0.04)
    assert row["sign_concordance_pvalue"] < 1e-4
    assert row["direction_pvalue"] > 0.05


def test_no_excess_is_said_plainly():
    _, table = overlap.overlap_tables(_planted(4, n_both=6), definitions=("modern",),
                                      permutations=200, seed=1)
    assert table.iloc[0]["verdict"] == "no more genes significant in both than chance"


# ----------------------------------------------------------------------------- permutations

def _one_bin_null(pain, stress, permutations=4000, seed=7):
    same, both = overlap.permutation_null(pain[None, :], stress[None, :],
                                          np.zeros(len(pain), dtype=int),
                                          permutations=permutations, seed=seed)
    return same[:, 0], both[:, 0]


def test_one_bin_permutation_matches_the_hypergeometric():
    """Both lists all up, one bin: shuffling the stress calls makes the overlap exactly
    hypergeometric (N genes, n_pain marked, n_stress drawn); the empirical p must agree
    within Monte Carlo error (4000 shuffles: SE about 0.004 at p 0.1)."""
    n, n_pain, n_stress = 1000, 100, 120
    pain = np.zeros(n, dtype=np.int8)
    pain[:n_pain] = 1
    stress = np.zeros(n, dtype=np.int8)
    stress[n_pain - 16:n_pain - 16 + n_stress] = 1  # 16 in both; expected 12
    same, both = _one_bin_null(pain, stress)
    assert (same == both).all()  # every call is up: all overlaps agree
    assert same.mean() == pytest.approx(n_pain * n_stress / n, abs=0.15)
    exact = stats.hypergeom.sf(15, n, n_pain, n_stress)
    assert 0.05 < exact < 0.2
    assert overlap.empirical_pvalue(same, 16) == pytest.approx(exact, abs=0.015)


def test_one_bin_permutation_approximates_the_2n_slot_test():
    """Balanced signed lists: the within-bin shuffle with one bin and the 2N-slot
    hypergeometric give nearly the same p."""
    rng = np.random.default_rng(5)
    n = 2000
    pain = np.zeros(n, dtype=np.int8)
    pain[:200] = rng.choice([-1, 1], 200)
    stress = np.zeros(n, dtype=np.int8)
    stress[170:370] = rng.choice([-1, 1], 200)  # 30 called in both
    observed = int(((pain == stress) & (pain != 0)).sum())
    same, _ = _one_bin_null(pain, stress)
    analytic = overlap.signed_overlap_test(n, 200, 200, observed)["pvalue"]
    assert 0.01 < analytic < 0.5
    assert overlap.empirical_pvalue(same, observed) == pytest.approx(analytic, abs=0.03)


def test_shuffles_stay_within_expression_bins_and_repeat_with_the_seed():
    """Pain calls only in bin 0, stress calls only in bin 1: no shuffle can bring them
    together. The same seed gives the same null; another seed another."""
    pain = np.array([1, -1, 1, 0, 0, 0, 0, 0], dtype=np.int8)
    stress = np.array([0, 0, 0, 0, 1, -1, 1, 0], dtype=np.int8)
    bins = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    same, both = overlap.permutation_null(pain[None], stress[None], bins, permutations=300,
                                          seed=1)
    assert both.max() == 0 and same.max() == 0
    one_bin = overlap.permutation_null(pain[None], stress[None], np.zeros(8, int),
                                       permutations=300, seed=1)
    assert one_bin[1].max() > 0
    again = overlap.permutation_null(pain[None], stress[None], np.zeros(8, int),
                                     permutations=300, seed=1)
    other = overlap.permutation_null(pain[None], stress[None], np.zeros(8, int),
                                     permutations=300, seed=2)
    assert (again[0] == one_bin[0]).all() and not (other[1] == one_bin[1]).all()


def test_expression_dependent_power_fools_the_analytic_test_not_the_binned_one():
    """Only the 1000 most expressed of 4000 genes can be called, in either list, and the
    calls are otherwise independent. Against all 2N slots the overlap looks enriched; a
    shuffle within expression bins keeps the calls among the expressed genes and finds
    nothing."""
    rng = np.random.default_rng(11)
    n = 4000
    base_mean = np.exp(rng.uniform(1, 9, n))
    expressed = np.argsort(-base_mean)[:1000]

    def calls():
        out = np.zeros(n, dtype=np.int8)
        out[rng.choice(expressed, 200, replace=False)] = rng.choice([-1, 1], 200)
        return out

    pain, stress = calls(), calls()
    observed = int(((pain == stress) & (pain != 0)).sum())
    analytic = overlap.signed_overlap_test(n, 200, 200, observed)["pvalue"]
    assert analytic < 1e-5
    bins = overlap.expression_bins(np.log1p(base_mean), 20)
    same, _ = overlap.permutation_null(pain[None], stress[None], bins, permutations=1000,
                                       seed=2)
    assert overlap.empirical_pvalue(same.sum(axis=1), observed) > 0.05


def test_pooled_permutation_keeps_genes_that_recur_across_regions_together():
    """Three regions with the very same lists: pooling triples the analytic evidence, but
    the same shuffle in every region makes the pooled null three times one region's, so
    the pooled permutation p is the region's."""
    single = _planted(6, n_both=10, n_pain=200, n_stress=200, direction="concordant")["R"]
    pairs = {region: single for region in ("A", "B", "C")}
    _, table = overlap.overlap_tables(pairs, definitions=("modern",), permutations=1000,
                                      seed=4)
    rows = table.set_index("region")
    assert rows.loc["pooled", "n_same_direction"] == 3 * rows.loc["A", "n_same_direction"]
    assert rows.loc["A", "pvalue"] > 0.01 and rows.loc["pooled", "pvalue"] < 1e-3
    assert rows.loc["pooled", "pvalue_permutation"] == rows.loc["A", "pvalue_permutation"]
    assert rows.loc["pooled", "direction_pvalue_permutation"] == \
        rows.loc["A", "direction_pvalue_permutation"]
    # reproducible
    _, again = overlap.overlap_tables(pairs, definitions=("modern",), permutations=1000,
                                      seed=4)
    pd.testing.assert_frame_equal(table, again)


def test_answer_page_names_the_test_and_says_when_direction_is_not_concordant():
    from painstress.settings import Thresholds
    from painstress.summary import answer_page

    _, table = overlap.overlap_tables(_planted(1), permutations=200, seed=3)
    summary = overlap.shared_count_summary(table, Thresholds.defaults(), None)
    page = answer_page(study={"name": "x"}, pain="pain", stress="stress", summary=summary,
                       stats=table, genes=pd.DataFrame(columns=["symbol"]),
                       tests=pd.DataFrame(), themes=None, reported=None)
    assert "<i>Direction test</i>" in page and "<i>Co-significance test</i>" in page
    assert page.index("Direction test") < page.index("Co-significance test")
    assert "Verdict: significant in both, but not in the same direction." in page
