# Sample QC, before any model: reads counted per sample, and per region one normalisation
# (VST and median-of-ratios size factors, blind to the design) with its PCA, sample
# distances and count distributions.


rule library_sizes_figure:
    input:
        samples=rules.sample_sheet.output.samples,
        counts=dataset_files("counts", QC_DATASETS),  # study organism only (common.smk)
    output:
        png=report(
            figure("library_sizes"),
            caption="../report/library_sizes.rst",
            labels={"figure": "library sizes"},
            category="2. Data",
        ),
        pdf=figure("library_sizes", ext="pdf"),
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


# One job per region: the region's VST and normalised counts, then the figures drawn from
# those files.
rule vst:
    input:
        samples=rules.sample_sheet.output.samples,
        # the study organism's datasets only: one VST needs one gene axis (common.smk)
        counts=dataset_files("counts", QC_DATASETS),
        genes=rules.sample_sheet.output.genes,
    output:
        vst=qc_file("{region}", "vst"),
        normalised=qc_file("{region}", "normalised"),
        size_factors=qc_file("{region}", "size_factors"),
        distributions=report(
            figure("count_distributions", "{region}"),
            caption="../report/count_distributions.rst",
            labels={"region": "{region}", "figure": "count distributions"},
            category="3. Sample QC",
            subcategory="{region}",
        ),
        distributions_pdf=figure("count_distributions", "{region}", "pdf"),
        pca=report(
            figure("pca", "{region}"),
            caption="../report/pca.rst",
            labels={"region": "{region}", "figure": "PCA"},
            category="3. Sample QC",
            subcategory="{region}",
        ),
        pca_pdf=figure("pca", "{region}", "pdf"),
        distances=report(
            figure("sample_distances", "{region}"),
            caption="../report/sample_distances.rst",
            labels={"region": "{region}", "figure": "sample distances"},
            category="3. Sample QC",
            subcategory="{region}",
        ),
        distances_pdf=figure("sample_distances", "{region}", "pdf"),
    log:
        f"{LOGS}/vst/{{region}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/vst/{{region}}.tsv"
    priority: PRIORITY_LONG
    conda:
        "../../envs/painstress.yaml"
    threads: 1
    resources:
        mem_mb=lambda wildcards, attempt: 1000 * attempt,
        runtime=lambda wildcards, attempt: 15 * attempt,
    params:
        min_count=config["de"]["min_count"],
        engine=config["de"]["inference"],
        datasets=QC_DATASETS,
        group_order=GROUPS,
    script:
        "../scripts/vst.py"
