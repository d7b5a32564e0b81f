# Pain × stress transcriptome reanalysis. Entry point: configuration, validation, rules.
#   snakemake --cores 4                                 the real study (config/config.yaml)
#   snakemake --cores 4 --configfile config/demo.yaml   the offline demo
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import min_version

min_version("9.0")

# The logic lives in src/painstress (scripts reach it through workflow/scripts/_src.py).
sys.path.insert(0, str(Path(workflow.basedir) / "src"))

from painstress import InputError
from painstress.config import validate_config

# A --configfile replaces config/config.yaml instead of being merged into it.
if not workflow.overwrite_configfiles:
    configfile: "config/config.yaml"

try:
    _validated = validate_config(
        config, Path(workflow.basedir) / "workflow/schemas/config.schema.yaml",
        source=", ".join(map(str, workflow.overwrite_configfiles or ["config/config.yaml"])))
except InputError as error:
    raise WorkflowError(str(error)) from None
config.clear()
config.update(_validated)


include: "workflow/rules/common.smk"
include: "workflow/rules/fetch.smk"
include: "workflow/rules/samples.smk"
include: "workflow/rules/de.smk"
include: "workflow/rules/overlap.smk"
include: "workflow/rules/signatures.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/notebooks.smk"
include: "workflow/rules/parity.smk"


report: "workflow/report/workflow.rst"


rule all:
    input:
        all_targets(),
    default_target: True
