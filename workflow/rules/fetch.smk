# Getting the data into resources/: simulated for the demo, downloaded from GEO otherwise.
# Downloads run on the submitting host (login node on a cluster), never as cluster jobs.
if config["source"] == "simulate":

    rule simulate_demo:
        output:
            **{f"{d}_{kind}": path for d in config["datasets"]
               for kind, path in dataset_files(d).items()},
            truth_shared=f"{RESOURCES}/truth/shared_genes.tsv",
            truth_de=f"{RESOURCES}/truth/de_genes.tsv",
            truth_samples=f"{RESOURCES}/truth/samples.tsv",
        params:
            outdir=lambda wildcards, output: Path(output.truth_shared).parents[1],
            pain_series=config["datasets"]["pain"]["geo"],
            stress_series=config["datasets"]["stress"]["geo"],
            settings=config["simulate"],
        log:
            f"{LOGS}/simulate_demo.log",
        resources:
            mem_mb=2000,
            runtime=10,
        conda:
            "../../envs/painstress.yaml"
        script:
            "../scripts/simulate_demo.py"

else:
    # One download rule per dataset (each series has its own file names).
    for _dataset in config["datasets"]:

        rule:
            name:
                f"fetch_{_dataset}"
            output:
                **dataset_files(_dataset),
            params:
                series=config["datasets"][_dataset]["geo"],
            log:
                f"{LOGS}/fetch_{_dataset}.log",
            localrule: True
            conda:
                "../../envs/painstress.yaml"
            script:
                "../scripts/fetch_geo.py"
