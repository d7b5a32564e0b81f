"""Tests for painstress.compare.signatures: signature files (TSV, GMT) read onto mouse genes.

Example files are in tests/data/signatures/ (see its README); the NCBI Gene files they
are mapped with are in tests/data/ncbi_gene/. Small malformed files go to tmp_path.
"""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from painstress import InputError
from painstress.compare import signatures as sg
from painstress.data import ncbi_files
from painstress.data.http import provenance_path

DATA = Path(__file__).resolve().parent / "data"
SIGS = DATA / "signatures"


@pytest.fixture(scope="module")
def ncbi() -> dict:
    """Keyword arguments for read_signature_file: mouse genes + human→mouse mapping."""
    folder = DATA / "ncbi_gene"
    return {"mouse_genes": ncbi_files.read_gene_info(folder / "Mus_musculus.gene_info.gz"),
            "orthologs": ncbi_files.read_gene_orthologs(folder / "gene_orthologs.gz"),
            "human_info": ncbi_files.read_gene_info(folder / "Homo_sapiens.gene_info.gz")}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def genes_of(sig: sg.Signature) -> list[list]:
    """[symbol, direction, score] rows, NaN scores as None (comparable)."""
    return [[s, d, None if math.isnan(x) else x]
            for s, d, x in zip(sig.genes["symbol"], sig.genes["direction"],
                               sig.genes["score"])]


# ------------------------------------------------------------------ TSV


def test_mouse_tsv(ncbi):
    [sig] = sg.read_signature_file(SIGS / "mouse_stress.tsv", **ncbi)
    assert sig.name == "mouse_stress"
    assert sig.genes.columns.tolist() == ["GeneID", "symbol", "direction", "score"]
    assert sig.genes.dtypes.astype(str).tolist() == ["int64", "object", "int64", "float64"]
    assert sig.genes["GeneID"].tolist() == [14229, 12918, 12064, 14815]
    assert genes_of(sig) == [["Fkbp5", 1, 0.8], ["Crh", 1, 0.5], ["Bdnf", -1, -0.4],
                             ["Nr3c1", -1, -0.3]]  # '#Gsr' commented out, Xist unknown
    meta = sig.meta
    assert meta["source"].startswith("painstress test fixture: mouse HPA-axis")
    assert (meta["organism"], meta["id_type"], meta["format"]) == ("mouse", "symbol", "tsv")
    assert meta["file"] == str(SIGS / "mouse_stress.tsv")
    assert meta["description"].startswith("mouse symbols with fold changes")
    assert (meta["n_input"], meta["n_mapped"], meta["n_unknown"]) == (5, 4, 1)
    assert meta["mapping_rate"] == pytest.approx(0.8)
    assert (meta["n_genes"], meta["n_up"], meta["n_down"], meta["n_undirected"]) == (4, 2, 2, 0)
    assert meta["unmapped_examples"] == "Xist (unknown)"


def test_human_tsv_every_mapping_outcome(ncbi):
    [sig] = sg.read_signature_file(SIGS / "human_depression.tsv", **ncbi)
    assert sig.name == "human_depression"
    assert genes_of(sig) == [["Bdnf", -1, 2.5], ["Fkbp5", 1, 3.1], ["Crh", 1, 1.2],
                             ["Slc6a4", 1, 0.7], ["Nr3c1", -1, None], ["Htt", 1, 0.3]]
    m = sig.meta
    assert (m["organism"], m["n_input"], m["n_mapped"], m["n_unmapped"]) == ("human", 10, 6, 4)
    assert m["mapping_rate"] == pytest.approx(0.6)
    assert (m["n_unknown"], m["n_ambiguous"], m["n_no_ortholog"], m["n_not_one_to_one"]) \
        == (1, 1, 1, 1)
    assert m["unmapped_examples"] == ("GR (ambiguous); AMY1A (not_one_to_one); "
                                      "CHRFAM7A (no_ortholog); FOO1 (unknown)")
    assert m["one_to_one"] is True


