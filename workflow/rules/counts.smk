# Counts from anywhere but NCBI: the user's own count files (rule dataset_counts) and the
# authors' GEO supplementary files (rule supplementary_counts); NCBI's computed counts are
# fetched in fetch.smk. Each ends in NCBI's counts layout under results/<study>/counts/.
rule dataset_counts:
    input:
        unpack(dataset_count_inputs),
    output:
        counts=f"{COUNTS}/{{dataset}}/counts.tsv.gz",
        annotation=f"{COUNTS}/{{dataset}}/annotation.tsv.gz",
        source=f"{COUNTS}/{{dataset}}/source.tsv",
    log:
        f"{LOGS}/counts/{{dataset}}.log",
    wildcard_constraints:
        dataset="|".join(FILE_DATASETS) or "(?!)",
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
    params:
        counts=lambda wildcards: config["datasets"][wildcards.dataset]["counts"],
        metadata=lambda wildcards: config["datasets"][wildcards.dataset].get("metadata"),
        organism=lambda wildcards: DATASET_ORGANISM[wildcards.dataset],
    script:
        "../scripts/dataset_counts.py"


# Network: a local rule (on a cluster it runs on the login node, like the other downloads).
rule supplementary_counts:
    input:
        series_matrix=lambda wildcards: geo_series_matrix(wildcards.dataset),
        gene_info=lambda wildcards: gene_info_input(wildcards.dataset),
        metadata=lambda wildcards: metadata_input(wildcards.dataset),
    output:
        counts=f"{COUNTS}/{{dataset}}/counts.tsv.gz",
        annotation=f"{COUNTS}/{{dataset}}/annotation.tsv.gz",
        source=f"{COUNTS}/{{dataset}}/source.tsv",
        choice=report(
            f"{COUNTS}/{{dataset}}/supplementary.tsv",
            caption="../report/supplementary.rst",
            labels={"table": "supplementary files of {dataset}"},
            category="2. Data",
        ),
    log:
        f"{LOGS}/counts/{{dataset}}.supplementary.log",
    wildcard_constraints:
        dataset="|".join(SUPPLEMENTARY_DATASETS) or "(?!)",
    localrule: True
    conda:
        "../../envs/painstress.yaml"
    params:
        offline=config["offline"],
        ncbi=NCBI_SETTINGS,
        organism=lambda wildcards: DATASET_ORGANISM[wildcards.dataset],
        metadata=lambda wildcards: config["datasets"][wildcards.dataset].get("metadata"),
        folder=lambda wildcards, input: str(Path(input.series_matrix).parent / "suppl"),
    script:
        "../scripts/supplementary_counts.py"


rule count_sources:
    input:
        datasets=rules.resolve_datasets.output.datasets,
        sources=lambda wildcards: [
            f"{COUNTS}/{d}/source.tsv" for d in datasets_by_source(ncbi=False)
        ],
        ncbi_counts=lambda wildcards: [
            dataset_file(d, "counts") for d in datasets_by_source(ncbi=True)
        ],
    output:
        f"{COUNTS}/sources.tsv",
    log:
        f"{LOGS}/count_sources.log",
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    script:
        "../scripts/count_sources.py"
