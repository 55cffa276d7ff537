"""Uniform 1D grids and the finite-difference kinetic-energy operator.

Conventions (Hartree atomic units, lengths in bohr, energies in Ha):

* A grid is ``N`` equally spaced points ``x[0] < ... < x[N-1]`` with spacing ``dx``.
* Hard walls sit one spacing outside the grid, at ``x[0] - dx`` and ``x[-1] + dx``: wavefunctions vanish there.
  For an open system (an atom in a wide box) the walls are simply far away.
* The second derivative uses a central difference with ``stencil`` points (3, 5, ..., 13; 13 is iDEA's default).
  Near a wall a wide stencil needs values beyond it. ``boundary="reflect"`` (the default) fills them by odd
  reflection (``psi(x_wall - s) = -psi(x_wall + s)``), the condition a hard wall imposes on the exact solution:
  the particle-in-a-box eigenvectors of the discrete operator are then exactly ``sin(k pi (x - x_wall) / L)`` for
  every stencil, so high-order stencils keep their accuracy next to the walls. ``boundary="truncate"`` sets them
  to zero, which is what iDEA does (low order next to the walls). For open systems whose wavefunction vanishes
  at the grid ends the two agree to exponentially small terms; use "truncate" to reproduce iDEA exactly.
* Orbitals are normalised as ``sum(|phi|**2) * dx == 1``; densities integrate to the electron number with
  ``sum(n) * dx``.
"""

from __future__ import annotations

from math import factorial

import numpy as np

from .._checks import as_real_array

STENCILS = (3, 5, 7, 9, 11, 13)
"""Supported numbers of points of the central second-derivative stencil."""
BOUNDARIES = ("reflect", "truncate")
"""Closures of a wide stencil at the hard walls (see the module docstring)."""


def second_derivative_coefficients(stencil: int) -> np.ndarray:
    """Central finite-difference weights of ``d^2/dx^2`` (times ``dx**2``), shape ``(stencil // 2 + 1,)``.

    Element ``k`` multiplies ``f(x + k dx) + f(x - k dx)`` for ``k >= 1`` and ``f(x)`` for ``k = 0``; the
    approximation is exact for polynomials of degree ``stencil - 1``.
    """
    if stencil not in STENCILS:
        raise ValueError(f"stencil must be one of {STENCILS}, got {stencil!r}")
    p = stencil // 2
    c = np.zeros(p + 1)
    for k in range(1, p + 1):
        # Closed form of the maximal-order central weights (Fornberg 1988).
        c[k] = 2.0 * (-1) ** (k + 1) * factorial(p) ** 2 / (k**2 * factorial(p - k) * factorial(p + k))
    c[0] = -2.0 * c[1:].sum()
    return c


def check_uniform_grid(x, name: str = "x", min_points: int = 3) -> tuple[np.ndarray, float]:
    """Validate a uniform, increasing grid and return it as a float array with its spacing ``dx``."""
    x = as_real_array(x, name, ndim=1)
    if x.size < min_points:
        raise ValueError(f"{name} must have at least {min_points} points, got {x.size}")
    steps = np.diff(x)
    dx = float((x[-1] - x[0]) / (x.size - 1))
    if dx <= 0 or np.any(steps <= 0):
        raise ValueError(f"{name} must be strictly increasing")
    if not np.allclose(steps, dx, rtol=1e-6, atol=0.0):
        worst = float(np.max(np.abs(steps - dx)))
        raise ValueError(f"{name} must be a uniform grid (equal spacing); spacings differ from the mean {dx:.6g} "
                         f"by up to {worst:.3g}. Use numpy.linspace to build it")
    return x, dx


def kinetic_banded(n_points: int, dx: float, stencil: int = 13, boundary: str = "reflect") -> np.ndarray:
    """Kinetic operator ``-1/2 d^2/dx^2`` (Ha) in LAPACK upper banded storage, shape ``(stencil // 2 + 1, N)``.

    Row ``p - k`` holds the ``k``-th super-diagonal (``p = stencil // 2``), as ``scipy.linalg.eig_banded`` expects.
    """
    return _dense_to_upper_banded(kinetic_matrix(n_points, dx, stencil, boundary), stencil // 2)


def kinetic_matrix(n_points: int, dx: float, stencil: int = 13, boundary: str = "reflect") -> np.ndarray:
    """Dense kinetic operator ``-1/2 d^2/dx^2`` (Ha), shape ``(N, N)``, with hard walls one spacing outside."""
    if boundary not in BOUNDARIES:
        raise ValueError(f"boundary must be one of {BOUNDARIES}, got {boundary!r}")
    c = second_derivative_coefficients(stencil)
    p = c.size - 1
    if n_points <= 2 * p:
        raise ValueError(f"a {stencil}-point stencil needs more than {2 * p} grid points, got {n_points}")
    d2 = np.zeros((n_points, n_points))
    idx = np.arange(n_points)
    d2[idx, idx] = c[0]
    for k in range(1, p + 1):
        d2[idx[:-k], idx[k:]] = c[k]
        d2[idx[k:], idx[:-k]] = c[k]
        if boundary == "truncate":
            continue
        # Odd reflection about the walls at index -1 and N: psi[-1 - s] = -psi[-1 + s], psi[N + s] = -psi[N - s].
        for i in range(k - 1):
            j = k - 2 - i  # left wall: index i - k mirrors to k - 2 - i
            d2[i, j] -= c[k]
            d2[n_points - 1 - i, n_points - 1 - j] -= c[k]
    return -0.5 * d2 / dx**2


def _dense_to_upper_banded(matrix: np.ndarray, bandwidth: int) -> np.ndarray:
    n = matrix.shape[0]
    banded = np.zeros((bandwidth + 1, n))
    for k in range(bandwidth + 1):
        banded[bandwidth - k, k:] = np.diagonal(matrix, k)
    return banded


def box_grid(left: float, right: float, n_points: int) -> np.ndarray:
    """``n_points`` interior points of the box ``[left, right]``, so that the hard walls fall on its ends.

    The spacing is ``(right - left) / (n_points + 1)``; the walls are one spacing outside the first and last point.
    """
    return np.linspace(left, right, n_points + 2)[1:-1]


def integrate(values: np.ndarray, dx: float, axis: int = -1) -> np.ndarray:
    """Integral over a grid axis by the rectangle rule, consistent with the orbital normalisation."""
    return np.sum(values, axis=axis) * dx
