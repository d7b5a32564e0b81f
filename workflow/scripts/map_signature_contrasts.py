"""Human contrast DE tables onto mouse genes, with mapping rates (rule map_signature_contrasts)."""
import logging

import pandas as pd

from painstress.compare import orthologs
from painstress.data import ncbi_files
from painstress.files import read_tsv, write_tsv
from painstress.jobs import run_script


def main(snakemake):
    params, inputs = snakemake.params, snakemake.input
    mouse = ncbi_files.read_mouse_genes(inputs.genes).rename(columns={"symbol": "Symbol"})
    pairs = ncbi_files.read_gene_orthologs(inputs.orthologs)
    rows = []
    for (name, region), human, out in zip(params.tables, inputs.human, snakemake.output.mouse):
        table, report = orthologs.de_table_to_mouse(read_tsv(human, dtype={"symbol": str}),
                                                    pairs, mouse, one_to_one=params.one_to_one)
        write_tsv(table, out)
        rows.append({"signature": name, "region": region, **report})
    mapping = pd.DataFrame(rows, columns=["signature", "region",
                                          *orthologs.DE_MAPPING_COLUMNS])
    logging.info("human contrast signatures mapped to mouse genes:\n%s",
                 mapping.to_string(index=False))
    write_tsv(mapping, snakemake.output.mapping)


run_script(main, snakemake)  # noqa: F821
