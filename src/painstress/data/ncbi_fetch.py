"""From a PubMed ID to GEO series and their NCBI-computed files.

Resolution (E-utilities, JSON):

1. ``elink.fcgi?dbfrom=pubmed&db=gds&id=<PMID>`` -> gds UIDs linked to the paper;
   GSE records have UIDs ``200000000 + <number>``.
2. ``esummary.fcgi?db=gds&id=…`` -> one record per series: accession, title, taxon,
   ``gdstype``, platforms, ``relations`` (a SuperSeries lists its SubSeries there,
   which are looked up in turn).
3. A series is kept when it is expression profiling by high-throughput sequencing in the
   study's organism and not a SuperSeries (its SubSeries stand for it).

Files of a series ``GSExxxxx`` (GEO's layout; base URLs come from config):

* download page ``<geo>/download/?acc=GSExxxxx``: its "NCBI-generated data" links name the
  raw counts and the annotation table;
* counts ``<geo>/download/?type=rnaseq_counts&acc=GSExxxxx&format=file&file=<name>``;
* annotation ``<geo>/download/?type=rnaseq_counts&format=file&file=<name>``;
* series matrix ``<geo_ftp>/series/GSExxnnn/GSExxxxx/matrix/<name>``.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass

import pandas as pd

from painstress import InputError
from painstress.data import ncbi_files
from painstress.data.http import NETWORK_FIELDS, Client, FetchError, HttpSettings, download

HTS_EXPRESSION = "Expression profiling by high throughput sequencing"
GSE_UID_BASE = 200_000_000


@dataclass(frozen=True)
class Endpoints:
    """Base URLs (config ``ncbi``); tests point them at a server on 127.0.0.1."""

    eutils: str = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
    geo: str = "https://www.ncbi.nlm.nih.gov/geo"
    geo_ftp: str = "https://ftp.ncbi.nlm.nih.gov/geo"


def _eutils_params(client: Client, **params) -> dict:
    params = {**params, "retmode": "json", "tool": "painstress"}
    if client.settings.email:
        params["email"] = client.settings.email
    if client.settings.api_key:
        params["api_key"] = client.settings.api_key
    return params


def linked_gds_uids(client: Client, endpoints: Endpoints, pmid: int) -> list[str]:
    """gds UIDs that PubMed links to ``pmid`` (elink pubmed -> gds)."""
    reply = client.get_json(f"{endpoints.eutils}/elink.fcgi",
                            _eutils_params(client, dbfrom="pubmed", db="gds", id=pmid))
    uids: list[str] = []
    for linkset in reply.get("linksets", []):
        for linksetdb in linkset.get("linksetdbs", []):
            if linksetdb.get("dbto") == "gds":
                uids += [str(uid) for uid in linksetdb.get("links", [])]
    return list(dict.fromkeys(uids))


def summaries(client: Client, endpoints: Endpoints, uids: list[str]) -> list[dict]:
    """esummary records (db=gds) for ``uids``, in the order asked."""
    if not uids:
        return []
    reply = client.get_json(f"{endpoints.eutils}/esummary.fcgi",
                            _eutils_params(client, db="gds", id=",".join(uids)))
    if "error" in reply or "result" not in reply:
        raise FetchError(f"E-utilities esummary failed for {','.join(uids)}: "
                         f"{reply.get('error', reply)}")
    result = reply["result"]
    return [result[uid] for uid in result.get("uids", []) if uid in result]


def series_uid(accession: str) -> str:
    return str(GSE_UID_BASE + int(accession[3:]))


def _split(value) -> list[str]:
    return [part.strip() for part in str(value or "").split(";") if part.strip()]


def subseries_of(record: dict) -> list[str]:
    return [r["targetobject"] for r in record.get("relations", [])
            if r.get("relationtype", "").lower().startswith("superseries of")]


def linked_series(client: Client, endpoints: Endpoints, pmid: int) -> list[dict]:
    """Every GEO series linked to ``pmid``, SuperSeries expanded into their SubSeries.

    Each record gets ``via``: ``"PMID <n>"`` or ``"SubSeries of GSE…"``.
    """
    records = [dict(r, via=f"PMID {pmid}")
               for r in summaries(client, endpoints, linked_gds_uids(client, endpoints, pmid))
               if r.get("entrytype") == "GSE"]
    seen = {r["accession"] for r in records}
    for record in list(records):
        children = [s for s in subseries_of(record) if s not in seen]
        for child in summaries(client, endpoints, [series_uid(s) for s in children]):
            records.append(dict(child, via=f"SubSeries of {record['accession']}"))
            seen.add(child["accession"])
    return records


def resolution_table(records: list[dict], organism: str) -> pd.DataFrame:
    """One row per considered series: what it is, whether it was kept, and why."""
    rows = []
    for r in records:
        taxa, types = _split(r.get("taxon")), _split(r.get("gdstype"))
        if subseries_of(r):
            kept, reason = False, "SuperSeries: its SubSeries are considered instead"
        elif organism not in taxa:
            kept, reason = False, f"not {organism} ({r.get('taxon')})"
        elif HTS_EXPRESSION not in types:
            kept, reason = False, f"not {HTS_EXPRESSION.lower()} ({r.get('gdstype')})"
        else:
            kept, reason = True, f"{organism}, {HTS_EXPRESSION.lower()}"
        rows.append({"series": r["accession"], "title": r.get("title", ""),
                     "taxon": r.get("taxon", ""), "type": r.get("gdstype", ""),
                     "platforms": ",".join("GPL" + p for p in _split(r.get("gpl"))),
                     "n_samples": r.get("n_samples", ""), "via": r["via"],
                     "kept": kept, "reason": reason})
    return pd.DataFrame(rows, columns=["series", "title", "taxon", "type", "platforms",
                                       "n_samples", "via", "kept", "reason"])


DATASET_COLUMNS = ["dataset", "series", "platform", "organism", "how", "origin"]


def dataset_origin(spec: dict, study_pmid: int | None) -> str:
    """Whose samples a dataset holds, in words: "this study", or "another study" with the
    dataset's ``citation`` and ``paradigm`` (config). A dataset is another study's when it
    has a ``citation`` or a ``pmid`` of its own that is not the study's."""
    if not spec.get("citation") and spec.get("pmid", study_pmid) == study_pmid:
        return f"this study (PMID {study_pmid})" if study_pmid else "this study"
    about = "; ".join(spec[key] for key in ("citation", "paradigm") if spec.get(key))
    return "another study" + (f": {about}" if about else "")


