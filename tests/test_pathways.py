"""Pathway analysis: ORA numbers by hand, BH per collection, background and size rules,
planted sets found by GSEA and ORA (random ones not), the themes table, the dot plot."""
from math import comb
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import yaml
from matplotlib.collections import PathCollection
from scipy import stats

from painstress import InputError
from painstress.compare import pathways as pw
from painstress.config import validate_config
from painstress.data import genesets
from painstress.figures.pathways import _label, pathway_dotplot
from painstress.summary import methods_text

REPO = Path(__file__).resolve().parents[1]
MSIGDB = REPO.parent / "shared" / "fixtures" / "genesets" / "msigdb"
HUMAN_HALLMARK = MSIGDB / "h.all.v7.0.symbols.gmt"
MOUSE_HALLMARK = MSIGDB / "mh.all.v2022.1.Mm.symbols.first6sets.transcribed.gmt"

INFLAMMATION = "positive regulation of inflammatory response"


def _bh_by_hand(pvalues) -> np.ndarray:
    """Benjamini–Hochberg written out: p * m / rank, then the running minimum from the top."""
    p = np.asarray(pvalues, dtype=float)
    order = np.argsort(p)
    scaled = p[order] * len(p) / np.arange(1, len(p) + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1].clip(max=1.0)
    out = np.empty_like(adjusted)
    out[order] = adjusted
    return out


def _genes(n: int) -> list[str]:
    return [f"Gene{i}" for i in range(n)]


# ----------------------------------------------------------------------------- ORA


def test_ora_pvalue_odds_ratio_and_expected_by_hand():
    background = _genes(20)
    sets = {"S": {"Gene0", "Gene1", "Gene2", "Gene3", "Gene4"}}
    listed = ["Gene0", "Gene1", "Gene2", "Gene10"]  # 3 of 4 in the 5-gene set
    row = pw.ora(listed, background, {"c": sets}, min_size=1).iloc[0]
    # P(X >= 3), X hypergeometric: 20 genes, 5 in the set, 4 drawn
    exact = sum(comb(5, k) * comb(15, 4 - k) for k in (3, 4)) / comb(20, 4)
    assert row["pvalue"] == pytest.approx(exact, rel=1e-12)
    assert row["pvalue"] == pytest.approx(
        stats.fisher_exact([[3, 1], [2, 14]], alternative="greater").pvalue, rel=1e-12)
    assert row["odds_ratio"] == pytest.approx(3 * 14 / (1 * 2))
    assert row["expected"] == pytest.approx(4 * 5 / 20)
    assert (row["n_background"], row["set_size"], row["n_genes"], row["overlap"]) == (20, 5,
                                                                                       4, 3)
    assert row["genes"] == "Gene0,Gene1,Gene2"


def test_ora_bh_is_within_each_collection():
    background = _genes(400)
    rng = np.random.default_rng(5)
    listed = set(rng.choice(background, 40, replace=False))
    collections = {
        "A": {f"A{i}": set(rng.choice(background, 30, replace=False)) for i in range(12)},
        "B": {f"B{i}": set(rng.choice(background, 30, replace=False)) for i in range(5)}}
    # one strongly enriched set in A, so the two families differ clearly
    collections["A"]["A_hit"] = set(list(listed)[:15]) | set(background[:15])
    table = pw.ora(listed, background, collections, min_size=1)
    assert set(table["collection"]) == {"A", "B"}
    for _, family in table.groupby("collection"):
        np.testing.assert_allclose(family["padj"], _bh_by_hand(family["pvalue"]), rtol=1e-12)
    across = _bh_by_hand(table["pvalue"])
    assert not np.allclose(table["padj"], across)  # one family over both would differ


def test_ora_restricts_sets_and_list_to_the_background():
    background = _genes(50)
    sets = {"half_outside": set(_genes(10)) | {f"Other{i}" for i in range(10)},
            "small_after_cut": set(_genes(5)) | {f"Other{i}" for i in range(10)}}
    listed = ["Gene0", "Gene1", "NotTested1", "NotTested2"]
    table = pw.ora(listed, background, {"c": sets}, min_size=10)
    assert list(table["term"]) == ["half_outside"]  # 15 genes, but only 5 in the background
    row = table.iloc[0]
    assert row["set_size"] == 10 and row["n_genes"] == 2 and row["n_background"] == 50
    assert row["pvalue"] == pytest.approx(stats.hypergeom.sf(1, 50, 10, 2))


