"""Reverse engineering: the exact Kohn-Sham potential of a target density (Hartree atomic units).

``solve(system, target_density)`` finds ``v_KS`` such that non-interacting electrons (with the spins of
``system.electrons``, all in the same spin-independent potential) have the target density.

* ``method="two_electron"`` (the default for one electron or a two-electron singlet, ``"u"`` / ``"ud"``): both
  electrons occupy one orbital ``phi = sqrt(n / N)``, so ``v_KS = eps + (1/2) phi'' / phi``. We use the *discrete*
  kinetic operator of the grid, ``v_j = eps - (T phi)_j / phi_j``, so that ``phi`` is an eigenvector of
  ``T + v_KS`` to machine precision and the Kohn-Sham density reproduces the target exactly where it is reliable.
* ``method="iterative"`` (any other case, or to polish): a Levenberg-Marquardt (damped Gauss-Newton) minimisation
  of ``|n_KS[v] - n_target|^2`` using the exact static Kohn-Sham response ``chi = dn/dv`` built from all orbitals;
  converges in tens of iterations where the classic update ``v += mu (n^p - n_target^p)`` needs thousands.

Tails: where the target density is below ``density_floor`` times its maximum, it carries no usable information
(and in an exact wavefunction it is dominated by solver noise). There ``v_KS`` is continued smoothly with the
asymptotic form ``v_ext + (1 - 1/N) v_H + const`` (the Fermi-Amaldi potential, which has the exact ``-1/|x|``
xc tail of a finite system), joined continuously at the last reliable point. ``result.reliable`` marks the points
used. The density error reported includes the tails.

The constant: with ``ionisation_energy`` given, ``v_KS`` is shifted so that the highest occupied Kohn-Sham
eigenvalue equals ``-ionisation_energy`` (the exact condition; get it from
:func:`course_utils.onedim.exact.ionisation_energy`). Otherwise it is fixed so that ``v_xc = v_KS - v_ext - v_H``
equals the Fermi-Amaldi ``-v_H / N`` at the two ends of the grid (mean of both): a heuristic that puts the
highest eigenvalue within ~1 mHa of ``-I`` for the soft-Coulomb He atom in a 15-bohr box, but only within
~20-30 mHa for Li, whose outer density has not died out at the walls. Pass ``ionisation_energy`` when it matters.
"""

from __future__ import annotations

import numpy as np

from .._checks import ConvergenceError, as_int, as_number, as_real_array, one_of
from ..threads import limited_blas
from ._onebody import BandedHamiltonian
from .kohn_sham import hartree_potential
from .results import ReverseResult
from .system_definition import System, check_density


