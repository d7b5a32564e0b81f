# What the shared genes do: pathway collections (GO biological process, MSigDB hallmark and
# Reactome) from their official files; ORA of the shared genes and preranked GSEA of every
# pain and stress table; where the paper's themes appear; dot plots.


rule pathway_sets:
    input:
        files=lambda wildcards: [
            GENESET_FILES[key] for c in PATHWAY_COLLECTIONS for key in PATHWAY_SOURCES[c]
        ],
        genes=f"{RESULTS}/genes.tsv",
    output:
        sets=f"{RESULTS}/pathways/gene_sets.tsv.gz",
        sources=f"{RESULTS}/pathways/sources.tsv",
        # per collection: genes, how many are the study's (checked against min_mapped)
        collections=f"{RESULTS}/pathways/collections.tsv",
    log:
        f"{LOGS}/pathway_sets.log",
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=20,
    params:
        collections=PATHWAY_COLLECTIONS,
        sources={c: [GENESET_FILES[key] for key in PATHWAY_SOURCES[c]] for c in PATHWAY_COLLECTIONS},
        min_mapped=config["pathways"]["min_mapped"],
    script:
        "../scripts/pathway_sets.py"


rule pathway_ora:
    input:
        shared=f"{RESULTS}/overlap/shared_genes.tsv",
        pain=expand(f"{RESULTS}/de/{{region}}/{PAIN_CONTRAST}.tsv", region=OVERLAP_REGIONS),
        stress=expand(f"{RESULTS}/de/{{region}}/{STRESS_CONTRAST}.tsv", region=OVERLAP_REGIONS),
        sets=f"{RESULTS}/pathways/gene_sets.tsv.gz",
    output:
        report(
            f"{RESULTS}/pathways/ora.tsv",
            caption="../report/pathway_ora.rst",
            category="6. What the shared genes are",
            subcategory="pathways",
            labels={"table": "ORA of the shared genes"},
        ),
    log:
        f"{LOGS}/pathway_ora.log",
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        regions=OVERLAP_REGIONS,
        settings=config["pathways"],
    script:
        "../scripts/pathway_ora.py"


rule pathway_gsea:
    input:
        de=f"{RESULTS}/de/{{region}}/{{contrast}}.tsv",
        sets=f"{RESULTS}/pathways/gene_sets.tsv.gz",
    output:
        f"{RESULTS}/pathways/gsea/{{region}}/{{contrast}}.tsv",
    log:
        f"{LOGS}/pathway_gsea/{{region}}/{{contrast}}.log",
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=30,
    params:
        settings=config["pathways"],
    script:
        "../scripts/pathway_gsea.py"


rule pathway_themes:
    input:
        ora=f"{RESULTS}/pathways/ora.tsv",
        gsea=[table for _, _, table in gsea_tables()],
    output:
        themes=f"{RESULTS}/pathways/themes.tsv",
        summary=report(
            f"{RESULTS}/pathways/theme_summary.tsv",
            caption="../report/pathway_themes.rst",
            category="6. What the shared genes are",
            subcategory="pathways",
            labels={"table": "the paper's themes"},
        ),
        gsea=f"{RESULTS}/pathways/gsea.tsv",
    log:
        f"{LOGS}/pathway_themes.log",
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        tables=[(contrast, region) for contrast, region, _ in gsea_tables()],
        settings=config["pathways"],
    script:
        "../scripts/pathway_themes.py"


rule pathway_ora_figure:
    input:
        f"{RESULTS}/pathways/ora.tsv",
    output:
        png=report(
            f"{RESULTS}/figures/pathways/ora_{{definition}}.png",
            caption="../report/pathway_dotplot.rst",
            labels={
                "region": "pooled",
                "analysis": "ORA of the shared genes",
                "definition": "{definition}",
            },
            category="6. What the shared genes are",
            subcategory="pathways",
        ),
        pdf=f"{RESULTS}/figures/pathways/ora_{{definition}}.pdf",
    log:
        f"{LOGS}/pathway_figures/ora_{{definition}}.log",
    wildcard_constraints:
        definition="|".join(DEFINITIONS),
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        padj=config["pathways"]["padj"],
        title=STUDY,
    script:
        "../scripts/pathway_figures.py"


rule pathway_gsea_figure:
    input:
        f"{RESULTS}/pathways/gsea/{{region}}/{{contrast}}.tsv",
    output:
        png=report(
            f"{RESULTS}/figures/pathways/gsea_{{region}}_{{contrast}}.png",
            caption="../report/pathway_dotplot.rst",
            labels={
                "region": "{region}",
                "analysis": "GSEA of {contrast}",
                "definition": "threshold-free",
            },
            category="6. What the shared genes are",
            subcategory="pathways",
        ),
        pdf=f"{RESULTS}/figures/pathways/gsea_{{region}}_{{contrast}}.pdf",
    log:
        f"{LOGS}/pathway_figures/gsea_{{region}}_{{contrast}}.log",
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        padj=config["pathways"]["padj"],
        title=STUDY,
    script:
        "../scripts/pathway_figures.py"
