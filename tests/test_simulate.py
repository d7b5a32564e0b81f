"""The demo generator: deterministic bytes, the real study's design, planted truth."""
import hashlib
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from conftest import SMALL, demo_study_folder
from painstress import InputError
from painstress.data import ncbi_files
from painstress.demo import simulate
from painstress.demo.recovery import score_recovery


def _digests(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_parameters_same_bytes(demo_study, tmp_path):
    a, folder = demo_study, demo_study_folder(demo_study)  # the same call, made by conftest
    simulate.write_demo_study(tmp_path / "b", "GSE000001", "GSE000002", SMALL)
    assert _digests(folder) == _digests(tmp_path / "b")
    assert len(_digests(folder)) == len(a) == 24  # 15 study files, 9 gene-set ones
    other = simulate.DemoParameters(**{**SMALL.__dict__, "seed": SMALL.seed + 1})
    simulate.write_demo_study(tmp_path / "c", "GSE000001", "GSE000002", other)
    assert _digests(folder) != _digests(tmp_path / "c")


def test_files_are_in_geo_formats_and_agree(demo_study):
    paths = demo_study  # simulate.write_demo_study(..., SMALL), written once (conftest)
    for model, series in (("pain", "GSE000001"), ("stress", "GSE000002")):
        counts = ncbi_files.read_ncbi_counts(paths[f"{model}_counts"])
        matrix = ncbi_files.read_series_matrix(paths[f"{model}_series_matrix"])
        assert paths[f"{model}_counts"].name == f"{series}_raw_counts_GRCm39_NCBI.tsv.gz"
        assert matrix.accession == series
        assert list(counts.columns) == list(matrix.samples.index)
        assert matrix.series["type"] == ["Expression profiling by high throughput sequencing"]
        annotation = ncbi_files.read_annotation(paths[f"{model}_annotation"])
        assert set(counts.index) == set(annotation.index)
        assert annotation["Symbol"].is_unique


def test_design_matches_the_real_study():
    """Default demo: 3 regions x 4 groups, 5-6 mice per group, >= 15,000 genes."""
    study = simulate.simulate_study(simulate.DemoParameters())
    samples = study["samples"]
    assert study["counts"].shape[0] >= 15_000
    per_group = samples.groupby(["region", "group"]).size()
    assert len(per_group) == 12
    assert per_group.between(5, 6).all()
    # each mouse gives one sample per region
    assert (samples.groupby("mouse")["region"].nunique() == 3).all()
    library = study["counts"].sum()
    assert 1.5 < library.max() / library.min() < 3.0  # +-40 % size factors


def test_mean_dispersion_relationship(small_study):
    """Method-of-moments dispersion falls with the mean, towards ~0.03 for high counts."""
    samples = small_study["samples"]
    cols = samples[(samples.region == "NAc") & (samples.group == "sham")]["sample"]
    counts = small_study["counts"][cols]
    normalised = counts / (counts.sum() / counts.sum().mean())
    mean, var = normalised.mean(axis=1), normalised.var(axis=1)
    dispersion = (var - mean) / mean**2
    high = dispersion[mean > 1000].median()
    low = dispersion[(mean > 5) & (mean < 20)].median()
    assert 0.01 < high < 0.1
    assert low > 2 * high


def test_planted_truth(small_study):
    shared, de_truth = small_study["shared_truth"], small_study["de_truth"]
    assert shared["GeneID"].nunique() == SMALL.shared_genes
    assert (np.sign(shared["log2FC_pain"]) == np.sign(shared["log2FC_stress"])).all()
    assert set(shared["direction"]) == {"up", "down"}
    assert set(shared["region"]) == {"NAc", "mPFC", "PAG"}
    only = de_truth.merge(shared[["region", "GeneID"]], how="left", indicator=True)
    only = only[only["_merge"] == "left_only"]
    assert only["log2FC"].abs().between(0.3, 1.5).all()
    # regions differ: pain-only DE sets barely overlap between regions
    sets = [set(only[(only.region == r) & (only.model == "pain")]["GeneID"])
            for r in ("NAc", "mPFC", "PAG")]
    assert len(sets[0] & sets[1]) < 0.2 * len(sets[0])


def test_score_recovery_by_hand():
    truth = pd.DataFrame({"region": ["A", "A", "B"], "GeneID": [1, 2, 3],
                          "direction": ["up", "down", "up"]})
    found = pd.DataFrame({"region": ["A", "A", "B"], "GeneID": [1, 2, 4],
                          "direction": ["up", "up", "up"]})  # gene 2 in the wrong direction
    score = score_recovery(truth, found)
    assert score["true_positives"] == 1
    assert score["precision"] == pytest.approx(1 / 3)
    assert score["recall"] == pytest.approx(1 / 3)


def test_mouse_like_symbols_are_unique():
    symbols = simulate.mouse_like_symbols(5000, np.random.default_rng(1))
    assert len(set(symbols)) == 5000
    assert all(s[0].isupper() or s[0].isdigit() for s in symbols)


def test_demo_signatures_plant_what_they_say(demo_study):
    """Signature genes of role 'shared' are planted shared genes with the file's direction;
    'unchanged' genes are DE in neither model; orthologs are human-anchored NCBI rows."""
    paths = demo_study  # simulate.write_demo_study(..., SMALL), written once (conftest)
    truth = pd.read_csv(paths["truth_signatures"], sep="\t")
    shared = pd.read_csv(paths["shared_truth"], sep="\t")
    de = pd.read_csv(paths["de_truth"], sep="\t")
    roles = truth.groupby(["signature", "role"]).size().to_dict()
    assert roles[("random_control", "unchanged")] == 100
    assert roles[("anxiety_mouse", "pain_only")] == 8
    assert roles[("depression_human", "shared")] >= 8
    assert set(truth.loc[truth.role == "shared", "GeneID"]) <= set(shared["GeneID"])
    assert not set(truth.loc[truth.role == "unchanged", "GeneID"]) & set(de["GeneID"])
    orthologs = pd.read_csv(paths["gene_orthologs"], sep="\t")
    assert list(orthologs.columns) == ["#tax_id", "GeneID", "relationship", "Other_tax_id",
                                       "Other_GeneID"]
    assert set(orthologs["#tax_id"]) == {9606} and set(orthologs["Other_tax_id"]) == {10090}
    assert orthologs["Other_GeneID"].duplicated().sum() > 0  # some one-to-many
    info = pd.read_csv(paths["Homo_sapiens"], sep="\t")
    assert list(info.columns) == ncbi_files.GENE_INFO_COLUMNS
    # the depression file's shared genes carry their planted direction
    lines = paths["depression_human"].read_text().splitlines()
    table = pd.read_csv(paths["depression_human"], sep="\t",
                        skiprows=sum(line.startswith("#") for line in lines))
    human = dict(zip(info["Symbol"], info["GeneID"]))
    mouse_of = dict(zip(orthologs["GeneID"], orthologs["Other_GeneID"]))
    direction = shared.drop_duplicates("GeneID").set_index("GeneID")["direction"]
    planted = set(truth.loc[(truth.signature == "depression_human") & (truth.role == "shared"),
                            "GeneID"])
    seen = 0
    for gene, sign in zip(table["gene"], table["direction"]):
        mouse = mouse_of.get(human.get(gene))
        if mouse in planted:
            assert direction[mouse] == sign
            seen += 1
    assert seen == len(planted)


def test_run_fastq_is_drawn_without_pandas(tmp_path):
    """A simulate_fastq job (one per run) reads its run's column without importing pandas,
    and draws the same reads as from that column read by pandas."""
    from painstress.demo import reads as demo_reads
    from painstress.files import write_tsv

    tx = demo_reads.simulate_transcriptome(["ENSMUSG00000000001", "ENSMUSG00000000002"],
                                           np.random.default_rng(3))
    (tmp_path / "tx.fa.gz").write_bytes(demo_reads.fasta_bytes(tx))
    ids = tx.transcripts["transcript_id"]
    run_reads = pd.DataFrame({"SRR0900001": np.arange(len(ids)) * 7,
                              "SRR0900002": np.full(len(ids), 5)},
                             index=pd.Index(ids, name="transcript_id"))
    write_tsv(run_reads, tmp_path / "run_reads.tsv.gz", index=True)  # as write_demo_reads
    code = ("import sys; from pathlib import Path; import painstress.jobs\n"
            "from painstress.demo.reads import write_run_fastq\n"
            "write_run_fastq(Path('tx.fa.gz'), Path('run_reads.tsv.gz'), 'SRR0900001',"
            " Path('run.fastq.gz'), 11)\n"
            "assert 'pandas' not in sys.modules, 'pandas imported'\n")
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, check=True)
    expected = demo_reads.simulate_fastq(tx, run_reads["SRR0900001"],
                                         np.random.default_rng([11, 900001]), "SRR0900001")
    assert (tmp_path / "run.fastq.gz").read_bytes() == expected[0]
    with pytest.raises(InputError, match="run_reads.tsv.gz: no column for run SRR0900003"):
        demo_reads.write_run_fastq(tmp_path / "tx.fa.gz", tmp_path / "run_reads.tsv.gz",
                                   "SRR0900003", tmp_path / "x.fastq.gz", 11)
    assert not (tmp_path / "x.fastq.gz").exists()
