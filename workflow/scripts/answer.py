"""The report's first page: the answer, from the run's tables (rule answer)."""

from painstress.files import read_tsv, write_text
from painstress.jobs import run_script
from painstress.summary import answer_page


def main(snakemake):
    inputs, params = snakemake.input, snakemake.params
    page = answer_page(study=params.study, pain=params.pain, stress=params.stress,
                       summary=read_tsv(inputs.summary), stats=read_tsv(inputs.stats),
                       genes=read_tsv(inputs.genes, dtype={"symbol": str}),
                       tests=read_tsv(inputs.tests),
                       themes=read_tsv(inputs.themes[0]) if inputs.themes else None,
                       reported=params.reported,
                       arms=read_tsv(inputs.arms, dtype=str))
    write_text(page, snakemake.output[0])


run_script(main, snakemake)  # noqa: F821
