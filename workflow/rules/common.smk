# Paths and target lists: the one place that knows where every file lives.
from painstress.data import ncbi_files
from painstress.config import organism_of
from painstress.samples import all_factors, dataset_factors

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
QC_REGIONS = [r for r in REGIONS if any(r in dataset_factors(config["samples"]["factors"],
                                                             config["datasets"][d])["region"]
                                        for d in QC_DATASETS)]
CONTRASTS = {c["name"]: c for c in config["contrasts"]}
PAIN, STRESS = config["overlap"]["pain"], config["overlap"]["stress"]
# Regions where both overlap contrasts are fitted.
OVERLAP_REGIONS = [r for r in CONTRASTS[PAIN]["regions"] if r in CONTRASTS[STRESS]["regions"]]
SAMPLE_SHEET = config["samples"].get("sheet")
# Signatures the pain contrast is compared with: the stress contrast first, then the config's.
SIGNATURES = {STRESS: {"name": STRESS, "contrast": STRESS},
              **{spec["name"]: spec for spec in config["signatures"]["sets"]}}
CONTRAST_SIGNATURES = {n: s["contrast"] for n, s in SIGNATURES.items() if "contrast" in s}
# Contrast signatures of human datasets: their DE tables are mapped to mouse genes first.
HUMAN_SIGNATURES = {n: c for n, c in CONTRAST_SIGNATURES.items()
                    if DATASET_ORGANISM.get(CONTRASTS[c].get("dataset")) == "Homo sapiens"}
FILE_SIGNATURES = {n: s["file"] for n, s in SIGNATURES.items() if "file" in s}
NCBI_GENE = f"{RESOURCES}/ncbi_gene"


wildcard_constraints:
    region="|".join(REGIONS),
    contrast="|".join(CONTRASTS),


def files_of_series(series, platform=None, organism=ORGANISM):
    """The three files of one GEO series under resources/, as NCBI and GEO name them (a
    mixed human/mouse series has one counts and annotation file per organism)."""
    folder = f"{RESOURCES}/{series}"
    return {
        "counts": f"{folder}/{ncbi_files.counts_filename(series, organism)}",
        "series_matrix": f"{folder}/{ncbi_files.series_matrix_filename(series, platform)}",
        "annotation": f"{folder}/{ncbi_files.annotation_filename(organism)}",
    }


def configured_dataset_files(dataset):
    """Files of a dataset whose series is pinned in the config (the demo's)."""
    spec = config["datasets"][dataset]
    return files_of_series(spec["geo"], spec.get("platform"), DATASET_ORGANISM[dataset])


def resolved_datasets():
    """Dataset -> series and platform, as decided by checkpoint resolve_datasets."""
    import pandas as pd

    path = checkpoints.resolve_datasets.get().output.datasets
    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False).set_index("dataset")


def series_matrix_of(series, organism=ORGANISM):
    """The series matrix of a resolved series (with its platform, if the config gives one);
    of a mixed human/mouse series, the one of the dataset of ``organism``."""
    table = resolved_datasets()
    mine = (table["series"] == series) & (table.index.map(DATASET_ORGANISM) == organism)
    platform = table.loc[mine if mine.any() else table["series"] == series, "platform"]
    return files_of_series(series, platform.iloc[0] if len(platform) and platform.iloc[0]
                           else None)["series_matrix"]


def series_matrix_for(organism):
    """Input function for the fetch_counts rules, one per organism (the series matrix that
    the counts are checked against)."""
    return lambda wildcards: series_matrix_of(wildcards.series, organism)


def dataset_files(dataset, kind):
    """One file of a resolved dataset (after checkpoint resolve_datasets)."""
    table = resolved_datasets()
    return files_of_series(table.at[dataset, "series"], table.at[dataset, "platform"] or None,
                           DATASET_ORGANISM[dataset])[kind]


def all_dataset_files(kind, datasets=None):
    """Input function: one file of ``kind`` per dataset (default: all), in config order."""

    def files(wildcards):
        return [dataset_files(d, kind) for d in (datasets or config["datasets"])]

    return files


def user_sample_sheet():
    """The user's sample sheet, when the config names one and it exists."""
    return [SAMPLE_SHEET] if SAMPLE_SHEET and Path(SAMPLE_SHEET).is_file() else []


