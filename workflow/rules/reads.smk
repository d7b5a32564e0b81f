# Counts from reads (datasets with `counts: reads`): the series' runs (ENA or SRA), FASTQ per
# run (trimmed by fastp with reads.trim), salmon against a pinned transcriptome, tximport to
# genes, runs summed per sample (painstress.data.reads). Ends in counts.smk's layout: results/<study>/counts/<dataset>/.
# Downloads are local rules (the login node on a cluster); salmon jobs declare threads and
# memory for SLURM. The demo (source: simulate) draws the reads instead of downloading them.
import shlex

from painstress.data import reads as reads_data

if READS_DATASETS:

    wildcard_constraints:
        run="[SED]RR[0-9]+",

    # Before any download: the programs the reads path needs, and their versions.
    rule reads_tools:
        output:
            f"{READS}/tools.txt",
        log:
            f"{LOGS}/reads/tools.log",
        localrule: True
        conda:
            "../../envs/salmon.yaml"
        params:
            check=tool_check(
                ["salmon"]
                + (["fasterq-dump"] if READS_CONFIG["download"] != "ena" else [])
                + (["fastp"] if READS_CONFIG["trim"] else [])
            ),
            versions="salmon --version" + ("; fastp --version 2>&1" if READS_CONFIG["trim"] else ""),
        shell:
            "({params.check}; {params.versions}) > {output} 2> {log}"

    checkpoint read_runs:
        input:
            tools=f"{READS}/tools.txt",
            series_matrix=lambda wildcards: [geo_series_matrix(d) for d in READS_DATASETS],
            filereports=(
                [f"{RESOURCES}/reads/simulated/filereport_{d}.tsv" for d in READS_DATASETS]
                if SIMULATED_READS
                else []
            ),
        output:
            RUNS,
        log:
            f"{LOGS}/reads/runs.log",
        localrule: True
        conda:
            "../../envs/painstress.yaml"
        params:
            datasets=READS_DATASETS,
            organisms=[DATASET_ORGANISM[d] for d in READS_DATASETS],
            download=READS_CONFIG["download"],
            ena_url=READS_CONFIG["ena_url"],
            offline=config["offline"],
            ncbi=NCBI_SETTINGS,
        script:
            "../scripts/read_runs.py"

    if SIMULATED_READS:

        # The demo: a transcriptome of the simulated study's genes, and the reads each of
        # its samples would give (painstress.demo.reads).
        rule simulate_reads:
            input:
                counts=[
                    series_files(spec["geo"])["counts"]
                    for d, spec in config["datasets"].items()
                    if d in READS_DATASETS
                ],
                annotation=series_files(config["datasets"][READS_DATASETS[0]]["geo"])["annotation"],
                truth=f"{RESOURCES}/truth/shared_genes.tsv",
                truth_de=f"{RESOURCES}/truth/de_genes.tsv",
            output:
                filereports=[
                    f"{RESOURCES}/reads/simulated/filereport_{d}.tsv" for d in READS_DATASETS
                ],
                run_reads=f"{RESOURCES}/reads/simulated/run_reads.tsv.gz",
                transcriptome=f"{REFERENCE}/transcriptome.fa.gz",
                gtf=f"{REFERENCE}/annotation.gtf.gz",
                gene_info=READS_GENE_INFO,
            log:
                f"{LOGS}/reads/simulate_reads.log",
            conda:
                "../../envs/painstress.yaml"
            resources:
                mem_mb=2000,
                runtime=10,
            params:
                datasets=READS_DATASETS,
                seed=config["simulate"]["seed"],
                settings=READS_CONFIG["simulate"],
            script:
                "../scripts/simulate_reads.py"

        # Stands in for the download, so it runs where downloads run (the login node).
        rule simulate_fastq:
            input:
                tools=f"{READS}/tools.txt",
                transcriptome=f"{REFERENCE}/transcriptome.fa.gz",
                run_reads=f"{RESOURCES}/reads/simulated/run_reads.tsv.gz",
            output:
                temp(f"{FASTQ}/{{run}}.fastq.gz"),
            log:
                f"{LOGS}/reads/fastq/{{run}}.log",
            localrule: True
            conda:
                "../../envs/painstress.yaml"
            resources:
                mem_mb=1000,
                runtime=5,
            params:
                seed=config["simulate"]["seed"],
            script:
                "../scripts/simulate_fastq.py"

    else:

        # The pinned transcriptome and GTF (reads.reference), checked and recorded.
        rule fetch_reference:
            input:
                tools=f"{READS}/tools.txt",
                # after the runs are checked: a study that is not RNA-seq downloads nothing
                runs=RUNS,
            output:
                f"{REFERENCE}/{{kind}}.{{ext}}.gz",
            log:
                f"{LOGS}/reads/reference_{{kind}}.{{ext}}.log",
            wildcard_constraints:
                kind="transcriptome|annotation",
                ext="fa|gtf",
            localrule: True
            conda:
                "../../envs/painstress.yaml"
            params:
                reference=READS_CONFIG["reference"],
                offline=config["offline"],
                ncbi=NCBI_SETTINGS,
            script:
                "../scripts/fetch_reference.py"

        rule fetch_fastq_single:
            input:
                tools=f"{READS}/tools.txt",
                runs=RUNS,
            output:
                temp(f"{FASTQ}/{{run}}.fastq.gz"),
            log:
                f"{LOGS}/reads/fastq/{{run}}.log",
            localrule: True
            conda:
                "../../envs/painstress.yaml"
            params:
                download=READS_CONFIG["download"],
                fastq_url=READS_CONFIG["fastq_url"],
                ncbi=NCBI_SETTINGS,
            script:
                "../scripts/fetch_fastq.py"

        rule fetch_fastq_paired:
            input:
                tools=f"{READS}/tools.txt",
                runs=RUNS,
            output:
                temp(f"{FASTQ}/{{run}}_1.fastq.gz"),
                temp(f"{FASTQ}/{{run}}_2.fastq.gz"),
            log:
                f"{LOGS}/reads/fastq/{{run}}.log",
            localrule: True
            conda:
                "../../envs/painstress.yaml"
            params:
                download=READS_CONFIG["download"],
                fastq_url=READS_CONFIG["fastq_url"],
                ncbi=NCBI_SETTINGS,
            script:
                "../scripts/fetch_fastq.py"

    rule tx2gene:
        input:
            f"{REFERENCE}/annotation.gtf.gz",
        output:
            f"{REFERENCE}/tx2gene.tsv",
        log:
            f"{LOGS}/reads/tx2gene.log",
        conda:
            "../../envs/painstress.yaml"
        resources:
            mem_mb=2000,
            runtime=10,
        script:
            "../scripts/tx2gene.py"

    # Built once per reference name (k-mer length in the folder name).
    rule salmon_index:
        input:
            f"{REFERENCE}/transcriptome.fa.gz",
        output:
            directory(SALMON_INDEX),
        log:
            f"{LOGS}/reads/salmon_index.log",
        conda:
            "../../envs/salmon.yaml"
        threads: 8
        resources:
            mem_mb=READS_CONFIG["index_mem_mb"] if not SIMULATED_READS else 2000,
            runtime=120,
        params:
            kmer=READS_CONFIG["reference"]["kmer"],
        shell:
            "salmon index -t {input} -i {output} -k {params.kmer} -p {threads} > {log} 2>&1"

    if READS_CONFIG["trim"]:
        # reads.trim: adapters and low-quality ends cut by fastp before salmon; its JSON and
        # HTML reports per run. One rule per layout, as for the downloads.
        for layout, mates in (("single", [""]), ("paired", ["_1", "_2"])):

            rule:
                name:
                    f"fastp_{layout}"
                input:
                    [f"{FASTQ}/{{run}}{mate}.fastq.gz" for mate in mates],
                output:
                    trimmed=[temp(f"{TRIMMED}/{{run}}{mate}.fastq.gz") for mate in mates],
                    json=f"{READS}/fastp/{{run}}.json",
                    html=f"{READS}/fastp/{{run}}.html",
                log:
                    f"{LOGS}/reads/fastp/{{run}}.log",
                conda:
                    "../../envs/salmon.yaml"
                threads: READS_CONFIG["threads"]
                resources:
                    mem_mb=2000,
                    runtime=60,
                params:
                    command=lambda wildcards, input, output, threads: shlex.join(
                        reads_data.fastp_command(
                            input, output.trimmed, output.json, output.html, threads
                        )
                    ),
                shell:
                    "{params.command} > {log} 2>&1"

    rule salmon_quant:
        input:
            index=SALMON_INDEX,
            fastq=quant_fastqs,
        output:
            quant=f"{READS}/salmon/{{run}}/quant.sf",
            meta=f"{READS}/salmon/{{run}}/aux_info/meta_info.json",
            library=f"{READS}/salmon/{{run}}/lib_format_counts.json",
        log:
            f"{LOGS}/reads/salmon/{{run}}.log",
        conda:
            "../../envs/salmon.yaml"
        threads: READS_CONFIG["threads"]
        resources:
            mem_mb=READS_CONFIG["mem_mb"],
            runtime=120,
        params:
            command=lambda wildcards, input, output, threads: shlex.join(
                reads_data.salmon_quant_command(
                    input.index, input.fastq, Path(output.quant).parent, threads
                )
            ),
        shell:
            "{params.command} > {log} 2>&1"

    # MultiQC's page over every run's salmon (and fastp) output, in the report (common.smk:
    # MULTIQC says when it is made).
    rule multiqc:
        input:
            salmon=lambda wildcards: [
                f"{READS}/salmon/{run}/{name}"
                for run in runs_table()
                for name in ("aux_info/meta_info.json", "lib_format_counts.json")
            ],
            fastp=lambda wildcards: (
                [f"{READS}/fastp/{run}.json" for run in runs_table()]
                if READS_CONFIG["trim"]
                else []
            ),
        output:
            html=report(
                f"{READS}/multiqc/multiqc.html",
                caption="../report/multiqc.rst",
                labels={"page": "MultiQC read QC"},
                category="2. Data",
            ),
            data=directory(f"{READS}/multiqc/multiqc_data"),
        log:
            f"{LOGS}/reads/multiqc.log",
        conda:
            "../../envs/multiqc.yaml"
        resources:
            mem_mb=2000,
            runtime=15,
        params:
            folders=[f"{READS}/salmon"] + ([f"{READS}/fastp"] if READS_CONFIG["trim"] else []),
            options=lambda wildcards: shlex.join(
                reads_data.multiqc_options(list(runs_table().values()), f"{READS}/salmon")
            ),
        shell:
            "multiqc --force --no-version-check --no-ai -n multiqc.html {params.options}"
            " -o $(dirname {output.html}) {params.folders} > {log} 2>&1"

    # QC gate, genes, runs summed per sample, GeneIDs: the dataset's counts.
    rule reads_counts:
        input:
            runs=RUNS,
            quants=dataset_quants,
            tx2gene=f"{REFERENCE}/tx2gene.tsv",
            gene_info=READS_GENE_INFO,
            # their addresses and checksums, for the methods text
            transcriptome=f"{REFERENCE}/transcriptome.fa.gz",
            gtf=f"{REFERENCE}/annotation.gtf.gz",
        output:
            counts=f"{RESULTS}/counts/{{dataset}}/counts.tsv.gz",
            annotation=f"{RESULTS}/counts/{{dataset}}/annotation.tsv.gz",
            source=f"{RESULTS}/counts/{{dataset}}/source.tsv",
            qc=report(
                f"{READS}/{{dataset}}/qc.tsv",
                caption="../report/reads_qc.rst",
                labels={"table": "read QC of {dataset}"},
                category="2. Data",
            ),
        log:
            f"{LOGS}/reads/counts_{{dataset}}.log",
        wildcard_constraints:
            dataset="|".join(READS_DATASETS),
        conda:
            "../../envs/painstress.yaml"
        resources:
            mem_mb=4000,
            runtime=20,
        params:
            organism=lambda wildcards: DATASET_ORGANISM[wildcards.dataset],
            min_mapping_rate=READS_CONFIG["min_mapping_rate"],
            on_fail=READS_CONFIG["on_fail"],
            kmer=READS_CONFIG["reference"]["kmer"],
        script:
            "../scripts/reads_counts.py"
