# Paths, names and target lists: the one place that knows where every file lives.
import os
import re

from snakemake import __version__ as SNAKEMAKE_VERSION

from painstress.compare.overlap import DEFINITIONS
from painstress.data import ncbi_files
from painstress.jobs import offline_missing
from painstress.config import organism_of
from painstress.samples import all_factors, check_sample_sheet_file, dataset_factors

STUDY = config["study"]["name"]
ORGANISM = config["study"]["organism"]
RESULTS = f"results/{STUDY}"
RESOURCES = f"resources/{STUDY}"
LOGS = f"{RESULTS}/logs"
# Every region of any dataset (a dataset's own factors may add regions).
REGIONS = list(all_factors(config["samples"]["factors"], config["datasets"])["region"])
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
    if DATASET_ORGANISM.get(CONTRASTS[c].get("dataset")) == "Homo sapiens"
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
# Gene-set files read into mouse genes by signature_sets - the config's files, and the
# files rule curated_signature writes from the curated sources.
FILE_SIGNATURES = {
    n: s.get("file") or f"{RESULTS}/signatures/curated/{n}.tsv"
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


def resolved_datasets():
    """Dataset -> series and platform, as decided by checkpoint resolve_datasets."""
    import pandas as pd

    path = checkpoints.resolve_datasets.get().output.datasets
    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False).set_index("dataset")


def dataset_file(dataset, kind):
    """The one accessor of a dataset's files: ``kind`` is counts, annotation or
    series_matrix."""
    row = resolved_datasets().loc[dataset]
    return series_files(row["series"], row["platform"] or None, DATASET_ORGANISM[dataset])[kind]


def dataset_files(kind, datasets=None):
    """Input function: one file of ``kind`` per dataset (default: all), in config order."""
    return lambda wildcards: [dataset_file(d, kind) for d in (datasets or config["datasets"])]


def counts_series_matrix(organism):
    """Input function of the fetch_counts rules: the series matrix that a series' counts
    are checked against (of a mixed human/mouse series, the one of ``organism``'s dataset)."""

    def series_matrix(wildcards):
        table = resolved_datasets()
        mine = table.index.map(DATASET_ORGANISM) == organism
        rows = table[(table["series"] == wildcards.series) & mine]
        dataset = (
            rows.index[0] if len(rows) else table.index[table["series"] == wildcards.series][0]
        )
        return dataset_file(dataset, "series_matrix")

    return series_matrix


def user_sample_sheet():
    """The user's sample sheet, when the config names one (validation checked that it
    exists)."""
    return [SAMPLE_SHEET] if SAMPLE_SHEET else []


def de_targets():
    return [
        f"{RESULTS}/de/{region}/{name}.tsv"
        for name, contrast in CONTRASTS.items()
        for region in contrast["regions"]
    ]


def figure_targets():
    de = [
        f"{RESULTS}/figures/{region}/{kind}_{name}.png"
        for name, contrast in CONTRASTS.items()
        for region in contrast["regions"]
        for kind in ("volcano", "ma", "pvalues", "dispersion")
    ]
    qc = [
        f"{RESULTS}/figures/{region}/{kind}.png"
        for region in QC_REGIONS
        for kind in ("pca", "sample_distances", "count_distributions")
    ]
    overlap = [
        f"{RESULTS}/figures/{region}/{kind}.png"
        for region in OVERLAP_REGIONS
        for kind in ("fold_changes_pain_vs_stress", "shared_genes_heatmap")
    ]
    return [
        f"{RESULTS}/figures/library_sizes.png",
        *qc,
        *de,
        *overlap,
        f"{RESULTS}/figures/overlap_counts.png",
        f"{RESULTS}/figures/shared_genes_counts.png",
    ]


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
                f"{RESULTS}/signatures/mouse_de/{region}/{contrast}.tsv"
                if name in HUMAN_SIGNATURES
                else f"{RESULTS}/de/{region}/{contrast}.tsv"
            ),
        )
        for name, contrast in CONTRAST_SIGNATURES.items()
        for region in CONTRASTS[contrast]["regions"]
    ]


def human_signature_tables():
    """(signature, region, human DE table, mouse-mapped table) of the human contrast signatures."""
    return [
        (
            name,
            region,
            f"{RESULTS}/de/{region}/{contrast}.tsv",
            f"{RESULTS}/signatures/mouse_de/{region}/{contrast}.tsv",
        )
        for name, contrast in HUMAN_SIGNATURES.items()
        for region in CONTRASTS[contrast]["regions"]
    ]


def signature_targets():
    tables = [
        f"{RESULTS}/overlap/{name}.tsv"
        for name in ("signature_tests", "pain_stress_genes", "shared_count_summary")
    ]
    figures = [f"{RESULTS}/figures/{region}/rrho2_pain_vs_stress.png" for region in OVERLAP_REGIONS]
    figures += [
        f"{RESULTS}/figures/{name}.png" for name in ("signature_overlap", "shared_genes_upset")
    ]
    return (
        tables
        + figures
        + ([f"{RESULTS}/signatures/mapping.tsv"] if FILE_SIGNATURES else [])
        + ([f"{RESULTS}/signatures/contrast_mapping.tsv"] if HUMAN_SIGNATURES else [])
    )


