"""A user's own counts: count files in the tools' formats, a sample table, gene-ID mapping.

Formats read (``datasets.<name>.counts: {file: PATH, format: …}``; ``auto`` decides from the
content, never from the file name):

* ``featurecounts``: featureCounts' ``-o`` file: a ``# Program:featureCounts …`` comment
  line, then the header ``Geneid Chr Start End Strand Length <one column per BAM>``
  (tab-separated); the six annotation columns are dropped; a column is named after its BAM
  file (folder, ``.bam``/``.sam``/``.cram`` and STAR's ``Aligned[.sortedByCoord].out``
  removed).
* ``matrix``: genes x samples, CSV or TSV (delimiter detected); first column gene IDs, the
  header names the samples; text columns (e.g. a gene symbol) are set aside.
* ``htseq``: htseq-count output, one file per sample (a folder or a glob pattern): two
  columns ``gene<TAB>count`` without a header; the ``__no_feature``, ``__ambiguous``, …
  summary rows are dropped and reported. A sample is named after its file.
* ``salmon`` / ``kallisto``: a folder with one sub-folder per sample holding ``quant.sf`` /
  ``abundance.tsv``, summarised to genes by :mod:`painstress.data.transcripts`
  (pytximport, ``lengthScaledTPM``) and rounded, as tximport's vignette does for DESeq2.

Counts must be raw: non-negative whole numbers (DESeq2's negative binomial models read
counts; normalised values are refused, see :func:`raw_counts`). Gene IDs may be NCBI
GeneIDs, Ensembl gene IDs (versions stripped) or symbols; :func:`map_to_gene_ids` maps them
to NCBI GeneIDs with NCBI Gene's ``<Organism>.gene_info.gz`` (its ``dbXrefs`` carry the
Ensembl gene IDs) and, when given, ``gene2ensembl``.
"""

from __future__ import annotations

import csv
import glob
import io
import logging
import re
from pathlib import Path

from painstress import InputError, lazy_module
from painstress.data.ncbi_files import SAMPLE_PATTERN, TAXON, SeriesMatrix
from painstress.files import open_text, read_text, refuse_html

np = lazy_module("numpy")
pd = lazy_module("pandas")

log = logging.getLogger(__name__)

FORMATS = ("featurecounts", "matrix", "htseq", "salmon", "kallisto")
FEATURECOUNTS_COLUMNS = ["Geneid", "Chr", "Start", "End", "Strand", "Length"]
QUANT_FILE = {"salmon": "quant.sf", "kallisto": "abundance.tsv"}
GENE_INFO_FILE = {"Mus musculus": "Mus_musculus.gene_info.gz",
                  "Homo sapiens": "Homo_sapiens.gene_info.gz"}
# Ensembl gene-ID prefixes of a few organisms, to say whose IDs a file holds.
ENSEMBL_PREFIX = {"ENSMUSG": "Mus musculus", "ENSG": "Homo sapiens", "ENSRNOG": "Rattus "
                  "norvegicus", "ENSDARG": "Danio rerio", "ENSMMUG": "Macaca mulatta"}
ENSEMBL_GENE = re.compile(r"^(ENS[A-Z]*G\d{6,})(\.\d+)?(_PAR_Y)?$")
ENSEMBL_TRANSCRIPT = re.compile(r"^ENS[A-Z]*T\d{6,}(\.\d+)?$")
MIN_MAPPED = 0.5
ID_KINDS = {"geneid": "NCBI GeneIDs", "ensembl": "Ensembl gene IDs",
            "symbol": "gene symbols"}
SRX = re.compile(r"\bSRX\d+\b")


# ------------------------------------------------------------------ reading count files

def _lines(path: Path) -> list[str]:
    """The file's lines (gzip or not, byte-order mark dropped); a web page is refused."""
    text = read_text(path).removeprefix("\ufeff")
    refuse_html(path, text)
    lines = [line.rstrip("\r") for line in text.split("\n")]
    if not any(line.strip() for line in lines):
        raise InputError(f"{path}: is empty.")
    return lines


