"""From a study's reads to gene counts: which runs, their FASTQ files, salmon, QC.

* Runs: a GEO series matrix names each sample's SRA experiment (``!Sample_relation``
  ``SRA: https://www.ncbi.nlm.nih.gov/sra?term=SRX…``). ENA's portal API
  (``filereport?accession=SRX…&result=read_run``) lists the experiment's runs with layout,
  read count, FASTQ addresses and MD5s; NCBI's ``efetch db=sra rettype=runinfo`` lists
  them without FASTQ addresses (enough for ``fasterq-dump``). Several runs of one sample
  are technical replicates (one library sequenced more than once): quantified one by one,
  their gene counts are summed into the sample's.
* FASTQ: downloaded over HTTPS from ENA, resumed where a broken transfer stopped
  (HTTP Range), and kept only when its MD5 is ENA's and the gzip stream is whole.
* salmon: ``salmon quant`` per run (selective alignment, library type detected, GC bias
  correction for paired runs); its ``aux_info/meta_info.json`` and
  ``lib_format_counts.json`` give the QC (reads, mapping rate, library type).
* Gene counts: :func:`painstress.data.transcripts.gene_counts_from_quant`
  (lengthScaledTPM), runs summed per sample, Ensembl genes mapped to NCBI GeneIDs, rounded,
  and written in NCBI's raw-counts layout (``GeneID`` + one column per GSM).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import logging
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import requests
from urllib3 import exceptions as urllib3_errors

from painstress import InputError, lazy_module
from painstress.data.http import Client, FetchError
from painstress.data.ncbi_files import SeriesMatrix
from painstress.files import make_folder, refuse_html

pd = lazy_module("pandas")

log = logging.getLogger(__name__)

EXPERIMENT = re.compile(r"\b([SED]RX\d+)\b")
RUN = re.compile(r"^[SED]RR\d+$")
# ENA portal API fields we ask for (https://www.ebi.ac.uk/ena/portal/api/returnFields).
ENA_FIELDS = ["run_accession", "experiment_accession", "experiment_alias", "library_layout",
              "library_strategy", "tax_id", "scientific_name", "read_count", "base_count",
              "fastq_ftp", "fastq_md5", "fastq_bytes"]
RUNINFO_COLUMNS = ["Run", "Experiment", "LibraryLayout", "LibraryStrategy", "TaxID",
                   "ScientificName", "spots", "SampleName"]
RUN_COLUMNS = ["sample", "experiment", "run", "layout", "library_strategy", "tax_id",
               "scientific_name", "read_count", "fastq_url", "fastq_md5", "fastq_bytes",
               "source"]
# SRA's library strategy of transcriptome sequencing (SRA experiment schema's vocabulary;
# ChIP-Seq, WGS, miRNA-Seq, ... are other assays salmon's gene counts do not fit)
RNA_SEQ = "RNA-Seq"
ENA_FASTQ_HOST = "ftp.sra.ebi.ac.uk"
TOOLS = {  # program -> how to install it
    "salmon": "apt-get install -y salmon (Debian/Ubuntu), or conda install -c bioconda "
              "salmon, or run with --sdm conda (envs/salmon.yaml)",
    "fasterq-dump": "apt-get install -y sra-toolkit, or conda install -c bioconda sra-tools",
    "fastp": "apt-get install -y fastp (Debian/Ubuntu), or conda install -c bioconda fastp, "
             "or run with --sdm conda (envs/salmon.yaml)",
}


# ---------------------------------------------------------------- which runs

def sample_experiments(matrix: SeriesMatrix) -> pd.Series:
    """Sample (GSM) -> SRA experiment (SRX…), from the series matrix's ``!Sample_relation``
    lines; a sample without one is an InputError naming it."""
    relations = matrix.samples.get("relation", pd.Series("", index=matrix.samples.index))
    found = relations.map(lambda text: (EXPERIMENT.findall(text) or [""])[0])
    missing = list(found.index[found == ""])
    if missing:
        raise InputError(
            f"{matrix.path}: sample(s) {', '.join(missing[:5])} have no 'SRA: …term=SRX…' "
            "relation, so their reads cannot be found; `counts: reads` needs a series whose "
            "samples were deposited in SRA (or give the counts another way, config/README.md).")
    return found.rename("experiment")


def _table(text: str, source: str, sep: str, needed: list[str]) -> pd.DataFrame:
    refuse_html(source, text)
    try:
        table = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{source}: cannot be read as a table: {exc}") from exc
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise InputError(f"{source}: no column {', '.join(missing)} (columns: "
                         f"{', '.join(table.columns[:8])}…); not the expected report.")
    return table


def parse_filereport(text: str, source: str) -> pd.DataFrame:
    """ENA's ``filereport`` (TSV, one row per run) -> the run table (:data:`RUN_COLUMNS`
    without ``sample``); FASTQ addresses, MD5s and sizes stay ``;``-separated as ENA gives
    them."""
    table = _table(text, source, "\t", ["run_accession", "experiment_accession",
                                        "library_layout", "library_strategy", "tax_id",
                                        "fastq_ftp", "fastq_md5"])
    return pd.DataFrame({
        "alias": table.get("experiment_alias", ""),
        "experiment": table["experiment_accession"], "run": table["run_accession"],
        "layout": table["library_layout"].str.upper(),
        "library_strategy": table["library_strategy"], "tax_id": table["tax_id"],
        "scientific_name": table.get("scientific_name", ""),
        "read_count": table.get("read_count", ""), "fastq_url": table["fastq_ftp"],
        "fastq_md5": table["fastq_md5"], "fastq_bytes": table.get("fastq_bytes", ""),
        "source": "ENA"})


def parse_runinfo(text: str, source: str) -> pd.DataFrame:
    """NCBI SRA ``runinfo`` (CSV) -> the run table; no FASTQ addresses (fasterq-dump)."""
    table = _table(text.strip() + "\n", source, ",", RUNINFO_COLUMNS)
    table = table[table["Run"] != "Run"]  # runinfo of several queries repeats its header
    return pd.DataFrame({
        "experiment": table["Experiment"], "run": table["Run"],
        "layout": table["LibraryLayout"].str.upper(),
        "library_strategy": table["LibraryStrategy"], "tax_id": table["TaxID"],
        "scientific_name": table["ScientificName"], "read_count": table["spots"],
        "fastq_url": "", "fastq_md5": "", "fastq_bytes": "", "source": "SRA"})


def ena_runs(client: Client, ena_url: str, experiment: str) -> pd.DataFrame:
    """The runs of one experiment from ENA's portal API."""
    response = client.get(f"{ena_url}/filereport", params={
        "accession": experiment, "result": "read_run", "fields": ",".join(ENA_FIELDS),
        "format": "tsv"})
    if not response.text.strip():
        raise FetchError(f"ENA lists no runs for {experiment} ({response.url}): not public "
                         "yet, or withdrawn?")
    return parse_filereport(response.text, f"ENA filereport for {experiment}")


