# Figures: PNG for reading and the report, PDF for print. Captions: workflow/report/.
GROUPS = list(all_factors(config["samples"]["factors"], config["datasets"])["group"])


rule library_sizes_figure:
    input:
        samples=f"{RESULTS}/samples.tsv",
        counts=dataset_files("counts", QC_DATASETS),  # study organism only (common.smk)
    output:
        png=report(
            f"{RESULTS}/figures/library_sizes.png",
            caption="../report/library_sizes.rst",
            category="1. Data",
        ),
        pdf=f"{RESULTS}/figures/library_sizes.pdf",
    log:
        f"{LOGS}/library_sizes_figure.log",
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        datasets=QC_DATASETS,
        group_order=GROUPS,
        region_order=QC_REGIONS,
    script:
        "../scripts/library_sizes_figure.py"


rule qc_figures:
    input:
        vst=f"{RESULTS}/qc/{{region}}.vst.tsv.gz",
        samples=f"{RESULTS}/samples.tsv",
    output:
        pca=report(
            f"{RESULTS}/figures/{{region}}/pca.png",
            caption="../report/pca.rst",
            category="2. Sample QC",
            subcategory="{region}",
        ),
        pca_pdf=f"{RESULTS}/figures/{{region}}/pca.pdf",
        distances=report(
            f"{RESULTS}/figures/{{region}}/sample_distances.png",
            caption="../report/sample_distances.rst",
            category="2. Sample QC",
            subcategory="{region}",
        ),
        distances_pdf=f"{RESULTS}/figures/{{region}}/sample_distances.pdf",
    log:
        f"{LOGS}/qc_figures/{{region}}.log",
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        group_order=GROUPS,
    script:
        "../scripts/qc_figures.py"


rule de_figures:
    input:
        table=f"{RESULTS}/de/{{region}}/{{contrast}}.tsv",
        summary=f"{RESULTS}/de/{{region}}/{{contrast}}.summary.tsv",
    output:
        volcano=report(
            f"{RESULTS}/figures/{{region}}/volcano_{{contrast}}.png",
            caption="../report/volcano.rst",
            category="3. Differential expression",
            subcategory="{region}",
        ),
        volcano_pdf=f"{RESULTS}/figures/{{region}}/volcano_{{contrast}}.pdf",
        ma=report(
            f"{RESULTS}/figures/{{region}}/ma_{{contrast}}.png",
            caption="../report/ma.rst",
            category="3. Differential expression",
            subcategory="{region}",
        ),
        ma_pdf=f"{RESULTS}/figures/{{region}}/ma_{{contrast}}.pdf",
        pvalues=report(
            f"{RESULTS}/figures/{{region}}/pvalues_{{contrast}}.png",
            caption="../report/pvalues.rst",
            category="3. Differential expression",
            subcategory="{region}",
        ),
        pvalues_pdf=f"{RESULTS}/figures/{{region}}/pvalues_{{contrast}}.pdf",
    log:
        f"{LOGS}/de_figures/{{region}}.{{contrast}}.log",
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        thresholds=config["de"]["thresholds"],
    script:
        "../scripts/de_figures.py"


rule overlap_region_figures:
    input:
        pain=f"{RESULTS}/de/{{region}}/{PAIN_CONTRAST}.tsv",
        stress=f"{RESULTS}/de/{{region}}/{STRESS_CONTRAST}.tsv",
        shared=f"{RESULTS}/overlap/shared_genes.tsv",
        vst=f"{RESULTS}/qc/{{region}}.vst.tsv.gz",
        samples=f"{RESULTS}/samples.tsv",
    output:
        scatter=report(
            f"{RESULTS}/figures/{{region}}/fold_changes_pain_vs_stress.png",
            caption="../report/fold_change_scatter.rst",
            category="4. Pain and stress overlap",
            subcategory="{region}",
        ),
        scatter_pdf=f"{RESULTS}/figures/{{region}}/fold_changes_pain_vs_stress.pdf",
        heatmap=report(
            f"{RESULTS}/figures/{{region}}/shared_genes_heatmap.png",
            caption="../report/shared_heatmap.rst",
            category="4. Pain and stress overlap",
            subcategory="{region}",
        ),
        heatmap_pdf=f"{RESULTS}/figures/{{region}}/shared_genes_heatmap.pdf",
    log:
        f"{LOGS}/overlap_region_figures/{{region}}.log",
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        pain=PAIN_CONTRAST,
        stress=STRESS_CONTRAST,
        group_order=GROUPS,
    script:
        "../scripts/overlap_region_figures.py"


rule overlap_figure:
    input:
        stats=f"{RESULTS}/overlap/overlap_stats.tsv",
    output:
        png=report(
            f"{RESULTS}/figures/overlap_counts.png",
            caption="../report/overlap_counts.rst",
            category="4. Pain and stress overlap",
            subcategory="all regions",
        ),
        pdf=f"{RESULTS}/figures/overlap_counts.pdf",
    log:
        f"{LOGS}/overlap_figure.log",
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        title=f"{STUDY}: genes changed in the same direction by {PAIN_CONTRAST} and {STRESS_CONTRAST}",
    script:
        "../scripts/overlap_figure.py"


rule table_page:
    input:
        lambda wildcards: f"{RESULTS}/{REPORT_TABLES[wildcards.table][0]}",
    output:
        report(
            f"{RESULTS}/tables/{{table}}.html",
            caption="../report/table_page.rst",
            category="0. Key tables",
        ),
    log:
        f"{LOGS}/table_page/{{table}}.log",
    wildcard_constraints:
        table="|".join(REPORT_TABLES),
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        title=lambda wildcards: REPORT_TABLES[wildcards.table][1],
    script:
        "../scripts/table_page.py"
