"""The demo gene-set sources (painstress.demo.genesets): real layouts, planted truth.

Each source is checked three ways: its layout against the real excerpts in
shared/fixtures/genesets (when present), its truth table against an independent reading
of the file written here with the documented selection rules (so a wrong truth table or a
decoy that slips through fails), and, where painstress.data.genesets exists, against the
workflow's own readers.
"""

from __future__ import annotations

import gzip
import io
import math
import re
import zipfile
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from conftest import SMALL
from painstress.demo import genesets as dg
from painstress.demo import simulate

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "genesets"
SEED = SMALL.seed + 3  # as write_demo_study would pass it (signatures use seed + 2)


@pytest.fixture(scope="module")
def demo(small_study, tmp_path_factory) -> dict:
    """The gene sets of the CI-sized study, its truth table, and the ortholog files."""
    folder = tmp_path_factory.mktemp("genesets")
    paths = dg.write_demo_genesets(small_study, folder, SEED)
    signatures = dg.demo_signatures(small_study, SMALL.seed + 2)
    for name in ("gene_orthologs.gz", "Homo_sapiens.gene_info.gz"):
        (folder / name).write_bytes(signatures[name])
    truth = pd.read_csv(paths["truth_genesets"], sep="\t", keep_default_na=False)
    return {"paths": paths, "truth": truth, "folder": folder, "study": small_study}


def _selected(truth: pd.DataFrame, source: str, name: str, column: str = "GeneID") -> set:
    rows = truth[(truth.source == source) & (truth.signature_or_term == name)]
    return set(rows.loc[rows.role != "decoy", column])


def _decoys(truth: pd.DataFrame, source: str, name: str, column: str = "GeneID") -> set:
    rows = truth[(truth.source == source) & (truth.signature_or_term == name)]
    return set(rows.loc[rows.role == "decoy", column])


def _human_to_mouse(folder: Path) -> dict[str, int]:
    """Human symbol -> mouse GeneID over one-to-one pairs, read straight from the files."""
    pairs = pd.read_csv(folder / "gene_orthologs.gz", sep="\t")
    info = pd.read_csv(folder / "Homo_sapiens.gene_info.gz", sep="\t",
                       usecols=["GeneID", "Symbol"])
    single = pairs[~pairs["GeneID"].duplicated(keep=False)
                   & ~pairs["Other_GeneID"].duplicated(keep=False)]
    mouse = dict(zip(single["GeneID"], single["Other_GeneID"]))
    return {s: int(mouse[h]) for h, s in zip(info["GeneID"], info["Symbol"]) if h in mouse}


