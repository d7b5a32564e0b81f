# Paths, names and target lists: the one place that knows where every file lives.
import csv
import glob
import os
import re
import shutil

from snakemake import __version__ as SNAKEMAKE_VERSION
from snakemake.logging import logger
from snakemake.settings.types import DeploymentMethod
from snakemake.utils import validate

from painstress.compare.overlap import DEFINITIONS
from painstress.data import ncbi_files
from painstress.data.reads import TOOLS as READS_TOOLS
from painstress.data.count_files import GENE_INFO_FILE
from painstress.settings import significance_rule, significance_sentence
from painstress.jobs import offline_missing
from painstress.config import NoOutputSettings, organism_of, schema_file
from painstress.samples import (
    all_factors,
    check_sample_sheet_file,
    contrast_datasets,
    dataset_factors,
)

STUDY = config["study"]["name"]
ORGANISM = config["study"]["organism"]
# How to reach NCBI: params of the network rules that a change does not rerun (no output
# depends on it: painstress.config.NO_OUTPUT_KEYS).
NCBI_SETTINGS = NoOutputSettings(config["ncbi"])
RESULTS = f"results/{STUDY}"
RESOURCES = f"resources/{STUDY}"
LOGS = f"{RESULTS}/logs"
# Every region of any dataset (a dataset's own factors may add regions).
REGIONS = list(all_factors(config["samples"]["factors"], config["datasets"])["region"])
# Groups in the order figures show them.
GROUPS = list(all_factors(config["samples"]["factors"], config["datasets"])["group"])
DATASET_ORGANISM = {d: organism_of(config, d) for d in config["datasets"]}
# Per-region QC (VST, PCA, distances, library sizes) puts samples side by side on one gene
# axis: only datasets of the study's organism (human and mouse counts share no GeneIDs).
QC_DATASETS = [d for d, organism in DATASET_ORGANISM.items() if organism == ORGANISM]
QC_REGIONS = [
    r
    for r in REGIONS
    if any(
        r in dataset_factors(config["samples"]["factors"], config["datasets"][d])["region"]
        for d in QC_DATASETS
    )
]
CONTRASTS = {c["name"]: c for c in config["contrasts"]}
# A contrast naming datasets in order of preference (dataset: [pain, stress]) takes each
# region's samples from the first dataset holding both groups there; rule contrast_arms
# writes that choice to arms.tsv. A region where none does has no arm: once arms.tsv says
# so, it is left out of the contrast's fits and of the overlap (`make run` writes arms.tsv
# first). The sheet check and arms.tsv itself always see every region asked for.
ARMS = f"{RESULTS}/arms.tsv"
CANDIDATE_CONTRASTS = [dict(c) for c in config["contrasts"]]
if Path(ARMS).is_file():
    with open(ARMS, newline="", encoding="utf-8") as _arms:
        _no_arm = {
            (row["contrast"], row["region"])
            for row in csv.DictReader(_arms, delimiter="\t")
            if not row["dataset"]
        }
    for _contrast in CONTRASTS.values():
        if isinstance(_contrast.get("dataset"), list):
            _contrast["regions"] = [
                r for r in _contrast["regions"] if (_contrast["name"], r) not in _no_arm
            ]
