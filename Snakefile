# The workflow lives in workflow/Snakefile (Snakemake catalog layout); this file lets
# `snakemake` run from the project root. An include keeps the includer's default target,
# so name it here.
include: "workflow/Snakefile"


workflow.default_target = "all"
