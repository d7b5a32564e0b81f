"""From reads to gene counts: transcript -> gene summaries (pytximport), the runs of a
study (ENA filereport, SRA runinfo), FASTQ downloads checked by MD5, salmon on simulated
reads. Fixture formats and sources: tests/data/reads/README.md."""
from __future__ import annotations

import gzip
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from painstress import InputError
from painstress.data import reads, transcripts

DATA = Path(__file__).parent / "data" / "reads"
REPO_CONFIG = Path(__file__).resolve().parents[1] / "config"
SALMON_HEADER = "Name\tLength\tEffectiveLength\tTPM\tNumReads\n"


def write_quant(path: Path, rows: list[tuple]) -> Path:
    """A quant.sf in salmon's format (header and column order of salmon's docs)."""
    path.write_text(SALMON_HEADER + "".join("\t".join(map(str, r)) + "\n" for r in rows))
    return path


# --- transcript -> gene -------------------------------------------------------------------

def test_tx2gene_from_real_ensembl_gtf():
    table = transcripts.tx2gene_from_gtf(DATA / "annotation.gtf")
    expected = pd.read_csv(DATA / "transcript_to_gene_map.csv")
    assert list(table.columns) == ["transcript_id", "gene_id"]
    pd.testing.assert_frame_equal(
        table.sort_values("transcript_id").reset_index(drop=True),
        expected.sort_values("transcript_id").reset_index(drop=True))


def test_tx2gene_strips_versions_and_reads_gzip_and_exon_only(tmp_path):
    lines = [
        '#!genome-build GRCm39',
        'chr1\tHAVANA\texon\t10\t20\t.\t+\t.\tgene_id "ENSMUSG00000102693.2"; '
        'transcript_id "ENSMUST00000193812.2"; exon_number 1;',
        'chrY\tHAVANA\texon\t10\t20\t.\t+\t.\tgene_id "ENSG00000182378.14_PAR_Y"; '
        'transcript_id "ENST00000381192.10_PAR_Y";',
        'chr2\tsim\texon\t5\t9\t.\t-\t.\tgene_id "g1"; transcript_id "t1.1";',
    ]
    path = tmp_path / "gencode.gtf.gz"
    with gzip.open(path, "wt") as fh:
        fh.write("\n".join(lines) + "\n")
    table = transcripts.tx2gene_from_gtf(path)
    assert table.values.tolist() == [
        ["ENSMUST00000193812", "ENSMUSG00000102693"],
        ["ENST00000381192_PAR_Y", "ENSG00000182378_PAR_Y"],
        ["t1.1", "g1"],  # not an Ensembl ID: kept as given
    ]


@pytest.mark.parametrize("text, message", [
    ("chr1\tsim\texon\t1\t2\n", "9 tab-separated fields"),
    ('chr1\ts\tgene\t1\t2\t.\t+\t.\tgene_id "g";\n', "no transcript or exon lines"),
    ('chr1\ts\texon\t1\t2\t.\t+\t.\tgene_id "g";\n', "without gene_id and transcript_id"),
    ('chr1\ts\texon\t1\t2\t.\t+\t.\tgene_id "a"; transcript_id "t";\n'
     'chr1\ts\texon\t3\t4\t.\t+\t.\tgene_id "b"; transcript_id "t";\n', "two genes"),
])
def test_tx2gene_bad_gtf(tmp_path, text, message):
    path = tmp_path / "bad.gtf"
    path.write_text(text)
    with pytest.raises(InputError, match=message) as error:
        transcripts.tx2gene_from_gtf(path)
    assert str(path) in str(error.value)


# Hand-computed lengthScaledTPM (tximport's summarizeToGene + makeCountsFromAbundance):
# gene A = a1 + a2, B = b1, C = c1 (c1 has TPM 0 in s1), D = d1 (TPM 0 everywhere).
#   gene length per sample = TPM-weighted mean of effective lengths:
#     s1: A (100*1000 + 300*2000)/400 = 1750, B 500, C unknown -> geometric mean of its
#         known lengths (1200), D unknown everywhere -> mean of its transcripts' lengths
#     s2: A (200*1000 + 200*2000)/400 = 1500, B 600, C 1200
#   mean over samples: A 1625, B 550, C 1200
#   TPM x mean length: s1 A 650000, B 330000, C 0 (sum 980000); s2 A 650000, B 330000,
#   C 120000 (sum 1100000); rescaled to the NumReads totals 100 (s1) and 210 (s2).
HAND_TX2GENE = pd.DataFrame({"transcript_id": ["a1", "a2", "b1", "c1", "d1"],
                             "gene_id": ["A", "A", "B", "C", "D"]})
HAND_EXPECTED = pd.DataFrame(
    {"s1": [650000 * 100 / 980000, 330000 * 100 / 980000, 0.0, 0.0],
     "s2": [650000 * 210 / 1100000, 330000 * 210 / 1100000, 120000 * 210 / 1100000, 0.0]},
    index=pd.Index(["A", "B", "C", "D"], name="gene_id"))


def hand_quants(tmp_path) -> dict[str, Path]:
    # order in the file differs from the gene order, so a mix-up of rows shows
    s1 = write_quant(tmp_path / "s1.sf", [("b1", 700, 500, 600, 30), ("c1", 1000, 800, 0, 0),
                                           ("a1", 1200, 1000, 100, 10), ("d1", 900, 700, 0, 0),
                                           ("a2", 2200, 2000, 300, 60)])
    s2 = write_quant(tmp_path / "s2.sf", [("b1", 700, 600, 600, 140), ("c1", 1000, 1200, 100, 10),
                                           ("a1", 1200, 1000, 200, 20), ("d1", 900, 700, 0, 0),
                                           ("a2", 2200, 2000, 200, 40)])
    return {"s1": s1, "s2": s2}


def test_length_scaled_tpm_by_hand(tmp_path):
    counts = transcripts.gene_counts_from_quant(hand_quants(tmp_path), HAND_TX2GENE, "salmon")
    pd.testing.assert_frame_equal(counts, HAND_EXPECTED, rtol=1e-12)
    # each sample keeps its total of estimated reads
    assert counts.sum().tolist() == pytest.approx([100, 210])


def test_real_salmon_files_match_r_tximport():
    """Real salmon output (GENCODE mouse names with |-separated fields and versions),
    against R tximport 1.26.1 on the same files (tests/data/reads/make_tximport_reference.R)."""
    files = {"one": DATA / "Sample_1.sf", "two": DATA / "Sample_2.sf"}
    fields = pd.read_csv(files["one"], sep="\t")["Name"].str.split("|")
    tx2gene = pd.DataFrame({"transcript_id": fields.str[0], "gene_id": fields.str[1]}).map(
        transcripts.strip_version)
    counts = transcripts.gene_counts_from_quant(files, tx2gene, "salmon")
    expected = pd.read_csv(DATA / "tximport_lengthScaledTPM.tsv", sep="\t", index_col=0)
    assert counts.index.is_monotonic_increasing and counts.index.str.startswith("ENSMUSG").all()
    pd.testing.assert_frame_equal(counts, expected, rtol=1e-9, atol=1e-9)
    # each run keeps its estimated number of reads; genes sum their isoforms
    reads = [pd.read_csv(p, sep="\t")["NumReads"].sum() for p in files.values()]
    assert counts.sum().tolist() == pytest.approx(reads)
    assert len(counts) == tx2gene["gene_id"].nunique() < len(tx2gene)


def test_real_kallisto_files_same_as_salmon(tmp_path):
    """kallisto's abundance.tsv and salmon's quant.sf carrying the same numbers give the
    same gene counts (the kallisto files are real kallisto output)."""
    kallisto = {"k1": DATA / "abundance_1.tsv", "k2": DATA / "abundance_2.tsv"}
    salmon = {}
    for name, path in kallisto.items():
        table = pd.read_csv(path, sep="\t")
        salmon[name] = write_quant(tmp_path / f"{name}.sf", table[
            ["target_id", "length", "eff_length", "tpm", "est_counts"]].itertuples(index=False))
    ids = pd.read_csv(kallisto["k1"], sep="\t")["target_id"].map(transcripts.strip_version)
    # two made-up genes over the real transcripts: the first five and the rest
    tx2gene = pd.DataFrame({"transcript_id": ids, "gene_id": ["G1"] * 5 + ["G2"] * (len(ids) - 5)})
    from_kallisto = transcripts.gene_counts_from_quant(kallisto, tx2gene, "kallisto")
    from_salmon = transcripts.gene_counts_from_quant(salmon, tx2gene, "salmon")
    pd.testing.assert_frame_equal(from_kallisto, from_salmon)
    assert from_kallisto.shape == (2, 2)


