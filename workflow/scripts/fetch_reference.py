"""The pinned transcriptome or GTF (rule fetch_reference), checked and with provenance."""
from pathlib import Path

from painstress.data import ncbi_fetch, reads
from painstress.data.http import download
from painstress.jobs import offline_missing, run_script


def main(snakemake):
    p, kind = snakemake.params, snakemake.wildcards.kind
    if p.offline:
        raise offline_missing(snakemake.output, where=f"reads.reference ({kind})")
    key = "gtf" if kind == "annotation" else "transcriptome"
    client, _ = ncbi_fetch.connect(p.ncbi)
    download(client, p.reference[key], snakemake.output[0],
             lambda path: reads.check_reference(Path(path), key, p.reference[f"{key}_sha256"]))


run_script(main, snakemake)  # noqa: F821
