"""Tests for painstress.compare.orthologs: NCBI gene_orthologs / gene_info readers and mapping.

The small NCBI files are in tests/data/ncbi_gene/ (see its README for the genes and what
each one is for); malformed files are written to tmp_path.
"""

from __future__ import annotations

import gzip
import math
from pathlib import Path

import pandas as pd
import pytest

from painstress import InputError
from painstress.compare import orthologs as orth
from painstress.data import ncbi_files

DATA = Path(__file__).resolve().parent / "data" / "ncbi_gene"
ORTHO_HEADER = "#tax_id\tGeneID\trelationship\tOther_tax_id\tOther_GeneID\n"


@pytest.fixture(scope="module")
def pairs() -> pd.DataFrame:
    return ncbi_files.read_gene_orthologs(DATA / "gene_orthologs.gz")


@pytest.fixture(scope="module")
def human() -> pd.DataFrame:
    return ncbi_files.read_gene_info(DATA / "Homo_sapiens.gene_info.gz")


@pytest.fixture(scope="module")
def mouse() -> pd.DataFrame:
    return ncbi_files.read_gene_info(DATA / "Mus_musculus.gene_info.gz")


def write(path: Path, text: str, gz: bool = True) -> Path:
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


# ------------------------------------------------------------------ gene_orthologs


def test_orthologs_pairs_normalised_and_filtered(pairs):
    """10 distinct human–mouse pairs: mouse-first rows turned round, the reversed
    duplicate of BDNF–Bdnf counted once, the rat row left out."""
    assert list(pairs.columns) == ["human_GeneID", "mouse_GeneID"]
    assert pairs.dtypes.tolist() == ["int64", "int64"]
    got = set(map(tuple, pairs.to_numpy().tolist()))
    assert got == {(276, 11722), (277, 11722), (278, 11722), (627, 12064), (1392, 12918),
                   (2289, 14229), (2908, 14815), (2936, 14782), (3064, 15194),
                   (6532, 15567)}
    assert pairs["human_GeneID"].is_monotonic_increasing


def test_orthologs_other_taxa_pair(tmp_path):
    """The same reader gives human–rat pairs, named after the taxa."""
    rat = ncbi_files.read_gene_orthologs(DATA / "gene_orthologs.gz", tax_b=10116)
    assert rat.columns.tolist() == ["human_GeneID", "rat_GeneID"]
    assert rat.to_numpy().tolist() == [[627, 24225]]


def test_orthologs_plain_text_and_mouse_first_orientation(tmp_path):
    """Plain text works, and asking mouse→human swaps the columns."""
    path = write(tmp_path / "o.tsv", ORTHO_HEADER + "9606\t627\tOrtholog\t10090\t12064\n",
                 gz=False)
    swapped = ncbi_files.read_gene_orthologs(path, tax_a=10090, tax_b=9606)
    assert swapped.columns.tolist() == ["mouse_GeneID", "human_GeneID"]
    assert swapped.to_numpy().tolist() == [[12064, 627]]


def test_orthologs_ignores_other_relationships(tmp_path):
    path = write(tmp_path / "o.gz", ORTHO_HEADER + "9606\t627\tOrtholog\t10090\t12064\n"
                 "9606\t1392\tPotential readthrough\t10090\t12918\n")
    assert ncbi_files.read_gene_orthologs(path).to_numpy().tolist() == [[627, 12064]]


def test_orthologs_wrong_header(tmp_path):
    path = write(tmp_path / "o.gz", "tax_id\tGeneID\tOther_GeneID\n9606\t1\t2\n")
    with pytest.raises(InputError, match=r"o\.gz: line 1 should be the NCBI gene_orthologs"):
        ncbi_files.read_gene_orthologs(path)


def test_orthologs_bad_gene_id_names_line(tmp_path):
    path = write(tmp_path / "o.gz", ORTHO_HEADER + "9606\t627\tOrtholog\t10090\t12064\n"
                 "7955\tx\tOrtholog\t9606\t1\n"  # other taxa: not checked, not kept
                 "9606\t1392\tOrtholog\t10090\tCrh\n")
    with pytest.raises(InputError, match=r"o\.gz: line 4: Other_GeneID 'Crh' is not a "
                                         r"positive integer"):
        ncbi_files.read_gene_orthologs(path)


