"""The authors' GEO supplementary files as counts, served by a GEO on 127.0.0.1.

The series matrix is written in GEO's layout (as ../shared/fixtures/geo/series_matrix/
GSE99709_series_matrix.txt.gz: !Series_supplementary_file, !Sample_relation SRA lines);
the suppl/ folder, its filelist.txt (tests/data/supplementary/) and _RAW.tar in GEO's naming
(members GSMnnnn_<name>). README.md in tests/data/supplementary/ says where each came from.
"""
from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

import pandas as pd
import pytest

from geo_server import FakeNcbi, Server, ncbi_config
from painstress import InputError
from painstress.data import ncbi_fetch, ncbi_files, supplementary

SERIES, FOLDER = "GSE9001", "GSE9nnn"
GSMS = [f"GSM900000{i}" for i in range(1, 5)]
TITLES = ["NAc_ctrl_1", "NAc_ctrl_2", "NAc_cus_1", "NAc_cus_2"]
SRXS = [f"SRX300000{i}" for i in range(1, 5)]
GENES = ["Bdnf", "Fos", "Gapdh", "Nr3c1"]
COUNTS = [[812, 790, 905, 833], [95, 132, 88, 120], [20811, 19950, 22107, 20005],
          [1470, 1388, 1529, 1402]]
DATA = Path(__file__).parent / "data" / "supplementary"


def quoted(values) -> str:
    return "\t".join(f'"{v}"' for v in values)


def series_matrix(files: list[str]) -> bytes:
    suppl = [f"ftp://ftp.ncbi.nlm.nih.gov/geo/series/{FOLDER}/{SERIES}/suppl/{f}"
             for f in files] or ["NONE"]
    lines = ['!Series_title\t"Supplementary-only series"',
             f'!Series_geo_accession\t"{SERIES}"',
             *[f'!Series_supplementary_file\t"{u}"' for u in suppl], "",
             f"!Sample_title\t{quoted(TITLES)}",
             f"!Sample_geo_accession\t{quoted(GSMS)}",
             f"!Sample_characteristics_ch1\t{quoted(['tissue: NAc'] * 4)}",
             "!Sample_relation\t" + quoted(f"BioSample: https://www.ncbi.nlm.nih.gov/biosample/"
                                           f"SAMN0{i}" for i in range(4)),
             "!Sample_relation\t" + quoted(f"SRA: https://www.ncbi.nlm.nih.gov/sra?term={s}"
                                           for s in SRXS),
             "!series_matrix_table_begin", f'"ID_REF"\t{quoted(GSMS)}',
             "!series_matrix_table_end", ""]
    return gzip.compress("\n".join(lines).encode())


def table(columns, values=COUNTS, sep=",", genes=GENES) -> bytes:
    text = sep.join(["gene", *columns]) + "\n" + "".join(
        sep.join([g, *map(str, row)]) + "\n" for g, row in zip(genes, values))
    return gzip.compress(text.encode())


def raw_tar() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for j, (gsm, title) in enumerate(zip(GSMS, TITLES)):
            text = "".join(f"{g}\t{row[j]}\n" for g, row in zip(GENES, COUNTS))
            text += "__no_feature\t1000\n__ambiguous\t20\n"
            data = gzip.compress(text.encode())
            info = tarfile.TarInfo(f"{gsm}_{title}.counts.txt.gz")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def serve(world: FakeNcbi, files: dict[str, bytes]) -> None:
    world.serve_series(SERIES, None, b"", series_matrix(list(files)), counts_name="",
                       annotation_name="", matrix_name=f"{SERIES}_series_matrix.txt.gz",
                       folder=FOLDER)
    world.serve_supplementary(SERIES, FOLDER, files)


def choose(world: FakeNcbi, tmp_path: Path, files: dict[str, bytes]):
    serve(world, files)
    with Server(world) as url:
        client, endpoints = ncbi_fetch.connect(ncbi_config(url))
        tmp_path.mkdir(exist_ok=True)
        matrix_path = tmp_path / f"{SERIES}_series_matrix.txt.gz"
        matrix_path.write_bytes(series_matrix(list(files)))
        matrix = ncbi_files.read_series_matrix(matrix_path)
        return supplementary.choose(client, endpoints, matrix, tmp_path / "suppl")