def test_quant_errors(tmp_path):
    files = hand_quants(tmp_path)
    with pytest.raises(InputError, match="not a kallisto quantification file"):
        transcripts.gene_counts_from_quant(files, HAND_TX2GENE, "kallisto")
    with pytest.raises(InputError, match="does not exist"):
        transcripts.gene_counts_from_quant({"x": tmp_path / "none.sf"}, HAND_TX2GENE)
    other = HAND_TX2GENE.assign(transcript_id=["x1", "x2", "x3", "x4", "x5"])
    with pytest.raises(InputError, match="none of the transcripts"):
        transcripts.gene_counts_from_quant(files, other)


def test_unknown_transcripts_left_out(tmp_path):
    files = hand_quants(tmp_path)
    partial = HAND_TX2GENE[~HAND_TX2GENE["gene_id"].isin(["C", "D"])]
    counts = transcripts.gene_counts_from_quant(files, partial)
    assert list(counts.index) == ["A", "B"]
    assert np.isfinite(counts.values).all()


# --- runs of a study ----------------------------------------------------------------------

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "geo"
PAIRED_ENA = {  # ENA's record of SRR16298157 (tests/data/reads/README.md)
    "run": "SRR16298157", "layout": "PAIRED",
    "fastq_url": "ftp.sra.ebi.ac.uk/vol1/fastq/SRR162/057/SRR16298157/SRR16298157_1.fastq.gz;"
                 "ftp.sra.ebi.ac.uk/vol1/fastq/SRR162/057/SRR16298157/SRR16298157_2.fastq.gz",
    "fastq_md5": "aaf5b365c1b45083c014baa35657b463;e80f09063bf017fa08b0dd881e840ed9"}


def test_sample_experiments_from_real_series_matrix():
    from painstress.data.ncbi_files import read_series_matrix

    path = FIXTURES / "series_matrix" / "GSE99709_series_matrix.txt.gz"
    if not path.is_file():
        pytest.skip(f"real GEO fixtures not found at {path.parent}")
    experiments = reads.sample_experiments(read_series_matrix(path))
    assert experiments["GSM2650749"] == "SRX2885384"
    assert experiments.str.fullmatch(r"SRX\d+").all() and len(experiments) == 12


def test_real_ena_filereport_and_runinfo():
    report = reads.parse_filereport((DATA / "ena_filereport_SRX6088086.tsv").read_text(), "f")
    row = report.iloc[0]
    assert (row["run"], row["experiment"], row["alias"], row["layout"], row["read_count"]) == (
        "SRR9320616", "SRX6088086", "GSM3895942", "PAIRED", "120996825")
    assert (row["library_strategy"], row["tax_id"], row["scientific_name"]) == (
        "RNA-Seq", "10090", "Mus musculus")
    # paired, but ENA has one file only: refused with what to do
    with pytest.raises(InputError, match="fasterq-dump"):
        reads.fastq_files(row)
    info = reads.parse_runinfo((DATA / "sra_runinfo_SRP290125.csv").read_text(), "r")
    assert info["run"].tolist() == ["SRR12951718", "SRR12951719", "SRR12951720"]
    assert set(info["layout"]) == {"SINGLE"} and info["read_count"].iloc[0] == "128538925"
    assert set(info["library_strategy"]) == {"RNA-Seq"} and set(info["tax_id"]) == {"10090"}
    assert set(info["scientific_name"]) == {"Mus musculus"}
    with pytest.raises(InputError, match="not the expected report"):
        reads.parse_filereport("run_accession\tfoo\nSRR1\tx\n", "f")
    with pytest.raises(InputError, match="HTML"):
        reads.parse_filereport("<!DOCTYPE html><html>busy</html>", "f")


def test_fastq_files_of_paired_and_single_runs():
    files = reads.fastq_files(pd.Series(PAIRED_ENA), "http://127.0.0.1:1")
    assert [f[2] for f in files] == ["SRR16298157_1.fastq.gz", "SRR16298157_2.fastq.gz"]
    assert files[0][0] == ("http://127.0.0.1:1/vol1/fastq/SRR162/057/SRR16298157/"
                           "SRR16298157_1.fastq.gz")
    assert files[1][1] == "e80f09063bf017fa08b0dd881e840ed9"
    # ENA's third file of unpaired reads is left out
    three = dict(PAIRED_ENA, fastq_url="ftp.sra.ebi.ac.uk/x/SRR1.fastq.gz;" + PAIRED_ENA[
        "fastq_url"], fastq_md5="0;" + PAIRED_ENA["fastq_md5"])
    assert [f[2] for f in reads.fastq_files(pd.Series(three))][0] == "SRR16298157_1.fastq.gz"
    single = pd.Series({"run": "SRR1", "layout": "SINGLE", "fastq_md5": "ab",
                        "fastq_url": "ftp.sra.ebi.ac.uk/vol1/fastq/SRR1/SRR1.fastq.gz"})
    assert reads.fastq_files(single) == [
        ("https://ftp.sra.ebi.ac.uk/vol1/fastq/SRR1/SRR1.fastq.gz", "ab", "SRR1.fastq.gz")]


class ReadServer:
    """ENA, NCBI E-utilities and FASTQ files on 127.0.0.1: ``files`` path -> bytes,
    ``reports`` experiment -> filereport text; honours Range; ``cut`` paths break off
    halfway once each; ``types`` path -> Content-Type. ``calls`` logs (path, Range
    header)."""

    def __init__(self):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import parse_qs, urlsplit

        self.files, self.reports, self.cut, self.calls, self.types = {}, {}, set(), [], {}
        self.runinfo, self.uids = "", []
        state = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                state.calls.append((url.path, self.headers.get("Range")))
                status, body = 200, state.files.get(url.path)
                if url.path.endswith("/filereport"):
                    body = state.reports.get(query["accession"], "").encode()
                elif url.path.endswith("/esearch.fcgi"):
                    import json
                    body = json.dumps({"esearchresult": {"idlist": state.uids}}).encode()
                elif url.path.endswith("/efetch.fcgi"):
                    body = state.runinfo.encode()
                if body is None:
                    status, body = 404, b"not found"
                start = 0
                if self.headers.get("Range") and status == 200:
                    start = int(self.headers["Range"].split("=")[1].rstrip("-"))
                    status = 206
                self.send_response(status)
                self.send_header("Content-Length", str(len(body) - start))
                if url.path in state.types:
                    self.send_header("Content-Type", state.types[url.path])
                if status == 206:
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                self.end_headers()
                if url.path in state.cut:
                    state.cut.discard(url.path)
                    self.wfile.write(body[start:start + (len(body) - start) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body[start:])

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, args=(0.1,), daemon=True).start()
        host, port = self.httpd.server_address[:2]
        self.url = f"http://{host}:{port}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    running = ReadServer()
    yield running
    running.close()


@pytest.fixture
def client():
    from painstress.data.http import Client, HttpSettings

    return Client(HttpSettings(connect_timeout=2, read_timeout=2, retries=1, backoff=0.01))