def test_orthologs_no_pair_for_taxa(tmp_path):
    path = write(tmp_path / "o.gz", ORTHO_HEADER + "9606\t627\tOrtholog\t10116\t24225\n")
    with pytest.raises(InputError, match=r"o\.gz: no 'Ortholog' pair between taxa "
                                         r"9606 and 10090"):
        ncbi_files.read_gene_orthologs(path)


def test_orthologs_truncated_gzip(tmp_path):
    data = gzip.compress((ORTHO_HEADER + "9606\t627\tOrtholog\t10090\t12064\n" * 2000)
                         .encode())
    path = tmp_path / "o.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"o\.gz: cannot be read.*fetch it again"):
        ncbi_files.read_gene_orthologs(path)


def test_orthologs_html_page(tmp_path):
    path = write(tmp_path / "o.gz", "<!DOCTYPE html><html><body>Error</body></html>\n")
    with pytest.raises(InputError, match=r"o\.gz: is an HTML page"):
        ncbi_files.read_gene_orthologs(path)


def test_orthologs_chunked_reading_keeps_line_numbers(tmp_path, monkeypatch):
    """Rows found in a later chunk still give the right line number."""
    monkeypatch.setattr(ncbi_files, "CHUNK_ROWS", 2)
    rows = "".join(f"9606\t{i}\tOrtholog\t10090\t{i + 100}\n" for i in range(1, 6))
    path = write(tmp_path / "o.gz", ORTHO_HEADER + rows + "9606\t7\tOrtholog\t10090\t-\n")
    with pytest.raises(InputError, match=r"o\.gz: line 7: Other_GeneID '-'"):
        ncbi_files.read_gene_orthologs(path)
    path = write(tmp_path / "ok.gz", ORTHO_HEADER + rows)
    assert len(ncbi_files.read_gene_orthologs(path)) == 5


# ------------------------------------------------------------------ gene_info


def test_gene_info_columns_and_synonyms(human, mouse):
    assert human.columns.tolist() == ["GeneID", "Symbol", "Synonyms", "Ensembl", "description"]
    assert len(human) == 11 and len(mouse) == 8
    row = human.set_index("GeneID").loc[6532]
    assert row["Symbol"] == "SLC6A4"
    assert row["Synonyms"] == ["5-HTT", "5HTT", "HTT", "OCD1", "SERT", "SERT1", "hSERT"]
    assert mouse.set_index("GeneID").loc[12064, "Synonyms"] == []  # NCBI's '-'


def test_gene_info_tax_filter(tmp_path):
    header = "\t".join(ncbi_files.GENE_INFO_COLUMNS) + "\n"
    rows = ["9606\t627\tBDNF\t-\tANON2\t-\t11\t-\td\tprotein-coding\t-\t-\t-\t-\t20250101\t-",
            "10090\t12064\tBdnf\t-\t-\t-\t2\t-\td\tprotein-coding\t-\t-\t-\t-\t20250101\t-"]
    path = write(tmp_path / "gene_info.gz", header + "\n".join(rows) + "\n")
    assert ncbi_files.read_gene_info(path, taxon=10090)["Symbol"].tolist() == ["Bdnf"]
    assert len(ncbi_files.read_gene_info(path)) == 2
    with pytest.raises(InputError, match=r"gene_info\.gz: no gene of taxon 10116"):
        ncbi_files.read_gene_info(path, taxon=10116)


def test_gene_info_errors_name_file_and_line(tmp_path):
    header = "\t".join(ncbi_files.GENE_INFO_COLUMNS) + "\n"
    row = "9606\t{}\tBDNF\t-\t-\t-\t11\t-\td\tprotein-coding\t-\t-\t-\t-\t20250101\t-\n"
    bad = write(tmp_path / "bad.gz", header + row.format(627) + row.format("627a"))
    with pytest.raises(InputError, match=r"bad\.gz: line 3: GeneID '627a' is not a "
                                         r"positive integer"):
        ncbi_files.read_gene_info(bad)
    dup = write(tmp_path / "dup.gz", header + row.format(627) + row.format(1) +
                row.format(627))
    with pytest.raises(InputError, match=r"dup\.gz: line 4: GeneID 627 appears more "
                                         r"than once"):
        ncbi_files.read_gene_info(dup)
    wrong = write(tmp_path / "wrong.gz", "GeneID\tSymbol\n627\tBDNF\n")
    with pytest.raises(InputError, match=r"wrong\.gz: line 1 should be the NCBI gene_info"):
        ncbi_files.read_gene_info(wrong)


