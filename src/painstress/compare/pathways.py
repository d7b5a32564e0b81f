"""Pathway analysis: which gene sets the shared genes fall in, and which move in each contrast.

Gene sets come as *collections*: ``{collection: {set id: {mouse symbol, ...}}}`` (e.g.
``{"GO_BP": {...}, "Reactome": {...}, "Hallmark": {...}}``), with an optional
``{set id: readable name}``; :func:`painstress.data.genesets.read_gmt` reads one GMT
file into that form.

* **Over-representation (ORA)** of a gene list against an explicit background (for the
  shared genes: the genes tested in both contrasts). Each set is first restricted to the
  background, then kept only if its restricted size is within ``[min_size, max_size]``.
  One-sided hypergeometric test (``P(X >= overlap)``, the same p as Fisher's exact test,
  ``alternative="greater"``), sample odds ratio as :func:`scipy.stats.fisher_exact` gives
  it, and Benjamini–Hochberg within each collection of each analysis (one gene list, one
  background): collections are separate questions, so they are separate families.
  Computed with :mod:`scipy.stats` directly: ``gseapy.enrich`` uses the same
  hypergeometric p but skips sets without overlap before BH (a smaller family, so smaller
  padj), applies no size limits and reports a Haldane-corrected odds ratio.
* **Preranked GSEA** of one DE table, threshold-free, with ``gseapy.prerank`` (Rust core).
  Genes are ranked by the DESeq2 Wald ``stat`` (log2FC / lfcSE): signed, continuous and
  without the ties and infinities of signed −log10 p (p underflows to 0 for the strongest
  genes and piles up near 1 for the rest), and the Wald p is a monotone function of
  ``|stat|`` anyway, so nothing is lost. The default ``method="multilevel"`` (the fgsea
  algorithm) gives p-values well below 1/permutations, and padj is BH over the sets of
  one collection; ``method="permutation"`` is the classic GSEA (gene-set permutations,
  the GSEA FDR q-value as padj), 20-30 times slower.
* **Themes**: where the paper's themes (inflammation/immune response, chromatin and histone
  acetylation, signalling pathways) do and do not show up among the significant terms.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from painstress import InputError, lazy_module
from painstress.compare.overlap import paired_table
from painstress.data import genesets

stats = lazy_module("scipy.stats")  # only the ORA needs it: set and theme jobs load no scipy

MIN_SIZE, MAX_SIZE = 10, 500
ORA_COLUMNS = ["definition", "region", "direction", "collection", "term", "name",
               "n_background", "set_size", "n_genes", "overlap", "expected", "odds_ratio",
               "pvalue", "padj", "genes"]
GSEA_COLUMNS = ["contrast", "region", "collection", "term", "name", "n_ranked", "set_size",
                "es", "nes", "pvalue", "padj", "leading_edge_size", "genes"]
THEME_COLUMNS = ["theme", "analysis", "definition", "contrast", "region", "direction",
                 "status", "collection", "term", "name", "padj", "effect", "effect_kind",
                 "genes", "n_matching_terms", "n_significant_terms"]

# Regexes on term names (case-insensitive; underscores read as spaces so MSigDB names such
# as HALLMARK_TNFA_SIGNALING_VIA_NFKB match too). "acetyl" alone would catch acetylcholine.
DEFAULT_THEMES: dict[str, list[str]] = {
    "inflammation / immune response": [
        r"inflamm", r"immun", r"cytokine", r"chemokine", r"interleukin", r"interferon",
        r"\bTNF", r"NF-?\s?kappa\s?B|\bNFKB", r"toll-like", r"leukocyte", r"lymphocyte",
        r"\b[TB][ -]cell", r"macrophage", r"microglia", r"\bcomplement\b", r"antigen",
        r"defen[cs]e response"],
    "chromatin / histone acetylation": [
        r"chromatin", r"histone", r"acetyltransferase", r"deacetylase", r"\bacetylation\b",
        r"\bHDAC", r"nucleosome", r"bromodomain"],
    "signalling pathways": [
        r"signal+ing", r"\bMAPK", r"\bERK[12]?\b", r"kinase cascade", r"\bWnt\b", r"\bTGF",
        r"\bPI3K", r"\bAKT\b", r"\bmTOR", r"\bcAMP\b", r"\bJAK\b", r"\bSTAT\d?\b",
        r"\bNotch\b", r"hedgehog"],
}


# ----------------------------------------------------------------------------- gene sets


COLLECTION_COLUMNS = ["collection", "term", "name", "symbol"]


def collections_table(collections: dict[str, dict[str, set[str]]],
                      names: dict[str, str] | None = None) -> pd.DataFrame:
    """Collections as one long table (:data:`COLLECTION_COLUMNS`, one row per gene of a set),
    sorted, for a file between rules; :func:`collections_from_table` reads it back."""
    names = names or {}
    rows = [(collection, term, names.get(term, term), symbol)
            for collection, sets in collections.items()
            for term in sorted(sets) for symbol in sorted(sets[term])]
    return pd.DataFrame(rows, columns=COLLECTION_COLUMNS)


def collections_from_table(table: pd.DataFrame
                           ) -> tuple[dict[str, dict[str, set[str]]], dict[str, str]]:
    """(collections, names) from :func:`collections_table`'s table, collections in order."""
    collections: dict[str, dict[str, set[str]]] = {}
    for (collection, term), genes in table.groupby(["collection", "term"], sort=False):
        collections.setdefault(collection, {})[term] = set(genes["symbol"].astype(str))
    names = dict(zip(table["term"], table["name"]))
    return collections, names


