"""A user's own counts: the tools' formats, sample tables, gene-ID mapping, bad input.

Fixtures: tests/data/count_files/ (README.md there says where each format comes from) and
the real GSE102556 re-analysis files in ../shared/fixtures/geo/real_counts_GSE102556_mouse_NAc/.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from painstress import InputError
from painstress.data import count_files, ncbi_files
from painstress.samples import infer_sample_sheet

DATA = Path(__file__).parent / "data" / "count_files"
RUNS = ["SRR5956385", "SRR5956386", "SRR5956387"]
BDNF, GAPDH, NR3C1 = 12064, 14433, 14815


@pytest.fixture(scope="module")
def gene_info():
    return ncbi_files.read_gene_info(DATA / "Mus_musculus.gene_info")


@pytest.fixture()
def real_counts(fixtures_dir):
    return fixtures_dir / "real_counts_GSE102556_mouse_NAc"


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


# ------------------------------------------------------------------ formats

def test_featurecounts_read_and_mapped(gene_info):
    """featureCounts output: comment line and six annotation columns dropped, BAM paths
    named by their run, versioned Ensembl IDs mapped to GeneIDs (one unknown gene left out)."""
    path = DATA / "featurecounts.txt"
    assert count_files.detect_format(path) == "featurecounts"
    counts, report = count_files.read_counts(path)
    assert report["format"] == "featurecounts"
    assert list(counts.columns) == RUNS
    assert counts.dtypes.unique().tolist() == [np.dtype("int64")]
    mapped, ids = count_files.map_to_gene_ids(counts, gene_info)
    assert ids["id_type"] == "ensembl"
    assert (ids["rows"], ids["mapped"], ids["genes"]) == (9, 8, 8)
    assert ids["examples"] == "ENSMUSG00000119584.1"
    assert mapped.index.name == "GeneID" and mapped.index.is_monotonic_increasing
    assert mapped.loc[BDNF].tolist() == [812, 790, 905]


def test_htseq_folder_and_glob_match_featurecounts(gene_info):
    """htseq-count files (folder or glob): the __ summary rows dropped and reported; the
    same counts as the featureCounts file of the same runs."""
    folder = DATA / "htseq"
    assert count_files.detect_format(folder) == "htseq"
    counts, report = count_files.read_counts(folder)
    assert list(counts.columns) == RUNS
    assert not counts.index.str.startswith("__").any()
    assert "__no_feature (7691760 reads)" in report["dropped"]
    by_glob, _ = count_files.read_counts(str(folder / "SRR*.counts.txt"), "htseq")
    pd.testing.assert_frame_equal(counts, by_glob)
    fc, _ = count_files.read_counts(DATA / "featurecounts.txt")
    mapped_fc = count_files.map_to_gene_ids(fc, gene_info)[0]
    pd.testing.assert_frame_equal(count_files.map_to_gene_ids(counts, gene_info)[0], mapped_fc)


def test_real_matrix_and_sra_run_table(real_counts):
    """A real genes x runs CSV (GeneIDs) and the series' real SRA Run Selector table: the
    table lists every run of the series, so the extra rows are named in one error; cut to
    the counted runs, its columns become the text the factor patterns search."""
    counts, report = count_files.read_counts(real_counts / "NA_Mouse_Overall_Mapped_Final.csv")
    assert report["format"] == "matrix" and counts.shape == (27179, 40)
    assert count_files.detect_id_type(counts.index) == "geneid"
    table = count_files.read_sample_table(real_counts / "GSE102556-SRA-Mouse-Metadata.txt", "Run")
    assert len(table) == 78 and table.loc["SRR5956337", "Phenotype"] == "Stress"
    with pytest.raises(InputError) as err:
        count_files.check_samples(list(counts.columns), table, "counts.csv", "runs.csv")
    message = str(err.value)
    assert "rows of runs.csv not in counts.csv: SRR5956337" in message
    assert "columns of counts.csv not in" not in message
    mine = table.loc[counts.columns]
    count_files.check_samples(list(counts.columns), mine, "counts.csv", "runs.csv")
    matrix = count_files.table_as_series_matrix(mine, "runs.csv")
    assert "Phenotype: Stress" in " ".join(matrix.samples["characteristics_ch1"])
    sheet = infer_sample_sheet(
        {"stress": matrix},
        {"region": {"NAc": "TISSUE: Nucleus accumbens|NAc"},
         "group": {"CUS": "Phenotype: Stress", "control": "Phenotype: CTRL"},
         "sex": {"male": "gender: male", "female": "gender: female"}},
        ["characteristics_ch1"])
    assert len(sheet) == 40 and set(sheet["group"]) == {"CUS", "control"}
    assert set(sheet["sex"]) == {"male", "female"}


def test_matrix_with_symbol_column(tmp_path, gene_info):
    """A TSV with a symbol column: the text column set aside, symbols mapped (official,
    then a synonym of one gene), two rows of one gene summed, the rate reported."""
    path = write(tmp_path / "m.tsv", "gene\tsymbol\tA\tB\n"
                 "Bdnf\tBdnf\t5\t6\nGrl1\tNr3c1\t1\t2\nNr3c1\tNr3c1\t10\t20\n"
                 "Gapdh\tGapdh\t100\t200\nNotAGene\tx\t3\t3\n")
    counts, _ = count_files.read_counts(path)
    assert list(counts.columns) == ["A", "B"]
    mapped, ids = count_files.map_to_gene_ids(counts, gene_info)
    assert ids["id_type"] == "symbol" and ids["mapped"] == 4 and ids["summed"] == 1
    assert ids["rate"] == 0.8
    assert mapped.loc[NR3C1].tolist() == [11, 22]


def test_salmon_and_kallisto_length_scaled_tpm():
    """salmon quant.sf and kallisto abundance.tsv through tximport's lengthScaledTPM, against
    the arithmetic done by hand (tests/data/count_files/README.md): gene length = TPM-weighted
    mean effective length, averaged over samples; counts = TPM x that length, rescaled to
    each sample's estimated reads; rounded for DESeq2."""
    tx2gene = count_files.read_tx2gene(DATA / "tx2gene.tsv")
    from painstress.data import transcripts

    exact = transcripts.gene_counts_from_quant(
        {"S1": DATA / "salmon/S1/quant.sf", "S2": DATA / "salmon/S2/quant.sf"}, tx2gene)
    expected = {"S1": [275000 * 725 / 1475000, 1200000 * 725 / 1475000],
                "S2": [275000 * 750 / 1475000, 1200000 * 750 / 1475000]}
    genes = ["ENSMUSG00000048482", "ENSMUSG00000057666"]
    for sample, values in expected.items():
        assert exact.loc[genes, sample].tolist() == pytest.approx(values, rel=1e-6)
    for kind in ("salmon", "kallisto"):
        assert count_files.detect_format(DATA / kind) == kind
        counts, report = count_files.read_counts(DATA / kind, tx2gene=tx2gene)
        assert report["format"] == kind
        assert counts.loc[genes].to_numpy().tolist() == [[135, 140], [590, 610]]


