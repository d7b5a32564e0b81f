# The answer first: the report's opening page, written from the run's tables, and a methods
# text with data sources, dates and versions.
from painstress.config import without_no_output_keys
from painstress.data.http import remote_check_path


rule answer:
    input:
        summary=f"{RESULTS}/overlap/shared_count_summary.tsv",
        stats=f"{RESULTS}/overlap/overlap_stats.tsv",
        genes=f"{RESULTS}/overlap/pain_stress_genes.tsv",
        tests=f"{RESULTS}/overlap/signature_tests.tsv",
        themes=[f"{RESULTS}/pathways/theme_summary.tsv"] if PATHWAY_COLLECTIONS else [],
        arms=ARMS,
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
        study=config["study"],
        reported=config["overlap"].get("reported"),
    script:
        "../scripts/answer.py"


rule methods:
    input:
        datasets=f"{RESULTS}/datasets.tsv",
        samples=f"{RESULTS}/samples.tsv",
        de_summary=f"{RESULTS}/de/summary.tsv",
        arms=ARMS,
        data=lambda wildcards: data_files(),
        collections=[f"{RESULTS}/pathways/collections.tsv"] if PATHWAY_COLLECTIONS else [],
        count_sources=f"{RESULTS}/counts/sources.tsv",
        signature_mapping=[f"{RESULTS}/signatures/mapping.tsv"] if FILE_SIGNATURES else [],
        # the last `snakemake check_remote` answers, where there are any
        remote=lambda wildcards: [
            path for path in map(remote_check_path, data_files()) if path.is_file()
        ],
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
        # the methods text describes the whole analysis: any setting with an output changes it
        config=without_no_output_keys(config),
    script:
        "../scripts/methods.py"


# Every rule is defined by now (report.smk is included last): each gets a benchmark file.
benchmark_every_rule()