def assign_datasets(datasets: dict, resolutions: dict, default_pmid: int | None,
                    organism: str = "Mus musculus") -> pd.DataFrame:
    """Decide the series of every dataset: one row per dataset and series.

    ``datasets``: config ``datasets`` (name -> {geo?, platform?, pmid?, organism?}).
    ``resolutions``: (PMID, organism) -> :func:`resolution_table` of its linked series
    for that organism (a plain PMID key stands for any organism).
    ``organism``: the organism of datasets without their own (``study.organism``); the
    result's ``organism`` column says each dataset's.
    A pinned series must be linked to its dataset's PMID (unless that PMID is null).
    An unpinned dataset takes every kept series of its PMID that no other dataset uses
    (a study that split its samples over several series, or a SuperSeries' SubSeries):
    their samples are pooled into one dataset, the sample sheet records each sample's
    series. No series left is an error that lists what was considered.
    ``origin`` says whose samples they are (:func:`dataset_origin`).
    """
    rows, used = [], set()
    for spec in datasets.values():
        if spec.get("geo"):
            used.add(spec["geo"])
    for name, spec in datasets.items():
        pmid = spec.get("pmid", default_pmid)
        own = spec.get("organism") or organism
        table = resolutions.get((pmid, own), resolutions.get(pmid)) if pmid else None
        if spec.get("geo"):
            series = [spec["geo"]]
            if table is None:
                how = "pinned in config (no PMID to check against)"
            elif spec["geo"] in set(table["series"]):
                how = f"pinned in config; linked to PMID {pmid}"
            else:
                linked = ", ".join(table["series"]) or "none"
                raise FetchError(
                    f"config datasets.{name}.geo = {spec['geo']} is not linked to PMID {pmid} "
                    f"in PubMed (linked series: {linked}). Check the accession; if it is "
                    f"right (e.g. data from another paper), set datasets.{name}.pmid to that "
                    "paper's PMID, or to null to skip the check.")
        else:
            if table is None:
                raise FetchError(f"config datasets.{name} has neither 'geo' nor a PMID to "
                                 "resolve it from; pin it with geo: GSE….")
            kept = list(table.loc[table["kept"], "series"])
            series = [s for s in kept if s not in used]
            if not series:
                shown = table.to_string(index=False, columns=["series", "taxon", "type",
                                                              "kept", "reason"])
                taken = f" ({', '.join(kept)} already used by other datasets)" if kept else ""
                raise FetchError(
                    f"PMID {pmid} gives 0 candidate series for dataset {name!r}{taken}; "
                    f"pin the right one in config (datasets.{name}.geo). "
                    f"Series considered:\n{shown}")
            used.update(series)
            how = f"resolved from PMID {pmid}" + (
                f" (one of {len(series)} series, pooled)" if len(series) > 1 else "")
        origin = dataset_origin(spec, default_pmid)
        rows += [{"dataset": name, "series": s, "platform": spec.get("platform") or "",
                  "organism": own, "how": how, "origin": origin} for s in series]
    return pd.DataFrame(rows, columns=DATASET_COLUMNS)