def sample_name_of(column: str) -> str:
    """A featureCounts column (a BAM path) or a per-sample file name -> the sample name."""
    name = Path(column.strip()).name
    name = re.sub(r"\.(gz|bz2)$", "", name)
    name = re.sub(r"\.(bam|sam|cram|txt|tsv|tab|counts?|htseq|htseq-count)$", "", name)
    name = re.sub(r"\.(counts?|htseq|htseq-count|txt)$", "", name)
    return re.sub(r"[._]?Aligned(\.sortedByCoord)?(\.toTranscriptome)?\.out$", "", name)


def _expand(path: str | Path) -> list[Path]:
    """A folder's files, or a glob pattern's matches, sorted; else the one file."""
    text = str(path)
    if any(c in text for c in "*?["):
        found = sorted(Path(p) for p in glob.glob(text) if Path(p).is_file())
    elif Path(text).is_dir():
        found = sorted(p for p in Path(text).iterdir() if p.is_file()
                       and not p.name.startswith("."))
    else:
        found = [Path(text)]
    if not found:
        raise InputError(f"{path}: no files found (a folder of count files or a glob "
                         "pattern such as counts/*.txt was expected).")
    return found


def _quant_folders(path: Path) -> dict[str, dict[str, Path]]:
    """kind -> {sample: file} of the salmon/kallisto outputs under ``path`` (one level)."""
    found: dict[str, dict[str, Path]] = {}
    for kind, name in QUANT_FILE.items():
        for file in sorted(path.glob(f"*/{name}")):
            found.setdefault(kind, {})[file.parent.name] = file
    return found


def detect_format(path: str | Path) -> str:
    """The format of a count file or folder, from its content (see the module docstring)."""
    path = Path(path)
    if path.is_dir() and (quant := _quant_folders(path)):
        if len(quant) > 1:
            raise InputError(f"{path}: holds both salmon and kallisto outputs; give one "
                             "folder, or the format.")
        return next(iter(quant))
    files = _expand(path)
    if len(files) > 1:
        return "htseq"
    lines = [line for line in _lines(files[0]) if line.strip()]
    if lines[0].startswith("# Program:featureCounts") or \
            lines[0].split("\t")[:6] == FEATURECOUNTS_COLUMNS:
        return "featurecounts"
    return "matrix"


def read_featurecounts(path: str | Path) -> pd.DataFrame:
    """featureCounts output -> text table (index gene ID, one column per sample)."""
    path = Path(path)
    lines = [line for line in _lines(path) if line.strip() and not line.startswith("#")]
    header = lines[0].split("\t")
    if header[:6] != FEATURECOUNTS_COLUMNS or len(header) < 7:
        raise InputError(f"{path}: not featureCounts output: its header should start with "
                         f"{' '.join(FEATURECOUNTS_COLUMNS)} and one column per BAM file, "
                         f"found {' '.join(header[:7])!r}.")
    table = _parse("\n".join(lines), "\t", path)
    table = table.drop(columns=FEATURECOUNTS_COLUMNS[1:]).set_index("Geneid")
    table.columns = [sample_name_of(c) for c in table.columns]
    return table


def _parse(text: str, sep: str, path: Path) -> pd.DataFrame:
    header = [c.strip().strip('"') for c in text.split("\n", 1)[0].split(sep)]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:  # pandas would rename them A.1, …
        raise InputError(f"{path}: sample column(s) {', '.join(repeated)} appear more than "
                         "once; each sample must have one column.")
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                           na_filter=False, index_col=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"{path}: cannot be read as a table: {exc}") from exc


