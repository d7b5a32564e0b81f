"""Downloads of the curated gene-set sources against a real HTTP server on 127.0.0.1.

The demo copies of every source (painstress.demo.genesets, in the real formats) are served
at URL paths shaped like the official ones and fetched through the calls that
workflow/scripts/fetch_geneset.py makes: ``ncbi_fetch.connect`` + ``http.download`` with
``genesets.SOURCE_CHECKS[kind]`` as the check. A download that goes wrong must end in a
retry that succeeds or in a FetchError naming the file, and never leave a file (or a
temporary one) that a re-run would trust.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import logging
import re
import time
import zipfile
from urllib.parse import urlsplit

import pytest

from conftest import SMALL
from geo_server import FakeNcbi, Server, ncbi_config
from painstress.data import genesets, ncbi_fetch
from painstress.data.http import (
    FetchError,
    check_remote,
    download,
    provenance_path,
    provenance_summary,
    remote_check_path,
)
from painstress.demo.genesets import write_demo_genesets

# SOURCE_CHECKS kind -> (write_demo_genesets key, URL path as on the official server)
MSIGDB = "/gsea-msigdb/msigdb/release/2024.1.Mm"
SOURCES = {
    "gwas_catalog": ("gwas_catalog", "/pub/databases/gwas/releases/latest/"
                                     "gwas-catalog-associations_ontology-annotated-full.zip"),
    "mgi_genepheno": ("mgi_genepheno", "/downloads/reports/MGI_GenePheno.rpt"),
    "mp_obo": ("mp_obo", "/obo/mp.obo"),
    "go_obo": ("go_obo", "/obo/go/go-basic.obo"),
    "mgi_gaf": ("mgi_gaf", "/annotations/mgi.gaf.gz"),
    "msigdb_hallmark": ("msigdb_hallmark", f"{MSIGDB}/mh.all.v2024.1.Mm.symbols.gmt"),
    "msigdb_reactome": ("msigdb_reactome", f"{MSIGDB}/m2.cp.reactome.v2024.1.Mm.symbols.gmt"),
    "diseases": ("jensen_experiments", "/human_disease_experiments_filtered.tsv"),
}


def url_path(kind: str) -> str:
    return SOURCES[kind][1]


def file_name(kind: str) -> str:
    return url_path(kind).rsplit("/", 1)[-1]


@pytest.fixture(scope="module")
def sources(small_study, tmp_path_factory) -> dict[str, bytes]:
    """SOURCE_CHECKS kind -> the bytes served for it (the demo file of that source)."""
    written = write_demo_genesets(small_study, tmp_path_factory.mktemp("genesets"),
                                  SMALL.seed + 3)
    served = {kind: written[key].read_bytes() for kind, (key, _) in SOURCES.items()}
    for kind in SOURCES:  # the demo files carry the official names
        assert written[SOURCES[kind][0]].name == file_name(kind)
    return served


@pytest.fixture
def world(sources, fixtures_dir):
    """The fake server with every source at its path (fixtures_dir: the server's own
    E-utilities template and HTML error page live there)."""
    world = FakeNcbi()
    for kind, data in sources.items():
        world.files[url_path(kind)] = data
    with Server(world) as url:
        world.url = url
        yield world


def fetch(world, kind, folder, path=None, **overrides):
    """What the fetch_geneset rule's script does for one source; returns (file, record)."""
    client, _ = ncbi_fetch.connect(ncbi_config(world.url, **overrides))
    dest = folder / file_name(kind)
    record = download(client, world.url + (path or url_path(kind)), dest,
                      genesets.SOURCE_CHECKS[kind])
    return dest, record


def left_behind(folder) -> list[str]:
    """Everything in ``folder``, hidden temporary files included."""
    return sorted(p.name for p in folder.iterdir())


def assert_refused(error, kind, folder):
    """The error names the file as the workflow calls it, and nothing was left behind."""
    message = str(error.value)
    assert file_name(kind) in message, message
    assert ".part" not in message and str(folder) not in message, message
    assert left_behind(folder) == []