PAIN_CONTRAST, STRESS_CONTRAST = config["overlap"]["pain"], config["overlap"]["stress"]
# Regions where both overlap contrasts are fitted.
OVERLAP_REGIONS = [
    r for r in CONTRASTS[PAIN_CONTRAST]["regions"] if r in CONTRASTS[STRESS_CONTRAST]["regions"]
]
SAMPLE_SHEET = config["samples"].get("sheet")
# Depression/anxiety signatures the pain contrast is tested against (the stress contrast is
# not one of them: rule overlap owns the pain x stress test).
SIGNATURES = {spec["name"]: spec for spec in config["signatures"]["sets"]}
CONTRAST_SIGNATURES = {n: s["contrast"] for n, s in SIGNATURES.items() if "contrast" in s}
# Contrast signatures of human datasets: their DE tables are mapped to mouse genes first.
HUMAN_SIGNATURES = {
    n: c
    for n, c in CONTRAST_SIGNATURES.items()
    if any(DATASET_ORGANISM[d] == "Homo sapiens" for d in contrast_datasets(CONTRASTS[c]))
}
NCBI_GENE = f"{RESOURCES}/ncbi_gene"
# Curated public sources (config genesets: URL each), cached under resources/ by file name.
GENESETS = f"{RESOURCES}/genesets"
GENESET_FILES = {
    key: f"{GENESETS}/{os.path.basename(url)}" for key, url in config["genesets"].items()
}
GENESET_URLS = {os.path.basename(url): (key, url) for key, url in config["genesets"].items()}
# Signatures built from curated sources: kind -> the source files each needs.
CURATED_KINDS = {
    "gwas_catalog": ["gwas_catalog"],
    "mgi": ["mgi_genepheno", "mp_obo"],
    "diseases": ["diseases"],
}
CURATED_SIGNATURES = {
    n: next(k for k in CURATED_KINDS if k in s)
    for n, s in SIGNATURES.items()
    if any(k in s for k in CURATED_KINDS)
}


def curated_file(name):
    """A signature built from a curated source, in the signature-file format (rule
    signature_sets)."""
    return f"{RESULTS}/signatures/curated/{name}.tsv"


# Gene-set files read into mouse genes by signature_sets: the config's files, and the
# files that rule writes first from the curated sources.
FILE_SIGNATURES = {
    n: s.get("file") or curated_file(n)
    for n, s in SIGNATURES.items()
    if "file" in s or n in CURATED_SIGNATURES
}
# Pathway collections: name -> the source files each is built from.
PATHWAY_SOURCES = {
    "GO_BP": ["go_obo", "mgi_gaf"],
    "hallmark": ["msigdb_hallmark"],
    "reactome": ["msigdb_reactome"],
}
PATHWAY_COLLECTIONS = config["pathways"]["collections"]
# Job order when cores are short (`priority:`, higher first; Snakemake's default 0): the
# chain the last jobs wait for (fits, overlap, pathways, signature tests: the notebooks
# and pages need them all) first, then the longest of the other jobs (RRHO2, the DE
# figures, each region's VST, which the last figure jobs wait for); a run then ends on
# short jobs on every core, not on one long job or a chain of them.
PRIORITY_CHAIN = 2
PRIORITY_LONG = 1


wildcard_constraints:
    region="|".join(REGIONS),
    contrast="|".join(CONTRASTS),


def series_files(series, platform=None, organism=ORGANISM):
    """The three files of one GEO series under resources/, named as NCBI and GEO name them
    (a mixed human/mouse series has one counts and annotation file per organism)."""
    folder = f"{RESOURCES}/{series}"
    return {
        "counts": f"{folder}/{ncbi_files.counts_filename(series, organism)}",
        "series_matrix": f"{folder}/{ncbi_files.series_matrix_filename(series, platform)}",
        "annotation": f"{folder}/{ncbi_files.annotation_filename(organism)}",
    }


def checkpoint_table(path):
    """A table a checkpoint wrote, one dict per row, every value text as written: read with
    csv, as Snakemake's own environment may have no pandas (rules run with --sdm conda)."""
    with open(path, newline="", encoding="utf-8") as table:
        return list(csv.DictReader(table, delimiter="\t", restval=""))


def resolved_datasets(dataset=None):
    """One row per dataset and series (dataset, series, platform, …), as decided by
    checkpoint resolve_datasets (of ``dataset`` only, if given); a dataset resolved from its
    PMID may pool several series."""
    rows = checkpoint_table(checkpoints.resolve_datasets.get().output.datasets)
    return [row for row in rows if dataset is None or row["dataset"] == dataset]


def dataset_series_files(dataset, kind):
    """A dataset's files of ``kind`` (counts, annotation or series_matrix), one per series;
    counts not NCBI's have their own files (counts.smk: own_count_files)."""
    rows = resolved_datasets(dataset)
    own = own_count_files(dataset, kind, rows)
    if own is not None:
        return own
    return [
        series_files(row["series"], row["platform"] or None, DATASET_ORGANISM[dataset])[kind]
        for row in rows
    ]


