"""One table of every dataset's count source, format, ID mapping and checksums (rule
count_sources), for the methods text."""
import pandas as pd

from painstress.data import ncbi_files
from painstress.data.http import provenance_record
from painstress.files import read_tsv, write_tsv
from painstress.jobs import run_script


def main(snakemake):
    datasets = read_tsv(snakemake.input.datasets, dtype=str).fillna("")
    rows = {}
    for path in snakemake.input.sources:
        row = read_tsv(path, dtype=str).fillna("").iloc[0].to_dict()
        rows[row["dataset"]] = row
    ncbi = datasets.loc[datasets["counts"] == "ncbi", "dataset"]
    for dataset, path in zip(ncbi, snakemake.input.ncbi_counts):
        counts = ncbi_files.read_ncbi_counts(path)
        rows[dataset] = {"dataset": dataset, "source": "ncbi",
                         "format": "NCBI-computed raw counts", "files": path.rsplit("/", 1)[-1],
                         "sha256": provenance_record(path)["sha256"][:16], "id_type": "geneid",
                         "id_rows": len(counts), "id_mapped": len(counts), "mapping_rate": 1,
                         "genes": len(counts), "samples": counts.shape[1], "notes": ""}
    table = pd.DataFrame([rows[d] for d in datasets["dataset"]])
    write_tsv(table, snakemake.output[0])


run_script(main, snakemake)  # noqa: F821
