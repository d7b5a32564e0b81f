"""The demo study: a simulated experiment with the real study's design and planted truth.

Design as in Descalzi et al. 2017: three brain regions (NAc, mPFC, PAG); a pain series
(SNI vs sham) and a stress series (CUS vs control), each mouse contributing one sample
per region. Counts are negative binomial with

* gene means log-normal (median ~150 counts, spanning 0–10^5), shifted per region;
* dispersion ``(a + b / mean)`` times log-normal scatter, the DESeq2 mean–dispersion shape;
* library sizes varying ±40 %.

Planted truth, per region: a set of pain-only DE genes, a set of stress-only DE genes
(|log2FC| uniform in 0.3–1.5, random sign), and shared genes changed in the same
direction by both models. The shared genes (``n_shared`` unique genes pooled over regions,
some in two regions) are the ones the overlap stage must find.

Files are written in the formats of GEO/NCBI (see :mod:`painstress.data.ncbi_files`), gzip with a
fixed timestamp, so the same parameters give the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from painstress.data import ncbi_files
from painstress.demo import genesets
from painstress.demo.formats import gzip_bytes, write_bytes

REGIONS = {  # label used in truth files -> how GEO characteristics spell it, per series
    "NAc": ("nucleus accumbens", "NAc"),
    "mPFC": ("medial prefrontal cortex", "mPFC"),
    "PAG": ("periaqueductal gray", "PAG"),
}
MODELS = {  # model -> (test group, reference group, how each series spells them)
    "pain": ("SNI", "sham", {"SNI": "spared nerve injury (SNI)", "sham": "sham surgery"}),
    "stress": ("CUS", "control", {"CUS": "chronic unpredictable stress (CUS)",
                                  "control": "unstressed control"}),
}
# Real mouse gene-family roots, so that symbols look like MGI symbols.
_SYMBOL_ROOTS = (
    "Slc", "Kcn", "Gpr", "Zfp", "Cdh", "Tmem", "Fam", "Ccdc", "Ankrd", "Lrrc", "Rbm", "Dnaj",
    "Atp", "Cacna", "Gria", "Grin", "Htr", "Adcy", "Pde", "Rgs", "Sema", "Plxn", "Nrxn", "Shank",
    "Syt", "Stx", "Rab", "Arhgap", "Arhgef", "Dock", "Myo", "Kif", "Usp", "Ube2", "Ptpr", "Wdr",
    "Tbc1d", "Sox", "Foxp", "Nr4a", "Egr", "Fos", "Jun", "Hdac", "Kdm", "Camk", "Prkc", "Mapk",
)


@dataclass(frozen=True)
class DemoParameters:
    """What the generator needs; defaults give the bundled demo."""

    seed: int = 2017
    n_genes: int = 16000
    min_replicates: int = 5
    max_replicates: int = 6
    de_genes: int = 300          # per region and model, not counting shared genes
    shared_genes: int = 40       # unique genes pooled over regions
    shared_in_two_regions: int = 6
    min_planted_mean: float = 30.0  # planted genes are drawn from genes this well expressed


# The CI-sized demo: what the tests and the CI parity bench run (a few minutes end to end).
SMALL_STUDY = DemoParameters(n_genes=3000, de_genes=60, shared_genes=30)

def mouse_like_symbols(n: int, rng: np.random.Generator) -> list[str]:
    """``n`` unique symbols shaped like MGI's: ``Slc6a4``, ``Gm12345``, ``4930402H24Rik``."""
    symbols: list[str] = []
    seen: set[str] = set()
    letters = "abcdefgh"
    while len(symbols) < n:
        kind = rng.random()
        if kind < 0.15:
            symbol = f"Gm{rng.integers(1000, 60000)}"
        elif kind < 0.22:
            symbol = (f"{rng.integers(1110, 9930)}{rng.integers(100, 999)}"
                      f"{chr(65 + rng.integers(0, 26))}{rng.integers(1, 24)}Rik")
        else:
            symbol = f"{rng.choice(_SYMBOL_ROOTS)}{rng.integers(1, 40)}"
            if rng.random() < 0.4:
                symbol += f"{letters[rng.integers(0, len(letters))]}{rng.integers(1, 20)}"
        if symbol not in seen:
            seen.add(symbol)
            symbols.append(symbol)
    return symbols


