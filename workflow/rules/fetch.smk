# Getting the data into resources/: simulated for the demo, downloaded from GEO otherwise.
# Network rules are local rules: on a cluster they run on the submitting (login) node.


checkpoint resolve_datasets:
    output:
        datasets=report(
            f"{RESULTS}/datasets.tsv",
            caption="../report/datasets.rst",
            labels={"table": "datasets"},
            category="2. Data",
        ),
        resolution=report(
            f"{RESULTS}/resolution.tsv",
            caption="../report/resolution.rst",
            labels={"table": "series found from the PMID"},
            category="2. Data",
        ),
    log:
        f"{LOGS}/resolve_datasets.log",
    localrule: True
    conda:
        "../../envs/painstress.yaml"
    params:
        source=config["source"],
        offline=config["offline"],
        datasets=config["datasets"],
        pmid=config["study"].get("pmid"),
        organism=ORGANISM,
        ncbi=NCBI_SETTINGS,
    script:
        "../scripts/resolve_datasets.py"


# A dataset resolved from its PMID may pool several series: their counts, joined by sample
# into one table (genes: those every series has; painstress.data.ncbi_fetch.join_series_counts).
rule pool_counts:
    input:
        counts=lambda wildcards: dataset_series_files(wildcards.dataset, "counts"),
    output:
        pooled_counts("{dataset}"),
    log:
        f"{LOGS}/pool_counts/{{dataset}}.log",
    wildcard_constraints:
        dataset="|".join(config["datasets"]),
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        series=lambda wildcards: [
            Path(path).parent.name for path in dataset_series_files(wildcards.dataset, "counts")
        ],
    script:
        "../scripts/pool_counts.py"


if config["source"] == "simulate":

    rule simulate_demo:
        output:
            **{
                f"{d}_{kind}": path
                for d, spec in config["datasets"].items()
                for kind, path in series_files(
                    spec["geo"], spec.get("platform"), DATASET_ORGANISM[d]
                ).items()
            },
            truth_shared=f"{RESOURCES}/truth/shared_genes.tsv",
            truth_de=f"{RESOURCES}/truth/de_genes.tsv",
            truth_samples=f"{RESOURCES}/truth/samples.tsv",
            truth_signatures=f"{RESOURCES}/truth/signatures.tsv",
            orthologs=f"{NCBI_GENE}/gene_orthologs.gz",
            human_info=f"{NCBI_GENE}/Homo_sapiens.gene_info.gz",
            signatures=[
                f"{RESOURCES}/signatures/{name}"
                for name in ("depression_human.tsv", "anxiety_mouse.gmt", "random_control.gmt")
            ],
            # the curated sources and pathway collections, in their real formats
            genesets=list(GENESET_FILES.values()),
            truth_genesets=f"{RESOURCES}/truth/genesets.tsv",
        log:
            f"{LOGS}/simulate_demo.log",
        conda:
            "../../envs/painstress.yaml"
        resources:
            mem_mb=2000,
            runtime=10,
        params:
            outdir=lambda wildcards, output: Path(output.truth_shared).parents[1],
            pain_series=config["datasets"]["pain"]["geo"],
            stress_series=config["datasets"]["stress"]["geo"],
            settings=config["simulate"],
        script:
            "../scripts/simulate_demo.py"

