# Differential expression: one DESeq2 model per region and contrast (painstress.de.deseq2);
# de.inference picks the engine (ours by default, or stock pydeseq2). Then one table of
# every fit and the DE figures of every fit.


# Where each contrast takes its samples from, per region: dataset, series, whose study
# (painstress.samples.contrast_arms). Read again when the DAG is built (common.smk: ARMS).
rule contrast_arms:
    input:
        samples=rules.sample_sheet.output.samples,
        datasets=rules.resolve_datasets.output.datasets,
    output:
        report(
            ARMS,
            caption="../report/arms.rst",
            labels={"table": "where the samples come from"},
            category="2. Data",
        ),
    log:
        f"{LOGS}/contrast_arms.log",
    priority: PRIORITY_CHAIN
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
        samples=rules.sample_sheet.output.samples,
        genes=rules.sample_sheet.output.genes,
        counts=dataset_files("counts"),
    output:
        table=de_file("{region}", "{contrast}"),
        summary=de_file("{region}", "{contrast}", "summary"),
        # per gene: gene-wise, trend, MAP and final dispersion (rule de_figures plots it)
        dispersions=de_file("{region}", "{contrast}", "dispersions"),
    log:
        f"{LOGS}/deseq2/{{region}}.{{contrast}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/deseq2/{{region}}.{{contrast}}.tsv"
    priority: PRIORITY_CHAIN
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
        fits=lambda wildcards: de_files("summary"),
        arms=rules.contrast_arms.output[0],
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
    priority: PRIORITY_CHAIN
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    script:
        "../scripts/de_summary.py"


# One job draws every fit's figures (one Python start-up, not one per fit).
rule de_figures:
    input:
        tables=de_files(),
        summaries=de_files("summary"),
        dispersions=de_files("dispersions"),
    output:
        **de_figure_outputs(),
    log:
        f"{LOGS}/de_figures.log",
    priority: PRIORITY_LONG
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5 * len(fits()),
    params:
        fits=fits(),
        thresholds=config["de"]["thresholds"],
        # the caption's words for the two definitions
        significance=significance_sentence(config["de"]["thresholds"], long=True),
    script:
        "../scripts/de_figures.py"