def _delimiter(path: Path, lines: list[str]) -> str:
    try:
        return csv.Sniffer().sniff("\n".join(lines[:20]), delimiters="\t,;").delimiter
    except csv.Error:
        if "\t" in lines[0] or "," in lines[0]:
            return "\t" if lines[0].count("\t") >= lines[0].count(",") else ","
        raise InputError(f"{path}: neither tab- nor comma-separated (line 1: "
                         f"{lines[0][:80]!r}).") from None


def read_matrix(path: str | Path) -> pd.DataFrame:
    """A genes x samples CSV/TSV -> text table (index gene ID, one column per sample).

    Columns whose cells are mostly not numbers (gene symbol, description) are set aside
    (logged); a count column with a few non-numbers stays, and :func:`raw_counts` names them.
    """
    path = Path(path)
    lines = [line for line in _lines(path) if line.strip() and not line.startswith("#")]
    table = _parse("\n".join(lines), _delimiter(path, lines), path)
    if table.shape[1] < 2:
        raise InputError(f"{path}: has one column; a counts matrix has gene IDs in the "
                         "first column and one column per sample.")
    table = table.set_index(table.columns[0])
    numeric = table.apply(lambda c: pd.to_numeric(c, errors="coerce").notna().mean() >= 0.5)
    if not numeric.any():
        raise InputError(f"{path}: no column of numbers after the gene IDs; is this a "
                         "counts matrix (genes in rows, samples in columns)?")
    if (~numeric).any():
        log.info("%s: text column(s) set aside: %s", path, ", ".join(table.columns[~numeric]))
    return table.loc[:, numeric]


