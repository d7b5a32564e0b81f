# Genes changed the same way by pain and stress, per region and pooled, with statistics.


rule overlap:
    input:
        pain=expand(f"{RESULTS}/de/{{region}}/{PAIN_CONTRAST}.tsv", region=OVERLAP_REGIONS),
        stress=expand(f"{RESULTS}/de/{{region}}/{STRESS_CONTRAST}.tsv", region=OVERLAP_REGIONS),
    output:
        genes=report(
            f"{RESULTS}/overlap/shared_genes.tsv",
            caption="../report/shared_genes.rst",
            labels={"region": "all regions", "table": "shared genes table"},
            category="5. Pain and stress overlap",
            subcategory="all regions",
        ),
        stats=report(
            f"{RESULTS}/overlap/overlap_stats.tsv",
            caption="../report/overlap_stats.rst",
            labels={"region": "all regions", "table": "overlap statistics"},
            category="5. Pain and stress overlap",
            subcategory="all regions",
        ),
        summary=report(
            f"{RESULTS}/overlap/shared_count_summary.tsv",
            caption="../report/shared_count_summary.rst",
            labels={"region": "all regions", "table": "shared-gene counts vs the paper"},
            category="5. Pain and stress overlap",
            subcategory="all regions",
        ),
    log:
        f"{LOGS}/overlap.log",
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        regions=OVERLAP_REGIONS,
        thresholds=config["de"]["thresholds"],
        reported=config["overlap"]["reported"],
        permutations=config["overlap"]["permutations"],
        expression_bins=config["overlap"]["expression_bins"],
        seed=config["overlap"]["seed"],
    script:
        "../scripts/overlap.py"


if config["source"] == "simulate":

    rule truth_recovery:
        input:
            truth=f"{RESOURCES}/truth/shared_genes.tsv",
            found=f"{RESULTS}/overlap/shared_genes.tsv",
        output:
            report(
                f"{RESULTS}/truth_recovery.tsv",
                caption="../report/truth_recovery.rst",
                labels={"table": "recovery of the planted truth"},
                category="7. Demo: planted truth",
            ),
        log:
            f"{LOGS}/truth_recovery.log",
        conda:
            "../../envs/painstress.yaml"
        threads: 1
        resources:
            mem_mb=500,
            runtime=5,
        script:
            "../scripts/truth_recovery.py"