# ------------------------------------------------------------------ one_to_one


def test_one_to_one_drops_both_sides():
    pairs = pd.DataFrame({"human_GeneID": [1, 2, 3, 4, 4, 5],
                          "mouse_GeneID": [10, 20, 20, 40, 41, 50]})
    kept = orth.one_to_one(pairs)
    # 2 and 3 share mouse 20 (many-to-one); 4 has two mouse genes (one-to-many)
    assert kept.to_numpy().tolist() == [[1, 10], [5, 50]]


def test_one_to_one_on_fixture(pairs):
    kept = orth.one_to_one(pairs)
    assert len(kept) == 7
    assert 11722 not in set(kept["mouse_GeneID"])  # Amy1 has three human partners


# ------------------------------------------------------------------ map_to_mouse


HUMAN_LIST = ["BDNF", "FKBP5", "CRH", "SERT", "GR", "NR3C1", "HTT", "AMY1A", "CHRFAM7A",
              "FOO1"]


def test_map_human_symbols_hand_checked(pairs, human, mouse):
    mapped, report = orth.map_to_mouse(HUMAN_LIST, id_type="symbol", organism="human",
                                       orthologs=pairs, human_info=human,
                                       mouse_genes=mouse)
    assert mapped.columns.tolist() == ["input_id", "mouse_GeneID", "mouse_symbol", "via"]
    assert mapped.to_numpy().tolist() == [
        ["BDNF", 12064, "Bdnf", "symbol"],
        ["FKBP5", 14229, "Fkbp5", "symbol"],
        ["CRH", 12918, "Crh", "symbol"],
        ["SERT", 15567, "Slc6a4", "synonym"],   # unambiguous synonym of SLC6A4
        ["NR3C1", 14815, "Nr3c1", "symbol"],    # pair written mouse-first in the file
        ["HTT", 15194, "Htt", "symbol"],        # official symbol beats SLC6A4's synonym
    ]
    assert report["n_input"] == 10
    assert report["n_mapped"] == 6
    assert report["mapping_rate"] == pytest.approx(0.6)
    assert report["n_unmapped"] == 4
    assert (report["n_unknown"], report["n_ambiguous"], report["n_no_ortholog"],
            report["n_not_one_to_one"], report["n_not_in_mouse_genes"]) == (1, 1, 1, 1, 0)
    assert report["unmapped_examples"] == ["GR (ambiguous)", "AMY1A (not_one_to_one)",
                                           "CHRFAM7A (no_ortholog)", "FOO1 (unknown)"]


def test_map_human_all_orthologs(pairs, human, mouse):
    """one_to_one=False lets AMY1A and AMY1B both reach Amy1."""
    mapped, report = orth.map_to_mouse(HUMAN_LIST + ["AMY1B"], id_type="symbol",
                                       organism="human", orthologs=pairs,
                                       human_info=human, mouse_genes=mouse,
                                       one_to_one=False)
    assert report["n_mapped"] == 8 and report["n_input"] == 11
    assert report["mapping_rate"] == pytest.approx(8 / 11)
    assert report["n_not_one_to_one"] == 0
    amy = mapped[mapped["mouse_symbol"] == "Amy1"]
    assert amy["input_id"].tolist() == ["AMY1A", "AMY1B"]


def test_map_symbols_are_case_sensitive(pairs, human, mouse):
    """'bdnf'/'Bdnf' are not human symbols; they are counted as wrong case."""
    mapped, report = orth.map_to_mouse(["Bdnf", "bdnf", " BDNF ", "BDNF"], id_type="symbol",
                                       organism="human", orthologs=pairs,
                                       human_info=human, mouse_genes=mouse)
    assert mapped["input_id"].tolist() == ["BDNF"]  # stripped, counted once
    assert report["n_input"] == 3 and report["n_mapped"] == 1
    assert report["n_unknown"] == 2 and report["n_wrong_case"] == 2


def test_map_human_gene_ids(pairs, human, mouse):
    mapped, report = orth.map_to_mouse([627, "2908", 89832, 1], id_type="GeneID",
                                       organism="human", orthologs=pairs,
                                       human_info=human, mouse_genes=mouse)
    assert mapped[["input_id", "mouse_GeneID", "via"]].to_numpy().tolist() == [
        [627, 12064, "GeneID"], [2908, 14815, "GeneID"]]
    assert (report["n_no_ortholog"], report["n_unknown"]) == (1, 1)  # 89832; 1 not in table
    # without the human table every GeneID is a candidate: 1 becomes 'no_ortholog'
    _, report = orth.map_to_mouse([627, 1], id_type="GeneID", organism="human",
                                  orthologs=pairs, mouse_genes=mouse)
    assert (report["n_mapped"], report["n_no_ortholog"], report["n_unknown"]) == (1, 1, 0)


