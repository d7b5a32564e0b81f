"""One demo run's FASTQ, drawn from the simulated transcriptome (rule simulate_fastq)."""
from pathlib import Path

from painstress.demo.reads import write_run_fastq
from painstress.jobs import run_script


def main(snakemake):
    write_run_fastq(Path(snakemake.input.transcriptome), Path(snakemake.input.run_reads),
                    snakemake.wildcards.run, Path(snakemake.output[0]), snakemake.params.seed)


run_script(main, snakemake)  # noqa: F821