def test_mapped_share_leaves_out_human_genes_without_any_mouse_ortholog(ncbi):
    [sig] = sg.read_signature_file(SIGS / "human_depression.tsv", **ncbi)
    # 10 genes, 6 mapped, CHRFAM7A has no mouse ortholog at all: 6 of 9
    assert sig.meta["mapped_share"] == pytest.approx(6 / 9)
    assert sig.meta["symbols"] == "human"
    sg.check_mapping(sig, 0.6)
    with pytest.raises(InputError, match=r"human_depression\.tsv: signature "
                                         r"'human_depression': only 6 of its 10 human genes "
                                         r"\(67%\) map .*signatures\.min_mapped: 0\.7"):
        sg.check_mapping(sig, 0.7)
    [mouse] = sg.read_signature_file(SIGS / "mouse_stress.tsv", **ncbi)
    assert mouse.meta["mapped_share"] == mouse.meta["mapping_rate"] == pytest.approx(0.8)
    assert mouse.meta["symbols"] == "mouse"


def test_human_symbols_in_a_mouse_list_stop_naming_file_and_organism(tmp_path, ncbi):
    """A curated mouse signature written with human symbols: one gene (Crh) maps by chance;
    unchecked it would be tested as the whole signature."""
    path = write(tmp_path, "anxiety_mgi.tsv",
                 "# source: MGI genotype-phenotype annotations, MP:0001362 (MGI_GenePheno.rpt)\n"
                 "# organism: mouse\ngene\nBDNF\nFKBP5\nCRH\nNR3C1\nHTT\nCrh\n")
    [sig] = sg.read_signature_file(path, **ncbi)
    assert (sig.meta["n_input"], sig.meta["n_mapped"], sig.meta["symbols"]) == (6, 1, "human")
    with pytest.raises(InputError) as error:
        sg.check_mapping(sig, 0.5)
    message = str(error.value)
    assert message.startswith(f"{path}: signature 'anxiety_mgi': only 1 of its 6 mouse genes "
                              "(17%) map to the study's mouse genes (signatures.min_mapped: "
                              "0.5); upper-case symbols: looks human, but the file says "
                              "organism mouse; unmapped e.g. BDNF (unknown)")
    assert "Source: MGI genotype-phenotype annotations, MP:0001362 (MGI_GenePheno.rpt)" \
        in message
    sg.check_mapping(sig, 1 / 6)  # inclusive


def test_human_tsv_all_orthologs(ncbi):
    [sig] = sg.read_signature_file(SIGS / "human_depression.tsv", one_to_one=False, **ncbi)
    assert sig.meta["n_mapped"] == 7 and sig.meta["mapping_rate"] == pytest.approx(0.7)
    assert sig.genes["symbol"].tolist()[-1] == "Amy1"
    assert sig.meta["one_to_one"] is False


def test_multi_signature_geneid_tsv(ncbi):
    pain, stress = sg.read_signature_file(SIGS / "multi_geneid.tsv", **ncbi)
    assert (pain.name, stress.name) == ("pain_like", "stress_like")
    # no direction column: the sign of log2FC gives it; the pvalue column is ignored
    assert genes_of(pain) == [["Bdnf", -1, -0.5], ["Fkbp5", 1, 1.1]]
    assert genes_of(stress) == [["Crh", 1, 0.4], ["Fkbp5", 1, 0.9]]
    assert pain.meta["mapping_rate"] == 1.0
    assert (stress.meta["n_input"], stress.meta["n_mapped"]) == (3, 2)
    assert stress.meta["mapping_rate"] == pytest.approx(2 / 3)
    assert stress.meta["id_type"] == "GeneID"


def test_undirected_tsv_default_name_and_gzip(tmp_path, ncbi):
    """Only a gene column: direction 0, score NaN; name from the file name; gzip works."""
    path = tmp_path / "anxiety_genes.tsv.gz"
    path.write_bytes(gzip.compress(b"# source: test\ngene\nCrh\nBdnf\n"))
    [sig] = sg.read_signature_file(path, **ncbi)
    assert sig.name == "anxiety_genes"
    assert genes_of(sig) == [["Crh", 0, None], ["Bdnf", 0, None]]
    assert sig.meta["n_undirected"] == 2