MAPPING_COLUMNS = ["collection", "files", "detail", "n_sets", "n_genes", "n_mapped",
                   "mapping_rate", "symbols"]


def collection_mapping(collections: dict[str, dict[str, set[str]]], universe: set[str],
                       files: dict[str, list[str]],
                       details: dict[str, str] | None = None) -> pd.DataFrame:
    """How well each collection's genes match the study's genes (:data:`MAPPING_COLUMNS`).

    In: collections as read (before any size limit); ``universe``: the study's gene
    symbols; ``files``: collection -> its source file names; ``details``: collection ->
    what was read from them (e.g. GO's term and annotation counts). Out: one row per
    collection: its files (``; ``-joined), detail, sets, distinct genes, genes among the
    study's, their share and what the symbols look like
    (:func:`painstress.data.genesets.symbol_style`).
    """
    details = details or {}
    rows = []
    for collection, sets in collections.items():
        genes = set().union(*sets.values()) if sets else set()
        mapped = len(genes & universe)
        rows.append([collection, "; ".join(files.get(collection, [])),
                     details.get(collection, ""), len(sets), len(genes), mapped,
                     mapped / len(genes) if genes else 0.0, genesets.symbol_style(genes)])
    return pd.DataFrame(rows, columns=MAPPING_COLUMNS)


def check_mapping(mapping: pd.DataFrame, collections: dict[str, dict[str, set[str]]],
                  universe: set[str], min_mapped: float) -> None:
    """InputError for the first collection of :func:`collection_mapping`'s table with fewer
    than ``min_mapped`` of its genes among the study's (a collection of another organism
    or another id type would otherwise give no test at all and no warning)."""
    for row in mapping.itertuples(index=False):
        if row.mapping_rate >= min_mapped:
            continue
        genes = set().union(*collections[row.collection].values())
        hint = genesets.style_hint(genes, universe, "collection")
        raise InputError(
            f"{row.files}: only {row.n_mapped} of the {row.n_genes} genes of the "
            f"{row.collection} collection ({row.mapping_rate:.0%}) are genes of this study "
            f"(pathways.min_mapped: {min_mapped:g}); {hint}. Give the collection of the "
            "study's organism with gene symbols (MSigDB mouse: *.Mm.symbols.gmt; GO: the "
            "organism's GAF), or lower pathways.min_mapped if so few are expected.")


