"""Resolution and downloads against a real HTTP server on 127.0.0.1 (tests/geo_server.py).

Every failure case must end in a correct retry or a clear error, and never leave a file
in the destination folder that a re-run would trust.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import time

import pytest

from geo_server import FakeNcbi, Server, ncbi_config
from painstress.data import http, ncbi_fetch, ncbi_files
from painstress.data.http import FetchError, RateLimiter, provenance_path

PAIN_PMID, STRESS_PMID = 28325815, 28825715
SUPER_PMID, EMPTY_PMID = 11111111, 22222222


@pytest.fixture(scope="module")
def study(demo_study, fixtures_dir):
    """The files served: the session's demo study (conftest.demo_study; never changed)."""
    return demo_study


def make_world(study) -> FakeNcbi:
    world = FakeNcbi()
    for model, series in (("pain", "GSE000001"), ("stress", "GSE000002")):
        world.add_series(series, title=f"demo {model}")
        world.serve_series(series, study[f"{model}_counts"].read_bytes(),
                           study[f"{model}_annotation"].read_bytes(),
                           study[f"{model}_series_matrix"].read_bytes(),
                           counts_name=ncbi_files.counts_filename(series),
                           annotation_name=ncbi_files.annotation_filename(),
                           matrix_name=ncbi_files.series_matrix_filename(series),
                           folder="GSE000nnn")
    world.add_series("GSE000010", gdstype="Expression profiling by high throughput sequencing",
                     subseries=["GSE000001", "GSE000002"])
    world.add_series("GSE000020", taxon="Homo sapiens")
    world.link(PAIN_PMID, "GSE000001", "GSE000020")
    world.link(STRESS_PMID, "GSE000002")
    world.link(SUPER_PMID, "GSE000010")
    world.link(EMPTY_PMID)
    world.files["/gene/DATA/gene_orthologs.gz"] = study["gene_orthologs"].read_bytes()
    world.files["/gene/DATA/GENE_INFO/Mammalia/Homo_sapiens.gene_info.gz"] = \
        study["Homo_sapiens"].read_bytes()
    return world


@pytest.fixture
def world(study):
    world = make_world(study)
    with Server(world) as url:
        world.url = url
        yield world


def connect(world, **overrides):
    return ncbi_fetch.connect(ncbi_config(world.url, **overrides))


# --- resolution ---------------------------------------------------------------------

def test_pmid_resolves_to_the_mouse_rnaseq_series(world):
    client, endpoints = connect(world)
    chosen, considered = ncbi_fetch.resolve({"pain": {}, "stress": {"geo": "GSE000002",
                                                             "pmid": STRESS_PMID}},
                                      PAIN_PMID, "Mus musculus", client, endpoints)
    assert chosen.set_index("dataset")["series"].to_dict() == {"pain": "GSE000001",
                                                               "stress": "GSE000002"}
    human = considered.set_index("series").loc["GSE000020"]
    assert not human["kept"] and "not Mus musculus" in human["reason"]
    assert "resolved from PMID 28325815" in chosen.set_index("dataset").at["pain", "how"]
    assert considered.set_index("series").at["GSE000001", "chosen_for"] == "pain"


def test_superseries_expands_to_its_subseries(world):
    client, endpoints = connect(world)
    records = ncbi_fetch.linked_series(client, endpoints, SUPER_PMID)
    table = ncbi_fetch.resolution_table(records, "Mus musculus").set_index("series")
    assert list(table.index) == ["GSE000010", "GSE000001", "GSE000002"]
    assert not table.at["GSE000010", "kept"] and "SuperSeries" in table.at["GSE000010", "reason"]
    assert table.loc[["GSE000001", "GSE000002"], "kept"].all()
    assert table.at["GSE000002", "via"] == "SubSeries of GSE000010"
    # one pinned, the other found among the SubSeries
    chosen, _ = ncbi_fetch.resolve({"pain": {"geo": "GSE000001"}, "stress": {}}, SUPER_PMID,
                             "Mus musculus", client, endpoints)
    assert chosen.set_index("dataset").at["stress", "series"] == "GSE000002"
    # two candidates for one unpinned dataset: it pools both (one row per series)
    chosen, _ = ncbi_fetch.resolve({"only": {}}, SUPER_PMID, "Mus musculus", client, endpoints)
    assert list(chosen["series"]) == ["GSE000001", "GSE000002"]
    assert set(chosen["dataset"]) == {"only"} and chosen["how"].str.contains("pooled").all()


