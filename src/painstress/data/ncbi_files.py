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
import gzip
import io
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from painstress import InputError, lazy_module
from painstress.files import open_text, read_text, read_tsv, refuse_html

np = lazy_module("numpy")
pd = lazy_module("pandas")

GSM_PATTERN = re.compile(r"^GSM\d+$")
SAMPLE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
SERIES_MATRIX_BEGIN = "!series_matrix_table_begin"


INT64_MAX = 2**63 - 1  # the largest int64 count (np.iinfo(np.int64).max)
# in a table's body (header line removed, blank lines already dropped): a character other
# than a digit, tab or line end, or an empty cell (two tabs, or a tab at a line's end or
# start)
_ANYTHING_BUT_PLAIN_CELLS = re.compile(r"[^0-9\t\n]|\t\t|\t\n|\n\t|\t$|^\t")


def _read_table_text(path: Path) -> tuple[str, list[int]]:
    """A TSV file's text without its blank lines (and byte-order mark), and the file line
    number of each line kept; an empty file or a web page is an InputError."""
    text = read_text(path).removeprefix("\ufeff")
    refuse_html(path, text)
    numbered = [(number, line.rstrip("\r"))
                for number, line in enumerate(text.split("\n"), start=1) if line.strip()]
    if not numbered:
        raise InputError(f"{path}: is empty (no header line). Delete it and fetch it again.")
    width = numbered[0][1].count("\t") + 1
    for number, line in numbered[1:]:
        if line.count("\t") + 1 != width:
            raise InputError(f"{path}: line {number} has {line.count(chr(9)) + 1} "
                             f"tab-separated fields, the header (line {numbered[0][0]}) has "
                             f"{width}. The file is damaged or cut short: delete it and fetch "
                             "it again.")
    return "\n".join(line for _, line in numbered), [number for number, _ in numbered]


def _parse_tsv(text: str) -> pd.DataFrame:
    """Every cell as the text written: no quoting, nothing read as missing ("NA" is a gene
    symbol), no implicit index."""
    return pd.read_csv(io.StringIO(text), sep="\t", dtype=str, keep_default_na=False,
                       na_filter=False, quoting=csv.QUOTE_NONE, index_col=False)


def _gene_ids(path: Path, ids: pd.Series, lines: list[int]) -> pd.Series:
    """A GeneID column as int64: each a positive integer written as such, and unique."""
    valid = ids.str.fullmatch(r"[1-9][0-9]{0,17}")
    if not valid.all():
        row = int(np.flatnonzero(~valid.to_numpy())[0])
        raise InputError(f"{path}: line {lines[row + 1]}: GeneID {ids.iloc[row]!r} "
                         "is not an NCBI Entrez GeneID (a positive integer).")
    gene_ids = ids.astype(np.int64)
    repeated = gene_ids.duplicated(keep=False).to_numpy()
    if repeated.any():
        first = int(gene_ids.iloc[int(np.flatnonzero(repeated)[0])])
        where = [str(lines[i + 1]) for i in np.flatnonzero(gene_ids.to_numpy() == first)]
        raise InputError(f"{path}: GeneID {first} appears more than once "
                         f"(lines {', '.join(where)}); each gene must have one row.")
    return gene_ids