def small_fastq(n: int = 200, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    body = "".join(f"@r{i}\n{''.join(rng.choice(list('ACGT'), 50))}\n+\n{'I' * 50}\n"
                   for i in range(n))
    return gzip.compress(body.encode(), mtime=0)


def md5(data: bytes) -> str:
    import hashlib

    return hashlib.md5(data).hexdigest()


SRA = "SRA: https://www.ncbi.nlm.nih.gov/sra?term="
MATRIX = "\n".join([  # a series matrix's sample lines (GEO's layout), three samples
    '!Series_title\t"three samples"', '!Series_geo_accession\t"GSE1"',
    '!Sample_title\t"a"\t"b"\t"c"', '!Sample_geo_accession\t"GSM1"\t"GSM2"\t"GSM3"',
    '!Sample_relation\t"BioSample: https://www.ncbi.nlm.nih.gov/biosample/SAMN1"\t'
    '"BioSample: x"\t"BioSample: y"',
    f'!Sample_relation\t"{SRA}SRX11"\t"{SRA}SRX12"\t"{SRA}SRX13"',
    "!series_matrix_table_begin", '"ID_REF"\t"GSM1"\t"GSM2"\t"GSM3"',
    "!series_matrix_table_end", ""])
ENA_HEADER = "\t".join(reads.ENA_FIELDS)


def ena_row(run, experiment, alias, layout, files: dict[str, bytes], strategy="RNA-Seq",
            taxon=("10090", "Mus musculus")) -> str:
    """A filereport row in reads.ENA_FIELDS' order; library_strategy, tax_id and
    scientific_name as ENA writes them (tests/data/reads/ena_filereport_SRX6088086.tsv)."""
    folder = f"ftp.sra.ebi.ac.uk/vol1/fastq/{run[:6]}/00{run[-1]}/{run}"
    return "\t".join([run, experiment, alias, layout, strategy, *taxon, "200", "10000",
                      ";".join(f"{folder}/{name}" for name in files),
                      ";".join(md5(data) for data in files.values()),
                      ";".join(str(len(data)) for data in files.values())])


def serve_study(server) -> dict[str, bytes]:
    """GSM1: one single-end run; GSM2: two runs (technical replicates); GSM3: paired."""
    fastqs = {"SRR101.fastq.gz": small_fastq(seed=1), "SRR102.fastq.gz": small_fastq(seed=2),
              "SRR103.fastq.gz": small_fastq(seed=3), "SRR104_1.fastq.gz": small_fastq(seed=4),
              "SRR104_2.fastq.gz": small_fastq(seed=5)}
    pick = lambda *names: {n: fastqs[n] for n in names}  # noqa: E731
    server.reports = {
        "SRX11": "\n".join([ENA_HEADER, ena_row("SRR101", "SRX11", "GSM1", "SINGLE",
                                                pick("SRR101.fastq.gz"))]) + "\n",
        "SRX12": "\n".join([ENA_HEADER,
                            ena_row("SRR102", "SRX12", "GSM2", "SINGLE", pick("SRR102.fastq.gz")),
                            ena_row("SRR103", "SRX12", "GSM2", "SINGLE", pick("SRR103.fastq.gz"))]
                           ) + "\n",
        "SRX13": "\n".join([ENA_HEADER, ena_row("SRR104", "SRX13", "GSM3", "PAIRED", pick(
            "SRR104_1.fastq.gz", "SRR104_2.fastq.gz"))]) + "\n"}
    for name, data in fastqs.items():
        run = name.split("_")[0].split(".")[0]
        server.files[f"/vol1/fastq/{run[:6]}/00{run[-1]}/{run}/{name}"] = data
    return fastqs


def matrix_file(tmp_path):
    from painstress.data.ncbi_files import read_series_matrix

    path = tmp_path / "GSE1_series_matrix.txt"
    path.write_text(MATRIX)
    return read_series_matrix(path)


def test_runs_from_ena_on_loopback(tmp_path, server, client):
    serve_study(server)
    runs = reads.resolve_runs(matrix_file(tmp_path), client, ena_url=server.url,
                              eutils_url=server.url)
    assert runs[["sample", "experiment", "run", "layout"]].values.tolist() == [
        ["GSM1", "SRX11", "SRR101", "SINGLE"], ["GSM2", "SRX12", "SRR102", "SINGLE"],
        ["GSM2", "SRX12", "SRR103", "SINGLE"], ["GSM3", "SRX13", "SRR104", "PAIRED"]]
    assert list(runs.columns) == reads.RUN_COLUMNS
    paired = reads.fastq_files(runs.iloc[3], server.url)
    assert [f[2] for f in paired] == ["SRR104_1.fastq.gz", "SRR104_2.fastq.gz"]
    # an experiment ENA does not know
    server.reports.pop("SRX13")
    with pytest.raises(reads.FetchError, match="ENA lists no runs for SRX13"):
        reads.resolve_runs(matrix_file(tmp_path), client, ena_url=server.url,
                           eutils_url=server.url)


def test_runs_from_sra_runinfo_on_loopback(tmp_path, server, client):
    text = (DATA / "sra_runinfo_SRP290125.csv").read_text()
    server.runinfo = text.replace("SRX9404801", "SRX11").replace("SRX9404802", "SRX12") \
        .replace("SRX9404803", "SRX13")
    server.uids = ["1", "2", "3"]
    runs = reads.resolve_runs(matrix_file(tmp_path), client, ena_url=server.url,
                              eutils_url=server.url, method="fasterq-dump")
    assert runs["run"].tolist() == ["SRR12951718", "SRR12951719", "SRR12951720"]
    assert runs["sample"].tolist() == ["GSM1", "GSM2", "GSM3"] and set(runs["source"]) == {"SRA"}


# Bad input: runs that are not RNA-seq, or not of the dataset's organism. The values are
# ENA's and SRA's own: library_strategy / LibraryStrategy from the SRA experiment schema's
# vocabulary (RNA-Seq, ChIP-Seq, WGS, ...; as listed from SRA's XML schema in jfear/sramongo
# docs/sraConstants.rst), tax_id / TaxID the NCBI taxon and scientific_name /
# ScientificName its name, as in the real records of tests/data/reads/.
@pytest.mark.parametrize("strategy, taxon, said", [
    ("ChIP-Seq", ("10090", "Mus musculus"), "library strategy 'ChIP-Seq', not 'RNA-Seq'"),
    ("RNA-Seq", ("9606", "Homo sapiens"),
     r"organism Homo sapiens \(taxon 9606\), not Mus musculus \(10090\)"),
])
def test_runs_not_rna_seq_or_not_mouse_refused_before_download(tmp_path, server, client,
                                                                strategy, taxon, said):
    serve_study(server)
    report = server.reports["SRX12"].splitlines()
    report[2] = ena_row("SRR103", "SRX12", "GSM2", "SINGLE", {"SRR103.fastq.gz": b""},
                        strategy=strategy, taxon=taxon)
    server.reports["SRX12"] = "\n".join(report) + "\n"
    with pytest.raises(InputError, match=rf"run SRR103 of sample GSM2 \(SRX12\): {said}") \
            as error:
        reads.resolve_runs(matrix_file(tmp_path), client, ena_url=server.url,
                           eutils_url=server.url)
    message = str(error.value)
    assert "GSE1_series_matrix.txt" in message and "give this dataset's counts" in message
    assert "SRR102" not in message  # the RNA-seq run of the same sample is not blamed
    assert not [p for p, _ in server.calls if p.startswith("/vol1/")]  # no FASTQ fetched


def test_sra_runinfo_wgs_run_refused(tmp_path, server, client):
    """The same check on NCBI's runinfo (LibraryStrategy, TaxID, ScientificName)."""
    text = (DATA / "sra_runinfo_SRP290125.csv").read_text()
    server.runinfo = text.replace("SRX9404801", "SRX11").replace("SRX9404802", "SRX12") \
        .replace("SRX9404803", "SRX13") \
        .replace("RNA-Seq,cDNA,TRANSCRIPTOMIC", "WGS,RANDOM,GENOMIC", 1)
    server.uids = ["1", "2", "3"]
    with pytest.raises(InputError, match=r"run SRR12951718 of sample GSM1 \(SRX11\): "
                                         r"library strategy 'WGS'"):
        reads.resolve_runs(matrix_file(tmp_path), client, ena_url=server.url,
                           eutils_url=server.url, method="fasterq-dump")
    # a dataset of another organism takes that organism's runs only
    with pytest.raises(InputError, match=r"organism Mus musculus \(taxon 10090\), not Homo"):
        reads.resolve_runs(matrix_file(tmp_path), client, ena_url=server.url,
                           eutils_url=server.url, method="fasterq-dump",
                           organism="Homo sapiens")


def test_series_without_sra_relation(tmp_path):
    from painstress.data.ncbi_files import read_series_matrix

    path = tmp_path / "m.txt"
    path.write_text(MATRIX.replace(f"{SRA}SRX12", "none"))
    with pytest.raises(InputError, match="GSM2 have no 'SRA"):
        reads.sample_experiments(read_series_matrix(path))


# --- FASTQ downloads ----------------------------------------------------------------------

def test_fastq_download_checked_by_md5(tmp_path, server, client):
    fastqs = serve_study(server)
    url = f"{server.url}/vol1/fastq/SRR101/001/SRR101/SRR101.fastq.gz"
    dest = tmp_path / "SRR101.fastq.gz"
    record = reads.download_fastq(client, url, md5(fastqs["SRR101.fastq.gz"]), dest)
    assert dest.read_bytes() == fastqs["SRR101.fastq.gz"] and record["size"] == dest.stat().st_size
    # wrong MD5: refused, nothing kept, the message names the file and its address
    other = tmp_path / "other.fastq.gz"
    with pytest.raises(reads.FetchError, match="other.fastq.gz from .*SRR101.fastq.gz: MD5"):
        reads.download_fastq(client, url, "0" * 32, other)
    assert list(tmp_path.iterdir()) == [dest]


def test_truncated_gzip_refused(tmp_path, server, client):
    data = small_fastq(seed=9)
    server.files["/vol1/cut.fastq.gz"] = data[: len(data) - 40]
    dest = tmp_path / "cut.fastq.gz"
    with pytest.raises(reads.FetchError, match="cut short"):  # no MD5 given: gzip check
        reads.download_fastq(client, f"{server.url}/vol1/cut.fastq.gz", "", dest)
    assert not any(tmp_path.iterdir())
    server.files["/vol1/junk.fastq.gz"] = b"@r1\nACGT\n+\nIIII\n"  # plain, not gzipped
    with pytest.raises(reads.FetchError, match="not a valid gzip"):
        reads.download_fastq(client, f"{server.url}/vol1/junk.fastq.gz", "", dest)


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", None])
def test_bad_input_fastq_url_answers_html_page(tmp_path, server, client, content_type):
    """Status 200 with a login/error page where the FASTQ should be: refused as HTML
    (by its Content-Type, or by its first bytes when the server calls it a binary file),
    naming the run and the address; nothing is left behind."""
    path = "/vol1/fastq/SRR101/001/SRR101/SRR101.fastq.gz"
    server.files[path] = (b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head>"
                          b"<body>Please log in</body></html>\n")
    if content_type:
        server.types[path] = content_type
    dest = tmp_path / "fastq" / "SRR101.fastq.gz"
    with pytest.raises(InputError, match=r"run SRR101: SRR101.fastq.gz from http://127.0.0.1:"
                                         r"\d+/vol1/fastq/SRR101/001/SRR101/SRR101.fastq.gz: "
                                         r".*HTML page.*not FASTQ"):
        reads.download_fastq(client, server.url + path, "", dest, run="SRR101")
    assert not list(dest.parent.iterdir())  # no FASTQ, no .part


@pytest.mark.parametrize("kind, name", [("transcriptome", "transcriptome.fa.gz"),
                                        ("gtf", "annotation.gtf.gz")])
def test_bad_input_reference_url_answers_html_page(tmp_path, server, client, kind, name):
    """The pinned transcriptome (cDNA FASTA) or GTF address answering an HTML page with
    status 200: refused naming the file and the address; nothing is left behind."""
    from painstress.data.http import download

    server.files["/pub/release-111/file.gz"] = b"<html><body>Service unavailable</body></html>"
    server.types["/pub/release-111/file.gz"] = "text/html"
    url = f"{server.url}/pub/release-111/file.gz"
    dest = tmp_path / "reference" / name
    with pytest.raises(reads.FetchError) as error:
        download(client, url, dest, lambda p: reads.check_reference(p, kind))
    message = str(error.value)
    assert url in message and name in message
    assert f"an HTML page, not {'FASTA' if kind == 'transcriptome' else 'GTF'}" in message
    assert not list(dest.parent.iterdir())


def test_broken_transfer_resumes(tmp_path, server, client):
    fastqs = serve_study(server)
    path = "/vol1/fastq/SRR104/004/SRR104/SRR104_2.fastq.gz"
    server.cut.add(path)
    dest = tmp_path / "SRR104_2.fastq.gz"
    reads.download_fastq(client, server.url + path, md5(fastqs["SRR104_2.fastq.gz"]), dest)
    assert dest.read_bytes() == fastqs["SRR104_2.fastq.gz"]
    ranges = [r for p, r in server.calls if p == path]
    half = len(fastqs["SRR104_2.fastq.gz"]) // 2
    assert ranges == [None, f"bytes={half}-"]  # the second request asked for the rest only


def test_missing_tool_named_with_install_command(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(InputError, match="salmon .*apt-get install -y salmon"):
        reads.require_tools(["salmon"])


# --- technical replicates, QC -------------------------------------------------------------

def test_runs_of_a_sample_are_summed():
    runs = pd.DataFrame({"sample": ["GSM1", "GSM2", "GSM2"], "run": ["R1", "R2", "R3"]})
    counts = pd.DataFrame({"R1": [1.0, 2.0], "R2": [3.0, 4.0], "R3": [5.0, 0.5]},
                          index=["g1", "g2"])
    summed = reads.sample_gene_counts(counts, runs)
    assert summed.to_dict() == {"GSM1": {"g1": 1.0, "g2": 2.0}, "GSM2": {"g1": 8.0, "g2": 4.5}}


def test_mapping_rate_gate():
    qc = pd.DataFrame({"run": ["R1", "R2"], "mapping_rate": [0.9, 0.12]})
    with pytest.raises(InputError, match=r"R2 \(12.0%\) mapped below"):
        reads.check_mapping(qc, 0.3)
    assert reads.check_mapping(qc, 0.3, "drop")["kept"].tolist() == [True, False]
    assert reads.check_mapping(qc, 0.1)["kept"].all()


# --- salmon on simulated reads ------------------------------------------------------------

def ensure_salmon(program: str = "salmon") -> None:
    """``program`` (salmon, fastp; Debian's package of the same name) on PATH: installed
    with apt-get when root and apt are here; else skip, or fail under CI (CI set), where
    it must run."""
    import os
    import shutil
    import subprocess
    import sys

    if shutil.which(program):
        return
    reason = None
    if not sys.platform.startswith("linux") or os.geteuid() != 0 or not shutil.which("apt-get"):
        reason = f"{program} is not installed, and installing it (apt-get) needs Linux and root"
    else:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-q", "--no-install-recommends",
                   "-o", "DPkg::Lock::Timeout=120", program]
        done = subprocess.run(install, capture_output=True, text=True, env=env, timeout=900)
        if done.returncode != 0:  # stale package lists on a fresh machine
            subprocess.run(["apt-get", "update", "-q"], capture_output=True, env=env,
                           timeout=900)
            done = subprocess.run(install, capture_output=True, text=True, env=env,
                                  timeout=900)
        if not shutil.which(program):
            reason = (f"apt-get install {program} failed: "
                      f"{done.stdout[-1500:]}{done.stderr[-800:]}")
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the {program} tests, but: {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def salmon_setup(tmp_path_factory):
    """A simulated transcriptome (150 genes, 1-3 isoforms), its salmon index, and known
    read counts per transcript for a single-end and a paired run."""
    import subprocess

    from painstress.demo import reads as demo_reads

    ensure_salmon()
    folder = tmp_path_factory.mktemp("salmon")
    rng = np.random.default_rng(7)
    tx = demo_reads.simulate_transcriptome([f"ENSMUSG{i:011d}" for i in range(1, 151)], rng)
    (folder / "tx.fa.gz").write_bytes(demo_reads.fasta_bytes(tx))
    (folder / "tx.gtf.gz").write_bytes(demo_reads.gtf_bytes(tx))
    ids = tx.transcripts["transcript_id"]
    truth = pd.Series(np.round(rng.lognormal(5.0, 1.2, len(ids))), index=ids.to_numpy())
    truth[rng.random(len(ids)) < 0.1] = 0  # some transcripts not expressed
    subprocess.run(["salmon", "index", "-t", str(folder / "tx.fa.gz"), "-i",
                    str(folder / "index"), "-k", "31", "-p", "2"], check=True,
                   capture_output=True)
    fastqs = {"single": demo_reads.simulate_fastq(tx, truth, rng, "s"),
              "paired": demo_reads.simulate_fastq(tx, truth, rng, "p", paired=True)}
    paths = {}
    for kind, files in fastqs.items():
        paths[kind] = []
        for k, data in enumerate(files, 1):
            path = folder / (f"{kind}_{k}.fastq.gz" if kind == "paired" else f"{kind}.fastq.gz")
            path.write_bytes(data)
            paths[kind].append(path)
    return {"folder": folder, "tx": tx, "truth": truth, "fastqs": paths}


@pytest.mark.xdist_group("salmon_setup")  # one worker: salmon_setup (an index) made once
@pytest.mark.parametrize("kind", ["single", "paired"])
def test_salmon_recovers_simulated_abundances(salmon_setup, kind):
    import subprocess

    from painstress.demo import reads as demo_reads

    folder, truth = salmon_setup["folder"], salmon_setup["truth"]
    out = folder / f"quant_{kind}"
    command = reads.salmon_quant_command(folder / "index", salmon_setup["fastqs"][kind], out, 2)
    assert ("--gcBias" in command) == (kind == "paired")
    subprocess.run(command, check=True, capture_output=True)
    quant = pd.read_csv(out / "quant.sf", sep="\t", index_col=0)
    expressed = truth[truth > 0].index
    expected = demo_reads.tpm_truth(salmon_setup["tx"], truth)
    rho = quant.loc[expressed, "TPM"].corr(expected[expressed], method="spearman")
    assert rho >= 0.9, f"Spearman of TPM {rho:.3f}"
    qc = reads.salmon_qc(out, "R1")
    assert qc["reads"] == int(truth.sum()) and qc["mapping_rate"] > 0.95
    assert qc["library_type"] == ("IU" if kind == "paired" else "U")
    # gene counts: each gene's isoforms added up; every read of the run kept
    tx2gene = transcripts.tx2gene_from_gtf(folder / "tx.gtf.gz")
    genes = transcripts.gene_counts_from_quant({"R1": out / "quant.sf"}, tx2gene)
    assert len(genes) == tx2gene["gene_id"].nunique() < len(tx2gene)
    assert genes["R1"].sum() == pytest.approx(quant["NumReads"].sum())
    by_gene = truth.groupby(tx2gene.set_index("transcript_id")["gene_id"]).sum()
    assert genes["R1"].corr(by_gene.reindex(genes.index), method="spearman") >= 0.95


# --- the workflow: counts: reads ----------------------------------------------------------

def reads_config(folder: Path, name: str, replicates: int | None = None, **reads_keys) -> Path:
    """config/demo_reads.yaml as study ``name``, with ``replicates`` per group and region
    and ``reads_keys`` (reads.*) when given."""
    import yaml

    from conftest import REPO

    config = yaml.safe_load((REPO / "config" / "demo_reads.yaml").read_text())
    config["study"]["name"] = name
    if replicates:
        config["simulate"].update(min_replicates=replicates, max_replicates=replicates)
    config["reads"].update(reads_keys)
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def path_without(program: str, folder: Path) -> str:
    """A PATH with every program of this one except ``program`` (links in ``folder``)."""
    import os

    folder.mkdir()
    for directory in os.environ["PATH"].split(os.pathsep):
        if not Path(directory).is_dir():
            continue
        for file in Path(directory).iterdir():
            link = folder / file.name
            if file.name != program and not link.exists() and file.is_file() and \
                    os.access(file, os.X_OK):
                link.symlink_to(file)
    return str(folder)


@pytest.mark.workflow
@pytest.mark.parametrize("program", ["salmon", "fastp"])
def test_missing_tool_stops_first_with_install_command(tmp_path, monkeypatch, program):
    from conftest import snakemake

    monkeypatch.setenv("PATH", path_without(program, tmp_path / "bin"))
    done = snakemake(tmp_path, reads_config(tmp_path, "notools", trim=program == "fastp"),
                     "results/notools/counts/pain/counts.tsv.gz")
    assert done.returncode != 0
    assert f"counts from reads need {program}: apt-get install -y {program}" in done.output
    assert not (tmp_path / "results" / "notools" / "reads" / "tools.txt").exists()
    # nothing after the check ran: no reads made (or downloaded), no run table
    assert not (tmp_path / "results" / "notools" / "runs.tsv").exists()
    assert not list(tmp_path.glob("resources/notools/fastq/*"))


def test_fastp_command_single_and_paired():
    single = reads.fastp_command("in/R1.fastq.gz", ["out/R1.fastq.gz"], "r.json", "r.html", 3)
    assert single == ["fastp", "-i", "in/R1.fastq.gz", "-o", "out/R1.fastq.gz",
                      "--json", "r.json", "--html", "r.html", "--thread", "3"]
    paired = reads.fastp_command(["a_1.fq.gz", "a_2.fq.gz"], ["t_1.fq.gz", "t_2.fq.gz"],
                                 "a.json", "a.html")
    assert paired[:9] == ["fastp", "-i", "a_1.fq.gz", "-o", "t_1.fq.gz", "-I", "a_2.fq.gz",
                          "-O", "t_2.fq.gz"]
    assert "--detect_adapter_for_pe" in paired and paired[-2:] == ["--thread", "2"]
    with pytest.raises(InputError, match="one or two FASTQ"):
        reads.fastp_command(["a", "b"], ["t"], "j", "h")


def test_multiqc_options_leave_out_single_end_fragment_lengths_and_fit_read_units():
    """salmon writes its fragment-length prior, not a measurement, for single-end runs:
    MultiQC is told to skip those files; runs of thousands of reads are counted in
    thousands (MultiQC's millions show them as 0.0M)."""
    runs = [{"run": "SRR1", "layout": "SINGLE", "read_count": "5000"},
            {"run": "SRR2", "layout": "PAIRED", "read_count": "8000"},
            {"run": "SRR3", "layout": "SINGLE", "read_count": "4000"}]
    options = reads.multiqc_options(runs, "results/s/reads/salmon")
    ignored = [options[i + 1] for i, o in enumerate(options) if o == "--ignore"]
    assert ignored == ["results/s/reads/salmon/SRR1/libParams",
                       "results/s/reads/salmon/SRR3/libParams"]
    assert "read_count_multiplier: 0.001" in options
    assert "table_columns_name: {salmon: {num_mapped: K Aligned}}" in options
    assert "show_analysis_paths: false" in options
    big = [dict(r, read_count="30000000") for r in runs]
    assert "read_count_multiplier: 0.001" not in reads.multiqc_options(big, "x")


MULTIQC = "multiqc==1.35"  # as envs/multiqc.yaml


@pytest.fixture(scope="module")
def multiqc_bin(tmp_path_factory) -> str:
    """A folder with ``multiqc``: the one on PATH, or MultiQC installed into a virtual
    environment of its own (as envs/multiqc.yaml keeps it out of the workflow's);
    skip when that fails, or fail under CI."""
    import os
    import shutil
    import subprocess
    import sys

    if shutil.which("multiqc"):
        return str(Path(shutil.which("multiqc")).parent)
    from conftest import installer

    venv = tmp_path_factory.mktemp("multiqc") / "venv"
    # without a pip of its own (seeding one takes seconds): installed from here as make
    # installs .venv's packages (uv with pip's settings, else pip)
    done = subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)],
                          capture_output=True, text=True)
    if done.returncode == 0:
        done = installer().install_into(venv / "bin" / "python", MULTIQC)
    if not (venv / "bin" / "multiqc").exists():
        reason = f"installing {MULTIQC} failed: {done.stdout[-1000:]}{done.stderr[-1000:]}"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the MultiQC test, but: {reason}")
        pytest.skip(reason)
    return str(venv / "bin")