def test_free_comments_in_header(tmp_path, ncbi):
    """'##' lines, '#' lines without 'key:', and lines starting with a URL are comments."""
    path = write(tmp_path, "c.tsv", "## Note: anything\n# Stress genes from a review\n"
                 "# https://example.org/table2\n# source: t\ngene\nCrh\n")
    [sig] = sg.read_signature_file(path, **ncbi)
    assert sig.meta["source"] == "t" and sig.genes["symbol"].tolist() == ["Crh"]


def test_score_does_not_set_direction(tmp_path, ncbi):
    path = write(tmp_path, "s.tsv", "# source: test\ngene\tscore\nCrh\t-2\nBdnf\t3\n")
    [sig] = sg.read_signature_file(path, **ncbi)
    assert genes_of(sig) == [["Crh", 0, -2.0], ["Bdnf", 0, 3.0]]


def test_same_gene_twice_same_direction_keeps_first(tmp_path, ncbi):
    path = write(tmp_path, "d.tsv", "# source: test\ngene\tdirection\tlog2FC\n"
                 "Crh\tup\t1\nCrh\t+1\t2\nBdnf\tDOWN\t-1\n")
    [sig] = sg.read_signature_file(path, **ncbi)
    assert genes_of(sig) == [["Crh", 1, 1.0], ["Bdnf", -1, -1.0]]
    assert sig.meta["n_input"] == 2


def test_two_inputs_one_mouse_gene(tmp_path, ncbi):
    """AMY1A and AMY1B both reach Amy1 when all orthologs are kept: same direction keeps
    the first; opposite directions drop the gene (counted as conflicting)."""
    same = write(tmp_path, "same.tsv", "# source: t\n# organism: human\ngene\tdirection\n"
                 "AMY1A\tup\nAMY1B\tup\nBDNF\tdown\n")
    [sig] = sg.read_signature_file(same, one_to_one=False, **ncbi)
    assert genes_of(sig) == [["Amy1", 1, None], ["Bdnf", -1, None]]
    assert sig.meta["n_conflicting"] == 0
    opposite = write(tmp_path, "opp.tsv", "# source: t\n# organism: human\ngene\tdirection\n"
                     "AMY1A\tup\nAMY1B\tdown\nBDNF\tdown\n")
    [sig] = sg.read_signature_file(opposite, one_to_one=False, **ncbi)
    assert genes_of(sig) == [["Bdnf", -1, None]]
    assert sig.meta["n_conflicting"] == 1 and sig.meta["n_mapped"] == 3


def test_crlf_and_latin_organism_name(tmp_path, ncbi):
    path = write(tmp_path, "w.tsv", "# source: t\r\n# organism: Homo sapiens\r\n"
                 "gene\r\nBDNF\r\n")
    [sig] = sg.read_signature_file(path, **ncbi)
    assert sig.meta["organism"] == "human" and sig.genes["GeneID"].tolist() == [12064]


# ------------------------------------------------------------------ GMT


def test_gmt_up_dn_merged(ncbi):
    dep, hpa = sg.read_signature_file(SIGS / "msigdb_style.gmt", **ncbi)
    assert dep.name == "DEPRESSION_TEST"
    assert genes_of(dep) == [["Fkbp5", 1, None], ["Crh", 1, None], ["Slc6a4", 1, None],
                             ["Bdnf", -1, None], ["Nr3c1", -1, None]]
    assert (dep.meta["n_input"], dep.meta["n_mapped"]) == (6, 5)
    assert dep.meta["mapping_rate"] == pytest.approx(5 / 6)
    assert dep.meta["description"] == "genes up in the test | genes down in the test"
    assert dep.meta["format"] == "gmt"
    assert hpa.name == "HPA_AXIS_TEST"
    assert genes_of(hpa) == [["Crh", 0, None], ["Nr3c1", 0, None], ["Fkbp5", 0, None]]
    assert (hpa.meta["n_input"], hpa.meta["n_not_one_to_one"]) == (4, 1)  # trailing tab
    assert hpa.meta["mapping_rate"] == pytest.approx(0.75)
    assert hpa.meta["description"] == ""  # 'na'


