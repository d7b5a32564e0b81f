"""RRHO2 on cases whose answer is known: by hand, by brute force, and by construction."""
import math
import time
from math import comb

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

from painstress.compare import rrho


def _p_at_least(k: int, n: int, x: int, y: int) -> float:
    """P(X >= k), X hypergeometric: n genes, x marked, y drawn; exact, by math.comb."""
    return sum(comb(x, i) * comb(n - x, y - i) for i in range(k, min(x, y) + 1)) / comb(n, y)


def _neg_log10(p: float) -> float:
    return -math.log10(p)


# Hand example, 8 genes, step 2. A ranks 1..8 (genes 2 and 3 tie at 4.0: GeneID order
# puts 2 first); B ranks 2, 1, 5, 3 | 4, 7, 6, 8. Both lists: 4 up, 4 down, so tails of
# 2 and 4 genes from each end; cuts [2, 4 | 4, 6], tails [up, up | down, down].
HAND_A = pd.Series({8: -4.0, 7: -3.0, 6: -2.0, 5: -1.0, 4: 1.0, 3: 4.0, 2: 4.0, 1: 5.0})
HAND_B = pd.Series({1: 5.0, 2: 6.0, 3: 1.0, 4: -1.0, 5: 2.0, 6: -3.0, 7: -2.0, 8: -5.0})


def test_hand_example_cells_match_math_comb():
    result = rrho.rrho2(HAND_A, HAND_B, step=2)
    assert list(result.ranking_a) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert list(result.ranking_b) == [2, 1, 5, 3, 4, 7, 6, 8]
    assert result.thresholds_a.tolist() == [2, 4, 4, 6]
    assert result.tails_a.tolist() == ["up", "up", "down", "down"]
    assert result.log_p.shape == (4, 4) and result.n_genes == 8 and result.step == 2

    # (A tail, B tail) -> overlap, p by hand
    cells = {
        (0, 0): (2, _p_at_least(2, 8, 2, 2)),   # top 2 {1,2} vs {2,1}: 1/28
        (1, 1): (3, _p_at_least(3, 8, 4, 4)),   # all up {1,2,3,4} vs {2,1,5,3}: 17/70
        (0, 1): (2, _p_at_least(2, 8, 2, 4)),   # {1,2} vs {2,1,5,3}: 15/70
        (3, 3): (1, _p_at_least(1, 8, 2, 2)),   # bottom 2 {7,8} vs {6,8}: 13/28
        (2, 2): (3, _p_at_least(3, 8, 4, 4)),   # all down {5,6,7,8} vs {4,7,6,8}
        (3, 2): (2, _p_at_least(2, 8, 2, 4)),   # {7,8} vs {4,7,6,8}
        (0, 2): (0, 1.0),                        # up_down: {1,2} vs {4,7,6,8}
        (1, 2): (1, _p_at_least(1, 8, 4, 4)),   # up_down: {1,2,3,4} vs {4,7,6,8}: 69/70
        (2, 1): (1, _p_at_least(1, 8, 4, 4)),   # down_up: {5,6,7,8} vs {2,1,5,3}
    }
    assert _p_at_least(2, 8, 2, 2) == pytest.approx(1 / 28)
    assert _p_at_least(3, 8, 4, 4) == pytest.approx(17 / 70)
    assert _p_at_least(1, 8, 4, 4) == pytest.approx(69 / 70)
    for (i, j), (overlap, p) in cells.items():
        assert result.overlap[i, j] == overlap, (i, j)
        assert result.log_p[i, j] == pytest.approx(_neg_log10(p), abs=1e-12), (i, j)


def test_hand_example_best_cells_and_tie_rules():
    result = rrho.rrho2(HAND_A, HAND_B, step=2)
    best = result.best.set_index("quadrant")
    assert list(best.index) == ["up_up", "down_down", "up_down", "down_up"]
    up = best.loc["up_up"]
    assert (up.n_a, up.n_b, up.overlap) == (2, 2, 2)
    assert up.expected == pytest.approx(0.5)
    assert up.neg_log10_p == pytest.approx(math.log10(28))
    assert result.best_genes("up_up") == [1, 2]
    # down_down: 15/70 at (4 down in A, 2 in B) and (2, 4) tie; the smaller A tail wins
    down = best.loc["down_down"]
    assert (down.tail_a, down.n_a, down.n_b, down.overlap) == ("down", 2, 4, 2)
    assert down.neg_log10_p == pytest.approx(_neg_log10(15 / 70))
    # gene 8 is last in both lists, gene 7 is 2nd / 3rd from the bottom
    assert result.best_genes("down_down") == [8, 7]
    with pytest.raises(ValueError, match="quadrant must be one of"):
        result.best_genes("up")


