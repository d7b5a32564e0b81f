"""One depression/anxiety signature from a curated public source (rule curated_signature)."""
import logging

from painstress.compare.signatures import write_signature_file
from painstress.data import genesets
from painstress.data.http import provenance_note
from painstress.jobs import run_script


def main(snakemake):
    spec, kind, files = snakemake.params.spec, snakemake.params.kind, list(snakemake.input)
    settings = spec[kind]
    got = "; ".join(provenance_note(path) for path in files)
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
    logging.info("%s: %d genes from %s", spec["name"], len(genes), source)
    write_signature_file(genes, snakemake.output[0], source=source, organism=organism,
                         citation=spec.get("citation", ""), name=spec["name"],
                         description=spec.get("description", ""))


run_script(main, snakemake)  # noqa: F821