def read_htseq(files: list[Path]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """htseq-count files -> (text table genes x samples, the ``__`` summary rows per sample)."""
    columns, summaries = {}, {}
    for path in files:
        lines = [line for line in _lines(path) if line.strip()]
        rows = [line.split("\t") for line in lines]
        bad = next((i for i, r in enumerate(rows) if len(r) != 2), None)
        if bad is not None:
            raise InputError(f"{path}: line {bad + 1} has {len(rows[bad])} tab-separated "
                             "fields; htseq-count output has two (gene, count).")
        name = sample_name_of(path.name)
        if name in columns:
            raise InputError(f"{path}: two files give sample {name!r}; name each file after "
                             "its sample.")
        series = pd.Series([r[1] for r in rows], index=[r[0] for r in rows])
        special = series.index.str.startswith("__")
        columns[name], summaries[name] = series[~special], series[special]
    genes = [list(s.index) for s in columns.values()]
    if any(g != genes[0] for g in genes[1:]):
        first = files[0]
        other = files[[g != genes[0] for g in genes].index(True)]
        raise InputError(f"{other}: lists other genes (or another order) than {first}; "
                         "htseq-count files of one dataset come from the same annotation.")
    summary = pd.DataFrame(summaries).fillna("0")
    return pd.DataFrame(columns), summary


def read_counts(path: str | Path, fmt: str = "auto", *, tx2gene: pd.DataFrame | None = None
                ) -> tuple[pd.DataFrame, dict]:
    """Read a count file (or folder) -> (int64 counts genes x samples, indexed by the file's
    own gene IDs; report: format, files, samples, dropped summary rows)."""
    fmt = detect_format(path) if fmt == "auto" else fmt
    report: dict = {"format": fmt, "files": [], "dropped": ""}
    tximport = fmt in QUANT_FILE
    if tximport:
        from painstress.data import transcripts

        if tx2gene is None:
            raise InputError(f"{path}: {fmt} output needs a transcript-to-gene table "
                             f"(datasets.<name>.counts.tx2gene or .gtf).")
        files = _quant_folders(Path(path)).get(fmt, {})
        if not files:
            raise InputError(f"{path}: no */{QUANT_FILE[fmt]} found (one folder per sample "
                             f"with its {fmt} output was expected).")
        table = transcripts.gene_counts_from_quant(files, tx2gene, fmt)
        report["files"] = list(files.values())
    elif fmt == "htseq":
        files = _expand(path)
        table, summary = read_htseq(files)
        report["files"] = files
        totals = summary.apply(pd.to_numeric, errors="coerce").sum(axis=1)
        report["dropped"] = ", ".join(f"{k} ({int(v)} reads)" for k, v in totals.items())
        log.info("%s: htseq-count summary rows dropped: %s", path, report["dropped"])
    elif fmt in ("featurecounts", "matrix"):
        files = _expand(path)
        if len(files) != 1:
            raise InputError(f"{path}: {fmt} is one file; found {len(files)}.")
        table = (read_featurecounts if fmt == "featurecounts" else read_matrix)(files[0])
        report["files"] = files
    else:
        raise InputError(f"{path}: unknown count format {fmt!r} ({', '.join(FORMATS)}).")
    counts = raw_counts(table, report["files"][0] if len(report["files"]) == 1 else path,
                        tximport=tximport)
    report["samples"] = len(counts.columns)
    return counts, report


def raw_counts(table: pd.DataFrame, source, *, tximport: bool = False) -> pd.DataFrame:
    """Check a genes x samples table of counts and return it as int64.

    Refused, naming ``source`` and the first bad cell: duplicate gene IDs or sample names,
    names that are not plain (letters, digits, ``. _ -``), empty or non-numeric cells,
    negative values, and fractional values unless ``tximport`` (tximport's estimated counts
    are fractional by design and are rounded, as its vignette does for DESeq2).
    """
    ids = pd.Index(table.index.astype(str).str.strip())
    if ids.duplicated().any():
        dup = ids[ids.duplicated()][0]
        raise InputError(f"{source}: gene ID {dup!r} appears more than once "
                         f"({int((ids == dup).sum())} rows); each gene must have one row.")
    columns = [str(c).strip() for c in table.columns]
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        raise InputError(f"{source}: sample column(s) {', '.join(repeated)} appear more than "
                         "once; each sample must have one column.")
    bad = [c for c in columns if not SAMPLE_PATTERN.match(c)]
    if bad:
        raise InputError(f"{source}: sample name(s) {', '.join(map(repr, bad[:5]))} are not "
                         "plain names (letters, digits, '.', '_', '-'); rename the columns.")
    values = table.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)

    def first(mask, why):
        row, col = (int(i) for i in np.argwhere(mask)[0])
        raise InputError(f"{source}: gene {ids[row]}, sample {columns[col]}: "
                         f"{table.iat[row, col]!r} {why}")

    if np.isnan(values).any():
        first(np.isnan(values), "is not a number (empty cells and NA are not counts).")
    if (values < 0).any():
        first(values < 0, "is negative; counts of reads are never negative.")
    fractional = values != np.round(values)
    if fractional.any() and not tximport:
        share = fractional.mean()
        first(fractional, f"is not a whole number ({share:.0%} of the values are not). "
              "DESeq2 needs raw read counts: its negative binomial model takes the variance "
              "from the counts themselves, and FPKM, TPM or otherwise normalised values have "
              "lost that scale (and the library size), so its tests would be wrong. Give the "
              "raw counts (featureCounts/HTSeq output), or salmon/kallisto folders "
              "(format: salmon or kallisto), which tximport turns into counts.")
    counts = pd.DataFrame(np.round(values).astype(np.int64), index=ids, columns=columns)
    counts.index.name = "gene"
    return counts


# ------------------------------------------------------------------ gene IDs

def detect_id_type(ids) -> str:
    """``geneid`` (NCBI GeneIDs), ``ensembl`` (Ensembl gene IDs) or ``symbol``, by what most
    IDs look like; Ensembl transcript IDs are refused (transcripts are not genes)."""
    ids = pd.Index(ids).astype(str)
    if ids.str.fullmatch(r"[1-9][0-9]*").mean() >= 0.9:
        return "geneid"
    if ids.str.match(ENSEMBL_GENE.pattern).mean() >= 0.5:
        return "ensembl"
    if ids.str.match(ENSEMBL_TRANSCRIPT.pattern).mean() >= 0.5:
        raise InputError("the gene IDs are Ensembl transcript IDs (e.g. "
                         f"{ids[0]}); give gene-level counts, or the salmon/kallisto "
                         "output with a transcript-to-gene table.")
    return "symbol"