def sra_runs(client: Client, eutils_url: str, experiments: list[str]) -> pd.DataFrame:
    """The runs of ``experiments`` from NCBI SRA (esearch, then efetch rettype=runinfo)."""
    found = client.get_json(f"{eutils_url}/esearch.fcgi", {
        "db": "sra", "term": " OR ".join(f"{e}[Accession]" for e in experiments),
        "retmax": 10000, "retmode": "json", "tool": "painstress"})
    uids = found.get("esearchresult", {}).get("idlist", [])
    if not uids:
        raise FetchError(f"NCBI SRA finds none of {', '.join(experiments[:5])}.")
    response = client.get(f"{eutils_url}/efetch.fcgi", params={
        "db": "sra", "id": ",".join(uids), "rettype": "runinfo", "retmode": "text",
        "tool": "painstress"})
    return parse_runinfo(response.text, f"SRA runinfo ({response.url})")


def check_runs(runs: pd.DataFrame, organism: str, where: str) -> None:
    """Every run is RNA-seq (library strategy ``RNA-Seq``) of ``organism`` (its NCBI
    taxon id), else InputError naming the runs, their samples and what they are, before
    anything is downloaded. ``where`` names the series in the message."""
    from painstress.data.count_files import TAXON

    taxon = str(TAXON[organism])
    problems = []
    for row in runs.itertuples(index=False):
        what = []
        if row.library_strategy != RNA_SEQ:
            what.append(f"library strategy {row.library_strategy or 'not given'!r}, "
                        f"not {RNA_SEQ!r}")
        if str(row.tax_id) != taxon:
            what.append(f"organism {row.scientific_name or '?'} (taxon "
                        f"{row.tax_id or 'not given'}), not {organism} ({taxon})")
        if what:
            problems.append(f"run {row.run} of sample {row.sample} ({row.experiment}): "
                            + " and ".join(what))
    if problems:
        raise InputError(
            f"{where}: " + "; ".join(problems[:5])
            + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
            + ". `counts: reads` quantifies RNA-seq runs of the dataset's organism only, "
            "and nothing was downloaded: give this dataset's counts another way "
            "(datasets.<name>.counts, config/README.md), or set datasets.<name>.organism "
            "if the series is of another organism.")


