"""The authors' GEO supplementary files as a series' counts, found by content.

Where GEO keeps them (base URL from config ``ncbi.geo_ftp_url``):

* ``!Series_supplementary_file`` lines of the series matrix: one ``ftp://…/suppl/<name>``
  address per file;
* the folder ``<geo_ftp>/series/GSEnnn/GSExxxxx/suppl/`` (an HTML index), whose
  ``filelist.txt`` lists what ``GSExxxxx_RAW.tar`` holds: tab-separated, header
  ``#Archive/File Name Time Size Type``, one ``Archive`` line for the tar and one ``File``
  line per member (GEO names members ``GSMnnnn_<submitted name>``).

Every table-like file (.txt/.tsv/.csv/.tab, gzipped or not) is downloaded (retries,
provenance, atomic writes: :func:`painstress.data.http.download`) and read as counts
(:mod:`painstress.data.count_files`); ``_RAW.tar`` members are read as per-sample count files
(htseq-count or one-sample featureCounts/tables) named by their GSM. A candidate qualifies
when it holds raw counts (whole numbers: normalised values are refused) and its columns
map to the series' samples, by GSM accession, by sample title, or by SRA experiment
(``!Sample_relation SRA: …term=SRX…``). Several qualifying: the one that covers most of
the series' samples, then whose name says raw/count, then with most genes, then by name.
"""

from __future__ import annotations

import html
import logging
import re
import tarfile
from pathlib import Path

import pandas as pd

from painstress import InputError
from painstress.data import count_files
from painstress.data.http import Client, FetchError, download
from painstress.data.ncbi_fetch import (
    Endpoints,
    dataset_origin,
    series_folder,
    supplementary_files,
)
from painstress.data.ncbi_files import SeriesMatrix
from painstress.files import read_text, refuse_html

log = logging.getLogger(__name__)

TABLE_NAME = re.compile(r"\.(txt|tsv|csv|tab|counts?)(\.gz)?$", re.I)
RAW_TAR = re.compile(r"_RAW\.tar$")
RAW_WORDS = re.compile(r"raw|count", re.I)
GSM_IN_NAME = re.compile(r"^(GSM\d+)")


def suppl_url(endpoints: Endpoints, series: str, name: str) -> str:
    return f"{series_folder(endpoints, series)}/suppl/{name}"


def names_in_index(page: str) -> list[str]:
    """File names linked from a GEO folder index page (sub-folders and sorting links left
    out)."""
    names = [html.unescape(h) for h in re.findall(r'href\s*=\s*"([^"?/#][^"?#]*)"', page, re.I)]
    return [n for n in dict.fromkeys(names) if "/" not in n and n != ".."]


def read_filelist(path: str | Path) -> pd.DataFrame:
    """GEO's ``filelist.txt`` -> kind (Archive/File), name, size, type."""
    text = read_text(path)
    refuse_html(path, text)
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.rstrip("\r").split("\t")
        if not line.strip() or line.startswith("#"):
            continue
        if fields[0] not in ("Archive", "File") or len(fields) < 2:
            raise InputError(f"{path}: line {number} is not a GEO filelist line "
                             "(Archive|File, Name, Time, Size, Type).")
        rows.append({"kind": fields[0], "name": fields[1],
                     "size": fields[3] if len(fields) > 3 else "",
                     "type": fields[4] if len(fields) > 4 else ""})
    return pd.DataFrame(rows, columns=["kind", "name", "size", "type"])


def list_files(client: Client | None, endpoints: Endpoints, matrix: SeriesMatrix,
               folder: Path) -> list[str]:
    """Names of the series' supplementary files: the series matrix's, and the suppl/ index's
    when online (``client``); offline, those already in ``folder``."""
    names = [u.rsplit("/", 1)[-1] for u in supplementary_files(matrix)]
    if client is not None:
        try:
            page = client.get(suppl_url(endpoints, matrix.accession, "")).text
            names += names_in_index(page)
        except FetchError as exc:
            log.info("no suppl/ folder index for %s (%s); using the series matrix's list",
                     matrix.accession, exc)
    elif folder.is_dir():
        names += [p.name for p in folder.iterdir() if not p.name.startswith(".")
                  and not p.name.endswith(".provenance.json") and p.is_file()]
    return list(dict.fromkeys(names))


