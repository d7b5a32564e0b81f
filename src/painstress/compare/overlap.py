"""Genes changed the same way by pain and by stress, and how unlikely that overlap is.

For one region and one significance definition (``sig_paper`` or ``sig_modern``):

* background: genes tested in both contrasts (a p-value in both tables);
* a gene is *shared* when it is significant in both and its log2FC has the same sign.

Two questions, two tests, both in every row:

* **Direction** (``direction_pvalue``): of the ``n_both`` genes significant in both, do
  more change the same way than each list's own up/down balance predicts? With ``u_pain``
  and ``u_stress`` the shares of up genes in the two lists, a gene significant in both agrees
  by chance with probability ``u_pain * u_stress + (1 - u_pain) * (1 - u_stress)``
  (``expected_same_share``); the one-sided exact binomial p is ``P(X >= n_same)``. Pooled,
  ``X`` is the sum of the regions' binomials (their convolution). This is the test of the
  paper's question (do pain and stress change genes the same way?): it does not reject when
  genes are significant in both but half go the other way. (``sign_concordance_pvalue`` is
  the older binomial test against 1/2, which ignores the lists' balance.)
* **Co-significance** (``pvalue``): are there more same-direction genes than two independent
  lists would share? It counts *signed genes*: each background gene has two slots (up,
  down), so the universe has 2N slots, the pain list fills ``n_pain`` of them and the
  stress list ``n_stress``; ``n_same`` is hypergeometric under independence and the
  one-sided p is ``P(X >= n_same)`` (Fisher's exact test, ``alternative="greater"``, on
  the same 2x2 table, which also gives the odds ratio). It is small whenever many genes are
  significant in both, whichever way they change.

Permutation nulls (:func:`permutation_null`), where the analytic ones do not hold: the
power to call a gene depends on its expression, and the same genes recur in every region.
The stress calls are moved to other genes by one random shuffle of gene labels *within
expression bins* (quantiles of the gene's mean log baseMean), the same shuffle in every
region, so the pooled null keeps the dependence between regions. ``pvalue_permutation``
is the empirical p of ``n_same``; ``direction_pvalue_permutation`` that of the direction
statistic (the same-direction excess over ``expected_same_share``, in binomial standard
deviations). Empirical p = (1 + #null >= observed) / (1 + permutations).

``verdict`` says in words what the row shows (at :data:`ALPHA`; a test counts as
rejecting when its BH padj and, if computed, its permutation p are both below it):
``same direction``, ``significant in both, but not in the same direction``, or ``no more
genes significant in both than chance``.

Pooled rows use (region, gene) pairs as units; they also count unique shared genes, the
number the paper's "nearly 40" is about. Benjamini–Hochberg across every row of the
statistics table, separately for each analytic test. Every analytic p-value comes from
``scipy.stats``.
"""

from __future__ import annotations

from painstress import lazy_module

np = lazy_module("numpy")
pd = lazy_module("pandas")
stats = lazy_module("scipy.stats")

DEFINITIONS = ("paper", "modern")
# the level at which ``verdict`` puts a row's tests into words
ALPHA = 0.05
VERDICTS = ("same direction", "significant in both, but not in the same direction",
            "no more genes significant in both than chance")
# shuffles x genes per chunk of permutations: bounds the memory the shuffles take
_CHUNK_CELLS = 4_000_000
GENE_COLUMNS = ["definition", "region", "GeneID", "symbol", "direction",
                "log2FC_pain", "pvalue_pain", "padj_pain",
                "log2FC_stress", "pvalue_stress", "padj_stress"]
STAT_COLUMNS = ["definition", "region", "n_background", "n_pain", "n_stress", "n_both",
                "n_same_direction", "n_opposite_direction", "n_unique_genes", "verdict",
                "n_pain_up", "n_stress_up", "expected_same_share",
                "expected_same_given_both", "direction_pvalue", "direction_padj",
                "direction_pvalue_permutation",
                "expected_same_direction", "odds_ratio", "jaccard", "pvalue",
                "padj", "pvalue_permutation", "padj_family", "sign_concordance_pvalue",
                "n_permutations", "expression_bins"]


