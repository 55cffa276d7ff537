"""Observables of 1D states that several methods share (Hartree atomic units)."""

from __future__ import annotations

import numpy as np

from .._checks import as_number, as_real_array
from .kohn_sham import hartree_energy, hartree_potential

__all__ = ["natural_orbitals", "dipole", "hartree_potential", "hartree_energy"]


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