# ------------------------------------------------------------------ bad input

@pytest.mark.parametrize("text, expected", [
    ("gene\tA\tB\nBdnf\t1\t2\nBdnf\t3\t4\n", "gene ID 'Bdnf' appears more than once"),
    ("gene\tA\tA\nBdnf\t1\t2\n", "sample column(s) A appear more than once"),
    ("gene\tA\tB\nBdnf\t1\t-2\n", "gene Bdnf, sample B: '-2' is negative"),
    ("gene\tA\tB\nBdnf\t1.5\t2.25\nFos\t3\t4.1\n", "DESeq2 needs raw read counts"),
    ("gene\tA\tB\nBdnf\t1\tNA\nFos\t3\t4\n", "'NA' is not a number"),
    ("gene\tA b\tB\nBdnf\t1\t2\n", "are not plain names"),
    ("<!DOCTYPE html><html><body>Error</body></html>\n", "is an HTML page"),
])
def test_bad_count_files(tmp_path, text, expected):
    path = write(tmp_path / "counts.tsv", text)
    with pytest.raises(InputError) as err:
        count_files.read_counts(path)
    assert str(path) in str(err.value) and expected in str(err.value)


def test_fractional_refusal_says_why(tmp_path):
    path = write(tmp_path / "fpkm.csv", "gene,A,B\nBdnf,12.31,10.2\nFos,0.5,3\n")
    with pytest.raises(InputError, match="FPKM, TPM or otherwise normalised"):
        count_files.read_counts(path)


def test_another_organisms_ids(gene_info):
    """Human Ensembl IDs or human symbols in a mouse dataset: stopped, saying whose IDs."""
    human = pd.DataFrame({"A": [1, 2, 3]}, index=["ENSG00000176697.20", "ENSG00000111640.15",
                                                  "ENSG00000113580.16"])
    with pytest.raises(InputError, match="Homo sapiens Ensembl IDs"):
        count_files.map_to_gene_ids(human, gene_info, source="h.tsv")
    symbols = pd.DataFrame({"A": [1, 2, 3]}, index=["BDNF", "GAPDH", "NR3C1"])
    with pytest.raises(InputError, match="only 0 of 3 gene IDs .* human symbols"):
        count_files.map_to_gene_ids(symbols, gene_info, source="h.tsv")


