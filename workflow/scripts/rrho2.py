"""RRHO2 map of the pain and stress contrasts in one region (rule rrho2)."""
import logging
import time

from painstress.compare import rrho
from painstress.figures.overlap import rrho2_map
from painstress.figures.style import save
from painstress.files import read_tsv, write_tsv
from painstress.jobs import run_script


def main(snakemake):
    params, region = snakemake.params, snakemake.wildcards.region
    scores = [rrho.signed_scores(read_tsv(path)) for path in
              (snakemake.input.pain, snakemake.input.stress)]
    start = time.process_time()
    result = rrho.rrho2(*scores, step=params.step, permutations=params.permutations,
                        seed=params.seed)
    cells = rrho.rrho2_table(result)
    logging.info("RRHO2 %s, %d genes, step %d, %d shuffles (%.1f s CPU); best cells:\n%s",
                 region, result.n_genes, result.step, params.permutations,
                 time.process_time() - start,
                 result.best.drop(columns="genes").to_string(index=False))
    write_tsv(cells, snakemake.output.cells)
    figure = rrho2_map(result, title=f"{region}: {params.pain} vs {params.stress} (RRHO2)",
                       label_a=params.pain, label_b=params.stress)
    save(figure, snakemake.output.png, snakemake.output.pdf)


run_script(main, snakemake)  # noqa: F821
