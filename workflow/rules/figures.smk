# Figures: PNG for reading and the report, PDF for print. Captions: workflow/report/.
GROUPS = list(all_factors(config["samples"]["factors"], config["datasets"])["group"])


rule library_sizes_figure:
    input:
        samples=f"{RESULTS}/samples.tsv",
        counts=all_dataset_files("counts", QC_DATASETS),  # study organism only (common.smk)
    output:
        png=report(f"{RESULTS}/figures/library_sizes.png",
                   caption="../report/library_sizes.rst", category="1. Data"),
        pdf=f"{RESULTS}/figures/library_sizes.pdf",
    params:
        datasets=QC_DATASETS,
        group_order=GROUPS,
        region_order=QC_REGIONS,
    log:
        f"{LOGS}/library_sizes_figure.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../../envs/painstress.yaml"
    script:
        "../scripts/library_sizes_figure.py"


rule qc_figures:
    input:
        vst=f"{RESULTS}/qc/{{region}}.vst.tsv.gz",
        samples=f"{RESULTS}/samples.tsv",
    output:
        pca=report(f"{RESULTS}/figures/{{region}}/pca.png", caption="../report/pca.rst",
                   category="2. Sample QC", subcategory="{region}"),
        pca_pdf=f"{RESULTS}/figures/{{region}}/pca.pdf",
        distances=report(f"{RESULTS}/figures/{{region}}/sample_distances.png",
                         caption="../report/sample_distances.rst",
                         category="2. Sample QC", subcategory="{region}"),
        distances_pdf=f"{RESULTS}/figures/{{region}}/sample_distances.pdf",
    params:
        group_order=GROUPS,
    log:
        f"{LOGS}/qc_figures/{{region}}.log",
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    conda:
        "../../envs/painstress.yaml"
    script:
        "../scripts/qc_figures.py"


rule de_figures:
    input:
        table=f"{RESULTS}/de/{{region}}/{{contrast}}.tsv",
        summary=f"{RESULTS}/de/{{region}}/{{contrast}}.summary.tsv",
    output:
        volcano=report(f"{RESULTS}/figures/{{region}}/volcano_{{contrast}}.png",
                       caption="../report/volcano.rst", category="3. Differential expression",
                       subcategory="{region}"),
        volcano_pdf=f"{RESULTS}/figures/{{region}}/volcano_{{contrast}}.pdf",
        ma=report(f"{RESULTS}/figures/{{region}}/ma_{{contrast}}.png",
                  caption="../report/ma.rst", category="3. Differential expression",
                  subcategory="{region}"),
        ma_pdf=f"{RESULTS}/figures/{{region}}/ma_{{contrast}}.pdf",
        pvalues=report(f"{RESULTS}/figures/{{region}}/pvalues_{{contrast}}.png",
                       caption="../report/pvalues.rst", category="3. Differential expression",
                       subcategory="{region}"),
        pvalues_pdf=f"{RESULTS}/figures/{{region}}/pvalues_{{contrast}}.pdf",
    params:
        thresholds=config["de"]["thresholds"],
    log:
        f"{LOGS}/de_figures/{{region}}.{{contrast}}.log",
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    conda:
        "../../envs/painstress.yaml"
    script:
        "../scripts/de_figures.py"


rule overlap_region_figures:
    input:
        pain=f"{RESULTS}/de/{{region}}/{PAIN}.tsv",
        stress=f"{RESULTS}/de/{{region}}/{STRESS}.tsv",
        shared=f"{RESULTS}/overlap/shared_genes.tsv",
        vst=f"{RESULTS}/qc/{{region}}.vst.tsv.gz",
        samples=f"{RESULTS}/samples.tsv",
    output:
        scatter=report(f"{RESULTS}/figures/{{region}}/fold_changes_pain_vs_stress.png",
                       caption="../report/fold_change_scatter.rst",
                       category="4. Pain and stress overlap", subcategory="{region}"),
        scatter_pdf=f"{RESULTS}/figures/{{region}}/fold_changes_pain_vs_stress.pdf",
        heatmap=report(f"{RESULTS}/figures/{{region}}/shared_genes_heatmap.png",
                       caption="../report/shared_heatmap.rst",
                       category="4. Pain and stress overlap", subcategory="{region}"),
        heatmap_pdf=f"{RESULTS}/figures/{{region}}/shared_genes_heatmap.pdf",
    params:
        pain=PAIN,
        stress=STRESS,
        group_order=GROUPS,
    log:
        f"{LOGS}/overlap_region_figures/{{region}}.log",
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    conda:
        "../../envs/painstress.yaml"
    script:
        "../scripts/overlap_region_figures.py"


rule overlap_figure:
    input:
        stats=f"{RESULTS}/overlap/overlap_stats.tsv",
    output:
        png=report(f"{RESULTS}/figures/overlap_counts.png", caption="../report/overlap_counts.rst",
                   category="4. Pain and stress overlap", subcategory="all regions"),
        pdf=f"{RESULTS}/figures/overlap_counts.pdf",
    params:
        title=f"{STUDY}: genes changed in the same direction by {PAIN} and {STRESS}",
    log:
        f"{LOGS}/overlap_figure.log",
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    conda:
        "../../envs/painstress.yaml"
    script:
        "../scripts/overlap_figure.py"


TABLES = {  # page name -> (TSV, title)
    "samples": ("samples.tsv", "Sample sheet"),
    "de_summary": ("de/summary.tsv", "Differential expression: one row per fit"),
    "overlap_stats": ("overlap/overlap_stats.tsv", "Pain and stress overlap statistics"),
    "shared_genes": ("overlap/shared_genes.tsv", "Genes shared by pain and stress"),
    "truth_recovery": ("truth_recovery.tsv", "Demo: recovery of the planted shared genes"),
    "pain_stress_genes": ("overlap/pain_stress_genes.tsv",
                          "Genes changed the same way by pain and stress, with signatures"),
    "shared_count_summary": ("overlap/shared_count_summary.tsv",
                             "How many shared genes, next to the paper's number"),
    "signature_tests": ("overlap/signature_tests.tsv", "Pain against every signature"),
    "signature_mapping": ("signatures/mapping.tsv", "Signatures: genes read and mapped"),
    "contrast_mapping": ("signatures/contrast_mapping.tsv",
                         "Human contrast signatures: genes mapped to mouse"),
}


rule table_page:
    input:
        lambda wildcards: f"{RESULTS}/{TABLES[wildcards.table][0]}",
    output:
        report(f"{RESULTS}/tables/{{table}}.html", caption="../report/table_page.rst",
               category="0. Key tables"),
    params:
        title=lambda wildcards: TABLES[wildcards.table][1],
    wildcard_constraints:
        table="|".join(TABLES),
    log:
        f"{LOGS}/table_page/{{table}}.log",
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    conda:
        "../../envs/painstress.yaml"
    script:
        "../scripts/table_page.py"