def fetch(client: Client | None, endpoints: Endpoints, series: str, name: str,
          folder: Path) -> Path:
    """One supplementary file under ``folder`` (downloaded once; offline: must be there)."""
    dest = folder / name
    if dest.is_file():
        return dest
    if client is None:
        raise InputError(f"{dest}: not there, and the run is offline.")

    def check(path: Path) -> None:
        if RAW_TAR.search(name):
            if not tarfile.is_tarfile(path):
                raise InputError(f"{path}: is not a tar archive.")
        else:
            refuse_html(path, read_text(path)[:2000])

    download(client, suppl_url(endpoints, series, name), dest, check)
    return dest


def _read_tar(path: Path) -> tuple[pd.DataFrame, dict]:
    """A ``_RAW.tar`` of per-sample count files -> counts (columns: the members' GSMs)."""
    folder = path.with_name(path.name.removesuffix(".tar"))
    with tarfile.open(path) as archive:
        members = [m for m in archive.getmembers() if m.isfile()]
        archive.extractall(folder, members=members, filter="data")
    files = sorted(folder / m.name for m in members if TABLE_NAME.search(m.name))
    if not files:
        raise InputError(f"{path}: holds no count tables ({len(members)} files of other "
                         "kinds).")
    named = {GSM_IN_NAME.match(f.name).group(1) if GSM_IN_NAME.match(f.name)
             else count_files.sample_name_of(f.name): f for f in files}
    try:
        counts, report = count_files.read_counts(folder, "htseq")
        counts.columns = list(named)
    except InputError:  # not htseq-count: one table per sample
        tables = []
        for gsm, file in named.items():
            table, report = count_files.read_counts(file, "auto")
            if table.shape[1] != 1:
                raise InputError(f"{file}: has {table.shape[1]} sample columns; a _RAW.tar "
                                 "member holds one sample.") from None
            tables.append(table.set_axis([gsm], axis=1))
        counts = pd.concat(tables, axis=1, join="outer")
        if counts.isna().any().any():
            raise InputError(f"{path}: its per-sample files list different genes.") from None
        counts = counts.astype("int64")
    report["files"], report["format"] = [path], f"{report['format']} files in _RAW.tar"
    return counts, report


def evaluate(path: Path, matrix: SeriesMatrix | None) -> tuple[pd.DataFrame | None, dict]:
    """Read one candidate; (counts with GSM columns, or None; a row for the choice table)."""
    row = {"file": path.name, "format": "", "samples": 0, "genes": 0, "qualifies": False,
           "reason": ""}
    try:
        counts, report = _read_tar(path) if RAW_TAR.search(path.name) else \
            count_files.read_counts(path, "auto")
        if matrix is not None:
            counts = counts.rename(columns=count_files.match_columns(counts.columns, matrix, path))
        row.update(format=report["format"], samples=counts.shape[1], genes=counts.shape[0],
                   qualifies=True, reason="raw counts")
        return counts, row
    except InputError as exc:
        row["reason"] = str(exc).replace(str(path), path.name).splitlines()[0][:300]
        return None, row


