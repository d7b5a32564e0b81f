"""The signatures of curated public sources as signature files, then every gene-set
signature file read into mouse genes (rule signature_sets)."""
import logging

import pandas as pd

from painstress.compare import signatures
from painstress.data import ncbi_files
from painstress.files import write_tsv
from painstress.jobs import run_script


def main(snakemake):
    params, inputs = snakemake.params, snakemake.input
    for (name, (kind, spec, files)), path in zip(params.curated.items(),
                                                 snakemake.output.curated):
        signatures.curated_signature(name, kind, spec, files, path)
    mouse = ncbi_files.read_mouse_genes(inputs.genes)
    human = {}
    if "orthologs" in inputs.keys():
        human = {"orthologs": ncbi_files.read_gene_orthologs(inputs.orthologs),
                 "human_info": ncbi_files.read_gene_info(inputs.human_info)}
    tables, reports = [], []
    for name, path in params.files.items():  # the config's files and the curated ones
        found = signatures.read_signature_file(path, mouse_genes=mouse,
                                               one_to_one=params.one_to_one, **human)
        for sig in found:  # one signature keeps the config's name; several get it as prefix
            sig.name = name if len(found) == 1 else f"{name}_{sig.name}"
            signatures.check_mapping(sig, params.min_mapped)
        tables.append(signatures.signature_table(found).assign(set=name))
        reports.append(signatures.mapping_report(found).assign(set=name))
    report = pd.concat(reports, ignore_index=True)
    logging.info("signatures read:\n%s", report.to_string(index=False))
    write_tsv(pd.concat(tables, ignore_index=True), snakemake.output.genes)
    write_tsv(report, snakemake.output.mapping)


run_script(main, snakemake)  # noqa: F821
