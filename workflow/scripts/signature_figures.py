"""Signature overlap heatmap and the UpSet plot of shared genes (rule signature_figures)."""
import _src  # noqa: F401  (puts src/ on sys.path)
from painstress import plots
from painstress.files import read_tsv, run_script


def main(snakemake):
    params = snakemake.params
    tests = read_tsv(snakemake.input.tests)
    plots.save(plots.signature_heatmap(tests, title=f"{params.title}: pain against signatures",
                                       signature_order=list(dict.fromkeys(tests["signature"])),
                                       region_order=params.regions),
               snakemake.output.heatmap, snakemake.output.heatmap_pdf)
    plots.save(plots.shared_upset(read_tsv(snakemake.input.shared), title=params.title,
                                  regions=params.overlap_regions),
               snakemake.output.upset, snakemake.output.upset_pdf)


run_script(main, snakemake)  # noqa: F821
