"""A small human MDD-vs-control GEO series for the workflow tests (another study's signature),
written in the formats of GSE102556's human part on top of the demo study's NCBI Gene files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from painstress.data import ncbi_files
from painstress.demo.simulate import gzip_bytes, quoted, write_bytes

HUMAN_TISSUES = {  # region label -> how the human series (as GSE102556) spells it
    "NAc": "Nucleus Accumbens (Nac)",
    "mPFC": "Cingulate gyrus 25 (Cg25)",
    None: "Orbitofrontal (OFC; BA11)",  # a tissue the study leaves out (datasets.exclude)
}


def write_human_series(outdir: str | Path, series: str, platform: str, demo_dir: str | Path,
                       replicates: int = 3, seed: int = 2017) -> dict[str, Path]:
    """A small human MDD-vs-control series, in the formats of GSE102556's human part.

    Genes: every human gene of the demo's simulated NCBI Gene files (``<demo_dir>/ncbi_gene/``,
    written by :func:`write_demo_study`), so they reach mouse genes through the same
    orthologs (one-to-many and ortholog-less genes included: the mapping rate is < 1).
    Samples: ``replicates`` per tissue x phenotype (MDD, CTRL) x gender (Male, Female), in
    NAc, Cg25 and one tissue to exclude (OFC). Planted truth: the human orthologs of the
    demo's planted shared genes (``truth/shared_genes.tsv``) change by 4-fold in MDD, in
    the shared genes' direction, in both kept tissues.

    Writes ``<series>_raw_counts_GRCh38.p13_NCBI.tsv.gz``, ``Human.GRCh38.p13.annot.tsv.gz``
    and ``<series>-<platform>_series_matrix.txt.gz`` under ``<outdir>/<series>/``; returns
    their paths (keys ``counts``, ``annotation``, ``series_matrix``).
    """
    demo_dir, rng = Path(demo_dir), np.random.default_rng(seed)
    info = ncbi_files.read_gene_info(demo_dir / "ncbi_gene" / "Homo_sapiens.gene_info.gz")
    pairs = ncbi_files.read_gene_orthologs(demo_dir / "ncbi_gene" / "gene_orthologs.gz")
    shared = pd.read_csv(demo_dir / "truth" / "shared_genes.tsv", sep="\t")
    direction = shared.drop_duplicates("GeneID").set_index("GeneID")["direction"].map(
        {"up": 1, "down": -1})
    planted = pairs.assign(sign=pairs["mouse_GeneID"].map(direction)).dropna()
    log2fc = pd.Series(0.0, index=info["GeneID"])
    log2fc[planted["human_GeneID"].to_numpy()] = 2.0 * planted["sign"].to_numpy()

    rows = [(tissue, phenotype, gender) for tissue in HUMAN_TISSUES.values()
            for phenotype in ("MDD", "CTRL") for gender in ("Male", "Female")
            for _ in range(replicates)]
    samples = pd.DataFrame(rows, columns=["tissue", "phenotype", "gender"])
    samples.insert(0, "sample", [f"GSM{9_000_001 + i}" for i in range(len(samples))])
    samples["title"] = [f"{t.split(' (')[0]}_{p}_{g}_{i}"
                        for i, (t, p, g) in enumerate(zip(samples["tissue"],
                                                          samples["phenotype"],
                                                          samples["gender"]))]
    means = np.exp(rng.normal(np.log(150), 1.3, size=len(info)))
    effect = np.where(samples["phenotype"].to_numpy() == "MDD", 1.0, 0.0)
    mu = means[:, None] * 2.0 ** (log2fc.to_numpy()[:, None] * effect[None, :])
    mu = mu * rng.uniform(0.7, 1.3, size=len(samples))[None, :]
    dispersion = 0.05
    counts = rng.negative_binomial(1 / dispersion, 1 / (1 + mu * dispersion))
    table = pd.DataFrame(counts, index=pd.Index(info["GeneID"], name="GeneID"),
                         columns=samples["sample"])

    annotation = pd.DataFrame({"GeneID": info["GeneID"], "Symbol": info["Symbol"],
                               "Description": "simulated human gene (painstress demo study)",
                               "TaxID": 9606, "Status": "live", "Synonyms": ""})

    n = len(samples)
    matrix = "\n".join([
        '!Series_title\t"Simulated human MDD vs control, postmortem brain (demo)"',
        f'!Series_geo_accession\t"{series}"',
        '!Series_type\t"Expression profiling by high throughput sequencing"',
        f'!Series_platform_id\t"{platform}"',
        '!Series_sample_taxid\t"9606"',
        "",
        f"!Sample_title\t{quoted(samples['title'])}",
        f"!Sample_geo_accession\t{quoted(samples['sample'])}",
        f"!Sample_source_name_ch1\t{quoted(['postmortem brain'] * n)}",
        f"!Sample_organism_ch1\t{quoted(['Homo sapiens'] * n)}",
        # as GSE102556: one characteristics line per key
        f"!Sample_characteristics_ch1\t{quoted('tissue: ' + t for t in samples['tissue'])}",
        f"!Sample_characteristics_ch1\t{quoted('gender: ' + g for g in samples['gender'])}",
        f"!Sample_characteristics_ch1\t{quoted('phenotype: ' + p for p in samples['phenotype'])}",
        f"!Sample_taxid_ch1\t{quoted(['9606'] * n)}",
        f"!Sample_platform_id\t{quoted([platform] * n)}",
        "!series_matrix_table_begin",
        f'"ID_REF"\t{quoted(samples["sample"])}',
        "!series_matrix_table_end",
        ""])
    organism = "Homo sapiens"
    files = {"counts": (ncbi_files.counts_filename(series, organism),
                        gzip_bytes(table.to_csv(sep="\t", lineterminator="\n"))),
             "annotation": (ncbi_files.annotation_filename(organism),
                            gzip_bytes(annotation.to_csv(sep="\t", index=False,
                                                          lineterminator="\n"))),
             "series_matrix": (ncbi_files.series_matrix_filename(series, platform),
                               gzip_bytes(matrix))}
    written = {}
    for key, (name, data) in files.items():
        written[key] = Path(outdir) / series / name
        write_bytes(written[key], data)
    return written