def choose(client: Client | None, endpoints: Endpoints, matrix: SeriesMatrix,
           folder: Path, metadata: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The series' raw counts from its supplementary files; (counts, choice table: one row
    per file found, why it qualifies or not, and which was chosen). ``metadata``: columns
    are matched by the user's sample table instead of the series' GSMs. None qualifying is
    an InputError listing every file and why."""
    rows, found = [], {}
    names = list_files(client, endpoints, matrix, folder)
    members = None  # what _RAW.tar holds, from filelist.txt: a tar of no tables is not fetched
    if "filelist.txt" in names:
        listed = read_filelist(fetch(client, endpoints, matrix.accession, "filelist.txt", folder))
        members = listed.loc[listed["kind"] == "File", "name"].tolist()
    for name in names:
        if name == "filelist.txt":
            continue
        if RAW_TAR.search(name) and members is not None and \
                not any(TABLE_NAME.search(m) for m in members):
            rows.append({"file": name, "qualifies": False,
                         "reason": f"filelist.txt lists no count tables in it ({len(members)} "
                         "files of other kinds)"})
            continue
        if not (TABLE_NAME.search(name) or RAW_TAR.search(name)):
            rows.append({"file": name, "qualifies": False,
                         "reason": "not a table (spreadsheets, archives other than "
                         "_RAW.tar, sequence or track files are not read)"})
            continue
        try:
            path = fetch(client, endpoints, matrix.accession, name, folder)
        except InputError as exc:
            rows.append({"file": name, "qualifies": False, "reason": str(exc)[:300]})
            continue
        counts, row = evaluate(path, None if metadata else matrix)
        rows.append(row)
        if counts is not None:
            found[name] = counts
    table = pd.DataFrame(rows, columns=["file", "format", "samples", "genes", "qualifies",
                                        "reason"])
    table["chosen"] = False
    if not found:
        listing = "\n".join(f"  {r.file}: {r.reason}" for r in table.itertuples()) or \
            "  (no supplementary files listed)"
        raise InputError(f"{matrix.accession}: no supplementary file holds raw counts:\n"
                         f"{listing}\nGive the counts yourself (datasets.<name>.counts.file), "
                         "or quantify the reads.")
    best = max(found, key=lambda n: (found[n].shape[1], bool(RAW_WORDS.search(n)),
                                     found[n].shape[0], [-ord(c) for c in n]))
    table.loc[table["file"] == best, "chosen"] = True
    log.info("%s: supplementary counts from %s (%d candidate(s) qualified)",
             matrix.accession, best, len(found))
    return found[best], table


def has_ncbi_counts(client: Client, endpoints: Endpoints, series: str, organism: str) -> bool:
    """Whether the series' GEO download page links NCBI-computed raw counts."""
    from painstress.data.ncbi_fetch import download_page_url, ncbi_files_on_page

    page = client.get(download_page_url(endpoints, series)).text
    return "counts" in ncbi_files_on_page(page, organism)


def with_count_sources(chosen: pd.DataFrame, datasets: dict, organism: str,
                       client: Client | None = None, endpoints: Endpoints | None = None,
                       study_pmid: int | None = None) -> pd.DataFrame:
    """datasets.tsv (``chosen``: one row per dataset and series) with a ``counts`` column:
    the source each dataset's counts come from (ncbi, supplementary or file), and one row
    without a series for a dataset of the user's counts and sample table.

    ``auto`` is ncbi when every series of the dataset has NCBI-computed counts (asked of
    GEO's download page with ``client``; without one, offline or in the demo, ncbi), else
    supplementary."""
    from painstress.config import own_counts_only

    own = [{"dataset": name, "series": "", "platform": "",
            "organism": spec.get("organism") or organism,
            "origin": dataset_origin(spec, study_pmid),
            "how": "the user's counts and sample table (no GEO series)"}
           for name, spec in datasets.items() if own_counts_only(spec)]
    table = pd.concat([chosen, pd.DataFrame(own, columns=chosen.columns)], ignore_index=True)
    order = {name: i for i, name in enumerate(datasets)}
    table = table.sort_values("dataset", key=lambda d: d.map(order), kind="stable")
    sources = {}
    for name, spec in datasets.items():
        counts = spec.get("counts", "auto")
        if isinstance(counts, dict):
            sources[name] = "file"
        elif counts != "auto" or client is None:
            sources[name] = "ncbi" if counts == "auto" else counts
        else:
            rows = table[table["dataset"] == name]
            have = [has_ncbi_counts(client, endpoints, s, o or "Mus musculus")
                    for s, o in zip(rows["series"], rows["organism"])]
            sources[name] = "ncbi" if all(have) else "supplementary"
            log.info("dataset %s (counts: auto): %s", name, "NCBI-computed counts" if all(have)
                     else "no NCBI-computed counts; the authors' supplementary files")
    table["counts"] = table["dataset"].map(sources)
    return table.reset_index(drop=True)
