# What the shared genes do: pathway collections (GO biological process, MSigDB hallmark and
# Reactome) from their official files; ORA of the shared genes and preranked GSEA of every
# pain and stress table; where the paper's themes appear; dot plots. Two jobs: the
# collections with the ORA, then every GSEA with the themes.


rule pathway_ora:
    input:
        files=[GENESET_FILES[key] for c in PATHWAY_COLLECTIONS for key in PATHWAY_SOURCES[c]],
        genes=rules.sample_sheet.output.genes,
        shared=rules.overlap.output.genes,
        pain=rules.overlap.input.pain,
        stress=rules.overlap.input.stress,
    output:
        **pathway_dotplots(
            (f"ora_{d}", "pooled", "ORA of the shared genes", d) for d in DEFINITIONS
        ),
        sets=f"{RESULTS}/pathways/gene_sets.tsv.gz",
        sources=f"{RESULTS}/pathways/sources.tsv",
        # per collection: genes, how many are the study's (checked against min_mapped)
        collections=f"{RESULTS}/pathways/collections.tsv",
        # every test; the report holds the significant ones (a whole table of GO terms
        # would be most of the report's size)
        ora=f"{RESULTS}/pathways/ora.tsv",
        significant=report(
            f"{RESULTS}/pathways/ora_significant.tsv",
            caption="../report/pathway_ora.rst",
            category="6. What the shared genes are",
            subcategory="pathways",
            labels={"table": "ORA of the shared genes"},
        ),
    log:
        f"{LOGS}/pathway_ora.log",
    priority: PRIORITY_CHAIN
    group:
        "pathways"
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    params:
        collections=PATHWAY_COLLECTIONS,
        sources={c: [GENESET_FILES[key] for key in PATHWAY_SOURCES[c]] for c in PATHWAY_COLLECTIONS},
        min_mapped=config["pathways"]["min_mapped"],
        regions=OVERLAP_REGIONS,
        definitions=DEFINITIONS,
        settings=config["pathways"],
        title=STUDY,
    script:
        "../scripts/pathway_ora.py"


rule pathway_gsea:
    input:
        de=[de_file(region, contrast) for contrast, region, _ in gsea_tables()],
        sets=rules.pathway_ora.output.sets,
        ora=rules.pathway_ora.output.ora,
    output:
        **pathway_dotplots(
            (f"gsea_{region}_{contrast}", region, f"GSEA of {contrast}", "threshold-free")
            for contrast, region, _ in gsea_tables()
        ),
        tables=[table for _, _, table in gsea_tables()],
        gsea=f"{RESULTS}/pathways/gsea.tsv",
        themes=f"{RESULTS}/pathways/themes.tsv",
        summary=report(
            f"{RESULTS}/pathways/theme_summary.tsv",
            caption="../report/pathway_themes.rst",
            category="6. What the shared genes are",
            subcategory="pathways",
            labels={"table": "the paper's themes"},
        ),
    log:
        f"{LOGS}/pathway_gsea.log",
    priority: PRIORITY_CHAIN
    group:
        "pathways"
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=30 * max(1, len(gsea_tables())),
    params:
        tables=[(contrast, region) for contrast, region, _ in gsea_tables()],
        settings=config["pathways"],
        title=STUDY,
    script:
        "../scripts/pathway_gsea.py"
