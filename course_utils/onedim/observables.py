"""Observables of 1D states that several methods share (Hartree atomic units)."""

from __future__ import annotations

import numpy as np

from .._checks import as_number, as_real_array
from .kohn_sham import hartree_energy, hartree_potential

__all__ = ["natural_orbitals", "natural_occupations", "dipole", "hartree_potential", "hartree_energy",
           "rdm1_kinetic_energy", "von_weizsaecker"]


def natural_orbitals(rdm1, dx: float) -> tuple[np.ndarray, np.ndarray]:
    """Natural occupations and orbitals of a one-body reduced density matrix.

    Args:
        rdm1: 1-RDM ``rho(x, x')`` (1/bohr), shape ``(N, N)``, symmetric.
        dx: grid spacing (bohr).

    Returns:
        ``(occupations (N,), orbitals (N, N))``: occupations in decreasing order (they sum to the trace
        ``sum(diag(rdm1)) * dx``) and the orbitals as columns, normalised so that ``sum(phi**2) * dx == 1``.
    """
    rdm1 = as_real_array(rdm1, "rdm1", ndim=2)
    if rdm1.shape[0] != rdm1.shape[1]:
        raise ValueError(f"rdm1 must be square, got shape {rdm1.shape}")
    if not np.allclose(rdm1, rdm1.T, rtol=0.0, atol=1e-10 * max(1.0, float(np.max(np.abs(rdm1))))):
        raise ValueError("rdm1 must be symmetric, rho(x, x') == rho(x', x)")
    dx = as_number(dx, "dx", minimum=0.0, strict_minimum=True)
    occupations, vectors = np.linalg.eigh(0.5 * (rdm1 + rdm1.T) * dx)
    order = np.argsort(occupations)[::-1]
    return occupations[order], vectors[:, order] / np.sqrt(dx)


def dipole(x, density) -> np.ndarray:
    """First moment ``integral x n(x) dx`` (bohr; electron charge not included) of one density ``(N,)`` or of a
    stack of densities ``(..., N)`` on the uniform grid ``x``."""
    x = as_real_array(x, "x", ndim=1)
    density = as_real_array(density, "density")
    if density.shape[-1] != x.size:
        raise ValueError(f"density must have last axis of length {x.size} (the grid), got shape {density.shape}")
    return density @ x * (x[1] - x[0])


def von_weizsaecker(system, density) -> float:
    """``T_W[n] = (1/2) integral |d sqrt(n)/dx|^2 dx`` (Ha) with the system's kinetic stencil; for two electrons in
    a singlet this *is* the Kohn-Sham kinetic energy of the density."""
    phi = np.sqrt(np.clip(np.asarray(density, dtype=float), 0.0, None))
    return float(phi @ system.kinetic_matrix() @ phi) * system.dx


def rdm1_kinetic_energy(rdm1, kinetic_matrix, dx: float) -> np.ndarray:
    """T = dx sum_ij K_ij gamma_ji (Ha) of one 1-RDM (N, N) or a stack (..., N, N); K from ``system.kinetic_matrix``."""
    rdm1 = np.asarray(rdm1, dtype=float)
    return dx * np.einsum("ij,...ji->...", np.asarray(kinetic_matrix, float), rdm1)


def natural_occupations(rdm1, dx: float) -> np.ndarray:
    """Spin-summed natural occupations (decreasing) of one 1-RDM (N, N) or a stack (..., N, N) on a grid."""
    rdm1 = np.asarray(rdm1, dtype=float)
    return np.linalg.eigvalsh(0.5 * (rdm1 + np.swapaxes(rdm1, -1, -2)) * dx)[..., ::-1]
