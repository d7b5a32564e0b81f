"""Threshold-free concordance of two DE lists: the four-quadrant RRHO2 map.

Rank-rank hypergeometric overlap (Plaisier et al. 2010, NAR 38:e169) in the stratified
form of Cahill et al. 2018 (Sci Rep 8:9588, "RRHO2"), written from the papers'
description; no code was taken from the (GPL) R packages.

* Each list is a signed score per gene, ``-log10(p) * sign(log2FC)``
  (:func:`signed_scores`). Only genes in both lists are used; they are the universe
  (``n_genes``) of every hypergeometric test.
* Each list is ranked most up first, most down last; ties in the score are broken by
  GeneID (ascending), so the ranking, and every number below, is deterministic.
* Each list is split where the score changes sign, into its *up* genes (score > 0) and
  its *down* genes (score < 0): "RRHO2 splits the heatmap by effect size direction
  (i.e., up-regulation/down-regulation) ... all up-regulated genes are on left and
  bottom; and down-regulated genes are on right and top" (the RRHO2 maintainer,
  GitHub RRHO2/RRHO2 issue #13; the package documents its map as correcting the
  "top left region (up in x and down in y)" and bottom right). Down-regulated genes
  are counted from the bottom of the list, not as the complement of the top (the
  change from RRHO that makes the discordant quadrants mean "up in one, down in the
  other"), so every cell tests the overlap of two *tails*. Genes whose score is
  exactly 0 (p = 1 or log2FC = 0) stay in the universe but in neither tail.
* Along each list, tails grow in steps of ``step`` genes from each end: up tails are the
  ``step, 2*step, ...`` most up genes and end with the whole up set; down tails likewise
  from the bottom. The default ``step`` is ``ceil(sqrt(n_genes))``, the default of the
  RRHO and RRHO2 R packages (their ``defaultStepSize``): 142 for 20,000 genes.
* Each cell tests one tail of A against one tail of B: with ``x`` genes in the A tail,
  ``y`` in the B tail and ``k`` in both, ``p = P(X >= k)`` for ``X`` hypergeometric
  (``n_genes`` genes, ``x`` marked, ``y`` drawn), summed from the hypergeometric pmf to
  about 12 digits (:func:`_neg_log10_sf`; scipy's ``hypergeom.sf`` agrees, but its cost
  per cell grows with ``n_genes``); the map holds ``-log10 p`` (one-sided,
  over-enrichment only; 0 means no excess overlap).
  Cell p-values are per-cell and uncorrected: the map's maximum is a search over the
  grid, not a p-value for the whole comparison.
* The quadrant p (``pvalue_permutation``, when ``permutations`` > 0) corrects for that
  search: B's gene labels are shuffled (each list keeps its scores, so the grid and every
  tail size stay the same and only the overlaps change), and the p is the share of
  shuffles whose best cell in that quadrant reaches the observed best ``-log10 p``,
  ``(1 + #null >= observed) / (1 + permutations)``. A cell's ``-log10 p`` grows with its
  overlap, so each cell is given the smallest overlap that would reach the observed
  maximum (found once, by bisection) and a shuffle only needs its overlap counts.

How this differs from the RRHO2 R package, and why, is written down in docs/rrho2.md.

The four quadrants, laid out as in Cahill 2018 Fig. 1 (A on the x axis from its up end
at the left to its down end at the right; B on the y axis from its up end at the
bottom to its down end at the top):

=============  ===================  =========================
quadrant       position on the map  genes counted
=============  ===================  =========================
``up_up``      lower left           up in A and up in B
``down_down``  upper right          down in A and down in B
``up_down``    upper left           up in A, down in B
``down_up``    lower right          down in A, up in B
=============  ===================  =========================
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

QUADRANTS = ("up_up", "down_down", "up_down", "down_up")
MIN_GENES = 5
# shuffles of B per batch, so a batch's count grids stay within a quarter million cells
# (2 MB: a batch's arrays then stay in cache; bigger batches were slower)
_BATCH_CELLS = 250_000
CELL_COLUMNS = ["quadrant", "tail_a", "tail_b", "threshold_a", "threshold_b", "n_a", "n_b",
                "overlap", "expected", "neg_log10_p", "pvalue_permutation", "n_permutations"]
BEST_COLUMNS = [*CELL_COLUMNS[:3], "index_a", "index_b", *CELL_COLUMNS[3:], "genes"]
TABLE_COLUMNS = [*CELL_COLUMNS, "GeneID", "score_a", "score_b", "rank_a", "rank_b"]


def signed_scores(de: pd.DataFrame) -> pd.Series:
    """-log10(pvalue) * sign(log2FoldChange), indexed by GeneID; genes with NA p dropped.

    ``de`` is a DE table as the DE stage writes it (columns ``GeneID``, ``log2FoldChange``,
    ``pvalue``). Genes with no p-value or no log2FC are dropped (they have no rank). A
    p-value of exactly 0 (underflow in the Wald test) is read as the smallest positive
    double, so the score stays finite and the gene ranks at the extreme of its side.
    Returns a float Series named ``score``.
    """
    missing = {"GeneID", "log2FoldChange", "pvalue"} - set(de.columns)
    if missing:
        raise ValueError(f"DE table lacks column(s) {sorted(missing)}; expected the DE "
                         "stage's table with GeneID, log2FoldChange and pvalue")
    data = de.dropna(subset=["pvalue", "log2FoldChange"])
    if data["GeneID"].duplicated().any():
        dup = data.loc[data["GeneID"].duplicated(), "GeneID"].iloc[0]
        raise ValueError(f"DE table has GeneID {dup} more than once; one row per gene "
                         "is needed to rank genes")
    p = data["pvalue"].to_numpy(dtype=float).clip(min=np.finfo(float).tiny)
    score = -np.log10(p) * np.sign(data["log2FoldChange"].to_numpy(dtype=float))
    # -log10(1) is -0.0 when log2FC < 0; a plain 0 keeps "neither up nor down" readable
    score = score + 0.0
    return pd.Series(score, index=pd.Index(data["GeneID"], name="GeneID"), name="score")


@dataclass
class RRHO2Result:
    """The RRHO2 map of lists A and B and its best cell per quadrant.

    Grid: ``log_p[i, j]`` is ``-log10 p`` of the cell pairing tail ``i`` of A with tail
    ``j`` of B (``overlap[i, j]`` genes in both). ``i`` runs along ``thresholds_a`` from
    A's up end to its down end, ``j`` along ``thresholds_b`` likewise, so drawn with i on
    the x axis and j upward on the y axis the map is Cahill 2018's Fig. 1. With
    ``ua = n_up_cells_a`` and ``ub = n_up_cells_b``:

    * ``log_p[:ua, :ub]``  up_up (lower left)
    * ``log_p[ua:, ub:]``  down_down (upper right)
    * ``log_p[:ua, ub:]``  up_down: up in A, down in B (upper left)
    * ``log_p[ua:, :ub]``  down_up: down in A, up in B (lower right)

    ``thresholds_a[i]`` is a cut position in A's ranking (0 = before the most up gene,
    ``n_genes`` = after the most down gene) and ``tails_a[i]`` says which side of it the
    tail lies: ``"up"`` = the genes ranked before the cut (``thresholds_a[i]`` genes),
    ``"down"`` = the genes ranked at or after it (``n_genes - thresholds_a[i]`` genes).
    Cuts increase with ``i``; the cut at the sign change appears twice when no gene
    scores 0 (once closing the whole up set, once opening the whole down set).
    ``ranking_a`` lists A's genes in rank order; ``scores_a`` / ``scores_b`` are the
    scores of the common genes.
    """

    thresholds_a: np.ndarray
    thresholds_b: np.ndarray
    tails_a: np.ndarray
    tails_b: np.ndarray
    log_p: np.ndarray
    overlap: np.ndarray
    n_genes: int
    step: int
    n_up_a: int
    n_down_a: int
    n_up_b: int
    n_down_b: int
    ranking_a: pd.Index
    ranking_b: pd.Index
    scores_a: pd.Series
    scores_b: pd.Series
    best: pd.DataFrame = field(repr=False)

    @property
    def n_up_cells_a(self) -> int:
        return int(np.sum(self.tails_a == "up"))

    @property
    def n_up_cells_b(self) -> int:
        return int(np.sum(self.tails_b == "up"))

    def best_genes(self, quadrant: str) -> list:
        """GeneIDs in the best cell of ``quadrant`` (one of :data:`QUADRANTS`), the genes
        most extreme in both lists first."""
        if quadrant not in QUADRANTS:
            raise ValueError(f"quadrant must be one of {QUADRANTS}, got {quadrant!r}")
        return list(self.best.set_index("quadrant").at[quadrant, "genes"])

    def map_grid(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The map for drawing: (x edges along A, y edges along B, values).

        ``values[r, c]`` (rows = B, upward; columns = A, rightward) is the cell spanning
        ranks ``x[c]..x[c+1]`` of A and ``y[r]..y[r+1]`` of B; an up tail's cell ends at
        its cut, a down tail's cell starts at its cut. A strip of genes scoring exactly
        0, if any, is NaN.
        """
        x, col = _cell_layout(self.thresholds_a, self.tails_a, self.n_genes)
        y, row = _cell_layout(self.thresholds_b, self.tails_b, self.n_genes)
        values = np.full((len(y) - 1, len(x) - 1), np.nan)
        values[np.ix_(row, col)] = self.log_p.T
        return x, y, values


