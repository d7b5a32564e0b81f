"""pydeseq2 behind one adapter (painstress.de.pydeseq2_adapter): the version guard, the pins,
the engine on pydeseq2's abstract ``Inference``, and one test per private pydeseq2 name the
adapter uses: it exists with the signature relied on and behaves as relied on, so a
pydeseq2 that changes it fails here.
"""
from __future__ import annotations

import hashlib
import inspect
import subprocess
import sys
import tomllib
import warnings

import numpy as np
import pandas as pd
import pydeseq2
import pytest
import yaml
from packaging.requirements import Requirement
from pydeseq2 import utils as pyd_utils
from pydeseq2.dds import DeseqDataSet
from pydeseq2.default_inference import DefaultInference
from pydeseq2.ds import DeseqStats
from pydeseq2.inference import Inference

from conftest import REPO
from painstress import InputError
from painstress.de import pydeseq2_adapter as adapter
from painstress.de.engine import AllGenesInference

# ------------------------------------------------------------------ version and pins


def test_version_guard_names_the_installed_version_and_the_tested_range():
    adapter.check_version(pydeseq2.__version__)  # the installed one is a tested one
    for other in ("0.6.0", "0.5.3", "1.0"):
        with pytest.raises(InputError, match=rf"pydeseq2 {other} is installed.*"
                                             r"pydeseq2==0\.5\.4 only") as caught:
            adapter.check_version(other)
        assert "pip install 'pydeseq2==0.5.4'" in str(caught.value)


def test_an_untested_pydeseq2_stops_the_de_step_before_any_fit():
    """Importing the adapter checks the installed pydeseq2, and both engines import it
    before building a data set."""
    script = """
import sys
import pydeseq2
pydeseq2.__version__ = "0.6.0"
from painstress import InputError
from painstress.de import deseq2
for engine in ("painstress", "pydeseq2"):
    sys.modules.pop("painstress.de.pydeseq2_adapter", None)
    try:
        deseq2.new_data_set(None, None, "~condition", engine=engine)
    except InputError as error:
        print(engine, "refused:", error)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=REPO)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [["painstress", "refused:"],
                                                     ["pydeseq2", "refused:"]]
    assert all("pydeseq2 0.6.0 is installed" in line and "==0.5.4" in line for line in lines)


def _pip_pin(lines, name="pydeseq2"):
    (pin,) = [line.strip() for line in lines if line.strip().startswith(f"{name}==")]
    return pin


def test_pyproject_and_envs_pin_the_range_the_adapter_is_tested_with():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    (required,) = [Requirement(text) for text in project["dependencies"]
                   if Requirement(text).name == "pydeseq2"]
    assert required.specifier == adapter.SUPPORTED
    env = yaml.safe_load((REPO / "envs" / "painstress.yaml").read_text())
    pins = {
        "requirements.txt": _pip_pin((REPO / "envs" / "requirements.txt").read_text()
                                     .splitlines()),
        "constraints.txt": _pip_pin((REPO / "envs" / "constraints.txt").read_text()
                                    .splitlines()),
        "painstress.yaml": _pip_pin(next(d["pip"] for d in env["dependencies"]
                                         if isinstance(d, dict))),
    }
    for where, pin in pins.items():
        assert Requirement(pin).specifier == adapter.SUPPORTED, (where, pin)
    assert pydeseq2.__version__ in adapter.SUPPORTED


# ------------------------------------------------------------------ the engine's interface


def test_engine_implements_pydeseq2s_abstract_inference_itself():
    """Not a DefaultInference: every abstract method is the engine's own (or an explicit
    delegation), so none runs pydeseq2's per-gene code unnoticed."""
    assert issubclass(AllGenesInference, Inference)
    assert not issubclass(AllGenesInference, DefaultInference)
    assert sorted(name for name in Inference.__abstractmethods__
                  if name not in vars(AllGenesInference)) == []
    assert not AllGenesInference.__abstractmethods__
    for name in Inference.__abstractmethods__:  # pydeseq2 calls them with these names
        ours = list(inspect.signature(getattr(AllGenesInference, name)).parameters)
        theirs = list(inspect.signature(getattr(Inference, name)).parameters)
        assert ours == theirs, (name, ours, theirs)


def test_rough_and_moment_dispersions_delegate_to_pydeseq2():
    rng = np.random.default_rng(3)
    normed = rng.gamma(2.0, 50.0, (8, 30))
    design = pd.DataFrame({"intercept": 1.0, "b": np.repeat([0.0, 1.0], 4)})
    size_factors = rng.uniform(0.7, 1.3, 8)
    engine = AllGenesInference()
    np.testing.assert_array_equal(engine.fit_rough_dispersions(normed, design),
                                  pyd_utils.fit_rough_dispersions(normed, design))
    np.testing.assert_array_equal(engine.fit_moments_dispersions(normed, size_factors),
                                  pyd_utils.fit_moments_dispersions(normed, size_factors))


