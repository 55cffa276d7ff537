"""Fast lowest eigenpairs of one-body Hamiltonians ``T + diag(v)`` on a grid (used in loops over many potentials).

For the 3-point stencil the matrix is tridiagonal and LAPACK's ``stebz``/``stein`` (``eigh_tridiagonal``) give the
lowest few eigenpairs in O(N) each. Wider stencils make a banded matrix, for which LAPACK's banded driver first
reduces the whole matrix to tridiagonal form (O(N^2) with the transformation, ~40 ms for N = 500). Instead we take
the lowest eigenvectors of the 3-point problem as a starting subspace (they differ from the wide-stencil ones only
by the O(dx^2) discretisation error), enrich it by one step of shifted inverse iteration with the wide-stencil
matrix (a banded LU, O(N p^2)), and finish with a Rayleigh-Ritz projection, repeated until the residuals are
below tolerance. Rayleigh-Ritz keeps the states ordered and orthogonal; if anything goes wrong the dense-banded
LAPACK driver is used.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import LinAlgError, eig_banded, eigh_tridiagonal, lapack

from .grid import kinetic_banded

_CACHE: dict = {}


class BandedHamiltonian:
    """``T + diag(v)`` for a fixed grid and stencil; ``lowest(v, m)`` returns its ``m`` lowest eigenpairs."""

    def __init__(self, n_points: int, dx: float, stencil: int, boundary: str = "reflect"):
        self.n_points, self.dx, self.stencil = n_points, dx, stencil
        self.band = kinetic_banded(n_points, dx, stencil, boundary)  # upper storage, (p + 1, N)
        self.p = self.band.shape[0] - 1
        tri = kinetic_banded(n_points, dx, 3)
        self.tri_diagonal, self.tri_off = tri[1].copy(), tri[0, 1:].copy()

    @classmethod
    def cached(cls, n_points: int, dx: float, stencil: int, boundary: str = "reflect") -> BandedHamiltonian:
        key = (n_points, float(dx), stencil, boundary)
        if key not in _CACHE:
            if len(_CACHE) > 16:
                _CACHE.clear()
            _CACHE[key] = cls(n_points, dx, stencil, boundary)
        return _CACHE[key]

    def matvec(self, v: np.ndarray, vectors: np.ndarray) -> np.ndarray:
        """``(T + diag(v)) @ vectors`` for vectors as columns ``(N, m)``."""
        band, p = self.band, self.p
        out = (band[p] + v)[:, None] * vectors
        for k in range(1, p + 1):
            coupling = band[p - k, k:][:, None]
            out[:-k] += coupling * vectors[k:]
            out[k:] += coupling * vectors[:-k]
        return out

    def lowest(self, v: np.ndarray, m: int, tol: float = 1e-12) -> tuple[np.ndarray, np.ndarray]:
        """The ``m`` lowest eigenvalues (Ha, shape ``(m,)``) and eigenvectors (columns, l2-normalised, largest
        component positive, shape ``(N, m)``) of ``T + diag(v)``."""
        n = self.n_points
        m = min(m, n)
        if self.p == 1:
            values, vectors = eigh_tridiagonal(self.tri_diagonal + v, self.tri_off, select="i",
                                               select_range=(0, m - 1))
            return values, _fix_signs(vectors)
        try:
            values, vectors = self._subspace(v, m, tol)
        except (LinAlgError, ValueError, FloatingPointError):
            values, vectors = None, None
        if values is None:
            band = self.band.copy()
            band[-1] += v
            values, vectors = eig_banded(band, select="i", select_range=(0, m - 1))
        return values, _fix_signs(vectors)

    def _subspace(self, v: np.ndarray, m: int, tol: float, rounds: int = 4):
        n, p = self.n_points, self.p
        extra = min(1, n - m)
        size = m + extra
        _, basis = eigh_tridiagonal(self.tri_diagonal + v, self.tri_off, select="i", select_range=(0, size - 1))
        # LAPACK general-band storage for the LU solves (gbsv): p spare rows for fill-in, diagonal in row 2p.
        full = np.zeros((3 * p + 1, n))
        full[p:2 * p + 1] = self.band
        for k in range(1, p + 1):
            full[2 * p + k, :n - k] = self.band[p - k, k:]
        full[2 * p] += v
        diagonal = full[2 * p].copy()
        scale = max(1.0, float(np.max(np.abs(diagonal))))
        for _ in range(rounds):
            applied = self.matvec(v, basis)
            small = basis.T @ applied
            theta, rotation = np.linalg.eigh(0.5 * (small + small.T))
            rotation = rotation[:, :size]  # keep the lowest Ritz pairs, enrich those
            theta = theta[:size]
            basis, applied = basis @ rotation, applied @ rotation
            residual = np.linalg.norm(applied - basis * theta, axis=0)
            if np.all(residual[:m] < tol * scale):
                return theta[:m], basis[:, :m]
            steps = np.empty_like(basis)
            for j in range(size):
                # shifted inverse iteration (a Rayleigh-quotient step); nudge the shift off an exact eigenvalue
                full[2 * p] = diagonal - theta[j] * (1.0 + 1e-14) - 1e-14
                _, _, steps[:, j], info = lapack.dgbsv(p, p, full, basis[:, j])
                if info != 0:
                    return None, None
            full[2 * p] = diagonal
            basis, _ = np.linalg.qr(np.hstack([basis, steps]))
            if not np.all(np.isfinite(basis)):
                return None, None
        return None, None


def _fix_signs(vectors: np.ndarray) -> np.ndarray:
    """Flip each column so that its largest-magnitude component is positive (reproducible orbitals)."""
    idx = np.argmax(np.abs(vectors), axis=0)
    signs = np.sign(vectors[idx, np.arange(vectors.shape[1])])
    signs[signs == 0] = 1.0
    return vectors * signs


def lowest_eigenpairs(n_points: int, dx: float, stencil: int, v: np.ndarray, m: int, boundary: str = "reflect"):
    """Convenience wrapper: the ``m`` lowest eigenpairs of ``T + diag(v)`` (see :class:`BandedHamiltonian`)."""
    return BandedHamiltonian.cached(n_points, dx, stencil, boundary).lowest(v, m)
