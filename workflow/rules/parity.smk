# Parity of the DE step with R DESeq2, for the user's own data. Off by default: not part of
# rule all; run it by name, e.g.
#   snakemake parity --configfile config/demo.yaml     -> results/<study>/parity/
# Needs R with DESeq2 (Debian: apt-get install r-bioc-deseq2); fails saying so otherwise.
# Three steps per region × contrast: our DE step (the very call rule deseq2 makes), writing
# the model's input and its fit; R DESeq2 on that same input; the comparison.
from shlex import quote

from painstress.de.parity import rscript


rule parity_ours:
    input:
        samples=rules.sample_sheet.output.samples,
        genes=rules.sample_sheet.output.genes,
        counts=dataset_files("counts"),
    output:
        model=temp(directory(f"{RESULTS}/parity/{{region}}/{{contrast}}/model")),
        fit=temp(directory(f"{RESULTS}/parity/{{region}}/{{contrast}}/ours")),
    log:
        f"{LOGS}/parity/{{region}}.{{contrast}}.ours.log",
    conda:
        "../../envs/painstress.yaml"
    threads: 1  # as rule deseq2
    resources:
        mem_mb=1000,
        runtime=20,
    params:
        contrast=lambda wildcards: CONTRASTS[wildcards.contrast],
        datasets=list(config["datasets"]),
        de=config["de"],
    script:
        "../scripts/parity.py"


rule parity_r:
    input:
        model=rules.parity_ours.output.model,
        script=workflow.source_path("../scripts/deseq2_reference.R"),
    output:
        temp(directory(f"{RESULTS}/parity/{{region}}/{{contrast}}/R")),
    log:
        f"{LOGS}/parity/{{region}}.{{contrast}}.R.log",
    conda:
        "../../envs/r-deseq2.yaml"
    resources:
        mem_mb=2000,  # R with DESeq2 loaded: ~620 MB, ~1 GB at 40 samples
        runtime=20,
    params:
        contrast=lambda wildcards: CONTRASTS[wildcards.contrast],
        alpha=config["de"]["thresholds"]["modern_padj"],
        rscript=lambda wildcards: quote(rscript()),
        hint="Is R with DESeq2 installed? apt-get install r-bioc-deseq2 (Debian/Ubuntu), or "
        "run with --sdm conda (envs/r-deseq2.yaml).",
    shell:
        "{params.rscript} --vanilla {input.script} {input.model}/counts.tsv {input.model}/coldata.tsv "
        '"$(cat {input.model}/design.txt)" {params.contrast[test]:q} '
        "{params.contrast[reference]:q} {output} deseq {params.alpha} > {log} 2>&1 "
        "|| {{ echo 'R DESeq2 failed; see {log}. {params.hint}' >&2; exit 1; }}"


rule parity_contrast:
    input:
        ours=rules.parity_ours.output.fit,
        R=rules.parity_r.output[0],
    output:
        summary=f"{RESULTS}/parity/{{region}}/{{contrast}}.summary.tsv",
        genes=f"{RESULTS}/parity/{{region}}/{{contrast}}.genes.tsv.gz",
        dispersions=f"{RESULTS}/parity/{{region}}/{{contrast}}.dispersions.tsv.gz",
        size_factors=f"{RESULTS}/parity/{{region}}/{{contrast}}.size_factors.tsv",
    log:
        f"{LOGS}/parity/{{region}}.{{contrast}}.log",
    conda:
        "../../envs/painstress.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    params:
        contrast=lambda wildcards: CONTRASTS[wildcards.contrast],
        de=config["de"],
    script:
        "../scripts/parity.py"


rule parity:
    input:
        [
            rules.parity_contrast.output.summary.format(region=region, contrast=contrast)
            for region, contrast in fits()
        ],
    output:
        f"{RESULTS}/parity/parity.tsv",
    log:
        f"{LOGS}/parity/parity.log",
    conda:
        "../../envs/painstress.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    script:
        "../scripts/parity.py"