def read_ncbi_counts(path: str | Path) -> pd.DataFrame:
    """Read an NCBI-computed raw counts table.

    Returns a DataFrame of int64 counts: index ``GeneID`` (int), one column per GSM,
    in file order. Raises InputError on anything that is not a table of non-negative
    integer counts keyed by unique GeneIDs with unique GSM columns: values are read exactly
    (a count too large for int64 is refused, never wrapped around), and every line must
    have as many tab-separated fields as the header. Messages give the file's own line
    numbers (blank lines counted).
    """
    path = Path(path)
    text, lines = _read_table_text(path)
    header = text.split("\n", 1)[0].split("\t")
    if header[0] != "GeneID":
        spaces = " (columns must be separated by tabs, not spaces)" \
            if len(header) == 1 and len(header[0].split()) > 1 else ""
        raise InputError(f"{path}: line {lines[0]} should start with 'GeneID' (NCBI counts "
                         f"format), found {header[0]!r}{spaces}.")
    samples = header[1:]
    if not samples:
        raise InputError(f"{path}: line {lines[0]} has no sample columns after 'GeneID'.")
    # GSM accessions in NCBI's files; a user's own counts keep their sample names
    bad = [s for s in samples if not SAMPLE_PATTERN.match(s)]
    if bad:
        raise InputError(f"{path}: sample columns must be GSM accessions or plain sample "
                         f"names (letters, digits, . _ -); not so: {', '.join(bad[:5])}.")
    dup = sorted({s for s in samples if samples.count(s) > 1})
    if dup:
        raise InputError(f"{path}: duplicated sample columns: {', '.join(dup)}.")

    table = _parse_tsv(text)
    if table.empty:
        raise InputError(f"{path}: has a header but no gene rows.")
    gene_ids = _gene_ids(path, table["GeneID"], lines)

    raw = table[samples]
    # Nearly every file holds only plain decimal digits in non-empty cells: read those as
    # integers at once; anything else (and a count beyond int64) takes the checks below.
    if _ANYTHING_BUT_PLAIN_CELLS.search(text.partition("\n")[2]) is None:
        try:
            values = raw.to_numpy().astype(np.int64)
        except OverflowError:
            pass
        else:
            return _counts_frame(values, gene_ids, samples)
    numbers = raw.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        problems = ~np.isfinite(numbers) | (numbers < 0) | (numbers != np.round(numbers))
        # Beyond 2**53 a float is no longer exact: read those few cells as written.
        large = ~problems & (numbers >= 2.0 ** 53)
    exact = {}
    for row, col in np.argwhere(large):
        text = raw.iat[row, col]
        value = int(text) if text.isdigit() else int(numbers[row, col])
        if value > INT64_MAX:
            problems[row, col] = True
        exact[row, col] = value
    if problems.any():
        row, col = (int(i) for i in np.argwhere(problems)[0])
        where = f"{path}: line {lines[row + 1]}, column {samples[col]}: {raw.iat[row, col]!r}"
        if (row, col) in exact:
            raise InputError(f"{where} (GeneID {int(gene_ids.iloc[row])}) is larger than any "
                             f"count a 64-bit integer holds ({INT64_MAX}); no sequencing run "
                             "has that many reads. The file is damaged or not a counts table: "
                             "delete it and fetch it again.")
        raise InputError(
            f"{where} is not a raw count "
            "(expected a non-negative integer; is this a normalised table such as TPM/FPKM?).")
    values = np.where(large, 0.0, numbers).astype(np.int64)
    for (row, col), value in exact.items():
        values[row, col] = value
    return _counts_frame(values, gene_ids, samples)


def _counts_frame(values: np.ndarray, gene_ids: pd.Series, samples: list[str]) -> pd.DataFrame:
    counts = pd.DataFrame(values, index=gene_ids.astype(np.int64), columns=samples)
    counts.index.name = "GeneID"
    return counts


def read_annotation(path: str | Path) -> pd.DataFrame:
    """Read an NCBI gene annotation table (``*.annot.tsv.gz``).

    Returns a DataFrame indexed by ``GeneID`` (int) with at least a ``Symbol`` column;
    every other column of the file is kept as text, exactly as written (the gene symbols
    ``NA`` or ``nan`` stay symbols, an empty cell stays "").
    """
    path = Path(path)
    text, lines = _read_table_text(path)
    table = _parse_tsv(text)
    missing = [c for c in ("GeneID", "Symbol") if c not in table.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)} "
                         "(expected the NCBI annotation format: GeneID, Symbol, Description, …).")
    if table.empty:
        raise InputError(f"{path}: has a header but no gene rows. Delete it and fetch it again.")
    table.index = pd.Index(_gene_ids(path, table["GeneID"], lines), name="GeneID")
    return table.drop(columns="GeneID")


