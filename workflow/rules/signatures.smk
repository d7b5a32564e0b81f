# Pain against depression/anxiety signatures: gene sets from files (human ones through NCBI
# orthologs), curated public sources and other studies' contrasts; overlap tests, the
# shared-gene table with each gene's memberships, RRHO2 maps. (The pain x stress test is
# rule overlap's.)


if FILE_SIGNATURES:

    # One job: the signatures built from curated public sources (in the signature-file
    # format: human genes for the GWAS Catalog and DISEASES, mouse genes for MGI), then
    # every gene-set file read into mouse genes.
    rule signature_sets:
        input:
            files=[path for n, path in FILE_SIGNATURES.items() if n not in CURATED_SIGNATURES],
            sources=[
                GENESET_FILES[key]
                for kind in dict.fromkeys(CURATED_SIGNATURES.values())
                for key in CURATED_KINDS[kind]
            ],
            orthologs=signature_files()["orthologs"],
            human_info=signature_files()["human_info"],
            genes=rules.sample_sheet.output.genes,
        output:
            curated=[curated_file(name) for name in CURATED_SIGNATURES],
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
        priority: PRIORITY_CHAIN
        conda:
            "../../envs/painstress.yaml"
        threads: 1
        resources:
            mem_mb=6000 if CURATED_SIGNATURES else 2000,
            runtime=20 if CURATED_SIGNATURES else 10,
        params:
            files=FILE_SIGNATURES,
            # name -> (kind, its config entry, its source files)
            curated={
                name: (kind, SIGNATURES[name], [GENESET_FILES[k] for k in CURATED_KINDS[kind]])
                for name, kind in CURATED_SIGNATURES.items()
            },
            one_to_one=config["signatures"]["one_to_one"],
            min_mapped=config["signatures"]["min_mapped"],
        script:
            "../scripts/signature_sets.py"


if HUMAN_SIGNATURES:

    rule map_signature_contrasts:
        """Human contrast signatures (e.g. MDD vs control) onto mouse genes, before the tests."""
        input:
            human=[human for _, _, human, _ in human_signature_tables()],
            orthologs=signature_files()["orthologs"],
            genes=rules.sample_sheet.output.genes,
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
        pain=de_files(contrasts=[PAIN_CONTRAST]),
        stress=expand(rules.deseq2.output.table, region=OVERLAP_REGIONS, contrast=STRESS_CONTRAST),
        contrasts=[table for _, _, table in contrast_signature_tables()],
        gene_sets=[rules.signature_sets.output.genes] if FILE_SIGNATURES else [],
        ora=[rules.pathway_ora.output.ora] if PATHWAY_COLLECTIONS else [],
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
    priority: PRIORITY_CHAIN
    group:
        "signatures"
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
        pain=de_file("{region}", PAIN_CONTRAST),
        stress=de_file("{region}", STRESS_CONTRAST),
    output:
        png=report(
            figure("rrho2_pain_vs_stress", "{region}"),
            caption="../report/rrho2.rst",
            labels={"region": "{region}", "figure": "RRHO2 map"},
            category="5. Pain and stress overlap",
            subcategory="{region}",
        ),
        pdf=figure("rrho2_pain_vs_stress", "{region}", "pdf"),
        cells=f"{RESULTS}/overlap/rrho2/{{region}}.tsv",
    log:
        f"{LOGS}/rrho2/{{region}}.log",
    priority: PRIORITY_LONG
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


# One job: the signature heatmap, and the top shared genes' normalised counts per sample.
rule signature_figures:
    input:
        tests=rules.signature_tests.output.tests,
        genes=rules.signature_tests.output.genes,
        normalised=expand(rules.vst.output.normalised, region=QC_REGIONS),
        samples=rules.sample_sheet.output.samples,
    output:
        heatmap=report(
            figure("signature_overlap"),
            caption="../report/signature_overlap.rst",
            labels={"region": "all regions", "figure": "signature heatmap"},
            category="6. What the shared genes are",
            subcategory="all regions",
        ),
        heatmap_pdf=figure("signature_overlap", ext="pdf"),
        counts=report(
            figure("shared_genes_counts"),
            caption="../report/shared_genes_counts.rst",
            labels={"region": "all regions", "figure": "top shared genes: counts per sample"},
            category="5. Pain and stress overlap",
            subcategory="all regions",
        ),
        counts_pdf=figure("shared_genes_counts", ext="pdf"),
    log:
        f"{LOGS}/signature_figures.log",
    group:
        "signatures"
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        regions=[*CONTRASTS[PAIN_CONTRAST]["regions"], "pooled"],
        title=STUDY,
        qc_regions=QC_REGIONS,
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
    script:
        "../scripts/signature_figures.py"