def resolve_runs(matrix: SeriesMatrix, client: Client, *, ena_url: str, eutils_url: str,
                 method: str = "ena", organism: str = "Mus musculus") -> pd.DataFrame:
    """Every run of the series' samples (:data:`RUN_COLUMNS`), in sample order.

    ``method`` ``ena``: ENA filereports (FASTQ addresses and MD5s); ``fasterq-dump``:
    NCBI runinfo. Runs of experiments the series does not name are left out; a sample
    without runs, a run whose layout is neither SINGLE nor PAIRED, or a run that is not
    RNA-seq of ``organism`` (:func:`check_runs`) is an InputError.
    """
    experiments = sample_experiments(matrix)
    wanted = list(dict.fromkeys(experiments))
    if method == "ena":
        runs = pd.concat([ena_runs(client, ena_url, e) for e in wanted], ignore_index=True)
    else:
        runs = sra_runs(client, eutils_url, wanted)
    runs = runs[runs["experiment"].isin(wanted)].drop_duplicates("run")
    table = experiments.reset_index().merge(runs, on="experiment", how="left")
    lacking = table.loc[table["run"].isna(), "sample"].tolist()
    if lacking:
        raise InputError(f"no runs found for {', '.join(lacking[:5])} "
                         f"({', '.join(experiments[lacking[:5]])}).")
    odd = table[~table["layout"].isin(["SINGLE", "PAIRED"])]
    if len(odd):
        raise InputError(f"run {odd['run'].iloc[0]}: library layout "
                         f"{odd['layout'].iloc[0]!r} is neither SINGLE nor PAIRED.")
    check_runs(table, organism, f"series {matrix.path.name}")
    return table[RUN_COLUMNS].reset_index(drop=True)


def runs_by_alias(matrix: SeriesMatrix, report: pd.DataFrame,
                  organism: str = "Mus musculus") -> pd.DataFrame:
    """The run table from a filereport (:func:`parse_filereport`) whose
    ``experiment_alias`` is the GSM, as GEO names what it submits to SRA; for a series
    matrix without SRA relations (the demo)."""
    table = report.assign(sample=report["alias"])
    table = table[table["sample"].isin(matrix.samples.index)]
    lacking = [s for s in matrix.samples.index if s not in set(table["sample"])]
    if lacking:
        raise InputError(f"no runs found for {', '.join(lacking[:5])}.")
    order = {s: i for i, s in enumerate(matrix.samples.index)}
    table = table.sort_values("sample", key=lambda s: s.map(order), kind="stable")
    check_runs(table, organism, f"series {matrix.path.name}")
    return table[RUN_COLUMNS].reset_index(drop=True)