def pooled_counts(dataset):
    """The counts of a dataset of several series, joined by sample (rule pool_counts)."""
    return f"{RESULTS}/counts/{dataset}.pooled_series.tsv.gz"


# Counts that are not NCBI's (counts.smk): the user's files, the authors' supplementary files.
COUNTS = f"{RESULTS}/counts"
FILE_DATASETS = [d for d, s in config["datasets"].items() if isinstance(s["counts"], dict)]
SUPPLEMENTARY_DATASETS = [
    d for d, s in config["datasets"].items() if s["counts"] in ("supplementary", "auto")
]


def gene_info_input(dataset):
    """NCBI Gene's table of the dataset's organism: fetched online; offline (and in the
    demo) used when placed by hand, else symbols stay empty (GeneIDs need no mapping)."""
    path = f"{NCBI_GENE}/{GENE_INFO_FILE[DATASET_ORGANISM[dataset]]}"
    online = config["source"] == "geo" and not config["offline"]
    return [path] if online or Path(path).is_file() else []


def metadata_input(dataset):
    metadata = config["datasets"][dataset].get("metadata")
    return [metadata["file"]] if metadata else []


def count_file_list(path):
    """The files a count path stands for (a file, a folder of files or of salmon/kallisto
    sample folders, a glob pattern): a change to any reruns the dataset's counts."""
    if any(c in path for c in "*?["):
        return sorted(glob.glob(path))
    if Path(path).is_dir():
        return sorted(
            str(p)
            for p in [*Path(path).glob("*"), *Path(path).glob("*/quant.sf")]
            + [*Path(path).glob("*/abundance.tsv")]
            if p.is_file() and not p.name.startswith(".")
        )
    return [path]


def dataset_count_inputs(wildcards):
    dataset = wildcards.dataset
    counts = config["datasets"][dataset]["counts"]
    metadata = metadata_input(dataset)
    return {
        "files": count_file_list(counts["file"]),
        "metadata": metadata,
        "series_matrix": [] if metadata else [geo_series_matrix(dataset)],
        "gene_info": gene_info_input(dataset),
        "tx2gene": [counts["tx2gene"]] if counts.get("tx2gene") else [],
        "gtf": [counts["gtf"]] if counts.get("gtf") else [],
    }


def geo_series_matrix(dataset):
    """The GEO series matrix of a dataset's one series (a sample table does not replace it
    here: the supplementary files are the series')."""
    rows = resolved_datasets(dataset)
    if len(rows) != 1 or not rows[0]["series"]:
        raise WorkflowError(
            f"dataset {dataset}: its counts come from a file or the supplementary files of "
            f"one GEO series, but it has {len(rows)} ({', '.join(r['series'] for r in rows)}); "
            f"pin the series (datasets.{dataset}.geo) or give a sample table (metadata)"
        )
    row = rows[0]
    return series_files(row["series"], row["platform"] or None, DATASET_ORGANISM[dataset])[
        "series_matrix"
    ]


def count_source(rows):
    """ncbi, supplementary or file: the dataset's counts source as resolve_datasets decided."""
    return rows[0].get("counts", "ncbi") if rows else "ncbi"


def own_count_files(dataset, kind, rows):
    """The files this file's rules give a dataset (its ``rows`` of datasets.tsv), or None
    when they are its series' NCBI files: counts and annotation of a dataset whose counts
    are not NCBI's, and the sample table that replaces the series matrices."""
    metadata = metadata_input(dataset)
    if kind == "series_matrix":
        return metadata or None
    return None if count_source(rows) == "ncbi" else [f"{COUNTS}/{dataset}/{kind}.tsv.gz"]


def datasets_by_source(ncbi):
    """Datasets whose counts are NCBI's (``ncbi=True``) or come from this file's rules."""
    rows = resolved_datasets()
    return [
        d
        for d in config["datasets"]
        if (count_source([r for r in rows if r["dataset"] == d]) == "ncbi") == ncbi
    ]


