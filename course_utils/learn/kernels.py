"""Kernel methods of the course: the kernel-ridge density functional of Snyder et al. and its derivatives.

Everything here is numpy/scipy, with scikit-learn's estimator API (Snyder, Rupp, Hansen, Mueller, Burke, Phys. Rev.
Lett. 108, 253002 (2012); notebook 05):

* :class:`KernelFunctional` -- kernel ridge regression ``F(n) = sum_j w_j exp(-|n - n_j|^2 / (2 sigma^2))`` with
  its gradient and its gradient projected on the data manifold; :class:`KernelFunctionalCV` chooses ``sigma`` and
  ``lambda`` by the closed-form leave-one-out error (:func:`loo_mae`);
* :func:`local_pca_basis`, :func:`project` and :func:`minimise_on_manifold` -- the projected gradient descent of
  the paper, which finds self-consistent densities with a functional whose raw derivative is useless;
* :func:`error_summary` -- errors in kcal/mol.

Densities in 1/bohr on a grid (one row per density), energies in Ha.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin

from .._checks import as_int, as_number, as_real_array
from ..threads import limited_blas
from ..units import HARTREE_TO_KCAL_PER_MOL

__all__ = ["DEFAULT_LAMS", "DEFAULT_SIGMAS", "KernelFunctional", "KernelFunctionalCV", "ManifoldMinimum",
           "error_summary", "gaussian_kernel", "local_pca_basis", "loo_mae", "minimise_on_manifold", "project",
           "squared_distances"]


def squared_distances(a, b) -> np.ndarray:
    """``|a_i - b_j|^2`` summed over grid points (no grid spacing), shape ``(len(a), len(b))``."""
    a = np.atleast_2d(np.asarray(a, dtype=float))
    b = np.atleast_2d(np.asarray(b, dtype=float))
    d2 = np.sum(a * a, axis=1)[:, None] + np.sum(b * b, axis=1)[None, :] - 2.0 * a @ b.T
    return np.maximum(d2, 0.0)


def gaussian_kernel(a, b, sigma: float) -> np.ndarray:
    """``k(n, n') = exp(-|n - n'|^2 / (2 sigma^2))`` with the plain Euclidean norm of the density vectors."""
    sigma = as_number(sigma, "sigma", minimum=0.0, strict_minimum=True)
    return np.exp(-squared_distances(a, b) / (2.0 * sigma**2))


class KernelFunctional(RegressorMixin, BaseEstimator):
    """Kernel ridge regression of a functional ``F[n]`` of densities on a grid (Snyder et al. 2012, Eq. 3).

        F^ML(n) = sum_j w_j k(n_j, n),    w = (K + lambda I)^{-1} F,

    with the Gaussian kernel of :func:`gaussian_kernel`. (The paper writes ``F^ML = Fbar sum_j alpha_j k``: the
    mean ``Fbar`` only rescales the weights, the predictions are the same.) A scikit-learn estimator: ``clone``,
    pipelines and ``GridSearchCV`` work; :class:`KernelFunctionalCV` chooses ``sigma`` and ``lam`` itself.

    Parameters
    ----------
    sigma : float
        Kernel length scale, in the units of ``|n - n'|`` (1/bohr, norm over grid points, no ``dx``).
    lam : float
        Ridge parameter lambda (dimensionless: the kernel is 1 on the diagonal).

    Attributes
    ----------
    X_fit_ : array (M, G)
        The training densities (they also define the data manifold of :meth:`projected_gradient`).
    dual_coef_ : array (M,)
        The weights ``w_j`` (units of the target). Not called ``alpha``: in scikit-learn and in notebook 01
        ``alpha`` is the ridge strength.
    sigma_, lam_ : float
        The hyperparameters the fit used.
    """

    def __init__(self, sigma: float = 15.0, lam: float = 1e-10):
        self.sigma = sigma
        self.lam = lam

    def _check_hyperparameters(self):
        sigma = as_number(self.sigma, "sigma", minimum=0.0, strict_minimum=True)
        lam = as_number(self.lam, "lam", minimum=0.0)
        return sigma, lam

    @limited_blas
    def _solve(self, x, y, sigma: float, lam: float):
        k = gaussian_kernel(x, x, sigma)
        w, u = np.linalg.eigh(k)
        w = np.clip(w, 0.0, None)  # K is positive semi-definite; round-off can make tiny eigenvalues negative
        self.dual_coef_ = u @ ((u.T @ y) / (w + lam))
        self.X_fit_ = x
        self.sigma_, self.lam_ = float(sigma), float(lam)
        self.n_features_in_ = x.shape[1]
        return self

    @classmethod
    def from_weights(cls, X_fit, dual_coef, sigma: float, lam: float = 0.0) -> KernelFunctional:
        """A fitted functional from given training densities (M, G) and weights (M,), e.g. a published one."""
        model = cls(sigma=sigma, lam=lam)
        sigma, lam = model._check_hyperparameters()
        x = as_real_array(X_fit, "X_fit", ndim=2)
        model.dual_coef_ = as_real_array(dual_coef, "dual_coef", shape=(x.shape[0],))
        model.X_fit_, model.sigma_, model.lam_, model.n_features_in_ = x, float(sigma), float(lam), x.shape[1]
        return model

    def fit(self, X, y) -> KernelFunctional:
        """Fit to training densities ``X`` (M, G) and values ``y`` (M,)."""
        sigma, lam = self._check_hyperparameters()
        x = as_real_array(X, "X (densities)", ndim=2)
        values = as_real_array(y, "y (values)", shape=(x.shape[0],))
        return self._solve(x, values, sigma, lam)

    def _fitted(self):
        if not hasattr(self, "dual_coef_"):
            raise RuntimeError(f"this {type(self).__name__} is not fitted yet: call fit(densities, values) first")

    def _densities(self, X, name: str = "X (densities)") -> np.ndarray:
        x = np.atleast_2d(as_real_array(X, name))
        if x.ndim != 2 or x.shape[1] != self.X_fit_.shape[1]:
            raise ValueError(f"{name} must have shape (P, {self.X_fit_.shape[1]}) or ({self.X_fit_.shape[1]},) "
                             f"(densities on the training grid), got shape {np.shape(X)}")
        return x

    def predict(self, X) -> np.ndarray:
        """Values at densities ``X`` (P, G), or (G,) for one density: always an array of shape (P,)."""
        self._fitted()
        return gaussian_kernel(self._densities(X), self.X_fit_, self.sigma_) @ self.dual_coef_

    def gradient(self, density) -> np.ndarray:
        """``dF/dn_g`` at one density (G,): ``sum_j w_j k(n_j, n) (n_j - n)_g / sigma^2``.

        The functional derivative is this divided by the grid spacing, ``delta F / delta n(x_g) = dF/dn_g / dx``.
        """
        self._fitted()
        n = self._densities(density, "density")[0]
        diff = self.X_fit_ - n
        k = np.exp(-np.sum(diff * diff, axis=1) / (2.0 * self.sigma_**2))
        return (self.dual_coef_ * k) @ diff / self.sigma_**2

    def projected_gradient(self, density, m: int = 30, l: int = 5) -> np.ndarray:
        """:meth:`gradient` projected on the data manifold at ``density``: ``P[n] dF/dn`` with the local-PCA
        projector of :func:`local_pca_basis` built from the ``m`` nearest training densities (``l`` directions)."""
        return project(self.gradient(density), local_pca_basis(density, self.X_fit_, m, l))

    def nearest_distance(self, X) -> np.ndarray:
        """Distance |n - n_j| to the nearest training density (same norm as the kernel), shape (P,)."""
        self._fitted()
        return np.sqrt(np.min(squared_distances(self._densities(X), self.X_fit_), axis=1))


@limited_blas
def loo_mae(densities, values, sigmas, lams) -> np.ndarray:
    """Leave-one-out mean absolute error of kernel ridge regression for every ``(sigma, lambda)`` pair.

    Uses the closed form of the LOO residual, ``r_i = alpha_i / [(K + lambda I)^{-1}]_ii``, with one
    eigendecomposition of ``K`` per ``sigma``, so the whole grid costs about as much as a few fits.

    Returns
    -------
        array of shape ``(len(sigmas), len(lams))`` (units of ``values``).
    """
    x = as_real_array(densities, "densities", ndim=2)
    y = as_real_array(values, "values", shape=(x.shape[0],))
    sigmas = np.atleast_1d(np.asarray(sigmas, dtype=float))
    lams = np.atleast_1d(np.asarray(lams, dtype=float))
    d2 = squared_distances(x, x)
    out = np.empty((sigmas.size, lams.size))
    for i, sigma in enumerate(sigmas):
        w, u = np.linalg.eigh(np.exp(-d2 / (2.0 * sigma**2)))
        w = np.clip(w, 0.0, None)
        uy = u.T @ y
        u2 = u * u
        for j, lam in enumerate(lams):
            inverse = 1.0 / (w + lam)
            alpha = u @ (inverse * uy)
            diagonal = u2 @ inverse
            out[i, j] = np.mean(np.abs(alpha / diagonal))
    return out


DEFAULT_SIGMAS = np.logspace(0.5, 2.5, 21)
"""Kernel widths searched by default (1/bohr, norm over the 500 grid values): about 3 to 300."""
DEFAULT_LAMS = np.logspace(-14, -6, 17)
"""Ridge parameters searched by default."""


class KernelFunctionalCV(KernelFunctional):
    """:class:`KernelFunctional` whose ``(sigma, lam)`` minimise the leave-one-out MAE on the training set.

    The leave-one-out residuals have a closed form (:func:`loo_mae`), so the whole grid costs about as much as a
    few fits; the model is then refitted with the best pair.

    Parameters
    ----------
    sigmas, lams : arrays, optional
        The grids searched (default :data:`DEFAULT_SIGMAS`, :data:`DEFAULT_LAMS`).

    Attributes
    ----------
    sigma_, lam_ : float
        The chosen pair.
    cv_mae_ : array (len(sigmas), len(lams))
        The leave-one-out MAE over the grid (units of the target).
    loo_error_ : float
        Its minimum.
    sigmas_, lams_ : arrays
        The grids searched.
    X_fit_, dual_coef_
        As in :class:`KernelFunctional`.
    """

    def __init__(self, sigmas=None, lams=None):
        self.sigmas = sigmas
        self.lams = lams

    def fit(self, X, y) -> KernelFunctionalCV:
        """Search the grid by leave-one-out, then fit ``X`` (M, G), ``y`` (M,) with the best pair."""
        sigmas = DEFAULT_SIGMAS if self.sigmas is None else as_real_array(self.sigmas, "sigmas", ndim=1)
        lams = DEFAULT_LAMS if self.lams is None else as_real_array(self.lams, "lams", ndim=1)
        if np.any(sigmas <= 0) or np.any(lams < 0):
            raise ValueError("sigmas must be positive and lams non-negative")
        x = as_real_array(X, "X (densities)", ndim=2)
        values = as_real_array(y, "y (values)", shape=(x.shape[0],))
        grid = loo_mae(x, values, sigmas, lams)
        i, j = np.unravel_index(np.argmin(grid), grid.shape)
        self.cv_mae_, self.sigmas_, self.lams_, self.loo_error_ = grid, sigmas, lams, float(grid[i, j])
        return self._solve(x, values, float(sigmas[i]), float(lams[j]))


def error_summary(predicted, exact) -> dict[str, float]:
    """Mean, standard deviation and maximum of ``|predicted - exact|`` in kcal/mol (inputs in Ha)."""
    err = np.abs(np.asarray(predicted, dtype=float) - np.asarray(exact, dtype=float)) * HARTREE_TO_KCAL_PER_MOL
    return {"mean": float(err.mean()), "std": float(err.std()), "max": float(err.max())}


# --------------------------------------------------------------------------------------------------------------
# Functional derivatives on the data manifold
# --------------------------------------------------------------------------------------------------------------

def local_pca_basis(density, train_densities, m: int = 30, l: int = 5) -> np.ndarray:
    """Orthonormal basis (G, l) of the ``l`` leading principal directions of the ``m`` training densities nearest
    to ``density``, from the differences ``n_j - n`` (Snyder et al. 2012). The projector is ``P = U U^T``.

    Each difference integrates to zero (all densities hold the same number of electrons), so every basis vector
    does too: moving along them keeps the normalisation.
    """
    n = np.asarray(density, dtype=float)
    train = np.asarray(train_densities, dtype=float)
    m = as_int(m, "m", minimum=1, maximum=train.shape[0])
    l = as_int(l, "l", minimum=1, maximum=m)
    d2 = np.sum((train - n) ** 2, axis=1)
    nearest = np.argsort(d2)[:m]
    diff = train[nearest] - n  # (m, G)
    # principal directions from the small m x m Gram matrix (cheaper and steadier than an SVD of (m, G))
    w, v = np.linalg.eigh(diff @ diff.T)
    order = np.argsort(w)[::-1][:l]
    w, v = np.clip(w[order], 1e-300, None), v[:, order]
    return (diff.T @ v) / np.sqrt(w)


def project(vector, basis) -> np.ndarray:
    """``P v = U (U^T v)`` for a basis from :func:`local_pca_basis`."""
    return basis @ (basis.T @ np.asarray(vector, dtype=float))


@dataclass(frozen=True)
class ManifoldMinimum:
    """Result of :func:`minimise_on_manifold`: the density (1/bohr), its ML energy (Ha), the iterations used,
    ``converged`` (the step size fell below ``tol`` *and* the projected gradient below ``gtol``),
    ``gradient_norm`` (``(integral (P dE/dn)^2 dx)^(1/2)`` at the end, Ha bohr^(1/2)), the energy after each
    accepted step, and the starting density."""

    density: np.ndarray
    energy: float
    iterations: int
    converged: bool
    history: np.ndarray
    start: np.ndarray
    gradient_norm: float


@limited_blas
def minimise_on_manifold(model: KernelFunctional, v_ext, dx: float, *, start=None, m: int = 30, l: int = 5,
                         max_iterations: int = 500, tol: float = 1e-7, gtol: float = 1e-2,
                         projected: bool = True) -> ManifoldMinimum:
    """Minimise ``E[n] = T^ML[n] + integral v n dx`` by projected gradient descent on the data manifold:

        n <- n - eta P[n] (delta E / delta n),    delta E / delta n = delta T^ML / delta n + v,

    with ``P[n]`` the local-PCA projector of :func:`local_pca_basis`, recomputed at every step, and an adaptive
    step ``eta`` (grown by 1.2 after a step that lowers E, halved and retried otherwise). The projected directions
    integrate to zero, so the electron number of the start is kept exactly.

    Parameters
    ----------
    model
        a fitted :class:`KernelFunctional` for T (its training densities define the manifold).
    v_ext
        external potential (Ha) on the model's grid, shape (G,).
    dx
        grid spacing (bohr).
    start
        initial density; default the training density with the lowest ``T_j + integral v n_j``.
    m, l
        neighbours and principal components of the projector (the paper's 30 and 5).
    max_iterations
        accepted plus rejected steps before stopping.
    tol
        stop when ``eta |P grad E|`` (the size of the next step, 1/bohr) falls below it.
    gtol
        the run counts as converged only if, when it stops, the projected gradient
        ``(integral (P dE/dn)^2 dx)^(1/2)`` is below ``gtol`` (Ha bohr^(1/2)); a step size that collapsed on a
        slope (repeated halvings) is not convergence.
    projected
        ``False`` replaces the projector by the identity (minus the mean of the gradient, which keeps the
        normalisation): the plain gradient descent that the projection is there to prevent.
    """
    if not isinstance(model, KernelFunctional):
        raise TypeError(f"model must be a fitted KernelFunctional, got {type(model).__name__}")
    model._fitted()
    v = as_real_array(v_ext, "v_ext", shape=(model.X_fit_.shape[1],))
    dx = as_number(dx, "dx", minimum=0.0, strict_minimum=True)
    train = model.X_fit_
    if start is None:
        start = train[np.argmin(model.predict(train) + train @ v * dx)]
    n = np.array(start, dtype=float)

    def energy(density):
        return float(model.predict(density)[0]) + float(v @ density) * dx

    gtol = as_number(gtol, "gtol", minimum=0.0, strict_minimum=True)
    e = energy(n)
    history = [e]
    eta = 1e-4
    stopped = False
    iterations = 0
    while iterations < max_iterations:
        iterations += 1
        derivative = (model.gradient(n) + v * dx) / dx  # functional derivative of E (Ha)
        if projected:
            step = project(derivative, local_pca_basis(n, train, m, l))
        else:
            step = derivative - derivative.mean()
        if eta * np.linalg.norm(step) < tol:
            stopped = True
            break
        trial = n - eta * step
        e_trial = energy(trial)
        if e_trial < e:
            n, e = trial, e_trial
            history.append(e)
            eta *= 1.2
        else:
            eta *= 0.5
    derivative = (model.gradient(n) + v * dx) / dx
    final = project(derivative, local_pca_basis(n, train, m, l)) if projected else derivative - derivative.mean()
    gradient_norm = float(np.sqrt(np.sum(final**2) * dx))
    converged = stopped and gradient_norm < gtol
    return ManifoldMinimum(density=n, energy=float(e), iterations=iterations, converged=converged,
                           history=np.array(history), start=np.array(start, dtype=float), gradient_norm=gradient_norm)


