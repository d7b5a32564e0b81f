# Sample sheet: inferred from the series matrices (or the user's sheet), validated
# against the counts, before any model is fitted.


rule sample_sheet:
    input:
        series_matrix=all_dataset_files("series_matrix"),
        counts=all_dataset_files("counts"),
        annotation=all_dataset_files("annotation"),
        user_sheet=user_sample_sheet(),
    output:
        samples=report(f"{RESULTS}/samples.tsv", caption="../report/samples.rst",
                       category="1. Data"),
        genes=f"{RESULTS}/genes.tsv",
    params:
        datasets=list(config["datasets"]),
        dataset_settings=config["datasets"],
        organisms=DATASET_ORGANISM,
        factors=config["samples"]["factors"],
        match_fields=config["samples"]["match_fields"],
        contrasts=config["contrasts"],
        min_replicates=config["de"]["min_replicates"],
    log:
        f"{LOGS}/sample_sheet.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../../envs/painstress.yaml"
    script:
        "../scripts/sample_sheet.py"