@pytest.mark.workflow
@pytest.mark.xdist_group("multiqc")  # one worker: multiqc_bin made once
def test_multiqc_planned_only_when_multiqc_can_run(tmp_path, monkeypatch, multiqc_bin):
    import os

    from conftest import snakemake

    config = reads_config(tmp_path, "nomultiqc")
    without = path_without("multiqc", tmp_path / "bin")
    monkeypatch.setenv("PATH", without)
    done = snakemake(tmp_path, config, "-n")
    assert done.returncode == 0, done.output[-3000:]
    assert "MultiQC page of the read QC left out: multiqc is not on PATH" in done.output
    assert "rule multiqc:" not in done.output
    monkeypatch.setenv("PATH", f"{multiqc_bin}{os.pathsep}{without}")
    done = snakemake(tmp_path, config, "-n")
    assert done.returncode == 0, done.output[-3000:]
    assert "rule multiqc:" in done.output and "left out" not in done.output


@pytest.mark.workflow
@pytest.mark.xdist_group("multiqc")
def test_reads_demo_trimmed_with_fastp_and_multiqc(tmp_path, monkeypatch, multiqc_bin):
    """reads.trim: each run goes through fastp (a JSON report per run) and salmon reads
    fastp's trimmed FASTQ, not the raw one; the dataset's counts come out; MultiQC's page
    (multiqc on PATH) holds every run's salmon and fastp results."""
    import json
    import os

    import yaml

    from conftest import snakemake

    ensure_salmon()
    ensure_salmon("fastp")
    monkeypatch.setenv("PATH", f"{multiqc_bin}{os.pathsep}{os.environ['PATH']}")
    config = reads_config(tmp_path, "trimmed", replicates=2, trim=True,
                          simulate={"genes": 100, "reads_per_sample": 5000})
    # one dataset counted from reads, the other's counts simulated: 13 runs, not 26
    settings = yaml.safe_load(config.read_text())
    settings["datasets"]["stress"].pop("counts")
    config.write_text(yaml.safe_dump(settings, sort_keys=False))
    done = snakemake(tmp_path, config, "results/trimmed/counts/pain/counts.tsv.gz",
                     "results/trimmed/reads/multiqc/multiqc.html")
    assert done.returncode == 0, done.output[-4000:]
    out = tmp_path / "results" / "trimmed"
    runs = pd.read_csv(out / "runs.tsv", sep="\t")
    runs = runs[runs["dataset"] == "pain"]
    qc = pd.read_csv(out / "reads" / "pain" / "qc.tsv", sep="\t").set_index("run")
    assert len(runs) == 13 and set(qc.index) == set(runs["run"])
    for run in runs["run"]:
        report = json.loads((out / "reads" / "fastp" / f"{run}.json").read_text())
        assert (out / "reads" / "fastp" / f"{run}.html").stat().st_size > 0
        # salmon counted what fastp kept, read from fastp's output
        assert qc.loc[run, "reads"] == report["summary"]["after_filtering"]["total_reads"]
        salmon = json.loads((out / "reads" / "salmon" / run / "cmd_info.json").read_text())
        assert salmon["unmatedReads"] == f"resources/trimmed/fastq/trimmed/{run}.fastq.gz"
    assert "fastp 0.23" in (out / "reads" / "tools.txt").read_text()
    counts = pd.read_csv(out / "counts" / "pain" / "counts.tsv.gz", sep="\t", index_col=0)
    assert list(counts.columns) == list(dict.fromkeys(runs["sample"]))
    assert counts.to_numpy().sum() > 0
    # MultiQC read every run: salmon's mapping and fastp's filtering
    data = out / "reads" / "multiqc" / "multiqc_data"
    every = set(pd.read_csv(out / "runs.tsv", sep="\t")["run"])
    salmon = pd.read_csv(data / "multiqc_salmon.txt", sep="\t").set_index("Sample")
    assert set(salmon.index) == every and len(every) == 13
    processed = salmon.loc[runs["run"], "num_processed"]
    assert processed.tolist() == qc.loc[runs["run"], "reads"].tolist()
    assert set(pd.read_csv(data / "multiqc_fastp.txt", sep="\t")["Sample"]) == every
    # single-end runs only: no fragment-length plot (salmon's prior, not a measurement)
    assert not (data / "salmon_plot.txt").exists()
    # runs of thousands of reads are counted in thousands, and the column says so
    html = (out / "reads" / "multiqc" / "multiqc.html").read_text()
    assert "K Aligned" in html and "M Aligned" not in html
    assert str(tmp_path) not in (out / "reads" / "multiqc" / "multiqc.html").read_text()
    assert "MultiQC" in (out / "reads" / "multiqc" / "multiqc.html").read_text()[:5000]


