"""Parsers for the NCBI/GEO files the workflow reads.

The same code reads the simulated demo study and real downloads:

* NCBI-computed RNA-seq raw counts, ``GSE…_raw_counts_GRCm39_NCBI.tsv.gz``:
  gzip TSV, header ``GeneID`` + one column per GSM, one row per Entrez GeneID.
* NCBI gene annotation, ``Mouse.GRCm39.annot.tsv.gz``: TSV with ``GeneID``, ``Symbol``, ….
* GEO series matrix, ``GSE…_series_matrix.txt.gz``: ``!Series_*`` and ``!Sample_*``
  lines (tab-separated, double-quoted, one column per GSM) and, for RNA-seq, an empty
  ``!series_matrix_table_begin`` … ``!series_matrix_table_end`` block.

Every reader accepts gzip or plain text (decided by the file's first bytes, not its
name) and raises :class:`painstress.InputError` naming the file and the problem.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from painstress import InputError
from painstress.files import read_text, refuse_html

GSM_PATTERN = re.compile(r"^GSM\d+$")
SERIES_MATRIX_BEGIN = "!series_matrix_table_begin"


def read_ncbi_counts(path: str | Path) -> pd.DataFrame:
    """Read an NCBI-computed raw counts table.

    Returns a DataFrame of int64 counts: index ``GeneID`` (int), one column per GSM,
    in file order. Raises InputError on anything that is not a table of non-negative
    integer counts keyed by unique GeneIDs with unique GSM columns.
    """
    path = Path(path)
    text = read_text(path)
    refuse_html(path, text)
    header = text.split("\n", 1)[0].rstrip("\r").split("\t")
    if header[0] != "GeneID":
        raise InputError(f"{path}: line 1 should start with 'GeneID' (NCBI counts format), "
                         f"found {header[0]!r}.")
    samples = header[1:]
    if not samples:
        raise InputError(f"{path}: line 1 has no sample columns after 'GeneID'.")
    bad = [s for s in samples if not GSM_PATTERN.match(s)]
    if bad:
        raise InputError(f"{path}: sample columns must be GSM accessions; "
                         f"not GSM: {', '.join(bad[:5])}.")
    dup = sorted({s for s in samples if samples.count(s) > 1})
    if dup:
        raise InputError(f"{path}: duplicated sample columns: {', '.join(dup)}.")

    table = pd.read_csv(io.StringIO(text), sep="\t", dtype=str, keep_default_na=False)
    if table.empty:
        raise InputError(f"{path}: has a header but no gene rows.")
    valid_id = table["GeneID"].str.fullmatch(r"[1-9][0-9]*")
    if not valid_id.all():
        line = int(np.flatnonzero(~valid_id.to_numpy())[0]) + 2
        raise InputError(f"{path}: line {line}: GeneID {table['GeneID'].iloc[line - 2]!r} "
                         "is not an NCBI Entrez GeneID (a positive integer).")
    gene_ids = table["GeneID"].astype(np.int64)
    dup_ids = gene_ids[gene_ids.duplicated()]
    if len(dup_ids):
        raise InputError(f"{path}: GeneID {int(dup_ids.iloc[0])} appears more than once.")

    values = table[samples].apply(pd.to_numeric, errors="coerce")
    numbers = values.to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        problems = ~np.isfinite(numbers) | (numbers < 0) | (numbers != np.round(numbers))
    if problems.any():
        row, col = (int(i[0]) for i in np.nonzero(problems))
        raise InputError(
            f"{path}: line {row + 2}, column {samples[col]}: "
            f"{table[samples[col]].iloc[row]!r} is not a raw count "
            "(expected a non-negative integer; is this a normalised table such as TPM/FPKM?).")
    counts = pd.DataFrame(numbers.astype(np.int64), index=gene_ids.astype(np.int64),
                          columns=samples)
    counts.index.name = "GeneID"
    return counts


def read_annotation(path: str | Path) -> pd.DataFrame:
    """Read an NCBI gene annotation table (``*.annot.tsv.gz``).

    Returns a DataFrame indexed by ``GeneID`` (int) with at least a ``Symbol`` column;
    every other column of the file is kept as text.
    """
    path = Path(path)
    text = read_text(path)
    refuse_html(path, text)
    table = pd.read_csv(io.StringIO(text), sep="\t", dtype=str, keep_default_na=False)
    missing = [c for c in ("GeneID", "Symbol") if c not in table.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)} "
                         "(expected the NCBI annotation format: GeneID, Symbol, Description, …).")
    gene_ids = pd.to_numeric(table["GeneID"], errors="coerce")
    if gene_ids.isna().any():
        line = int(np.flatnonzero(gene_ids.isna().to_numpy())[0]) + 2
        raise InputError(f"{path}: line {line}: GeneID is not an integer.")
    table.index = pd.Index(gene_ids.astype(np.int64), name="GeneID")
    table = table.drop(columns="GeneID")
    if table.index.duplicated().any():
        raise InputError(f"{path}: GeneID {table.index[table.index.duplicated()][0]} "
                         "appears more than once.")
    return table


@dataclass(frozen=True)
class SeriesMatrix:
    """A parsed GEO series matrix.

    ``series`` maps each ``!Series_`` key (without the prefix) to its list of values.
    ``samples`` has one row per GSM (index ``sample``) and one column per ``!Sample_``
    key (values of repeated keys joined with ``"; "``); characteristics
    ``"key: value"`` pairs are also split into columns named ``char_<key>``.
    """

    path: Path
    series: dict[str, list[str]]
    samples: pd.DataFrame

    @property
    def accession(self) -> str:
        return self.series.get("geo_accession", [""])[0]


def read_series_matrix(path: str | Path) -> SeriesMatrix:
    """Parse a GEO series matrix file (gzipped or not)."""
    path = Path(path)
    text = read_text(path)
    refuse_html(path, text)
    if SERIES_MATRIX_BEGIN not in text or "!Series_geo_accession" not in text:
        raise InputError(f"{path}: not a GEO series matrix (no '!Series_geo_accession' "
                         f"or '{SERIES_MATRIX_BEGIN}' line).")
    series: dict[str, list[str]] = {}
    sample_rows: list[tuple[str, list[str]]] = []
    lines = text.replace("\r\n", "\n").split("\n")
    for row in csv.reader(lines, delimiter="\t", quotechar='"'):
        if not row or not row[0].startswith("!"):
            continue
        key = row[0]
        if key == SERIES_MATRIX_BEGIN:
            break
        if key.startswith("!Series_"):
            series.setdefault(key[len("!Series_"):], []).extend(v for v in row[1:] if v)
        elif key.startswith("!Sample_"):
            sample_rows.append((key[len("!Sample_"):], row[1:]))

    accessions = next((vals for key, vals in sample_rows if key == "geo_accession"), None)
    if not accessions:
        raise InputError(f"{path}: no '!Sample_geo_accession' line.")
    n = len(accessions)
    columns: dict[str, list[str]] = {}
    chars: dict[str, list[str]] = {}
    for key, vals in sample_rows:
        if len(vals) != n:
            raise InputError(f"{path}: '!Sample_{key}' has {len(vals)} values "
                             f"for {n} samples.")
        if key in columns:
            columns[key] = [f"{a}; {b}" if b else a for a, b in zip(columns[key], vals)]
        else:
            columns[key] = list(vals)
        if key == "characteristics_ch1":
            for i, value in enumerate(vals):
                name, sep, val = value.partition(":")
                if sep and val.strip():
                    chars.setdefault("char_" + name.strip().lower(), [""] * n)[i] = val.strip()
    samples = pd.DataFrame({**columns, **chars}, index=pd.Index(accessions, name="sample"))
    samples = samples.drop(columns="geo_accession")
    return SeriesMatrix(path=path, series=series, samples=samples)


# NCBI names its computed files by organism and genome build; one place for the names.
NCBI_GENOMES = {
    "Mus musculus": ("Mouse", "GRCm39"),
    "Homo sapiens": ("Human", "GRCh38.p13"),
}


def counts_filename(series: str, organism: str = "Mus musculus") -> str:
    """NCBI's name for a series' raw counts, e.g. ``GSE1_raw_counts_GRCm39_NCBI.tsv.gz``."""
    return f"{series}_raw_counts_{NCBI_GENOMES[organism][1]}_NCBI.tsv.gz"


def annotation_filename(organism: str = "Mus musculus") -> str:
    """NCBI's name for the gene annotation, e.g. ``Mouse.GRCm39.annot.tsv.gz``."""
    common, build = NCBI_GENOMES[organism]
    return f"{common}.{build}.annot.tsv.gz"


def series_matrix_filename(series: str, platform: str | None = None) -> str:
    """GEO's name for a series matrix; multi-platform series add ``-GPL…``."""
    return f"{series}-{platform}_series_matrix.txt.gz" if platform else \
        f"{series}_series_matrix.txt.gz"
