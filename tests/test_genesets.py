"""Tests for painstress.data.genesets: GWAS Catalog, MGI/MP, DISEASES, GMT and GO readers.

The real-format excerpts are read from shared/fixtures/genesets/ (see the SOURCES.md files
there); expected genes were picked by reading the fixture rows by hand. Hand-written
ontology/annotation files for what the excerpts lack are in tests/data/genesets/ (see its
README). Damaged copies (CRLF, zip, gzip, HTML, bad layouts) are made in tmp_path.
"""

from __future__ import annotations

import gzip
import logging
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from conftest import SMALL
from painstress import InputError
from painstress.compare import signatures as sg
from painstress.data import genesets as gs
from painstress.data import ncbi_files
from painstress.demo.genesets import write_demo_genesets

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "genesets"
GWAS = FIXTURES / "gwas_catalog"
EXPORT = GWAS / "gwas-association-EFO_0003761-withChildTraits.excerpt.tsv"
V101 = GWAS / "gwas_catalog_v1.0.1-downloaded_2015-06-08.anxiety_neuroticism_mdd.excerpt.tsv"
DIPPER = GWAS / "dipper_test_gwas-catalog-associations_ontology-annotated.rs1491921.tsv"
MGI = FIXTURES / "mgi"
GO = FIXTURES / "go"
DATA = Path(__file__).resolve().parent / "data"
LOCAL = DATA / "genesets"

# Howard et al. 2019 (GCST007342, EFO_0003761), all rows with P-VALUE <= 5e-8, read by hand
# from the export: genes the lead SNP lies in ("A" or "A, B") ...
HOWARD_IN_GENE = {
    "CELF4", "DCC", "RAB27B", "TCF4", "ZNF536", "SLC12A5", "PCDH9", "AREL1", "RBFOX1",
    "METTL9", "RERE-AS1", "RERE", "ELAVL4", "NRDC", "SGIP1", "SORCS3", "DCDC1", "DAGLA",
    "LTBP3", "SHANK2", "GRM5", "SOX5", "SPPL3", "STK24", "RTN1", "ESR2", "SEMA6D", "SHISA9",
    "PIPOX", "SAMD5", "MAD1L1", "TMEM106B", "PCLO", "CTTNBP2", "CYP7B1", "CARM1P1",
    "ELAVL2", "PAX5", "ASTN2", "TLR4", "DENND1A", "CACNA1E", "DENND1B", "RNF103-CHMP3",
    "LINC01876", "MYOSLID", "FHIT", "RSRC1", "HTT", "KIAA1109", "TMEM161B", "FAM172A",
    "POU5F2", "LIN28B-AS1"}
# ... and flanking genes of intergenic lead SNPs ("A - B", "NA" = no gene on that side)
HOWARD_FLANKING = {
    "LINC01929", "CTDP1", "KCNG2", "EMILIN3", "CHD6", "ACTBP15", "MIR1281", "LRFN5",
    "FTLP18", "GRIK3", "RNU6-636P", "RNA5SP43", "NEGR1", "RPL31P12", "RN7SKP19",
    "HMGB1P18", "RPS29P5", "COP1", "OR5BA1P", "OR5AZ1P", "DRD2", "B3GLCT", "OLFM4",
    "LINC01065", "SPRY2", "RNU7-160P", "BAG5", "HIVEP2", "SEMA3E", "NCOA2", "RN7SL203P",
    "RN7SL720P", "ADARB2", "LINC01645", "RNA5SP87", "ACTG1P22", "ZKSCAN7-AS1", "SOCS5P3",
    "KLHDC8B", "C3orf84", "SLC30A9", "BEND4", "LINC02479", "RN7SKP157", "KIF2A",
    "LINC02163", "RNU6-334P", "H1-5", "H3C11", "ADH5P4", "ASCC3", "GRIK2"}
# GCST005835 (neuroticism + SSRI response; EFO_0007660, EFO_0005658), P <= 5e-8
GCST005835 = {"PRAG1": True, "MSRA": False, "XKR6": False, "RN7SKP263": True,
              "PLEKHM1": False, "CELF4": False}  # gene -> flanking only


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


# ------------------------------------------------------------------ GWAS Catalog: reading


def test_export_crlf_read_without_carriage_returns():
    assert b"\r\n" in EXPORT.read_bytes()  # the fixture really is CRLF
    table = gs.read_gwas_catalog(EXPORT)
    assert len(table) == 157 and len(table.columns) == 38 + 1
    assert table.columns[-1] == "line" and table["line"].tolist()[:2] == [2, 3]
    assert table["GENOTYPING TECHNOLOGY"].iat[0] == "Genome-wide genotyping array"
    assert not table.apply(lambda col: col.astype(str).str.contains("\r")).any().any()
    assert table.attrs["path"] == str(EXPORT)


def test_v101_layout_renamed_to_v102_names():
    table = gs.read_gwas_catalog(V101)
    assert len(table) == 70
    assert "INITIAL SAMPLE SIZE" in table.columns
    assert "INITIAL SAMPLE DESCRIPTION" not in table.columns
    assert "STUDY ACCESSION" not in table.columns


