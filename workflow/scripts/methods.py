"""Methods text with data sources, checksums, gene-set mapping rates and software versions
(rule methods)."""
from pathlib import Path

import pandas as pd

from painstress.data.http import provenance_summary
from painstress.files import read_tsv, write_text
from painstress.jobs import run_script
from painstress.summary import methods_html, methods_text, software_versions


def main(snakemake):
    inputs = snakemake.input
    resources = Path(inputs.data[0]).parents[1]  # resources/<study>/
    downloads = pd.DataFrame([{"file": Path(path).relative_to(resources).as_posix(),
                               **provenance_summary(path)} for path in inputs.data])
    versions = software_versions({"snakemake": snakemake.params.snakemake_version})
    text = methods_text(config=snakemake.params.config,
                        datasets=read_tsv(inputs.datasets, dtype=str),
                        samples=read_tsv(inputs.samples, dtype=str),
                        de_summary=read_tsv(inputs.de_summary), downloads=downloads,
                        arms=read_tsv(inputs.arms, dtype=str),
                        versions=versions,
                        count_sources=read_tsv(inputs.count_sources, dtype=str),
                        collections=(read_tsv(inputs.collections[0])
                                     if inputs.collections else None),
                        signature_mapping=(read_tsv(inputs.signature_mapping[0])
                                           if inputs.signature_mapping else None))
    write_text(text, snakemake.output.markdown)
    write_text(methods_html(text), snakemake.output.html)


run_script(main, snakemake)  # noqa: F821
