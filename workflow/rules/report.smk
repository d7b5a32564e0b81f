# The answer first: the report's opening page, written from the run's tables, and a methods
# text with data sources, dates and versions.


rule answer:
    input:
        summary=f"{RESULTS}/overlap/shared_count_summary.tsv",
        stats=f"{RESULTS}/overlap/overlap_stats.tsv",
        genes=f"{RESULTS}/overlap/pain_stress_genes.tsv",
        tests=f"{RESULTS}/overlap/signature_tests.tsv",
        themes=[f"{RESULTS}/pathways/theme_summary.tsv"] if PATHWAY_COLLECTIONS else [],
    output:
        report(
            f"{RESULTS}/answer.html",
            caption="../report/answer.rst",
            category="0. The answer",
            labels={"page": "1. shared genes, signatures, themes"},
        ),
    log:
        f"{LOGS}/answer.log",
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        pain=PAIN_CONTRAST,
        stress=STRESS_CONTRAST,
    script:
        "../scripts/answer.py"


rule methods:
    input:
        datasets=f"{RESULTS}/datasets.tsv",
        samples=f"{RESULTS}/samples.tsv",
        de_summary=f"{RESULTS}/de/summary.tsv",
        data=lambda wildcards: data_files(),
    output:
        markdown=f"{RESULTS}/methods.md",
        html=report(
            f"{RESULTS}/methods.html",
            caption="../report/methods.rst",
            category="0. The answer",
            labels={"page": "2. methods and versions"},
        ),
    log:
        f"{LOGS}/methods.log",
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        snakemake_version=SNAKEMAKE_VERSION,
    script:
        "../scripts/methods.py"
