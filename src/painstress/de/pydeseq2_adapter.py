"""Every use of pydeseq2's private names, in one place, for the pydeseq2 versions it is
tested with.

pydeseq2's public API (``DeseqDataSet``, ``DeseqStats``, ``Inference``, ``pydeseq2.utils``)
is used directly elsewhere. What pydeseq2 does not promise to keep (names with a leading
underscore) is reached only through this module:

* ``var["_normed_means"]``: mean of the normalised counts per gene (the trend's covariate);
* ``var["_outlier_genes"]`` and ``uns["_squared_logres"]``: the dispersion outliers that
  are not shrunk, and the squared MAD of log residuals that defines them;
* ``layers["_mu_hat"]``: the fitted means the dispersions are estimated at (parity bench);
* ``DeseqDataSet._fit_parametric_dispersion_trend`` (overridden by :class:`AllGenesDataSet`)
  and ``DeseqDataSet._fit_mean_dispersion_trend`` (its fallback);
* ``DeseqStats._cooks_filtering``, ``_independent_filtering``, ``_p_value_adjustment``
  (timed by the speed bench).

Importing this module checks the installed pydeseq2 against :data:`SUPPORTED`, the range
``pyproject.toml`` and ``envs/`` pin; tests/test_pydeseq2_adapter.py checks each name
above on that version, so a pydeseq2 that renames or changes one fails there.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pydeseq2
from packaging.specifiers import SpecifierSet
from pydeseq2.dds import DeseqDataSet

from painstress import InputError

# The pydeseq2 versions the names below are tested with (pyproject.toml and envs/ pin it).
SUPPORTED = SpecifierSet("==0.5.4")

NORMED_MEANS = "_normed_means"      # var
OUTLIER_GENES = "_outlier_genes"    # var
SQUARED_LOGRES = "_squared_logres"  # uns
MU_HAT = "_mu_hat"                  # layers
# DeseqStats.summary()'s steps after the Wald test: Cook's filtering, then independent
# filtering, or plain BH without it (timed by the speed bench)
RESULTS_STEPS = ("_cooks_filtering", "_independent_filtering", "_p_value_adjustment")


def check_version(installed: str = pydeseq2.__version__) -> None:
    """An :class:`InputError` naming the installed pydeseq2 and :data:`SUPPORTED` unless
    the one is in the other."""
    if installed not in SUPPORTED:
        raise InputError(
            f"pydeseq2 {installed} is installed, but painstress is tested with pydeseq2"
            f"{SUPPORTED} only (it relies on pydeseq2 internals, "
            "painstress.de.pydeseq2_adapter). Install the tested version: "
            f"`pip install 'pydeseq2{SUPPORTED}'` (as envs/requirements.txt pins it), or use "
            "the workflow's conda environment, envs/painstress.yaml.")


check_version()


def normed_means(dds: DeseqDataSet) -> pd.Series:
    """Mean of the normalised counts per gene (set by ``fit_size_factors``)."""
    return dds.var[NORMED_MEANS]


def outlier_genes(dds: DeseqDataSet) -> np.ndarray:
    """A new array: per gene, whether its gene-wise dispersion is an outlier above the trend, so the
    final dispersion is the gene-wise one, not the MAP (set by ``fit_MAP_dispersions``)."""
    return dds.var[OUTLIER_GENES].to_numpy(bool, copy=True)


def squared_log_residuals(dds: DeseqDataSet) -> float:
    """Squared MAD of the log gene-wise dispersions around the log trend (set by
    ``fit_dispersion_prior``); outliers lie more than 2 × its root above the trend."""
    return float(dds.uns[SQUARED_LOGRES])


def mu_hat(dds: DeseqDataSet) -> np.ndarray:
    """The fitted means (samples × genes) the dispersions were estimated at."""
    return dds.layers[MU_HAT]


class AllGenesDataSet(DeseqDataSet):
    """pydeseq2's ``DeseqDataSet`` with one orchestration step vectorised.

    ``_fit_parametric_dispersion_trend`` checks gene by gene (pandas ``.loc`` per gene,
    ~0.3 s for 20,000 genes, as long as every dispersion step of the all-genes engine
    together) that ``1/mean`` is finite; here that check is one mask. Everything else,
    including the outlier-dropping loop around the trend fit, is pydeseq2's method, copied
    (tests/test_pydeseq2_adapter.py checks both give the same trend).
    """

    def _fit_parametric_dispersion_trend(self, vst: bool = False):
        disp_param_name = "vst_genewise_dispersions" if vst else "genewise_dispersions"
        if disp_param_name not in self.var:
            self.fit_genewise_dispersions(vst)
        genes = self.non_zero_genes
        targets = self.var.loc[genes, disp_param_name].copy()
        covariates = 1 / normed_means(self).loc[genes]
        finite = np.isfinite(covariates.to_numpy(float))
        targets, covariates = targets[finite], covariates[finite]

        old_coeffs, coeffs = np.array([0.1, 0.1]), np.array([1.0, 1.0])
        while (coeffs > 1e-10).all() and (np.log(np.abs(coeffs / old_coeffs)) ** 2).sum() >= 1e-6:
            old_coeffs = coeffs
            coeffs, predictions, converged = self.inference.dispersion_trend_gamma_glm(
                covariates, targets)
            coeffs = np.asarray(coeffs, float)
            if not converged or (coeffs <= 1e-10).any():
                warnings.warn("The dispersion trend curve fitting did not converge. "
                              "Switching to a mean-based dispersion trend.", UserWarning,
                              stacklevel=2)
                self._fit_mean_dispersion_trend(vst)
                return
            ratios = targets.to_numpy(float) / predictions
            keep = (ratios >= 1e-4) & (ratios < 15)
            targets, covariates = targets[keep], covariates[keep]

        if vst:
            self.uns["vst_trend_coeffs"] = pd.Series(coeffs, index=["a0", "a1"])
        else:
            self.uns["trend_coeffs"] = pd.Series(coeffs, index=["a0", "a1"])
            self.var["fitted_dispersions"] = np.full(self.n_vars, np.nan)
            self.uns["disp_function_type"] = "parametric"
            self.var.loc[self.var["non_zero"], "fitted_dispersions"] = self.disp_function(
                normed_means(self).loc[self.var["non_zero"]])
