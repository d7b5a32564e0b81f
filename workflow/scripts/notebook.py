"""Execute a teaching notebook on this run's outputs and export it to HTML (rule notebook).

A cell that fails makes the job fail, so a broken notebook never reaches the report.

* The kernel talks to papermill over local TCP; jupyter_client provisions CurveZMQ keys
  for it (``KernelManager.transport_encryption``), so the traffic is encrypted when the
  kernel declares support (ipykernel does), instead of plain text.
* Every figure in the HTML page carries alternative text: the image's own (IPython
  ``Image(alt=...)``) or the ``alt`` entry of its cell's metadata, which the notebooks
  set on each figure cell. nbconvert names the images that have neither.
* The page is light enough to travel in the report: its images have a 256-colour palette,
  as the workflow's figures, and it carries a short stylesheet for the parts a notebook
  page uses instead of JupyterLab's whole one (240 kB per page).
"""
import base64
import logging
from pathlib import Path

import nbformat
import papermill
from jinja2 import DictLoader
from jupyter_client import KernelManager
from nbconvert import HTMLExporter
from traitlets.config import Config

from painstress.figures.palette import palette_png
from painstress.files import write_text
from painstress.jobs import run_script

# nbconvert's lab template with each image's alternative text written into its <img>
ALT_TEXT_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- macro with_alt(image, text) -%}
{%- if text -%}{{ image | replace('<img ', '<img alt="' ~ (text | escape_html) ~ '" ') }}
{%- else -%}{{ image }}{%- endif -%}
{%- endmacro -%}
{% block notebook_css %}
{{ resources.include_css("static/theme-light.css") }}
<style type="text/css">
{{ resources.painstress_css }}
</style>
{% endblock notebook_css %}
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

# The page's layout, with JupyterLab's light-theme variables (theme-light.css) and the
# code colours nbconvert inlines (pygments).
NOTEBOOK_CSS = """
* { -webkit-print-color-adjust: exact; }
@page { margin: 0.5in; }
body { margin: 0; background: var(--jp-layout-color0); color: var(--jp-content-font-color1);
  font-family: var(--jp-content-font-family); font-size: var(--jp-content-font-size1);
  line-height: var(--jp-content-line-height); }
.jp-Notebook { max-width: 1100px; margin: 0 auto; padding: 16px 24px; }
.jp-Cell { margin: 0 0 10px; }
.jp-InputArea, .jp-OutputArea-child { display: flex; }
.jp-InputPrompt, .jp-OutputPrompt { flex: 0 0 64px; padding: 5px 8px 0 0; text-align: right;
  font-family: var(--jp-code-font-family); font-size: var(--jp-code-font-size);
  color: var(--jp-cell-inprompt-font-color); }
.jp-OutputPrompt { color: var(--jp-cell-outprompt-font-color); }
.jp-InputArea-editor, .jp-RenderedMarkdown, .jp-OutputArea-output { flex: 1 1 auto;
  min-width: 0; }
.jp-InputArea-editor { background: var(--jp-cell-editor-background); border: 1px solid
  var(--jp-cell-editor-border-color); border-radius: 2px; overflow-x: auto; }
.jp-InputArea-editor pre, .jp-RenderedText pre { margin: 0; padding: 5px 8px;
  font-family: var(--jp-code-font-family); font-size: var(--jp-code-font-size);
  line-height: var(--jp-code-line-height); }
.jp-OutputArea-output { overflow-x: auto; padding-top: 4px; }
.jp-Collapser, a.anchor-link { display: none; }
.jp-RenderedImage img { max-width: 100%; height: auto; }
.jp-RenderedHTMLCommon code { font-family: var(--jp-code-font-family); font-size: 90%;
  background: var(--jp-layout-color2); padding: 1px 4px; border-radius: 2px; }
.jp-RenderedHTMLCommon table { border-collapse: collapse; margin: 6px 0;
  font-size: var(--jp-ui-font-size1); }
.jp-RenderedHTMLCommon th, .jp-RenderedHTMLCommon td { padding: 3px 8px; text-align: right;
  white-space: nowrap; border-bottom: 1px solid var(--jp-border-color2); }
.jp-RenderedHTMLCommon thead th { border-bottom: 1px solid var(--jp-border-color1); }
.jp-RenderedHTMLCommon tbody tr:nth-child(odd) { background: var(--jp-layout-color1); }
.jp-RenderedHTMLCommon tbody tr:hover {
  background: var(--jp-rendermime-table-row-hover-background); }
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
    # written once, at the end (or at a failing cell): not again before and after every
    # cell, which re-encoded the whole notebook, images and all, some fifty times
    papermill.execute_notebook(snakemake.input.notebook, str(tmp),
                               parameters=snakemake.params.parameters, kernel_name="python3",
                               cwd=str(Path.cwd()), progress_bar=False, log_output=False,
                               request_save_on_cell_execute=False, config=kernel_config())
    tmp.replace(out)
    notebook = nbformat.read(out, as_version=4)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if png:
                output["data"]["image/png"] = base64.b64encode(
                    palette_png(base64.b64decode(png))).decode("ascii")
    body, _ = html_exporter().from_notebook_node(
        notebook, resources={"painstress_css": NOTEBOOK_CSS})
    write_text(body, snakemake.output.html)
    logging.info("executed %s -> %s", snakemake.input.notebook, out)


run_script(main, snakemake)  # noqa: F821