def test_ora_size_limits_apply_after_restriction():
    background = _genes(1200)
    sizes = {"s9": 9, "s10": 10, "s500": 500, "s501": 501}
    sets = {term: set(background[:n]) | {"Outside1", "Outside2"} for term, n in sizes.items()}
    table = pw.ora(background[:20], background, {"c": sets})  # defaults 10 and 500
    assert sorted(table["term"]) == ["s10", "s500"]
    narrow = pw.ora(background[:20], background, {"c": sets}, min_size=9, max_size=10)
    assert sorted(narrow["term"]) == ["s10", "s9"]


def _shared_table(symbols_by_region: dict[str, list[str]], definition="modern"):
    rows = [{"definition": definition, "region": region, "GeneID": i, "symbol": s,
             "direction": "up" if i % 2 else "down"}
            for region, symbols in symbols_by_region.items() for i, s in enumerate(symbols)]
    return pd.DataFrame(rows)


def test_shared_gene_ora_recovers_a_planted_set_not_a_random_one():
    rng = np.random.default_rng(11)
    genes = _genes(5000)
    planted = set(genes[:40])
    random_set = set(rng.choice(genes[40:], 300, replace=False))  # ~2 list genes by chance
    others = {f"R{i}": set(rng.choice(genes, 40, replace=False)) for i in range(20)}
    collections = {"GO": {"planted": planted, "random": random_set, **others}}
    # 15 planted genes among 40 shared genes (the rest drawn at random) in each region
    lists = {region: sorted(set(genes[:15]) | set(rng.choice(genes[40:], 25, replace=False)))
             for region in ("NAc", "PAG")}
    backgrounds = {region: set(genes) for region in lists}
    table = pw.shared_gene_ora(_shared_table(lists), backgrounds, collections,
                               {"planted": INFLAMMATION}, directions=("all", "up"))
    assert set(table["region"]) == {"NAc", "PAG", "pooled"}
    assert list(table.columns) == pw.ORA_COLUMNS
    all_genes = table[table["direction"] == "all"]
    for region, result in all_genes.groupby("region"):
        best = result.sort_values("pvalue").iloc[0]
        assert best["term"] == "planted" and best["padj"] < 1e-6, region
        assert best["name"] == INFLAMMATION
        random_row = result.set_index("term").loc["random"]
        assert random_row["padj"] > 0.05 and random_row["pvalue"] > 0.05, region
    pooled = all_genes[all_genes["region"] == "pooled"].set_index("term")
    assert pooled.at["planted", "overlap"] == 15
    assert pooled.at["planted", "n_genes"] == len(set(lists["NAc"]) | set(lists["PAG"]))


def test_shared_gene_ora_tests_an_empty_list():
    genes = _genes(300)
    collections = {"GO": {"S": set(genes[:20])}}
    shared = _shared_table({"NAc": genes[:5]})
    table = pw.shared_gene_ora(shared, {"NAc": set(genes), "PAG": set(genes)}, collections)
    pag = table[table["region"] == "PAG"]
    assert len(pag) == 1 and pag["n_genes"].iloc[0] == 0 and pag["pvalue"].iloc[0] == 1.0


def test_read_gmt(tmp_path):
    path = tmp_path / "sets.gmt"
    path.write_text("GOBP_INFLAMMATORY_RESPONSE\thttps://example.org/x\tIl6\tTnf\n"
                    "R-MMU-1\tHDACs deacetylate histones\tHdac1\tHdac2\tHdac1\n")
    sets, names = genesets.read_gmt(path)
    assert sets == {"GOBP_INFLAMMATORY_RESPONSE": ["Il6", "Tnf"],
                    "R-MMU-1": ["Hdac1", "Hdac2"]}
    assert names == {"GOBP_INFLAMMATORY_RESPONSE": "GOBP INFLAMMATORY RESPONSE",
                     "R-MMU-1": "HDACs deacetylate histones"}


# ------------------------------------------------------------------ collections vs the study


def _mouse_study_symbols() -> set[str]:
    """A mouse study's symbols: those of the (transcribed) MSigDB mouse hallmark sets."""
    sets, _ = genesets.read_gmt(MOUSE_HALLMARK)
    return set().union(*sets.values())


