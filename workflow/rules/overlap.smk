# Genes changed the same way by pain and stress, per region and pooled, with statistics.


rule overlap:
    input:
        pain=expand(f"{RESULTS}/de/{{region}}/{PAIN}.tsv", region=OVERLAP_REGIONS),
        stress=expand(f"{RESULTS}/de/{{region}}/{STRESS}.tsv", region=OVERLAP_REGIONS),
    output:
        genes=f"{RESULTS}/overlap/shared_genes.tsv",
        stats=f"{RESULTS}/overlap/overlap_stats.tsv",
    params:
        regions=OVERLAP_REGIONS,
    log:
        f"{LOGS}/overlap.log",
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../../envs/painstress.yaml"
    script:
        "../scripts/overlap.py"


if config["source"] == "simulate":

    rule truth_recovery:
        input:
            truth=f"{RESOURCES}/truth/shared_genes.tsv",
            found=f"{RESULTS}/overlap/shared_genes.tsv",
        output:
            f"{RESULTS}/truth_recovery.tsv",
        log:
            f"{LOGS}/truth_recovery.log",
        resources:
            mem_mb=500,
            runtime=5,
        conda:
            "../../envs/painstress.yaml"
        script:
            "../scripts/truth_recovery.py"