def _brute_force_map(a: pd.Series, b: pd.Series, step: int):
    """Every cell from sets and math.comb, straight from the definition."""
    def ranked(s):
        return sorted(s.index, key=lambda g: (-s[g], g))

    def tails(s):
        order, n_up, n_down = ranked(s), int((s > 0).sum()), int((s < 0).sum())
        up = sorted({*range(step, n_up + 1, step), n_up})
        down = sorted({*range(step, n_down + 1, step), n_down}, reverse=True)
        return ([set(order[:k]) for k in up] + [set(order[len(order) - k:]) for k in down])

    n = len(a)
    sets_a, sets_b = tails(a), tails(b)
    counts = np.array([[len(x & y) for y in sets_b] for x in sets_a])
    log_p = np.array([[_neg_log10(_p_at_least(len(x & y), n, len(x), len(y)))
                       for y in sets_b] for x in sets_a])
    return counts, log_p


@pytest.mark.parametrize("seed,step", [(0, 7), (1, 5), (2, 13)])
def test_whole_map_matches_brute_force(seed, step):
    rng = np.random.default_rng(seed)
    n = 60
    z = rng.normal(size=n)
    a = pd.Series(np.round(z, 1), index=rng.permutation(np.arange(100, 100 + n)))
    b = pd.Series(np.round(0.6 * z + rng.normal(size=n), 1), index=a.index)
    b = b.sample(frac=1, random_state=seed)  # order of the input must not matter
    result = rrho.rrho2(a, b, step=step)
    counts, log_p = _brute_force_map(a, b, step)
    np.testing.assert_array_equal(result.overlap, counts)
    np.testing.assert_allclose(result.log_p, np.maximum(log_p, 0), rtol=1e-9, atol=1e-12)


def _scores(n: int, seed: int) -> pd.Series:
    rng = np.random.default_rng(seed)
    return pd.Series(rng.normal(size=n), index=np.arange(1, n + 1))


def test_identical_lists_are_concordant_on_the_diagonal():
    a = _scores(2000, 1)
    result = rrho.rrho2(a, a.copy())
    assert result.step == math.ceil(math.sqrt(2000)) == 45
    best = result.best.set_index("quadrant")
    for quadrant in ("up_up", "down_down"):
        cell = best.loc[quadrant]
        # on the diagonal: the same tail of both lists, wholly shared, p = 1 / C(n, tail);
        # C(n, k) peaks at k = n/2, so the best is the diagonal tail closest to 1000 genes
        assert cell.threshold_a == cell.threshold_b and cell.n_a == cell.n_b == cell.overlap
        assert cell.neg_log10_p == pytest.approx(math.log10(comb(2000, cell.n_a)), rel=1e-9)
        assert cell.neg_log10_p > 590
    assert best.loc["up_up", "n_a"] == result.n_up_a == 983  # every up tail is < 1000
    assert best.loc["down_down", "n_a"] == 990  # of the down tails 1017, 990, ... 45
    for quadrant in ("up_down", "down_up"):
        assert best.loc[quadrant, "overlap"] == 0
        assert best.loc[quadrant, "neg_log10_p"] == 0.0
    ua, ub = result.n_up_cells_a, result.n_up_cells_b
    assert result.log_p[:ua, ub:].max() == 0.0 and result.log_p[ua:, :ub].max() == 0.0
    # the concordant quadrants peak on their diagonal row by row
    up_block = result.log_p[:ua, :ub]
    assert (up_block.argmax(axis=1) == np.arange(ua)).all()


def test_noisy_concordant_lists_peak_near_the_diagonal():
    rng = np.random.default_rng(3)
    a = _scores(4000, 2)
    b = a + pd.Series(rng.normal(scale=0.5, size=4000), index=a.index)
    best = rrho.rrho2(a, b).best.set_index("quadrant")
    for quadrant in ("up_up", "down_down"):
        cell = best.loc[quadrant]
        assert cell.neg_log10_p > 300
        assert abs(cell.n_a - cell.n_b) <= 0.15 * max(cell.n_a, cell.n_b)
    for quadrant in ("up_down", "down_up"):
        assert best.loc[quadrant, "neg_log10_p"] < 1