def read_gene2ensembl(path: str | Path, organism: str = "Mus musculus") -> pd.DataFrame:
    """NCBI Gene's ``gene2ensembl.gz`` -> GeneID, Ensembl (gene IDs) of ``organism``."""
    with open_text(path) as fh:
        table = pd.read_csv(fh, sep="\t", dtype=str, usecols=[0, 1, 2])
    table.columns = ["tax_id", "GeneID", "Ensembl"]
    table = table[table["tax_id"] == str(TAXON[organism])]
    return table.assign(GeneID=table["GeneID"].astype(np.int64))[["GeneID", "Ensembl"]]


def _unique_lookup(pairs: list[tuple[str, int]]) -> tuple[dict[str, int], set[str]]:
    """key -> GeneID for keys with one gene; and the keys with several (ambiguous)."""
    genes: dict[str, set[int]] = {}
    for key, gene in pairs:
        genes.setdefault(key, set()).add(gene)
    return ({k: next(iter(v)) for k, v in genes.items() if len(v) == 1},
            {k for k, v in genes.items() if len(v) > 1})


def _by_gene_id(gene_info: pd.DataFrame | None) -> pd.DataFrame | None:
    """:func:`painstress.data.ncbi_files.read_gene_info`'s table indexed by GeneID."""
    return gene_info.set_index("GeneID") if gene_info is not None else None


