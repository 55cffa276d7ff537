"""Checks for notebook 05 (machine-learning density functionals, K. Burke's talk)."""

from __future__ import annotations

import numpy as np

from ..onedim import tddft
from ..units import HARTREE_TO_EV, HARTREE_TO_KCAL_PER_MOL
from ._feedback import checker, is_placeholder


def _krr_reference(train_x, train_y, test_x, sigma, lam):
    d2 = lambda a, b: np.maximum((a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T, 0)  # noqa: E731
    k = np.exp(-d2(train_x, train_x) / (2 * sigma**2))
    alpha = np.linalg.solve(k + lam * np.eye(len(train_y)), train_y)
    return np.exp(-d2(test_x, train_x) / (2 * sigma**2)) @ alpha


@checker("kernel ridge regression of the kinetic energy")
def check_krr_kinetic_predict(krr_predict):
    """``krr_predict(train_densities, train_values, test_densities, sigma, lam) -> predictions``: Gaussian-kernel
    ridge regression with ``k = exp(-|n - n'|^2 / (2 sigma^2))`` and ``alpha = (K + lam I)^-1 y``."""
    if is_placeholder(krr_predict):
        raise NotImplementedError
    if not callable(krr_predict):
        return False, f"expected a function krr_predict(...), got {type(krr_predict).__name__}."
    rng = np.random.default_rng(5)
    grid = np.linspace(0, 1, 40)
    centres = rng.uniform(0.3, 0.7, size=25)
    widths = rng.uniform(0.05, 0.15, size=25)
    x = np.exp(-((grid - centres[:, None]) ** 2) / (2 * widths[:, None] ** 2))
    x /= x.sum(axis=1, keepdims=True) * (grid[1] - grid[0])
    y = 1.0 / widths**2 * 0.01 + 3.0
    train_x, train_y, test_x = x[:20], y[:20], x[20:]
    sigma, lam = 2.0, 1e-2  # a ridge large enough that leaving it out shows
    result = krr_predict(train_x, train_y, test_x, sigma, lam)
    if is_placeholder(result):
        return False, ("your function returns nothing yet (None or ...): finish it so that it returns one "
                       "prediction per test density.")
    got = np.asarray(result, dtype=float).reshape(-1)
    expected = _krr_reference(train_x, train_y, test_x, sigma, lam)
    if got.shape != expected.shape:
        return False, (f"expected one prediction per test density, shape {expected.shape}, got {got.shape}. Return "
                       "k(test, train) @ alpha.")
    if np.allclose(got, expected, rtol=1e-6, atol=1e-8):
        return True, "your predictions match the reference kernel ridge regression to 1 part in a million."
    variants = {
        "the kernel uses 2 sigma^2 in the denominator: exp(-|n - n'|^2 / (2 sigma^2))":
            _krr_reference(train_x, train_y, test_x, sigma / np.sqrt(2), lam),
        "you used exp(-|n - n'| / ...) instead of the SQUARED distance":
            None,
        "lambda is missing: alpha = (K + lam I)^-1 y": _krr_reference(train_x, train_y, test_x, sigma, 0.0),
        "the distance is over grid points without the grid spacing (no dx)":
            _krr_reference(train_x * np.sqrt(grid[1] - grid[0]), train_y, test_x * np.sqrt(grid[1] - grid[0]),
                           sigma, lam),
    }
    for hint, value in variants.items():
        if value is not None and np.allclose(got, value, rtol=1e-5, atol=1e-7):
            return False, f"close, but {hint}."
    if np.allclose(got, train_y.mean(), rtol=1e-3):
        return False, "every prediction equals the mean of the training values: the kernel is ~1 everywhere."
    return False, (f"your predictions differ from the reference by up to {np.max(np.abs(got - expected)):.3g}. "
                   "Steps: K = exp(-D2 / (2 sigma^2)) on training pairs, alpha = solve(K + lam I, y), then "
                   "exp(-D2(test, train) / (2 sigma^2)) @ alpha.")


@checker("exact functional derivative of the non-interacting kinetic energy")
def check_kinetic_functional_derivative(dT_dn, v_ext, eigenvalues, n_electrons: int = 2):
    """For the ground state of N non-interacting fermions, ``delta T_s / delta n(x) = mu - v(x)`` with
    ``mu = eps_N`` (the highest occupied eigenvalue)."""
    if is_placeholder(dT_dn):
        raise NotImplementedError
    v = np.asarray(v_ext, dtype=float)
    eps = np.asarray(eigenvalues, dtype=float)
    got = np.asarray(dT_dn, dtype=float)
    if got.shape != v.shape:
        return False, f"expected an array on the grid, shape {v.shape}, got {got.shape}."
    expected = eps[n_electrons - 1] - v
    if np.allclose(got, expected, atol=1e-9, rtol=1e-9):
        return True, (f"delta T/delta n = mu - v(x) with mu = eps_{n_electrons} = {eps[n_electrons - 1]:.4f} Ha: "
                      "the Euler equation of orbital-free DFT.")
    if np.allclose(got, -expected, atol=1e-9, rtol=1e-9):
        return False, "the sign is flipped: delta(T + integral v n)/delta n = mu, so delta T/delta n = mu - v."
    if np.allclose(got - got.mean(), expected - expected.mean(), atol=1e-9):
        offset = float(np.mean(got - expected))
        for k in range(len(eps)):
            if abs(offset - (eps[k] - eps[n_electrons - 1])) < 1e-9:
                return False, (f"right shape, wrong constant: you used eps_{k + 1}; the chemical potential of "
                               f"{n_electrons} fermions is the HIGHEST occupied level, eps_{n_electrons}.")
        if abs(offset - (eps[:n_electrons].sum() - eps[n_electrons - 1])) < 1e-9:
            return False, "the constant is the sum of the occupied eigenvalues; it should be mu = eps_N alone."
        return False, f"right shape but off by the constant {offset:.4g} Ha: mu is eps_N (the highest occupied)."
    return False, "not mu - v(x): use the potential on the grid and the N-th eigenvalue."


def _h2_lda_error_kcal(separation: float) -> float:
    from ..onedim import exact, kohn_sham, systems

    system = systems.hydrogen_molecule(separation, n_points=120, half_width=15.0)
    return (kohn_sham.solve(system, "lda").energy - exact.solve(system).energy) * HARTREE_TO_KCAL_PER_MOL


@checker("restricted LDA for the stretched H2 bond")
def check_h2_lda_error(lda_error_kcal, separation: float = 8.0):
    """``E_LDA(R) - E_exact(R)`` in kcal/mol for 1D H2 (120 points on [-15, 15] bohr, soft-Coulomb)."""
    if is_placeholder(lda_error_kcal):
        raise NotImplementedError
    value = float(np.asarray(lda_error_kcal, dtype=float).reshape(()))
    expected = _h2_lda_error_kcal(separation)
    if abs(value - expected) < 0.05:
        return True, (f"restricted LDA lies {expected:.1f} kcal/mol above the exact energy at R = {separation:g} "
                      "bohr: far too high. The restricted form is not to blame (the exact Kohn-Sham system is one "
                      "doubly occupied orbital too): the LDA functional lacks the midpoint peak of the exact v_xc "
                      "that keeps one electron on each atom.")
    if abs(value + expected) < 0.05:
        return False, "the sign is flipped: LDA minus exact, and LDA is the higher one."
    if abs(value - expected / HARTREE_TO_KCAL_PER_MOL) < 1e-4:
        return False, "that is in Hartree; multiply by units.HARTREE_TO_KCAL_PER_MOL."
    if abs(value - expected / HARTREE_TO_KCAL_PER_MOL * HARTREE_TO_EV) < 1e-3:
        return False, "that is in eV; the question asks for kcal/mol."
    return False, (f"got {value:.3g} kcal/mol. Solve systems.hydrogen_molecule({separation:g}, n_points=120, "
                   "half_width=15.0) exactly and with kohn_sham.solve(system, 'lda'), and subtract the energies "
                   "(the nuclear repulsion cancels).")


@checker("the main peak of the exact dipole spectrum")
def check_tddft_peak(omega_peak):
    """The frequency (Ha) of the strongest peak of the exact dipole spectrum, against the exact excitation energy
    ``E_1 - E_0`` of the first optically allowed singlet of the molecule of the TDDFT data set."""
    if is_placeholder(omega_peak):
        raise NotImplementedError
    from ..onedim import exact, kohn_sham

    value = float(np.asarray(omega_peak, dtype=float).reshape(()))
    system = tddft.tddft_system()
    states = exact.solve_states(system, 2, spin="singlet")
    excitation = states[1].energy - states[0].energy
    ks = kohn_sham.solve(system, "lda")
    gap = ks.eigenvalues_up[1] - ks.eigenvalues_up[0]
    if abs(value - excitation) < 0.012:
        return True, (f"the peak at {value:.3f} Ha matches the exact excitation energy E_1 - E_0 = {excitation:.3f} "
                      "Ha within the resolution of a 100 a.u. signal.")
    if abs(value - excitation * HARTREE_TO_EV) < 0.3:
        return False, "that is in eV; the question asks for Hartree."
    td = tddft.load_tddft()
    omegas = np.linspace(0.05, 1.2, 2301)
    alda_peak = omegas[np.argmax(tddft.dipole_spectrum(td["times"], td["dipole"][1], omegas))]
    if abs(value - alda_peak) < 0.01:
        return False, (f"that is the adiabatic LDA peak ({alda_peak:.3f} Ha, sample 1 of the data set); use the exact "
                       "propagation (sample 0).")
    if abs(value - gap) < 0.01:
        return False, "that is the bare Kohn-Sham gap, not the peak of the exact spectrum."
    if abs(value - 2 * np.pi * excitation) < 0.1 or abs(value - excitation / (2 * np.pi)) < 0.01:
        return False, "off by 2 pi: use exp(i omega t) with omega in Ha (angular frequency), as dipole_spectrum does."
    return False, (f"got {value:.3g} Ha. Compute tddft.dipole_spectrum(times, dipole, omegas) for the exact "
                   "dipole on a fine grid of omegas between 0.05 and 1.2 Ha and take the omega of the maximum.")