def read_mouse_genes(path: str | Path) -> pd.DataFrame:
    """The study's mouse genes from the workflow's ``genes.tsv`` (rule sample_sheet).

    In: ``genes.tsv``: ``GeneID``, ``symbol`` (from the NCBI annotations) and ``organism``,
    one row per gene of every dataset, human datasets' genes included.
    Out: its ``Mus musculus`` rows (a table without an ``organism`` column is taken whole),
    with ``symbol`` as text, "" where the annotation has none. Mouse-only readers (signature
    and pathway mapping) take these, so a human ``BDNF`` never passes for a mouse gene.
    """
    genes = read_tsv(path, dtype={"symbol": str}).fillna({"symbol": ""})
    if "organism" in genes.columns:
        genes = genes[genes["organism"] == "Mus musculus"]
    return genes


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
    text = read_text(path).removeprefix("\ufeff")
    refuse_html(path, text)
    if SERIES_MATRIX_BEGIN not in text or "!Series_geo_accession" not in text:
        raise InputError(f"{path}: not a GEO series matrix (no '!Series_geo_accession' "
                         f"or '{SERIES_MATRIX_BEGIN}' line).")
    series: dict[str, list[str]] = {}
    sample_rows: list[tuple[str, list[str]]] = []
    lines = text.replace("\r\n", "\n").split("\n")
    table_header: tuple[int, list[str]] | None = None
    reader = csv.reader(lines, delimiter="\t", quotechar='"')
    for row in reader:
        if not row or not row[0].startswith("!"):
            continue
        key = row[0]
        if key == SERIES_MATRIX_BEGIN:
            following = next(reader, [])
            if following and following[0] == "ID_REF":
                table_header = (reader.line_num, following[1:])
            break
        if key.startswith("!Series_"):
            series.setdefault(key[len("!Series_"):], []).extend(v for v in row[1:] if v)
        elif key.startswith("!Sample_"):
            sample_rows.append((key[len("!Sample_"):], row[1:]))

    accessions = next((vals for key, vals in sample_rows if key == "geo_accession"), None)
    if not accessions:
        raise InputError(f"{path}: no '!Sample_geo_accession' line.")
    _check_accessions(path, accessions, table_header)
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


def _check_accessions(path: Path, accessions: list[str],
                      table_header: tuple[int, list[str]] | None) -> None:
    """The samples of a series matrix: GSM accessions, each once, and the same ones the data
    table's header lists (``table_header``: its line number and GSMs), when it has one."""
    bad = [a for a in accessions if not GSM_PATTERN.match(a)]
    if bad:
        raise InputError(f"{path}: '!Sample_geo_accession' holds {bad[0]!r}, not a GSM "
                         "accession. The file is damaged: delete it and fetch it again.")
    repeated = sorted({a for a in accessions if accessions.count(a) > 1})
    if repeated:
        raise InputError(f"{path}: '!Sample_geo_accession' lists {', '.join(repeated)} more "
                         "than once. The file is damaged: delete it and fetch it again.")
    if table_header is None:
        return
    line, listed = table_header
    extra = [a for a in listed if a not in set(accessions)]
    absent = [a for a in accessions if a not in set(listed)]
    if extra or absent:
        what = (f"lists {', '.join(extra[:5])}, not on the '!Sample_geo_accession' line"
                if extra else f"lacks {', '.join(absent[:5])}, which '!Sample_geo_accession' "
                "lists")
        raise InputError(f"{path}: line {line}: the data table's header {what}. The file is "
                         "inconsistent or damaged: delete it and fetch it again.")


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


# ------------------------------------------------------------------ NCBI Gene's files
# ``gene_orthologs.gz`` (https://ftp.ncbi.nlm.nih.gov/gene/DATA/gene_orthologs.gz): gzip
# TSV, header ``#tax_id GeneID relationship Other_tax_id Other_GeneID``, one line per
# ortholog pair, ``relationship`` = ``Ortholog``. NCBI writes each pair once, with the
# reference organism of the pair (human, for human–mouse) in ``tax_id``; the reader accepts
# either orientation and normalises it, so it does not depend on that habit.
# ``*.gene_info.gz`` (…/GENE_INFO/Mammalia/Homo_sapiens.gene_info.gz,
# …/Mus_musculus.gene_info.gz): gzip TSV, 16 columns (:data:`GENE_INFO_COLUMNS`);
# ``Synonyms`` and ``dbXrefs`` are bar-delimited, ``-`` when empty.