def map_to_gene_ids(counts: pd.DataFrame, gene_info: pd.DataFrame | None,
                    gene2ensembl: pd.DataFrame | None = None, *, source="counts",
                    organism: str = "Mus musculus") -> tuple[pd.DataFrame, dict]:
    """Map a counts table indexed by any gene ID to NCBI GeneIDs.

    In: ``counts`` (genes x samples, index: GeneIDs, Ensembl gene IDs with or without
    version, or symbols; :func:`detect_id_type` decides which); ``gene_info`` from
    :func:`painstress.data.ncbi_files.read_gene_info` (None: only GeneIDs can be kept,
    unchecked); ``gene2ensembl``
    (GeneID, Ensembl) adds Ensembl links. Symbols map by official symbol, else by a synonym
    that belongs to one gene only; an ID linked to several genes is left out (ambiguous).
    Out: (counts indexed by ``GeneID``, sorted, rows mapped to one gene summed; report dict
    with id_type, rows, mapped, unmapped, ambiguous, genes, summed, rate, examples).
    Fewer than half the rows mapped is an InputError naming ``source``, with a guess at why.
    """
    ids = counts.index.astype(str)
    id_type = detect_id_type(ids)
    gene_info = _by_gene_id(gene_info)
    ambiguous: set[str] = set()
    if id_type == "geneid":
        numbers = pd.Series(pd.to_numeric(ids, errors="coerce"), index=ids)
        known = numbers.isin(gene_info.index) if gene_info is not None else numbers.notna()
        target = numbers.where(known)
    elif gene_info is None:
        raise InputError(f"{source}: the gene IDs are {ID_KINDS[id_type]}, and mapping them "
                         f"to NCBI GeneIDs needs NCBI Gene's {GENE_INFO_FILE[organism]} (not "
                         "found; run online once, or place it under "
                         "resources/<study>/ncbi_gene/).")
    elif id_type == "ensembl":
        pairs = [(e, g) for g, links in gene_info["Ensembl"].items() for e in links]
        if gene2ensembl is not None:
            pairs += list(zip(gene2ensembl["Ensembl"], gene2ensembl["GeneID"]))
        lookup, ambiguous = _unique_lookup(list(dict.fromkeys(pairs)))
        stripped = [m.group(1) if (m := ENSEMBL_GENE.match(i)) else i for i in ids]
        target = pd.Series([lookup.get(s) for s in stripped], index=ids, dtype=float)
        ambiguous = {i for i, s in zip(ids, stripped) if s in ambiguous}
    else:
        official = dict(zip(gene_info["Symbol"], gene_info.index))
        synonyms, ambiguous_syn = _unique_lookup(
            [(s, g) for g, names in gene_info["Synonyms"].items() for s in names
             if s not in official])
        target = pd.Series([official.get(i, synonyms.get(i)) for i in ids], index=ids,
                           dtype=float)
        ambiguous = {i for i in ids if i not in official and i in ambiguous_syn}
    mapped = target.notna().to_numpy()
    kept = counts[mapped].copy()
    kept.index = pd.Index(target[mapped].astype(np.int64).to_numpy(), name="GeneID")
    summed = int(kept.index.duplicated().sum())
    result = kept.groupby(level=0, sort=True).sum() if summed else kept.sort_index()
    result.index.name = "GeneID"
    unmapped = [i for i, ok in zip(ids, mapped) if not ok]
    report = {"id_type": id_type, "rows": len(ids), "mapped": int(mapped.sum()),
              "unmapped": len(unmapped), "ambiguous": len(ambiguous), "genes": len(result),
              "summed": summed, "rate": round(float(mapped.mean()) if len(ids) else 0.0, 4),
              "examples": ", ".join(unmapped[:5])}
    if report["rate"] < MIN_MAPPED:
        raise InputError(f"{source}: only {report['mapped']} of {report['rows']} gene IDs "
                         f"({report['rate']:.0%}; read as {ID_KINDS[id_type]}) map to NCBI "
                         "GeneIDs of "
                         f"{organism}; unmapped e.g. {report['examples']}. "
                         f"{_why_unmapped(ids, id_type, organism)}")
    log.info("%s: %d of %d %s IDs mapped to %d NCBI GeneIDs (%d summed, %d ambiguous)",
             source, report["mapped"], report["rows"], id_type, report["genes"], summed,
             report["ambiguous"])
    return result, report


def _why_unmapped(ids, id_type: str, organism: str) -> str:
    if id_type == "ensembl":
        prefixes = pd.Series([m.group(1).rstrip("0123456789") if (m := ENSEMBL_GENE.match(i))
                              else "" for i in ids]).value_counts()
        whose = ENSEMBL_PREFIX.get(prefixes.index[0])
        if whose and whose != organism:
            return (f"These are {whose} Ensembl IDs ({prefixes.index[0]}…), not {organism}: "
                    "set datasets.<name>.organism, or give this organism's counts.")
    if id_type == "symbol" and organism == "Mus musculus" and \
            pd.Index(ids).str.fullmatch(r"[A-Z][A-Z0-9-]+").mean() > 0.5:
        return ("The symbols are upper case, as human symbols are (mouse: Bdnf, human: "
                "BDNF): are these human genes? Set datasets.<name>.organism.")
    return ("Are they IDs of another organism, or of a kind this workflow does not read "
            "(NCBI GeneIDs, Ensembl gene IDs, official symbols)?")


def annotation_table(gene_ids, gene_info: pd.DataFrame | None) -> pd.DataFrame:
    """The NCBI annotation layout (GeneID, Symbol, Description) for ``gene_ids``; symbols
    stay empty without ``gene_info``."""
    index = pd.Index(gene_ids, name="GeneID")
    if gene_info is None:
        return pd.DataFrame({"GeneID": index, "Symbol": "", "Description": ""})
    info = _by_gene_id(gene_info).reindex(index)
    return pd.DataFrame({"GeneID": index, "Symbol": info["Symbol"].fillna("").to_numpy(),
                         "Description": info["description"].fillna("").to_numpy()})