# ------------------------------------------------------------------ the private names


def _data(n_per_group=5, n_genes=300, seed=21):
    """NB counts, two groups; gene g0's counts swing wildly (a dispersion outlier)."""
    rng = np.random.default_rng(seed)
    n = 2 * n_per_group
    sf = rng.uniform(0.7, 1.4, n)
    level = rng.lognormal(3, 1.5, n_genes)
    means = sf[:, None] * level[None, :] * np.where(np.arange(n) < n_per_group, 1, 1.4)[:, None]
    alpha = 0.05
    counts = rng.negative_binomial(1 / alpha, 1 / (1 + alpha * means))
    counts[:, 0] = np.tile([1, 900], n_per_group)
    samples = [f"s{i}" for i in range(n)]
    table = pd.DataFrame(counts, index=samples, columns=[f"g{i}" for i in range(n_genes)])
    metadata = pd.DataFrame({"condition": np.repeat(["A", "B"], n_per_group)}, index=samples)
    return table, metadata


def _data_set(cls=adapter.AllGenesDataSet, inference=None, **kwargs):
    table, metadata = _data(**kwargs)
    return cls(counts=table, metadata=metadata, design="~condition",
               inference=inference or AllGenesInference(), quiet=True)


@pytest.fixture(scope="module")
def fitted():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        dds = _data_set()
        dds.deseq2()
    return dds


def _parameters(method):
    return [(p.name, p.default) for p in inspect.signature(method).parameters.values()]


def test_normed_means_is_the_mean_normalised_count_the_trend_is_a_function_of(fitted):
    means = adapter.normed_means(fitted)
    assert list(means.index) == list(fitted.var_names)
    np.testing.assert_array_equal(means.to_numpy(float),
                                  fitted.layers["normed_counts"].mean(axis=0))
    a0, a1 = fitted.uns["trend_coeffs"]
    np.testing.assert_allclose(fitted.var["fitted_dispersions"], a0 + a1 / means, rtol=1e-14)


def test_outlier_genes_and_squared_log_residuals_follow_deseq2s_rule(fitted):
    """Outliers: log gene-wise > log trend + 2 × the MAD of the log residuals (genes above
    100 × min_disp); their final dispersion is the gene-wise one, the others' the MAP."""
    var = fitted.var
    genewise, trend = var["genewise_dispersions"], var["fitted_dispersions"]
    residuals = np.log(genewise) - np.log(trend)
    used = residuals[genewise >= 100 * fitted.min_disp].to_numpy(float)
    mad = np.median(np.abs(used - np.median(used))) / 0.6744897501960817
    squared = adapter.squared_log_residuals(fitted)
    assert isinstance(squared, float)
    assert squared == pytest.approx(mad**2, rel=1e-12)
    outlier = adapter.outlier_genes(fitted)
    assert outlier.dtype == bool and outlier.shape == (fitted.n_vars,)
    np.testing.assert_array_equal(outlier, np.log(genewise) > np.log(trend) + 2 * np.sqrt(squared))
    assert outlier[0] and 0 < outlier.sum() < 30           # the planted gene, and few others
    final = var["dispersions"].to_numpy(float)
    np.testing.assert_array_equal(final[outlier], genewise[outlier])
    np.testing.assert_array_equal(final[~outlier], var["MAP_dispersions"][~outlier])
    outlier[:] = False                                      # a copy: pydeseq2's column stays
    assert adapter.outlier_genes(fitted)[0]


def test_mu_hat_is_the_means_the_dispersions_are_fitted_at():
    class Recording(AllGenesInference):
        def alpha_mle(self, **kwargs):  # pydeseq2 passes every argument by name
            calls.append(kwargs)
            return super().alpha_mle(**kwargs)

    calls = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        dds = _data_set(inference=Recording())
        dds.deseq2()
    mu = adapter.mu_hat(dds)
    assert mu.shape == (dds.n_obs, dds.n_vars)
    assert [call.get("prior_reg", False) for call in calls] == [False, True]  # gene-wise, MAP
    for call in calls:
        np.testing.assert_array_equal(call["mu"], mu[:, dds.non_zero_idx])