def test_reversed_lists_are_discordant():
    a = _scores(2000, 4)
    result = rrho.rrho2(a, -a)
    same = rrho.rrho2(a, a)
    best = result.best.set_index("quadrant")
    for quadrant in ("up_up", "down_down"):
        assert best.loc[quadrant, "neg_log10_p"] == 0.0
    ua, ub = result.n_up_cells_a, result.n_up_cells_b
    assert result.log_p[:ua, :ub].max() == 0.0 and result.log_p[ua:, ub:].max() == 0.0
    # B = -A turns A's up tail into B's down tail: up_down of (A, -A) is up_up of (A, A)
    up_down, up_up = best.loc["up_down"], same.best.set_index("quadrant").loc["up_up"]
    assert (up_down.n_a, up_down.n_b, up_down.overlap) == (up_up.n_a, up_up.n_b, up_up.overlap)
    assert up_down.neg_log10_p == pytest.approx(up_up.neg_log10_p) and up_down.neg_log10_p > 500
    assert best.loc["down_up", "neg_log10_p"] > 500
    assert set(result.best_genes("up_down")) == set(a[a > 0].index)


def _bonferroni_bound(result, alpha=0.01) -> float:
    """-log10 of alpha / cells: no cell of a null map should pass it, at level alpha."""
    return math.log10(result.log_p.size / alpha)


@pytest.mark.parametrize("seed", range(5))
def test_independent_lists_stay_under_a_bonferroni_bound(seed):
    """Under independence each cell's p is exactly hypergeometric, so Bonferroni over the
    grid bounds the map's maximum at family-wise level 1% (conservative: cells overlap).
    Over 300 such null pairs (seeds 1000+s, 5000+s) none passed it; the maxima's 99th
    percentile was 4.5 against a bound of 5.3."""
    a, b = _scores(2000, 1000 + seed), _scores(2000, 5000 + seed)
    result = rrho.rrho2(a, b)
    bound = _bonferroni_bound(result)
    assert 4.5 < bound < 6  # about 45 x 45 cells
    assert result.log_p.max() < bound
    assert result.best["neg_log10_p"].max() < bound


def test_the_null_bound_can_fail():
    """The same bound is passed by a weak real signal (correlation about 0.2)."""
    rng = np.random.default_rng(9)
    a = _scores(2000, 5)
    b = 0.2 * a + pd.Series(rng.normal(size=2000), index=a.index)
    result = rrho.rrho2(a, b)
    assert result.log_p.max() > _bonferroni_bound(result)


def test_20000_genes_in_seconds():
    a = _scores(20000, 6)
    b = 0.5 * a + _scores(20000, 7)
    start = time.perf_counter()
    result = rrho.rrho2(a, b)
    elapsed = time.perf_counter() - start
    assert result.step == 142 and set(result.log_p.shape) <= {141, 142}
    assert np.isfinite(result.log_p).all()
    assert elapsed < 15, f"rrho2 on 20,000 genes took {elapsed:.1f} s"


def test_no_common_genes():
    a = pd.Series([1.0, -1.0, 2.0, -2.0, 3.0], index=[1, 2, 3, 4, 5])
    b = pd.Series([1.0, -1.0, 2.0, -2.0, 3.0], index=[11, 12, 13, 14, 15])
    with pytest.raises(ValueError, match="no GeneID in common"):
        rrho.rrho2(a, b)


def test_nan_scores_are_rejected():
    a = pd.Series([1.0, -1.0, np.nan, -2.0, 3.0, -3.0], index=range(6))
    with pytest.raises(ValueError, match="list A has 1 missing"):
        rrho.rrho2(a, a.fillna(0.5))


def test_too_few_genes():
    a = pd.Series([1.0, -1.0, 2.0, -2.0], index=[1, 2, 3, 4])
    b = pd.Series([1.0, -1.0, 2.0, -2.0, 5.0], index=[1, 2, 3, 4, 9])
    with pytest.raises(ValueError, match=r"only 4 gene\(s\) in both lists.*at least 5"):
        rrho.rrho2(a, b)