def fastq_files(run: pd.Series, base_url: str = f"https://{ENA_FASTQ_HOST}"
                ) -> list[tuple[str, str, str]]:
    """(URL, MD5, file name) of the FASTQ files salmon reads for one run of the run table:
    the one file of a single-end run; ``_1`` and ``_2`` of a paired run (ENA may add a
    third file of unpaired reads, which is left out). ``base_url`` replaces ENA's FTP host
    (tests use a server on 127.0.0.1)."""
    urls = [u for u in str(run["fastq_url"]).split(";") if u]
    md5s = str(run["fastq_md5"]).split(";")
    md5s += [""] * (len(urls) - len(md5s))
    files = []
    for url, md5 in zip(urls, md5s):
        path = url.split("://", 1)[-1]
        path = path[len(ENA_FASTQ_HOST):] if path.startswith(ENA_FASTQ_HOST) else \
            "/" + path.split("/", 1)[1]
        files.append((base_url.rstrip("/") + path, md5, Path(path).name))
    if run["layout"] == "PAIRED":
        mates = [f for f in files if re.search(r"_[12]\.f(ast)?q\.gz$", f[2])]
        if len(mates) != 2:
            raise InputError(f"run {run['run']} is paired, but ENA lists "
                             f"{[f[2] for f in files] or 'no FASTQ files'}; set "
                             "reads.download: fasterq-dump to take the reads from SRA.")
        return sorted(mates, key=lambda f: f[2])
    if len(files) != 1:
        singles = [f for f in files if not re.search(r"_[12]\.f(ast)?q\.gz$", f[2])]
        if len(singles) != 1:
            raise InputError(f"run {run['run']} is single-end, but ENA lists "
                             f"{[f[2] for f in files] or 'no FASTQ files'}; set "
                             "reads.download: fasterq-dump to take the reads from SRA.")
        return singles
    return files


# ---------------------------------------------------------------- FASTQ download

def check_fastq(path: Path, md5: str, what: str, kind: str = "FASTQ") -> None:
    """The file's MD5 is ``md5`` (when given) and it is whole gzip (one or more members,
    the last one complete); else InputError naming ``what``. A web page saved in its place
    (a login or error page) is named as such; ``kind`` says what the file should be."""
    with open(path, "rb") as fh:
        head = fh.read(512)
    if not head.startswith(b"\x1f\x8b") and b"<html" in head.lower():
        raise InputError(f"{what}: an HTML page, not {kind} (a login or error page served "
                         "in place of the file?).")
    digest = hashlib.md5()
    inflate = zlib.decompressobj(wbits=31)
    complete = False
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
                while block:  # concatenated gzip members (bgzip, cat *.gz) are valid
                    complete = False
                    inflate.decompress(block)
                    if not inflate.eof:
                        break
                    complete = True
                    block = inflate.unused_data
                    inflate = zlib.decompressobj(wbits=31)
    except zlib.error as exc:
        raise InputError(f"{what}: not a valid gzip file ({exc}).") from exc
    if md5 and digest.hexdigest() != md5.lower():
        raise InputError(f"{what}: MD5 {digest.hexdigest()} differs from ENA's {md5}: the "
                         "file is damaged or incomplete.")
    if not complete:
        raise InputError(f"{what}: the gzip stream is empty or cut short (truncated).")