else:

    rule fetch_series_matrix:
        output:
            f"{RESOURCES}/{{series}}/{{series}}{{platform}}_series_matrix.txt.gz",
        log:
            f"{LOGS}/fetch/{{series}}{{platform}}_series_matrix.log",
        wildcard_constraints:
            series="GSE[0-9]+",
            platform="(-GPL[0-9]+)?",
        localrule: True
        conda:
            "../../envs/painstress.yaml"
        params:
            offline=config["offline"],
            ncbi=NCBI_SETTINGS,
        script:
            "../scripts/fetch_series_matrix.py"

    # One rule per organism: NCBI names counts and annotation by genome build, and a mixed
    # human/mouse series (GSE102556) has both; fetch_counts is the study organism's.
    # Counts and annotation by organism (NCBI names them by genome build, and a mixed
    # human/mouse series such as GSE102556 has both), one file per rule: a job with several
    # outputs would remove the ones already there (a user's hand-placed counts) before it runs.
    for _organism in dict.fromkeys([ORGANISM, *DATASET_ORGANISM.values()]):
        _build = "" if _organism == ORGANISM else f"_{ncbi_files.NCBI_GENOMES[_organism][1]}"
        _suffix = (
            ""
            if _organism == ORGANISM
            else (f"_{ncbi_files.NCBI_GENOMES[_organism][0].lower()}")
        )

        rule:
            name:
                f"fetch_counts{_suffix}"
            input:
                # needed first (the counts are checked against its samples); ancient: a
                # hand-placed matrix newer than hand-placed counts must not trigger a fetch
                series_matrix=ancient(counts_series_matrix(_organism)),
            output:
                f"{RESOURCES}/{{series}}/{ncbi_files.counts_filename('{series}', _organism)}",
            log:
                f"{LOGS}/fetch/{{series}}_counts{_build}.log",
            wildcard_constraints:
                series="GSE[0-9]+",
            localrule: True
            conda:
                "../../envs/painstress.yaml"
            params:
                offline=config["offline"],
                ncbi=NCBI_SETTINGS,
                organism=_organism,
                kind="counts",
            script:
                "../scripts/fetch_counts.py"

        rule:
            name:
                f"fetch_annotation{_suffix}"
            output:
                f"{RESOURCES}/{{series}}/{ncbi_files.annotation_filename(_organism)}",
            log:
                f"{LOGS}/fetch/{{series}}_annotation{_build}.log",
            wildcard_constraints:
                series="GSE[0-9]+",
            localrule: True
            conda:
                "../../envs/painstress.yaml"
            params:
                offline=config["offline"],
                ncbi=NCBI_SETTINGS,
                organism=_organism,
                kind="annotation",
            script:
                "../scripts/fetch_counts.py"

    # A curated gene-set source or pathway collection (config genesets), checked by
    # reading it as the workflow will.
    rule fetch_geneset:
        output:
            f"{GENESETS}/{{file}}",
        log:
            f"{LOGS}/fetch/genesets/{{file}}.log",
        wildcard_constraints:
            file="|".join(re.escape(Path(path).name) for path in GENESET_FILES.values()),
        localrule: True
        conda:
            "../../envs/painstress.yaml"
        params:
            url=lambda wildcards: GENESET_URLS[wildcards.file][1],
            kind=lambda wildcards: GENESET_URLS[wildcards.file][0],
            offline=config["offline"],
            ncbi=NCBI_SETTINGS,
        script:
            "../scripts/fetch_geneset.py"

    rule fetch_ncbi_gene:
        output:
            f"{NCBI_GENE}/{{file}}",
        log:
            f"{LOGS}/fetch/ncbi_gene/{{file}}.log",
        wildcard_constraints:
            file="gene_orthologs[.]gz|(Homo_sapiens|Mus_musculus)[.]gene_info[.]gz",
        localrule: True
        conda:
            "../../envs/painstress.yaml"
        params:
            offline=config["offline"],
            ncbi=NCBI_SETTINGS,
        script:
            "../scripts/fetch_ncbi_gene.py"

    # `snakemake check_remote`: have downloaded files changed on the server?
    rule check_remote:
        log:
            f"{LOGS}/check_remote.log",
        localrule: True
        conda:
            "../../envs/painstress.yaml"
        params:
            notes=lambda wildcards: sorted(Path(RESOURCES).glob("*/*.provenance.json")),
            ncbi=NCBI_SETTINGS,
        script:
            "../scripts/check_remote.py"