def assert_fetched(dest, record, data, url):
    assert dest.read_bytes() == data
    note = json.loads(provenance_path(dest).read_text())
    assert note == record
    assert note["url"] == url
    assert note["file"] == dest.name
    assert note["size"] == len(data) == dest.stat().st_size
    assert note["sha256"] == hashlib.sha256(data).hexdigest()
    assert note["fetched"] and note["http_date"]


# --- the happy path and a re-run -----------------------------------------------------

def test_every_source_is_fetched_checked_recorded_and_only_once(world, sources, tmp_path):
    assert set(SOURCES) == set(genesets.SOURCE_CHECKS), "a gene-set source without a test"
    for kind, data in sources.items():
        dest, record = fetch(world, kind, tmp_path)
        assert_fetched(dest, record, data, world.url + url_path(kind))
    names = [file_name(kind) for kind in SOURCES]
    assert left_behind(tmp_path) == sorted(names + [f"{n}.provenance.json" for n in names])

    # a re-run: Snakemake skips the rule for files that exist; `snakemake check_remote`
    # asks the server (HEAD) whether they changed since, and downloads nothing
    notes = sorted(tmp_path.glob("*.provenance.json"))
    client, _ = ncbi_fetch.connect(ncbi_config(world.url))
    rows = check_remote(client, notes)
    assert {r["file"]: r["status"] for r in rows} == dict.fromkeys(names, "unchanged")
    for kind in SOURCES:
        assert world.count(url_path(kind), "GET") == 1, kind
        assert world.count(url_path(kind), "HEAD") == 1, kind

    # check_remote can tell: a file changed on the server is reported, still not fetched
    changed = url_path("msigdb_hallmark")
    extra = b"HALLMARK_NEW\tdescription\tGene1\n"
    world.files[changed] += extra
    hallmark = provenance_path(tmp_path / file_name("msigdb_hallmark"))
    rows = {r["file"]: r for r in check_remote(client, [hallmark, notes[0]])}
    size = len(sources["msigdb_hallmark"])
    assert rows[file_name("msigdb_hallmark")]["status"] == "changed"
    assert f"size {size} -> {size + len(extra)}" in rows[file_name("msigdb_hallmark")]["detail"]
    assert rows[notes[0].name.removesuffix(".provenance.json")]["status"] == "unchanged"
    assert sum(m == "GET" for m, _ in world.calls) == len(SOURCES)
    assert (tmp_path / file_name("msigdb_hallmark")).read_bytes() == sources["msigdb_hallmark"]


# --- retries -------------------------------------------------------------------------

def test_429_with_retry_after_is_waited_out(world, sources, tmp_path):
    world.fail(url_path("gwas_catalog"), "429")
    start = time.monotonic()
    dest, record = fetch(world, "gwas_catalog", tmp_path)
    assert time.monotonic() - start >= 1.0  # Retry-After: 1 honoured
    assert world.count(url_path("gwas_catalog"), "GET") == 2
    assert_fetched(dest, record, sources["gwas_catalog"], world.url + url_path("gwas_catalog"))


def test_500_twice_then_success(world, sources, tmp_path):
    world.fail(url_path("msigdb_hallmark"), "500", "500")
    dest, record = fetch(world, "msigdb_hallmark", tmp_path)
    assert world.count(url_path("msigdb_hallmark"), "GET") == 3
    assert_fetched(dest, record, sources["msigdb_hallmark"],
                   world.url + url_path("msigdb_hallmark"))
    assert len(left_behind(tmp_path)) == 2  # the file and its provenance


def test_500_beyond_the_retry_budget_is_a_clear_error(world, tmp_path):
    world.fail(url_path("go_obo"), *["500"] * 4)
    with pytest.raises(FetchError, match=r"HTTP 500 .*/obo/go/go-basic\.obo") as error:
        fetch(world, "go_obo", tmp_path, retries=3)
    assert world.count(url_path("go_obo"), "GET") == 4  # the first try and 3 retries
    assert_refused(error, "go_obo", tmp_path)


# --- damaged downloads -----------------------------------------------------------------

