# Sample sheet: inferred from the series matrices (or the user's sheet), validated
# against the counts, before any model is fitted.


rule sample_sheet:
    input:
        series_matrix=dataset_files("series_matrix"),
        counts=dataset_files("counts"),
        annotation=dataset_files("annotation"),
        user_sheet=user_sample_sheet(),
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
        dataset_settings=config["datasets"],
        organisms=DATASET_ORGANISM,
        factors=config["samples"]["factors"],
        match_fields=config["samples"]["match_fields"],
        contrasts=config["contrasts"],
        min_replicates=config["de"]["min_replicates"],
    script:
        "../scripts/sample_sheet.py"
