# Genes changed the same way by pain and stress, per region and pooled, with statistics;
# the overlap's figures.


rule overlap:
    input:
        pain=expand(rules.deseq2.output.table, region=OVERLAP_REGIONS, contrast=PAIN_CONTRAST),
        stress=expand(rules.deseq2.output.table, region=OVERLAP_REGIONS, contrast=STRESS_CONTRAST),
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
    priority: PRIORITY_CHAIN
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


# One job draws every overlap figure: the counts per region, the UpSet plot of the shared
# genes, and each region's fold-change scatter and shared-gene heatmap.
rule overlap_figures:
    input:
        stats=rules.overlap.output.stats,
        shared=rules.overlap.output.genes,
        pain=expand(rules.deseq2.output.table, region=OVERLAP_REGIONS, contrast=PAIN_CONTRAST),
        stress=expand(rules.deseq2.output.table, region=OVERLAP_REGIONS, contrast=STRESS_CONTRAST),
        vst=expand(rules.vst.output.vst, region=OVERLAP_REGIONS),
        samples=rules.sample_sheet.output.samples,
    output:
        **figure_files(
            "overlap_counts",
            caption="../report/overlap_counts.rst",
            labels={"region": "all regions", "figure": "overlap counts"},
            category="5. Pain and stress overlap",
            subcategory="all regions",
        ),
        **figure_files(
            "shared_genes_upset",
            caption="../report/shared_genes_upset.rst",
            labels={"region": "all regions", "figure": "shared genes UpSet"},
            category="5. Pain and stress overlap",
            subcategory="all regions",
        ),
        **overlap_region_figure_outputs(),
    log:
        f"{LOGS}/overlap_figures.log",
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5 + 5 * len(OVERLAP_REGIONS),
    params:
        regions=OVERLAP_REGIONS,
        pain=PAIN_CONTRAST,
        stress=STRESS_CONTRAST,
        group_order=GROUPS,
        title=STUDY,
        counts_title=f"{STUDY}: genes changed in the same direction by {PAIN_CONTRAST} and {STRESS_CONTRAST}",
        # the captions' words for the modern definition (the shared genes')
        modern=significance_rule(config["de"]["thresholds"], "modern", long=True),
    script:
        "../scripts/overlap_figures.py"


if config["source"] == "simulate":

    rule truth_recovery:
        input:
            truth=rules.simulate_demo.output.truth_shared,
            found=rules.overlap.output.genes,
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
