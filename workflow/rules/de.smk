# Differential expression: one DESeq2 model per region and contrast (painstress.de.deseq2);
# VST per region for QC. de.inference picks the engine (ours by default, or stock pydeseq2).


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
        contrast=lambda wildcards: CONTRASTS[wildcards.contrast],
        datasets=list(config["datasets"]),
        de=config["de"],
    script:
        "../scripts/deseq2.py"


rule de_summary:
    input:
        lambda wildcards: [t.replace(".tsv", ".summary.tsv") for t in de_targets()],
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
