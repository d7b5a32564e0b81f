"""The all-genes DE engine against stock pydeseq2's per-gene solvers, exact arithmetic
(mpmath) and hand-made cases with known answers."""
import warnings

import mpmath
import numpy as np
import pandas as pd
import pytest
from pydeseq2 import utils as pyd
from pydeseq2.dds import DeseqDataSet
from pydeseq2.default_inference import DefaultInference
from pydeseq2.ds import DeseqStats

from painstress.de import deseq2
from painstress.de.engine import (
    AllGenesInference,
    digamma_difference,
    dispersion_loss,
    dispersion_objective_gradient,
    gamma_identity_glm,
)
from painstress.settings import DESettings, Thresholds

MIN_DISP, MAX_DISP = 1e-8, 10.0


def _two_groups(n_per_group=5):
    return np.column_stack([np.ones(2 * n_per_group),
                            np.repeat([0.0, 1.0], n_per_group)])


def _nb_counts(rng, mu, alpha, n_genes):
    """NB counts (samples × genes) with means ``mu`` (samples,) × a per-gene level."""
    level = rng.lognormal(3, 1.5, n_genes)
    means = mu[:, None] * level[None, :]
    return rng.negative_binomial(1 / alpha, 1 / (1 + alpha * means)).astype(float), means


@pytest.fixture(scope="module")
def simulated():
    rng = np.random.default_rng(7)
    X = _two_groups()
    sf = rng.uniform(0.7, 1.4, 10)
    effect = np.where(X[:, 1] == 1, 1.5, 1.0)
    counts, _ = _nb_counts(rng, sf * effect, 0.08, 400)
    counts[:, 0] = [0, 0, 0, 0, 0, 40, 52, 38, 61, 45]          # zeros in one whole group
    counts[:, 1] = rng.poisson(200 * sf)                        # Poisson-like: tiny dispersion
    counts[:, 2] = [12, 9, 15, 11, 10, 14, 13, 9, 4000, 12]     # one huge outlier
    counts = counts[:, counts.sum(axis=0) > 0]
    return X, sf, counts


def test_digamma_difference_keeps_its_digits_at_tiny_dispersion():
    mpmath.mp.dps = 40
    y = np.array([[0.0], [1.0], [7.0], [250.0], [31_000.0]])
    for r in (1e4 + 1, 1e6, 1e8, 1e10):
        ours = digamma_difference(y, np.array([r]))[:, 0]
        exact = [float(mpmath.digamma(mpmath.mpf(v) + r) - mpmath.digamma(r)) for v in y[:, 0]]
        np.testing.assert_allclose(ours, exact, rtol=1e-13, atol=0)


def test_dispersion_derivative_has_the_right_sign_at_the_lower_bound():
    """At α = 1e-8 the textbook derivative (pydeseq2's dnb_nll) is rounding noise; ours
    matches a 50-digit finite difference of the exact loss."""
    mpmath.mp.dps = 50
    y = np.array([10, 12, 10, 10, 10, 8, 7, 21, 19, 15], float)
    mu = np.full(10, 12.2)
    X = np.ones((10, 1))

    def exact_loss(alpha):
        r = 1 / mpmath.mpf(alpha)
        return -sum(mpmath.loggamma(v + r) - mpmath.loggamma(v + 1) - mpmath.loggamma(r)
                    + r * mpmath.log(r / (r + m)) + v * mpmath.log(m / (r + m))
                    for v, m in zip(y, map(mpmath.mpf, mu)))

    for alpha in (1e-8, 1e-6, 1e-3):
        t, h = mpmath.log(alpha), mpmath.mpf("1e-12")
        exact = (exact_loss(mpmath.exp(t + h)) - exact_loss(mpmath.exp(t - h))) / (2 * h)
        ours = dispersion_objective_gradient(np.array([np.log(alpha)]), y[:, None],
                                             mu[:, None], X, cr_reg=False)[0]
        assert ours == pytest.approx(float(exact), rel=1e-6)


