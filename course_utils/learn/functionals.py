"""Machine-learned density functionals for notebook 05 (K. Burke's talk), in Hartree atomic units.

Three parts, all numpy/scipy (no TensorFlow):

* **The kinetic-energy functional of Snyder et al.** (Phys. Rev. Lett. 108, 253002 (2012)): :func:`box_data` solves
  N = 1..4 spinless fermions in the box [0, 1] for potentials of three Gaussian dips
  (:func:`course_utils.onedim.systems.gaussian_dips`); :class:`KernelFunctional` is kernel ridge regression
  ``T(n) = sum_j alpha_j exp(-|n - n_j|^2 / (2 sigma^2))`` with its gradient; :func:`loo_mae` and
  :func:`fit_by_cross_validation` choose ``sigma`` and ``lambda`` by leave-one-out cross-validation (closed form);
  :func:`local_pca_basis` and :func:`minimise_on_manifold` do the projected gradient descent of the paper.
* **The stretched bond:** :func:`h2_curve` gives exact and restricted Kohn-Sham LDA energies of 1D H2 and the exact
  exchange-correlation energy of each exact density (two electrons in a singlet: ``T_s`` is von Weizsaecker's).
* **Time-dependent DFT:** :data:`TDDFT_H2` (a :class:`course_utils.data.DatasetSpec`, name ``"tddft_h2_1d"``): 1D H2
  kicked by a short uniform field, propagated exactly and in the adiabatic LDA; :func:`dipole_spectrum`;
  :func:`td_xc_potential`, the exact time-dependent xc potential of two electrons in a singlet by inversion.

Energies in Ha, lengths in bohr, times in hbar/Ha; errors in kcal/mol via :data:`course_utils.units`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .. import data
from .._checks import as_int, as_number, as_real_array
from ..threads import limited_blas
from ..units import HARTREE_TO_KCAL_PER_MOL

# --------------------------------------------------------------------------------------------------------------
# The model of Snyder, Rupp, Hansen, Mueller and Burke (2012)
# --------------------------------------------------------------------------------------------------------------

SNYDER2012 = {
    "doi": "10.1103/PhysRevLett.108.253002",
    "box": (0.0, 1.0),
    "n_points": 500,
    "a_range": (1.0, 10.0),
    "b_range": (0.4, 0.6),
    "c_range": (0.03, 0.1),
    "electrons": (1, 2, 3, 4),
}
"""The setup of the paper as implemented in ``onedim.systems.gaussian_dips``: hard-wall box [0, 1] bohr, three
Gaussian dips ``-a exp(-(x - b)^2 / (2 c^2))`` with ``a, b, c`` uniform in the ranges, densities on 500 points."""

SNYDER2012_TABLE_I: dict[tuple[int, int], dict[str, float]] = {}
"""Published errors of Table I of Snyder et al. (2012), keyed by ``(N, M)``, each a dict with ``"mean"`` and
``"max"`` absolute errors of T in kcal/mol (and ``"std"``, ``"sigma"``, ``"lambda"`` if wanted).

