"""Methods text with data sources, dates and software versions (rule methods)."""
from pathlib import Path

import pandas as pd

from painstress.data.http import provenance_record
from painstress.files import read_tsv, write_text
from painstress.jobs import run_script
from painstress.summary import methods_html, methods_text, software_versions


def main(snakemake):
    inputs = snakemake.input
    resources = Path(inputs.data[0]).parents[1]  # resources/<study>/
    downloads = pd.DataFrame([
        {"file": Path(path).relative_to(resources).as_posix(),
         "url": (record := provenance_record(path))["url"] or "simulated or placed by hand",
         "downloaded": record["fetched"][:10], "sha256": record["sha256"][:16] + "…"}
        for path in inputs.data])
    versions = software_versions({"snakemake": snakemake.params.snakemake_version})
    text = methods_text(config=snakemake.config, datasets=read_tsv(inputs.datasets, dtype=str),
                        samples=read_tsv(inputs.samples, dtype=str),
                        de_summary=read_tsv(inputs.de_summary), downloads=downloads,
                        versions=versions)
    write_text(text, snakemake.output.markdown)
    write_text(methods_html(text), snakemake.output.html)


run_script(main, snakemake)  # noqa: F821
