"""One run's FASTQ files (rules fetch_fastq_single/_paired): from ENA, checked by MD5, or
with fasterq-dump (reads.download)."""
from pathlib import Path

from painstress.data import ncbi_fetch, reads
from painstress.files import read_tsv
from painstress.jobs import run_script


def main(snakemake):
    p, run = snakemake.params, snakemake.wildcards.run
    row = read_tsv(snakemake.input.runs, dtype=str).fillna("").set_index("run").loc[run]
    row["run"] = run
    if p.download == "fasterq-dump":
        done = reads.fasterq_dump(run, row["layout"], Path(snakemake.output[0]).parent,
                                  snakemake.threads)
        for path, dest in zip(done, snakemake.output):
            path.replace(dest)
        return
    client, _ = ncbi_fetch.connect(p.ncbi)
    for (url, md5, _), dest in zip(reads.fastq_files(row, p.fastq_url), snakemake.output):
        reads.download_fastq(client, url, md5, dest, run=run)


run_script(main, snakemake)  # noqa: F821
