"""A dataset's counts from the user's own file (rule dataset_counts): read by format, samples
checked against the sample table (or named by the series' GSMs), gene IDs mapped to NCBI
GeneIDs; written in NCBI's counts layout with an annotation and a count-source row."""
import pandas as pd

from painstress.data import count_files, ncbi_files
from painstress.files import write_tsv
from painstress.jobs import run_script


def main(snakemake):
    inp, par, out = snakemake.input, snakemake.params, snakemake.output
    spec = par.counts
    tx2gene = None
    if inp.tx2gene:
        tx2gene = count_files.read_tx2gene(inp.tx2gene[0])
    elif inp.gtf:
        from painstress.data.transcripts import tx2gene_from_gtf

        tx2gene = tx2gene_from_gtf(inp.gtf[0])
    counts, report = count_files.read_counts(spec["file"], spec["format"], tx2gene=tx2gene)
    gene_info = (ncbi_files.read_gene_info(inp.gene_info[0], par.organism)
                 if inp.gene_info else None)
    samples = (count_files.read_sample_table(inp.metadata[0], par.metadata["id_column"])
               if par.metadata else None)
    matrix = None if par.metadata else ncbi_files.read_series_matrix(inp.series_matrix[0])
    mapped, annotation, row = count_files.finish(
        counts, report, dataset=snakemake.wildcards.dataset, source="file",
        gene_info=gene_info, organism=par.organism, counts_source=spec["file"],
        samples=samples, samples_source=inp.metadata[0] if par.metadata else None,
        matrix=matrix)
    write_tsv(mapped, out.counts, index=True)
    write_tsv(annotation, out.annotation)
    write_tsv(pd.DataFrame([row]), out.source)


run_script(main, snakemake)  # noqa: F821