NOTEBOOKS = ["01_data_and_samples", "02_differential_expression", "03_pain_stress_overlap"]

# The report's table pages: page name -> (TSV under results/<study>/, title).
REPORT_TABLES = {
    "samples": ("samples.tsv", "Sample sheet"),
    "de_summary": ("de/summary.tsv", "Differential expression: one row per fit"),
    "overlap_stats": ("overlap/overlap_stats.tsv", "Pain and stress overlap statistics"),
    "shared_genes": ("overlap/shared_genes.tsv", "Genes shared by pain and stress"),
    "pain_stress_genes": (
        "overlap/pain_stress_genes.tsv",
        "Genes changed the same way by pain and stress, with signatures",
    ),
    "shared_count_summary": (
        "overlap/shared_count_summary.tsv",
        "How many shared genes, next to the paper's number",
    ),
    "signature_tests": (
        "overlap/signature_tests.tsv",
        "Pain against every depression/anxiety signature",
    ),
    **(
        {"signature_mapping": ("signatures/mapping.tsv", "Signatures: genes read and mapped")}
        if FILE_SIGNATURES
        else {}
    ),
    **(
        {
            "contrast_mapping": (
                "signatures/contrast_mapping.tsv",
                "Human contrast signatures: genes mapped to mouse",
            )
        }
        if HUMAN_SIGNATURES
        else {}
    ),
    **(
        {
            "pathway_themes": ("pathways/theme_summary.tsv", "Where the paper's themes appear"),
            "pathway_sources": ("pathways/sources.tsv", "Pathway collections: files and dates"),
        }
        if PATHWAY_COLLECTIONS
        else {}
    ),
    **(
        {"truth_recovery": ("truth_recovery.tsv", "Demo: recovery of the planted shared genes")}
        if config["source"] == "simulate"
        else {}
    ),
}


def all_targets():
    targets = [
        f"{RESULTS}/samples.tsv",
        *de_targets(),
        f"{RESULTS}/de/summary.tsv",
        *figure_targets(),
        f"{RESULTS}/overlap/shared_genes.tsv",
        f"{RESULTS}/overlap/overlap_stats.tsv",
        *signature_targets(),
        *[f"{RESULTS}/notebooks/{name}.html" for name in NOTEBOOKS],
        *[f"{RESULTS}/tables/{name}.html" for name in REPORT_TABLES],
        *pathway_targets(),
        f"{RESULTS}/answer.html",
        f"{RESULTS}/methods.md",
    ]
    if config["source"] == "simulate":
        targets.append(f"{RESULTS}/truth_recovery.tsv")
    return targets


def gsea_tables():
    """(contrast, region, table) of the preranked GSEA of the pain and stress contrasts."""
    return [
        (contrast, region, f"{RESULTS}/pathways/gsea/{region}/{contrast}.tsv")
        for contrast in (PAIN_CONTRAST, STRESS_CONTRAST)
        for region in CONTRASTS[contrast]["regions"]
    ]


def pathway_targets():
    if not PATHWAY_COLLECTIONS:
        return []
    return (
        [f"{RESULTS}/pathways/{name}.tsv" for name in ("ora", "themes", "theme_summary")]
        + [f"{RESULTS}/figures/pathways/ora_{d}.png" for d in DEFINITIONS]
        + [
            f"{RESULTS}/figures/pathways/gsea_{region}_{contrast}.png"
            for contrast, region, _ in gsea_tables()
        ]
    )


def input_files(resolved=True):
    """Every input file the run reads from resources/: the datasets' counts, annotation and
    series matrix (``resolved=False``: from the config's pinned series, without the
    checkpoint), NCBI Gene's files and the curated sources in use."""
    if resolved:
        files = [
            dataset_file(d, kind)
            for d in config["datasets"]
            for kind in ("series_matrix", "counts", "annotation")
        ]
    else:
        files = [
            path
            for d, spec in config["datasets"].items()
            for path in series_files(
                spec["geo"], spec.get("platform"), DATASET_ORGANISM[d]
            ).values()
        ]
    if FILE_SIGNATURES or HUMAN_SIGNATURES:
        files += [f"{NCBI_GENE}/gene_orthologs.gz", f"{NCBI_GENE}/Homo_sapiens.gene_info.gz"]
    used = {key for kind in CURATED_SIGNATURES.values() for key in CURATED_KINDS[kind]}
    used |= {key for c in PATHWAY_COLLECTIONS for key in PATHWAY_SOURCES[c]}
    return list(dict.fromkeys(files)) + [GENESET_FILES[key] for key in GENESET_FILES if key in used]


def data_files():
    """Input function: every input file, for the methods' table of sources."""
    return input_files(resolved=True)


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


# The user's sample sheet is read before any job starts, so a broken one stops the run
# before the sample_sheet job would replace the last good samples.tsv.
if SAMPLE_SHEET and Path(SAMPLE_SHEET).is_file():
    try:
        check_sample_sheet_file(SAMPLE_SHEET)
    except InputError as error:
        raise WorkflowError(str(error)) from None
