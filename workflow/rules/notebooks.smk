# Teaching notebooks, executed on this run's outputs (papermill), kept as .ipynb and HTML.


rule notebook:
    input:
        notebook=str(WORKFLOW_DIR.parent / "notebooks" / "{notebook}.ipynb"),
        samples=rules.sample_sheet.output.samples,
        genes=rules.sample_sheet.output.genes,
        de=de_files(),
        dispersions=de_files("dispersions"),
        summary=rules.de_summary.output[0],
        overlap=rules.overlap.output.stats,
        shared=rules.overlap.output.genes,
        signatures=[*rules.signature_tests.output, rules.overlap.output.summary],
        pathways=(
            [rules.pathway_ora.output.ora, rules.pathway_gsea.output.summary]
            if PATHWAY_COLLECTIONS
            else []
        ),
        rrho2=expand(rules.rrho2.output.png, region=OVERLAP_REGIONS),
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
    group:
        "report"
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
                str(rules.simulate_demo.output.truth_shared)
                if config["source"] == "simulate"
                else ""
            ),
        },
    script:
        "../scripts/notebook.py"
