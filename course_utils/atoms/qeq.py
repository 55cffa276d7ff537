"""Charge equilibration (QEq) with Gaussian charges: energy, charges, dipole, polarizability, forces (NumPy only).

The model (A. K. Rappe, W. A. Goddard III, J. Phys. Chem. 95, 3358 (1991); with Gaussian charge densities as in
C. G. Staacke et al., Mach. Learn.: Sci. Technol. 3, 015032 (2022)) gives every atom ``i`` at position ``R_i`` a
charge ``q_i`` spread as a normalised Gaussian of standard deviation ``alpha_i``. In a uniform field ``F`` its
energy is::

    E(q) = sum_i [chi_i q_i + (J_i + k_e / (alpha_i sqrt(pi))) q_i^2 / 2]
           + (1/2) sum_{i != j} k_e q_i q_j erf(r_ij / gamma_ij) / r_ij  -  F . sum_i q_i R_i,
    gamma_ij = sqrt(2 (alpha_i^2 + alpha_j^2)),

``chi_i`` the electronegativity (eV/e), ``J_i`` the hardness (eV/e^2) on top of the Gaussian's own Coulomb
self-energy ``k_e / (alpha_i sqrt(pi))`` (the ``r -> 0`` limit of the off-diagonal term), ``k_e =
e^2/(4 pi eps_0)`` = :data:`COULOMB_CONSTANT` eV*Angstrom. In matrix form ``E = (chi - R F).q + q.A.q / 2``
with the *hardness matrix* ``A`` of :func:`hardness_matrix`. The charges minimise ``E`` under ``sum_i q_i = Q``;
with a Lagrange multiplier ``lambda`` this is one linear solve of the bordered system::

    [ A   1 ] [ q      ]   [ -chi + R F ]
    [ 1^T 0 ] [ lambda ] = [  Q         ]

so that ``dE/dq_i = -lambda`` on every atom: the electronegativities *equalise* (``-lambda`` is the
:attr:`QEqResult.chemical_potential`). Writing ``P`` for the upper-left block of the inverse of the bordered
matrix (:func:`charge_response`: ``P = A^-1 - A^-1 1 1^T A^-1 / (1^T A^-1 1)``, symmetric, ``P 1 = 0``),
``q = -P (chi - R F) + Q A^-1 1 / (1^T A^-1 1)``. The charges are linear in ``chi`` and in ``F``; hence

* the dipole ``mu = sum_i q_i R_i`` (:func:`dipole`) is linear in ``chi`` (what makes kernel QEq a linear fit);
* the polarizability ``alpha_ab = d mu_a / d F_b = R^T P R`` (:func:`polarizability`) follows from the same
  energy and does not depend on ``chi`` at all;
* the energy at the minimum depends on the positions through ``A``, through ``chi`` when the electronegativities
  depend on the environment, and through the field term; its gradient is :func:`energy_and_forces`.

Units: eV, Angstrom, e; fields in V/Angstrom, dipoles in e*Angstrom, polarizabilities in e*Angstrom^2/V
(multiply by :data:`COULOMB_CONSTANT` for Angstrom^3, the "polarizability volume").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import as_number, as_real_array
from ..units import BOHR_TO_ANGSTROM, HARTREE_TO_EV

COULOMB_CONSTANT = HARTREE_TO_EV * BOHR_TO_ANGSTROM
"""e^2 / (4 pi eps_0) in eV*Angstrom (1 Hartree * 1 bohr), about 14.40."""

__all__ = ["COULOMB_CONSTANT", "QEqResult", "charge_response", "covalent_widths", "dipole", "energy",
           "energy_and_forces", "hardness_matrix", "polarizability", "solve"]


# ----------------------------------------------------------------------------------------------- checks
def _check_positions(positions) -> np.ndarray:
    positions = as_real_array(positions, "positions", ndim=2)
    if positions.shape[1] != 3 or positions.shape[0] < 1:
        raise ValueError(f"positions must have shape (n_atoms, 3) with n_atoms >= 1, got {positions.shape}")
    return positions


def _check_per_atom(value, name: str, n: int, *, positive: bool = False) -> np.ndarray:
    array = as_real_array(value, name, ndim=1)
    if array.shape != (n,):
        raise ValueError(f"{name} must have one value per atom, shape ({n},), got {array.shape}")
    if positive and np.any(array <= 0):
        raise ValueError(f"{name} must be positive (Angstrom), got minimum {array.min()}")
    return array


def _check_field(field) -> np.ndarray:
    if field is None:
        return np.zeros(3)
    return as_real_array(field, "field", shape=(3,))


def _check_model(positions, hardness, widths):
    positions = _check_positions(positions)
    n = len(positions)
    return positions, _check_per_atom(hardness, "hardness", n), _check_per_atom(widths, "widths", n, positive=True)


# ---------------------------------------------------------------------------------------------- physics
def covalent_widths(numbers, scale: float = 1.0) -> np.ndarray:
    """Gaussian widths ``alpha_i`` (Angstrom): ``scale`` times the covalent radius of each element (ASE's table,
    B. Cordero et al., Dalton Trans. 2832 (2008)), the heuristic of the kQEq code.

    Parameters
    ----------
    numbers : array_like of int, shape (n_atoms,)
        Atomic numbers (1 ... 118).
    scale : float
        Positive factor.
    """
    from ase.data import covalent_radii

    numbers = np.asarray(numbers)
    if numbers.ndim != 1 or not np.issubdtype(numbers.dtype, np.integer):
        raise TypeError(f"numbers must be a 1D array of atomic numbers (integers), got {numbers!r:.60}")
    if np.any(numbers < 1) or np.any(numbers >= len(covalent_radii)):
        raise ValueError(f"atomic numbers must lie in 1 ... {len(covalent_radii) - 1}, got {numbers.tolist()}")
    scale = as_number(scale, "scale", minimum=0.0, strict_minimum=True)
    return scale * covalent_radii[numbers]


def _pair_terms(positions, widths):
    """Distances ``r`` (..., n, n), ``gamma`` (..., n, n) and ``erf(r/gamma)/r`` with its r -> 0 limit on the
    diagonal (the Gaussian self-energy over k_e). Works on stacks of molecules of equal size."""
    from scipy.special import erf

    diff = positions[..., :, None, :] - positions[..., None, :, :]
    r = np.sqrt(np.sum(diff**2, axis=-1))
    gamma = np.sqrt(2.0 * (widths[..., :, None] ** 2 + widths[..., None, :] ** 2))
    small = r < 1e-12
    safe = np.where(small, 1.0, r)
    coulomb = np.where(small, 2.0 / (np.sqrt(np.pi) * gamma), erf(safe / gamma) / safe)
    return diff, r, gamma, coulomb


def _hardness_matrix(positions, hardness, widths):
    _, _, _, coulomb = _pair_terms(positions, widths)
    n = positions.shape[-2]
    return COULOMB_CONSTANT * coulomb + hardness[..., :, None] * np.eye(n)


def hardness_matrix(positions, hardness, widths) -> np.ndarray:
    """The matrix ``A`` (eV/e^2) of the quadratic part of the QEq energy, shape (n_atoms, n_atoms).

    ``A_ii = J_i + k_e / (alpha_i sqrt(pi))``, ``A_ij = k_e erf(r_ij / gamma_ij) / r_ij`` (see the module
    docstring). ``positions`` (n, 3) Angstrom; ``hardness`` ``J`` (n,) eV/e^2; ``widths`` ``alpha`` (n,) Angstrom.
    """
    positions, hardness, widths = _check_model(positions, hardness, widths)
    return _hardness_matrix(positions, hardness, widths)


def energy(charges, positions, electronegativity, hardness, widths, *, field=None) -> float:
    """The QEq energy ``E(q)`` (eV) of the module docstring for any charges (not only the minimising ones).

    ``charges`` (n,) e; ``positions`` (n, 3) Angstrom; ``electronegativity`` (n,) eV/e; ``hardness`` (n,)
    eV/e^2; ``widths`` (n,) Angstrom; ``field`` (3,) V/Angstrom or None.
    """
    positions, hardness, widths = _check_model(positions, hardness, widths)
    n = len(positions)
    q = _check_per_atom(charges, "charges", n)
    chi = _check_per_atom(electronegativity, "electronegativity", n)
    field = _check_field(field)
    a = _hardness_matrix(positions, hardness, widths)
    return float((chi - positions @ field) @ q + 0.5 * q @ a @ q)


def dipole(charges, positions) -> np.ndarray:
    """``sum_i q_i R_i`` (e*Angstrom), shape (3,); independent of the origin only for a neutral molecule."""
    positions = _check_positions(positions)
    q = _check_per_atom(charges, "charges", len(positions))
    return q @ positions


@dataclass(frozen=True)
class QEqResult:
    """Minimum of the QEq energy: ``charges`` (n,) e, ``energy`` eV, ``chemical_potential`` ``dE/dq_i`` (eV/e,
    the same on every atom at the minimum), ``dipole`` (3,) e*Angstrom."""

    charges: np.ndarray
    energy: float
    chemical_potential: float
    dipole: np.ndarray


def _bordered(a):
    n = a.shape[-1]
    shape = a.shape[:-2] + (n + 1, n + 1)
    m = np.zeros(shape)
    m[..., :n, :n] = a
    m[..., :n, n] = 1.0
    m[..., n, :n] = 1.0
    return m


def _require_minimum(a):
    # Gaussian Coulomb matrices are positive definite; a very negative hardness J can break that, and then the
    # stationary point of the bordered solve is a saddle, not the minimum the model promises.
    try:
        np.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        raise ValueError("the hardness matrix is not positive definite (hardness J too negative for these "
                         "widths): the QEq energy has no minimum") from None


def solve(positions, electronegativity, hardness, widths, *, total_charge: float = 0.0, field=None) -> QEqResult:
    """Charges minimising the QEq energy under ``sum_i q_i = total_charge``: one solve of the bordered system.

    Parameters
    ----------
    positions : array_like, shape (n, 3)
        Angstrom.
    electronegativity, hardness : array_like, shape (n,)
        ``chi`` (eV/e) and ``J`` (eV/e^2) of every atom.
    widths : array_like, shape (n,)
        Gaussian widths ``alpha`` (Angstrom), positive.
    total_charge : float
        ``Q`` in e.
    field : array_like, shape (3,), optional
        Uniform electric field, V/Angstrom.

    Raises
    ------
    ValueError
        For arrays of the wrong shape, non-positive widths, or a hardness matrix without a minimum.
    """
    positions, hardness, widths = _check_model(positions, hardness, widths)
    n = len(positions)
    chi = _check_per_atom(electronegativity, "electronegativity", n)
    total_charge = as_number(total_charge, "total_charge")
    field = _check_field(field)
    a = _hardness_matrix(positions, hardness, widths)
    _require_minimum(a)
    rhs = np.append(-chi + positions @ field, total_charge)
    solution = np.linalg.solve(_bordered(a), rhs)
    q = solution[:n]
    e = float((chi - positions @ field) @ q + 0.5 * q @ a @ q)
    return QEqResult(charges=q, energy=e, chemical_potential=float(-solution[n]), dipole=q @ positions)


def _charge_response(a):
    n = a.shape[-1]
    return np.linalg.inv(_bordered(a))[..., :n, :n]


def charge_response(positions, hardness, widths) -> np.ndarray:
    """``P`` (e^2/eV), shape (n, n): ``dq = -P dchi`` at fixed total charge (``P`` symmetric, ``P 1 = 0``).

    The upper-left block of the inverse of the bordered matrix of :func:`solve`.
    """
    positions, hardness, widths = _check_model(positions, hardness, widths)
    a = _hardness_matrix(positions, hardness, widths)
    _require_minimum(a)
    return _charge_response(a)


def polarizability(positions, hardness, widths) -> np.ndarray:
    """Dipole polarizability ``alpha_ab = d mu_a / d F_b = (R^T P R)_ab`` (e*Angstrom^2/V), shape (3, 3).

    Exact for the model: the charges are linear in the field, ``dq/dF_b = P R_b``. It equals ``-d^2E/dF_a dF_b``
    at the minimum, does not depend on the electronegativities, and, because ``P 1 = 0``, not on the origin.
    Multiply by :data:`COULOMB_CONSTANT` for Angstrom^3.
    """
    positions, hardness, widths = _check_model(positions, hardness, widths)
    a = _hardness_matrix(positions, hardness, widths)
    _require_minimum(a)
    p = _charge_response(a)
    return positions.T @ p @ positions


def energy_and_forces(positions, electronegativity, electronegativity_gradient, hardness, widths, *,
                      total_charge: float = 0.0, field=None) -> tuple[QEqResult, np.ndarray]:
    """The QEq minimum and the forces ``-dE_min/dR`` (eV/Angstrom), shape (n, 3).

    Why the charges' response drops out: ``E_min(R) = E(q*(R), R)`` with ``q*`` the constrained minimum, so
    ``dE_min/dR = dE/dR|_q + sum_i (dE/dq_i) dq*_i/dR``. At the minimum every ``dE/dq_i`` equals the same
    multiplier ``-lambda``, and ``sum_i dq*_i/dR = d(sum_i q*_i)/dR = dQ/dR = 0``: the second term vanishes
    (Hellmann-Feynman for a constrained quadratic). Only the explicit dependence remains::

        F_k = -sum_i q_i d chi_i/dR_k - (1/2) sum_ij q_i q_j dA_ij/dR_k + q_k F.

    Parameters
    ----------
    positions, electronegativity, hardness, widths, total_charge, field
        As in :func:`solve`.
    electronegativity_gradient : array_like, shape (n, n, 3)
        ``[i, k, a] = d chi_i / d R_{k,a}`` (eV/(e*Angstrom)); zeros for fixed electronegativities.
    """
    result = solve(positions, electronegativity, hardness, widths, total_charge=total_charge, field=field)
    positions, hardness, widths = _check_model(positions, hardness, widths)
    n = len(positions)
    gradient = as_real_array(electronegativity_gradient, "electronegativity_gradient", shape=(n, n, 3))
    field = _check_field(field)
    q = result.charges
    diff, r, gamma, coulomb = _pair_terms(positions, widths)
    off = ~np.eye(n, dtype=bool)
    safe = np.where(off, r, 1.0)
    # d/dr [erf(r/gamma)/r] = 2 exp(-r^2/gamma^2) / (sqrt(pi) gamma r) - erf(r/gamma)/r^2
    slope = np.where(off, 2.0 * np.exp(-(safe / gamma) ** 2) / (np.sqrt(np.pi) * gamma * safe)
                     - coulomb / safe, 0.0)
    pair = COULOMB_CONSTANT * (q[:, None] * q[None, :]) * slope / safe  # (n, n)
    coulomb_forces = -np.sum(pair[:, :, None] * diff, axis=1)
    forces = -np.einsum("i,ika->ka", q, gradient) + coulomb_forces + q[:, None] * field[None, :]
    return result, forces