def test_transcript_ids_refused(gene_info):
    counts = pd.DataFrame({"A": [1, 2]}, index=["ENSMUST00000000001.1", "ENSMUST00000000002.1"])
    with pytest.raises(InputError, match="Ensembl transcript IDs"):
        count_files.map_to_gene_ids(counts, gene_info)


def test_symbols_need_gene_info():
    counts = pd.DataFrame({"A": [1]}, index=["Bdnf"])
    with pytest.raises(InputError, match="Mus_musculus.gene_info.gz"):
        count_files.map_to_gene_ids(counts, None, source="x.tsv")
    ids = pd.DataFrame({"A": [1, 2]}, index=["12064", "14433"])
    mapped, report = count_files.map_to_gene_ids(ids, None)
    assert mapped.index.tolist() == [BDNF, GAPDH] and report["rate"] == 1.0


def test_sample_table_problems(tmp_path):
    table = write(tmp_path / "runs.csv", "Run,Phenotype\nSRR1,Stress\nSRR2,Control\n")
    with pytest.raises(InputError, match=r"runs.csv: has no column 'Sample'.*Run, Phenotype"):
        count_files.read_sample_table(table, "Sample")
    twice = write(tmp_path / "twice.tsv", "Run\tPhenotype\nSRR1\tStress\nSRR1\tControl\n")
    with pytest.raises(InputError, match="'SRR1' is listed more than once"):
        count_files.read_sample_table(twice, "Run")
    page = write(tmp_path / "SraRunTable.csv", "<html><body>Too many requests</body></html>\n")
    with pytest.raises(InputError, match="SraRunTable.csv: is an HTML page"):
        count_files.read_sample_table(page, "Run")
    runs = count_files.read_sample_table(table, "Run")
    with pytest.raises(InputError) as err:
        count_files.check_samples(["SRR1", "SRR3"], runs, "c.tsv", "runs.csv")
    assert "columns of c.tsv not in runs.csv: SRR3" in str(err.value)
    assert "rows of runs.csv not in c.tsv: SRR2" in str(err.value)


def test_finish_writes_ncbi_layout(tmp_path, gene_info):
    """The common tail: NCBI's counts layout (GeneID + sample columns) that the sample sheet
    and DE read, an annotation with symbols, and the source row for the methods."""
    counts, report = count_files.read_counts(DATA / "featurecounts.txt")
    samples = pd.DataFrame({"Phenotype": ["Stress", "Control", "Stress"]},
                           index=pd.Index(RUNS, name="Run"))
    mapped, annotation, row = count_files.finish(
        counts, report, dataset="stress", source="file", gene_info=gene_info,
        organism="Mus musculus", counts_source="featurecounts.txt", samples=samples,
        samples_source="runs.csv")
    from painstress.files import write_tsv

    write_tsv(mapped, tmp_path / "counts.tsv.gz", index=True)
    write_tsv(annotation, tmp_path / "annotation.tsv.gz")
    again = ncbi_files.read_ncbi_counts(tmp_path / "counts.tsv.gz")
    pd.testing.assert_frame_equal(again, mapped)
    symbols = ncbi_files.read_annotation(tmp_path / "annotation.tsv.gz")["Symbol"]
    assert symbols[BDNF] == "Bdnf"
    assert row["mapping_rate"] == round(8 / 9, 4) and row["format"] == "featurecounts"
    assert len(row["sha256"]) == 16
    with pytest.raises(InputError, match="do not list the same samples"):
        count_files.finish(counts, report, dataset="stress", source="file",
                           gene_info=gene_info, organism="Mus musculus",
                           counts_source="featurecounts.txt", samples=samples.iloc[:2],
                           samples_source="runs.csv")


# ------------------------------------------------------------------ config

def _config_error(config: dict) -> str:
    import yaml  # noqa: F401

    from painstress.config import validate_config

    with pytest.raises(InputError) as err:
        validate_config(config, source="my.yaml")
    return str(err.value)


@pytest.fixture
def demo_config() -> dict:
    import yaml

    from conftest import REPO

    return yaml.safe_load((REPO / "config" / "demo.yaml").read_text())


