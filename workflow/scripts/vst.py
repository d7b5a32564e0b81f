"""Variance-stabilised and normalised counts of one region, all groups (rule vst)."""
import pandas as pd

from painstress.data import ncbi_files
from painstress.de import deseq2
from painstress.figures.evidence import normalised_counts_table
from painstress.files import read_tsv, write_tsv
from painstress.jobs import run_script


def main(snakemake):
    region, out = snakemake.wildcards.region, snakemake.output
    sheet = read_tsv(snakemake.input.samples, dtype=str)
    # only the QC datasets (the study organism's; rule vst's params)
    sheet = sheet[(sheet.region == region) & sheet.dataset.isin(snakemake.params.datasets)]
    paths = dict(zip(snakemake.params.datasets, snakemake.input.counts))
    # Datasets share NCBI's GeneIDs; keep the genes measured in all of them.
    counts = pd.concat([ncbi_files.read_ncbi_counts(paths[d]) for d in sheet["dataset"].unique()],
                       axis=1, join="inner")
    values, size_factors = deseq2.vst(
        counts, sheet.set_index("sample")["group"], min_count=snakemake.params.min_count,
        engine=snakemake.params.engine, n_cpus=snakemake.threads)
    write_tsv(values, out.vst, index=True)
    genes = read_tsv(snakemake.input.genes, dtype={"symbol": str})
    write_tsv(normalised_counts_table(counts.loc[values.index], size_factors, genes),
              out.normalised)
    write_tsv(size_factors.rename_axis("sample").reset_index(), out.size_factors)


run_script(main, snakemake)  # noqa: F821
