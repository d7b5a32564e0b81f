"""Signature overlap heatmap and the UpSet plot of shared genes (rule signature_figures)."""

from painstress.figures.overlap import shared_upset
from painstress.figures.signatures import signature_heatmap
from painstress.figures.style import save
from painstress.files import read_tsv
from painstress.jobs import run_script


def main(snakemake):
    params = snakemake.params
    tests = read_tsv(snakemake.input.tests)
    save(signature_heatmap(tests, title=f"{params.title}: pain against signatures",
                                       signature_order=list(dict.fromkeys(tests["signature"])),
                                       region_order=params.regions),
               snakemake.output.heatmap, snakemake.output.heatmap_pdf)
    save(shared_upset(read_tsv(snakemake.input.shared), title=params.title,
                                  regions=params.overlap_regions),
               snakemake.output.upset, snakemake.output.upset_pdf)


run_script(main, snakemake)  # noqa: F821
