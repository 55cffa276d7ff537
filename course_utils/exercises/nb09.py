"""Checks for notebook 09 (differentiable DFT). NumPy only: the references are computed here without TensorFlow.
Every check explains in words what is wrong and recognises the typical mistakes."""

from __future__ import annotations

import numpy as np

from ._feedback import checker, is_placeholder


def _test_orbitals(seed: int = 3):
    """Eigenpairs of a small 1D Hamiltonian (3-point kinetic stencil, a double well), sum(phi^2) dx = 1."""
    n, dx = 60, 0.25
    x = (np.arange(n) - (n - 1) / 2) * dx
    rng = np.random.default_rng(seed)
    v = -1.2 / np.sqrt((x + 1.0) ** 2 + 1.0) - 0.8 / np.sqrt((x - 1.3) ** 2 + 1.0)
    kinetic = (np.diag(np.full(n, 1.0)) - 0.5 * np.diag(np.ones(n - 1), 1) - 0.5 * np.diag(np.ones(n - 1), -1))
    h = kinetic / dx**2 + np.diag(v)
    eps, vec = np.linalg.eigh(h)
    dv = np.exp(-((x - rng.uniform(-1, 1)) ** 2)) * rng.uniform(0.5, 1.5)
    return x, dx, h, eps, vec / np.sqrt(dx), dv


def _reference_chi0(eps, phi, n_occ, dv, dx):
    occ, emp = phi[:, :n_occ], phi[:, n_occ:]
    coupling = occ.T @ (dv[:, None] * emp) * dx / (eps[:n_occ, None] - eps[None, n_occ:])
    return 2.0 * np.sum(occ * (emp @ coupling.T), axis=1)


# ----------------------------------------------------------------------------------------------------------------
# Exercise 1: the independent-particle response chi0 by sum over states
# ----------------------------------------------------------------------------------------------------------------


@checker("the independent-particle response chi0")
def check_nb09_chi0(chi0_apply):
    """``chi0_apply(eps, phi, n_occ, dv, dx)`` must return the first-order density change of ``n_occ`` electrons
    of one spin in the orbitals ``phi`` (columns, ``sum phi^2 dx = 1``) under the potential change ``dv``."""
    if is_placeholder(chi0_apply):
        raise NotImplementedError
    if not callable(chi0_apply):
        return False, f"chi0_apply must be a function, got {type(chi0_apply).__name__}"
    x, dx, h, eps, phi, dv = _test_orbitals()
    n_occ = 2
    answer = chi0_apply(eps, phi, n_occ, dv, dx)
    if is_placeholder(answer):
        raise NotImplementedError
    answer = np.asarray(answer, dtype=float)
    if answer.shape != x.shape:
        return False, f"the density change must have the grid's shape {x.shape}, got {answer.shape}"
    expected = _reference_chi0(eps, phi, n_occ, dv, dx)
    scale = np.max(np.abs(expected))
    if not np.all(np.isfinite(answer)):
        return False, ("the result contains inf or nan: did the sum over a include the occupied orbitals? For "
                       "a = i the denominator eps_i - eps_a is zero; sum a over the empty orbitals only (the "
                       "occupied-occupied terms cancel in pairs anyway)")
    if np.allclose(answer, expected, atol=1e-9 * scale):
        step = 1e-5
        densities = []
        for sign in (1, -1):
            _, vec = np.linalg.eigh(h + sign * step * np.diag(dv))
            densities.append(np.sum(vec[:, :n_occ] ** 2, axis=1) / dx)
        fd = (densities[0] - densities[1]) / (2 * step)
        error = np.max(np.abs(fd - answer)) / scale
        return True, (f"matches the sum over states, and finite differences of the density (largest relative "
                      f"difference {error:.1e}); the density integrates to {np.sum(answer) * dx:.1e} electrons: "
                      "a potential change moves charge, it does not create it.")
    if np.allclose(answer, 0.5 * expected, atol=1e-9 * scale):
        return False, ("off by a factor 2: n = sum_i phi_i^2 changes by 2 phi_i dphi_i, so dn carries a factor 2 "
                       "(one spin channel; it is not the spin degeneracy)")
    if np.allclose(answer, -expected, atol=1e-9 * scale):
        return False, ("the sign is reversed: first-order perturbation theory gives dphi_i = sum_a phi_a "
                       "<phi_a|dv|phi_i> / (eps_i - eps_a), with eps_i - eps_a < 0 for occupied i, empty a; an "
                       "attractive dv (negative) must pull density in")
    if np.allclose(answer, expected / dx, atol=1e-9 * scale / dx) or np.allclose(answer, expected * dx,
                                                                               atol=1e-9 * scale * dx):
        return False, ("a factor dx is off: the matrix element <phi_a|dv|phi_i> is sum_x phi_a dv phi_i dx with "
                       "orbitals normalised as sum phi^2 dx = 1, and dn itself has no further dx")
    return False, (f"the density change differs from the sum over states (largest difference "
                   f"{np.max(np.abs(answer - expected)):.2e} against values up to {scale:.2e} per bohr)")


# ----------------------------------------------------------------------------------------------------------------
# Exercise 2: the adjoint (reverse-mode) derivative of one output with respect to many parameters
# ----------------------------------------------------------------------------------------------------------------


def _adjoint_problem(seed: int = 11, size: int = 30, n_params: int = 50):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(size, size))
    chi0 = -(a @ a.T) / size * 0.3  # negative semi-definite, like a static response
    b = rng.normal(size=(size, size))
    kernel = (b @ b.T) / size * 0.5  # positive, like the Hartree kernel
    w = rng.normal(size=size)
    dv = rng.normal(size=(n_params, size))
    return chi0, kernel, w, dv