def test_pmid_linked_to_no_series(world):
    client, endpoints = connect(world)
    with pytest.raises(FetchError, match=r"PMID 22222222 gives 0 candidate series"):
        ncbi_fetch.resolve({"pain": {}}, EMPTY_PMID, "Mus musculus", client, endpoints)


def test_pinned_series_not_linked_to_the_pmid_is_reported(world):
    client, endpoints = connect(world)
    with pytest.raises(FetchError, match=r"GSE000002 is not linked to PMID 28325815 .*"
                                         r"linked series: GSE000001, GSE000020"):
        ncbi_fetch.resolve({"pain": {"geo": "GSE000002"}}, PAIN_PMID, "Mus musculus",
                     client, endpoints)
    chosen, _ = ncbi_fetch.resolve({"pain": {"geo": "GSE000002", "pmid": None}}, PAIN_PMID,
                             "Mus musculus", client, endpoints)
    assert chosen.at[0, "how"] == "pinned in config (no PMID to check against)"


def test_dataset_organism_decides_which_linked_series_it_takes(world):
    """One PMID links a mouse and a human series: each dataset takes its own organism's."""
    client, endpoints = connect(world)
    chosen, considered = ncbi_fetch.resolve({"pain": {}, "human": {"organism": "Homo sapiens"}},
                                      PAIN_PMID, "Mus musculus", client, endpoints)
    chosen = chosen.set_index("dataset")
    assert chosen["series"].to_dict() == {"pain": "GSE000001", "human": "GSE000020"}
    assert chosen["organism"].to_dict() == {"pain": "Mus musculus", "human": "Homo sapiens"}
    human_view = considered[considered["reason"].str.startswith("Homo sapiens")]
    assert list(human_view["series"]) == ["GSE000020"]


def test_eutils_requests_identify_the_tool(world, monkeypatch):
    monkeypatch.setenv("NCBI_API_KEY", "secret-key")
    client, endpoints = connect(world)
    assert "painstress" in client.session.headers["User-Agent"]
    assert "tests@example.org" in client.session.headers["User-Agent"]
    assert client.settings.requests_per_second == 10.0
    ncbi_fetch.linked_gds_uids(client, endpoints, PAIN_PMID)
    request = world.requests[-1]
    assert "tool=painstress" in request and "email=tests%40example.org" in request
    assert "api_key=secret-key" in request and "retmode=json" in request


def test_without_an_api_key_three_requests_a_second_and_no_key_sent(world, monkeypatch):
    monkeypatch.delenv("NCBI_API_KEY", raising=False)  # conftest sets one for the tests
    client, endpoints = connect(world)
    assert client.settings.api_key is None
    assert client.settings.requests_per_second == 3.0
    ncbi_fetch.linked_gds_uids(client, endpoints, PAIN_PMID)
    assert "api_key" not in world.requests[-1]


def test_rate_limit_spaces_requests_per_host(monkeypatch):
    slept = []  # what the limiter asks to wait, not the clock: the machine may be busy
    monkeypatch.setattr(http.time, "sleep", slept.append)
    limiter = RateLimiter(rate=10.0)
    for _ in range(4):
        limiter.wait("https://eutils.ncbi.nlm.nih.gov/x")
    # no sleep really passes, so each request waits for the slots of all before it
    assert slept == pytest.approx([0.1, 0.2, 0.3], abs=0.02)
    limiter.wait("https://other.example/x")  # another host is not held back
    assert len(slept) == 3


