# Parity of the DE step with R DESeq2, for the user's own data (issue #6). Off by default:
# not part of rule all; run it by name, e.g.
#   snakemake parity --configfile config/demo.yaml     -> results/<study>/parity/
# Needs R with DESeq2 (Debian: apt-get install r-bioc-deseq2); fails saying so otherwise.


rule parity_contrast:
    input:
        samples=f"{RESULTS}/samples.tsv",
        genes=f"{RESULTS}/genes.tsv",
        counts=all_dataset_files("counts"),
    output:
        summary=f"{RESULTS}/parity/{{region}}/{{contrast}}.summary.tsv",
        genes=f"{RESULTS}/parity/{{region}}/{{contrast}}.genes.tsv.gz",
        dispersions=f"{RESULTS}/parity/{{region}}/{{contrast}}.dispersions.tsv.gz",
        size_factors=f"{RESULTS}/parity/{{region}}/{{contrast}}.size_factors.tsv",
    params:
        contrast=lambda wildcards: CONTRASTS[wildcards.contrast],
        datasets=list(config["datasets"]),
        de=config["de"],
    threads: 1  # as rule deseq2: the pydeseq2 fit is run_contrast with n_cpus=threads
    log:
        f"{LOGS}/parity/{{region}}.{{contrast}}.log",
    resources:
        mem_mb=2000,  # pydeseq2 ~250 MB, then R ~1 GB (R DESeq2 loaded: 620 MB)
        runtime=40,
    conda:
        "../../envs/painstress.yaml"
    script:
        "../scripts/parity.py"


rule parity:
    input:
        [f"{RESULTS}/parity/{region}/{name}.summary.tsv"
         for name, contrast in CONTRASTS.items() for region in contrast["regions"]],
    output:
        f"{RESULTS}/parity/parity.tsv",
    log:
        f"{LOGS}/parity/parity.log",
    resources:
        mem_mb=500,
        runtime=5,
    conda:
        "../../envs/painstress.yaml"
    script:
        "../scripts/parity.py"
