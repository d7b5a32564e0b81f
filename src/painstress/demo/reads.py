"""Simulated reads for the demo and the tests: a small transcriptome, its GTF, and
single- or paired-end FASTQ drawn from known transcript abundances.

* :func:`simulate_transcriptome`: genes of 1-3 isoforms; each gene is a row of random exons
  and its isoforms skip different exons, so isoforms share sequence (as real ones do and as
  salmon's EM must untangle). Returns the transcripts and writes FASTA + GTF (Ensembl's
  layout: ``gene_id``/``transcript_id`` attributes on exon and transcript lines).
* :func:`simulate_fastq`: reads from random positions of transcripts, either strand
  (an unstranded library), with a small substitution error rate.
* :func:`write_demo_reads`: the demo study's reads: for each sample of the simulated
  counts (painstress.demo.simulate), its gene counts thinned and split over the gene's
  isoforms; an ENA-style filereport (experiment_alias = GSM, as GEO submits to SRA; one
  sample has two runs, technical replicates) and the per-run read counts to draw from.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from painstress import InputError, lazy_module
from painstress.data.ncbi_files import GENE_INFO_COLUMNS
from painstress.demo.formats import write_bytes
from painstress.files import write_tsv

# Lazy: a simulate_fastq job (one per run) needs no pandas, and importing it is half its cost.
pd = lazy_module("pandas")

BASES = np.frombuffer(b"ACGT", dtype=np.uint8)
COMPLEMENT = np.zeros(256, dtype=np.uint8)
COMPLEMENT[list(b"ACGT")] = list(b"TGCA")


@dataclass
class Transcriptome:
    """``transcripts``: transcript_id, gene_id, length (None when only the sequences are
    known, as from :func:`read_fasta`); ``sequences``: id -> uint8 array."""

    transcripts: pd.DataFrame | None
    sequences: dict[str, np.ndarray]


def simulate_transcriptome(gene_ids: list[str], rng: np.random.Generator,
                           max_isoforms: int = 3) -> Transcriptome:
    """1..``max_isoforms`` isoforms per gene (transcript IDs ``<gene with T>.<k>``-free,
    Ensembl-like), each 600-3000 bases."""
    rows, sequences = [], {}
    for g, gene in enumerate(gene_ids):
        n_exons = int(rng.integers(4, 8))
        exons = [rng.choice(BASES, size=int(rng.integers(150, 600))) for _ in range(n_exons)]
        n_iso = int(rng.integers(1, max_isoforms + 1))
        skipped = [None] + list(rng.choice(np.arange(1, n_exons - 1), size=n_iso - 1,
                                           replace=False))
        for k, skip in enumerate(skipped):
            tx = f"{gene.replace('G', 'T', 1)}{k}" if gene.startswith("ENS") else f"{gene}-{k}"
            parts = [e for i, e in enumerate(exons) if i != skip]
            sequences[tx] = np.concatenate(parts)
            rows.append((tx, gene, len(sequences[tx]), g, skip if skip is not None else -1,
                         [len(e) for e in exons]))
    table = pd.DataFrame(rows, columns=["transcript_id", "gene_id", "length", "gene_index",
                                        "skipped_exon", "exon_lengths"])
    return Transcriptome(table, sequences)


def fasta_bytes(tx: Transcriptome) -> bytes:
    lines = []
    for name, seq in tx.sequences.items():
        text = seq.tobytes().decode()
        lines.append(f">{name}")
        lines += [text[i:i + 60] for i in range(0, len(text), 60)]
    return gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0)


def gtf_bytes(tx: Transcriptome) -> bytes:
    """Ensembl-layout GTF: one transcript line and its exon lines per transcript; genes laid
    out one after another on chromosome 1, 10 kb apart."""
    out = ["#!genome-build painstress-demo", "#!genebuild-version simulated"]
    for row in tx.transcripts.itertuples():
        start = 1_000_000 + row.gene_index * 10_000
        attributes = (f'gene_id "{row.gene_id}"; gene_version "1"; transcript_id '
                      f'"{row.transcript_id}"; transcript_version "1"; gene_biotype '
                      '"protein_coding";')
        exon_rows, pos = [], start
        for i, length in enumerate(row.exon_lengths):
            if i != row.skipped_exon:
                exon_rows.append((pos, pos + length - 1))
            pos += length + 200  # introns
        out.append(f"1\tdemo\ttranscript\t{exon_rows[0][0]}\t{exon_rows[-1][1]}\t.\t+\t.\t"
                   f"{attributes}")
        out += [f"1\tdemo\texon\t{a}\t{b}\t.\t+\t.\t{attributes} exon_number \"{n}\";"
                for n, (a, b) in enumerate(exon_rows, 1)]
    return gzip.compress(("\n".join(out) + "\n").encode(), mtime=0)


def simulate_fastq(tx: Transcriptome, reads: Mapping[str, int], rng: np.random.Generator,
                   name: str, read_length: int = 75, paired: bool = False,
                   fragment: tuple[int, int] = (250, 30), error_rate: float = 0.005
                   ) -> list[bytes]:
    """Gzipped FASTQ (one file, or ``_1``/``_2`` when ``paired``) with ``reads[t]`` reads
    (pairs) from transcript ``t``, in random order, from either strand (unstranded).
    ``reads``: a Series or a dict."""
    offsets = np.arange(read_length)
    drawn = {t: int(n) for t, n in reads.items() if n > 0}
    mates: list[list[np.ndarray]] = [[], []]
    for t, n in drawn.items():
        seq = tx.sequences[t]
        size = np.clip(rng.normal(*fragment, size=n).round().astype(int), read_length,
                       len(seq)) if paired else np.full(n, read_length)
        start = rng.integers(0, len(seq) - size + 1)
        first = seq[start[:, None] + offsets]
        # the fragment's other end, read from the opposite strand
        second = COMPLEMENT[seq[(start + size - read_length)[:, None] + offsets][:, ::-1]]
        flip = rng.random(n) < 0.5  # a fragment of the other strand: mates swap
        first[flip], second[flip] = second[flip].copy(), first[flip].copy()
        mates[0].append(first)
        mates[1].append(second)
    order = rng.permutation(sum(drawn.values()))
    files = []
    for m in range(2 if paired else 1):
        block = np.concatenate(mates[m])[order] if mates[m] else \
            np.zeros((0, read_length), np.uint8)
        errors = rng.random(block.shape) < error_rate
        block[errors] = rng.choice(BASES, size=int(errors.sum()))
        quality = b"I" * read_length
        text = b"".join(b"@%s.%d %d/%d\n%s\n+\n%s\n" % (name.encode(), i + 1, i + 1, m + 1,
                                                       row.tobytes(), quality)
                        for i, row in enumerate(block))
        files.append(gzip.compress(text, compresslevel=1, mtime=0))
    return files


def tpm_truth(tx: Transcriptome, reads: pd.Series, read_length: int = 75) -> pd.Series:
    """The TPM the simulated reads correspond to: reads per effective length (length -
    read length + 1, single-end), scaled to a million."""
    length = tx.transcripts.set_index("transcript_id")["length"].reindex(reads.index)
    rate = reads / (length - read_length + 1)
    return rate / rate.sum() * 1e6


# ---------------------------------------------------------------- the demo study's reads

def write_demo_reads(counts_files: dict[str, Path], annotation: Path, outdir: Path,
                     reference: Path, gene_info: Path, seed: int, n_genes: int = 400,
                     reads_per_sample: int = 40_000, planted: list[int] | None = None
                     ) -> dict[str, Path]:
    """Reads for each dataset of the simulated study, and what the reads path needs.

    ``counts_files``: dataset -> the simulated NCBI counts (GeneID x GSM); the transcriptome
    has ``n_genes`` of their genes (``planted`` GeneIDs first, the rest at random), named by
    the annotation's Ensembl IDs. Writes under ``outdir``: ``filereport_<dataset>.tsv``
    (ENA's columns), ``run_reads.tsv.gz`` (run x transcript reads to draw); under
    ``reference``: ``transcriptome.fa.gz``, ``annotation.gtf.gz``; and ``gene_info`` (NCBI
    Gene's layout, the Ensembl links in dbXrefs).
    """
    rng = np.random.default_rng(seed)
    annot = pd.read_csv(annotation, sep="\t", dtype={"GeneID": np.int64})
    counts = {d: pd.read_csv(p, sep="\t", index_col=0) for d, p in counts_files.items()}
    universe = counts[next(iter(counts))].index
    planted = [g for g in dict.fromkeys(planted or []) if g in universe][:n_genes]
    others = rng.permutation(np.setdiff1d(universe, planted))[: n_genes - len(planted)]
    chosen = annot.set_index("GeneID").loc[sorted([*planted, *others])]
    tx = simulate_transcriptome(list(chosen["EnsemblGeneID"]), rng)
    ensembl_to_gene = dict(zip(chosen["EnsemblGeneID"], chosen.index))
    # each gene's reads split over its isoforms in fixed proportions
    share = tx.transcripts.groupby("gene_id")["transcript_id"].transform(
        lambda s: pd.Series(rng.dirichlet(np.ones(len(s))), index=s.index))
    gene_of = tx.transcripts["gene_id"].map(ensembl_to_gene).to_numpy()
    written: dict[str, Path] = {}
    run_reads, number = {}, 1
    for dataset, table in counts.items():
        sub = table.loc[chosen.index]
        scale = reads_per_sample / sub.sum().median()
        rows = []
        for k, sample in enumerate(sub.columns):
            expected = sub[sample].to_numpy()[np.searchsorted(chosen.index, gene_of)] * share
            total = rng.binomial(expected.round().astype(int), min(scale, 1.0))
            # the first sample of each dataset was sequenced twice (technical replicates)
            parts = [rng.binomial(total, 0.6)] if k == 0 else []
            parts = [parts[0], total - parts[0]] if parts else [total]
            experiment = f"SRX{900000 + number:07d}"
            for part in parts:
                run = f"SRR{900000 + number:07d}"
                number += 1
                run_reads[run] = pd.Series(part, index=tx.transcripts["transcript_id"])
                folder = f"vol1/fastq/{run[:6]}/00{run[-1]}/{run}"
                rows.append({"run_accession": run, "experiment_accession": experiment,
                             "experiment_alias": sample, "library_layout": "SINGLE",
                             "library_strategy": "RNA-Seq", "tax_id": 10090,
                             "scientific_name": "Mus musculus",
                             "read_count": int(part.sum()), "base_count": int(part.sum()) * 75,
                             "fastq_ftp": f"ftp.sra.ebi.ac.uk/{folder}/{run}.fastq.gz",
                             "fastq_md5": "", "fastq_bytes": ""})
        written[f"filereport_{dataset}"] = outdir / f"filereport_{dataset}.tsv"
        write_tsv(pd.DataFrame(rows), written[f"filereport_{dataset}"])
    written["run_reads"] = outdir / "run_reads.tsv.gz"
    write_tsv(pd.DataFrame(run_reads).rename_axis("transcript_id"), written["run_reads"],
              index=True)
    written["transcriptome"] = reference / "transcriptome.fa.gz"
    write_bytes(written["transcriptome"], fasta_bytes(tx))
    written["gtf"] = reference / "annotation.gtf.gz"
    write_bytes(written["gtf"], gtf_bytes(tx))
    written["gene_info"] = gene_info
    write_bytes(gene_info, gene_info_bytes(annot))
    return written


def gene_info_bytes(annot: pd.DataFrame) -> bytes:
    """NCBI Gene's ``Mus_musculus.gene_info`` layout for the demo's genes, with each
    gene's Ensembl ID in ``dbXrefs`` (as NCBI writes it: ``Ensembl:ENSMUSG…``)."""
    table = pd.DataFrame({c: "-" for c in GENE_INFO_COLUMNS}, index=range(len(annot)))
    table["#tax_id"] = 10090
    table["GeneID"] = annot["GeneID"].to_numpy()
    table["Symbol"] = annot["Symbol"].to_numpy()
    table["dbXrefs"] = [f"MGI:MGI:{90000 + i}|Ensembl:{e}"
                        for i, e in enumerate(annot["EnsemblGeneID"])]
    table["description"] = "simulated gene (painstress demo study)"
    table["type_of_gene"] = "protein-coding"
    buffer = io.StringIO()
    table.to_csv(buffer, sep="\t", index=False, lineterminator="\n")
    return gzip.compress(buffer.getvalue().encode(), mtime=0)


def write_run_fastq(transcriptome: Path, run_reads: Path, run: str, dest: Path,
                    seed: int) -> None:
    """One demo run's FASTQ (``dest``), drawn from its column of ``run_reads``."""
    sequences = read_fasta(transcriptome)
    reads = read_run_reads(run_reads, run)
    rng = np.random.default_rng([seed, int(run[3:])])
    write_bytes(dest, simulate_fastq(Transcriptome(None, sequences), reads, rng, run)[0])


def read_run_reads(path: Path, run: str) -> dict[str, int]:
    """Transcript -> reads of ``run``'s column of ``run_reads.tsv.gz`` (csv, not pandas:
    see ``pd`` above)."""
    with gzip.open(path, "rt", newline="") as fh:
        rows = csv.reader(fh, delimiter="\t")
        header = next(rows, [])
        if run not in header[1:]:
            raise InputError(f"{path}: no column for run {run}; rerun rule simulate_reads "
                             "(its runs are the filereports' runs)")
        column = header.index(run)
        return {row[0]: int(row[column]) for row in rows}


def read_fasta(path: Path) -> dict[str, np.ndarray]:
    sequences, name, parts = {}, None, []
    with gzip.open(path, "rt") as fh:
        for line in fh:
            if line.startswith(">"):
                if name:
                    sequences[name] = np.frombuffer("".join(parts).encode(), dtype=np.uint8)
                name, parts = line[1:].split()[0], []
            else:
                parts.append(line.strip())
    if name:
        sequences[name] = np.frombuffer("".join(parts).encode(), dtype=np.uint8)
    return sequences
