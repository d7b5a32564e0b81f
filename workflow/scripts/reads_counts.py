"""A dataset's counts from its runs' salmon output (rule reads_counts): QC gate, genes,
runs summed per sample, NCBI GeneIDs; with the count-source row and the runs' QC."""
from pathlib import Path

import pandas as pd

from painstress.data import ncbi_files, reads
from painstress.files import read_tsv, write_tsv
from painstress.jobs import run_script


def main(snakemake):
    inp, out, p = snakemake.input, snakemake.output, snakemake.params
    dataset = snakemake.wildcards.dataset
    runs = read_tsv(inp.runs, dtype=str).fillna("")
    runs = runs[runs["dataset"] == dataset].reset_index(drop=True)
    folders = {Path(q).parent.name: Path(q).parent for q in inp.quants}
    tx2gene = read_tsv(inp.tx2gene, dtype=str)
    gene_info = ncbi_files.read_gene_info(inp.gene_info, p.organism)
    counts, annotation, row, qc = reads.dataset_counts(
        runs, folders, tx2gene, gene_info, dataset=dataset, organism=p.organism,
        min_mapping_rate=p.min_mapping_rate, on_fail=p.on_fail)
    row.update(reads.methods_fields(runs, qc, {"transcriptome": Path(inp.transcriptome),
                                               "GTF": Path(inp.gtf)}, p.kmer))
    write_tsv(counts, out.counts, index=True)
    write_tsv(annotation, out.annotation)
    write_tsv(pd.DataFrame([row]), out.source)
    write_tsv(qc, out.qc)


run_script(main, snakemake)  # noqa: F821