def paired_table(pain: pd.DataFrame, stress: pd.DataFrame) -> pd.DataFrame:
    """Join two DE tables on GeneID over the background (p-value in both)."""
    keep = ["GeneID", "symbol", "baseMean", "log2FoldChange", "pvalue", "padj", "sig_paper",
            "sig_modern"]
    joined = pain[keep].merge(stress[keep].drop(columns="symbol"), on="GeneID",
                              suffixes=("_pain", "_stress"))
    joined = joined.dropna(subset=["pvalue_pain", "pvalue_stress"])
    return joined.rename(columns={"log2FoldChange_pain": "log2FC_pain",
                                  "log2FoldChange_stress": "log2FC_stress"})


def signed_overlap_test(n_background: int, n_pain: int, n_stress: int,
                        n_same: int) -> dict[str, float]:
    """One-sided overlap test of two signed gene lists over ``2 * n_background`` slots."""
    slots = 2 * n_background
    table = [[n_same, n_pain - n_same],
             [n_stress - n_same, slots - n_pain - n_stress + n_same]]
    odds_ratio, pvalue = stats.fisher_exact(table, alternative="greater")
    union = n_pain + n_stress - n_same
    return {"expected_same_direction": n_pain * n_stress / slots if slots else np.nan,
            "odds_ratio": float(odds_ratio), "pvalue": float(pvalue),
            "jaccard": n_same / union if union else 0.0}


def same_share(n_pain: int, n_pain_up: int, n_stress: int, n_stress_up: int) -> float:
    """Chance that a gene significant in both lists changes the same way in both, from each
    list's share of up genes: ``u_a * u_b + (1 - u_a) * (1 - u_b)``; NaN for an empty list."""
    if not n_pain or not n_stress:
        return np.nan
    up_a, up_b = n_pain_up / n_pain, n_stress_up / n_stress
    return up_a * up_b + (1 - up_a) * (1 - up_b)


def direction_test(n_same: int, parts: list[tuple[int, float]]) -> float:
    """One-sided exact p of ``n_same`` same-direction genes among the genes significant in
    both, ``P(X >= n_same)`` with ``X`` the sum of independent ``Binomial(n_both, share)``
    over ``parts`` (one part per region; pooled rows have several, convolved exactly).
    NaN when no gene is significant in both."""
    parts = [(n, share) for n, share in parts if n]
    if not parts:
        return np.nan
    if len(parts) == 1:
        (n, share), = parts
        return float(stats.binom.sf(n_same - 1, n, share))
    pmf = np.ones(1)
    for n, share in parts:
        pmf = np.convolve(pmf, stats.binom.pmf(np.arange(n + 1), n, share))
    return float(min(1.0, pmf[n_same:].sum()))


def _states(paired: pd.DataFrame, definition: str) -> tuple[np.ndarray, np.ndarray]:
    """Per gene of ``paired``: +1 / -1 when significant up / down, 0 otherwise, for the
    pain and the stress list."""
    def state(side: str) -> np.ndarray:
        sig = paired[f"sig_{definition}_{side}"].astype(bool).to_numpy()
        return np.where(sig, np.sign(paired[f"log2FC_{side}"].to_numpy()), 0).astype(np.int8)

    return state("pain"), state("stress")


def _counts(pain: np.ndarray, stress: np.ndarray) -> dict[str, int]:
    both = (pain != 0) & (stress != 0)
    same = both & (pain == stress)
    return {"n_background": len(pain), "n_pain": int((pain != 0).sum()),
            "n_stress": int((stress != 0).sum()), "n_both": int(both.sum()),
            "n_same_direction": int(same.sum()),
            "n_opposite_direction": int((both & ~same).sum()),
            "n_pain_up": int((pain > 0).sum()), "n_stress_up": int((stress > 0).sum())}


def expression_bins(expression: np.ndarray, n_bins: int) -> np.ndarray:
    """Quantile bin (0 .. ``n_bins`` - 1) of each value, by rank (ties in input order)."""
    ranks = np.empty(len(expression), dtype=np.int64)
    ranks[np.argsort(expression, kind="stable")] = np.arange(len(expression))
    return ranks * n_bins // max(len(expression), 1)


