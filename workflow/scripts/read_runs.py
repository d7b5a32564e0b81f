"""The runs of every dataset whose counts come from reads (checkpoint read_runs): from ENA
(or NCBI SRA's runinfo), or the demo's simulated filereports."""
import pandas as pd

from painstress.data import ncbi_fetch, reads
from painstress.data.ncbi_files import read_series_matrix
from painstress.files import write_tsv
from painstress.jobs import offline_missing, run_script


def main(snakemake):
    p = snakemake.params
    tables = []
    for k, dataset in enumerate(p.datasets):
        matrix = read_series_matrix(snakemake.input.series_matrix[k])
        if snakemake.input.filereports:
            path = snakemake.input.filereports[k]
            with open(path) as fh:
                runs = reads.runs_by_alias(matrix, reads.parse_filereport(fh.read(), path),
                                           p.organisms[k])
        elif p.offline:
            raise offline_missing(snakemake.output, where="ENA (filereport of each run)")
        else:
            client, endpoints = ncbi_fetch.connect(p.ncbi)
            runs = reads.resolve_runs(matrix, client, ena_url=p.ena_url.rstrip("/"),
                                      eutils_url=endpoints.eutils, method=p.download,
                                      organism=p.organisms[k])
        tables.append(runs.assign(dataset=dataset))
    table = pd.concat(tables, ignore_index=True)
    write_tsv(table[["dataset", *reads.RUN_COLUMNS]], snakemake.output[0])


run_script(main, snakemake)  # noqa: F821