def test_gmt_down_suffix_and_header_description(tmp_path, ncbi):
    path = write(tmp_path, "m.gmt", "# source: t\n# description: chronic stress\n"
                 "CHRONIC_STRESS_DOWN\tna\tBdnf\nCHRONIC_STRESS_UP\tna\tFkbp5\tCrh\n")
    [sig] = sg.read_signature_file(path, **ncbi)
    assert sig.name == "CHRONIC_STRESS"
    assert genes_of(sig) == [["Bdnf", -1, None], ["Fkbp5", 1, None], ["Crh", 1, None]]
    assert sig.meta["description"] == "chronic stress"


# ------------------------------------------------------------------ errors (files)


@pytest.mark.parametrize("name, message", [
    ("bad_no_source.tsv", r"bad_no_source\.tsv: line 1: no '# source: …' header line"),
    ("bad_direction.tsv", r"bad_direction\.tsv: line 4: direction 'upregulated' is not "
                          r"one of up, down, \+1, -1"),
    ("bad_up_and_down.tsv", r"bad_up_and_down\.tsv: line 5: gene Bdnf is listed as up "
                            r"\(line 3\) and down \(line 5\) in signature 'bad_up_and_down'"),
    ("bad_organism.tsv", r"bad_organism\.tsv: line 2: organism 'rat' is not one of mouse, "
                         r"human"),
    ("bad_up_and_down.gmt", r"bad_up_and_down\.gmt: line 4: gene FKBP5 is listed as up "
                            r"\(line 3\) and down \(line 4\) in signature 'STRESS_TEST'"),
    ("bad_empty_after_mapping.tsv", r"bad_empty_after_mapping\.tsv: line 3: signature "
                                    r"'bad_empty_after_mapping' has no gene left after "
                                    r"mapping .*0 of 3 mouse symbols mapped; e\.g\. BDNF "
                                    r"\(unknown\).*3 of them match a mouse symbol when case "
                                    r"is ignored: is the '# organism:' line right\?"),
])
def test_bad_files(ncbi, name, message):
    with pytest.raises(InputError, match=message):
        sg.read_signature_file(SIGS / name, **ncbi)


# ------------------------------------------------------------------ errors (inline)


@pytest.mark.parametrize("text, message", [
    ("# source: t\n# orgnism: human\ngene\nBdnf\n",
     r"x\.tsv: line 2: unknown header key 'orgnism'"),
    ("# source: t\n# source: u\ngene\nBdnf\n",
     r"x\.tsv: line 2: header key 'source' given twice \(first on line 1\)"),
    ("# source:\ngene\nBdnf\n", r"x\.tsv: line 1: no '# source: …' header line"),
    ("# source: t\n# id_type: ensembl\ngene\nBdnf\n",
     r"x\.tsv: line 2: id_type 'ensembl' is not one of symbol, GeneID"),
    ("# source: t\n# id_type: GeneID\ngene\n12064\nBdnf\n",
     r"x\.tsv: line 5: gene 'Bdnf' is not an NCBI GeneID"),
    ("# source: t\ngene\tdirection\tlog2FC\nBdnf\tup\t-0.5\n",
     r"x\.tsv: line 3: direction 'up' but log2FC -0.5 has the opposite sign"),
    ("# source: t\ngene\tlog2FC\nBdnf\tlots\n", r"x\.tsv: line 3: log2FC 'lots' is not a number"),
    ("# source: t\ngene\tlog2FC\tscore\nBdnf\t1\t2\n",
     r"x\.tsv: line 2: give either 'log2FC' or 'score', not both"),
    ("# source: t\nsymbol\tdirection\nBdnf\tup\n", r"x\.tsv: line 2: no 'gene' column"),
    ("# source: t\ngene\tgene\nBdnf\tBdnf\n", r"x\.tsv: line 2: column\(s\) gene appear"),
    ("# source: t\ngene\tdirection\n\tup\n", r"x\.tsv: line 3: empty gene"),
    ("# source: t\ngene\nBdnf\tup\n", r"x\.tsv: line 3: 2 fields for 1 columns"),
    ("# source: t\ngene\n", r"x\.tsv: line 2: the table has a header but no gene rows"),
    ("# source: t\n", r"x\.tsv: no table after the header lines"),
    ("# source: t\n# name: my list\ngene\nBdnf\n",
     r"x\.tsv: line 2: signature name 'my list' must start with a letter"),
    ("# source: t\n# name: a\ngene\tsignature\nBdnf\tb\n",
     r"x\.tsv: line 2: '# name:' is for files without a 'signature' column"),
    ("# source: t\ngene\tsignature\nBdnf\t\n", r"x\.tsv: line 3: empty signature name"),
    ("# source: t\n# organism: human\ngene\nBDNF\n",
     r"x\.tsv: line 2: organism is human, so the human→mouse mapping needs orthologs and "
     r"human_info"),
])
def test_tsv_errors_name_file_and_line(tmp_path, ncbi, text, message):
    path = write(tmp_path, "x.tsv", text)
    kwargs = ncbi if "organism: human" not in text else {"mouse_genes": ncbi["mouse_genes"]}
    with pytest.raises(InputError, match=message):
        sg.read_signature_file(path, **kwargs)