def test_collection_mapping_counts_by_hand():
    collections = {"hallmark": {"A": {"Fos", "Jun", "Egr1"}, "B": {"Jun", "Npas4"}},
                   "reactome": {"R1": {"FOS", "JUN", "EGR1", "NPAS4", "Fos"}}}
    universe = {"Fos", "Jun", "Npas4", "Bdnf"}
    table = pw.collection_mapping(collections, universe,
                                  {"hallmark": ["mh.gmt"], "reactome": ["m2.gmt"]})
    assert table.columns.tolist() == pw.MAPPING_COLUMNS
    assert table.values.tolist() == [
        ["hallmark", "mh.gmt", "", 2, 4, 3, 0.75, "mouse"],
        ["reactome", "m2.gmt", "", 1, 5, 1, 0.2, "human"]]
    pw.check_mapping(table.iloc[:1], collections, universe, 0.5)  # 75 %: passes
    with pytest.raises(InputError, match=r"^m2\.gmt: only 1 of the 5 genes of the reactome "
                                         r"collection \(20%\)"):
        pw.check_mapping(table, collections, universe, 0.5)
    pw.check_mapping(table, collections, universe, 0.2)  # the threshold is inclusive


def test_human_hallmark_in_a_mouse_study_stops_naming_file_and_organism(tmp_path):
    """The real human hallmark GMT saved under the mouse file's name: 50 sets read, but
    unchecked not one of its genes is a study gene, so ORA and GSEA had no hallmark row."""
    wrong = tmp_path / "mh.all.v2024.1.Mm.symbols.gmt"
    wrong.write_bytes(HUMAN_HALLMARK.read_bytes())
    sets, _ = genesets.read_gmt(wrong)
    assert len(sets) == 50
    universe = _mouse_study_symbols()
    collections = {"hallmark": sets}
    table = pw.collection_mapping(collections, universe, {"hallmark": [wrong.name]})
    assert table.loc[0, "mapping_rate"] < 0.01 and table.loc[0, "symbols"] == "human"
    with pytest.raises(InputError) as error:
        pw.check_mapping(table, collections, universe, 0.5)
    message = str(error.value)
    assert message.startswith("mh.all.v2024.1.Mm.symbols.gmt: only ")
    assert "(pathways.min_mapped: 0.5); upper-case symbols: looks human; a mouse collection " \
           "is needed" in message
    assert "*.Mm.symbols.gmt" in message


def test_mouse_hallmark_in_a_mouse_study_passes():
    sets, _ = genesets.read_gmt(MOUSE_HALLMARK)
    universe = _mouse_study_symbols() - {"Abca1"}
    table = pw.collection_mapping({"hallmark": sets}, universe,
                                  {"hallmark": [MOUSE_HALLMARK.name]})
    assert table.loc[0, "symbols"] == "mouse"
    assert table.loc[0, "n_mapped"] == table.loc[0, "n_genes"] - 1
    pw.check_mapping(table, {"hallmark": sets}, universe, 0.5)


def test_methods_list_each_gene_set_with_its_mapping_and_each_file_with_its_checksum():
    config = validate_config(yaml.safe_load((REPO / "config" / "demo.yaml").read_text()),
                             REPO / "src/painstress/schemas/config.schema.yaml")
    collections = pd.DataFrame([["GO_BP", "go-basic.obo; mgi.gaf.gz", "go-basic.obo r1: 9 "
                                 "live terms", 5, 40, 40, 1.0, "mouse"],
                                ["hallmark", "mh.all.v2024.1.Mm.symbols.gmt", None, 50, 4000,
                                 3900, 0.975, "mouse"]], columns=pw.MAPPING_COLUMNS)
    mapping = pd.DataFrame({"signature": ["anxiety_mgi"], "organism": ["mouse"],
                            "file": ["results/x/signatures/curated/anxiety_mgi.tsv"],
                            "n_input": [24], "n_mapped": [24], "mapped_share": [1.0]})
    sha = "ab" * 32
    downloads = pd.DataFrame([{"file": "genesets/mp.obo", "url": "https://x.org/mp.obo",
                               "redirects": "via http://purl/mp.obo (302)",
                               "downloaded": "2026-01-02", "sha256": sha,
                               "server": "changed (checked 2026-02-03): ETag a -> b; the "
                                         "cached copy was used"}])
    text = methods_text(
        config=config,
        datasets=pd.DataFrame({"dataset": ["pain"], "series": ["GSE1"], "platform": [""]}),
        samples=pd.DataFrame({"dataset": ["pain"] * 2}),
        de_summary=pd.DataFrame({"design": ["~group"], "engine": ["ours"],
                                 "prefilter": ["x"]}),
        downloads=downloads, versions=pd.DataFrame({"package": ["painstress"],
                                                    "version": ["1"]}),
        collections=collections, signature_mapping=mapping)
    assert "| GO_BP | pathway collection | go-basic.obo; mgi.gaf.gz | go-basic.obo r1: 9 live " \
           "terms | 5 | 40 | 40 | 100.0% |" in text
    assert "| hallmark | pathway collection | mh.all.v2024.1.Mm.symbols.gmt |  | 50 | 4000 | " \
           "3900 | 97.5% |" in text
    assert "| anxiety_mgi | mouse signature | anxiety_mgi.tsv |  | 1 | 24 | 24 | 100.0% |" \
        in text
    assert "signatures.min_mapped 0.5, pathways.min_mapped 0.5" in text
    assert sha in text and "via http://purl/mp.obo (302)" in text
    assert "**1 file(s) changed on the server since they were downloaded**" in text


