"""Execute a teaching notebook on this run's outputs and export it to HTML (rule notebook).

A cell that fails makes the job fail, so a broken notebook never reaches the report.

* The kernel talks to papermill over local TCP; jupyter_client provisions CurveZMQ keys
  for it (``KernelManager.transport_encryption``), so the traffic is encrypted when the
  kernel declares support (ipykernel does), instead of plain text.
* Every figure in the HTML page carries alternative text: the image's own (IPython
  ``Image(alt=...)``) or the ``alt`` entry of its cell's metadata, which the notebooks
  set on each figure cell. nbconvert names the images that have neither.
"""
import logging
from pathlib import Path

import nbformat
import papermill
from jinja2 import DictLoader
from jupyter_client import KernelManager
from nbconvert import HTMLExporter
from traitlets.config import Config

from painstress.files import write_text
from painstress.jobs import run_script

# nbconvert's lab template with each image's alternative text written into its <img>
ALT_TEXT_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- macro with_alt(image, text) -%}
{%- if text -%}{{ image | replace('<img ', '<img alt="' ~ (text | escape_html) ~ '" ') }}
{%- else -%}{{ image }}{%- endif -%}
{%- endmacro -%}
{% block data_png scoped %}{{ with_alt(super(),
    (output | get_metadata('alt', 'image/png')) or cell.metadata.get('alt')) }}
{%- endblock data_png %}
{% block data_jpg scoped %}{{ with_alt(super(),
    (output | get_metadata('alt', 'image/jpeg')) or cell.metadata.get('alt')) }}
{%- endblock data_jpg %}
{% block data_svg scoped %}{{ with_alt(super(),
    (output | get_metadata('alt', 'image/svg+xml')) or cell.metadata.get('alt')) }}
{%- endblock data_svg %}
"""


def kernel_config() -> Config:
    """Kernel manager settings: CurveZMQ keys for the kernel's sockets when this
    jupyter_client can provision them (8.10 and later) and the kernel supports them."""
    config = Config()
    if KernelManager.class_traits().get("transport_encryption") is not None:
        config.KernelManager.transport_encryption = "auto"
    return config


def html_exporter() -> HTMLExporter:
    """nbconvert's HTML (lab) exporter, with alternative text on every figure."""
    return HTMLExporter(extra_loaders=[DictLoader({"painstress.html.j2": ALT_TEXT_TEMPLATE})],
                        template_file="painstress.html.j2")


def main(snakemake):
    out = Path(snakemake.output.ipynb)
    tmp = out.with_name(f".{out.stem}.part.ipynb")  # papermill expects an .ipynb name
    papermill.execute_notebook(snakemake.input.notebook, str(tmp),
                               parameters=snakemake.params.parameters, kernel_name="python3",
                               cwd=str(Path.cwd()), progress_bar=False, log_output=False,
                               config=kernel_config())
    tmp.replace(out)
    body, _ = html_exporter().from_notebook_node(nbformat.read(out, as_version=4))
    write_text(body, snakemake.output.html)
    logging.info("executed %s -> %s", snakemake.input.notebook, out)


run_script(main, snakemake)  # noqa: F821