def test_parametric_trend_method_is_called_and_our_copy_gives_pydeseq2s_trend():
    """AllGenesDataSet overrides ``_fit_parametric_dispersion_trend`` with a copy of
    pydeseq2's body (one vectorised check): pydeseq2 must still call it, with the same
    signature, and its own version must give the very same trend (and VST)."""
    assert _parameters(DeseqDataSet._fit_parametric_dispersion_trend) == [
        ("self", inspect.Parameter.empty), ("vst", False)]
    source = inspect.getsource(DeseqDataSet._fit_parametric_dispersion_trend)
    assert hashlib.sha256(source.encode()).hexdigest() == (
        "08cd89590521077456d127b2ffd50084500d7d9fabf262e7c1386515447cd990"), (
        "pydeseq2 changed _fit_parametric_dispersion_trend: compare "
        "painstress.de.pydeseq2_adapter.AllGenesDataSet's copy with it, then update the hash")

    class Spy(adapter.AllGenesDataSet):
        def _fit_parametric_dispersion_trend(self, vst=False):
            calls.append(vst)
            return super()._fit_parametric_dispersion_trend(vst)

    calls = []
    fits = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for cls in (Spy, DeseqDataSet):
            dds = _data_set(cls)
            dds.fit_size_factors()
            dds.fit_genewise_dispersions()
            dds.fit_dispersion_trend()
            dds.vst(use_design=False)
            fits[cls] = dds
    assert calls == [False, True]
    ours, theirs = fits[Spy], fits[DeseqDataSet]
    np.testing.assert_array_equal(ours.uns["trend_coeffs"], theirs.uns["trend_coeffs"])
    np.testing.assert_array_equal(ours.var["fitted_dispersions"],
                                  theirs.var["fitted_dispersions"])
    assert ours.uns["disp_function_type"] == theirs.uns["disp_function_type"] == "parametric"
    np.testing.assert_array_equal(ours.uns["vst_trend_coeffs"], theirs.uns["vst_trend_coeffs"])
    np.testing.assert_array_equal(ours.layers["vst_counts"], theirs.layers["vst_counts"])


def test_mean_trend_method_is_the_fallback_when_the_parametric_fit_fails():
    """When the gamma fit does not converge, both pydeseq2's method and our copy warn and
    call ``_fit_mean_dispersion_trend``: a trimmed mean of the gene-wise dispersions."""
    assert _parameters(DeseqDataSet._fit_mean_dispersion_trend) == [
        ("self", inspect.Parameter.empty), ("vst", False)]

    class Failing(AllGenesInference):
        def dispersion_trend_gamma_glm(self, covariates, targets):
            return np.array([0.1, 1.0]), np.full(len(covariates), 0.1), False

    fits = {}
    for cls in (adapter.AllGenesDataSet, DeseqDataSet):
        dds = _data_set(cls, inference=Failing())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            dds.fit_size_factors()
            dds.fit_genewise_dispersions()
        with pytest.warns(UserWarning, match="Switching to a mean-based dispersion trend"):
            dds.fit_dispersion_trend()
        fits[cls] = dds
    ours, theirs = fits[adapter.AllGenesDataSet], fits[DeseqDataSet]
    assert ours.uns["disp_function_type"] == theirs.uns["disp_function_type"] == "mean"
    genewise = ours.var["genewise_dispersions"].to_numpy(float)
    from scipy.stats import trim_mean

    mean = trim_mean(genewise[genewise > 10 * ours.min_disp], 0.001)
    assert ours.uns["mean_disp"] == theirs.uns["mean_disp"] == pytest.approx(mean, rel=1e-14)
    np.testing.assert_array_equal(ours.var["fitted_dispersions"],
                                  theirs.var["fitted_dispersions"])
    np.testing.assert_allclose(ours.var["fitted_dispersions"], mean, rtol=1e-14)


@pytest.mark.parametrize("independent_filter", [True, False])
def test_results_steps_are_summarys_steps_after_the_wald_test(fitted, independent_filter):
    """The speed bench times DeseqStats.summary()'s private steps after the Wald test."""
    for name in adapter.RESULTS_STEPS:
        assert _parameters(getattr(DeseqStats, name)) == [("self", inspect.Parameter.empty)]
    calls = []

    class Spy(DeseqStats):
        pass

    for name in ("run_wald_test", *adapter.RESULTS_STEPS):
        def spy(self, _name=name):
            calls.append(_name)
            return getattr(DeseqStats, _name)(self)
        setattr(Spy, name, spy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        stats = Spy(fitted, contrast=["condition", "B", "A"], inference=fitted.inference,
                    independent_filter=independent_filter, quiet=True)
        stats.summary()
    last = "_independent_filtering" if independent_filter else "_p_value_adjustment"
    assert calls == ["run_wald_test", "_cooks_filtering", last]
    assert stats.results_df["padj"].notna().any()