def join_series_counts(tables: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, int]:
    """One counts table from the NCBI counts of several series of one dataset (series ->
    genes × samples, index GeneID), joined by sample.

    Genes: the inner join, i.e. the GeneIDs every series has. NCBI computes all series of
    a genome build against one annotation, so they share their GeneIDs and nothing is lost;
    a gene missing from one series has no count there (not a count of zero), so it cannot
    be tested on that series' samples. Returns (table, number of genes left out); a sample
    in two series is an :class:`InputError`.
    """
    seen: dict[str, str] = {}
    for series, table in tables.items():
        for sample in table.columns:
            if sample in seen:
                raise InputError(f"sample {sample} is in the counts of both {seen[sample]} "
                                 f"and {series}; a sample belongs to one series.")
            seen[sample] = series
    joined = pd.concat(list(tables.values()), axis=1, join="inner")  # first series' order
    every = set().union(*(set(t.index) for t in tables.values()))
    return joined, len(every) - len(joined)


# ---------------------------------------------------------------- files of a series

def series_folder(endpoints: Endpoints, series: str) -> str:
    """``<geo_ftp>/series/GSE102nnn/GSE102556`` (GEO groups series by thousands)."""
    digits = series[3:]
    stem = f"GSE{digits[:-3]}nnn" if len(digits) > 3 else "GSEnnn"
    return f"{endpoints.geo_ftp}/series/{stem}/{series}"


def series_matrix_url(endpoints: Endpoints, series: str, platform: str | None) -> str:
    return f"{series_folder(endpoints, series)}/matrix/" \
           f"{ncbi_files.series_matrix_filename(series, platform)}"


def download_page_url(endpoints: Endpoints, series: str) -> str:
    return f"{endpoints.geo}/download/?acc={series}"


def counts_url(endpoints: Endpoints, series: str, name: str) -> str:
    return f"{endpoints.geo}/download/?type=rnaseq_counts&acc={series}&format=file&file={name}"


def annotation_url(endpoints: Endpoints, name: str) -> str:
    return f"{endpoints.geo}/download/?type=rnaseq_counts&format=file&file={name}"


_FILE_LINK = re.compile(r"""href\s*=\s*["']([^"']*type=rnaseq_counts[^"']*)["']""", re.I)


def ncbi_files_on_page(page: str, organism: str = "Mus musculus") -> dict[str, str]:
    """Names of the NCBI-computed raw counts and annotation for ``organism`` linked from a
    download page (a mixed human/mouse series links one set per genome).

    Returns a dict with keys ``counts`` and/or ``annotation`` (empty when the page has
    no NCBI-generated data links, or a layout this parser does not know).
    """
    common, build = ncbi_files.NCBI_GENOMES[organism]
    found: dict[str, str] = {}
    for link in _FILE_LINK.findall(page):
        match = re.search(r"[?&]file=([^&#]+)", html.unescape(link))
        if not match:
            continue
        name = match.group(1)
        if f"_raw_counts_{build}_" in name:
            found.setdefault("counts", name)
        elif name.startswith(f"{common}.") and name.endswith(".annot.tsv.gz"):
            found.setdefault("annotation", name)
    return found


def supplementary_files(matrix: ncbi_files.SeriesMatrix) -> list[str]:
    return [f for f in matrix.series.get("supplementary_file", []) if f and f != "NONE"]


def connect(settings: dict) -> tuple[Client, Endpoints]:
    """Client and endpoints from config ``ncbi``; the API key from ``NCBI_API_KEY``."""
    given = {key: settings[key] for key in NETWORK_FIELDS if key in settings}
    http = HttpSettings(**given, api_key=os.environ.get("NCBI_API_KEY") or None)
    endpoints = Endpoints(eutils=settings.get("eutils_url", Endpoints.eutils).rstrip("/"),
                          geo=settings.get("geo_url", Endpoints.geo).rstrip("/"),
                          geo_ftp=settings.get("geo_ftp_url", Endpoints.geo_ftp).rstrip("/"))
    return Client(http), endpoints