def gene_pathways(ora: pd.DataFrame, padj_threshold: float = 0.05, max_terms: int = 3,
                  definition: str = "modern") -> pd.Series:
    """symbol -> its top significant ORA terms (pooled shared genes, all directions, one
    definition; the smallest padj first, at most ``max_terms``), as ``name [collection];
    …``, for the shared-gene table."""
    chosen = ora[(ora["definition"] == definition) & (ora["region"] == "pooled")
                 & (ora["direction"] == "all") & (ora["padj"] < padj_threshold)]
    if chosen.empty:  # a single region: no pooled rows
        regions = ora.loc[ora["definition"] == definition, "region"].unique()
        if len(regions) == 1:
            chosen = ora[(ora["definition"] == definition) & (ora["direction"] == "all")
                         & (ora["padj"] < padj_threshold)]
    chosen = chosen.sort_values(["padj", "pvalue", "term"], kind="mergesort")
    found: dict[str, list[str]] = {}
    for _, row in chosen.iterrows():
        for gene in str(row["genes"]).split(","):
            gene = gene.strip()
            if gene and len(found.setdefault(gene, [])) < max_terms:
                found[gene].append(f"{row['name']} [{row['collection']}]")
    return pd.Series({gene: "; ".join(terms) for gene, terms in found.items()}, dtype=str)


def restrict_sets(sets: dict[str, set[str]], universe, min_size: int = MIN_SIZE,
                  max_size: int = MAX_SIZE) -> dict[str, frozenset[str]]:
    """Each set cut down to ``universe``; only sets whose cut size is in
    ``[min_size, max_size]`` are kept."""
    universe = universe if isinstance(universe, (set, frozenset)) else set(universe)
    kept = {}
    for term, genes in sets.items():
        inside = frozenset(genes) & universe
        if min_size <= len(inside) <= max_size:
            kept[term] = inside
    return kept


def _bh(pvalues) -> np.ndarray:
    pvalues = np.asarray(pvalues, dtype=float)
    return stats.false_discovery_control(pvalues, method="bh") if len(pvalues) else pvalues


def _join(genes) -> str:
    return ",".join(sorted(genes))


# ----------------------------------------------------------------------------- ORA


def ora(genes, background, collections: dict[str, dict[str, set[str]]],
        names: dict[str, str] | None = None, *, min_size: int = MIN_SIZE,
        max_size: int = MAX_SIZE) -> pd.DataFrame:
    """Over-representation of ``genes`` (mouse symbols) in every set of every collection.

    ``background``: the symbols that could have been in the list (genes outside it are
    dropped from the list too). Sets are restricted to the background and filtered by size
    (:func:`restrict_sets`) before testing. Returns one row per tested set: collection,
    term, name, n_background, set_size (after restriction), n_genes (list size in the
    background), overlap, expected, odds_ratio, pvalue (hypergeometric, ``P(X >= overlap)``),
    padj (BH within the collection), genes (overlap, comma-separated), sorted by
    collection, pvalue, term.
    """
    universe = set(background)
    restricted = {name: restrict_sets(sets, universe, min_size, max_size)
                  for name, sets in collections.items()}
    return _ora(set(genes) & universe, len(universe), restricted, names or {})


def _ora(listed: set[str], n_total: int, restricted: dict[str, dict[str, frozenset[str]]],
         names: dict[str, str]) -> pd.DataFrame:
    """:func:`ora` on sets already restricted to the background (``listed`` too)."""
    n_list = len(listed)
    tables = []
    for collection, kept in restricted.items():
        terms = sorted(kept)
        hits = [kept[t] & listed for t in terms]
        size = np.array([len(kept[t]) for t in terms], dtype=float)
        overlap = np.array([len(h) for h in hits], dtype=float)
        # P(X >= overlap) for X ~ hypergeometric(n_total, set size, list size)
        pvalue = np.clip(stats.hypergeom.sf(overlap - 1, n_total, size, n_list), 0.0, 1.0)
        a, b, c = overlap, n_list - overlap, size - overlap
        d = n_total - n_list - size + overlap
        with np.errstate(divide="ignore", invalid="ignore"):
            odds = (a * d) / (b * c)  # sample odds ratio, as scipy.stats.fisher_exact
        tables.append(pd.DataFrame({
            "collection": collection, "term": terms,
            "name": [names.get(t, t) for t in terms],
            "n_background": n_total, "set_size": size.astype(int), "n_genes": n_list,
            "overlap": overlap.astype(int),
            "expected": size * n_list / n_total if n_total else np.nan,
            "odds_ratio": odds, "pvalue": pvalue, "padj": _bh(pvalue),
            "genes": [_join(h) for h in hits]}))
    columns = ORA_COLUMNS[3:]
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    if table.empty:
        return pd.DataFrame(columns=columns)
    return table.sort_values(["collection", "pvalue", "term"], kind="mergesort",
                             ignore_index=True)[columns]


