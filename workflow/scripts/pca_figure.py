"""PCA of one region's samples on variance-stabilised counts (rule pca_figure)."""
import _src  # noqa: F401  (puts src/ on sys.path)
from painstress import plots
from painstress.files import read_tsv, run_script


def main(snakemake):
    vst = read_tsv(snakemake.input.vst, index_col=0)
    sheet = read_tsv(snakemake.input.samples, dtype=str)
    region = snakemake.wildcards.region
    title = (f"{region}: PCA of {vst.shape[1]} samples, 500 most variable genes "
             "(VST, blind to design)")
    plots.save(plots.pca(vst, sheet, title=title,
                         group_order=snakemake.params.group_order), snakemake.output.png, snakemake.output.pdf)


run_script(main, snakemake)  # noqa: F821
