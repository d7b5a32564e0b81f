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
                "padj", "padj_family", "sign_concordance_pvalue"]


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
    """Per region (and pooled) shared genes and overlap statistics: the only place the pain
    x stress overlap is tested.

    ``pairs`` maps region -> (pain DE table, stress DE table), tables as written by the
    DE stage. ``padj`` is Benjamini–Hochberg over every row (definitions x regions and
    pooled), the family named in ``padj_family``. Returns (genes table with
    :data:`GENE_COLUMNS`, statistics table with :data:`STAT_COLUMNS`).
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
    # the one family of the pain x stress tests, said in the table itself
    table["padj_family"] = f"BH over the {len(table)} rows of this table"
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
    number the paper reported (``reported``: count, wording, source; or None)."""
    rules = {"paper": (f"p < {thresholds.paper_pvalue} and fold change >= "
                       f"{thresholds.paper_fold_change} in both, same direction"),
             "modern": f"padj < {thresholds.modern_padj} in both (BH), same direction"}
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