# ----------------------------------------------------------------------------- GSEA


def test_ranking_drops_na_resolves_duplicates_and_orders_ties():
    de = pd.DataFrame({
        "GeneID": [1, 2, 3, 4, 5, 6, 7],
        "symbol": ["A", "B", "B", "C", None, "D", "E"],
        "baseMean": [10.0, 5.0, 50.0, 10.0, 10.0, 10.0, 10.0],
        "stat": [1.0, 9.0, -2.0, np.nan, 3.0, 1.0, 4.0],
        "pvalue": [0.3, 1e-9, 0.05, np.nan, 0.01, 0.3, np.nan]})
    ranked = pw.ranking(de)
    # C: no stat; GeneID 5: no symbol; E: no p-value; B: the higher-baseMean gene (stat -2)
    assert list(ranked.index) == ["A", "D", "B"]
    assert list(ranked) == [1.0, 1.0, -2.0]
    assert list(pw.ranking(de.iloc[::-1])) == list(ranked)  # input order does not matter


def _planted_de(seed: int = 4, n: int = 5000):
    rng = np.random.default_rng(seed)
    genes = _genes(n)
    stat = rng.standard_normal(n)
    stat[:30] = np.abs(stat[:30]) + 2.5  # the planted set: strong, same sign
    de = pd.DataFrame({"GeneID": np.arange(n), "symbol": genes,
                       "baseMean": rng.uniform(10, 1000, n), "stat": stat,
                       "pvalue": 2 * stats.norm.sf(np.abs(stat))})
    sets = {"planted": set(genes[:30]),
            "random": set(rng.choice(genes[30:], 30, replace=False)),
            **{f"R{i}": set(rng.choice(genes, 40, replace=False)) for i in range(8)}}
    return de, sets


def test_gsea_finds_the_planted_set_and_not_a_random_one():
    de, sets = _planted_de()
    table = pw.gsea_prerank(de, {"GO": sets}, {"planted": INFLAMMATION}, permutations=200,
                            seed=1)
    assert list(table.columns) == pw.GSEA_COLUMNS[2:]
    top = table.sort_values(["padj", "pvalue"]).iloc[0]
    assert top["term"] == "planted" and top["padj"] < 0.05 and top["nes"] > 0
    assert top["name"] == INFLAMMATION and top["set_size"] == 30
    assert set(top["genes"].split(",")) <= sets["planted"] and top["leading_edge_size"] > 15
    random_row = table.set_index("term").loc["random"]
    assert random_row["padj"] > 0.05
    again = pw.gsea_prerank(de, {"GO": sets}, {"planted": INFLAMMATION}, permutations=200,
                            seed=1)
    pd.testing.assert_frame_equal(table, again)  # same seed, same numbers


def test_gsea_tables_label_each_contrast():
    de, sets = _planted_de()
    flipped = de.assign(stat=-de["stat"])
    table = pw.gsea_tables({("SNI_vs_sham", "NAc"): de, ("CUS_vs_control", "NAc"): flipped},
                           {"GO": sets}, permutations=100, seed=1)
    assert list(table.columns) == pw.GSEA_COLUMNS
    planted = table[table["term"] == "planted"].set_index("contrast")["nes"]
    assert planted["SNI_vs_sham"] > 0 > planted["CUS_vs_control"]


# ----------------------------------------------------------------------------- themes


def _ora_for_themes():
    rng = np.random.default_rng(11)
    genes = _genes(3000)
    sets = {"planted": set(genes[:40]), "GO:1": set(rng.choice(genes, 40, replace=False)),
            "GO:2": set(rng.choice(genes, 40, replace=False)),
            "GO:3": set(rng.choice(genes, 40, replace=False))}
    names = {"planted": INFLAMMATION, "GO:1": "acetylcholine receptor signaling pathway",
             "GO:2": "axon guidance", "GO:3": "histone H3 acetylation"}
    lists = {"NAc": sorted(set(genes[:12]) | set(rng.choice(genes[40:], 20, replace=False)))}
    return pw.shared_gene_ora(_shared_table(lists), {"NAc": set(genes)}, {"GO": sets}, names)