@pytest.mark.parametrize("maxiter", [250, 4])
def test_irls_matches_pydeseq2_gene_by_gene(simulated, maxiter):
    """Same iterates and stopping as pydeseq2; with maxiter=4 some genes do not settle in
    time and go to pydeseq2's own per-gene fallback (L-BFGS-B), counted."""
    X, sf, counts = simulated
    disp = np.full(counts.shape[1], 0.08)
    engine = AllGenesInference()
    beta, mu, hat, converged = engine.irls(counts, sf, X, disp, min_mu=0.5, beta_tol=1e-8,
                                           maxiter=maxiter)
    for gene in range(counts.shape[1]):
        b, m, h, ok = pyd.irls_solver(counts[:, gene], sf, X, disp[gene], 0.5, 1e-8,
                                      maxiter=maxiter)
        np.testing.assert_allclose(beta[gene], b, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(mu[:, gene], m, rtol=1e-9)
        np.testing.assert_allclose(hat[:, gene], h, rtol=1e-7, atol=1e-12)
        assert converged[gene] == ok
    assert (engine.fallbacks["irls"] > 0) == (maxiter == 4)


@pytest.mark.parametrize("prior", [False, True])
def test_dispersions_match_pydeseq2_or_beat_its_loss(simulated, prior):
    """Gene-wise (Cox–Reid) and MAP dispersions: pydeseq2's L-BFGS-B per gene vs ours."""
    X, sf, counts = simulated
    engine = AllGenesInference()
    mu = engine.lin_reg_mu(counts, sf, X, 0.5)
    start = np.maximum(pyd.fit_rough_dispersions(counts / sf[:, None], pd.DataFrame(X)),
                       MIN_DISP)
    kwargs = dict(prior_disp_var=0.3, prior_reg=True) if prior else {}
    ours, ok = engine.alpha_mle(counts, X, mu, start, MIN_DISP, MAX_DISP, **kwargs)
    theirs = np.array([pyd.fit_alpha_mle(counts[:, g], X, mu[:, g], start[g], MIN_DISP,
                                         MAX_DISP, **kwargs)[0]
                       for g in range(counts.shape[1])])
    assert ok.all()
    rel = np.abs(ours - theirs) / theirs
    assert np.median(rel) <= 1e-5
    objective = ({"prior_log_alpha": np.log(start), "prior_disp_var": 0.3} if prior else {})
    loss_ours = dispersion_loss(np.log(ours), counts, mu, X, **objective)
    loss_theirs = dispersion_loss(np.log(theirs), counts, mu, X, **objective)
    differ = rel > 1e-4
    # where the two differ, ours is the better optimum (up to the loss's own rounding)
    assert (loss_ours[differ] <= loss_theirs[differ] + 1e-7 * np.abs(loss_theirs[differ])).all()


def test_poisson_like_gene_sits_at_the_lower_bound():
    rng = np.random.default_rng(3)
    X = _two_groups(6)
    counts = rng.poisson(500, size=(12, 1)).astype(float)
    counts[:, 0] = np.round(np.linspace(497, 503, 12))  # less spread than Poisson
    mu = np.full((12, 1), counts.mean())
    disp, ok = AllGenesInference().alpha_mle(counts, X, mu, np.array([0.01]), MIN_DISP,
                                             MAX_DISP)
    assert ok[0] and disp[0] == MIN_DISP


def test_wald_test_matches_pydeseq2(simulated):
    X, sf, counts = simulated
    rng = np.random.default_rng(1)
    n_genes = counts.shape[1]
    disp, lfc = rng.uniform(0.01, 0.5, n_genes), rng.normal(0, 1, (n_genes, 2))
    lfc[:, 0] += 4
    mu = sf[:, None] * np.exp(X @ lfc.T)
    ridge, contrast = np.diag([1e-6, 1e-6]), np.array([0.0, 1.0])
    for alt, null in [(None, 0.0), ("greaterAbs", 0.3), ("lessAbs", 0.3), ("greater", 0.2),
                      ("less", -0.2)]:
        p, stat, se = AllGenesInference().wald_test(X, disp, lfc, mu, ridge, contrast, null,
                                                    alt)
        for g in range(0, n_genes, 7):
            ref = pyd.wald_test(X, disp[g], lfc[g], mu[:, g], ridge, contrast, null, alt)
            np.testing.assert_allclose([p[g], stat[g], se[g]], ref, rtol=1e-10, atol=1e-300)


def test_trend_recovers_a_noise_free_curve_and_drops_outliers():
    means = np.geomspace(1, 1e4, 300)
    disp = 0.05 + 2.0 / means
    disp[::50] *= 40  # outliers beyond 15 × the curve leave the fit
    disp[7] = 1e-9    # below 100 × min_disp: not used, as in R
    coeffs, predictions, ok = AllGenesInference().dispersion_trend_gamma_glm(
        pd.Series(1 / means), pd.Series(disp))
    assert ok
    np.testing.assert_allclose(coeffs, [0.05, 2.0], rtol=1e-9)
    np.testing.assert_allclose(predictions, 0.05 + 2.0 / means, rtol=1e-9)


def test_gamma_glm_is_the_gamma_mle():
    """Score equations of the identity-link Gamma GLM hold at the solution."""
    rng = np.random.default_rng(5)
    x = rng.uniform(0.01, 1, 500)
    y = (0.1 + 0.8 * x) * rng.gamma(4, 1 / 4, 500)
    coeffs, ok = gamma_identity_glm(x, y, np.array([0.1, 1.0]))
    fitted = coeffs[0] + coeffs[1] * x
    score = np.array([np.sum((y - fitted) / fitted**2), np.sum(x * (y - fitted) / fitted**2)])
    assert ok and np.abs(score).max() < 1e-6 * len(x)


def test_shrinkage_matches_pydeseq2_or_beats_its_objective(simulated):
    X, sf, counts = simulated
    size = np.full(counts.shape[1], 1 / 0.08)
    offset = np.log(sf)
    args = (15.0, 0.4)
    beta, inv_h, ok = AllGenesInference().lfc_shrink_nbinom_glm(
        X, counts, size, offset, *args, "L-BFGS-B", 1)
    assert ok.all() and np.isfinite(inv_h).all()
    for g in range(0, counts.shape[1], 5):
        b, _, _ = pyd.nbinomGLM(X, counts[:, g], size[g], offset, *args, "L-BFGS-B", 1)
        f_ours = pyd.nbinomFn(beta[g], X, counts[:, g], size[g], offset, *args, 1)
        f_theirs = pyd.nbinomFn(b, X, counts[:, g], size[g], offset, *args, 1)
        if abs(beta[g, 1] - b[1]) > 1e-4:  # a different optimum: ours must be lower
            assert f_ours <= f_theirs + 1e-9 * abs(f_theirs)
        assert f_ours <= f_theirs + 1e-7 * abs(f_theirs)


def _fit(counts, metadata, design, inference):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dds = DeseqDataSet(counts=counts, metadata=metadata, design=design,
                           inference=inference, quiet=True)
        dds.deseq2()
        stats = DeseqStats(dds, contrast=["condition", "B", "A"], inference=inference,
                           quiet=True)
        stats.summary()
        return dds, stats.results_df


@pytest.mark.parametrize("per_group,covariate,outlier", [(2, False, False), (7, False, True),
                                                        (6, True, False)])
def test_whole_fit_agrees_with_stock_pydeseq2(per_group, covariate, outlier):
    """Two samples per group; one huge outlier that Cook's distance replaces (7 per
    group); ~sex + condition: the same DESeq2 results from both engines (up to the
    trend, which ours fits as R does)."""
    rng = np.random.default_rng(11)
    n = 2 * per_group
    sf = rng.uniform(0.6, 1.5, n)
    counts, _ = _nb_counts(rng, sf, 0.1, 600)
    genes = [f"g{i}" for i in range(600)]
    samples = [f"s{i}" for i in range(n)]
    metadata = pd.DataFrame({"condition": np.repeat(["A", "B"], per_group)}, index=samples)
    design = "~condition"
    if covariate:
        metadata["sex"] = np.tile(["f", "m"], per_group)
        design = "~sex + condition"
    if outlier:
        counts[3, 5] = 60 * counts[:, 5].max() + 100
    counts[:, 9] = 2_000_000_000 + rng.integers(0, 1000, n)  # beyond naive float ranges
    table = pd.DataFrame(counts.astype(int), index=samples, columns=genes)
    ours_dds, ours = _fit(table, metadata, design, AllGenesInference())
    _, stock = _fit(table, metadata, design, DefaultInference(n_cpus=1))
    assert np.isfinite(ours.loc["g9", ["log2FoldChange", "pvalue"]]).all()
    if outlier:
        assert ours_dds.var["replaced"].any() and bool(ours_dds.var.loc["g5", "replaced"])
    both = ours["pvalue"].notna() & stock["pvalue"].notna()
    assert both.sum() >= 590
    lfc_ours, lfc_stock = ours.loc[both, "log2FoldChange"], stock.loc[both, "log2FoldChange"]
    assert lfc_ours.corr(lfc_stock, method="spearman") > 0.9999
    assert np.median(np.abs(lfc_ours - lfc_stock) / np.abs(lfc_stock)) < 2e-3
    assert ours.loc[both, "pvalue"].corr(stock.loc[both, "pvalue"], method="spearman") > 0.999


def test_run_contrast_names_the_engine_and_filters_at_the_configured_alpha(small_study):
    sheet = small_study["samples"].rename(columns={"model": "dataset"})
    symbols = small_study["genes"].set_index("GeneID")["Symbol"]
    args = dict(region="NAc", test="SNI", reference="sham", symbols=symbols)
    loose = deseq2.analyse_contrast(small_study["counts"], sheet, **args, settings=DESettings
                                    .defaults(thresholds=Thresholds.defaults(modern_padj=0.2)))
    strict = deseq2.analyse_contrast(small_study["counts"], sheet, **args,
                                     settings=DESettings.defaults())
    assert loose.fitted.stats.alpha == 0.2 and strict.fitted.stats.alpha == 0.05
    assert loose.summary["engine"].startswith("painstress ")
    assert loose.summary["fallback_genes"]
    assert loose.results["sig_modern"].sum() > strict.results["sig_modern"].sum()


def test_contrast_where_levels_choose_the_samples(small_study):
    """A contrast restricted to one level of a factor fits only those samples."""
    sheet = small_study["samples"].rename(columns={"model": "dataset"})
    sheet = sheet.assign(sex=np.where(np.arange(len(sheet)) % 2, "male", "female"))
    symbols = small_study["genes"].set_index("GeneID")["Symbol"]
    analysis = deseq2.analyse_contrast(small_study["counts"], sheet, region="NAc", test="SNI",
                                       reference="sham", symbols=symbols, where={"sex": "male"},
                                       settings=DESettings.defaults())
    fitted = set(analysis.model.groups.index)
    assert fitted and fitted <= set(sheet.loc[sheet.sex == "male", "sample"])


def test_genes_that_do_not_converge_get_pydeseq2s_per_gene_solver(simulated, monkeypatch):
    """With the batched solvers cut to one step, every unfinished gene goes to pydeseq2's
    own per-gene fit (which ends in DESeq2's grid search), and is counted."""
    import painstress.de.engine as engine_module

    X, sf, counts = simulated
    counts = counts[:, :100]  # the special genes and enough others: each is fitted twice
    engine = AllGenesInference()
    mu = engine.lin_reg_mu(counts, sf, X, 0.5)
    start = np.full(counts.shape[1], 0.05)
    monkeypatch.setattr(engine_module, "_MAX_DISPERSION_STEPS", 1)
    ours, ok = engine.alpha_mle(counts, X, mu, start, MIN_DISP, MAX_DISP)
    handed_over = engine.fallbacks["gene-wise dispersions"]
    assert handed_over > counts.shape[1] / 2 and ok.all()
    theirs = np.array([pyd.fit_alpha_mle(counts[:, g], X, mu[:, g], start[g], MIN_DISP,
                                         MAX_DISP)[0] for g in range(counts.shape[1])])
    assert np.median(np.abs(ours - theirs) / theirs) < 1e-12  # the same solver for most

    monkeypatch.setattr(engine_module, "_MAX_SHRINK_STEPS", 1)
    size, offset = np.full(counts.shape[1], 12.5), np.log(sf)
    beta, _, ok = engine.lfc_shrink_nbinom_glm(X, counts[:, :10], size[:10], offset, 15.0,
                                               0.4, "L-BFGS-B", 1)
    assert engine.fallbacks["LFC shrinkage"] > 0 and ok.all()
    b, _, _ = pyd.nbinomGLM(X, counts[:, 0], size[0], offset, 15.0, 0.4, "L-BFGS-B", 1)
    assert beta[0] == pytest.approx(b, rel=1e-6, abs=1e-8)


def test_stock_pydeseq2_stays_selectable(small_study):
    """de.inference: pydeseq2 runs stock inference, and the summary says so."""
    sheet = small_study["samples"].rename(columns={"model": "dataset"})
    symbols = small_study["genes"].set_index("GeneID")["Symbol"]
    counts = small_study["counts"].iloc[:300]
    args = dict(region="NAc", test="SNI", reference="sham", symbols=symbols)
    stock = deseq2.analyse_contrast(counts, sheet, **args,
                                    settings=DESettings.defaults(inference="pydeseq2"))
    ours = deseq2.analyse_contrast(counts, sheet, **args, settings=DESettings.defaults())
    assert type(stock.fitted.dds.inference) is DefaultInference
    assert isinstance(ours.fitted.dds.inference, AllGenesInference)
    assert stock.summary["engine"].startswith("pydeseq2 ")
    assert stock.summary["fallback_genes"] == "none"
    both = stock.results.merge(ours.results, on="GeneID", suffixes=("_stock", "_ours"))
    assert both["log2FoldChange_stock"].corr(both["log2FoldChange_ours"]) > 0.9999
