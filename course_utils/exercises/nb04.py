"""Checks for notebook 04 (one-body reduced density matrices)."""

from __future__ import annotations

import numpy as np

from ..onedim import datasets, observables
from ._feedback import checker, is_placeholder


def _as_float_array(value, what: str):
    """The answer as a float array, or a message saying why it cannot be one."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None, f"expected {what}, got {type(value).__name__} that cannot be turned into numbers."
    if not np.all(np.isfinite(array)):
        return None, f"your {what} contains NaN or infinite values (a square root of a negative number?)."
    return array, ""


@checker("the N-representability bound of the dimer's off-diagonal element")
def check_rdm_dimer_bound(gamma_max):
    """``gamma_max(delta_n)``: largest spin-summed |gamma_12| whose per-spin natural occupations stay in [0, 1].

    Expected sqrt(1 - (delta_n / 2)^2) = sqrt(n_1 n_2) for the two-electron singlet dimer.
    """
    if is_placeholder(gamma_max):
        raise NotImplementedError
    if not callable(gamma_max):
        return False, (f"expected a function of delta_n (for example `def gamma_max(delta_n): return ...`), got "
                       f"{type(gamma_max).__name__}.")
    delta_n = np.linspace(-1.95, 1.95, 27)
    answer = gamma_max(delta_n)
    if is_placeholder(answer):
        raise NotImplementedError
    values, problem = _as_float_array(answer, "values of gamma_max")
    if values is None:
        return False, problem
    if values.shape != delta_n.shape:
        if values.size == 1:
            return False, ("your function returned one number for an array of delta_n values; use numpy "
                           "functions (np.sqrt, **) so it works element by element.")
        return False, f"for {delta_n.size} values of delta_n your function returned shape {values.shape}."
    expected = np.sqrt(1.0 - 0.25 * delta_n**2)
    if np.allclose(values, expected, atol=1e-6):
        return True, ("gamma_max = sqrt(1 - (Δn/2)²) = sqrt(n₁ n₂): exactly the Kohn-Sham (U = 0) curve, which sits "
                      "on the bound because its 1-RDM is idempotent (occupations 1 and 0 per spin).")
    if np.allclose(values, 0.5 * expected, atol=1e-6):
        return False, ("that is the bound on the per-spin element γ₁₂^σ; the question asks for the spin-summed "
                       "γ₁₂ = γ₁₂^↑ + γ₁₂^↓, twice as large.")
    if np.allclose(values, expected**2, atol=1e-6):
        return False, "that is 1 - (Δn/2)², the square of the bound: take the square root."
    if np.allclose(values, np.sqrt(np.clip(1.0 - delta_n**2, 0, None)), atol=1e-6):
        return False, ("close, but the per-spin occupations are n_iσ = n_i / 2 = 1/2 ± Δn/4: the bound involves "
                       "(Δn/2)², not Δn².")
    if np.allclose(values, np.sqrt(np.abs(delta_n) * (1 - 0.5 * np.abs(delta_n))), atol=1e-6):
        return False, "that is the strong-coupling (U → ∞) curve; the bound is what the U = 0 dimer reaches."
    if not np.allclose(values, values[::-1], atol=1e-9):
        return False, "the bound must be even in Δn (swapping the two sites changes nothing)."
    worst = int(np.argmax(np.abs(values - expected)))
    return False, (f"at Δn = {delta_n[worst]:.2f} your bound is {values[worst]:.4f}. Write the per-spin 1-RDM "
                   "[[n₁/2, g/2], [g/2, n₂/2]], ask for both eigenvalues to lie in [0, 1], and solve for g.")


@checker("natural occupations of the exact Hubbard dimer")
def check_rdm_natural_occupations(occupations, U: float = 4.0, delta_v: float = 1.0):
    """Per-spin natural occupations (eigenvalues of the per-spin 1-RDM) of the dimer at U, delta_v (t = 1)."""
    from ..lattice import dimer_ground_state

    if is_placeholder(occupations):
        raise NotImplementedError
    values, problem = _as_float_array(occupations, "two natural occupations")
    if values is None:
        return False, problem
    values = np.sort(values.ravel())[::-1]
    state = dimer_ground_state(U, 1.0, delta_v)
    rdm1 = np.asarray(state.rdm1)
    expected = np.linalg.eigvalsh(0.5 * rdm1)[::-1]
    if values.size != 2:
        return False, f"the dimer has two natural orbitals per spin, so two occupations; you gave {values.size}."
    if np.allclose(values, expected, atol=1e-6):
        return True, (f"per spin n₁ = {expected[0]:.4f}, n₂ = {expected[1]:.4f}: inside [0, 1] and summing to 1; "
                      "n₂ > 0 measures how far the interacting state is from a single Slater determinant.")
    if np.allclose(values, 2 * expected, atol=1e-6):
        return False, ("those are the spin-summed occupations (they add up to 2); the question asks per spin: "
                       "diagonalise half of the spin-summed matrix.")
    if np.allclose(values, np.sort(np.asarray(state.occupations) / 2)[::-1], atol=1e-6) or np.allclose(
            values, np.sort(np.asarray(state.occupations))[::-1], atol=1e-6):
        return False, ("those are the site occupations (the diagonal of the 1-RDM); natural occupations are the "
                       "eigenvalues of the whole matrix, off-diagonal element included.")
    if np.allclose(values, [1.0, 0.0], atol=1e-6) or np.allclose(values, [2.0, 0.0], atol=1e-6):
        return False, ("1 and 0 are the natural occupations of a single Slater determinant (U = 0); the "
                       "interacting 1-RDM is not idempotent. Use the exact rdm1 at U = 4t.")
    if abs(values.sum() - 1.0) > 1e-6:
        return False, (f"per-spin natural occupations of two electrons in a singlet sum to 1; yours sum to "
                       f"{values.sum():.4f}.")
    return False, (f"got {values.round(4).tolist()}; diagonalise the per-spin 1-RDM (half of "
                   f"lattice.dimer_ground_state({U:g}, 1.0, {delta_v:g}).rdm1) with np.linalg.eigvalsh.")


@checker("correlation kinetic energy of a two-electron 1D system")
def check_rdm_correlation_kinetic(t_c, index: int = 0):
    """T - T_s of sample ``index`` of the rdm1_wells_1d data set, T_s from the one-orbital 1-RDM sqrt(n n')."""

    if is_placeholder(t_c):
        raise NotImplementedError
    values, problem = _as_float_array(t_c, "one number (Hartree)")
    if values is None:
        return False, problem
    if values.size != 1:
        return False, (f"expected one number, the correlation kinetic energy in Hartree; got an array of shape "
                       f"{values.shape}.")
    answer = float(values.ravel()[0])
    data = datasets.load_rdm1_wells()
    density = data["density"][index]
    gamma_s = np.sqrt(np.outer(density, density))
    t_s = float(observables.rdm1_kinetic_energy(gamma_s, data["kinetic_matrix"], data["dx"]))
    t_exact = float(data["kinetic_energy"][index])
    expected = t_exact - t_s
    tolerance = 1e-6 + 1e-3 * abs(expected)
    if abs(answer - expected) <= tolerance:
        return True, (f"T_c = T - T_s = {expected * 1000:.2f} mHa ({t_exact:.4f} - {t_s:.4f} Ha): positive, as it "
                      "must be, since T_s is the smallest kinetic energy of any state with this density.")
    if abs(answer + expected) <= tolerance:
        return False, "the sign is flipped: T_c = T - T_s, and it is positive."
    if abs(answer - 1000 * expected) <= 1000 * tolerance:
        return False, "that is the right value in mHa; the check expects Hartree (divide by 1000)."
    if abs(answer - t_s) <= tolerance:
        return False, "that is T_s alone (the kinetic energy of sqrt(n n')); subtract it from the exact T."
    if abs(answer - t_exact) <= tolerance:
        return False, "that is the exact kinetic energy T; subtract T_s, the kinetic energy of sqrt(n n')."
    dx = data["dx"]
    if abs(answer - (t_exact - t_s / dx)) <= tolerance or abs(answer - (t_exact / dx - t_s / dx)) <= tolerance:
        return False, "a factor of dx is missing: T = dx Σᵢⱼ K_ij γ_ji (use observables.rdm1_kinetic_energy)."
    return False, (f"got {answer:.6f} Ha. Build gamma_s = np.sqrt(np.outer(n, n)) from the density of sample "
                   f"{index}, its kinetic energy with observables.rdm1_kinetic_energy, and subtract it from the "
                   "exact T.")