def test_list_without_down_genes_and_bad_step_and_duplicates():
    a = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0], index=range(5))
    b = pd.Series([1.0, -2.0, 3.0, -4.0, 5.0], index=range(5))
    with pytest.raises(ValueError, match="list A needs genes on both sides of 0"):
        rrho.rrho2(a, b)
    with pytest.raises(ValueError, match="step must be a positive integer"):
        rrho.rrho2(b, b, step=0)
    with pytest.raises(ValueError, match="GeneID 1 more than once"):
        rrho.rrho2(pd.Series([1.0, -1.0], index=[1, 1]), b)


def test_zero_scores_are_in_no_tail():
    """A gene scoring 0 counts in the universe but in neither the up nor the down tail."""
    a = pd.Series([3.0, 2.0, 0.0, -2.0, -3.0, 1.0], index=[1, 2, 3, 4, 5, 6])
    result = rrho.rrho2(a, a, step=1)
    assert (result.n_up_a, result.n_down_a, result.n_genes) == (3, 2, 6)
    assert result.thresholds_a.tolist() == [1, 2, 3, 4, 5]
    assert result.tails_a.tolist() == ["up", "up", "up", "down", "down"]
    x, y, values = result.map_grid()
    assert x.tolist() == [0, 1, 2, 3, 4, 5, 6]
    assert np.isnan(values[3]).all() and np.isnan(values[:, 3]).all()  # the 0-score strip
    assert not np.isnan(np.delete(np.delete(values, 3, 0), 3, 1)).any()


def test_signed_scores():
    de = pd.DataFrame({"GeneID": [1, 2, 3, 4, 5, 6],
                       "log2FoldChange": [1.5, -0.5, 2.0, np.nan, -1.0, -0.2],
                       "pvalue": [0.001, 0.1, np.nan, 0.01, 0.0, 1.0]})
    scores = rrho.signed_scores(de)
    assert list(scores.index) == [1, 2, 5, 6] and scores.index.name == "GeneID"
    assert scores[1] == pytest.approx(3.0) and scores[2] == pytest.approx(-1.0)
    assert np.isfinite(scores[5]) and scores[5] < -300  # p = 0 stays finite, most down
    assert scores[6] == 0.0 and not np.signbit(scores[6])
    with pytest.raises(ValueError, match="lacks column"):
        rrho.signed_scores(de.drop(columns="pvalue"))


def test_table_one_row_per_gene_of_each_best_cell():
    result = rrho.rrho2(HAND_A, HAND_B, step=2)
    table = rrho.rrho2_table(result)
    assert list(table.columns) == rrho.TABLE_COLUMNS
    up = table[table.quadrant == "up_up"]
    assert up["GeneID"].tolist() == [1, 2] and up["rank_a"].tolist() == [0, 1]
    assert up["rank_b"].tolist() == [1, 0] and up["score_b"].tolist() == [5.0, 6.0]
    # up_down's best cell: all 4 up in A vs all 4 down in B share gene 4 only
    assert table.loc[table.quadrant == "up_down", "GeneID"].tolist() == [4]
    # a best cell with no gene keeps one row for its quadrant, GeneID missing
    same = rrho.rrho2_table(rrho.rrho2(HAND_A, HAND_A, step=2))
    empty = same[same.quadrant == "up_down"]
    assert len(empty) == 1 and empty["GeneID"].isna().all() and (empty.overlap == 0).all()
    assert set(same.quadrant) == set(rrho.QUADRANTS)


def test_map_plot_writes_png_and_pdf(tmp_path):
    from painstress.figures.overlap import rrho2_map
    from painstress.figures.style import save

    a = _scores(3000, 8)
    b = 0.4 * a + _scores(3000, 9)
    result = rrho.rrho2(a, b)
    png = tmp_path / "rrho2.png"
    save(rrho2_map(result, title="demo", label_a="SNI vs sham", label_b="stress vs control"),
         png, png.with_suffix(".pdf"))
    assert png.stat().st_size > 10_000 and png.with_suffix(".pdf").stat().st_size > 5_000


# ----------------------------------------------------------------------------- quadrant p