HUMAN, MOUSE = 9606, 10090
TAXON = {"Mus musculus": MOUSE, "Homo sapiens": HUMAN}
TAX_NAMES = {HUMAN: "human", MOUSE: "mouse", 10116: "rat"}
ORTHOLOG_COLUMNS = ["#tax_id", "GeneID", "relationship", "Other_tax_id", "Other_GeneID"]
GENE_INFO_COLUMNS = ["#tax_id", "GeneID", "Symbol", "LocusTag", "Synonyms", "dbXrefs",
                     "chromosome", "map_location", "description", "type_of_gene",
                     "Symbol_from_nomenclature_authority",
                     "Full_name_from_nomenclature_authority", "Nomenclature_status",
                     "Other_designations", "Modification_date", "Feature_type"]
# The full gene_orthologs file has millions of lines (pairs for hundreds of species):
# read it in chunks and keep only the two taxa asked for.
CHUNK_ROWS = 1_000_000
READ_ERRORS = (OSError, EOFError, UnicodeDecodeError, zlib.error, gzip.BadGzipFile)


def _tax_name(tax: int) -> str:
    return TAX_NAMES.get(tax, f"tax{tax}")


def _header(path: Path, expected: list[str], what: str, url: str) -> list[str]:
    """Check the first line of ``path`` against ``expected`` columns (a prefix is enough
    for NCBI files that may grow columns at the end); return the header."""
    try:
        with open_text(path) as fh:
            head = fh.read(4096)
    except READ_ERRORS as exc:
        raise InputError(f"{path}: cannot be read as (gzipped) text: {exc}. "
                         "Delete it and fetch it again.") from exc
    refuse_html(path, head)
    header = head.split("\n", 1)[0].rstrip("\r").split("\t")
    if header[:len(expected)] != expected:
        raise InputError(f"{path}: line 1 should be the {what} header "
                         f"{' '.join(expected[:6])}{' …' if len(expected) > 6 else ''} "
                         f"(tab-separated), found {' '.join(header[:6])!r}. "
                         f"Is this {url}?")
    return header


def _bad_integer_line(path: Path, column: pd.Series, first_line: int, name: str) -> None:
    ok = column.str.fullmatch(r"[1-9][0-9]*")
    if not ok.all():
        i = int(np.flatnonzero(~ok.to_numpy())[0])
        raise InputError(f"{path}: line {first_line + i}: {name} {column.iloc[i]!r} "
                         "is not a positive integer.")


def read_gene_orthologs(path: str | Path, tax_a: int = HUMAN,
                        tax_b: int = MOUSE) -> pd.DataFrame:
    """Read NCBI ``gene_orthologs(.gz)`` and return the ortholog pairs of two taxa.

    In: the file (gzip or plain) and two NCBI taxonomy ids (default human, mouse).
    Out: DataFrame with int64 columns ``<a>_GeneID``, ``<b>_GeneID`` (``human_GeneID``,
    ``mouse_GeneID`` by default), one row per distinct pair, sorted; rows written in
    either orientation (``tax_id`` = a or b) are normalised to a→b. Only
    ``relationship == "Ortholog"`` rows count. Raises InputError for a file that is not
    in this format or that holds no pair of the two taxa.
    """
    path = Path(path)
    url = "https://ftp.ncbi.nlm.nih.gov/gene/DATA/gene_orthologs.gz"
    _header(path, ORTHOLOG_COLUMNS, "NCBI gene_orthologs", url)
    wanted = {str(tax_a), str(tax_b)}
    parts = []
    try:
        with open_text(path) as fh:
            reader = pd.read_csv(fh, sep="\t", dtype=str, keep_default_na=False,
                                 usecols=range(5), chunksize=CHUNK_ROWS)
            first_line = 2
            for chunk in reader:
                chunk.columns = ORTHOLOG_COLUMNS
                # Filter on text first: cheap, and only the rows kept need integer checks.
                keep = (chunk["#tax_id"].isin(wanted) & chunk["Other_tax_id"].isin(wanted)
                        & (chunk["#tax_id"] != chunk["Other_tax_id"])
                        & (chunk["relationship"] == "Ortholog"))
                if keep.any():
                    rows = chunk[keep]
                    lines = first_line + np.flatnonzero(keep.to_numpy())
                    for col in ("GeneID", "Other_GeneID"):
                        ok = rows[col].str.fullmatch(r"[1-9][0-9]*").to_numpy()
                        if not ok.all():
                            i = int(np.flatnonzero(~ok)[0])
                            raise InputError(f"{path}: line {int(lines[i])}: {col} "
                                             f"{rows[col].iloc[i]!r} is not a positive "
                                             "integer.")
                    parts.append(rows)
                first_line += len(chunk)
    except READ_ERRORS as exc:
        raise InputError(f"{path}: cannot be read as (gzipped) text: {exc}. "
                         "Delete it and fetch it again.") from exc
    except pd.errors.ParserError as exc:
        raise InputError(f"{path}: not a 5-column tab-separated table: {exc}.") from exc
    col_a, col_b = f"{_tax_name(tax_a)}_GeneID", f"{_tax_name(tax_b)}_GeneID"
    if not parts:
        raise InputError(f"{path}: no 'Ortholog' pair between taxa {tax_a} and {tax_b}. "
                         f"Is this the full {url} (not a subset for other species)?")
    rows = pd.concat(parts, ignore_index=True)
    forward = rows["#tax_id"] == str(tax_a)
    a = np.where(forward, rows["GeneID"], rows["Other_GeneID"]).astype(np.int64)
    b = np.where(forward, rows["Other_GeneID"], rows["GeneID"]).astype(np.int64)
    pairs = pd.DataFrame({col_a: a, col_b: b}).drop_duplicates()
    return pairs.sort_values([col_a, col_b], ignore_index=True)