def test_config_counts_and_metadata(demo_config, tmp_path, monkeypatch):
    """counts/metadata keys: defaults, the schema's choices, files that must exist, what a
    format needs; a dataset of own counts and a sample table needs no GEO series."""
    from conftest import REPO
    from painstress.config import validate_config

    schema = REPO / "src/painstress/schemas/config.schema.yaml"
    assert validate_config(demo_config, schema)["datasets"]["pain"]["counts"] == "auto"
    demo_config["datasets"]["pain"]["counts"] = "geo"
    assert "key 'datasets.pain.counts' = 'geo': give auto, ncbi, supplementary" in \
        _config_error(demo_config)
    demo_config["datasets"]["pain"]["counts"] = {"file": "c.txt", "format": "bam"}
    assert "'bam' is not one of ['auto', 'featurecounts'" in _config_error(demo_config)
    monkeypatch.chdir(tmp_path)
    demo_config["datasets"]["pain"]["counts"] = {"file": "missing.txt"}
    message = _config_error(demo_config)
    assert "datasets.pain.counts.file: missing.txt does not exist" in message
    write(tmp_path / "c.txt", "gene\tA\nBdnf\t1\n")
    demo_config["datasets"]["pain"] = {"counts": {"file": "c.txt", "format": "salmon"}}
    message = _config_error(demo_config)
    assert "salmon output needs tx2gene" in message
    assert "need a sample table (datasets.pain.metadata" in message
    demo_config["datasets"]["pain"]["metadata"] = {"file": "runs.csv"}
    assert "key 'datasets.pain.metadata.id_column' is missing" in _config_error(demo_config)
    demo_config["datasets"]["pain"]["counts"]["format"] = "auto"
    demo_config["datasets"]["pain"]["metadata"]["id_column"] = "Run"
    assert "datasets.pain.metadata.file: runs.csv does not exist" in _config_error(demo_config)
    write(tmp_path / "runs.csv", "Run\nA\n")
    demo_config["source"] = "geo"
    demo_config["datasets"]["stress"]["counts"] = "supplementary"
    config = validate_config(demo_config, schema)
    assert "geo" not in config["datasets"]["pain"]


# ------------------------------------------------------------------ whole workflow

def _own_counts_of_demo(folder: Path, ids: str = "ensembl") -> dict:
    """The CI demo's stress series as a user would hold it: a featureCounts file (versioned
    Ensembl IDs, BAM paths as columns, runs named SRR…) and an SRA-Run-Selector-like CSV; and
    NCBI Gene's Mus_musculus.gene_info.gz linking those Ensembl IDs to the demo's GeneIDs."""
    import gzip

    from conftest import SMALL
    from painstress.demo import simulate

    study = simulate.simulate_study(SMALL)
    genes = study["genes"]
    ensembl = [f"ENSMUSG{i:011d}" for i in range(1, len(genes) + 1)]  # as the demo annotates
    samples = study["samples"][study["samples"]["model"] == "stress"]
    runs = [f"SRR{9000000 + i}" for i in range(len(samples))]
    counts = study["counts"][samples["sample"]]
    lines = ['# Program:featureCounts v2.0.6; Command:"featureCounts" "-a" "genes.gtf" "-o" '
             '"counts.txt" ' + " ".join(f'"bam/{r}.bam"' for r in runs),
             "\t".join(["Geneid", "Chr", "Start", "End", "Strand", "Length",
                        *[f"bam/{r}.bam" for r in runs]])]
    for i, (_, row) in enumerate(counts.iterrows()):
        gene = f"{ensembl[i]}.3" if ids == "ensembl" else str(genes["GeneID"].iloc[i])
        lines.append("\t".join([gene, "1", "1000", "2000", "+", "1001",
                                *map(str, row)]))
    fc = folder / "featurecounts.txt"
    fc.write_text("\n".join(lines) + "\n")
    spelling = simulate.MODELS["stress"][2]
    table = pd.DataFrame({"Run": runs, "brain region": samples["region"].to_numpy(),
                          "stress": [spelling[g] for g in samples["group"]],
                          "Sample Name": samples["sample"].to_numpy()})
    table.to_csv(folder / "SraRunTable.csv", index=False)
    info = pd.DataFrame({"#tax_id": 10090, "GeneID": genes["GeneID"], "Symbol": genes["Symbol"],
                         "LocusTag": "-", "Synonyms": "-",
                         "dbXrefs": [f"Ensembl:{e}" for e in ensembl],
                         "chromosome": "1", "map_location": "-",
                         "description": "simulated gene (painstress demo study)"})
    gene_info = folder / "resources" / "ci" / "ncbi_gene" / "Mus_musculus.gene_info.gz"
    gene_info.parent.mkdir(parents=True)
    gene_info.write_bytes(gzip.compress(info.to_csv(sep="\t", index=False).encode()))
    return {"counts": fc, "metadata": folder / "SraRunTable.csv", "runs": runs,
            "gsms": list(samples["sample"])}