def de_targets():
    return [f"{RESULTS}/de/{region}/{name}.tsv"
            for name, contrast in CONTRASTS.items() for region in contrast["regions"]]


def figure_targets():
    de = [f"{RESULTS}/figures/{region}/{kind}_{name}.png"
          for name, contrast in CONTRASTS.items() for region in contrast["regions"]
          for kind in ("volcano", "ma", "pvalues")]
    qc = [f"{RESULTS}/figures/{region}/{kind}.png" for region in QC_REGIONS
          for kind in ("pca", "sample_distances")]
    overlap = [f"{RESULTS}/figures/{region}/{kind}.png" for region in OVERLAP_REGIONS
               for kind in ("fold_changes_pain_vs_stress", "shared_genes_heatmap")]
    return [f"{RESULTS}/figures/library_sizes.png", *qc, *de, *overlap,
            f"{RESULTS}/figures/overlap_counts.png"]


def signature_files():
    """The gene-set files, and NCBI Gene's ortholog files when one may be human (a file
    not written yet, e.g. the demo's, might be)."""
    from painstress.compare.signatures import read_header

    files = list(FILE_SIGNATURES.values())
    human = any(not Path(f).is_file() or read_header(f).get("organism") == "human"
                for f in files) or bool(HUMAN_SIGNATURES)
    return {"files": files,
            **({"orthologs": f"{NCBI_GENE}/gene_orthologs.gz",
                "human_info": f"{NCBI_GENE}/Homo_sapiens.gene_info.gz"} if human else {})}


def contrast_signature_tables():
    """(signature, region, DE table) of every contrast signature, in a stable order; a
    human contrast's table is its DE table mapped to mouse genes (rule map_signature_contrasts)."""
    return [(name, region, f"{RESULTS}/signatures/mouse_de/{region}/{contrast}.tsv"
             if name in HUMAN_SIGNATURES else f"{RESULTS}/de/{region}/{contrast}.tsv")
            for name, contrast in CONTRAST_SIGNATURES.items()
            for region in CONTRASTS[contrast]["regions"]]


def human_signature_tables():
    """(signature, region, human DE table, mouse-mapped table) of the human contrast signatures."""
    return [(name, region, f"{RESULTS}/de/{region}/{contrast}.tsv",
             f"{RESULTS}/signatures/mouse_de/{region}/{contrast}.tsv")
            for name, contrast in HUMAN_SIGNATURES.items()
            for region in CONTRASTS[contrast]["regions"]]


def signature_targets():
    tables = [f"{RESULTS}/overlap/{name}.tsv"
              for name in ("signature_tests", "pain_stress_genes", "shared_count_summary")]
    figures = [f"{RESULTS}/figures/{region}/rrho2_pain_vs_stress.png"
               for region in OVERLAP_REGIONS]
    figures += [f"{RESULTS}/figures/{name}.png" for name in ("signature_overlap",
                                                            "shared_genes_upset")]
    return (tables + figures
            + ([f"{RESULTS}/signatures/mapping.tsv"] if FILE_SIGNATURES else [])
            + ([f"{RESULTS}/signatures/contrast_mapping.tsv"] if HUMAN_SIGNATURES else []))


NOTEBOOKS = ["01_data_and_samples", "02_differential_expression", "03_pain_stress_overlap"]


def all_targets():
    targets = [f"{RESULTS}/samples.tsv", *de_targets(), f"{RESULTS}/de/summary.tsv",
               *figure_targets(), f"{RESULTS}/overlap/shared_genes.tsv",
               f"{RESULTS}/overlap/overlap_stats.tsv", *signature_targets(),
               *[f"{RESULTS}/notebooks/{name}.html" for name in NOTEBOOKS]]
    tables = ["samples", "de_summary", "overlap_stats", "shared_genes", "pain_stress_genes",
              "shared_count_summary", "signature_tests"]
    if FILE_SIGNATURES:
        tables.append("signature_mapping")
    if HUMAN_SIGNATURES:
        tables.append("contrast_mapping")
    if config["source"] == "simulate":
        targets.append(f"{RESULTS}/truth_recovery.tsv")
        tables.append("truth_recovery")
    return targets + [f"{RESULTS}/tables/{name}.html" for name in tables]