# --- downloads ----------------------------------------------------------------------

def fetch_pain(world, tmp_path, **overrides):
    client, endpoints = connect(world, **overrides)
    matrix = tmp_path / ncbi_files.series_matrix_filename("GSE000001")
    ncbi_fetch.fetch_series_matrix(client, endpoints, "GSE000001", None, matrix)
    counts = tmp_path / ncbi_files.counts_filename("GSE000001")
    annotation = tmp_path / ncbi_files.annotation_filename()
    ncbi_fetch.fetch_counts(client, endpoints, "GSE000001", "Mus musculus", matrix, counts)
    ncbi_fetch.fetch_annotation(client, endpoints, "GSE000001", "Mus musculus", annotation)
    return counts, annotation, matrix


def trusted_files(folder):
    """Files a re-run could mistake for complete data (anything but provenance notes)."""
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".json"))


def test_happy_path_downloads_checked_files_with_provenance(world, study, tmp_path):
    counts, annotation, matrix = fetch_pain(world, tmp_path)
    assert counts.read_bytes() == study["pain_counts"].read_bytes()
    assert ncbi_files.read_series_matrix(matrix).accession == "GSE000001"
    note = json.loads(provenance_path(counts).read_text())
    assert note["sha256"] == hashlib.sha256(counts.read_bytes()).hexdigest()
    assert note["size"] == counts.stat().st_size
    assert note["url"].endswith("acc=GSE000001&format=file&file=" + counts.name)
    assert note["http_date"] and note["fetched"]
    # names taken from the page, read once per file: counts and annotation are separate jobs
    assert world.count("/geo/download/?acc=GSE000001") == 2
    assert trusted_files(tmp_path) == sorted([counts.name, annotation.name, matrix.name])


def test_429_with_retry_after_then_success(world, tmp_path):
    world.fail("/geo/series/", "429")
    start = time.monotonic()
    fetch_pain(world, tmp_path)
    assert time.monotonic() - start >= 1.0  # Retry-After: 1 honoured
    assert world.count("/matrix/GSE000001_series_matrix.txt.gz") == 2


def test_500_twice_then_success(world, tmp_path):
    world.fail("/geo/download/", "500", "500")
    counts, _, _ = fetch_pain(world, tmp_path)
    assert counts.is_file()


def test_connection_reset_then_success(world, tmp_path):
    world.fail("/geo/series/", "reset")
    _, _, matrix = fetch_pain(world, tmp_path)
    assert matrix.is_file()


def test_gz_file_sent_with_content_encoding_is_kept_as_served(world, study, tmp_path):
    world.fail("/geo/download/", "gzip-encoding", "gzip-encoding", "gzip-encoding")
    counts, _, _ = fetch_pain(world, tmp_path)
    assert counts.read_bytes() == study["pain_counts"].read_bytes()


def test_permanent_404_is_a_clear_error(world, tmp_path):
    world.fail("/geo/series/", *["404"] * 5)
    with pytest.raises(FetchError, match=r"HTTP 404 .*GSE000001_series_matrix.txt.gz"):
        fetch_pain(world, tmp_path)
    assert trusted_files(tmp_path) == []


def test_answer_slower_than_read_timeout(world, tmp_path):
    world.slow_seconds = 1.5
    world.fail("/geo/series/", *["slow"] * 5)
    with pytest.raises(FetchError, match=r"did not answer within 0.5 s"):
        fetch_pain(world, tmp_path, read_timeout=0.5, retries=1)
    assert trusted_files(tmp_path) == []