@limited_blas
def solve(system: System, target_density, *, ionisation_energy: float | None = None, method: str = "auto",
          tol: float = 1e-8, max_iterations: int = 100, density_floor: float = 1e-10, v_guess=None,
          n_extra: int = 4) -> ReverseResult:
    """The Kohn-Sham potential whose ground-state density is ``target_density``.

    Parameters
    ----------
    system
        gives the grid, the electrons (spins), ``v_ext`` and the interaction (for ``v_H``, ``v_xc``).
    target_density
        density (1/bohr), shape ``(N,)``, integrating to ``system.count``.
    ionisation_energy
        if given (Ha), fix the constant so that the highest occupied eigenvalue is ``-I``.
    method
        ``"auto"``, ``"two_electron"`` or ``"iterative"`` (see the module docstring).
    tol
        required ``integral |n_KS - n_target| dx`` (electrons); ``ConvergenceError`` if not reached.
    max_iterations
        iterations of the iterative method.
    density_floor
        relative density below which ``v_KS`` is continued by its asymptotic form.
    v_guess
        starting potential for the iterative method (Ha, shape ``(N,)``).
    n_extra
        unoccupied orbitals returned.

    Returns
    -------
        a :class:`~course_utils.onedim.results.ReverseResult` with ``v_ks``, ``v_xc``, ``density_error``, ...
    """
    if not isinstance(system, System):
        raise TypeError(f"system must be a course_utils.onedim.System, got {type(system).__name__}")
    target = check_density(target_density, system)
    one_of(method, "method", ("auto", "two_electron", "iterative"))
    tol = as_number(tol, "tol", minimum=0.0, strict_minimum=True)
    max_iterations = as_int(max_iterations, "max_iterations", minimum=0)
    density_floor = as_number(density_floor, "density_floor", minimum=0.0, maximum=0.1)
    n_extra = as_int(n_extra, "n_extra", minimum=0)
    if ionisation_energy is not None:
        ionisation_energy = as_number(ionisation_energy, "ionisation_energy")
    one_orbital = system.n_up <= 1 and system.n_down <= 1 and (system.n_up + system.n_down) >= 1
    if method == "two_electron" and not one_orbital:
        raise ValueError(f"method='two_electron' needs one electron or a two-electron singlet ('u', 'ud'), "
                         f"got electrons={system.electrons!r}; use method='iterative'")
    if method == "auto":
        method = "two_electron" if one_orbital else "iterative"

    n_total = system.count
    v_h = hartree_potential(system, target)
    asymptotic = system.v_ext + (1.0 - 1.0 / n_total) * v_h
    reliable = target > density_floor * float(np.max(target))
    solver = system.one_body_solver()
    m = min(max(system.n_up, system.n_down) + n_extra, system.n_points)

    iterations = 0
    if method == "two_electron":
        v = _two_electron_potential(system, target, reliable, asymptotic)
        used = "two_electron"
    else:
        v = asymptotic.copy() if v_guess is None else as_real_array(v_guess, "v_guess", shape=(system.n_points,))
        used = "iterative"
    density, eps, vectors = _ks_density(solver, v, system, m)
    error = _error(density, target, system.dx)
    if error > tol and max_iterations > 0:
        v, iterations = _levenberg_marquardt(system, v, target, tol, max_iterations)
        # the unreliable tails carry no information: keep them on the asymptotic form (this fixes the gauge
        # below and changes the density by far less than tol)
        v = _continue_tails(v, reliable, asymptotic)
        density, eps, vectors = _ks_density(solver, v, system, m)
        error = _error(density, target, system.dx)
        used = used if used == "iterative" else "two_electron+iterative"
    if error > tol:
        raise ConvergenceError(f"reverse engineering reached a density error of {error:.3e} electrons "
                               f"(tol {tol:g}) after {iterations} iterations; the target may not be "
                               f"non-interacting v-representable on this grid, or raise max_iterations/tol")
    n_occ_max = max(system.n_up, system.n_down)
    homo = float(eps[n_occ_max - 1])
    if ionisation_energy is not None:
        shift = -ionisation_energy - homo
        constant = f"highest occupied eigenvalue = -ionisation_energy = {-ionisation_energy:.8g} Ha"
    else:
        edges = [0, -1]
        shift = -float(np.mean([(v - system.v_ext - v_h + v_h / n_total)[i] for i in edges]))
        constant = "v_xc = -v_H/N (Fermi-Amaldi) at the grid ends"
    v = v + shift
    eps = eps + shift
    return ReverseResult(system=system, v_ks=v, v_hartree=v_h, v_xc=v - system.v_ext - v_h, density=density,
                         density_error=error, orbitals=vectors / np.sqrt(system.dx), eigenvalues=eps,
                         homo=homo + shift, constant=constant, method=used, iterations=iterations,
                         reliable=reliable)


def _error(density: np.ndarray, target: np.ndarray, dx: float) -> float:
    return float(np.sum(np.abs(density - target)) * dx)


def _ks_density(solver: BandedHamiltonian, v: np.ndarray, system: System, m: int):
    eps, vectors = solver.lowest(v, m)
    occupation = (np.arange(m) < system.n_up).astype(float) + (np.arange(m) < system.n_down).astype(float)
    return (vectors**2) @ occupation / system.dx, eps, vectors


def _two_electron_potential(system: System, target: np.ndarray, reliable: np.ndarray,
                            asymptotic: np.ndarray) -> np.ndarray:
    phi = np.sqrt(target / system.count)
    v = np.empty_like(phi)
    with np.errstate(divide="ignore", invalid="ignore"):  # unreliable points are replaced below
        v[reliable] = _kohn_sham_from_root(system, phi)[reliable]
    return _continue_tails(v, reliable, asymptotic)


def _continue_tails(v: np.ndarray, reliable: np.ndarray, asymptotic: np.ndarray) -> np.ndarray:
    """Replace ``v`` outside ``reliable`` by ``asymptotic + offset``, the offset matched (outer regions) or
    linearly interpolated (gaps between reliable points)."""
    idx = np.flatnonzero(reliable)
    if idx.size == 0:
        raise ValueError("the target density has no point above the density floor")
    offset = np.interp(np.arange(v.size), idx, (v - asymptotic)[idx])  # constant beyond the ends
    out = v.copy()
    out[~reliable] = asymptotic[~reliable] + offset[~reliable]
    return out