def _null_maxima_by_brute_force(a: pd.Series, b: pd.Series, step: int, permutations: int,
                                seed: int) -> pd.DataFrame:
    """Each quadrant's best -log10 p on whole maps recomputed for the shuffles rrho2 draws
    (B's ranks given to A's genes in a random order, numpy's default_rng(seed))."""
    result = rrho.rrho2(a, b, step=step)
    b_by_rank = b.loc[result.ranking_b].to_numpy()
    rng = np.random.default_rng(seed)
    ranks = rng.permuted(np.broadcast_to(np.arange(len(a)), (permutations, len(a))), axis=1)
    rows = []
    for rank in ranks:
        shuffled = pd.Series(b_by_rank[rank], index=result.ranking_a)
        rows.append(rrho.rrho2(a, shuffled, step=step).best.set_index("quadrant")["neg_log10_p"])
    return pd.DataFrame(rows)


# step 1: 300 histogram bins, more than a byte holds (the shuffled bins' wider type); its
# brute-force maps are 225 times larger, hence fewer shuffles
@pytest.mark.parametrize("seed,signal,step,shuffles",
                         [(0, 0.0, 20, 150), (1, 0.3, 20, 150), (2, 0.3, 1, 50)])
def test_quadrant_pvalues_match_whole_maps_of_the_same_shuffles(seed, signal, step, shuffles):
    """The threshold shortcut gives exactly the p of recomputing every shuffled map."""
    rng = np.random.default_rng(seed)
    a = pd.Series(rng.normal(size=300), index=np.arange(300))
    b = pd.Series(signal * a.to_numpy() + rng.normal(size=300), index=a.index)
    result = rrho.rrho2(a, b, step=step, permutations=shuffles, seed=seed)
    null = _null_maxima_by_brute_force(a, b, step, shuffles, seed)
    observed = result.best.set_index("quadrant")
    for quadrant in rrho.QUADRANTS:
        reached = int((null[quadrant] >= observed.at[quadrant, "neg_log10_p"] - 1e-9).sum())
        assert observed.at[quadrant, "pvalue_permutation"] == pytest.approx(
            (1 + reached) / (shuffles + 1), abs=1e-12), quadrant
    assert (observed["n_permutations"] == shuffles).all()


def test_identical_lists_reach_the_smallest_quadrant_p():
    a = _scores(2000, 1)
    best = rrho.rrho2(a, a.copy(), permutations=99, seed=0).best.set_index("quadrant")
    assert best.loc["up_up", "pvalue_permutation"] == best.loc["down_down",
                                                                "pvalue_permutation"] == 0.01
    # no excess overlap anywhere in a discordant quadrant: every shuffle matches it
    assert best.loc["up_down", "pvalue_permutation"] == 1.0


def test_a_null_hotspot_is_not_significant_after_the_search():
    """Independent lists: the best cells look notable one by one (-log10 p above 1.3, i.e.
    p < 0.05, somewhere), yet no quadrant is, once the search over the grid is counted."""
    a, b = _scores(3000, 21), _scores(3000, 22)
    best = rrho.rrho2(a, b, permutations=200, seed=1).best
    assert best["neg_log10_p"].max() > 1.3
    assert (best["pvalue_permutation"] > 0.05).all(), best
    again = rrho.rrho2(a, b, permutations=200, seed=1).best
    pd.testing.assert_series_equal(best["pvalue_permutation"], again["pvalue_permutation"])
    table = rrho.rrho2_table(rrho.rrho2(a, b, permutations=50, seed=1))
    assert table["pvalue_permutation"].notna().all() and (table["n_permutations"] == 50).all()


def test_zero_overlap_has_p_one_unlike_an_n_plus_one_population():
    """docs/rrho2.md's worked number: the demo NAc cell of the top 9 genes of one list
    against the bottom 9 of the other, no gene in both. The exact population gives p = 1;
    the RRHO2 R package's phyper(count - 1, a, n - a + 1, b) on the complements (a population
    of n + 1) gives -log10 p = 2.160."""
    n, a, b, count = 14409, 14400, 14400, 14391
    assert n - a - b + count == 0  # the complements (top 9, bottom 9) share nothing
    assert -math.log10(stats.hypergeom.sf(count - 1, n + 1, a, b)) == pytest.approx(2.160,
                                                                                    abs=5e-4)
    tails = rrho._neg_log10_sf(np.array([0]), n, np.array([9]), np.array([9]))
    assert tails[0] == 0.0
    assert -stats.hypergeom.logsf(count - 1, n, a, b) == pytest.approx(0.0, abs=1e-12)


# --- the tail p-value itself, against exact sums --------------------------------------