def read_gene_info(path: str | Path, taxon: int | str | None = None) -> pd.DataFrame:
    """Read an NCBI ``*.gene_info(.gz)`` file.

    In: the file (gzip or plain); optionally the taxon to keep, a taxonomy id or an
    organism name of :data:`TAXON` (the per-organism files hold one taxon already;
    ``gene_info.gz`` holds all).
    Out: DataFrame with ``GeneID`` (int64), ``Symbol`` (str), ``Synonyms`` and ``Ensembl``
    (lists of str: NCBI's bar-delimited synonyms, empty for ``-``; the Ensembl gene IDs of
    ``dbXrefs``) and ``description``, in file order. Raises InputError naming the file and
    line for a wrong header, a non-integer or duplicated GeneID, and for no gene of
    ``taxon``.
    """
    path = Path(path)
    url = ("https://ftp.ncbi.nlm.nih.gov/gene/DATA/GENE_INFO/Mammalia/"
           "Homo_sapiens.gene_info.gz")
    _header(path, GENE_INFO_COLUMNS[:6], "NCBI gene_info", url)
    try:
        with open_text(path) as fh:
            table = pd.read_csv(fh, sep="\t", dtype=str, keep_default_na=False,
                                usecols=["#tax_id", "GeneID", "Symbol", "Synonyms",
                                         "dbXrefs", "description"],
                                quoting=3)  # QUOTE_NONE: descriptions may hold quotes
    except READ_ERRORS as exc:
        raise InputError(f"{path}: cannot be read as (gzipped) text: {exc}. "
                         "Delete it and fetch it again.") from exc
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"{path}: not an NCBI gene_info table: {exc}.") from exc
    _bad_integer_line(path, table["GeneID"], 2, "GeneID")
    if taxon is not None:
        tax_id = TAXON.get(taxon, taxon)
        table = table[table["#tax_id"] == str(tax_id)]
        if table.empty:
            named = f"{taxon} (taxon {tax_id})" if tax_id != taxon else f"taxon {tax_id}"
            raise InputError(f"{path}: no gene of {named}.")
    gene_ids = table["GeneID"].astype(np.int64)
    dup = gene_ids.duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(f"{path}: line {int(table.index[i]) + 2}: GeneID "
                         f"{int(gene_ids.iloc[i])} appears more than once.")

    def split(text):
        return [] if text in ("", "-") else [x for x in text.split("|") if x]

    return pd.DataFrame({
        "GeneID": gene_ids.to_numpy(), "Symbol": table["Symbol"].to_numpy(),
        "Synonyms": [split(s) for s in table["Synonyms"]],
        "Ensembl": [[v[8:] for v in split(x) if v.startswith("Ensembl:")]
                    for x in table["dbXrefs"]],
        "description": table["description"].to_numpy()})