def dataset_file(dataset, kind):
    """The one accessor of a dataset's files: ``kind`` is counts, annotation or
    series_matrix. A dataset of several series has one counts table (pooled_counts);
    its series matrices and annotations are per series (dataset_series_files)."""
    files = dataset_series_files(dataset, kind)
    if len(files) == 1:
        return files[0]
    if kind == "counts":
        return pooled_counts(dataset)
    raise WorkflowError(f"dataset {dataset} has {len(files)} series: use dataset_series_files")


def dataset_files(kind, datasets=None):
    """Input function: one file of ``kind`` per dataset (default: all), in config order."""
    return lambda wildcards: [dataset_file(d, kind) for d in (datasets or config["datasets"])]


def series_files_of_datasets(kind):
    """Input function: every series' file of ``kind``, dataset by dataset (config order)."""
    return lambda wildcards: [
        path for d in config["datasets"] for path in dataset_series_files(d, kind)
    ]


def series_datasets():
    """Params function: the dataset of each series matrix of
    series_files_of_datasets("series_matrix"), in order."""
    return lambda wildcards: [
        d for d in config["datasets"] for _ in dataset_series_files(d, "series_matrix")
    ]


def counts_series_matrix(organism):
    """Input function of the fetch_counts rules: the series matrix that a series' counts
    are checked against (of a mixed human/mouse series, the one of ``organism``'s dataset)."""

    def series_matrix(wildcards):
        rows = [r for r in resolved_datasets() if r["series"] == wildcards.series]
        mine = [r for r in rows if DATASET_ORGANISM.get(r["dataset"]) == organism]
        row = (mine or rows)[0]
        return series_files(
            row["series"], row["platform"] or None, DATASET_ORGANISM[row["dataset"]]
        )["series_matrix"]

    return series_matrix


def user_sample_sheet():
    """The user's sample sheet, when the config names one (validation checked that it
    exists)."""
    return [SAMPLE_SHEET] if SAMPLE_SHEET else []


# Computed files: one accessor per kind. The rules that write a file name it through its
# accessor (with "{region}"-style wildcards), so a path is spelled once; rules that read a
# file of a rule defined before them use that rule's output (rules.<name>.output.<key>).
DE_SUFFIXES = {"table": ".tsv", "summary": ".summary.tsv", "dispersions": ".dispersions.tsv.gz"}
QC_SUFFIXES = {
    "vst": ".vst.tsv.gz",
    "normalised": ".normalised_counts.tsv.gz",
    "size_factors": ".size_factors.tsv",
}


def de_file(region, contrast, kind="table"):
    """A DE fit's file, written by rule deseq2 (kind is table, summary or dispersions)."""
    return f"{RESULTS}/de/{region}/{contrast}{DE_SUFFIXES[kind]}"


def fits(contrasts=None):
    """(region, contrast) of every fit (of ``contrasts``, default all), in config order."""
    return [(r, c) for c in contrasts or CONTRASTS for r in CONTRASTS[c]["regions"]]


def de_files(kind="table", contrasts=None):
    """Every fit's file of ``kind`` (de_file), in the order of fits()."""
    return [de_file(region, contrast, kind) for region, contrast in fits(contrasts)]


def qc_file(region, kind):
    """A region's QC table, written by rule vst (kind is vst, normalised or size_factors)."""
    return f"{RESULTS}/qc/{region}{QC_SUFFIXES[kind]}"


def figure(name, region=None, ext="png"):
    """A figure: figures/<region>/<name>.<ext>, or figures/<name>.<ext> across regions."""
    return str(Path(RESULTS, "figures", region or "", f"{name}.{ext}"))


def figure_files(name, region=None, caption=None, labels=None, category=None, subcategory=None):
    """A figure's PNG (in the report with its caption and labels) and PDF, as two named
    outputs: <region>/<name> (or <name>) and the same with ".pdf"."""
    key = f"{region}/{name}" if region else name
    return {
        key: report(
            figure(name, region),
            caption=caption,
            labels=labels,
            category=category,
            subcategory=subcategory,
        ),
        f"{key}.pdf": figure(name, region, "pdf"),
    }