@pytest.mark.workflow
def test_reads_demo_recovers_planted_genes(tmp_path):
    """config/demo_reads.yaml end to end: simulated reads -> salmon -> tximport -> DE ->
    overlap; the planted genes come back, salmon's TPM follow the simulated ones, and the
    methods text says where the reads came from and how they mapped.

    Shrunk to what still recovers the planted genes with a margin (3 replicates instead
    of 4, a 200-gene transcriptome, 40,000 reads a sample: 38 runs; pooled shared genes
    found 9 of 12, none false, where the test asks for 8), and only the tables are asked
    for: the figures, notebooks and report pages are the main demo's code
    (tests/test_workflow.py)."""
    from conftest import snakemake
    from painstress.demo import reads as demo_reads

    ensure_salmon()
    out = tmp_path / "results" / "reads_demo"
    config = reads_config(tmp_path, "reads_demo", replicates=3,
                          simulate={"genes": 200, "reads_per_sample": 40_000})
    done = snakemake(tmp_path, config,
                     *(str((out / name).relative_to(tmp_path))
                       for name in ("truth_recovery.tsv", "methods.md")), timeout=3000)
    assert done.returncode == 0, done.output[-4000:]
    runs = pd.read_csv(out / "runs.tsv", sep="\t")
    assert list(runs.columns) == ["dataset", *reads.RUN_COLUMNS]
    twice = runs.groupby(["dataset", "sample"])["run"].count()
    assert (twice == 2).sum() == 2 and twice.max() == 2  # one sample of each dataset
    for dataset in ("pain", "stress"):
        qc = pd.read_csv(out / "reads" / dataset / "qc.tsv", sep="\t")
        assert (qc["mapping_rate"] > 0.95).all() and set(qc["library_type"]) == {"U"}
        counts = pd.read_csv(out / "counts" / dataset / "counts.tsv.gz", sep="\t", index_col=0)
        mine = runs[runs["dataset"] == dataset]
        assert list(counts.columns) == list(dict.fromkeys(mine["sample"]))
        # a sample's runs are summed: its counts hold the reads of both its runs
        mapped = qc.groupby("sample")["mapped"].sum()
        assert counts.sum().to_numpy() == pytest.approx(mapped[counts.columns].to_numpy(),
                                                        rel=0.01)
        source = pd.read_csv(out / "counts" / dataset / "source.tsv", sep="\t")
        assert "technical replicates" in source["notes"].iloc[0]
        assert source["id_type"].iloc[0] == "ensembl" and source["mapping_rate"].iloc[0] == 1
    recovery = pd.read_csv(out / "truth_recovery.tsv", sep="\t").set_index(
        ["definition", "scope"])
    modern = recovery.loc[("modern", "pooled")]
    assert modern["precision"] >= 0.8 and modern["recall"] >= 0.6, recovery
    reads_section = (out / "methods.md").read_text().split("## Reads")[1]
    for dataset in ("pain", "stress"):
        n = (runs["dataset"] == dataset).sum()
        assert f"**{dataset}.** Runs: {n} runs of {n - 1} samples ({n} single-end" \
            in reads_section
    assert re.search(r"salmon \d+\.\d+\.\d+, index k = 31", reads_section)
    assert "library types detected: U (" in reads_section
    assert reads_section.count("SRR") == len(runs)  # every run's mapping rate
    # the FASTQ files were temporary
    resources = tmp_path / "resources" / "reads_demo"
    assert not list(resources.glob("fastq/*.fastq.gz"))
    # salmon's TPM against the simulated reads' (expressed transcripts), run by run
    sequences = demo_reads.read_fasta(resources / "reference/simulated/transcriptome.fa.gz")
    tx = demo_reads.Transcriptome(pd.DataFrame({
        "transcript_id": list(sequences), "length": [len(s) for s in sequences.values()]}),
        sequences)
    drawn = pd.read_csv(resources / "reads/simulated/run_reads.tsv.gz", sep="\t", index_col=0)
    rho = []
    for run in drawn.columns:
        quant = pd.read_csv(out / "reads" / "salmon" / run / "quant.sf", sep="\t", index_col=0)
        expressed = drawn.index[drawn[run] > 0]
        truth = demo_reads.tpm_truth(tx, drawn[run])
        rho.append(quant.loc[expressed, "TPM"].corr(truth[expressed], method="spearman"))
    assert len(rho) == len(runs) and np.median(rho) >= 0.9 and min(rho) >= 0.8, rho