def _exact_neg_log10_sf(k: int, n: int, x: int, y: int) -> float:
    """-log10 P(X >= k) from mpmath at 60 digits: the tail on the far side of the mode
    summed term by term (P(X >= k) = 1 - P(X <= k - 1) at or below it, so p near 1 keeps
    its digits). Terms below 1e-50 of the sum are left off; past the mode each next one is
    smaller still."""
    mpmath = pytest.importorskip("mpmath")
    with mpmath.workdps(60):
        low, top = max(0, x + y - n), min(x, y)
        if k <= low:
            return 0.0
        if k > top:
            return math.inf
        mode = (x + 1) * (y + 1) // (n + 2)
        start, stop, step = (k, top + 1, 1) if k > mode else (k - 1, low - 1, -1)
        term = (mpmath.binomial(x, start) * mpmath.binomial(n - x, y - start)
                / mpmath.binomial(n, y))
        total = mpmath.mpf(0)
        for j in range(start, stop, step):
            total += term
            if term < total * mpmath.mpf(10) ** -50:
                break
            term *= (mpmath.mpf((x - j) * (y - j)) / ((j + 1) * (n - x - y + j + 1))
                     if step == 1 else mpmath.mpf(j * (n - x - y + j))
                     / ((x - j + 1) * (y - j + 1)))
        log_p = mpmath.log(total) if k > mode else mpmath.log1p(-total)
        return float(-log_p / mpmath.log(10))


def _tail_cells() -> list[tuple[int, int, int, int]]:
    """(k, n, x, y): hand-picked edges, then random cells in and around the bulk."""
    cells = [(k, 8, 4, 4) for k in range(6)]                    # the hand example's 17/70...
    cells += [(0, 100, 30, 40), (0, 50_000, 300, 400),           # k = 0: p = 1
              (300, 50_000, 300, 400), (299, 50_000, 300, 400),  # k = min(x, y): one term
              (25_000, 50_000, 25_000, 25_000),                  # p = 1 / C(50000, 25000)
              (500, 20_000, 1000, 1000), (2000, 50_000, 2000, 40_000),  # p < 1e-300
              (1, 50_000, 25_000, 25_000), (12_501, 50_000, 25_000, 25_000),  # p ~ 1, ~1/2
              (0, 100, 0, 50), (1, 100, 0, 50), (30, 100, 100, 30),  # x = 0, x = n
              (31, 100, 100, 30), (20, 100, 50, 100), (21, 50, 30, 41),  # y = n, k = low
              (22, 50, 30, 41), (1, 50_000, 1, 1), (1, 50_000, 49_999, 1),
              (49_998, 50_000, 49_999, 49_999)]
    rng = np.random.default_rng(5)
    for n in (20, 300, 5000, 18_000, 50_000):
        for _ in range(12):
            x, y = (int(v) for v in rng.integers(1, n, size=2))
            low, top = max(0, x + y - n), min(x, y)
            mode = (x + 1) * (y + 1) // (n + 2)
            sd = math.sqrt(x * y * (n - x) * (n - y) / (n ** 2 * max(n - 1, 1)))
            for k in (int(rng.integers(low, top + 1)), mode - 1, mode, mode + 1,
                      mode + round(3 * sd), mode - round(3 * sd), mode + round(12 * sd)):
                cells.append((min(max(k, low), top), n, x, y))
    return cells


def test_tail_pvalues_match_exact_sums():
    cells = _tail_cells()
    k, n_, x, y = (np.array(v) for v in zip(*cells))
    got = np.concatenate([rrho._neg_log10_sf(k[n_ == n], n, x[n_ == n], y[n_ == n])
                          for n in np.unique(n_)])
    order = np.concatenate([np.flatnonzero(n_ == n) for n in np.unique(n_)])
    exact = np.array([_exact_neg_log10_sf(*cells[i]) for i in order])
    assert np.isfinite(got[np.isfinite(exact)]).all()
    assert (got[~np.isfinite(exact)] == np.inf).all()
    assert (got[exact == 0] == 0).all()
    for value, truth, i in zip(got, exact, order):
        if np.isfinite(truth):
            assert abs(value - truth) <= 1e-11 * truth + 1e-300, (cells[i], value, truth)
    # the edges: p = 1 is exactly 0, a value past 1e300 is finite, and the p < 1e-300 cells
    assert exact[order.tolist().index(cells.index((25_000, 50_000, 25_000, 25_000)))] > 15_000
    assert (exact > 300).sum() >= 3 and (exact == 0).sum() >= 5
    assert ((exact > 0) & (exact < 1e-3)).sum() >= 5  # p just below 1