# ------------------------------------------------------------------ sample tables

def read_sample_table(path: str | Path, id_column: str) -> pd.DataFrame:
    """A sample table (CSV or TSV, delimiter detected; e.g. an SRA Run Selector table) ->
    text table indexed by ``id_column`` (every value as written, "" for empty)."""
    path = Path(path)
    lines = [line for line in _lines(path) if line.strip()]
    table = _parse("\n".join(lines), _delimiter(path, lines), path)
    table.columns = [str(c).strip() for c in table.columns]
    if id_column not in table.columns:
        raise InputError(f"{path}: has no column {id_column!r} (config "
                         "datasets.<name>.metadata.id_column); its columns: "
                         f"{', '.join(table.columns[:15])}.")
    ids = table[id_column].str.strip()
    if (ids == "").any():
        raise InputError(f"{path}: line {int(np.flatnonzero(ids == '')[0]) + 2}: no "
                         f"{id_column}; every sample needs one.")
    if ids.duplicated().any():
        raise InputError(f"{path}: {id_column} {ids[ids.duplicated()].iloc[0]!r} is listed "
                         "more than once; one row per sample.")
    return table.set_index(pd.Index(ids, name=id_column)).drop(columns=id_column)


def check_samples(columns, table: pd.DataFrame, counts_source, table_source) -> None:
    """The counts' columns and the table's rows are the same samples; else one error
    listing both differences."""
    missing = [c for c in columns if c not in table.index]
    extra = [s for s in table.index if s not in set(columns)]
    if missing or extra:
        lines = []
        if missing:
            lines.append(f"  columns of {counts_source} not in {table_source}: "
                         f"{', '.join(missing)}")
        if extra:
            lines.append(f"  rows of {table_source} not in {counts_source}: {', '.join(extra)}")
        raise InputError("the counts and the sample table do not list the same samples:\n"
                         + "\n".join(lines) + "\nList every counted sample in the table "
                         "(id_column holds the counts' column names), and only those.")


def table_as_series_matrix(table: pd.DataFrame, path: str | Path) -> SeriesMatrix:
    """A sample table in the shape the sample sheet reads series matrices in: every column
    as ``column: value`` text in ``characteristics_ch1`` (so factor patterns such as
    'Phenotype: Stress' match), each column also under its own name, ``title`` the ID."""
    text = table.apply(lambda row: "; ".join(f"{c}: {v}" for c, v in row.items()
                                             if str(v).strip()), axis=1)
    samples = table.assign(characteristics_ch1=text, title=table.index)
    samples.index.name = "sample"
    return SeriesMatrix(path=Path(path), series={}, samples=samples)


def sample_keys(matrix: SeriesMatrix) -> dict[str, str]:
    """Every name a column may give a sample by -> its GSM: the accession, its title (also
    in lower case) and its SRA experiment."""
    keys: dict[str, str] = {}
    for gsm, row in matrix.samples.iterrows():
        keys[gsm] = gsm
        title = str(row.get("title", "")).strip()
        if title:
            keys.setdefault(title, gsm)
            keys.setdefault(title.lower(), gsm)
        for srx in SRX.findall(str(row.get("relation", ""))):
            keys.setdefault(srx, gsm)
    return keys


def match_columns(columns, matrix: SeriesMatrix, source) -> dict[str, str]:
    """Column -> GSM for every column (by accession in the name, title, or SRX); a column
    that names no sample of the series, or two columns of one sample, is an InputError."""
    keys = sample_keys(matrix)
    found = {}
    for column in columns:
        gsm = keys.get(column) or keys.get(column.lower())
        if gsm is None and (hit := re.search(r"GSM\d+", column)) and hit.group(0) in keys:
            gsm = hit.group(0)
        if gsm is None:
            raise InputError(f"{source}: column {column!r} is not a sample of "
                             f"{matrix.accession} (by GSM accession, sample title or SRA "
                             "experiment); give the sample table as datasets.<name>.metadata.")
        found[column] = gsm
    twice = pd.Series(found).duplicated(keep=False)
    if twice.any():
        raise InputError(f"{source}: columns {', '.join(twice.index[twice])} are the same "
                         "sample of the series.")
    return found