def salmon_folder(folder: Path, quant: Path, processed: int, mapped: int) -> Path:
    """A salmon output folder: a real quant.sf and the two JSON files salmon writes
    (the keys painstress reads, as salmon 1.10 names them)."""
    import json
    import shutil

    (folder / "aux_info").mkdir(parents=True)
    shutil.copy(quant, folder / "quant.sf")
    (folder / "aux_info" / "meta_info.json").write_text(json.dumps({
        "salmon_version": "1.10.1", "num_processed": processed, "num_mapped": mapped,
        "percent_mapped": 100 * mapped / processed, "library_types": ["U"]}))
    (folder / "lib_format_counts.json").write_text(json.dumps({"expected_format": "U"}))
    return folder


def test_dataset_counts_sums_runs_and_gates_mapping(tmp_path):
    from painstress.data import ncbi_files
    from painstress.demo.reads import gene_info_bytes

    fields = pd.read_csv(DATA / "Sample_1.sf", sep="\t")["Name"].str.split("|")
    tx2gene = pd.DataFrame({"transcript_id": fields.str[0], "gene_id": fields.str[1]}).map(
        transcripts.strip_version)
    genes = sorted(set(tx2gene["gene_id"]))
    annot = pd.DataFrame({"GeneID": range(100, 100 + len(genes)), "Symbol": genes,
                          "EnsemblGeneID": genes})
    (tmp_path / "gene_info.gz").write_bytes(gene_info_bytes(annot))
    gene_info = ncbi_files.read_gene_info(tmp_path / "gene_info.gz")
    folders = {"R1": salmon_folder(tmp_path / "R1", DATA / "Sample_1.sf", 1000, 900),
               "R2": salmon_folder(tmp_path / "R2", DATA / "Sample_2.sf", 1000, 100),
               "R3": salmon_folder(tmp_path / "R3", DATA / "Sample_2.sf", 1000, 800)}
    runs = pd.DataFrame({"sample": ["GSM1", "GSM1", "GSM2"], "run": ["R1", "R2", "R3"]})
    args = dict(dataset="d", organism="Mus musculus")
    counts, annotation, row, qc = reads.dataset_counts(
        runs, folders, tx2gene, gene_info, min_mapping_rate=0.05, **args)
    alone = transcripts.gene_counts_from_quant(
        {r: folders[r] / "quant.sf" for r in ("R1", "R2", "R3")}, tx2gene)
    expected = (alone["R1"] + alone["R2"]).round()
    assert counts.index.name == "GeneID" and counts["GSM1"].dtype == "int64"
    assert counts["GSM1"].sum() == pytest.approx(expected.sum(), abs=len(expected))
    assert list(annotation.columns) == ["GeneID", "Symbol", "Description"]
    assert "technical replicates) summed: 1" in row["notes"] and row["samples"] == 2
    assert qc["mapping_rate"].tolist() == [0.9, 0.1, 0.8] and qc["kept"].all()
    with pytest.raises(InputError, match=r"run\(s\) R2 \(10.0%\)"):
        reads.dataset_counts(runs, folders, tx2gene, gene_info, min_mapping_rate=0.3, **args)
    dropped, _, row, qc = reads.dataset_counts(runs, folders, tx2gene, gene_info,
                                               min_mapping_rate=0.3, on_fail="drop", **args)
    assert dropped["GSM1"].sum() == pytest.approx(alone["R1"].sum(), abs=len(expected))
    assert "dropped below mapping rate 0.3: R2" in row["notes"]
    assert qc["kept"].tolist() == [True, False, True]