def test_matrix_file_chosen_among_normalised_and_spreadsheet(tmp_path):
    """A raw-count matrix named by sample titles is chosen; an FPKM table and a spreadsheet
    are refused, each with its reason; the columns become the series' GSMs."""
    fpkm = [[v / 7.3 for v in row] for row in COUNTS]
    counts, choice = choose(FakeNcbi(), tmp_path, {
        f"{SERIES}_fpkm.txt.gz": table(TITLES, fpkm, sep="\t"),
        f"{SERIES}_counts.csv.gz": table(TITLES),
        f"{SERIES}_DE_genes.xlsx": b"PK\x03\x04 not read",
    })
    assert list(counts.columns) == GSMS
    assert counts.loc["Gapdh"].tolist() == COUNTS[2]
    choice = choice.set_index("file")
    assert choice["chosen"].tolist() == [False, True, False]
    assert "not a whole number" in choice.loc[f"{SERIES}_fpkm.txt.gz", "reason"]
    assert "not a table" in choice.loc[f"{SERIES}_DE_genes.xlsx", "reason"]
    assert (tmp_path / "suppl" / f"{SERIES}_counts.csv.gz.provenance.json").is_file()


def test_raw_tar_of_per_sample_files(tmp_path):
    """_RAW.tar of htseq-count files, one per GSM (GEO's member names), with filelist.txt."""
    counts, choice = choose(FakeNcbi(), tmp_path, {
        f"{SERIES}_RAW.tar": raw_tar(), "filelist.txt": (DATA / "filelist.txt").read_bytes()})
    assert list(counts.columns) == GSMS
    assert counts.loc["Nr3c1"].tolist() == COUNTS[3]
    assert "__no_feature" not in counts.index
    assert choice.loc[choice["chosen"], "format"].iloc[0] == "htseq files in _RAW.tar"


def test_filelist_without_tables_spares_the_tar(tmp_path):
    """filelist.txt lists only BAM-like files in _RAW.tar: the tar is not downloaded."""
    world = FakeNcbi()
    listing = "#Archive/File\tName\tTime\tSize\tType\nArchive\tGSE9001_RAW.tar\t-\t1\tTAR\n" \
              "File\tGSM9000001_a.bw\t-\t1\tBW\n"
    with pytest.raises(InputError, match="filelist.txt lists no count tables"):
        choose(world, tmp_path, {f"{SERIES}_RAW.tar": raw_tar(),
                                 "filelist.txt": listing.encode()})
    assert world.count(f"{SERIES}_RAW.tar") == 0


def test_columns_by_sra_experiment_and_most_samples_wins(tmp_path):
    """Columns named by SRA experiment map through !Sample_relation; of two raw matrices the
    one covering more of the series' samples is chosen (the documented rule)."""
    counts, choice = choose(FakeNcbi(), tmp_path, {
        "GSE9001_a_subset_counts.txt.gz": table(GSMS[:3], [r[:3] for r in COUNTS], sep="\t"),
        "GSE9001_b_all.txt.gz": table(SRXS, sep="\t"),
    })
    assert list(counts.columns) == GSMS
    assert choice.set_index("file").loc["GSE9001_b_all.txt.gz", "chosen"]


def test_normalised_only_series_is_refused(tmp_path):
    with pytest.raises(InputError) as err:
        choose(FakeNcbi(), tmp_path, {
            f"{SERIES}_TPM.txt.gz": table(TITLES, [[v / 3.1 for v in r] for r in COUNTS])})
    message = str(err.value)
    assert "no supplementary file holds raw counts" in message
    assert f"{SERIES}_TPM.txt.gz: " in message and "DESeq2 needs raw read counts" in message


def test_series_without_counts(tmp_path):
    with pytest.raises(InputError, match=r"(?s)no supplementary file.*\.xlsx: not a table"):
        choose(FakeNcbi(), tmp_path, {f"{SERIES}_results.xlsx": b"PK\x03\x04"})
    with pytest.raises(InputError, match="no supplementary files listed"):
        choose(FakeNcbi(), tmp_path / "none", {})


def test_columns_that_are_not_the_series_samples(tmp_path):
    with pytest.raises(InputError, match="column 'sample_9' is not a sample of GSE9001"):
        choose(FakeNcbi(), tmp_path, {"GSE9001_counts.csv.gz": table(
            [*TITLES[:3], "sample_9"])})


def test_filelist_reader():
    listed = supplementary.read_filelist(DATA / "filelist.txt")
    assert listed["kind"].tolist() == ["Archive"] + ["File"] * 4
    assert listed.loc[1, "name"] == "GSM9000001_NAc_ctrl_1.counts.txt.gz"