def background_symbols(pain: pd.DataFrame, stress: pd.DataFrame) -> set[str]:
    """Symbols of the genes tested in both contrasts (a p-value in both DE tables), the
    background of the shared-gene ORA of one region."""
    symbols = paired_table(pain, stress)["symbol"].dropna().astype(str)
    return set(symbols[symbols != ""])


def shared_gene_ora(shared: pd.DataFrame, backgrounds: dict[str, set[str]],
                    collections: dict[str, dict[str, set[str]]],
                    names: dict[str, str] | None = None, *, definitions=None,
                    directions=("all",), pooled: bool = True, min_size: int = MIN_SIZE,
                    max_size: int = MAX_SIZE) -> pd.DataFrame:
    """ORA of the shared genes, per definition, region (and pooled) and direction.

    ``shared``: the shared-gene table of :func:`painstress.compare.overlap.overlap_tables`
    (its GENE_COLUMNS: definition, region, symbol, direction, …). ``backgrounds``: region ->
    symbols tested in both contrasts (:func:`background_symbols`); the regions run in this
    order. ``directions``: any of ``all`` (up and down together), ``up``, ``down``.
    ``pooled``: also the unique shared genes over all regions against the union of the
    backgrounds (with two regions or more). Every (definition, region, direction) is
    tested even when its list is empty (then p = 1 throughout), so that later tables can
    say a theme is absent there. Returns :data:`ORA_COLUMNS`; BH within each collection of
    each (definition, region, direction).
    """
    definitions = definitions or list(dict.fromkeys(shared["definition"]))
    for direction in directions:
        if direction not in ("all", "up", "down"):
            raise ValueError(f"direction must be all, up or down, not {direction!r}")
    regions = list(backgrounds)
    if pooled and len(regions) > 1:
        regions.append("pooled")
    universe = {r: set(b) for r, b in backgrounds.items()}
    universe["pooled"] = set().union(*backgrounds.values()) if backgrounds else set()
    # restrict the sets once per region, not once per definition and direction
    restricted = {region: {name: restrict_sets(sets, universe[region], min_size, max_size)
                           for name, sets in collections.items()} for region in regions}
    shared = shared[shared["symbol"].notna()]
    tables = []
    for definition in definitions:
        rows = shared[shared["definition"] == definition]
        for region in regions:
            here = rows if region == "pooled" else rows[rows["region"] == region]
            for direction in directions:
                chosen = here if direction == "all" else here[here["direction"] == direction]
                listed = set(chosen["symbol"].astype(str)) & universe[region]
                result = _ora(listed, len(universe[region]), restricted[region], names or {})
                tables.append(result.assign(definition=definition, region=region,
                                            direction=direction))
    if not tables:
        return pd.DataFrame(columns=ORA_COLUMNS)
    return pd.concat(tables, ignore_index=True)[ORA_COLUMNS]


# ----------------------------------------------------------------------------- GSEA


def ranking(de: pd.DataFrame) -> pd.Series:
    """The preranked list of one DE table: symbol -> Wald ``stat``, highest first.

    Dropped: genes without a stat, without a p-value (not tested, or flagged as a count
    outlier, whose stat is not trusted) or without a symbol. A symbol on several genes
    keeps the gene with the highest baseMean (then the lowest GeneID): chosen without
    looking at the statistic, so duplicates do not pull the list towards its ends. Ties
    in ``stat`` are ordered by symbol, so the order never depends on the input order.
    """
    table = de.dropna(subset=["stat", "pvalue", "symbol"])
    table = table[table["symbol"].astype(str) != ""]
    table = table.sort_values(["baseMean", "GeneID"], ascending=[False, True],
                              kind="mergesort").drop_duplicates("symbol")
    table = table.assign(symbol=table["symbol"].astype(str)).sort_values(
        ["stat", "symbol"], ascending=[False, True], kind="mergesort")
    return pd.Series(table["stat"].to_numpy(dtype=float), index=table["symbol"].to_numpy(),
                     name="stat")