def test_methods_name_runs_reference_salmon_and_mapping_rates(tmp_path, server, client):
    """methods.md's "Reads" section: how many runs of which samples and where from (with
    runs.tsv for each run's address and MD5), the reference files' addresses and SHA-256
    (from their download records), salmon's version and k, and per run the library type
    and mapping rate; the Counts table stays free of these columns."""
    import yaml

    from painstress.config import validate_config
    from painstress.data.http import download, sha256_of
    from painstress.demo import reads as demo_reads
    from painstress.summary import methods_text

    tx = demo_reads.simulate_transcriptome(["ENSMUSG00000000001"], np.random.default_rng(1))
    server.files["/pub/release-112/cdna.fa.gz"] = demo_reads.fasta_bytes(tx)
    server.files["/pub/release-112/genes.gtf.gz"] = demo_reads.gtf_bytes(tx)
    reference = {}
    for label, name in (("transcriptome", "cdna.fa.gz"), ("GTF", "genes.gtf.gz")):
        reference[label] = tmp_path / name
        kind = label.lower()
        download(client, f"{server.url}/pub/release-112/{name}", reference[label],
                 lambda p, kind=kind: reads.check_reference(p, kind))
    runs = pd.DataFrame({"sample": ["GSM1", "GSM1", "GSM2"], "run": ["R1", "R2", "R3"],
                         "layout": ["SINGLE", "SINGLE", "PAIRED"], "source": "ENA"})
    qc = pd.DataFrame({"run": ["R1", "R2", "R3"], "reads": [1000, 2000, 500],
                       "mapping_rate": [0.912, 0.1, 0.875], "library_type": ["SR", "SR", "IU"],
                       "salmon_version": "1.10.1", "kept": [True, False, True]})
    fields = reads.methods_fields(runs, qc, reference, 31)
    row = {"dataset": "pain", "source": "reads", "format": "salmon quant.sf", **fields}
    config = validate_config(yaml.safe_load((REPO_CONFIG / "demo_reads.yaml").read_text()))
    text = methods_text(
        config=config, datasets=pd.DataFrame({"dataset": ["pain"], "series": ["GSE1"]}),
        samples=pd.DataFrame({"dataset": ["pain"] * 2}),
        de_summary=pd.DataFrame({"design": ["~group"], "engine": ["ours"], "prefilter": ["x"]}),
        downloads=pd.DataFrame({"file": ["x"], "url": ["u"], "sha256": ["s"]}),
        versions=pd.DataFrame({"package": ["painstress"], "version": ["1"]}),
        count_sources=pd.DataFrame([row]))
    section = text.split("## Reads", 1)[1].split("## Data files")[0]
    assert "**pain.** Runs: 3 runs of 2 samples (2 single-end, 1 paired-end; 3,500 reads) " \
           "from ENA; each run's FASTQ addresses and MD5s are in runs.tsv." in section
    for label, path in reference.items():
        assert f"{label} {server.url}/pub/release-112/{path.name} (sha256 " \
               f"{sha256_of(path)})" in section
    assert "salmon 1.10.1, index k = 31" in section
    assert "library types detected: SR (2 runs), IU (1 run)" in section
    assert "R1 91.2%, R2 10.0% (dropped), R3 87.5%." in section
    assert "reads_" not in text.split("## Counts")[1].split("## Reads")[0]


def test_reads_config_section():
    import yaml

    from conftest import REPO
    from painstress.config import validate_config

    schema = REPO / "src/painstress/schemas/config.schema.yaml"
    config = yaml.safe_load((REPO / "config" / "demo_reads.yaml").read_text())
    done = validate_config(config, schema, source="demo_reads.yaml")
    assert done["datasets"]["pain"]["counts"] == "reads"
    assert done["reads"]["min_mapping_rate"] == 0.3 and done["reads"]["on_fail"] == "stop"
    assert done["reads"]["reference"]["kmer"] == 31
    config["reads"]["on_fail"] = "ignore"
    with pytest.raises(InputError, match="on_fail"):
        validate_config(config, schema, source="demo_reads.yaml")