def test_auto_takes_ncbi_counts_when_the_series_has_them():
    """counts: auto -> ncbi when GEO's download page links NCBI-computed counts, else
    supplementary; a file dataset without a series gets its own row."""
    world = FakeNcbi()
    world.serve_series("GSE1", b"x", b"", b"", counts_name="GSE1_raw_counts_GRCm39_NCBI.tsv.gz",
                       annotation_name="Mouse.GRCm39.annot.tsv.gz", matrix_name="m",
                       folder="GSEnnn")
    world.serve_series("GSE2", None, b"", b"", counts_name="", annotation_name="",
                       matrix_name="m", folder="GSEnnn")
    chosen = pd.DataFrame({"dataset": ["pain", "stress"], "series": ["GSE1", "GSE2"],
                           "platform": "", "organism": "Mus musculus", "how": "pinned"})
    datasets = {"pain": {"counts": "auto"}, "stress": {"counts": "auto"},
                "mine": {"counts": {"file": "c.tsv"}, "metadata": {"file": "m.csv",
                                                                  "id_column": "Run"}}}
    with Server(world) as url:
        client, endpoints = ncbi_fetch.connect(ncbi_config(url))
        table = supplementary.with_count_sources(chosen, datasets, "Mus musculus", client,
                                                 endpoints)
    assert dict(zip(table["dataset"], table["counts"])) == {
        "pain": "ncbi", "stress": "supplementary", "mine": "file"}
    assert table.loc[table["dataset"] == "mine", "series"].item() == ""
    offline = supplementary.with_count_sources(chosen, datasets, "Mus musculus")
    assert offline["counts"].tolist() == ["ncbi", "ncbi", "file"]


@pytest.mark.workflow
def test_workflow_auto_falls_back_to_supplementary(demo_study, small_study, tmp_path,
                                                   fixtures_dir):
    """counts: auto on a GEO (127.0.0.1) where the stress series has no NCBI counts but a
    supplementary matrix (sample titles as columns, gene symbols as IDs): the run takes it,
    maps the symbols with NCBI Gene's Mus_musculus.gene_info.gz, and ends with the same
    counts as NCBI's; datasets.tsv, counts/sources.tsv and the choice table say so."""
    import yaml

    from conftest import snakemake, write_config

    study = demo_study  # served from here, never changed
    genes = small_study["genes"]
    truth = ncbi_files.read_ncbi_counts(study["stress_counts"])
    titles = ncbi_files.read_series_matrix(study["stress_series_matrix"]).samples["title"]
    world = FakeNcbi()
    for model, series in (("pain", "GSE000001"), ("stress", "GSE000002")):
        world.add_series(series)
        world.serve_series(series, study["pain_counts"].read_bytes() if model == "pain" else None,
                           study[f"{model}_annotation"].read_bytes(),
                           study[f"{model}_series_matrix"].read_bytes(),
                           counts_name=ncbi_files.counts_filename(series),
                           annotation_name=ncbi_files.annotation_filename(),
                           matrix_name=ncbi_files.series_matrix_filename(series),
                           folder="GSE000nnn")
    by_symbol = truth.rename(index=dict(zip(genes["GeneID"], genes["Symbol"]))).rename(
        columns=titles.to_dict())
    world.serve_supplementary("GSE000002", "GSE000nnn", {
        "GSE000002_raw_counts.txt.gz": gzip.compress(by_symbol.to_csv(sep="\t").encode())})
    info = pd.DataFrame({"#tax_id": 10090, "GeneID": genes["GeneID"], "Symbol": genes["Symbol"],
                         "LocusTag": "-", "Synonyms": "-", "dbXrefs": "-", "chromosome": "1",
                         "map_location": "-", "description": "simulated gene"})
    world.files["/gene/DATA/GENE_INFO/Mammalia/Mus_musculus.gene_info.gz"] = gzip.compress(
        info.to_csv(sep="\t", index=False).encode())
    with Server(world) as url:
        config = write_config(tmp_path)
        settings = yaml.safe_load(config.read_text())
        settings.update(source="geo", ncbi=ncbi_config(url))
        for name in ("pain", "stress"):
            settings["datasets"][name]["pmid"] = None
        config.write_text(yaml.safe_dump(settings, sort_keys=False))
        done = snakemake(tmp_path, config, "results/ci/counts/sources.tsv",
                         "results/ci/samples.tsv")
    assert done.returncode == 0, done.output[-5000:]
    results = tmp_path / "results" / "ci"
    datasets = pd.read_csv(results / "datasets.tsv", sep="\t")
    assert dict(zip(datasets["dataset"], datasets["counts"])) == {"pain": "ncbi",
                                                                   "stress": "supplementary"}
    counts = ncbi_files.read_ncbi_counts(results / "counts" / "stress" / "counts.tsv.gz")
    pd.testing.assert_frame_equal(counts, truth)
    sources = pd.read_csv(results / "counts" / "sources.tsv", sep="\t").set_index("dataset")
    assert sources.loc["stress", "id_type"] == "symbol"
    assert sources.loc["stress", "files"] == "GSE000002_raw_counts.txt.gz"
    choice = pd.read_csv(results / "counts" / "stress" / "supplementary.tsv", sep="\t")
    assert choice["chosen"].tolist() == [True]
    provenance = tmp_path / "resources/ci/GSE000002/suppl/GSE000002_raw_counts.txt.gz" \
        ".provenance.json"
    assert provenance.is_file()
