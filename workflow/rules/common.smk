# Paths and target lists: the one place that knows where every file lives.
from painstress import geo

STUDY = config["study"]["name"]
ORGANISM = config["study"]["organism"]
RESULTS = f"results/{STUDY}"
RESOURCES = f"resources/{STUDY}"
LOGS = f"{RESULTS}/logs"
REGIONS = list(config["samples"]["factors"]["region"])
CONTRASTS = {c["name"]: c for c in config["contrasts"]}
PAIN, STRESS = config["overlap"]["pain"], config["overlap"]["stress"]
# Regions where both overlap contrasts are fitted.
OVERLAP_REGIONS = [r for r in CONTRASTS[PAIN]["regions"] if r in CONTRASTS[STRESS]["regions"]]
SAMPLE_SHEET = config["samples"].get("sheet")


wildcard_constraints:
    region="|".join(REGIONS),
    contrast="|".join(CONTRASTS),


def dataset_files(dataset):
    """The three files of one GEO series under resources/, as NCBI and GEO name them."""
    series = config["datasets"][dataset]["geo"]
    platform = config["datasets"][dataset].get("platform")
    folder = f"{RESOURCES}/{series}"
    return {
        "counts": f"{folder}/{geo.counts_filename(series, ORGANISM)}",
        "series_matrix": f"{folder}/{geo.series_matrix_filename(series, platform)}",
        "annotation": f"{folder}/{geo.annotation_filename(ORGANISM)}",
    }


def all_dataset_files(kind):
    return {d: dataset_files(d)[kind] for d in config["datasets"]}


def user_sample_sheet():
    """The user's sample sheet, when the config names one and it exists."""
    return [SAMPLE_SHEET] if SAMPLE_SHEET and Path(SAMPLE_SHEET).is_file() else []


def de_targets():
    return [f"{RESULTS}/de/{region}/{name}.tsv"
            for name, contrast in CONTRASTS.items() for region in contrast["regions"]]


def figure_targets():
    de = [f"{RESULTS}/figures/{region}/{kind}_{name}.png"
          for name, contrast in CONTRASTS.items() for region in contrast["regions"]
          for kind in ("volcano", "ma")]
    pca = [f"{RESULTS}/figures/{region}/pca.png" for region in REGIONS]
    return de + pca + [f"{RESULTS}/figures/overlap_counts.png"]


def all_targets():
    targets = [f"{RESULTS}/samples.tsv", *de_targets(), *figure_targets(),
               f"{RESULTS}/overlap/shared_genes.tsv", f"{RESULTS}/overlap/overlap_stats.tsv"]
    if config["source"] == "simulate":
        targets.append(f"{RESULTS}/truth_recovery.tsv")
    return targets