def test_zip_holding_one_tsv_reads_like_the_tsv(tmp_path):
    packed = tmp_path / "gwas-catalog-associations_ontology-annotated-full.zip"
    with zipfile.ZipFile(packed, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(EXPORT, "gwas-catalog-download-associations-alt-full.tsv")
    from_zip = gs.read_gwas_catalog(packed)
    pd.testing.assert_frame_equal(from_zip, gs.read_gwas_catalog(EXPORT))


def test_zip_with_two_files_refused(tmp_path):
    packed = tmp_path / "two.zip"
    with zipfile.ZipFile(packed, "w") as archive:
        archive.write(EXPORT, "a.tsv")
        archive.write(V101, "b.tsv")
    with pytest.raises(InputError, match=r"two\.zip: a ZIP archive .* holds a\.tsv, b\.tsv"):
        gs.read_gwas_catalog(packed)


def test_zip_holding_no_tsv_says_so(tmp_path):
    """A ZIP holding only a README (or nothing) was read as the table and refused for its
    columns ("found nothing here"); the message must say what is wrong with the ZIP."""
    for name, members in (("readme.zip", {"README.txt": "GWAS Catalog release notes\n"}),
                          ("empty.zip", {})):
        packed = tmp_path / name
        with zipfile.ZipFile(packed, "w") as archive:
            for member, text in members.items():
                archive.writestr(member, text)
        with pytest.raises(InputError, match=rf"{name}: the ZIP holds no TSV \(it holds "
                                             rf"{'README.txt' if members else 'nothing'}\)"):
            gs.read_gwas_catalog(packed)


def test_gzip_recognised_by_content_not_name(tmp_path):
    packed = tmp_path / "associations.tsv"  # no .gz in the name
    packed.write_bytes(gzip.compress(V101.read_bytes()))
    pd.testing.assert_frame_equal(gs.read_gwas_catalog(packed).drop(columns="line"),
                                  gs.read_gwas_catalog(V101).drop(columns="line"))


def test_truncated_gzip_refused(tmp_path):
    packed = tmp_path / "cut.tsv.gz"
    packed.write_bytes(gzip.compress(V101.read_bytes())[:3000])
    with pytest.raises(InputError, match=r"cut\.tsv\.gz: cannot be read to the end"):
        gs.read_gwas_catalog(packed)


def test_html_page_refused(tmp_path):
    page = write(tmp_path, "gwas.tsv", "<!DOCTYPE html>\n<html><head><title>EBI</title></head>"
                 "<body>Service unavailable</body></html>\n")
    with pytest.raises(InputError, match=r"gwas\.tsv: is an HTML page"):
        gs.read_gwas_catalog(page)


def test_v10_file_without_ontology_columns_refused(tmp_path):
    lines = EXPORT.read_text(encoding="utf-8").split("\n")
    cut = ["\t".join(line.split("\t")[:34]) for line in lines[:3]]  # up to CNV, as v1.0
    path = write(tmp_path, "gwas_catalog_v1.0-associations.tsv", "\n".join(cut) + "\n")
    with pytest.raises(InputError, match=r"v1\.0-associations\.tsv: line 1: no "
                                         r"MAPPED_TRAIT_URI.*ontology-annotated"):
        gs.read_gwas_catalog(path)


def test_other_table_refused_naming_the_file(tmp_path):
    path = write(tmp_path, "genes.tsv", "gene\tscore\nBDNF\t1\n")
    with pytest.raises(InputError, match=r"genes\.tsv: line 1: not a GWAS Catalog "
                                         r"associations table.*MAPPED_GENE"):
        gs.read_gwas_catalog(path)


def test_row_with_missing_field_refused_with_its_line(tmp_path):
    lines = V101.read_text(encoding="utf-8").split("\n")
    lines[5] = lines[5].rsplit("\t", 1)[0]  # drop the last field of line 6
    path = write(tmp_path, "short.tsv", "\n".join(lines))
    with pytest.raises(InputError, match=r"short\.tsv: line 6: 35 tab-separated fields, "
                                         r"the header has 36"):
        gs.read_gwas_catalog(path)


# ------------------------------------------------------------------ GWAS Catalog: genes


@pytest.mark.parametrize("text, expected", [
    ("SLIT3", [("SLIT3", False)]),
    ("LINC02479 - PGBD4P4", [("LINC02479", True), ("PGBD4P4", True)]),
    ("GAPDHP56 - NA", [("GAPDHP56", True)]),
    ("NA - LRFN5", [("LRFN5", True)]),
    ("WDR64, OPN3", [("WDR64", False), ("OPN3", False)]),
    ("PLEKHM1, PLEKHM1, PLEKHM1", [("PLEKHM1", False)]),
    ("RNF103-CHMP3", [("RNF103-CHMP3", False)]),
    ("H1-5 - H3C11", [("H1-5", True), ("H3C11", True)]),
    ("No mapped genes", []), ("NR", []), ("", []), ("intergenic", []),
    ("TCF4; No mapped genes; DCC - TCF4", [("TCF4", False), ("DCC", True)]),
    ("APOE x TOMM40", [("APOE", False), ("TOMM40", False)]),
])
def test_parse_mapped_genes(text, expected):
    assert gs.parse_mapped_genes(text) == expected


def test_howard_2019_depression_genes():
    sig = gs.gwas_signature(gs.read_gwas_catalog(EXPORT), ["EFO_0003761"])
    assert sig.columns.tolist() == ["gene", "trait_ids", "studies", "n_associations",
                                    "min_p_value", "flanking_only"]
    assert set(sig["gene"]) == HOWARD_IN_GENE | HOWARD_FLANKING
    assert sig["gene"].tolist() == sorted(sig["gene"])
    assert set(sig.loc[sig["flanking_only"], "gene"]) == HOWARD_FLANKING
    # GCST008506-8 also carry EFO_0003761 but none reaches 5e-8
    assert set(sig["studies"]) == {"GCST007342"}
    assert set(sig["trait_ids"]) == {"EFO_0003761"}
    row = sig.set_index("gene")
    assert row.loc["RBFOX1", "n_associations"] == 2  # two lead SNPs, 4E-19 and 4E-23
    assert row.loc["RBFOX1", "min_p_value"] == pytest.approx(4e-23)
    assert row.loc["ZNF536", "min_p_value"] == pytest.approx(5e-8)  # p == p_max is kept
    assert row.loc["NEGR1", "min_p_value"] == pytest.approx(4e-52)


def test_multi_trait_rows_and_genes_supported_by_two_studies():
    table = gs.read_gwas_catalog(EXPORT)
    sig = gs.gwas_signature(table, ["http://www.ebi.ac.uk/efo/EFO_0005658"])
    assert dict(zip(sig["gene"], sig["flanking_only"])) == dict(sorted(GCST005835.items()))
    both = gs.gwas_signature(table, ["EFO_0003761", "EFO:0005658"]).set_index("gene")
    assert len(both) == len(HOWARD_IN_GENE | HOWARD_FLANKING | set(GCST005835))
    assert both.loc["CELF4", "trait_ids"] == "EFO_0003761; EFO_0005658"
    assert both.loc["CELF4", "studies"] == "GCST005835; GCST007342"
    assert both.loc["CELF4", "min_p_value"] == pytest.approx(1e-19)


def test_all_rows_of_a_with_children_export():
    sig = gs.gwas_signature(gs.read_gwas_catalog(EXPORT), None)
    # the only other row at 5e-8: IRAK3 4E-8 (EFO_0009748, a child trait)
    assert set(sig["gene"]) == HOWARD_IN_GENE | HOWARD_FLANKING | set(GCST005835) | {"IRAK3"}
    assert sig.set_index("gene").loc["IRAK3", "trait_ids"] == "EFO_0009748"
    assert sig.set_index("gene").loc["PLEKHM1", "trait_ids"] == "EFO_0005658; EFO_0007660"


def test_keep_intergenic_false_drops_flanking_genes():
    sig = gs.gwas_signature(gs.read_gwas_catalog(EXPORT), ["EFO_0003761"],
                            keep_intergenic=False)
    assert set(sig["gene"]) == HOWARD_IN_GENE
    assert not sig["flanking_only"].any()


def test_v101_panic_disorder_with_pubmed_ids_as_studies():
    sig = gs.gwas_signature(gs.read_gwas_catalog(V101), ["EFO_0004262"])
    # ANO2 4E-9 and PKP1 5E-8 (PMID 19165232); the other 16 panic rows are weaker or empty
    assert sig["gene"].tolist() == ["ANO2", "PKP1"]
    assert sig["studies"].tolist() == ["PMID:19165232", "PMID:19165232"]
    loose = gs.gwas_signature(gs.read_gwas_catalog(V101), ["EFO_0004262"], p_max=3e-7)
    assert loose["gene"].tolist() == ["ANO2", "CALCOCO1", "LOC101927284", "PKP1", "SDK2"]


def test_no_significant_gene_is_an_error_that_counts_rows():
    table = gs.read_gwas_catalog(V101)
    with pytest.raises(InputError, match=r"anxiety_neuroticism_mdd\.excerpt\.tsv: no mapped "
                                         r"gene for trait\(s\) EFO_0005230 .*13 row\(s\)"):
        gs.gwas_signature(table, ["EFO_0005230"])  # anxiety: best P is 3E-7
    with pytest.raises(InputError, match="0 row"):
        gs.gwas_signature(table, ["MONDO_0002009"])
    with pytest.raises(InputError, match="ontology ids"):
        gs.gwas_signature(table, ["depression"])


def test_dipper_full_file_row_with_two_trait_uris():
    table = gs.read_gwas_catalog(DIPPER)
    sig = gs.gwas_signature(table, ["EFO_0000270"], p_max=1e-6)  # asthma; the row has 7E-7
    assert sig["gene"].tolist() == ["AC093274.1", "AC140172.1"]
    assert sig["flanking_only"].all() and sig["studies"].tolist() == ["GCST002875"] * 2


def test_multi_snp_row_with_no_mapped_genes(tmp_path):
    lines = EXPORT.read_bytes().decode("utf-8").split("\r\n")
    header = lines[0].split("\t")
    fields = lines[1].split("\t")  # a real row, edited: a 3-SNP haplotype at 1E-9
    fields[header.index("MAPPED_GENE")] = "SLIT3; No mapped genes; PTCHD1 - NA; SLIT3"
    fields[header.index("P-VALUE")] = "1E-9"
    path = write(tmp_path, "haplotype.tsv", lines[0] + "\n" + "\t".join(fields) + "\n")
    sig = gs.gwas_signature(gs.read_gwas_catalog(path), ["EFO_0009854"])
    assert sig[["gene", "flanking_only", "n_associations"]].values.tolist() == \
        [["PTCHD1", True, 1], ["SLIT3", False, 1]]


# ------------------------------------------------------------------ OBO


def test_read_real_obo_heads():
    mp = gs.read_obo(MGI / "mp_head.obo")
    assert mp.data_version == "releases/2017-06-05"
    assert mp.primary("MP:0000368") == "MP:0002075"
    assert mp.descendants("MP:0001186", ["is_a"]) == {"MP:0001186", "MP:0001188",
                                                      "MP:0002075"}
    go = gs.read_obo(GO / "go_head.obo")
    assert gs.term_names(go, "C") == {"GO:0005575": "cellular_component",
                                      "GO:0005576": "extracellular region"}
    assert gs.term_names(go, "molecular_function") == {"GO:0003674": "molecular_function",
                                                       "GO:0031386": "protein tag"}
    assert go.primary("GO:0000004") == "GO:0008150"


def test_obo_gzip_crlf_and_html(tmp_path):
    crlf = (MGI / "mp_head.obo").read_text(encoding="utf-8").replace("\n", "\r\n")
    packed = tmp_path / "mp.obo"
    packed.write_bytes(gzip.compress(crlf.encode()))
    assert gs.read_obo(packed).names == gs.read_obo(MGI / "mp_head.obo").names
    page = write(tmp_path, "go-basic.obo", "<html><body><h1>302 Found</h1></body></html>")
    with pytest.raises(InputError, match=r"go-basic\.obo: is an HTML page"):
        gs.read_obo(page)
    with pytest.raises(InputError, match=r"mgi_valid\.gaf\.head51: no \[Term\] stanza"):
        gs.read_obo(GO / "mgi_valid.gaf.head51")


@pytest.fixture(scope="module")
def demo_sources(small_study, tmp_path_factory) -> dict[str, Path]:
    """The demo's curated sources (anxiety_mgi: MP:0001362 and below, 24 genes)."""
    return write_demo_genesets(small_study, tmp_path_factory.mktemp("demo"), SMALL.seed + 3)


def test_demo_anxiety_signature_has_its_24_genes(demo_sources):
    sig = gs.mgi_signature(demo_sources["mgi_genepheno"], demo_sources["mp_obo"],
                           ["MP:0001362"])
    assert len(sig) == 24


# Where a copy of the demo mp.obo is cut off: mid-line, after a stanza's id line, and at a
# line end after a stanza's name (its is_a line lost; the terms after the cut are named as
# parents above it). Unchecked, the first gave anxiety_mgi 5 genes instead of 24.
MP_CUTS = {
    "mid-line": "id: MP:0001363\nname: increased anxi",
    "after the id line": "[Term]\nid: MP:0001364\n",
    "after a name line": "id: MP:0001364\nname: decreased anxiety-related response\n",
}


@pytest.mark.parametrize("cut", MP_CUTS)
def test_obo_cut_mid_stanza_is_refused_as_truncated(demo_sources, cut, tmp_path):
    text = demo_sources["mp_obo"].read_text(encoding="utf-8")
    end = text.index(MP_CUTS[cut]) + len(MP_CUTS[cut])
    path = write(tmp_path, "mp.obo", text[:end])
    with pytest.raises(InputError, match=r"mp\.obo: .*looks truncated.*download it again"):
        gs.mgi_signature(demo_sources["mgi_genepheno"], path, ["MP:0001362"])


def test_obo_is_a_cycle_is_refused_naming_its_terms(demo_sources, tmp_path):
    """MP:0002065 (fear/anxiety) made a child of MP:0001363, itself below MP:0001362 and
    that below MP:0002065: unchecked, anxiety_mgi took in the fear terms, 32 genes."""
    text = demo_sources["mp_obo"].read_text(encoding="utf-8")
    stanza = "id: MP:0002065\nname: abnormal fear/anxiety-related behavior\n"
    path = write(tmp_path, "mp.obo", text.replace(
        stanza, stanza + "is_a: MP:0001363 ! increased anxiety-related response\n"))
    with pytest.raises(InputError, match=r"mp\.obo: the is_a relations have a cycle \((?=.*"
                                         r"MP:0001362)(?=.*MP:0001363)(?=.*MP:0002065).*"
                                         r"directed acyclic graph"):
        gs.mgi_signature(demo_sources["mgi_genepheno"], path, ["MP:0001362"])


def test_obo_header_must_start_with_format_version(tmp_path):
    text = (LOCAL / "mp_test.obo").read_text(encoding="utf-8")
    assert text.startswith("format-version: 1.2\n")
    path = write(tmp_path, "mp.obo", text.split("\n", 1)[1])
    with pytest.raises(InputError, match=r"mp\.obo: the OBO header must start with "
                                         r"'format-version:'"):
        gs.read_obo(path)


def test_obo_term_counts_are_logged(caplog):
    with caplog.at_level(logging.INFO, logger="painstress.data.genesets"):
        onto = gs.read_obo(LOCAL / "mp_test.obo")
    n_is_a = sum(r == "is_a" for edges in onto.parents.values() for r, _ in edges)
    assert (f"mp_test.obo: data-version {onto.data_version}, {len(onto.names)} live terms, "
            f"{len(onto.obsolete)} obsolete, {n_is_a} is_a edges") in caplog.text


# ------------------------------------------------------------------ MGI


def test_read_real_genepheno():
    table = gs.read_mgi_genepheno(MGI / "MGI_GenePheno.rpt.excerpt")
    assert len(table) == 20
    row = table.iloc[14]  # Rasa3<scat>, two PubMed ids
    assert (row["mp_id"], row["pubmed_ids"], row["marker_ids"], row["genotype_ids"]) == \
        ("MP:0003717", "2383655|22773809", "MGI:1197013", "MGI:5433360")


def test_mgi_signature_on_real_rows():
    genepheno = MGI / "MGI_GenePheno.rpt.excerpt"
    sig = gs.mgi_signature(genepheno, LOCAL / "mp_test.obo", ["MP:0000001"])
    assert sig[["symbol", "mgi_id", "n_genotypes"]].values.tolist() == [
        ["Kit", "MGI:96677", 1], ["Kitl", "MGI:96974", 1], ["Rasa3", "MGI:1197013", 1],
        ["Rb1", "MGI:97874", 2]]
    assert sig.set_index("symbol").loc["Kitl", "mp_ids"] == \
        "MP:0001577; MP:0002875; MP:0009278; MP:0011089; MP:0011182"
    one = gs.mgi_signature(genepheno, LOCAL / "mp_test.obo", ["MP:0000961"])
    assert one[["symbol", "query_ids", "mp_ids", "n_genotypes"]].values.tolist() == \
        [["Rb1", "MP:0000961", "MP:0000961", 2]]  # both Rb1 alleles


def test_mp_descendants_resolved_from_the_obo():
    genepheno = LOCAL / "MGI_GenePheno.test.rpt"
    mp = gs.read_obo(LOCAL / "mp_test.obo")
    anxiety = gs.mgi_signature(genepheno, mp, ["MP:0001362"])
    # Crhr1: 'decreased' child (2 genotypes) + the parent itself via a two-gene genotype;
    # Htr1a: 'increased' child; MGI:9300002 has no single-gene genotype, so no symbol
    assert anxiety.values.tolist() == [
        ["Crhr1", "MGI:88498", "MP:0001362", "MP:0001362; MP:0001364", 3],
        ["Htr1a", "MGI:96273", "MP:0001362", "MP:0001363", 1],
        ["", "MGI:9300002", "MP:0001362", "MP:0001362", 1]]
    emotion = gs.mgi_signature(genepheno, mp, ["MP:0001362", "MP:0003360"])
    assert emotion.set_index("mgi_id").loc["MGI:2651811"].tolist() == \
        ["Tph2", "MP:0003360", "MP:0002573; MP:0009710", 1]
    grand = gs.mgi_signature(genepheno, mp, ["MP:0002572"])  # two levels up
    assert grand["symbol"].tolist() == ["Crhr1", "Htr1a", "Tph2", ""]


def test_mp_part_of_not_followed_unless_asked():
    genepheno = LOCAL / "MGI_GenePheno.test.rpt"
    mp = gs.read_obo(LOCAL / "mp_test.obo")
    assert "Testgene1" not in set(gs.mgi_signature(genepheno, mp, ["MP:0001362"])["symbol"])
    both = gs.mgi_signature(genepheno, mp, ["MP:0001362"], relations=("is_a", "part_of"))
    assert "Testgene1" in set(both["symbol"])


def test_mp_alt_id_annotation_counts_for_primary_term():
    sig = gs.mgi_signature(LOCAL / "MGI_GenePheno.test.rpt", LOCAL / "mp_test.obo",
                           ["MP:0001186"])
    assert sig.values.tolist() == [["Kit", "MGI:96677", "MP:0001186", "MP:0002075", 1]]


def test_mp_obsolete_and_unknown_query_terms():
    mp = gs.read_obo(LOCAL / "mp_test.obo")
    genepheno = LOCAL / "MGI_GenePheno.test.rpt"
    with pytest.raises(InputError, match=r"MP:9990003 is obsolete \(replaced by MP:0002573\)"):
        gs.mgi_signature(genepheno, mp, ["MP:9990003"])
    with pytest.raises(InputError, match=r"mp_test\.obo: term MP:1234567 is not in"):
        gs.mgi_signature(genepheno, mp, ["MP:1234567"])
    with pytest.raises(InputError, match=r"MGI_GenePheno\.test\.rpt: no genotype is "
                                         r"annotated with MP:0000961"):
        gs.mgi_signature(genepheno, mp, ["MP:0000961"])  # only in the real excerpt


def test_genepheno_layouts_refused(tmp_path):
    phenogeno = write(tmp_path, "MGI_PhenoGenoMP.rpt",
                      "Rb1<tm1Tyj>/Rb1<tm1Tyj>\tRb1<tm1Tyj>\tinvolves: 129S2/SvPas\tMP:0000600"
                      "\t12529408\tMGI:97874\tMGI:2166359\n")
    with pytest.raises(InputError, match=r"MGI_PhenoGenoMP\.rpt: line 1: expected the 8 .*"
                                         r"looks like MGI_PhenoGenoMP"):
        gs.read_mgi_genepheno(phenogeno)
    hmd = MGI / "HMD_HumanPhenotype.rpt.excerpt"
    with pytest.raises(InputError, match=r"HMD_HumanPhenotype\.rpt\.excerpt: line 1"):
        gs.read_mgi_genepheno(hmd)


# ------------------------------------------------------------------ Gene Ontology


def test_go_propagation_is_a_and_part_of_not_regulates():
    sets = gs.go_gene_sets(LOCAL / "go_test.gaf", LOCAL / "go_test.obo", min_size=1)
    assert sets == {
        "GO:0008150": {"GeneA", "GeneB", "GeneC", "GeneE"},
        "GO:9000001": {"GeneA"},  # GO:9000003 part_of GO:9000002 is_a GO:9000001
        "GO:9000002": {"GeneA"},  # GeneC's NOT row adds nothing; GeneB only regulates it
        "GO:9000003": {"GeneA"},
        "GO:9000004": {"GeneB"},
        "GO:9000006": {"GeneC", "GeneE"},  # GeneE annotated to the alt_id GO:9000016
    }  # GeneD: obsolete term; GeneF: ND evidence; GeneG: a component
    assert list(sets) == sorted(sets)


def test_go_evidence_sizes_and_aspect():
    gaf, obo = LOCAL / "go_test.gaf", gs.read_obo(LOCAL / "go_test.obo")
    no_iea = gs.go_gene_sets(gaf, obo, evidence_exclude=("ND", "IEA"), min_size=1)
    assert no_iea["GO:9000006"] == {"GeneE"}
    assert no_iea["GO:0008150"] == {"GeneA", "GeneB", "GeneE"}
    keep_nd = gs.go_gene_sets(gaf, obo, evidence_exclude=(), min_size=1)
    assert keep_nd["GO:0008150"] == {"GeneA", "GeneB", "GeneC", "GeneE", "GeneF"}
    assert list(gs.go_gene_sets(gaf, obo, min_size=2)) == ["GO:0008150", "GO:9000006"]
    assert "GO:0008150" not in gs.go_gene_sets(gaf, obo, min_size=1, max_size=3)
    # a component part_of a process stays in the component namespace
    assert gs.go_gene_sets(gaf, obo, "C", min_size=1) == {"GO:0005575": {"GeneG"},
                                                           "GO:9000011": {"GeneG"}}
    assert gs.term_names(obo, "P")["GO:9000003"] == "test step of process A1"
    assert "GO:9000005" not in gs.term_names(obo)  # obsolete
    with pytest.raises(InputError, match="aspect 'X'"):
        gs.go_gene_sets(gaf, obo, "X")


def test_go_sets_from_real_gaf_rows_drop_not():
    gaf = gs.read_gaf(GO / "mgi_valid.gaf.head51")
    assert len(gaf) == 40 and gaf.iloc[0][["symbol", "qualifier", "go_id"]].tolist() == \
        ["Auts2", "colocalizes_with", "GO:0015629"]
    obo = gs.read_obo(LOCAL / "go_flat_test.obo")
    process = gs.go_gene_sets(gaf, obo, "P", min_size=1)
    # Arrdc4 'NOT|involved_in GO:0006511' must not make a set; Auts2 and Iqcj-Schip1 have
    # process rows only on terms the test ontology lacks
    assert process == {"GO:0007141": {"Btbd18"}, "GO:0007283": {"Btbd18"},
                       "GO:0008150": {"Arrdc4", "Btbd18"}, "GO:0015031": {"Arrdc4"},
                       "GO:0016567": {"Arrdc4"}, "GO:0030154": {"Btbd18"}}
    assert "GO:0030154" not in gs.go_gene_sets(gaf, obo, "P", ("ND", "IEA"), min_size=1)
    component = gs.go_gene_sets(gaf, obo, "C", min_size=1)
    # Iqcj-Schip1 'NOT|located_in GO:0030425' (dendrite) dropped
    assert component == {"GO:0005575": {"Auts2", "Btbd18", "Iqcj-Schip1"},
                         "GO:0005634": {"Auts2", "Btbd18"},
                         "GO:0005737": {"Auts2", "Iqcj-Schip1"}}


def test_gaf_source_file_and_layout_errors(tmp_path):
    src = gs.read_gaf(GO / "mgi-src.gaf.psych_genes.excerpt")
    assert len(src) == 81 and set(src["symbol"]) == {"Crhr1", "Htr1a", "Tph2"}
    with pytest.raises(InputError, match=r"MGI_GenePheno\.rpt\.excerpt: line 1: not a GAF row"):
        gs.read_gaf(MGI / "MGI_GenePheno.rpt.excerpt")
    page = write(tmp_path, "mgi.gaf", "<!doctype html><html>Not Found</html>")
    with pytest.raises(InputError, match="HTML page"):
        gs.read_gaf(page)


def test_gaf_needs_its_version_line_and_its_column_count_on_every_row(tmp_path):
    lines = (LOCAL / "go_test.gaf").read_text(encoding="utf-8").split("\n")
    assert lines[0] == "!gaf-version: 2.2"
    headless = write(tmp_path, "mgi.gaf", "\n".join(lines[1:]))
    with pytest.raises(InputError, match=r"mgi\.gaf: no '!gaf-version:' header line before "
                                         r"the first row \(line 2\)"):
        gs.read_gaf(headless)
    short = list(lines)
    short[3] = short[3].rsplit("\t", 1)[0]  # 16 columns: the last one cut off
    with pytest.raises(InputError, match=r"mgi\.gaf: line 4: 16 tab-separated columns; this "
                                         r"GAF version has 17"):
        gs.read_gaf(write(tmp_path, "mgi.gaf", "\n".join(short)))
    v1 = ["!gaf-version: 1.0"] + ["\t".join(line.split("\t")[:15]) for line in lines[1:]]
    assert (gs.read_gaf(write(tmp_path, "v1.gaf", "\n".join(v1)))["extension"] == "").all()


@pytest.mark.parametrize("reader, source", [
    (gs.read_gaf, GO / "mgi_valid.gaf.head51"),
    (gs.read_mgi_genepheno, MGI / "MGI_GenePheno.rpt.excerpt"),
    (gs.read_gwas_catalog, V101),
    (gs.read_gmt, FIXTURES / "msigdb" / "h.all.v7.0.symbols.gmt"),
    (lambda path: gs.jensen_signature(path, "DOID:1595", min_score=0),
     FIXTURES / "jensen_diseases" / "human_disease_experiments_filtered.excerpt.tsv"),
], ids=["gaf", "genepheno", "gwas", "gmt", "diseases"])
def test_file_cut_mid_line_is_refused_as_truncated(reader, source, tmp_path):
    """Cut inside the last row's last field, every row still has its columns (a genotype
    id MGI:54 for MGI:5433360, a score 3 for 3.4, a gene list one gene short): only the
    missing line break can tell. Plain and gzip."""
    data = source.read_bytes()
    assert data.endswith(b"\n")
    cut = data[:-3]
    for name, body in (("cut.txt", cut), ("cut.txt.gz", gzip.compress(cut))):
        path = tmp_path / name
        path.write_bytes(body)
        with pytest.raises(InputError, match=rf"{name}: line \d+: the last line ends without "
                                             r"a line break: the file looks truncated"):
            reader(path)
    reader(source)  # the whole file is read


# ------------------------------------------------------------------ JensenLab DISEASES


def test_jensen_experiments_channel():
    path = FIXTURES / "jensen_diseases" / "human_disease_experiments_filtered.excerpt.tsv"
    anxiety = gs.jensen_signature(path, "DOID:2030", min_score=1.1)
    # of the 7 anxiety rows, MYH15 and HHLA2 (1.067) and THSD7A (0.592) are below 1.1
    assert anxiety[["gene", "score"]].values.tolist() == [
        ["NFKBIZ", 1.154], ["NTRK2", 1.205], ["PDE4B", 1.534], ["ZPLD1", 1.154]]
    assert anxiety["protein_id"].iat[1] == "ENSP00000277120"
    depression = gs.jensen_signature(path, "DOID_1595", min_score=2.0)
    assert depression["gene"].tolist() == ["CHADL", "L3MBTL2", "MRM2", "OLFM4", "ZNF184"]
    with pytest.raises(InputError, match=r"no gene for DOID:2030 with score >= 2 \(7 row"):
        gs.jensen_signature(path, "DOID:2030", min_score=2.0)
    with pytest.raises(InputError, match=r"SOURCES\.md: line 1: expected the 7"):
        gs.jensen_signature(FIXTURES / "jensen_diseases" / "SOURCES.md", "DOID:2030",
                            min_score=0)


# ------------------------------------------------------------------ GMT


def test_gmt_msigdb_human_and_mouse():
    human, _ = gs.read_gmt(FIXTURES / "msigdb" / "h.all.v7.0.symbols.gmt")
    assert len(human) == 50
    assert human["HALLMARK_TNFA_SIGNALING_VIA_NFKB"][:4] == ["JUNB", "CXCL2", "ATF3", "NFKBIA"]
    mouse, _ = gs.read_gmt(FIXTURES / "msigdb" / "mh.all.v2022.1.Mm.symbols.first6sets."
                                              "transcribed.gmt")
    # set sizes given in msigdb/SOURCES.md
    assert [len(g) for g in mouse.values()] == [196, 199, 71, 199, 42, 53]
    assert mouse["HALLMARK_TNFA_SIGNALING_VIA_NFKB"][:3] == ["Klf6", "Jag1", "Dennd5a"]


def test_gmt_enrichr_library_with_trailing_tab_and_weights(tmp_path):
    library, _ = gs.read_gmt(FIXTURES / "enrichr" / "GWAS_Catalog_2019.excerpt.txt")
    assert library["Panic disorder"] == ["USP25", "SDK2", "TNFRSF21", "CALCOCO1", "SMOX",
                                         "GRM7", "CLU", "TMEM16B", "PLEKHG1", "PKP1"]
    weighted = write(tmp_path, "lib.txt", "Set A\t\tBDNF,1.0\tNTRK2,0.5\tBDNF,0.2\t\r\n")
    assert gs.read_gmt(weighted)[0] == {"Set A": ["BDNF", "NTRK2"]}


def test_gmt_errors(tmp_path):
    twice = write(tmp_path, "twice.gmt", "A\tx\tG1\nB\tx\tG2\nA\tx\tG3\n")
    with pytest.raises(InputError, match=r"twice\.gmt: line 3: gene set 'A' already defined "
                                         r"on line 1"):
        gs.read_gmt(twice)
    empty = write(tmp_path, "empty.gmt", "A\tx\t\t\n")
    with pytest.raises(InputError, match=r"empty\.gmt: line 1: gene set 'A' has no genes"):
        gs.read_gmt(empty)


# ------------------------------------------------------------------ signature files


@pytest.fixture(scope="module")
def ncbi() -> dict:
    """Keyword arguments for read_signature_file: mouse genes + human→mouse mapping."""
    folder = DATA / "ncbi_gene"
    return {"mouse_genes": ncbi_files.read_gene_info(folder / "Mus_musculus.gene_info.gz"),
            "orthologs": ncbi_files.read_gene_orthologs(folder / "gene_orthologs.gz"),
            "human_info": ncbi_files.read_gene_info(folder / "Homo_sapiens.gene_info.gz")}


def test_written_gwas_signature_read_back(tmp_path, ncbi):
    genes = gs.gwas_signature(gs.read_gwas_catalog(EXPORT), ["EFO_0003761"])
    path = tmp_path / "signatures" / "gwas_mdd.tsv"
    sg.write_signature_file(genes["gene"], path, source="GWAS Catalog, EFO_0003761, P<=5e-8",
                            citation="https://www.ebi.ac.uk/gwas/", organism="human",
                            name="gwas_mdd", description="mapped genes, intergenic: both")
    [sig] = sg.read_signature_file(path, **ncbi)
    assert sig.name == "gwas_mdd"
    assert sig.meta["source"] == "GWAS Catalog, EFO_0003761, P<=5e-8"
    assert sig.meta["citation"] == "https://www.ebi.ac.uk/gwas/"
    assert sig.meta["organism"] == "human"
    assert sig.meta["n_input"] == len(HOWARD_IN_GENE | HOWARD_FLANKING)
    assert sig.genes["symbol"].tolist() == ["Htt"]  # the only one in the small NCBI files
    assert [p.name for p in path.parent.iterdir()] == ["gwas_mdd.tsv"]  # no temp file left


def test_written_file_bytes_are_sorted_and_stable(tmp_path, ncbi):
    path = tmp_path / "mouse.tsv"
    table = pd.DataFrame({"gene": ["Nr3c1", "Crh", "Bdnf"], "score": [0.25, 1 / 3, 2.0]})
    sg.write_signature_file(table, path, source="test", organism="mouse")
    first = path.read_bytes()
    assert first == (b"# source: test\n# organism: mouse\ngene\tscore\nBdnf\t2\n"
                     b"Crh\t0.333333\nNr3c1\t0.25\n")
    sg.write_signature_file(table.iloc[::-1], path, source="test", organism="mouse")
    assert path.read_bytes() == first
    [sig] = sg.read_signature_file(path, **ncbi)
    assert sig.name == "mouse"
    assert sig.genes[["symbol", "score"]].values.tolist() == [
        ["Bdnf", 2.0], ["Crh", 0.333333], ["Nr3c1", 0.25]]


def test_write_signature_file_refuses_bad_input(tmp_path):
    path = tmp_path / "x.tsv"
    with pytest.raises(InputError, match="signature name 'bad name'"):
        sg.write_signature_file(["A"], path, source="s", name="bad name")
    with pytest.raises(InputError, match="listed twice: A"):
        sg.write_signature_file(["A", "B", "A"], path, source="s")
    with pytest.raises(InputError, match="no genes"):
        sg.write_signature_file([], path, source="s")
    with pytest.raises(InputError, match="'description' holds a TAB or line break"):
        sg.write_signature_file(["A"], path, source="s", description="two\nlines")
    with pytest.raises(InputError, match="source is required"):
        sg.write_signature_file(["A"], path, source=" ")
    with pytest.raises(InputError, match="organism 'rat'"):
        sg.write_signature_file(["A"], path, source="s", organism="rat")
    assert not path.exists()