def de_figure_outputs():
    """Every fit's volcano, MA, p-value and dispersion plot, each in the report with its
    caption (region and contrast in its labels)."""
    kinds = {
        "volcano": ("volcano", "volcano"),
        "ma": ("ma", "MA plot"),
        "pvalues": ("pvalues", "p-value histogram"),
        "dispersion": ("dispersion", "dispersion"),
    }
    return {
        key: path
        for region, contrast in fits()
        for kind, (caption, label) in kinds.items()
        for key, path in figure_files(
            f"{kind}_{contrast}",
            region,
            caption=f"../report/{caption}.rst",
            labels={"region": region, "contrast": contrast, "figure": label},
            category="4. Differential expression",
            subcategory=region,
        ).items()
    }


def overlap_region_figure_outputs():
    """Per overlap region: pain vs stress fold changes, and the shared genes' expression."""
    kinds = {
        "fold_changes_pain_vs_stress": ("fold_change_scatter", "fold changes, pain vs stress"),
        "shared_genes_heatmap": ("shared_heatmap", "shared genes heatmap"),
    }
    return {
        key: path
        for region in OVERLAP_REGIONS
        for name, (caption, label) in kinds.items()
        for key, path in figure_files(
            name,
            region,
            caption=f"../report/{caption}.rst",
            labels={"region": region, "figure": label},
            category="5. Pain and stress overlap",
            subcategory=region,
        ).items()
    }


def pathway_dotplots(items):
    """Dot plots of pathway analyses: (name, region, analysis label, definition) each."""
    return {
        key: path
        for name, region, analysis, definition in items
        for key, path in figure_files(
            f"pathways/{name}",
            caption="../report/pathway_dotplot.rst",
            labels={"region": region, "analysis": analysis, "definition": definition},
            category="6. What the shared genes are",
            subcategory="pathways",
        ).items()
    }


def mouse_de_file(region, contrast):
    """A human contrast's DE table mapped to mouse genes (rule map_signature_contrasts)."""
    return f"{RESULTS}/signatures/mouse_de/{region}/{contrast}.tsv"


def gsea_file(region, contrast):
    """The preranked GSEA of one fit in every collection (rule pathway_gsea)."""
    return f"{RESULTS}/pathways/gsea/{region}/{contrast}.tsv"


def signature_files():
    """The gene-set files, with NCBI Gene's ortholog files (a file may be human; its header
    says so, and the DAG is built without reading files)."""
    return {
        "files": list(FILE_SIGNATURES.values()),
        "orthologs": f"{NCBI_GENE}/gene_orthologs.gz",
        "human_info": f"{NCBI_GENE}/Homo_sapiens.gene_info.gz",
    }


def contrast_signature_tables():
    """(signature, region, DE table) of every contrast signature, in a stable order; a
    human contrast's table is its DE table mapped to mouse genes (rule map_signature_contrasts)."""
    return [
        (
            name,
            region,
            (
                mouse_de_file(region, contrast)
                if name in HUMAN_SIGNATURES
                else de_file(region, contrast)
            ),
        )
        for name, contrast in CONTRAST_SIGNATURES.items()
        for region in CONTRASTS[contrast]["regions"]
    ]


def human_signature_tables():
    """(signature, region, human DE table, mouse-mapped table) of the human contrast signatures."""
    return [
        (name, region, de_file(region, contrast), mouse_de_file(region, contrast))
        for name, contrast in HUMAN_SIGNATURES.items()
        for region in CONTRASTS[contrast]["regions"]
    ]


NOTEBOOKS = ["01_data_and_samples", "02_differential_expression", "03_pain_stress_overlap"]


def gsea_tables():
    """(contrast, region, table) of the preranked GSEA of the pain and stress contrasts."""
    return [
        (contrast, region, gsea_file(region, contrast))
        for contrast in (PAIN_CONTRAST, STRESS_CONTRAST)
        for region in CONTRASTS[contrast]["regions"]
    ]