def test_map_not_in_mouse_genes(pairs, human):
    """Orthologs whose mouse gene is not in the study's annotation stay unmapped."""
    annotation = pd.DataFrame({"GeneID": [12064, 14229], "Symbol": ["Bdnf", "Fkbp5"]})
    _, report = orth.map_to_mouse(["BDNF", "FKBP5", "CRH"], id_type="symbol",
                                  organism="human", orthologs=pairs, human_info=human,
                                  mouse_genes=annotation)
    assert report["n_mapped"] == 2 and report["n_not_in_mouse_genes"] == 1
    assert report["unmapped_examples"] == ["CRH (not_in_mouse_genes)"]


def test_map_mouse_symbols_with_geo_annotation(tmp_path):
    """mouse_genes straight from ncbi_files.read_annotation (GeneID index, Symbol)."""
    annot = tmp_path / "Mouse.GRCm39.annot.tsv"
    annot.write_text("GeneID\tSymbol\tDescription\n12064\tBdnf\tbrain derived neurotrophic"
                     " factor\n14815\tNr3c1\tnuclear receptor\n15567\tSlc6a4\tsolute carrier\n")
    genes = ncbi_files.read_annotation(annot)
    mapped, report = orth.map_to_mouse(["Bdnf", "Nr3c1", "GR", "BDNF", "Xist"],
                                       id_type="symbol", organism="mouse",
                                       mouse_genes=genes)
    assert mapped[["input_id", "mouse_GeneID"]].to_numpy().tolist() == [
        ["Bdnf", 12064], ["Nr3c1", 14815]]
    # the annotation has no synonyms: GR is unknown here
    assert report["n_unknown"] == 3 and report["n_wrong_case"] == 1  # BDNF ~ Bdnf
    assert report["mapping_rate"] == pytest.approx(0.4)


def test_map_mouse_synonyms_when_available(mouse):
    """With the mouse gene_info table, unambiguous mouse synonyms count; 'Htt' is the
    official symbol of huntingtin although Slc6a4 lists it as a synonym."""
    mapped, report = orth.map_to_mouse(["GR", "Sert1", "Htt", "Gr1"], id_type="symbol",
                                       organism="mouse", mouse_genes=mouse)
    assert mapped[["input_id", "mouse_symbol", "via"]].to_numpy().tolist() == [
        ["GR", "Nr3c1", "synonym"], ["Sert1", "Slc6a4", "synonym"], ["Htt", "Htt", "symbol"],
        ["Gr1", "Gsr", "synonym"]]
    assert report["mapping_rate"] == 1.0


def test_map_mouse_gene_ids(mouse):
    mapped, report = orth.map_to_mouse(["12064", 99999999], id_type="GeneID",
                                       organism="mouse", mouse_genes=mouse)
    assert mapped["mouse_symbol"].tolist() == ["Bdnf"]
    assert report["unmapped_examples"] == ["99999999 (unknown)"]


def test_map_ambiguous_official_symbol(pairs, mouse):
    """Two genes with the same official symbol: the symbol is ambiguous, not a guess."""
    info = pd.DataFrame({"GeneID": [627, 1392], "Symbol": ["X1", "X1"],
                         "Synonyms": [[], []]})
    _, report = orth.map_to_mouse(["X1"], id_type="symbol", organism="human",
                                  orthologs=pairs, human_info=info, mouse_genes=mouse)
    assert report["n_ambiguous"] == 1 and report["n_mapped"] == 0