def _forward_reference(chi0, kernel, w, dv):
    size = len(w)
    dn = np.linalg.solve(np.eye(size) - chi0 @ kernel, chi0 @ dv.T)  # one solve per parameter (columns)
    return dv @ w + (kernel @ dn).T @ w


@checker("the adjoint derivative")
def check_nb09_adjoint(adjoint_gradient):
    """``adjoint_gradient(chi0, kernel, w, dv)`` must return ``d output / d p`` for every row ``dv[p]`` of the
    explicit potential changes, with output change ``w . (dv + K dn)`` and ``(1 - chi0 K) dn = chi0 dv``."""
    if is_placeholder(adjoint_gradient):
        raise NotImplementedError
    if not callable(adjoint_gradient):
        return False, f"adjoint_gradient must be a function, got {type(adjoint_gradient).__name__}"
    chi0, kernel, w, dv = _adjoint_problem()
    calls = {"solve": 0}
    original = np.linalg.solve

    def counting_solve(a, b, *args, **kwargs):
        calls["solve"] += 1 if np.ndim(b) == 1 else np.shape(b)[1]
        return original(a, b, *args, **kwargs)

    np.linalg.solve = counting_solve
    try:
        answer = adjoint_gradient(chi0, kernel, w, dv)
    finally:
        np.linalg.solve = original
    if is_placeholder(answer):
        raise NotImplementedError
    answer = np.asarray(answer, dtype=float)
    if answer.shape != (dv.shape[0],):
        return False, f"expected one derivative per parameter, shape ({dv.shape[0]},), got {answer.shape}"
    expected = _forward_reference(chi0, kernel, w, dv)
    scale = np.max(np.abs(expected))
    if np.allclose(answer, expected, atol=1e-9 * scale):
        if calls["solve"] > 1:
            return False, (f"the derivatives are right, but np.linalg.solve was asked for {calls['solve']} "
                           "right-hand sides: that is forward mode. Solve once with the transposed operator "
                           "(1 - K chi0) lam = K w and finish with one matrix-vector product, dv @ (w + chi0 lam)")
        return True, (f"all {dv.shape[0]} derivatives from {max(calls['solve'], 1)} linear solve (np.linalg.solve "
                      "calls counted); forward mode would need one per parameter.")
    if np.allclose(answer, dv @ w, atol=1e-9 * scale):
        return False, ("this is only the explicit term w . dv: the density relaxes too, adding w . K dn "
                       "(here K and chi0 are the symmetric matrices given)")
    return False, f"the derivatives differ from forward mode by up to {np.max(np.abs(answer - expected)):.2e}"


# ----------------------------------------------------------------------------------------------------------------
# Exercise 3: the Hellmann-Feynman force
# ----------------------------------------------------------------------------------------------------------------


def _force_case():
    from ..onedim import kohn_sham, systems

    grid = {"n_points": 100, "half_width": 10.0}
    positions, charges = np.array([-0.7, 0.9]), np.array([2.0, 1.0])
    base = systems.molecule(positions, charges, "ud", **grid)
    density = kohn_sham.solve(base, tol=1e-11, energy_tol=1e-12).density
    h, energies = 1e-4, []
    for sign in (1, -1):
        moved = systems.molecule(positions + sign * h * np.array([0.0, 1.0]), charges, "ud", **grid)
        energies.append(kohn_sham.solve(moved, tol=1e-11, energy_tol=1e-12).energy + moved.nuclear_repulsion)
    return base.x, density, positions, charges, -(energies[0] - energies[1]) / (2 * h)


@checker("the Hellmann-Feynman force")
def check_nb09_force(hellmann_feynman_force):
    """``hellmann_feynman_force(x, density, positions, charges, index)`` must return the force (Ha/bohr) on nucleus
    ``index`` of a soft-Coulomb molecule, ``-dE/dX`` with ``E`` including the nucleus-nucleus repulsion."""
    if is_placeholder(hellmann_feynman_force):
        raise NotImplementedError
    if not callable(hellmann_feynman_force):
        return False, f"hellmann_feynman_force must be a function, got {type(hellmann_feynman_force).__name__}"
    x, density, positions, charges, fd = _force_case()
    answer = hellmann_feynman_force(x, density, positions, charges, 1)
    if is_placeholder(answer):
        raise NotImplementedError
    answer = float(np.asarray(answer, dtype=float).reshape(()))
    if abs(answer - fd) < 1e-5:
        return True, (f"force on H in HeH+ {answer:+.6f} Ha/bohr; finite differences of the SCF energy give "
                      f"{fd:+.6f}: the self-consistent density alone gives the force, no response needed.")
    dx = x[1] - x[0]
    u = x - positions[1]
    electronic = -float(np.sum(density * (-charges[1] * u / (u**2 + 1.0) ** 1.5)) * dx)
    r = positions[1] - positions[0]
    nuclear = charges[0] * charges[1] * r / (r**2 + 1.0) ** 1.5
    if abs(answer - electronic) < 1e-5:
        return False, ("the electronic part is right; add the nucleus-nucleus repulsion Z_A Z_B / sqrt(R^2 + 1), "
                       f"whose force on H is +{nuclear:.4f} Ha/bohr (pushing the nuclei apart)")
    if abs(answer + fd) < 1e-5:
        return False, "the sign is reversed: the force is minus the derivative of the energy"
    if abs(answer - (electronic / dx + nuclear)) < 1e-4 or abs(answer - (electronic * dx + nuclear)) < 1e-4:
        return False, "a factor dx is off in the integral: sum(density * dv/dX) * dx"
    return False, f"got {answer:+.6f} Ha/bohr, finite differences of the energy give {fd:+.6f}"
