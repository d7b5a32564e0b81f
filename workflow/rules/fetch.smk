# Getting the data into resources/: simulated for the demo, downloaded from GEO otherwise.
# Network rules are local rules: on a cluster they run on the submitting (login) node.


checkpoint resolve_datasets:
    output:
        datasets=report(f"{RESULTS}/datasets.tsv", caption="../report/datasets.rst",
                        category="1. Data"),
        resolution=report(f"{RESULTS}/resolution.tsv", caption="../report/resolution.rst",
                          category="1. Data"),
    params:
        source=config["source"],
        offline=config["offline"],
        datasets=config["datasets"],
        pmid=config["study"].get("pmid"),
        organism=ORGANISM,
        ncbi=config["ncbi"],
    log:
        f"{LOGS}/resolve_datasets.log",
    localrule: True
    conda:
        "../../envs/painstress.yaml"
    script:
        "../scripts/resolve_datasets.py"


if config["source"] == "simulate":

    rule simulate_demo:
        output:
            **{f"{d}_{kind}": path for d in config["datasets"]
               for kind, path in configured_dataset_files(d).items()},
            truth_shared=f"{RESOURCES}/truth/shared_genes.tsv",
            truth_de=f"{RESOURCES}/truth/de_genes.tsv",
            truth_samples=f"{RESOURCES}/truth/samples.tsv",
            truth_signatures=f"{RESOURCES}/truth/signatures.tsv",
            orthologs=f"{NCBI_GENE}/gene_orthologs.gz",
            human_info=f"{NCBI_GENE}/Homo_sapiens.gene_info.gz",
            signatures=[f"{RESOURCES}/signatures/{name}" for name in
                        ("depression_human.tsv", "anxiety_mouse.gmt", "random_control.gmt")],
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

    rule fetch_series_matrix:
        output:
            f"{RESOURCES}/{{series}}/{{series}}{{platform}}_series_matrix.txt.gz",
        wildcard_constraints:
            series="GSE[0-9]+",
            platform="(-GPL[0-9]+)?",
        params:
            offline=config["offline"],
            ncbi=config["ncbi"],
        log:
            f"{LOGS}/fetch/{{series}}{{platform}}_series_matrix.log",
        localrule: True
        conda:
            "../../envs/painstress.yaml"
        script:
            "../scripts/fetch_series_matrix.py"

    # One rule per organism: NCBI names counts and annotation by genome build, and a mixed
    # human/mouse series (GSE102556) has both; fetch_counts is the study organism's.
    for _organism in dict.fromkeys([ORGANISM, *DATASET_ORGANISM.values()]):
        _build = "" if _organism == ORGANISM else f"_{geo.NCBI_GENOMES[_organism][1]}"

        rule:
            name:
                "fetch_counts" if _organism == ORGANISM else
                f"fetch_counts_{geo.NCBI_GENOMES[_organism][0].lower()}"
            output:
                counts=f"{RESOURCES}/{{series}}/{geo.counts_filename('{series}', _organism)}",
                annotation=f"{RESOURCES}/{{series}}/{geo.annotation_filename(_organism)}",
            input:
                # needed first (the counts are checked against its samples); ancient: a
                # hand-placed matrix newer than hand-placed counts must not trigger a fetch
                series_matrix=ancient(series_matrix_for(_organism)),
            wildcard_constraints:
                series="GSE[0-9]+",
            params:
                offline=config["offline"],
                ncbi=config["ncbi"],
                organism=_organism,
            log:
                f"{LOGS}/fetch/{{series}}_counts{_build}.log",
            localrule: True
            conda:
                "../../envs/painstress.yaml"
            script:
                "../scripts/fetch_counts.py"

    rule fetch_ncbi_gene:
        output:
            orthologs=f"{NCBI_GENE}/gene_orthologs.gz",
            human_info=f"{NCBI_GENE}/Homo_sapiens.gene_info.gz",
        params:
            offline=config["offline"],
            ncbi=config["ncbi"],
        log:
            f"{LOGS}/fetch/ncbi_gene.log",
        localrule: True
        conda:
            "../../envs/painstress.yaml"
        script:
            "../scripts/fetch_ncbi_gene.py"

    rule check_remote:
        """`snakemake check_remote`: have downloaded files changed on the server?"""
        params:
            notes=lambda wildcards: sorted(Path(RESOURCES).glob("*/*.provenance.json")),
            ncbi=config["ncbi"],
        log:
            f"{LOGS}/check_remote.log",
        localrule: True
        conda:
            "../../envs/painstress.yaml"
        script:
            "../scripts/check_remote.py"
