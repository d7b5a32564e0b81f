"""Human → mouse gene mapping through NCBI Gene's own ortholog and gene_info files.

Both files (read by :func:`painstress.data.ncbi_files.read_gene_orthologs` and
:func:`~painstress.data.ncbi_files.read_gene_info`) are in the same identifier space as
NCBI-computed GEO counts (Entrez GeneIDs), so a human gene reaches a mouse gene of the count
table without passing through Ensembl.

How a symbol is resolved (:func:`map_to_mouse`), per organism's gene table:

1. the official ``Symbol``, exactly (case-sensitive: human ``BDNF`` and mouse ``Bdnf``
   are different strings, and case is how the two nomenclatures differ);
2. otherwise a ``Synonyms`` entry, exactly, but only when that synonym belongs to one
   gene (e.g. human ``GR`` is a synonym of both NR3C1 and GSR: left unmapped, reported
   as ambiguous). An official symbol always wins over another gene's synonym (human
   ``HTT`` is huntingtin, although it is also a synonym of SLC6A4).

Every input ends either mapped or with one reason: ``unknown`` (not a symbol/GeneID of
that organism), ``ambiguous`` (synonym of several genes), ``no_ortholog`` (human gene
without a mouse ortholog), ``not_one_to_one`` (its ortholog pair is not one-to-one and
one-to-one was asked for), ``not_in_mouse_genes`` (the mouse gene is not in the study's
gene annotation, so no DE result can ever refer to it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

UNMAPPED_REASONS = ("unknown", "ambiguous", "no_ortholog", "not_one_to_one",
                    "not_in_mouse_genes")
N_EXAMPLES = 10


def one_to_one(pairs: pd.DataFrame) -> pd.DataFrame:
    """Keep the pairs whose genes appear in exactly one pair on both sides.

    In: a two-column pair table (e.g. from :func:`painstress.data.ncbi_files.read_gene_orthologs`).
    Out: the subset of rows, same columns, index reset. A gene with two orthologs on
    the other side (one-to-many) loses all its pairs, and so do its partners' other
    pairs if any.
    """
    a, b = pairs.columns[:2]
    single = ~pairs[a].duplicated(keep=False) & ~pairs[b].duplicated(keep=False)
    return pairs[single].reset_index(drop=True)


def _gene_table(genes: pd.DataFrame, what: str) -> pd.DataFrame:
    """Normalise a gene table to columns GeneID (int64), Symbol, Synonyms (list).

    Accepts the outputs of :func:`painstress.data.ncbi_files.read_gene_info` and
    :func:`painstress.data.ncbi_files.read_annotation`
    (GeneID as index, ``Symbol`` column) and plain ``GeneID``/``symbol`` frames.
    """
    table = genes.reset_index() if "GeneID" not in genes.columns else genes
    if "GeneID" not in table.columns:
        raise ValueError(f"{what}: needs a GeneID column or index; has "
                         f"{', '.join(map(str, table.columns))}.")
    symbol = next((c for c in ("Symbol", "symbol") if c in table.columns), None)
    if symbol is None:
        raise ValueError(f"{what}: needs a Symbol (or symbol) column.")
    syn = next((c for c in ("Synonyms", "synonyms") if c in table.columns), None)
    synonyms = (table[syn].map(lambda s: [x for x in s.split("|") if x and x != "-"]
                               if isinstance(s, str) else list(s))
                if syn else pd.Series([[]] * len(table), index=table.index))
    return pd.DataFrame({"GeneID": table["GeneID"].astype(np.int64).to_numpy(),
                         "Symbol": table[symbol].astype(str).to_numpy(),
                         "Synonyms": synonyms.to_numpy()})


def _symbol_index(table: pd.DataFrame) -> tuple[dict[str, int], dict[str, int], set[str]]:
    """Official symbol → GeneID, unambiguous synonym → GeneID, ambiguous names.

    A name is ambiguous when it is the official symbol of several genes, or (not being
    an official symbol) a synonym of several genes.
    """
    official_counts = table["Symbol"].value_counts()
    unique = table[table["Symbol"].map(official_counts) == 1]
    official = dict(zip(unique["Symbol"], unique["GeneID"].astype(int)))
    ambiguous = set(official_counts.index[official_counts > 1])
    syn = table[["GeneID", "Synonyms"]].explode("Synonyms").dropna()
    syn = syn[~syn["Synonyms"].isin(official_counts.index)].drop_duplicates()
    syn_counts = syn["Synonyms"].value_counts()
    ambiguous |= set(syn_counts.index[syn_counts > 1])
    single = syn[syn["Synonyms"].map(syn_counts) == 1]
    synonym = dict(zip(single["Synonyms"], single["GeneID"].astype(int)))
    return official, synonym, ambiguous


def _resolve(ids: list, id_type: str, table: pd.DataFrame) -> tuple[dict, dict, int]:
    """Input id → (GeneID, how) for the ids found in ``table``; id → reason otherwise;
    and how many unfound symbols match an official symbol ignoring case."""
    found: dict = {}
    failed: dict = {}
    if id_type == "GeneID":
        known = set(table["GeneID"].tolist())
        for x in ids:
            if x in known:
                found[x] = (x, "GeneID")
            else:
                failed[x] = "unknown"
        return found, failed, 0
    official, synonym, ambiguous = _symbol_index(table)
    for x in ids:
        if x in official:
            found[x] = (official[x], "symbol")
        elif x in ambiguous:
            failed[x] = "ambiguous"
        elif x in synonym:
            found[x] = (synonym[x], "synonym")
        else:
            failed[x] = "unknown"
    lower = {s.lower() for s in official}
    wrong_case = sum(1 for x, r in failed.items() if r == "unknown" and x.lower() in lower)
    return found, failed, wrong_case


def map_to_mouse(genes, *, id_type: str, organism: str,
                 orthologs: pd.DataFrame | None = None,
                 human_info: pd.DataFrame | None = None,
                 mouse_genes: pd.DataFrame,
                 one_to_one: bool = True) -> tuple[pd.DataFrame, dict]:
    """Map gene identifiers of a human or mouse gene list to the study's mouse genes.

    In:
      genes        iterable of ids: symbols (str) or NCBI GeneIDs (int or digit strings);
                   whitespace is stripped, repeats are counted once.
      id_type      ``"symbol"`` or ``"GeneID"``.
      organism     ``"human"`` or ``"mouse"``: the organism the ids belong to.
      orthologs    human→mouse pairs (:func:`~painstress.data.ncbi_files.read_gene_orthologs`),
                   for human input.
      human_info   human gene table (:func:`~painstress.data.ncbi_files.read_gene_info`), for
                   human symbols; for human GeneIDs it is optional and only tells
                   ``unknown`` from ``no_ortholog``.
      mouse_genes  the study's mouse genes: GeneID (column or index) and Symbol/symbol,
                   optional Synonyms (e.g. the output of
                   :func:`painstress.data.ncbi_files.read_annotation`).
      one_to_one   keep only one-to-one ortholog pairs (default).
    Out:
      mapped       DataFrame ``input_id``, ``mouse_GeneID`` (int64), ``mouse_symbol``,
                   ``via`` (symbol|synonym|GeneID), in input order; with
                   ``one_to_one=False`` an input may have several rows.
      report       dict: n_input, n_mapped, mapping_rate, n_unmapped, one ``n_<reason>``
                   per reason (see module doc), n_wrong_case (unmapped symbols that match
                   an official symbol ignoring case: a hint that ``organism`` is wrong),
                   unmapped_examples (up to 10 ``"id (reason)"``).
    """
    if id_type not in ("symbol", "GeneID"):
        raise ValueError(f"id_type must be 'symbol' or 'GeneID', not {id_type!r}")
    if organism not in ("human", "mouse"):
        raise ValueError(f"organism must be 'human' or 'mouse', not {organism!r}")
    ids = _clean_ids(genes, id_type)
    mouse = _gene_table(mouse_genes, "mouse_genes")
    mouse_symbol = dict(zip(mouse["GeneID"].tolist(), mouse["Symbol"]))
    rows: list[tuple] = []
    failed: dict = {}
    wrong_case = 0

    if organism == "mouse":
        found, failed, wrong_case = _resolve(ids, id_type, mouse)
        rows = [(x, g, mouse_symbol[g], how) for x, (g, how) in found.items()]
    else:
        if orthologs is None:
            raise ValueError("human genes need the human→mouse ortholog table (orthologs)")
        if human_info is None and id_type == "symbol":
            raise ValueError("human symbols need the human gene table (human_info)")
        pairs = orthologs.iloc[:, :2].copy()
        pairs.columns = ["human", "mouse"]
        pairs = pairs.astype(np.int64)
        if human_info is not None:
            found, failed, wrong_case = _resolve(ids, id_type,
                                                 _gene_table(human_info, "human_info"))
        else:  # GeneIDs without a gene table: any integer is a candidate
            found = {x: (x, "GeneID") for x in ids}
        kept = one_to_one_pairs(pairs) if one_to_one else pairs
        targets_all = pairs.groupby("human")["mouse"].apply(list).to_dict()
        targets = kept.groupby("human")["mouse"].apply(list).to_dict()
        for x, (human_id, how) in found.items():
            if human_id not in targets_all:
                failed[x] = "no_ortholog"
            elif human_id not in targets:
                failed[x] = "not_one_to_one"
            else:
                hits = [m for m in targets[human_id] if m in mouse_symbol]
                if not hits:
                    failed[x] = "not_in_mouse_genes"
                rows += [(x, m, mouse_symbol[m], how) for m in hits]

    order = {x: i for i, x in enumerate(ids)}
    rows.sort(key=lambda r: (order[r[0]], r[1]))
    mapped = pd.DataFrame(rows, columns=["input_id", "mouse_GeneID", "mouse_symbol", "via"])
    mapped["mouse_GeneID"] = mapped["mouse_GeneID"].astype(np.int64)
    n_input = len(ids)
    n_mapped = mapped["input_id"].nunique()
    unmapped = [x for x in ids if x in failed]
    report = {"n_input": n_input, "n_mapped": int(n_mapped),
              "mapping_rate": n_mapped / n_input if n_input else float("nan"),
              "n_unmapped": len(unmapped),
              **{f"n_{r}": sum(1 for v in failed.values() if v == r)
                 for r in UNMAPPED_REASONS},
              "n_wrong_case": wrong_case,
              "unmapped_examples": [f"{x} ({failed[x]})" for x in unmapped[:N_EXAMPLES]]}
    return mapped, report


# The keyword argument of map_to_mouse shadows the function inside it; keep an alias.
one_to_one_pairs = one_to_one


def _clean_ids(genes, id_type: str) -> list:
    """Strip, drop empties, de-duplicate (first occurrence wins); GeneIDs become int."""
    out: list = []
    seen: set = set()
    for g in genes:
        if id_type == "GeneID":
            text = str(g).strip()
            if not text.isdigit() or int(text) <= 0:
                raise ValueError(f"{g!r} is not an NCBI GeneID (a positive integer)")
            value = int(text)
        else:
            value = str(g).strip()
            if not value:
                continue
        if value not in seen:
            seen.add(value)
            out.append(value)
    return out


DE_MAPPING_COLUMNS = ["n_genes", "n_mapped", "mapping_rate", "n_no_ortholog",
                      "n_not_one_to_one", "n_not_in_mouse_genes", "n_collapsed", "one_to_one"]


def de_table_to_mouse(de: pd.DataFrame, pairs: pd.DataFrame, mouse_genes: pd.DataFrame,
                      one_to_one: bool = True) -> tuple[pd.DataFrame, dict]:
    """A human DE table (e.g. MDD vs control) on the study's mouse genes.

    In:
      de           DE table with ``GeneID`` (human NCBI GeneIDs, unique) and ``symbol``
                   (:data:`painstress.de.deseq2.RESULT_COLUMNS`; other columns are carried along).
      pairs        human→mouse ortholog pairs
                   (:func:`~painstress.data.ncbi_files.read_gene_orthologs`).
      mouse_genes  the study's mouse genes: GeneID and Symbol/symbol (as for
                   :func:`map_to_mouse`).
      one_to_one   keep one-to-one pairs only (default; config ``signatures.one_to_one``).
    Out:
      table        the rows whose human gene maps, in input order, ``GeneID``/``symbol``
                   now the mouse gene's, then ``human_GeneID``/``human_symbol`` at the end.
                   Without one-to-one, a human gene may give several rows, and a mouse gene
                   reached from several human genes keeps the row with the smallest p-value
                   (the others are counted as ``n_collapsed``): GeneIDs stay unique.
      report       dict of :data:`DE_MAPPING_COLUMNS`: ``n_genes`` human genes in the table,
                   ``n_mapped`` of them kept, ``mapping_rate`` = n_mapped / n_genes, and why
                   the others were not (no ortholog, not one-to-one, mouse gene not in the
                   study's genes).
    """
    missing = [c for c in ("GeneID", "symbol") if c not in de.columns]
    if missing:
        raise ValueError(f"de: missing column(s) {', '.join(missing)}")
    human_ids = de["GeneID"].astype(np.int64)
    if human_ids.duplicated().any():
        raise ValueError("de: GeneID values must be unique")
    mapped, mapping = map_to_mouse(human_ids.tolist(), id_type="GeneID", organism="human",
                                   orthologs=pairs, mouse_genes=mouse_genes,
                                   one_to_one=one_to_one)
    rows = de.assign(GeneID=human_ids).rename(columns={"GeneID": "human_GeneID",
                                                       "symbol": "human_symbol"})
    rows = rows.reset_index(drop=True).reset_index(names="_order")
    table = mapped.rename(columns={"input_id": "human_GeneID", "mouse_GeneID": "GeneID",
                                   "mouse_symbol": "symbol"}).drop(columns="via")
    table = table.merge(rows, on="human_GeneID", how="left")
    n_rows = len(table)
    pvalue = table["pvalue"] if "pvalue" in table.columns else pd.Series(0.0, index=table.index)
    table = (table.assign(_p=pvalue.fillna(np.inf))
             .sort_values(["_p", "_order"], kind="stable")
             .drop_duplicates("GeneID")
             .sort_values(["_order", "GeneID"], kind="stable"))
    n_collapsed = n_rows - len(table)
    columns = [c for c in de.columns if c not in ("GeneID", "symbol")]
    table = table[["GeneID", "symbol", *columns, "human_GeneID", "human_symbol"]] \
        .reset_index(drop=True)
    n_mapped = int(table["human_GeneID"].nunique())
    n_genes = len(human_ids)
    report = {"n_genes": n_genes, "n_mapped": n_mapped,
              "mapping_rate": n_mapped / n_genes if n_genes else float("nan"),
              "n_no_ortholog": mapping["n_no_ortholog"] + mapping["n_unknown"],
              "n_not_one_to_one": mapping["n_not_one_to_one"],
              "n_not_in_mouse_genes": mapping["n_not_in_mouse_genes"],
              "n_collapsed": n_collapsed, "one_to_one": bool(one_to_one)}
    return table, report