def test_map_empty_input_and_bad_arguments(pairs, human, mouse):
    mapped, report = orth.map_to_mouse([], id_type="symbol", organism="mouse",
                                       mouse_genes=mouse)
    assert mapped.empty and report["n_input"] == 0 and math.isnan(report["mapping_rate"])
    with pytest.raises(ValueError, match="id_type"):
        orth.map_to_mouse(["x"], id_type="ensembl", organism="mouse", mouse_genes=mouse)
    with pytest.raises(ValueError, match="organism"):
        orth.map_to_mouse(["x"], id_type="symbol", organism="rat", mouse_genes=mouse)
    with pytest.raises(ValueError, match="orthologs"):
        orth.map_to_mouse(["BDNF"], id_type="symbol", organism="human", human_info=human,
                          mouse_genes=mouse)
    with pytest.raises(ValueError, match="human_info"):
        orth.map_to_mouse(["BDNF"], id_type="symbol", organism="human", orthologs=pairs,
                          mouse_genes=mouse)
    with pytest.raises(ValueError, match="not an NCBI GeneID"):
        orth.map_to_mouse(["Bdnf"], id_type="GeneID", organism="mouse", mouse_genes=mouse)


# --------------------------------------------------------- human DE table -> mouse genes

def human_de() -> pd.DataFrame:
    """Six human genes: 1, 2 one-to-one; 3 one-to-many; 4 shares its mouse gene with 7
    (many-to-one); 5's mouse ortholog is not a study gene; 6 has no ortholog."""
    return pd.DataFrame({"GeneID": [1, 2, 3, 4, 5, 6],
                         "symbol": ["HA", "HB", "HC", "HD", "HE", "HF"],
                         "log2FoldChange": [1.0, -2.0, 0.5, 0.7, 0.1, 3.0],
                         "pvalue": [0.01, 0.02, 0.03, 0.04, 0.05, 0.001]})


HAND_PAIRS = pd.DataFrame({"human_GeneID": [1, 2, 3, 3, 4, 7, 5],
                           "mouse_GeneID": [101, 102, 103, 104, 105, 105, 106]})
HAND_MOUSE = pd.DataFrame({"GeneID": [101, 102, 103, 104, 105],
                           "Symbol": ["Ma", "Mb", "Mc", "Mc2", "Md"]})


def test_de_table_to_mouse_one_to_one_keeps_exactly_the_one_to_one_genes():
    table, report = orth.de_table_to_mouse(human_de(), HAND_PAIRS, HAND_MOUSE)
    assert table.to_dict("list") == {
        "GeneID": [101, 102], "symbol": ["Ma", "Mb"], "log2FoldChange": [1.0, -2.0],
        "pvalue": [0.01, 0.02], "human_GeneID": [1, 2], "human_symbol": ["HA", "HB"]}
    assert report == {"n_genes": 6, "n_mapped": 2, "mapping_rate": pytest.approx(2 / 6),
                      "n_no_ortholog": 1, "n_not_one_to_one": 2, "n_not_in_mouse_genes": 1,
                      "n_collapsed": 0, "one_to_one": True}


def test_de_table_to_mouse_all_orthologs_and_collapsed_mouse_genes():
    """Without one-to-one: gene 3 gives two rows; human 8 reaches mouse 102 like human 2
    does, and only the smaller p-value (gene 2's) stays: GeneIDs remain unique."""
    de = pd.concat([human_de(), pd.DataFrame({"GeneID": [8], "symbol": ["HB2"],
                                              "log2FoldChange": [-9.0], "pvalue": [0.5]})])
    pairs = pd.concat([HAND_PAIRS, pd.DataFrame({"human_GeneID": [8],
                                                 "mouse_GeneID": [102]})])
    table, report = orth.de_table_to_mouse(de, pairs, HAND_MOUSE, one_to_one=False)
    assert table[["GeneID", "human_GeneID"]].values.tolist() == \
        [[101, 1], [102, 2], [103, 3], [104, 3], [105, 4]]
    assert table["GeneID"].is_unique
    assert (report["n_mapped"], report["n_collapsed"], report["n_not_one_to_one"]) == (4, 1, 0)
    assert report["mapping_rate"] == pytest.approx(4 / 7)


def test_de_table_to_mouse_refuses_duplicated_genes():
    de = pd.concat([human_de(), human_de().head(1)])
    with pytest.raises(ValueError, match="unique"):
        orth.de_table_to_mouse(de, HAND_PAIRS, HAND_MOUSE)


def test_data_modules_import_nothing_above_them():
    """Readers and downloads (painstress.data) are the bottom of the data flow: no module
    there imports the comparison stage, whose ortholog mapping reads NCBI Gene's files
    through painstress.data.ncbi_files."""
    import ast

    folder = Path(ncbi_files.__file__).parent
    upward = []
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            upward += [f"{path.name}: {name}" for name in names
                       if name.startswith(("painstress.compare", "painstress.figures",
                                           "painstress.summary"))]
    assert upward == []