@pytest.mark.workflow
def test_reads_from_ena_on_loopback_through_the_workflow(tmp_path):
    """The download path of `counts: reads` on 127.0.0.1: series matrix from GEO, runs from
    ENA's filereport, FASTQ (single, paired, a sample with two runs) checked by MD5, the
    pinned reference and NCBI Gene's table; salmon; the dataset's counts. A second run
    downloads nothing. Before that, the same study with a ChIP-Seq run stops at the run
    table, before any FASTQ or reference download."""
    import yaml

    from conftest import snakemake
    from geo_server import FakeNcbi, Server, ncbi_config
    from painstress.data import ncbi_files
    from painstress.demo import reads as demo_reads

    ensure_salmon()
    rng = np.random.default_rng(11)
    tx = demo_reads.simulate_transcriptome([f"ENSMUSG{i:011d}" for i in range(1, 61)], rng)
    genes = sorted(set(tx.transcripts["gene_id"]))
    annot = pd.DataFrame({"GeneID": range(20001, 20001 + len(genes)), "Symbol": genes,
                          "EnsemblGeneID": genes})
    world = FakeNcbi()
    series = "GSE000001"
    for accession in (series, "GSE000002"):
        world.add_series(accession)
    matrix = MATRIX.replace('"GSE1"', f'"{series}"').encode()
    world.serve_series(series, None, b"", matrix, counts_name="", annotation_name="x",
                       matrix_name=ncbi_files.series_matrix_filename(series),
                       folder="GSE000nnn")
    world.files["/gene/DATA/GENE_INFO/Mammalia/Mus_musculus.gene_info.gz"] = \
        demo_reads.gene_info_bytes(annot)
    world.files["/ensembl/cdna.fa.gz"] = demo_reads.fasta_bytes(tx)
    world.files["/ensembl/genes.gtf.gz"] = demo_reads.gtf_bytes(tx)
    ids = tx.transcripts["transcript_id"]
    fastqs = {}
    for run, paired in [("SRR101", False), ("SRR102", False), ("SRR103", False),
                        ("SRR104", True)]:
        truth = pd.Series(np.round(rng.lognormal(3.0, 1.0, len(ids))), index=ids.to_numpy())
        files = demo_reads.simulate_fastq(tx, truth, rng, run, paired=paired)
        names = [f"{run}_{m}.fastq.gz" for m in (1, 2)] if paired else [f"{run}.fastq.gz"]
        fastqs[run] = dict(zip(names, files))
        for name, data in fastqs[run].items():
            world.files[f"/vol1/fastq/{run[:6]}/00{run[-1]}/{run}/{name}"] = data
    # ENA answers each accession with its runs; this server answers every query with all
    # of them (painstress keeps the runs of the experiments the series names)
    samples = {"SRR101": ("SRX11", "GSM1"), "SRR102": ("SRX12", "GSM2"),
               "SRR103": ("SRX12", "GSM2"), "SRR104": ("SRX13", "GSM3")}
    def filereport(strategy_of_srr103="RNA-Seq"):
        return ("\n".join([ENA_HEADER] + [
            ena_row(run, *samples[run], "PAIRED" if run == "SRR104" else "SINGLE",
                    fastqs[run], strategy="RNA-Seq" if run != "SRR103" else strategy_of_srr103)
            for run in fastqs]) + "\n").encode()

    # first a study with a ChIP-Seq run: it stops at the run table, downloading nothing
    world.files["/ena/filereport"] = filereport("ChIP-Seq")
    config = yaml.safe_load((REPO_CONFIG / "demo_reads.yaml").read_text())
    with Server(world) as url:
        config.update(source="geo", study={"name": "ena", "organism": "Mus musculus"},
                      ncbi=ncbi_config(url),
                      datasets={"pain": {"geo": series, "counts": "reads"},
                                "stress": {"geo": "GSE000002", "counts": "ncbi"}})
        config["reads"] = {"ena_url": f"{url}/ena", "fastq_url": url, "threads": 1,
                           "reference": {"name": "test", "transcriptome":
                                         f"{url}/ensembl/cdna.fa.gz",
                                         "gtf": f"{url}/ensembl/genes.gtf.gz"}}
        configfile = tmp_path / "config.yaml"
        configfile.write_text(yaml.safe_dump(config, sort_keys=False))
        target = "results/ena/counts/pain/counts.tsv.gz"
        refused = snakemake(tmp_path, configfile, target)
        assert refused.returncode != 0
        assert "run SRR103 of sample GSM2 (SRX12): library strategy 'ChIP-Seq'" \
            in refused.output, refused.output[-3000:]
        assert not [r for r in world.requests if "/vol1/" in r or "/ensembl/" in r]
        world.files["/ena/filereport"] = filereport()
        done = snakemake(tmp_path, configfile, target)
        assert done.returncode == 0, done.output[-5000:]
        made = len(world.requests)
        again = snakemake(tmp_path, configfile, target)
        assert again.returncode == 0 and "Nothing to be done" in again.output
        assert len(world.requests) == made
    counts = pd.read_csv(tmp_path / target, sep="\t", index_col=0)
    assert list(counts.columns) == ["GSM1", "GSM2", "GSM3"]
    assert counts.index.min() >= 20001 and len(counts) == len(genes)
    qc = pd.read_csv(tmp_path / "results/ena/reads/pain/qc.tsv", sep="\t").set_index("run")
    assert qc.loc["SRR104", "library_type"] == "IU" and qc.loc["SRR101", "library_type"] == "U"
    assert counts["GSM2"].sum() == pytest.approx(qc.loc[["SRR102", "SRR103"], "mapped"].sum(),
                                                 rel=0.01)
    reference = tmp_path / "resources" / "reference" / "test"
    assert len(list(reference.glob("*.provenance.json"))) == 2
    assert not list((tmp_path / "resources" / "ena" / "fastq").glob("*.gz"))  # temporary


def test_fasterq_dump_output_gzipped_mates_only(tmp_path, monkeypatch):
    """fasterq-dump --split-3 names: <run>_1/_2.fastq for mates, <run>.fastq for reads
    without a mate (sra-tools' documentation); a stand-in program writes them here."""
    import os

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    tool = bin_dir / "fasterq-dump"
    tool.write_text('#!/bin/sh\nif [ "$1" = --version ]; then echo "fasterq-dump : 3.0.3"; '
                    'exit 0; fi\nout=$6; run=$9\n'
                    'for f in "${run}_1" "${run}_2" "$run"; do printf "@r\\nACGT\\n+\\nIIII\\n" '
                    '> "$out/$f.fastq"; done\n')
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    files = reads.fasterq_dump("SRR1", "PAIRED", tmp_path / "out", threads=1)
    assert [f.name for f in files] == ["SRR1_1.fastq.gz", "SRR1_2.fastq.gz"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "SRR1_1.fastq.gz", "SRR1_2.fastq.gz"]
    assert gzip.decompress(files[0].read_bytes()) == b"@r\nACGT\n+\nIIII\n"


def test_salmon_command_takes_a_single_path_as_snakemake_passes_it():
    """A named input of one file reaches the rule as that file's path (a str), not a list."""
    command = reads.salmon_quant_command("idx", "fastq/SRR1.fastq.gz", "out", 2)
    assert command[-2:] == ["-r", "fastq/SRR1.fastq.gz"]
    assert "--gcBias" not in command
    paired = reads.salmon_quant_command("idx", ["a_1.fq.gz", "a_2.fq.gz"], "out", 2)
    assert paired[-5:] == ["-1", "a_1.fq.gz", "-2", "a_2.fq.gz", "--gcBias"]


def test_conda_pins_are_the_versions_tested_here():
    """envs/salmon.yaml pins the salmon and fastp the tests run (Debian's, installed by
    ensure_salmon), envs/multiqc.yaml the MultiQC they install; bioconda itself is not
    reachable here, so whether it builds these versions is not checked."""
    import subprocess

    import yaml

    envs = REPO_CONFIG.parent / "envs"
    pins = dict(d.replace(" ", "").split("=") for d in
                yaml.safe_load((envs / "salmon.yaml").read_text())["dependencies"])
    assert set(pins) == {"salmon", "fastp"}
    for program in pins:
        ensure_salmon(program)
        done = subprocess.run([program, "--version"], capture_output=True, text=True)
        assert re.search(rf"\b{re.escape(pins[program])}\b", done.stdout + done.stderr), \
            (program, pins[program], done.stdout + done.stderr)
    multiqc = yaml.safe_load((envs / "multiqc.yaml").read_text())["dependencies"]
    assert multiqc == [MULTIQC.replace("==", " =")]