def gsea_prerank(de: pd.DataFrame, collections: dict[str, dict[str, set[str]]],
                 names: dict[str, str] | None = None, *, min_size: int = MIN_SIZE,
                 max_size: int = MAX_SIZE, permutations: int = 1000, seed: int = 2017,
                 threads: int = 1, method: str = "multilevel") -> pd.DataFrame:
    """Preranked GSEA of one DE table (``gseapy.prerank``, classic weight 1) per collection.

    The list is :func:`ranking` (Wald stat). Sets are restricted to the ranked genes and
    filtered by size as in ORA. ``method``: ``multilevel`` (fgsea; ``permutations``
    gene-set permutations normalise the NES, p-values go down to 1e-50, padj is BH within
    the collection) or ``permutation`` (classic GSEA; p-values no smaller than
    1/permutations, padj is the GSEA FDR q-value within the collection). A p-value of 0
    means below those floors. Same ``seed``, same input -> same numbers (any ``threads``).

    Returns one row per tested set: collection, term, name, n_ranked, set_size, es, nes,
    pvalue, padj, leading_edge_size, genes (leading edge, comma-separated, in rank order
    from the end the set is enriched at), sorted by collection, pvalue, term.
    """
    import gseapy  # only here: the ORA half of this module does not need it

    if method not in ("multilevel", "permutation"):
        raise ValueError(f"method must be multilevel or permutation, not {method!r}")
    ranked = ranking(de)
    names = names or {}
    tables = []
    for collection, sets in collections.items():
        # < n_ranked: a set holding every ranked gene has no enrichment score
        kept = {t: sorted(g) for t, g in restrict_sets(sets, ranked.index, min_size,
                                                       max_size).items()
                if len(g) < len(ranked)}
        if not kept:
            continue
        # ascending=None: gseapy takes the order of `ranked` as it is (already sorted,
        # with ties broken by symbol), instead of re-sorting with an unstable sort
        result = gseapy.prerank(ranked, kept, min_size=min_size, max_size=max_size,
                                permutation_num=permutations, ascending=None,
                                threads=threads, seed=seed, method=method, no_plot=True,
                                outdir=None, verbose=False).res2d
        lead = result["Lead_genes"].fillna("").astype(str)
        tables.append(pd.DataFrame({
            "collection": collection, "term": result["Term"].astype(str),
            "name": [names.get(t, t) for t in result["Term"].astype(str)],
            "n_ranked": len(ranked),
            "set_size": [len(kept[t]) for t in result["Term"].astype(str)],
            "es": result["ES"].astype(float), "nes": result["NES"].astype(float),
            "pvalue": result["NOM p-val"].astype(float),
            "padj": result["FDR q-val"].astype(float),
            "leading_edge_size": [len(x.split(";")) if x else 0 for x in lead],
            "genes": lead.str.replace(";", ",", regex=False)}))
    columns = GSEA_COLUMNS[2:]
    if not tables:
        return pd.DataFrame(columns=columns)
    table = pd.concat(tables, ignore_index=True)
    return table.sort_values(["collection", "pvalue", "term"], kind="mergesort",
                             ignore_index=True)[columns]


def gsea_tables(tables: dict[tuple[str, str], pd.DataFrame],
                collections: dict[str, dict[str, set[str]]],
                names: dict[str, str] | None = None, **options) -> pd.DataFrame:
    """:func:`gsea_prerank` of several DE tables, keyed ``(contrast, region)`` (e.g.
    ``("SNI_vs_sham", "NAc")``), in one long table with :data:`GSEA_COLUMNS`. ``options``
    go to :func:`gsea_prerank`."""
    results = [gsea_prerank(de, collections, names, **options).assign(contrast=contrast,
                                                                     region=region)
               for (contrast, region), de in tables.items()]
    if not results:
        return pd.DataFrame(columns=GSEA_COLUMNS)
    return pd.concat(results, ignore_index=True)[GSEA_COLUMNS]


# ----------------------------------------------------------------------------- themes


def _matches(table: pd.DataFrame, patterns: list[str]) -> pd.Series:
    """Rows whose name (or term id) matches any pattern; underscores read as spaces."""
    if table.empty:
        return pd.Series(False, index=table.index)
    regex = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    text = (table["name"].fillna("").astype(str) + " | " + table["term"].astype(str))
    return text.str.replace("_", " ", regex=False).map(lambda s: bool(regex.search(s)))


