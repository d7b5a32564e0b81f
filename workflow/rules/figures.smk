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
            labels={"figure": "library sizes"},
            category="2. Data",
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
        normalised=f"{RESULTS}/qc/{{region}}.normalised_counts.tsv.gz",
        size_factors=f"{RESULTS}/qc/{{region}}.size_factors.tsv",
    output:
        distributions=report(
            f"{RESULTS}/figures/{{region}}/count_distributions.png",
            caption="../report/count_distributions.rst",
            labels={"region": "{region}", "figure": "count distributions"},
            category="3. Sample QC",
            subcategory="{region}",
        ),
        distributions_pdf=f"{RESULTS}/figures/{{region}}/count_distributions.pdf",
        pca=report(
            f"{RESULTS}/figures/{{region}}/pca.png",
            caption="../report/pca.rst",
            labels={"region": "{region}", "figure": "PCA"},
            category="3. Sample QC",
            subcategory="{region}",
        ),
        pca_pdf=f"{RESULTS}/figures/{{region}}/pca.pdf",
        distances=report(
            f"{RESULTS}/figures/{{region}}/sample_distances.png",
            caption="../report/sample_distances.rst",
            labels={"region": "{region}", "figure": "sample distances"},
            category="3. Sample QC",
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
        dispersions=f"{RESULTS}/de/{{region}}/{{contrast}}.dispersions.tsv.gz",
    output:
        volcano=report(
            f"{RESULTS}/figures/{{region}}/volcano_{{contrast}}.png",
            caption="../report/volcano.rst",
            labels={"region": "{region}", "contrast": "{contrast}", "figure": "volcano"},
            category="4. Differential expression",
            subcategory="{region}",
        ),
        volcano_pdf=f"{RESULTS}/figures/{{region}}/volcano_{{contrast}}.pdf",
        ma=report(
            f"{RESULTS}/figures/{{region}}/ma_{{contrast}}.png",
            caption="../report/ma.rst",
            labels={"region": "{region}", "contrast": "{contrast}", "figure": "MA plot"},
            category="4. Differential expression",
            subcategory="{region}",
        ),
        ma_pdf=f"{RESULTS}/figures/{{region}}/ma_{{contrast}}.pdf",
        pvalues=report(
            f"{RESULTS}/figures/{{region}}/pvalues_{{contrast}}.png",
            caption="../report/pvalues.rst",
            labels={"region": "{region}", "contrast": "{contrast}", "figure": "p-value histogram"},
            category="4. Differential expression",
            subcategory="{region}",
        ),
        pvalues_pdf=f"{RESULTS}/figures/{{region}}/pvalues_{{contrast}}.pdf",
        dispersion=report(
            f"{RESULTS}/figures/{{region}}/dispersion_{{contrast}}.png",
            caption="../report/dispersion.rst",
            labels={"region": "{region}", "contrast": "{contrast}", "figure": "dispersion"},
            category="4. Differential expression",
            subcategory="{region}",
        ),
        dispersion_pdf=f"{RESULTS}/figures/{{region}}/dispersion_{{contrast}}.pdf",
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
            labels={"region": "{region}", "figure": "fold changes, pain vs stress"},
            category="5. Pain and stress overlap",
            subcategory="{region}",
        ),
        scatter_pdf=f"{RESULTS}/figures/{{region}}/fold_changes_pain_vs_stress.pdf",
        heatmap=report(
            f"{RESULTS}/figures/{{region}}/shared_genes_heatmap.png",
            caption="../report/shared_heatmap.rst",
            labels={"region": "{region}", "figure": "shared genes heatmap"},
            category="5. Pain and stress overlap",
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
            labels={"region": "all regions", "figure": "overlap counts"},
            category="5. Pain and stress overlap",
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
            labels={"table": "{table}"},
            category="1. Key tables",
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


rule shared_gene_counts:
    input:
        genes=f"{RESULTS}/overlap/pain_stress_genes.tsv",
        normalised=expand(f"{RESULTS}/qc/{{region}}.normalised_counts.tsv.gz", region=QC_REGIONS),
        samples=f"{RESULTS}/samples.tsv",
    output:
        png=report(
            f"{RESULTS}/figures/shared_genes_counts.png",
            caption="../report/shared_genes_counts.rst",
            labels={"region": "all regions", "figure": "top shared genes: counts per sample"},
            category="5. Pain and stress overlap",
            subcategory="all regions",
        ),
        pdf=f"{RESULTS}/figures/shared_genes_counts.pdf",
    log:
        f"{LOGS}/shared_gene_counts.log",
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        regions=QC_REGIONS,
        groups={
            "pain": (CONTRASTS[PAIN_CONTRAST]["test"], CONTRASTS[PAIN_CONTRAST]["reference"]),
            "stress": (
                CONTRASTS[STRESS_CONTRAST]["test"],
                CONTRASTS[STRESS_CONTRAST]["reference"],
            ),
        },
        contrast_regions={
            "pain": CONTRASTS[PAIN_CONTRAST]["regions"],
            "stress": CONTRASTS[STRESS_CONTRAST]["regions"],
        },
        n_genes=8,
        title=STUDY,
    script:
        "../scripts/shared_gene_counts.py"