def _levenberg_marquardt(system: System, v: np.ndarray, target: np.ndarray, tol: float,
                         max_iterations: int) -> tuple[np.ndarray, int]:
    dx, npts = system.dx, system.n_points
    kinetic = system.kinetic_matrix()
    occ_up = (np.arange(npts) < system.n_up).astype(float)
    occ_down = (np.arange(npts) < system.n_down).astype(float)

    def density_and_response(potential, want_response=True):
        eps, vectors = np.linalg.eigh(kinetic + np.diag(potential))
        density = (vectors**2) @ (occ_up + occ_down) / dx
        if not want_response:
            return density, None
        chi = np.zeros((npts, npts))
        for occ in (occ_up, occ_down):
            n_occ = int(occ.sum())
            if n_occ == 0:
                continue
            unocc, e_unocc = vectors[:, n_occ:], eps[n_occ:]
            for o in range(n_occ):
                products = vectors[:, o:o + 1] * unocc  # (N, n_unocc)
                chi += (products / (eps[o] - e_unocc)) @ products.T
        return density, 2.0 * chi / dx

    density, chi = density_and_response(v)
    residual = density - target
    cost = float(residual @ residual) * dx
    mu = 1e-6
    for iteration in range(1, max_iterations + 1):
        if np.sum(np.abs(residual)) * dx < tol:
            return v, iteration - 1
        # Gauss-Newton with damping: minimise |r + chi dv|^2 + mu' |dv|^2 (chi is a symmetric matrix, dn = chi dv;
        # its null vector, a constant shift, gets no step)
        lam, vecs = np.linalg.eigh(chi)
        scale = float(np.max(np.abs(lam))) or 1.0
        projected = vecs.T @ residual
        accepted = False
        for _ in range(12):
            damping = mu * scale**2
            step = -(vecs @ (lam / (lam**2 + damping) * projected))
            trial = v + step
            trial_density, _ = density_and_response(trial, want_response=False)
            trial_residual = trial_density - target
            trial_cost = float(trial_residual @ trial_residual) * dx
            if trial_cost < cost:
                v, cost = trial, trial_cost
                mu = max(mu / 10.0, 1e-14)
                accepted = True
                break
            mu *= 10.0
        if not accepted:
            return v, iteration
        density, chi = density_and_response(v)
        residual = density - target
    return v, max_iterations


def _kohn_sham_from_root(system: System, root: np.ndarray) -> np.ndarray:
    """``-(T sqrt n) / sqrt n`` with the grid's kinetic stencil T, row by row for (..., N): the potential (up to a
    constant) in which ``sqrt n`` is an eigenvector, i.e. ``(1/2) (sqrt n)'' / sqrt n`` in the continuum."""
    return -(root @ system.kinetic_matrix().T) / root


def two_electron_xc_potential(system, density) -> np.ndarray:
    """Exact xc potential (Ha) of a two-electron singlet ground state with density ``density`` in ``system``
    (the static limit of :func:`time_dependent_xc_potential`), up to a constant."""
    density = np.asarray(density, dtype=float)
    root = np.sqrt(np.clip(density, 1e-14, None))
    return _kohn_sham_from_root(system, root) - np.array(system.v_ext) - system.interaction @ density * system.dx


def time_dependent_xc_potential(system, times, densities, *, dv=None) -> np.ndarray:
    """Exact time-dependent xc potential (Ha), shape (T, G), of two electrons in a singlet, from their density.

    The Kohn-Sham state is one doubly occupied orbital ``phi = sqrt(n/2) exp(i theta)``. The continuity equation
    gives the current ``j(x, t) = -integral_{-inf}^x dn/dt dx'`` and the phase gradient ``d theta/dx = j / n``; the
    time-dependent Schroedinger equation for ``phi`` then fixes the Kohn-Sham potential,

        v_s = (1/2) (sqrt n)'' / sqrt n - d theta/dt - (1/2) (d theta/dx)^2     (up to a constant in space),

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
    v_s = _kohn_sham_from_root(system, np.sqrt(n)) - dtheta_dt - 0.5 * velocity**2
    v_h = n @ system.interaction.T * dx
    v_xc = v_s - np.array(system.v_ext)[None, :] - v_h
    if dv is not None:
        v_xc -= np.array([dv(float(ti)) for ti in t])
    return v_xc