Left EMPTY on purpose: the text of the table could not be retrieved when this module was written, and numbers are
never typed from memory. Fill it from the paper (e.g. ``SNYDER2012_TABLE_I[(1, 100)] = {"mean": ..., "max": ...}``);
the notebook then prints the published values beside its own and checks the N = 1, M = 100 row against them."""


def box_data(n_samples: int, *, seed, max_electrons: int = 4, n_points: int = 500) -> dict[str, np.ndarray]:
    """Exact densities and kinetic energies of N = 1 .. ``max_electrons`` spinless fermions in random potentials.

    One solve per potential gives all N at once: the density of N fermions is the sum of the N lowest orbital
    densities, and ``T = sum_{i<=N} eps_i - integral v n dx``.

    Returns:
        ``x`` (G,) bohr; ``dx``; ``v_ext`` (M, G) Ha; ``a``, ``b``, ``c`` (M, 3); ``density`` (max_electrons, M, G)
        1/bohr (index N - 1); ``kinetic`` (max_electrons, M) Ha; ``energy`` (max_electrons, M) Ha (sum of the
        occupied eigenvalues); ``eigenvalues`` (M, max_electrons) Ha.
    """
    from ..onedim import noninteracting, systems

    n_samples = as_int(n_samples, "n_samples", minimum=1)
    max_electrons = as_int(max_electrons, "max_electrons", minimum=1, maximum=10)
    potentials = systems.gaussian_dips(n_samples, n_points=n_points, seed=seed,
                                       a_range=SNYDER2012["a_range"], b_range=SNYDER2012["b_range"],
                                       c_range=SNYDER2012["c_range"])
    result = noninteracting.solve_many(potentials.x, potentials.v_ext, "u" * max_electrons, return_orbitals=True)
    dx = float(potentials.x[1] - potentials.x[0])
    density = np.cumsum(result.orbitals**2, axis=2).transpose(2, 0, 1)  # (N, M, G)
    energy = np.cumsum(result.eigenvalues, axis=1).T  # (N, M)
    kinetic = energy - np.einsum("mg,nmg->nm", potentials.v_ext, density) * dx
    return {"x": np.array(potentials.x), "dx": dx, "v_ext": np.array(potentials.v_ext),
            **{k: np.array(v) for k, v in potentials.parameters.items()},
            "density": density, "kinetic": kinetic, "energy": energy, "eigenvalues": result.eigenvalues}


def gaussian_dips_potential(x, a, b, c) -> np.ndarray:
    """``v(x) = -sum_i a_i exp(-(x - b_i)^2 / (2 c_i^2))`` (Ha) on the grid ``x`` (bohr), shape ``(G,)``."""
    x = np.asarray(x, dtype=float)
    a, b, c = (np.atleast_1d(np.asarray(p, dtype=float)) for p in (a, b, c))
    return -np.sum(a[:, None] * np.exp(-((x[None, :] - b[:, None]) ** 2) / (2.0 * c[:, None] ** 2)), axis=0)


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


class KernelFunctional:
    """Kernel ridge regression of a functional ``F[n]`` of densities on a grid (Snyder et al. 2012, Eq. 3):

        F^ML(n) = sum_j alpha_j k(n_j, n),    alpha = (K + lambda I)^{-1} F,

    with the Gaussian kernel of :func:`gaussian_kernel`. (The paper writes ``F^ML = Fbar sum_j alpha_j k``: the mean
    ``Fbar`` only rescales ``alpha``, the predictions are the same.)

    Args:
        sigma: kernel length scale, in the units of ``|n - n'|`` (1/bohr, norm over grid points, no ``dx``).
        lam: ridge parameter lambda (dimensionless: the kernel is 1 on the diagonal).
    """

    def __init__(self, sigma: float, lam: float):
        self.sigma = as_number(sigma, "sigma", minimum=0.0, strict_minimum=True)
        self.lam = as_number(lam, "lam", minimum=0.0)
        self.train = None
        self.alpha = None

    @limited_blas
    def fit(self, densities, values) -> KernelFunctional:
        """Fit to training densities (M, G) and values (M,)."""
        x = as_real_array(densities, "densities", ndim=2)
        y = as_real_array(values, "values", shape=(x.shape[0],))
        k = gaussian_kernel(x, x, self.sigma)
        w, u = np.linalg.eigh(k)
        w = np.clip(w, 0.0, None)  # K is positive semi-definite; round-off can make tiny eigenvalues negative
        self.alpha = u @ ((u.T @ y) / (w + self.lam))
        self.train = x
        return self

    def _check_fitted(self):
        if self.alpha is None:
            raise RuntimeError("fit the KernelFunctional before predicting")

    def predict(self, densities) -> np.ndarray:
        """Values at densities (P, G) -> (P,), or a float for one density (G,)."""
        self._check_fitted()
        x = np.asarray(densities, dtype=float)
        out = gaussian_kernel(np.atleast_2d(x), self.train, self.sigma) @ self.alpha
        return float(out[0]) if x.ndim == 1 else out

    def gradient(self, density) -> np.ndarray:
        """``dF/dn_g`` at one density (G,): ``sum_j alpha_j k(n_j, n) (n_j - n)_g / sigma^2``.

        The functional derivative is this divided by the grid spacing, ``delta F / delta n(x_g) = dF/dn_g / dx``.
        """
        self._check_fitted()
        n = np.asarray(density, dtype=float)
        diff = self.train - n
        k = np.exp(-np.sum(diff * diff, axis=1) / (2.0 * self.sigma**2))
        return (self.alpha * k) @ diff / self.sigma**2

    def nearest_distance(self, densities) -> np.ndarray:
        """Distance |n - n_j| to the nearest training density (same norm as the kernel), shape (P,)."""
        self._check_fitted()
        return np.sqrt(np.min(squared_distances(densities, self.train), axis=1))


@limited_blas
def loo_mae(densities, values, sigmas, lams) -> np.ndarray:
    """Leave-one-out mean absolute error of kernel ridge regression for every ``(sigma, lambda)`` pair.

    Uses the closed form of the LOO residual, ``r_i = alpha_i / [(K + lambda I)^{-1}]_ii``, with one
    eigendecomposition of ``K`` per ``sigma``, so the whole grid costs about as much as a few fits.

    Returns:
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


