# Sample sheet: inferred from the series matrices (or the user's sheet), validated
# against the counts, before any model is fitted.


# The user's sheet against the counts (every sample in them, replicates per contrast), in
# a job of its own: when it fails, rule sample_sheet never starts, so Snakemake never
# clears the last good samples.tsv and genes.tsv. (What needs no counts is checked before
# any job starts, in common.smk.)
rule check_sample_sheet:
    input:
        sheet=user_sample_sheet(),
        counts=dataset_files("counts"),
    output:
        f"{RESULTS}/checks/sample_sheet.ok",
    log:
        f"{LOGS}/check_sample_sheet.log",
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:  # as rule sample_sheet's
        datasets=list(config["datasets"]),
        dataset_settings=config["datasets"],
        factors=config["samples"]["factors"],
        contrasts=CANDIDATE_CONTRASTS,
        min_replicates=config["de"]["min_replicates"],
    script:
        "../scripts/check_sample_sheet.py"


rule sample_sheet:
    input:
        # every series of every dataset; one counts table per dataset (pooled_counts)
        series_matrix=series_files_of_datasets("series_matrix"),
        counts=dataset_files("counts"),
        annotation=series_files_of_datasets("annotation"),
        user_sheet=user_sample_sheet(),
        checked=rules.check_sample_sheet.output if SAMPLE_SHEET else [],
    output:
        samples=report(
            f"{RESULTS}/samples.tsv",
            caption="../report/samples.rst",
            labels={"table": "sample sheet"},
            category="2. Data",
        ),
        genes=f"{RESULTS}/genes.tsv",
    log:
        f"{LOGS}/sample_sheet.log",
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        datasets=list(config["datasets"]),
        matrix_datasets=series_datasets(),
        dataset_settings=config["datasets"],
        organisms=DATASET_ORGANISM,
        factors=config["samples"]["factors"],
        match_fields=config["samples"]["match_fields"],
        contrasts=CANDIDATE_CONTRASTS,
        min_replicates=config["de"]["min_replicates"],
    script:
        "../scripts/sample_sheet.py"