def resolve(datasets: dict, default_pmid: int | None, organism: str, client: Client,
            endpoints: Endpoints) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Resolve every dataset's series (see :func:`assign_datasets`).

    ``organism`` is ``study.organism``; a dataset's own ``organism`` decides which taxon
    its PMID's series must be.
    Returns (datasets table, resolution table of every series considered, per PMID).
    """
    wanted = sorted({(spec.get("pmid", default_pmid), spec.get("organism") or organism)
                     for spec in datasets.values() if spec.get("pmid", default_pmid)})
    linked = {pmid: linked_series(client, endpoints, pmid) for pmid in {p for p, _ in wanted}}
    resolutions = {(pmid, own): resolution_table(linked[pmid], own) for pmid, own in wanted}
    chosen = assign_datasets(datasets, resolutions, default_pmid, organism)
    table = pd.concat([t.assign(pmid=pmid) for (pmid, _), t in resolutions.items()] or
                      [resolution_table([], organism).assign(pmid=None)], ignore_index=True)
    table["chosen_for"] = table["series"].map(
        chosen.groupby("series")["dataset"].agg(",".join)).fillna("")
    return chosen, table


def fetch_series_matrix(client: Client, endpoints: Endpoints, series: str,
                        platform: str | None, dest) -> dict:
    """Download and check one series matrix; return its provenance."""

    def check(path):
        matrix = ncbi_files.read_series_matrix(path)
        if matrix.accession != series:
            raise InputError(f"{path}: is the series matrix of {matrix.accession}, "
                                 f"not {series}.")

    return download(client, series_matrix_url(endpoints, series, platform), dest, check)


def _ncbi_file_names(client: Client, endpoints: Endpoints, series: str,
                     organism: str) -> dict[str, str]:
    """The counts and annotation file names the series' download page links (NCBI's
    documented names when the page cannot be read or links none)."""
    try:
        names = ncbi_files_on_page(client.get(download_page_url(endpoints, series)).text,
                                   organism)
    except FetchError:
        names = {}
    return {"linked": bool(names.get("counts")),
            "counts": names.get("counts", ncbi_files.counts_filename(series, organism)),
            "annotation": names.get("annotation", ncbi_files.annotation_filename(organism))}


def fetch_counts(client: Client, endpoints: Endpoints, series: str, organism: str,
                 series_matrix, dest) -> dict:
    """Download a series' NCBI-computed raw counts, checked against its series matrix
    (every counts column must be one of its GSMs). One file per call: a download never
    touches another file (a rule with several outputs would remove the others first)."""
    matrix = ncbi_files.read_series_matrix(series_matrix)
    names = _ncbi_file_names(client, endpoints, series, organism)

    def check_counts(path):
        columns = ncbi_files.read_ncbi_counts(path).columns
        foreign = sorted(set(columns) - set(matrix.samples.index))
        if foreign:
            raise InputError(
                f"{path}: columns {', '.join(foreign[:5])} are not samples of "
                f"{series} ({matrix.path.name}); counts and series do not match.")

    try:
        return download(client, counts_url(endpoints, series, names["counts"]), dest,
                        check_counts)
    except FetchError as exc:
        if names["linked"]:
            raise
        supplementary = "\n      ".join(supplementary_files(matrix)) or "(none listed)"
        raise FetchError(
            f"GEO has no NCBI-computed RNA-seq counts for {series}: its download page "
            f"{download_page_url(endpoints, series)} links none, and {names['counts']} could "
            f"not be fetched ({exc}).\n"
            "  This workflow does not substitute other data unasked (datasets.<name>.counts "
            "is ncbi). Alternatives (config/README.md, 'Counts from anywhere'):\n"
            f"    - the authors' supplementary files (counts: supplementary, or auto):\n"
            f"      {supplementary}\n"
            "    - quantify the reads from SRA yourself and give your counts "
            "(counts: {file: …}, with a sample table as metadata).") from exc


def fetch_annotation(client: Client, endpoints: Endpoints, series: str, organism: str,
                     dest) -> dict:
    """Download the NCBI gene annotation that a series' counts come with."""
    names = _ncbi_file_names(client, endpoints, series, organism)
    return download(client, annotation_url(endpoints, names["annotation"]), dest,
                    lambda path: ncbi_files.read_annotation(path))


NCBI_GENE_FILES = {  # file name -> path under NCBI Gene's DATA/ folder
    "gene_orthologs.gz": "gene_orthologs.gz",
    "Homo_sapiens.gene_info.gz": "GENE_INFO/Mammalia/Homo_sapiens.gene_info.gz",
    # gene IDs of a user's or the authors' counts -> GeneIDs (painstress.data.count_files)
    "Mus_musculus.gene_info.gz": "GENE_INFO/Mammalia/Mus_musculus.gene_info.gz",
}


def fetch_ncbi_gene(client: Client, gene_url: str, name: str, dest) -> dict:
    """Download one of NCBI Gene's files (:data:`NCBI_GENE_FILES`: ortholog pairs, the
    gene tables), checked by parsing it as the workflow will (:mod:`.ncbi_files`)."""
    check = {"gene_orthologs.gz": ncbi_files.read_gene_orthologs,
             "Homo_sapiens.gene_info.gz": ncbi_files.read_gene_info,
             "Mus_musculus.gene_info.gz": ncbi_files.read_gene_info}[name]
    return download(client, f"{gene_url.rstrip('/')}/{NCBI_GENE_FILES[name]}", dest, check)
