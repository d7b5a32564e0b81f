"""Infer (or read) and validate the sample sheet; write it with the gene symbols."""
import logging

import pandas as pd

from painstress import InputError, samples
from painstress.data import count_files, ncbi_files
from painstress.files import write_tsv
from painstress.jobs import run_script


def main(snakemake):
    inp, par = snakemake.input, snakemake.params
    datasets = par.datasets
    # a dataset may pool several series: its matrices in a list, its counts joined
    matrices = {d: [] for d in datasets}
    for dataset, path in zip(par.matrix_datasets, inp.series_matrix):
        metadata = par.dataset_settings[dataset].get("metadata")  # a sample table instead
        matrices[dataset].append(count_files.sample_table_matrix(path, metadata["id_column"])
                                 if metadata else ncbi_files.read_series_matrix(path))
    counts = dict(zip(datasets, map(ncbi_files.read_ncbi_counts, inp.counts)))
    series_of = {sample: matrix.accession for found in matrices.values() for matrix in found
                 for sample in matrix.samples.index}
    for dataset, found in matrices.items():
        extra = sorted(set(counts[dataset].columns) - {s for m in found for s in m.samples.index})
        if extra:
            raise InputError(
                f"{inp.counts[datasets.index(dataset)]}: columns {', '.join(extra[:5])} are "
                f"not samples of {', '.join(str(m.path) for m in found)} (counts and series "
                "matrix of different series?).")

    if inp.user_sheet:
        source = inp.user_sheet[0]
        sheet = samples.read_sample_sheet(source)
        logging.info("using the user's sample sheet %s", source)
    else:
        source = "sample sheet inferred from " + ", ".join(map(str, inp.series_matrix))
        sheet = samples.infer_sample_sheet(matrices, par.factors, par.match_fields,
                                           par.dataset_settings)
    sheet = samples.validate_sample_sheet(
        sheet, source=source, factors=par.factors, contrasts=par.contrasts,
        dataset_samples={d: list(c.columns) for d, c in counts.items()},
        min_replicates=par.min_replicates, datasets=par.dataset_settings)
    # the GEO series of each GSM (where its counts are), after the factors
    sheet = sheet.drop(columns="series", errors="ignore")
    sheet.insert(sheet.columns.get_loc("title") if "title" in sheet else sheet.shape[1],
                 "series", sheet["sample"].map(series_of))
    logging.info("%d samples:\n%s", len(sheet),
                 sheet.groupby(["dataset", "series", "region", "group"]).size().to_string())

    # Every dataset's genes, each with its organism (human and mouse GeneIDs never clash;
    # the organism column keeps mouse-only readers, e.g. signature mapping, off human genes).
    annotation = pd.concat([ncbi_files.read_annotation(p)["Symbol"] for p in inp.annotation])
    annotation = annotation[~annotation.index.duplicated()]
    organism = pd.concat([pd.Series(par.organisms[d], index=c.index) for d, c in counts.items()])
    organism = organism[~organism.index.duplicated()].sort_index()
    genes = pd.DataFrame({"GeneID": organism.index,
                          "symbol": annotation.reindex(organism.index).fillna("").to_numpy(),
                          "organism": organism.to_numpy()})
    write_tsv(sheet, snakemake.output.samples)
    write_tsv(genes, snakemake.output.genes)


run_script(main, snakemake)  # noqa: F821