def outputs(*names, **wildcards):
    """Every output of these rules, expanded over ``wildcards`` (lists of values)."""
    return [
        path
        for name in names
        for pattern in getattr(rules, name).output
        for path in (expand(pattern, **wildcards) if wildcards else [pattern])
    ]


def all_targets():
    """What a run makes: every output of the rules of this configuration (called by rule
    all, once every rule is defined)."""
    targets = [
        *outputs("sample_sheet", "contrast_arms", "library_sizes_figure"),
        *outputs("vst", region=QC_REGIONS),
        *de_files(),
        *outputs("de_summary", "de_figures", "overlap", "overlap_figures"),
        *outputs("rrho2", region=OVERLAP_REGIONS),
        *outputs("signature_tests", "signature_figures"),
        *(outputs("signature_sets") if FILE_SIGNATURES else []),
        *(outputs("map_signature_contrasts") if HUMAN_SIGNATURES else []),
        *(outputs("pathway_ora", "pathway_gsea") if PATHWAY_COLLECTIONS else []),
        *outputs("notebook", notebook=NOTEBOOKS),
        *outputs("table_pages", "answer", "methods"),
    ]
    if config["source"] == "simulate":
        targets += outputs("truth_recovery")
    return targets + multiqc_targets()


def input_files(resolved=True):
    """Every input file the run reads from resources/: the datasets' counts, annotation and
    series matrix (``resolved=False``: from the config's pinned series, without the
    checkpoint), NCBI Gene's files and the curated sources in use."""
    if resolved:
        files = [
            path
            for d in config["datasets"]
            for kind in ("series_matrix", "counts", "annotation")
            for path in dataset_series_files(d, kind)
            if path.startswith(f"{RESOURCES}/")  # not the user's files, nor tables made of them
        ]
        files += [path for d in datasets_by_source(ncbi=False) for path in gene_info_input(d)]
    else:
        files = [
            path
            for d, spec in config["datasets"].items()
            if spec.get("geo")
            for kind, path in series_files(
                spec["geo"], spec.get("platform"), DATASET_ORGANISM[d]
            ).items()
            # a dataset of the user's counts needs its series matrix only without a table
            if spec["counts"] in ("auto", "ncbi")
            or (kind == "series_matrix" and not spec.get("metadata"))
        ]
    if FILE_SIGNATURES or HUMAN_SIGNATURES:
        files += [f"{NCBI_GENE}/gene_orthologs.gz", f"{NCBI_GENE}/Homo_sapiens.gene_info.gz"]
    used = {key for kind in CURATED_SIGNATURES.values() for key in CURATED_KINDS[kind]}
    used |= {key for c in PATHWAY_COLLECTIONS for key in PATHWAY_SOURCES[c]}
    return list(dict.fromkeys(files)) + [GENESET_FILES[key] for key in GENESET_FILES if key in used]


def data_files():
    """Input function: every input file, for the methods' table of sources."""
    return input_files(resolved=True)


def benchmark_every_rule():
    """Give each of this workflow's rules that declares no benchmark directive one, at
    benchmarks/<rule>/<wildcards>.tsv (wall, CPU, memory per job; bench/workflow_cost reads
    them). Called once after the last rule is defined (end of report.smk)."""
    for each in list(workflow.rules):
        if each.norun or each.benchmark or not Path(each.snakefile).is_relative_to(WORKFLOW_DIR):
            continue
        name = ".".join(f"{{{w}}}" for w in sorted(each.wildcard_names)) or "job"
        each.benchmark_modifier = workflow.modifier.path_modifier  # what `benchmark:` sets
        each.benchmark = f"{RESULTS}/benchmarks/{each.name}/{name}.tsv"


