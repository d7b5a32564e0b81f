# The answer first: the report's opening page, written from the run's tables, and a methods
# text with data sources, dates and versions; the key tables as pages of the report.
from painstress.config import without_no_output_keys
from painstress.data.http import remote_check_path


rule answer:
    input:
        summary=rules.overlap.output.summary,
        stats=rules.overlap.output.stats,
        genes=rules.signature_tests.output.genes,
        tests=rules.signature_tests.output.tests,
        themes=[rules.pathway_gsea.output.summary] if PATHWAY_COLLECTIONS else [],
        arms=rules.contrast_arms.output[0],
    output:
        report(
            f"{RESULTS}/answer.html",
            caption="../report/answer.rst",
            category="0. The answer",
            labels={"page": "1. shared genes, signatures, themes"},
        ),
    log:
        f"{LOGS}/answer.log",
    group:
        "report"
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
        datasets=rules.resolve_datasets.output.datasets,
        samples=rules.sample_sheet.output.samples,
        de_summary=rules.de_summary.output[0],
        arms=rules.contrast_arms.output[0],
        data=lambda wildcards: data_files(),
        collections=[rules.pathway_ora.output.collections] if PATHWAY_COLLECTIONS else [],
        count_sources=rules.count_sources.output[0],
        signature_mapping=[rules.signature_sets.output.mapping] if FILE_SIGNATURES else [],
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
    group:
        "report"
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


# The report's table pages: page name -> (the table, its title). Each page is in the report
# (category "1. Key tables"), sortable and searchable.
REPORT_TABLES = {
    "samples": (rules.sample_sheet.output.samples, "Sample sheet"),
    "arms": (
        rules.contrast_arms.output[0],
        "Where each contrast takes its samples from, per region",
    ),
    "de_summary": (rules.de_summary.output[0], "Differential expression: one row per fit"),
    "overlap_stats": (rules.overlap.output.stats, "Pain and stress overlap statistics"),
    "shared_genes": (rules.overlap.output.genes, "Genes shared by pain and stress"),
    "pain_stress_genes": (
        rules.signature_tests.output.genes,
        "Genes changed the same way by pain and stress, with signatures",
    ),
    "shared_count_summary": (
        rules.overlap.output.summary,
        "How many shared genes, next to the paper's number",
    ),
    "signature_tests": (
        rules.signature_tests.output.tests,
        "Pain against every depression/anxiety signature",
    ),
    **(
        {
            "signature_mapping": (
                rules.signature_sets.output.mapping,
                "Signatures: genes read and mapped",
            )
        }
        if FILE_SIGNATURES
        else {}
    ),
    **(
        {
            "contrast_mapping": (
                rules.map_signature_contrasts.output.mapping,
                "Human contrast signatures: genes mapped to mouse",
            )
        }
        if HUMAN_SIGNATURES
        else {}
    ),
    **(
        {
            "pathway_themes": (
                rules.pathway_gsea.output.summary,
                "Where the paper's themes appear",
            ),
            "pathway_sources": (
                rules.pathway_ora.output.sources,
                "Pathway collections: files and dates",
            ),
        }
        if PATHWAY_COLLECTIONS
        else {}
    ),
    **(
        {
            "truth_recovery": (
                rules.truth_recovery.output[0],
                "Demo: recovery of the planted shared genes",
            )
        }
        if config["source"] == "simulate"
        else {}
    ),
}


# One job writes every table page.
rule table_pages:
    input:
        **{name: table for name, (table, _) in REPORT_TABLES.items()},
    output:
        **{
            name: report(
                f"{RESULTS}/tables/{name}.html",
                caption="../report/table_page.rst",
                labels={"table": name},
                category="1. Key tables",
            )
            for name in REPORT_TABLES
        },
    log:
        f"{LOGS}/table_pages.log",
    group:
        "report"
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        titles={name: title for name, (_, title) in REPORT_TABLES.items()},
    script:
        "../scripts/table_pages.py"


# Every rule is defined by now (report.smk is included last): each gets a benchmark file.
benchmark_every_rule()