@pytest.mark.parametrize("text, message", [
    ("# source: t\nA_UP\tna\tBdnf\nA_UP\tna\tCrh\n",
     r"x\.gmt: line 3: gene set 'A_UP' already defined on line 2"),
    ("# source: t\nA\tna\tBdnf\nA_UP\tna\tCrh\n",
     r"x\.gmt: line 3: set 'A_UP' clashes with an earlier set"),
    ("# source: t\nA_DN\tna\tBdnf\nA_DOWN\tna\tCrh\n",
     r"x\.gmt: line 3: a second down set for 'A'"),
    ("# source: t\nA_UP\tna\t\t\n", r"x\.gmt: line 2: gene set 'A_UP' has no genes"),
    ("# source: t\nA_UP Bdnf Crh\n", r"x\.gmt: line 2: not a GMT line"),
    ("# source: t\n# name: a\nA\tna\tBdnf\n", r"x\.gmt: line 2: '# name:' does not apply"),
    ("# source: t\n", r"x\.gmt: no gene set lines after the header"),
])
def test_gmt_errors_name_file_and_line(tmp_path, ncbi, text, message):
    path = write(tmp_path, "x.gmt", text)
    with pytest.raises(InputError, match=message):
        sg.read_signature_file(path, **ncbi)


def test_human_gene_ids_need_only_orthologs(tmp_path, ncbi):
    path = write(tmp_path, "h.tsv", "# source: t\n# organism: human\n# id_type: GeneID\n"
                 "gene\n627\n2289\n")
    [sig] = sg.read_signature_file(path, mouse_genes=ncbi["mouse_genes"],
                                   orthologs=ncbi["orthologs"])
    assert sig.genes["symbol"].tolist() == ["Bdnf", "Fkbp5"]


def test_html_page_refused(tmp_path, ncbi):
    path = write(tmp_path, "x.tsv", "<!DOCTYPE html><html><body>404</body></html>\n")
    with pytest.raises(InputError, match=r"x\.tsv: is an HTML page"):
        sg.read_signature_file(path, **ncbi)


# ------------------------------------------------------------------ tables


def test_signature_table_and_mapping_report(ncbi):
    sigs = sg.read_signatures([SIGS / "mouse_stress.tsv", SIGS / "multi_geneid.tsv"], **ncbi)
    table = sg.signature_table(sigs)
    assert table.columns.tolist() == ["signature", "GeneID", "symbol", "direction", "score"]
    assert table["signature"].tolist() == ["mouse_stress"] * 4 + ["pain_like"] * 2 + \
        ["stress_like"] * 2
    assert table["GeneID"].tolist() == [14229, 12918, 12064, 14815, 12064, 14229, 12918, 14229]
    assert table["direction"].dtype == np.int64
    report = sg.mapping_report(sigs)
    assert report.columns.tolist() == ["signature", *sg.META_COLUMNS]
    assert report["signature"].tolist() == ["mouse_stress", "pain_like", "stress_like"]
    assert report["n_mapped"].tolist() == [4, 2, 2]
    assert report["mapping_rate"].round(4).tolist() == [0.8, 1.0, 0.6667]
    assert report["file"].tolist()[1] == str(SIGS / "multi_geneid.tsv")