def download_fastq(client: Client, url: str, md5: str, dest: str | Path,
                   attempts: int = 3, run: str = "") -> dict:
    """Download one FASTQ of ``run`` to ``dest``, resuming a broken transfer, checked by
    MD5 and gzip.

    The bytes go to ``<dest>.part`` (kept between attempts and between runs, so a broken
    transfer resumes with an HTTP Range request where it stopped); only a checked file is
    renamed into place. A file that fails its check is deleted and FetchError names the
    run's file and address; an answer that is a web page (``text/html``) is refused before
    anything is written.
    """
    dest = Path(dest)
    what = f"{f'run {run}: ' if run else ''}{dest.name} from {url}"
    make_folder(dest.parent, dest)
    part = dest.with_name(dest.name + ".part")
    for attempt in range(1, attempts + 1):
        have = part.stat().st_size if part.exists() else 0
        try:
            response = client.get(url, stream=True, params=None) if not have else \
                _get_range(client, url, have)
            if "html" in response.headers.get("Content-Type", "").lower():
                response.close()
                raise InputError(f"{what}: the server answered with an HTML page "
                                 f"({response.headers['Content-Type']}), not FASTQ: a login "
                                 "or error page? Nothing was written; check the address "
                                 "(reads.fastq_url) or set reads.download: fasterq-dump.")
            mode = "ab" if have and response.status_code == 206 else "wb"
            with open(part, mode) as fh:
                for chunk in response.raw.stream(1 << 16, decode_content=False):
                    fh.write(chunk)
            expected = response.headers.get("Content-Length")
            got = part.stat().st_size - (have if mode == "ab" else 0)
            if expected is not None and got != int(expected):
                raise FetchError(f"{url}: {got} of {expected} bytes")
            break
        except (FetchError, requests.exceptions.RequestException,
                urllib3_errors.HTTPError) as exc:
            if attempt == attempts:
                raise FetchError(f"download of {dest.name} from {url} failed after "
                                 f"{attempts} attempts ({exc}); the part downloaded is kept "
                                 f"({part}) and a re-run resumes it.") from exc
            log.warning("download of %s broke off (%s); resuming", dest.name, exc)
    try:
        check_fastq(part, md5, what)
    except InputError as exc:
        part.unlink(missing_ok=True)
        raise FetchError(str(exc) + " It was deleted; run again to download it anew.") from exc
    part.replace(dest)
    return {"url": url, "file": dest.name, "size": dest.stat().st_size, "md5": md5}


def _get_range(client: Client, url: str, start: int) -> requests.Response:
    client.session.headers["Range"] = f"bytes={start}-"
    try:
        return client.get(url, stream=True)
    finally:
        del client.session.headers["Range"]


