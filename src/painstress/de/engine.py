"""DESeq2's per-gene fits computed for every gene at once, behind pydeseq2's ``Inference``.

pydeseq2's :class:`~pydeseq2.default_inference.DefaultInference` solves one small scipy
optimisation per gene (tens of thousands per fit), and its time goes into optimiser
overhead, not arithmetic. :class:`AllGenesInference` computes the same estimates with
numpy over the whole genes axis at once; pydeseq2's ``DeseqDataSet``/``DeseqStats`` still
orchestrate (size factors, trend, prior variance, Cook's outliers and refits, independent
filtering), so the statistics stay DESeq2's.

* **IRLS** (GLM coefficients): the same iteration, start and stopping rule as pydeseq2's
  ``irls_solver``, batched over genes (``p × p`` systems solved together).
* **Dispersions** (gene-wise MLE with the Cox–Reid adjustment, and MAP with the log-normal
  prior): the root of the derivative in ``log α`` found by Newton–secant steps kept inside
  a sign-change bracket (bisection when a step leaves it), to ``|Δ log α| < 1e-10``. The
  derivative is written so it keeps its precision at tiny ``α`` (see
  :func:`digamma_difference`); the textbook form ``ψ(1/α) − ψ(y + 1/α) + …`` loses its sign
  near ``α = 1e-8``.
* **Wald test**: closed form, batched.
* **Dispersion trend**: DESeq2's gamma-family GLM ``α ~ a0 + a1/mean`` (identity link)
  fitted by IRLS, as R's ``glm()`` does.
* **LFC shrinkage** (apeGLM-style Cauchy prior on one coefficient): damped Newton with a
  backtracking line search from pydeseq2's starting point, Levenberg-modified where the
  Hessian is not positive definite (the Cauchy prior is not convex).

Genes whose batched solve does not converge (IRLS diverging, a non-finite derivative, a
shrinkage fit that does not settle) get pydeseq2's own per-gene solver for that gene, which
ends in DESeq2's grid search. :attr:`AllGenesInference.fallbacks` counts them per step, so
the caller can report them; nothing is replaced silently.

This module uses pydeseq2's public API only; the one orchestration step it speeds up
(the trend's gene choice, :class:`painstress.de.pydeseq2_adapter.AllGenesDataSet`) is in
:mod:`painstress.de.pydeseq2_adapter` with every other use of pydeseq2's private names.
"""

from __future__ import annotations

from collections import Counter
from typing import Literal

import numpy as np
import pandas as pd
from pydeseq2 import utils as pyd_utils
from pydeseq2.inference import Inference
from scipy.special import digamma, expit
from scipy.stats import norm

# Above this 1/α, ψ(y + 1/α) − ψ(1/α) comes from the asymptotic series (see digamma_difference).
_SERIES_FROM = 1e4
_DISPERSION_TOL = 1e-10     # on log α
_MAX_DISPERSION_STEPS = 200
START_GRADIENT_TOL = 1e-5  # scipy L-BFGS-B's default pgtol, as pydeseq2 runs it
_FD_STEP = 1e-6             # finite-difference step (log α) for the first curvature
_SHRINK_STEP_TOL = 1e-10    # on the shrinkage Newton step, every coefficient
_SHRINK_NEAR = 1e-3         # Newton steps below this are taken whole (no line search)
_MAX_SHRINK_STEPS = 200


# ------------------------------------------------------------------ negative binomial pieces


def digamma_difference(counts: np.ndarray, r: np.ndarray) -> np.ndarray:
    """``ψ(y + r) − ψ(r)`` for counts ``y`` (n × g) and ``r = 1/α`` (g,).

    For ``r`` above 1e4 the two digammas are ~log r ≈ 10–20 apart from each other by
    ~y/r, so their difference keeps too few digits for the dispersion derivative, whose
    terms cancel to O(α²). There the asymptotic series of ψ is differenced term by term
    (``log1p(y/r)`` and exact differences of the 1/x^k terms; truncation error below
    1e-40 at these ``r``).
    """
    out = np.empty(np.broadcast_shapes(counts.shape, r.shape))
    big = np.broadcast_to(r > _SERIES_FROM, out.shape)
    rr = np.broadcast_to(r, out.shape)
    yy = np.broadcast_to(counts, out.shape)
    small = ~big
    out[small] = digamma(yy[small] + rr[small]) - digamma(rr[small])
    if big.any():
        y, x1 = yy[big], rr[big]
        x2 = x1 + y
        out[big] = (np.log1p(y / x1) + y / (2 * x1 * x2)
                    + (1 / x1**2 - 1 / x2**2) / 12
                    - (1 / x1**4 - 1 / x2**4) / 120
                    + (1 / x1**6 - 1 / x2**6) / 252)
    return out