def test_empty_signature_table():
    table = sg.signature_table([])
    assert table.empty and table.columns.tolist() == ["signature", "GeneID", "symbol",
                                                      "direction", "score"]
    assert sg.mapping_report([]).columns.tolist() == ["signature", *sg.META_COLUMNS]


def test_duplicate_names_across_files(tmp_path, ncbi):
    a = write(tmp_path, "a.tsv", "# source: t\n# name: same\ngene\nBdnf\n")
    b = write(tmp_path, "b.tsv", "# source: t\n# name: same\ngene\nCrh\n")
    with pytest.raises(InputError, match=r"b\.tsv: signature name 'same' is already used "
                                         r"in .*a\.tsv"):
        sg.read_signatures([a, b], **ncbi)


def test_output_is_deterministic(ncbi):
    """Same file, same tables (the workflow writes them as TSV)."""
    one = sg.signature_table(sg.read_signature_file(SIGS / "human_depression.tsv", **ncbi))
    two = sg.signature_table(sg.read_signature_file(SIGS / "human_depression.tsv", **ncbi))
    pd.testing.assert_frame_equal(one, two)
    assert one.to_csv(sep="\t", index=False) == two.to_csv(sep="\t", index=False)


def test_read_header_gives_the_settings_without_the_genes(tmp_path):
    path = tmp_path / "human.tsv"
    path.write_text("# source: a table\n# organism: Homo sapiens\ngene\nBDNF\n")
    assert sg.read_header(path)["organism"] == "human"
    path.write_text("# citation: x\ngene\nBdnf\n")
    with pytest.raises(InputError, match="no '# source"):
        sg.read_header(path)


# ------------------------------------------------------------------ the study's mouse genes


def test_read_mouse_genes_keeps_only_the_mouse_rows(tmp_path, ncbi):
    """genes.tsv lists human datasets' genes too: a human BDNF row must not let a mouse list
    written with human symbols map (it would, to human GeneID 627, without the filter)."""
    genes = write(tmp_path, "genes.tsv", "GeneID\tsymbol\torganism\n627\tBDNF\tHomo sapiens\n"
                  "12064\tBdnf\tMus musculus\n99999\t\tMus musculus\n")
    mouse = ncbi_files.read_mouse_genes(genes)
    assert mouse.values.tolist() == [[12064, "Bdnf", "Mus musculus"],
                                     [99999, "", "Mus musculus"]]  # no symbol: ""
    listed = write(tmp_path, "mixed.tsv", "# source: t\n# organism: mouse\ngene\nBDNF\nBdnf\n")
    [sig] = sg.read_signature_file(listed, mouse_genes=mouse)
    assert sig.genes["GeneID"].tolist() == [12064]
    assert sig.meta["n_unmapped"] == 1 and sig.meta["unmapped_examples"] == "BDNF (unknown)"
    one = write(tmp_path, "one_organism.tsv", "GeneID\tsymbol\n12064\tBdnf\n")
    assert ncbi_files.read_mouse_genes(one).values.tolist() == [[12064, "Bdnf"]]


# ------------------------------------------------------------------ curated public sources

# Real-format excerpts (see the SOURCES.md files there) and the hand-written MP files of
# tests/data/genesets/; the expected genes are those tests/test_genesets.py reads by hand.
FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "genesets"
GWAS_EXPORT = FIXTURES / "gwas_catalog" / "gwas-association-EFO_0003761-withChildTraits.excerpt.tsv"
JENSEN = FIXTURES / "jensen_diseases" / "human_disease_experiments_filtered.excerpt.tsv"
MP_FILES = [DATA / "genesets" / "MGI_GenePheno.test.rpt", DATA / "genesets" / "mp_test.obo"]
NO_RECORD = "no download record (simulated demo file or placed by hand)"