def fasterq_dump(run: str, layout: str, outdir: str | Path, threads: int = 2) -> list[Path]:
    """``fasterq-dump`` one run into gzipped FASTQ in ``outdir`` (``<run>.fastq.gz`` or
    ``<run>_1/_2.fastq.gz``)."""
    outdir = Path(outdir)
    make_folder(outdir, outdir / run)
    require_tools(["fasterq-dump"])
    done = subprocess.run(["fasterq-dump", "--split-3", "--skip-technical", "--threads",
                           str(threads), "--outdir", str(outdir), "--temp", str(outdir), run],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise FetchError(f"fasterq-dump {run} failed: {(done.stderr or done.stdout)[-1000:]}")
    names = [f"{run}_1.fastq", f"{run}_2.fastq"] if layout == "PAIRED" else [f"{run}.fastq"]
    if layout == "PAIRED":  # --split-3 puts reads without a mate in <run>.fastq: not used
        (outdir / f"{run}.fastq").unlink(missing_ok=True)
    gzipped = []
    for name in names:
        plain = outdir / name
        with open(plain, "rb") as src, gzip.open(f"{plain}.gz", "wb", compresslevel=1) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        plain.unlink()
        gzipped.append(Path(f"{plain}.gz"))
    return gzipped


# ---------------------------------------------------------------- tools and salmon

def require_tools(names: list[str]) -> dict[str, str]:
    """Program -> version line, for each program in ``names``; a missing program is an
    InputError with the command that installs it."""
    missing = [name for name in names if shutil.which(name) is None]
    if missing:
        raise InputError("counts from reads need " + "; ".join(
            f"{name} ({TOOLS.get(name, 'install it')})" for name in missing)
            + ". Nothing was downloaded.")
    versions = {}
    for name in names:
        done = subprocess.run([name, "--version"], capture_output=True, text=True)
        versions[name] = (done.stdout or done.stderr).strip().splitlines()[0]
    return versions


def salmon_quant_command(index: str | Path, fastqs: list[str | Path], outdir: str | Path,
                         threads: int = 2) -> list[str]:
    """``salmon quant`` for one run: library type detected (``-l A``), selective alignment
    (``--validateMappings``), GC bias correction for paired runs (salmon models fragment GC
    only for paired-end reads)."""
    # Snakemake hands a named input of one file over as that file's path, not a list
    fastqs = [fastqs] if isinstance(fastqs, (str, Path)) else list(fastqs)
    command = ["salmon", "quant", "-i", str(index), "-l", "A", "--validateMappings",
               "-p", str(threads), "-o", str(outdir)]
    if len(fastqs) == 2:
        command += ["-1", str(fastqs[0]), "-2", str(fastqs[1]), "--gcBias"]
    elif len(fastqs) == 1:
        command += ["-r", str(fastqs[0])]
    else:
        raise InputError(f"salmon quant takes one or two FASTQ files, not {len(fastqs)}.")
    return command


def fastp_command(fastqs: list[str | Path], trimmed: list[str | Path], json_report: str | Path,
                  html_report: str | Path, threads: int = 2) -> list[str]:
    """``fastp`` for one run (reads.trim): adapters detected and cut (for paired runs also
    from the reads' overlap, ``--detect_adapter_for_pe``), low-quality ends and reads
    dropped with fastp's defaults; its JSON and HTML reports."""
    fastqs = [fastqs] if isinstance(fastqs, (str, Path)) else list(fastqs)
    trimmed = [trimmed] if isinstance(trimmed, (str, Path)) else list(trimmed)
    if len(fastqs) not in (1, 2) or len(trimmed) != len(fastqs):
        raise InputError(f"fastp takes one or two FASTQ files and as many outputs, not "
                         f"{len(fastqs)} -> {len(trimmed)}.")
    command = ["fastp", "-i", str(fastqs[0]), "-o", str(trimmed[0])]
    if len(fastqs) == 2:
        command += ["-I", str(fastqs[1]), "-O", str(trimmed[1]), "--detect_adapter_for_pe"]
    return command + ["--json", str(json_report), "--html", str(html_report),
                      "--thread", str(threads)]


def multiqc_options(runs: list[dict], salmon_folder: str | Path) -> list[str]:
    """MultiQC's options for the runs' page: a single-end run's ``libParams`` left out
    (salmon cannot measure fragment lengths from single reads and writes its prior there,
    N(250, 25), which MultiQC would plot as if measured); read counts in thousands when the
    runs have under a million reads each (MultiQC's default, millions, shows them as 0.0M);
    no absolute input paths in the page."""
    options = []
    for row in runs:
        if row["layout"] != "PAIRED":
            options += ["--ignore", f"{Path(salmon_folder) / row['run']}/libParams"]
    sizes = sorted(int(r["read_count"]) for r in runs if str(r["read_count"]).isdigit())
    if sizes and sizes[len(sizes) // 2] < 1_000_000:
        options += ["--cl-config", "read_count_multiplier: 0.001",
                    "--cl-config", "read_count_prefix: K",
                    "--cl-config", "read_count_desc: thousands",
                    # salmon's column title does not follow the prefix by itself
                    "--cl-config", "table_columns_name: {salmon: {num_mapped: K Aligned}}"]
    return options + ["--cl-config", "show_analysis_paths: false"]


def salmon_qc(folder: str | Path, run: str) -> dict:
    """One run's QC from salmon's output folder: reads processed and mapped, mapping rate
    (0-1), library type detected."""
    folder = Path(folder)
    try:
        meta = json.loads((folder / "aux_info" / "meta_info.json").read_text())
        library = json.loads((folder / "lib_format_counts.json").read_text())
    except (OSError, ValueError) as exc:
        raise InputError(f"{folder}: salmon's aux_info/meta_info.json or "
                         f"lib_format_counts.json is missing or damaged ({exc}).") from exc
    return {"run": run, "reads": int(meta["num_processed"]), "mapped": int(meta["num_mapped"]),
            "mapping_rate": round(float(meta["percent_mapped"]) / 100, 4),
            "library_type": library.get("expected_format", ""),
            "salmon_version": meta.get("salmon_version", "")}


def check_mapping(qc: pd.DataFrame, min_rate: float, on_fail: str = "stop") -> pd.DataFrame:
    """Mark runs below ``min_rate`` (column ``kept``); ``on_fail`` ``stop``: InputError
    naming them; ``drop``: they are left out of the counts (a sample with no run left too)."""
    low = qc["mapping_rate"] < min_rate
    if low.any() and on_fail == "stop":
        names = ", ".join(f"{r} ({m:.1%})" for r, m in
                          zip(qc.loc[low, "run"], qc.loc[low, "mapping_rate"]))
        raise InputError(f"run(s) {names} mapped below reads.min_mapping_rate "
                         f"({min_rate:.0%}): wrong organism or reference, rRNA or adapter "
                         "contamination? Look at their salmon logs; set reads.on_fail: drop "
                         "to leave them out.")
    return qc.assign(kept=~low)


# ---------------------------------------------------------------- gene counts

def sample_gene_counts(run_counts: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """Run columns -> sample columns: the counts of a sample's runs (technical replicates)
    summed, in the run table's sample order."""
    owner = runs.set_index("run")["sample"]
    missing = [r for r in run_counts.columns if r not in owner.index]
    if missing:
        raise InputError(f"runs {', '.join(missing[:5])} are not in the run table.")
    samples = list(dict.fromkeys(owner[list(run_counts.columns)]))
    summed = run_counts.T.groupby(owner[list(run_counts.columns)].to_numpy()).sum().T
    return summed[samples]


def ncbi_layout(counts: pd.DataFrame) -> pd.DataFrame:
    """Gene counts (GeneID index, float) -> NCBI's raw-counts layout: whole numbers
    (tximport's estimates rounded, as its vignette does for DESeq2), ``GeneID`` index."""
    table = counts.round().astype("int64")
    table.index = table.index.astype("int64")
    table.index.name = "GeneID"
    return table


def dataset_counts(runs: pd.DataFrame, quant_dirs: dict[str, Path], tx2gene: pd.DataFrame,
                   gene_info: pd.DataFrame | None, *, dataset: str, organism: str,
                   min_mapping_rate: float, on_fail: str = "stop"
                   ) -> tuple[pd.DataFrame, pd.DataFrame, dict, pd.DataFrame]:
    """One dataset's counts from its runs' salmon folders (``quant_dirs``: run -> folder).

    QC gate first (:func:`check_mapping`); the kept runs' transcripts summed to genes
    (lengthScaledTPM), runs summed per sample, Ensembl genes mapped to NCBI GeneIDs,
    rounded. Returns (counts in NCBI's layout, annotation, count-source row, QC table with
    one row per run).
    """
    from painstress.data import count_files, transcripts

    qc = pd.DataFrame([salmon_qc(quant_dirs[r], r) for r in runs["run"]])
    qc = check_mapping(qc, min_mapping_rate, on_fail)
    qc.insert(0, "sample", runs["sample"].to_numpy())
    kept = runs[qc["kept"].to_numpy()]
    if kept.empty:
        raise InputError(f"dataset {dataset}: every run mapped below reads.min_mapping_rate "
                         f"({min_mapping_rate:.0%}); no counts are left.")
    files = {r: Path(quant_dirs[r]) / "quant.sf" for r in kept["run"]}
    genes = transcripts.gene_counts_from_quant(files, tx2gene, "salmon")
    per_sample = sample_gene_counts(genes, kept)
    mapped, ids = count_files.map_to_gene_ids(per_sample, gene_info,
                                              source=f"salmon genes of {dataset}",
                                              organism=organism)
    counts = ncbi_layout(mapped)
    dropped = sorted(set(runs["sample"]) - set(counts.columns))
    replicates = int(kept["sample"].duplicated().sum())
    notes = [f"{len(kept)} runs of {kept['sample'].nunique()} samples"]
    if replicates:
        notes.append(f"runs of one sample (technical replicates) summed: {replicates}")
    if len(kept) < len(runs):
        notes.append(f"runs dropped below mapping rate {min_mapping_rate}: "
                     f"{', '.join(runs.loc[~qc['kept'].to_numpy(), 'run'])}")
    if dropped:
        notes.append(f"samples without runs left: {', '.join(dropped)}")
    row = {"dataset": dataset, "source": "reads",
           "format": "salmon quant.sf, tximport lengthScaledTPM, rounded",
           "files": f"{len(files)} quant.sf", "sha256": "", "id_type": ids["id_type"],
           "id_rows": ids["rows"], "id_mapped": ids["mapped"], "mapping_rate": ids["rate"],
           "genes": ids["genes"], "samples": counts.shape[1], "notes": "; ".join(notes)}
    return counts, count_files.annotation_table(counts.index, gene_info), row, qc


def methods_fields(runs: pd.DataFrame, qc: pd.DataFrame, reference: dict[str, Path],
                   kmer: int) -> dict[str, str]:
    """What the methods text says of one dataset's reads (columns ``reads_*`` of its
    count-source row): the runs (how many, of which samples, layouts, where from; their
    addresses and MD5s are in runs.tsv), the reference files (``reference``: label ->
    file; address and SHA-256 from the download record), salmon's version and index k,
    and per run the library type salmon detected and its mapping rate."""
    from painstress.data.http import provenance_summary

    layouts = runs["layout"].str.lower().value_counts()
    sources = ", ".join(sorted(set(runs["source"]) - {""})) or "?"
    files = [f"{label} {provenance_summary(path)['url']} (sha256 "
             f"{provenance_summary(path)['sha256']})" for label, path in reference.items()]
    types = qc["library_type"].value_counts()
    return {
        "reads_runs": f"{len(runs)} runs of {runs['sample'].nunique()} samples ("
                      + ", ".join(f"{n} {layout}-end" if layout in ("single", "paired")
                                  else f"{n} {layout}" for layout, n in layouts.items())
                      + f"; {int(qc['reads'].sum()):,} reads) from {sources}; each run's "
                      "FASTQ addresses and MD5s are in runs.tsv",
        "reads_reference": "; ".join(files),
        "reads_salmon": f"salmon {', '.join(sorted(set(qc['salmon_version'])))}, index "
                        f"k = {kmer}",
        "reads_library_types": ", ".join(f"{t} ({n} run{'s' * (n != 1)})"
                                         for t, n in types.items()),
        "reads_mapping": ", ".join(f"{r} {m:.1%}" + ("" if k else " (dropped)") for r, m, k in
                                   zip(qc["run"], qc["mapping_rate"], qc["kept"])),
    }


def check_reference(path: Path, kind: str, sha256: str = "") -> None:
    """A downloaded reference file is whole gzip and what it says (FASTA: starts with '>';
    GTF: transcripts with gene IDs), and has ``sha256`` when one is pinned."""
    from painstress.data.http import sha256_of
    from painstress.data.transcripts import tx2gene_from_gtf

    # any gzip file: whole stream, not a web page
    check_fastq(path, "", str(path.name), "FASTA" if kind == "transcriptome" else "GTF")
    if kind == "transcriptome":
        with gzip.open(path, "rt") as fh:
            if not fh.read(1) == ">":
                raise InputError(f"{path.name}: not a FASTA file (no '>' at its start).")
    else:
        tx2gene_from_gtf(path)
    if sha256 and sha256_of(path) != sha256:
        raise InputError(f"{path.name}: SHA-256 {sha256_of(path)} is not the pinned "
                         f"{sha256} (reads.reference.{kind}_sha256): another release?")
