"""Execute a teaching notebook on this run's outputs and export it to HTML (rule notebook).

A cell that fails makes the job fail, so a broken notebook never reaches the report.
"""
import logging
from pathlib import Path

import nbformat
import papermill
from nbconvert import HTMLExporter

from painstress.jobs import run_script


def main(snakemake):
    out = Path(snakemake.output.ipynb)
    tmp = out.with_name(f".{out.name}.part")
    papermill.execute_notebook(snakemake.input.notebook, str(tmp),
                               parameters=snakemake.params.parameters, kernel_name="python3",
                               cwd=str(Path.cwd()), progress_bar=False, log_output=False)
    tmp.replace(out)
    body, _ = HTMLExporter().from_notebook_node(nbformat.read(out, as_version=4))
    Path(snakemake.output.html).write_text(body, encoding="utf-8")
    logging.info("executed %s -> %s", snakemake.input.notebook, out)


run_script(main, snakemake)  # noqa: F821