def permutation_null(pain: np.ndarray, stress: np.ndarray, bins: np.ndarray, *,
                     permutations: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Same-direction and both-significant counts when the stress calls are shuffled among
    genes of the same bin.

    ``pain`` and ``stress`` are (regions x genes) arrays of +1 / -1 / 0 (significant up,
    down, neither; 0 also where a gene is outside a region's background), one column per
    gene in every region; ``bins`` gives each gene's expression bin. Each permutation is
    one within-bin shuffle of the gene labels of ``stress``, applied to every region.
    Returns (same, both), each (permutations x regions): per permutation and region, the
    genes significant in both with the same sign, and all genes significant in both.
    Reproducible: the shuffles come from ``numpy.random.default_rng(seed)``.
    """
    n_genes = pain.shape[1]
    rng = np.random.default_rng(seed)
    by_bin = np.argsort(bins, kind="stable")  # genes grouped by bin
    edges = np.flatnonzero(np.diff(bins[by_bin])) + 1
    groups = np.split(np.arange(n_genes), edges)  # positions of each bin in by_bin
    position = np.empty(n_genes, dtype=np.int64)
    position[by_bin] = np.arange(n_genes)
    # only the genes the pain list calls matter for the counts
    called = [np.flatnonzero(row) for row in pain]
    same = np.zeros((permutations, len(pain)), dtype=np.int64)
    both = np.zeros_like(same)
    chunk = max(1, _CHUNK_CELLS // max(n_genes, 1))
    for start in range(0, permutations, chunk):
        size = min(chunk, permutations - start)
        # shuffled[k, p]: the gene whose stress call lands on the p-th gene of by_bin
        shuffled = np.empty((size, n_genes), dtype=np.int64)
        for group in groups:
            shuffled[:, group] = rng.permuted(np.broadcast_to(by_bin[group], (size, len(group))),
                                              axis=1)
        for r, genes in enumerate(called):
            moved = stress[r][shuffled[:, position[genes]]]  # size x called genes
            both[start:start + size, r] = (moved != 0).sum(axis=1)
            same[start:start + size, r] = (moved == pain[r, genes]).sum(axis=1)
    return same, both


def empirical_pvalue(null: np.ndarray, observed: float) -> float:
    """(1 + #null >= observed) / (1 + n), the permutation p that is never 0."""
    return float((1 + np.sum(null >= observed - 1e-9)) / (1 + len(null)))


def _direction_excess(same, both, share) -> np.ndarray:
    """Same-direction genes above the chance count, in binomial standard deviations
    (0 when no gene is significant in both); sums run over the last axis (regions)."""
    same, both = np.asarray(same, float), np.asarray(both, float)
    expected = (both * share).sum(axis=-1)
    sd = np.sqrt((both * share * (1 - share)).sum(axis=-1))
    return np.divide(same.sum(axis=-1) - expected, sd, out=np.zeros_like(expected),
                     where=sd > 0)


def _row(definition: str, region: str, counts: dict[str, int], n_unique: int,
         shares: np.ndarray, shares_both: np.ndarray) -> dict:
    test = signed_overlap_test(counts["n_background"], counts["n_pain"],
                               counts["n_stress"], counts["n_same_direction"])
    concordance = (stats.binomtest(counts["n_same_direction"], counts["n_both"], 0.5,
                                   alternative="greater").pvalue
                   if counts["n_both"] else np.nan)
    parts = list(zip(shares_both.tolist(), shares.tolist()))
    expected = float(sum(n * share for n, share in parts if n))
    return {"definition": definition, "region": region, **counts,
            "n_unique_genes": n_unique,
            "expected_same_share": (expected / counts["n_both"] if counts["n_both"]
                                    else same_share(counts["n_pain"], counts["n_pain_up"],
                                                    counts["n_stress"],
                                                    counts["n_stress_up"])),
            "expected_same_given_both": expected,
            "direction_pvalue": direction_test(counts["n_same_direction"], parts),
            **test, "sign_concordance_pvalue": concordance}


def shared_genes(paired: pd.DataFrame, definition: str) -> pd.DataFrame:
    """Genes significant in both contrasts with the same sign, strongest first."""
    both = paired[paired[f"sig_{definition}_pain"].astype(bool)
                  & paired[f"sig_{definition}_stress"].astype(bool)
                  & (np.sign(paired["log2FC_pain"]) == np.sign(paired["log2FC_stress"]))]
    both = both.assign(direction=np.where(both["log2FC_pain"] > 0, "up", "down"),
                       _worst=both[["pvalue_pain", "pvalue_stress"]].max(axis=1))
    return both.sort_values(["_worst", "GeneID"], kind="mergesort").drop(columns="_worst")


def _gene_matrix(paired: dict[str, pd.DataFrame]) -> tuple[np.ndarray, np.ndarray]:
    """The genes of every region's background (sorted GeneIDs) and, per gene, its mean log
    expression over regions and both contrasts (log1p baseMean): the binning variable."""
    frames = [p[["GeneID"]].assign(level=(np.log1p(p["baseMean_pain"])
                                          + np.log1p(p["baseMean_stress"])) / 2)
              for p in paired.values()]
    level = pd.concat(frames).groupby("GeneID")["level"].mean().sort_index()
    if level.isna().any():
        gene = level.index[level.isna()][0]
        raise ValueError(f"GeneID {gene} has no baseMean in the DE tables; the permutation "
                         "null bins genes by expression")
    return level.index.to_numpy(), level.to_numpy()


def _verdict(row: pd.Series) -> str:
    def rejects(padj, permutation) -> bool:
        return bool(padj < ALPHA and (np.isnan(permutation) or permutation < ALPHA))

    if rejects(row["direction_padj"], row["direction_pvalue_permutation"]):
        return VERDICTS[0]
    if rejects(row["padj"], row["pvalue_permutation"]):
        return VERDICTS[1]
    return VERDICTS[2]


def _bh(pvalues: pd.Series) -> pd.Series:
    """Benjamini–Hochberg over the p-values that exist (NaN stays NaN)."""
    out = pd.Series(np.nan, index=pvalues.index)
    known = pvalues.notna()
    if known.any():
        out[known] = stats.false_discovery_control(pvalues[known].to_numpy(), method="bh")
    return out


def overlap_tables(pairs: dict[str, tuple[pd.DataFrame, pd.DataFrame]],
                   definitions=DEFINITIONS, *, permutations: int = 0, bins: int = 20,
                   seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per region (and pooled) shared genes and overlap statistics: the only place the pain
    x stress overlap is tested.

    ``pairs`` maps region -> (pain DE table, stress DE table), tables as written by the
    DE stage. ``padj`` and ``direction_padj`` are Benjamini–Hochberg over every row
    (definitions x regions and pooled), the family named in ``padj_family``.
    ``permutations`` within-bin shuffles (``bins`` expression bins, ``seed``) give the
    permutation p-values; with 0 they are left empty. Returns (genes table with
    :data:`GENE_COLUMNS`, statistics table with :data:`STAT_COLUMNS`).
    """
    paired = {region: paired_table(pain, stress) for region, (pain, stress) in pairs.items()}
    gene_ids, level = _gene_matrix(paired) if paired else (np.array([]), np.array([]))
    genes, rows = [], []
    for definition in definitions:
        # (regions x genes) calls, 0 outside a region's background
        calls = np.zeros((2, len(paired), len(gene_ids)), dtype=np.int8)
        unique: set[int] = set()
        region_counts = []
        for r, (region, table) in enumerate(paired.items()):
            columns = np.searchsorted(gene_ids, table["GeneID"].to_numpy())
            calls[0, r, columns], calls[1, r, columns] = _states(table, definition)
            counts = _counts(*(side[r, columns] for side in calls))
            region_counts.append(counts)
            found = shared_genes(table, definition).assign(definition=definition,
                                                           region=region)
            genes.append(found[GENE_COLUMNS])
            unique |= set(found["GeneID"])
        shares = np.array([same_share(c["n_pain"], c["n_pain_up"], c["n_stress"],
                                      c["n_stress_up"]) for c in region_counts])
        both = np.array([c["n_both"] for c in region_counts])
        same = np.array([c["n_same_direction"] for c in region_counts])
        null = (permutation_null(calls[0], calls[1], expression_bins(level, bins),
                                 permutations=permutations, seed=seed)
                if permutations else None)
        scopes = [(region, [r]) for r, region in enumerate(paired)]
        if len(paired) > 1:
            scopes.append(("pooled", list(range(len(paired)))))
        for region, members in scopes:
            if region == "pooled":
                counts = {key: sum(c[key] for c in region_counts)
                          for key in region_counts[0]}
                n_unique = len(unique)
            else:  # a region's shared genes are its same-direction genes
                counts = region_counts[members[0]]
                n_unique = counts["n_same_direction"]
            row = _row(definition, region, counts, n_unique, shares[members], both[members])
            row["pvalue_permutation"] = row["direction_pvalue_permutation"] = np.nan
            if null is not None:
                null_same, null_both = null[0][:, members], null[1][:, members]
                row["pvalue_permutation"] = empirical_pvalue(null_same.sum(axis=1),
                                                             counts["n_same_direction"])
                # regions with no gene significant in both add nothing to the excess
                share = np.nan_to_num(shares[members])
                row["direction_pvalue_permutation"] = empirical_pvalue(
                    _direction_excess(null_same, null_both, share),
                    float(_direction_excess(same[members], both[members], share)))
            rows.append(row)
    table = pd.DataFrame(rows)
    table["padj"] = _bh(table["pvalue"])
    table["direction_padj"] = _bh(table["direction_pvalue"])
    # the one family of the pain x stress tests, said in the table itself
    table["padj_family"] = f"BH over the {len(table)} rows of this table"
    table["n_permutations"] = permutations
    table["expression_bins"] = bins if permutations else 0
    table["verdict"] = table.apply(_verdict, axis=1)
    gene_table = (pd.concat(genes, ignore_index=True) if genes
                  else pd.DataFrame(columns=GENE_COLUMNS))
    return gene_table, table[STAT_COLUMNS]


# ----------------------------------------------------------------------------- signatures
#
# A pain contrast against a *signature*: either another DE contrast of this workflow
# (per region, e.g. the same study's CUS vs control, or another GEO study's contrast;
# its list is its significant genes under the same definition, its background the genes
# tested in it) or a gene set from a file (region-agnostic; signed when every gene has a
# direction, undirected when none has; its background is the pain contrast's).

SIGNATURE_TEST_COLUMNS = [
    "definition", "region", "signature", "kind", "n_background", "n_pain", "n_signature",
    "n_overlap", "n_same_direction", "n_opposite_direction", "expected_overlap",
    "odds_ratio", "jaccard", "pvalue", "padj", "sign_concordance_pvalue"]


def list_overlap_test(pain: pd.Series, signature: pd.Series, n_background: int) -> dict:
    """Overlap of a pain gene list with a signature over ``n_background`` units.

    ``pain`` and ``signature`` map unit (a GeneID, or a (region, GeneID) pair when pooled)
    to direction: +1 / -1, or 0 for an undirected signature (then every entry is 0).
    Both must hold units of the background only. Signed signatures use the 2N-slot test of
    :func:`signed_overlap_test` (an overlap counts when the directions agree); undirected
    ones Fisher's exact test on the 2x2 table of N genes. One-sided, over-representation.
    """
    directed = (signature != 0).to_numpy()
    if directed.any() and not directed.all():
        raise ValueError("a signature must give a direction for every gene or for none")
    common = pain.index.intersection(signature.index)
    agree = int((pain[common] == signature[common]).sum())
    n_pain, n_sig = len(pain), len(signature)
    row = {"n_background": n_background, "n_pain": n_pain, "n_signature": n_sig,
           "n_overlap": len(common)}
    if directed.all() and n_sig:
        test = signed_overlap_test(n_background, n_pain, n_sig, agree)
        concordance = (stats.binomtest(agree, len(common), 0.5, alternative="greater").pvalue
                       if len(common) else np.nan)
        return {**row, "kind": "signed", "n_same_direction": agree,
                "n_opposite_direction": len(common) - agree,
                "expected_overlap": test["expected_same_direction"],
                "odds_ratio": test["odds_ratio"], "jaccard": test["jaccard"],
                "pvalue": test["pvalue"], "sign_concordance_pvalue": concordance}
    n_overlap = len(common)
    table = [[n_overlap, n_pain - n_overlap],
             [n_sig - n_overlap, n_background - n_pain - n_sig + n_overlap]]
    odds_ratio, pvalue = stats.fisher_exact(table, alternative="greater")
    union = n_pain + n_sig - n_overlap
    return {**row, "kind": "undirected", "n_same_direction": np.nan,
            "n_opposite_direction": np.nan,
            "expected_overlap": n_pain * n_sig / n_background if n_background else np.nan,
            "odds_ratio": float(odds_ratio), "jaccard": n_overlap / union if union else 0.0,
            "pvalue": float(pvalue), "sign_concordance_pvalue": np.nan}


def _significant(de: pd.DataFrame, definition: str) -> pd.Series:
    """GeneID -> sign of log2FC of the genes significant under ``definition``."""
    sig = de[de[f"sig_{definition}"].astype(bool)]
    return pd.Series(np.sign(sig["log2FoldChange"]).astype(int).to_numpy(),
                     index=sig["GeneID"].to_numpy())


def _tested(de: pd.DataFrame) -> pd.Index:
    return pd.Index(de.loc[de["pvalue"].notna(), "GeneID"])


def _per_region_lists(pain_de: pd.DataFrame, signature, region: str, definition: str):
    """(pain list, signature list, background) of one region, or None when the signature
    has no table for that region."""
    if isinstance(signature, dict):  # a contrast: region -> DE table
        if region not in signature:
            return None
        background = _tested(pain_de).intersection(_tested(signature[region]))
        sig = _significant(signature[region], definition)
    else:  # a gene set: GeneID -> direction
        background = _tested(pain_de)
        sig = signature
    pain = _significant(pain_de, definition)
    return (pain[pain.index.isin(background)], sig[sig.index.isin(background)],
            len(background))


def signature_tests(pain: dict[str, pd.DataFrame], signatures: dict,
                    definitions=DEFINITIONS) -> pd.DataFrame:
    """Every pain contrast (per region and pooled) against every signature.

    ``pain`` maps region -> pain DE table. ``signatures`` maps name -> either a dict
    region -> DE table (a contrast of this workflow) or a Series GeneID -> direction
    (+1/-1, or 0 throughout for an undirected set). Pooled rows use (region, GeneID)
    pairs as units over the regions the signature covers. Benjamini–Hochberg across
    every row. Returns :data:`SIGNATURE_TEST_COLUMNS`.
    """
    rows = []
    for definition in definitions:
        for name, signature in signatures.items():
            pooled_pain, pooled_sig, pooled_n = [], [], 0
            for region, pain_de in pain.items():
                lists = _per_region_lists(pain_de, signature, region, definition)
                if lists is None:
                    continue
                pain_list, sig_list, n_background = lists
                rows.append({"definition": definition, "region": region, "signature": name,
                             **list_overlap_test(pain_list, sig_list, n_background)})
                pooled_pain.append(_keyed(pain_list, region))
                pooled_sig.append(_keyed(sig_list, region))
                pooled_n += n_background
            if len(pooled_pain) > 1:
                rows.append({"definition": definition, "region": "pooled", "signature": name,
                             **list_overlap_test(pd.concat(pooled_pain),
                                                 pd.concat(pooled_sig), pooled_n)})
    table = pd.DataFrame(rows, columns=SIGNATURE_TEST_COLUMNS)
    if len(table):
        table["padj"] = stats.false_discovery_control(table["pvalue"].to_numpy(), method="bh")
    return table[SIGNATURE_TEST_COLUMNS]


def _keyed(series: pd.Series, region: str) -> pd.Series:
    return pd.Series(series.to_numpy(),
                     index=pd.MultiIndex.from_arrays([[region] * len(series), series.index]))


# ----------------------------------------------------------------------------- gene table


def pain_stress_genes(pairs: dict[str, tuple[pd.DataFrame, pd.DataFrame]],
                      names: tuple[str, str], memberships: pd.DataFrame | None = None,
                      definitions=DEFINITIONS) -> pd.DataFrame:
    """The shared-gene table: every gene shared (significant in both contrasts, same sign)
    in at least one region under at least one definition.

    ``pairs`` maps region -> (pain DE table, stress DE table); ``names`` are the two
    contrasts' names (column labels). ``memberships`` (signature, GeneID, label) adds one
    column per signature holding its label for the gene (e.g. ``up``), empty otherwise.
    Per region: log2FC, p and padj in both contrasts, and ``direction`` when shared there.
    Sorted strongest first: shared in most regions (modern, then paper definition), then
    by the smallest over regions of the larger of the two p-values, then GeneID.
    """
    pain_name, stress_name = names
    per_region, shared = [], {d: {} for d in definitions}
    for region, (pain, stress) in pairs.items():
        paired = paired_table(pain, stress)
        for definition in definitions:
            found = shared_genes(paired, definition)
            shared[definition][region] = dict(zip(found["GeneID"], found["direction"]))
        per_region.append(paired.assign(region=region))
    everything = pd.concat(per_region, ignore_index=True)
    genes = sorted({g for d in shared.values() for found in d.values() for g in found})
    table = pd.DataFrame({"GeneID": genes})
    symbols = everything.drop_duplicates("GeneID").set_index("GeneID")["symbol"]
    table["symbol"] = table["GeneID"].map(symbols)
    for definition in definitions:
        regions = [[r for r in pairs if g in shared[definition][r]] for g in genes]
        table[f"n_regions_{definition}"] = [len(r) for r in regions]
        table[f"regions_{definition}"] = [",".join(r) for r in regions]
    worst = everything.assign(worst=everything[["pvalue_pain", "pvalue_stress"]].max(axis=1))
    table["best_worse_pvalue"] = table["GeneID"].map(worst.groupby("GeneID")["worst"].min())
    for region in pairs:
        values = everything[everything["region"] == region].set_index("GeneID")
        for column, label in [("log2FC_pain", f"{pain_name}_log2FC"),
                              ("pvalue_pain", f"{pain_name}_pvalue"),
                              ("padj_pain", f"{pain_name}_padj"),
                              ("log2FC_stress", f"{stress_name}_log2FC"),
                              ("pvalue_stress", f"{stress_name}_pvalue"),
                              ("padj_stress", f"{stress_name}_padj")]:
            table[f"{region}_{label}"] = table["GeneID"].map(values[column])
        direction = {**shared[definitions[-1]][region], **shared[definitions[0]][region]}
        table[f"{region}_direction"] = table["GeneID"].map(direction).fillna("")
    if memberships is not None:
        for name, members in memberships.groupby("signature", sort=False):
            table[f"signature_{name}"] = (table["GeneID"]
                                          .map(members.set_index("GeneID")["label"])
                                          .fillna(""))
    by = [*(f"n_regions_{d}" for d in reversed(definitions)), "best_worse_pvalue", "GeneID"]
    return table.sort_values(by, ascending=[False] * len(definitions) + [True, True],
                             kind="mergesort").reset_index(drop=True)


def memberships(signatures: dict, definition: str = "modern") -> pd.DataFrame:
    """(signature, GeneID, label) for the gene table: a gene set's genes labelled ``up``,
    ``down`` or ``member``; a contrast's significant genes labelled with their direction
    and the regions where they are significant (``up: NAc,mPFC``)."""
    words = {1: "up", -1: "down", 0: "member"}
    rows = []
    for name, signature in signatures.items():
        if isinstance(signature, dict):
            found: dict[int, dict[str, list[str]]] = {}
            for region, de in signature.items():
                for gene, sign in _significant(de, definition).items():
                    found.setdefault(gene, {}).setdefault(words[sign], []).append(region)
            for gene, by_direction in found.items():
                label = "; ".join(f"{d}: {','.join(r)}" for d, r in sorted(by_direction.items()))
                rows.append((name, gene, label))
        else:
            rows += [(name, gene, words[int(sign)]) for gene, sign in signature.items()]
    return pd.DataFrame(rows, columns=["signature", "GeneID", "label"])


def shared_count_summary(stats_table: pd.DataFrame, thresholds, reported: dict | None
                         ) -> pd.DataFrame:
    """How many genes each definition calls shared, per region and pooled, next to the
    number the paper reported (``reported``: count, wording, source; or None); ``rule``
    says each definition in words (:func:`painstress.settings.significance_rule`)."""
    from painstress.settings import significance_rule

    rules = {definition: f"{significance_rule(thresholds, definition, long=True)} in both, "
             "same direction" for definition in DEFINITIONS}
    rows = []
    for definition, group in stats_table.groupby("definition", sort=False):
        row = {"definition": definition, "rule": rules[definition]}
        for _, stat in group.iterrows():
            row[f"n_shared_{stat['region']}"] = int(stat["n_unique_genes"])
        rows.append(row)
    table = pd.DataFrame(rows)
    if reported:
        table["reported_in_paper"] = reported.get("count")
        table["reported_wording"] = reported.get("wording", "")
        table["reported_source"] = reported.get("source", "")
    return table