def read_written(path: Path) -> tuple[dict, pd.DataFrame]:
    """A written signature file: its header settings and its gene table."""
    return sg.read_header(path), pd.read_csv(path, sep="\t", comment="#")


def test_curated_gwas_signature(tmp_path):
    """GCST005835 (EFO_0005658): MSRA, XKR6, PLEKHM1, CELF4 hold a lead SNP; PRAG1 and
    RN7SKP263 only flank intergenic ones, kept or not by ``intergenic``."""
    spec = {"gwas_catalog": {"traits": ["EFO_0005658"], "p_max": 5e-8, "intergenic": True},
            "citation": "PMID 30718901", "description": "SSRI response"}
    path = tmp_path / "curated" / "ssri_gwas.tsv"
    sg.curated_signature("ssri_gwas", "gwas_catalog", spec, [GWAS_EXPORT], path)
    header, genes = read_written(path)
    assert genes["gene"].tolist() == ["CELF4", "MSRA", "PLEKHM1", "PRAG1", "RN7SKP263", "XKR6"]
    assert header["organism"] == "human" and header["citation"] == "PMID 30718901"
    assert header["source"] == ("NHGRI-EBI GWAS Catalog, traits EFO_0005658, p <= 5e-08, "
                                f"mapped genes ({GWAS_EXPORT.name}, {NO_RECORD})")
    assert "# name: ssri_gwas\n" in path.read_text()
    assert "# description: SSRI response\n" in path.read_text()
    spec["gwas_catalog"]["intergenic"] = False
    sg.curated_signature("ssri_gwas", "gwas_catalog", spec, [GWAS_EXPORT], path)
    assert read_written(path)[1]["gene"].tolist() == ["CELF4", "MSRA", "PLEKHM1", "XKR6"]


def test_curated_mgi_signature_leaves_out_markers_without_a_symbol(tmp_path):
    """MP:0001362 and below: Crhr1, Htr1a and MGI:9300002, which only a two-gene genotype
    carries (the report gives it no symbol, so the file cannot name it)."""
    path = tmp_path / "anxiety_mgi.tsv"
    sg.curated_signature("anxiety_mgi", "mgi", {"mgi": {"terms": ["MP:0001362"]}}, MP_FILES,
                         path)
    header, genes = read_written(path)
    assert genes[["gene", "mgi_id"]].values.tolist() == [["Crhr1", "MGI:88498"],
                                                         ["Htr1a", "MGI:96273"]]
    assert header["organism"] == "mouse" and header["citation"] == ""
    assert header["source"] == (
        "MGI genotype-phenotype annotations, MP terms MP:0001362 and descendants "
        f"(MGI_GenePheno.test.rpt, {NO_RECORD}; mp_test.obo, {NO_RECORD})")


def test_curated_diseases_signature_names_its_download(tmp_path):
    source = tmp_path / JENSEN.name
    source.write_bytes(JENSEN.read_bytes())
    provenance_path(source).write_text(json.dumps(
        {"url": "https://download.jensenlab.org/human_disease_experiments_filtered.tsv",
         "fetched": "2026-01-02T03:04:05+00:00"}))
    path = tmp_path / "anxiety_diseases.tsv"
    spec = {"diseases": {"doid": "DOID:2030", "min_score": 1.1}}
    sg.curated_signature("anxiety_diseases", "diseases", spec, [source], path)
    header, genes = read_written(path)
    assert genes[["gene", "score"]].values.tolist() == [
        ["NFKBIZ", 1.154], ["NTRK2", 1.205], ["PDE4B", 1.534], ["ZPLD1", 1.154]]
    assert header["organism"] == "human"
    assert header["source"] == (
        "JensenLab DISEASES experiments channel, DOID:2030, score >= 1.1 "
        f"({JENSEN.name} from https://download.jensenlab.org/"
        "human_disease_experiments_filtered.tsv, downloaded 2026-01-02)")


def test_curated_signature_unknown_source(tmp_path):
    with pytest.raises(ValueError, match=r"x: unknown curated source 'kegg'"):
        sg.curated_signature("x", "kegg", {"kegg": {}}, [], tmp_path / "x.tsv")
    assert not (tmp_path / "x.tsv").exists()
