"""Genes changed the same way by pain and by stress, and how unlikely that overlap is.

For one region and one significance definition (``sig_paper`` or ``sig_modern``):

* background: genes tested in both contrasts (a p-value in both tables);
* a gene is *shared* when it is significant in both and its log2FC has the same sign;
* the overlap test counts *signed genes*: each background gene has two slots (up, down),
  so the universe has 2N slots, the pain list fills ``n_pain`` of them and the stress
  list ``n_stress``. Under independent lists the number of slots in both, ``n_same``,
  is hypergeometric; the one-sided p is ``P(X >= n_same)`` (Fisher's exact test,
  ``alternative="greater"``, on the same 2×2 table, which also gives the odds ratio);
* sign concordance: of the ``n_both`` genes significant in both, how many agree in sign
  (binomial test against 1/2);
* pooled over regions: the same test with (region, gene) pairs as units; it also counts
  unique shared genes, the number the paper's "nearly 40" is about.

Benjamini–Hochberg across every row of the statistics table (all regions, the pooled
row, both definitions). Every p-value comes from ``scipy.stats``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

DEFINITIONS = ("paper", "modern")
GENE_COLUMNS = ["definition", "region", "GeneID", "symbol", "direction",
                "log2FC_pain", "pvalue_pain", "padj_pain",
                "log2FC_stress", "pvalue_stress", "padj_stress"]
STAT_COLUMNS = ["definition", "region", "n_background", "n_pain", "n_stress", "n_both",
                "n_same_direction", "n_opposite_direction", "n_unique_genes",
                "expected_same_direction", "odds_ratio", "jaccard", "pvalue",
                "padj", "sign_concordance_pvalue"]


def paired_table(pain: pd.DataFrame, stress: pd.DataFrame) -> pd.DataFrame:
    """Join two DE tables on GeneID over the background (p-value in both)."""
    keep = ["GeneID", "symbol", "log2FoldChange", "pvalue", "padj", "sig_paper", "sig_modern"]
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


def _counts(paired: pd.DataFrame, definition: str) -> dict[str, int]:
    in_pain = paired[f"sig_{definition}_pain"].astype(bool)
    in_stress = paired[f"sig_{definition}_stress"].astype(bool)
    both = in_pain & in_stress
    same_sign = np.sign(paired["log2FC_pain"]) == np.sign(paired["log2FC_stress"])
    return {"n_background": len(paired), "n_pain": int(in_pain.sum()),
            "n_stress": int(in_stress.sum()), "n_both": int(both.sum()),
            "n_same_direction": int((both & same_sign).sum()),
            "n_opposite_direction": int((both & ~same_sign).sum())}


def _row(definition: str, region: str, counts: dict[str, int], n_unique: int) -> dict:
    test = signed_overlap_test(counts["n_background"], counts["n_pain"],
                               counts["n_stress"], counts["n_same_direction"])
    concordance = (stats.binomtest(counts["n_same_direction"], counts["n_both"], 0.5,
                                   alternative="greater").pvalue
                   if counts["n_both"] else np.nan)
    return {"definition": definition, "region": region, **counts,
            "n_unique_genes": n_unique, **test, "sign_concordance_pvalue": concordance}


def shared_genes(paired: pd.DataFrame, definition: str) -> pd.DataFrame:
    """Genes significant in both contrasts with the same sign, strongest first."""
    both = paired[paired[f"sig_{definition}_pain"].astype(bool)
                  & paired[f"sig_{definition}_stress"].astype(bool)
                  & (np.sign(paired["log2FC_pain"]) == np.sign(paired["log2FC_stress"]))]
    both = both.assign(direction=np.where(both["log2FC_pain"] > 0, "up", "down"),
                       _worst=both[["pvalue_pain", "pvalue_stress"]].max(axis=1))
    return both.sort_values(["_worst", "GeneID"], kind="mergesort").drop(columns="_worst")


def overlap_tables(pairs: dict[str, tuple[pd.DataFrame, pd.DataFrame]],
                   definitions=DEFINITIONS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per region (and pooled) shared genes and overlap statistics.

    ``pairs`` maps region -> (pain DE table, stress DE table), tables as written by the
    DE stage. Returns (genes table with :data:`GENE_COLUMNS`, statistics table with
    :data:`STAT_COLUMNS`).
    """
    genes, rows = [], []
    for definition in definitions:
        pooled = {key: 0 for key in ("n_background", "n_pain", "n_stress", "n_both",
                                     "n_same_direction", "n_opposite_direction")}
        unique: set[int] = set()
        for region, (pain, stress) in pairs.items():
            paired = paired_table(pain, stress)
            counts = _counts(paired, definition)
            found = shared_genes(paired, definition).assign(definition=definition,
                                                            region=region)
            genes.append(found[GENE_COLUMNS])
            unique |= set(found["GeneID"])
            rows.append(_row(definition, region, counts, len(found)))
            pooled = {key: pooled[key] + counts[key] for key in pooled}
        if len(pairs) > 1:
            rows.append(_row(definition, "pooled", pooled, len(unique)))
    table = pd.DataFrame(rows)
    table["padj"] = stats.false_discovery_control(table["pvalue"].to_numpy(), method="bh")
    gene_table = (pd.concat(genes, ignore_index=True) if genes
                  else pd.DataFrame(columns=GENE_COLUMNS))
    return gene_table, table[STAT_COLUMNS]