def _cell_layout(thresholds: np.ndarray, tails: np.ndarray,
                 n: int) -> tuple[np.ndarray, np.ndarray]:
    edges = np.unique(np.concatenate([[0, n], thresholds]))
    # an up tail's cell is the last step before its cut, a down tail's the first after it
    cell = np.where(tails == "up", np.searchsorted(edges, thresholds) - 1,
                    np.searchsorted(edges, thresholds))
    return edges, cell


def _validate(scores_a: pd.Series, scores_b: pd.Series) -> tuple[pd.Series, pd.Series]:
    for name, scores in (("A", scores_a), ("B", scores_b)):
        if not isinstance(scores, pd.Series):
            raise ValueError(f"list {name} must be a pandas Series of scores indexed by "
                             f"GeneID, got {type(scores).__name__}")
        if scores.index.has_duplicates:
            dup = scores.index[scores.index.duplicated()][0]
            raise ValueError(f"list {name} has GeneID {dup} more than once")
        values = pd.to_numeric(scores, errors="coerce")
        if values.isna().any():
            raise ValueError(f"list {name} has {int(values.isna().sum())} missing or "
                             "non-numeric score(s); drop genes without a p-value first "
                             "(signed_scores does)")
    common = scores_a.index.intersection(scores_b.index, sort=False)
    if len(common) == 0:
        raise ValueError("lists A and B have no GeneID in common; are both indexed by "
                         "the same kind of gene identifier?")
    if len(common) < MIN_GENES:
        raise ValueError(f"only {len(common)} gene(s) in both lists; RRHO2 needs at least "
                         f"{MIN_GENES}")
    a = scores_a.loc[common].astype(float)
    b = scores_b.loc[common].astype(float)
    for name, scores in (("A", a), ("B", b)):
        if not (scores > 0).any() or not (scores < 0).any():
            raise ValueError(f"list {name} needs genes on both sides of 0 (up and down) "
                             "among the common genes to draw four quadrants")
    return a, b


