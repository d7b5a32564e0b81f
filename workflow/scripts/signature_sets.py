"""The signatures of curated public sources as signature files, then every gene-set
signature file read into mouse genes (rule signature_sets)."""
import logging

import pandas as pd

from painstress.compare import signatures
from painstress.data import genesets, ncbi_files
from painstress.data.http import provenance_note
from painstress.files import read_tsv, write_tsv
from painstress.jobs import run_script


def curated_signature(name, kind, spec, files, path):
    """One depression/anxiety signature from a curated public source, written to ``path``."""
    settings = spec[kind]
    got = "; ".join(provenance_note(file) for file in files)
    if kind == "gwas_catalog":
        genes = genesets.gwas_signature(genesets.read_gwas_catalog(files[0]),
                                        settings["traits"], settings["p_max"],
                                        keep_intergenic=settings["intergenic"])
        organism = "human"
        source = (f"NHGRI-EBI GWAS Catalog, traits {', '.join(settings['traits'])}, "
                  f"p <= {settings['p_max']:g}, mapped genes ({got})")
    elif kind == "mgi":
        genes = genesets.mgi_signature(files[0], files[1], settings["terms"])
        genes = genes[genes["symbol"] != ""].rename(columns={"symbol": "gene"})
        organism = "mouse"
        source = (f"MGI genotype-phenotype annotations, MP terms {', '.join(settings['terms'])}"
                  f" and descendants ({got})")
    else:  # diseases
        genes = genesets.jensen_signature(files[0], settings["doid"],
                                          min_score=settings["min_score"])
        organism = "human"
        source = (f"JensenLab DISEASES experiments channel, {settings['doid']}, "
                  f"score >= {settings['min_score']:g} ({got})")
    logging.info("%s: %d genes from %s", name, len(genes), source)
    signatures.write_signature_file(genes, path, source=source, organism=organism,
                                    citation=spec.get("citation", ""), name=name,
                                    description=spec.get("description", ""))


def main(snakemake):
    params, inputs = snakemake.params, snakemake.input
    for (name, (kind, spec, files)), path in zip(params.curated.items(),
                                                 snakemake.output.curated):
        curated_signature(name, kind, spec, files, path)
    mouse = read_tsv(inputs.genes, dtype={"symbol": str}).rename(columns={"symbol": "Symbol"})
    if "organism" in mouse.columns:  # genes.tsv also lists human datasets' genes
        mouse = mouse[mouse["organism"] == "Mus musculus"]
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
