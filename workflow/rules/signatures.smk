# Pain against depression/anxiety signatures: gene sets from files (human ones through NCBI
# orthologs) and other studies' contrasts; overlap tests, the shared-gene table with each
# gene's memberships, RRHO2 maps. (The pain x stress test is rule overlap's.)


if FILE_SIGNATURES:

    rule signature_sets:
        input:
            **signature_files(),
            genes=f"{RESULTS}/genes.tsv",
        output:
            genes=f"{RESULTS}/signatures/gene_sets.tsv",
            mapping=report(
                f"{RESULTS}/signatures/mapping.tsv",
                caption="../report/signature_mapping.rst",
                labels={"region": "all regions", "table": "signature files mapped"},
                category="6. What the shared genes are",
                subcategory="all regions",
            ),
        log:
            f"{LOGS}/signature_sets.log",
        conda:
            "../../envs/painstress.yaml"
        threads: 1
        resources:
            mem_mb=2000,
            runtime=10,
        params:
            names=list(FILE_SIGNATURES),
            one_to_one=config["signatures"]["one_to_one"],
            min_mapped=config["signatures"]["min_mapped"],
        script:
            "../scripts/signature_sets.py"


if HUMAN_SIGNATURES:

    rule map_signature_contrasts:
        """Human contrast signatures (e.g. MDD vs control) onto mouse genes, before the tests."""
        input:
            human=[human for _, _, human, _ in human_signature_tables()],
            orthologs=f"{NCBI_GENE}/gene_orthologs.gz",
            genes=f"{RESULTS}/genes.tsv",
        output:
            mouse=[mouse for _, _, _, mouse in human_signature_tables()],
            mapping=report(
                f"{RESULTS}/signatures/contrast_mapping.tsv",
                caption="../report/contrast_mapping.rst",
                labels={"region": "all regions", "table": "human contrasts mapped"},
                category="6. What the shared genes are",
                subcategory="all regions",
            ),
        log:
            f"{LOGS}/map_signature_contrasts.log",
        conda:
            "../../envs/painstress.yaml"
        threads: 1
        resources:
            mem_mb=2000,
            runtime=10,
        params:
            tables=[(name, region) for name, region, _, _ in human_signature_tables()],
            one_to_one=config["signatures"]["one_to_one"],
        script:
            "../scripts/map_signature_contrasts.py"


rule signature_tests:
    input:
        pain=expand(
            f"{RESULTS}/de/{{region}}/{PAIN_CONTRAST}.tsv",
            region=CONTRASTS[PAIN_CONTRAST]["regions"],
        ),
        stress=expand(f"{RESULTS}/de/{{region}}/{STRESS_CONTRAST}.tsv", region=OVERLAP_REGIONS),
        contrasts=[table for _, _, table in contrast_signature_tables()],
        gene_sets=[f"{RESULTS}/signatures/gene_sets.tsv"] if FILE_SIGNATURES else [],
        ora=[f"{RESULTS}/pathways/ora.tsv"] if PATHWAY_COLLECTIONS else [],
    output:
        tests=report(
            f"{RESULTS}/overlap/signature_tests.tsv",
            caption="../report/signature_tests.rst",
            labels={"region": "all regions", "table": "signature tests"},
            category="6. What the shared genes are",
            subcategory="all regions",
        ),
        genes=report(
            f"{RESULTS}/overlap/pain_stress_genes.tsv",
            caption="../report/pain_stress_genes.rst",
            labels={"region": "all regions", "table": "the shared-gene table"},
            category="5. Pain and stress overlap",
            subcategory="all regions",
        ),
    log:
        f"{LOGS}/signature_tests.log",
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        names=(PAIN_CONTRAST, STRESS_CONTRAST),
        pain_regions=CONTRASTS[PAIN_CONTRAST]["regions"],
        overlap_regions=OVERLAP_REGIONS,
        contrast_tables=[(name, region) for name, region, _ in contrast_signature_tables()],
        order=list(SIGNATURES),
        pathway_padj=config["pathways"]["padj"],
    script:
        "../scripts/signature_tests.py"


rule rrho2:
    input:
        pain=f"{RESULTS}/de/{{region}}/{PAIN_CONTRAST}.tsv",
        stress=f"{RESULTS}/de/{{region}}/{STRESS_CONTRAST}.tsv",
    output:
        png=report(
            f"{RESULTS}/figures/{{region}}/rrho2_pain_vs_stress.png",
            caption="../report/rrho2.rst",
            labels={"region": "{region}", "figure": "RRHO2 map"},
            category="5. Pain and stress overlap",
            subcategory="{region}",
        ),
        pdf=f"{RESULTS}/figures/{{region}}/rrho2_pain_vs_stress.pdf",
        cells=f"{RESULTS}/overlap/rrho2/{{region}}.tsv",
    log:
        f"{LOGS}/rrho2/{{region}}.log",
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        step=config["signatures"]["rrho_step"],
        permutations=config["overlap"]["permutations"],
        seed=config["overlap"]["seed"],
        pain=PAIN_CONTRAST,
        stress=STRESS_CONTRAST,
    script:
        "../scripts/rrho2.py"


rule signature_figures:
    input:
        tests=f"{RESULTS}/overlap/signature_tests.tsv",
        shared=f"{RESULTS}/overlap/shared_genes.tsv",
    output:
        heatmap=report(
            f"{RESULTS}/figures/signature_overlap.png",
            caption="../report/signature_overlap.rst",
            labels={"region": "all regions", "figure": "signature heatmap"},
            category="6. What the shared genes are",
            subcategory="all regions",
        ),
        heatmap_pdf=f"{RESULTS}/figures/signature_overlap.pdf",
        upset=report(
            f"{RESULTS}/figures/shared_genes_upset.png",
            caption="../report/shared_genes_upset.rst",
            labels={"region": "all regions", "figure": "shared genes UpSet"},
            category="5. Pain and stress overlap",
            subcategory="all regions",
        ),
        upset_pdf=f"{RESULTS}/figures/shared_genes_upset.pdf",
    log:
        f"{LOGS}/signature_figures.log",
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        regions=[*CONTRASTS[PAIN_CONTRAST]["regions"], "pooled"],
        overlap_regions=OVERLAP_REGIONS,
        title=STUDY,
    script:
        "../scripts/signature_figures.py"


rule curated_signature:
    """A depression/anxiety signature from a curated public source, in the signature-file
    format (human genes for the GWAS Catalog and DISEASES, mouse genes for MGI)."""
    input:
        lambda wildcards: [
            GENESET_FILES[key] for key in CURATED_KINDS[CURATED_SIGNATURES[wildcards.name]]
        ],
    output:
        f"{RESULTS}/signatures/curated/{{name}}.tsv",
    log:
        f"{LOGS}/curated_signature/{{name}}.log",
    wildcard_constraints:
        name="|".join(CURATED_SIGNATURES) or "^$",
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=6000,
        runtime=20,
    params:
        kind=lambda wildcards: CURATED_SIGNATURES[wildcards.name],
        spec=lambda wildcards: SIGNATURES[wildcards.name],
    script:
        "../scripts/curated_signature.py"