# Counts from reads (reads.smk): datasets with `counts: reads`, and where their files go.
READS_DATASETS = [d for d, s in config["datasets"].items() if s.get("counts") == "reads"]
READS = f"{RESULTS}/reads"
RUNS = f"{RESULTS}/runs.tsv"
FASTQ = f"{RESOURCES}/fastq"
TRIMMED = f"{FASTQ}/trimmed"
SIMULATED_READS = config["source"] == "simulate"
READS_CONFIG = config["reads"]
REFERENCE = (
    f"{RESOURCES}/reference/simulated"
    if SIMULATED_READS
    else f"resources/reference/{READS_CONFIG['reference']['name']}"
)
SALMON_INDEX = f"{REFERENCE}/salmon_index_k{READS_CONFIG['reference']['kmer']}"
READS_GENE_INFO = (
    f"{RESOURCES}/reads/simulated/Mus_musculus.gene_info.gz"
    if SIMULATED_READS
    else f"{NCBI_GENE}/Mus_musculus.gene_info.gz"
)


# MultiQC's page over salmon's (and fastp's) per-run output has its own environment
# (envs/multiqc.yaml; MultiQC's many dependencies stay out of the workflow's): it is made
# when `multiqc` is on PATH or with --sdm conda, and left out otherwise, saying so.
MULTIQC = bool(READS_DATASETS) and (
    shutil.which("multiqc") is not None
    or DeploymentMethod.CONDA in workflow.deployment_settings.deployment_method
)
if READS_DATASETS and not MULTIQC:
    logger.info(
        "MultiQC page of the read QC left out: multiqc is not on PATH "
        "(pip install multiqc, or run with --sdm conda)."
    )


def multiqc_targets():
    return [f"{READS}/multiqc/multiqc.html"] if MULTIQC else []


def runs_table():
    """The run table (checkpoint read_runs): run -> its row."""
    return {row["run"]: row for row in checkpoint_table(checkpoints.read_runs.get().output[0])}


def run_fastqs(wildcards, folder=FASTQ):
    """A run's FASTQ files: one (single-end) or _1 and _2 (paired)."""
    if runs_table()[wildcards.run]["layout"] == "PAIRED":
        return [f"{folder}/{wildcards.run}_{mate}.fastq.gz" for mate in (1, 2)]
    return [f"{folder}/{wildcards.run}.fastq.gz"]


def quant_fastqs(wildcards):
    """What salmon reads: the run's FASTQ, trimmed by fastp first with reads.trim."""
    return run_fastqs(wildcards, TRIMMED if READS_CONFIG["trim"] else FASTQ)


def dataset_quants(wildcards):
    return [
        f"{READS}/salmon/{run}/quant.sf"
        for run, row in runs_table().items()
        if row["dataset"] == wildcards.dataset
    ]


def tool_check(names):
    """Shell lines that stop with the install command when a program is missing."""
    return "; ".join(
        f"command -v {name} > /dev/null || {{ echo 'ERROR counts from reads need {name}: "
        f"{READS_TOOLS[name]}. Nothing was downloaded.' >&2; exit 1; }}"
        for name in names
    )


# Offline, every input is the user's: all must be there before any job starts (one message
# listing every missing file; no job is ever planned that could replace one).
if config["offline"] and config["source"] != "simulate":
    _missing = [path for path in input_files(resolved=False) if not Path(path).is_file()]
    if _missing:
        raise WorkflowError(
            str(
                offline_missing(
                    _missing,
                    where=(
                        "their sources (GEO series page -> 'Download RNA-seq counts', the series' matrix/ "
                        "folder, NCBI Gene, the gene-set addresses in config/README.md)"
                    ),
                )
            )
        )


# The user's sample sheet is read and checked line by line before any job starts (what
# needs the counts: rule check_sample_sheet), so a broken one stops the run before the
# sample_sheet job would replace the last good samples.tsv.
if SAMPLE_SHEET and Path(SAMPLE_SHEET).is_file():
    try:
        _sheet = check_sample_sheet_file(
            SAMPLE_SHEET, config["samples"]["factors"], config["datasets"]
        )
    except InputError as error:
        raise WorkflowError(str(error)) from None
    # The sheet's JSON Schema (for tools and documentation) holds too.
    validate(_sheet, str(schema_file("samples")), set_default=False)
