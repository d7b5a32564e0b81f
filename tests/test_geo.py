"""Tests for painstress.data.ncbi_files: parsers of NCBI counts, NCBI annotation and GEO
series matrices.

Real GEO/NCBI files come from the shared fixture folder (see its SOURCES.md); small
hand-written tables go to tmp_path.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from painstress import InputError
from painstress.data import ncbi_files

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "geo"

RAW_COUNTS = "ncbi_counts/GSE164073_raw_counts_GRCh38.p13_NCBI.tsv.gz"
TPM_COUNTS = "ncbi_counts/GSE231858_norm_counts_TPM_GRCh38.p13_NCBI.tsv.gz"
MATRIX_GZ = "series_matrix/GSE99709_series_matrix.txt.gz"
MATRIX_MULTI = "series_matrix/GSE102556-GPL11154_series_matrix.txt"
FAMILY_SOFT = "soft/GSE105845_family.soft"
HTML_PAGE = "html/geo_acc.cgi_no_accession_landing.html"


def fixture(name: str) -> Path:
    """Path of a shared fixture file; skip the test if the shared folder is absent."""
    if not FIXTURES.is_dir():
        pytest.skip(f"shared GEO fixtures not found at {FIXTURES} "
                    "(expected a 'shared/' folder beside the repository clone)")
    path = FIXTURES / name
    if not path.is_file():
        pytest.skip(f"fixture file {path} is missing")
    return path


@pytest.fixture(scope="module")
def raw_counts() -> pd.DataFrame:
    """The real GSE164073 raw counts, parsed once for the module."""
    return ncbi_files.read_ncbi_counts(fixture(RAW_COUNTS))


def write_table(path: Path, text: str, *, gz: bool = False) -> Path:
    """Write ``text`` to ``path``, gzipped if asked."""
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


# --------------------------------------------------------------------------- counts


def test_counts_shape_and_columns(raw_counts):
    """Real NCBI raw counts: 39376 gene rows, every column a GSM accession."""
    assert raw_counts.shape == (39376, 18)
    assert all(re.fullmatch(r"GSM\d+", c) for c in raw_counts.columns)
    assert list(raw_counts.columns[:2]) == ["GSM4996084", "GSM4996085"]
    assert raw_counts.columns[-1] == "GSM4996101"


def test_counts_types_and_index(raw_counts):
    """Counts are int64, indexed by integer GeneID in file order."""
    assert (raw_counts.dtypes == np.int64).all()
    assert raw_counts.index.name == "GeneID"
    assert raw_counts.index.dtype == np.int64
    assert list(raw_counts.index[:2]) == [100287102, 653635]
    assert raw_counts.index.is_unique


def test_counts_cell_values(raw_counts):
    """Cell values agree with `zcat | head` / `tail` of the file."""
    assert raw_counts.iloc[0, 0] == 2
    assert raw_counts.iloc[1, 0] == 244
    assert raw_counts.loc[653635, "GSM4996101"] == 314
    # last line of the file: 4571  673 822 ... 872
    assert raw_counts.index[-1] == 4571
    assert raw_counts.iloc[-1, 0] == 673
    assert raw_counts.iloc[-1, -1] == 872


@pytest.mark.parametrize("name", ["plain_counts.tsv", "plain_but_named.tsv.gz"])
def test_counts_plain_text_read_like_gzip(raw_counts, tmp_path, name):
    """An uncompressed counts file (whatever its name) gives the same table as the gzip."""
    plain = tmp_path / name
    plain.write_bytes(gzip.decompress(fixture(RAW_COUNTS).read_bytes()))
    pd.testing.assert_frame_equal(ncbi_files.read_ncbi_counts(plain), raw_counts)


def test_counts_refuses_tpm_table():
    """A TPM table is refused: message names the file, line, column and 'raw count'."""
    path = fixture(TPM_COUNTS)
    with pytest.raises(InputError) as err:
        ncbi_files.read_ncbi_counts(path)
    msg = str(err.value)
    assert str(path) in msg
    assert "line 2, column GSM7305242" in msg
    assert "'0.269'" in msg
    assert "raw count" in msg


def test_counts_refuses_negative_value(tmp_path):
    """A negative count is refused; message names the file, the line and the column."""
    path = write_table(tmp_path / "neg.tsv",
                       "GeneID\tGSM1\tGSM2\n"
                       "11\t5\t7\n"
                       "12\t3\t-4\n")
    with pytest.raises(InputError) as err:
        ncbi_files.read_ncbi_counts(path)
    msg = str(err.value)
    assert str(path) in msg
    assert "line 3, column GSM2" in msg
    assert "'-4'" in msg


def test_counts_refuses_empty_cell(tmp_path):
    """An empty cell is not a count (not silently read as 0 or NaN)."""
    path = write_table(tmp_path / "empty.tsv", "GeneID\tGSM1\tGSM2\n11\t5\t\n")
    with pytest.raises(InputError, match=r"line 2, column GSM2"):
        ncbi_files.read_ncbi_counts(path)


def test_counts_refuses_non_plain_column(tmp_path):
    """Sample columns are GSM accessions or plain names (a user's own counts keep theirs):
    a title with spaces or a path is refused."""
    path = write_table(tmp_path / "titles.tsv", "GeneID\tGSM1\tNAc sham/1\n11\t5\t7\n")
    with pytest.raises(InputError) as err:
        ncbi_files.read_ncbi_counts(path)
    msg = str(err.value)
    assert str(path) in msg
    assert "NAc sham/1" in msg
    assert "GSM" in msg
    plain = write_table(tmp_path / "runs.tsv", "GeneID\tSRR5956385\tNAc_sham_1\n11\t5\t7\n")
    assert list(ncbi_files.read_ncbi_counts(plain).columns) == ["SRR5956385", "NAc_sham_1"]


def test_counts_refuses_missing_geneid_header(tmp_path):
    """The first header cell must be 'GeneID'."""
    path = write_table(tmp_path / "ensembl.tsv", "gene\tGSM1\nENSMUSG1\t5\n")
    with pytest.raises(InputError, match=r"line 1 should start with 'GeneID'"):
        ncbi_files.read_ncbi_counts(path)


def test_counts_refuses_duplicated_geneid(tmp_path):
    """A GeneID listed twice is refused, and the message names it."""
    path = write_table(tmp_path / "dup.tsv",
                       "GeneID\tGSM1\n11\t5\n12\t3\n11\t9\n")
    with pytest.raises(InputError) as err:
        ncbi_files.read_ncbi_counts(path)
    msg = str(err.value)
    assert str(path) in msg
    assert "GeneID 11" in msg
    assert "more than once" in msg


def test_counts_refuses_duplicated_sample_column(tmp_path):
    """The same GSM twice in the header is refused."""
    path = write_table(tmp_path / "dupcol.tsv", "GeneID\tGSM1\tGSM1\n11\t5\t6\n")
    with pytest.raises(InputError, match=r"duplicated sample columns: GSM1"):
        ncbi_files.read_ncbi_counts(path)


def test_counts_refuses_html_error_page(tmp_path):
    """A GEO HTML page saved as .tsv.gz is recognised as HTML, not parsed as a table."""
    html = fixture(HTML_PAGE).read_bytes()
    path = tmp_path / "GSE1_raw_counts_GRCm39_NCBI.tsv.gz"
    path.write_bytes(gzip.compress(html))
    with pytest.raises(InputError) as err:
        ncbi_files.read_ncbi_counts(path)
    msg = str(err.value)
    assert str(path) in msg
    assert "HTML" in msg


def test_counts_refuses_truncated_gzip(tmp_path):
    """Half a gzip file gives InputError (not an uncaught EOFError) naming the file."""
    data = fixture(RAW_COUNTS).read_bytes()
    path = tmp_path / "truncated.tsv.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError) as err:
        ncbi_files.read_ncbi_counts(path)
    msg = str(err.value)
    assert str(path) in msg
    assert "fetch it again" in msg


def test_counts_missing_file_is_input_error(tmp_path):
    """A file that does not exist gives InputError naming it."""
    path = tmp_path / "nowhere.tsv.gz"
    with pytest.raises(InputError, match="file not found"):
        ncbi_files.read_ncbi_counts(path)


def test_counts_refuses_infinite_value(tmp_path):
    """'inf' is not a raw count and must be refused like any other non-integer."""
    path = write_table(tmp_path / "inf.tsv", "GeneID\tGSM1\tGSM2\n11\t5\tinf\n12\t3\t4\n")
    with pytest.raises(InputError, match=r"line 2, column GSM2"):
        ncbi_files.read_ncbi_counts(path)


def test_counts_refuses_non_integer_geneid(tmp_path):
    """A GeneID must be an integer; '12.5' is refused rather than truncated."""
    path = write_table(tmp_path / "fracid.tsv", "GeneID\tGSM1\n11\t5\n12.5\t3\n")
    with pytest.raises(InputError, match=r"line 3"):
        ncbi_files.read_ncbi_counts(path)


# --------------------------------------------------------------------------- annotation

ANNOT_HEADER = ("GeneID\tSymbol\tDescription\tTaxID\tStatus\tSynonyms\tChrAcc\tChrStart\t"
                "ChrStop\tOrientation\tLength\tEnsemblGeneID\tGeneType\n")
ANNOT_ROWS = (
    "20416\tShank3\tSH3 and multiple ankyrin repeat domains 3\t10090\tlive\tProsap2\t"
    "NC_000081.7\t89384932\t89443437\tplus\t58506\tENSMUSG00000022623\tprotein-coding\n"
    "15558\tHtr2a\t5-hydroxytryptamine (serotonin) receptor 2A\t10090\tlive\t\t"
    "NC_000080.7\t49534433\t49597012\tplus\t62580\tENSMUSG00000034997\tprotein-coding\n"
)


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_annotation_reads_ncbi_columns(tmp_path, gz):
    """Annotation: GeneID becomes an int index, Symbol and the other columns are kept as text."""
    path = write_table(tmp_path / "Mouse.GRCm39.annot.tsv.gz", ANNOT_HEADER + ANNOT_ROWS, gz=gz)
    annot = ncbi_files.read_annotation(path)
    assert annot.index.name == "GeneID"
    assert annot.index.dtype == np.int64
    assert list(annot.index) == [20416, 15558]
    assert "GeneID" not in annot.columns
    assert annot.loc[20416, "Symbol"] == "Shank3"
    assert annot.loc[15558, "Description"] == "5-hydroxytryptamine (serotonin) receptor 2A"
    assert annot.loc[20416, "TaxID"] == "10090"          # text, not int
    assert annot.loc[15558, "Synonyms"] == ""            # empty stays empty, not NaN
    assert annot.loc[20416, "EnsemblGeneID"] == "ENSMUSG00000022623"


def test_annotation_refuses_missing_symbol(tmp_path):
    """An annotation table without a Symbol column is refused, naming file and column."""
    text = "GeneID\tDescription\n20416\tSH3 and multiple ankyrin repeat domains 3\n"
    path = write_table(tmp_path / "annot.tsv", text)
    with pytest.raises(InputError) as err:
        ncbi_files.read_annotation(path)
    msg = str(err.value)
    assert str(path) in msg
    assert "Symbol" in msg


def test_annotation_refuses_duplicated_geneid(tmp_path):
    """The same GeneID twice in the annotation is refused."""
    path = write_table(tmp_path / "annot.tsv",
                       "GeneID\tSymbol\n20416\tShank3\n20416\tShank3b\n")
    with pytest.raises(InputError, match="20416 appears more than once"):
        ncbi_files.read_annotation(path)


# --------------------------------------------------------------------------- series matrix


def test_series_matrix_gz_accession_and_samples():
    """GSE99709 (gz): accession, 12 GSMs in file order, first title EV2_6."""
    matrix = ncbi_files.read_series_matrix(fixture(MATRIX_GZ))
    assert matrix.accession == "GSE99709"
    expected = [f"GSM{n}" for n in range(2650749, 2650761)]
    assert list(matrix.samples.index) == expected
    assert matrix.samples.index.name == "sample"
    assert matrix.samples.loc["GSM2650749", "title"] == "EV2_6"
    assert matrix.samples.loc["GSM2650760", "title"] == "CC2_12"
    assert "geo_accession" not in matrix.samples.columns


def test_series_matrix_characteristics_columns():
    """'key: value' characteristics are split into char_<key> columns; repeats are joined."""
    samples = ncbi_files.read_series_matrix(fixture(MATRIX_GZ)).samples
    assert samples.loc["GSM2650749", "char_treated with"] == "Vehicle"
    assert samples.loc["GSM2650752", "char_treated with"] == "100ng/ul CNTF"
    assert samples.loc["GSM2650749", "char_cell type"] == \
        "Primary Cortical Oligodendrocyte Progenitor (OLP) cells"
    joined = samples.loc["GSM2650749", "characteristics_ch1"]
    assert joined.startswith("strain background: backcrossed onto C57BL/6; ")
    assert joined.endswith("; treated with: Vehicle")


def test_series_matrix_series_fields():
    """!Series_ keys are kept with all their values (repeated keys accumulate)."""
    series = ncbi_files.read_series_matrix(fixture(MATRIX_GZ)).series
    assert series["platform_id"] == ["GPL17021"]
    assert series["contributor"] == ["John,N,Mariani", "Gareth,R,John"]
    assert len(series["relation"]) == 3


def test_series_matrix_multi_platform_plain():
    """GSE102556-GPL11154 (plain text): one row per GSM on !Sample_geo_accession, char_tissue."""
    path = fixture(MATRIX_MULTI)
    line = next(row for row in path.read_text(encoding="utf-8").splitlines()
                if row.startswith("!Sample_geo_accession"))
    gsms = re.findall(r"GSM\d+", line)
    assert len(gsms) == 263  # sanity check of the fixture itself
    matrix = ncbi_files.read_series_matrix(path)
    assert matrix.accession == "GSE102556"
    assert len(matrix.samples) == len(gsms)
    assert list(matrix.samples.index) == gsms
    assert "char_tissue" in matrix.samples.columns
    assert matrix.samples["char_tissue"].iloc[0] == "Orbitofrontal (OFC; BA11)"
    assert set(matrix.samples["char_phenotype"]) == {"CTRL", "MDD"}


def test_series_matrix_refuses_family_soft():
    """A family SOFT file is not a series matrix: InputError naming the file."""
    path = fixture(FAMILY_SOFT)
    with pytest.raises(InputError) as err:
        ncbi_files.read_series_matrix(path)
    msg = str(err.value)
    assert str(path) in msg
    assert "not a GEO series matrix" in msg


def test_series_matrix_refuses_ragged_sample_line(tmp_path):
    """A !Sample_ line with the wrong number of values is refused, naming the key."""
    text = ('!Series_geo_accession\t"GSE1"\n'
            '!Sample_title\t"a"\t"b"\n'
            '!Sample_geo_accession\t"GSM1"\t"GSM2"\n'
            '!Sample_characteristics_ch1\t"tissue: NAc"\n'
            '!series_matrix_table_begin\n"ID_REF"\t"GSM1"\t"GSM2"\n!series_matrix_table_end\n')
    path = write_table(tmp_path / "GSE1_series_matrix.txt.gz", text, gz=True)
    with pytest.raises(InputError, match=r"'!Sample_characteristics_ch1' has 1 values for 2"):
        ncbi_files.read_series_matrix(path)


# --------------------------------------------------------------------------- file names


def test_counts_filename():
    """NCBI raw counts names: GRCm39 for mouse (default), GRCh38.p13 for human."""
    assert ncbi_files.counts_filename("GSE1") == "GSE1_raw_counts_GRCm39_NCBI.tsv.gz"
    mouse, human = "Mus musculus", "Homo sapiens"
    assert ncbi_files.counts_filename("GSE1", mouse) == "GSE1_raw_counts_GRCm39_NCBI.tsv.gz"
    assert ncbi_files.counts_filename("GSE1", human) == "GSE1_raw_counts_GRCh38.p13_NCBI.tsv.gz"


def test_counts_filename_matches_real_file():
    """The human counts name is exactly the name NCBI gave the real fixture."""
    real = fixture(RAW_COUNTS)
    assert ncbi_files.counts_filename("GSE164073", "Homo sapiens") == real.name


def test_series_matrix_filename():
    """Series matrix names, with the -GPL suffix for multi-platform series."""
    assert ncbi_files.series_matrix_filename("GSE1") == "GSE1_series_matrix.txt.gz"
    assert ncbi_files.series_matrix_filename("GSE102556", "GPL13112") == \
        "GSE102556-GPL13112_series_matrix.txt.gz"


def test_series_matrix_filename_matches_real_files():
    """Both forms match real fixture names (one stored uncompressed, hence the .gz strip)."""
    assert ncbi_files.series_matrix_filename("GSE99709") == fixture(MATRIX_GZ).name
    multi = fixture(MATRIX_MULTI)
    assert ncbi_files.series_matrix_filename("GSE102556", "GPL11154") == multi.name + ".gz"


def test_annotation_filename():
    """NCBI annotation names per organism."""
    assert ncbi_files.annotation_filename() == "Mouse.GRCm39.annot.tsv.gz"
    assert ncbi_files.annotation_filename("Homo sapiens") == "Human.GRCh38.p13.annot.tsv.gz"