def test_log_factorials_are_scipys_to_the_bit():
    """The small-m branch of the pmf reads log(m!) from a table instead of importing scipy;
    the table must be exactly what scipy.special.gammaln gave there, or every map moves in
    its last digits."""
    m = np.arange(len(rrho._LOG_FACTORIAL))
    assert len(m) == 16
    np.testing.assert_array_equal(rrho._LOG_FACTORIAL, special.gammaln(m + 1.0))


def test_tail_pvalues_are_symmetric_in_the_two_tails():
    """P(X >= k) is the same with the two tail sizes swapped; the best-cell tie rule needs
    the two values to be equal to the last bit."""
    rng = np.random.default_rng(3)
    n = 18_000
    x, y = rng.integers(1, n, size=(2, 5000))
    k = rng.integers(np.maximum(0, x + y - n), np.minimum(x, y) + 1)
    np.testing.assert_array_equal(rrho._neg_log10_sf(k, n, x, y), rrho._neg_log10_sf(k, n, y, x))


def _scipy_neg_log10_sf(k, n, x, y):
    """-log10 P(X >= k) from scipy's hypergeom (boost), as rrho2 computed it before its own
    tail sum: sf, and logsf where sf loses its digits."""
    sf = stats.hypergeom.sf(k - 1, n, x, y)
    out = -np.log10(np.clip(sf, np.finfo(float).tiny, 1.0))
    tiny = sf < 1e-280
    out[tiny] = -stats.hypergeom.logsf(k[tiny] - 1, n, x[tiny], y[tiny]) / math.log(10)
    return np.maximum(out, 0.0)


@pytest.mark.parametrize("signal", [0.0, 0.3, 1.0])
def test_map_and_quadrant_pvalues_equal_scipys(monkeypatch, signal):
    """The whole result, map and permutation p-values, is what scipy's hypergeom gives:
    the map to 1e-12 relative, the p-values exactly (each cell's threshold overlap is the
    same integer)."""
    rng = np.random.default_rng(8)
    a = pd.Series(rng.normal(size=3000), index=np.arange(3000))
    b = pd.Series(signal * a.to_numpy() + rng.normal(size=3000), index=a.index)
    ours = rrho.rrho2(a, b, permutations=200, seed=2)
    monkeypatch.setattr(rrho, "_neg_log10_sf", _scipy_neg_log10_sf)
    monkeypatch.setattr(rrho, "_log_pmf", stats.hypergeom.logpmf)
    theirs = rrho.rrho2(a, b, permutations=200, seed=2)
    np.testing.assert_allclose(ours.log_p, theirs.log_p, rtol=1e-12, atol=1e-15)
    assert ours.log_p.max() > (40 if signal == 1 else 1)
    pd.testing.assert_frame_equal(ours.best.drop(columns="neg_log10_p"),
                                  theirs.best.drop(columns="neg_log10_p"))


def test_threshold_overlaps_equal_scipys(monkeypatch):
    """Each cell's least overlap reaching a level, as the permutation test finds it, is the
    same integer with scipy's hypergeom, over every cell of a 3000-gene grid."""
    a, b = _scores(3000, 4), _scores(3000, 5)
    result = rrho.rrho2(a, b)
    grid = rrho._Grid(result.thresholds_a, result.tails_a, result.thresholds_b,
                      result.tails_b, result.n_genes)
    x, y = grid.size_a.ravel(), grid.size_b.ravel()
    top = np.minimum(x, y)
    found = {}
    for name in ("ours", "scipy"):
        if name == "scipy":
            monkeypatch.setattr(rrho, "_neg_log10_sf", _scipy_neg_log10_sf)
            monkeypatch.setattr(rrho, "_log_pmf", stats.hypergeom.logpmf)
        for level in (0.3, 2.0, 7.5, 60.0):
            reach = rrho._neg_log10_sf(top, 3000, x, y) >= level
            found[name, level] = rrho._least_overlap_reaching(level, 3000, x[reach], y[reach],
                                                              top[reach])
    for level in (0.3, 2.0, 7.5, 60.0):
        assert len(found["ours", level]) > 1000
        np.testing.assert_array_equal(found["ours", level], found["scipy", level])
