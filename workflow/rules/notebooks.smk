# Teaching notebooks, executed on this run's outputs (papermill), kept as .ipynb and HTML.


rule notebook:
    input:
        notebook=str(Path(workflow.basedir) / "notebooks" / "{notebook}.ipynb"),
        samples=f"{RESULTS}/samples.tsv",
        genes=f"{RESULTS}/genes.tsv",
        de=de_targets(),
        summary=f"{RESULTS}/de/summary.tsv",
        overlap=f"{RESULTS}/overlap/overlap_stats.tsv",
        shared=f"{RESULTS}/overlap/shared_genes.tsv",
        signatures=[f"{RESULTS}/overlap/{name}.tsv"
                    for name in ("signature_tests", "pain_stress_genes", "shared_count_summary")],
        rrho2=expand(f"{RESULTS}/figures/{{region}}/rrho2_pain_vs_stress.png",
                     region=OVERLAP_REGIONS),
        counts=all_dataset_files("counts", QC_DATASETS),  # one organism: one gene axis
    output:
        ipynb=f"{RESULTS}/notebooks/{{notebook}}.ipynb",
        html=report(f"{RESULTS}/notebooks/{{notebook}}.html", caption="../report/notebook.rst",
                    category="7. Notebooks"),
    params:
        parameters=lambda wildcards, input: {
            "results_dir": str(Path(input.samples).parent),
            "counts_files": list(input.counts),
            "pain": PAIN, "stress": STRESS,
            "truth_file": (f"{RESOURCES}/truth/shared_genes.tsv"
                           if config["source"] == "simulate" else ""),
        },
    log:
        f"{LOGS}/notebooks/{{notebook}}.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/painstress.yaml"
    script:
        "../scripts/notebook.py"