def test_body_cut_off_is_an_error_and_leaves_nothing(world, tmp_path):
    world.fail("/geo/series/", "truncate")
    with pytest.raises(FetchError, match=r"broke off|incomplete"):
        fetch_pain(world, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_truncated_gzip_is_refused(world, study, tmp_path):
    data = study["pain_counts"].read_bytes()
    world.files["/geo/download/?acc=GSE000001&file=" + ncbi_files.counts_filename("GSE000001")] = \
        data[: len(data) // 2]
    with pytest.raises(FetchError, match=r"not usable: .*cannot be read as \(gzipped\) text"):
        fetch_pain(world, tmp_path)
    assert trusted_files(tmp_path) == [ncbi_files.series_matrix_filename("GSE000001")]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_html_error_page_with_status_200_is_refused(world, tmp_path):
    world.fail("/geo/series/", "html200")
    with pytest.raises(FetchError, match=r"is an HTML page, not a data file"):
        fetch_pain(world, tmp_path)
    assert trusted_files(tmp_path) == []


def test_counts_whose_columns_are_not_the_series_samples(world, study, tmp_path):
    other = study["stress_counts"].read_bytes()  # GSMs of the stress series
    counts_name = ncbi_files.counts_filename("GSE000001")
    world.files["/geo/download/?acc=GSE000001&file=" + counts_name] = other
    with pytest.raises(FetchError, match=r"are not samples of GSE000001"):
        fetch_pain(world, tmp_path)
    assert ncbi_files.counts_filename("GSE000001") not in trusted_files(tmp_path)


def test_series_without_ncbi_counts_says_so_and_names_alternatives(world, study, tmp_path):
    world.serve_series("GSE000001", None, study["pain_annotation"].read_bytes(),
                       study["pain_series_matrix"].read_bytes(),
                       counts_name="", annotation_name=ncbi_files.annotation_filename(),
                       matrix_name=ncbi_files.series_matrix_filename("GSE000001"),
                       folder="GSE000nnn")
    del world.files["/geo/download/?acc=GSE000001&file=" + ncbi_files.counts_filename("GSE000001")]
    with pytest.raises(FetchError) as error:
        fetch_pain(world, tmp_path)
    message = str(error.value)
    assert "GEO has no NCBI-computed RNA-seq counts for GSE000001" in message
    assert "supplementary files" in message and "quantify the reads" in message
    assert "does not substitute" in message


def test_download_page_parser_on_geo_markup():
    page = ('<td><a href="/geo/download/?type=rnaseq_counts&amp;acc=GSE164073&amp;format=file'
            '&amp;file=GSE164073_raw_counts_GRCh38.p13_NCBI.tsv.gz">download</a></td>'
            '<td><a href="/geo/download/?type=rnaseq_counts&amp;acc=GSE164073&amp;format=file'
            '&amp;file=GSE164073_norm_counts_TPM_GRCh38.p13_NCBI.tsv.gz">download</a></td>'
            '<td><a href="/geo/download/?format=file&amp;type=rnaseq_counts&amp;'
            'file=Human.GRCh38.p13.annot.tsv.gz">download</a></td>')
    assert ncbi_fetch.ncbi_files_on_page(page, "Homo sapiens") == {
        "counts": "GSE164073_raw_counts_GRCh38.p13_NCBI.tsv.gz",
        "annotation": "Human.GRCh38.p13.annot.tsv.gz"}
    assert ncbi_fetch.ncbi_files_on_page(page, "Mus musculus") == {}  # no mouse files on it
    assert ncbi_fetch.ncbi_files_on_page("<html>no links</html>") == {}


def test_mixed_species_page_gives_the_mouse_files():
    """GSE102556 has human and mouse samples: NCBI lists counts for both genomes."""
    link = ('<a href="/geo/download/?type=rnaseq_counts&amp;acc=GSE102556&amp;format=file'
            '&amp;file={}">download</a>')
    annot = '<a href="/geo/download/?format=file&amp;type=rnaseq_counts&amp;file={}">x</a>'
    page = "".join([link.format("GSE102556_raw_counts_GRCh38.p13_NCBI.tsv.gz"),
                    annot.format("Human.GRCh38.p13.annot.tsv.gz"),
                    link.format("GSE102556_raw_counts_GRCm39_NCBI.tsv.gz"),
                    annot.format("Mouse.GRCm39.annot.tsv.gz")])
    assert ncbi_fetch.ncbi_files_on_page(page, "Mus musculus") == {
        "counts": "GSE102556_raw_counts_GRCm39_NCBI.tsv.gz",
        "annotation": "Mouse.GRCm39.annot.tsv.gz"}


def test_geo_url_layout():
    endpoints = ncbi_fetch.Endpoints()
    assert ncbi_fetch.series_matrix_url(endpoints, "GSE102556", "GPL13112") == (
        "https://ftp.ncbi.nlm.nih.gov/geo/series/GSE102nnn/GSE102556/matrix/"
        "GSE102556-GPL13112_series_matrix.txt.gz")
    assert ncbi_fetch.series_folder(endpoints, "GSE1234").endswith("/series/GSE1nnn/GSE1234")
    assert ncbi_fetch.series_folder(endpoints, "GSE123").endswith("/series/GSEnnn/GSE123")
    assert ncbi_fetch.counts_url(endpoints, "GSE91396", "x.tsv.gz") == (
        "https://www.ncbi.nlm.nih.gov/geo/download/?type=rnaseq_counts&acc=GSE91396"
        "&format=file&file=x.tsv.gz")
    assert ncbi_fetch.series_uid("GSE93374") == "200093374"


def test_served_files_are_gzip_as_geo_serves_them(study):
    for key in ("pain_counts", "pain_series_matrix", "pain_annotation"):
        with gzip.open(study[key]) as fh:
            fh.read(10)


def test_changed_remote_file_is_reported(world, study, tmp_path):
    from painstress.data.http import check_remote

    counts, annotation, matrix = fetch_pain(world, tmp_path)
    notes = sorted(tmp_path.glob("*.provenance.json"))
    client, _ = connect(world)
    assert {r["status"] for r in check_remote(client, notes)} == {"unchanged"}
    key = "/geo/download/?acc=GSE000001&file=" + counts.name
    world.files[key] = world.files[key] + b"\n"
    rows = {r["file"]: r for r in check_remote(client, notes)}
    assert rows[counts.name]["status"] == "changed"
    assert f"size {counts.stat().st_size} -> {counts.stat().st_size + 1}" in \
        rows[counts.name]["detail"]
    assert rows[matrix.name]["status"] == "unchanged"
    assert counts.read_bytes() == study["pain_counts"].read_bytes()  # nothing re-downloaded


def fetch_ncbi_gene(world, tmp_path):
    client, _ = connect(world)
    targets = tmp_path / "gene_orthologs.gz", tmp_path / "Homo_sapiens.gene_info.gz"
    for target in targets:
        ncbi_fetch.fetch_ncbi_gene(client, f"{world.url}/gene/DATA/", target.name, target)
    return targets


def test_ncbi_gene_files_download_checked(world, study, tmp_path):
    orthologs, info = fetch_ncbi_gene(world, tmp_path)
    assert orthologs.read_bytes() == study["gene_orthologs"].read_bytes()
    assert info.read_bytes() == study["Homo_sapiens"].read_bytes()
    assert json.loads(provenance_path(orthologs).read_text())["url"] == \
        f"{world.url}/gene/DATA/gene_orthologs.gz"


def test_ncbi_gene_truncated_orthologs_are_refused(world, study, tmp_path):
    data = study["gene_orthologs"].read_bytes()
    world.files["/gene/DATA/gene_orthologs.gz"] = data[: len(data) // 2]
    with pytest.raises(FetchError, match="not usable"):
        fetch_ncbi_gene(world, tmp_path)
    assert trusted_files(tmp_path) == []