def _contexts(table: pd.DataFrame, analysis: str):
    keys = ["definition", "region", "direction"] if analysis == "ora" else ["contrast",
                                                                           "region"]
    for values, group in table.groupby(keys, sort=False):
        yield dict(zip(keys, values)), group


def themes_table(ora: pd.DataFrame | None = None, gsea: pd.DataFrame | None = None,
                 themes: dict[str, list[str]] | None = None, *,
                 padj_threshold: float = 0.05) -> pd.DataFrame:
    """Where each theme shows up among the significant terms, and where it does not.

    ``ora``: :data:`ORA_COLUMNS` (e.g. :func:`shared_gene_ora`); ``gsea``:
    :data:`GSEA_COLUMNS`; either may be None. ``themes``: theme -> regexes matched
    (case-insensitive) on term names and ids (default :data:`DEFAULT_THEMES`).

    For every theme and every analysis context (ORA: definition, region, direction; GSEA:
    contrast, region) the result holds one row per matching term with ``padj <
    padj_threshold`` (``status`` ``found``; ``genes`` are the overlap or leading-edge genes
    that carry it; ``effect`` the odds ratio or NES; GSEA ``direction`` is ``up`` for a
    positive NES), or a single ``none found`` row whose ``genes`` column is empty. Both kinds
    count the matching terms tested there (``n_matching_terms``), so "no term of the theme
    was tested" stays apart from "tested, none significant". Returns
    :data:`THEME_COLUMNS`, in theme order, then analysis, context, padj.
    """
    themes = DEFAULT_THEMES if themes is None else themes
    inputs = [(name, table) for name, table in (("ora", ora), ("gsea", gsea))
              if table is not None]
    inputs = [(name, table.reset_index(drop=True)) for name, table in inputs]
    rows = []
    for theme, patterns in themes.items():
        for analysis, table in inputs:
            is_match = _matches(table, patterns)
            for context, group in _contexts(table, analysis):
                matching = group[is_match[group.index]]
                hits = matching[matching["padj"] < padj_threshold].sort_values(
                    ["padj", "term"], kind="mergesort")
                base = {"theme": theme, "analysis": analysis, "definition": "",
                        "contrast": "", "direction": "", **context,
                        "n_matching_terms": len(matching), "n_significant_terms": len(hits)}
                if hits.empty:
                    rows.append({**base, "status": "none found", "collection": "",
                                 "term": "", "name": "", "padj": np.nan, "effect": np.nan,
                                 "effect_kind": "", "genes": ""})
                    continue
                for _, hit in hits.iterrows():
                    gsea_row = analysis == "gsea"
                    rows.append({**base, "status": "found", "collection": hit["collection"],
                                 "term": hit["term"], "name": hit["name"],
                                 "padj": hit["padj"],
                                 "effect": hit["nes"] if gsea_row else hit["odds_ratio"],
                                 "effect_kind": "NES" if gsea_row else "odds_ratio",
                                 "genes": hit["genes"],
                                 **({"direction": "up" if hit["nes"] > 0 else "down"}
                                    if gsea_row else {})})
    return pd.DataFrame(rows, columns=THEME_COLUMNS)


def theme_summary(themes: pd.DataFrame, max_terms: int = 3) -> pd.DataFrame:
    """One row per theme, analysis context and direction of a :func:`themes_table`: how
    many significant terms, the best ``max_terms`` of them by padj, the smallest padj and
    the union of the genes that carry them; ``none found`` rows stay as they are."""
    keys = ["theme", "analysis", "definition", "contrast", "region", "direction"]
    columns = [*keys, "status", "n_significant_terms", "best_padj", "top_terms", "genes"]
    rows = []
    # a GSEA context has found rows per NES sign (up/down) or one none-found row
    for values, part in themes.groupby(keys, sort=False, dropna=False):
        found = part[part["status"] == "found"]
        genes = sorted({g for text in found["genes"] for g in str(text).split(",") if g})
        rows.append({**dict(zip(keys, values)),
                     "status": "found" if len(found) else "none found",
                     "n_significant_terms": len(found), "best_padj": found["padj"].min(),
                     "top_terms": "; ".join(found["name"].head(max_terms)),
                     "genes": ",".join(genes)})
    return pd.DataFrame(rows, columns=columns)