@pytest.mark.parametrize("kind", ["mgi_gaf", "gwas_catalog", "msigdb_hallmark"])
def test_body_cut_off_is_refused(world, kind, tmp_path):
    """The server announces the whole size, sends half and hangs up."""
    world.fail(url_path(kind), "truncate")
    with pytest.raises(FetchError, match=r"broke off|incomplete") as error:
        fetch(world, kind, tmp_path)
    assert_refused(error, kind, tmp_path)


@pytest.mark.parametrize(("kind", "refusal"), [
    ("mgi_gaf", r"mgi\.gaf\.gz: cannot be read to the end .*a truncated download\?"),
    ("gwas_catalog", r"gwas-catalog-associations_ontology-annotated-full\.zip: is not a "
                     r"readable ZIP archive"),
], ids=["gzip", "zip"])
def test_truncated_archive_is_refused_by_its_check(world, sources, kind, refusal, tmp_path):
    """Half an archive served as if whole (its Content-Length says half): only the check
    of the archive itself can tell."""
    data = sources[kind]
    world.files[url_path(kind)] = data[: len(data) // 2]
    with pytest.raises(FetchError, match="was downloaded but is not usable: " + refusal) \
            as error:
        fetch(world, kind, tmp_path)
    assert_refused(error, kind, tmp_path)


@pytest.mark.parametrize("kind", ["msigdb_hallmark", "go_obo", "gwas_catalog"])
def test_html_page_with_status_200_is_refused(world, kind, tmp_path):
    world.fail(url_path(kind), "html200")
    with pytest.raises(FetchError, match=r"not usable: .* is an HTML page, not a data file") \
            as error:
        fetch(world, kind, tmp_path)
    assert_refused(error, kind, tmp_path)


def test_gz_file_sent_with_content_encoding_is_kept_as_served(world, sources, tmp_path):
    world.fail(url_path("mgi_gaf"), "gzip-encoding")
    dest, _ = fetch(world, "mgi_gaf", tmp_path)
    assert dest.read_bytes() == sources["mgi_gaf"]
    assert gzip.decompress(dest.read_bytes()).startswith(b"!gaf-version:")


# --- redirects -------------------------------------------------------------------------

def test_redirects_are_followed_and_the_final_url_recorded(world, sources, tmp_path):
    # purl.obolibrary.org style: a 302 to the current file
    world.redirect(url_path("go_obo"), "/ontology/go-basic.obo", 302)
    world.files["/ontology/go-basic.obo"] = world.files.pop(url_path("go_obo"))
    # and a chain: 301 (moved for good), then 302 to a release
    world.redirect(url_path("mp_obo"), "/mp/latest/mp.obo", 301)
    world.redirect("/mp/latest/mp.obo", f"{world.url}/mp/releases/2024-06-01/mp.obo", 302)
    world.files["/mp/releases/2024-06-01/mp.obo"] = world.files.pop(url_path("mp_obo"))

    go, go_record = fetch(world, "go_obo", tmp_path)
    assert_fetched(go, go_record, sources["go_obo"], world.url + "/ontology/go-basic.obo")
    mp, mp_record = fetch(world, "mp_obo", tmp_path)
    assert_fetched(mp, mp_record, sources["mp_obo"],
                   world.url + "/mp/releases/2024-06-01/mp.obo")
    # the whole chain is kept, in order, not only where it ended
    assert go_record["redirects"] == [{"url": world.url + url_path("go_obo"), "status": 302}]
    assert mp_record["redirects"] == [{"url": world.url + url_path("mp_obo"), "status": 301},
                                      {"url": world.url + "/mp/latest/mp.obo", "status": 302}]
    assert provenance_summary(mp)["redirects"] == (
        f"via {world.url}{url_path('mp_obo')} (301), {world.url}/mp/latest/mp.obo (302)")
    for hop in (url_path("go_obo"), "/ontology/go-basic.obo", url_path("mp_obo"),
                "/mp/latest/mp.obo", "/mp/releases/2024-06-01/mp.obo"):
        assert world.count(hop, "GET") == 1, hop

    client, _ = ncbi_fetch.connect(ncbi_config(world.url))
    rows = check_remote(client, [provenance_path(go), provenance_path(mp)])
    assert [r["status"] for r in rows] == ["unchanged", "unchanged"]
    assert world.count("/ontology/go-basic.obo", "HEAD") == 1  # asks the recorded URL


def test_redirect_to_a_missing_file_is_an_error_naming_the_final_url(world, tmp_path):
    world.redirect(url_path("mgi_gaf"), "/annotations/old/mgi.gaf.gz", 301)
    with pytest.raises(FetchError, match=r"HTTP 404 .*/annotations/old/mgi\.gaf\.gz"):
        fetch(world, "mgi_gaf", tmp_path)
    assert left_behind(tmp_path) == []


# --- a source that changed since the cached copy ------------------------------------------

def serve_with_validators(world, headers: dict[str, dict[str, str]]) -> Server:
    """The fake server, also sending ``headers[path]`` (ETag, Last-Modified) with each
    answer for that path, as the EBI, MGI and GO servers do."""
    server = Server(world)

    class WithValidators(server.httpd.RequestHandlerClass):
        def end_headers(self):
            for name, value in headers.get(urlsplit(self.path).path, {}).items():
                self.send_header(name, value)
            super().end_headers()

    server.httpd.RequestHandlerClass = WithValidators
    return server


def test_remote_change_by_etag_or_date_is_reported_and_the_cached_copy_kept(sources, tmp_path):
    world = FakeNcbi()
    kinds = ("msigdb_hallmark", "mp_obo", "go_obo")
    for kind in kinds:
        world.files[url_path(kind)] = sources[kind]
    headers = {url_path(kind): {"ETag": f'"{kind}-1"',
                                "Last-Modified": "Mon, 03 Jun 2024 10:00:00 GMT"}
               for kind in kinds}
    with serve_with_validators(world, headers) as url:
        world.url = url
        records = {kind: fetch(world, kind, tmp_path)[1] for kind in kinds}
        assert records["mp_obo"]["etag"] == '"mp_obo-1"'
        assert records["mp_obo"]["last_modified"] == "Mon, 03 Jun 2024 10:00:00 GMT"
        # same size, new ETag (hallmark); same ETag and size, newer date (mp.obo)
        headers[url_path("msigdb_hallmark")]["ETag"] = '"msigdb_hallmark-2"'
        headers[url_path("mp_obo")]["Last-Modified"] = "Tue, 01 Oct 2024 10:00:00 GMT"
        client, _ = ncbi_fetch.connect(ncbi_config(url))
        rows = {r["file"]: r for r in check_remote(
            client, [provenance_path(tmp_path / file_name(k)) for k in kinds])}
    hallmark, mp, go = (rows[file_name(k)] for k in kinds)
    assert hallmark["status"] == "changed"
    assert hallmark["detail"] == 'ETag "msigdb_hallmark-1" -> "msigdb_hallmark-2"'
    assert mp["status"] == "changed"
    assert mp["detail"] == ("Last-Modified Mon, 03 Jun 2024 10:00:00 GMT -> "
                            "Tue, 01 Oct 2024 10:00:00 GMT")
    assert go["status"] == "unchanged"
    for kind in kinds:  # nothing fetched again, nothing replaced
        assert world.count(url_path(kind), "GET") == 1
        assert (tmp_path / file_name(kind)).read_bytes() == sources[kind]
    # the answer is kept beside each file, for the methods
    kept = json.loads(remote_check_path(tmp_path / file_name("msigdb_hallmark")).read_text())
    assert kept["status"] == "changed" and kept["checked"]
    summary = provenance_summary(tmp_path / file_name("msigdb_hallmark"))
    assert summary["server"].startswith(f"changed (checked {kept['checked'][:10]}): ETag ")
    assert summary["server"].endswith("the cached copy was used")
    assert summary["sha256"] == hashlib.sha256(sources["msigdb_hallmark"]).hexdigest()
    assert provenance_summary(tmp_path / file_name("go_obo"))["server"].startswith(
        "unchanged (checked ")


def test_a_copy_fetched_again_that_differs_is_logged_and_both_checksums_kept(
        world, sources, tmp_path, caplog):
    dest, first = fetch(world, "msigdb_reactome", tmp_path)
    dest.unlink()  # the user deletes the file to get the new release
    new = sources["msigdb_reactome"] + b"REACTOME_NEW\tdescription\tGene1\n"
    world.files[url_path("msigdb_reactome")] = new
    with caplog.at_level(logging.WARNING, logger="painstress.data.http"):
        dest, second = fetch(world, "msigdb_reactome", tmp_path)
    assert second["sha256"] == hashlib.sha256(new).hexdigest()
    assert second["replaces"]["sha256"] == first["sha256"]
    assert second["replaces"]["fetched"] == first["fetched"]
    assert f"{dest.name} differs from the copy fetched {first['fetched']}" in caplog.text
    assert "replaced a different copy fetched" in provenance_summary(dest)["server"]
    # fetched again unchanged: no note of a replacement
    dest.unlink()
    _, third = fetch(world, "msigdb_reactome", tmp_path)
    assert "replaces" not in third


# --- the wrong file under the right name -------------------------------------------------

def zipped(*members: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def obo_without_terms(sources) -> bytes:
    header = sources["mp_obo"].decode().split("[Term]", 1)[0]
    return (header + "\n[Typedef]\nid: part_of\nname: part of\n").encode()


WRONG_FILES = {
    "GAF served as a GMT": (
        "msigdb_hallmark", lambda s: s["mgi_gaf"], r"line 1: not a GMT line"),
    "OBO without [Term] stanzas": (
        "mp_obo", obo_without_terms, r"no \[Term\] stanza: not an OBO ontology file"),
    "GMT served as the GAF": (
        "mgi_gaf", lambda s: s["msigdb_reactome"], r"line 1: not a GAF row"),
    "ZIP holding another table": (
        "gwas_catalog", lambda s: zipped(("associations.tsv", s["diseases"])),
        r"line 1: not a GWAS Catalog associations table: column\(s\) PUBMEDID"),
    "ZIP holding no TSV": (
        "gwas_catalog", lambda s: zipped(("README.txt", b"release notes\n")),
        r"the ZIP holds no TSV \(it holds README\.txt\)"),
    "OBO cut off mid-stanza": (
        "mp_obo", lambda s: s["mp_obo"][: s["mp_obo"].index(b"name: increased anxi") + 20],
        r"looks truncated"),
    "DISEASES cut off mid-line after its first 1,000 rows": (
        "diseases", lambda s: b"".join([s["diseases"].split(b"\n", 1)[0] + b"\n"] * 1500)[:-3],
        r"line 1500: the last line ends without a line break: the file looks truncated"),
    "ZIP holding two files": (
        "gwas_catalog", lambda s: zipped(("a.tsv", s["diseases"]), ("b.tsv", s["diseases"])),
        r"a ZIP archive here must hold exactly one file; it holds a\.tsv, b\.tsv"),
    "DISEASES served as MGI_GenePheno": (
        "mgi_genepheno", lambda s: s["diseases"], r"line 1: expected the 8 tab-separated"),
    "MGI_GenePheno served as DISEASES": (
        "diseases", lambda s: s["mgi_genepheno"], r"line 1: expected the 7 tab-separated"),
}


@pytest.mark.parametrize("case", WRONG_FILES)
def test_wrong_file_under_the_right_name_is_refused(world, sources, case, tmp_path):
    kind, served, refusal = WRONG_FILES[case]
    world.files[url_path(kind)] = served(sources)
    with pytest.raises(FetchError) as error:
        fetch(world, kind, tmp_path)
    message = str(error.value)
    assert message.startswith(f"{world.url}{url_path(kind)} was downloaded but is not usable: "
                              f"{file_name(kind)}: "), message
    assert re.search(refusal, message), message
    assert_refused(error, kind, tmp_path)


def test_empty_diseases_file_is_refused(world, tmp_path):
    world.files[url_path("diseases")] = b""
    with pytest.raises(FetchError) as error:
        fetch(world, "diseases", tmp_path)
    assert_refused(error, "diseases", tmp_path)