def _gwas_lines(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == [dg.GWAS_MEMBER]
        return archive.read(dg.GWAS_MEMBER).decode().split("\n")


# ------------------------------------------------------------------ files and truth


def test_files_written_with_their_download_names(demo):
    names = {key: path.name for key, path in demo["paths"].items()}
    assert names == {
        "gwas_catalog": "gwas-catalog-associations_ontology-annotated-full.zip",
        "mgi_genepheno": "MGI_GenePheno.rpt", "mp_obo": "mp.obo", "go_obo": "go-basic.obo",
        "mgi_gaf": "mgi.gaf.gz", "msigdb_hallmark": "mh.all.v2024.1.Mm.symbols.gmt",
        "msigdb_reactome": "m2.cp.reactome.v2024.1.Mm.symbols.gmt",
        "jensen_experiments": "human_disease_experiments_filtered.tsv",
        "truth_genesets": "truth_genesets.tsv"}
    assert all(p.is_file() and p.stat().st_size > 0 for p in demo["paths"].values())
    assert demo["paths"]["mgi_gaf"].read_bytes()[:2] == b"\x1f\x8b"


def test_truth_table_roles_and_genes(demo):
    truth, study = demo["truth"], demo["study"]
    assert list(truth.columns) == dg.TRUTH_COLUMNS
    assert set(truth.role) == {"planted", "random", "decoy"}
    assert not truth.duplicated(["source", "signature_or_term", "GeneID"]).any()
    shared = set(study["shared_truth"]["GeneID"])
    changed = set(study["de_truth"]["GeneID"])
    symbol = dict(zip(study["genes"]["GeneID"], study["genes"]["Symbol"]))
    assert set(truth.GeneID) <= set(symbol)
    assert all(symbol[g] == s for g, s in zip(truth.GeneID, truth.symbol))
    assert set(truth.loc[truth.role == "planted", "GeneID"]) <= shared
    # curated sources: the noise and the decoys are genes the demo leaves unchanged
    curated = truth[truth.source.isin(["gwas_catalog", "mgi", "jensen_diseases"])
                    & (truth.role != "planted")]
    assert not set(curated.GeneID) & changed
    counts = truth.groupby(["source", "signature_or_term", "role"]).size().to_dict()
    for key, least in {("gwas_catalog", "depression", "planted"): 5,
                       ("gwas_catalog", "anxiety", "planted"): 2,
                       ("gwas_catalog", "neuroticism", "planted"): 2,
                       ("mgi", "anxiety", "planted"): 5, ("mgi", "depression", "planted"): 4,
                       ("jensen_diseases", "depression", "planted"): 5,
                       ("go", dg.HISTONE_ACETYLATION, "planted"): 12,
                       ("go", dg.INFLAMMATORY_RESPONSE, "planted"): 4,
                       ("msigdb", dg.HATS_SET, "planted"): 12}.items():
        assert counts.get(key, 0) >= least, key
    assert ("go", dg.GO_CONTROL, "planted") not in counts
    assert counts[("go", dg.GO_CONTROL, "random")] == 30


def test_same_seed_same_bytes_other_seed_other_bytes(demo, small_study, tmp_path):
    again = dg.write_demo_genesets(small_study, tmp_path / "a", SEED)
    other = dg.write_demo_genesets(small_study, tmp_path / "b", SEED + 10, ortholog_seed=SEED - 1)
    for key, path in demo["paths"].items():
        assert again[key].read_bytes() == path.read_bytes(), key
        if key not in ("mp_obo", "go_obo"):  # the ontologies do not depend on the seed
            assert other[key].read_bytes() != path.read_bytes(), key


def test_write_demo_study_writes_these_sources_and_the_study_is_untouched(small_study,
                                                                         tmp_path):
    """write_demo_study writes exactly these sources (same bytes) beside the study's other
    files, and building them does not change the study passed in."""
    params = simulate.DemoParameters(n_genes=1000, de_genes=25, shared_genes=12,
                                     shared_in_two_regions=3)
    study = simulate.simulate_study(params)
    copies = {k: v.copy() for k, v in study.items()}
    direct = dg.write_demo_genesets(study, tmp_path / "genesets", params.seed + 3)
    for key, frame in copies.items():
        pd.testing.assert_frame_equal(study[key], frame)
    written = simulate.write_demo_study(tmp_path / "study", "GSE000001", "GSE000002", params)
    assert len(written) == 15 + len(direct)
    for key, path in direct.items():
        assert written[key].read_bytes() == path.read_bytes(), key
    assert written["truth_genesets"] == tmp_path / "study" / "truth" / "genesets.tsv"


# ------------------------------------------------------------------ GWAS Catalog


def test_gwas_layout_is_the_v1_0_2_download(demo):
    lines = _gwas_lines(demo["paths"]["gwas_catalog"])
    assert lines[-1] == "" and not any("\r" in line for line in lines)
    header = lines[0].split("\t")
    assert header == dg.GWAS_COLUMNS and len(header) == 38
    fixture = FIXTURES / "gwas_catalog" / \
        "dipper_test_gwas-catalog-associations_ontology-annotated.rs1491921.tsv"
    if fixture.is_file():  # the FTP download (LF) and the per-trait web export (CRLF)
        assert lines[0] == fixture.read_text().split("\n")[0]
        export = fixture.with_name("gwas-association-EFO_0003761-withChildTraits.excerpt.tsv")
        assert lines[0] == export.read_bytes().split(b"\r\n")[0].decode()
    rows = [line.split("\t") for line in lines[1:-1]]
    assert all(len(r) == 38 for r in rows)
    table = pd.DataFrame(rows, columns=header)
    uris = set(table["MAPPED_TRAIT_URI"])
    for uri in ("http://www.ebi.ac.uk/efo/EFO_0003761",
                "http://purl.obolibrary.org/obo/MONDO_0002009",
                "http://www.ebi.ac.uk/efo/EFO_0005230", "http://www.ebi.ac.uk/efo/EFO_0007660",
                "http://www.ebi.ac.uk/efo/EFO_0004339"):
        assert uri in uris
    assert any(", " in u for u in uris)  # multi-trait rows
    genes = table["MAPPED_GENE"]
    assert (genes == "No mapped genes").any()
    assert genes.str.contains(" - ").any() and genes.str.contains(", ").any()
    p = table["P-VALUE"].astype(float)
    assert (p == 5e-8).any() and (p == 1e-6).any() and (p == 6e-8).any()
    mlog = table["PVALUE_MLOG"].astype(float)
    assert ((mlog + p.map(math.log10)).abs() < 1e-9).all()
    assert set(table["INTERGENIC"]) == {"0", "1"}


def _gwas_rule(demo) -> dict[str, set[int]]:
    """Mouse genes selected per signature by the documented rule, read independently."""
    lines = _gwas_lines(demo["paths"]["gwas_catalog"])
    header = lines[0].split("\t")
    table = pd.DataFrame([line.split("\t") for line in lines[1:-1]], columns=header)
    to_mouse = _human_to_mouse(demo["folder"])
    out = {}
    for signature, traits in dg.GWAS_TRAITS.items():
        genes = set()
        for uris, mapped, p in zip(table["MAPPED_TRAIT_URI"], table["MAPPED_GENE"],
                                   table["P-VALUE"].astype(float)):
            ids = {u.strip().rsplit("/", 1)[1] for u in uris.split(",")}
            if ids & set(traits) and p <= dg.GWAS_P_MAX:
                genes |= {g.strip() for g in re.split(r"\s-\s|,|;", mapped)}
        out[signature] = {to_mouse[g] for g in genes if g in to_mouse}
    return out


def test_gwas_truth_matches_the_rule(demo):
    truth = demo["truth"]
    selected = _gwas_rule(demo)
    for signature, genes in selected.items():
        assert genes == _selected(truth, "gwas_catalog", signature), signature
        assert not genes & _decoys(truth, "gwas_catalog", signature), signature
        assert not genes & _decoys(truth, "gwas_catalog", "any"), signature
    # the decoys are real rows of the file, only not selected
    to_mouse = _human_to_mouse(demo["folder"])
    text = "\n".join(_gwas_lines(demo["paths"]["gwas_catalog"]))
    symbols = {g: s for s, g in to_mouse.items()}
    for gene in truth.loc[(truth.source == "gwas_catalog") & (truth.role == "decoy"), "GeneID"]:
        assert re.search(rf"(^|[\t ,]){re.escape(symbols[gene])}([\t ,]|$)", text, re.M)


def test_gwas_truth_matches_the_workflow_reader(demo):
    gs = pytest.importorskip("painstress.data.genesets")
    from painstress.compare import orthologs as orth
    from painstress.data import ncbi_files

    folder, truth = demo["folder"], demo["truth"]
    pairs = ncbi_files.read_gene_orthologs(folder / "gene_orthologs.gz")
    info = ncbi_files.read_gene_info(folder / "Homo_sapiens.gene_info.gz")
    table = gs.read_gwas_catalog(demo["paths"]["gwas_catalog"])
    for signature, traits in dg.GWAS_TRAITS.items():
        for keep in (True, False):  # every selected gene has an in-gene row
            found = gs.gwas_signature(table, list(traits), keep_intergenic=keep)
            mapped, _ = orth.map_to_mouse(found["gene"], id_type="symbol", organism="human",
                                          orthologs=pairs, human_info=info,
                                          mouse_genes=demo["study"]["genes"])
            assert set(mapped["mouse_GeneID"]) == _selected(truth, "gwas_catalog", signature)


# ------------------------------------------------------------------ MGI


def _obo_stanzas(text: str) -> list[dict[str, list[str]]]:
    """[Term] stanzas as tag -> values; asserts the OBO header/stanza layout."""
    assert text.startswith("format-version: 1.2\n")
    blocks = text.split("\n\n")
    assert not blocks[0].startswith("[")  # header block
    stanzas = []
    for block in blocks[1:]:
        lines = [line for line in block.split("\n") if line]
        if not lines or lines[0] != "[Term]":
            assert not lines or lines[0] == "[Typedef]"
            continue
        tags = defaultdict(list)
        for line in lines[1:]:
            tag, value = line.split(": ", 1)
            tags[tag].append(value.split(" ! ")[0])
        assert len(tags["id"]) == 1 and len(tags["name"]) == 1
        stanzas.append(tags)
    ids = [s["id"][0] for s in stanzas]
    assert len(ids) == len(set(ids))
    for s in stanzas:
        targets = s["is_a"] + [r.split()[1] for r in s["relationship"]]
        assert set(targets) <= set(ids), s["id"]
        if s.get("is_obsolete") == ["true"]:
            assert not targets and s["name"][0].startswith("obsolete ")
    return stanzas


def _below(stanzas, term: str, relations=("is_a",)) -> set[str]:
    children = defaultdict(set)
    for s in stanzas:
        parents = [("is_a", p) for p in s["is_a"]] + [tuple(r.split()) for r in s["relationship"]]
        for relation, parent in parents:
            if relation in relations:
                children[parent].add(s["id"][0])
    seen, stack = {term}, [term]
    while stack:
        for child in children[stack.pop()] - seen:
            seen.add(child)
            stack.append(child)
    return seen


def test_mgi_layout_and_truth(demo):
    paths, truth = demo["paths"], demo["truth"]
    rows = [line.split("\t") for line in paths["mgi_genepheno"].read_text().splitlines()]
    assert all(len(r) == 8 for r in rows)
    assert all(re.fullmatch(r"MP:\d{7}", r[4]) and re.fullmatch(r"MGI:\d+", r[6])
               and re.fullmatch(r"MGI:\d+", r[7]) and re.fullmatch(r"[\d|]+", r[5])
               for r in rows)
    assert any("|" in r[5] for r in rows) and any("<+>" in r[0] for r in rows)
    stanzas = _obo_stanzas(paths["mp_obo"].read_text())
    names = {s["id"][0]: s["name"][0] for s in stanzas}
    assert names["MP:0001362"] == "abnormal anxiety-related response"
    assert names["MP:0001363"] == "increased anxiety-related response"
    assert names["MP:0001364"] == "decreased anxiety-related response"
    assert names["MP:0003360"] == "abnormal depression-related behavior"
    assert names["MP:0002573"] == "behavioral despair" and names["MP:0009710"] == "anhedonia"
    primary = {a: s["id"][0] for s in stanzas for a in s["alt_id"]}
    marker_symbol = {r[6]: r[1].split("<")[0] for r in rows}
    for signature, (query,) in dg.MP_QUERIES.items():
        under = _below(stanzas, query)
        genes = {marker_symbol[r[6]] for r in rows if primary.get(r[4], r[4]) in under}
        assert genes == _selected(truth, "mgi", signature, "symbol"), signature
        assert not genes & _decoys(truth, "mgi", signature, "symbol")
        assert not genes & _decoys(truth, "mgi", "any", "symbol")
        planted = truth[(truth.source == "mgi") & (truth.signature_or_term == signature)
                        & (truth.role == "planted")]
        direct = {marker_symbol[r[6]] for r in rows if r[4] == query}
        assert not direct & set(planted.symbol)  # planted only on child terms
    assert any(r[4] in primary for r in rows)  # an annotation to an alt_id


def test_mgi_truth_matches_the_workflow_reader(demo):
    gs = pytest.importorskip("painstress.data.genesets")
    paths, truth = demo["paths"], demo["truth"]
    mp = gs.read_obo(paths["mp_obo"])
    assert "MP:0000002" in mp.obsolete and mp.primary("MP:0000368") == "MP:0002075"
    for signature, query in dg.MP_QUERIES.items():
        found = gs.mgi_signature(paths["mgi_genepheno"], mp, list(query))
        assert set(found["symbol"]) == _selected(truth, "mgi", signature, "symbol")


# ------------------------------------------------------------------ Gene Ontology


def _gaf_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    lines = gzip.decompress(path.read_bytes()).decode().split("\n")
    assert lines[-1] == ""
    header = [line for line in lines if line.startswith("!")]
    rows = [line.split("\t") for line in lines[:-1] if not line.startswith("!")]
    return header, rows


def test_go_layout(demo):
    paths = demo["paths"]
    header, rows = _gaf_rows(paths["mgi_gaf"])
    assert header[0] == "!gaf-version: 2.2"
    assert all(len(r) == 17 for r in rows)
    assert {r[0] for r in rows} == {"MGI"} and {r[12] for r in rows} == {"taxon:10090"}
    assert all(re.fullmatch(r"MGI:\d+", r[1]) and re.fullmatch(r"GO:\d{7}", r[4])
               and re.fullmatch(r"\d{8}", r[13]) for r in rows)
    assert set(r[2] for r in rows) <= set(demo["study"]["genes"]["Symbol"])
    assert {r[8] for r in rows} == {"P", "F", "C"}
    assert "NOT|involved_in" in {r[3] for r in rows} and "ND" in {r[6] for r in rows}
    text = paths["go_obo"].read_text()
    stanzas = _obo_stanzas(text)
    names = {s["id"][0]: s["name"][0] for s in stanzas}
    assert names[dg.HISTONE_ACETYLATION] == "histone acetylation"
    assert names[dg.INFLAMMATORY_RESPONSE] == "inflammatory response"
    assert names["GO:0007165"] == "signal transduction"
    assert "relationship: part_of " in text and "relationship: regulates " in text
    assert "is_obsolete: true" in text and "[Typedef]\nid: part_of" in text
    if (FIXTURES / "go" / "go_head.obo").is_file():
        real = (FIXTURES / "go" / "go_head.obo").read_text()
        for term in ("GO:0008150", "GO:0005575", "GO:0003674"):
            assert f"id: {term}\nname: {names[term]}\n" in real


def _go_rule(demo) -> dict[str, set[str]]:
    """Biological-process sets by the documented rule, computed independently."""
    stanzas = _obo_stanzas(demo["paths"]["go_obo"].read_text())
    live = {s["id"][0] for s in stanzas if s.get("is_obsolete") != ["true"]}
    process = {s["id"][0] for s in stanzas if s["namespace"] == ["biological_process"]}
    above = defaultdict(set)
    for term in live:
        for below in _below(stanzas, term, ("is_a", "part_of")):
            above[below].add(term)
    _, rows = _gaf_rows(demo["paths"]["mgi_gaf"])
    sets = defaultdict(set)
    for row in rows:
        if row[8] == "P" and "NOT" not in row[3].split("|") and row[6] != "ND" \
                and row[4] in live:
            for term in above[row[4]] & process:
                sets[term].add(row[2])
    return sets


def test_go_truth_matches_the_rule(demo):
    truth = demo["truth"]
    sets = _go_rule(demo)
    terms = set(truth.loc[truth.source == "go", "signature_or_term"])
    for term in terms:
        assert sets.get(term, set()) == _selected(truth, "go", term, "symbol"), term
        assert not sets.get(term, set()) & _decoys(truth, "go", term, "symbol"), term
    assert dg.GO_GROUPING.isdisjoint(terms) and terms <= set(sets) | {"GO:1904578"}
    # enough mid-sized terms for a realistic multiple-testing burden
    assert sum(10 <= len(genes) <= 200 for genes in sets.values()) >= 40
    # propagation matters: most planted histone genes are annotated below the term
    _, rows = _gaf_rows(demo["paths"]["mgi_gaf"])
    planted = truth[(truth.source == "go") & (truth.signature_or_term == dg.HISTONE_ACETYLATION)
                    & (truth.role == "planted")]
    direct = {r[2] for r in rows if r[4] == dg.HISTONE_ACETYLATION and r[3] == "involved_in"}
    assert len(direct & set(planted.symbol)) < 0.5 * len(planted)
    share = {t: len(planted_t) / len(_selected(truth, "go", t)) for t, planted_t in (
        (t, truth[(truth.source == "go") & (truth.signature_or_term == t)
                  & (truth.role == "planted")]) for t in (dg.HISTONE_ACETYLATION,
                                                          dg.INFLAMMATORY_RESPONSE))}
    assert share[dg.HISTONE_ACETYLATION] > 0.6 > share[dg.INFLAMMATORY_RESPONSE] > 0.05


def test_go_truth_matches_the_workflow_reader(demo):
    gs = pytest.importorskip("painstress.data.genesets")
    paths, truth = demo["paths"], demo["truth"]
    onto = gs.read_obo(paths["go_obo"])
    assert "GO:1904578" in onto.obsolete and onto.primary("GO:0000004") == "GO:0008150"
    sets = gs.go_gene_sets(paths["mgi_gaf"], onto, "P", min_size=1, max_size=10**6)
    for term in set(truth.loc[truth.source == "go", "signature_or_term"]) - {"GO:1904578"}:
        assert sets[term] == _selected(truth, "go", term, "symbol"), term
    names = gs.term_names(onto, "P")
    assert names[dg.HISTONE_ACETYLATION] == "histone acetylation"


# ------------------------------------------------------------------ MSigDB and DISEASES


def test_msigdb_gmt_layout_and_truth(demo):
    paths, truth, study = demo["paths"], demo["truth"], demo["study"]
    symbols = set(study["genes"]["Symbol"])
    hallmark_fixture = FIXTURES / "msigdb" / "h.all.v7.0.symbols.gmt"
    for key, prefix in (("msigdb_hallmark", "HALLMARK_"), ("msigdb_reactome", "REACTOME_")):
        text = paths[key].read_text()
        assert text.endswith("\n") and "\t\n" not in text and "\r" not in text
        for line in text.splitlines():
            name, url, *genes = line.split("\t")
            assert name.startswith(prefix)
            assert url == f"http://www.gsea-msigdb.org/gsea/msigdb/mouse/geneset/{name}"
            assert len(genes) == len(set(genes)) >= 10 and set(genes) <= symbols
            assert set(genes) == _selected(truth, "msigdb", name, "symbol"), name
        if prefix == "HALLMARK_" and hallmark_fixture.is_file():
            real = {line.split("\t")[0] for line in hallmark_fixture.read_text().splitlines()}
            assert {line.split("\t")[0] for line in text.splitlines()} == real
    control = _selected(truth, "msigdb", dg.MSIGDB_CONTROL)
    assert len(control) == 60 and not control & set(study["de_truth"]["GeneID"])
    planted = truth[(truth.source == "msigdb") & (truth.role == "planted")]
    assert set(planted.signature_or_term) == {dg.HATS_SET, dg.INFLAMMATORY_SET}


def test_jensen_layout_and_truth(demo):
    paths, truth = demo["paths"], demo["truth"]
    rows = [line.split("\t") for line in paths["jensen_experiments"].read_text().splitlines()]
    assert all(len(r) == 7 and re.fullmatch(r"DOID:\d+", r[2]) and r[4] == "TIGA"
               and re.fullmatch(r"MeanRankScore = \d+", r[5]) for r in rows)
    fixture = FIXTURES / "jensen_diseases" / "human_disease_experiments_filtered.excerpt.tsv"
    if fixture.is_file():
        real = {(r[2], r[3]) for r in (line.split("\t") for line in
                                       fixture.read_text().splitlines())}
        assert {(r[2], r[3]) for r in rows} <= real
    to_mouse = _human_to_mouse(demo["folder"])
    for signature, doid in dg.JENSEN_DISEASES.items():
        genes = {to_mouse[r[1]] for r in rows if r[2] == doid
                 and float(r[6]) >= dg.JENSEN_MIN_SCORE and r[1] in to_mouse}
        assert genes == _selected(truth, "jensen_diseases", signature), signature
        assert not genes & _decoys(truth, "jensen_diseases", signature)
        assert not genes & _decoys(truth, "jensen_diseases", "any")


def test_pathway_and_disease_files_read_by_the_workflow_readers(demo):
    gs = pytest.importorskip("painstress.data.genesets")
    paths, truth = demo["paths"], demo["truth"]
    sets, _ = gs.read_gmt(paths["msigdb_reactome"])
    assert set(sets[dg.HATS_SET]) == _selected(truth, "msigdb", dg.HATS_SET, "symbol")
    found = gs.jensen_signature(paths["jensen_experiments"], "DOID:1595",
                                min_score=dg.JENSEN_MIN_SCORE)
    to_mouse = _human_to_mouse(demo["folder"])
    assert {to_mouse[g] for g in found["gene"] if g in to_mouse} == \
        _selected(truth, "jensen_diseases", "depression")


def test_human_orthologs_are_those_write_demo_study_writes(demo):
    table = dg.human_orthologs(demo["study"], SMALL.seed + 2)
    assert list(table.columns) == ["human_GeneID", "human_symbol", "mouse_GeneID",
                                   "one_to_one"]
    info = pd.read_csv(io.BytesIO((demo["folder"] / "Homo_sapiens.gene_info.gz").read_bytes()),
                       sep="\t", compression="gzip")
    assert sorted(table["human_GeneID"]) == sorted(info["GeneID"])
    one = table[table["one_to_one"]]
    assert dict(zip(one["human_symbol"], one["mouse_GeneID"])) == \
        _human_to_mouse(demo["folder"])


def test_every_demo_gene_set_maps_well_over_the_mapping_threshold(demo):
    """The workflow stops on a collection or signature of which fewer than min_mapped (0.5
    by default) of the genes are the study's; the demo's must clear it by far."""
    from painstress.compare import orthologs, pathways
    from painstress.compare.signatures import mapped_share
    from painstress.data import genesets as gs
    from painstress.data import ncbi_files

    paths, mouse = demo["paths"], demo["study"]["genes"]
    universe = set(mouse["Symbol"])
    collections = {
        "GO_BP": gs.go_gene_sets(paths["mgi_gaf"], paths["go_obo"], min_size=1,
                                 max_size=10**9),
        "hallmark": gs.read_gmt(paths["msigdb_hallmark"])[0],
        "reactome": gs.read_gmt(paths["msigdb_reactome"])[0]}
    table = pathways.collection_mapping(collections, universe, {})
    assert (table["mapping_rate"] >= 0.95).all(), table
    assert (table["symbols"] == "mouse").all()

    catalog = gs.read_gwas_catalog(paths["gwas_catalog"])
    human = {f"{name}_gwas": gs.gwas_signature(catalog, traits)["gene"]
             for name, traits in dg.GWAS_TRAITS.items()}
    human.update({f"{name}_diseases": gs.jensen_signature(paths["jensen_experiments"], doid,
                                                          min_score=dg.JENSEN_MIN_SCORE)["gene"]
                  for name, doid in dg.JENSEN_DISEASES.items()})
    ncbi = {"orthologs": ncbi_files.read_gene_orthologs(demo["folder"] / "gene_orthologs.gz"),
            "human_info": ncbi_files.read_gene_info(demo["folder"]
                                                   / "Homo_sapiens.gene_info.gz")}
    shares = {}
    for name, genes in human.items():
        _, report = orthologs.map_to_mouse(list(genes), id_type="symbol", organism="human",
                                           mouse_genes=mouse, **ncbi)
        shares[name] = mapped_share(report, "human")
    for name, terms in dg.MP_QUERIES.items():
        genes = gs.mgi_signature(paths["mgi_genepheno"], paths["mp_obo"], terms)["symbol"]
        _, report = orthologs.map_to_mouse([g for g in genes if g], id_type="symbol",
                                           organism="mouse", mouse_genes=mouse)
        shares[f"{name}_mgi"] = mapped_share(report, "mouse")
    assert len(shares) == 7 and min(shares.values()) >= 0.9, shares


def test_demo_modules_import_one_way():
    """The gene sets build on nothing of the study simulator (which writes them): importing
    painstress.demo.genesets alone leaves painstress.demo.simulate unloaded, so the two
    cannot import each other."""
    import subprocess
    import sys

    code = ("import sys, painstress.demo.genesets; "
            "print('painstress.demo.simulate' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"
