"""From transcript quantifications (salmon, kallisto) to gene counts.

* :func:`tx2gene_from_gtf` reads a GTF (Ensembl, GENCODE or any GTF with ``gene_id`` and
  ``transcript_id`` attributes) into the transcript -> gene table, Ensembl versions stripped
  (``ENSMUST00000193812.1`` -> ``ENSMUST00000193812``), so it matches quantifications made
  against a FASTA with or without versions.
* :func:`gene_counts_from_quant` summarises ``quant.sf`` (salmon) or ``abundance.tsv``
  (kallisto) files to genes with pytximport, counts from abundance as
  ``lengthScaledTPM``: tximport's recommendation for count-based tools used without a
  length offset (DESeq2 here). Per sample and gene, counts = TPM x the gene's length averaged
  over samples, rescaled to the sample's total estimated counts; the values are not whole
  numbers, and the caller rounds them where integers are needed.
"""

from __future__ import annotations

import gzip
import logging
import re
from pathlib import Path
from typing import Literal

import pandas as pd

from painstress import InputError

log = logging.getLogger(__name__)

# An Ensembl/GENCODE stable ID with its version (GENCODE may add _PAR_Y to chrY copies).
_VERSIONED = re.compile(r"^(ENS[A-Z]*[GT]\d+)\.\d+(_PAR_Y)?$")
_ATTRIBUTE = re.compile(r'(\w+) "([^"]*)"')
# What each tool writes, and the columns pytximport reads from it.
QUANT_COLUMNS = {
    "salmon": ("Name", "Length", "EffectiveLength", "TPM", "NumReads"),
    "kallisto": ("target_id", "length", "eff_length", "est_counts", "tpm"),
}


def strip_version(identifier: str) -> str:
    """``ENSMUST00000193812.1`` -> ``ENSMUST00000193812``; other IDs are returned as given."""
    match = _VERSIONED.match(identifier)
    return match.group(1) + (match.group(2) or "") if match else identifier


def _open_text(path: Path):
    with open(path, "rb") as fh:
        gzipped = fh.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rt") if gzipped else open(path)


def tx2gene_from_gtf(path: str | Path) -> pd.DataFrame:
    """The transcript -> gene table of a GTF: columns ``transcript_id``, ``gene_id``.

    Reads ``transcript`` and ``exon`` lines (an excerpt or a GTF without transcript lines
    may name a transcript on its exons only), plain or gzipped.
    One row per transcript, in file order, versions stripped. A transcript given two genes,
    or a GTF without any transcript, is an :class:`InputError` naming the file and line.
    """
    path = Path(path)
    genes: dict[str, str] = {}
    try:
        with _open_text(path) as fh:
            for number, line in enumerate(fh, 1):
                if line.startswith("#") or not line.strip():
                    continue
                fields = line.rstrip("\n").split("\t")
                if len(fields) != 9:
                    raise InputError(f"{path}, line {number}: a GTF line has 9 tab-separated "
                                     f"fields, this one has {len(fields)}. Is {path.name} a GTF "
                                     "file (not GFF3 or FASTA)?")
                if fields[2] not in ("transcript", "exon"):
                    continue
                attributes = dict(_ATTRIBUTE.findall(fields[8]))
                if "transcript_id" not in attributes or "gene_id" not in attributes:
                    raise InputError(f"{path}, line {number}: a {fields[2]} line without "
                                     "gene_id and transcript_id attributes.")
                transcript = strip_version(attributes["transcript_id"])
                gene = strip_version(attributes["gene_id"])
                if genes.setdefault(transcript, gene) != gene:
                    raise InputError(f"{path}, line {number}: transcript {transcript} is given "
                                     f"two genes, {genes[transcript]} and {gene}.")
    except (OSError, EOFError, UnicodeDecodeError, gzip.BadGzipFile) as exc:
        raise InputError(f"cannot read the GTF {path}: {exc}. Download it again.") from exc
    if not genes:
        raise InputError(f"{path} has no transcript or exon lines: not a transcriptome GTF.")
    return pd.DataFrame({"transcript_id": list(genes), "gene_id": list(genes.values())})


def _check_quant_file(path: Path, kind: str) -> None:
    """The header of a quantification file is that of ``kind``'s output, else InputError."""
    if not path.is_file():
        raise InputError(f"quantification file {path} does not exist.")
    with open(path) as fh:
        header = fh.readline().rstrip("\n").split("\t")
    missing = [c for c in QUANT_COLUMNS[kind] if c not in header]
    if missing:
        raise InputError(f"{path} is not a {kind} quantification file: the header has no "
                         f"{', '.join(missing)} column (expected {', '.join(QUANT_COLUMNS[kind])})."
                         )


def gene_counts_from_quant(files: dict[str, Path], tx2gene: pd.DataFrame,
                           kind: Literal["salmon", "kallisto"] = "salmon") -> pd.DataFrame:
    """Gene counts (genes x samples) from one quantification file per sample.

    ``files`` maps a column name (sample or run) to its ``quant.sf`` / ``abundance.tsv``;
    ``tx2gene`` has columns ``transcript_id`` and ``gene_id`` (:func:`tx2gene_from_gtf`).
    Transcript versions and anything after ``|`` (GENCODE FASTA names) are ignored in the
    files. Counts are tximport's ``lengthScaledTPM`` (floats); rows are genes sorted by ID,
    columns in the order of ``files``. Transcripts the table does not know are left out with
    a warning; when none is known, InputError.
    """
    from pytximport import tximport

    if kind not in QUANT_COLUMNS:
        raise InputError(f"unknown quantification kind {kind!r}: salmon or kallisto.")
    if not files:
        raise InputError("no quantification files to summarise.")
    paths = [Path(p) for p in files.values()]
    for path in paths:
        _check_quant_file(path, kind)
    tx2gene = tx2gene.assign(transcript_id=tx2gene["transcript_id"].map(strip_version))
    known = set(tx2gene["transcript_id"])
    first = pd.read_csv(paths[0], sep="\t", usecols=[QUANT_COLUMNS[kind][0]]).iloc[:, 0]
    names = first.astype(str).str.split("|").str[0].map(strip_version)
    if not names.isin(known).any():
        raise InputError(f"none of the transcripts of {paths[0]} (e.g. {names.iloc[0]}) is in "
                         "the transcript-to-gene table: was the index built from the "
                         "transcriptome of the GTF it is mapped with?")
    if not names.isin(known).all():
        log.warning("%d of %d transcripts of %s are not in the GTF; left out",
                    (~names.isin(known)).sum(), len(names), paths[0].name)
    try:
        result = tximport(
            [str(p) for p in paths], data_type=kind, transcript_gene_map=tx2gene,
            counts_from_abundance="length_scaled_tpm", ignore_transcript_version=True,
            ignore_after_bar=True, output_type="xarray")
    except (AssertionError, ValueError, KeyError, ImportError) as exc:
        raise InputError(f"pytximport could not read the {kind} files "
                         f"({', '.join(map(str, paths))}): {exc}") from exc
    counts = result["counts"]
    table = pd.DataFrame(counts.transpose("gene_id", "file").values,
                         index=pd.Index(counts["gene_id"].values.astype(str), name="gene_id"),
                         columns=list(files))
    return table.sort_index()
