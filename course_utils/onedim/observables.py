"""Observables of 1D states that several methods share (Hartree atomic units)."""

from __future__ import annotations

import numpy as np

from .._checks import as_number, as_real_array
from .kohn_sham import hartree_energy, hartree_potential

__all__ = ["natural_orbitals", "natural_occupations", "dipole", "hartree_potential", "hartree_energy",
           "rdm1_kinetic_energy", "von_weizsaecker", "lowdin_shull_energy", "muller_energy"]


def natural_orbitals(rdm1, dx: float) -> tuple[np.ndarray, np.ndarray]:
    """Natural occupations and orbitals of a one-body reduced density matrix.

    Parameters
    ----------
    rdm1
        1-RDM ``rho(x, x')`` (1/bohr), shape ``(N, N)``, symmetric.
    dx
        grid spacing (bohr).

    Returns
    -------
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


def _pair_integrals(orbitals: np.ndarray, interaction: np.ndarray, dx: float) -> np.ndarray:
    """``I_jk = integral integral phi_j phi_k (x) w(x, x') phi_j phi_k (x') dx dx'`` for orbitals (G, M)."""
    pairs = orbitals[:, :, None] * orbitals[:, None, :]  # (G, M, M)
    return np.einsum("gjk,gh,hjk->jk", pairs, interaction, pairs) * dx * dx


def _two_electron_inputs(rdm1, interaction, dx, n_orbitals):
    rdm1 = as_real_array(rdm1, "rdm1", ndim=2)
    interaction = as_real_array(interaction, "interaction", shape=rdm1.shape)
    dx = as_number(dx, "dx", minimum=0.0, strict_minimum=True)
    occupations, orbitals = natural_orbitals(rdm1, dx)
    m = int(min(n_orbitals, len(occupations)))
    return np.clip(occupations[:m], 0.0, None), orbitals[:, :m], interaction, dx


def lowdin_shull_energy(rdm1, interaction, dx: float, *, n_orbitals: int = 12) -> float:
    """Electron-electron energy (Ha) of a two-electron singlet from its 1-RDM alone: the exact functional.

    Löwdin and Shull (Phys. Rev. 101, 1730 (1956)): a two-electron singlet is ``Psi(x1, x2) = sum_j c_j
    phi_j(x1) phi_j(x2)`` in its natural orbitals, with ``n_j = 2 c_j^2`` (spin-summed occupations). Then
    ``E_ee = sum_jk c_j c_k I_jk`` with ``I_jk = <phi_j phi_j | w | phi_k phi_k>``, which depends on the 1-RDM
    only through the signs of the ``c_j``; for a ground state the dominant one is positive and all others negative
    (the sign rule this function uses, exact for the course's 1D ground states, as the tests check against the
    exact solver).

    Parameters
    ----------
    rdm1 : array (G, G)
        Spin-summed 1-RDM (1/bohr), trace 2.
    interaction : array (G, G)
        ``w(x_i - x_j)`` (Ha), e.g. ``system.interaction``.
    dx : float
        Grid spacing (bohr).
    n_orbitals : int
        Natural orbitals kept (the occupations fall off fast).
    """
    occupations, orbitals, interaction, dx = _two_electron_inputs(rdm1, interaction, dx, n_orbitals)
    c = np.sqrt(occupations / 2.0)
    c[1:] *= -1.0
    return float(c @ _pair_integrals(orbitals, interaction, dx) @ c)


def muller_energy(rdm1, interaction, dx: float, *, n_orbitals: int = 12) -> float:
    """Electron-electron energy (Ha) of Müller's 1-RDM functional (Phys. Lett. A 105, 446 (1984)), spin-restricted.

    ``E_ee = E_H[n] - (1/2) sum_jk sqrt(n_j n_k) <phi_j phi_k | w | phi_k phi_j>`` with the spin-summed natural
    occupations ``n_j`` and orbitals of ``rdm1`` (the "square-root" exchange-correlation hole). It is exact for
    one natural orbital (``n_1 = 2``: Hartree minus self-interaction) and known to overcorrelate, i.e. to give
    too low an ``E_ee``. Arguments as :func:`lowdin_shull_energy`.
    """
    occupations, orbitals, interaction, dx = _two_electron_inputs(rdm1, interaction, dx, n_orbitals)
    density = np.diagonal(as_real_array(rdm1, "rdm1", ndim=2))
    hartree = 0.5 * float(density @ interaction @ density) * dx * dx
    root = np.sqrt(occupations)
    return hartree - 0.5 * float(root @ _pair_integrals(orbitals, interaction, dx) @ root)