def _gram(X: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``X' diag(w_g) X`` for every gene g: (g, p, p) from X (n, p) and weights (n, g),
    as one matrix product (the p² column products of X against the weights)."""
    n, p = X.shape
    pairs = (X[:, :, None] * X[:, None, :]).reshape(n, p * p)
    return (weights.T @ pairs).reshape(-1, p, p)


def dispersion_objective_gradient(log_alpha: np.ndarray, counts: np.ndarray, mu: np.ndarray,
                                  X: np.ndarray, *, cr_reg: bool = True,
                                  prior_log_alpha: np.ndarray | None = None,
                                  prior_disp_var: float | None = None) -> np.ndarray:
    """Derivative in ``log α`` of pydeseq2's dispersion loss (NB negative log-likelihood,
    plus ½ log det(X'WX) with ``cr_reg``, plus the log-normal prior when
    ``prior_log_alpha`` is given), for every gene (column) at once.

    The NB part is ``−(1/α) Σ [log1p(μα) + α(y − μ)/(1 + μα) − (ψ(y + 1/α) − ψ(1/α))]``,
    algebraically pydeseq2's ``α · dnb_nll`` but with no term of size ~log(1/α).
    """
    alpha = np.exp(log_alpha)
    r = 1.0 / alpha
    mu_alpha = mu * alpha
    term = (np.log1p(mu_alpha) + alpha * (counts - mu) / (1 + mu_alpha)
            - digamma_difference(counts, r))
    grad = -r * term.sum(axis=0)
    if cr_reg:
        W = mu / (1 + mu_alpha)
        gram_inv = np.linalg.inv(_gram(X, W))
        # d/dα ½ log det(X'WX) = ½ tr((X'WX)⁻¹ X' dW X), dW/dα = −W²; times α for log α.
        grad += 0.5 * alpha * np.einsum("gij,gji->g", gram_inv, _gram(X, -W**2))
    if prior_log_alpha is not None:
        grad += (log_alpha - prior_log_alpha) / prior_disp_var
    return grad


def dispersion_loss(log_alpha: np.ndarray, counts: np.ndarray, mu: np.ndarray, X: np.ndarray,
                    *, cr_reg: bool = True, prior_log_alpha: np.ndarray | None = None,
                    prior_disp_var: float | None = None) -> np.ndarray:
    """pydeseq2's dispersion loss for every gene (used to compare optima, not to fit)."""
    alpha = np.exp(log_alpha)
    loss = pyd_utils.nb_nll(counts, mu, alpha)
    if cr_reg:
        W = mu / (1 + mu * alpha)
        loss = loss + 0.5 * np.linalg.slogdet(_gram(X, W))[1]
    if prior_log_alpha is not None:
        loss = loss + (log_alpha - prior_log_alpha) ** 2 / (2 * prior_disp_var)
    return loss


def solve_dispersions(counts: np.ndarray, mu: np.ndarray, X: np.ndarray,
                      start: np.ndarray, min_disp: float, max_disp: float,
                      **objective) -> tuple[np.ndarray, np.ndarray]:
    """Minimise the dispersion loss in ``log α`` over ``[log min_disp, log max_disp]`` for
    every gene: (dispersions, converged).

    A gene whose derivative is ≥ 0 at the lower bound sits at ``min_disp``. Otherwise,
    from the start (clipped into the interval), Newton steps whose curvature is a secant
    through the last two iterates, kept inside the current sign-change bracket
    (bisection when a step leaves it or the curvature is not positive), until the step
    is below 1e-10 in log α (a gene whose derivative stays negative ends at
    ``max_disp``). ``converged`` is False where the derivative was not finite.
    """
    def grad(t, cols):
        return dispersion_objective_gradient(
            t, counts[:, cols], mu[:, cols], X, **_subset_prior(objective, cols))

    n_genes = counts.shape[1]
    lo_bound, hi_bound = np.log(min_disp), np.log(max_disp)
    everyone = np.arange(n_genes)
    log_alpha = np.clip(np.log(start), lo_bound, hi_bound)
    g = grad(log_alpha, everyone)
    converged = np.isfinite(g)
    # the optimum is below the start where the derivative is positive there: at the lower
    # bound if the derivative is not negative even there
    down = np.flatnonzero(converged & (g > 0) & (log_alpha > lo_bound))
    g_lo = grad(np.full(down.size, lo_bound), down)
    converged[down[~np.isfinite(g_lo)]] = False
    at_lo = np.zeros(n_genes, bool)
    at_lo[down[np.isfinite(g_lo) & (g_lo >= 0)]] = True
    # DESeq2 and pydeseq2 stop where the start already meets a first-order tolerance
    # (L-BFGS-B's projected gradient <= 1e-5; R's fitDisp likewise): for parity, so do
    # we. This matters at a start on the lower bound, where the loss is flat in log α.
    projected = np.where(log_alpha <= lo_bound, np.minimum(g, 0),
                         np.where(log_alpha >= hi_bound, np.maximum(g, 0), g))
    at_start = converged & (np.abs(projected) <= START_GRADIENT_TOL)
    log_alpha[at_lo & ~at_start] = lo_bound

    keep = converged & ~at_lo & ~at_start
    active, t, g = everyone[keep], log_alpha[keep], g[keep]
    # the start bounds the bracket on one side (the derivative changes sign beyond it)
    lo = np.where(g < 0, t, lo_bound)
    hi = np.where(g > 0, t, hi_bound)         # the derivative is > 0 there, or the root is hi
    # curvature: a forward difference at the start, then secants through the last two
    # iterates (one derivative evaluation per step, superlinear convergence)
    curvature = (grad(t + _FD_STEP, active) - g) / _FD_STEP
    for _ in range(_MAX_DISPERSION_STEPS):
        if active.size == 0:
            break
        lo = np.where(g < 0, t, lo)
        hi = np.where(g > 0, t, hi)
        newton = t - g / curvature
        inside = (curvature > 0) & (newton > lo) & (newton < hi)
        new_t = np.where(inside, newton, 0.5 * (lo + hi))
        done = (np.abs(new_t - t) < _DISPERSION_TOL) | (hi - lo < _DISPERSION_TOL) | (g == 0)
        log_alpha[active] = np.where(g == 0, t, new_t)
        active, lo, hi, t_old, g_old, t = (active[~done], lo[~done], hi[~done], t[~done],
                                           g[~done], new_t[~done])
        if active.size == 0:
            break
        g = grad(t, active)
        bad = ~np.isfinite(g)
        converged[active[bad]] = False
        with np.errstate(divide="ignore", invalid="ignore"):
            curvature = (g - g_old) / (t - t_old)
        active, lo, hi, t, g, curvature = (x[~bad] for x in (active, lo, hi, t, g, curvature))
    converged[active] = False  # ran out of steps
    return np.clip(np.exp(log_alpha), min_disp, max_disp), converged


def _subset_prior(objective: dict, cols: np.ndarray) -> dict:
    """The objective's keyword arguments restricted to genes ``cols``."""
    out = dict(objective)
    if out.get("prior_log_alpha") is not None:
        out["prior_log_alpha"] = out["prior_log_alpha"][cols]
    return out


# ------------------------------------------------------------------------- LFC shrinkage


def _shrink_terms(beta, X, counts, size, offset, no_shrink_scale, prior_scale, shrink_index,
                  objective_only=False):
    """apeGLM-style objective (pydeseq2's ``nbinomFn``), gradient and Hessian per gene.

    ``beta``: (p, g); counts (n, g); size (g,); offset (n,). Returns f (g,), grad (g, p)
    and hess (g, p, p), or (f, None, None) with ``objective_only``.
    """
    p = X.shape[1]
    shrink = np.zeros(p, bool)
    shrink[shrink_index] = True
    b_shrink = beta[shrink_index]
    xbeta = X @ beta
    eta = xbeta + offset[:, None]
    log_size = np.log(size)
    prior = ((beta[~shrink] ** 2).sum(axis=0) / (2 * no_shrink_scale**2)
             + np.log1p((b_shrink / prior_scale) ** 2))
    f = prior - (counts * xbeta - (counts + size) * np.logaddexp(eta, log_size)).sum(axis=0)
    if objective_only:
        return f, None, None
    d_prior = np.where(shrink[:, None], 2 * beta / (prior_scale**2 + b_shrink**2),
                       beta / no_shrink_scale**2)
    # with s = sigmoid(eta − log size): (y + size) / (1 + size e^−eta) = (y + size) s, and
    # (y + size) size e^eta / (size + e^eta)² = (y + size) s (1 − s)
    s = expit(eta - log_size)
    grad = (d_prior - X.T @ (counts - (counts + size) * s)).T
    weights = (counts + size) * s * (1 - s)
    hess = _gram(X, weights)
    diag = np.where(shrink[:, None],
                    2 * (prior_scale**2 - b_shrink**2) / (prior_scale**2 + b_shrink**2) ** 2,
                    1 / no_shrink_scale**2)
    hess[:, np.arange(p), np.arange(p)] += diag.T
    return f, grad, hess


def solve_shrinkage(X, counts, size, offset, no_shrink_scale, prior_scale, shrink_index):
    """MAP coefficients under the apeGLM-style prior, every gene at once:
    (beta (g, p), inverse Hessian (g, p, p), converged (g,)).

    Damped Newton from least squares on the log counts: where the Hessian is not
    positive definite the prior's part of it is replaced by the curvature of a quadratic
    majoriser of the prior, the step is halved until the objective decreases (Armijo),
    and a gene is done when its full Newton step is below 1e-10 on every coefficient (or
    no step decreases the objective any more and its gradient is negligible).
    """
    n_vars, n_genes = X.shape[1], counts.shape[1]
    args = (no_shrink_scale, prior_scale, shrink_index)
    # start: least squares of log normalised counts (near the MLE, where the likelihood
    # dominates the prior), as IRLS starts
    beta = np.linalg.lstsq(X, np.log(counts / np.exp(offset)[:, None] + 0.1), rcond=None)[0]
    scale = np.maximum(_shrink_terms(np.zeros((n_vars, n_genes)), X, counts, size, offset,
                                     *args, objective_only=True)[0], 1)
    converged = np.zeros(n_genes, bool)
    active = np.arange(n_genes)
    for _ in range(_MAX_SHRINK_STEPS):
        if active.size == 0:
            break
        b = beta[:, active]
        c, sz = counts[:, active], size[active]
        f, grad, hess = _shrink_terms(b, X, c, sz, offset, *args)
        gnorm = np.abs(grad).max(axis=1) / scale[active]
        # Where the Hessian is not positive definite (the Cauchy prior's curvature is
        # negative beyond the prior scale), use instead the curvature of the prior's
        # quadratic majoriser, 2 / (s² + b²): positive, so the step still descends.
        not_pd = np.linalg.eigvalsh(hess)[:, 0] <= 0
        if not_pd.any():
            b_s = b[shrink_index, not_pd]
            hess[not_pd, shrink_index, shrink_index] += (
                2 / (prior_scale**2 + b_s**2)
                - 2 * (prior_scale**2 - b_s**2) / (prior_scale**2 + b_s**2) ** 2)
        step = np.linalg.solve(hess, grad[..., None])[..., 0].T
        slope = -(grad.T * step).sum(axis=0)           # directional derivative (< 0)
        # done: a full Newton step (true Hessian) below 1e-10 on every coefficient, so the
        # result does not depend on the path taken (nor on rounding along it)
        done = ~not_pd & (np.abs(step).max(axis=0) < _SHRINK_STEP_TOL)
        # close to the optimum (positive definite Hessian, small step) a full Newton step
        # needs no line search; rounding in the objective would only stall it
        new_b = b.copy()
        near = ~done & ~not_pd & (np.abs(step).max(axis=0) < _SHRINK_NEAR)
        new_b[:, near] = b[:, near] - step[:, near]
        # backtracking (Armijo) on the others, halving their step each round
        pending = np.flatnonzero(~done & ~near)
        t = 1.0
        for _ in range(50):
            if pending.size == 0:
                break
            trial = b[:, pending] - t * step[:, pending]
            f_trial = _shrink_terms(trial, X, c[:, pending], sz[pending], offset, *args,
                                    objective_only=True)[0]
            ok = np.isfinite(f_trial) & (f_trial <= f[pending] + 1e-4 * t * slope[pending])
            new_b[:, pending[ok]] = trial[:, ok]
            pending = pending[~ok]
            t *= 0.5
        stalled = np.zeros(active.size, bool)
        stalled[pending] = True  # no decrease even with a tiny step: numerically optimal
        beta[:, active] = new_b
        finished = done | stalled
        # a stalled line search is converged when the gradient is negligible (scaled as
        # pydeseq2 scales its objective): the objective is flat to rounding there
        converged[active[finished]] = done[finished] | (gnorm[finished] < 1e-8)
        active = active[~finished]
    _, _, hess = _shrink_terms(beta, X, counts, size, offset, *args)
    return beta.T, np.linalg.inv(hess), converged


def gamma_identity_glm(x: np.ndarray, y: np.ndarray, start: np.ndarray,
                       max_iter: int = 25, tol: float = 1e-8) -> tuple[np.ndarray, bool]:
    """R's ``glm(y ~ x, family = Gamma(link = "identity"), start = start)``: IRLS
    (weights 1/μ², working response y), stopping as R's ``glm.fit`` does (relative change
    of the deviance below ``tol``). Returns (intercept and slope, converged)."""
    design = np.column_stack([np.ones_like(x), x])
    coeffs = np.asarray(start, float)
    deviance = np.inf
    for _ in range(max_iter):
        fitted = design @ coeffs
        if not (fitted > 0).all():
            return coeffs, False
        w = 1 / fitted**2
        coeffs = np.linalg.solve((design.T * w) @ design, (design.T * w) @ y)
        fitted = design @ coeffs
        if not (fitted > 0).all():
            return coeffs, False
        new_deviance = 2 * np.sum((y - fitted) / fitted - np.log(y / fitted))
        if abs(new_deviance - deviance) / (abs(new_deviance) + 0.1) < tol:
            return coeffs, True
        deviance = new_deviance
    return coeffs, False


# ----------------------------------------------------------------------------- the engine


class AllGenesInference(Inference):
    """pydeseq2 ``Inference`` whose per-gene fits run over all genes at once.

    In place of ``DefaultInference`` in ``DeseqDataSet(..., inference=...)`` and
    ``DeseqStats(..., inference=...)``. It implements pydeseq2's abstract ``Inference``
    (not ``DefaultInference``), so a method pydeseq2 adds to it stops instantiation here
    instead of quietly running per gene. Single-threaded numpy: ``n_cpus`` is kept for
    the interface (pydeseq2 may set it) and unused. ``fallbacks`` counts, per step, the
    genes handed to pydeseq2's per-gene solver because the batched solve did not converge.
    """

    def __init__(self, n_cpus: int | None = 1, min_disp: float = 1e-8):
        self.n_cpus = 1
        self.min_disp = min_disp  # DeseqDataSet's min_disp (for the trend's gene choice)
        self.fallbacks: Counter = Counter()

    # rough and moment dispersions: pydeseq2's own functions, already vectorised

    def fit_rough_dispersions(self, normed_counts, design_matrix):  # noqa: D102
        return pyd_utils.fit_rough_dispersions(normed_counts, design_matrix)

    def fit_moments_dispersions(self, normed_counts, size_factors):  # noqa: D102
        return pyd_utils.fit_moments_dispersions(normed_counts, size_factors)

    def lin_reg_mu(self, counts, size_factors, design_matrix, min_mu):  # noqa: D102
        normed = counts / size_factors[:, None]
        coef = np.linalg.lstsq(design_matrix, normed, rcond=None)[0]
        return np.maximum(size_factors[:, None] * (design_matrix @ coef), min_mu)

    def irls(self, counts, size_factors, design_matrix, disp, min_mu, beta_tol,  # noqa: D102
             min_beta=-30, max_beta=30, optimizer: Literal["BFGS", "L-BFGS-B"] = "L-BFGS-B",
             maxiter=250):
        X = np.asarray(design_matrix, float)
        counts = np.asarray(counts, float)
        disp = np.asarray(disp, float)
        n_vars, n_genes = X.shape[1], counts.shape[1]
        sf = np.asarray(size_factors, float)[:, None]
        if np.linalg.matrix_rank(X) == n_vars:
            Q, R = np.linalg.qr(X)
            beta = np.linalg.solve(R, Q.T @ np.log(counts / sf + 0.1))
        else:
            beta = np.zeros((n_vars, n_genes))
            with np.errstate(divide="ignore"):
                beta[0] = np.log(counts / sf).mean(axis=0)
        ridge = 1e-6 * np.eye(n_vars)
        mu = np.maximum(sf * np.exp(X @ beta), min_mu)
        deviance = np.full(n_genes, 1000.0)
        diverged = np.zeros(n_genes, bool)
        active = np.arange(n_genes)
        iteration = 0
        while active.size:
            m = mu[:, active]
            W = m / (1.0 + m * disp[active])
            z = np.log(m / sf) + (counts[:, active] - m) / m
            beta_hat = np.linalg.solve(_gram(X, W) + ridge, (X.T @ (W * z)).T[..., None])[..., 0].T
            iteration += 1
            bad = (np.abs(beta_hat) > max_beta).any(axis=0) | (iteration >= maxiter)
            diverged[active[bad]] = True
            good, beta_good = active[~bad], beta_hat[:, ~bad]
            beta[:, good] = beta_good
            mu[:, good] = np.maximum(sf * np.exp(X @ beta_good), min_mu)
            new_dev = -2 * pyd_utils.nb_nll(counts[:, good], mu[:, good], disp[good])
            ratio = np.abs(new_dev - deviance[good]) / (np.abs(new_dev) + 0.1)
            deviance[good] = new_dev
            active = good[ratio > beta_tol]

        converged = np.ones(n_genes, bool)
        # pydeseq2's per-gene solver for the genes that diverged (L-BFGS-B, then grid)
        for gene in np.flatnonzero(diverged):
            b, _, _, ok = pyd_utils.irls_solver(
                counts[:, gene], sf[:, 0], X, disp[gene], min_mu, beta_tol, min_beta,
                max_beta, optimizer, maxiter)
            beta[:, gene], converged[gene] = b, ok
            mu[:, gene] = np.maximum(sf[:, 0] * np.exp(X @ b), min_mu)
        self.fallbacks["irls"] += int(diverged.sum())

        W = mu / (1.0 + mu * disp)
        inv = np.linalg.inv(_gram(X, W) + ridge)
        hat_diagonals = np.einsum("ni,gij,nj->ng", X, inv, X, optimize=True) * W
        return beta.T, sf * np.exp(X @ beta), hat_diagonals, converged

    def alpha_mle(self, counts, design_matrix, mu, alpha_hat, min_disp, max_disp,  # noqa: D102
                  prior_disp_var=None, cr_reg=True, prior_reg=False,
                  optimizer: Literal["BFGS", "L-BFGS-B"] = "L-BFGS-B"):
        counts = np.asarray(counts, float)
        mu = np.asarray(mu, float)
        X = np.asarray(design_matrix, float)
        alpha_hat = np.asarray(alpha_hat, float)
        if prior_reg and prior_disp_var is None:
            raise ValueError("prior_disp_var is required for prior regularization")
        prior = ({"prior_log_alpha": np.log(alpha_hat), "prior_disp_var": prior_disp_var}
                 if prior_reg else {})
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            dispersions, converged = solve_dispersions(counts, mu, X, alpha_hat, min_disp,
                                                       max_disp, cr_reg=cr_reg, **prior)
        # pydeseq2's per-gene fit (L-BFGS-B, then DESeq2's grid) where ours did not converge
        failed = np.flatnonzero(~converged)
        for gene in failed:
            dispersions[gene], converged[gene] = pyd_utils.fit_alpha_mle(
                counts[:, gene], X, mu[:, gene], alpha_hat[gene], min_disp, max_disp,
                prior_disp_var, cr_reg, prior_reg, optimizer)
        self.fallbacks["MAP dispersions" if prior_reg else "gene-wise dispersions"] += int(
            failed.size)
        return dispersions, converged

    def wald_test(self, design_matrix, disp, lfc, mu, ridge_factor, contrast,  # noqa: D102
                  lfc_null, alt_hypothesis=None):
        X = np.asarray(design_matrix, float)
        contrast = np.asarray(contrast, float)
        W = mu / (1 + mu * np.asarray(disp, float))
        M = _gram(X, W)
        H = np.linalg.inv(M + ridge_factor)
        Hc = H @ contrast                                          # (g, p)
        se = np.sqrt(np.einsum("gi,gij,gj->g", Hc, M, Hc))
        lfc = np.asarray(lfc, float)

        def greater(null):
            stat = np.fmax((lfc - null) / se[:, None], 0) @ contrast
            return stat, norm.sf(stat)

        def less(null):
            stat = np.fmin((lfc - null) / se[:, None], 0) @ contrast
            return stat, norm.sf(np.abs(stat))

        if alt_hypothesis is None:
            stat = (lfc - lfc_null) @ contrast / se
            pval = 2 * norm.sf(np.abs(stat))
        elif alt_hypothesis == "greater":
            stat, pval = greater(lfc_null)
        elif alt_hypothesis == "less":
            stat, pval = less(lfc_null)
        elif alt_hypothesis == "greaterAbs":
            stat = (np.sign(lfc) * np.fmax((np.abs(lfc) - lfc_null) / se[:, None], 0)) @ contrast
            pval = 2 * norm.sf(np.abs(stat))
        elif alt_hypothesis == "lessAbs":
            stat_above, p_above = greater(-abs(lfc_null))
            stat_below, p_below = less(abs(lfc_null))
            stat = np.where(np.abs(stat_below) < np.abs(stat_above), stat_below, stat_above)
            pval = np.maximum(p_above, p_below)
        else:
            raise ValueError(f"unknown alt_hypothesis {alt_hypothesis!r}")
        return pval, stat, se

    def dispersion_trend_gamma_glm(self, covariates: pd.Series, targets: pd.Series):
        """DESeq2's parametric trend ``α = a0 + a1/mean`` as R computes it
        (``parametricDispersionFit``): genes with gene-wise dispersion above 100 ×
        ``min_disp`` only; from (0.1, 1), repeatedly keep the genes whose dispersion is
        within (1e-4, 15) × the current curve and refit ``glm(disp ~ I(1/mean),
        family = Gamma(link = "identity"))``, until the coefficients settle.

        pydeseq2 calls this inside its own outlier-dropping loop; since the genes it drops
        are the ones R's last round leaves out, the second call returns the same curve
        and its loop ends. Returns (coefficients, predictions for ``covariates``,
        converged); not converged makes pydeseq2 fall back to a mean trend, as R falls
        back to a local fit.
        """
        inv_mean = covariates.to_numpy(float)
        disp = targets.to_numpy(float)
        use = disp > 100 * self.min_disp
        inv_mean, disp = inv_mean[use], disp[use]
        coeffs = np.array([0.1, 1.0])
        for _ in range(11):
            ratio = disp / (coeffs[0] + coeffs[1] * inv_mean)
            good = (ratio > 1e-4) & (ratio < 15)
            new, glm_converged = gamma_identity_glm(inv_mean[good], disp[good], coeffs)
            old, coeffs = coeffs, new
            if not (coeffs > 0).all():
                break
            if (np.log(coeffs / old) ** 2).sum() < 1e-6 and glm_converged:
                x = covariates.to_numpy(float)
                return coeffs, coeffs[0] + coeffs[1] * x, True
        self.fallbacks["dispersion trend"] += 1
        return coeffs, coeffs[0] + coeffs[1] * covariates.to_numpy(float), False

    def lfc_shrink_nbinom_glm(self, design_matrix, counts, size, offset,  # noqa: D102
                              prior_no_shrink_scale, prior_scale, optimizer, shrink_index):
        X = np.asarray(design_matrix, float)
        counts = np.asarray(counts, float)
        size = np.asarray(size, float)
        offset = np.asarray(offset, float)
        with np.errstate(over="ignore", invalid="ignore"):
            beta, inv_hessians, converged = solve_shrinkage(
                X, counts, size, offset, prior_no_shrink_scale, prior_scale, shrink_index)
        failed = np.flatnonzero(~converged)
        for gene in failed:  # pydeseq2's per-gene fit, then its grid for 2 coefficients
            b, inv_h, ok = pyd_utils.nbinomGLM(X, counts[:, gene], size[gene], offset,
                                              prior_no_shrink_scale, prior_scale, optimizer,
                                              shrink_index)
            beta[gene], inv_hessians[gene], converged[gene] = b, inv_h, ok
        self.fallbacks["LFC shrinkage"] += int(failed.size)
        return beta, inv_hessians, converged
