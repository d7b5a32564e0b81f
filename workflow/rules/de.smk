# Differential expression: one DESeq2 model per region and contrast (painstress.de.deseq2);
# VST per region for QC. de.inference picks the engine (ours by default, or stock pydeseq2).


# Where each contrast takes its samples from, per region: dataset, series, whose study
# (painstress.samples.contrast_arms). Read again when the DAG is built (common.smk: ARMS).
rule contrast_arms:
    input:
        samples=f"{RESULTS}/samples.tsv",
        datasets=f"{RESULTS}/datasets.tsv",
    output:
        report(
            ARMS,
            caption="../report/arms.rst",
            labels={"table": "where the samples come from"},
            category="2. Data",
        ),
    log:
        f"{LOGS}/contrast_arms.log",
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        contrasts=CANDIDATE_CONTRASTS,
    script:
        "../scripts/contrast_arms.py"


rule deseq2:
    input:
        samples=f"{RESULTS}/samples.tsv",
        genes=f"{RESULTS}/genes.tsv",
        counts=dataset_files("counts"),
    output:
        table=f"{RESULTS}/de/{{region}}/{{contrast}}.tsv",
        summary=f"{RESULTS}/de/{{region}}/{{contrast}}.summary.tsv",
        # per gene: gene-wise, trend, MAP and final dispersion (rule de_figures plots it)
        dispersions=f"{RESULTS}/de/{{region}}/{{contrast}}.dispersions.tsv.gz",
    log:
        f"{LOGS}/deseq2/{{region}}.{{contrast}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/deseq2/{{region}}.{{contrast}}.tsv"
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=lambda wildcards, attempt: 1000 * attempt,
        runtime=lambda wildcards, attempt: 20 * attempt,
    params:
        # without its regions: a region dropped for want of an arm refits no other region
        contrast=lambda wildcards: {
            k: v for k, v in CONTRASTS[wildcards.contrast].items() if k != "regions"
        },
        datasets=list(config["datasets"]),
        de=config["de"],
    script:
        "../scripts/deseq2.py"


rule de_summary:
    input:
        fits=lambda wildcards: [t.replace(".tsv", ".summary.tsv") for t in de_targets()],
        arms=ARMS,
    output:
        report(
            f"{RESULTS}/de/summary.tsv",
            caption="../report/de_summary.rst",
            labels={"region": "all regions", "table": "DE summary"},
            category="4. Differential expression",
            subcategory="all regions",
        ),
    log:
        f"{LOGS}/de_summary.log",
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    script:
        "../scripts/de_summary.py"


rule vst:
    input:
        samples=f"{RESULTS}/samples.tsv",
        # the study organism's datasets only: one VST needs one gene axis (common.smk)
        counts=dataset_files("counts", QC_DATASETS),
        genes=f"{RESULTS}/genes.tsv",
    output:
        vst=f"{RESULTS}/qc/{{region}}.vst.tsv.gz",
        normalised=f"{RESULTS}/qc/{{region}}.normalised_counts.tsv.gz",
        size_factors=f"{RESULTS}/qc/{{region}}.size_factors.tsv",
    log:
        f"{LOGS}/vst/{{region}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/vst/{{region}}.tsv"
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=lambda wildcards, attempt: 1000 * attempt,
        runtime=lambda wildcards, attempt: 15 * attempt,
    params:
        min_count=config["de"]["min_count"],
        engine=config["de"]["inference"],
        datasets=QC_DATASETS,
    script:
        "../scripts/vst.py"