def _ranking(scores: pd.Series) -> pd.Index:
    # most up first; equal scores in GeneID order
    order = np.lexsort((scores.index.to_numpy(), -scores.to_numpy()))
    return scores.index[order]


def _tails(n_up: int, n_down: int, n: int, step: int) -> tuple[np.ndarray, np.ndarray]:
    """Cut positions and tail sides along one list (see :class:`RRHO2Result`)."""
    def sizes(total: int) -> np.ndarray:
        return np.unique(np.append(np.arange(step, total + 1, step), total))

    up, down = sizes(n_up), sizes(n_down)
    cuts = np.concatenate([up, (n - down)[::-1]])
    tails = np.array(["up"] * len(up) + ["down"] * len(down))
    return cuts, tails


_LN10 = math.log(10)
_LOG_2PI = math.log(2 * math.pi)
# a tail sum stops once what is left of it is below this share of it (a quarter ulp)
_TAIL_EPS = np.finfo(float).eps / 4
# log(m!) for m = 0..15: scipy.special.gammaln(m + 1) to the bit (tests hold it to it),
# written out so that the module need not import scipy (a third of a second per job)
_LOG_FACTORIAL = np.array([
    0.0, 0.0, 0.6931471805599453, 1.791759469228055, 3.1780538303479458, 4.787491742782046,
    6.579251212010101, 8.525161361065415, 10.60460290274525, 12.801827480081469,
    15.104412573075516, 17.502307845873887, 19.987214495661885, 22.55216385312342,
    25.191221182738683, 27.899271383840894])


def _stirlerr(m: np.ndarray) -> np.ndarray:
    """log(m!) - log(sqrt(2 pi m) (m/e)^m) for integers m >= 1: Stirling's series above 15
    (Loader 2000, "Fast and accurate computation of binomial probabilities"), directly
    from log(m!) below, where the subtraction still keeps about 14 digits."""
    m = m.astype(float)
    mm = m * m
    series = (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - 1 / 1188 / mm) / mm) / mm) / mm) / m
    small = m <= 15
    direct = _LOG_FACTORIAL[m[small].astype(np.int64)] - (m[small] + 0.5) * np.log(m[small]) \
        + m[small] - 0.5 * _LOG_2PI
    series[small] = direct
    return series