# ------------------------------------------------------------------ one dataset's counts

def sha256_summary(files) -> str:
    """Files' SHA-256 for the methods table: each (short) for up to three files, else one
    digest over the sorted per-file digests (each is in the job's log)."""
    from painstress.data.http import sha256_of

    digests = {Path(f).name: sha256_of(Path(f)) for f in files}
    for name, digest in digests.items():
        log.info("sha256 %s %s", digest, name)
    if len(digests) <= 3:
        return "; ".join(d[:16] for d in digests.values())
    import hashlib

    joined = "".join(sorted(digests.values())).encode()
    return f"{len(digests)} files, combined {hashlib.sha256(joined).hexdigest()[:16]}"


def finish(counts: pd.DataFrame, report: dict, *, dataset: str, source: str,
           gene_info: pd.DataFrame | None, organism: str, counts_source,
           samples: pd.DataFrame | None = None, samples_source=None,
           matrix: SeriesMatrix | None = None) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """From a dataset's counts as read (file gene IDs x columns) to NCBI's layout.

    Columns are checked against the user's sample table (``samples``) or renamed to the
    series' GSMs (``matrix``); gene IDs are mapped (:func:`map_to_gene_ids`). Returns
    (counts indexed by GeneID, annotation table, one row for the count-source table).
    """
    if samples is not None:
        check_samples(list(counts.columns), samples, counts_source, samples_source)
    elif matrix is not None:
        counts = counts.rename(columns=match_columns(counts.columns, matrix, counts_source))
    mapped, ids = map_to_gene_ids(counts, gene_info, source=counts_source, organism=organism)
    notes = [f"summary rows dropped: {report['dropped']}"] if report.get("dropped") else []
    if gene_info is None:
        notes.append("no gene annotation: symbols left empty")
        log.warning("dataset %s: NCBI Gene's %s is not there (offline): gene symbols stay "
                    "empty", dataset, GENE_INFO_FILE[organism])
    row = {"dataset": dataset, "source": source, "format": report["format"],
           "files": "; ".join(Path(f).name for f in report["files"]),
           "sha256": sha256_summary(report["files"]), "id_type": ids["id_type"],
           "id_rows": ids["rows"], "id_mapped": ids["mapped"], "mapping_rate": ids["rate"],
           "genes": ids["genes"], "samples": mapped.shape[1], "notes": "; ".join(notes)}
    return mapped, annotation_table(mapped.index, gene_info), row


def read_tx2gene(path: str | Path) -> pd.DataFrame:
    """A transcript-to-gene table (CSV/TSV, transcript then gene in the first two columns,
    with or without a header) -> columns transcript_id, gene_id."""
    path = Path(path)
    lines = [line for line in _lines(path) if line.strip() and not line.startswith("#")]
    sep = _delimiter(path, lines)
    rows = [line.split(sep)[:2] for line in lines]
    if any(len(r) < 2 for r in rows):
        raise InputError(f"{path}: a transcript-to-gene table has two columns (transcript, "
                         "gene).")
    if not ENSEMBL_TRANSCRIPT.match(rows[0][0]) and rows[0][0].lower().startswith(
            ("transcript", "tx", "target", "name")):
        rows = rows[1:]
    return pd.DataFrame(rows, columns=["transcript_id", "gene_id"])


def sample_table_matrix(path: str | Path, id_column: str) -> SeriesMatrix:
    """A sample table file, read as the sample sheet reads series matrices."""
    return table_as_series_matrix(read_sample_table(path, id_column), path)