def simulate_study(params: DemoParameters) -> dict[str, pd.DataFrame]:
    """Simulate the study in memory.

    Returns ``genes`` (GeneID, Symbol), ``samples`` (sample, series_model, region, group,
    mouse, title), ``counts`` (GeneID × sample), ``de_truth`` (region, model, GeneID,
    log2FC) and ``shared_truth`` (region, GeneID, direction, log2FC_pain, log2FC_stress).
    """
    rng = np.random.default_rng(params.seed)
    n = params.n_genes
    # offsets, not np.arange: the same IDs and random stream without a 1 GB array
    gene_ids = np.sort(11_000 + rng.choice(119_989_000, size=n, replace=False))
    symbols = mouse_like_symbols(n, rng)

    log_mean = rng.normal(np.log(150.0), 2.0, size=n)
    region_mean = {r: np.clip(np.exp(log_mean + rng.normal(0.0, 0.4, size=n)), 0.05, 2e5)
                   for r in REGIONS}
    scatter = np.exp(rng.normal(0.0, 0.5, size=n))

    # Planted truth. Shared genes first, then per region/model DE sets disjoint from them.
    well_expressed = {r: np.flatnonzero(region_mean[r] >= params.min_planted_mean)
                      for r in REGIONS}
    shared_rows = []
    everywhere = np.intersect1d(np.intersect1d(well_expressed["NAc"], well_expressed["mPFC"]),
                                well_expressed["PAG"])
    shared_idx = rng.choice(everywhere, size=params.shared_genes, replace=False)
    regions = list(REGIONS)
    for k, gene in enumerate(shared_idx):
        home = [regions[k % 3]]
        if k < params.shared_in_two_regions:
            home.append(regions[(k + 1) % 3])
        sign = rng.choice([-1.0, 1.0])
        for region in home:
            shared_rows.append((region, int(gene), "up" if sign > 0 else "down",
                                sign * rng.uniform(0.6, 1.5), sign * rng.uniform(0.6, 1.5)))
    shared = pd.DataFrame(shared_rows, columns=["region", "gene_index", "direction",
                                                "log2FC_pain", "log2FC_stress"])

    lfc = {(r, m): np.zeros(n) for r in REGIONS for m in MODELS}
    de_rows = []
    for row in shared.itertuples():
        lfc[(row.region, "pain")][row.gene_index] = row.log2FC_pain
        lfc[(row.region, "stress")][row.gene_index] = row.log2FC_stress
    for region in REGIONS:
        taken = set(shared.loc[shared.region == region, "gene_index"])
        pool = np.array([i for i in well_expressed[region] if i not in taken])
        picked = rng.choice(pool, size=2 * params.de_genes, replace=False)
        for model, genes in zip(MODELS, (picked[: params.de_genes], picked[params.de_genes:])):
            effects = rng.choice([-1.0, 1.0], size=len(genes)) * rng.uniform(0.3, 1.5, len(genes))
            lfc[(region, model)][genes] = effects
        for model in MODELS:
            nonzero = np.flatnonzero(lfc[(region, model)])
            de_rows += [(region, model, int(i), lfc[(region, model)][i]) for i in nonzero]
    de_truth = pd.DataFrame(de_rows, columns=["region", "model", "gene_index", "log2FC"])

    # Samples: each series has its own mice; each mouse gives one sample per region.
    sample_rows, columns = [], []
    next_gsm = 1
    for model, (test, reference, _) in MODELS.items():
        batch = rng.normal(0.0, 0.1, size=n)  # series-level (lab/batch) shift per gene
        for group in (reference, test):
            n_mice = int(rng.integers(params.min_replicates, params.max_replicates + 1))
            for mouse in range(1, n_mice + 1):
                for region in REGIONS:
                    mean = region_mean[region] * np.exp(batch)
                    if group == test:
                        mean = mean * 2.0 ** lfc[(region, model)]
                    size_factor = rng.uniform(0.6, 1.4)
                    mu = size_factor * mean
                    dispersion = (0.03 + 0.8 / mu) * scatter
                    r = 1.0 / dispersion
                    columns.append(rng.negative_binomial(r, r / (r + mu)))
                    gsm = f"GSM{next_gsm:07d}"
                    next_gsm += 1
                    sample_rows.append((gsm, model, region, group, f"{model}-{group}-{mouse}",
                                        f"{region}_{group}_{mouse}"))
    samples = pd.DataFrame(sample_rows, columns=["sample", "model", "region", "group",
                                                 "mouse", "title"])
    counts = pd.DataFrame(np.column_stack(columns), index=pd.Index(gene_ids, name="GeneID"),
                          columns=samples["sample"])

    def with_ids(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        frame.insert(frame.columns.get_loc("gene_index"), "GeneID",
                     gene_ids[frame["gene_index"]])
        frame.insert(frame.columns.get_loc("GeneID") + 1, "symbol",
                     [symbols[i] for i in frame["gene_index"]])
        return frame.drop(columns="gene_index")

    genes = pd.DataFrame({"GeneID": gene_ids, "Symbol": symbols})
    return {"genes": genes, "samples": samples, "counts": counts,
            "de_truth": with_ids(de_truth).sort_values(["region", "model", "GeneID"]),
            "shared_truth": with_ids(shared).sort_values(["region", "GeneID"])}


def _annotation_text(genes: pd.DataFrame, rng: np.random.Generator) -> str:
    """NCBI ``*.annot.tsv`` layout: the real column names, synthetic values."""
    n = len(genes)
    table = pd.DataFrame({
        "GeneID": genes["GeneID"],
        "Symbol": genes["Symbol"],
        "Description": "simulated gene (painstress demo study)",
        "TaxID": 10090,
        "Status": "live",
        "Synonyms": "",
        "ChrAcc": [f"NC_0000{c:02d}.7" for c in rng.integers(67, 86, size=n)],
        "ChrStart": rng.integers(3_000_000, 150_000_000, size=n),
        "ChrStop": 0,
        "Orientation": rng.choice(["plus", "minus"], size=n),
        "Length": rng.integers(500, 200_000, size=n),
        "EnsemblGeneID": [f"ENSMUSG{i:011d}" for i in range(1, n + 1)],
        "GeneType": rng.choice(["protein-coding", "ncRNA", "pseudo"], size=n, p=[.8, .15, .05]),
        "GOFunctionID": "", "GOProcessID": "", "GOComponentID": "",
        "GOFunction": "", "GOProcess": "", "GOComponent": "",
    })
    table["ChrStop"] = table["ChrStart"] + table["Length"]
    return table.to_csv(sep="\t", index=False, lineterminator="\n")


def quoted(values) -> str:
    """Values as one tab-separated, quoted series-matrix field list."""
    return "\t".join(f'"{v}"' for v in values)


def _series_matrix_text(series: str, model: str, samples: pd.DataFrame) -> str:
    """A GEO series matrix for RNA-seq: metadata lines and an empty data table."""
    test, reference, spelling = MODELS[model]

    n = len(samples)
    region_long = [REGIONS[r][0] for r in samples["region"]]
    lines = [
        f'!Series_title\t"Simulated {test} vs {reference} in three brain regions (demo)"',
        f'!Series_geo_accession\t"{series}"',
        '!Series_status\t"Public on Mar 21 2017"',
        '!Series_summary\t"Simulated counts with planted differential expression; '
        'made by painstress.demo.simulate for offline demonstration and tests."',
        f'!Series_overall_design\t"{test} vs {reference}; NAc, mPFC and PAG from each mouse."',
        '!Series_type\t"Expression profiling by high throughput sequencing"',
        f'!Series_sample_id\t"{" ".join(samples["sample"])} "',
        '!Series_platform_id\t"GPL13112"',
        '!Series_platform_taxid\t"10090"',
        '!Series_sample_taxid\t"10090"',
        "",
        f"!Sample_title\t{quoted(samples['title'])}",
        f"!Sample_geo_accession\t{quoted(samples['sample'])}",
        f"!Sample_status\t{quoted(['Public on Mar 21 2017'] * n)}",
        f"!Sample_type\t{quoted(['SRA'] * n)}",
        f"!Sample_channel_count\t{quoted(['1'] * n)}",
        f"!Sample_source_name_ch1\t{quoted(['mouse brain'] * n)}",
        f"!Sample_organism_ch1\t{quoted(['Mus musculus'] * n)}",
        f"!Sample_characteristics_ch1\t{quoted(['strain: C57BL/6J'] * n)}",
        f"!Sample_characteristics_ch1\t{quoted(['Sex: male'] * n)}",
        # The two series spell their factors differently, as real submitters do.
        "!Sample_characteristics_ch1\t" + (
            quoted("tissue: " + r for r in region_long) if model == "pain" else
            quoted("brain region: " + r for r in samples["region"])),
        "!Sample_characteristics_ch1\t" + quoted(
            ("treatment: " if model == "pain" else "stress: ") + spelling[g]
            for g in samples["group"]),
        f"!Sample_molecule_ch1\t{quoted(['total RNA'] * n)}",
        f"!Sample_taxid_ch1\t{quoted(['10090'] * n)}",
        f"!Sample_platform_id\t{quoted(['GPL13112'] * n)}",
        f"!Sample_library_strategy\t{quoted(['RNA-Seq'] * n)}",
        f"!Sample_data_row_count\t{quoted(['0'] * n)}",
        "!series_matrix_table_begin",
        f'"ID_REF"\t{quoted(samples["sample"])}',
        "!series_matrix_table_end",
        "",
    ]
    return "\n".join(lines)


def write_demo_study(outdir: str | Path, pain_series: str, stress_series: str,
                     params: DemoParameters = DemoParameters()) -> dict[str, Path]:
    """Write the demo study in GEO/NCBI formats under ``outdir``; return the paths.

    Layout (the same as real downloads): ``<series>/<series>_raw_counts_GRCm39_NCBI.tsv.gz``,
    ``<series>/<series>_series_matrix.txt.gz``, ``<series>/Mouse.GRCm39.annot.tsv.gz``;
    planted truth in ``truth/de_genes.tsv``, ``truth/shared_genes.tsv``, ``truth/samples.tsv``.
    """
    outdir = Path(outdir)
    study = simulate_study(params)
    annotation = gzip_bytes(_annotation_text(study["genes"],
                                              np.random.default_rng(params.seed + 1)))
    written: dict[str, Path] = {}
    for model, series in (("pain", pain_series), ("stress", stress_series)):
        samples = study["samples"][study["samples"]["model"] == model]
        counts = study["counts"][samples["sample"]]
        files = {
            f"{model}_counts": (ncbi_files.counts_filename(series),
                                gzip_bytes(counts.to_csv(sep="\t", lineterminator="\n"))),
            f"{model}_series_matrix": (ncbi_files.series_matrix_filename(series),
                                       gzip_bytes(_series_matrix_text(series, model, samples))),
            f"{model}_annotation": (ncbi_files.annotation_filename(), annotation),
        }
        for key, (name, data) in files.items():
            written[key] = outdir / series / name
            write_bytes(written[key], data)
    folders = {"gene_orthologs.gz": "ncbi_gene", "Homo_sapiens.gene_info.gz": "ncbi_gene",
               "truth_signatures.tsv": "truth"}
    for name, data in genesets.demo_signatures(study, params.seed + 2).items():
        key = name.split(".")[0]
        written[key] = outdir / folders.get(name, "signatures") / name.replace("truth_", "")
        write_bytes(written[key], data)
    sources = genesets.write_demo_genesets(study, outdir / "genesets", params.seed + 3)
    truth = sources.pop("truth_genesets")
    (outdir / "truth").mkdir(parents=True, exist_ok=True)
    written["truth_genesets"] = truth.replace(outdir / "truth" / "genesets.tsv")
    written.update(sources)
    for key in ("de_truth", "shared_truth", "samples"):
        name = {"de_truth": "de_genes.tsv", "shared_truth": "shared_genes.tsv",
                "samples": "samples.tsv"}[key]
        written[key] = outdir / "truth" / name
        write_bytes(written[key], study[key].to_csv(sep="\t", index=False, float_format="%.4f",
                                               lineterminator="\n").encode())
    return written
