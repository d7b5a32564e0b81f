"""The count matrices both benchmarks use (bench/parity and bench/de_speed).

Each matrix is a :class:`Matrix`: raw counts (genes × samples, index GeneID), a sample
sheet shaped like results/<study>/samples.tsv, and the arguments rule deseq2 would give
painstress.de.deseq2.run_contrast for it.

* ``demo-<region>-<contrast>``: the demo study (config/demo.yaml's ``simulate`` settings,
  painstress.demo.simulate), every region × contrast the workflow fits (6).
* ``sim8``, ``sim12``, ``sim40``: the same generator at 20,000 genes with 4, 6 and 20
  mice per group; NAc, CUS vs control (8, 12 and 40 samples).
* ``scale200``, ``scale60k``: the same generator at 20,000 genes × 200 samples and
  60,000 genes × 40 samples (the speed bench's scale rows).
* ``ci``: the CI parity test's matrix (3,000 genes, NAc CUS vs control, 10 samples).
* ``nac``: real counts, mouse NAc, CUS vs control, GSE102556 (40 samples, 20 male and 20
  female; a third-party HISAT2 + featureCounts matrix, see
  ../shared/fixtures/geo/SOURCES.md), design ``~ sex + condition``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd
import yaml

from painstress.demo import simulate
from painstress.settings import DESettings

REPO = Path(__file__).resolve().parents[2]

NAC_DIR = REPO.parent / "shared" / "fixtures" / "geo" / "real_counts_GSE102556_mouse_NAc"
SIM_GENES = 20_000
SIM_SAMPLES = {"sim8": 8, "sim12": 12, "sim40": 40}
# Scale rows of the speed bench: (genes, samples)
SCALE = {"scale200": (20_000, 200), "scale60k": (60_000, 40)}
DEMO_CONTRASTS = {"SNI_vs_sham": ("pain", "SNI", "sham"),
                  "CUS_vs_control": ("stress", "CUS", "control")}


@dataclass
class Matrix:
    name: str
    description: str
    counts: pd.DataFrame          # genes x samples, raw counts, index GeneID
    sheet: pd.DataFrame           # sample, dataset, region, group (+ covariates)
    region: str
    test: str
    reference: str
    covariates: list[str] = field(default_factory=list)
    symbols: pd.Series = field(default_factory=lambda: pd.Series(dtype=str))

    def settings(self, engine: str) -> DESettings:
        """The DE settings rule deseq2 would use: the config schema's defaults, with this
        matrix's covariates and ``engine`` (de.inference)."""
        return DESettings.defaults(covariates=tuple(self.covariates), inference=engine)

    def run_contrast_kwargs(self, n_cpus: int, engine: str) -> dict:
        """What rule deseq2 passes to painstress.de.deseq2.run_contrast (config defaults)."""
        return dict(region=self.region, test=self.test, reference=self.reference,
                    symbols=self.symbols, settings=self.settings(engine), n_cpus=n_cpus)


def _sheet(samples: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"sample": samples["sample"], "dataset": samples["model"],
                         "region": samples["region"], "group": samples["group"]})


@cache
def _study(**params) -> dict:
    return simulate.simulate_study(simulate.DemoParameters(**params))


def demo_parameters() -> dict:
    """config/demo.yaml's ``simulate`` settings (left-out keys take DemoParameters'
    defaults, which are the schema's)."""
    config = yaml.safe_load((REPO / "config" / "demo.yaml").read_text())
    return dict(config.get("simulate", {}))


def demo_matrices() -> list[Matrix]:
    study = _study(**demo_parameters())
    out = []
    for contrast, (model, test, reference) in DEMO_CONTRASTS.items():
        for region in simulate.REGIONS:
            samples = study["samples"]
            samples = samples[samples["model"] == model]
            out.append(Matrix(
                name=f"demo-{region}-{contrast}",
                description=f"demo study, {region} {test} vs {reference}",
                counts=study["counts"][samples["sample"]], sheet=_sheet(samples),
                region=region, test=test, reference=reference,
                symbols=study["genes"].set_index("GeneID")["Symbol"]))
    return out


def simulated_matrix(name: str) -> Matrix:
    n_genes, n = SCALE.get(name, (SIM_GENES, SIM_SAMPLES.get(name)))
    study = _study(n_genes=n_genes, min_replicates=n // 2, max_replicates=n // 2)
    samples = study["samples"]
    samples = samples[(samples["model"] == "stress") & (samples["region"] == "NAc")]
    return Matrix(name=name, description=f"simulated, {n_genes:,} genes x {n} samples "
                                         "(NAc CUS vs control)",
                  counts=study["counts"][samples["sample"]], sheet=_sheet(samples),
                  region="NAc", test="CUS", reference="control",
                  symbols=study["genes"].set_index("GeneID")["Symbol"])


def ci_matrix() -> Matrix:
    """The CI parity test's matrix: the CI-sized demo (tests/conftest.py SMALL), NAc CUS
    vs control, 3,000 genes."""
    small = simulate.SMALL_STUDY
    study = _study(**{k: getattr(small, k) for k in small.__dataclass_fields__})
    samples = study["samples"]
    samples = samples[(samples["model"] == "stress") & (samples["region"] == "NAc")]
    return Matrix(name="ci", description="CI-sized demo, 3,000 genes (NAc CUS vs control)",
                  counts=study["counts"][samples["sample"]], sheet=_sheet(samples),
                  region="NAc", test="CUS", reference="control",
                  symbols=study["genes"].set_index("GeneID")["Symbol"])


def nac_matrix(folder: Path = NAC_DIR) -> Matrix:
    counts = pd.read_csv(folder / "NA_Mouse_Overall_Mapped_Final.csv", index_col=0)
    counts.index = counts.index.astype("int64")
    counts.index.name = "GeneID"
    mapping = pd.read_csv(folder / "NA_Mouse_Mappings.csv")
    sheet = pd.DataFrame({
        "sample": mapping["SRR"], "dataset": "stress", "region": "NAc",
        "group": mapping["Phenotype"].map({"CASE": "CUS", "CTRL": "control"}),
        "sex": mapping["Gender"].str.lower()})
    if sheet["group"].isna().any() or set(sheet["sample"]) != set(counts.columns):
        raise ValueError(f"{folder}: sample sheet and count columns do not match")
    return Matrix(name="nac", description="real mouse NAc, GSE102556, 27,179 genes x 40 "
                                          "samples (CUS vs control, sex as covariate)",
                  counts=counts[sheet["sample"]], sheet=sheet, region="NAc", test="CUS",
                  reference="control", covariates=["sex"])


ALL = ["ci", "demo", "sim8", "sim12", "sim40", "nac"]


def matrices(names: list[str]) -> list[Matrix]:
    """Matrices by name; ``demo`` stands for the six demo contrasts."""
    out = []
    for name in names:
        if name == "demo":
            out += demo_matrices()
        elif name.startswith("demo-"):
            out += [m for m in demo_matrices() if m.name == name]
        elif name in SIM_SAMPLES or name in SCALE:
            out.append(simulated_matrix(name))
        elif name == "nac":
            out.append(nac_matrix())
        elif name == "ci":
            out.append(ci_matrix())
        else:
            raise SystemExit(f"unknown matrix {name!r}; choose from {ALL} or demo-<region>-"
                             "<contrast>")
    return out