def fit_by_cross_validation(densities, values, sigmas=None, lams=None) -> KernelFunctional:
    """The :class:`KernelFunctional` whose ``(sigma, lambda)`` minimise the leave-one-out MAE on the training set.

    The fitted model has ``cv_mae`` (the grid of :func:`loo_mae`), ``sigmas``, ``lams`` and ``loo_error`` (the
    minimum) attached.
    """
    sigmas = DEFAULT_SIGMAS if sigmas is None else np.asarray(sigmas, dtype=float)
    lams = DEFAULT_LAMS if lams is None else np.asarray(lams, dtype=float)
    grid = loo_mae(densities, values, sigmas, lams)
    i, j = np.unravel_index(np.argmin(grid), grid.shape)
    model = KernelFunctional(sigmas[i], lams[j]).fit(densities, values)
    model.cv_mae, model.sigmas, model.lams, model.loo_error = grid, sigmas, lams, float(grid[i, j])
    return model


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
    whether the projected gradient fell below tolerance, and the energy after each accepted step."""

    density: np.ndarray
    energy: float
    iterations: int
    converged: bool
    history: np.ndarray
    start: np.ndarray


@limited_blas
def minimise_on_manifold(model: KernelFunctional, v_ext, dx: float, *, start=None, m: int = 30, l: int = 5,
                         max_iterations: int = 500, tol: float = 1e-7, projected: bool = True) -> ManifoldMinimum:
    """Minimise ``E[n] = T^ML[n] + integral v n dx`` by projected gradient descent on the data manifold:

        n <- n - eta P[n] (delta E / delta n),    delta E / delta n = delta T^ML / delta n + v,

    with ``P[n]`` the local-PCA projector of :func:`local_pca_basis`, recomputed at every step, and an adaptive
    step ``eta`` (grown by 1.2 after a step that lowers E, halved and retried otherwise). The projected directions
    integrate to zero, so the electron number of the start is kept exactly.

    Args:
        model: a fitted :class:`KernelFunctional` for T (its training densities define the manifold).
        v_ext: external potential (Ha) on the model's grid, shape (G,).
        dx: grid spacing (bohr).
        start: initial density; default the training density with the lowest ``T_j + integral v n_j``.
        m, l: neighbours and principal components of the projector (the paper's 30 and 5).
        max_iterations: accepted plus rejected steps before stopping.
        tol: stop when ``eta |P grad E|`` (the size of the next step, 1/bohr) falls below it.
        projected: ``False`` replaces the projector by the identity (minus the mean of the gradient, which keeps the
            normalisation): the plain gradient descent that the projection is there to prevent.
    """
    model._check_fitted()
    v = as_real_array(v_ext, "v_ext", shape=(model.train.shape[1],))
    dx = as_number(dx, "dx", minimum=0.0, strict_minimum=True)
    train = model.train
    if start is None:
        start = train[np.argmin(model.predict(train) + train @ v * dx)]
    n = np.array(start, dtype=float)

    def energy(density):
        return model.predict(density) + float(v @ density) * dx

    e = energy(n)
    history = [e]
    eta = 1e-4
    converged = False
    iterations = 0
    while iterations < max_iterations:
        iterations += 1
        derivative = (model.gradient(n) + v * dx) / dx  # functional derivative of E (Ha)
        if projected:
            step = project(derivative, local_pca_basis(n, train, m, l))
        else:
            step = derivative - derivative.mean()
        if eta * np.linalg.norm(step) < tol:
            converged = True
            break
        trial = n - eta * step
        e_trial = energy(trial)
        if e_trial < e:
            n, e = trial, e_trial
            history.append(e)
            eta *= 1.2
        else:
            eta *= 0.5
    return ManifoldMinimum(density=n, energy=float(e), iterations=iterations, converged=converged,
                           history=np.array(history), start=np.array(start, dtype=float))


# --------------------------------------------------------------------------------------------------------------
# The stretched bond: 1D H2, exact and restricted LDA
# --------------------------------------------------------------------------------------------------------------

H2_GRID = {"n_points": 120, "half_width": 15.0}
"""One grid for every separation (so densities can be compared by a kernel): 120 points on [-15, 15] bohr."""


def von_weizsaecker(system, density) -> float:
    """``T_W[n] = (1/2) integral |d sqrt(n)/dx|^2 dx`` (Ha) with the system's kinetic stencil; for two electrons in
    a singlet this *is* the Kohn-Sham kinetic energy of the density."""
    phi = np.sqrt(np.clip(np.asarray(density, dtype=float), 0.0, None))
    return float(phi @ system.kinetic_matrix() @ phi) * system.dx


def h2_curve(separations, *, n_points: int = H2_GRID["n_points"], half_width: float = H2_GRID["half_width"],
             lda: bool = True) -> dict[str, np.ndarray]:
    """Exact (and restricted KS-LDA) ground states of 1D H2 at each separation R (bohr), soft-Coulomb.

    Returns ``R``, ``x``, ``dx``, ``nuclear_repulsion`` (Ha), exact ``energy`` (electronic, Ha), ``density`` (P, G),
    ``natural_occupations`` (P, 2), the exact decomposition ``external``, ``hartree``, ``kinetic_s`` (von
    Weizsaecker) and ``xc = E - T_s - V_ext - E_H`` (Ha); with ``lda=True`` also ``lda_energy``, ``lda_density``
    and ``lda_xc_on_exact`` (the LDA xc energy of the exact density).
    """
    from ..onedim import exact, kohn_sham, systems
    from ..onedim import lda as lda_module

    rs = as_real_array(separations, "separations", ndim=1)
    keys = ["energy", "nuclear_repulsion", "external", "hartree", "kinetic_s", "xc", "lda_energy",
            "lda_xc_on_exact"]
    out = {k: np.full(rs.size, np.nan) for k in keys}
    density, lda_density, occupations = [], [], []
    functional = lda_module.SoftCoulombLDA()
    x = None
    for i, r in enumerate(rs):
        system = systems.hydrogen_molecule(float(r), n_points=n_points, half_width=half_width)
        x = system.x
        gs = exact.solve(system)
        n = gs.density
        out["energy"][i] = gs.energy
        out["nuclear_repulsion"][i] = system.nuclear_repulsion
        out["external"][i] = float(system.v_ext @ n) * system.dx
        out["hartree"][i] = kohn_sham.hartree_energy(system, n)
        out["kinetic_s"][i] = von_weizsaecker(system, n)
        out["xc"][i] = gs.energy - out["kinetic_s"][i] - out["external"][i] - out["hartree"][i]
        density.append(n)
        occupations.append(gs.natural_occupations[:2])
        if lda:
            ks = kohn_sham.solve(system, functional)
            out["lda_energy"][i] = ks.energy
            lda_density.append(ks.density)
            out["lda_xc_on_exact"][i] = functional.evaluate(n / 2, n / 2, system.dx)[2]
    out.update({"R": rs, "x": x, "dx": float(x[1] - x[0]), "density": np.array(density),
                "natural_occupations": np.array(occupations)})
    if lda:
        out["lda_density"] = np.array(lda_density)
    else:
        for k in ("lda_energy", "lda_xc_on_exact"):
            del out[k]
    return out


# --------------------------------------------------------------------------------------------------------------
# Time-dependent DFT: a kicked 1D H2, exact and adiabatic LDA
# --------------------------------------------------------------------------------------------------------------

TDDFT_PARAMS = {
    "separation": 1.6,  # bohr, near the exact equilibrium of the soft-Coulomb molecule
    "n_points": 100,
    "half_width": 12.0,  # bohr
    "kick": 0.05,  # momentum kick k (a.u.): field E = kick / duration during the pulse
    "duration": 0.2,  # pulse length (hbar/Ha)
    "dt": 0.1,
    "t_max": 100.0,
}
"""Parameters of the ``tddft_h2_1d`` data set."""

TDDFT_METHODS = ("exact", "adiabatic LDA")
"""Sample ``i`` of ``tddft_h2_1d`` is the propagation by ``TDDFT_METHODS[i]``."""


def tddft_system(params: Mapping | None = None):
    """The 1D H2 molecule of the TDDFT data set."""
    from ..onedim import systems

    p = TDDFT_PARAMS if params is None else params
    return systems.hydrogen_molecule(float(p["separation"]), n_points=int(p["n_points"]),
                                     half_width=float(p["half_width"]))


def tddft_times(params: Mapping | None = None) -> np.ndarray:
    """The time grid (hbar/Ha) of the TDDFT data set."""
    p = TDDFT_PARAMS if params is None else params
    return np.arange(0.0, float(p["t_max"]) + 0.5 * float(p["dt"]), float(p["dt"]))


def kick_potential(system, params: Mapping | None = None):
    """``dv(t) = E x`` for ``t < duration`` with ``E = kick / duration`` (Ha): a short uniform field whose impulse
    gives every electron the momentum ``kick`` (the dipole then rings at the optically allowed frequencies)."""
    p = TDDFT_PARAMS if params is None else params
    field = float(p["kick"]) / float(p["duration"])
    x = np.array(system.x)
    end = float(p["duration"]) - 1e-9

    def dv(t):
        return field * x if t < end else np.zeros_like(x)

    return dv


def _build_tddft(params: Mapping, indices) -> dict[str, np.ndarray]:
    from ..onedim import exact, kohn_sham, propagate

    system = tddft_system(params)
    times = tddft_times(params)
    dv = kick_potential(system, params)
    dipoles, densities, energies = [], [], []
    for i in np.atleast_1d(indices):
        method = TDDFT_METHODS[int(i)]
        if method == "exact":
            initial = exact.solve(system, tol=1e-10)
        else:
            initial = kohn_sham.solve(system, "lda", tol=1e-10, energy_tol=1e-11)
        evolution = propagate.evolve(initial, dv, times)
        dipoles.append(evolution.dipole)
        densities.append(evolution.density)
        energies.append(evolution.energy)
    return {"dipole": np.array(dipoles), "density": np.array(densities), "energy": np.array(energies)}


TDDFT_H2 = data.DatasetSpec(
    name="tddft_h2_1d",
    build=_build_tddft,
    params=TDDFT_PARAMS,
    n_samples=len(TDDFT_METHODS),
    version=1,
    description="1D soft-Coulomb H2 (R = 1.6 bohr, 100 points on [-12, 12] bohr) kicked by a 0.2 a.u. uniform "
                "field pulse (momentum 0.05 a.u.), propagated 100 a.u. (dt = 0.1) exactly and in the adiabatic "
                "LDA: dipole (2, T), density (2, T, G), energy (2, T)",
)
"""The :class:`course_utils.data.DatasetSpec` ``tddft_h2_1d`` (2 samples; about 25 s to build)."""


def load_tddft(*, progress: bool = False) -> dict[str, np.ndarray]:
    """The ``tddft_h2_1d`` data set from its cache (built on first use), plus ``times`` (T,) and ``x`` (G,)."""
    arrays = dict(data.load(TDDFT_H2, progress=progress))
    arrays["times"] = tddft_times(TDDFT_H2.params)
    arrays["x"] = np.array(tddft_system(TDDFT_H2.params).x)
    return arrays


def dipole_spectrum(times, dipole, omegas, *, damping: float = 30.0) -> np.ndarray:
    """``S(omega) = |integral (d(t) - <d>) exp(-t/damping) exp(i omega t) dt|`` on the frequencies ``omegas`` (Ha).

    The exponential window turns each excitation into a Lorentzian of half-width ``1/damping`` Ha.
    """
    t = as_real_array(times, "times", ndim=1)
    d = as_real_array(dipole, "dipole", shape=t.shape)
    w = np.atleast_1d(np.asarray(omegas, dtype=float))
    signal = (d - d.mean()) * np.exp(-t / as_number(damping, "damping", minimum=0.0, strict_minimum=True))
    dt = t[1] - t[0]
    return np.abs(np.exp(1j * np.outer(w, t)) @ signal) * dt


def td_xc_potential(system, times, densities, *, dv=None) -> np.ndarray:
    """Exact time-dependent xc potential (Ha), shape (T, G), of two electrons in a singlet, from their density.

    The Kohn-Sham state is one doubly occupied orbital ``phi = sqrt(n/2) exp(i theta)``. The continuity equation
    gives the current ``j(x, t) = -integral_{-inf}^x dn/dt dx'`` and the phase gradient ``d theta/dx = j / n``; the
    time-dependent Schroedinger equation for ``phi`` then fixes the Kohn-Sham potential,

        v_s = -(1/2) (sqrt n)'' / sqrt n - d theta/dt - (1/2) (d theta/dx)^2     (up to a constant in space),

    and ``v_xc = v_s - v_ext - dv(t) - v_H[n]``. Time derivatives are central differences on ``times``. Each row is
    defined up to an additive constant; where the density is tiny the division by ``n`` amplifies noise, so
    compare potentials where ``n`` is appreciable.
    """
    t = as_real_array(times, "times", ndim=1)
    n = as_real_array(densities, "densities", shape=(t.size, system.n_points))
    dx, dt = system.dx, float(t[1] - t[0])
    n = np.clip(n, 1e-14, None)
    dndt = np.gradient(n, dt, axis=0)
    current = -np.cumsum(dndt, axis=1) * dx
    velocity = current / n
    theta = np.cumsum(velocity, axis=1) * dx
    dtheta_dt = np.gradient(theta, dt, axis=0)
    root = np.sqrt(n)
    kinetic_term = (root @ system.kinetic_matrix().T) / root  # = -(1/2) (sqrt n)'' / sqrt n
    v_s = -kinetic_term - dtheta_dt - 0.5 * velocity**2
    v_h = n @ system.interaction.T * dx
    v_xc = v_s - np.array(system.v_ext)[None, :] - v_h
    if dv is not None:
        v_xc -= np.array([dv(float(ti)) for ti in t])
    return v_xc


def ground_state_xc_potential(system, density) -> np.ndarray:
    """Exact xc potential (Ha) of a two-electron singlet ground state with density ``density`` in ``system``
    (the static limit of :func:`td_xc_potential`), up to a constant."""
    root = np.sqrt(np.clip(np.asarray(density, dtype=float), 1e-14, None))
    v_s = -(system.kinetic_matrix() @ root) / root
    return v_s - np.array(system.v_ext) - system.interaction @ np.asarray(density, dtype=float) * system.dx