def _bd0(k: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """k log(k / mean) + mean - k (the binomial deviance term), by a series that keeps its
    digits when k is near the mean (Loader 2000)."""
    out = k * np.log(k / mean) + mean - k
    near = np.abs(k - mean) < 0.1 * (k + mean)
    k, mean = k[near], mean[near]
    v = (k - mean) / (k + mean)  # |v| < 0.1: each term is 100 times below the last
    s, term, v2 = (k - mean) * v, 2 * k * v, v * v
    for j in range(1, 10):
        term = term * v2
        s = s + term / (2 * j + 1)
    out[near] = s
    return out


def _log_binom_pmf(k: np.ndarray, m: np.ndarray, p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """log P(K = k), K ~ binomial(m, p), q = 1 - p, 0 < p < 1, 0 <= k <= m, m >= 1, in
    Loader's saddle-point form: no large log-gammas cancel, so it keeps ~15 digits."""
    k, m = k.astype(float), m.astype(float)
    out = np.empty(k.shape)
    # k = 0 or m: m log q (m log p), written as the general form's terms so that the
    # rounding of p and q still cancels between the three pmfs of _log_pmf
    for end, p_end, q_end in ((k == 0, p, q), (k == m, q, p)):
        out[end] = -m[end] * p_end[end] - _bd0(m[end], m[end] * q_end[end])
    inner = (k > 0) & (k < m)
    k, m, p, q = k[inner], m[inner], p[inner], q[inner]
    out[inner] = (_stirlerr(m) - _stirlerr(k) - _stirlerr(m - k) - _bd0(k, m * p)
                  - _bd0(m - k, m * q) - 0.5 * (_LOG_2PI + np.log(k) + np.log1p(-k / m)))
    return out


def _log_pmf(k: np.ndarray, n: int, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """log P(X = k), X ~ hypergeom(n genes, x marked, y drawn), elementwise, for k in the
    support and 0 < x, y < n, to ~1e-15 absolute (scipy's hypergeom.logpmf, a sum of
    log-beta functions, loses up to ~1e-10 to cancellation at 50,000 genes).

    The pmf is a ratio of three binomial pmfs with the same p = y / n (Loader 2000; R's
    dhyper takes this route too): p cancels from it exactly, so its rounding does not
    matter. x and y are put in order first so that the result is exactly symmetric in
    them, as the pmf is (the best-cell tie rule compares mirror cells bit for bit).
    """
    k, x, y = np.broadcast_arrays(*(np.asarray(a, dtype=np.int64) for a in (k, x, y)))
    shape = k.shape
    k, x, y = k.ravel(), np.minimum(x, y).ravel(), np.maximum(x, y).ravel()
    p, q = y / n, (n - y) / n
    return (_log_binom_pmf(k, x, p, q) + _log_binom_pmf(y - k, n - x, p, q)
            - _log_binom_pmf(y, np.full(k.shape, n), p, q)).reshape(shape)


def _log_tail_sum(j: np.ndarray, n: int, x: np.ndarray, y: np.ndarray,
                  upward: bool) -> np.ndarray:
    """log of sum_i pmf(i) / pmf(j) over i >= j (``upward``) or i <= j, for j on the side
    of the mode the sum runs away from, so its terms shrink.

    Each term follows from the last by the pmf ratio; a cell stops when the terms left
    cannot change its sum: past j the ratios only shrink, so with ratio r < 1 to the next
    term, all the rest is at most term * r / (1 - r). Converged cells leave the working
    set, so the work is the number of terms each cell needs (about 9 standard deviations
    of X near the mode, a handful far from it).
    """
    out = np.zeros(len(j))
    cells = np.arange(len(j))
    j, x, y = (np.asarray(a, dtype=np.int64) for a in (j, x, y))
    rest = n - x - y
    term, total = np.ones(len(j)), np.ones(len(j))
    while len(cells):
        if upward:  # pmf(j + 1) / pmf(j)
            ratio = ((x - j) * (y - j)) / ((j + 1) * (rest + j + 1))
        else:  # pmf(j - 1) / pmf(j)
            ratio = (j * (rest + j)) / ((x - j + 1) * (y - j + 1))
        done = term * ratio <= _TAIL_EPS * total * (1 - ratio)
        out[cells[done]] = np.log(total[done])
        going = ~done
        cells, j, x, y, rest = cells[going], j[going], x[going], y[going], rest[going]
        term = term[going] * ratio[going]
        total = total[going] + term
        j = j + 1 if upward else j - 1
    return out


def _neg_log10_sf(k: np.ndarray, n: int, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """-log10 P(X >= k), X ~ hypergeom(n genes, x marked, y drawn), elementwise, to ~1e-12
    relative (tests hold it to 1e-11 of exact sums); exactly 0 for p = 1, inf for p = 0.

    The tail is summed from the pmf (:func:`_log_pmf`) in log space, so a p below the
    smallest double stays finite. Above the mode, P(X >= k) directly; at or below it,
    1 - P(X <= k - 1), with the lower tail summed downward and subtracted by log1p. Each
    sum runs away from the mode, where its terms shrink, and the lower tail below the mode
    is about a half at most (0.59 over every population of up to 70 genes), so the
    subtraction costs no digits and p near 1 keeps its small -log10 p exactly.

    scipy's hypergeom.sf (boost) gives the same numbers, but at a cost per cell that grows
    with n (pmfs by prime factorisation): 56 us at 18,000 genes, 133 us at 50,000, and a
    map has about as many cells as genes. The sum here costs a few ns per term.
    """
    k, x, y = np.broadcast_arrays(*(np.asarray(a, dtype=np.int64) for a in (k, x, y)))
    shape = k.shape
    k, x, y = k.ravel(), x.ravel(), y.ravel()
    low, top = np.maximum(0, x + y - n), np.minimum(x, y)
    mode = (x + 1) * (y + 1) // (n + 2)
    out = np.zeros(k.shape)
    out[k > top] = np.inf
    upper = np.flatnonzero((k > mode) & (k > low) & (k <= top))
    ku, xu, yu = k[upper], x[upper], y[upper]
    out[upper] = -(_log_pmf(ku, n, xu, yu)
                   + _log_tail_sum(ku, n, xu, yu, upward=True)) / _LN10
    lower = np.flatnonzero((k <= mode) & (k > low))
    kl, xl, yl = k[lower] - 1, x[lower], y[lower]
    log_below = _log_pmf(kl, n, xl, yl) + _log_tail_sum(kl, n, xl, yl, upward=False)
    out[lower] = -np.log1p(-np.exp(log_below)) / _LN10
    return np.maximum(out, 0.0).reshape(shape)


def rrho2(scores_a: pd.Series, scores_b: pd.Series, step: int | None = None, *,
          permutations: int = 0, seed: int | None = 0) -> RRHO2Result:
    """Genes in both series only. Ranks: most up first, most down last.

    ``scores_a`` and ``scores_b`` are signed scores indexed by GeneID (as from
    :func:`signed_scores`); genes in only one of them are left out. ``step`` is the
    number of genes between tail sizes, default ``ceil(sqrt(n_genes))``. Returns an
    :class:`RRHO2Result`; see the module docstring for the method and the class for the
    layout of the map. The best cell of a quadrant has its largest ``-log10 p``; among
    equal values, the one with the fewest genes in its two tails (nearest the corner),
    then the smaller A tail. With ``permutations`` > 0, each quadrant's best cell gets an
    empirical p from that many shuffles of B's gene labels (``seed`` makes them
    reproducible); otherwise ``pvalue_permutation`` is NaN. Raises ValueError on duplicated
    or missing GeneIDs, NaN scores, fewer than :data:`MIN_GENES` common genes, or a list
    with no up or no down genes.
    """
    a, b = _validate(scores_a, scores_b)
    n = len(a)
    if step is None:
        step = math.ceil(math.sqrt(n))
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or step < 1:
        raise ValueError(f"step must be a positive integer, got {step!r}")
    step = int(step)

    ranking_a, ranking_b = _ranking(a), _ranking(b)
    up_a, down_a = int((a > 0).sum()), int((a < 0).sum())
    up_b, down_b = int((b > 0).sum()), int((b < 0).sum())
    cuts_a, tails_a = _tails(up_a, down_a, n, step)
    cuts_b, tails_b = _tails(up_b, down_b, n, step)

    rank_b = pd.Series(np.arange(n), index=ranking_b).loc[ranking_a].to_numpy()
    grid = _Grid(cuts_a, tails_a, cuts_b, tails_b, n)
    overlap = grid.overlaps(rank_b)
    size_a, size_b = grid.size_a, grid.size_b
    log_p = _neg_log10_sf(overlap.ravel(), n, size_a.ravel(),
                          size_b.ravel()).reshape(overlap.shape)

    result = RRHO2Result(
        thresholds_a=cuts_a, thresholds_b=cuts_b, tails_a=tails_a, tails_b=tails_b,
        log_p=log_p, overlap=overlap, n_genes=n, step=step, n_up_a=up_a, n_down_a=down_a,
        n_up_b=up_b, n_down_b=down_b, ranking_a=ranking_a, ranking_b=ranking_b,
        scores_a=a, scores_b=b, best=pd.DataFrame(columns=BEST_COLUMNS))
    result.best = _best_cells(result, size_a, size_b)
    result.best["pvalue_permutation"] = (
        _quadrant_pvalues(result, grid, permutations, seed) if permutations else np.nan)
    result.best["n_permutations"] = permutations
    return result


class _Grid:
    """The tail/tail layout of a map: overlap counts of every cell for any ranking of B.

    A cell's overlap is ``offset + sign * F``, F the genes ranked before both of its cuts
    (:meth:`before`), by inclusion-exclusion: F (up/up), ``a - F`` (up/down), ``b - F``
    (down/up), ``n - a - b + F`` (down/down), with ``a`` and ``b`` the cuts.
    """

    def __init__(self, cuts_a, tails_a, cuts_b, tails_b, n: int):
        self.n = n
        edges_a = np.unique(np.concatenate([[0, n], cuts_a]))
        edges_b = np.unique(np.concatenate([[0, n], cuts_b]))
        self.shape = (len(edges_a) - 1, len(edges_b) - 1)
        # the histogram bin just before each cut (every cut is in 1..n-1, as both lists
        # have up and down genes, so there is one)
        self.at_a = np.searchsorted(edges_a, cuts_a) - 1
        self.at_b = np.searchsorted(edges_b, cuts_b) - 1
        # the histogram bin of every rank along each list; B's in the smallest integer
        # type that holds it, as shuffles move fewer bytes (the same shuffle whatever
        # the type)
        self.bin_a = np.searchsorted(edges_a, np.arange(n), side="right") - 1
        self.bin_b = (np.searchsorted(edges_b, np.arange(n), side="right") - 1).astype(
            np.min_scalar_type(self.shape[1] - 1))
        before_a, before_b = cuts_a[:, None], cuts_b[None, :]
        down_a, down_b = (tails_a == "down")[:, None], (tails_b == "down")[None, :]
        self.size_a = np.where(down_a, n - before_a, before_a) * np.ones_like(before_b)
        self.size_b = np.where(down_b, n - before_b, before_b) * np.ones_like(before_a)
        self.sign = np.where(down_a == down_b, 1, -1)
        self.offset = np.where(down_a, np.where(down_b, n - before_a - before_b, before_b),
                               np.where(down_b, before_a, 0))

    def before(self, bins_b: np.ndarray) -> np.ndarray:
        """(rankings x A cuts x B cuts) counts F of genes ranked before both cuts;
        ``bins_b[k, i]`` is the histogram bin of B's rank of A's ``i``-th gene in ranking
        ``k``: a 2-D histogram of the rank pairs over the cut edges, summed from the
        corner."""
        batch = len(bins_b)
        cells = self.shape[0] * self.shape[1]
        flat = np.add(bins_b, self.bin_a * self.shape[1], dtype=np.int64)
        flat += (np.arange(batch) * cells)[:, None]
        hist = np.bincount(flat.ravel(), minlength=batch * cells).reshape(batch, *self.shape)
        hist.cumsum(axis=1, out=hist)
        hist.cumsum(axis=2, out=hist)
        return hist[:, self.at_a[:, None], self.at_b]

    def overlaps(self, rank_b: np.ndarray) -> np.ndarray:
        """(A tails x B tails) overlap counts; ``rank_b[i]`` is B's rank of A's ``i``-th
        gene."""
        return self.offset + self.sign * self.before(self.bin_b[rank_b][None, :])[0]


def _quadrant_blocks(result: RRHO2Result) -> dict[str, tuple[slice, slice]]:
    ua, ub = result.n_up_cells_a, result.n_up_cells_b
    return {"up_up": (slice(0, ua), slice(0, ub)),
            "down_down": (slice(ua, None), slice(ub, None)),
            "up_down": (slice(0, ua), slice(ub, None)),
            "down_up": (slice(ua, None), slice(0, ub))}


def _least_overlap_reaching(level: float, n: int, x: np.ndarray, y: np.ndarray,
                            hi: np.ndarray) -> np.ndarray:
    """Per cell (``x`` and ``y`` genes in its tails), the smallest overlap whose
    ``-log10 P(X >= k)`` reaches ``level`` > 0, given an overlap ``hi`` that does.

    Bisection on k, which the p-value falls with, started from a bracket that costs only
    pmf evaluations: above the mode, ``pmf(k) <= P(X >= k) <= pmf(k) / (1 - r)`` with
    ``r = pmf(k + 1) / pmf(k)`` (the tail's ratios shrink, so a geometric series bounds it).
    """
    mode = np.floor((x + 1.0) * (y + 1.0) / (n + 2.0)).astype(np.int64)
    top = np.minimum(x, y).astype(np.int64)

    def neg_log10_pmf(k):
        return -_log_pmf(k, n, x, y) / _LN10

    def neg_log10_tail_bound(k):
        ratio = (x - k) * (y - k) / ((k + 1.0) * (n - x - y + k + 1.0))
        with np.errstate(divide="ignore", invalid="ignore"):
            return neg_log10_pmf(k) + np.log10(np.clip(1 - ratio, 0, 1))

    def first_reaching(value):  # smallest k in [mode, top + 1] with value(k) >= level
        lo, up = mode - 1, top + 1
        while (open_ := up - lo > 1).any():
            mid = (lo + up) // 2
            reaches = value(np.minimum(mid, top)) >= level
            up = np.where(open_ & reaches, mid, up)
            lo = np.where(open_ & ~reaches, mid, lo)
        return up

    # below the first k whose pmf alone is that small, P(X >= k) is larger (if above the
    # mode; at the mode, no lower bound: start from 0); from the first k whose geometric
    # bound is, P(X >= k) is smaller
    below = first_reaching(neg_log10_pmf) - 1
    lo = np.where(below >= mode, below, 0)
    hi = np.minimum(hi.astype(np.int64), first_reaching(neg_log10_tail_bound))
    lo = np.minimum(lo, hi - 1)
    while (open_ := hi - lo > 1).any():
        mid = (lo + hi)[open_] // 2
        reaches = _neg_log10_sf(mid, n, x[open_], y[open_]) >= level
        hi[open_] = np.where(reaches, mid, hi[open_])
        lo[open_] = np.where(reaches, lo[open_], mid)
    return hi


def _shuffled_before(grid: _Grid, permutations: int, seed: int | None):
    """Counts before both cuts (:meth:`_Grid.before`) of ``permutations`` shuffles of B's
    gene labels, in batches; the same shuffles on every call with the same seed.

    A shuffle gives A's genes B's ranks in a random order; the histogram only needs their
    bins, so the bins are shuffled directly (a shuffle's swaps do not depend on the values
    it moves).
    """
    rng = np.random.default_rng(seed)
    batch = max(1, _BATCH_CELLS // max(grid.n, grid.size_a.size))
    for start in range(0, permutations, batch):
        size = min(batch, permutations - start)
        yield grid.before(rng.permuted(np.broadcast_to(grid.bin_b, (size, grid.n)), axis=1))


def _quadrant_pvalues(result: RRHO2Result, grid: _Grid, permutations: int,
                      seed: int | None) -> np.ndarray:
    """Empirical p of each quadrant's best ``-log10 p`` under shuffles of B's gene labels,
    in the order of ``result.best``.

    Each cell is given its threshold, the least overlap that reaches the observed best
    (cells that cannot, even sharing the whole smaller tail, are out of reach); one pass
    over the shuffles then counts those that reach it in any cell of the quadrant.
    """
    blocks = _quadrant_blocks(result)
    observed = result.best.set_index("quadrant")["neg_log10_p"]
    need = {}
    for quadrant, block in blocks.items():
        if observed[quadrant] <= 0:
            continue  # no excess overlap anywhere: every shuffle matches it
        # a little slack, so that the observed cell itself counts as reaching its value
        level = observed[quadrant] - 1e-9 * max(1.0, observed[quadrant])
        x, y = grid.size_a[block], grid.size_b[block]
        top = np.minimum(x, y).astype(np.int64)
        threshold = top + 1  # out of reach
        reachable = _neg_log10_sf(top, grid.n, x, y) >= level
        threshold[reachable] = _least_overlap_reaching(level, grid.n, x[reachable],
                                                       y[reachable], top[reachable])
        # overlap = offset + sign * F >= threshold, put as a bound on F (sign is the same
        # over a quadrant), so shuffles need no overlap grid
        sign = int(grid.sign[block].flat[0])
        need[quadrant] = sign, sign * (threshold - grid.offset[block])
    reached = dict.fromkeys(need, 0)
    if need:
        for before in _shuffled_before(grid, permutations, seed):
            for quadrant, (sign, bound) in need.items():
                count = before[(slice(None), *blocks[quadrant])]
                hit = count >= bound if sign > 0 else count <= bound
                reached[quadrant] += int(hit.any(axis=(1, 2)).sum())
    return np.array([(1 + reached[q]) / (1 + permutations) if q in need else 1.0
                     for q in result.best["quadrant"]])


def _tail_genes(ranking: pd.Index, cut: int, tail: str) -> pd.Index:
    return ranking[:cut] if tail == "up" else ranking[cut:]


def _best_cells(result: RRHO2Result, size_a: np.ndarray, size_b: np.ndarray) -> pd.DataFrame:
    blocks = _quadrant_blocks(result)
    n = result.n_genes
    pos_a = pd.Series(np.arange(n), index=result.ranking_a)
    pos_b = pd.Series(np.arange(n), index=result.ranking_b)
    rows = []
    for quadrant in QUADRANTS:
        rows_i, cols_j = blocks[quadrant]
        i_idx = np.arange(len(result.thresholds_a))[rows_i]
        j_idx = np.arange(len(result.thresholds_b))[cols_j]
        ii, jj = np.meshgrid(i_idx, j_idx, indexing="ij")
        ii, jj = ii.ravel(), jj.ravel()
        # most significant; among equals the smallest tails (closest to the corner)
        order = np.lexsort((size_b[ii, jj], size_a[ii, jj], size_a[ii, jj] + size_b[ii, jj],
                            -result.log_p[ii, jj]))
        i, j = int(ii[order[0]]), int(jj[order[0]])
        tail_a, tail_b = result.tails_a[i], result.tails_b[j]
        in_a = _tail_genes(result.ranking_a, int(result.thresholds_a[i]), tail_a)
        in_b = _tail_genes(result.ranking_b, int(result.thresholds_b[j]), tail_b)
        genes = in_a.intersection(in_b, sort=False)
        # most extreme in both first: distance from each tail's own end, summed
        depth_a = pos_a.loc[genes] if tail_a == "up" else n - 1 - pos_a.loc[genes]
        depth_b = pos_b.loc[genes] if tail_b == "up" else n - 1 - pos_b.loc[genes]
        depth = (depth_a.to_numpy() + depth_b.to_numpy())
        genes = genes[np.lexsort((genes.to_numpy(), depth))] if len(genes) else genes
        rows.append({"quadrant": quadrant, "tail_a": tail_a, "tail_b": tail_b,
                     "index_a": i, "index_b": j,
                     "threshold_a": int(result.thresholds_a[i]),
                     "threshold_b": int(result.thresholds_b[j]),
                     "n_a": int(size_a[i, j]), "n_b": int(size_b[i, j]),
                     "overlap": int(result.overlap[i, j]),
                     "expected": size_a[i, j] * size_b[i, j] / n,
                     "neg_log10_p": float(result.log_p[i, j]), "genes": list(genes)})
    return pd.DataFrame(rows, columns=BEST_COLUMNS)


def rrho2_table(result: RRHO2Result) -> pd.DataFrame:
    """The best cell of each quadrant as a tidy table, one row per (quadrant, gene).

    Columns :data:`TABLE_COLUMNS`: the cell (tails, cuts, tail sizes ``n_a``/``n_b``,
    overlap, expected overlap, ``-log10 p``) repeated on each of its genes, with the
    gene's scores and 0-based ranks (most up = 0) in A and B. A quadrant whose best cell
    holds no gene keeps one row with GeneID missing, so every quadrant is reported.
    """
    pos_a = pd.Series(np.arange(result.n_genes), index=result.ranking_a)
    pos_b = pd.Series(np.arange(result.n_genes), index=result.ranking_b)
    parts = []
    for _, cell in result.best.iterrows():
        genes = list(cell["genes"])
        frame = pd.DataFrame({"GeneID": genes or [pd.NA]})
        for column in CELL_COLUMNS:
            frame[column] = cell[column]
        if genes:
            frame["score_a"] = result.scores_a.loc[genes].to_numpy()
            frame["score_b"] = result.scores_b.loc[genes].to_numpy()
            frame["rank_a"] = pos_a.loc[genes].to_numpy()
            frame["rank_b"] = pos_b.loc[genes].to_numpy()
        parts.append(frame.reindex(columns=TABLE_COLUMNS))
    return pd.concat(parts, ignore_index=True)