@pytest.mark.workflow
def test_workflow_own_counts_reach_the_ncbi_route_de_tables(ci_run, tmp_path):
    """The demo's stress dataset given as a featureCounts file plus a sample table (no
    series matrix read for it) gives the same DE tables as its NCBI counts (those of the
    session's demo run, conftest.ci_run); datasets.tsv and counts/sources.tsv say where the
    counts came from and how the IDs mapped."""
    from conftest import snakemake, write_config

    regions = ["NAc", "mPFC", "PAG"]
    targets = [f"results/ci/de/{r}/CUS_vs_control.tsv" for r in regions]
    ncbi_dir, own_dir = ci_run[0], tmp_path / "own"
    own_dir.mkdir()
    own = _own_counts_of_demo(own_dir)
    config = write_config(own_dir)
    import yaml

    settings = yaml.safe_load(config.read_text())
    settings["datasets"]["stress"].update(
        counts={"file": "featurecounts.txt", "format": "auto"},
        metadata={"file": "SraRunTable.csv", "id_column": "Run"})
    config.write_text(yaml.safe_dump(settings, sort_keys=False))
    done = snakemake(own_dir, config, *targets, "results/ci/counts/sources.tsv")
    assert done.returncode == 0, done.output[-5000:]
    for target in targets:
        pd.testing.assert_frame_equal(pd.read_csv(own_dir / target, sep="\t"),
                                      pd.read_csv(ncbi_dir / target, sep="\t"))
    datasets = pd.read_csv(own_dir / "results/ci/datasets.tsv", sep="\t")
    assert dict(zip(datasets["dataset"], datasets["counts"])) == {"pain": "ncbi",
                                                                   "stress": "file"}
    sources = pd.read_csv(own_dir / "results/ci/counts/sources.tsv", sep="\t").set_index(
        "dataset")
    assert sources.loc["stress", "format"] == "featurecounts"
    assert sources.loc["stress", "id_type"] == "ensembl"
    assert sources.loc["stress", "mapping_rate"] == 1.0
    sheet = pd.read_csv(own_dir / "results/ci/samples.tsv", sep="\t")
    assert sorted(sheet.loc[sheet["dataset"] == "stress", "sample"]) == sorted(own["runs"])


@pytest.mark.workflow
def test_workflow_own_counts_without_series_offline(demo_study, tmp_path):
    """A dataset given as a count file (GeneIDs) and a sample table, without a GEO accession,
    offline and without NCBI Gene's table: its DE runs; the log says once that symbols stay
    empty; datasets.tsv gives it no series."""
    import shutil

    import yaml

    from conftest import copy_demo_study, snakemake, write_config

    _own_counts_of_demo(tmp_path, ids="geneid")
    shutil.rmtree(tmp_path / "resources")  # no Mus_musculus.gene_info.gz
    copy_demo_study(demo_study, tmp_path)
    config = write_config(tmp_path)
    settings = yaml.safe_load(config.read_text())
    settings.update(source="geo", offline=True, signatures={"sets": []},
                    pathways={"collections": []})
    settings["datasets"] = {
        "pain": {"geo": "GSE000001"},
        "stress": {"counts": {"file": "featurecounts.txt"},
                   "metadata": {"file": "SraRunTable.csv", "id_column": "Run"}}}
    config.write_text(yaml.safe_dump(settings, sort_keys=False))
    done = snakemake(tmp_path, config, "results/ci/de/NAc/CUS_vs_control.tsv",
                     "results/ci/counts/sources.tsv")
    assert done.returncode == 0, done.output[-5000:]
    results = tmp_path / "results" / "ci"
    assert (results / "de/NAc/CUS_vs_control.tsv").is_file()
    datasets = pd.read_csv(results / "datasets.tsv", sep="\t", keep_default_na=False)
    stress = datasets[datasets["dataset"] == "stress"].iloc[0]
    assert (stress["series"], stress["counts"]) == ("", "file")
    log = (results / "logs/counts/stress.log").read_text()
    assert log.count("gene symbols stay empty") == 1
    sources = pd.read_csv(results / "counts/sources.tsv", sep="\t").set_index("dataset")
    assert sources.loc["stress", "notes"] == "no gene annotation: symbols left empty"
