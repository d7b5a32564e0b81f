# Figures: PNG for reading and the report, PDF for print.


rule de_figures:
    input:
        table=f"{RESULTS}/de/{{region}}/{{contrast}}.tsv",
        summary=f"{RESULTS}/de/{{region}}/{{contrast}}.summary.tsv",
    output:
        volcano=f"{RESULTS}/figures/{{region}}/volcano_{{contrast}}.png",
        volcano_pdf=f"{RESULTS}/figures/{{region}}/volcano_{{contrast}}.pdf",
        ma=f"{RESULTS}/figures/{{region}}/ma_{{contrast}}.png",
        ma_pdf=f"{RESULTS}/figures/{{region}}/ma_{{contrast}}.pdf",
    params:
        thresholds=config["de"]["thresholds"],
    log:
        f"{LOGS}/de_figures/{{region}}.{{contrast}}.log",
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../../envs/painstress.yaml"
    script:
        "../scripts/de_figures.py"


rule pca_figure:
    input:
        vst=f"{RESULTS}/qc/{{region}}.vst.tsv.gz",
        samples=f"{RESULTS}/samples.tsv",
    output:
        png=f"{RESULTS}/figures/{{region}}/pca.png",
        pdf=f"{RESULTS}/figures/{{region}}/pca.pdf",
    params:
        group_order=list(config["samples"]["factors"]["group"]),
    log:
        f"{LOGS}/pca_figure/{{region}}.log",
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../../envs/painstress.yaml"
    script:
        "../scripts/pca_figure.py"


rule overlap_figure:
    input:
        stats=f"{RESULTS}/overlap/overlap_stats.tsv",
    output:
        png=f"{RESULTS}/figures/overlap_counts.png",
        pdf=f"{RESULTS}/figures/overlap_counts.pdf",
    params:
        title=f"{STUDY}: genes changed in the same direction by {PAIN} and {STRESS}",
    log:
        f"{LOGS}/overlap_figure.log",
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../../envs/painstress.yaml"
    script:
        "../scripts/overlap_figure.py"