def test_themes_table_finds_the_planted_theme_and_says_none_for_the_others():
    themes = pw.themes_table(_ora_for_themes())
    assert list(themes.columns) == pw.THEME_COLUMNS
    by_theme = themes.set_index("theme")
    inflammation = by_theme.loc[["inflammation / immune response"]]
    assert list(inflammation["status"]) == ["found"]
    assert inflammation["name"].iloc[0] == INFLAMMATION
    assert set(inflammation["genes"].iloc[0].split(",")) == set(_genes(12))
    chromatin = by_theme.loc[["chromatin / histone acetylation"]]
    assert list(chromatin["status"]) == ["none found"]
    # the histone term was tested (not significant); acetylcholine must not count
    assert chromatin["n_matching_terms"].iloc[0] == 1
    signalling = by_theme.loc[["signalling pathways"]]
    assert list(signalling["status"]) == ["none found"]
    assert signalling["n_matching_terms"].iloc[0] == 1  # acetylcholine receptor signaling

    summary = pw.theme_summary(themes)
    assert list(summary["status"]) == ["found", "none found", "none found"]
    assert summary["top_terms"].iloc[0] == INFLAMMATION and summary["top_terms"].iloc[1] == ""


def test_themes_table_gsea_direction_and_custom_themes():
    gsea = pd.DataFrame({"contrast": "SNI_vs_sham", "region": "NAc", "collection": "GO",
                         "term": ["t1", "t2", "t3"],
                         "name": ["HALLMARK_TNFA_SIGNALING_VIA_NFKB", "chromatin remodeling",
                                  "axon guidance"],
                         "nes": [-2.1, 1.8, 2.5], "padj": [0.001, 0.2, 0.001],
                         "genes": ["Tnf,Il1b", "Hdac1", "Robo1"]})
    themes = pw.themes_table(gsea=gsea, themes={"immune": [r"\bNFKB\b"],
                                                "chromatin": ["chromatin"],
                                                "axons": ["axon"]})
    rows = themes.set_index("theme")
    assert rows.at["immune", "status"] == "found" and rows.at["immune", "direction"] == "down"
    assert rows.at["immune", "effect_kind"] == "NES" and rows.at["immune", "effect"] == -2.1
    assert rows.at["chromatin", "status"] == "none found"
    assert rows.at["axons", "direction"] == "up"


# ----------------------------------------------------------------------------- figures


def _n_dots(fig) -> int:
    """Points drawn by scatter (the colour bar's mesh is not one)."""
    return sum(len(c.get_offsets()) for ax in fig.axes for c in ax.collections
               if isinstance(c, PathCollection))


def test_dotplot_draws_the_top_terms():
    table = _ora_for_themes()
    passing = int((table["padj"] < 0.05).sum())
    assert passing >= 1
    fig = pathway_dotplot(table, title="NAc")
    assert isinstance(fig, plt.Figure) and _n_dots(fig) == passing
    plt.close(fig)
    many = pd.DataFrame({"contrast": "c", "region": "r", "collection": "GO",
                         "term": [f"t{i}" for i in range(30)],
                         "name": [f"term number {i} " * 6 for i in range(30)],
                         "set_size": 20, "nes": np.linspace(-3, 3, 30),
                         "pvalue": np.logspace(-8, -3, 30), "padj": np.logspace(-7, -2, 30)})
    fig = pathway_dotplot(many, title="GSEA", top_n=12)
    assert _n_dots(fig) == 12
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert all(label.count("\n") <= 1 for label in labels)
    assert labels[-1].startswith("term number 0 ")  # the best term at the top
    plt.close(fig)


def test_dotplot_empty_and_mixed_inputs():
    table = _ora_for_themes()
    fig = pathway_dotplot(table.assign(padj=0.9), title="NAc")
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert any("no term passes padj < 0.05" in t for t in texts) and _n_dots(fig) == 0
    plt.close(fig)
    fig = pathway_dotplot(table.iloc[0:0], title="nothing tested")
    assert _n_dots(fig) == 0
    plt.close(fig)
    with pytest.raises(ValueError, match="one analysis"):
        pathway_dotplot(pd.concat([table, table.assign(region="PAG")]), title="two")


def test_labels_wrap_and_truncate():
    label = _label("REACTOME_" + "_".join(["LONG"] * 30), width=20, max_lines=2)
    lines = label.split("\n")
    assert len(lines) == 2 and lines[-1].endswith("…") and all(len(x) <= 20 for x in lines)
    assert _label("short", 20, 2, " [GO]") == "short [GO]"
