"""A dataset's counts from the authors' GEO supplementary files (rule supplementary_counts):
listed, downloaded, read by content, one chosen (choice table), then as dataset_counts."""
from pathlib import Path

import pandas as pd

from painstress.data import count_files, ncbi_fetch, ncbi_files, supplementary
from painstress.files import write_tsv
from painstress.jobs import run_script


def main(snakemake):
    inp, par, out = snakemake.input, snakemake.params, snakemake.output
    matrix = ncbi_files.read_series_matrix(inp.series_matrix)
    client, endpoints = ncbi_fetch.connect(par.ncbi)
    counts, choice = supplementary.choose(None if par.offline else client, endpoints, matrix,
                                          Path(par.folder), metadata=bool(par.metadata))
    chosen = Path(par.folder) / choice.loc[choice["chosen"], "file"].iloc[0]
    gene_info = (ncbi_files.read_gene_info(inp.gene_info[0], par.organism)
                 if inp.gene_info else None)
    samples = (count_files.read_sample_table(inp.metadata[0], par.metadata["id_column"])
               if par.metadata else None)
    report = {"format": choice.loc[choice["chosen"], "format"].iloc[0], "files": [chosen]}
    mapped, annotation, row = count_files.finish(
        counts, report, dataset=snakemake.wildcards.dataset, source="supplementary",
        gene_info=gene_info, organism=par.organism, counts_source=chosen, samples=samples,
        samples_source=inp.metadata[0] if par.metadata else None)
    write_tsv(choice, out.choice)
    write_tsv(mapped, out.counts, index=True)
    write_tsv(annotation, out.annotation)
    write_tsv(pd.DataFrame([row]), out.source)


run_script(main, snakemake)  # noqa: F821
