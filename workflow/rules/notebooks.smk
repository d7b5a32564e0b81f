# Teaching notebooks, executed on this run's outputs (papermill), kept as .ipynb and HTML.


rule notebook:
    input:
        notebook=str(WORKFLOW_DIR.parent / "notebooks" / "{notebook}.ipynb"),
        samples=f"{RESULTS}/samples.tsv",
        genes=f"{RESULTS}/genes.tsv",
        de=de_targets(),
        dispersions=[t.replace(".tsv", ".dispersions.tsv.gz") for t in de_targets()],
        summary=f"{RESULTS}/de/summary.tsv",
        overlap=f"{RESULTS}/overlap/overlap_stats.tsv",
        shared=f"{RESULTS}/overlap/shared_genes.tsv",
        signatures=[
            f"{RESULTS}/overlap/{name}.tsv"
            for name in ("signature_tests", "pain_stress_genes", "shared_count_summary")
        ],
        pathways=(
            [f"{RESULTS}/pathways/{name}.tsv" for name in ("ora", "theme_summary")]
            if PATHWAY_COLLECTIONS
            else []
        ),
        rrho2=expand(
            f"{RESULTS}/figures/{{region}}/rrho2_pain_vs_stress.png", region=OVERLAP_REGIONS
        ),
        counts=dataset_files("counts", QC_DATASETS),  # one organism: one gene axis
    output:
        ipynb=f"{RESULTS}/notebooks/{{notebook}}.ipynb",
        html=report(
            f"{RESULTS}/notebooks/{{notebook}}.html",
            caption="../report/notebook.rst",
            labels={"notebook": "{notebook}"},
            category="8. Notebooks",
        ),
    log:
        f"{LOGS}/notebooks/{{notebook}}.log",
    conda:
        "../../envs/painstress.yaml"
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        parameters=lambda wildcards, input: {
            "results_dir": str(Path(input.samples).parent),
            "counts_files": list(input.counts),
            "pain": PAIN_CONTRAST,
            "stress": STRESS_CONTRAST,
            "truth_file": (
                f"{RESOURCES}/truth/shared_genes.tsv" if config["source"] == "simulate" else ""
            ),
        },
    script:
        "../scripts/notebook.py"
